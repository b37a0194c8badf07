package io.github.fsmon;

import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/**
 * The events of one {@link Watch}, pulled one at a time by a consumer thread instead of pushed to a
 * listener: the pull style, for code written against {@link java.nio.file.WatchService}. Obtained from
 * {@link FileMonitor#stream(java.nio.file.Path, WatchOptions)}.
 *
 * <pre>{@code
 * try (FileMonitor monitor = FileMonitor.create();
 *      EventStream events = monitor.stream(Path.of("src"), WatchOptions.recursiveDefaults())) {
 *     for (FileEvent event : events) {
 *         System.out.println(event.maskNames() + " " + event.path());
 *     }
 * }
 * }</pre>
 *
 * <h2>Built on the listener</h2>
 * A stream is a {@link FileEventListener} that hands each event to the consumer: its call returns once the
 * consumer has taken the previous event, so at most one event waits in the stream itself. A consumer that
 * does not take therefore holds the monitor's listener executor, and the monitor's own bounded queue
 * ({@link FileMonitor.Builder#queueCapacity(int)}) fills; then the rules of "Overflow and recovery" in
 * {@link FileMonitor} apply unchanged: events are dropped, the watch gets {@link EventKind#OVERFLOW}, and,
 * once the consumer takes again and the queue has drained, synthetic events for the real differences and
 * {@link EventKind#RECOVERED}. A consumer that applies every event ends with the true state of the tree.
 *
 * <p>Since every watch of a monitor shares its listener executor, a stream whose consumer does not take
 * also delays the other watches of the monitor; give a stream a monitor of its own when that matters. The
 * monitor must deliver on a thread of its own (the default): with an executor that runs tasks in the
 * calling thread, a consumer that does not take would stall the monitor's I/O thread.
 *
 * <h2>End</h2>
 * The stream ends when its watch ends (after the consumer took the final {@link EventKind#IGNORED}: the
 * root was deleted, moved or unmounted, a one-shot event fired), when the monitor closes (after the
 * consumer took the event already handed over), or when {@link #close()} is called (at once). Then
 * {@link #take()} throws {@link NoSuchElementException}, {@link #poll(Duration)} returns {@code null} and
 * the iterator has no next element. Every method may be called from any thread; {@link #close()} wakes
 * every consumer that waits.
 */
public interface EventStream extends AutoCloseable, Iterable<FileEvent> {

    /**
     * The watch whose events this stream carries.
     *
     * @return the watch
     */
    Watch watch();

    /**
     * Waits for the next event and takes it.
     *
     * @return the next event
     * @throws InterruptedException   if the thread is interrupted while it waits
     * @throws NoSuchElementException if the stream has ended (see "End") and no event is left
     */
    FileEvent take() throws InterruptedException;

    /**
     * Takes the next event, waiting at most {@code timeout} for one.
     *
     * @param timeout how long to wait at most; zero or negative does not wait
     * @return the next event, or {@code null} if none came within the timeout or the stream has ended
     *         (tell them apart with {@link #isEnded()})
     * @throws InterruptedException if the thread is interrupted while it waits
     */
    FileEvent poll(Duration timeout) throws InterruptedException;

    /**
     * Whether the stream has ended (see "End") and no event is left to take.
     *
     * @return {@code true} once {@link #take()} would throw {@link NoSuchElementException}
     */
    boolean isEnded();

    /**
     * A blocking view: {@link Iterator#hasNext()} waits for the next event and is {@code false} once the
     * stream has ended. Interrupting a thread that waits in {@code hasNext()} ends the iteration there: it
     * returns {@code false} with the thread's interrupt status set. Meant for one consumer thread.
     *
     * @return an iterator over the events still to come
     */
    @Override
    Iterator<FileEvent> iterator();

    /**
     * A sequential, ordered, blocking {@link Stream} view of {@link #iterator()}; closing it closes this
     * event stream.
     *
     * @return the events still to come, ending when this stream ends
     */
    Stream<FileEvent> events();

    /**
     * Ends the stream and cancels its watch (like {@link Watch#close()}): an event not yet taken is
     * dropped, and every consumer that waits wakes up. Idempotent; never throws, also after the monitor
     * closed.
     */
    @Override
    void close();
}
