package io.github.fsmon.cli;

import io.github.fsmon.EventKind;
import io.github.fsmon.FileEvent;
import io.github.fsmon.FileMonitor;
import io.github.fsmon.WatchOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The {@code fsmon} command: watches paths and prints one line per event. */
@Command(name = "fsmon", mixinStandardHelpOptions = true, version = "fsmon 0.1.0",
        description = "Watches files and directory trees and prints every change, one line per event: "
                + "the inotify-style event names, the path, and for a rename the path it came from.")
public final class Main implements java.util.concurrent.Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or directories to watch.")
    List<Path> paths = new ArrayList<>();

    @Option(names = {"-r", "--recursive"}, description = "Watch directories recursively, new subdirectories included.")
    boolean recursive;

    @Option(names = {"-e", "--event"}, split = ",", paramLabel = "EVENT",
            description = "Event kinds to report (repeatable, comma lists allowed), e.g. create,delete,modify. "
                    + "Default: the change events.")
    List<String> events = new ArrayList<>();

    @Option(names = {"--exclude"}, paramLabel = "GLOB", description = "Leave out entries matching this glob (repeatable).")
    List<String> excludes = new ArrayList<>();

    @Option(names = {"-t", "--timeout"}, paramLabel = "SECONDS", description = "Exit after this many seconds (exit code 2).")
    long timeoutSeconds;

    @Option(names = {"-q", "--quiet"}, description = "Do not print 'Watches established.' on stderr.")
    boolean quiet;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        WatchOptions.Builder options = WatchOptions.builder().recursive(recursive);
        if (!events.isEmpty()) {
            Set<EventKind> kinds = EnumSet.noneOf(EventKind.class);
            for (String e : events) {
                kinds.add(EventKind.valueOf(e.trim().toUpperCase(Locale.ROOT)));
            }
            options.events(kinds);
        }
        options.exclude(excludes.toArray(String[]::new));
        WatchOptions watchOptions = options.build();
        CountDownLatch ended = new CountDownLatch(paths.size());
        AtomicInteger failures = new AtomicInteger();
        try (FileMonitor monitor = FileMonitor.create()) {
            for (Path path : paths) {
                try {
                    monitor.watch(path, watchOptions, event -> {
                        out.println(format(event));
                        if (event.kind() == EventKind.IGNORED) {
                            ended.countDown();
                        }
                    }).join();
                } catch (CompletionException e) {
                    System.err.println("fsmon: cannot watch " + path + ": " + e.getCause().getMessage());
                    failures.incrementAndGet();
                    ended.countDown();
                }
            }
            if (failures.get() == paths.size()) {
                return 1;
            }
            if (!quiet) {
                System.err.println("Watches established.");
            }
            if (timeoutSeconds > 0) {
                return ended.await(timeoutSeconds, TimeUnit.SECONDS) ? 0 : 2;
            }
            ended.await();
            return 0;
        }
    }

    static String format(FileEvent event) {
        StringBuilder s = new StringBuilder().append(event.maskNames()).append(' ').append(event.path());
        if (event.movedFrom() != null) {
            s.append(" <- ").append(event.movedFrom());
        }
        return s.toString();
    }
}
