package io.github.fsmon.bench;

import io.github.fsmon.Backend;
import io.github.fsmon.churn.ChurnFileSystems;
import io.github.fsmon.churn.ChurnFork;
import io.github.fsmon.churn.ChurnRun;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The churn soak: the model-based stress run of {@code ChurnModelTest} (the same harness, from fsmon's
 * test-jar) for many seeds per configuration, each run in a JVM of its own, and a Markdown table of what
 * they found. A configuration is a file system ({@code tmp}: the temporary directory, whatever file
 * system it is; {@code tmpfs}: a mounted tmpfs such as {@code /dev/shm}, or with {@code --tmpfs private} a
 * private one mounted for each run in a mount namespace of its own, as root) and a backend
 * ({@code inotify}, or {@code poll} at {@code --poll-ms}).
 *
 * <pre>
 * java -cp fsmon-bench/target/fsmon-bench.jar io.github.fsmon.bench.ChurnSoak
 *      [--seeds 200] [--first-seed 1] [--ops 3000] [--configs tmp-inotify,tmp-poll,tmpfs-inotify,tmpfs-poll]
 *      [--tmp DIR] [--tmpfs DIR|private] [--poll-ms 50] [--events default|all] [--queue N]
 *      [--timeout-s 60] [--reports DIR]
 * </pre>
 *
 * A failing run writes its full report (the operations as a scenario script, every event) to
 * {@code --reports} (default {@code churn-reports}) and prints the command that replays it.
 */
public final class ChurnSoak {
    private static final Pattern FS_TYPE = Pattern.compile("^CHURN-RESULT .* on \\S+ \\(([^)]+)\\)", Pattern.MULTILINE);
    private static final Pattern FIRST = Pattern.compile("the first, at event \\d+: (.*)");

    private ChurnSoak() {
    }

    /** What the runs of one configuration added up to. */
    private static final class Totals {
        final String name;
        String fsType = "?";
        int runs;
        int differing;
        int incomplete;
        long missing;
        long extra;
        long impossible;
        long paired;
        long renames;
        long overflows;
        final List<Long> millis = new ArrayList<>();
        final List<Long> failedSeeds = new ArrayList<>();
        final Map<String, Integer> firstReasons = new HashMap<>();

        Totals(String name) {
            this.name = name;
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int seeds = Integer.parseInt(a.getOrDefault("seeds", "200"));
        long first = Long.parseLong(a.getOrDefault("first-seed", "1"));
        int ops = Integer.parseInt(a.getOrDefault("ops", "3000"));
        Duration poll = Duration.ofMillis(Long.parseLong(a.getOrDefault("poll-ms", "50")));
        boolean allEvents = a.getOrDefault("events", "default").equals("all");
        int queue = Integer.parseInt(a.getOrDefault("queue", "0"));
        Duration timeout = Duration.ofSeconds(Long.parseLong(a.getOrDefault("timeout-s", "60")));
        Path reports = Path.of(a.getOrDefault("reports", "churn-reports")).toAbsolutePath();
        Path tmp = Path.of(a.getOrDefault("tmp", ChurnFileSystems.temporaryDirectory().toString())).toRealPath();
        String tmpfsArg = a.getOrDefault("tmpfs", "");
        boolean privateTmpfs = tmpfsArg.equals("private");
        Optional<Path> tmpfs = privateTmpfs ? Optional.empty() : ChurnFileSystems.mountedTmpfs(tmpfsArg);
        String classPath = System.getProperty("java.class.path");

        List<Totals> all = new ArrayList<>();
        for (String c : a.getOrDefault("configs", "tmp-inotify,tmp-poll,tmpfs-inotify,tmpfs-poll").split(",")) {
            String[] parts = c.trim().split("-");
            String fs = parts[0];
            Backend backend = Backend.valueOf(parts[1].toUpperCase(Locale.ROOT));
            Path parent;
            if (fs.equals("tmp")) {
                parent = tmp;
            } else if (tmpfs.isPresent()) {
                parent = tmpfs.get();
            } else if (privateTmpfs) {
                parent = null; // a fresh mount point per run
            } else {
                System.err.println("churn soak: no tmpfs mounted and writable here; skipping " + c
                        + " (as root, --tmpfs private mounts one per run)");
                continue;
            }
            Totals t = new Totals(c.trim() + (backend == Backend.POLL ? " " + poll.toMillis() + " ms" : ""));
            all.add(t);
            for (long seed = first; seed < first + seeds; seed++) {
                Path dir = parent != null ? parent : Files.createTempDirectory(tmp, "fsmon-churn-mnt-");
                ChurnRun.Config config = new ChurnRun.Config(seed, ops, backend, poll, allEvents, dir, fs, timeout, queue);
                ChurnFork.Outcome o = ChurnFork.run(config, classPath, parent == null, reports);
                if (parent == null) {
                    Files.deleteIfExists(dir);
                }
                add(t, seed, o);
                System.err.printf(Locale.ROOT, "%s seed %d: %s%n", t.name, seed, o.passed() ? "passed"
                        : "FAILED (" + o.output().lines().filter(l -> l.contains("replay:")).findFirst()
                        .orElse("exit status " + o.exitStatus()).trim() + ")");
            }
        }
        print(all, seeds, first, ops, allEvents, queue);
    }

    private static void add(Totals t, long seed, ChurnFork.Outcome o) {
        t.runs++;
        Matcher m = FS_TYPE.matcher(o.output());
        if (m.find()) {
            t.fsType = m.group(1);
        }
        if (!o.passed()) {
            t.differing++;
            t.failedSeeds.add(seed);
            Matcher f = FIRST.matcher(o.output());
            String reason = f.find() ? generic(f.group(1))
                    : o.get("incomplete") == 1 ? "run incomplete (sync or close did not return)"
                    : o.get("missing") + o.get("extra") > 0 ? "entries missing or extra only"
                    : o.exitStatus() == 2 || o.data().isEmpty() ? "broken set-up or killed" : "monitor errors only";
            t.firstReasons.merge(reason, 1, Integer::sum);
        }
        if (o.get("incomplete") == 1 || o.data().isEmpty()) {
            t.incomplete++;
        }
        t.missing += Math.max(0, o.get("missing"));
        t.extra += Math.max(0, o.get("extra"));
        t.impossible += Math.max(0, o.get("impossible"));
        t.paired += Math.max(0, o.get("paired"));
        t.renames += Math.max(0, o.get("renames"));
        t.overflows += Math.max(0, o.get("overflows"));
        if (o.get("totalMs") >= 0) {
            t.millis.add(o.get("totalMs"));
        }
    }

    /** A reason with its paths, lists and numbers taken out, so that equal reasons count together. */
    static String generic(String reason) {
        String[] words = reason.replaceAll("\\[[^]]*]( and \\d+ more)?", "[...]").split(" ");
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < words.length; i++) {
            String w = words[i];
            String next = i + 1 < words.length ? words[i + 1] : "";
            boolean article = w.equals("a") && next.matches("directory|file|path|non-empty|\\(?[A-Z_]+.*");
            if (!article && w.matches("[a-l](/[a-l])*,?")) {
                w = "P" + (w.endsWith(",") ? "," : "");
            }
            s.append(i == 0 ? "" : " ").append(w.replaceAll("\\d+", "N"));
        }
        return s.toString();
    }

    private static void print(List<Totals> all, int seeds, long first, int ops, boolean allEvents, int queue) {
        System.out.printf(Locale.ROOT, "# churn soak: seeds %d-%d, %d operations each%s%s (%s, %d CPUs)%n%n",
                first, first + seeds - 1, ops, allEvents ? ", all events" : "",
                queue > 0 ? ", queue " + queue + " with the listener held" : "",
                Runtime.version(), Runtime.getRuntime().availableProcessors());
        System.out.println("| configuration | file system | runs | runs differing | of which incomplete | entries missing"
                + " | entries extra | impossible steps | OVERFLOWs | renames paired | median run ms |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        for (Totals t : all) {
            List<Long> sorted = t.millis.stream().sorted().toList();
            long median = sorted.isEmpty() ? -1 : sorted.get(sorted.size() / 2);
            System.out.printf(Locale.ROOT, "| %s | %s | %d | %d | %d | %d | %d | %d | %d | %d of %d (%.1f%%) | %d |%n",
                    t.name, t.fsType, t.runs, t.differing, t.incomplete, t.missing, t.extra, t.impossible,
                    t.overflows, t.paired, t.renames, t.renames == 0 ? 0 : 100.0 * t.paired / t.renames, median);
        }
        System.out.println();
        for (Totals t : all) {
            if (t.failedSeeds.isEmpty()) {
                continue;
            }
            System.out.println("- " + t.name + ": failing seeds " + t.failedSeeds + "; first impossible step (paths as P):");
            t.firstReasons.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue())
                    .forEach(e -> System.out.println("    - " + e.getValue() + "x " + e.getKey()));
        }
    }
}
