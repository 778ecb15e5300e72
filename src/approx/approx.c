/* Function approximation by a one-hidden-layer ReLU network:
 * NN(x) = sum_j lambda_j relu(x - b_j).  This file holds what every fit
 * shares: messages, error statistics, sorting and validation of samples,
 * and the network with its extrapolation outside the fitted range and its
 * residuals.  The fits are in approx_interp.c (interpolation),
 * approx_lsq.c (least squares), approx_gcv.c (the knot count by GCV) and
 * approx_adapt.c (adaptive refinement); evaluation in approx_eval.c, the
 * built-in functions in approx_fn.c, the sample reader in samples.c. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "approx_impl.h"
#include "src/util/text.h"

#define info_msg xn_approx_info_msg
#define info_reset xn_approx_info_reset

/* ---- sorting and validation -------------------------------------------- */

typedef struct {
    double x, f;
    size_t pos; /* 0-based input position: ties keep input order */
} sample;

static int sample_cmp(const void *pa, const void *pb)
{
    const sample *a = pa, *b = pb;
    if (a->x != b->x)
        return a->x < b->x ? -1 : 1;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

xn_status xn_approx_sorted_copy(const double *x, const double *f, size_t m,
                                bool distinct, double **xs, double **fs,
                                xn_approx_info *info)
{
    *xs = *fs = NULL;
    for (size_t i = 0; i < m; i++)
        if (!isfinite(x[i]) || !isfinite(f[i])) {
            if (info)
                info->where[0] = i + 1;
            info_msg(info, "sample %zu is not finite: x = %g, f = %g", i + 1, x[i], f[i]);
            return XN_ENUMERIC;
        }
    size_t bytes;
    if (!xn_mul_ok(m, sizeof(sample), &bytes))
        return XN_ENOMEM;
    sample *s = malloc(bytes);
    double *a = malloc(m * sizeof *a), *b = malloc(m * sizeof *b);
    if (!s || !a || !b) {
        free(s);
        free(a);
        free(b);
        info_msg(info, "out of memory for %zu samples", m);
        return XN_ENOMEM;
    }
    for (size_t i = 0; i < m; i++)
        s[i] = (sample){x[i], f[i], i};
    qsort(s, m, sizeof *s, sample_cmp);
    for (size_t i = 0; i < m; i++) {
        if (distinct && i > 0 && s[i].x == s[i - 1].x) {
            if (info) {
                info->where[0] = s[i - 1].pos + 1;
                info->where[1] = s[i].pos + 1;
            }
            info_msg(info, "repeated x = %.15g (samples %zu and %zu); interpolation "
                     "needs distinct x", s[i].x, s[i - 1].pos + 1, s[i].pos + 1);
            free(s);
            free(a);
            free(b);
            return XN_EINVAL;
        }
        a[i] = s[i].x;
        b[i] = s[i].f;
    }
    free(s);
    *xs = a;
    *fs = b;
    return XN_OK;
}

/* lambda must be finite, and so must the forward pass over the samples:
 * every partial sum of lambda_j (x - b_j) there is at most
 * sum |lambda_j| * span, span = x_max - b_1, so that bound being finite
 * rules out inf - inf = NaN (conservative, O(n)). */
xn_status xn_approx_check_lambda(const double *lambda, size_t n, double span,
                                 xn_approx_info *info)
{
    double sum = 0.0;
    for (size_t j = 0; j < n; j++) {
        if (!isfinite(lambda[j])) {
            info_msg(info, "lambda_%zu is not finite: the samples' slopes overflow", j + 1);
            return XN_ENUMERIC;
        }
        sum += fabs(lambda[j]);
    }
    if (!isfinite(sum * span)) {
        info_msg(info, "the network's values overflow: f is too close to the range "
                 "of doubles for these x");
        return XN_ENUMERIC;
    }
    return XN_OK;
}

/* ---- the network ------------------------------------------------------- */

/* A 1 -> n -> 1 relu/identity network with hidden unit j computing
 * relu(w_j x + c_j) (w (n), c (n)), output weights v (n) and bias b2. */
static xn_status make_net(size_t n, const double *w, const double *c, const double *v,
                          double b2, xn_net **out)
{
    size_t sizes[3] = {1, n, 1};
    xn_act acts[2] = {XN_ACT_RELU, XN_ACT_IDENTITY};
    xn_net_config cfg = {.n_layers = 2, .sizes = sizes, .acts = acts, .loss = XN_LOSS_MSE};
    xn_net *net;
    xn_status s = xn_net_create(&net, &cfg);
    if (s != XN_OK)
        return s;
    double *w1 = xn_net_weights(net, 1), *b1 = xn_net_bias(net, 1); /* (1, n), (n) */
    double *w2 = xn_net_weights(net, 2), *b2v = xn_net_bias(net, 2); /* (n, 1), (1) */
    for (size_t j = 0; j < n; j++) {
        w1[j] = w ? w[j] : 1.0;
        b1[j] = c[j];
        w2[j] = v[j];
    }
    b2v[0] = b2;
    *out = net;
    return XN_OK;
}

xn_status xn_approx_net(const double *b, const double *lambda, size_t n,
                        xn_net **out)
{
    if (!out)
        return XN_EINVAL;
    *out = NULL;
    if (!b || !lambda)
        return XN_EINVAL;
    if (n == 0)
        return XN_EDIM;
    double *c = malloc(n * sizeof *c);
    if (!c)
        return XN_ENOMEM;
    for (size_t j = 0; j < n; j++)
        c[j] = -b[j]; /* z = 1*x + (-b_j) rounds exactly as x - b_j */
    xn_status s = make_net(n, NULL, c, lambda, 0.0, out);
    free(c);
    return s;
}

/* The bare network rewritten to extrapolate linearly or constantly outside
 * [lo, hi].  On [lo, hi] the bare NN is V + S_lo (x - lo) + sum over the
 * inner knots (lo < b_j < hi) of lambda_j relu(x - b_j), with V = NN(lo) =
 * sum_{b_j < lo} lambda_j (lo - b_j) and S_lo = sum_{b_j <= lo} lambda_j.
 * With b2 = V and a unit S_lo relu(x - lo), the function is V left of lo;
 *   linear:   one more unit -S_lo relu(lo - x) (W1 = -1) continues the
 *             first piece to the left; right of hi it is linear already;
 *   constant: one more unit -S_hi relu(x - hi), S_hi the last slope,
 *             flattens the right. */
typedef struct {
    double *w, *c, *v; /* (units) W1, b1, W2 of the hidden units so far */
    size_t count;
} units;

static void unit_add(units *u, double w, double c, double v)
{
    u->w[u->count] = w;
    u->c[u->count] = c;
    u->v[u->count++] = v;
}

static xn_status extrapolating_net(const double *b, const double *lambda, size_t n,
                                   double lo, double hi, xn_approx_extrap e, xn_net **out)
{
    size_t inner = 0;
    double v0 = 0.0, s_lo = 0.0;
    for (size_t j = 0; j < n; j++) {
        if (b[j] < lo)
            v0 += lambda[j] * (lo - b[j]);
        if (b[j] <= lo)
            s_lo += lambda[j];
        else if (b[j] < hi)
            inner++;
    }
    units u = {malloc((inner + 2) * sizeof(double)), malloc((inner + 2) * sizeof(double)),
               malloc((inner + 2) * sizeof(double)), 0};
    xn_status s = XN_ENOMEM;
    if (u.w && u.c && u.v) {
        if (e == XN_EXTRAP_LINEAR)
            unit_add(&u, -1.0, lo, -s_lo); /* -s_lo relu(lo - x) */
        unit_add(&u, 1.0, -lo, s_lo);
        double s_hi = s_lo;
        for (size_t j = 0; j < n; j++)
            if (b[j] > lo && b[j] < hi) {
                unit_add(&u, 1.0, -b[j], lambda[j]);
                s_hi += lambda[j];
            }
        if (e == XN_EXTRAP_CONSTANT)
            unit_add(&u, 1.0, -hi, -s_hi);
        s = make_net(u.count, u.w, u.c, u.v, v0, out);
    }
    free(u.w);
    free(u.c);
    free(u.v);
    return s;
}

xn_status xn_approx_fitted_net(const double *b, const double *lambda, size_t n,
                               double lo, double hi, xn_approx_extrap extrap,
                               const double *xs, const double *fs, size_t m,
                               xn_net **out, xn_approx_info *info)
{
    *out = NULL;
    if (info) {
        info->lo = lo;
        info->hi = hi;
    }
    xn_status s = extrap == XN_EXTRAP_BARE ? xn_approx_net(b, lambda, n, out)
                                           : extrapolating_net(b, lambda, n, lo, hi, extrap, out);
    if (s != XN_OK) {
        info_msg(info, "cannot build the network: %s", xn_strerror(s));
        return s;
    }
    if (info)
        info->n = xn_net_size(*out, 1);
    if (!info || m == 0)
        return XN_OK;
    s = xn_approx_residuals(*out, xs, fs, m, info);
    if (s != XN_OK) {
        xn_net_destroy(*out);
        *out = NULL;
    }
    return s;
}
