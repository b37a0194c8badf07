package io.github.fsmon.limits;

import io.github.fsmon.EventKind;
import io.github.fsmon.FileEvent;
import io.github.fsmon.FileMonitor;
import io.github.fsmon.WatchLimitException;
import io.github.fsmon.WatchOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Run in a child JVM inside a user namespace whose inotify limits the parent lowered, so the host's limits
 * are never touched. Prints {@code KEY value} lines for {@link WatchLimitTest} to read.
 * <ul>
 * <li>{@code watches DIR N}: a recursive watch of N directories, more than the limit allows; then,
 * on the same monitor, a watch of one directory, to show that the failed one gave its watches back;</li>
 * <li>{@code instances K}: K monitors, one more than the limit allows.</li>
 * </ul>
 */
public final class LimitProbe {
    private LimitProbe() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "watches" -> watches(Path.of(args[1]), Integer.parseInt(args[2]));
            case "instances" -> instances(Integer.parseInt(args[1]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void watches(Path dir, int n) throws Exception {
        Path tree = dir.resolve("tree");
        for (int i = 0; i < n; i++) {
            Files.createDirectories(tree.resolve("d" + i));
        }
        try (FileMonitor monitor = FileMonitor.create()) {
            try {
                monitor.watch(tree, WatchOptions.recursiveDefaults(), e -> { }).join();
                System.out.println("RESULT started");
            } catch (CompletionException e) {
                report(e.getCause());
            }
            Path small = Files.createDirectories(dir.resolve("small"));
            List<FileEvent> events = new CopyOnWriteArrayList<>();
            monitor.watch(small, WatchOptions.defaults(), events::add).join();
            Files.createFile(small.resolve("f"));
            monitor.sync().join();
            System.out.println("AFTER " + events.stream().map(FileEvent::kind).toList().contains(EventKind.CREATE));
        }
    }

    private static void instances(int k) {
        List<FileMonitor> monitors = new ArrayList<>();
        try {
            for (int i = 0; i < k; i++) {
                monitors.add(FileMonitor.create());
            }
            System.out.println("RESULT started");
        } catch (Exception e) {
            report(e);
        } finally {
            monitors.forEach(FileMonitor::close);
        }
        System.out.println("CREATED " + monitors.size());
    }

    private static void report(Throwable t) {
        System.out.println("RESULT " + t.getClass().getName());
        if (t instanceof WatchLimitException w) {
            System.out.println("LIMIT " + w.limitName() + " " + w.limit() + " " + w.needed());
        }
        System.out.println("MESSAGE " + t.getMessage());
    }
}
