package io.github.fsmon.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs the run-on-change command for {@link Debouncer}, with the changed paths on its standard input (one per
 * line, or NUL-terminated with {@code -0}), always complete, and in the environment variable
 * {@code FSMON_PATHS} (one per line) when they fit in {@value #ENVIRONMENT_LIMIT} bytes; its standard output
 * and error are fsmon's. Each run waits on its own thread.
 *
 * <p>A command must not outlive fsmon. Where {@code setsid(1)} is found (util-linux, busybox), each run is
 * the leader of a process group of its own, started through a small shell wrapper (see {@link #WRAPPER}):
 * {@link #stop} sends SIGTERM to the whole group, waits for the command until the grace period ends, then
 * sends SIGKILL to what is left of the group. If fsmon dies without stopping it (SIGKILL), the wrapper
 * notices: it reads a pipe from fsmon to its end, which comes when fsmon's last descriptor of it closes,
 * and then does the same itself (SIGTERM to the group, SIGKILL after the grace period). Without
 * {@code setsid}, the command and its descendants get SIGTERM, then SIGKILL, from fsmon only.
 */
final class CommandRunner implements Debouncer.Runner {

    /** Above this many bytes the changed paths are left out of {@code FSMON_PATHS}. */
    static final int ENVIRONMENT_LIMIT = 64 * 1024;

    /**
     * {@code sh -c WRAPPER fsmon-run GRACE_SECONDS COMMAND...}, as a process-group leader. Standard input
     * is fsmon's pipe: a line with the byte count of the path list, the list, and, once fsmon saw the run
     * end, a line {@code done} before fsmon closes it. The watcher (the background job on the left of the
     * pipe) copies the list to the command's standard input, closes that, then reads the pipe to its end
     * (whatever of the list the command left unread included): a last line {@code done} means fsmon lives
     * and the run is over; any other end means fsmon is gone, and the watcher stops the group. The wrapper survives the group's SIGTERM (its trap runs once the command
     * ended), so that fsmon can tell when the command itself has ended; the command, run in the foreground,
     * keeps the default actions for every signal.
     */
    static final String WRAPPER = String.join("\n",
            "g=$1; shift",
            "IFS= read -r n || exit 125",
            "exec 3<&0 0</dev/null",
            "trap : INT TERM HUP",
            "{ {",
            "  head -c \"$n\" <&3",
            "  exec >&-",
            "  tail -n 1 <&3 | grep -qx done && exit 0",
            "  trap '' TERM HUP",
            "  kill -s TERM 0",
            "  sleep \"$g\"",
            "  kill -s KILL 0",
            "} & } | \"$@\" 3<&-");

    private static final System.Logger LOG = System.getLogger(CommandRunner.class.getName());
    private static final String SETSID = findSetsid();

    private final List<String> command;
    private final char separator;
    private final PrintStream err;
    private final Duration grace;
    private final Set<Process> running = ConcurrentHashMap.newKeySet();
    private boolean stopped;          // guarded by this
    private boolean toldEnvironmentFull;  // guarded by this

    CommandRunner(List<String> command, char separator, PrintStream err, Duration grace) {
        this.command = List.copyOf(command);
        this.separator = separator;
        this.err = err;
        this.grace = grace;
    }

    @Override
    public void start(List<String> paths, Runnable done) {
        synchronized (this) {
            if (stopped) {
                return; // fsmon is ending: no new run
            }
        }
        Thread.ofPlatform().daemon().name("fsmon-exec").start(() -> {
            try {
                run(paths);
            } finally {
                done.run();
            }
        });
    }

    private void run(List<String> paths) {
        ByteArrayOutputStream list = new ByteArrayOutputStream();
        for (String path : paths) {
            list.writeBytes(path.getBytes(StandardCharsets.UTF_8));
            list.write(separator);
        }
        List<String> argv = new ArrayList<>();
        if (SETSID != null) {
            argv.addAll(List.of(SETSID, "sh", "-c", WRAPPER, "fsmon-run",
                    Long.toString(Math.max(1, (grace.toMillis() + 999) / 1000))));
        }
        argv.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(argv)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        String joined = String.join("\n", paths);
        if (joined.getBytes(StandardCharsets.UTF_8).length <= ENVIRONMENT_LIMIT) {
            pb.environment().put("FSMON_PATHS", joined);
        } else {
            pb.environment().remove("FSMON_PATHS"); // never an inherited, unrelated value
            tellEnvironmentFull(paths.size(), joined.length());
        }
        Process p;
        synchronized (this) {
            if (stopped) {
                return;
            }
            try {
                p = pb.start();
            } catch (IOException e) {
                err.println("fsmon: cannot run " + command.getFirst() + ": " + e.getMessage());
                return;
            }
            running.add(p);
        }
        try {
            OutputStream in = p.getOutputStream();
            try {
                if (SETSID != null) {
                    in.write((list.size() + "\n").getBytes(StandardCharsets.US_ASCII));
                }
                list.writeTo(in);
                in.flush();
            } catch (IOException e) {
                // the command ended without reading all of its input: fine
                LOG.log(System.Logger.Level.DEBUG, "command closed its standard input", e);
            }
            if (SETSID == null) {
                close(in);
            }
            int rc = p.waitFor();
            if (SETSID != null) {
                try {
                    in.write("\ndone\n".getBytes(StandardCharsets.US_ASCII)); // fsmon lives: the watcher leaves
                    in.flush();
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.DEBUG, "the wrapper's watcher is gone", e);
                }
                close(in);
            }
            boolean stopping;
            synchronized (this) {
                stopping = stopped;
            }
            if (rc != 0 && !stopping) {
                err.println("fsmon: command exited with status " + rc);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            running.remove(p);
        }
    }

    private synchronized void tellEnvironmentFull(int count, int chars) {
        if (!toldEnvironmentFull) {
            toldEnvironmentFull = true;
            err.println("fsmon: " + count + " changed paths (" + chars + " characters) do not fit in FSMON_PATHS ("
                    + ENVIRONMENT_LIMIT + " bytes at most): runs with that many get them on standard input only,"
                    + " and FSMON_PATHS unset");
        }
    }

    /**
     * Ends every run in progress and starts no new one: SIGTERM to each command's process group, then, once
     * the commands ended or at {@code deadlineNanos} ({@link System#nanoTime()}), SIGKILL to what is left.
     */
    void stop(long deadlineNanos) {
        List<Process> now;
        synchronized (this) {
            stopped = true;
            now = List.copyOf(running);
        }
        for (Process p : now) {
            signal(p, Posix.SIGTERM);
        }
        for (Process p : now) {
            try {
                p.waitFor(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Process p : now) {
            signal(p, Posix.SIGKILL);
        }
    }

    private static void signal(Process p, int sig) {
        if (SETSID != null) {
            try {
                Posix.kill(-(int) p.pid(), sig); // the group; ESRCH when it is empty already
                return;
            } catch (RuntimeException | LinkageError e) {
                LOG.log(System.Logger.Level.DEBUG, "no native access: signalling the processes one by one", e);
            }
        }
        List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
        all.add(p.toHandle());
        for (ProcessHandle h : all) {
            if (sig == Posix.SIGKILL) {
                h.destroyForcibly();
            } else {
                h.destroy();
            }
        }
    }

    private static void close(OutputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the command's input", e);
        }
    }

    private static String findSetsid() {
        String path = System.getenv("PATH");
        List<String> dirs = new ArrayList<>(List.of(path == null ? new String[0] : path.split(":")));
        dirs.addAll(List.of("/usr/bin", "/bin"));
        for (String d : dirs) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, "setsid"))) {
                return Path.of(d, "setsid").toString();
            }
        }
        return null;
    }
}
