package io.github.fsmon.limits;

import io.github.fsmon.Backend;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OS watch limits, hit for real: each case runs {@link LimitProbe} in a child JVM inside
 * {@code unshare -Ur}, a user namespace of its own whose {@code user.max_inotify_*} limits it lowers
 * first. The host's limits are never changed. Skipped where user namespaces are not available.
 */
class WatchLimitTest {
    /** The key under which {@link #probe} keeps the probe's whole output, log lines included. */
    private static final String OUTPUT = "output";

    @TempDir
    Path dir;

    @BeforeAll
    static void userNamespacesWork() throws Exception {
        Process p = new ProcessBuilder("unshare", "-Ur", "sh", "-c",
                "echo 100 > /proc/sys/user/max_inotify_watches").redirectErrorStream(true).start();
        boolean done = p.waitFor(30, TimeUnit.SECONDS);
        Assumptions.assumeTrue(done && p.exitValue() == 0,
                "needs unshare -Ur with a writable /proc/sys/user/max_inotify_watches (Linux 5.11+)");
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"INOTIFY", "JDK"})
    void aTreeLargerThanTheLimitFailsWithTheSettingAndTheCountAndGivesItsWatchesBack(Backend backend) throws Exception {
        Map<String, String> out = probe("echo 20 > /proc/sys/user/max_inotify_watches", "watches", dir.toString(), "50",
                backend.name());
        assertThat(out.get("RESULT")).isEqualTo("io.github.fsmon.WatchLimitException");
        // 50 directories and the tree's root
        assertThat(out.get("LIMIT")).isEqualTo("user.max_inotify_watches 20 51");
        assertThat(out.get("MESSAGE")).contains("user.max_inotify_watches = 20", "needs 51 watches", "sysctl -w");
        assertThat(out.get("AFTER")).as("a small watch on the same monitor still works").isEqualTo("true");
    }

    @Test
    void withPollPastWatchLimitTheDirectoriesThatDoNotFitArePolledAndNothingIsLost() throws Exception {
        Map<String, String> out = probe("echo 20 > /proc/sys/user/max_inotify_watches", "degrade", dir.toString(), "50");
        assertThat(out.get("RESULT")).isEqualTo("started");
        // 20 watches: two for the monitor's barrier pipes, then the root and 17 directories; each of the
        // other 33 is a polled subtree of its own.
        assertThat(out.get("POLLED")).isEqualTo("33");
        assertThat(out.get("FIRSTPOLLED")).isEqualTo("false");
        assertThat(out.get("LASTPOLLED")).isEqualTo("true");
        assertThat(out.get("SEEN")).as("notified file, polled file, file in a new polled directory")
                .isEqualTo("true true true");
    }

    @Test
    void oneMonitorMoreThanTheInstanceLimitFailsWithTheSettingOrPollsWithAuto() throws Exception {
        Map<String, String> out = probe("echo 2 > /proc/sys/user/max_inotify_instances", "instances", "3", "INOTIFY", "12");
        assertThat(out.get("RESULT")).isEqualTo("io.github.fsmon.WatchLimitException");
        assertThat(out.get("LIMIT")).startsWith("user.max_inotify_instances 2 ");
        // The probe is the namespace's only process, and holds the two instances of its first monitors.
        assertThat(out.get("INUSE")).isEqualTo("2");
        assertThat(out.get("MESSAGE")).contains("instance limit reached: user.max_inotify_instances = 2",
                "2 in use by this user's processes", "sysctl -w user.max_inotify_instances=1024")
                .doesNotContain("watch needs", "524288");
        assertThat(out.get("CREATED")).isEqualTo("2");
        // AUTO, at the same limit: polling, saying why, and it works
        assertThat(out.get("AUTO")).isEqualTo("POLL");
        assertThat(out.get("REASON")).contains("user.max_inotify_instances = 2").contains("polling every");
        assertThat(out.get("AUTOEVENT")).isEqualTo("true");
        // Twelve AUTO monitors past the limit, one WARNING
        assertThat(out.get(OUTPUT).lines().filter(l -> l.startsWith("WARNING: ") && l.contains("instance limit")))
                .as("probe output:\n" + out.get(OUTPUT)).hasSize(1);
    }

    @Test
    void theJdkBackendNamesTheInstanceLimitAndTheInstancesInUse() throws Exception {
        Map<String, String> out = probe("echo 2 > /proc/sys/user/max_inotify_instances", "instances", "3", "JDK", "1");
        assertThat(out.get("RESULT")).isEqualTo("io.github.fsmon.WatchLimitException");
        assertThat(out.get("LIMIT")).isEqualTo("user.max_inotify_instances 2 -1");
        assertThat(out.get("INUSE")).isEqualTo("2");
        assertThat(out.get("MESSAGE")).contains("user.max_inotify_instances = 2", "2 in use");
        assertThat(out.get("CREATED")).isEqualTo("2");
    }

    /** Runs the probe with {@code setup} done first inside the namespace; returns its KEY value lines. */
    private Map<String, String> probe(String setup, String... args) throws IOException, InterruptedException {
        String java = io.github.fsmon.testing.ChildJvm.java();
        String cp = io.github.fsmon.testing.ChildJvm.classPath();
        StringBuilder cmd = new StringBuilder(setup).append(" && exec '").append(java)
                .append("' --enable-native-access=ALL-UNNAMED -cp '").append(cp).append("' ")
                .append(LimitProbe.class.getName());
        for (String a : args) {
            cmd.append(" '").append(a).append('\'');
        }
        Process p = new ProcessBuilder(List.of("unshare", "-Ur", "sh", "-c", cmd.toString()))
                .redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("probe output:\n" + text).isZero();
        Map<String, String> out = new HashMap<>();
        for (String line : text.split("\n")) {
            int sp = line.indexOf(' ');
            if (sp > 0 && line.substring(0, sp).matches("[A-Z]+")) {
                out.put(line.substring(0, sp), line.substring(sp + 1));
            }
        }
        assertThat(out).as("probe output:\n" + text).containsKey("RESULT");
        out.put(OUTPUT, text);
        return out;
    }
}
