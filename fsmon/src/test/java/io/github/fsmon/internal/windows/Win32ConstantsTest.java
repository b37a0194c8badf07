package io.github.fsmon.internal.windows;

import org.junit.jupiter.api.Test;

import static io.github.fsmon.internal.windows.Win32Constants.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The values as the Windows SDK headers define them ({@code winnt.h}, {@code winbase.h},
 * {@code fileapi.h}, {@code minwinbase.h}, {@code winerror.h}, {@code ntstatus.h}); sources are cited
 * beside each constant in {@link Win32Constants}. A second, independent spelling here catches a typo in
 * either.
 */
class Win32ConstantsTest {

    @Test
    void actions() {
        assertThat(new int[]{FILE_ACTION_ADDED, FILE_ACTION_REMOVED, FILE_ACTION_MODIFIED,
                FILE_ACTION_RENAMED_OLD_NAME, FILE_ACTION_RENAMED_NEW_NAME}).containsExactly(1, 2, 3, 4, 5);
    }

    @Test
    void notifyFilterAndOpenFlags() {
        assertThat(new int[]{FILE_NOTIFY_CHANGE_FILE_NAME, FILE_NOTIFY_CHANGE_DIR_NAME, FILE_NOTIFY_CHANGE_ATTRIBUTES,
                FILE_NOTIFY_CHANGE_SIZE, FILE_NOTIFY_CHANGE_LAST_WRITE, FILE_NOTIFY_CHANGE_LAST_ACCESS,
                FILE_NOTIFY_CHANGE_CREATION, FILE_NOTIFY_CHANGE_SECURITY})
                .containsExactly(0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x40, 0x100);
        assertThat(FILE_LIST_DIRECTORY).isEqualTo(1);
        assertThat(FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE).isEqualTo(7);
        assertThat(OPEN_EXISTING).isEqualTo(3);
        assertThat(FILE_FLAG_BACKUP_SEMANTICS).isEqualTo(0x02000000);
        assertThat(FILE_FLAG_OVERLAPPED).isEqualTo(0x40000000);
        assertThat(FILE_FLAG_OPEN_REPARSE_POINT).isEqualTo(0x00200000);
        assertThat(FILE_ATTRIBUTE_DIRECTORY).isEqualTo(0x10);
        assertThat(INVALID_HANDLE_VALUE).isEqualTo(-1L);
        assertThat(Integer.toUnsignedLong(INFINITE)).isEqualTo(4294967295L);
        assertThat(READ_DIRECTORY_NOTIFY_INFORMATION).isEqualTo(1);
        assertThat(READ_DIRECTORY_NOTIFY_EXTENDED_INFORMATION).isEqualTo(2);
    }

    @Test
    void win32Errors() {
        assertThat(ERROR_FILE_NOT_FOUND).isEqualTo(2);
        assertThat(ERROR_PATH_NOT_FOUND).isEqualTo(3);
        assertThat(ERROR_ACCESS_DENIED).isEqualTo(5);
        assertThat(ERROR_INVALID_HANDLE).isEqualTo(6);
        assertThat(ERROR_INVALID_PARAMETER).isEqualTo(87);
        assertThat(WAIT_TIMEOUT).isEqualTo(258);
        assertThat(ERROR_DIRECTORY).isEqualTo(267);
        assertThat(ERROR_NOTIFY_CLEANUP).isEqualTo(745);
        assertThat(ERROR_OPERATION_ABORTED).isEqualTo(995);
        assertThat(ERROR_IO_PENDING).isEqualTo(997);
        assertThat(ERROR_NOTIFY_ENUM_DIR).isEqualTo(1022);
        assertThat(ERROR_NOT_FOUND).isEqualTo(1168);
        assertThat(errorName(ERROR_NOTIFY_ENUM_DIR)).isEqualTo("ERROR_NOTIFY_ENUM_DIR");
        assertThat(errorName(12345)).isEqualTo("Win32 error 12345");
    }

    @Test
    void ntStatus() {
        assertThat(STATUS_SUCCESS).isZero();
        assertThat(STATUS_PENDING).isEqualTo(0x103);
        assertThat(STATUS_NOTIFY_CLEANUP).isEqualTo(0x10B);
        assertThat(STATUS_NOTIFY_ENUM_DIR).isEqualTo(0x10C);
        assertThat(Integer.toUnsignedLong(STATUS_ACCESS_DENIED)).isEqualTo(0xC0000022L);
        assertThat(Integer.toUnsignedLong(STATUS_DELETE_PENDING)).isEqualTo(0xC0000056L);
        assertThat(Integer.toUnsignedLong(STATUS_CANCELLED)).isEqualTo(0xC0000120L);
        assertThat(statusName(STATUS_CANCELLED)).isEqualTo("STATUS_CANCELLED");
        assertThat(statusName(0xC0000001)).isEqualTo("NTSTATUS 0xC0000001");
    }
}
