package io.github.fsmon;

import io.github.fsmon.testing.Recorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a listener may call, on which thread, and what happens when the listener executor goes away.
 * Waits are bounded only as failure timeouts: a wait that would hang must fail at once instead.
 */
class ListenerThreadsTest {
    private static final long TIMEOUT = 30;

    @TempDir
    Path dir;

    /** Runs {@code call} once, in the listener, on the first CREATE of {@code name}; completes with its outcome. */
    private static FileEventListener onFirstCreate(String name, CompletableFuture<Object> outcome, Callable call) {
        return e -> {
            if (e.kind() == EventKind.CREATE && e.path().getFileName().toString().equals(name) && !outcome.isDone()) {
                try {
                    outcome.complete(call.call());
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            }
        };
    }

    private interface Callable {
        Object call() throws Exception;
    }

    @Test
    void waitingForSyncInsideAListenerFailsAtOnceAndTheBarrierCompletesOnceTheListenerReturns() throws Exception {
        try (FileMonitor monitor = FileMonitor.create()) {
            CompletableFuture<Object> outcome = new CompletableFuture<>();
            CompletableFuture<CompletableFuture<Void>> asked = new CompletableFuture<>();
            monitor.watch(dir, WatchOptions.defaults(), onFirstCreate("a", outcome, () -> {
                CompletableFuture<Void> barrier = monitor.sync();
                asked.complete(barrier);
                return barrier.get(TIMEOUT, TimeUnit.SECONDS);
            })).join();
            Files.createFile(dir.resolve("a"));
            assertThat(outcome.get(2 * TIMEOUT, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
                    .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.THROWABLE)
                    .hasMessageContaining("sync()").hasMessageContaining("inside a listener");
            // Not waited for, the same barrier completes: thenRun/whenComplete are the way to use it there.
            asked.join().get(TIMEOUT, TimeUnit.SECONDS);
        }
    }

    @Test
    void onTheDefaultListenerThreadOtherRequestsMayBeWaitedFor() throws Exception {
        Path other = Files.createDirectory(dir.resolve("other"));
        Recorder second = new Recorder();
        try (FileMonitor monitor = FileMonitor.create()) {
            CompletableFuture<Object> outcome = new CompletableFuture<>();
            monitor.watch(dir, WatchOptions.defaults(), onFirstCreate("a", outcome, () -> {
                Watch w = monitor.watch(other, WatchOptions.defaults(), second).get(TIMEOUT, TimeUnit.SECONDS);
                w.polledDirectories().join();
                return w;
            })).join();
            Files.createFile(dir.resolve("a"));
            assertThat(outcome.get(2 * TIMEOUT, TimeUnit.SECONDS)).isInstanceOf(Watch.class);
            Files.createFile(other.resolve("b"));
            second.settle(monitor);
            assertThat(second.lines(other)).contains("CREATE b");
        }
    }

    @Test
    void withAnExecutorThatRunsListenersOnTheIoThreadWaitingFailsAtOnceAndCallbacksWork() throws Exception {
        Path other = Files.createDirectory(dir.resolve("other"));
        Recorder second = new Recorder();
        try (FileMonitor monitor = FileMonitor.builder().executor(Runnable::run).build()) {
            CompletableFuture<Object> watchWaited = new CompletableFuture<>();
            CompletableFuture<Object> syncWaited = new CompletableFuture<>();
            CompletableFuture<Watch> chained = new CompletableFuture<>();
            monitor.watch(dir, WatchOptions.defaults(), e -> {
                onFirstCreate("a", watchWaited, () -> monitor.watch(other, WatchOptions.defaults(), second)
                        .thenApply(w -> chained.complete(w)).get(TIMEOUT, TimeUnit.SECONDS)).onEvent(e);
                onFirstCreate("a", syncWaited, () -> monitor.sync().get(TIMEOUT, TimeUnit.SECONDS)).onEvent(e);
            }).join();
            Files.createFile(dir.resolve("a"));
            assertThat(watchWaited.get(2 * TIMEOUT, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
                    .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.THROWABLE)
                    .hasMessageContaining("I/O thread");
            assertThat(syncWaited.get(2 * TIMEOUT, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class);
            // The request itself went through, and its callback ran.
            Watch w = chained.get(TIMEOUT, TimeUnit.SECONDS);
            assertThat(w.isActive()).isTrue();
            Files.createFile(other.resolve("b"));
            second.settle(monitor);
            assertThat(second.lines(other)).contains("CREATE b");
        }
    }

    @Test
    void aListenerExecutorShutDownWhileTheMonitorRunsClosesTheMonitorWithTheCause() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        Recorder rec = new Recorder();
        FileMonitor monitor = FileMonitor.builder().executor(executor).errorHandler((w, e) -> errors.add(e)).build();
        try {
            Watch watch = monitor.watch(dir, WatchOptions.defaults(), rec).join();
            Files.createFile(dir.resolve("before"));
            rec.settle(monitor);
            executor.shutdown();
            assertThat(executor.awaitTermination(TIMEOUT, TimeUnit.SECONDS)).isTrue();
            Files.createFile(dir.resolve("after"));

            CompletableFuture<Void> sync = monitor.sync();
            assertThatThrownBy(() -> sync.get(TIMEOUT, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(FileMonitorClosedException.class)
                    .hasCauseInstanceOf(RejectedExecutionException.class);
            assertThatThrownBy(() -> monitor.watch(dir, WatchOptions.defaults(), rec).get(TIMEOUT, TimeUnit.SECONDS))
                    .cause().isInstanceOf(FileMonitorClosedException.class)
                    .hasCauseInstanceOf(RejectedExecutionException.class);
            assertThat(errors).as("one report, with the cause").singleElement()
                    .isInstanceOf(FileMonitorClosedException.class)
                    .satisfies(e -> assertThat(e.getCause()).isInstanceOf(RejectedExecutionException.class));
            monitor.close();
            assertThat(watch.isActive()).isFalse();
            assertThat(rec.lines(dir)).containsExactly("CREATE before", "CLOSE_WRITE before");
        } finally {
            monitor.close();
        }
    }
}
