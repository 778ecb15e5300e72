/* L-BFGS (src/solve/lbfgs.c, linesearch.c), generic and on networks:
 *   - a convex quadratic to A^-1 b (LAPACKE_dposv), and the Rosenbrock
 *     function, 2 and 10 variables, to (1, ..., 1);
 *   - the line search's points meet both strong Wolfe conditions, from a
 *     first trial far too short and far too long; it gives up after its
 *     evaluations, and on an ascent direction;
 *   - a region where the objective is not finite is stepped back from;
 *   - the stopping tests: gtol at the start, ftol, max_evals; with ftol 0
 *     an iteration that does not lower f; no point evaluated twice in a row;
 *   - XOR with notebook 1's 2-10-1 and notebook 3's 2-2-1 networks;
 *   - the objective scikit-learn's solver='lbfgs' minimizes, loss +
 *     alpha/(2n) ||W||^2 with weight_decay = alpha/n, and its gradient,
 *     against scikit-learn itself (tests/reference/sklearn_lbfgs.py);
 *   - digits (data/digits-*.csv), 64-32-10: a test accuracy of 0.95 and a
 *     training loss <= 1e-3 within 200 iterations on every seed, and with
 *     --sklearn a mean accuracy over seeds 1..10 at least scikit-learn's. */
#define _POSIX_C_SOURCE 200809L /* popen, mkstemp */

#include <lapacke.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "src/solve/solve.h"

/* ---- the generic minimizer ---------------------------------------------- */

/* lb over n variables, memory m, with its arrays; free lb.g's state and
 * lb.d's scratch after. */
static xn_lbfgs make(size_t n, size_t m, double gtol, double ftol, size_t max_evals)
{
    xn_lbfgs lb = {.n = n, .m = m, .max_evals = max_evals, .max_ls = 20, .gtol = gtol, .ftol = ftol};
    xn_lbfgs_arrays(&lb, calloc(xn_lbfgs_state_size(n, m), sizeof(double)),
                    calloc(xn_lbfgs_scratch_size(n, m), sizeof(double)));
    return lb;
}

static void release(xn_lbfgs *lb)
{
    free(lb->g);
    free(lb->d);
}

/* Iterates until a test stops it, at most `most` times. */
static void run(xn_lbfgs *lb, double *x, xn_objective fn, void *ctx, size_t most)
{
    for (size_t i = 0; i < most; i++) {
        CHECK_STATUS(xn_lbfgs_iterate(lb, x, fn, ctx), XN_OK);
        if (lb->stop != XN_STOP_NONE)
            return;
    }
}

static double dot(size_t n, const double *u, const double *v)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += u[i] * v[i];
    return s;
}

typedef struct {
    size_t n;
    const double *A, *b; /* (n, n) symmetric, (n) */
} quadratic;

/* 1/2 x^T A x - b^T x */
static int quad(void *ctx, const double *x, double *f, double *g)
{
    const quadratic *q = ctx;
    double s = 0.0;
    for (size_t i = 0; i < q->n; i++) {
        g[i] = -q->b[i];
        for (size_t j = 0; j < q->n; j++)
            g[i] += q->A[i * q->n + j] * x[j];
        s += x[i] * (0.5 * (g[i] + q->b[i]) - q->b[i]);
    }
    *f = s;
    return 0;
}

static void test_quadratic(void)
{
    enum { Q = 30 };
    double B[Q * Q], A[Q * Q], b[Q], sol[Q], x[Q] = {0}, chol[Q * Q];
    xn_rng r;
    xn_rng_seed(&r, XN_RNG_NUMPY, 3);
    for (size_t i = 0; i < Q * Q; i++)
        B[i] = xn_rng_normal(&r);
    for (size_t i = 0; i < Q; i++) {
        b[i] = xn_rng_normal(&r);
        for (size_t j = 0; j < Q; j++) { /* A = B^T B / Q + I: condition about 5 */
            double s = 0.0;
            for (size_t k = 0; k < Q; k++)
                s += B[k * Q + i] * B[k * Q + j];
            A[i * Q + j] = s / Q + (i == j);
        }
    }
    memcpy(chol, A, sizeof A);
    memcpy(sol, b, sizeof b);
    CHECK_STATUS(LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', Q, 1, chol, Q, sol, 1), 0);
    quadratic q = {Q, A, b};
    /* It runs until the values' rounding hides any further decrease from
     * the line search (ftol 0: an iteration that does not lower f), or
     * the gradient is 1e-9 if that comes first; then |x - sol| <= |A^-1|
     * |g| <= |g|, A's eigenvalues being at least 1. */
    xn_lbfgs lb = make(Q, 10, 1e-9, 0.0, 100000);
    run(&lb, x, quad, &q, 500);
    CHECK(lb.stop == XN_STOP_GTOL || lb.stop == XN_STOP_FTOL);
    CHECK(lb.iterations <= 60 && lb.pairs == 10);
    double gnorm = sqrt(dot(Q, lb.g, lb.g));
    CHECK(gnorm <= 1e-7);
    for (size_t i = 0; i < Q; i++)
        CHECK_NEAR(x[i], sol[i], gnorm * (1 + 1e-12));
    release(&lb);
}

/* sum 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2 */
static int rosenbrock(void *ctx, const double *x, double *f, double *g)
{
    size_t n = *(const size_t *)ctx;
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        g[i] = 0.0;
    for (size_t i = 0; i + 1 < n; i++) {
        double a = x[i + 1] - x[i] * x[i], c = 1.0 - x[i];
        s += 100.0 * a * a + c * c;
        g[i] += -400.0 * x[i] * a - 2.0 * c;
        g[i + 1] += 200.0 * a;
    }
    *f = s;
    return 0;
}

static void test_rosenbrock(void)
{
    for (size_t n = 2; n <= 10; n += 8)
        for (size_t m = 3; m <= 10; m += 7) {
            double x[10];
            for (size_t i = 0; i < n; i++)
                x[i] = i % 2 ? 1.0 : -1.2; /* the classic start */
            xn_lbfgs lb = make(n, m, 1e-10, 0.0, 100000);
            run(&lb, x, rosenbrock, &n, 1000);
            CHECK(lb.stop == XN_STOP_GTOL && lb.f < 1e-18);
            CHECK(lb.iterations < 200 && lb.evaluations < 2 * lb.iterations);
            for (size_t i = 0; i < n; i++)
                CHECK_NEAR(x[i], 1.0, 1e-8);
            release(&lb);
        }
}

/* From Rosenbrock's start along -g with first trials from 1e-9 (the
 * search must grow the step) to 1e3 (it must shrink it): each ends at a
 * point meeting both strong Wolfe conditions with L-BFGS-B's constants
 * (sufficient decrease 1e-3, curvature 0.9), the last one evaluated. */
static void test_wolfe(void)
{
    size_t n = 2;
    double x0[2] = {-1.2, 1.0}, g0[2], d[2], x[2], g[2], gt[2], f0;
    rosenbrock(&n, x0, &f0, g0);
    d[0] = -g0[0];
    d[1] = -g0[1];
    double dg0 = -(g0[0] * g0[0] + g0[1] * g0[1]);
    for (double a1 = 1e-9; a1 <= 1e3; a1 *= 100) {
        xn_line_search ls = {.n = 2, .x0 = x0, .d = d, .f0 = f0, .dg0 = dg0, .a1 = a1, .max_evals = 30,
                             .x = x, .g = g};
        CHECK(xn_more_thuente(&ls, rosenbrock, &n) == XN_LS_CONVERGED);
        double f;
        rosenbrock(&n, x, &f, gt);
        CHECK(f == ls.f && gt[0] == g[0] && gt[1] == g[1]);
        CHECK(x[0] == ls.a * d[0] + x0[0] && x[1] == ls.a * d[1] + x0[1]);
        CHECK(f <= f0 + 1e-3 * ls.a * dg0);                        /* sufficient decrease */
        CHECK(fabs(g[0] * d[0] + g[1] * d[1]) <= 0.9 * fabs(dg0)); /* curvature */
        CHECK(ls.evals >= 1 && ls.evals <= 30);
    }
    /* out of evaluations: the start again */
    xn_line_search ls = {.n = 2, .x0 = x0, .d = d, .f0 = f0, .dg0 = dg0, .a1 = 1e-9, .max_evals = 2,
                         .x = x, .g = g};
    CHECK(xn_more_thuente(&ls, rosenbrock, &n) == XN_LS_FAIL);
    CHECK(ls.evals == 2 && x[0] == x0[0] && x[1] == x0[1]);
    /* an ascent direction is refused before any evaluation */
    ls.dg0 = -dg0;
    CHECK(xn_more_thuente(&ls, rosenbrock, &n) == XN_LS_FAIL && ls.evals == 0);
}

/* (x - 5)^2, not finite from x = 4 on: the minimum is out of reach, and
 * each step into the wall is cut back. */
static int walled(void *ctx, const double *x, double *f, double *g)
{
    size_t *calls = ctx;
    ++*calls;
    *f = x[0] < 4.0 ? (x[0] - 5.0) * (x[0] - 5.0) : NAN;
    g[0] = x[0] < 4.0 ? 2.0 * (x[0] - 5.0) : NAN;
    return 0;
}

static void test_not_finite(void)
{
    double x[1] = {0.0};
    size_t calls = 0;
    xn_lbfgs lb = make(1, 5, 0.0, 0.0, 100000);
    double last = INFINITY;
    for (int i = 0; i < 200 && lb.stop == XN_STOP_NONE; i++) {
        CHECK_STATUS(xn_lbfgs_iterate(&lb, x, walled, &calls), XN_OK);
        CHECK(x[0] < 4.0 && isfinite(lb.f) && lb.f <= last);
        last = lb.f;
    }
    CHECK(lb.stop == XN_STOP_LINE_SEARCH || lb.stop == XN_STOP_FTOL);
    CHECK(x[0] > 3.99 && lb.evaluations == calls);
    release(&lb);
}

static void test_stops(void)
{
    size_t n = 2;
    /* at the minimum: gtol before any step, one evaluation */
    double x[2] = {1.0, 1.0};
    xn_lbfgs lb = make(2, 5, 1e-5, 0.0, 100);
    CHECK_STATUS(xn_lbfgs_iterate(&lb, x, rosenbrock, &n), XN_OK);
    CHECK(lb.stop == XN_STOP_GTOL && lb.iterations == 0 && lb.evaluations == 1);
    release(&lb);
    /* max_evals: tested between iterations, once past */
    x[0] = -1.2;
    lb = make(2, 5, 0.0, 0.0, 10);
    run(&lb, x, rosenbrock, &n, 1000);
    CHECK(lb.stop == XN_STOP_MAX_EVALS && lb.evaluations > 10 && lb.evaluations <= 10 + 20);
    release(&lb);
    /* ftol: an iteration that lowers f by less than 1e-3 of it */
    x[0] = -1.2;
    x[1] = 1.0;
    lb = make(2, 5, 0.0, 1e-3, 100000);
    double before = INFINITY;
    for (int i = 0; i < 1000 && lb.stop == XN_STOP_NONE; i++) {
        before = lb.have_fg ? lb.f : INFINITY;
        CHECK_STATUS(xn_lbfgs_iterate(&lb, x, rosenbrock, &n), XN_OK);
    }
    CHECK(lb.stop == XN_STOP_FTOL && before - lb.f <= 1e-3 * fmax(fmax(before, lb.f), 1.0));
    release(&lb);
}

/* 1/2 |A x - b|^2 + amp sum sin(freq x_i), A (8, 3) of NumPy seed 0's
 * normals with its first column times 30, b seed 10's: a badly scaled
 * bowl under ripples that its gradient, A^T (A x - b), leaves out (as a
 * noisy objective's would), so the line searches end in steps too small
 * to move x, or back at their start.  Each call checks that it is not
 * asked for the point it was asked for last. */
typedef struct {
    double A[24], b[8], amp, freq, last[3];
    size_t calls, repeats;
} rippled_ctx;

static int rippled(void *ctx, const double *x, double *f, double *g)
{
    rippled_ctx *c = ctx;
    c->repeats += c->calls && !memcmp(x, c->last, sizeof c->last);
    memcpy(c->last, x, sizeof c->last);
    c->calls++;
    *f = 0.0;
    g[0] = g[1] = g[2] = 0.0;
    for (size_t i = 0; i < 8; i++) {
        double r = c->A[3 * i] * x[0] + c->A[3 * i + 1] * x[1] + c->A[3 * i + 2] * x[2] - c->b[i];
        *f += 0.5 * r * r;
        for (size_t j = 0; j < 3; j++)
            g[j] += c->A[3 * i + j] * r;
    }
    for (size_t j = 0; j < 3; j++)
        *f += c->amp * sin(c->freq * x[j]);
    return 0;
}

/* With gtol and ftol 0 the run stops once an iteration no longer lowers
 * f (SciPy's test with ftol 0), not after max_evals of the same search;
 * a trial at the point last evaluated is not evaluated again (SciPy's
 * cache), and every evaluation is counted. */
static void test_stalls(void)
{
    const double ripples[2][2] = {{1e-6, 1e3}, {1e-4, 1e7}};
    for (int k = 0; k < 2; k++) {
        rippled_ctx c = {.amp = ripples[k][0], .freq = ripples[k][1]};
        xn_rng r;
        xn_rng_seed(&r, XN_RNG_NUMPY, 0);
        for (size_t i = 0; i < 24; i++)
            c.A[i] = xn_rng_normal(&r) * (i % 3 ? 1.0 : 30.0);
        xn_rng_seed(&r, XN_RNG_NUMPY, 10);
        for (size_t i = 0; i < 8; i++)
            c.b[i] = xn_rng_normal(&r);
        double x[3] = {0.0, 0.0, 0.0};
        xn_lbfgs lb = make(3, 10, 0.0, 0.0, 100000);
        run(&lb, x, rippled, &c, 1000);
        CHECK(lb.stop == XN_STOP_FTOL || lb.stop == XN_STOP_LINE_SEARCH);
        CHECK(lb.iterations < 100 && lb.evaluations == c.calls && c.repeats == 0);
        release(&lb);
    }
}

/* ---- on networks ---------------------------------------------------------- */

static const double cols_x[8] = {0, 0, 1, 0, 0, 1, 1, 1}, xor_y[4] = {0, 1, 1, 0};

/* nb1: 2-10-1 relu/sigmoid, mse, randn(in, out) rows from NumPy seed 1,
 * binary-count rows; nb3: 2-2-1 sigmoid/sigmoid, bce, randn (out, in) and
 * drawn biases from NumPy seed 18930, the notebooks' rows.
 * (src/cli/experiments.c) */
static void test_xor(void)
{
    for (int k = 0; k < 2; k++) {
        size_t sizes[3] = {2, k ? 2 : 10, 1};
        xn_act acts[2] = {k ? XN_ACT_SIGMOID : XN_ACT_RELU, XN_ACT_SIGMOID};
        xn_net_config cfg = {.n_layers = 2, .sizes = sizes, .acts = acts,
                             .loss = k ? XN_LOSS_BCE : XN_LOSS_MSE};
        xn_net *net;
        xn_rng r;
        CHECK_STATUS(xn_net_create(&net, &cfg), XN_OK);
        xn_rng_seed(&r, XN_RNG_NUMPY, k ? 18930 : 1);
        CHECK_STATUS(xn_net_init(net, XN_INIT_NORMAL, k ? XN_ORDER_NEURON : XN_ORDER_ROW,
                                 k ? XN_BIAS_DRAWN : XN_BIAS_ZERO, &r), XN_OK);
        const double *x = k ? cols_x : xn_xor_inputs(), *y = k ? xor_y : xn_xor_targets();
        xn_opt o = xn_opt_default(XN_OPT_LBFGS);
        CHECK_STATUS(xn_net_set_opt(net, &o), XN_OK);
        xn_data d = {.n = 4, .in = 2, .out = 1, .x = (double *)x, .y = (double *)y};
        xn_fit_config fc = {.epochs = 100};
        xn_fit_result res;
        CHECK_STATUS(xn_fit(net, &d, &fc, &res), XN_OK);
        double out[4];
        CHECK_STATUS(xn_net_predict(net, 4, x, out), XN_OK);
        for (size_t i = 0; i < 4; i++)
            CHECK((out[i] > 0.5) == (y[i] > 0.5));
        CHECK(res.stop == XN_STOP_GTOL && res.epochs < 100 && res.loss < 1e-3);
        xn_net_destroy(net);
    }
}

/* A 4-5-3 relu/softmax network with alpha 0.01 on the iris rows: the
 * objective the lbfgs solver reports before a step and the gradient it
 * descends, against scikit-learn's own. */
static void test_sklearn_objective(const char *script, const char *data_dir)
{
    char path[4200], tmp[] = "/tmp/xornet-lbfgs-XXXXXX";
    snprintf(path, sizeof path, "%s/iris-train.csv", data_dir);
    xn_data d = {0};
    xn_error err;
    CHECK_STATUS(xn_data_load_classes(&d, path, 3, &err), XN_OK);
    size_t sizes[3] = {4, 5, 3};
    xn_act acts[2] = {XN_ACT_RELU, XN_ACT_SOFTMAX};
    xn_net_config cfg = {.n_layers = 2, .sizes = sizes, .acts = acts, .loss = XN_LOSS_CCE};
    xn_net *net;
    CHECK_STATUS(xn_net_create(&net, &cfg), XN_OK);
    CHECK_STATUS(xn_net_init_default(net, 4), XN_OK);
    double alpha = 0.01, *p = xn_net_params(net);
    size_t P = xn_net_param_count(net);
    int fd = mkstemp(tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    CHECK(f != NULL);
    if (!f)
        return;
    fprintf(f, "4 5 3 %.17g\n", alpha);
    for (size_t j = 0; j < P; j++)
        fprintf(f, "%.17g\n", p[j]);
    for (size_t i = 0; i < d.n; i++) {
        for (size_t j = 0; j < 4; j++)
            fprintf(f, "%.17g ", d.x[i * 4 + j]);
        fprintf(f, "%zu\n", xn_argmax(3, d.y + i * 3));
    }
    fclose(f);
    /* the solver's objective: gtol met at once, so no step is taken */
    xn_opt o = xn_opt_default(XN_OPT_LBFGS);
    o.weight_decay = alpha / (double)d.n;
    o.gtol = 1e300;
    CHECK_STATUS(xn_net_train_step(net, d.n, d.x, d.y, &o, NULL), XN_OK);
    xn_solver_report rep;
    CHECK_STATUS(xn_net_solver_report(net, &rep), XN_OK);
    CHECK(rep.stop == XN_STOP_GTOL && rep.iterations == 0);
    double *g = malloc(P * sizeof *g);
    CHECK_STATUS(xn_net_gradient(net, d.n, d.x, d.y, NULL), XN_OK);
    memcpy(g, xn_net_grads(net), P * sizeof *g);
    xn_solve_decay(net, o.weight_decay, g);
    char cmd[8600];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s' objective '%s' 2>/dev/null", script, tmp);
    FILE *pipe = popen(cmd, "r");
    CHECK(pipe != NULL);
    double v, gmax = 0.0;
    size_t got = 0;
    while (pipe && fscanf(pipe, "%lf", &v) == 1) {
        if (got == 0)
            CHECK_CLOSE(rep.objective, v, 0, 1e-13);
        else if (got <= P)
            CHECK_CLOSE(g[got - 1], v, 1e-15, 1e-11);
        gmax = fmax(gmax, got ? fabs(v) : 0.0);
        got++;
    }
    CHECK(pipe && pclose(pipe) == 0);
    CHECK(got == P + 1 && gmax > 0.0);
    unlink(tmp);
    free(g);
    xn_net_destroy(net);
    xn_data_free(&d);
}

/* 64-32-10 relu/softmax, cce, standardized inputs, He initialization,
 * lbfgs with scikit-learn's alpha 1e-4 as decay, 200 iterations at most.
 * Returns the mean test accuracy over seeds 1..10. */
static double test_digits(const char *data_dir)
{
    char path[4200];
    xn_data tr = {0}, te = {0};
    xn_error err;
    snprintf(path, sizeof path, "%s/digits-train.csv", data_dir);
    CHECK_STATUS(xn_data_load_classes(&tr, path, 10, &err), XN_OK);
    snprintf(path, sizeof path, "%s/digits-test.csv", data_dir);
    CHECK_STATUS(xn_data_load_classes(&te, path, 10, &err), XN_OK);
    double mean = 0.0;
    for (uint64_t seed = 1; seed <= 10 && tr.n && te.n; seed++) {
        size_t sizes[3] = {64, 32, 10};
        xn_act acts[2] = {XN_ACT_RELU, XN_ACT_SOFTMAX};
        xn_net_config cfg = {.n_layers = 2, .sizes = sizes, .acts = acts, .loss = XN_LOSS_CCE};
        xn_net *net;
        CHECK_STATUS(xn_net_create(&net, &cfg), XN_OK);
        CHECK_STATUS(xn_net_init_default(net, seed), XN_OK);
        xn_opt o = xn_opt_default(XN_OPT_LBFGS);
        o.weight_decay = 1e-4 / (double)tr.n;
        CHECK_STATUS(xn_net_set_opt(net, &o), XN_OK);
        xn_fit_config fc = {.epochs = 200, .standardize = true};
        xn_fit_result res;
        double acc, loss;
        CHECK_STATUS(xn_fit(net, &tr, &fc, &res), XN_OK);
        CHECK_STATUS(xn_net_accuracy(net, te.n, te.x, te.y, &acc), XN_OK);
        CHECK_STATUS(xn_net_eval_loss(net, tr.n, tr.x, tr.y, &loss), XN_OK);
        CHECK(acc >= 0.95 && loss <= 1e-3 && res.epochs <= 200);
        mean += acc / 10;
        xn_net_destroy(net);
    }
    xn_data_free(&tr);
    xn_data_free(&te);
    return mean;
}

static void compare_sklearn_digits(const char *script, const char *data_dir, double ours)
{
    char cmd[8600];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s' digits '%s' 2>/dev/null", script, data_dir);
    FILE *pipe = popen(cmd, "r");
    CHECK(pipe != NULL);
    int seed;
    size_t iterations, rows = 0;
    double acc, loss, mean = 0.0;
    while (pipe && fscanf(pipe, "%d %lf %zu %lf", &seed, &acc, &iterations, &loss) == 4) {
        mean += acc / 10;
        rows++;
    }
    CHECK(pipe && pclose(pipe) == 0);
    CHECK(rows == 10);
    printf("digits, seeds 1..10: mean test accuracy %.4f (lbfgs), %.4f (scikit-learn's lbfgs)\n", ours, mean);
    CHECK(ours >= mean);
}

int main(int argc, char **argv)
{
    test_quadratic();
    test_rosenbrock();
    test_wolfe();
    test_not_finite();
    test_stops();
    test_stalls();
    test_xor();
    CHECK(argc >= 3); /* the reference script and data/ */
    if (argc >= 3) {
        test_sklearn_objective(argv[1], argv[2]);
        double mean = test_digits(argv[2]);
        printf("digits, seeds 1..10: mean test accuracy %.4f\n", mean);
        if (argc > 3 && strcmp(argv[3], "--sklearn") == 0)
            compare_sklearn_digits(argv[1], argv[2], mean);
    }
    CHECK_DONE();
}
