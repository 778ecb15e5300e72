/* The standardization a network applies to its inputs and, for
 * regression, its targets: setting and removing it (the workspace is laid
 * out again, as the rows it converts change).  The column statistics it
 * is computed from are stats.c's. */
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
