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
 * warning is dropped, an error becomes the one line of plot_error.  It may
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
} plot_error;

/* The default picture size in pixels, used when a width or height is 0. */
enum { PLOT_WIDTH = 800, PLOT_HEIGHT = 600 };

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

/* The k (at most PLOT_CURVES_MAX) curves c in one picture (a key naming them when k > 1), with the
 * axes' labels; with log_y a log-scale y (points <= 0 left out; linear if
 * none is positive).  Points not finite or beyond 1e300 are left out;
 * PLOT_EFAIL if none is left. */
plot_status plot_curves(const char *png, const char *title, const char *xlabel, const char *ylabel,
                        bool log_y, size_t k, const plot_curve *c, int width, int height,
                        plot_error *err);

/* The loss curve y (n) against the steps x (n), log-scale (plot_curves). */
plot_status plot_loss(const char *png, const char *title, size_t n, const double *x,
                      const double *y, int width, int height, plot_error *err);

/* The network's output (a 2 -> ... -> 1 network) as a 3-D surface over the
 * bounding box of the n inputs x (n, 2), with the points (x_i, y_i) marked
 * and each labelled with the network's output there (y (n) are targets).
 * PLOT_EFAIL for a network that is not 2 -> 1. */
plot_status plot_surface(const char *png, const char *title, xn_net *net, size_t n,
                         const double *x, const double *y, int width, int height,
                         plot_error *err);

/* A 1 -> n -> 1 fit: the samples (x_i, f_i) (m, any order), the network
 * over the samples' range, and, when fn is not NULL, the built-in function
 * it was sampled from (xn_approx_fn_eval). */
plot_status plot_approx(const char *png, const char *title, size_t m, const double *x,
                        const double *f, xn_net *net, const xn_approx_fn *fn, int width,
                        int height, plot_error *err);

/* A network of 1 input and 1 output over the range of the n inputs x (n),
 * with the points (x_i, y_i) (targets) marked: a regression's fit. */
plot_status plot_fit(const char *png, const char *title, xn_net *net, size_t n, const double *x,
                     const double *y, int width, int height, plot_error *err);

#endif
