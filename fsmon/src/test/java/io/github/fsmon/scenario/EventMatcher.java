package io.github.fsmon.scenario;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares the event lines a checkpoint expects with those delivered.
 *
 * <p>The kernel may merge identical consecutive events, so consecutive identical lines count once on both
 * sides. Optional lines ({@code ?}) may be missing; when one is missing, the lines around it may become
 * neighbours and merge, which the ordered comparison takes into account.
 */
final class EventMatcher {
    private EventMatcher() {
    }

    /** {@code lines} without consecutive repeats. */
    static List<String> collapse(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            if (out.isEmpty() || !out.get(out.size() - 1).equals(l)) {
                out.add(l);
            }
        }
        return out;
    }

    /** Whether {@code actual} is what {@code expected} describes. */
    static boolean matches(List<Step.ExpectedEvent> expected, List<String> actual, boolean unordered) {
        List<String> got = collapse(actual);
        return unordered ? matchesUnordered(expected, got) : matchesOrdered(expected, got);
    }

    /**
     * Ordered match by dynamic programming over (expected index, actual index). Taking an expected line
     * either consumes the next actual line or, when it equals the actual line just consumed, merges into
     * it; an optional line may also be skipped.
     */
    private static boolean matchesOrdered(List<Step.ExpectedEvent> expected, List<String> actual) {
        int n = expected.size();
        int m = actual.size();
        boolean[][] ok = new boolean[n + 1][m + 1]; // ok[i][j]: expected[i..] matches actual[j..]
        ok[n][m] = true;
        for (int i = n - 1; i >= 0; i--) {
            Step.ExpectedEvent e = expected.get(i);
            for (int j = m; j >= 0; j--) {
                boolean take = (j < m && e.accepts(actual.get(j)) && ok[i + 1][j + 1])
                        || (j > 0 && e.accepts(actual.get(j - 1)) && ok[i + 1][j]);
                ok[i][j] = take || (e.optional() && ok[i + 1][j]);
            }
        }
        return ok[0][0];
    }

    /**
     * Multiset match: every required line present, and whatever else was delivered is an optional line.
     * An event with alternatives (written in the script, or by a backend's rewrite of a block in
     * {@link Mechanism}) takes exactly one of its texts, found by backtracking.
     */
    private static boolean matchesUnordered(List<Step.ExpectedEvent> expected, List<String> actual) {
        Map<String, Integer> left = new HashMap<>();
        actual.forEach(a -> left.merge(a, 1, Integer::sum));
        List<Step.ExpectedEvent> required = new ArrayList<>();
        List<Step.ExpectedEvent> optional = new ArrayList<>();
        for (Step.ExpectedEvent e : expected) {
            (e.optional() ? optional : required).add(e);
        }
        return assign(required, 0, left, optional);
    }

    private static boolean assign(List<Step.ExpectedEvent> required, int i, Map<String, Integer> left,
                                  List<Step.ExpectedEvent> optional) {
        if (i == required.size()) {
            Map<String, Integer> rest = new HashMap<>(left);
            for (Step.ExpectedEvent e : optional) {
                for (String alt : e.alternatives()) {
                    if (rest.getOrDefault(alt, 0) > 0) {
                        rest.merge(alt, -1, Integer::sum);
                        break;
                    }
                }
            }
            return rest.values().stream().allMatch(v -> v == 0);
        }
        for (String alt : required.get(i).alternatives()) {
            if (left.getOrDefault(alt, 0) > 0) {
                left.merge(alt, -1, Integer::sum);
                boolean ok = assign(required, i + 1, left, optional);
                left.merge(alt, 1, Integer::sum);
                if (ok) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * A line diff of expected (optional lines with their {@code ?}) against actual: {@code "  "} for a line
     * on both sides, {@code "- "} expected but not delivered, {@code "+ "} delivered but not expected.
     * Unordered blocks are compared sorted.
     */
    static List<String> diff(List<Step.ExpectedEvent> expected, List<String> actual, boolean unordered) {
        List<Step.ExpectedEvent> exp = new ArrayList<>(expected);
        List<String> act = new ArrayList<>(collapse(actual));
        if (unordered) {
            exp.sort(Comparator.comparing(Step.ExpectedEvent::text));
            act.sort(Comparator.naturalOrder());
        }
        int n = exp.size();
        int m = act.size();
        int[][] lcs = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                lcs[i][j] = exp.get(i).accepts(act.get(j)) ? lcs[i + 1][j + 1] + 1
                        : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        List<String> out = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && exp.get(i).accepts(act.get(j))) {
                i++;
                out.add("  " + act.get(j));
                j++;
            } else if (j < m && (i == n || lcs[i][j + 1] > lcs[i + 1][j])) {
                out.add("+ " + act.get(j++));
            } else {
                out.add("- " + exp.get(i++));
            }
        }
        return out;
    }
}
