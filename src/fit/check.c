/* The rules of a training run: its configuration's (xn_fit_check, which
 * names the setting at fault) and, for xn_fit, those of the rows it trains
 * on against the network. */
#include <math.h>

#include "fit_impl.h"
#include "src/util/text.h"

xn_status xn_fit_check(const xn_fit_config *c, double lr, xn_error *err)
{
    xn_error_clear(err);
    if (!c)
        return xn_fail_setting(err, "config", XN_EINVAL, "no configuration");
    if (c->epochs == 0)
        return xn_fail_setting(err, "epochs", XN_EINVAL, "must be at least 1");
    if (c->shuffle && !c->rng)
        return xn_fail_setting(err, "rng", XN_EINVAL, "shuffling needs a random stream");
    if (!(c->val_split >= 0.0 && c->val_split < 1.0))
        return xn_fail_setting(err, "val_split", XN_EINVAL, "must be in [0, 1)");
    if (c->split < XN_SPLIT_AUTO || c->split > XN_SPLIT_LAST)
        return xn_fail_setting(err, "split", XN_EINVAL, "unknown split %d", (int)c->split);
    if (c->split_seed > 0xffffffffu)
        return xn_fail_setting(err, "split_seed", XN_EINVAL, "NumPy's stream takes seeds below 2^32");
    if (!(c->min_delta >= 0.0) || !isfinite(c->min_delta))
        return xn_fail_setting(err, "min_delta", XN_EINVAL, "must be zero or positive and finite");
    switch (c->schedule) {
    case XN_SCHEDULE_CONSTANT:
        break;
    case XN_SCHEDULE_STEP:
        if (c->lr_step == 0)
            return xn_fail_setting(err, "lr_step", XN_EINVAL, "a step schedule needs at least 1 epoch a step");
        /* fall through */
    case XN_SCHEDULE_EXPONENTIAL:
        if (!(c->lr_gamma > 0.0 && c->lr_gamma <= 1.0))
            return xn_fail_setting(err, "lr_gamma", XN_EINVAL, "the factor must be in (0, 1]");
        break;
    case XN_SCHEDULE_COSINE:
        if (!(c->lr_min >= 0.0 && c->lr_min < lr))
            return xn_fail_setting(err, "lr_min", XN_EINVAL, "the last rate must be in [0, %g), below the rate", lr);
        break;
    default:
        return xn_fail_setting(err, "schedule", XN_EINVAL, "unknown schedule %d", (int)c->schedule);
    }
    if (c->ranks > 1 && (!c->reduce || c->rank >= c->ranks))
        return xn_fail_setting(err, "ranks", XN_EINVAL, "%zu ranks need a reduce hook and a rank below them",
                               c->ranks);
    if (c->n_settings > XN_FIT_MAX_SETTINGS || (c->n_settings && !c->settings))
        return xn_fail_setting(err, "settings", XN_EINVAL, "%zu settings of the caller's, at most %d",
                               c->n_settings, XN_FIT_MAX_SETTINGS);
    for (size_t i = 0; i < c->n_settings; i++)
        if (!c->settings[i].name || (unsigned)c->settings[i].kind > XN_SETTING_FINGERPRINT)
            return xn_fail_setting(err, "settings", XN_EINVAL, "the caller's setting %zu has no name or an "
                                   "unknown kind", i);
    if (c->resume && c->resume->epoch > c->epochs)
        return xn_fail_setting(err, "epochs", XN_EINVAL, "the run to resume is at epoch %zu, past %zu",
                               c->resume->epoch, c->epochs);
    if (c->resume && !(c->resume->lr0 > 0.0 && isfinite(c->resume->lr0)))
        return xn_fail_setting(err, "resume", XN_EINVAL, "the run to resume has no valid learning rate (lr0 %g)",
                               c->resume->lr0);
    if (c->shuffle && c->reshuffle && c->resume)
        return xn_fail_setting(err, "reshuffle", XN_EINVAL, "a run that reshuffles its last order cannot "
                               "resume (the order is not in the checkpoint)");
    if (c->callback_lr && c->schedule != XN_SCHEDULE_CONSTANT)
        return xn_fail_setting(err, "callback_lr", XN_EINVAL, "the callbacks set the rate: the schedule "
                               "must be constant");
    return XN_OK;
}

xn_status xn_fit_check_rows(xn_net *net, const xn_rows *d, const xn_fit_config *c, double lr0)
{
    size_t n0 = net->sizes[0], K = net->sizes[net->L];
    if (!d || !d->x || !d->y || d->n == 0)
        return xn_net_fail(net, XN_EINVAL, "fit: no training rows");
    if (d->in != n0 || d->out != K)
        return xn_net_fail(net, XN_EDIM, "fit: the data's rows are %zu + %zu wide (inputs + targets), the network maps %zu to %zu",
                           d->in, d->out, n0, K);
    xn_error err;
    if (xn_fit_check(c, lr0, &err) != XN_OK)
        return xn_net_fail(net, XN_EINVAL, "fit: %s: %s", err.setting, err.msg);
    if (d->dtype != XN_FLOAT64 && d->dtype != net->dtype)
        return xn_net_fail(net, XN_EINVAL, "fit: %s rows need a %s network, or float64 rows",
                           xn_dtype_name(d->dtype), xn_dtype_name(d->dtype));
    /* the split, the standardization and the target loss read doubles */
    if (d->dtype != XN_FLOAT64 && ((c->val_split > 0.0 && !c->val) || c->standardize ||
                                   c->standardize_targets || c->stop_at_target))
        return xn_net_fail(net, XN_EINVAL, "fit: float32 rows are trained on as they are: a validation "
                                           "split, a standardization or a target loss needs float64 rows");
    if (c->val && (c->val->in != n0 || c->val->out != K || !c->val->x || !c->val->y || c->val->n == 0))
        return xn_net_fail(net, XN_EDIM, "fit: the validation data does not fit the network");
    size_t too_many = !xn_rows_ok(d->n, n0 + K)                       ? d->n
                      : c->val && !xn_rows_ok(c->val->n, n0 + K) ? c->val->n
                                                                  : 0;
    if (too_many)
        return xn_net_fail(net, XN_EDIM, "fit: %zu rows are more than memory can address", too_many);
    /* a checkpoint keeps the rate of its last epoch, which the base rate
     * and the schedule give again, to the bit: a run resumed under another
     * schedule, or a damaged lr0, would not be the run it continues */
    if (c->resume && c->resume->epoch > 0 && !c->callback_lr &&
        xn_schedule_lr(c, lr0, c->resume->epoch - 1) != net->opt.lr)
        return xn_net_fail(net, XN_EINVAL, "fit: resume: the run ran epoch %zu at rate %.17g, but its lr0 %.17g "
                           "and this schedule give %.17g (another schedule, or a damaged checkpoint)",
                           c->resume->epoch, net->opt.lr, lr0, xn_schedule_lr(c, lr0, c->resume->epoch - 1));
    return XN_OK;
}
