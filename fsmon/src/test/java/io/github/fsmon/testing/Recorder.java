package io.github.fsmon.testing;

import io.github.fsmon.FileEvent;
import io.github.fsmon.FileEventListener;
import io.github.fsmon.FileMonitor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A listener that records every event it receives. Use {@link #settle(FileMonitor)} (a delivery barrier,
 * not a sleep) before looking at what was recorded.
 */
public final class Recorder implements FileEventListener {
    private final List<FileEvent> events = new ArrayList<>();

    @Override
    public synchronized void onEvent(FileEvent event) {
        events.add(event);
    }

    /** Waits until every event caused before this call has been delivered. */
    public Recorder settle(FileMonitor monitor) {
        try {
            monitor.sync().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("sync failed", e);
        }
        return this;
    }

    public synchronized List<FileEvent> events() {
        return List.copyOf(events);
    }

    public synchronized void clear() {
        events.clear();
    }

    /** Events as {@code "KIND[,ISDIR] relative/path"} lines, relative to {@code root}. */
    public synchronized List<String> lines(Path root) {
        return events.stream().map(e -> line(root, e)).collect(Collectors.toList());
    }

    public static String line(Path root, FileEvent e) {
        String rel = root.relativize(e.path()).toString();
        StringBuilder s = new StringBuilder(e.maskNames()).append(' ').append(rel.isEmpty() ? "." : rel);
        if (e.movedFrom() != null) {
            s.append(" <- ").append(root.relativize(e.movedFrom()));
        }
        return s.toString();
    }
}
