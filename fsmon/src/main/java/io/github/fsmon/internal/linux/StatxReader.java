package io.github.fsmon.internal.linux;

import io.github.fsmon.internal.ffm.NativeSupport;
import io.github.fsmon.internal.poll.PollingBackend.Stat;
import io.github.fsmon.internal.poll.StatReader;
import io.github.fsmon.internal.spi.ExactNames;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The polling backend's attribute reader on Linux: {@code statx(2)} of each entry relative to an
 * {@code O_PATH} descriptor of its directory, so the kernel resolves one short name instead of the whole
 * path, and the ctime and (where the file system keeps one) the birth time come with the rest. Measured on a 100,000-file tree it is faster than the JDK's own
 * walk, where the JDK's attribute view with the ctime is about half as fast again.
 *
 * <p>Names come from the JDK's directory listing and are passed to the kernel with their exact bytes
 * ({@link ExactNames}), valid UTF-8 or not, and keyed by their exact keys. Buffers live in an arena made
 * on the first call, on the I/O thread, and freed by {@link #close()}.
 */
public final class StatxReader implements StatReader {
    /** A file's identity as {@code statx} and the JDK's {@code unix:} view both give it. */
    record FileId(long dev, long ino) {
    }

    private static final int MAX_PATH = 4096; // PATH_MAX, with its NUL

    private Arena arena;
    private MemorySegment state;
    private MemorySegment buf;
    private MemorySegment name;

    /** Whether this reader can work in this JVM: Linux, native access, and a C library with statx. */
    public static boolean isSupported() {
        try {
            return InotifyBackend.isSupported() && LibC.hasStatx();
        } catch (Throwable t) {
            return false;
        }
    }

    // I/O thread only, from here on.
    private void ensureBuffers() {
        if (arena == null) {
            arena = Arena.ofConfined();
            state = NativeSupport.allocateCallState(arena);
            buf = arena.allocate(Statx.LAYOUT);
            name = arena.allocate(MAX_PATH);
        }
    }

    @Override
    public Stat stat(Path path, boolean follow, boolean ctime) throws AccessDeniedException {
        ensureBuffers();
        if (!putName(ExactNames.bytes(path))) {
            return null; // past PATH_MAX: the kernel would refuse it too
        }
        int rc = LibC.statx(state, LibC.AT_FDCWD, name, follow ? 0 : LibC.AT_SYMLINK_NOFOLLOW, MASK, buf);
        if (rc != 0 && LibC.errno(state) == LibC.EACCES) {
            throw new AccessDeniedException(path.toString());
        }
        return rc == 0 ? fromBuffer() : null;
    }

    private static final int MASK = LibC.STATX_BASIC_STATS | Statx.STATX_BTIME;

    @Override
    public Map<String, Stat> list(Path dir, boolean ctime) throws AccessDeniedException {
        Map<String, Stat> out = new HashMap<>();
        ensureBuffers();
        // A directory whose path does not fit PATH_MAX is read entry by entry through the JDK.
        int fd = -1;
        if (putName(ExactNames.bytes(dir))) {
            fd = LibC.open(state, name, LibC.O_PATH | LibC.O_CLOEXEC);
            if (fd < 0 && LibC.errno(state) == LibC.EACCES) {
                throw new AccessDeniedException(dir.toString());
            }
            if (fd < 0) {
                return out; // gone: the directory's own stat tells the rest
            }
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String n = ExactNames.key(p);
                Stat s;
                if (fd < 0 || !putName(ExactNames.keyBytes(n))) {
                    s = viaJdk(p, false);
                } else if (LibC.statx(state, fd, name, LibC.AT_SYMLINK_NOFOLLOW, MASK, buf) == 0) {
                    s = fromBuffer();
                } else if (LibC.errno(state) == LibC.EACCES) {
                    // listed, but its entries may not be looked at (a mode with r and without x)
                    throw new AccessDeniedException(dir.toString());
                } else {
                    s = null;
                }
                if (s != null) { // gone between the listing and the stat: the next scan sees it, or not
                    out.put(n, s);
                }
            }
        } catch (AccessDeniedException e) {
            throw e;
        } catch (DirectoryIteratorException e) {
            if (e.getCause() instanceof AccessDeniedException denied) {
                throw denied;
            }
            // gone while listed: what was read so far; the directory's own stat tells the rest
        } catch (IOException e) {
            // gone: the directory's own stat tells the rest
        } finally {
            if (fd >= 0) {
                LibC.close(state, fd);
            }
        }
        return out;
    }

    /** Copies {@code bytes} NUL-terminated into the name buffer; false if they do not fit. */
    private boolean putName(byte[] bytes) {
        if (bytes.length >= MAX_PATH) {
            return false;
        }
        MemorySegment.copy(bytes, 0, name, ValueLayout.JAVA_BYTE, 0, bytes.length);
        name.set(ValueLayout.JAVA_BYTE, bytes.length, (byte) 0);
        return true;
    }

    private Stat fromBuffer() {
        return new Stat(Statx.fileType(buf) == Statx.S_IFDIR, Statx.size(buf), Statx.mtimeNanos(buf),
                Statx.ctimeNanos(buf), Statx.btimeNanos(buf, Stat.NO_BIRTH), new FileId(Statx.dev(buf), Statx.ino(buf)),
                Stat.NO_CONTENT);
    }

    /** The same attributes and the same kind of key, through the JDK's {@code unix:} view. */
    static Stat viaJdk(Path p, boolean follow) throws AccessDeniedException {
        String wanted = "unix:mode,size,lastModifiedTime,creationTime,ctime,dev,ino";
        try {
            Map<String, Object> a = follow
                    ? Files.readAttributes(p, wanted)
                    : Files.readAttributes(p, wanted, LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            FileTime mtime = (FileTime) a.get("lastModifiedTime");
            return new Stat((mode & Statx.S_IFMT) == Statx.S_IFDIR, (Long) a.get("size"),
                    mtime.to(TimeUnit.NANOSECONDS), ((FileTime) a.get("ctime")).to(TimeUnit.NANOSECONDS),
                    Stat.birth((FileTime) a.get("creationTime")),
                    new FileId((Long) a.get("dev"), (Long) a.get("ino")), Stat.NO_CONTENT);
        } catch (AccessDeniedException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public void close() {
        if (arena != null) {
            arena.close();
            arena = null;
        }
    }
}
