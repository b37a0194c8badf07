package io.github.fsmon.cli;

import io.github.fsmon.Backend;
import io.github.fsmon.EventKind;
import io.github.fsmon.FileMonitor;
import io.github.fsmon.WatchOptions;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;

/** The {@code fsmon} command: inotifywait's options and output, plus JSON lines and run-on-change. */
@Command(name = "fsmon", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        sortOptions = false, usageHelpWidth = 100,
        headerHeading = "NAME%n", header = "  fsmon - wait for changes to files and directory trees",
        synopsisHeading = "%nSYNOPSIS%n",
        customSynopsis = {
            "  fsmon [-m] [-r] [-q|-qq] [-e EVENT]... [-t SECONDS] [--exclude|--include REGEX]",
            "        [--format FMT [--timefmt FMT] [--no-newline] | -c | --json] [-0] [--] PATH... [@PATH]...",
            "  fsmon [options] --exec CMD PATH...      fsmon [options] --run CMD [ARG]... ';' PATH...",
            "  fsmon --list-backends | --completion bash | --help | --version"},
        descriptionHeading = "%nDESCRIPTION%n",
        description = {
            "  Watches files and directories (with -r, whole trees) and prints one line per change, the way",
            "  inotifywait(1) does: same options, same output, same exit status, so existing scripts keep",
            "  working. Unlike inotifywait it misses nothing in new directories (their contents are scanned",
            "  and reported), knows where a renamed entry came from, reports lost events as an explicit",
            "  Q_OVERFLOW line followed by the differences and RECOVERED, and can print JSON lines or run a",
            "  command on change.",
            "",
            "  Without -m, fsmon exits after the first event. 'Setting up watches.' and 'Watches",
            "  established.' go to standard error (not with -q): once the second is printed, every change",
            "  is reported. As in inotifywait, '--' ends the options: every argument after it is a path",
            "  to watch, even one that starts with '-'."},
        parameterListHeading = "%nARGUMENTS%n",
        optionListHeading = "%nOPTIONS%n",
        footerHeading = "%n",
        footer = {
            "EVENTS (for -e, comma lists and repeats allowed; default: all)",
            "  access  modify  attrib  close_write  close_nowrite  close (both closes)  open",
            "  moved_to  moved_from  move (both halves)  move_self  create  delete  delete_self  unmount",
            "  Printed names are upper case in inotify's bit order, e.g. CLOSE_WRITE,CLOSE and CREATE,ISDIR.",
            "  Always reported: Q_OVERFLOW (events were lost) and, after the recovered differences, RECOVERED.",
            "",
            "FORMAT (--format)",
            "  %%w  the watched path as given (a directory's with a trailing /) and the subdirectory",
            "  %%f  the name of the entry, empty for an event on a watched path itself",
            "  %%e  the event names, comma-separated;  %%Xe  separated by the character X",
            "  %%T  the time, formatted with --timefmt (strftime conversions)",
            "  %%c  the rename cookie, in hex (equal on MOVED_FROM and MOVED_TO; 0 otherwise)",
            "  %%0  NUL    %%n  newline    %%%%  a percent sign",
            "  Default: '%%w %%,e %%f'. With -c, the fields are comma-separated and quoted like inotifywait",
            "  does (a field with a quote, comma, newline or a leading or trailing space is quoted, and its",
            "  quotes doubled).",
            "",
            "JSON (--json)",
            "  One object per event: kind, names, path, isDir, cookie, movedFrom, synthetic, sequence, time.",
            "  A path that is not valid UTF-8 is written with U+FFFD for the undecodable bytes, and its exact",
            "  bytes follow, base64-encoded, in pathBytes (movedFromBytes).",
            "",
            "RUN ON CHANGE (--exec CMD, or --run CMD [ARG]... ';')",
            "  Runs CMD (--exec: through sh -c; --run: the words up to an argument ';', without a shell)",
            "  once changes have been quiet for --debounce (100ms), never two runs at once; changes during",
            "  a run cause one more run after it. The changed paths are on the command's standard input,",
            "  all of them (one per line, NUL-terminated with -0), and in FSMON_PATHS (one per line) when",
            "  they fit in 64 KiB; larger lists leave FSMON_PATHS unset (said once on standard error).",
            "  Without -e, only changes count (create, delete, modify, attrib, close_write, moves), not",
            "  reads, so a command that reads the watched files does not start itself again; leave the",
            "  command's own output out with --exclude or @PATH. Each run is a process group of its own",
            "  (with setsid(1)); when fsmon ends, or dies even of SIGKILL, the group gets SIGTERM, and",
            "  SIGKILL once --grace (5s) has passed.",
            "",
            "SIGNALS",
            "  On SIGTERM, SIGINT or SIGHUP fsmon writes the event it is writing (waiting --grace at most",
            "  for a reader that does not read), stops the command's run, and dies of the signal, as",
            "  inotifywait does. When its reader goes away it dies of SIGPIPE (a shell shows 141).",
            "",
            "REQUIREMENTS",
            "  Java 22 or newer (fsmon calls inotify through the Foreign Function & Memory API, final since",
            "  Java 22). The bin/fsmon launcher finds one (JAVA_HOME, javac on PATH, /usr/lib/jvm, ...); with",
            "  java -jar, run a java 22+: an older one fails with UnsupportedClassVersionError (class file",
            "  version 66.0).",
            "",
            "EXIT STATUS",
            "  0  an event that was asked for was received",
            "  1  an error, or an event that was not asked for (the watch ended: IGNORED, DELETE_SELF, ...)",
            "  2  the timeout (-t) passed without an event",
            "  killed by the signal: SIGTERM, SIGINT, SIGHUP, or SIGPIPE (see SIGNALS)",
            "",
            "EXAMPLES",
            "  fsmon -m -r src                         print every change under src",
            "  fsmon -m -r -e close_write --format '%%w%%f' src | while read f; do ...; done",
            "  fsmon -r -e create,moved_to -t 10 inbox  wait up to 10 s for a new file",
            "  fsmon -m -r --json src                  JSON lines",
            "  fsmon -r --exec 'make' src              rebuild on save",
            "  fsmon -r --run mvn -q compile ';' src    the same, without a shell",
            "  fsmon -m -- -odd-name                   watch a path that starts with '-'",
            "  source <(fsmon --completion bash)       shell completion",
            "",
            "DIFFERENCES FROM INOTIFYWAIT",
            "  Entries created in a new directory before it was watched are reported (inotifywait misses",
            "  them). An event on a subdirectory itself (OPEN,ISDIR ...) is reported once, by its parent, not",
            "  a second time under the subdirectory's own path; DELETE_SELF and MOVE_SELF are reported for",
            "  watched paths only. A directory moved out of the tree stops reporting. Regular expressions are",
            "  Java's, which accept POSIX extended expressions. -t takes fractions of a second and rejects",
            "  negative values. -d and -s are not supported."})
public final class Main implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "PATH",
            description = "Files or directories to watch; @PATH leaves PATH (and, with -r, all below it) out.")
    List<String> arguments = new ArrayList<>();

    @Option(names = {"-m", "--monitor"}, description = "Keep listening for events until stopped or --timeout passes "
            + "without an event. Without it, fsmon exits after the first event.")
    boolean monitor;

    @Option(names = {"-r", "--recursive"}, description = "Watch directories recursively, new subdirectories included.")
    boolean recursive;

    @Option(names = {"-q", "--quiet"}, description = "Once: do not print the set-up messages. Twice (-qq): "
            + "print nothing, not even events.")
    boolean[] quiet = new boolean[0];

    @Option(names = {"-e", "--event"}, split = ",", paramLabel = "EVENT",
            description = "Listen for these events only (see EVENTS). Default: all.")
    List<String> events = new ArrayList<>();

    @Option(names = {"-t", "--timeout"}, paramLabel = "SECONDS", description = "Without -m: exit with status 2 if "
            + "no event arrived within SECONDS. With -m: exit with status 2 once SECONDS pass without an event. "
            + "Time in which an event is being written (to a reader that is slow to read) or a run of the "
            + "command is due does not count. 0 (the default) waits forever.")
    String timeout = "0";

    @Option(names = "--exclude", paramLabel = "REGEX", description = "Ignore entries whose %%w%%f matches REGEX "
            + "(the last one counts); with -r, matching directories are not watched.")
    String exclude;

    @Option(names = "--excludei", paramLabel = "REGEX", description = "Like --exclude, ignoring case.")
    String excludei;

    @Option(names = {"-d", "--daemon"}, description = "Not supported (inotifywait's daemon mode): run fsmon under "
            + "a supervisor such as systemd, or with nohup and -o FILE.")
    boolean daemon;

    @Option(names = {"-s", "--syslog"}, description = "Not supported (inotifywait's syslog output): errors go to "
            + "standard error.")
    boolean syslog;

    @Option(names = "--include", paramLabel = "REGEX", description = "Report only entries whose %%w%%f matches REGEX.")
    String include;

    @Option(names = "--includei", paramLabel = "REGEX", description = "Like --include, ignoring case.")
    String includei;

    @Option(names = "--format", paramLabel = "FMT", description = "Print each event with FMT (see FORMAT).")
    String format;

    @Option(names = "--timefmt", paramLabel = "FMT", description = "strftime(3) format for %%T.")
    String timefmt;

    @Option(names = "--no-newline", description = "Do not end a --format record with a newline.")
    boolean noNewline;

    @Option(names = {"-c", "--csv"}, description = "Print events as comma-separated values.")
    boolean csv;

    @Option(names = {"-P", "--no-dereference"}, description = "Do not follow symbolic links inside a recursive "
            + "tree (the default; a watched path that is a link is still followed).")
    boolean noDereference;

    @Option(names = "--fromfile", paramLabel = "FILE", description = "Read paths to watch (or @paths to leave out) "
            + "from FILE, one per line; '-' reads standard input.")
    String fromFile;

    @Option(names = {"-o", "--outfile"}, paramLabel = "FILE", description = "Append events to FILE instead of "
            + "printing them on standard output.")
    String outfile;

    @Option(names = "--json", description = "Print one JSON object per event (see JSON).")
    boolean json;

    @Option(names = "-0", description = "End each record with NUL instead of a newline.")
    boolean nul;

    @Option(names = "--overflow", paramLabel = "MODE", description = "When events are lost: 'report' (default) "
            + "prints a Q_OVERFLOW line, then the differences found, then RECOVERED; 'exit' prints the "
            + "Q_OVERFLOW line and exits with status 1.")
    String overflow = "report";

    @Option(names = "--exec", paramLabel = "CMD", description = "Run CMD with sh -c on change (see RUN ON CHANGE); "
            + "implies -m.")
    String exec;

    @Option(names = "--run", paramLabel = "CMD", parameterConsumer = RunWords.class, description = "--run CMD "
            + "[ARG]... ';' runs CMD with ARGs, without a shell, on change (see RUN ON CHANGE); the command's "
            + "words end at an argument that is exactly ';' (in a shell: ';' or \\;). Implies -m.")
    List<String> command = new ArrayList<>();

    @Option(names = "--grace", paramLabel = "DURATION", description = "When fsmon is stopped: how long a run of "
            + "the command has after SIGTERM before SIGKILL, and how long an event being written may take "
            + "(default 5s).")
    String grace = "5s";

    @Option(names = "--debounce", paramLabel = "DURATION", description = "Quiet period before a run, e.g. 100ms, "
            + "2s (default 100ms).")
    String debounce = "100ms";

    @Option(names = "--backend", paramLabel = "NAME", description = "auto (default), inotify, poll, jdk or windows (opt-in, Windows only: tested against a simulated kernel32, not yet on Windows).")
    String backend = "auto";

    @Option(names = "--poll-interval", paramLabel = "DURATION", description = "How often the poll backend scans "
            + "(default 1s).")
    String pollInterval;

    @Option(names = "--queue-capacity", paramLabel = "N", description = "Events that may wait to be printed "
            + "before fsmon reports an overflow (default 65536).")
    int queueCapacity = DEFAULT_QUEUE_CAPACITY;

    static final int DEFAULT_QUEUE_CAPACITY = 65536;

    @Option(names = "--list-backends", description = "Print each backend, whether it can run here and why, and "
            + "which one --backend selects, then exit.")
    boolean listBackends;

    @Option(names = "--completion", paramLabel = "SHELL", description = "Print a completion script for bash "
            + "(also usable by zsh with bashcompinit), then exit.")
    String completion;

    private final InputStream stdin;
    private final OutputStream stdout;
    private final PrintStream stderr;
    /** The monitor being built while the command line is parsed, or {@code null}. */
    private EarlyMonitor early;

    Main(InputStream stdin, OutputStream stdout, PrintStream stderr) {
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** What {@code --version} prints: the version the build wrote into {@code version.properties}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"fsmon " + p.getProperty("version", "(version unknown)")};
        }
    }

    /**
     * Runs the command and exits with its status.
     *
     * @param args the command line
     * @throws InterruptedException if interrupted while stopping
     */
    public static void main(String[] args) throws InterruptedException {
        Signals.install();
        EarlyMonitor early = EarlyMonitor.start();
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        // Paths are bytes: take the arguments as the OS gave them, not as the JVM decoded them.
        int status = run(RawArguments.exact(args), System.in, new FileOutputStream(FileDescriptor.out), err, early);
        err.flush();
        if (Signals.stopping()) {
            Thread.sleep(Long.MAX_VALUE); // the signal's handler is finishing, then the process dies of it
        }
        if (status == Session.BROKEN_PIPE) {
            Signals.dieOf(Posix.SIGPIPE); // as inotifywait dies when its reader went away
        }
        System.exit(status);
    }

    /** Runs the command line; returns the exit status. */
    static int run(String[] args, InputStream in, OutputStream out, PrintStream err) {
        return run(args, in, out, err, null);
    }

    private static int run(String[] args, InputStream in, OutputStream out, PrintStream err, EarlyMonitor early) {
        Main main = new Main(in, out, err);
        main.early = early;
        CommandLine cl = commandLine(main);
        cl.setOut(new java.io.PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true));
        cl.setErr(new java.io.PrintWriter(err, true));
        int status = cl.execute(args); // "--" ends the options, as in inotifywait: what follows are paths
        if (main.early != null) {
            main.early.discard(); // --help, --version, --list-backends, or an error before watching
        }
        return status;
    }

    static CommandLine commandLine(Main main) {
        CommandLine cl = new CommandLine(main);
        cl.setExpandAtFiles(false); // @PATH excludes a path, as in inotifywait
        cl.setPosixClusteredShortOptionsAllowed(true);
        cl.setOverwrittenOptionsAllowed(true); // --exclude given twice: the last one counts, as in inotifywait
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println("fsmon: " + e.getMessage());
            return 1;
        });
        cl.setParameterExceptionHandler((e, args) -> {
            e.getCommandLine().getErr().println("fsmon: " + e.getMessage());
            e.getCommandLine().getErr().println("Run 'fsmon --help' for the options.");
            return 1;
        });
        return cl;
    }

    @Override
    public Integer call() throws Exception {
        if (completion != null) {
            if (!completion.equals("bash") && !completion.equals("zsh")) {
                throw new IllegalArgumentException("completion is generated for bash (and zsh with bashcompinit)");
            }
            CommandLine cl = commandLine(new Main(stdin, stdout, stderr));
            stdout.write(AutoComplete.bash("fsmon", cl).getBytes(StandardCharsets.UTF_8));
            stdout.flush();
            return 0;
        }
        if (listBackends) {
            StringBuilder s = new StringBuilder();
            for (Backend b : Backend.values()) {
                s.append(String.format(Locale.ROOT, "%-8s %s%n", b.name().toLowerCase(Locale.ROOT), b.availability()));
            }
            // What a monitor built with --backend (auto by default) really uses, and why.
            try (FileMonitor monitor = FileMonitor.builder().backend(backend()).build()) {
                s.append(String.format(Locale.ROOT, "in use with --backend %s: %s (%s)%n",
                        backend.toLowerCase(Locale.ROOT), monitor.backend().name().toLowerCase(Locale.ROOT),
                        monitor.backendReason()));
            } catch (UnsupportedOperationException e) {
                s.append("--backend ").append(backend).append(": ").append(e.getMessage()).append('\n');
            }
            stdout.write(s.toString().getBytes(StandardCharsets.UTF_8));
            stdout.flush();
            return 0;
        }
        Settings settings = settings();
        EarlyMonitor e = early;
        early = null;
        if (outfile == null) {
            return new Session(settings, stdout, stderr, e).run();
        }
        try (OutputStream file = Files.newOutputStream(PathBytes.path(outfile), java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND)) { // appends, as inotifywait does
            return new Session(settings, file, stderr, e).run();
        }
    }

    /** Checks and resolves the options into what a {@link Session} needs. */
    private Settings settings() throws IOException {
        List<String> paths = new ArrayList<>();
        List<String> excluded = new ArrayList<>();
        List<String> words = new ArrayList<>(arguments);
        if (fromFile != null) {
            // Lines are paths, which are bytes: read as lossless text (PathBytes), not as UTF-8.
            try (BufferedReader r = new BufferedReader(new java.io.StringReader(PathBytes.text(
                    fromFile.equals("-") ? stdin.readAllBytes() : Files.readAllBytes(PathBytes.path(fromFile)))))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (!line.isEmpty()) {
                        words.add(line);
                    }
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("Couldn't open " + fromFile + ": " + reason(e), e);
            }
        }
        for (String w : words) {
            if (w.startsWith("@") && w.length() > 1) {
                excluded.add(w.substring(1));
            } else {
                paths.add(w);
            }
        }
        if (daemon) {
            throw new IllegalArgumentException("daemon mode (-d) is not supported: run fsmon under a supervisor "
                    + "such as systemd, or with nohup and -o FILE");
        }
        if (syslog) {
            throw new IllegalArgumentException("syslog output (-s) is not supported: errors go to standard error");
        }
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("No files specified to watch!");
        }
        Set<EventKind> kinds = EnumSet.noneOf(EventKind.class);
        for (String e : events) {
            kinds.addAll(EventNames.parse(e));
        }
        boolean runs = exec != null || !command.isEmpty();
        if (kinds.isEmpty()) {
            // A command that reads the watched files must not trigger itself: run on changes, not reads.
            kinds = runs ? EnumSet.copyOf(WatchOptions.DEFAULT_EVENTS) : EventNames.all();
        }
        if (!command.isEmpty() && !runnable(command.get(0))) {
            // Said now, not at the first change: a typo would otherwise go unnoticed until then.
            throw new IllegalArgumentException("--run: " + command.get(0) + ": command not found");
        }
        if (exec != null && !command.isEmpty()) {
            throw new IllegalArgumentException("give either --exec CMD or --run CMD [ARG]... ';', not both");
        }
        if (noNewline && format == null) {
            throw new IllegalArgumentException("--no-newline cannot be specified without --format.");
        }
        byte[] terminator = nul ? new byte[] {0} : (format != null && noNewline) ? new byte[0] : new byte[] {'\n'};
        LineFormat lines = json ? null : new LineFormat(format, csv, timefmt, terminator);
        JsonLines jsonLines = json ? new JsonLines(terminator) : null;
        if (!overflow.equals("report") && !overflow.equals("exit")) {
            throw new IllegalArgumentException("--overflow is 'report' or 'exit', not '" + overflow + "'");
        }
        Backend chosen = backend();
        List<String> runCommand = exec != null ? List.of("sh", "-c", exec) : command;
        return new Settings(paths, excluded, kinds, monitor || runs, recursive, quiet.length,
                timeoutNanos(), regex("--exclude", exclude, excludei), regex("--include", include, includei), lines, jsonLines,
                overflow.equals("exit"), runs ? runCommand : null, Durations.parse(debounce), nul ? '\0' : '\n',
                chosen, pollInterval == null ? null : Durations.parse(pollInterval), queueCapacity,
                Durations.parse(grace));
    }

    /** {@code -t}: seconds, fractions allowed; negative values and words are rejected, as inotifywait rejects them. */
    private long timeoutNanos() {
        double seconds;
        try {
            seconds = Double.parseDouble(timeout.trim());
        } catch (NumberFormatException e) {
            seconds = Double.NaN;
        }
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            throw new IllegalArgumentException("'" + timeout + "' is not a valid timeout value: give the seconds "
                    + "to wait, 0 or more (0 waits forever).");
        }
        return (long) (seconds * 1e9);
    }

    /** {@code --run}: the words up to an argument {@code ;}, taken as they are, options or not. */
    static final class RunWords implements CommandLine.IParameterConsumer {
        @Override
        public void consumeParameters(java.util.Stack<String> args, CommandLine.Model.ArgSpec argSpec,
                                      CommandLine.Model.CommandSpec commandSpec) {
            List<String> words = new ArrayList<>();
            while (!args.isEmpty()) {
                String word = args.pop();
                if (word.equals(";")) {
                    if (words.isEmpty()) {
                        break;
                    }
                    argSpec.setValue(words);
                    return;
                }
                words.add(word);
            }
            throw new CommandLine.ParameterException(commandSpec.commandLine(), "--run takes a command and its "
                    + "arguments, ended by an argument ';' (in a shell: ';' or \\;)");
        }
    }

    private Backend backend() {
        try {
            return Backend.valueOf(backend.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown backend '" + backend + "': auto, inotify, poll, jdk or windows");
        }
    }

    /** Whether {@code cmd} names an executable file: a path, or a name found on {@code PATH}. */
    static boolean runnable(String cmd) {
        if (cmd.contains("/")) {
            return Files.isExecutable(Path.of(cmd)) && !Files.isDirectory(Path.of(cmd));
        }
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "/usr/bin:/bin" : path).split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, cmd);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                return true;
            }
        }
        return false;
    }

    private static Pattern regex(String option, String sensitive, String insensitive) {
        try {
            if (insensitive != null) {
                return Pattern.compile(insensitive, Pattern.CASE_INSENSITIVE);
            }
            return sensitive == null ? null : Pattern.compile(sensitive);
        } catch (java.util.regex.PatternSyntaxException e) {
            String given = insensitive != null ? option + "i" : option;
            throw new IllegalArgumentException(given + ": not a valid regular expression: '"
                    + e.getPattern() + "' (" + e.getDescription() + " near index " + e.getIndex() + ")");
        }
    }

    /** The resolved options of one run. */
    record Settings(List<String> paths, List<String> excluded, Set<EventKind> kinds, boolean monitor,
                    boolean recursive, int quiet, long timeoutNanos, Pattern exclude, Pattern include,
                    LineFormat lines, JsonLines json, boolean exitOnOverflow, List<String> command,
                    Duration debounce, char separator, Backend backend, Duration pollInterval, int queueCapacity,
                    Duration grace) {
    }

    /** Messages for the usual reasons a path cannot be watched, worded like inotifywait's. */
    static String reason(Throwable e) {
        if (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof NotDirectoryException) {
            return "Not a directory";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
