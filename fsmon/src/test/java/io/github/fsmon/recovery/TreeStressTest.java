package io.github.fsmon.recovery;

import io.github.fsmon.EventKind;
import io.github.fsmon.FileEvent;
import io.github.fsmon.FileMonitor;
import io.github.fsmon.WatchOptions;
import io.github.fsmon.testing.Recorder;
import io.github.fsmon.testing.TreeModel;
import io.github.fsmon.Backend;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bounded stress runs that assert on the final state: the events delivered, applied to a model of the
 * tree, must give exactly what a fresh walk of the disk gives, and no entry may be created twice. Each
 * runs on every backend: polling scans every 50 ms meanwhile, so scans race with the changes too.
 */
class TreeStressTest {
    @TempDir
    Path dir;

    /**
     * No overflow with inotify. The JDK backend (no order between directories) and polling (a scan is not
     * atomic) recover by a rescan when they see the tree change under them: then the last overflow must be
     * followed by the end of its recovery. The final state is checked either way.
     */
    private static void assertNoOverflow(Backend backend, List<FileEvent> events) {
        if (backend == Backend.INOTIFY) {
            assertThat(events).noneMatch(e -> e.kind() == EventKind.OVERFLOW);
        } else {
            int overflow = -1;
            int recovered = -1;
            for (int i = 0; i < events.size(); i++) {
                overflow = events.get(i).kind() == EventKind.OVERFLOW ? i : overflow;
                recovered = events.get(i).kind() == EventKind.RECOVERED ? i : recovered;
            }
            assertThat(recovered).as("the last OVERFLOW's recovery finished").isGreaterThanOrEqualTo(overflow);
        }
    }

    private static FileMonitor monitor(Backend backend) throws IOException {
        return FileMonitor.builder().backend(backend).pollInterval(java.time.Duration.ofMillis(50)).build();
    }

    private static void assertConsistent(Path root, TreeMap<String, Boolean> before, List<FileEvent> events) {
        TreeModel model = new TreeModel(root, before);
        for (FileEvent e : events) {
            model.apply(e);
        }
        TreeMap<String, Boolean> disk = TreeModel.walk(root);
        TreeMap<String, Boolean> missing = new TreeMap<>(disk);
        model.entries().forEach(missing::remove);
        TreeMap<String, Boolean> extra = new TreeMap<>(model.entries());
        disk.forEach(extra::remove);
        assertThat(model.entries()).as("the events applied to the tree give the tree on disk;"
                + " on disk but not in the events: %s; in the events but not on disk: %s", missing, extra)
                .isEqualTo(disk);
    }

    /** Every CREATE names an entry not already created (and not deleted or moved away since). */
    private static void assertNoDuplicateCreates(Path root, TreeMap<String, Boolean> before, List<FileEvent> events) {
        TreeModel model = new TreeModel(root, before);
        for (FileEvent e : events) {
            if (e.kind() == EventKind.CREATE) {
                assertThat(model.entries()).as("duplicate CREATE %s", e).doesNotContainKey(root.relativize(e.path()).toString());
            }
            model.apply(e);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"INOTIFY", "POLL", "JDK"})
    void twoHundredDeepDirectoriesWithFiftyFilesEach(Backend backend) throws Exception {
        Recorder rec = new Recorder();
        TreeMap<String, Boolean> before = TreeModel.walk(dir);
        try (FileMonitor monitor = monitor(backend)) {
            monitor.watch(dir, WatchOptions.recursiveDefaults(), rec).join();
            for (int i = 0; i < 200; i++) {
                Path leaf = Files.createDirectories(dir.resolve("t" + (i % 20) + "/a" + i + "/b/c/d"));
                for (int f = 0; f < 50; f++) {
                    Files.writeString(leaf.resolve("f" + f), "x");
                }
            }
            rec.settle(monitor);
        }
        List<FileEvent> events = rec.events();
        assertNoOverflow(backend, events);
        assertConsistent(dir, before, events);
        assertNoDuplicateCreates(dir, before, events);
        assertThat(events.stream().filter(e -> e.kind() == EventKind.CREATE).count())
                .as("one CREATE per entry").isEqualTo(TreeModel.walk(dir).size());
    }

    /**
     * inotify, and polling with the whole storm between two scans. Not the JDK backend (it keeps no order
     * between directories), nor polling with scans during the storm (a scan racing with the renames):
     * some runs of both ended with entries of moved directories missing from the events. Both are
     * documented as limits in {@code Backend}.
     */
    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"INOTIFY", "POLL"})
    void renameStormsOfDirectoriesInsideTheTree(Backend backend) throws Exception {
        Random random = new Random(42);
        for (int i = 0; i < 30; i++) {
            Path d = Files.createDirectories(dir.resolve("d" + i + "/sub"));
            Files.writeString(d.resolve("f"), "x");
        }
        TreeMap<String, Boolean> before = TreeModel.walk(dir);
        Recorder rec = new Recorder();
        Map<Integer, String> names = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            names.put(i, "d" + i);
        }
        try (FileMonitor monitor = backend == Backend.POLL
                ? FileMonitor.builder().backend(backend).pollInterval(java.time.Duration.ofHours(1)).build()
                : monitor(backend)) {
            monitor.watch(dir, WatchOptions.recursiveDefaults(), rec).join();
            for (int round = 0; round < 2000; round++) {
                int a = random.nextInt(30);
                int b = random.nextInt(30);
                String from = names.get(a);
                String target = names.get(b);
                if (a == b || target.contains(from + "/")) {
                    continue;
                }
                // Move directory a either to a new top-level name, or into directory b.
                String to = random.nextBoolean() ? "r" + round : target + "/m" + round;
                Files.move(dir.resolve(from), dir.resolve(to));
                String prefix = from + "/";
                names.replaceAll((k, v) -> v.equals(from) ? to : v.startsWith(prefix) ? to + "/" + v.substring(prefix.length()) : v);
                if (round % 7 == 0) {
                    Files.writeString(dir.resolve(names.get(a)).resolve("sub/g" + round), "y");
                }
            }
            rec.settle(monitor);
            // After the storm the watches must follow every directory to its final place.
            for (int i = 0; i < 30; i++) {
                Files.writeString(dir.resolve(names.get(i)).resolve("sub/final"), "z");
            }
            rec.settle(monitor);
        }
        List<FileEvent> events = rec.events();
        assertNoOverflow(backend, events);
        assertConsistent(dir, before, events);
        List<String> finals = events.stream().filter(e -> e.kind() == EventKind.CREATE && e.path().endsWith("final"))
                .map(e -> dir.relativize(e.path()).toString()).sorted().collect(Collectors.toList());
        List<String> expected = names.values().stream().map(n -> n + "/sub/final").sorted().collect(Collectors.toList());
        assertThat(finals).isEqualTo(expected);
    }

    /** Not the JDK backend: on a loaded machine some runs missed a re-created directory's entry (see Backend.JDK). */
    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"INOTIFY", "POLL"})
    void subtreeDeletedAndRecreatedWhileBeingScanned(Backend backend) throws Exception {
        Recorder rec = new Recorder();
        TreeMap<String, Boolean> before = TreeModel.walk(dir);
        try (FileMonitor monitor = monitor(backend)) {
            monitor.watch(dir, WatchOptions.recursiveDefaults(), rec).join();
            for (int i = 0; i < 50; i++) {
                Path d = Files.createDirectories(dir.resolve("x/y" + i + "/z"));
                Files.writeString(d.resolve("f"), "x");
                deleteTree(dir.resolve("x/y" + i));
                if (i % 2 == 0) {
                    Files.createDirectories(dir.resolve("x/y" + i + "/again"));
                }
            }
            rec.settle(monitor);
        }
        assertConsistent(dir, before, rec.events());
        assertNoDuplicateCreates(dir, before, rec.events());
    }

    private static void deleteTree(Path p) throws IOException {
        try (var all = Files.walk(p)) {
            for (Path x : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
