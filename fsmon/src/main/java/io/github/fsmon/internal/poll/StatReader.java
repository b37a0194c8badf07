package io.github.fsmon.internal.poll;

import java.nio.file.AccessDeniedException;
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
     * or cannot be read for another reason than permissions. The ctime may be left out
     * ({@link PollingBackend.Stat#NO_CTIME}) unless {@code ctime}; the birth time is given where the reader
     * and the file system have one ({@link PollingBackend.Stat#NO_BIRTH} otherwise).
     *
     * @throws AccessDeniedException when a directory on the way may not be searched: the entry may still
     *                               be there, so it is not reported gone
     */
    PollingBackend.Stat stat(Path path, boolean follow, boolean ctime) throws AccessDeniedException;

    /**
     * Every entry of the directory {@code dir} by name (its exact key,
     * {@link io.github.fsmon.internal.spi.ExactNames#key(Path)}), links not followed; an entry gone between
     * the listing and its stat is left out, and a directory that is gone gives an empty map.
     *
     * @throws AccessDeniedException when the directory may not be listed, or its entries not looked at
     *                               (a mode without {@code r} or {@code x}): it is not empty for that
     */
    Map<String, PollingBackend.Stat> list(Path dir, boolean ctime) throws AccessDeniedException;

    /** Frees what the reader holds. */
    @Override
    void close();
}
