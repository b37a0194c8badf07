package io.github.fsmon.recovery;

import io.github.fsmon.EventKind;
import io.github.fsmon.FileEvent;
import io.github.fsmon.FileMonitor;
import io.github.fsmon.WatchOptions;
import io.github.fsmon.testing.Recorder;
import io.github.fsmon.testing.TreeModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Overflow is recovered: after an OVERFLOW the watch reports the real differences, then RECOVERED, and a
 * consumer that applies every event ends with the true state of the tree.
 */
class OverflowRecoveryTest {
    @TempDir
    Path dir;

    /** More events than the kernel queue holds ({@code fs.inotify.max_queued_events}, 16384 by default). */
    private static int burstSize() throws IOException {
        long max = Long.parseLong(Files.readAllLines(Path.of("/proc/sys/fs/inotify/max_queued_events")).get(0).trim());
        return (int) Math.min(max + 4000, 100_000);
    }

    private void initialTree() throws IOException {
        for (int d = 0; d < 10; d++) {
            Path sub = Files.createDirectories(dir.resolve("d" + d + "/inner"));
            for (int f = 0; f < 10; f++) {
                Files.writeString(sub.resolve("f" + f), "v1");
            }
        }
    }

    /** Changes made while events are being lost: creations, deletions, a rename, content changes. */
    private void changesDuringOverflow(int burst) throws IOException {
        Path many = dir.resolve("d5/inner"); // already watched, so every creation queues an event
        for (int i = 0; i < burst; i++) {
            Files.createFile(many.resolve("n" + i));
        }
        Files.delete(dir.resolve("d0/inner/f0"));
        Files.writeString(dir.resolve("d1/inner/f1"), "changed, longer");
        Files.move(dir.resolve("d2"), dir.resolve("d2-renamed"));
        Files.delete(dir.resolve("d3/inner/f3"));
        Files.createFile(dir.resolve("d3/inner/f3")); // replaced by a new file of the same name
        for (int f = 0; f < 10; f++) {
            Files.delete(dir.resolve("d4/inner/f" + f));
        }
        Files.delete(dir.resolve("d4/inner"));
    }

    private static void assertRecovered(List<FileEvent> events, Path root, java.util.TreeMap<String, Boolean> before) {
        int overflow = indexOf(events, EventKind.OVERFLOW);
        assertThat(overflow).as("an OVERFLOW event").isGreaterThanOrEqualTo(0);
        int recovered = indexOf(events, EventKind.RECOVERED);
        assertThat(recovered).as("RECOVERED after OVERFLOW").isGreaterThan(overflow);
        TreeModel model = new TreeModel(root, before);
        for (FileEvent e : events) {
            model.apply(e);
        }
        assertThat(model.entries()).isEqualTo(TreeModel.walk(root));
    }

    private static int indexOf(List<FileEvent> events, EventKind kind) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).kind() == kind) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void kernelQueueOverflowIsFollowedByTheRealDifferences() throws Exception {
        initialTree();
        java.util.TreeMap<String, Boolean> before = TreeModel.walk(dir);
        // The I/O thread is held at block-here, so the changes made meanwhile pile up unread.
        io.github.fsmon.testing.IoThreadBlocker blocker = new io.github.fsmon.testing.IoThreadBlocker();
        WatchOptions options = blocker.recursiveOptions();
        Recorder rec = new Recorder();
        try (FileMonitor monitor = FileMonitor.create()) {
            monitor.watch(dir, options, rec).join();
            Files.createFile(dir.resolve("block-here"));
            assertThat(blocker.awaitBlocked()).isTrue();
            changesDuringOverflow(burstSize());
            blocker.release();
            rec.settle(monitor);
        }
        assertRecovered(rec.events(), dir, before);
    }

    @Test
    void ownQueueOverflowIsFollowedByTheRealDifferences() throws Exception {
        initialTree();
        java.util.TreeMap<String, Boolean> before = TreeModel.walk(dir);
        CountDownLatch release = new CountDownLatch(1);
        Recorder rec = new Recorder();
        AtomicBoolean first = new AtomicBoolean(true);
        try (FileMonitor monitor = FileMonitor.builder().queueCapacity(64).build()) {
            monitor.watch(dir, WatchOptions.recursiveDefaults(), event -> {
                rec.onEvent(event);
                if (first.compareAndSet(true, false)) {
                    try {
                        release.await(60, TimeUnit.SECONDS); // a slow listener: the queue fills up
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }).join();
            changesDuringOverflow(2000);
            release.countDown();
            rec.settle(monitor);
        }
        assertRecovered(rec.events(), dir, before);
        assertThat(rec.events()).extracting(FileEvent::sequence).isSorted();
    }

    /**
     * A rescan lists every directory, and with every event kind asked for inotify reports each listing as
     * reads on the directory and on its parent: 2,000 directories give more events than the kernel's
     * queue holds. Those must neither reach the listener nor overflow the queue again: one OVERFLOW, one
     * RECOVERED, and no read of a directory that nobody read.
     */
    @Test
    void rescanOfALargeTreeDoesNotFeedOnItsOwnReads() throws Exception {
        for (int d = 0; d < 40; d++) {
            for (int e = 0; e < 50; e++) {
                Files.createDirectories(dir.resolve("d" + d + "/e" + e));
            }
        }
        java.util.TreeMap<String, Boolean> before = TreeModel.walk(dir);
        io.github.fsmon.testing.IoThreadBlocker blocker = new io.github.fsmon.testing.IoThreadBlocker();
        WatchOptions options = blocker.recursiveOptions().toBuilder().allEvents().build();
        Recorder rec = new Recorder();
        try (FileMonitor monitor = FileMonitor.create()) {
            monitor.watch(dir, options, rec).join();
            Files.createFile(dir.resolve("block-here"));
            assertThat(blocker.awaitBlocked()).isTrue();
            Path many = dir.resolve("d0");
            for (int i = 0; i < burstSize(); i++) {
                Files.createFile(many.resolve("n" + i));
            }
            blocker.release();
            rec.settle(monitor);
            rec.settle(monitor); // a second barrier: a rescan that loops would still be reporting
        }
        List<FileEvent> events = rec.events();
        assertThat(events).filteredOn(e -> e.kind() == EventKind.OVERFLOW).hasSize(1);
        assertThat(events).filteredOn(e -> e.kind() == EventKind.RECOVERED).hasSize(1);
        assertThat(events).as("reads of directories: only fsmon read them")
                .filteredOn(e -> e.directory() && (e.kind() == EventKind.OPEN || e.kind() == EventKind.ACCESS
                        || e.kind() == EventKind.CLOSE_NOWRITE))
                .isEmpty();
        assertRecovered(events, dir, before);
    }
}
