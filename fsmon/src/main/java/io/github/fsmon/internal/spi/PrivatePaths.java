package io.github.fsmon.internal.spi;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The paths that fsmon's backends make for themselves (the JDK backend's barrier directory), for every
 * monitor of this JVM: no monitor reports them, nor what is in them. A backend names such a path here
 * <em>before</em> it creates it, so that no watch, of its own monitor or of another, can see it appear
 * first; it takes the name back once the path is gone.
 */
public final class PrivatePaths {
    private static final Set<Path> PATHS = ConcurrentHashMap.newKeySet();

    private PrivatePaths() {
    }

    /** {@code path} (absolute, normalized) is about to be made by a backend for itself. */
    public static void add(Path path) {
        PATHS.add(path.toAbsolutePath().normalize());
    }

    /** {@code path} is gone, or was never made. */
    public static void remove(Path path) {
        PATHS.remove(path.toAbsolutePath().normalize());
    }

    /** Whether {@code path} is, or is inside, a path a backend made for itself. Any thread. */
    public static boolean contains(Path path) {
        if (PATHS.isEmpty()) {
            return false;
        }
        for (Path own : PATHS) {
            if (path.startsWith(own)) {
                return true;
            }
        }
        return false;
    }
}
