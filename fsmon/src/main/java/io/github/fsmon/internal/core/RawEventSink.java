package io.github.fsmon.internal.core;

/** Receives decoded OS events from an {@link OsWatcher}, on the I/O thread. */
public interface RawEventSink {

    /**
     * One OS event.
     *
     * @param id     the OS watch id, or -1 for {@link Masks#Q_OVERFLOW}
     * @param mask   inotify bits ({@link Masks})
     * @param cookie links the two halves of a rename, else 0
     * @param name   the entry's name relative to the watched directory, as its exact key
     *               ({@link io.github.fsmon.internal.spi.ExactNames#key(byte[])}: lossless whatever its
     *               bytes); empty for the watched inode itself
     * @param lossy  whether the name has bytes that are not valid UTF-8 (escaped in the key); the name is
     *               exact either way, and the engine needs no more than the key
     */
    void onEvent(int id, int mask, int cookie, String name, boolean lossy);

    /** Every event queued before {@link OsWatcher#barrier(long)} with this token has been reported. */
    void onBarrier(long token);

    /**
     * The backend cannot read what OS watch {@code id} watches now (a directory whose mode changed under
     * the watch), and keeps what it knew of it instead of reporting its entries gone; every user watch on
     * it hears of {@code error}. Once it can be read again, the backend reports what really changed.
     */
    default void onError(int id, java.io.IOException error) {
    }
}
