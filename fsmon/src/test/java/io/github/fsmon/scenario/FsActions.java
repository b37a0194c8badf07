package io.github.fsmon.scenario;

import io.github.fsmon.internal.spi.ExactNames;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Runs the file-system commands of a script with {@code java.nio.file}, never through a shell, so the
 * same scripts mean the same thing on every OS. Each command is one plain system call where possible
 * (a rename is one {@code rename}), so the events it causes are predictable.
 */
final class FsActions {

    /** The file-system commands; the javadoc of each says what it does and which arguments it takes. */
    enum Op {
        /** {@code mkdir P}: one directory; the parent must exist. */
        MKDIR,
        /** {@code mkdir -p P}: the directory and any missing parents, outermost first. */
        MKDIRS,
        /** {@code touch P}: an existing entry gets a new modification time; otherwise an empty file is created. */
        TOUCH,
        /** {@code touch -d @SECONDS P}: like touch, with that exact modification time. Args: P, SECONDS. */
        TOUCH_AT,
        /** {@code echo TEXT > P}: creates or truncates, then writes TEXT and a newline, in one open. Args: P, TEXT. */
        WRITE,
        /** {@code echo TEXT >> P}: appends TEXT and a newline (creating P if missing). Args: P, TEXT. */
        APPEND,
        /** {@code mv A B}: one atomic rename; replaces B like {@code rename(2)}. */
        MOVE,
        /** {@code rm P}: deletes a file or a symbolic link. */
        REMOVE,
        /** {@code rm -r P}: deletes a tree, children before their directory; does not follow links. */
        REMOVE_TREE,
        /** {@code rmdir P}: deletes an empty directory. */
        RMDIR,
        /** {@code chmod MODE P}: sets the POSIX permissions from an octal mode such as 644. Args: MODE, P. */
        CHMOD,
        /** {@code ln -s TARGET LINK}: a symbolic link whose target is TARGET as written. Args: TARGET, LINK. */
        SYMLINK,
        /** {@code ln TARGET LINK}: a hard link. Args: TARGET, LINK. */
        HARDLINK,
        /** {@code cp A B}: copies one file. */
        COPY,
        /** {@code cp -r A B}: copies a tree, each directory before its entries. */
        COPY_TREE,
        /** {@code ls P}: lists a directory (opens it, reads all its entries, closes it), as a user's read. */
        LIST
    }

    private final Path sandbox;

    FsActions(Path sandbox) {
        this.sandbox = sandbox;
    }

    /**
     * The sandbox path for a script path such as {@code a/b} or {@code .}, resolved name by name, each
     * name with the exact bytes it stands for (see {@link Words}).
     */
    Path resolve(String scriptPath) {
        Path p = sandbox;
        for (String name : scriptPath.split("/")) {
            if (!name.isEmpty() && !name.equals(".")) {
                p = ExactNames.child(p, name);
            }
        }
        return p;
    }

    /** Runs one command. */
    void run(Op op, List<String> args) throws IOException {
        switch (op) {
            case MKDIR -> Files.createDirectory(resolve(args.get(0)));
            case MKDIRS -> Files.createDirectories(resolve(args.get(0)));
            case TOUCH -> touch(resolve(args.get(0)));
            case TOUCH_AT -> {
                Path p = resolve(args.get(0));
                if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createFile(p);
                }
                Files.setLastModifiedTime(p, FileTime.from(Instant.ofEpochSecond(Long.parseLong(args.get(1)))));
            }
            case WRITE -> Files.writeString(resolve(args.get(0)), args.get(1) + "\n", StandardCharsets.UTF_8);
            case APPEND -> Files.writeString(resolve(args.get(0)), args.get(1) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            case MOVE -> Files.move(resolve(args.get(0)), resolve(args.get(1)), StandardCopyOption.ATOMIC_MOVE);
            case REMOVE -> {
                Path p = resolve(args.get(0));
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IOException("rm: " + args.get(0) + " is a directory (use rm -r or rmdir)");
                }
                Files.delete(p);
            }
            case REMOVE_TREE -> deleteTree(resolve(args.get(0)));
            case RMDIR -> {
                Path p = resolve(args.get(0));
                if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IOException("rmdir: " + args.get(0) + " is not a directory");
                }
                Files.delete(p);
            }
            case CHMOD -> chmod(resolve(args.get(1)), args.get(0));
            case LIST -> {
                try (java.util.stream.Stream<Path> entries = Files.list(resolve(args.get(0)))) {
                    entries.forEach(e -> { });
                }
            }
            case SYMLINK -> Files.createSymbolicLink(resolve(args.get(1)), Path.of(args.get(0)));
            case HARDLINK -> Files.createLink(resolve(args.get(1)), resolve(args.get(0)));
            case COPY -> Files.copy(resolve(args.get(0)), resolve(args.get(1)), LinkOption.NOFOLLOW_LINKS);
            case COPY_TREE -> copyTree(resolve(args.get(0)), resolve(args.get(1)));
        }
    }

    private static void touch(Path p) throws IOException {
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            Files.setLastModifiedTime(p, FileTime.from(Instant.now()));
        } else {
            Files.createFile(p);
        }
    }

    /** Parses an octal mode (three digits, such as {@code 640}); the parser calls it to reject bad modes early. */
    static Set<PosixFilePermission> permissions(String mode) {
        if (!mode.matches("[0-7]{3}")) {
            throw new IllegalArgumentException("mode must be three octal digits, such as 644: " + mode);
        }
        PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ ... OTHERS_EXECUTE, high bit first
        int value = Integer.parseInt(mode, 8);
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < 9; i++) {
            if ((value & (1 << (8 - i))) != 0) {
                set.add(bits[i]);
            }
        }
        return set;
    }

    private static void chmod(Path p, String mode) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
        if (view == null) {
            throw new UnsupportedOperationException("chmod needs a POSIX file system");
        }
        view.setPermissions(permissions(mode));
    }

    /** Deletes a tree bottom-up without following links; also used to clean the sandbox up. */
    static void deleteTree(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException error) throws IOException {
                if (error != null) {
                    throw error;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Copies a tree in name order (not the directory's own order), so a script's copy is reproducible. */
    private static void copyTree(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)) {
            Files.copy(from, to, LinkOption.NOFOLLOW_LINKS);
            return;
        }
        Files.createDirectory(to);
        List<Path> children;
        try (Stream<Path> list = Files.list(from)) {
            children = list.sorted().toList();
        }
        for (Path child : children) {
            copyTree(child, to.resolve(child.getFileName().toString()));
        }
    }
}
