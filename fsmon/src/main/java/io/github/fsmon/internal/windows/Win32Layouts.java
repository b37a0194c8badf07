package io.github.fsmon.internal.windows;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * The Win32 structures the Windows backend reads and writes, spelled out in Win32's own types rather
 * than the host's canonical C layouts (which on Linux would make {@code long} 8 bytes and
 * {@code wchar_t} 4). Every struct's trailing padding is explicit, so {@code byteSize()} is the
 * {@code sizeof} a Windows x64 compiler gives.
 *
 * <p>Records in a notification buffer are read with the {@code *_UNALIGNED} little-endian accessors below:
 * the file system aligns them, but a reader must not depend on that to stay inside the buffer.
 */
public final class Win32Layouts {
    private Win32Layouts() {
    }

    // Win32 types (<windef.h>, <basetsd.h>, <winnt.h>), x64 and arm64 Windows: LLP64, little-endian.
    public static final ValueLayout.OfInt DWORD = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfInt ULONG = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfInt BOOL = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfChar WCHAR = ValueLayout.JAVA_CHAR;
    public static final ValueLayout.OfLong LARGE_INTEGER = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfLong ULONG_PTR = ValueLayout.JAVA_LONG;
    /** HANDLE, PVOID, LPOVERLAPPED: pointers, 8 bytes on 64-bit Windows. */
    public static final AddressLayout HANDLE = ValueLayout.ADDRESS;

    /** Unaligned little-endian accessors for records inside a notification buffer. */
    public static final ValueLayout.OfInt DWORD_UNALIGNED = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfLong LARGE_INTEGER_UNALIGNED =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfChar WCHAR_UNALIGNED = ValueLayout.JAVA_CHAR_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * <pre>{@code
     * typedef struct _FILE_NOTIFY_INFORMATION {   // <winnt.h>
     *     DWORD NextEntryOffset;                  // 0: bytes to the next record, 0 for the last
     *     DWORD Action;                           // 4: FILE_ACTION_*
     *     DWORD FileNameLength;                   // 8: in bytes, without a terminating NUL
     *     WCHAR FileName[1];                      // 12: relative to the watched directory, not NUL-terminated
     * } FILE_NOTIFY_INFORMATION;                  // sizeof 16
     * }</pre>
     */
    public static final StructLayout FILE_NOTIFY_INFORMATION = MemoryLayout.structLayout(
            DWORD.withName("NextEntryOffset"),
            DWORD.withName("Action"),
            DWORD.withName("FileNameLength"),
            MemoryLayout.sequenceLayout(1, WCHAR).withName("FileName"),
            MemoryLayout.paddingLayout(2)).withName("FILE_NOTIFY_INFORMATION");

    /**
     * <pre>{@code
     * typedef struct _FILE_NOTIFY_EXTENDED_INFORMATION {  // <winnt.h>, Windows 10 1709+
     *     DWORD         NextEntryOffset;                  // 0
     *     DWORD         Action;                           // 4
     *     LARGE_INTEGER CreationTime;                     // 8
     *     LARGE_INTEGER LastModificationTime;             // 16
     *     LARGE_INTEGER LastChangeTime;                   // 24
     *     LARGE_INTEGER LastAccessTime;                   // 32
     *     LARGE_INTEGER AllocatedLength;                  // 40
     *     LARGE_INTEGER FileSize;                         // 48
     *     DWORD         FileAttributes;                   // 56
     *     union { DWORD ReparsePointTag; DWORD EaSize; }; // 60
     *     LARGE_INTEGER FileId;                           // 64
     *     LARGE_INTEGER ParentFileId;                     // 72
     *     DWORD         FileNameLength;                   // 80
     *     WCHAR         FileName[1];                      // 84
     * } FILE_NOTIFY_EXTENDED_INFORMATION;                 // sizeof 88
     * }</pre>
     */
    public static final StructLayout FILE_NOTIFY_EXTENDED_INFORMATION = MemoryLayout.structLayout(
            DWORD.withName("NextEntryOffset"),
            DWORD.withName("Action"),
            LARGE_INTEGER.withName("CreationTime"),
            LARGE_INTEGER.withName("LastModificationTime"),
            LARGE_INTEGER.withName("LastChangeTime"),
            LARGE_INTEGER.withName("LastAccessTime"),
            LARGE_INTEGER.withName("AllocatedLength"),
            LARGE_INTEGER.withName("FileSize"),
            DWORD.withName("FileAttributes"),
            MemoryLayout.unionLayout(DWORD.withName("ReparsePointTag"), DWORD.withName("EaSize")).withName("u"),
            LARGE_INTEGER.withName("FileId"),
            LARGE_INTEGER.withName("ParentFileId"),
            DWORD.withName("FileNameLength"),
            MemoryLayout.sequenceLayout(1, WCHAR).withName("FileName"),
            MemoryLayout.paddingLayout(2)).withName("FILE_NOTIFY_EXTENDED_INFORMATION");

    /**
     * <pre>{@code
     * typedef struct _OVERLAPPED {          // <minwinbase.h>
     *     ULONG_PTR Internal;               // 0: NTSTATUS of the completed operation
     *     ULONG_PTR InternalHigh;           // 8: bytes transferred
     *     union {
     *         struct { DWORD Offset; DWORD OffsetHigh; };
     *         PVOID Pointer;
     *     };                                // 16
     *     HANDLE    hEvent;                 // 24
     * } OVERLAPPED;                         // sizeof 32
     * }</pre>
     */
    public static final StructLayout OVERLAPPED = MemoryLayout.structLayout(
            ULONG_PTR.withName("Internal"),
            ULONG_PTR.withName("InternalHigh"),
            MemoryLayout.unionLayout(
                    MemoryLayout.structLayout(DWORD.withName("Offset"), DWORD.withName("OffsetHigh")).withName("s"),
                    HANDLE.withName("Pointer")).withName("u"),
            HANDLE.withName("hEvent")).withName("OVERLAPPED");

    /**
     * <pre>{@code
     * typedef struct _OVERLAPPED_ENTRY {    // <minwinbase.h>
     *     ULONG_PTR    lpCompletionKey;     // 0
     *     LPOVERLAPPED lpOverlapped;        // 8
     *     ULONG_PTR    Internal;            // 16: reserved
     *     DWORD        dwNumberOfBytesTransferred; // 24
     * } OVERLAPPED_ENTRY;                   // sizeof 32 (4 bytes of trailing padding)
     * }</pre>
     */
    public static final StructLayout OVERLAPPED_ENTRY = MemoryLayout.structLayout(
            ULONG_PTR.withName("lpCompletionKey"),
            HANDLE.withName("lpOverlapped"),
            ULONG_PTR.withName("Internal"),
            DWORD.withName("dwNumberOfBytesTransferred"),
            MemoryLayout.paddingLayout(4)).withName("OVERLAPPED_ENTRY");

    /** {@code typedef struct _FILETIME { DWORD dwLowDateTime; DWORD dwHighDateTime; } FILETIME;} (4-byte aligned) */
    public static final StructLayout FILETIME = MemoryLayout.structLayout(
            DWORD.withName("dwLowDateTime"), DWORD.withName("dwHighDateTime")).withName("FILETIME");

    /**
     * <pre>{@code
     * typedef struct _BY_HANDLE_FILE_INFORMATION {   // <fileapi.h>
     *     DWORD    dwFileAttributes;                 // 0
     *     FILETIME ftCreationTime;                   // 4
     *     FILETIME ftLastAccessTime;                 // 12
     *     FILETIME ftLastWriteTime;                  // 20
     *     DWORD    dwVolumeSerialNumber;             // 28
     *     DWORD    nFileSizeHigh;                    // 32
     *     DWORD    nFileSizeLow;                     // 36
     *     DWORD    nNumberOfLinks;                   // 40
     *     DWORD    nFileIndexHigh;                   // 44
     *     DWORD    nFileIndexLow;                    // 48
     * } BY_HANDLE_FILE_INFORMATION;                  // sizeof 52
     * }</pre>
     */
    public static final StructLayout BY_HANDLE_FILE_INFORMATION = MemoryLayout.structLayout(
            DWORD.withName("dwFileAttributes"),
            FILETIME.withName("ftCreationTime"),
            FILETIME.withName("ftLastAccessTime"),
            FILETIME.withName("ftLastWriteTime"),
            DWORD.withName("dwVolumeSerialNumber"),
            DWORD.withName("nFileSizeHigh"),
            DWORD.withName("nFileSizeLow"),
            DWORD.withName("nNumberOfLinks"),
            DWORD.withName("nFileIndexHigh"),
            DWORD.withName("nFileIndexLow")).withName("BY_HANDLE_FILE_INFORMATION");

    // Offsets, computed from the layouts once.
    public static final long FNI_NEXT_ENTRY_OFFSET = offset(FILE_NOTIFY_INFORMATION, "NextEntryOffset");
    public static final long FNI_ACTION = offset(FILE_NOTIFY_INFORMATION, "Action");
    public static final long FNI_FILE_NAME_LENGTH = offset(FILE_NOTIFY_INFORMATION, "FileNameLength");
    public static final long FNI_FILE_NAME = offset(FILE_NOTIFY_INFORMATION, "FileName");
    public static final long FNEI_NEXT_ENTRY_OFFSET = offset(FILE_NOTIFY_EXTENDED_INFORMATION, "NextEntryOffset");
    public static final long FNEI_ACTION = offset(FILE_NOTIFY_EXTENDED_INFORMATION, "Action");
    public static final long FNEI_FILE_ATTRIBUTES = offset(FILE_NOTIFY_EXTENDED_INFORMATION, "FileAttributes");
    public static final long FNEI_FILE_ID = offset(FILE_NOTIFY_EXTENDED_INFORMATION, "FileId");
    public static final long FNEI_PARENT_FILE_ID = offset(FILE_NOTIFY_EXTENDED_INFORMATION, "ParentFileId");
    public static final long FNEI_FILE_NAME_LENGTH = offset(FILE_NOTIFY_EXTENDED_INFORMATION, "FileNameLength");
    public static final long FNEI_FILE_NAME = offset(FILE_NOTIFY_EXTENDED_INFORMATION, "FileName");
    public static final long OVERLAPPED_INTERNAL = offset(OVERLAPPED, "Internal");
    public static final long OVERLAPPED_INTERNAL_HIGH = offset(OVERLAPPED, "InternalHigh");
    public static final long OVERLAPPED_H_EVENT = offset(OVERLAPPED, "hEvent");
    public static final long ENTRY_COMPLETION_KEY = offset(OVERLAPPED_ENTRY, "lpCompletionKey");
    public static final long ENTRY_OVERLAPPED = offset(OVERLAPPED_ENTRY, "lpOverlapped");
    public static final long ENTRY_BYTES = offset(OVERLAPPED_ENTRY, "dwNumberOfBytesTransferred");
    public static final long BHFI_ATTRIBUTES = offset(BY_HANDLE_FILE_INFORMATION, "dwFileAttributes");
    public static final long BHFI_VOLUME_SERIAL = offset(BY_HANDLE_FILE_INFORMATION, "dwVolumeSerialNumber");
    public static final long BHFI_INDEX_HIGH = offset(BY_HANDLE_FILE_INFORMATION, "nFileIndexHigh");
    public static final long BHFI_INDEX_LOW = offset(BY_HANDLE_FILE_INFORMATION, "nFileIndexLow");

    private static long offset(StructLayout layout, String field) {
        return layout.byteOffset(groupElement(field));
    }
}
