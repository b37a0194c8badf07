package io.github.fsmon.internal.core;

import io.github.fsmon.Backend;
import io.github.fsmon.internal.ffm.NativeSupport;
import io.github.fsmon.internal.linux.InotifyBackend;
import io.github.fsmon.internal.windows.ReadDirectoryChangesBackend;

import java.io.IOException;
import java.util.Locale;

/** Which backends exist here, which one {@link Backend#AUTO} means, and why. */
public final class Backends {
    private static final System.Logger LOG = System.getLogger("io.github.fsmon");

    private Backends() {
    }

    /** A backend and the sentence that says why it is the one. */
    record Choice(Backend backend, String reason) {
    }

    private static boolean linux() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
    }

    public static boolean isAvailable(Backend backend) {
        return switch (backend) {
            case AUTO, POLL, JDK -> true;
            case INOTIFY -> InotifyBackend.isSupported();
            case WINDOWS -> ReadDirectoryChangesBackend.isSupported();
        };
    }

    public static String availability(Backend backend) {
        return switch (backend) {
            case AUTO -> "selects " + autoChoice().backend() + ": " + autoChoice().reason();
            case POLL -> "available: needs nothing but file attributes";
            case JDK -> "available: the JDK's own WatchService, no native access needed";
            case INOTIFY -> !linux() ? "not available: inotify exists only on Linux"
                    : InotifyBackend.isSupported() ? "available: Linux, and the JVM allows native access"
                    : "not available: the JVM refuses native access; run java with "
                    + NativeSupport.nativeAccessFlag();
            case WINDOWS -> ReadDirectoryChangesBackend.isSupported()
                    ? "available (opt-in): ReadDirectoryChangesW through kernel32; tested against a simulated "
                    + "kernel32, not yet validated on Windows"
                    : !System.getProperty("os.name", "").startsWith("Windows")
                    ? "not available: ReadDirectoryChangesW exists only on Windows"
                    : "not available: the JVM refuses native access; run java with "
                    + NativeSupport.nativeAccessFlag();
        };
    }

    /**
     * What AUTO selects here: inotify on Linux where native access works, else the JDK's WatchService
     * (also on Windows: the ReadDirectoryChangesW backend stays opt-in until it has been validated there).
     */
    static Choice autoChoice() {
        if (InotifyBackend.isSupported()) {
            return new Choice(Backend.INOTIFY, "Linux, and the JVM allows native access");
        }
        return new Choice(Backend.JDK, linux()
                ? "the JVM refuses native access, so inotify cannot be used; run java with "
                + NativeSupport.nativeAccessFlag() + " to use it"
                : System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")
                ? "the native Windows backend (WINDOWS) stays opt-in until it has been validated on Windows"
                : "no native backend for " + System.getProperty("os.name"));
    }

    private static volatile boolean fallbackLogged;
    /** The instance limits (name and value) already reported at WARNING. */
    private static final java.util.Set<String> instanceLimitsWarned =
            java.util.concurrent.ConcurrentHashMap.newKeySet();

    static Choice choose(Backend requested) {
        if (requested != Backend.AUTO) {
            return new Choice(requested, "asked for by name");
        }
        Choice choice = autoChoice();
        if (choice.backend() != Backend.INOTIFY && linux() && !fallbackLogged) {
            fallbackLogged = true;
            LOG.log(System.Logger.Level.WARNING, "fsmon: using the " + choice.backend() + " backend: "
                    + choice.reason() + ".");
        }
        return choice;
    }

    static Engine.BackendFactory factory(MonitorConfig config, Backend chosen) {
        if (!isAvailable(chosen)) {
            throw new UnsupportedOperationException("fsmon backend " + chosen + " is not available on "
                    + System.getProperty("os.name") + " (" + System.getProperty("os.arch") + "): "
                    + availability(chosen));
        }
        // On Linux with native access, statx relative to each directory: faster than the JDK and with the ctime.
        boolean statx = io.github.fsmon.internal.linux.StatxReader.isSupported();
        Engine.BackendFactory poll = () -> new io.github.fsmon.internal.poll.PollingBackend(
                config.pollIntervalNanos(), config.nanoClock(), statx
                        ? new io.github.fsmon.internal.linux.StatxReader()
                        : new io.github.fsmon.internal.poll.JdkStatReader());
        Engine.BackendFactory notifying = switch (chosen) {
            case INOTIFY -> InotifyBackend::new;
            case JDK -> io.github.fsmon.internal.jdk.WatchServiceBackend::new;
            case WINDOWS -> ReadDirectoryChangesBackend::new;
            case POLL -> null;
            case AUTO -> throw new AssertionError();
        };
        if (notifying == null) {
            return poll;
        }
        // Polling beside the notifying backend: for roots on file systems that do not notify (AUTO only:
        // a backend asked for by name is used as asked) and for what does not fit under the watch limit.
        boolean pollRemote = config.backend() == Backend.AUTO;
        Engine.BackendFactory routed = () -> new RoutingBackend(notifying.open(), () -> {
            try {
                return poll.open();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, pollRemote, config.fileSystemType(), config.pollIntervalNanos());
        if (config.backend() != Backend.AUTO || chosen != Backend.INOTIFY) {
            return routed;
        }
        // At the instance limit (fs.inotify.max_user_instances) AUTO polls rather than fail, with one
        // WARNING per limit and value in the JVM's life (every monitor past the limit would say it again);
        // a monitor that asked for INOTIFY by name fails with the WatchLimitException instead.
        return () -> {
            try {
                return routed.open();
            } catch (io.github.fsmon.WatchLimitException e) {
                String reason = e.getMessage() + "; polling every " + config.pollIntervalNanos() / 1_000_000
                        + " ms instead";
                boolean first = instanceLimitsWarned.add(e.limitName() + "=" + e.limit());
                LOG.log(first ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG, "fsmon: " + reason
                        + (first ? " (logged once; every monitor that polls for this reason says so in its "
                        + "backendReason())" : ""));
                return ((io.github.fsmon.internal.poll.PollingBackend) poll.open()).standingInBecause(reason);
            }
        };
    }
}
