package io.github.fsmon.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Run-on-change with a quiet period: a run starts once no change arrived for the quiet period, with every
 * path changed since the previous run began; never two runs at once. Changes that arrive during a run are
 * collected, and the next run starts when both the run has ended and a quiet period has passed since the
 * last of them. Time comes from the {@link Scheduler}, so tests drive it by hand.
 */
final class Debouncer {

    /** Runs a task after a delay. */
    interface Scheduler {
        Cancellable schedule(Runnable task, Duration delay);
    }

    /** A scheduled task that may still be called off. */
    interface Cancellable {
        void cancel();
    }

    /** Starts one run with the changed paths and calls {@code done} once, when the run has ended. */
    interface Runner {
        void start(List<String> paths, Runnable done);
    }

    private final Duration quiet;
    private final Scheduler scheduler;
    private final Runner runner;
    private final Set<String> pending = new LinkedHashSet<>();
    private Cancellable timer;
    private boolean running;

    Debouncer(Duration quiet, Scheduler scheduler, Runner runner) {
        this.quiet = Objects.requireNonNull(quiet);
        this.scheduler = Objects.requireNonNull(scheduler);
        this.runner = Objects.requireNonNull(runner);
    }

    /** A change to {@code path}: (re)starts the quiet period. */
    synchronized void changed(String path) {
        pending.add(path);
        if (timer != null) {
            timer.cancel();
        }
        timer = scheduler.schedule(this::quietPeriodOver, quiet);
    }

    /** Whether nothing is to be done: no change waits for a run, and no run is in progress. */
    synchronized boolean idle() {
        return !running && pending.isEmpty();
    }

    /** Whether a run is in progress. */
    synchronized boolean running() {
        return running;
    }

    private synchronized void quietPeriodOver() {
        timer = null;
        if (!running && !pending.isEmpty()) {
            startRun();
        }
        // else: the run in progress starts the next one when it ends
    }

    private void startRun() {
        List<String> batch = new ArrayList<>(pending);
        pending.clear();
        running = true;
        runner.start(batch, this::runEnded);
    }

    private synchronized void runEnded() {
        running = false;
        if (timer == null && !pending.isEmpty()) {
            startRun(); // the changes made during the run have been quiet long enough
        }
    }
}
