/* Backpropagation against central finite differences, for every hidden
 * activation and every valid (output activation, loss) pair, on networks
 * with several hidden layers of odd sizes (1, 3, 7, 33), with each kernel
 * family (the naive path runs every formula as its own pass; blas and auto
 * fuse width-1 layers into their neighbours' passes). */
#include <stdbool.h>
#include <stdlib.h>

#include "check.h"
#include "xornet/xornet.h"

enum { N = 11 };

static void fill(xn_rng *r, double *v, size_t n, double lo, double hi)
{
    for (size_t i = 0; i < n; i++)
        v[i] = lo + (hi - lo) * xn_rng_uniform(r);
}

/* Targets a loss accepts: in [0,1] for mse/sse/bce, rows of a
 * distribution (summing to 1) for cce unless `raw`: cce's rows need not
 * sum to 1 (-sum_k y_k log a_k, whose delta a_k sum_j y_j - y_k is a - y
 * only for rows that do), so they are checked as drawn too. */
static void targets(xn_rng *r, xn_loss loss, double *y, size_t n, size_t k, bool raw)
{
    fill(r, y, n * k, 0.0, 1.0);
    if (loss != XN_LOSS_CCE || raw)
        return;
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t j = 0; j < k; j++)
            s += y[i * k + j];
        for (size_t j = 0; j < k; j++)
            y[i * k + j] /= s;
    }
}

/* Returns ||g - fd|| / ||fd|| over all parameters. */
static double grad_error(xn_net *net, const double *x, const double *y, double *gnorm)
{
    size_t P = xn_net_param_count(net);
    double *p = xn_net_params(net), loss;
    CHECK_STATUS(xn_net_gradient(net, N, x, y, &loss), XN_OK);
    double *g = malloc(P * sizeof *g);
    for (size_t i = 0; i < P; i++)
        g[i] = xn_net_grads(net)[i];
    double num = 0, den = 0;
    for (size_t i = 0; i < P; i++) {
        /* h small enough that no relu input crosses its kink on these seeds
         * (central differences are only valid away from kinks), large
         * enough that rounding stays near 1e-10 relative */
        double keep = p[i], h = 1e-6 * (fabs(keep) > 1 ? fabs(keep) : 1), lp, lm;
        p[i] = keep + h;
        CHECK_STATUS(xn_net_eval_loss(net, N, x, y, &lp), XN_OK);
        p[i] = keep - h;
        CHECK_STATUS(xn_net_eval_loss(net, N, x, y, &lm), XN_OK);
        p[i] = keep;
        double fd = (lp - lm) / (2 * h);
        num += (g[i] - fd) * (g[i] - fd);
        den += fd * fd;
    }
    free(g);
    *gnorm = sqrt(den);
    return sqrt(num / den);
}

static void check_case(const size_t *sizes, size_t L, xn_act hidden, xn_act out,
                       xn_loss loss, xn_kernel kernel, uint64_t seed, bool raw)
{
    xn_act acts[8];
    for (size_t l = 0; l + 1 < L; l++)
        acts[l] = hidden;
    acts[L - 1] = out;
    xn_net_config cfg = {.n_layers = L, .sizes = sizes, .acts = acts, .loss = loss,
                         .max_batch = N, .kernel = kernel};
    xn_net *net;
    CHECK_STATUS(xn_net_create(&net, &cfg), XN_OK);
    if (!net)
        return;
    xn_rng r;
    xn_rng_seed(&r, XN_RNG_NUMPY, seed);
    CHECK_STATUS(xn_net_init(net, XN_INIT_GLOROT_NORMAL, XN_ORDER_ROW, XN_BIAS_DRAWN, &r), XN_OK);
    if (out == XN_ACT_RELU) /* keep the output units alive: a dead relu has no gradient */
        for (size_t k = 0; k < sizes[L]; k++)
            xn_net_bias(net, L)[k] = 3.0;
    double x[N * 40], y[N * 40], gnorm;
    fill(&r, x, N * sizes[0], -1.0, 1.0);
    targets(&r, loss, y, N, sizes[L], raw);
    double err = grad_error(net, x, y, &gnorm);
    if (!(err <= 1e-6) || !(gnorm > 0))
        fprintf(stderr, "  sizes[0]=%zu L=%zu hidden=%s out=%s loss=%s%s kernel=%s: rel err %g, |g| %g\n",
                sizes[0], L, xn_act_name(hidden), xn_act_name(out), xn_loss_name(loss),
                raw ? " (rows not summing to 1)" : "", xn_kernel_name(kernel), err, gnorm);
    CHECK(err <= 1e-6);
    CHECK(gnorm > 0); /* a gradient that is all zero would pass vacuously */
    xn_net_destroy(net);
}

/* A relu output dead on some rows (z < 0 there, a = 0): those rows add
 * nothing to the gradient.  The cases above keep every relu output alive
 * (bias 3), where the derivative at a = 0 never shows. */
static void relu_output_dead_rows(void)
{
    static const size_t sizes[3] = {2, 5, 1};
    static const xn_act acts[2] = {XN_ACT_TANH, XN_ACT_RELU};
    xn_net_config cfg = {.n_layers = 2, .sizes = sizes, .acts = acts, .loss = XN_LOSS_MSE, .max_batch = N};
    xn_net *net;
    CHECK_STATUS(xn_net_create(&net, &cfg), XN_OK);
    if (!net)
        return;
    xn_rng r;
    xn_rng_seed(&r, XN_RNG_NUMPY, 12);
    CHECK_STATUS(xn_net_init(net, XN_INIT_GLOROT_NORMAL, XN_ORDER_ROW, XN_BIAS_ZERO, &r), XN_OK);
    double x[N * 2], y[N], a[N], gnorm;
    fill(&r, x, N * 2, -1.0, 1.0);
    fill(&r, y, N, 0.0, 1.0);
    CHECK_STATUS(xn_net_predict(net, N, x, a), XN_OK);
    size_t dead = 0, alive = 0;
    for (size_t i = 0; i < N; i++) {
        dead += a[i] == 0.0;
        alive += a[i] > 1e-3;
    }
    CHECK(dead >= 2 && alive >= 2 && dead + alive == N); /* no row near the kink */
    double err = grad_error(net, x, y, &gnorm);
    if (!(err <= 1e-6))
        fprintf(stderr, "  a relu output dead on %zu of %d rows: rel err %g\n", dead, N, err);
    CHECK(err <= 1e-6 && gnorm > 0);
    xn_net_destroy(net);
}

int main(void)
{
    static const size_t shapes[][6] = {
        {3, 7, 33, 1},     /* wide hidden layers, one output */
        {7, 1, 33, 3, 3},  /* a width-1 hidden layer: the fused narrow path */
        {1, 3, 1, 7, 1},   /* width 1 at the input and twice inside */
    };
    static const size_t depth[] = {3, 4, 4};
    static const struct {
        xn_act out;
        xn_loss loss;
    } heads[] = {
        {XN_ACT_IDENTITY, XN_LOSS_MSE}, {XN_ACT_SIGMOID, XN_LOSS_MSE}, {XN_ACT_RELU, XN_LOSS_MSE},
        {XN_ACT_TANH, XN_LOSS_MSE},     {XN_ACT_SOFTMAX, XN_LOSS_MSE}, {XN_ACT_IDENTITY, XN_LOSS_SSE},
        {XN_ACT_SIGMOID, XN_LOSS_SSE},  {XN_ACT_TANH, XN_LOSS_SSE},    {XN_ACT_SOFTMAX, XN_LOSS_SSE},
        {XN_ACT_SIGMOID, XN_LOSS_BCE},  {XN_ACT_SOFTMAX, XN_LOSS_CCE}, {XN_ACT_SIGMOID, XN_LOSS_BCE_SUM},
    };
    static const xn_act hidden[] = {XN_ACT_IDENTITY, XN_ACT_SIGMOID, XN_ACT_RELU, XN_ACT_TANH};
    uint64_t seed = 1;
    for (size_t s = 0; s < 3; s++)
        for (size_t h = 0; h < sizeof heads / sizeof heads[0]; h++)
            for (size_t a = 0; a < 4; a++)
                for (int k = 0; k < 3; k++) {
                    size_t sizes[6];
                    for (size_t i = 0; i <= depth[s]; i++)
                        sizes[i] = shapes[s][i];
                    /* softmax over one output is constant: give it three */
                    if (heads[h].out == XN_ACT_SOFTMAX && sizes[depth[s]] == 1)
                        sizes[depth[s]] = 3;
                    check_case(sizes, depth[s], hidden[a], heads[h].out, heads[h].loss,
                               (xn_kernel)k, seed++, false);
                    if (heads[h].loss == XN_LOSS_CCE)
                        check_case(sizes, depth[s], hidden[a], heads[h].out, heads[h].loss,
                                   (xn_kernel)k, seed++, true);
                }
    relu_output_dead_rows();
    CHECK_DONE();
}
