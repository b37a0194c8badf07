package io.github.fsmon.bench;

import io.github.fsmon.EventKind;
import io.github.fsmon.FileEvent;
import io.github.fsmon.FileMonitor;
import io.github.fsmon.Watch;
import io.github.fsmon.WatchOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * fsmon against the JDK's {@link WatchService}, side by side in one process and one run:
 * <ul>
 * <li>{@code arm}: time until a recursive watch of a tree of N directories is armed (fsmon: the
 * {@code watch} future completes; JDK: every directory registered by a {@code walkFileTree}), N = 10,000
 * and 100,000, median of the rounds, alternating the two;</li>
 * <li>{@code heap}: heap bytes per watched directory and per remembered file;</li>
 * <li>{@code latency}: time from {@code createFile} returning to the listener receiving its CREATE;</li>
 * <li>{@code poll}: one full scan of a 100,000-file tree by the polling backend (a forced {@code sync()})
 * against a {@code Files.walkFileTree} reading the same attributes, and its heap per entry;</li>
 * <li>{@code burst}: files created in freshly made nested directories ({@code mkdir -p} depth 5, 50 files
 * each, as fast as possible): how many each watcher never reported.</li>
 * </ul>
 * Usage: {@code java -jar fsmon-bench.jar [WORKDIR] [ROUNDS] [SECTIONS]}, where SECTIONS is a comma list of
 * {@code arm,heap,latency,burst,poll} (default: all). Prints a Markdown report.
 */
public final class WatchBench {
    private static final List<WatchEvent.Kind<?>> JDK_KINDS = List.of(StandardWatchEventKinds.ENTRY_CREATE,
            StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY);

    private WatchBench() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Files.createTempDirectory(args.length > 0 ? Path.of(args[0]) : Path.of(
                System.getProperty("java.io.tmpdir")), "fsmon-bench");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        System.out.println("# fsmon vs JDK WatchService (" + Runtime.version() + ", "
                + Runtime.getRuntime().availableProcessors() + " CPUs, " + rounds + " rounds)");
        List<String> sections = List.of((args.length > 2 ? args[2] : "arm,heap,latency,burst,poll").split(","));
        try {
            if (sections.contains("arm")) {
                arm(work, 10_000, rounds);
                arm(work, 100_000, rounds);
            }
            if (sections.contains("heap")) {
                heap(work);
            }
            if (sections.contains("latency")) {
                latency(work, 500);
            }
            if (sections.contains("burst")) {
                burst(work, rounds);
            }
            if (sections.contains("poll")) {
                pollScan(work, rounds);
            }
        } finally {
            deleteTree(work);
        }
    }

    // ---- arm ----------------------------------------------------------------------------------------

    private static void arm(Path work, int dirs, int rounds) throws Exception {
        Path tree = work.resolve("arm-" + dirs);
        makeDirTree(tree, dirs);
        long[] fsmon = new long[rounds];
        long[] jdk = new long[rounds];
        for (int r = 0; r < rounds; r++) {
            jdk[r] = jdkArm(tree);
            fsmon[r] = fsmonArm(tree);
        }
        double f = median(fsmon) / 1e6;
        double j = median(jdk) / 1e6;
        System.out.printf("%n## arm a tree of %,d directories%n%n| watcher | median ms | all rounds ms |%n"
                + "|---|---|---|%n| fsmon | %.1f | %s |%n| JDK WatchService | %.1f | %s |%n%n"
                + "ratio fsmon / JDK: **%.2f**%n", dirs, f, ms(fsmon), j, ms(jdk), f / j);
        deleteTree(tree);
    }

    private static long fsmonArm(Path tree) throws Exception {
        try (FileMonitor monitor = FileMonitor.create()) {
            long t0 = System.nanoTime();
            monitor.watch(tree, WatchOptions.recursiveDefaults(), e -> { }).join();
            return System.nanoTime() - t0;
        }
    }

    private static long jdkArm(Path tree) throws IOException {
        try (WatchService ws = FileSystems.getDefault().newWatchService()) {
            long t0 = System.nanoTime();
            registerAll(ws, tree, new HashMap<>());
            return System.nanoTime() - t0;
        }
    }

    // ---- heap ---------------------------------------------------------------------------------------

    private static void heap(Path work) throws Exception {
        Path dirsOnly = work.resolve("heap-dirs");
        int dirs = 100_000;
        makeDirTree(dirsOnly, dirs);
        double perDir;
        try (FileMonitor monitor = FileMonitor.create()) {
            perDir = heapOfWatch(monitor, dirsOnly) / dirs;
        }
        deleteTree(dirsOnly);

        Path withFiles = work.resolve("heap-files");
        int dirCount = 100;
        int files = makeFileTree(withFiles, dirCount, 1000);
        double perFile;
        try (FileMonitor monitor = FileMonitor.create()) {
            perFile = (heapOfWatch(monitor, withFiles) - perDir * (dirCount + 1)) / files;
        }
        deleteTree(withFiles);
        System.out.printf("%n## heap (fsmon)%n%n| what | bytes |%n|---|---|%n"
                + "| per watched directory (tree of %,d directories) | %.0f |%n"
                + "| per remembered file (%,d files in %d directories) | %.0f |%n", dirs, perDir, files, dirCount,
                perFile);
    }

    /** Heap that a recursive watch of {@code tree} adds to {@code monitor} (which keeps the watch). */
    private static double heapOfWatch(FileMonitor monitor, Path tree) throws Exception {
        monitor.sync().join(); // the monitor's fixed cost (barrier set-up) is paid before measuring
        long before = usedHeap();
        Watch w = monitor.watch(tree, WatchOptions.recursiveDefaults(), e -> { }).join();
        long after = usedHeap();
        if (!w.isActive()) {
            throw new IllegalStateException("the watch ended");
        }
        return after - before;
    }

    private static long usedHeap() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }

    // ---- latency ------------------------------------------------------------------------------------

    private static void latency(Path work, int samples) throws Exception {
        Path dir = Files.createDirectories(work.resolve("latency"));
        long[] fsmon = new long[samples];
        LinkedBlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
        try (FileMonitor monitor = FileMonitor.create()) {
            monitor.watch(dir, WatchOptions.builder().events(EventKind.CREATE).build(),
                    e -> arrivals.add(System.nanoTime())).join();
            for (int i = 0; i < samples; i++) {
                long t0 = System.nanoTime();
                Files.createFile(dir.resolve("f" + i));
                fsmon[i] = arrivals.take() - t0; // createFile returning, to the listener
            }
        }
        long[] jdk = new long[samples];
        try (WatchService ws = FileSystems.getDefault().newWatchService()) {
            dir.register(ws, StandardWatchEventKinds.ENTRY_CREATE);
            Thread taker = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (true) {
                        WatchKey key = ws.take();
                        long now = System.nanoTime();
                        for (WatchEvent<?> ignored : key.pollEvents()) {
                            arrivals.add(now);
                        }
                        key.reset();
                    }
                } catch (Exception e) {
                    // closed: the benchmark is over
                }
            });
            for (int i = 0; i < samples; i++) {
                long t0 = System.nanoTime();
                Files.createFile(dir.resolve("j" + i));
                jdk[i] = arrivals.take() - t0;
            }
            ws.close();
            taker.join();
        }
        double f = median(fsmon) / 1e3;
        double j = median(jdk) / 1e3;
        System.out.printf("%n## latency of one event (%d samples)%n%n| watcher | median µs | p99 µs |%n|---|---|---|%n"
                + "| fsmon | %.0f | %.0f |%n| JDK WatchService | %.0f | %.0f |%n%nratio fsmon / JDK (median): **%.3f**%n",
                samples, f, pct(fsmon, 0.99) / 1e3, j, pct(jdk, 0.99) / 1e3, f / j);
        deleteTree(dir);
    }

    // ---- burst --------------------------------------------------------------------------------------

    private static void burst(Path work, int rounds) throws Exception {
        int[] fsmonMissed = new int[rounds];
        int[] jdkMissed = new int[rounds];
        int total = 0;
        for (int r = 0; r < rounds; r++) {
            Path a = Files.createDirectories(work.resolve("burst-fsmon-" + r));
            Set<Path> seen = ConcurrentHashMap.newKeySet();
            try (FileMonitor monitor = FileMonitor.create()) {
                monitor.watch(a, WatchOptions.recursiveDefaults(), e -> {
                    if (e.kind() == EventKind.CREATE && !e.directory()) {
                        seen.add(e.path());
                    }
                }).join();
                total = makeBurst(a);
                monitor.sync().join();
            }
            fsmonMissed[r] = total - seen.size();

            Path b = Files.createDirectories(work.resolve("burst-jdk-" + r));
            jdkMissed[r] = total - jdkBurst(b);
            deleteTree(a);
            deleteTree(b);
        }
        System.out.printf("%n## burst: %,d files in 200 new nested directories (mkdir -p depth 5, 50 files each)%n%n"
                + "| watcher | files never reported, per round |%n|---|---|%n| fsmon | %s |%n"
                + "| JDK WatchService (registers each new directory on ENTRY_CREATE) | %s |%n",
                total, Arrays.toString(fsmonMissed), Arrays.toString(jdkMissed));
    }

    private static int makeBurst(Path root) throws IOException {
        int files = 0;
        for (int d = 0; d < 200; d++) {
            Path leaf = Files.createDirectories(root.resolve("t" + d).resolve("a/b/c/d"));
            for (int i = 0; i < 50; i++) {
                Files.createFile(leaf.resolve("f" + i));
                files++;
            }
        }
        return files;
    }

    /** The usual JDK recipe: register every directory, and each new one when its ENTRY_CREATE arrives. */
    private static int jdkBurst(Path root) throws Exception {
        Set<Path> seen = ConcurrentHashMap.newKeySet();
        try (WatchService ws = FileSystems.getDefault().newWatchService()) {
            Map<WatchKey, Path> keys = new ConcurrentHashMap<>();
            registerAll(ws, root, keys);
            Thread taker = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (true) {
                        WatchKey key = ws.take();
                        Path dir = keys.get(key);
                        for (WatchEvent<?> ev : key.pollEvents()) {
                            if (ev.kind() != StandardWatchEventKinds.ENTRY_CREATE || dir == null) {
                                continue;
                            }
                            Path p = dir.resolve((Path) ev.context());
                            if (Files.isDirectory(p)) {
                                try {
                                    registerAll(ws, p, keys);
                                } catch (IOException | UncheckedIOException e) {
                                    // gone again: nothing to register
                                }
                            } else {
                                seen.add(p);
                            }
                        }
                        key.reset();
                    }
                } catch (Exception e) {
                    // closed
                }
            });
            makeBurst(root);
            // The JDK has no barrier: wait until nothing new has arrived for a whole second.
            int last = -1;
            while (seen.size() != last) {
                last = seen.size();
                Thread.sleep(1000);
            }
            ws.close();
            taker.join();
        }
        return seen.size();
    }

    // ---- poll ---------------------------------------------------------------------------------------

    private static void pollScan(Path work, int rounds) throws Exception {
        Path tree = work.resolve("poll");
        int dirCount = 100;
        int entries = makeFileTree(tree, dirCount, 1000) + dirCount;
        // The default events include ATTRIB, which needs each entry's ctime: on Linux statx has it anyway;
        // the portable reader (no native access) then takes the JDK's slower name-based attribute view.
        WatchOptions noAttrib = WatchOptions.builder().recursive(true).events(EnumSet.complementOf(
                EnumSet.of(EventKind.ATTRIB, EventKind.ACCESS, EventKind.OPEN, EventKind.CLOSE_NOWRITE))).build();
        long[] scan = new long[rounds * 3];
        long[] lean = new long[rounds * 3];
        long[] walk = new long[rounds * 3];
        double perEntry;
        try (FileMonitor monitor = FileMonitor.builder().backend(io.github.fsmon.Backend.POLL)
                .pollInterval(java.time.Duration.ofHours(1)).build();
             FileMonitor leanMonitor = FileMonitor.builder().backend(io.github.fsmon.Backend.POLL)
                .pollInterval(java.time.Duration.ofHours(1)).build()) {
            perEntry = heapOfWatch(monitor, tree) / entries;
            leanMonitor.watch(tree, noAttrib, e -> { }).join();
            for (int r = 0; r < scan.length; r++) {
                walk[r] = timeWalk(tree);
                long t0 = System.nanoTime();
                monitor.sync().join(); // the polling backend scans every watched directory, then answers
                long t1 = System.nanoTime();
                leanMonitor.sync().join();
                lean[r] = System.nanoTime() - t1;
                scan[r] = t1 - t0;
            }
        }
        deleteTree(tree);
        double s = median(scan) / 1e6;
        double l = median(lean) / 1e6;
        double w = median(walk) / 1e6;
        System.out.printf("%n## polling: one full scan of %,d files in %d directories (%d scans)%n%n"
                + "| what | median ms | all scans ms |%n|---|---|---|%n"
                + "| fsmon POLL scan (sync), default events (with ATTRIB, so the ctime is read) | %.1f | %s |%n"
                + "| fsmon POLL scan (sync), events without ATTRIB | %.1f | %s |%n"
                + "| Files.walkFileTree reading BasicFileAttributes | %.1f | %s |%n%n"
                + "ratio scan / walk: **%.2f** with ATTRIB, **%.2f** without; heap per remembered entry: %.0f"
                + " bytes (both the engine's and the backend's copies)%n", entries - dirCount, dirCount,
                scan.length, s, ms(scan), l, ms(lean), w, ms(walk), s / w, l / w, perEntry);
    }

    private static long timeWalk(Path tree) throws IOException {
        long t0 = System.nanoTime();
        long[] count = {0};
        Files.walkFileTree(tree, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                count[0] += attrs.size() + (attrs.fileKey() == null ? 0 : 1);
                return FileVisitResult.CONTINUE;
            }
        });
        return System.nanoTime() - t0 + (count[0] < 0 ? 1 : 0);
    }

    // ---- helpers ------------------------------------------------------------------------------------

    /** {@code dirs} directories in total: dirs/100 top-level ones with 99 children each. */
    private static void makeDirTree(Path root, int dirs) throws IOException {
        for (int t = 0; t < dirs / 100; t++) {
            Path top = root.resolve("t" + t);
            for (int c = 0; c < 99; c++) {
                Files.createDirectories(top.resolve("c" + c));
            }
        }
    }

    /** {@code dirs} directories of {@code filesPerDir} empty files each; returns the number of files. */
    private static int makeFileTree(Path root, int dirs, int filesPerDir) throws IOException {
        for (int d = 0; d < dirs; d++) {
            Path dir = Files.createDirectories(root.resolve("d" + d));
            for (int i = 0; i < filesPerDir; i++) {
                Files.createFile(dir.resolve("file-" + i));
            }
        }
        return dirs * filesPerDir;
    }

    private static void registerAll(WatchService ws, Path root, Map<WatchKey, Path> keys) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                keys.put(dir.register(ws, JDK_KINDS.toArray(WatchEvent.Kind[]::new)), dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    private static double median(long[] values) {
        return pct(values, 0.5);
    }

    private static double pct(long[] values, double q) {
        long[] s = values.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.floor(q * s.length))];
    }

    private static String ms(long[] values) {
        List<String> out = new ArrayList<>();
        for (long v : values) {
            out.add(String.format("%.1f", v / 1e6));
        }
        return String.join(", ", out);
    }
}
