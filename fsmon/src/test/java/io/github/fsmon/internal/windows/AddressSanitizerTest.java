package io.github.fsmon.internal.windows;

import io.github.fsmon.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Only in the {@code asan} build (the fake kernel32 compiled with AddressSanitizer, its runtime preloaded
 * into the test JVM): checks that the sanitizer is really there, and that it really catches the fake
 * kernel writing into a buffer and OVERLAPPED the caller freed too early. The other fake-kernel32 tests,
 * run in the same build, are then known to free nothing the kernel could still write.
 */
class AddressSanitizerTest {
    @TempDir
    Path tmp;

    private static String runtime() {
        String r = System.getProperty("fsmon.test.asan.runtime", "");
        assumeTrue(!r.isBlank() && FakeKernel32.library() != null, "not the asan build");
        return r;
    }

    @Test
    void sanitizerIsLoadedIntoThisJvm() throws Exception {
        runtime();
        assertThat(Files.readString(Path.of("/proc/self/maps"))).contains("libasan");
    }

    @Test
    void useAfterFreeOfAPendingReadIsCaught() throws Exception {
        String runtime = runtime();
        Path dir = Files.createDirectory(tmp.resolve("watched"));
        ProcessBuilder pb = new ProcessBuilder(List.of(ChildJvm.java(), "--enable-native-access=ALL-UNNAMED",
                "-cp", ChildJvm.classPath(), UseAfterFreeProbe.class.getName(),
                FakeKernel32.library().toString(), dir.toString()));
        pb.environment().put("LD_PRELOAD", runtime);
        pb.environment().put("ASAN_OPTIONS", System.getenv().getOrDefault("ASAN_OPTIONS", ""));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(output).contains("heap-use-after-free").contains("fakekernel32.c").doesNotContain("no error detected");
        assertThat(p.exitValue()).isNotZero();
    }
}
