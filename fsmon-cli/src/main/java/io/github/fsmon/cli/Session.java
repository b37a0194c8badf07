package io.github.fsmon.cli;

import io.github.fsmon.ErrorHandler;
import io.github.fsmon.EventKind;
import io.github.fsmon.FileEvent;
import io.github.fsmon.FileMonitor;
import io.github.fsmon.WatchOptions;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One run of the command: sets up the watches, prints (or runs the command for) the events, and decides the
 * exit status the way inotifywait does.
 */
final class Session {

    private final Main.Settings s;
    private final OutputStream out;
    private final PrintStream err;
    private final Object lock = new Object();
    private Integer status;          // guarded by lock; set once
    private long lastActivity;       // guarded by lock; System.nanoTime of the last reported event
    private Debouncer debouncer;
    private volatile boolean live;   // set once the watches are established

    private final EarlyMonitor early;

    /** {@code early}: a monitor with the default settings being built, or {@code null}. */
    Session(Main.Settings settings, OutputStream out, PrintStream err, EarlyMonitor early) {
        this.s = settings;
        this.out = out;
        this.err = err;
        this.early = early;
    }

    int run() throws IOException, InterruptedException {
        ErrorHandler errors = (watch, error) -> {
            if (s.quiet() < 2) {
                // as bytes (PathBytes): a path that is not UTF-8 is written as it is on disk, like inotifywait
                err.writeBytes(PathBytes.bytes("fsmon: " + (watch != null ? PathBytes.text(PathBytes.of(watch.path()))
                        + ": " : "") + Main.reason(error) + "\n"));
            }
        };
        ScheduledExecutorService timer = null;
        try (FileMonitor monitor = monitor(errors)) {
            if (s.command() != null) {
                timer = timerThread();
                debouncer = new Debouncer(s.debounce(), scheduler(timer),
                        new CommandRunner(s.command(), s.separator(), err));
            }
            if (s.quiet() == 0) {
                err.println(s.recursive() ? "Setting up watches.  Beware: since -r was given, this may take a while!"
                        : "Setting up watches.");
            }
            List<Path> excluded = new ArrayList<>();
            for (String x : s.excluded()) {
                excluded.add(PathBytes.path(x).toAbsolutePath().normalize());
            }
            List<Path> seen = new ArrayList<>();
            List<CompletableFuture<?>> watches = new ArrayList<>();
            List<WatchedRoot> roots = new ArrayList<>();
            for (String spelling : s.paths()) {
                WatchedRoot root = new WatchedRoot(spelling);
                if (seen.contains(root.path())) {
                    continue; // inotify gives one watch per inode: a path named twice reports once
                }
                seen.add(root.path());
                roots.add(root);
                WatchOptions options = WatchOptions.builder().events(s.kinds()).recursive(s.recursive())
                        .exclude(p -> excluded.stream().anyMatch(p::startsWith)
                                || (s.exclude() != null && s.exclude().matcher(root.shown(p)).find()))
                        .build();
                watches.add(monitor.watch(root.path(), options, e -> onEvent(root, e)));
            }
            for (int i = 0; i < watches.size(); i++) {
                try {
                    watches.get(i).join();
                } catch (RuntimeException e) {
                    err.writeBytes(PathBytes.bytes("Couldn't watch " + roots.get(i).spelling() + ": " + Main.reason(e) + "\n"));
                    return 1;
                }
            }
            // The watches' own set-up (listing each directory) shows up as OPEN/ACCESS/CLOSE_NOWRITE on
            // the watched directories. Like inotifywait, report only what happens once the watches are
            // established: drop everything delivered before this barrier.
            monitor.sync().join();
            live = true;
            if (s.quiet() == 0) {
                err.println("Watches established.");
            }
            return await();
        } finally {
            flush();
            if (timer != null) {
                timer.shutdownNow();
            }
        }
    }

    private int await() throws InterruptedException {
        synchronized (lock) {
            lastActivity = System.nanoTime();
            while (status == null) {
                if (s.timeoutNanos() <= 0) {
                    lock.wait();
                    continue;
                }
                long left = lastActivity + s.timeoutNanos() - System.nanoTime();
                if (left <= 0) {
                    status = 2;
                    break;
                }
                lock.wait(Math.max(1, left / 1_000_000), 0);
            }
            return status;
        }
    }

    private void finish(int code) {
        synchronized (lock) {
            if (status == null) {
                status = code;
            }
            lock.notifyAll();
        }
    }

    private boolean finished() {
        synchronized (lock) {
            return status != null;
        }
    }

    /** On the listener thread, one event at a time. */
    private void onEvent(WatchedRoot root, FileEvent e) {
        if (!live || finished()) {
            return;
        }
        EventKind kind = e.kind();
        if (kind == EventKind.IGNORED) {
            if (!s.monitor()) {
                finish(1); // the watch ended before an event that was asked for
            }
            return;
        }
        boolean always = kind == EventKind.OVERFLOW || kind == EventKind.RECOVERED;
        if (!always && !s.kinds().contains(kind)) {
            if (!s.monitor()) {
                finish(1); // e.g. DELETE_SELF or UNMOUNT when they were not asked for
            }
            return;
        }
        if (!always && !e.path().equals(root.path())) {
            String shown = root.shown(e.path());
            if (s.exclude() != null && s.exclude().matcher(shown).find()) {
                return;
            }
            if (s.include() != null && !s.include().matcher(shown).find()) {
                return;
            }
        } else if (!always && s.include() != null && !s.include().matcher(root.shown(e.path())).find()) {
            return;
        }
        if (debouncer != null) {
            if (always) {
                // Some changes are unknown: tell the user, and run the command for the whole root.
                err.writeBytes(PathBytes.bytes("fsmon: " + root.spelling() + ": " + String.join(",", EventNames.of(e)) + "\n"));
            }
            debouncer.changed(e.path().toString());
        } else {
            print(root, e);
        }
        synchronized (lock) {
            lastActivity = System.nanoTime();
        }
        if (kind == EventKind.OVERFLOW && (s.exitOnOverflow() || !s.monitor())) {
            finish(1); // lost events were not asked for
        } else if (!s.monitor()) {
            finish(0);
        }
    }

    private void print(WatchedRoot root, FileEvent e) {
        if (s.quiet() >= 2) {
            return;
        }
        byte[] record;
        if (s.json() != null) {
            record = s.json().format(e, Instant.now());
        } else {
            byte[][] names = root.names(e.path());
            record = s.lines().format(new LineFormat.Fields(names[0], names[1], EventNames.of(e), e.cookie(),
                    ZonedDateTime.now(ZoneId.systemDefault())));
        }
        try {
            out.write(record);
            out.flush();
        } catch (IOException x) {
            finish(1); // nobody reads our output any more
        }
    }

    private FileMonitor monitor(ErrorHandler errors) throws IOException {
        FileMonitor m = early == null ? null : early.take(s, errors);
        if (m != null) {
            return m;
        }
        FileMonitor.Builder b = FileMonitor.builder().backend(s.backend()).queueCapacity(s.queueCapacity())
                .errorHandler(errors);
        if (s.pollInterval() != null) {
            b.pollInterval(s.pollInterval());
        }
        return b.build();
    }

    private void flush() {
        try {
            out.flush();
        } catch (IOException ignored) {
            // the reader went away; nothing to tell
        }
    }

    private static ScheduledExecutorService timerThread() {
        return Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("fsmon-debounce")
                .unstarted(r));
    }

    private static Debouncer.Scheduler scheduler(ScheduledExecutorService timer) {
        return (task, delay) -> {
            var f = timer.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        };
    }
}
