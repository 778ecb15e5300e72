/* The pieces of adaptive refinement (approx_adapt.c) that look at one
 * interval or hold the knots: the caller's function called with its
 * failures named, an interval's chord and its largest error at the check
 * points t + w c/10, c = 1..9, and the grid of knots, values and interval
 * errors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "approx_impl.h"

xn_status xn_approx_call(const xn_approx_target *g, double x, double *out)
{
    double v = g->fn(x, g->ctx);
    if (!isfinite(v)) {
        xn_approx_info_msg(g->info, "the function is not finite at x = %.17g", x);
        return XN_ENUMERIC;
    }
    *out = v;
    return XN_OK;
}

double xn_approx_check_point(double t0, double w, int c)
{
    return t0 + w * ((double)c / 10.0);
}

double xn_approx_chord(double t0, double f0, double t1, double f1, double x)
{
    return f0 + (f1 - f0) * ((x - t0) / (t1 - t0));
}

xn_status xn_approx_chord_error(const xn_approx_target *g, double t0, double f0, double t1, double f1,
                                double *err, xn_approx_acc *acc)
{
    double w = t1 - t0, e = 0.0;
    for (int c = 1; c <= 9; c++) {
        double x = xn_approx_check_point(t0, w, c), fx;
        xn_status s = xn_approx_call(g, x, &fx);
        if (s != XN_OK)
            return s;
        double d = fabs(fx - xn_approx_chord(t0, f0, t1, f1, x));
        e = d > e ? d : e;
        if (acc)
            xn_approx_acc_add(acc, d);
    }
    *err = e;
    return XN_OK;
}

void xn_approx_grid_free(xn_approx_grid *g)
{
    free(g->t);
    free(g->f);
    free(g->e);
    memset(g, 0, sizeof *g);
}

bool xn_approx_grid_alloc(xn_approx_grid *g, size_t n)
{
    g->t = malloc(n * sizeof *g->t);
    g->f = malloc(n * sizeof *g->f);
    g->e = malloc(n * sizeof *g->e);
    g->n = n;
    return g->t && g->f && g->e;
}

double xn_approx_grid_max_error(const xn_approx_grid *g)
{
    double m = 0.0;
    for (size_t i = 0; i + 1 < g->n; i++)
        m = g->e[i] > m ? g->e[i] : m;
    return m;
}

bool xn_approx_grid_copy(xn_approx_grid *dst, const xn_approx_grid *src)
{
    xn_approx_grid_free(dst);
    if (!xn_approx_grid_alloc(dst, src->n)) {
        xn_approx_grid_free(dst);
        return false;
    }
    memcpy(dst->t, src->t, src->n * sizeof *dst->t);
    memcpy(dst->f, src->f, src->n * sizeof *dst->f);
    memcpy(dst->e, src->e, src->n * sizeof *dst->e);
    return true;
}
