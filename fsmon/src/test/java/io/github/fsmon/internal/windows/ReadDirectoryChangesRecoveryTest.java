package io.github.fsmon.internal.windows;

import io.github.fsmon.Backend;
import io.github.fsmon.EventKind;
import io.github.fsmon.FileEvent;
import io.github.fsmon.FileMonitor;
import io.github.fsmon.WatchOptions;
import io.github.fsmon.testing.Recorder;
import io.github.fsmon.testing.TreeModel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Windows backend's overflow, end to end, over {@link InotifyWin32}: with the I/O thread held up,
 * more changes pile up than a read buffer holds, the read completes with STATUS_NOTIFY_ENUM_DIR, and the
 * engine's rescan must report the real differences: applying every event delivered to the tree as it was
 * gives the tree on disk.
 */
class ReadDirectoryChangesRecoveryTest {
    /** The simulations stand on Linux: inotify (for the scenario one) and unix:ino file keys. */
    @org.junit.jupiter.api.BeforeAll
    static void onLinux() {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.github.fsmon.internal.linux.InotifyBackend.isSupported(),
                "the kernel32 simulations run on Linux; on Windows, ScenarioTest runs the scripts against kernel32");
    }

    @TempDir
    Path dir;

    @AfterEach
    void restore() {
        ReadDirectoryChangesBackend.substituteWin32(null);
        System.clearProperty(ReadDirectoryChangesBackend.BUFFER_PROPERTY);
    }

    @Test
    void fullBufferIsAnOverflowFollowedByTheRealDifferences() throws Exception {
        for (int d = 0; d < 5; d++) {
            Path sub = Files.createDirectories(dir.resolve("d" + d + "/inner"));
            for (int f = 0; f < 5; f++) {
                Files.writeString(sub.resolve("f" + f), "v1");
            }
        }
        TreeMap<String, Boolean> before = TreeModel.walk(dir);
        ReadDirectoryChangesBackend.substituteWin32(InotifyWin32::new);
        System.setProperty(ReadDirectoryChangesBackend.BUFFER_PROPERTY, "4096");
        // The I/O thread is held at block-here, so the changes made meanwhile pile up unread.
        io.github.fsmon.testing.IoThreadBlocker blocker = new io.github.fsmon.testing.IoThreadBlocker();
        WatchOptions options = blocker.recursiveOptions();
        Recorder rec = new Recorder();
        try (FileMonitor monitor = FileMonitor.builder().backend(Backend.WINDOWS).build()) {
            monitor.watch(dir, options, rec).join();
            Files.createFile(dir.resolve("block-here"));
            assertThat(blocker.awaitBlocked()).isTrue();
            for (int i = 0; i < 500; i++) { // some 20 KiB of records: five times the buffer
                Files.createFile(dir.resolve("d1/inner/n" + i));
            }
            Files.delete(dir.resolve("d0/inner/f0"));
            Files.writeString(dir.resolve("d2/inner/f2"), "changed, longer");
            Files.move(dir.resolve("d3"), dir.resolve("d3-renamed"));
            blocker.release();
            rec.settle(monitor);
        }
        List<FileEvent> events = rec.events();
        List<EventKind> kinds = events.stream().map(FileEvent::kind).toList();
        assertThat(kinds).contains(EventKind.OVERFLOW);
        assertThat(kinds.lastIndexOf(EventKind.RECOVERED)).isGreaterThan(kinds.indexOf(EventKind.OVERFLOW));
        TreeModel model = new TreeModel(dir, before);
        events.forEach(model::apply);
        assertThat(model.entries()).isEqualTo(TreeModel.walk(dir));
    }
}
