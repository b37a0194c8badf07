package io.github.fsmon.scenario;

import java.util.List;

/**
 * A parsed scenario script: the steps to run, in order.
 *
 * @param name        the script's file name, for messages
 * @param steps       what to do and what to check
 * @param only        the operating systems the script runs on ({@code linux}, {@code macos}, {@code windows});
 *                    empty for all
 * @param namedWatches whether the script names its watches ({@code as=NAME}): then every event line,
 *                    expected or actual, carries the name of the watch it belongs to
 * @param queueCapacity the monitor's event queue capacity ({@code queue N}), or 0 for the default
 * @param knownFailing  why the script fails with today's library ({@code known-failing REASON}, or
 *                      {@code known-failing backend=NAME,... REASON} for those backends only), or
 *                      {@code null}: such a script runs only in the {@code churn} group
 *                      ({@code KnownFailingScenarioTest}); the default run reports it as skipped
 */
record Scenario(String name, List<Step> steps, List<String> only, boolean namedWatches, int queueCapacity,
                String knownFailing) {
    Scenario {
        steps = List.copyOf(steps);
        only = List.copyOf(only);
    }

    /** Whether the script is known to fail on {@code backend} (lower case, as in {@code backend=NAME}). */
    boolean knownFailingOn(String backend) {
        if (knownFailing == null) {
            return false;
        }
        if (!knownFailing.startsWith("backend=")) {
            return true;
        }
        int end = knownFailing.indexOf(' ');
        String names = knownFailing.substring("backend=".length(), end < 0 ? knownFailing.length() : end);
        return List.of(names.split(",")).contains(backend);
    }

    /** Whether some step holds the monitor's I/O thread ({@code freeze}). */
    boolean freezes() {
        return steps.stream().anyMatch(s -> s instanceof Step.Freeze);
    }
}
