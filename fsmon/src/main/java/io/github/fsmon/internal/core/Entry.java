package io.github.fsmon.internal.core;

import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;

/**
 * What the engine remembers about one child of a watched directory: its type (so deletes and moves can
 * say whether a directory went away, on every backend), the attributes a rescan compares (size,
 * modification time, identity), and, for a watched subdirectory, its placement. Kept small: one of these
 * exists for every entry of every watched directory.
 */
final class Entry {
    static final byte FILE = 0;
    static final byte DIRECTORY = 1;
    static final byte SYMLINK = 2;
    static final byte OTHER = 3;

    /** {@link #size}, {@link #mtime} and {@link #identity} describe the entry as last reported. */
    static final byte STAT_KNOWN = 1;
    /** A content change was not delivered (queue full); recovery reports a MODIFY. */
    static final byte PENDING_MODIFY = 2;
    /** A metadata change was not delivered (queue full); recovery reports an ATTRIB. */
    static final byte PENDING_ATTRIB = 4;

    byte type;
    byte flags;
    /** A hash of the OS file identity (device and inode on Unix): a different value means another file. */
    int identity;
    long size;
    long mtime;
    /** The watched subdirectory this entry leads to, or {@code null}. */
    Placement sub;

    Entry(byte type) {
        this.type = type;
    }

    Entry(BasicFileAttributes a) {
        this.type = typeOf(a);
        record(a);
    }

    static byte typeOf(BasicFileAttributes a) {
        if (a.isDirectory()) {
            return DIRECTORY;
        }
        if (a.isSymbolicLink()) {
            return SYMLINK;
        }
        return a.isRegularFile() ? FILE : OTHER;
    }

    static int identityOf(BasicFileAttributes a) {
        Object key = a.fileKey();
        return key != null ? key.hashCode() : 0;
    }

    /** Remembers {@code a} as the state last reported. */
    void record(BasicFileAttributes a) {
        identity = identityOf(a);
        size = a.size();
        mtime = nanos(a.lastModifiedTime());
        flags |= STAT_KNOWN;
    }

    /** Whether {@code a} differs from what was recorded in content or time (unknown counts as different). */
    boolean changedFrom(BasicFileAttributes a) {
        return (flags & STAT_KNOWN) == 0 || size != a.size() || mtime != nanos(a.lastModifiedTime());
    }

    /** A live event said the entry changed: what was recorded no longer describes it. */
    void touched() {
        flags &= ~STAT_KNOWN;
    }

    boolean isDirectory() {
        return type == DIRECTORY;
    }

    private static long nanos(FileTime t) {
        return t.to(TimeUnit.NANOSECONDS);
    }
}
