package io.github.fsmon.internal.jdk;

import io.github.fsmon.Backend;
import io.github.fsmon.internal.core.Masks;
import io.github.fsmon.internal.core.OsWatcher;
import io.github.fsmon.internal.core.RawEventSink;
import io.github.fsmon.internal.spi.ExactNames;
import io.github.fsmon.internal.spi.InotifyLimits;
import io.github.fsmon.internal.spi.PrivatePaths;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A per-directory backend on the JDK's own {@link WatchService}: it needs no native access from this
 * library, so it is what {@link Backend#AUTO} falls back to when the JVM refuses it. Each watched directory
 * is registered for {@code ENTRY_CREATE}, {@code ENTRY_DELETE} and {@code ENTRY_MODIFY}; the engine's
 * recursion registers every subdirectory.
 *
 * <p>What the JDK does not say, and how this backend makes up for it:
 * <ul>
 *   <li>Whether an entry is a directory: a created entry is looked up (without following links) when its
 *       event is read; one already gone is reported as a file, and its {@code DELETE} follows.</li>
 *   <li>Renames: the JDK reports a delete and a create. A delete and a later create in the same batch of
 *       signalled keys whose file keys (device and inode) are equal become {@code MOVED_FROM} /
 *       {@code MOVED_TO} with one cookie, within or across watched directories. The halves of a rename
 *       read in different batches stay a delete and a create.</li>
 *   <li>Content or attributes: the JDK reports both as {@code ENTRY_MODIFY}, which becomes {@code MODIFY};
 *       there is no {@code ATTRIB}.</li>
 *   <li>No {@code ACCESS}, {@code OPEN} nor {@code CLOSE_*}. A moved watched directory keeps its key
 *       without a word from the JDK: when events next arrive from it and its path names another inode or
 *       none, it is reported as {@code MOVE_SELF}. A deleted directory's key is invalidated, which becomes
 *       {@code DELETE_SELF} then {@code IGNORED}.</li>
 *   <li>A key's own list overflowing ({@code jdk.nio.file.WatchService.maxEventsPerPoll}, raised here to
 *       65536 unless set) or the OS queue overflowing arrives as {@code OVERFLOW}: it becomes the engine's
 *       overflow, which rescans and reports the differences.</li>
 *   <li>A single file is watched through its parent directory's key.</li>
 * </ul>
 *
 * <p>The barrier: the JDK offers no way to flush, so {@link #barrier(long)} creates a file named after
 * the token in a private directory registered with the same service. The JDK reads the OS queue in
 * order, so once that file's creation arrives, every earlier event has been signalled; keys that were
 * reset while the barrier was in flight are drained once more before it is reported.
 *
 * <p>Threads: the JDK's own watcher thread, plus one {@code fsmon-jdk-reader} thread that only takes
 * signalled keys and hands them to the I/O thread, which does everything else.
 */
public final class WatchServiceBackend implements OsWatcher {
    private static final System.Logger LOG = System.getLogger("io.github.fsmon");
    private static final String MAX_EVENTS_PROPERTY = "jdk.nio.file.WatchService.maxEventsPerPoll";
    private static final Object WAKE = new Object();
    private static final String BARRIER_PREFIX = "b";
    private static final long PAIRING_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    static {
        // Read once by the JDK when its first watch key class loads; the default (512) overflows a key
        // after 512 unread events, a burst fsmon would then have to rescan for.
        if (System.getProperty(MAX_EVENTS_PROPERTY) == null) {
            System.setProperty(MAX_EVENTS_PROPERTY, "65536");
        }
    }

    private final WatchService service;
    private final LinkedBlockingQueue<Object> signalled = new LinkedBlockingQueue<>();
    private final Thread reader;
    private final Path barrierDir;
    private final WatchKey barrierKey;

    // I/O thread only, from here on.
    private final Map<WatchKey, Dir> byKey = new HashMap<>();
    private final Map<Integer, Dir> dirById = new HashMap<>();
    private final Map<Integer, Dir> fileParentById = new HashMap<>();
    private final List<Integer> pendingIgnored = new ArrayList<>();
    private final Set<WatchKey> resetSinceBarrier = new LinkedHashSet<>();
    private final Set<Long> barriersInFlight = new HashSet<>();
    private int nextId = 1;
    private int nextCookie = 1;
    private boolean closed;

    /**
     * What one scan of a directory remembered of an entry: its type, file key and birth time (the JDK's
     * creation time). A delete and a create are one inode renamed only if all three agree: ext4 gives a
     * freed inode number to the next new inode at once, so {@code rm a; mkdir b} or
     * {@code rm c; echo new > d} leave the same key behind. Where the file system keeps no birth time the
     * JDK gives the modification time instead: an entry whose modification time changed between its
     * lookup and its rename is then reported deleted and created.
     */
    record Child(boolean dir, Object key, long birth) {
        static final long NO_BIRTH = Long.MIN_VALUE;

        boolean sameInode(Child other) {
            return java.util.Objects.equals(key, other.key) && dir == other.dir
                    && (birth == NO_BIRTH || other.birth == NO_BIRTH || birth == other.birth);
        }
    }

    /** One registered directory: its own watch id (0 when only files in it are watched), and its children. */
    private static final class Dir {
        final WatchKey key;
        Path path;
        int id;
        final Map<String, Integer> fileIds = new HashMap<>();
        final Map<Integer, Object> fileKeys = new HashMap<>(); // the inode each single-file watch follows
        final Map<String, Child> children = new HashMap<>();

        Object selfKey;

        Dir(WatchKey key, Path path) {
            this.key = key;
            this.path = path;
            this.selfKey = fileKeyOf(path);
        }
    }

    public WatchServiceBackend() throws IOException {
        try {
            service = FileSystems.getDefault().newWatchService();
        } catch (IOException e) {
            throw translateLimit("WatchService", e);
        }
        try {
            // Named as private before it exists, so that no watch of any monitor sees it appear.
            barrierDir = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().resolve(
                    "fsmon-barrier-" + ProcessHandle.current().pid() + "-" + Long.toUnsignedString(
                            java.util.concurrent.ThreadLocalRandom.current().nextLong(), 36));
            PrivatePaths.add(barrierDir);
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
        try {
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.createDirectory(barrierDir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectory(barrierDir);
            }
            barrierKey = barrierDir.register(service, StandardWatchEventKinds.ENTRY_CREATE);
        } catch (IOException e) {
            PrivatePaths.remove(barrierDir);
            service.close();
            throw e;
        }
        reader = new Thread(this::readKeys, "fsmon-jdk-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private void readKeys() {
        try {
            while (true) {
                signalled.add(service.take());
            }
        } catch (ClosedWatchServiceException | InterruptedException e) {
            // closing
        }
    }

    @Override
    public Backend kind() {
        return Backend.JDK;
    }

    // I/O thread only.
    @Override
    public int addWatch(Path path, int mask, int flags) throws IOException {
        boolean follow = (flags & Masks.DONT_FOLLOW) == 0;
        BasicFileAttributes attrs = follow ? Files.readAttributes(path, BasicFileAttributes.class)
                : Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attrs.isDirectory()) {
            if ((flags & Masks.ONLYDIR) != 0) {
                throw new NotDirectoryException(path.toString());
            }
            Path parent = path.toAbsolutePath().getParent();
            if (parent == null) {
                throw new NotDirectoryException(path.toString());
            }
            Dir dir = register(parent);
            String name = ExactNames.key(path);
            Integer existing = dir.fileIds.get(name);
            if (existing != null) {
                return existing;
            }
            int id = nextId++;
            dir.fileIds.put(name, id);
            if (attrs.fileKey() != null) {
                dir.fileKeys.put(id, attrs.fileKey());
            }
            fileParentById.put(id, dir);
            return id;
        }
        Dir dir = register(path);
        if (dir.id == 0) {
            dir.id = nextId++;
            dirById.put(dir.id, dir);
        }
        return dir.id;
    }

    private Dir register(Path path) throws IOException {
        WatchKey key;
        try {
            key = path.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (IOException e) {
            throw translateLimit(path.toString(), e);
        }
        if (key == barrierKey) {
            throw new NoSuchFileException(path.toString(), null, "fsmon's own barrier directory");
        }
        Dir dir = byKey.get(key);
        if (dir == null) {
            dir = new Dir(key, path);
            byKey.put(key, dir);
            list(dir);
        } else if (!dir.path.equals(path)) {
            // The same directory at a new path: it was renamed, and the halves of the rename were not
            // paired. The engine's path is the current one; the key and those below it follow.
            renamed(dir.path, path);
            dir.selfKey = fileKeyOf(path);
            list(dir);
        }
        return dir;
    }

    /**
     * The JDK's inotify-based service on Linux reports the limits only in its messages; the values are read
     * where every backend reads them.
     */
    private static IOException translateLimit(String what, IOException e) {
        String message = String.valueOf(e.getMessage());
        IOException limit = null;
        if (message.contains("User limit of inotify watches reached")) {
            limit = InotifyLimits.watchLimitReached(what);
        } else if (message.contains("User limit of inotify instances reached")) {
            limit = InotifyLimits.instanceLimitReached(what);
        }
        if (limit == null) {
            return e;
        }
        limit.initCause(e);
        return limit;
    }

    private void list(Dir dir) {
        dir.children.clear();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir.path)) {
            for (Path entry : entries) {
                Child c = stat(entry);
                if (c != null) {
                    dir.children.put(ExactNames.key(entry), c);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot list " + dir.path, e);
        }
    }

    private static Object fileKeyOf(Path path) {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static Child stat(Path path) {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return new Child(a.isDirectory(), a.fileKey(),
                    a.creationTime() == null ? Child.NO_BIRTH : a.creationTime().to(java.util.concurrent.TimeUnit.NANOSECONDS));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    // I/O thread only.
    @Override
    public void removeWatch(int id) {
        Dir dir = dirById.remove(id);
        if (dir != null) {
            dir.id = 0;
            release(dir);
        } else {
            Dir parent = fileParentById.remove(id);
            if (parent != null) {
                parent.fileIds.values().remove(id);
                parent.fileKeys.remove(id);
                release(parent);
            }
        }
        pendingIgnored.add(id); // like inotify: reported whether or not the watch was still alive
        wakeup();
    }

    private void release(Dir dir) {
        if (dir.id == 0 && dir.fileIds.isEmpty()) {
            dir.key.cancel();
            byKey.remove(dir.key);
            resetSinceBarrier.remove(dir.key);
        }
    }

    @Override
    public void wakeup() {
        signalled.add(WAKE);
    }

    // I/O thread only.
    @Override
    public void barrier(long token) throws IOException {
        barriersInFlight.add(token);
        Files.createFile(barrierDir.resolve(BARRIER_PREFIX + token));
    }

    @Override
    public Path privatePath() {
        return barrierDir;
    }

    /** One event read from a key, before translation. */
    private record Raw(Dir dir, WatchEvent.Kind<?> kind, String name) {
    }

    // I/O thread only.
    @Override
    public void await(long timeoutNanos, RawEventSink sink) throws IOException {
        List<Object> ready = new ArrayList<>();
        if (pendingIgnored.isEmpty()) {
            try {
                Object first = timeoutNanos < 0 ? signalled.take() : signalled.poll(timeoutNanos, TimeUnit.NANOSECONDS);
                if (first != null) {
                    ready.add(first);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        signalled.drainTo(ready);
        for (int id : List.copyOf(pendingIgnored)) {
            sink.onEvent(id, Masks.IGNORED, 0, "", false);
        }
        pendingIgnored.clear();

        List<Raw> batch = new ArrayList<>();
        List<Dir> invalidated = new ArrayList<>();
        List<Long> barriers = new ArrayList<>();
        for (Object o : ready) {
            if (o == WAKE || !(o instanceof WatchKey key)) {
                continue;
            }
            if (key == barrierKey) {
                barriers.addAll(readBarrier());
                continue;
            }
            drain(key, batch, invalidated);
        }
        if (batch.stream().anyMatch(r -> r.kind() == StandardWatchEventKinds.ENTRY_DELETE)) {
            // The two halves of a rename between directories are signalled on two keys, one after the
            // other: give the second one a moment, so that the pair is read in one batch.
            try {
                Object more = signalled.poll(PAIRING_WAIT_NANOS, TimeUnit.NANOSECONDS);
                if (more != null) {
                    List<Object> late = new ArrayList<>();
                    late.add(more);
                    signalled.drainTo(late);
                    for (Object o : late) {
                        if (o == barrierKey) {
                            barriers.addAll(readBarrier());
                        } else if (o instanceof WatchKey key) {
                            drain(key, batch, invalidated);
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!barriers.isEmpty()) {
            // A key reset while the barrier was in flight may hold events older than it: take them now.
            for (WatchKey key : List.copyOf(resetSinceBarrier)) {
                drain(key, batch, invalidated);
            }
            resetSinceBarrier.clear();
        }
        translate(batch, sink);
        for (Dir dir : invalidated) {
            gone(dir, sink);
        }
        for (long token : barriers) {
            sink.onBarrier(token);
        }
    }

    private void drain(WatchKey key, List<Raw> batch, List<Dir> invalidated) {
        Dir dir = byKey.get(key);
        if (dir == null) {
            return; // cancelled by us
        }
        for (WatchEvent<?> event : key.pollEvents()) {
            Object context = event.context();
            // The context is a Path with the name's exact bytes: keyed exactly (its text may not be).
            batch.add(new Raw(dir, event.kind(), context instanceof Path name ? ExactNames.key(name) : ""));
        }
        if (key.reset()) {
            resetSinceBarrier.add(key);
        } else if (!invalidated.contains(dir)) {
            invalidated.add(dir);
        }
    }

    private List<Long> readBarrier() {
        List<Long> tokens = new ArrayList<>();
        for (WatchEvent<?> event : barrierKey.pollEvents()) {
            if (event.context() instanceof Path name && name.toString().startsWith(BARRIER_PREFIX)) {
                try {
                    long token = Long.parseLong(name.toString().substring(BARRIER_PREFIX.length()));
                    if (barriersInFlight.remove(token)) {
                        tokens.add(token);
                    }
                    Files.deleteIfExists(barrierDir.resolve(name));
                } catch (NumberFormatException | IOException e) {
                    LOG.log(System.Logger.Level.DEBUG, "stray barrier entry " + name, e);
                }
            } else if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                tokens.addAll(barriersInFlight); // their files were created; the list was cut short
                barriersInFlight.clear();
            }
        }
        barrierKey.reset();
        tokens.sort(null);
        return tokens;
    }

    /** Turns one batch into inotify terms: lookups for created entries, renames paired by file key. */
    private void translate(List<Raw> batch, RawEventSink sink) {
        int n = batch.size();
        if (n == 0) {
            return;
        }
        // A key follows its inode, and the JDK reports no rename of the watched directory itself: when its
        // path now names another inode or none, it was moved (it is still there, its key is valid).
        Set<Dir> moved = new HashSet<>();
        for (Dir dir : new LinkedHashSet<>(batch.stream().map(Raw::dir).toList())) {
            if (dir.id != 0 && dir.selfKey != null && dir.key.isValid()
                    && !dir.selfKey.equals(fileKeyOf(dir.path))) {
                sink.onEvent(dir.id, Masks.MOVE_SELF | Masks.ISDIR, 0, "", false);
                moved.add(dir);
            }
        }
        Child[] created = new Child[n];
        Child[] removed = new Child[n];
        int[] cookies = new int[n];
        Map<Object, List<Integer>> deletedByKey = new HashMap<>();
        // Pass 1: what each delete removed; what each create is; pair a create with an earlier delete of the same file.
        Map<Dir, Map<String, Child>> shadow = new HashMap<>();
        boolean movedHere = false;
        for (int i = 0; i < n; i++) {
            Raw r = batch.get(i);
            Map<String, Child> children = shadow.computeIfAbsent(r.dir(), d -> new HashMap<>(d.children));
            if (r.kind() == StandardWatchEventKinds.ENTRY_DELETE) {
                Child was = children.remove(r.name());
                removed[i] = was;
                if (was != null && was.key() != null) {
                    deletedByKey.computeIfAbsent(was.key(), k -> new ArrayList<>()).add(i);
                }
            } else if (r.kind() == StandardWatchEventKinds.ENTRY_CREATE) {
                created[i] = stat(ExactNames.child(r.dir().path, r.name()));
                movedHere |= pairCreate(batch, i, created[i], children, deletedByKey, removed, cookies);
            }
        }
        // A directory renamed in this batch: its key's path followed at once, so what was created in it
        // and read earlier in this batch (looked up at the old path) is looked up again where it is.
        for (int i = 0; movedHere && i < n; i++) {
            Raw r = batch.get(i);
            if (r.kind() == StandardWatchEventKinds.ENTRY_CREATE && created[i] == null && moved.contains(r.dir())) {
                created[i] = stat(ExactNames.child(r.dir().path, r.name()));
                pairCreate(batch, i, created[i], shadow.get(r.dir()), deletedByKey, removed, cookies);
            }
        }
        // Pass 2: report in the order read.
        boolean overflowed = false;
        // A directory moved before its events were read has a path that names nothing now, so what was
        // created in it cannot be looked up: whether it is a directory to watch is unknown. The JDK
        // keeps no order between directories, so the rename that says where it went may not have been
        // read yet. Only a rescan tells the truth then: treat it as an overflow.
        for (int i = 0; i < n; i++) {
            Raw r = batch.get(i);
            if (r.kind() == StandardWatchEventKinds.ENTRY_CREATE && created[i] == null && moved.contains(r.dir())
                    && !r.dir().selfKey.equals(fileKeyOf(r.dir().path))) {
                overflowed = true;
                batch.set(i, new Raw(r.dir(), StandardWatchEventKinds.OVERFLOW, null));
            }
        }
        for (int i = 0; i < n; i++) {
            Raw r = batch.get(i);
            Dir dir = r.dir();
            WatchEvent.Kind<?> kind = r.kind();
            if (kind == StandardWatchEventKinds.OVERFLOW) {
                overflowed = true;
                continue;
            }
            String name = r.name();
            if (kind == StandardWatchEventKinds.ENTRY_DELETE) {
                Child was = dir.children.remove(name);
                int isDir = was != null && was.dir() ? Masks.ISDIR : 0;
                if (cookies[i] != 0) {
                    report(sink, dir, Masks.MOVED_FROM | isDir, cookies[i], name);
                    fileGone(sink, dir, name, Masks.MOVE_SELF);
                } else {
                    report(sink, dir, Masks.DELETE | isDir, 0, name);
                    fileGone(sink, dir, name, Masks.DELETE_SELF);
                }
            } else if (kind == StandardWatchEventKinds.ENTRY_CREATE) {
                Child now = created[i];
                Child before = now == null ? null : dir.children.put(name, now);
                if (cookies[i] == 0 && before != null && before.key() != null
                        && !before.key().equals(now.key())) {
                    // Another file took a known name without a delete: the other half of a rename over
                    // it was read apart (or came from outside). The old entry is gone; say so first, as
                    // a plain create of a known name would be taken for the one already reported.
                    report(sink, dir, Masks.DELETE | (before.dir() ? Masks.ISDIR : 0), 0, name);
                }
                int isDir = now != null && now.dir() ? Masks.ISDIR : 0;
                Integer replaced = dir.fileIds.get(name);
                if (replaced != null && now != null && !java.util.Objects.equals(now.key(), dir.fileKeys.get(replaced))) {
                    fileGone(sink, dir, name, Masks.DELETE_SELF); // a new file took the watched file's name
                }
                report(sink, dir, (cookies[i] != 0 ? Masks.MOVED_TO : Masks.CREATE) | isDir, cookies[i], name);
            } else if (kind == StandardWatchEventKinds.ENTRY_MODIFY) {
                // The JDK folds content and attribute changes into one kind, and a stat cannot tell them
                // apart (touch sets the modification time as a write does): report what the JDK said.
                Child now = stat(ExactNames.child(dir.path, name));
                if (now != null) {
                    dir.children.put(name, now);
                }
                report(sink, dir, Masks.MODIFY | (now != null && now.dir() ? Masks.ISDIR : 0), 0, name);
                // A single-file watch follows its inode, so a write through another link counts too.
                for (Map.Entry<Integer, Object> f : dir.fileKeys.entrySet()) {
                    if (now != null && f.getValue().equals(now.key())) {
                        sink.onEvent(f.getKey(), Masks.MODIFY, 0, "", false);
                    }
                }
            }
        }
        if (overflowed) {
            for (Dir dir : byKey.values()) {
                list(dir);
            }
            sink.onEvent(-1, Masks.Q_OVERFLOW, 0, "", false);
        }
    }

    /**
     * Pairs create {@code i} with an earlier delete of the same file key in the batch, if there is one. A
     * renamed directory's key and those below it follow it at once ({@link #renamed}); returns whether
     * that happened.
     */
    private boolean pairCreate(List<Raw> batch, int i, Child now, Map<String, Child> children,
                               Map<Object, List<Integer>> deletedByKey, Child[] removed, int[] cookies) {
        if (now == null) {
            return false;
        }
        Raw r = batch.get(i);
        children.put(r.name(), now);
        List<Integer> deletes = now.key() == null ? null : deletedByKey.get(now.key());
        if (deletes == null || deletes.isEmpty() || deletes.getFirst() > i || sameEntry(batch.get(deletes.getFirst()), r)
                || !removed[deletes.getFirst()].sameInode(now)) {
            return false;
        }
        int from = deletes.removeFirst();
        int cookie = nextCookie++;
        if (nextCookie == 0) {
            nextCookie = 1;
        }
        cookies[from] = cookie;
        cookies[i] = cookie;
        if (!now.dir()) {
            return false;
        }
        Raw source = batch.get(from);
        renamed(ExactNames.child(source.dir().path, source.name()), ExactNames.child(r.dir().path, r.name()));
        return true;
    }

    /**
     * A delete and a create of one name in one directory are never a rename (rename(2) onto itself does
     * nothing): when both carry the same file key, the first create's lookup already saw the entry that
     * replaced the deleted one.
     */
    private static boolean sameEntry(Raw deleted, Raw created) {
        return deleted.dir() == created.dir() && deleted.name().equals(created.name());
    }

    /** A registered directory moved: its key follows the inode, so its path and those below it change. */
    private void renamed(Path from, Path to) {
        for (Dir d : byKey.values()) {
            if (d.path.startsWith(from)) {
                d.path = to.resolve(from.relativize(d.path)); // the Path, not its text: exact bytes
            }
        }
    }

    private static void report(RawEventSink sink, Dir dir, int mask, int cookie, String name) {
        if (dir.id != 0) {
            sink.onEvent(dir.id, mask, cookie, name, false);
        }
    }

    /** A watched single file left its directory: it reports {@code selfBit}, then its watch ends. */
    private void fileGone(RawEventSink sink, Dir dir, String name, int selfBit) {
        Integer fileId = dir.fileIds.get(name);
        if (fileId == null) {
            return;
        }
        dir.fileIds.remove(name);
        dir.fileKeys.remove(fileId);
        fileParentById.remove(fileId);
        sink.onEvent(fileId, selfBit, 0, "", false);
        sink.onEvent(fileId, Masks.IGNORED, 0, "", false);
        release(dir);
    }

    /** The JDK invalidated a key: its directory was deleted or unmounted. */
    private void gone(Dir dir, RawEventSink sink) {
        byKey.remove(dir.key);
        resetSinceBarrier.remove(dir.key);
        for (Map.Entry<String, Integer> f : Map.copyOf(dir.fileIds).entrySet()) {
            fileParentById.remove(f.getValue());
            sink.onEvent(f.getValue(), Masks.DELETE_SELF, 0, "", false);
            sink.onEvent(f.getValue(), Masks.IGNORED, 0, "", false);
        }
        dir.fileIds.clear();
        dir.fileKeys.clear();
        if (dir.id != 0) {
            dirById.remove(dir.id);
            int id = dir.id;
            dir.id = 0;
            sink.onEvent(id, Masks.DELETE_SELF, 0, "", false);
            sink.onEvent(id, Masks.IGNORED, 0, "", false);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            service.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the watch service", e);
        }
        reader.interrupt();
        try {
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (DirectoryStream<Path> left = Files.newDirectoryStream(barrierDir)) {
            for (Path p : left) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "cleaning " + barrierDir, e);
        }
        try {
            Files.deleteIfExists(barrierDir);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "removing " + barrierDir, e);
        }
        PrivatePaths.remove(barrierDir);
        byKey.clear();
        dirById.clear();
        fileParentById.clear();
    }
}
