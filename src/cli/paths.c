/* The files a command writes: checked before the work (the folder
 * exists, the kind of file is one xornet writes, no two of them are one
 * file), named inside a folder, and the model saved with signals held. */
#define _DEFAULT_SOURCE /* realpath */

#include "paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "cli.h"
#include "xornet/atomic.h"

/* The canonical name of a path that may not exist yet: its folder's real
 * path and its last part; false if the folder cannot be resolved. */
static bool canonical(const char *path, char *out, size_t cap)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    char *real = realpath(dir, NULL);
    if (!real)
        return false;
    int n = snprintf(out, cap, "%s/%s", real, slash ? slash + 1 : path);
    free(real);
    return n >= 0 && (size_t)n < cap;
}

bool cli_same_file(const char *a, const char *b)
{
    if (!a || !b)
        return false;
    struct stat sa, sb;
    bool ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0;
    if (ea && eb) /* a device or FIFO takes any number of writers */
        return S_ISREG(sa.st_mode) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    if (strcmp(a, b) == 0)
        return true;
    if (ea || eb) /* one exists, the other not: two files */
        return false;
    char ca[8192], cb[8192];
    return canonical(a, ca, sizeof ca) && canonical(b, cb, sizeof cb) && strcmp(ca, cb) == 0;
}

int cli_check_output(const char *path)
{
    xn_error err = {0};
    xn_status s = xn_atomic_check(path, &err);
    if (s != XN_OK) {
        cli_file_error(path, s, &err);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

int cli_save_model(const xn_net *net, const char *path)
{
    xn_error err = {0};
    cli_flush();
    cli_hold_signals();
    xn_status s = xn_net_save(net, path, &err);
    cli_release_signals();
    if (s != XN_OK) {
        cli_file_error(path, s, &err);
        return -1;
    }
    return 0;
}

bool cli_join_path(char *buf, size_t size, const char *dir, const char *name, const char *flag)
{
    if (!*dir)
        dir = ".";
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    int w = snprintf(buf, size, "%.*s%s%s", (int)len, dir, dir[len - 1] == '/' ? "" : "/", name);
    if (w < 0 || (size_t)w >= size) {
        cli_error("%s: path too long: %s", flag, dir);
        return false;
    }
    return true;
}

