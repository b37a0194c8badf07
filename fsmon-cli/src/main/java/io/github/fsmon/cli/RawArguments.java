package io.github.fsmon.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line's arguments with their exact bytes. The JVM decodes {@code argv} with the platform's
 * path encoding and replaces what does not decode, so an argument such as {@code d/p\xFEq} (not UTF-8)
 * reaches {@code main} as {@code d/p\uFFFDq}, which names nothing. On Linux {@code /proc/self/cmdline}
 * still holds the bytes: its last words are {@code main}'s arguments, as {@link PathBytes#text} keeps
 * them. When those words do not decode to the JVM's own arguments (a launcher that rewrote them, an
 * argument file), the JVM's are used as they are.
 */
final class RawArguments {

    private static final System.Logger LOG = System.getLogger(RawArguments.class.getName());

    private RawArguments() {
    }

    /** {@code args} with their exact bytes where the process's command line has them. */
    static String[] exact(String[] args) {
        Path cmdline = Path.of("/proc/self/cmdline");
        if (!Files.isReadable(cmdline)) {
            return args;
        }
        // A stream, not Files.readAllBytes: /proc files report a size of 0.
        try (InputStream in = Files.newInputStream(cmdline)) {
            return exact(args, in.readAllBytes(), jnuCharset());
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot read the command line's bytes", e);
            return args;
        }
    }

    /**
     * {@code args} replaced by the last words of {@code cmdline} (NUL-terminated words) when each of those
     * decodes, as the JVM decoded it with {@code decodedWith}, to the argument in its place.
     */
    static String[] exact(String[] args, byte[] cmdline, Charset decodedWith) {
        List<byte[]> words = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < cmdline.length; i++) {
            if (cmdline[i] == 0) {
                words.add(java.util.Arrays.copyOfRange(cmdline, start, i));
                start = i + 1;
            }
        }
        if (start < cmdline.length) {
            words.add(java.util.Arrays.copyOfRange(cmdline, start, cmdline.length));
        }
        if (words.size() < args.length) {
            return args;
        }
        List<byte[]> tail = words.subList(words.size() - args.length, words.size());
        String[] exact = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            if (!new String(tail.get(i), decodedWith).equals(args[i])) {
                return args;
            }
            exact[i] = PathBytes.text(tail.get(i));
        }
        return exact;
    }

    private static Charset jnuCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }
}
