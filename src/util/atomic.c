/* Atomic file replacement: write a temporary file beside the target, flush
 * it to disk, rename it into place, sync the folder; and the targets that
 * must not be renamed over (devices, FIFOs, the program's own streams),
 * written directly instead.  See atomic.h for the rules. */
#define _GNU_SOURCE /* fopencookie where the C library has it; POSIX.1-2008 too */

#include "xornet/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "text.h"
#include "xn_config.h"

/* ---- what the path names ------------------------------------------------ */

typedef enum {
    TARGET_REPLACE,    /* nothing, or a regular file: the temporary file and rename */
    TARGET_PATH,       /* a character device or FIFO: opened and written */
    TARGET_DESCRIPTOR  /* /dev/stdout and the like: the descriptor itself */
} target_kind;

typedef struct {
    target_kind kind;
    int fd;       /* TARGET_DESCRIPTOR: which one */
    bool exists;  /* TARGET_REPLACE: a regular file is there */
    mode_t mode;  /* ... and its permission bits */
} target;

/* The descriptor a name such as /dev/stdout or /proc/self/fd/3 stands for,
 * or -1.  Opening such a name would start a second, independent offset in
 * a regular file the shell redirected the stream to; the descriptor itself
 * writes where the program's own output goes. */
static int descriptor_name(const char *path)
{
    static const char *const streams[] = {"/dev/stdin", "/dev/stdout", "/dev/stderr"};
    for (int i = 0; i < 3; i++)
        if (strcmp(path, streams[i]) == 0)
            return i;
    const char *digits = strncmp(path, "/dev/fd/", 8) == 0          ? path + 8
                         : strncmp(path, "/proc/self/fd/", 14) == 0 ? path + 14
                                                                     : NULL;
    if (!digits || !*digits)
        return -1;
    long v = 0;
    for (const char *p = digits; *p; p++) {
        if (*p < '0' || *p > '9' || v > INT_MAX / 10)
            return -1;
        v = v * 10 + (*p - '0');
    }
    return v <= INT_MAX ? (int)v : -1;
}

static xn_status refuse(xn_error *err, const char *what)
{
    return xn_fail(err, 0, XN_EIO,
                   "is %s; xornet writes regular files, character devices (such as /dev/null) "
                   "and FIFOs only", what);
}

static xn_status classify(const char *path, target *t, xn_error *err)
{
    memset(t, 0, sizeof *t);
    int fd = descriptor_name(path);
    if (fd >= 0) {
        int fl = fcntl(fd, F_GETFL);
        if (fl < 0)
            return xn_fail(err, 0, XN_EIO, "descriptor %d is not open", fd);
        if ((fl & O_ACCMODE) == O_RDONLY)
            return xn_fail(err, 0, XN_EIO, "descriptor %d is not open for writing", fd);
        t->kind = TARGET_DESCRIPTOR;
        t->fd = fd;
        return XN_OK;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno != ENOENT)
            return xn_fail(err, 0, XN_EIO, "cannot write: %s", strerror(errno));
        t->kind = TARGET_REPLACE; /* a new file (or a dangling link, replaced) */
        return XN_OK;
    }
    if (S_ISREG(st.st_mode)) {
        t->kind = TARGET_REPLACE;
        t->exists = true;
        t->mode = st.st_mode & 07777;
    } else if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
        t->kind = TARGET_PATH;
    } else if (S_ISDIR(st.st_mode)) {
        return xn_fail(err, 0, XN_EIO, "is a directory");
    } else {
        return refuse(err, S_ISBLK(st.st_mode) ? "a block device" : S_ISSOCK(st.st_mode) ? "a socket"
                                                                                       : "not a file");
    }
    return XN_OK;
}

/* The folder part of path ("." for none), malloc'd; NULL without memory. */
static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t n = !slash ? 1 : slash == path ? 1 : (size_t)(slash - path);
    char *dir = malloc(n + 1);
    if (!dir)
        return NULL;
    if (slash)
        memcpy(dir, path, n);
    else
        dir[0] = '.';
    dir[n] = '\0';
    return dir;
}

/* fsync the folder holding path.  Best effort: some file systems cannot
 * sync a directory. */
static void sync_dir(const char *path)
{
    char *dir = folder_of(path);
    if (!dir)
        return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

xn_status xn_atomic_check(const char *path, xn_error *err)
{
    if (!path || !path[0])
        return xn_fail(err, 0, XN_EINVAL, "no path");
    target t;
    xn_status st = classify(path, &t, err);
    if (st != XN_OK)
        return st;
    if (t.kind == TARGET_PATH && access(path, W_OK) != 0)
        return xn_fail(err, 0, XN_EIO, "cannot write: %s", strerror(errno));
    if (t.kind != TARGET_REPLACE)
        return XN_OK;
    const char *base = strrchr(path, '/');
    if (base && !base[1])
        return xn_fail(err, 0, XN_EIO, "names a folder, not a file");
    char *dir = folder_of(path);
    if (!dir)
        return xn_fail(err, 0, XN_ENOMEM, "out of memory");
    struct stat ds;
    st = XN_OK;
    if (stat(dir, &ds) != 0)
        st = xn_fail(err, 0, XN_EIO, "cannot create a file in its folder: %s", strerror(errno));
    else if (!S_ISDIR(ds.st_mode))
        st = xn_fail(err, 0, XN_EIO, "cannot create a file in its folder: %s", strerror(ENOTDIR));
    else if (access(dir, W_OK | X_OK) != 0)
        st = xn_fail(err, 0, XN_EIO, "cannot create a file in its folder: %s", strerror(errno));
    free(dir);
    return st;
}

/* ---- the temporary file --------------------------------------------------- */

/* SplitMix64's finalizer: spreads the bits of a seed over a name. */
static uint64_t mix(uint64_t z)
{
    z += 0x9e3779b97f4a7c15u;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Creates path's temporary file: the folder, the name cut so that the name
 * and the ".tmp-XXXXXX" suffix fit the file system's limit on a name, and
 * six random letters.  O_EXCL makes the name ours (it follows no link and
 * takes no existing file); mode 0666 lets the umask decide, as for any new
 * file.  Sets *fd and *tmp. */
static xn_status create_temp(const char *path, const void *salt, int *fd, char **tmp,
                             xn_error *err)
{
    static const char suffix[] = ".tmp-XXXXXX";
    static const char letters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
    if (!*base)
        return xn_fail(err, 0, XN_EIO, "names a folder, not a file");
    size_t dlen = (size_t)(base - path), blen = strlen(base);
    char *dir = folder_of(path);
    long name_max = dir ? pathconf(dir, _PC_NAME_MAX) : -1;
    free(dir);
    if (name_max <= 0)
        name_max = 255; /* NAME_MAX on Linux and the BSDs */
    size_t room = (size_t)name_max > sizeof suffix - 1 ? (size_t)name_max - (sizeof suffix - 1) : 0;
    if (blen > room)
        blen = room;
    char *t = malloc(dlen + blen + sizeof suffix);
    if (!t)
        return xn_fail(err, 0, XN_ENOMEM, "out of memory");
    memcpy(t, path, dlen + blen);
    memcpy(t + dlen + blen, suffix, sizeof suffix);
    char *x = t + dlen + blen + sizeof suffix - 7;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t seed = mix((uint64_t)getpid() << 32 ^ (uint64_t)ts.tv_sec * 1000000000u ^
                        (uint64_t)ts.tv_nsec ^ (uint64_t)(uintptr_t)salt);
    for (int attempt = 0; attempt < 100; attempt++) {
        uint64_t r = seed = mix(seed + (uint64_t)attempt);
        for (int i = 0; i < 6; i++, r /= 62)
            x[i] = letters[r % 62];
        *fd = open(t, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (*fd >= 0) {
            *tmp = t;
            return XN_OK;
        }
        if (errno != EEXIST)
            break;
    }
    int e = errno;
    free(t);
    return xn_fail(err, 0, XN_EIO, "cannot create a temporary file next to it: %s", strerror(e));
}

/* ---- writing ------------------------------------------------------------- */

/* The descriptor under a's stream and the errno of its first failed write
 * (the stream's own error flag keeps no errno). */
struct xn_atomic_sink {
    int fd;
    int error;
};

#if XN_HAVE_FOPENCOOKIE
/* The stream's writes: write(2) until done, keeping the first errno.  The
 * stream is flushed in the caller's thread, so the errno is its own. */
static ssize_t sink_write(void *cookie, const char *buf, size_t n)
{
    xn_atomic_sink *s = cookie;
    size_t off = 0;
    while (off < n && !s->error) {
        ssize_t w = write(s->fd, buf + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            s->error = w < 0 ? errno : EIO;
        else
            off += (size_t)w;
    }
    return s->error ? 0 : (ssize_t)n; /* 0: fopencookie's "failed" */
}

/* Closing the stream leaves the descriptor to xn_atomic: it syncs it first. */
static int sink_close(void *cookie)
{
    (void)cookie;
    return 0;
}

static FILE *stream_over(xn_atomic_sink *s)
{
    cookie_io_functions_t io = {NULL, sink_write, NULL, sink_close};
    return fopencookie(s, "w", io);
}
#else
/* A stream over a copy of the descriptor: fclose closes the copy, the
 * descriptor stays for fsync.  errno is cleared here, so that the errno a
 * failed write leaves is the one read when the stream shows an error. */
static FILE *stream_over(xn_atomic_sink *s)
{
    int fd = dup(s->fd);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f && fd >= 0)
        close(fd);
    errno = 0;
    return f;
}
#endif

/* Flushes and closes a's stream; its first failed write's errno, or 0. */
static int close_stream(xn_atomic *a)
{
    if (!a->f)
        return a->sink->error;
    bool bad = fflush(a->f) != 0 || ferror(a->f);
    int e = errno;
    fclose(a->f);
    a->f = NULL;
#if XN_HAVE_FOPENCOOKIE
    (void)e;
#else
    if (bad && !a->sink->error)
        a->sink->error = e ? e : EIO;
#endif
    if (bad && !a->sink->error)
        a->sink->error = EIO;
    return a->sink->error;
}

xn_status xn_atomic_open(xn_atomic *a, const char *path, xn_error *err)
{
    if (!a)
        return xn_fail(err, 0, XN_EINVAL, "no writer");
    *a = (xn_atomic){NULL, NULL, path, NULL, false};
    if (!path || !path[0])
        return xn_fail(err, 0, XN_EINVAL, "no path");
    target t;
    xn_status st = classify(path, &t, err);
    if (st != XN_OK)
        return st;
    xn_atomic_sink *sink = malloc(sizeof *sink);
    if (!sink)
        return xn_fail(err, 0, XN_ENOMEM, "out of memory");
    *sink = (xn_atomic_sink){-1, 0};
    if (t.kind == TARGET_DESCRIPTOR) {
        sink->fd = fcntl(t.fd, F_DUPFD_CLOEXEC, 0);
        if (sink->fd < 0)
            st = xn_fail(err, 0, XN_EIO, "cannot write: %s", strerror(errno));
    } else if (t.kind == TARGET_PATH) {
        /* O_NOCTTY: a terminal named here does not become ours */
        sink->fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
        struct stat now;
        if (sink->fd < 0) {
            st = xn_fail(err, 0, XN_EIO, "cannot write: %s", strerror(errno));
        } else if (fstat(sink->fd, &now) != 0 || !(S_ISCHR(now.st_mode) || S_ISFIFO(now.st_mode))) {
            /* replaced by something else since the check: never write into
             * a regular file without the temporary file and the rename */
            close(sink->fd);
            sink->fd = -1;
            st = xn_fail(err, 0, XN_EIO, "changed while it was being opened");
        }
    } else {
        st = create_temp(path, a, &sink->fd, &a->tmp, err);
        if (st == XN_OK && t.exists)
            (void)fchmod(sink->fd, t.mode); /* the replaced file's mode; best effort */
    }
    if (st == XN_OK && !(a->f = stream_over(sink))) {
        int e = errno;
        close(sink->fd);
        if (a->tmp)
            unlink(a->tmp);
        free(a->tmp);
        a->tmp = NULL;
        st = xn_fail(err, 0, XN_EIO, "cannot write: %s", strerror(e ? e : ENOMEM));
    }
    if (st != XN_OK) {
        free(sink);
        return st;
    }
    a->sink = sink;
    a->direct = t.kind != TARGET_REPLACE;
    return XN_OK;
}

static xn_status write_failed(xn_atomic *a, const char *step, int e, xn_error *err)
{
    xn_atomic_abort(a);
    return xn_fail(err, 0, XN_EIO, "%s: %s", step, strerror(e));
}

xn_status xn_atomic_pause(xn_atomic *a, xn_error *err)
{
    if (!a || !a->sink || !a->f)
        return xn_fail(err, 0, XN_EINVAL, "no file open");
    if (a->direct) {
        int bad = fflush(a->f) != 0 || ferror(a->f);
        if (bad && !a->sink->error)
            a->sink->error = errno ? errno : EIO;
        return a->sink->error ? write_failed(a, "cannot write", a->sink->error, err) : XN_OK;
    }
    int e = close_stream(a);
    if (!e && close(a->sink->fd) != 0 && errno != EINTR)
        e = errno;
    a->sink->fd = -1;
    return e ? write_failed(a, "cannot write", e, err) : XN_OK;
}

xn_status xn_atomic_resume(xn_atomic *a, xn_error *err)
{
    if (!a || !a->sink)
        return xn_fail(err, 0, XN_EINVAL, "no file open");
    if (a->f)
        return XN_OK;
    a->sink->fd = open(a->tmp, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (a->sink->fd < 0)
        return write_failed(a, "cannot reopen the temporary file", errno, err);
    if (!(a->f = stream_over(a->sink)))
        return write_failed(a, "cannot write", errno ? errno : ENOMEM, err);
    return XN_OK;
}

xn_status xn_atomic_finish(xn_atomic *a, xn_error *err)
{
    if (!a || !a->sink)
        return xn_fail(err, 0, XN_EINVAL, "no file open");
    xn_status st = xn_atomic_resume(a, err);
    if (st != XN_OK)
        return st;
    int e = close_stream(a);
    if (e)
        return write_failed(a, "cannot write", e, err);
    /* a device or a pipe has no disk to sync to (fsync says EINVAL) */
    if (!a->direct && fsync(a->sink->fd) != 0)
        return write_failed(a, "cannot sync to disk", errno, err);
    /* NFS reports a failed write-back when the file is closed */
    if (close(a->sink->fd) != 0 && errno != EINTR) {
        e = errno;
        a->sink->fd = -1;
        return write_failed(a, "cannot write", e, err);
    }
    free(a->sink);
    a->sink = NULL;
    return XN_OK;
}

xn_status xn_atomic_publish(xn_atomic *a, xn_error *err)
{
    if (!a || a->sink)
        return xn_fail(err, 0, XN_EINVAL, "not finished");
    if (a->direct || !a->tmp)
        return XN_OK;
    if (rename(a->tmp, a->path) != 0)
        return write_failed(a, "cannot replace the file", errno, err);
    free(a->tmp);
    a->tmp = NULL;
    sync_dir(a->path);
    return XN_OK;
}

xn_status xn_atomic_commit(xn_atomic *a, xn_error *err)
{
    xn_status st = xn_atomic_finish(a, err);
    return st == XN_OK ? xn_atomic_publish(a, err) : st;
}

void xn_atomic_abort(xn_atomic *a)
{
    if (!a)
        return;
    if (a->f)
        fclose(a->f);
    a->f = NULL;
    if (a->sink) {
        if (a->sink->fd >= 0)
            close(a->sink->fd);
        free(a->sink);
        a->sink = NULL;
    }
    if (a->tmp)
        unlink(a->tmp);
    free(a->tmp);
    a->tmp = NULL;
}
