/* The gradient -> update seam and the network's rules: a gradient summed
 * over row blocks against the one-call gradient, an update applied to a
 * gradient the caller changed, the optimizer the network carries (its
 * defaults, resets, weight decay), the rule checker's message for every
 * rule, the reasons calls leave in xn_net_error, networks never
 * initialized or read for prediction only, and the version. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "xornet/xornet.h"

enum { N = 50 };

static xn_net *make_net(size_t L, const size_t *sizes, const xn_act *acts, xn_loss loss,
                        xn_kernel kernel, uint64_t seed)
{
    xn_net_config cfg = {.n_layers = L, .sizes = sizes, .acts = acts, .loss = loss,
                         .max_batch = N, .kernel = kernel};
    xn_net *net = NULL;
    CHECK_STATUS(xn_net_create(&net, &cfg), XN_OK);
    if (net)
        CHECK_STATUS(xn_net_init_default(net, seed), XN_OK);
    return net;
}

static void fill(xn_rng *r, double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        v[i] = 2.0 * xn_rng_uniform(r) - 1.0;
}

/* One-hot rows for softmax, 0/1 otherwise. */
static void targets(xn_rng *r, double *y, size_t n, size_t k, bool onehot)
{
    for (size_t i = 0; i < n; i++) {
        size_t c = xn_rng_u32(r) % k;
        for (size_t j = 0; j < k; j++)
            y[i * k + j] = onehot ? (double)(j == c) : (double)(xn_rng_u32(r) & 1);
    }
}

/* ---- 1. a batch summed over row blocks --------------------------------- */

typedef struct {
    size_t L, sizes[4];
    xn_act acts[3];
    xn_loss loss;
} shape;

/* One Adam update of parameter p in the library's arithmetic (opt.c):
 * p - (lr / c1) m / (sqrt(v) (1 / sqrt(c2)) + eps), the moments m, v
 * already updated and c_i = 1 - beta_i^t for update t. */
static double adam_p(double p, double m, double v, double lr, double c1, double c2, double eps)
{
    return p - (lr / c1) * m / (sqrt(v) * (1.0 / sqrt(c2)) + eps);
}

static void accumulation(void)
{
    static const shape shapes[] = {
        {2, {2, 10, 1}, {XN_ACT_RELU, XN_ACT_SIGMOID}, XN_LOSS_MSE},
        {3, {5, 64, 1, 1}, {XN_ACT_TANH, XN_ACT_RELU, XN_ACT_SIGMOID}, XN_LOSS_BCE}, /* fused width 1 */
        {2, {7, 33, 4}, {XN_ACT_SIGMOID, XN_ACT_SOFTMAX}, XN_LOSS_CCE},
        {2, {3, 17, 2}, {XN_ACT_RELU, XN_ACT_IDENTITY}, XN_LOSS_SSE},
    };
    static const size_t splits[] = {1, 2, 3, 7};
    xn_rng r;
    xn_rng_seed(&r, XN_RNG_NUMPY, 11);
    for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
        const shape *s = &shapes[si];
        size_t n0 = s->sizes[0], K = s->sizes[s->L];
        double x[N * 8], y[N * 4];
        fill(&r, x, N * n0);
        targets(&r, y, N, K, s->loss == XN_LOSS_CCE);
        for (int kernel = XN_KERNEL_AUTO; kernel <= XN_KERNEL_NAIVE; kernel++) {
            xn_net *net = make_net(s->L, s->sizes, s->acts, s->loss, (xn_kernel)kernel, 5);
            if (!net)
                continue;
            size_t P = xn_net_param_count(net);
            double *whole = malloc(P * sizeof *whole), loss;
            CHECK_STATUS(xn_net_gradient(net, N, x, y, &loss), XN_OK);
            memcpy(whole, xn_net_grads(net), P * sizeof *whole);
            double scale = 0;
            for (size_t i = 0; i < P; i++)
                scale = fmax(scale, fabs(whole[i]));
            CHECK(scale > 0);
            for (size_t k = 0; k < sizeof splits / sizeof splits[0]; k++) {
                size_t parts = splits[k], r0 = 0;
                double shares = 0;
                xn_net_zero_grads(net);
                for (size_t p = 0; p < parts; p++) {
                    /* uneven blocks: the first ones one row longer */
                    size_t m = N / parts + (p < N % parts);
                    double share;
                    CHECK_STATUS(xn_net_accumulate(net, m, x + r0 * n0, y + r0 * K, N, &share), XN_OK);
                    shares += share;
                    r0 += m;
                }
                CHECK(r0 == N);
                const double *g = xn_net_grads(net);
                size_t bad = 0;
                for (size_t i = 0; i < P; i++) {
                    /* the naive kernel adds every row in order whatever
                     * the blocks: the same bits; BLAS may regroup a sum */
                    bool ok = kernel == XN_KERNEL_NAIVE ? g[i] == whole[i]
                                                        : fabs(g[i] - whole[i]) <= 1e-13 * scale;
                    bad += !ok;
                }
                if (bad)
                    fprintf(stderr, "shape %zu kernel %s: %zu of %zu gradients differ over %zu blocks\n",
                            si, xn_kernel_name((xn_kernel)kernel), bad, P, parts);
                CHECK(bad == 0);
                CHECK_CLOSE(shares, loss, 0, 1e-14);
            }
            free(whole);
            xn_net_destroy(net);
        }
    }
}

/* ---- 2. an update of a gradient the caller changed --------------------- */

static void update_after_edit(void)
{
    size_t sizes[3] = {2, 3, 1};
    xn_act acts[2] = {XN_ACT_TANH, XN_ACT_SIGMOID};
    xn_net *net = make_net(2, sizes, acts, XN_LOSS_MSE, XN_KERNEL_AUTO, 1);
    size_t P = xn_net_param_count(net);
    double before[13], loss;
    CHECK(P == 13);
    memcpy(before, xn_net_params(net), sizeof before);
    xn_opt gd = xn_opt_default(XN_OPT_GD);
    gd.lr = 0.5;
    CHECK_STATUS(xn_net_set_opt(net, &gd), XN_OK);
    CHECK_STATUS(xn_net_gradient(net, 4, xn_xor_inputs(), xn_xor_targets(), &loss), XN_OK);
    /* clip the gradient by hand, as a caller of the seam may */
    double *g = xn_net_grads(net);
    for (size_t i = 0; i < P; i++)
        g[i] = i % 2 ? 1.0 : -2.0;
    xn_net_dbias(net, 2)[0] = 0.25;
    CHECK_STATUS(xn_net_update(net), XN_OK);
    const double *p = xn_net_params(net);
    for (size_t i = 0; i + 1 < P; i++)
        CHECK(p[i] == before[i] - 0.5 * (i % 2 ? 1.0 : -2.0));
    CHECK(p[P - 1] == before[P - 1] - 0.5 * 0.25);

    /* a gradient that would overflow the parameters: refused, nothing moves */
    memcpy(before, p, sizeof before);
    g[3] = 1e308;
    gd.lr = 1e10;
    CHECK_STATUS(xn_net_set_lr(net, gd.lr), XN_OK);
    CHECK_STATUS(xn_net_update(net), XN_ENUMERIC);
    CHECK(memcmp(before, xn_net_params(net), sizeof before) == 0);
    CHECK(strstr(xn_net_error(net), "nothing changed") != NULL);
    g[3] = NAN;
    CHECK_STATUS(xn_net_update(net), XN_ENUMERIC);
    CHECK(memcmp(before, xn_net_params(net), sizeof before) == 0);

    /* train_step is gradient then update, to the bit */
    xn_net *a = make_net(2, sizes, acts, XN_LOSS_MSE, XN_KERNEL_AUTO, 3);
    xn_net *b = make_net(2, sizes, acts, XN_LOSS_MSE, XN_KERNEL_AUTO, 3);
    xn_opt adam = xn_opt_default(XN_OPT_ADAM);
    adam.lr = 0.01;
    CHECK_STATUS(xn_net_set_opt(b, &adam), XN_OK);
    for (int step = 0; step < 30; step++) {
        CHECK_STATUS(xn_net_train_step(a, 4, xn_xor_inputs(), xn_xor_targets(), &adam, NULL), XN_OK);
        CHECK_STATUS(xn_net_gradient(b, 4, xn_xor_inputs(), xn_xor_targets(), NULL), XN_OK);
        CHECK_STATUS(xn_net_update(b), XN_OK);
    }
    CHECK(memcmp(xn_net_params(a), xn_net_params(b), P * sizeof(double)) == 0);
    xn_net_destroy(a);
    xn_net_destroy(b);
    xn_net_destroy(net);
}

/* ---- 3. the optimizer the network carries ------------------------------ */

static void optimizer_state(void)
{
    xn_opt d = xn_opt_default(XN_OPT_ADAM);
    CHECK(d.kind == XN_OPT_ADAM && d.lr == 0.001 && d.beta1 == 0.9 && d.beta2 == 0.999 &&
          d.eps == 1e-8 && d.momentum == 0.9 && d.weight_decay == 0.0);
    CHECK(xn_opt_default(XN_OPT_GD).lr == 0.01);

    size_t sizes[2] = {1, 1};
    xn_act acts[1] = {XN_ACT_IDENTITY};
    xn_net *net = make_net(1, sizes, acts, XN_LOSS_MSE, XN_KERNEL_AUTO, 1);
    double x = 2.0, y = 1.0, *w = xn_net_weights(net, 1), *b = xn_net_bias(net, 1);
    CHECK(xn_net_opt(net).kind == XN_OPT_GD);

    /* beta1 = 0 means no first-moment averaging, not "the default": the
     * first step moves w by about lr g / (|g| + eps) either way, the second
     * by lr g2 / (sqrt(v2 / c2) + eps) with m = g2 and c1 = 1 */
    xn_opt a0 = xn_opt_default(XN_OPT_ADAM);
    a0.lr = 0.01;
    a0.beta1 = 0.0;
    CHECK_STATUS(xn_net_set_opt(net, &a0), XN_OK);
    w[0] = 1.0;
    b[0] = 0.0;
    CHECK_STATUS(xn_net_gradient(net, 1, &x, &y, NULL), XN_OK); /* e = 1: g = (4, 2) */
    CHECK_STATUS(xn_net_update(net), XN_OK);
    double w1 = adam_p(1.0, 4.0, (1.0 - 0.999) * 16.0, 0.01, 1.0, 1.0 - 0.999, 1e-8);
    CHECK(w[0] == w1);
    double g2 = 2.0 * (w[0] * x + b[0] - y) * x;
    double v2 = 0.999 * ((1.0 - 0.999) * 16.0) + (1.0 - 0.999) * g2 * g2;
    double want = adam_p(w[0], g2, v2, 0.01, 1.0, 1.0 - 0.999 * 0.999, 1e-8);
    CHECK_STATUS(xn_net_gradient(net, 1, &x, &y, NULL), XN_OK);
    CHECK(xn_net_dweights(net, 1)[0] == g2);
    CHECK_STATUS(xn_net_update(net), XN_OK);
    CHECK(w[0] == want);

    /* set_opt resets the moments: the next step is a first step again */
    CHECK_STATUS(xn_net_set_opt(net, &a0), XN_OK);
    w[0] = 1.0;
    b[0] = 0.0;
    CHECK_STATUS(xn_net_gradient(net, 1, &x, &y, NULL), XN_OK);
    CHECK_STATUS(xn_net_update(net), XN_OK);
    CHECK(w[0] == w1);
    /* set_lr keeps them: a second step at half the rate */
    CHECK_STATUS(xn_net_set_lr(net, 0.005), XN_OK);
    g2 = 2.0 * (w[0] * x + b[0] - y) * x;
    v2 = 0.999 * ((1.0 - 0.999) * 16.0) + (1.0 - 0.999) * g2 * g2;
    want = adam_p(w[0], g2, v2, 0.005, 1.0, 1.0 - 0.999 * 0.999, 1e-8);
    CHECK_STATUS(xn_net_gradient(net, 1, &x, &y, NULL), XN_OK);
    CHECK_STATUS(xn_net_update(net), XN_OK);
    CHECK(w[0] == want);
    CHECK(xn_net_opt(net).lr == 0.005);

    /* bad values are refused and change nothing */
    xn_opt bad = a0;
    bad.beta2 = 1.0;
    CHECK_STATUS(xn_net_set_opt(net, &bad), XN_EINVAL);
    CHECK(strstr(xn_net_error(net), "beta2") != NULL);
    CHECK(xn_net_opt(net).beta2 == 0.999);
    CHECK_STATUS(xn_net_set_lr(net, -1.0), XN_EINVAL);
    CHECK(strstr(xn_net_error(net), "learning rate") != NULL);
    bad = xn_opt_default(XN_OPT_GD);
    bad.weight_decay = -0.1;
    CHECK_STATUS(xn_net_set_opt(net, &bad), XN_EINVAL);
    CHECK(strstr(xn_net_error(net), "weight decay") != NULL);
    xn_net_destroy(net);
}

/* Weight decay: coupled L2 for gd and momentum (g + decay w), decoupled
 * for Adam (w (1 - lr decay), then the Adam step), and never on a bias.
 * The bias starts at 0.5, not 0, where a decay would change nothing. */
static void weight_decay(void)
{
    size_t sizes[2] = {1, 1};
    xn_act acts[1] = {XN_ACT_IDENTITY};
    xn_net *net = make_net(1, sizes, acts, XN_LOSS_MSE, XN_KERNEL_AUTO, 1);
    double x = 2.0, y = 1.0, *w = xn_net_weights(net, 1), *b = xn_net_bias(net, 1);
    /* z = 1 * 2 + 0.5 = 2.5; mse's delta 2 (z - y) = 3: g = (6, 3) */
    for (int kind = 0; kind < 2; kind++) {
        xn_opt o = xn_opt_default(kind ? XN_OPT_MOMENTUM : XN_OPT_GD);
        o.lr = 0.1;
        o.weight_decay = 0.5;
        CHECK_STATUS(xn_net_set_opt(net, &o), XN_OK); /* momentum's velocity starts at 0 */
        w[0] = 1.0;
        b[0] = 0.5;
        CHECK_STATUS(xn_net_gradient(net, 1, &x, &y, NULL), XN_OK);
        CHECK_STATUS(xn_net_update(net), XN_OK);
        CHECK(w[0] == 1.0 - 0.1 * (6.0 + 0.5 * 1.0));
        CHECK(b[0] == 0.5 - 0.1 * 3.0);
    }

    xn_opt adam = xn_opt_default(XN_OPT_ADAM);
    adam.lr = 0.01;
    adam.weight_decay = 0.1;
    CHECK_STATUS(xn_net_set_opt(net, &adam), XN_OK);
    w[0] = 1.0;
    b[0] = 0.5;
    CHECK_STATUS(xn_net_gradient(net, 1, &x, &y, NULL), XN_OK);
    CHECK_STATUS(xn_net_update(net), XN_OK);
    CHECK(w[0] == adam_p(1.0 * (1.0 - 0.01 * 0.1), (1.0 - 0.9) * 6.0, (1.0 - 0.999) * 36.0, 0.01, 1.0 - 0.9, 1.0 - 0.999, 1e-8));
    CHECK(b[0] == adam_p(0.5, (1.0 - 0.9) * 3.0, (1.0 - 0.999) * 9.0, 0.01, 1.0 - 0.9, 1.0 - 0.999, 1e-8));
    xn_net_destroy(net);
}

/* ---- 4. every rule, with its message ----------------------------------- */

static void rules(void)
{
    static const size_t s3[3] = {2, 3, 1}, s33[3] = {2, 3, 3}, zero[3] = {2, 0, 1};
    static const size_t huge[3] = {1u << 20, 1u << 20, 1}, wide[3] = {(size_t)1 << 32, 1, 1};
    static const xn_act rs[2] = {XN_ACT_RELU, XN_ACT_SIGMOID}, rx[2] = {XN_ACT_RELU, XN_ACT_SOFTMAX};
    static const xn_act xr[2] = {XN_ACT_SOFTMAX, XN_ACT_RELU}, bad[2] = {XN_ACT_RELU, (xn_act)17};
    static const xn_act rr[2] = {XN_ACT_RELU, XN_ACT_RELU};
    static const struct {
        xn_net_config cfg;
        xn_status want;
        const char *msg;
    } cases[] = {
        {{.n_layers = 2, .sizes = s3, .acts = rs, .loss = XN_LOSS_MSE}, XN_OK, ""},
        {{.n_layers = 2, .sizes = NULL, .acts = rs}, XN_EINVAL, "no configuration, sizes or activations"},
        {{.n_layers = 0, .sizes = s3, .acts = rs}, XN_EDIM, "a network needs at least one layer (n_layers is 0)"},
        {{.n_layers = 65, .sizes = s3, .acts = rs}, XN_ENOMEM, "65 layers is over the limit of 64"},
        {{.n_layers = 2, .sizes = s3, .acts = rs, .loss = (xn_loss)9}, XN_EINVAL, "unknown loss 9"},
        {{.n_layers = 2, .sizes = s3, .acts = rs, .kernel = (xn_kernel)5}, XN_EINVAL, "unknown kernel 5"},
        {{.n_layers = 2, .sizes = zero, .acts = rs}, XN_EDIM, "size 2 of the list is 0 (sizes are at least 1)"},
        {{.n_layers = 2, .sizes = wide, .acts = rs}, XN_ENOMEM, "size 4294967296 is over the limit of 2147483647"},
        {{.n_layers = 2, .sizes = s3, .acts = bad}, XN_EINVAL, "layer 2: unknown activation 17"},
        {{.n_layers = 2, .sizes = s3, .acts = xr}, XN_EINVAL, "layer 1: softmax is allowed only on the last layer"},
        {{.n_layers = 2, .sizes = huge, .acts = rs}, XN_ENOMEM,
         "the sizes make 1099513724929 parameters, over the limit of 268435456"},
        {{.n_layers = 2, .sizes = s3, .acts = rr, .loss = XN_LOSS_BCE}, XN_EINVAL,
         "loss bce needs a sigmoid output layer, not relu"},
        {{.n_layers = 2, .sizes = s33, .acts = rs, .loss = XN_LOSS_CCE}, XN_EINVAL,
         "loss cce needs a softmax output layer, not sigmoid"},
        {{.n_layers = 2, .sizes = s3, .acts = rx, .loss = XN_LOSS_CCE}, XN_EINVAL,
         "softmax over one output is the constant 1; it needs two or more"},
        {{.n_layers = 2, .sizes = s3, .acts = rs, .max_batch = (size_t)1 << 40}, XN_ENOMEM,
         "max_batch 1099511627776 is over the limit of 2147483647 rows"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        xn_error err = {7, "stale", "stale"};
        xn_status s = xn_net_check_config(&cases[c].cfg, &err);
        bool ok = s == cases[c].want && strcmp(err.msg, cases[c].msg) == 0 && err.line == 0 &&
                  (s == XN_OK) == (err.setting[0] == '\0');
        if (!ok)
            fprintf(stderr, "rule case %zu: status %d, message '%s'\n", c, (int)s, err.msg);
        CHECK(ok);
        /* create says the same with its status, and makes nothing */
        xn_net *net = (xn_net *)&err;
        CHECK_STATUS(xn_net_create(&net, &cases[c].cfg), cases[c].want);
        CHECK((net != NULL) == (cases[c].want == XN_OK));
        xn_net_destroy(net);
    }
    CHECK_STATUS(xn_net_check_config(NULL, NULL), XN_EINVAL); /* err may be NULL */
}

/* ---- 5. reasons, initialization, prediction-only networks -------------- */

static void reasons_and_states(void)
{
    size_t sizes[3] = {2, 4, 1};
    xn_act acts[2] = {XN_ACT_RELU, XN_ACT_SIGMOID};
    xn_net_config cfg = {.n_layers = 2, .sizes = sizes, .acts = acts, .loss = XN_LOSS_MSE};
    xn_net *net;
    CHECK_STATUS(xn_net_create(&net, &cfg), XN_OK);
    const double *x = xn_xor_inputs(), *y = xn_xor_targets(), *out;
    double loss, buf[4];
    CHECK(strcmp(xn_net_error(net), "") == 0);
    CHECK(strcmp(xn_net_error(NULL), "no network") == 0);

    /* never initialized: training is refused and says why, an update too
     * (even of a gradient set by hand) */
    xn_opt gd = xn_opt_default(XN_OPT_GD);
    CHECK_STATUS(xn_net_train_step(net, 4, x, y, &gd, &loss), XN_EINVAL);
    CHECK(strstr(xn_net_error(net), "train_step: the network was never initialized") != NULL);
    CHECK_STATUS(xn_net_gradient(net, 4, x, y, &loss), XN_EINVAL);
    CHECK(strstr(xn_net_error(net), "gradient: the network was never initialized") != NULL);
    double ones[17];
    for (size_t i = 0; i < 17; i++)
        ones[i] = 1.0;
    CHECK_STATUS(xn_net_set_grads(net, ones), XN_OK);
    CHECK_STATUS(xn_net_update(net), XN_EINVAL);
    CHECK(strstr(xn_net_error(net), "update: the network was never initialized") != NULL);
    CHECK(xn_net_weights(net, 1)[0] == 0.0);
    /* zeros on purpose are a choice */
    xn_rng r;
    xn_rng_seed(&r, XN_RNG_NUMPY, 1);
    CHECK_STATUS(xn_net_init(net, XN_INIT_ZEROS, XN_ORDER_ROW, XN_BIAS_ZERO, &r), XN_OK);
    CHECK_STATUS(xn_net_train_step(net, 4, x, y, &gd, &loss), XN_OK);
    CHECK(loss == 0.25); /* sigmoid(0) = 0.5 against 0 1 1 0 */

    CHECK_STATUS(xn_net_forward(net, 0, x, &out), XN_EDIM);
    CHECK(strcmp(xn_net_error(net), "forward: 0 rows") == 0);
    CHECK_STATUS(xn_net_forward(net, 5, x, &out), XN_EDIM);
    CHECK(strstr(xn_net_error(net), "forward: 5 rows, over the 4 reserved") != NULL);
    CHECK_STATUS(xn_net_predict(net, 0, NULL, NULL), XN_OK); /* 0 rows: nothing to do */
    /* more rows than memory can address: refused, never read */
    size_t huge = SIZE_MAX / 2 + 1;
    CHECK_STATUS(xn_net_predict(net, huge, x, buf), XN_EDIM);
    CHECK(strstr(xn_net_error(net), "predict: 9223372036854775808 rows are more than memory") != NULL);
    CHECK_STATUS(xn_net_eval_loss(net, huge, x, y, &loss), XN_EDIM);
    double acc;
    CHECK_STATUS(xn_net_accuracy(net, huge, x, y, &acc), XN_EDIM);
    double mean2[2], sd2[2];
    size_t counts[4];
    CHECK_STATUS(xn_column_stats(huge, 2, x, mean2, sd2), XN_EDIM);
    CHECK_STATUS(xn_confusion(huge, 1, y, y, counts), XN_EDIM);
    CHECK_STATUS(xn_net_accumulate(net, 4, x, y, 3, &loss), XN_EDIM);
    CHECK(strcmp(xn_net_error(net), "accumulate: 4 rows of a batch of 3") == 0);
    CHECK_STATUS(xn_net_train_step(net, 4, x, NULL, &gd, &loss), XN_EINVAL);
    CHECK(strcmp(xn_net_error(net), "train_step: no targets") == 0);
    double nan_x[2] = {NAN, 0};
    CHECK_STATUS(xn_net_predict(net, 1, nan_x, buf), XN_ENUMERIC);
    CHECK(strcmp(xn_net_error(net), "predict: row 1's input is not finite") == 0);
    double many[16] = {0}, many_y[8]; /* two blocks of the 4 reserved rows */
    many[12] = NAN;
    CHECK_STATUS(xn_net_predict(net, 8, many, many_y), XN_ENUMERIC);
    CHECK(strcmp(xn_net_error(net), "predict: row 7's input is not finite") == 0);
    many[12] = 0;
    CHECK_STATUS(xn_net_predict(net, 8, many, many_y), XN_OK);
    /* two hidden relus at +inf into weights of opposite signs: inf - inf */
    double big_x[4] = {0, 0, 1e308, 1e308};
    xn_net_weights(net, 1)[0] = xn_net_weights(net, 1)[1] = 10.0;
    xn_net_weights(net, 2)[0] = 10.0;
    xn_net_weights(net, 2)[1] = -10.0;
    CHECK_STATUS(xn_net_predict(net, 2, big_x, buf), XN_ENUMERIC);
    CHECK(strstr(xn_net_error(net), "predict: row 2's output is not finite") != NULL);

    /* a network read from a file carries no training state until trained */
    const char *text = "xornet 1\nsizes 2 1\nactivations sigmoid\nloss mse\nW1 2 1\n1\n-1\nb1 1\n0\n";
    xn_net *loaded;
    CHECK_STATUS(xn_net_parse(&loaded, text, strlen(text), NULL), XN_OK);
    CHECK(xn_net_grads(loaded) == NULL && xn_net_dweights(loaded, 1) == NULL);
    CHECK_STATUS(xn_net_update(loaded), XN_EINVAL);
    CHECK(strstr(xn_net_error(loaded), "no gradient yet") != NULL);
    CHECK_STATUS(xn_net_predict(loaded, 4, x, buf), XN_OK);
    CHECK(buf[1] == 1.0 / (1.0 + exp(1.0)));
    CHECK_STATUS(xn_net_gradient(loaded, 4, x, y, &loss), XN_OK);
    CHECK(xn_net_grads(loaded) != NULL);
    xn_net_destroy(loaded);
    xn_net_destroy(net);
}

/* A created network, like a loaded one, has no gradient to apply until
 * one is computed, set or zeroed; a failed step leaves the optimizer the
 * network had (kind, rate and moments). */
static void step_order(void)
{
    size_t sizes[3] = {2, 4, 1};
    xn_act acts[2] = {XN_ACT_TANH, XN_ACT_SIGMOID};
    xn_net *net = make_net(2, sizes, acts, XN_LOSS_MSE, XN_KERNEL_AUTO, 3);
    const double *x = xn_xor_inputs(), *y = xn_xor_targets();
    double before[17], after[17], loss;
    CHECK_STATUS(xn_net_get_params(net, before), XN_OK);
    CHECK_STATUS(xn_net_update(net), XN_EINVAL);
    CHECK(strstr(xn_net_error(net), "update: no gradient yet") != NULL);
    CHECK_STATUS(xn_net_get_params(net, after), XN_OK);
    CHECK(memcmp(before, after, sizeof before) == 0);
    xn_net_zero_grads(net); /* a zero gradient on purpose: Adam's step is 0 */
    CHECK_STATUS(xn_net_update(net), XN_OK);

    xn_opt adam = xn_opt_default(XN_OPT_ADAM), mom = xn_opt_default(XN_OPT_MOMENTUM);
    CHECK_STATUS(xn_net_train_step(net, 4, x, y, &adam, &loss), XN_OK);
    xn_net *twin;
    CHECK_STATUS(xn_net_clone(&twin, net), XN_OK);
    /* refused before the gradient (0 rows, a non-finite input) or at it:
     * still Adam, at its rate, with its moments */
    double nan_x[8] = {0, 0, 0, 1, 1, 0, NAN, 1};
    CHECK_STATUS(xn_net_train_step(net, 0, x, y, &mom, &loss), XN_EDIM);
    CHECK_STATUS(xn_net_train_step(net, 4, nan_x, y, &mom, &loss), XN_ENUMERIC);
    xn_opt faster = adam;
    faster.lr = 0.5;
    CHECK_STATUS(xn_net_train_step(net, 4, nan_x, y, &faster, &loss), XN_ENUMERIC);
    CHECK(xn_net_opt(net).kind == XN_OPT_ADAM && xn_net_opt(net).lr == adam.lr);
    double l1, l2;
    CHECK_STATUS(xn_net_train_step(net, 4, x, y, &adam, &l1), XN_OK);
    CHECK_STATUS(xn_net_train_step(twin, 4, x, y, &adam, &l2), XN_OK);
    CHECK_STATUS(xn_net_get_params(net, before), XN_OK);
    CHECK_STATUS(xn_net_get_params(twin, after), XN_OK);
    CHECK(l1 == l2 && memcmp(before, after, sizeof before) == 0);
    xn_net_destroy(twin);
    xn_net_destroy(net);
}

static void version(void)
{
    char want[32];
    snprintf(want, sizeof want, "%d.%d.%d", XN_VERSION_MAJOR, XN_VERSION_MINOR, XN_VERSION_PATCH);
    CHECK(strcmp(xn_version(), want) == 0);
#ifdef XN_PROJECT_VERSION
    CHECK(strcmp(xn_version(), XN_PROJECT_VERSION) == 0); /* meson.build's */
#else
    CHECK(!"the build passes meson's project version");
#endif
}

int main(void)
{
    accumulation();
    update_after_edit();
    optimizer_state();
    weight_decay();
    rules();
    reasons_and_states();
    step_order();
    version();
    CHECK_DONE();
}
