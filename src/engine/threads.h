/* A network's threads (pool.c, threads.c): the rules that cut a call's
 * work into slices and run them.  Part of internal.h, which includes it
 * after struct xn_net, whose fields these rules read; include internal.h. */
#ifndef XN_ENGINE_THREADS_H
#define XN_ENGINE_THREADS_H

/* ---- threads (pool.c, threads.c) ----------------------------------------
 * A call's work runs in regions: a function over slices fixed by the
 * work's shape (threads.c says how), each writing its own outputs.  The
 * network's pool runs a region's slices on up to `threads` threads, the
 * caller one of them; without a pool, or for fewer than two slices or
 * threads, the caller runs them in order.  The result never depends on
 * which thread ran a slice. */
typedef void (*xn_slice_fn)(void *ctx, size_t slice);
/* A pool of threads - 1 workers (*out NULL for threads < 2); XN_ENOMEM if
 * a thread or the memory cannot be had. */
xn_status xn_pool_create(xn_pool **out, size_t threads);
void xn_pool_destroy(xn_pool *pool);
/* The pool's threads, the caller included (1 for NULL). */
size_t xn_pool_threads(const xn_pool *pool);
void xn_pool_run(xn_pool *pool, size_t threads, size_t slices, xn_slice_fn fn, void *ctx);
/* The CPUs this process may run on (its affinity mask), at least 1. */
size_t xn_cpu_count(void);

/* A product runs in slices when it is large: of its output's rows or of
 * its columns, whichever copies less, since each slice packs the product's
 * other operand again (a column slice all of the left one, a row slice all
 * of the right one).  A slice is a multiple of XN_SLICE_SPAN rows or
 * columns and at least XN_SLICE_MADDS multiply-adds; a product gets two
 * slices once it is large enough, and twice as many for every doubling of
 * its work past XN_SLICE_TARGET each (powers of two: even shares on the
 * usual core counts).  Every BLAS kernel's register block (4 to 32 rows
 * or columns) divides XN_SLICE_SPAN, so a slice's entries are computed as
 * in one call.  Passes over rows take slices of at least XN_SLICE_ELEMS
 * elements, the optimizer's sweep slices of XN_SLICE_PARAMS parameters.
 * Measured in bench/RESULTS.md (the thread rule). */
#define XN_SLICE_SPAN 128
#define XN_SLICE_MADDS ((size_t)1 << 20)
#define XN_SLICE_TARGET ((size_t)1 << 26)
#define XN_SLICE_ELEMS ((size_t)1 << 14)
#define XN_SLICE_PARAMS ((size_t)1 << 14)
/* How a product's output is cut: along its rows or its columns, `span` a
 * slice (the last one to the end, so none is narrower), `slices` of them
 * (1: whole).  Written field by field where it is kept (xn_cut_along):
 * a struct returned and copied whole cost a small step store-forwarding
 * stalls. */
typedef struct {
    size_t rows, span, slices;
} xn_cut;
/* The rule alone: *c becomes a cut of dim rows or columns (`rows`), with
 * madds multiply-adds in each, or the cut of C (m, n) = A (m, k) * B (k, n)
 * on the side that copies less: its rows when it has more rows than
 * columns (xn_rows_copy_less). */
void xn_cut_rule(xn_cut *c, bool rows, size_t dim, size_t madds);
static inline bool xn_rows_copy_less(size_t m, size_t n) { return m > n; }
static inline void xn_product_cut_rule(xn_cut *c, size_t m, size_t n, size_t k)
{
    bool rows = xn_rows_copy_less(m, n);
    xn_cut_rule(c, rows, rows ? m : n, (rows ? n : m) * k);
}
/* Whether a network's call cuts anything: not with the naive kernel, not
 * while the BLAS runs threads of its own, not in a network too small. */
static inline bool xn_net_cuts(const xn_net *net)
{
    return net->sliced && net->kernel != XN_KERNEL_NAIVE && !net->blas_threaded;
}
/* The rules for a network's call: whole unless it cuts (a small network
 * pays no rule at all). */
static inline void xn_cut_along(xn_cut *c, const xn_net *net, bool rows, size_t dim, size_t madds)
{
    if (xn_net_cuts(net)) {
        xn_cut_rule(c, rows, dim, madds);
    } else {
        c->rows = rows;
        c->span = dim;
        c->slices = 1;
    }
}
static inline void xn_product_cut(xn_cut *c, const xn_net *net, size_t m, size_t n, size_t k)
{
    bool rows = xn_rows_copy_less(m, n);
    xn_cut_along(c, net, rows, rows ? m : n, (rows ? n : m) * k);
}
/* Slice s of a cut of dim: its first row or column, *len of them. */
static inline size_t xn_cut_range(xn_cut c, size_t dim, size_t s, size_t *len)
{
    size_t lo = s * c.span;
    *len = s + 1 == c.slices ? dim - lo : c.span;
    return lo;
}
/* Rows a slice of a pass over rows `width` elements wide. */
size_t xn_row_span(size_t width);
/* Slices of len elements cut every `span` (at least 1); no division for
 * one slice, a small network's every region. */
static inline size_t xn_slices(size_t len, size_t span)
{
    return len <= span ? len > 0 : (len - 1) / span + 1;
}
/* Runs a region on the network's threads, up to one a slice; on the
 * calling thread alone while the BLAS runs threads of its own.  One slice
 * is a plain call (a small network's every region). */
void xn_net_run_slices(const xn_net *net, size_t slices, xn_slice_fn fn, void *ctx);
static inline void xn_net_run(const xn_net *net, size_t slices, xn_slice_fn fn, void *ctx)
{
    if (slices > 1 && net->pool)
        xn_net_run_slices(net, slices, fn, ctx);
    else
        for (size_t s = 0; s < slices; s++)
            fn(ctx, s);
}
/* Reads whether the BLAS runs threads of its own, for the call starting
 * (a network too small to be cut runs the same either way). */
void xn_net_read_blas(xn_net *net);
static inline void xn_net_begin(xn_net *net)
{
    if (net->sliced)
        xn_net_read_blas(net);
}
/* Starts the network's pool if its workspace's largest call can use it
 * and it has none of the right size; on failure the network runs on the
 * calling thread alone (the results are the same). */
void xn_net_start_threads(xn_net *net);
/* The update's sweeps: slices of the parameter vector (by layers when
 * weight decay skips the biases), and slice s's range and whether it is
 * decayed. */
size_t xn_update_slices(const xn_net *net, bool by_layer);
void xn_update_range(const xn_net *net, bool by_layer, size_t s, size_t *lo, size_t *hi, bool *decay);

#endif
