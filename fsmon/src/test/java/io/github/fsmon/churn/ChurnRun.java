package io.github.fsmon.churn;

import io.github.fsmon.Backend;
import io.github.fsmon.EventKind;
import io.github.fsmon.FileEvent;
import io.github.fsmon.FileMonitor;
import io.github.fsmon.WatchOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * One model-based stress run: an initial tree, a recursive watch of it, a {@link ChurnWorkload} as fast
 * as possible, the delivery barrier ({@link FileMonitor#sync()}), then the delivered events replayed onto
 * a {@link StrictTreeModel} of the initial tree and compared with a fresh walk of the disk. Uses only
 * the public API, so the benchmark module runs it too.
 */
public final class ChurnRun {
    private ChurnRun() {
    }

    /**
     * What to run.
     *
     * @param seed         decides the initial tree and every operation
     * @param operations   how many operations to draw (performed or skipped)
     * @param backend      the monitor's backend
     * @param pollInterval the polling interval (used by {@link Backend#POLL})
     * @param allEvents    watch every event kind (opens, reads, closes too) rather than the default set
     * @param parent       the directory the run makes its tree in (it chooses the file system)
     * @param fsLabel      how the replay command names that file system ({@code tmp}, {@code tmpfs}, ...)
     * @param timeout      the whole run, workload and barrier included, must end within this (and the
     *                     barrier within 20 s of the last operation)
     * @param queueCapacity 0 for the monitor's default queue; otherwise that capacity, and the listener is
     *                     held at its first event until the workload ends, so fsmon's own queue overflows
     *                     and the run checks its recovery
     */
    public record Config(long seed, int operations, Backend backend, Duration pollInterval, boolean allEvents,
                         Path parent, String fsLabel, Duration timeout, int queueCapacity) {

        /** The command that replays this run in the test suite. */
        public String replayCommand() {
            return "./mvnw -q -pl fsmon test -Dtest=ChurnModelTest"
                    + " -Dfsmon.churn.seed=" + seed + " -Dfsmon.churn.ops=" + operations
                    + " -Dfsmon.churn.backend=" + backend.name().toLowerCase(Locale.ROOT)
                    + " -Dfsmon.churn.fs=" + fsLabel
                    + (allEvents ? " -Dfsmon.churn.events=all" : "")
                    + (queueCapacity > 0 ? " -Dfsmon.churn.queue=" + queueCapacity : "");
        }

        /** A short name for messages: {@code seed 7, inotify on tmpfs}. */
        public String describe() {
            return "seed " + seed + ", " + operations + " operations, " + backend.name().toLowerCase(Locale.ROOT)
                    + (backend == Backend.POLL ? " every " + pollInterval.toMillis() + " ms" : "")
                    + (allEvents ? ", all events" : "")
                    + (queueCapacity > 0 ? ", queue " + queueCapacity + " with the listener held" : "") + ", on " + fsLabel;
        }
    }

    /** Runs {@code config}; never throws for a difference (see {@link ChurnResult#passed()}), only for a broken set-up. */
    public static ChurnResult run(Config config) throws IOException, InterruptedException {
        long start = System.nanoTime();
        long deadline = start + config.timeout().toNanos();
        Path base = Files.createTempDirectory(config.parent(), "fsmon-churn-").toRealPath();
        try {
            return run(config, base, start, deadline);
        } finally {
            deleteTree(base);
        }
    }

    private static ChurnResult run(Config config, Path base, long start, long deadline)
            throws IOException, InterruptedException {
        String fsType = Files.getFileStore(base).type();
        ChurnWorkload workload = new ChurnWorkload(config.seed(), base);
        workload.buildInitialTree();
        Path root = workload.root();
        TreeMap<String, Boolean> initial = walk(root);
        List<FileEvent> delivered = new ArrayList<>();
        List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        String failure = null;
        Backend used;
        long workloadNanos = 0;
        long barrierNanos = 0;
        List<FileEvent> events;
        WatchOptions.Builder options = WatchOptions.builder().recursive(true);
        if (config.allEvents()) {
            options.allEvents();
        }
        FileMonitor.Builder builder = FileMonitor.builder().backend(config.backend()).pollInterval(config.pollInterval())
                .errorHandler((watch, error) -> errors.add(String.valueOf(error)));
        if (config.queueCapacity() > 0) {
            builder.queueCapacity(config.queueCapacity());
        }
        FileMonitor monitor = builder.build();
        used = monitor.backend();
        // A slow reader: with a small queue, the listener waits at its first event until the workload is done.
        CountDownLatch listenerGate = new CountDownLatch(config.queueCapacity() > 0 ? 1 : 0);
        try {
            monitor.watch(root, options.build(), e -> {
                try {
                    listenerGate.await(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
                synchronized (delivered) {
                    delivered.add(e);
                }
            }).get(remainingNanos(deadline), TimeUnit.NANOSECONDS);
            long t0 = System.nanoTime();
            try {
                workload.run(config.operations(), deadline);
            } finally {
                listenerGate.countDown();
            }
            long t1 = System.nanoTime();
            workloadNanos = t1 - t0;
            // A healthy barrier takes milliseconds after the last operation: a stuck engine fails the run
            // well before the whole run's deadline.
            long barrierDeadline = Math.min(deadline, t1 + BARRIER_TIMEOUT.toNanos());
            monitor.sync().get(remainingNanos(barrierDeadline), TimeUnit.NANOSECONDS);
            barrierNanos = System.nanoTime() - t1;
        } catch (TimeoutException e) {
            failure = (workloadNanos == 0 ? "the watch did not start within the run's " + config.timeout().toSeconds() + " s"
                    : "the delivery barrier sync() did not complete within " + BARRIER_TIMEOUT.toSeconds()
                    + " s of the last operation (the engine may be looping or stuck)") + ioThreadStack();
        } catch (IllegalStateException e) {
            failure = e.getMessage() + " within the run's " + config.timeout().toSeconds() + " s" + ioThreadStack();
        } catch (ExecutionException e) {
            failure = "the monitor failed: " + e.getCause();
        } catch (IOException e) {
            failure = "harness error: an operation of the workload failed on disk: " + e;
        }
        synchronized (delivered) {
            events = List.copyOf(delivered);
        }
        String stuck = closeWithin(monitor, CLOSE_TIMEOUT);
        if (stuck != null && failure == null) {
            failure = stuck;
        } else if (stuck != null) {
            failure += "; and " + stuck;
        }
        TreeMap<String, Boolean> disk = walk(root);
        if (failure == null && !workload.shadow().equals(disk)) {
            failure = "harness error: the workload's own copy of the tree differs from the disk";
        }
        // inotify reports every rename inside the tree as MOVED_FROM/MOVED_TO (one out of the tree is a lone
        // MOVED_FROM), so its DELETE of a directory is an rmdir, of an empty directory.
        StrictTreeModel model = new StrictTreeModel(root, initial, used == Backend.INOTIFY);
        for (FileEvent e : events) {
            model.apply(e);
        }
        if (failure == null) {
            model.finish(); // a run cut short may still be inside a recovery
        }
        TreeMap<String, Boolean> replayed = model.entries();
        TreeMap<String, Boolean> missing = new TreeMap<>();
        TreeMap<String, Boolean> extra = new TreeMap<>();
        disk.forEach((k, v) -> {
            if (!v.equals(replayed.get(k))) {
                missing.put(k, v);
            }
        });
        replayed.forEach((k, v) -> {
            if (!v.equals(disk.get(k))) {
                extra.put(k, v);
            }
        });
        int paired = (int) events.stream().filter(e -> e.kind() == EventKind.MOVED_TO && e.movedFrom() != null).count();
        int overflows = (int) events.stream().filter(e -> e.kind() == EventKind.OVERFLOW).count();
        int recovered = (int) events.stream().filter(e -> e.kind() == EventKind.RECOVERED).count();
        return new ChurnResult(config, used, fsType, base, workload.log(), workload.setupLines(),
                workload.performedCount(), workload.skippedCount(), workload.renamesInside(), paired, overflows,
                recovered, events, model.impossible(), missing, extra, List.copyOf(errors), failure,
                Duration.ofNanos(workloadNanos), Duration.ofNanos(barrierNanos),
                Duration.ofNanos(System.nanoTime() - start), root);
    }

    /** How long the delivery barrier may take after the last operation. */
    private static final Duration BARRIER_TIMEOUT = Duration.ofSeconds(20);
    /** How long {@link FileMonitor#close()} may take before the run says the monitor is stuck. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    /**
     * Closes {@code monitor} on a helper thread and waits at most {@code timeout}: a stuck I/O thread must
     * not hang the run. Returns why it failed (with the I/O thread's stack), or {@code null}; checks too
     * that no {@code fsmon-} thread outlives {@code close()}.
     */
    private static String closeWithin(FileMonitor monitor, Duration timeout) throws InterruptedException {
        Thread closer = new Thread(monitor::close, "churn-close");
        closer.setDaemon(true);
        closer.start();
        closer.join(timeout);
        if (closer.isAlive()) {
            return "close() did not return within " + timeout.toSeconds() + " s" + ioThreadStack();
        }
        List<String> left = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("fsmon-")).map(Thread::getName).toList();
        return left.isEmpty() ? null : "fsmon threads still alive after close(): " + left;
    }

    /** The stacks of the live {@code fsmon-io} threads, to show where a stuck engine is. */
    private static String ioThreadStack() {
        StringBuilder s = new StringBuilder();
        Thread.getAllStackTraces().forEach((t, stack) -> {
            if (t.getName().startsWith("fsmon-io")) {
                s.append("\n    ").append(t.getName()).append(" (").append(t.getState()).append("):");
                for (int i = 0; i < Math.min(stack.length, 14); i++) {
                    s.append("\n      at ").append(stack[i]);
                }
            }
        });
        return s.toString();
    }

    private static long remainingNanos(long deadline) {
        return Math.max(1, deadline - System.nanoTime());
    }

    /** What is on disk under {@code root}: relative path to "is a directory" (links not followed). */
    static TreeMap<String, Boolean> walk(Path root) {
        TreeMap<String, Boolean> found = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            all.filter(p -> !p.equals(root))
                    .forEach(p -> found.put(root.relativize(p).toString(), Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException error) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
