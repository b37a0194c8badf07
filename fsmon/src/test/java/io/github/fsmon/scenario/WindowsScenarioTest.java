package io.github.fsmon.scenario;

import io.github.fsmon.Backend;
import io.github.fsmon.internal.windows.InotifyWin32;
import io.github.fsmon.internal.windows.ReadDirectoryChangesBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scenario scripts against the Windows backend ({@link Backend#WINDOWS}), whose kernel32 is replaced
 * by {@link InotifyWin32}: a simulation that turns this machine's real file-system changes into the
 * records ReadDirectoryChangesW would deliver. What the backend is expected to deliver is the plain
 * {@code expect} block rewritten by {@link Mechanism} (rule "windows"), or a script's own
 * {@code backend=windows} block.
 *
 * <p>A script marked {@code known-failing} is reported as skipped, as in {@link ScenarioTest}. The scripts
 * in {@link #NOT_EXPRESSIBLE} do not run: their outcome on Windows is not something the
 * simulation can honestly produce, for the reason given beside each.
 */
class WindowsScenarioTest {
    /** The simulations stand on Linux: inotify (for the scenario one) and unix:ino file keys. */
    @org.junit.jupiter.api.BeforeAll
    static void onLinux() {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.github.fsmon.internal.linux.InotifyBackend.isSupported(),
                "the kernel32 simulations run on Linux; on Windows, ScenarioTest runs the scripts against kernel32");
    }

    private static final String NO_BYTE_NAMES = "Windows names are UTF-16 text: a name that is bytes but not UTF-8 "
            + "(what these scripts are about) has no Windows form";

    /** Scripts the simulation cannot stand in for Windows on, and why. */
    static final Map<String, String> NOT_EXPRESSIBLE = Map.of(
            "046-move-into-new-dir-race.fss", "the simulation follows a new directory with inotify, which watches "
                    + "b only after d was renamed into it, so it reports the rename's source half as a removal; "
                    + "Windows' recursive handle has no such window, and the simulation cannot produce its pair",
            "080-non-utf8-root.fss", NO_BYTE_NAMES,
            "081-non-utf8-intermediate-directory.fss", NO_BYTE_NAMES,
            "082-non-utf8-new-directory.fss", NO_BYTE_NAMES,
            "083-non-utf8-renamed-directory.fss", NO_BYTE_NAMES,
            "084-non-utf8-names-apart.fss", NO_BYTE_NAMES,
            "085-non-utf8-queue-recovery.fss", NO_BYTE_NAMES);

    @AfterAll
    static void restore() {
        ReadDirectoryChangesBackend.substituteWin32(null);
    }

    /**
     * Twice: with ReadDirectoryChangesExW (attributes in every record) and with plain ReadDirectoryChangesW,
     * where whether an entry is a directory comes from a lookup when it appears and from the engine's
     * memory when it goes or is "modified".
     */
    @TestFactory
    Stream<DynamicContainer> scenarios() throws IOException {
        String only = System.getProperty("fsmon.scenario", "");
        List<Path> scripts;
        try (Stream<Path> files = Files.list(ScenarioTest.scenarioDirectory())) {
            scripts = files.filter(p -> p.getFileName().toString().endsWith(".fss"))
                    .filter(p -> p.getFileName().toString().contains(only))
                    .filter(p -> !NOT_EXPRESSIBLE.containsKey(p.getFileName().toString())).sorted().toList();
        }
        assertThat(scripts).isNotEmpty();
        return Stream.of(true, false).map(extended -> DynamicContainer.dynamicContainer(
                extended ? "ReadDirectoryChangesExW" : "ReadDirectoryChangesW",
                scripts.stream().map(script -> DynamicTest.dynamicTest(script.getFileName().toString(), script.toUri(),
                        () -> run(script, extended)))));
    }

    private static void run(Path script, boolean extended) throws Exception {
        Scenario scenario = ScenarioParser.parse(script.getFileName().toString(),
                Files.readString(script, StandardCharsets.UTF_8));
        if (scenario.knownFailingOn("windows")) {
            throw new org.opentest4j.TestAbortedException("known failing: " + scenario.knownFailing()
                    + "; KnownFailingScenarioTest (tag churn) runs it on this machine's backends");
        }
        ReadDirectoryChangesBackend.substituteWin32(() -> new InotifyWin32(extended));
        try {
            new ScenarioRunner(scenario, Backend.WINDOWS).run();
        } finally {
            ReadDirectoryChangesBackend.substituteWin32(null);
        }
    }
}
