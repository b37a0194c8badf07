package io.github.fsmon.cli;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Raw bindings to the three libc calls the command needs to end the way a C program ends, nothing more:
 * {@code signal(2)} to give a signal back its default action, {@code kill(2)} to send it (to the process
 * itself, or to a command's process group), {@code getpid(2)}. {@code errno} is captured by the same
 * downcall. Signal numbers are Linux's (the same on x86_64 and aarch64).
 */
final class Posix {

    static final int SIGHUP = 1;
    static final int SIGINT = 2;
    static final int SIGKILL = 9;
    static final int SIGPIPE = 13;
    static final int SIGTERM = 15;
    /** {@code errno} of a process (group) that does not exist. */
    static final int ESRCH = 3;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SIGNAL;
    private static final MethodHandle KILL;
    private static final MethodHandle GETPID;
    private static final VarHandle ERRNO = Linker.Option.captureStateLayout()
            .varHandle(MemoryLayout.PathElement.groupElement("errno"));

    static {
        Linker.Option errno = Linker.Option.captureCallState("errno");
        SIGNAL = link("signal", FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS), errno);
        KILL = link("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), errno);
        GETPID = link("getpid", FunctionDescriptor.of(JAVA_INT));
    }

    private Posix() {
    }

    @SuppressWarnings("restricted") // the launcher and the jar's manifest enable native access
    private static MethodHandle link(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("native symbol not found: " + name));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /** {@code signal(sig, SIG_DFL)}; returns 0, or {@code errno}. */
    static int defaultAction(int sig) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
            MemorySegment old = (MemorySegment) SIGNAL.invokeExact(state, sig, MemorySegment.NULL);
            return old.address() == -1L ? (int) ERRNO.get(state, 0L) : 0; // SIG_ERR is (void *) -1
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code kill(pid, sig)}: a negative {@code pid} names a process group. Returns 0, or {@code errno}. */
    static int kill(int pid, int sig) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
            int rc = (int) KILL.invokeExact(state, pid, sig);
            return rc == 0 ? 0 : (int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int getpid() {
        try {
            return (int) GETPID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
