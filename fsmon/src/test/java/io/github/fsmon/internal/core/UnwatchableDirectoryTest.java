package io.github.fsmon.internal.core;

import io.github.fsmon.Backend;
import io.github.fsmon.FileEvent;
import io.github.fsmon.FileMonitor;
import io.github.fsmon.WatchOptions;
import io.github.fsmon.internal.poll.PollingBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A directory that cannot be watched is reported to the error handler, never skipped in silence: whether
 * it was deleted meanwhile (then its parent reports that, and it is no error) is decided by looking at
 * it, not assumed from the error the OS gave. The OS here is polling behind a filter that refuses
 * chosen paths the way {@code inotify_add_watch} refuses a path it cannot find.
 */
class UnwatchableDirectoryTest {
    private static final long TIMEOUT = 10;

    @TempDir
    Path tmp;

    /** What the filter does for a path before it refuses it; the refusal is the exception returned. */
    interface Refusal {
        IOException refuse(Path path) throws IOException;
    }

    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final List<String> events = new CopyOnWriteArrayList<>();

    private FileMonitor monitor(Map<Path, Refusal> refused) throws IOException {
        MonitorConfig config = new MonitorConfig(Backend.POLL, null, 1024, (w, e) -> errors.add(e),
                50_000_000L, System::nanoTime, TimeUnit.HOURS.toNanos(1));
        Engine engine = new Engine(() -> new Refusing(new PollingBackend(config.pollIntervalNanos(),
                config.nanoClock()), refused), "test", config);
        engine.start();
        return new Monitors.MonitorImpl(engine);
    }

    private void record(FileEvent e) {
        events.add(e.maskNames() + " " + tmp.relativize(e.path()));
    }

    @Test
    void aDirectoryThatExistsButIsRefusedIsAnError() throws Exception {
        Files.createDirectories(tmp.resolve("a/refused"));
        Path refused = tmp.resolve("a/refused");
        try (FileMonitor m = monitor(Map.of(refused, p -> new NoSuchFileException(p.toString())))) {
            m.watch(tmp, WatchOptions.builder().recursive(true).build(), this::record).get(TIMEOUT, TimeUnit.SECONDS);
            m.sync().get(TIMEOUT, TimeUnit.SECONDS);
        }
        assertThat(errors).singleElement().satisfies(e -> assertThat(e.getMessage()).contains(refused.toString()));
    }

    @Test
    void aNewDirectoryThatExistsButIsRefusedIsAnError() throws Exception {
        Path refused = tmp.resolve("new");
        try (FileMonitor m = monitor(Map.of(refused, p -> new NotDirectoryException(p.toString())))) {
            m.watch(tmp, WatchOptions.builder().recursive(true).build(), this::record).get(TIMEOUT, TimeUnit.SECONDS);
            Files.createDirectory(refused);
            m.sync().get(TIMEOUT, TimeUnit.SECONDS);
            assertThat(events).contains("CREATE,ISDIR new");
        }
        assertThat(errors).singleElement().satisfies(e -> assertThat(e.getMessage()).contains(refused.toString()));
    }

    @Test
    void aDirectoryDeletedBeforeItCouldBeWatchedIsNoError() throws Exception {
        Files.createDirectories(tmp.resolve("a/gone"));
        Path gone = tmp.resolve("a/gone");
        try (FileMonitor m = monitor(Map.of(gone, p -> {
            Files.delete(p);
            return new NoSuchFileException(p.toString());
        }))) {
            m.watch(tmp, WatchOptions.builder().recursive(true).build(), this::record).get(TIMEOUT, TimeUnit.SECONDS);
            m.sync().get(TIMEOUT, TimeUnit.SECONDS);
        }
        assertThat(errors).isEmpty();
    }

    /** Polling, except that {@link #addWatch} refuses the chosen paths. */
    private static final class Refusing implements OsWatcher {
        private final OsWatcher os;
        private final Map<Path, Refusal> refused;

        Refusing(OsWatcher os, Map<Path, Refusal> refused) {
            this.os = os;
            this.refused = refused;
        }

        @Override
        public Backend kind() {
            return os.kind();
        }

        @Override
        public int addWatch(Path path, int mask, int flags) throws IOException {
            Refusal r = refused.get(path);
            if (r != null) {
                throw r.refuse(path);
            }
            return os.addWatch(path, mask, flags);
        }

        @Override
        public void removeWatch(int id) {
            os.removeWatch(id);
        }

        @Override
        public void await(long timeoutNanos, RawEventSink sink) throws IOException {
            os.await(timeoutNanos, sink);
        }

        @Override
        public void wakeup() {
            os.wakeup();
        }

        @Override
        public void barrier(long token) throws IOException {
            os.barrier(token);
        }

        @Override
        public void knownEntries(int id, Map<String, Boolean> names) {
            os.knownEntries(id, names);
        }

        @Override
        public Path privatePath() {
            return os.privatePath();
        }

        @Override
        public void close() {
            os.close();
        }
    }
}
