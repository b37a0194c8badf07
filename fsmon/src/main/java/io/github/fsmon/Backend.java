package io.github.fsmon;

/**
 * The OS mechanism a {@link FileMonitor} uses. {@link FileMonitor#backend()} tells which one was chosen.
 */
public enum Backend {
    /**
     * The best backend for this OS and JVM: {@link #INOTIFY} on Linux; {@link #JDK} where native access
     * is refused (for example {@code --illegal-native-access=deny}), with one {@code WARNING} log line that
     * says so and names the {@code --enable-native-access} flag, and on an OS without a native fsmon
     * backend. A root on a file system that does not notify (NFS, SMB/CIFS, FUSE, 9p, …) is polled
     * ({@link #POLL}) instead, with a log line that says so.
     */
    AUTO,
    /**
     * Linux inotify(7), called through the Foreign Function &amp; Memory API.
     *
     * <p>Linux limits: each watched directory costs one watch of {@code fs.inotify.max_user_watches}
     * (per user, all processes together); each monitor costs one instance of
     * {@code fs.inotify.max_user_instances}; the kernel queue holds {@code fs.inotify.max_queued_events}
     * events (16384 by default) before it reports {@link EventKind#OVERFLOW}. inotify does not report
     * changes made on another host to a network file system (NFS, SMB), nor most FUSE file systems, nor
     * changes through {@code /proc} and {@code /sys}.
     */
    INOTIFY,
    /**
     * Portable polling: every interval ({@link FileMonitor.Builder#pollInterval}, 1 s by default) each
     * watched directory is listed and compared with what was remembered (type, size, modification and
     * change time, file key). Works where the OS does not notify (network and FUSE file systems, some
     * container mounts). Renames are paired by file key, within and across watched directories. It sees
     * only what differs between two scans: a change undone in between is not reported, several writes
     * are one {@code MODIFY}, and there are no {@code ACCESS}, {@code OPEN} or {@code CLOSE_*} events.
     * {@link FileMonitor#sync()} scans at once. CPU and I/O grow with the size of the watched trees.
     */
    POLL,
    /**
     * The JDK's own {@link java.nio.file.WatchService}, one registration per watched directory. It needs
     * no native access from fsmon, so {@link #AUTO} uses it where the JVM refuses native access and on an
     * OS without a native fsmon backend. What it cannot give, because the JDK does not report it: rename
     * cookies from the OS (a delete and a create of the same file key read together are paired into
     * {@code MOVED_FROM}/{@code MOVED_TO}; halves read apart stay a delete and a create), {@code ACCESS},
     * {@code OPEN}, {@code CLOSE_*} and {@code MOVE_SELF} events; content and attribute changes are both
     * {@code MODIFY} (no {@code ATTRIB}). It raises
     * {@code jdk.nio.file.WatchService.maxEventsPerPoll} to 65536 unless already set (the JDK reads it once
     * per JVM). On Linux the JDK itself uses inotify, with inotify's limits; on macOS it polls (every 10 s
     * by default); on Windows it uses ReadDirectoryChangesW. {@link FileMonitor#sync()} creates and deletes
     * one file in a private temporary directory, because the JDK has no other way to flush.
     */
    JDK;

    /** Whether this backend can run in this JVM on this OS. */
    public boolean isAvailable() {
        return io.github.fsmon.internal.core.Backends.isAvailable(this);
    }

    /**
     * One sentence for people: why this backend can or cannot run here (for {@link #AUTO}: which backend
     * it selects and why), e.g. {@code "not available: the JVM refuses native access; run java with
     * --enable-native-access=ALL-UNNAMED"}.
     */
    public String availability() {
        return io.github.fsmon.internal.core.Backends.availability(this);
    }
}
