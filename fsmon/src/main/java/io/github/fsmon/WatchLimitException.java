package io.github.fsmon;

import java.nio.file.FileSystemException;

/**
 * The OS refused another watch or another watch instance because a per-user limit was reached.
 *
 * <p>On Linux, {@link #limitName()} is {@code fs.inotify.max_user_watches} (one watch per watched
 * directory, for all processes of the user together) or {@code fs.inotify.max_user_instances} (one per
 * {@link FileMonitor}). Inside a user namespace (a container) whose own {@code user.max_inotify_watches} or
 * {@code user.max_inotify_instances} is lower than the host's, that one is named instead, since it is the
 * one that binds there. The message names the limit's value, what the request needed (watches) or how many
 * were in use (instances, counted over the user's processes that can be seen), and how to raise it.
 */
public class WatchLimitException extends FileSystemException {
    private static final long serialVersionUID = 1L;

    /** The limiting setting; see {@link #limitName()}. */
    private final String limitName;
    /** Its value, or -1; see {@link #limit()}. */
    private final long limit;
    /** Watches the request needed, or -1; see {@link #needed()}. */
    private final long needed;
    /** Watches or instances in use, or -1; see {@link #inUse()}. */
    private final long inUse;

    /**
     * A watch limit was reached; how many were in use is unknown.
     *
     * @param path      the path that could not be watched
     * @param limitName the sysctl (or OS setting) that limits, for example {@code fs.inotify.max_user_watches}
     * @param limit     its current value, or -1 if unknown
     * @param needed    how many watches the whole request needed, or -1 if unknown
     */
    public WatchLimitException(String path, String limitName, long limit, long needed) {
        this(path, limitName, limit, needed, -1);
    }

    /**
     * A watch or instance limit was reached.
     *
     * @param path      the path that could not be watched, or what could not be created
     * @param limitName the sysctl (or OS setting) that limits; a name ending in {@code instances}, such as
     *                  {@code fs.inotify.max_user_instances}, counts instances (one per monitor), any other
     *                  watches
     * @param limit     its current value, or -1 if unknown
     * @param needed    how many watches the whole request needed, or -1 if unknown
     * @param inUse     how many were in use when the limit was hit, or -1 if unknown
     */
    public WatchLimitException(String path, String limitName, long limit, long needed, long inUse) {
        super(path, null, reason(limitName, limit, needed, inUse));
        this.limitName = limitName;
        this.limit = limit;
        this.needed = needed;
        this.inUse = inUse;
    }

    private static String reason(String limitName, long limit, long needed, long inUse) {
        boolean instances = limitName.endsWith("instances");
        StringBuilder s = new StringBuilder(instances ? "instance limit reached: " : "watch limit reached: ")
                .append(limitName);
        if (limit >= 0) {
            s.append(" = ").append(limit);
        }
        if (inUse >= 0) {
            s.append(", ").append(inUse).append(" in use by this user's processes");
        }
        if (needed >= 0) {
            s.append(", this watch needs ").append(needed).append(needed == 1 ? " watch" : " watches");
        }
        // Instance limits are far smaller than watch limits (128 by default, against 8192 or more watches).
        long suggestion = Math.max(instances ? 1024 : 524288, limit > 0 ? limit * 2 : 0);
        if (needed > 0 && limit > 0) {
            suggestion = Math.max(suggestion, limit + needed);
        }
        s.append("; raise it with `sysctl -w ").append(limitName).append('=').append(suggestion)
                .append("` (as root; add the line `").append(limitName).append(" = ").append(suggestion)
                .append("` to a file in /etc/sysctl.d/ to keep it after a reboot)");
        return s.toString();
    }

    /**
     * The limiting setting.
     *
     * @return its name, for example {@code fs.inotify.max_user_watches}
     */
    public String limitName() {
        return limitName;
    }

    /**
     * The limit's value.
     *
     * @return its value when the limit was hit, or -1 if unknown
     */
    public long limit() {
        return limit;
    }

    /**
     * The size of the request.
     *
     * @return how many watches the request needed in total, or -1 if unknown
     */
    public long needed() {
        return needed;
    }

    /**
     * How many were in use when the limit was hit, or -1 if unknown: for an instance limit, the inotify
     * instances held by the user's processes that this process can see (in its own user namespace when the
     * namespace's limit is the one named).
     *
     * @return the count, or -1 if unknown
     */
    public long inUse() {
        return inUse;
    }
}
