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
 * with the same file key is a rename: {@code MOVED_FROM} and {@code MOVED_TO} with one cookie.
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
     * An entry as one scan saw it: type, size, modification and change time in nanoseconds, the file
     * key (device and inode; only compared with keys from the same {@link StatReader}), and the content
     * checksum.
     */
    public record Stat(boolean dir, long size, long mtimeNanos, long ctimeNanos, Object key, long content) {
        /** {@link #ctimeNanos} when it was not read: the watch did not ask for {@code ATTRIB}. */
        public static final long NO_CTIME = Long.MIN_VALUE;
        /** {@link #content} when it was not read: not asked for, not a regular file, or unreadable. */
        public static final long NO_CONTENT = -1;

        boolean modifiedSince(Stat before) {
            return size != before.size || mtimeNanos != before.mtimeNanos
                    || (content != NO_CONTENT && before.content != NO_CONTENT && content != before.content);
        }

        Stat withContent(long crc) {
            return new Stat(dir, size, mtimeNanos, ctimeNanos, key, crc);
        }

        /** The inode changed (mode, owner, links, extended attributes), as far as both scans read it. */
        boolean changedSince(Stat before) {
            return ctimeNanos != NO_CTIME && before.ctimeNanos != NO_CTIME && ctimeNanos != before.ctimeNanos;
        }
    }

    private static final class Watched {
        final int id;
        Path path;
        int mask;
        boolean content; // compare file contents too (Masks.CONTENT)
        Stat self;
        Map<String, Stat> children; // null for a watched file

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
        Integer existing = self.key() == null ? null : idByKey.get(self.key());
        if (existing != null && byId.containsKey(existing)) {
            Watched w = byId.get(existing);
            w.mask |= mask & Masks.ALL_EVENTS;
            w.content |= content;
            Stat there = w.path.equals(path) ? self : stat(w.path, true);
            if (there == null || !Objects.equals(there.key(), self.key())) {
                // The same inode under a new name, before a scan found where it went (a scan that is
                // running now): the watch follows the inode, as inotify's does.
                w.path = path;
            }
            return existing;
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
                Stat now = withContent(child, reader.stat(child, false, (w.mask & Masks.ATTRIB) != 0), w.content);
                // Gone already: a key that matches nothing, so the next scan reports it deleted.
                w.children.put(e.getKey(), now != null ? now
                        : new Stat(e.getValue(), 0, 0, Stat.NO_CTIME, new Object(), Stat.NO_CONTENT));
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

    /** One pass over every watch: the differences since the last pass, renames paired by file key. */
    // I/O thread only.
    void scan(RawEventSink sink) {
        unsure = false;
        List<Watched> todo = List.copyOf(byId.values());
        List<Watched> selfGone = new ArrayList<>();
        List<Gone> dirsGone = new ArrayList<>();
        List<Came> createdLate = new ArrayList<>();
        List<Came> carried = new ArrayList<>();
        while (!todo.isEmpty()) {
            List<Gone> gone = new ArrayList<>();
            List<Came> came = new ArrayList<>(carried);
            carried.clear();
            for (Watched w : todo) {
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
                Stat now = stat(w.path, true);
                if (now != null && Objects.equals(now.key(), w.self.key())) {
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
            Stat now = stat(w.path, true);
            if (now != null && Objects.equals(now.key(), w.self.key())) {
                continue; // found again at a new path during this pass (see addWatch)
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
        if (unsure) {
            // A scan is not atomic: a directory moved while the tree was being listed can be seen at
            // its new place without having left its old one (or the reverse). The engine's rescan then
            // compares everything it remembers with the disk and reports the real differences.
            sink.onEvent(-1, Masks.Q_OVERFLOW, 0, "", false);
        }
    }

    /** Compares one watch with what it remembered; {@code false} when the watched inode itself is gone. */
    private boolean diff(Watched w, List<Gone> gone, List<Came> came, RawEventSink sink) {
        Stat now = stat(w.path, true);
        if (now == null || !Objects.equals(now.key(), w.self.key()) || now.dir() != w.self.dir()) {
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
            return true;
        }
        if (now.changedSince(w.self) && now.mtimeNanos() == w.self.mtimeNanos()) {
            emit(sink, w, Masks.ATTRIB, 0, "", false); // the directory's own mode or owner changed
        }
        w.self = now;
        Map<String, Stat> fresh = list(w.path, (w.mask & Masks.ATTRIB) != 0, w.content);
        for (Map.Entry<String, Stat> e : w.children.entrySet()) {
            Stat then = e.getValue();
            Stat seen = fresh.get(e.getKey());
            if (seen == null || !Objects.equals(seen.key(), then.key()) || seen.dir() != then.dir()) {
                gone.add(new Gone(w, e.getKey(), then));
            }
        }
        for (Map.Entry<String, Stat> e : fresh.entrySet()) {
            Stat then = w.children.get(e.getKey());
            Stat seen = e.getValue();
            if (then == null || !Objects.equals(seen.key(), then.key()) || seen.dir() != then.dir()) {
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

    /** Renames are a file key that left one name and arrived at another; the rest are deletes and creates. */
    private void pair(List<Gone> gone, List<Came> came, List<Gone> dirsGone, List<Came> createdLate,
            List<Came> watchedDirsCame, RawEventSink sink) {
        Map<Object, Came> arrivals = new HashMap<>();
        for (Came c : came) {
            if (c.stat().key() != null) {
                arrivals.putIfAbsent(c.stat().key(), c);
            }
        }
        List<Came> unpaired = new ArrayList<>(came);
        // A rename onto an existing name replaces it: like rename(2) and inotify, the MOVED_TO says so,
        // and the replaced entry gets no DELETE of its own.
        java.util.Set<Came> renamedOnto = new java.util.HashSet<>();
        for (Gone g : gone) {
            Came c = g.stat().key() == null ? null : arrivals.get(g.stat().key());
            if (c != null) {
                renamedOnto.add(c);
            }
        }
        for (Gone g : gone) {
            Came c = g.stat().key() == null ? null : arrivals.remove(g.stat().key());
            if (c == null && renamedOnto.stream().anyMatch(r -> r.to() == g.from() && r.name().equals(g.name()))) {
                continue;
            }
            if (c != null) {
                int cookie = nextCookie++;
                emit(sink, g.from(), Masks.MOVED_FROM, cookie, g.name(), g.stat().dir());
                emit(sink, c.to(), Masks.MOVED_TO, cookie, c.name(), c.stat().dir());
                unpaired.remove(c);
                if (g.stat().dir()) {
                    moveSelf(sink, g.stat().key(), ExactNames.child(c.to().path, c.name()));
                }
            } else if (g.stat().dir()) {
                dirsGone.add(g); // after what was inside it, at the end of the pass
            } else {
                emit(sink, g.from(), Masks.DELETE, 0, g.name(), false);
            }
        }
        for (Came c : unpaired) {
            if (c.stat().dir() && c.stat().key() != null && byId.containsKey(idByKey.getOrDefault(c.stat().key(), 0))) {
                watchedDirsCame.add(c); // decided after the next pass, if there is one
            } else {
                create(c, dirsGone, createdLate, sink);
            }
        }
    }

    private void create(Came c, List<Gone> dirsGone, List<Came> createdLate, RawEventSink sink) {
        if (dirsGone.stream().anyMatch(g -> g.from() == c.to() && g.name().equals(c.name()))) {
            createdLate.add(c);
        } else {
            emit(sink, c.to(), Masks.CREATE, 0, c.name(), c.stat().dir());
        }
    }

    /** A watched directory that was renamed: like inotify, its watch follows it and says MOVE_SELF. */
    private void moveSelf(RawEventSink sink, Object key, Path newPath) {
        Integer id = idByKey.get(key);
        Watched w = id == null ? null : byId.get(id);
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
    private Map<String, Stat> list(Path dir, boolean ctime, boolean content) {
        Map<String, Stat> out = reader.list(dir, ctime);
        if (content) {
            out.replaceAll((name, s) -> withContent(ExactNames.child(dir, name), s, true));
        }
        return out;
    }

    private Stat stat(Path p, boolean follow) {
        return reader.stat(p, follow, true);
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
