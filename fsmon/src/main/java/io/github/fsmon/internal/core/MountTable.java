package io.github.fsmon.internal.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The file-system type of a directory, by the longest mount point that contains it, from Linux's
 * {@code /proc/self/mountinfo} (re-read at most once a second, so a mount made later is found). One
 * prefix comparison per mount, no system call per directory: arming a tree of 100,000 directories stays
 * as cheap as it was. Elsewhere, the JDK's {@link Files#getFileStore} type.
 */
public final class MountTable implements Function<Path, String> {
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
    private static final long REFRESH_NANOS = 1_000_000_000L;

    public record Mount(Path point, String type) {
    }

    private final LongSupplier clock;
    private List<Mount> mounts;
    private long readAt;

    public MountTable(LongSupplier clock) {
        this.clock = clock;
    }

    @Override
    public String apply(Path dir) {
        if (!Files.isReadable(MOUNTINFO)) {
            return RoutingBackend.fileSystemType(dir);
        }
        long now = clock.getAsLong();
        if (mounts == null || now - readAt > REFRESH_NANOS) {
            mounts = read();
            readAt = now;
        }
        Path abs = dir.toAbsolutePath();
        for (Mount m : mounts) {
            if (abs.startsWith(m.point())) {
                return m.type();
            }
        }
        return "";
    }

    /** Mount points, longest first. */
    private static List<Mount> read() {
        List<Mount> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(MOUNTINFO)) {
                out.add(parse(line));
            }
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
        out.sort(Comparator.comparingInt((Mount m) -> m.point().getNameCount()).reversed());
        return out;
    }

    /**
     * One line of mountinfo(5): {@code ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - TYPE SOURCE
     * SUPEROPTIONS}, with blanks, tabs, newlines and backslashes in paths written as octal escapes.
     */
    public static Mount parse(String line) {
        String[] f = line.split(" ");
        int dash = java.util.Arrays.asList(f).indexOf("-");
        return new Mount(Path.of(unescape(f[4])), f[dash + 1]);
    }

    private static String unescape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
