package io.github.fsmon.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.fsmon.FileEvent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;

/**
 * {@code --json}: one JSON object per event, one per line (or NUL-terminated with {@code -0}).
 *
 * <pre>{@code
 * {"kind":"MOVED_TO","names":["MOVED_TO","ISDIR"],"path":"/src/new","isDir":true,"cookie":7,
 *  "movedFrom":"/src/old","synthetic":false,"sequence":12,"time":"2026-01-31T10:00:00.123456Z"}
 * }</pre>
 *
 * Paths are JSON strings (control characters escaped by the generator). A path whose bytes are not valid
 * UTF-8 is written with each undecodable sequence as U+FFFD, and its exact bytes follow in
 * {@code pathBytes} (or {@code movedFromBytes}), base64-encoded; the field is absent for UTF-8 paths.
 * {@code time} is when fsmon delivered the event (ISO-8601, UTC).
 */
final class JsonLines {

    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private final byte[] terminator;

    JsonLines(byte[] terminator) {
        this.terminator = terminator.clone();
    }

    byte[] format(FileEvent event, Instant time) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("kind", event.kind().name());
            g.writeArrayFieldStart("names");
            for (String name : EventNames.of(event)) {
                g.writeString(name);
            }
            g.writeEndArray();
            writePath(g, "path", event.path());
            g.writeBooleanField("isDir", event.directory());
            g.writeNumberField("cookie", Integer.toUnsignedLong(event.cookie()));
            if (event.movedFrom() != null) {
                writePath(g, "movedFrom", event.movedFrom());
            } else {
                g.writeNullField("movedFrom");
            }
            g.writeBooleanField("synthetic", event.synthetic());
            g.writeNumberField("sequence", event.sequence());
            g.writeStringField("time", time.toString());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        out.writeBytes(terminator);
        return out.toByteArray();
    }

    private static void writePath(JsonGenerator g, String field, Path path) throws IOException {
        g.writeStringField(field, path.toString());
        byte[] bytes = PathBytes.of(path);
        if (!PathBytes.isUtf8(bytes)) {
            g.writeStringField(field + "Bytes", Base64.getEncoder().encodeToString(bytes));
        }
    }
}
