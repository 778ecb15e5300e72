/* The XOR experiments of the reference notebooks (0-3, listed in
 * docs/models.md) as data, and the code that runs them: build the network
 * the notebook built, train it with its optimizer for its number of steps
 * on its rows, and report the losses, accuracy and the four outputs.
 * `xornet models` prints them as a table; tests/test_models.c checks them
 * against the notebooks.  docs/models.md says where each setting comes
 * from. */
#ifndef XORNET_EXPERIMENTS_H
#define XORNET_EXPERIMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xornet/xornet.h"

/* Where an experiment's parameters come from. */
typedef enum {
    XP_DRAWN, /* drawn from a random stream, then trained */
    XP_FILE,  /* read from a model file (data_dir/file), evaluated only */
    XP_HAND   /* set by hand (Goodfellow et al.'s solution), evaluated only */
} xp_kind;

/* The order of the four XOR rows a notebook trains on. */
typedef enum {
    XP_ROWS_BINARY,  /* (0,0) (0,1) (1,0) (1,1): xn_xor_inputs(), notebook 1 */
    XP_ROWS_COLUMNS  /* (0,0) (1,0) (0,1) (1,1): notebooks 0, 2 and 3 */
} xp_rows;

typedef struct {
    const char *name;      /* short and safe in a file name: "nb0-m1" */
    const char *what;      /* one line: the notebook's model and init */
    xp_kind kind;
    size_t n_layers;       /* 1 or 2 */
    size_t sizes[3];       /* n0..nL */
    xn_act acts[2];        /* one a layer */
    xn_loss loss;
    xp_rows rows;
    /* XP_DRAWN */
    xn_rng_kind rng;
    uint64_t seed;         /* the notebook's seed (or the one chosen) */
    xn_init init;
    xn_order order;
    xn_bias_init bias;
    double lr;             /* plain gradient descent's rate */
    size_t steps;          /* its steps, or the solver's iteration limit */
    /* XP_FILE */
    const char *file;      /* a model file's name inside the data directory */
    /* XP_DRAWN: gd (the notebooks'), or XN_OPT_LM with its defaults */
    xn_opt_kind opt;
} xp_def;

/* The experiments, in table order; xp_get returns NULL past the end. */
size_t xp_count(void);
const xp_def *xp_get(size_t i);
/* The experiment called name, or NULL. */
const xp_def *xp_find(const char *name);

/* The rows d trains on, in its notebook's order: x (4, 2), y (4, 1). */
void xp_rows_of(const xp_def *d, const double **x, const double **y);

/* Builds d's network into *out (NULL on failure): XP_DRAWN draws it from
 * d's stream seeded with `seed` (pass d->seed for the notebook's numbers);
 * XP_FILE loads data_dir/d->file (err says where it failed; XN_EIO,
 * XN_EFORMAT, and XN_EDIM if the file holds another architecture); XP_HAND
 * sets the weights.  XN_EINVAL for a seed the stream refuses, XN_ENOMEM. */
xn_status xp_build(const xp_def *d, uint64_t seed, const char *data_dir,
                   xn_net **out, xn_error *err);

typedef struct {
    double loss0;   /* loss before the first step */
    double loss;    /* loss after the last step taken */
    double acc;     /* xn_accuracy after the last step */
    double y[4];    /* outputs at (0,0) (0,1) (1,0) (1,1), whatever d->rows */
    bool learned;   /* each output on the right side of 0.5 */
    size_t steps;   /* steps taken (fewer than d->steps if it diverged) */
} xp_result;

/* Runs d on net (from xp_build): d->steps gradient-descent steps at d->lr,
 * or up to d->steps iterations of d->opt until it stops (none unless
 * XP_DRAWN), then fills *r.  history, if not NULL, holds d->steps + 1
 * doubles and receives the loss after k steps at [k], k = 0..r->steps.
 * XN_ENUMERIC if training diverged: r holds the steps taken and the loss of
 * the last finite step; the other fields are NaN or zero. */
xn_status xp_run(const xp_def *d, xn_net *net, double *history, xp_result *r);

/* How d fares over the seeds 1..k (seed 1 is the notebook's own for 000
 * and 001).  A diverged run counts as not learned, with an infinite loss. */
typedef struct {
    size_t runs, learned, diverged;
    double median_loss;  /* of the final losses */
    double median_acc;   /* of the final accuracies */
} xp_stats;

/* XP_DRAWN only (XN_EINVAL otherwise); k >= 1.  XN_ENOMEM. */
xn_status xp_seeds(const xp_def *d, size_t k, xp_stats *st);

#endif
