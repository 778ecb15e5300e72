/* Atomic file replacement: write a temporary file beside the target, flush
 * it to disk, rename it into place, sync the folder. */
#define _POSIX_C_SOURCE 200809L /* mkstemp, fsync, fchmod */

#include "atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "text.h"

/* fsync the folder holding path.  Best effort: some file systems cannot
 * sync a directory. */
static void sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t n = !slash ? 1 : slash == path ? 1 : (size_t)(slash - path);
    char *dir = malloc(n + 1);
    if (!dir)
        return;
    if (slash)
        memcpy(dir, path, n);
    else
        dir[0] = '.';
    dir[n] = '\0';
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

xn_status xn_atomic_open(xn_atomic *a, const char *path, xn_error *err)
{
    if (!a || !path || !path[0])
        return xn_fail(err, 0, XN_EINVAL, "no path");
    a->f = NULL;
    a->path = path;
    static const char suffix[] = ".tmp-XXXXXX";
    size_t plen = strlen(path);
    a->tmp = malloc(plen + sizeof suffix);
    if (!a->tmp)
        return xn_fail(err, 0, XN_ENOMEM, "out of memory");
    memcpy(a->tmp, path, plen);
    memcpy(a->tmp + plen, suffix, sizeof suffix);
    int fd = mkstemp(a->tmp);
    if (fd < 0) {
        int e = errno;
        free(a->tmp);
        a->tmp = NULL;
        return xn_fail(err, 0, XN_EIO, "cannot create a temporary file next to it: %s", strerror(e));
    }
    struct stat st;
    mode_t mode = stat(path, &st) == 0 && S_ISREG(st.st_mode) ? st.st_mode & 07777 : 0644;
    (void)fchmod(fd, mode);
    a->f = fdopen(fd, "w");
    if (!a->f) {
        int e = errno;
        close(fd);
        xn_atomic_abort(a);
        return xn_fail(err, 0, XN_EIO, "cannot write a temporary file: %s", strerror(e));
    }
    return XN_OK;
}

xn_status xn_atomic_commit(xn_atomic *a, xn_error *err)
{
    if (!a || !a->f)
        return xn_fail(err, 0, XN_EINVAL, "no file open");
    FILE *f = a->f;
    a->f = NULL;
    int e = 0;
    const char *step = NULL;
    errno = 0;
    if (ferror(f) || fflush(f) != 0)
        e = errno, step = "cannot write";
    else if (fsync(fileno(f)) != 0)
        e = errno, step = "cannot sync to disk";
    if (fclose(f) != 0 && !step)
        e = errno, step = "cannot write";
    if (!step && rename(a->tmp, a->path) != 0)
        e = errno, step = "cannot replace the file";
    if (step) {
        xn_atomic_abort(a);
        return xn_fail(err, 0, XN_EIO, "%s: %s", step, e ? strerror(e) : "write error");
    }
    free(a->tmp);
    a->tmp = NULL;
    sync_dir(a->path);
    return XN_OK;
}

void xn_atomic_abort(xn_atomic *a)
{
    if (!a)
        return;
    if (a->f)
        fclose(a->f);
    a->f = NULL;
    if (a->tmp)
        unlink(a->tmp);
    free(a->tmp);
    a->tmp = NULL;
}
