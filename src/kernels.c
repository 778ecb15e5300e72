/* The matrix products of a dense layer in two families with one signature:
 * naive loops, which are the specification, and their BLAS twins.  All
 * buffers are row-major; every product overwrites its output.  Transposes
 * go through the BLAS flags, never through copies. */
#include <cblas.h>
#include <string.h>

#include "internal.h"

/* y(n,out) = x(n,in) * w(in,out).  Row i of y accumulates k in order.
 * Outputs never alias inputs (restrict): the loop over o vectorizes without
 * a run-time overlap test on every call (5-10% of a product at XOR sizes). */
static void fwd_naive(size_t n, size_t in, size_t out,
                      const double *restrict x, const double *restrict w,
                      double *restrict y)
{
    for (size_t i = 0; i < n; i++) {
        double *yi = y + i * out;
        for (size_t o = 0; o < out; o++)
            yi[o] = 0.0;
        for (size_t k = 0; k < in; k++) {
            double xik = x[i * in + k];
            const double *wk = w + k * out;
            for (size_t o = 0; o < out; o++)
                yi[o] += xik * wk[o];
        }
    }
}

static void fwd_blas(size_t n, size_t in, size_t out, const double *x,
                     const double *w, double *y)
{
    if (out == 1) /* a matrix-vector product: dgemv, not a degenerate dgemm */
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)in, 1.0, x,
                    (int)in, w, 1, 0.0, y, 1);
    else
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n,
                    (int)out, (int)in, 1.0, x, (int)in, w, (int)out, 0.0, y,
                    (int)out);
}

/* dw(in,out) += x(n,in)^T * dy(n,out).  Each dw[k][o] adds i in order, so
 * a batch taken in blocks of rows sums exactly as in one call. */
static void dwacc_naive(size_t n, size_t in, size_t out,
                        const double *restrict x, const double *restrict dy,
                        double *restrict dw)
{
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < in; k++) {
            double xik = x[i * in + k];
            double *dwk = dw + k * out;
            const double *dyi = dy + i * out;
            for (size_t o = 0; o < out; o++)
                dwk[o] += xik * dyi[o];
        }
}

static void dwacc_blas(size_t n, size_t in, size_t out, const double *x,
                       const double *dy, double *dw)
{
    if (out == 1)
        cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)in, 1.0, x,
                    (int)in, dy, 1, 1.0, dw, 1);
    else
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)in,
                    (int)out, (int)n, 1.0, x, (int)in, dy, (int)out, 1.0, dw,
                    (int)out);
}

/* dw(in,out) = x(n,in)^T * dy(n,out): dwacc onto zero. */
static void dw_naive(size_t n, size_t in, size_t out, const double *x,
                     const double *dy, double *dw)
{
    for (size_t j = 0; j < in * out; j++)
        dw[j] = 0.0;
    dwacc_naive(n, in, out, x, dy, dw);
}

static void dw_blas(size_t n, size_t in, size_t out, const double *x,
                    const double *dy, double *dw)
{
    if (out == 1)
        cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)in, 1.0, x,
                    (int)in, dy, 1, 0.0, dw, 1);
    else
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)in,
                    (int)out, (int)n, 1.0, x, (int)in, dy, (int)out, 0.0, dw,
                    (int)out);
}

/* dx(n,in) = dy(n,out) * w(in,out)^T.  Each dx[i][k] is a dot product. */
static void dx_naive(size_t n, size_t in, size_t out,
                     const double *restrict dy, const double *restrict w,
                     double *restrict dx)
{
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < in; k++) {
            double s = 0.0;
            for (size_t o = 0; o < out; o++)
                s += dy[i * out + o] * w[k * out + o];
            dx[i * in + k] = s;
        }
}

static void dx_blas(size_t n, size_t in, size_t out, const double *dy,
                    const double *w, double *dx)
{
    if (out == 1) { /* an outer product dy * w^T: dger onto zero */
        memset(dx, 0, n * in * sizeof *dx);
        cblas_dger(CblasRowMajor, (int)n, (int)in, 1.0, dy, 1, w, 1, dx, (int)in);
    } else {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)in,
                    (int)out, 1.0, dy, (int)out, w, (int)out, 0.0, dx, (int)in);
    }
}

const xn_kernels xn_kernels_naive = {fwd_naive, dw_naive, dwacc_naive, dx_naive};
const xn_kernels xn_kernels_blas = {fwd_blas, dw_blas, dwacc_blas, dx_blas};

const xn_kernels *xn_kernels_pick(xn_kernel k, size_t n, size_t in, size_t out)
{
    if (k == XN_KERNEL_NAIVE)
        return &xn_kernels_naive;
    if (k == XN_KERNEL_BLAS)
        return &xn_kernels_blas;
    /* auto: sizes were checked against XN_MAX_PARAMS and the batch limit, so
     * the product cannot overflow in practice; saturate anyway. */
    size_t work;
    if (!xn_mul_ok(n, in, &work) || !xn_mul_ok(work, out, &work))
        return &xn_kernels_blas;
    return work < XN_AUTO_NAIVE_BELOW ? &xn_kernels_naive : &xn_kernels_blas;
}
