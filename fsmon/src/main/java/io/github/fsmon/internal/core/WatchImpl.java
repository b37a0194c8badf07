package io.github.fsmon.internal.core;

import io.github.fsmon.FileEventListener;
import io.github.fsmon.Watch;
import io.github.fsmon.WatchOptions;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/** A user watch: the root of a {@link Placement} tree, owned by the engine. */
final class WatchImpl implements Watch {
    private final Engine engine;
    private final Path path;
    private final FileEventListener listener;
    private volatile WatchOptions options;
    private volatile boolean active = true;
    private volatile boolean cancelRequested;
    private CompletableFuture<Void> cancelled; // guarded by this

    // I/O thread only.
    Placement root;
    /** The one-shot event has been produced; the watch ends after the current OS event. */
    boolean oneShotFired;

    WatchImpl(Engine engine, Path path, WatchOptions options, FileEventListener listener) {
        this.engine = engine;
        this.path = path;
        this.options = options;
        this.listener = listener;
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public WatchOptions options() {
        return options;
    }

    void setOptions(WatchOptions options) {
        this.options = options;
    }

    FileEventListener listener() {
        return listener;
    }

    @Override
    public boolean isActive() {
        return active;
    }

    void markEnded() {
        active = false;
        engine.ended(this);
    }

    /** The watch is armed: it is listed by {@link io.github.fsmon.FileMonitor#watches()} until it ends. */
    void markStarted() {
        engine.started(this);
    }

    boolean isCancelRequested() {
        return cancelRequested;
    }

    @Override
    public CompletableFuture<Watch> update(WatchOptions newOptions) {
        if (!newOptions.sameShape(options)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "update may change only the event set and oneShot; cancel and watch again to change " + options
                            + " into " + newOptions));
        }
        return engine.update(this, newOptions);
    }

    @Override
    public CompletableFuture<java.util.Set<java.nio.file.Path>> polledDirectories() {
        return engine.polledDirectories(this);
    }

    @Override
    public CompletableFuture<Void> cancel() {
        synchronized (this) {
            if (cancelled == null) {
                cancelRequested = true;
                // The close ended every watch: cancelling is idempotent, also then.
                cancelled = engine.isClosed() ? CompletableFuture.completedFuture(null) : engine.cancel(this);
            }
            return cancelled;
        }
    }

    @Override
    public String toString() {
        return "Watch[" + path + (active ? "" : ", ended") + "]";
    }
}
