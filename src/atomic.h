/* Replacing a file whole or not at all, for the library's model files and
 * the program's history files and pictures: private to the project. */
#ifndef XORNET_ATOMIC_H
#define XORNET_ATOMIC_H

#include <stdio.h>

#include "xornet/xornet.h"

/* A file being written in place of `path`: a temporary file in the same
 * folder (path + ".tmp-XXXXXX", from mkstemp) that xn_atomic_commit flushes
 * to disk and renames over path.  Until then path is untouched. */
typedef struct {
    FILE *f;      /* write here; NULL once committed or aborted */
    char *tmp;    /* (owned) the temporary file's name */
    const char *path;
} xn_atomic;

/* Creates the temporary file, with the mode of the file it will replace
 * (0644 for a new one, less nothing: mkstemp's 0600 would hide it).
 * XN_EINVAL, XN_ENOMEM, XN_EIO (err->msg says why). */
xn_status xn_atomic_open(xn_atomic *a, const char *path, xn_error *err);
/* Flushes, syncs, closes and renames over path, then syncs the folder so
 * the rename survives a crash.  On failure the temporary file is removed,
 * path is untouched, and XN_EIO is returned. */
xn_status xn_atomic_commit(xn_atomic *a, xn_error *err);
/* Drops the temporary file; safe after a commit and on a zeroed a. */
void xn_atomic_abort(xn_atomic *a);

#endif
