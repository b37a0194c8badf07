package io.github.fsmon.internal.spi;

import io.github.fsmon.Backend;
import io.github.fsmon.FileMonitor;
import io.github.fsmon.testing.ChildJvm;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The inotify limits as every backend reads them. */
class InotifyLimitsTest {
    @TempDir
    Path dir;

    @Test
    void eachLimitReadsAsCatPrintsIt() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/sys/fs/inotify")), "needs Linux /proc");
        for (String sysctl : new String[] {InotifyLimits.MAX_USER_WATCHES, InotifyLimits.MAX_USER_INSTANCES,
                InotifyLimits.NS_MAX_WATCHES, InotifyLimits.NS_MAX_INSTANCES}) {
            Path file = Path.of("/proc/sys", sysctl.replace('.', '/'));
            if (!Files.exists(file)) {
                continue; // user.* before Linux 5.11
            }
            assertThat(InotifyLimits.read(sysctl)).as(sysctl).isEqualTo(Long.parseLong(cat(file)));
        }
    }

    @Test
    void theLowerOfTheGlobalAndTheNamespaceLimitBinds() throws Exception {
        Path proc = dir.resolve("proc");
        write(proc, "fs/inotify/max_user_watches", "8192\n");
        assertThat(InotifyLimits.binding(proc, InotifyLimits.MAX_USER_WATCHES, InotifyLimits.NS_MAX_WATCHES))
                .as("no namespace limit (before Linux 5.11)")
                .isEqualTo(new InotifyLimits.Binding(InotifyLimits.MAX_USER_WATCHES, 8192, false));
        write(proc, "user/max_inotify_watches", "8192\n");
        assertThat(InotifyLimits.binding(proc, InotifyLimits.MAX_USER_WATCHES, InotifyLimits.NS_MAX_WATCHES))
                .as("the initial namespace, where both are one value")
                .isEqualTo(new InotifyLimits.Binding(InotifyLimits.MAX_USER_WATCHES, 8192, false));
        write(proc, "user/max_inotify_watches", "20\n");
        assertThat(InotifyLimits.binding(proc, InotifyLimits.MAX_USER_WATCHES, InotifyLimits.NS_MAX_WATCHES))
                .as("a container's lower one")
                .isEqualTo(new InotifyLimits.Binding(InotifyLimits.NS_MAX_WATCHES, 20, true));
        write(proc, "fs/inotify/max_user_watches", "garbage\n");
        assertThat(InotifyLimits.binding(proc, InotifyLimits.MAX_USER_WATCHES, InotifyLimits.NS_MAX_WATCHES))
                .isEqualTo(new InotifyLimits.Binding(InotifyLimits.NS_MAX_WATCHES, 20, true));
        assertThat(InotifyLimits.read(proc, "fs.inotify.max_queued_events")).as("missing").isEqualTo(-1);
    }

    @Test
    void theInstancesInUseCountThoseOfThisProcess() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs Linux /proc");
        try (FileMonitor a = FileMonitor.builder().backend(Backend.INOTIFY).build();
             FileMonitor b = FileMonitor.builder().backend(Backend.JDK).build()) {
            long own = ownInotifyInstances();
            assertThat(own).as("one instance per monitor").isGreaterThanOrEqualTo(2);
            assertThat(InotifyLimits.instancesInUse(Path.of("/proc"), true)).isGreaterThanOrEqualTo(own);
            assertThat(InotifyLimits.instancesInUse(Path.of("/proc"), false)).isGreaterThanOrEqualTo(own);
        }
    }

    @Test
    void descriptorsAreCountedAgainstTheOpenFileLimit() {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs Linux /proc");
        InotifyLimits.Descriptors d = InotifyLimits.openDescriptors(Path.of("/proc"));
        assertThat(d).isNotNull();
        assertThat(d.open()).as("stdin, stdout, stderr at least").isGreaterThanOrEqualTo(3);
        assertThat(d.limit()).isGreaterThan(d.open());
        assertThat(d.exhausted()).isFalse();
        assertThat(new InotifyLimits.Descriptors(1023, 1024).exhausted()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"INOTIFY", "JDK"})
    void atTheOpenFileLimitTheMessageSaysSoAndNotThatTheInstanceLimitWasHit(Backend backend) throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs Linux /proc");
        // ulimit -n lowers the child's own limit only; the JVM starts with far fewer descriptors than 512.
        Process p = new ProcessBuilder("sh", "-c", "ulimit -n 512 && exec '" + ChildJvm.java()
                + "' --enable-native-access=ALL-UNNAMED -cp '" + ChildJvm.classPath() + "' "
                + DescriptorLimitProbe.class.getName() + " " + backend).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("RESULT java.nio.file.FileSystemException", "too many open files (EMFILE)",
                "ulimit -n").doesNotContain("instance limit");
    }

    private static long ownInotifyInstances() throws IOException {
        long n = 0;
        try (var fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals("anon_inode:inotify")) {
                        n++;
                    }
                } catch (IOException e) {
                    // the listing's own descriptor, closed meanwhile
                }
            }
        }
        return n;
    }

    private static void write(Path proc, String rel, String text) throws IOException {
        Path file = proc.resolve("sys").resolve(rel);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    /** What {@code cat} prints: the kernel's own text, read without trusting the file's size. */
    private static String cat(Path file) throws Exception {
        Process p = new ProcessBuilder("cat", file.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        return out;
    }
}
