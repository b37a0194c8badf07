package io.github.fsmon.internal.poll;

import io.github.fsmon.internal.spi.ExactNames;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Attributes through {@code java.nio.file}, on any OS. The typed {@link BasicFileAttributes} read as fast
 * as a plain tree walk, but have no ctime; the name-based {@code unix:} view has it and costs about a
 * third more per entry, so it is used only when the ctime is asked for. The birth time is the JDK's
 * {@code creationTime} ({@link PollingBackend.Stat#birth} says what that is where the file system keeps none).
 */
public final class JdkStatReader implements StatReader {
    private static final LinkOption[] FOLLOW = {};
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    @Override
    public PollingBackend.Stat stat(Path p, boolean follow, boolean ctime) throws AccessDeniedException {
        LinkOption[] opts = follow ? FOLLOW : NOFOLLOW;
        if (!ctime) {
            return basic(p, opts);
        }
        try {
            Map<String, Object> a = Files.readAttributes(p,
                    "unix:isDirectory,size,lastModifiedTime,creationTime,ctime,fileKey", opts);
            FileTime mtime = (FileTime) a.get("lastModifiedTime");
            return new PollingBackend.Stat((Boolean) a.get("isDirectory"), (Long) a.get("size"),
                    nanos(mtime), nanos(a.get("ctime")), PollingBackend.Stat.birth((FileTime) a.get("creationTime")),
                    a.get("fileKey"), PollingBackend.Stat.NO_CONTENT);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return basic(p, opts); // no unix: view here (Windows): no ctime either
        } catch (AccessDeniedException e) {
            throw e;
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public Map<String, PollingBackend.Stat> list(Path dir, boolean ctime) throws AccessDeniedException {
        Map<String, PollingBackend.Stat> out = new HashMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                PollingBackend.Stat s;
                try {
                    s = stat(p, false, ctime);
                } catch (AccessDeniedException e) {
                    throw new AccessDeniedException(dir.toString()); // listed, but its entries may not be looked at
                }
                if (s != null) { // gone between the listing and the stat: the next scan sees it, or not
                    out.put(ExactNames.key(p), s);
                }
            }
        } catch (AccessDeniedException e) {
            throw e;
        } catch (DirectoryIteratorException e) {
            if (e.getCause() instanceof AccessDeniedException denied) {
                throw denied;
            }
            // gone while listed: what was read so far; the directory's own stat tells the rest
        } catch (IOException e) {
            // gone: an empty listing; the directory's own stat tells the rest
        }
        return out;
    }

    private static PollingBackend.Stat basic(Path p, LinkOption... opts) throws AccessDeniedException {
        try {
            BasicFileAttributes b = Files.readAttributes(p, BasicFileAttributes.class, opts);
            return new PollingBackend.Stat(b.isDirectory(), b.size(), b.lastModifiedTime().to(TimeUnit.NANOSECONDS),
                    PollingBackend.Stat.NO_CTIME, PollingBackend.Stat.birth(b.creationTime()),
                    b.fileKey(), PollingBackend.Stat.NO_CONTENT);
        } catch (AccessDeniedException e) {
            throw e;
        } catch (IOException e) {
            return null;
        }
    }

    private static long nanos(Object fileTime) {
        return ((FileTime) fileTime).to(TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
    }
}
