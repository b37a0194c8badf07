package io.github.fsmon.scenario;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a backend's OS mechanism can see, as a rewrite of a plain {@code expect} block (written for
 * inotify, the most detailed mechanism) into what that backend must deliver. Only a plain block is
 * rewritten: a block with a {@code backend=NAME} selector is that backend's own expectation, taken as
 * written. Each rule below states the mechanism's limit it stands for; nothing here hides a bug, since a
 * rule applies to every script alike, and a script whose outcome the rules do not describe gets its own
 * commented {@code expect backend=NAME} block.
 */
final class Mechanism {
    private Mechanism() {
    }

    /** The block {@code backend} must deliver for the plain block {@code block}. */
    static Step.ExpectBlock project(Step.ExpectBlock block, String backend) {
        return switch (backend) {
            case "jdk" -> jdk(block);
            case "poll" -> poll(block);
            case "windows" -> windows(block);
            default -> block;
        };
    }

    /** One expected event line, taken apart: {@code [@WATCH ]KIND[,ISDIR] PATH[ <- FROM]}. */
    record Line(String watch, String kind, boolean dir, String path, String from) {
        static Line parse(String text) {
            String watch = null;
            String rest = text;
            if (rest.startsWith("@")) {
                int sp = rest.indexOf(' ');
                watch = rest.substring(0, sp);
                rest = rest.substring(sp + 1);
            }
            int sp = rest.indexOf(' ');
            String kinds = sp < 0 ? rest : rest.substring(0, sp);
            String tail = sp < 0 ? "" : rest.substring(sp + 1);
            String from = null;
            int arrow = tail.indexOf(" <- ");
            if (arrow >= 0) {
                from = tail.substring(arrow + 4);
                tail = tail.substring(0, arrow);
            }
            boolean dir = kinds.endsWith(",ISDIR");
            String kind = dir ? kinds.substring(0, kinds.length() - 6) : kinds;
            return new Line(watch, kind, dir, tail, from);
        }

        String text() {
            return (watch != null ? watch + " " : "") + kind + (dir ? ",ISDIR" : "")
                    + (path.isEmpty() ? "" : " " + path) + (from != null ? " <- " + from : "");
        }

        Line kind(String k) {
            return new Line(watch, k, dir, path, null);
        }

        String key() {
            return watch + " " + path;
        }
    }

    /** Events no backend but inotify reports: the OS never tells the JDK or a poller about opens and closes. */
    private static final Set<String> ACCESS_KINDS = Set.of("ACCESS", "OPEN", "CLOSE_WRITE", "CLOSE_NOWRITE");

    /**
     * JDK WatchService: it reports create, delete and modify only. No opens, reads or closes; no
     * {@code MOVE_SELF}; attribute changes arrive as {@code ENTRY_MODIFY}. A rename is a delete and a
     * create that the backend pairs by file key when both are read together, so any rename may also be
     * a plain {@code DELETE} and {@code CREATE} (always, when its other half is outside every watch).
     * Events in several directories are compared as a multiset, since the JDK keeps their order within
     * one directory's key only.
     */
    private static Step.ExpectBlock jdk(Step.ExpectBlock block) {
        List<Step.ExpectedEvent> out = new ArrayList<>();
        for (Step.ExpectedEvent e : block.events()) {
            List<String> alternatives = new ArrayList<>();
            boolean dropped = false;
            for (String alt : e.alternatives()) {
                Line l = Line.parse(alt);
                switch (l.kind()) {
                    case "ACCESS", "OPEN", "CLOSE_WRITE", "CLOSE_NOWRITE" -> {
                        dropped = true;
                        continue;
                    }
                    case "MOVE_SELF" -> {
                        if (l.dir()) {
                            dropped = true; // a moved directory keeps its key, and the JDK says nothing
                            continue;
                        }
                        // A watched file is followed through its directory, when the rename stays in it.
                        alternatives.add(l.kind("DELETE_SELF").text());
                    }
                    case "ATTRIB" -> l = l.kind("MODIFY");
                    // The backend pairs a delete and a create by file key when it reads them in one batch;
                    // under load the halves can be read apart, and they stay a delete and a create.
                    case "MOVED_TO" -> alternatives.add(l.kind("CREATE").text());
                    case "MOVED_FROM" -> alternatives.add(l.kind("DELETE").text());
                    default -> {
                    }
                }
                alternatives.add(l.text());
            }
            add(out, e, alternatives, dropped);
        }
        // The JDK signals one key per directory: events keep their order within a directory, not across.
        boolean severalDirectories = out.stream().map(e -> parentOf(Line.parse(e.alternatives().get(0)).path()))
                .distinct().count() > 1;
        return new Step.ExpectBlock(block.line(), block.selectors(),
                block.unordered() || severalDirectories, out);
    }

    /**
     * ReadDirectoryChangesW: no opens, reads or closes; content and attribute changes are both
     * {@code FILE_ACTION_MODIFIED}, so {@code ATTRIB} is {@code MODIFY}, and a change that is both (a
     * write, which also sets the modification time) is one {@code MODIFY} per record Windows writes.
     */
    private static Step.ExpectBlock windows(Step.ExpectBlock block) {
        Set<String> sources = movedToSources(block);
        List<Step.ExpectedEvent> out = new ArrayList<>();
        for (Step.ExpectedEvent e : block.events()) {
            List<String> alternatives = new ArrayList<>();
            boolean dropped = false;
            for (String alt : e.alternatives()) {
                Line l = Line.parse(alt);
                if (ACCESS_KINDS.contains(l.kind())) {
                    dropped = true;
                    continue;
                }
                if (l.kind().equals("ATTRIB")) {
                    l = l.kind("MODIFY");
                }
                if (l.kind().equals("MODIFY") && l.dir()) {
                    // A directory's own "modified" is indistinguishable from the one Windows sends when an
                    // entry inside it changes, which the backend drops.
                    dropped = true;
                    continue;
                }
                // A rename whose other half is outside the handle's tree (another watch, an unwatched or
                // non-recursive directory) is FILE_ACTION_REMOVED / FILE_ACTION_ADDED on Windows; one inside
                // a recursive handle is paired even where the engine does not watch the other half.
                if (l.kind().equals("MOVED_FROM") && (l.watch() != null || !sources.contains(l.path()))) {
                    alternatives.add(l.kind("DELETE").text());
                }
                if (l.kind().equals("MOVED_TO") && (l.watch() != null || l.from() == null)) {
                    alternatives.add(l.kind("CREATE").text());
                }
                alternatives.add(l.text());
            }
            add(out, e, alternatives, dropped);
        }
        return new Step.ExpectBlock(block.line(), block.selectors(), block.unordered(), out);
    }

    private static String parentOf(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }

    /**
     * Polling: it compares two states, so it reports what differs, not what happened. No opens, reads or
     * closes; an entry created in the interval is one {@code CREATE} however often it was written (no
     * {@code MODIFY} after it, but a {@code MODIFY} after a rename within the watches); several writes are one {@code MODIFY}, which includes the attribute
     * change a write makes; an entry created and deleted in between is not seen at all. A rename is found
     * by file key, so one whose other half is unwatched is a plain {@code DELETE} or {@code CREATE}. One
     * scan reports the differences directory by directory, so their order is not the order of the
     * operations: the block is compared as a multiset.
     */
    private static Step.ExpectBlock poll(Step.ExpectBlock block) {
        Set<String> sources = movedToSources(block);
        Set<String> createdHere = new HashSet<>();
        Set<String> renamedHere = new HashSet<>();
        Set<String> modifiedHere = new HashSet<>();
        Set<String> vanished = new HashSet<>();
        Set<String> hasModify = new HashSet<>();
        for (Step.ExpectedEvent e : block.events()) {
            for (String alt : e.alternatives()) {
                Line l = Line.parse(alt);
                if (l.kind().equals("MODIFY")) {
                    hasModify.add(l.key());
                }
            }
        }
        List<Step.ExpectedEvent> out = new ArrayList<>();
        for (Step.ExpectedEvent e : block.events()) {
            List<String> alternatives = new ArrayList<>();
            boolean dropped = false;
            for (String alt : e.alternatives()) {
                Line l = Line.parse(alt);
                String k = l.key();
                boolean keep = true;
                switch (l.kind()) {
                    case "ACCESS", "OPEN", "CLOSE_WRITE", "CLOSE_NOWRITE" -> keep = false;
                    case "CREATE" -> createdHere.add(k);
                    case "MOVED_TO" -> {
                        String fromKey = l.watch() + " " + l.from();
                        if (l.from() != null && createdHere.contains(fromKey)) {
                            l = l.kind("CREATE"); // created and renamed in one interval: one new entry
                            vanished.add(fromKey);
                        } else if (l.from() == null) {
                            alternatives.add(l.kind("CREATE").text()); // paired only if the source was watched
                        } else {
                            renamedHere.add(k); // a rename, and then a MODIFY if it was written after it
                        }
                        createdHere.add(k);
                    }
                    case "MOVED_FROM" -> {
                        if (createdHere.contains(k)) {
                            keep = false;
                        } else if (!sources.contains(l.path())) {
                            alternatives.add(l.kind("DELETE").text());
                        }
                    }
                    case "MOVE_SELF" -> alternatives.add(l.kind("DELETE_SELF").text()); // where it went is unwatched
                    case "MODIFY" -> keep = (!createdHere.contains(k) || renamedHere.contains(k)) && modifiedHere.add(k);
                    case "ATTRIB" -> keep = !createdHere.contains(k) && !hasModify.contains(k)
                            && modifiedHere.add(k + " attrib");
                    case "DELETE" -> {
                        if (createdHere.contains(k)) {
                            vanished.add(k); // created and deleted between two scans: neither is seen
                        }
                    }
                    default -> {
                    }
                }
                if (keep) {
                    alternatives.add(l.text());
                } else {
                    dropped = true;
                }
            }
            add(out, e, alternatives, dropped);
        }
        out.removeIf(e -> e.alternatives().stream().allMatch(a -> vanished.contains(Line.parse(a).key())));
        return new Step.ExpectBlock(block.line(), block.selectors(), true, out);
    }

    /** The paths that a {@code MOVED_TO} in the block names as its source. */
    private static Set<String> movedToSources(Step.ExpectBlock block) {
        Set<String> sources = new HashSet<>();
        for (Step.ExpectedEvent e : block.events()) {
            for (String alt : e.alternatives()) {
                Line l = Line.parse(alt);
                if (l.kind().equals("MOVED_TO") && l.from() != null) {
                    sources.add(l.from()); // the source may belong to another watch of the monitor
                }
            }
        }
        return sources;
    }

    /** Keeps an event with what is left of its alternatives; one that lost some becomes optional. */
    private static void add(List<Step.ExpectedEvent> out, Step.ExpectedEvent e, List<String> alternatives,
                            boolean dropped) {
        if (alternatives.isEmpty()) {
            return;
        }
        out.add(new Step.ExpectedEvent(e.line(), List.copyOf(new java.util.LinkedHashSet<>(alternatives)),
                e.optional() || dropped && alternatives.size() < e.alternatives().size()));
    }
}
