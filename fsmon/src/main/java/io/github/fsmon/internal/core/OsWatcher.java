package io.github.fsmon.internal.core;

import io.github.fsmon.Backend;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The SPI of a per-directory backend (inotify; later polling): one OS watch per directory, events named
 * relative to the watched directory, expressed in inotify's bit language ({@link Masks}).
 *
 * <p>Created, used and closed on the engine's I/O thread only; {@link #wakeup()} is the one method other
 * threads may call.
 */
public interface OsWatcher {

    /** Which backend this is. */
    Backend kind();

    /**
     * Watches {@code path} for the {@code mask} events (adding to any mask the same inode already has).
     * Returns the OS watch id; the same inode reached by another path returns the same id.
     *
     * @param flags {@link Masks#ONLYDIR}, {@link Masks#DONT_FOLLOW}, {@link Masks#SUBTREE}
     * @throws java.nio.file.NoSuchFileException, java.nio.file.NotDirectoryException,
     *         java.nio.file.AccessDeniedException, io.github.fsmon.WatchLimitException,
     *         java.nio.file.FileSystemLoopException, java.nio.file.FileSystemException
     */
    int addWatch(Path path, int mask, int flags) throws IOException;

    /**
     * Removes a watch. The backend later reports {@link Masks#IGNORED} for it, whether this call found the
     * watch alive or the OS had already dropped it.
     */
    void removeWatch(int id);

    /**
     * Waits until OS events are available, {@link #wakeup()} is called, or {@code timeoutNanos} pass
     * ({@code < 0}: no timeout), then reports the events read to {@code sink}.
     */
    void await(long timeoutNanos, RawEventSink sink) throws IOException;

    /** Makes a pending or the next {@link #await} return promptly. Any thread. */
    void wakeup();

    /**
     * Starts a delivery barrier: after every OS event queued before this call, the backend reports
     * {@link RawEventSink#onBarrier(long)} with {@code token}.
     */
    void barrier(long token) throws IOException;

    /** Whether this watch is served by polling rather than by OS notifications ({@link RoutingBackend}). */
    default boolean isPolled(int id) {
        return false;
    }

    /**
     * The engine has listed the directory of watch {@code id} and now remembers these entries (name, and
     * whether it is a directory). A backend that compares snapshots takes them as its baseline, so the
     * next comparison reports every difference from what the engine knows, including an entry that came
     * and went between the backend's own listing and the engine's. Others ignore it.
     */
    default void knownEntries(int id, java.util.Map<String, Boolean> names) {
    }

    /**
     * Why this backend runs, when it stands in for the one that was selected (for example polling when
     * the OS refused another inotify instance); {@code null} when it is the one selected.
     */
    default String selectionReason() {
        return null;
    }

    /**
     * Reads every OS event queued now into the backend's own buffer, without reporting it: later calls
     * of {@link #await} report it, in order, before anything newer. This lets the engine look ahead
     * ({@link #pendingFor}) after it armed or listed a directory, and keeps the OS queue from overflowing
     * with the events of a long scan. A backend without an OS queue does nothing.
     */
    default void drain() throws IOException {
    }

    /**
     * The structural bits ({@link Masks#CREATE}, {@link Masks#MOVED_TO}, {@link Masks#DELETE},
     * {@link Masks#MOVED_FROM}) of the events buffered by {@link #drain} and not reported yet that name
     * {@code name} in watch {@code id}; 0 when there are none, or when the backend has no buffer. For
     * {@code name} empty, the watched directory itself: {@link Masks#DELETE} for its {@code DELETE_SELF},
     * {@link Masks#MOVED_FROM} for its {@code MOVE_SELF}.
     */
    default int pendingFor(int id, String name) {
        return 0;
    }

    /**
     * Whether {@link #drain} reads the OS queue ahead, so that {@link #pendingFor} knows every event
     * that happened before it returned. Without that, the engine cannot tell "gone" from "not yet
     * reported as moved", and does not look again at a directory it could not arm.
     */
    default boolean readsAhead() {
        return false;
    }

    /** Whether events buffered by {@link #drain} wait to be reported. */
    default boolean hasBuffered() {
        return false;
    }

    /**
     * The engine is about to list the directory of watch {@code id} (-1 when it is not armed); the
     * directory is known in its parents' watches as {@code names[i]} in {@code parentIds[i]}. A backend
     * whose OS reports reads (inotify's {@code IN_OPEN}, {@code IN_ACCESS}, {@code IN_CLOSE_NOWRITE})
     * drops the read events of the listing, on the directory and on its parents, so that the engine never
     * reports, nor rescans because of, its own I/O. Followed by {@link #listingEnds()}.
     */
    default void listingStarts(int id, int[] parentIds, String[] names) throws IOException {
    }

    /** The listing announced by {@link #listingStarts} is done. */
    default void listingEnds() throws IOException {
    }

    /** A path the backend uses for itself, whose events must never reach users; or {@code null}. */
    Path privatePath();

    /** Releases every OS resource. Idempotent. */
    void close();
}
