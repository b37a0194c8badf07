package io.github.fsmon.churn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Where a churn run can make its tree: the machine's temporary directory (whatever file system that is),
 * and a tmpfs. A tmpfs is either one already mounted and writable ({@code /dev/shm} on most Linux systems),
 * used in this JVM, or a private one that a child process mounts in a mount namespace of its own
 * ({@code unshare -m}, as root), which disappears with it.
 */
public final class ChurnFileSystems {
    private ChurnFileSystems() {
    }

    /** The JVM's temporary directory, as a real path. */
    public static Path temporaryDirectory() throws IOException {
        return Path.of(System.getProperty("java.io.tmpdir")).toRealPath();
    }

    /** The file system type of {@code dir} as the JDK names it ({@code ext4}, {@code tmpfs}, ...). */
    public static String typeOf(Path dir) {
        try {
            return Files.getFileStore(dir).type();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * A writable directory on a tmpfs that is already mounted: {@code candidate} if given, else
     * {@code /dev/shm}, {@code /run/shm} or the temporary directory, whichever is a tmpfs.
     */
    public static Optional<Path> mountedTmpfs(String candidate) {
        List<String> candidates = new ArrayList<>();
        if (candidate != null && !candidate.isEmpty()) {
            candidates.add(candidate);
        } else {
            candidates.addAll(List.of("/dev/shm", "/run/shm", System.getProperty("java.io.tmpdir")));
        }
        for (String c : candidates) {
            Path p = Path.of(c);
            try {
                if (Files.isDirectory(p) && Files.isWritable(p) && typeOf(p).equals("tmpfs")) {
                    Path probe = Files.createTempDirectory(p, "fsmon-churn-probe-");
                    Files.delete(probe);
                    return Optional.of(p.toRealPath());
                }
            } catch (IOException | SecurityException e) {
                // not usable: try the next one
            }
        }
        return Optional.empty();
    }

    /**
     * Why a private tmpfs cannot be mounted here, or {@code null} when it can: as root,
     * {@code unshare -m} mounts one on {@code scratch} and finds it to be a tmpfs.
     */
    public static String whyNoPrivateTmpfs(Path scratch) {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return "a private tmpfs needs Linux mount namespaces";
        }
        try {
            Process p = new ProcessBuilder(privateTmpfsCommand(scratch, List.of("stat", "-f", "-c", "%T", scratch.toString())))
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "unshare -m did not answer within 30 s";
            }
            return p.exitValue() == 0 && out.equals("tmpfs") ? null
                    : "unshare -m and mount -t tmpfs failed (needs root): " + out;
        } catch (IOException e) {
            return "cannot run unshare: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /**
     * The command that runs {@code command} in a mount namespace of its own with a fresh tmpfs mounted
     * on {@code mountPoint} (an existing directory; the host never sees the mount).
     */
    public static List<String> privateTmpfsCommand(Path mountPoint, List<String> command) {
        List<String> cmd = new ArrayList<>(List.of("unshare", "-m", "--propagation", "private", "sh", "-c",
                "mount -t tmpfs -o size=256m,mode=700 fsmon-churn \"$0\" && exec \"$@\"", mountPoint.toString()));
        cmd.addAll(command);
        return cmd;
    }
}
