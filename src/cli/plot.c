/* The pictures of curves and fits (plot.h): a run's loss and metric by
 * epoch, a one-input network through its data, an approximation through
 * its samples.  Each writes its data and script through gnuplot.h and
 * gets one PNG back.  The pictures of a network's outputs over its data
 * (surface, predicted against actual, confusion) are plot_outputs.c's. */
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gnuplot.h"

/* The curves' colours, matplotlib's first three (tab10). */
static const char *const colors[PLOT_CURVES_MAX] = {"#1f77b4", "#ff7f0e", "#2ca02c"};

/* ---- the pictures ------------------------------------------------------- */

/* Whether point i of curve c is drawn: both values drawable, y > 0 on a
 * log scale. */
static bool curve_point(const plot_curve *c, size_t i, bool logscale)
{
    return plot_drawable(c->x[i]) && plot_drawable(c->y[i]) && (!logscale || c->y[i] > 0.0);
}

/* The y range [*lo, *hi] of the k curves (plot_curves' rule), with a
 * twentieth of it added each side (of its logarithm on a log scale). */
static void curves_range(size_t k, const plot_curve *c, bool logscale, const plot_mark *mark, double *lo,
                         double *hi)
{
    /* all the points when those kept leave none (the last ones not drawable) */
    for (int all = logscale; all < 2; all++) {
        *lo = INFINITY;
        *hi = -INFINITY;
        for (size_t j = 0; j < k; j++)
            for (size_t i = 0; c[j].x && c[j].y && i < c[j].n; i++)
                if (curve_point(&c[j], i, logscale) && (all || i >= c[j].n / 10 || (mark && c[j].x[i] == mark->x))) {
                    *lo = fmin(*lo, c[j].y[i]);
                    *hi = fmax(*hi, c[j].y[i]);
                }
        if (*lo <= *hi)
            break;
    }
    if (logscale) {
        double a = log10(*lo), b = log10(*hi);
        plot_widen(&a, &b);
        *lo = pow(10.0, a - 0.05 * (b - a));
        *hi = pow(10.0, b + 0.05 * (b - a));
    } else {
        plot_widen(lo, hi);
        double pad = 0.05 * (*hi - *lo);
        *lo -= pad;
        *hi += pad;
    }
}

/* The ticks of a log-scale y on [lo, hi]: every whole multiple of each
 * power of ten within a decade, 1, 2 and 5 times them within four, the
 * powers alone beyond that (gnuplot's own ticks, at the powers only, leave
 * a range within a decade with one label or none). */
static void log_ticks(FILE *gp, double lo, double hi)
{
    static const double every[] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, some[] = {1, 2, 5}, powers[] = {1};
    double span = log10(hi / lo);
    const double *m = span <= 1.0 ? every : span <= 4.0 ? some : powers;
    size_t nm = span <= 1.0 ? 9 : span <= 4.0 ? 3 : 1;
    int d0 = (int)floor(log10(lo)), d1 = (int)ceil(log10(hi));
    int step = d1 - d0 > 12 ? (d1 - d0 + 11) / 12 : 1; /* at most about 12 labels */
    const char *sep = "";
    fputs("set format y '%g'\nset ytics (", gp);
    for (int d = d0; d <= d1; d += step)
        for (size_t i = 0; i < nm; i++) {
            double v = m[i] * pow(10.0, d);
            if (v >= lo && v <= hi) {
                fprintf(gp, "%s%.17g", sep, v);
                sep = ", ";
            }
        }
    fputs(")\n", gp);
}

/* mark's line across the frame and each curve's point at mark->x (its
 * label is the key's). */
static void draw_mark(FILE *gp, const plot_mark *mark, size_t k, const plot_curve *c, bool logscale)
{
    fprintf(gp, "set arrow from first %.17g, graph 0 to first %.17g, graph 1 nohead dashtype 2 "
                "linewidth 1.5 linecolor rgb '#555555' back\n",
            mark->x, mark->x);
    for (size_t j = 0; j < k; j++)
        for (size_t i = 0; c[j].x && c[j].y && i < c[j].n; i++)
            if (c[j].x[i] == mark->x && curve_point(&c[j], i, logscale))
                fprintf(gp, "set label '' at first %.17g, first %.17g point pointtype 7 pointsize 1.4 "
                            "linecolor rgb '%s' front\n",
                        c[j].x[i], c[j].y[i], colors[j]);
}

plot_status plot_curves(const char *png, const char *title, const char *xlabel, const char *ylabel,
                        bool log_y, size_t k, const plot_curve *c, const plot_mark *mark, int width,
                        int height, plot_error *err)
{
    size_t total = 0, positive = 0;
    if (k > PLOT_CURVES_MAX) {
        plot_set_err(err, "at most %d curves in one picture", PLOT_CURVES_MAX);
        return PLOT_EFAIL;
    }
    for (size_t j = 0; j < k; j++)
        for (size_t i = 0; c[j].x && c[j].y && i < c[j].n; i++) {
            total++;
            positive += plot_drawable(c[j].y[i]) && c[j].y[i] > 0.0;
        }
    if (!png || total == 0) {
        plot_set_err(err, "no history to plot");
        return PLOT_EFAIL;
    }
    if (!gp_size_ok(width, height, err))
        return PLOT_EFAIL;
    gp_run t;
    plot_status s = gp_start(&t, err);
    if (s != PLOT_OK)
        return s;
    bool logscale = log_y && positive > 0;
    FILE *gp = NULL;
    size_t drawn = 0;
    static const char *const files[PLOT_CURVES_MAX] = {"a.dat", "b.dat", "c.dat"}; /* in tmp_names */
    for (size_t j = 0; j < k; j++) {
        FILE *dat = gp_data(&t, files[j], err);
        if (!dat) {
            s = PLOT_EFAIL;
            goto out;
        }
        for (size_t i = 0; c[j].x && c[j].y && i < c[j].n; i++)
            if (curve_point(&c[j], i, logscale)) {
                fprintf(dat, "%.17g %.17g\n", c[j].x[i], c[j].y[i]);
                drawn++;
            }
        if ((s = gp_close(dat, "data", err)) != PLOT_OK)
            goto out;
    }
    if (drawn == 0) {
        plot_set_err(err, "no drawable point in the history (all of it is not finite or beyond %g)",
                PLOT_MAX_ABS);
        s = PLOT_EFAIL;
        goto out;
    }
    if (!(gp = gp_script(&t, err))) {
        s = PLOT_EFAIL;
        goto out;
    }
    gp_header(gp, title, width, height);
    fputs("set xlabel ", gp);
    gp_quoted(gp, xlabel);
    fputs("\nset ylabel ", gp);
    gp_quoted(gp, ylabel);
    fputs(logscale ? " . ' (log scale)'\nset logscale y\n" : "\n", gp);
    double lo, hi, x0 = INFINITY, x1 = -INFINITY;
    curves_range(k, c, logscale, mark, &lo, &hi);
    for (size_t j = 0; j < k; j++)
        for (size_t i = 0; c[j].x && c[j].y && i < c[j].n; i++)
            if (curve_point(&c[j], i, logscale)) {
                x0 = fmin(x0, c[j].x[i]);
                x1 = fmax(x1, c[j].x[i]);
            }
    plot_widen(&x0, &x1); /* one epoch: a range around it, not gnuplot's warning */
    fprintf(gp, "set xrange [%.17g:%.17g]\nset yrange [%.17g:%.17g]\n", x0, x1, lo, hi);
    if (logscale)
        log_ticks(gp, lo, hi);
    /* the key below the frame, never on the curves */
    fprintf(gp, "set grid xtics ytics%s\nset key %s\n",
            logscale ? "" : " mytics",
            k > 1 || mark ? "below center horizontal Left reverse samplen 2 noenhanced" : "off");
    if (mark)
        draw_mark(gp, mark, k, c, logscale);
    fputs("plot ", gp);
    for (size_t j = 0; j < k; j++) {
        fprintf(gp, "%s'%s' using 1:2 with lines linewidth 2 linecolor rgb '%s' title ",
                j ? ", \\\n     " : "", files[j], colors[j]);
        gp_quoted(gp, c[j].name);
    }
    if (mark) {
        fputs(", \\\n     keyentry with lines dashtype 2 linewidth 1.5 linecolor rgb '#555555' title ", gp);
        gp_quoted(gp, mark->label);
    }
    fputc('\n', gp);
    s = gp_finish(&t, gp, png, err);
out:
    gp_end(&t);
    return s;
}

plot_status plot_loss(const char *png, const char *title, size_t n, const double *x,
                      const double *y, int width, int height, plot_error *err)
{
    plot_curve c = {"loss", n, x, y};
    return plot_curves(png, title, "step", "loss", true, 1, &c, NULL, width, height, err);
}

static int cmp_double(const void *a, const void *b)
{
    double u = *(const double *)a, v = *(const double *)b;
    return (u > v) - (u < v);
}

/* One picture of plot_approx or plot_fit: the curve (gx, gy) (g points,
 * gx sorted) with its label, the reference curve ref (g values, or NULL)
 * dashed with its label, the m points (x, f) labelled samples, and the nk
 * knots (kx, ky) marked on the curve. */
typedef struct {
    size_t g;
    const double *gx, *gy, *ref;
    const char *label, *ref_label, *samples;
    size_t m;
    const double *x, *f;
    size_t nk;
    const double *kx, *ky;
} fit_picture;

static plot_status draw_fit(const char *png, const char *title, const fit_picture *p, int width, int height,
                            plot_error *err)
{
    for (size_t i = 0; i < p->m; i++)
        if (!plot_drawable(p->x[i]) || !plot_drawable(p->f[i])) {
            plot_set_err(err, "sample %zu is %s; gnuplot draws values up to %g in magnitude", i + 1,
                    isfinite(p->x[i]) && isfinite(p->f[i]) ? "too large" : "not finite", PLOT_MAX_ABS);
            return PLOT_EFAIL;
        }
    for (size_t i = 0; i < p->g; i++)
        if (!plot_drawable(p->gy[i])) {
            plot_set_err(err, "the network at x = %g is %s; gnuplot draws values up to %g in magnitude",
                    p->gx[i], isfinite(p->gy[i]) ? "too large" : "not finite", PLOT_MAX_ABS);
            return PLOT_EFAIL;
        }
    gp_run t;
    FILE *dat = NULL, *gp = NULL;
    plot_status s = gp_start(&t, err);
    if (s != PLOT_OK)
        return s;
    s = PLOT_EFAIL;
    if (!(dat = gp_data(&t, "a.dat", err)))
        goto out;
    for (size_t i = 0; i < p->g; i++) {
        fprintf(dat, "%.17g %.17g", p->gx[i], p->gy[i]);
        if (p->ref && plot_drawable(p->ref[i]))
            fprintf(dat, " %.17g", p->ref[i]);
        else if (p->ref)
            fputs(" NaN", dat);
        fputc('\n', dat);
    }
    if (gp_close(dat, "data", err) != PLOT_OK || !(dat = gp_data(&t, "b.dat", err)))
        goto out;
    for (size_t i = 0; i < p->m; i++)
        fprintf(dat, "%.17g %.17g\n", p->x[i], p->f[i]);
    if (gp_close(dat, "data", err) != PLOT_OK || !(dat = gp_data(&t, "c.dat", err)))
        goto out;
    for (size_t i = 0; i < p->nk; i++)
        fprintf(dat, "%.17g %.17g\n", p->kx[i], p->ky[i]);
    if (gp_close(dat, "data", err) != PLOT_OK || !(gp = gp_script(&t, err)))
        goto out;
    gp_header(gp, title, width, height);
    fputs("set xlabel 'x'\nset ylabel 'y'\nset grid\nset key top left box opaque Left reverse noenhanced\n"
          "set autoscale xfixmin\nset autoscale xfixmax\nset offsets 0, 0, graph 0.05, graph 0.05\n"
          "plot ",
          gp);
    if (p->ref) {
        fputs("'a.dat' using 1:3 with lines linewidth 2 dashtype 2 linecolor rgb '#7f7f7f' title ", gp);
        gp_quoted(gp, p->ref_label);
        fputs(", \\\n     ", gp);
    }
    fputs("'a.dat' using 1:2 with lines linewidth 2 linecolor rgb '#1f77b4' title ", gp);
    gp_quoted(gp, p->label);
    fprintf(gp, ", \\\n     'b.dat' using 1:2 with points pointtype 7 pointsize %s "
                "linecolor rgb '#d62728' title ",
            p->m <= 200 ? "1.2" : "0.4");
    gp_quoted(gp, p->samples);
    /* the knots on the curve, where its slope may change */
    if (p->nk)
        fprintf(gp, ", \\\n     'c.dat' using 1:2 with points pointtype 13 pointsize %s linecolor rgb "
                    "'#1f1f1f' title 'knots (%zu)'",
                p->nk <= 200 ? "1.6" : "0.6", p->nk);
    fputc('\n', gp);
    s = gp_finish(&t, gp, png, err);
out:
    gp_end(&t);
    return s;
}

static bool one_in_one_out(const xn_net *net, plot_error *err)
{
    if (xn_net_size(net, 0) != 1 || xn_net_size(net, xn_net_layers(net)) != 1) {
        plot_set_err(err, "a fit plot needs a network with 1 input and 1 output");
        return false;
    }
    return true;
}

plot_status plot_approx(const char *png, const char *title, size_t m, const double *x,
                        const double *f, xn_net *net, const xn_approx_fn *fn,
                        const plot_knots *kn, int width, int height, plot_error *err)
{
    if (!plot_rows_ok(png, net, m, x, f, width, height, err) || !one_in_one_out(net, err))
        return PLOT_EFAIL;
    /* the curve: the sorted samples, `per - 1` points between each pair
     * and the knots, where the broken line bends */
    size_t per = m <= 4096 ? 16 : m <= 65536 ? 2 : 1, nk = kn && kn->t ? kn->k : 0;
    size_t g = (m - 1) * per + 1 + nk;
    double *xs = malloc(m * sizeof *xs), *gx = malloc(g * sizeof *gx), *gy = malloc(g * sizeof *gy);
    double *ref = fn ? malloc(g * sizeof *ref) : NULL, *ky = malloc((nk ? nk : 1) * sizeof *ky);
    plot_status s = PLOT_EFAIL;
    if (!xs || !gx || !gy || !ky || (fn && !ref)) {
        plot_set_err(err, "out of memory");
        goto out;
    }
    memcpy(xs, x, m * sizeof *xs);
    qsort(xs, m, sizeof *xs, cmp_double);
    for (size_t i = 0; i + 1 < m; i++)
        for (size_t k = 0; k < per; k++)
            gx[i * per + k] = plot_lerp(xs[i], xs[i + 1], (double)k / (double)per);
    gx[g - 1 - nk] = xs[m - 1];
    if (nk) {
        memcpy(gx + g - nk, kn->t, nk * sizeof *gx);
        qsort(gx, g, sizeof *gx, cmp_double);
    }
    /* O(g + n) for sorted points; the knots increase */
    if (xn_approx_eval(net, g, gx, gy) != XN_OK || (nk && xn_approx_eval(net, nk, kn->t, ky) != XN_OK)) {
        plot_set_err(err, "cannot evaluate the network");
        goto out;
    }
    char label[64], ref_label[64];
    snprintf(label, sizeof label, "network (%zu ReLU units)", xn_net_size(net, 1));
    if (fn) {
        for (size_t i = 0; i < g; i++)
            ref[i] = xn_approx_fn_eval(*fn, gx[i]);
        snprintf(ref_label, sizeof ref_label, "%s(x)", xn_approx_fn_name(*fn));
    }
    fit_picture p = {.g = g, .gx = gx, .gy = gy, .ref = ref, .label = label, .ref_label = ref_label,
                     .samples = kn && kn->at_samples ? "samples (the knots)" : "samples", .m = m, .x = x,
                     .f = f, .nk = nk, .kx = nk ? kn->t : NULL, .ky = ky};
    s = draw_fit(png, title, &p, width, height, err);
out:
    free(xs);
    free(gx);
    free(gy);
    free(ref);
    free(ky);
    return s;
}

plot_status plot_fit(const char *png, const char *title, xn_net *net, size_t m, const double *x,
                     const double *y, int width, int height, plot_error *err)
{
    if (!plot_rows_ok(png, net, m, x, y, width, height, err) || !one_in_one_out(net, err))
        return PLOT_EFAIL;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < m; i++)
        if (plot_drawable(x[i])) {
            lo = fmin(lo, x[i]);
            hi = fmax(hi, x[i]);
        }
    if (!(lo <= hi)) {
        plot_set_err(err, "no drawable sample");
        return PLOT_EFAIL;
    }
    plot_widen(&lo, &hi);
    enum { G = 401 };
    double gx[G], gy[G];
    for (size_t i = 0; i < G; i++)
        gx[i] = plot_lerp(lo, hi, (double)i / (G - 1));
    xn_status st = xn_net_predict(net, G, gx, gy);
    if (st != XN_OK && st != XN_ENUMERIC) { /* not finite: draw_fit names the point */
        plot_set_err(err, "cannot evaluate the network: %s", xn_strerror(st));
        return PLOT_EFAIL;
    }
    fit_picture p = {.g = G, .gx = gx, .gy = gy, .label = "network", .samples = "training rows", .m = m,
                     .x = x, .f = y};
    return draw_fit(png, title, &p, width, height, err);
}
