package io.github.fsmon.internal.core;

import java.util.ArrayList;
import java.util.List;

/**
 * One OS watch (an inotify watch descriptor): one inode, possibly reached through several paths and by
 * several user watches, each of which is a {@link Placement}.
 */
final class DirWatch {
    final int id;
    final List<Placement> placements = new ArrayList<>(1);
    /** IN_IGNORED records still to come for removals we asked for; they must not end a newer use of the id. */
    int expectedIgnored;

    DirWatch(int id) {
        this.id = id;
    }
}
