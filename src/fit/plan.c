/* The defaults xornet gives a data set (xn_plan_defaults): one place for
 * what `xornet train --data`, C callers and the examples start from. */
#include "fit_impl.h"

void xn_plan_defaults(xn_plan *p, const xn_data *d, xn_targets kind, bool has_val)
{
    size_t in = d ? d->in : 2, out = d ? d->out : 1;
    xn_act act = kind == XN_TARGETS_MULTICLASS ? XN_ACT_SOFTMAX
                 : kind == XN_TARGETS_REGRESSION ? XN_ACT_IDENTITY
                                                 : XN_ACT_SIGMOID;
    xn_loss loss = act == XN_ACT_SOFTMAX ? XN_LOSS_CCE : act == XN_ACT_SIGMOID ? XN_LOSS_BCE : XN_LOSS_MSE;
    double split = has_val || (d && d->n < 50) ? 0.0 : 0.2;
    *p = (xn_plan){.n_layers = 2, .sizes = {in, 100, out}, .acts = {XN_ACT_RELU, act}, .loss = loss,
                   .order = XN_ORDER_ROW,
                   .rng = XN_RNG_NUMPY, .opt = xn_opt_default(XN_OPT_ADAM),
                   .fit = {.epochs = 200, .batch = 32, .shuffle = true, .standardize = true,
                           .standardize_targets = kind == XN_TARGETS_REGRESSION, .val_split = split,
                           .split = XN_SPLIT_AUTO, .patience = has_val || split > 0.0 ? 20 : 0,
                           .restore_best = true}};
    xn_default_init(in, &p->init, &p->bias);
}
