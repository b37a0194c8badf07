package io.github.fsmon;

import io.github.fsmon.internal.core.MonitorConfig;
import io.github.fsmon.internal.core.Monitors;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Watches directory trees and files and delivers every change, in order, to listeners.
 *
 * <pre>{@code
 * try (FileMonitor monitor = FileMonitor.create()) {
 *     Watch watch = monitor.watch(Path.of("src"), WatchOptions.recursiveDefaults(),
 *             event -> System.out.println(event.maskNames() + " " + event.path())).join();
 *     ...
 * }
 * }</pre>
 *
 * <h2>Threads and order</h2>
 * One I/O thread owns every OS handle; it reads the OS events, keeps the tree of watched directories,
 * pairs renames and produces {@link FileEvent}s into a bounded queue. Listeners run on the listener
 * executor (by default one daemon thread), one event at a time, in {@link FileEvent#sequence()} order,
 * across all watches of the monitor. When the queue is full, events are dropped and an
 * {@link EventKind#OVERFLOW} event is delivered in their place, never an exception.
 *
 * <h2>What a listener may call</h2>
 * Every method of the monitor and of {@link Watch} returns without waiting for the I/O thread (except
 * {@link #ignore(Path)} and {@link #unignore(Path)}, see there), so each may be called from a listener, an
 * {@link ErrorHandler} or an exclusion filter. Waiting for a returned future ({@code get}, {@code join},
 * also of stages derived from it) is a different matter:
 * <ul>
 * <li>Inside a listener call, waiting for {@link #sync()} can never end: the barrier completes once
 * everything queued before it, this listener call included, has been delivered. It throws
 * {@link IllegalStateException} at once; use {@code sync().thenRun(...)} there.</li>
 * <li>On the monitor's I/O thread, waiting for any of its futures can never end, since that thread
 * completes them all: it throws {@link IllegalStateException} at once. The I/O thread runs exclusion
 * filters and most {@link ErrorHandler} calls, and, with an executor that runs tasks in the calling
 * thread (such as {@code Runnable::run}), the listeners too. Chain with {@code thenAccept} or
 * {@code whenComplete} instead.</li>
 * <li>Anywhere else, on the default listener thread too, waiting for {@link #watch}, {@link Watch#cancel()},
 * {@link Watch#update} or {@link Watch#polledDirectories()} is fine: the I/O thread answers while the
 * listener waits (meanwhile events queue up, and overflow if the queue fills).</li>
 * </ul>
 * {@link #close()} may be called anywhere.
 *
 * <h2>Overflow and recovery</h2>
 * When events are lost, because the kernel queue overflowed or because listeners fell behind and
 * fsmon's own bounded queue filled up, each affected watch receives {@link EventKind#OVERFLOW}, then
 * synthetic events for the real differences, then {@link EventKind#RECOVERED}. After a kernel overflow
 * the engine rescans every watched directory and compares it with what it remembers (names, type, size,
 * modification time, file identity); after its own queue filled, it reports, directory by directory, the
 * difference between what the listener was last told and what the engine knows. A consumer that applies
 * every event, synthetic ones included, ends with the true state of the tree. Files whose size and time
 * were not known (created since the last scan) get a conservative synthetic {@code MODIFY}.
 *
 * <h2>New directories</h2>
 * A directory that appears inside a recursive watch (created, or moved in from outside) is armed first
 * and then scanned; every entry found that was not already reported live is reported as a synthetic
 * {@code CREATE}, recursively. Every entry gets exactly one {@code CREATE}; an entry created and deleted
 * before the scan saw it gets neither a {@code CREATE} nor a {@code DELETE}.
 *
 * <h2>Renames</h2>
 * A rename inside the watched set gives a {@code MOVED_FROM} and then a {@code MOVED_TO} with the same
 * {@link FileEvent#cookie()}; the {@code MOVED_TO} carries {@link FileEvent#movedFrom()}. A rename out of
 * the watched set gives a {@code MOVED_FROM} alone; a rename into it gives a {@code MOVED_TO} whose
 * {@code movedFrom} is {@code null}. Each half is delivered as soon as it is read. When a directory is
 * renamed away, its watches are kept until the other half arrives, or, if it does not arrive within the
 * pairing timeout ({@link Builder#movePairingTimeout}, 25 ms by default; on Linux the kernel queues both
 * halves back to back, so the wait is only hit by moves out of the tree), until the timeout: then the
 * directory has left the tree, its watches are removed and nothing more is reported from it.
 *
 * <h2>Linux (inotify)</h2>
 * <ul>
 * <li>One inotify watch per watched directory, counted against {@code fs.inotify.max_user_watches}; a
 * {@link WatchLimitException} names the setting and how to raise it.</li>
 * <li>The kernel queue holds {@code fs.inotify.max_queued_events} events; beyond that an
 * {@link EventKind#OVERFLOW} event is delivered.</li>
 * <li>Identical consecutive events (same kind, same name) may be merged by the kernel into one.</li>
 * <li>A directory reached through two paths (bind mounts, followed symbolic links) is one inotify watch;
 * events are reported under every watched path that leads to it.</li>
 * <li>Names are bytes, not necessarily valid UTF-8. Every event's path has the entry's exact bytes, with
 * every backend, also once the entry is gone (the path of a {@code DELETE}): it equals the JDK's own
 * {@link Path} for that entry from a directory listing and opens it, while its {@code toString()} shows
 * the JDK's decoding, with U+FFFD for bytes that do not decode. Two names that differ only in such bytes
 * are two entries. Directories with such names, at any depth (the watched path too), are watched like
 * any other.</li>
 * <li>A directory inside a recursive watch that cannot be watched (for a reason other than having been
 * deleted or replaced meanwhile, which is decided by looking at it) is reported to the
 * {@link ErrorHandler}; the rest of the tree is watched.</li>
 * <li>Directories whose path exceeds {@code PATH_MAX} (4096 bytes) cannot be watched by inotify; they are
 * reported to the {@link ErrorHandler} and the rest of the tree is watched.</li>
 * </ul>
 */
public interface FileMonitor extends AutoCloseable {

    /**
     * A monitor with the default settings ({@link Backend#AUTO}, one daemon listener thread).
     *
     * @return the new monitor, to close when done
     * @throws IOException as {@link Builder#build()}
     */
    static FileMonitor create() throws IOException {
        return builder().build();
    }

    /**
     * A builder for a monitor with other settings.
     *
     * @return a builder with the defaults
     */
    static Builder builder() {
        return new Builder();
    }

    /**
     * Starts watching {@code path}, a directory (optionally recursively) or a single file.
     *
     * <p>The future completes exactly once: with the {@link Watch} once the OS watches are armed (for a
     * recursive watch, on the whole tree), so every change made after completion is reported; or
     * exceptionally with {@link java.nio.file.NoSuchFileException}, {@link java.nio.file.NotDirectoryException}
     * (with {@link WatchOptions#onlyDir()}), {@link java.nio.file.AccessDeniedException},
     * {@link WatchLimitException}, {@link java.nio.file.FileSystemLoopException} or another
     * {@link java.nio.file.FileSystemException}, or {@link FileMonitorClosedException}.
     *
     * <p>Watching a single regular file reports {@code MODIFY}, {@code ATTRIB}, {@code CLOSE_WRITE},
     * {@code DELETE_SELF}, {@code MOVE_SELF} and so on with the file's path. The watch follows the file
     * (its inode), not the name: an editor that saves by writing a new file and renaming it over the old
     * one ends the watch ({@code ATTRIB}/{@code DELETE_SELF} of the old file, then {@code IGNORED}), and
     * later saves are not seen. To follow a name across such saves, watch its parent directory and filter
     * by name.
     *
     * @param path     the directory or file to watch
     * @param options  what to watch
     * @param listener receives the events
     * @return completes with the watch once it is armed, or with the failure
     */
    CompletableFuture<Watch> watch(Path path, WatchOptions options, FileEventListener listener);

    /**
     * {@link #watch(Path, WatchOptions, FileEventListener)} with {@link WatchOptions#defaults()}.
     *
     * @param path     the directory or file to watch
     * @param listener receives the events
     * @return as {@link #watch(Path, WatchOptions, FileEventListener)}
     */
    default CompletableFuture<Watch> watch(Path path, FileEventListener listener) {
        return watch(path, WatchOptions.defaults(), listener);
    }

    /**
     * {@link #watch(Path, WatchOptions, FileEventListener)}, waiting until the watch is armed and throwing
     * its typed failure directly instead of wrapped in a {@link java.util.concurrent.CompletionException}:
     * <pre>{@code
     * try {
     *     Watch watch = monitor.watchAndWait(dir, WatchOptions.recursiveDefaults(), listener);
     * } catch (NoSuchFileException e) {
     *     ...
     * }
     * }</pre>
     * The wait depends on the I/O thread only, never on listeners, and is not interruptible (like
     * {@link CompletableFuture#join()}). Like waiting for any of the monitor's futures, it is refused on
     * the monitor's I/O thread (see "What a listener may call").
     *
     * @param path     the directory or file to watch
     * @param options  what to watch
     * @param listener receives the events
     * @return the armed watch
     * @throws IOException                 {@link java.nio.file.NoSuchFileException},
     *                                     {@link java.nio.file.NotDirectoryException},
     *                                     {@link java.nio.file.AccessDeniedException}, {@link WatchLimitException},
     *                                     {@link java.nio.file.FileSystemLoopException} or another
     *                                     {@link java.nio.file.FileSystemException}, as the future of
     *                                     {@code watch} would fail
     * @throws FileMonitorClosedException  if the monitor is closed
     * @throws IllegalStateException       if called on the monitor's I/O thread
     */
    default Watch watchAndWait(Path path, WatchOptions options, FileEventListener listener) throws IOException {
        try {
            return watch(path, options, listener).join();
        } catch (java.util.concurrent.CompletionException e) {
            switch (e.getCause()) {
                case IOException io -> throw io;
                case RuntimeException r -> throw r;
                case Error err -> throw err;
                case null, default -> throw e;
            }
        }
    }

    /**
     * {@link #watchAndWait(Path, WatchOptions, FileEventListener)} with {@link WatchOptions#defaults()}.
     *
     * @param path     the directory or file to watch
     * @param listener receives the events
     * @return the armed watch
     * @throws IOException as {@link #watchAndWait(Path, WatchOptions, FileEventListener)}
     */
    default Watch watchAndWait(Path path, FileEventListener listener) throws IOException {
        return watchAndWait(path, WatchOptions.defaults(), listener);
    }

    /**
     * Watches {@code path} and returns its events as a blocking {@link EventStream} (the pull style),
     * waiting until the watch is armed, like {@link #watchAndWait(Path, WatchOptions, FileEventListener)}.
     * The stream is a listener of this monitor: a consumer that does not take holds delivery, so the
     * monitor's bounded queue fills and overflows with {@link EventKind#OVERFLOW} and then
     * {@link EventKind#RECOVERED}, as documented in "Overflow and recovery"; see {@link EventStream}.
     *
     * @param path    the directory or file to watch
     * @param options what to watch
     * @return the stream, to close when done (closing it cancels the watch)
     * @throws IOException                as {@link #watchAndWait(Path, WatchOptions, FileEventListener)}
     * @throws FileMonitorClosedException if the monitor is closed
     */
    EventStream stream(Path path, WatchOptions options) throws IOException;

    /**
     * The watches that are active, in the order they were armed: those whose future completed and that
     * have neither ended nor been cancelled ({@link Watch#cancel()} removes a watch from the list when it
     * returns). Empty once the monitor is closed. A snapshot: it does not change afterwards.
     *
     * @return an unmodifiable list of the active watches
     */
    java.util.List<Watch> watches();

    /**
     * Whether the monitor is closed: {@link #close()} was called, or the monitor closed itself because its
     * listener executor refused to deliver (see {@link Builder#executor(Executor)}). Once {@code true},
     * new requests fail with {@link FileMonitorClosedException}.
     *
     * @return {@code true} once the monitor is closed or closing
     */
    boolean isClosed();

    /**
     * Stops delivering events for {@code path} and everything below it, in every watch, until
     * {@link #unignore(Path)}. The directories stay watched, so delivery resumes without a gap in
     * watching. When this method returns the I/O thread applies it: no event of a change made afterwards
     * is delivered (nor any event it had not yet read). A rename out of an ignored path into a visible one
     * is reported as a move in ({@code MOVED_TO} without {@code movedFrom}, then the contents as
     * synthetic {@code CREATE}s); a rename into an ignored path as a move out.
     *
     * <p>Called on the I/O thread (from an exclusion filter, an error handler, or a listener run there by
     * an executor such as {@code Runnable::run}) it cannot wait: it returns at once, and applies once the
     * OS events already read have been processed.
     *
     * @param path the path to stop reporting, with everything below it
     */
    void ignore(Path path);

    /**
     * Undoes {@link #ignore(Path)}.
     *
     * @param path a path given to {@link #ignore(Path)}
     */
    void unignore(Path path);

    /**
     * A delivery barrier: the future completes once every event caused by file-system operations that
     * finished before this call has been delivered to the listeners (or dropped with an
     * {@code OVERFLOW}). It creates nothing in any file system: on Linux it writes one byte to one of
     * two private pipes that are watched on the same inotify queue as the user's watches, whose order is
     * first in, first out.
     *
     * <p>Inside a listener call, the barrier completes only after that call returns: waiting for it there
     * throws {@link IllegalStateException} at once (chain with {@code thenRun} instead), as does waiting
     * for it on the I/O thread. If the listener executor stops running the monitor's tasks, the future
     * fails with a {@link FileMonitorClosedException} whose cause says why.
     *
     * @return completes once everything before the call has been delivered
     */
    CompletableFuture<Void> sync();

    /**
     * The backend in use (never {@link Backend#AUTO}).
     *
     * @return the backend
     */
    Backend backend();

    /**
     * Why {@link #backend()} is the one in use, in one sentence: asked for by name, or what
     * {@link Backend#AUTO} found (for example that the JVM refused native access).
     *
     * @return the reason, one sentence
     */
    String backendReason();

    /**
     * Stops all watches, releases every OS handle and native buffer, fails pending futures with
     * {@link FileMonitorClosedException} and waits for the I/O and listener threads to exit. No listener
     * is called after it returns (when called from a listener, that listener's own call finishes first).
     * Idempotent.
     */
    @Override
    void close();

    /** Builds a {@link FileMonitor}. */
    final class Builder {
        private Backend backend = Backend.AUTO;
        private Executor executor;
        private int queueCapacity = 65536;
        private ErrorHandler errorHandler;
        private Duration movePairingTimeout = Duration.ofMillis(25);
        private Duration pollInterval = Duration.ofSeconds(1);

        private Builder() {
        }

        /**
         * The backend; {@link Backend#AUTO} by default.
         *
         * @param backend the value
         * @return this builder
         */
        public Builder backend(Backend backend) {
            this.backend = Objects.requireNonNull(backend);
            return this;
        }

        /**
         * The executor listeners run on. Events are still delivered one at a time and in order whatever
         * the executor. Default: one daemon thread, owned and shut down by the monitor.
         *
         * <p>The executor must run every task it accepts, as long as the monitor is open: close the monitor
         * before shutting the executor down. When it refuses a task (a {@code RejectedExecutionException},
         * for example once shut down), or, being an {@link java.util.concurrent.ExecutorService}, has
         * terminated with one still queued (after {@code shutdownNow()}), nothing more can be delivered:
         * the monitor then closes itself, reports a {@link FileMonitorClosedException} whose cause says why
         * to the {@link ErrorHandler}, and fails pending and later futures with it. An executor that runs
         * tasks in the calling thread ({@code Runnable::run}) runs the listeners on the I/O thread, where
         * waiting for the monitor's futures is refused (see "What a listener may call").
         *
         * @param executor the value
         * @return this builder
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor);
            return this;
        }

        /**
         * How many events may wait for the listeners before the monitor overflows (default 65536).
         *
         * @param capacity the value
         * @return this builder
         */
        public Builder queueCapacity(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("capacity must be positive");
            }
            this.queueCapacity = capacity;
            return this;
        }

        /**
         * Where errors that belong to no future go; by default they are logged.
         *
         * @param handler the value
         * @return this builder
         */
        public Builder errorHandler(ErrorHandler handler) {
            this.errorHandler = Objects.requireNonNull(handler);
            return this;
        }

        /**
         * How long a directory renamed away keeps its watches while waiting for the other half (25 ms).
         *
         * @param timeout the value
         * @return this builder
         */
        public Builder movePairingTimeout(Duration timeout) {
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("negative timeout");
            }
            this.movePairingTimeout = timeout;
            return this;
        }

        /**
         * How often {@link Backend#POLL} scans the watched trees (1 s by default; sub-second allowed).
         *
         * @param interval the value
         * @return this builder
         */
        public Builder pollInterval(Duration interval) {
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("the poll interval must be positive");
            }
            this.pollInterval = interval;
            return this;
        }

        /**
         * Creates the monitor and starts its I/O thread.
         *
         * @return the new monitor, its I/O thread started
         * @throws UnsupportedOperationException if the backend is not available here
         * @throws WatchLimitException if the OS refuses another instance ({@code fs.inotify.max_user_instances})
         * @throws IOException if the OS refuses for another reason
         */
        public FileMonitor build() throws IOException {
            return Monitors.create(new MonitorConfig(backend, executor, queueCapacity, errorHandler,
                    movePairingTimeout.toNanos(), System::nanoTime, pollInterval.toNanos()));
        }
    }
}
