package io.github.fsmon.internal.core;

import io.github.fsmon.Backend;
import io.github.fsmon.WatchLimitException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A notifying backend (inotify, the JDK's WatchService) with a polling backend beside it, on the same I/O
 * thread, for the directories the first one cannot serve:
 * <ul>
 *   <li>roots on a file system that does not report changes made elsewhere (NFS, SMB/CIFS, FUSE, 9p, …),
 *       when {@code pollRemote} is on (the {@link Backend#AUTO} choice), with one log line per file
 *       system;</li>
 *   <li>directories that no longer fit under the OS watch limit, for an addWatch with
 *       {@link Masks#DEGRADE}, with one log line per watch limit reached;</li>
 *   <li>and every directory below a polled one.</li>
 * </ul>
 * Polled watch ids carry {@link #POLLED}, so the two id spaces never meet; a barrier completes once both
 * backends have passed it. {@link #kind()} is the notifying backend's: {@link #isPolled(int)} tells the
 * rest.
 */
public final class RoutingBackend implements OsWatcher {
    private static final System.Logger LOG = System.getLogger("io.github.fsmon");
    /** Marks a polled watch id. Notifying backends' ids stay below it (inotify's are small, positive). */
    static final int POLLED = 0x4000_0000;

    /** File-system types whose changes made by another host or process outside the kernel go unreported. */
    private static final Set<String> NON_NOTIFYING = Set.of("nfs", "nfs4", "cifs", "smb3", "smbfs", "9p",
            "virtiofs", "vboxsf", "prl_fs", "afs", "ceph", "glusterfs", "lustre", "gpfs", "davfs", "sshfs");

    private final OsWatcher primary;
    private final java.util.function.Supplier<OsWatcher> pollFactory;
    private final boolean pollRemote;
    private final Function<Path, String> fsType;
    private final long pollIntervalNanos;
    private OsWatcher poll;

    // I/O thread only.
    private final Map<Integer, Path> polledPaths = new HashMap<>();
    private final Set<Path> polledDirs = new HashSet<>();
    private final Map<Long, Integer> barrierParts = new HashMap<>();
    private final Set<String> loggedTypes = new HashSet<>();
    private boolean loggedLimit;

    /**
     * @param pollRemote whether roots on non-notifying file systems are polled
     * @param fsType     the file-system type of a path ({@link #fileSystemType}, or a test's)
     */
    public RoutingBackend(OsWatcher primary, java.util.function.Supplier<OsWatcher> pollFactory,
                          boolean pollRemote, Function<Path, String> fsType, long pollIntervalNanos) {
        this.primary = primary;
        this.pollFactory = pollFactory;
        this.pollRemote = pollRemote;
        this.fsType = fsType;
        this.pollIntervalNanos = pollIntervalNanos;
    }

    /** The type of the file store holding {@code path} ({@code ext4}, {@code nfs4}, {@code fuse.sshfs}, …), or "". */
    public static String fileSystemType(Path path) {
        try {
            return Files.getFileStore(path).type();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** Whether changes on this file-system type may happen without the kernel telling local watchers. */
    static boolean doesNotNotify(String type) {
        String t = type.toLowerCase(Locale.ROOT);
        return NON_NOTIFYING.contains(t) || t.startsWith("fuse.") || t.equals("fuse");
    }

    @Override
    public Backend kind() {
        return primary.kind();
    }

    @Override
    public boolean isPolled(int id) {
        return (id & POLLED) != 0;
    }

    // I/O thread only.
    @Override
    public int addWatch(Path path, int mask, int flags) throws IOException {
        Path parent = path.getParent();
        if (parent != null && polledDirs.contains(parent)) {
            return addPolled(path, mask, flags); // below a polled directory: polled too
        }
        if (pollRemote) {
            String type = fsType.apply(path);
            if (doesNotNotify(type)) {
                if (loggedTypes.add(type)) {
                    LOG.log(System.Logger.Level.INFO, "fsmon: " + path + " is on a " + type + " file system, "
                            + "which does not report changes made on other hosts; polling it every "
                            + pollIntervalNanos / 1_000_000 + " ms instead of using " + primary.kind());
                }
                return addPolled(path, mask, flags);
            }
        }
        try {
            return primary.addWatch(path, mask, flags);
        } catch (WatchLimitException e) {
            if ((flags & Masks.DEGRADE) == 0) {
                throw e;
            }
            if (!loggedLimit) {
                loggedLimit = true;
                LOG.log(System.Logger.Level.WARNING, "fsmon: " + e.getMessage() + "; polling " + path
                        + " and the directories that do not fit every " + pollIntervalNanos / 1_000_000 + " ms");
            }
            return addPolled(path, mask, flags);
        }
    }

    private int addPolled(Path path, int mask, int flags) throws IOException {
        if (poll == null) {
            poll = pollFactory.get();
        }
        int id = poll.addWatch(path, mask, flags & ~(Masks.SUBTREE | Masks.DEGRADE)) | POLLED;
        if (polledPaths.putIfAbsent(id, path) == null && Files.isDirectory(path)) {
            polledDirs.add(path);
        }
        return id;
    }

    @Override
    public void knownEntries(int id, Map<String, Boolean> names) {
        if (isPolled(id)) {
            poll.knownEntries(id & ~POLLED, names);
        } else {
            primary.knownEntries(id, names);
        }
    }

    @Override
    public void removeWatch(int id) {
        if (isPolled(id)) {
            Path path = polledPaths.remove(id);
            if (path != null) {
                polledDirs.remove(path);
            }
            poll.removeWatch(id & ~POLLED);
        } else {
            primary.removeWatch(id);
        }
    }

    // I/O thread only.
    @Override
    public void await(long timeoutNanos, RawEventSink sink) throws IOException {
        if (poll == null) {
            primary.await(timeoutNanos, sink);
            return;
        }
        long wait = Math.min(pollIntervalNanos, timeoutNanos < 0 ? Long.MAX_VALUE : timeoutNanos);
        if (!barrierParts.isEmpty()) {
            wait = 0; // the poller owes a barrier: its scan must not wait for the primary's next event
        }
        RawEventSink counting = new Counting(sink);
        primary.await(wait, counting);
        poll.await(0, new RawEventSink() {
            @Override
            public void onEvent(int id, int mask, int cookie, String name, boolean lossy) {
                sink.onEvent(id < 0 ? id : id | POLLED, mask, cookie, name, lossy);
            }

            @Override
            public void onBarrier(long token) {
                counting.onBarrier(token);
            }

            @Override
            public void onError(int id, IOException error) {
                sink.onError(id | POLLED, error);
            }
        });
    }

    /** Forwards a barrier once both backends have reported it. */
    private final class Counting implements RawEventSink {
        private final RawEventSink sink;

        Counting(RawEventSink sink) {
            this.sink = sink;
        }

        @Override
        public void onEvent(int id, int mask, int cookie, String name, boolean lossy) {
            sink.onEvent(id, mask, cookie, name, lossy);
        }

        @Override
        public void onError(int id, IOException error) {
            sink.onError(id, error);
        }

        @Override
        public void onBarrier(long token) {
            Integer left = barrierParts.get(token);
            if (left == null || left <= 1) {
                barrierParts.remove(token);
                sink.onBarrier(token);
            } else {
                barrierParts.put(token, left - 1);
            }
        }
    }

    // I/O thread only.
    @Override
    public void drain() throws IOException {
        primary.drain();
    }

    @Override
    public int pendingFor(int id, String name) {
        return isPolled(id) ? 0 : primary.pendingFor(id, name);
    }

    @Override
    public boolean readsAhead() {
        return primary.readsAhead();
    }

    @Override
    public boolean hasBuffered() {
        return primary.hasBuffered();
    }

    // I/O thread only.
    @Override
    public void listingStarts(int id, int[] parentIds, String[] names) throws IOException {
        int n = 0;
        for (int parent : parentIds) {
            if (!isPolled(parent)) {
                n++;
            }
        }
        int[] ids = new int[n];
        String[] in = new String[n];
        for (int i = 0, j = 0; i < parentIds.length; i++) {
            if (!isPolled(parentIds[i])) {
                ids[j] = parentIds[i];
                in[j++] = names[i];
            }
        }
        primary.listingStarts(id >= 0 && isPolled(id) ? -1 : id, ids, in);
    }

    // I/O thread only.
    @Override
    public void listingEnds() throws IOException {
        primary.listingEnds();
    }

    @Override
    public void wakeup() {
        primary.wakeup();
    }

    // I/O thread only.
    @Override
    public void barrier(long token) throws IOException {
        if (poll != null) {
            barrierParts.put(token, 2);
            poll.barrier(token);
        }
        primary.barrier(token);
    }

    @Override
    public Path privatePath() {
        return primary.privatePath();
    }

    @Override
    public void close() {
        try {
            primary.close();
        } finally {
            if (poll != null) {
                poll.close();
            }
        }
    }
}
