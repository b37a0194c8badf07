package io.github.fsmon.recovery;

import io.github.fsmon.FileMonitor;
import io.github.fsmon.WatchOptions;
import io.github.fsmon.testing.Recorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A rename whose destination the listener cannot see is a move out; one whose source it could not see
 * is a move in, and a directory moved in has its contents reported.
 */
class MoveAcrossBoundariesTest {
    @TempDir
    Path dir;

    private static final WatchOptions EXCLUDING = WatchOptions.builder().recursive(true).exclude("hidden").build();

    @Test
    void moveIntoAnExcludedDirectoryIsAMoveOut() throws Exception {
        Files.createDirectories(dir.resolve("hidden"));
        Files.createDirectories(dir.resolve("a/b"));
        Recorder rec = new Recorder();
        try (FileMonitor monitor = FileMonitor.create()) {
            monitor.watch(dir, EXCLUDING, rec).join();
            Files.move(dir.resolve("a"), dir.resolve("hidden/a"));
            rec.settle(monitor);
            Files.createFile(dir.resolve("hidden/a/b/f")); // no longer in the watched set
            rec.settle(monitor);
        }
        assertThat(rec.lines(dir)).containsExactly("MOVED_FROM,ISDIR a");
    }

    @Test
    void moveOutOfAnExcludedDirectoryIsAMoveInWithContents() throws Exception {
        Files.createDirectories(dir.resolve("hidden/a/b"));
        Files.createFile(dir.resolve("hidden/a/b/f"));
        Recorder rec = new Recorder();
        try (FileMonitor monitor = FileMonitor.create()) {
            monitor.watch(dir, EXCLUDING, rec).join();
            Files.move(dir.resolve("hidden/a"), dir.resolve("a"));
            rec.settle(monitor);
            Files.createFile(dir.resolve("a/b/g"));
            rec.settle(monitor);
        }
        assertThat(rec.lines(dir)).containsExactly("MOVED_TO,ISDIR a", "CREATE,ISDIR a/b", "CREATE a/b/f",
                "CREATE a/b/g", "CLOSE_WRITE a/b/g");
    }

    @Test
    void moveOutOfAnIgnoredDirectoryIsAMoveInWithContents() throws Exception {
        Files.createDirectories(dir.resolve("quiet/a/b"));
        Files.createFile(dir.resolve("quiet/a/b/f"));
        Recorder rec = new Recorder();
        try (FileMonitor monitor = FileMonitor.create()) {
            monitor.watch(dir, WatchOptions.recursiveDefaults(), rec).join();
            monitor.ignore(dir.resolve("quiet"));
            Files.move(dir.resolve("quiet/a"), dir.resolve("a"));
            rec.settle(monitor);
            Files.createFile(dir.resolve("a/b/g"));
            rec.settle(monitor);
            monitor.unignore(dir.resolve("quiet"));
            Files.createFile(dir.resolve("quiet/h"));
            rec.settle(monitor);
        }
        assertThat(rec.lines(dir)).containsExactly("MOVED_TO,ISDIR a", "CREATE,ISDIR a/b", "CREATE a/b/f",
                "CREATE a/b/g", "CLOSE_WRITE a/b/g", "CREATE quiet/h", "CLOSE_WRITE quiet/h");
        assertThat(rec.events().get(0).movedFrom()).isNull();
    }

    @Test
    void moveIntoAnIgnoredDirectoryIsAMoveOut() throws Exception {
        Files.createDirectories(dir.resolve("quiet"));
        Files.createDirectories(dir.resolve("a"));
        Recorder rec = new Recorder();
        try (FileMonitor monitor = FileMonitor.create()) {
            monitor.watch(dir, WatchOptions.recursiveDefaults(), rec).join();
            monitor.ignore(dir.resolve("quiet"));
            Files.move(dir.resolve("a"), dir.resolve("quiet/a"));
            Files.createFile(dir.resolve("quiet/a/f"));
            rec.settle(monitor);
        }
        assertThat(rec.lines(dir)).containsExactly("MOVED_FROM,ISDIR a");
    }
}
