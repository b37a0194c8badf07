package io.github.fsmon.churn;

import io.github.fsmon.Backend;
import io.github.fsmon.testing.ChildJvm;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The model-based stress test: for each backend, file system and seed, a random workload of a few
 * thousand operations on a small tree, as fast as possible, under a recursive watch; after the delivery
 * barrier the delivered events, replayed strictly onto the initial tree ({@link StrictTreeModel}), must
 * give the tree on disk with no impossible step, and the monitor must report no error and close
 * cleanly. Each run is bounded (60 s by default) and fails with its report past that. Each runs in a
 * JVM of its own ({@link ChurnFork}).
 *
 * <p>The default run covers inotify, the backend that reads the kernel queue ahead; polling under this
 * workload is a known limit (renames between two scans are not all told apart, and some runs do not
 * replay to the disk): run it with {@code -Dfsmon.churn.backend=poll}. Run the class alone with
 * {@code ./mvnw -q -pl fsmon test -Dtest=ChurnModelTest}. A failure prints the command that
 * replays exactly that run. System properties narrow or widen it:
 * {@code -Dfsmon.churn.seed=1,2,3} (seeds), {@code -Dfsmon.churn.ops=3000}, {@code -Dfsmon.churn.backend=inotify,poll},
 * {@code -Dfsmon.churn.fs=tmp,tmpfs}, {@code -Dfsmon.churn.events=all} (every event kind, reads and
 * opens too), {@code -Dfsmon.churn.timeout=60} (seconds per run), {@code -Dfsmon.churn.tmpfs=private}
 * (always mount a private tmpfs, even where one is already mounted) or {@code -Dfsmon.churn.tmpfs=/path}
 * (that tmpfs), {@code -Dfsmon.churn.queue=100} (a queue of 100 events and a listener held until the
 * workload ends: fsmon's own queue overflows, and its recovery is what is checked),
 * {@code -Dfsmon.churn.reports=DIR} (where full reports go; {@code target/churn}).
 *
 * <p>Polling scans every 50 ms; "as fast as possible" means the whole workload may fall between two
 * scans, which is one of the cases it must get right.
 */
class ChurnModelTest {
    private static final String SEEDS = System.getProperty("fsmon.churn.seed", "1,2,3");
    private static final int OPS = Integer.getInteger("fsmon.churn.ops", 3000);
    private static final String BACKENDS = System.getProperty("fsmon.churn.backend", "inotify");
    private static final String FILESYSTEMS = System.getProperty("fsmon.churn.fs", "tmp,tmpfs");
    private static final boolean ALL_EVENTS = System.getProperty("fsmon.churn.events", "default").equals("all");
    private static final Duration TIMEOUT = Duration.ofSeconds(Integer.getInteger("fsmon.churn.timeout", 60));
    private static final String TMPFS = System.getProperty("fsmon.churn.tmpfs", "");
    private static final int QUEUE = Integer.getInteger("fsmon.churn.queue", 0);
    private static final Path REPORTS = Path.of(System.getProperty("fsmon.churn.reports", "target/churn"));
    private static final Duration POLL_INTERVAL = Duration.ofMillis(50);

    @TempDir
    Path scratch;

    static Stream<Arguments> runs() {
        List<Arguments> all = new ArrayList<>();
        for (String backend : split(BACKENDS)) {
            for (String fs : split(FILESYSTEMS)) {
                for (String seed : split(SEEDS)) {
                    all.add(Arguments.of(Backend.valueOf(backend.toUpperCase(Locale.ROOT)), fs, Long.parseLong(seed)));
                }
            }
        }
        return all.stream();
    }

    private static List<String> split(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    @ParameterizedTest(name = "{0} on {1}, seed {2}")
    @MethodSource("runs")
    void eventsReplayedOntoTheInitialTreeGiveTheDisk(Backend backend, String fs, long seed) throws Exception {
        Assumptions.assumeTrue(backend.isAvailable(), backend + " is not available here");
        Path parent;
        boolean privateTmpfs = false;
        switch (fs) {
            case "tmp" -> parent = ChurnFileSystems.temporaryDirectory();
            case "tmpfs" -> {
                Optional<Path> mounted = TMPFS.equals("private") ? Optional.empty() : ChurnFileSystems.mountedTmpfs(TMPFS);
                if (mounted.isPresent()) {
                    parent = mounted.get();
                } else {
                    String why = ChurnFileSystems.whyNoPrivateTmpfs(scratch);
                    Assumptions.assumeTrue(why == null, "no tmpfs: none is mounted and writable here, and " + why);
                    parent = scratch;
                    privateTmpfs = true;
                }
            }
            default -> throw new IllegalArgumentException("fsmon.churn.fs takes tmp and tmpfs, not " + fs);
        }
        // In a JVM of its own: an engine stuck for good must not hang this one, nor spin under the next runs.
        ChurnFork.Outcome outcome = ChurnFork.run(config(backend, parent, fs, seed), ChildJvm.classPath(),
                privateTmpfs, REPORTS.toAbsolutePath());
        System.out.print(outcome.output());
        assertThat(outcome.output()).as("the child run's output").contains(ChurnMain.RESULT);
        if (!outcome.passed()) {
            fail((privateTmpfs ? "(on a private tmpfs: add -Dfsmon.churn.tmpfs=private to the replay) " : "") + "exit status " + outcome.exitStatus() + ":\n"
                    + outcome.output());
        }
        if (privateTmpfs) {
            assertThat(outcome.output()).as("the run was on a tmpfs").contains("(tmpfs)");
        }
    }

    private static ChurnRun.Config config(Backend backend, Path parent, String fs, long seed) {
        return new ChurnRun.Config(seed, OPS, backend, POLL_INTERVAL, ALL_EVENTS, parent, fs, TIMEOUT, QUEUE);
    }
}
