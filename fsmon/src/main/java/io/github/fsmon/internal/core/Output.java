package io.github.fsmon.internal.core;

import io.github.fsmon.EventKind;
import io.github.fsmon.FileEvent;
import io.github.fsmon.internal.spi.ExactNames;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Everything between the watch trees and the {@link Dispatcher}: filtering (event set, ignored paths),
 * sequence numbers, one-shot bookkeeping, and the catch-up that follows when the queue was full: for
 * each directory whose events were dropped, the children as the listener last learned them are kept in
 * {@link Placement#delivered}, and the difference with the engine's knowledge is reported later.
 * I/O thread only.
 */
final class Output {
    private static final int ALWAYS_DELIVERED = EventKind.OVERFLOW.mask() | EventKind.IGNORED.mask()
            | EventKind.UNMOUNT.mask();

    private final Dispatcher dispatcher;
    private final Runnable wakeup;
    private final List<Path> ignored = new ArrayList<>();
    private final List<WatchImpl> endAfterEvent = new ArrayList<>();
    /** Placements whose children's events were dropped because the queue was full. */
    private final Set<Placement> dirty = new LinkedHashSet<>();
    /** Barriers that wait for the recovery of dropped events to be queued. */
    private final List<CompletableFuture<Void>> heldBarriers = new ArrayList<>();
    /** Watches between an OVERFLOW and their RECOVERED. */
    private final Set<WatchImpl> recovering = new LinkedHashSet<>();
    private long nextSequence = 1;

    Output(Dispatcher dispatcher, Runnable wakeup) {
        this.dispatcher = dispatcher;
        this.wakeup = wakeup;
    }

    void setIgnored(Path path, boolean ignore) {
        if (!ignore) {
            ignored.remove(path);
        } else if (!ignored.contains(path)) {
            ignored.add(path);
        }
    }

    /** A delivery barrier was reached: it completes after everything queued so far, recovery included. */
    void barrier(CompletableFuture<Void> done) {
        if (dirty.isEmpty() && recovering.isEmpty()) {
            dispatcher.offerBarrier(done);
        } else {
            heldBarriers.add(done); // the recovery of dropped events, and its RECOVERED, come first
        }
    }

    void failHeldBarriers(Throwable error) {
        heldBarriers.forEach(b -> b.completeExceptionally(error));
        heldBarriers.clear();
    }

    /** One-shot watches that produced their event; the caller ends them. */
    List<WatchImpl> takeFinishedOneShots() {
        if (endAfterEvent.isEmpty()) {
            return List.of();
        }
        List<WatchImpl> done = new ArrayList<>(endAfterEvent);
        endAfterEvent.clear();
        return done;
    }

    /** The watch ended: no recovery marker is owed to it any more. */
    void forget(WatchImpl w) {
        recovering.remove(w);
    }

    /** Whether {@code w} wants events of this kind at this path at all. */
    boolean wanted(WatchImpl w, EventKind kind, Path path) {
        if (!w.isActive()) {
            return false;
        }
        if ((kind.mask() & ALWAYS_DELIVERED) == 0 && !w.options().events().contains(kind)) {
            return false;
        }
        return !isIgnored(path);
    }

    boolean isIgnored(Path path) {
        for (Path ig : ignored) {
            if (path.startsWith(ig)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Tells the listener about everything below {@code sub}, which it has never seen (the directory came
     * from an ignored path): the catch-up used after an overflow, starting from "nothing was delivered".
     */
    void announce(Placement sub) {
        sub.delivered = new HashMap<>();
        dirty.add(sub);
        if (dispatcher.hasRoomForRecovery()) {
            recoverDropped();
        } else {
            dispatcher.whenRoomForRecovery(wakeup);
        }
    }

    private FileEvent event(WatchImpl w, EventKind kind, Path path, boolean isDir, int cookie, Path movedFrom,
                            boolean synthetic) {
        return new FileEvent(kind, path, isDir, cookie, movedFrom, w, nextSequence++, synthetic);
    }

    /**
     * Reports an event about {@code name}, a child of {@code p}. Must be called before {@code p.children}
     * is changed to reflect it: when the queue is full, the children as they are now are what the listener
     * last learned, and recovery will report the difference instead of the dropped events.
     */
    boolean report(Placement p, EventKind kind, String name, Path path, boolean isDir, int cookie,
                        Path movedFrom, boolean synthetic) {
        WatchImpl w = p.watch;
        if (!wanted(w, kind, path)) {
            return false;
        }
        if (p.delivered == null && (!dispatcher.hasRoom() || catchingUpAbove(p))) {
            // Below a directory that is catching up, the listener may not even know this one: its events
            // wait for the catch-up too, which reports the parent's entries before the children's.
            holdBack(p);
        }
        if (p.delivered != null) {
            Entry e = p.children.get(name);
            if (e != null && (kind == EventKind.MODIFY || kind == EventKind.CLOSE_WRITE)) {
                e.flags |= Entry.PENDING_MODIFY;
            } else if (e != null && kind == EventKind.ATTRIB) {
                e.flags |= Entry.PENDING_ATTRIB;
            }
            return true;
        }
        deliver(w, event(w, kind, path, isDir, cookie, movedFrom, synthetic));
        return false;
    }

    /**
     * From now on, {@code p}'s events are not delivered but caught up later: the children as they are now
     * are what the listener last learned. Called before {@code p.children} changes.
     */
    void holdBack(Placement p) {
        if (p.delivered != null) {
            return;
        }
        p.delivered = new HashMap<>(p.children);
        dirty.add(p);
        overflowNotice(p.watch);
        dispatcher.whenRoomForRecovery(wakeup);
    }

    /** Whether an ancestor of {@code p} in its watch holds its events back. */
    private boolean catchingUpAbove(Placement p) {
        if (dirty.isEmpty()) {
            return false;
        }
        for (Placement q = p.parent; q != null; q = q.parent) {
            if (q.delivered != null) {
                return true;
            }
        }
        return false;
    }

    /** Reports an event about a watch's root itself. */
    void reportRoot(WatchImpl w, EventKind kind) {
        if (!wanted(w, kind, w.path())) {
            return;
        }
        if (kind == EventKind.IGNORED) {
            dispatcher.offerForced(event(w, kind, w.path(), w.root.directory, 0, null, false));
        } else if (dispatcher.hasRoom()) {
            deliver(w, event(w, kind, w.path(), w.root.directory, 0, null, false));
        } else {
            overflowNotice(w);
        }
    }

    void deliver(WatchImpl w, FileEvent event) {
        if (!dispatcher.offer(event)) {
            overflowNotice(w);
        }
        if (w.options().oneShot() && !w.oneShotFired) {
            w.oneShotFired = true;
            endAfterEvent.add(w);
        }
    }

    /**
     * Events of {@code w} were lost: queue an OVERFLOW notice, unless {@code w} is recovering already, so
     * that every OVERFLOW is followed by exactly one RECOVERED.
     */
    void overflowNotice(WatchImpl w) {
        if (!w.isActive() || !recovering.add(w)) {
            return;
        }
        dispatcher.offerForced(event(w, EventKind.OVERFLOW, w.path(), w.root.directory, 0, null, false));
    }

    /**
     * Our own queue was full: for each directory whose events were dropped, report the difference between
     * what the listener last learned ({@link Placement#delivered}) and what the engine knows now. Stops
     * when the queue fills again; the rest waits for the next chance.
     */
    private void recoverDropped() {
        while (!dirty.isEmpty()) {
            Placement p = dirty.iterator().next(); // catchUp may add subdirectories: no live iterator
            if (!p.detached && p.delivered != null && !catchUp(p)) {
                dispatcher.whenRoomForRecovery(wakeup);
                return;
            }
            p.delivered = null;
            dirty.remove(p);
        }
    }

    /** Reports one directory's difference; {@code false} if the queue filled up first. */
    private boolean catchUp(Placement p) {
        WatchImpl w = p.watch;
        Map<String, Entry> seen = p.delivered;
        for (Map.Entry<String, Entry> old : List.copyOf(seen.entrySet())) {
            if (p.children.get(old.getKey()) != old.getValue()) {
                if (!recoveryEvent(w, EventKind.DELETE, ExactNames.child(p.path, old.getKey()), old.getValue().isDirectory())) {
                    return false;
                }
                seen.remove(old.getKey());
            }
        }
        for (Map.Entry<String, Entry> now : p.children.entrySet()) {
            Entry e = now.getValue();
            Path path = ExactNames.child(p.path, now.getKey());
            if (seen.get(now.getKey()) != e) {
                if (!recoveryEvent(w, EventKind.CREATE, path, e.isDirectory())) {
                    return false;
                }
                seen.put(now.getKey(), e);
                e.flags &= ~(Entry.PENDING_MODIFY | Entry.PENDING_ATTRIB);
                if (e.sub != null && !e.sub.detached) {
                    // The listener has never seen this directory's contents: all of it is new to it.
                    e.sub.delivered = new HashMap<>();
                    dirty.add(e.sub);
                }
                continue;
            }
            if ((e.flags & Entry.PENDING_MODIFY) != 0) {
                if (!recoveryEvent(w, EventKind.MODIFY, path, e.isDirectory())) {
                    return false;
                }
                e.flags &= ~Entry.PENDING_MODIFY;
            }
            if ((e.flags & Entry.PENDING_ATTRIB) != 0) {
                if (!recoveryEvent(w, EventKind.ATTRIB, path, e.isDirectory())) {
                    return false;
                }
                e.flags &= ~Entry.PENDING_ATTRIB;
            }
        }
        return true;
    }

    private boolean recoveryEvent(WatchImpl w, EventKind kind, Path path, boolean isDir) {
        if (!wanted(w, kind, path)) {
            return true;
        }
        return dispatcher.offer(event(w, kind, path, isDir, 0, null, true));
    }

    /** After the OS events of one read: recover what the queue dropped, and close finished recoveries. */
    void finishRecovery(java.util.function.Predicate<WatchImpl> stillRescanning) {
        if (!dirty.isEmpty() && dispatcher.hasRoomForRecovery()) {
            recoverDropped();
        }
        if (recovering.isEmpty() && heldBarriers.isEmpty()) {
            return;
        }
        Set<WatchImpl> stillDirty = new java.util.HashSet<>();
        for (Placement p : dirty) {
            stillDirty.add(p.watch);
        }
        for (WatchImpl w : recovering) {
            if (stillRescanning.test(w)) {
                stillDirty.add(w);
            }
        }
        for (Iterator<WatchImpl> it = recovering.iterator(); it.hasNext(); ) {
            WatchImpl w = it.next();
            if (!stillDirty.contains(w)) {
                it.remove();
                if (w.isActive()) {
                    dispatcher.offerForced(event(w, EventKind.RECOVERED, w.path(), w.root.directory, 0, null, true));
                }
            }
        }
        if (dirty.isEmpty() && recovering.isEmpty() && !heldBarriers.isEmpty()) {
            heldBarriers.forEach(dispatcher::offerBarrier);
            heldBarriers.clear();
        }
    }
}
