package io.github.fsmon.internal.poll;

import java.nio.file.Path;
import java.util.Map;

/**
 * How the polling backend reads what it compares. The portable one goes through the JDK
 * ({@link JdkStatReader}); on Linux, with native access, {@code io.github.fsmon.internal.linux.StatxReader}
 * calls {@code statx(2)} relative to the directory, which is faster and always has the ctime. Keys from
 * two readers are never compared with each other. I/O thread only.
 */
public interface StatReader extends AutoCloseable {
    /**
     * The entry at {@code path}, following a final symbolic link when {@code follow}; null when it is gone
     * or cannot be read. The ctime may be left out ({@link PollingBackend.Stat#NO_CTIME}) unless {@code ctime}.
     */
    PollingBackend.Stat stat(Path path, boolean follow, boolean ctime);

    /**
     * Every entry of the directory {@code dir} by name (its exact key,
     * {@link io.github.fsmon.internal.spi.ExactNames#key(Path)}), links not followed; an entry gone between the
     * listing and its stat is left out, and a directory that is gone or unreadable gives an empty map.
     */
    Map<String, PollingBackend.Stat> list(Path dir, boolean ctime);

    /** Frees what the reader holds. */
    @Override
    void close();
}
