package io.github.fsmon.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Runs the {@code --exec} command for {@link Debouncer}: with the changed paths in the environment variable
 * {@code FSMON_PATHS} (one per line) and on standard input (one per line, or NUL-terminated with
 * {@code -0}); its standard output and error are fsmon's. Each run waits on its own thread.
 */
final class CommandRunner implements Debouncer.Runner {

    private static final System.Logger LOG = System.getLogger(CommandRunner.class.getName());

    private final List<String> command;
    private final char separator;
    private final java.io.PrintStream err;

    CommandRunner(List<String> command, char separator, java.io.PrintStream err) {
        this.command = List.copyOf(command);
        this.separator = separator;
        this.err = err;
    }

    @Override
    public void start(List<String> paths, Runnable done) {
        Thread.ofPlatform().daemon().name("fsmon-exec").start(() -> {
            try {
                run(paths);
            } finally {
                done.run();
            }
        });
    }

    private void run(List<String> paths) {
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("FSMON_PATHS", String.join("\n", paths));
        try {
            Process p = pb.start();
            try (OutputStream in = p.getOutputStream()) {
                StringBuilder s = new StringBuilder();
                for (String path : paths) {
                    s.append(path).append(separator);
                }
                in.write(s.toString().getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // the command did not read its input: fine
                LOG.log(System.Logger.Level.DEBUG, "command closed its standard input", e);
            }
            int rc = p.waitFor();
            if (rc != 0) {
                err.println("fsmon: command exited with status " + rc);
            }
        } catch (IOException e) {
            err.println("fsmon: cannot run " + command.getFirst() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
