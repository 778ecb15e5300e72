/* The pictures of how a network does on rows with targets (plot.h): a
 * regression's predictions against the targets, a classifier's confusion
 * matrix.  Each evaluates the network itself, writes its data and script
 * through gnuplot.h and gets one PNG back. */
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gnuplot.h"

double *plot_net_outputs(xn_net *net, size_t n, const double *x, plot_error *err)
{
    size_t K = xn_net_size(net, xn_net_layers(net));
    double *a = malloc((n ? n : 1) * K * sizeof *a);
    if (!a) {
        plot_set_err(err, "out of memory");
        return NULL;
    }
    xn_status s = xn_net_predict(net, n, x, a);
    if (s != XN_OK && s != XN_ENUMERIC) {
        plot_set_err(err, "cannot evaluate the network: %s", xn_strerror(s));
        free(a);
        return NULL;
    }
    for (size_t i = 0; i < n * K; i++)
        if (!plot_drawable(a[i])) {
            plot_set_err(err, "the network's output at row %zu is %s; gnuplot draws values up to %g in "
                    "magnitude", i / K + 1, isfinite(a[i]) ? "too large" : "not finite", PLOT_MAX_ABS);
            free(a);
            return NULL;
        }
    return a;
}

/* ---- a regression: predicted against actual ----------------------------- */

plot_status plot_predicted(const char *png, const char *title, xn_net *net, size_t n,
                           const double *x, const double *y, int width, int height,
                           plot_error *err)
{
    if (!plot_rows_ok(png, net, n, x, y, width, height, err))
        return PLOT_EFAIL;
    size_t K = xn_net_size(net, xn_net_layers(net));
    for (size_t i = 0; i < n * K; i++)
        if (!plot_drawable(y[i])) {
            plot_set_err(err, "the target of row %zu is %s; gnuplot draws values up to %g in magnitude",
                    i / K + 1, isfinite(y[i]) ? "too large" : "not finite", PLOT_MAX_ABS);
            return PLOT_EFAIL;
        }
    double *a = plot_net_outputs(net, n, x, err);
    if (!a)
        return PLOT_EFAIL;
    xn_regression r;
    gp_run t;
    FILE *dat = NULL, *gp = NULL;
    plot_status s = PLOT_EFAIL;
    if (xn_regression_metrics(n, K, a, y, &r) != XN_OK) {
        plot_set_err(err, "the outputs' R^2 is not finite");
        free(a);
        return PLOT_EFAIL;
    }
    if ((s = gp_start(&t, err)) != PLOT_OK)
        goto out;
    s = PLOT_EFAIL;
    /* one block an output (gnuplot's "index"), and one square range for both axes */
    double lo = INFINITY, hi = -INFINITY;
    if (!(dat = gp_data(&t, "a.dat", err)))
        goto out;
    for (size_t k = 0; k < K; k++) {
        for (size_t i = 0; i < n; i++) {
            double u = y[i * K + k], v = a[i * K + k];
            fprintf(dat, "%.17g %.17g\n", u, v);
            lo = fmin(lo, fmin(u, v));
            hi = fmax(hi, fmax(u, v));
        }
        fputs("\n\n", dat);
    }
    if (gp_close(dat, "data", err) != PLOT_OK || !(gp = gp_script(&t, err)))
        goto out;
    plot_widen(&lo, &hi);
    double pad = 0.05 * (hi - lo);
    lo -= pad;
    hi += pad;
    char full[600];
    snprintf(full, sizeof full, "%s, R² %.4f", title, r.r2);
    gp_header(gp, full, width, height);
    const char *size = n <= 200 ? "1" : n <= 2000 ? "0.6" : "0.35";
    fprintf(gp, "set xrange [%.17g:%.17g]\nset yrange [%.17g:%.17g]\nset size ratio -1\nset grid\n"
                "set xlabel 'actual (the target)'\nset ylabel 'predicted (the network)'\n"
                "set key top left box opaque Left reverse noenhanced\nset samples 2\n"
                "plot x with lines dashtype 2 linewidth 1.5 linecolor rgb '#555555' title 'predicted = actual'",
            lo, hi, lo, hi);
    /* an output a colour, each named, while there are few */
    if (K == 1 || K > 10)
        fprintf(gp, ", \\\n     'a.dat' using 1:2 with points pointtype 7 pointsize %s linecolor rgb "
                    "'#801f77b4' title '%s'\n",
                size, K == 1 ? "a row" : "a row and output");
    else
        fprintf(gp, ", \\\n     for [k=0:%zu] 'a.dat' index k using 1:2 with points pointtype 7 pointsize %s "
                    "title sprintf('output %%d', k + 1)\n",
                K - 1, size);
    s = gp_finish(&t, gp, png, err);
out:
    gp_end(&t);
    free(a);
    return s;
}

/* ---- a classifier: the confusion matrix ---------------------------------- */

/* Class c as the axes name it: its label, or its number. */
static void class_tic(FILE *gp, const xn_net *net, size_t c)
{
    const char *label = xn_net_label(net, c);
    char num[32];
    if (!label) {
        snprintf(num, sizeof num, "%zu", c);
        label = num;
    }
    gp_quoted(gp, label);
    fprintf(gp, " %zu", c);
}

/* The confusion matrix's script after its data (a.dat: predicted true
 * share count, a block a true class), C classes. */
static void confusion_script(FILE *gp, const xn_net *net, size_t C, size_t longest)
{
    fprintf(gp, "set xrange [-0.5:%zu.5]\nset yrange [%zu.5:-0.5]\nset size square\n"
                "set xlabel 'predicted class'\nset ylabel 'true class'\nset tics scale 0\n"
                "set palette defined (0 '#f7fbff', 0.5 '#6baed6', 1 '#08306b')\nset cbrange [0:1]\n"
                "set cblabel 'share of the true class''s rows'\nunset key\n",
            C - 1, C - 1);
    if (C <= 40) { /* beyond, the numbers gnuplot chooses */
        for (int axis = 0; axis < 2; axis++) {
            fputs(axis ? "set ytics noenhanced (" : "set xtics noenhanced (", gp);
            for (size_t c = 0; c < C; c++) {
                if (c)
                    fputs(", ", gp);
                class_tic(gp, net, c);
            }
            fputs(")\n", gp);
        }
        if (longest * C > 60) /* labels that would run into each other */
            fputs("set xtics rotate by 45 right\n", gp);
    }
    fputs("plot 'a.dat' using 1:2:3 with image", gp);
    /* the counts, white on the dark cells, while they fit */
    if (C <= 30)
        fprintf(gp, ", \\\n     'a.dat' using 1:2:(sprintf('%%d', $4)):($3 > 0.5 ? 0xffffff : 0x202020) "
                    "with labels textcolor rgb variable font ',%d'",
                C <= 12 ? 11 : C <= 20 ? 9 : 7);
    fputc('\n', gp);
}

plot_status plot_confusion(const char *png, const char *title, xn_net *net, size_t n,
                           const double *x, const double *y, int width, int height,
                           plot_error *err)
{
    if (!plot_rows_ok(png, net, n, x, y, width, height, err))
        return PLOT_EFAIL;
    if (xn_net_task(net) != XN_TASK_CLASSIFICATION) {
        plot_set_err(err, "a confusion matrix needs a classifier (a sigmoid or softmax output)");
        return PLOT_EFAIL;
    }
    size_t K = xn_net_size(net, xn_net_layers(net)), C = K == 1 ? 2 : K;
    double *a = plot_net_outputs(net, n, x, err);
    size_t *counts = a ? malloc(C * C * sizeof *counts) : NULL;
    gp_run t = {.dir = ""};
    FILE *dat = NULL, *gp = NULL;
    plot_status s = PLOT_EFAIL;
    if (a && !counts)
        plot_set_err(err, "out of memory");
    if (!counts || xn_confusion(n, K, a, y, counts) != XN_OK || (s = gp_start(&t, err)) != PLOT_OK)
        goto out;
    s = PLOT_EFAIL;
    if (!(dat = gp_data(&t, "a.dat", err)))
        goto out;
    for (size_t r = 0; r < C; r++) {
        size_t total = 0;
        for (size_t p = 0; p < C; p++)
            total += counts[r * C + p];
        for (size_t p = 0; p < C; p++)
            fprintf(dat, "%zu %zu %.17g %zu\n", p, r, total ? (double)counts[r * C + p] / (double)total : 0.0,
                    counts[r * C + p]);
        fputc('\n', dat);
    }
    if (gp_close(dat, "data", err) != PLOT_OK || !(gp = gp_script(&t, err)))
        goto out;
    size_t longest = 1;
    for (size_t c = 0; c < C; c++) {
        const char *label = xn_net_label(net, c);
        size_t len = label ? strlen(label) : (size_t)snprintf(NULL, 0, "%zu", c);
        longest = len > longest ? len : longest;
    }
    char full[600];
    snprintf(full, sizeof full, "%s, accuracy %.4f", title, xn_accuracy(n, K, a, y));
    gp_header(gp, full, width, height);
    confusion_script(gp, net, C, longest);
    s = gp_finish(&t, gp, png, err);
out:
    gp_end(&t);
    free(a);
    free(counts);
    return s;
}
