/* xornet approx: fits NN(x) = sum_j lambda_j relu(x - b_j) to a built-in
 * function or to samples read from CSV (a file or standard input), by
 * interpolation, least squares (equidistant knots, knots given, or a knot
 * count chosen by GCV) or adaptive refinement of a built-in function
 * (include/xornet/approx.h); reports the errors and the time, and
 * optionally prints the knots, saves the network and plots the fit.
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

#include "src/util/text.h"
#include "cli.h"
#include "clock.h"
#include "opts.h"
#include "plot.h"
#include "xornet/approx.h"

typedef enum { FIT_INTERP, FIT_KNOTS, FIT_KNOTS_AT, FIT_GCV, FIT_ADAPT } fit_kind;

typedef struct {
    /* options */
    const char *samples_path; /* NULL: the built-in function */
    xn_approx_fn fn;
    double a, b;
    size_t n;                 /* built-in samples; --tol's starting points */
    double noise;             /* standard deviation; 0: none */
    uint64_t seed;
    fit_kind kind;
    size_t knots;             /* --knots */
    const char *knots_at;     /* --knots-at */
    int gcv;
    size_t gcv_max;           /* 0: the default */
    double tol;
    size_t max_n;
    xn_approx_opts opts;
    int print;
    const char *save_path;
    const char *plot_path;
    opts given;
    /* samples: x (m), f (m); lines (m) their 1-based lines of a file */
    double *x, *f;
    size_t *lines;
    size_t m;
    /* knots of --knots-at: t (k), with their lines when read from a file */
    double *t;
    size_t *t_lines;
    size_t k;
    /* the fit */
    xn_approx_gcv_row *gcv_table;
    size_t gcv_rows;
    xn_net *net;
    xn_approx_info info;
    double seconds;
} run;

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
             "score m RSS/(m - K)^2 (Craven & Wahba 1979); prints the table of K, RSS, score"},
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
    r->given = (opts){.cmd = "approx", .rows = rows, .n = sizeof rows / sizeof rows[0]};
    int rc = opts_parse(&r->given, argc, argv, r);
    if (rc == OPTS_HELP) {
        opts_help(stdout, &r->given, usage, intro, &d, NULL, NULL, NULL, outro);
        return -1;
    }
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

/* Name used in messages for the sample source. */
static const char *source_name(const run *r)
{
    return strcmp(r->samples_path, "-") == 0 ? "<stdin>" : r->samples_path;
}

static int get_samples(run *r)
{
    xn_error err = {0};
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
    if (!is_list(v)) {
        xn_error err = {0};
        xn_status s = xn_knots_load(v, &r->t, &r->t_lines, &r->k, &err);
        if (s != XN_OK) {
            cli_file_error(v, s, &err);
            return s == XN_ENOMEM ? EXIT_FAIL : EXIT_USAGE;
        }
        return EXIT_OK;
    }
    size_t items = 1;
    for (const char *p = v; *p; p++)
        items += *p == ',';
    r->t = malloc(items * sizeof *r->t);
    if (!r->t) {
        cli_error("out of memory for %zu knots", items);
        return EXIT_FAIL;
    }
    for (const char *p = v;; p++) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *tok = p;
        while (n && xn_is_blank(*tok))
            tok++, n--;
        while (n && xn_is_blank(tok[n - 1]))
            n--;
        char q[48];
        xn_num got = n ? xn_parse_double(tok, n, &r->t[r->k]) : XN_NUM_BAD;
        if (got != XN_NUM_OK) {
            cli_error("--knots-at: item %zu: %s '%s'", r->k + 1,
                      n ? xn_num_why(got) : "empty item", xn_quote(q, sizeof q, tok, n));
            return EXIT_USAGE;
        }
        r->k++;
        if (!end)
            break;
        p = end;
    }
    return EXIT_OK;
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
                  "distinct x", source_name(r), r->lines[j], r->x[j], r->lines[i]);
    } else if (w[0] >= 1 && w[0] <= r->m) {
        cli_error("%s:%zu: %s", source_name(r), r->lines[w[0] - 1], why);
    } else {
        cli_error("%s:%zu: %s%s", source_name(r), r->lines[r->m - 1], why, hint);
    }
}

static double builtin(double x, void *ctx)
{
    return xn_approx_fn_eval(*(const xn_approx_fn *)ctx, x);
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
        s = xn_approx_adapt(builtin, &r->fn, r->a, r->b, r->tol, r->n, r->max_n, &r->opts,
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

static int report(run *r)
{
    char e1[32], e2[32];
    const xn_approx_info *in = &r->info;
    if (r->samples_path)
        printf("samples    %zu from %s\n", in->m, source_name(r));
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
        xn_status s = xn_approx_errors(r->net, builtin, &r->fn, r->a, r->b, points, &mx, &rms);
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

static int plot(run *r)
{
    plot_error err = {""};
    char title[160];
    if (r->kind == FIT_ADAPT && adaptive_points(r) != EXIT_OK)
        return EXIT_FAIL;
    if (r->samples_path)
        snprintf(title, sizeof title, "ReLU fit, %zu knots, to %s", r->info.n, source_name(r));
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

int cmd_approx(int argc, char **argv)
{
    run r;
    int rc = parse_args(argc, argv, &r);
    if (rc < 0)
        return EXIT_OK; /* --help */
    if (rc == EXIT_OK)
        rc = get_samples(&r);
    if (rc == EXIT_OK)
        rc = fit(&r);
    if (rc == EXIT_OK)
        rc = report(&r);
    if (rc == EXIT_OK && r.plot_path)
        rc = plot(&r);
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
