package io.github.fsmon.testing;

import io.github.fsmon.WatchOptions;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Holds a monitor's I/O thread, so that OS events pile up unread (to overflow a kernel queue or a read
 * buffer). The exclusion predicate of {@link #recursiveOptions()} runs on the I/O thread; the first time
 * it looks at an entry named {@link #TRIGGER} it blocks there until {@link #release()}.
 */
public final class IoThreadBlocker {
    /** Create an entry with this name in the watched tree to block the I/O thread. */
    public static final String TRIGGER = "block-here";

    private final CountDownLatch blocked = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicBoolean once = new AtomicBoolean();

    /** Recursive watch options whose exclusion predicate blocks the I/O thread at {@link #TRIGGER}. */
    public WatchOptions recursiveOptions() {
        return WatchOptions.builder().recursive(true).exclude(p -> {
            if (p.getFileName().toString().equals(TRIGGER) && once.compareAndSet(false, true)) {
                blocked.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return false;
        }).build();
    }

    /** Whether the I/O thread reached the trigger within 30 s. */
    public boolean awaitBlocked() throws InterruptedException {
        return blocked.await(30, TimeUnit.SECONDS);
    }

    /** Lets the I/O thread go on. */
    public void release() {
        release.countDown();
    }
}
