package io.github.fsmon.internal.linux;

import io.github.fsmon.internal.ffm.NativeSupport;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Raw bindings to the few libc functions the inotify backend needs, nothing more. Every call takes a
 * call-state segment first ({@link NativeSupport#allocateCallState}) in which {@code errno} is captured
 * by the same downcall; translation into Java exceptions is the backend's job.
 *
 * <p>Constant values are those of Linux's generic ABI (x86_64 and aarch64): {@code <sys/inotify.h>},
 * {@code <sys/eventfd.h>}, {@code <poll.h>}, {@code <asm-generic/errno-base.h>}, {@code <asm-generic/errno.h>}.
 */
public final class LibC {
    private LibC() {
    }

    // <sys/inotify.h>: event bits
    public static final int IN_ACCESS = 0x0000_0001;
    public static final int IN_MODIFY = 0x0000_0002;
    public static final int IN_ATTRIB = 0x0000_0004;
    public static final int IN_CLOSE_WRITE = 0x0000_0008;
    public static final int IN_CLOSE_NOWRITE = 0x0000_0010;
    public static final int IN_OPEN = 0x0000_0020;
    public static final int IN_MOVED_FROM = 0x0000_0040;
    public static final int IN_MOVED_TO = 0x0000_0080;
    public static final int IN_CREATE = 0x0000_0100;
    public static final int IN_DELETE = 0x0000_0200;
    public static final int IN_DELETE_SELF = 0x0000_0400;
    public static final int IN_MOVE_SELF = 0x0000_0800;
    public static final int IN_UNMOUNT = 0x0000_2000;
    public static final int IN_Q_OVERFLOW = 0x0000_4000;
    public static final int IN_IGNORED = 0x0000_8000;
    // <sys/inotify.h>: flags for inotify_add_watch
    public static final int IN_ONLYDIR = 0x0100_0000;
    public static final int IN_DONT_FOLLOW = 0x0200_0000;
    public static final int IN_EXCL_UNLINK = 0x0400_0000;
    public static final int IN_MASK_ADD = 0x2000_0000;
    public static final int IN_ISDIR = 0x4000_0000;
    public static final int IN_ONESHOT = 0x8000_0000;
    // <sys/inotify.h>: flags for inotify_init1 (equal to O_NONBLOCK and O_CLOEXEC)
    public static final int IN_NONBLOCK = 0x800;
    public static final int IN_CLOEXEC = 0x8_0000;
    // <sys/eventfd.h>
    public static final int EFD_NONBLOCK = 0x800;
    public static final int EFD_CLOEXEC = 0x8_0000;
    // <fcntl.h>: flags for pipe2
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x8_0000;
    public static final java.lang.foreign.ValueLayout.OfInt C_INT = JAVA_INT;
    // <fcntl.h>: O_PATH (010000000 octal) is the same on x86_64 and aarch64, unlike O_DIRECTORY
    public static final int O_PATH = 0x20_0000;
    // <fcntl.h>: for the *at functions
    public static final int AT_FDCWD = -100;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    // <linux/stat.h>: statx mask bits
    public static final int STATX_BASIC_STATS = 0x7ff;
    // <poll.h>
    public static final short POLLIN = 0x1;
    public static final short POLLERR = 0x8;
    public static final short POLLHUP = 0x10;
    public static final short POLLNVAL = 0x20;
    // errno values
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int ENOTDIR = 20;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int ENOSPC = 28;
    public static final int ENAMETOOLONG = 36;
    public static final int ELOOP = 40;

    /**
     * <pre>{@code
     * struct pollfd {
     *     int   fd;
     *     short events;
     *     short revents;
     * };
     * }</pre>
     */
    public static final StructLayout POLLFD = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"),
            JAVA_SHORT.withName("events"),
            JAVA_SHORT.withName("revents")).withName("pollfd");
    public static final VarHandle POLLFD_FD = POLLFD.varHandle(MemoryLayout.PathElement.groupElement("fd"));
    public static final VarHandle POLLFD_EVENTS = POLLFD.varHandle(MemoryLayout.PathElement.groupElement("events"));
    public static final VarHandle POLLFD_REVENTS = POLLFD.varHandle(MemoryLayout.PathElement.groupElement("revents"));

    private static final SymbolLookup C = NativeSupport.defaultLookup();

    /** {@code int inotify_init1(int flags);} */
    private static final MethodHandle INOTIFY_INIT1 = NativeSupport.downcall(C, "inotify_init1",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), "errno");
    /** {@code int inotify_add_watch(int fd, const char *pathname, uint32_t mask);} */
    private static final MethodHandle INOTIFY_ADD_WATCH = NativeSupport.downcall(C, "inotify_add_watch",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), "errno");
    /** {@code int inotify_rm_watch(int fd, int wd);} */
    private static final MethodHandle INOTIFY_RM_WATCH = NativeSupport.downcall(C, "inotify_rm_watch",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), "errno");
    /** {@code int eventfd(unsigned int initval, int flags);} */
    private static final MethodHandle EVENTFD = NativeSupport.downcall(C, "eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), "errno");
    /** {@code ssize_t read(int fd, void *buf, size_t count);} */
    private static final MethodHandle READ = NativeSupport.downcall(C, "read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), "errno");
    /** {@code ssize_t write(int fd, const void *buf, size_t count);} */
    private static final MethodHandle WRITE = NativeSupport.downcall(C, "write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), "errno");
    /** {@code int close(int fd);} */
    private static final MethodHandle CLOSE = NativeSupport.downcall(C, "close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), "errno");
    /** {@code int pipe2(int pipefd[2], int flags);} */
    private static final MethodHandle PIPE2 = NativeSupport.downcall(C, "pipe2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), "errno");
    /** {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout);} (nfds_t is unsigned long) */
    private static final MethodHandle POLL = NativeSupport.downcall(C, "poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), "errno");

    /** {@code int open(const char *pathname, int flags, ...);} (variadic: the mode after the flags) */
    private static final MethodHandle OPEN = NativeSupport.downcall(C, "open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), "errno", 2);
    /**
     * {@code int statx(int dirfd, const char *restrict pathname, int flags, unsigned int mask,
     * struct statx *restrict statxbuf);} (glibc 2.28 and later; {@link Statx} is the buffer's layout)
     */
    private static final MethodHandle STATX = NativeSupport.optionalDowncall(C, "statx",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), "errno");

    /** Whether this C library has {@code statx} (glibc before 2.28 does not). */
    public static boolean hasStatx() {
        return STATX != null;
    }

    public static int open(MemorySegment state, MemorySegment path, int flags) {
        try {
            return (int) OPEN.invokeExact(state, path, flags, 0);
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    public static int statx(MemorySegment state, int dirfd, MemorySegment path, int flags, int mask,
                            MemorySegment buf) {
        try {
            return (int) STATX.invokeExact(state, dirfd, path, flags, mask, buf);
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    public static int inotifyInit1(MemorySegment state, int flags) {
        try {
            return (int) INOTIFY_INIT1.invokeExact(state, flags);
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    public static int inotifyAddWatch(MemorySegment state, int fd, MemorySegment path, int mask) {
        try {
            return (int) INOTIFY_ADD_WATCH.invokeExact(state, fd, path, mask);
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    public static int inotifyRmWatch(MemorySegment state, int fd, int wd) {
        try {
            return (int) INOTIFY_RM_WATCH.invokeExact(state, fd, wd);
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    public static int eventfd(MemorySegment state, int initval, int flags) {
        try {
            return (int) EVENTFD.invokeExact(state, initval, flags);
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    public static long read(MemorySegment state, int fd, MemorySegment buf, long count) {
        try {
            return (long) READ.invokeExact(state, fd, buf, count);
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    public static long write(MemorySegment state, int fd, MemorySegment buf, long count) {
        try {
            return (long) WRITE.invokeExact(state, fd, buf, count);
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    public static int close(MemorySegment state, int fd) {
        try {
            return (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    /** {@code fds} receives two ints: the read end, then the write end. */
    public static int pipe2(MemorySegment state, MemorySegment fds, int flags) {
        try {
            return (int) PIPE2.invokeExact(state, fds, flags);
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    public static int poll(MemorySegment state, MemorySegment fds, long nfds, int timeoutMillis) {
        try {
            return (int) POLL.invokeExact(state, fds, nfds, timeoutMillis);
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    /** The {@code errno} captured by the last call that used {@code state}. */
    public static int errno(MemorySegment state) {
        return NativeSupport.capturedValue(state, "errno");
    }

    /** Short symbolic name of an errno value, for messages. */
    public static String errnoName(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case EINTR -> "EINTR";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES";
            case ENOTDIR -> "ENOTDIR";
            case EINVAL -> "EINVAL";
            case ENFILE -> "ENFILE";
            case EMFILE -> "EMFILE";
            case ENOSPC -> "ENOSPC";
            case ENAMETOOLONG -> "ENAMETOOLONG";
            case ELOOP -> "ELOOP";
            default -> "errno " + errno;
        };
    }
}
