package io.github.fsmon;

import io.github.fsmon.testing.Leaks;
import io.github.fsmon.testing.Recorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The monitor's life: close, listeners that throw or close, watch/cancel cycles, bursts, odd names. */
class MonitorLifecycleTest {
    @TempDir
    Path dir;

    @Test
    void closeIsIdempotentAndLeavesNoDescriptorOrThread() throws Exception {
        Set<String> fdsBefore = Leaks.openFds();
        long threadsBefore = Leaks.fsmonThreads();
        FileMonitor monitor = FileMonitor.create();
        monitor.watch(dir, WatchOptions.recursiveDefaults(), e -> { }).join();
        assertThat(Leaks.fsmonFds()).isPositive();
        assertThat(Leaks.fsmonThreads()).isGreaterThan(threadsBefore);
        monitor.close();
        monitor.close();
        assertThat(Leaks.fsmonThreads()).isEqualTo(threadsBefore);
        assertThat(Leaks.fsmonFds()).isZero();
        assertThat(Leaks.openFds()).isSubsetOf(fdsBefore);
    }

    @Test
    void afterCloseFuturesFailAndNothingIsDelivered() throws Exception {
        Recorder rec = new Recorder();
        FileMonitor monitor = FileMonitor.create();
        monitor.watch(dir, WatchOptions.defaults(), rec).join();
        monitor.close();
        Files.createFile(dir.resolve("late"));
        assertThatThrownBy(() -> monitor.sync().join()).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(FileMonitorClosedException.class);
        assertThatThrownBy(() -> monitor.watch(dir, WatchOptions.defaults(), rec).join())
                .hasCauseInstanceOf(FileMonitorClosedException.class);
        assertThat(rec.events()).extracting(FileEvent::kind).doesNotContain(EventKind.CREATE);
    }

    @Test
    void aListenerThatThrowsGoesToTheErrorHandlerAndDeliveryContinues() throws Exception {
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        Recorder rec = new Recorder();
        try (FileMonitor monitor = FileMonitor.builder().errorHandler((w, e) -> errors.add(e)).build()) {
            monitor.watch(dir, WatchOptions.defaults(), e -> {
                rec.onEvent(e);
                if (e.path().getFileName().toString().equals("boom")) {
                    throw new IllegalStateException("listener failed on purpose");
                }
            }).join();
            Files.createFile(dir.resolve("boom"));
            Files.createFile(dir.resolve("after"));
            rec.settle(monitor);
        }
        assertThat(rec.lines(dir)).containsSubsequence("CREATE boom", "CREATE after");
        assertThat(errors).anySatisfy(e -> assertThat(e).hasMessageContaining("listener failed on purpose"));
    }

    @Test
    void aListenerMayCancelItsWatchAndCloseTheMonitor() throws Exception {
        long threadsBefore = Leaks.fsmonThreads();
        FileMonitor monitor = FileMonitor.create();
        CompletableFuture<Watch> watchRef = new CompletableFuture<>();
        CountDownLatch closed = new CountDownLatch(1);
        List<EventKind> seen = Collections.synchronizedList(new ArrayList<>());
        monitor.watch(dir, WatchOptions.defaults(), e -> {
            seen.add(e.kind());
            if (e.kind() == EventKind.CREATE) {
                watchRef.join().cancel(); // must not wait for the listener thread it is running on
                monitor.close();
                closed.countDown();
            }
        }).thenAccept(watchRef::complete).join();
        Files.createFile(dir.resolve("x"));
        assertThat(closed.await(30, TimeUnit.SECONDS)).as("close() from a listener returned").isTrue();
        monitor.close();
        assertThat(Leaks.fsmonThreads()).isEqualTo(threadsBefore);
        assertThat(watchRef.join().isActive()).isFalse();
        assertThat(seen).startsWith(EventKind.CREATE);
    }

    @Test
    void tenThousandWatchCancelCyclesLeakNothing() throws Exception {
        Files.createDirectories(dir.resolve("a/b"));
        Set<String> fdsBefore = Leaks.openFds();
        try (FileMonitor monitor = FileMonitor.create()) {
            monitor.sync().join(); // the barrier's own watches exist from here on
            long baseline = Leaks.inotifyWatches();
            for (int i = 0; i < 10_000; i++) {
                Watch w = monitor.watch(dir, WatchOptions.recursiveDefaults(), e -> { }).join();
                w.cancel().join();
            }
            assertThat(Leaks.inotifyWatches()).isEqualTo(baseline);
            Recorder rec = new Recorder();
            monitor.watch(dir, WatchOptions.recursiveDefaults(), rec).join();
            Files.createFile(dir.resolve("a/b/still-works"));
            rec.settle(monitor);
            assertThat(rec.lines(dir)).contains("CREATE a/b/still-works");
        }
        assertThat(Leaks.openFds()).isSubsetOf(fdsBefore);
    }

    @Test
    void twentyThousandCreatesAreAllReportedOrOverflowedAndRecovered() throws Exception {
        Recorder rec = new Recorder();
        int n = 20_000;
        try (FileMonitor monitor = FileMonitor.create()) {
            monitor.watch(dir, WatchOptions.defaults(), rec).join();
            for (int i = 0; i < n; i++) {
                Files.createFile(dir.resolve("f" + i));
            }
            rec.settle(monitor);
        }
        List<FileEvent> events = rec.events();
        Set<Path> created = new HashSet<>();
        long creates = 0;
        for (FileEvent e : events) {
            if (e.kind() == EventKind.CREATE) {
                created.add(e.path());
                creates++;
            }
        }
        boolean overflowed = events.stream().anyMatch(e -> e.kind() == EventKind.OVERFLOW);
        List<Path> missing = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (!created.contains(dir.resolve("f" + i))) {
                missing.add(dir.resolve("f" + i));
            }
        }
        assertThat(missing).as("files never reported as created").isEmpty();
        if (!overflowed) {
            assertThat(creates).isEqualTo(n);
        } else {
            assertThat(events).extracting(FileEvent::kind).contains(EventKind.RECOVERED);
        }
    }

    @Test
    void aNameThatIsNotUtf8IsReportedAsAnOpenablePathAndLosesNoSibling() throws Exception {
        Recorder rec = new Recorder();
        try (FileMonitor monitor = FileMonitor.create()) {
            monitor.watch(dir, WatchOptions.defaults(), rec).join();
            shell("printf x > \"$(printf 'bad\\377name')\" && touch after");
            rec.settle(monitor);
        }
        List<FileEvent> creates = rec.events().stream().filter(e -> e.kind() == EventKind.CREATE).toList();
        assertThat(creates).hasSize(2);
        FileEvent bad = creates.get(0);
        assertThat(bad.path().getFileName().toString()).startsWith("bad").endsWith("name");
        assertThat(Files.readString(bad.path())).isEqualTo("x");
        assertThat(creates.get(1).path()).isEqualTo(dir.resolve("after"));
    }

    @Test
    void pathsNearPathMaxAreWatchedAndLongerOnesAreReportedNotFatal() throws Exception {
        Path deep = dir;
        String segment = "d".repeat(250);
        while (deep.toString().length() + segment.length() + 1 < 3900) {
            deep = deep.resolve(segment);
        }
        Files.createDirectories(deep);
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        Recorder rec = new Recorder();
        try (FileMonitor monitor = FileMonitor.builder().errorHandler((w, e) -> errors.add(e)).build()) {
            monitor.watch(dir, WatchOptions.recursiveDefaults(), rec).join();
            Files.createFile(deep.resolve("near-limit"));
            rec.settle(monitor);
            assertThat(rec.events()).extracting(FileEvent::path).contains(deep.resolve("near-limit"));
            // Two more levels through relative paths: the second one ends past PATH_MAX (4096 bytes).
            StringBuilder script = new StringBuilder();
            for (Path part : dir.relativize(deep)) {
                script.append("cd ").append(part).append(" && "); // one level at a time: no long argument
            }
            shell(script + "mkdir " + segment + " && cd " + segment
                    + " && mkdir " + segment + " && cd " + segment + " && touch f");
            Files.createFile(dir.resolve("sibling"));
            rec.settle(monitor);
        } finally {
            shell("rm -rf " + segment); // rm works below PATH_MAX with relative steps; the JDK's delete does not
        }
        assertThat(rec.events()).extracting(FileEvent::path).contains(dir.resolve("sibling"));
        assertThat(errors).isNotEmpty().allSatisfy(e -> assertThat(e).isInstanceOf(java.nio.file.FileSystemException.class));
    }

    /** Runs {@code script} with {@code bash} in the test directory; paths past PATH_MAX need relative steps. */
    private void shell(String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", script).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("exit status of: " + script + "\n" + output).isZero();
    }
}
