/* Levenberg-Marquardt on a float64 network with a sum-of-squares loss, one
 * iteration at a time, as MATLAB's trainlm takes them (Hagan and Menhaj,
 * "Training feedforward networks with the Marquardt algorithm", IEEE
 * Trans. Neural Networks 5 (1994) 989-993).
 *
 * With residuals r = A_L - y (R = rows * outputs of them) the loss is
 * c (1/2) ||r||^2, c = 2/R for mse and 1/rows for sse, so the Gauss-Newton
 * model of the objective F = loss + (decay/2) ||W||^2, divided by c, is
 * solved for the step d from
 *     (J^T J + l E + mu I) d = -(J^T r + l E theta),   l = decay / c,
 * E selecting the weights (never the biases), by Cholesky (LAPACKE dposv).
 * When rounding leaves that matrix not positive definite (mu tiny next to
 * ||J^T J||), the same step is the least-squares solution of the stacked
 * system [J; D] d = -[r; t], D^2 = mu I + l E, D t = l E theta, which QR
 * (dgels) solves without squaring J's condition.  The step is taken if it
 * lowers F (a non-finite F does not), and mu becomes mu * mu_dec, never
 * below 1e-20 (trainlm's floor); else mu * mu_inc and the system is solved
 * again, until mu passes mu_max.  mu is in r's units, as trainlm's is. */
#include <cblas.h>
#include <lapacke.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#include "solve.h"

#define MU_FLOOR 1e-20

size_t xn_lm_scratch_size(size_t R, size_t P, size_t *lwork)
{
    size_t rows, jac, normal, total;
    if (!xn_add_ok(R, P, &rows) || rows > INT_MAX || !xn_mul_ok(rows, P, &jac) ||
        !xn_mul_ok(P, 2 * P, &normal) || P > SIZE_MAX / 2)
        return 0;
    /* dgels' workspace for the stacked system (a query: nothing is read) */
    double q = 0.0;
    lapack_int info = LAPACKE_dgels_work(LAPACK_COL_MAJOR, 'T', (lapack_int)P, (lapack_int)rows, 1,
                                         NULL, (lapack_int)P, NULL, (lapack_int)rows, &q, -1);
    if (info != 0 || !(q >= 1.0) || q > (double)INT_MAX)
        return 0;
    *lwork = (size_t)q;
    /* r (R), J (R+P, P), A and M (P, P), b (P), rhs (R+P), theta0 (P), work */
    if (!xn_add_ok(R, jac, &total) || !xn_add_ok(total, normal, &total) ||
        !xn_add_ok(total, 2 * P, &total) || !xn_add_ok(total, rows, &total) ||
        !xn_add_ok(total, *lwork, &total) || total > SIZE_MAX / sizeof(double))
        return 0;
    return total;
}

/* What the decay adds to the system on the weights' diagonal and to the
 * right-hand side, layer by layer (biases are never decayed). */
static void add_decay(const xn_net *net, double l, double *A, double *b)
{
    size_t P = net->nparams;
    const double *theta = net->params;
    for (size_t k = 1; k <= net->L && l > 0.0; k++)
        for (size_t j = net->woff[k]; j < net->boff[k]; j++) {
            A[j * P + j] += l;
            b[j] += l * theta[j];
        }
}

/* The stacked system [J; D] d = -[r; t] into J's spare rows and rhs, and
 * its QR solution: 0, 1 when dgels finds it singular, < 0 for LAPACK's
 * argument error.  J is overwritten. */
static lapack_int stacked_step(const xn_net *net, const xn_solve_ws *w, size_t R, double mu, double l,
                               const double *theta0)
{
    size_t P = net->nparams, rows = R + P;
    double *D = w->J + R * P;
    memset(D, 0, P * P * sizeof *D);
    for (size_t i = 0; i < R; i++)
        w->rhs[i] = -w->r[i];
    for (size_t j = 0; j < P; j++) {
        D[j * P + j] = sqrt(mu);
        w->rhs[R + j] = 0.0;
    }
    for (size_t k = 1; k <= net->L && l > 0.0; k++)
        for (size_t j = net->woff[k]; j < net->boff[k]; j++) {
            double dj = sqrt(mu + l);
            D[j * P + j] = dj;
            w->rhs[R + j] = -l * theta0[j] / dj;
        }
    /* row-major (rows, P) is column-major (P, rows): dgels 'T' solves the
     * overdetermined least squares of its transpose */
    return LAPACKE_dgels_work(LAPACK_COL_MAJOR, 'T', (lapack_int)P, (lapack_int)rows, 1, w->J,
                              (lapack_int)P, w->rhs, (lapack_int)rows, w->work, (lapack_int)w->lwork);
}

xn_status xn_lm_iterate(xn_net *net, xn_solver *st, const xn_solve_ws *w, size_t n,
                        const double *x, const double *y, const char *call, xn_solve_out *out)
{
    const xn_opt *o = &net->opt;
    size_t P = net->nparams, K = net->sizes[net->L], R = n * K;
    double *theta = net->params;
    double c = net->loss == XN_LOSS_MSE ? 2.0 / (double)R : 1.0 / (double)n, l = o->weight_decay / c;
    st->stop = XN_STOP_NONE;
    out->stepped = false;
    out->loss = st->loss = xn_loss_mean(net->loss, n, K, xn_net_jacobian(net, n, x, y, w->r, w->J));
    out->metric = st->metric = xn_net_metric_sum(net, n, y, 0.0);
    st->jacobians++;
    double f = st->f = st->loss + xn_solve_decay(net, o->weight_decay, NULL);
    if (!isfinite(f))
        return xn_net_fail(net, XN_ENUMERIC, "%s: the loss is not finite; nothing changed", call);
    /* b = J^T r (+ l E theta), A = J^T J (+ l E), its upper triangle */
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)R, (int)P, 1.0, w->J, (int)P, w->r, 1, 0.0, w->b, 1);
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)P, (int)R, 1.0, w->J, (int)P, 0.0, w->A,
                (int)P);
    add_decay(net, l, w->A, w->b);
    double gmax = 0.0; /* of the objective's gradient, c b */
    for (size_t j = 0; j < P; j++)
        gmax = fmax(gmax, fabs(c * w->b[j]));
    if (!isfinite(gmax))
        return xn_net_fail(net, XN_ENUMERIC, "%s: a gradient is not finite; nothing changed", call);
    if (gmax <= o->gtol || gmax == 0.0) {
        st->stop = XN_STOP_GTOL;
        return XN_OK;
    }
    memcpy(w->theta0, theta, P * sizeof *theta);
    bool have_J = true; /* the QR fallback overwrites it */
    for (;;) {
        /* (A + mu I) as the upper triangle row-major = the lower one column-major */
        memcpy(w->M, w->A, P * P * sizeof *w->M);
        for (size_t j = 0; j < P; j++) {
            w->M[j * P + j] += st->mu;
            w->rhs[j] = -w->b[j];
        }
        lapack_int info = LAPACKE_dposv_work(LAPACK_COL_MAJOR, 'L', (lapack_int)P, 1, w->M, (lapack_int)P,
                                             w->rhs, (lapack_int)P);
        if (info > 0) {
            if (!have_J) { /* theta is theta0 again: the same J */
                xn_net_jacobian(net, n, x, y, w->r, w->J);
                st->jacobians++;
            }
            info = stacked_step(net, w, R, st->mu, l, w->theta0);
            have_J = false;
            st->qr_steps++;
        }
        if (info < 0)
            return xn_net_fail(net, XN_EINVAL, "%s: lm: LAPACK argument %d is invalid", call, (int)-info);
        if (info == 0) { /* a step to try */
            for (size_t j = 0; j < P; j++)
                theta[j] = w->theta0[j] + w->rhs[j];
            double lt = xn_solve_loss(net, n, x, y, NULL);
            double ft = lt + xn_solve_decay(net, o->weight_decay, NULL);
            st->evaluations++;
            if (ft < f) {
                st->loss = lt;
                st->metric = NAN; /* the next iteration's forward pass has it */
                st->f = ft;
                break;
            }
            memcpy(theta, w->theta0, P * sizeof *theta);
        }
        st->mu *= o->mu_inc;
        if (st->mu > o->mu_max) {
            st->stop = XN_STOP_MU_MAX;
            return XN_OK;
        }
    }
    st->mu = fmax(st->mu * o->mu_dec, MU_FLOOR);
    st->iterations++;
    out->stepped = true;
    if (o->ftol > 0.0 && f - st->f <= o->ftol * fmax(fmax(fabs(f), fabs(st->f)), 1.0))
        st->stop = XN_STOP_FTOL;
    else if (st->evaluations > o->max_evals)
        st->stop = XN_STOP_MAX_EVALS;
    return XN_OK;
}
