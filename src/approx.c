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
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lapacke.h>

#include "internal.h"
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

static void err_set(xn_error *err, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void err_set(xn_error *err, size_t line, const char *fmt, ...)
{
    if (!err)
        return;
    err->line = line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

/* ---- names ------------------------------------------------------------- */

static const char *const method_names[] = {"auto", "lapacke", "closed"};
static const char *const fn_names[] = {"sin", "cos", "exp", "abs", "runge", "sqrt", "tanh"};

const char *xn_approx_method_name(xn_approx_method m)
{
    return m >= XN_APPROX_AUTO && m <= XN_APPROX_CLOSED ? method_names[m] : "?";
}

xn_status xn_approx_method_parse(const char *name, xn_approx_method *out)
{
    if (!name || !out)
        return XN_EINVAL;
    for (int i = 0; i <= (int)XN_APPROX_CLOSED; i++)
        if (strcmp(name, method_names[i]) == 0) {
            *out = (xn_approx_method)i;
            return XN_OK;
        }
    return XN_EINVAL;
}

const char *xn_approx_fn_name(xn_approx_fn fn)
{
    return fn >= XN_FN_SIN && fn <= XN_FN_TANH ? fn_names[fn] : "?";
}

xn_status xn_approx_fn_parse(const char *name, xn_approx_fn *out)
{
    if (!name || !out)
        return XN_EINVAL;
    for (int i = 0; i <= (int)XN_FN_TANH; i++)
        if (strcmp(name, fn_names[i]) == 0) {
            *out = (xn_approx_fn)i;
            return XN_OK;
        }
    return XN_EINVAL;
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
    if (!x || !f || fn < XN_FN_SIN || fn > XN_FN_TANH) {
        err_set(err, 0, "bad argument");
        return XN_EINVAL;
    }
    if (n < 2) {
        err_set(err, 0, "need at least 2 samples, got %zu", n);
        return XN_EDIM;
    }
    if (!isfinite(a) || !isfinite(b) || !(a < b) || !isfinite(b - a)) {
        err_set(err, 0, "need finite a < b with b - a finite, got a = %g, b = %g", a, b);
        return XN_EINVAL;
    }
    double step = (b - a) / (double)(n - 1);
    for (size_t i = 0; i < n; i++) {
        /* the last point is b itself, not a sum carrying rounding */
        x[i] = i + 1 == n ? b : a + (double)i * step;
        f[i] = xn_approx_fn_eval(fn, x[i]);
        if (!isfinite(f[i])) {
            err_set(err, 0, "%s is not finite at x = %.17g (sample %zu)",
                    fn_names[fn], x[i], i + 1);
            return XN_ENUMERIC;
        }
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
    xn_net_config cfg = {2, sizes, acts, XN_LOSS_MSE, 0, XN_KERNEL_AUTO};
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
        s = xn_approx_net(b, lambda, n, out);
    if (s == XN_OK) {
        s = residuals(*out, xs, fs, n, info);
        if (s != XN_OK) {
            xn_net_destroy(*out);
            *out = NULL;
        }
    }
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
    if (!isfinite(hi - lo) || !isfinite(lo - h)) {
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
        s = xn_approx_net(b, lambda, n, out);
    if (s == XN_OK) {
        s = residuals(*out, xs, fs, m, info);
        if (s != XN_OK) {
            xn_net_destroy(*out);
            *out = NULL;
        }
    }
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

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

/* Writes a printable copy of [p, p + len) (at most 24 bytes) into out. */
static void shown(const char *p, size_t len, char out[32])
{
    size_t k = 0;
    for (; k < len && k < 24; k++) {
        unsigned char c = (unsigned char)p[k];
        out[k] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    if (k < len) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = '\0';
}

typedef enum { FIELD_OK, FIELD_NAN_TEXT, FIELD_BAD } field_kind;

/* Parses the field [p, p + len), already trimmed, as one finite decimal
 * number.  FIELD_NAN_TEXT: not a number at all (a header word);
 * FIELD_BAD: number-like but wrong (err says why). */
static field_kind parse_field(const char *p, size_t len, double *out, size_t line,
                              xn_error *err)
{
    char buf[72], show[32];
    shown(p, len, show);
    if (len == 0) {
        err_set(err, line, "empty field");
        return FIELD_BAD;
    }
    for (size_t k = 0; k < len; k++) {
        char c = p[k];
        /* decimal only: strtod's nan, inf and hex forms are not samples */
        if (!((c >= '0' && c <= '9') || c == '.' || c == '+' || c == '-' || c == 'e' ||
              c == 'E')) {
            err_set(err, line, "not a number '%s'", show);
            return FIELD_NAN_TEXT;
        }
    }
    if (len >= sizeof buf) {
        err_set(err, line, "number too long '%s'", show);
        return FIELD_BAD;
    }
    memcpy(buf, p, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (end != buf + len) {
        err_set(err, line, "not a number '%s'", show);
        return end == buf ? FIELD_NAN_TEXT : FIELD_BAD;
    }
    if (!isfinite(v)) {
        err_set(err, line, "number out of range '%s'", show);
        return FIELD_BAD;
    }
    *out = v;
    return FIELD_OK;
}

xn_status xn_samples_parse(const char *text, size_t len, double **x, double **f,
                           size_t *m, xn_error *err)
{
    if (err) {
        err->line = 0;
        err->msg[0] = '\0';
    }
    if (x)
        *x = NULL;
    if (f)
        *f = NULL;
    if (m)
        *m = 0;
    if ((!text && len) || !x || !f || !m) {
        err_set(err, 0, "bad argument");
        return XN_EINVAL;
    }
    double *xs = NULL, *fs = NULL;
    size_t count = 0, cap = 0, line = 0;
    bool seen_content = false;
    xn_status s = XN_OK;
    const char *p = text, *end = len ? text + len : text; /* NULL + 0 is UB */
    while (len && p < end) {
        line++;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end, *next = nl ? nl + 1 : end;
        if (eol > p && eol[-1] == '\r')
            eol--;
        while (p < eol && is_blank(*p))
            p++;
        while (eol > p && is_blank(eol[-1]))
            eol--;
        if (p == eol || *p == '#') {
            p = next;
            continue;
        }
        const char *comma = memchr(p, ',', (size_t)(eol - p));
        size_t fields = 1;
        for (const char *q = p; q < eol; q++)
            fields += *q == ',';
        const char *f1 = p, *e1 = comma ? comma : eol;
        while (e1 > f1 && is_blank(e1[-1]))
            e1--;
        double v1 = 0.0, v2 = 0.0;
        xn_error scratch = {0, ""};
        field_kind k1 = parse_field(f1, (size_t)(e1 - f1), &v1, line, &scratch);
        if (!seen_content && k1 == FIELD_NAN_TEXT) {
            /* the header: two names, whatever they say */
            seen_content = true;
            if (fields != 2) {
                err_set(err, line, "header has %zu column%s, expected 2 (x,f)", fields,
                        fields == 1 ? "" : "s");
                s = XN_EFORMAT;
                break;
            }
            p = next;
            continue;
        }
        seen_content = true;
        if (fields != 2) {
            err_set(err, line, "expected 2 numbers separated by a comma, found %zu field%s",
                    fields, fields == 1 ? "" : "s");
            s = XN_EFORMAT;
            break;
        }
        if (k1 != FIELD_OK) {
            if (err)
                *err = scratch;
            s = XN_EFORMAT;
            break;
        }
        const char *f2 = comma + 1;
        while (f2 < eol && is_blank(*f2))
            f2++;
        if (parse_field(f2, (size_t)(eol - f2), &v2, line, err) != FIELD_OK) {
            s = XN_EFORMAT;
            break;
        }
        if (count == cap) {
            size_t ncap = cap ? cap : 64;
            if (cap && !xn_mul_ok(cap, 2, &ncap)) {
                s = XN_ENOMEM;
                break;
            }
            size_t bytes;
            if (!xn_mul_ok(ncap, sizeof(double), &bytes)) {
                s = XN_ENOMEM;
                break;
            }
            double *nx = realloc(xs, bytes);
            if (nx)
                xs = nx;
            double *nf = nx ? realloc(fs, bytes) : NULL;
            if (nf)
                fs = nf;
            if (!nx || !nf) {
                s = XN_ENOMEM;
                break;
            }
            cap = ncap;
        }
        xs[count] = v1;
        fs[count] = v2;
        count++;
        p = next;
    }
    if (s == XN_ENOMEM)
        err_set(err, line, "out of memory after %zu samples", count);
    if (s == XN_OK && count == 0) {
        err_set(err, 0, "no samples (only blank lines, comments or a header)");
        s = XN_EFORMAT;
    }
    if (s != XN_OK) {
        free(xs);
        free(fs);
        return s;
    }
    *x = xs;
    *f = fs;
    *m = count;
    return XN_OK;
}

xn_status xn_samples_load(const char *path, double **x, double **f, size_t *m,
                          xn_error *err)
{
    if (err) {
        err->line = 0;
        err->msg[0] = '\0';
    }
    if (x)
        *x = NULL;
    if (f)
        *f = NULL;
    if (m)
        *m = 0;
    if (!path || !x || !f || !m) {
        err_set(err, 0, "bad argument");
        return XN_EINVAL;
    }
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        err_set(err, 0, "cannot open: %s", strerror(errno));
        return XN_EIO;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    xn_status s = XN_OK;
    for (;;) {
        if (len == cap) {
            size_t ncap = cap ? cap : 65536;
            if (cap && !xn_mul_ok(cap, 2, &ncap)) {
                s = XN_ENOMEM;
                break;
            }
            char *nb = realloc(buf, ncap);
            if (!nb) {
                s = XN_ENOMEM;
                break;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len, fp);
        len += got;
        if (got == 0) {
            if (ferror(fp)) {
                err_set(err, 0, "read error: %s", strerror(errno));
                s = XN_EIO;
            }
            break;
        }
    }
    fclose(fp);
    if (s == XN_ENOMEM)
        err_set(err, 0, "out of memory reading the file");
    if (s == XN_OK)
        s = xn_samples_parse(buf, len, x, f, m, err);
    free(buf);
    return s;
}
