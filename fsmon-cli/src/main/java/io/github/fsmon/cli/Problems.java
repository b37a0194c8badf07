package io.github.fsmon.cli;

import io.github.fsmon.ErrorHandler;
import io.github.fsmon.Watch;

import java.io.PrintStream;
import java.nio.file.FileSystemException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tells the user what could not be watched, naming the path concerned (a subdirectory deep in a tree, not
 * the watched root). While the watches are being set up, problems are collected and each distinct one is
 * said once, before {@code Watches established.}, with how many paths it left unwatched and the first of
 * them; afterwards (directories that appear later), each path is named once per problem.
 */
final class Problems implements ErrorHandler {

    /** How many of the paths with one problem are named; the rest are counted. */
    static final int NAMED = 3;

    private final PrintStream err;
    private final boolean silent;
    private final Map<String, List<String>> setUp = new LinkedHashMap<>(); // reason -> paths
    private final Set<String> told = new HashSet<>();
    private boolean established;

    Problems(PrintStream err, boolean silent) {
        this.err = err;
        this.silent = silent;
    }

    @Override
    public synchronized void onError(Watch watch, Throwable error) {
        if (silent) {
            return;
        }
        String reason = Main.reason(error);
        String path = error instanceof FileSystemException f && f.getFile() != null ? f.getFile()
                : watch != null ? PathBytes.text(PathBytes.of(watch.path())) : null;
        if (path == null) {
            line("fsmon: " + reason);
            return;
        }
        boolean unwatched = error instanceof FileSystemException;
        if (!established && unwatched) {
            setUp.computeIfAbsent(reason, r -> new ArrayList<>()).add(path);
        } else if (told.add(path + '\0' + reason)) {
            line("fsmon: " + path + ": " + reason + (unwatched ? " (not watched)" : ""));
        }
    }

    /** One line, with the exact bytes of the paths in it (PathBytes), as inotifywait writes them. */
    private void line(String text) {
        err.writeBytes(PathBytes.bytes(text + "\n"));
    }

    /** The set-up is over: says each problem it met, once. */
    synchronized void established() {
        established = true;
        for (Map.Entry<String, List<String>> e : setUp.entrySet()) {
            List<String> paths = e.getValue();
            if (paths.size() == 1) {
                line("fsmon: " + paths.getFirst() + ": " + e.getKey() + " (not watched)");
            } else {
                StringBuilder s = new StringBuilder("fsmon: ").append(e.getKey()).append(": ").append(paths.size())
                        .append(" paths not watched: ");
                s.append(String.join(", ", paths.subList(0, Math.min(NAMED, paths.size()))));
                if (paths.size() > NAMED) {
                    s.append(", and ").append(paths.size() - NAMED).append(" more");
                }
                line(s.toString());
            }
            for (String p : paths) {
                told.add(p + '\0' + e.getKey());
            }
        }
        setUp.clear();
    }
}
