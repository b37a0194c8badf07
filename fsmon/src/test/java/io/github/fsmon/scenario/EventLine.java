package io.github.fsmon.scenario;

import io.github.fsmon.FileEvent;
import io.github.fsmon.internal.spi.ExactNames;

import java.nio.file.Path;
import java.util.StringJoiner;

/**
 * The one-line notation of an event that expected and actual events are both turned into before they
 * are compared: {@code [@watch ]KIND[,ISDIR] path[ <- from]}, paths relative to the sandbox with
 * {@code /} separators on every OS, {@code .} for the sandbox itself, quoted by {@link Words#quote} when
 * they hold blanks or control characters.
 */
final class EventLine {
    private EventLine() {
    }

    /**
     * @param watch the watch name, or {@code null} when the script does not name its watches
     * @param kinds {@code KIND} or {@code KIND,ISDIR}
     * @param from  the source of a rename, or {@code null}
     */
    static String of(String watch, String kinds, String path, String from) {
        StringBuilder s = new StringBuilder();
        if (watch != null) {
            s.append('@').append(watch).append(' ');
        }
        s.append(kinds).append(' ').append(Words.quote(path));
        if (from != null) {
            s.append(" <- ").append(Words.quote(from));
        }
        return s.toString();
    }

    /** The line of a delivered event. */
    static String of(String watch, FileEvent event, Path sandbox) {
        return of(watch, event.maskNames(), relative(sandbox, event.path()),
                event.movedFrom() == null ? null : relative(sandbox, event.movedFrom()));
    }

    /** {@code path} relative to {@code sandbox} in script notation; an absolute path if it is outside. */
    static String relative(Path sandbox, Path path) {
        if (!path.startsWith(sandbox)) {
            return path.toString(); // never expected: shows up plainly in a diff
        }
        Path rel = sandbox.relativize(path);
        if (rel.toString().isEmpty()) {
            return ".";
        }
        StringJoiner s = new StringJoiner("/");
        rel.forEach(name -> s.add(ExactNames.key(name))); // the exact bytes, as a script writes them
        return s.toString();
    }
}
