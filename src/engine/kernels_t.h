/* The matrix products of a dense layer for one element type: naive loops,
 * which are the specification, and their BLAS twins.  Included by
 * kernels.c once per type, with XN_T the element type, XN_TS its suffix
 * and GEMM, GEMV, GER the BLAS routines of that precision.  All buffers
 * are row-major; every product overwrites its output except dwacc.
 * Transposes go through the BLAS flags, never through copies.  The
 * operands that may be a slice of a wider matrix's columns (a step's
 * threads each take one) have the row stride ld. */

/* y(n,out) = x(n,in) * w(in,out).  Row i of y accumulates k in order.
 * Outputs never alias inputs (restrict): the loop over o vectorizes without
 * a run-time overlap test on every call (5-10% of a product at XOR sizes). */
static void TF(fwd_naive)(size_t n, size_t in, size_t out, const XN_T *restrict x,
                          const XN_T *restrict w, XN_T *restrict y, size_t ld)
{
    for (size_t i = 0; i < n; i++) {
        XN_T *yi = y + i * ld;
        for (size_t o = 0; o < out; o++)
            yi[o] = 0;
        for (size_t k = 0; k < in; k++) {
            XN_T xik = x[i * in + k];
            const XN_T *wk = w + k * ld;
            for (size_t o = 0; o < out; o++)
                yi[o] += xik * wk[o];
        }
    }
}

static void TF(fwd_blas)(size_t n, size_t in, size_t out, const XN_T *x, const XN_T *w, XN_T *y,
                         size_t ld)
{
    if (out == 1) /* a matrix-vector product: gemv, not a degenerate gemm */
        GEMV(CblasRowMajor, CblasNoTrans, (int)n, (int)in, 1, x, (int)in, w, (int)ld, 0, y, (int)ld);
    else
        GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)out, (int)in, 1, x, (int)in, w,
             (int)ld, 0, y, (int)ld);
}

/* dw(in,out) += x(n,in)^T * dy(n,out).  Each dw[k][o] adds i in order, so
 * a batch taken in blocks of rows sums exactly as in one call. */
static void TF(dwacc_naive)(size_t n, size_t in, size_t out, const XN_T *restrict x,
                            const XN_T *restrict dy, XN_T *restrict dw, size_t ld)
{
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < in; k++) {
            XN_T xik = x[i * in + k];
            XN_T *dwk = dw + k * ld;
            const XN_T *dyi = dy + i * ld;
            for (size_t o = 0; o < out; o++)
                dwk[o] += xik * dyi[o];
        }
}

static void TF(dwacc_blas)(size_t n, size_t in, size_t out, const XN_T *x, const XN_T *dy, XN_T *dw,
                           size_t ld)
{
    if (out == 1)
        GEMV(CblasRowMajor, CblasTrans, (int)n, (int)in, 1, x, (int)in, dy, (int)ld, 1, dw, (int)ld);
    else
        GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, (int)in, (int)out, (int)n, 1, x, (int)in, dy,
             (int)ld, 1, dw, (int)ld);
}

/* dw(in,out) = x(n,in)^T * dy(n,out): dwacc onto zero. */
static void TF(dw_naive)(size_t n, size_t in, size_t out, const XN_T *x, const XN_T *dy, XN_T *dw,
                         size_t ld)
{
    if (ld == out) /* whole rows: one stretch of memory */
        memset(dw, 0, in * out * sizeof *dw);
    else
        for (size_t k = 0; k < in; k++)
            memset(dw + k * ld, 0, out * sizeof *dw);
    TF(dwacc_naive)(n, in, out, x, dy, dw, ld);
}

static void TF(dw_blas)(size_t n, size_t in, size_t out, const XN_T *x, const XN_T *dy, XN_T *dw,
                        size_t ld)
{
    if (out == 1)
        GEMV(CblasRowMajor, CblasTrans, (int)n, (int)in, 1, x, (int)in, dy, (int)ld, 0, dw, (int)ld);
    else
        GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, (int)in, (int)out, (int)n, 1, x, (int)in, dy,
             (int)ld, 0, dw, (int)ld);
}

/* dx(n,in) = dy(n,out) * w(in,out)^T.  Each dx[i][k] is a dot product. */
static void TF(dx_naive)(size_t n, size_t in, size_t out, const XN_T *restrict dy,
                         const XN_T *restrict w, XN_T *restrict dx, size_t ld)
{
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < in; k++) {
            XN_T s = 0;
            for (size_t o = 0; o < out; o++)
                s += dy[i * out + o] * w[k * out + o];
            dx[i * ld + k] = s;
        }
}

static void TF(dx_blas)(size_t n, size_t in, size_t out, const XN_T *dy, const XN_T *w, XN_T *dx,
                        size_t ld)
{
    if (out == 1) { /* an outer product dy * w^T: ger onto zero */
        for (size_t i = 0; i < n; i++)
            memset(dx + i * ld, 0, in * sizeof *dx);
        GER(CblasRowMajor, (int)n, (int)in, 1, dy, 1, w, 1, dx, (int)ld);
    } else {
        GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)in, (int)out, 1, dy, (int)out, w,
             (int)out, 0, dx, (int)ld);
    }
}

const TF(xn_kernels) TF(xn_kernels_naive) = {TF(fwd_naive), TF(dw_naive), TF(dwacc_naive), TF(dx_naive)};
const TF(xn_kernels) TF(xn_kernels_blas) = {TF(fwd_blas), TF(dw_blas), TF(dwacc_blas), TF(dx_blas)};

const TF(xn_kernels) *TF(xn_kernels_pick)(xn_kernel k, size_t n, size_t in, size_t out)
{
    if (k == XN_KERNEL_NAIVE)
        return &TF(xn_kernels_naive);
    if (k == XN_KERNEL_BLAS)
        return &TF(xn_kernels_blas);
    /* auto: sizes were checked against XN_MAX_PARAMS and the batch limit, so
     * the product cannot overflow in practice; saturate anyway. */
    size_t work;
    if (!xn_mul_ok(n, in, &work) || !xn_mul_ok(work, out, &work))
        return &TF(xn_kernels_blas);
    return work < XN_AUTO_NAIVE_BELOW ? &TF(xn_kernels_naive) : &TF(xn_kernels_blas);
}
