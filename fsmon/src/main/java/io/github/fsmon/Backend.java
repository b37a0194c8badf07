package io.github.fsmon;

/**
 * The OS mechanism a {@link FileMonitor} uses. {@link FileMonitor#backend()} tells which one was chosen.
 */
public enum Backend {
    /**
     * The best backend for this OS and JVM: {@link #INOTIFY} on Linux; {@link #POLL} where native access
     * is refused (for example {@code --illegal-native-access=deny}) or the OS has no native backend yet,
     * with one {@code WARNING} log line that says so and names the {@code --enable-native-access} flag.
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
    POLL;

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
