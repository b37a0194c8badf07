package io.github.fsmon.internal.windows;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.assertj.core.api.Assertions.assertThat;

/** Sizes and offsets as a Windows x64 compiler lays the structs out ({@code sizeof}, {@code offsetof}). */
class Win32LayoutsTest {

    private static long at(StructLayout l, String... path) {
        MemoryLayout.PathElement[] elements = new MemoryLayout.PathElement[path.length];
        for (int i = 0; i < path.length; i++) {
            elements[i] = groupElement(path[i]);
        }
        return l.byteOffset(elements);
    }

    @Test
    void win32TypesAreSpelledOut() {
        assertThat(Win32Layouts.DWORD.byteSize()).isEqualTo(4);
        assertThat(Win32Layouts.BOOL.byteSize()).isEqualTo(4);
        assertThat(Win32Layouts.WCHAR.byteSize()).isEqualTo(2); // not the host's 4-byte wchar_t
        assertThat(Win32Layouts.ULONG.byteSize()).isEqualTo(4); // not the host's 8-byte long
        assertThat(Win32Layouts.ULONG_PTR.byteSize()).isEqualTo(8);
        assertThat(Win32Layouts.LARGE_INTEGER.byteSize()).isEqualTo(8);
        assertThat(Win32Layouts.HANDLE.byteSize()).isEqualTo(8);
        assertThat(Win32Layouts.DWORD_UNALIGNED.byteAlignment()).isEqualTo(1);
        assertThat(Win32Layouts.WCHAR_UNALIGNED.byteAlignment()).isEqualTo(1);
        assertThat(Win32Layouts.LARGE_INTEGER_UNALIGNED.byteAlignment()).isEqualTo(1);
    }

    @Test
    void fileNotifyInformation() {
        StructLayout l = Win32Layouts.FILE_NOTIFY_INFORMATION;
        assertThat(l.byteSize()).isEqualTo(16);
        assertThat(at(l, "NextEntryOffset")).isEqualTo(0);
        assertThat(at(l, "Action")).isEqualTo(4);
        assertThat(at(l, "FileNameLength")).isEqualTo(8);
        assertThat(at(l, "FileName")).isEqualTo(12);
        assertThat(l.byteAlignment()).isEqualTo(4);
    }

    @Test
    void fileNotifyExtendedInformation() {
        StructLayout l = Win32Layouts.FILE_NOTIFY_EXTENDED_INFORMATION;
        assertThat(l.byteSize()).isEqualTo(88);
        assertThat(at(l, "NextEntryOffset")).isEqualTo(0);
        assertThat(at(l, "Action")).isEqualTo(4);
        assertThat(at(l, "CreationTime")).isEqualTo(8);
        assertThat(at(l, "LastModificationTime")).isEqualTo(16);
        assertThat(at(l, "LastChangeTime")).isEqualTo(24);
        assertThat(at(l, "LastAccessTime")).isEqualTo(32);
        assertThat(at(l, "AllocatedLength")).isEqualTo(40);
        assertThat(at(l, "FileSize")).isEqualTo(48);
        assertThat(at(l, "FileAttributes")).isEqualTo(56);
        assertThat(at(l, "u", "ReparsePointTag")).isEqualTo(60);
        assertThat(at(l, "u", "EaSize")).isEqualTo(60);
        assertThat(at(l, "FileId")).isEqualTo(64);
        assertThat(at(l, "ParentFileId")).isEqualTo(72);
        assertThat(at(l, "FileNameLength")).isEqualTo(80);
        assertThat(at(l, "FileName")).isEqualTo(84);
        assertThat(l.byteAlignment()).isEqualTo(8);
    }

    @Test
    void overlapped() {
        StructLayout l = Win32Layouts.OVERLAPPED;
        assertThat(l.byteSize()).isEqualTo(32);
        assertThat(at(l, "Internal")).isEqualTo(0);
        assertThat(at(l, "InternalHigh")).isEqualTo(8);
        assertThat(at(l, "u", "s", "Offset")).isEqualTo(16);
        assertThat(at(l, "u", "s", "OffsetHigh")).isEqualTo(20);
        assertThat(at(l, "u", "Pointer")).isEqualTo(16);
        assertThat(at(l, "hEvent")).isEqualTo(24);
        assertThat(Win32Layouts.OVERLAPPED_H_EVENT).isEqualTo(24);
    }

    @Test
    void overlappedEntry() {
        StructLayout l = Win32Layouts.OVERLAPPED_ENTRY;
        assertThat(l.byteSize()).isEqualTo(32);
        assertThat(at(l, "lpCompletionKey")).isEqualTo(0);
        assertThat(at(l, "lpOverlapped")).isEqualTo(8);
        assertThat(at(l, "Internal")).isEqualTo(16);
        assertThat(at(l, "dwNumberOfBytesTransferred")).isEqualTo(24);
    }

    @Test
    void byHandleFileInformation() {
        StructLayout l = Win32Layouts.BY_HANDLE_FILE_INFORMATION;
        assertThat(l.byteSize()).isEqualTo(52);
        assertThat(l.byteAlignment()).isEqualTo(4);
        assertThat(at(l, "dwFileAttributes")).isEqualTo(0);
        assertThat(at(l, "ftCreationTime")).isEqualTo(4);
        assertThat(at(l, "ftLastAccessTime")).isEqualTo(12);
        assertThat(at(l, "ftLastWriteTime")).isEqualTo(20);
        assertThat(at(l, "dwVolumeSerialNumber")).isEqualTo(28);
        assertThat(at(l, "nFileSizeHigh")).isEqualTo(32);
        assertThat(at(l, "nFileSizeLow")).isEqualTo(36);
        assertThat(at(l, "nNumberOfLinks")).isEqualTo(40);
        assertThat(at(l, "nFileIndexHigh")).isEqualTo(44);
        assertThat(at(l, "nFileIndexLow")).isEqualTo(48);
    }
}
