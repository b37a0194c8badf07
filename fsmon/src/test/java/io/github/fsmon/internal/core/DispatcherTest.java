package io.github.fsmon.internal.core;

import io.github.fsmon.EventKind;
import io.github.fsmon.FileEvent;
import io.github.fsmon.FileEventListener;
import io.github.fsmon.FileMonitorClosedException;
import io.github.fsmon.WatchOptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The dispatcher alone, driven step by step: no thread of its own, no file system. */
class DispatcherTest {
    /** An executor whose tasks run when the test says so, on the test's thread. */
    private static final class Manual implements Executor {
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        void runAll() {
            for (Runnable t = tasks.poll(); t != null; t = tasks.poll()) {
                t.run();
            }
        }
    }

    /** Records what the dispatcher reports. */
    private static final class Reports implements Dispatcher.Reporter {
        final List<Throwable> listenerErrors = Collections.synchronizedList(new ArrayList<>());
        final List<Throwable> deliveryFailures = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void listenerFailed(WatchImpl watch, Throwable error) {
            listenerErrors.add(error);
        }

        @Override
        public void deliveryFailed(Throwable cause) {
            deliveryFailures.add(cause);
        }
    }

    private final Reports reports = new Reports();
    private long sequence = 1;

    private FileEvent event(FileEventListener listener) {
        WatchImpl watch = new WatchImpl(null, Path.of("/w"), WatchOptions.defaults(), listener);
        return new FileEvent(EventKind.CREATE, Path.of("/w/f" + sequence), false, 0, null, watch, sequence++, false);
    }

    @Test
    void theWakeUpForRecoveryRunsOutsideTheDispatchersLock() {
        Manual executor = new Manual();
        Dispatcher d = new Dispatcher(executor, 4, reports);
        for (int i = 0; i < 4; i++) {
            assertThat(d.offer(event(e -> { }))).isTrue();
        }
        assertThat(d.hasRoom()).isFalse();
        List<Boolean> lockHeld = new ArrayList<>();
        d.whenRoomForRecovery(() -> lockHeld.add(Thread.holdsLock(d)));
        assertThat(lockHeld).as("not yet: the queue is full").isEmpty();
        executor.runAll(); // the drain reaches half the queue, then runs the wake-up
        assertThat(lockHeld).containsExactly(false);
        d.whenRoomForRecovery(() -> lockHeld.add(Thread.holdsLock(d))); // room already: runs at once
        assertThat(lockHeld).containsExactly(false, false);
    }

    @Test
    void anExecutorThatRunsTasksInTheCallerCallsTheListenerOutsideTheLock() {
        Dispatcher[] d = new Dispatcher[1];
        List<Boolean> lockHeld = new ArrayList<>();
        d[0] = new Dispatcher(Runnable::run, 4, reports);
        d[0].offer(event(e -> lockHeld.add(Thread.holdsLock(d[0]))));
        CompletableFuture<Void> barrier = new CompletableFuture<>();
        barrier.thenRun(() -> lockHeld.add(Thread.holdsLock(d[0])));
        d[0].offerBarrier(barrier);
        assertThat(lockHeld).as("the listener, then what waited on the barrier").containsExactly(false, false);
    }

    @Test
    void whatWaitsOnABarrierFailedByCloseRunsOutsideTheLock() {
        Manual executor = new Manual();
        Dispatcher d = new Dispatcher(executor, 4, reports);
        CompletableFuture<Void> barrier = new CompletableFuture<>();
        List<Boolean> lockHeld = new ArrayList<>();
        barrier.whenComplete((v, e) -> lockHeld.add(Thread.holdsLock(d)));
        d.offerBarrier(barrier);
        d.close();
        assertThat(barrier).isCompletedExceptionally();
        assertThat(lockHeld).containsExactly(false);
    }

    @Test
    void anExecutorThatRefusesTheDrainTaskClosesTheDispatcherAndFailsItsBarriersWithTheCause() {
        RejectedExecutionException refusal = new RejectedExecutionException("shut down");
        boolean[] refuse = {false};
        Manual manual = new Manual();
        Dispatcher d = new Dispatcher(task -> {
            if (refuse[0]) {
                throw refusal;
            }
            manual.execute(task);
        }, 4, reports);
        List<FileEvent> delivered = new ArrayList<>();
        d.offer(event(delivered::add));
        manual.runAll();
        assertThat(delivered).hasSize(1);

        refuse[0] = true;
        CompletableFuture<Void> barrier = new CompletableFuture<>();
        d.offer(event(delivered::add));
        assertThat(reports.deliveryFailures).containsExactly(refusal);
        d.offerBarrier(barrier);
        assertThat(barrier).isCompletedExceptionally();
        assertThatThrownBy(barrier::join).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(FileMonitorClosedException.class).hasCause(refusal);
        assertThat(reports.deliveryFailures).as("reported once").containsExactly(refusal);
        assertThat(reports.listenerErrors).as("not a listener's failure").isEmpty();
        assertThat(delivered).hasSize(1);
    }

    @Test
    void aDrainTaskDroppedByShutdownNowIsFoundOnceTheExecutorHasTerminated() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        CompletableFuture<Void> holding = new CompletableFuture<>();
        CompletableFuture<Void> release = new CompletableFuture<>();
        executor.execute(() -> {
            holding.complete(null);
            try {
                release.get();
            } catch (Exception e) {
                // interrupted by shutdownNow: done
            }
        });
        holding.get(30, TimeUnit.SECONDS);
        Dispatcher d = new Dispatcher(executor, 4, reports);
        d.offer(event(e -> { })); // its drain task waits behind the task above
        assertThat(executor.shutdownNow()).as("the drain task, never started").hasSize(1);
        assertThat(executor.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        assertThat(reports.deliveryFailures).isEmpty();
        CompletableFuture<Void> barrier = new CompletableFuture<>();
        d.offerBarrier(barrier);
        assertThat(barrier).isCompletedExceptionally();
        assertThat(reports.deliveryFailures).singleElement()
                .isInstanceOf(RejectedExecutionException.class);
    }
}
