/* The --history writer of xornet train (history.h). */
#define _GNU_SOURCE /* fopencookie where the C library has it */

#include "history.h"

#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cli.h"
#include "paths.h"
#include "xn_config.h"

/* Opens FILE's temporary file (or the device it names) and registers it,
 * with the signals held, so that no signal finds it unregistered. */
static xn_status open_file(cli_history *h)
{
    cli_hold_signals();
    xn_status s = xn_atomic_open(&h->file, h->path, &h->err);
    if (s == XN_OK) {
        h->opened = true;
        h->temp_id = h->file.tmp ? cli_temp_add(h->file.tmp, NULL, 0) : -1;
    }
    cli_release_signals();
    return s;
}

#if XN_HAVE_FOPENCOOKIE
/* Appends the waiting bytes to FILE's temporary file: opened (or
 * reopened) for them and closed after. */
static xn_status write_block(cli_history *h)
{
    cli_flush(); /* FILE may be /dev/stdout: what was printed comes first */
    xn_status s = h->opened ? XN_OK : open_file(h);
    cli_hold_signals();
    if (s == XN_OK && (s = xn_atomic_resume(&h->file, &h->err)) == XN_OK) {
        fwrite(h->buf, 1, h->n, h->file.f);
        s = xn_atomic_pause(&h->file, &h->err);
    }
    cli_release_signals();
    h->n = 0;
    return s;
}

/* The stream's writes: into the block, which goes out when full. */
static ssize_t history_write(void *cookie, const char *p, size_t n)
{
    cli_history *h = cookie;
    if (h->dropping || h->failed)
        return 0; /* fopencookie's "failed" */
    for (size_t done = 0; done < n;) {
        size_t k = HISTORY_BLOCK - h->n < n - done ? HISTORY_BLOCK - h->n : n - done;
        memcpy(h->buf + h->n, p + done, k);
        h->n += k;
        done += k;
        if (h->n == HISTORY_BLOCK && (h->failed = write_block(h)) != XN_OK)
            return 0;
    }
    return (ssize_t)n;
}

static int history_close(void *cookie)
{
    (void)cookie;
    return 0;
}
#endif

int cli_history_start(cli_history *h, const char *path)
{
    memset(h, 0, sizeof *h);
    h->temp_id = -1;
    if (!path)
        return EXIT_OK;
    xn_error err = {0};
    xn_status s = xn_atomic_check(path, &err);
    if (s != XN_OK) {
        cli_file_error(path, s, &err);
        return EXIT_FAIL;
    }
    h->path = path;
#if XN_HAVE_FOPENCOOKIE
    h->buf = malloc(HISTORY_BLOCK);
    cookie_io_functions_t io = {NULL, history_write, NULL, history_close};
    h->f = h->buf ? fopencookie(h, "w", io) : NULL;
    if (!h->f) {
        free(h->buf);
        h->buf = NULL;
        h->path = NULL;
        cli_error("out of memory for --history");
        return EXIT_FAIL;
    }
#else
    if ((s = open_file(h)) != XN_OK) {
        cli_file_error(path, s, &h->err);
        h->path = NULL;
        return EXIT_FAIL;
    }
    h->f = h->file.f;
#endif
    return EXIT_OK;
}

FILE *cli_history_file(const cli_history *h)
{
    return h->f;
}

/* A failed step: the message, and nothing left behind. */
static int failed(cli_history *h)
{
    cli_file_error(h->path, h->failed, &h->err);
    cli_history_abort(h);
    return EXIT_FAIL;
}

int cli_history_finish(cli_history *h)
{
    if (!h->path)
        return EXIT_OK;
#if XN_HAVE_FOPENCOOKIE
    fclose(h->f); /* its last bytes into the block */
    h->f = NULL;
    if (!h->failed && h->n)
        h->failed = write_block(h);
    if (!h->failed && !h->opened) /* an empty history is a file too */
        h->failed = open_file(h);
#else
    h->f = NULL; /* the atomic file's own stream, closed by finishing it */
#endif
    if (!h->failed) {
        cli_hold_signals();
        h->failed = xn_atomic_finish(&h->file, &h->err);
        cli_release_signals();
    }
    return h->failed ? failed(h) : EXIT_OK;
}

int cli_history_publish(cli_history *h, const char *saved)
{
    if (!h->path)
        return EXIT_OK;
    int rc = EXIT_OK;
    cli_hold_signals();
    xn_status s = xn_atomic_publish(&h->file, &h->err);
    if (s != XN_OK) {
        if (saved)
            cli_error("%s: %s (the model was saved to %s)", h->path, h->err.msg, saved);
        else
            cli_file_error(h->path, s, &h->err);
        rc = EXIT_FAIL;
    }
    cli_history_abort(h);
    cli_release_signals();
    return rc;
}

void cli_history_abort(cli_history *h)
{
    cli_hold_signals();
#if XN_HAVE_FOPENCOOKIE
    if (h->f) {
        h->dropping = true;
        fclose(h->f);
    }
#endif
    h->f = NULL;
    if (h->opened) {
        xn_atomic_abort(&h->file);
        cli_temp_forget(h->temp_id);
    }
    h->opened = false;
    h->temp_id = -1;
    cli_release_signals();
    free(h->buf);
    h->buf = NULL;
    h->n = 0;
    h->path = NULL;
}
