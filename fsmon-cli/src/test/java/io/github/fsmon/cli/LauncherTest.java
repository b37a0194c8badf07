package io.github.fsmon.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bin/fsmon} run as a process, in a copy of the project's layout whose jar is {@link LauncherProbe}:
 * killed while it trains the JVM's cache, it leaves nothing behind, neither in the temporary directory nor
 * next to the jar.
 */
class LauncherTest {

    @TempDir
    Path tmp;

    private Path root;
    private Path scratch;
    private Path probe;

    private void layout() throws Exception {
        Path project = Path.of("").toAbsolutePath().getParent(); // the tests run in fsmon-cli
        root = Files.createDirectories(tmp.resolve("root"));
        Files.createDirectories(root.resolve("bin"));
        for (String f : List.of("fsmon", "find-jdk")) {
            Files.copy(project.resolve("bin").resolve(f), root.resolve("bin").resolve(f),
                    StandardCopyOption.COPY_ATTRIBUTES);
        }
        Path target = Files.createDirectories(root.resolve("fsmon-cli/target"));
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, LauncherProbe.class.getName());
        String entry = LauncherProbe.class.getName().replace('.', '/') + ".class";
        try (OutputStream out = Files.newOutputStream(target.resolve("fsmon.jar"));
             JarOutputStream jar = new JarOutputStream(out, m);
             InputStream in = LauncherProbe.class.getClassLoader().getResourceAsStream(entry)) {
            jar.putNextEntry(new JarEntry(entry));
            in.transferTo(jar);
            jar.closeEntry();
        }
        scratch = Files.createDirectories(tmp.resolve("tmpdir"));
        probe = Files.createDirectories(tmp.resolve("probe"));
    }

    /** The launcher, as the leader of a process group of its own (a terminal's Ctrl-C signals the group). */
    private Process launcher(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("setsid", root.resolve("bin/fsmon").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("TMPDIR", scratch.toString());
        pb.environment().put("FSMON_PROBE", probe.toString());
        pb.environment().remove("FSMON_AOT");
        return pb.start();
    }

    @Test
    void killedWhileTrainingLeavesNothing() throws Exception {
        layout();
        for (int sig : new int[] {Posix.SIGINT, Posix.SIGTERM, Posix.SIGKILL}) {
            Files.writeString(probe.resolve("hold"), "");
            Files.deleteIfExists(probe.resolve("training"));
            Process p = launcher("x");
            CliProcessTest.awaitFileContains(probe.resolve("training"), "-r -t 0.2");
            Posix.kill(-(int) p.pid(), sig); // the whole group: the launcher and the training JVM
            assertThat(p.waitFor(Watcher.PATIENCE_SECONDS, TimeUnit.SECONDS)).isTrue();
            CliProcessTest.awaitGone(p.pid(), "the launcher");
            Files.delete(probe.resolve("hold"));
            assertThat(list(scratch)).as("temporary directory after signal " + sig).isEmpty();
            if (sig != Posix.SIGKILL) {
                assertThat(list(root.resolve("fsmon-cli/target"))).as("next to the jar after signal " + sig)
                        .containsExactly("fsmon.jar");
            }
        }
        // What a SIGKILL left (it cannot be trapped) goes with the next start, which trains and runs.
        Process p = launcher("x");
        assertThat(p.waitFor(Watcher.PATIENCE_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).endsWith("run x\n");
        assertThat(list(root.resolve("fsmon-cli/target"))).allMatch(f -> !f.contains(".training."));
        assertThat(list(scratch)).isEmpty();
    }

    private static List<String> list(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}
