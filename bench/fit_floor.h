/* The floor of a training step for fit_bench: its matrix products alone
 * (forward, the weight gradients and the deltas of every layer: 3L - 1
 * gemm calls), bare cblas calls on preallocated buffers, an epoch's worth,
 * in two layouts:
 *   - whole: each product one call, OpenBLAS threading it as it is set;
 *   - sliced: each product cut into the slices of rows or columns xornet
 *     cuts it into (xn_product_cut_rule), run on a pool of threads beside
 *     the caller with OpenBLAS on one thread, as a network's threads run
 *     them, in the step's regions (step_t.h).
 * The numbers in the buffers do not change a product's time. */
#ifndef XORNET_BENCH_FIT_FLOOR_H
#define XORNET_BENCH_FIT_FLOOR_H

#include <stdbool.h>
#include <stddef.h>

#include "fit_setup.h"
#include "src/engine/internal.h"

typedef struct {
    fit_shape sh;
    size_t batch, m; /* rows a step, and of the step being run */
    bool f32;
    void *w[FIT_MAX_L + 1], *dw[FIT_MAX_L + 1], *a[FIT_MAX_L + 1], *d[FIT_MAX_L + 1];
    xn_pool *pool;   /* for the sliced layout: threads - 1 workers */
    size_t threads;
    size_t l, split;  /* the region being run: its layer, dW_l's slices */
    xn_cut cut, chain;
    bool chain_dw;
} floor_ctx;

/* false if memory or the threads cannot be had */
bool floor_init(floor_ctx *c, const fit_shape *sh, size_t batch, bool f32, size_t threads);
void floor_free(floor_ctx *c);
/* Seconds of an epoch of `rows` rows' products, whole or sliced. */
double floor_epoch(floor_ctx *c, size_t rows, bool sliced);

#endif
