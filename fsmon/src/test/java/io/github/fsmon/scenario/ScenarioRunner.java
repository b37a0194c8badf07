package io.github.fsmon.scenario;

import io.github.fsmon.FileEvent;
import io.github.fsmon.FileMonitor;
import io.github.fsmon.Watch;
import io.github.fsmon.testing.Leaks;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Runs one {@link Scenario}: a fresh sandbox directory, a fresh {@link FileMonitor}, the steps in order,
 * a delivery barrier and a comparison at each checkpoint, and at the end a check that nothing was left
 * unexpected, that the monitor reported no error and that closing it left no fsmon thread behind.
 */
final class ScenarioRunner {
    /** Upper bound for any single wait; a healthy step takes milliseconds. */
    private static final long TIMEOUT_SECONDS = 10;

    private final Scenario scenario;
    private final String os = currentOs();

    /** Delivered events, as lines, since the last checkpoint; written by the listener thread. */
    private final List<String> delivered = new ArrayList<>();
    /** Everything the monitor's error handler received. */
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final Map<String, Watch> watches = new HashMap<>();

    /** Every event delivered since the first watch started, for {@code expect-recovered}. */
    private final List<FileEvent> history = new ArrayList<>();
    /** The tree when the first watch started. */
    private java.util.TreeMap<String, Boolean> initialTree;
    /** While held, the listener waits on this at its next event. */
    private volatile java.util.concurrent.CountDownLatch gate;
    private Path sandbox;
    private FsActions fs;
    private FileMonitor monitor;
    private String backend;

    private final io.github.fsmon.Backend requested;
    /** Stops the I/O thread for {@code freeze}; its predicate excludes the watches' trigger entries. */
    private final io.github.fsmon.testing.IoThreadFreezer freezer = new io.github.fsmon.testing.IoThreadFreezer();
    /** The sandbox path of the first watch, where a plain {@code freeze} puts its trigger. */
    private String firstWatchPath;
    /** A trigger planted while frozen, which {@code thaw} waits for and then deletes. */
    private Path nextTrigger;

    ScenarioRunner(Scenario scenario, io.github.fsmon.Backend backend) {
        this.scenario = scenario;
        this.requested = backend;
    }

    /** The name of this OS in script notation ({@code linux}, {@code macos}, {@code windows}), or {@code other}. */
    static String currentOs() {
        String name = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (name.contains("linux")) {
            return "linux";
        }
        if (name.contains("mac") || name.contains("darwin")) {
            return "macos";
        }
        return name.contains("windows") ? "windows" : "other";
    }

    /** Runs the scenario; throws an {@link AssertionError} that names the script and line on any difference. */
    void run() throws Exception {
        if (!scenario.only().isEmpty() && !scenario.only().contains(os)) {
            throw new TestAbortedException(scenario.name() + " runs only on " + scenario.only());
        }
        long handlesBefore = osHandles();
        // Real path: event paths are compared as text, so the sandbox must not hide behind a link (macOS /var).
        sandbox = Files.createTempDirectory("fsmon-scenario-").toRealPath();
        fs = new FsActions(sandbox);
        try {
            FileMonitor.Builder builder = FileMonitor.builder()
                    .errorHandler((watch, error) -> errors.add(error.toString()));
            if (scenario.queueCapacity() > 0) {
                builder.queueCapacity(scenario.queueCapacity());
            }
            builder.backend(requested);
            // Polling scans only at each checkpoint's sync(), so what one scan sees never depends on timing.
            builder.pollInterval(java.time.Duration.ofHours(1));
            monitor = builder.build();
            try {
                backend = monitor.backend().name().toLowerCase(Locale.ROOT);
                for (Step step : scenario.steps()) {
                    step(step);
                }
                if (!(scenario.steps().get(scenario.steps().size() - 1) instanceof Step.Checkpoint)) {
                    // Every event must be expected: trailing commands are checked against "nothing".
                    int last = scenario.steps().get(scenario.steps().size() - 1).line();
                    check(new Step.Checkpoint(last, List.of(new Step.ExpectBlock(last, List.of(), false, List.of()))));
                }
            } finally {
                freezer.thawForGood(); // a failed step must not leave the I/O thread stopped
                monitor.close();
            }
            if (!errors.isEmpty()) {
                throw new AssertionFailedError(scenario.name() + ": the monitor reported errors: " + errors);
            }
            if (Leaks.fsmonThreads() != 0) {
                throw new AssertionFailedError(scenario.name() + ": close() returned while fsmon threads were still alive: "
                        + fsmonThreadNames());
            }
            if (osHandles() != handlesBefore) {
                throw new AssertionFailedError(scenario.name() + ": inotify, eventfd or pipe descriptors left after close()");
            }
        } finally {
            cleanUp();
        }
    }

    /**
     * On Linux, how many of this process's descriptors are inotify instances, eventfds or pipes (what
     * the inotify backend opens: its queue, its wake-up and its barrier pipes); 0 elsewhere.
     */
    private long osHandles() {
        Path fds = Path.of("/proc/self/fd");
        if (!os.equals("linux") || !Files.isDirectory(fds)) {
            return 0;
        }
        try (Stream<Path> list = Files.list(fds)) {
            return list.filter(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    return target.contains("inotify") || target.contains("eventfd") || target.startsWith("pipe:");
                } catch (IOException e) {
                    return false; // closed since listed, such as the listing's own descriptor
                }
            }).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> fsmonThreadNames() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("fsmon-"))
                .map(t -> t.getName() + " (" + t.getState() + ")").toList();
    }

    private void step(Step step) throws Exception {
        switch (step) {
            case Step.Action a -> {
                try {
                    fs.run(a.op(), a.args());
                } catch (IOException | UnsupportedOperationException e) {
                    throw new AssertionFailedError(at(a) + a.text() + " failed: " + e, e);
                }
            }
            case Step.Watch w -> watch(w);
            case Step.Unwatch u -> {
                Watch w = watches.remove(u.name());
                if (w == null) {
                    throw new AssertionFailedError(at(u) + "no watch named " + u.name() + " is running");
                }
                await(u, w.cancel());
            }
            case Step.Ignore i -> {
                if (i.ignore()) {
                    monitor.ignore(fs.resolve(i.path()));
                } else {
                    monitor.unignore(fs.resolve(i.path()));
                }
            }
            case Step.Checkpoint c -> check(c);
            case Step.Hold h -> {
                if (h.hold()) {
                    gate = new java.util.concurrent.CountDownLatch(1);
                } else if (gate != null && freezer.frozen()) {
                    // The I/O thread is stopped: it cannot be waited for. The full queue ends with the
                    // OVERFLOW notice; once the listener has it, the queue is empty (before a thaw).
                    gate.countDown();
                    gate = null;
                    awaitOverflowDelivered(h);
                } else if (gate != null) {
                    // Let the engine see everything done while the listener was held, so that what the
                    // held queue drops does not depend on how fast the I/O thread woke up.
                    await(h, io.github.fsmon.internal.core.Monitors.readBarrier(monitor));
                    gate.countDown();
                    gate = null;
                }
            }
            case Step.Freeze f -> freeze(f);
            case Step.ExpectStrict x -> expectStrict(x);
            case Step.ExpectRecovered r -> expectRecovered(r);
            case Step.ExpectConsistent c -> {
                await(c, monitor.sync());
                synchronized (delivered) {
                    delivered.clear();
                }
                checkConsistent(at(c), true);
            }
        }
    }

    /**
     * {@code freeze [DIR]}: plants a trigger entry and, unless the I/O thread is already stopped, waits until
     * it stops there. {@code thaw}: lets it go, and waits for it at the trigger planted meanwhile, if any.
     * A sync() is asked for (not awaited) each time, so that a polling backend scans and finds the trigger.
     */
    private void freeze(Step.Freeze f) throws Exception {
        if (f.freeze()) {
            boolean alreadyFrozen = freezer.frozen(); // before the trigger exists: the thread may stop at it at once
            String name = freezer.plant();
            Path trigger = fs.resolve(f.dir() != null ? f.dir() : firstWatchPath).resolve(name);
            Files.createFile(trigger);
            if (alreadyFrozen) {
                if (nextTrigger != null) {
                    throw new AssertionFailedError(at(f) + "only one freeze may be planted while frozen");
                }
                nextTrigger = trigger;
                return;
            }
            awaitFrozen(f, trigger);
            return;
        }
        if (!freezer.frozen()) {
            throw new AssertionFailedError(at(f) + "thaw while the I/O thread is not frozen");
        }
        freezer.thaw();
        if (nextTrigger != null) {
            Path trigger = nextTrigger;
            nextTrigger = null;
            awaitFrozen(f, trigger);
        }
    }

    private void awaitOverflowDelivered(Step step) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (System.nanoTime() < end) {
            synchronized (history) {
                if (history.stream().anyMatch(e -> e.kind() == io.github.fsmon.EventKind.OVERFLOW)) {
                    return;
                }
            }
            Thread.sleep(1); // a bounded wait for the listener thread, not a timing assumption
        }
        throw new AssertionFailedError(at(step) + "release while frozen: the listener received no OVERFLOW within "
                + TIMEOUT_SECONDS + " s (the held queue must have overflowed)");
    }

    private void awaitFrozen(Step step, Path trigger) throws Exception {
        monitor.sync(); // not awaited: it completes after the thaw
        if (!freezer.awaitFrozen(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS))) {
            StringBuilder stacks = new StringBuilder();
            Thread.getAllStackTraces().forEach((t, stack) -> {
                if (t.getName().startsWith("fsmon-")) {
                    stacks.append("\n  ").append(t.getName()).append(" (").append(t.getState()).append(')');
                    for (int i = 0; i < Math.min(12, stack.length); i++) {
                        stacks.append("\n    at ").append(stack[i]);
                    }
                }
            });
            throw new AssertionFailedError(at(step) + "the I/O thread did not reach the freeze trigger "
                    + sandbox.relativize(trigger) + " within " + TIMEOUT_SECONDS + " s; the monitor's threads:" + stacks);
        }
        Files.delete(trigger); // excluded: its deletion is never reported, and the tree on disk is the script's
    }

    /**
     * A barrier, then the strict replay of every event since the first watch onto the tree as it was then:
     * no impossible step, and the tree on disk.
     */
    private void expectStrict(Step.ExpectStrict x) throws Exception {
        await(x, monitor.sync());
        synchronized (delivered) {
            delivered.clear();
        }
        List<FileEvent> events;
        synchronized (history) {
            events = List.copyOf(history);
        }
        // inotify reports every rename as one; then a DELETE of a directory is an rmdir of an empty one.
        io.github.fsmon.churn.StrictTreeModel model =
                new io.github.fsmon.churn.StrictTreeModel(sandbox, initialTree, backend.equals("inotify"));
        events.forEach(model::apply);
        model.finish();
        java.util.TreeMap<String, Boolean> disk = io.github.fsmon.testing.TreeModel.walk(sandbox);
        if (model.impossible().isEmpty() && model.entries().equals(disk)) {
            return;
        }
        StringBuilder s = new StringBuilder(at(x)).append("the events do not replay strictly onto the tree (backend ")
                .append(backend).append(")\n");
        model.impossible().stream().limit(10).forEach(i -> s.append("  impossible at event ").append(i.index())
                .append(": ").append(i.reason()).append('\n'));
        java.util.TreeMap<String, Boolean> replayed = model.entries();
        disk.forEach((k, v) -> {
            if (!v.equals(replayed.get(k))) {
                s.append("  on disk, not in the events: ").append(k).append(v ? "/" : "").append('\n');
            }
        });
        replayed.forEach((k, v) -> {
            if (!v.equals(disk.get(k))) {
                s.append("  in the events, not on disk: ").append(k).append(v ? "/" : "").append('\n');
            }
        });
        s.append("events since the first watch:\n");
        for (int i = 0; i < events.size(); i++) {
            FileEvent e = events.get(i);
            s.append(String.format("  %3d %s%s%s%n", i, EventLine.of(null, e, sandbox),
                    e.cookie() != 0 ? " cookie=" + Integer.toUnsignedString(e.cookie()) : "", e.synthetic() ? " synthetic" : ""));
        }
        throw new AssertionFailedError(s.toString());
    }

    private void expectRecovered(Step.ExpectRecovered r) throws Exception {
        await(r, monitor.sync());
        List<String> actual;
        synchronized (delivered) {
            actual = List.copyOf(delivered);
            delivered.clear();
        }
        int overflow = -1;
        int recovered = -1;
        for (int i = 0; i < actual.size(); i++) {
            String kind = actual.get(i).replaceFirst("^@\\S+ ", "").split("[ ,]")[0];
            if (kind.equals("OVERFLOW") && overflow < 0) {
                overflow = i;
            } else if (kind.equals("RECOVERED") && overflow >= 0) {
                recovered = i;
            }
        }
        if (overflow < 0 || recovered < 0) {
            throw new AssertionFailedError(at(r) + "expected an OVERFLOW and then a RECOVERED; delivered:\n    "
                    + String.join("\n    ", actual));
        }
        // (after an overflow the recovery may report again what the listener saw before it was dropped)
        checkConsistent(at(r), false);
    }

    /** The events since the first watch, applied to the tree as it was then, give the tree on disk. */
    private void checkConsistent(String where, boolean noDuplicateCreates) {
        io.github.fsmon.testing.TreeModel model = new io.github.fsmon.testing.TreeModel(sandbox, initialTree);
        synchronized (history) {
            for (FileEvent e : history) {
                if (noDuplicateCreates && e.kind() == io.github.fsmon.EventKind.CREATE
                        && model.entries().containsKey(io.github.fsmon.testing.TreeModel.relative(sandbox, e.path()))) {
                    throw new AssertionFailedError(where + "CREATE of an entry that already existed: " + e);
                }
                model.apply(e);
            }
        }
        java.util.TreeMap<String, Boolean> disk = io.github.fsmon.testing.TreeModel.walk(sandbox);
        if (!model.entries().equals(disk)) {
            throw new AssertionFailedError(where + "the events do not add up to the tree on disk",
                    disk.toString(), model.entries().toString());
        }
    }

    private void watch(Step.Watch w) throws Exception {
        if (initialTree == null) {
            initialTree = io.github.fsmon.testing.TreeModel.walk(sandbox);
        }
        Watch running = watches.get(w.name());
        if (running != null && running.isActive()) {
            throw new AssertionFailedError(at(w) + "a watch named " + w.name() + " is already running");
        }
        String name = scenario.namedWatches() ? w.name() : null;
        if (firstWatchPath == null) {
            firstWatchPath = w.path();
        }
        io.github.fsmon.WatchOptions options = scenario.freezes()
                ? w.options().toBuilder().exclude(freezer.predicate()).build() : w.options();
        try {
            Watch watch = monitor.watch(fs.resolve(w.path()), options, event -> record(name, event))
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (w.expectedError() != null) {
                throw new AssertionFailedError(at(w) + "expected the watch to fail with " + w.expectedError()
                        + ", but it started");
            }
            watches.put(w.name(), watch);
        } catch (TimeoutException e) {
            throw new AssertionFailedError(at(w) + "the watch did not start within " + TIMEOUT_SECONDS + " s");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (w.expectedError() == null) {
                throw new AssertionFailedError(at(w) + "watch failed: " + cause, cause);
            }
            if (!cause.getClass().getSimpleName().equals(w.expectedError())) {
                throw new AssertionFailedError(at(w) + "expected " + w.expectedError() + ", got " + cause,
                        w.expectedError(), cause.getClass().getSimpleName(), cause);
            }
        }
    }

    private void record(String watchName, FileEvent event) {
        java.util.concurrent.CountDownLatch g = gate;
        if (g != null) {
            try {
                g.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (history) {
            history.add(event);
        }
        String line = EventLine.of(watchName, event, sandbox);
        synchronized (delivered) {
            delivered.add(line);
        }
    }

    /** A barrier, then the comparison of what was delivered with the block chosen for this platform. */
    private void check(Step.Checkpoint c) throws Exception {
        await(c, monitor.sync());
        List<String> actual;
        synchronized (delivered) {
            actual = List.copyOf(delivered);
            delivered.clear();
        }
        if (!errors.isEmpty()) {
            throw new AssertionFailedError(at(c) + "the monitor reported errors: " + errors);
        }
        Step.ExpectBlock block = choose(c);
        if (block == null) {
            return; // the script says nothing about this platform here
        }
        if (block.selectors().stream().noneMatch(sel -> sel.startsWith("backend="))) {
            block = Mechanism.project(block, backend);
        }
        if (!EventMatcher.matches(block.events(), actual, block.unordered())) {
            throw new AssertionFailedError(mismatch(block, actual),
                    String.join("\n", block.events().stream().map(Step.ExpectedEvent::toString).toList()),
                    String.join("\n", actual));
        }
    }

    /**
     * The block whose selectors all hold here and that has the most of them; the plain {@code expect}
     * has none, so it is the fallback. The parser ensures no two blocks have the same selectors.
     */
    private Step.ExpectBlock choose(Step.Checkpoint c) {
        Step.ExpectBlock best = null;
        for (Step.ExpectBlock b : c.blocks()) {
            boolean holds = b.selectors().stream().allMatch(s -> s.startsWith("backend=")
                    ? s.substring(8).equals(backend) : s.equals(os));
            if (holds && (best == null || b.selectors().size() > best.selectors().size())) {
                best = b;
            }
        }
        return best;
    }

    private String mismatch(Step.ExpectBlock block, List<String> actual) {
        StringBuilder s = new StringBuilder();
        s.append(scenario.name()).append(':').append(block.line()).append(": events differ from '")
                .append(block.header()).append("' (").append(os).append(", backend ").append(backend).append(")\n");
        s.append("expected:\n");
        block.events().forEach(e -> s.append("    ").append(e).append('\n'));
        if (block.events().isEmpty()) {
            s.append("    (no event)\n");
        }
        s.append("actual:\n");
        actual.forEach(a -> s.append("    ").append(a).append('\n'));
        if (actual.isEmpty()) {
            s.append("    (no event)\n");
        }
        s.append("diff (- expected only, + actual only):\n");
        EventMatcher.diff(block.events(), actual, block.unordered()).forEach(d -> s.append("  ").append(d).append('\n'));
        return s.toString();
    }

    private <T> T await(Step step, java.util.concurrent.Future<T> future) throws Exception {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionFailedError(at(step) + "no answer from the monitor within " + TIMEOUT_SECONDS + " s");
        } catch (ExecutionException e) {
            throw new AssertionFailedError(at(step) + "failed: " + e.getCause(), e.getCause());
        }
    }

    private String at(Step step) {
        return scenario.name() + ":" + step.line() + ": ";
    }

    /** Removes the sandbox, first making every directory writable again (a script may have chmod-ed one). */
    private void cleanUp() throws IOException {
        if (sandbox == null || !Files.exists(sandbox)) {
            return;
        }
        try (var all = Files.walk(sandbox)) {
            all.filter(p -> Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).forEach(p -> {
                try {
                    p.toFile().setWritable(true, true);
                    p.toFile().setExecutable(true, true);
                } catch (SecurityException ignored) {
                    // best effort: deleteTree reports what it cannot remove
                }
            });
        } catch (UncheckedIOException e) {
            // a directory we cannot even list: deleteTree will name it
        }
        FsActions.deleteTree(sandbox);
    }
}
