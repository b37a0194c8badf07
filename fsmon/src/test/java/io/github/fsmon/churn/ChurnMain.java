package io.github.fsmon.churn;

import io.github.fsmon.Backend;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Runs one {@link ChurnRun} from the command line and prints its result, for a run in a process of its
 * own ({@link ChurnFork}): the test and the soak run each configuration so, and a private tmpfs is
 * mounted for it in a mount namespace of its own.
 *
 * <pre>
 * ChurnMain --seed 7 --ops 3000 --backend inotify --dir /some/dir --fs tmpfs
 *           [--poll-ms 50] [--events all] [--timeout-s 60] [--queue N] [--report-dir DIR]
 * </pre>
 *
 * Prints the summary line after {@code CHURN-RESULT }, the counts after {@code CHURN-DATA }, and on a
 * failure the report; the exit status is 0 when the run passed, 1 when it found a difference, 2 on a
 * broken set-up. It ends with {@link System#exit}, so an engine thread that is stuck (and that a
 * run in the test's own JVM could not stop) dies with the process.
 */
public final class ChurnMain {
    /** The prefix of the line that carries the result. */
    public static final String RESULT = "CHURN-RESULT ";
    /** The prefix of the line that carries the counts ({@link ChurnResult#dataLine()}). */
    public static final String DATA = "CHURN-DATA ";

    private ChurnMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                usage("unexpected " + args[i]);
            }
            a.put(args[i].substring(2), args[i + 1]);
        }
        if (!a.containsKey("seed") || !a.containsKey("dir")) {
            usage("--seed and --dir are required");
        }
        ChurnRun.Config config = new ChurnRun.Config(Long.parseLong(a.get("seed")),
                Integer.parseInt(a.getOrDefault("ops", "3000")),
                Backend.valueOf(a.getOrDefault("backend", "inotify").toUpperCase(Locale.ROOT)),
                Duration.ofMillis(Long.parseLong(a.getOrDefault("poll-ms", "50"))),
                a.getOrDefault("events", "default").equals("all"), Path.of(a.get("dir")),
                a.getOrDefault("fs", "dir"), Duration.ofSeconds(Long.parseLong(a.getOrDefault("timeout-s", "60"))),
                Integer.parseInt(a.getOrDefault("queue", "0")));
        ChurnResult result;
        try {
            result = ChurnRun.run(config);
        } catch (Exception | Error e) {
            e.printStackTrace();
            System.exit(2);
            return;
        }
        System.out.println(RESULT + result.summaryLine());
        System.out.println(DATA + result.dataLine());
        if (!result.passed()) {
            Path full = a.containsKey("report-dir") ? result.writeFullReport(Path.of(a.get("report-dir"))) : null;
            System.out.println(result.report(full));
        }
        System.out.flush();
        System.exit(result.passed() ? 0 : 1);
    }

    private static void usage(String why) {
        System.err.println("ChurnMain: " + why + "\nusage: ChurnMain --seed N --dir DIR [--ops N] [--backend inotify|poll]"
                + " [--poll-ms 50] [--events default|all] [--fs LABEL] [--timeout-s 60] [--queue N] [--report-dir DIR]");
        System.exit(2);
    }
}
