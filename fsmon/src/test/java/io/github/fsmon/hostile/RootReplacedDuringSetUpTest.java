package io.github.fsmon.hostile;

import io.github.fsmon.Backend;
import io.github.fsmon.FileMonitor;
import io.github.fsmon.testing.IoThreadBlocker;
import io.github.fsmon.testing.Recorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The watched directory is renamed away, and a new one made at its path, while the watch is being set up:
 * the watch must not complete as if the path were watched (it would follow the moved-away directory and
 * report nothing for the new one); it fails, naming the path.
 */
class RootReplacedDuringSetUpTest {
    @TempDir
    Path dir;

    @Test
    void aRootReplacedWhileArmedFailsTheWatch() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.createFile(root.resolve(IoThreadBlocker.TRIGGER)); // the set-up's listing stops here
        IoThreadBlocker blocker = new IoThreadBlocker();
        try (FileMonitor monitor = FileMonitor.builder().backend(Backend.INOTIFY).build()) {
            CompletableFuture<?> watch = monitor.watch(root, blocker.recursiveOptions(), new Recorder());
            assertThat(blocker.awaitBlocked()).isTrue();
            Files.move(root, dir.resolve("moved-away"));
            Files.createDirectory(root);
            blocker.release();
            assertThatThrownBy(() -> watch.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(FileSystemException.class)
                    .hasMessageContaining(root.toString()).hasMessageContaining("while the watch was being set up");
            // The path can be watched again, and then it is the new directory that is watched.
            Recorder rec = new Recorder();
            monitor.watch(root, io.github.fsmon.WatchOptions.defaults(), rec).get(30, TimeUnit.SECONDS);
            Files.createFile(root.resolve("in-the-new-one"));
            rec.settle(monitor);
            assertThat(rec.lines(root)).contains("CREATE in-the-new-one");
        }
    }
}
