package io.github.fsmon;

/**
 * What happened to a file or directory. The names and bit values are those of Linux inotify(7), so code
 * written against pyinotify or {@code inotifywait} maps one to one; every backend reports the same kinds.
 * {@link #RECOVERED} is fsmon's own: it closes the recovery that follows an {@link #OVERFLOW}.
 *
 * <p>{@link #OVERFLOW}, {@link #RECOVERED}, {@link #IGNORED} and {@link #UNMOUNT} are always delivered, whatever event set a
 * watch asked for, because a consumer that missed them would silently hold a wrong picture of the tree.
 */
public enum EventKind {
    /** The file was read ({@code IN_ACCESS}). */
    ACCESS(0x0000_0001),
    /** The file's content was written or truncated ({@code IN_MODIFY}). */
    MODIFY(0x0000_0002),
    /** Metadata changed: permissions, owner, timestamps, link count, extended attributes ({@code IN_ATTRIB}). */
    ATTRIB(0x0000_0004),
    /** A file opened for writing was closed ({@code IN_CLOSE_WRITE}): the usual "save finished" signal. */
    CLOSE_WRITE(0x0000_0008),
    /** A file or directory not opened for writing was closed ({@code IN_CLOSE_NOWRITE}). */
    CLOSE_NOWRITE(0x0000_0010),
    /** A file or directory was opened ({@code IN_OPEN}). */
    OPEN(0x0000_0020),
    /** An entry was renamed away from this path ({@code IN_MOVED_FROM}); see {@link FileEvent#cookie()}. */
    MOVED_FROM(0x0000_0040),
    /** An entry was renamed to this path ({@code IN_MOVED_TO}); see {@link FileEvent#movedFrom()}. */
    MOVED_TO(0x0000_0080),
    /** An entry was created ({@code IN_CREATE}); also reported, flagged synthetic, for entries found by a scan. */
    CREATE(0x0000_0100),
    /** An entry was deleted ({@code IN_DELETE}). */
    DELETE(0x0000_0200),
    /** The watched root itself was deleted ({@code IN_DELETE_SELF}); {@link #IGNORED} follows. */
    DELETE_SELF(0x0000_0400),
    /** The watched root itself was moved ({@code IN_MOVE_SELF}); {@link #IGNORED} follows and the watch ends. */
    MOVE_SELF(0x0000_0800),
    /** The file system holding the watched root was unmounted ({@code IN_UNMOUNT}); {@link #IGNORED} follows. */
    UNMOUNT(0x0000_2000),
    /**
     * Events were lost: the kernel queue ({@code IN_Q_OVERFLOW}) or fsmon's own bounded queue overflowed.
     * Never silent and never an exception. fsmon then recovers: it works out what changed and reports the
     * differences, then {@link #RECOVERED}.
     */
    OVERFLOW(0x0000_4000),
    /** The watch ended ({@code IN_IGNORED}): cancelled, one-shot fired, or its root deleted, moved or unmounted. */
    IGNORED(0x0000_8000),
    /**
     * Recovery after an {@link #OVERFLOW} is complete (no inotify equivalent; {@link #mask()} is 0). Between
     * the {@code OVERFLOW} and this event the watch delivered, flagged {@linkplain FileEvent#synthetic()
     * synthetic}, the differences between what it had reported and the true state of the tree: a
     * {@code CREATE} for each entry that appeared, a {@code DELETE} for each that went away (a rename is a
     * {@code DELETE} and a {@code CREATE}), a {@code MODIFY} or {@code ATTRIB} for each file that may have
     * changed. A consumer that applies every event ends with the true state of the tree. Always delivered.
     */
    RECOVERED(0);

    /** inotify's {@code IN_ISDIR}: set in {@link FileEvent#mask()} when the subject is a directory. */
    public static final int IN_ISDIR = 0x4000_0000;

    private final int mask;

    EventKind(int mask) {
        this.mask = mask;
    }

    /**
     * The inotify bit for this kind.
     *
     * @return the bit, for example {@code 0x100} for {@code IN_CREATE}
     */
    public int mask() {
        return mask;
    }

    /**
     * The kind whose inotify bit is {@code bit}.
     *
     * @param bit one inotify bit, for example {@code 0x100}
     * @return the kind, or {@code null} if {@code bit} is 0, several bits, or no kind's bit
     */
    public static EventKind ofMask(int bit) {
        for (EventKind k : values()) {
            if (k.mask == bit && bit != 0) {
                return k;
            }
        }
        return null;
    }
}
