package io.github.fsmon.cli;

import io.github.fsmon.Backend;
import io.github.fsmon.ErrorHandler;
import io.github.fsmon.FileMonitor;
import io.github.fsmon.Watch;

import java.util.concurrent.CompletableFuture;

/**
 * Start-up: builds a monitor with the default settings on a second thread while the main thread parses the
 * command line, because picocli's first parse and the library's native set-up (its FFM downcall stubs are
 * generated at run time) are each a large part of the time to {@code Watches established.}. {@link Session}
 * takes it when the options ask for those defaults; otherwise it is closed and a monitor is built as asked.
 */
final class EarlyMonitor implements ErrorHandler {

    private final CompletableFuture<FileMonitor> monitor = new CompletableFuture<>();
    private volatile ErrorHandler target = (watch, error) -> { };

    private EarlyMonitor() {
    }

    static EarlyMonitor start() {
        EarlyMonitor early = new EarlyMonitor();
        Thread.ofPlatform().daemon().name("fsmon-early-monitor").start(() -> {
            try {
                early.monitor.complete(FileMonitor.builder().errorHandler(early).build());
            } catch (Throwable t) {
                early.monitor.completeExceptionally(t);
            }
        });
        return early;
    }

    /**
     * The early monitor, reporting errors to {@code handler}, if {@code settings} ask for what it was built
     * with; otherwise {@code null}, and the early monitor is closed. Also {@code null} when building it
     * failed: the caller builds its own and meets the error itself.
     */
    FileMonitor take(Main.Settings settings, ErrorHandler handler) {
        FileMonitor m;
        try {
            m = monitor.join();
        } catch (RuntimeException e) {
            return null;
        }
        if (settings.backend() == Backend.AUTO && settings.queueCapacity() == Main.DEFAULT_QUEUE_CAPACITY
                && settings.pollInterval() == null) {
            target = handler;
            return m;
        }
        m.close();
        return null;
    }

    /** Unused by the command: closes the early monitor (for --help, --version, errors). */
    void discard() {
        monitor.thenAccept(FileMonitor::close);
    }

    @Override
    public void onError(Watch watch, Throwable error) {
        target.onError(watch, error);
    }
}
