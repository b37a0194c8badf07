package io.github.fsmon.internal.core;

import io.github.fsmon.Backend;
import io.github.fsmon.internal.linux.InotifyBackend;

/** Which backends exist here, and which one {@link Backend#AUTO} means. */
public final class Backends {
    private Backends() {
    }

    public static boolean isAvailable(Backend backend) {
        return switch (backend) {
            case AUTO, POLL -> true; // AUTO ends at polling when nothing better works
            case INOTIFY -> InotifyBackend.isSupported();
        };
    }

    private static volatile boolean fallbackLogged;

    /**
     * The backend AUTO selects: inotify on Linux where native access works; otherwise polling, which needs
     * no native access, with one log line that says why and which flag would allow inotify.
     */
    static Backend choose() {
        if (InotifyBackend.isSupported()) {
            return Backend.INOTIFY;
        }
        if (!fallbackLogged) {
            fallbackLogged = true;
            boolean linux = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("linux");
            System.getLogger("io.github.fsmon").log(System.Logger.Level.WARNING, linux
                    ? "fsmon: inotify cannot be used (native access refused by the JVM); falling back to the "
                    + "polling backend. Run java with " + io.github.fsmon.internal.ffm.NativeSupport.nativeAccessFlag()
                    + " to use inotify."
                    : "fsmon: no native backend for " + System.getProperty("os.name") + " yet; using the polling backend.");
        }
        return Backend.POLL;
    }

    static Engine.BackendFactory factory(MonitorConfig config) {
        Backend backend = config.backend();
        Backend chosen = backend == Backend.AUTO ? choose() : backend;
        if (!isAvailable(chosen)) {
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
