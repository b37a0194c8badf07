package io.github.fsmon.scenario;

import io.github.fsmon.EventKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The script parser: what a well-formed script turns into, and clear errors for malformed ones. */
class ScenarioParserTest {

    @Test
    void parsesCommandsWatchesAndCheckpoints() throws Exception {
        Scenario s = ScenarioParser.parse("t.fss", """
                # setup
                mkdir -p a/b
                watch a recursive events=create,delete exclude=*.tmp
                echo hello  world > "a/with space"
                mv a/x a/y
                expect
                  CREATE "a/with space"
                  ?MODIFY a/x
                  MOVED_TO a/y <- a/x
                expect linux
                expect unordered backend=poll
                  CREATE,ISDIR a/c
                """);
        assertThat(s.steps()).hasSize(5);
        Step.Watch w = (Step.Watch) s.steps().get(1);
        assertThat(w.path()).isEqualTo("a");
        assertThat(w.options().recursive()).isTrue();
        assertThat(w.options().events()).containsExactlyInAnyOrder(EventKind.CREATE, EventKind.DELETE);
        assertThat(w.options().excludeGlobs()).containsExactly("*.tmp");
        Step.Action echo = (Step.Action) s.steps().get(2);
        assertThat(echo.op()).isEqualTo(FsActions.Op.WRITE);
        assertThat(echo.args()).containsExactly("a/with space", "hello world");
        Step.Checkpoint c = (Step.Checkpoint) s.steps().get(4);
        assertThat(c.line()).isEqualTo(6);
        assertThat(c.blocks()).hasSize(3);
        assertThat(c.blocks().get(0).events()).extracting(Step.ExpectedEvent::toString)
                .containsExactly("CREATE \"a/with space\"", "?MODIFY a/x", "MOVED_TO a/y <- a/x");
        assertThat(c.blocks().get(1).selectors()).containsExactly("linux");
        assertThat(c.blocks().get(1).events()).isEmpty();
        assertThat(c.blocks().get(2).unordered()).isTrue();
        assertThat(c.blocks().get(2).selectors()).containsExactly("backend=poll");
    }

    @Test
    void parsesFreezeThawStrictCheckAndKnownFailing() throws Exception {
        Scenario s = ScenarioParser.parse("t.fss", """
                known-failing the engine does X (cause 9)
                watch recursive
                freeze
                mkdir d
                freeze d
                thaw
                thaw
                expect-strict
                """);
        assertThat(s.knownFailing()).isEqualTo("the engine does X (cause 9)");
        assertThat(s.freezes()).isTrue();
        assertThat(s.steps()).containsExactly(
                s.steps().get(0),
                new Step.Freeze(3, null, true),
                s.steps().get(2),
                new Step.Freeze(5, "d", true),
                new Step.Freeze(6, null, false),
                new Step.Freeze(7, null, false),
                new Step.ExpectStrict(8));
        assertThat(ScenarioParser.parse("t.fss", "watch\n").knownFailing()).isNull();
        assertThatThrownBy(() -> ScenarioParser.parse("t.fss", "freeze\nwatch\n"))
                .hasMessageContaining("freeze must come after a watch");
        assertThatThrownBy(() -> ScenarioParser.parse("t.fss", "watch\nthaw now\n"))
                .hasMessageContaining("thaw takes no operand");
        assertThatThrownBy(() -> ScenarioParser.parse("t.fss", "known-failing\nwatch\n"))
                .hasMessageContaining("known-failing needs the reason");
    }

    @Test
    void namesInQuotesKeepEscapesAndNonAscii() throws Exception {
        Scenario s = ScenarioParser.parse("t.fss", """
                watch
                touch "new\\nline" "tab\\there" "\\u00e9t\\u00e9" ./x//y/
                expect
                  CREATE "new\\nline"
                """);
        assertThat(s.steps()).extracting(st -> st instanceof Step.Action a ? a.args().get(0) : null)
                .containsExactly(null, "new\nline", "tab\there", "été", "x/y", null);
        Step.Checkpoint c = (Step.Checkpoint) s.steps().get(5);
        assertThat(c.blocks().get(0).events().get(0).text()).isEqualTo("CREATE \"new\\nline\"");
    }

    @Test
    void rawBytesAreWrittenAsHexEscapes() throws Exception {
        Scenario s = ScenarioParser.parse("t.fss", """
                mkdir "p\\xFEq"
                watch "p\\xfeq"
                touch "p\\xFEq/\\xC3\\xA9\\xff" "\\x41"
                expect
                  CREATE "p\\xfeq/é\\xFF"
                """);
        // A byte that is not UTF-8 is its key (U+DC00 + the byte); bytes that are UTF-8 are the characters.
        assertThat(((Step.Action) s.steps().get(0)).args()).containsExactly("p\uDCFEq");
        assertThat(((Step.Watch) s.steps().get(1)).path()).isEqualTo("p\uDCFEq");
        assertThat(((Step.Action) s.steps().get(2)).args()).containsExactly("p\uDCFEq/é\uDCFF");
        assertThat(((Step.Action) s.steps().get(3)).args()).containsExactly("A");
        Step.Checkpoint c = (Step.Checkpoint) s.steps().get(4);
        assertThat(c.blocks().get(0).events().get(0).text()).isEqualTo("CREATE \"p\\xfeq/é\\xff\"");
    }

    @Test
    void alternativesAreSeparatedByABar() throws Exception {
        Scenario s = ScenarioParser.parse("t.fss", """
                watch recursive
                expect
                  ?CREATE,ISDIR b/d | MOVED_TO,ISDIR b/d <- a/d
                """);
        Step.ExpectedEvent e = ((Step.Checkpoint) s.steps().get(1)).blocks().get(0).events().get(0);
        assertThat(e.optional()).isTrue();
        assertThat(e.alternatives()).containsExactly("CREATE,ISDIR b/d", "MOVED_TO,ISDIR b/d <- a/d");
        assertThat(e.accepts("MOVED_TO,ISDIR b/d <- a/d")).isTrue();
        assertThat(e.accepts("CREATE b/d")).isFalse();
    }

    @Test
    void expectErrorAttachesToTheWatchAbove() throws Exception {
        Scenario s = ScenarioParser.parse("t.fss", """
                watch missing
                expect-error NoSuchFileException
                """);
        assertThat(((Step.Watch) s.steps().get(0)).expectedError()).isEqualTo("NoSuchFileException");
    }

    @Test
    void namedWatchesPrefixEveryEventLine() throws Exception {
        Scenario s = ScenarioParser.parse("t.fss", """
                watch as=outer
                watch sub as=inner
                expect
                  @outer CREATE sub/f
                  ?@inner CREATE sub/f
                """);
        assertThat(s.namedWatches()).isTrue();
        Step.Checkpoint c = (Step.Checkpoint) s.steps().get(2);
        assertThat(c.blocks().get(0).events()).extracting(Step.ExpectedEvent::toString)
                .containsExactly("@outer CREATE sub/f", "?@inner CREATE sub/f");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiterString = " => ", textBlock = """
            watch\\nmkdri a => 2: unknown command 'mkdri'
            watch\\nCREATE a => 2: event line outside an expect block
            watch\\nexpect\\n  CRATE a => 3: unknown event kind CRATE
            watch\\nexpect\\n  CREATE,DIR a => 3: expected KIND or KIND,ISDIR
            watch\\nexpect\\n  CREATE a b => 3: an event line is
            watch\\nexpect\\n  DELETE a <- b => 3: only MOVED_TO has a source
            watch\\nexpect\\nexpect => 3: this checkpoint already has a block
            watch\\nexpect\\n  CREATE a | => 3: an event line is
            watch\\nexpect solaris => 2: unknown expect option 'solaris'
            watch\\ntouch "unclosed => 2: unclosed quote
            watch\\ntouch "a\\xZ1" => 2: \\x needs two hex digits
            watch\\ntouch "a\\uDC00" => 2: a lone surrogate that is not a byte
            watch\\ntouch ../escape => 2: paths may not leave the sandbox
            watch\\ntouch /etc/passwd => 2: paths are relative to the sandbox
            watch\\nmv a => 2: expected 2 path(s)
            watch\\nrm -f a => 2: unknown option -f
            watch\\nchmod 999 a => 2: mode must be three octal digits
            watch\\ntouch -d 123 a => 2: touch -d takes @SECONDS
            watch\\necho hi a => 2: echo needs TEXT
            watch recursive events=create,bogus => 1: unknown event kind in events=: bogus
            watch a b => 1: watch takes one path
            watch noautoadd => 1: noautoadd needs recursive
            touch a\\nexpect-error NoSuchFileException\\nwatch => 2: expect-error must come right after the watch
            watch\\nunwatch as=other => 2: no watch named other
            watch as=a\\nexpect\\n  CREATE x => 3: this script names its watches
            watch\\nexpect\\n  @w CREATE x => 3: this script does not name its watches
            mkdir a => 1: the script starts no watch
            only beos\\nwatch => 1: unknown operating system beos
            """)
    void malformedScriptsFailWithTheLine(String script, String message) {
        assertThatThrownBy(() -> ScenarioParser.parse("bad.fss", script.replace("\\n", "\n")))
                .isInstanceOf(ScenarioSyntaxException.class)
                .hasMessageStartingWith("bad.fss:" + message.substring(0, message.indexOf(':')) + ":")
                .hasMessageContaining(message.substring(message.indexOf(':') + 2));
    }

    @Test
    void syntaxErrorReportsItsLine() {
        assertThatThrownBy(() -> ScenarioParser.parse("x.fss", "watch\n\n# comment\ntouch a b\nfrobnicate\n"))
                .isInstanceOfSatisfying(ScenarioSyntaxException.class, e -> assertThat(e.line()).isEqualTo(5));
    }

    @Test
    void quotingRoundTrips() {
        for (String name : List.of("plain", "with space", "new\nline", "q\"uote", "back\\slash", "été", "?x", "#x",
                "@x", "<-", "|", "ctl\u0001", "p\uDCFEq", "\uDCFF", "emoji\uD83D\uDE00")) {
            assertThat(Words.split(Words.quote(name))).singleElement()
                    .extracting(Words.Word::text).isEqualTo(name);
        }
    }
}
