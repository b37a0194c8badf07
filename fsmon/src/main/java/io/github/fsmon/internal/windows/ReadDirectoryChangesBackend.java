package io.github.fsmon.internal.windows;

import io.github.fsmon.Backend;
import io.github.fsmon.internal.core.Masks;
import io.github.fsmon.internal.core.OsWatcher;
import io.github.fsmon.internal.core.RawEventSink;
import io.github.fsmon.internal.ffm.NativeSupport;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.github.fsmon.internal.windows.Win32Constants.*;

/**
 * The Windows backend: {@code ReadDirectoryChangesExW} (or {@code ReadDirectoryChangesW}) on directory
 * handles associated with one I/O completion port, which the engine's I/O thread waits on with
 * {@code GetQueuedCompletionStatusEx}. Other threads wake it by posting a packet to the port.
 *
 * <ul>
 *   <li>One handle per watched directory, opened with {@code FILE_LIST_DIRECTORY}, sharing read, write and
 *       delete, {@code FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OVERLAPPED}. The root of a recursive watch
 *       ({@link Masks#SUBTREE}) is read with {@code bWatchSubtree}: its subdirectories, which the engine
 *       also adds, get ids that share the root's handle (no handle per subdirectory, which would keep
 *       parents from being renamed or deleted). Handles are keyed by volume serial number and file index,
 *       so two paths to one directory share one handle; single files are watched as names inside their
 *       directory's handle.</li>
 *   <li>Each handle has two buffers: the next read is posted on one before the records of the other are
 *       decoded, so changes made meanwhile queue in the kernel rather than being lost. Buffers are
 *       {@value #DEFAULT_BUFFER} bytes unless configured; where a larger one is refused with
 *       {@code ERROR_INVALID_PARAMETER} (network shares accept at most 64 KiB) the backend uses 64 KiB.</li>
 *   <li>A completion of zero bytes, or with {@code STATUS_NOTIFY_ENUM_DIR}, means the kernel dropped
 *       changes: it becomes the engine's overflow, which rescans. A root that is deleted ends its read with
 *       {@code STATUS_DELETE_PENDING} or {@code STATUS_ACCESS_DENIED}: {@code DELETE_SELF}, then
 *       {@code IGNORED}.</li>
 *   <li>Removing a watch cancels its read with {@code CancelIoEx}; the buffers and OVERLAPPEDs are freed,
 *       and the handle closed, only once the cancelled read's completion has been dequeued.</li>
 *   <li>Renames arrive as an adjacent {@code RENAMED_OLD_NAME}/{@code RENAMED_NEW_NAME} pair and become
 *       {@code MOVED_FROM}/{@code MOVED_TO} with one cookie. Whether an entry is a directory comes from the
 *       record's attributes with extended information, else from a lookup when it appears, and from the
 *       engine's memory when it goes. The {@code MODIFIED} Windows reports for a directory whenever an
 *       entry inside it changes is dropped unless {@code reportDirectoryModified}.</li>
 *   <li>Names in records may be 8.3 short names when a program used them: those of entries that still
 *       exist are expanded with {@code GetLongPathNameW}.</li>
 *   <li>Windows reports nothing to a handle whose own directory is renamed. After each completion and
 *       before each barrier, the handle's path ({@code GetFinalPathNameByHandleW}) is compared with the one
 *       it had when opened; a different one is {@code MOVE_SELF}, then {@code IGNORED}.</li>
 *   <li>{@link #barrier} posts a packet behind every completion queued so far, and once more if reads
 *       were posted meanwhile (see there).</li>
 * </ul>
 *
 * <p>Threads and memory: only the engine's I/O thread calls this class, except {@link #wakeup()}. Each
 * handle's buffers and OVERLAPPEDs live in a confined arena of their own, closed after the handle's last
 * read has completed and its packet was dequeued; {@link #close()} cancels every read and waits (up to
 * five seconds) for those packets, and leaves the memory of any read that never completes allocated
 * rather than freeing memory the kernel could still write.
 */
public final class ReadDirectoryChangesBackend implements OsWatcher {
    private static final System.Logger LOG = System.getLogger("io.github.fsmon");
    public static final int DEFAULT_BUFFER = 64 * 1024;
    /** Over the network, ReadDirectoryChangesW fails with ERROR_INVALID_PARAMETER for buffers past 64 KiB. */
    public static final int NETWORK_MAX_BUFFER = 64 * 1024;
    public static final String BUFFER_PROPERTY = "fsmon.windows.bufferSize";
    public static final String DIRECTORY_MODIFIED_PROPERTY = "fsmon.windows.directoryModified";
    static final long WAKE_KEY = 1;
    static final long BARRIER_KEY = 2;
    private static final long FIRST_HANDLE_KEY = 16;
    private static final int ENTRIES = 64;
    /** How long close() waits for cancelled reads to complete before it leaves their memory allocated. */
    private static final long CLOSE_DRAIN_MILLIS = 5_000;
    private long closeDrainMillis = CLOSE_DRAIN_MILLIS;
    static final int NOTIFY_FILTER = FILE_NOTIFY_CHANGE_FILE_NAME | FILE_NOTIFY_CHANGE_DIR_NAME
            | FILE_NOTIFY_CHANGE_ATTRIBUTES | FILE_NOTIFY_CHANGE_SIZE | FILE_NOTIFY_CHANGE_LAST_WRITE
            | FILE_NOTIFY_CHANGE_CREATION | FILE_NOTIFY_CHANGE_SECURITY;

    private final Win32 w32;
    private final AutoCloseable ownedWin32;
    private final int bufferSize;
    private final boolean reportDirectoryModified;
    private final Arena arena;
    private final MemorySegment entries;
    private final MemorySegment info;
    private final long port;
    private final Object wakeLock = new Object();
    private boolean portOpen; // guarded by wakeLock
    private boolean wakePosted; // guarded by wakeLock
    private final FileNotifyInformation cursor = new FileNotifyInformation();

    // I/O thread only, from here on.
    private final Map<Integer, Target> ids = new HashMap<>();
    private final Map<FileKey, DirHandle> byFileKey = new HashMap<>();
    private final Map<Long, DirHandle> byOverlapped = new HashMap<>();
    private final List<DirHandle> handles = new ArrayList<>();
    private final ArrayDeque<Target> pendingIgnored = new ArrayDeque<>();
    private int nextId = 1;
    private int nextCookie = 1;
    private long nextKey = FIRST_HANDLE_KEY;
    /** Reads posted so far; and, per barrier token in flight, the count when it was (re)posted. */
    private long arms;
    private final Map<Long, Long> barrierArms = new HashMap<>();
    private boolean closed;
    private int outstandingAfterClose;

    /** Volume serial number and file index: what identifies a directory whatever path reached it. */
    record FileKey(int volumeSerial, long fileIndex) {
    }

    private record PendingRename(DirHandle handle, String relative, int cookie) {
    }

    /** What an id the engine holds stands for. */
    private static final class Target {
        static final int ROOT = 0, SUBDIR = 1, FILE = 2;
        final int id;
        final DirHandle handle;
        final int kind;
        String relative; // "" for ROOT

        Target(int id, DirHandle handle, int kind, String relative) {
            this.id = id;
            this.handle = handle;
            this.kind = kind;
            this.relative = relative;
        }
    }

    /** One open directory handle, its two buffers and OVERLAPPEDs, and the ids served through it. */
    private static final class DirHandle {
        final long handle;
        final long key;
        final FileKey fileKey;
        final Path path;
        final boolean subtree;
        final Arena arena = Arena.ofConfined();
        final MemorySegment[] buffers = new MemorySegment[2];
        final MemorySegment[] overlapped = new MemorySegment[2];
        int length;
        boolean extended;
        int inFlight = -1; // the buffer a read is posted on, or -1
        int rootId;
        final Map<String, Integer> subdirs = new LinkedHashMap<>();
        final Map<String, Integer> files = new HashMap<>();
        boolean cancelling;
        boolean decoding;
        boolean releaseAfterDecode;
        boolean released;
        /** A RENAMED_OLD_NAME whose RENAMED_NEW_NAME may come in the next completion. */
        PendingRename pendingRename;
        /** The handle's path as Windows gave it when opened (GetFinalPathNameByHandleW), or null. */
        String finalPath;

        DirHandle(long handle, long key, FileKey fileKey, Path path, boolean subtree, int length, boolean extended) {
            this.handle = handle;
            this.key = key;
            this.fileKey = fileKey;
            this.path = path;
            this.subtree = subtree;
            this.length = length;
            this.extended = extended;
        }

        boolean unused() {
            return rootId == 0 && subdirs.isEmpty() && files.isEmpty();
        }

        int index(long overlappedAddress) {
            return overlapped[0].address() == overlappedAddress ? 0 : 1;
        }
    }

    /** For tests: a Win32 implementation {@link Backend#WINDOWS} uses instead of kernel32; null for kernel32. */
    private static volatile java.util.function.Supplier<Win32> substitute;

    /**
     * For tests only (the package is not exported): makes every monitor opened with {@link Backend#WINDOWS}
     * from now on call {@code win32} instead of kernel32 (it is closed with the monitor when it is
     * {@link AutoCloseable}); {@code null} restores kernel32.
     */
    public static void substituteWin32(java.util.function.Supplier<Win32> win32) {
        substitute = win32;
    }

    /** Opens kernel32 (or the library {@value Kernel32#LIBRARY_PROPERTY} names) and the completion port. */
    public ReadDirectoryChangesBackend() throws IOException {
        this(substitute != null ? substitute.get() : openNative(), Integer.getInteger(BUFFER_PROPERTY, DEFAULT_BUFFER),
                Boolean.getBoolean(DIRECTORY_MODIFIED_PROPERTY), true);
    }

    /** A backend over {@code w32} (for tests: a simulation), with the given read buffer size. */
    public ReadDirectoryChangesBackend(Win32 w32, int bufferSize, boolean reportDirectoryModified) throws IOException {
        this(w32, bufferSize, reportDirectoryModified, false);
    }

    private ReadDirectoryChangesBackend(Win32 w32, int bufferSize, boolean reportDirectoryModified, boolean owned)
            throws IOException {
        if (bufferSize < 1024 || bufferSize % 8 != 0) {
            throw new IllegalArgumentException("buffer size must be a multiple of 8, at least 1024: " + bufferSize);
        }
        this.w32 = w32;
        this.ownedWin32 = owned && w32 instanceof AutoCloseable c ? c : null;
        this.bufferSize = bufferSize;
        this.reportDirectoryModified = reportDirectoryModified;
        this.arena = Arena.ofConfined();
        this.entries = Overlapped.allocateEntries(arena, ENTRIES);
        this.info = arena.allocate(Win32Layouts.BY_HANDLE_FILE_INFORMATION);
        long p = w32.createCompletionPort();
        if (p == 0) {
            int error = w32.lastError();
            arena.close();
            closeOwned();
            throw new IOException("CreateIoCompletionPort failed: " + errorName(error));
        }
        this.port = p;
        synchronized (wakeLock) {
            portOpen = true;
        }
    }

    private static Win32 openNative() {
        NativeSupport.checkNativeAccess();
        return new NativeWin32(Kernel32.load());
    }

    /** Whether this backend can run here: kernel32 (or the configured replacement) links. */
    public static boolean isSupported() {
        if (substitute != null) {
            return true;
        }
        try {
            Kernel32.load();
            return true;
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.DEBUG, "ReadDirectoryChangesW unavailable", t);
            return false;
        }
    }

    @Override
    public Backend kind() {
        return Backend.WINDOWS;
    }

    // I/O thread only.
    @Override
    public int addWatch(Path path, int mask, int flags) throws IOException {
        Path abs = path.toAbsolutePath().normalize();
        boolean follow = (flags & Masks.DONT_FOLLOW) == 0;
        BasicFileAttributes attrs = follow ? Files.readAttributes(abs, BasicFileAttributes.class)
                : Files.readAttributes(abs, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (attrs.isDirectory()) {
            // A directory symbolic link or junction inside a recursive handle's tree is a reparse point that
            // bWatchSubtree does not follow: it needs a handle of its own.
            DirHandle covering = Files.isSymbolicLink(abs) ? null : coveringSubtree(abs);
            if (covering != null) {
                return covering.subdirs.computeIfAbsent(Win32Paths.relative(covering.path, abs),
                        rel -> newTarget(covering, Target.SUBDIR, rel).id);
            }
            DirHandle h = open(abs, (flags & Masks.SUBTREE) != 0, follow);
            if (h.rootId == 0) {
                h.rootId = newTarget(h, Target.ROOT, "").id;
            }
            return h.rootId;
        }
        if ((flags & Masks.ONLYDIR) != 0) {
            throw new NotDirectoryException(abs.toString());
        }
        Path parent = abs.getParent();
        if (parent == null) {
            throw new NotDirectoryException(abs.toString());
        }
        DirHandle covering = coveringSubtree(abs);
        DirHandle h = covering != null ? covering : open(parent, false, true);
        return h.files.computeIfAbsent(Win32Paths.relative(h.path, abs), rel -> newTarget(h, Target.FILE, rel).id);
    }

    private Target newTarget(DirHandle h, int kind, String rel) {
        Target t = new Target(nextId++, h, kind, rel);
        ids.put(t.id, t);
        return t;
    }

    /** A live recursive handle whose tree holds {@code path} (below its root). */
    private DirHandle coveringSubtree(Path path) {
        for (DirHandle h : handles) {
            if (h.subtree && !h.cancelling && !h.released && path.startsWith(h.path) && !path.equals(h.path)) {
                return h;
            }
        }
        return null;
    }

    /** Opens (or shares) the handle of directory {@code dir} and posts its first read. */
    private DirHandle open(Path dir, boolean subtree, boolean follow) throws IOException {
        long h = w32.openDirectory(Win32Paths.extended(dir.toString()), !follow);
        if (h == INVALID_HANDLE_VALUE) {
            throw translate(dir, w32.lastError(), "CreateFileW");
        }
        if (!w32.getFileInformationByHandle(h, info)) {
            int error = w32.lastError();
            w32.closeHandle(h);
            throw translate(dir, error, "GetFileInformationByHandle");
        }
        FileKey key = new FileKey(info.get(Win32Layouts.DWORD, Win32Layouts.BHFI_VOLUME_SERIAL),
                (Integer.toUnsignedLong(info.get(Win32Layouts.DWORD, Win32Layouts.BHFI_INDEX_HIGH)) << 32)
                        | Integer.toUnsignedLong(info.get(Win32Layouts.DWORD, Win32Layouts.BHFI_INDEX_LOW)));
        DirHandle existing = byFileKey.get(key);
        if (existing != null && !existing.cancelling && (existing.subtree || !subtree)) {
            w32.closeHandle(h);
            return existing;
        }
        long completionKey = nextKey++;
        if (!w32.associate(h, port, completionKey)) {
            int error = w32.lastError();
            w32.closeHandle(h);
            throw translate(dir, error, "CreateIoCompletionPort");
        }
        DirHandle d = new DirHandle(h, completionKey, key, dir, subtree, bufferSize, w32.hasReadDirectoryChangesEx());
        for (int i = 0; i < 2; i++) {
            d.buffers[i] = d.arena.allocate(bufferSize, 8); // DWORD-aligned, as ReadDirectoryChangesW requires
            d.overlapped[i] = Overlapped.allocate(d.arena);
            byOverlapped.put(d.overlapped[i].address(), d);
        }
        handles.add(d);
        int error = arm(d, 0);
        if (error != ERROR_SUCCESS) {
            release(d);
            throw translate(dir, error, d.extended ? "ReadDirectoryChangesExW" : "ReadDirectoryChangesW");
        }
        byFileKey.put(key, d);
        d.finalPath = w32.getFinalPathName(h);
        return d;
    }

    /**
     * Whether the directory of {@code d} was renamed (or a directory above it): Windows reports nothing to
     * the handle itself, which keeps following the directory, so the path it now has is compared with the
     * one it had when opened. Checked after each completion and before each barrier is delivered.
     */
    private boolean moved(DirHandle d) {
        if (d.finalPath == null || d.cancelling || d.released) {
            return false;
        }
        String now = w32.getFinalPathName(d.handle);
        return now != null && !now.equalsIgnoreCase(d.finalPath);
    }

    private void checkMoved(RawEventSink sink) {
        for (DirHandle d : List.copyOf(handles)) {
            if (moved(d)) {
                ended(d, Masks.MOVE_SELF, sink);
            }
        }
    }

    /**
     * Posts the next read on buffer {@code i}: 0 on success, else the error. A refused buffer size falls to
     * 64 KiB; refused extended information falls back to ReadDirectoryChangesW.
     */
    private int arm(DirHandle d, int i) {
        while (true) {
            Overlapped.clear(d.overlapped[i]);
            if (w32.readDirectoryChanges(d.handle, d.buffers[i], d.length, d.subtree, NOTIFY_FILTER,
                    d.overlapped[i], d.extended)) {
                d.inFlight = i;
                arms++;
                return ERROR_SUCCESS;
            }
            int error = w32.lastError();
            if (error == ERROR_INVALID_PARAMETER && d.length > NETWORK_MAX_BUFFER) {
                LOG.log(System.Logger.Level.DEBUG, "fsmon: " + d.path + " refuses a " + d.length
                        + "-byte buffer (a network share?); using " + NETWORK_MAX_BUFFER);
                d.length = NETWORK_MAX_BUFFER;
                continue;
            }
            if (d.extended && (error == ERROR_INVALID_PARAMETER || error == ERROR_INVALID_FUNCTION
                    || error == ERROR_NOT_SUPPORTED)) {
                LOG.log(System.Logger.Level.DEBUG, "fsmon: " + d.path
                        + " refuses extended notification information; using ReadDirectoryChangesW");
                d.extended = false;
                continue;
            }
            return error;
        }
    }

    private static IOException translate(Path path, int error, String call) {
        String p = path.toString();
        return switch (error) {
            case ERROR_FILE_NOT_FOUND, ERROR_PATH_NOT_FOUND, ERROR_BAD_NETPATH -> new NoSuchFileException(p);
            case ERROR_ACCESS_DENIED -> new AccessDeniedException(p);
            case ERROR_DIRECTORY -> new NotDirectoryException(p);
            case ERROR_INVALID_FUNCTION -> new FileSystemException(p, null,
                    call + ": this file system does not report changes (ERROR_INVALID_FUNCTION)");
            case ERROR_FILENAME_EXCED_RANGE -> new FileSystemException(p, null,
                    call + ": path too long (ERROR_FILENAME_EXCED_RANGE)");
            default -> new FileSystemException(p, null, call + " failed: " + errorName(error));
        };
    }

    // I/O thread only.
    @Override
    public void removeWatch(int id) {
        Target t = ids.remove(id);
        if (t == null) {
            return; // already ended: its IGNORED was reported
        }
        forget(t);
        pendingIgnored.add(t);
        if (t.handle.unused()) {
            cancel(t.handle);
        }
    }

    private static void forget(Target t) {
        DirHandle h = t.handle;
        switch (t.kind) {
            case Target.ROOT -> h.rootId = 0;
            case Target.SUBDIR -> h.subdirs.remove(t.relative, t.id);
            default -> h.files.remove(t.relative, t.id);
        }
    }

    /** Stops a handle's read; its memory and handle go once the cancelled read's completion is dequeued. */
    private void cancel(DirHandle d) {
        if (d.cancelling || d.released) {
            return;
        }
        d.cancelling = true;
        byFileKey.remove(d.fileKey, d);
        if (d.inFlight < 0) {
            release(d);
            return;
        }
        if (!w32.cancelIoEx(d.handle, d.overlapped[d.inFlight])) {
            int error = w32.lastError();
            if (error != ERROR_NOT_FOUND) { // NOT_FOUND: it completed already; its packet is queued
                LOG.log(System.Logger.Level.DEBUG, "fsmon: CancelIoEx on " + d.path + ": " + errorName(error));
            }
        }
    }

    private void release(DirHandle d) {
        if (d.released) {
            return;
        }
        if (d.decoding) {
            d.releaseAfterDecode = true;
            return;
        }
        d.released = true;
        d.cancelling = true;
        byFileKey.remove(d.fileKey, d);
        handles.remove(d);
        for (MemorySegment ov : d.overlapped) {
            if (ov != null) {
                byOverlapped.remove(ov.address());
            }
        }
        w32.closeHandle(d.handle);
        d.arena.close();
    }

    // I/O thread only.
    @Override
    public void await(long timeoutNanos, RawEventSink sink) throws IOException {
        boolean hadPending = !pendingIgnored.isEmpty();
        flushIgnored(sink);
        int millis = hadPending ? 0 : timeoutNanos < 0 ? INFINITE
                : (int) Math.min(Integer.MAX_VALUE - 1, (timeoutNanos + 999_999) / 1_000_000);
        int n = w32.getQueuedCompletionStatusEx(port, entries, ENTRIES, millis);
        if (n < 0) {
            int error = w32.lastError();
            if (error == WAIT_TIMEOUT) {
                return;
            }
            throw new IOException("GetQueuedCompletionStatusEx failed: " + errorName(error));
        }
        for (int i = 0; i < n; i++) {
            long key = Overlapped.entryKey(entries, i);
            long overlapped = Overlapped.entryOverlapped(entries, i);
            int bytes = Overlapped.entryBytes(entries, i);
            if (key == WAKE_KEY) {
                synchronized (wakeLock) {
                    wakePosted = false;
                }
            } else if (key == BARRIER_KEY) {
                Long armsAtPost = barrierArms.remove(overlapped);
                if (armsAtPost != null && armsAtPost != arms && repostBarrier(overlapped)) {
                    continue;
                }
                flushIgnored(sink);
                checkMoved(sink);
                sink.onBarrier(overlapped);
            } else {
                DirHandle d = byOverlapped.get(overlapped);
                if (d == null || d.key != key) {
                    LOG.log(System.Logger.Level.DEBUG, "fsmon: completion for an unknown read (key " + key + ")");
                    continue;
                }
                completed(d, d.index(overlapped), bytes, sink);
            }
        }
        flushIgnored(sink);
    }

    private void flushIgnored(RawEventSink sink) {
        for (Target t = pendingIgnored.poll(); t != null; t = pendingIgnored.poll()) {
            sink.onEvent(t.id, Masks.IGNORED, 0, "", false);
        }
    }

    /** The read on buffer {@code i} of {@code d} ended. */
    private void completed(DirHandle d, int i, int bytes, RawEventSink sink) {
        d.inFlight = -1;
        if (d.cancelling) {
            release(d); // the cancelled (or last) read: nothing of it is wanted
            return;
        }
        int status = Overlapped.status(d.overlapped[i]);
        if (status == STATUS_SUCCESS && bytes > 0) {
            int error = arm(d, 1 - i); // re-arm first: changes made while we decode queue in the kernel
            decode(d, i, Math.min(bytes, d.length), sink);
            if (error != ERROR_SUCCESS && !d.cancelling) {
                readFailed(d, error, sink);
            } else if (moved(d)) {
                ended(d, Masks.MOVE_SELF, sink);
            }
        } else if (status == STATUS_SUCCESS || status == STATUS_NOTIFY_ENUM_DIR) {
            // Zero bytes: more changes than fit the buffer; the kernel kept none of them.
            int error = arm(d, 1 - i);
            sink.onEvent(-1, Masks.Q_OVERFLOW, 0, "", false);
            if (error != ERROR_SUCCESS && !d.cancelling && !d.released) {
                readFailed(d, error, sink);
            }
        } else if (status == STATUS_DELETE_PENDING || status == STATUS_ACCESS_DENIED) {
            rootGone(d, sink);
        } else {
            LOG.log(System.Logger.Level.WARNING, "fsmon: watching " + d.path + " ended: " + statusName(status));
            ended(d, 0, sink);
        }
    }

    private void readFailed(DirHandle d, int error, RawEventSink sink) {
        if (error == ERROR_ACCESS_DENIED) {
            rootGone(d, sink);
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "fsmon: watching " + d.path + " ended: ReadDirectoryChangesW failed: "
                + errorName(error));
        ended(d, 0, sink);
    }

    /** The watched directory itself was deleted (it is delete-pending until our handle closes). */
    private void rootGone(DirHandle d, RawEventSink sink) {
        ended(d, Masks.DELETE_SELF, sink);
    }

    /**
     * Every id of {@code d} ends with IGNORED, the directory's own and its watched files' with
     * {@code selfMask} first (DELETE_SELF, MOVE_SELF, or 0 for nothing); the handle goes.
     */
    private void ended(DirHandle d, int selfMask, RawEventSink sink) {
        List<Integer> all = new ArrayList<>();
        if (d.rootId != 0) {
            all.add(d.rootId);
        }
        all.addAll(d.subdirs.values());
        all.addAll(d.files.values());
        if (d.inFlight < 0) {
            release(d);
        } else {
            cancel(d);
        }
        for (int id : all) {
            Target t = ids.remove(id);
            if (t == null) {
                continue; // removed meanwhile by the engine: its IGNORED is queued
            }
            forget(t);
            if (selfMask != 0 && (t.kind == Target.ROOT || (t.kind == Target.FILE && selfMask == Masks.MOVE_SELF))) {
                sink.onEvent(id, selfMask, 0, "", false);
            }
            sink.onEvent(id, Masks.IGNORED, 0, "", false);
        }
    }

    private void decode(DirHandle d, int i, int bytes, RawEventSink sink) {
        d.decoding = true;
        try {
            cursor.reset(d.buffers[i], bytes, d.extended);
            while (!d.cancelling && cursor.next()) {
                int attributes = cursor.extended() ? cursor.attributes() : -1;
                record(d, cursor.action(), cursor.name(), attributes, sink);
            }
        } catch (IllegalStateException malformed) {
            LOG.log(System.Logger.Level.WARNING, "fsmon: malformed change record from " + d.path + " ("
                    + malformed.getMessage() + "); rescanning");
            sink.onEvent(-1, Masks.Q_OVERFLOW, 0, "", false);
        } finally {
            d.decoding = false;
            if (d.releaseAfterDecode) {
                d.releaseAfterDecode = false;
                release(d);
            }
        }
    }

    /** One change record: {@code rel} is relative to the handle's directory. */
    private void record(DirHandle d, int action, String rel, int attributes, RawEventSink sink) {
        if (rel.isEmpty()) {
            return;
        }
        if (action != FILE_ACTION_REMOVED && action != FILE_ACTION_RENAMED_OLD_NAME && rel.indexOf('~') >= 0) {
            rel = longName(d, rel);
        }
        if (action != FILE_ACTION_RENAMED_NEW_NAME) {
            d.pendingRename = null; // the two halves of a rename are adjacent in the handle's records
        }
        int slash = rel.lastIndexOf('\\');
        String parentRel = slash < 0 ? "" : rel.substring(0, slash);
        String name = rel.substring(slash + 1);
        int dirId = parentRel.isEmpty() ? d.rootId : d.subtree ? d.subdirs.getOrDefault(parentRel, 0) : 0;
        Integer self = d.subdirs.get(rel);
        Integer file = d.files.get(rel);
        boolean lossy = hasLoneSurrogate(name);
        boolean extended = attributes != -1;
        boolean attrDir = extended && (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
        switch (action) {
            case FILE_ACTION_ADDED -> {
                if (dirId != 0) {
                    boolean dir = extended ? attrDir : isDirectory(d, rel);
                    sink.onEvent(dirId, Masks.CREATE | (dir ? Masks.ISDIR : 0), 0, name, lossy);
                }
            }
            case FILE_ACTION_REMOVED -> {
                if (dirId != 0) {
                    sink.onEvent(dirId, Masks.DELETE | (attrDir || self != null ? Masks.ISDIR : 0), 0, name, lossy);
                }
                if (self != null) {
                    endTarget(self, Masks.DELETE_SELF, sink);
                }
                if (file != null) {
                    endTarget(file, Masks.DELETE_SELF, sink);
                }
            }
            case FILE_ACTION_MODIFIED -> {
                if (dirId != 0 && (reportDirectoryModified || !attrDir)) {
                    // Without attributes, the engine drops it if it remembers a directory by that name.
                    int hint = extended || reportDirectoryModified ? 0 : Masks.UNLESS_DIR;
                    sink.onEvent(dirId, Masks.MODIFY | hint | (attrDir ? Masks.ISDIR : 0), 0, name, lossy);
                }
                if (file != null) {
                    sink.onEvent(file, Masks.MODIFY, 0, "", false);
                }
            }
            case FILE_ACTION_RENAMED_OLD_NAME -> {
                int cookie = nextCookie();
                d.pendingRename = new PendingRename(d, rel, cookie);
                if (dirId != 0) {
                    sink.onEvent(dirId, Masks.MOVED_FROM | (attrDir || self != null ? Masks.ISDIR : 0), cookie, name, lossy);
                }
                if (self != null) {
                    sink.onEvent(self, Masks.MOVE_SELF, 0, "", false);
                }
                if (file != null) {
                    sink.onEvent(file, Masks.MOVE_SELF, 0, "", false);
                }
            }
            case FILE_ACTION_RENAMED_NEW_NAME -> {
                PendingRename old = d.pendingRename;
                d.pendingRename = null;
                int cookie;
                boolean wasWatchedDir = false;
                if (old != null && old.handle() == d) {
                    cookie = old.cookie();
                    wasWatchedDir = renameSubdirs(d, old.relative(), rel);
                } else {
                    cookie = nextCookie(); // the old name was outside this handle's tree: a move in
                }
                if (dirId != 0) {
                    boolean dir = extended ? attrDir : wasWatchedDir || isDirectory(d, rel);
                    sink.onEvent(dirId, Masks.MOVED_TO | (dir ? Masks.ISDIR : 0), cookie, name, lossy);
                }
                if (file != null) {
                    // Renamed onto a watched file's name: the file watched is replaced, and a watch follows
                    // the file, not the name.
                    endTarget(file, Masks.DELETE_SELF, sink);
                }
            }
            default -> LOG.log(System.Logger.Level.DEBUG, "fsmon: unknown FILE_ACTION " + action + " in " + d.path);
        }
    }

    private int nextCookie() {
        int c = nextCookie++;
        if (nextCookie == 0) {
            nextCookie = 1;
        }
        return c;
    }

    /** A watched directory (or file) itself went away: its event, then IGNORED. */
    private void endTarget(int id, int mask, RawEventSink sink) {
        Target t = ids.remove(id);
        if (t == null) {
            return;
        }
        forget(t);
        sink.onEvent(id, mask, 0, "", false);
        sink.onEvent(id, Masks.IGNORED, 0, "", false);
        if (t.handle.unused()) {
            cancel(t.handle);
        }
    }

    /** After a rename inside a recursive handle, ids below the old name follow it. */
    private boolean renameSubdirs(DirHandle d, String from, String to) {
        boolean watched = false;
        for (Map<String, Integer> names : List.of(d.subdirs, d.files)) {
            Map<String, Integer> moved = new LinkedHashMap<>();
            var it = names.entrySet().iterator();
            while (it.hasNext()) {
                var e = it.next();
                String k = e.getKey();
                if (k.equals(from) || k.startsWith(from + "\\")) {
                    watched |= names == d.subdirs && k.equals(from);
                    moved.put(to + k.substring(from.length()), e.getValue());
                    it.remove();
                }
            }
            names.putAll(moved);
        }
        retarget(d);
        return watched;
    }

    /** Fixes up the Target names after renameSubdirs (kept apart: Targets are found through ids). */
    private void retarget(DirHandle d) {
        for (var e : d.subdirs.entrySet()) {
            ids.get(e.getValue()).relative = e.getKey();
        }
        for (var e : d.files.entrySet()) {
            ids.get(e.getValue()).relative = e.getKey();
        }
    }

    private String longName(DirHandle d, String rel) {
        Path full = Win32Paths.resolve(d.path, rel);
        String expanded = w32.getLongPathName(Win32Paths.extended(full.toString()));
        if (expanded == null) {
            return rel; // gone already, or no long name
        }
        try {
            String r = Win32Paths.relative(d.path, full.getFileSystem().getPath(Win32Paths.ordinary(expanded)));
            return r != null ? r : rel;
        } catch (RuntimeException e) {
            return rel;
        }
    }

    private static boolean isDirectory(DirHandle d, String rel) {
        return Files.isDirectory(Win32Paths.resolve(d.path, rel), LinkOption.NOFOLLOW_LINKS);
    }

    private static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return true;
            }
            if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The barrier is a packet posted to the port: the port is FIFO, and a change completes a pending read
     * (queueing its packet) as it happens. The one exception: a change made while a handle's completed
     * read waits in the queue is buffered by the kernel and completes the handle's next read at once,
     * when that read is posted, which can be after the barrier was posted. So a barrier dequeued after
     * reads were posted since it was is posted once more: it then follows every such completion.
     */
    // I/O thread only.
    @Override
    public void barrier(long token) throws IOException {
        barrierArms.put(token, arms);
        if (!w32.postQueuedCompletionStatus(port, 0, BARRIER_KEY, token)) {
            barrierArms.remove(token);
            throw new IOException("sync: PostQueuedCompletionStatus failed");
        }
    }

    /** Posts a barrier again, marked as reposted (so it is delivered when it next comes round). */
    private boolean repostBarrier(long token) {
        return w32.postQueuedCompletionStatus(port, 0, BARRIER_KEY, token);
    }

    @Override
    public void wakeup() {
        synchronized (wakeLock) {
            if (!portOpen || wakePosted) {
                return;
            }
            wakePosted = w32.postQueuedCompletionStatus(port, 0, WAKE_KEY, 0);
        }
    }

    @Override
    public Path privatePath() {
        return null;
    }

    /** For tests: how long {@link #close()} waits for cancelled reads (5 s by default). */
    void closeDrainMillis(long millis) {
        this.closeDrainMillis = millis;
    }

    /** For tests: reads posted and not yet completed, plus handles still open. */
    public int liveHandles() {
        return handles.size();
    }

    /** For tests: after close, reads that never completed and whose memory was therefore left allocated. */
    public int leftAllocated() {
        return outstandingAfterClose;
    }

    /** For tests: the buffer length reads use on the handle of {@code id}, and whether they are extended. */
    public String readMode(int id) {
        Target t = ids.get(id);
        return t == null ? null : t.handle.length + (t.handle.extended ? " extended" : " basic")
                + (t.handle.subtree ? " subtree" : "");
    }

    // I/O thread only.
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ids.clear();
        pendingIgnored.clear();
        for (DirHandle d : List.copyOf(handles)) {
            cancel(d);
        }
        long deadline = System.nanoTime() + closeDrainMillis * 1_000_000;
        while (handles.stream().anyMatch(d -> d.inFlight >= 0) && System.nanoTime() - deadline < 0) {
            int n = w32.getQueuedCompletionStatusEx(port, entries, ENTRIES, 100);
            for (int i = 0; i < n; i++) {
                DirHandle d = byOverlapped.get(Overlapped.entryOverlapped(entries, i));
                if (d != null && d.key == Overlapped.entryKey(entries, i)) {
                    d.inFlight = -1;
                    release(d);
                }
            }
        }
        for (DirHandle d : List.copyOf(handles)) {
            if (d.inFlight >= 0) {
                // Never free memory the kernel may still write: leave it allocated, close the handle.
                outstandingAfterClose++;
                w32.closeHandle(d.handle);
                handles.remove(d);
            } else {
                release(d);
            }
        }
        if (outstandingAfterClose > 0) {
            LOG.log(System.Logger.Level.WARNING, "fsmon: " + outstandingAfterClose + " cancelled directory reads did "
                    + "not complete within " + closeDrainMillis + " ms; their buffers are left allocated");
        }
        synchronized (wakeLock) {
            portOpen = false;
            w32.closeHandle(port);
        }
        arena.close();
        closeOwned();
    }

    private void closeOwned() {
        if (ownedWin32 != null) {
            try {
                ownedWin32.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.DEBUG, "fsmon: closing kernel32 bindings", e);
            }
        }
    }
}
