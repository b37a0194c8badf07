package io.github.fsmon.internal.windows;

import io.github.fsmon.internal.ffm.NativeSupport;
import io.github.fsmon.internal.linux.InotifyEvent;
import io.github.fsmon.internal.linux.LibC;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import static io.github.fsmon.internal.windows.Win32Constants.*;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A simulated kernel32 backed by the real Linux file system, for running the scenario scripts against
 * the Windows backend: each directory handle is followed with inotify (its whole tree when read with
 * {@code bWatchSubtree}), and the changes become the records Windows would write, with its habits:
 * an adjacent RENAMED_OLD_NAME/RENAMED_NEW_NAME pair for a rename inside one handle's tree, REMOVED and
 * ADDED for a move between trees, MODIFIED for content and attribute changes alike, a MODIFIED for the
 * parent directory of a changed entry, extended records with the entry's attributes, nothing for a
 * rename of the watched directory itself, and its deletion ending the read with STATUS_DELETE_PENDING.
 *
 * <p>Where inotify lags behind Windows: a new directory is watched only once its creation is read, so
 * what was created in it meanwhile is found by listing it and reported as ADDED (Windows' recursive
 * handle would have reported each creation); a directory renamed into a new one before that is listed
 * as well, and its rename's source half is then a removal (Windows would pair the two). A packet posted
 * from another thread enters the port only after the inotify events queued before it were turned into
 * completions, which is the order a change and a post have on Windows. The renamed root is known from
 * inotify's IN_MOVE_SELF; where it went is not, so its "final path" is only marked as different.
 */
public final class InotifyWin32 implements Win32, AutoCloseable {
    private static final int INOTIFY_MASK = LibC.IN_CREATE | LibC.IN_DELETE | LibC.IN_MODIFY | LibC.IN_ATTRIB
            | LibC.IN_MOVED_FROM | LibC.IN_MOVED_TO | LibC.IN_DELETE_SELF | LibC.IN_MOVE_SELF | LibC.IN_ONLYDIR | LibC.IN_DONT_FOLLOW;

    private record Packet(long key, long overlapped, int bytes) {
    }

    private record Read(MemorySegment buffer, int length, MemorySegment overlapped, boolean extended) {
    }

    private record Rec(int action, String name, boolean dir) {
    }

    /** One inotify watch of a handle's tree: {@code rel} is the directory relative to the handle's root. */
    private static final class Watch {
        final Dir dir;
        String rel;

        Watch(Dir dir, String rel) {
            this.dir = dir;
            this.rel = rel;
        }
    }

    private final class Dir {
        final long handle;
        final Path path;
        long key = -1;
        boolean open = true;
        boolean armed;
        boolean subtree;
        boolean deleted;
        boolean openReparsePoint;
        boolean moved;
        Read pending;
        final List<Rec> staged = new ArrayList<>();
        final Map<Integer, Watch> watches = new HashMap<>();

        Dir(long handle, Path path) {
            this.handle = handle;
            this.path = path;
        }
    }

    private final Arena arena = Arena.ofShared();
    private final MemorySegment state = NativeSupport.allocateCallState(arena);
    private final MemorySegment buffer = arena.allocate(64 * 1024, 8);
    private final MemorySegment pollfds = arena.allocate(LibC.POLLFD, 2);
    private final MemorySegment scratch = arena.allocate(8, 8);
    private final InotifyEvent cursor = new InotifyEvent();
    private final int inotify;
    private final int wake;
    private final ConcurrentLinkedQueue<Packet> posted = new ConcurrentLinkedQueue<>();
    private final ArrayDeque<Packet> queue = new ArrayDeque<>();
    private final Map<Long, Dir> dirs = new LinkedHashMap<>();
    private final Map<Integer, List<Watch>> byWd = new HashMap<>();
    private long nextHandle = 0x1000;
    private long port;
    private boolean portOpen;
    private volatile boolean closed;
    private int lastError;

    private final boolean extended;

    /** With ReadDirectoryChangesExW (records with attributes), as on Windows 10 1709 and later. */
    public InotifyWin32() {
        this(true);
    }

    /** {@code extended = false}: as before Windows 10 1709, ReadDirectoryChangesW and plain records only. */
    public InotifyWin32(boolean extended) {
        this.extended = extended;
        inotify = LibC.inotifyInit1(state, LibC.IN_NONBLOCK | LibC.IN_CLOEXEC);
        wake = LibC.eventfd(state, 0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
        if (inotify < 0 || wake < 0) {
            throw new IllegalStateException("inotify/eventfd: " + LibC.errnoName(LibC.errno(state)));
        }
    }

    @Override
    public int lastError() {
        return lastError;
    }

    private boolean fail(int error) {
        lastError = error;
        return false;
    }

    @Override
    public long createCompletionPort() {
        port = nextHandle++;
        portOpen = true;
        return port;
    }

    @Override
    public boolean associate(long handle, long p, long key) {
        Dir d = dirs.get(handle);
        if (d == null || !d.open || p != port) {
            return fail(ERROR_INVALID_HANDLE);
        }
        d.key = key;
        return true;
    }

    @Override
    public long openDirectory(String path, boolean openReparsePoint) {
        Path p = Path.of(path);
        LinkOption[] opts = openReparsePoint ? new LinkOption[]{LinkOption.NOFOLLOW_LINKS} : new LinkOption[0];
        if (!Files.exists(p, opts)) {
            lastError = ERROR_FILE_NOT_FOUND;
            return INVALID_HANDLE_VALUE;
        }
        Dir d = new Dir(nextHandle++, p);
        d.openReparsePoint = openReparsePoint;
        dirs.put(d.handle, d);
        return d.handle;
    }

    @Override
    public boolean getFileInformationByHandle(long handle, MemorySegment info) {
        Dir d = dirs.get(handle);
        if (d == null || !d.open) {
            return fail(ERROR_INVALID_HANDLE);
        }
        return SimulatedWin32.fileInformation(d.path, info) || fail(ERROR_FILE_NOT_FOUND);
    }

    @Override
    public boolean readDirectoryChanges(long directory, MemorySegment buf, int length, boolean watchSubtree,
                                        int notifyFilter, MemorySegment overlapped, boolean extended) {
        Dir d = dirs.get(directory);
        if (d == null || !d.open) {
            return fail(ERROR_INVALID_HANDLE);
        }
        if (d.deleted) {
            return fail(ERROR_ACCESS_DENIED); // delete pending
        }
        if (d.pending != null) {
            return fail(ERROR_INVALID_PARAMETER);
        }
        if (!d.armed) {
            d.armed = true;
            d.subtree = watchSubtree;
            if (!Files.isDirectory(d.path, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(d.path)) {
                return fail(ERROR_INVALID_PARAMETER);
            }
            watch(d, d.path, "", !d.openReparsePoint);
            if (d.subtree) {
                walk(d, d.path, "", null);
            }
        }
        overlapped.set(Win32Layouts.ULONG_PTR, Win32Layouts.OVERLAPPED_INTERNAL, STATUS_PENDING);
        d.pending = new Read(buf, length, overlapped, extended);
        if (!d.staged.isEmpty()) {
            deliver(d);
        }
        return true;
    }

    /** Watches {@code dir} (relative {@code rel}) and, for a recursive handle, every directory below it. */
    private void watchTree(Dir d, Path dir, String rel, List<Rec> created) {
        watch(d, dir, rel, false);
        if (d.subtree) {
            walk(d, dir, rel, created);
        }
    }

    /**
     * Watches the directories below {@code dir}, not following links (Windows' subtree stops at reparse
     * points). For a directory just created, {@code created} receives an ADDED record for every entry found
     * in it: they were created after it, before inotify watched it, and Windows would have reported them.
     */
    private void walk(Dir d, Path dir, String rel, List<Rec> created) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path p, BasicFileAttributes attrs) {
                    if (!p.equals(dir)) {
                        String r = join(rel, Win32Paths.relative(dir, p));
                        watch(d, p, r, false);
                        if (created != null) {
                            created.add(new Rec(FILE_ACTION_ADDED, r, true));
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path p, BasicFileAttributes attrs) {
                    if (created != null) {
                        created.add(new Rec(FILE_ACTION_ADDED, join(rel, Win32Paths.relative(dir, p)), attrs.isDirectory()));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String join(String parent, String name) {
        return parent.isEmpty() ? name : parent + "\\" + name;
    }

    private void watch(Dir d, Path dir, String rel, boolean follow) {
        try (Arena call = Arena.ofConfined()) {
            int wd = LibC.inotifyAddWatch(state, inotify, call.allocateFrom(dir.toString(), StandardCharsets.UTF_8),
                    INOTIFY_MASK & ~(follow ? LibC.IN_DONT_FOLLOW : 0));
            if (wd < 0) {
                return; // gone already
            }
            Watch old = d.watches.get(wd);
            if (old != null) {
                old.rel = rel;
                return;
            }
            Watch w = new Watch(d, rel);
            d.watches.put(wd, w);
            byWd.computeIfAbsent(wd, k -> new ArrayList<>()).add(w);
        }
    }

    private void unwatch(Dir d, int wd) {
        Watch w = d.watches.remove(wd);
        if (w == null) {
            return;
        }
        List<Watch> all = byWd.get(wd);
        if (all != null) {
            all.remove(w);
            if (all.isEmpty()) {
                byWd.remove(wd);
                LibC.inotifyRmWatch(state, inotify, wd);
            }
        }
    }

    @Override
    public boolean hasReadDirectoryChangesEx() {
        return extended;
    }

    @Override
    public boolean cancelIoEx(long handle, MemorySegment overlapped) {
        Dir d = dirs.get(handle);
        if (d == null || !d.open) {
            return fail(ERROR_INVALID_HANDLE);
        }
        if (d.pending == null || d.pending.overlapped().address() != overlapped.address()) {
            return fail(ERROR_NOT_FOUND);
        }
        complete(d, STATUS_CANCELLED, 0);
        return true;
    }

    @Override
    public boolean closeHandle(long handle) {
        if (handle == port && portOpen) {
            portOpen = false;
            return true;
        }
        Dir d = dirs.get(handle);
        if (d == null || !d.open) {
            return fail(ERROR_INVALID_HANDLE);
        }
        if (d.pending != null) {
            complete(d, STATUS_NOTIFY_CLEANUP, 0);
        }
        for (int wd : List.copyOf(d.watches.keySet())) {
            unwatch(d, wd);
        }
        d.open = false;
        dirs.remove(handle);
        return true;
    }

    @Override
    public boolean postQueuedCompletionStatus(long p, int bytes, long key, long overlapped) {
        if (closed) {
            return false;
        }
        posted.add(new Packet(key, overlapped, bytes));
        try (Arena call = Arena.ofConfined()) {
            MemorySegment one = call.allocate(JAVA_LONG);
            one.set(JAVA_LONG, 0, 1L);
            LibC.write(NativeSupport.allocateCallState(call), wake, one, 8);
        }
        return true;
    }

    @Override
    public int getQueuedCompletionStatusEx(long p, MemorySegment entries, int count, int millis) {
        long deadline = System.nanoTime() + Integer.toUnsignedLong(millis) * 1_000_000L;
        while (true) {
            // Posts first taken aside, then the file system's changes until now: a change made before a
            // post is in the port before it.
            List<Packet> posts = new ArrayList<>();
            for (Packet k = posted.poll(); k != null; k = posted.poll()) {
                posts.add(k);
            }
            drain();
            queue.addAll(posts);
            if (!queue.isEmpty()) {
                int n = 0;
                while (n < count && !queue.isEmpty()) {
                    Packet k = queue.poll();
                    long at = n * Win32Layouts.OVERLAPPED_ENTRY.byteSize();
                    entries.set(Win32Layouts.ULONG_PTR, at + Win32Layouts.ENTRY_COMPLETION_KEY, k.key());
                    entries.set(Win32Layouts.ULONG_PTR, at + Win32Layouts.ENTRY_OVERLAPPED, k.overlapped());
                    entries.set(Win32Layouts.DWORD, at + Win32Layouts.ENTRY_BYTES, k.bytes());
                    n++;
                }
                return n;
            }
            long left = -1;
            if (millis != INFINITE) {
                left = (deadline - System.nanoTime() + 999_999) / 1_000_000;
                if (millis == 0 || left <= 0) {
                    lastError = WAIT_TIMEOUT;
                    return -1;
                }
            }
            LibC.POLLFD_FD.set(pollfds, 0L, inotify);
            LibC.POLLFD_EVENTS.set(pollfds, 0L, LibC.POLLIN);
            LibC.POLLFD_REVENTS.set(pollfds, 0L, (short) 0);
            long second = LibC.POLLFD.byteSize();
            LibC.POLLFD_FD.set(pollfds, second, wake);
            LibC.POLLFD_EVENTS.set(pollfds, second, LibC.POLLIN);
            LibC.POLLFD_REVENTS.set(pollfds, second, (short) 0);
            int n = LibC.poll(state, pollfds, 2, (int) Math.min(Integer.MAX_VALUE, left));
            if (n > 0 && ((short) LibC.POLLFD_REVENTS.get(pollfds, second) & LibC.POLLIN) != 0) {
                LibC.read(state, wake, scratch, 8);
            }
        }
    }

    /** Reads every queued inotify event and turns them into records, one completion per handle. */
    private void drain() {
        Map<Dir, List<Rec>> out = new LinkedHashMap<>();
        int[] pendingFrom = null; // wd, cookie of a MOVED_FROM waiting for its MOVED_TO
        String pendingName = null;
        boolean pendingDir = false;
        while (true) {
            long n = LibC.read(state, inotify, buffer, buffer.byteSize());
            if (n <= 0) {
                break;
            }
            cursor.reset(buffer, n);
            while (cursor.next()) {
                int wd = cursor.wd();
                int mask = cursor.mask();
                String name = new String(cursor.nameBytes(), StandardCharsets.UTF_8);
                boolean isDir = (mask & LibC.IN_ISDIR) != 0;
                if (pendingFrom != null && !((mask & LibC.IN_MOVED_TO) != 0 && cursor.cookie() == pendingFrom[1])) {
                    movedAway(out, pendingFrom[0], pendingName, pendingDir);
                    pendingFrom = null;
                }
                if ((mask & LibC.IN_Q_OVERFLOW) != 0) {
                    out.clear();
                    for (Dir d : dirs.values()) {
                        d.staged.clear();
                        if (d.pending != null) {
                            complete(d, STATUS_NOTIFY_ENUM_DIR, 0);
                        }
                    }
                    continue;
                }
                if ((mask & LibC.IN_IGNORED) != 0) {
                    List<Watch> ws = byWd.remove(wd);
                    if (ws != null) {
                        for (Watch w : ws) {
                            w.dir.watches.remove(wd);
                        }
                    }
                    continue;
                }
                if ((mask & LibC.IN_DELETE_SELF) != 0) {
                    for (Watch w : List.copyOf(byWd.getOrDefault(wd, List.of()))) {
                        if (w.rel.isEmpty()) {
                            rootDeleted(w.dir, out);
                        }
                    }
                    continue;
                }
                if ((mask & LibC.IN_MOVE_SELF) != 0) {
                    for (Watch w : byWd.getOrDefault(wd, List.of())) {
                        if (w.rel.isEmpty()) {
                            w.dir.moved = true; // the handle follows it; only its final path tells
                        }
                    }
                    continue;
                }
                if (name.isEmpty()) {
                    continue; // about a watched directory itself: its parent's watch reports it
                }
                if ((mask & LibC.IN_MOVED_FROM) != 0) {
                    pendingFrom = new int[]{wd, cursor.cookie()};
                    pendingName = name;
                    pendingDir = isDir;
                    continue;
                }
                if ((mask & LibC.IN_MOVED_TO) != 0 && pendingFrom != null) {
                    renamed(out, pendingFrom[0], pendingName, wd, name, isDir);
                    pendingFrom = null;
                    continue;
                }
                for (Watch w : List.copyOf(byWd.getOrDefault(wd, List.of()))) {
                    Dir d = w.dir;
                    String rel = join(w.rel, name);
                    if ((mask & (LibC.IN_CREATE | LibC.IN_MOVED_TO)) != 0) {
                        add(out, d, FILE_ACTION_ADDED, rel, isDir);
                        if (isDir && d.subtree) {
                            boolean createdHere = (mask & LibC.IN_CREATE) != 0;
                            List<Rec> inside = createdHere ? new ArrayList<>() : null;
                            watchTree(d, Win32Paths.resolve(d.path, rel), rel, inside);
                            if (inside != null) {
                                out.computeIfAbsent(d, k -> new ArrayList<>()).addAll(inside);
                            }
                        }
                    } else if ((mask & LibC.IN_DELETE) != 0) {
                        add(out, d, FILE_ACTION_REMOVED, rel, isDir);
                    } else if ((mask & (LibC.IN_MODIFY | LibC.IN_ATTRIB)) != 0) {
                        add(out, d, FILE_ACTION_MODIFIED, rel, isDir);
                        continue; // no parent noise for a change of content or attributes
                    }
                    if (!w.rel.isEmpty()) {
                        add(out, d, FILE_ACTION_MODIFIED, w.rel, true); // Windows' parent-directory noise
                    }
                }
            }
        }
        if (pendingFrom != null) {
            movedAway(out, pendingFrom[0], pendingName, pendingDir);
        }
        for (Map.Entry<Dir, List<Rec>> e : out.entrySet()) {
            Dir d = e.getKey();
            if (!d.open) {
                continue;
            }
            d.staged.addAll(e.getValue());
            if (d.pending != null) {
                deliver(d);
            }
        }
    }

    private void add(Map<Dir, List<Rec>> out, Dir d, int action, String rel, boolean dir) {
        out.computeIfAbsent(d, k -> new ArrayList<>()).add(new Rec(action, rel, dir));
    }

    /** A MOVED_FROM whose MOVED_TO is not in any watched tree. */
    private void movedAway(Map<Dir, List<Rec>> out, int wd, String name, boolean isDir) {
        for (Watch w : List.copyOf(byWd.getOrDefault(wd, List.of()))) {
            String rel = join(w.rel, name);
            add(out, w.dir, FILE_ACTION_REMOVED, rel, isDir);
            if (isDir) {
                dropBelow(w.dir, rel);
            }
        }
    }

    private void renamed(Map<Dir, List<Rec>> out, int fromWd, String fromName, int toWd, String toName, boolean isDir) {
        List<Watch> from = List.copyOf(byWd.getOrDefault(fromWd, List.of()));
        List<Watch> to = List.copyOf(byWd.getOrDefault(toWd, List.of()));
        for (Watch f : from) {
            Watch t = to.stream().filter(w -> w.dir == f.dir).findFirst().orElse(null);
            String oldRel = join(f.rel, fromName);
            if (t != null) {
                String newRel = join(t.rel, toName);
                add(out, f.dir, FILE_ACTION_RENAMED_OLD_NAME, oldRel, isDir);
                add(out, f.dir, FILE_ACTION_RENAMED_NEW_NAME, newRel, isDir);
                if (isDir) {
                    for (Watch w : f.dir.watches.values()) {
                        if (w.rel.equals(oldRel) || w.rel.startsWith(oldRel + "\\")) {
                            w.rel = newRel + w.rel.substring(oldRel.length());
                        }
                    }
                }
            } else {
                add(out, f.dir, FILE_ACTION_REMOVED, oldRel, isDir);
                if (isDir) {
                    dropBelow(f.dir, oldRel);
                }
            }
        }
        for (Watch t : to) {
            if (from.stream().noneMatch(w -> w.dir == t.dir)) {
                String newRel = join(t.rel, toName);
                add(out, t.dir, FILE_ACTION_ADDED, newRel, isDir);
                if (isDir && t.dir.subtree) {
                    watchTree(t.dir, Win32Paths.resolve(t.dir.path, newRel), newRel, null);
                }
            }
        }
    }

    /** A directory left a handle's tree: its inotify watches stop counting for that handle. */
    private void dropBelow(Dir d, String rel) {
        for (Map.Entry<Integer, Watch> e : List.copyOf(d.watches.entrySet())) {
            String r = e.getValue().rel;
            if (r.equals(rel) || r.startsWith(rel + "\\")) {
                unwatch(d, e.getKey());
            }
        }
    }

    private void rootDeleted(Dir d, Map<Dir, List<Rec>> out) {
        List<Rec> recs = out.remove(d);
        if (recs != null) {
            d.staged.addAll(recs);
        }
        if (d.pending != null && !d.staged.isEmpty()) {
            deliver(d);
        }
        d.deleted = true;
        if (d.pending != null) {
            complete(d, STATUS_DELETE_PENDING, 0);
        }
    }

    private void deliver(Dir d) {
        Read r = d.pending;
        NotifyRecords recs = new NotifyRecords(r.extended()).alignment(r.extended() ? 8 : 4);
        for (Rec rec : d.staged) {
            recs.add(rec.action(), rec.name(), rec.dir() ? FILE_ATTRIBUTE_DIRECTORY : FILE_ATTRIBUTE_NORMAL, 0);
        }
        d.staged.clear();
        byte[] bytes = recs.bytes();
        if (bytes.length > r.length()) {
            complete(d, STATUS_NOTIFY_ENUM_DIR, 0);
            return;
        }
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, r.buffer(), 0, bytes.length);
        complete(d, STATUS_SUCCESS, bytes.length);
    }

    private void complete(Dir d, int status, int bytes) {
        Read r = d.pending;
        d.pending = null;
        r.overlapped().set(Win32Layouts.ULONG_PTR, Win32Layouts.OVERLAPPED_INTERNAL, Integer.toUnsignedLong(status));
        r.overlapped().set(Win32Layouts.ULONG_PTR, Win32Layouts.OVERLAPPED_INTERNAL_HIGH, (long) bytes);
        queue.add(new Packet(d.key, r.overlapped().address(), bytes));
    }

    @Override
    public String getFinalPathName(long handle) {
        Dir d = dirs.get(handle);
        if (d == null || !d.open) {
            lastError = ERROR_INVALID_HANDLE;
            return null;
        }
        // Where it went is not known here (inotify does not say); that it went is what matters.
        return d.moved ? d.path + " (moved)" : d.path.toString();
    }

    @Override
    public String getLongPathName(String path) {
        if (Files.exists(Path.of(path), LinkOption.NOFOLLOW_LINKS)) {
            return path;
        }
        lastError = ERROR_FILE_NOT_FOUND;
        return null;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        LibC.close(state, inotify);
        LibC.close(state, wake);
        arena.close();
    }
}
