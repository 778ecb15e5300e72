/* What the loop asks of the second-order solvers (src/solve/): the
 * settings of a run they cannot take, and an epoch as one of their
 * iterations over all the training rows. */
#include "fit_impl.h"
#include "src/solve/solve.h"
#include "src/util/text.h"

xn_status xn_fit_check_solver(const xn_fit_config *c, const xn_opt *opt, size_t rows, xn_error *err)
{
    xn_error_clear(err);
    if (!c || !opt)
        return xn_fail_setting(err, c ? "opt" : "config", XN_EINVAL, "no configuration or optimizer");
    if (!xn_opt_second_order(opt->kind))
        return XN_OK;
    const char *k = xn_opt_name(opt->kind);
    if (c->batch != 0 && c->batch < rows)
        return xn_fail_setting(err, "batch", XN_EINVAL,
                               "%s takes the whole training set a step: batch 0 (or at least the %zu rows), "
                               "not %zu", k, rows, c->batch);
    if (c->shuffle)
        return xn_fail_setting(err, "shuffle", XN_EINVAL, "%s takes the rows in order: shuffling does not apply",
                               k);
    if (c->schedule != XN_SCHEDULE_CONSTANT)
        return xn_fail_setting(err, "schedule", XN_EINVAL,
                               "%s chooses its own steps: a learning-rate schedule does not apply", k);
    if (c->ranks > 1)
        return xn_fail_setting(err, "ranks", XN_EINVAL, "%s runs in one process (ranks 1), not %zu", k, c->ranks);
    return XN_OK;
}

xn_status xn_fit_solver_check(xn_net *net, const xn_fit_config *c, size_t n)
{
    const char *why = xn_opt_unfit(net, &net->opt);
    if (why)
        return xn_net_fail(net, XN_EINVAL, "fit: %s", why);
    xn_error err;
    if (xn_fit_check_solver(c, &net->opt, n, &err) != XN_OK)
        return xn_net_fail(net, XN_EINVAL, "fit: %s: %s", err.setting, err.msg);
    return XN_OK;
}

xn_status xn_fit_solver_step(xn_net *net, size_t n, const double *x, const double *y, bool reuse, double *loss,
                             double *metric, xn_stop *stop, bool *stepped)
{
    xn_solve_out out;
    xn_status st = xn_solve_iterate(net, n, x, y, true, reuse, "fit", &out);
    *stop = ((const xn_solver *)net->solver)->stop;
    *stepped = st == XN_OK && out.stepped;
    *loss = out.loss;
    *metric = out.metric;
    return st;
}
