package io.github.fsmon.internal.windows;

import io.github.fsmon.internal.core.Masks;
import io.github.fsmon.internal.core.RawEventSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.github.fsmon.internal.windows.Win32Constants.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The backend's logic against {@link SimulatedWin32}: completions scripted, events checked in order. */
class ReadDirectoryChangesBackendTest {
    /** The simulations stand on Linux: inotify (for the scenario one) and unix:ino file keys. */
    @org.junit.jupiter.api.BeforeAll
    static void onLinux() {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.github.fsmon.internal.linux.InotifyBackend.isSupported(),
                "the kernel32 simulations run on Linux; on Windows, ScenarioTest runs the scripts against kernel32");
    }

    @TempDir
    Path tmp;
    Path root;
    SimulatedWin32 sim;
    ReadDirectoryChangesBackend backend;
    final Sink sink = new Sink();

    /** Records events as "id MASKS cookie name"; cookies as c1, c2... in order of appearance. */
    final class Sink implements RawEventSink {
        final List<String> events = new ArrayList<>();
        final List<Integer> readsPostedAtEvent = new ArrayList<>();
        final List<Integer> cookies = new ArrayList<>();

        @Override
        public void onEvent(int id, int mask, int cookie, String name, boolean lossy) {
            readsPostedAtEvent.add(sim.readsPosted);
            String c = "";
            if (cookie != 0) {
                if (!cookies.contains(cookie)) {
                    cookies.add(cookie);
                }
                c = " c" + (cookies.indexOf(cookie) + 1);
            }
            events.add(id + " " + names(mask) + c + (name.isEmpty() ? "" : " " + name) + (lossy ? " (lossy)" : ""));
        }

        @Override
        public void onBarrier(long token) {
            events.add("barrier " + token);
        }

        List<String> take() {
            List<String> out = List.copyOf(events);
            events.clear();
            return out;
        }
    }

    static String names(int mask) {
        List<String> n = new ArrayList<>();
        String[] all = {"MODIFY", "MOVED_FROM", "MOVED_TO", "CREATE", "DELETE", "DELETE_SELF", "MOVE_SELF",
                "Q_OVERFLOW", "IGNORED", "ISDIR", "UNLESS_DIR"};
        int[] bits = {Masks.MODIFY, Masks.MOVED_FROM, Masks.MOVED_TO, Masks.CREATE, Masks.DELETE, Masks.DELETE_SELF,
                Masks.MOVE_SELF, Masks.Q_OVERFLOW, Masks.IGNORED, Masks.ISDIR, Masks.UNLESS_DIR};
        for (int i = 0; i < bits.length; i++) {
            if ((mask & bits[i]) != 0) {
                n.add(all[i]);
            }
        }
        return String.join(",", n);
    }

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectory(tmp.resolve("root"));
        sim = new SimulatedWin32();
        sim.extendedSupported = false; // most tests read FILE_NOTIFY_INFORMATION; extended ones say so
        backend = new ReadDirectoryChangesBackend(sim, ReadDirectoryChangesBackend.DEFAULT_BUFFER, false);
    }

    @AfterEach
    void tearDown() {
        backend.close();
        assertThat(sim.openHandles()).as("handles left open").isZero();
        assertThat(sim.pendingReads()).as("reads left pending").isZero();
        assertThat(backend.liveHandles()).isZero();
    }

    void pump() throws IOException {
        backend.await(0, sink);
    }

    int watchTree() throws IOException {
        return backend.addWatch(root, Masks.ALL_EVENTS, Masks.SUBTREE);
    }

    @Test
    void createModifyDeleteAndReArmBeforeDecoding() throws IOException {
        int id = backend.addWatch(root, Masks.ALL_EVENTS, 0);
        MemorySegmentRef first = new MemorySegmentRef(sim.pendingBuffer(root).address());
        sim.record(root, FILE_ACTION_ADDED, "a.txt").record(root, FILE_ACTION_MODIFIED, "a.txt")
                .record(root, FILE_ACTION_REMOVED, "a.txt").flush(root);
        int postedBefore = sim.readsPosted;
        pump();
        assertThat(sink.take()).containsExactly(id + " CREATE a.txt", id + " MODIFY,UNLESS_DIR a.txt", id + " DELETE a.txt");
        // The next read was posted, on the other buffer, before the first record was reported.
        assertThat(sink.readsPostedAtEvent.get(0)).isEqualTo(postedBefore + 1);
        assertThat(sim.pendingBuffer(root).address()).isNotEqualTo(first.address);
        sim.record(root, FILE_ACTION_ADDED, "b").flush(root);
        pump();
        assertThat(sink.take()).containsExactly(id + " CREATE b");
        assertThat(sim.pendingBuffer(root).address()).isEqualTo(first.address); // buffers alternate
    }

    record MemorySegmentRef(long address) {
    }

    @Test
    void renamePairSharesOneCookie() throws IOException {
        int id = backend.addWatch(root, Masks.ALL_EVENTS, 0);
        sim.record(root, FILE_ACTION_RENAMED_OLD_NAME, "old").record(root, FILE_ACTION_RENAMED_NEW_NAME, "new").flush(root);
        pump();
        assertThat(sink.take()).containsExactly(id + " MOVED_FROM c1 old", id + " MOVED_TO c1 new");
    }

    @Test
    void renameSplitAcrossTwoCompletionsIsStillPaired() throws IOException {
        int id = backend.addWatch(root, Masks.ALL_EVENTS, 0);
        sim.record(root, FILE_ACTION_RENAMED_OLD_NAME, "old").flush(root);
        pump();
        sim.record(root, FILE_ACTION_RENAMED_NEW_NAME, "new").flush(root);
        pump();
        assertThat(sink.take()).containsExactly(id + " MOVED_FROM c1 old", id + " MOVED_TO c1 new");
    }

    @Test
    void renameHalvesStayPairedWhenAnotherHandleCompletesInBetween() throws IOException {
        Path other = Files.createDirectory(tmp.resolve("other"));
        int id = backend.addWatch(root, Masks.ALL_EVENTS, 0);
        int otherId = backend.addWatch(other, Masks.ALL_EVENTS, 0);
        sim.record(root, FILE_ACTION_RENAMED_OLD_NAME, "old").flush(root);
        sim.record(other, FILE_ACTION_ADDED, "x").flush(other);
        sim.record(root, FILE_ACTION_RENAMED_NEW_NAME, "new").flush(root); // kept until the next read
        pump();
        pump();
        assertThat(sink.take()).containsExactly(id + " MOVED_FROM c1 old", otherId + " CREATE x", id + " MOVED_TO c1 new");
    }

    @Test
    void recursiveWatchSharesOneHandleAndRoutesBySubdirectory() throws IOException {
        Files.createDirectories(root.resolve("a/b"));
        int rootId = watchTree();
        int a = backend.addWatch(root.resolve("a"), Masks.ALL_EVENTS, Masks.ONLYDIR | Masks.DONT_FOLLOW);
        int b = backend.addWatch(root.resolve("a/b"), Masks.ALL_EVENTS, Masks.ONLYDIR | Masks.DONT_FOLLOW);
        assertThat(sim.openHandles()).as("root handle + port").isEqualTo(2);
        assertThat(sim.pendingRead(root).subtree()).isTrue();
        assertThat(backend.readMode(b)).isEqualTo("65536 basic subtree");
        Files.createDirectory(root.resolve("a/b/new"));
        sim.record(root, FILE_ACTION_ADDED, "a\\b\\new").record(root, FILE_ACTION_MODIFIED, "a\\b")
                .record(root, FILE_ACTION_ADDED, "top").record(root, FILE_ACTION_ADDED, "unwatched\\x").flush(root);
        pump();
        assertThat(sink.take()).containsExactly(b + " CREATE,ISDIR new", a + " MODIFY,UNLESS_DIR b", rootId + " CREATE top");
    }

    @Test
    void moveBetweenDirectoriesOfOneTree() throws IOException {
        Files.createDirectories(root.resolve("a"));
        Files.createDirectories(root.resolve("b"));
        int rootId = watchTree();
        int a = backend.addWatch(root.resolve("a"), Masks.ALL_EVENTS, Masks.ONLYDIR);
        int b = backend.addWatch(root.resolve("b"), Masks.ALL_EVENTS, Masks.ONLYDIR);
        sim.record(root, FILE_ACTION_RENAMED_OLD_NAME, "a\\f").record(root, FILE_ACTION_RENAMED_NEW_NAME, "b\\g")
                .record(root, FILE_ACTION_RENAMED_OLD_NAME, "b\\g").record(root, FILE_ACTION_RENAMED_NEW_NAME, "top")
                .flush(root);
        pump();
        assertThat(sink.take()).containsExactly(a + " MOVED_FROM c1 f", b + " MOVED_TO c1 g",
                b + " MOVED_FROM c2 g", rootId + " MOVED_TO c2 top");
    }

    @Test
    void renamingAWatchedSubdirectoryKeepsItsIdsUnderTheNewName() throws IOException {
        Files.createDirectories(root.resolve("sub/deep"));
        int rootId = watchTree();
        int sub = backend.addWatch(root.resolve("sub"), Masks.ALL_EVENTS, Masks.ONLYDIR);
        int deep = backend.addWatch(root.resolve("sub/deep"), Masks.ALL_EVENTS, Masks.ONLYDIR);
        Files.move(root.resolve("sub"), root.resolve("renamed"));
        sim.record(root, FILE_ACTION_RENAMED_OLD_NAME, "sub").record(root, FILE_ACTION_RENAMED_NEW_NAME, "renamed")
                .record(root, FILE_ACTION_ADDED, "renamed\\deep\\x").record(root, FILE_ACTION_REMOVED, "renamed\\y")
                .flush(root);
        pump();
        assertThat(sink.take()).containsExactly(rootId + " MOVED_FROM,ISDIR c1 sub", sub + " MOVE_SELF",
                rootId + " MOVED_TO,ISDIR c1 renamed", deep + " CREATE x", sub + " DELETE y");
        // The engine re-adding the moved directory under its new path gets the same id.
        assertThat(backend.addWatch(root.resolve("renamed/deep"), Masks.ALL_EVENTS, Masks.ONLYDIR)).isEqualTo(deep);
    }

    @Test
    void deletedSubdirectoryEndsItsId() throws IOException {
        Files.createDirectories(root.resolve("sub"));
        int rootId = watchTree();
        int sub = backend.addWatch(root.resolve("sub"), Masks.ALL_EVENTS, Masks.ONLYDIR);
        sim.record(root, FILE_ACTION_REMOVED, "sub").flush(root);
        pump();
        assertThat(sink.take()).containsExactly(rootId + " DELETE,ISDIR sub", sub + " DELETE_SELF", sub + " IGNORED");
        backend.removeWatch(sub); // the engine's late removal is answered by nothing more
        pump();
        assertThat(sink.take()).isEmpty();
    }

    @Test
    void overflowThenTheReadIsPostedAgain() throws IOException {
        backend.addWatch(root, Masks.ALL_EVENTS, Masks.SUBTREE);
        sim.completeEmpty(root, STATUS_NOTIFY_ENUM_DIR);
        pump();
        assertThat(sink.take()).containsExactly("-1 Q_OVERFLOW");
        assertThat(sim.hasPendingRead(root)).isTrue();
        sim.completeEmpty(root, STATUS_SUCCESS); // zero bytes: the buffer overflowed
        pump();
        assertThat(sink.take()).containsExactly("-1 Q_OVERFLOW");
        assertThat(sim.hasPendingRead(root)).isTrue();
    }

    @Test
    void cleanupCompletionIsNotMistakenForAnOverflow() throws IOException {
        int id = backend.addWatch(root, Masks.ALL_EVENTS, 0);
        // Zero bytes, like an overflow, but STATUS_NOTIFY_CLEANUP: the handle was closed under us.
        sim.completeEmpty(root, STATUS_NOTIFY_CLEANUP);
        pump();
        assertThat(sink.take()).containsExactly(id + " IGNORED");
        // After our own cancel, the zero-byte completion is neither an overflow nor reported at all.
        int other = backend.addWatch(Files.createDirectory(tmp.resolve("other")), Masks.ALL_EVENTS, 0);
        backend.removeWatch(other);
        pump();
        pump();
        assertThat(sink.take()).containsExactly(other + " IGNORED");
    }

    @Test
    void moreRecordsThanTheBufferHoldsIsAnOverflow() throws IOException {
        backend.close();
        backend = new ReadDirectoryChangesBackend(sim, 1024, false);
        backend.addWatch(root, Masks.ALL_EVENTS, 0);
        for (int i = 0; i < 100; i++) {
            sim.record(root, FILE_ACTION_ADDED, "file-" + i);
        }
        sim.flush(root);
        pump();
        assertThat(sink.take()).containsExactly("-1 Q_OVERFLOW");
    }

    @Test
    void deletedRootIsDeleteSelfThenIgnoredAndItsHandleCloses() throws IOException {
        Files.createDirectories(root.resolve("sub"));
        int rootId = watchTree();
        int sub = backend.addWatch(root.resolve("sub"), Masks.ALL_EVENTS, Masks.ONLYDIR);
        sim.completeEmpty(root, STATUS_DELETE_PENDING);
        pump();
        assertThat(sink.take()).containsExactly(rootId + " DELETE_SELF", rootId + " IGNORED", sub + " IGNORED");
        assertThat(sim.openHandles()).as("only the port").isEqualTo(1);
        assertThat(backend.liveHandles()).isZero();
    }

    @Test
    void renamedRootIsMoveSelfThenIgnoredAtTheNextBarrierOrCompletion() throws IOException {
        Files.createDirectories(root.resolve("sub"));
        int rootId = watchTree();
        int sub = backend.addWatch(root.resolve("sub"), Masks.ALL_EVENTS, Masks.ONLYDIR);
        backend.barrier(1);
        pump();
        assertThat(sink.take()).containsExactly("barrier 1");
        sim.renameHandleDirectory(root, tmp.resolve("moved"));
        backend.barrier(2);
        pump();
        assertThat(sink.take()).containsExactly(rootId + " MOVE_SELF", rootId + " IGNORED", sub + " IGNORED", "barrier 2");
        pump(); // the cancelled read's completion
        assertThat(backend.liveHandles()).isZero();
    }

    @Test
    void renamedParentOfAWatchedFileEndsTheFileWatchAfterItsNextChange() throws IOException {
        Path f = Files.createFile(root.resolve("f"));
        int id = backend.addWatch(f, Masks.ALL_EVENTS, 0);
        sim.renameHandleDirectory(root, tmp.resolve("moved"));
        sim.record(root, FILE_ACTION_MODIFIED, "f").flush(root);
        pump();
        assertThat(sink.take()).containsExactly(id + " MODIFY", id + " MOVE_SELF", id + " IGNORED");
    }

    @Test
    void accessDeniedOnReArmIsAlsoADeletedRoot() throws IOException {
        int id = backend.addWatch(root, Masks.ALL_EVENTS, 0);
        sim.completeEmpty(root, STATUS_ACCESS_DENIED);
        pump();
        assertThat(sink.take()).containsExactly(id + " DELETE_SELF", id + " IGNORED");
    }

    @Test
    void cancelFreesTheBuffersOnlyAfterTheCancelledCompletionIsDequeued() throws IOException {
        int id = backend.addWatch(root, Masks.ALL_EVENTS, 0);
        sim.deferCancel = true;
        backend.removeWatch(id);
        assertThat(sim.calls).contains("CancelIoEx");
        pump();
        assertThat(sink.take()).containsExactly(id + " IGNORED");
        assertThat(backend.liveHandles()).as("handle and buffers kept while the cancel is in flight").isOne();
        assertThat(sim.calls).doesNotContain("CloseHandle");
        // The kernel finishes the cancellation now and writes the OVERLAPPED: it must still be allocated
        // (writing to a freed arena would throw here).
        sim.completeDeferredCancels();
        pump();
        assertThat(backend.liveHandles()).isZero();
        assertThat(sim.calls).contains("CloseHandle");
        assertThat(sink.take()).isEmpty();
    }

    @Test
    void removingAWatchDuringDecodingStopsAtOnceAndFreesAfterwards() throws IOException {
        int id = backend.addWatch(root, Masks.ALL_EVENTS, 0);
        RawEventSink removing = new RawEventSink() {
            @Override
            public void onEvent(int i, int mask, int cookie, String name, boolean lossy) {
                sink.onEvent(i, mask, cookie, name, lossy);
                backend.removeWatch(id);
            }

            @Override
            public void onBarrier(long token) {
            }
        };
        sim.record(root, FILE_ACTION_ADDED, "one").record(root, FILE_ACTION_ADDED, "two").flush(root);
        backend.await(0, removing);
        backend.await(0, removing);
        assertThat(sink.take()).containsExactly(id + " CREATE one", id + " IGNORED");
        assertThat(backend.liveHandles()).isZero();
    }

    @Test
    void closeIsIdempotentAndLeavesNothing() throws IOException {
        watchTree();
        backend.addWatch(Files.createDirectory(tmp.resolve("other")), Masks.ALL_EVENTS, 0);
        assertThat(sim.openHandles()).isEqualTo(3);
        backend.close();
        backend.close();
        assertThat(sim.openHandles()).isZero();
        assertThat(sim.pendingReads()).isZero();
        assertThat(backend.leftAllocated()).isZero();
        backend.wakeup(); // after close: no post to a closed port, no exception
    }

    @Test
    void twoPathsToOneDirectoryShareOneHandleAndId() throws IOException {
        Path link = Files.createSymbolicLink(tmp.resolve("link"), root);
        int a = backend.addWatch(root, Masks.ALL_EVENTS, 0);
        int b = backend.addWatch(link, Masks.ALL_EVENTS, 0);
        assertThat(b).isEqualTo(a);
        assertThat(sim.openHandles()).isEqualTo(2);
        assertThat(sim.calls.stream().filter(c -> c.startsWith("CreateFileW")).count()).isEqualTo(2);
    }

    @Test
    void recursiveAfterNonRecursiveOnOneDirectoryGetsARecursiveHandleOfItsOwn() throws IOException {
        Files.createDirectories(root.resolve("sub"));
        int flat = backend.addWatch(root, Masks.ALL_EVENTS, 0);
        int tree = backend.addWatch(root, Masks.ALL_EVENTS, Masks.SUBTREE);
        assertThat(tree).isNotEqualTo(flat);
        assertThat(sim.openHandles()).as("two directory handles + port").isEqualTo(3);
        int sub = backend.addWatch(root.resolve("sub"), Masks.ALL_EVENTS, Masks.ONLYDIR);
        assertThat(backend.readMode(sub)).endsWith("subtree");
        // And the other way round: a non-recursive watch shares the recursive handle.
        assertThat(backend.addWatch(root, Masks.ALL_EVENTS, 0)).isEqualTo(tree);
        assertThat(sim.openHandles()).isEqualTo(3);
    }

    @Test
    void singleFilesAreNamesInsideTheirDirectoryHandle() throws IOException {
        Path f1 = Files.createFile(root.resolve("f1"));
        Path f2 = Files.createFile(root.resolve("f2"));
        int id1 = backend.addWatch(f1, Masks.ALL_EVENTS, 0);
        int id2 = backend.addWatch(f2, Masks.ALL_EVENTS, 0);
        int dir = backend.addWatch(root, Masks.ALL_EVENTS, 0);
        assertThat(backend.addWatch(f1, Masks.MODIFY, 0)).isEqualTo(id1);
        assertThat(sim.openHandles()).isEqualTo(2);
        assertThatThrownBy(() -> backend.addWatch(f1, Masks.ALL_EVENTS, Masks.ONLYDIR)).isInstanceOf(NotDirectoryException.class);
        sim.record(root, FILE_ACTION_MODIFIED, "f1").record(root, FILE_ACTION_REMOVED, "f2")
                .record(root, FILE_ACTION_RENAMED_OLD_NAME, "f1").record(root, FILE_ACTION_RENAMED_NEW_NAME, "f3")
                .flush(root);
        pump();
        assertThat(sink.take()).containsExactly(dir + " MODIFY,UNLESS_DIR f1", id1 + " MODIFY", dir + " DELETE f2",
                id2 + " DELETE_SELF", id2 + " IGNORED", dir + " MOVED_FROM c1 f1", id1 + " MOVE_SELF", dir + " MOVED_TO c1 f3");
        backend.removeWatch(dir);
        backend.removeWatch(id1);
        pump();
        assertThat(sink.take()).containsExactly(dir + " IGNORED", id1 + " IGNORED");
        assertThat(backend.liveHandles()).isZero();
    }

    @Test
    void missingPathsAreTypedErrors() {
        assertThatThrownBy(() -> backend.addWatch(root.resolve("nope"), Masks.ALL_EVENTS, 0))
                .isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void largeBufferRefusedFallsToSixtyFourKilobytes() throws IOException {
        backend.close();
        sim.maxBuffer = 64 * 1024; // as on a network share
        backend = new ReadDirectoryChangesBackend(sim, 256 * 1024, false);
        int id = backend.addWatch(root, Masks.ALL_EVENTS, 0);
        assertThat(backend.readMode(id)).isEqualTo("65536 basic");
        assertThat(sim.pendingRead(root).length()).isEqualTo(65536);
        sim.record(root, FILE_ACTION_ADDED, "x").flush(root);
        pump();
        assertThat(sim.pendingRead(root).length()).isEqualTo(65536);
        assertThat(sink.take()).containsExactly(id + " CREATE x");
    }

    @Test
    void extendedInformationSaysWhatIsADirectoryWithoutALookup() throws IOException {
        sim.extendedSupported = true;
        int id = backend.addWatch(root, Masks.ALL_EVENTS, 0);
        assertThat(backend.readMode(id)).isEqualTo("65536 extended");
        // None of these exist on disk: the attributes alone must say what they are.
        sim.record(root, FILE_ACTION_ADDED, "d", FILE_ATTRIBUTE_DIRECTORY).record(root, FILE_ACTION_ADDED, "f", FILE_ATTRIBUTE_NORMAL)
                .record(root, FILE_ACTION_MODIFIED, "d", FILE_ATTRIBUTE_DIRECTORY)
                .record(root, FILE_ACTION_MODIFIED, "f", FILE_ATTRIBUTE_NORMAL)
                .record(root, FILE_ACTION_REMOVED, "d", FILE_ATTRIBUTE_DIRECTORY).flush(root);
        pump();
        assertThat(sink.take()).containsExactly(id + " CREATE,ISDIR d", id + " CREATE f", id + " MODIFY f",
                id + " DELETE,ISDIR d");
    }

    @Test
    void directoryModifiedIsKeptWhenAskedFor() throws IOException {
        backend.close();
        sim.extendedSupported = true;
        backend = new ReadDirectoryChangesBackend(sim, ReadDirectoryChangesBackend.DEFAULT_BUFFER, true);
        int id = backend.addWatch(root, Masks.ALL_EVENTS, 0);
        sim.record(root, FILE_ACTION_MODIFIED, "d", FILE_ATTRIBUTE_DIRECTORY).flush(root);
        pump();
        assertThat(sink.take()).containsExactly(id + " MODIFY,ISDIR d");
    }

    @Test
    void withoutExtendedSupportItFallsBackToBasicRecords() throws IOException {
        sim.extendedSupported = false;
        int id = backend.addWatch(root, Masks.ALL_EVENTS, 0);
        assertThat(backend.readMode(id)).isEqualTo("65536 basic");
        Files.createDirectory(root.resolve("d"));
        sim.record(root, FILE_ACTION_ADDED, "d").flush(root);
        pump();
        assertThat(sink.take()).containsExactly(id + " CREATE,ISDIR d"); // looked up: it exists
    }

    @Test
    void shortNamesAreExpanded() throws IOException {
        int id = backend.addWatch(root, Masks.ALL_EVENTS, 0);
        Files.createFile(root.resolve("long file name.txt"));
        sim.longNames.put(root.resolve("LONGFI~1.TXT").toString(), root.resolve("long file name.txt").toString());
        sim.record(root, FILE_ACTION_ADDED, "LONGFI~1.TXT").record(root, FILE_ACTION_REMOVED, "GONE~1").flush(root);
        pump();
        assertThat(sink.take()).containsExactly(id + " CREATE long file name.txt", id + " DELETE GONE~1");
    }

    @Test
    void loneSurrogatesAreFlaggedLossy() throws IOException {
        int id = backend.addWatch(root, Masks.ALL_EVENTS, 0);
        sim.record(root, FILE_ACTION_REMOVED, "bad\uDC00").record(root, FILE_ACTION_REMOVED, "ok\uD83D\uDE00").flush(root);
        pump();
        assertThat(sink.take()).containsExactly(id + " DELETE bad\uDC00 (lossy)", id + " DELETE ok\uD83D\uDE00");
    }

    @Test
    void barrierComesAfterEverythingQueuedBeforeIt() throws IOException {
        int id = backend.addWatch(root, Masks.ALL_EVENTS, 0);
        sim.record(root, FILE_ACTION_ADDED, "before").flush(root);
        backend.barrier(42);
        pump();
        pump(); // reads were posted after the barrier was: it went round once more
        assertThat(sink.take()).containsExactly(id + " CREATE before", "barrier 42");
        backend.barrier(43);
        pump();
        assertThat(sink.take()).as("nothing was posted since: delivered at once").containsExactly("barrier 43");
    }

    @Test
    void barrierWaitsForChangesTheKernelBufferedWhileACompletionWasQueued() throws IOException {
        int id = backend.addWatch(root, Masks.ALL_EVENTS, 0);
        sim.record(root, FILE_ACTION_ADDED, "first").flush(root); // completed: no read pending now
        sim.record(root, FILE_ACTION_ADDED, "buffered").flush(root); // kept by the kernel until the next read
        backend.barrier(5);
        // The re-arm completes at once with "buffered", queued behind the barrier's first post.
        for (int i = 0; i < 3; i++) {
            pump();
        }
        assertThat(sink.take()).containsExactly(id + " CREATE first", id + " CREATE buffered", "barrier 5");
    }

    @Test
    void wakeupFromAnotherThreadEndsAnInfiniteWaitAndIsCoalesced() throws Exception {
        backend.wakeup();
        backend.wakeup();
        assertThat(sim.queuedPackets()).isOne();
        backend.await(-1, sink);
        assertThat(sim.queuedPackets()).isZero();
        Thread t = new Thread(backend::wakeup);
        t.start();
        backend.await(-1, sink); // returns only because of the other thread's post
        t.join();
        assertThat(sink.take()).isEmpty();
    }

    @Test
    void malformedRecordsBecomeAnOverflow() throws IOException {
        int id = backend.addWatch(root, Masks.ALL_EVENTS, 0);
        byte[] b = NotifyRecords.basic().add(FILE_ACTION_ADDED, "fine").add(FILE_ACTION_ADDED, "bad").bytes();
        java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(20, 4); // inside its own record
        sim.flushRaw(root, b);
        pump();
        assertThat(sink.take()).containsExactly(id + " CREATE fine", "-1 Q_OVERFLOW");
        assertThat(sim.hasPendingRead(root)).isTrue();
    }
}
