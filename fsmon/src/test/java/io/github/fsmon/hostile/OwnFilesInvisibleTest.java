package io.github.fsmon.hostile;

import io.github.fsmon.Backend;
import io.github.fsmon.EventKind;
import io.github.fsmon.FileEvent;
import io.github.fsmon.FileMonitor;
import io.github.fsmon.WatchOptions;
import io.github.fsmon.testing.Recorder;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JDK backend's delivery barrier writes into a directory of its own in the temporary directory. A
 * watch of the temporary directory, by that monitor or by another one in the JVM, must never report it,
 * nor what the barriers write in it, whether the directory was made before or after the watch.
 */
class OwnFilesInvisibleTest {

    @Test
    void barrierDirectoriesOfTheJdkBackendAreNeverReported() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
        Recorder rec = new Recorder();
        try (FileMonitor watching = FileMonitor.builder().backend(Backend.JDK).build()) {
            // Its own barrier directory exists before the watch: the listing of tmp must leave it out.
            watching.watch(tmp, WatchOptions.builder().events(EventKind.CREATE, EventKind.DELETE).build(), rec).join();
            rec.settle(watching);
            try (FileMonitor other = FileMonitor.builder().backend(Backend.JDK).build()) {
                other.sync().get(); // the other monitor's barrier directory is made, and written to
                rec.settle(watching);
            }
            rec.settle(watching); // and removed at close
        }
        List<FileEvent> own = rec.events().stream()
                .filter(e -> e.path().getFileName().toString().startsWith("fsmon-barrier-")).toList();
        assertThat(own).as("events about fsmon's own barrier directories").isEmpty();
    }
}
