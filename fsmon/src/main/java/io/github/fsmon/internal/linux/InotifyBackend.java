package io.github.fsmon.internal.linux;

import io.github.fsmon.Backend;
import io.github.fsmon.WatchLimitException;
import io.github.fsmon.internal.core.Masks;
import io.github.fsmon.internal.core.OsWatcher;
import io.github.fsmon.internal.core.RawEventSink;
import io.github.fsmon.internal.ffm.NativeSupport;
import io.github.fsmon.internal.spi.ExactNames;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
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
    private static final String MAX_USER_WATCHES = "fs.inotify.max_user_watches";
    private static final String MAX_USER_INSTANCES = "fs.inotify.max_user_instances";
    // The same limits per user namespace (Linux 5.11+): a container's own, possibly lower, than the host's.
    private static final String NS_MAX_WATCHES = "user.max_inotify_watches";
    private static final String NS_MAX_INSTANCES = "user.max_inotify_instances";

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
                    throw limitReached("inotify", MAX_USER_INSTANCES, NS_MAX_INSTANCES, 1);
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
                return wd;
            }
        }
        int errno = LibC.errno(state);
        String p = path.toString();
        throw switch (errno) {
            case LibC.ENOENT -> new NoSuchFileException(p);
            case LibC.ENOTDIR -> new NotDirectoryException(p);
            case LibC.EACCES, LibC.EPERM -> new AccessDeniedException(p);
            case LibC.ENOSPC -> limitReached(p, MAX_USER_WATCHES, NS_MAX_WATCHES, -1);
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
            readEvents(sink);
        }
    }

    // I/O thread only.
    private void readEvents(RawEventSink sink) throws IOException {
        long n = LibC.read(state, inotifyFd, buffer, READ_BUFFER);
        if (n < 0) {
            int errno = LibC.errno(state);
            if (errno == LibC.EAGAIN || errno == LibC.EINTR) {
                return;
            }
            throw new IOException("read from inotify failed: " + LibC.errnoName(errno));
        }
        cursor.reset(buffer, n);
        while (cursor.next()) {
            int wd = cursor.wd();
            int mask = cursor.mask();
            byte[] raw = cursor.nameBytes();
            if ((mask & LibC.IN_Q_OVERFLOW) != 0) {
                sink.onEvent(-1, mask, 0, "", false);
                releaseBarriers(sink);
                continue;
            }
            int pipe = wd == barrierWd[0] ? 0 : wd == barrierWd[1] ? 1 : -1;
            if (pipe >= 0 && wd >= 0) {
                if ((mask & LibC.IN_MODIFY) != 0) {
                    LibC.read(state, barrierRead[pipe], scratch, 1); // keep the pipe from filling up
                    Long token = barrierTokens.get(pipe).poll();
                    if (token != null) {
                        sink.onBarrier(token);
                    }
                }
                continue;
            }
            String name = raw.length == 0 ? "" : ExactNames.key(raw); // exact, whatever the bytes
            sink.onEvent(wd, mask, cursor.cookie(), name, ExactNames.hasEscapedBytes(name));
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
        try (Arena call = Arena.ofConfined()) {
            MemorySegment one = call.allocate(1);
            if (LibC.write(state, barrierWrite[pipe], one, 1) != 1) {
                throw new IOException("sync: write to barrier pipe failed: " + LibC.errnoName(LibC.errno(state)));
            }
        }
        barrierTokens.get(pipe).add(token);
    }

    private void openBarrierPipes() throws IOException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment fds = call.allocate(LibC.C_INT, 2);
            for (int i = 0; i < 2; i++) {
                if (LibC.pipe2(state, fds, LibC.O_NONBLOCK | LibC.O_CLOEXEC) != 0) {
                    throw new IOException("sync: pipe2 failed: " + LibC.errnoName(LibC.errno(state)));
                }
                barrierRead[i] = fds.getAtIndex(LibC.C_INT, 0);
                barrierWrite[i] = fds.getAtIndex(LibC.C_INT, 1);
                // /proc/self/fd/N resolves to the pipe's own inode, which inotify can watch.
                barrierWd[i] = addWatch(Path.of("/proc/self/fd/" + barrierWrite[i]), Masks.MODIFY, 0);
            }
        } catch (IOException e) {
            throw new IOException("sync: cannot set up the delivery barrier (is /proc mounted?): " + e.getMessage(), e);
        }
    }

    /**
     * After a queue overflow, a barrier's event may have been dropped, so the FIFO pairing of tokens and
     * pipe events no longer holds. The overflow was handled (the engine rescanned) after every barrier
     * still outstanding was requested, so those barriers are released now; the pipes are replaced, so a
     * late event from an old pipe cannot release a newer barrier.
     */
    private void releaseBarriers(RawEventSink sink) {
        closeBarrierPipes();
        for (java.util.ArrayDeque<Long> tokens : barrierTokens) {
            for (Long token = tokens.poll(); token != null; token = tokens.poll()) {
                sink.onBarrier(token);
            }
        }
    }

    private void closeBarrierPipes() {
        for (int i = 0; i < 2; i++) {
            if (barrierWd[i] >= 0 && inotifyFd >= 0) {
                // The watch pins the pipe's inode: remove it explicitly. Its IN_IGNORED names an id the
                // engine does not know, and is dropped there.
                LibC.inotifyRmWatch(state, inotifyFd, barrierWd[i]);
            }
            if (barrierRead[i] >= 0) {
                LibC.close(state, barrierRead[i]);
                LibC.close(state, barrierWrite[i]);
            }
            barrierRead[i] = barrierWrite[i] = barrierWd[i] = -1;
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
        arena.close();
    }

    /**
     * The limit that was hit: the global sysctl, or the user namespace's own one when that is lower (in a
     * container, {@code fs.inotify.*} shows the host's value while the namespace's is what binds).
     */
    static WatchLimitException limitReached(String path, String global, String perNamespace, long needed) {
        long g = readLimit(global);
        long ns = readLimit(perNamespace);
        if (ns >= 0 && (g < 0 || ns < g)) {
            return new WatchLimitException(path, perNamespace, ns, needed);
        }
        return new WatchLimitException(path, global, g, needed);
    }

    /** Reads a sysctl under {@code /proc/sys} (dots for slashes) for messages; -1 when unreadable. */
    static long readLimit(String sysctl) {
        try {
            // Not Files.readString: /proc files report size 0, and it then returns a truncated value.
            return Long.parseLong(Files.readAllLines(Path.of("/proc/sys", sysctl.replace('.', '/'))).get(0).trim());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

}
