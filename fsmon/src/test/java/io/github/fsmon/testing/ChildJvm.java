package io.github.fsmon.testing;

import java.nio.file.Path;

/** What a test needs to run one of its own classes in a fresh JVM: for limits, users and JVM flags. */
public final class ChildJvm {
    private ChildJvm() {
    }

    /** The {@code java} launcher of the JVM running the tests. */
    public static String java() {
        return ProcessHandle.current().info().command().orElseThrow();
    }

    /** The module's main and test classes, as a class path (the tests run from the module directory). */
    public static String classPath() {
        return Path.of("target/classes").toAbsolutePath() + ":" + Path.of("target/test-classes").toAbsolutePath();
    }
}
