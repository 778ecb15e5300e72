/* A training step allocates nothing: malloc, calloc and realloc are wrapped
 * at link time (-Wl,--wrap) and counted around 100 steps of every optimizer
 * and kernel, after the network and its workspace exist.  Evaluation never
 * allocates, however many rows: predict, loss and accuracy over ten times
 * the reserved rows run in blocks of them. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "xornet/xornet.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);

static long allocations;

void *__wrap_malloc(size_t n)
{
    allocations++;
    return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    allocations++;
    return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    allocations++;
    return __real_realloc(p, n);
}

/* The allocation count after the first batch and at the end of every
 * epoch of a fit. */
static long at_first_batch = -1, at_epoch[8];

static int count_batch(const xn_progress *p, void *user)
{
    (void)user;
    if (p->epoch == 1 && p->batch == 1)
        at_first_batch = allocations;
    return 0;
}

static int count_epoch(const xn_progress *p, void *user)
{
    (void)user;
    at_epoch[p->epoch - 1] = allocations;
    return 0;
}

/* xn_fit allocates before its first batch and never after: shuffled
 * mini-batches, standardization, a validation split, early stopping's
 * snapshot, a schedule. */
static void fit_epochs(void)
{
    static const size_t sizes[3] = {3, 16, 2};
    static const xn_act acts[2] = {XN_ACT_RELU, XN_ACT_SOFTMAX};
    enum { ROWS = 200 };
    double *x = malloc(ROWS * 3 * sizeof *x), *y = malloc(ROWS * 2 * sizeof *y);
    xn_rng r;
    xn_rng_seed(&r, XN_RNG_PYTHON, 9);
    for (size_t i = 0; i < ROWS; i++) {
        for (size_t j = 0; j < 3; j++)
            x[i * 3 + j] = 10.0 * xn_rng_uniform(&r);
        y[i * 2] = x[i * 3] > 5.0;
        y[i * 2 + 1] = 1.0 - y[i * 2];
    }
    xn_data d = {.n = ROWS, .in = 3, .out = 2, .x = x, .y = y};
    xn_net_config cfg = {.n_layers = 2, .sizes = sizes, .acts = acts, .loss = XN_LOSS_CCE};
    xn_net *net;
    CHECK_STATUS(xn_net_create(&net, &cfg), XN_OK);
    CHECK_STATUS(xn_net_init_default(net, 1), XN_OK);
    xn_opt adam = xn_opt_default(XN_OPT_ADAM);
    CHECK_STATUS(xn_net_set_opt(net, &adam), XN_OK);
    xn_fit_config fc = {.epochs = 8, .batch = 32, .shuffle = true, .rng = &r, .val_split = 0.2,
                        .standardize = true, .patience = 100, .restore_best = true,
                        .schedule = XN_SCHEDULE_COSINE, .on_epoch = count_epoch,
                        .on_batch = count_batch};
    CHECK_STATUS(xn_fit(net, &d, &fc, NULL), XN_OK);
    CHECK(at_first_batch >= 0);
    for (int e = 0; e < 8; e++)
        CHECK(at_epoch[e] == at_first_batch);
    xn_net_destroy(net);
    free(x);
    free(y);
}

int main(void)
{
    fit_epochs();
    static const size_t sizes[4] = {2, 7, 1, 3}; /* a width-1 layer: the fused path too */
    static const xn_act acts[3] = {XN_ACT_TANH, XN_ACT_RELU, XN_ACT_SOFTMAX};
    double x[64 * 2], y[64 * 3];
    xn_rng r;
    xn_rng_seed(&r, XN_RNG_NUMPY, 3);
    for (size_t i = 0; i < 64 * 2; i++)
        x[i] = xn_rng_uniform(&r);
    for (size_t i = 0; i < 64; i++)
        for (size_t k = 0; k < 3; k++)
            y[i * 3 + k] = k == i % 3;
    for (int kernel = 0; kernel < 3; kernel++)
        for (int opt = 0; opt < 3; opt++) {
            xn_net_config cfg = {.n_layers = 3, .sizes = sizes, .acts = acts,
                                 .loss = XN_LOSS_CCE, .max_batch = 64, .kernel = (xn_kernel)kernel};
            xn_net *net;
            CHECK_STATUS(xn_net_create(&net, &cfg), XN_OK);
            CHECK_STATUS(xn_net_init(net, XN_INIT_GLOROT_UNIFORM, XN_ORDER_ROW, XN_BIAS_ZERO, &r), XN_OK);
            xn_opt o = {.kind = (xn_opt_kind)opt, .lr = 0.01, .momentum = 0.9, .beta1 = 0.9,
                        .beta2 = 0.999, .eps = 1e-8};
            long before = allocations;
            for (int step = 0; step < 100; step++)
                CHECK_STATUS(xn_net_train_step(net, 64, x, y, &o, NULL), XN_OK);
            double loss, acc;
            CHECK_STATUS(xn_net_eval_loss(net, 32, x, y, &loss), XN_OK);
            CHECK_STATUS(xn_net_accuracy(net, 64, x, y, &acc), XN_OK);
            CHECK(allocations == before);
            /* and the counter does see the library allocate: growing the batch */
            CHECK_STATUS(xn_net_reserve(net, 65), XN_OK);
            CHECK(allocations == before + 1);
            xn_net_destroy(net);
        }

    /* evaluation over 10x the reserved rows: blocks, not a bigger workspace */
    enum { ROWS = 640 };
    double *bx = malloc(ROWS * 2 * sizeof *bx), *by = malloc(ROWS * 3 * sizeof *by);
    double *out = malloc(ROWS * 3 * sizeof *out);
    for (size_t i = 0; i < ROWS * 2; i++)
        bx[i] = xn_rng_uniform(&r);
    for (size_t i = 0; i < ROWS; i++)
        for (size_t k = 0; k < 3; k++)
            by[i * 3 + k] = k == i % 3;
    xn_net_config cfg = {.n_layers = 3, .sizes = sizes, .acts = acts, .loss = XN_LOSS_CCE,
                         .max_batch = ROWS / 10};
    xn_net *net;
    CHECK_STATUS(xn_net_create(&net, &cfg), XN_OK);
    CHECK_STATUS(xn_net_init(net, XN_INIT_GLOROT_UNIFORM, XN_ORDER_ROW, XN_BIAS_ZERO, &r), XN_OK);
    double loss, acc, first[3];
    long before = allocations;
    CHECK_STATUS(xn_net_predict(net, ROWS, bx, out), XN_OK);
    CHECK_STATUS(xn_net_eval_loss(net, ROWS, bx, by, &loss), XN_OK);
    CHECK_STATUS(xn_net_accuracy(net, ROWS, bx, by, &acc), XN_OK);
    CHECK(allocations == before);
    CHECK(xn_net_reserved(net) == ROWS / 10);
    /* the blocks compute what one pass would: the first and last rows */
    CHECK_STATUS(xn_net_predict(net, 1, bx, first), XN_OK);
    CHECK(memcmp(first, out, sizeof first) == 0);
    CHECK_STATUS(xn_net_predict(net, 1, bx + (ROWS - 1) * 2, first), XN_OK);
    CHECK(memcmp(first, out + (ROWS - 1) * 3, sizeof first) == 0);
    CHECK(loss > 0 && acc >= 0 && acc <= 1);
    xn_net_destroy(net);
    free(bx);
    free(by);
    free(out);
    CHECK_DONE();
}
