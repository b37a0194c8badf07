package io.github.fsmon.internal.windows;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;

import static io.github.fsmon.internal.windows.Win32Constants.*;

/**
 * A pure-Java kernel32 for the backend's logic: directory handles over the real file system (so the
 * backend's own attribute lookups agree with it), one completion port, and completions scripted by the
 * test. Like the kernel, it writes records and the final status into the buffer and OVERLAPPED of the
 * pending read when it completes it, so a backend that freed them early fails here: the memory of a
 * closed arena cannot be written.
 */
final class SimulatedWin32 implements Win32 {
    record Packet(long key, long overlapped, int bytes) {
    }

    /** A pending ReadDirectoryChangesW. */
    record Read(MemorySegment buffer, int length, boolean subtree, MemorySegment overlapped, boolean extended) {
    }

    final class Dir {
        final long handle;
        final Path path;
        long key = -1;
        Read pending;
        boolean open = true;
        String finalPath;
        final List<NotifyRecords.Rec> staged = new ArrayList<>();

        Dir(long handle, Path path) {
            this.handle = handle;
            this.path = path;
        }
    }

    private final LinkedBlockingDeque<Packet> port = new LinkedBlockingDeque<>();
    private final Map<Long, Dir> dirs = new LinkedHashMap<>();
    private final ArrayDeque<Read> deferredCancels = new ArrayDeque<>();
    final Map<String, String> longNames = new HashMap<>();
    final List<String> calls = new ArrayList<>();
    private long nextHandle = 0x1000;
    private long portHandle;
    private boolean portOpen;
    private int lastError;
    /** Reads with a longer buffer fail with ERROR_INVALID_PARAMETER (as on a network share). */
    int maxBuffer = Integer.MAX_VALUE;
    boolean extendedSupported = true;
    boolean deferCancel;
    int readsPosted;

    @Override
    public int lastError() {
        return lastError;
    }

    private boolean fail(int error) {
        lastError = error;
        return false;
    }

    @Override
    public long createCompletionPort() {
        portHandle = nextHandle++;
        portOpen = true;
        return portHandle;
    }

    @Override
    public boolean associate(long handle, long p, long key) {
        Dir d = dirs.get(handle);
        if (d == null || !d.open || p != portHandle) {
            return fail(ERROR_INVALID_HANDLE);
        }
        d.key = key;
        return true;
    }

    @Override
    public long openDirectory(String path, boolean openReparsePoint) {
        calls.add("CreateFileW " + path);
        Path p = Path.of(path);
        if (!Files.exists(p, openReparsePoint ? new LinkOption[]{LinkOption.NOFOLLOW_LINKS} : new LinkOption[0])) {
            lastError = Files.exists(p.getParent()) ? ERROR_FILE_NOT_FOUND : ERROR_PATH_NOT_FOUND;
            return INVALID_HANDLE_VALUE;
        }
        Dir d = new Dir(nextHandle++, p);
        d.finalPath = "\\\\?\\" + p; // as Windows spells it
        dirs.put(d.handle, d);
        return d.handle;
    }

    @Override
    public boolean getFileInformationByHandle(long handle, MemorySegment info) {
        Dir d = dirs.get(handle);
        if (d == null || !d.open) {
            return fail(ERROR_INVALID_HANDLE);
        }
        return SimulatedWin32.fileInformation(d.path, info) || fail(ERROR_FILE_NOT_FOUND);
    }

    @Override
    public boolean readDirectoryChanges(long directory, MemorySegment buffer, int length, boolean watchSubtree,
                                        int notifyFilter, MemorySegment overlapped, boolean extended) {
        Dir d = dirs.get(directory);
        if (d == null || !d.open) {
            return fail(ERROR_INVALID_HANDLE);
        }
        if (length > maxBuffer || d.pending != null || (extended && !extendedSupported)) {
            return fail(extended && !extendedSupported ? ERROR_INVALID_FUNCTION : ERROR_INVALID_PARAMETER);
        }
        if (buffer.address() % 4 != 0 || buffer.byteSize() < length) {
            return fail(ERROR_INVALID_PARAMETER);
        }
        overlapped.set(Win32Layouts.ULONG_PTR, Win32Layouts.OVERLAPPED_INTERNAL, STATUS_PENDING);
        d.pending = new Read(buffer, length, watchSubtree, overlapped, extended);
        readsPosted++;
        if (!d.staged.isEmpty()) {
            flush(d);
        }
        return true;
    }

    @Override
    public boolean hasReadDirectoryChangesEx() {
        return true;
    }

    @Override
    public boolean cancelIoEx(long handle, MemorySegment overlapped) {
        calls.add("CancelIoEx");
        Dir d = dirs.get(handle);
        if (d == null || !d.open) {
            return fail(ERROR_INVALID_HANDLE);
        }
        if (d.pending == null || d.pending.overlapped().address() != overlapped.address()) {
            return fail(ERROR_NOT_FOUND);
        }
        if (deferCancel) {
            deferredCancels.add(d.pending);
            Read r = d.pending;
            d.pending = null;
            deferredKeys.put(r, d.key);
            return true;
        }
        complete(d, STATUS_CANCELLED, 0);
        return true;
    }

    private final Map<Read, Long> deferredKeys = new HashMap<>();

    /** Completes the cancellations held back by {@link #deferCancel}, as the kernel would, later. */
    void completeDeferredCancels() {
        for (Read r = deferredCancels.poll(); r != null; r = deferredCancels.poll()) {
            r.overlapped().set(Win32Layouts.ULONG_PTR, Win32Layouts.OVERLAPPED_INTERNAL, STATUS_CANCELLED);
            r.overlapped().set(Win32Layouts.ULONG_PTR, Win32Layouts.OVERLAPPED_INTERNAL_HIGH, 0L);
            port.add(new Packet(deferredKeys.remove(r), r.overlapped().address(), 0));
        }
    }

    @Override
    public boolean closeHandle(long handle) {
        calls.add("CloseHandle");
        if (handle == portHandle) {
            if (!portOpen) {
                return fail(ERROR_INVALID_HANDLE);
            }
            portOpen = false;
            return true;
        }
        Dir d = dirs.get(handle);
        if (d == null || !d.open) {
            return fail(ERROR_INVALID_HANDLE);
        }
        if (d.pending != null) {
            complete(d, STATUS_NOTIFY_CLEANUP, 0);
        }
        d.open = false;
        return true;
    }

    @Override
    public boolean postQueuedCompletionStatus(long p, int bytes, long key, long overlapped) {
        if (p != portHandle || !portOpen) {
            return false;
        }
        port.add(new Packet(key, overlapped, bytes));
        return true;
    }

    @Override
    public int getQueuedCompletionStatusEx(long p, MemorySegment entries, int count, int millis) {
        if (p != portHandle || !portOpen) {
            lastError = ERROR_INVALID_HANDLE;
            return -1;
        }
        Packet first;
        try {
            first = millis == INFINITE ? port.take() : port.poll(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            first = null;
        }
        if (first == null) {
            lastError = WAIT_TIMEOUT;
            return -1;
        }
        int n = 0;
        for (Packet k = first; k != null && n < count; k = n < count ? port.poll() : null) {
            long at = n * Win32Layouts.OVERLAPPED_ENTRY.byteSize();
            entries.set(Win32Layouts.ULONG_PTR, at + Win32Layouts.ENTRY_COMPLETION_KEY, k.key());
            entries.set(Win32Layouts.ULONG_PTR, at + Win32Layouts.ENTRY_OVERLAPPED, k.overlapped());
            entries.set(Win32Layouts.DWORD, at + Win32Layouts.ENTRY_BYTES, k.bytes());
            n++;
        }
        return n;
    }

    @Override
    public String getFinalPathName(long handle) {
        Dir d = dirs.get(handle);
        if (d == null || !d.open) {
            lastError = ERROR_INVALID_HANDLE;
            return null;
        }
        return d.finalPath;
    }

    /** The directory of the handle on {@code path} is renamed to {@code to} (Windows tells the handle nothing). */
    void renameHandleDirectory(Path path, Path to) {
        dir(path).finalPath = "\\\\?\\" + to;
    }

    @Override
    public String getLongPathName(String path) {
        if (longNames.containsKey(path)) {
            return longNames.get(path);
        }
        if (Files.exists(Path.of(path), LinkOption.NOFOLLOW_LINKS)) {
            return path;
        }
        lastError = ERROR_FILE_NOT_FOUND;
        return null;
    }

    // Scripting, for the tests.

    Dir dir(Path path) {
        Dir found = null;
        for (Dir d : dirs.values()) {
            if (d.open && d.path.equals(path)) {
                found = d;
            }
        }
        if (found == null) {
            throw new AssertionError("no open handle on " + path);
        }
        return found;
    }

    /** Stages a record for the handle on {@code path}. */
    SimulatedWin32 record(Path path, int action, String name) {
        return record(path, action, name, -1);
    }

    SimulatedWin32 record(Path path, int action, String name, int attributes) {
        dir(path).staged.add(new NotifyRecords.Rec(action, name, attributes, 0));
        return this;
    }

    /** Completes the pending read on {@code path} with the staged records. */
    void flush(Path path) {
        flush(dir(path));
    }

    private void flush(Dir d) {
        Read r = d.pending;
        if (r == null) {
            return; // kept, as the kernel keeps changes between reads, until the next read
        }
        NotifyRecords recs = new NotifyRecords(r.extended());
        for (NotifyRecords.Rec rec : d.staged) {
            recs.add(rec.action(), rec.name(), rec.attributes() == -1 ? FILE_ATTRIBUTE_NORMAL : rec.attributes(),
                    rec.fileId());
        }
        d.staged.clear();
        byte[] bytes = recs.bytes();
        if (bytes.length > r.length()) {
            complete(d, STATUS_NOTIFY_ENUM_DIR, 0); // did not fit: dropped, the caller must enumerate
            return;
        }
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, r.buffer(), 0, bytes.length);
        complete(d, STATUS_SUCCESS, bytes.length);
    }

    /** Completes the pending read on {@code path} with these bytes, as they are (for malformed buffers). */
    void flushRaw(Path path, byte[] bytes) {
        Dir d = dir(path);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, d.pending.buffer(), 0, bytes.length);
        complete(d, STATUS_SUCCESS, bytes.length);
    }

    /** Completes the pending read on {@code path} with {@code status} and no bytes. */
    void completeEmpty(Path path, int status) {
        complete(dir(path), status, 0);
    }

    private void complete(Dir d, int status, int bytes) {
        Read r = d.pending;
        d.pending = null;
        r.overlapped().set(Win32Layouts.ULONG_PTR, Win32Layouts.OVERLAPPED_INTERNAL, Integer.toUnsignedLong(status) & 0xFFFF_FFFFL);
        r.overlapped().set(Win32Layouts.ULONG_PTR, Win32Layouts.OVERLAPPED_INTERNAL_HIGH, (long) bytes);
        port.add(new Packet(d.key, r.overlapped().address(), bytes));
    }

    boolean hasPendingRead(Path path) {
        return dir(path).pending != null;
    }

    MemorySegment pendingBuffer(Path path) {
        return dir(path).pending.buffer();
    }

    Read pendingRead(Path path) {
        return dir(path).pending;
    }

    long openHandles() {
        return dirs.values().stream().filter(d -> d.open).count() + (portOpen ? 1 : 0);
    }

    long pendingReads() {
        return dirs.values().stream().filter(d -> d.pending != null).count() + deferredCancels.size();
    }

    int queuedPackets() {
        return port.size();
    }

    /**
     * Fills a BY_HANDLE_FILE_INFORMATION from the Linux file: the device stands in for the volume serial
     * and the inode for the file index, so two paths to one directory give one identity, as on Windows.
     */
    static boolean fileInformation(Path path, MemorySegment info) {
        try {
            long ino = (Long) Files.getAttribute(path, "unix:ino");
            long dev = (Long) Files.getAttribute(path, "unix:dev");
            info.fill((byte) 0);
            info.set(Win32Layouts.DWORD, Win32Layouts.BHFI_ATTRIBUTES,
                    Files.isDirectory(path) ? FILE_ATTRIBUTE_DIRECTORY : FILE_ATTRIBUTE_NORMAL);
            info.set(Win32Layouts.DWORD, Win32Layouts.BHFI_VOLUME_SERIAL, (int) dev);
            info.set(Win32Layouts.DWORD, Win32Layouts.BHFI_INDEX_HIGH, (int) (ino >>> 32));
            info.set(Win32Layouts.DWORD, Win32Layouts.BHFI_INDEX_LOW, (int) ino);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
