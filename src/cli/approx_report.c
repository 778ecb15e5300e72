/* xornet approx's report: the samples and the fit in words, the errors
 * against the function (built-in functions) and at the samples, the GCV
 * table, every unit with --print, and --plot's picture. */
#include <math.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>

#include "approx.h"
#include "cli.h"
#include "plot.h"

const char *approx_source_name(const run *r)
{
    return strcmp(r->samples_path, "-") == 0 ? "<stdin>" : r->samples_path;
}

double approx_builtin(double x, void *ctx)
{
    return xn_approx_fn_eval(*(const xn_approx_fn *)ctx, x);
}

static void print_gcv(const run *r)
{
    printf("gcv        knots  rss  score  (score = m RSS / (m - knots)^2; Craven & Wahba 1979)\n");
    for (size_t i = 0; i < r->gcv_rows; i++) {
        const xn_approx_gcv_row *g = &r->gcv_table[i];
        if (isinf(g->score))
            printf("gcv        %zu  rank-deficient\n", g->knots);
        else
            printf("gcv        %zu  %.6e  %.6e%s\n", g->knots, g->rss, g->score,
                   g->knots == r->knots ? "  <- minimum" : "");
    }
}

/* What the network does outside [lo, hi], in words. */
static void print_valid(const run *r)
{
    const xn_approx_info *in = &r->info;
    printf("valid      [%.17g, %.17g]; outside: ", in->lo, in->hi);
    switch (r->opts.extrapolate) {
    case XN_EXTRAP_BARE:
        printf("0 left of the first knot %.17g, linear right", -xn_net_bias(r->net, 1)[0]);
        break;
    case XN_EXTRAP_LINEAR:
        printf("the first and last pieces continued");
        break;
    case XN_EXTRAP_CONSTANT:
        printf("NN(%.17g) left, NN(%.17g) right", in->lo, in->hi);
        break;
    }
    printf(" (--extrapolate %s)\n", xn_approx_extrap_name(r->opts.extrapolate));
}

/* --print: every hidden unit j as knot_j = -b1_j / W1_j, lambda_j = W2_j
 * and NN(knot_j); a unit with W1_j = -1 is relu(knot_j - x). */
static int print_units(run *r)
{
    size_t n = xn_net_size(r->net, 1);
    const double *w1 = xn_net_weights(r->net, 1), *b1 = xn_net_bias(r->net, 1);
    const double *w2 = xn_net_weights(r->net, 2);
    double *t = malloc(n * sizeof *t), *y = malloc(n * sizeof *y);
    if (!t || !y) {
        free(t);
        free(y);
        cli_error("out of memory for %zu knots", n);
        return EXIT_FAIL;
    }
    for (size_t j = 0; j < n; j++)
        t[j] = -b1[j] / w1[j];
    xn_status s = xn_approx_eval(r->net, n, t, y);
    if (s != XN_OK) {
        cli_error("--print: %s", xn_strerror(s));
        free(t);
        free(y);
        return EXIT_FAIL;
    }
    printf("units      %zu  (j, knot_j, lambda_j, NN(knot_j); NN(x) = b2 + sum_j lambda_j "
           "relu(x - knot_j), or relu(knot_j - x) where marked left)\n", n);
    for (size_t j = 0; j < n; j++)
        printf("knot       %zu  %.17g  %.17g  %.17g%s\n", j + 1, t[j], w2[j], y[j],
               w1[j] < 0.0 ? "  left" : "");
    printf("b2         %.17g\n", xn_net_bias(r->net, 2)[0]);
    free(t);
    free(y);
    return EXIT_OK;
}

/* An error for the report: "%.6e", or "not finite" in words, never
 * "inf" or "nan". */
static const char *sci(char *buf, size_t size, double v)
{
    if (isfinite(v))
        snprintf(buf, size, "%.6e", v);
    else
        snprintf(buf, size, "not finite");
    return buf;
}

int approx_report(run *r)
{
    char e1[32], e2[32];
    const xn_approx_info *in = &r->info;
    if (r->samples_path)
        printf("samples    %zu from %s\n", in->m, approx_source_name(r));
    else if (r->kind == FIT_ADAPT)
        printf("samples    %s on [%.17g, %.17g], refined from %zu points to --tol %g\n",
               xn_approx_fn_name(r->fn), r->a, r->b, r->n, r->tol);
    else
        printf("samples    %zu of %s on [%.17g, %.17g]%s\n", in->m, xn_approx_fn_name(r->fn),
               r->a, r->b, r->noise > 0.0 ? " with noise" : "");
    if (r->noise > 0.0)
        printf("noise      normal, sd %g, seed %llu\n", r->noise, (unsigned long long)r->seed);
    if (r->kind == FIT_GCV)
        print_gcv(r);
    if (r->kind == FIT_INTERP)
        printf("fit        interpolation, %s\n", in->solver);
    else if (r->kind == FIT_ADAPT)
        printf("fit        interpolation, adaptive (%zu rounds), closed form\n", in->rounds);
    else
        printf("fit        least squares, %s, rank %zu, rcond %.3e%s\n", in->solver, in->rank,
               in->rcond, r->kind == FIT_GCV ? ", knots chosen by GCV" :
                          r->kind == FIT_KNOTS_AT ? ", knots given" : "");
    printf("n          %zu\n", in->n);
    print_valid(r);
    if (r->kind == FIT_ADAPT) {
        printf("max_error  %s  (on %zu points: the knots and 9 between each pair)\n",
               sci(e1, sizeof e1, in->err_max), in->checks);
        printf("rms_error  %s\n", sci(e2, sizeof e2, in->err_rms));
        if (isnan(in->order))
            printf("order      not measured (errors at the rounding level)\n");
        else
            printf("order      %.2f  (the RMS error falls %.2fx when every interval is "
                   "halved; h^2 theory: 2)\n", in->order, exp2(in->order));
    } else if (!r->samples_path) {
        size_t points = 10 * (r->m - 1) + 1;
        double mx, rms;
        xn_status s = xn_approx_errors(r->net, approx_builtin, &r->fn, r->a, r->b, points, &mx, &rms);
        if (s != XN_OK) {
            cli_error("the error grid: %s", xn_strerror(s));
            return EXIT_FAIL;
        }
        printf("max_error  %s  (against %s on %zu points, 10x finer than the samples)\n",
               sci(e1, sizeof e1, mx), xn_approx_fn_name(r->fn), points);
        printf("rms_error  %s\n", sci(e2, sizeof e2, rms));
    }
    printf("resid_max  %s  (at the %s)\n", sci(e1, sizeof e1, in->resid_max),
           r->kind == FIT_ADAPT ? "knots" : "samples");
    printf("resid_rms  %s\n", sci(e2, sizeof e2, in->resid_rms));
    printf("time       %.6f s\n", r->seconds);
    if (r->print && print_units(r) != EXIT_OK)
        return EXIT_FAIL;
    if (!isfinite(in->resid_max)) {
        cli_error("the fit is not finite at the samples");
        return EXIT_FAIL;
    }
    if (r->kind == FIT_ADAPT && !(in->err_max <= r->tol)) {
        cli_error("--tol %g not reached: %s", r->tol, in->msg);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

/* The knots of an adaptive fit, the points it plots as samples: the
 * kinks inside [lo, hi] and both ends, in order. */
static int adaptive_points(run *r)
{
    size_t n = xn_net_size(r->net, 1), m = 0;
    const double *w1 = xn_net_weights(r->net, 1), *b1 = xn_net_bias(r->net, 1);
    r->x = malloc((n + 2) * sizeof *r->x);
    r->f = malloc((n + 2) * sizeof *r->f);
    if (!r->x || !r->f) {
        cli_error("out of memory for %zu knots", n);
        return EXIT_FAIL;
    }
    r->x[m++] = r->info.lo;
    for (size_t j = 0; j < n; j++) {
        double t = -b1[j] / w1[j];
        if (t > r->x[m - 1] && t < r->info.hi)
            r->x[m++] = t;
    }
    r->x[m++] = r->info.hi;
    for (size_t i = 0; i < m; i++)
        r->f[i] = xn_approx_fn_eval(r->fn, r->x[i]);
    r->m = m;
    return EXIT_OK;
}

int approx_plot(run *r)
{
    plot_error err = {""};
    char title[160];
    if (r->kind == FIT_ADAPT && adaptive_points(r) != EXIT_OK)
        return EXIT_FAIL;
    if (r->samples_path)
        snprintf(title, sizeof title, "ReLU fit, %zu knots, to %s", r->info.n, approx_source_name(r));
    else
        snprintf(title, sizeof title, "ReLU fit, %zu knots, to %s%s on [%g, %g]", r->info.n,
                 xn_approx_fn_name(r->fn), r->noise > 0.0 ? " with noise" : "", r->a, r->b);
    cli_flush(); /* the picture may go to /dev/stdout, after the report */
    if (plot_approx(r->plot_path, title, r->m, r->x, r->f, r->net,
                    r->samples_path ? NULL : &r->fn, 0, 0, &err) != PLOT_OK) {
        cli_error("--plot: %s", err.msg);
        return EXIT_FAIL;
    }
    printf("plot       %s\n", r->plot_path);
    return EXIT_OK;
}
