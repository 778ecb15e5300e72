/* What a network computes for one element type: forward, backward, the
 * accumulated gradient of a batch's rows and the optimizer's update, and
 * the conversions between the caller's doubles and the network's type.
 * Included by step.c once per type; step.c keeps the public calls, which
 * check their arguments and dispatch on the network's type
 * (xn_net->engine).  The workspace and parameters are the network's type;
 * a float network rounds its inputs and targets to float on the way in
 * (standardized in double first) and its outputs widen on the way out. */

#include "opt_t.h"

static bool TF(fused)(const xn_net *net) { return net->kernel != XN_KERNEL_NAIVE; }

/* The network's buffers as the type. */
#define W(l) ((XN_T *)net->params + net->woff[l])
#define B(l) ((XN_T *)net->params + net->boff[l])
#define A(l) ((XN_T *)net->a[l])

/* Forward pass of x (n, n0), n <= cap: the hidden activations land in the
 * workspace, the output activations in aL (n, nL) and the output logits in
 * zL (n, nL).  With the fused kernels, a layer followed by a width-1 layer
 * also does that layer's product in its activation pass. */
static void TF(forward)(xn_net *net, size_t n, const void *xv, void *aLv, void *zLv)
{
    size_t L = net->L;
    const XN_T *in = xv;
    XN_T *aL = aLv, *zL = zLv;
    bool product_done = false; /* z_l was computed by layer l-1's pass */
    for (size_t l = 1; l <= L; l++) {
        size_t fi = net->sizes[l - 1], fo = net->sizes[l];
        XN_T *z = l == L ? zL : A(l), *a = l == L ? aL : A(l);
        if (!product_done)
            TF(xn_kernels_pick)(net->kernel, n, fi, fo)->fwd(n, fi, fo, in, W(l), z);
        product_done = l < L && net->sizes[l + 1] == 1 && TF(fused)(net);
        if (product_done) /* hidden activations in place; z_{l+1} too */
            TF(xn_dense_bias_act_dot)(n, fo, net->acts[l], a, B(l), W(l + 1), l + 1 == L ? zL : A(l + 1));
        else
            TF(xn_dense_bias_act)(n, fo, net->acts[l], z, B(l), a, l == L);
        in = a;
    }
}

/* Backward pass of rows x (n, n0) whose output delta dZ_L is in delta[0]:
 * the last layer's bias gradient, then each layer from the last down, its
 * weight gradient and the delta it passes to the layer before.  With
 * `first` the gradients are overwritten, else added to. */
static void TF(backward)(xn_net *net, size_t n, const XN_T *x, bool first)
{
    size_t L = net->L;
    XN_T *dz = net->delta[0], *dzp = net->delta[1], *grads = net->grads;
    TF(xn_dense_colsum)(n, net->sizes[L], dz, grads + net->boff[L], first);
    for (size_t l = L; l >= 1; l--) {
        size_t fi = net->sizes[l - 1], fo = net->sizes[l];
        const XN_T *in = l > 1 ? A(l - 1) : x, *w = W(l);
        XN_T *dw = grads + net->woff[l];
        XN_T *dbp = l > 1 ? grads + net->boff[l - 1] : NULL;
        if (l > 1 && fo == 1 && TF(fused)(net)) {
            TF(xn_dense_narrow_backward)(n, fi, net->acts[l - 1], in, dz, w, dw, dzp, dbp, first);
        } else {
            const TF(xn_kernels) *k = TF(xn_kernels_pick)(net->kernel, n, fi, fo);
            (first ? k->dw : k->dwacc)(n, fi, fo, in, dz, dw);
            if (l > 1) {
                k->dx(n, fi, fo, dz, w, dzp);
                TF(xn_dense_deriv_colsum)(n, fi, net->acts[l - 1], in, dzp, dbp, first);
            }
        }
        XN_T *t = dz;
        dz = dzp;
        dzp = t;
    }
}

/* Rows idx[0..m) of the caller's x (., k) (doubles, or the type's own
 * with XN_SRC_OWN), or rows 0..m-1 when idx is NULL, into out (m, k) of
 * the type: (x - mean) / sd in double unless mean is NULL, then rounded to
 * the type. */
static void TF(rows_in)(size_t m, size_t k, const void *xv, xn_src src, const size_t *idx,
                        const double *mean, const double *sd, void *outv)
{
    XN_T *out = outv;
    for (size_t i = 0; i < m; i++) {
        size_t r = (idx ? idx[i] : i) * k;
        XN_T *dst = out + i * k;
        /* rows of the type as they are (doubles into a double network) */
        if (src == XN_SRC_OWN || XN_DTYPE == XN_FLOAT64) {
            const XN_T *s = (const XN_T *)xv + r;
            if (mean)
                for (size_t j = 0; j < k; j++)
                    dst[j] = (XN_T)(((double)s[j] - mean[j]) / sd[j]);
            else
                memcpy(dst, s, k * sizeof *dst);
            continue;
        }
        const double *s = (const double *)xv + r;
        if (mean)
            for (size_t j = 0; j < k; j++)
                dst[j] = (XN_T)((s[j] - mean[j]) / sd[j]);
        else
            for (size_t j = 0; j < k; j++)
                dst[j] = (XN_T)s[j];
    }
}

/* The caller's rows x (m, k) as the network takes them: the caller's own
 * memory where they are in the type and need no standardization, else
 * converted into the workspace buffer ws (m <= cap). */
static const XN_T *TF(rows_as)(size_t m, size_t k, const void *x, xn_src src, const double *mean,
                               const double *sd, void *ws)
{
    if (!ws || (src == XN_SRC_OWN && !mean))
        return x;
    TF(rows_in)(m, k, x, src, NULL, mean, sd, ws);
    return ws;
}

/* Input rows x (m, n0) as the first layer takes them. */
static const XN_T *TF(inputs)(xn_net *net, size_t m, const void *x, xn_src src)
{
    return TF(rows_as)(m, net->sizes[0], x, src, net->mean, net->sd, net->xs);
}

/* Targets y (m, nL) in the type and, for a network that standardizes its
 * targets, standardized, the same way. */
static const XN_T *TF(targets)(xn_net *net, size_t m, const void *y, xn_src src)
{
    return TF(rows_as)(m, net->sizes[net->L], y, src, net->ymean, net->ysd, net->ys);
}

/* Where row r of the caller's rows v (., k) starts. */
static const void *TF(row_at)(const void *v, xn_src src, size_t r, size_t k)
{
    return src == XN_SRC_DOUBLE ? (const void *)((const double *)v + r * k) : (const void *)((const XN_T *)v + r * k);
}

static void TF(to_double)(size_t n, const void *v, double *out)
{
    const XN_T *t = v;
    for (size_t i = 0; i < n; i++)
        out[i] = t[i];
}

/* The gradient of rows of a batch of `total` rows (xn_net_accumulate_rows)
 * from x and y as src says. */
static double TF(accumulate)(xn_net *net, size_t n, const void *x, const void *y, size_t total,
                             double sum, xn_src src, size_t nb)
{
    size_t n0 = net->sizes[0], K = net->sizes[net->L];
    bool ready = src == XN_SRC_READY;
    for (size_t r0 = 0; r0 < n; r0 += nb) {
        size_t m = n - r0 < nb ? n - r0 : nb;
        const void *xr = TF(row_at)(x, src, r0, n0), *yr = TF(row_at)(y, src, r0, K);
        const XN_T *xb = ready ? xr : TF(inputs)(net, m, xr, src);
        const XN_T *yb = ready ? yr : TF(targets)(net, m, yr, src);
        XN_T *aL = (XN_T *)net->a[net->L] + r0 * K, *zL = (XN_T *)net->zout + r0 * K;
        TF(forward)(net, m, xb, aL, zL);
        sum = TF(xn_loss_sum)(net->loss, net->acts[net->L], m, K, total, net->clip, aL, zL, yb,
                              net->delta[0], sum);
        TF(backward)(net, m, xb, net->grads_fresh);
        net->grads_fresh = false;
    }
    return sum;
}

/* The loss terms of the caller's rows x, y (m <= cap) added to sum; their
 * outputs stay in the workspace. */
static double TF(loss_rows)(xn_net *net, size_t m, const void *x, const void *y, xn_src src,
                            size_t total, double sum)
{
    size_t K = net->sizes[net->L];
    TF(forward)(net, m, TF(inputs)(net, m, x, src), net->a[net->L], net->zout);
    return TF(xn_loss_sum)(net->loss, net->acts[net->L], m, K, total, net->clip, net->a[net->L], net->zout,
                           TF(targets)(net, m, y, src), NULL, sum);
}

static size_t TF(count_right)(size_t m, size_t K, const void *a, const void *y)
{
    return TF(xn_count_right)(m, K, a, y);
}

static double TF(sq_err)(size_t n, const void *a, const void *y)
{
    return TF(xn_sq_err)(n, a, y);
}

/* The optimizer's update (xn_net_apply_update): one sweep, after a light
 * pass that finds the largest |p| and |g|: with the bounds kept on the
 * moments, they prove every new value finite (or there is a NaN, an
 * infinity or a value so large it cannot tell, and then the whole update
 * is checked first, as a second sweep, and refused if it would not be
 * finite).  Weight decay skips the biases, so it goes layer by layer;
 * without it the parameters are one vector. */
static void TF(sweep)(xn_net *net, const xn_opt_step *c, bool check, bool *ok)
{
    const xn_opt *o = &net->opt;
    XN_T *p = net->params, *g = net->grads, *m = net->m, *v = net->v;
    if (o->weight_decay == 0.0) {
        if (check)
            *ok = TF(opt_check)(o->kind, c, false, net->nparams, p, g, m, v);
        else
            TF(opt_apply)(o->kind, c, false, net->nparams, p, g, m, v);
        return;
    }
    for (size_t l = 1; l <= net->L && (!check || *ok); l++) {
        size_t w = net->woff[l], b = net->boff[l], nw = b - w, nb = net->sizes[l];
        if (check) {
            *ok = TF(opt_check)(o->kind, c, true, nw, p + w, g + w, m + w, v + w) &&
                  TF(opt_check)(o->kind, c, false, nb, p + b, g + b, m + b, v + b);
        } else {
            TF(opt_apply)(o->kind, c, true, nw, p + w, g + w, m + w, v + w);
            TF(opt_apply)(o->kind, c, false, nb, p + b, g + b, m + b, v + b);
        }
    }
}

static bool TF(update)(xn_net *net)
{
    const xn_opt *o = &net->opt;
    xn_opt_step c = xn_opt_step_for(o, net->opt_t);
    size_t P = net->nparams;
    double pmax = TF(opt_absmax)(P, net->params), gmax = TF(opt_absmax)(P, net->grads);
    bool ok = true;
    if (xn_opt_safe(o->kind, &c, o->weight_decay > 0.0, XN_T_MAX, pmax, gmax, &net->mbound, &net->vbound)) {
        TF(sweep)(net, &c, false, &ok);
        return true;
    }
    TF(sweep)(net, &c, true, &ok);
    if (!ok)
        return false;
    TF(sweep)(net, &c, false, &ok);
    net->mbound = TF(opt_absmax)(P, net->m); /* measured: beyond what a bound proves */
    net->vbound = TF(opt_absmax)(P, net->v);
    return true;
}

static double TF(absmax)(size_t n, const void *v) { return TF(opt_absmax)(n, v); }

/* xn_net_penalty's pass: dW_l += c W_l, and the squares of the weights
 * added up in double, as the loss terms are, in 8 running sums (one sum
 * would wait on the adder at every weight; 8 vectorize), always in the
 * same order. */
XN_CLONES static double TF(penalty_pass)(size_t n, const XN_T *restrict p, XN_T *restrict g, XN_T c)
{
    double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t k = 0;
    for (; k + 8 <= n; k += 8)
        for (int j = 0; j < 8; j++) {
            s[j] += (double)p[k + j] * (double)p[k + j];
            g[k + j] += c * p[k + j];
        }
    for (; k < n; k++) {
        s[0] += (double)p[k] * (double)p[k];
        g[k] += c * p[k];
    }
    return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

static double TF(penalty)(xn_net *net, double c)
{
    XN_T *p = net->params, *g = net->grads;
    double ss = 0.0;
    for (size_t l = 1; l <= net->L; l++)
        ss += TF(penalty_pass)(net->boff[l] - net->woff[l], p + net->woff[l], g + net->woff[l], (XN_T)c);
    return ss;
}

#undef W
#undef B
#undef A

const xn_engine TF(xn_engine) = {
    .dtype = XN_DTYPE,
    .size = sizeof(XN_T),
    .forward = TF(forward),
    .accumulate = TF(accumulate),
    .loss_rows = TF(loss_rows),
    .rows_in = TF(rows_in),
    .to_double = TF(to_double),
    .count_right = TF(count_right),
    .sq_err = TF(sq_err),
    .update = TF(update),
    .absmax = TF(absmax),
    .penalty = TF(penalty),
};
