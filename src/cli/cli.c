/* Error printing (one line, held back under mpirun), standard output
 * checked to its last byte, and the small formatting helpers the commands
 * share. */
#define _GNU_SOURCE /* fopencookie, on glibc */

#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xn_config.h"

/* Messages held back (cli_hold_errors): the first one, for
 * cli_release_errors.  The program's own state: one command a run. */
static struct {
    bool on;
    char first[1024];
} held;

void cli_error(const char *fmt, ...)
{
    char line[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    for (char *p = line; *p; p++) /* one line, whatever a file name holds */
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    if (!held.on)
        fprintf(stderr, "xornet: %s\n", line);
    else if (!held.first[0]) {
        size_t k = strlen(line) < sizeof held.first ? strlen(line) : sizeof held.first - 1;
        memcpy(held.first, line, k);
        held.first[k] = '\0';
    }
}

void cli_hold_errors(void)
{
    held.on = true;
    held.first[0] = '\0';
}

bool cli_release_errors(bool print)
{
    bool had = held.first[0] != '\0';
    held.on = false;
    if (print && had)
        cli_error("%s", held.first);
    held.first[0] = '\0';
    return had;
}

void cli_file_error(const char *path, xn_status s, const xn_error *err)
{
    if (err && err->msg[0] && err->line)
        cli_error("%s:%zu: %s", path, err->line, err->msg);
    else if (err && err->msg[0])
        cli_error("%s: %s", path, err->msg);
    else
        cli_error("%s: %s", path, xn_strerror(s));
}

bool cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int cli_unknown(const char *cmd, const char *arg)
{
    cli_error("%s: unknown option '%s' (see xornet %s --help)", cmd, arg, cmd);
    return EXIT_USAGE;
}

/* errno of the first failed write to standard output, 0 if none */
static int stdout_errno;

#if XN_HAVE_FOPENCOOKIE && defined(__GLIBC__)
/* Standard output's writes: write(2) until done, keeping the first errno
 * (glibc drops its buffer after a failed write, and a later fflush
 * succeeds: the errno is only seen here). */
static ssize_t stdout_write(void *cookie, const char *buf, size_t n)
{
    (void)cookie;
    for (size_t off = 0; off < n;) {
        ssize_t w = write(STDOUT_FILENO, buf + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (!stdout_errno)
                stdout_errno = w < 0 ? errno : EIO;
            return 0; /* fopencookie's "failed" */
        }
        off += (size_t)w;
    }
    return (ssize_t)n;
}

/* Leaves descriptor 1 open: /dev/stdout saves write to it directly. */
static int stdout_close(void *cookie)
{
    (void)cookie;
    return 0;
}

void cli_stdout_init(void)
{
    cookie_io_functions_t io = {NULL, stdout_write, NULL, stdout_close};
    FILE *f = fopencookie(NULL, "w", io);
    if (!f)
        return;
    /* buffered as stdio buffers a terminal or anything else */
    setvbuf(f, NULL, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF, BUFSIZ);
    stdout = f; /* a variable in glibc, which its manual assigns to redirect */
}
#else
void cli_stdout_init(void)
{
}
#endif

void cli_flush(void)
{
    errno = 0;
    if (fflush(stdout) != 0 && !stdout_errno)
        stdout_errno = errno ? errno : EIO;
}

const char *cli_stdout_error(void)
{
    cli_flush();
    return stdout_errno ? strerror(stdout_errno) : "cannot write";
}

int cli_exit(int rc)
{
    /* a write that failed inside printf left only the error flag; the
     * flush of what is left, or an earlier cli_flush, says why */
    cli_flush();
    bool bad = stdout_errno != 0 || ferror(stdout) != 0;
    int e = stdout_errno;
    errno = 0;
    if (fclose(stdout) != 0 && !bad) {
        bad = true;
        e = errno;
    }
    if (bad && rc == EXIT_OK) {
        if (e)
            cli_error("standard output: %s", strerror(e));
        else
            cli_error("cannot write the standard output");
        rc = EXIT_FAIL;
    }
    return rc;
}

const char *cli_num(char *buf, double v)
{
    if (isfinite(v))
        snprintf(buf, 32, "%g", v);
    else
        snprintf(buf, 32, "not finite");
    return buf;
}

bool cli_plot_result(bool ok, const char *why, const char *path)
{
    if (ok) {
        fputs("wrote ", stdout);
        for (const char *p = path; *p; p++) /* one line, whatever the name holds */
            putchar((unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p);
        putchar('\n');
    } else {
        cli_error("--plot: %s", why);
    }
    return ok;
}

void cli_print_double(double v)
{
    printf("%.17g", v);
}

const char *cli_plural(size_t n)
{
    return n == 1 ? "" : "s";
}
