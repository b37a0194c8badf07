package io.github.fsmon.cli;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Ends the command on SIGTERM, SIGINT and SIGHUP the way inotifywait ends: killed by the signal, so that a
 * parent's {@code waitpid} sees {@code WIFSIGNALED} (a shell's {@code $?} is 128 + the number, systemd
 * counts SIGTERM as a clean stop), not the exit status 128 + n that the JVM's own handler gives.
 *
 * <p>The JVM turns these signals into a shutdown; this class takes them over instead (through
 * {@code sun.misc.Signal}, in the {@code jdk.unsupported} module, looked up reflectively so that the build
 * has no warning about it), lets the command finish what it was delivered, then gives the signal back its
 * default action and sends it to the process ({@link Posix}). A signal that was ignored when fsmon started
 * (as {@code nohup} ignores SIGHUP) stays ignored, as it does for inotifywait.
 */
final class Signals {

    /** What the command does on a signal before it dies of it; called on a thread of its own. */
    interface Stopper {
        void stop(String signal);
    }

    private static final String[] CAUGHT = {"TERM", "INT", "HUP"};
    private static volatile Stopper stopper;
    private static volatile boolean stopping;

    private Signals() {
    }

    /**
     * Catches SIGTERM, SIGINT and SIGHUP from now on: the first one runs the current {@link Stopper} (if
     * any) and then kills the process with that signal; a second one kills it at once.
     */
    static void install() {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Constructor<?> named = signal.getConstructor(String.class);
            Method handle = signal.getMethod("handle", signal, handler);
            Method name = signal.getMethod("getName");
            Object ignore = handler.getField("SIG_IGN").get(null);
            Object callback = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handler},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "handle" -> {
                            received((String) name.invoke(args[0]));
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> "fsmon signal handler";
                    });
            for (String s : CAUGHT) {
                Object sig = named.newInstance(s);
                Object old = handle.invoke(null, sig, callback);
                if (old == ignore) {
                    handle.invoke(null, sig, ignore);
                }
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // Without sun.misc.Signal the JVM's own handling stays: exit status 128 + n instead of the signal.
            System.getLogger(Signals.class.getName()).log(System.Logger.Level.DEBUG,
                    "signals keep the JVM's handling", e);
        }
    }

    /** Whether a signal is being handled: the process is about to die of it, and must not exit otherwise. */
    static boolean stopping() {
        return stopping;
    }

    /** What the next signal runs before the process dies of it; {@code null} for nothing. */
    static void onSignal(Stopper s) {
        stopper = s;
    }

    private static void received(String signal) {
        int number = number(signal);
        if (!stopping) {
            stopping = true;
            Stopper s = stopper;
            if (s != null) {
                try {
                    s.stop(signal);
                } catch (RuntimeException | Error e) {
                    System.getLogger(Signals.class.getName()).log(System.Logger.Level.DEBUG, "stop failed", e);
                }
            }
        }
        dieOf(number);
    }

    /**
     * Kills the process with {@code sig} (its default action: terminate), as a C program dies of it; if that
     * is impossible, halts with 128 + {@code sig}, what a shell shows for such a death.
     */
    static void dieOf(int sig) {
        try {
            if (Posix.defaultAction(sig) == 0) {
                Posix.kill(Posix.getpid(), sig);
                // The signal is delivered to some thread that does not block it, which ends the process; this
                // thread may still run for a moment.
                Thread.sleep(1000);
            }
        } catch (InterruptedException | RuntimeException | LinkageError e) {
            // no native access: fall through
        }
        Runtime.getRuntime().halt(128 + sig);
    }

    static int number(String signal) {
        return switch (signal) {
            case "HUP" -> Posix.SIGHUP;
            case "INT" -> Posix.SIGINT;
            case "PIPE" -> Posix.SIGPIPE;
            case "KILL" -> Posix.SIGKILL;
            default -> Posix.SIGTERM;
        };
    }
}
