package io.github.fsmon.churn;

import io.github.fsmon.FileEvent;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A consumer's picture of a tree built from delivered events, that refuses what could not have happened.
 * Each event is applied to the model of the tree as the previous events left it; an event that could not
 * be the next true fact about that tree is an <em>impossible step</em>, recorded with its reason, then
 * applied anyway (leniently, as {@code io.github.fsmon.testing.TreeModel} would) so that the replay goes
 * on. Impossible are:
 * <ul>
 * <li>a {@code CREATE} of a path the model holds;</li>
 * <li>a {@code DELETE} or {@code MOVED_FROM} of a path it does not hold, or with the other type;</li>
 * <li>with {@code deletesAreRemovals}, a live (not synthetic) {@code DELETE} of a directory the model holds
 * entries below: where the backend reports every rename as a rename (inotify), a {@code DELETE} is a
 * {@code rmdir}, which the OS does only once the directory is empty, after each entry's {@code DELETE}.
 * Otherwise (polling, which reports a directory that vanished between two scans, renamed or removed, by
 * its top entry alone), and for a synthetic {@code DELETE} (a recovery's report of a vanished subtree),
 * a {@code DELETE} of a directory removes what the model holds below it;</li>
 * <li>any event about an entry whose parent directory the model does not hold, or below a path it holds
 * as a file;</li>
 * <li>a {@code MOVED_TO} over a non-empty directory, or of a file over a directory or the reverse;</li>
 * <li>a {@code MOVED_TO} with {@code movedFrom} whose source is not pending under that cookie (no
 * {@code MOVED_FROM} of that path with that cookie came before, or it was already paired), or with the
 * other type;</li>
 * <li>any other event ({@code MODIFY}, {@code CLOSE_WRITE}, ...) about an entry the model does not hold,
 * or with the other type;</li>
 * <li>the root reported deleted, moved or unmounted; a {@code RECOVERED} without an {@code OVERFLOW} open
 * before it, and an {@code OVERFLOW} never closed by a {@code RECOVERED}.</li>
 * </ul>
 * Events between an {@code OVERFLOW} and its {@code RECOVERED} are ordinary events here: the recovery's
 * synthetic events must replay as strictly as live ones.
 */
public final class StrictTreeModel {
    /** One impossible step: the event's index in the delivered list, the event, and why it is impossible. */
    public record Impossible(int index, FileEvent event, String reason) {
    }

    /** A subtree taken away by a {@code MOVED_FROM}, waiting for its {@code MOVED_TO}. */
    private record Pending(String from, boolean directory, TreeMap<String, Boolean> subtree) {
    }

    private final Path root;
    private final boolean deletesAreRemovals;
    private final TreeMap<String, Boolean> entries = new TreeMap<>();
    private final Map<Integer, Pending> pending = new HashMap<>();
    private final List<Impossible> impossible = new ArrayList<>();
    private int index;
    private int openOverflows;
    private int pairedMoves;

    /**
     * A model that starts with {@code initial}: relative path under {@code root} to "is a directory".
     *
     * @param deletesAreRemovals whether every live {@code DELETE} stands for a removal (never for a rename
     *                           whose other half was not seen), as with inotify: then a directory's
     *                           {@code DELETE} must find it empty
     */
    public StrictTreeModel(Path root, Map<String, Boolean> initial, boolean deletesAreRemovals) {
        this.root = root;
        this.deletesAreRemovals = deletesAreRemovals;
        this.entries.putAll(initial);
    }

    /** Applies the next delivered event. */
    public void apply(FileEvent e) {
        try {
            step(e);
        } finally {
            index++;
        }
    }

    /** Call after the last event: an {@code OVERFLOW} still open is an impossible step of its own. */
    public void finish() {
        if (openOverflows > 0) {
            impossible.add(new Impossible(index, null, openOverflows + " OVERFLOW(s) never closed by a RECOVERED"));
        }
    }

    private void step(FileEvent e) {
        if (e.path().equals(root)) {
            switch (e.kind()) {
                case OVERFLOW -> openOverflows++;
                case RECOVERED -> {
                    if (openOverflows == 0) {
                        bad(e, "RECOVERED without an OVERFLOW before it");
                    } else {
                        openOverflows--;
                    }
                }
                case DELETE_SELF, MOVE_SELF, UNMOUNT, IGNORED -> bad(e, "the root was reported gone, and it was not");
                default -> {
                }
            }
            return;
        }
        if (!e.path().startsWith(root)) {
            bad(e, "a path outside the watched root");
            return;
        }
        String rel = root.relativize(e.path()).toString();
        checkAncestors(e, rel);
        Boolean held = entries.get(rel);
        switch (e.kind()) {
            case CREATE -> {
                if (held != null) {
                    bad(e, "CREATE of a path the model already holds (as a " + type(held) + ")");
                }
                removeSubtree(rel);
                entries.put(rel, e.directory());
            }
            case DELETE -> {
                if (held == null) {
                    bad(e, "DELETE of a path the model does not hold");
                } else if (held != e.directory()) {
                    bad(e, "DELETE of a " + type(e.directory()) + " the model holds as a " + type(held));
                } else if (held && deletesAreRemovals && !e.synthetic() && hasEntriesBelow(rel)) {
                    bad(e, "DELETE of a directory the model holds entries in: " + below(rel));
                }
                removeSubtree(rel);
            }
            case MOVED_FROM -> {
                if (held == null) {
                    bad(e, "MOVED_FROM of a path the model does not hold");
                } else if (held != e.directory()) {
                    bad(e, "MOVED_FROM of a " + type(e.directory()) + " the model holds as a " + type(held));
                }
                if (e.cookie() == 0) {
                    bad(e, "MOVED_FROM without a cookie");
                } else if (pending.containsKey(e.cookie())) {
                    bad(e, "MOVED_FROM with cookie " + Integer.toUnsignedString(e.cookie())
                            + ", already pending for " + pending.get(e.cookie()).from());
                }
                pending.put(e.cookie(), new Pending(rel, e.directory(), removeSubtree(rel)));
            }
            case MOVED_TO -> movedTo(e, rel, held);
            default -> {
                if (held == null) {
                    bad(e, e.kind() + " of an entry the model does not hold");
                } else if (held != e.directory()) {
                    bad(e, e.kind() + " of a " + type(e.directory()) + " the model holds as a " + type(held));
                }
            }
        }
    }

    private void movedTo(FileEvent e, String rel, Boolean held) {
        if (held != null) {
            if (held && hasEntriesBelow(rel)) {
                bad(e, "MOVED_TO over a non-empty directory: " + below(rel));
            } else if (held != e.directory()) {
                bad(e, "MOVED_TO of a " + type(e.directory()) + " over a " + type(held));
            }
        }
        removeSubtree(rel); // a rename replaces what had the name
        entries.put(rel, e.directory());
        if (e.movedFrom() == null) {
            return; // moved in from outside: the contents follow as synthetic CREATEs
        }
        String from = e.movedFrom().startsWith(root) ? root.relativize(e.movedFrom()).toString() : e.movedFrom().toString();
        Pending p = pending.get(e.cookie());
        if (p == null || !p.from().equals(from)) {
            bad(e, "MOVED_TO from " + from + " with cookie " + Integer.toUnsignedString(e.cookie())
                    + ", but " + (p == null ? "nothing is pending under that cookie"
                    : "the MOVED_FROM pending under it was of " + p.from()));
            return;
        }
        pending.remove(e.cookie());
        pairedMoves++;
        if (p.directory() != e.directory()) {
            bad(e, "MOVED_TO of a " + type(e.directory()) + " whose MOVED_FROM was of a " + type(p.directory()));
        }
        p.subtree().forEach((k, v) -> {
            if (!k.equals(p.from())) {
                entries.put(rel + k.substring(p.from().length()), v);
            }
        });
    }

    /** The parent must be a directory of the model, and no ancestor a file. */
    private void checkAncestors(FileEvent e, String rel) {
        int slash = rel.lastIndexOf('/');
        if (slash < 0) {
            return;
        }
        String parent = rel.substring(0, slash);
        Boolean p = entries.get(parent);
        if (Boolean.TRUE.equals(p)) {
            return;
        }
        for (String a = parent; ; ) {
            if (Boolean.FALSE.equals(entries.get(a))) {
                bad(e, "an event below " + a + ", which the model holds as a file");
                return;
            }
            int s = a.lastIndexOf('/');
            if (s < 0) {
                break;
            }
            a = a.substring(0, s);
        }
        bad(e, "an event in " + parent + ", a directory the model does not hold");
    }

    private void bad(FileEvent e, String reason) {
        impossible.add(new Impossible(index, e, reason));
    }

    private boolean hasEntriesBelow(String rel) {
        String next = entries.higherKey(rel + "/");
        return next != null && next.startsWith(rel + "/");
    }

    private String below(String rel) {
        List<String> names = new ArrayList<>(entries.subMap(rel + "/", rel + "/\uffff").keySet());
        return names.size() <= 5 ? names.toString() : names.subList(0, 5) + " and " + (names.size() - 5) + " more";
    }

    private static String type(boolean directory) {
        return directory ? "directory" : "file";
    }

    private TreeMap<String, Boolean> removeSubtree(String rel) {
        TreeMap<String, Boolean> removed = new TreeMap<>();
        Boolean self = entries.remove(rel);
        if (self != null) {
            removed.put(rel, self);
        }
        Map<String, Boolean> sub = entries.subMap(rel + "/", rel + "/\uffff");
        removed.putAll(sub);
        sub.clear();
        return removed;
    }

    /** The model now: relative path to "is a directory". */
    public TreeMap<String, Boolean> entries() {
        return new TreeMap<>(entries);
    }

    /** Every impossible step so far, in order. */
    public List<Impossible> impossible() {
        return List.copyOf(impossible);
    }

    /** {@code MOVED_TO}s that completed a pending {@code MOVED_FROM} (with {@code movedFrom} and its cookie). */
    public int pairedMoves() {
        return pairedMoves;
    }
}
