package io.github.fsmon.internal.windows;

import java.nio.file.Path;

/**
 * Path spelling for Win32 calls. Paths are passed in their extended-length form ({@code \\?\C:\...},
 * {@code \\?\UNC\server\share\...}), which lifts the {@code MAX_PATH} (260 character) limit and turns off
 * the Win32 name normalisation; the JDK has already made them absolute and normalised. Anything that is
 * not a Windows drive or UNC path (as in tests on Linux) is passed unchanged.
 */
public final class Win32Paths {
    private Win32Paths() {
    }

    static final String EXTENDED = "\\\\?\\";
    static final String EXTENDED_UNC = "\\\\?\\UNC\\";

    /** {@code C:\a} becomes {@code \\?\C:\a}; {@code \\server\share\a} becomes {@code \\?\UNC\server\share\a}. */
    public static String extended(String path) {
        if (path.startsWith(EXTENDED) || path.startsWith("\\\\.\\")) {
            return path;
        }
        if (path.length() >= 3 && Character.isLetter(path.charAt(0)) && path.charAt(1) == ':' && path.charAt(2) == '\\') {
            return EXTENDED + path;
        }
        if (path.startsWith("\\\\")) {
            return EXTENDED_UNC + path.substring(2);
        }
        return path;
    }

    /** The inverse of {@link #extended}: the ordinary spelling, for making a {@link Path}. */
    public static String ordinary(String path) {
        if (path.startsWith(EXTENDED_UNC)) {
            return "\\\\" + path.substring(EXTENDED_UNC.length());
        }
        if (path.startsWith(EXTENDED)) {
            return path.substring(EXTENDED.length());
        }
        return path;
    }

    /** {@code base} with a record's relative name ({@code '\'}-separated components) appended. */
    public static Path resolve(Path base, String relative) {
        Path p = base;
        int start = 0;
        while (start <= relative.length()) {
            int end = relative.indexOf('\\', start);
            if (end < 0) {
                end = relative.length();
            }
            if (end > start) {
                p = p.resolve(relative.substring(start, end));
            }
            start = end + 1;
        }
        return p;
    }

    /** {@code path} relative to {@code base} in a record's spelling, or null when it is not below {@code base}. */
    public static String relative(Path base, Path path) {
        if (!path.startsWith(base) || path.equals(base)) {
            return null;
        }
        Path rel = base.relativize(path);
        StringBuilder sb = new StringBuilder();
        for (Path part : rel) {
            if (!sb.isEmpty()) {
                sb.append('\\');
            }
            sb.append(part);
        }
        return sb.toString();
    }
}
