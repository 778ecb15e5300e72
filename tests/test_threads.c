/* Threads, both ways the header describes them:
 *   1. one network on its own threads: xn_fit on 1, 2 and 3 threads ends
 *      with the same bits (parameters, losses, validation scores), float64
 *      and float32, for networks cut into many slices (wide layers, weight
 *      decay, a width-1 layer at the end and in the middle, standardized
 *      inputs and targets), with OpenBLAS on one thread and on two; and a
 *      small network runs on the calling thread alone;
 *   2. independent networks in separate threads: two threads, each training
 *      its own network (and reading its own clone), end with the same bits
 *      as the same runs one after the other;
 *   3. the pool's life: a clone keeps its network's thread setting (and
 *      starts no more threads than that), and a child forked from a process whose network has threads runs it
 *      on its calling thread alone, with the parent's bits, and frees it.
 * CI also runs it under ThreadSanitizer. */
#include <math.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "xn_config.h"
#include "xornet/xornet.h"

#if XN_HAVE_OPENBLAS_THREADS
void openblas_set_num_threads(int num_threads);
#endif

/* Under ThreadSanitizer, OpenBLAS's own threads are left out: it is not
 * instrumented, so the order its threads keep is invisible and the libc
 * calls it makes from them (memset) would be reported as races.  With
 * OpenBLAS threading itself a network runs on the calling thread alone,
 * so there is nothing of xornet's to check there anyway. */
#if defined(__SANITIZE_THREAD__)
#define BLAS_THREADS 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define BLAS_THREADS 1
#endif
#endif
#ifndef BLAS_THREADS
#define BLAS_THREADS 2
#endif

/* ---- 1. one network, any number of threads ---------------------------- */

typedef struct {
    size_t L, sizes[5];
    xn_act acts[4];
    xn_loss loss;
    size_t rows, batch;
    double decay;
} shape_case;

/* A case's run: what it ends with, and the threads it ran on. */
typedef struct {
    double *params;
    double loss, metric, val_loss, val_metric;
    size_t threads;
} outcome;

static void fit_case(const shape_case *c, xn_dtype type, size_t threads, outcome *out)
{
    size_t n0 = c->sizes[0], K = c->sizes[c->L];
    xn_data d = {.n = c->rows, .in = n0, .out = K};
    d.x = malloc(c->rows * n0 * sizeof *d.x);
    d.y = calloc(c->rows * K, sizeof *d.y);
    xn_rng rng;
    xn_rng_seed(&rng, XN_RNG_NUMPY, 7);
    for (size_t i = 0; i < c->rows * n0; i++)
        d.x[i] = 3.0 + 2.0 * xn_rng_normal(&rng); /* standardized by the fit */
    for (size_t i = 0; i < c->rows; i++)
        for (size_t k = 0; k < K; k++)
            d.y[i * K + k] = c->loss == XN_LOSS_CCE ? k == (size_t)(d.x[i * n0] > 3.0) + (d.x[i * n0 + 1] > 3.0)
                             : c->loss == XN_LOSS_BCE ? d.x[i * n0 + k] > 3.0
                                                      : 10.0 * d.x[i * n0 + k] + 5.0;
    xn_net_config cfg = {.n_layers = c->L, .sizes = c->sizes, .acts = c->acts, .loss = c->loss, .dtype = type};
    xn_net *net = NULL;
    CHECK_STATUS(xn_net_create(&net, &cfg), XN_OK);
    CHECK_STATUS(xn_net_init_default(net, 1), XN_OK);
    CHECK_STATUS(xn_net_set_threads(net, threads), XN_OK);
    xn_opt adam = xn_opt_default(XN_OPT_ADAM);
    adam.weight_decay = c->decay;
    CHECK_STATUS(xn_net_set_opt(net, &adam), XN_OK);
    xn_fit_config fc = {.epochs = 2, .batch = c->batch, .shuffle = true, .rng = &rng, .val_split = 0.25,
                        .standardize = true, .standardize_targets = c->acts[c->L - 1] == XN_ACT_IDENTITY};
    xn_fit_result res;
    CHECK_STATUS(xn_fit(net, &d, &fc, &res), XN_OK);
    out->params = malloc(xn_net_param_count(net) * sizeof *out->params);
    CHECK_STATUS(xn_net_get_params(net, out->params), XN_OK);
    out->loss = res.loss;
    out->metric = res.metric;
    out->val_loss = res.val_loss;
    out->val_metric = res.val_metric;
    out->threads = xn_net_threads(net);
    xn_net_destroy(net);
    xn_data_free(&d);
}

static bool same_double(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* The case on 1, 2 and 3 threads: the same bits every time. */
static void same_bits(const shape_case *c, xn_dtype type, size_t P, bool big)
{
    outcome o[3];
    for (size_t t = 0; t < 3; t++) {
        fit_case(c, type, t + 1, &o[t]);
        /* threads are used where the network is big enough, and only there */
        CHECK(o[t].threads == (big ? t + 1 : 1));
    }
    CHECK(isfinite(o[0].loss) && isfinite(o[0].val_loss));
    for (size_t t = 1; t < 3; t++) {
        bool same = memcmp(o[t].params, o[0].params, P * sizeof *o[0].params) == 0;
        CHECK(same);
        CHECK(same_double(o[t].loss, o[0].loss) && same_double(o[t].metric, o[0].metric));
        CHECK(same_double(o[t].val_loss, o[0].val_loss) && same_double(o[t].val_metric, o[0].val_metric));
        if (!same)
            fprintf(stderr, "  %zu threads differ: sizes %zu %zu ... L %zu, %s\n", t + 1, c->sizes[0],
                    c->sizes[1], c->L, xn_dtype_name(type));
    }
    for (size_t t = 0; t < 3; t++)
        free(o[t].params);
}

static size_t param_count(const shape_case *c)
{
    size_t P = 0;
    for (size_t l = 1; l <= c->L; l++)
        P += c->sizes[l - 1] * c->sizes[l] + c->sizes[l];
    return P;
}

static void any_threads(void)
{
    static const shape_case cases[] = {
        /* wide layers: products in column slices, chained backward */
        {3, {200, 512, 300, 10}, {XN_ACT_RELU, XN_ACT_RELU, XN_ACT_SOFTMAX}, XN_LOSS_CCE, 640, 160, 0.0},
        /* weight decay: the update's slices follow the layers; regression */
        {2, {160, 384, 3}, {XN_ACT_TANH, XN_ACT_IDENTITY}, XN_LOSS_MSE, 512, 256, 1e-3},
        /* a width-1 output: rows of the fused forward, columns of the fused
         * backward, batches in cache-sized blocks of rows */
        {2, {64, 320, 1}, {XN_ACT_RELU, XN_ACT_SIGMOID}, XN_LOSS_BCE, 4096, 2048, 0.0},
        /* a width-1 hidden layer between wide ones */
        {3, {128, 512, 1, 5}, {XN_ACT_RELU, XN_ACT_TANH, XN_ACT_SOFTMAX}, XN_LOSS_CCE, 1200, 400, 0.0},
    };
    static const shape_case small = {2, {2, 10, 1}, {XN_ACT_RELU, XN_ACT_SIGMOID}, XN_LOSS_MSE, 8, 4, 0.0};
    for (int blas = 1; blas <= BLAS_THREADS; blas++) {
#if XN_HAVE_OPENBLAS_THREADS
        openblas_set_num_threads(blas); /* 2: the products go whole to OpenBLAS */
#endif
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
            for (int f32 = 0; f32 <= 1; f32++)
                same_bits(&cases[i], f32 ? XN_FLOAT32 : XN_FLOAT64, param_count(&cases[i]), true);
        same_bits(&small, XN_FLOAT64, param_count(&small), false);
    }
}

/* ---- 2. networks in parallel threads ----------------------------------- */

enum { ROWS = 96, IN = 6, HID = 40, OUT = 3, STEPS = 60 };

typedef struct {
    uint64_t seed;
    xn_opt_kind kind;
    double params[IN * HID + HID + HID * OUT + OUT];
    double pred[ROWS * OUT]; /* the clone's outputs after training */
    xn_status status;
} run;

static void *train(void *arg)
{
    run *r = arg;
    static const size_t sizes[3] = {IN, HID, OUT};
    static const xn_act acts[2] = {XN_ACT_TANH, XN_ACT_SOFTMAX};
    xn_net_config cfg = {.n_layers = 2, .sizes = sizes, .acts = acts, .loss = XN_LOSS_CCE,
                         .max_batch = ROWS};
    double x[ROWS * IN], y[ROWS * OUT];
    xn_rng rng; /* one stream per thread */
    xn_rng_seed(&rng, XN_RNG_NUMPY, (uint32_t)r->seed);
    for (size_t i = 0; i < ROWS * IN; i++)
        x[i] = xn_rng_normal(&rng);
    for (size_t i = 0; i < ROWS; i++)
        for (size_t k = 0; k < OUT; k++)
            y[i * OUT + k] = k == (size_t)(x[i * IN] > 0) + (x[i * IN + 1] > 0);
    xn_net *net = NULL, *copy = NULL;
    xn_status s = xn_net_create(&net, &cfg);
    if (s == XN_OK) /* networks in parallel: one thread each, as the header advises */
        s = xn_net_set_threads(net, 1);
    if (s == XN_OK)
        s = xn_net_init(net, XN_INIT_GLOROT_UNIFORM, XN_ORDER_ROW, XN_BIAS_ZERO, &rng);
    xn_opt o = xn_opt_default(r->kind);
    o.lr = 0.05;
    for (int step = 0; s == XN_OK && step < STEPS; step++)
        s = xn_net_train_step(net, ROWS, x, y, &o, NULL);
    if (s == XN_OK)
        s = xn_net_clone(&copy, net);
    if (s == XN_OK)
        s = xn_net_predict(copy, ROWS, x, r->pred);
    if (s == XN_OK)
        memcpy(r->params, xn_net_params(net), sizeof r->params);
    r->status = s;
    xn_net_destroy(copy);
    xn_net_destroy(net);
    return NULL;
}

/* ---- 3. the pool's life --------------------------------------------------- */

static void pool_life(void)
{
    size_t sizes[] = {200, 512, 300, 10}, n = 256, P;
    xn_act acts[] = {XN_ACT_RELU, XN_ACT_RELU, XN_ACT_SOFTMAX};
    xn_net_config cfg = {.n_layers = 3, .sizes = sizes, .acts = acts, .loss = XN_LOSS_CCE, .max_batch = n};
    xn_net *net = NULL, *c1 = NULL, *c2 = NULL;
    CHECK_STATUS(xn_net_create(&net, &cfg), XN_OK);
    CHECK_STATUS(xn_net_init_default(net, 3), XN_OK);
    CHECK_STATUS(xn_net_set_threads(net, 2), XN_OK);
    CHECK(xn_net_threads(net) == 2);
    CHECK_STATUS(xn_net_clone(&c2, net), XN_OK);
    CHECK(xn_net_threads(c2) == 2);
    CHECK_STATUS(xn_net_set_threads(net, 1), XN_OK);
    CHECK_STATUS(xn_net_clone(&c1, net), XN_OK);
    CHECK(xn_net_threads(net) == 1 && xn_net_threads(c1) == 1);
    xn_net_destroy(c1);

    /* a forked child: the parent's predictions, on the child's one thread */
    P = xn_net_param_count(c2);
    double *x = malloc(n * sizes[0] * sizeof *x), *want = malloc(n * 10 * sizeof *want);
    double *got = malloc(n * 10 * sizeof *got);
    xn_rng rng;
    xn_rng_seed(&rng, XN_RNG_NUMPY, 5);
    for (size_t i = 0; i < n * sizes[0]; i++)
        x[i] = xn_rng_normal(&rng);
    CHECK_STATUS(xn_net_predict(c2, n, x, want), XN_OK);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        alarm(60); /* a child that waits for its parent's threads is killed */
        bool ok = xn_net_predict(c2, n, x, got) == XN_OK && memcmp(got, want, n * 10 * sizeof *got) == 0;
        xn_net_destroy(c2);
        _exit(ok ? 0 : 1);
    }
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* and the parent's threads still work */
    CHECK_STATUS(xn_net_predict(c2, n, x, got), XN_OK);
    CHECK(memcmp(got, want, n * 10 * sizeof *got) == 0);
    CHECK(P > 0);
    free(x);
    free(want);
    free(got);
    xn_net_destroy(c2);
    xn_net_destroy(net);
}

int main(void)
{
#if XN_HAVE_OPENBLAS_THREADS
    openblas_set_num_threads(1); /* the network's threads, not OpenBLAS's */
#endif
    pool_life();
    any_threads();
#if XN_HAVE_OPENBLAS_THREADS
    openblas_set_num_threads(1); /* as the header advises for parallel training */
#endif
    run together[2] = {{.seed = 1, .kind = XN_OPT_ADAM}, {.seed = 2, .kind = XN_OPT_MOMENTUM}};
    run alone[2] = {together[0], together[1]};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        CHECK(pthread_create(&t[i], NULL, train, &together[i]) == 0);
    for (int i = 0; i < 2; i++)
        CHECK(pthread_join(t[i], NULL) == 0);
    for (int i = 0; i < 2; i++)
        train(&alone[i]);
    for (int i = 0; i < 2; i++) {
        CHECK_STATUS(together[i].status, XN_OK);
        CHECK_STATUS(alone[i].status, XN_OK);
        CHECK(memcmp(together[i].params, alone[i].params, sizeof alone[i].params) == 0);
        CHECK(memcmp(together[i].pred, alone[i].pred, sizeof alone[i].pred) == 0);
    }
    /* and the two runs are different runs */
    CHECK(memcmp(together[0].params, together[1].params, sizeof together[0].params) != 0);
    CHECK_DONE();
}
