/* How a network's work is cut for its threads, in one place: the slices of
 * each region (products by columns, passes by rows, the optimizer's sweep
 * by parameters), the number of threads a region runs on, the pool's
 * start, and the public setting.
 *
 * The rule.  Every region is cut by the shapes alone, never by the thread
 * count, so a network gives the same bits on any number of threads; a
 * region then runs on one thread a slice, up to the network's threads.
 * A slice is at least XN_SLICE_MADDS multiply-adds of a product (about 30
 * microseconds on one core), XN_SLICE_ELEMS elements of a pass or
 * XN_SLICE_PARAMS parameters of the update: enough that waking a thread
 * and handing it a slice (a microsecond) is paid many times over.  So a
 * small step (XOR's, a batch of a few rows) runs on the calling thread
 * alone, with no thread woken at all, and a large one on every thread;
 * bench/RESULTS.md has the measurements behind the sizes.
 *
 * The BLAS.  A product's slices each call the BLAS, from whichever thread
 * runs them, which must then run on that thread alone: with OpenBLAS set
 * to one thread, the network's threads are the only ones.  When OpenBLAS
 * runs threads of its own, a call leaves the threading to it: the
 * products go whole to OpenBLAS and the passes run on the calling thread,
 * as they always did.  (Passes on the network's threads beside OpenBLAS's
 * were measured slower: its idle threads spin, yielding, for milliseconds
 * after each product and take the cores the passes need.) */
#include <stdlib.h>

#include "internal.h"
#include "xn_config.h"

#if XN_HAVE_OPENBLAS_THREADS
int openblas_get_num_threads(void);
#endif

void xn_cut_rule(xn_cut *c, bool rows, size_t dim, size_t madds)
{
    c->rows = rows;
    c->span = dim;
    c->slices = 1;
    size_t blocks = dim / XN_SLICE_SPAN;
    double work = (double)madds * (double)dim;
    if (blocks < 2 || work < 2.0 * (double)XN_SLICE_MADDS)
        return;
    size_t s = 2;
    while (s * 2 <= blocks && work >= (double)(s * 2) * (double)XN_SLICE_TARGET &&
           work >= (double)(s * 2) * (double)XN_SLICE_MADDS)
        s *= 2;
    size_t span = (blocks + s - 1) / s * XN_SLICE_SPAN;
    if (dim / span >= 2) {
        c->span = span;
        c->slices = dim / span;
    }
}

size_t xn_row_span(size_t width)
{
    size_t rows = XN_SLICE_ELEMS / (width ? width : 1);
    return rows ? rows : 1;
}

void xn_net_run_slices(const xn_net *net, size_t slices, xn_slice_fn fn, void *ctx)
{
    size_t t = net->blas_threaded ? 1 : net->max_threads;
    xn_pool_run(net->pool, t < slices ? t : slices, slices, fn, ctx);
}

void xn_net_read_blas(xn_net *net)
{
#if XN_HAVE_OPENBLAS_THREADS
    net->blas_threaded = openblas_get_num_threads() > 1;
#else
    net->blas_threaded = false; /* a reference BLAS runs on its caller's thread */
#endif
}

size_t xn_update_slices(const xn_net *net, bool by_layer)
{
    if (!by_layer)
        return xn_slices(net->nparams, XN_SLICE_PARAMS);
    size_t s = 0;
    for (size_t l = 1; l <= net->L; l++)
        s += xn_slices(net->boff[l] - net->woff[l], XN_SLICE_PARAMS) + xn_slices(net->sizes[l], XN_SLICE_PARAMS);
    return s;
}

void xn_update_range(const xn_net *net, bool by_layer, size_t s, size_t *lo, size_t *hi, bool *decay)
{
    *decay = false;
    if (!by_layer) {
        *lo = s * XN_SLICE_PARAMS;
        *hi = net->nparams - *lo < XN_SLICE_PARAMS ? net->nparams : *lo + XN_SLICE_PARAMS;
        return;
    }
    for (size_t l = 1; l <= net->L; l++)
        for (int bias = 0; bias < 2; bias++) { /* W_l, decayed, then b_l */
            size_t off = bias ? net->boff[l] : net->woff[l];
            size_t len = bias ? net->sizes[l] : net->boff[l] - net->woff[l], k = xn_slices(len, XN_SLICE_PARAMS);
            if (s < k) {
                *lo = off + s * XN_SLICE_PARAMS;
                *hi = off + (len - s * XN_SLICE_PARAMS < XN_SLICE_PARAMS ? len : (s + 1) * XN_SLICE_PARAMS);
                *decay = !bias;
                return;
            }
            s -= k;
        }
}

/* Whether a call of the network, on its workspace's rows, has a region of
 * two slices or more: then threads can help. */
static bool sliced(const xn_net *net)
{
    size_t n = net->cap;
    if (xn_update_slices(net, false) >= 2 || xn_slices(n, xn_row_span(net->sizes[0])) >= 2)
        return true;
    if (net->kernel == XN_KERNEL_NAIVE)
        return false;
    for (size_t l = 1; l <= net->L; l++) {
        size_t fi = net->sizes[l - 1], fo = net->sizes[l];
        /* the layer's products (on either side), the rows of a hidden
         * layer's passes, or of the head (step_t.h) */
        size_t row_cost = l < net->L ? fo : 16 * fo;
        xn_cut f, w, chain;
        xn_product_cut_rule(&f, n, fo, fi);
        xn_product_cut_rule(&w, fi, fo, n);
        xn_cut_rule(&chain, false, fi, n * fo);
        if (f.slices > 1 || w.slices > 1 || chain.slices > 1 || xn_slices(n, xn_row_span(row_cost)) >= 2)
            return true;
    }
    return false;
}

void xn_net_start_threads(xn_net *net)
{
    net->sliced = sliced(net);
    size_t want = net->max_threads > 1 && net->sliced ? net->max_threads : 1;
    if (net->pool && xn_pool_threads(net->pool) == want)
        return;
    xn_pool_destroy(net->pool); /* of another size, or no longer of use */
    net->pool = NULL;
    if (want > 1 && xn_pool_create(&net->pool, want) != XN_OK)
        net->pool = NULL; /* the calling thread alone: slower, the same results */
}

xn_status xn_net_set_threads(xn_net *net, size_t threads)
{
    if (!net)
        return XN_EINVAL;
    if (threads > XN_MAX_THREADS)
        return xn_net_fail(net, XN_EINVAL, "set_threads: %zu threads, over the limit of %d", threads,
                           XN_MAX_THREADS);
    net->threads = threads;
    if (threads == 0) {
        threads = xn_cpu_count();
        threads = threads < XN_MAX_THREADS ? threads : XN_MAX_THREADS;
    }
    if (threads != net->max_threads) {
        xn_pool_destroy(net->pool);
        net->pool = NULL;
        net->max_threads = threads;
    }
    xn_net_start_threads(net);
    return XN_OK;
}

size_t xn_net_threads(const xn_net *net)
{
    return net ? xn_pool_threads(net->pool) : 0;
}
