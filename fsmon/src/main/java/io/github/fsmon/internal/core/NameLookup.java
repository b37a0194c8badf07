package io.github.fsmon.internal.core;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the JDK's own {@link Path} for a name that is not valid UTF-8. The OS hands us raw bytes; a
 * {@code Path} built from the decoded string would name other bytes (U+FFFD's) and could not be opened,
 * while a {@code Path} from a directory listing keeps the original bytes.
 */
final class NameLookup {
    private NameLookup() {
    }

    /** The entry of {@code dir} whose name decodes to {@code decoded}, if exactly one does; else {@code null}. */
    static Path find(Path dir, String decoded) {
        Path found = null;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path child : entries) {
                if (child.getFileName().toString().equals(decoded)) {
                    if (found != null) {
                        return null; // ambiguous
                    }
                    found = child;
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return found;
    }
}
