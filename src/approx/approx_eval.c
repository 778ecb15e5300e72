/* Evaluating a fitted network: as the piecewise-linear function it is, by
 * one sweep over sorted points (O(m + n)), or by the engine's forward pass
 * (O(m n), what `xornet predict` computes).
 *
 * A 1 -> n -> 1 network with relu hidden units and an identity output is
 * NN(x) = b2 + sum_j v_j relu(w_j x + c_j): continuous, linear between the
 * kinks t_j = -c_j / w_j.  Crossing t_j to the right changes the slope by
 * v_j |w_j| (a unit with w_j > 0 switches on, one with w_j < 0 off).  The
 * value at each kink follows from the one before, V_{i+1} = V_i +
 * S_{i+1} (t_{i+1} - t_i), with the slopes and the values summed with
 * compensation (Neumaier's variant of Kahan's summation, and the product's
 * rounding error by fma), so the error does not grow with the number of
 * kinks.  Then NN(x) = V_i + S (x - t_i) on x's piece.  And the residuals of a fit at its samples. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "approx_impl.h"
#include "src/util/search.h"

/* ---- compensated sums -------------------------------------------------- */

/* s + c holds a sum; adding x keeps the rounding error of s + x in c. */
typedef struct {
    double s, c;
} csum;

static void csum_add(csum *a, double x)
{
    double t = a->s + x;
    if (fabs(a->s) >= fabs(x))
        a->c += (a->s - t) + x;
    else
        a->c += (x - t) + a->s;
    a->s = t;
}

static double csum_get(const csum *a)
{
    return a->s + a->c;
}

/* a += p * q, with the product's rounding error kept too. */
static void csum_add_product(csum *a, double p, double q)
{
    double pq = p * q;
    csum_add(a, pq);
    if (isfinite(pq))
        a->c += fma(p, q, -pq);
}

/* ---- the piecewise-linear form ------------------------------------------- */

typedef struct {
    double t, delta; /* kink and slope change */
} kink;

static int kink_cmp(const void *pa, const void *pb)
{
    const kink *a = pa, *b = pb;
    return (a->t > b->t) - (a->t < b->t);
}

void xn_approx_pwl_free(xn_approx_pwl *p)
{
    free(p->t);
    free(p->v);
    free(p->s);
    memset(p, 0, sizeof *p);
}

xn_status xn_approx_pwl_make(xn_net *net, xn_approx_pwl *p)
{
    memset(p, 0, sizeof *p);
    if (xn_net_layers(net) != 2 || xn_net_size(net, 0) != 1 || xn_net_size(net, 2) != 1 ||
        xn_net_act(net, 1) != XN_ACT_RELU || xn_net_act(net, 2) != XN_ACT_IDENTITY)
        return XN_EDIM;
    /* the parameters as doubles, of a float64 or a float32 network:
     * W1 (1, n), b1 (n), W2 (n, 1), b2 (1) */
    size_t n = xn_net_size(net, 1);
    double *params = malloc((3 * n + 1) * sizeof *params);
    kink *ks = malloc((n + 1) * sizeof *ks);
    xn_status st = params && ks ? xn_net_get_params(net, params) : XN_ENOMEM;
    if (st != XN_OK) {
        free(params);
        free(ks);
        return st;
    }
    const double *w = params, *c = params + n, *v = params + 2 * n;
    double b2 = params[3 * n];
    /* units whose kink is finite; the others are on or off everywhere */
    size_t k = 0;
    bool sorted = true;
    for (size_t j = 0; j < n; j++) {
        double t = w[j] != 0.0 ? -c[j] / w[j] : NAN;
        if (isfinite(t)) {
            ks[k] = (kink){t, v[j] * fabs(w[j])};
            sorted = sorted && (k == 0 || ks[k - 1].t <= t);
            k++;
        }
    }
    if (!sorted)
        qsort(ks, k, sizeof *ks, kink_cmp);
    if (k == 0)
        ks[k++] = (kink){0.0, 0.0}; /* a linear function: any anchor will do */
    p->k = k;
    p->t = malloc(k * sizeof *p->t);
    p->v = malloc(k * sizeof *p->v);
    p->s = malloc((k + 1) * sizeof *p->s);
    if (!p->t || !p->v || !p->s) {
        free(params);
        free(ks);
        xn_approx_pwl_free(p);
        return XN_ENOMEM;
    }
    /* value and slope at and left of the first kink: the units active
     * there are those with w < 0 (and any that are on everywhere) */
    double t0 = ks[0].t;
    csum val = {b2, 0.0}, slope = {0.0, 0.0};
    for (size_t j = 0; j < n; j++) {
        double z = w[j] * t0 + c[j], t = w[j] != 0.0 ? -c[j] / w[j] : NAN;
        bool left_active = w[j] < 0.0 ? isfinite(t) || z > 0.0 : !isfinite(t) && z > 0.0;
        if (left_active) {
            csum_add_product(&val, v[j], z);
            csum_add_product(&slope, v[j], w[j]);
        }
    }
    p->s[0] = csum_get(&slope);
    csum_add(&slope, ks[0].delta);
    p->v[0] = csum_get(&val);
    for (size_t i = 1; i < k; i++) {
        double s = csum_get(&slope);
        p->s[i] = s;
        csum_add_product(&val, s, ks[i].t - ks[i - 1].t);
        p->v[i] = csum_get(&val);
        csum_add(&slope, ks[i].delta);
    }
    p->s[k] = csum_get(&slope);
    for (size_t i = 0; i < k; i++)
        p->t[i] = ks[i].t;
    free(params);
    free(ks);
    return XN_OK;
}

/* The number of kinks <= x, knowing that the first `hint` are <= x:
 * galloping from hint, so increasing x cost O(1) amortized each. */
static size_t count_forward(const double *t, size_t k, double x, size_t hint)
{
    size_t lo = hint, step = 1;
    while (lo < k && t[lo] <= x) {
        size_t next = lo + step < k ? lo + step : k;
        if (t[next - 1] <= x) {
            lo = next;
            step *= 2;
            continue;
        }
        return xn_upper_bound(t, lo + 1, next - 1, x); /* t[lo] <= x < t[next - 1] */
    }
    return lo;
}

void xn_approx_pwl_eval(const xn_approx_pwl *p, size_t m, const double *x, double *y)
{
    size_t at = 0; /* kinks <= the previous x */
    for (size_t i = 0; i < m; i++) {
        double xi = x[i];
        if (isnan(xi)) {
            y[i] = NAN;
            continue;
        }
        if (at > 0 && p->t[at - 1] > xi)
            at = 0; /* x went back: search from the start */
        at = count_forward(p->t, p->k, xi, at);
        size_t a = at ? at - 1 : 0; /* the kink anchoring x's piece */
        double s = p->s[at];
        y[i] = s == 0.0 ? p->v[a] : p->v[a] + s * (xi - p->t[a]);
    }
}

xn_status xn_approx_eval(xn_net *net, size_t m, const double *x, double *y)
{
    if (!net || (m && (!x || !y)))
        return XN_EINVAL;
    xn_approx_pwl p;
    xn_status s = xn_approx_pwl_make(net, &p);
    if (s != XN_OK)
        return s;
    xn_approx_pwl_eval(&p, m, x, y);
    xn_approx_pwl_free(&p);
    return XN_OK;
}

xn_status xn_approx_errors(xn_net *net, xn_approx_callback fn, void *ctx, double a, double b,
                           size_t g, double *max, double *rms)
{
    if (!net || !fn || !max || !rms || !isfinite(a) || !isfinite(b) || !(a <= b))
        return XN_EINVAL;
    if (g < 2)
        return XN_EDIM;
    enum { BLOCK = 4096 };
    double x[BLOCK], y[BLOCK];
    xn_approx_pwl p;
    xn_status s = xn_approx_pwl_make(net, &p);
    if (s != XN_OK)
        return s;
    xn_approx_acc acc = {0};
    double step = (b - a) / (double)(g - 1);
    for (size_t k0 = 0; k0 < g && s == XN_OK; k0 += BLOCK) {
        size_t q = g - k0 < BLOCK ? g - k0 : BLOCK;
        for (size_t i = 0; i < q; i++)
            x[i] = k0 + i + 1 == g ? b : a + (double)(k0 + i) * step;
        xn_approx_pwl_eval(&p, q, x, y);
        for (size_t i = 0; i < q; i++) {
            double f = fn(x[i], ctx);
            if (!isfinite(f)) {
                s = XN_ENUMERIC;
                break;
            }
            xn_approx_acc_add(&acc, y[i] - f);
        }
    }
    xn_approx_pwl_free(&p);
    *max = s == XN_OK ? xn_approx_acc_max(&acc) : NAN;
    *rms = s == XN_OK ? xn_approx_acc_rms(&acc) : NAN;
    return s;
}

/* ---- the forward pass -------------------------------------------------- */

/* Rows per forward call: about 2^20 hidden activations at a time. */
static size_t chunk_rows(size_t hidden)
{
    size_t rows = ((size_t)1 << 20) / (hidden ? hidden : 1);
    return rows ? rows : 1;
}

xn_status xn_approx_predict(xn_net *net, size_t m, const double *x, double *y)
{
    if (!net || !x || !y)
        return XN_EINVAL;
    if (m == 0 || xn_net_layers(net) < 1 || xn_net_size(net, 0) != 1 ||
        xn_net_size(net, xn_net_layers(net)) != 1)
        return XN_EDIM;
    size_t widest = 1;
    for (size_t l = 1; l <= xn_net_layers(net); l++)
        if (xn_net_size(net, l) > widest)
            widest = xn_net_size(net, l);
    size_t chunk = chunk_rows(widest);
    for (size_t i = 0; i < m; i += chunk) {
        size_t rows = m - i < chunk ? m - i : chunk;
        xn_status s = xn_net_predict(net, rows, x + i, y + i);
        if (s != XN_OK)
            return s;
    }
    return XN_OK;
}

xn_status xn_approx_residuals(xn_net *net, const double *xs, const double *fs, size_t m, xn_approx_info *info)
{
    /* at the sorted samples: one sweep, O(m + n) */
    xn_approx_pwl p;
    double *y = malloc(m * sizeof *y);
    xn_status s = y ? xn_approx_pwl_make(net, &p) : XN_ENOMEM;
    if (s == XN_OK) {
        xn_approx_pwl_eval(&p, m, xs, y);
        xn_approx_pwl_free(&p);
        xn_approx_acc acc = {0};
        for (size_t i = 0; i < m; i++)
            xn_approx_acc_add(&acc, y[i] - fs[i]);
        info->resid_max = xn_approx_acc_max(&acc);
        info->resid_rms = xn_approx_acc_rms(&acc);
    } else {
        xn_approx_info_msg(info, "out of memory for the residuals");
    }
    free(y);
    return s;
}
