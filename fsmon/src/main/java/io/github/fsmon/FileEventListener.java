package io.github.fsmon;

/**
 * Receives the events of one {@link Watch}, one at a time and in order, on the monitor's listener executor.
 *
 * <p>A listener may call {@link Watch#cancel()} or {@link FileMonitor#close()} from inside
 * {@link #onEvent}; neither deadlocks. A listener that throws is reported to the monitor's
 * {@link ErrorHandler} and delivery continues with the next event.
 */
@FunctionalInterface
public interface FileEventListener {
    /** Called for each event; must not block for long, since later events wait behind it. */
    void onEvent(FileEvent event);
}
