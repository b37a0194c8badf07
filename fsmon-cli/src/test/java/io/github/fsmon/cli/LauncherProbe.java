package io.github.fsmon.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Stands in for the command in {@link LauncherTest}'s jar: in the launcher's training run ({@code -r ...}) it
 * says so in {@code $FSMON_PROBE/training} and, while {@code $FSMON_PROBE/hold} exists, waits to be killed;
 * otherwise it prints its arguments.
 */
public final class LauncherProbe {
    private LauncherProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path probe = Path.of(System.getenv("FSMON_PROBE"));
        if (args.length > 0 && args[0].equals("-r")) {
            Files.writeString(probe.resolve("training"), String.join(" ", args));
            while (Files.exists(probe.resolve("hold"))) {
                Thread.sleep(50);
            }
            return;
        }
        System.out.println("run " + String.join(" ", args));
    }
}
