/* xn_fit, the training loop: mini-batch runs on the NumPy and Python
 * streams against the reference loops of tests/reference/minibatch.py; the
 * whole batch against the step-by-step loop, to the bit; the validation
 * split, early stopping with the best weights restored, the schedules,
 * standardization, callbacks; a data-parallel run of 2 and 3 ranks (threads
 * joined by a reduce hook) against one process; and the refusals. */
#define _POSIX_C_SOURCE 200809L /* pthread_barrier_t */

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "reference/minibatch.h"
#include "xornet/xornet.h"

enum { N = 40, D = 2, H = 8 };

/* The rows of tests/reference/minibatch.py: dyadic, so exact. */
static void ref_data(double *x, double *y)
{
    for (int i = 0; i < N; i++) {
        x[i * 2] = ((i * 37) % 17) / 16.0;
        x[i * 2 + 1] = ((i * 11) % 13) / 8.0 - 0.75;
        y[i] = (x[i * 2] > 0.5) != (x[i * 2 + 1] > 0.0);
    }
}

static xn_net *make(size_t L, const size_t *sizes, const xn_act *acts, xn_loss loss)
{
    xn_net_config cfg = {.n_layers = L, .sizes = sizes, .acts = acts, .loss = loss};
    xn_net *net = NULL;
    CHECK_STATUS(xn_net_create(&net, &cfg), XN_OK);
    return net;
}

/* ---- 1. the reference loops -------------------------------------------- */

static void reference_loops(void)
{
    static const size_t sizes[3] = {D, H, 1};
    static const xn_act acts[2] = {XN_ACT_RELU, XN_ACT_SIGMOID};
    static const struct {
        xn_rng_kind stream;
        xn_opt_kind kind;
        double lr;
        const double *want;
    } runs[] = {
        {XN_RNG_NUMPY, XN_OPT_GD, 0.5, ref_numpy_gd},
        {XN_RNG_NUMPY, XN_OPT_ADAM, 0.05, ref_numpy_adam},
        {XN_RNG_PYTHON, XN_OPT_GD, 0.5, ref_python_gd},
        {XN_RNG_PYTHON, XN_OPT_MOMENTUM, 0.2, ref_python_momentum},
    };
    double x[N * D], y[N], out[N];
    ref_data(x, y);
    xn_data d = {.n = N, .in = D, .out = 1, .x = x, .y = y};
    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
        xn_net *net = make(2, sizes, acts, XN_LOSS_MSE);
        xn_rng rng;
        xn_rng_seed(&rng, runs[r].stream, 1);
        /* randn(2,8), randn(8,1); or random.uniform(-limit, limit) */
        xn_init init = runs[r].stream == XN_RNG_NUMPY ? XN_INIT_NORMAL : XN_INIT_GLOROT_UNIFORM;
        CHECK_STATUS(xn_net_init(net, init, XN_ORDER_ROW, XN_BIAS_ZERO, &rng), XN_OK);
        xn_opt o = xn_opt_default(runs[r].kind);
        o.lr = runs[r].lr;
        CHECK_STATUS(xn_net_set_opt(net, &o), XN_OK);
        xn_fit_config cfg = {.epochs = 30, .batch = 12, .shuffle = true, .rng = &rng};
        xn_fit_result res;
        CHECK_STATUS(xn_fit(net, &d, &cfg, &res), XN_OK);
        CHECK(res.epochs == 30 && !res.stopped_early);
        CHECK_STATUS(xn_net_predict(net, N, x, out), XN_OK);
        double worst = 0;
        for (int i = 0; i < N; i++)
            worst = fmax(worst, fabs(out[i] - runs[r].want[i]));
        if (!(worst <= 1e-12))
            fprintf(stderr, "reference run %zu: off by %.3g\n", r, worst);
        CHECK(worst <= 1e-12);
        xn_net_destroy(net);
    }
}

/* The permutations themselves, as NumPy 1.24.2 and CPython 3.11.2 print
 * them: np.random.seed(3); np.random.permutation(10) -> [5 4 1 2 9 6 7 0 3 8],
 * then again -> [3 8 2 1 9 4 0 6 7 5]; np.random.permutation(300)[:8] after
 * seed(3) -> [84 217 211 286 31 134 201 248]; random.seed(3);
 * random.shuffle(l := list(range(10))) -> [1, 5, 6, 0, 9, 4, 7, 2, 8, 3],
 * and of range(300) -> [52, 229, 160, 283, 20, 244, 177, 217, ...]. */
static void permutations(void)
{
    static const size_t np1[10] = {5, 4, 1, 2, 9, 6, 7, 0, 3, 8}, np2[10] = {3, 8, 2, 1, 9, 4, 0, 6, 7, 5};
    static const size_t py1[10] = {1, 5, 6, 0, 9, 4, 7, 2, 8, 3};
    static const size_t np300[8] = {84, 217, 211, 286, 31, 134, 201, 248};
    static const size_t py300[8] = {52, 229, 160, 283, 20, 244, 177, 217};
    size_t big[300];
    size_t p[10];
    xn_rng r;
    xn_rng_seed(&r, XN_RNG_NUMPY, 3);
    CHECK_STATUS(xn_rng_permutation(&r, 10, p), XN_OK);
    CHECK(memcmp(p, np1, sizeof p) == 0);
    CHECK_STATUS(xn_rng_permutation(&r, 10, p), XN_OK);
    CHECK(memcmp(p, np2, sizeof p) == 0);
    xn_rng_seed(&r, XN_RNG_PYTHON, 3);
    CHECK_STATUS(xn_rng_permutation(&r, 10, p), XN_OK);
    CHECK(memcmp(p, py1, sizeof p) == 0);
    xn_rng_seed(&r, XN_RNG_NUMPY, 3); /* wider masks: rejections at 300 */
    CHECK_STATUS(xn_rng_permutation(&r, 300, big), XN_OK);
    CHECK(memcmp(big, np300, sizeof np300) == 0);
    xn_rng_seed(&r, XN_RNG_PYTHON, 3);
    CHECK_STATUS(xn_rng_permutation(&r, 300, big), XN_OK);
    CHECK(memcmp(big, py300, sizeof py300) == 0);
    CHECK_STATUS(xn_rng_permutation(NULL, 10, p), XN_EINVAL);
    CHECK_STATUS(xn_rng_permutation(&r, 0, NULL), XN_OK);
}

/* ---- 2. the whole batch is the step-by-step loop ----------------------- */

typedef struct {
    double loss[200], metric[200];
    size_t epochs;
} trace;

static int record(const xn_progress *p, void *user)
{
    trace *t = user;
    t->loss[p->epoch - 1] = p->loss;
    t->metric[p->epoch - 1] = p->metric;
    t->epochs = p->epoch;
    return 0;
}

static void whole_batch(void)
{
    static const size_t sizes[3] = {2, 10, 1};
    static const xn_act acts[2] = {XN_ACT_RELU, XN_ACT_SIGMOID};
    xn_net *a = make(2, sizes, acts, XN_LOSS_MSE), *b = make(2, sizes, acts, XN_LOSS_MSE);
    xn_rng r1, r2;
    xn_rng_seed(&r1, XN_RNG_NUMPY, 1);
    xn_rng_seed(&r2, XN_RNG_NUMPY, 1);
    xn_net_init(a, XN_INIT_NORMAL, XN_ORDER_ROW, XN_BIAS_ZERO, &r1);
    xn_net_init(b, XN_INIT_NORMAL, XN_ORDER_ROW, XN_BIAS_ZERO, &r2);
    xn_opt gd = xn_opt_default(XN_OPT_GD);
    gd.lr = 1.5;
    CHECK_STATUS(xn_net_set_opt(b, &gd), XN_OK);
    xn_data d = {.n = 4, .in = 2, .out = 1, .x = (double *)xn_xor_inputs(), .y = (double *)xn_xor_targets()};
    trace t = {{0}, {0}, 0};
    xn_fit_config cfg = {.epochs = 200, .on_epoch = record, .user = &t};
    CHECK_STATUS(xn_fit(b, &d, &cfg, NULL), XN_OK);
    CHECK(t.epochs == 200);
    bool same = true;
    for (int e = 0; e < 200; e++) {
        double loss;
        CHECK_STATUS(xn_net_train_step(a, 4, xn_xor_inputs(), xn_xor_targets(), &gd, &loss), XN_OK);
        double acc = xn_accuracy(4, 1, xn_net_output(a), xn_xor_targets());
        same &= loss == t.loss[e] && acc == t.metric[e];
    }
    CHECK(same);
    CHECK(memcmp(xn_net_params(a), xn_net_params(b), xn_net_param_count(a) * sizeof(double)) == 0);
    /* a target loss: the run stops after the first epoch whose network is
     * at or below it, and says with which loss (that of the training rows
     * after the epoch, as xn_net_eval_loss has it) */
    double start;
    CHECK_STATUS(xn_net_eval_loss(b, 4, d.x, d.y, &start), XN_OK);
    xn_fit_config target = {.epochs = 1000, .stop_at_target = true, .target_loss = start / 2};
    xn_fit_result res;
    CHECK_STATUS(xn_fit(b, &d, &target, &res), XN_OK);
    double now;
    CHECK_STATUS(xn_net_eval_loss(b, 4, d.x, d.y, &now), XN_OK);
    CHECK(res.reached_target && res.epochs > 1 && res.epochs < 1000 && res.target_epoch_loss == now &&
          now <= start / 2);
    /* the epoch before had not reached it: one step less, from a's copy */
    for (size_t e = 0; e + 1 < res.epochs; e++)
        CHECK_STATUS(xn_net_train_step(a, 4, xn_xor_inputs(), xn_xor_targets(), &gd, NULL), XN_OK);
    double before;
    CHECK_STATUS(xn_net_eval_loss(a, 4, d.x, d.y, &before), XN_OK);
    CHECK(before > start / 2);
    CHECK_STATUS(xn_fit(b, &d, &(xn_fit_config){.epochs = 5, .stop_at_target = true}, &res), XN_OK);
    CHECK(!res.reached_target && res.epochs == 5);
    xn_net_destroy(a);
    xn_net_destroy(b);
}

/* ---- 3. validation, early stopping, schedules, standardization --------- */

typedef struct {
    double val_loss[100], lr[100];
    double *snapshot; /* the weights after each epoch */
    size_t P, epochs;
} watch;

static int watch_epoch(const xn_progress *p, void *user)
{
    watch *w = user;
    w->val_loss[p->epoch - 1] = p->val_loss;
    w->lr[p->epoch - 1] = p->lr;
    w->epochs = p->epoch;
    return 0;
}

static void validation_and_stopping(void)
{
    static const size_t sizes[3] = {D, H, 1};
    static const xn_act acts[2] = {XN_ACT_TANH, XN_ACT_SIGMOID};
    double x[N * D], y[N];
    ref_data(x, y);
    xn_data d = {.n = N, .in = D, .out = 1, .x = x, .y = y};
    xn_net *net = make(2, sizes, acts, XN_LOSS_BCE);
    CHECK_STATUS(xn_net_init_default(net, 7), XN_OK);
    xn_opt adam = xn_opt_default(XN_OPT_ADAM);
    adam.lr = 0.3; /* large: the validation loss soon rises */
    CHECK_STATUS(xn_net_set_opt(net, &adam), XN_OK);
    xn_rng rng;
    xn_rng_seed(&rng, XN_RNG_NUMPY, 5);
    watch w = {.P = xn_net_param_count(net)};
    xn_fit_config cfg = {.epochs = 100, .batch = 8, .shuffle = true, .rng = &rng, .val_split = 0.25,
                         .split = XN_SPLIT_LAST, .patience = 5, .restore_best = true, .on_epoch = watch_epoch, .user = &w,
                         .schedule = XN_SCHEDULE_EXPONENTIAL, .lr_gamma = 0.97};
    xn_fit_result res;
    CHECK_STATUS(xn_fit(net, &d, &cfg, &res), XN_OK);
    CHECK(res.stopped_early && res.restored);
    CHECK(res.epochs == w.epochs && res.epochs < 100);
    CHECK(res.best_epoch + 5 == res.epochs);
    /* the best epoch is the lowest validation loss, and the weights are its
     * own: their validation loss, on the last 10 rows, is that loss */
    double best = INFINITY, now;
    for (size_t e = 0; e < w.epochs; e++)
        best = fmin(best, w.val_loss[e]);
    CHECK(best == w.val_loss[res.best_epoch - 1]);
    CHECK_STATUS(xn_net_eval_loss(net, 10, x + 30 * D, y + 30, &now), XN_OK);
    CHECK_CLOSE(now, best, 0, 1e-15);
    for (size_t e = 0; e < w.epochs; e++)
        CHECK(w.lr[e] == 0.3 * pow(0.97, (double)e));
    CHECK(xn_net_opt(net).lr == 0.3); /* the schedule does not stay behind */
    xn_net_destroy(net);

    /* an equal loss is not a better one: a network at a stationary point
     * (zero weights, a sigmoid at 0.5 on targets of 0.5: every gradient 0)
     * keeps its loss to the bit, and stops once `patience` epochs have not
     * improved on epoch 1 */
    static const size_t flat_sizes[3] = {D, 3, 1};
    xn_net *flat = make(2, flat_sizes, acts, XN_LOSS_MSE);
    CHECK_STATUS(xn_net_init(flat, XN_INIT_ZEROS, XN_ORDER_ROW, XN_BIAS_ZERO, &rng), XN_OK);
    double half[N];
    for (size_t i = 0; i < N; i++)
        half[i] = 0.5;
    xn_data hd = {.n = N, .in = D, .out = 1, .x = x, .y = half};
    xn_fit_config fc = {.epochs = 50, .patience = 3};
    CHECK_STATUS(xn_fit(flat, &hd, &fc, &res), XN_OK);
    CHECK(res.stopped_early && res.epochs == 4 && res.best_epoch == 1 && res.loss == 0.0);
    xn_net_destroy(flat);

    /* the other schedules, as the header writes them */
    xn_fit_config s = {.epochs = 10, .lr_gamma = 0.5, .lr_step = 3, .lr_min = 0.01, .schedule = XN_SCHEDULE_STEP};
    CHECK(xn_schedule_lr(&s, 0.4, 5) == 0.4 * 0.5);
    s.schedule = XN_SCHEDULE_COSINE;
    CHECK(xn_schedule_lr(&s, 0.4, 0) == 0.4);
    CHECK_CLOSE(xn_schedule_lr(&s, 0.4, 5), 0.01 + 0.39 * 0.5, 0, 1e-15);
    s.schedule = XN_SCHEDULE_CONSTANT;
    CHECK(xn_schedule_lr(&s, 0.4, 7) == 0.4);
    xn_schedule k;
    CHECK_STATUS(xn_schedule_parse("cosine", &k), XN_OK);
    CHECK(k == XN_SCHEDULE_COSINE && strcmp(xn_schedule_name(XN_SCHEDULE_STEP), "step") == 0);
}

static void standardization(void)
{
    static const size_t sizes[3] = {3, 4, 2};
    static const xn_act acts[2] = {XN_ACT_RELU, XN_ACT_SOFTMAX};
    enum { R = 6 };
    /* column 0 in the hundreds, column 1 constant, column 2 small */
    double x[R * 3] = {100, 5, 0.1, 200, 5, 0.3, 300, 5, 0.2, 400, 5, 0.6, 500, 5, 0.5, 600, 5, 0.4};
    double y[R * 2] = {1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1};
    xn_data d = {.n = R, .in = 3, .out = 2, .x = x, .y = y};
    xn_net *net = make(2, sizes, acts, XN_LOSS_CCE);
    CHECK_STATUS(xn_net_init_default(net, 1), XN_OK);
    xn_fit_config cfg = {.epochs = 3, .batch = 2, .standardize = true, .val_split = 1.0 / 3.0,
                         .split = XN_SPLIT_LAST};
    CHECK_STATUS(xn_fit(net, &d, &cfg, NULL), XN_OK);
    /* from the 4 training rows only: mean 250, sd sqrt(12500); column 1
     * constant: centred, sd 1 */
    const double *mean = xn_net_input_mean(net), *sd = xn_net_input_sd(net);
    CHECK(mean && sd);
    if (mean && sd) {
        CHECK(mean[0] == 250.0 && sd[0] == sqrt(12500.0));
        CHECK(mean[1] == 5.0 && sd[1] == 1.0);
        CHECK_CLOSE(mean[2], 0.3, 0, 1e-15);
    }
    /* predict takes raw rows: the same as a copy without standardization
     * fed the standardized rows */
    xn_net *plain;
    CHECK_STATUS(xn_net_clone(&plain, net), XN_OK);
    CHECK_STATUS(xn_net_set_standardization(plain, NULL, NULL), XN_OK);
    double xs[R * 3], a[R * 2], b[R * 2];
    for (int i = 0; i < R; i++)
        for (int j = 0; j < 3; j++)
            xs[i * 3 + j] = (x[i * 3 + j] - mean[j]) / sd[j];
    CHECK_STATUS(xn_net_predict(net, R, x, a), XN_OK);
    CHECK_STATUS(xn_net_predict(plain, R, xs, b), XN_OK);
    CHECK(memcmp(a, b, sizeof a) == 0);
    double bad_sd[3] = {1, 0, 1};
    CHECK_STATUS(xn_net_set_standardization(net, mean, bad_sd), XN_EINVAL);
    CHECK(strstr(xn_net_error(net), "sd 2 must be positive") != NULL);
    /* values near the largest double: the plain sums overflow, the scaled
     * ones do not, and the network trains on them standardized */
    double huge[R * 3];
    memcpy(huge, x, sizeof huge);
    for (int i = 0; i < R; i++)
        huge[i * 3 + 2] = (i % 2 ? -1.5 : 1.7) * 1e308;
    xn_data big = {.n = R, .in = 3, .out = 2, .x = huge, .y = y};
    xn_fit_result res;
    CHECK_STATUS(xn_fit(net, &big, &cfg, &res), XN_OK);
    mean = xn_net_input_mean(net);
    sd = xn_net_input_sd(net);
    CHECK(mean && sd && isfinite(mean[2]) && isfinite(sd[2]));
    if (mean && sd) { /* rows 0..3: 1.7, -1.5, 1.7, -1.5 (e308) */
        CHECK_CLOSE(mean[2], 0.1e308, 0, 1e-14);
        CHECK_CLOSE(sd[2], 1.6e308, 0, 1e-14);
    }
    /* a value further from its column's mean than a double holds cannot be
     * standardized: the data's fault (XN_EINVAL naming its row), not a
     * divergence */
    for (int i = 0; i < R; i++)
        huge[i * 3 + 2] = (i == 2 ? -1.7 : 1.7) * 1e308;
    CHECK_STATUS(xn_fit(net, &big, &cfg, &res), XN_EINVAL);
    CHECK(res.bad_row == 3);
    CHECK(strcmp(xn_net_error(net), "fit: input column 3 cannot be standardized: -1.7e+308 is further from the "
                                    "column's mean than a double holds; scale the data") == 0);
    xn_net_destroy(plain);
    xn_net_destroy(net);
}

/* ---- 4. data parallelism: ranks as threads joined by a reduce hook ------ */

typedef struct {
    pthread_barrier_t bar;
    double *slots[3]; /* each rank's vector, summed in rank order */
    size_t ranks;
} group;

typedef struct {
    group *g;
    size_t rank;
} member;

/* Every rank publishes its vector, all wait, each sums every slot in rank
 * order into a private copy, all wait, then write it back: the same bits
 * everywhere, as the hook must. */
static int thread_reduce(void *vv, size_t n, xn_dtype type, void *ctx)
{
    member *m = ctx;
    group *g = m->g;
    double *v = vv, *sum = calloc(n, sizeof *sum);
    if (!sum || type != XN_FLOAT64) { /* these runs are double throughout */
        free(sum);
        return -1;
    }
    g->slots[m->rank] = v;
    pthread_barrier_wait(&g->bar);
    for (size_t r = 0; r < g->ranks; r++)
        for (size_t i = 0; i < n; i++)
            sum[i] += g->slots[r][i];
    pthread_barrier_wait(&g->bar);
    memcpy(v, sum, n * sizeof *v);
    free(sum);
    return 0;
}

typedef struct {
    member me;
    double x[N * D], y[N];
    double params[D * H + H + H + 1];
    xn_status status;
} rank_run;

static void *run_rank(void *arg)
{
    rank_run *r = arg;
    static const size_t sizes[3] = {D, H, 1};
    static const xn_act acts[2] = {XN_ACT_RELU, XN_ACT_SIGMOID};
    xn_net *net = make(2, sizes, acts, XN_LOSS_MSE);
    xn_rng rng;
    xn_rng_seed(&rng, XN_RNG_NUMPY, 1);
    xn_net_init(net, XN_INIT_NORMAL, XN_ORDER_ROW, XN_BIAS_ZERO, &rng);
    xn_opt adam = xn_opt_default(XN_OPT_ADAM);
    adam.lr = 0.05;
    xn_net_set_opt(net, &adam);
    xn_data d = {.n = N, .in = D, .out = 1, .x = r->x, .y = r->y};
    size_t ranks = r->me.g ? r->me.g->ranks : 1;
    xn_fit_config cfg = {.epochs = 30, .batch = 12, .shuffle = true, .rng = &rng, .val_split = 0.2,
                         .reduce = ranks > 1 ? thread_reduce : NULL, .reduce_ctx = &r->me,
                         .rank = r->me.rank, .ranks = ranks};
    r->status = xn_fit(net, &d, &cfg, NULL);
    memcpy(r->params, xn_net_params(net), sizeof r->params);
    xn_net_destroy(net);
    return NULL;
}

static void data_parallel(void)
{
    rank_run *one = calloc(1, sizeof *one);
    ref_data(one->x, one->y);
    run_rank(one);
    CHECK_STATUS(one->status, XN_OK);
    for (size_t ranks = 2; ranks <= 3; ranks++) {
        group g = {.ranks = ranks};
        pthread_barrier_init(&g.bar, NULL, (unsigned)ranks);
        rank_run *runs = calloc(ranks, sizeof *runs);
        pthread_t t[3];
        for (size_t r = 0; r < ranks; r++) {
            runs[r].me = (member){&g, r};
            ref_data(runs[r].x, runs[r].y);
            pthread_create(&t[r], NULL, run_rank, &runs[r]);
        }
        for (size_t r = 0; r < ranks; r++)
            pthread_join(t[r], NULL);
        for (size_t r = 0; r < ranks; r++) {
            CHECK_STATUS(runs[r].status, XN_OK);
            /* bit-identical across ranks */
            CHECK(memcmp(runs[r].params, runs[0].params, sizeof runs[0].params) == 0);
        }
        double worst = 0;
        for (size_t i = 0; i < sizeof one->params / sizeof one->params[0]; i++)
            worst = fmax(worst, fabs(runs[0].params[i] - one->params[i]) / fmax(1.0, fabs(one->params[i])));
        if (!(worst <= 1e-12))
            fprintf(stderr, "%zu ranks: weights off by %.3g relative\n", ranks, worst);
        CHECK(worst <= 1e-12);
        pthread_barrier_destroy(&g.bar);
        free(runs);
    }
    free(one);
}

/* ---- 4b. ranks that disagree: every rank stops, with the same message -- */

/* One rank's run in a disagreement: its own data, network and options. */
typedef struct {
    member me;
    double x[(N + 1) * 3], y[N + 1];
    xn_data d, val;
    size_t sizes[3];
    xn_dtype dtype;
    xn_fit_config cfg;
    xn_setting seed;
    xn_status status;
    char msg[200];
} ranked;

static int no_stop(const xn_progress *p, void *user)
{
    (void)p;
    (void)user;
    return 0;
}

static void *run_ranked(void *arg)
{
    ranked *r = arg;
    static const xn_act acts[2] = {XN_ACT_RELU, XN_ACT_SIGMOID};
    xn_net_config nc = {.n_layers = 2, .sizes = r->sizes, .acts = acts, .loss = XN_LOSS_MSE, .dtype = r->dtype};
    xn_net *net = NULL;
    CHECK_STATUS(xn_net_create(&net, &nc), XN_OK);
    CHECK_STATUS(xn_net_init_default(net, 1), XN_OK);
    r->cfg.reduce = thread_reduce;
    r->cfg.reduce_ctx = &r->me;
    r->cfg.rank = r->me.rank;
    r->cfg.ranks = r->me.g->ranks;
    r->status = xn_fit(net, &r->d, &r->cfg, NULL);
    snprintf(r->msg, sizeof r->msg, "%s", xn_net_error(net));
    xn_net_destroy(net);
    return NULL;
}

/* rank `odd` of `ranks` gets what `tweak` makes of it; every rank must fail
 * with `status` and the message `want`. */
static void disagree(size_t ranks, size_t odd, void (*tweak)(ranked *), xn_status status, const char *want)
{
    group g = {.ranks = ranks};
    pthread_barrier_init(&g.bar, NULL, (unsigned)ranks);
    ranked *runs = calloc(ranks, sizeof *runs);
    pthread_t t[3];
    for (size_t r = 0; r < ranks; r++) {
        ranked *k = &runs[r];
        k->me = (member){&g, r};
        ref_data(k->x, k->y);
        k->d = (xn_data){.n = N, .in = D, .out = 1, .x = k->x, .y = k->y};
        k->sizes[0] = D;
        k->sizes[1] = H;
        k->sizes[2] = 1;
        k->dtype = XN_FLOAT64;
        k->seed = (xn_setting){"seed", XN_SETTING_NUMBER, 1};
        k->cfg = (xn_fit_config){.epochs = 3, .batch = 8, .val_split = 0.2, .settings = &k->seed,
                                 .n_settings = 1};
        if (r == odd)
            tweak(k);
    }
    for (size_t r = 0; r < ranks; r++)
        pthread_create(&t[r], NULL, run_ranked, &runs[r]);
    for (size_t r = 0; r < ranks; r++)
        pthread_join(t[r], NULL);
    for (size_t r = 0; r < ranks; r++) {
        if (runs[r].status != status || strcmp(runs[r].msg, want) != 0)
            fprintf(stderr, "rank %zu of %zu: status %d, '%s'; expected %d, '%s'\n", r, ranks,
                    (int)runs[r].status, runs[r].msg, (int)status, want);
        CHECK(runs[r].status == status && strcmp(runs[r].msg, want) == 0);
    }
    pthread_barrier_destroy(&g.bar);
    free(runs);
}

static void fewer_rows(ranked *k) { k->d.n = N - 4; }
static void stale_value(ranked *k) { k->x[17] += 1.0 / 1024; }
static void other_seed(ranked *k) { k->seed.value = 2; }
static void more_epochs(ranked *k) { k->cfg.epochs = 4; }
static void other_batch(ranked *k) { k->cfg.batch = 5; }
static void wider(ranked *k)
{
    for (size_t i = N; i-- > 0;) /* a third column of zeros, moved in place from the end */
        for (size_t j = 3; j-- > 0;)
            k->x[i * 3 + j] = j < 2 ? k->x[i * 2 + j] : 0.0;
    k->d.in = k->sizes[0] = 3;
}
static void float32(ranked *k) { k->dtype = XN_FLOAT32; }
static void bar(ranked *k) { k->cfg.on_batch = no_stop; }
static void patience(ranked *k) { k->cfg.patience = 2; }
static void min_delta(ranked *k) { k->cfg.min_delta = 0.1; }
static void bad_val(ranked *k)
{
    k->val = (xn_data){.n = 4, .in = 3, .out = 1, .x = k->x, .y = k->y};
    k->cfg.val = &k->val;
    k->cfg.val_split = 0.0;
}

static void ranks_disagree(void)
{
    disagree(2, 1, fewer_rows, XN_EINVAL, "fit: rank 1 has 28 training rows, rank 0 has 32");
    disagree(3, 2, stale_value, XN_EINVAL, "fit: rank 2 has other training data than rank 0");
    disagree(3, 1, other_seed, XN_EINVAL, "fit: rank 1 has seed 2, rank 0 has 1");
    disagree(2, 1, more_epochs, XN_EINVAL, "fit: rank 1 has 4 epochs, rank 0 has 3");
    disagree(3, 2, other_batch, XN_EINVAL, "fit: rank 2 has 5 rows a batch, rank 0 has 8");
    disagree(2, 1, wider, XN_EINVAL, "fit: rank 1 has 3 inputs, rank 0 has 2");
    disagree(2, 1, float32, XN_EINVAL, "fit: rank 1 has element type float32, rank 0 has float64");
    disagree(3, 0, bar, XN_EINVAL, "fit: rank 1 has a batch callback off, rank 0 has it on");
    disagree(2, 1, patience, XN_EINVAL, "fit: rank 1 has patience 2, rank 0 has 0");
    disagree(2, 1, min_delta, XN_EINVAL, "fit: rank 1 has min_delta 0.1, rank 0 has 0");
    disagree(3, 1, bad_val, XN_EDIM, "fit: rank 1: the validation data does not fit the network");
}

/* ---- 5. a checkpointed run resumes exactly ----------------------------- */

typedef struct {
    const char *path;
    size_t at;      /* save after this epoch and stop */
    xn_net *net;
    xn_rng *rng;
} saver;

static int save_and_stop(const xn_progress *p, void *user)
{
    saver *s = user;
    if (p->epoch != s->at)
        return 0;
    xn_checkpoint ck = {.fit = *p->state, .rng = *s->rng, .best = (double *)p->best_params};
    CHECK_STATUS(xn_checkpoint_save(s->net, &ck, s->path, NULL), XN_OK);
    return 1;
}

/* A bce network drawn glorot-uniform from rng, seeded (kind, seed), with
 * Adam at lr and decay as its optimizer. */
static xn_net *adam_net(size_t L, const size_t *sizes, const xn_act *acts, xn_rng *rng, xn_rng_kind kind,
                        uint64_t seed, double lr, double decay)
{
    xn_net *net = make(L, sizes, acts, XN_LOSS_BCE);
    xn_rng_seed(rng, kind, seed);
    xn_net_init(net, XN_INIT_GLOROT_UNIFORM, XN_ORDER_ROW, XN_BIAS_ZERO, rng);
    xn_opt adam = xn_opt_default(XN_OPT_ADAM);
    adam.lr = lr;
    adam.weight_decay = decay;
    xn_net_set_opt(net, &adam);
    return net;
}

static void resume(void)
{
    static const size_t sizes[4] = {D, 12, 6, 1};
    static const xn_act acts[3] = {XN_ACT_TANH, XN_ACT_RELU, XN_ACT_SIGMOID};
    double x[N * D], y[N];
    ref_data(x, y);
    xn_data d = {.n = N, .in = D, .out = 1, .x = x, .y = y};
    double *final[2];
    size_t P = 0;
    const char *path = "test_fit_resume.ckpt";
    for (int split = 0; split < 2; split++) {
        xn_rng rng;
        xn_net *net = adam_net(3, sizes, acts, &rng, XN_RNG_PYTHON, 21, 0.02, 0.01);
        saver sv = {path, 5, net, &rng};
        xn_fit_config cfg = {.epochs = 12, .batch = 7, .shuffle = true, .rng = &rng, .val_split = 0.25,
                             .standardize = true, .patience = 50, .restore_best = true,
                             .schedule = XN_SCHEDULE_COSINE, .lr_min = 0.001};
        if (split) { /* stop after 5 epochs with a checkpoint, then go on from it */
            cfg.on_epoch = save_and_stop;
            cfg.user = &sv;
            CHECK_STATUS(xn_fit(net, &d, &cfg, NULL), XN_OK);
            xn_net_destroy(net);
            xn_checkpoint ck;
            xn_error err;
            CHECK_STATUS(xn_checkpoint_load(&net, &ck, path, &err), XN_OK);
            if (!net) {
                fprintf(stderr, "checkpoint: line %zu: %s\n", err.line, err.msg);
                return;
            }
            CHECK(ck.fit.epoch == 5 && ck.best != NULL && ck.fit.lr0 == 0.02);
            CHECK(xn_net_opt(net).weight_decay == 0.01);
            rng = ck.rng;
            cfg.on_epoch = NULL;
            cfg.resume = &ck.fit;
            cfg.resume_best = ck.best;
            CHECK_STATUS(xn_fit(net, &d, &cfg, NULL), XN_OK);
            free(ck.best);
            /* hand edits the reader refuses, each naming its line: the
             * rules the writer keeps too (xn_checkpoint_save below) */
            FILE *f = fopen(path, "rb");
            static char text[1 << 16];
            size_t len = f ? fread(text, 1, sizeof text - 1, f) : 0;
            if (f)
                fclose(f);
            text[len] = '\0';
            char *vw1 = strstr(text, "\nvW1 "), *v11 = vw1 ? strchr(vw1 + 1, '\n') + 1 : NULL;
            char first_v[64] = "";
            if (v11)
                sscanf(v11, "%63s", first_v);
            char steps[64] = "";
            const char *st_at = strstr(text, " steps ");
            if (st_at) {
                memcpy(steps, "steps ", 6);
                sscanf(st_at + 1, "%*s %57s", steps + 6);
            }
            const char *const edits[][3] = {
                {"has_gauss 0", "has_gauss 2", "bad has_gauss '2'"},
                {"best_epoch 5", "best_epoch 6", "best_epoch 6 is after epoch 5"},
                {"lr0 0.02", "lr0 -.02", "lr0 must be a positive number"},
                {"wait 0", "wait 9", "wait 9 is longer than the 5 epochs done"},
                {steps, "steps 18446744073709551615", "steps 18446744073709551615 is over the limit of 9007199254740992"},
                {first_v, "-0.5", "'-0.5' in column 1 is negative: a second moment is a mean of squares"},
            };
            for (size_t e = 0; e < sizeof edits / sizeof edits[0]; e++) {
                char *at = edits[e][0][0] ? strstr(e == 5 ? v11 : text, edits[e][0]) : NULL;
                CHECK(at != NULL);
                if (!at)
                    continue;
                static char edited[1 << 16];
                size_t pre = (size_t)(at - text), old = strlen(edits[e][0]);
                snprintf(edited, sizeof edited, "%.*s%s%s", (int)pre, text, edits[e][1], at + old);
                FILE *g = fopen("test_fit_edited.ckpt", "wb");
                if (g) {
                    fwrite(edited, 1, strlen(edited), g);
                    fclose(g);
                }
                xn_net *bad = NULL;
                xn_checkpoint bad_ck;
                xn_status bs = xn_checkpoint_load(&bad, &bad_ck, "test_fit_edited.ckpt", &err);
                if (bs != XN_EFORMAT || !strstr(err.msg, edits[e][2]))
                    fprintf(stderr, "checkpoint edit '%s': status %d, '%s'\n", edits[e][1], (int)bs, err.msg);
                CHECK(bs == XN_EFORMAT && strstr(err.msg, edits[e][2]) != NULL);
                CHECK(bad == NULL && err.line > 0);
                remove("test_fit_edited.ckpt");
            }
            /* a base rate the schedule does not lead to the saved rate from
             * (a damaged lr0, or resuming under another schedule) is refused
             * before any step, not taken for divergence */
            for (int k = 0; k < 2; k++) {
                char *at = strstr(text, "lr0 0.02");
                CHECK(at != NULL);
                if (!at)
                    break;
                FILE *g = fopen("test_fit_edited.ckpt", "wb");
                if (g) {
                    fwrite(text, 1, len, g);
                    if (k == 0) { /* lr0 0.03 */
                        fseek(g, (long)(at - text) + 7, SEEK_SET);
                        fputc('3', g);
                    }
                    fclose(g);
                }
                xn_net *other = NULL;
                xn_checkpoint oc;
                CHECK_STATUS(xn_checkpoint_load(&other, &oc, "test_fit_edited.ckpt", &err), XN_OK);
                xn_rng orng = oc.rng;
                xn_fit_config again = cfg;
                again.rng = &orng;
                again.resume = &oc.fit;
                again.resume_best = oc.best;
                if (k == 1)
                    again.schedule = XN_SCHEDULE_CONSTANT;
                CHECK_STATUS(xn_fit(other, &d, &again, NULL), XN_EINVAL);
                CHECK(strstr(xn_net_error(other), "fit: resume: the run ran epoch 5 at rate ") != NULL);
                free(oc.best);
                xn_net_destroy(other);
                remove("test_fit_edited.ckpt");
            }
            /* the writer refuses what the reader would */
            xn_checkpoint zero_lr = {.fit = {.epoch = 1}, .rng = rng};
            remove("test_fit_never.ckpt");
            CHECK_STATUS(xn_checkpoint_save(net, &zero_lr, "test_fit_never.ckpt", &err), XN_EINVAL);
            CHECK(strcmp(err.msg, "lr0 must be a positive number; nothing written") == 0);
            xn_checkpoint two_gauss = {.fit = {.epoch = 1, .lr0 = 0.1}, .rng = rng};
            two_gauss.rng.has_gauss = 2;
            CHECK_STATUS(xn_checkpoint_save(net, &two_gauss, "test_fit_never.ckpt", &err), XN_EINVAL);
            CHECK(access("test_fit_never.ckpt", F_OK) != 0);
            /* a model reader takes the checkpoint as a model */
            xn_net *model;
            CHECK_STATUS(xn_net_load(&model, path, NULL), XN_OK);
            CHECK(model && xn_net_input_mean(model) != NULL);
            xn_net_destroy(model);
            remove(path);
        } else {
            CHECK_STATUS(xn_fit(net, &d, &cfg, NULL), XN_OK);
        }
        P = xn_net_param_count(net);
        final[split] = malloc(P * sizeof(double));
        memcpy(final[split], xn_net_params(net), P * sizeof(double));
        xn_net_destroy(net);
    }
    CHECK(memcmp(final[0], final[1], P * sizeof(double)) == 0);
    free(final[0]);
    free(final[1]);
}

/* A checkpoint in the middle of a patience run: early stopping's count of
 * epochs without a better loss (wait) goes on where it was, so the resumed
 * run stops at the straight run's epoch with its weights. */
/* The second run's callback: checkpoint one epoch before the stop. */
static int save_before_stop(const xn_progress *p, void *user)
{
    saver *sv = user;
    return sv->path ? save_and_stop(p, sv) : 0;
}

static void resume_in_patience(void)
{
    double x[N * D], y[N];
    ref_data(x, y);
    xn_data d = {.n = N, .in = D, .out = 1, .x = x, .y = y};
    static const size_t sizes[3] = {D, 16, 1};
    static const xn_act acts[2] = {XN_ACT_TANH, XN_ACT_SIGMOID};
    const char *path = "test_fit_patience.ckpt";
    size_t stop = 0, epochs[2] = {0, 0};
    double *final[2] = {NULL, NULL};
    size_t P = 0;
    for (int split = 0; split < 2; split++) {
        xn_rng rng; /* a large rate: the validation loss soon stops improving */
        xn_net *net = adam_net(2, sizes, acts, &rng, XN_RNG_NUMPY, 3, 0.1, 0.0);
        saver sv = {split ? path : NULL, stop - 1, net, &rng};
        xn_fit_config cfg = {.epochs = 300, .batch = 6, .shuffle = true, .rng = &rng, .val_split = 0.3,
                             .patience = 4, .restore_best = false, .on_epoch = save_before_stop, .user = &sv};
        xn_fit_result res;
        CHECK_STATUS(xn_fit(net, &d, &cfg, &res), XN_OK);
        if (!split) {
            stop = res.epochs;
            CHECK(res.stopped_early && stop >= 3 && stop < 300);
            epochs[0] = res.epochs;
        } else { /* go on from the checkpoint one epoch before the stop, wait 3 */
            xn_net_destroy(net);
            xn_checkpoint ck;
            CHECK_STATUS(xn_checkpoint_load(&net, &ck, path, NULL), XN_OK);
            if (!net)
                return;
            CHECK(ck.fit.epoch == stop - 1 && ck.fit.wait == 3);
            rng = ck.rng;
            cfg.on_epoch = NULL;
            cfg.resume = &ck.fit;
            CHECK_STATUS(xn_fit(net, &d, &cfg, &res), XN_OK);
            CHECK(res.stopped_early);
            epochs[1] = res.epochs;
            free(ck.best);
            remove(path);
        }
        P = xn_net_param_count(net);
        final[split] = malloc(P * sizeof(double));
        memcpy(final[split], xn_net_params(net), P * sizeof(double));
        xn_net_destroy(net);
    }
    if (epochs[0] != epochs[1])
        fprintf(stderr, "patience run: stopped after epoch %zu straight, %zu resumed\n", epochs[0], epochs[1]);
    CHECK(epochs[0] == epochs[1]);
    CHECK(memcmp(final[0], final[1], P * sizeof(double)) == 0);
    free(final[0]);
    free(final[1]);
}

/* ---- 6. callbacks and refusals ----------------------------------------- */

static int stop_at_3(const xn_progress *p, void *user)
{
    (void)user;
    return p->epoch == 3;
}

static int count_batches(const xn_progress *p, void *user)
{
    size_t *n = user;
    (*n)++;
    return p->batches != 4; /* 40 rows in batches of 12 */
}

static void callbacks_and_refusals(void)
{
    static const size_t sizes[3] = {D, H, 1};
    static const xn_act acts[2] = {XN_ACT_RELU, XN_ACT_SIGMOID};
    double x[N * D], y[N];
    ref_data(x, y);
    xn_data d = {.n = N, .in = D, .out = 1, .x = x, .y = y};
    xn_net *net = make(2, sizes, acts, XN_LOSS_MSE);
    xn_fit_config cfg = {.epochs = 10};
    CHECK_STATUS(xn_fit(net, &d, &cfg, NULL), XN_EINVAL);
    CHECK(strcmp(xn_net_error(net), "fit: the network was never initialized") == 0);
    CHECK_STATUS(xn_net_init_default(net, 2), XN_OK);
    xn_fit_result res;
    cfg.on_epoch = stop_at_3;
    CHECK_STATUS(xn_fit(net, &d, &cfg, &res), XN_OK);
    CHECK(res.epochs == 3 && res.stopped_by_callback);
    size_t batches = 0;
    xn_fit_config per_batch = {.epochs = 2, .batch = 12, .on_batch = count_batches, .user = &batches};
    CHECK_STATUS(xn_fit(net, &d, &per_batch, &res), XN_OK);
    CHECK(batches == 8 && res.epochs == 2);

    xn_fit_state at_4 = {.epoch = 4, .lr0 = 0.1}, no_lr = {.epoch = 1, .lr0 = NAN}, zeroed = {.epoch = 1};
    xn_data too_many = {.n = SIZE_MAX / 2 + 1, .in = 2, .out = 1, .x = x, .y = y};
    const struct {
        xn_fit_config cfg;
        const char *msg;
    } bad[] = {
        {{.epochs = 0}, "fit: epochs: must be at least 1"},
        {{.epochs = 1, .shuffle = true}, "fit: rng: shuffling needs a random stream"},
        {{.epochs = 1, .val_split = 1.0}, "fit: val_split: must be in [0, 1)"},
        {{.epochs = 1, .schedule = XN_SCHEDULE_STEP, .lr_gamma = 0.5}, "fit: lr_step: a step schedule needs at least 1 epoch a step"},
        {{.epochs = 1, .schedule = XN_SCHEDULE_EXPONENTIAL, .lr_gamma = 2}, "fit: lr_gamma: the factor must be in (0, 1]"},
        {{.epochs = 1, .schedule = XN_SCHEDULE_COSINE, .lr_min = 1}, "fit: lr_min: the last rate must be in [0, 0.01), below the rate"},
        {{.epochs = 1, .ranks = 2}, "fit: ranks: 2 ranks need a reduce hook and a rank below them"},
        {{.epochs = 1, .val_split = 0.99}, "fit: no training rows are left after the validation split"},
        {{.epochs = 3, .resume = &at_4}, "fit: epochs: the run to resume is at epoch 4, past 3"},
        {{.epochs = 3, .resume = &no_lr}, "fit: resume: the run to resume has no valid learning rate (lr0 nan)"},
        {{.epochs = 3, .resume = &zeroed}, "fit: resume: the run to resume has no valid learning rate (lr0 0)"},
        {{.epochs = 1, .val = &too_many}, "fit: 9223372036854775808 rows are more than memory can address"},
    };
    for (size_t c = 0; c < sizeof bad / sizeof bad[0]; c++) {
        xn_status s = xn_fit(net, &d, &bad[c].cfg, NULL);
        if (s == XN_OK || strcmp(xn_net_error(net), bad[c].msg) != 0)
            fprintf(stderr, "refusal %zu: status %d, '%s'\n", c, (int)s, xn_net_error(net));
        CHECK(s != XN_OK && strcmp(xn_net_error(net), bad[c].msg) == 0);
    }
    /* the checker alone names the field at fault, for a front end's flag */
    xn_rng any;
    xn_rng_seed(&any, XN_RNG_NUMPY, 1);
    const struct {
        xn_fit_config cfg;
        const char *setting;
    } fields[] = {
        {{.epochs = 0}, "epochs"},
        {{.epochs = 1, .shuffle = true}, "rng"},
        {{.epochs = 1, .val_split = -0.5}, "val_split"},
        {{.epochs = 1, .min_delta = NAN}, "min_delta"},
        {{.epochs = 1, .schedule = XN_SCHEDULE_STEP, .lr_gamma = 0.5}, "lr_step"},
        {{.epochs = 1, .schedule = XN_SCHEDULE_STEP, .lr_step = 2, .lr_gamma = 0}, "lr_gamma"},
        {{.epochs = 1, .schedule = XN_SCHEDULE_COSINE, .lr_min = 0.5}, "lr_min"},
        {{.epochs = 1, .ranks = 2}, "ranks"},
        {{.epochs = 3, .resume = &zeroed}, "resume"},
    };
    for (size_t c = 0; c < sizeof fields / sizeof fields[0]; c++) {
        xn_error e = {0};
        CHECK_STATUS(xn_fit_check(&fields[c].cfg, 0.1, &e), XN_EINVAL);
        CHECK(strcmp(e.setting, fields[c].setting) == 0 && e.msg[0] != '\0');
    }
    xn_fit_config fine = {.epochs = 1, .shuffle = true, .rng = &any, .schedule = XN_SCHEDULE_COSINE, .lr_min = 0.05};
    xn_error e = {.setting = "stale"};
    CHECK_STATUS(xn_fit_check(&fine, 0.1, &e), XN_OK);
    CHECK(e.setting[0] == '\0' && e.msg[0] == '\0');
    xn_data wrong = {.n = N, .in = 3, .out = 1, .x = x, .y = y};
    CHECK_STATUS(xn_fit(net, &wrong, &cfg, NULL), XN_EDIM);
    CHECK(strcmp(xn_net_error(net), "fit: the data's rows are 3 + 1 wide (inputs + targets), the network maps 2 to 1") == 0);
    xn_net_destroy(net);
}

/* ---- the validation split ------------------------------------------------ */

/* Rows sorted by class, as many files are: the last rows (Keras' rule)
 * validate on a class training never sees; the stratified split holds out
 * each class in proportion, and the random one repeats from its seed. */
static void splits(void)
{
    static const size_t sizes[3] = {1, 4, 3};
    static const xn_act acts[2] = {XN_ACT_RELU, XN_ACT_SOFTMAX};
    enum { R = 60 };
    double x[R], y[R * 3] = {0};
    for (size_t i = 0; i < R; i++) { /* 30 of class 0, 20 of class 1, 10 of class 2, in order */
        size_t k = i < 30 ? 0 : i < 50 ? 1 : 2;
        x[i] = (double)i;
        y[i * 3 + k] = 1.0;
    }
    xn_data d = {.n = R, .in = 1, .out = 3, .x = x, .y = y};
    xn_net *net = make(2, sizes, acts, XN_LOSS_CCE);
    CHECK_STATUS(xn_net_init_default(net, 1), XN_OK);
    size_t train[R], val[R], nt, nv, count[3] = {0};
    xn_fit_config last = {.epochs = 1, .val_split = 0.2, .split = XN_SPLIT_LAST};
    CHECK_STATUS(xn_fit_split(net, &d, &last, train, &nt, val, &nv), XN_OK);
    CHECK(nt == 48 && nv == 12 && val[0] == 48 && train[47] == 47);
    xn_fit_result res;
    CHECK_STATUS(xn_fit(net, &d, &last, &res), XN_OK);
    CHECK(res.val_unseen == 1); /* class 2 is only in the last rows */
    xn_fit_config strat = {.epochs = 1, .val_split = 0.2, .split_seed = 3};  /* AUTO: stratified */
    CHECK_STATUS(xn_fit_split(net, &d, &strat, train, &nt, val, &nv), XN_OK);
    CHECK(nt == 48 && nv == 12);
    for (size_t i = 0; i < nv; i++)
        count[val[i] < 30 ? 0 : val[i] < 50 ? 1 : 2]++;
    CHECK(count[0] == 6 && count[1] == 4 && count[2] == 2); /* a fifth of each */
    bool sorted = true, disjoint = true;
    for (size_t i = 1; i < nt; i++)
        sorted &= train[i - 1] < train[i];
    for (size_t i = 0; i < nv; i++)
        for (size_t j = 0; j < nt; j++)
            disjoint &= val[i] != train[j];
    CHECK(sorted && disjoint);
    CHECK_STATUS(xn_fit(net, &d, &strat, &res), XN_OK);
    CHECK(res.val_unseen == 0);
    /* the random split: a fifth of the rows, the same for the same seed,
     * another for another seed */
    size_t again[R], other[R], n2, n3, t2[R];
    xn_fit_config rnd = {.epochs = 1, .val_split = 0.2, .split = XN_SPLIT_RANDOM, .split_seed = 3};
    CHECK_STATUS(xn_fit_split(net, &d, &rnd, train, &nt, val, &nv), XN_OK);
    CHECK_STATUS(xn_fit_split(net, &d, &rnd, t2, &n2, again, &n3), XN_OK);
    CHECK(nv == 12 && n3 == 12 && memcmp(val, again, nv * sizeof *val) == 0);
    rnd.split_seed = 4;
    CHECK_STATUS(xn_fit_split(net, &d, &rnd, t2, &n2, other, &n3), XN_OK);
    CHECK(memcmp(val, other, nv * sizeof *val) != 0);
    /* the training rows standardize the inputs */
    xn_fit_config std = {.epochs = 1, .val_split = 0.2, .split_seed = 3, .standardize = true};
    CHECK_STATUS(xn_fit_split(net, &d, &std, train, &nt, val, &nv), XN_OK);
    CHECK_STATUS(xn_fit(net, &d, &std, NULL), XN_OK);
    double sum = 0.0;
    for (size_t i = 0; i < nt; i++)
        sum += x[train[i]];
    CHECK(xn_net_input_mean(net)[0] == sum / (double)nt);
    xn_fit_config bad = {.epochs = 1, .val_split = 0.2, .split_seed = (uint64_t)1 << 32};
    xn_error e;
    CHECK_STATUS(xn_fit_check(&bad, 0.1, &e), XN_EINVAL);
    CHECK(strcmp(e.setting, "split_seed") == 0);
    xn_net_destroy(net);
}

int main(void)
{
    permutations();
    reference_loops();
    whole_batch();
    validation_and_stopping();
    standardization();
    data_parallel();
    ranks_disagree();
    resume();
    resume_in_patience();
    callbacks_and_refusals();
    splits();
    CHECK_DONE();
}
