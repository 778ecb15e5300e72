/* The losses: the sum of a batch's loss terms, its mean, and the output
 * delta dLoss/dZ_L that starts the backward pass.
 *
 * A batch may be taken in blocks of rows (a cache-sized block, or a shard
 * of a batch split across calls or processes): the caller carries the sum
 * from block to block, and every delta is scaled for the whole batch of
 * `total` rows, so the blocks add up to the one-call result.  Where the
 * output activation and the loss cancel (sigmoid + bce, softmax + cce) both
 * are computed from the logits Z_L: the loss is exact for any z and the
 * delta is a - y, scaled as the loss is averaged. */
#include <math.h>

#include "act.h"
#include "internal.h"

/* log(1 + exp(z)) without overflow */
static inline double softplus(double z)
{
    return (z > 0.0 ? z : 0.0) + log1p(exp(-fabs(z)));
}

/* mse = sum (a-y)^2 / (nK), sse = sum (a-y)^2 / (2n); the gradient through
 * any output activation, softmax by its Jacobian a_k (g_k - g.a). */
static double squared(bool mse, xn_act act, size_t n, size_t K, size_t total,
                      const double *A, const double *y, double *dz, double sum)
{
    double nk = (double)total * (double)K;
    double gscale = mse ? 2.0 / nk : 1.0 / (double)total;
    for (size_t i = 0; i < n; i++) {
        const double *ai = A + i * K, *yi = y + i * K;
        double *dzi = dz ? dz + i * K : NULL, gdot = 0.0;
        for (size_t k = 0; k < K; k++) {
            double e = ai[k] - yi[k];
            sum += e * e;
            if (!dzi)
                continue;
            if (act == XN_ACT_SOFTMAX) {
                dzi[k] = gscale * e;
                gdot += dzi[k] * ai[k];
            } else {
                dzi[k] = gscale * e * xn_act_deriv(act, ai[k]);
            }
        }
        if (dzi && act == XN_ACT_SOFTMAX)
            for (size_t k = 0; k < K; k++)
                dzi[k] = ai[k] * (dzi[k] - gdot);
    }
    return sum;
}

/* -[y log s(z) + (1-y) log(1-s(z))] = softplus(z) - y z, delta a - y. */
static double binary_ce(size_t n, size_t K, size_t total, const double *A,
                        const double *Z, const double *y, double *dz, double sum)
{
    double nk = (double)total * (double)K;
    for (size_t i = 0; i < n * K; i++) {
        sum += softplus(Z[i]) - y[i] * Z[i];
        if (dz)
            dz[i] = (A[i] - y[i]) / nk;
    }
    return sum;
}

/* -sum_k y_k log a_k = lse(z) * sum_k y_k - sum_k y_k z_k; its derivative
 * is a_k sum_j y_j - y_k, which is a - y for one-hot y. */
static double categorical_ce(size_t n, size_t K, size_t total, const double *A,
                             const double *Z, const double *y, double *dz, double sum)
{
    for (size_t i = 0; i < n; i++) {
        const double *zi = Z + i * K, *yi = y + i * K, *ai = A + i * K;
        double mx = -INFINITY, se = 0.0, ys = 0.0, yz = 0.0;
        for (size_t k = 0; k < K; k++)
            if (zi[k] > mx)
                mx = zi[k];
        for (size_t k = 0; k < K; k++) {
            se += exp(zi[k] - mx);
            ys += yi[k];
            yz += yi[k] * zi[k];
        }
        sum += (mx + log(se)) * ys - yz;
        if (dz)
            for (size_t k = 0; k < K; k++)
                dz[i * K + k] = (ai[k] * ys - yi[k]) / (double)total;
    }
    return sum;
}

double xn_loss_sum(xn_loss loss, xn_act act, size_t n, size_t K, size_t total,
                   const double *a, const double *z, const double *y,
                   double *dz, double sum)
{
    switch (loss) {
    case XN_LOSS_MSE:
    case XN_LOSS_SSE:
        return squared(loss == XN_LOSS_MSE, act, n, K, total, a, y, dz, sum);
    case XN_LOSS_BCE:
        return binary_ce(n, K, total, a, z, y, dz, sum);
    case XN_LOSS_CCE:
        return categorical_ce(n, K, total, a, z, y, dz, sum);
    }
    return sum;
}

/* mse and bce are means over the nK outputs, sse is half the sum over the
 * rows' mean, cce the mean over the n rows. */
double xn_loss_mean(xn_loss loss, size_t total, size_t K, double sum)
{
    double n = (double)total, nk = n * (double)K;
    switch (loss) {
    case XN_LOSS_MSE:
    case XN_LOSS_BCE:
        return sum / nk;
    case XN_LOSS_SSE:
        return sum / (2.0 * n);
    case XN_LOSS_CCE:
        break;
    }
    return sum / n;
}
