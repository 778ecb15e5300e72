/* Least squares for NN(x) = sum_j lambda_j relu(x - b_j): equidistant knots
 * or the caller's breakpoints, solved by LAPACKE_dgels (dgelsd for a
 * rank-deficient system). */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lapacke.h>

#include "approx_impl.h"

#define info_msg xn_approx_info_msg
#define info_reset xn_approx_info_reset

/* ---- the dense solve --------------------------------------------------- */

/* A (m, n) column-major, A_ik = max(0, x_i - b_k) * scale_k.  When
 * fill_scale, scale_k is first set to the power of 2 that brings the
 * column's norm into [1/4, 1): exact, and safe for entries near 1e308,
 * whose squares and norm would overflow. */
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
            double ss = 0.0;
            for (size_t i = 0; i < m && big > 0.0; i++)
                ss += (col[i] / big) * (col[i] / big);
            int e1 = 0, e2 = 0;
            if (big > 0.0) {
                frexp(big, &e1);
                frexp(sqrt(ss), &e2);
            }
            int e = -(e1 + e2);
            scale[k] = ldexp(1.0, e < -1074 ? -1074 : e > 1023 ? 1023 : e);
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

/* Fits the sorted samples xs (m), fs (m) with the knots b (n), m >= n,
 * valid on [lo, hi] = [xs[0], xs[m-1]]; the network into *out. */
static xn_status lsq_solve(const double *xs, const double *fs, size_t m, const double *b,
                           size_t n, const xn_approx_opts *opts, xn_net **out,
                           xn_approx_info *info)
{
    double tol = opts && opts->rcond > 0.0 ? opts->rcond : XN_APPROX_RCOND;
    bool min_norm = opts && opts->min_norm;
    xn_approx_extrap extrap = opts ? opts->extrapolate : XN_EXTRAP_BARE;
    double lo = xs[0], hi = xs[m - 1];
    size_t mn = m * n; /* checked by the callers */
    double *lambda = malloc(n * sizeof *lambda), *scale = malloc(n * sizeof *scale);
    double *a = malloc(mn * sizeof *a), *rhs = malloc(m * sizeof *rhs);
    xn_status s = XN_OK;
    if (!lambda || !scale || !a || !rhs) {
        s = XN_ENOMEM;
        info_msg(info, "out of memory for the %zu x %zu matrix", m, n);
        goto done;
    }
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
    s = xn_approx_check_lambda(lambda, n, hi - b[0], info);
    if (s == XN_OK)
        s = xn_approx_fitted_net(b, lambda, n, lo, hi, extrap, xs, fs, m, out, info);
done:
    free(lambda);
    free(scale);
    free(a);
    free(rhs);
    return s;
}

xn_status xn_approx_lsq_begin(const double *x, const double *f, size_t m,
                              const xn_approx_opts *opts, xn_net **out, double **xs,
                              double **fs, xn_approx_info *info)
{
    *xs = *fs = NULL;
    if (out)
        *out = NULL;
    if (!x || !f || !out || (opts && !(opts->rcond >= 0.0 && opts->rcond < 1.0)) ||
        (opts && (opts->extrapolate < XN_EXTRAP_BARE || opts->extrapolate > XN_EXTRAP_CONSTANT))) {
        info_msg(info, "bad argument");
        return XN_EINVAL;
    }
    if (info) {
        info->m = m;
        info->method = XN_APPROX_LAPACKE;
        info->solver = "dgels";
    }
    if (m < 2) {
        info_msg(info, "least squares needs at least 2 samples, got %zu", m);
        return XN_EDIM;
    }
    xn_status s = xn_approx_sorted_copy(x, f, m, false, xs, fs, info);
    if (s != XN_OK)
        return s;
    double lo = (*xs)[0], hi = (*xs)[m - 1];
    if (lo == hi) {
        s = XN_ESINGULAR;
        info_msg(info, "all %zu samples have x = %.17g; least squares needs at least 2 "
                 "distinct x", m, lo);
    } else if (!isfinite(hi - lo)) {
        s = XN_ENUMERIC;
        info_msg(info, "the x range [%g, %g] is too wide to represent", lo, hi);
    }
    if (s != XN_OK) {
        free(*xs);
        free(*fs);
        *xs = *fs = NULL;
    }
    return s;
}

/* The fit of the sorted samples xs (m), fs (m) with n >= 2 knots: the
 * network's knots b_j = lo + (j - 2) d for j = 1, 2, then the inner
 * breakpoints t (n - 2; NULL: lo + (j - 2) d for every j, the equidistant
 * grid).  Checks the dense size limit and that the knots' span is
 * representable: every A_ik is at most hi - b_1 = (hi - lo) + d, and an
 * inf there would reach LAPACK, whose dgelsd does not return on it. */
static xn_status lsq_fit(const double *xs, const double *fs, size_t m, size_t n, double d,
                         const double *t, const xn_approx_opts *opts, xn_net **out,
                         xn_approx_info *info)
{
    double lo = xs[0], hi = xs[m - 1];
    size_t mn;
    if (m > INT_MAX || !xn_mul_ok(m, n, &mn) || mn > XN_APPROX_MAX_DENSE) {
        info_msg(info, "%zu samples x %zu knots is over the dense limit of %zu doubles",
                 m, n, XN_APPROX_MAX_DENSE);
        return XN_ENOMEM;
    }
    if (!isfinite(lo - d) || !isfinite(hi - (lo - d))) {
        info_msg(info, "the x range [%g, %g] is too wide to represent", lo, hi);
        return XN_ENUMERIC;
    }
    double *b = malloc(n * sizeof *b);
    if (!b) {
        info_msg(info, "out of memory for %zu knots", n);
        return XN_ENOMEM;
    }
    for (size_t k = 0; k < n; k++) /* b_j, j = k + 1 */
        b[k] = k < 2 || !t ? lo + ((double)k - 1.0) * d : t[k - 2];
    xn_status s = lsq_solve(xs, fs, m, b, n, opts, out, info);
    free(b);
    return s;
}

xn_status xn_approx_lsq(const double *x, const double *f, size_t m,
                        size_t n, const xn_approx_opts *opts,
                        xn_net **out, xn_approx_info *info)
{
    info_reset(info);
    if (info)
        info->n = n;
    if (x && f && out && (n < 2 || m < n)) {
        if (out)
            *out = NULL;
        if (info) {
            info->m = m;
            info->method = XN_APPROX_LAPACKE;
            info->solver = "dgels";
        }
        info_msg(info, "least squares needs at least 2 knots and at least as many "
                 "samples as knots, got %zu samples for %zu knots", m, n);
        return XN_EDIM;
    }
    double *xs, *fs;
    xn_status s = xn_approx_lsq_begin(x, f, m, opts, out, &xs, &fs, info);
    if (s == XN_OK)
        s = lsq_fit(xs, fs, m, n, (xs[m - 1] - xs[0]) / (double)(n - 1), NULL, opts, out, info);
    free(xs);
    free(fs);
    return s;
}

xn_status xn_approx_lsq_knots(const double *x, const double *f, size_t m,
                              const double *t, size_t k, const xn_approx_opts *opts,
                              xn_net **out, xn_approx_info *info)
{
    info_reset(info);
    if (out)
        *out = NULL;
    if (!t) {
        info_msg(info, "bad argument");
        return XN_EINVAL;
    }
    if (k == 0) {
        info_msg(info, "no knots given");
        return XN_EDIM;
    }
    /* the list itself first: it needs no samples */
    for (size_t i = 0; i < k; i++) {
        const char *why = NULL;
        if (!isfinite(t[i]))
            why = "is not finite";
        else if (i > 0 && t[i] == t[i - 1])
            why = "repeats the knot before it";
        else if (i > 0 && !(t[i] > t[i - 1]))
            why = "is below the knot before it: knots must increase";
        if (why) {
            if (info)
                info->knot = i + 1;
            info_msg(info, "knot %zu (%.17g) %s", i + 1, t[i], why);
            return XN_EINVAL;
        }
    }
    double *xs, *fs;
    xn_status s = xn_approx_lsq_begin(x, f, m, opts, out, &xs, &fs, info);
    if (s != XN_OK)
        return s;
    double lo = xs[0], hi = xs[m - 1];
    size_t inner = 0;
    for (size_t i = 0; i < k; i++) {
        if (t[i] < lo || t[i] > hi) {
            if (info)
                info->knot = i + 1;
            info_msg(info, "knot %zu (%.17g) is outside the samples' range [%.17g, %.17g]",
                     i + 1, t[i], lo, hi);
            s = XN_EINVAL;
            goto done;
        }
        inner += t[i] > lo && t[i] < hi;
    }
    size_t n = inner + 2;
    if (info)
        info->n = n;
    if (m < n) {
        s = XN_EDIM;
        info_msg(info, "least squares needs at least as many samples as parameters, got "
                 "%zu samples for %zu knots (%zu inside the range, plus its 2 ends)", m, n,
                 inner);
        goto done;
    }
    /* the inner knots are contiguous in the increasing t: only t_1 can be
     * lo and only t_k hi; d is the mean spacing of all n breakpoints */
    s = lsq_fit(xs, fs, m, n, (hi - lo) / (double)(n - 1), t + (t[0] == lo), opts, out, info);
done:
    free(xs);
    free(fs);
    return s;
}
