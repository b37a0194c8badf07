package io.github.fsmon.poll;

import io.github.fsmon.Backend;
import io.github.fsmon.EventKind;
import io.github.fsmon.FileEvent;
import io.github.fsmon.FileMonitor;
import io.github.fsmon.Watch;
import io.github.fsmon.WatchOptions;
import io.github.fsmon.testing.Leaks;
import io.github.fsmon.testing.Recorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The polling backend through the public API. The interval is an hour, so only {@code sync()} scans:
 * each step's differences are exactly what one scan found, with no timing involved.
 */
class PollingBackendTest {
    @TempDir
    Path dir;
    private FileMonitor monitor;
    private final Recorder rec = new Recorder();

    @BeforeEach
    void start() throws Exception {
        monitor = FileMonitor.builder().backend(Backend.POLL).pollInterval(Duration.ofHours(1)).build();
        assertThat(monitor.backend()).isEqualTo(Backend.POLL);
    }

    @AfterEach
    void stop() {
        monitor.close();
        assertThat(Leaks.fsmonThreads()).isZero();
    }

    @TempDir
    Path scratch;

    /**
     * File times come from a coarse kernel clock (one tick is a few milliseconds), so two changes made
     * in one tick leave the same ctime. This returns once a new file's ctime is past {@code reference}'s:
     * a change made after it has a ctime of its own. It waits on the file system's clock, not on a timer.
     */
    private void pastTimestampOf(Path reference) throws Exception {
        java.nio.file.attribute.FileTime then = (java.nio.file.attribute.FileTime) Files.getAttribute(reference, "unix:ctime");
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        Path probe = scratch.resolve("tick");
        while (System.nanoTime() < deadline) {
            Files.deleteIfExists(probe);
            Files.createFile(probe);
            if (((java.nio.file.attribute.FileTime) Files.getAttribute(probe, "unix:ctime")).compareTo(then) > 0) {
                return;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("the file-system clock did not move in 5 s");
    }

    private List<String> step() {
        rec.settle(monitor);
        List<String> lines = rec.lines(dir);
        rec.clear();
        return lines;
    }

    @Test
    void createModifyAttribDelete() throws Exception {
        Files.writeString(dir.resolve("old"), "x");
        monitor.watch(dir, WatchOptions.defaults(), rec).join();
        Files.createFile(dir.resolve("f"));
        assertThat(step()).containsExactly("CREATE f");
        Files.writeString(dir.resolve("f"), "more");
        assertThat(step()).containsExactly("MODIFY f");
        pastTimestampOf(dir.resolve("f"));
        Files.setPosixFilePermissions(dir.resolve("f"), PosixFilePermissions.fromString("rw-------"));
        assertThat(step()).containsExactly("ATTRIB f");
        Files.delete(dir.resolve("f"));
        Files.delete(dir.resolve("old"));
        assertThat(step()).containsExactlyInAnyOrder("DELETE f", "DELETE old");
        assertThat(step()).isEmpty();
    }

    @Test
    void ownerAndLinkChangesAreAttribAndCostNothingWhenAttribIsNotAsked() throws Exception {
        Files.writeString(dir.resolve("f"), "x");
        Files.writeString(dir.resolve("g"), "x");
        Watch watch = monitor.watch(dir, WatchOptions.builder().events(EventKind.CREATE, EventKind.MODIFY,
                EventKind.DELETE).build(), rec).join();
        Files.setPosixFilePermissions(dir.resolve("f"), PosixFilePermissions.fromString("r--------"));
        assertThat(step()).isEmpty(); // not asked for (and the scan did not read the ctime)
        watch.addEvents(EventKind.ATTRIB).join();
        assertThat(step()).isEmpty(); // the ctime seen first is the baseline, not a change
        // ctime-only changes: same mode, size and mtime, only the inode's change time moves
        pastTimestampOf(dir.resolve("f"));
        pastTimestampOf(dir.resolve("g"));
        // (chown to the same owner still moves the ctime, so this works without root too)
        String owner = Files.getOwner(dir.resolve("f")).getName();
        Files.setOwner(dir.resolve("f"), dir.getFileSystem().getUserPrincipalLookupService()
                .lookupPrincipalByName(owner.equals("root") ? "nobody" : owner));
        Files.createLink(dir.resolve("g-link"), dir.resolve("g"));
        assertThat(step()).containsExactlyInAnyOrder("ATTRIB f", "ATTRIB g", "CREATE g-link");
    }

    @Test
    void aWriteThatKeepsSizeAndTimeIsSeenOnlyWhenContentIsCompared() throws Exception {
        Path plain = Files.createDirectory(dir.resolve("plain"));
        Path compared = Files.createDirectory(dir.resolve("compared"));
        FileTime time = FileTime.fromMillis(1_000_000_000_000L);
        for (Path d : List.of(plain, compared)) {
            Files.writeString(d.resolve("f"), "aaaa");
            Files.setLastModifiedTime(d.resolve("f"), time);
        }
        Path single = Files.writeString(dir.resolve("single"), "aaaa");
        Files.setLastModifiedTime(single, time);
        monitor.watch(plain, WatchOptions.defaults(), rec).join();
        WatchOptions byContent = WatchOptions.builder().compareContent(true).build();
        monitor.watch(compared, byContent, rec).join();
        monitor.watch(single, byContent, rec).join();
        assertThat(step()).isEmpty();
        pastTimestampOf(single); // the last one set up
        for (Path f : List.of(plain.resolve("f"), compared.resolve("f"), single)) {
            Files.writeString(f, "bbbb"); // same size, and the old time put back
            Files.setLastModifiedTime(f, time);
        }
        // (the ctime moved, so the default events, which include ATTRIB, see the plain one as ATTRIB)
        assertThat(step()).containsExactlyInAnyOrder("ATTRIB plain/f", "MODIFY compared/f", "MODIFY single");
        assertThat(step()).isEmpty();
    }

    @Test
    void anMtimeOnlyChangeIsAModify() throws Exception {
        Files.writeString(dir.resolve("f"), "same size");
        monitor.watch(dir, WatchOptions.defaults(), rec).join();
        Files.setLastModifiedTime(dir.resolve("f"), FileTime.fromMillis(1_000_000));
        assertThat(step()).containsExactly("MODIFY f");
    }

    @Test
    void renamesArePairedByFileKeyWithinAndAcrossDirectories() throws Exception {
        Files.createDirectories(dir.resolve("a"));
        Files.createDirectories(dir.resolve("b"));
        Files.writeString(dir.resolve("a/f"), "x");
        monitor.watch(dir, WatchOptions.recursiveDefaults(), rec).join();
        Files.move(dir.resolve("a/f"), dir.resolve("a/g"));
        assertThat(step()).containsExactly("MOVED_FROM a/f", "MOVED_TO a/g <- a/f");
        Files.move(dir.resolve("a/g"), dir.resolve("b/h"));
        List<FileEvent> events;
        rec.settle(monitor);
        events = rec.events();
        assertThat(rec.lines(dir)).containsExactly("MOVED_FROM a/g", "MOVED_TO b/h <- a/g");
        assertThat(events.get(0).cookie()).isNotZero().isEqualTo(events.get(1).cookie());
    }

    @Test
    void aRenamedDirectoryKeepsItsWatchesAndNewDirectoriesAreScanned() throws Exception {
        Files.createDirectories(dir.resolve("d/sub"));
        monitor.watch(dir, WatchOptions.recursiveDefaults(), rec).join();
        Files.move(dir.resolve("d"), dir.resolve("e"));
        assertThat(step()).containsExactly("MOVED_FROM,ISDIR d", "MOVED_TO,ISDIR e <- d");
        Files.createFile(dir.resolve("e/sub/f"));
        assertThat(step()).containsExactly("CREATE e/sub/f");
        Files.createDirectories(dir.resolve("n/m"));
        Files.createFile(dir.resolve("n/m/g"));
        assertThat(step()).containsExactly("CREATE,ISDIR n", "CREATE,ISDIR n/m", "CREATE n/m/g");
        Files.delete(dir.resolve("n/m/g"));
        Files.delete(dir.resolve("n/m"));
        assertThat(step()).containsExactlyInAnyOrder("DELETE n/m/g", "DELETE,ISDIR n/m");
    }

    @Test
    void theRootDeletedEndsTheWatch() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.createFile(root.resolve("f"));
        Watch watch = monitor.watch(root, WatchOptions.defaults(), rec).join();
        Files.delete(root.resolve("f"));
        Files.delete(root);
        rec.settle(monitor);
        assertThat(rec.events()).extracting(FileEvent::kind).endsWith(EventKind.DELETE_SELF, EventKind.IGNORED);
        assertThat(watch.isActive()).isFalse();
    }

    @Test
    void aSingleFileWatch() throws Exception {
        Path f = Files.writeString(dir.resolve("f"), "x");
        monitor.watch(f, WatchOptions.defaults(), rec).join();
        Files.writeString(f, "longer");
        assertThat(step()).containsExactly("MODIFY f");
        Files.delete(f);
        rec.settle(monitor);
        assertThat(rec.events()).extracting(FileEvent::kind).containsExactly(EventKind.DELETE_SELF, EventKind.IGNORED);
    }

    @Test
    void manyChangesInOneScanAddUpToTheTreeOnDisk() throws Exception {
        for (int i = 0; i < 5; i++) {
            Files.createDirectories(dir.resolve("t" + i + "/a/b"));
            Files.writeString(dir.resolve("t" + i + "/a/b/f"), "x");
        }
        java.util.TreeMap<String, Boolean> before = io.github.fsmon.testing.TreeModel.walk(dir);
        monitor.watch(dir, WatchOptions.recursiveDefaults(), rec).join();
        // All of this between two scans: renames of directories, a deleted subtree, new nested trees.
        Files.move(dir.resolve("t0"), dir.resolve("t0-renamed"));
        Files.move(dir.resolve("t1/a"), dir.resolve("t2/a-from-t1"));
        deleteTree(dir.resolve("t3"));
        Files.createDirectories(dir.resolve("new/x/y"));
        Files.writeString(dir.resolve("new/x/y/g"), "y");
        Files.move(dir.resolve("t4/a/b/f"), dir.resolve("new/x/f-moved"));
        rec.settle(monitor);
        io.github.fsmon.testing.TreeModel model = new io.github.fsmon.testing.TreeModel(dir, before);
        rec.events().forEach(model::apply);
        assertThat(model.entries()).isEqualTo(io.github.fsmon.testing.TreeModel.walk(dir));
        // and the watches followed: a change deep in a renamed directory is seen
        Files.createFile(dir.resolve("t2/a-from-t1/b/late"));
        assertThat(step()).last().isEqualTo("CREATE t2/a-from-t1/b/late");
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        try (var all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    @Test
    void errorsAreTyped() {
        assertThat(monitor.watch(dir.resolve("missing"), WatchOptions.defaults(), rec))
                .failsWithin(Duration.ofSeconds(30)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(java.nio.file.NoSuchFileException.class);
    }
}
