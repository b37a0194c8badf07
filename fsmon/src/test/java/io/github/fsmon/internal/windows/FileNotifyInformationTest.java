package io.github.fsmon.internal.windows;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static io.github.fsmon.internal.windows.Win32Constants.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileNotifyInformationTest {
    private final FileNotifyInformation cursor = new FileNotifyInformation();

    private List<String> decode(MemorySegment buffer, long filled, boolean extended) {
        List<String> out = new ArrayList<>();
        cursor.reset(buffer, filled, extended);
        while (cursor.next()) {
            out.add(cursor.action() + ":" + cursor.name()
                    + (extended ? ":" + Integer.toHexString(cursor.attributes()) + ":" + cursor.fileId() : ""));
        }
        return out;
    }

    private List<String> decode(byte[] bytes, boolean extended) {
        try (Arena arena = Arena.ofConfined()) {
            return decode(NotifyRecords.into(arena, bytes, bytes.length, 0), bytes.length, extended);
        }
    }

    @Test
    void chainedRecordsAlignedToDwords() {
        byte[] b = NotifyRecords.basic().add(FILE_ACTION_ADDED, "a.txt").add(FILE_ACTION_MODIFIED, "sub\\bb")
                .add(FILE_ACTION_RENAMED_OLD_NAME, "c").add(FILE_ACTION_RENAMED_NEW_NAME, "dd").bytes();
        // "a.txt": 12 + 10 = 22, padded to 24: the second record starts at 24
        assertThat(ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(0)).isEqualTo(24);
        assertThat(decode(b, false)).containsExactly("1:a.txt", "3:sub\\bb", "4:c", "5:dd");
    }

    @Test
    void packedOffsetsAreReadUnaligned() {
        byte[] b = NotifyRecords.basic().alignment(1).add(FILE_ACTION_ADDED, "abc").add(FILE_ACTION_REMOVED, "x")
                .add(FILE_ACTION_ADDED, "yz").bytes();
        assertThat(ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(0)).isEqualTo(18);
        assertThat(decode(b, false)).containsExactly("1:abc", "2:x", "1:yz");
    }

    @Test
    void bufferThatStartsOnAnOddAddress() {
        byte[] b = NotifyRecords.basic().add(FILE_ACTION_ADDED, "odd").add(FILE_ACTION_REMOVED, "start").bytes();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = NotifyRecords.into(arena, b, 256, 3);
            assertThat(s.address() % 4).isNotZero();
            assertThat(decode(s, b.length, false)).containsExactly("1:odd", "2:start");
        }
    }

    @Test
    void surrogatePairsAndNonAsciiNames() {
        String emoji = "n\uD83D\uDE00te"; // U+1F600 as a surrogate pair
        byte[] b = NotifyRecords.basic().add(FILE_ACTION_ADDED, emoji).add(FILE_ACTION_ADDED, "Grüße\\日本")
                .add(FILE_ACTION_ADDED, "lone\uD800").bytes();
        assertThat(decode(b, false)).containsExactly("1:" + emoji, "1:Grüße\\日本", "1:lone\uD800");
    }

    @Test
    void zeroLengthName() {
        byte[] b = NotifyRecords.basic().add(FILE_ACTION_MODIFIED, "").add(FILE_ACTION_ADDED, "after").bytes();
        assertThat(decode(b, false)).containsExactly("3:", "1:after");
    }

    @Test
    void extendedRecordsCarryAttributesAndIds() {
        byte[] b = NotifyRecords.extended().add(FILE_ACTION_ADDED, "dir", FILE_ATTRIBUTE_DIRECTORY, 42)
                .add(FILE_ACTION_MODIFIED, "f", FILE_ATTRIBUTE_NORMAL, 0x1234_5678_9ABCL).alignment(8).bytes();
        assertThat(decode(b, true)).containsExactly("1:dir:10:42", "3:f:80:" + 0x1234_5678_9ABCL);
    }

    @Test
    void nextEntryOffsetPastTheFilledBytesIsRejected() {
        byte[] b = NotifyRecords.basic().add(FILE_ACTION_ADDED, "one").add(FILE_ACTION_ADDED, "two").bytes();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(0, b.length + 4);
        try (Arena arena = Arena.ofConfined()) {
            // The buffer is larger than what was filled: the bytes past 'filled' must not be read.
            MemorySegment s = NotifyRecords.into(arena, b, 4096, 0);
            cursor.reset(s, b.length, false);
            assertThatThrownBy(cursor::next).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("NextEntryOffset");
        }
    }

    @Test
    void nextEntryOffsetInsideItsOwnRecordIsRejected() {
        byte[] b = NotifyRecords.basic().add(FILE_ACTION_ADDED, "long-name").add(FILE_ACTION_ADDED, "x").bytes();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 8);
        cursor.reset(MemorySegment.ofArray(b), b.length, false);
        assertThatThrownBy(cursor::next).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void nameLengthPastTheFilledBytesIsRejected() {
        byte[] b = NotifyRecords.basic().add(FILE_ACTION_ADDED, "abc").bytes();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 1000);
        cursor.reset(MemorySegment.ofArray(b), b.length, false);
        assertThatThrownBy(cursor::next).isInstanceOf(IllegalStateException.class).hasMessageContaining("name");
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 3); // odd: not whole WCHARs
        cursor.reset(MemorySegment.ofArray(b), b.length, false);
        assertThatThrownBy(cursor::next).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void truncatedHeaderIsRejected() {
        byte[] b = NotifyRecords.basic().add(FILE_ACTION_ADDED, "abc").bytes();
        cursor.reset(MemorySegment.ofArray(b), 10, false);
        assertThatThrownBy(cursor::next).isInstanceOf(IllegalStateException.class).hasMessageContaining("truncated");
        cursor.reset(MemorySegment.ofArray(b), 0, false);
        assertThat(cursor.next()).isFalse(); // nothing filled: no records
    }

    @Test
    void fullSixtyFourKilobyteBuffer() {
        NotifyRecords r = NotifyRecords.basic();
        // 12 + 2*26 = 64 bytes a record: exactly 1024 of them fill 64 KiB.
        for (int i = 0; i < 1024; i++) {
            r.add(FILE_ACTION_ADDED, String.format("file-%021d", i));
        }
        byte[] b = r.bytes();
        assertThat(b.length).isEqualTo(64 * 1024);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = NotifyRecords.into(arena, b, b.length, 0);
            List<String> names = decode(s, b.length, false);
            assertThat(names).hasSize(1024);
            assertThat(names.get(1023)).isEqualTo("1:" + String.format("file-%021d", 1023));
        }
    }

    @Test
    void basicAccessorsRefuseExtendedFields() {
        byte[] b = NotifyRecords.basic().add(FILE_ACTION_ADDED, "a").bytes();
        cursor.reset(MemorySegment.ofArray(b), b.length, false);
        assertThat(cursor.next()).isTrue();
        assertThatThrownBy(cursor::attributes).isInstanceOf(IllegalStateException.class);
    }
}
