/* bench_approx: the interpolation solve of xn_approx_interp_solve, dense
 * LAPACKE_dtrtrs (building the (n, n) matrix included) against the O(n)
 * closed form, on sin sampled at n equidistant points of [0, pi].
 *
 * For each n it first checks accuracy: max |lambda_lapacke - lambda_closed|
 * / max |lambda_closed|, and the interpolation residual of each network,
 * max_i |NN(x_i) - f_i| / max |f| by the engine's forward pass.  Then it
 * times both: one warm-up call, then repeated samples of enough calls to
 * last about 20 ms, median per call.  Timings are reported, never asserted.
 * usage: bench_approx [--quick]   (--quick stops at n = 1000) */
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

typedef struct {
    const double *x, *f;
    size_t n;
    xn_approx_method method;
    double *b, *lambda;
    int failed;
} job;

static void run(job *j)
{
    if (xn_approx_interp_solve(j->x, j->f, j->n, j->method, j->b, j->lambda, NULL) != XN_OK)
        j->failed = 1;
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

int main(int argc, char **argv)
{
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
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
        job jl = {x, f, n, XN_APPROX_LAPACKE, b, l1, 0};
        job jc = {x, f, n, XN_APPROX_CLOSED, b, l2, 0};
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
