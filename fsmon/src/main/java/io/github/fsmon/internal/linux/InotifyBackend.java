package io.github.fsmon.internal.linux;

import io.github.fsmon.Backend;
import io.github.fsmon.internal.core.Masks;
import io.github.fsmon.internal.core.OsWatcher;
import io.github.fsmon.internal.core.RawEventSink;
import io.github.fsmon.internal.ffm.NativeSupport;
import io.github.fsmon.internal.spi.ExactNames;
import io.github.fsmon.internal.spi.InotifyLimits;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The Linux backend: one inotify instance, read on the engine's I/O thread, which sleeps in
 * {@code poll(2)} on the inotify fd and an eventfd that other threads write to wake it.
 *
 * <p>Native memory (the read buffer, the pollfd array, the errno capture) lives in a confined arena
 * created and closed by the I/O thread; reads are synchronous, so no read is in flight when it closes.
 */
public final class InotifyBackend implements OsWatcher {
    private static final System.Logger LOG = System.getLogger("io.github.fsmon");
    /** 64 KiB holds at least 240 records with a full-length name, and thousands of short ones. */
    private static final long READ_BUFFER = 64 * 1024;

    private final Arena arena;
    private final MemorySegment state;
    private final MemorySegment buffer;
    private final MemorySegment pollfds;
    /** Eight bytes for the eventfd counter and for draining barrier pipes. */
    private final MemorySegment scratch;
    private final InotifyEvent cursor = new InotifyEvent();
    private final Object wakeLock = new Object();
    private int inotifyFd = -1;
    private int eventFd = -1; // guarded by wakeLock once published
    /**
     * The delivery barrier: two pipes, each watched for IN_MODIFY on this inotify instance. Writing a byte
     * to a pipe queues an event behind everything queued so far, without touching any file system.
     * Barriers alternate between the two pipes so that two barrier events are never adjacent in the queue,
     * where the kernel would merge them; each pipe's tokens then complete in FIFO order.
     */
    private final int[] barrierRead = {-1, -1};
    private final int[] barrierWrite = {-1, -1};
    private final int[] barrierWd = {-1, -1};
    private final java.util.List<java.util.ArrayDeque<Long>> barrierTokens =
            java.util.List.of(new java.util.ArrayDeque<>(), new java.util.ArrayDeque<>());
    private int nextBarrierPipe;

    /**
     * Events read from the kernel and not reported yet, in order ({@link #drain}). Structural events are
     * also counted in {@link #pendingIndex}, so the engine can look ahead at a name in O(1).
     */
    private final java.util.ArrayDeque<Raw> pending = new java.util.ArrayDeque<>();
    private final java.util.Map<NameKey, int[]> pendingIndex = new java.util.HashMap<>();
    /** Past this many buffered events, {@link #drain} leaves the rest in the kernel's queue. */
    private static final int MAX_BUFFERED = 1 << 20;
    /** At most this many buffered events are reported per {@link #await}, so requests are not starved. */
    private static final int REPORT_BATCH = 4096;
    private static final int READ_BITS = LibC.IN_OPEN | LibC.IN_ACCESS | LibC.IN_CLOSE_NOWRITE;

    /** The event bits each watch descriptor asked for, to know whether a listing can cause read events. */
    private final java.util.Map<Integer, Integer> wdMasks = new java.util.HashMap<>();
    /**
     * The engine's own listings (see {@link #listingStarts}): a byte written to {@code windowWrite[0]}
     * before a listing and to {@code windowWrite[1]} after it queues an IN_MODIFY on either side of the
     * read events the listing causes; between the two, those events are dropped. The two pipes alternate,
     * so no two markers are adjacent in the queue (where the kernel would merge them).
     */
    private final int[] windowRead = {-1, -1};
    private final int[] windowWrite = {-1, -1};
    private final int[] windowWd = {-1, -1};
    private final java.util.ArrayDeque<Window> windows = new java.util.ArrayDeque<>();
    /** The listing whose start marker was read and whose end marker was not yet; or {@code null}. */
    private Window openWindow;
    private boolean listingMarked;

    /** One decoded record; {@code wd == BARRIER} for a delivery barrier with {@code token}. */
    private record Raw(int wd, int mask, int cookie, String name, boolean lossy, long token) {
    }

    private static final int BARRIER = Integer.MIN_VALUE;

    private record NameKey(int wd, String name) {
    }

    /** A listing of the directory of {@code wd}, known by these names in these parent watches. */
    private record Window(int wd, int[] parents, String[] names) {
        boolean covers(int eventWd, String name) {
            if (eventWd == wd && name.isEmpty()) {
                return true;
            }
            for (int i = 0; i < parents.length; i++) {
                if (parents[i] == eventWd && names[i].equals(name)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Opens the inotify instance and the wake-up eventfd. I/O thread. */
    public InotifyBackend() throws IOException {
        NativeSupport.checkNativeAccess();
        arena = Arena.ofConfined();
        try {
            state = NativeSupport.allocateCallState(arena);
            buffer = arena.allocate(READ_BUFFER, 8);
            pollfds = arena.allocate(LibC.POLLFD, 2);
            scratch = arena.allocate(8, 8);
            inotifyFd = LibC.inotifyInit1(state, LibC.IN_NONBLOCK | LibC.IN_CLOEXEC);
            if (inotifyFd < 0) {
                int errno = LibC.errno(state);
                if (errno == LibC.EMFILE) {
                    throw InotifyLimits.instanceLimitReached("inotify");
                }
                throw new FileSystemException("inotify", null, "inotify_init1 failed: " + LibC.errnoName(errno)
                        + (errno == LibC.ENFILE ? " (system-wide open file limit fs.file-max reached)" : ""));
            }
            int efd = LibC.eventfd(state, 0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
            if (efd < 0) {
                throw new FileSystemException("eventfd", null, "eventfd failed: " + LibC.errnoName(LibC.errno(state)));
            }
            synchronized (wakeLock) {
                eventFd = efd;
            }
            // Now, while watches are free: sync() must work even once a tree has used up the watch limit.
            openBarrierPipes();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Whether inotify can be used in this JVM: Linux, and libc's symbols link. */
    public static boolean isSupported() {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("linux")) {
            return false;
        }
        try {
            Class.forName(LibC.class.getName(), true, LibC.class.getClassLoader());
            return true;
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.DEBUG, "inotify unavailable", t);
            return false;
        }
    }

    @Override
    public Backend kind() {
        return Backend.INOTIFY;
    }

    // I/O thread only.
    @Override
    public int addWatch(Path path, int mask, int flags) throws IOException {
        int osMask = (mask & Masks.ALL_EVENTS) | LibC.IN_MASK_ADD
                | ((flags & Masks.ONLYDIR) != 0 ? LibC.IN_ONLYDIR : 0)
                | ((flags & Masks.DONT_FOLLOW) != 0 ? LibC.IN_DONT_FOLLOW : 0);
        try (Arena call = Arena.ofConfined()) {
            // The exact bytes: a name that is not UTF-8 has no exact text (ExactNames).
            int wd = LibC.inotifyAddWatch(state, inotifyFd, NativeSupport.cString(call, ExactNames.bytes(path)), osMask);
            if (wd >= 0) {
                wdMasks.merge(wd, mask & Masks.ALL_EVENTS, (a, b) -> a | b);
                return wd;
            }
        }
        int errno = LibC.errno(state);
        String p = path.toString();
        throw switch (errno) {
            case LibC.ENOENT -> new NoSuchFileException(p);
            case LibC.ENOTDIR -> new NotDirectoryException(p);
            case LibC.EACCES, LibC.EPERM -> new AccessDeniedException(p);
            case LibC.ENOSPC -> InotifyLimits.watchLimitReached(p);
            case LibC.ELOOP -> new FileSystemLoopException(p);
            case LibC.ENAMETOOLONG -> new FileSystemException(p, null,
                    "path too long for inotify_add_watch (ENAMETOOLONG; PATH_MAX is 4096 bytes)");
            case LibC.ENOMEM -> new FileSystemException(p, null, "inotify_add_watch: kernel out of memory (ENOMEM)");
            default -> new FileSystemException(p, null, "inotify_add_watch failed: " + LibC.errnoName(errno));
        };
    }

    // I/O thread only.
    @Override
    public void removeWatch(int id) {
        // EINVAL means the kernel already dropped the watch (its inode is gone); its IN_IGNORED is queued.
        LibC.inotifyRmWatch(state, inotifyFd, id);
    }

    // I/O thread only.
    @Override
    public void await(long timeoutNanos, RawEventSink sink) throws IOException {
        if (!pending.isEmpty()) {
            // Read ahead by drain(): report it first, without waiting (requests are looked at in between).
            report(sink);
            return;
        }
        LibC.POLLFD_FD.set(pollfds, 0L, inotifyFd);
        LibC.POLLFD_EVENTS.set(pollfds, 0L, LibC.POLLIN);
        LibC.POLLFD_REVENTS.set(pollfds, 0L, (short) 0);
        long second = LibC.POLLFD.byteSize();
        LibC.POLLFD_FD.set(pollfds, second, eventFd);
        LibC.POLLFD_EVENTS.set(pollfds, second, LibC.POLLIN);
        LibC.POLLFD_REVENTS.set(pollfds, second, (short) 0);
        int millis = timeoutNanos < 0 ? -1 : (int) Math.min(Integer.MAX_VALUE, (timeoutNanos + 999_999) / 1_000_000);
        int n = LibC.poll(state, pollfds, 2, millis);
        if (n < 0) {
            int errno = LibC.errno(state);
            if (errno == LibC.EINTR) {
                return;
            }
            throw new IOException("poll failed: " + LibC.errnoName(errno));
        }
        if (n == 0) {
            return;
        }
        short wakeEvents = (short) LibC.POLLFD_REVENTS.get(pollfds, second);
        if ((wakeEvents & LibC.POLLIN) != 0) {
            LibC.read(state, eventFd, scratch, 8); // resets the eventfd counter to zero
        }
        short inotifyEvents = (short) LibC.POLLFD_REVENTS.get(pollfds, 0L);
        if ((inotifyEvents & (LibC.POLLERR | LibC.POLLNVAL)) != 0) {
            throw new IOException("inotify fd failed (revents=" + inotifyEvents + ")");
        }
        if ((inotifyEvents & LibC.POLLIN) != 0) {
            for (int reads = 0; reads < 16 && pending.size() < MAX_BUFFERED && readOnce(); reads++) {
                // a bounded number of reads, so that a flood cannot keep requests waiting
            }
        }
        report(sink);
    }

    /** Reports up to {@link #REPORT_BATCH} buffered events, oldest first. I/O thread only. */
    private void report(RawEventSink sink) {
        for (int n = 0; n < REPORT_BATCH; n++) {
            Raw r = pending.pollFirst();
            if (r == null) {
                return;
            }
            unindex(r);
            if (r.wd() == BARRIER) {
                sink.onBarrier(r.token());
            } else {
                sink.onEvent(r.wd(), r.mask(), r.cookie(), r.name(), r.lossy());
            }
        }
    }

    // I/O thread only.
    @Override
    public void drain() throws IOException {
        while (pending.size() < MAX_BUFFERED && readOnce()) {
            // until the kernel's queue is empty
        }
    }

    // I/O thread only.
    @Override
    public int pendingFor(int id, String name) {
        int[] counts = pendingIndex.get(new NameKey(id, name));
        if (counts == null) {
            return 0;
        }
        return (counts[0] > 0 ? Masks.CREATE : 0) | (counts[1] > 0 ? Masks.MOVED_TO : 0)
                | (counts[2] > 0 ? Masks.DELETE : 0) | (counts[3] > 0 ? Masks.MOVED_FROM : 0);
    }

    @Override
    public boolean readsAhead() {
        return true;
    }

    // I/O thread only.
    @Override
    public boolean hasBuffered() {
        return !pending.isEmpty();
    }

    private static int slot(int mask) {
        if ((mask & LibC.IN_CREATE) != 0) {
            return 0;
        }
        if ((mask & LibC.IN_MOVED_TO) != 0) {
            return 1;
        }
        if ((mask & LibC.IN_DELETE) != 0) {
            return 2;
        }
        if ((mask & LibC.IN_MOVED_FROM) != 0) {
            return 3;
        }
        // The watched directory itself (name ""): deleted counts as DELETE, moved as MOVED_FROM.
        if ((mask & LibC.IN_DELETE_SELF) != 0) {
            return 2;
        }
        if ((mask & LibC.IN_MOVE_SELF) != 0) {
            return 3;
        }
        return -1;
    }

    private void buffer(Raw r) {
        pending.addLast(r);
        int slot = slot(r.mask());
        if (slot >= 0 && r.wd() >= 0) {
            pendingIndex.computeIfAbsent(new NameKey(r.wd(), r.name()), k -> new int[4])[slot]++;
        }
    }

    private void unindex(Raw r) {
        int slot = slot(r.mask());
        if (slot >= 0 && r.wd() >= 0) {
            NameKey key = new NameKey(r.wd(), r.name());
            int[] counts = pendingIndex.get(key);
            if (counts != null && --counts[slot] <= 0) {
                counts[slot] = 0;
                if (counts[0] + counts[1] + counts[2] + counts[3] == 0) {
                    pendingIndex.remove(key);
                }
            }
        }
    }

    /** One read(2) of the inotify fd, decoded into {@link #pending}; {@code false} when nothing was queued. */
    // I/O thread only.
    private boolean readOnce() throws IOException {
        long n = LibC.read(state, inotifyFd, buffer, READ_BUFFER);
        if (n < 0) {
            int errno = LibC.errno(state);
            if (errno == LibC.EAGAIN || errno == LibC.EINTR) {
                return false;
            }
            throw new IOException("read from inotify failed: " + LibC.errnoName(errno));
        }
        if (n == 0) {
            return false;
        }
        cursor.reset(buffer, n);
        while (cursor.next()) {
            int wd = cursor.wd();
            int mask = cursor.mask();
            byte[] raw = cursor.nameBytes();
            if ((mask & LibC.IN_Q_OVERFLOW) != 0) {
                buffer(new Raw(-1, mask, 0, "", false, 0));
                releaseBarriers();
                closeWindowPipes(); // their markers may be lost with the rest: start again
                continue;
            }
            int pipe = wd == barrierWd[0] ? 0 : wd == barrierWd[1] ? 1 : -1;
            if (pipe >= 0 && wd >= 0) {
                if ((mask & LibC.IN_MODIFY) != 0) {
                    LibC.read(state, barrierRead[pipe], scratch, 8); // keep the pipe from filling up
                    Long token = barrierTokens.get(pipe).poll();
                    if (token != null) {
                        buffer(new Raw(BARRIER, 0, 0, "", false, token));
                    }
                }
                continue;
            }
            int marker = wd == windowWd[0] ? 0 : wd == windowWd[1] ? 1 : -1;
            if (marker >= 0 && wd >= 0) {
                if ((mask & LibC.IN_MODIFY) != 0) {
                    LibC.read(state, windowRead[marker], scratch, 8);
                    openWindow = marker == 0 ? windows.poll() : null;
                }
                continue;
            }
            if ((mask & LibC.IN_IGNORED) != 0) {
                wdMasks.remove(wd);
            }
            String name = raw.length == 0 ? "" : ExactNames.key(raw); // exact, whatever the bytes
            boolean lossy = ExactNames.hasEscapedBytes(name);
            if (openWindow != null && (mask & READ_BITS) != 0 && (mask & LibC.IN_ISDIR) != 0
                    && openWindow.covers(wd, name)) {
                continue; // the engine's own listing
            }
            buffer(new Raw(wd, mask, cursor.cookie(), name, lossy, 0));
        }
        return true;
    }

    // I/O thread only.
    @Override
    public void listingStarts(int id, int[] parentIds, String[] names) throws IOException {
        listingMarked = false;
        boolean reads = id >= 0 && (wdMasks.getOrDefault(id, 0) & READ_BITS) != 0;
        for (int i = 0; i < parentIds.length && !reads; i++) {
            reads = (wdMasks.getOrDefault(parentIds[i], 0) & READ_BITS) != 0;
        }
        if (!reads) {
            return; // nothing the listing does would be reported
        }
        if (windowWd[0] < 0) {
            openPipes(windowRead, windowWrite, windowWd, "listing markers");
        }
        windows.add(new Window(id, parentIds.clone(), names.clone()));
        writeByte(windowWrite[0]);
        listingMarked = true;
    }

    // I/O thread only.
    @Override
    public void listingEnds() throws IOException {
        if (listingMarked && windowWrite[1] >= 0) {
            writeByte(windowWrite[1]);
        }
        listingMarked = false;
    }

    /** One byte (whatever {@link #scratch} holds) to a marker or barrier pipe. I/O thread only. */
    private void writeByte(int fd) throws IOException {
        if (LibC.write(state, fd, scratch, 1) != 1) {
            throw new IOException("write to a marker pipe failed: " + LibC.errnoName(LibC.errno(state)));
        }
    }

    // I/O thread only.
    @Override
    public void barrier(long token) throws IOException {
        if (barrierWd[0] < 0) {
            openBarrierPipes(); // replaced after an overflow
        }
        int pipe = nextBarrierPipe;
        nextBarrierPipe ^= 1;
        try {
            writeByte(barrierWrite[pipe]);
        } catch (IOException e) {
            throw new IOException("sync: " + e.getMessage(), e);
        }
        barrierTokens.get(pipe).add(token);
    }

    private void openBarrierPipes() throws IOException {
        openPipes(barrierRead, barrierWrite, barrierWd, "the delivery barrier");
    }

    /** Two non-blocking pipes, each watched for IN_MODIFY on this inotify instance. */
    private void openPipes(int[] read, int[] write, int[] wds, String what) throws IOException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment fds = call.allocate(LibC.C_INT, 2);
            for (int i = 0; i < 2; i++) {
                if (LibC.pipe2(state, fds, LibC.O_NONBLOCK | LibC.O_CLOEXEC) != 0) {
                    throw new IOException("pipe2 failed: " + LibC.errnoName(LibC.errno(state)));
                }
                read[i] = fds.getAtIndex(LibC.C_INT, 0);
                write[i] = fds.getAtIndex(LibC.C_INT, 1);
                // /proc/self/fd/N resolves to the pipe's own inode, which inotify can watch.
                wds[i] = addWatch(Path.of("/proc/self/fd/" + write[i]), Masks.MODIFY, 0);
            }
        } catch (IOException e) {
            throw new IOException("cannot set up " + what + " (is /proc mounted?): " + e.getMessage(), e);
        }
    }

    /**
     * After a queue overflow, a barrier's event may have been dropped, so the FIFO pairing of tokens and
     * pipe events no longer holds. The overflow was handled (the engine rescanned) after every barrier
     * still outstanding was requested, so those barriers are released now; the pipes are replaced, so a
     * late event from an old pipe cannot release a newer barrier.
     */
    private void releaseBarriers() {
        closeBarrierPipes();
        for (java.util.ArrayDeque<Long> tokens : barrierTokens) {
            for (Long token = tokens.poll(); token != null; token = tokens.poll()) {
                buffer(new Raw(BARRIER, 0, 0, "", false, token));
            }
        }
    }

    private void closeBarrierPipes() {
        closePipes(barrierRead, barrierWrite, barrierWd);
    }

    private void closeWindowPipes() {
        closePipes(windowRead, windowWrite, windowWd);
        windows.clear();
        openWindow = null;
        listingMarked = false;
    }

    private void closePipes(int[] read, int[] write, int[] wds) {
        for (int i = 0; i < 2; i++) {
            if (wds[i] >= 0 && inotifyFd >= 0) {
                // The watch pins the pipe's inode: remove it explicitly. Its IN_IGNORED names an id the
                // engine does not know, and is dropped there.
                LibC.inotifyRmWatch(state, inotifyFd, wds[i]);
            }
            if (read[i] >= 0) {
                LibC.close(state, read[i]);
                LibC.close(state, write[i]);
            }
            read[i] = write[i] = wds[i] = -1;
        }
    }

    @Override
    public Path privatePath() {
        return null;
    }

    @Override
    public void wakeup() {
        synchronized (wakeLock) {
            if (eventFd < 0) {
                return;
            }
            try (Arena call = Arena.ofConfined()) {
                MemorySegment one = call.allocate(JAVA_LONG);
                one.set(JAVA_LONG, 0, 1L);
                LibC.write(NativeSupport.allocateCallState(call), eventFd, one, 8);
            }
        }
    }

    // I/O thread only.
    @Override
    public void close() {
        if (!arena.scope().isAlive()) {
            return;
        }
        synchronized (wakeLock) {
            if (eventFd >= 0) {
                LibC.close(state, eventFd);
                eventFd = -1;
            }
        }
        if (inotifyFd >= 0) {
            LibC.close(state, inotifyFd);
            inotifyFd = -1;
        }
        closeBarrierPipes();
        closeWindowPipes();
        pending.clear();
        pendingIndex.clear();
        arena.close();
    }
}
