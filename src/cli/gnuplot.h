/* One gnuplot run a picture (gnuplot.c), for plot.c: a fresh temporary
 * directory ($TMPDIR or /tmp, "xornet-plot-XXXXXX") registered with the
 * signal handler, the data files and the script written into it, gnuplot
 * started on the script without a shell (posix_spawnp, "-d") and given
 * $XORNET_PLOT_TIMEOUT seconds, its PNG copied to the requested path
 * (atomically, xornet/atomic.h), and the directory removed. */
#ifndef XORNET_CLI_GNUPLOT_H
#define XORNET_CLI_GNUPLOT_H

#include <stdbool.h>
#include <stdio.h>

#include "plot.h"

typedef struct {
    char dir[4096];
    int id; /* the registry entry (cleanup.h); -1 if none */
} gp_run;

/* Makes the run's directory.  PLOT_EFAIL with err's message. */
plot_status gp_start(gp_run *t, plot_error *err);
/* Opens the script (it starts with a cd into the directory, which gnuplot
 * resolves names against) or a data file: one of plot.gp a.dat b.dat
 * c.dat.  NULL with err's message. */
FILE *gp_script(gp_run *t, plot_error *err);
FILE *gp_data(const gp_run *t, const char *name, plot_error *err);
/* Closes a data file f; PLOT_EFAIL if anything written to it failed. */
plot_status gp_close(FILE *f, const char *name, plot_error *err);
/* Closes the script gp, runs gnuplot and copies its picture to png. */
plot_status gp_finish(gp_run *t, FILE *gp, const char *png, plot_error *err);
/* Removes the directory and what is in it; safe to repeat. */
void gp_end(gp_run *t);

/* s as a gnuplot single-quoted string: '' stands for ', and control
 * characters (a newline would end the command) become '?'. */
void gp_quoted(FILE *f, const char *s);
/* The terminal (pngcairo, width x height, 0 for the defaults), the output
 * and the title. */
void gp_header(FILE *f, const char *title, int width, int height);
/* Whether the picture's size is in [16, 10000] (0: the default); if not,
 * err says so. */
bool gp_size_ok(int width, int height, plot_error *err);
/* ---- values gnuplot can draw ---- */

/* gnuplot takes values of magnitude up to about 1e307 and refuses a range
 * wider than a double holds ("x range is invalid"); xornet draws up to
 * this and refuses the rest before gnuplot runs. */
#define PLOT_MAX_ABS 1e300
/* Finite and at most PLOT_MAX_ABS in magnitude. */
bool plot_drawable(double v);
/* x0 + (x1 - x0) t without overflow for a range wider than a double holds:
 * each term stays below max(|x0|, |x1|). */
double plot_lerp(double x0, double x1, double t);
/* A range of one value [v, v] becomes a box around it, unit-wide, or wider
 * where 0.5 is below the value's precision; a wider range is kept. */
void plot_widen(double *lo, double *hi);

/* A picture of a network on n >= 1 rows: png, net, x and y given, and the
 * size in range (gp_size_ok); if not, err says why. */
bool plot_rows_ok(const char *png, const xn_net *net, size_t n, const double *x, const double *y, int width,
                  int height, plot_error *err);
/* The network's outputs (n * nL, malloc'd) on the rows x, each one
 * drawable; NULL after err says why. */
double *plot_net_outputs(xn_net *net, size_t n, const double *x, plot_error *err);

/* printf into err->msg (err may be NULL). */
void plot_set_err(plot_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
