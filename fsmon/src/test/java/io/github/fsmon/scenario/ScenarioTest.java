package io.github.fsmon.scenario;

import io.github.fsmon.Backend;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs every scenario script in {@code src/test/resources/scenarios} ({@code *.fss}) as its own test,
 * named after the file. A script that does not parse fails alone, with the line at fault.
 *
 * <p>The scripts run against every backend available here (scripts × backends): a plain {@code expect}
 * block is inotify's expectation, which {@link Mechanism} rewrites for a backend that sees less; a block
 * with {@code backend=NAME} is that backend's own, commented in the script.
 *
 * <p>A script marked {@code known-failing REASON} shows a library bug not fixed yet: here it is reported
 * as skipped, with its reason; {@link KnownFailingScenarioTest} (tag {@code churn}) runs it.
 *
 * <p>{@code -Dfsmon.scenario=TEXT} runs only the scripts whose file name contains TEXT;
 * {@code -Dfsmon.backend=poll,jdk} only those backends.
 */
class ScenarioTest {
    private static final String ONLY = System.getProperty("fsmon.scenario", "");
    private static final String BACKENDS = System.getProperty("fsmon.backend", "");

    /** The backends to run: every one available here but AUTO (which is one of them), or those asked for. */
    static List<Backend> backends() {
        List<Backend> all = Arrays.stream(Backend.values())
                .filter(b -> b != Backend.AUTO && b.isAvailable()).toList();
        if (BACKENDS.isEmpty()) {
            return all;
        }
        List<String> wanted = Arrays.asList(BACKENDS.toLowerCase(Locale.ROOT).split(","));
        return all.stream().filter(b -> wanted.contains(b.name().toLowerCase(Locale.ROOT))).toList();
    }

    @TestFactory
    Stream<DynamicNode> scenarios() throws IOException {
        return scenarios(false);
    }

    /**
     * The scripts × backends as dynamic tests: every script ({@code knownFailing == false}), where one
     * marked {@code known-failing} is reported as skipped with its reason; or only the scripts marked
     * {@code known-failing}, run for real ({@code true}, {@link KnownFailingScenarioTest}).
     */
    static Stream<DynamicNode> scenarios(boolean knownFailing) throws IOException {
        List<Path> scripts;
        try (Stream<Path> files = Files.list(scenarioDirectory())) {
            scripts = files.filter(p -> p.getFileName().toString().endsWith(".fss"))
                    .filter(p -> p.getFileName().toString().contains(ONLY))
                    .filter(p -> !knownFailing || markedKnownFailing(p)).sorted().toList();
        }
        if (!knownFailing) {
            assertThat(scripts).as("scenario scripts").isNotEmpty();
        }
        List<Backend> backends = backends();
        assertThat(backends).as("backends to run the scenarios on").isNotEmpty();
        return backends.stream().map(backend -> DynamicContainer.dynamicContainer(
                backend.name().toLowerCase(Locale.ROOT),
                scripts.stream().map(script -> DynamicTest.dynamicTest(script.getFileName().toString(),
                        script.toUri(), () -> run(script, backend, knownFailing)))));
    }

    /** Whether the script has a {@code known-failing} line (the parser checks the rest when it runs). */
    private static boolean markedKnownFailing(Path script) {
        try {
            return Files.readAllLines(script, StandardCharsets.UTF_8).stream()
                    .anyMatch(l -> l.strip().startsWith("known-failing ") || l.strip().equals("known-failing"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void run(Path script, Backend backend, boolean runKnownFailing) throws Exception {
        String text = Files.readString(script, StandardCharsets.UTF_8);
        Scenario scenario = ScenarioParser.parse(script.getFileName().toString(), text);
        if (scenario.knownFailingOn(backend.name().toLowerCase(Locale.ROOT)) && !runKnownFailing) {
            throw new org.opentest4j.TestAbortedException("known failing: " + scenario.knownFailing()
                    + "; run it with ./mvnw -q -pl fsmon test -Dgroups=churn -Dtest=KnownFailingScenarioTest");
        }
        new ScenarioRunner(scenario, backend).run();
    }

    /**
     * The scripts' directory: the copy among the test resources, or, when the tests run from a
     * layout without it, the source directory relative to the module.
     */
    static Path scenarioDirectory() {
        URL url = ScenarioTest.class.getResource("/scenarios/README.md");
        if (url != null && url.getProtocol().equals("file")) {
            try {
                return Path.of(url.toURI()).getParent();
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        return Path.of("src", "test", "resources", "scenarios");
    }
}
