package io.github.fsmon;

import io.github.fsmon.testing.Recorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The shortest path through the library: watch, change, barrier, look. */
class SmokeTest {
    @TempDir
    Path dir;

    @Test
    void reportsCreateModifyDeleteInOrder() throws Exception {
        Recorder rec = new Recorder();
        try (FileMonitor monitor = FileMonitor.create()) {
            assertThat(monitor.backend()).isEqualTo(Backend.INOTIFY);
            monitor.watch(dir, WatchOptions.recursiveDefaults(), rec).join();
            Files.createDirectories(dir.resolve("a/b"));
            rec.settle(monitor);
            Files.writeString(dir.resolve("a/b/f"), "x");
            rec.settle(monitor);
            Files.move(dir.resolve("a"), dir.resolve("z"));
            rec.settle(monitor);
            Files.delete(dir.resolve("z/b/f"));
            rec.settle(monitor);
            assertThat(rec.lines(dir)).containsSubsequence(
                    "CREATE,ISDIR a", "CREATE,ISDIR a/b", "CREATE a/b/f",
                    "MOVED_FROM,ISDIR a", "MOVED_TO,ISDIR z <- a", "DELETE z/b/f");
            for (int i = 0; i < 100; i++) {
                Files.createFile(dir.resolve("n" + i));
                rec.settle(monitor);
                assertThat(rec.events()).last().extracting(FileEvent::path).isEqualTo(dir.resolve("n" + i));
            }
        }
    }
}
