package io.github.fsmon.internal.core;

import io.github.fsmon.Backend;
import io.github.fsmon.internal.linux.InotifyBackend;

/** Which backends exist here, and which one {@link Backend#AUTO} means. */
public final class Backends {
    private Backends() {
    }

    public static boolean isAvailable(Backend backend) {
        return switch (backend) {
            case AUTO -> choose() != null;
            case INOTIFY -> InotifyBackend.isSupported();
            case POLL -> true;
        };
    }

    /** The backend AUTO selects, or {@code null} when none works here. */
    static Backend choose() {
        if (InotifyBackend.isSupported()) {
            return Backend.INOTIFY;
        }
        return null;
    }

    static Engine.BackendFactory factory(MonitorConfig config) {
        Backend backend = config.backend();
        Backend chosen = backend == Backend.AUTO ? choose() : backend;
        if (chosen == null || !isAvailable(chosen)) {
            throw new UnsupportedOperationException("fsmon backend " + backend + " is not available on "
                    + System.getProperty("os.name") + " (" + System.getProperty("os.arch") + ")");
        }
        return switch (chosen) {
            case INOTIFY -> InotifyBackend::new;
            case POLL -> () -> new io.github.fsmon.internal.poll.PollingBackend(config.pollIntervalNanos(),
                    config.nanoClock());
            case AUTO -> throw new AssertionError();
        };
    }
}
