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
    /** The status that makes {@link Main} die of SIGPIPE, as inotifywait does when its reader went away. */
    static final int BROKEN_PIPE = 128 + Posix.SIGPIPE;

    private final Object lock = new Object();
    private Integer status;          // guarded by lock; set once
    private boolean busy;            // guarded by lock; a listener call (printing an event) is in progress
    private long reported;           // guarded by lock; events printed or handed to the command so far
    private long lastActivity;       // guarded by lock; System.nanoTime of the last reported event or run's end
    private Debouncer debouncer;
    private CommandRunner runner;
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
        Problems errors = new Problems(err, s.quiet() >= 2);
        ScheduledExecutorService timer = null;
        Signals.onSignal(this::stopForSignal);
        try (FileMonitor monitor = monitor(errors)) {
            if (s.command() != null) {
                timer = timerThread();
                runner = new CommandRunner(s.command(), s.separator(), err, s.grace());
                // A run's end counts as activity for -t; it is told outside the debouncer's lock.
                debouncer = new Debouncer(s.debounce(), scheduler(timer), (paths, done) -> runner.start(paths,
                        () -> {
                            done.run();
                            runEnded();
                        }));
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
                    errors.established();
                    err.writeBytes(PathBytes.bytes("Couldn't watch " + roots.get(i).spelling() + ": " + Main.reason(e) + "\n"));
                    return 1;
                }
            }
            // The watches' own set-up (listing each directory) shows up as OPEN/ACCESS/CLOSE_NOWRITE on
            // the watched directories. Like inotifywait, report only what happens once the watches are
            // established: drop everything delivered before this barrier.
            monitor.sync().join();
            live = true;
            errors.established();
            if (s.quiet() == 0) {
                err.println("Watches established.");
            }
            return await(monitor);
        } finally {
            flush();
            if (runner != null) {
                runner.stop(System.nanoTime() + s.grace().toNanos());
            }
            if (timer != null) {
                timer.shutdownNow();
            }
        }
    }

    /**
     * Waits for the status. {@code -t} counts only time in which no event was reported and none is on its
     * way: not while an event is being written (a reader that does not read holds fsmon back, it is not a
     * reason to exit), nor while a run of the command is due or in progress. When the time is up, a
     * {@link FileMonitor#sync() barrier} makes sure that every event caused until then (and the recovery
     * of any that overflowed) has been delivered and written; only if none of them was reported does the
     * timeout end the command.
     */
    private int await(FileMonitor monitor) throws InterruptedException {
        synchronized (lock) {
            lastActivity = System.nanoTime();
        }
        while (true) {
            long seen;
            synchronized (lock) {
                while (true) {
                    if (status != null) {
                        return status;
                    }
                    if (s.timeoutNanos() <= 0 || busy || commandDue()) {
                        lock.wait();
                        continue;
                    }
                    long left = lastActivity + s.timeoutNanos() - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                }
                seen = reported;
            }
            try {
                monitor.sync().join();
            } catch (RuntimeException e) {
                // the monitor failed or closed: nothing more will come
            }
            synchronized (lock) {
                if (status != null) {
                    return status;
                }
                if (reported == seen && !busy && !commandDue()) {
                    status = 2;
                    return status;
                }
            }
        }
    }

    /** Whether a run of the command is waiting for its quiet period or in progress. Caller holds lock. */
    private boolean commandDue() {
        return debouncer != null && !debouncer.idle();
    }

    /** A run of the command ended: -t counts from now. */
    private void runEnded() {
        synchronized (lock) {
            lastActivity = System.nanoTime();
            lock.notifyAll();
        }
    }

    /**
     * SIGTERM, SIGINT or SIGHUP: takes no more events, lets the event being written finish (for the grace
     * period at most: a reader that never reads again cannot hold fsmon forever), stops the command's runs
     * in progress the same way, then returns so that the process dies of the signal.
     */
    private void stopForSignal(String signal) {
        long deadline = System.nanoTime() + s.grace().toNanos();
        synchronized (lock) {
            if (status == null) {
                status = 128 + Signals.number(signal);
            }
            lock.notifyAll();
            try {
                for (long left; busy && (left = deadline - System.nanoTime()) > 0; ) {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        flush();
        if (runner != null) {
            runner.stop(deadline);
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

    /** On the listener thread, one event at a time. */
    private void onEvent(WatchedRoot root, FileEvent e) {
        if (!live) {
            return;
        }
        synchronized (lock) {
            if (status != null) {
                return; // the command is ending: what it decided on has been written
            }
            busy = true;
        }
        boolean counted = false;
        try {
            counted = handle(root, e);
        } finally {
            synchronized (lock) {
                busy = false;
                if (counted) {
                    reported++;
                    lastActivity = System.nanoTime();
                }
                lock.notifyAll();
            }
        }
    }

    /** Prints the event or hands it to the command; returns whether it was reported. */
    private boolean handle(WatchedRoot root, FileEvent e) {
        EventKind kind = e.kind();
        if (kind == EventKind.IGNORED) {
            if (!s.monitor()) {
                finish(1); // the watch ended before an event that was asked for
            }
            return false;
        }
        boolean always = kind == EventKind.OVERFLOW || kind == EventKind.RECOVERED;
        if (!always && !s.kinds().contains(kind)) {
            if (!s.monitor()) {
                finish(1); // e.g. DELETE_SELF or UNMOUNT when they were not asked for
            }
            return false;
        }
        if (!always && !e.path().equals(root.path())) {
            String shown = root.shown(e.path());
            if (s.exclude() != null && s.exclude().matcher(shown).find()) {
                return false;
            }
            if (s.include() != null && !s.include().matcher(shown).find()) {
                return false;
            }
        } else if (!always && s.include() != null && !s.include().matcher(root.shown(e.path())).find()) {
            return false;
        }
        if (debouncer != null) {
            if (always) {
                // Some changes are unknown: tell the user, and run the command for the whole root.
                err.writeBytes(PathBytes.bytes("fsmon: " + root.spelling() + ": " + String.join(",", EventNames.of(e)) + "\n"));
            }
            debouncer.changed(e.path().toString());
        } else if (!print(root, e)) {
            return true;
        }
        if (kind == EventKind.OVERFLOW && (s.exitOnOverflow() || !s.monitor())) {
            finish(1); // lost events were not asked for
        } else if (!s.monitor()) {
            finish(0);
        }
        return true;
    }

    /** Writes the event; {@code false} when it could not be written, and the command is ending. */
    private boolean print(WatchedRoot root, FileEvent e) {
        if (s.quiet() >= 2) {
            return true;
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
            return true;
        } catch (IOException x) {
            if ("Broken pipe".equals(x.getMessage())) {
                finish(BROKEN_PIPE); // nobody reads our output any more
            } else {
                err.println("fsmon: cannot write the events: " + x.getMessage());
                finish(1);
            }
            return false;
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
