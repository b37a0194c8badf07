package io.github.fsmon.internal.core;

import io.github.fsmon.Backend;
import io.github.fsmon.ErrorHandler;
import io.github.fsmon.FileEventListener;
import io.github.fsmon.FileMonitorClosedException;
import io.github.fsmon.Watch;
import io.github.fsmon.WatchOptions;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Runs the I/O thread: owns the {@link OsWatcher}, takes requests from user threads (watch, cancel,
 * update, ignore, sync, close) through a queue, and feeds the OS events to the {@link WatchTree}, whose
 * events go through the {@link Output} to the {@link Dispatcher}.
 */
final class Engine implements RawEventSink {
    private static final System.Logger LOG = System.getLogger("io.github.fsmon");

    /** A request from a user thread, answered on the I/O thread. */
    private sealed interface Request {
        void fail(Throwable error);
    }

    private record WatchRequest(Path path, WatchOptions options, FileEventListener listener,
                                CompletableFuture<Watch> result) implements Request {
        public void fail(Throwable error) {
            result.completeExceptionally(error);
        }
    }

    private record CancelRequest(WatchImpl watch, CompletableFuture<Void> result) implements Request {
        public void fail(Throwable error) {
            if (error instanceof FileMonitorClosedException) {
                result.complete(null); // the close ended every watch: cancelling is idempotent
            } else {
                result.completeExceptionally(error);
            }
        }
    }

    private record UpdateRequest(WatchImpl watch, WatchOptions options, CompletableFuture<Watch> result)
            implements Request {
        public void fail(Throwable error) {
            result.completeExceptionally(error);
        }
    }

    private record IgnoreRequest(Path path, boolean ignore, CompletableFuture<Void> result) implements Request {
        public void fail(Throwable error) {
            result.complete(null); // a closed monitor delivers nothing anyway
        }
    }

    private record SyncRequest(CompletableFuture<Void> result, boolean whenRead) implements Request {
        public void fail(Throwable error) {
            result.completeExceptionally(error);
        }
    }

    private record PolledRequest(WatchImpl watch, CompletableFuture<java.util.Set<Path>> result) implements Request {
        public void fail(Throwable error) {
            result.complete(java.util.Set.of());
        }
    }

    private record CloseRequest() implements Request {
        public void fail(Throwable error) {
        }
    }

    /** Opens the backend on the I/O thread. */
    interface BackendFactory {
        OsWatcher open() throws IOException;
    }

    private final BackendFactory factory;
    private final String backendReason;
    private final Dispatcher dispatcher;
    private final ErrorHandler errorHandler;
    private final LongSupplier clock;
    private final long movePairingNanos;
    private final Thread thread;
    private final CompletableFuture<OsWatcher> started = new CompletableFuture<>();

    private final Object requestLock = new Object();
    private final ArrayDeque<Request> requests = new ArrayDeque<>(); // guarded by requestLock
    private boolean acceptingRequests = true; // guarded by requestLock
    private volatile OsWatcher os;
    private volatile boolean closed;
    /** The watches that have started and not ended, in the order they started. */
    private final java.util.Set<WatchImpl> live = java.util.Collections.synchronizedSet(new java.util.LinkedHashSet<>());
    /** Run once on the I/O thread as it stops, before delivery stops: wakes listeners that wait (streams). */
    private final List<Runnable> closeHooks = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean hooksRan;

    // I/O thread only.
    private WatchTree tree;
    private Output out;
    private final Map<Long, SyncRequest> barriers = new HashMap<>();
    private long nextBarrier = 1;
    private boolean stop;

    Engine(BackendFactory factory, String backendReason, MonitorConfig config) {
        this.factory = factory;
        this.backendReason = backendReason;
        this.errorHandler = config.errorHandler() != null ? config.errorHandler() : Engine::logError;
        this.clock = config.nanoClock();
        this.movePairingNanos = config.movePairingNanos();
        this.dispatcher = new Dispatcher(config.executor(), config.queueCapacity(), new Dispatcher.Reporter() {
            @Override
            public void listenerFailed(WatchImpl watch, Throwable error) {
                reportError(watch, error);
            }

            @Override
            public void deliveryFailed(Throwable cause) {
                Engine.this.deliveryFailed();
            }
        });
        // A large stack is a safety margin only: tree walks are iterative.
        this.thread = new Thread(null, this::run, "fsmon-io", 4L << 20);
        this.thread.setDaemon(true);
    }

    private static void logError(Watch watch, Throwable error) {
        LOG.log(System.Logger.Level.WARNING, (watch != null ? watch + ": " : "") + error.getMessage(), error);
    }

    /**
     * The listener executor did not run a delivery task: nothing more can be delivered, so the monitor
     * closes itself, with the cause in every future it fails from now on and one report to the handler.
     */
    private void deliveryFailed() {
        closed = true;
        synchronized (requestLock) {
            if (acceptingRequests) {
                // First in line: every request still queued, and every later one, is failed with the cause.
                requests.addFirst(new CloseRequest());
            }
        }
        OsWatcher o = os;
        if (o != null) {
            o.wakeup();
        }
        reportError(null, dispatcher.closedException());
    }

    /** What fails requests once the monitor is closed: says why when it closed itself. */
    private FileMonitorClosedException closedException() {
        return dispatcher.closedException();
    }

    // Waiting for a request's future where only this thread could complete it, or, for a delivery barrier,
    // inside a listener call that the barrier waits for, would never end: refuse it (MonitorFuture).
    private void checkMayWait(boolean barrier) {
        Thread me = Thread.currentThread();
        if (me == thread) {
            throw new IllegalStateException("waiting for a FileMonitor future on the monitor's I/O thread, which is "
                    + "the one thread that completes it (this is a listener run by an executor that runs tasks in "
                    + "the calling thread, an error handler or an exclusion filter): chain the work with "
                    + "thenAccept/whenComplete instead, or give the monitor an executor with its own thread");
        }
        if (barrier && dispatcher.isDelivering(me)) {
            throw new IllegalStateException("waiting for FileMonitor.sync() inside a listener call: the barrier "
                    + "completes only once every event queued before it, and this listener call, is delivered; "
                    + "use sync().thenRun(...) or wait outside the listener");
        }
    }

    private <T> CompletableFuture<T> requestFuture() {
        return new MonitorFuture<>(() -> checkMayWait(false));
    }

    private void reportError(Watch watch, Throwable error) {
        try {
            errorHandler.onError(watch, error);
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "error handler failed", t);
        }
    }

    /** Starts the I/O thread and waits until the backend is open. */
    OsWatcher start() throws IOException {
        thread.start();
        try {
            return started.join();
        } catch (java.util.concurrent.CompletionException e) {
            dispatcher.close();
            joinThread();
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    CompletableFuture<Watch> watch(Path path, WatchOptions options, FileEventListener listener) {
        CompletableFuture<Watch> result = requestFuture();
        submit(new WatchRequest(path, options, listener, result));
        return result;
    }

    CompletableFuture<Void> cancel(WatchImpl watch) {
        CompletableFuture<Void> result = requestFuture();
        submit(new CancelRequest(watch, result));
        return result;
    }

    CompletableFuture<java.util.Set<Path>> polledDirectories(WatchImpl watch) {
        CompletableFuture<java.util.Set<Path>> result = requestFuture();
        submit(new PolledRequest(watch, result));
        return result;
    }

    CompletableFuture<Watch> update(WatchImpl watch, WatchOptions options) {
        CompletableFuture<Watch> result = requestFuture();
        submit(new UpdateRequest(watch, options, result));
        return result;
    }

    /** Blocks until the I/O thread applies it (except on the I/O thread itself, e.g. from an error handler). */
    void ignore(Path path, boolean ignore) {
        CompletableFuture<Void> applied = new CompletableFuture<>();
        submit(new IgnoreRequest(path.toAbsolutePath().normalize(), ignore, applied));
        if (Thread.currentThread() != thread) {
            applied.join();
        }
    }

    CompletableFuture<Void> sync() {
        CompletableFuture<Void> result = new MonitorFuture<>(() -> checkMayWait(true));
        submit(new SyncRequest(result, false));
        return result;
    }

    /**
     * Completes once the I/O thread has read and processed every OS event caused before the call, whether
     * or not the listeners have received them yet. For tests that hold a listener and need the engine, not
     * the listener, to have seen a burst (so that the queue fills deterministically).
     */
    CompletableFuture<Void> readBarrier() {
        CompletableFuture<Void> result = requestFuture();
        submit(new SyncRequest(result, true));
        return result;
    }

    /** Stops the I/O thread (waiting for it), then the dispatcher. Idempotent. */
    void close() {
        closed = true;
        submit(new CloseRequest());
        if (Thread.currentThread() != thread) {
            joinThread();
        }
        dispatcher.close();
    }

    private void joinThread() {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void submit(Request request) {
        boolean accepted;
        synchronized (requestLock) {
            accepted = acceptingRequests;
            if (accepted) {
                requests.add(request);
            }
        }
        if (!accepted) {
            request.fail(closedException()); // runs what waits on the future: not under the lock
            return;
        }
        OsWatcher o = os;
        if (o != null) {
            o.wakeup();
        }
    }

    private void run() {
        try {
            os = factory.open();
        } catch (Throwable t) {
            synchronized (requestLock) {
                acceptingRequests = false;
            }
            started.completeExceptionally(t);
            return;
        }
        out = new Output(dispatcher, os::wakeup);
        tree = new WatchTree(this, os, out, this::reportError, clock, movePairingNanos);

        started.complete(os);
        try {
            while (!stop) {
                processRequests();
                if (stop) {
                    break;
                }
                os.await(tree.nextTimeout(), this);
                if (!os.hasBuffered()) {
                    // A rename's second half may be among the events already read and not yet processed
                    // (a slow batch is no reason to give up on it): time out only once they all are.
                    tree.expirePendingMoves(false);
                }
                tree.retryUnarmed();
                out.finishRecovery(tree::rescanPending);
            }
        } catch (Throwable t) {
            reportError(null, new IOException("fsmon I/O thread failed; the monitor stops", t));
        } finally {
            shutdown();
        }
    }

    private void shutdown() {
        closed = true;
        List<Request> left;
        synchronized (requestLock) {
            acceptingRequests = false;
            left = new ArrayList<>(requests);
            requests.clear();
        }
        runCloseHooks();
        FileMonitorClosedException closed = closedException();
        for (Request r : left) {
            r.fail(closed);
        }
        for (SyncRequest b : barriers.values()) {
            b.result().completeExceptionally(closed);
        }
        barriers.clear();
        out.failHeldBarriers(closed);
        tree.shutdown();
        try {
            os.close();
        } catch (Throwable t) {
            reportError(null, t);
        }
    }

    private void processRequests() {
        while (true) {
            Request r;
            synchronized (requestLock) {
                r = requests.poll();
            }
            if (r == null) {
                return;
            }
            try {
                handle(r);
            } catch (RuntimeException e) {
                r.fail(e);
                reportError(null, e);
            }
            if (stop) {
                return; // what was asked after the close is failed by shutdown()
            }
        }
    }

    private void handle(Request request) {
        switch (request) {
            case WatchRequest r -> tree.addWatch(r.path(), r.options(), r.listener(), r.result());
            case CancelRequest r -> {
                tree.endWatch(r.watch(), true);
                r.result().complete(null);
            }
            case UpdateRequest r -> tree.updateWatch(r.watch(), r.options(), r.result());
            case IgnoreRequest r -> {
                out.setIgnored(r.path(), r.ignore());
                r.result().complete(null);
            }
            case SyncRequest r -> {
                long token = nextBarrier++;
                try {
                    os.barrier(token);
                    barriers.put(token, r);
                } catch (IOException e) {
                    r.result().completeExceptionally(e);
                }
            }
            case PolledRequest r -> r.result().complete(java.util.Collections.unmodifiableSet(tree.polledDirectories(r.watch())));
            case CloseRequest r -> stop = true;
        }
    }

    // I/O thread only.
    @Override
    public void onEvent(int id, int mask, int cookie, String name, boolean lossy) {
        tree.onEvent(id, mask, cookie, name, lossy);
    }

    // I/O thread only.
    @Override
    public void onError(int id, IOException error) {
        tree.onError(id, error);
    }

    // I/O thread only.
    @Override
    public void onBarrier(long token) {
        // The barrier's own event was queued after everything the caller had done, and the kernel queues
        // both halves of a rename before the rename returns: a source still waiting has no partner.
        tree.expirePendingMoves(true);
        // Directories waiting to be armed until those renames were resolved are armed now, so that what
        // they hold is reported before the barrier.
        tree.retryUnarmedNow();
        SyncRequest done = barriers.remove(token);
        if (done != null && done.whenRead()) {
            done.result().complete(null);
        } else if (done != null) {
            out.barrier(done.result());
        }
    }

    Backend backend() {
        return os.kind();
    }

    /** Whether the monitor is closed or closing (asked to close, or closed itself). */
    boolean isClosed() {
        return closed;
    }

    void started(WatchImpl watch) {
        live.add(watch);
    }

    void ended(WatchImpl watch) {
        live.remove(watch);
    }

    /** The watches that have started and neither ended nor been asked to cancel, in start order. */
    List<Watch> watches() {
        if (closed) {
            return List.of();
        }
        List<Watch> result = new ArrayList<>();
        synchronized (live) {
            for (WatchImpl w : live) {
                if (w.isActive() && !w.isCancelRequested()) {
                    result.add(w);
                }
            }
        }
        return java.util.Collections.unmodifiableList(result);
    }

    /**
     * Runs {@code hook} once when the I/O thread stops, before delivery stops (at once if it has already
     * stopped): for listeners that may be waiting, which {@link Dispatcher#close()} would wait for.
     */
    void onClose(Runnable hook) {
        closeHooks.add(hook);
        if (hooksRan && closeHooks.remove(hook)) {
            hook.run();
        }
    }

    void removeCloseHook(Runnable hook) {
        closeHooks.remove(hook);
    }

    private void runCloseHooks() {
        hooksRan = true;
        for (Runnable hook : closeHooks) {
            if (closeHooks.remove(hook)) {
                try {
                    hook.run();
                } catch (RuntimeException e) {
                    reportError(null, e);
                }
            }
        }
    }

    String backendReason() {
        String instead = os == null ? null : os.selectionReason();
        return instead != null ? instead : backendReason;
    }
}
