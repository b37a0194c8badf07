package io.github.fsmon.internal.spi;

import io.github.fsmon.Backend;
import io.github.fsmon.FileMonitor;

import java.io.FileInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Run in a child JVM: uses up the process's descriptors, then creates a monitor of the backend named in
 * {@code args[0]}, whose inotify instance then cannot be created ({@code EMFILE}, as at the instance
 * limit). Prints {@code RESULT} and {@code MESSAGE} lines for {@link InotifyLimitsTest}.
 */
public final class DescriptorLimitProbe {
    private DescriptorLimitProbe() {
    }

    public static void main(String[] args) throws Exception {
        Backend backend = Backend.valueOf(args[0]);
        // Classes load from files: load those of the whole path first, while descriptors are free.
        FileMonitor.builder().backend(backend).build().close();
        InotifyLimits.openDescriptors(java.nio.file.Path.of("/proc"));
        new java.nio.file.FileSystemException("warm-up").getMessage();
        List<FileInputStream> held = new ArrayList<>();
        try {
            while (true) {
                held.add(new FileInputStream("/dev/null"));
            }
        } catch (IOException e) {
            // every descriptor is in use
        }
        String result;
        try (FileMonitor m = FileMonitor.builder().backend(backend).build()) {
            result = "RESULT started";
        } catch (Exception e) {
            result = "RESULT " + e.getClass().getName() + "\nMESSAGE " + e.getMessage();
        }
        for (FileInputStream in : held) {
            in.close();
        }
        System.out.println(result);
    }
}
