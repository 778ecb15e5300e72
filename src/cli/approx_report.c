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

/* The GCV table: the rows within GCV_AROUND of the chosen count, or with
 * --gcv-table every row. */
enum { GCV_AROUND = 3 };

static void print_gcv(const run *r)
{
    printf("gcv        knots  rss  score  (score = m RSS / (m - knots)^2; Craven & Wahba 1979)\n");
    size_t shown = 0;
    for (size_t i = 0; i < r->gcv_rows; i++) {
        const xn_approx_gcv_row *g = &r->gcv_table[i];
        if (!r->gcv_table_all && (g->knots + GCV_AROUND < r->knots || g->knots > r->knots + GCV_AROUND))
            continue;
        shown++;
        if (isinf(g->score))
            printf("gcv        %zu  rank-deficient\n", g->knots);
        else
            printf("gcv        %zu  %.6e  %.6e%s\n", g->knots, g->rss, g->score,
                   g->knots == r->knots ? "  <- minimum" : "");
    }
    if (shown < r->gcv_rows)
        printf("gcv        (%zu of the %zu counts tried, %zu to %zu, shown; --gcv-table prints them all)\n", shown,
               r->gcv_rows, r->gcv_table[0].knots, r->gcv_table[r->gcv_rows - 1].knots);
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

/* --knots-at: the knots in the user's count, then the network's units,
 * which add two at the left end (approx.h: x_min - d and x_min). */
static void print_knots_given(const run *r)
{
    size_t inside = 0;
    for (size_t i = 0; i < r->k; i++)
        inside += r->t[i] > r->info.lo && r->t[i] < r->info.hi;
    if (inside == r->k)
        printf("knots      %zu given, %sinside the samples' range\n", r->k, r->k == 1 ? "" : "all ");
    else
        printf("knots      %zu given, %zu inside the samples' range and %zu at its end%s\n", r->k, inside,
               r->k - inside, r->k - inside == 1 ? "" : "s");
    char units[48] = "";
    if (inside == 1)
        snprintf(units, sizeof units, "the knot inside, and ");
    else if (inside)
        snprintf(units, sizeof units, "the %zu knots inside, and ", inside);
    printf("n          %zu  (units: %sx_min and x_min - d, where the line starts)\n", r->info.n, units);
}

/* Interpolation of many samples that zigzag: a line through the noise.
 * Sorted by x, neighbouring differences f_{i+1} - f_i change sign about
 * two times in three for noise (three independent values: the middle one
 * is the largest or the smallest with probability 2/3), at the turns only
 * for a smooth curve; more than one in three is called rough. */
enum { ROUGH_MIN_SAMPLES = 50 };

static int cmp_sample(const void *a, const void *b)
{
    const double *u = a, *v = b;
    return (u[0] > v[0]) - (u[0] < v[0]);
}

static void hint_rough(const run *r)
{
    if (r->m < ROUGH_MIN_SAMPLES)
        return;
    double *p = malloc(r->m * 2 * sizeof *p); /* (m, 2): x, f */
    if (!p)
        return; /* a hint is not worth failing for */
    for (size_t i = 0; i < r->m; i++) {
        p[2 * i] = r->x[i];
        p[2 * i + 1] = r->f[i];
    }
    qsort(p, r->m, 2 * sizeof *p, cmp_sample);
    size_t changes = 0;
    for (size_t i = 1; i + 1 < r->m; i++)
        changes += (p[2 * i + 1] - p[2 * i - 1]) * (p[2 * i + 3] - p[2 * i + 1]) < 0.0;
    free(p);
    double share = (double)changes / (double)(r->m - 2);
    if (share > 1.0 / 3.0)
        printf("hint       these samples look noisy (%.0f%% of the steps from one sample to the next reverse "
               "direction, as 67%% do for noise): interpolation goes through the noise; --gcv or --knots N "
               "fits a line through it instead\n",
               100.0 * share);
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
    if (r->kind == FIT_KNOTS_AT)
        print_knots_given(r);
    else
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
    if (r->kind == FIT_INTERP)
        hint_rough(r);
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

/* The kinks of the fitted line inside its range [lo, hi] and both ends,
 * in order (the units' knots -b1_j / W1_j increase): the breakpoints of a
 * least-squares fit, the knots of an adaptive one.  t (malloc'd, *k). */
static int range_kinks(const run *r, double **t, size_t *k)
{
    size_t n = xn_net_size(r->net, 1), m = 0;
    const double *w1 = xn_net_weights(r->net, 1), *b1 = xn_net_bias(r->net, 1);
    double *v = malloc((n + 2) * sizeof *v);
    if (!v) {
        cli_error("out of memory for %zu knots", n);
        return EXIT_FAIL;
    }
    v[m++] = r->info.lo;
    for (size_t j = 0; j < n; j++) {
        double x = -b1[j] / w1[j];
        if (x > v[m - 1] && x < r->info.hi)
            v[m++] = x;
    }
    v[m++] = r->info.hi;
    *t = v;
    *k = m;
    return EXIT_OK;
}

/* The fit in the user's words, then the samples' source. */
static void plot_title(const run *r, char *title, size_t cap)
{
    int w = 0;
    switch (r->kind) {
    case FIT_INTERP:
        w = snprintf(title, cap, "ReLU interpolation of %zu samples", r->m);
        break;
    case FIT_KNOTS:
        w = snprintf(title, cap, "ReLU least squares, %zu knots", r->knots);
        break;
    case FIT_KNOTS_AT:
        w = snprintf(title, cap, "ReLU least squares, %zu knot%s given (%zu units)", r->k, cli_plural(r->k),
                     r->info.n);
        break;
    case FIT_GCV:
        w = snprintf(title, cap, "ReLU least squares, %zu knots chosen by GCV", r->knots);
        break;
    case FIT_ADAPT:
        w = snprintf(title, cap, "ReLU interpolation to --tol %g, %zu knots", r->tol, r->info.n);
        break;
    }
    if (w < 0 || (size_t)w >= cap)
        return;
    if (r->samples_path)
        snprintf(title + w, cap - (size_t)w, ": %s", approx_source_name(r));
    else
        snprintf(title + w, cap - (size_t)w, ": %s%s on [%g, %g]", xn_approx_fn_name(r->fn),
                 r->noise > 0.0 ? " with noise" : "", r->a, r->b);
}

int approx_plot(run *r)
{
    plot_error err = {0};
    char title[300];
    double *kinks = NULL;
    size_t nk = 0;
    /* the knots: the samples themselves when interpolating (an adaptive
     * fit's knots are its samples), else the breakpoints, the user's when
     * given */
    plot_knots kn = {.at_samples = true};
    if ((r->kind == FIT_ADAPT || r->kind == FIT_KNOTS || r->kind == FIT_GCV) &&
        range_kinks(r, &kinks, &nk) != EXIT_OK)
        return EXIT_FAIL;
    if (r->kind == FIT_ADAPT) { /* the knots, with f there, are what it plots as samples */
        r->x = kinks;
        r->m = nk;
        kinks = NULL;
        if (!(r->f = malloc(r->m * sizeof *r->f))) {
            cli_error("out of memory for %zu knots", r->m);
            return EXIT_FAIL;
        }
        for (size_t i = 0; i < r->m; i++)
            r->f[i] = xn_approx_fn_eval(r->fn, r->x[i]);
    } else if (r->kind != FIT_INTERP) {
        kn = (plot_knots){.k = r->kind == FIT_KNOTS_AT ? r->k : nk, .t = r->kind == FIT_KNOTS_AT ? r->t : kinks};
    }
    plot_title(r, title, sizeof title);
    cli_flush(); /* the picture may go to /dev/stdout, after the report */
    plot_status ps = plot_approx(r->plot_path, title, r->m, r->x, r->f, r->net, r->samples_path ? NULL : &r->fn,
                                 &kn, 0, 0, &err);
    free(kinks);
    if (ps != PLOT_OK) {
        cli_error("--plot: %s", err.msg);
        return EXIT_FAIL;
    }
    printf("plot       %s\n", r->plot_path);
    return EXIT_OK;
}
