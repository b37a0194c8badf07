package io.github.fsmon.internal.core;

import io.github.fsmon.EventKind;
import io.github.fsmon.EventStream;
import io.github.fsmon.FileEvent;
import io.github.fsmon.FileEventListener;
import io.github.fsmon.Watch;

import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The pull style on top of the push style: a listener whose call waits until the consumer has taken the
 * previous event. It holds one event at most, so the back-pressure is the monitor's own bounded queue and
 * its overflow rules, not a second queue with rules of its own.
 */
final class EventHandoff implements EventStream, FileEventListener {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition taken = lock.newCondition();
    private final Condition handed = lock.newCondition();
    private FileEvent slot; // guarded by lock
    private boolean closed; // guarded by lock: by the consumer, at once
    private boolean ended; // guarded by lock: the watch or the monitor ended, after what was handed over
    private volatile Watch watch;
    private volatile Runnable onClose = () -> { };

    void attach(Watch watch, Runnable onClose) {
        this.watch = watch;
        this.onClose = onClose;
    }

    @Override
    public Watch watch() {
        return watch;
    }

    // The listener thread: waits for the consumer, which is the back-pressure.
    @Override
    public void onEvent(FileEvent event) throws InterruptedException {
        lock.lock();
        try {
            while (slot != null && !closed && !ended) {
                taken.await();
            }
            if (closed || ended) {
                return;
            }
            slot = event;
            if (event.kind() == EventKind.IGNORED) {
                ended = true; // the watch's last event
            }
            handed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The monitor closed: nothing more comes; what was handed over may still be taken. */
    void monitorClosed() {
        lock.lock();
        try {
            ended = true;
            taken.signalAll();
            handed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public FileEvent take() throws InterruptedException {
        lock.lock();
        try {
            while (slot == null) {
                if (closed || ended) {
                    throw new NoSuchElementException("the event stream of " + watch + " has ended");
                }
                handed.await();
            }
            return takeSlot();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public FileEvent poll(Duration timeout) throws InterruptedException {
        long nanos = timeout.isNegative() ? 0 : saturatedNanos(timeout);
        lock.lock();
        try {
            while (slot == null) {
                if (closed || ended || nanos <= 0) {
                    return null;
                }
                nanos = handed.awaitNanos(nanos);
            }
            return takeSlot();
        } finally {
            lock.unlock();
        }
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private FileEvent takeSlot() {
        FileEvent e = slot;
        slot = null;
        taken.signalAll();
        return e;
    }

    @Override
    public boolean isEnded() {
        lock.lock();
        try {
            return slot == null && (closed || ended);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Iterator<FileEvent> iterator() {
        return new Iterator<>() {
            private FileEvent next;

            @Override
            public boolean hasNext() {
                if (next != null) {
                    return true;
                }
                try {
                    next = take();
                    return true;
                } catch (NoSuchElementException e) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }

            @Override
            public FileEvent next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("the event stream has ended");
                }
                FileEvent e = next;
                next = null;
                return e;
            }
        };
    }

    @Override
    public Stream<FileEvent> events() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(),
                Spliterator.ORDERED | Spliterator.NONNULL), false).onClose(this::close);
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            slot = null;
            taken.signalAll();
            handed.signalAll();
        } finally {
            lock.unlock();
        }
        Watch w = watch;
        if (w != null) {
            w.close();
        }
        onClose.run();
    }

    @Override
    public String toString() {
        return "EventStream[" + watch + "]";
    }
}
