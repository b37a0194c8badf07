package io.github.fsmon.internal.windows;

import io.github.fsmon.Backend;
import io.github.fsmon.FileMonitor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Backend.WINDOWS is opt-in: never what AUTO picks, and unavailable off Windows without a replacement kernel32. */
class WindowsSelectionTest {
    @Test
    void notAvailableOnLinuxWithoutAReplacementKernel32() {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.github.fsmon.internal.linux.InotifyBackend.isSupported());
        assertThat(System.getProperty(Kernel32.LIBRARY_PROPERTY)).isNull();
        assertThat(Backend.WINDOWS.isAvailable()).isFalse();
        assertThat(Backend.WINDOWS.availability()).startsWith("not available")
                .contains("only on Windows").doesNotContain("enable-native-access");
        assertThatThrownBy(() -> FileMonitor.builder().backend(Backend.WINDOWS).build())
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("WINDOWS");
    }

    @Test
    void autoNeverPicksIt() throws Exception {
        ReadDirectoryChangesBackend.substituteWin32(SimulatedWin32::new);
        try (FileMonitor monitor = FileMonitor.create()) {
            assertThat(Backend.WINDOWS.isAvailable()).isTrue();
            assertThat(monitor.backend()).isNotEqualTo(Backend.WINDOWS);
            assertThat(Backend.AUTO.availability()).doesNotContain("WINDOWS");
        } finally {
            ReadDirectoryChangesBackend.substituteWin32(null);
        }
    }
}
