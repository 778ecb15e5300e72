/* xornet approx in two files: cmd_approx.c reads the options, gets the
 * samples and fits; approx_report.c prints the report and draws the
 * picture.  Everything the report needs is in one `run` once the fit is
 * done. */
#ifndef XORNET_CLI_APPROX_H
#define XORNET_CLI_APPROX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opts.h"
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
    int gcv_table_all;        /* --gcv-table */
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

/* Name used in messages for the sample source. */
const char *approx_source_name(const run *r);
/* The built-in function at x, for the solver's callbacks (ctx: the xn_approx_fn). */
double approx_builtin(double x, void *ctx);
/* The report (standard output) and --plot's picture; exit statuses. */
int approx_report(run *r);
int approx_plot(run *r);

#endif
