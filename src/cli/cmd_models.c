/* xornet models: reruns the XOR experiments of the reference notebooks
 * (notebooks 0-3, docs/models.md; experiments.h) as one table; with
 * --seeds K, how often each trainable one learns XOR over K seeds; with
 * --plot DIR, each run's loss curve and learned surface as PNG files. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "paths.h"
#include "opts.h"
#include "experiments.h"
#include "plot.h"

/* The shipped model files: the source tree's data/ while it exists (a
 * build run in place), else where `meson install` put them. */
#ifndef XN_SOURCE_DATA_DIR
#define XN_SOURCE_DATA_DIR "data"
#endif
#ifndef XN_INSTALL_DATA_DIR
#define XN_INSTALL_DATA_DIR "/usr/local/share/xornet"
#endif

static const char *default_data_dir(void)
{
    FILE *f = fopen(XN_SOURCE_DATA_DIR "/nb0_tf_model4.xn", "r");
    if (!f)
        return XN_INSTALL_DATA_DIR;
    fclose(f);
    return XN_SOURCE_DATA_DIR;
}

typedef struct {
    size_t seeds;
    const char *plot_dir, *data_dir;
    opts given;
} models_args;

#define AT(m) OPT_AT(models_args, m)
static const opt rows[] = {
    OPT_SECTION("options:"),
    {.flag = "--seeds", .arg = "K", .kind = OPT_SIZE, AT(seeds), .lo = 1, .hi = 1000000,
     .help = "also rerun each trainable experiment with seeds 1..K and report how often it learns XOR "
             "(every output on the right side of 0.5) and the median final loss"},
    {.flag = "--plot", .arg = "DIR", .kind = OPT_DIR, AT(plot_dir),
     .help = "write DIR/<name>-loss.png (log-scale loss curve, trained experiments) and "
             "DIR/<name>-surface.png (the learned function over the unit square with the XOR points) "
             "with gnuplot; DIR is created if missing (one level)"},
    {.flag = "--data-dir", .arg = "DIR", .kind = OPT_TEXT, AT(data_dir),
     .help = "where nb0_tf_model4.xn is read from (default: the source tree's data/ directory, else the "
             "installed copy in " XN_INSTALL_DATA_DIR ")"},
};

static const char usage[] = "usage: xornet models [--seeds K] [--plot DIR] [--data-dir DIR]";
static const char intro[] =
    "Reruns the XOR experiments of notebooks 0-3 (named in docs/models.md)\n"
    "with their initializations, learning rates and step counts, and prints one\n"
    "table: architecture, activations, loss, optimizer and learning rate, steps,\n"
    "the loss before and after training, the accuracy and the outputs at\n"
    "(0,0) (0,1) (1,0) (1,1) (always in this order, whatever the notebook's).\n";
static const char outro[] =
    "Exit status: 0 done, 1 an experiment or a plot failed (or gnuplot is not\n"
    "installed for --plot), 2 bad usage.\n"
    "\n"
    "experiments:\n";

/* One experiment's run, kept for the plots drawn after the table. */
typedef struct {
    xn_net *net;       /* NULL if it could not be built */
    double *history;   /* (steps + 1) */
    xp_result r;
    xn_status s;
} run;

static int parse_args(int argc, char **argv, models_args *a)
{
    *a = (models_args){.data_dir = default_data_dir(),
                       .given = {.cmd = "models", .rows = rows, .n = sizeof rows / sizeof rows[0],
                                 .usage = usage, .intro = intro, .outro = outro}};
    int rc = opts_parse(&a->given, argc, argv, a);
    if (rc == OPTS_HELP) /* and the experiments */
        for (size_t k = 0; k < xp_count(); k++)
            printf("  %-10s %s\n", xp_get(k)->name, xp_get(k)->what);
    return rc;
}

/* "2-32-1" */
static void arch(const xp_def *d, char *buf, size_t size)
{
    int w = snprintf(buf, size, "%zu", d->sizes[0]);
    for (size_t i = 1; i <= d->n_layers && w > 0 && (size_t)w < size; i++)
        w += snprintf(buf + w, size - (size_t)w, "-%zu", d->sizes[i]);
}

/* "relu,sigmoid" */
static void acts(const xp_def *d, char *buf, size_t size)
{
    int w = 0;
    buf[0] = '\0';
    for (size_t l = 0; l < d->n_layers && w >= 0 && (size_t)w < size; l++)
        w += snprintf(buf + w, size - (size_t)w, "%s%s", l ? "," : "", xn_act_name(d->acts[l]));
}

/* gd's learning rate, or "-" (lm chooses its steps; fixed weights) */
static void rate(const xp_def *d, char *buf, size_t size)
{
    if (d->kind == XP_DRAWN && d->opt == XN_OPT_GD)
        snprintf(buf, size, "%g", d->lr);
    else
        snprintf(buf, size, "-");
}

static void print_row(const xp_def *d, const run *u)
{
    char a[32], ac[48], lr[24];
    arch(d, a, sizeof a);
    acts(d, ac, sizeof ac);
    bool trained = d->kind == XP_DRAWN;
    rate(d, lr, sizeof lr);
    printf("%-10s %-7s %-17s %-4s %-3s %-4s %5zu", d->name, a, ac, xn_loss_name(d->loss),
           trained ? xn_opt_name(d->opt) : "-", lr, u->r.steps);
    if (!u->net) {
        printf("  (not run: %s)\n", xn_strerror(u->s));
        return;
    }
    /* a diverged run's numbers in words, never "nan" or "inf" */
    putchar(' ');
    for (int k = 0; k < 2; k++) {
        double v = k ? u->r.loss : u->r.loss0;
        if (isfinite(v))
            printf(" %-16.10g", v);
        else
            printf(" %-16s", "not finite");
    }
    printf(" %4.2f", u->r.acc);
    for (size_t i = 0; i < 4; i++)
        if (isfinite(u->r.y[i]))
            printf(" %11.8f", u->r.y[i]);
        else
            printf(" %11s", "not finite");
    if (u->s == XN_ENUMERIC)
        printf("  diverged");
    putchar('\n');
}

/* Runs every experiment into runs[]; returns EXIT_OK or EXIT_FAIL. */
static int run_all(const models_args *a, run *runs)
{
    int rc = EXIT_OK;
    printf("%-10s %-7s %-17s %-4s %-3s %-4s %5s  %-16s %-16s %4s %11s %11s %11s %11s\n", "name",
           "layers", "activations", "loss", "opt", "lr", "steps", "initial loss", "final loss",
           "acc", "y(0,0)", "y(0,1)", "y(1,0)", "y(1,1)");
    for (size_t i = 0; i < xp_count(); i++) {
        const xp_def *d = xp_get(i);
        run *u = &runs[i];
        xn_error err = {0};
        u->s = xp_build(d, d->seed, a->data_dir, &u->net, &err);
        if (u->s != XN_OK) {
            cli_flush();
            if (d->kind == XP_FILE)
                cli_error("%s: %s/%s: %s%s", d->name, a->data_dir, d->file,
                          err.msg[0] ? err.msg : xn_strerror(u->s),
                          err.line ? "" : " (see --data-dir)");
            else
                cli_error("%s: cannot build the network: %s", d->name, xn_strerror(u->s));
            rc = EXIT_FAIL;
        } else {
            size_t steps = d->kind == XP_DRAWN ? d->steps : 0;
            u->history = a->plot_dir ? malloc((steps + 1) * sizeof *u->history) : NULL;
            if (a->plot_dir && !u->history) {
                cli_error("out of memory");
                return EXIT_FAIL;
            }
            u->s = xp_run(d, u->net, u->history, &u->r);
            if (u->s != XN_OK) {
                cli_flush();
                cli_error("%s: %s after %zu step%s", d->name, xn_strerror(u->s), u->r.steps,
                          cli_plural(u->r.steps));
                rc = EXIT_FAIL;
            }
        }
        print_row(d, u);
    }
    printf("(outputs in the order (0,0) (0,1) (1,0) (1,1); docs/models.md explains each row)\n");
    return rc;
}

static int run_seeds(size_t k)
{
    int rc = EXIT_OK;
    printf("\nseeds 1..%zu: how often each experiment learns XOR (every output on the right side of 0.5)\n",
           k);
    printf("%-10s %-7s %-17s %-4s %-4s %5s  %-16s %-13s %-10s %s\n", "name", "layers",
           "activations", "loss", "lr", "steps", "learned", "median loss", "median acc",
           "diverged");
    for (size_t i = 0; i < xp_count(); i++) {
        const xp_def *d = xp_get(i);
        if (d->kind != XP_DRAWN)
            continue;
        xp_stats st;
        char a[32], ac[48], learned[32], lr[24];
        arch(d, a, sizeof a);
        acts(d, ac, sizeof ac);
        rate(d, lr, sizeof lr);
        xn_status s = xp_seeds(d, k, &st);
        if (s != XN_OK) {
            cli_flush();
            cli_error("%s: --seeds: %s", d->name, xn_strerror(s));
            rc = EXIT_FAIL;
            continue;
        }
        snprintf(learned, sizeof learned, "%zu/%zu (%.0f%%)", st.learned, st.runs,
                 100.0 * (double)st.learned / (double)st.runs);
        printf("%-10s %-7s %-17s %-4s %-4s %5zu  %-16s %-13.6g %-10.3g %zu\n", d->name, a, ac,
               xn_loss_name(d->loss), lr, d->steps, learned, st.median_loss, st.median_acc,
               st.diverged);
    }
    return rc;
}

/* dir/name-what.png into buf; false (after an error) if it does not fit. */
static bool png_path(char *buf, size_t size, const char *dir, const char *name, const char *what)
{
    char file[128];
    snprintf(file, sizeof file, "%s-%s.png", name, what);
    return cli_join_path(buf, size, dir, file, "--plot");
}

/* Draws every run's pictures, up to the first that fails.  Returns
 * EXIT_OK or EXIT_FAIL. */
static int plot_all(const char *dir, run *runs)
{
    plot_error err = {0};
    if (plot_prepare_dir(dir, &err) != PLOT_OK) {
        cli_error("--plot: %s", err.msg);
        return EXIT_FAIL;
    }
    /* the first picture that fails ends the drawing, with one line: a
     * full disk or a broken gnuplot would fail every picture after it */
    for (size_t i = 0; i < xp_count(); i++) {
        const xp_def *d = xp_get(i);
        run *u = &runs[i];
        if (!u->net || u->s != XN_OK)
            continue;
        char path[4200], title[160];
        const double *x, *y;
        xp_rows_of(d, &x, &y);
        if (d->kind == XP_DRAWN) {
            size_t taken = u->r.steps; /* lm may stop before its limit */
            double *steps = malloc((taken + 1) * sizeof *steps);
            if (!steps || !png_path(path, sizeof path, dir, d->name, "loss")) {
                free(steps);
                return EXIT_FAIL;
            }
            for (size_t k = 0; k <= taken; k++)
                steps[k] = (double)k;
            char lr[24];
            rate(d, lr, sizeof lr);
            snprintf(title, sizeof title, d->opt == XN_OPT_GD ? "%s: %s loss, gd lr %s" : "%s: %s loss, lm%s",
                     d->name, xn_loss_name(d->loss), d->opt == XN_OPT_GD ? lr : "");
            plot_status ps = plot_loss(path, title, taken + 1, steps, u->history, 0, 0, &err);
            free(steps);
            if (!cli_plot_result(ps == PLOT_OK, err.msg, path))
                return EXIT_FAIL;
        }
        if (!png_path(path, sizeof path, dir, d->name, "surface"))
            return EXIT_FAIL;
        snprintf(title, sizeof title, "%s: learned function (%s)", d->name,
                 d->kind == XP_DRAWN ? "after training" : "given weights");
        plot_status ps = plot_surface(path, title, u->net, 4, x, y, 0, 0, &err);
        if (!cli_plot_result(ps == PLOT_OK, err.msg, path))
            return EXIT_FAIL;
    }
    return EXIT_OK;
}

int cmd_models(int argc, char **argv)
{
    models_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != EXIT_OK)
        return rc;
    run *runs = calloc(xp_count(), sizeof *runs);
    if (!runs) {
        cli_error("out of memory");
        return EXIT_FAIL;
    }
    rc = run_all(&a, runs);
    if (a.seeds && run_seeds(a.seeds) != EXIT_OK)
        rc = EXIT_FAIL;
    cli_flush();
    if (a.plot_dir && plot_all(a.plot_dir, runs) != EXIT_OK)
        rc = EXIT_FAIL;
    for (size_t i = 0; i < xp_count(); i++) {
        xn_net_destroy(runs[i].net);
        free(runs[i].history);
    }
    free(runs);
    return rc;
}
