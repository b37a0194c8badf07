package io.github.fsmon.cli;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The bytes of a file name as the OS holds them. On Linux a name is any byte string without {@code /} and
 * NUL, not necessarily UTF-8; a {@link Path} the JDK built from a directory listing keeps those bytes, and
 * {@link Path#toUri()} percent-encodes them one by one, so they can be read back exactly, while
 * {@link Path#of(URI)} makes a path with exactly the bytes a URI's escapes give.
 *
 * <p>Text the command line hands around (arguments, {@code --fromfile} lines, {@code %w%f} for the regular
 * expressions) keeps such bytes losslessly, as {@link #text(byte[])} makes it: UTF-8, with each byte that
 * is not part of valid UTF-8 as the lone surrogate U+DC80..U+DCFF ({@code surrogateescape}); {@link
 * #bytes(String)} and {@link #path(String)} turn it back into the exact bytes. (The library does the same
 * inside; it exports only its API, so the command keeps its own copy of these few lines.)
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

    /** {@code bytes} as lossless text: valid UTF-8 as itself, any other byte b as U+DC00+b. */
    static String text(byte[] bytes) {
        String plain = new String(bytes, StandardCharsets.UTF_8);
        if (plain.indexOf('\uFFFD') < 0) {
            return plain; // valid UTF-8: a malformed sequence would have become U+FFFD
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        for (CoderResult r = decoder.decode(in, out, true); !r.isUnderflow(); r = decoder.decode(in, out, true)) {
            for (int i = r.length(); i > 0; i--) {
                int b = in.get() & 0xFF;
                out.put(b < 0x80 ? (char) b : (char) (0xDC00 | b));
            }
        }
        return out.flip().toString();
    }

    /** The bytes {@code text} stands for: the inverse of {@link #text(byte[])} (UTF-8 for ordinary text). */
    static byte[] bytes(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length() + 8);
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (c >= 0xDC80 && c <= 0xDCFF) {
                out.writeBytes(text.substring(start, i).getBytes(StandardCharsets.UTF_8));
                out.write(c & 0xFF);
                start = i + 1;
            }
        }
        out.writeBytes(text.substring(start).getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** The path whose bytes are those {@code text} stands for ({@link #bytes(String)}), relative or absolute. */
    static Path path(String text) {
        byte[] b = bytes(text);
        String plain = new String(b, StandardCharsets.UTF_8);
        boolean utf8Paths = "UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding"));
        if (isAscii(plain) || (utf8Paths && plain.equals(text) && plain.indexOf('\uFFFD') < 0)) {
            return Path.of(text);
        }
        // Through a file: URI, whose escapes are the bytes exactly; a relative path is made relative again.
        Path absolute = Path.of(URI.create("file://" + (b.length > 0 && b[0] == '/' ? "" : "/") + escaped(b)));
        return b.length > 0 && b[0] == '/' ? absolute : Path.of("/").relativize(absolute);
    }

    private static String escaped(byte[] bytes) {
        StringBuilder s = new StringBuilder(bytes.length * 3);
        for (byte x : bytes) {
            int c = x & 0xFF;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "/-._~".indexOf(c) >= 0) {
                s.append((char) c);
            } else {
                s.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return s.toString();
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
