package io.github.fsmon.recovery;

import io.github.fsmon.EventKind;
import io.github.fsmon.FileEvent;
import io.github.fsmon.FileMonitor;
import io.github.fsmon.Watch;
import io.github.fsmon.WatchOptions;
import io.github.fsmon.testing.Recorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** Trees that try to break a watcher: very deep, very wide, vanishing during set-up, looping. */
class HostileTreeTest {
    @TempDir
    Path dir;

    @Test
    void depthOneThousand() throws Exception {
        Path p = dir;
        for (int i = 0; i < 1000; i++) {
            p = p.resolve("d");
        }
        Files.createDirectories(p);
        Recorder rec = new Recorder();
        try (FileMonitor monitor = FileMonitor.create()) {
            monitor.watch(dir, WatchOptions.recursiveDefaults(), rec).join();
            Files.createFile(p.resolve("bottom"));
            Files.createDirectories(p.resolve("x/y"));
            Files.createFile(p.resolve("x/y/z"));
            rec.settle(monitor);
        }
        assertThat(rec.events()).extracting(FileEvent::path)
                .contains(p.resolve("bottom"), p.resolve("x/y/z"));
    }

    @Test
    void directoryWithOneHundredThousandEntries() throws Exception {
        Path big = Files.createDirectory(dir.resolve("big"));
        for (int i = 0; i < 100_000; i++) {
            Files.createFile(big.resolve("f" + i));
        }
        Recorder rec = new Recorder();
        try (FileMonitor monitor = FileMonitor.create()) {
            monitor.watch(dir, WatchOptions.recursiveDefaults(), rec).join();
            Files.delete(big.resolve("f99999"));
            Files.createFile(big.resolve("new"));
            rec.settle(monitor);
        }
        assertThat(rec.lines(dir)).containsExactly("DELETE big/f99999", "CREATE big/new", "CLOSE_WRITE big/new");
    }

    @Test
    void rootDeletedWhileTheWatchIsBeingSetUp() throws Exception {
        for (int i = 0; i < 20; i++) {
            Files.createDirectories(dir.resolve("root/a" + i + "/b"));
        }
        Path root = dir.resolve("root");
        AtomicBoolean deleted = new AtomicBoolean();
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        // The exclusion predicate runs on the I/O thread during the initial scan: delete the tree from there.
        WatchOptions options = WatchOptions.builder().recursive(true).exclude(p -> {
            if (deleted.compareAndSet(false, true)) {
                deleteTree(root);
            }
            return false;
        }).build();
        Recorder rec = new Recorder();
        try (FileMonitor monitor = FileMonitor.builder().errorHandler((w, e) -> errors.add(e)).build()) {
            Watch watch;
            try {
                watch = monitor.watch(root, options, rec).join();
            } catch (CompletionException e) {
                assertThat(e.getCause()).isInstanceOf(java.nio.file.NoSuchFileException.class);
                return;
            }
            rec.settle(monitor);
            assertThat(rec.events()).extracting(FileEvent::kind).endsWith(EventKind.DELETE_SELF, EventKind.IGNORED);
            assertThat(watch.isActive()).isFalse();
        }
        assertThat(errors).isEmpty();
    }

    @Test
    void symlinkLoopIsReportedAndTheRestIsWatched() throws Exception {
        Files.createDirectories(dir.resolve("a/b"));
        Files.createSymbolicLink(dir.resolve("a/b/up"), dir.resolve("a"));
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        Recorder rec = new Recorder();
        try (FileMonitor monitor = FileMonitor.builder().errorHandler((w, e) -> errors.add(e)).build()) {
            monitor.watch(dir, WatchOptions.builder().recursive(true).followSymlinks(true).build(), rec).join();
            Files.createFile(dir.resolve("a/b/f"));
            rec.settle(monitor);
        }
        assertThat(errors).hasSize(1).first().isInstanceOf(FileSystemLoopException.class);
        assertThat(rec.lines(dir)).contains("CREATE a/b/f");
    }

    private static void deleteTree(Path p) {
        try (var all = Files.walk(p)) {
            for (Path x : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
