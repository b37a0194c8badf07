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

/**
 * The command run as a process: {@code --json}, {@code --exec} and {@code --run}, {@code --}, {@code -0}, overflow,
 * slow readers, signals, backends.
 */
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
        try (Watcher w = fsmonReadByTest("-r", "-e", "close_write", "--debounce", "20ms", "--run",
                "sh", "-c", "echo \"env:$FSMON_PATHS\"; echo \"stdin:$(cat)\"; echo done", ";", "d")) {
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
        try (Watcher w = fsmonReadByTest("-r", "--debounce", "20ms", "--run",
                "sh", "-c", "cat \"$FSMON_PATHS\" > /dev/null; echo \"run $FSMON_PATHS\"", ";", "d")) {
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
        // -t 1 while nobody reads fsmon's output: the pipe fills, then fsmon's 8-event queue, which overflows.
        // A blocked writer is back-pressure, not a reason to time out: every file is reported, live or by the
        // recovery, and the timeout counts only from the last line written.
        List<String> cmd = new ArrayList<>(Watcher.fsmonCommand());
        cmd.addAll(List.of("-m", "-t", "1", "-e", "create", "--queue-capacity", "8", "d"));
        Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(false).start();
        try {
            BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
            assertThat(err.readLine()).isEqualTo("Setting up watches.");
            assertThat(err.readLine()).isEqualTo("Watches established.");
            String name = "x".repeat(200);
            sh("i=0; while [ $i -lt 2000 ]; do : > d/" + name + "$i; i=$((i+1)); done");
            // Hold the reader until it is certain that the queue overflowed: the listener is blocked writing to
            // the full pipe (at most 65536 / 213 lines in it), and the I/O thread sleeps in poll(2), so it has
            // read all 2000 events: more than the pipe and the queue hold.
            awaitThreadIn(p.pid(), "fsmon-dispatch", "pipe_write");
            awaitThreadIn(p.pid(), "fsmon-io", "poll");
            // Before, -t ended the command here, a second after the last line that went through.
            long stillHolding = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
            while (p.isAlive() && System.nanoTime() < stillHolding) {
                Thread.sleep(10);
            }
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
    void signalsKillFsmonAsTheyKillInotifywait() throws Throwable {
        sh("mkdir d");
        Path d = tmp.resolve("d").toAbsolutePath();
        for (int sig : new int[] {Posix.SIGTERM, Posix.SIGINT, Posix.SIGHUP}) {
            Path out = tmp.resolve("out" + sig);
            Path errors = tmp.resolve("err" + sig);
            List<String> cmd = new ArrayList<>(Watcher.fsmonCommand());
            cmd.addAll(List.of("-m", "-e", "create", d.toString()));
            Spawned fsmon = Spawned.start(cmd, out, errors);
            try {
                awaitFileContains(errors, "Watches established.\n");
                sh("touch d/a" + sig);
                awaitFileContains(out, d + "/ CREATE a" + sig + "\n");
                fsmon.kill(sig);
                Spawned.Status status = fsmon.await();
                // What waitpid(2) tells a parent such as a shell or systemd: killed by the signal, not exit(128 + n).
                assertThat(status.signalled()).as(status + "; stderr: " + Files.readString(errors)).isTrue();
                assertThat(status.signal()).isEqualTo(sig);
                assertThat(Files.readString(out)).isEqualTo(d + "/ CREATE a" + sig + "\n");
            } finally {
                fsmon.destroy();
            }
        }
    }

    @Test
    void brokenPipeKillsFsmonWithSigpipeAsItKillsInotifywait() throws Throwable {
        sh("mkdir d; mkfifo out");
        Path d = tmp.resolve("d").toAbsolutePath();
        Path fifo = tmp.resolve("out");
        Path errors = tmp.resolve("err");
        // The child opens the fifo before it runs: the reader must be opening it at the same time.
        CompletableFuture<java.io.InputStream> reader = CompletableFuture.supplyAsync(() -> {
            try {
                return Files.newInputStream(fifo);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        List<String> cmd = new ArrayList<>(Watcher.fsmonCommand());
        cmd.addAll(List.of("-m", "-e", "create", d.toString()));
        Spawned fsmon = Spawned.start(cmd, fifo, errors);
        try (BufferedReader out = new BufferedReader(new InputStreamReader(
                reader.get(Watcher.PATIENCE_SECONDS, TimeUnit.SECONDS), StandardCharsets.UTF_8))) {
            awaitFileContains(errors, "Watches established.\n");
            sh("touch d/first");
            assertThat(out.readLine()).isEqualTo(d + "/ CREATE first");
        }
        try {
            sh("touch d/second"); // written to a pipe nobody reads any more
            Spawned.Status status = fsmon.await();
            assertThat(status.signalled()).as(status + "; stderr: " + Files.readString(errors)).isTrue();
            assertThat(status.signal()).isEqualTo(Posix.SIGPIPE);
        } finally {
            fsmon.destroy();
        }
    }

    @Test
    void doubleDashEndsTheOptionsAsInInotifywait() throws Exception {
        sh("mkdir ./-w v; printf '#!/bin/sh\\ntouch ran\\n' > evil.sh; chmod +x evil.sh");
        // A path that looks like an option, after "--": watched, not parsed.
        try (Watcher w = fsmon("-t", "1", "-e", "create", "--", "-w")) {
            w.awaitEstablished();
            sh("touch ./-w/x");
            assertThat(w.awaitExit()).isZero();
            assertThat(w.outputText()).isEqualTo("-w/ CREATE x\n");
        }
        // A program after "--" is a path to watch too (here a file), never something to run.
        try (Watcher w = fsmon("-m", "-t", "1", "-e", "create", "v", "--", "./evil.sh")) {
            w.awaitEstablished();
            sh("touch v/change");
            assertThat(w.awaitExit()).isEqualTo(2);
            assertThat(w.outputText()).isEqualTo("v/ CREATE change\n");
        }
        assertThat(tmp.resolve("ran")).doesNotExist();
    }

    @Test
    void execGetsThousandsOfPathsOnStandardInput() throws Exception {
        // 1,800 paths of about 140 bytes: more than an environment variable may hold (128 KiB on Linux).
        String name = "f".repeat(66);
        sh("mkdir d staging; i=0; while [ $i -lt 1800 ]; do : > staging/" + name + "$i; i=$((i+1)); done");
        try (Watcher w = fsmonReadByTest("-r", "--debounce", "1s", "--exec",
                "echo \"env:${FSMON_PATHS+set}\"; echo \"stdin:$(grep -c " + name + ")\"", "d")) {
            BufferedReader out = lines(w);
            w.awaitEstablished();
            // One rename: the engine reports the directory and then, from its scan, its 1,800 entries at once.
            sh("mv staging d/big");
            assertThat(readLines(out, 2)).containsExactly("env:", "stdin:1800");
            assertThat(w.errors()).contains("do not fit in FSMON_PATHS").doesNotContain("cannot run");
        }
    }

    @Test
    void runningCommandsEndWithFsmon() throws Throwable {
        sh("mkdir d");
        // The command leaves a child in the background and waits in the foreground; both record their pids.
        String command = "sleep 300 & echo $! > bg.pid; echo $$ > fg.pid; echo started; wait";
        for (int sig : new int[] {Posix.SIGTERM, Posix.SIGINT, Posix.SIGKILL}) {
            sh("rm -f bg.pid fg.pid");
            try (Watcher w = fsmonReadByTest("-r", "-e", "create", "--debounce", "10ms", "--exec", command, "d")) {
                BufferedReader out = lines(w);
                w.awaitEstablished();
                sh("touch d/go" + sig);
                assertThat(readLines(out, 1)).containsExactly("started");
                long fg = Long.parseLong(Files.readString(tmp.resolve("fg.pid")).strip());
                long bg = Long.parseLong(Files.readString(tmp.resolve("bg.pid")).strip());
                Posix.kill((int) w.process().pid(), sig);
                w.awaitExit();
                awaitGone(fg, "the command (signal " + sig + ")");
                awaitGone(bg, "the command's background child (signal " + sig + ")");
            }
        }
    }

    @Test
    void graceEndsACommandThatIgnoresSigterm() throws Throwable {
        sh("mkdir d");
        String command = "trap '' TERM; echo $$ > fg.pid; echo started; while :; do sleep 1; done";
        try (Watcher w = fsmonReadByTest("-r", "-e", "create", "--debounce", "10ms", "--grace", "500ms",
                "--exec", command, "d")) {
            BufferedReader out = lines(w);
            w.awaitEstablished();
            sh("touch d/go");
            assertThat(readLines(out, 1)).containsExactly("started");
            long fg = Long.parseLong(Files.readString(tmp.resolve("fg.pid")).strip());
            Posix.kill((int) w.process().pid(), Posix.SIGTERM);
            w.awaitExit();
            awaitGone(fg, "the command that ignores SIGTERM");
        }
    }

    @Test
    void errorsNameTheSubdirectoryOnceWithACount() throws Exception {
        // Two directories whose paths are longer than PATH_MAX (4096) deep inside the tree.
        String n = "n".repeat(200);
        // bash, whose cd goes on past PATH_MAX (with relative steps), where dash's stops
        Process mk = new ProcessBuilder("bash", "-ec", "mkdir d; for top in a b; do cd " + tmp.resolve("d")
                + "; mkdir $top; cd $top; for i in $(seq 21); do mkdir " + n + "; cd " + n + "; done; done")
                .directory(tmp.toFile()).inheritIO().start();
        assertThat(mk.waitFor(Watcher.PATIENCE_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(mk.exitValue()).isZero();
        try (Watcher w = fsmon("-r", "-t", "0.1", "d")) {
            assertThat(w.awaitExit()).isEqualTo(2);
            List<String> problems = w.errors().lines().filter(l -> l.startsWith("fsmon:")).toList();
            assertThat(problems).hasSize(1);
            assertThat(problems.getFirst()).startsWith("fsmon: File name too long: 2 paths not watched: ")
                    .contains(tmp.resolve("d").toRealPath() + "/a/" + n + "/", tmp.resolve("d").toRealPath() + "/b/" + n + "/");
            assertThat(w.errors()).contains("Watches established.");
        } finally {
            sh("rm -rf d"); // the temporary directory's own clean-up stops at PATH_MAX
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

    /** Waits until {@code file} contains {@code text} (the bound is a failure timeout, not a pace). */
    static void awaitFileContains(Path file, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Watcher.PATIENCE_SECONDS);
        while (!Files.exists(file) || !Files.readString(file).contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(file + " never contained " + text + ": "
                        + (Files.exists(file) ? Files.readString(file) : "(missing)"));
            }
            Thread.sleep(5);
        }
    }

    /**
     * Waits until the thread called {@code name} of process {@code pid} sleeps in the kernel in a function whose
     * name contains {@code kernelFunction} ({@code /proc/PID/task/TID/wchan}).
     */
    static void awaitThreadIn(long pid, String name, String kernelFunction) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Watcher.PATIENCE_SECONDS);
        String seen = "";
        while (System.nanoTime() < deadline) {
            try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
                for (Path task : tasks.toList()) {
                    try {
                        if (Files.readString(task.resolve("comm")).strip().equals(name)) {
                            String wchan = Files.readString(task.resolve("wchan"));
                            String stat = Files.readString(task.resolve("stat"));
                            char state = stat.charAt(stat.lastIndexOf(')') + 2);
                            seen = state + " " + wchan;
                            if (state == 'S' && wchan.contains(kernelFunction)) {
                                return;
                            }
                        }
                    } catch (IOException gone) {
                        // the thread ended meanwhile
                    }
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("thread " + name + " of " + pid + " never slept in " + kernelFunction + "; last: "
                + seen);
    }

    /** Waits until process {@code pid} is gone (or a zombie): the bound is a failure timeout. */
    static void awaitGone(long pid, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Watcher.PATIENCE_SECONDS);
        Path stat = Path.of("/proc/" + pid + "/stat");
        while (true) {
            String s;
            try {
                s = Files.readString(stat);
            } catch (IOException gone) {
                return;
            }
            if (s.charAt(s.lastIndexOf(')') + 2) == 'Z') {
                return;
            }
            if (System.nanoTime() > deadline) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                throw new AssertionError(what + " (pid " + pid + ") outlived fsmon: " + s);
            }
            Thread.sleep(10);
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
