package io.github.fsmon.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Snapshots of process resources, to assert that a monitor leaves nothing behind. */
public final class Leaks {
    private Leaks() {
    }

    /** Open file descriptors of this process, as {@code /proc/self/fd} lists them. */
    public static Set<String> openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** How many of this process's descriptors point at an inotify instance or an eventfd. */
    public static long fsmonFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(p -> {
                try {
                    String target = Files.readSymbolicLink(p).toString();
                    return target.contains("inotify") || target.contains("eventfd");
                } catch (IOException e) {
                    return false; // closed between list and read: the directory stream's own fd
                }
            }).count();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** inotify watches held by this process, from the {@code inotify wd:} lines of /proc/self/fdinfo. */
    public static long inotifyWatches() {
        long count = 0;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue; // closed between list and read
                }
                if (target.contains("inotify")) {
                    try (Stream<String> lines = Files.lines(Path.of("/proc/self/fdinfo", fd.getFileName().toString()))) {
                        count += lines.filter(l -> l.startsWith("inotify wd:")).count();
                    }
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return count;
    }

    /** Live threads whose name starts with {@code fsmon-}. */
    public static long fsmonThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("fsmon-")).count();
    }
}
