package io.github.fsmon;

/**
 * Receives the events of one {@link Watch}, one at a time and in order, on the monitor's listener executor.
 *
 * <p>A listener may call any method of the monitor and its watches from inside {@link #onEvent}, among
 * them {@link Watch#cancel()} and {@link FileMonitor#close()}; none deadlocks. Waiting there for
 * {@link FileMonitor#sync()}, or for any of the monitor's futures when the listener runs on the monitor's
 * I/O thread, could never end and throws {@link IllegalStateException} at once: see "What a listener may
 * call" in {@link FileMonitor}. A listener that throws is reported to the monitor's {@link ErrorHandler}
 * and delivery continues with the next event.
 *
 * <p>{@link #onEvent} may throw checked exceptions too, so a lambda that reads the changed file compiles
 * as it is:
 * <pre>{@code
 * monitor.watch(dir, event -> {
 *     if (event.kind() == EventKind.CLOSE_WRITE) {
 *         process(Files.readString(event.path())); // an IOException goes to the error handler
 *     }
 * });
 * }</pre>
 * What it throws, checked or not, reaches the {@link ErrorHandler} unchanged, with the event's watch.
 */
@FunctionalInterface
public interface FileEventListener {
    /**
     * Called for each event; must not block for long, since later events, of every watch of the monitor,
     * wait behind it.
     *
     * @param event the change
     * @throws Exception anything; it is reported to the monitor's {@link ErrorHandler} and delivery
     *                   continues with the next event
     */
    void onEvent(FileEvent event) throws Exception;
}
