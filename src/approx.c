/* Function approximation by a one-hidden-layer ReLU network (seed 004,
 * Task 7): NN(x) = sum_j lambda_j relu(x - b_j), fitted to samples by
 * interpolation (a lower-triangular solve with LAPACKE_dtrtrs, or its O(n)
 * closed form) or by least squares (LAPACKE_dgels, dgelsd when the system
 * is rank-deficient); the built-in test functions; and the strict "x,f"
 * sample reader.
 *
 * Closed form.  NN is zero left of b_1, continuous and piecewise linear with
 * slope sum_{k<=j} lambda_k on (b_j, b_{j+1}).  With interpolation knots
 * b_1 = x_1 - (x_2 - x_1), b_j = x_{j-1}, the segment (b_i, x_i) joins
 * (b_i, f_{i-1}) to (x_i, f_i) (f_0 = 0 at b_1), so its slope is
 * s_i = (f_i - f_{i-1}) / (x_i - b_i) and lambda_i = s_i - s_{i-1}, s_0 = 0:
 * the slope changes.  Row i of A lambda = f is the same statement, which is
 * why forward substitution and the closed form agree. */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lapacke.h>

#include "internal.h"
#include "text.h"
#include "xornet/approx.h"

/* ---- messages ---------------------------------------------------------- */

static void info_reset(xn_approx_info *info)
{
    if (info)
        memset(info, 0, sizeof *info);
}

static void info_msg(xn_approx_info *info, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void info_msg(xn_approx_info *info, const char *fmt, ...)
{
    if (!info)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(info->msg, sizeof info->msg, fmt, ap);
    va_end(ap);
}

/* ---- names ------------------------------------------------------------- */

static const char *const method_names[] = {"auto", "lapacke", "closed"};
static const char *const fn_names[] = {"sin", "cos", "exp", "abs", "runge", "sqrt", "tanh"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *xn_approx_method_name(xn_approx_method m)
{
    return xn_name_of(method_names, COUNT(method_names), (int)m);
}

xn_status xn_approx_method_parse(const char *name, xn_approx_method *out)
{
    int v;
    if (!out || xn_name_parse(method_names, COUNT(method_names), name, &v) != XN_OK)
        return XN_EINVAL;
    *out = (xn_approx_method)v;
    return XN_OK;
}

const char *xn_approx_fn_name(xn_approx_fn fn)
{
    return xn_name_of(fn_names, COUNT(fn_names), (int)fn);
}

xn_status xn_approx_fn_parse(const char *name, xn_approx_fn *out)
{
    int v;
    if (!out || xn_name_parse(fn_names, COUNT(fn_names), name, &v) != XN_OK)
        return XN_EINVAL;
    *out = (xn_approx_fn)v;
    return XN_OK;
}

/* ---- built-in functions ------------------------------------------------ */

double xn_approx_fn_eval(xn_approx_fn fn, double x)
{
    switch (fn) {
    case XN_FN_SIN:
        return sin(x);
    case XN_FN_COS:
        return cos(x);
    case XN_FN_EXP:
        return exp(x);
    case XN_FN_ABS:
        return fabs(x);
    case XN_FN_RUNGE:
        return 1.0 / (1.0 + 25.0 * x * x);
    case XN_FN_SQRT:
        return x >= 0.0 ? sqrt(x) : NAN;
    case XN_FN_TANH:
        return tanh(x);
    default:
        return NAN;
    }
}

xn_status xn_approx_fn_sample(xn_approx_fn fn, double a, double b, size_t n,
                              double *x, double *f, xn_error *err)
{
    if (err) {
        err->line = 0;
        err->msg[0] = '\0';
    }
    if (!x || !f || fn < XN_FN_SIN || fn > XN_FN_TANH)
        return xn_fail(err, 0, XN_EINVAL, "bad argument");
    if (n < 2)
        return xn_fail(err, 0, XN_EDIM, "need at least 2 samples, got %zu", n);
    if (!isfinite(a) || !isfinite(b) || !(a < b) || !isfinite(b - a))
        return xn_fail(err, 0, XN_EINVAL,
                       "need finite a < b with b - a finite, got a = %g, b = %g", a, b);
    double step = (b - a) / (double)(n - 1);
    for (size_t i = 0; i < n; i++) {
        /* the last point is b itself, not a sum carrying rounding */
        x[i] = i + 1 == n ? b : a + (double)i * step;
        f[i] = xn_approx_fn_eval(fn, x[i]);
        if (!isfinite(f[i]))
            return xn_fail(err, 0, XN_ENUMERIC, "%s is not finite at x = %.17g (sample %zu)",
                           fn_names[fn], x[i], i + 1);
    }
    return XN_OK;
}

/* ---- the network ------------------------------------------------------- */

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
    size_t sizes[3] = {1, n, 1};
    xn_act acts[2] = {XN_ACT_RELU, XN_ACT_IDENTITY};
    xn_net_config cfg = {.n_layers = 2, .sizes = sizes, .acts = acts, .loss = XN_LOSS_MSE};
    xn_net *net;
    xn_status s = xn_net_create(&net, &cfg);
    if (s != XN_OK)
        return s;
    double *w1 = xn_net_weights(net, 1), *b1 = xn_net_bias(net, 1); /* (1, n), (n) */
    double *w2 = xn_net_weights(net, 2), *b2 = xn_net_bias(net, 2); /* (n, 1), (1) */
    for (size_t j = 0; j < n; j++) {
        w1[j] = 1.0;
        /* z = 1*x + (-b_j) rounds exactly as x - b_j */
        b1[j] = -b[j];
        w2[j] = lambda[j];
    }
    b2[0] = 0.0;
    *out = net;
    return XN_OK;
}

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

/* info->resid_max and resid_rms of net over the samples x (m), f (m). */
static xn_status residuals(xn_net *net, const double *x, const double *f,
                           size_t m, xn_approx_info *info)
{
    if (!info)
        return XN_OK;
    double *y = malloc(m * sizeof *y);
    if (!y)
        return XN_ENOMEM;
    xn_status s = xn_approx_predict(net, m, x, y);
    if (s == XN_OK) {
        double mx = 0.0, ss = 0.0;
        for (size_t i = 0; i < m; i++) {
            double r = fabs(y[i] - f[i]);
            if (!(r <= mx)) /* NaN propagates as the maximum */
                mx = r;
        }
        /* squares of r / max cannot overflow where r near 1e308 would */
        for (size_t i = 0; i < m && mx > 0.0 && isfinite(mx); i++)
            ss += (fabs(y[i] - f[i]) / mx) * (fabs(y[i] - f[i]) / mx);
        info->resid_max = mx;
        info->resid_rms = mx > 0.0 && isfinite(mx) ? mx * sqrt(ss / (double)m) : mx;
    }
    free(y);
    return s;
}

/* The network of knots b (n) and weights lambda (n) into *out, with its
 * residuals at the m samples (xs, fs) in info; *out is NULL on failure. */
static xn_status fitted_net(const double *b, const double *lambda, size_t n,
                            const double *xs, const double *fs, size_t m,
                            xn_net **out, xn_approx_info *info)
{
    xn_status s = xn_approx_net(b, lambda, n, out);
    if (s == XN_OK && (s = residuals(*out, xs, fs, m, info)) != XN_OK) {
        xn_net_destroy(*out);
        *out = NULL;
    }
    return s;
}

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

/* Copies x (m), f (m) into new arrays *xs, *fs sorted by x, after checking
 * every value is finite.  With distinct, a repeated x is XN_EINVAL. */
static xn_status sorted_copy(const double *x, const double *f, size_t m,
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
static xn_status check_lambda(const double *lambda, size_t n, double span,
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

/* ---- interpolation ----------------------------------------------------- */

/* Forward substitution by LAPACKE_dtrtrs on A (n, n) column-major, lower,
 * A_ij = x_i - b_j for j <= i (positive there), 0 above the diagonal. */
static xn_status solve_dtrtrs(const double *x, const double *f, size_t n,
                              const double *b, double *lambda, xn_approx_info *info)
{
    size_t nn;
    if (n > INT_MAX || !xn_mul_ok(n, n, &nn) || nn > XN_APPROX_MAX_DENSE) {
        info_msg(info, "n = %zu is too large for the dense LAPACKE solve "
                 "(at most %zu doubles); use the closed form", n, XN_APPROX_MAX_DENSE);
        return XN_ENOMEM;
    }
    double *a = calloc(nn, sizeof *a); /* (n, n) column-major */
    if (!a) {
        info_msg(info, "out of memory for the %zu x %zu matrix", n, n);
        return XN_ENOMEM;
    }
    for (size_t j = 0; j < n; j++)
        for (size_t i = j; i < n; i++)
            a[j * n + i] = x[i] - b[j];
    memcpy(lambda, f, n * sizeof *lambda);
    lapack_int ni = (lapack_int)n;
    lapack_int r = LAPACKE_dtrtrs(LAPACK_COL_MAJOR, 'L', 'N', 'N', ni, 1, a, ni, lambda, ni);
    free(a);
    if (r < 0) {
        info_msg(info, "LAPACKE_dtrtrs: argument %d is invalid", (int)-r);
        return XN_EINVAL;
    }
    if (r > 0) {
        info_msg(info, "LAPACKE_dtrtrs: A(%d,%d) is zero: the system is singular", (int)r, (int)r);
        return XN_ESINGULAR;
    }
    return XN_OK;
}

xn_status xn_approx_interp_solve(const double *x, const double *f, size_t n,
                                 xn_approx_method method, double *b,
                                 double *lambda, xn_approx_info *info)
{
    info_reset(info);
    if (!x || !f || !b || !lambda || method < XN_APPROX_AUTO || method > XN_APPROX_CLOSED) {
        info_msg(info, "bad argument");
        return XN_EINVAL;
    }
    if (info) {
        info->m = info->n = info->rank = n;
        info->method = method == XN_APPROX_AUTO ? XN_APPROX_CLOSED : method;
        info->solver = info->method == XN_APPROX_CLOSED ? "closed form" : "dtrtrs";
    }
    if (n < 2) {
        info_msg(info, "interpolation needs at least 2 samples, got %zu", n);
        return XN_EDIM;
    }
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(f[i])) {
            if (info)
                info->where[0] = i + 1;
            info_msg(info, "sample %zu is not finite: x = %g, f = %g", i + 1, x[i], f[i]);
            return XN_ENUMERIC;
        }
        if (i > 0 && !(x[i] > x[i - 1])) {
            if (info) {
                info->where[0] = i;
                info->where[1] = i + 1;
            }
            info_msg(info, "x is not strictly increasing at samples %zu and %zu "
                     "(%.17g, %.17g)", i, i + 1, x[i - 1], x[i]);
            return XN_EINVAL;
        }
    }
    b[0] = x[0] - (x[1] - x[0]);
    for (size_t j = 1; j < n; j++)
        b[j] = x[j - 1];
    /* every A_ij is at most x_n - b_1: finite here means finite everywhere */
    if (!isfinite(b[0]) || !isfinite(x[n - 1] - b[0])) {
        info_msg(info, "the x range [%g, %g] is too wide to represent", x[0], x[n - 1]);
        return XN_ENUMERIC;
    }
    xn_status s = XN_OK;
    if (method == XN_APPROX_LAPACKE) {
        s = solve_dtrtrs(x, f, n, b, lambda, info);
    } else {
        double prev_f = 0.0, prev_s = 0.0;
        for (size_t i = 0; i < n; i++) {
            /* x_i - b_i is the diagonal A_ii, rounded as the matrix has it */
            double slope = (f[i] - prev_f) / (x[i] - b[i]);
            lambda[i] = slope - prev_s;
            prev_s = slope;
            prev_f = f[i];
        }
    }
    return s != XN_OK ? s : check_lambda(lambda, n, x[n - 1] - b[0], info);
}

xn_status xn_approx_interp(const double *x, const double *f, size_t n,
                           const xn_approx_opts *opts, xn_net **out,
                           xn_approx_info *info)
{
    info_reset(info);
    if (out)
        *out = NULL;
    xn_approx_method method = opts ? opts->method : XN_APPROX_AUTO;
    if (!x || !f || !out || method < XN_APPROX_AUTO || method > XN_APPROX_CLOSED) {
        info_msg(info, "bad argument");
        return XN_EINVAL;
    }
    if (n < 2) {
        if (info)
            info->m = info->n = n;
        info_msg(info, "interpolation needs at least 2 samples, got %zu", n);
        return XN_EDIM;
    }
    double *xs, *fs, *b = NULL, *lambda = NULL;
    xn_status s = sorted_copy(x, f, n, true, &xs, &fs, info);
    if (s != XN_OK)
        return s;
    b = malloc(n * sizeof *b);
    lambda = malloc(n * sizeof *lambda);
    if (!b || !lambda) {
        s = XN_ENOMEM;
        info_msg(info, "out of memory for %zu knots", n);
        goto done;
    }
    s = xn_approx_interp_solve(xs, fs, n, method, b, lambda, info);
    if (s == XN_OK)
        s = fitted_net(b, lambda, n, xs, fs, n, out, info);
done:
    free(xs);
    free(fs);
    free(b);
    free(lambda);
    return s;
}

/* ---- least squares ----------------------------------------------------- */

/* A (m, n) column-major, A_ik = max(0, x_i - b_k) * scale_k, with scale_k
 * 1 / ||column k|| (computed on the first call, when fill_scale). */
static void lsq_matrix(const double *x, size_t m, const double *b, size_t n,
                       double *scale, bool fill_scale, double *a)
{
    for (size_t k = 0; k < n; k++) {
        double *col = a + k * m, big = 0.0;
        for (size_t i = 0; i < m; i++) {
            double v = x[i] - b[k];
            col[i] = v > 0.0 ? v : 0.0;
            if (col[i] > big)
                big = col[i];
        }
        if (fill_scale) {
            /* the norm through col/big cannot overflow for a wide x range */
            double ss = 0.0;
            for (size_t i = 0; i < m && big > 0.0; i++)
                ss += (col[i] / big) * (col[i] / big);
            double norm = big * sqrt(ss);
            scale[k] = norm > 0.0 && isfinite(1.0 / norm) ? 1.0 / norm : 1.0;
        }
        for (size_t i = 0; i < m; i++)
            col[i] *= scale[k];
    }
}

static size_t count_distinct(const double *xs, size_t m)
{
    size_t d = m ? 1 : 0;
    for (size_t i = 1; i < m; i++)
        d += xs[i] != xs[i - 1];
    return d;
}

xn_status xn_approx_lsq(const double *x, const double *f, size_t m,
                        size_t n, const xn_approx_opts *opts,
                        xn_net **out, xn_approx_info *info)
{
    info_reset(info);
    if (out)
        *out = NULL;
    if (!x || !f || !out || (opts && !(opts->rcond >= 0.0 && opts->rcond < 1.0))) {
        info_msg(info, "bad argument");
        return XN_EINVAL;
    }
    if (info) {
        info->m = m;
        info->n = n;
        info->method = XN_APPROX_LAPACKE;
        info->solver = "dgels";
    }
    if (n < 2 || m < n) {
        info_msg(info, "least squares needs at least 2 knots and at least as many "
                 "samples as knots, got %zu samples for %zu knots", m, n);
        return XN_EDIM;
    }
    size_t mn;
    if (m > INT_MAX || !xn_mul_ok(m, n, &mn) || mn > XN_APPROX_MAX_DENSE) {
        info_msg(info, "%zu samples x %zu knots is over the dense limit of %zu doubles",
                 m, n, XN_APPROX_MAX_DENSE);
        return XN_ENOMEM;
    }
    double tol = opts && opts->rcond > 0.0 ? opts->rcond : XN_APPROX_RCOND;
    bool min_norm = opts && opts->min_norm;
    double *xs, *fs, *b = NULL, *lambda = NULL, *scale = NULL, *a = NULL, *rhs = NULL;
    xn_status s = sorted_copy(x, f, m, false, &xs, &fs, info);
    if (s != XN_OK)
        return s;
    double lo = xs[0], hi = xs[m - 1], h = (hi - lo) / (double)(n - 1);
    if (lo == hi) {
        s = XN_ESINGULAR;
        info_msg(info, "all %zu samples have x = %.17g; least squares needs at least "
                 "2 distinct x", m, lo);
        goto done;
    }
    /* every A_ik is at most hi - b_1 = (hi - lo) + h: an inf there would
     * reach LAPACK, whose dgelsd does not return on it */
    if (!isfinite(hi - lo) || !isfinite(lo - h) || !isfinite(hi - (lo - h))) {
        s = XN_ENUMERIC;
        info_msg(info, "the x range [%g, %g] is too wide to represent", lo, hi);
        goto done;
    }
    b = malloc(n * sizeof *b);
    lambda = malloc(n * sizeof *lambda);
    scale = malloc(n * sizeof *scale);
    a = malloc(mn * sizeof *a);
    rhs = malloc(m * sizeof *rhs);
    if (!b || !lambda || !scale || !a || !rhs) {
        s = XN_ENOMEM;
        info_msg(info, "out of memory for the %zu x %zu matrix", m, n);
        goto done;
    }
    for (size_t k = 0; k < n; k++)
        b[k] = lo + ((double)k - 1.0) * h; /* b_j = x_min + (j - 2) h, j = k + 1 */
    lsq_matrix(xs, m, b, n, scale, true, a);
    memcpy(rhs, fs, m * sizeof *rhs);
    lapack_int mi = (lapack_int)m, ni = (lapack_int)n;
    lapack_int r = LAPACKE_dgels(LAPACK_COL_MAJOR, 'N', mi, ni, 1, a, mi, rhs, mi);
    if (r < 0) {
        s = XN_EINVAL;
        info_msg(info, "LAPACKE_dgels: argument %d is invalid", (int)-r);
        goto done;
    }
    double rc = 0.0;
    if (r == 0) {
        /* a scaled column set makes the estimate independent of units */
        lapack_int rr = LAPACKE_dtrcon(LAPACK_COL_MAJOR, '1', 'U', 'N', ni, a, mi, &rc);
        if (rr != 0) {
            s = XN_EINVAL;
            info_msg(info, "LAPACKE_dtrcon: argument %d is invalid", (int)-rr);
            goto done;
        }
    }
    if (info)
        info->rcond = rc;
    if (r > 0 || !(rc >= tol)) {
        /* rank-deficient: dgelsd finds the rank and the minimum-norm fit */
        double *sv = malloc(n * sizeof *sv);
        if (!sv) {
            s = XN_ENOMEM;
            goto done;
        }
        lsq_matrix(xs, m, b, n, scale, false, a);
        memcpy(rhs, fs, m * sizeof *rhs);
        lapack_int rank = 0;
        r = LAPACKE_dgelsd(LAPACK_COL_MAJOR, mi, ni, 1, a, mi, rhs, mi, sv, tol, &rank);
        free(sv);
        if (r != 0) {
            s = r < 0 ? XN_EINVAL : XN_ESINGULAR;
            info_msg(info, "LAPACKE_dgelsd: %s", r < 0 ? "an argument is invalid"
                                                       : "the SVD did not converge");
            goto done;
        }
        size_t distinct = count_distinct(xs, m);
        if (info) {
            info->solver = "dgelsd";
            info->rank = (size_t)rank;
        }
        if (!min_norm) {
            s = XN_ESINGULAR;
            info_msg(info, "rank-deficient least squares: rank %zu of %zu knots "
                     "(%zu distinct x, reciprocal condition %.1e); use fewer knots "
                     "or accept the minimum-norm fit", (size_t)rank, n, distinct, rc);
            goto done;
        }
        info_msg(info, "rank-deficient least squares: rank %zu of %zu knots (%zu "
                 "distinct x); minimum-norm fit from dgelsd", (size_t)rank, n, distinct);
    } else if (info) {
        info->rank = n;
    }
    for (size_t k = 0; k < n; k++)
        lambda[k] = rhs[k] * scale[k]; /* A S y = f with lambda = S y */
    s = check_lambda(lambda, n, hi - b[0], info);
    if (s == XN_OK)
        s = fitted_net(b, lambda, n, xs, fs, m, out, info);
done:
    free(xs);
    free(fs);
    free(b);
    free(lambda);
    free(scale);
    free(a);
    free(rhs);
    return s;
}

/* ---- samples from text ------------------------------------------------- */

/* The samples read so far: x (cap), f (cap) and, when wanted, line (cap). */
typedef struct {
    double *x, *f;
    size_t *line; /* NULL when the caller does not ask for lines */
    size_t count, cap;
    bool lines;
} sample_vec;

static bool sample_push(sample_vec *v, double x, double f, size_t line)
{
    if (v->count == v->cap) {
        size_t cap = v->cap ? v->cap : 64, bytes;
        if ((v->cap && !xn_mul_ok(v->cap, 2, &cap)) || !xn_mul_ok(cap, sizeof(double), &bytes) ||
            !xn_mul_ok(cap, sizeof(size_t), &bytes))
            return false;
        /* each array is kept as soon as it has grown, so nothing leaks */
        double *nx = realloc(v->x, cap * sizeof *nx);
        if (!nx)
            return false;
        v->x = nx;
        double *nf = realloc(v->f, cap * sizeof *nf);
        if (!nf)
            return false;
        v->f = nf;
        if (v->lines) {
            size_t *nl = realloc(v->line, cap * sizeof *nl);
            if (!nl)
                return false;
            v->line = nl;
        }
        v->cap = cap;
    }
    v->x[v->count] = x;
    v->f[v->count] = f;
    if (v->lines)
        v->line[v->count] = line;
    v->count++;
    return true;
}

/* [s, s + n) without blanks at either end. */
static void trim(const char **s, size_t *n)
{
    while (*n && xn_is_blank(**s))
        (*s)++, (*n)--;
    while (*n && xn_is_blank((*s)[*n - 1]))
        (*n)--;
}

/* A header's first field is a word: some byte no decimal number has, or no
 * digit at all ("x", "time", "inf").  "1.2.3" or "1e400" is a bad number,
 * not a header, so a broken first sample is never skipped silently. */
static bool is_word(const char *tok, size_t n)
{
    bool digit = false;
    for (size_t i = 0; i < n; i++) {
        char c = tok[i];
        if (c >= '0' && c <= '9')
            digit = true;
        else if (c != '.' && c != '+' && c != '-' && c != 'e' && c != 'E')
            return true;
    }
    return n > 0 && !digit;
}

/* A trimmed field of a sample line as a finite decimal number. */
static xn_status sample_field(const char *tok, size_t n, size_t line, double *out,
                              xn_error *err)
{
    char q[48];
    if (n == 0)
        return xn_fail(err, line, XN_EFORMAT, "empty field");
    xn_num r = xn_parse_double(tok, n, out);
    if (r != XN_NUM_OK)
        return xn_fail(err, line, XN_EFORMAT, "%s '%s'", xn_num_why(r),
                       xn_quote(q, sizeof q, tok, n));
    return XN_OK;
}

/* One content line [s, s + n) of line number `line`: a sample pushed onto v,
 * or (when header_ok) a header skipped. */
static xn_status sample_line(const char *s, size_t n, size_t line, bool header_ok,
                             sample_vec *v, xn_error *err)
{
    const char *end = s + n, *comma = memchr(s, ',', n);
    size_t fields = 1;
    for (const char *p = s; p < end; p++)
        fields += *p == ',';
    const char *t1 = s;
    size_t n1 = comma ? (size_t)(comma - s) : n;
    trim(&t1, &n1);
    if (header_ok && is_word(t1, n1)) {
        if (fields != 2)
            return xn_fail(err, line, XN_EFORMAT, "header has %zu column%s, expected 2 (x,f)",
                           fields, fields == 1 ? "" : "s");
        return XN_OK;
    }
    if (fields != 2)
        return xn_fail(err, line, XN_EFORMAT,
                       "expected 2 numbers separated by a comma, found %zu field%s", fields,
                       fields == 1 ? "" : "s");
    const char *t2 = comma + 1;
    size_t n2 = (size_t)(end - t2);
    trim(&t2, &n2);
    double x, f;
    xn_status st = sample_field(t1, n1, line, &x, err);
    if (st == XN_OK)
        st = sample_field(t2, n2, line, &f, err);
    if (st == XN_OK && !sample_push(v, x, f, line))
        st = xn_fail(err, line, XN_ENOMEM, "out of memory after %zu samples", v->count);
    return st;
}

/* Clears the outputs the caller gave. */
static void samples_clear(double **x, double **f, size_t **lines, size_t *m, xn_error *err)
{
    if (err) {
        err->line = 0;
        err->msg[0] = '\0';
    }
    if (x)
        *x = NULL;
    if (f)
        *f = NULL;
    if (lines)
        *lines = NULL;
    if (m)
        *m = 0;
}

xn_status xn_samples_parse_lines(const char *text, size_t len, double **x, double **f,
                                 size_t **lines, size_t *m, xn_error *err)
{
    samples_clear(x, f, lines, m, err);
    if ((!text && len) || !x || !f || !m)
        return xn_fail(err, 0, XN_EINVAL, "bad argument");
    sample_vec v = {NULL, NULL, NULL, 0, 0, lines != NULL};
    xn_lines t;
    const char *s;
    size_t n;
    xn_status st = XN_OK;
    bool first = true;
    xn_lines_init(&t, text, len);
    while (st == XN_OK && xn_lines_content(&t, &s, &n)) {
        st = sample_line(s, n, t.line, first, &v, err);
        first = false;
    }
    if (st == XN_OK && v.count == 0)
        st = xn_fail(err, 0, XN_EFORMAT, "no samples (only blank lines, comments or a header)");
    if (st != XN_OK) {
        free(v.x);
        free(v.f);
        free(v.line);
        return st;
    }
    *x = v.x;
    *f = v.f;
    if (lines)
        *lines = v.line;
    *m = v.count;
    return XN_OK;
}

xn_status xn_samples_parse(const char *text, size_t len, double **x, double **f, size_t *m,
                           xn_error *err)
{
    return xn_samples_parse_lines(text, len, x, f, NULL, m, err);
}

xn_status xn_samples_load_lines(const char *path, double **x, double **f, size_t **lines,
                                size_t *m, xn_error *err)
{
    samples_clear(x, f, lines, m, err);
    if (!path || !x || !f || !m)
        return xn_fail(err, 0, XN_EINVAL, "bad argument");
    char *text;
    size_t len;
    xn_status st = xn_read_file(path, XN_TEXT_MAX_FILE, &text, &len, err);
    if (st != XN_OK)
        return st;
    st = xn_samples_parse_lines(text, len, x, f, lines, m, err);
    free(text);
    return st;
}

xn_status xn_samples_load(const char *path, double **x, double **f, size_t *m, xn_error *err)
{
    return xn_samples_load_lines(path, x, f, NULL, m, err);
}
