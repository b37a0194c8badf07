package io.github.fsmon.internal.windows;

import io.github.fsmon.internal.ffm.NativeSupport;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The test hooks of the fake kernel32 (src/test/c/fakekernel32.c): they play the kernel's part, staging
 * change records and completing reads on the fake port. The library itself is loaded by
 * {@link Kernel32#load()} through {@value Kernel32#LIBRARY_PROPERTY}, as the backend would load kernel32.
 */
final class FakeKernel32 {
    /** Where the test build put the fake (a system property set by the build), or null if it was not built. */
    static Path library() {
        String p = System.getProperty("fsmon.test.fakekernel32");
        return p != null && Files.isRegularFile(Path.of(p)) ? Path.of(p) : null;
    }

    private final MethodHandle emit, flush, complete, completeDeferred, openHandles, pendingReads, allocations,
            pendingLength, pendingFlags, pendingBuffer, lastCreate, addLongName, configure;

    @SuppressWarnings("restricted")
    FakeKernel32(Path library) {
        Linker linker = Linker.nativeLinker();
        SymbolLookup lookup = SymbolLookup.libraryLookup(library, Arena.global());
        emit = linker.downcallHandle(lookup.find("fake_emit").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        flush = linker.downcallHandle(lookup.find("fake_flush").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        complete = linker.downcallHandle(lookup.find("fake_complete").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        completeDeferred = linker.downcallHandle(lookup.find("fake_complete_deferred").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
        openHandles = linker.downcallHandle(lookup.find("fake_open_handles").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
        pendingReads = linker.downcallHandle(lookup.find("fake_pending_reads").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
        allocations = linker.downcallHandle(lookup.find("fake_allocations").orElseThrow(), FunctionDescriptor.of(JAVA_LONG));
        pendingLength = linker.downcallHandle(lookup.find("fake_pending_length").orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        pendingFlags = linker.downcallHandle(lookup.find("fake_pending_flags").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        pendingBuffer = linker.downcallHandle(lookup.find("fake_pending_buffer").orElseThrow(), FunctionDescriptor.of(ADDRESS, ADDRESS));
        lastCreate = linker.downcallHandle(lookup.find("fake_last_create").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        addLongName = linker.downcallHandle(lookup.find("fake_add_long_name").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        configure = linker.downcallHandle(lookup.find("fake_configure").orElseThrow(),
                FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT));
    }

    private static MemorySegment c(Arena a, Path p) {
        return a.allocateFrom(p.toString(), StandardCharsets.UTF_8);
    }

    /** Stages a change record (name relative to the handle's directory, '\'-separated) for the handle on dir. */
    void emit(Path dir, int action, String name, int attributes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment wide = a.allocateFrom(name, StandardCharsets.UTF_16LE);
            int rc = (int) emit.invokeExact(c(a, dir), action, wide, name.length(), attributes);
            if (rc != 0) {
                throw new AssertionError("no fake handle on " + dir);
            }
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    void emit(Path dir, int action, String name) {
        emit(dir, action, name, Win32Constants.FILE_ATTRIBUTE_NORMAL);
    }

    /** Completes the pending read on dir with the staged records; false if no read was pending. */
    boolean flush(Path dir) {
        try (Arena a = Arena.ofConfined()) {
            int rc = (int) flush.invokeExact(c(a, dir));
            if (rc < 0) {
                throw new AssertionError("no fake handle on " + dir);
            }
            return rc == 1;
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    boolean complete(Path dir, int ntstatus) {
        try (Arena a = Arena.ofConfined()) {
            return (int) complete.invokeExact(c(a, dir), ntstatus) == 1;
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    int completeDeferredCancels() {
        try {
            return (int) completeDeferred.invokeExact();
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    int openHandles() {
        try {
            return (int) openHandles.invokeExact();
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    int pendingReads() {
        try {
            return (int) pendingReads.invokeExact();
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    long allocations() {
        try {
            return (long) allocations.invokeExact();
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    long pendingLength(Path dir) {
        try (Arena a = Arena.ofConfined()) {
            return (long) pendingLength.invokeExact(c(a, dir));
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    /** Bit 1: recursive, bit 2: extended; -1 when no read is pending. */
    int pendingFlags(Path dir) {
        try (Arena a = Arena.ofConfined()) {
            return (int) pendingFlags.invokeExact(c(a, dir));
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    long pendingBuffer(Path dir) {
        try (Arena a = Arena.ofConfined()) {
            return ((MemorySegment) pendingBuffer.invokeExact(c(a, dir))).address();
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    /** The last CreateFileW's 0: access, 1: share mode, 2: flags, 3: disposition. */
    int lastCreate(int what) {
        try {
            return (int) lastCreate.invokeExact(what);
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    void addLongName(Path shortPath, Path longPath) {
        try (Arena a = Arena.ofConfined()) {
            int rc = (int) addLongName.invokeExact(c(a, shortPath), c(a, longPath));
            if (rc != 0) {
                throw new AssertionError("long-name table full");
            }
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

    /** Resets the fake's behaviour: largest buffer accepted (0: any), extended information, deferred cancels. */
    void configure(int maxBuffer, boolean extended, boolean deferCancel) {
        try {
            configure.invokeExact(maxBuffer, extended ? 1 : 0, deferCancel ? 1 : 0);
        } catch (Throwable t) {
            throw NativeSupport.rethrow(t);
        }
    }

}
