package io.github.fsmon.cli;

import io.github.fsmon.EventKind;
import io.github.fsmon.FileEvent;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** inotifywait's event names: parsing {@code -e} arguments and naming an event's mask. */
final class EventNames {

    private EventNames() {
    }

    /**
     * The kinds named by one {@code -e} word (already split at commas), as inotifywait reads them:
     * {@code close} is both close kinds, {@code move} both move halves.
     *
     * @throws IllegalArgumentException for a name inotifywait does not know
     */
    static Set<EventKind> parse(String word) {
        String name = word.trim().toLowerCase(Locale.ROOT);
        return switch (name) {
            case "access" -> EnumSet.of(EventKind.ACCESS);
            case "modify" -> EnumSet.of(EventKind.MODIFY);
            case "attrib" -> EnumSet.of(EventKind.ATTRIB);
            case "close_write" -> EnumSet.of(EventKind.CLOSE_WRITE);
            case "close_nowrite" -> EnumSet.of(EventKind.CLOSE_NOWRITE);
            case "close" -> EnumSet.of(EventKind.CLOSE_WRITE, EventKind.CLOSE_NOWRITE);
            case "open" -> EnumSet.of(EventKind.OPEN);
            case "moved_to" -> EnumSet.of(EventKind.MOVED_TO);
            case "moved_from" -> EnumSet.of(EventKind.MOVED_FROM);
            case "move" -> EnumSet.of(EventKind.MOVED_FROM, EventKind.MOVED_TO);
            case "move_self" -> EnumSet.of(EventKind.MOVE_SELF);
            case "create" -> EnumSet.of(EventKind.CREATE);
            case "delete" -> EnumSet.of(EventKind.DELETE);
            case "delete_self" -> EnumSet.of(EventKind.DELETE_SELF);
            case "unmount" -> EnumSet.of(EventKind.UNMOUNT);
            default -> throw new IllegalArgumentException(
                    "'" + word + "' is not a valid event!  Run with the '--help' option to see a list of events.");
        };
    }

    /** Every kind an inotifywait without {@code -e} listens for. */
    static Set<EventKind> all() {
        EnumSet<EventKind> all = EnumSet.allOf(EventKind.class);
        all.removeAll(EnumSet.of(EventKind.OVERFLOW, EventKind.IGNORED, EventKind.RECOVERED));
        return all;
    }

    /**
     * The names of an event's mask in inotify's bit order, as inotifywait prints them: a close is followed by
     * {@code CLOSE}, a directory ends with {@code ISDIR}, an overflow is {@code Q_OVERFLOW}, and fsmon's own
     * end of a recovery is {@code RECOVERED}.
     */
    static List<String> of(FileEvent event) {
        List<String> names = new ArrayList<>(3);
        EventKind kind = event.kind();
        switch (kind) {
            case CLOSE_WRITE, CLOSE_NOWRITE -> {
                names.add(kind.name());
                names.add("CLOSE");
            }
            case OVERFLOW -> names.add("Q_OVERFLOW");
            default -> names.add(kind.name());
        }
        // The kernel sets IN_ISDIR on events about a directory's entries and on opens and reads of the
        // directory itself, not on DELETE_SELF, MOVE_SELF, UNMOUNT or IGNORED: neither does inotifywait.
        boolean self = switch (kind) {
            case DELETE_SELF, MOVE_SELF, UNMOUNT, IGNORED, OVERFLOW, RECOVERED -> true;
            default -> false;
        };
        if (event.directory() && !self) {
            names.add("ISDIR");
        }
        return names;
    }
}
