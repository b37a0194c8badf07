package io.github.fsmon.hostile;

import io.github.fsmon.Backend;
import io.github.fsmon.FileEvent;
import io.github.fsmon.FileMonitor;
import io.github.fsmon.WatchOptions;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Run in a child JVM as an ordinary user, while the test changes the tree as another user: a recursive
 * watch (backend and tree from the arguments; polling scans only at {@code sync()}) driven line by line
 * from standard input. {@code sync} makes a delivery barrier and prints what arrived since the last one,
 * as {@code EVENT} and {@code ERROR} lines, then {@code SYNCED}; {@code exit} ends.
 */
public final class UnreadableProbe {
    private UnreadableProbe() {
    }

    public static void main(String[] args) throws Exception {
        Backend backend = Backend.valueOf(args[0]);
        Path tree = Path.of(args[1]);
        List<String> lines = new CopyOnWriteArrayList<>();
        try (FileMonitor monitor = FileMonitor.builder().backend(backend).pollInterval(Duration.ofHours(1))
                .errorHandler((w, e) -> lines.add("ERROR " + e.getClass().getSimpleName() + " " + e.getMessage()))
                .build()) {
            monitor.watch(tree, WatchOptions.recursiveDefaults(),
                    (FileEvent e) -> lines.add("EVENT " + e.maskNames() + " " + tree.relativize(e.path()))).join();
            System.out.println("READY " + monitor.backend());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            int printed = 0;
            for (String cmd = in.readLine(); cmd != null && !cmd.equals("exit"); cmd = in.readLine()) {
                monitor.sync().join();
                List<String> now = List.copyOf(lines);
                now.subList(printed, now.size()).forEach(System.out::println);
                printed = now.size();
                System.out.println("SYNCED");
            }
        }
    }
}
