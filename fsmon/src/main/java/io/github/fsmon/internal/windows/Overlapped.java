package io.github.fsmon.internal.windows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static io.github.fsmon.internal.windows.Win32Layouts.DWORD;
import static io.github.fsmon.internal.windows.Win32Layouts.ULONG_PTR;

/**
 * An {@code OVERLAPPED} and its completion: what one pending {@code ReadDirectoryChangesW} owns. The
 * address of the OVERLAPPED is the operation's identity: a completion packet names it, and the backend
 * finds the read (and its buffer) by it. The memory must stay allocated until the packet naming it has
 * been dequeued from the completion port, also after {@code CancelIoEx} or {@code CloseHandle}: the
 * kernel writes the final status into it when the operation ends.
 */
public final class Overlapped {
    private Overlapped() {
    }

    /** A zeroed OVERLAPPED in {@code arena}. */
    public static MemorySegment allocate(Arena arena) {
        return arena.allocate(Win32Layouts.OVERLAPPED); // Arena.allocate zeroes
    }

    /** Clears it for the next operation (the kernel requires hEvent and the offsets to be valid; zero is). */
    public static void clear(MemorySegment overlapped) {
        overlapped.fill((byte) 0);
    }

    /** {@code Internal}: the NTSTATUS the operation ended with ({@code STATUS_PENDING} while in flight). */
    public static int status(MemorySegment overlapped) {
        return (int) overlapped.get(ULONG_PTR, Win32Layouts.OVERLAPPED_INTERNAL);
    }

    /** {@code InternalHigh}: bytes transferred. */
    public static long bytes(MemorySegment overlapped) {
        return overlapped.get(ULONG_PTR, Win32Layouts.OVERLAPPED_INTERNAL_HIGH);
    }

    /** An array of {@code count} OVERLAPPED_ENTRY for GetQueuedCompletionStatusEx. */
    public static MemorySegment allocateEntries(Arena arena, int count) {
        return arena.allocate(Win32Layouts.OVERLAPPED_ENTRY, count);
    }

    public static long entryKey(MemorySegment entries, int i) {
        return entries.get(ULONG_PTR, i * Win32Layouts.OVERLAPPED_ENTRY.byteSize() + Win32Layouts.ENTRY_COMPLETION_KEY);
    }

    /** The OVERLAPPED address the packet names (for posted packets: whatever value was posted). */
    public static long entryOverlapped(MemorySegment entries, int i) {
        return entries.get(ULONG_PTR, i * Win32Layouts.OVERLAPPED_ENTRY.byteSize() + Win32Layouts.ENTRY_OVERLAPPED);
    }

    public static int entryBytes(MemorySegment entries, int i) {
        return entries.get(DWORD, i * Win32Layouts.OVERLAPPED_ENTRY.byteSize() + Win32Layouts.ENTRY_BYTES);
    }
}
