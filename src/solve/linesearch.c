/* The line search of L-BFGS: Nocedal and Wright, "Numerical Optimization",
 * 2nd ed. (2006), Algorithm 3.5 (bracketing) and Algorithm 3.6 (zoom), for
 * the strong Wolfe conditions on phi(a) = f(x0 + a d):
 *     phi(a) <= phi(0) + c1 a phi'(0)       sufficient decrease (their 3.7a)
 *     |phi'(a)| <= c2 |phi'(0)|              curvature (3.7b)
 * with c1 = 1e-4 and c2 = 0.9, the values they give for quasi-Newton
 * methods.  A trial inside a bracket is the minimizer of the cubic through
 * both ends' values and slopes (their 3.59), kept inside the middle 80 %
 * of the bracket so the bracket shrinks; an end whose value is not finite
 * (a step into overflow) is bisected instead.  While bracketing, the step
 * grows fourfold (Moré and Thuente's extrapolation bound, xtrapu = 4).
 * Every evaluation brings f and g together, so each trial costs one. */
#include <math.h>
#include <string.h>

#include "solve.h"

#define C1 1e-4
#define C2 0.9
#define EXTRAPOLATE 4.0

/* A trial: step, value, slope phi'(a) = g . d. */
typedef struct {
    double a, f, dg;
} trial;

typedef struct {
    xn_line_search *ls;
    xn_objective fn;
    void *ctx;
    trial best;           /* the lowest trial with sufficient decrease (f inf: none) */
    size_t best_eval;     /* its evaluation's number */
} search;

static double dot(size_t n, const double *u, const double *v)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += u[i] * v[i];
    return s;
}

static bool decreases(const search *s, const trial *t)
{
    return t->f <= s->ls->f0 + C1 * t->a * s->ls->dg0;
}

static bool flat_enough(const search *s, const trial *t)
{
    return fabs(t->dg) <= -C2 * s->ls->dg0;
}

/* phi and phi' at a into *t, its gradient in gt; false if fn abandoned.
 * A value or slope that is not finite makes the trial infinitely high. */
static bool evaluate(search *s, double a, trial *t)
{
    xn_line_search *ls = s->ls;
    for (size_t i = 0; i < ls->n; i++)
        ls->x[i] = ls->x0[i] + a * ls->d[i];
    double f;
    if (s->fn(s->ctx, ls->x, &f, ls->gt))
        return false;
    ls->evals++;
    t->a = a;
    t->dg = isfinite(f) ? dot(ls->n, ls->gt, ls->d) : NAN;
    t->f = isfinite(f) && isfinite(t->dg) ? f : INFINITY;
    if (decreases(s, t) && t->f < s->best.f) {
        s->best = *t;
        s->best_eval = ls->evals;
        memcpy(ls->gb, ls->gt, ls->n * sizeof *ls->gt);
    }
    return true;
}

/* Takes trial t (the last evaluated one, or the best kept) as the result. */
static xn_ls_result take(search *s, const trial *t, bool last, xn_ls_result r)
{
    xn_line_search *ls = s->ls;
    for (size_t i = 0; i < ls->n; i++) /* the same bits as its evaluation's */
        ls->x[i] = ls->x0[i] + t->a * ls->d[i];
    memcpy(ls->g, last ? ls->gt : ls->gb, ls->n * sizeof *ls->g);
    ls->f = t->f;
    ls->last = last;
    return r;
}

/* Out of evaluations, or the bracket cannot shrink in floating point. */
static xn_ls_result give_up(search *s)
{
    xn_line_search *ls = s->ls;
    if (isfinite(s->best.f))
        return take(s, &s->best, s->best_eval == ls->evals, XN_LS_DECREASE);
    memcpy(ls->x, ls->x0, ls->n * sizeof *ls->x);
    return XN_LS_FAIL;
}

/* The minimizer of the cubic through lo and hi (Nocedal and Wright 3.59),
 * inside the middle 80 % of the bracket; its midpoint when an end is not
 * finite or the cubic has no minimizer there. */
static double cubic_step(const trial *lo, const trial *hi)
{
    double left = fmin(lo->a, hi->a), width = fabs(hi->a - lo->a), mid = 0.5 * (lo->a + hi->a);
    if (!isfinite(lo->f) || !isfinite(hi->f))
        return mid;
    double d1 = lo->dg + hi->dg - 3.0 * (lo->f - hi->f) / (lo->a - hi->a);
    double disc = d1 * d1 - lo->dg * hi->dg;
    if (!(disc >= 0.0))
        return mid;
    double d2 = copysign(sqrt(disc), hi->a - lo->a);
    double a = hi->a - (hi->a - lo->a) * (hi->dg + d2 - d1) / (hi->dg - lo->dg + 2.0 * d2);
    if (!isfinite(a))
        return mid;
    return fmin(fmax(a, left + 0.1 * width), left + 0.9 * width);
}

/* Algorithm 3.6: lo has sufficient decrease and the lowest value so far,
 * and the bracket [lo, hi] (either order) holds a strong Wolfe point. */
static xn_ls_result zoom(search *s, trial lo, trial hi)
{
    for (;;) {
        if (s->ls->evals >= s->ls->max_evals)
            return give_up(s);
        double a = cubic_step(&lo, &hi);
        if (a == lo.a || a == hi.a)
            return give_up(s);
        trial t;
        if (!evaluate(s, a, &t))
            return XN_LS_ABORT;
        if (!decreases(s, &t) || t.f >= lo.f) {
            hi = t;
        } else {
            if (flat_enough(s, &t))
                return take(s, &t, true, XN_LS_WOLFE);
            if (t.dg * (hi.a - lo.a) >= 0.0)
                hi = lo;
            lo = t;
        }
    }
}

xn_ls_result xn_line_search_wolfe(xn_line_search *ls, xn_objective fn, void *ctx)
{
    search s = {ls, fn, ctx, {0.0, INFINITY, 0.0}, 0};
    ls->evals = 0;
    ls->last = false;
    /* Algorithm 3.5: grow the step until the bracket holds a Wolfe point */
    trial prev = {0.0, ls->f0, ls->dg0}, t;
    double a = ls->a1;
    for (;;) {
        if (!evaluate(&s, a, &t))
            return XN_LS_ABORT;
        if (!decreases(&s, &t) || (ls->evals > 1 && t.f >= prev.f))
            return zoom(&s, prev, t);
        if (flat_enough(&s, &t))
            return take(&s, &t, true, XN_LS_WOLFE);
        if (t.dg >= 0.0)
            return zoom(&s, t, prev);
        if (ls->evals >= ls->max_evals)
            return give_up(&s);
        prev = t;
        a *= EXTRAPOLATE;
    }
}
