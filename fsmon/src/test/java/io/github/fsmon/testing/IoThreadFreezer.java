package io.github.fsmon.testing;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Stops a monitor's I/O thread at chosen points, as often as needed, so that OS events pile up unread as
 * when fsmon lags behind. Give the watch {@link #predicate()} as its exclusion predicate (it runs on the
 * I/O thread); {@link #plant} a trigger name, then create an entry of that name in the watched tree: the
 * I/O thread stops the first time it looks at it (its event, or the listing of its directory) until
 * {@link #thaw()}. Trigger entries are excluded, so no listener ever sees them. Unlike
 * {@link IoThreadBlocker}, which blocks once, a freezer can stop the thread again at a later trigger,
 * for instance one planted inside a directory the thread has not listed yet.
 */
public final class IoThreadFreezer {
    /** Every trigger's name starts with this. */
    public static final String PREFIX = ".fsmon-freeze-";

    private final Set<String> planted = new HashSet<>();
    private int next;
    /** The trigger the I/O thread is stopped at, or null. Guarded by this. */
    private String frozenAt;
    private CountDownLatch release;

    /** The exclusion predicate: excludes trigger entries, and stops at a planted one. */
    public Predicate<Path> predicate() {
        return path -> {
            Path file = path.getFileName();
            if (file == null || !file.toString().startsWith(PREFIX)) {
                return false;
            }
            CountDownLatch r;
            synchronized (this) {
                if (!planted.remove(file.toString())) {
                    return true; // a trigger already used (its deletion, a later listing)
                }
                r = release = new CountDownLatch(1);
                frozenAt = file.toString();
                notifyAll();
            }
            try {
                r.await(60, TimeUnit.SECONDS); // a bound, so a failed test cannot hang the I/O thread for ever
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return true;
        };
    }

    /** A fresh trigger name, armed: create an entry of that name in the watched tree. */
    public synchronized String plant() {
        String name = PREFIX + (next++);
        planted.add(name);
        return name;
    }

    /** Whether the I/O thread is stopped at a trigger. */
    public synchronized boolean frozen() {
        return frozenAt != null;
    }

    /** Waits until the I/O thread is stopped at a trigger; {@code false} if it was not within {@code millis}. */
    public synchronized boolean awaitFrozen(long millis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (frozenAt == null) {
            long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    /** Lets the I/O thread go on. */
    public void thaw() {
        CountDownLatch r;
        synchronized (this) {
            r = release;
            release = null;
            frozenAt = null;
        }
        if (r != null) {
            r.countDown();
        }
    }

    /** Forgets every planted trigger and lets the thread go: before closing the monitor. */
    public void thawForGood() {
        synchronized (this) {
            planted.clear();
        }
        thaw();
    }
}
