package io.github.fsmon.internal.poll;

import io.github.fsmon.internal.core.Masks;
import io.github.fsmon.internal.core.RawEventSink;
import io.github.fsmon.internal.poll.PollingBackend.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which entries the polling backend takes for one inode, against a {@link StatReader} whose answers the
 * test writes: inode numbers, types and birth times are exactly what each case needs, on any file system
 * (ext4 reuses a freed inode number at once, tmpfs does not, so the real disk could not show all cases).
 */
class PollingIdentityTest {
    @TempDir
    Path dir;
    private final Scripted fs = new Scripted();
    private final List<String> events = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private final RawEventSink sink = new RawEventSink() {
        @Override
        public void onEvent(int id, int mask, int cookie, String name, boolean lossy) {
            events.add(id + " " + names(mask) + (name.isEmpty() ? "" : " " + name));
        }

        @Override
        public void onBarrier(long token) {
        }

        @Override
        public void onError(int id, IOException error) {
            errors.add(id + " " + error.getClass().getSimpleName() + " " + error.getMessage());
        }
    };
    private final PollingBackend backend = new PollingBackend(TimeUnit.HOURS.toNanos(1), () -> 0L, fs);

    @AfterEach
    void close() {
        backend.close();
    }

    private static final long NO_BIRTH = Stat.NO_BIRTH;

    private static Stat file(long ino, long birth, long mtime, long size) {
        return new Stat(false, size, mtime, 1000 + mtime, birth, ino, Stat.NO_CONTENT);
    }

    private static Stat directory(long ino, long birth) {
        return new Stat(true, 4096, 50, 60, birth, ino, Stat.NO_CONTENT);
    }

    /** One scan, as a barrier makes it; the events it reported. */
    private List<String> scan() throws Exception {
        backend.barrier(1);
        backend.await(0, sink);
        List<String> out = List.copyOf(events);
        events.clear();
        return out;
    }

    private int watchRoot() throws Exception {
        fs.put(dir, directory(1, 1));
        return backend.addWatch(dir, Masks.ALL_EVENTS, 0);
    }

    @Test
    void aFileAndADirectoryAreNeverOneInodeWithOrWithoutABirthTime() throws Exception {
        for (long birth : new long[] {NO_BIRTH, 7}) {
            fs.clear();
            int root = watchRoot();
            fs.put(dir.resolve("a"), file(20, birth, 100, 2));
            assertThat(scan()).containsExactly(root + " CREATE a");
            fs.remove(dir.resolve("a"));
            fs.put(dir.resolve("b"), directory(20, birth)); // the freed number, given to a new directory
            assertThat(scan()).containsExactlyInAnyOrder(root + " DELETE a", root + " CREATE,ISDIR b");
            fs.remove(dir.resolve("b"));
            assertThat(scan()).containsExactly(root + " DELETE,ISDIR b");
            backend.removeWatch(root);
            scan();
        }
    }

    @Test
    void aNewFileWithAFreedNumberIsNewWhenItsBirthTimeDiffers() throws Exception {
        int root = watchRoot();
        fs.put(dir.resolve("c"), file(20, 5, 100, 4));
        scan();
        fs.remove(dir.resolve("c"));
        fs.put(dir.resolve("d"), file(20, 6, 100, 4)); // even with the same size and time
        assertThat(scan()).containsExactlyInAnyOrder(root + " DELETE c", root + " CREATE d");
    }

    @Test
    void withoutABirthTimeAFileIsRenamedOnlyIfItKeptItsSizeAndTime() throws Exception {
        int root = watchRoot();
        fs.put(dir.resolve("c"), file(20, NO_BIRTH, 100, 4));
        scan();
        fs.remove(dir.resolve("c"));
        fs.put(dir.resolve("d"), file(20, NO_BIRTH, 200, 4)); // rm c; echo new > d, on ext4
        assertThat(scan()).containsExactlyInAnyOrder(root + " DELETE c", root + " CREATE d");
        // A rename keeps the file's modification time and size (it moves the ctime, which is not compared):
        // paired. (The limit: a new file that reuses the number with the same size and time is paired too.)
        fs.remove(dir.resolve("d"));
        fs.put(dir.resolve("e"), file(20, NO_BIRTH, 200, 4));
        assertThat(scan()).containsExactly(root + " MOVED_FROM d", root + " MOVED_TO e");
    }

    @Test
    void aRenamedFileWrittenBeforeTheNextScanIsARenameAndAModify() throws Exception {
        int root = watchRoot();
        fs.put(dir.resolve("a"), file(20, 5, 100, 4));
        scan();
        fs.remove(dir.resolve("a"));
        fs.put(dir.resolve("b"), file(20, 5, 300, 9));
        assertThat(scan()).containsExactly(root + " MOVED_FROM a", root + " MOVED_TO b", root + " MODIFY b");
    }

    @Test
    void aDirectoryRenamedWithNewEntriesKeepsItsWatchWithoutABirthTime() throws Exception {
        int root = watchRoot();
        Path d = Files.createDirectory(dir.resolve("d")); // a real directory: addWatch checks it is readable
        fs.put(d, directory(30, NO_BIRTH));
        scan();
        int sub = backend.addWatch(d, Masks.ALL_EVENTS, Masks.ONLYDIR);
        Path e = dir.resolve("e");
        fs.remove(d);
        fs.put(e, new Stat(true, 4096, 999, 999, NO_BIRTH, 30L, Stat.NO_CONTENT)); // its mtime moved
        fs.put(e.resolve("x"), file(31, NO_BIRTH, 999, 1));
        assertThat(scan()).containsExactly(root + " MOVED_FROM,ISDIR d", root + " MOVED_TO,ISDIR e",
                sub + " MOVE_SELF", sub + " CREATE x");
    }

    /**
     * {@code rmdir d; touch d} with d's inode number: the scan that finds the file where the watched
     * directory was ends the directory's watch and stops. Counted in calls of the reader, not in time: a
     * scan that re-examined the directory until something changed would call it without end (the reader
     * fails the test past 1,000 calls).
     */
    @Test
    void aWatchedDirectoryReplacedByAFileWithItsNumberCostsOneScan() throws Exception {
        for (long birth : new long[] {NO_BIRTH, 9}) {
            fs.clear();
            int root = watchRoot();
            Path d = Files.createDirectories(dir.resolve("d"));
            fs.put(d, directory(40, birth));
            scan();
            int sub = backend.addWatch(d, Masks.ALL_EVENTS, Masks.ONLYDIR);
            int idle = fs.callsDuring(this::scan);
            fs.remove(d);
            fs.put(d, file(40, birth, 100, 0));
            List<String> seen = new ArrayList<>();
            int calls = fs.callsDuring(() -> seen.addAll(scan()));
            assertThat(seen).containsExactly(sub + " DELETE_SELF", sub + " IGNORED",
                    root + " DELETE,ISDIR d", root + " CREATE d");
            assertThat(calls).isLessThanOrEqualTo(idle + 2); // a look again at d, at most one per watch
            assertThat(fs.callsDuring(() -> assertThat(scan()).isEmpty())).isLessThanOrEqualTo(idle);
            backend.removeWatch(root);
            scan();
        }
    }

    /**
     * A watched directory that cannot be listed any more (chmod 000 under a watch of an ordinary user) is
     * no empty directory: nothing is reported for its entries, nor for the watched directory below it,
     * which cannot be looked at either; the error handler hears of it once; once it can be read again,
     * only what really changed meanwhile is reported.
     */
    @Test
    void anUnreadableDirectoryKeepsItsEntriesIsReportedOnceAndThenComparedAgain() throws Exception {
        int root = watchRoot();
        Path locked = Files.createDirectories(dir.resolve("locked"));
        Path inner = Files.createDirectories(locked.resolve("inner"));
        fs.put(locked, directory(50, 1));
        fs.put(locked.resolve("f"), file(51, 1, 100, 1));
        fs.put(inner, directory(52, 1));
        fs.put(inner.resolve("g"), file(53, 1, 100, 1));
        scan();
        int l = backend.addWatch(locked, Masks.ALL_EVENTS, Masks.ONLYDIR);
        int i = backend.addWatch(inner, Masks.ALL_EVENTS, Masks.ONLYDIR);
        assertThat(scan()).isEmpty();
        fs.denied.add(locked);
        assertThat(scan()).isEmpty();
        assertThat(errors).singleElement().asString().startsWith(l + " AccessDeniedException " + locked);
        assertThat(scan()).isEmpty();
        assertThat(errors).hasSize(1); // once, not once per scan
        // While it could not be read: an entry deleted, a directory made, a file written below.
        fs.remove(locked.resolve("f"));
        fs.put(locked.resolve("new"), directory(54, 2));
        fs.put(inner.resolve("g"), file(53, 1, 200, 5));
        fs.denied.remove(locked);
        assertThat(scan()).containsExactlyInAnyOrder(l + " DELETE f", l + " CREATE,ISDIR new", i + " MODIFY g");
        assertThat(scan()).isEmpty();
        fs.denied.add(locked);
        assertThat(scan()).isEmpty();
        assertThat(errors).hasSize(2); // unreadable again: said again
    }

    /** Answers from a map the test fills; directories are the entries whose type says so. */
    private static final class Scripted implements StatReader {
        private final Map<Path, Stat> entries = new LinkedHashMap<>();
        private final Set<Path> denied = new HashSet<>();
        private int calls;

        void put(Path p, Stat s) {
            entries.put(p, s);
        }

        void remove(Path p) {
            entries.remove(p);
        }

        void clear() {
            entries.clear();
            denied.clear();
        }

        int callsDuring(ThrowingRunnable r) throws Exception {
            int before = calls;
            r.run();
            return calls - before;
        }

        private void count() {
            if (++calls > 1_000) {
                throw new AssertionError("the scan does not end: 1,000 reads of the tree");
            }
        }

        @Override
        public Stat stat(Path path, boolean follow, boolean ctime) throws AccessDeniedException {
            count();
            for (Path p = path.getParent(); p != null; p = p.getParent()) {
                if (denied.contains(p)) {
                    throw new AccessDeniedException(path.toString());
                }
            }
            return entries.get(path);
        }

        @Override
        public Map<String, Stat> list(Path dir, boolean ctime) throws AccessDeniedException {
            count();
            if (denied.contains(dir)) {
                throw new AccessDeniedException(dir.toString());
            }
            Map<String, Stat> out = new HashMap<>();
            entries.forEach((p, s) -> {
                if (dir.equals(p.getParent())) {
                    out.put(p.getFileName().toString(), s);
                }
            });
            return out;
        }

        @Override
        public void close() {
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static String names(int mask) {
        Map<Integer, String> kinds = new LinkedHashMap<>();
        kinds.put(Masks.ACCESS, "ACCESS");
        kinds.put(Masks.MODIFY, "MODIFY");
        kinds.put(Masks.ATTRIB, "ATTRIB");
        kinds.put(Masks.MOVED_FROM, "MOVED_FROM");
        kinds.put(Masks.MOVED_TO, "MOVED_TO");
        kinds.put(Masks.CREATE, "CREATE");
        kinds.put(Masks.DELETE, "DELETE");
        kinds.put(Masks.DELETE_SELF, "DELETE_SELF");
        kinds.put(Masks.MOVE_SELF, "MOVE_SELF");
        kinds.put(Masks.Q_OVERFLOW, "Q_OVERFLOW");
        kinds.put(Masks.IGNORED, "IGNORED");
        List<String> out = new ArrayList<>();
        kinds.forEach((bit, name) -> {
            if ((mask & bit) != 0) {
                out.add(name);
            }
        });
        if ((mask & Masks.ISDIR) != 0) {
            out.add("ISDIR");
        }
        return String.join(",", out);
    }
}
