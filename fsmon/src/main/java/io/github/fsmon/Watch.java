package io.github.fsmon;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * A live watch on a directory tree or a single file, obtained from
 * {@link FileMonitor#watch(Path, WatchOptions, FileEventListener)}.
 *
 * <p>A watch ends when it is cancelled, when its one-shot event fired, when its root is deleted, moved or
 * unmounted, or when the monitor closes. Its last event is always {@link EventKind#IGNORED} (except when
 * the monitor closes, after which nothing is delivered).
 *
 * <p>Every method may be called from a listener. Its futures are completed by the monitor's I/O thread:
 * waiting for one on that thread (a listener run there by an executor such as {@code Runnable::run}, an
 * error handler, an exclusion filter) throws {@link IllegalStateException} at once, since it could never
 * end; see "What a listener may call" in {@link FileMonitor}.
 *
 * <p>A watch is {@link AutoCloseable}: {@link #close()} cancels it, so try-with-resources scopes a watch to
 * a block:
 * <pre>{@code
 * try (Watch watch = monitor.watchAndWait(dir, WatchOptions.defaults(), listener)) {
 *     ...
 * }
 * }</pre>
 */
public interface Watch extends AutoCloseable {

    /**
     * The absolute, normalized path this watch was created with.
     *
     * @return the watched path
     */
    Path path();

    /**
     * The options in force.
     *
     * @return the options, as last updated
     */
    WatchOptions options();

    /**
     * Whether the watch is still delivering events.
     *
     * @return {@code false} once the watch has ended
     */
    boolean isActive();

    /**
     * Replaces the options of this watch. Only the event set and {@link WatchOptions#oneShot()} may
     * change; to change the shape of the tree (recursion, exclusions, symbolic links) cancel and watch
     * again. The future completes once the OS watches carry the new event set, and fails with
     * {@link IllegalArgumentException} for any other change or {@link IllegalStateException} when the watch
     * has ended.
     *
     * <p>Every failure, the refused change of shape too, is reported through the returned future only,
     * never thrown, so that the method behaves the same on every thread: a caller that does not look at
     * the future (with {@code join()}, or {@code whenComplete} on the monitor's threads) does not see it.
     *
     * @param options the new options, of the same shape as {@link #options()}
     * @return completes with this watch once the new options are in force
     */
    CompletableFuture<Watch> update(WatchOptions options);

    /**
     * The directories of this watch that are polled rather than notified by the OS, topmost only (each
     * stands for its whole subtree): those past the OS watch limit, with
     * {@link WatchOptions.Builder#pollPastWatchLimit(boolean)}, and, with {@link Backend#AUTO}, those on a
     * file system that does not notify (NFS, SMB/CIFS, FUSE, 9p, …). Empty when everything is notified or
     * the watch has ended. Completes on the monitor's I/O thread, so it reflects every earlier request.
     *
     * @return completes with the polled directories
     */
    CompletableFuture<java.util.Set<Path>> polledDirectories();

    /**
     * Adds kinds to the event set, like inotify's {@code IN_MASK_ADD}.
     *
     * @param kinds the kinds to add
     * @return as {@link #update(WatchOptions)}
     */
    default CompletableFuture<Watch> addEvents(EventKind... kinds) {
        return update(options().withAddedEvents(kinds));
    }

    /**
     * Ends the watch and releases its OS watches. From the moment this method returns, the listener
     * receives nothing more from this watch but one final {@link EventKind#IGNORED}. Idempotent; safe to
     * call from the listener. The future completes when the OS watches are gone. After the monitor closed
     * (which ended every watch) the future is already complete, normally: cancelling a watch that has
     * ended is not an error.
     *
     * @return completes once the OS watches are gone
     */
    CompletableFuture<Void> cancel();

    /**
     * Cancels the watch, like {@link #cancel()}, without waiting for the OS watches to go: from the moment
     * it returns the listener receives nothing more from this watch but one final
     * {@link EventKind#IGNORED}. Idempotent, never throws, also after the monitor closed, and may be
     * called anywhere, on the monitor's own threads too.
     */
    @Override
    default void close() {
        cancel();
    }
}
