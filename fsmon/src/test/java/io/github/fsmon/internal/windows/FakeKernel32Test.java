package io.github.fsmon.internal.windows;

import io.github.fsmon.Backend;
import io.github.fsmon.FileMonitor;
import io.github.fsmon.Watch;
import io.github.fsmon.WatchOptions;
import io.github.fsmon.internal.core.Masks;
import io.github.fsmon.internal.core.RawEventSink;
import io.github.fsmon.testing.Leaks;
import io.github.fsmon.testing.Recorder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.github.fsmon.internal.windows.Win32Constants.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real FFM bindings ({@link Kernel32}, {@link NativeWin32}) and the backend on them, against the fake
 * kernel32 the test build compiles from src/test/c with gcc. This checks the downcall descriptors (every
 * argument and result crosses a real native call), the arenas, OVERLAPPED identity across the native
 * completion port, the I/O thread blocking in native code and woken by another thread, and that nothing
 * is left open or allocated on either side. Skipped when gcc was not there to build the fake.
 */
class FakeKernel32Test {
    static FakeKernel32 fake;

    @TempDir
    Path tmp;
    Path root;
    NativeWin32 win32;
    ReadDirectoryChangesBackend backend;
    final List<String> events = new ArrayList<>();
    final RawEventSink sink = new RawEventSink() {
        @Override
        public void onEvent(int id, int mask, int cookie, String name, boolean lossy) {
            events.add(id + " " + ReadDirectoryChangesBackendTest.names(mask) + (cookie != 0 ? " cookie" : "")
                    + (name.isEmpty() ? "" : " " + name));
        }

        @Override
        public void onBarrier(long token) {
            events.add("barrier " + token);
        }
    };

    @BeforeAll
    static void loadFake() {
        Path lib = FakeKernel32.library();
        assumeTrue(lib != null, "the fake kernel32 was not built (no gcc?)");
        System.setProperty(Kernel32.LIBRARY_PROPERTY, lib.toString());
        fake = new FakeKernel32(lib);
    }

    @AfterAll
    static void unloadFake() {
        System.clearProperty(Kernel32.LIBRARY_PROPERTY);
    }

    @BeforeEach
    void setUp() throws IOException {
        fake.configure(0, true, false);
        assertThat(fake.openHandles()).as("handles left by an earlier test").isZero();
        root = Files.createDirectory(tmp.resolve("root"));
        win32 = new NativeWin32(Kernel32.load());
    }

    @AfterEach
    void tearDown() {
        if (backend != null) {
            backend.close();
        }
        win32.close();
        assertThat(fake.openHandles()).as("handles left open").isZero();
        assertThat(fake.pendingReads()).as("reads left pending").isZero();
        assertThat(fake.allocations()).as("fake kernel32 allocations left").isZero();
    }

    List<String> take() {
        List<String> out = List.copyOf(events);
        events.clear();
        return out;
    }

    @Test
    void capturesErrnoInPlaceOfGetLastErrorOnLinux() {
        assertThat(Kernel32.load().errorName()).isEqualTo("errno");
        assertThat(win32.openDirectory(root.resolve("missing").toString(), false)).isEqualTo(INVALID_HANDLE_VALUE);
        assertThat(win32.lastError()).isEqualTo(ERROR_FILE_NOT_FOUND);
        assertThat(win32.closeHandle(0x1234)).isFalse();
        assertThat(win32.lastError()).isEqualTo(ERROR_INVALID_HANDLE);
    }

    @Test
    void downcallsPassEveryArgument() throws IOException {
        long port = win32.createCompletionPort();
        assertThat(port).isNotZero();
        long dir = win32.openDirectory(root.toString(), false);
        assertThat(dir).isNotEqualTo(INVALID_HANDLE_VALUE);
        assertThat(fake.lastCreate(0)).isEqualTo(FILE_LIST_DIRECTORY);
        assertThat(fake.lastCreate(1)).isEqualTo(FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE);
        assertThat(fake.lastCreate(2)).isEqualTo(FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OVERLAPPED);
        assertThat(fake.lastCreate(3)).isEqualTo(OPEN_EXISTING);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(Win32Layouts.BY_HANDLE_FILE_INFORMATION);
            assertThat(win32.getFileInformationByHandle(dir, info)).isTrue();
            long ino = (Long) Files.getAttribute(root, "unix:ino");
            assertThat(info.get(Win32Layouts.DWORD, Win32Layouts.BHFI_ATTRIBUTES)).isEqualTo(FILE_ATTRIBUTE_DIRECTORY);
            assertThat(info.get(Win32Layouts.DWORD, Win32Layouts.BHFI_INDEX_LOW)).isEqualTo((int) ino);
            assertThat(info.get(Win32Layouts.DWORD, Win32Layouts.BHFI_INDEX_HIGH)).isEqualTo((int) (ino >>> 32));
            assertThat(info.get(Win32Layouts.DWORD, Win32Layouts.BHFI_VOLUME_SERIAL))
                    .isEqualTo((int) (long) (Long) Files.getAttribute(root, "unix:dev"));
            // 64-bit completion key, pointer-sized OVERLAPPED value and a full 32-bit byte count survive the trip.
            assertThat(win32.postQueuedCompletionStatus(port, 0xFFFF_FFFE, 0x1234_5678_9ABC_DEF0L, 0x0FED_CBA9_8765_4320L)).isTrue();
            MemorySegment entries = Overlapped.allocateEntries(arena, 4);
            assertThat(win32.getQueuedCompletionStatusEx(port, entries, 4, 0)).isOne();
            assertThat(Overlapped.entryKey(entries, 0)).isEqualTo(0x1234_5678_9ABC_DEF0L);
            assertThat(Overlapped.entryOverlapped(entries, 0)).isEqualTo(0x0FED_CBA9_8765_4320L);
            assertThat(Overlapped.entryBytes(entries, 0)).isEqualTo(0xFFFF_FFFE);
            assertThat(win32.getQueuedCompletionStatusEx(port, entries, 4, 0)).isEqualTo(-1);
            assertThat(win32.lastError()).isEqualTo(WAIT_TIMEOUT);
            // An asynchronous read: pending status in the OVERLAPPED, then the kernel's completion into it.
            MemorySegment buffer = arena.allocate(4096, 8);
            MemorySegment ov = Overlapped.allocate(arena);
            assertThat(win32.associate(dir, port, 77)).isTrue();
            assertThat(win32.readDirectoryChanges(dir, buffer, 4096, true, 0x17F, ov, true)).isTrue();
            assertThat(Overlapped.status(ov)).isEqualTo(STATUS_PENDING);
            assertThat(fake.pendingFlags(root)).isEqualTo(3);
            assertThat(fake.pendingLength(root)).isEqualTo(4096);
            assertThat(fake.pendingBuffer(root)).isEqualTo(buffer.address());
            fake.emit(root, FILE_ACTION_ADDED, "名前", FILE_ATTRIBUTE_DIRECTORY);
            assertThat(fake.flush(root)).isTrue();
            assertThat(win32.getQueuedCompletionStatusEx(port, entries, 4, 1000)).isOne();
            assertThat(Overlapped.entryKey(entries, 0)).isEqualTo(77);
            assertThat(Overlapped.entryOverlapped(entries, 0)).isEqualTo(ov.address());
            assertThat(Overlapped.status(ov)).isEqualTo(STATUS_SUCCESS);
            assertThat(Overlapped.bytes(ov)).isEqualTo(Overlapped.entryBytes(entries, 0)).isEqualTo(84 + 4);
            FileNotifyInformation c = new FileNotifyInformation();
            c.reset(buffer, Overlapped.bytes(ov), true);
            assertThat(c.next()).isTrue();
            assertThat(c.name()).isEqualTo("名前");
            assertThat(c.attributes()).isEqualTo(FILE_ATTRIBUTE_DIRECTORY);
            assertThat(c.next()).isFalse();
            // Cancel: the completion names the same OVERLAPPED, with STATUS_CANCELLED.
            assertThat(win32.readDirectoryChanges(dir, buffer, 4096, false, 0x17F, ov, false)).isTrue();
            assertThat(win32.cancelIoEx(dir, ov)).isTrue();
            assertThat(win32.cancelIoEx(dir, ov)).isFalse();
            assertThat(win32.lastError()).isEqualTo(ERROR_NOT_FOUND);
            assertThat(win32.getQueuedCompletionStatusEx(port, entries, 4, 1000)).isOne();
            assertThat(Overlapped.status(ov)).isEqualTo(STATUS_CANCELLED);
            Files.createFile(root.resolve("long name.txt"));
            fake.addLongName(root.resolve("LONGNA~1.TXT"), root.resolve("long name.txt"));
            assertThat(win32.getLongPathName(root.resolve("LONGNA~1.TXT").toString()))
                    .isEqualTo(root.resolve("long name.txt").toString());
            assertThat(win32.getLongPathName(root.resolve("gone").toString())).isNull();
            assertThat(win32.lastError()).isEqualTo(ERROR_FILE_NOT_FOUND);
        }
        assertThat(win32.closeHandle(dir)).isTrue();
        assertThat(win32.closeHandle(dir)).isFalse();
        assertThat(win32.closeHandle(port)).isTrue();
    }

    @Test
    void backendOnTheRealBindings() throws IOException {
        Files.createDirectories(root.resolve("sub"));
        backend = new ReadDirectoryChangesBackend(win32, ReadDirectoryChangesBackend.DEFAULT_BUFFER, false);
        int rootId = backend.addWatch(root, Masks.ALL_EVENTS, Masks.SUBTREE);
        int sub = backend.addWatch(root.resolve("sub"), Masks.ALL_EVENTS, Masks.ONLYDIR);
        assertThat(fake.openHandles()).as("port + one recursive handle").isEqualTo(2);
        assertThat(fake.pendingFlags(root)).isEqualTo(3);
        long firstBuffer = fake.pendingBuffer(root);
        fake.emit(root, FILE_ACTION_ADDED, "sub\\d", FILE_ATTRIBUTE_DIRECTORY);
        fake.emit(root, FILE_ACTION_MODIFIED, "sub", FILE_ATTRIBUTE_DIRECTORY);
        fake.emit(root, FILE_ACTION_RENAMED_OLD_NAME, "sub\\d", FILE_ATTRIBUTE_DIRECTORY);
        fake.emit(root, FILE_ACTION_RENAMED_NEW_NAME, "e", FILE_ATTRIBUTE_DIRECTORY);
        assertThat(fake.flush(root)).isTrue();
        backend.barrier(9);
        backend.await(TimeUnit.SECONDS.toNanos(5), sink);
        backend.await(TimeUnit.SECONDS.toNanos(5), sink); // the barrier goes round once more after a re-arm
        assertThat(take()).containsExactly(sub + " CREATE,ISDIR d", sub + " MOVED_FROM,ISDIR cookie d",
                rootId + " MOVED_TO,ISDIR cookie e", "barrier 9");
        assertThat(fake.pendingBuffer(root)).isNotEqualTo(firstBuffer).isNotZero();

        fake.complete(root, STATUS_NOTIFY_ENUM_DIR);
        backend.await(TimeUnit.SECONDS.toNanos(5), sink);
        assertThat(take()).containsExactly("-1 Q_OVERFLOW");
        assertThat(fake.pendingReads()).isOne();

        fake.complete(root, STATUS_DELETE_PENDING);
        backend.await(TimeUnit.SECONDS.toNanos(5), sink);
        assertThat(take()).containsExactly(rootId + " DELETE_SELF", rootId + " IGNORED", sub + " IGNORED");
        assertThat(fake.openHandles()).as("only the port").isOne();
    }

    @Test
    void renamedRootIsFoundThroughGetFinalPathNameByHandle() throws IOException {
        backend = new ReadDirectoryChangesBackend(win32, ReadDirectoryChangesBackend.DEFAULT_BUFFER, false);
        int id = backend.addWatch(root, Masks.ALL_EVENTS, Masks.SUBTREE);
        backend.barrier(1);
        backend.await(TimeUnit.SECONDS.toNanos(5), sink);
        assertThat(take()).containsExactly("barrier 1");
        Files.move(root, tmp.resolve("moved"));
        backend.barrier(2);
        backend.await(TimeUnit.SECONDS.toNanos(5), sink);
        backend.await(TimeUnit.SECONDS.toNanos(5), sink);
        assertThat(take()).containsExactly(id + " MOVE_SELF", id + " IGNORED", "barrier 2");
    }

    @Test
    void cancelledReadKeepsItsMemoryUntilTheCompletionIsDequeued() throws IOException {
        fake.configure(0, true, true);
        backend = new ReadDirectoryChangesBackend(win32, ReadDirectoryChangesBackend.DEFAULT_BUFFER, false);
        int id = backend.addWatch(root, Masks.ALL_EVENTS, 0);
        backend.removeWatch(id);
        backend.await(0, sink);
        assertThat(take()).containsExactly(id + " IGNORED");
        assertThat(fake.openHandles()).as("directory handle kept while its cancel is in flight").isEqualTo(2);
        // The fake kernel now writes the cancelled status into the OVERLAPPED: were it freed, AddressSanitizer
        // (in the asan build) reports a heap-use-after-free here.
        assertThat(fake.completeDeferredCancels()).isOne();
        backend.await(TimeUnit.SECONDS.toNanos(5), sink);
        assertThat(fake.openHandles()).isOne();
        assertThat(backend.liveHandles()).isZero();
    }

    @Test
    void closeWaitsForCancelledReadsThenFreesEverything() throws IOException {
        backend = new ReadDirectoryChangesBackend(win32, ReadDirectoryChangesBackend.DEFAULT_BUFFER, false);
        backend.addWatch(root, Masks.ALL_EVENTS, Masks.SUBTREE);
        backend.addWatch(Files.createDirectory(tmp.resolve("other")), Masks.ALL_EVENTS, 0);
        assertThat(fake.pendingReads()).isEqualTo(2);
        backend.close();
        backend.close();
        assertThat(backend.leftAllocated()).isZero();
        assertThat(fake.openHandles()).isZero();
    }

    @Test
    void closeLeavesAllocatedWhatACancelThatNeverCompletesCouldStillWrite() throws IOException {
        fake.configure(0, true, true); // cancellations complete only when the test says so
        backend = new ReadDirectoryChangesBackend(win32, ReadDirectoryChangesBackend.DEFAULT_BUFFER, false);
        backend.addWatch(root, Masks.ALL_EVENTS, 0);
        backend.closeDrainMillis(50);
        backend.close();
        assertThat(backend.leftAllocated()).isOne();
        // The kernel finishes the cancellation after close: it writes the OVERLAPPED, which must still be
        // allocated (AddressSanitizer, in the asan build, would report a heap-use-after-free here).
        assertThat(fake.completeDeferredCancels()).isOne();
    }

    @Test
    void kernel32WithoutReadDirectoryChangesExWFallsBackToReadDirectoryChangesW() throws IOException {
        Path noEx = FakeKernel32.library().resolveSibling("libfakekernel32-noex.so");
        assumeTrue(Files.isRegularFile(noEx));
        String previous = System.getProperty(Kernel32.LIBRARY_PROPERTY);
        System.setProperty(Kernel32.LIBRARY_PROPERTY, noEx.toString());
        Kernel32 old;
        try {
            old = Kernel32.load();
        } finally {
            System.setProperty(Kernel32.LIBRARY_PROPERTY, previous);
        }
        assertThat(old.hasReadDirectoryChangesExW()).isFalse();
        FakeKernel32 other = new FakeKernel32(noEx); // its own state: a separate library
        try (NativeWin32 w = new NativeWin32(old)) {
            ReadDirectoryChangesBackend b = new ReadDirectoryChangesBackend(w, ReadDirectoryChangesBackend.DEFAULT_BUFFER, false);
            try {
                int id = b.addWatch(root, Masks.ALL_EVENTS, 0);
                assertThat(b.readMode(id)).isEqualTo("65536 basic");
                assertThat(other.pendingFlags(root)).isZero();
                Files.createDirectory(root.resolve("d"));
                other.emit(root, FILE_ACTION_ADDED, "d");
                other.flush(root);
                b.await(TimeUnit.SECONDS.toNanos(5), sink);
                assertThat(take()).containsExactly(id + " CREATE,ISDIR d");
            } finally {
                b.close();
            }
        }
        assertThat(other.openHandles()).isZero();
        assertThat(other.allocations()).isZero();
    }

    @Test
    void manyRecordsFromAnotherThreadArriveInOrderThroughTheNativePort() throws Exception {
        backend = new ReadDirectoryChangesBackend(win32, ReadDirectoryChangesBackend.DEFAULT_BUFFER, false);
        int id = backend.addWatch(root, Masks.ALL_EVENTS, 0);
        int batches = 200;
        int perBatch = 50;
        Thread kernel = new Thread(() -> {
            for (int b = 0; b < batches; b++) {
                for (int r = 0; r < perBatch; r++) {
                    fake.emit(root, FILE_ACTION_REMOVED, "f" + (b * perBatch + r));
                }
                // Complete the pending read; when none is pending (the I/O thread has not re-armed yet),
                // wait for it rather than let records pile up past the buffer (which is an overflow).
                while (!fake.flush(root)) {
                    Thread.onSpinWait();
                }
                backend.wakeup(); // wake-ups from another thread, mixed in with completions
            }
        });
        kernel.start();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < batches * perBatch; i++) {
            expected.add(id + " DELETE f" + i);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (events.size() < expected.size() && System.nanoTime() - deadline < 0) {
            backend.await(TimeUnit.MILLISECONDS.toNanos(200), sink);
        }
        kernel.join();
        assertThat(take()).isEqualTo(expected);
    }

    @Test
    void networkShareBufferLimitAndBasicRecordsFallback() throws IOException {
        fake.configure(64 * 1024, false, false);
        backend = new ReadDirectoryChangesBackend(win32, 256 * 1024, false);
        int id = backend.addWatch(root, Masks.ALL_EVENTS, 0);
        assertThat(fake.pendingLength(root)).isEqualTo(64 * 1024);
        assertThat(fake.pendingFlags(root)).as("not recursive, not extended").isZero();
        Files.createDirectory(root.resolve("d"));
        fake.emit(root, FILE_ACTION_ADDED, "d");
        fake.emit(root, FILE_ACTION_MODIFIED, "d");
        fake.flush(root);
        backend.await(TimeUnit.SECONDS.toNanos(5), sink);
        assertThat(take()).containsExactly(id + " CREATE,ISDIR d", id + " MODIFY,UNLESS_DIR d");
    }

    @Test
    void fileMonitorOnTheFakeKernel32() throws Exception {
        long threadsBefore = Leaks.fsmonThreads();
        Recorder rec = new Recorder();
        try (FileMonitor monitor = FileMonitor.builder().backend(Backend.WINDOWS).build()) {
            assertThat(monitor.backend()).isEqualTo(Backend.WINDOWS);
            Files.createDirectories(root.resolve("a"));
            Watch w = monitor.watch(root, WatchOptions.builder().recursive(true).build(), rec).get(10, TimeUnit.SECONDS);
            // The I/O thread is blocked in the fake's GetQueuedCompletionStatusEx; this thread plays the kernel.
            Files.createFile(root.resolve("a/f"));
            fake.emit(root, FILE_ACTION_ADDED, "a\\f");
            fake.emit(root, FILE_ACTION_MODIFIED, "a", FILE_ATTRIBUTE_DIRECTORY); // noise: dropped
            Files.createDirectory(root.resolve("new"));
            fake.emit(root, FILE_ACTION_ADDED, "new", FILE_ATTRIBUTE_DIRECTORY);
            assertThat(fake.flush(root)).isTrue();
            rec.settle(monitor);
            Files.move(root.resolve("a/f"), root.resolve("new/g"));
            fake.emit(root, FILE_ACTION_RENAMED_OLD_NAME, "a\\f");
            fake.emit(root, FILE_ACTION_RENAMED_NEW_NAME, "new\\g");
            assertThat(fake.flush(root)).isTrue();
            rec.settle(monitor);
            assertThat(rec.lines(root)).containsExactly("CREATE a/f", "CREATE,ISDIR new", "MOVED_FROM a/f",
                    "MOVED_TO new/g <- a/f");
            rec.clear();
            // Overflow: the engine rescans and reports what it finds changed.
            Files.createFile(root.resolve("new/h"));
            fake.complete(root, STATUS_NOTIFY_ENUM_DIR);
            rec.settle(monitor);
            List<String> recovered = rec.lines(root);
            assertThat(recovered.get(0)).isEqualTo("OVERFLOW .");
            assertThat(recovered).contains("CREATE new/h").last().isEqualTo("RECOVERED .");
            rec.clear();
            w.cancel().get(10, TimeUnit.SECONDS);
            rec.settle(monitor);
            assertThat(rec.lines(root)).containsExactly("IGNORED .");
        }
        assertThat(fake.openHandles()).isZero();
        assertThat(Leaks.fsmonThreads()).isEqualTo(threadsBefore);
    }
}
