package io.github.fsmon.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Names that are not valid UTF-8, end to end: given on the command line or in {@code --fromfile} as bytes,
 * printed as the bytes on disk, beside inotifywait where it sees the same (it may miss what is made in a
 * new directory before it watches it, so those cases check fsmon alone).
 *
 * <p>Java cannot put such bytes into a child's arguments (it encodes strings), so a shell adds them:
 * {@code sh -c 'exec "$@" ARGS' sh COMMAND...}, with {@code ARGS} written with {@code printf} octal
 * escapes. Every run ends at a marker: the script touches {@code d/zz-end} last, and each tool's output
 * is read until that file's {@code CLOSE_WRITE}, which comes after everything the script did before it;
 * no timing is assumed. Output lines are compared as bytes (shown as ISO-8859-1, one character a byte).
 */
class NonUtf8NamesProcessTest {

    private static final String END = "CLOSE_WRITE,CLOSE zz-end";
    private static final String CREATED_END = "CREATE zz-end";

    private static Path inotifywait;

    @TempDir
    Path tmp;

    @BeforeAll
    static void onLinux() {
        assumeTrue(System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("linux"),
                "names that are not UTF-8 exist on Linux");
        inotifywait = Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin").split(":"))
                .map(dir -> Path.of(dir, "inotifywait")).filter(Files::isExecutable).findFirst().orElse(null);
    }

    /** {@code command} with {@code args} (a shell word list, e.g. {@code "$(printf 'd/p\376q')"}) appended by sh. */
    private static List<String> withShellArgs(List<String> command, String args) {
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "exec \"$@\" " + args, "sh"));
        cmd.addAll(command);
        return cmd;
    }

    private static List<String> fsmon(String... flags) {
        List<String> cmd = new ArrayList<>(Watcher.fsmonCommand());
        cmd.addAll(List.of(flags));
        return cmd;
    }

    private static List<String> inotifywait(String... flags) {
        List<String> cmd = new ArrayList<>(List.of(inotifywait.toString()));
        cmd.addAll(List.of(flags));
        return cmd;
    }

    private static void sh(Path dir, String script) throws Exception {
        Process p = new ProcessBuilder("sh", "-ec", script).directory(dir.toFile()).inheritIO().start();
        assertThat(p.waitFor(Watcher.PATIENCE_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(script).isZero();
    }

    /** A process's output lines, read as far as a test asks, each as ISO-8859-1 text (one character a byte). */
    private static final class Lines {
        private final Watcher w;
        private final InputStream in;

        Lines(Watcher w) {
            this.w = w;
            this.in = w.process().getInputStream();
        }

        /** The next lines, up to and including the first that ends with {@code suffix}. */
        List<String> until(String suffix) throws Exception {
            return CompletableFuture.supplyAsync(() -> {
                List<String> lines = new ArrayList<>();
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                try {
                    for (int b; (b = in.read()) >= 0; ) {
                        if (b != '\n') {
                            line.write(b);
                            continue;
                        }
                        lines.add(line.toString(StandardCharsets.ISO_8859_1));
                        line.reset();
                        if (lines.getLast().endsWith(suffix)) {
                            return lines;
                        }
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                throw new AssertionError("output ended before " + suffix + ": " + lines + "; stderr: " + w.errors());
            }).get(Watcher.PATIENCE_SECONDS, TimeUnit.SECONDS);
        }
    }

    /**
     * Runs the command in {@code dir}; runs each script, then touches {@code d/zz-end} and reads the output
     * up to the line ending with {@code marker} (that file's last event the command reports). Returns the
     * lines read after each script.
     */
    private static List<List<String>> run(List<String> command, Path dir, String marker, String... scripts)
            throws Exception {
        try (Watcher w = Watcher.start(command, dir, false)) {
            Lines lines = new Lines(w);
            w.awaitEstablished();
            List<List<String>> out = new ArrayList<>();
            for (String script : scripts) {
                sh(dir, script + "; rm -f d/zz-end; touch d/zz-end");
                out.add(lines.until(marker));
            }
            return out;
        }
    }

    /** The same setup, command line and script for inotifywait and fsmon, each in its own copy: the same bytes out. */
    private List<String> sameAsInotifywait(String setup, String[] flags, String shellArgs, String script,
                                           String marker) throws Exception {
        assumeTrue(inotifywait != null, "inotifywait is not installed (Debian: apt-get install inotify-tools)");
        Path theirs = Files.createDirectory(tmp.resolve("inotifywait"));
        Path ours = Files.createDirectory(tmp.resolve("fsmon"));
        sh(theirs, setup);
        sh(ours, setup);
        List<String> ourLines = run(withShellArgs(fsmon(flags), shellArgs), ours, marker, script).getFirst();
        List<String> theirLines = run(withShellArgs(inotifywait(flags), shellArgs), theirs, marker, script).getFirst();
        assertThat(ourLines).containsExactlyElementsOf(theirLines);
        return ourLines;
    }

    @Test
    void eventsOnNamesThatAreNotUtf8NameTheirBytes() throws Exception {
        String setup = "mkdir -p d \"$(printf 'd/p\\376q')\"; touch \"$(printf 'd/keep\\377')\"";
        String script = "P=$(printf 'p\\376q'); B=$(printf 'bad\\377name')"
                + "; touch \"d/$P/f\"; printf x > \"d/$B\"; rm \"d/$B\"; mv \"d/$P/f\" \"d/$P/f$(printf '\\375')\""
                + "; rm \"d/keep$(printf '\\377')\"";
        List<String> lines = sameAsInotifywait(setup,
                new String[] {"-m", "-r", "-e", "create,delete,move,close_write"}, "d", script, END);
        assertThat(lines).containsExactly(
                "d/p\u00feq/ CREATE f",
                "d/p\u00feq/ CLOSE_WRITE,CLOSE f",
                "d/ CREATE bad\u00ffname",
                "d/ CLOSE_WRITE,CLOSE bad\u00ffname",
                "d/ DELETE bad\u00ffname",
                "d/p\u00feq/ MOVED_FROM f",
                "d/p\u00feq/ MOVED_TO f\u00fd",
                "d/ DELETE keep\u00ff",
                "d/ CREATE zz-end",
                "d/ " + END);
    }

    @Test
    void pathsGivenAsBytesOnTheCommandLine() throws Exception {
        String setup = "mkdir -p d \"$(printf 'e/r\\376/skip')\"";
        String script = "R=$(printf 'r\\376'); touch \"e/$R/g\" \"e/$R/skip/no\"";
        List<String> lines = sameAsInotifywait(setup, new String[] {"-m", "-r", "-e", "create"},
                "d \"$(printf 'e/r\\376')\" \"$(printf '@e/r\\376/skip')\"", script, CREATED_END);
        assertThat(lines).containsExactly("e/r\u00fe/ CREATE g", "d/ CREATE zz-end");
    }

    @Test
    void pathsGivenAsBytesInAFile() throws Exception {
        String setup = "mkdir -p d \"$(printf 'e/r\\376/skip')\"; printf 'd\\ne/r\\376\\n@e/r\\376/skip\\n' > list";
        String script = "R=$(printf 'r\\376'); touch \"e/$R/g\" \"e/$R/skip/no\"";
        List<String> lines = sameAsInotifywait(setup, new String[] {"-m", "-r", "-e", "create", "--fromfile", "list"},
                "", script, CREATED_END);
        assertThat(lines).containsExactly("e/r\u00fe/ CREATE g", "d/ CREATE zz-end");
    }

    @Test
    void aTimeoutOnADirectoryGivenAsBytes() throws Exception {
        sh(tmp, "mkdir -p \"$(printf 'R3/p\\376q')\"");
        List<String> args = withShellArgs(fsmon("-t", "1"), "\"$(printf 'R3/p\\376q')\"");
        try (Watcher w = Watcher.start(args, tmp)) {
            int status = w.awaitExit();
            assertThat(w.errors()).doesNotContain("Couldn't watch").contains("Watches established.");
            assertThat(status).as(w.errors()).isEqualTo(2); // the timeout, as inotifywait
        }
        if (inotifywait != null) {
            try (Watcher them = Watcher.start(withShellArgs(inotifywait("-t", "1"), "\"$(printf 'R3/p\\376q')\""), tmp)) {
                assertThat(them.awaitExit()).isEqualTo(2);
            }
        }
    }

    @Test
    void newAndRenamedDirectoriesWithSuchNames() throws Exception {
        sh(tmp, "mkdir d");
        String made = "N=$(printf 'n\\377m'); S=$(printf 's\\376'); mkdir \"d/$N\"; touch \"d/$N/g\"; mkdir \"d/$N/$S\""
                + "; touch \"d/$N/$S/h\"";
        String renamed = "R=$(printf 'r\\375n'); mv \"d/$(printf 'n\\377m')\" \"d/$R\"; touch \"d/$R/$(printf 's\\376')/k\"";
        List<List<String>> lines = run(fsmon("-m", "-r", "-e", "create,moved_to", "d"), tmp, CREATED_END, made, renamed);
        // The contents of the new directory are reported once each, live or found by its scan, in either order.
        assertThat(lines.get(0)).first().isEqualTo("d/ CREATE,ISDIR n\u00ffm");
        assertThat(lines.get(0)).containsExactlyInAnyOrder(
                "d/ CREATE,ISDIR n\u00ffm",
                "d/n\u00ffm/ CREATE g",
                "d/n\u00ffm/ CREATE,ISDIR s\u00fe",
                "d/n\u00ffm/s\u00fe/ CREATE h",
                "d/ CREATE zz-end");
        assertThat(lines.get(1)).containsExactly(
                "d/ MOVED_TO,ISDIR r\u00fdn",
                "d/r\u00fdn/s\u00fe/ CREATE k",
                "d/ CREATE zz-end");
    }

    @Test
    void anExpressionGivenAsBytesMatchesThoseBytes() throws Exception {
        sh(tmp, "mkdir d");
        String script = "touch \"$(printf 'd/skip\\376x')\" \"$(printf 'd/skip\\377x')\"";
        List<String> lines = run(withShellArgs(fsmon("-m", "-e", "create", "d"), "--exclude \"$(printf 'skip\\376')\""),
                tmp, CREATED_END, script).getFirst();
        // skip\377x has the same text (U+FFFD), not the same bytes
        assertThat(lines).containsExactly("d/ CREATE skip\u00ffx", "d/ CREATE zz-end");
    }

    @Test
    void jsonHasTheBytesOfEveryPath() throws Exception {
        sh(tmp, "mkdir d");
        String script = "touch \"$(printf 'd/x\\376')\"; rm \"$(printf 'd/x\\376')\"";
        try (Watcher w = Watcher.start(fsmon("-m", "-e", "create,delete,close_write", "--json", "d"), tmp, false)) {
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readUntil(w, "zz-end\",\"isDir\":false"));
            w.awaitEstablished();
            sh(tmp, script + "; touch d/zz-end");
            String text = new String(out.get(Watcher.PATIENCE_SECONDS, TimeUnit.SECONDS), StandardCharsets.UTF_8);
            String expected = java.util.Base64.getEncoder().encodeToString(
                    (tmp.toRealPath().resolve("d") + "/x\u00fe").getBytes(StandardCharsets.ISO_8859_1));
            List<String> kinds = new ArrayList<>();
            for (String line : text.split("\n")) {
                if (line.contains("\"pathBytes\":\"" + expected + "\"")) {
                    kinds.add(line.replaceAll(".*\"kind\":\"([A-Z_]+)\".*", "$1"));
                }
            }
            assertThat(kinds).as(text).containsExactly("CREATE", "CLOSE_WRITE", "DELETE");
        }
    }

    private static byte[] readUntil(Watcher w, String marker) {
        try {
            InputStream in = w.process().getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] m = marker.getBytes(StandardCharsets.UTF_8);
            for (int b; (b = in.read()) >= 0; ) {
                all.write(b);
                byte[] sofar = all.toByteArray();
                if (sofar.length >= m.length && Arrays.equals(sofar, sofar.length - m.length, sofar.length, m, 0, m.length)) {
                    return sofar;
                }
            }
            throw new AssertionError("output ended before " + marker + ": " + all);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
