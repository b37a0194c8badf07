package io.github.fsmon.internal.poll;

import io.github.fsmon.Backend;
import io.github.fsmon.internal.core.Masks;
import io.github.fsmon.internal.core.OsWatcher;
import io.github.fsmon.internal.core.RawEventSink;
import io.github.fsmon.internal.spi.ExactNames;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * A per-directory backend that needs no OS notification at all: every interval it lists each watched
 * directory, compares what it finds with what it remembered ({@link Stat}: type, size, mtime, ctime, file
 * key) and reports the differences in inotify's terms, so the engine treats it like inotify. An entry that
 * vanished from one watched directory and appeared under another name or in another watched directory
 * as the same inode ({@link Stat}: file key, type and birth time) is a rename: {@code MOVED_FROM} and
 * {@code MOVED_TO} with one cookie.
 *
 * <p>Attributes come from a {@link StatReader}: {@code statx(2)} on Linux with native access, which
 * always has the ctime, else the JDK, which reads the ctime only for watches that ask for {@code ATTRIB}
 * (its typed basic attributes read as fast as a tree walk; the {@code unix:} view is slower). File
 * contents are read only for watches with {@link Masks#CONTENT} ({@code WatchOptions.compareContent}): a CRC-32C
 * per regular file per scan. The clock is injected, so the interval logic is tested without time passing.
 *
 * <p>A barrier scans at once, so {@code sync()} reports every change finished before it, without waiting
 * for the next interval. What polling cannot see: changes undone between two scans, and how many times an
 * entry changed in between (one {@code MODIFY} at most); no {@code ACCESS}, {@code OPEN} or
 * {@code CLOSE_*} events.
 *
 * <p>A watched directory that cannot be read any more (its mode changed under a watch of an ordinary
 * user) is not taken as empty: its last known entries are kept, nothing is reported for them nor for
 * the watches below it, the engine hears of it once ({@link RawEventSink#onError}, an
 * {@link AccessDeniedException} naming the directory), and once it can be read again the next scan
 * reports what really changed meanwhile.
 */
public final class PollingBackend implements OsWatcher {
    private final long intervalNanos;
    private final LongSupplier clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition woken = lock.newCondition();
    private boolean wakeRequested;

    // I/O thread only, from here on.
    private final Map<Integer, Watched> byId = new LinkedHashMap<>();
    private final Map<Object, Integer> idByKey = new HashMap<>();
    private final List<Long> pendingBarriers = new ArrayList<>();
    private final List<Integer> pendingIgnored = new ArrayList<>();
    private int nextId = 1;
    private int nextCookie = 1;
    private long nextScan;

    /**
     * An entry as one scan saw it: type, size, modification, change and birth time in nanoseconds, the
     * file key (device and inode; only compared with keys from the same {@link StatReader}), and the
     * content checksum.
     *
     * <p><b>Which entries are one inode.</b> An inode number alone says little: ext4 gives a freed number to
     * the next new inode at once, so {@code rm a; mkdir b} leaves {@code b} with {@code a}'s number. Two
     * observations are one inode when key, type and birth time agree; the birth time is compared where
     * both observations have one ({@code statx} with {@code STATX_BTIME}, which ext4 and tmpfs give (measured
     * on Linux 6.18); else the JDK's creation time, which JDK 25 reads on the same file systems too). The ctime cannot serve: {@code rename(2)}
     * moves the renamed inode's ctime on ext4 and tmpfs (measured), so it tells a rename from a new
     * inode no better than the number does.
     *
     * <p>Without a birth time, a file is taken as renamed only if it kept its size and modification time
     * (a rename keeps both), and a directory by key and type. What can then still be paired wrongly: a
     * file deleted and another one created between two scans with the freed number, the same size and
     * the same modification time (made in the same clock tick, or with a time set by {@code touch -d},
     * {@code cp -p} or an archive), and a directory removed and another one made with its number; both
     * are reported as renames, and applying the events still gives the names and types on disk.
     */
    public record Stat(boolean dir, long size, long mtimeNanos, long ctimeNanos, long birthNanos, Object key,
                       long content) {
        /** {@link #ctimeNanos} when it was not read: the watch did not ask for {@code ATTRIB}. */
        public static final long NO_CTIME = Long.MIN_VALUE;
        /** {@link #birthNanos} when the file system or the reader keeps none. */
        public static final long NO_BIRTH = Long.MIN_VALUE;
        /** {@link #content} when it was not read: not asked for, not a regular file, or unreadable. */
        public static final long NO_CONTENT = -1;

        /**
         * The birth time from the JDK's creation time. Where the JDK has none it returns the modification
         * time instead, and there is no telling the two apart (a file written in the tick it was made has
         * both equal): then a file is renamed only if it kept its modification time, as without a birth
         * time, and a directory whose modification time changed is reported deleted and created.
         */
        public static long birth(java.nio.file.attribute.FileTime creation) {
            return creation == null ? NO_BIRTH : creation.to(TimeUnit.NANOSECONDS);
        }

        boolean modifiedSince(Stat before) {
            return size != before.size || mtimeNanos != before.mtimeNanos
                    || (content != NO_CONTENT && before.content != NO_CONTENT && content != before.content);
        }

        Stat withContent(long crc) {
            return new Stat(dir, size, mtimeNanos, ctimeNanos, birthNanos, key, crc);
        }

        /** The inode changed (mode, owner, links, extended attributes), as far as both scans read it. */
        boolean changedSince(Stat before) {
            return ctimeNanos != NO_CTIME && before.ctimeNanos != NO_CTIME && ctimeNanos != before.ctimeNanos;
        }

        /** This and {@code other} can be one inode: same key and type, and same birth time where both have one. */
        boolean sameInode(Stat other) {
            return Objects.equals(key, other.key) && dir == other.dir
                    && (birthNanos == NO_BIRTH || other.birthNanos == NO_BIRTH || birthNanos == other.birthNanos);
        }

        /** This arrival is the inode that left as {@code gone}, renamed (see the class comment for the rules). */
        boolean renamedFrom(Stat gone) {
            if (key == null || !sameInode(gone)) {
                return false;
            }
            boolean born = birthNanos != NO_BIRTH && gone.birthNanos != NO_BIRTH;
            return born || dir || !modifiedSince(gone);
        }
    }

    /** What {@link #look} returns for a path that may not be searched: the entry may still be there. */
    private static final Stat DENIED = new Stat(false, 0, 0, Stat.NO_CTIME, Stat.NO_BIRTH, new Object(), Stat.NO_CONTENT);

    private static final class Watched {
        final int id;
        Path path;
        int mask;
        boolean content; // compare file contents too (Masks.CONTENT)
        Stat self;
        Map<String, Stat> children; // null for a watched file
        boolean denied; // could not be looked at or listed in the last scan: children are what it held before

        Watched(int id, Path path, int mask, Stat self, Map<String, Stat> children) {
            this.id = id;
            this.path = path;
            this.mask = mask;
            this.self = self;
            this.children = children;
        }
    }

    private final StatReader reader;
    private boolean unsure; // this scan saw the tree change under it: ask the engine to rescan
    private volatile String selectionReason;

    public PollingBackend(long intervalNanos, LongSupplier clock) {
        this(intervalNanos, clock, new JdkStatReader());
    }

    public PollingBackend(long intervalNanos, LongSupplier clock, StatReader reader) {
        this.reader = Objects.requireNonNull(reader);
        if (intervalNanos <= 0) {
            throw new IllegalArgumentException("interval must be positive");
        }
        this.intervalNanos = intervalNanos;
        this.clock = Objects.requireNonNull(clock);
        this.nextScan = clock.getAsLong() + intervalNanos;
    }

    @Override
    public Backend kind() {
        return Backend.POLL;
    }

    /** Records why polling stands in for the backend that was selected ({@link #selectionReason()}). */
    public PollingBackend standingInBecause(String reason) {
        this.selectionReason = reason;
        return this;
    }

    @Override
    public String selectionReason() {
        return selectionReason;
    }

    @Override
    public int addWatch(Path path, int mask, int flags) throws IOException {
        boolean follow = (flags & Masks.DONT_FOLLOW) == 0;
        boolean content = (flags & Masks.CONTENT) != 0;
        Stat self = withContent(path, stat(path, follow), content);
        if (self == null) {
            throw new NoSuchFileException(path.toString());
        }
        if ((flags & Masks.ONLYDIR) != 0 && !self.dir()) {
            throw new NotDirectoryException(path.toString());
        }
        if (self.dir() && !Files.isReadable(path)) {
            throw new AccessDeniedException(path.toString());
        }
        Watched existing = watchOn(self);
        if (existing != null) {
            Watched w = existing;
            w.mask |= mask & Masks.ALL_EVENTS;
            w.content |= content;
            Stat there = w.path.equals(path) ? self : look(w.path);
            if (there == null || (there != DENIED && !there.sameInode(self))) {
                // The same inode under a new name, before a scan found where it went (a scan that is
                // running now): the watch follows the inode, as inotify's does.
                w.path = path;
            }
            return w.id;
        }
        int id = nextId++;
        Watched w = new Watched(id, path, mask & Masks.ALL_EVENTS, self,
                self.dir() ? list(path, (mask & Masks.ATTRIB) != 0, content) : null);
        w.content = content;
        byId.put(id, w);
        if (self.key() != null) {
            idByKey.put(self.key(), id);
        }
        return id;
    }

    /**
     * Takes the engine's view of a directory as the baseline of the next comparison: an entry the engine
     * does not know is dropped (if it is still there, the next scan reports it as created), and one the
     * engine knows but this backend's own listing missed is looked at now (if it is already gone, the
     * next scan reports it as deleted).
     */
    @Override
    public void knownEntries(int id, Map<String, Boolean> names) {
        Watched w = byId.get(id);
        if (w == null || w.children == null) {
            return;
        }
        w.children.keySet().retainAll(names.keySet());
        for (Map.Entry<String, Boolean> e : names.entrySet()) {
            if (!w.children.containsKey(e.getKey())) {
                Path child = ExactNames.child(w.path, e.getKey());
                Stat now;
                try {
                    now = withContent(child, reader.stat(child, false, (w.mask & Masks.ATTRIB) != 0), w.content);
                } catch (AccessDeniedException denied) {
                    now = null;
                }
                // Gone already: a key that matches nothing, so the next scan reports it deleted.
                w.children.put(e.getKey(), now != null ? now
                        : new Stat(e.getValue(), 0, 0, Stat.NO_CTIME, Stat.NO_BIRTH, new Object(), Stat.NO_CONTENT));
            }
        }
    }

    @Override
    public void removeWatch(int id) {
        Watched w = byId.remove(id);
        if (w != null) {
            forgetKey(w);
        }
        pendingIgnored.add(id); // reported, like inotify, whether or not the watch was still alive
    }

    @Override
    public void barrier(long token) {
        pendingBarriers.add(token);
        wakeup();
    }

    @Override
    public Path privatePath() {
        return null;
    }

    @Override
    public void wakeup() {
        lock.lock();
        try {
            wakeRequested = true;
            woken.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void await(long timeoutNanos, RawEventSink sink) throws IOException {
        if (pendingBarriers.isEmpty() && pendingIgnored.isEmpty()) {
            long untilScan = Math.max(0, nextScan - clock.getAsLong());
            long wait = timeoutNanos < 0 ? untilScan : Math.min(untilScan, timeoutNanos);
            lock.lock();
            try {
                if (!wakeRequested && wait > 0) {
                    woken.await(wait, TimeUnit.NANOSECONDS);
                }
                wakeRequested = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                lock.unlock();
            }
        }
        for (int id : pendingIgnored) {
            sink.onEvent(id, Masks.IGNORED, 0, "", false);
        }
        pendingIgnored.clear();
        long now = clock.getAsLong();
        if (!pendingBarriers.isEmpty() || now - nextScan >= 0) {
            scan(sink);
            nextScan = clock.getAsLong() + intervalNanos;
            List<Long> barriers = List.copyOf(pendingBarriers);
            pendingBarriers.clear();
            for (long token : barriers) {
                sink.onBarrier(token);
            }
        }
    }

    @Override
    public void close() {
        byId.clear();
        idByKey.clear();
        reader.close();
    }

    private record Gone(Watched from, String name, Stat stat) {
    }

    private record Came(Watched to, String name, Stat stat) {
    }

    /** A watch that could not be read in this scan, and why. */
    private record Denied(Watched watch, AccessDeniedException error) {
    }

    private final List<Denied> newlyDenied = new ArrayList<>();

    /**
     * One pass over every watch: the differences since the last pass, renames paired by inode. A watch is
     * diffed at most once per path in one scan: again only when a rename found in this scan moved it, so
     * a scan always ends, whatever it finds at a watch's path.
     */
    // I/O thread only.
    void scan(RawEventSink sink) {
        unsure = false;
        newlyDenied.clear();
        List<Watched> todo = List.copyOf(byId.values());
        java.util.Set<java.util.Map.Entry<Integer, Path>> diffed = new java.util.HashSet<>();
        List<Watched> selfGone = new ArrayList<>();
        List<Gone> dirsGone = new ArrayList<>();
        List<Came> createdLate = new ArrayList<>();
        List<Came> carried = new ArrayList<>();
        while (!todo.isEmpty()) {
            List<Gone> gone = new ArrayList<>();
            List<Came> came = new ArrayList<>(carried);
            carried.clear();
            for (Watched w : todo) {
                diffed.add(Map.entry(w.id, w.path));
                if (!diff(w, gone, came, sink)) {
                    selfGone.add(w);
                }
            }
            List<Came> watchedDirsCame = new ArrayList<>();
            pair(gone, came, dirsGone, createdLate, watchedDirsCame, sink);
            // A watch whose path vanished may have been renamed along with a parent in this very pass:
            // then pair() moved its path, and it is diffed again at the new one.
            todo = new ArrayList<>();
            for (var it = selfGone.iterator(); it.hasNext(); ) {
                Watched w = it.next();
                if (diffed.contains(Map.entry(w.id, w.path))) {
                    continue; // not moved since it was found gone here: it stays gone
                }
                Stat now = look(w.path);
                if (now != null && now.sameInode(w.self)) {
                    it.remove();
                    todo.add(w);
                }
            }
            // A watched directory found at a new place whose departure was not seen yet: the pass that
            // diffs its old parent again (at that parent's new path) may still pair it.
            if (!todo.isEmpty()) {
                carried.addAll(watchedDirsCame);
            } else {
                for (Came c : watchedDirsCame) {
                    unsure = true; // it is at a second place and nothing said it left the first
                    create(c, dirsGone, createdLate, sink);
                }
            }
        }
        // What vanished with a deleted directory is reported deepest first, as rm -r does it: the entries,
        // then the directory's own DELETE_SELF and IGNORED, then its DELETE in the parent, so a consumer
        // that applies the events ends with the tree on disk.
        selfGone.sort(Comparator.comparingInt((Watched w) -> w.path.getNameCount()).reversed());
        for (Watched w : selfGone) {
            Stat now = look(w.path);
            if (now == DENIED || now != null && now.sameInode(w.self)) {
                continue; // found again at a new path during this pass (see addWatch), or hidden: kept
            }
            if (byId.containsKey(w.id)) {
                if (w.children != null) {
                    for (Map.Entry<String, Stat> e : w.children.entrySet()) {
                        emit(sink, w, Masks.DELETE, 0, e.getKey(), e.getValue().dir());
                    }
                }
                emit(sink, w, Masks.DELETE_SELF, 0, "", false);
                byId.remove(w.id);
                forgetKey(w);
                sink.onEvent(w.id, Masks.IGNORED, 0, "", false);
            }
        }
        dirsGone.sort(Comparator.comparingInt((Gone g) -> g.from().path.getNameCount()).reversed());
        for (Gone g : dirsGone) {
            emit(sink, g.from(), Masks.DELETE, 0, g.name(), true);
        }
        // A name whose directory was replaced by a new entry between two scans: its CREATE follows the
        // old directory's DELETE, so a consumer applying the events in order ends with the new entry.
        for (Came c : createdLate) {
            emit(sink, c.to(), Masks.CREATE, 0, c.name(), c.stat().dir());
        }
        reportDenied(sink);
        if (unsure) {
            // A scan is not atomic: a directory moved while the tree was being listed can be seen at
            // its new place without having left its old one (or the reverse). The engine's rescan then
            // compares everything it remembers with the disk and reports the real differences.
            sink.onEvent(-1, Masks.Q_OVERFLOW, 0, "", false);
        }
    }

    /**
     * Tells the engine of each watch that became unreadable in this scan, once (not once per scan while it
     * stays so), and only of the topmost: the watches below an unreadable directory cannot be looked at
     * because of it.
     */
    private void reportDenied(RawEventSink sink) {
        for (Denied d : newlyDenied) {
            Path p = d.watch().path;
            boolean below = byId.values().stream().anyMatch(o -> o != d.watch() && o.denied && o.children != null
                    && p.startsWith(o.path) && !p.equals(o.path));
            if (!below && byId.containsKey(d.watch().id)) {
                sink.onError(d.watch().id, d.error());
            }
        }
    }

    /** Keeps what {@code w} knew, since it cannot be read now; tells the engine if it could be read before. */
    private void hold(Watched w) {
        if (!w.denied) {
            w.denied = true;
            newlyDenied.add(new Denied(w, new AccessDeniedException(w.path.toString(), null,
                    "cannot be read; its last known entries are kept, and what changed is reported once it can be")));
        }
    }

    /** Compares one watch with what it remembered; {@code false} when the watched inode itself is gone. */
    private boolean diff(Watched w, List<Gone> gone, List<Came> came, RawEventSink sink) {
        Stat now = look(w.path);
        if (now == DENIED) {
            hold(w); // a directory above it may not be searched: it may well be there still
            return true;
        }
        if (now == null || !now.sameInode(w.self)) {
            return false;
        }
        if (w.children == null) {
            now = withContent(w.path, now, w.content);
            if (now.modifiedSince(w.self)) {
                emit(sink, w, Masks.MODIFY, 0, "", false);
            } else if (now.changedSince(w.self)) {
                emit(sink, w, Masks.ATTRIB, 0, "", false);
            }
            w.self = now;
            w.denied = false;
            return true;
        }
        if (now.changedSince(w.self) && now.mtimeNanos() == w.self.mtimeNanos()) {
            emit(sink, w, Masks.ATTRIB, 0, "", false); // the directory's own mode or owner changed
        }
        w.self = now;
        Map<String, Stat> fresh;
        try {
            fresh = list(w.path, (w.mask & Masks.ATTRIB) != 0, w.content);
        } catch (AccessDeniedException e) {
            hold(w); // unreadable is not empty: its entries are compared again once it can be listed
            return true;
        }
        w.denied = false;
        for (Map.Entry<String, Stat> e : w.children.entrySet()) {
            Stat then = e.getValue();
            Stat seen = fresh.get(e.getKey());
            if (seen == null || !seen.sameInode(then)) {
                gone.add(new Gone(w, e.getKey(), then));
            }
        }
        for (Map.Entry<String, Stat> e : fresh.entrySet()) {
            Stat then = w.children.get(e.getKey());
            Stat seen = e.getValue();
            if (then == null || !seen.sameInode(then)) {
                came.add(new Came(w, e.getKey(), seen));
            } else if (!seen.dir() && seen.modifiedSince(then)) {
                emit(sink, w, Masks.MODIFY, 0, e.getKey(), false);
            } else if (seen.changedSince(then) && (!seen.dir() || seen.mtimeNanos() == then.mtimeNanos())) {
                emit(sink, w, Masks.ATTRIB, 0, e.getKey(), seen.dir());
            }
        }
        w.children = fresh;
        return true;
    }

    /**
     * Renames are an inode that left one name and arrived at another ({@link Stat#renamedFrom}); the rest
     * are deletes and creates. A file renamed and then written before this scan is a rename and a
     * {@code MODIFY}.
     */
    private void pair(List<Gone> gone, List<Came> came, List<Gone> dirsGone, List<Came> createdLate,
            List<Came> watchedDirsCame, RawEventSink sink) {
        Map<Object, List<Came>> arrivals = new HashMap<>();
        for (Came c : came) {
            if (c.stat().key() != null) {
                arrivals.computeIfAbsent(c.stat().key(), k -> new ArrayList<>()).add(c);
            }
        }
        Map<Gone, Came> partners = new java.util.IdentityHashMap<>();
        for (Gone g : gone) {
            List<Came> candidates = g.stat().key() == null ? null : arrivals.get(g.stat().key());
            if (candidates != null) {
                for (var it = candidates.iterator(); it.hasNext(); ) {
                    Came c = it.next();
                    if (c.stat().renamedFrom(g.stat())) {
                        it.remove();
                        partners.put(g, c);
                        break;
                    }
                }
            }
        }
        List<Came> unpaired = new ArrayList<>(came);
        // A rename onto an existing name replaces it: like rename(2) and inotify, the MOVED_TO says so,
        // and the replaced entry gets no DELETE of its own.
        java.util.Set<Came> renamedOnto = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        renamedOnto.addAll(partners.values());
        for (Gone g : gone) {
            Came c = partners.get(g);
            if (c == null && renamedOnto.stream().anyMatch(r -> r.to() == g.from() && r.name().equals(g.name()))) {
                continue;
            }
            if (c != null) {
                int cookie = nextCookie++;
                emit(sink, g.from(), Masks.MOVED_FROM, cookie, g.name(), g.stat().dir());
                emit(sink, c.to(), Masks.MOVED_TO, cookie, c.name(), c.stat().dir());
                unpaired.remove(c);
                if (g.stat().dir()) {
                    moveSelf(sink, g.stat(), ExactNames.child(c.to().path, c.name()));
                } else if (c.stat().modifiedSince(g.stat())) {
                    emit(sink, c.to(), Masks.MODIFY, 0, c.name(), false);
                }
            } else if (g.stat().dir()) {
                dirsGone.add(g); // after what was inside it, at the end of the pass
            } else {
                emit(sink, g.from(), Masks.DELETE, 0, g.name(), false);
            }
        }
        for (Came c : unpaired) {
            if (c.stat().dir() && watchOn(c.stat()) != null) {
                watchedDirsCame.add(c); // decided after the next pass, if there is one
            } else {
                create(c, dirsGone, createdLate, sink);
            }
        }
    }

    /** The live watch on the inode {@code s} describes (not one on another inode with its number), or null. */
    private Watched watchOn(Stat s) {
        Integer id = s.key() == null ? null : idByKey.get(s.key());
        Watched w = id == null ? null : byId.get(id);
        return w != null && s.sameInode(w.self) ? w : null;
    }

    private void create(Came c, List<Gone> dirsGone, List<Came> createdLate, RawEventSink sink) {
        if (dirsGone.stream().anyMatch(g -> g.from() == c.to() && g.name().equals(c.name()))) {
            createdLate.add(c);
        } else {
            emit(sink, c.to(), Masks.CREATE, 0, c.name(), c.stat().dir());
        }
    }

    /** A watched directory that was renamed: like inotify, its watch follows it and says MOVE_SELF. */
    private void moveSelf(RawEventSink sink, Stat moved, Path newPath) {
        Watched w = watchOn(moved);
        if (w == null) {
            return;
        }
        emit(sink, w, Masks.MOVE_SELF, 0, "", false);
        Path old = w.path;
        for (Watched other : byId.values()) { // and every watch below it moves along
            if (other.path.startsWith(old)) {
                other.path = newPath.resolve(old.relativize(other.path));
            }
        }
    }

    private void emit(RawEventSink sink, Watched w, int kind, int cookie, String name, boolean dir) {
        if ((w.mask & kind) != 0 || (kind & (Masks.DELETE_SELF | Masks.MOVE_SELF)) != 0) {
            sink.onEvent(w.id, kind | (dir ? Masks.ISDIR : 0), cookie, name, false);
        }
    }

    private void forgetKey(Watched w) {
        if (w.self.key() != null) {
            idByKey.remove(w.self.key(), w.id);
        }
    }

    /** The entries of {@code dir}, with the checksums of regular files when {@code content}. */
    private Map<String, Stat> list(Path dir, boolean ctime, boolean content) throws AccessDeniedException {
        Map<String, Stat> out = reader.list(dir, ctime);
        if (content) {
            out.replaceAll((name, s) -> withContent(ExactNames.child(dir, name), s, true));
        }
        return out;
    }

    private Stat stat(Path p, boolean follow) throws AccessDeniedException {
        return reader.stat(p, follow, true);
    }

    /** What is at {@code p} now, following links: null when gone, {@link #DENIED} when it may not be looked at. */
    private Stat look(Path p) {
        try {
            return reader.stat(p, true, true);
        } catch (AccessDeniedException e) {
            return DENIED;
        }
    }

    /** {@code s} with the CRC-32C of the file's bytes when asked for and {@code p} is a regular file. */
    private static Stat withContent(Path p, Stat s, boolean content) {
        if (!content || s == null || s.dir() || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            return s;
        }
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(64 * 1024);
        try (var ch = java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.READ,
                LinkOption.NOFOLLOW_LINKS)) {
            while (ch.read(buf.clear()) >= 0) {
                crc.update(buf.flip());
            }
        } catch (IOException e) {
            return s; // unreadable now: compared by size and time only
        }
        return s.withContent(crc.getValue());
    }

}
