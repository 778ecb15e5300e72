/* The matrix products of a dense layer for one element type: naive loops,
 * which are the specification, and their BLAS twins.  Included by
 * kernels.c once per type, with XN_T the element type, XN_TS its suffix
 * and GEMM, GEMV, GER the BLAS routines of that precision.  All buffers
 * are row-major; every product overwrites its output except dwacc.
 * Transposes go through the BLAS flags, never through copies.  Every
 * operand has its row stride (ld*), as in BLAS: a step's threads each take
 * a slice of a product's rows or columns out of whole matrices. */

/* y(n,out) = x(n,in) * w(in,out).  Row i of y accumulates k in order.
 * Outputs never alias inputs (restrict): the loop over o vectorizes without
 * a run-time overlap test on every call (5-10% of a product at XOR sizes). */
static void TF(fwd_naive)(size_t n, size_t in, size_t out, const XN_T *restrict x, size_t ldx,
                          const XN_T *restrict w, size_t ldw, XN_T *restrict y, size_t ldy)
{
    for (size_t i = 0; i < n; i++) {
        XN_T *yi = y + i * ldy;
        for (size_t o = 0; o < out; o++)
            yi[o] = 0;
        for (size_t k = 0; k < in; k++) {
            XN_T xik = x[i * ldx + k];
            const XN_T *wk = w + k * ldw;
            for (size_t o = 0; o < out; o++)
                yi[o] += xik * wk[o];
        }
    }
}

static void TF(fwd_blas)(size_t n, size_t in, size_t out, const XN_T *x, size_t ldx, const XN_T *w,
                         size_t ldw, XN_T *y, size_t ldy)
{
    if (out == 1) /* a matrix-vector product: gemv, not a degenerate gemm */
        GEMV(CblasRowMajor, CblasNoTrans, (int)n, (int)in, 1, x, (int)ldx, w, (int)ldw, 0, y, (int)ldy);
    else
        GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)out, (int)in, 1, x, (int)ldx, w,
             (int)ldw, 0, y, (int)ldy);
}

/* dw(in,out) += x(n,in)^T * dy(n,out).  Each dw[k][o] adds i in order, so
 * a batch taken in blocks of rows sums exactly as in one call. */
static void TF(dwacc_naive)(size_t n, size_t in, size_t out, const XN_T *restrict x, size_t ldx,
                            const XN_T *restrict dy, size_t lddy, XN_T *restrict dw, size_t lddw)
{
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < in; k++) {
            XN_T xik = x[i * ldx + k];
            XN_T *dwk = dw + k * lddw;
            const XN_T *dyi = dy + i * lddy;
            for (size_t o = 0; o < out; o++)
                dwk[o] += xik * dyi[o];
        }
}

static void TF(dwacc_blas)(size_t n, size_t in, size_t out, const XN_T *x, size_t ldx, const XN_T *dy,
                           size_t lddy, XN_T *dw, size_t lddw)
{
    if (out == 1)
        GEMV(CblasRowMajor, CblasTrans, (int)n, (int)in, 1, x, (int)ldx, dy, (int)lddy, 1, dw, (int)lddw);
    else
        GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, (int)in, (int)out, (int)n, 1, x, (int)ldx, dy,
             (int)lddy, 1, dw, (int)lddw);
}

/* dw(in,out) = x(n,in)^T * dy(n,out): dwacc onto zero. */
static void TF(dw_naive)(size_t n, size_t in, size_t out, const XN_T *x, size_t ldx, const XN_T *dy,
                         size_t lddy, XN_T *dw, size_t lddw)
{
    if (lddw == out) /* whole rows: one stretch of memory */
        memset(dw, 0, in * out * sizeof *dw);
    else
        for (size_t k = 0; k < in; k++)
            memset(dw + k * lddw, 0, out * sizeof *dw);
    TF(dwacc_naive)(n, in, out, x, ldx, dy, lddy, dw, lddw);
}

static void TF(dw_blas)(size_t n, size_t in, size_t out, const XN_T *x, size_t ldx, const XN_T *dy,
                        size_t lddy, XN_T *dw, size_t lddw)
{
    if (out == 1)
        GEMV(CblasRowMajor, CblasTrans, (int)n, (int)in, 1, x, (int)ldx, dy, (int)lddy, 0, dw, (int)lddw);
    else
        GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, (int)in, (int)out, (int)n, 1, x, (int)ldx, dy,
             (int)lddy, 0, dw, (int)lddw);
}

/* dx(n,in) = dy(n,out) * w(in,out)^T.  Each dx[i][k] is a dot product. */
static void TF(dx_naive)(size_t n, size_t in, size_t out, const XN_T *restrict dy, size_t lddy,
                         const XN_T *restrict w, size_t ldw, XN_T *restrict dx, size_t lddx)
{
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < in; k++) {
            XN_T s = 0;
            for (size_t o = 0; o < out; o++)
                s += dy[i * lddy + o] * w[k * ldw + o];
            dx[i * lddx + k] = s;
        }
}

static void TF(dx_blas)(size_t n, size_t in, size_t out, const XN_T *dy, size_t lddy, const XN_T *w,
                        size_t ldw, XN_T *dx, size_t lddx)
{
    if (out == 1) { /* an outer product dy * w^T: ger onto zero */
        for (size_t i = 0; i < n; i++)
            memset(dx + i * lddx, 0, in * sizeof *dx);
        GER(CblasRowMajor, (int)n, (int)in, 1, dy, (int)lddy, w, (int)ldw, dx, (int)lddx);
    } else {
        GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)in, (int)out, 1, dy, (int)lddy, w,
             (int)ldw, 0, dx, (int)lddx);
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
