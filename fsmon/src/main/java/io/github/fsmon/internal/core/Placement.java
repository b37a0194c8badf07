package io.github.fsmon.internal.core;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A watched inode as seen from one user watch, at one path: a node of that watch's tree. The root
 * placement has no parent. Paths are kept current when a directory moves inside the tree.
 */
final class Placement {
    final WatchImpl watch;
    final DirWatch dirWatch;
    final boolean directory;
    /** Children by name (directories only), as this watch has been told about them. */
    final Map<String, Entry> children;
    Placement parent;
    String name;
    Path path;
    /** Set while this placement's directory, or an ancestor, was renamed away and the other half is awaited. */
    PendingMove limbo;
    boolean detached;
    /**
     * While events about this directory's children could not be delivered (queue full): the children as
     * the listener last learned them. Recovery reports the difference with {@link #children}.
     */
    Map<String, Entry> delivered;

    Placement(WatchImpl watch, DirWatch dirWatch, boolean directory, Placement parent, String name, Path path) {
        this.watch = watch;
        this.dirWatch = dirWatch;
        this.directory = directory;
        this.children = directory ? new HashMap<>() : null;
        this.parent = parent;
        this.name = name;
        this.path = path;
    }

    boolean isRoot() {
        return parent == null;
    }

    /** Whether {@code dw} is this placement's inode or the inode of one of its ancestors in the same watch. */
    boolean hasAncestorOrSelf(DirWatch dw) {
        for (Placement p = this; p != null; p = p.parent) {
            if (p.dirWatch == dw) {
                return true;
            }
        }
        return false;
    }
}
