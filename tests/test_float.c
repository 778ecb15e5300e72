/* float32 networks: the gradient agrees with the float64 gradient of the
 * same weights to float rounding; naive, blas and auto agree; XOR and a
 * mini-batch fit learn; model files and checkpoints round-trip every float
 * exactly; the copies in and out of the parameters; and the views a float
 * network cannot give are NULL. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "xornet/xornet.h"

static xn_net *make(size_t L, const size_t *sizes, const xn_act *acts, xn_loss loss, xn_dtype t,
                    xn_kernel k, size_t rows)
{
    xn_net_config cfg = {.n_layers = L, .sizes = sizes, .acts = acts, .loss = loss, .dtype = t,
                         .kernel = k, .max_batch = rows};
    xn_net *net = NULL;
    CHECK_STATUS(xn_net_create(&net, &cfg), XN_OK);
    return net;
}

/* The same weights in a float32 and a float64 network: drawn in double,
 * rounded to float, and the float64 one given those floats exactly. */
static void twins(xn_net *f, xn_net *d, uint64_t seed)
{
    CHECK_STATUS(xn_net_init_default(f, seed), XN_OK);
    size_t P = xn_net_param_count(f);
    double *p = malloc(P * sizeof *p);
    CHECK_STATUS(xn_net_get_params(f, p), XN_OK);
    CHECK_STATUS(xn_net_set_params(d, p), XN_OK);
    free(p);
}

static void gradients(void)
{
    static const struct {
        size_t L, sizes[4];
        xn_act acts[3];
        xn_loss loss;
    } shapes[] = {
        {2, {2, 10, 1}, {XN_ACT_RELU, XN_ACT_SIGMOID}, XN_LOSS_MSE},
        {3, {6, 40, 1, 1}, {XN_ACT_TANH, XN_ACT_SIGMOID, XN_ACT_SIGMOID}, XN_LOSS_BCE},
        {2, {7, 33, 5}, {XN_ACT_RELU, XN_ACT_SOFTMAX}, XN_LOSS_CCE},
        {2, {3, 17, 2}, {XN_ACT_SIGMOID, XN_ACT_IDENTITY}, XN_LOSS_SSE},
    };
    enum { N = 64 };
    xn_rng r;
    xn_rng_seed(&r, XN_RNG_NUMPY, 4);
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        size_t n0 = shapes[s].sizes[0], K = shapes[s].sizes[shapes[s].L];
        double x[N * 7], y[N * 5];
        for (size_t i = 0; i < N * n0; i++)
            x[i] = (double)(float)(2.0 * xn_rng_uniform(&r) - 1.0); /* exact in both */
        for (size_t i = 0; i < N; i++)
            for (size_t k = 0; k < K; k++)
                y[i * K + k] = shapes[s].loss == XN_LOSS_CCE ? (double)(k == i % K) : (double)((i + k) & 1);
        for (int kernel = XN_KERNEL_AUTO; kernel <= XN_KERNEL_NAIVE; kernel++) {
            xn_net *f = make(shapes[s].L, shapes[s].sizes, shapes[s].acts, shapes[s].loss, XN_FLOAT32,
                             (xn_kernel)kernel, N);
            xn_net *d = make(shapes[s].L, shapes[s].sizes, shapes[s].acts, shapes[s].loss, XN_FLOAT64,
                             (xn_kernel)kernel, N);
            twins(f, d, 11 + s);
            double lf, ld;
            CHECK_STATUS(xn_net_gradient(f, N, x, y, &lf), XN_OK);
            CHECK_STATUS(xn_net_gradient(d, N, x, y, &ld), XN_OK);
            size_t P = xn_net_param_count(f);
            double *gf = malloc(P * sizeof *gf), scale = 0, worst = 0;
            CHECK_STATUS(xn_net_get_grads(f, gf), XN_OK);
            const double *gd = xn_net_grads(d);
            for (size_t i = 0; i < P; i++)
                scale = fmax(scale, fabs(gd[i]));
            for (size_t i = 0; i < P; i++)
                worst = fmax(worst, fabs(gf[i] - gd[i]) / scale);
            /* float rounding: a few ulps of float (2^-24 = 6e-8) times the
             * depth of the sums, relative to the gradient's scale */
            if (!(worst <= 1e-5))
                fprintf(stderr, "shape %zu kernel %d: gradients differ by %.3g of their scale\n", s,
                        kernel, worst);
            CHECK(worst <= 1e-5 && scale > 0);
            CHECK_CLOSE(lf, ld, 0, 1e-5);
            free(gf);
            xn_net_destroy(f);
            xn_net_destroy(d);
        }
    }
}

static void xor_learns(void)
{
    static const size_t sizes[3] = {2, 10, 1};
    static const xn_act acts[2] = {XN_ACT_RELU, XN_ACT_SIGMOID};
    xn_net *net = make(2, sizes, acts, XN_LOSS_MSE, XN_FLOAT32, XN_KERNEL_AUTO, 4);
    xn_rng r;
    xn_rng_seed(&r, XN_RNG_NUMPY, 1);
    CHECK_STATUS(xn_net_init(net, XN_INIT_NORMAL, XN_ORDER_ROW, XN_BIAS_ZERO, &r), XN_OK);
    xn_opt gd = xn_opt_default(XN_OPT_GD);
    gd.lr = 1.5;
    for (int e = 0; e < 500; e++)
        CHECK_STATUS(xn_net_train_step(net, 4, xn_xor_inputs(), xn_xor_targets(), &gd, NULL), XN_OK);
    double out[4], acc;
    CHECK_STATUS(xn_net_predict(net, 4, xn_xor_inputs(), out), XN_OK);
    CHECK_STATUS(xn_net_accuracy(net, 4, xn_xor_inputs(), xn_xor_targets(), &acc), XN_OK);
    CHECK(acc == 1.0);
    /* the notebook's float64 run ends at 0.04852618 0.98003239 0.97855588
     * 0.01685806; in float it stays within float's rounding of it */
    static const double nb[4] = {0.04852618, 0.98003239, 0.97855588, 0.01685806};
    for (int i = 0; i < 4; i++)
        CHECK_NEAR(out[i], nb[i], 1e-4);
    /* no views into float parameters, forward refuses, output is NULL */
    const double *o;
    CHECK(xn_net_weights(net, 1) == NULL && xn_net_params(net) == NULL && xn_net_grads(net) == NULL);
    CHECK_STATUS(xn_net_forward(net, 4, xn_xor_inputs(), &o), XN_EINVAL);
    CHECK(xn_net_output(net) == NULL);
    CHECK(xn_net_dtype(net) == XN_FLOAT32);
    xn_net_destroy(net);
}

static void files(void)
{
    static const size_t sizes[3] = {3, 5, 2};
    static const xn_act acts[2] = {XN_ACT_TANH, XN_ACT_SOFTMAX};
    xn_net *net = make(2, sizes, acts, XN_LOSS_CCE, XN_FLOAT32, XN_KERNEL_AUTO, 4);
    CHECK_STATUS(xn_net_init_default(net, 3), XN_OK);
    double mean[3] = {1, 2, 3}, sd[3] = {0.5, 1, 4};
    CHECK_STATUS(xn_net_set_standardization(net, mean, sd), XN_OK);
    const char *path = "test_float.xn";
    CHECK_STATUS(xn_net_save(net, path, NULL), XN_OK);
    xn_net *back = NULL;
    xn_error err;
    CHECK_STATUS(xn_net_load(&back, path, &err), XN_OK);
    size_t P = xn_net_param_count(net);
    double *a = malloc(P * sizeof *a), *b = malloc(P * sizeof *b);
    CHECK(back && xn_net_dtype(back) == XN_FLOAT32);
    if (back) {
        xn_net_get_params(net, a);
        xn_net_get_params(back, b);
        CHECK(memcmp(a, b, P * sizeof *a) == 0); /* every float, exactly */
        double x[6] = {1, 2, 3, 0, -1, 7}, ya[4], yb[4];
        CHECK_STATUS(xn_net_predict(net, 2, x, ya), XN_OK);
        CHECK_STATUS(xn_net_predict(back, 2, x, yb), XN_OK);
        CHECK(memcmp(ya, yb, sizeof ya) == 0);
    }
    remove(path);
    /* the largest floats round-trip too: %.9g writes FLT_MAX as
     * 3.40282347e+38, a little above it, which reads back as FLT_MAX */
    a[0] = FLT_MAX;
    a[1] = -FLT_MAX;
    CHECK_STATUS(xn_net_set_params(net, a), XN_OK);
    CHECK_STATUS(xn_net_save(net, path, NULL), XN_OK);
    xn_net_destroy(back);
    back = NULL;
    CHECK_STATUS(xn_net_load(&back, path, &err), XN_OK);
    if (back) {
        xn_net_get_params(back, b);
        CHECK(b[0] == FLT_MAX && b[1] == -FLT_MAX);
    }
    remove(path);
    a[0] = 3.40282347e+38; /* the text's value, above FLT_MAX as a double */
    CHECK_STATUS(xn_net_set_params(net, a), XN_OK);
    CHECK_STATUS(xn_net_get_params(net, b), XN_OK);
    CHECK(b[0] == FLT_MAX);
    /* a value beyond float's range does not go in */
    a[0] = 1e39;
    CHECK_STATUS(xn_net_set_params(net, a), XN_ENUMERIC);
    CHECK(strstr(xn_net_error(net), "not finite as float32") != NULL);
    /* nor out of a file */
    const char *big = "xornet 2\nsizes 1 1\nactivations identity\nloss mse\ndtype float32\n"
                      "W1 1 1\n1e39\nb1 1\n0\nend\n";
    xn_net *none = NULL;
    CHECK_STATUS(xn_net_parse(&none, big, strlen(big), &err), XN_EFORMAT);
    CHECK(err.line == 7 && strstr(err.msg, "out of range for float32") != NULL);
    /* the first double that rounds to inf as a float: FLT_MAX + 2^103 */
    const char *tie = "xornet 2\nsizes 1 1\nactivations identity\nloss mse\ndtype float32\n"
                      "W1 1 1\n3.4028235677973366e+38\nb1 1\n0\nend\n";
    CHECK_STATUS(xn_net_parse(&none, tie, strlen(tie), &err), XN_EFORMAT);
    CHECK(err.line == 7);
    const char *bad = "xornet 2\nsizes 1 1\nactivations identity\nloss mse\ndtype float16\n";
    CHECK_STATUS(xn_net_parse(&none, bad, strlen(bad), &err), XN_EFORMAT);
    CHECK(err.line == 5);
    free(a);
    free(b);
    xn_net_destroy(back);
    xn_net_destroy(net);
}

/* A shuffled mini-batch fit of a float network with a checkpoint in the
 * middle ends where the uninterrupted one does, bit for bit. */
typedef struct {
    xn_net *net;
    xn_rng *rng;
} saver;

static int save_at_4(const xn_progress *p, void *user)
{
    saver *s = user;
    if (p->epoch != 4)
        return 0;
    xn_checkpoint ck = {.fit = *p->state, .rng = *s->rng, .best = (void *)p->best_params};
    CHECK_STATUS(xn_checkpoint_save(s->net, &ck, "test_float.ckpt", NULL), XN_OK);
    return 1;
}

static void fit_and_resume(void)
{
    static const size_t sizes[3] = {4, 16, 3};
    static const xn_act acts[2] = {XN_ACT_RELU, XN_ACT_SOFTMAX};
    enum { N = 150 };
    double x[N * 4], y[N * 3];
    xn_rng r;
    xn_rng_seed(&r, XN_RNG_PYTHON, 8);
    for (size_t i = 0; i < N; i++) {
        for (size_t j = 0; j < 4; j++)
            x[i * 4 + j] = 10.0 * xn_rng_normal(&r) + (double)j;
        size_t c = (x[i * 4] > 0) + (x[i * 4 + 1] > 1);
        for (size_t k = 0; k < 3; k++)
            y[i * 3 + k] = k == c;
    }
    xn_data d = {.n = N, .in = 4, .out = 3, .x = x, .y = y};
    float final[2][4 * 16 + 16 + 16 * 3 + 3];
    double acc[3] = {0, 0, 0}; /* float32, float32 resumed, float64 */
    for (int split = 0; split < 3; split++) {
        xn_net *net = make(2, sizes, acts, XN_LOSS_CCE, split == 2 ? XN_FLOAT64 : XN_FLOAT32,
                           XN_KERNEL_AUTO, 4);
        xn_rng rng;
        xn_rng_seed(&rng, XN_RNG_NUMPY, 2);
        xn_net_init(net, XN_INIT_HE_UNIFORM, XN_ORDER_ROW, XN_BIAS_ZERO, &rng);
        xn_opt adam = xn_opt_default(XN_OPT_ADAM);
        adam.lr = 0.01;
        xn_net_set_opt(net, &adam);
        saver sv = {net, &rng};
        xn_fit_config cfg = {.epochs = 10, .batch = 16, .shuffle = true, .rng = &rng,
                             .standardize = true, .val_split = 0.2, .patience = 20, .restore_best = true};
        if (split == 1) {
            cfg.on_epoch = save_at_4;
            cfg.user = &sv;
            CHECK_STATUS(xn_fit(net, &d, &cfg, NULL), XN_OK);
            xn_net_destroy(net);
            xn_checkpoint ck;
            CHECK_STATUS(xn_checkpoint_load(&net, &ck, "test_float.ckpt", NULL), XN_OK);
            remove("test_float.ckpt");
            if (!net)
                return;
            rng = ck.rng;
            cfg.on_epoch = NULL;
            cfg.resume = &ck.fit;
            cfg.resume_best = ck.best;
            CHECK_STATUS(xn_fit(net, &d, &cfg, NULL), XN_OK);
            free(ck.best);
        } else {
            CHECK_STATUS(xn_fit(net, &d, &cfg, NULL), XN_OK);
        }
        CHECK_STATUS(xn_net_accuracy(net, N, x, y, &acc[split]), XN_OK);
        double p[4 * 16 + 16 + 16 * 3 + 3];
        xn_net_get_params(net, p);
        for (size_t i = 0; split < 2 && i < sizeof p / sizeof p[0]; i++)
            final[split][i] = (float)p[i];
        xn_net_destroy(net);
    }
    CHECK(memcmp(final[0], final[1], sizeof final[0]) == 0);
    /* float learns what double learns from the same start and order */
    CHECK(acc[0] == acc[1] && fabs(acc[0] - acc[2]) <= 0.02 && acc[2] > 0.85);
}

int main(void)
{
    gradients();
    xor_learns();
    files();
    fit_and_resume();
    CHECK_DONE();
}
