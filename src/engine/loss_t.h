/* The losses for one element type; included by loss.c once per type.  A
 * row's loss terms are doubles whatever the type, written out one by one
 * (a step's threads each take rows) and added up in order afterwards
 * (xn_loss_add), so a float network's loss is reported as precisely as a
 * double one's and the sum is the same whoever computed the terms; the
 * deltas that start the backward pass are the network's type. */

#include "act_t.h"

/* mse = sum (a-y)^2 / (nK), sse = sum (a-y)^2 / (2n); the gradient through
 * any output activation, softmax by its Jacobian a_k (g_k - g.a). */
static void TF(squared)(bool mse, xn_act act, size_t n, size_t K, size_t total, const XN_T *A,
                        const XN_T *y, XN_T *dz, double *terms)
{
    double nk = (double)total * (double)K;
    XN_T gscale = (XN_T)(mse ? 2.0 / nk : 1.0 / (double)total);
    for (size_t i = 0; i < n; i++) {
        const XN_T *ai = A + i * K, *yi = y + i * K;
        XN_T *dzi = dz ? dz + i * K : NULL, gdot = 0;
        for (size_t k = 0; k < K; k++) {
            XN_T e = ai[k] - yi[k];
            terms[i * K + k] = (double)e * (double)e;
            if (!dzi)
                continue;
            if (act == XN_ACT_SOFTMAX) {
                dzi[k] = gscale * e;
                gdot += dzi[k] * ai[k];
            } else {
                dzi[k] = gscale * e * TF(act_deriv)(act, ai[k]);
            }
        }
        if (dzi && act == XN_ACT_SOFTMAX)
            for (size_t k = 0; k < K; k++)
                dzi[k] = ai[k] * (dzi[k] - gdot);
    }
}

/* -[y log s(z) + (1-y) log(1-s(z))] = softplus(z) - y z, delta a - y,
 * divided by the count the terms are averaged over: nK (bce) or n
 * (bce_sum).  With clip the terms are those of the probabilities a
 * clipped to [clip, 1 - clip] (xn_net_set_loss_clip); the delta is the
 * same. */
static void TF(binary_ce)(size_t n, size_t K, double count, double clip, const XN_T *A,
                          const XN_T *Z, const XN_T *y, XN_T *dz, double *terms)
{
    XN_T c = (XN_T)count;
    for (size_t i = 0; i < n * K; i++) {
        if (clip > 0.0)
            terms[i] = -(xlogy(y[i], clamp(A[i], clip)) + xlogy(1.0 - (double)y[i], 1.0 - clamp(A[i], clip)));
        else
            terms[i] = softplus((double)Z[i]) - (double)y[i] * (double)Z[i];
        if (dz)
            dz[i] = (A[i] - y[i]) / c;
    }
}

/* -sum_k y_k log a_k = lse(z) * sum_k y_k - sum_k y_k z_k; its derivative
 * is a_k sum_j y_j - y_k, which is a - y for one-hot y.  With clip the
 * terms are -y_k log(a_k clipped to [clip, 1 - clip]), one an output. */
static void TF(categorical_ce)(size_t n, size_t K, size_t total, double clip, const XN_T *A,
                               const XN_T *Z, const XN_T *y, XN_T *dz, double *terms)
{
    for (size_t i = 0; i < n; i++) {
        const XN_T *zi = Z + i * K, *yi = y + i * K, *ai = A + i * K;
        double mx = -INFINITY, se = 0.0, ys = 0.0, yz = 0.0;
        if (clip > 0.0) {
            for (size_t k = 0; k < K; k++) {
                terms[i * K + k] = -xlogy(yi[k], clamp(ai[k], clip));
                ys += yi[k];
            }
            for (size_t k = 0; dz && k < K; k++)
                dz[i * K + k] = (ai[k] * (XN_T)ys - yi[k]) / (XN_T)total;
            continue;
        }
        for (size_t k = 0; k < K; k++)
            if (zi[k] > mx)
                mx = zi[k];
        for (size_t k = 0; k < K; k++) {
            se += exp((double)zi[k] - mx);
            ys += yi[k];
            yz += (double)yi[k] * (double)zi[k];
        }
        terms[i] = (mx + log(se)) * ys - yz;
        if (dz)
            for (size_t k = 0; k < K; k++)
                dz[i * K + k] = (ai[k] * (XN_T)ys - yi[k]) / (XN_T)total;
    }
}

void TF(xn_loss_terms)(xn_loss loss, xn_act act, size_t n, size_t K, size_t total, double clip,
                       const XN_T *a, const XN_T *z, const XN_T *y, XN_T *dz, double *terms)
{
    switch (loss) {
    case XN_LOSS_MSE:
    case XN_LOSS_SSE:
        TF(squared)(loss == XN_LOSS_MSE, act, n, K, total, a, y, dz, terms);
        break;
    case XN_LOSS_BCE:
        TF(binary_ce)(n, K, (double)total * (double)K, clip, a, z, y, dz, terms);
        break;
    case XN_LOSS_BCE_SUM:
        TF(binary_ce)(n, K, (double)total, clip, a, z, y, dz, terms);
        break;
    case XN_LOSS_CCE:
        TF(categorical_ce)(n, K, total, clip, a, z, y, dz, terms);
        break;
    }
}
