package io.github.fsmon;

import io.github.fsmon.internal.core.Monitors;
import io.github.fsmon.testing.Recorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The API a first-time user writes against: listeners that throw, closeable watches, the sync and pull styles. */
class ApiUsageTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private static WatchOptions creates() {
        return WatchOptions.builder().events(EventKind.CREATE).build();
    }

    @Test
    void aListenerMayThrowACheckedExceptionWhichGoesToTheErrorHandler() throws Exception {
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        Recorder rec = new Recorder();
        try (FileMonitor monitor = FileMonitor.builder().errorHandler((w, e) -> errors.add(e)).build()) {
            monitor.watch(dir, creates(), e -> {
                rec.onEvent(e);
                if (e.path().getFileName().toString().equals("boom")) {
                    Files.readString(e.path().resolveSibling("missing")); // a checked IOException
                }
            }).join();
            Files.createFile(dir.resolve("boom"));
            Files.createFile(dir.resolve("after"));
            rec.settle(monitor);
        }
        assertThat(rec.lines(dir)).containsExactly("CREATE boom", "CREATE after");
        assertThat(errors).singleElement().isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void maskNamesLikeTheKernelHasNoIsdirOnEventsAboutTheWatchedDirectoryItself() {
        Path p = Path.of("/d");
        for (EventKind k : List.of(EventKind.DELETE_SELF, EventKind.MOVE_SELF, EventKind.UNMOUNT, EventKind.IGNORED)) {
            FileEvent e = new FileEvent(k, p, true, 0, null, null, 1, false);
            assertThat(e.maskNames()).isEqualTo(k.name());
            assertThat(e.mask()).isEqualTo(k.mask());
            assertThat(e.directory()).isTrue();
        }
        FileEvent create = new FileEvent(EventKind.CREATE, p, true, 0, null, null, 1, false);
        assertThat(create.maskNames()).isEqualTo("CREATE,ISDIR");
        assertThat(create.mask()).isEqualTo(EventKind.CREATE.mask() | EventKind.IN_ISDIR);
        assertThat(new FileEvent(EventKind.OPEN, p, true, 0, null, null, 1, false).maskNames())
                .isEqualTo("OPEN,ISDIR");
    }

    @Test
    void bothExcludeMethodsAddAndARelativeGlobExcludesTheDirectoryItself() {
        Path root = Path.of("/r");
        WatchOptions o = WatchOptions.builder().exclude("build/tmp")
                .exclude(p -> p.endsWith("a")).exclude(p -> p.endsWith("b")).build()
                .toBuilder().exclude(p -> p.endsWith("c")).build();
        assertThat(o.isExcluded(root, root.resolve("x/a"))).isTrue();
        assertThat(o.isExcluded(root, root.resolve("x/b"))).isTrue();
        assertThat(o.isExcluded(root, root.resolve("x/c"))).isTrue();
        assertThat(o.isExcluded(root, root.resolve("x/d"))).isFalse();
        assertThat(o.isExcluded(root, root.resolve("build/tmp"))).isTrue();
        assertThat(o.isExcluded(root, root.resolve("build/tmp/x"))).isTrue();
        assertThat(o.isExcluded(root, root.resolve("build"))).isFalse();
    }

    @Test
    void aWatchIsAutoCloseableAndListedWhileActive() throws Exception {
        Recorder rec = new Recorder();
        try (FileMonitor monitor = FileMonitor.create()) {
            assertThat(monitor.watches()).isEmpty();
            Watch other = monitor.watchAndWait(Files.createDirectory(dir.resolve("other")), rec);
            try (Watch watch = monitor.watchAndWait(dir, creates(), rec)) {
                assertThat(monitor.watches()).containsExactly(other, watch);
            }
            assertThat(monitor.watches()).containsExactly(other);
            Files.createFile(dir.resolve("after-close"));
            rec.settle(monitor);
            assertThat(rec.events()).extracting(FileEvent::kind, FileEvent::path)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(EventKind.IGNORED, dir));
            assertThat(monitor.isClosed()).isFalse();
        }
    }

    @Test
    void cancelAndCloseOfAWatchAfterTheMonitorClosedSucceed() throws Exception {
        FileMonitor monitor = FileMonitor.create();
        Watch watch = monitor.watchAndWait(dir, new Recorder());
        Watch cancelledBefore = monitor.watchAndWait(Files.createDirectory(dir.resolve("sub")), new Recorder());
        cancelledBefore.cancel().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        monitor.close();
        assertThat(monitor.isClosed()).isTrue();
        assertThat(monitor.watches()).isEmpty();
        assertThat(watch.isActive()).isFalse();
        watch.cancel().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS); // completes normally
        watch.cancel().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        watch.close();
        cancelledBefore.close();
        cancelledBefore.cancel().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void watchAndWaitThrowsTheTypedException() throws Exception {
        FileMonitor monitor = FileMonitor.create();
        try {
            assertThatThrownBy(() -> monitor.watchAndWait(dir.resolve("missing"), new Recorder()))
                    .isInstanceOf(NoSuchFileException.class).hasMessageContaining("missing");
            Path file = Files.createFile(dir.resolve("file"));
            assertThatThrownBy(() -> monitor.watchAndWait(file,
                    WatchOptions.builder().onlyDir(true).build(), new Recorder()))
                    .isInstanceOf(java.nio.file.NotDirectoryException.class);
        } finally {
            monitor.close();
        }
        assertThatThrownBy(() -> monitor.watchAndWait(dir, new Recorder()))
                .isInstanceOf(FileMonitorClosedException.class);
        assertThatThrownBy(() -> monitor.stream(dir, creates())).isInstanceOf(FileMonitorClosedException.class);
    }

    @Test
    void aStreamDeliversInOrderAndEndsWithItsWatch() throws Exception {
        try (FileMonitor monitor = FileMonitor.create()) {
            Path root = Files.createDirectory(dir.resolve("root"));
            try (EventStream events = monitor.stream(root, WatchOptions.builder()
                    .events(EventKind.CREATE, EventKind.DELETE_SELF).build())) {
                assertThat(monitor.watches()).containsExactly(events.watch());
                assertThat(events.poll(Duration.ZERO)).isNull();
                Files.createFile(root.resolve("a"));
                Files.createFile(root.resolve("b"));
                assertThat(events.take().path()).isEqualTo(root.resolve("a"));
                assertThat(events.poll(TIMEOUT).path()).isEqualTo(root.resolve("b"));
                Files.delete(root.resolve("a"));
                Files.delete(root.resolve("b"));
                Files.delete(root);
                List<String> rest = new ArrayList<>();
                for (FileEvent e : events) {
                    rest.add(e.maskNames());
                }
                assertThat(rest).containsExactly("DELETE_SELF", "IGNORED");
                assertThat(events.isEnded()).isTrue();
                assertThatThrownBy(events::take).isInstanceOf(NoSuchElementException.class);
                assertThat(events.poll(TIMEOUT)).isNull(); // ended: does not wait
            }
            assertThat(monitor.watches()).isEmpty();
        }
    }

    @Test
    void closingTheStreamOrTheMonitorWakesAWaitingConsumer() throws Exception {
        try (FileMonitor monitor = FileMonitor.create()) {
            EventStream events = monitor.stream(dir, creates());
            CompletableFuture<Throwable> consumer = CompletableFuture.supplyAsync(() -> {
                try {
                    return new AssertionError("took " + events.take());
                } catch (Throwable t) {
                    return t;
                }
            });
            events.close(); // whether or not the consumer waits already, it ends
            assertThat(consumer.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(NoSuchElementException.class);
            assertThat(monitor.watches()).isEmpty();
            assertThat(events.events().count()).isZero();
            events.close();
        }
        FileMonitor monitor = FileMonitor.create();
        EventStream events = monitor.stream(dir, creates());
        Iterator<FileEvent> it = events.iterator();
        CompletableFuture<Boolean> hasNext = CompletableFuture.supplyAsync(it::hasNext);
        monitor.close();
        assertThat(hasNext.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isFalse();
        assertThat(events.isEnded()).isTrue();
        events.close(); // after the monitor closed: no exception
    }

    /**
     * A consumer that takes nothing holds delivery: the monitor's own bounded queue fills and overflows,
     * and once the consumer takes again the stream carries OVERFLOW, the real differences and RECOVERED.
     */
    @Test
    void aConsumerThatDoesNotTakeOverflowsTheMonitorsQueueAndRecovers() throws Exception {
        int files = 200;
        try (FileMonitor monitor = FileMonitor.builder().queueCapacity(8).build();
             EventStream events = monitor.stream(dir, creates())) {
            Set<Path> expected = new HashSet<>();
            for (int i = 0; i < files; i++) {
                expected.add(Files.createFile(dir.resolve("f" + i)));
            }
            // The I/O thread has read every creation while the consumer took nothing: the queue overflowed.
            Monitors.readBarrier(monitor).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            List<FileEvent> taken = new ArrayList<>();
            FileEvent e;
            do {
                e = events.poll(TIMEOUT);
                assertThat(e).as("an event before the timeout; so far " + taken.size()).isNotNull();
                taken.add(e);
            } while (e.kind() != EventKind.RECOVERED);
            CompletableFuture<Void> barrier = monitor.sync();
            barrier.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertThat(events.poll(Duration.ZERO)).as("nothing after RECOVERED").isNull();

            assertThat(taken).filteredOn(x -> x.kind() == EventKind.OVERFLOW).hasSize(1);
            assertThat(taken).filteredOn(x -> x.kind() == EventKind.RECOVERED).hasSize(1);
            assertThat(taken).filteredOn(x -> x.kind() == EventKind.CREATE).as("one CREATE per file, live or synthetic")
                    .hasSize(files).anySatisfy(x -> assertThat(x.synthetic()).isTrue());
            Set<Path> created = new HashSet<>();
            taken.stream().filter(x -> x.kind() == EventKind.CREATE).forEach(x -> created.add(x.path()));
            assertThat(created).isEqualTo(expected);
            assertThat(taken).extracting(FileEvent::sequence).isSorted();
        }
    }
}
