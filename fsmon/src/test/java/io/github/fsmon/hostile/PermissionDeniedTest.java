package io.github.fsmon.hostile;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A subdirectory the user may not read: reported to the error handler as an access-denied error, and the
 * rest of the tree keeps working. Runs {@link DeniedProbe} in a child JVM, as {@code nobody} (through
 * {@code setpriv}) when the tests run as root.
 */
class PermissionDeniedTest {
    @TempDir
    Path dir;

    @Test
    void anUnreadableSubdirectoryIsReportedAndTheRestIsWatched() throws Exception {
        List<String> cmd = new ArrayList<>();
        Path tree = dir.resolve("tree");
        // The classes are copied next to the tree: the build directory may sit where nobody cannot read.
        Path classes = copyTree(Path.of("target/classes"), dir.resolve("cp/main"));
        Path testClasses = dir.resolve("cp/test/" + DeniedProbe.class.getPackageName().replace('.', '/'));
        Files.createDirectories(testClasses);
        Files.copy(Path.of("target/test-classes/" + DeniedProbe.class.getName().replace('.', '/') + ".class"),
                testClasses.resolve(DeniedProbe.class.getSimpleName() + ".class"));
        if ("root".equals(System.getProperty("user.name"))) {
            Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv to drop root");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.createDirectories(tree);
            UserPrincipal nobody = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Files.setOwner(tree, nobody);
            cmd.addAll(List.of("/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"));
        }
        cmd.add(io.github.fsmon.testing.ChildJvm.java());
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp",
                classes + ":" + dir.resolve("cp/test"),
                DeniedProbe.class.getName(), tree.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        List<String> lines = out.lines().toList();
        assertThat(lines).as(out).anySatisfy(l -> assertThat(l)
                .startsWith("ERROR java.nio.file.AccessDeniedException").contains("locked"));
        assertThat(lines).as(out).contains("EVENT CREATE open/inner/f", "EVENT CREATE,ISDIR new",
                "EVENT CREATE,ISDIR new/deep", "EVENT CREATE new/deep/g");
        assertThat(lines).as(out).noneMatch(l -> l.startsWith("EVENT") && l.contains("locked"));
    }

    private static Path copyTree(Path from, Path to) throws java.io.IOException {
        try (var all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return to.toAbsolutePath();
    }
}
