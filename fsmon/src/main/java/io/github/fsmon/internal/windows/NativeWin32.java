package io.github.fsmon.internal.windows;

import io.github.fsmon.internal.ffm.NativeSupport;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static io.github.fsmon.internal.windows.Win32Constants.*;

/**
 * {@link Win32} through the real FFM bindings ({@link Kernel32}). Strings cross as NUL-terminated
 * UTF-16LE; handles as addresses. The I/O thread's calls share one call-state segment, so
 * {@link #lastError()} is the error of its last failed call; {@link #postQueuedCompletionStatus} (any
 * thread) captures into its own.
 */
public final class NativeWin32 implements Win32, AutoCloseable {
    private final Kernel32 k;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment state;
    private final MemorySegment removed;
    private int lastError;

    public NativeWin32(Kernel32 kernel32) {
        this.k = kernel32;
        this.state = NativeSupport.allocateCallState(arena);
        this.removed = arena.allocate(Win32Layouts.ULONG);
    }

    private static MemorySegment handle(long h) {
        return MemorySegment.ofAddress(h);
    }

    private boolean ok(int bool) {
        if (bool == 0) {
            lastError = k.lastError(state);
            return false;
        }
        return true;
    }

    @Override
    public int lastError() {
        return lastError;
    }

    @Override
    public long createCompletionPort() {
        long port = k.createIoCompletionPort(state, handle(INVALID_HANDLE_VALUE), MemorySegment.NULL, 0, 1).address();
        if (port == 0) {
            lastError = k.lastError(state);
        }
        return port;
    }

    @Override
    public boolean associate(long handle, long port, long key) {
        long result = k.createIoCompletionPort(state, handle(handle), handle(port), key, 0).address();
        if (result == 0) {
            lastError = k.lastError(state);
            return false;
        }
        return true;
    }

    @Override
    public long openDirectory(String path, boolean openReparsePoint) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment name = call.allocateFrom(path, StandardCharsets.UTF_16LE);
            long h = k.createFileW(state, name, FILE_LIST_DIRECTORY, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                    MemorySegment.NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OVERLAPPED
                            | (openReparsePoint ? FILE_FLAG_OPEN_REPARSE_POINT : 0), MemorySegment.NULL).address();
            if (h == INVALID_HANDLE_VALUE) {
                lastError = k.lastError(state);
            }
            return h;
        }
    }

    @Override
    public boolean getFileInformationByHandle(long handle, MemorySegment info) {
        return ok(k.getFileInformationByHandle(state, handle(handle), info));
    }

    @Override
    public boolean readDirectoryChanges(long directory, MemorySegment buffer, int length, boolean watchSubtree,
                                        int notifyFilter, MemorySegment overlapped, boolean extended) {
        if (extended) {
            return ok(k.readDirectoryChangesExW(state, handle(directory), buffer, length, watchSubtree ? 1 : 0,
                    notifyFilter, MemorySegment.NULL, overlapped, MemorySegment.NULL,
                    READ_DIRECTORY_NOTIFY_EXTENDED_INFORMATION));
        }
        return ok(k.readDirectoryChangesW(state, handle(directory), buffer, length, watchSubtree ? 1 : 0, notifyFilter,
                MemorySegment.NULL, overlapped, MemorySegment.NULL));
    }

    @Override
    public boolean hasReadDirectoryChangesEx() {
        return k.hasReadDirectoryChangesExW();
    }

    @Override
    public boolean cancelIoEx(long handle, MemorySegment overlapped) {
        return ok(k.cancelIoEx(state, handle(handle), overlapped));
    }

    @Override
    public boolean closeHandle(long handle) {
        return ok(k.closeHandle(state, handle(handle)));
    }

    @Override
    public boolean postQueuedCompletionStatus(long port, int bytes, long key, long overlapped) {
        try (Arena call = Arena.ofConfined()) {
            return k.postQueuedCompletionStatus(NativeSupport.allocateCallState(call), handle(port), bytes, key,
                    handle(overlapped)) != 0;
        }
    }

    @Override
    public int getQueuedCompletionStatusEx(long port, MemorySegment entries, int count, int millis) {
        if (!ok(k.getQueuedCompletionStatusEx(state, handle(port), entries, count, removed, millis, 0))) {
            return -1;
        }
        return removed.get(Win32Layouts.ULONG, 0);
    }

    @Override
    public String getLongPathName(String path) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment in = call.allocateFrom(path, StandardCharsets.UTF_16LE);
            int chars = 1024;
            for (int attempt = 0; attempt < 3; attempt++) {
                MemorySegment out = call.allocate(2L * chars, 2);
                int n = k.getLongPathNameW(state, in, out, chars);
                if (n == 0) {
                    lastError = k.lastError(state);
                    return null;
                }
                if (n < chars) {
                    return out.getString(0, StandardCharsets.UTF_16LE);
                }
                chars = n; // too small: n is the size needed, with the NUL
            }
            return null;
        }
    }

    @Override
    public String getFinalPathName(long handle) {
        try (Arena call = Arena.ofConfined()) {
            int chars = 1024;
            for (int attempt = 0; attempt < 3; attempt++) {
                MemorySegment out = call.allocate(2L * chars, 2);
                int n = k.getFinalPathNameByHandleW(state, handle(handle), out, chars,
                        FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
                if (n == 0) {
                    lastError = k.lastError(state);
                    return null;
                }
                if (n < chars) {
                    return out.getString(0, StandardCharsets.UTF_16LE);
                }
                chars = n + 1; // too small: n is the size needed
            }
            return null;
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
