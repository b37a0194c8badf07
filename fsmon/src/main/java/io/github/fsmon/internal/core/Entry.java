package io.github.fsmon.internal.core;

/**
 * What the engine remembers about one child of a watched directory: its type (so deletes and moves can
 * say whether a directory went away, on every backend) and, for a watched subdirectory, its placement.
 */
final class Entry {
    static final byte FILE = 0;
    static final byte DIRECTORY = 1;
    static final byte SYMLINK = 2;
    static final byte OTHER = 3;

    byte type;
    /** The watched subdirectory this entry leads to, or {@code null}. */
    Placement sub;

    Entry(byte type) {
        this.type = type;
    }

    boolean isDirectory() {
        return type == DIRECTORY;
    }
}
