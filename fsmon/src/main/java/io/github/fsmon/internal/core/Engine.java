package io.github.fsmon.internal.core;

import io.github.fsmon.Backend;
import io.github.fsmon.ErrorHandler;
import io.github.fsmon.EventKind;
import io.github.fsmon.FileEvent;
import io.github.fsmon.FileEventListener;
import io.github.fsmon.FileMonitorClosedException;
import io.github.fsmon.Watch;
import io.github.fsmon.WatchLimitException;
import io.github.fsmon.WatchOptions;

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
 * The core engine: runs the I/O thread, owns the {@link OsWatcher}, and turns raw OS events into
 * {@link FileEvent}s. It keeps, per user watch, a tree of {@link Placement}s with the children of every
 * watched directory, which is what lets it
 * <ul>
 * <li>say whether a deleted or moved entry was a directory,</li>
 * <li>arm a new subdirectory, then scan it, reporting each entry exactly once (live or synthetic),</li>
 * <li>pair renames by cookie and keep the watches of a moved directory valid under its new path,</li>
 * <li>route every OS event to the right watch, even when the OS reuses watch ids.</li>
 * </ul>
 * Fields without a comment are touched by the I/O thread only.
 */
final class Engine implements RawEventSink {
    private static final System.Logger LOG = System.getLogger("io.github.fsmon");
    private static final int ALWAYS_DELIVERED = EventKind.OVERFLOW.mask() | EventKind.IGNORED.mask()
            | EventKind.UNMOUNT.mask();

    /** A request from a user thread, answered on the I/O thread. */
    private sealed interface Request {
        void fail(Throwable error);
    }

    private record WatchRequest(Path path, WatchOptions options, FileEventListener listener,
                                CompletableFuture<Watch> result) implements Request {
        public void fail(Throwable error) {
            result.completeExceptionally(error);
        }
    }

    private record CancelRequest(WatchImpl watch, CompletableFuture<Void> result) implements Request {
        public void fail(Throwable error) {
            result.completeExceptionally(error);
        }
    }

    private record UpdateRequest(WatchImpl watch, WatchOptions options, CompletableFuture<Watch> result)
            implements Request {
        public void fail(Throwable error) {
            result.completeExceptionally(error);
        }
    }

    private record IgnoreRequest(Path path, boolean ignore, CompletableFuture<Void> result) implements Request {
        public void fail(Throwable error) {
            result.complete(null); // a closed monitor delivers nothing anyway
        }
    }

    private record SyncRequest(CompletableFuture<Void> result) implements Request {
        public void fail(Throwable error) {
            result.completeExceptionally(error);
        }
    }

    private record CloseRequest() implements Request {
        public void fail(Throwable error) {
        }
    }

    /** Opens the backend on the I/O thread. */
    interface BackendFactory {
        OsWatcher open() throws IOException;
    }

    private final BackendFactory factory;
    private final Dispatcher dispatcher;
    private final ErrorHandler errorHandler;
    private final LongSupplier clock;
    private final long movePairingNanos;
    private final Thread thread;
    private final CompletableFuture<OsWatcher> started = new CompletableFuture<>();

    private final Object requestLock = new Object();
    private final ArrayDeque<Request> requests = new ArrayDeque<>(); // guarded by requestLock
    private boolean acceptingRequests = true; // guarded by requestLock
    private volatile OsWatcher os;

    private final Map<Integer, DirWatch> byId = new HashMap<>();
    private final Set<WatchImpl> watches = new LinkedHashSet<>();
    private final Map<Integer, PendingMove> pendingMoves = new LinkedHashMap<>();
    private final List<Path> ignored = new ArrayList<>();
    private final Map<Long, CompletableFuture<Void>> barriers = new HashMap<>();
    private final List<WatchImpl> endAfterEvent = new ArrayList<>();
    /** Placements whose children's events were dropped because the queue was full. */
    private final Set<Placement> dirty = new LinkedHashSet<>();
    /** Barriers that wait for the recovery of dropped events to be queued. */
    private final List<CompletableFuture<Void>> heldBarriers = new ArrayList<>();
    /** Watches between an OVERFLOW and their RECOVERED. */
    private final Set<WatchImpl> recovering = new LinkedHashSet<>();
    private long nextBarrier = 1;
    private long nextSequence = 1;
    private Path privatePath;
    private boolean stop;

    Engine(BackendFactory factory, MonitorConfig config) {
        this.factory = factory;
        this.errorHandler = config.errorHandler() != null ? config.errorHandler() : Engine::logError;
        this.clock = config.nanoClock();
        this.movePairingNanos = config.movePairingNanos();
        this.dispatcher = new Dispatcher(config.executor(), config.queueCapacity(),
                (watch, error) -> reportError(watch, error));
        // A large stack is a safety margin only: tree walks are iterative.
        this.thread = new Thread(null, this::run, "fsmon-io", 4L << 20);
        this.thread.setDaemon(true);
    }

    private static void logError(Watch watch, Throwable error) {
        LOG.log(System.Logger.Level.WARNING, (watch != null ? watch + ": " : "") + error.getMessage(), error);
    }

    private void reportError(Watch watch, Throwable error) {
        try {
            errorHandler.onError(watch, error);
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "error handler failed", t);
        }
    }

    /** Starts the I/O thread and waits until the backend is open. */
    OsWatcher start() throws IOException {
        thread.start();
        try {
            return started.join();
        } catch (java.util.concurrent.CompletionException e) {
            dispatcher.close();
            joinThread();
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    // ---------------------------------------------------------------- user-thread entry points

    CompletableFuture<Watch> watch(Path path, WatchOptions options, FileEventListener listener) {
        CompletableFuture<Watch> result = new CompletableFuture<>();
        submit(new WatchRequest(path, options, listener, result));
        return result;
    }

    CompletableFuture<Void> cancel(WatchImpl watch) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        submit(new CancelRequest(watch, result));
        return result;
    }

    CompletableFuture<Watch> update(WatchImpl watch, WatchOptions options) {
        CompletableFuture<Watch> result = new CompletableFuture<>();
        submit(new UpdateRequest(watch, options, result));
        return result;
    }

    /** Blocks until the I/O thread applies it (except on the I/O thread itself, e.g. from an error handler). */
    void ignore(Path path, boolean ignore) {
        CompletableFuture<Void> applied = new CompletableFuture<>();
        submit(new IgnoreRequest(path.toAbsolutePath().normalize(), ignore, applied));
        if (Thread.currentThread() != thread) {
            applied.join();
        }
    }

    CompletableFuture<Void> sync() {
        CompletableFuture<Void> result = new CompletableFuture<>();
        submit(new SyncRequest(result));
        return result;
    }

    /** Stops the I/O thread (waiting for it), then the dispatcher. Idempotent. */
    void close() {
        submit(new CloseRequest());
        if (Thread.currentThread() != thread) {
            joinThread();
        }
        dispatcher.close();
    }

    private void joinThread() {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void submit(Request request) {
        synchronized (requestLock) {
            if (!acceptingRequests) {
                request.fail(new FileMonitorClosedException());
                return;
            }
            requests.add(request);
        }
        OsWatcher o = os;
        if (o != null) {
            o.wakeup();
        }
    }

    // ---------------------------------------------------------------- the I/O thread

    private void run() {
        try {
            os = factory.open();
        } catch (Throwable t) {
            synchronized (requestLock) {
                acceptingRequests = false;
            }
            started.completeExceptionally(t);
            return;
        }
        started.complete(os);
        try {
            while (!stop) {
                processRequests();
                if (stop) {
                    break;
                }
                os.await(nextTimeout(), this);
                expirePendingMoves(false);
                finishRecovery();
            }
        } catch (Throwable t) {
            reportError(null, new IOException("fsmon I/O thread failed; the monitor stops", t));
        } finally {
            shutdown();
        }
    }

    private void shutdown() {
        List<Request> left;
        synchronized (requestLock) {
            acceptingRequests = false;
            left = new ArrayList<>(requests);
            requests.clear();
        }
        FileMonitorClosedException closed = new FileMonitorClosedException();
        for (Request r : left) {
            r.fail(closed);
        }
        for (CompletableFuture<Void> b : barriers.values()) {
            b.completeExceptionally(closed);
        }
        heldBarriers.forEach(b -> b.completeExceptionally(closed));
        barriers.clear();
        for (WatchImpl w : watches) {
            w.markEnded();
        }
        watches.clear();
        byId.clear();
        pendingMoves.clear();
        try {
            os.close();
        } catch (Throwable t) {
            reportError(null, t);
        }
    }

    private long nextTimeout() {
        if (pendingMoves.isEmpty()) {
            return -1;
        }
        long first = pendingMoves.values().iterator().next().deadline;
        return Math.max(0, first - clock.getAsLong());
    }

    private void processRequests() {
        while (true) {
            Request r;
            synchronized (requestLock) {
                r = requests.poll();
            }
            if (r == null) {
                return;
            }
            try {
                handle(r);
            } catch (RuntimeException e) {
                r.fail(e);
                reportError(null, e);
            }
        }
    }

    private void handle(Request request) {
        switch (request) {
            case WatchRequest r -> addWatch(r);
            case CancelRequest r -> {
                endWatch(r.watch(), true);
                r.result().complete(null);
            }
            case UpdateRequest r -> updateWatch(r);
            case IgnoreRequest r -> {
                if (r.ignore()) {
                    if (!ignored.contains(r.path())) {
                        ignored.add(r.path());
                    }
                } else {
                    ignored.remove(r.path());
                }
                r.result().complete(null);
            }
            case SyncRequest r -> {
                long token = nextBarrier++;
                try {
                    os.barrier(token);
                    privatePath = os.privatePath();
                    barriers.put(token, r.result());
                } catch (IOException e) {
                    r.result().completeExceptionally(e);
                }
            }
            case CloseRequest r -> stop = true;
        }
    }

    // ---------------------------------------------------------------- watch set-up and tear-down

    private static int osMask(WatchOptions options, boolean directory) {
        int mask = 0;
        for (EventKind k : options.events()) {
            mask |= k.mask();
        }
        mask &= Masks.ALL_EVENTS;
        return mask | (directory ? Masks.STRUCTURE : Masks.DELETE_SELF | Masks.MOVE_SELF);
    }

    private void addWatch(WatchRequest r) {
        Path root = r.path().toAbsolutePath().normalize();
        WatchOptions options = r.options();
        WatchImpl w = new WatchImpl(this, root, options, r.listener());
        BasicFileAttributes attrs;
        int id;
        try {
            // Arm first, then look: anything that happens after the OS watch exists is reported.
            id = os.addWatch(root, osMask(options, true), options.onlyDir() ? Masks.ONLYDIR : 0);
            try {
                attrs = Files.readAttributes(root, BasicFileAttributes.class);
            } catch (IOException e) {
                releaseIfUnused(id);
                throw e;
            }
        } catch (IOException e) {
            r.result().completeExceptionally(e);
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
                r.result().completeExceptionally(withNeeded(e, root, options));
                return;
            }
        }
        r.result().complete(w);
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
    private void forgetUnusedWatches() {
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

    /**
     * Lists {@code start}'s directory and, for a recursive watch, arms and lists every subdirectory
     * below it, depth first without recursion. Each directory is armed before it is listed, so an entry
     * created meanwhile is either in the listing or reported live, and the children map removes the
     * duplicate when it is both.
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
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir.path)) {
                for (Path child : entries) {
                    String name = child.getFileName().toString();
                    if (dir.children.containsKey(name) || isPrivate(child) || options.isExcluded(w.path(), child)) {
                        continue;
                    }
                    BasicFileAttributes a;
                    try {
                        a = Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    } catch (IOException gone) {
                        continue; // deleted since listed: its DELETE will not be reported either
                    }
                    Entry e = new Entry(a);
                    if (synthetic) {
                        report(dir, EventKind.CREATE, name, child, e.isDirectory(), 0, null, true);
                    }
                    dir.children.put(name, e);
                    if (shouldDescend(options, e, child)) {
                        Placement sub = arm(dir, name, child, initial);
                        if (sub != null) {
                            e.sub = sub;
                            todo.push(sub);
                        }
                    }
                }
            } catch (NoSuchFileException | NotDirectoryException gone) {
                // removed or replaced while we looked: its parent reports that
            } catch (WatchLimitException e) {
                throw e;
            } catch (IOException | java.nio.file.DirectoryIteratorException e) {
                reportError(w, e instanceof java.nio.file.DirectoryIteratorException d ? d.getCause() : e);
            }
        }
    }

    private static boolean shouldDescend(WatchOptions options, Entry e, Path path) {
        return options.recursive() && (e.isDirectory()
                || (e.type == Entry.SYMLINK && options.followSymlinks() && Files.isDirectory(path)));
    }

    /** Arms an OS watch on a subdirectory and places it in {@code parent}'s watch tree; null if it cannot be watched. */
    private Placement arm(Placement parent, String name, Path path, boolean initial) throws WatchLimitException {
        WatchImpl w = parent.watch;
        int flags = Masks.ONLYDIR | (w.options().followSymlinks() ? 0 : Masks.DONT_FOLLOW);
        int id;
        try {
            id = os.addWatch(path, osMask(w.options(), true), flags);
        } catch (NoSuchFileException | NotDirectoryException gone) {
            return null;
        } catch (WatchLimitException e) {
            if (initial) {
                throw e;
            }
            reportError(w, e);
            return null;
        } catch (IOException e) {
            reportError(w, e);
            return null;
        }
        DirWatch dw = attach(id);
        if (parent.hasAncestorOrSelf(dw)) {
            reportError(w, new FileSystemLoopException(path.toString()));
            return null;
        }
        Placement p = new Placement(w, dw, true, parent, name, path);
        dw.placements.add(p);
        return p;
    }

    /** Detaches a placement and everything below it; OS watches nobody else uses are removed. */
    private void detach(Placement top) {
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
    private void endWatch(WatchImpl w, boolean emitIgnored) {
        if (!watches.remove(w)) {
            return;
        }
        if (emitIgnored) {
            reportRoot(w, EventKind.IGNORED);
        }
        recovering.remove(w);
        w.markEnded();
        detach(w.root);
    }

    private void updateWatch(UpdateRequest r) {
        WatchImpl w = r.watch();
        if (!watches.contains(w)) {
            r.result().completeExceptionally(new IllegalStateException(w + " has ended"));
            return;
        }
        WatchOptions options = r.options();
        Deque<Placement> todo = new ArrayDeque<>();
        todo.push(w.root);
        while (!todo.isEmpty()) {
            Placement p = todo.pop();
            try {
                int id = os.addWatch(p.path, osMask(options, p.directory),
                        p.directory ? Masks.ONLYDIR | Masks.DONT_FOLLOW : 0);
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
        r.result().complete(w);
    }

    // ---------------------------------------------------------------- OS events

    @Override
    public void onBarrier(long token) {
        // The barrier's own event was queued after everything the caller had done, and the kernel queues
        // both halves of a rename before the rename returns: a source still waiting has no partner.
        expirePendingMoves(true);
        CompletableFuture<Void> done = barriers.remove(token);
        if (done != null) {
            if (dirty.isEmpty()) {
                dispatcher.offerBarrier(done);
            } else {
                heldBarriers.add(done); // the recovery of dropped events comes first
            }
        }
    }

    @Override
    public void onEvent(int id, int mask, int cookie, String name, boolean lossy) {
        if ((mask & Masks.Q_OVERFLOW) != 0) {
            for (WatchImpl w : List.copyOf(watches)) {
                overflowNotice(w);
            }
            for (WatchImpl w : List.copyOf(watches)) {
                rescan(w);
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
        if (!p.isRoot()) {
            return;
        }
        WatchImpl w = p.watch;
        for (EventKind kind : kindsOf(mask)) {
            reportRoot(w, kind);
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
        Path path = childPath(p, name, lossy);
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
            report(p, EventKind.CREATE, name, path, isDir, 0, null, false);
            p.children.put(name, e);
            newDirectory(p, name, path, e);
        } else if ((mask & Masks.DELETE) != 0) {
            Entry e = p.children.get(name);
            if (e == null) {
                return; // created and deleted before the scan saw it: neither half is reported
            }
            report(p, EventKind.DELETE, name, path, e.isDirectory(), 0, null, false);
            p.children.remove(name);
            if (e.sub != null) {
                detach(e.sub);
            }
        } else if ((mask & Masks.MOVED_FROM) != 0) {
            Entry e = p.children.get(name);
            if (e == null) {
                return;
            }
            report(p, EventKind.MOVED_FROM, name, path, e.isDirectory(), cookie, null, false);
            p.children.remove(name);
            PendingMove move = pendingMoves.computeIfAbsent(cookie,
                    c -> new PendingMove(c, clock.getAsLong() + movePairingNanos));
            move.sources.add(new PendingMove.Source(p, name, e, path));
            if (e.sub != null) {
                setLimbo(e.sub, move);
            }
        } else if ((mask & Masks.MOVED_TO) != 0) {
            onMovedTo(p, cookie, name, path, isDir);
        } else {
            Entry e = p.children.get(name);
            if (e != null) {
                e.touched();
            }
            for (EventKind kind : kindsOf(mask)) {
                report(p, kind, name, path, e != null ? e.isDirectory() : isDir, 0, null, false);
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
        if (replaced != null && replaced.sub != null && (source == null || replaced != source.entry)) {
            detach(replaced.sub); // renamed over an (empty) directory
        }
        if (source != null) {
            source.consumed = true;
            Entry e = source.entry;
            // From an ignored path the listener never saw the entry: for it, this is a move in.
            boolean sourceHidden = isIgnored(source.path);
            report(p, EventKind.MOVED_TO, name, path, e.isDirectory(), cookie, sourceHidden ? null : source.path, false);
            p.children.put(name, e);
            if (e.sub != null) {
                if (w.options().recursive()) {
                    reparent(e.sub, p, name, path);
                    if (sourceHidden) {
                        announce(e.sub);
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
            report(p, EventKind.MOVED_TO, name, path, isDir, cookie, from, false);
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

    private void expirePendingMoves(boolean all) {
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
        forEachPlacement(top, p -> {
            p.limbo = null;
            if (p != top) {
                p.path = p.parent.path.resolve(p.name);
            }
        });
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
    private void newDirectory(Placement parent, String name, Path path, Entry e) {
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
            Placement sub = arm(parent, name, path, false);
            if (sub != null) {
                e.sub = sub;
                populate(sub, true, false);
            }
        } catch (WatchLimitException limit) {
            reportError(parent.watch, limit);
        }
    }

    private Path childPath(Placement p, String name, boolean lossy) {
        if (lossy) {
            Path real = NameLookup.find(p.path, name);
            if (real != null) {
                return real;
            }
        }
        return p.path.resolve(name);
    }

    private boolean isPrivate(Path path) {
        return privatePath != null && path.startsWith(privatePath);
    }

    // ---------------------------------------------------------------- emission

    /** Whether {@code w} wants events of this kind at this path at all. */
    private boolean wanted(WatchImpl w, EventKind kind, Path path) {
        if (!w.isActive()) {
            return false;
        }
        if ((kind.mask() & ALWAYS_DELIVERED) == 0 && !w.options().events().contains(kind)) {
            return false;
        }
        return !isIgnored(path);
    }

    private boolean isIgnored(Path path) {
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
    private void announce(Placement sub) {
        sub.delivered = new HashMap<>();
        dirty.add(sub);
        if (dispatcher.hasRoomForRecovery()) {
            recoverDropped();
        } else {
            dispatcher.whenRoomForRecovery(os::wakeup);
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
    private void report(Placement p, EventKind kind, String name, Path path, boolean isDir, int cookie,
                        Path movedFrom, boolean synthetic) {
        WatchImpl w = p.watch;
        if (!wanted(w, kind, path)) {
            return;
        }
        if (p.delivered == null && !dispatcher.hasRoom()) {
            p.delivered = new HashMap<>(p.children);
            dirty.add(p);
            overflowNotice(w);
            dispatcher.whenRoomForRecovery(os::wakeup);
        }
        if (p.delivered != null) {
            Entry e = p.children.get(name);
            if (e != null && (kind == EventKind.MODIFY || kind == EventKind.CLOSE_WRITE)) {
                e.flags |= Entry.PENDING_MODIFY;
            } else if (e != null && kind == EventKind.ATTRIB) {
                e.flags |= Entry.PENDING_ATTRIB;
            }
            return;
        }
        deliver(w, event(w, kind, path, isDir, cookie, movedFrom, synthetic));
    }

    /** Reports an event about a watch's root itself. */
    private void reportRoot(WatchImpl w, EventKind kind) {
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

    private void deliver(WatchImpl w, FileEvent event) {
        if (dispatcher.offer(event)) {
            w.overflowNoticeQueued = false;
        } else {
            overflowNotice(w);
        }
        if (w.options().oneShot() && !w.oneShotFired) {
            w.oneShotFired = true;
            endAfterEvent.add(w);
        }
    }

    /** Events of {@code w} were lost: queue one OVERFLOW notice, unless one is already waiting. */
    private void overflowNotice(WatchImpl w) {
        if (!w.isActive() || w.overflowNoticeQueued) {
            return;
        }
        w.overflowNoticeQueued = true;
        recovering.add(w);
        dispatcher.offerForced(event(w, EventKind.OVERFLOW, w.path(), w.root.directory, 0, null, false));
    }

    // ---------------------------------------------------------------- recovery after overflow

    /**
     * The kernel lost events: compare every watched directory with the disk and report the differences
     * as synthetic events. Runs on the I/O thread, directory by directory; anything that happens meanwhile
     * is reported live afterwards, and the children maps remove the duplicates.
     */
    private void rescan(WatchImpl w) {
        if (!w.isActive()) {
            return;
        }
        if (!Files.exists(w.path(), LinkOption.NOFOLLOW_LINKS) && !Files.exists(w.path())) {
            // The root went away while its events were lost.
            reportRoot(w, EventKind.DELETE_SELF);
            endWatch(w, true);
            return;
        }
        if (!w.root.directory) {
            reportRoot(w, EventKind.MODIFY);
            return;
        }
        WatchOptions options = w.options();
        Deque<Placement> todo = new ArrayDeque<>();
        todo.push(w.root);
        while (!todo.isEmpty()) {
            Placement p = todo.pop();
            if (p.detached) {
                continue;
            }
            Map<String, BasicFileAttributes> onDisk = new LinkedHashMap<>();
            Map<String, Path> paths = new HashMap<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(p.path)) {
                for (Path child : entries) {
                    if (isPrivate(child) || options.isExcluded(w.path(), child)) {
                        continue;
                    }
                    try {
                        String name = child.getFileName().toString();
                        onDisk.put(name, Files.readAttributes(child, BasicFileAttributes.class,
                                LinkOption.NOFOLLOW_LINKS));
                        paths.put(name, child);
                    } catch (IOException gone) {
                        // deleted since listed
                    }
                }
            } catch (IOException | java.nio.file.DirectoryIteratorException e) {
                continue; // gone: its parent's listing reports it
            }
            for (Map.Entry<String, Entry> known : List.copyOf(p.children.entrySet())) {
                if (!onDisk.containsKey(known.getKey())) {
                    removeChild(p, known.getKey(), known.getValue());
                }
            }
            for (Map.Entry<String, BasicFileAttributes> found : onDisk.entrySet()) {
                String name = found.getKey();
                BasicFileAttributes a = found.getValue();
                Path child = paths.get(name);
                Entry e = p.children.get(name);
                if (e != null && (e.type != Entry.typeOf(a)
                        || ((e.flags & Entry.STAT_KNOWN) != 0 && e.identity != Entry.identityOf(a)))) {
                    removeChild(p, name, e); // replaced by another file under the same name
                    e = null;
                }
                if (e == null) {
                    e = new Entry(a);
                    report(p, EventKind.CREATE, name, child, e.isDirectory(), 0, null, true);
                    p.children.put(name, e);
                    newDirectory(p, name, child, e);
                    continue;
                }
                if (!e.isDirectory() && e.changedFrom(a)) {
                    report(p, EventKind.MODIFY, name, child, false, 0, null, true);
                }
                e.record(a);
                if (e.sub != null) {
                    todo.push(e.sub);
                } else if (shouldDescend(options, e, child)) {
                    newDirectory(p, name, child, e);
                }
            }
        }
    }

    private void removeChild(Placement p, String name, Entry e) {
        report(p, EventKind.DELETE, name, p.path.resolve(name), e.isDirectory(), 0, null, true);
        p.children.remove(name);
        if (e.sub != null) {
            detach(e.sub);
        }
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
                dispatcher.whenRoomForRecovery(os::wakeup);
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
                if (!recoveryEvent(w, EventKind.DELETE, p.path.resolve(old.getKey()), old.getValue().isDirectory())) {
                    return false;
                }
                seen.remove(old.getKey());
            }
        }
        for (Map.Entry<String, Entry> now : p.children.entrySet()) {
            Entry e = now.getValue();
            Path path = p.path.resolve(now.getKey());
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
    private void finishRecovery() {
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
        for (Iterator<WatchImpl> it = recovering.iterator(); it.hasNext(); ) {
            WatchImpl w = it.next();
            if (!stillDirty.contains(w)) {
                it.remove();
                if (w.isActive()) {
                    dispatcher.offerForced(event(w, EventKind.RECOVERED, w.path(), w.root.directory, 0, null, true));
                    w.overflowNoticeQueued = false;
                }
            }
        }
        if (dirty.isEmpty() && !heldBarriers.isEmpty()) {
            heldBarriers.forEach(dispatcher::offerBarrier);
            heldBarriers.clear();
        }
    }

    private void finishOneShots() {
        if (endAfterEvent.isEmpty()) {
            return;
        }
        List<WatchImpl> done = new ArrayList<>(endAfterEvent);
        endAfterEvent.clear();
        for (WatchImpl w : done) {
            endWatch(w, true);
        }
    }

    Backend backend() {
        return os.kind();
    }

    /** For tests: how many OS watches are in use. I/O-thread state read racily. */
    int osWatchCount() {
        return byId.size();
    }
}
