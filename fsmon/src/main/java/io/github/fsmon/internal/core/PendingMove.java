package io.github.fsmon.internal.core;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The source half of a rename, waiting for its destination half (same cookie), with the events that
 * arrived meanwhile from inside a directory that was moved.
 */
final class PendingMove {
    final int cookie;
    final long deadline;
    final List<Source> sources = new ArrayList<>(1);
    final List<Deferred> deferred = new ArrayList<>();

    PendingMove(int cookie, long deadline) {
        this.cookie = cookie;
        this.deadline = deadline;
    }

    /** Where the entry was, in one user watch. */
    static final class Source {
        final Placement parent;
        final String name;
        final Entry entry;
        final Path path;
        boolean consumed;
        /** Its MOVED_FROM was held back for a catch-up, so the listener must not see a paired MOVED_TO. */
        boolean heldBack;

        Source(Placement parent, String name, Entry entry, Path path) {
            this.parent = parent;
            this.name = name;
            this.entry = entry;
            this.path = path;
        }
    }

    /** An OS event for a placement in limbo, replayed once the move is resolved. */
    record Deferred(Placement placement, int mask, int cookie, String name, boolean lossy) {
    }
}
