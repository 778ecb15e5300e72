/* xornet train --history FILE: the CSV the run's log writes (train_log.h),
 * replacing FILE only when the run succeeds (docs/robustness.md).
 *
 * The log writes to a stream that keeps its bytes in memory, HISTORY_BLOCK
 * at a time; each full block is appended to FILE's temporary file, opened
 * for the block and closed after it, so no file is held open through the
 * run and a short run makes no temporary file until it ends.  (Where the C
 * library has no fopencookie, the stream is the temporary file itself,
 * open for the whole run.)  The temporary file is registered for removal
 * on a signal (cleanup.h).
 *
 * A run ends in two steps, so that the model can be saved between them:
 * cli_history_finish writes the rest and syncs the file (what a full disk
 * makes fail), cli_history_publish renames it into place.  The functions
 * print their own error and return EXIT_OK or EXIT_FAIL. */
#ifndef XORNET_CLI_HISTORY_H
#define XORNET_CLI_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "xornet/atomic.h"

enum { HISTORY_BLOCK = 1 << 20 }; /* bytes kept in memory at most */

/* A zeroed cli_history is an inactive one: every call does nothing. */
typedef struct {
    const char *path;     /* NULL: no --history */
    FILE *f;              /* what the log writes to */
    xn_atomic file;       /* FILE's temporary file, once a block is written */
    bool opened;
    int temp_id;          /* its registry entry (cleanup.h) */
    char *buf;            /* (HISTORY_BLOCK) bytes waiting */
    size_t n;
    bool dropping;        /* aborted: bytes still flushed are dropped */
    xn_status failed;     /* a block that could not be written, and why */
    xn_error err;
} cli_history;

/* Checks that path can be written (a folder that exists, a kind of file
 * xornet writes) before any work is done, and makes the stream; path
 * NULL leaves h inactive. */
int cli_history_start(cli_history *h, const char *path);
/* The stream for the log's rows; NULL when h is inactive. */
FILE *cli_history_file(const cli_history *h);
int cli_history_finish(cli_history *h);
/* saved: the model file saved since cli_history_finish, named in the
 * message if the rename fails; NULL if none. */
int cli_history_publish(cli_history *h, const char *saved);
/* Drops the temporary file, keeping FILE as it was; safe at any point. */
void cli_history_abort(cli_history *h);

#endif
