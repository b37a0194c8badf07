package io.github.fsmon.internal.poll;

import io.github.fsmon.internal.core.Masks;
import io.github.fsmon.internal.core.RawEventSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the polling backend scans, driven by a clock the test moves by hand: no real time passes, so
 * every assertion is about the interval logic alone.
 */
class PollingIntervalTest {
    @TempDir
    Path dir;
    private final AtomicLong clock = new AtomicLong(5_000_000_000L);
    private final List<String> events = new ArrayList<>();
    private final RawEventSink sink = new RawEventSink() {
        @Override
        public void onEvent(int id, int mask, int cookie, String name, boolean lossy) {
            events.add(Integer.toHexString(mask & ~Masks.ISDIR) + " " + name);
        }

        @Override
        public void onBarrier(long token) {
            events.add("barrier " + token);
        }
    };

    private List<String> poll() throws Exception {
        backend.await(0, sink); // a zero timeout: look, never wait
        List<String> out = List.copyOf(events);
        events.clear();
        return out;
    }

    private PollingBackend backend;

    private void start(long intervalMillis) throws Exception {
        backend = new PollingBackend(TimeUnit.MILLISECONDS.toNanos(intervalMillis), clock::get);
        backend.addWatch(dir, Masks.CREATE | Masks.DELETE | Masks.MODIFY, 0);
    }

    private void advance(long millis) {
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    @Test
    void scansOncePerIntervalAndNotBefore() throws Exception {
        start(1000);
        Files.createFile(dir.resolve("a"));
        assertThat(poll()).isEmpty();
        advance(999);
        assertThat(poll()).isEmpty();
        advance(1);
        assertThat(poll()).containsExactly("100 a"); // CREATE
        Files.delete(dir.resolve("a"));
        advance(999); // the next interval counts from the scan
        assertThat(poll()).isEmpty();
        advance(1);
        assertThat(poll()).containsExactly("200 a"); // DELETE
        backend.close();
    }

    @Test
    void subSecondIntervals() throws Exception {
        start(50);
        Files.createFile(dir.resolve("a"));
        advance(49);
        assertThat(poll()).isEmpty();
        advance(1);
        assertThat(poll()).containsExactly("100 a");
        backend.close();
    }

    @Test
    void aBarrierScansAtOnceAndRestartsTheInterval() throws Exception {
        start(1000);
        advance(600);
        Files.createFile(dir.resolve("a"));
        backend.barrier(7);
        assertThat(poll()).containsExactly("100 a", "barrier 7");
        Files.createFile(dir.resolve("b"));
        advance(600); // 1200 ms since the start, but only 600 since the barrier's scan
        assertThat(poll()).isEmpty();
        advance(400);
        assertThat(poll()).containsExactly("100 b");
        backend.close();
    }

    @Test
    void aClockThatJumpsFarAheadScansOnceNotOncePerMissedInterval() throws Exception {
        start(100);
        Files.createFile(dir.resolve("a"));
        advance(10_000);
        assertThat(poll()).containsExactly("100 a");
        Files.createFile(dir.resolve("b"));
        assertThat(poll()).isEmpty(); // no catching up: the next scan is one interval after this one
        advance(100);
        assertThat(poll()).containsExactly("100 b");
        backend.close();
    }
}
