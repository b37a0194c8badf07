package io.github.fsmon.internal.core;

import io.github.fsmon.EventKind;
import io.github.fsmon.FileEvent;
import io.github.fsmon.FileMonitorClosedException;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The bounded queue between the I/O thread and the listeners. One drain task at a time runs on the
 * listener executor, so events reach listeners one by one and in order whatever the executor.
 *
 * <p>Only the I/O thread offers; any thread may close. Nothing foreign runs under this object's lock: not
 * the executor, not a listener, not the backend's wake-up, not what waits on a completed barrier.
 *
 * <p>An executor that refuses the drain task (shut down, saturated), or that has terminated with it still
 * queued, means nothing more can be delivered: the dispatcher then closes, fails its barriers and tells
 * the {@link Reporter}, so that the monitor closes with the cause instead of losing events in silence.
 */
final class Dispatcher {
    private static final int BATCH = 512;

    private final Executor executor;
    private final ExecutorService ownExecutor;
    /** The threads of {@link #ownExecutor}: terminated executors may still have a thread on its way out. */
    private final List<Thread> ownThreads = new CopyOnWriteArrayList<>();
    private final int capacity;
    private final Reporter reporter;
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private int events;
    private Runnable onRoom;
    private boolean scheduled;
    private boolean closed;
    /** Why delivery became impossible, or {@code null}. */
    private Throwable failure;
    /** The thread inside a listener call (or completing a barrier), or {@code null}. */
    private volatile Thread delivering;

    /** Where listener failures go. */
    interface Reporter {
        void listenerFailed(WatchImpl watch, Throwable error);

        /**
         * Nothing more can be delivered: the executor refused the drain task, or dropped it. Called once,
         * on the thread that found out (the I/O thread or the listener thread), after the dispatcher closed.
         */
        void deliveryFailed(Throwable cause);
    }

    Dispatcher(Executor executor, int capacity, Reporter reporter) {
        if (executor == null) {
            ownExecutor = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "fsmon-dispatch");
                t.setDaemon(true);
                ownThreads.add(t);
                return t;
            });
            this.executor = ownExecutor;
        } else {
            ownExecutor = null;
            this.executor = executor;
        }
        this.capacity = capacity;
        this.reporter = reporter;
    }

    /** Whether an event offered now would be accepted. Only the I/O thread offers, so the answer holds. */
    synchronized boolean hasRoom() {
        return closed || events < capacity;
    }

    /** Whether at least half the queue is free: the moment to start a recovery that will produce events. */
    synchronized boolean hasRoomForRecovery() {
        return closed || events <= capacity / 2;
    }

    /** Runs {@code action} once, on the listener thread, when the queue has drained to half. */
    void whenRoomForRecovery(Runnable action) {
        synchronized (this) {
            if (!closed && events > capacity / 2) {
                onRoom = action;
                return;
            }
        }
        action.run();
    }

    /** Whether {@code thread} is inside a listener call of this dispatcher. */
    boolean isDelivering(Thread thread) {
        return delivering == thread;
    }

    /** Queues an event; {@code false} when the queue is full and the event was dropped. */
    boolean offer(FileEvent event) {
        boolean start;
        synchronized (this) {
            if (closed) {
                return true;
            }
            if (events >= capacity) {
                start = false;
            } else {
                events++;
                queue.add(event);
                start = claim();
                if (!start) {
                    return true;
                }
            }
        }
        if (start) {
            launch();
            return true;
        }
        checkTaskAlive(); // a full queue is also what a lost drain task looks like
        return false;
    }

    /** Queues an event whatever the capacity: overflow notices, which are bounded by the number of watches. */
    void offerForced(FileEvent event) {
        boolean start;
        synchronized (this) {
            if (closed) {
                return;
            }
            queue.add(event);
            start = claim();
        }
        if (start) {
            launch();
        }
    }

    /** Queues a barrier: {@code done} completes when everything queued before it has been delivered. */
    void offerBarrier(CompletableFuture<Void> done) {
        boolean queued;
        boolean start = false;
        synchronized (this) {
            queued = !closed;
            if (queued) {
                queue.add(done);
                start = claim();
            }
        }
        if (!queued) {
            done.completeExceptionally(closedException());
        } else if (start) {
            launch();
        } else {
            checkTaskAlive(); // a barrier that would never complete is the one thing to avoid
        }
    }

    /** The exception that fails what can no longer be delivered. */
    synchronized FileMonitorClosedException closedException() {
        return failure == null ? new FileMonitorClosedException() : new FileMonitorClosedException(
                "the file monitor closed: its listener executor did not run fsmon's delivery task", failure);
    }

    /** Marks a drain task as due (under the lock); the caller then launches it after the lock. */
    private boolean claim() {
        if (scheduled) {
            return false;
        }
        scheduled = true;
        return true;
    }

    /**
     * A drain task is due but may never run: an executor service that has terminated runs nothing more,
     * so a task still due then was dropped (as {@code shutdownNow()} does with queued tasks). Only a
     * terminated {@link ExecutorService} can be recognised; the check is made when an event is dropped
     * or a barrier queued behind a due task, not for every event.
     */
    private void checkTaskAlive() {
        if (!(executor instanceof ExecutorService service) || service == ownExecutor || !service.isTerminated()) {
            return;
        }
        synchronized (this) {
            // Terminated: no drain task is running or will run, so `scheduled` cannot change meanwhile.
            if (closed || !scheduled) {
                return;
            }
        }
        fail(new RejectedExecutionException(
                "the listener executor terminated with fsmon's delivery task still queued"));
    }

    private void launch() {
        try {
            executor.execute(this::drain);
        } catch (RuntimeException e) { // RejectedExecutionException, or whatever the executor throws
            fail(e);
        }
    }

    /** Delivery is impossible from now on: close, fail the queued barriers, and tell the reporter. */
    @SuppressWarnings("unchecked")
    private void fail(Throwable cause) {
        List<CompletableFuture<Void>> barriers = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            failure = cause;
            for (Object item : queue) {
                if (item instanceof CompletableFuture<?> f) {
                    barriers.add((CompletableFuture<Void>) f);
                }
            }
            queue.clear();
            events = 0;
            onRoom = null;
            notifyAll();
        }
        reporter.deliveryFailed(cause); // first: the monitor's close then precedes what anyone asks after a barrier fails
        FileMonitorClosedException error = closedException();
        barriers.forEach(b -> b.completeExceptionally(error));
    }

    private void drain() {
        for (int i = 0; i < BATCH; i++) {
            Object item;
            Runnable wake = null;
            synchronized (this) {
                item = closed ? null : queue.poll();
                if (item == null) {
                    scheduled = false;
                    delivering = null;
                    notifyAll();
                    return;
                }
                if (item instanceof FileEvent) {
                    events--;
                    if (onRoom != null && events <= capacity / 2) {
                        wake = onRoom;
                        onRoom = null;
                    }
                }
                delivering = Thread.currentThread();
            }
            if (wake != null) {
                wake.run(); // the backend's wake-up: a system call, never under the lock
            }
            deliver(item);
        }
        synchronized (this) {
            delivering = null;
            notifyAll();
            if (closed) {
                scheduled = false;
                return;
            }
        }
        // Let other tasks of a shared executor run; order is kept because `scheduled` stays true.
        launch();
    }

    @SuppressWarnings("unchecked")
    private void deliver(Object item) {
        if (item instanceof FileEvent event) {
            WatchImpl watch = (WatchImpl) event.watch();
            if (watch.isCancelRequested() && event.kind() != EventKind.IGNORED) {
                return;
            }
            try {
                watch.listener().onEvent(event);
            } catch (Throwable t) {
                reporter.listenerFailed(watch, t);
            }
        } else {
            ((CompletableFuture<Void>) item).complete(null);
        }
    }

    /**
     * Stops delivery: drops what is queued, fails queued barriers, waits for a listener call in progress
     * on another thread, and stops the monitor's own thread. After it returns no listener is called.
     */
    @SuppressWarnings("unchecked")
    void close() {
        List<CompletableFuture<Void>> barriers = new ArrayList<>();
        synchronized (this) {
            if (!closed) {
                closed = true;
                for (Object item : queue) {
                    if (item instanceof CompletableFuture<?> f) {
                        barriers.add((CompletableFuture<Void>) f);
                    }
                }
                queue.clear();
                events = 0;
            }
        }
        FileMonitorClosedException error = closedException();
        barriers.forEach(b -> b.completeExceptionally(error)); // runs what waits on them: not under the lock
        boolean onDispatchThread;
        synchronized (this) {
            onDispatchThread = delivering == Thread.currentThread();
            boolean interrupted = false;
            while (delivering != null && !onDispatchThread) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (ownExecutor != null) {
            ownExecutor.shutdown();
            if (!onDispatchThread) {
                awaitTermination(ownExecutor);
                for (Thread t : ownThreads) {
                    join(t);
                }
            }
        }
    }

    private static void join(Thread t) {
        boolean interrupted = false;
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitTermination(ExecutorService executor) {
        boolean interrupted = false;
        while (true) {
            try {
                if (executor.awaitTermination(1, TimeUnit.MINUTES)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
