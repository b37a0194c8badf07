package io.github.fsmon.internal.linux;

import io.github.fsmon.internal.poll.JdkStatReader;
import io.github.fsmon.internal.poll.PollingBackend.Stat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemoryLayout;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The statx reader against the JDK's view of the same files: same attributes, same kind of key. */
class StatxReaderTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void supported() {
        assumeTrue(StatxReader.isSupported(), "statx through FFM is not available here");
    }

    @Test
    void layoutIsTheKernelsStructStatx() {
        // offsets from <linux/stat.h>; the struct is 0x100 bytes on every architecture
        assertThat(Statx.LAYOUT.byteSize()).isEqualTo(256);
        Map<String, Long> offsets = Map.of("stx_mode", 28L, "stx_ino", 32L, "stx_size", 40L,
                "stx_atime", 64L, "stx_ctime", 96L, "stx_mtime", 112L, "stx_dev_major", 136L,
                "stx_dev_minor", 140L, "stx_mnt_id", 144L);
        offsets.forEach((field, at) -> assertThat(Statx.LAYOUT.byteOffset(groupElement(field))).as(field).isEqualTo(at));
        assertThat(Statx.TIMESTAMP.byteSize()).isEqualTo(16);
        assertThat(Statx.LAYOUT.byteAlignment()).isEqualTo(8);
        assertThat(Statx.LAYOUT.memberLayouts()).extracting(MemoryLayout::byteSize).doesNotContain(0L);
    }

    @Test
    void makedevMatchesGlibc() {
        // gnu_dev_makedev: major 8, minor 1 (sda1) is 0x801; large numbers split around the classic 8+8 bits
        assertThat(Statx.makedev(8, 1)).isEqualTo(0x801L);
        // major 0x1234 -> 0x234 << 8 and 0x1000 << 32; minor 0x56789 -> 0x89 and 0x56700 << 12
        assertThat(Statx.makedev(0x1234, 0x56789)).isEqualTo(0x1000_5672_3489L);
    }

    @Test
    void attributesAndKeysAgreeWithTheJdk() throws Exception {
        Path f = Files.writeString(dir.resolve("f"), "hello");
        Files.setLastModifiedTime(f, FileTime.from(1_234_567_890_123L, TimeUnit.MICROSECONDS));
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), sub);
        try (StatxReader statx = new StatxReader()) {
            Stat s = statx.stat(f, false, true);
            assertThat(s.dir()).isFalse();
            assertThat(s.size()).isEqualTo(5);
            assertThat(s.mtimeNanos()).isEqualTo(1_234_567_890_123_000L);
            assertThat(s.ctimeNanos()).isEqualTo(((FileTime) Files.getAttribute(f, "unix:ctime")).to(TimeUnit.NANOSECONDS));
            assertThat(s.key()).isEqualTo(StatxReader.viaJdk(f, false).key());
            assertThat(s).isEqualTo(StatxReader.viaJdk(f, false));

            assertThat(statx.stat(link, false, true).dir()).isFalse(); // the link itself
            assertThat(statx.stat(link, true, true).dir()).isTrue();   // what it points to
            assertThat(statx.stat(link, true, true).key()).isEqualTo(statx.stat(sub, false, true).key());
            assertThat(statx.stat(dir.resolve("missing"), false, true)).isNull();

            Map<String, Stat> listed = statx.list(dir, true);
            assertThat(listed).containsOnlyKeys("f", "sub", "link");
            assertThat(listed.get("f")).isEqualTo(s);
            assertThat(listed.get("sub").dir()).isTrue();
            assertThat(listed.get("link").dir()).isFalse();
            // the same entries as the portable reader sees them (its keys are of another kind)
            Map<String, Stat> jdk = new JdkStatReader().list(dir, true);
            assertThat(jdk.keySet()).isEqualTo(listed.keySet());
            jdk.forEach((n, j) -> assertThat(listed.get(n).mtimeNanos()).as(n).isEqualTo(j.mtimeNanos()));
            assertThat(statx.list(dir.resolve("missing"), true)).isEmpty();
        }
    }

    @Test
    void theCtimeAgreesAfterAChmodAndANameThatIsNotUtf8IsStillRead() throws Exception {
        Path f = Files.writeString(dir.resolve("f"), "x");
        Process p = new ProcessBuilder("bash", "-c", "printf ab > \"$(printf 'bad\\377name')\"")
                .directory(dir.toFile()).start();
        assertThat(p.waitFor()).isZero();
        try (StatxReader statx = new StatxReader()) {
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r--------"));
            assertThat(statx.stat(f, false, true).ctimeNanos())
                    .isEqualTo(((FileTime) Files.getAttribute(f, "unix:ctime")).to(TimeUnit.NANOSECONDS));
            Map<String, Stat> listed = statx.list(dir, true);
            assertThat(listed).hasSize(2);
            String bad = listed.keySet().stream().filter(n -> n.startsWith("bad")).findFirst().orElseThrow();
            assertThat(listed.get(bad).size()).isEqualTo(2);
            Path badPath;
            try (var s = Files.newDirectoryStream(dir, q -> q.getFileName().toString().startsWith("bad"))) {
                badPath = s.iterator().next();
            }
            assertThat(listed.get(bad).key()).isEqualTo(StatxReader.viaJdk(badPath, false).key());
            assertThat(Files.exists(badPath, LinkOption.NOFOLLOW_LINKS)).isTrue();
        }
    }
}
