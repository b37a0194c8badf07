package io.github.fsmon.internal.windows;

import io.github.fsmon.internal.ffm.NativeSupport;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static io.github.fsmon.internal.windows.Win32Layouts.BOOL;
import static io.github.fsmon.internal.windows.Win32Layouts.DWORD;
import static io.github.fsmon.internal.windows.Win32Layouts.HANDLE;
import static io.github.fsmon.internal.windows.Win32Layouts.ULONG;
import static io.github.fsmon.internal.windows.Win32Layouts.ULONG_PTR;

/**
 * Raw bindings to the kernel32 functions the Windows backend needs, nothing more. Every call takes a
 * call-state segment first ({@link NativeSupport#allocateCallState}) into which the linker captures the
 * thread's last error right after the call: {@code GetLastError} on Windows.
 *
 * <p>The system property {@value #LIBRARY_PROPERTY} names a shared library to load instead of kernel32.
 * The tests use it to load a fake kernel32 built for Linux, which exports the same functions with the
 * same parameter types and reports its errors through {@code errno}, so there the captured value is
 * {@code errno}: the library lookup and the captured name are the only things that differ. (On Linux
 * x86-64 the fake is called with the System V convention rather than the Microsoft x64 one; the Java
 * descriptors, which are what these tests check, are the same for both.)
 */
public final class Kernel32 {
    /** Path of a library to use instead of kernel32 (for tests). */
    public static final String LIBRARY_PROPERTY = "fsmon.windows.kernel32";
    private static final Map<String, Kernel32> LOADED = new ConcurrentHashMap<>();

    private final String errorName;
    private final MethodHandle createFileW;
    private final MethodHandle createIoCompletionPort;
    private final MethodHandle getFileInformationByHandle;
    private final MethodHandle readDirectoryChangesW;
    private final MethodHandle readDirectoryChangesExW; // null before Windows 10 1709
    private final MethodHandle cancelIoEx;
    private final MethodHandle closeHandle;
    private final MethodHandle postQueuedCompletionStatus;
    private final MethodHandle getQueuedCompletionStatusEx;
    private final MethodHandle getLongPathNameW;
    private final MethodHandle getFinalPathNameByHandleW;

    private Kernel32(SymbolLookup lookup, String errorName) {
        this.errorName = errorName;
        /* HANDLE CreateFileW(LPCWSTR lpFileName, DWORD dwDesiredAccess, DWORD dwShareMode,
               LPSECURITY_ATTRIBUTES lpSecurityAttributes, DWORD dwCreationDisposition,
               DWORD dwFlagsAndAttributes, HANDLE hTemplateFile); */
        createFileW = NativeSupport.downcall(lookup, "CreateFileW",
                FunctionDescriptor.of(HANDLE, HANDLE, DWORD, DWORD, HANDLE, DWORD, DWORD, HANDLE), errorName);
        /* HANDLE CreateIoCompletionPort(HANDLE FileHandle, HANDLE ExistingCompletionPort,
               ULONG_PTR CompletionKey, DWORD NumberOfConcurrentThreads); */
        createIoCompletionPort = NativeSupport.downcall(lookup, "CreateIoCompletionPort",
                FunctionDescriptor.of(HANDLE, HANDLE, HANDLE, ULONG_PTR, DWORD), errorName);
        /* BOOL GetFileInformationByHandle(HANDLE hFile, LPBY_HANDLE_FILE_INFORMATION lpFileInformation); */
        getFileInformationByHandle = NativeSupport.downcall(lookup, "GetFileInformationByHandle",
                FunctionDescriptor.of(BOOL, HANDLE, HANDLE), errorName);
        /* BOOL ReadDirectoryChangesW(HANDLE hDirectory, LPVOID lpBuffer, DWORD nBufferLength,
               BOOL bWatchSubtree, DWORD dwNotifyFilter, LPDWORD lpBytesReturned, LPOVERLAPPED lpOverlapped,
               LPOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine); */
        readDirectoryChangesW = NativeSupport.downcall(lookup, "ReadDirectoryChangesW",
                FunctionDescriptor.of(BOOL, HANDLE, HANDLE, DWORD, BOOL, DWORD, HANDLE, HANDLE, HANDLE), errorName);
        /* BOOL ReadDirectoryChangesExW(... same as above ...,
               READ_DIRECTORY_NOTIFY_INFORMATION_CLASS ReadDirectoryNotifyInformationClass); (an enum: int) */
        readDirectoryChangesExW = lookup.find("ReadDirectoryChangesExW").isEmpty() ? null
                : NativeSupport.downcall(lookup, "ReadDirectoryChangesExW",
                FunctionDescriptor.of(BOOL, HANDLE, HANDLE, DWORD, BOOL, DWORD, HANDLE, HANDLE, HANDLE, DWORD), errorName);
        /* BOOL CancelIoEx(HANDLE hFile, LPOVERLAPPED lpOverlapped); */
        cancelIoEx = NativeSupport.downcall(lookup, "CancelIoEx", FunctionDescriptor.of(BOOL, HANDLE, HANDLE), errorName);
        /* BOOL CloseHandle(HANDLE hObject); */
        closeHandle = NativeSupport.downcall(lookup, "CloseHandle", FunctionDescriptor.of(BOOL, HANDLE), errorName);
        /* BOOL PostQueuedCompletionStatus(HANDLE CompletionPort, DWORD dwNumberOfBytesTransferred,
               ULONG_PTR dwCompletionKey, LPOVERLAPPED lpOverlapped); */
        postQueuedCompletionStatus = NativeSupport.downcall(lookup, "PostQueuedCompletionStatus",
                FunctionDescriptor.of(BOOL, HANDLE, DWORD, ULONG_PTR, HANDLE), errorName);
        /* BOOL GetQueuedCompletionStatusEx(HANDLE CompletionPort, LPOVERLAPPED_ENTRY lpCompletionPortEntries,
               ULONG ulCount, PULONG ulNumEntriesRemoved, DWORD dwMilliseconds, BOOL fAlertable); */
        getQueuedCompletionStatusEx = NativeSupport.downcall(lookup, "GetQueuedCompletionStatusEx",
                FunctionDescriptor.of(BOOL, HANDLE, HANDLE, ULONG, HANDLE, DWORD, BOOL), errorName);
        /* DWORD GetLongPathNameW(LPCWSTR lpszShortPath, LPWSTR lpszLongPath, DWORD cchBuffer); */
        getLongPathNameW = NativeSupport.downcall(lookup, "GetLongPathNameW",
                FunctionDescriptor.of(DWORD, HANDLE, HANDLE, DWORD), errorName);
        /* DWORD GetFinalPathNameByHandleW(HANDLE hFile, LPWSTR lpszFilePath, DWORD cchFilePath, DWORD dwFlags); */
        getFinalPathNameByHandleW = NativeSupport.downcall(lookup, "GetFinalPathNameByHandleW",
                FunctionDescriptor.of(DWORD, HANDLE, HANDLE, DWORD, DWORD), errorName);
    }

    /**
     * kernel32 (or the library {@value #LIBRARY_PROPERTY} names), linked once per JVM and library.
     *
     * @throws UnsatisfiedLinkError  when the library or one of its required functions is missing
     * @throws IllegalCallerException when the JVM refuses native access
     */
    @SuppressWarnings("restricted")
    public static Kernel32 load() {
        String override = System.getProperty(LIBRARY_PROPERTY);
        String key = override != null && !override.isBlank() ? override : "kernel32";
        return LOADED.computeIfAbsent(key, k -> {
            boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
            SymbolLookup lookup;
            if (k.equals("kernel32")) {
                if (!windows) {
                    throw new UnsatisfiedLinkError("kernel32 exists only on Windows (set " + LIBRARY_PROPERTY
                            + " to load another library)");
                }
                lookup = SymbolLookup.libraryLookup("kernel32", Arena.global());
            } else {
                lookup = SymbolLookup.libraryLookup(Path.of(k), Arena.global());
            }
            return new Kernel32(lookup, windows ? "GetLastError" : "errno");
        });
    }

    /** The name of the captured error: {@code GetLastError} on Windows, {@code errno} for a fake elsewhere. */
    public String errorName() {
        return errorName;
    }

    /** The error captured by the last call that used {@code state}. */
    public int lastError(MemorySegment state) {
        return NativeSupport.capturedValue(state, errorName);
    }

    public boolean hasReadDirectoryChangesExW() {
        return readDirectoryChangesExW != null;
    }

    public MemorySegment createFileW(MemorySegment state, MemorySegment fileName, int access, int shareMode,
                                     MemorySegment security, int disposition, int flags, MemorySegment template) {
        try {
            return (MemorySegment) createFileW.invokeExact(state, fileName, access, shareMode, security, disposition,
                    flags, template);
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    public MemorySegment createIoCompletionPort(MemorySegment state, MemorySegment file, MemorySegment existing,
                                                long key, int threads) {
        try {
            return (MemorySegment) createIoCompletionPort.invokeExact(state, file, existing, key, threads);
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    public int getFileInformationByHandle(MemorySegment state, MemorySegment file, MemorySegment info) {
        try {
            return (int) getFileInformationByHandle.invokeExact(state, file, info);
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    public int readDirectoryChangesW(MemorySegment state, MemorySegment dir, MemorySegment buffer, int length,
                                     int subtree, int filter, MemorySegment bytesReturned, MemorySegment overlapped,
                                     MemorySegment routine) {
        try {
            return (int) readDirectoryChangesW.invokeExact(state, dir, buffer, length, subtree, filter, bytesReturned,
                    overlapped, routine);
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    public int readDirectoryChangesExW(MemorySegment state, MemorySegment dir, MemorySegment buffer, int length,
                                       int subtree, int filter, MemorySegment bytesReturned, MemorySegment overlapped,
                                       MemorySegment routine, int informationClass) {
        try {
            return (int) readDirectoryChangesExW.invokeExact(state, dir, buffer, length, subtree, filter,
                    bytesReturned, overlapped, routine, informationClass);
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    public int cancelIoEx(MemorySegment state, MemorySegment file, MemorySegment overlapped) {
        try {
            return (int) cancelIoEx.invokeExact(state, file, overlapped);
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    public int closeHandle(MemorySegment state, MemorySegment handle) {
        try {
            return (int) closeHandle.invokeExact(state, handle);
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    public int postQueuedCompletionStatus(MemorySegment state, MemorySegment port, int bytes, long key,
                                          MemorySegment overlapped) {
        try {
            return (int) postQueuedCompletionStatus.invokeExact(state, port, bytes, key, overlapped);
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    public int getQueuedCompletionStatusEx(MemorySegment state, MemorySegment port, MemorySegment entries, int count,
                                           MemorySegment removed, int millis, int alertable) {
        try {
            return (int) getQueuedCompletionStatusEx.invokeExact(state, port, entries, count, removed, millis, alertable);
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    public int getLongPathNameW(MemorySegment state, MemorySegment shortPath, MemorySegment longPath, int chars) {
        try {
            return (int) getLongPathNameW.invokeExact(state, shortPath, longPath, chars);
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    public int getFinalPathNameByHandleW(MemorySegment state, MemorySegment file, MemorySegment path, int chars,
                                         int flags) {
        try {
            return (int) getFinalPathNameByHandleW.invokeExact(state, file, path, chars, flags);
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

}
