package io.github.fsmon.selection;

import io.github.fsmon.EventKind;
import io.github.fsmon.FileEvent;
import io.github.fsmon.FileMonitor;
import io.github.fsmon.WatchOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Run in a JVM that denies native access: which backend AUTO chose, and whether it reports a change. */
public final class NoNativeAccessProbe {
    private NoNativeAccessProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        List<FileEvent> events = new CopyOnWriteArrayList<>();
        try (FileMonitor monitor = FileMonitor.create()) {
            System.out.println("BACKEND " + monitor.backend());
            monitor.watch(dir, WatchOptions.defaults(), events::add).join();
            Files.createFile(dir.resolve("f"));
            monitor.sync().join();
        }
        System.out.println("EVENTS " + events.stream().map(FileEvent::kind).toList());
        System.out.println("CREATE " + events.stream().anyMatch(e -> e.kind() == EventKind.CREATE
                && e.path().equals(dir.resolve("f"))));
    }
}
