package io.github.fsmon.internal.windows;

import java.lang.foreign.MemorySegment;

import static io.github.fsmon.internal.windows.Win32Layouts.DWORD_UNALIGNED;
import static io.github.fsmon.internal.windows.Win32Layouts.LARGE_INTEGER_UNALIGNED;
import static io.github.fsmon.internal.windows.Win32Layouts.WCHAR_UNALIGNED;

/**
 * A cursor over the records {@code ReadDirectoryChangesW} (FILE_NOTIFY_INFORMATION) or
 * {@code ReadDirectoryChangesExW} with {@code ReadDirectoryNotifyExtendedInformation}
 * (FILE_NOTIFY_EXTENDED_INFORMATION) wrote into a buffer; see {@link Win32Layouts} for both layouts.
 *
 * <p>Usage: {@code for (c.reset(buf, n, extended); c.next(); ) { c.action(); c.name(); ... }}. Every field
 * is read with unaligned accessors. A record whose header or name would reach past the {@code filled}
 * bytes, or whose {@code NextEntryOffset} points backwards, into its own name, or past the filled bytes,
 * stops the iteration with {@link IllegalStateException}: nothing outside the filled part of the buffer
 * is ever read.
 */
public final class FileNotifyInformation {
    private MemorySegment buffer;
    private long limit;
    private boolean extended;
    private long offset;
    private long nextOffset;
    private boolean last;

    /** Starts reading the first {@code filled} bytes of {@code buffer}, in the basic or extended format. */
    public void reset(MemorySegment buffer, long filled, boolean extended) {
        if (filled < 0 || filled > buffer.byteSize()) {
            throw new IllegalArgumentException("filled " + filled + " outside buffer of " + buffer.byteSize());
        }
        this.buffer = buffer;
        this.limit = filled;
        this.extended = extended;
        this.offset = -1;
        this.nextOffset = 0;
        this.last = filled == 0;
    }

    private long headerSize() {
        return extended ? Win32Layouts.FNEI_FILE_NAME : Win32Layouts.FNI_FILE_NAME;
    }

    private long nameLengthField() {
        return extended ? Win32Layouts.FNEI_FILE_NAME_LENGTH : Win32Layouts.FNI_FILE_NAME_LENGTH;
    }

    /** Moves to the next record; {@code false} after the last one. */
    public boolean next() {
        if (last) {
            return false;
        }
        long at = nextOffset;
        if (at + headerSize() > limit) {
            throw new IllegalStateException("truncated notification record at offset " + at + " of " + limit);
        }
        long nameLength = Integer.toUnsignedLong(buffer.get(DWORD_UNALIGNED, at + nameLengthField()));
        if ((nameLength & 1) != 0 || nameLength > limit - at - headerSize()) {
            throw new IllegalStateException("notification record at offset " + at + " claims a name of "
                    + nameLength + " bytes, past the " + limit + " bytes filled");
        }
        long next = Integer.toUnsignedLong(buffer.get(DWORD_UNALIGNED, at + Win32Layouts.FNI_NEXT_ENTRY_OFFSET));
        if (next == 0) {
            last = true;
        } else if (next < headerSize() + nameLength || next > limit - at) {
            throw new IllegalStateException("notification record at offset " + at + " has NextEntryOffset "
                    + next + ", inside itself or past the " + limit + " bytes filled");
        }
        offset = at;
        nextOffset = at + next;
        return true;
    }

    /** {@code FILE_ACTION_*}. */
    public int action() {
        return buffer.get(DWORD_UNALIGNED, offset + Win32Layouts.FNI_ACTION);
    }

    /** The name relative to the watched directory, components separated by {@code '\'}; may be empty. */
    public String name() {
        long length = Integer.toUnsignedLong(buffer.get(DWORD_UNALIGNED, offset + nameLengthField()));
        long start = offset + headerSize();
        char[] chars = new char[(int) (length / 2)];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = buffer.get(WCHAR_UNALIGNED, start + 2L * i);
        }
        return new String(chars);
    }

    /** Whether the records carry FILE_NOTIFY_EXTENDED_INFORMATION (attributes and file ids). */
    public boolean extended() {
        return extended;
    }

    /** {@code FileAttributes} (extended records only). */
    public int attributes() {
        requireExtended();
        return buffer.get(DWORD_UNALIGNED, offset + Win32Layouts.FNEI_FILE_ATTRIBUTES);
    }

    /** {@code FileId} (extended records only). */
    public long fileId() {
        requireExtended();
        return buffer.get(LARGE_INTEGER_UNALIGNED, offset + Win32Layouts.FNEI_FILE_ID);
    }

    /** {@code ParentFileId} (extended records only). */
    public long parentFileId() {
        requireExtended();
        return buffer.get(LARGE_INTEGER_UNALIGNED, offset + Win32Layouts.FNEI_PARENT_FILE_ID);
    }

    /** Byte offset of the current record, for messages. */
    public long offset() {
        return offset;
    }

    private void requireExtended() {
        if (!extended) {
            throw new IllegalStateException("FILE_NOTIFY_INFORMATION has no attributes or file ids");
        }
    }
}
