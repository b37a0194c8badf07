package io.github.fsmon.internal.spi;

import io.github.fsmon.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Names as bytes, keys and paths: exact both ways, and on disk. */
class ExactNamesTest {

    private static byte[] b(int... bytes) {
        return CLocaleProbe.b(bytes);
    }

    private static byte[] utf8(String s) {
        return CLocaleProbe.utf8(s);
    }

    private static byte[] concat(byte[]... parts) {
        return CLocaleProbe.concat(parts);
    }

    private static void assumeByteNames() {
        assumeTrue(FileSystems.getDefault().getSeparator().equals("/"), "names are bytes on Unix only");
    }

    @Test
    void validUtf8IsItsOwnKey() {
        for (String name : List.of("", "plain", "été", "emoji\uD83D\uDE00", "real\uFFFDreplacement", "tab\tand\nnewline")) {
            assertThat(ExactNames.key(utf8(name))).isEqualTo(name);
            assertThat(ExactNames.keyBytes(name)).isEqualTo(utf8(name));
        }
    }

    @Test
    void bytesThatAreNotUtf8BecomeEscapes() {
        assertThat(ExactNames.key(b('p', 0xFE, 'q'))).isEqualTo("p\uDCFEq");
        assertThat(ExactNames.key(b(0xFF))).isEqualTo("\uDCFF");
        // an encoded surrogate is not valid UTF-8: escaped, never decoded to the surrogate itself
        assertThat(ExactNames.key(b(0xED, 0xB2, 0x80))).isEqualTo("\uDCED\uDCB2\uDC80");
        // a lead byte followed by ASCII: only the lead byte is escaped
        assertThat(ExactNames.key(b(0xC3, 'A'))).isEqualTo("\uDCC3A");
        // a sequence cut off at the end
        assertThat(ExactNames.key(b('a', 0xE2, 0x82))).startsWith("a").doesNotContain("\uFFFD").hasSize(3);
        // valid parts around an invalid byte stay decoded
        assertThat(ExactNames.key(concat(utf8("é"), b(0x80), utf8("\uD83D\uDE00")))).isEqualTo("é\uDC80\uD83D\uDE00");
    }

    @Test
    void keysRoundTripAndNeverCollide() {
        // Bytes chosen to make valid and broken sequences of every length: leads, continuations, ASCII.
        int[] alphabet = {'a', 0x80, 0x9F, 0xA0, 0xBF, 0xC2, 0xC3, 0xE2, 0xED, 0xEF, 0xF0, 0xF4, 0xF8, 0xFE, 0xFF};
        Random random = new Random(19);
        Map<String, String> seen = new HashMap<>();
        for (int n = 0; n < 50_000; n++) {
            byte[] name = new byte[random.nextInt(7)];
            for (int i = 0; i < name.length; i++) {
                name[i] = (byte) alphabet[random.nextInt(alphabet.length)];
            }
            String key = ExactNames.key(name);
            assertThat(ExactNames.keyBytes(key)).as(HexFormat.of().formatHex(name)).isEqualTo(name);
            String before = seen.put(key, HexFormat.of().formatHex(name));
            assertThat(before).as("two names, one key").isIn(null, HexFormat.of().formatHex(name));
        }
    }

    @Test
    void aSurrogateThatIsNoEscapedByteIsNoKey() {
        assertThatThrownBy(() -> ExactNames.keyBytes("a\uDC00")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ExactNames.keyBytes("a\uD800b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pathsFromBytesHaveExactlyThoseBytes() {
        assumeByteNames();
        for (byte[] bytes : List.of(utf8("/plain/abs"), utf8("rel/été"), b('/', 't', '/', 'p', 0xFE, 'q'),
                b('r', 0xFF, '/', 0xC3, '/', '%', '2', '0', ' ', '#', '?'), utf8("/"), utf8(""))) {
            Path p = ExactNames.path(bytes);
            assertThat(p.isAbsolute()).isEqualTo(bytes.length > 0 && bytes[0] == '/');
            assertThat(ExactNames.bytes(p)).as(HexFormat.of().formatHex(bytes)).isEqualTo(bytes);
        }
    }

    @Test
    void namesOnDiskKeepTheirBytes(@TempDir Path tmp) throws IOException {
        assumeByteNames();
        Path dir = tmp.toRealPath();
        byte[] dirBytes = ExactNames.bytes(dir);
        List<byte[]> names = List.of(b('p', 0xFE, 'q'), b('p', 0xFF, 'q'), utf8("real\uFFFDreplacement"), utf8("été"),
                utf8("plain"));
        for (byte[] name : names) {
            Path child = ExactNames.child(dir, ExactNames.key(name));
            assertThat(ExactNames.bytes(child)).isEqualTo(concat(dirBytes, b('/'), name));
            Files.createDirectory(child);
            Files.createFile(ExactNames.child(child, "f"));
        }
        Map<String, Path> listed = new HashMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                listed.put(ExactNames.key(p), p);
            }
        }
        assertThat(listed).hasSize(names.size()); // "p\xFEq" and "p\xFFq" have the same text, not the same key
        for (byte[] name : names) {
            String key = ExactNames.key(name);
            Path fromListing = listed.get(key);
            assertThat(fromListing).as(key).isNotNull();
            assertThat(ExactNames.child(dir, key)).isEqualTo(fromListing);
            assertThat(ExactNames.bytes(fromListing)).isEqualTo(concat(dirBytes, b('/'), name));
            assertThat(Files.exists(ExactNames.child(fromListing, "f"))).isTrue();
            // the relative form of a listed name (what a WatchService event names) has the same key
            assertThat(ExactNames.key(fromListing.getFileName())).isEqualTo(key);
        }
        // Why: a path made from a broken name's text names other bytes.
        Path listedBroken = listed.get(ExactNames.key(b('p', 0xFE, 'q')));
        assertThat(Files.exists(dir.resolve(listedBroken.getFileName().toString()))).isFalse();
    }

    /**
     * Under the C locale the JDK's path encoding is ASCII: every non-ASCII name's text is lossy, and
     * {@code Path.of} refuses non-ASCII text. The same checks in a JVM started so.
     */
    @Test
    void exactUnderTheCLocaleToo(@TempDir Path tmp) throws Exception {
        assumeTrue(System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("linux"));
        List<String> cmd = new ArrayList<>(List.of(ChildJvm.java(), "-cp", ChildJvm.classPath(),
                CLocaleProbe.class.getName(), tmp.toRealPath().toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C");
        pb.environment().remove("LANG");
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(output).contains("path encoding ANSI_X3.4-1968").endsWith("ok\n");
        assertThat(p.exitValue()).as(output).isZero();
    }

    /**
     * Run in a JVM under the C locale: names with non-ASCII bytes, valid UTF-8 or not, made and listed.
     * It needs nothing but the JDK and the main classes (no test library on its class path).
     */
    static final class CLocaleProbe {
        static byte[] b(int... bytes) {
            byte[] out = new byte[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                out[i] = (byte) bytes[i];
            }
            return out;
        }

        static byte[] utf8(String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }

        static byte[] concat(byte[]... parts) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (byte[] p : parts) {
                out.writeBytes(p);
            }
            return out.toByteArray();
        }

        public static void main(String[] args) throws IOException {
            System.out.println("path encoding " + System.getProperty("sun.jnu.encoding"));
            Path dir = Path.of(args[0]);
            List<byte[]> names = List.of(utf8("été"), b('p', 0xFE, 'q'), utf8("plain"));
            for (byte[] name : names) {
                Path child = ExactNames.child(dir, ExactNames.key(name));
                Files.createDirectory(child);
                check(ExactNames.bytes(child), concat(ExactNames.bytes(dir), b('/'), name));
            }
            int found = 0;
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path p : entries) {
                    byte[] name = ExactNames.keyBytes(ExactNames.key(p));
                    check(ExactNames.bytes(p), concat(ExactNames.bytes(dir), b('/'), name));
                    found += names.stream().anyMatch(n -> java.util.Arrays.equals(n, name)) ? 1 : 0;
                }
            }
            check(new byte[] {(byte) found}, new byte[] {(byte) names.size()});
            System.out.println("ok");
        }

        private static void check(byte[] actual, byte[] expected) {
            if (!java.util.Arrays.equals(actual, expected)) {
                System.out.println("expected " + HexFormat.of().formatHex(expected) + ", got "
                        + HexFormat.of().formatHex(actual));
                System.exit(1);
            }
        }
    }
}
