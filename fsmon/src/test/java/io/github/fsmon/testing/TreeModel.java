package io.github.fsmon.testing;

import io.github.fsmon.EventKind;
import io.github.fsmon.FileEvent;
import io.github.fsmon.internal.spi.ExactNames;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A consumer's picture of a tree, built only from delivered events: the test oracle for "a consumer that
 * applies the events ends with the true state of the tree". Maps each path relative to the root to
 * whether it is a directory.
 */
public final class TreeModel {
    private final Path root;
    private final TreeMap<String, Boolean> entries = new TreeMap<>();
    private final Map<Integer, TreeMap<String, Boolean>> movedAway = new HashMap<>();

    /** A model that starts with {@code initial} (for example {@link #walk} of the tree when the watch began). */
    public TreeModel(Path root, Map<String, Boolean> initial) {
        this.root = root;
        this.entries.putAll(initial);
    }

    /** The model of what is on disk under {@code root} now. */
    public static TreeMap<String, Boolean> walk(Path root) {
        TreeMap<String, Boolean> found = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            all.filter(p -> !p.equals(root))
                    .forEach(p -> found.put(relative(root, p), Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    public void apply(FileEvent e) {
        if (e.path().equals(root)) {
            return;
        }
        String rel = relative(root, e.path());
        switch (e.kind()) {
            case CREATE -> entries.put(rel, e.directory());
            case DELETE -> removeSubtree(rel);
            case MOVED_FROM -> movedAway.put(e.cookie(), removeSubtree(rel));
            case MOVED_TO -> {
                TreeMap<String, Boolean> subtree = e.movedFrom() != null ? movedAway.remove(e.cookie()) : null;
                removeSubtree(rel); // a rename replaces what had the name
                entries.put(rel, e.directory());
                if (subtree != null) {
                    String from = relative(root, e.movedFrom());
                    subtree.forEach((k, v) -> {
                        if (!k.equals(from)) {
                            entries.put(rel + k.substring(from.length()), v);
                        }
                    });
                }
            }
            default -> {
            }
        }
    }

    /**
     * {@code path} relative to {@code root}, names joined by {@code /}, each name as its exact key: two
     * names whose bytes differ are two entries even when their text (with U+FFFD) is the same.
     */
    public static String relative(Path root, Path path) {
        StringBuilder s = new StringBuilder();
        for (Path name : root.relativize(path)) {
            s.append(s.isEmpty() ? "" : "/").append(ExactNames.key(name));
        }
        return s.toString();
    }

    private TreeMap<String, Boolean> removeSubtree(String rel) {
        TreeMap<String, Boolean> removed = new TreeMap<>();
        Boolean self = entries.remove(rel);
        if (self != null) {
            removed.put(rel, self);
        }
        Map<String, Boolean> below = entries.subMap(rel + "/", rel + "/\uffff");
        removed.putAll(below);
        below.clear();
        return removed;
    }

    public TreeMap<String, Boolean> entries() {
        return new TreeMap<>(entries);
    }

    /** Whether {@code kind} changes the tree's shape (the events this model applies). */
    public static boolean shapes(EventKind kind) {
        return kind == EventKind.CREATE || kind == EventKind.DELETE || kind == EventKind.MOVED_FROM
                || kind == EventKind.MOVED_TO;
    }
}
