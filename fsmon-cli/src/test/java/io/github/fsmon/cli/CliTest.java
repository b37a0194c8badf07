package io.github.fsmon.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The command in this JVM: help, completion, backends and the errors that end it before watching. */
class CliTest {

    record Result(int status, String out, String err) {
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new ByteArrayInputStream(new byte[0]), out,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpReadsLikeAManPage() {
        Result r = run("--help");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EVENTS", "FORMAT", "JSON",
                "RUN ON CHANGE", "SIGNALS", "EXIT STATUS", "EXAMPLES", "DIFFERENCES FROM INOTIFYWAIT",
                "-m, --monitor", "--exclude=REGEX", "%w", "close_write", "%Xe");
    }

    @Test
    void versionIsTheBuildsVersion() {
        String built = System.getProperty("fsmon.test.version");
        assertThat(built).isNotBlank();
        Result r = run("--version");
        assertThat(r.status()).isZero();
        assertThat(r.out()).isEqualTo("fsmon " + built + System.lineSeparator());
    }

    @Test
    void helpSaysWhichJavaIsNeeded() {
        assertThat(run("--help").out()).contains("REQUIREMENTS", "Java 22 or newer", "UnsupportedClassVersionError");
    }

    @Test
    void bashCompletionIsGeneratedByPicocli() {
        Result r = run("--completion", "bash");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("complete -F", "fsmon", "--monitor", "--recursive", "--json", "--exec");
    }

    @Test
    void listBackendsSaysWhichCanRunAndWhy() {
        Result r = run("--list-backends");
        assertThat(r.status()).isZero();
        assertThat(r.out().lines()).hasSize(6); // one line per backend, then the one in use
        assertThat(r.out()).containsPattern("(?m)^in use with --backend auto: \\w+ \\(.+\\)$");
        assertThat(run("--list-backends", "--backend", "poll").out())
                .containsPattern("(?m)^in use with --backend poll: poll \\(.+\\)$");
        assertThat(r.out()).containsPattern("(?m)^auto +\\S").containsPattern("(?m)^inotify +\\S")
                .containsPattern("(?m)^poll +\\S").containsPattern("(?m)^jdk +\\S")
                .containsPattern("(?m)^windows +\\S");
    }

    @Test
    void unknownEventIsAnError() {
        Result r = run("-e", "create,bogus", ".");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("'bogus' is not a valid event!");
    }

    @Test
    void missingPathIsAnErrorLikeInotifywait(@TempDir Path tmp) {
        Result r = run(tmp.resolve("nope").toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("Couldn't watch " + tmp.resolve("nope") + ": No such file or directory");
    }

    @Test
    void noPathIsAnError() {
        Result r = run("-m");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("No files specified to watch!");
    }

    @Test
    void fromfileThatCannotBeReadSaysWhatFailed(@TempDir Path tmp) {
        Result r = run("--fromfile", tmp.resolve("nonexistent").toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("fsmon: Couldn't open " + tmp.resolve("nonexistent")
                + ": No such file or directory\n");
    }

    @Test
    void anInvalidRegularExpressionNamesItsOption(@TempDir Path tmp) {
        Result r = run("--exclude", "(", tmp.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).startsWith("fsmon: --exclude: not a valid regular expression: '('");
        r = run("--includei", "[", tmp.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).startsWith("fsmon: --includei: not a valid regular expression: '['");
    }

    @Test
    void daemonAndSyslogModesSayTheyAreNotSupported(@TempDir Path tmp) {
        Result r = run("-d", tmp.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).startsWith("fsmon: daemon mode (-d) is not supported");
        r = run("-s", tmp.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).startsWith("fsmon: syslog output (-s) is not supported");
    }

    @Test
    void aRunCommandThatDoesNotExistIsSaidAtStart(@TempDir Path tmp) {
        Result r = run("-m", "--run", "no-such-command-fsmon", ";", tmp.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("fsmon: --run: no-such-command-fsmon: command not found\n");
        assertThat(Main.runnable("sh")).isTrue();
        assertThat(Main.runnable("/bin/sh")).isTrue();
        assertThat(Main.runnable(tmp.toString())).isFalse();
    }

    @Test
    void negativeTimeoutIsRejected(@TempDir Path tmp) {
        for (String t : new String[] {"-1", "-5", "abc", "NaN", "Infinity"}) {
            Result r = run("-t", t, tmp.toString());
            assertThat(r.status()).as(t).isEqualTo(1);
            assertThat(r.err()).as(t).contains("'" + t + "' is not a valid timeout value");
        }
    }

    @Test
    void runNeedsItsTerminatorAndExcludesExec(@TempDir Path tmp) {
        Result r = run("--run", "make", tmp.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("ended by an argument ';'");
        r = run("--run", ";", tmp.toString());
        assertThat(r.status()).isEqualTo(1);
        r = run("--exec", "make", "--run", "make", ";", tmp.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("not both");
    }

    @Test
    void unknownBackendIsAnError(@TempDir Path tmp) {
        Result r = run("--backend", "carrier-pigeon", tmp.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("unknown backend 'carrier-pigeon'");
    }

    @Test
    void timefmtNeededForPercentT(@TempDir Path tmp) {
        Result r = run("--format", "%T %f", tmp.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("%T is in --format string, but --timefmt was not specified.");
    }

    @Test
    void quietTwicePrintsNothingAndTimesOut(@TempDir Path tmp) {
        Result r = run("-qq", "-t", "0.05", tmp.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEmpty();
    }

    @Test
    void quietOncePrintsNoSetUpMessages(@TempDir Path tmp) {
        Result r = run("-q", "-t", "0.05", tmp.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).isEmpty();
    }
}
