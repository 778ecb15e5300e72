/* L-BFGS over a callback, one iteration at a time, so that a network's
 * solver (step.c), a checkpoint and the tests can all drive it.
 *
 * The direction is -H g with H the L-BFGS inverse-Hessian approximation
 * of the last m pairs s_i = x_{i+1} - x_i, y_i = g_{i+1} - g_i, applied by
 * the two-loop recursion (Nocedal and Wright, "Numerical Optimization",
 * 2nd ed., Algorithm 7.4) from H0 = gamma I, gamma = s^T y / y^T y of the
 * newest pair (their 7.20).  The step comes from the strong-Wolfe line
 * search (linesearch.c), tried first at 1, or at 1/||d|| when there are
 * no pairs (a first step of unit length, as L-BFGS-B takes).  A pair joins
 * only if s^T y > eps y^T y (L-BFGS-B's test), so H stays positive
 * definite.  A search that finds no step drops the pairs and tries the
 * steepest descent once more before giving up, as L-BFGS-B does.
 *
 * The stopping tests are SciPy's L-BFGS-B's (scipy.optimize, method
 * 'L-BFGS-B', as scikit-learn's MLP calls it), in its order: after an
 * iteration max |g_i| <= gtol, then (f_old - f) <= ftol max(|f_old|, |f|,
 * 1), then more than max_evals evaluations (tested only between
 * iterations, so a line search is never cut short); gtol is tested before
 * the first iteration too.  The iteration limit is the caller's. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "solve.h"

size_t xn_lbfgs_state_size(size_t n, size_t m)
{
    size_t pairs, total;
    if (!xn_mul_ok(2 * m, n, &pairs) || !xn_add_ok(pairs, n + m, &total) || m > SIZE_MAX / 2 ||
        total > SIZE_MAX / sizeof(double))
        return 0;
    return total;
}

size_t xn_lbfgs_scratch_size(size_t n, size_t m)
{
    size_t five, total;
    if (!xn_mul_ok(5, n, &five) || !xn_add_ok(five, m, &total) || total > SIZE_MAX / sizeof(double))
        return 0;
    return total;
}

void xn_lbfgs_arrays(xn_lbfgs *lb, double *state, double *scratch)
{
    size_t n = lb->n, m = lb->m;
    lb->g = state;
    lb->s = state + n;
    lb->y = lb->s + m * n;
    lb->rho = lb->y + m * n;
    if (!scratch) /* the state alone, to read or copy */
        return;
    lb->d = scratch;
    lb->x0 = scratch + n;
    lb->g0 = scratch + 2 * n;
    lb->gt = scratch + 3 * n;
    lb->gb = scratch + 4 * n;
    lb->alpha = scratch + 5 * n;
}

static double dot(size_t n, const double *u, const double *v)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += u[i] * v[i];
    return s;
}

static double absmax(size_t n, const double *v)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs(v[i]));
    return m;
}

size_t xn_lbfgs_slot(size_t m, size_t pairs, size_t newest, size_t k)
{
    return (newest + m - pairs + 1 + k) % m;
}

static size_t slot(const xn_lbfgs *lb, size_t k)
{
    return xn_lbfgs_slot(lb->m, lb->pairs, lb->newest, k);
}

/* d = -H g by the two-loop recursion (Algorithm 7.4). */
static void direction(xn_lbfgs *lb)
{
    size_t n = lb->n;
    double *q = lb->d;
    memcpy(q, lb->g, n * sizeof *q);
    for (size_t k = lb->pairs; k-- > 0;) {
        size_t j = slot(lb, k);
        const double *s = lb->s + j * n, *y = lb->y + j * n;
        double a = lb->rho[j] * dot(n, s, q);
        lb->alpha[j] = a;
        for (size_t i = 0; i < n; i++)
            q[i] -= a * y[i];
    }
    if (lb->pairs) {
        const double *s = lb->s + lb->newest * n, *y = lb->y + lb->newest * n;
        double gamma = dot(n, s, y) / dot(n, y, y);
        for (size_t i = 0; i < n; i++)
            q[i] *= gamma;
    }
    for (size_t k = 0; k < lb->pairs; k++) {
        size_t j = slot(lb, k);
        const double *s = lb->s + j * n, *y = lb->y + j * n;
        double b = lb->rho[j] * dot(n, y, q);
        for (size_t i = 0; i < n; i++)
            q[i] += (lb->alpha[j] - b) * s[i];
    }
    for (size_t i = 0; i < n; i++)
        q[i] = -q[i];
}

/* The pair of the step from x0, g0 to x, g, if its curvature is positive
 * enough; it takes the oldest pair's slot once m are held. */
static void add_pair(xn_lbfgs *lb, const double *x)
{
    size_t n = lb->n;
    double sy = 0.0, yy = 0.0;
    for (size_t i = 0; i < n; i++) {
        double s = x[i] - lb->x0[i], y = lb->g[i] - lb->g0[i];
        sy += s * y;
        yy += y * y;
    }
    if (!(sy > DBL_EPSILON * yy))
        return;
    size_t j = lb->pairs ? (lb->newest + 1) % lb->m : 0;
    for (size_t i = 0; i < n; i++) {
        lb->s[j * n + i] = x[i] - lb->x0[i];
        lb->y[j * n + i] = lb->g[i] - lb->g0[i];
    }
    lb->rho[j] = 1.0 / sy;
    lb->newest = j;
    if (lb->pairs < lb->m)
        lb->pairs++;
}

xn_status xn_lbfgs_iterate(xn_lbfgs *lb, double *x, xn_objective fn, void *ctx)
{
    size_t n = lb->n;
    lb->stop = XN_STOP_NONE;
    if (!lb->have_fg) {
        if (fn(ctx, x, &lb->f, lb->g))
            return XN_EIO;
        lb->evaluations++;
        lb->last = true;
        if (!isfinite(lb->f) || !isfinite(absmax(n, lb->g)))
            return XN_ENUMERIC;
        lb->have_fg = true;
    }
    double gmax = absmax(n, lb->g);
    if (gmax <= lb->gtol || gmax == 0.0) { /* a zero gradient has no descent direction */
        lb->stop = XN_STOP_GTOL;
        return XN_OK;
    }
    double f0 = lb->f;
    memcpy(lb->x0, x, n * sizeof *x);
    memcpy(lb->g0, lb->g, n * sizeof *lb->g);
    xn_line_search ls = {.n = n, .x0 = lb->x0, .d = lb->d, .f0 = f0, .max_evals = lb->max_ls,
                         .x = x, .g = lb->g, .gt = lb->gt, .gb = lb->gb};
    for (;;) {
        direction(lb);
        ls.dg0 = dot(n, lb->g0, lb->d);
        if (!(ls.dg0 < 0.0)) { /* rounding spoilt H: steepest descent */
            lb->pairs = 0;
            direction(lb);
            ls.dg0 = dot(n, lb->g0, lb->d);
        }
        double dnorm = sqrt(dot(n, lb->d, lb->d));
        ls.a1 = lb->pairs || !(dnorm > 0.0) || !isfinite(1.0 / dnorm) ? 1.0 : 1.0 / dnorm;
        xn_ls_result r = xn_line_search_wolfe(&ls, fn, ctx);
        lb->evaluations += ls.evals;
        if (r == XN_LS_ABORT) {
            memcpy(x, lb->x0, n * sizeof *x);
            memcpy(lb->g, lb->g0, n * sizeof *lb->g);
            return XN_EIO;
        }
        if (r != XN_LS_FAIL)
            break;
        /* x is x0 again and g untouched */
        if (lb->pairs == 0) {
            lb->stop = XN_STOP_LINE_SEARCH;
            lb->last = false;
            return XN_OK;
        }
        lb->pairs = 0;
    }
    lb->f = ls.f;
    lb->last = ls.last;
    lb->iterations++;
    add_pair(lb, x);
    if (lb->gtol > 0.0 && absmax(n, lb->g) <= lb->gtol)
        lb->stop = XN_STOP_GTOL;
    else if (lb->ftol > 0.0 && f0 - lb->f <= lb->ftol * fmax(fmax(fabs(f0), fabs(lb->f)), 1.0))
        lb->stop = XN_STOP_FTOL;
    else if (lb->evaluations > lb->max_evals)
        lb->stop = XN_STOP_MAX_EVALS;
    return XN_OK;
}
