package io.github.fsmon.churn;

import io.github.fsmon.Backend;
import io.github.fsmon.FileEvent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one {@link ChurnRun} found, and the report that replays it.
 *
 * @param config        what was run
 * @param backend       the backend the monitor used
 * @param fsType        the file system's type, as the JDK names it ({@code ext4}, {@code tmpfs}, ...)
 * @param base          where the run's tree was (deleted since)
 * @param log           the performed operations, as scenario-script commands relative to {@code base}
 * @param setupLines    how many lines at the start of {@code log} made the initial tree
 * @param performed     operations performed
 * @param skipped       operations drawn but skipped (their random target did not exist or did not fit)
 * @param renamesInside performed renames whose both ends were inside the watched tree
 * @param pairedMoves   delivered {@code MOVED_TO}s with a {@code movedFrom}
 * @param overflows     delivered {@code OVERFLOW}s
 * @param recovered     delivered {@code RECOVERED}s
 * @param events        every delivered event, in order
 * @param impossible    the replay's impossible steps
 * @param missing       on disk but not in the replayed model (or there with the other type)
 * @param extra         in the replayed model but not on disk (or there with the other type)
 * @param errors        what the monitor reported to its error handler
 * @param failure       why the run did not complete (a timeout, a failed monitor), or {@code null}
 * @param workload      the time the operations took
 * @param barrier       the time from the last operation to the barrier's completion
 * @param total         the whole run, from making the tree to the comparison
 * @param root          the watched root's path, for printing events relative to it
 */
public record ChurnResult(ChurnRun.Config config, Backend backend, String fsType, Path base, List<String> log,
                          int setupLines, int performed, int skipped, int renamesInside, int pairedMoves,
                          int overflows, int recovered, List<FileEvent> events,
                          List<StrictTreeModel.Impossible> impossible, TreeMap<String, Boolean> missing,
                          TreeMap<String, Boolean> extra, List<String> errors, String failure, Duration workload,
                          Duration barrier, Duration total, Path root) {

    /** How many events around the first impossible step the summary shows, on each side. */
    private static final int CONTEXT = 12;
    /** How many missing or extra entries the summary lists. */
    private static final int LISTED = 40;

    /** Whether the replay of the events gave the disk, with no impossible step, no error and no timeout. */
    public boolean passed() {
        return failure == null && impossible.isEmpty() && missing.isEmpty() && extra.isEmpty() && errors.isEmpty();
    }

    /** Delivered {@code MOVED_TO}s with {@code movedFrom} over renames inside the tree; 1 when there were none. */
    public double pairingRate() {
        return renamesInside == 0 ? 1 : (double) pairedMoves / renamesInside;
    }

    /** One line: the configuration and the counts. */
    public String summaryLine() {
        return String.format(Locale.ROOT,
                "%s: %s; %d performed, %d skipped; %d events, %d OVERFLOW, %d RECOVERED; %d impossible steps,"
                        + " %d missing, %d extra, %d errors; renames paired %d of %d (%.1f%%); workload %d ms,"
                        + " barrier %d ms",
                config.describe() + " (" + fsType + ")",
                passed() ? "PASSED" : failure != null ? "FAILED, INCOMPLETE" : "FAILED", performed, skipped,
                events.size(), overflows, recovered, impossible.size(), missing.size(), extra.size(), errors.size(),
                pairedMoves, renamesInside, 100 * pairingRate(), workload.toMillis(), barrier.toMillis());
    }

    /**
     * The counts as {@code key=value} words, for a parent process to read back ({@link ChurnFork}):
     * {@code passed performed skipped events overflows recovered impossible missing extra errors paired
     * renames workloadMs barrierMs totalMs incomplete}.
     */
    public String dataLine() {
        return "passed=" + (passed() ? 1 : 0) + " performed=" + performed + " skipped=" + skipped
                + " events=" + events.size() + " overflows=" + overflows + " recovered=" + recovered
                + " impossible=" + impossible.size() + " missing=" + missing.size() + " extra=" + extra.size()
                + " errors=" + errors.size() + " paired=" + pairedMoves + " renames=" + renamesInside
                + " workloadMs=" + workload.toMillis() + " barrierMs=" + barrier.toMillis()
                + " totalMs=" + total.toMillis() + " incomplete=" + (failure == null ? 0 : 1);
    }

    /**
     * The failure report: configuration, how to replay it, the first impossible step with the events
     * around it, the missing and extra entries, the monitor's errors, and where the full report is.
     */
    public String report(Path fullReport) {
        StringBuilder s = new StringBuilder();
        s.append("churn run ").append(passed() ? "passed" : "FAILED").append(": ").append(config.describe())
                .append("\n  backend ").append(backend).append(", file system ").append(fsType)
                .append(" (").append(base).append(")\n");
        s.append("  replay: ").append(config.replayCommand()).append('\n');
        s.append("  ").append(summaryLine()).append('\n');
        if (failure != null) {
            s.append("  run incomplete: ").append(failure).append('\n');
        }
        if (!impossible.isEmpty()) {
            StrictTreeModel.Impossible first = impossible.get(0);
            s.append("  impossible steps: ").append(impossible.size()).append("; the first, at event ")
                    .append(first.index()).append(": ").append(first.reason()).append('\n');
            s.append("  events around it (>> marks it):\n");
            int from = Math.max(0, first.index() - CONTEXT);
            int to = Math.min(events.size(), first.index() + CONTEXT + 1);
            for (int i = from; i < to; i++) {
                s.append(i == first.index() ? "  >> " : "     ").append(i).append(' ').append(line(events.get(i))).append('\n');
            }
            if (impossible.size() > 1) {
                s.append("  next impossible steps:\n");
                impossible.stream().skip(1).limit(8).forEach(x -> s.append("     ").append(x.index()).append(' ')
                        .append(x.event() == null ? "" : line(x.event())).append(": ").append(x.reason()).append('\n'));
            }
        }
        list(s, "missing (on disk, not in the replayed events)", missing);
        list(s, "extra (in the replayed events, not on disk)", extra);
        if (!errors.isEmpty()) {
            s.append("  the monitor reported ").append(errors.size()).append(" error(s): ")
                    .append(errors.subList(0, Math.min(5, errors.size()))).append('\n');
        }
        if (fullReport != null) {
            s.append("  full report (the operations as a scenario script, then every event): ").append(fullReport).append('\n');
        }
        return s.toString();
    }

    private static void list(StringBuilder s, String title, TreeMap<String, Boolean> entries) {
        if (entries.isEmpty()) {
            return;
        }
        s.append("  ").append(title).append(": ").append(entries.size()).append('\n');
        int n = 0;
        for (Map.Entry<String, Boolean> e : entries.entrySet()) {
            if (n++ == LISTED) {
                s.append("     ... and ").append(entries.size() - LISTED).append(" more\n");
                break;
            }
            s.append("     ").append(e.getKey()).append(e.getValue() ? "/" : "").append('\n');
        }
    }

    /** An event relative to the watched root: {@code MOVED_TO,ISDIR a/b <- c cookie=7 synthetic}. */
    public String line(FileEvent e) {
        String rel = root.relativize(e.path()).toString();
        StringBuilder s = new StringBuilder(e.maskNames()).append(' ').append(rel.isEmpty() ? "." : rel);
        if (e.movedFrom() != null) {
            s.append(" <- ").append(root.relativize(e.movedFrom()));
        }
        if (e.cookie() != 0) {
            s.append(" cookie=").append(Integer.toUnsignedString(e.cookie()));
        }
        if (e.synthetic()) {
            s.append(" synthetic");
        }
        return s.toString();
    }

    /**
     * Writes the full report to {@code dir}: a scenario script (the initial tree, the watch, every
     * operation, then {@code expect-consistent}), followed by the summary and every delivered event as
     * comments. Returns the file.
     */
    public Path writeFullReport(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("churn-seed" + config.seed() + "-" + backend.name().toLowerCase(Locale.ROOT)
                + "-" + config.fsLabel() + (config.allEvents() ? "-all" : "")
                + (config.queueCapacity() > 0 ? "-queue" + config.queueCapacity() : "") + ".fss");
        StringBuilder s = new StringBuilder();
        for (String line : report(null).split("\n")) {
            s.append("# ").append(line).append('\n');
        }
        s.append("# Paths are relative to a directory holding the watched tree w and its unwatched sibling outside.\n");
        s.append("# (rm -r below removed entries deepest first, in reverse name order.)\n");
        for (int i = 0; i < log.size(); i++) {
            if (i == setupLines) {
                s.append("watch w recursive").append(config.allEvents() ? " events=all" : "").append('\n');
            }
            s.append(log.get(i)).append('\n');
        }
        if (setupLines == log.size()) {
            s.append("watch w recursive").append(config.allEvents() ? " events=all" : "").append('\n');
        }
        s.append("expect-consistent\n");
        s.append("# delivered events (index, event relative to w):\n");
        for (int i = 0; i < events.size(); i++) {
            s.append("# ").append(i).append(' ').append(line(events.get(i))).append('\n');
        }
        Files.writeString(file, s, StandardCharsets.UTF_8);
        return file;
    }
}
