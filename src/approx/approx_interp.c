/* Interpolation of samples by NN(x) = sum_j lambda_j relu(x - b_j): a
 * lower-triangular solve with LAPACKE_dtrtrs, or its O(n) closed form.
 *
 * Closed form.  NN is zero left of b_1, continuous and piecewise linear with
 * slope sum_{k<=j} lambda_k on (b_j, b_{j+1}).  With interpolation knots
 * b_1 = x_1 - (x_2 - x_1), b_j = x_{j-1}, the segment (b_i, x_i) joins
 * (b_i, f_{i-1}) to (x_i, f_i) (f_0 = 0 at b_1), so its slope is
 * s_i = (f_i - f_{i-1}) / (x_i - b_i) and lambda_i = s_i - s_{i-1}, s_0 = 0:
 * the slope changes.  Row i of A lambda = f is the same statement, which is
 * why forward substitution and the closed form agree.  (In floating point
 * lambda_i is taken against the exact sum of the lambdas before it, so
 * that roundings do not add up; see xn_approx_interp_solve.) */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lapacke.h>

#include "approx_impl.h"

#define info_msg xn_approx_info_msg
#define info_reset xn_approx_info_reset

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
        /* The network's slope on piece i is lambda_1 + ... + lambda_i
         * summed exactly (hi + lo, Knuth's TwoSum), and lambda_i is taken
         * against that sum rather than the previous rounded slope, so each
         * rounding of a lambda is corrected by the next one instead of
         * adding up: with slopes of 1e9 near a singularity (sqrt at 0)
         * and 1 elsewhere, the plain differences leave slopes wrong by
         * 1e-7 for the rest of the range. */
        double prev_f = 0.0, sum_hi = 0.0, sum_lo = 0.0;
        for (size_t i = 0; i < n; i++) {
            /* x_i - b_i is the diagonal A_ii, rounded as the matrix has it */
            double slope = (f[i] - prev_f) / (x[i] - b[i]);
            lambda[i] = (slope - sum_hi) - sum_lo;
            double t = sum_hi + lambda[i], bv = t - sum_hi;
            sum_lo += (sum_hi - (t - bv)) + (lambda[i] - bv);
            sum_hi = t;
            prev_f = f[i];
        }
    }
    return s != XN_OK ? s : xn_approx_check_lambda(lambda, n, x[n - 1] - b[0], info);
}

xn_status xn_approx_interp(const double *x, const double *f, size_t n,
                           const xn_approx_opts *opts, xn_net **out,
                           xn_approx_info *info)
{
    info_reset(info);
    if (out)
        *out = NULL;
    xn_approx_method method = opts ? opts->method : XN_APPROX_AUTO;
    xn_approx_extrap extrap = opts ? opts->extrapolate : XN_EXTRAP_BARE;
    if (!x || !f || !out || method < XN_APPROX_AUTO || method > XN_APPROX_CLOSED ||
        extrap < XN_EXTRAP_BARE || extrap > XN_EXTRAP_CONSTANT) {
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
    xn_status s = xn_approx_sorted_copy(x, f, n, true, &xs, &fs, info);
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
        s = xn_approx_fitted_net(b, lambda, n, xs[0], xs[n - 1], extrap, xs, fs, n, out,
                                 info);
done:
    free(xs);
    free(fs);
    free(b);
    free(lambda);
    return s;
}
