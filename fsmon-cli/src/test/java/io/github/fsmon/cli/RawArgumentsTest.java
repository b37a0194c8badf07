package io.github.fsmon.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Arguments with their exact bytes, and the lossless text that carries them to a path. */
class RawArgumentsTest {

    /** A command line as /proc/self/cmdline has it: each word NUL-terminated. */
    private static byte[] cmdline(byte[]... words) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] w : words) {
            out.writeBytes(w);
            out.write(0);
        }
        return out.toByteArray();
    }

    private static byte[] w(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1); // one char a byte
    }

    @Test
    void theLastWordsOfTheCommandLineAreTheArgumentsBytes() {
        byte[] line = cmdline(w("java"), w("-cp"), w("x.jar"), w("Main"), w("-m"), w("d/p\u00feq"), w(""));
        assertThat(RawArguments.exact(new String[] {"-m", "d/p\uFFFDq", ""}, line, StandardCharsets.UTF_8))
                .containsExactly("-m", "d/p\uDCFEq", "");
    }

    @Test
    void underAnAsciiPathEncodingUtf8ArgumentsAreStillText() {
        byte[] line = cmdline(w("java"), "été".getBytes(StandardCharsets.UTF_8));
        assertThat(RawArguments.exact(new String[] {"\uFFFD\uFFFDt\uFFFD\uFFFD"}, line, StandardCharsets.US_ASCII))
                .containsExactly("été");
    }

    @Test
    void wordsThatAreNotTheJvmsArgumentsAreNotUsed() {
        // e.g. java @argfile: the arguments came from a file, the command line has other words
        String[] args = {"-m", "d/p\uFFFDq"};
        assertThat(RawArguments.exact(args, cmdline(w("java"), w("@args")), StandardCharsets.UTF_8)).isSameAs(args);
        assertThat(RawArguments.exact(args, cmdline(w("java"), w("-m"), w("other")), StandardCharsets.UTF_8))
                .isSameAs(args);
    }

    @Test
    void textKeepsEveryByte() {
        byte[] bytes = {'p', (byte) 0xFE, 'q', (byte) 0xC3, (byte) 0xA9, (byte) 0xED, (byte) 0xB2, (byte) 0x80};
        String text = PathBytes.text(bytes);
        assertThat(text).isEqualTo("p\uDCFEqé\uDCED\uDCB2\uDC80");
        assertThat(PathBytes.bytes(text)).isEqualTo(bytes);
        assertThat(PathBytes.bytes("plain été \uD83D\uDE00")).isEqualTo("plain été \uD83D\uDE00".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void pathsFromTextHaveItsBytes(@TempDir Path tmp) throws Exception {
        Path dir = tmp.toRealPath();
        String name = "p\uDCFEq";
        Path p = PathBytes.path(dir + "/" + name);
        Files.createDirectory(p);
        assertThat(PathBytes.of(p)).isEqualTo(PathBytes.bytes(dir + "/" + name));
        try (var list = Files.list(dir)) {
            assertThat(list.map(PathBytes::of).map(PathBytes::text)).containsExactly(dir + "/" + name);
        }
        Path relative = PathBytes.path("a/" + name);
        assertThat(relative.isAbsolute()).isFalse();
        assertThat(relative.getNameCount()).isEqualTo(2);
        assertThat(PathBytes.of(dir.resolve(relative))).isEqualTo(PathBytes.bytes(dir + "/a/" + name));
    }
}
