package io.github.fsmon.internal.windows;

import java.lang.foreign.MemorySegment;

/**
 * The Win32 calls the Windows backend makes, one method per function, in Win32's own terms (handles as
 * their address, {@code BOOL} as boolean, failure reasons through {@link #lastError()}). Two
 * implementations: {@link NativeWin32}, which calls kernel32 through {@link Kernel32}, and a pure-Java
 * simulation in the tests, which scripts completions.
 *
 * <p>Memory passed in (buffers, OVERLAPPEDs, result structs) is the caller's; an implementation may
 * write into a buffer and OVERLAPPED until the completion naming that OVERLAPPED has been dequeued.
 * Every method except {@link #postQueuedCompletionStatus} is called on the backend's I/O thread only.
 */
public interface Win32 {

    /** The Win32 error code of the last call on the I/O thread that failed. */
    int lastError();

    /** {@code CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1)}: a new port, or 0 on failure. */
    long createCompletionPort();

    /** {@code CreateIoCompletionPort(handle, port, key, 0)}: associates a handle with the port. */
    boolean associate(long handle, long port, long key);

    /**
     * {@code CreateFileW(path, FILE_LIST_DIRECTORY, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
     * NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OVERLAPPED [| FILE_FLAG_OPEN_REPARSE_POINT],
     * NULL)}. Returns the handle, or {@link Win32Constants#INVALID_HANDLE_VALUE}.
     */
    long openDirectory(String path, boolean openReparsePoint);

    /** {@code GetFileInformationByHandle}; {@code info} is a BY_HANDLE_FILE_INFORMATION. */
    boolean getFileInformationByHandle(long handle, MemorySegment info);

    /**
     * {@code ReadDirectoryChangesExW(..., ReadDirectoryNotifyExtendedInformation)} when {@code extended},
     * else {@code ReadDirectoryChangesW}; asynchronous, with {@code overlapped} and no completion routine.
     */
    boolean readDirectoryChanges(long directory, MemorySegment buffer, int length, boolean watchSubtree,
                                 int notifyFilter, MemorySegment overlapped, boolean extended);

    /** Whether {@code ReadDirectoryChangesExW} exists (Windows 10 1709 and later). */
    boolean hasReadDirectoryChangesEx();

    /** {@code CancelIoEx(handle, overlapped)}. */
    boolean cancelIoEx(long handle, MemorySegment overlapped);

    /** {@code CloseHandle}. */
    boolean closeHandle(long handle);

    /** {@code PostQueuedCompletionStatus(port, bytes, key, (LPOVERLAPPED) overlapped)}. Any thread. */
    boolean postQueuedCompletionStatus(long port, int bytes, long key, long overlapped);

    /**
     * {@code GetQueuedCompletionStatusEx(port, entries, count, &removed, millis, FALSE)}: the number of
     * OVERLAPPED_ENTRY filled in, or -1 on failure ({@link #lastError()}: {@code WAIT_TIMEOUT} when
     * {@code millis} passed).
     */
    int getQueuedCompletionStatusEx(long port, MemorySegment entries, int count, int millis);

    /**
     * {@code GetFinalPathNameByHandleW(handle, ..., FILE_NAME_NORMALIZED | VOLUME_NAME_DOS)}: the path the
     * handle's file has now (it follows renames), or null on failure.
     */
    String getFinalPathName(long handle);

    /** {@code GetLongPathNameW}: {@code path} with 8.3 short components expanded, or null on failure. */
    String getLongPathName(String path);
}
