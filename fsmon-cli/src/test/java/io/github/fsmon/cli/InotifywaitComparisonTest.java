package io.github.fsmon.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs Debian's {@code inotifywait} and {@code fsmon} side by side with the same flags, each on its own copy
 * of the same tree, applies the same shell script to both copies once both said {@code Watches
 * established.}, and compares their outputs line by line and their exit statuses. A case ends by itself:
 * without {@code -m} at the first event, with {@code -m} by {@code -t 1} (one second without events).
 *
 * <p>The only differences allowed are fsmon's deliberate ones, each named by an {@link Allow} on the cases
 * where it shows (and listed in the README). Scripts avoid two identical events in a row on one name, which
 * the kernel may merge into one depending on when the reader read the first.
 */
class InotifywaitComparisonTest {

    /** Deliberate differences, removed from the outputs before comparing. */
    enum Allow {
        /**
         * Both tools list a new directory to watch what is in it; inotifywait reports its own listing as
         * OPEN/ACCESS/CLOSE_NOWRITE on that directory, fsmon does not (it drops what its listings cause).
         */
        OWN_DIRECTORY_READS,
        /**
         * inotifywait reports an event on a subdirectory itself twice: by its parent ({@code d/ OPEN,ISDIR
         * sub}) and again under the subdirectory's own path ({@code d/sub/ OPEN,ISDIR }), and ends with
         * {@code d/sub/ DELETE_SELF}. fsmon reports it once, by the parent.
         */
        SUBDIRECTORY_SELF_EVENTS,
        /**
         * Entries created in a new directory before the watcher watched it: fsmon finds and reports them;
         * inotifywait may miss them. Every line of inotifywait's must be in fsmon's.
         */
        FSMON_REPORTS_NEW_DIRECTORY_CONTENTS,
        /**
         * A directory moved out of the watched tree: inotifywait keeps its watch and goes on reporting its
         * changes under the old path ({@code d/gone/ MOVE_SELF}, {@code d/gone/ CREATE x}); fsmon stops.
         */
        MOVED_OUT_DIRECTORY_STOPS_REPORTING,
    }

    record Case(String name, List<String> flags, String setup, String script, Set<Allow> allowed) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Case c(String name, String flags, String setup, String script, Allow... allowed) {
        return new Case(name, split(flags), setup, script,
                allowed.length == 0 ? EnumSet.noneOf(Allow.class) : EnumSet.copyOf(Arrays.asList(allowed)));
    }

    static Stream<Case> cases() {
        String files = "echo hi > d/a; cat d/a > /dev/null; chmod 600 d/a; mv d/a d/b; mkdir d/sub; "
                + "touch d/sub2; rm d/b; rmdir d/sub; touch 'd/has space'";
        return Stream.of(
                c("all events, monitor", "-m -t 1 d", "mkdir d", files),
                c("all events, recursive", "-m -r -t 1 d", "mkdir -p d/x/y; touch d/x/y/old",
                        "echo hi > d/x/y/new; mv d/x/y/new d/x/moved; rm d/x/y/old; mv d/x/moved d/top; "
                                + "rm -r d/x",
                        Allow.SUBDIRECTORY_SELF_EVENTS, Allow.OWN_DIRECTORY_READS),
                c("first event ends", "d", "mkdir d", "touch d/one; touch d/two"),
                c("first asked-for event ends", "-e modify d", "mkdir d; touch d/f",
                        "touch d/f; touch d/g; echo more >> d/f; echo again >> d/g"),
                c("root deleted before an asked-for event: exit 1", "-e create d", "mkdir d", "rmdir d"),
                c("delete_self asked for", "-e delete_self d", "mkdir d; touch d/f", "rm -r d"),
                c("timeout without events: exit 2", "-t 1 d", "mkdir d", ""),
                c("csv quoting", "-m -c -t 1 -e create,moved_to d", "mkdir d",
                        "touch 'd/a,b' 'd/ lead' 'd/q\"x' 'd/trail ' d/plain; mkdir d/dir; mv d/plain 'd/p,2'"),
                c("format conversions", "-m -t 1 -e move,create,delete --format %w|%f|%e|%:e|%%|%0|%n| d",
                        "mkdir d", "touch d/a; mv d/a d/b; rm d/b"),
                c("cookies pair moves", "-m -t 1 -e move --format %e:%c:%f d", "mkdir d; touch d/a d/b",
                        "mv d/a d/a2; mv d/b d/b2; mv d/a2 d/a3"),
                c("no newline", "-m -t 1 -e close_write --format [%f] --no-newline d", "mkdir d",
                        "echo 1 > d/x; echo 2 > d/y"),
                c("exclude regex, recursive", "-m -r -t 1 -e create,delete --exclude skip d",
                        "mkdir -p d/skipdir d/keep", "touch d/skipdir/f d/keep/f d/skipme d/ok; rm d/ok"),
                c("includei regex", "-m -t 1 -e create --includei \\.TXT$ d", "mkdir d",
                        "touch d/a.txt d/b.log d/C.TxT"),
                c("@path excluded", "-m -r -t 1 -e create d @d/out", "mkdir -p d/out d/in",
                        "touch d/out/f d/in/f d/f"),
                c("single file", "-m -t 1 -e modify,attrib,close_write f", "touch f",
                        "echo 1 >> f; chmod 600 f; echo 2 >> f"),
                c("two roots", "-m -t 1 -e create,delete d e/", "mkdir d e", "touch d/1 e/2; rm d/1 e/2"),
                c("recursive deletes", "-m -r -t 1 -e delete,delete_self d", "mkdir -p d/a/b; touch d/a/b/f d/a/g",
                        "rm -r d/a", Allow.SUBDIRECTORY_SELF_EVENTS),
                c("new directory contents", "-m -r -t 1 -e create d", "mkdir d",
                        "mkdir -p d/n1/n2; touch d/n1/n2/f d/n1/g", Allow.FSMON_REPORTS_NEW_DIRECTORY_CONTENTS),
                c("directory moved out stops reporting", "-m -r -t 1 -e create,moved_from,move_self d",
                        "mkdir -p d/gone out", "mv d/gone out/gone; touch out/gone/x d/y",
                        Allow.MOVED_OUT_DIRECTORY_STOPS_REPORTING),
                c("directory renamed inside the tree", "-m -r -t 1 -e create,move d", "mkdir -p d/old/deep",
                        "mv d/old d/new; touch d/new/x d/new/deep/y"),
                c("timefmt", "-m -t 1 -e create --timefmt %Y --format %T:%f d", "mkdir d", "touch d/t"),
                c("fromfile", "-m -t 1 -e create --fromfile list", "mkdir d e; printf 'd\\n@e\\n' > list",
                        "touch d/in e/out"),
                c("outfile appends", "-m -t 1 -e create -o out.txt d", "mkdir d; echo before > out.txt",
                        "touch d/x d/y"),
                c("-- ends the options: -m after it is a path", "-t 1 -e create -- -m", "mkdir ./-m",
                        "touch ./-m/a; touch ./-m/b"),
                c("-- before paths that start with a dash", "-m -t 1 -e create -- -w d --", "mkdir ./-w d ./--",
                        "touch ./-w/x d/y ./--/z"));
    }

    private static Path inotifywait;

    @BeforeAll
    static void findInotifywait() {
        inotifywait = Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin").split(":"))
                .map(dir -> Path.of(dir, "inotifywait")).filter(Files::isExecutable).findFirst().orElse(null);
        assumeTrue(inotifywait != null, "inotifywait is not installed (Debian: apt-get install inotify-tools)");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sameOutputAsInotifywait(Case c, @TempDir Path tmp) throws Exception {
        Path theirs = Files.createDirectory(tmp.resolve("inotifywait"));
        Path ours = Files.createDirectory(tmp.resolve("fsmon"));
        sh(theirs, c.setup());
        sh(ours, c.setup());
        List<String> theirCommand = new ArrayList<>(List.of(inotifywait.toString()));
        theirCommand.addAll(c.flags());
        List<String> ourCommand = new ArrayList<>(Watcher.fsmonCommand());
        ourCommand.addAll(c.flags());
        // fsmon first: its JVM takes longer to start, and -t counts from "Watches established.".
        try (Watcher us = Watcher.start(ourCommand, ours)) {
            us.awaitEstablished();
            try (Watcher them = Watcher.start(theirCommand, theirs)) {
                them.awaitEstablished();
                compare(c, theirs, ours, them, us);
            }
        }
    }

    private static void compare(Case c, Path theirs, Path ours, Watcher them, Watcher us) throws Exception {
        {
            sh(theirs, c.script());
            sh(ours, c.script());
            int theirStatus = them.awaitExit();
            int ourStatus = us.awaitExit();
            byte[] theirOutput = them.output();
            byte[] ourOutput = us.output();
            int o = c.flags().indexOf("-o");
            if (o >= 0) {
                // -o FILE: the events went to FILE; standard output must be empty for both
                assertThat(ourOutput).isEqualTo(theirOutput).isEmpty();
                theirOutput = Files.readAllBytes(theirs.resolve(c.flags().get(o + 1)));
                ourOutput = Files.readAllBytes(ours.resolve(c.flags().get(o + 1)));
            }
            List<String> theirLines = normalize(c, records(theirOutput), true);
            List<String> ourLines = normalize(c, records(ourOutput), false);
            String context = "inotifywait (exit " + theirStatus + "): " + them.errors()
                    + "\nfsmon (exit " + ourStatus + "): " + us.errors();
            if (c.allowed().contains(Allow.FSMON_REPORTS_NEW_DIRECTORY_CONTENTS)) {
                // fsmon reports the scanned entries in the order it found them, not necessarily inotify's.
                assertThat(ourLines).as(context).containsAll(theirLines);
                assertThat(ourLines).as(context).contains("d/n1/n2/ CREATE f", "d/n1/ CREATE g");
            } else {
                assertThat(ourLines).as(context).containsExactlyElementsOf(theirLines);
            }
            assertThat(ourStatus).as("exit status; " + context).isEqualTo(theirStatus);
        }
    }

    /** Splits at newlines, keeping a last record without one (for --no-newline). */
    private static List<String> records(byte[] output) {
        String text = new String(output, StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        if (lines.getLast().isEmpty()) {
            lines.removeLast();
        }
        return lines;
    }

    private static final Pattern COOKIE = Pattern.compile(":([0-9a-f]+):");
    private static final Pattern DIRECTORY_READ = Pattern.compile(" (OPEN|ACCESS|CLOSE_NOWRITE,CLOSE),ISDIR ");
    private static final Pattern SUBDIRECTORY_SELF = Pattern.compile("^d/.+/ [A-Z_,]+ $");

    private static List<String> normalize(Case c, List<String> lines, boolean inotifywait) {
        Map<String, String> cookies = new HashMap<>();
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            if (c.allowed().contains(Allow.OWN_DIRECTORY_READS) && DIRECTORY_READ.matcher(line).find()) {
                continue;
            }
            if (inotifywait && c.allowed().contains(Allow.SUBDIRECTORY_SELF_EVENTS)
                    && SUBDIRECTORY_SELF.matcher(line).matches()) {
                continue;
            }
            if (inotifywait && c.allowed().contains(Allow.MOVED_OUT_DIRECTORY_STOPS_REPORTING)
                    && line.startsWith("d/gone/")) {
                continue;
            }
            if (c.name().startsWith("cookies")) {
                // Each process has its own cookie values: compare which events share one.
                Matcher m = COOKIE.matcher(line);
                if (m.find()) {
                    String label = m.group(1).equals("0") ? "0"
                            : cookies.computeIfAbsent(m.group(1), k -> "c" + (cookies.size() + 1));
                    line = m.replaceFirst(":" + label + ":");
                }
            }
            out.add(line);
        }
        return out;
    }

    private static void sh(Path dir, String script) throws IOException, InterruptedException {
        if (script.isEmpty()) {
            return;
        }
        Process p = new ProcessBuilder("sh", "-ec", script).directory(dir.toFile()).inheritIO().start();
        assertThat(p.waitFor(Watcher.PATIENCE_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("script: " + script).isZero();
    }

    /** Splits a flag line at spaces (no flag in these cases contains one). */
    private static List<String> split(String flags) {
        return List.of(flags.split(" "));
    }
}
