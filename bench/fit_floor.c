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

/* columns [c0, c0 + *w) of slice s, the last one to the end */
static size_t cols(size_t n, size_t width, size_t s, size_t *w)
{
    size_t c0 = s * width;
    *w = s + 1 == xn_col_slices(n, width) ? n - c0 : width;
    return c0;
}

static void fwd_slice(void *ctx, size_t s)
{
    floor_ctx *c = ctx;
    const size_t *z = c->sh.sizes;
    size_t l = c->l, w, c0 = cols(z[l], c->width, s, &w);
    gemm(c, false, false, c->m, w, z[l - 1], c->a[l - 1], z[l - 1], at(c, c->w[l], c0), z[l], at(c, c->a[l], c0),
         z[l]);
}

static void back_slice(void *ctx, size_t s)
{
    floor_ctx *c = ctx;
    const size_t *z = c->sh.sizes;
    size_t l = c->l, w;
    if (s < c->split) { /* the last layer's dW_L, by its columns */
        size_t c0 = cols(z[l], c->width, s, &w);
        gemm(c, true, false, z[l - 1], w, c->m, c->a[l - 1], z[l - 1], at(c, c->d[l], c0), z[l],
             at(c, c->dw[l], c0), z[l]);
        return;
    }
    size_t c0 = cols(z[l - 1], c->width2, s - c->split, &w);
    gemm(c, false, true, c->m, w, z[l], c->d[l], z[l], at(c, c->w[l], c0 * z[l]), z[l], at(c, c->d[l - 1], c0),
         z[l - 1]);
    gemm(c, true, false, z[l - 2], w, c->m, c->a[l - 2], z[l - 2], at(c, c->d[l - 1], c0), z[l - 1],
         at(c, c->dw[l - 1], c0), z[l - 1]);
}

/* One step's products as a network's threads run them. */
static void sliced_step(floor_ctx *c, size_t m)
{
    const size_t *z = c->sh.sizes;
    size_t L = c->sh.L;
    c->m = m;
    for (c->l = 1; c->l <= L; c->l++) {
        c->width = xn_col_slice_width(z[c->l], m * z[c->l - 1]);
        xn_pool_run(c->pool, c->threads, xn_col_slices(z[c->l], c->width), fwd_slice, c);
    }
    for (c->l = L; c->l >= 2 || (L == 1 && c->l == 1); c->l--) {
        c->split = 0;
        size_t chains = 0;
        if (c->l == L) {
            c->width = xn_col_slice_width(z[L], m * z[L - 1]);
            c->split = xn_col_slices(z[L], c->width);
        }
        if (c->l > 1) {
            c->width2 = xn_col_slice_width(z[c->l - 1], m * (z[c->l] + z[c->l - 2]));
            chains = xn_col_slices(z[c->l - 1], c->width2);
        }
        xn_pool_run(c->pool, c->threads, c->split + chains, back_slice, c);
        if (c->l == 1)
            break;
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
