package io.github.fsmon.cli;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The bytes of a file name as the OS holds them. On Linux a name is any byte string without {@code /} and
 * NUL, not necessarily UTF-8; a {@link Path} the JDK built from a directory listing keeps those bytes, and
 * {@link Path#toUri()} percent-encodes them one by one, so they can be read back exactly.
 */
final class PathBytes {

    private PathBytes() {
    }

    /** The OS bytes of {@code path}, which must be absolute. */
    static byte[] of(Path path) {
        String s = path.toString();
        if (isAscii(s)) {
            return s.getBytes(StandardCharsets.US_ASCII);
        }
        String raw = path.toUri().getRawPath();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' && i + 2 < raw.length()) {
                bytes.write(Integer.parseInt(raw, i + 1, i + 3, 16));
                i += 2;
            } else {
                bytes.write(c); // toUri escapes everything outside printable ASCII
            }
        }
        byte[] b = bytes.toByteArray();
        // toUri ends a directory's path with '/': the name itself has none.
        if (b.length > 1 && b[b.length - 1] == '/' && !s.endsWith("/")) {
            return java.util.Arrays.copyOf(b, b.length - 1);
        }
        return b;
    }

    /** Whether {@code bytes} are valid UTF-8. */
    static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }
}
