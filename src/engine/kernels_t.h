/* The matrix products of a dense layer for one element type: naive loops,
 * which are the specification, and their BLAS twins.  Included by
 * kernels.c once per type, with XN_T the element type, XN_TS its suffix
 * and GEMM, GEMV, GER the BLAS routines of that precision.  All buffers
 * are row-major; every product overwrites its output except dwacc.
 * Transposes go through the BLAS flags, never through copies. */

/* y(n,out) = x(n,in) * w(in,out).  Row i of y accumulates k in order.
 * Outputs never alias inputs (restrict): the loop over o vectorizes without
 * a run-time overlap test on every call (5-10% of a product at XOR sizes). */
static void TF(fwd_naive)(size_t n, size_t in, size_t out, const XN_T *restrict x,
                          const XN_T *restrict w, XN_T *restrict y)
{
    for (size_t i = 0; i < n; i++) {
        XN_T *yi = y + i * out;
        for (size_t o = 0; o < out; o++)
            yi[o] = 0;
        for (size_t k = 0; k < in; k++) {
            XN_T xik = x[i * in + k];
            const XN_T *wk = w + k * out;
            for (size_t o = 0; o < out; o++)
                yi[o] += xik * wk[o];
        }
    }
}

static void TF(fwd_blas)(size_t n, size_t in, size_t out, const XN_T *x, const XN_T *w, XN_T *y)
{
    if (out == 1) /* a matrix-vector product: gemv, not a degenerate gemm */
        GEMV(CblasRowMajor, CblasNoTrans, (int)n, (int)in, 1, x, (int)in, w, 1, 0, y, 1);
    else
        GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)out, (int)in, 1, x, (int)in, w,
             (int)out, 0, y, (int)out);
}

/* dw(in,out) += x(n,in)^T * dy(n,out).  Each dw[k][o] adds i in order, so
 * a batch taken in blocks of rows sums exactly as in one call. */
static void TF(dwacc_naive)(size_t n, size_t in, size_t out, const XN_T *restrict x,
                            const XN_T *restrict dy, XN_T *restrict dw)
{
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < in; k++) {
            XN_T xik = x[i * in + k];
            XN_T *dwk = dw + k * out;
            const XN_T *dyi = dy + i * out;
            for (size_t o = 0; o < out; o++)
                dwk[o] += xik * dyi[o];
        }
}

static void TF(dwacc_blas)(size_t n, size_t in, size_t out, const XN_T *x, const XN_T *dy, XN_T *dw)
{
    if (out == 1)
        GEMV(CblasRowMajor, CblasTrans, (int)n, (int)in, 1, x, (int)in, dy, 1, 1, dw, 1);
    else
        GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, (int)in, (int)out, (int)n, 1, x, (int)in, dy,
             (int)out, 1, dw, (int)out);
}

/* dw(in,out) = x(n,in)^T * dy(n,out): dwacc onto zero. */
static void TF(dw_naive)(size_t n, size_t in, size_t out, const XN_T *x, const XN_T *dy, XN_T *dw)
{
    for (size_t j = 0; j < in * out; j++)
        dw[j] = 0;
    TF(dwacc_naive)(n, in, out, x, dy, dw);
}

static void TF(dw_blas)(size_t n, size_t in, size_t out, const XN_T *x, const XN_T *dy, XN_T *dw)
{
    if (out == 1)
        GEMV(CblasRowMajor, CblasTrans, (int)n, (int)in, 1, x, (int)in, dy, 1, 0, dw, 1);
    else
        GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, (int)in, (int)out, (int)n, 1, x, (int)in, dy,
             (int)out, 0, dw, (int)out);
}

/* dx(n,in) = dy(n,out) * w(in,out)^T.  Each dx[i][k] is a dot product. */
static void TF(dx_naive)(size_t n, size_t in, size_t out, const XN_T *restrict dy,
                         const XN_T *restrict w, XN_T *restrict dx)
{
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < in; k++) {
            XN_T s = 0;
            for (size_t o = 0; o < out; o++)
                s += dy[i * out + o] * w[k * out + o];
            dx[i * in + k] = s;
        }
}

static void TF(dx_blas)(size_t n, size_t in, size_t out, const XN_T *dy, const XN_T *w, XN_T *dx)
{
    if (out == 1) { /* an outer product dy * w^T: ger onto zero */
        memset(dx, 0, n * in * sizeof *dx);
        GER(CblasRowMajor, (int)n, (int)in, 1, dy, 1, w, 1, dx, (int)in);
    } else {
        GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)in, (int)out, 1, dy, (int)out, w,
             (int)out, 0, dx, (int)in);
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
