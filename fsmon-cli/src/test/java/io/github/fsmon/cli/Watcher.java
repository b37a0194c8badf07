package io.github.fsmon.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A watcher command (fsmon in a child JVM, or inotifywait) run as a process: its standard output collected
 * whole, its standard error read line by line so a test can wait for {@code Watches established.}.
 */
final class Watcher implements AutoCloseable {

    /** Generous upper bound for a child that never answers; a test that hits it fails. */
    static final long PATIENCE_SECONDS = 60;

    private final Process process;
    private final CompletableFuture<byte[]> stdout;
    private final CompletableFuture<Void> established = new CompletableFuture<>();
    private final StringBuffer stderr = new StringBuffer();

    private Watcher(Process process, boolean collectOutput) {
        this.process = process;
        this.stdout = collectOutput ? CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()))
                : CompletableFuture.failedFuture(new IllegalStateException("output read by the test"));
        Thread.ofPlatform().daemon().start(this::readErrors);
    }

    /** The command line that runs fsmon's {@code Main} in a child JVM with this test's class path. */
    static List<String> fsmonCommand() {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        return cmd;
    }

    static Watcher start(List<String> command, Path directory) throws IOException {
        return start(command, directory, true);
    }

    /** With {@code collectOutput} false, the caller reads {@link Process#getInputStream()} itself. */
    static Watcher start(List<String> command, Path directory, boolean collectOutput) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(directory.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        return new Watcher(pb.start(), collectOutput);
    }

    Process process() {
        return process;
    }

    /** Waits until the watcher said {@code Watches established.}; fails if it exited first. */
    void awaitEstablished() throws Exception {
        established.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
    }

    /** Waits for the exit; returns the status. */
    int awaitExit() throws Exception {
        if (!process.waitFor(PATIENCE_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("watcher did not exit; stderr: " + stderr);
        }
        return process.exitValue();
    }

    byte[] output() throws Exception {
        return stdout.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
    }

    String outputText() throws Exception {
        return new String(output(), StandardCharsets.UTF_8);
    }

    String errors() {
        return stderr.toString();
    }

    private void readErrors() {
        try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(process.getErrorStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                stderr.append(line).append('\n');
                if (line.equals("Watches established.")) {
                    established.complete(null);
                }
            }
        } catch (IOException e) {
            established.completeExceptionally(e);
        }
        established.completeExceptionally(new AssertionError("exited before the watches were established: "
                + stderr));
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly); // commands run by --exec
        process.destroyForcibly();
        try {
            process.waitFor(PATIENCE_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
