package io.github.fsmon.internal.core;

/**
 * The engine's raw event language: inotify's bit values, which every backend translates into.
 * Constants are repeated here (not taken from the Linux bindings) so the core does not depend on them.
 */
public final class Masks {
    private Masks() {
    }

    public static final int ACCESS = 0x0000_0001;
    public static final int MODIFY = 0x0000_0002;
    public static final int ATTRIB = 0x0000_0004;
    public static final int CLOSE_WRITE = 0x0000_0008;
    public static final int CLOSE_NOWRITE = 0x0000_0010;
    public static final int OPEN = 0x0000_0020;
    public static final int MOVED_FROM = 0x0000_0040;
    public static final int MOVED_TO = 0x0000_0080;
    public static final int CREATE = 0x0000_0100;
    public static final int DELETE = 0x0000_0200;
    public static final int DELETE_SELF = 0x0000_0400;
    public static final int MOVE_SELF = 0x0000_0800;
    public static final int UNMOUNT = 0x0000_2000;
    public static final int Q_OVERFLOW = 0x0000_4000;
    public static final int IGNORED = 0x0000_8000;
    public static final int ISDIR = 0x4000_0000;

    /**
     * Event hint: drop this event if the engine remembers the entry as a directory. ReadDirectoryChangesW
     * without extended information reports a directory as MODIFIED whenever an entry inside it changes,
     * and does not say that the name is a directory; inotify reports no such event.
     */
    public static final int UNLESS_DIR = 0x1000_0000;

    /** Every event bit a watch can ask for. */
    public static final int ALL_EVENTS = 0x0000_0FFF;
    /** What the engine always needs from a directory to keep its tree right. */
    public static final int STRUCTURE = CREATE | DELETE | MOVED_FROM | MOVED_TO | DELETE_SELF | MOVE_SELF;

    /** addWatch flag: fail unless the path is a directory. */
    public static final int ONLYDIR = 0x0100_0000;
    /** addWatch flag: do not follow a symbolic link at the end of the path. */
    public static final int DONT_FOLLOW = 0x0200_0000;
    /**
     * addWatch hint: this is the root of a recursive watch, and the engine will also call addWatch for
     * every directory below it. A natively recursive backend (ReadDirectoryChangesW with
     * {@code bWatchSubtree}, the JDK's {@code FILE_TREE}) may cover the whole tree with one OS watch and
     * answer the later calls with ids that share it; per-directory backends ignore the hint.
     */
    public static final int SUBTREE = 0x0400_0000;
    /** addWatch hint: at the OS watch limit, poll this directory rather than fail ({@link RoutingBackend}). */
    public static final int DEGRADE = 0x0800_0000;
    /**
     * addWatch hint: a polling backend also compares file contents ({@code WatchOptions.compareContent}).
     * (Not {@link #UNLESS_DIR}'s bit: that one travels in event masks, this one in addWatch flags, and a
     * bit that means two things in one class is one mix-up away from a bug.)
     */
    public static final int CONTENT = 0x2000_0000;

    /** The hints that follow a watch's options to every directory it arms. */
    public static int hints(io.github.fsmon.WatchOptions options) {
        return (options.pollPastWatchLimit() ? DEGRADE : 0) | (options.compareContent() ? CONTENT : 0);
    }
}
