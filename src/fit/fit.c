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
 * before its first batch. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agree.h"
#include "fit_impl.h"
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

xn_status xn_fit_check(const xn_fit_config *c, double lr, xn_error *err)
{
    xn_error_clear(err);
    if (!c)
        return xn_fail_setting(err, "config", XN_EINVAL, "no configuration");
    if (c->epochs == 0)
        return xn_fail_setting(err, "epochs", XN_EINVAL, "must be at least 1");
    if (c->shuffle && !c->rng)
        return xn_fail_setting(err, "rng", XN_EINVAL, "shuffling needs a random stream");
    if (!(c->val_split >= 0.0 && c->val_split < 1.0))
        return xn_fail_setting(err, "val_split", XN_EINVAL, "must be in [0, 1)");
    if (c->split < XN_SPLIT_AUTO || c->split > XN_SPLIT_LAST)
        return xn_fail_setting(err, "split", XN_EINVAL, "unknown split %d", (int)c->split);
    if (c->split_seed > 0xffffffffu)
        return xn_fail_setting(err, "split_seed", XN_EINVAL, "NumPy's stream takes seeds below 2^32");
    if (!(c->min_delta >= 0.0) || !isfinite(c->min_delta))
        return xn_fail_setting(err, "min_delta", XN_EINVAL, "must be zero or positive and finite");
    switch (c->schedule) {
    case XN_SCHEDULE_CONSTANT:
        break;
    case XN_SCHEDULE_STEP:
        if (c->lr_step == 0)
            return xn_fail_setting(err, "lr_step", XN_EINVAL, "a step schedule needs at least 1 epoch a step");
        /* fall through */
    case XN_SCHEDULE_EXPONENTIAL:
        if (!(c->lr_gamma > 0.0 && c->lr_gamma <= 1.0))
            return xn_fail_setting(err, "lr_gamma", XN_EINVAL, "the factor must be in (0, 1]");
        break;
    case XN_SCHEDULE_COSINE:
        if (!(c->lr_min >= 0.0 && c->lr_min < lr))
            return xn_fail_setting(err, "lr_min", XN_EINVAL, "the last rate must be in [0, %g), below the rate", lr);
        break;
    default:
        return xn_fail_setting(err, "schedule", XN_EINVAL, "unknown schedule %d", (int)c->schedule);
    }
    if (c->ranks > 1 && (!c->reduce || c->rank >= c->ranks))
        return xn_fail_setting(err, "ranks", XN_EINVAL, "%zu ranks need a reduce hook and a rank below them",
                               c->ranks);
    if (c->n_settings > XN_FIT_MAX_SETTINGS || (c->n_settings && !c->settings))
        return xn_fail_setting(err, "settings", XN_EINVAL, "%zu settings of the caller's, at most %d",
                               c->n_settings, XN_FIT_MAX_SETTINGS);
    for (size_t i = 0; i < c->n_settings; i++)
        if (!c->settings[i].name || (unsigned)c->settings[i].kind > XN_SETTING_FINGERPRINT)
            return xn_fail_setting(err, "settings", XN_EINVAL, "the caller's setting %zu has no name or an "
                                   "unknown kind", i);
    if (c->resume && c->resume->epoch > c->epochs)
        return xn_fail_setting(err, "epochs", XN_EINVAL, "the run to resume is at epoch %zu, past %zu",
                               c->resume->epoch, c->epochs);
    if (c->resume && !(c->resume->lr0 > 0.0 && isfinite(c->resume->lr0)))
        return xn_fail_setting(err, "resume", XN_EINVAL, "the run to resume has no valid learning rate (lr0 %g)",
                               c->resume->lr0);
    return XN_OK;
}

/* The parts of a run's configuration that can be wrong, with why. */
static xn_status check(xn_net *net, const xn_data *d, const xn_fit_config *c, double lr0)
{
    size_t n0 = net->sizes[0], K = net->sizes[net->L];
    if (!d || !d->x || !d->y || d->n == 0)
        return xn_net_fail(net, XN_EINVAL, "fit: no training rows");
    if (d->in != n0 || d->out != K)
        return xn_net_fail(net, XN_EDIM, "fit: the data's rows are %zu + %zu wide (inputs + targets), the network maps %zu to %zu",
                           d->in, d->out, n0, K);
    xn_error err;
    if (xn_fit_check(c, lr0, &err) != XN_OK)
        return xn_net_fail(net, XN_EINVAL, "fit: %s: %s", err.setting, err.msg);
    if (c->val && (c->val->in != n0 || c->val->out != K || !c->val->x || !c->val->y || c->val->n == 0))
        return xn_net_fail(net, XN_EDIM, "fit: the validation data does not fit the network");
    size_t too_many = !xn_rows_ok(d->n, n0 + K)                       ? d->n
                      : c->val && !xn_rows_ok(c->val->n, n0 + K) ? c->val->n
                                                                  : 0;
    if (too_many)
        return xn_net_fail(net, XN_EDIM, "fit: %zu rows are more than memory can address", too_many);
    /* a checkpoint keeps the rate of its last epoch, which the base rate
     * and the schedule give again, to the bit: a run resumed under another
     * schedule, or a damaged lr0, would not be the run it continues */
    if (c->resume && c->resume->epoch > 0 && xn_schedule_lr(c, lr0, c->resume->epoch - 1) != net->opt.lr)
        return xn_net_fail(net, XN_EINVAL, "fit: resume: the run ran epoch %zu at rate %.17g, but its lr0 %.17g "
                           "and this schedule give %.17g (another schedule, or a damaged checkpoint)",
                           c->resume->epoch, net->opt.lr, lr0, xn_schedule_lr(c, lr0, c->resume->epoch - 1));
    return XN_OK;
}

/* What one pass over rows adds up: the loss terms and, for the metric, the
 * rows right (classification) or the squared errors (regression).  Summed
 * across ranks as one vector. */
typedef struct {
    double loss, metric;
} sums;

static void add_metric(const xn_net *net, size_t m, const void *y, sums *s)
{
    size_t K = net->sizes[net->L];
    const void *a = net->a[net->L];
    if (xn_net_task(net) == XN_TASK_CLASSIFICATION) {
        s->metric += (double)net->engine->count_right(m, K, a, y);
    } else if (!net->ysd) {
        s->metric += net->engine->sq_err(m * K, a, y);
    } else { /* standardized targets: the error in the targets' units */
        for (size_t k = 0; k < K; k++) {
            double se = 0.0;
            for (size_t i = 0; i < m; i++) {
                double d = xn_net_get(net, a, i * K + k) - xn_net_get(net, y, i * K + k);
                se += d * d;
            }
            s->metric += se * net->ysd[k] * net->ysd[k];
        }
    }
}

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
    sums s = {0, 0};
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
        s.loss = net->engine->loss_rows(net, m, x, y, n, s.loss);
        /* the targets as the loss saw them: converted, or the caller's */
        add_metric(net, m, net->ys ? net->ys : (const void *)y, &s);
    }
    if (reduce(c, &s.loss, 2, XN_FLOAT64) != 0)
        return xn_net_fail(net, XN_EIO, "fit: the reduce hook failed");
    *loss = xn_loss_mean(net->loss, n, K, s.loss);
    *metric = metric_of(net, n, s.metric);
    return XN_OK;
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

/* One step on batch rows perm[0..m) of (x, y): this rank's slice is
 * gathered in the network's type (standardized on the way), its gradient
 * summed across ranks, and the update applied.  Rows in order need no
 * copy in a double network whose targets are as they are (in_order).  *loss is the batch's loss; s gains
 * it weighted by m / n (so one batch of all n rows gives its loss to the
 * bit), and the metric's sum. */
static xn_status batch_step(xn_net *net, const xn_fit_config *c, const buffers *b, size_t m,
                            const size_t *rows, const double *x, const double *y, bool in_order,
                            sums *s, double *loss)
{
    size_t n0 = net->sizes[0], K = net->sizes[net->L], lo, hi;
    slice(m, c->ranks > 1 ? c->rank : 0, c->ranks > 1 ? c->ranks : 1, &lo, &hi);
    sums part = {0, 0};
    net->grads_fresh = true;
    if (hi > lo) {
        bool direct = in_order && net->dtype == XN_FLOAT64 && !net->ymean;
        const void *bx = x + rows[lo] * n0, *by = y + rows[lo] * K;
        if (!direct) {
            net->engine->rows_in(hi - lo, n0, x, rows + lo, net->mean, net->sd, b->bx);
            net->engine->rows_in(hi - lo, K, y, rows + lo, net->ymean, net->ysd, b->by);
            bx = b->bx;
            by = b->by;
        }
        part.loss = xn_net_accumulate_rows(net, hi - lo, bx, by, m, 0.0, !direct);
        add_metric(net, hi - lo, by, &part);
    } else {
        memset(net->grads, 0, net->nparams * net->engine->size);
    }
    if (reduce(c, net->grads, net->nparams, net->dtype) != 0 || reduce(c, &part.loss, 2, XN_FLOAT64) != 0)
        return xn_net_fail(net, XN_EIO, "fit: the reduce hook failed");
    if (!isfinite(part.loss))
        return xn_net_fail(net, XN_ENUMERIC, "fit: the loss is not finite");
    xn_status st = xn_net_apply_update(net);
    if (st != XN_OK)
        return st;
    *loss = xn_loss_mean(net->loss, m, K, part.loss);
    s->loss += *loss * ((double)m / (double)b->n);
    s->metric += part.metric;
    return XN_OK;
}

xn_status xn_fit(xn_net *net, const xn_data *data, const xn_fit_config *cfg, xn_fit_result *res)
{
    if (!net)
        return XN_EINVAL;
    /* the run's base rate: a schedule scales it epoch by epoch */
    double lr0 = cfg && cfg->resume ? cfg->resume->lr0 : net->opt.lr;
    xn_status st = check(net, data, cfg, lr0);
    if (st == XN_OK && !net->initialized)
        st = xn_net_fail(net, XN_EINVAL, "fit: the network was never initialized");
    /* the ranks of a data-parallel run agree before their first sum, also
     * on whether each passed its own checks: none may stop alone */
    bool parallel = cfg && cfg->ranks > 1 && cfg->reduce && cfg->rank < cfg->ranks;
    if (st != XN_OK && !parallel)
        return st;
    const xn_fit_config *c = cfg;
    size_t n0 = net->sizes[0], K = net->sizes[net->L], nv = 0, n = 0, B = 0, bad_row = 0;
    size_t ranks = parallel ? c->ranks : 1;
    bool early = st == XN_OK && c->patience > 0, keep_best = early && c->restore_best;
    buffers b = {0};
    if (st == XN_OK && (st = make_split(net, data, c, &b, &nv)) == XN_OK) {
        n = b.n;
        B = c->batch == 0 || c->batch >= n ? n : c->batch;
    }
    if (st == XN_OK && c->standardize)
        st = xn_fit_standardize(net, n, n0, data->x, b.train, false, &bad_row);
    if (st == XN_OK && c->standardize_targets)
        st = xn_fit_standardize(net, n, K, data->y, b.train, true, &bad_row);
    if (st == XN_OK && (st = xn_net_need_training(net)) == XN_OK &&
        (st = xn_net_reserve(net, (B + ranks - 1) / ranks)) == XN_OK)
        st = make_buffers(net, (B + ranks - 1) / ranks, keep_best, &b);
    if (parallel)
        st = xn_fit_agree(net, data, c, st, n, nv, B);
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
    r.val_unseen = xn_fit_unseen(net, data, b.train, n, va.idx ? data : &held, va.idx, nv);
    bool stop = false;
    while (!stop && state.epoch < c->epochs) {
        double t0 = now(), lr = xn_schedule_lr(c, lr0, state.epoch);
        if (lr != net->opt.lr && (st = xn_net_set_lr(net, lr)) != XN_OK)
            break;
        if (c->shuffle)
            xn_rng_permutation(c->rng, n, b.perm);
        const size_t *rows = b.perm;
        if (b.train) { /* positions in the training rows to rows of data */
            for (size_t i = 0; i < n; i++)
                b.order[i] = b.train[b.perm[i]];
            rows = b.order;
        }
        size_t batches = (n + B - 1) / B;
        sums s = {0, 0};
        xn_progress p = {.epoch = state.epoch + 1, .epochs = c->epochs, .batches = batches,
                         .task = xn_net_task(net), .lr = lr, .val_loss = NAN, .val_metric = NAN,
                         .state = &state};
        for (size_t bi = 0; st == XN_OK && bi < batches && !stop; bi++) {
            size_t m = n - bi * B < B ? n - bi * B : B;
            /* unshuffled, every batch's rows are in place and need no copy */
            st = batch_step(net, c, &b, m, rows + bi * B, data->x, data->y, !c->shuffle && !b.train, &s, &p.loss);
            if (st == XN_OK && c->on_batch) {
                p.batch = bi + 1;
                stop = agree(c, c->on_batch(&p, c->user) != 0);
                if (stop && bi + 1 < batches)
                    r.stopped_by_callback = true; /* inside an epoch: it does not count */
            }
        }
        if (st != XN_OK || r.stopped_by_callback)
            break;
        state.epoch++;
        p.batch = batches;
        p.loss = r.loss = s.loss;
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
    }
    r.epochs = state.epoch;
    r.best_epoch = state.best_epoch;
    if (st == XN_OK && keep_best && state.best_epoch && state.best_epoch != state.epoch) {
        memcpy(net->params, b.best, net->nparams * net->engine->size);
        r.restored = true;
    }
    if (st == XN_OK && lr0 != net->opt.lr)
        xn_net_set_lr(net, lr0); /* the network keeps its optimizer as given */
    if (res)
        *res = r;
    free_buffers(&b);
    return st;
}
