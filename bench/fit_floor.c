/* The floor of a training step, whole and sliced (fit_floor.h). */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include "fit_floor.h"

#include <cblas.h>
#include <stdlib.h>

#include "bench_util.h"

bool floor_init(floor_ctx *c, const fit_shape *sh, size_t batch, bool f32, size_t threads)
{
    *c = (floor_ctx){.sh = *sh, .batch = batch, .f32 = f32, .threads = threads};
    size_t es = f32 ? sizeof(float) : sizeof(double);
    bool ok = true;
    for (size_t l = 0; l <= sh->L; l++) {
        ok &= (c->a[l] = calloc(batch * sh->sizes[l], es)) != NULL;
        ok &= (c->d[l] = calloc(batch * sh->sizes[l], es)) != NULL;
        if (l) {
            ok &= (c->w[l] = calloc(sh->sizes[l - 1] * sh->sizes[l], es)) != NULL;
            ok &= (c->dw[l] = calloc(sh->sizes[l - 1] * sh->sizes[l], es)) != NULL;
        }
    }
    return ok && xn_pool_create(&c->pool, threads) == XN_OK;
}

void floor_free(floor_ctx *c)
{
    for (size_t l = 0; l <= c->sh.L; l++) {
        free(c->a[l]);
        free(c->d[l]);
        free(c->w[l]);
        free(c->dw[l]);
    }
    xn_pool_destroy(c->pool);
}

/* C(m,n) = op(A) op(B), row-major, in the context's precision; C has
 * leading dimension ldc, the rest are whole matrices (offsets by the
 * caller). */
static void gemm(const floor_ctx *c, bool ta, bool tb, size_t m, size_t n, size_t k, const void *A,
                 size_t lda, const void *B, size_t ldb, void *C, size_t ldc)
{
    if (c->f32)
        cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)m,
                    (int)n, (int)k, 1.0f, A, (int)lda, B, (int)ldb, 0.0f, C, (int)ldc);
    else
        cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)m,
                    (int)n, (int)k, 1.0, A, (int)lda, B, (int)ldb, 0.0, C, (int)ldc);
}

static char *at(const floor_ctx *c, void *p, size_t i)
{
    return (char *)p + i * (c->f32 ? sizeof(float) : sizeof(double));
}

/* One step's products, whole: A_l = A_{l-1} W_l; dW_l = A_{l-1}^T D_l;
 * D_{l-1} = D_l W_l^T. */
static void whole_step(const floor_ctx *c, size_t m)
{
    const size_t *s = c->sh.sizes;
    for (size_t l = 1; l <= c->sh.L; l++)
        gemm(c, false, false, m, s[l], s[l - 1], c->a[l - 1], s[l - 1], c->w[l], s[l], c->a[l], s[l]);
    for (size_t l = c->sh.L; l >= 1; l--) {
        gemm(c, true, false, s[l - 1], s[l], m, c->a[l - 1], s[l - 1], c->d[l], s[l], c->dw[l], s[l]);
        if (l > 1)
            gemm(c, false, true, m, s[l - 1], s[l], c->d[l], s[l], c->w[l], s[l], c->d[l - 1], s[l - 1]);
    }
}

/* A slice of layer l's forward product, rows or columns (c->cut). */
static void fwd_slice(void *ctx, size_t s)
{
    floor_ctx *c = ctx;
    const size_t *z = c->sh.sizes;
    size_t l = c->l, fi = z[l - 1], fo = z[l], len, lo = xn_cut_range(c->cut, c->cut.rows ? c->m : fo, s, &len);
    if (c->cut.rows)
        gemm(c, false, false, len, fo, fi, at(c, c->a[l - 1], lo * fi), fi, c->w[l], fo, at(c, c->a[l], lo * fo), fo);
    else
        gemm(c, false, false, c->m, len, fi, c->a[l - 1], fi, at(c, c->w[l], lo), fo, at(c, c->a[l], lo), fo);
}

/* dW_l = A_{l-1}^T D_l, a slice of its rows or columns (c->cut). */
static void dw_slice(floor_ctx *c, size_t l, size_t s)
{
    const size_t *z = c->sh.sizes;
    size_t fi = z[l - 1], fo = z[l], len, lo = xn_cut_range(c->cut, c->cut.rows ? fi : fo, s, &len);
    if (c->cut.rows)
        gemm(c, true, false, len, fo, c->m, at(c, c->a[l - 1], lo), fi, c->d[l], fo, at(c, c->dw[l], lo * fo), fo);
    else
        gemm(c, true, false, fi, len, c->m, c->a[l - 1], fi, at(c, c->d[l], lo), fo, at(c, c->dw[l], lo), fo);
}

/* A backward region's slice: dW_l's (the first c->split), then the
 * chain's on columns of A_{l-1}: D_{l-1} = D_l W_l^T and, when dW_{l-1}
 * is cut along its columns, its slice of them. */
static void back_slice(void *ctx, size_t s)
{
    floor_ctx *c = ctx;
    const size_t *z = c->sh.sizes;
    size_t l = c->l, fi = z[l - 1], fo = z[l], len;
    if (s < c->split) {
        dw_slice(c, l, s);
        return;
    }
    size_t lo = xn_cut_range(c->chain, fi, s - c->split, &len);
    gemm(c, false, true, c->m, len, fo, c->d[l], fo, at(c, c->w[l], lo * fo), fo, at(c, c->d[l - 1], lo), fi);
    if (c->chain_dw)
        gemm(c, true, false, z[l - 2], len, c->m, c->a[l - 2], z[l - 2], at(c, c->d[l - 1], lo), fi,
             at(c, c->dw[l - 1], lo), fi);
}

/* One step's products as a network's threads run them (step_t.h). */
static void sliced_step(floor_ctx *c, size_t m)
{
    const size_t *z = c->sh.sizes;
    size_t L = c->sh.L;
    c->m = m;
    for (c->l = 1; c->l <= L; c->l++) {
        xn_product_cut_rule(&c->cut, m, z[c->l], z[c->l - 1]);
        xn_pool_run(c->pool, c->threads, c->cut.slices, fwd_slice, c);
    }
    for (c->l = L; c->l >= 1; c->l--) {
        size_t l = c->l, chains = 0;
        /* dW_l here unless the chain above took it */
        xn_product_cut_rule(&c->cut, z[l - 1], z[l], m);
        c->split = l == L || c->cut.rows ? c->cut.slices : 0;
        if (l > 1) {
            c->chain_dw = !xn_rows_copy_less(z[l - 2], z[l - 1]);
            xn_cut_rule(&c->chain, false, z[l - 1], m * (z[l] + (c->chain_dw ? z[l - 2] : 0)));
            chains = c->chain.slices;
        }
        if (c->split + chains)
            xn_pool_run(c->pool, c->threads, c->split + chains, back_slice, c);
    }
}

double floor_epoch(floor_ctx *c, size_t rows, bool sliced)
{
    double t0 = bench_now();
    for (size_t r = 0; r < rows; r += c->batch) {
        size_t m = rows - r < c->batch ? rows - r : c->batch;
        if (sliced)
            sliced_step(c, m);
        else
            whole_step(c, m);
    }
    return bench_now() - t0;
}
