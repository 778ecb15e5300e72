/* The standardization a network applies to its inputs and, for
 * regression, its targets: setting and removing it (the workspace is laid
 * out again, as the rows it converts change), and the column statistics
 * it is computed from. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Sets (mean and sd given) or removes (both NULL) the standardization of
 * the inputs or of the targets, then lays the workspace out again: the
 * rows a network converts depend on it. */
static xn_status set_scale(xn_net *net, bool targets, const double *mean, const double *sd)
{
    if (!net)
        return XN_EINVAL;
    const char *what = targets ? "target standardization" : "standardization";
    size_t k = targets ? net->sizes[net->L] : net->sizes[0];
    double **pm = targets ? &net->ymean : &net->mean, **ps = targets ? &net->ysd : &net->sd;
    if (!mean != !sd)
        return xn_net_fail(net, XN_EINVAL, "%s: give both mean and sd, or neither", what);
    if (targets && mean && net->acts[net->L] != XN_ACT_IDENTITY)
        return xn_net_fail(net, XN_EINVAL, "%s: only for an identity output (regression), not %s", what,
                           xn_act_name(net->acts[net->L]));
    for (size_t j = 0; mean && j < k; j++) {
        if (!isfinite(mean[j]))
            return xn_net_fail(net, XN_EINVAL, "%s: mean %zu is not finite", what, j + 1);
        if (!(sd[j] > 0.0) || !isfinite(sd[j]))
            return xn_net_fail(net, XN_EINVAL, "%s: sd %zu must be positive and finite", what, j + 1);
    }
    double *old = *pm, *buf = NULL;
    if (mean && !old && !(buf = malloc(2 * k * sizeof *buf)))
        return xn_net_fail(net, XN_ENOMEM, "out of memory for the %s", what);
    if (!mean || !old) { /* the converted rows change: a new layout */
        *pm = mean ? buf : NULL;
        *ps = mean ? buf + k : NULL;
        size_t cap = net->cap;
        net->cap = 0;
        xn_status s = xn_net_reserve(net, cap);
        if (s != XN_OK) { /* the old workspace is still in place */
            free(buf);
            *pm = old;
            *ps = old ? old + k : NULL;
            net->cap = cap;
            return s;
        }
        if (!mean)
            free(old);
    }
    if (mean) {
        memmove(*pm, mean, k * sizeof *mean);
        memmove(*ps, sd, k * sizeof *sd);
    }
    return XN_OK;
}

xn_status xn_net_set_standardization(xn_net *net, const double *mean, const double *sd)
{
    return set_scale(net, false, mean, sd);
}

xn_status xn_net_set_target_standardization(xn_net *net, const double *mean, const double *sd)
{
    return set_scale(net, true, mean, sd);
}

const double *xn_net_target_mean(const xn_net *net) { return net ? net->ymean : NULL; }
const double *xn_net_target_sd(const xn_net *net) { return net ? net->ysd : NULL; }
const double *xn_net_input_mean(const xn_net *net) { return net ? net->mean : NULL; }
const double *xn_net_input_sd(const xn_net *net) { return net ? net->sd : NULL; }

xn_status xn_column_stats(size_t n, size_t k, const double *x, double *mean, double *sd)
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
            mean[j] += x[i * k + j];
    for (size_t j = 0; j < k; j++)
        mean[j] /= (double)n;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < k; j++) {
            double d = x[i * k + j] - mean[j];
            sd[j] += d * d;
        }
    for (size_t j = 0; j < k; j++) {
        sd[j] = sqrt(sd[j] / (double)n);
        if (!isfinite(mean[j]) || !isfinite(sd[j]))
            return XN_ENUMERIC;
        if (!(sd[j] > 0.0)) /* a constant column is only centred */
            sd[j] = 1.0;
    }
    return XN_OK;
}
