package io.github.fsmon.internal.linux;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A cursor over the records the kernel wrote into an inotify read buffer.
 *
 * <pre>{@code
 * struct inotify_event {
 *     int      wd;       // watch descriptor
 *     uint32_t mask;     // IN_* bits
 *     uint32_t cookie;   // links IN_MOVED_FROM and IN_MOVED_TO of one rename
 *     uint32_t len;      // size of name, including NUL padding
 *     char     name[];   // optional NUL-terminated name, padded to an alignment boundary
 * };
 * }</pre>
 *
 * <p>Usage: {@code for (c.reset(buf, n); c.next(); ) { c.wd(); ... }}. A record that claims more bytes than
 * were read stops the iteration with {@link IllegalStateException}; nothing outside the filled part of
 * the buffer is ever read.
 */
public final class InotifyEvent {
    /** The fixed part of {@code struct inotify_event}. */
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("wd"),
            JAVA_INT.withName("mask"),
            JAVA_INT.withName("cookie"),
            JAVA_INT.withName("len")).withName("inotify_event");
    public static final long HEADER_SIZE = LAYOUT.byteSize();
    /** {@code NAME_MAX}: the longest name one record can carry. */
    public static final int NAME_MAX = 255;
    /** The smallest buffer that is sure to hold one record ({@code sizeof(struct inotify_event) + NAME_MAX + 1}). */
    public static final long MIN_BUFFER = HEADER_SIZE + NAME_MAX + 1;

    private static final VarHandle WD = LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("wd"));
    private static final VarHandle MASK = LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("mask"));
    private static final VarHandle COOKIE = LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("cookie"));
    private static final VarHandle LEN = LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("len"));

    private MemorySegment buffer;
    private long limit;
    private long offset;
    private long nextOffset;

    /** Starts reading the first {@code filled} bytes of {@code buffer}. */
    public void reset(MemorySegment buffer, long filled) {
        if (filled < 0 || filled > buffer.byteSize()) {
            throw new IllegalArgumentException("filled " + filled + " outside buffer of " + buffer.byteSize());
        }
        this.buffer = buffer;
        this.limit = filled;
        this.offset = -1;
        this.nextOffset = 0;
    }

    /** Moves to the next record; {@code false} at the end of the filled bytes. */
    public boolean next() {
        if (nextOffset >= limit) {
            return false;
        }
        if (limit - nextOffset < HEADER_SIZE) {
            throw new IllegalStateException("truncated inotify_event header at offset " + nextOffset);
        }
        long len = Integer.toUnsignedLong((int) LEN.get(buffer, nextOffset));
        if (len > limit - nextOffset - HEADER_SIZE) {
            throw new IllegalStateException("inotify_event at offset " + nextOffset + " claims " + len
                    + " name bytes, past the " + limit + " bytes read");
        }
        offset = nextOffset;
        nextOffset = offset + HEADER_SIZE + len;
        return true;
    }

    public int wd() {
        return (int) WD.get(buffer, offset);
    }

    public int mask() {
        return (int) MASK.get(buffer, offset);
    }

    public int cookie() {
        return (int) COOKIE.get(buffer, offset);
    }

    /** The name's bytes without the NUL padding; empty for events on the watched inode itself. */
    public byte[] nameBytes() {
        long len = Integer.toUnsignedLong((int) LEN.get(buffer, offset));
        long start = offset + HEADER_SIZE;
        long n = 0;
        while (n < len && buffer.get(JAVA_BYTE, start + n) != 0) {
            n++;
        }
        return buffer.asSlice(start, n).toArray(JAVA_BYTE);
    }
}
