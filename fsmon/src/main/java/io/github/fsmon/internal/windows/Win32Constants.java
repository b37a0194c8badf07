package io.github.fsmon.internal.windows;

/**
 * The Win32 and NTSTATUS values the Windows backend uses, each with the header that defines it. They are
 * plain {@code static final} constants so that reading them never loads a native library.
 */
public final class Win32Constants {
    private Win32Constants() {
    }

    // <winnt.h>: FILE_NOTIFY_INFORMATION.Action
    public static final int FILE_ACTION_ADDED = 0x0000_0001;
    public static final int FILE_ACTION_REMOVED = 0x0000_0002;
    public static final int FILE_ACTION_MODIFIED = 0x0000_0003;
    public static final int FILE_ACTION_RENAMED_OLD_NAME = 0x0000_0004;
    public static final int FILE_ACTION_RENAMED_NEW_NAME = 0x0000_0005;

    // <winnt.h>: dwNotifyFilter of ReadDirectoryChangesW
    public static final int FILE_NOTIFY_CHANGE_FILE_NAME = 0x0000_0001;
    public static final int FILE_NOTIFY_CHANGE_DIR_NAME = 0x0000_0002;
    public static final int FILE_NOTIFY_CHANGE_ATTRIBUTES = 0x0000_0004;
    public static final int FILE_NOTIFY_CHANGE_SIZE = 0x0000_0008;
    public static final int FILE_NOTIFY_CHANGE_LAST_WRITE = 0x0000_0010;
    public static final int FILE_NOTIFY_CHANGE_LAST_ACCESS = 0x0000_0020;
    public static final int FILE_NOTIFY_CHANGE_CREATION = 0x0000_0040;
    public static final int FILE_NOTIFY_CHANGE_SECURITY = 0x0000_0100;

    // <minwinbase.h>: READ_DIRECTORY_NOTIFY_INFORMATION_CLASS of ReadDirectoryChangesExW
    public static final int READ_DIRECTORY_NOTIFY_INFORMATION = 1;
    public static final int READ_DIRECTORY_NOTIFY_EXTENDED_INFORMATION = 2;

    // <winnt.h>: access rights and attributes
    public static final int FILE_LIST_DIRECTORY = 0x0000_0001;
    public static final int FILE_ATTRIBUTE_READONLY = 0x0000_0001;
    public static final int FILE_ATTRIBUTE_DIRECTORY = 0x0000_0010;
    public static final int FILE_ATTRIBUTE_NORMAL = 0x0000_0080;
    public static final int FILE_ATTRIBUTE_REPARSE_POINT = 0x0000_0400;
    // <winnt.h>: dwShareMode of CreateFileW
    public static final int FILE_SHARE_READ = 0x0000_0001;
    public static final int FILE_SHARE_WRITE = 0x0000_0002;
    public static final int FILE_SHARE_DELETE = 0x0000_0004;
    // <fileapi.h>: dwCreationDisposition
    public static final int OPEN_EXISTING = 3;
    // <winbase.h>: dwFlagsAndAttributes
    public static final int FILE_FLAG_BACKUP_SEMANTICS = 0x0200_0000;
    public static final int FILE_FLAG_OVERLAPPED = 0x4000_0000;
    public static final int FILE_FLAG_OPEN_REPARSE_POINT = 0x0020_0000;
    // <handleapi.h>: INVALID_HANDLE_VALUE is ((HANDLE)(LONG_PTR)-1)
    public static final long INVALID_HANDLE_VALUE = -1L;
    // <winbase.h>
    public static final int INFINITE = 0xFFFF_FFFF;
    // <fileapi.h>: dwFlags of GetFinalPathNameByHandleW
    public static final int FILE_NAME_NORMALIZED = 0x0;
    public static final int VOLUME_NAME_DOS = 0x0;

    // <winerror.h>: Win32 error codes (GetLastError)
    public static final int ERROR_SUCCESS = 0;
    public static final int ERROR_INVALID_FUNCTION = 1;
    public static final int ERROR_FILE_NOT_FOUND = 2;
    public static final int ERROR_PATH_NOT_FOUND = 3;
    public static final int ERROR_TOO_MANY_OPEN_FILES = 4;
    public static final int ERROR_ACCESS_DENIED = 5;
    public static final int ERROR_INVALID_HANDLE = 6;
    public static final int ERROR_NOT_ENOUGH_MEMORY = 8;
    public static final int ERROR_SHARING_VIOLATION = 32;
    public static final int ERROR_NOT_SUPPORTED = 50;
    public static final int ERROR_BAD_NETPATH = 53;
    public static final int ERROR_NETNAME_DELETED = 64;
    public static final int ERROR_INVALID_PARAMETER = 87;
    public static final int ERROR_INVALID_NAME = 123;
    public static final int ERROR_FILENAME_EXCED_RANGE = 206;
    public static final int WAIT_TIMEOUT = 258;
    public static final int ERROR_DIRECTORY = 267;
    public static final int ERROR_NOTIFY_CLEANUP = 745;
    public static final int ERROR_OPERATION_ABORTED = 995;
    public static final int ERROR_IO_PENDING = 997;
    public static final int ERROR_NOTIFY_ENUM_DIR = 1022;
    public static final int ERROR_NOT_FOUND = 1168;

    // <ntstatus.h>: NTSTATUS values, as left in OVERLAPPED.Internal when an operation completes ([MS-ERREF] 2.3.1)
    public static final int STATUS_SUCCESS = 0x0000_0000;
    public static final int STATUS_PENDING = 0x0000_0103;
    /** The directory handle was closed (cleaned up) while the notification request was pending. */
    public static final int STATUS_NOTIFY_CLEANUP = 0x0000_010B;
    /** Too many changes to fit the buffer: the caller must enumerate the directory to find them. */
    public static final int STATUS_NOTIFY_ENUM_DIR = 0x0000_010C;
    public static final int STATUS_ACCESS_DENIED = 0xC000_0022;
    public static final int STATUS_DELETE_PENDING = 0xC000_0056;
    public static final int STATUS_INVALID_PARAMETER = 0xC000_000D;
    public static final int STATUS_CANCELLED = 0xC000_0120;

    /** Symbolic name of a Win32 error code, for messages. */
    public static String errorName(int error) {
        return switch (error) {
            case ERROR_SUCCESS -> "ERROR_SUCCESS";
            case ERROR_INVALID_FUNCTION -> "ERROR_INVALID_FUNCTION";
            case ERROR_FILE_NOT_FOUND -> "ERROR_FILE_NOT_FOUND";
            case ERROR_PATH_NOT_FOUND -> "ERROR_PATH_NOT_FOUND";
            case ERROR_TOO_MANY_OPEN_FILES -> "ERROR_TOO_MANY_OPEN_FILES";
            case ERROR_ACCESS_DENIED -> "ERROR_ACCESS_DENIED";
            case ERROR_INVALID_HANDLE -> "ERROR_INVALID_HANDLE";
            case ERROR_NOT_ENOUGH_MEMORY -> "ERROR_NOT_ENOUGH_MEMORY";
            case ERROR_SHARING_VIOLATION -> "ERROR_SHARING_VIOLATION";
            case ERROR_NOT_SUPPORTED -> "ERROR_NOT_SUPPORTED";
            case ERROR_BAD_NETPATH -> "ERROR_BAD_NETPATH";
            case ERROR_NETNAME_DELETED -> "ERROR_NETNAME_DELETED";
            case ERROR_INVALID_PARAMETER -> "ERROR_INVALID_PARAMETER";
            case ERROR_INVALID_NAME -> "ERROR_INVALID_NAME";
            case ERROR_FILENAME_EXCED_RANGE -> "ERROR_FILENAME_EXCED_RANGE";
            case WAIT_TIMEOUT -> "WAIT_TIMEOUT";
            case ERROR_DIRECTORY -> "ERROR_DIRECTORY";
            case ERROR_NOTIFY_CLEANUP -> "ERROR_NOTIFY_CLEANUP";
            case ERROR_OPERATION_ABORTED -> "ERROR_OPERATION_ABORTED";
            case ERROR_IO_PENDING -> "ERROR_IO_PENDING";
            case ERROR_NOTIFY_ENUM_DIR -> "ERROR_NOTIFY_ENUM_DIR";
            case ERROR_NOT_FOUND -> "ERROR_NOT_FOUND";
            default -> "Win32 error " + error;
        };
    }

    /** Symbolic name of an NTSTATUS value, for messages. */
    public static String statusName(int status) {
        return switch (status) {
            case STATUS_SUCCESS -> "STATUS_SUCCESS";
            case STATUS_PENDING -> "STATUS_PENDING";
            case STATUS_NOTIFY_CLEANUP -> "STATUS_NOTIFY_CLEANUP";
            case STATUS_NOTIFY_ENUM_DIR -> "STATUS_NOTIFY_ENUM_DIR";
            case STATUS_ACCESS_DENIED -> "STATUS_ACCESS_DENIED";
            case STATUS_DELETE_PENDING -> "STATUS_DELETE_PENDING";
            case STATUS_INVALID_PARAMETER -> "STATUS_INVALID_PARAMETER";
            case STATUS_CANCELLED -> "STATUS_CANCELLED";
            default -> String.format("NTSTATUS 0x%08X", status);
        };
    }
}
