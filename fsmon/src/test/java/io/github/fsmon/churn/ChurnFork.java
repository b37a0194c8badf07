package io.github.fsmon.churn;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one churn configuration in a JVM of its own ({@link ChurnMain}), optionally inside a mount
 * namespace with a private tmpfs. A process of its own because an engine that is stuck for good (an I/O
 * thread spinning, a {@code close()} that never returns) cannot be stopped from inside a JVM, and would
 * burn a CPU under every run that follows; a child dies with its {@code System.exit}, or is killed at
 * its deadline.
 */
public final class ChurnFork {
    private ChurnFork() {
    }

    /**
     * What a child run said.
     *
     * @param exitStatus 0 passed, 1 a difference, 2 a broken set-up, -1 killed at its deadline
     * @param output     everything it printed (the summary, and on a failure the report)
     * @param data       the counts of its {@code CHURN-DATA} line (empty if it printed none)
     */
    public record Outcome(int exitStatus, String output, Map<String, Long> data) {
        public boolean passed() {
            return exitStatus == 0;
        }

        /** A count of the {@code CHURN-DATA} line, or -1. */
        public long get(String key) {
            return data.getOrDefault(key, -1L);
        }
    }

    /**
     * Runs {@code config} in a child JVM with {@code classPath}.
     *
     * @param privateTmpfs mount a fresh tmpfs on {@code config.parent()} in a mount namespace of the
     *                     child's own first (root only, see {@link ChurnFileSystems#whyNoPrivateTmpfs})
     * @param reportDir    where a failing run writes its full report, or {@code null}
     */
    public static Outcome run(ChurnRun.Config config, String classPath, boolean privateTmpfs, Path reportDir)
            throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", classPath,
                ChurnMain.class.getName(),
                "--seed", Long.toString(config.seed()), "--ops", Integer.toString(config.operations()),
                "--backend", config.backend().name().toLowerCase(Locale.ROOT),
                "--poll-ms", Long.toString(config.pollInterval().toMillis()),
                "--events", config.allEvents() ? "all" : "default", "--dir", config.parent().toString(),
                "--fs", config.fsLabel(), "--timeout-s", Long.toString(config.timeout().toSeconds()),
                "--queue", Integer.toString(config.queueCapacity())));
        if (reportDir != null) {
            cmd.addAll(List.of("--report-dir", reportDir.toAbsolutePath().toString()));
        }
        if (privateTmpfs) {
            cmd = ChurnFileSystems.privateTmpfsCommand(config.parent(), cmd);
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                out.append("(reading the child's output failed: ").append(e).append(")");
            }
        }, "churn-child-output");
        reader.start();
        // The child bounds its own run; this bound covers its start-up and a child that cannot end.
        long limit = config.timeout().toSeconds() + 30;
        int status;
        if (p.waitFor(limit, TimeUnit.SECONDS)) {
            status = p.exitValue();
        } else {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            status = -1;
        }
        reader.join(10_000);
        String text;
        synchronized (out) {
            text = out.toString();
        }
        if (status == -1) {
            text += "\n(the child run was killed: it had not ended " + limit + " s after it started)";
        }
        return new Outcome(status, text, data(text));
    }

    private static Map<String, Long> data(String output) {
        Map<String, Long> data = new HashMap<>();
        for (String line : output.split("\n")) {
            if (line.startsWith(ChurnMain.DATA)) {
                for (String word : line.substring(ChurnMain.DATA.length()).trim().split(" ")) {
                    int eq = word.indexOf('=');
                    if (eq > 0) {
                        data.put(word.substring(0, eq), Long.parseLong(word.substring(eq + 1)));
                    }
                }
            }
        }
        return data;
    }
}
