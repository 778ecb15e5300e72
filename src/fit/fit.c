/* The training loop: epochs of mini-batches over a data set, with
 * shuffling from the reference streams, a validation set or split, a
 * learning-rate schedule, early stopping that keeps the best epoch's
 * weights, a callback after every epoch (and batch), and a reduce hook that
 * sums each batch's gradient across the processes of a data-parallel run.
 *
 * A batch of m rows is one optimizer step on the mean loss of its rows.
 * In a run of P processes (ranks) every rank draws the same permutation,
 * computes the gradient of its contiguous slice of each batch scaled for
 * all m rows, and the hook sums the slices, so every rank applies the same
 * update as one process would.  Everything a run allocates it allocates
 * before its first batch.  With lm or lbfgs (src/solve/) an epoch is one
 * iteration of the solver over all the training rows instead. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agree.h"
#include "fit_impl.h"
#include "src/solve/solve.h"
#include "src/util/text.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

xn_task xn_net_task(const xn_net *net)
{
    xn_act out = xn_net_act(net, xn_net_layers(net));
    return out == XN_ACT_SIGMOID || out == XN_ACT_SOFTMAX ? XN_TASK_CLASSIFICATION : XN_TASK_REGRESSION;
}

double xn_schedule_lr(const xn_fit_config *cfg, double lr0, size_t epoch)
{
    if (!cfg)
        return lr0;
    double e = (double)epoch;
    switch (cfg->schedule) {
    case XN_SCHEDULE_STEP:
        return lr0 * pow(cfg->lr_gamma, floor(e / (double)cfg->lr_step));
    case XN_SCHEDULE_EXPONENTIAL:
        return lr0 * pow(cfg->lr_gamma, e);
    case XN_SCHEDULE_COSINE: /* Loshchilov and Hutter (2017), without restarts */
        return cfg->lr_min + (lr0 - cfg->lr_min) * 0.5 * (1.0 + cos(3.14159265358979323846 * e / (double)cfg->epochs));
    case XN_SCHEDULE_CONSTANT:
        break;
    }
    return lr0;
}

/* Rows [lo, hi) of a batch of m rows that rank r of `ranks` computes. */
static void slice(size_t m, size_t r, size_t ranks, size_t *lo, size_t *hi)
{
    *lo = m * r / ranks;
    *hi = m * (r + 1) / ranks;
}

/* What one pass over rows adds up: the loss terms and, for the metric, the
 * rows right (classification) or the squared errors (regression), and the
 * l2 penalty's part of the loss.  Summed across ranks as one vector. */
typedef struct {
    double loss, metric, penalty;
} sums;

/* Accuracy, or RMSE over the n rows. */
static double metric_of(const xn_net *net, size_t n, double metric)
{
    if (xn_net_task(net) == XN_TASK_CLASSIFICATION)
        return metric / (double)n;
    return sqrt(metric / ((double)n * (double)net->sizes[net->L]));
}

static int reduce(const xn_fit_config *c, void *v, size_t n, xn_dtype type)
{
    return c->ranks > 1 ? c->reduce(v, n, type, c->reduce_ctx) : 0;
}

/* Whether any rank's callback asked to stop: every rank must leave the
 * loop together, or the others would wait in the next reduce for ever. */
static bool agree(const xn_fit_config *c, bool stop)
{
    double v = stop;
    return c->ranks > 1 && reduce(c, &v, 1, XN_FLOAT64) == 0 ? v > 0.0 : stop;
}

/* Rows a pass reads: the first n of x, y (idx NULL), or rows idx[0..n),
 * gathered a block at a time into gx (cap, n0) and gy (cap, K). */
typedef struct {
    size_t n;
    const size_t *idx;
    const double *x, *y;
    double *gx, *gy;
} row_set;

/* Copies rows idx[0..m) of x (., k) into out (m, k). */
static void gather(size_t m, size_t k, const double *x, const size_t *idx, double *out)
{
    for (size_t i = 0; i < m; i++)
        memcpy(out + i * k, x + idx[i] * k, k * sizeof *out);
}

/* Loss and metric of the rows of r: this rank's slice, in blocks of the
 * workspace, summed across ranks. */
static xn_status evaluate(xn_net *net, const xn_fit_config *c, const row_set *r, double *loss, double *metric)
{
    size_t n0 = net->sizes[0], K = net->sizes[net->L], lo, hi, n = r->n;
    sums s = {0, 0, 0};
    slice(n, c->ranks > 1 ? c->rank : 0, c->ranks > 1 ? c->ranks : 1, &lo, &hi);
    for (size_t r0 = lo; r0 < hi; r0 += net->cap) {
        size_t m = hi - r0 < net->cap ? hi - r0 : net->cap;
        const double *x = r->x + r0 * n0, *y = r->y + r0 * K;
        if (r->idx) {
            gather(m, n0, r->x, r->idx + r0, r->gx);
            gather(m, K, r->y, r->idx + r0, r->gy);
            x = r->gx;
            y = r->gy;
        }
        s.loss = net->engine->loss_rows(net, m, x, y, XN_SRC_DOUBLE, n, s.loss);
        /* the targets as the loss saw them: converted, or the caller's */
        s.metric = xn_net_metric_sum(net, m, net->ys ? net->ys : (const void *)y, s.metric);
    }
    if (reduce(c, &s.loss, 2, XN_FLOAT64) != 0)
        return xn_net_fail(net, XN_EIO, "fit: the reduce hook failed");
    *loss = xn_loss_mean(net->loss, n, K, s.loss);
    *metric = metric_of(net, n, s.metric);
    return XN_OK;
}

/* Where row r of rows v (., k) of the type t starts. */
static const void *row_at(const void *v, xn_dtype t, size_t r, size_t k)
{
    return t == XN_FLOAT32 ? (const void *)((const float *)v + r * k) : (const void *)((const double *)v + r * k);
}

/* The buffers of a run, made before its first batch. */
typedef struct {
    size_t n;           /* training rows */
    size_t *perm;       /* (n) the epoch's order */
    size_t *train;      /* (N) the training rows of a random split, or NULL */
    size_t *held;       /* (N) its held-out rows */
    size_t *order;      /* (n) the epoch's rows, train[perm[i]] */
    double *gx, *gy;    /* (cap, n0), (cap, K): rows gathered to evaluate */
    void *bx, *by;      /* (rows, n0), (rows, K) of the network's type: a
                           gathered slice */
    void *best;         /* (P) the best epoch's weights, or NULL */
} buffers;

static void free_buffers(buffers *b)
{
    free(b->train);
    free(b->held);
    free(b->order);
    free(b->gx);
    free(b->gy);
    free(b->perm);
    free(b->bx);
    free(b->by);
    free(b->best);
}

/* The training rows of the split: all of data's but the held-out ones,
 * or (for a random split) the rows b->train lists. */
static xn_status make_split(xn_net *net, const xn_data *data, const xn_fit_config *c, buffers *b, size_t *nv)
{
    size_t N = data->n, n;
    xn_split how = c->split == XN_SPLIT_AUTO ? (xn_fit_stratifiable(net) ? XN_SPLIT_STRATIFIED : XN_SPLIT_RANDOM)
                                             : c->split;
    n = c->val ? N : (size_t)floor((double)N * (1.0 - c->val_split));
    if (n == 0)
        return xn_net_fail(net, XN_EDIM, "fit: no training rows are left after the validation split");
    *nv = c->val ? c->val->n : N - n;
    b->n = n;
    if (c->val || n == N || how == XN_SPLIT_LAST)
        return XN_OK; /* the first n rows train, the rest validate: no copy */
    b->train = malloc(N * sizeof *b->train);
    b->held = malloc(N * sizeof *b->held);
    b->order = malloc(n * sizeof *b->order);
    size_t nt;
    if (!b->train || !b->held || !b->order || xn_fit_split(net, data, c, b->train, &nt, b->held, nv) != XN_OK)
        return xn_net_fail(net, XN_ENOMEM, "fit: out of memory for the validation split");
    return XN_OK;
}

static xn_status make_buffers(xn_net *net, size_t rows, bool keep_best, buffers *b)
{
    size_t n0 = net->sizes[0], K = net->sizes[net->L], es = net->engine->size, n = b->n;
    b->perm = malloc(n * sizeof *b->perm);
    b->bx = malloc(rows * n0 * es);
    b->by = malloc(rows * K * es);
    b->best = keep_best ? malloc(net->nparams * es) : NULL;
    if (b->train) {
        b->gx = malloc(net->cap * n0 * sizeof *b->gx);
        b->gy = malloc(net->cap * K * sizeof *b->gy);
    }
    if (!b->perm || !b->bx || !b->by || (keep_best && !b->best) || (b->train && (!b->gx || !b->gy)))
        return xn_net_fail(net, XN_ENOMEM, "fit: out of memory for the batches");
    for (size_t i = 0; i < n; i++)
        b->perm[i] = i;
    return XN_OK;
}

/* One step on batch rows perm[0..m) of d: this rank's slice is gathered
 * in the network's type (standardized on the way), its gradient and l2
 * penalty summed across ranks, and the update applied.  Rows in order
 * need no copy where the network takes the caller's rows as they are
 * (in_order: doubles, converted block by block if it must, or its own
 * type without standardization) and its targets are unscaled.  *loss is
 * the batch's loss and *pen its penalty part; s gains both weighted by
 * m / n (so one batch of all n rows gives its loss to the bit), and the
 * metric's sum. */
static xn_status batch_step(xn_net *net, const xn_fit_config *c, const buffers *b, size_t m,
                            const size_t *rows, const xn_rows *d, bool in_order, sums *s,
                            double *loss, double *pen)
{
    size_t n0 = net->sizes[0], K = net->sizes[net->L], lo, hi;
    slice(m, c->ranks > 1 ? c->rank : 0, c->ranks > 1 ? c->ranks : 1, &lo, &hi);
    sums part = {0, 0, 0};
    net->grads_fresh = true;
    xn_net_begin(net);
    if (hi > lo) {
        xn_src src = d->dtype == XN_FLOAT64 ? XN_SRC_DOUBLE : XN_SRC_OWN;
        bool direct = in_order && !net->ymean && (src == XN_SRC_DOUBLE ? net->dtype == XN_FLOAT64 : !net->mean);
        const void *bx = row_at(d->x, d->dtype, rows[lo], n0), *by = row_at(d->y, d->dtype, rows[lo], K);
        if (!direct) {
            net->engine->gather(net, hi - lo, n0, d->x, src, rows + lo, net->mean, net->sd, b->bx);
            net->engine->gather(net, hi - lo, K, d->y, src, rows + lo, net->ymean, net->ysd, b->by);
            bx = b->bx;
            by = b->by;
        }
        part.loss = xn_net_accumulate_rows(net, hi - lo, bx, by, m, 0.0, direct ? src : XN_SRC_READY);
        part.penalty = xn_net_penalty(net, net->opt.l2, hi - lo, m);
        part.metric = xn_net_metric_sum(net, hi - lo, by, 0.0);
    } else {
        memset(net->grads, 0, net->nparams * net->engine->size);
    }
    if (reduce(c, net->grads, net->nparams, net->dtype) != 0 || reduce(c, &part.loss, 3, XN_FLOAT64) != 0)
        return xn_net_fail(net, XN_EIO, "fit: the reduce hook failed");
    if (!isfinite(part.loss) || !isfinite(part.penalty))
        return xn_net_fail(net, XN_ENUMERIC, "fit: the loss is not finite");
    xn_status st = xn_net_apply_update(net);
    if (st != XN_OK)
        return st;
    *loss = xn_loss_mean(net->loss, m, K, part.loss);
    *pen = part.penalty;
    if (net->opt.l2 > 0.0)
        *loss += part.penalty;
    s->loss += *loss * ((double)m / (double)b->n);
    s->penalty += *pen * ((double)m / (double)b->n);
    s->metric += part.metric;
    return XN_OK;
}

xn_status xn_fit(xn_net *net, const xn_data *data, const xn_fit_config *cfg, xn_fit_result *res)
{
    xn_rows rows = {0};
    if (data)
        rows = (xn_rows){.n = data->n, .in = data->in, .out = data->out, .dtype = XN_FLOAT64,
                         .x = data->x, .y = data->y};
    return xn_fit_rows(net, data ? &rows : NULL, cfg, res);
}

xn_status xn_fit_rows(xn_net *net, const xn_rows *rows_in, const xn_fit_config *cfg, xn_fit_result *res)
{
    if (!net)
        return XN_EINVAL;
    /* the run's base rate: a schedule scales it epoch by epoch */
    double lr0 = cfg && cfg->resume ? cfg->resume->lr0 : net->opt.lr;
    xn_status st = xn_fit_check_rows(net, rows_in, cfg, lr0);
    if (st == XN_OK && !net->initialized)
        st = xn_net_fail(net, XN_EINVAL, "fit: the network was never initialized");
    /* the ranks of a data-parallel run agree before their first sum, also
     * on whether each passed its own checks: none may stop alone */
    bool parallel = cfg && cfg->ranks > 1 && cfg->reduce && cfg->rank < cfg->ranks;
    if (st != XN_OK && !parallel)
        return st;
    /* the rows as a data set, for the parts that read doubles (check keeps
     * float32 rows away from them) */
    const xn_data dset = {.n = rows_in->n, .in = rows_in->in, .out = rows_in->out,
                          .x = (double *)rows_in->x, .y = (double *)rows_in->y};
    const xn_data *data = &dset;
    const xn_fit_config *c = cfg;
    size_t n0 = net->sizes[0], K = net->sizes[net->L], nv = 0, n = 0, B = 0, bad_row = 0;
    size_t ranks = parallel ? c->ranks : 1;
    bool early = st == XN_OK && c->patience > 0, keep_best = early && c->restore_best;
    bool solver = xn_opt_second_order(net->opt.kind), stepped = true, reuse = c && c->resume != NULL;
    buffers b = {0};
    if (st == XN_OK && (st = make_split(net, data, c, &b, &nv)) == XN_OK) {
        n = b.n;
        B = c->batch == 0 || c->batch >= n ? n : c->batch;
    }
    if (st == XN_OK && solver)
        st = xn_fit_solver_check(net, c, n);
    if (st == XN_OK && c->standardize)
        st = xn_fit_standardize(net, n, n0, data->x, b.train, false, &bad_row);
    if (st == XN_OK && c->standardize_targets)
        st = xn_fit_standardize(net, n, K, data->y, b.train, true, &bad_row);
    if (st == XN_OK && (st = xn_net_need_training(net)) == XN_OK &&
        (st = xn_net_reserve(net, (B + ranks - 1) / ranks)) == XN_OK &&
        (st = make_buffers(net, (B + ranks - 1) / ranks, keep_best, &b)) == XN_OK && solver)
        st = xn_solve_prepare(net, n, false, "fit");
    if (parallel)
        st = xn_fit_agree(net, rows_in, c, st, n, nv, B);
    if (st != XN_OK) {
        free_buffers(&b);
        if (res)
            *res = (xn_fit_result){.loss = NAN, .val_loss = NAN, .bad_row = bad_row};
        return st;
    }
    /* the rows each pass reads: the training rows (for the target loss)
     * and the validation rows; with the split LAST, the first n and the
     * rest of data, as they lie */
    row_set tr = {.n = n, .idx = b.train, .x = data->x, .y = data->y};
    row_set va = {.n = nv, .idx = c->val ? NULL : b.held, .x = c->val ? c->val->x : b.held ? data->x : data->x + n * n0,
                  .y = c->val ? c->val->y : b.held ? data->y : data->y + n * K};
    /* a solver's rows, in the network's scale and gathered from a random
     * split, once for the whole run */
    const double *sx = data->x, *sy = data->y;
    if (solver && (net->mean || net->ymean || b.train)) {
        net->engine->rows_in(n, n0, data->x, XN_SRC_DOUBLE, b.train, net->mean, net->sd, b.bx);
        net->engine->rows_in(n, K, data->y, XN_SRC_DOUBLE, b.train, net->ymean, net->ysd, b.by);
        sx = b.bx;
        sy = b.by;
    }
    tr.gx = va.gx = b.gx;
    tr.gy = va.gy = b.gy;
    xn_fit_state state = {.epoch = 0, .best_epoch = 0, .wait = 0, .best_loss = INFINITY, .lr0 = lr0};
    if (c->resume) {
        state = *c->resume;
        if (keep_best && c->resume_best)
            memcpy(b.best, c->resume_best, net->nparams * net->engine->size);
    }
    xn_fit_result r = {.best_epoch = state.best_epoch, .loss = NAN, .val_loss = NAN, .target_epoch_loss = NAN};
    xn_data held = {.n = nv, .in = n0, .out = K, .x = (double *)va.x, .y = (double *)va.y}; /* as va lies */
    r.val_unseen = nv ? xn_fit_unseen(net, data, b.train, n, va.idx ? data : &held, va.idx, nv) : 0;
    bool stop = false;
    while (!stop && state.epoch < c->epochs) {
        double t0 = now(), lr = c->callback_lr ? net->opt.lr : xn_schedule_lr(c, lr0, state.epoch);
        if (lr != net->opt.lr && (st = xn_net_set_lr(net, lr)) != XN_OK)
            break;
        if (c->shuffle && c->reshuffle)
            xn_rng_shuffle(c->rng, n, b.perm);
        else if (c->shuffle)
            xn_rng_permutation(c->rng, n, b.perm);
        const size_t *rows = b.perm;
        if (b.train) { /* positions in the training rows to rows of data */
            for (size_t i = 0; i < n; i++)
                b.order[i] = b.train[b.perm[i]];
            rows = b.order;
        }
        size_t batches = (n + B - 1) / B;
        sums s = {0, 0, 0};
        xn_progress p = {.epoch = state.epoch + 1, .epochs = c->epochs, .batches = batches,
                         .task = xn_net_task(net), .lr = lr, .val_loss = NAN, .val_metric = NAN,
                         .state = &state};
        for (size_t bi = 0; st == XN_OK && bi < batches && !stop; bi++) {
            size_t m = n - bi * B < B ? n - bi * B : B;
            /* unshuffled, every batch's rows are in place and need no copy */
            if (solver) {
                double metric = 0.0;
                st = xn_fit_solver_step(net, n, sx, sy, reuse, &p.loss, &metric, &r.stop, &stepped);
                s.loss += p.loss; /* before the iteration, as a whole-batch step's */
                s.metric += metric;
                reuse = true;
                if (!stepped) /* converged, or no step: no epoch */
                    break;
            } else {
                st = batch_step(net, c, &b, m, rows + bi * B, rows_in, !c->shuffle && !b.train, &s, &p.loss,
                                &p.penalty);
            }
            if (st == XN_OK && c->on_batch) {
                p.batch = bi + 1;
                stop = agree(c, c->on_batch(&p, c->user) != 0);
                if (stop && bi + 1 < batches)
                    r.stopped_by_callback = true; /* inside an epoch: it does not count */
            }
        }
        if (st != XN_OK || r.stopped_by_callback || !stepped)
            break;
        state.epoch++;
        p.batch = batches;
        p.loss = r.loss = s.loss;
        p.penalty = s.penalty;
        p.metric = r.metric = metric_of(net, n, s.metric);
        if (nv && (st = evaluate(net, c, &va, &p.val_loss, &p.val_metric)) != XN_OK)
            break;
        r.val_loss = p.val_loss;
        r.val_metric = p.val_metric;
        /* early stopping watches the validation loss, else the training loss */
        double watched = nv ? p.val_loss : p.loss;
        if (watched < state.best_loss - c->min_delta) {
            state.best_loss = watched;
            state.best_epoch = state.epoch;
            state.wait = 0;
            if (keep_best)
                memcpy(b.best, net->params, net->nparams * net->engine->size);
        } else if (early && ++state.wait >= c->patience) {
            stop = r.stopped_early = true;
        }
        p.best_epoch = state.best_epoch;
        p.best_params = b.best;
        p.seconds = now() - t0;
        if (c->on_epoch && agree(c, c->on_epoch(&p, c->user) != 0))
            stop = r.stopped_by_callback = true;
        if (!stop && c->stop_at_target) { /* the training rows after the epoch */
            double metric;
            if ((st = evaluate(net, c, &tr, &r.target_epoch_loss, &metric)) != XN_OK)
                break;
            stop = r.reached_target = r.target_epoch_loss <= c->target_loss;
        }
        stop |= r.stop != XN_STOP_NONE; /* the solver met a test */
    }
    if (solver && st == XN_OK && r.stop == XN_STOP_NONE && state.epoch == c->epochs)
        r.stop = XN_STOP_MAX_ITER;
    r.epochs = state.epoch;
    r.best_epoch = state.best_epoch;
    if (st == XN_OK && keep_best && state.best_epoch && state.best_epoch != state.epoch) {
        memcpy(net->params, b.best, net->nparams * net->engine->size);
        r.restored = true;
    }
    if (st == XN_OK && !c->callback_lr && lr0 != net->opt.lr)
        xn_net_set_lr(net, lr0); /* the network keeps its optimizer as given */
    if (res)
        *res = r;
    free_buffers(&b);
    return st;
}
