/* The optimizer's update of a network for one element type, on the
 * network's threads: the sweeps of opt_t.h over slices of the parameter
 * vector (by layers when weight decay must skip the biases), each slice
 * its own elements, so the update is the same whoever ran which slice.
 * The largest |p| and |g| come first, in one pass over both (p is not
 * taken from the sweep before: a caller, a solver or a checkpoint may have
 * changed it since): with the bounds kept on the moments they prove every new value
 * finite (or there is a NaN, an infinity or a value so large it cannot
 * tell, and then the whole update is checked first, as another sweep, and
 * refused if it would not be finite).  Included by step_t.h inside its
 * instantiation. */

#include "opt_t.h"

/* What the slices of a sweep share; part (the network's, one or two
 * doubles a slice) takes each slice's maximum or verdict. */
typedef struct {
    xn_net *net;
    const xn_opt_step *c;
    bool by_layer;       /* slices follow the layers (weight decay) */
    const XN_T *u, *w;   /* the vectors a maximum is taken of (w may be NULL) */
} TF(sweep_job);

static void TF(max_slice)(void *ctx, size_t s)
{
    const TF(sweep_job) *j = ctx;
    size_t lo, hi;
    bool decay;
    xn_update_range(j->net, false, s, &lo, &hi, &decay);
    TF(opt_absmax)(hi - lo, j->u + lo, j->w ? j->w + lo : NULL, &j->net->part[2 * s], &j->net->part[2 * s + 1]);
}

/* The largest |u[i]| and |w[i]| over the parameters (NaN if one is NaN),
 * from the slices' maxima, which no order of taking changes. */
static void TF(absmax2)(xn_net *net, const XN_T *u, const XN_T *w, double *umax, double *wmax)
{
    size_t slices = xn_update_slices(net, false);
    if (slices == 1) { /* a small network: no slices to gather */
        double unused;
        TF(opt_absmax)(net->nparams, u, w, umax, wmax ? wmax : &unused);
        return;
    }
    TF(sweep_job) j = {.net = net, .u = u, .w = w};
    xn_net_run(net, slices, TF(max_slice), &j);
    double m[2] = {0.0, 0.0};
    for (size_t s = 0; s < slices; s++)
        for (int k = 0; k < 2; k++) {
            double v = net->part[2 * s + k];
            if (!isnan(m[k]) && (isnan(v) || v > m[k]))
                m[k] = v;
        }
    *umax = m[0];
    if (wmax)
        *wmax = m[1];
}

static double TF(absmax)(xn_net *net, const void *v)
{
    double m;
    TF(absmax2)(net, v, NULL, &m, NULL);
    return m;
}

static void TF(check_slice)(void *ctx, size_t s)
{
    const TF(sweep_job) *j = ctx;
    xn_net *net = j->net;
    size_t lo, hi;
    bool decay;
    xn_update_range(net, j->by_layer, s, &lo, &hi, &decay);
    XN_T *p = net->params, *g = net->grads, *m = net->m, *v = net->v;
    net->part[s] = TF(opt_check)(net->opt.kind, j->c, decay, hi - lo, p + lo, g + lo, m + lo, v + lo);
}

/* A slice's update. */
static inline void TF(apply_slice)(void *ctx, size_t s)
{
    const TF(sweep_job) *j = ctx;
    xn_net *net = j->net;
    size_t lo = 0, hi = net->nparams;
    bool decay = false;
    if (j->by_layer || hi > XN_SLICE_PARAMS) /* else the whole vector */
        xn_update_range(net, j->by_layer, s, &lo, &hi, &decay);
    XN_T *p = net->params, *g = net->grads, *m = net->m, *v = net->v;
    TF(opt_apply)(net->opt.kind, j->c, decay, hi - lo, p + lo, g + lo, m + lo, v + lo);
}

/* The sweep that stores. */
static void TF(apply)(xn_net *net, TF(sweep_job) *j, size_t slices)
{
    xn_net_run(net, slices, TF(apply_slice), j);
}

static bool TF(update)(xn_net *net)
{
    const xn_opt *o = &net->opt;
    xn_opt_step c = xn_opt_step_for(o, net->opt_t);
    bool decay = o->weight_decay > 0.0;
    TF(sweep_job) j = {.net = net, .c = &c, .by_layer = decay};
    size_t slices = xn_update_slices(net, decay);
    double pmax, gmax;
    TF(absmax2)(net, net->params, net->grads, &pmax, &gmax);
    if (!xn_opt_safe(o->kind, &c, decay, XN_T_MAX, pmax, gmax, &net->mbound, &net->vbound)) {
        xn_net_run(net, slices, TF(check_slice), &j);
        for (size_t s = 0; s < slices; s++)
            if (net->part[s] == 0.0)
                return false;
        TF(apply)(net, &j, slices);
        /* measured: beyond what a bound proves */
        TF(absmax2)(net, net->m, net->v, &net->mbound, &net->vbound);
        return true;
    }
    TF(apply)(net, &j, slices);
    return true;
}
