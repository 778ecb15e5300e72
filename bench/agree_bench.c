/* agree_bench: what the ranks' agreement costs a data-parallel run.
 * Before its first sum, every rank of an xn_fit over MPI fingerprints its
 * training data (xn_fingerprint); this times that against a memcpy of the
 * same bytes, the pace of reading memory, in round-robin samples so that
 * load from elsewhere falls on both alike, for Fashion-MNIST's training
 * rows (60000 x (784 + 10) doubles, 381 MB; --quick: a tenth).  The ratio
 * is the figure: near 1, the fingerprint runs at memory speed.
 * usage: agree_bench [--quick] */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "xornet/xornet.h"

typedef struct {
    const double *src;
    double *dst;
    size_t bytes;
    uint64_t h;
} job;

static void fingerprint(void *ctx)
{
    job *j = ctx;
    j->h ^= xn_fingerprint(0, j->src, j->bytes);
}

static void copy(void *ctx)
{
    job *j = ctx;
    memcpy(j->dst, j->src, j->bytes);
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    size_t rows = quick ? 6000 : 60000, n = rows * (784 + 10);
    double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    if (!a || !b) {
        fprintf(stderr, "agree_bench: out of memory for %zu values\n", n);
        return 1;
    }
    for (size_t i = 0; i < n; i++) /* pixels 0..255 as MNIST's, one-hot targets */
        a[i] = (double)((i * 2654435761u) % 256);
    memcpy(b, a, n * sizeof *a);
    /* the check: a changed value changes the fingerprint */
    uint64_t h0 = xn_fingerprint(0, a, n * sizeof *a);
    b[n / 2] += 1.0;
    if (xn_fingerprint(0, b, n * sizeof *b) == h0) {
        fprintf(stderr, "agree_bench: a changed value kept the fingerprint\n");
        return 1;
    }
    job j = {a, b, n * sizeof *a, 0};
    void (*const fns[2])(void *) = {fingerprint, copy};
    void *const ctxs[2] = {&j, &j};
    bench_plan plan = {.budget = quick ? 1.0 : 6.0, .sample = 0.05, .max_samples = 15, .min_samples = 5};
    bench_timing t[2];
    bench_measure_rr(fns, ctxs, 2, &plan, t);
    double mb = (double)j.bytes / 1e6;
    printf("agree_bench: %zu rows x 794 doubles (%.0f MB)\n", rows, mb);
    printf("fingerprint  %8.1f ms  (%.1f-%.1f)  %6.2f GB/s\n", 1e3 * t[0].med, 1e3 * t[0].min, 1e3 * t[0].max,
           mb / 1e3 / t[0].med);
    printf("memcpy       %8.1f ms  (%.1f-%.1f)  %6.2f GB/s\n", 1e3 * t[1].med, 1e3 * t[1].min, 1e3 * t[1].max,
           mb / 1e3 / t[1].med);
    printf("ratio        %8.2f  (fingerprint / memcpy, medians of %d and %d samples)\n", t[0].med / t[1].med,
           t[0].samples, t[1].samples);
    free(a);
    free(b);
    return j.h == 0x5a5a ? 2 : 0; /* keeps the fingerprints from being optimized away */
}
