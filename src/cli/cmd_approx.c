/* xornet approx: fits NN(x) = sum_j lambda_j relu(x - b_j) to a built-in
 * function or to samples read from CSV (a file or standard input), by
 * interpolation, least squares (equidistant knots, knots given, or a knot
 * count chosen by GCV) or adaptive refinement of a built-in function
 * (include/xornet/approx.h); reports the errors and the time, and
 * optionally prints the knots, saves the network and plots the fit.
 *
 * The command runs in four steps over one `run` struct (approx.h): parse
 * the options, get the samples, fit, report (approx_report.c). */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "approx.h"
#include "cli.h"
#include "clock.h"
#include "opts.h"
#include "paths.h"

#define AT(m) OPT_AT(run, m)
static const opt rows[] = {
    OPT_SECTION("samples (one source):"),
    {.flag = "--fn", .arg = "NAME", .kind = OPT_NAME, AT(fn), .names = xn_approx_fn_names, .noun = "function",
     .show_default = true, .help = "{names}"},
    {.flag = "--a", .arg = "A", .kind = OPT_NUM, AT(a), .show_default = true,
     .help = "the interval's left end, below --b"},
    {.flag = "--b", .arg = "B", .kind = OPT_NUM, AT(b), .show_default = true, .help = "its right end"},
    {.flag = "--n", .arg = "N", .kind = OPT_SIZE, AT(n), .lo = 2, .hi = 1u << 24, .show_default = true,
     .help = "equidistant samples (with --tol the points refinement starts from)"},
    {.flag = "--noise", .arg = "SD", .kind = OPT_NUM, AT(noise),
     .help = "add normal noise of standard deviation SD to the samples of --fn (NumPy's "
             "np.random.seed(S); randn)"},
    {.flag = "--seed", .arg = "S", .kind = OPT_U64, AT(seed), .hi = 0xffffffffu, .show_default = true,
     .help = "the noise's seed, 0 <= S < 2^32"},
    {.flag = "--samples", .arg = "FILE", .kind = OPT_IN, AT(samples_path),
     .help = "CSV lines 'x,f' in any order and spacing; '-' reads standard input; '#' comments, blank "
             "lines and a header line (words, not numbers) are allowed"},
    OPT_SECTION("fit (interpolation unless one of --knots, --knots-at, --gcv, --tol):"),
    {.flag = "--method", .arg = "M", .kind = OPT_NAME, AT(opts.method), .names = xn_approx_method_names,
     .noun = "method",
     .help = "interpolation solver: auto (default; the closed form, fastest at every n measured), "
             "lapacke (dense dtrtrs) or closed (the slope changes, O(n))"},
    {.flag = "--knots", .arg = "N", .kind = OPT_SIZE, AT(knots), .lo = 2, .hi = 1u << 24,
     .help = "least squares with N >= 2 equidistant knots from x_1 to x_n (N <= samples); repeated x "
             "are allowed while the system keeps full rank"},
    {.flag = "--knots-at", .arg = "K", .kind = OPT_IN, AT(knots_at),
     .help = "least squares with the breakpoints K: a list such as '-1,0,1' (a single number is a "
             "list too), or a file of one knot a line; increasing, inside or at the ends of the "
             "samples' range"},
    {.flag = "--gcv", .kind = OPT_FLAG, .value = 1, AT(gcv),
     .help = "least squares with the knot count 2..G that minimizes the generalized cross-validation "
             "score m RSS/(m - K)^2 (Craven & Wahba 1979); prints the chosen K and its neighbours from "
             "the table of K, RSS, score"},
    {.flag = "--gcv-table", .kind = OPT_FLAG, .value = 1, AT(gcv_table_all),
     .help = "print every row of --gcv's table"},
    {.flag = "--gcv-max", .arg = "G", .kind = OPT_SIZE, AT(gcv_max), .lo = 2, .hi = 1u << 24,
     .help = "the largest knot count --gcv tries (default min(m/2, 200))"},
    {.flag = "--tol", .arg = "T", .kind = OPT_NUM, AT(tol),
     .help = "adaptive refinement of --fn: knots added where the error is largest until the maximum "
             "error on a check grid of 10 points an interval is at most T; reports the observed order "
             "p in error ~ h^p (2 for smooth functions)"},
    {.flag = "--max-n", .arg = "N", .kind = OPT_SIZE, AT(max_n), .lo = 2, .hi = 1u << 30,
     .help = "the most knots --tol may use (default 1048576)"},
    {.flag = "--min-norm", .kind = OPT_FLAG, .value = 1, AT(opts.min_norm),
     .help = "accept a rank-deficient least-squares system and use dgelsd's minimum-norm solution "
             "(default: exit status 2)"},
    {.flag = "--extrapolate", .arg = "E", .kind = OPT_NAME, AT(opts.extrapolate), .names = xn_approx_extrap_names,
     .noun = "choice",
     .help = "outside [x_1, x_n]: bare (default, as above), linear (the first and last pieces "
             "continued) or constant (the end values held); built into the network and its --save"},
    OPT_SECTION("output:"),
    {.flag = "--print", .kind = OPT_FLAG, .value = 1, AT(print),
     .help = "list every hidden unit: its knot, lambda and the fit's value there"},
    {.flag = "--save", .arg = "FILE", .kind = OPT_OUT, AT(save_path), .help = "write the fitted network as a model file"},
    {.flag = "--plot", .arg = "FILE", .kind = OPT_OUT, AT(plot_path),
     .help = "draw the samples, the fitted network and (for --fn) the function into the PNG file FILE "
             "with gnuplot"},
};

static const char usage[] = "usage: xornet approx [--fn NAME] [--a A] [--b B] [--n N] [options]\n"
                            "       xornet approx --samples FILE|- [options]";
static const char intro[] =
    "Fits the one-hidden-layer ReLU network NN(x) = sum_j lambda_j relu(x - b_j)\n"
    "(sizes 1 -> n -> 1) to sampled values f_i = f(x_i).  Interpolation puts the\n"
    "knots at b_1 = x_1 - (x_2 - x_1), b_j = x_{j-1} and solves the lower-\n"
    "triangular system A lambda = f, A_ij = max(0, x_i - b_j); least squares\n"
    "(--knots, --knots-at, --gcv) fits a broken line with the given breakpoints\n"
    "by LAPACKE dgels.  Prints the errors against the function on a grid 10x\n"
    "finer than the samples (built-in functions only), the residual at the\n"
    "samples and the time of the fit.\n"
    "\n"
    "The fit is valid on the samples' range [x_1, x_n] only.  Outside it the\n"
    "network is 0 left of its first knot b_1, rises linearly from b_1 to x_1,\n"
    "and continues linearly right of x_n, unless --extrapolate says otherwise.\n";
static const char outro[] =
    "Exit status: 0 fitted, 1 the work failed (memory, saving, --tol not\n"
    "reached), 2 bad usage or bad input (too few or repeated samples, a bad CSV\n"
    "line or knot, a singular system).\n";

static void defaults(run *r)
{
    *r = (run){.fn = XN_FN_SIN, .b = 3.14159265358979323846, .n = 16, .seed = 1,
               .opts = {.method = XN_APPROX_AUTO, .extrapolate = XN_EXTRAP_BARE}};
}

/* The fit the flags choose: at most one of them. */
static int choose_fit(run *r)
{
    static const struct {
        const char *flag;
        fit_kind kind;
    } fits[] = {{"--knots", FIT_KNOTS}, {"--knots-at", FIT_KNOTS_AT}, {"--gcv", FIT_GCV}, {"--tol", FIT_ADAPT}};
    const char *chosen = NULL;
    r->kind = FIT_INTERP;
    for (size_t i = 0; i < sizeof fits / sizeof *fits; i++) {
        if (!opts_given(&r->given, fits[i].flag))
            continue;
        if (chosen) {
            cli_error("approx: %s cannot be combined with %s", fits[i].flag, chosen);
            return EXIT_USAGE;
        }
        chosen = fits[i].flag;
        r->kind = fits[i].kind;
    }
    return EXIT_OK;
}

static int parse_args(int argc, char **argv, run *r)
{
    run d;
    defaults(&d);
    *r = d; /* every field: the cleanup frees the arrays whatever happens */
    r->given = (opts){.cmd = "approx", .rows = rows, .n = sizeof rows / sizeof rows[0], .usage = usage,
                      .intro = intro, .outro = outro, .def = &d};
    int rc = opts_parse(&r->given, argc, argv, r);
    if (rc != EXIT_OK)
        return rc;
    if ((rc = choose_fit(r)) != EXIT_OK)
        return rc;
    const opts *o = &r->given;
    bool grid_given = opts_given(o, "--a") || opts_given(o, "--b") || opts_given(o, "--n") ||
                      opts_given(o, "--noise") || opts_given(o, "--seed");
    if (r->kind == FIT_ADAPT && !(r->tol > 0.0)) {
        cli_error("--tol: the tolerance must be > 0, got %g", r->tol);
        return EXIT_USAGE;
    }
    if (!(r->noise >= 0.0)) {
        cli_error("--noise: the standard deviation must be >= 0, got %g", r->noise);
        return EXIT_USAGE;
    }
    const char *clash = NULL;
    if (r->samples_path && (opts_given(o, "--fn") || grid_given))
        clash = "--samples cannot be combined with --fn, --a, --b, --n, --noise or --seed";
    else if (r->kind != FIT_INTERP && opts_given(o, "--method"))
        clash = "--method chooses the interpolation solver; least squares always uses "
                "dgels, --tol the closed form";
    else if (r->opts.min_norm && (r->kind == FIT_INTERP || r->kind == FIT_ADAPT))
        clash = "--min-norm applies to least squares (--knots, --knots-at, --gcv) only";
    else if (r->gcv_max && r->kind != FIT_GCV)
        clash = "--gcv-max applies to --gcv only";
    else if (r->gcv_table_all && r->kind != FIT_GCV)
        clash = "--gcv-table applies to --gcv only";
    else if (r->max_n && r->kind != FIT_ADAPT)
        clash = "--max-n applies to --tol only";
    else if (r->kind == FIT_ADAPT && (r->samples_path || r->noise > 0.0))
        clash = "--tol refines a built-in function (--fn), without --samples or --noise";
    else if (opts_given(o, "--seed") && !(r->noise > 0.0))
        clash = "--seed applies to --noise only";
    if (clash) {
        cli_error("approx: %s", clash);
        return EXIT_USAGE;
    }
    if ((rc = opts_check_paths(o, r)) != EXIT_OK)
        return rc;
    if (!r->samples_path && !(r->a < r->b)) {
        cli_error("approx: need --a < --b, got %g and %g", r->a, r->b);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}


static int get_samples(run *r)
{
    xn_error err = {0};
    xn_status s;
    if (r->samples_path) {
        /* '-' is standard input, read to its end as a file is */
        const char *path = strcmp(r->samples_path, "-") == 0 ? "/dev/stdin" : r->samples_path;
        s = xn_samples_load_lines(path, &r->x, &r->f, &r->lines, &r->m, &err);
        if (s != XN_OK) {
            cli_file_error(approx_source_name(r), s, &err);
            return s == XN_ENOMEM ? EXIT_FAIL : EXIT_USAGE;
        }
        return EXIT_OK;
    }
    if (r->kind == FIT_ADAPT)
        return EXIT_OK; /* the refinement calls the function itself */
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
    if (r->noise > 0.0) {
        xn_rng rng;
        xn_rng_seed(&rng, XN_RNG_NUMPY, r->seed);
        for (size_t i = 0; i < r->m; i++)
            r->f[i] += r->noise * xn_rng_normal(&rng);
    }
    return EXIT_OK;
}

/* A list for --knots-at: it has a comma, or is one number. */
static bool is_list(const char *s)
{
    char *end;
    if (strchr(s, ','))
        return true;
    (void)strtod(s, &end);
    return end != s && *end == '\0';
}

static int get_knots(run *r)
{
    const char *v = r->knots_at;
    xn_error err = {0};
    xn_status s = is_list(v) ? xn_knots_parse_list(v, &r->t, &r->k, &err)
                             : xn_knots_load(v, &r->t, &r->t_lines, &r->k, &err);
    if (s == XN_OK)
        return EXIT_OK;
    if (!is_list(v))
        cli_file_error(v, s, &err);
    else if (err.line)
        cli_error("--knots-at: item %zu: %s", err.line, err.msg);
    else
        cli_error("--knots-at: %s", err.msg[0] ? err.msg : xn_strerror(s));
    return s == XN_ENOMEM ? EXIT_FAIL : EXIT_USAGE;
}

/* Reports a fit's complaint at a line of the input where it has lines:
 * the offending knot's or samples' lines, else the last sample's line (the
 * input as a whole, read to its end, is what the fit refused). */
static void fit_error(const run *r, xn_status s)
{
    const char *why = r->info.msg[0] ? r->info.msg : xn_strerror(s);
    const char *hint = s == XN_ESINGULAR && r->kind != FIT_INTERP && r->info.rank ? " (--min-norm)" : "";
    const size_t *w = r->info.where;
    size_t kn = r->info.knot;
    if (kn >= 1 && kn <= r->k) {
        if (r->t_lines)
            cli_error("%s:%zu: %s", r->knots_at, r->t_lines[kn - 1], why);
        else
            cli_error("--knots-at: %s", why);
    } else if (!r->samples_path) {
        cli_error("--fn %s: %s%s", xn_approx_fn_name(r->fn), why, hint);
    } else if (w[0] >= 1 && w[0] <= r->m && w[1] >= 1 && w[1] <= r->m &&
               r->x[w[1] - 1] == r->x[w[0] - 1]) {
        /* the later of the two, as a reader of the file meets it */
        size_t i = w[0] - 1, j = w[1] - 1;
        cli_error("%s:%zu: repeated x = %.15g (also on line %zu); interpolation needs "
                  "distinct x", approx_source_name(r), r->lines[j], r->x[j], r->lines[i]);
    } else if (w[0] >= 1 && w[0] <= r->m) {
        cli_error("%s:%zu: %s", approx_source_name(r), r->lines[w[0] - 1], why);
    } else {
        cli_error("%s:%zu: %s%s", approx_source_name(r), r->lines[r->m - 1], why, hint);
    }
}


/* --gcv: the table into r->gcv_table, the chosen count into r->knots. */
static xn_status run_gcv(run *r)
{
    size_t g = r->gcv_max ? r->gcv_max : XN_APPROX_GCV_MAX(r->m);
    r->gcv_rows = g >= 2 ? g - 1 : 0;
    r->gcv_table = malloc((r->gcv_rows ? r->gcv_rows : 1) * sizeof *r->gcv_table);
    if (!r->gcv_table)
        return XN_ENOMEM;
    return xn_approx_gcv(r->x, r->f, r->m, g, &r->opts, r->gcv_table, &r->knots, &r->info);
}

static int fit(run *r)
{
    int rc = r->kind == FIT_KNOTS_AT ? get_knots(r) : EXIT_OK;
    if (rc != EXIT_OK)
        return rc;
    double t0 = cli_seconds();
    xn_status s = XN_OK;
    switch (r->kind) {
    case FIT_INTERP:
        s = xn_approx_interp(r->x, r->f, r->m, &r->opts, &r->net, &r->info);
        break;
    case FIT_GCV: /* least squares with the chosen count */
        if ((s = run_gcv(r)) == XN_OK)
            s = xn_approx_lsq(r->x, r->f, r->m, r->knots, &r->opts, &r->net, &r->info);
        break;
    case FIT_KNOTS:
        s = xn_approx_lsq(r->x, r->f, r->m, r->knots, &r->opts, &r->net, &r->info);
        break;
    case FIT_KNOTS_AT:
        s = xn_approx_lsq_knots(r->x, r->f, r->m, r->t, r->k, &r->opts, &r->net, &r->info);
        break;
    case FIT_ADAPT:
        s = xn_approx_adapt(approx_builtin, &r->fn, r->a, r->b, r->tol, r->n, r->max_n, &r->opts,
                            &r->net, &r->info);
        break;
    }
    r->seconds = cli_seconds() - t0;
    if (s != XN_OK) {
        fit_error(r, s);
        return s == XN_ENOMEM ? EXIT_FAIL : EXIT_USAGE;
    }
    /* a rank-deficient fit accepted with --min-norm; --tol's reasons */
    if (r->info.msg[0] && r->kind != FIT_ADAPT)
        cli_error("warning: %s", r->info.msg);
    return EXIT_OK;
}

int cmd_approx(int argc, char **argv)
{
    run r;
    int rc = parse_args(argc, argv, &r);
    if (rc == OPTS_HELP)
        return rc;
    if (rc == EXIT_OK)
        rc = get_samples(&r);
    if (rc == EXIT_OK)
        rc = fit(&r);
    if (rc == EXIT_OK)
        rc = approx_report(&r);
    if (rc == EXIT_OK && r.plot_path)
        rc = approx_plot(&r);
    if (rc == EXIT_OK && r.save_path && cli_save_model(r.net, r.save_path) != 0)
        rc = EXIT_FAIL;
    xn_net_destroy(r.net);
    free(r.x);
    free(r.f);
    free(r.lines);
    free(r.t);
    free(r.t_lines);
    free(r.gcv_table);
    return rc;
}
