/* The second-order solvers on a network: the public xn_net_train_step
 * (which hands gd, momentum and adam to the engine's step), the solver's
 * state and scratch, L-BFGS's objective over the network's rows, the
 * decay term both solvers add, and the report.
 *
 * The state (xn_solver) is one allocation, so xn_net_clone copies it and
 * xn_net_destroy frees it without knowing its layout; the scratch is sized
 * for a batch and kept until a larger one comes.  Rows reach the solvers
 * in the network's scale: the caller's doubles as they are, or converted
 * once an iteration into the scratch when the network standardizes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "solve.h"

double xn_solve_decay(const xn_net *net, double decay, double *g)
{
    if (decay == 0.0)
        return 0.0;
    const double *p = net->params;
    double s = 0.0;
    for (size_t l = 1; l <= net->L; l++)
        for (size_t j = net->woff[l]; j < net->boff[l]; j++) {
            s += p[j] * p[j];
            if (g)
                g[j] += decay * p[j];
        }
    return 0.5 * decay * s;
}

double xn_solve_loss(xn_net *net, size_t n, const double *x, const double *y, double *metric)
{
    size_t L = net->L, K = net->sizes[L];
    xn_net_begin(net);
    net->engine->forward(net, n, x, net->a[L], net->zout);
    xn_loss_terms_f64(net->loss, net->acts[L], n, K, n, net->clip, net->a[L], net->zout, y, NULL, net->terms);
    double sum = xn_loss_add(net->loss, net->clip, n, K, net->terms, 0.0);
    if (metric)
        *metric = xn_net_metric_sum(net, n, y, 0.0);
    return xn_loss_mean(net->loss, n, K, sum);
}

/* ---- state and scratch -------------------------------------------------- */

/* The scratch of an iteration on n rows, cut from net->solver_ws in the
 * order xn_solve_prepare sized it: the solver's arrays, then the rows. */
static xn_solve_ws layout(const xn_net *net, size_t n, bool convert)
{
    size_t P = net->nparams, K = net->sizes[net->L], R = n * K;
    double *p = net->solver_ws;
    xn_solve_ws w = {0};
    if (net->opt.kind == XN_OPT_LM) {
        xn_lm_scratch_size(R, P, &w.lwork);
        w.r = p;
        w.J = w.r + R;
        w.A = w.J + (R + P) * P;
        w.M = w.A + P * P;
        w.b = w.M + P * P;
        w.rhs = w.b + P;
        w.theta0 = w.rhs + R + P;
        w.work = w.theta0 + P;
        p = w.work + w.lwork;
    } else {
        w.lb = p;
        p += xn_lbfgs_scratch_size(P, net->opt.memory);
    }
    if (convert) {
        w.x = p;
        w.y = p + n * net->sizes[0];
    }
    return w;
}

xn_solver *xn_solver_new(const xn_net *net, size_t cap, size_t *bytes)
{
    size_t P = net->nparams, doubles = net->opt.kind == XN_OPT_LM ? 0 : xn_lbfgs_state_size(P, cap);
    if ((net->opt.kind != XN_OPT_LM && doubles == 0) ||
        doubles > (SIZE_MAX - sizeof(xn_solver)) / sizeof(double))
        return NULL;
    *bytes = sizeof(xn_solver) + doubles * sizeof(double);
    xn_solver *st = calloc(1, *bytes);
    if (st)
        *st = (xn_solver){.kind = net->opt.kind, .P = P, .m = cap, .mu = net->opt.mu, .f = NAN,
                          .loss = NAN, .metric = NAN};
    return st;
}

/* The state with room for m pairs: the old one's fields, g and its newest
 * pairs (oldest first, from slot 0) moved over. */
static void move_pairs(xn_solver *to, const xn_solver *from)
{
    size_t P = from->P, keep = from->pairs < to->m ? from->pairs : to->m;
    xn_lbfgs a = {.n = P, .m = from->m}, b = {.n = P, .m = to->m};
    xn_lbfgs_arrays(&a, (double *)from->data, NULL);
    xn_lbfgs_arrays(&b, to->data, NULL);
    size_t cap = to->m;
    *to = *from;
    to->m = cap;
    to->pairs = keep;
    to->newest = keep ? keep - 1 : 0;
    memcpy(b.g, a.g, P * sizeof *b.g);
    for (size_t k = 0; k < keep; k++) {
        size_t j = xn_lbfgs_slot(from->m, from->pairs, from->newest, from->pairs - keep + k);
        memcpy(b.s + k * P, a.s + j * P, P * sizeof *b.s);
        memcpy(b.y + k * P, a.y + j * P, P * sizeof *b.y);
        b.rho[k] = a.rho[j];
    }
}

xn_status xn_solve_prepare(xn_net *net, size_t n, bool convert, const char *call)
{
    const xn_opt *o = &net->opt;
    bool lm = o->kind == XN_OPT_LM;
    size_t P = net->nparams, m = lm ? 0 : o->memory, n0 = net->sizes[0], K = net->sizes[net->L];
    xn_solver *st = net->solver;
    if (!st || st->kind != o->kind || st->P != P || st->m != m) {
        size_t bytes;
        xn_solver *fresh = xn_solver_new(net, m, &bytes);
        if (!fresh)
            return xn_net_fail(net, XN_ENOMEM, "%s: out of memory for lbfgs' %zu pairs of %zu parameters",
                               call, m, P);
        if (st && st->kind == o->kind && st->P == P && !lm)
            move_pairs(fresh, st);
        free(net->solver);
        net->solver = fresh;
        net->solver_bytes = bytes;
    }
    size_t R, lwork = 0, doubles, rows = 0;
    if (!xn_mul_ok(n, K, &R))
        return xn_net_fail(net, XN_ENOMEM, "%s: %zu rows of %zu outputs overflow", call, n, K);
    doubles = lm ? xn_lm_scratch_size(R, P, &lwork) : xn_lbfgs_scratch_size(P, m);
    if (doubles == 0 || doubles > SIZE_MAX / sizeof(double))
        return xn_net_fail(net, XN_ENOMEM, "%s: %s's scratch for %zu rows and %zu parameters overflows",
                           call, xn_opt_name(o->kind), n, P);
    if (lm && doubles * sizeof(double) > o->lm_max_bytes)
        return xn_net_fail(net, XN_ENOMEM,
                           "%s: lm needs %zu bytes for the Jacobian of %zu residuals (%zu rows x %zu "
                           "outputs) by %zu parameters and its normal equations, over lm_max_bytes %zu "
                           "(raise it, or train with lbfgs or adam)",
                           call, doubles * sizeof(double), R, n, K, P, o->lm_max_bytes);
    if (convert && (!xn_mul_ok(n, n0 + K, &rows) || !xn_add_ok(doubles, rows, &doubles) ||
                    doubles > SIZE_MAX / sizeof(double)))
        return xn_net_fail(net, XN_ENOMEM, "%s: %zu rows overflow the solver's scratch", call, n);
    if (doubles * sizeof(double) > net->solver_ws_bytes) {
        void *ws = malloc(doubles * sizeof(double));
        if (!ws)
            return xn_net_fail(net, XN_ENOMEM, "%s: out of memory for %s's %zu bytes of scratch", call,
                               xn_opt_name(o->kind), doubles * sizeof(double));
        free(net->solver_ws);
        net->solver_ws = ws;
        net->solver_ws_bytes = doubles * sizeof(double);
    }
    return XN_OK;
}

/* ---- L-BFGS over the network's parameters -------------------------------- */

/* The rows it minimizes over, and what the last evaluation found besides
 * the objective. */
typedef struct {
    xn_net *net;
    size_t n;
    const double *x, *y;
    double loss, metric;
} net_rows;

/* The objective at the network's parameters (x is them): the mean loss of
 * the rows plus the decay term, and its gradient. */
static int net_objective(void *ctx, const double *x, double *f, double *g)
{
    net_rows *o = ctx;
    xn_net *net = o->net;
    (void)x;
    net->grads_fresh = true;
    double sum = xn_net_accumulate_rows(net, o->n, o->x, o->y, o->n, 0.0, XN_SRC_READY);
    o->loss = xn_loss_mean(net->loss, o->n, net->sizes[net->L], sum);
    o->metric = xn_net_metric_sum(net, o->n, o->y, 0.0);
    memcpy(g, net->grads, net->nparams * sizeof *g);
    *f = o->loss + xn_solve_decay(net, net->opt.weight_decay, g);
    return 0;
}

static xn_status lbfgs_iterate(xn_net *net, xn_solver *st, const xn_solve_ws *w, size_t n,
                               const double *x, const double *y, bool reuse, const char *call,
                               xn_solve_out *out)
{
    const xn_opt *o = &net->opt;
    xn_lbfgs lb = {.n = net->nparams, .m = st->m, .max_evals = o->max_evals, .max_ls = o->max_line_search,
                   .gtol = o->gtol, .ftol = o->ftol, .iterations = st->iterations,
                   .evaluations = st->evaluations, .pairs = st->pairs, .newest = st->newest,
                   .have_fg = st->have_fg && reuse, .f = st->f};
    xn_lbfgs_arrays(&lb, st->data, w->lb);
    net_rows rows = {net, n, x, y, NAN, NAN};
    double *theta = net->params;
    if (!lb.have_fg) { /* the start, evaluated here to report its loss */
        net_objective(&rows, theta, &lb.f, lb.g);
        lb.evaluations++;
        st->evaluations = lb.evaluations;
        st->loss = rows.loss;
        st->metric = rows.metric;
        st->f = lb.f;
        st->have_fg = false;
        double gmax = 0.0;
        for (size_t j = 0; j < lb.n; j++)
            gmax = fmax(gmax, fabs(lb.g[j]));
        if (!isfinite(lb.f) || !isfinite(gmax))
            return xn_net_fail(net, XN_ENUMERIC, "%s: the loss or a gradient is not finite; nothing changed",
                               call);
        lb.have_fg = true;
    }
    out->loss = st->loss;
    out->metric = st->metric;
    size_t evaluated = lb.evaluations;
    xn_status s = xn_lbfgs_iterate(&lb, theta, net_objective, &rows);
    out->stepped = lb.iterations > st->iterations;
    st->iterations = lb.iterations;
    st->evaluations = lb.evaluations;
    st->pairs = lb.pairs;
    st->newest = lb.newest;
    st->have_fg = lb.have_fg;
    st->stop = lb.stop;
    st->f = lb.f;
    if (out->stepped && lb.evaluations > evaluated) { /* the step taken is the last point evaluated */
        st->loss = rows.loss;
        st->metric = rows.metric;
    }
    return s; /* the objective never abandons, and f was finite at the start */
}

xn_status xn_solve_iterate(xn_net *net, size_t n, const double *x, const double *y, bool ready,
                           bool reuse, const char *call, xn_solve_out *out)
{
    xn_solver *st = net->solver;
    bool convert = !ready && (net->mean || net->ymean);
    xn_solve_ws w = layout(net, n, convert);
    if (convert) {
        net->engine->rows_in(n, net->sizes[0], x, XN_SRC_DOUBLE, NULL, net->mean, net->sd, w.x);
        net->engine->rows_in(n, net->sizes[net->L], y, XN_SRC_DOUBLE, NULL, net->ymean, net->ysd, w.y);
        x = w.x;
        y = w.y;
    }
    xn_status s = st->kind == XN_OPT_LM ? xn_lm_iterate(net, st, &w, n, x, y, call, out)
                                        : lbfgs_iterate(net, st, &w, n, x, y, reuse, call, out);
    net->opt_t = st->iterations;
    return s;
}

/* ---- the public calls ---------------------------------------------------- */

xn_status xn_net_train_step(xn_net *net, size_t n, const double *x, const double *y, const xn_opt *opt,
                            double *loss)
{
    if (!net)
        return XN_EINVAL;
    if (!opt)
        return xn_net_fail(net, XN_EINVAL, "train_step: no optimizer");
    const char *why = xn_opt_invalid(opt, NULL);
    if (why)
        return xn_net_fail(net, XN_EINVAL, "optimizer: %s", why);
    if (!xn_opt_second_order(opt->kind))
        return xn_net_step_first_order(net, n, x, y, opt, loss);
    if ((why = xn_opt_unfit(net, opt)))
        return xn_net_fail(net, XN_EINVAL, "optimizer: %s", why);
    xn_status s = xn_net_check_training(net, n, x, y, "train_step");
    if (s != XN_OK)
        return s;
    /* another kind starts the solver afresh; new settings of the same kind keep its state */
    xn_opt old = net->opt;
    if (opt->kind != net->opt.kind)
        xn_net_set_opt(net, opt); /* valid and fit: checked above */
    else
        net->opt = *opt;
    if ((s = xn_solve_prepare(net, n, net->mean || net->ymean, "train_step")) != XN_OK) {
        net->opt = old;
        return s;
    }
    xn_solve_out out;
    s = xn_solve_iterate(net, n, x, y, false, false, "train_step", &out);
    if (loss)
        *loss = out.loss;
    return s;
}

xn_status xn_net_solver_report(const xn_net *net, xn_solver_report *out)
{
    if (!net || !out || !xn_opt_second_order(net->opt.kind))
        return XN_EINVAL;
    const xn_solver *st = net->solver;
    *out = (xn_solver_report){.stop = XN_STOP_NONE, .mu = net->opt.mu, .objective = NAN};
    if (st && st->kind == net->opt.kind)
        *out = (xn_solver_report){.iterations = st->iterations, .evaluations = st->evaluations,
                                  .jacobians = st->jacobians, .qr_steps = st->qr_steps, .stop = st->stop,
                                  .mu = st->mu, .objective = st->f};
    return XN_OK;
}
