package io.github.fsmon;

import java.nio.file.Path;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * One change, as delivered to a {@link FileEventListener}.
 *
 * @param kind      what happened
 * @param path      absolute path of the entry, under the path the watch was created with (not its real
 *                  path: a root reached through a symbolic link keeps the link's path), with the entry's
 *                  exact bytes even when its name is not valid UTF-8 (see {@link FileMonitor}, Linux). For events on the
 *                  watched root itself ({@code DELETE_SELF}, {@code MOVE_SELF}, {@code IGNORED},
 *                  {@code OVERFLOW}, and every event of a watch on a single file) it is the root.
 * @param directory whether the entry is a directory; correct for deletes and moves too, because the
 *                  engine remembers which children are directories
 * @param cookie    links the two halves of a rename: a {@code MOVED_FROM} and the {@code MOVED_TO} that
 *                  completes it carry the same non-zero value; 0 for every other kind
 * @param movedFrom on a {@code MOVED_TO}, the path the entry had before the rename when that path was
 *                  watched by this monitor; {@code null} otherwise (in particular when the entry came
 *                  from outside every watched tree)
 * @param watch     the watch the event belongs to
 * @param sequence  strictly increasing across the monitor, in delivery order; a gap means events were
 *                  dropped, and an {@code OVERFLOW} event says so
 * @param synthetic {@code true} when the event was produced by fsmon's own scan rather than reported by
 *                  the OS: entries found in a directory that appeared inside a recursive watch, and
 *                  differences found by a rescan
 */
public record FileEvent(EventKind kind, Path path, boolean directory, int cookie, Path movedFrom, Watch watch,
                        long sequence, boolean synthetic) {

    /**
     * Checks the arguments.
     *
     * @throws NullPointerException if {@code kind} or {@code path} is {@code null}
     */
    public FileEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(path, "path");
    }

    /**
     * The inotify-compatible bit mask: the kind's bit, plus {@link EventKind#IN_ISDIR} for a directory,
     * for example {@code IN_CREATE | IN_ISDIR}. As in the kernel's own events, {@code IN_ISDIR} is set on
     * events about a directory's entries and on opens and reads of a directory, not on
     * {@code DELETE_SELF}, {@code MOVE_SELF}, {@code UNMOUNT}, {@code IGNORED}, {@code OVERFLOW} or
     * {@code RECOVERED}; {@link #directory()} says it for those.
     *
     * @return the kind's bit, with {@code IN_ISDIR} as above
     */
    public int mask() {
        return kind.mask() | (isDirBit() ? EventKind.IN_ISDIR : 0);
    }

    /**
     * The inotify-style name list of {@link #mask()}, as {@code inotifywait} and pyinotify print it:
     * {@code "CREATE"}, {@code "CREATE,ISDIR"}, {@code "MOVED_TO"}, {@code "DELETE_SELF"} (also for a
     * directory).
     *
     * @return the names, separated by commas
     */
    public String maskNames() {
        StringJoiner names = new StringJoiner(",");
        names.add(kind.name());
        if (isDirBit()) {
            names.add("ISDIR");
        }
        return names.toString();
    }

    private boolean isDirBit() {
        return directory && switch (kind) {
            case DELETE_SELF, MOVE_SELF, UNMOUNT, IGNORED, OVERFLOW, RECOVERED -> false;
            default -> true;
        };
    }

    /**
     * Whether this is one half of a rename.
     *
     * @return {@code true} for {@code MOVED_FROM} and {@code MOVED_TO}
     */
    public boolean isMove() {
        return kind == EventKind.MOVED_FROM || kind == EventKind.MOVED_TO;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder().append('#').append(sequence).append(' ').append(maskNames())
                .append(' ').append(path);
        if (movedFrom != null) {
            s.append(" (from ").append(movedFrom).append(')');
        }
        if (cookie != 0) {
            s.append(" cookie=").append(Integer.toUnsignedString(cookie));
        }
        if (synthetic) {
            s.append(" synthetic");
        }
        return s.toString();
    }
}
