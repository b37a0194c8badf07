package example;

import io.github.fsmon.EventKind;
import io.github.fsmon.FileEvent;
import io.github.fsmon.FileMonitor;
import io.github.fsmon.Watch;
import io.github.fsmon.WatchOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/** Watches a temporary directory, creates a file in it, and exits 0 once its CREATE has arrived. */
public final class FirstWatch {
    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("first-watch");
        BlockingQueue<FileEvent> events = new ArrayBlockingQueue<>(100);
        try (FileMonitor monitor = FileMonitor.create()) {
            WatchOptions options = WatchOptions.builder().recursive(true).build();
            Watch watch = monitor.watch(dir, options, events::add).join();
            Path file = Files.createFile(dir.resolve("hello.txt"));
            // A failure timeout only: the CREATE normally arrives at once.
            for (FileEvent e; (e = events.poll(30, TimeUnit.SECONDS)) != null; ) {
                System.out.println(e.maskNames() + " " + e.path());
                if (e.kind() == EventKind.CREATE && e.path().equals(file)) {
                    System.out.println("ok: " + (FirstWatch.class.getModule().isNamed() ? "module path" : "class path")
                            + ", backend " + monitor.backend());
                    watch.cancel();
                    Files.delete(file);
                    Files.delete(dir);
                    return;
                }
            }
        }
        System.err.println("no CREATE of hello.txt within 30 s");
        System.exit(1);
    }
}
