/* xor_bench: the whole-batch training step (forward, loss, backward, GD
 * update: xn_net_train_step) with the naive, blas and auto kernels over a
 * grid of shapes (N rows, D inputs, H hidden, K outputs), next to
 *   - the same step's matrix products alone as bare cblas_dgemm calls on
 *     preallocated buffers (the step's BLAS ceiling),
 *   - the same step in NumPy (bench/xor_step.py, run per shape right after
 *     xornet's timings; skipped without NumPy),
 *   - FANN's batch epoch (fann_train_epoch, FANN_TRAIN_BATCH) when built
 *     with FANN.
 * Before timing a shape it checks that naive, blas and auto agree.
 *
 *   xor_bench [--quick] [--csv | --md] [--threads N] [--python PATH]
 *
 * Nets are relu hidden + sigmoid output + mse (softmax + cce for K > 1).
 * FLOPs per step count the matrix products only:
 *   forward  2N(DH + HK), dW  2N(DH + HK), dX  2N HK (no dX for layer 1),
 * so F = 2N(2DH + 3HK).  Timings are medians over repeated samples after a
 * warm-up; they are reported, never asserted.  Exit status 1 only if the
 * kernels disagree or a step fails. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, popen, setenv */

#include <cblas.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/engine/internal.h"
#include "xn_config.h"
#include "xornet/xornet.h"

#include "bench_util.h"
#ifdef XN_HAVE_FANN
#include "fann_epoch.h"
#endif

#ifndef XN_BENCH_SRCDIR
#define XN_BENCH_SRCDIR "bench"
#endif

typedef struct {
    size_t n, d, h, k;
} shape;

static const shape grid[] = {
    {4, 2, 10, 1},    {4, 2, 2, 1},       {64, 2, 32, 1},     {1024, 64, 256, 1},
    {16384, 64, 256, 1}, {16384, 64, 1024, 1}, {4096, 784, 512, 10},
};
#define NSHAPES (sizeof grid / sizeof grid[0])

enum { OUT_TEXT, OUT_CSV, OUT_MD };

typedef struct {
    bool quick;
    int format;
    int threads;          /* 0: every CPU for xornet, OpenBLAS's default for the rest */
    const char *python;   /* NULL: search */
    bench_plan plan;
} options;

/* Steps of the naive/blas/auto agreement check, and its tolerance: the
 * normwise relative difference of losses and parameters. */
#define CHECK_STEPS 3
#define CHECK_TOL 1e-12

/* ---- problems ---------------------------------------------------------- */

static double flops_of(shape s)
{
    double n = (double)s.n, d = (double)s.d, h = (double)s.h, k = (double)s.k;
    return 2.0 * n * (2.0 * d * h + 3.0 * h * k);
}

static double lr_of(shape s) { return s.n == 4 ? 0.1 : 0.01; }

static bool is_xor(shape s) { return s.n == 4 && s.d == 2 && s.k == 1; }

/* x (n, d) uniform in [0, 1); y (n, k): random 0/1 for k = 1, random
 * one-hot rows otherwise.  The XOR shapes use the XOR table. */
static void make_data(shape s, xn_rng *rng, double *x, double *y)
{
    if (is_xor(s)) {
        memcpy(x, xn_xor_inputs(), 8 * sizeof *x);
        memcpy(y, xn_xor_targets(), 4 * sizeof *y);
        return;
    }
    for (size_t i = 0; i < s.n * s.d; i++)
        x[i] = xn_rng_uniform(rng);
    for (size_t i = 0; i < s.n; i++) {
        if (s.k == 1) {
            y[i] = xn_rng_uniform(rng) < 0.5 ? 0.0 : 1.0;
        } else {
            size_t c = (size_t)(xn_rng_uniform(rng) * (double)s.k);
            for (size_t j = 0; j < s.k; j++)
                y[i * s.k + j] = j == c ? 1.0 : 0.0;
        }
    }
}

static xn_net *make_net(shape s, xn_kernel kernel, int threads)
{
    size_t sizes[3] = {s.d, s.h, s.k};
    xn_act acts[2] = {XN_ACT_RELU, s.k == 1 ? XN_ACT_SIGMOID : XN_ACT_SOFTMAX};
    xn_net_config cfg = {.n_layers = 2, .sizes = sizes, .acts = acts,
                         .loss = s.k == 1 ? XN_LOSS_MSE : XN_LOSS_CCE, .max_batch = s.n, .kernel = kernel};
    xn_net *net = NULL;
    xn_rng rng;
    if (xn_net_create(&net, &cfg) != XN_OK || xn_net_set_threads(net, (size_t)threads) != XN_OK) {
        xn_net_destroy(net);
        return NULL;
    }
    xn_rng_seed(&rng, XN_RNG_NUMPY, 7);
    xn_net_init(net, XN_INIT_GLOROT_UNIFORM, XN_ORDER_ROW, XN_BIAS_ZERO, &rng);
    return net;
}

/* ---- agreement check --------------------------------------------------- */

/* max |a - b| / max |b|, 0 for two zero vectors */
static double normwise(const double *a, const double *b, size_t len)
{
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i < len; i++) {
        double e = fabs(a[i] - b[i]);
        num = e > num || isnan(e) ? e : num;
        den = fabs(b[i]) > den ? fabs(b[i]) : den;
    }
    return num == 0.0 ? 0.0 : num / den;
}

/* CHECK_STEPS steps on the first `rows` rows with each kernel from the same
 * start; returns the largest difference of blas and auto from naive (losses
 * and parameters), or INFINITY if a step fails. */
static double check_agree(xn_net *nets[3], size_t rows, const double *x,
                          const double *y, double lr)
{
    xn_opt opt = {.kind = XN_OPT_GD, .lr = lr};
    double worst = 0.0;
    for (int step = 0; step < CHECK_STEPS; step++) {
        double loss[3];
        for (int v = 0; v < 3; v++)
            if (xn_net_train_step(nets[v], rows, x, y, &opt, &loss[v]) != XN_OK)
                return INFINITY;
        for (int v = 1; v < 3; v++) {
            double e = normwise(&loss[v], &loss[0], 1);
            worst = e > worst || isnan(e) ? e : worst;
        }
    }
    size_t P = xn_net_param_count(nets[0]);
    for (int v = 1; v < 3; v++) {
        double e = normwise(xn_net_params(nets[v]), xn_net_params(nets[0]), P);
        worst = e > worst || isnan(e) ? e : worst;
    }
    return worst;
}

/* ---- timed bodies ------------------------------------------------------ */

typedef struct {
    xn_net *net;
    size_t n;
    const double *x, *y;
    xn_opt opt;
    int failures;
} step_ctx;

/* OpenBLAS's threads: one under xornet, whose networks run on threads of
 * their own (xornet.h), --threads (or OpenBLAS's default) under the bare
 * products; set only when they change, so a timed call pays a compare. */
static int blas_threads_now = -1, blas_threads_bare;

static void blas_threads(int t)
{
#if XN_HAVE_OPENBLAS_THREADS
    if (t != blas_threads_now)
        openblas_set_num_threads(t);
#endif
    blas_threads_now = t;
}

static void run_step(void *p)
{
    step_ctx *c = p;
    blas_threads(1);
    if (xn_net_train_step(c->net, c->n, c->x, c->y, &c->opt, NULL) != XN_OK)
        c->failures++;
}

/* The five products of one step, Z1 = X W1, Z2 = A1 W2, dW2 = A1^T dZ2,
 * dA1 = dZ2 W2^T, dW1 = X^T dZ1, as bare dgemm calls on buffers of the
 * step's shapes (values do not matter to dgemm's speed). */
typedef struct {
    int n, d, h, k;
    double *x, *w1, *z1, *w2, *z2, *dw2, *da1, *dw1;  /* z1 doubles as A1, da1 as dZ1 */
} bare_ctx;

static void run_bare(void *p)
{
    bare_ctx *c = p;
    int n = c->n, d = c->d, h = c->h, k = c->k;
    blas_threads(blas_threads_bare);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, h, d, 1.0, c->x,
                d, c->w1, h, 0.0, c->z1, h);                 /* Z1 (n,h) */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, k, h, 1.0, c->z1,
                h, c->w2, k, 0.0, c->z2, k);                 /* Z2 (n,k) */
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, h, k, n, 1.0, c->z1,
                h, c->z2, k, 0.0, c->dw2, k);                /* dW2 (h,k) */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, h, k, 1.0, c->z2,
                k, c->w2, k, 0.0, c->da1, h);                /* dA1 (n,h) */
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, d, h, n, 1.0, c->x,
                d, c->da1, h, 0.0, c->dw1, h);               /* dW1 (d,h) */
}

/* Buffers for the bare products of shape s, filled with numbers in
 * [-0.5, 0.5); the caller frees the returned block (NULL if out of memory). */
static double *bare_setup(shape s, const double *x, xn_rng *rng, bare_ctx *c)
{
    size_t dh = s.d * s.h, nh = s.n * s.h, hk = s.h * s.k, nk = s.n * s.k;
    size_t len = dh + nh + hk + nk + hk + nh + dh;
    double *buf = malloc(len * sizeof *buf);
    if (!buf)
        return NULL;
    for (size_t i = 0; i < len; i++)
        buf[i] = xn_rng_uniform(rng) - 0.5;
    *c = (bare_ctx){(int)s.n, (int)s.d, (int)s.h, (int)s.k, (double *)x, buf,
                    buf + dh, buf + dh + nh, buf + dh + nh + hk,
                    buf + dh + nh + hk + nk, buf + dh + nh + 2 * hk + nk,
                    buf + dh + 2 * nh + 2 * hk + nk};
    return buf;
}

/* ---- NumPy ------------------------------------------------------------- */

static char numpy_version[64];

static bool python_has_numpy(const char *py)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "'%s' -c 'import numpy' >/dev/null 2>&1", py);
    return system(cmd) == 0;
}

/* Finds a python with NumPy for bench/xor_step.py and its NumPy version.
 * The default `python3` may lack NumPy (a pyenv shim, say): try --python,
 * $XN_PYTHON, python3, then /usr/bin/python3.  Returns a reason when the
 * comparison is skipped, NULL when *py is usable. */
static const char *find_numpy(const options *o, const char **py)
{
    const char *cands[] = {o->python, getenv("XN_PYTHON"), "python3", "/usr/bin/python3"};
    *py = NULL;
    for (size_t i = 0; i < sizeof cands / sizeof cands[0] && !*py; i++)
        if (cands[i] && *cands[i] && !strchr(cands[i], '\'') && python_has_numpy(cands[i]))
            *py = cands[i];
    if (!*py)
        return "no python with NumPy (tried --python, $XN_PYTHON, python3, /usr/bin/python3)";
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "'%s' -c 'import numpy; print(numpy.__version__)'", *py);
    FILE *p = popen(cmd, "r");
    if (!p || !fgets(numpy_version, sizeof numpy_version, p))
        snprintf(numpy_version, sizeof numpy_version, "?");
    numpy_version[strcspn(numpy_version, "\n")] = '\0';
    if (p)
        pclose(p);
    if (o->threads > 0) { /* NumPy's OpenBLAS reads this at import */
        char th[16];
        snprintf(th, sizeof th, "%d", o->threads);
        setenv("OPENBLAS_NUM_THREADS", th, 1);
    }
    return NULL;
}

/* NumPy's step on shape s, timed by bench/xor_step.py right after
 * xornet's on the same shape, so both see the same machine load. */
static bench_timing run_numpy(const options *o, const char *py, shape s)
{
    bench_timing t = {0.0, 0.0, 0.0, 0};
    char cmd[1400], line[256];
    snprintf(cmd, sizeof cmd, "'%s' '%s/xor_step.py'%s %zu,%zu,%zu,%zu", py,
             XN_BENCH_SRCDIR, o->quick ? " --quick" : "", s.n, s.d, s.h, s.k);
    FILE *p = popen(cmd, "r");
    if (!p)
        return t;
    while (fgets(line, sizeof line, p)) {
        size_t n, d, h, k;
        double med, lo, hi;
        if (sscanf(line, "row %zu %zu %zu %zu %lf %lf %lf", &n, &d, &h, &k, &med, &lo,
                   &hi) == 7 && n == s.n && d == s.d && h == s.h && k == s.k)
            t = (bench_timing){med, lo, hi, 1};
    }
    if (pclose(p) != 0)
        fputs("xor_bench: xor_step.py failed\n", stderr);
    return t;
}

/* ---- output ------------------------------------------------------------ */

typedef struct {
    shape s;
    double flops, agree;
    bench_timing naive, blas, autok, bare, numpy, fann;
} row;

/* microseconds with 3-4 significant digits; "-" if not measured */
static const char *us(char *buf, size_t len, bench_timing t)
{
    double v = t.med * 1e6;
    if (!t.samples)
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, v < 10 ? "%.3f" : v < 100 ? "%.2f" : v < 1000 ? "%.1f" : "%.0f", v);
    return buf;
}

static const char *spread(char *buf, size_t len, bench_timing t)
{
    char a[32], b[32];
    bench_timing lo = {t.min, 0, 0, t.samples}, hi = {t.max, 0, 0, t.samples};
    if (!t.samples)
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%s-%s", us(a, sizeof a, lo), us(b, sizeof b, hi));
    return buf;
}

static const char *ratio(char *buf, size_t len, bench_timing num, bench_timing den)
{
    if (!num.samples || !den.samples)
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%.2f", num.med / den.med);
    return buf;
}

static const char *gflops(char *buf, size_t len, double flops, bench_timing t)
{
    if (!t.samples)
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%.2f", flops / t.med * 1e-9);
    return buf;
}

static bench_timing faster(bench_timing a, bench_timing b)
{
    if (!a.samples)
        return b;
    if (!b.samples)
        return a;
    return a.med <= b.med ? a : b;
}

static void print_header(const options *o)
{
    if (o->format == OUT_CSV) {
        puts("N,D,H,K,flops,agree,naive_s,naive_min_s,naive_max_s,blas_s,blas_min_s,"
             "blas_max_s,auto_s,auto_min_s,auto_max_s,bare_dgemm_s,numpy_s,fann_s,"
             "naive_gflops,blas_gflops,auto_gflops,bare_gflops,numpy_gflops,"
             "speedup_blas_over_naive,auto_over_best,auto_over_bare,numpy_over_auto,"
             "fann_over_auto");
        return;
    }
    if (o->format == OUT_MD) {
        puts("| N, D, H, K | MFLOP | agree | naive µs (min–max) | blas µs (min–max) | "
             "auto µs (min–max) | GFLOP/s naive / blas / auto | blas speed-up | "
             "auto / best | bare dgemm µs | auto / bare | NumPy µs | NumPy / auto | "
             "FANN µs | FANN / auto |");
        puts("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        return;
    }
    printf("%-20s %9s %7s  %-28s %-28s %-28s %-20s %6s %6s  %9s %6s  %9s %6s  %9s %6s\n",
           "N,D,H,K", "MFLOP", "agree", "naive us (min-max)", "blas us (min-max)",
           "auto us (min-max)", "GF/s naive/blas/auto", "b/n", "a/best", "bare us",
           "a/bare", "numpy us", "np/a", "fann us", "fann/a");
}

static void print_row(const options *o, const row *r)
{
    char b[16][80];
    bench_timing best = faster(r->naive, r->blas);
    char shp[48];
    snprintf(shp, sizeof shp, "%zu, %zu, %zu, %zu", r->s.n, r->s.d, r->s.h, r->s.k);
    if (o->format == OUT_CSV) {
        printf("%zu,%zu,%zu,%zu,%.0f,%.3g,%.6e,%.6e,%.6e,%.6e,%.6e,%.6e,%.6e,%.6e,%.6e,"
               "%.6e,%.6e,%.6e,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n",
               r->s.n, r->s.d, r->s.h, r->s.k, r->flops, r->agree, r->naive.med,
               r->naive.min, r->naive.max, r->blas.med, r->blas.min, r->blas.max,
               r->autok.med, r->autok.min, r->autok.max, r->bare.med, r->numpy.med,
               r->fann.med, gflops(b[0], 80, r->flops, r->naive),
               gflops(b[1], 80, r->flops, r->blas), gflops(b[2], 80, r->flops, r->autok),
               gflops(b[3], 80, r->flops, r->bare), gflops(b[4], 80, r->flops, r->numpy),
               ratio(b[5], 80, r->naive, r->blas), ratio(b[6], 80, r->autok, best),
               ratio(b[7], 80, r->autok, r->bare), ratio(b[8], 80, r->numpy, r->autok),
               ratio(b[9], 80, r->fann, r->autok));
        fflush(stdout);
        return;
    }
    char nv[200], bl[200], au[200], gf[260];
    snprintf(nv, sizeof nv, "%s (%s)", us(b[0], 80, r->naive), spread(b[1], 80, r->naive));
    snprintf(bl, sizeof bl, "%s (%s)", us(b[2], 80, r->blas), spread(b[3], 80, r->blas));
    snprintf(au, sizeof au, "%s (%s)", us(b[4], 80, r->autok), spread(b[5], 80, r->autok));
    snprintf(gf, sizeof gf, "%s / %s / %s", gflops(b[6], 80, r->flops, r->naive),
             gflops(b[7], 80, r->flops, r->blas), gflops(b[8], 80, r->flops, r->autok));
    if (o->format == OUT_MD)
        printf("| %s | %.4g | %.0e | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
               shp, r->flops * 1e-6, r->agree, nv, bl, au, gf,
               ratio(b[9], 80, r->naive, r->blas), ratio(b[10], 80, r->autok, best),
               us(b[11], 80, r->bare), ratio(b[12], 80, r->autok, r->bare),
               us(b[13], 80, r->numpy), ratio(b[14], 80, r->numpy, r->autok),
               us(b[15], 80, r->fann), ratio(b[0], 80, r->fann, r->autok));
    else
        printf("%-20s %9.4g %7.0e  %-28s %-28s %-28s %-20s %6s %6s  %9s %6s  %9s %6s  %9s %6s\n",
               shp, r->flops * 1e-6, r->agree, nv, bl, au, gf,
               ratio(b[9], 80, r->naive, r->blas), ratio(b[10], 80, r->autok, best),
               us(b[11], 80, r->bare), ratio(b[12], 80, r->autok, r->bare),
               us(b[13], 80, r->numpy), ratio(b[14], 80, r->numpy, r->autok),
               us(b[15], 80, r->fann), ratio(b[0], 80, r->fann, r->autok));
    fflush(stdout);
}

/* Machine, library and run facts, as comment lines (text, csv) or a list. */
static void print_facts(const options *o, const char *numpy_note, const char *fann_note)
{
    const char *pre = o->format == OUT_MD ? "- " : "# ";
    bench_machine m;
    bench_machine_read(&m);
    printf("%sxor_bench %s, %s\n", pre, o->quick ? "--quick" : "full run", m.date);
    printf("%smachine: %s, %ld logical CPUs; load average at start %s "
           "(a shared machine: other jobs' load slows every column alike)\n",
           pre, m.model, m.cpus, m.load);
#if XN_HAVE_OPENBLAS_THREADS
    printf("%sBLAS: %s (core %s), %d thread(s) for the bare products and NumPy, 1 under xornet, "
           "whose networks run on %s thread(s) of their own\n", pre, openblas_get_config(),
           openblas_get_corename(), openblas_get_num_threads(), o->threads ? "--threads" : "every CPU's");
#else
    printf("%sBLAS: a cblas without openblas_set_num_threads\n", pre);
#endif
#ifdef __VERSION__
    printf("%scompiler: %s; step = xn_net_train_step, GD; relu + sigmoid + mse "
           "(softmax + cce for K > 1)\n", pre, __VERSION__);
#endif
    printf("%sNumPy: %s\n", pre, numpy_note);
    printf("%sFANN: %s\n", pre, fann_note);
    printf("%sMFLOP per step = 2N(2DH + 3HK) (forward, dW and dX products; no dX for "
           "layer 1); times are µs per step, median (min-max) of %s samples\n",
           pre, o->quick ? "few" : "up to 15");
}

/* ---- the auto threshold ------------------------------------------------ */

/* One layer's three products (fwd, dw, dx) with one kernel family. */
typedef struct {
    const xn_kernels_f64 *k;
    size_t n, in, out;
    double *x, *w, *y, *dw, *dx;
} layer_ctx;

static void run_layer(void *p)
{
    layer_ctx *c = p;
    c->k->fwd(c->n, c->in, c->out, c->x, c->in, c->w, c->out, c->y, c->out);
    c->k->dw(c->n, c->in, c->out, c->x, c->in, c->y, c->out, c->dw, c->out);
    c->k->dx(c->n, c->in, c->out, c->y, c->out, c->w, c->out, c->dx, c->in);
}

/* Naive vs BLAS time of a layer's products over shapes around
 * XN_AUTO_NAIVE_BELOW multiply-adds (n*in*out): the data behind the auto
 * rule.  Width-1 layers are not here: the fused paths handle them. */
static void crossover(const options *o, xn_rng *rng)
{
    static const size_t shapes[][3] = {
        {1, 1, 1},    {4, 2, 2},    {4, 2, 10},   {4, 4, 8},    {4, 2, 16},
        {4, 4, 12},   {4, 2, 32},   {8, 4, 8},    {4, 8, 10},   {4, 2, 64},
        {8, 8, 8},    {4, 8, 16},   {16, 2, 32},  {16, 16, 16}, {32, 32, 32},
        {64, 64, 64}, {256, 2, 32}, {16, 64, 10},
    };
    const char *pre = o->format == OUT_MD ? "" : "# ";
    printf("%sauto threshold: one layer's fwd + dw + dx products, naive vs BLAS "
           "(XN_AUTO_NAIVE_BELOW = %d multiply-adds)\n", pre, XN_AUTO_NAIVE_BELOW);
    if (o->format == OUT_MD)
        puts("\n| n, in, out | n·in·out | naive µs | BLAS µs | naive / BLAS | auto picks |\n"
             "|---|--:|--:|--:|--:|---|");
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        size_t n = shapes[i][0], in = shapes[i][1], out = shapes[i][2];
        double *buf = malloc((n * in + in * out + n * out + in * out + n * in) * sizeof *buf);
        if (!buf)
            return;
        for (size_t j = 0; j < n * in + in * out + n * out + in * out + n * in; j++)
            buf[j] = xn_rng_uniform(rng) - 0.5;
        layer_ctx c = {&xn_kernels_naive_f64, n, in, out, buf, buf + n * in,
                       buf + n * in + in * out, buf + n * in + in * out + n * out,
                       buf + n * in + 2 * in * out + n * out};
        bench_timing tn = bench_measure(run_layer, &c, &o->plan);
        c.k = &xn_kernels_blas_f64;
        bench_timing tb = bench_measure(run_layer, &c, &o->plan);
        const char *picks = xn_kernels_pick_f64(XN_KERNEL_AUTO, n, in, out) == &xn_kernels_naive_f64
                                ? "naive" : "blas";
        if (o->format == OUT_MD)
            printf("| %zu, %zu, %zu | %zu | %.3f | %.3f | %.2f | %s |\n", n, in, out,
                   n * in * out, tn.med * 1e6, tb.med * 1e6, tn.med / tb.med, picks);
        else
            printf("# %4zu %4zu %4zu  n*in*out %7zu  naive %9.3f us  blas %9.3f us  "
                   "naive/blas %5.2f  auto: %s\n", n, in, out, n * in * out,
                   tn.med * 1e6, tb.med * 1e6, tn.med / tb.med, picks);
        free(buf);
    }
    if (o->format == OUT_MD)
        puts("");
}

/* ---- main -------------------------------------------------------------- */

static int usage(void)
{
    fputs("usage: xor_bench [--quick] [--csv | --md] [--threads N] [--python PATH]\n"
          "  --quick      a few seconds (CI): short samples; skips naive, NumPy and\n"
          "               FANN on the shapes over 100 MFLOP per step\n"
          "  --csv        one machine-readable line per shape (seconds, GFLOP/s, ratios)\n"
          "  --md         a Markdown table (bench/RESULTS.md)\n"
          "  --threads N  threads for xornet's networks (default: every CPU), and OpenBLAS's\n"
          "               for the bare dgemm and NumPy (default: OpenBLAS's choice)\n"
          "  --python P   the python with NumPy for bench/xor_step.py\n", stderr);
    return 2;
}

int main(int argc, char **argv)
{
    options o = {false, OUT_TEXT, 0, NULL, {1.0, 2e-3, 15, 3}};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) {
            o.quick = true;
        } else if (!strcmp(argv[i], "--csv")) {
            o.format = OUT_CSV;
        } else if (!strcmp(argv[i], "--md")) {
            o.format = OUT_MD;
        } else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            char *end;
            errno = 0;
            long t = strtol(argv[++i], &end, 10);
            if (errno || *end || t < 1 || t > XN_MAX_THREADS)
                return usage();
            o.threads = (int)t;
        } else if (!strcmp(argv[i], "--python") && i + 1 < argc) {
            o.python = argv[++i];
        } else {
            return usage();
        }
    }
    if (o.quick)
        o.plan = (bench_plan){0.04, 2e-4, 5, 1};
#if XN_HAVE_OPENBLAS_THREADS
    if (o.threads > 0)
        openblas_set_num_threads(o.threads);
    blas_threads_bare = openblas_get_num_threads();
#else
    if (o.threads > 0)
        fputs("xor_bench: this BLAS cannot set its threads; --threads ignored\n", stderr);
#endif

    /* the slow comparisons are skipped on the big shapes in --quick */
    bool full[NSHAPES];
    for (size_t i = 0; i < NSHAPES; i++)
        full[i] = !o.quick || flops_of(grid[i]) <= 1e8;
    const char *py;
    const char *why = find_numpy(&o, &py);
    char numpy_note[256], fann_note[256];
    if (why) {
        fprintf(stderr, "xor_bench: NumPy comparison skipped: %s\n", why);
        snprintf(numpy_note, sizeof numpy_note, "skipped: %s", why);
    } else {
        snprintf(numpy_note, sizeof numpy_note, "%s, bench/xor_step.py (same step, "
                 "formula by formula)", numpy_version);
    }
#ifdef XN_HAVE_FANN
    snprintf(fann_note, sizeof fann_note, "fann_train_epoch, FANN_TRAIN_BATCH, %s, "
             "sigmoid hidden and output (FANN 2.2 has no relu/softmax), linear error",
             xn_fann_type());
#else
    snprintf(fann_note, sizeof fann_note, "skipped: built without FANN (libfann-dev)");
#endif
    print_facts(&o, numpy_note, fann_note);
    xn_rng rng;
    xn_rng_seed(&rng, XN_RNG_NUMPY, 2024);
    if (o.format != OUT_CSV)
        crossover(&o, &rng);
    print_header(&o);

    int status = 0;
    for (size_t i = 0; i < NSHAPES; i++) {
        shape s = grid[i];
        row r;
        memset(&r, 0, sizeof r);
        r.s = s;
        r.flops = flops_of(s);
        double *x = malloc(s.n * s.d * sizeof *x), *y = malloc(s.n * s.k * sizeof *y);
        xn_net *nets[3] = {make_net(s, XN_KERNEL_NAIVE, o.threads), make_net(s, XN_KERNEL_BLAS, o.threads),
                           make_net(s, XN_KERNEL_AUTO, o.threads)};
        if (!x || !y || !nets[0] || !nets[1] || !nets[2]) {
            fprintf(stderr, "xor_bench: out of memory at %zu,%zu,%zu,%zu\n", s.n, s.d, s.h, s.k);
            return 1;
        }
        make_data(s, &rng, x, y);
        fprintf(stderr, "xor_bench: %zu,%zu,%zu,%zu...\n", s.n, s.d, s.h, s.k);
        /* in --quick the check of a big shape runs on its first 256 rows */
        r.agree = check_agree(nets, full[i] ? s.n : 256, x, y, lr_of(s));
        if (!(r.agree <= CHECK_TOL)) {
            fprintf(stderr, "xor_bench: naive and BLAS disagree at %zu,%zu,%zu,%zu: "
                    "%.3g > %g\n", s.n, s.d, s.h, s.k, r.agree, CHECK_TOL);
            status = 1;
        }
        /* naive, blas, auto and the bare products, sampled round-robin;
         * --quick leaves naive out on the big shapes */
        step_ctx c[3];
        bare_ctx bc;
        double *bare_buf = bare_setup(s, x, &rng, &bc);
        void (*fns[4])(void *);
        void *ctxs[4];
        bench_timing t[4];
        int nv = 0, first = full[i] ? 0 : 1;
        for (int v = first; v < 3; v++) {
            c[v] = (step_ctx){nets[v], s.n, x, y, {.kind = XN_OPT_GD, .lr = lr_of(s)}, 0};
            fns[nv] = run_step;
            ctxs[nv++] = &c[v];
        }
        if (bare_buf) {
            fns[nv] = run_bare;
            ctxs[nv++] = &bc;
        }
        bench_measure_rr(fns, ctxs, nv, &o.plan, t);
        if (first == 0)
            r.naive = t[0];
        r.blas = t[1 - first];
        r.autok = t[2 - first];
        if (bare_buf)
            r.bare = t[3 - first];
        free(bare_buf);
        for (int v = first; v < 3; v++)
            if (c[v].failures) {
                fprintf(stderr, "xor_bench: %d failed step(s) with %s\n", c[v].failures,
                        xn_kernel_name(xn_net_kernel(nets[v])));
                status = 1;
            }
        if (!why && full[i])
            r.numpy = run_numpy(&o, py, s);
#ifdef XN_HAVE_FANN
        if (full[i] && xn_fann_time(s.n, s.d, s.h, s.k, x, y, lr_of(s), &o.plan, &r.fann))
            fputs("xor_bench: FANN could not allocate\n", stderr);
#endif
        print_row(&o, &r);
        for (int v = 0; v < 3; v++)
            xn_net_destroy(nets[v]);
        free(x);
        free(y);
    }
    return status;
}
