/* PNG pictures of training runs and fits, drawn by gnuplot (Debian
 * gnuplot-nox, its pngcairo terminal).
 *
 * Each picture is one gnuplot run: the data and the script are written to a
 * fresh temporary directory ($TMPDIR or /tmp, "xornet-plot-XXXXXX"),
 * gnuplot is started with posix_spawnp("gnuplot", {"gnuplot", "-d",
 * script}) -- no shell, and no user path inside the script: gnuplot writes
 * the PNG into the temporary directory, and xornet copies it to the
 * requested path (through a temporary file in the same folder, renamed into
 * place; a device or FIFO is written directly, xornet/atomic.h).  The
 * temporary directory is removed before the call returns, and by the
 * program's signal handler if a signal comes first (cleanup.h).
 *
 * gnuplot reads nothing and writes to a log in the temporary directory: a
 * warning is kept in plot_error.warning (the program drops it), an error
 * becomes the one line of plot_error.  It may
 * run $XORNET_PLOT_TIMEOUT seconds (PLOT_TIMEOUT if unset), then it is
 * killed.  Values beyond 1e300 in magnitude, which gnuplot cannot draw,
 * are refused before it runs (a loss curve leaves such points out).
 *
 * The functions print nothing; they return a plot_status and fill a
 * plot_error with one line. */
#ifndef XORNET_PLOT_H
#define XORNET_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "xornet/approx.h"
#include "xornet/xornet.h"

typedef enum {
    PLOT_OK = 0,
    PLOT_ENOGNUPLOT, /* gnuplot is not installed (not on PATH) */
    PLOT_EFAIL       /* anything else: a file, gnuplot's exit status, memory */
} plot_status;

typedef struct {
    char msg[512];
    /* gnuplot's first warning about a picture it drew, "" if none: the
     * program drops it, the tests require it empty */
    char warning[256];
} plot_error;

/* The default picture size in pixels, used when a width or height is 0;
 * a picture of two panels side by side is PLOT_WIDE wide. */
enum { PLOT_WIDTH = 800, PLOT_HEIGHT = 600, PLOT_WIDE = 1200 };

/* Seconds gnuplot may take for one picture unless $XORNET_PLOT_TIMEOUT
 * says otherwise: ample for the largest plot xornet draws (about 2 s). */
#define PLOT_TIMEOUT 60.0

/* What to tell a user without gnuplot. */
#define PLOT_INSTALL_HINT \
    "gnuplot was not found on PATH; install it to draw plots (Debian/Ubuntu: apt-get install gnuplot-nox)"

/* True if an executable "gnuplot" is on PATH. */
bool plot_have_gnuplot(void);

/* Creates the directory dir (one level, mode 0777 less the umask) unless it
 * exists as a directory.  PLOT_EFAIL otherwise. */
plot_status plot_mkdir(const char *dir, plot_error *err);

/* Both checks a --plot DIR makes before any work is drawn: gnuplot is on
 * PATH (else PLOT_ENOGNUPLOT with PLOT_INSTALL_HINT in err) and dir exists
 * or was made (plot_mkdir). */
plot_status plot_prepare_dir(const char *dir, plot_error *err);

/* One named curve of a history: y (n) against x (n). */
typedef struct {
    const char *name;
    size_t n;
    const double *x, *y;
} plot_curve;

enum { PLOT_CURVES_MAX = 3 };

/* A vertical line across a picture of curves at x, named in the key
 * ("weights kept: epoch 49"), with each curve's point there marked. */
typedef struct {
    double x;
    const char *label;
} plot_mark;

/* The k (at most PLOT_CURVES_MAX) curves c in one picture, with the axes'
 * labels, mark (NULL: none), and a key below the frame naming them when
 * k > 1 or there is a mark.  With log_y a log-scale y (points <= 0 left out; linear if none
 * is positive), its ticks at 1, 2 and 5 times the powers of ten the range
 * spans.  The y range is fitted to the points: on a log scale to all of
 * them, on a linear one to those after each curve's first tenth (a first
 * epoch far from the rest would flatten the rest: it runs out of the
 * frame) and mark's.  Points not finite or beyond 1e300 are left out;
 * PLOT_EFAIL if none is left. */
plot_status plot_curves(const char *png, const char *title, const char *xlabel, const char *ylabel,
                        bool log_y, size_t k, const plot_curve *c, const plot_mark *mark, int width,
                        int height, plot_error *err);

/* The loss curve y (n) against the steps x (n), log-scale (plot_curves). */
plot_status plot_loss(const char *png, const char *title, size_t n, const double *x,
                      const double *y, int width, int height, plot_error *err);

/* The network's output (a 2 -> ... -> 1 network) over the bounding box of
 * the n inputs x (n, 2), widened by a tenth each way, in two panels: a 3-D
 * surface with the points (x_i, y_i) (y (n) are targets) and the
 * network's outputs there drawn over it (never hidden behind it), and a
 * heat map from above with the points, each labelled with the network's
 * output when n <= PLOT_LABELS_MAX.  The default width is PLOT_WIDE.
 * PLOT_EFAIL for a network that is not 2 -> 1. */
enum { PLOT_LABELS_MAX = 16 };
plot_status plot_surface(const char *png, const char *title, xn_net *net, size_t n,
                         const double *x, const double *y, int width, int height,
                         plot_error *err);

/* Where the breakpoints of an approximation are: k knots t (k), marked on
 * the curve, or (at_samples) the samples themselves, which the key says. */
typedef struct {
    size_t k;
    const double *t;
    bool at_samples;
} plot_knots;

/* A 1 -> n -> 1 fit: the samples (x_i, f_i) (m, any order), the network
 * over the samples' range with the knots kn (NULL: none said), and, when fn
 * is not NULL, the built-in function it was sampled from
 * (xn_approx_fn_eval). */
plot_status plot_approx(const char *png, const char *title, size_t m, const double *x,
                        const double *f, xn_net *net, const xn_approx_fn *fn,
                        const plot_knots *kn, int width, int height, plot_error *err);

/* A network of 1 input and 1 output over the range of the n inputs x (n),
 * with the points (x_i, y_i) (targets) marked: a regression's fit. */
plot_status plot_fit(const char *png, const char *title, xn_net *net, size_t n, const double *x,
                     const double *y, int width, int height, plot_error *err);

/* A regression's outputs on the n rows x (n, n0) against their targets y
 * (n, nL): a point a row (and output, one colour each), the diagonal where
 * they agree, equal scales, and after the title R^2 as the report prints
 * it (xn_regression_metrics, averaged over the outputs).  n >= 1. */
plot_status plot_predicted(const char *png, const char *title, xn_net *net, size_t n,
                           const double *x, const double *y, int width, int height,
                           plot_error *err);

/* A classifier's confusion matrix on the n rows x (n, n0) with targets y
 * (n, nL): a row a true class, a column a predicted one (xn_confusion),
 * each cell's count written in it and shaded by its share of the true
 * class's rows, the classes named by the network's labels (else their
 * numbers), and the accuracy after the title.  PLOT_EFAIL for a
 * regression, or several sigmoid outputs (labels of their own, not one
 * class a row). */
plot_status plot_confusion(const char *png, const char *title, xn_net *net, size_t n,
                           const double *x, const double *y, int width, int height,
                           plot_error *err);

#endif
