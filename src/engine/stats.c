/* Column statistics for standardization: each column's mean and standard
 * deviation over the rows (NumPy's std with ddof 0, scikit-learn's
 * StandardScaler), in two passes, and scaled where values near the largest
 * double make the plain sums overflow. */
#include <math.h>

#include "internal.h"

/* Column j of rows idx[0..n) of x (the first n for NULL idx) whose plain
 * sums overflow (values near the largest double): the mean as the sum of
 * x / n, and the deviation scaled by the largest half-deviation M,
 * 2 M sqrt(sum ((x/2 - mean/2) / M)^2 / n), whose terms cannot overflow.
 * Only such columns take this path, so every other result keeps its bits.
 * False if the deviation itself is beyond a double. */
static bool scaled_stats(size_t n, size_t k, size_t j, const double *x, const size_t *idx, double *mean,
                         double *sd)
{
    double m = 0.0, top = 0.0, s = 0.0;
#define X(i) x[(idx ? idx[i] : (i)) * k + j]
    for (size_t i = 0; i < n; i++)
        m += X(i) / (double)n;
    for (size_t i = 0; i < n; i++)
        top = fmax(top, fabs(X(i) / 2.0 - m / 2.0));
    for (size_t i = 0; top > 0.0 && i < n; i++) {
        double d = (X(i) / 2.0 - m / 2.0) / top;
        s += d * d;
    }
#undef X
    *mean = m;
    *sd = 2.0 * top * sqrt(s / (double)n);
    return isfinite(*mean) && isfinite(*sd);
}

xn_status xn_column_stats(size_t n, size_t k, const double *x, double *mean, double *sd)
{
    return xn_column_stats_rows(n, k, x, NULL, mean, sd);
}

xn_status xn_column_stats_rows(size_t n, size_t k, const double *x, const size_t *idx, double *mean, double *sd)
{
    if (!x || !mean || !sd)
        return XN_EINVAL;
    if (n == 0 || k == 0 || !xn_rows_ok(n, k))
        return XN_EDIM;
    /* two passes: the mean, then the squares of the deviations from it,
     * which loses nothing to cancellation.  Row by row, so the matrix is
     * read in order; each column still adds its rows in order. */
    for (size_t j = 0; j < k; j++)
        mean[j] = sd[j] = 0.0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < k; j++)
            mean[j] += x[(idx ? idx[i] : i) * k + j];
    for (size_t j = 0; j < k; j++)
        mean[j] /= (double)n;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < k; j++) {
            double d = x[(idx ? idx[i] : i) * k + j] - mean[j];
            sd[j] += d * d;
        }
    xn_status st = XN_OK;
    for (size_t j = 0; j < k; j++) {
        sd[j] = sqrt(sd[j] / (double)n);
        if ((!isfinite(mean[j]) || !isfinite(sd[j])) && !scaled_stats(n, k, j, x, idx, &mean[j], &sd[j]))
            st = XN_ENUMERIC;
        if (!(sd[j] > 0.0)) /* a constant column is only centred */
            sd[j] = 1.0;
    }
    return st;
}
