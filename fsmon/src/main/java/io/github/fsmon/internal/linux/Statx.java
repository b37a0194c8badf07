package io.github.fsmon.internal.linux;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The buffer {@code statx(2)} fills, and typed reads from it. Unlike {@code struct stat}, its layout is
 * the same on every Linux architecture, so one layout serves x86_64 and aarch64.
 *
 * <pre>{@code
 * // <linux/stat.h>
 * struct statx_timestamp { __s64 tv_sec; __u32 tv_nsec; __s32 __reserved; };
 * struct statx {
 *     __u32 stx_mask;            __u32 stx_blksize;
 *     __u64 stx_attributes;
 *     __u32 stx_nlink;           __u32 stx_uid;
 *     __u32 stx_gid;             __u16 stx_mode;     __u16 __spare0[1];
 *     __u64 stx_ino;             __u64 stx_size;     __u64 stx_blocks;   __u64 stx_attributes_mask;
 *     struct statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
 *     __u32 stx_rdev_major;      __u32 stx_rdev_minor;
 *     __u32 stx_dev_major;       __u32 stx_dev_minor;
 *     __u64 stx_mnt_id;
 *     __u32 stx_dio_mem_align;   __u32 stx_dio_offset_align;
 *     __u64 __spare3[12];
 * };
 * }</pre>
 */
public final class Statx {
    private Statx() {
    }

    public static final StructLayout TIMESTAMP = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"),
            JAVA_INT.withName("tv_nsec"),
            JAVA_INT.withName("__reserved")).withName("statx_timestamp");

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("stx_mask"),
            JAVA_INT.withName("stx_blksize"),
            JAVA_LONG.withName("stx_attributes"),
            JAVA_INT.withName("stx_nlink"),
            JAVA_INT.withName("stx_uid"),
            JAVA_INT.withName("stx_gid"),
            JAVA_SHORT.withName("stx_mode"),
            MemoryLayout.paddingLayout(2),
            JAVA_LONG.withName("stx_ino"),
            JAVA_LONG.withName("stx_size"),
            JAVA_LONG.withName("stx_blocks"),
            JAVA_LONG.withName("stx_attributes_mask"),
            TIMESTAMP.withName("stx_atime"),
            TIMESTAMP.withName("stx_btime"),
            TIMESTAMP.withName("stx_ctime"),
            TIMESTAMP.withName("stx_mtime"),
            JAVA_INT.withName("stx_rdev_major"),
            JAVA_INT.withName("stx_rdev_minor"),
            JAVA_INT.withName("stx_dev_major"),
            JAVA_INT.withName("stx_dev_minor"),
            JAVA_LONG.withName("stx_mnt_id"),
            JAVA_INT.withName("stx_dio_mem_align"),
            JAVA_INT.withName("stx_dio_offset_align"),
            MemoryLayout.sequenceLayout(12, JAVA_LONG).withName("__spare3")).withName("statx");

    /** {@code <linux/stat.h>}: ask for the birth time; set in {@code stx_mask} when the file system has one. */
    static final int STATX_BTIME = 0x800;

    static final long MASK = LAYOUT.byteOffset(groupElement("stx_mask"));
    static final long MODE = LAYOUT.byteOffset(groupElement("stx_mode"));
    static final long INO = LAYOUT.byteOffset(groupElement("stx_ino"));
    static final long SIZE = LAYOUT.byteOffset(groupElement("stx_size"));
    static final long BTIME = LAYOUT.byteOffset(groupElement("stx_btime"));
    static final long CTIME = LAYOUT.byteOffset(groupElement("stx_ctime"));
    static final long MTIME = LAYOUT.byteOffset(groupElement("stx_mtime"));
    static final long DEV_MAJOR = LAYOUT.byteOffset(groupElement("stx_dev_major"));
    static final long DEV_MINOR = LAYOUT.byteOffset(groupElement("stx_dev_minor"));
    private static final long NSEC = TIMESTAMP.byteOffset(groupElement("tv_nsec"));

    // <sys/stat.h>
    static final int S_IFMT = 0xF000;
    static final int S_IFDIR = 0x4000;
    static final int S_IFREG = 0x8000;

    static int fileType(MemorySegment buf) {
        return buf.get(JAVA_SHORT, MODE) & S_IFMT;
    }

    static long ino(MemorySegment buf) {
        return buf.get(JAVA_LONG, INO);
    }

    static long size(MemorySegment buf) {
        return buf.get(JAVA_LONG, SIZE);
    }

    /**
     * The birth time, or {@code none} when the file system keeps none (the kernel leaves
     * {@link #STATX_BTIME} out of {@code stx_mask}).
     */
    static long btimeNanos(MemorySegment buf, long none) {
        return (buf.get(JAVA_INT, MASK) & STATX_BTIME) != 0 ? nanos(buf, BTIME) : none;
    }

    static long ctimeNanos(MemorySegment buf) {
        return nanos(buf, CTIME);
    }

    static long mtimeNanos(MemorySegment buf) {
        return nanos(buf, MTIME);
    }

    /**
     * The device as {@code st_dev} holds it, which is what the JDK's {@code unix:dev} attribute reports:
     * glibc's {@code makedev(major, minor)} ({@code <sys/sysmacros.h>}).
     */
    static long dev(MemorySegment buf) {
        return makedev(Integer.toUnsignedLong(buf.get(JAVA_INT, DEV_MAJOR)),
                Integer.toUnsignedLong(buf.get(JAVA_INT, DEV_MINOR)));
    }

    static long makedev(long major, long minor) {
        return ((major & 0x0000_0fffL) << 8) | ((major & 0xffff_f000L) << 32)
                | (minor & 0x0000_00ffL) | ((minor & 0xffff_ff00L) << 12);
    }

    private static long nanos(MemorySegment buf, long at) {
        return buf.get(JAVA_LONG, at) * 1_000_000_000L + Integer.toUnsignedLong(buf.get(JAVA_INT, at + NSEC));
    }
}
