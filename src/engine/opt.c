/* The optimizers: their defaults and checks, the constants of a step, and
 * the bound that proves a step finite.  The sweeps themselves, free
 * functions over flat arrays (n parameters p, their gradients g and the
 * two moments m, v), are in opt_t.h; the network (step_t.h) calls them
 * once over its whole parameter vector, or per layer when weight decay
 * must skip the biases.
 *   gd:       w -= lr (g + decay w)
 *   momentum: v = mu v - lr (g + decay w); w += v   (the classical form:
 *             w - lr g + mu * the last update); with nesterov
 *             w += mu v - lr (g + decay w), the step taken from where the
 *             new velocity leads (Sutskever et al. 2013, eq. 7, in the
 *             variables of Bengio et al. 2013, as scikit-learn writes it)
 *   adam:     Kingma and Ba (2015), Algorithm 1, bias-corrected moments,
 *             the corrections folded into two constants:
 *             w -= (lr / c1) m / (sqrt(v) / sqrt(c2) + eps), c_i = 1 - beta_i^t;
 *             with eps_raw the form at the end of their section 2, eps
 *             outside the correction: w -= (lr sqrt(c2) / c1) m / (sqrt(v) + eps),
 *             the step computed as scikit-learn computes its rate;
 *             with decay, decoupled as in AdamW (Loshchilov and Hutter,
 *             2019): w (1 - lr decay) first, then the Adam step.
 * The l2 penalty is not the optimizer's work: it is in the gradient
 * (step.c) by the time an update reads it.  lm and lbfgs take no step from
 * a gradient: their iterations are in src/solve/; here are their defaults
 * and checks.  Last, the optimizer a network carries: setting it, its
 * rate, and its moments in and out. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "src/util/text.h"

xn_opt xn_opt_default(xn_opt_kind kind)
{
    /* the learning rates of Keras' SGD and Adam */
    xn_opt o = {.kind = kind, .lr = kind == XN_OPT_ADAM ? 0.001 : 0.01, .momentum = 0.9,
                .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .weight_decay = 0.0,
                .nesterov = false, .eps_raw = false, .l2 = 0.0};
    /* The solvers' settings go into every kind's defaults, so an optimizer
     * whose kind is changed afterwards still holds valid ones.  lm: MATLAB's
     * trainlm (mu, its factors, mu_max, and min_grad as gtol); lbfgs: SciPy's
     * L-BFGS-B (maxcor, maxls, gtol, ftol, maxfun). */
    bool lm = kind == XN_OPT_LM;
    if (xn_opt_second_order(kind))
        o.lr = 1.0;
    o.mu = 1e-3;
    o.mu_dec = 0.1;
    o.mu_inc = 10.0;
    o.mu_max = 1e10;
    o.lm_max_bytes = (size_t)1 << 30;
    o.memory = 10;
    o.max_line_search = 20;
    o.gtol = lm ? 1e-7 : 1e-5;
    o.ftol = lm ? 0.0 : 2.220446049250313e-9;
    o.max_evals = 15000;
    return o;
}

/* Why the second-order solvers' settings are not valid, or NULL; *field
 * as in invalid(). */
static const char *solver_invalid(const xn_opt *opt, const char **field)
{
    *field = "gtol";
    if (!(opt->gtol >= 0.0) || !isfinite(opt->gtol))
        return "gtol must be zero or positive and finite";
    *field = "ftol";
    if (!(opt->ftol >= 0.0) || !isfinite(opt->ftol))
        return "ftol must be zero or positive and finite";
    *field = "max_evals";
    if (opt->max_evals == 0)
        return "max_evals must be at least 1";
    if (opt->kind == XN_OPT_LBFGS) {
        *field = "memory";
        if (opt->memory == 0)
            return "lbfgs' memory must be at least 1 pair";
        *field = "max_line_search";
        return opt->max_line_search == 0 ? "lbfgs' max_line_search must be at least 1" : NULL;
    }
    *field = "mu";
    if (!(opt->mu > 0.0) || !isfinite(opt->mu))
        return "lm's mu must be positive and finite";
    *field = "mu_dec";
    if (!(opt->mu_dec > 0.0 && opt->mu_dec < 1.0))
        return "lm's mu_dec must be in (0, 1)";
    *field = "mu_inc";
    if (!(opt->mu_inc > 1.0) || !isfinite(opt->mu_inc))
        return "lm's mu_inc must be above 1 and finite";
    *field = "mu_max";
    return !(opt->mu_max > opt->mu) || !isfinite(opt->mu_max) ? "lm's mu_max must be above mu and finite"
                                                              : NULL;
}

const char *xn_opt_unfit(const xn_net *net, const xn_opt *opt)
{
    const char *why = xn_opt_invalid(opt, NULL);
    if (why || !xn_opt_second_order(opt->kind))
        return why;
    if (net->dtype != XN_FLOAT64)
        return opt->kind == XN_OPT_LM
                   ? "lm needs a float64 network: it squares the Jacobian, which float32 rounds away"
                   : "lbfgs needs a float64 network: it differences gradients, which float32 rounds away";
    if (opt->kind == XN_OPT_LM && net->loss != XN_LOSS_MSE && net->loss != XN_LOSS_SSE)
        return net->loss == XN_LOSS_BCE   ? "lm minimizes a sum of squares: loss mse or sse, not bce (lbfgs takes any loss)"
               : net->loss == XN_LOSS_CCE ? "lm minimizes a sum of squares: loss mse or sse, not cce (lbfgs takes any loss)"
                                          : "lm minimizes a sum of squares: loss mse or sse, not bce_sum (lbfgs takes "
                                            "any loss)";
    return NULL;
}

/* Why opt is not a valid optimizer, or NULL; *field names the field
 * checked last, the one at fault when there is one. */
static const char *invalid(const xn_opt *opt, const char **field)
{
    *field = "kind";
    if (!opt)
        return "no optimizer";
    if (opt->kind < XN_OPT_GD || opt->kind > XN_OPT_LBFGS)
        return "unknown optimizer kind";
    *field = "lr";
    if (!(opt->lr > 0.0) || !isfinite(opt->lr))
        return "the learning rate must be positive and finite";
    *field = "weight_decay";
    if (!(opt->weight_decay >= 0.0) || !isfinite(opt->weight_decay))
        return "the weight decay must be zero or positive and finite";
    *field = "l2";
    if (!(opt->l2 >= 0.0) || !isfinite(opt->l2))
        return "the l2 penalty must be zero or positive and finite";
    *field = "momentum"; /* a field of every kind, used by one */
    if (!(opt->momentum >= 0.0 && opt->momentum < 1.0))
        return "the momentum must be in [0, 1)";
    if (xn_opt_second_order(opt->kind)) {
        *field = "l2";
        if (opt->l2 != 0.0)
            return "lm and lbfgs take their L2 penalty as weight_decay (decay/2 ||W||^2 of the objective), not l2";
        return solver_invalid(opt, field);
    }
    if (opt->kind != XN_OPT_ADAM)
        return NULL;
    *field = "beta1";
    if (!(opt->beta1 >= 0.0 && opt->beta1 < 1.0))
        return "Adam's beta1 must be in [0, 1)";
    *field = "beta2";
    if (!(opt->beta2 >= 0.0 && opt->beta2 < 1.0))
        return "Adam's beta2 must be in [0, 1)";
    *field = "eps";
    if (!(opt->eps >= 0.0) || !isfinite(opt->eps))
        return "Adam's eps must be zero or positive and finite";
    return NULL;
}

const char *xn_opt_invalid(const xn_opt *opt, const char **setting)
{
    const char *field, *why = invalid(opt, &field);
    if (setting)
        *setting = why ? field : "";
    return why;
}

xn_status xn_opt_check(const xn_opt *opt, xn_error *err)
{
    const char *setting, *why = xn_opt_invalid(opt, &setting);
    xn_error_clear(err);
    return why ? xn_fail_setting(err, setting, XN_EINVAL, "%s", why) : XN_OK;
}

xn_opt_step xn_opt_step_for(const xn_opt *opt, uint64_t t)
{
    xn_opt_step s = {.lr = opt->lr, .mu = opt->momentum, .decay = opt->weight_decay,
                     .nesterov = opt->kind == XN_OPT_MOMENTUM && opt->nesterov};
    if (opt->kind == XN_OPT_ADAM) {
        s.b1 = opt->beta1;
        s.b2 = opt->beta2;
        s.eps = opt->eps;
        s.c1 = 1.0 - pow(s.b1, (double)(t + 1));
        s.c2 = 1.0 - pow(s.b2, (double)(t + 1));
        /* raw: scikit-learn's lr * sqrt(1 - b2^t) / (1 - b1^t), in its order */
        s.step = opt->eps_raw ? s.lr * sqrt(s.c2) / s.c1 : s.lr / s.c1;
        s.rs = opt->eps_raw ? 1.0 : 1.0 / sqrt(s.c2);
    }
    return s;
}


/* The moments' bounds after an update with |g| <= gmax, |p| <= pmax. */
static void next_bounds(xn_opt_kind kind, const xn_opt_step *s, bool decay, double pmax, double gmax,
                        double *mb, double *vb)
{
    double geff = gmax + (decay ? s->decay * pmax : 0.0);
    if (kind == XN_OPT_MOMENTUM)
        *mb = s->mu * *mb + s->lr * geff;
    else if (kind == XN_OPT_ADAM) {
        /* convex combinations: no larger than the larger of the two */
        *mb = s->b1 * *mb + (1.0 - s->b1) * gmax;
        *vb = s->b2 * *vb + (1.0 - s->b2) * gmax * gmax;
    }
}

bool xn_opt_safe(xn_opt_kind kind, const xn_opt_step *s, bool decay, double top, double pmax,
                 double gmax, double *mb, double *vb)
{
    /* every bound must stay under SAFE, far from the type's largest value
     * top, so the rounding of the bounds themselves never matters */
    const double SAFE = top / 16.0;
    if (!(pmax < SAFE && gmax < sqrt(SAFE) / 2.0))
        return false; /* also a NaN or infinity among them */
    double m = *mb, v = *vb, pn;
    next_bounds(kind, s, decay, pmax, gmax, &m, &v);
    switch (kind) {
    case XN_OPT_GD:
        pn = pmax + s->lr * (gmax + (decay ? s->decay * pmax : 0.0));
        break;
    case XN_OPT_MOMENTUM:
        /* nesterov: |mu v - lr g| <= mu |v| + lr |g| */
        pn = pmax + (s->nesterov ? s->mu * m + s->lr * (gmax + (decay ? s->decay * pmax : 0.0)) : m);
        break;
    default:
        /* |m^| / (sqrt(v^) + eps) <= |m^| / eps; eps = 0 may divide 0 by 0.
         * eps_raw's step lr sqrt(c2) / c1 is at most lr / c1: the same bound */
        if (!(s->eps > 0.0))
            return false;
        pn = pmax * (decay ? 1.0 + s->lr * s->decay : 1.0) + s->lr * (m / s->c1) / s->eps;
        break;
    }
    if (!(pn < SAFE && m < SAFE && v < SAFE))
        return false;
    *mb = m;
    *vb = v;
    return true;
}

/* ---- the optimizer the network carries --------------------------------- */

void xn_net_reset_opt(xn_net *net)
{
    if (!net)
        return;
    if (net->train)
        memset(net->m, 0, 2 * net->nparams * net->engine->size);
    net->opt_t = 0;
    net->mbound = net->vbound = 0.0;
    free(net->solver); /* lm and lbfgs start afresh at their next iteration */
    free(net->solver_ws);
    net->solver = net->solver_ws = NULL;
    net->solver_bytes = net->solver_ws_bytes = 0;
}

xn_status xn_net_set_opt(xn_net *net, const xn_opt *opt)
{
    if (!net)
        return XN_EINVAL;
    const char *why = xn_opt_unfit(net, opt);
    if (why)
        return xn_net_fail(net, XN_EINVAL, "optimizer: %s", why);
    net->opt = *opt;
    xn_net_reset_opt(net);
    return XN_OK;
}

xn_opt xn_net_opt(const xn_net *net) { return net ? net->opt : xn_opt_default(XN_OPT_GD); }

xn_status xn_net_set_lr(xn_net *net, double lr)
{
    if (!net)
        return XN_EINVAL;
    xn_opt o = net->opt;
    o.lr = lr;
    const char *why = xn_opt_invalid(&o, NULL);
    if (why)
        return xn_net_fail(net, XN_EINVAL, "optimizer: %s", why);
    net->opt.lr = lr;
    return XN_OK;
}

/* The moments live in the training state, after the gradients: m then v. */
xn_status xn_net_get_moments(const xn_net *net, double *m, double *v, uint64_t *steps)
{
    if (!net || !m || !v || !steps)
        return XN_EINVAL;
    xn_status s = xn_net_copy_out(net, net->m, m);
    if (s == XN_OK)
        s = xn_net_copy_out(net, net->v, v);
    if (s == XN_OK)
        *steps = net->opt_t;
    return s;
}

xn_status xn_net_set_moments(xn_net *net, const double *m, const double *v, uint64_t steps)
{
    if (!net || !m || !v)
        return XN_EINVAL;
    xn_status s = xn_net_need_training(net);
    for (size_t i = 0; s == XN_OK && i < net->nparams; i++)
        if (!(v[i] >= 0.0))
            s = xn_net_fail(net, XN_EINVAL, "set_moments: v %zu is negative or NaN", i + 1);
    if (s != XN_OK)
        return s;
    /* both checked before either is written: all or nothing */
    size_t bytes = 2 * net->nparams * net->engine->size;
    void *old = malloc(bytes);
    if (!old)
        return xn_net_fail(net, XN_ENOMEM, "set_moments: out of memory");
    memcpy(old, net->m, bytes);
    if ((s = xn_net_copy_in(net, net->m, m, "moments")) != XN_OK ||
        (s = xn_net_copy_in(net, net->v, v, "moments")) != XN_OK) {
        memcpy(net->m, old, bytes);
        free(old);
        return s;
    }
    free(old);
    net->opt_t = steps;
    net->mbound = net->engine->absmax(net, net->m);
    net->vbound = net->engine->absmax(net, net->v);
    return XN_OK;
}
