/* The optimizers: their defaults and checks, the constants of a step, and
 * the bound that proves a step finite.  The sweeps themselves, free
 * functions over flat arrays (n parameters p, their gradients g and the
 * two moments m, v), are in opt_t.h; the network (step_t.h) calls them
 * once over its whole parameter vector, or per layer when weight decay
 * must skip the biases.
 *   gd:       w -= lr (g + decay w)
 *   momentum: v = mu v - lr (g + decay w); w += v   (the classical form:
 *             w - lr g + mu * the last update)
 *   adam:     Kingma and Ba (2015), Algorithm 1, bias-corrected moments,
 *             the corrections folded into two constants:
 *             w -= (lr / c1) m / (sqrt(v) / sqrt(c2) + eps), c_i = 1 - beta_i^t;
 *             with decay, decoupled as in AdamW (Loshchilov and Hutter,
 *             2019): w (1 - lr decay) first, then the Adam step. */
#include <float.h>
#include <math.h>

#include "internal.h"
#include "src/util/text.h"

xn_opt xn_opt_default(xn_opt_kind kind)
{
    /* the learning rates of Keras' SGD and Adam */
    xn_opt o = {.kind = kind, .lr = kind == XN_OPT_ADAM ? 0.001 : 0.01, .momentum = 0.9,
                .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .weight_decay = 0.0};
    return o;
}

/* Why opt is not a valid optimizer, or NULL; *field names the field
 * checked last, the one at fault when there is one. */
static const char *invalid(const xn_opt *opt, const char **field)
{
    *field = "kind";
    if (!opt)
        return "no optimizer";
    if (opt->kind != XN_OPT_GD && opt->kind != XN_OPT_MOMENTUM && opt->kind != XN_OPT_ADAM)
        return "unknown optimizer kind";
    *field = "lr";
    if (!(opt->lr > 0.0) || !isfinite(opt->lr))
        return "the learning rate must be positive and finite";
    *field = "weight_decay";
    if (!(opt->weight_decay >= 0.0) || !isfinite(opt->weight_decay))
        return "the weight decay must be zero or positive and finite";
    *field = "momentum"; /* a field of every kind, used by one */
    if (!(opt->momentum >= 0.0 && opt->momentum < 1.0))
        return "the momentum must be in [0, 1)";
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
    xn_opt_step s = {.lr = opt->lr, .mu = opt->momentum, .decay = opt->weight_decay};
    if (opt->kind == XN_OPT_ADAM) {
        s.b1 = opt->beta1;
        s.b2 = opt->beta2;
        s.eps = opt->eps;
        s.c1 = 1.0 - pow(s.b1, (double)(t + 1));
        s.c2 = 1.0 - pow(s.b2, (double)(t + 1));
        s.step = s.lr / s.c1;
        s.rs = 1.0 / sqrt(s.c2);
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
        pn = pmax + m;
        break;
    default:
        /* |m^| / (sqrt(v^) + eps) <= |m^| / eps; eps = 0 may divide 0 by 0 */
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
