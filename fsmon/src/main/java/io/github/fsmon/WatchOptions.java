package io.github.fsmon;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * How to watch a path: which event kinds, whether recursively, what to leave out. Immutable; build one
 * with {@link #builder()} or start from {@link #defaults()} / {@link #recursiveDefaults()}.
 *
 * <h2>Exclusions</h2>
 * A glob without a {@code /} ({@code "*.swp"}, {@code "node_modules"}) matches an entry's name at any
 * depth; a glob with a {@code /} ({@code "build/tmp/**"}) matches the path relative to the watch root,
 * with {@code /} as separator on every OS, and excludes what it matches and everything below:
 * {@code "build/tmp"} excludes the directory {@code build/tmp} and its contents, while
 * {@code "build/tmp/**"} excludes only what is below it (the directory itself is still watched and
 * reported). The predicates, if any, receive the absolute path. Every call of either
 * {@code exclude} method adds: an entry is excluded when any glob or any predicate says so. An
 * excluded entry produces no event, and an excluded directory is never watched, so it costs no OS watch
 * (on Linux, none of {@code fs.inotify.max_user_watches}). The root itself is never excluded.
 */
public final class WatchOptions {

    /**
     * The default event set: every change to content, metadata or the name space:
     * {@code CREATE, DELETE, MODIFY, ATTRIB, CLOSE_WRITE, MOVED_FROM, MOVED_TO, DELETE_SELF, MOVE_SELF}.
     * Reads ({@code ACCESS, OPEN, CLOSE_NOWRITE}) are left out because they are frequent and change nothing.
     */
    public static final Set<EventKind> DEFAULT_EVENTS = Collections.unmodifiableSet(EnumSet.of(
            EventKind.CREATE, EventKind.DELETE, EventKind.MODIFY, EventKind.ATTRIB, EventKind.CLOSE_WRITE,
            EventKind.MOVED_FROM, EventKind.MOVED_TO, EventKind.DELETE_SELF, EventKind.MOVE_SELF));

    private static final WatchOptions DEFAULTS = builder().build();
    private static final WatchOptions RECURSIVE_DEFAULTS = builder().recursive(true).build();

    private final Set<EventKind> events;
    private final boolean recursive;
    private final boolean autoAdd;
    private final List<String> excludeGlobs;
    private final Predicate<Path> excludeFilter;
    private final boolean followSymlinks;
    private final boolean oneShot;
    private final boolean onlyDir;
    private final boolean pollPastWatchLimit;
    private final boolean compareContent;
    private final List<PathMatcher> nameMatchers;
    private final List<PathMatcher> relativeMatchers;

    private WatchOptions(Builder b) {
        this.events = Collections.unmodifiableSet(b.events.isEmpty() ? EnumSet.noneOf(EventKind.class)
                : EnumSet.copyOf(b.events));
        this.recursive = b.recursive;
        this.autoAdd = b.autoAdd == null ? b.recursive : b.autoAdd;
        this.excludeGlobs = List.copyOf(b.excludeGlobs);
        this.excludeFilter = b.excludeFilter;
        this.followSymlinks = b.followSymlinks;
        this.oneShot = b.oneShot;
        this.onlyDir = b.onlyDir;
        this.pollPastWatchLimit = b.pollPastWatchLimit;
        this.compareContent = b.compareContent;
        List<PathMatcher> byName = new ArrayList<>();
        List<PathMatcher> byRelative = new ArrayList<>();
        for (String glob : excludeGlobs) {
            // Globs are matched against '/'-separated strings via the default file system's matcher.
            PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + glob);
            (glob.contains("/") ? byRelative : byName).add(m);
        }
        this.nameMatchers = List.copyOf(byName);
        this.relativeMatchers = List.copyOf(byRelative);
    }

    /**
     * Default change events, not recursive.
     *
     * @return the options
     */
    public static WatchOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Default change events, recursive, new subdirectories watched automatically.
     *
     * @return the options
     */
    public static WatchOptions recursiveDefaults() {
        return RECURSIVE_DEFAULTS;
    }

    /**
     * A builder with the default options (default change events, not recursive).
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder that starts from these options.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.events = EnumSet.noneOf(EventKind.class);
        b.events.addAll(events);
        b.recursive = recursive;
        b.autoAdd = autoAdd;
        b.excludeGlobs.addAll(excludeGlobs);
        b.excludeFilter = excludeFilter;
        b.followSymlinks = followSymlinks;
        b.oneShot = oneShot;
        b.onlyDir = onlyDir;
        b.pollPastWatchLimit = pollPastWatchLimit;
        b.compareContent = compareContent;
        return b;
    }

    /**
     * These options with {@code kinds} added to the event set.
     *
     * @param kinds the kinds to add
     * @return new options
     */
    public WatchOptions withAddedEvents(EventKind... kinds) {
        Builder b = toBuilder();
        b.events.addAll(Arrays.asList(kinds));
        return b.build();
    }

    /**
     * The event kinds delivered (plus {@code OVERFLOW}, {@code IGNORED} and {@code UNMOUNT}, always).
     *
     * @return the event kinds
     */
    public Set<EventKind> events() {
        return events;
    }

    /**
     * Whether subdirectories existing when the watch starts are watched too.
     *
     * @return whether the watch is recursive
     */
    public boolean recursive() {
        return recursive;
    }

    /**
     * Whether subdirectories that appear later (created or moved in) are watched; defaults to {@link #recursive()}.
     *
     * @return whether new subdirectories are watched
     */
    public boolean autoAdd() {
        return autoAdd;
    }

    /**
     * The exclusion globs, in the order they were added (see the class documentation for how they match).
     *
     * @return the globs
     */
    public List<String> excludeGlobs() {
        return excludeGlobs;
    }

    /**
     * The exclusion predicate, or {@code null}.
     *
     * @return the predicate, or {@code null}
     */
    public Predicate<Path> excludeFilter() {
        return excludeFilter;
    }

    /**
     * Whether a symbolic link to a directory inside a recursive tree is followed and the directory it
     * points to watched (default off). The root path is always resolved. Loops are detected and reported
     * as {@link java.nio.file.FileSystemLoopException} to the error handler.
     *
     * @return whether links to directories are followed
     */
    public boolean followSymlinks() {
        return followSymlinks;
    }

    /**
     * Whether the watch ends ({@code IGNORED}) after delivering its first event, like {@code IN_ONESHOT}.
     *
     * @return whether the watch is one-shot
     */
    public boolean oneShot() {
        return oneShot;
    }

    /**
     * Whether the root must be a directory ({@code IN_ONLYDIR}): otherwise the watch fails with {@link java.nio.file.NotDirectoryException}.
     *
     * @return whether only a directory may be watched
     */
    public boolean onlyDir() {
        return onlyDir;
    }

    /**
     * Whether {@code path}, an entry under {@code root}, is excluded by these options. The root itself
     * is never excluded.
     *
     * @param root the watch's root
     * @param path an absolute path under {@code root}
     * @return whether it is excluded
     */
    public boolean isExcluded(Path root, Path path) {
        if (path.equals(root)) {
            return false;
        }
        if (excludeFilter != null && excludeFilter.test(path)) {
            return true;
        }
        if (nameMatchers.isEmpty() && relativeMatchers.isEmpty()) {
            return false;
        }
        Path relative = path.startsWith(root) ? root.relativize(path) : path;
        Path name = path.getFileName();
        for (PathMatcher m : nameMatchers) {
            // A name glob excludes the entry and, through its ancestors, everything below it.
            for (Path component : relative) {
                if (m.matches(component)) {
                    return true;
                }
            }
            if (name != null && m.matches(name)) {
                return true;
            }
        }
        for (PathMatcher m : relativeMatchers) {
            for (Path prefix = relative; prefix != null; prefix = prefix.getParent()) {
                if (m.matches(prefix)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Whether the directories that do not fit under the OS watch limit are polled instead of failing the
     * watch with {@link WatchLimitException}. See {@link Builder#pollPastWatchLimit(boolean)}.
     *
     * @return whether the watch polls past the watch limit
     */
    public boolean pollPastWatchLimit() {
        return pollPastWatchLimit;
    }

    /**
     * Whether a polled file's content is compared too, not only its size and times. See
     * {@link Builder#compareContent(boolean)}.
     *
     * @return whether contents are compared
     */
    public boolean compareContent() {
        return compareContent;
    }

    /**
     * Whether these options and {@code other} watch the same set of directories, that is, differ at most
     * in their event set and one-shot flag (the changes {@link Watch#update} accepts).
     *
     * @param other the options to compare with
     * @return whether they watch the same directories
     */
    public boolean sameShape(WatchOptions other) {
        return recursive == other.recursive && autoAdd == other.autoAdd && excludeGlobs.equals(other.excludeGlobs)
                && Objects.equals(excludeFilter, other.excludeFilter) && followSymlinks == other.followSymlinks
                && onlyDir == other.onlyDir && pollPastWatchLimit == other.pollPastWatchLimit
                && compareContent == other.compareContent;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WatchOptions w && events.equals(w.events) && oneShot == w.oneShot && sameShape(w);
    }

    @Override
    public int hashCode() {
        return Objects.hash(events, recursive, autoAdd, excludeGlobs, followSymlinks, oneShot, onlyDir);
    }

    @Override
    public String toString() {
        return "WatchOptions[events=" + events + ", recursive=" + recursive + ", autoAdd=" + autoAdd
                + ", exclude=" + excludeGlobs + (excludeFilter != null ? "+filter" : "")
                + ", followSymlinks=" + followSymlinks + ", oneShot=" + oneShot + ", onlyDir=" + onlyDir
                + (pollPastWatchLimit ? ", pollPastWatchLimit" : "") + (compareContent ? ", compareContent" : "")
                + "]";
    }

    /** Builds {@link WatchOptions}. */
    public static final class Builder {
        private EnumSet<EventKind> events = EnumSet.copyOf(DEFAULT_EVENTS);
        private boolean recursive;
        private Boolean autoAdd;
        private final List<String> excludeGlobs = new ArrayList<>();
        private Predicate<Path> excludeFilter;
        private boolean followSymlinks;
        private boolean oneShot;
        private boolean onlyDir;
        private boolean pollPastWatchLimit;
        private boolean compareContent;

        private Builder() {
        }

        /**
         * Replaces the event set.
         *
         * @param kinds the kinds to deliver
         * @return this builder
         */
        public Builder events(Set<EventKind> kinds) {
            events = kinds.isEmpty() ? EnumSet.noneOf(EventKind.class) : EnumSet.copyOf(kinds);
            return this;
        }

        /**
         * Replaces the event set.
         *
         * @param first a kind to deliver
         * @param rest more kinds to deliver
         * @return this builder
         */
        public Builder events(EventKind first, EventKind... rest) {
            events = EnumSet.of(first, rest);
            return this;
        }

        /**
         * Every kind, reads included.
         *
         * @return this builder
         */
        public Builder allEvents() {
            events = EnumSet.allOf(EventKind.class);
            return this;
        }

        /**
         * Whether subdirectories existing when the watch starts are watched too (default off).
         *
         * @param recursive watch the whole tree
         * @return this builder
         */
        public Builder recursive(boolean recursive) {
            this.recursive = recursive;
            return this;
        }

        /**
         * Whether subdirectories that appear later are watched (defaults to {@link #recursive(boolean)}).
         *
         * @param autoAdd watch new subdirectories
         * @return this builder
         */
        public Builder autoAdd(boolean autoAdd) {
            this.autoAdd = autoAdd;
            return this;
        }

        /**
         * Adds exclusion globs (see the class documentation for how they match).
         *
         * @param globs globs to exclude
         * @return this builder
         */
        public Builder exclude(String... globs) {
            for (String g : globs) {
                excludeGlobs.add(Objects.requireNonNull(g));
            }
            return this;
        }

        /**
         * Adds a predicate on absolute paths; {@code true} excludes the entry. Like
         * {@link #exclude(String...)} it adds to what is already excluded (globs and earlier predicates,
         * also those of the options a {@link WatchOptions#toBuilder()} started from), so that the two
         * methods compose the same way. Called on the I/O thread.
         *
         * @param filter excludes an entry when it returns {@code true}
         * @return this builder
         */
        public Builder exclude(Predicate<Path> filter) {
            Objects.requireNonNull(filter, "filter");
            Predicate<Path> before = this.excludeFilter;
            this.excludeFilter = before == null ? filter : before.or(filter);
            return this;
        }

        /**
         * Whether symbolic links to directories inside a recursive tree are followed (default off); see {@link WatchOptions#followSymlinks()}.
         *
         * @param follow follow links to directories
         * @return this builder
         */
        public Builder followSymlinks(boolean follow) {
            this.followSymlinks = follow;
            return this;
        }

        /**
         * Whether the watch ends after its first event, like {@code IN_ONESHOT} (default off).
         *
         * @param oneShot end after the first event
         * @return this builder
         */
        public Builder oneShot(boolean oneShot) {
            this.oneShot = oneShot;
            return this;
        }

        /**
         * Whether the watch fails unless its path is a directory, like {@code IN_ONLYDIR} (default off).
         *
         * @param onlyDir directories only
         * @return this builder
         */
        public Builder onlyDir(boolean onlyDir) {
            this.onlyDir = onlyDir;
            return this;
        }

        /**
         * Degrade instead of failing at the OS watch limit: when a directory cannot get an OS watch because
         * a limit is reached (on Linux {@code fs.inotify.max_user_watches}, or a container's
         * {@code user.max_inotify_watches}), that directory and every directory below it are polled
         * ({@link Backend#POLL}, at {@link FileMonitor.Builder#pollInterval}) while the rest keeps OS
         * notifications. One {@code WARNING} names the limit; {@link Watch#polledDirectories()} lists the
         * polled subtrees. Polled subtrees have polling's limits (no {@code CLOSE_*}, changes seen once
         * per interval). Off by default: then such a watch fails with {@link WatchLimitException} and gives
         * back the watches it took.
         *
         * @param degrade poll what does not fit instead of failing
         * @return this builder
         */
        public Builder pollPastWatchLimit(boolean degrade) {
            this.pollPastWatchLimit = degrade;
            return this;
        }

        /**
         * Where the watch is polled ({@link Backend#POLL}, or directories {@link Backend#AUTO} polls),
         * also compare each regular file's content (a CRC-32C of its bytes) with the previous scan's, so a
         * write that keeps the size and the modification time is still a {@code MODIFY}: file systems
         * with coarse timestamps (FAT's 2 s, some network mounts' cached attributes), or tools that put
         * the old time back. This reads every watched file in full on every scan, so keep it for small
         * trees. Off by default. Backends that are notified of writes ({@link Backend#INOTIFY},
         * {@link Backend#JDK}) need no comparison and ignore it.
         *
         * @param compare compare contents too
         * @return this builder
         */
        public Builder compareContent(boolean compare) {
            this.compareContent = compare;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the options
         */
        public WatchOptions build() {
            if (Boolean.TRUE.equals(autoAdd) && !recursive) {
                throw new IllegalArgumentException("autoAdd needs recursive");
            }
            return new WatchOptions(this);
        }
    }
}
