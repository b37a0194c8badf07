package io.github.fsmon.hostile;

import io.github.fsmon.FileEvent;
import io.github.fsmon.FileMonitor;
import io.github.fsmon.WatchOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Run in a child JVM as an ordinary user (root reads every directory, so the test cannot be done as
 * root): a recursive watch over a tree with a directory the user may not read. Prints {@code ERROR} lines
 * for what reached the error handler and {@code EVENT} lines for what the listener got.
 */
public final class DeniedProbe {
    private DeniedProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path tree = Path.of(args[0]);
        Files.createDirectories(tree.resolve("open/inner"));
        Path locked = Files.createDirectories(tree.resolve("locked/below"));
        Files.setPosixFilePermissions(tree.resolve("locked"), PosixFilePermissions.fromString("---------"));
        List<FileEvent> events = new CopyOnWriteArrayList<>();
        try (FileMonitor monitor = FileMonitor.builder()
                .errorHandler((w, e) -> System.out.println("ERROR " + e.getClass().getName() + " " + e.getMessage()))
                .build()) {
            monitor.watch(tree, WatchOptions.recursiveDefaults(), events::add).join();
            Files.createFile(tree.resolve("open/inner/f"));
            Files.createDirectories(tree.resolve("new/deep"));
            Files.createFile(tree.resolve("new/deep/g"));
            monitor.sync().join();
        } finally {
            Files.setPosixFilePermissions(tree.resolve("locked"), PosixFilePermissions.fromString("rwx------"));
        }
        for (FileEvent e : events) {
            System.out.println("EVENT " + e.maskNames() + " " + tree.relativize(e.path()));
        }
        System.out.println("LOCKED " + locked.getFileName());
    }
}
