/* What xornet train says while and after it trains: the progress lines (or
 * a bar on a terminal), the history file's rows, the curves kept for
 * --plot, checkpoints, and the stop at --target-loss.  One train_log is
 * the user pointer of xn_fit's callbacks. */
#ifndef XORNET_TRAIN_LOG_H
#define XORNET_TRAIN_LOG_H

#include <stdbool.h>
#include <stdio.h>

#include "train_curve.h"
#include "xornet/xornet.h"

typedef struct {
    /* what to do, set before the run */
    xn_net *net;
    xn_rng *rng;              /* the shuffling stream (for checkpoints) */
    bool steps;               /* whole-batch steps: "epoch e" is the network
                                 after e steps, as the notebooks count */
    bool tty, quiet;
    size_t every;             /* a progress line every this many epochs */
    size_t epochs;
    size_t checkpoint;        /* every this many epochs, to checkpoint_path */
    const char *checkpoint_path;
    FILE *history;            /* rows as they come, or NULL */
    bool keep_curves;         /* for --plot */
    bool check_ranks;         /* compare the ranks' networks every epoch */
    /* what happened */
    train_curve loss, val_loss, metric, val_metric;
    double first_loss, last_loss;
    int failed;               /* an exit status, once something failed */
    size_t bar_epoch;         /* the epoch the bar is in, since when, and */
    double bar_start, bar_last; /* when it was last drawn */
} train_log;

/* The header row of the history file for a run of this kind. */
void train_log_history_header(const train_log *t, xn_task task);
/* xn_fit's callbacks. */
int train_log_epoch(const xn_progress *p, void *user);
int train_log_batch(const xn_progress *p, void *user);
/* The network after the last step (whole-batch runs): a final progress
 * line and history row for it, as the notebooks print the end. */
void train_log_final(train_log *t, size_t epoch, double loss, double metric);
/* Ends a bar on a terminal. */
void train_log_end(const train_log *t);
void train_log_free(train_log *t);

#endif
