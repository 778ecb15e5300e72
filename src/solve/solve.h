/* The second-order solvers' private interface: the generic L-BFGS
 * minimizer over a callback (lbfgs.c) with its line search
 * (linesearch.c), and on networks the solvers' state, scratch and one
 * iteration of Levenberg-Marquardt (lm.c) or L-BFGS (step.c), which the
 * loop (fit.c) and checkpoints (checkpoint.c) use too. */
#ifndef XORNET_SOLVE_H
#define XORNET_SOLVE_H

#include "src/engine/internal.h"

/* ---- the generic minimizer ---------------------------------------------- */

/* An objective: *f and its gradient g (n) at x (n).  Returns 0, or nonzero
 * to abandon the minimization.  A non-finite *f marks a point to step back
 * from (g is then not read). */
typedef int (*xn_objective)(void *ctx, const double *x, double *f, double *g);

/* A line search from x0 along the descent direction d:
 * phi(a) = f(x0 + a d), phi(0) = f0, phi'(0) = dg0 < 0, first trial a1
 * in (0, 1e10]. */
typedef struct {
    size_t n;
    const double *x0, *d;
    double f0, dg0, a1;
    size_t max_evals;      /* trials it may take, >= 1 */
    bool x0_known;         /* x0 is the point last evaluated: x holds it and g
                              its gradient (its value is f0), so a first
                              trial that lands on it costs nothing */
    double *x, *g;         /* (n) out: the last point evaluated and its gradient */
    double a, f;           /* out: its step and value */
    size_t evals;          /* out: evaluations taken (a trial at the point
                              just evaluated takes none) */
} xn_line_search;

typedef enum {
    XN_LS_CONVERGED, /* x meets both strong Wolfe conditions */
    XN_LS_WARNING,   /* the search can go no further (rounding, the
                        interval below XTOL, a bound): x is where it
                        stopped, finite, and L-BFGS-B takes it */
    XN_LS_FAIL,      /* out of evaluations, or not a descent direction:
                        x is x0's copy, g the last trial's */
    XN_LS_ABORT      /* the objective asked to stop */
} xn_ls_result;

/* Moré and Thuente's search with L-BFGS-B's settings (linesearch.c). */
xn_ls_result xn_more_thuente(xn_line_search *ls, xn_objective fn, void *ctx);

/* L-BFGS over n variables: its settings, the state kept between
 * iterations (with the arrays the caller lays out: xn_lbfgs_arrays) and
 * the verdict of the last iteration. */
typedef struct {
    size_t n, m, max_evals, max_ls; /* variables, pairs, evaluations, per search */
    double gtol, ftol;
    size_t iterations, evaluations;
    size_t pairs, newest;  /* pairs held (<= m) in a ring; the newest's slot */
    bool have_fg;          /* f and g are the objective at x */
    xn_stop stop;
    double f;
    double *g, *s, *y, *rho; /* state: (n), (m, n), (m, n), (m) */
    double *d, *x0, *g0, *alpha; /* scratch: (n) three times, (m) */
} xn_lbfgs;

/* The doubles of its state and of its scratch; 0 if the count overflows. */
size_t xn_lbfgs_state_size(size_t n, size_t m);
size_t xn_lbfgs_scratch_size(size_t n, size_t m);
/* Points lb's arrays into state and scratch (sizes as above; scratch may
 * be NULL for the state alone). */
void xn_lbfgs_arrays(xn_lbfgs *lb, double *state, double *scratch);
/* The ring slot of the k-th of `pairs` pairs from the oldest (k < pairs)
 * in a ring of m slots whose newest pair is at `newest`. */
size_t xn_lbfgs_slot(size_t m, size_t pairs, size_t newest, size_t k);
/* One iteration from x (n), which becomes the new point: the objective at
 * x first if !have_fg, then a direction and a line search.  lb->stop says
 * whether it met a test (then x may be unchanged: converged at the start,
 * or no step found).  XN_EIO if fn abandoned, XN_ENUMERIC if f or g is
 * not finite at the start. */
xn_status xn_lbfgs_iterate(xn_lbfgs *lb, double *x, xn_objective fn, void *ctx);

/* ---- the solvers on a network ------------------------------------------ */

/* net->solver: the state of lm or lbfgs, one allocation (copied whole by
 * xn_net_clone) with lbfgs' arrays after the fields. */
typedef struct {
    xn_opt_kind kind;
    size_t P, m;               /* parameters; the pairs lbfgs has room for
                                  (its memory, or fewer in a state read from
                                  a checkpoint; 0 for lm) */
    size_t iterations, evaluations, jacobians, qr_steps;
    size_t pairs, newest;      /* lbfgs */
    bool have_fg;              /* lbfgs: f, loss, metric and g are those of
                                  the parameters, on the last rows */
    xn_stop stop;
    double mu;                 /* lm */
    double f, loss, metric;    /* objective, loss and metric sum there */
    double data[];             /* lbfgs: g (P), s (m, P), y (m, P), rho (m) */
} xn_solver;

/* Scratch for an iteration on n rows (net->solver_ws cut into arrays). */
typedef struct {
    double *x, *y;             /* (n, n0), (n, nL): the rows converted, or NULL */
    double *lb;                /* lbfgs scratch */
    double *r, *J, *A, *M, *b, *rhs, *theta0, *work; /* lm: (R), (R+P, P),
                                  (P, P) twice, (P), (R+P), (P), (lwork) */
    size_t lwork;
} xn_solve_ws;

/* What an iteration reports: the loss and the metric's sum (xn_net_metric_sum)
 * before it, and whether it took a step. */
typedef struct {
    double loss, metric;
    bool stepped;
} xn_solve_out;

/* A state for net's optimizer with room for cap pairs (lbfgs; 0 for
 * lm), zero but for mu (the optimizer's) and the NaN values; its size in
 * *bytes.  NULL if it cannot be allocated or its size overflows. */
xn_solver *xn_solver_new(const xn_net *net, size_t cap, size_t *bytes);
/* Makes net's solver state for its optimizer (afresh if it has none or
 * one of another kind; for a new memory the newest pairs move over) and
 * scratch for n rows, converting them if `convert`.  XN_ENOMEM (recorded
 * as call's; lm past lm_max_bytes says both numbers). */
xn_status xn_solve_prepare(xn_net *net, size_t n, bool convert, const char *call);
/* One iteration of the network's solver on rows x (n, n0), y (n, nL),
 * n <= the reserved rows, after xn_solve_prepare: `ready` rows are in the
 * network's scale already (else they are converted here), and `reuse`
 * says they are the last iteration's, so a cached objective holds.
 * XN_ENUMERIC if the objective is not finite at the start, XN_EINVAL for
 * a LAPACK argument error (a bug); recorded as call's. */
xn_status xn_solve_iterate(xn_net *net, size_t n, const double *x, const double *y, bool ready,
                           bool reuse, const char *call, xn_solve_out *out);
/* lm's iteration (lm.c) on rows ready for the network. */
xn_status xn_lm_iterate(xn_net *net, xn_solver *st, const xn_solve_ws *w, size_t n,
                        const double *x, const double *y, const char *call, xn_solve_out *out);
/* The scratch doubles lm needs for R residuals and P parameters (lwork
 * included), and dgels' lwork; 0 if the count overflows. */
size_t xn_lm_scratch_size(size_t R, size_t P, size_t *lwork);
/* decay/2 ||W||^2 over the network's weights (never the biases); with g
 * non-NULL, decay W is added to g's weight entries. */
double xn_solve_decay(const xn_net *net, double decay, double *g);
/* The forward pass of ready rows x, y (n <= reserved): the loss, and with
 * metric non-NULL the metric's sum. */
double xn_solve_loss(xn_net *net, size_t n, const double *x, const double *y, double *metric);

#endif
