package io.github.fsmon.scenario;

import io.github.fsmon.WatchOptions;

import java.util.List;

/** One step of a {@link Scenario}, with the script line it came from. */
sealed interface Step {

    /** The 1-based script line. */
    int line();

    /**
     * A change to the sandbox, run by {@link FsActions}.
     *
     * @param text the line as written, for messages
     * @param args the operands, paths relative to the sandbox (already checked not to leave it)
     */
    record Action(int line, String text, FsActions.Op op, List<String> args) implements Step {
        public Action {
            args = List.copyOf(args);
        }
    }

    /**
     * Starts a watch.
     *
     * @param name          the name events of this watch carry ({@link ScenarioParser#DEFAULT_WATCH} unless {@code as=})
     * @param path          relative to the sandbox; {@code .} for the sandbox itself
     * @param expectedError the simple class name of the exception the watch must fail with, or {@code null}
     */
    record Watch(int line, String name, String path, WatchOptions options, String expectedError) implements Step {
        Watch failingWith(String error) {
            return new Watch(line, name, path, options, error);
        }
    }

    /** Cancels the named watch. */
    record Unwatch(int line, String name) implements Step {
    }

    /**
     * {@code hold}: the listener blocks at the next event it receives, so fsmon's own queue fills up;
     * {@code release}: it goes on.
     */
    record Hold(int line, boolean hold) implements Step {
    }

    /**
     * {@code freeze [DIR]}: puts a trigger entry in DIR (default: the first watch's root) that the
     * monitor's I/O thread stops at when it next looks at it, so that the OS events of what follows pile
     * up unread, as when fsmon lags behind; when the thread is running, waits until it has stopped there.
     * While it is frozen, a {@code freeze DIR} only plants the next trigger, which {@code thaw} then waits
     * for. {@code thaw}: lets the I/O thread go on (and waits for it to stop at the next trigger, if one was
     * planted).
     *
     * @param dir the directory for the trigger, relative to the sandbox, or {@code null} for the first
     *            watch's root (on {@code freeze})
     */
    record Freeze(int line, String dir, boolean freeze) implements Step {
    }

    /**
     * {@code expect-strict}: a barrier, then every event delivered since the first watch started, replayed
     * strictly onto the tree as it was then ({@code io.github.fsmon.churn.StrictTreeModel}: no
     * {@code CREATE} of an entry that exists, no {@code DELETE} or move of one that does not, no rename
     * over a non-empty directory, every {@code movedFrom} matching its pending {@code MOVED_FROM}, ...),
     * must have no impossible step and give the tree on disk.
     */
    record ExpectStrict(int line) implements Step {
    }

    /**
     * {@code expect-recovered}: a barrier, then, since the previous checkpoint, an {@code OVERFLOW} and
     * later a {@code RECOVERED} must have been delivered, and every event delivered since the first watch
     * started, applied to the tree as it was then, must give the tree on disk now.
     */
    record ExpectRecovered(int line) implements Step {
    }

    /**
     * {@code expect-consistent}: a barrier, then every event delivered since the first watch started,
     * applied to the tree as it was then, must give the tree on disk now, and no entry may have been
     * created while it already existed (for races whose exact events depend on timing).
     */
    record ExpectConsistent(int line) implements Step {
    }

    /** {@code FileMonitor.ignore} ({@code ignore == true}) or {@code unignore} of a path. */
    record Ignore(int line, String path, boolean ignore) implements Step {
    }

    /**
     * A delivery barrier, then a comparison of the events delivered since the previous checkpoint with
     * one of the blocks: the most specific one whose selectors all hold here.
     */
    record Checkpoint(int line, List<ExpectBlock> blocks) implements Step {
        public Checkpoint {
            blocks = List.copyOf(blocks);
        }
    }

    /**
     * One {@code expect} header and the event lines under it.
     *
     * @param selectors conditions such as {@code linux} or {@code backend=inotify}; empty for the plain block
     * @param unordered whether order is ignored (the events are compared as a multiset)
     */
    record ExpectBlock(int line, List<String> selectors, boolean unordered, List<ExpectedEvent> events) {
        public ExpectBlock {
            selectors = List.copyOf(selectors);
            events = List.copyOf(events);
        }

        /** The header as written, for messages. */
        String header() {
            StringBuilder s = new StringBuilder("expect");
            if (unordered) {
                s.append(" unordered");
            }
            selectors.forEach(sel -> s.append(' ').append(sel));
            return s.toString();
        }
    }

    /**
     * An expected event, or a choice of events when the kernel's timing decides which one is reported.
     *
     * @param alternatives the canonical lines (see {@link EventLine}) any one of which is this event;
     *                     usually just one, several when written {@code A | B}
     * @param optional     whether it may be missing (written with a leading {@code ?})
     */
    record ExpectedEvent(int line, List<String> alternatives, boolean optional) {
        public ExpectedEvent {
            alternatives = List.copyOf(alternatives);
        }

        ExpectedEvent(int line, String text, boolean optional) {
            this(line, List.of(text), optional);
        }

        /** Whether the delivered event {@code line} is this one. */
        boolean accepts(String line) {
            return alternatives.contains(line);
        }

        /** The line as a script writes it. */
        String text() {
            return String.join(" | ", alternatives);
        }

        @Override
        public String toString() {
            return (optional ? "?" : "") + text();
        }
    }
}
