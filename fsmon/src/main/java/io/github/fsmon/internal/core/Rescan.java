package io.github.fsmon.internal.core;

import io.github.fsmon.EventKind;
import io.github.fsmon.WatchOptions;
import io.github.fsmon.internal.spi.ExactNames;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * After the kernel lost events: compares every watched directory of a watch with the disk and reports
 * the differences as synthetic events. I/O thread only.
 */
final class Rescan {
    private final WatchTree tree;
    private final Output out;

    Rescan(WatchTree tree, Output out) {
        this.tree = tree;
        this.out = out;
    }

    /**
     * The kernel lost events: compare every watched directory with the disk and report the differences
     * as synthetic events. Runs on the I/O thread, directory by directory; anything that happens meanwhile
     * is reported live afterwards, and the children maps remove the duplicates.
     */
    void rescan(WatchImpl w) {
        if (!w.isActive()) {
            return;
        }
        if (!Files.exists(w.path(), LinkOption.NOFOLLOW_LINKS) && !Files.exists(w.path())) {
            // The root went away while its events were lost.
            out.reportRoot(w, EventKind.DELETE_SELF);
            tree.endWatch(w, true);
            return;
        }
        if (!w.root.directory) {
            out.reportRoot(w, EventKind.MODIFY);
            return;
        }
        rescanFrom(w.root);
    }

    /**
     * Compares {@code top}'s directory and every watched directory below it with the disk. A name that a
     * queued event is about is left to that event, so that nothing is reported twice: one the queue
     * creates or moves in is first removed here if the engine still had it (the queue's event then
     * adds it again), one the queue deletes or moves away is kept until that event. A directory whose
     * path a queued event changes is rescanned once that event has been processed.
     */
    void rescanFrom(Placement top) {
        WatchImpl w = top.watch;
        WatchOptions options = w.options();
        Deque<Placement> todo = new ArrayDeque<>();
        todo.push(top);
        while (!todo.isEmpty()) {
            Placement p = todo.pop();
            if (p.detached) {
                continue;
            }
            if (p.limbo != null) {
                tree.rescanLater(p); // renamed away, the other half awaited: compared once it is placed
                continue;
            }
            List<WatchTree.Listed> listing = tree.list(p);
            if (listing == null) {
                continue; // gone: its parent's listing or its queued events report it
            }
            if (tree.chainMoved(p)) {
                tree.rescanLater(p);
                continue;
            }
            Map<String, BasicFileAttributes> onDisk = new LinkedHashMap<>();
            Map<String, Path> paths = new HashMap<>();
            for (WatchTree.Listed l : listing) {
                if (tree.isPrivate(l.path()) || options.isExcluded(w.path(), l.path())) {
                    continue;
                }
                onDisk.put(l.name(), l.attrs());
                paths.put(l.name(), l.path());
            }
            for (Map.Entry<String, Entry> known : List.copyOf(p.children.entrySet())) {
                int pending = tree.pendingFor(p, known.getKey());
                if ((pending & (Masks.CREATE | Masks.MOVED_TO)) != 0) {
                    removeChild(p, known.getKey(), known.getValue()); // the queue brings the name in again
                } else if (pending == 0 && !onDisk.containsKey(known.getKey())) {
                    removeChild(p, known.getKey(), known.getValue());
                }
            }
            for (Map.Entry<String, BasicFileAttributes> found : onDisk.entrySet()) {
                String name = found.getKey();
                BasicFileAttributes a = found.getValue();
                Path child = paths.get(name);
                if ((tree.pendingFor(p, name) & (Masks.CREATE | Masks.MOVED_TO)) != 0) {
                    continue;
                }
                Entry e = p.children.get(name);
                if (e != null && (e.type != Entry.typeOf(a)
                        || ((e.flags & Entry.STAT_KNOWN) != 0 && e.identity != Entry.identityOf(a)))) {
                    removeChild(p, name, e); // replaced by another file under the same name
                    e = null;
                }
                if (e == null) {
                    e = new Entry(a);
                    out.report(p, EventKind.CREATE, name, child, e.isDirectory(), 0, null, true);
                    p.children.put(name, e);
                    tree.newDirectory(p, name, child, e);
                    continue;
                }
                if (!e.isDirectory() && e.changedFrom(a)) {
                    out.report(p, EventKind.MODIFY, name, child, false, 0, null, true);
                }
                e.record(a);
                if (e.sub != null) {
                    todo.push(e.sub);
                } else if (WatchTree.shouldDescend(options, e, child)) {
                    tree.newDirectory(p, name, child, e);
                }
            }
        }
    }

    private void removeChild(Placement p, String name, Entry e) {
        out.report(p, EventKind.DELETE, name, ExactNames.child(p.path, name), e.isDirectory(), 0, null, true);
        p.children.remove(name);
        if (e.sub != null) {
            tree.detach(e.sub);
        }
    }
}
