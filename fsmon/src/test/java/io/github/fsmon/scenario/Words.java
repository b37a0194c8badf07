package io.github.fsmon.scenario;

import io.github.fsmon.internal.spi.ExactNames;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one script line into words. Blanks separate words; a word that starts with a double quote runs
 * to the closing quote and may hold blanks and escapes ({@code \n}, {@code \t}, {@code \r}, {@code \\},
 * {@code \"}, {@code \}{@code uXXXX}, {@code \}{@code xHH}), which is how names with blanks, newlines or
 * control characters are written. {@code \}{@code xHH} is one raw byte of a name, for names that are not
 * valid UTF-8: a quoted word is a string of bytes (the UTF-8 of its characters, and the bytes written
 * {@code \}{@code xHH}), held as its {@link ExactNames#key} (so {@code "\}{@code xC3\}{@code xA9"} and
 * {@code "é"} are one word). An unquoted word starting with {@code #} begins a comment that runs to the end
 * of the line.
 */
final class Words {

    /**
     * One word of a line.
     *
     * @param text   the word with quotes and escapes resolved
     * @param quoted whether it was written in quotes: a quoted word is always data (a path or text),
     *               never a keyword, an option or a redirection
     */
    record Word(String text, boolean quoted) {
        /** Whether this is the unquoted keyword {@code keyword}. */
        boolean is(String keyword) {
            return !quoted && text.equals(keyword);
        }
    }

    private Words() {
    }

    /** The words of {@code line}; throws with a message naming the column on an unclosed quote or a bad escape. */
    static List<Word> split(String line) throws IllegalArgumentException {
        List<Word> words = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#') {
                break;
            } else if (c == '"') {
                StringBuilder text = new StringBuilder();
                i = readQuoted(line, i + 1, text);
                if (i < n && !Character.isWhitespace(line.charAt(i))) {
                    throw new IllegalArgumentException("column " + (i + 1) + ": a quoted word must end at a blank");
                }
                words.add(new Word(canonical(text.toString()), true));
            } else {
                int start = i;
                while (i < n && !Character.isWhitespace(line.charAt(i))) {
                    if (line.charAt(i) == '"') {
                        throw new IllegalArgumentException("column " + (i + 1)
                                + ": a quote may only start a word (quote the whole word)");
                    }
                    i++;
                }
                words.add(new Word(line.substring(start, i), false));
            }
        }
        return words;
    }

    /** One key per byte string: bytes written as \xHH that are valid UTF-8 are the characters they encode. */
    private static String canonical(String text) {
        try {
            return ExactNames.key(ExactNames.keyBytes(text));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a quoted word holds a lone surrogate that is not a byte (write bytes as \\xHH)");
        }
    }

    /** Reads a quoted word's body from {@code i} (just after the opening quote); returns the index after the closing one. */
    private static int readQuoted(String line, int i, StringBuilder out) {
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i++);
            if (c == '"') {
                return i;
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (i >= n) {
                break;
            }
            char e = line.charAt(i++);
            switch (e) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case '\\' -> out.append('\\');
                case '"' -> out.append('"');
                case 'u' -> {
                    if (i + 4 > n) {
                        throw new IllegalArgumentException("column " + i + ": \\u needs four hex digits");
                    }
                    try {
                        out.append((char) Integer.parseInt(line.substring(i, i + 4), 16));
                    } catch (NumberFormatException bad) {
                        throw new IllegalArgumentException("column " + i + ": \\u needs four hex digits");
                    }
                    i += 4;
                }
                case 'x' -> {
                    if (i + 2 > n || !line.substring(i, i + 2).matches("[0-9A-Fa-f]{2}")) {
                        throw new IllegalArgumentException("column " + i + ": \\x needs two hex digits");
                    }
                    int b = Integer.parseInt(line.substring(i, i + 2), 16);
                    out.append(b < 0x80 ? (char) b : (char) (0xDC00 | b)); // the byte's key (ExactNames)
                    i += 2;
                }
                default -> throw new IllegalArgumentException("column " + (i - 1) + ": unknown escape \\" + e);
            }
        }
        throw new IllegalArgumentException("unclosed quote");
    }

    /**
     * {@code text} as it must be written in a script to read back as one word: unchanged when it is a
     * plain word, otherwise quoted with escapes. Used to print actual events in the same notation as
     * the expected ones.
     */
    static String quote(String text) {
        boolean plain = !text.isEmpty() && text.charAt(0) != '#' && text.charAt(0) != '?' && text.charAt(0) != '@'
                && !text.equals("<-") && !text.equals("|");
        for (int i = 0; i < text.length() && plain; i++) {
            char c = text.charAt(i);
            plain = !Character.isWhitespace(c) && !Character.isISOControl(c) && c != '"' && c != '\\'
                    && !escapedByteAt(text, i);
        }
        if (plain) {
            return text;
        }
        StringBuilder s = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> s.append("\\n");
                case '\t' -> s.append("\\t");
                case '\r' -> s.append("\\r");
                case '\\' -> s.append("\\\\");
                case '"' -> s.append("\\\"");
                default -> {
                    if (escapedByteAt(text, i)) {
                        s.append(String.format("\\x%02x", c & 0xFF)); // a byte that is not UTF-8
                    } else if (Character.isISOControl(c)) {
                        s.append(String.format("\\u%04x", (int) c));
                    } else {
                        s.append(c);
                    }
                }
            }
        }
        return s.append('"').toString();
    }

    /** Whether {@code text} holds at {@code i} a byte that is not UTF-8, as its key writes one (U+DC80..U+DCFF alone). */
    private static boolean escapedByteAt(String text, int i) {
        char c = text.charAt(i);
        return c >= 0xDC80 && c <= 0xDCFF && !(i > 0 && Character.isHighSurrogate(text.charAt(i - 1)));
    }
}
