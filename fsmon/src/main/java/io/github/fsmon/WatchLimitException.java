package io.github.fsmon;

import java.nio.file.FileSystemException;

/**
 * The OS refused another watch or another watch instance because a per-user limit was reached.
 *
 * <p>On Linux, {@link #limitName()} is {@code fs.inotify.max_user_watches} (one watch per watched
 * directory, for all processes of the user together) or {@code fs.inotify.max_user_instances} (one per
 * {@link FileMonitor}). Inside a user namespace (a container) whose own {@code user.max_inotify_watches} or
 * {@code user.max_inotify_instances} is lower than the host's, that one is named instead, since it is the
 * one that binds there. The message says how to raise it.
 */
public class WatchLimitException extends FileSystemException {
    private static final long serialVersionUID = 1L;

    private final String limitName;
    private final long limit;
    private final long needed;

    /**
     * @param path      the path that could not be watched
     * @param limitName the sysctl (or OS setting) that limits, for example {@code fs.inotify.max_user_watches}
     * @param limit     its current value, or -1 if unknown
     * @param needed    how many watches the whole request needed, or -1 if unknown
     */
    public WatchLimitException(String path, String limitName, long limit, long needed) {
        super(path, null, reason(limitName, limit, needed));
        this.limitName = limitName;
        this.limit = limit;
        this.needed = needed;
    }

    private static String reason(String limitName, long limit, long needed) {
        StringBuilder s = new StringBuilder("watch limit reached: ").append(limitName);
        if (limit >= 0) {
            s.append(" = ").append(limit);
        }
        if (needed >= 0) {
            s.append(", this watch needs ").append(needed).append(needed == 1 ? " watch" : " watches");
        }
        long suggestion = Math.max(524288, limit > 0 ? limit * 2 : 0);
        if (needed > 0 && limit > 0) {
            suggestion = Math.max(suggestion, limit + needed);
        }
        s.append("; raise it with `sysctl -w ").append(limitName).append('=').append(suggestion)
                .append("` (as root; add the line `").append(limitName).append(" = ").append(suggestion)
                .append("` to a file in /etc/sysctl.d/ to keep it after a reboot)");
        return s.toString();
    }

    /** The limiting setting, for example {@code fs.inotify.max_user_watches}. */
    public String limitName() {
        return limitName;
    }

    /** Its value when the limit was hit, or -1 if unknown. */
    public long limit() {
        return limit;
    }

    /** How many watches the request needed in total, or -1 if unknown. */
    public long needed() {
        return needed;
    }
}
