/* L-BFGS over a callback, one iteration at a time, so that a network's
 * solver (step.c), a checkpoint and the tests can all drive it.  It takes
 * the steps of L-BFGS-B (Byrd, Lu, Nocedal and Zhu 1995; version 3.0,
 * Morales and Nocedal 2011) without bounds, which SciPy's method
 * 'L-BFGS-B' runs for scikit-learn's solver='lbfgs':
 *
 * The direction is -H g with H the L-BFGS inverse-Hessian approximation
 * of the last m pairs s_i = x_{i+1} - x_i, y_i = g_{i+1} - g_i, applied by
 * the two-loop recursion (Nocedal and Wright, "Numerical Optimization",
 * 2nd ed., Algorithm 7.4) from H0 = gamma I, gamma = s^T y / y^T y of the
 * newest pair (their 7.20; L-BFGS-B's 1/theta).  L-BFGS-B applies the same
 * H in its compact form, so the directions agree to rounding.  The step
 * comes from Moré and Thuente's line search (linesearch.c), tried first at
 * 1/||d|| in the first iteration and at 1 after.  A pair joins only if
 * s^T y > eps (-g^T s), s^T y taken as (g - g_old)^T d times the step
 * (L-BFGS-B's test and arithmetic), so H stays positive definite.  A
 * search that finds no step (or a direction that is not one of descent)
 * restores the point, drops the pairs and tries the steepest descent
 * once more, with a first trial of 1, before giving up, as L-BFGS-B does.
 *
 * The stopping tests are SciPy's L-BFGS-B's, in its order: after an
 * iteration max |g_i| <= gtol, then (f_old - f) <= ftol max(|f_old|, |f|,
 * 1) (with ftol 0 still an iteration that does not lower f: the search
 * can end on its start, and the next would repeat it), then more than
 * max_evals evaluations (tested only between
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
    size_t three, total;
    if (!xn_mul_ok(3, n, &three) || !xn_add_ok(three, m, &total) || total > SIZE_MAX / sizeof(double))
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
    lb->alpha = scratch + 3 * n;
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
    if (lb->pairs) { /* s^T y is 1 / rho */
        const double *y = lb->y + lb->newest * n;
        double gamma = 1.0 / (lb->rho[lb->newest] * dot(n, y, y));
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

/* The pair of the step a d from x0, g0 (its slope dg0) to x, g, if its
 * curvature is positive enough; it takes the oldest pair's slot once m
 * are held. */
static void add_pair(xn_lbfgs *lb, double a, double dg0)
{
    size_t n = lb->n;
    double dg = dot(n, lb->g, lb->d);
    double sy = a == 1.0 ? dg - dg0 : (dg - dg0) * a, gs = a == 1.0 ? -dg0 : -dg0 * a;
    if (!(sy > DBL_EPSILON * gs))
        return;
    size_t j = lb->pairs ? (lb->newest + 1) % lb->m : 0;
    for (size_t i = 0; i < n; i++) {
        lb->s[j * n + i] = a * lb->d[i];
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
    xn_line_search ls = {.n = n, .x0 = lb->x0, .d = lb->d, .f0 = f0, .max_evals = lb->max_ls, .x = x,
                         .g = lb->g};
    ls.x0_known = true; /* f and g are x's, last evaluated here or before this call */
    for (;;) {
        direction(lb);
        ls.dg0 = dot(n, lb->g0, lb->d);
        ls.a1 = lb->iterations ? 1.0 : fmin(1.0 / sqrt(dot(n, lb->d, lb->d)), 1e10);
        xn_ls_result r = xn_more_thuente(&ls, fn, ctx);
        lb->evaluations += ls.evals;
        if (r == XN_LS_CONVERGED || r == XN_LS_WARNING)
            break;
        memcpy(x, lb->x0, n * sizeof *x);
        memcpy(lb->g, lb->g0, n * sizeof *lb->g);
        ls.x0_known = ls.x0_known && ls.evals == 0; /* else the last trial was elsewhere */
        if (r == XN_LS_ABORT)
            return XN_EIO;
        if (lb->pairs == 0) {
            lb->stop = XN_STOP_LINE_SEARCH;
            return XN_OK;
        }
        lb->pairs = 0; /* L-BFGS-B's restart: the steepest descent */
    }
    lb->f = ls.f;
    lb->iterations++;
    add_pair(lb, ls.a, ls.dg0);
    if (lb->gtol > 0.0 && absmax(n, lb->g) <= lb->gtol)
        lb->stop = XN_STOP_GTOL;
    else if (f0 - lb->f <= lb->ftol * fmax(fmax(fabs(f0), fabs(lb->f)), 1.0))
        lb->stop = XN_STOP_FTOL;
    else if (lb->evaluations > lb->max_evals)
        lb->stop = XN_STOP_MAX_EVALS;
    return XN_OK;
}
