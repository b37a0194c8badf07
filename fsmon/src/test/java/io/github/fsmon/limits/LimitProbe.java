package io.github.fsmon.limits;

import io.github.fsmon.Backend;
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
 * <li>{@code watches DIR N BACKEND}: a recursive watch of N directories, more than the limit allows; then,
 * on the same monitor, a watch of one directory, to show that the failed one gave its watches back;</li>
 * <li>{@code instances K BACKEND M}: K monitors asking for BACKEND by name, one more than the limit
 * allows; then M with {@code AUTO}, which poll instead (what they log goes to the standard error, which the
 * test reads too), and whether a change in a directory watched by the first of them arrives;</li>
 * <li>{@code degrade DIR N}: the same tree watched with {@code pollPastWatchLimit}: which directories
 * are polled, and whether changes in notified and polled ones and in a new polled directory arrive.</li>
 * </ul>
 */
public final class LimitProbe {
    private LimitProbe() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "watches" -> watches(Path.of(args[1]), Integer.parseInt(args[2]), Backend.valueOf(args[3]));
            case "instances" -> instances(Integer.parseInt(args[1]), Backend.valueOf(args[2]),
                    Integer.parseInt(args[3]));
            case "degrade" -> degrade(Path.of(args[1]), Integer.parseInt(args[2]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void watches(Path dir, int n, Backend backend) throws Exception {
        Path tree = dir.resolve("tree");
        for (int i = 0; i < n; i++) {
            Files.createDirectories(tree.resolve("d" + i));
        }
        try (FileMonitor monitor = FileMonitor.builder().backend(backend).build()) {
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

    private static void degrade(Path dir, int n) throws Exception {
        Path tree = dir.resolve("tree");
        for (int i = 0; i < n; i++) {
            Files.createDirectories(tree.resolve(String.format("d%02d", i)));
        }
        List<FileEvent> events = new CopyOnWriteArrayList<>();
        try (FileMonitor monitor = FileMonitor.builder().pollInterval(java.time.Duration.ofHours(1)).build()) {
            io.github.fsmon.Watch w = monitor.watch(tree, WatchOptions.builder().recursive(true)
                    .pollPastWatchLimit(true).build(), events::add).join();
            System.out.println("RESULT started");
            java.util.Set<Path> polled = w.polledDirectories().join();
            System.out.println("POLLED " + polled.size());
            Path first = tree.resolve("d00");
            Path last = tree.resolve(String.format("d%02d", n - 1));
            System.out.println("FIRSTPOLLED " + polled.contains(first));
            System.out.println("LASTPOLLED " + polled.contains(last));
            Files.writeString(first.resolve("a"), "x");
            Files.writeString(last.resolve("b"), "x");
            Files.createDirectories(last.resolve("new"));
            monitor.sync().join();
            Files.writeString(last.resolve("new/c"), "x");
            monitor.sync().join();
            System.out.println("SEEN " + seen(events, first.resolve("a"), EventKind.CLOSE_WRITE)
                    + " " + seen(events, last.resolve("b"), EventKind.CREATE)
                    + " " + seen(events, last.resolve("new/c"), EventKind.CREATE));
            System.out.println("ERRORS none");
        }
    }

    private static boolean seen(List<FileEvent> events, Path path, EventKind kind) {
        return events.stream().anyMatch(e -> e.kind() == kind && e.path().equals(path));
    }

    private static void instances(int k, Backend backend, int autoCount) throws Exception {
        List<FileMonitor> monitors = new ArrayList<>();
        try {
            for (int i = 0; i < k; i++) {
                monitors.add(FileMonitor.builder().backend(backend).build());
            }
            System.out.println("RESULT started");
        } catch (Exception e) {
            report(e);
        }
        System.out.println("CREATED " + monitors.size());
        Path dir = Files.createTempDirectory("fsmon-instances");
        List<FileMonitor> autos = new ArrayList<>();
        try {
            for (int i = 0; i < autoCount; i++) {
                autos.add(FileMonitor.create());
            }
            FileMonitor auto = autos.get(0);
            System.out.println("AUTO " + auto.backend());
            System.out.println("REASON " + auto.backendReason());
            List<FileEvent> events = new CopyOnWriteArrayList<>();
            auto.watch(dir, WatchOptions.defaults(), events::add).join();
            Files.createFile(dir.resolve("f"));
            auto.sync().join();
            System.out.println("AUTOEVENT " + seen(events, dir.resolve("f"), EventKind.CREATE));
        } finally {
            autos.forEach(FileMonitor::close);
            monitors.forEach(FileMonitor::close);
            Files.deleteIfExists(dir.resolve("f"));
            Files.deleteIfExists(dir);
        }
    }

    private static void report(Throwable t) {
        System.out.println("RESULT " + t.getClass().getName());
        if (t instanceof WatchLimitException w) {
            System.out.println("LIMIT " + w.limitName() + " " + w.limit() + " " + w.needed());
            System.out.println("INUSE " + w.inUse());
        }
        System.out.println("MESSAGE " + t.getMessage());
    }
}
