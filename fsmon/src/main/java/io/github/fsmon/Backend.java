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
     * ({@link #POLL}) instead, with a log line that says so. When Linux refuses another inotify instance
     * ({@code fs.inotify.max_user_instances}), the whole monitor polls, with one {@code WARNING} per JVM
     * (per limit and value) naming the setting, its value and the instances in use, where {@link #INOTIFY}
     * asked for by name fails with {@link WatchLimitException}.
     * {@link FileMonitor#backendReason()} says which of these happened.
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
     * watched directory is listed and compared with what was remembered: type, size, modification time
     * (full precision, compared for equality, so a time set back is seen too) and file key (device and
     * inode), plus the change time (ctime) for watches that ask for {@link EventKind#ATTRIB}. Works where
     * the OS does not notify (network and FUSE file systems, some container mounts).
     *
     * <p>What it reports: {@code CREATE}, {@code DELETE}, {@code MODIFY} (size or modification time
     * changed), {@code ATTRIB} (only the ctime changed: mode, owner, link count, extended attributes),
     * {@code MOVED_FROM}/{@code MOVED_TO} with one cookie for a file key that left one name and arrived at
     * another, within and across watched directories, {@code MOVE_SELF}, {@code DELETE_SELF}. A name whose
     * file key changed was replaced: {@code DELETE} then {@code CREATE}, even when size and time match.
     * Contents are not read unless a watch asks for it ({@link WatchOptions.Builder#compareContent}).
     *
     * <p>What it cannot see: a change undone between two scans; how many changes happened (several writes
     * are one {@code MODIFY}, and a file created and written is one {@code CREATE}); an entry created and
     * deleted between two scans; {@code ACCESS}, {@code OPEN}, {@code CLOSE_*}. One scan reports the
     * differences directory by directory, so events of different directories are not in the order of
     * the operations. A scan is not atomic: when it sees a watched directory appear at a second place
     * without having seen it leave the first (it was renamed while the tree was being listed), it asks
     * for the engine's rescan ({@code OVERFLOW}, the real differences, {@code RECOVERED}). That does not
     * cover every race: in a stress test of 2,000 directory renames with scans every 50 ms during it,
     * some runs ended with entries of moved directories missing from the events (a known limit; with the
     * renames between two scans the events add up to the tree on disk).
     * {@link FileMonitor#sync()} scans at once. A scan costs one {@code stat} per entry:
     * on Linux with native access {@code statx(2)} relative to each directory, which on a 100,000-file
     * tree took about as long as a {@code Files.walkFileTree} of it; without native access the JDK's
     * attribute views, the same when {@code ATTRIB} is not asked for and about 1.5 times as long when it
     * is (the JDK's view with the ctime is slower). Figures in the project's benchmark report.
     */
    POLL,
    /**
     * The JDK's own {@link java.nio.file.WatchService}, one registration per watched directory (the
     * engine registers each subdirectory of a recursive watch; the JDK's {@code FILE_TREE} modifier exists
     * only on Windows and is not used). It needs no native access from fsmon, so {@link #AUTO} uses it
     * where the JVM refuses native access and on an OS without a native fsmon backend. What it cannot
     * give, because the JDK does not report it: rename cookies from the OS (a delete and a create of the
     * same file key read together are paired into {@code MOVED_FROM}/{@code MOVED_TO}; halves read apart
     * stay a delete and a create); {@code ACCESS}, {@code OPEN} and {@code CLOSE_*}; {@code ATTRIB} (content
     * and attribute changes are both {@code MODIFY}). A moved watched directory is reported as
     * {@code MOVE_SELF} only when events next arrive from it. Events of different directories may be read
     * out of order: when a directory was renamed before what was created in it could be looked up, the
     * backend recovers with a rescan ({@code OVERFLOW} then {@code RECOVERED}). That does not cover every
     * case: in a stress test of 2,000 directory renames on a loaded machine, some runs ended with entries
     * of moved directories missing from the events, and in one of 50 directories deleted and made again
     * at once, some runs missed an entry of a re-created directory (known limits; prefer
     * {@link #INOTIFY} or {@link #POLL} where directories are renamed or replaced in bulk). The JDK's {@code OVERFLOW} becomes fsmon's overflow: a
     * rescan that reports the differences. It raises {@code jdk.nio.file.WatchService.maxEventsPerPoll} to 65536 unless already set
     * (the JDK reads it once per JVM). On Linux the JDK itself uses inotify, with inotify's limits; on
     * macOS it polls (every 10 s by default); on Windows it uses ReadDirectoryChangesW.
     * {@link FileMonitor#sync()} creates one file in a private temporary directory, because the JDK has no
     * other way to flush.
     */
    JDK,
    /**
     * Windows {@code ReadDirectoryChangesExW} (or {@code ReadDirectoryChangesW} before Windows 10 1709) on
     * one I/O completion port, called through the Foreign Function &amp; Memory API. <b>Opt-in, and tested
     * only against a simulated kernel32 so far: not yet validated on Windows.</b> {@link #AUTO} on Windows
     * selects {@link #JDK}.
     *
     * <p>Windows behaviour and limits:
     * <ul>
     *   <li>A recursive watch costs one directory handle for the whole tree ({@code bWatchSubtree}); a
     *       non-recursive one, one handle per directory. Handles are opened with every share mode, so the
     *       watched directories can still be renamed and deleted, except that a directory with an open
     *       handle cannot be deleted until the handle closes (it stays "delete pending"), which fsmon does
     *       at once when it sees the root go: {@code DELETE_SELF}, then {@code IGNORED}.</li>
     *   <li>Each handle reads into two buffers of 64 KiB by default (system property
     *       {@code fsmon.windows.bufferSize}, a multiple of 8). More changes between two reads than fit a
     *       buffer are dropped by Windows: fsmon reports {@link EventKind#OVERFLOW} and rescans. Network
     *       shares refuse buffers larger than 64 KiB; fsmon then uses 64 KiB. Changes made by other
     *       machines to a share are reported only as far as the server's SMB change notification
     *       does.</li>
     *   <li>Renames inside one watched tree are paired ({@code MOVED_FROM}/{@code MOVED_TO} with one
     *       cookie); a move between two separately watched trees is a {@code DELETE} and a
     *       {@code CREATE}. Content and attribute changes are both {@code MODIFY}: Windows does not tell them
     *       apart, and a directory's own attribute change is dropped with the noise below. There are no
     *       {@code ACCESS}, {@code OPEN} or {@code CLOSE_*} events. Windows says nothing when a watched root
     *       (or a directory above it) is renamed: fsmon notices it at the next change reported in it or the
     *       next {@link FileMonitor#sync()}, by the handle's final path, and reports {@code MOVE_SELF}, then
     *       {@code IGNORED}. A single file is watched by name in its directory: a write through another
     *       hard link is not seen, and a file renamed onto the watched name ends the watch
     *       ({@code DELETE_SELF}).</li>
     *   <li>The "modified" Windows reports for a directory whenever an entry inside it changes is dropped
     *       (system property {@code fsmon.windows.directoryModified=true} keeps it).</li>
     *   <li>Names reported as 8.3 short names ({@code PROGRA~1}) are expanded to long names with
     *       {@code GetLongPathNameW} while the entry exists; a short name of an entry already deleted is
     *       reported as it came.</li>
     *   <li>Paths are passed as {@code \\?\C:\...} or {@code \\?\UNC\server\share\...}, so paths longer
     *       than {@code MAX_PATH} (260) work.</li>
     * </ul>
     */
    WINDOWS;

    /**
     * Whether this backend can run in this JVM on this OS.
     *
     * @return {@code true} if a monitor can be created with this backend here
     */
    public boolean isAvailable() {
        return io.github.fsmon.internal.core.Backends.isAvailable(this);
    }

    /**
     * One sentence for people: why this backend can or cannot run here (for {@link #AUTO}: which backend
     * it selects and why), e.g. {@code "not available: the JVM refuses native access; run java with
     * --enable-native-access=ALL-UNNAMED"}.
     *
     * @return the explanation, one sentence
     */
    public String availability() {
        return io.github.fsmon.internal.core.Backends.availability(this);
    }
}
