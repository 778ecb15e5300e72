/* The pictures xornet draws (plot.h): each writes its data and script
 * through gnuplot.h and gets one PNG back. */
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gnuplot.h"

/* gnuplot takes values of magnitude up to about 1e307 and refuses a range
 * wider than a double holds ("x range is invalid"); xornet draws up to
 * this and refuses the rest before gnuplot runs. */
#define PLOT_MAX_ABS 1e300

static bool plot_drawable(double v) { return isfinite(v) && fabs(v) <= PLOT_MAX_ABS; }

/* Evenly spaced points: x0 + (x1 - x0) t would overflow for a range wider
 * than a double holds; each term of this stays below max(|x0|, |x1|). */
static double plot_lerp(double x0, double x1, double t) { return x0 * (1.0 - t) + x1 * t; }

/* A range of one value [v, v] becomes a box around it, unit-wide, or wider
 * where 0.5 is below the value's precision. */
static void plot_widen(double *lo, double *hi)
{
    if (*hi > *lo)
        return;
    double d = fabs(*lo) * 1e-3 > 0.5 ? fabs(*lo) * 1e-3 : 0.5;
    *lo -= d;
    *hi += d;
}


/* ---- the pictures ------------------------------------------------------- */

plot_status plot_curves(const char *png, const char *title, const char *xlabel, const char *ylabel,
                        bool log_y, size_t k, const plot_curve *c, int width, int height,
                        plot_error *err)
{
    size_t total = 0, positive = 0;
    if (k > PLOT_CURVES_MAX) {
        plot_set_err(err, "at most %d curves in one picture", PLOT_CURVES_MAX);
        return PLOT_EFAIL;
    }
    for (size_t j = 0; j < k; j++)
        if (c[j].x && c[j].y)
            for (size_t i = 0; i < c[j].n; i++) {
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
            if (plot_drawable(c[j].x[i]) && plot_drawable(c[j].y[i]) && (!logscale || c[j].y[i] > 0.0)) {
                fprintf(dat, "%.17g %.17g\n", c[j].x[i], c[j].y[i]);
                drawn++;
            }
        if ((s = gp_close(dat, "data", err)) != PLOT_OK)
            goto out;
    }
    if (drawn == 0) {
        plot_set_err(err, "no plot_drawable point in the history (all of it is not finite or beyond %g)",
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
    fputs(logscale ? " . ' (log scale)'\nset logscale y\nset format y '10^{%L}'\n" : "\n", gp);
    fprintf(gp, "set grid xtics ytics mytics\nset key %s\nset autoscale xfixmin\nset autoscale xfixmax\n",
            k > 1 ? "top right box opaque noenhanced" : "off");
    static const char *const colors[PLOT_CURVES_MAX] = {"#1f77b4", "#ff7f0e", "#2ca02c"};
    fputs("plot ", gp);
    for (size_t j = 0; j < k; j++) {
        fprintf(gp, "%s'%s' using 1:2 with lines linewidth 2 linecolor rgb '%s' title ",
                j ? ", \\\n     " : "", files[j], colors[j]);
        gp_quoted(gp, c[j].name);
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
    return plot_curves(png, title, "step", "loss", true, 1, &c, width, height, err);
}

/* Writes the surface grid (G x G points over [x0,x1] x [y0,y1], one block
 * per x1 value) to f and widens [*zlo, *zhi] to its outputs.  Returns the
 * status of the forward pass, XN_ENUMERIC for an output gnuplot cannot
 * draw. */
static xn_status write_grid(FILE *f, xn_net *net, double x0, double x1, double y0, double y1,
                            double *zlo, double *zhi)
{
    enum { G = 41 };
    double in[G * 2], out[G];
    for (size_t i = 0; i < G; i++) {
        double u = plot_lerp(x0, x1, (double)i / (G - 1));
        for (size_t j = 0; j < G; j++) {
            in[2 * j] = u;
            in[2 * j + 1] = plot_lerp(y0, y1, (double)j / (G - 1));
        }
        xn_status s = xn_net_predict(net, G, in, out);
        if (s != XN_OK)
            return s;
        for (size_t j = 0; j < G; j++) {
            if (!plot_drawable(out[j]))
                return XN_ENUMERIC;
            fprintf(f, "%.17g %.17g %.17g\n", in[2 * j], in[2 * j + 1], out[j]);
            *zlo = out[j] < *zlo ? out[j] : *zlo;
            *zhi = out[j] > *zhi ? out[j] : *zhi;
        }
        fputc('\n', f);
    }
    return XN_OK;
}

plot_status plot_surface(const char *png, const char *title, xn_net *net, size_t n,
                         const double *x, const double *y, int width, int height,
                         plot_error *err)
{
    if (!png || !net || !x || !y || n == 0) {
        plot_set_err(err, "nothing to plot");
        return PLOT_EFAIL;
    }
    size_t L = xn_net_layers(net);
    if (xn_net_size(net, 0) != 2 || xn_net_size(net, L) != 1) {
        plot_set_err(err, "a surface needs a network with 2 inputs and 1 output");
        return PLOT_EFAIL;
    }
    if (!gp_size_ok(width, height, err))
        return PLOT_EFAIL;
    double lo[2] = {x[0], x[1]}, hi[2] = {x[0], x[1]};
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < 2; k++) {
            double v = x[2 * i + k];
            if (!plot_drawable(v)) {
                plot_set_err(err, "input %zu is %s; gnuplot draws values up to %g in magnitude", i + 1,
                        isfinite(v) ? "too large" : "not finite", PLOT_MAX_ABS);
                return PLOT_EFAIL;
            }
            lo[k] = v < lo[k] ? v : lo[k];
            hi[k] = v > hi[k] ? v : hi[k];
        }
    for (size_t k = 0; k < 2; k++)
        plot_widen(&lo[k], &hi[k]);
    /* the points' outputs, for the labels; copied before the grid's passes */
    double *a = malloc(n * sizeof *a);
    if (!a) {
        plot_set_err(err, "out of memory");
        return PLOT_EFAIL;
    }
    if (xn_net_predict(net, n, x, a) != XN_OK) {
        free(a);
        plot_set_err(err, "cannot evaluate the network");
        return PLOT_EFAIL;
    }
    for (size_t i = 0; i < n; i++)
        if (!plot_drawable(a[i])) {
            plot_set_err(err, "the network's output at input %zu is %s; gnuplot draws values up to %g "
                    "in magnitude", i + 1, isfinite(a[i]) ? "too large" : "not finite", PLOT_MAX_ABS);
            free(a);
            return PLOT_EFAIL;
        }
    gp_run t;
    plot_status s = gp_start(&t, err);
    FILE *grid = NULL, *pts = NULL, *gp = NULL;
    if (s != PLOT_OK)
        goto out;
    s = PLOT_EFAIL;
    if (!(grid = gp_data(&t, "a.dat", err)))
        goto out;
    /* the colours span at least [0, 1]: a nearly flat surface stays one
     * colour instead of showing its rounding noise in the full palette */
    double zlo = 0.0, zhi = 1.0;
    xn_status xs = write_grid(grid, net, lo[0], hi[0], lo[1], hi[1], &zlo, &zhi);
    plot_status cs = gp_close(grid, "data", err);
    if (xs == XN_ENUMERIC) {
        plot_set_err(err, "the network's output on the plotted square is not finite or beyond %g, "
                "which gnuplot cannot draw", PLOT_MAX_ABS);
        goto out;
    }
    if (xs != XN_OK) {
        plot_set_err(err, "cannot evaluate the network: %s", xn_strerror(xs));
        goto out;
    }
    if (cs != PLOT_OK || !(pts = gp_data(&t, "b.dat", err)))
        goto out;
    for (size_t i = 0; i < n; i++)
        fprintf(pts, "%.17g %.17g %.17g %.17g\n", x[2 * i], x[2 * i + 1], y[i], a[i]);
    if (gp_close(pts, "data", err) != PLOT_OK || !(gp = gp_script(&t, err)))
        goto out;
    gp_header(gp, title, width, height);
    fprintf(gp, "set xrange [%.17g:%.17g]\nset yrange [%.17g:%.17g]\nset cbrange [%.17g:%.17g]\n",
            lo[0], hi[0], lo[1], hi[1], zlo, zhi);
    /* labels as objects in front, so the surface never hides them */
    for (size_t i = 0; i < n; i++)
        fprintf(gp, "set label %zu '%.3f' at %.17g, %.17g, %.17g offset 0, 1.4 center front\n",
                i + 1, a[i], x[2 * i], x[2 * i + 1], a[i]);
    /* viridis, as the notebooks' plot_surface(cmap='viridis') */
    fputs("set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')\n"
          "set xlabel 'x1'\nset ylabel 'x2'\nset zlabel 'output' rotate parallel\n"
          /* looking down the (0,0)-(1,1) diagonal from above: all four
           * corners of a XOR surface stay in sight */
          "set xyplane at 0\nset view 40, 315\nset grid\n"
          "set pm3d depthorder border linewidth 0.5 linecolor rgb '#303030'\n"
          "set colorbox vertical user origin 0.92, 0.25 size 0.02, 0.5\n"
          "set key at screen 0.02, 0.97 left top\n"
          "splot 'a.dat' using 1:2:3 with pm3d notitle, \\\n"
          "      'b.dat' using 1:2:3 with points pointtype 7 pointsize 2.2 "
          "linecolor rgb '#d62728' title 'targets', \\\n"
          "      'b.dat' using 1:2:4 with points pointtype 6 pointsize 2.2 "
          "linecolor rgb 'black' title 'network output'\n",
          gp);
    s = gp_finish(&t, gp, png, err);
out:
    gp_end(&t);
    free(a);
    return s;
}

static int cmp_double(const void *a, const void *b)
{
    double u = *(const double *)a, v = *(const double *)b;
    return (u > v) - (u < v);
}

/* y against x: the curve (gx, gy) (g points, gx sorted) with its label,
 * the reference curve ref (g values, or NULL) dashed with its label, and
 * the m points (x, f). */
static plot_status draw_fit(const char *png, const char *title, size_t g, const double *gx,
                            const double *gy, const char *label, const double *ref,
                            const char *ref_label, size_t m, const double *x, const double *f,
                            int width, int height, plot_error *err)
{
    for (size_t i = 0; i < m; i++)
        if (!plot_drawable(x[i]) || !plot_drawable(f[i])) {
            plot_set_err(err, "sample %zu is %s; gnuplot draws values up to %g in magnitude", i + 1,
                    isfinite(x[i]) && isfinite(f[i]) ? "too large" : "not finite", PLOT_MAX_ABS);
            return PLOT_EFAIL;
        }
    for (size_t i = 0; i < g; i++)
        if (!plot_drawable(gy[i])) {
            plot_set_err(err, "the network at x = %g is %s; gnuplot draws values up to %g in magnitude",
                    gx[i], isfinite(gy[i]) ? "too large" : "not finite", PLOT_MAX_ABS);
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
    for (size_t i = 0; i < g; i++) {
        fprintf(dat, "%.17g %.17g", gx[i], gy[i]);
        if (ref && plot_drawable(ref[i]))
            fprintf(dat, " %.17g", ref[i]);
        else if (ref)
            fputs(" NaN", dat);
        fputc('\n', dat);
    }
    if (gp_close(dat, "data", err) != PLOT_OK || !(dat = gp_data(&t, "b.dat", err)))
        goto out;
    for (size_t i = 0; i < m; i++)
        fprintf(dat, "%.17g %.17g\n", x[i], f[i]);
    if (gp_close(dat, "data", err) != PLOT_OK || !(gp = gp_script(&t, err)))
        goto out;
    gp_header(gp, title, width, height);
    fputs("set xlabel 'x'\nset ylabel 'y'\nset grid\nset key top left box opaque noenhanced\n"
          "set autoscale xfixmin\nset autoscale xfixmax\nset offsets 0, 0, graph 0.05, graph 0.05\n"
          "plot ",
          gp);
    if (ref) {
        fputs("'a.dat' using 1:3 with lines linewidth 2 dashtype 2 linecolor rgb '#7f7f7f' title ", gp);
        gp_quoted(gp, ref_label);
        fputs(", \\\n     ", gp);
    }
    fputs("'a.dat' using 1:2 with lines linewidth 2 linecolor rgb '#1f77b4' title ", gp);
    gp_quoted(gp, label);
    fprintf(gp, ", \\\n     'b.dat' using 1:2 with points pointtype 7 pointsize %s "
                "linecolor rgb '#d62728' title 'samples'\n",
            m <= 200 ? "1.2" : "0.4");
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
                        const double *f, xn_net *net, const xn_approx_fn *fn, int width,
                        int height, plot_error *err)
{
    if (!png || !x || !f || !net || m == 0) {
        plot_set_err(err, "nothing to plot");
        return PLOT_EFAIL;
    }
    if (!one_in_one_out(net, err) || !gp_size_ok(width, height, err))
        return PLOT_EFAIL;
    /* the curve: the sorted samples and `per - 1` points between each pair
     * (the network is piecewise linear with knots at the samples) */
    size_t per = m <= 4096 ? 16 : m <= 65536 ? 2 : 1;
    size_t g = (m - 1) * per + 1;
    double *xs = malloc(m * sizeof *xs), *gx = malloc(g * sizeof *gx), *gy = malloc(g * sizeof *gy);
    double *ref = fn ? malloc(g * sizeof *ref) : NULL;
    plot_status s = PLOT_EFAIL;
    if (!xs || !gx || !gy || (fn && !ref)) {
        plot_set_err(err, "out of memory");
        goto out;
    }
    memcpy(xs, x, m * sizeof *xs);
    qsort(xs, m, sizeof *xs, cmp_double);
    for (size_t i = 0; i + 1 < m; i++)
        for (size_t k = 0; k < per; k++)
            gx[i * per + k] = plot_lerp(xs[i], xs[i + 1], (double)k / (double)per);
    gx[g - 1] = xs[m - 1];
    if (xn_approx_eval(net, g, gx, gy) != XN_OK) { /* O(g + n): sorted gx */
        plot_set_err(err, "cannot evaluate the network");
        goto out;
    }
    char label[64], ref_label[64];
    snprintf(label, sizeof label, "network (%zu hidden relu)", xn_net_size(net, 1));
    if (fn) {
        for (size_t i = 0; i < g; i++)
            ref[i] = xn_approx_fn_eval(*fn, gx[i]);
        snprintf(ref_label, sizeof ref_label, "%s(x)", xn_approx_fn_name(*fn));
    }
    s = draw_fit(png, title, g, gx, gy, label, ref, ref_label, m, x, f, width, height, err);
out:
    free(xs);
    free(gx);
    free(gy);
    free(ref);
    return s;
}

plot_status plot_fit(const char *png, const char *title, xn_net *net, size_t m, const double *x,
                     const double *y, int width, int height, plot_error *err)
{
    if (!png || !x || !y || !net || m == 0) {
        plot_set_err(err, "nothing to plot");
        return PLOT_EFAIL;
    }
    if (!one_in_one_out(net, err) || !gp_size_ok(width, height, err))
        return PLOT_EFAIL;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < m; i++)
        if (plot_drawable(x[i])) {
            lo = fmin(lo, x[i]);
            hi = fmax(hi, x[i]);
        }
    if (!(lo <= hi)) {
        plot_set_err(err, "no plot_drawable sample");
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
    return draw_fit(png, title, G, gx, gy, "network", NULL, NULL, m, x, y, width, height, err);
}
