package io.github.fsmon.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The command run as a process: {@code --json}, {@code --exec}, {@code --} commands, {@code -0}, overflow, backends. */
class CliProcessTest {

    @TempDir
    Path tmp;

    private Watcher fsmon(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(Watcher.fsmonCommand());
        cmd.addAll(List.of(args));
        return Watcher.start(cmd, tmp);
    }

    /** fsmon whose standard output the test reads line by line. */
    private Watcher fsmonReadByTest(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(Watcher.fsmonCommand());
        cmd.addAll(List.of(args));
        return Watcher.start(cmd, tmp, false);
    }

    private void sh(String script) throws Exception {
        Process p = new ProcessBuilder("sh", "-ec", script).directory(tmp.toFile()).inheritIO().start();
        assertThat(p.waitFor(Watcher.PATIENCE_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(script).isZero();
    }

    @Test
    void jsonLinesForAnyPath() throws Exception {
        sh("mkdir -p d/old");
        try (Watcher w = fsmon("-m", "-r", "-t", "1", "--json", "d")) {
            w.awaitEstablished();
            sh("touch \"$(printf 'd/tab\\tnew\\nline')\" \"$(printf 'd/bad\\377\\376name')\" 'd/quote\"back\\slash';"
                    + " mv d/old d/new; echo x > d/new/f");
            assertThat(w.awaitExit()).isEqualTo(2);
            List<Map<String, Object>> events = new ArrayList<>();
            for (String line : w.outputText().split("\n")) {
                events.add(parse(line));
            }
            Path d = tmp.resolve("d").toRealPath();
            long lastSequence = -1;
            for (Map<String, Object> e : events) {
                assertThat(e).containsKeys("kind", "names", "path", "isDir", "cookie", "movedFrom", "synthetic",
                        "sequence", "time");
                assertThat((Long) e.get("sequence")).isGreaterThan(lastSequence);
                lastSequence = (Long) e.get("sequence");
                assertThat(Instant.parse((String) e.get("time"))).isNotNull();
                assertThat(e.get("synthetic")).isInstanceOf(Boolean.class);
            }
            assertThat(events).anySatisfy(e -> {
                assertThat(e.get("kind")).isEqualTo("CREATE");
                assertThat(e.get("path")).isEqualTo(d + "/tab\tnew\nline");
                assertThat(e).doesNotContainKey("pathBytes");
            });
            assertThat(events).anySatisfy(e -> {
                assertThat(e.get("kind")).isEqualTo("CREATE");
                assertThat(e.get("path")).isEqualTo(d + "/quote\"back\\slash");
            });
            assertThat(events).anySatisfy(e -> {
                assertThat(e.get("kind")).isEqualTo("CREATE");
                assertThat((String) e.get("path")).startsWith(d + "/bad").endsWith("name").contains("\uFFFD");
                byte[] bytes = Base64.getDecoder().decode((String) e.get("pathBytes"));
                byte[] expected = (d + "/bad\u00ff\u00fename").getBytes(StandardCharsets.ISO_8859_1);
                assertThat(bytes).isEqualTo(expected);
            });
            Map<String, Object> from = events.stream().filter(e -> e.get("kind").equals("MOVED_FROM")).findFirst()
                    .orElseThrow();
            Map<String, Object> to = events.stream().filter(e -> e.get("kind").equals("MOVED_TO")).findFirst()
                    .orElseThrow();
            assertThat(to.get("movedFrom")).isEqualTo(d + "/old");
            assertThat(to.get("path")).isEqualTo(d + "/new");
            assertThat(to.get("isDir")).isEqualTo(true);
            assertThat(to.get("names")).isEqualTo(List.of("MOVED_TO", "ISDIR"));
            assertThat(to.get("cookie")).isEqualTo(from.get("cookie")).isNotEqualTo(0L);
            assertThat(events).anySatisfy(e -> {
                assertThat(e.get("kind")).isEqualTo("CLOSE_WRITE");
                assertThat(e.get("names")).isEqualTo(List.of("CLOSE_WRITE", "CLOSE"));
                assertThat(e.get("path")).isEqualTo(d + "/new/f");
            });
        }
    }

    @Test
    void nulTerminatedRecords() throws Exception {
        sh("mkdir d");
        try (Watcher w = fsmon("-m", "-t", "1", "-e", "create", "-0", "d")) {
            w.awaitEstablished();
            sh("touch \"$(printf 'd/two\\nlines')\" d/plain");
            assertThat(w.awaitExit()).isEqualTo(2);
            assertThat(w.outputText()).isEqualTo("d/ CREATE two\nlines\0d/ CREATE plain\0");
        }
    }

    @Test
    void execRunsTheCommandWithTheChangedPaths() throws Exception {
        sh("mkdir d");
        // The command prints the paths from the environment and from its standard input, framed.
        try (Watcher w = fsmonReadByTest("-r", "-e", "close_write", "--debounce", "20ms", "d", "--",
                "sh", "-c", "echo \"env:$FSMON_PATHS\"; echo \"stdin:$(cat)\"; echo done")) {
            BufferedReader out = lines(w);
            w.awaitEstablished();
            sh("echo 1 > d/first");
            Path d = tmp.resolve("d").toRealPath();
            assertThat(readLines(out, 3)).containsExactly("env:" + d + "/first", "stdin:" + d + "/first", "done");
            sh("echo 2 > d/second");
            assertThat(readLines(out, 3)).containsExactly("env:" + d + "/second", "stdin:" + d + "/second", "done");
        }
    }

    @Test
    void execWithoutEventsListIgnoresTheCommandsOwnReads() throws Exception {
        sh("mkdir d");
        // The command reads the changed file (OPEN, ACCESS, CLOSE_NOWRITE) before it prints: with every
        // event counted, that read would start a second run for the same file.
        try (Watcher w = fsmonReadByTest("-r", "--debounce", "20ms", "d", "--",
                "sh", "-c", "cat \"$FSMON_PATHS\" > /dev/null; echo \"run $FSMON_PATHS\"")) {
            BufferedReader out = lines(w);
            w.awaitEstablished();
            Path d = tmp.resolve("d").toRealPath();
            sh("echo 1 > d/a");
            assertThat(readLines(out, 1)).containsExactly("run " + d + "/a");
            sh("echo 2 > d/b");
            assertThat(readLines(out, 1)).containsExactly("run " + d + "/b");
        }
    }

    @Test
    void execThroughTheShellNeverRunsTwiceAtOnce() throws Exception {
        sh("mkdir d");
        // mkdir fails if another run holds the lock; the run waits for the test's go-ahead in a fifo.
        sh("mkfifo go");
        try (Watcher w = fsmonReadByTest("-r", "-e", "close_write", "--debounce", "10ms",
                "--exec", "mkdir lock && echo \"run $(cat | wc -l)\" && cat go > /dev/null && rmdir lock", "d")) {
            BufferedReader out = lines(w);
            w.awaitEstablished();
            sh("echo 1 > d/a");
            assertThat(readLines(out, 1)).containsExactly("run 1");
            // Three changes while the first run waits: they make exactly one more run, after it.
            sh("echo 2 > d/b; echo 3 > d/c; echo 4 > d/b");
            sh("echo > go");
            assertThat(readLines(out, 1)).containsExactly("run 2");
            sh("echo > go");
            assertThat(w.errors()).doesNotContain("command exited");
        }
    }

    @Test
    void overflowIsAnExplicitLineAndRecoveryIsVisible() throws Exception {
        sh("mkdir d");
        // Nobody reads fsmon's output until the burst is over: the pipe fills, then fsmon's 8-event queue.
        List<String> cmd = new ArrayList<>(Watcher.fsmonCommand());
        cmd.addAll(List.of("-m", "-t", "1", "-e", "create", "--queue-capacity", "8", "d"));
        Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(false).start();
        try {
            BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
            assertThat(err.readLine()).isEqualTo("Setting up watches.");
            assertThat(err.readLine()).isEqualTo("Watches established.");
            String name = "x".repeat(200);
            sh("i=0; while [ $i -lt 2000 ]; do : > d/" + name + "$i; i=$((i+1)); done");
            List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            assertThat(p.waitFor(Watcher.PATIENCE_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(2);
            int overflow = lines.indexOf("d/ Q_OVERFLOW ");
            int recovered = lines.indexOf("d/ RECOVERED ");
            assertThat(overflow).as("Q_OVERFLOW line").isNotNegative();
            assertThat(recovered).as("RECOVERED line").isGreaterThan(overflow);
            Set<String> created = new HashSet<>();
            for (String l : lines) {
                if (l.startsWith("d/ CREATE ")) {
                    created.add(l.substring("d/ CREATE ".length()));
                }
            }
            assertThat(created).as("every file reported, live or by the recovery").hasSize(2000);
        } finally {
            p.destroyForcibly();
            p.waitFor(Watcher.PATIENCE_SECONDS, TimeUnit.SECONDS);
        }
    }

    @Test
    void pollBackend() throws Exception {
        sh("mkdir d");
        try (Watcher w = fsmon("--backend", "poll", "--poll-interval", "50ms", "-e", "create", "d")) {
            w.awaitEstablished();
            sh("touch d/polled");
            assertThat(w.awaitExit()).isZero();
            assertThat(w.outputText()).isEqualTo("d/ CREATE polled\n");
        }
    }

    private static BufferedReader lines(Watcher w) {
        return new BufferedReader(new InputStreamReader(w.process().getInputStream(), StandardCharsets.UTF_8));
    }

    private static List<String> readLines(BufferedReader in, int n) throws Exception {
        CompletableFuture<List<String>> read = CompletableFuture.supplyAsync(() -> {
            List<String> l = new ArrayList<>();
            try {
                for (int i = 0; i < n; i++) {
                    String line = in.readLine();
                    if (line == null) {
                        break;
                    }
                    l.add(line);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return l;
        });
        return read.get(Watcher.PATIENCE_SECONDS, TimeUnit.SECONDS);
    }

    /** A flat JSON object: strings, numbers, booleans, null and arrays of strings. */
    private static Map<String, Object> parse(String json) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        try (JsonParser p = new JsonFactory().createParser(json)) {
            assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                m.put(name, switch (t) {
                    case VALUE_STRING -> p.getText();
                    case VALUE_NUMBER_INT -> p.getLongValue();
                    case VALUE_TRUE -> true;
                    case VALUE_FALSE -> false;
                    case VALUE_NULL -> null;
                    case START_ARRAY -> {
                        List<String> l = new ArrayList<>();
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            l.add(p.getText());
                        }
                        yield l;
                    }
                    default -> throw new AssertionError("unexpected " + t + " in " + json);
                });
            }
            assertThat(p.nextToken()).as("one object per line").isNull();
        }
        return m;
    }
}
