package io.github.fsmon.internal.core;

import io.github.fsmon.EventKind;
import io.github.fsmon.FileEvent;
import io.github.fsmon.FileMonitorClosedException;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The bounded queue between the I/O thread and the listeners. One drain task at a time runs on the
 * listener executor, so events reach listeners one by one and in order whatever the executor.
 *
 * <p>Only the I/O thread offers; any thread may close.
 */
final class Dispatcher {
    private static final int BATCH = 512;

    private final Executor executor;
    private final ExecutorService ownExecutor;
    private final int capacity;
    private final Reporter reporter;
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private int events;
    private Runnable onRoom;
    private boolean scheduled;
    private boolean closed;
    private Thread delivering;

    /** Where listener failures go. */
    interface Reporter {
        void listenerFailed(WatchImpl watch, Throwable error);
    }

    Dispatcher(Executor executor, int capacity, Reporter reporter) {
        if (executor == null) {
            ownExecutor = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "fsmon-dispatch");
                t.setDaemon(true);
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
    synchronized void whenRoomForRecovery(Runnable action) {
        if (closed || events <= capacity / 2) {
            action.run();
        } else {
            onRoom = action;
        }
    }

    /** Queues an event; {@code false} when the queue is full and the event was dropped. */
    synchronized boolean offer(FileEvent event) {
        if (closed) {
            return true;
        }
        if (events >= capacity) {
            return false;
        }
        events++;
        queue.add(event);
        schedule();
        return true;
    }

    /** Queues an event whatever the capacity: overflow notices, which are bounded by the number of watches. */
    synchronized void offerForced(FileEvent event) {
        if (!closed) {
            queue.add(event);
            schedule();
        }
    }

    /** Queues a barrier: {@code done} completes when everything queued before it has been delivered. */
    synchronized void offerBarrier(CompletableFuture<Void> done) {
        if (closed) {
            done.completeExceptionally(new FileMonitorClosedException());
            return;
        }
        queue.add(done);
        schedule();
    }

    private void schedule() {
        if (!scheduled) {
            scheduled = true;
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException e) {
                scheduled = false;
                reporter.listenerFailed(null, e);
            }
        }
    }

    private void drain() {
        for (int i = 0; i < BATCH; i++) {
            Object item;
            synchronized (this) {
                item = closed ? null : queue.poll();
                if (item == null) {
                    scheduled = false;
                    delivering = null;
                    notifyAll();
                    return;
                }
                Runnable wake = null;
                if (item instanceof FileEvent) {
                    events--;
                    if (onRoom != null && events <= capacity / 2) {
                        wake = onRoom;
                        onRoom = null;
                    }
                }
                if (wake != null) {
                    wake.run();
                }
                delivering = Thread.currentThread();
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
        try {
            executor.execute(this::drain);
        } catch (RejectedExecutionException e) {
            synchronized (this) {
                scheduled = false;
            }
            reporter.listenerFailed(null, e);
        }
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
        boolean onDispatchThread;
        synchronized (this) {
            if (!closed) {
                closed = true;
                for (Object item : queue) {
                    if (item instanceof CompletableFuture<?> f) {
                        ((CompletableFuture<Void>) f).completeExceptionally(new FileMonitorClosedException());
                    }
                }
                queue.clear();
                events = 0;
            }
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
            }
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
