/* xornet approx: fits NN(x) = sum_j lambda_j relu(x - b_j) to a built-in
 * function or to samples read from CSV (a file or standard input), by
 * interpolation or least squares (include/xornet/approx.h), reports the
 * errors and the time, and optionally saves the network.
 *
 * The command runs in four steps over one `run` struct: parse the options,
 * get the samples, fit, report.  Everything a later output (such as a plot)
 * needs is in `run` once the fit is done. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../text.h"
#include "cli.h"
#include "plot.h"
#include "xornet/approx.h"

static const char help[] =
    "usage: xornet approx [--fn NAME] [--a A] [--b B] [--n N] [options]\n"
    "       xornet approx --samples FILE|- [options]\n"
    "\n"
    "Fits the one-hidden-layer ReLU network NN(x) = sum_j lambda_j relu(x - b_j)\n"
    "(sizes 1 -> n -> 1) to sampled values f_i = f(x_i).  Interpolation puts the\n"
    "knots at b_1 = x_1 - (x_2 - x_1), b_j = x_{j-1} and solves the lower-\n"
    "triangular system A lambda = f, A_ij = max(0, x_i - b_j); least squares\n"
    "(--knots) puts N equidistant knots over the x range and solves by LAPACKE\n"
    "dgels.  Prints the errors on a grid 10x finer than the samples (built-in\n"
    "functions only), the residual at the samples and the time of the fit.\n"
    "\n"
    "samples (one source):\n"
    "  --fn NAME        sin cos exp abs runge sqrt tanh (default sin)\n"
    "  --a A, --b B     the interval, a < b (default 0 and pi)\n"
    "  --n N            equidistant samples, N >= 2 (default 16)\n"
    "  --samples FILE   CSV lines 'x,f' in any order and spacing; '-' reads\n"
    "                   standard input; '#' comments, blank lines and a header\n"
    "                   line are allowed\n"
    "fit:\n"
    "  --method M       interpolation solver: auto (default; the closed form,\n"
    "                   fastest at every n measured), lapacke (dense dtrtrs) or\n"
    "                   closed (the slope changes, O(n))\n"
    "  --knots N        least squares with N >= 2 knots (N <= samples); repeated\n"
    "                   x are allowed while the system keeps full rank\n"
    "  --min-norm       accept a rank-deficient least-squares system and use\n"
    "                   dgelsd's minimum-norm solution (default: exit status 2)\n"
    "output:\n"
    "  --save FILE      write the fitted network as a model file\n"
    "  --plot FILE      draw the samples, the fitted network and (for --fn) the\n"
    "                   function into the PNG file FILE with gnuplot\n"
    "\n"
    "Exit status: 0 fitted, 1 the work failed (memory, saving), 2 bad usage or\n"
    "bad input (too few or repeated samples, a bad CSV line, a singular system).\n";

typedef struct {
    /* options */
    const char *samples_path; /* NULL: the built-in function */
    xn_approx_fn fn;
    double a, b;
    size_t n;                 /* built-in samples */
    size_t knots;             /* 0: interpolation */
    xn_approx_opts opts;
    bool method_given, fn_given;
    const char *save_path;
    const char *plot_path;
    /* samples: x (m), f (m); lines (m) their 1-based lines of a file */
    double *x, *f;
    size_t *lines;
    size_t m;
    /* the fit */
    xn_net *net;
    xn_approx_info info;
    double seconds;
} run;

static int parse_args(int argc, char **argv, run *r)
{
    bool grid_given = false;
    for (int i = 0; i < argc; i++) {
        const char *v;
        int got;
        if (cli_is_help(argv[i])) {
            fputs(help, stdout);
            return -1;
        }
        if ((got = cli_opt(argc, argv, &i, "--fn", &v)) != 0) {
            if (got < 0)
                return EXIT_USAGE;
            if (xn_approx_fn_parse(v, &r->fn) != XN_OK) {
                cli_error("--fn: unknown function '%s' (sin cos exp abs runge sqrt tanh)", v);
                return EXIT_USAGE;
            }
            r->fn_given = true;
        } else if ((got = cli_opt(argc, argv, &i, "--a", &v)) != 0) {
            if (got < 0 || cli_parse_double("--a", v, &r->a) != 0)
                return EXIT_USAGE;
            grid_given = true;
        } else if ((got = cli_opt(argc, argv, &i, "--b", &v)) != 0) {
            if (got < 0 || cli_parse_double("--b", v, &r->b) != 0)
                return EXIT_USAGE;
            grid_given = true;
        } else if ((got = cli_opt(argc, argv, &i, "--n", &v)) != 0) {
            if (got < 0 || cli_parse_size("--n", v, 2, (size_t)1 << 24, &r->n) != 0)
                return EXIT_USAGE;
            grid_given = true;
        } else if ((got = cli_opt(argc, argv, &i, "--samples", &v)) != 0) {
            if (got < 0)
                return EXIT_USAGE;
            r->samples_path = v;
        } else if ((got = cli_opt(argc, argv, &i, "--knots", &v)) != 0) {
            if (got < 0 || cli_parse_size("--knots", v, 2, (size_t)1 << 24, &r->knots) != 0)
                return EXIT_USAGE;
        } else if ((got = cli_opt(argc, argv, &i, "--method", &v)) != 0) {
            if (got < 0)
                return EXIT_USAGE;
            if (xn_approx_method_parse(v, &r->opts.method) != XN_OK) {
                cli_error("--method: unknown method '%s' (auto lapacke closed)", v);
                return EXIT_USAGE;
            }
            r->method_given = true;
        } else if (strcmp(argv[i], "--min-norm") == 0) {
            r->opts.min_norm = 1;
        } else if ((got = cli_opt(argc, argv, &i, "--save", &v)) != 0) {
            if (got < 0)
                return EXIT_USAGE;
            r->save_path = v;
        } else if ((got = cli_opt(argc, argv, &i, "--plot", &v)) != 0) {
            if (got < 0)
                return EXIT_USAGE;
            r->plot_path = v;
        } else {
            return cli_unknown("approx", argv[i]);
        }
    }
    if (r->samples_path && (r->fn_given || grid_given)) {
        cli_error("approx: --samples cannot be combined with --fn, --a, --b or --n");
        return EXIT_USAGE;
    }
    if (r->knots && r->method_given) {
        cli_error("approx: --method chooses the interpolation solver; --knots always uses dgels");
        return EXIT_USAGE;
    }
    if (r->opts.min_norm && !r->knots) {
        cli_error("approx: --min-norm applies to least squares (--knots) only");
        return EXIT_USAGE;
    }
    if (!r->samples_path && !(r->a < r->b)) {
        cli_error("approx: need --a < --b, got %g and %g", r->a, r->b);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

/* Name used in messages for the sample source. */
static const char *source_name(const run *r)
{
    return strcmp(r->samples_path, "-") == 0 ? "<stdin>" : r->samples_path;
}

static int get_samples(run *r)
{
    xn_error err = {0, ""};
    xn_status s;
    if (r->samples_path) {
        if (strcmp(r->samples_path, "-") == 0) {
            char *text;
            size_t len;
            s = xn_read_stream(stdin, XN_TEXT_MAX_FILE, &text, &len, &err);
            if (s == XN_OK) {
                s = xn_samples_parse_lines(text, len, &r->x, &r->f, &r->lines, &r->m, &err);
                free(text);
            }
        } else {
            s = xn_samples_load_lines(r->samples_path, &r->x, &r->f, &r->lines, &r->m, &err);
        }
        if (s != XN_OK) {
            cli_file_error(source_name(r), s, &err);
            return s == XN_ENOMEM ? EXIT_FAIL : EXIT_USAGE;
        }
        return EXIT_OK;
    }
    r->m = r->n;
    r->x = malloc(r->m * sizeof *r->x);
    r->f = malloc(r->m * sizeof *r->f);
    if (!r->x || !r->f) {
        cli_error("out of memory for %zu samples", r->m);
        return EXIT_FAIL;
    }
    s = xn_approx_fn_sample(r->fn, r->a, r->b, r->m, r->x, r->f, &err);
    if (s != XN_OK) {
        cli_error("--fn %s on [%g, %g]: %s", xn_approx_fn_name(r->fn), r->a, r->b,
                  err.msg[0] ? err.msg : xn_strerror(s));
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

/* Reports a fit's complaint about particular samples (info.where, input
 * positions) at their lines of the sample file; false if it has none. */
static bool sample_error(const run *r)
{
    const size_t *w = r->info.where;
    if (!r->lines || w[0] < 1 || w[0] > r->m || w[1] > r->m)
        return false;
    size_t i = w[0] - 1;
    if (w[1] >= 1 && r->x[w[1] - 1] == r->x[i]) {
        /* the later of the two, as a reader of the file meets it */
        size_t j = w[1] - 1;
        cli_error("%s:%zu: repeated x = %.15g (also on line %zu); interpolation needs "
                  "distinct x", source_name(r), r->lines[j], r->x[j], r->lines[i]);
        return true;
    }
    if (w[1] == 0 && (!isfinite(r->x[i]) || !isfinite(r->f[i]))) {
        cli_error("%s:%zu: sample is not finite: x = %g, f = %g", source_name(r),
                  r->lines[i], r->x[i], r->f[i]);
        return true;
    }
    return false;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int fit(run *r)
{
    double t0 = now();
    xn_status s = r->knots
        ? xn_approx_lsq(r->x, r->f, r->m, r->knots, &r->opts, &r->net, &r->info)
        : xn_approx_interp(r->x, r->f, r->m, &r->opts, &r->net, &r->info);
    r->seconds = now() - t0;
    if (s != XN_OK) {
        const char *why = r->info.msg[0] ? r->info.msg : xn_strerror(s);
        const char *hint = s == XN_ESINGULAR && r->knots && r->info.rank ? " (--min-norm)" : "";
        if (!r->samples_path)
            cli_error("--fn %s: %s%s", xn_approx_fn_name(r->fn), why, hint);
        else if (!sample_error(r))
            cli_error("%s: %s%s", source_name(r), why, hint);
        return s == XN_ENOMEM ? EXIT_FAIL : EXIT_USAGE;
    }
    if (r->info.msg[0]) /* a rank-deficient fit accepted with --min-norm */
        cli_error("warning: %s", r->info.msg);
    return EXIT_OK;
}

/* Max and RMS of |NN - fn| on 10 (m - 1) + 1 equidistant points of [a, b]. */
static int grid_errors(run *r, size_t *points, double *max_err, double *rms_err)
{
    size_t g = 10 * (r->m - 1) + 1;
    double *gx = malloc(g * sizeof *gx), *gy = malloc(g * sizeof *gy);
    int rc = EXIT_OK;
    if (!gx || !gy) {
        cli_error("out of memory for the %zu-point error grid", g);
        rc = EXIT_FAIL;
        goto done;
    }
    double step = (r->b - r->a) / (double)(g - 1);
    for (size_t k = 0; k < g; k++)
        gx[k] = k + 1 == g ? r->b : r->a + (double)k * step;
    xn_status s = xn_approx_predict(r->net, g, gx, gy);
    if (s != XN_OK) {
        cli_error("forward pass on the error grid: %s", xn_strerror(s));
        rc = EXIT_FAIL;
        goto done;
    }
    double mx = 0.0, ss = 0.0;
    for (size_t k = 0; k < g; k++) {
        gy[k] = fabs(gy[k] - xn_approx_fn_eval(r->fn, gx[k])); /* the error */
        if (!(gy[k] <= mx))
            mx = gy[k];
    }
    /* squares of e / max: no overflow for errors near 1e308 */
    for (size_t k = 0; k < g && mx > 0.0 && isfinite(mx); k++)
        ss += (gy[k] / mx) * (gy[k] / mx);
    *points = g;
    *max_err = mx;
    *rms_err = mx > 0.0 && isfinite(mx) ? mx * sqrt(ss / (double)g) : mx;
done:
    free(gx);
    free(gy);
    return rc;
}

static int report(run *r)
{
    const xn_approx_info *in = &r->info;
    if (r->samples_path)
        printf("samples    %zu from %s\n", in->m, source_name(r));
    else
        printf("samples    %zu of %s on [%.17g, %.17g]\n", in->m,
               xn_approx_fn_name(r->fn), r->a, r->b);
    if (r->knots)
        printf("fit        least squares, %s, rank %zu, rcond %.3e\n", in->solver,
               in->rank, in->rcond);
    else
        printf("fit        interpolation, %s\n", in->solver);
    printf("n          %zu\n", in->n);
    if (!r->samples_path) {
        size_t points;
        double mx, rms;
        int rc = grid_errors(r, &points, &mx, &rms);
        if (rc != EXIT_OK)
            return rc;
        printf("max_error  %.6e  (on %zu points, 10x finer than the samples)\n", mx, points);
        printf("rms_error  %.6e\n", rms);
    }
    printf("resid_max  %.6e  (at the samples)\n", in->resid_max);
    printf("resid_rms  %.6e\n", in->resid_rms);
    printf("time       %.6f s\n", r->seconds);
    if (!isfinite(in->resid_max)) {
        cli_error("the fit is not finite at the samples");
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

int cmd_approx(int argc, char **argv)
{
    run r;
    memset(&r, 0, sizeof r);
    r.fn = XN_FN_SIN;
    r.a = 0.0;
    r.b = 3.14159265358979323846;
    r.n = 16;
    r.opts.method = XN_APPROX_AUTO;
    int rc = parse_args(argc, argv, &r);
    if (rc < 0)
        return EXIT_OK; /* --help */
    if (rc == EXIT_OK)
        rc = get_samples(&r);
    if (rc == EXIT_OK)
        rc = fit(&r);
    if (rc == EXIT_OK)
        rc = report(&r);
    if (rc == EXIT_OK && r.plot_path) {
        plot_error err = {""};
        char title[160];
        if (r.samples_path)
            snprintf(title, sizeof title, "ReLU fit, %zu knots, to %s", r.info.n, source_name(&r));
        else
            snprintf(title, sizeof title, "ReLU fit, %zu knots, to %s on [%g, %g]", r.info.n,
                     xn_approx_fn_name(r.fn), r.a, r.b);
        if (plot_approx(r.plot_path, title, r.m, r.x, r.f, r.net, r.samples_path ? NULL : &r.fn,
                        0, 0, &err) != PLOT_OK) {
            cli_error("--plot: %s", err.msg);
            rc = EXIT_FAIL;
        } else {
            printf("plot       %s\n", r.plot_path);
        }
    }
    if (rc == EXIT_OK && r.save_path) {
        xn_error err = {0, ""};
        xn_status s = xn_net_save(r.net, r.save_path, &err);
        if (s != XN_OK) {
            cli_file_error(r.save_path, s, &err);
            rc = EXIT_FAIL;
        }
    }
    xn_net_destroy(r.net);
    free(r.x);
    free(r.f);
    free(r.lines);
    return rc;
}
