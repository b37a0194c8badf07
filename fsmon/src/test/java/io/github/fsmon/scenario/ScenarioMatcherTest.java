package io.github.fsmon.scenario;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The comparison of expected and delivered event lines: merging of repeats, optional lines, order. */
class ScenarioMatcherTest {

    /** Expected events from {@code "?KIND path"} style strings. */
    private static List<Step.ExpectedEvent> exp(String... lines) {
        List<Step.ExpectedEvent> out = new ArrayList<>();
        for (String l : lines) {
            out.add(new Step.ExpectedEvent(1, l.replaceFirst("^\\?", ""), l.startsWith("?")));
        }
        return out;
    }

    @Test
    void exactOrderRequired() {
        assertThat(EventMatcher.matches(exp("CREATE a", "DELETE a"), List.of("CREATE a", "DELETE a"), false)).isTrue();
        assertThat(EventMatcher.matches(exp("CREATE a", "DELETE a"), List.of("DELETE a", "CREATE a"), false)).isFalse();
        assertThat(EventMatcher.matches(exp("CREATE a"), List.of("CREATE a", "DELETE a"), false)).isFalse();
        assertThat(EventMatcher.matches(exp("CREATE a", "DELETE a"), List.of("CREATE a"), false)).isFalse();
        assertThat(EventMatcher.matches(exp(), List.of(), false)).isTrue();
    }

    @Test
    void consecutiveRepeatsCountOnceOnBothSides() {
        assertThat(EventMatcher.matches(exp("MODIFY a", "MODIFY a"), List.of("MODIFY a"), false)).isTrue();
        assertThat(EventMatcher.matches(exp("MODIFY a"), List.of("MODIFY a", "MODIFY a"), false)).isTrue();
        assertThat(EventMatcher.matches(exp("MODIFY a", "MODIFY b", "MODIFY a"), List.of("MODIFY a"), false)).isFalse();
    }

    @Test
    void optionalLinesMayBeMissingAndTheirNeighboursThenMerge() {
        assertThat(EventMatcher.matches(exp("CREATE a", "?MODIFY a", "CLOSE_WRITE a"),
                List.of("CREATE a", "CLOSE_WRITE a"), false)).isTrue();
        assertThat(EventMatcher.matches(exp("CREATE a", "?MODIFY a", "CLOSE_WRITE a"),
                List.of("CREATE a", "MODIFY a", "CLOSE_WRITE a"), false)).isTrue();
        assertThat(EventMatcher.matches(exp("MODIFY a", "?ATTRIB a", "MODIFY a"), List.of("MODIFY a"), false)).isTrue();
        assertThat(EventMatcher.matches(exp("?ATTRIB a"), List.of("ATTRIB b"), false)).isFalse();
    }

    @Test
    void alternativesAcceptExactlyOneOfTheirEvents() {
        List<Step.ExpectedEvent> either = List.of(new Step.ExpectedEvent(1, List.of("CREATE b", "MOVED_TO b <- a"), false));
        assertThat(EventMatcher.matches(either, List.of("CREATE b"), false)).isTrue();
        assertThat(EventMatcher.matches(either, List.of("MOVED_TO b <- a"), false)).isTrue();
        assertThat(EventMatcher.matches(either, List.of("CREATE b", "MOVED_TO b <- a"), false)).isFalse();
        assertThat(EventMatcher.matches(either, List.of(), false)).isFalse();
    }

    @Test
    void unorderedComparesMultisets() {
        assertThat(EventMatcher.matches(exp("CREATE a", "CREATE b"), List.of("CREATE b", "CREATE a"), true)).isTrue();
        assertThat(EventMatcher.matches(exp("CREATE a", "CREATE b"), List.of("CREATE b", "CREATE b"), true)).isFalse();
        assertThat(EventMatcher.matches(exp("CREATE a", "?MODIFY a"), List.of("MODIFY a", "CREATE a"), true)).isTrue();
        assertThat(EventMatcher.matches(exp("CREATE a", "?MODIFY a"), List.of("CREATE a"), true)).isTrue();
        assertThat(EventMatcher.matches(exp("CREATE a"), List.of("CREATE a", "CREATE c"), true)).isFalse();
    }

    @Test
    void unorderedAlternativesAreAssignedByBacktracking() {
        // "DELETE a" could serve either event; only giving it to the second makes the rest fit
        List<Step.ExpectedEvent> block = List.of(
                new Step.ExpectedEvent(1, List.of("DELETE a", "MOVED_FROM a"), false),
                new Step.ExpectedEvent(2, List.of("DELETE a", "DELETE b"), false));
        assertThat(EventMatcher.matches(block, List.of("DELETE b", "DELETE a"), true)).isTrue();
        assertThat(EventMatcher.matches(block, List.of("DELETE a", "MOVED_FROM a"), true)).isTrue();
        assertThat(EventMatcher.matches(block, List.of("MOVED_FROM a", "DELETE c"), true)).isFalse();
        assertThat(EventMatcher.matches(block, List.of("DELETE a"), true)).isFalse();
    }

    @Test
    void diffMarksMissingAndUnexpectedLines() {
        assertThat(EventMatcher.diff(exp("CREATE a", "MODIFY a", "DELETE a"), List.of("CREATE a", "ATTRIB a", "DELETE a"),
                false)).containsExactly("  CREATE a", "- MODIFY a", "+ ATTRIB a", "  DELETE a");
    }
}
