/*
 * A stand-in for kernel32, built for Linux, so that fsmon's real FFM bindings to kernel32
 * (io.github.fsmon.internal.windows.Kernel32) can be exercised without Windows.
 *
 * It exports the functions the Windows backend calls, with the Win32 x64 parameter types (DWORD is 32
 * bits, WCHAR 16, HANDLE a pointer, ULONG_PTR 64). On Linux x86-64 they are called with the System V
 * convention rather than the Microsoft x64 one; the Java descriptors are the same for both. The error a
 * failing call leaves is stored in errno (which the Linux linker can capture) instead of the thread's
 * Win32 last-error value.
 *
 * Directory handles stand for real directories (stat gives the volume serial and file index). Nothing
 * watches the file system: the tests decide what changed through the fake_* hooks, which write records
 * into the buffer of the pending ReadDirectoryChanges(Ex)W and post its completion to the port, writing
 * the final status into the caller's OVERLAPPED exactly as the kernel does. A caller that frees a buffer
 * or OVERLAPPED too early is caught there: by AddressSanitizer when this library is built with it, and
 * otherwise by the tests' own checks (the fake's objects are poisoned on free, and counted).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

typedef uint32_t DWORD;
typedef uint32_t ULONG;
typedef int32_t BOOL;
typedef uint16_t WCHAR;
typedef void *HANDLE;
typedef uint64_t ULONG_PTR;
typedef int64_t LARGE_INTEGER;

typedef struct {
    ULONG_PTR Internal;
    ULONG_PTR InternalHigh;
    union {
        struct {
            DWORD Offset;
            DWORD OffsetHigh;
        } s;
        void *Pointer;
    } u;
    HANDLE hEvent;
} OVERLAPPED;

typedef struct {
    ULONG_PTR lpCompletionKey;
    OVERLAPPED *lpOverlapped;
    ULONG_PTR Internal;
    DWORD dwNumberOfBytesTransferred;
} OVERLAPPED_ENTRY;

typedef struct {
    DWORD dwLowDateTime;
    DWORD dwHighDateTime;
} FILETIME;

typedef struct {
    DWORD dwFileAttributes;
    FILETIME ftCreationTime;
    FILETIME ftLastAccessTime;
    FILETIME ftLastWriteTime;
    DWORD dwVolumeSerialNumber;
    DWORD nFileSizeHigh;
    DWORD nFileSizeLow;
    DWORD nNumberOfLinks;
    DWORD nFileIndexHigh;
    DWORD nFileIndexLow;
} BY_HANDLE_FILE_INFORMATION;

_Static_assert(sizeof(OVERLAPPED) == 32, "OVERLAPPED");
_Static_assert(offsetof(OVERLAPPED, hEvent) == 24, "hEvent");
_Static_assert(sizeof(OVERLAPPED_ENTRY) == 32, "OVERLAPPED_ENTRY");
_Static_assert(sizeof(BY_HANDLE_FILE_INFORMATION) == 52, "BY_HANDLE_FILE_INFORMATION");

#define INVALID_HANDLE_VALUE ((HANDLE)(intptr_t)-1)
#define INFINITE 0xFFFFFFFFu
#define ERROR_INVALID_FUNCTION 1u
#define ERROR_FILE_NOT_FOUND 2u
#define ERROR_PATH_NOT_FOUND 3u
#define ERROR_ACCESS_DENIED 5u
#define ERROR_INVALID_HANDLE 6u
#define ERROR_NOT_ENOUGH_MEMORY 8u
#define ERROR_INVALID_PARAMETER 87u
#define ERROR_FILENAME_EXCED_RANGE 206u
#define WAIT_TIMEOUT 258u
#define ERROR_NOT_FOUND 1168u
#define STATUS_SUCCESS 0x0u
#define STATUS_PENDING 0x103u
#define STATUS_NOTIFY_CLEANUP 0x10Bu
#define STATUS_NOTIFY_ENUM_DIR 0x10Cu
#define STATUS_CANCELLED 0xC0000120u
#define FILE_FLAG_BACKUP_SEMANTICS 0x02000000u
#define FILE_FLAG_OPEN_REPARSE_POINT 0x00200000u
#define FILE_ATTRIBUTE_DIRECTORY 0x10u
#define FILE_ATTRIBUTE_NORMAL 0x80u
#define READ_DIRECTORY_NOTIFY_EXTENDED_INFORMATION 2

#define MAGIC_DIR 0x46414b44u
#define MAGIC_PORT 0x46414b50u
#define POISON 0xdd

struct packet {
    ULONG_PTR key;
    OVERLAPPED *ov;
    DWORD bytes;
    struct packet *next;
};

struct port {
    uint32_t magic;
    struct packet *head, *tail;
    pthread_cond_t cond;
};

struct record {
    DWORD action;
    DWORD attributes;
    uint32_t chars;
    struct record *next;
    WCHAR name[];
};

struct dir {
    uint32_t magic;
    char *path;
    int fd; /* O_PATH: follows the directory through renames, as a Windows handle does */
    struct stat st;
    struct port *port;
    ULONG_PTR key;
    int pending;
    void *buffer;
    DWORD length;
    OVERLAPPED *ov;
    int subtree;
    int extended;
    struct record *staged, *staged_tail;
};

struct object {
    void *p;
    struct object *next;
};

struct deferred {
    struct port *port;
    ULONG_PTR key;
    OVERLAPPED *ov;
    struct deferred *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct object *live; /* every open handle: validated by membership, never by dereference */
static long allocations;   /* outstanding allocations of this library */
static struct deferred *deferred;
static DWORD max_buffer;
static int extended_supported = 1;
static int defer_cancel;
static DWORD last_access, last_share, last_flags, last_disposition;
#define MAX_NAMES 16
static char short_names[MAX_NAMES][4096];
static char long_names[MAX_NAMES][4096];
static int names;

static void *alloc(size_t n) {
    void *p = calloc(1, n);
    if (p) {
        allocations++;
    }
    return p;
}

static void release(void *p, size_t n) {
    if (p) {
        memset(p, POISON, n); /* a later read through a stale pointer sees garbage, not plausible data */
        free(p);
        allocations--;
    }
}

static int is_live(void *p) {
    for (struct object *o = live; o; o = o->next) {
        if (o->p == p) {
            return 1;
        }
    }
    return 0;
}

static void add_live(void *p) {
    struct object *o = alloc(sizeof *o);
    o->p = p;
    o->next = live;
    live = o;
}

static void remove_live(void *p) {
    for (struct object **o = &live; *o; o = &(*o)->next) {
        if ((*o)->p == p) {
            struct object *gone = *o;
            *o = gone->next;
            release(gone, sizeof *gone);
            return;
        }
    }
}

static struct dir *as_dir(HANDLE h) {
    if (h == NULL || h == INVALID_HANDLE_VALUE || !is_live(h)) {
        return NULL;
    }
    struct dir *d = h;
    return d->magic == MAGIC_DIR ? d : NULL;
}

static struct port *as_port(HANDLE h) {
    if (h == NULL || h == INVALID_HANDLE_VALUE || !is_live(h)) {
        return NULL;
    }
    struct port *p = h;
    return p->magic == MAGIC_PORT ? p : NULL;
}

/* Sets the "last error" as the very last thing before returning, so nothing can overwrite it. */
#define FAIL(err, value)                                                                                   \
    do {                                                                                                   \
        pthread_mutex_unlock(&lock);                                                                       \
        errno = (int)(err);                                                                                \
        return value;                                                                                      \
    } while (0)

static size_t utf16_to_utf8(const WCHAR *in, size_t chars, char *out, size_t cap) {
    size_t o = 0;
    for (size_t i = 0; i < chars; i++) {
        uint32_t c = in[i];
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < chars && in[i + 1] >= 0xDC00 && in[i + 1] <= 0xDFFF) {
            c = 0x10000 + ((c - 0xD800) << 10) + (in[i + 1] - 0xDC00);
            i++;
        }
        char buf[4];
        size_t n;
        if (c < 0x80) {
            buf[0] = (char)c;
            n = 1;
        } else if (c < 0x800) {
            buf[0] = (char)(0xC0 | (c >> 6));
            buf[1] = (char)(0x80 | (c & 0x3F));
            n = 2;
        } else if (c < 0x10000) {
            buf[0] = (char)(0xE0 | (c >> 12));
            buf[1] = (char)(0x80 | ((c >> 6) & 0x3F));
            buf[2] = (char)(0x80 | (c & 0x3F));
            n = 3;
        } else {
            buf[0] = (char)(0xF0 | (c >> 18));
            buf[1] = (char)(0x80 | ((c >> 12) & 0x3F));
            buf[2] = (char)(0x80 | ((c >> 6) & 0x3F));
            buf[3] = (char)(0x80 | (c & 0x3F));
            n = 4;
        }
        if (o + n + 1 > cap) {
            return (size_t)-1;
        }
        memcpy(out + o, buf, n);
        o += n;
    }
    out[o] = 0;
    return o;
}

static size_t wide_length(const WCHAR *s) {
    size_t n = 0;
    while (s[n]) {
        n++;
    }
    return n;
}

static size_t utf8_to_utf16(const char *in, WCHAR *out, size_t cap) {
    size_t o = 0;
    const unsigned char *s = (const unsigned char *)in;
    while (*s) {
        uint32_t c;
        if (*s < 0x80) {
            c = *s++;
        } else if ((*s & 0xE0) == 0xC0) {
            c = (uint32_t)(*s++ & 0x1F) << 6;
            c |= *s++ & 0x3F;
        } else if ((*s & 0xF0) == 0xE0) {
            c = (uint32_t)(*s++ & 0x0F) << 12;
            c |= (uint32_t)(*s++ & 0x3F) << 6;
            c |= *s++ & 0x3F;
        } else {
            c = (uint32_t)(*s++ & 0x07) << 18;
            c |= (uint32_t)(*s++ & 0x3F) << 12;
            c |= (uint32_t)(*s++ & 0x3F) << 6;
            c |= *s++ & 0x3F;
        }
        if (c >= 0x10000) {
            if (o + 2 >= cap) {
                return (size_t)-1;
            }
            c -= 0x10000;
            out[o++] = (WCHAR)(0xD800 + (c >> 10));
            out[o++] = (WCHAR)(0xDC00 + (c & 0x3FF));
        } else {
            if (o + 1 >= cap) {
                return (size_t)-1;
            }
            out[o++] = (WCHAR)c;
        }
    }
    out[o] = 0;
    return o;
}

static void enqueue(struct port *p, ULONG_PTR key, OVERLAPPED *ov, DWORD bytes) {
    struct packet *k = alloc(sizeof *k);
    k->key = key;
    k->ov = ov;
    k->bytes = bytes;
    if (p->tail) {
        p->tail->next = k;
    } else {
        p->head = k;
    }
    p->tail = k;
    pthread_cond_signal(&p->cond);
}

/* Ends the pending read: status and byte count into the caller's OVERLAPPED, a packet to the port. */
static void complete(struct dir *d, DWORD status, DWORD bytes) {
    d->ov->Internal = status;
    d->ov->InternalHigh = bytes;
    d->pending = 0;
    if (d->port) {
        enqueue(d->port, d->key, d->ov, bytes);
    }
}

static size_t header_size(int extended) {
    return extended ? 84 : 12;
}

/* Writes the staged records into the pending buffer (or reports an overflow) and completes the read. */
static void deliver(struct dir *d) {
    size_t align = d->extended ? 8 : 4, total = 0, head = header_size(d->extended);
    for (struct record *r = d->staged; r; r = r->next) {
        size_t size = head + 2u * r->chars;
        total += r->next ? (size + align - 1) / align * align : size;
    }
    if (total > d->length) {
        complete(d, STATUS_NOTIFY_ENUM_DIR, 0);
    } else {
        unsigned char *b = d->buffer;
        size_t at = 0;
        for (struct record *r = d->staged; r; r = r->next) {
            size_t size = head + 2u * r->chars;
            size_t next = r->next ? (size + align - 1) / align * align : 0;
            memset(b + at, 0, next ? next : size);
            DWORD v = (DWORD)next;
            memcpy(b + at, &v, 4);
            memcpy(b + at + 4, &r->action, 4);
            DWORD name_bytes = 2u * r->chars;
            if (d->extended) {
                memcpy(b + at + 56, &r->attributes, 4);
                memcpy(b + at + 80, &name_bytes, 4);
            } else {
                memcpy(b + at + 8, &name_bytes, 4);
            }
            memcpy(b + at + head, r->name, name_bytes);
            at += next;
        }
        complete(d, STATUS_SUCCESS, (DWORD)total);
    }
    while (d->staged) {
        struct record *r = d->staged;
        d->staged = r->next;
        release(r, sizeof *r + 2u * r->chars);
    }
    d->staged_tail = NULL;
}

HANDLE CreateFileW(const WCHAR *name, DWORD access, DWORD share, void *security, DWORD disposition, DWORD flags,
                   HANDLE template_file) {
    (void)security;
    (void)template_file;
    pthread_mutex_lock(&lock);
    last_access = access;
    last_share = share;
    last_flags = flags;
    last_disposition = disposition;
    char path[8192];
    if (utf16_to_utf8(name, wide_length(name), path, sizeof path) == (size_t)-1) {
        FAIL(ERROR_FILENAME_EXCED_RANGE, INVALID_HANDLE_VALUE);
    }
    struct stat st;
    int rc = (flags & FILE_FLAG_OPEN_REPARSE_POINT) ? lstat(path, &st) : stat(path, &st);
    if (rc != 0) {
        int e = errno;
        FAIL(e == ENOENT ? ERROR_FILE_NOT_FOUND : e == ENOTDIR ? ERROR_PATH_NOT_FOUND
             : e == EACCES ? ERROR_ACCESS_DENIED : e == ENAMETOOLONG ? ERROR_FILENAME_EXCED_RANGE
             : ERROR_INVALID_PARAMETER, INVALID_HANDLE_VALUE);
    }
    if (S_ISDIR(st.st_mode) && !(flags & FILE_FLAG_BACKUP_SEMANTICS)) {
        FAIL(ERROR_ACCESS_DENIED, INVALID_HANDLE_VALUE); /* as Windows: directories need backup semantics */
    }
    int fd = open(path, O_PATH | O_CLOEXEC | ((flags & FILE_FLAG_OPEN_REPARSE_POINT) ? O_NOFOLLOW : 0));
    if (fd < 0) {
        FAIL(ERROR_ACCESS_DENIED, INVALID_HANDLE_VALUE);
    }
    struct dir *d = alloc(sizeof *d);
    d->magic = MAGIC_DIR;
    d->fd = fd;
    d->path = strdup(path);
    allocations++;
    d->st = st;
    add_live(d);
    pthread_mutex_unlock(&lock);
    return d;
}

BOOL GetFileInformationByHandle(HANDLE h, BY_HANDLE_FILE_INFORMATION *info) {
    pthread_mutex_lock(&lock);
    struct dir *d = as_dir(h);
    if (!d) {
        FAIL(ERROR_INVALID_HANDLE, 0);
    }
    memset(info, 0, sizeof *info);
    info->dwFileAttributes = S_ISDIR(d->st.st_mode) ? FILE_ATTRIBUTE_DIRECTORY : FILE_ATTRIBUTE_NORMAL;
    info->dwVolumeSerialNumber = (DWORD)d->st.st_dev;
    info->nFileIndexHigh = (DWORD)((uint64_t)d->st.st_ino >> 32);
    info->nFileIndexLow = (DWORD)d->st.st_ino;
    info->nNumberOfLinks = (DWORD)d->st.st_nlink;
    pthread_mutex_unlock(&lock);
    return 1;
}

HANDLE CreateIoCompletionPort(HANDLE file, HANDLE existing, ULONG_PTR key, DWORD threads) {
    (void)threads;
    pthread_mutex_lock(&lock);
    if (file == INVALID_HANDLE_VALUE) {
        if (existing != NULL) {
            FAIL(ERROR_INVALID_PARAMETER, NULL);
        }
        struct port *p = alloc(sizeof *p);
        p->magic = MAGIC_PORT;
        pthread_condattr_t attr;
        pthread_condattr_init(&attr);
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
        pthread_cond_init(&p->cond, &attr);
        pthread_condattr_destroy(&attr);
        add_live(p);
        pthread_mutex_unlock(&lock);
        return p;
    }
    struct dir *d = as_dir(file);
    struct port *p = as_port(existing);
    if (!d || !p) {
        FAIL(ERROR_INVALID_HANDLE, NULL);
    }
    d->port = p;
    d->key = key;
    pthread_mutex_unlock(&lock);
    return p;
}

static BOOL read_changes(HANDLE h, void *buffer, DWORD length, BOOL subtree, DWORD filter, DWORD *returned,
                         OVERLAPPED *ov, void *routine, int extended) {
    (void)filter;
    (void)returned;
    pthread_mutex_lock(&lock);
    struct dir *d = as_dir(h);
    if (!d) {
        FAIL(ERROR_INVALID_HANDLE, 0);
    }
    if (!S_ISDIR(d->st.st_mode)) {
        FAIL(ERROR_INVALID_PARAMETER, 0);
    }
    if (extended && !extended_supported) {
        FAIL(ERROR_INVALID_FUNCTION, 0);
    }
    if (ov == NULL || routine != NULL || buffer == NULL || ((uintptr_t)buffer & 3) != 0 || d->pending
        || (max_buffer && length > max_buffer)) {
        FAIL(ERROR_INVALID_PARAMETER, 0);
    }
    ov->Internal = STATUS_PENDING;
    d->pending = 1;
    d->buffer = buffer;
    d->length = length;
    d->ov = ov;
    d->subtree = subtree != 0;
    d->extended = extended;
    if (d->staged) {
        deliver(d); /* changes kept since the last read complete the new one at once */
    }
    pthread_mutex_unlock(&lock);
    return 1;
}

BOOL ReadDirectoryChangesW(HANDLE h, void *buffer, DWORD length, BOOL subtree, DWORD filter, DWORD *returned,
                           OVERLAPPED *ov, void *routine) {
    return read_changes(h, buffer, length, subtree, filter, returned, ov, routine, 0);
}

#ifndef FAKE_WITHOUT_EX /* built a second time without it: kernel32 before Windows 10 1709 */
BOOL ReadDirectoryChangesExW(HANDLE h, void *buffer, DWORD length, BOOL subtree, DWORD filter, DWORD *returned,
                             OVERLAPPED *ov, void *routine, int information_class) {
    return read_changes(h, buffer, length, subtree, filter, returned, ov, routine,
                        information_class == READ_DIRECTORY_NOTIFY_EXTENDED_INFORMATION);
}
#endif

BOOL CancelIoEx(HANDLE h, OVERLAPPED *ov) {
    pthread_mutex_lock(&lock);
    struct dir *d = as_dir(h);
    if (!d) {
        FAIL(ERROR_INVALID_HANDLE, 0);
    }
    if (!d->pending || (ov != NULL && ov != d->ov)) {
        FAIL(ERROR_NOT_FOUND, 0);
    }
    if (defer_cancel) {
        struct deferred *c = alloc(sizeof *c);
        c->port = d->port;
        c->key = d->key;
        c->ov = d->ov;
        c->next = deferred;
        deferred = c;
        d->pending = 0;
    } else {
        complete(d, STATUS_CANCELLED, 0);
    }
    pthread_mutex_unlock(&lock);
    return 1;
}

BOOL CloseHandle(HANDLE h) {
    pthread_mutex_lock(&lock);
    struct dir *d = as_dir(h);
    if (d) {
        if (d->pending) {
            complete(d, STATUS_NOTIFY_CLEANUP, 0);
        }
        while (d->staged) {
            struct record *r = d->staged;
            d->staged = r->next;
            release(r, sizeof *r + 2u * r->chars);
        }
        remove_live(d);
        close(d->fd);
        release(d->path, strlen(d->path) + 1);
        release(d, sizeof *d);
        pthread_mutex_unlock(&lock);
        return 1;
    }
    struct port *p = as_port(h);
    if (p) {
        while (p->head) {
            struct packet *k = p->head;
            p->head = k->next;
            release(k, sizeof *k);
        }
        pthread_cond_destroy(&p->cond);
        remove_live(p);
        release(p, sizeof *p);
        pthread_mutex_unlock(&lock);
        return 1;
    }
    FAIL(ERROR_INVALID_HANDLE, 0);
}

BOOL PostQueuedCompletionStatus(HANDLE port, DWORD bytes, ULONG_PTR key, OVERLAPPED *ov) {
    pthread_mutex_lock(&lock);
    struct port *p = as_port(port);
    if (!p) {
        FAIL(ERROR_INVALID_HANDLE, 0);
    }
    enqueue(p, key, ov, bytes);
    pthread_mutex_unlock(&lock);
    return 1;
}

BOOL GetQueuedCompletionStatusEx(HANDLE port, OVERLAPPED_ENTRY *entries, ULONG count, ULONG *removed,
                                 DWORD millis, BOOL alertable) {
    (void)alertable;
    pthread_mutex_lock(&lock);
    struct port *p = as_port(port);
    if (!p || count == 0) {
        FAIL(p ? ERROR_INVALID_PARAMETER : ERROR_INVALID_HANDLE, 0);
    }
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += millis / 1000;
    deadline.tv_nsec += (long)(millis % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    while (!p->head) {
        if (millis == INFINITE) {
            pthread_cond_wait(&p->cond, &lock);
        } else if (millis == 0 || pthread_cond_timedwait(&p->cond, &lock, &deadline) == ETIMEDOUT) {
            if (!p->head) {
                *removed = 0;
                FAIL(WAIT_TIMEOUT, 0);
            }
        }
    }
    ULONG n = 0;
    while (p->head && n < count) {
        struct packet *k = p->head;
        p->head = k->next;
        if (!p->head) {
            p->tail = NULL;
        }
        entries[n].lpCompletionKey = k->key;
        entries[n].lpOverlapped = k->ov;
        entries[n].Internal = 0;
        entries[n].dwNumberOfBytesTransferred = k->bytes;
        release(k, sizeof *k);
        n++;
    }
    *removed = n;
    pthread_mutex_unlock(&lock);
    return 1;
}

DWORD GetLongPathNameW(const WCHAR *short_path, WCHAR *long_path, DWORD chars) {
    pthread_mutex_lock(&lock);
    char in[8192];
    if (utf16_to_utf8(short_path, wide_length(short_path), in, sizeof in) == (size_t)-1) {
        FAIL(ERROR_FILENAME_EXCED_RANGE, 0);
    }
    const char *out = NULL;
    for (int i = 0; i < names; i++) {
        if (strcmp(short_names[i], in) == 0) {
            out = long_names[i];
        }
    }
    struct stat st;
    if (!out) {
        if (lstat(in, &st) != 0) {
            FAIL(ERROR_FILE_NOT_FOUND, 0);
        }
        out = in;
    }
    WCHAR wide[8192];
    size_t n = utf8_to_utf16(out, wide, sizeof wide / sizeof wide[0]);
    if (n == (size_t)-1) {
        FAIL(ERROR_FILENAME_EXCED_RANGE, 0);
    }
    if (n + 1 > chars) {
        pthread_mutex_unlock(&lock);
        return (DWORD)(n + 1); /* too small: the size needed, with the terminating NUL */
    }
    memcpy(long_path, wide, (n + 1) * sizeof(WCHAR));
    pthread_mutex_unlock(&lock);
    return (DWORD)n;
}

DWORD GetFinalPathNameByHandleW(HANDLE h, WCHAR *path, DWORD chars, DWORD flags) {
    (void)flags;
    pthread_mutex_lock(&lock);
    struct dir *d = as_dir(h);
    if (!d) {
        FAIL(ERROR_INVALID_HANDLE, 0);
    }
    char link[64], target[8192];
    snprintf(link, sizeof link, "/proc/self/fd/%d", d->fd);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n < 0) {
        FAIL(ERROR_FILE_NOT_FOUND, 0);
    }
    target[n] = 0;
    WCHAR wide[8192];
    size_t w = utf8_to_utf16(target, wide, sizeof wide / sizeof wide[0]);
    if (w == (size_t)-1) {
        FAIL(ERROR_FILENAME_EXCED_RANGE, 0);
    }
    if (w + 1 > chars) {
        pthread_mutex_unlock(&lock);
        return (DWORD)(w + 1); /* too small: the size needed, with the NUL */
    }
    memcpy(path, wide, (w + 1) * sizeof(WCHAR));
    pthread_mutex_unlock(&lock);
    return (DWORD)w; /* without the NUL */
}

/* ---- test hooks ---- */

static struct dir *find_dir(const char *path) {
    struct dir *found = NULL;
    for (struct object *o = live; o; o = o->next) {
        struct dir *d = o->p;
        if (d->magic == MAGIC_DIR && strcmp(d->path, path) == 0 && (!found || d->pending)) {
            found = d;
        }
    }
    return found;
}

/* Stages one change record for the directory handle opened on path. 0, or -1 when there is none. */
int fake_emit(const char *path, DWORD action, const WCHAR *name, uint32_t chars, DWORD attributes) {
    pthread_mutex_lock(&lock);
    struct dir *d = find_dir(path);
    if (!d) {
        pthread_mutex_unlock(&lock);
        return -1;
    }
    struct record *r = alloc(sizeof *r + 2u * chars);
    r->action = action;
    r->attributes = attributes;
    r->chars = chars;
    memcpy(r->name, name, 2u * chars);
    if (d->staged_tail) {
        d->staged_tail->next = r;
    } else {
        d->staged = r;
    }
    d->staged_tail = r;
    pthread_mutex_unlock(&lock);
    return 0;
}

/* Completes the pending read on path with the staged records: 1 (also when none are staged: a kernel
   never completes a read with nothing); 0 when no read is pending (they are kept for the next one, which
   they complete at once); -1 when path has no handle. */
int fake_flush(const char *path) {
    pthread_mutex_lock(&lock);
    struct dir *d = find_dir(path);
    int rc = !d ? -1 : !d->staged ? 1 : !d->pending ? 0 : 1; /* nothing staged: nothing to complete */
    if (rc == 1 && d->staged) {
        deliver(d);
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

/* Completes the pending read on path with an NTSTATUS and no bytes: 1, or 0 when none is pending. */
int fake_complete(const char *path, DWORD status) {
    pthread_mutex_lock(&lock);
    struct dir *d = find_dir(path);
    int rc = d && d->pending;
    if (rc) {
        complete(d, status, 0);
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

/* Completes the cancellations held back by fake_set_defer_cancel, writing their OVERLAPPEDs now. */
int fake_complete_deferred(void) {
    pthread_mutex_lock(&lock);
    int n = 0;
    while (deferred) {
        struct deferred *c = deferred;
        deferred = c->next;
        c->ov->Internal = STATUS_CANCELLED;
        c->ov->InternalHigh = 0;
        if (is_live(c->port)) {
            enqueue(c->port, c->key, c->ov, 0);
        }
        release(c, sizeof *c);
        n++;
    }
    pthread_mutex_unlock(&lock);
    return n;
}

int fake_open_handles(void) {
    pthread_mutex_lock(&lock);
    int n = 0;
    for (struct object *o = live; o; o = o->next) {
        n++;
    }
    pthread_mutex_unlock(&lock);
    return n;
}

int fake_pending_reads(void) {
    pthread_mutex_lock(&lock);
    int n = 0;
    for (struct object *o = live; o; o = o->next) {
        struct dir *d = o->p;
        n += d->magic == MAGIC_DIR && d->pending;
    }
    for (struct deferred *c = deferred; c; c = c->next) {
        n++;
    }
    pthread_mutex_unlock(&lock);
    return n;
}

long fake_allocations(void) {
    pthread_mutex_lock(&lock);
    long n = allocations;
    pthread_mutex_unlock(&lock);
    return n;
}

/* The pending read on path: its length (-1 when none), and whether it is recursive and extended. */
long fake_pending_length(const char *path) {
    pthread_mutex_lock(&lock);
    struct dir *d = find_dir(path);
    long n = d && d->pending ? (long)d->length : -1;
    pthread_mutex_unlock(&lock);
    return n;
}

int fake_pending_flags(const char *path) {
    pthread_mutex_lock(&lock);
    struct dir *d = find_dir(path);
    int f = d && d->pending ? (d->subtree ? 1 : 0) | (d->extended ? 2 : 0) : -1;
    pthread_mutex_unlock(&lock);
    return f;
}

void *fake_pending_buffer(const char *path) {
    pthread_mutex_lock(&lock);
    struct dir *d = find_dir(path);
    void *b = d && d->pending ? d->buffer : NULL;
    pthread_mutex_unlock(&lock);
    return b;
}

DWORD fake_last_create(int what) {
    pthread_mutex_lock(&lock);
    DWORD v = what == 0 ? last_access : what == 1 ? last_share : what == 2 ? last_flags : last_disposition;
    pthread_mutex_unlock(&lock);
    return v;
}

int fake_add_long_name(const char *short_path, const char *long_path) {
    pthread_mutex_lock(&lock);
    int rc = -1;
    if (names < MAX_NAMES && strlen(short_path) < 4096 && strlen(long_path) < 4096) {
        strcpy(short_names[names], short_path);
        strcpy(long_names[names], long_path);
        names++;
        rc = 0;
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

void fake_configure(DWORD max_buffer_bytes, int extended, int defer) {
    pthread_mutex_lock(&lock);
    max_buffer = max_buffer_bytes;
    extended_supported = extended;
    defer_cancel = defer;
    names = 0;
    pthread_mutex_unlock(&lock);
}
