package io.github.fsmon.cli;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One watched path and how inotifywait names the events under it: {@code %w} is the path as the user wrote
 * it (a directory's with a trailing {@code /}) followed by the subdirectory the event happened in, and
 * {@code %f} is the entry's name, empty for an event on the watched path itself.
 */
final class WatchedRoot {

    private final String spelling;
    private final Path path;
    private final boolean directory;
    private final byte[] prefix;
    private final byte[] absolute;

    WatchedRoot(String spelling) {
        this.spelling = spelling;
        this.path = PathBytes.path(spelling).toAbsolutePath().normalize();
        this.directory = Files.isDirectory(path);
        String shown = directory && !spelling.endsWith("/") ? spelling + "/" : spelling;
        this.prefix = PathBytes.bytes(shown);
        this.absolute = PathBytes.of(path);
    }

    String spelling() {
        return spelling;
    }

    Path path() {
        return path;
    }

    /** {@code %w} and {@code %f} of an event on {@code entry}, a path at or under this root. */
    byte[][] names(Path entry) {
        if (entry.equals(path)) {
            return new byte[][] {prefix, new byte[0]};
        }
        byte[] bytes = PathBytes.of(entry);
        int start = absolute.length + (absolute[absolute.length - 1] == '/' ? 0 : 1);
        if (bytes.length <= start) {
            // not under the root (cannot happen for events of this watch): show it whole
            return new byte[][] {bytes, new byte[0]};
        }
        int slash = lastSlash(bytes);
        ByteArrayOutputStream w = new ByteArrayOutputStream(prefix.length + bytes.length - start);
        w.writeBytes(prefix);
        if (slash >= start) {
            w.write(bytes, start, slash + 1 - start);
        }
        return new byte[][] {w.toByteArray(), Arrays.copyOfRange(bytes, slash + 1, bytes.length)};
    }

    /**
     * {@code %w%f} of {@code entry} as text, what {@code --exclude} and {@code --include} match: lossless
     * ({@link PathBytes#text}), so an expression given with the same bytes matches them.
     */
    String shown(Path entry) {
        byte[][] n = names(entry);
        return PathBytes.text(n[0]) + PathBytes.text(n[1]);
    }

    private static int lastSlash(byte[] bytes) {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == '/') {
                return i;
            }
        }
        return -1;
    }
}
