/* solver_bench: iterations and seconds to a target loss for gd, Adam,
 * Levenberg-Marquardt and L-BFGS on the problems of the second-order
 * solvers (issue: XOR, a curve fit, a small classification set), next to
 * SciPy's least_squares(method='lm') and L-BFGS-B and scikit-learn's
 * solver='lbfgs' (bench/solver_peers.py, run afterwards):
 *   xor     2-2-1 sigmoid/sigmoid, mse, 4 rows, notebook 2's start
 *           (uniform [0, 1), NumPy seeds 1..S); target mse 1e-3
 *   curve   1-10-1 tanh/identity, mse, data/curve.csv (400 rows, noise sd
 *           0.1); target mse 0.105^2 (RMSE within 5 % of the noise)
 *   digits  64-32-10 relu/softmax, cce, data/digits-train.csv (1347 rows)
 *           standardized; target cce 1e-3
 * Every optimizer trains on the whole set, one step an iteration (gd and
 * Adam at a rate tuned per problem, lm and lbfgs with their defaults and
 * their convergence tests off), from the same starts (xn_net_init_default
 * but for xor), up to a cap of iterations.  Reported per problem and
 * optimizer: the starts that reach the target, and over those the median
 * iterations, evaluations of the objective and seconds until the step
 * that reaches it, and seconds an iteration.  The optimizers take turns
 * start by start, so load from elsewhere falls on all alike.
 *
 *   solver_bench [--quick] [--starts S] [--python PATH] [--no-peers]
 *
 * Timings are reported, never asserted.  The BLAS's core type and the
 * environment's OpenBLAS settings are printed, as they are. */
#define _POSIX_C_SOURCE 200809L /* popen */

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "xn_config.h"
#include "xornet/xornet.h"

#if XN_HAVE_OPENBLAS_THREADS
char *openblas_get_corename(void);
char *openblas_get_config(void);
int openblas_get_num_threads(void);
#endif

#ifndef XN_BENCH_SRCDIR
#define XN_BENCH_SRCDIR "bench"
#endif

enum { MAX_STARTS = 20, OPTS = 4 };

typedef struct {
    const char *name;
    size_t sizes[3];
    xn_act acts[2];
    xn_loss loss;
    double target;
    bool xor_start, standardize;
    double gd_lr, adam_lr;
    size_t caps[OPTS];     /* gd, adam, lm, lbfgs */
} problem;

static const xn_opt_kind kinds[OPTS] = {XN_OPT_GD, XN_OPT_ADAM, XN_OPT_LM, XN_OPT_LBFGS};

/* One run: whether it reached the target, and when. */
typedef struct {
    bool reached;
    size_t iterations, evaluations;
    double seconds;
} outcome;

/* What the epoch callback watches: the loss before each epoch's step is
 * the loss after the one before, so the first one at the target ends the
 * run, and what came before it is the cost of reaching it. */
typedef struct {
    xn_net *net;
    double target, seconds, last_seconds;
    size_t evaluations, last_evaluations;
    outcome *out;
} watch;

static size_t evaluations(const xn_net *net, size_t epoch)
{
    xn_solver_report rep;
    return xn_net_solver_report(net, &rep) == XN_OK ? rep.evaluations : epoch;
}

static int on_epoch(const xn_progress *p, void *user)
{
    watch *w = user;
    if (p->loss <= w->target) {
        *w->out = (outcome){true, p->epoch - 1, w->evaluations, w->seconds};
        return 1;
    }
    w->seconds += p->seconds;
    w->evaluations = evaluations(w->net, p->epoch);
    return 0;
}

static outcome run(const problem *pb, const xn_data *d, size_t k, uint64_t seed)
{
    xn_net_config cfg = {.n_layers = 2, .sizes = pb->sizes, .acts = pb->acts, .loss = pb->loss};
    xn_net *net = NULL;
    outcome out = {false, 0, 0, 0.0};
    if (xn_net_create(&net, &cfg) != XN_OK)
        return out;
    xn_rng r;
    if (pb->xor_start) {
        xn_rng_seed(&r, XN_RNG_NUMPY, seed);
        xn_net_init(net, XN_INIT_UNIFORM, XN_ORDER_NEURON, XN_BIAS_DRAWN, &r);
    } else {
        xn_net_init_default(net, seed);
    }
    xn_opt o = xn_opt_default(kinds[k]);
    o.gtol = o.ftol = 0.0; /* the target decides */
    if (kinds[k] == XN_OPT_GD)
        o.lr = pb->gd_lr;
    if (kinds[k] == XN_OPT_ADAM)
        o.lr = pb->adam_lr;
    watch w = {net, pb->target, 0.0, 0.0, 0, 0, &out};
    xn_fit_config fc = {.epochs = pb->caps[k], .standardize = pb->standardize, .on_epoch = on_epoch,
                        .user = &w};
    if (xn_net_set_opt(net, &o) == XN_OK && xn_fit(net, d, &fc, NULL) == XN_OK && !out.reached) {
        double loss; /* the last step's result is seen only here */
        if (xn_net_eval_loss(net, d->n, d->x, d->y, &loss) == XN_OK && loss <= pb->target)
            out = (outcome){true, pb->caps[k], evaluations(net, pb->caps[k]), w.seconds};
    }
    xn_net_destroy(net);
    return out;
}

static double median_of(double *v, size_t n)
{
    if (n == 0)
        return NAN;
    qsort(v, n, sizeof *v, bench_cmp);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void report(const char *problem_name, const char *who, const outcome *o, size_t starts, size_t cap)
{
    double it[MAX_STARTS], ev[MAX_STARTS], s[MAX_STARTS], per[MAX_STARTS];
    size_t m = 0;
    for (size_t i = 0; i < starts; i++)
        if (o[i].reached) {
            it[m] = (double)o[i].iterations;
            ev[m] = (double)o[i].evaluations;
            s[m] = o[i].seconds;
            per[m] = o[i].iterations ? o[i].seconds / (double)o[i].iterations : NAN;
            m++;
        }
    double pm = median_of(per, m);
    printf("| %-7s | %-22s | %3zu/%-3zu | %6zu | %10.0f | %11.0f | %11.4g | %9.4g |\n", problem_name, who, m,
           starts, cap, median_of(it, m), median_of(ev, m), median_of(s, m), pm * 1e6);
}

static bool load(xn_data *d, const char *file, bool classes)
{
    char path[1024];
    xn_error err;
    snprintf(path, sizeof path, "%s/../data/%s", XN_BENCH_SRCDIR, file);
    xn_status s = classes ? xn_data_load_classes(d, path, 10, &err) : xn_data_load(d, path, 1, &err);
    if (s != XN_OK)
        fprintf(stderr, "solver_bench: %s:%zu: %s\n", path, err.line, err.msg);
    return s == XN_OK;
}

static void header(bool quick, size_t starts)
{
    bench_machine m;
    bench_machine_read(&m);
    const char *ct = getenv("OPENBLAS_CORETYPE"), *l2 = getenv("OPENBLAS_L2_SIZE");
    printf("solver_bench%s, %s; %s, %ld logical CPUs; load average at start %s\n", quick ? " --quick" : "",
           m.date, m.model, m.cpus, m.load);
#if XN_HAVE_OPENBLAS_THREADS
    printf("BLAS %s (core %s), %d thread(s); ", openblas_get_config(), openblas_get_corename(),
           openblas_get_num_threads());
#endif
    printf("OPENBLAS_CORETYPE=%s OPENBLAS_L2_SIZE=%s (the environment's, unchanged)\n", ct ? ct : "(unset)",
           l2 ? l2 : "(unset)");
    printf("starts 1..%zu; medians over the starts that reach the target; seconds until the step that "
           "reaches it\n\n", starts);
    printf("| problem | optimizer              | reached | cap    | iterations | evaluations | seconds     | µs/iter   |\n"
           "|---------|------------------------|---------|--------|------------|-------------|-------------|-----------|\n");
}

int main(int argc, char **argv)
{
    bool quick = false, peers = true;
    size_t starts = 10;
    const char *python = "/usr/bin/python3";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) {
            quick = true;
        } else if (!strcmp(argv[i], "--no-peers")) {
            peers = false;
        } else if (!strcmp(argv[i], "--starts") && i + 1 < argc) {
            starts = (size_t)atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--python") && i + 1 < argc) {
            python = argv[++i];
        } else {
            fputs("usage: solver_bench [--quick] [--starts S] [--python PATH] [--no-peers]\n"
                  "  --quick      seconds (CI): 2 starts, xor and curve, no peers\n"
                  "  --starts S   starts 1..S (default 10, at most 20)\n"
                  "  --python P   the python with SciPy and scikit-learn for bench/solver_peers.py\n",
                  stderr);
            return 2;
        }
    }
    if (quick) {
        starts = 2;
        peers = false;
    }
    if (starts < 1 || starts > MAX_STARTS)
        starts = 10;
    static const problem problems[] = {
        {"xor", {2, 2, 1}, {XN_ACT_SIGMOID, XN_ACT_SIGMOID}, XN_LOSS_MSE, 1e-3, true, false, 2.0, 0.05,
         {20000, 20000, 200, 1000}},
        {"curve", {1, 10, 1}, {XN_ACT_TANH, XN_ACT_IDENTITY}, XN_LOSS_MSE, 0.105 * 0.105, false, false, 0.2,
         0.01, {20000, 20000, 200, 2000}},
        {"digits", {64, 32, 10}, {XN_ACT_RELU, XN_ACT_SOFTMAX}, XN_LOSS_CCE, 1e-3, false, true, 0.5, 0.01,
         {5000, 2000, 0, 1000}},
    };
    static const double xor_rows[8] = {0, 0, 1, 0, 0, 1, 1, 1}, xor_targets[4] = {0, 1, 1, 0};
    xn_data sets[3] = {{.n = 4, .in = 2, .out = 1, .x = (double *)xor_rows, .y = (double *)xor_targets}};
    if (!load(&sets[1], "curve.csv", false) || (!quick && !load(&sets[2], "digits-train.csv", true)))
        return 1;
    header(quick, starts);
    for (size_t p = 0; p < (quick ? 2 : 3); p++) {
        const problem *pb = &problems[p];
        outcome o[OPTS][MAX_STARTS];
        for (size_t s = 0; s < starts; s++)
            for (size_t k = 0; k < OPTS; k++) /* in turns: the same load on each */
                o[k][s] = pb->caps[k] ? run(pb, &sets[p], k, s + 1) : (outcome){false, 0, 0, 0.0};
        for (size_t k = 0; k < OPTS; k++) {
            char who[64];
            if (!pb->caps[k]) {
                printf("| %-7s | %-22s | -       | -      | -          | -           | -           | -         |"
                       " (lm: squares only)\n", pb->name, "lm");
                continue;
            }
            if (kinds[k] == XN_OPT_GD || kinds[k] == XN_OPT_ADAM)
                snprintf(who, sizeof who, "%s lr %g", xn_opt_name(kinds[k]),
                         kinds[k] == XN_OPT_GD ? pb->gd_lr : pb->adam_lr);
            else
                snprintf(who, sizeof who, "%s", xn_opt_name(kinds[k]));
            report(pb->name, who, o[k], starts, pb->caps[k]);
        }
    }
    xn_data_free(&sets[1]);
    xn_data_free(&sets[2]);
    if (!peers)
        return 0;
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' '%s/solver_peers.py' %zu", python, XN_BENCH_SRCDIR, starts);
    fflush(stdout);
    int rc = system(cmd);
    if (rc != 0)
        printf("\n(peers: %s exited with %d: SciPy or scikit-learn missing?)\n", cmd, rc);
    return 0;
}
