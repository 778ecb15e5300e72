/* One dense layer's passes around its matrix products for one element
 * type, the forward ones beside the backward ones; included by dense.c
 * once per type (type_f64.h, type_f32.h).
 *
 * Two ways through a layer.  The specification does every formula in its
 * own pass: the product Z = A_prev * W, then the bias and activation;
 * backward, the products dW = A_prev^T dZ and dA_prev = dZ W^T, then the
 * activation derivative with the bias gradient.  Where the next layer has
 * width 1, the fast kernels fold that layer's products into these passes
 * instead (bias_act_dot forward, narrow_backward backward), so the (n, in)
 * activations are read once instead of three times.  Both ways add every
 * sum in the same order, so they agree to the last bit wherever the
 * products do.
 *
 * Each pass with a switch over the activation calls an inline function
 * with a constant `act`, so the switch folds away and the loops vectorize. */

#include "act_t.h"

/* ---- forward ----------------------------------------------------------- */

/* a = act(z + b) row by row (b NULL: act(z)), for an element-wise act
 * given as a constant; z may be a. */
static inline void TF(bias_act_rows)(size_t n, size_t out, xn_act act, const XN_T *z, const XN_T *b,
                                     XN_T *a)
{
    for (size_t i = 0; i < n; i++) {
        const XN_T *zi = z + i * out;
        XN_T *ai = a + i * out;
        if (b)
            for (size_t o = 0; o < out; o++)
                ai[o] = TF(act_apply)(act, zi[o] + b[o]);
        else
            for (size_t o = 0; o < out; o++)
                ai[o] = TF(act_apply)(act, zi[o]);
    }
}

void TF(xn_dense_bias_act)(size_t n, size_t out, xn_act act, XN_T *z,
                       const XN_T *b, XN_T *a, bool keep_z)
{
    if (act != XN_ACT_SOFTMAX) {
        if (keep_z) /* the output layer keeps its biased logits */
            for (size_t i = 0; i < n; i++)
                for (size_t o = 0; o < out; o++)
                    z[i * out + o] += b[o];
        const XN_T *bb = keep_z ? NULL : b;
        switch (act) {
        case XN_ACT_SIGMOID:
            TF(bias_act_rows)(n, out, XN_ACT_SIGMOID, z, bb, a);
            break;
        case XN_ACT_RELU:
            TF(bias_act_rows)(n, out, XN_ACT_RELU, z, bb, a);
            break;
        case XN_ACT_TANH:
            TF(bias_act_rows)(n, out, XN_ACT_TANH, z, bb, a);
            break;
        default:
            TF(bias_act_rows)(n, out, XN_ACT_IDENTITY, z, bb, a);
            break;
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        XN_T *zi = z + i * out;
        XN_T *ai = a + i * out;
        if (keep_z)
            for (size_t o = 0; o < out; o++)
                zi[o] += b[o];
        const XN_T *bb = keep_z ? NULL : b;
        /* row-wise, shifted by the row maximum so exp never overflows */
        XN_T mx = -(XN_T)INFINITY, sum = 0;
        for (size_t o = 0; o < out; o++) {
            ai[o] = bb ? zi[o] + bb[o] : zi[o];
            if (ai[o] > mx)
                mx = ai[o];
        }
        for (size_t o = 0; o < out; o++) {
            ai[o] = XN_EXP(ai[o] - mx);
            sum += ai[o];
        }
        for (size_t o = 0; o < out; o++)
            ai[o] /= sum;
    }
}

/* Each row sums in the order of the naive product; four rows go together
 * so their four sums are independent chains (one chain waits on the
 * adder's latency at every term). */
static inline void TF(bias_act_dot_rows)(size_t n, size_t out, xn_act act,
                                     XN_T *restrict a, const XN_T *restrict b,
                                     const XN_T *restrict w,
                                     XN_T *restrict znext)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        XN_T *a0 = a + i * out, *a1 = a0 + out, *a2 = a1 + out, *a3 = a2 + out;
        XN_T s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (size_t o = 0; o < out; o++) {
            XN_T v0 = TF(act_apply)(act, a0[o] + b[o]), v1 = TF(act_apply)(act, a1[o] + b[o]);
            XN_T v2 = TF(act_apply)(act, a2[o] + b[o]), v3 = TF(act_apply)(act, a3[o] + b[o]);
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
        XN_T *ai = a + i * out, s = 0;
        for (size_t o = 0; o < out; o++) {
            XN_T v = TF(act_apply)(act, ai[o] + b[o]);
            ai[o] = v;
            s += v * w[o];
        }
        znext[i] = s;
    }
}

void TF(xn_dense_bias_act_dot)(size_t n, size_t out, xn_act act, XN_T *a,
                           const XN_T *b, const XN_T *w, XN_T *znext)
{
    switch (act) { /* softmax is never a hidden activation */
    case XN_ACT_SIGMOID:
        TF(bias_act_dot_rows)(n, out, XN_ACT_SIGMOID, a, b, w, znext);
        break;
    case XN_ACT_RELU:
        TF(bias_act_dot_rows)(n, out, XN_ACT_RELU, a, b, w, znext);
        break;
    case XN_ACT_TANH:
        TF(bias_act_dot_rows)(n, out, XN_ACT_TANH, a, b, w, znext);
        break;
    default:
        TF(bias_act_dot_rows)(n, out, XN_ACT_IDENTITY, a, b, w, znext);
        break;
    }
}

/* ---- backward ---------------------------------------------------------- */

void TF(xn_dense_colsum)(size_t n, size_t out, const XN_T *dz, XN_T *db, bool first)
{
    if (first)
        memset(db, 0, out * sizeof *db);
    for (size_t i = 0; i < n; i++)
        for (size_t o = 0; o < out; o++)
            db[o] += dz[i * out + o];
}

/* dz *= act'(a), db += column sums of dz, in one pass (the sums still run
 * over i in order). */
static inline void TF(deriv_colsum_rows)(size_t n, size_t out, xn_act act,
                                     const XN_T *restrict a,
                                     XN_T *restrict dz, XN_T *restrict db)
{
    for (size_t i = 0; i < n; i++) {
        const XN_T *ai = a + i * out;
        XN_T *dzi = dz + i * out;
        for (size_t o = 0; o < out; o++) {
            /* relu' spelled out, as in narrow_backward_rows */
            dzi[o] *= act == XN_ACT_RELU ? (ai[o] > 0 ? (XN_T)1 : (XN_T)0) : TF(act_deriv)(act, ai[o]);
            db[o] += dzi[o];
        }
    }
}

void TF(xn_dense_deriv_colsum)(size_t n, size_t out, xn_act act, const XN_T *a,
                           XN_T *dz, XN_T *db, bool first)
{
    if (first) /* here, not in the loops' function: there it stops gcc
                * from vectorizing the relu loop */
        memset(db, 0, out * sizeof *db);
    switch (act) {
    case XN_ACT_SIGMOID:
        TF(deriv_colsum_rows)(n, out, XN_ACT_SIGMOID, a, dz, db);
        break;
    case XN_ACT_RELU:
        TF(deriv_colsum_rows)(n, out, XN_ACT_RELU, a, dz, db);
        break;
    case XN_ACT_TANH:
        TF(deriv_colsum_rows)(n, out, XN_ACT_TANH, a, dz, db);
        break;
    default:
        TF(deriv_colsum_rows)(n, out, XN_ACT_IDENTITY, a, dz, db);
        break;
    }
}

/* dw(in) += a^T dz (the outer product's twin), dzp = (dz w^T) * act'(a),
 * dbp(in) += column sums of dzp.  Every output entry is its own sum over i
 * in order, so the loop over k vectorizes without reordering a sum. */
static inline void TF(narrow_backward_rows)(size_t n, size_t in, xn_act act,
                                        const XN_T *restrict a,
                                        const XN_T *restrict dz,
                                        const XN_T *restrict w,
                                        XN_T *restrict dw,
                                        XN_T *restrict dzp,
                                        XN_T *restrict dbp)
{
    for (size_t i = 0; i < n; i++) {
        const XN_T *ai = a + i * in;
        XN_T *dzpi = dzp + i * in, d = dz[i];
        for (size_t k = 0; k < in; k++) {
            /* relu' spelled out: through xn_act_deriv's switch gcc 12
             * leaves this loop scalar */
            XN_T m = act == XN_ACT_RELU ? (ai[k] > 0 ? (XN_T)1 : (XN_T)0) : TF(act_deriv)(act, ai[k]);
            XN_T g = d * w[k] * m;
            dw[k] += ai[k] * d;
            dzpi[k] = g;
            dbp[k] += g;
        }
    }
}

void TF(xn_dense_narrow_backward)(size_t n, size_t in, xn_act act, const XN_T *a,
                              const XN_T *dz, const XN_T *w, XN_T *dw,
                              XN_T *dzp, XN_T *dbp, bool first)
{
    if (first) { /* as in xn_dense_deriv_colsum */
        memset(dw, 0, in * sizeof *dw);
        memset(dbp, 0, in * sizeof *dbp);
    }
    switch (act) {
    case XN_ACT_SIGMOID:
        TF(narrow_backward_rows)(n, in, XN_ACT_SIGMOID, a, dz, w, dw, dzp, dbp);
        break;
    case XN_ACT_RELU:
        TF(narrow_backward_rows)(n, in, XN_ACT_RELU, a, dz, w, dw, dzp, dbp);
        break;
    case XN_ACT_TANH:
        TF(narrow_backward_rows)(n, in, XN_ACT_TANH, a, dz, w, dw, dzp, dbp);
        break;
    default:
        TF(narrow_backward_rows)(n, in, XN_ACT_IDENTITY, a, dz, w, dw, dzp, dbp);
        break;
    }
}
