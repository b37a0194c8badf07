package io.github.fsmon;

/**
 * Receives problems that do not belong to a single future: a subdirectory that could not be watched
 * (permission denied, watch limit, symlink loop, name too long), a listener that threw, an unexpected
 * failure of the I/O thread. The rest of the tree keeps being watched.
 *
 * <p>The default handler logs through {@link System.Logger} (logger {@code io.github.fsmon}) at
 * {@code WARNING}. Called on the I/O thread or the listener thread: keep it short and non-blocking.
 */
@FunctionalInterface
public interface ErrorHandler {
    /**
     * Called once for each problem.
     *
     * @param watch the watch the error concerns, or {@code null} when it concerns the whole monitor
     * @param error what went wrong; file-system problems are {@link java.nio.file.FileSystemException}s
     */
    void onError(Watch watch, Throwable error);
}
