/* Replacing a file whole or not at all: what the library's model files,
 * checkpoints and exported sources are written with, offered to programs
 * for their own files (xornet's history files and pictures).
 *
 * What a path names decides how it is written (docs/robustness.md):
 *   - nothing, a regular file, or a symbolic link to one: a temporary file
 *     beside it (the name + ".tmp-XXXXXX", the name cut to fit the file
 *     system's limit) is written, flushed to disk and renamed over the
 *     path, so the path holds the old file or the new one, never a part.
 *     (A symbolic link is replaced by the new file, as rename does.)
 *   - a character device or a FIFO (/dev/null, a named pipe): written
 *     directly, since renaming over it would destroy it;
 *   - /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N: the program's
 *     own descriptor, written directly at its current offset;
 *   - a directory, a block device or a socket: refused (XN_EIO).
 * Where the C library offers fopencookie, f writes through a function that
 * keeps the errno of the first failed write (ENOSPC, EFBIG, EPIPE), which
 * is the one reported; elsewhere the errno the stream's failure left. */
#ifndef XORNET_ATOMIC_H
#define XORNET_ATOMIC_H

#include <stdbool.h>
#include <stdio.h>

#include "xornet/xornet.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct xn_atomic_sink xn_atomic_sink;

/* A zeroed xn_atomic is one not opened: xn_atomic_abort accepts it. */
typedef struct {
    FILE *f;              /* write here; NULL while paused, once finished or aborted */
    char *tmp;            /* (owned) the temporary file's name; NULL when writing
                             directly, and once published or aborted */
    const char *path;     /* (borrowed) the file being replaced */
    xn_atomic_sink *sink; /* (owned) the descriptor under f, and the errno of
                             its first failed write */
    bool direct;          /* writing into a device, FIFO or descriptor */
} xn_atomic;

/* Checks that path could be written as xn_atomic_open would (its kind, and
 * for a replaced file that its folder exists and takes new files), without
 * creating anything: for a program that wants to fail before a long run
 * rather than after.  XN_EIO with err->msg saying why. */
XN_API xn_status xn_atomic_check(const char *path, xn_error *err);

/* Starts writing path: creates the temporary file (mode 0666 less the
 * umask, or the mode of the regular file it replaces) or opens the device,
 * FIFO or descriptor.  On failure nothing is left and *a needs no abort.
 * XN_EINVAL, XN_ENOMEM, XN_EIO (err->msg says why). */
XN_API xn_status xn_atomic_open(xn_atomic *a, const char *path, xn_error *err);

/* Writes out what f holds and closes the temporary file, keeping it (and
 * its name) for xn_atomic_resume, which reopens it to append: a long
 * writer need not hold a descriptor open.  A direct target is only
 * flushed (closing a FIFO would end its reader's input).  XN_EIO, with
 * the temporary file removed. */
XN_API xn_status xn_atomic_pause(xn_atomic *a, xn_error *err);
XN_API xn_status xn_atomic_resume(xn_atomic *a, xn_error *err);

/* Everything but the rename: writes out f, syncs the temporary file to
 * disk and closes it.  After it only xn_atomic_publish (a rename) or
 * xn_atomic_abort remain; a direct target is done.  On failure the
 * temporary file is removed and the path untouched.  XN_EIO. */
XN_API xn_status xn_atomic_finish(xn_atomic *a, xn_error *err);
/* Renames the finished temporary file over path and syncs the folder so
 * the rename survives a crash.  XN_EIO (the temporary file is removed). */
XN_API xn_status xn_atomic_publish(xn_atomic *a, xn_error *err);
/* xn_atomic_finish, then xn_atomic_publish. */
XN_API xn_status xn_atomic_commit(xn_atomic *a, xn_error *err);
/* Drops the temporary file (a direct target keeps what it was sent); safe
 * after a commit, after a failure and on a zeroed a. */
XN_API void xn_atomic_abort(xn_atomic *a);

#ifdef __cplusplus
}
#endif

#endif
