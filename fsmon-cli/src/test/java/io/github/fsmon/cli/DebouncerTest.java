package io.github.fsmon.cli;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Debouncer} driven by a virtual clock from the cases in {@code debounce/cases.txt}: each case lists
 * the changes and when they happen, and the runs expected (when each starts, with which paths, and when it
 * ends). Nothing waits for real time.
 */
class DebouncerTest {

    /** A scheduler whose time only moves when the test runs the next task. */
    static final class VirtualScheduler implements Debouncer.Scheduler {
        private record Task(long at, long order, Runnable run, boolean[] cancelled) {
        }

        private final PriorityQueue<Task> tasks = new PriorityQueue<>(
                Comparator.comparingLong(Task::at).thenComparingLong(Task::order));
        private long now;
        private long order;

        @Override
        public Debouncer.Cancellable schedule(Runnable task, Duration delay) {
            boolean[] cancelled = {false};
            tasks.add(new Task(now + delay.toMillis(), order++, task, cancelled));
            return () -> cancelled[0] = true;
        }

        void at(long time, Runnable task) {
            tasks.add(new Task(time, order++, task, new boolean[] {false}));
        }

        long now() {
            return now;
        }

        void runAll() {
            for (int steps = 0; !tasks.isEmpty(); steps++) {
                assertThat(steps).as("runaway schedule").isLessThan(100_000);
                Task t = tasks.poll();
                now = t.at();
                if (!t.cancelled()[0]) {
                    t.run().run();
                }
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> cases() throws IOException {
        String text;
        try (InputStream in = DebouncerTest.class.getResourceAsStream("/debounce/cases.txt")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (String block : text.split("\ncase ")) {
            List<String> lines = block.lines().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
            if (lines.isEmpty() || block.startsWith("#")) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest(lines.getFirst(), () -> run(lines.subList(1, lines.size()))));
        }
        assertThat(tests).hasSizeGreaterThanOrEqualTo(8);
        return tests.stream();
    }

    private static void run(List<String> lines) {
        VirtualScheduler clock = new VirtualScheduler();
        long quiet = 0;
        long takes = 0;
        List<String[]> changes = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (String line : lines) {
            String[] w = line.split("\\s+");
            switch (w[0]) {
                case "quiet" -> quiet = Long.parseLong(w[1]);
                case "takes" -> takes = Long.parseLong(w[1]);
                default -> {
                    if (w[1].equals("change")) {
                        changes.add(w);
                    } else {
                        expected.add(line);
                    }
                }
            }
        }
        List<String> log = new ArrayList<>();
        long runTime = takes;
        boolean[] running = {false};
        Debouncer.Runner runner = (paths, done) -> {
            assertThat(running[0]).as("two runs at once").isFalse();
            running[0] = true;
            log.add(clock.now() + " start " + String.join(" ", paths));
            clock.schedule(() -> {
                log.add(clock.now() + " end");
                running[0] = false;
                done.run();
            }, Duration.ofMillis(runTime));
        };
        Debouncer debouncer = new Debouncer(Duration.ofMillis(quiet), clock, runner);
        for (String[] w : changes) {
            long at = Long.parseLong(w[0]);
            clock.at(at, () -> Arrays.stream(w, 2, w.length).forEach(debouncer::changed));
        }
        clock.runAll();
        assertThat(log).containsExactlyElementsOf(sortedByTime(expected));
    }

    /** Expected lines in time order; at equal times, as written. */
    private static List<String> sortedByTime(List<String> lines) {
        List<String> sorted = new ArrayList<>(lines);
        sorted.sort(Comparator.comparingLong(l -> Long.parseLong(l.split("\\s+")[0])));
        return sorted;
    }
}
