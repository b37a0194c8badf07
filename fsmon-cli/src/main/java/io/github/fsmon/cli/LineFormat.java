package io.github.fsmon.cli;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.util.List;

/**
 * One event as inotifywait prints it: the default {@code %w %,e %f}, {@code --csv}, or a {@code --format}
 * string with {@code %w %f %e %Xe %T %c %0 %n %%}. Paths are written as the OS's bytes, so a name that is
 * not UTF-8 comes out exactly as it is on disk, as with inotifywait.
 */
final class LineFormat {

    /** What is known of one event when it is printed. */
    record Fields(byte[] watched, byte[] file, List<String> names, int cookie, ZonedDateTime time) {
    }

    private final String format;
    private final boolean csv;
    private final Strftime timefmt;
    private final byte[] terminator;

    /**
     * @param format     the {@code --format} string, or {@code null}
     * @param csv        {@code --csv} (ignored with a format)
     * @param timefmt    the {@code --timefmt} pattern, or {@code null}
     * @param terminator what ends a record: a newline, NUL for {@code -0}, nothing for {@code --no-newline}
     */
    LineFormat(String format, boolean csv, String timefmt, byte[] terminator) {
        if (format != null && timefmt == null && usesTime(format)) {
            throw new IllegalArgumentException("%T is in --format string, but --timefmt was not specified.");
        }
        this.format = format;
        this.csv = csv;
        this.timefmt = timefmt == null ? null : new Strftime(timefmt);
        this.terminator = terminator.clone();
    }

    byte[] format(Fields e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + e.watched().length + e.file().length);
        if (format != null) {
            custom(out, e);
        } else if (csv) {
            out.writeBytes(csvField(e.watched()));
            out.write(',');
            out.writeBytes(csvField(PathBytes.bytes(String.join(",", e.names()))));
            out.write(',');
            out.writeBytes(csvField(e.file()));
        } else {
            out.writeBytes(e.watched());
            out.write(' ');
            out.writeBytes(PathBytes.bytes(String.join(",", e.names())));
            out.write(' ');
            out.writeBytes(e.file());
        }
        out.writeBytes(terminator);
        return out.toByteArray();
    }

    private void custom(ByteArrayOutputStream out, Fields e) {
        String f = format;
        for (int i = 0; i < f.length(); i++) {
            char c = f.charAt(i);
            if (c != '%' || i + 1 == f.length()) {
                int end = f.indexOf('%', i + 1);
                end = end < 0 || end == f.length() - 1 ? f.length() : end;
                out.writeBytes(PathBytes.bytes(f.substring(i, end))); // a run of literal text, bytes as given
                i = end - 1;
                continue;
            }
            char k = f.charAt(i + 1);
            switch (k) {
                case 'w' -> out.writeBytes(e.watched());
                case 'f' -> out.writeBytes(e.file());
                case 'e' -> out.writeBytes(PathBytes.bytes(String.join(",", e.names())));
                case 'T' -> out.writeBytes(PathBytes.bytes(timefmt.format(e.time())));
                case 'c' -> out.writeBytes(Integer.toHexString(e.cookie()).getBytes(StandardCharsets.US_ASCII)); // hex, like inotifywait
                case '0' -> out.write(0);
                case 'n' -> out.write('\n');
                case '%' -> out.write('%');
                default -> {
                    if (i + 2 < f.length() && f.charAt(i + 2) == 'e') {
                        // %Xe: the names joined by X
                        out.writeBytes(PathBytes.bytes(String.join(String.valueOf(k), e.names())));
                        i++;
                    } else {
                        out.write('%');
                        out.writeBytes(PathBytes.bytes(String.valueOf(k)));
                    }
                }
            }
            i++;
        }
    }

    /** Quoted when it holds a quote, a comma or a newline, or starts or ends with a space; quotes doubled. */
    static byte[] csvField(byte[] field) {
        boolean quote = field.length > 0 && (field[0] == ' ' || field[field.length - 1] == ' ');
        for (byte b : field) {
            quote |= b == '"' || b == ',' || b == '\n';
        }
        if (!quote) {
            return field;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(field.length + 4);
        out.write('"');
        for (byte b : field) {
            if (b == '"') {
                out.write('"');
            }
            out.write(b);
        }
        out.write('"');
        return out.toByteArray();
    }

    private static boolean usesTime(String format) {
        for (int i = 0; i + 1 < format.length(); i++) {
            if (format.charAt(i) == '%') {
                if (format.charAt(i + 1) == 'T') {
                    return true;
                }
                i++;
            }
        }
        return false;
    }
}
