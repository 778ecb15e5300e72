/* bench_approx: the approximation solver, in four tables.
 *
 * 1. The interpolation solve of xn_approx_interp_solve, dense
 *    LAPACKE_dtrtrs (building the (n, n) matrix included) against the O(n)
 *    closed form, on sin sampled at n equidistant points of [0, pi].  For
 *    each n it first checks accuracy: max |lambda_lapacke - lambda_closed|
 *    / max |lambda_closed|, and the interpolation residual of each network,
 *    max_i |NN(x_i) - f_i| / max |f| by the engine's forward pass.
 * 2. Evaluating a fitted network of n knots at m = n sorted points: the
 *    forward pass (xn_approx_predict, m n) against the piecewise-linear
 *    sweep (xn_approx_eval, m + n), after checking they agree.
 * 3. GCV over K = 2..K_max: the banded Givens QR of xn_approx_gcv against
 *    one dense dgels fit a candidate (xn_approx_lsq), after checking the
 *    RSS agree.
 * 4. Adaptive refinement of sin on [0, pi]: knots against the equidistant
 *    count of the h^2/8 bound, rounds, function calls, time.
 *
 * Timing: one warm-up call, then repeated samples of enough calls to last
 * about 20 ms, median per call.  Timings are reported, never asserted; a
 * disagreement in the checks fails the run.
 * usage: bench_approx [--quick]   (--quick stops tables 1 and 2 at
 * n = 1000 and 10000) */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xornet/approx.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct job job;
struct job {
    const double *x, *f;
    size_t n, m;
    xn_approx_method method;
    double *b, *lambda, *y;
    xn_net *net;
    void (*run)(job *);
    int failed;
};

static void run(job *j)
{
    j->run(j);
}

static void run_solve(job *j)
{
    if (xn_approx_interp_solve(j->x, j->f, j->n, j->method, j->b, j->lambda, NULL) != XN_OK)
        j->failed = 1;
}

static void run_predict(job *j)
{
    if (xn_approx_predict(j->net, j->m, j->x, j->y) != XN_OK)
        j->failed = 1;
}

static void run_eval(job *j)
{
    if (xn_approx_eval(j->net, j->m, j->x, j->y) != XN_OK)
        j->failed = 1;
}

/* the m samples x, f; K candidates 2..n: GCV, or one dgels fit each */
static void run_gcv(job *j)
{
    xn_approx_gcv_row *rows = malloc((j->n - 1) * sizeof *rows);
    size_t best;
    if (!rows || xn_approx_gcv(j->x, j->f, j->m, j->n, NULL, rows, &best, NULL) != XN_OK)
        j->failed = 1;
    free(rows);
}

static void run_dgels_each(job *j)
{
    for (size_t k = 2; k <= j->n; k++) {
        xn_net *net;
        if (xn_approx_lsq(j->x, j->f, j->m, k, NULL, &net, NULL) != XN_OK)
            j->failed = 1;
        else
            xn_net_destroy(net);
    }
}

/* Median seconds per call over `samples` samples of about 20 ms each. */
static double time_job(job *j, int samples)
{
    double t0 = now();
    run(j); /* warm-up: page faults, caches, BLAS threads */
    double once = now() - t0;
    long reps = once > 0.0 ? (long)(0.02 / once) : 1000;
    if (reps < 1)
        reps = 1;
    double s[15];
    for (int k = 0; k < samples; k++) {
        t0 = now();
        for (long r = 0; r < reps; r++)
            run(j);
        s[k] = (now() - t0) / (double)reps;
    }
    qsort(s, (size_t)samples, sizeof s[0], cmp_double);
    return s[samples / 2];
}

/* max_i |NN(x_i) - f_i| / max |f| for the network of knots b and lambda. */
static double residual(const double *x, const double *f, size_t n, const double *b,
                       const double *lambda)
{
    xn_net *net;
    double *y = malloc(n * sizeof *y), r = NAN;
    if (y && xn_approx_net(b, lambda, n, &net) == XN_OK) {
        if (xn_approx_predict(net, n, x, y) == XN_OK) {
            double fmax = 0.0;
            r = 0.0;
            for (size_t i = 0; i < n; i++) {
                fmax = fmax > fabs(f[i]) ? fmax : fabs(f[i]);
                r = r > fabs(y[i] - f[i]) ? r : fabs(y[i] - f[i]);
            }
            r /= fmax;
        }
        xn_net_destroy(net);
    }
    free(y);
    return r;
}

static int table_solve(int quick)
{
    const size_t sizes[] = {4, 10, 100, 200, 500, 1000, 2000, 4000, 8000};
    printf("bench_approx: interpolation of sin on [0, pi], n equidistant samples\n");
    printf("%6s %13s %13s %9s %12s %12s %12s\n", "n", "dtrtrs_s", "closed_s", "speedup",
           "dlambda_rel", "resid_dtrtrs", "resid_closed");
    int status = 0;
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t n = sizes[k];
        if (quick && n > 1000)
            break;
        double *x = malloc(n * sizeof *x), *f = malloc(n * sizeof *f);
        double *b = malloc(n * sizeof *b), *l1 = malloc(n * sizeof *l1);
        double *l2 = malloc(n * sizeof *l2);
        if (!x || !f || !b || !l1 || !l2 ||
            xn_approx_fn_sample(XN_FN_SIN, 0.0, 3.14159265358979323846, n, x, f, NULL) != XN_OK) {
            fprintf(stderr, "bench_approx: setup failed at n = %zu\n", n);
            return 1;
        }
        job jl = {.x = x, .f = f, .n = n, .method = XN_APPROX_LAPACKE, .b = b, .lambda = l1,
                  .run = run_solve};
        job jc = {.x = x, .f = f, .n = n, .method = XN_APPROX_CLOSED, .b = b, .lambda = l2,
                  .run = run_solve};
        run(&jl);
        run(&jc);
        if (jl.failed || jc.failed) {
            fprintf(stderr, "bench_approx: the solve failed at n = %zu\n", n);
            return 1;
        }
        double d = 0.0, lmax = 0.0;
        for (size_t i = 0; i < n; i++) {
            d = d > fabs(l1[i] - l2[i]) ? d : fabs(l1[i] - l2[i]);
            lmax = lmax > fabs(l2[i]) ? lmax : fabs(l2[i]);
        }
        double rl = residual(x, f, n, b, l1), rc = residual(x, f, n, b, l2);
        int samples = n >= 4000 ? 5 : 9;
        double tl = time_job(&jl, samples), tc = time_job(&jc, samples);
        printf("%6zu %13.4e %13.4e %9.1f %12.2e %12.2e %12.2e\n", n, tl, tc, tl / tc,
               d / lmax, rl, rc);
        fflush(stdout);
        if (!(d <= 1e-9 * lmax))
            status = 1; /* report, and fail the run: the two solves disagree */
        free(x);
        free(f);
        free(b);
        free(l1);
        free(l2);
    }
    return status;
}

/* The network interpolating sin at n points of [0, 10 pi] (5 periods),
 * evaluated at m = n sorted points spread over [-1, 10 pi + 1]. */
static int table_eval(int quick)
{
    const size_t sizes[] = {100, 1000, 10000, 100000};
    printf("\nevaluation of a fit with n knots at m = n sorted points: forward pass (m n) "
           "vs sweep (m + n)\n");
    printf("%7s %13s %13s %9s %12s\n", "n", "forward_s", "sweep_s", "speedup", "diff_rel");
    int status = 0;
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t n = sizes[k], m = n;
        if (quick && n > 10000)
            break;
        double *x = malloc(n * sizeof *x), *f = malloc(n * sizeof *f);
        double *q = malloc(m * sizeof *q), *y1 = malloc(m * sizeof *y1), *y2 = malloc(m * sizeof *y2);
        xn_net *net = NULL;
        const double span = 10.0 * 3.14159265358979323846;
        if (!x || !f || !q || !y1 || !y2 ||
            xn_approx_fn_sample(XN_FN_SIN, 0.0, span, n, x, f, NULL) != XN_OK ||
            xn_approx_interp(x, f, n, NULL, &net, NULL) != XN_OK) {
            fprintf(stderr, "bench_approx: setup failed at n = %zu\n", n);
            return 1;
        }
        for (size_t i = 0; i < m; i++)
            q[i] = -1.0 + (span + 2.0) * (double)i / (double)(m - 1);
        job jp = {.x = q, .m = m, .y = y1, .net = net, .run = run_predict};
        job je = {.x = q, .m = m, .y = y2, .net = net, .run = run_eval};
        run(&jp);
        run(&je);
        double d = 0.0, ymax = 0.0;
        for (size_t i = 0; i < m; i++) {
            d = d > fabs(y1[i] - y2[i]) ? d : fabs(y1[i] - y2[i]);
            ymax = ymax > fabs(y2[i]) ? ymax : fabs(y2[i]);
        }
        int samples = n >= 100000 ? 1 : n >= 10000 ? 3 : 9;
        double tp = time_job(&jp, samples), te = time_job(&je, samples);
        if (jp.failed || je.failed || !(d <= 1e-9 * ymax))
            status = 1;
        printf("%7zu %13.4e %13.4e %9.1f %12.2e\n", n, tp, te, tp / te, d / ymax);
        fflush(stdout);
        xn_net_destroy(net);
        free(x);
        free(f);
        free(q);
        free(y1);
        free(y2);
    }
    return status;
}

/* GCV on m noisy samples of sin(3x) on [0, 3] (NumPy seed 1 normals, sd 0.1). */
static int table_gcv(int quick)
{
    const size_t ms[] = {1000, 10000, 100000};
    const size_t kmax = 100;
    printf("\nGCV over K = 2..%zu: banded Givens QR (O(m) a candidate) vs one dgels fit a "
           "candidate (O(m K^2))\n", kmax);
    printf("%7s %13s %13s %9s %12s\n", "m", "banded_s", "dgels_s", "speedup", "drss_rel");
    int status = 0;
    for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++) {
        size_t m = ms[k];
        if (quick && m > 1000)
            break;
        double *x = malloc(m * sizeof *x), *f = malloc(m * sizeof *f);
        xn_approx_gcv_row *rows = malloc((kmax - 1) * sizeof *rows);
        xn_rng rng;
        xn_rng_seed(&rng, XN_RNG_NUMPY, 1);
        if (!x || !f || !rows) {
            fprintf(stderr, "bench_approx: out of memory\n");
            return 1;
        }
        for (size_t i = 0; i < m; i++) {
            x[i] = 3.0 * (double)i / (double)(m - 1);
            f[i] = sin(3.0 * x[i]);
        }
        for (size_t i = 0; i < m; i++)
            f[i] += 0.1 * xn_rng_normal(&rng);
        size_t best = 0;
        double d = 0.0;
        if (xn_approx_gcv(x, f, m, kmax, NULL, rows, &best, NULL) != XN_OK)
            status = 1;
        for (size_t kk = 2; kk <= kmax; kk += 14) { /* spot checks against dgels */
            xn_net *net;
            xn_approx_info info;
            if (xn_approx_lsq(x, f, m, kk, NULL, &net, &info) != XN_OK) {
                status = 1;
                continue;
            }
            double rss = (double)m * info.resid_rms * info.resid_rms;
            d = fmax(d, fabs(rss - rows[kk - 2].rss) / rss);
            xn_net_destroy(net);
        }
        job jg = {.x = x, .f = f, .m = m, .n = kmax, .run = run_gcv};
        job jd = {.x = x, .f = f, .m = m, .n = kmax, .run = run_dgels_each};
        double tg = time_job(&jg, 3), td = time_job(&jd, 1);
        if (jg.failed || jd.failed || !(d <= 1e-9))
            status = 1;
        printf("%7zu %13.4e %13.4e %9.1f %12.2e   (chose K = %zu)\n", m, tg, td, td / tg, d, best);
        fflush(stdout);
        free(x);
        free(f);
        free(rows);
    }
    return status;
}

static double sine(double x, void *ctx)
{
    (*(size_t *)ctx)++;
    return sin(x);
}

static int table_adapt(void)
{
    const double tols[] = {1e-4, 1e-6, 1e-8, 1e-10};
    printf("\nadaptive refinement of sin on [0, pi] from 16 points\n");
    printf("%7s %9s %12s %7s %9s %7s %13s\n", "tol", "knots", "equidistant", "rounds", "calls",
           "order", "seconds");
    int status = 0;
    for (size_t k = 0; k < sizeof tols / sizeof tols[0]; k++) {
        size_t calls = 0;
        xn_net *net = NULL;
        xn_approx_info info;
        double t0 = now();
        xn_status s = xn_approx_adapt(sine, &calls, 0.0, 3.14159265358979323846, tols[k], 16, 0,
                                      NULL, &net, &info);
        double t = now() - t0;
        /* h^2/8 max|sin''| <= tol: ceil(pi / sqrt(8 tol)) intervals */
        size_t eq = (size_t)ceil(3.14159265358979323846 / sqrt(8.0 * tols[k])) + 1;
        if (s != XN_OK || !(info.err_max <= tols[k]))
            status = 1;
        printf("%7.0e %9zu %12zu %7zu %9zu %7.2f %13.4e\n", tols[k], info.n, eq, info.rounds,
               calls, info.order, t);
        xn_net_destroy(net);
    }
    return status;
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    int status = table_solve(quick);
    status |= table_eval(quick);
    status |= table_gcv(quick);
    status |= table_adapt();
    return status;
}
