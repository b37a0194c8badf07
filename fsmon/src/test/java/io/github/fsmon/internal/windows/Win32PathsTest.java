package io.github.fsmon.internal.windows;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class Win32PathsTest {
    @Test
    void extendedLengthPrefixes() {
        assertThat(Win32Paths.extended("C:\\Users\\me")).isEqualTo("\\\\?\\C:\\Users\\me");
        assertThat(Win32Paths.extended("\\\\server\\share\\dir")).isEqualTo("\\\\?\\UNC\\server\\share\\dir");
        assertThat(Win32Paths.extended("\\\\?\\C:\\x")).isEqualTo("\\\\?\\C:\\x");
        assertThat(Win32Paths.extended("\\\\?\\UNC\\s\\h")).isEqualTo("\\\\?\\UNC\\s\\h");
        assertThat(Win32Paths.extended("/tmp/linux")).isEqualTo("/tmp/linux");
        assertThat(Win32Paths.ordinary("\\\\?\\UNC\\server\\share\\d")).isEqualTo("\\\\server\\share\\d");
        assertThat(Win32Paths.ordinary("\\\\?\\D:\\long")).isEqualTo("D:\\long");
        String deep = "C:\\" + "d123456789\\".repeat(40);
        assertThat(Win32Paths.extended(deep)).startsWith("\\\\?\\C:\\").hasSize(deep.length() + 4);
    }

    @Test
    void recordNamesResolveComponentByComponent() {
        Path base = Path.of("/w");
        assertThat(Win32Paths.resolve(base, "a\\b\\c.txt")).isEqualTo(Path.of("/w/a/b/c.txt"));
        assertThat(Win32Paths.relative(base, Path.of("/w/a/b"))).isEqualTo("a\\b");
        assertThat(Win32Paths.relative(base, Path.of("/other"))).isNull();
        assertThat(Win32Paths.relative(base, base)).isNull();
    }
}
