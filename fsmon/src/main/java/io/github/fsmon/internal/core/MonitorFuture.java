package io.github.fsmon.internal.core;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A future of a monitor's request that refuses to be waited for where it could never complete: every
 * request is answered by the I/O thread, so waiting on the I/O thread (a listener run by an executor that
 * runs tasks in the calling thread, an error handler, an exclusion filter) would stall the monitor for
 * good; and a delivery barrier completes only after the listener call in progress returns, so waiting
 * for one inside a listener call would too. There {@link #get()} and {@link #join()} throw
 * {@link IllegalStateException} at once instead of hanging. Dependent stages ({@code thenApply}, …)
 * inherit the rule; callbacks ({@code thenAccept}, {@code whenComplete}) are always fine.
 */
final class MonitorFuture<T> extends CompletableFuture<T> {
    /** Throws if waiting here could never end. */
    interface WaitCheck {
        void check();
    }

    private final WaitCheck check;

    MonitorFuture(WaitCheck check) {
        this.check = check;
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        mayWait();
        return super.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        mayWait();
        return super.get(timeout, unit);
    }

    @Override
    public T join() {
        mayWait();
        return super.join();
    }

    private void mayWait() {
        if (!isDone()) {
            check.check();
        }
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new MonitorFuture<>(check);
    }
}
