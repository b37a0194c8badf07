package io.github.fsmon.cli;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A child process started with {@code posix_spawnp(3)} and waited for with {@code waitpid(2)} by this test
 * itself, so that the test sees the status exactly as a parent does: whether the child exited (and with
 * which status) or was killed by a signal. ({@link Process#exitValue()} shows both as one number: 143 for
 * a death by SIGTERM and for {@code exit(143)} alike.) Its standard output and error go to files (or
 * FIFOs) given by path.
 */
final class Spawned {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SPAWNP = link("posix_spawnp",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle ACTIONS_INIT = link("posix_spawn_file_actions_init",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ACTIONS_OPEN = link("posix_spawn_file_actions_addopen",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle WAITPID = link("waitpid",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final int O_RDONLY = 0;
    private static final int O_WRONLY = 1;
    private static final int O_CREAT = 0x40;
    private static final int O_TRUNC = 0x200;
    private static final int WNOHANG = 1;

    /** A wait status, decoded as {@code <sys/wait.h>} does. */
    record Status(int raw) {
        boolean signalled() {
            return (raw & 0x7f) != 0 && (raw & 0x7f) != 0x7f;
        }

        int signal() {
            return raw & 0x7f;
        }

        boolean exited() {
            return (raw & 0x7f) == 0;
        }

        int exitStatus() {
            return (raw >> 8) & 0xff;
        }

        @Override
        public String toString() {
            return signalled() ? "killed by signal " + signal() : "exited with status " + exitStatus();
        }
    }

    final int pid;
    private Status status;

    private Spawned(int pid) {
        this.pid = pid;
    }

    @SuppressWarnings("restricted")
    private static MethodHandle link(String name, FunctionDescriptor d) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), d);
    }

    /** Starts {@code argv} with standard input from /dev/null and output and error to the given paths. */
    @SuppressWarnings("restricted")
    static Spawned start(List<String> argv, Path stdout, Path stderr) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment actions = arena.allocate(256, 16); // > sizeof(posix_spawn_file_actions_t)
            check((int) ACTIONS_INIT.invokeExact(actions), "posix_spawn_file_actions_init");
            check((int) ACTIONS_OPEN.invokeExact(actions, 0, arena.allocateFrom("/dev/null"), O_RDONLY, 0), "open 0");
            check((int) ACTIONS_OPEN.invokeExact(actions, 1, arena.allocateFrom(stdout.toString()),
                    O_WRONLY | O_CREAT | O_TRUNC, 0644), "open 1");
            check((int) ACTIONS_OPEN.invokeExact(actions, 2, arena.allocateFrom(stderr.toString()),
                    O_WRONLY | O_CREAT | O_TRUNC, 0644), "open 2");
            MemorySegment args = arena.allocate(ADDRESS, argv.size() + 1);
            for (int i = 0; i < argv.size(); i++) {
                args.setAtIndex(ADDRESS, i, arena.allocateFrom(argv.get(i)));
            }
            args.setAtIndex(ADDRESS, argv.size(), MemorySegment.NULL);
            MemorySegment environ = LINKER.defaultLookup().find("environ").orElseThrow()
                    .reinterpret(ADDRESS.byteSize()).get(ADDRESS, 0);
            MemorySegment pid = arena.allocate(JAVA_INT);
            check((int) SPAWNP.invokeExact(pid, args.getAtIndex(ADDRESS, 0), actions, MemorySegment.NULL, args,
                    environ), "posix_spawnp");
            return new Spawned(pid.get(JAVA_INT, 0));
        }
    }

    private static void check(int rc, String what) {
        if (rc != 0) {
            throw new IllegalStateException(what + " failed: " + rc);
        }
    }

    /** Sends {@code sig} to the child. */
    void kill(int sig) {
        assert status == null;
        Posix.kill(pid, sig);
    }

    /** Waits for the child's end ({@link Watcher#PATIENCE_SECONDS} at most, then kills it and fails). */
    Status await() throws Throwable {
        if (status != null) {
            return status;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Watcher.PATIENCE_SECONDS);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment raw = arena.allocate(JAVA_INT);
            while (true) {
                int rc = (int) WAITPID.invokeExact(pid, raw, WNOHANG);
                if (rc == pid) {
                    status = new Status(raw.get(JAVA_INT, 0));
                    return status;
                }
                if (rc < 0) {
                    throw new IllegalStateException("waitpid failed");
                }
                if (System.nanoTime() > deadline) {
                    Posix.kill(pid, Posix.SIGKILL);
                    int ignored = (int) WAITPID.invokeExact(pid, raw, 0);
                    throw new AssertionError("child " + pid + " did not end");
                }
                Thread.sleep(5);
            }
        }
    }

    /** Kills the child if it still runs, and reaps it. */
    void destroy() throws Throwable {
        if (status == null) {
            Posix.kill(pid, Posix.SIGKILL);
            await();
        }
    }
}
