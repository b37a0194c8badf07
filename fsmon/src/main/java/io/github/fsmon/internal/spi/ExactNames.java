package io.github.fsmon.internal.spi;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Names as the OS holds them, and the one place where fsmon crosses between those bytes, {@link Path}s and
 * the strings it keys names by.
 *
 * <p>On Linux (and every Unix) a file name is any string of bytes without {@code /} and NUL, not
 * necessarily UTF-8. The JDK's {@code Path} keeps the bytes exactly, but its text ({@link Path#toString()},
 * {@code getFileName().toString()}) decodes them with the platform's path encoding and replaces what does
 * not decode: two different names can have the same text, and a {@code Path} made from that text names
 * other bytes, or nothing. So fsmon never makes a {@code Path} from a name's text when the text may not be
 * exact, and never keys a name by such text:
 * <ul>
 * <li>{@link #bytes(Path)}: a path's exact bytes, for native calls;</li>
 * <li>{@link #key(byte[])}, {@link #key(Path)}: a string that stands for exactly one name: its UTF-8
 * decoding, with each byte that is not part of valid UTF-8 mapped to the lone surrogate U+DC80..U+DCFF
 * (0xDC00 plus the byte's value), as Python's {@code surrogateescape} does. Valid UTF-8 never decodes to a
 * lone surrogate, so two different names never have the same key, and a valid name's key is its ordinary
 * text;</li>
 * <li>{@link #keyBytes(String)}: the bytes a key stands for;</li>
 * <li>{@link #child(Path, String)}, {@link #path(byte[])}: the {@code Path} with exactly those bytes.</li>
 * </ul>
 *
 * <p>The bridge through the public API: on Unix, {@link Path#toUri()} percent-encodes a path's bytes one
 * by one, and {@link Path#of(URI)} decodes the escapes back to exactly those bytes. Only text that is not
 * known to be exact takes it: a name with bytes that are not UTF-8, or any non-ASCII name when the path
 * encoding ({@code sun.jnu.encoding}) is not UTF-8, as under the C locale. {@code toUri} also looks the
 * path up (to end a directory's with {@code /}), so it costs a {@code stat}, paid only by such names.
 *
 * <p>Where names are text (Windows: UTF-16, which the JDK keeps exactly), a name's key is its text and its
 * bytes are the text's UTF-8.
 */
public final class ExactNames {
    private static final FileSystem DEFAULT = FileSystems.getDefault();
    /** Unix: names are bytes. */
    private static final boolean BYTE_NAMES = DEFAULT.getSeparator().equals("/");
    /** Whether the JDK encodes and decodes paths as UTF-8 (else only ASCII text is known to be exact). */
    private static final boolean UTF8_PATHS = isUtf8(System.getProperty("sun.jnu.encoding"));
    private static final Path ROOT = BYTE_NAMES ? DEFAULT.getPath("/") : null;
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private ExactNames() {
    }

    private static boolean isUtf8(String encoding) {
        return encoding != null && encoding.toUpperCase(Locale.ROOT).replace("-", "").equals("UTF8");
    }

    /** Whether {@code p}'s names are bytes that its text may not show exactly. */
    private static boolean byteNames(Path p) {
        return BYTE_NAMES && p.getFileSystem() == DEFAULT;
    }

    /**
     * Whether {@code text}, as a path's text or a key, is exactly the UTF-8 of the bytes it stands for and
     * the JDK encodes it to those bytes: ASCII always; other characters only where paths are UTF-8, and
     * neither U+FFFD (which may stand for bytes that did not decode) nor a lone surrogate (an escaped byte).
     */
    private static boolean exactText(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                continue;
            }
            if (!UTF8_PATHS || c == '\uFFFD') {
                return false;
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** The exact bytes of {@code path} (absolute or relative), as the OS takes them. */
    public static byte[] bytes(Path path) {
        String text = path.toString();
        if (!byteNames(path) || exactText(text)) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        Path absolute = path.isAbsolute() ? path : ROOT.resolve(path);
        byte[] b = percentDecoded(absolute.toUri().getRawPath());
        int end = b.length > 1 && b[b.length - 1] == '/' ? b.length - 1 : b.length; // toUri's mark of a directory
        return Arrays.copyOfRange(b, path.isAbsolute() ? 0 : 1, end);
    }

    /** The key of a name given as the bytes the OS reported (see the class comment). */
    public static String key(byte[] name) {
        String text = new String(name, StandardCharsets.UTF_8);
        if (text.indexOf('\uFFFD') < 0) {
            return text; // valid UTF-8: every malformed sequence would have become U+FFFD
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(name);
        CharBuffer out = CharBuffer.allocate(name.length); // UTF-8 never has more chars than bytes
        while (true) {
            CoderResult r = decoder.decode(in, out, true);
            if (r.isUnderflow()) {
                break;
            }
            if (!r.isError()) {
                throw new IllegalStateException("UTF-8 decoding: " + r); // the buffer is large enough
            }
            for (int i = r.length(); i > 0; i--) {
                int b = in.get() & 0xFF;
                out.put(b < 0x80 ? (char) b : (char) (0xDC00 | b));
            }
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    /** The key of the last name of {@code path} (the same as {@link #key(byte[])} of that name's bytes). */
    public static String key(Path path) {
        Path name = path.getFileName();
        if (name == null) {
            return "";
        }
        String text = name.toString();
        if (!byteNames(path) || exactText(text)) {
            return text;
        }
        return key(bytes(name));
    }

    /**
     * The bytes that {@code key} stands for: the inverse of {@link #key(byte[])}. Also takes several names
     * joined by {@code /}.
     *
     * @throws IllegalArgumentException if {@code key} holds a lone surrogate that is not an escaped byte
     */
    public static byte[] keyBytes(String key) {
        int n = key.length();
        if (!hasLoneSurrogate(key)) {
            return key.getBytes(StandardCharsets.UTF_8);
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(n + 8);
        int start = 0;
        for (int i = 0; i < n; i++) {
            char c = key.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(key.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                if (c < 0xDC80 || c > 0xDCFF) {
                    throw new IllegalArgumentException("not a name key: lone surrogate U+"
                            + Integer.toHexString(c).toUpperCase(Locale.ROOT) + " at " + i);
                }
                out.writeBytes(key.substring(start, i).getBytes(StandardCharsets.UTF_8));
                out.write(c & 0xFF);
                start = i + 1;
            }
        }
        out.writeBytes(key.substring(start).getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** Whether {@code key} stands for a name with bytes that are not valid UTF-8 (it escapes some). */
    public static boolean hasEscapedBytes(String key) {
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c >= 0xDC80 && c <= 0xDCFF && !(i > 0 && Character.isHighSurrogate(key.charAt(i - 1)))) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /** The entry {@code key} (see {@link #key(byte[])}) of directory {@code dir}, with the exact bytes. */
    public static Path child(Path dir, String key) {
        if (!byteNames(dir) || exactText(key)) {
            return dir.resolve(key);
        }
        return dir.resolve(path(keyBytes(key)));
    }

    /** The path whose bytes are exactly {@code bytes}: absolute when they start with {@code /}, else relative. */
    public static Path path(byte[] bytes) {
        if (!BYTE_NAMES) {
            return DEFAULT.getPath(new String(bytes, StandardCharsets.UTF_8));
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (exactText(text)) {
            return DEFAULT.getPath(text);
        }
        boolean absolute = bytes[0] == '/';
        StringBuilder uri = new StringBuilder(bytes.length * 3 + 8).append(absolute ? "file://" : "file:///");
        for (byte b : bytes) {
            int c = b & 0xFF;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '/' || c == '-' || c == '.' || c == '_' || c == '~') {
                uri.append((char) c);
            } else {
                uri.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        Path p = Path.of(URI.create(uri.toString()));
        return absolute ? p : ROOT.relativize(p);
    }

    private static byte[] percentDecoded(String raw) {
        byte[] out = new byte[raw.length()];
        int n = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' && i + 2 < raw.length()) {
                out[n++] = (byte) Integer.parseInt(raw, i + 1, i + 3, 16);
                i += 2;
            } else {
                out[n++] = (byte) c; // toUri escapes everything outside printable ASCII
            }
        }
        return Arrays.copyOf(out, n);
    }
}
