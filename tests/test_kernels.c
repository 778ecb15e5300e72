/* The naive kernels are the specification; the BLAS kernels and the fused
 * width-1 paths of the network must give the same numbers.
 *   1. each product pair (fwd, dw, dwacc, dx) at sizes 1, odd, prime and 64,
 *      and a product in slices of its rows or columns against it whole;
 *   2. the auto rule of xn_kernels_pick around XN_AUTO_NAIVE_BELOW;
 *   3. whole networks: 100 training steps with naive, blas and auto from the
 *      same start give the same losses and parameters to 1e-12 relative,
 *      for random shapes (1, odd and prime sizes, width-1 layers anywhere,
 *      batches past the auto threshold and batches net.c takes in blocks
 *      of rows), every activation and every loss. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "src/engine/internal.h"

#define RTOL 1e-12

static double rnd(xn_rng *rng) { return 2.0 * xn_rng_uniform(rng) - 1.0; }

static void fill(double *v, size_t len, xn_rng *rng)
{
    for (size_t i = 0; i < len; i++)
        v[i] = rnd(rng);
}

static size_t pick(xn_rng *rng, const size_t *from, size_t len)
{
    return from[xn_rng_u32(rng) % len];
}

/* ---- 1. kernel pairs --------------------------------------------------- */

/* |a - b| <= RTOL (|b| + scale): a sum of `terms` products of numbers in
 * [-1, 1] may cancel to near zero, so the error is bounded by its terms. */
static int close_all(const double *a, const double *b, size_t len, double terms)
{
    int bad = 0;
    for (size_t i = 0; i < len; i++)
        if (!(fabs(a[i] - b[i]) <= RTOL * (fabs(b[i]) + terms)))
            bad++;
    return bad;
}

static void test_pair(size_t n, size_t in, size_t out, xn_rng *rng)
{
    size_t big = (n > in ? n : in) * (out > in ? out : in) + n * out + in * out;
    double *x = malloc(n * in * sizeof *x), *w = malloc(in * out * sizeof *w);
    double *dy = malloc(n * out * sizeof *dy), *r1 = malloc(big * sizeof *r1);
    double *r2 = malloc(big * sizeof *r2);
    CHECK(x && w && dy && r1 && r2);
    if (!x || !w || !dy || !r1 || !r2)
        goto done;
    fill(x, n * in, rng);
    fill(w, in * out, rng);
    fill(dy, n * out, rng);
    const xn_kernels_f64 *nk = &xn_kernels_naive_f64, *bk = &xn_kernels_blas_f64;
    /* outputs start as garbage: every product must overwrite */
    for (size_t i = 0; i < big; i++)
        r1[i] = r2[i] = NAN;
    nk->fwd(n, in, out, x, in, w, out, r1, out);
    bk->fwd(n, in, out, x, in, w, out, r2, out);
    CHECK(close_all(r2, r1, n * out, (double)in) == 0);
    for (size_t i = 0; i < big; i++)
        r1[i] = r2[i] = NAN;
    nk->dw(n, in, out, x, in, dy, out, r1, out);
    bk->dw(n, in, out, x, in, dy, out, r2, out);
    CHECK(close_all(r2, r1, in * out, (double)n) == 0);
    /* dwacc adds: the batch in two blocks of rows sums exactly as in one
     * call with the naive kernel, and to rounding with BLAS */
    {
        size_t h = (n + 1) / 2; /* BLAS leaves a 0-row product untouched */
        nk->dw(n, in, out, x, in, dy, out, r1, out);
        nk->dw(h, in, out, x, in, dy, out, r2, out);
        if (n > h)
            nk->dwacc(n - h, in, out, x + h * in, in, dy + h * out, out, r2, out);
        int same = 1;
        for (size_t i = 0; i < in * out; i++)
            same &= r1[i] == r2[i];
        CHECK(same);
        bk->dw(h, in, out, x, in, dy, out, r2, out);
        if (n > h)
            bk->dwacc(n - h, in, out, x + h * in, in, dy + h * out, out, r2, out);
        CHECK(close_all(r2, r1, in * out, (double)n) == 0);
    }
    for (size_t i = 0; i < big; i++)
        r1[i] = r2[i] = NAN;
    nk->dx(n, in, out, dy, out, w, out, r1, in);
    bk->dx(n, in, out, dy, out, w, out, r2, in);
    CHECK(close_all(r2, r1, n * in, (double)out) == 0);
    /* the naive products are the textbook sums, checked on one entry each */
    {
        size_t i = n - 1, k = in / 2, o = out - 1;
        double s = 0.0;
        for (size_t j = 0; j < in; j++)
            s += x[i * in + j] * w[j * out + o];
        nk->fwd(n, in, out, x, in, w, out, r1, out);
        CHECK_NEAR(r1[i * out + o], s, 1e-13 * (double)in);
        s = 0.0;
        for (size_t j = 0; j < n; j++)
            s += x[j * in + k] * dy[j * out + o];
        nk->dw(n, in, out, x, in, dy, out, r1, out);
        CHECK_NEAR(r1[k * out + o], s, 1e-13 * (double)n);
        s = 0.0;
        for (size_t j = 0; j < out; j++)
            s += dy[i * out + j] * w[k * out + j];
        nk->dx(n, in, out, dy, out, w, out, r1, in);
        CHECK_NEAR(r1[i * in + k], s, 1e-13 * (double)out);
    }
done:
    free(x);
    free(w);
    free(dy);
    free(r1);
    free(r2);
}

/* The float32 products against the float64 ones on the same (float)
 * numbers: within float's rounding of sums of `terms` products. */
static void test_pair_f32(size_t n, size_t in, size_t out, xn_rng *rng)
{
    size_t big = (n > in ? n : in) * (out > in ? out : in) + n * out + in * out;
    float *x = malloc(n * in * sizeof *x), *w = malloc(in * out * sizeof *w), *dy = malloc(n * out * sizeof *dy);
    float *f1 = malloc(big * sizeof *f1), *f2 = malloc(big * sizeof *f2);
    double *xd = malloc(n * in * sizeof *xd), *wd = malloc(in * out * sizeof *wd);
    double *dyd = malloc(n * out * sizeof *dyd), *d = malloc(big * sizeof *d);
    for (size_t i = 0; i < n * in; i++)
        xd[i] = x[i] = (float)rnd(rng);
    for (size_t i = 0; i < in * out; i++)
        wd[i] = w[i] = (float)rnd(rng);
    for (size_t i = 0; i < n * out; i++)
        dyd[i] = dy[i] = (float)rnd(rng);
    const xn_kernels_f32 *nk = &xn_kernels_naive_f32, *bk = &xn_kernels_blas_f32;
    int bad = 0;
#define CLOSE32(len, terms)                                                          \
    for (size_t i = 0; i < (len); i++)                                               \
        bad += !(fabs(f1[i] - d[i]) <= 1e-6 * (terms) && fabs(f2[i] - d[i]) <= 1e-6 * (terms));
    nk->fwd(n, in, out, x, in, w, out, f1, out);
    bk->fwd(n, in, out, x, in, w, out, f2, out);
    xn_kernels_naive_f64.fwd(n, in, out, xd, in, wd, out, d, out);
    CLOSE32(n * out, (double)in)
    nk->dw(n, in, out, x, in, dy, out, f1, out);
    bk->dw(n, in, out, x, in, dy, out, f2, out);
    xn_kernels_naive_f64.dw(n, in, out, xd, in, dyd, out, d, out);
    CLOSE32(in * out, (double)n)
    nk->dx(n, in, out, dy, out, w, out, f1, in);
    bk->dx(n, in, out, dy, out, w, out, f2, in);
    xn_kernels_naive_f64.dx(n, in, out, dyd, out, wd, out, d, in);
    CLOSE32(n * in, (double)out)
#undef CLOSE32
    CHECK(bad == 0);
    free(x);
    free(w);
    free(dy);
    free(f1);
    free(f2);
    free(xd);
    free(wd);
    free(dyd);
    free(d);
}

/* A product computed in slices through the strides equals it computed
 * whole: the naive kernels to the bit (each entry the same sum in the same
 * order), BLAS to rounding.  The slices are as a network's threads take
 * them: the rows or the columns of fwd's and dw's outputs, the columns of
 * dx's, cut at uneven places. */
static void test_slices(const xn_kernels_f64 *k, bool exact, xn_rng *rng)
{
    enum { N = 37, IN = 50, OUT = 41 };
    static const size_t cuts[] = {0, 13, 29}; /* slices [cuts[i], cuts[i+1]), the last to the end */
    double x[N * IN], w[IN * OUT], dy[N * OUT], whole[IN * OUT + N * IN], part[IN * OUT + N * IN];
    fill(x, N * IN, rng);
    fill(w, IN * OUT, rng);
    fill(dy, N * OUT, rng);
    for (int what = 0; what < 5; what++) { /* fwd rows, fwd columns, dw rows, dw columns, dx columns */
        size_t len = what < 2 ? N * OUT : what < 4 ? IN * OUT : N * IN;
        size_t dim = what == 0 ? N : what == 1 || what == 3 ? OUT : IN;
        if (what < 2)
            k->fwd(N, IN, OUT, x, IN, w, OUT, whole, OUT);
        else if (what < 4)
            k->dw(N, IN, OUT, x, IN, dy, OUT, whole, OUT);
        else
            k->dx(N, IN, OUT, dy, OUT, w, OUT, whole, IN);
        for (size_t c = 0; c < 3; c++) {
            size_t lo = cuts[c], m = (c == 2 ? dim : cuts[c + 1]) - lo;
            switch (what) {
            case 0: k->fwd(m, IN, OUT, x + lo * IN, IN, w, OUT, part + lo * OUT, OUT); break;
            case 1: k->fwd(N, IN, m, x, IN, w + lo, OUT, part + lo, OUT); break;
            case 2: k->dw(N, m, OUT, x + lo, IN, dy, OUT, part + lo * OUT, OUT); break;
            case 3: k->dw(N, IN, m, x, IN, dy + lo, OUT, part + lo, OUT); break;
            default: k->dx(N, m, OUT, dy, OUT, w + lo * OUT, OUT, part + lo, IN); break;
            }
        }
        if (exact)
            CHECK(memcmp(whole, part, len * sizeof *whole) == 0);
        else
            CHECK(close_all(part, whole, len, (double)(what < 2 ? IN : what < 4 ? N : OUT)) == 0);
    }
}

static void test_pairs(xn_rng *rng)
{
    static const size_t sizes[] = {1, 2, 3, 17, 64};
    size_t ns = sizeof sizes / sizeof sizes[0];
    for (size_t a = 0; a < ns; a++)
        for (size_t b = 0; b < ns; b++)
            for (size_t c = 0; c < ns; c++)
                test_pair(sizes[a], sizes[b], sizes[c], rng);
    test_pair(257, 31, 1, rng);   /* width 1: the dgemv / dger paths */
    test_pair(1031, 1, 67, rng);  /* one input column */
    for (size_t a = 0; a < ns; a++)
        for (size_t b = 0; b < ns; b++)
            test_pair_f32(sizes[a], sizes[b], sizes[(a + b) % ns], rng);
    test_pair_f32(257, 31, 1, rng); /* sgemv / sger */
    test_slices(&xn_kernels_naive_f64, true, rng);
    test_slices(&xn_kernels_blas_f64, false, rng);
}

/* ---- 2. the auto rule -------------------------------------------------- */

static void test_pick(void)
{
    CHECK(xn_kernels_pick_f64(XN_KERNEL_NAIVE, 4096, 4096, 4096) == &xn_kernels_naive_f64);
    CHECK(xn_kernels_pick_f64(XN_KERNEL_BLAS, 1, 1, 1) == &xn_kernels_blas_f64);
    CHECK(xn_kernels_pick_f64(XN_KERNEL_AUTO, 1, 1, 1) == &xn_kernels_naive_f64);
    CHECK(xn_kernels_pick_f64(XN_KERNEL_AUTO, 4, 2, 10) == &xn_kernels_naive_f64);
    CHECK(xn_kernels_pick_f64(XN_KERNEL_AUTO, 1, 1, XN_AUTO_NAIVE_BELOW - 1) == &xn_kernels_naive_f64);
    CHECK(xn_kernels_pick_f64(XN_KERNEL_AUTO, 1, 1, XN_AUTO_NAIVE_BELOW) == &xn_kernels_blas_f64);
    CHECK(xn_kernels_pick_f64(XN_KERNEL_AUTO, 16384, 64, 256) == &xn_kernels_blas_f64);
    /* an overflowing size product saturates to BLAS */
    CHECK(xn_kernels_pick_f64(XN_KERNEL_AUTO, SIZE_MAX, 2, 2) == &xn_kernels_blas_f64);
}

/* ---- 3. whole networks ------------------------------------------------- */

typedef struct {
    size_t L, sizes[5], n;
    xn_act acts[4];
    xn_loss loss;
    xn_opt opt;
} net_case;

static xn_net *make(const net_case *c, xn_kernel k, uint64_t seed)
{
    xn_net_config cfg = {.n_layers = c->L, .sizes = c->sizes, .acts = c->acts, .loss = c->loss,
                         .max_batch = c->n, .kernel = k};
    xn_net *net = NULL;
    xn_rng rng;
    CHECK_STATUS(xn_net_create(&net, &cfg), XN_OK);
    if (!net)
        return NULL;
    xn_rng_seed(&rng, XN_RNG_NUMPY, seed);
    CHECK_STATUS(xn_net_init(net, XN_INIT_GLOROT_UNIFORM, XN_ORDER_ROW, XN_BIAS_DRAWN, &rng),
                 XN_OK);
    return net;
}

/* |a - b| <= RTOL (|b| + max |b|) entry by entry: relative to each entry,
 * with the vector's scale as the floor for entries near zero. */
static int params_close(const double *a, const double *b, size_t len)
{
    double scale = 0.0;
    int bad = 0;
    for (size_t i = 0; i < len; i++)
        scale = fabs(b[i]) > scale ? fabs(b[i]) : scale;
    for (size_t i = 0; i < len; i++)
        if (!(fabs(a[i] - b[i]) <= RTOL * (fabs(b[i]) + scale)))
            bad++;
    return bad;
}

static int cases_run;

static void run_case(const net_case *c, xn_rng *rng)
{
    size_t n = c->n, in = c->sizes[0], K = c->sizes[c->L];
    double *x = malloc(n * in * sizeof *x), *y = malloc(n * K * sizeof *y);
    xn_net *nets[3] = {make(c, XN_KERNEL_NAIVE, 11), make(c, XN_KERNEL_BLAS, 11),
                       make(c, XN_KERNEL_AUTO, 11)};
    CHECK(x && y && nets[0] && nets[1] && nets[2]);
    if (!x || !y || !nets[0] || !nets[1] || !nets[2])
        goto done;
    for (size_t i = 0; i < n * in; i++)
        x[i] = rnd(rng);
    for (size_t i = 0; i < n; i++) {
        size_t hot = xn_rng_u32(rng) % K;
        for (size_t k = 0; k < K; k++) {
            double *t = y + i * K + k;
            if (c->loss == XN_LOSS_CCE)
                *t = k == hot ? 1.0 : 0.0;
            else if (c->loss == XN_LOSS_BCE)
                *t = xn_rng_uniform(rng) < 0.5 ? 0.0 : 1.0;
            else
                *t = xn_rng_uniform(rng);
        }
    }
    /* losses relative to themselves, floored by the first step's loss: a
     * fit that drives the loss to zero leaves only rounding noise */
    int bad_loss = 0, bad_status = 0;
    double first = 0.0;
    for (int step = 0; step < 100; step++) {
        double loss[3];
        for (int v = 0; v < 3; v++)
            if (xn_net_train_step(nets[v], n, x, y, &c->opt, &loss[v]) != XN_OK)
                bad_status++;
        if (step == 0)
            first = fabs(loss[0]);
        for (int v = 1; v < 3; v++) {
            if (!(fabs(loss[v] - loss[0]) <= RTOL * (fabs(loss[0]) + first)))
                bad_loss++;
            /* the step's forward outputs, all n rows, also in a blocked batch */
            if (params_close(xn_net_output(nets[v]), xn_net_output(nets[0]), n * K))
                bad_loss++;
        }
    }
    size_t P = xn_net_param_count(nets[0]);
    int bad_b = params_close(xn_net_params(nets[1]), xn_net_params(nets[0]), P);
    int bad_a = params_close(xn_net_params(nets[2]), xn_net_params(nets[0]), P);
    CHECK(bad_status == 0);
    CHECK(bad_loss == 0);
    CHECK(bad_b == 0);
    CHECK(bad_a == 0);
    if (bad_status || bad_loss || bad_b || bad_a) {
        fprintf(stderr, "  case: n=%zu sizes", n);
        for (size_t l = 0; l <= c->L; l++)
            fprintf(stderr, " %zu", c->sizes[l]);
        fprintf(stderr, " acts");
        for (size_t l = 0; l < c->L; l++)
            fprintf(stderr, " %s", xn_act_name(c->acts[l]));
        fprintf(stderr, " loss %s opt %s\n", xn_loss_name(c->loss), xn_opt_name(c->opt.kind));
    }
    cases_run++;
done:
    for (int v = 0; v < 3; v++)
        xn_net_destroy(nets[v]);
    free(x);
    free(y);
}

static void test_nets(xn_rng *rng)
{
    static const size_t widths[] = {1, 1, 2, 3, 5, 7, 13, 17, 31, 64};
    /* batches past the auto threshold and past a block are in `fixed` */
    static const size_t batches[] = {1, 3, 4, 17, 64, 97, 257};
    static const xn_act hidden[] = {XN_ACT_IDENTITY, XN_ACT_SIGMOID, XN_ACT_RELU, XN_ACT_TANH};
    static const xn_act outs[] = {XN_ACT_IDENTITY, XN_ACT_SIGMOID, XN_ACT_RELU, XN_ACT_TANH,
                                  XN_ACT_SOFTMAX};
    static const xn_loss losses[] = {XN_LOSS_MSE, XN_LOSS_SSE, XN_LOSS_BCE, XN_LOSS_CCE};
    static const xn_opt_kind opts[] = {XN_OPT_GD, XN_OPT_GD, XN_OPT_MOMENTUM, XN_OPT_ADAM};
    size_t nw = sizeof widths / sizeof widths[0], nb = sizeof batches / sizeof batches[0];
    for (size_t h = 0; h < 4; h++)
        for (size_t o = 0; o < 5; o++)
            for (size_t l = 0; l < 4; l++) {
                xn_loss loss = losses[l];
                if ((loss == XN_LOSS_BCE && outs[o] != XN_ACT_SIGMOID) ||
                    (loss == XN_LOSS_CCE && outs[o] != XN_ACT_SOFTMAX))
                    continue;
                /* two random shapes per combination: 1 to 3 layers */
                for (int rep = 0; rep < 2; rep++) {
                    net_case c;
                    memset(&c, 0, sizeof c);
                    c.L = 1 + xn_rng_u32(rng) % 3;
                    c.n = pick(rng, batches, nb);
                    for (size_t i = 0; i <= c.L; i++)
                        c.sizes[i] = pick(rng, widths, nw);
                    /* softmax and cce need two classes to mean anything */
                    if (outs[o] == XN_ACT_SOFTMAX && c.sizes[c.L] == 1)
                        c.sizes[c.L] = 3;
                    for (size_t i = 0; i + 1 < c.L; i++)
                        c.acts[i] = hidden[h];
                    c.acts[c.L - 1] = outs[o];
                    c.loss = loss;
                    c.opt = xn_opt_default(opts[xn_rng_u32(rng) % 4]);
                    c.opt.lr = c.opt.kind == XN_OPT_ADAM ? 0.01 : 0.1;
                    c.opt.momentum = 0.9;
                    run_case(&c, rng);
                }
            }
    /* fixed shapes the random draw may miss: XOR, width-1 hidden layers,
     * a width-1 output past the auto threshold, and the bench's K = 10 net */
    static const net_case fixed[] = {
        {2, {2, 10, 1}, 4, {XN_ACT_RELU, XN_ACT_SIGMOID}, XN_LOSS_MSE, {.kind = XN_OPT_GD,
         .lr = 0.5}},
        {2, {2, 2, 1}, 4, {XN_ACT_TANH, XN_ACT_SIGMOID}, XN_LOSS_BCE, {.kind = XN_OPT_GD,
         .lr = 0.5}},
        {3, {5, 1, 7, 1}, 33, {XN_ACT_TANH, XN_ACT_SIGMOID, XN_ACT_IDENTITY}, XN_LOSS_SSE,
         {.kind = XN_OPT_MOMENTUM, .lr = 0.05, .momentum = 0.9}},
        {2, {13, 67, 1}, 1031, {XN_ACT_RELU, XN_ACT_SIGMOID}, XN_LOSS_MSE, {.kind = XN_OPT_GD,
         .lr = 0.1}},
        {2, {64, 256, 1}, 263, {XN_ACT_RELU, XN_ACT_SIGMOID}, XN_LOSS_BCE, {.kind = XN_OPT_ADAM,
         .lr = 0.001, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8}},
        {2, {37, 41, 10}, 263, {XN_ACT_RELU, XN_ACT_SOFTMAX}, XN_LOSS_CCE, {.kind = XN_OPT_GD,
         .lr = 0.1}},
        {4, {3, 17, 1, 1, 2}, 101, {XN_ACT_SIGMOID, XN_ACT_TANH, XN_ACT_RELU, XN_ACT_SOFTMAX},
         XN_LOSS_CCE, {.kind = XN_OPT_GD, .lr = 0.1}},
        /* wide enough that net.c takes the batch in blocks of rows (64 or
         * 72 here), with a short last block */
        {2, {3, 1024, 1}, 300, {XN_ACT_RELU, XN_ACT_SIGMOID}, XN_LOSS_MSE, {.kind = XN_OPT_GD,
         .lr = 0.1}},
        {3, {5, 600, 1, 1}, 257, {XN_ACT_TANH, XN_ACT_SIGMOID, XN_ACT_SIGMOID}, XN_LOSS_BCE,
         {.kind = XN_OPT_MOMENTUM, .lr = 0.1, .momentum = 0.9}},
        {3, {4, 700, 1, 3}, 200, {XN_ACT_RELU, XN_ACT_IDENTITY, XN_ACT_SOFTMAX}, XN_LOSS_CCE,
         {.kind = XN_OPT_ADAM, .lr = 0.01, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8}},
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        run_case(&fixed[i], rng);
}

int main(void)
{
    xn_rng rng;
    xn_rng_seed(&rng, XN_RNG_NUMPY, 20240903);
    test_pairs(&rng);
    test_pick();
    test_nets(&rng);
    CHECK(cases_run > 50);
    CHECK_DONE();
}
