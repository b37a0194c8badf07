package io.github.fsmon.internal.core;

import io.github.fsmon.Backend;
import io.github.fsmon.ErrorHandler;

import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * Everything a monitor is built from.
 *
 * @param backend            the requested backend (may be AUTO)
 * @param executor           the listener executor, or {@code null} for the monitor's own daemon thread
 * @param queueCapacity      events that may wait for listeners before overflow
 * @param errorHandler       where stray errors go, or {@code null} to log them
 * @param movePairingNanos   how long a directory renamed away waits for the other half of the rename
 * @param nanoClock          the monotonic clock used for every timeout (injectable for tests)
 * @param pollIntervalNanos  how often polled directories are scanned
 * @param fileSystemType     the file-system type of a path, which decides whether AUTO polls it
 */
public record MonitorConfig(Backend backend, Executor executor, int queueCapacity, ErrorHandler errorHandler,
                            long movePairingNanos, LongSupplier nanoClock, long pollIntervalNanos,
                            java.util.function.Function<java.nio.file.Path, String> fileSystemType) {

    public MonitorConfig(Backend backend, Executor executor, int queueCapacity, ErrorHandler errorHandler,
                         long movePairingNanos, LongSupplier nanoClock, long pollIntervalNanos) {
        this(backend, executor, queueCapacity, errorHandler, movePairingNanos, nanoClock, pollIntervalNanos,
                new MountTable(nanoClock));
    }
}
