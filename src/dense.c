/* One dense layer's passes around its matrix products (kernels.c), the
 * forward ones beside the backward ones.
 *
 * Two ways through a layer.  The specification does every formula in its
 * own pass: the product Z = A_prev * W, then xn_dense_bias_act; backward,
 * the products dW = A_prev^T dZ and dA_prev = dZ W^T, then
 * xn_dense_deriv_colsum.  Where the next layer has width 1, the fast
 * kernels fold that layer's products into these passes instead
 * (xn_dense_bias_act_dot forward, xn_dense_narrow_backward backward), so
 * the (n, in) activations are read once instead of three times.  Both ways
 * add every sum in the same order, so they agree to the last bit wherever
 * the products do.
 *
 * Each pass with a switch over the activation calls an inline function
 * with a constant `act`, so the switch folds away and the loops vectorize. */
#include <math.h>
#include <string.h>

#include "act.h"
#include "internal.h"

/* ---- forward ----------------------------------------------------------- */

void xn_dense_bias_act(size_t n, size_t out, xn_act act, double *z,
                       const double *b, double *a, bool keep_z)
{
    for (size_t i = 0; i < n; i++) {
        double *zi = z + i * out;
        double *ai = a + i * out;
        if (keep_z)
            for (size_t o = 0; o < out; o++)
                zi[o] += b[o];
        const double *bb = keep_z ? NULL : b;
        if (act == XN_ACT_SOFTMAX) {
            /* row-wise, shifted by the row maximum so exp never overflows */
            double mx = -INFINITY, sum = 0.0;
            for (size_t o = 0; o < out; o++) {
                ai[o] = bb ? zi[o] + bb[o] : zi[o];
                if (ai[o] > mx)
                    mx = ai[o];
            }
            for (size_t o = 0; o < out; o++) {
                ai[o] = exp(ai[o] - mx);
                sum += ai[o];
            }
            for (size_t o = 0; o < out; o++)
                ai[o] /= sum;
        } else if (bb) {
            for (size_t o = 0; o < out; o++)
                ai[o] = xn_act_apply(act, zi[o] + bb[o]);
        } else {
            for (size_t o = 0; o < out; o++)
                ai[o] = xn_act_apply(act, zi[o]);
        }
    }
}

/* Each row sums in the order of the naive product; four rows go together
 * so their four sums are independent chains (one chain waits on the
 * adder's latency at every term). */
static inline void bias_act_dot_rows(size_t n, size_t out, xn_act act,
                                     double *restrict a, const double *restrict b,
                                     const double *restrict w,
                                     double *restrict znext)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        double *a0 = a + i * out, *a1 = a0 + out, *a2 = a1 + out, *a3 = a2 + out;
        double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
        for (size_t o = 0; o < out; o++) {
            double v0 = xn_act_apply(act, a0[o] + b[o]), v1 = xn_act_apply(act, a1[o] + b[o]);
            double v2 = xn_act_apply(act, a2[o] + b[o]), v3 = xn_act_apply(act, a3[o] + b[o]);
            a0[o] = v0;
            a1[o] = v1;
            a2[o] = v2;
            a3[o] = v3;
            s0 += v0 * w[o];
            s1 += v1 * w[o];
            s2 += v2 * w[o];
            s3 += v3 * w[o];
        }
        znext[i] = s0;
        znext[i + 1] = s1;
        znext[i + 2] = s2;
        znext[i + 3] = s3;
    }
    for (; i < n; i++) {
        double *ai = a + i * out, s = 0.0;
        for (size_t o = 0; o < out; o++) {
            double v = xn_act_apply(act, ai[o] + b[o]);
            ai[o] = v;
            s += v * w[o];
        }
        znext[i] = s;
    }
}

void xn_dense_bias_act_dot(size_t n, size_t out, xn_act act, double *a,
                           const double *b, const double *w, double *znext)
{
    switch (act) { /* softmax is never a hidden activation */
    case XN_ACT_SIGMOID:
        bias_act_dot_rows(n, out, XN_ACT_SIGMOID, a, b, w, znext);
        break;
    case XN_ACT_RELU:
        bias_act_dot_rows(n, out, XN_ACT_RELU, a, b, w, znext);
        break;
    case XN_ACT_TANH:
        bias_act_dot_rows(n, out, XN_ACT_TANH, a, b, w, znext);
        break;
    default:
        bias_act_dot_rows(n, out, XN_ACT_IDENTITY, a, b, w, znext);
        break;
    }
}

/* ---- backward ---------------------------------------------------------- */

void xn_dense_colsum(size_t n, size_t out, const double *dz, double *db, bool first)
{
    if (first)
        memset(db, 0, out * sizeof *db);
    for (size_t i = 0; i < n; i++)
        for (size_t o = 0; o < out; o++)
            db[o] += dz[i * out + o];
}

/* dz *= act'(a), db += column sums of dz, in one pass (the sums still run
 * over i in order). */
static inline void deriv_colsum_rows(size_t n, size_t out, xn_act act,
                                     const double *restrict a,
                                     double *restrict dz, double *restrict db)
{
    for (size_t i = 0; i < n; i++) {
        const double *ai = a + i * out;
        double *dzi = dz + i * out;
        for (size_t o = 0; o < out; o++) {
            /* relu' spelled out, as in narrow_backward_rows */
            dzi[o] *= act == XN_ACT_RELU ? (ai[o] > 0.0 ? 1.0 : 0.0) : xn_act_deriv(act, ai[o]);
            db[o] += dzi[o];
        }
    }
}

void xn_dense_deriv_colsum(size_t n, size_t out, xn_act act, const double *a,
                           double *dz, double *db, bool first)
{
    if (first) /* here, not in the loops' function: there it stops gcc
                * from vectorizing the relu loop */
        memset(db, 0, out * sizeof *db);
    switch (act) {
    case XN_ACT_SIGMOID:
        deriv_colsum_rows(n, out, XN_ACT_SIGMOID, a, dz, db);
        break;
    case XN_ACT_RELU:
        deriv_colsum_rows(n, out, XN_ACT_RELU, a, dz, db);
        break;
    case XN_ACT_TANH:
        deriv_colsum_rows(n, out, XN_ACT_TANH, a, dz, db);
        break;
    default:
        deriv_colsum_rows(n, out, XN_ACT_IDENTITY, a, dz, db);
        break;
    }
}

/* dw(in) += a^T dz (the outer product's twin), dzp = (dz w^T) * act'(a),
 * dbp(in) += column sums of dzp.  Every output entry is its own sum over i
 * in order, so the loop over k vectorizes without reordering a sum. */
static inline void narrow_backward_rows(size_t n, size_t in, xn_act act,
                                        const double *restrict a,
                                        const double *restrict dz,
                                        const double *restrict w,
                                        double *restrict dw,
                                        double *restrict dzp,
                                        double *restrict dbp)
{
    for (size_t i = 0; i < n; i++) {
        const double *ai = a + i * in;
        double *dzpi = dzp + i * in, d = dz[i];
        for (size_t k = 0; k < in; k++) {
            /* relu' spelled out: through xn_act_deriv's switch gcc 12
             * leaves this loop scalar */
            double m = act == XN_ACT_RELU ? (ai[k] > 0.0 ? 1.0 : 0.0) : xn_act_deriv(act, ai[k]);
            double g = d * w[k] * m;
            dw[k] += ai[k] * d;
            dzpi[k] = g;
            dbp[k] += g;
        }
    }
}

void xn_dense_narrow_backward(size_t n, size_t in, xn_act act, const double *a,
                              const double *dz, const double *w, double *dw,
                              double *dzp, double *dbp, bool first)
{
    if (first) { /* as in xn_dense_deriv_colsum */
        memset(dw, 0, in * sizeof *dw);
        memset(dbp, 0, in * sizeof *dbp);
    }
    switch (act) {
    case XN_ACT_SIGMOID:
        narrow_backward_rows(n, in, XN_ACT_SIGMOID, a, dz, w, dw, dzp, dbp);
        break;
    case XN_ACT_RELU:
        narrow_backward_rows(n, in, XN_ACT_RELU, a, dz, w, dw, dzp, dbp);
        break;
    case XN_ACT_TANH:
        narrow_backward_rows(n, in, XN_ACT_TANH, a, dz, w, dw, dzp, dbp);
        break;
    default:
        narrow_backward_rows(n, in, XN_ACT_IDENTITY, a, dz, w, dw, dzp, dbp);
        break;
    }
}
