package io.github.fsmon.cli;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Formatting of one event: CSV quoting, --format conversions, strftime, durations. */
class FormatTest {

    private static final ZonedDateTime T = ZonedDateTime.of(2026, 3, 4, 5, 6, 7, 8, ZoneOffset.UTC);

    private static String line(LineFormat f, String w, String file, List<String> names, int cookie) {
        return new String(f.format(new LineFormat.Fields(w.getBytes(StandardCharsets.UTF_8),
                file.getBytes(StandardCharsets.UTF_8), names, cookie, T)), StandardCharsets.UTF_8);
    }

    @Test
    void defaultLine() {
        LineFormat f = new LineFormat(null, false, null, new byte[] {'\n'});
        assertThat(line(f, "d/", "x", List.of("CLOSE_WRITE", "CLOSE"), 0)).isEqualTo("d/ CLOSE_WRITE,CLOSE x\n");
    }

    @Test
    void csvQuotesLikeInotifywait() {
        LineFormat f = new LineFormat(null, true, null, new byte[] {'\n'});
        assertThat(line(f, "d/", "plain", List.of("CREATE"), 0)).isEqualTo("d/,CREATE,plain\n");
        assertThat(line(f, "d/", "a,b", List.of("CREATE", "ISDIR"), 0)).isEqualTo("d/,\"CREATE,ISDIR\",\"a,b\"\n");
        assertThat(line(f, "d/", "q\"x", List.of("CREATE"), 0)).isEqualTo("d/,CREATE,\"q\"\"x\"\n");
        assertThat(line(f, "d/", " lead", List.of("CREATE"), 0)).isEqualTo("d/,CREATE,\" lead\"\n");
        assertThat(line(f, "d/", "trail ", List.of("CREATE"), 0)).isEqualTo("d/,CREATE,\"trail \"\n");
        assertThat(line(f, "d/", "two\nlines", List.of("CREATE"), 0)).isEqualTo("d/,CREATE,\"two\nlines\"\n");
        assertThat(line(f, "d/", "mid space", List.of("CREATE"), 0)).isEqualTo("d/,CREATE,mid space\n");
    }

    @Test
    void formatConversions() {
        LineFormat f = new LineFormat("%w|%f|%e|%:e|%T|%c|%%|%0|%n|%q", false, "%F %T", new byte[] {'\n'});
        assertThat(line(f, "d/", "x", List.of("MOVED_TO", "ISDIR"), 0x3abf))
                .isEqualTo("d/|x|MOVED_TO,ISDIR|MOVED_TO:ISDIR|2026-03-04 05:06:07|3abf|%|\0|\n|%q\n");
    }

    @Test
    void noNewlineAndNul() {
        assertThat(line(new LineFormat("[%f]", false, null, new byte[0]), "d/", "x", List.of("CREATE"), 0))
                .isEqualTo("[x]");
        assertThat(line(new LineFormat(null, false, null, new byte[] {0}), "d/", "x", List.of("CREATE"), 0))
                .isEqualTo("d/ CREATE x\0");
    }

    @Test
    void strftime() {
        assertThat(new Strftime("%Y-%m-%d %H:%M:%S %j %a %b %e %s %z %%").format(T))
                .isEqualTo("2026-03-04 05:06:07 063 Wed Mar  4 " + T.toEpochSecond() + " +0000 %");
    }

    @Test
    void durations() {
        assertThat(Durations.parse("100ms").toMillis()).isEqualTo(100);
        assertThat(Durations.parse("1.5s").toMillis()).isEqualTo(1500);
        assertThat(Durations.parse("2m").toSeconds()).isEqualTo(120);
        assertThat(Durations.parse("250").toMillis()).isEqualTo(250);
    }
}
