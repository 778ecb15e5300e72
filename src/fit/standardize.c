/* The standardization a run sets from its training rows (xn_fit's
 * `standardize`): the columns' statistics, and the refusal of a value no
 * standardized double can hold, naming its row. */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "fit_impl.h"

/* The row of v (., k), of rows idx[0..n) (the first n for NULL idx),
 * whose value in column j is furthest from the column's mean m. */
static size_t furthest(size_t n, size_t k, size_t j, const double *v, const size_t *idx, double m)
{
    size_t at = idx ? idx[0] : 0;
    for (size_t r = 1; r < n; r++) {
        size_t i = idx ? idx[r] : r;
        if (fabs(v[i * k + j] / 2.0 - m / 2.0) > fabs(v[at * k + j] / 2.0 - m / 2.0))
            at = i;
    }
    return at;
}

/* The network's standardization of its inputs (or targets) from the
 * training rows of v: idx[0..n), or the first n.  A value further from
 * its column's mean than a double holds cannot be standardized: refused
 * (the data's fault, not a divergence), its row of v, + 1, in *row. */
xn_status xn_fit_standardize(xn_net *net, size_t n, size_t k, const double *v, const size_t *idx, bool targets,
                             size_t *row)
{
    double *ms = malloc(2 * k * sizeof *ms);
    if (!ms)
        return xn_net_fail(net, XN_ENOMEM, "fit: out of memory");
    xn_status st = xn_column_stats_rows(n, k, v, idx, ms, ms + k);
    /* some |x - mean| > DBL_MAX needs sum (x - mean)^2 > DBL_MAX^2, so sd
     * sqrt(n) > DBL_MAX: only such columns are looked at row by row */
    for (size_t j = 0; (st == XN_OK || st == XN_ENUMERIC) && j < k; j++) {
        if (isfinite(ms[k + j]) && !(ms[k + j] > DBL_MAX / sqrt((double)n)))
            continue;
        size_t i = furthest(n, k, j, v, idx, ms[j]);
        if (isfinite(ms[k + j]) && isfinite(v[i * k + j] - ms[j]))
            continue;
        *row = i + 1;
        st = xn_net_fail(net, XN_EINVAL, "fit: %s column %zu cannot be standardized: %g is further from the "
                         "column's mean than a double holds; scale the data", targets ? "target" : "input", j + 1,
                         v[i * k + j]);
    }
    if (st == XN_OK)
        st = targets ? xn_net_set_target_standardization(net, ms, ms + k)
                     : xn_net_set_standardization(net, ms, ms + k);
    free(ms);
    return st;
}
