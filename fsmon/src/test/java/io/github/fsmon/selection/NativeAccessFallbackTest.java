package io.github.fsmon.selection;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** AUTO in a JVM that refuses native access: polling, one warning naming the flag, and events still flow. */
class NativeAccessFallbackTest {
    @TempDir
    Path dir;

    @Test
    void autoFallsBackToTheJdkBackendAndSaysWhichFlagWouldEnableInotify() throws Exception {
        String java = io.github.fsmon.testing.ChildJvm.java();
        String cp = io.github.fsmon.testing.ChildJvm.classPath();
        Process p = new ProcessBuilder(List.of(java, "--illegal-native-access=deny", "-cp", cp,
                NoNativeAccessProbe.class.getName(), dir.toString())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).as(out).contains("BACKEND JDK", "CREATE true")
                .contains("using the JDK backend: the JVM refuses native access", "--enable-native-access=ALL-UNNAMED");
        assertThat(out.split("using the JDK backend", -1)).as("logged once").hasSize(2);
    }
}
