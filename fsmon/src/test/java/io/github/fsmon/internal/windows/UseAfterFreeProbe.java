package io.github.fsmon.internal.windows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Run in a child JVM by {@link AddressSanitizerTest}: does on purpose what the backend must never do,
 * freeing a read's buffer and OVERLAPPED while the read is pending, then lets the fake kernel complete
 * it. Under AddressSanitizer the fake's write into the freed memory must abort the process with a
 * heap-use-after-free report; that is what proves the asan build would catch the backend doing it.
 */
public final class UseAfterFreeProbe {
    private UseAfterFreeProbe() {
    }

    public static void main(String[] args) {
        Path library = Path.of(args[0]);
        Path dir = Path.of(args[1]);
        System.setProperty(Kernel32.LIBRARY_PROPERTY, library.toString());
        FakeKernel32 fake = new FakeKernel32(library);
        try (NativeWin32 w32 = new NativeWin32(Kernel32.load())) {
            long port = w32.createCompletionPort();
            long h = w32.openDirectory(dir.toString(), false);
            w32.associate(h, port, 16);
            Arena arena = Arena.ofConfined();
            MemorySegment buffer = arena.allocate(4096, 8);
            MemorySegment overlapped = Overlapped.allocate(arena);
            if (!w32.readDirectoryChanges(h, buffer, 4096, false, 0x17F, overlapped, false)) {
                throw new AssertionError("read not posted: " + w32.lastError());
            }
            arena.close(); // the bug: freed while the kernel may still write it
            fake.emit(dir, Win32Constants.FILE_ACTION_ADDED, "x");
            fake.flush(dir);
            System.out.println("no error detected");
        }
    }
}
