package io.github.fsmon.internal.windows;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds notification buffers byte by byte, as the file system would fill them, for the decoder tests and
 * the simulated kernel32: FILE_NOTIFY_INFORMATION or FILE_NOTIFY_EXTENDED_INFORMATION records, chained by
 * NextEntryOffset, either aligned to {@code alignment} bytes or packed.
 */
final class NotifyRecords {
    record Rec(int action, String name, int attributes, long fileId) {
    }

    private final List<Rec> records = new ArrayList<>();
    private final boolean extended;
    private int alignment = 4;

    NotifyRecords(boolean extended) {
        this.extended = extended;
    }

    static NotifyRecords basic() {
        return new NotifyRecords(false);
    }

    static NotifyRecords extended() {
        return new NotifyRecords(true);
    }

    NotifyRecords alignment(int bytes) {
        this.alignment = bytes;
        return this;
    }

    NotifyRecords add(int action, String name) {
        return add(action, name, Win32Constants.FILE_ATTRIBUTE_NORMAL, 0);
    }

    NotifyRecords add(int action, String name, int attributes, long fileId) {
        records.add(new Rec(action, name, attributes, fileId));
        return this;
    }

    int headerSize() {
        return (int) (extended ? Win32Layouts.FNEI_FILE_NAME : Win32Layouts.FNI_FILE_NAME);
    }

    byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < records.size(); i++) {
            Rec r = records.get(i);
            int nameBytes = r.name().length() * 2;
            int size = headerSize() + nameBytes;
            int padded = (size + alignment - 1) / alignment * alignment;
            boolean last = i == records.size() - 1;
            ByteBuffer b = ByteBuffer.allocate(last ? size : padded).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(0, last ? 0 : padded);
            b.putInt(4, r.action());
            if (extended) {
                b.putInt((int) Win32Layouts.FNEI_FILE_ATTRIBUTES, r.attributes());
                b.putLong((int) Win32Layouts.FNEI_FILE_ID, r.fileId());
                b.putInt((int) Win32Layouts.FNEI_FILE_NAME_LENGTH, nameBytes);
            } else {
                b.putInt((int) Win32Layouts.FNI_FILE_NAME_LENGTH, nameBytes);
            }
            for (int c = 0; c < r.name().length(); c++) {
                b.putChar(headerSize() + 2 * c, r.name().charAt(c));
            }
            out.writeBytes(b.array());
        }
        return out.toByteArray();
    }

    /** The records copied into a new segment of {@code capacity} bytes at {@code offset} (to misalign them). */
    static MemorySegment into(Arena arena, byte[] bytes, long capacity, long offset) {
        MemorySegment s = arena.allocate(capacity + offset, 8).asSlice(offset, capacity);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, s, 0, bytes.length);
        return s;
    }
}
