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

    /**
     * Polling, as an ordinary user, on a directory that another user makes unreadable under the watch and
     * changes meanwhile: no DELETE for its entries (they are all still there), one access-denied error
     * naming it, and once it can be read again exactly what changed, with the directory made in it
     * watched. The test (root) changes the tree; the watcher runs as {@code nobody}.
     */
    @Test
    void pollingKeepsAnUnreadableDirectoryAndReportsOnlyWhatChangedOnceItIsReadable() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "needs root: a second user changes the directory the watcher may not read");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv to drop root");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Path d = Files.createDirectories(tree.resolve("d/sub"));
        d = d.getParent();
        Files.writeString(d.resolve("f"), "f");
        Files.writeString(d.resolve("sub/g"), "g");
        Process p = startProbe("POLL", tree);
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             var in = new java.io.PrintWriter(p.getOutputStream(), true, StandardCharsets.UTF_8)) {
            assertThat(out.readLine()).isEqualTo("READY POLL");
            assertThat(step(in, out)).isEmpty();
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("---------"));
            List<String> denied = step(in, out);
            assertThat(denied).noneMatch(l -> l.startsWith("EVENT DELETE") || l.startsWith("EVENT CREATE"));
            assertThat(denied).filteredOn(l -> l.startsWith("ERROR")).singleElement().asString()
                    .startsWith("ERROR AccessDeniedException " + d);
            // Changed by another user while the watcher cannot read it: nothing to see, nothing said again.
            Files.delete(d.resolve("f"));
            Files.createDirectories(d.resolve("new"));
            Files.writeString(d.resolve("new/h"), "h");
            Files.writeString(d.resolve("sub/g"), "longer");
            assertThat(step(in, out)).isEmpty();
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
            assertThat(step(in, out)).filteredOn(l -> !l.startsWith("EVENT ATTRIB")).containsExactlyInAnyOrder(
                    "EVENT DELETE d/f", "EVENT CREATE,ISDIR d/new", "EVENT CREATE d/new/h", "EVENT MODIFY d/sub/g");
            Files.writeString(d.resolve("new/late"), "l");
            assertThat(step(in, out)).containsExactly("EVENT CREATE d/new/late");
            in.println("exit");
        } finally {
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(p.exitValue()).isZero();
    }

    /**
     * inotify tells a watcher of a directory it may not search about what is created in it, but the new
     * directory cannot be armed then: that is said once, and once the permissions change it is armed and
     * what it holds is reported.
     */
    @Test
    void inotifyArmsADirectoryItCouldNotReachOnceThePermissionsAllow() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "needs root: a second user changes the directory the watcher may not read");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv to drop root");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Path d = Files.createDirectories(tree.resolve("d"));
        Process p = startProbe("INOTIFY", tree);
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             var in = new java.io.PrintWriter(p.getOutputStream(), true, StandardCharsets.UTF_8)) {
            assertThat(out.readLine()).isEqualTo("READY INOTIFY");
            assertThat(step(in, out)).isEmpty();
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("---------"));
            Files.createDirectories(d.resolve("new"));
            Files.writeString(d.resolve("new/h"), "h");
            List<String> denied = step(in, out);
            assertThat(denied).filteredOn(l -> l.startsWith("EVENT CREATE")).containsExactly("EVENT CREATE,ISDIR d/new");
            assertThat(denied).filteredOn(l -> l.startsWith("ERROR")).singleElement().asString()
                    .startsWith("ERROR AccessDeniedException " + d.resolve("new"));
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
            assertThat(step(in, out)).filteredOn(l -> !l.startsWith("EVENT ATTRIB"))
                    .containsExactly("EVENT CREATE d/new/h");
            Files.writeString(d.resolve("new/late"), "l");
            assertThat(step(in, out)).filteredOn(l -> l.startsWith("EVENT CREATE")).containsExactly("EVENT CREATE d/new/late");
            in.println("exit");
        } finally {
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(p.exitValue()).isZero();
    }

    /** Starts {@link UnreadableProbe} as {@code nobody} on {@code tree}, from copies of the classes it can read. */
    private Process startProbe(String backend, Path tree) throws java.io.IOException {
        Path classes = copyTree(Path.of("target/classes"), dir.resolve("cp/main"));
        Path testClasses = dir.resolve("cp/test/" + UnreadableProbe.class.getPackageName().replace('.', '/'));
        Files.createDirectories(testClasses);
        Files.copy(Path.of("target/test-classes/" + UnreadableProbe.class.getName().replace('.', '/') + ".class"),
                testClasses.resolve(UnreadableProbe.class.getSimpleName() + ".class"));
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup",
                "--clear-groups", io.github.fsmon.testing.ChildJvm.java(), "--enable-native-access=ALL-UNNAMED",
                "-cp", classes + ":" + dir.resolve("cp/test"), UnreadableProbe.class.getName(), backend, tree.toString()));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** Asks the probe for a barrier; what it delivered since the last one. */
    private static List<String> step(java.io.PrintWriter in, java.io.BufferedReader out) throws java.io.IOException {
        in.println("sync");
        List<String> lines = new ArrayList<>();
        for (String l = out.readLine(); !"SYNCED".equals(l); l = out.readLine()) {
            assertThat(l).as("the probe ended: " + lines).isNotNull();
            lines.add(l);
        }
        return lines;
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
