package io.github.fsmon.selection;

import io.github.fsmon.Backend;
import io.github.fsmon.FileMonitor;
import io.github.fsmon.Watch;
import io.github.fsmon.WatchOptions;
import io.github.fsmon.internal.core.MonitorConfig;
import io.github.fsmon.internal.core.Monitors;
import io.github.fsmon.testing.Leaks;
import io.github.fsmon.testing.Recorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * AUTO's per-directory choice: directories on a file system that does not notify are polled beside the
 * notifying backend. No NFS or FUSE mount exists in a test, so the file-system type is given by a
 * function in place of the mount table; everything else is the real engine, inotify and poller.
 */
class RoutingTest {
    @TempDir
    Path dir;
    private FileMonitor monitor;
    private final Recorder rec = new Recorder();

    private FileMonitor monitor(Backend backend, Function<Path, String> fsType) throws Exception {
        monitor = Monitors.create(new MonitorConfig(backend, null, 65536, null, Duration.ofMillis(25).toNanos(),
                System::nanoTime, Duration.ofHours(1).toNanos(), fsType));
        return monitor;
    }

    @AfterEach
    void stop() {
        if (monitor != null) {
            monitor.close();
        }
        assertThat(Leaks.fsmonThreads()).isZero();
    }

    private List<String> step() {
        rec.settle(monitor);
        List<String> lines = rec.lines(dir);
        rec.clear();
        return lines;
    }

    @Test
    void aMountThatDoesNotNotifyInsideALocalTreeIsPolledAndTheRestIsNotified() throws Exception {
        Path mnt = Files.createDirectories(dir.resolve("tree/mnt/sub"));
        Path nfs = mnt.getParent();
        monitor(Backend.AUTO, p -> p.startsWith(nfs) ? "nfs4" : "ext4");
        assertThat(monitor.backend()).isEqualTo(Backend.INOTIFY);
        Watch w = monitor.watch(dir.resolve("tree"), WatchOptions.recursiveDefaults(), rec).join();
        assertThat(w.polledDirectories().join()).containsExactly(nfs);

        Files.writeString(dir.resolve("tree/local"), "x");
        Files.writeString(nfs.resolve("sub/remote"), "x");
        Files.createDirectories(nfs.resolve("sub/new"));
        // inotify reports the local write with its CLOSE_WRITE; the poller sees the remote file and the new
        // directory as they are now (one CREATE, no CLOSE_WRITE), at the barrier's scan.
        assertThat(step()).contains("CREATE tree/local", "MODIFY tree/local", "CLOSE_WRITE tree/local",
                "CREATE tree/mnt/sub/remote", "CREATE,ISDIR tree/mnt/sub/new")
                .doesNotContain("CLOSE_WRITE tree/mnt/sub/remote");
        Files.writeString(nfs.resolve("sub/new/deeper"), "y");
        assertThat(step()).containsExactly("CREATE tree/mnt/sub/new/deeper");
        assertThat(w.polledDirectories().join()).containsExactly(nfs);
        w.cancel().join();
        assertThat(w.polledDirectories().join()).isEmpty();
    }

    @Test
    void aRootOnAFuseFileSystemIsPolled() throws Exception {
        monitor(Backend.AUTO, p -> p.startsWith(dir) ? "fuse.sshfs" : "ext4");
        Watch w = monitor.watch(dir, WatchOptions.defaults(), rec).join();
        assertThat(w.polledDirectories().join()).containsExactly(dir);
        Files.writeString(dir.resolve("f"), "x");
        assertThat(step()).containsExactly("CREATE f");
    }

    @Test
    void aBackendAskedForByNameIsUsedAsAsked() throws Exception {
        monitor(Backend.INOTIFY, p -> "nfs");
        Watch w = monitor.watch(dir, WatchOptions.defaults(), rec).join();
        assertThat(w.polledDirectories().join()).isEmpty();
        Files.writeString(dir.resolve("f"), "x");
        assertThat(step()).containsExactly("CREATE f", "MODIFY f", "CLOSE_WRITE f");
    }

    @Test
    void theJdkBackendAskedForByNameWatchesEverythingItself() throws Exception {
        Path remote = Files.createDirectories(dir.resolve("remote"));
        monitor(Backend.JDK, p -> p.startsWith(remote) ? "cifs" : "ext4");
        Watch w = monitor.watch(dir, WatchOptions.recursiveDefaults(), rec).join();
        assertThat(w.polledDirectories().join()).isEmpty();
        Files.writeString(remote.resolve("f"), "x");
        assertThat(step()).containsExactly("CREATE remote/f", "MODIFY remote/f");
    }

    @Test
    void mountInfoLinesAreParsedWithTheirEscapes() {
        assertThat(io.github.fsmon.internal.core.MountTable.parse(
                "36 35 98:0 /mnt1 /mnt/my\\040share rw,noatime master:1 - nfs4 server:/export rw").toString())
                .isEqualTo("Mount[point=/mnt/my share, type=nfs4]");
        assertThat(io.github.fsmon.internal.core.MountTable.parse(
                "22 27 0:21 / /proc rw,relatime - proc proc rw").toString())
                .isEqualTo("Mount[point=/proc, type=proc]");
    }

    @Test
    void localFileSystemTypesAreNotPolledAndTheRealMountTableIsRead() throws Exception {
        monitor = FileMonitor.create(); // the real mount table: the temporary directory is local here
        Watch w = monitor.watch(dir, WatchOptions.recursiveDefaults(), rec).join();
        String type = Files.getFileStore(dir).type();
        assertThat(w.polledDirectories().join()).as("type " + type).isEmpty();
    }
}
