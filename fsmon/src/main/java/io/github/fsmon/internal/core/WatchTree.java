package io.github.fsmon.internal.core;

import io.github.fsmon.ErrorHandler;
import io.github.fsmon.EventKind;
import io.github.fsmon.FileEventListener;
import io.github.fsmon.Watch;
import io.github.fsmon.WatchLimitException;
import io.github.fsmon.WatchOptions;
import io.github.fsmon.internal.spi.ExactNames;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * The trees of watched directories, one per user watch, and the translation of OS events against them.
 * It keeps, per watch, a tree of {@link Placement}s with the children of every watched directory, which
 * is what lets it
 * <ul>
 * <li>say whether a deleted or moved entry was a directory,</li>
 * <li>arm a new subdirectory, then scan it, reporting each entry exactly once (live or synthetic),</li>
 * <li>pair renames by cookie and keep the watches of a moved directory valid under its new path,</li>
 * <li>route every OS event to the right watch, even when the OS reuses watch ids.</li>
 * </ul>
 * I/O thread only.
 */
final class WatchTree {
    private final Engine engine;
    private final OsWatcher os;
    private final Output out;
    private final ErrorHandler errors;
    private final LongSupplier clock;
    private final long movePairingNanos;
    private final Rescan rescanner;

    private final Map<Integer, DirWatch> byId = new HashMap<>();
    private final Set<WatchImpl> watches = new LinkedHashSet<>();
    private final Map<Integer, PendingMove> pendingMoves = new LinkedHashMap<>();

    WatchTree(Engine engine, OsWatcher os, Output out, ErrorHandler errors, LongSupplier clock, long movePairingNanos) {
        this.engine = engine;
        this.os = os;
        this.out = out;
        this.errors = errors;
        this.clock = clock;
        this.movePairingNanos = movePairingNanos;
        this.rescanner = new Rescan(this, out);
    }

    /** How long the I/O thread may sleep before a pending rename times out; -1 for no limit. */
    long nextTimeout() {
        if (pendingMoves.isEmpty()) {
            return -1;
        }
        long first = pendingMoves.values().iterator().next().deadline;
        return Math.max(0, first - clock.getAsLong());
    }

    /** The monitor is closing: every watch ends silently. */
    void shutdown() {
        for (WatchImpl w : watches) {
            w.markEnded();
        }
        watches.clear();
        byId.clear();
        pendingMoves.clear();
        unarmed.clear();
        rescanLater.clear();
        denied.clear();
    }

    private static int osMask(WatchOptions options, boolean directory) {
        int mask = 0;
        for (EventKind k : options.events()) {
            mask |= k.mask();
        }
        mask &= Masks.ALL_EVENTS;
        return mask | (directory ? Masks.STRUCTURE : Masks.DELETE_SELF | Masks.MOVE_SELF);
    }

    /** Starts a watch; completes {@code result} once the whole tree is armed, or with the typed failure. */
    void addWatch(Path path, WatchOptions options, FileEventListener listener, CompletableFuture<Watch> result) {
        Path root = path.toAbsolutePath().normalize();
        WatchImpl w = new WatchImpl(engine, root, options, listener);
        BasicFileAttributes attrs;
        int id;
        try {
            // Arm first, then look: anything that happens after the OS watch exists is reported.
            id = os.addWatch(root, osMask(options, true),
                    (options.onlyDir() ? Masks.ONLYDIR : 0) | (options.recursive() ? Masks.SUBTREE : 0)
                            | Masks.hints(options));
            try {
                attrs = Files.readAttributes(root, BasicFileAttributes.class);
            } catch (IOException e) {
                releaseIfUnused(id);
                throw e;
            }
        } catch (IOException e) {
            result.completeExceptionally(e);
            return;
        }
        DirWatch dw = attach(id);
        Placement rootPlacement = new Placement(w, dw, attrs.isDirectory(), null, null, root);
        dw.placements.add(rootPlacement);
        w.root = rootPlacement;
        watches.add(w);
        if (rootPlacement.directory) {
            try {
                populate(rootPlacement, false, true);
            } catch (WatchLimitException e) {
                endWatch(w, false);
                result.completeExceptionally(withNeeded(e, root, options));
                return;
            }
        }
        drain(w);
        int self = os.pendingFor(id, "");
        if ((self & (Masks.MOVED_FROM | Masks.DELETE)) != 0) {
            // The directory armed was moved or deleted while the watch was set up: what is at the path
            // now (perhaps a new directory of the same name) is not what is watched. Say so.
            endWatch(w, false);
            result.completeExceptionally((self & Masks.MOVED_FROM) == 0
                    ? new NoSuchFileException(root.toString(), null, "deleted while the watch was being set up")
                    : new java.nio.file.FileSystemException(root.toString(), null,
                            "moved away while the watch was being set up; watch it again"));
            return;
        }
        w.markStarted();
        result.complete(w);
    }

    /** Counts the directories a recursive watch of {@code root} needs, for the limit message. */
    private static WatchLimitException withNeeded(WatchLimitException e, Path root, WatchOptions options) {
        long[] count = {0};
        try {
            Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
                @Override
                public java.nio.file.FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) {
                    if (options.isExcluded(root, dir)) {
                        return java.nio.file.FileVisitResult.SKIP_SUBTREE;
                    }
                    count[0]++;
                    return java.nio.file.FileVisitResult.CONTINUE;
                }

                @Override
                public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return java.nio.file.FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ignored) {
            return e;
        }
        WatchLimitException withCount = new WatchLimitException(e.getFile(), e.limitName(), e.limit(), count[0]);
        withCount.initCause(e);
        return withCount;
    }

    /**
     * After a kernel overflow, the IN_IGNORED of watches we removed may have been lost with the rest:
     * forget those, so a later reuse of their ids starts clean.
     */
    void forgetUnusedWatches() {
        byId.values().removeIf(dw -> dw.placements.isEmpty());
    }

    private DirWatch attach(int id) {
        return byId.computeIfAbsent(id, DirWatch::new);
    }

    /** Removes an OS watch nobody uses (for example one armed for a path that then proved useless). */
    private void releaseIfUnused(int id) {
        DirWatch dw = attach(id);
        if (dw.placements.isEmpty()) {
            os.removeWatch(id);
            dw.expectedIgnored++;
        }
    }

    /** One entry of a directory listing. */
    record Listed(String name, Path path, BasicFileAttributes attrs) {
    }

    /**
     * Lists the directory of {@code dir} as the engine's own read (the backend drops the read events it
     * causes), then drains the OS queue so that {@link #chainMoved} and {@link #pendingFor} see every
     * event that happened up to the end of the listing. Entries that vanish between the listing and
     * their stat are left out; an entry that cannot be looked at is reported to the error handler.
     *
     * @return the entries, or {@code null} when the directory is gone or is no longer a directory
     */
    List<Listed> list(Placement dir) {
        WatchImpl w = dir.watch;
        List<Listed> found = new ArrayList<>();
        try {
            List<Placement> places = dir.dirWatch.placements;
            int n = 0;
            for (Placement q : places) {
                if (q.parent != null) {
                    n++;
                }
            }
            int[] parents = new int[n];
            String[] names = new String[n];
            int i = 0;
            for (Placement q : places) {
                if (q.parent != null) {
                    parents[i] = q.parent.dirWatch.id;
                    names[i++] = q.name;
                }
            }
            os.listingStarts(dir.dirWatch.id, parents, names);
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir.path)) {
                for (Path child : entries) {
                    String name = ExactNames.key(child);
                    try {
                        found.add(new Listed(name, child,
                                Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)));
                    } catch (NoSuchFileException gone) {
                        // deleted since listed: its DELETE is queued, and finds nothing to remove
                    } catch (IOException e) {
                        // cannot be looked at (a path past PATH_MAX, an I/O error): say so, go on with the rest
                        errors.onError(w, e);
                    }
                }
            } finally {
                os.listingEnds();
            }
            os.drain();
            return found;
        } catch (NoSuchFileException | NotDirectoryException gone) {
            return null; // removed or replaced while we looked: the queued events say so
        } catch (IOException | java.nio.file.DirectoryIteratorException e) {
            errors.onError(w, e instanceof java.nio.file.DirectoryIteratorException d ? d.getCause() : e);
            return null;
        }
    }

    /**
     * Whether an event still waiting in the backend's buffer renames, deletes or replaces {@code p} or one
     * of its ancestors in the watch: then {@code p.path}, which the engine resolved from what it has
     * processed so far, may have named another directory when it was armed or listed.
     */
    boolean chainMoved(Placement p) {
        if (!os.hasBuffered()) {
            return false;
        }
        for (Placement q = p; q.parent != null; q = q.parent) {
            if ((pendingFor(q.parent, q.name) & (Masks.MOVED_FROM | Masks.DELETE | Masks.MOVED_TO)) != 0) {
                return true;
            }
        }
        return false;
    }

    /** The structural bits of the events about {@code name} in {@code dir} still waiting in the backend's buffer. */
    int pendingFor(Placement dir, String name) {
        return os.hasBuffered() ? os.pendingFor(dir.dirWatch.id, name) : 0;
    }

    /**
     * Lists {@code start}'s directory and, for a recursive watch, arms and lists every subdirectory
     * below it, depth first without recursion. Each directory is armed before it is listed, so an entry
     * created meanwhile is either in the listing or reported live. A listed name that a queued event
     * creates or moves in is left to that event, so no entry is reported twice; a directory whose path
     * a queued event changes is armed again once that event is processed ({@link #retryUnarmed}).
     *
     * @param synthetic report every entry found as a synthetic CREATE (the directory is new to the watch)
     * @param initial   the watch is being set up: the watch limit fails the whole watch
     */
    private void populate(Placement start, boolean synthetic, boolean initial) throws WatchLimitException {
        WatchImpl w = start.watch;
        WatchOptions options = w.options();
        Deque<Placement> todo = new ArrayDeque<>();
        todo.push(start);
        while (!todo.isEmpty()) {
            Placement dir = todo.pop();
            if (dir.detached) {
                continue;
            }
            List<Listed> listing = list(dir);
            if (listing == null || chainMoved(dir)) {
                // Gone from the path it was armed at (deleted: its DELETE is queued, and forgets it; or
                // moved with a directory above it), or armed and listed at a path that has since changed,
                // so that what was armed may be another directory. Give it back: the entry is armed
                // again where the queued events put it.
                unarm(dir);
                continue;
            }
            for (Listed l : listing) {
                String name = l.name();
                Path child = l.path();
                if (dir.children.containsKey(name) || isPrivate(child) || options.isExcluded(w.path(), child)) {
                    continue;
                }
                if ((pendingFor(dir, name) & (Masks.CREATE | Masks.MOVED_TO)) != 0) {
                    continue; // a queued event brings it in: that event reports it
                }
                Entry e = new Entry(l.attrs());
                if (synthetic) {
                    out.report(dir, EventKind.CREATE, name, child, e.isDirectory(), 0, null, true);
                }
                dir.children.put(name, e);
                if (shouldDescend(options, e, child)) {
                    Placement sub = arm(dir, name, child, e, initial);
                    if (sub != null) {
                        todo.push(sub);
                    }
                }
            }
            os.knownEntries(dir.dirWatch.id, known(dir.dirWatch));
        }
    }

    /** A placement of {@code dw} in {@code w}'s tree, or {@code null}. */
    private static Placement placementIn(DirWatch dw, WatchImpl w) {
        for (Placement q : dw.placements) {
            if (q.watch == w && !q.detached && q.parent != null) {
                return q;
            }
        }
        return null;
    }

    /** Reads ahead in the OS queue ({@link OsWatcher#drain}); a failure is {@code w}'s error. */
    private void drain(WatchImpl w) {
        try {
            os.drain();
        } catch (IOException e) {
            errors.onError(w, e);
        }
    }

    /** Whether {@code p} or an ancestor was renamed away and the rename's other half is still awaited. */
    static boolean inLimbo(Placement p) {
        for (Placement q = p; q != null; q = q.parent) {
            if (q.limbo != null) {
                return true;
            }
        }
        return false;
    }

    /** Gives back a placement armed at a path that moved; its entry waits in {@link #unarmed}. */
    private void unarm(Placement p) {
        if (p.parent == null) {
            return;
        }
        Entry e = p.parent.children.get(p.name);
        detach(p);
        if (e != null && e.sub == null) {
            unarmed.put(e, new Unarmed(p.parent, p.name));
        }
    }

    /** Where an entry that is a directory but has no watch yet was last known to be. */
    private record Unarmed(Placement parent, String name) {
        /** Whether {@code e} is still there and not armed meanwhile. */
        boolean holds(Entry e) {
            return !parent.detached && parent.children.get(name) == e && e.sub == null;
        }
    }

    /** Tries again to arm {@code e} where {@code u} says it is, and reports what it holds. */
    private void armAgain(Entry e, Unarmed u) {
        newDirectory(u.parent(), u.name(), ExactNames.child(u.parent().path, u.name()), e);
    }

    /**
     * Directories the engine knows but could not arm, because the path they were reported at had
     * changed when it tried (for example a directory created just before its parent was renamed). They
     * are armed at their current path once the events queued meanwhile have been processed.
     */
    private final Map<Entry, Unarmed> unarmed = new java.util.IdentityHashMap<>();
    private final Map<Entry, Integer> unarmedAttempts = new java.util.IdentityHashMap<>();
    /** Set by {@link #arm} when it left a directory unarmed to wait for queued events (not a failure). */
    private boolean waitedForEvents;
    /** Directories that could not be armed for want of permission, with where they were. */
    private final Map<Entry, Unarmed> denied = new java.util.IdentityHashMap<>();

    /**
     * The permissions of {@code changed} (a directory of the watch, or an entry in it) may have changed:
     * the directories that could not be armed in it, or it itself, are tried again.
     */
    private void retryDenied(Placement changed, Entry entry) {
        if (denied.isEmpty()) {
            return;
        }
        for (Map.Entry<Entry, Unarmed> d : List.copyOf(denied.entrySet())) {
            Unarmed u = d.getValue();
            Entry e = d.getKey();
            if (!u.holds(e)) {
                denied.remove(e);
            } else if (e == entry || u.parent() == changed) {
                armAgain(e, u);
            }
        }
    }

    /** Makes sure the OS reports permission changes in {@code dir} (and of it), whatever the watch asked for. */
    private void watchAttrib(Placement dir) {
        try {
            int id = os.addWatch(dir.path, Masks.ATTRIB, Masks.ONLYDIR | Masks.DONT_FOLLOW);
            if (id != dir.dirWatch.id) {
                releaseIfUnused(id); // the path names another directory now: its events will tell
            }
        } catch (IOException e) {
            // gone or unreadable meanwhile: its own events say so
        }
    }

    /** Placements whose rescan waits until the events that move them have been processed. */
    private final Set<Placement> rescanLater = new LinkedHashSet<>();

    /** Whether {@code w} still has directories to rescan after an overflow. */
    boolean rescanPending(WatchImpl w) {
        for (Placement p : rescanLater) {
            if (p.watch == w) {
                return true;
            }
        }
        return false;
    }

    void rescanLater(Placement p) {
        rescanLater.add(p);
    }

    /**
     * After every buffered event has been processed: arms the directories that could not be armed at
     * the path they had when their events were read, and rescans the directories whose rescan had to
     * wait for the same reason.
     */
    void retryUnarmed() {
        if (!os.hasBuffered()) {
            retryUnarmedNow();
        }
    }

    /**
     * The same at a delivery barrier: every event before it has been processed, so what waits here is
     * armed (and its entries reported) before the barrier completes; events after it may be buffered.
     */
    void retryUnarmedNow() {
        if (unarmed.isEmpty() && rescanLater.isEmpty()) {
            return;
        }
        if (!rescanLater.isEmpty()) {
            List<Placement> again = new ArrayList<>(rescanLater);
            rescanLater.clear();
            for (Placement p : again) {
                if (inLimbo(p)) {
                    rescanLater.add(p); // its rename is not resolved yet: its path is not known
                } else if (!p.detached && p.watch.isActive()) {
                    rescanner.rescanFrom(p);
                }
            }
        }
        List<Map.Entry<Entry, Unarmed>> todo = new ArrayList<>(unarmed.entrySet());
        unarmed.clear();
        for (Map.Entry<Entry, Unarmed> u : todo) {
            Entry e = u.getKey();
            Placement parent = u.getValue().parent();
            String name = u.getValue().name();
            if (!parent.watch.isActive() || !u.getValue().holds(e) || !e.isDirectory()) {
                unarmedAttempts.remove(e);
                continue; // deleted, moved out, or armed meanwhile
            }
            if (inLimbo(parent) || !os.readsAhead()) {
                // Renamed away, the other half awaited: its path is not known yet. Without a look at the
                // OS queue, "not there" may mean "its move is not reported yet": the rename that moves
                // it, or a directory above it, arms it where it went (reparent).
                unarmed.put(e, u.getValue());
                continue;
            }
            waitedForEvents = false;
            armAgain(e, u.getValue());
            if (unarmed.containsKey(e) && !waitedForEvents && !chainMoved(parent) && pendingFor(parent, name) == 0) {
                // Still not there, and no queued event says where it went: look at the parent again.
                int attempts = unarmedAttempts.merge(e, 1, Integer::sum);
                if (attempts >= 3) {
                    unarmed.remove(e);
                    unarmedAttempts.remove(e);
                    errors.onError(parent.watch, new java.nio.file.FileSystemException(
                            ExactNames.child(parent.path, name).toString(), null,
                            "directory not watched: it is no longer at this path, and no event said where it went"));
                } else {
                    unarmed.remove(e);
                    rescanner.rescanFrom(parent);
                }
            } else if (!unarmed.containsKey(e)) {
                unarmedAttempts.remove(e);
            }
        }
    }

    /** The backend cannot read what OS watch {@code id} watches now: each user watch on it is told. */
    // I/O thread only.
    void onError(int id, IOException error) {
        DirWatch dw = byId.get(id);
        if (dw == null || dw.placements.isEmpty()) {
            errors.onError(null, error);
            return;
        }
        dw.placements.stream().map(p -> p.watch).distinct().forEach(w -> errors.onError(w, error));
    }

    /** What every placement of {@code dw} remembers of its directory: name and whether it is a directory. */
    private static java.util.Map<String, Boolean> known(DirWatch dw) {
        java.util.Map<String, Boolean> names = new java.util.HashMap<>();
        for (Placement p : dw.placements) {
            if (p.children != null) {
                p.children.forEach((name, entry) -> names.put(name, entry.isDirectory()));
            }
        }
        return names;
    }

    static boolean shouldDescend(WatchOptions options, Entry e, Path path) {
        return options.recursive() && (e.isDirectory()
                || (e.type == Entry.SYMLINK && options.followSymlinks() && Files.isDirectory(path)));
    }

    /**
     * Arms an OS watch on a subdirectory and places it in {@code parent}'s watch tree; null if it cannot be
     * watched. A directory that is not (or no longer) at {@code path} waits in {@link #unarmed}: whether it
     * is gone is decided by the events queued about it, or by looking again, never by the error alone.
     */
    private Placement arm(Placement parent, String name, Path path, Entry e, boolean initial)
            throws WatchLimitException {
        WatchImpl w = parent.watch;
        int flags = Masks.ONLYDIR | (w.options().followSymlinks() ? 0 : Masks.DONT_FOLLOW)
                | Masks.hints(w.options());
        int id;
        try {
            id = addWatchIfThere(path, osMask(w.options(), true), flags);
        } catch (NoSuchFileException | NotDirectoryException gone) {
            unarmed.put(e, new Unarmed(parent, name));
            drain(w); // so that the retry can tell whether a queued event explains it
            return null;
        } catch (WatchLimitException limit) {
            if (initial) {
                throw limit;
            }
            errors.onError(w, limit);
            return null;
        } catch (java.nio.file.AccessDeniedException denied) {
            // Said once; armed when its permissions change (an ATTRIB of the directory or of its parent).
            if (this.denied.put(e, new Unarmed(parent, name)) == null) {
                errors.onError(w, denied);
                watchAttrib(parent);
            }
            return null;
        } catch (IOException ex) {
            errors.onError(w, ex);
            return null;
        }
        this.denied.remove(e);
        DirWatch dw = attach(id);
        if (parent.hasAncestorOrSelf(dw)) {
            errors.onError(w, new FileSystemLoopException(path.toString()));
            return null;
        }
        Placement other = w.options().followSymlinks() ? null : placementIn(dw, w);
        if (other != null) {
            // A directory is at one place only, and this watch already has this one at another path: one
            // of the two paths is behind. If queued events move the other one, wait for them; if none
            // does, the other placement was armed on a directory that had moved on: it is armed again.
            drain(w);
            if (inLimbo(other) || chainMoved(other)) {
                unarmed.put(e, new Unarmed(parent, name));
                waitedForEvents = true;
                return null;
            }
        }
        unarmed.remove(e);
        Placement p = new Placement(w, dw, true, parent, name, path);
        dw.placements.add(p);
        e.sub = p;
        if (other != null) {
            unarm(other);
        }
        return p;
    }

    /**
     * Arms a directory found in a listing or an event. Whether it went away meanwhile is decided by looking,
     * not assumed from the OS's answer: when the OS says "no such directory" and a directory is there, it
     * is tried once more (it may have been made again), then reported as a failure, so a directory that
     * cannot be watched is never skipped in silence.
     *
     * @throws NoSuchFileException or {@link NotDirectoryException} only when no directory is there now
     */
    private int addWatchIfThere(Path path, int mask, int flags) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return os.addWatch(path, mask, flags);
            } catch (NoSuchFileException | NotDirectoryException e) {
                boolean follow = (flags & Masks.DONT_FOLLOW) == 0;
                if (!(follow ? Files.isDirectory(path) : Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS))) {
                    throw e; // gone or replaced: its parent reports that
                }
                if (attempt == 2) {
                    java.nio.file.FileSystemException failure = new java.nio.file.FileSystemException(path.toString(),
                            null, "is a directory, but the OS would not watch it (" + e.getClass().getSimpleName() + ")");
                    failure.initCause(e);
                    throw failure;
                }
            }
        }
    }

    /** Detaches a placement and everything below it; OS watches nobody else uses are removed. */
    void detach(Placement top) {
        Deque<Placement> todo = new ArrayDeque<>();
        todo.push(top);
        while (!todo.isEmpty()) {
            Placement p = todo.pop();
            if (p.detached) {
                continue;
            }
            p.detached = true;
            if (p.children != null) {
                for (Entry e : p.children.values()) {
                    if (e.sub != null) {
                        todo.push(e.sub);
                    }
                }
            }
            DirWatch dw = p.dirWatch;
            dw.placements.remove(p);
            if (dw.placements.isEmpty() && byId.get(dw.id) == dw) {
                os.removeWatch(dw.id);
                dw.expectedIgnored++;
            }
        }
        if (top.parent != null) {
            Entry e = top.parent.children.get(top.name);
            if (e != null && e.sub == top) {
                e.sub = null;
            }
        }
    }

    /** Ends a watch: its OS watches go, and (unless the monitor is closing) its last event is IGNORED. */
    void endWatch(WatchImpl w, boolean emitIgnored) {
        if (!watches.remove(w)) {
            return;
        }
        if (emitIgnored) {
            out.reportRoot(w, EventKind.IGNORED);
        }
        out.forget(w);
        w.markEnded();
        detach(w.root);
    }

    void updateWatch(WatchImpl w, WatchOptions options, CompletableFuture<Watch> result) {
        if (!watches.contains(w)) {
            result.completeExceptionally(new IllegalStateException(w + " has ended"));
            return;
        }
        Deque<Placement> todo = new ArrayDeque<>();
        todo.push(w.root);
        while (!todo.isEmpty()) {
            Placement p = todo.pop();
            try {
                int id = os.addWatch(p.path, osMask(options, p.directory),
                        (p.directory ? Masks.ONLYDIR | Masks.DONT_FOLLOW : 0)
                                | Masks.hints(options));
                if (id != p.dirWatch.id) {
                    releaseIfUnused(id); // the path now names another inode; the old one is still watched
                }
            } catch (IOException e) {
                // gone or replaced meanwhile: the OS events already queued tell the watch about it
            }
            if (p.children != null) {
                for (Entry e : p.children.values()) {
                    if (e.sub != null) {
                        todo.push(e.sub);
                    }
                }
            }
        }
        w.setOptions(options);
        result.complete(w);
    }

    /** The topmost polled directories of {@code w}: polled ones whose parent in the watch is not. */
    java.util.Set<Path> polledDirectories(WatchImpl w) {
        java.util.Set<Path> out = new java.util.TreeSet<>();
        if (w.root == null || !w.isActive()) {
            return out;
        }
        java.util.ArrayDeque<Placement> todo = new java.util.ArrayDeque<>();
        todo.add(w.root);
        while (!todo.isEmpty()) {
            Placement p = todo.poll();
            if (os.isPolled(p.dirWatch.id) && (p.parent == null || !os.isPolled(p.parent.dirWatch.id))) {
                out.add(p.path);
            }
            if (p.children != null) {
                for (Entry e : p.children.values()) {
                    if (e.sub != null && !e.sub.detached) {
                        todo.add(e.sub);
                    }
                }
            }
        }
        return out;
    }

    /** One OS event (see {@link RawEventSink#onEvent}). */
    void onEvent(int id, int mask, int cookie, String name, boolean lossy) {
        if ((mask & Masks.Q_OVERFLOW) != 0) {
            for (WatchImpl w : List.copyOf(watches)) {
                out.overflowNotice(w);
            }
            for (WatchImpl w : List.copyOf(watches)) {
                rescanner.rescan(w);
            }
            forgetUnusedWatches();
            finishOneShots();
            return;
        }
        DirWatch dw = byId.get(id);
        if (dw == null) {
            return;
        }
        if ((mask & Masks.IGNORED) != 0) {
            onIgnored(dw);
            return;
        }
        for (Placement p : dw.placements.toArray(new Placement[0])) {
            if (p.detached) {
                continue;
            }
            if (p.limbo != null) {
                p.limbo.deferred.add(new PendingMove.Deferred(p, mask, cookie, name, lossy));
                continue;
            }
            onPlacementEvent(p, mask, cookie, name, lossy);
        }
        afterEvent(mask, cookie);
    }

    /** Once every placement has seen an OS event: complete a rename, end one-shot watches. */
    private void afterEvent(int mask, int cookie) {
        if ((mask & Masks.MOVED_TO) != 0) {
            resolveIfComplete(cookie);
        }
        finishOneShots();
    }

    private void onIgnored(DirWatch dw) {
        if (dw.expectedIgnored > 0) {
            dw.expectedIgnored--;
            if (dw.expectedIgnored == 0 && dw.placements.isEmpty()) {
                byId.remove(dw.id, dw);
            }
            return;
        }
        // The OS dropped the watch by itself: its inode was deleted, or its file system unmounted.
        byId.remove(dw.id, dw);
        for (Placement p : dw.placements.toArray(new Placement[0])) {
            if (p.isRoot()) {
                endWatch(p.watch, true);
            } else {
                detach(p); // its parent already reported the DELETE
            }
        }
        dw.placements.clear();
    }

    private void onPlacementEvent(Placement p, int mask, int cookie, String name, boolean lossy) {
        if (name.isEmpty()) {
            onSelfEvent(p, mask);
        } else if (p.children != null) {
            onChildEvent(p, mask, cookie, name, lossy);
        }
    }

    /** An event on the watched inode itself. Only a watch's root reports them: a subdirectory's parent already did. */
    private void onSelfEvent(Placement p, int mask) {
        if ((mask & Masks.ATTRIB) != 0 && p.directory) {
            retryDenied(p, null);
        }
        if (!p.isRoot()) {
            return;
        }
        WatchImpl w = p.watch;
        for (EventKind kind : kindsOf(mask)) {
            out.reportRoot(w, kind);
        }
        if ((mask & Masks.MOVE_SELF) != 0) {
            // inotify keeps following the moved inode, but every path we would report is now wrong.
            endWatch(w, true);
        }
    }

    private static List<EventKind> kindsOf(int mask) {
        List<EventKind> kinds = new ArrayList<>(1);
        for (EventKind k : EventKind.values()) {
            if ((mask & k.mask() & (Masks.ALL_EVENTS | Masks.UNMOUNT)) != 0) {
                kinds.add(k);
            }
        }
        return kinds;
    }

    private void onChildEvent(Placement p, int mask, int cookie, String name, boolean lossy) {
        WatchImpl w = p.watch;
        Path path = ExactNames.child(p.path, name); // names are exact keys, whatever their bytes
        if (isPrivate(path) || w.options().isExcluded(w.path(), path)) {
            if ((mask & Masks.MOVED_TO) != 0) {
                // Moved to an excluded name: for this watch the entry left the tree.
                movedOut(cookie, w);
            }
            return;
        }
        boolean isDir = (mask & Masks.ISDIR) != 0;
        if ((mask & Masks.CREATE) != 0) {
            if (p.children.containsKey(name)) {
                return; // already reported by the scan of a new directory
            }
            Entry e = new Entry(isDir ? Entry.DIRECTORY : Entry.FILE);
            out.report(p, EventKind.CREATE, name, path, isDir, 0, null, false);
            p.children.put(name, e);
            newDirectory(p, name, path, e);
        } else if ((mask & Masks.DELETE) != 0) {
            Entry e = p.children.get(name);
            if (e == null) {
                return; // created and deleted before the scan saw it: neither half is reported
            }
            out.report(p, EventKind.DELETE, name, path, e.isDirectory(), 0, null, false);
            p.children.remove(name);
            if (e.sub != null) {
                detach(e.sub);
            }
        } else if ((mask & Masks.MOVED_FROM) != 0) {
            Entry e = p.children.get(name);
            if (e == null) {
                return;
            }
            boolean heldBack = out.report(p, EventKind.MOVED_FROM, name, path, e.isDirectory(), cookie, null, false);
            p.children.remove(name);
            PendingMove move = pendingMoves.computeIfAbsent(cookie,
                    c -> new PendingMove(c, clock.getAsLong() + movePairingNanos));
            PendingMove.Source source = new PendingMove.Source(p, name, e, path);
            source.heldBack = heldBack;
            move.sources.add(source);
            if (e.sub != null) {
                setLimbo(e.sub, move);
            }
        } else if ((mask & Masks.MOVED_TO) != 0) {
            onMovedTo(p, cookie, name, path, isDir);
        } else {
            Entry e = p.children.get(name);
            if (e == null && os.readsAhead()) {
                // An entry the listener was never told of: a listing left it to a queued CREATE that comes
                // after this event (it was changed, deleted and made again meanwhile). Its CREATE says it.
                return;
            }
            if ((mask & Masks.UNLESS_DIR) != 0 && e != null && e.isDirectory()) {
                return; // a directory's "modified" because an entry inside it changed (Windows)
            }
            if (e != null) {
                e.touched();
            }
            for (EventKind kind : kindsOf(mask)) {
                out.report(p, kind, name, path, e != null ? e.isDirectory() : isDir, 0, null, false);
            }
            if ((mask & Masks.ATTRIB) != 0 && e != null && e.isDirectory()) {
                retryDenied(e.sub, e);
            }
        }
    }

    private void onMovedTo(Placement p, int cookie, String name, Path path, boolean isDir) {
        WatchImpl w = p.watch;
        PendingMove move = pendingMoves.get(cookie);
        PendingMove.Source source = null;
        Path from = null;
        if (move != null) {
            for (PendingMove.Source s : move.sources) {
                if (!s.consumed && s.parent.watch == w) {
                    source = s;
                    break;
                }
            }
            if (source == null && !move.sources.isEmpty()) {
                from = move.sources.get(0).path; // came from another watch of this monitor
            }
        }
        Entry replaced = p.children.get(name);
        if (replaced != null && (source == null || replaced != source.entry)
                && (replaced.isDirectory() != isDir || (replaced.sub != null && !replaced.sub.children.isEmpty()))) {
            // rename(2) replaces only an empty directory, and a directory only with a directory: the old
            // entry went away before (a backend that compares states saw both at once). Say so first.
            out.report(p, EventKind.DELETE, name, path, replaced.isDirectory(), 0, null, true);
            p.children.remove(name);
        }
        if (replaced != null && replaced.sub != null && (source == null || replaced != source.entry)) {
            detach(replaced.sub); // renamed over an (empty) directory
        }
        if (source != null) {
            source.consumed = true;
            Entry e = source.entry;
            if (isDir && !e.isDirectory() && e.sub == null) {
                // Remembered as a file, but the backend found a directory at the new name: a backend
                // that looks entries up (no ISDIR from the OS) took it for a file when it was already
                // gone from its first name. The event's positive answer wins: watch it and scan it.
                e = new Entry(Entry.DIRECTORY);
            }
            if (source.heldBack) {
                // The listener has not been told that the entry left its first name: tell it with the
                // catch-up, where the old name is deleted and the new one created with all it holds.
                out.holdBack(p);
            }
            // From an ignored path the listener never saw the entry: for it, this is a move in.
            boolean sourceHidden = out.isIgnored(source.path);
            out.report(p, EventKind.MOVED_TO, name, path, e.isDirectory(), cookie, sourceHidden ? null : source.path, false);
            p.children.put(name, e);
            if (e.sub != null) {
                if (w.options().recursive()) {
                    reparent(e.sub, p, name, path);
                    if (sourceHidden) {
                        out.announce(e.sub);
                    }
                } else {
                    detach(e.sub);
                }
            } else {
                // A directory that could not be armed where it was (it had already moved on): arm it here.
                newDirectory(p, name, path, e);
            }
        } else {
            Entry e = new Entry(isDir ? Entry.DIRECTORY : Entry.FILE);
            out.report(p, EventKind.MOVED_TO, name, path, isDir, cookie, from, false);
            p.children.put(name, e);
            newDirectory(p, name, path, e);
        }
    }

    /**
     * After the destination half was seen for every placement of its directory: sources no watch
     * consumed have left their trees; deferred events are replayed where the subtree now lives.
     */
    private void resolveIfComplete(int cookie) {
        PendingMove move = pendingMoves.remove(cookie);
        if (move != null) {
            resolve(move);
        }
    }

    private void resolve(PendingMove move) {
        for (PendingMove.Source s : move.sources) {
            if (!s.consumed && s.entry.sub != null) {
                detach(s.entry.sub);
            }
        }
        for (PendingMove.Deferred d : move.deferred) {
            Placement p = d.placement();
            if (!p.detached && p.limbo == null) {
                onPlacementEvent(p, d.mask(), d.cookie(), d.name(), d.lossy());
                afterEvent(d.mask(), d.cookie());
            } else if (!p.detached && p.limbo != move) {
                p.limbo.deferred.add(d);
            }
        }
    }

    /** A MOVED_TO of {@code w} went to an excluded or ignored name: its source, if any, left the tree. */
    private void movedOut(int cookie, WatchImpl w) {
        PendingMove move = pendingMoves.get(cookie);
        if (move == null) {
            return;
        }
        for (PendingMove.Source s : move.sources) {
            if (!s.consumed && s.parent.watch == w) {
                s.consumed = true;
                clearLimbo(s.entry.sub);
                if (s.entry.sub != null) {
                    detach(s.entry.sub);
                }
            }
        }
    }

    void expirePendingMoves(boolean all) {
        if (pendingMoves.isEmpty()) {
            return;
        }
        long now = clock.getAsLong();
        Iterator<PendingMove> it = pendingMoves.values().iterator();
        List<PendingMove> expired = new ArrayList<>();
        while (it.hasNext()) {
            PendingMove m = it.next();
            if (all || m.deadline - now <= 0) {
                expired.add(m);
                it.remove();
            }
        }
        for (PendingMove m : expired) {
            for (PendingMove.Source s : m.sources) {
                clearLimbo(s.entry.sub);
            }
            resolve(m); // nothing consumed: every subtree moved out, its deferred events are dropped
        }
        finishOneShots();
    }

    private void setLimbo(Placement top, PendingMove move) {
        forEachPlacement(top, p -> p.limbo = move);
    }

    private void clearLimbo(Placement top) {
        if (top != null) {
            forEachPlacement(top, p -> p.limbo = null);
        }
    }

    private void reparent(Placement top, Placement newParent, String newName, Path newPath) {
        top.parent = newParent;
        top.name = newName;
        top.path = newPath;
        Set<Placement> moved = unarmed.isEmpty() ? null : new java.util.HashSet<>();
        forEachPlacement(top, p -> {
            p.limbo = null;
            if (moved != null) {
                moved.add(p);
            }
            if (p != top) {
                p.path = ExactNames.child(p.parent.path, p.name);
            }
        });
        if (moved == null) {
            return;
        }
        // Directories in the moved tree that could not be armed (their path had changed) have a new path.
        for (Map.Entry<Entry, Unarmed> u : List.copyOf(unarmed.entrySet())) {
            if (moved.contains(u.getValue().parent()) && u.getValue().holds(u.getKey()) && u.getKey().isDirectory()) {
                armAgain(u.getKey(), u.getValue());
            }
        }
    }

    private static void forEachPlacement(Placement top, java.util.function.Consumer<Placement> action) {
        Deque<Placement> todo = new ArrayDeque<>();
        todo.push(top);
        while (!todo.isEmpty()) {
            Placement p = todo.pop();
            action.accept(p); // parents before children
            if (p.children != null) {
                for (Entry e : p.children.values()) {
                    if (e.sub != null) {
                        todo.push(e.sub);
                    }
                }
            }
        }
    }

    /** A directory appeared in {@code parent} (created or moved in): arm it, then report what it holds. */
    void newDirectory(Placement parent, String name, Path path, Entry e) {
        WatchOptions options = parent.watch.options();
        if (!options.autoAdd()) {
            return;
        }
        boolean isDir = e.isDirectory();
        if (!isDir && options.followSymlinks() && Files.isSymbolicLink(path) && Files.isDirectory(path)) {
            e.type = Entry.SYMLINK;
            isDir = true;
        }
        if (!isDir) {
            return;
        }
        try {
            Placement sub = arm(parent, name, path, e, false);
            if (sub != null) {
                populate(sub, true, false);
            }
        } catch (WatchLimitException limit) {
            errors.onError(parent.watch, limit);
        }
    }

    /** Whether a backend made {@code path} for itself ({@link io.github.fsmon.internal.spi.PrivatePaths}). */
    boolean isPrivate(Path path) {
        return io.github.fsmon.internal.spi.PrivatePaths.contains(path);
    }

    void finishOneShots() {
        for (WatchImpl w : out.takeFinishedOneShots()) {
            endWatch(w, true);
        }
    }

    /** For tests: how many OS watches are in use. I/O-thread state read racily. */
    int osWatchCount() {
        return byId.size();
    }

}
