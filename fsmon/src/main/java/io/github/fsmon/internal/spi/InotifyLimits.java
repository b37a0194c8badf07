package io.github.fsmon.internal.spi;

import io.github.fsmon.WatchLimitException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Linux inotify limits, read in one place for every backend that ends up in inotify: fsmon's own and
 * the JDK's {@code WatchService}, which uses inotify on Linux. What they say, and where they live:
 * <ul>
 *   <li>{@code fs.inotify.max_user_watches}, {@code fs.inotify.max_user_instances}: per user, for all of the
 *       user's processes together. {@code inotify_add_watch} fails with {@code ENOSPC} past the first,
 *       {@code inotify_init1} with {@code EMFILE} past the second.</li>
 *   <li>{@code user.max_inotify_watches}, {@code user.max_inotify_instances} (Linux 5.11+): the same limits
 *       of the current user namespace. In the initial namespace they are the same two values; inside a
 *       container they are the container's own, while {@code fs.inotify.*} still shows the host's. Every
 *       level binds, so the lower of the two is the one that was hit.</li>
 *   <li>{@code EMFILE} from {@code inotify_init1} means either the instance limit or the process's own
 *       open-file limit ({@code ulimit -n}); the two are told apart by counting descriptors.</li>
 * </ul>
 * The files under {@code /proc/sys} report a size of 0 and are read line by line here: a read that trusts
 * the size (as {@code Files.readString} does) returns a truncated value such as {@code "1"}.
 */
public final class InotifyLimits {
    public static final String MAX_USER_WATCHES = "fs.inotify.max_user_watches";
    public static final String MAX_USER_INSTANCES = "fs.inotify.max_user_instances";
    public static final String NS_MAX_WATCHES = "user.max_inotify_watches";
    public static final String NS_MAX_INSTANCES = "user.max_inotify_instances";

    private static final Path PROC = Path.of("/proc");

    private InotifyLimits() {
    }

    /** The watch limit was hit while watching {@code path} ({@code ENOSPC} from {@code inotify_add_watch}). */
    public static WatchLimitException watchLimitReached(String path) {
        Binding b = binding(PROC, MAX_USER_WATCHES, NS_MAX_WATCHES);
        return new WatchLimitException(path, b.name(), b.value(), -1);
    }

    /**
     * {@code inotify_init1} (or the JDK's {@code WatchService}) failed with {@code EMFILE}: the instance
     * limit, with the number of instances in use, or, when this process has used up its own descriptors,
     * a {@link FileSystemException} that says so.
     */
    public static FileSystemException instanceLimitReached(String what) {
        Descriptors fds = openDescriptors(PROC);
        if (fds != null && fds.exhausted()) {
            return new FileSystemException(what, null, "too many open files (EMFILE): this process has used up "
                    + "its open-file limit (ulimit -n" + (fds.limit() > 0 ? " = " + fds.limit() : "") + ")");
        }
        Binding b = binding(PROC, MAX_USER_INSTANCES, NS_MAX_INSTANCES);
        return new WatchLimitException(what, b.name(), b.value(), -1, instancesInUse(PROC, b.perNamespace()));
    }

    /** Reads a sysctl ({@code fs.inotify.max_user_watches}: dots for slashes under {@code /proc/sys}); -1 when unreadable. */
    public static long read(String sysctl) {
        return read(PROC, sysctl);
    }

    static long read(Path proc, String sysctl) {
        try {
            java.util.List<String> lines = Files.readAllLines(proc.resolve("sys").resolve(sysctl.replace('.', '/')));
            return lines.isEmpty() ? -1 : Long.parseLong(lines.get(0).trim());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The limit that binds, and whether it is the user namespace's own. */
    record Binding(String name, long value, boolean perNamespace) {
    }

    static Binding binding(Path proc, String global, String perNamespace) {
        long g = read(proc, global);
        long ns = read(proc, perNamespace);
        if (ns >= 0 && (g < 0 || ns < g)) {
            return new Binding(perNamespace, ns, true);
        }
        return new Binding(global, g, false);
    }

    /**
     * The inotify instances held by the processes of this user that can be seen here; when
     * {@code sameNamespace}, only by those in this process's user namespace (what the namespace's own limit
     * counts). -1 when even this process's descriptors cannot be read.
     */
    static long instancesInUse(Path proc, boolean sameNamespace) {
        Path self = proc.resolve("self");
        Object uid;
        String ns;
        try {
            uid = Files.getAttribute(self, "unix:uid");
            ns = Files.readSymbolicLink(self.resolve("ns/user")).toString();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        long count = 0;
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, p -> isNumber(p.getFileName().toString()))) {
            for (Path pid : pids) {
                try {
                    if (!uid.equals(Files.getAttribute(pid, "unix:uid"))
                            || sameNamespace && !ns.equals(Files.readSymbolicLink(pid.resolve("ns/user")).toString())) {
                        continue;
                    }
                    count += inotifyDescriptors(pid);
                } catch (IOException | RuntimeException e) {
                    // gone meanwhile, or not ours to look at
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return count;
    }

    private static long inotifyDescriptors(Path pid) throws IOException {
        long n = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(pid.resolve("fd"))) {
            for (Path fd : fds) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals("anon_inode:inotify")) {
                        n++;
                    }
                } catch (IOException e) {
                    // closed between the listing and the read
                }
            }
        }
        return n;
    }

    /** This process's open descriptors and its soft limit on them ({@code ulimit -n}). */
    record Descriptors(long open, long limit) {
        /** Whether one more descriptor would exceed the limit. */
        boolean exhausted() {
            return limit >= 0 && open + 1 >= limit;
        }
    }

    /** {@code null} when unknown. */
    static Descriptors openDescriptors(Path proc) {
        long soft = -1;
        try {
            for (String line : Files.readAllLines(proc.resolve("self/limits"), StandardCharsets.UTF_8)) {
                if (line.startsWith("Max open files")) {
                    String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                    soft = f[0].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(f[0]);
                }
            }
        } catch (IOException e) {
            // At the descriptor limit the file cannot even be opened.
            return String.valueOf(e.getMessage()).contains("Too many open files") ? new Descriptors(0, 0) : null;
        } catch (RuntimeException e) {
            return null;
        }
        long open = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("self/fd"))) {
            for (Path ignored : fds) {
                open++;
            }
        } catch (IOException e) {
            return null;
        }
        return new Descriptors(open - 1, soft); // minus the listing's own descriptor
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
