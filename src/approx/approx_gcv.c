/* Generalized cross-validation over the number of equidistant knots of a
 * least-squares fit (xn_approx_gcv).
 *
 * GCV.  For a linear smoother y_hat = H y of m samples, Craven & Wahba
 * (1979, Numer. Math. 31, 377-403) and Golub, Heath & Wahba (1979,
 * Technometrics 21, 215-223) choose the model minimizing
 *     GCV = (1/m) ||(I - H) y||^2 / ((1/m) tr(I - H))^2;
 * a least-squares fit with K parameters has tr H = K, so
 *     GCV(K) = m RSS(K) / (m - K)^2
 * (also Hastie, Tibshirani & Friedman, The Elements of Statistical
 * Learning, eq. 7.52).  The K knots span the continuous piecewise-linear
 * functions with breakpoints lo + i h (i = 0..K-1), whose hat-function
 * basis has two nonzeros a row: with the samples sorted by x, R of the QR
 * factorization is upper bidiagonal and each sample is rotated into it by
 * two Givens rotations (the sequential processing of banded problems in
 * Lawson & Hanson, Solving Least Squares Problems, 1974, ch. 27).  That
 * is O(m) a candidate instead of dgels' O(m K^2), and no (m, K) matrix. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lapacke.h>

#include "approx_impl.h"

#define info_msg xn_approx_info_msg
#define info_reset xn_approx_info_reset

/* Upper bidiagonal R (K, K) of the hat basis, with the rotated right-hand
 * side: diagonal d, superdiagonal e (e[i] = R(i, i+1)), z = Q^T f's top
 * part; nrm the squared column norms of the hat matrix. */
typedef struct {
    double *d, *e, *z, *nrm, *band;
} gcv_work;

/* Rotates (r, g) to (hypot, 0): c, s with c r + s g = hypot. */
static void givens(double *r, double g, double *c, double *s)
{
    double h = hypot(*r, g);
    if (h == 0.0) {
        *c = 1.0;
        *s = 0.0;
        return;
    }
    *c = *r / h;
    *s = g / h;
    *r = h;
}

/* RSS of the fit with K >= 2 breakpoints lo + i h, or NaN when its
 * column-scaled R has a reciprocal condition estimate below tol. */
static double gcv_rss(const double *xs, const double *fs, size_t m, size_t K, double tol,
                      gcv_work *w)
{
    double lo = xs[0], hi = xs[m - 1], h = (hi - lo) / (double)(K - 1);
    memset(w->d, 0, K * sizeof *w->d);
    memset(w->e, 0, K * sizeof *w->e);
    memset(w->z, 0, K * sizeof *w->z);
    memset(w->nrm, 0, K * sizeof *w->nrm);
    xn_approx_acc res = {0};
    for (size_t i = 0; i < m; i++) {
        /* the piece [t_j, t_j+1] of x; j never decreases with sorted x */
        double u = (xs[i] - lo) / h;
        /* u is NaN where the spacing h underflows to 0 or the range
         * overflows: piece 0 then, and the fit's NaN marks K as unusable */
        size_t j = !(u > 0.0) ? 0 : u >= (double)(K - 2) ? K - 2 : (size_t)u;
        double tj = lo + (double)j * h, tn = j + 2 == K ? hi : lo + (double)(j + 1) * h;
        double b = (xs[i] - tj) / (tn - tj), a = 1.0 - b, y = fs[i], c, s;
        w->nrm[j] += a * a;
        w->nrm[j + 1] += b * b;
        /* row j of R absorbs a; the row is left with b at column j + 1 */
        givens(&w->d[j], a, &c, &s);
        double ej = w->e[j], zj = w->z[j];
        w->e[j] = c * ej + s * b;
        b = -s * ej + c * b;
        w->z[j] = c * zj + s * y;
        y = -s * zj + c * y;
        /* row j + 1 absorbs b; its e is still 0, as no sample lay right of
         * t_j+1 yet, so nothing spills into column j + 2 */
        givens(&w->d[j + 1], b, &c, &s);
        double zn = w->z[j + 1];
        w->z[j + 1] = c * zn + s * y;
        y = -s * zn + c * y;
        xn_approx_acc_add(&res, y);
    }
    /* R S with S scaling the hat columns to unit norm, in band storage
     * (column-major, 2 rows: superdiagonal over diagonal) for dtbcon */
    for (size_t j = 0; j < K; j++) {
        if (w->nrm[j] == 0.0)
            return NAN; /* no sample near this breakpoint */
        double sj = 1.0 / sqrt(w->nrm[j]);
        w->band[2 * j] = j ? w->e[j - 1] * sj : 0.0;
        w->band[2 * j + 1] = w->d[j] * sj;
    }
    double rc = 0.0;
    if (LAPACKE_dtbcon(LAPACK_COL_MAJOR, '1', 'U', 'N', (lapack_int)K, 1, w->band, 2, &rc) != 0 ||
        !(rc >= tol))
        return NAN;
    double mx = xn_approx_acc_max(&res);
    return mx * mx * res.ss; /* sum of the squares, as max^2 * sum (y/max)^2 */
}

xn_status xn_approx_gcv(const double *x, const double *f, size_t m, size_t k_max,
                        const xn_approx_opts *opts, xn_approx_gcv_row *rows, size_t *best,
                        xn_approx_info *info)
{
    info_reset(info);
    xn_net *unused = NULL;
    if (!rows || !best) {
        info_msg(info, "bad argument");
        return XN_EINVAL;
    }
    if (x && f && (k_max < 2 || k_max >= m || k_max > INT_MAX)) {
        if (info)
            info->m = m;
        info_msg(info, "GCV needs 2 <= largest knot count < samples, got %zu for %zu samples",
                 k_max, m);
        return XN_EDIM;
    }
    /* every candidate is a fit xn_approx_lsq makes densely: one it cannot
     * make is refused before the sweep, not after it */
    size_t mk;
    if (x && f && (m > INT_MAX || !xn_mul_ok(m, k_max, &mk) || mk > XN_APPROX_MAX_DENSE)) {
        if (info)
            info->m = m;
        info_msg(info, "%zu samples x %zu knots is over the dense limit of %zu doubles of the least-squares "
                 "fit; at most %zu knots for %zu samples", m, k_max, XN_APPROX_MAX_DENSE,
                 m > INT_MAX ? 0 : XN_APPROX_MAX_DENSE / m, m);
        return XN_ENOMEM;
    }
    double *xs, *fs;
    xn_status s = xn_approx_lsq_begin(x, f, m, opts, &unused, &xs, &fs, info);
    if (s != XN_OK)
        return s;
    if (info)
        info->solver = "banded QR";
    double tol = opts && opts->rcond > 0.0 ? opts->rcond : XN_APPROX_RCOND;
    gcv_work w = {malloc(k_max * sizeof(double)), malloc(k_max * sizeof(double)),
                  malloc(k_max * sizeof(double)), malloc(k_max * sizeof(double)),
                  malloc(2 * k_max * sizeof(double))};
    if (!w.d || !w.e || !w.z || !w.nrm || !w.band) {
        s = XN_ENOMEM;
        info_msg(info, "out of memory");
        goto done;
    }
    size_t arg = 0;
    for (size_t K = 2; K <= k_max; K++) {
        xn_approx_gcv_row *r = &rows[K - 2];
        r->knots = K;
        r->rss = gcv_rss(xs, fs, m, K, tol, &w);
        double dof = (double)(m - K);
        /* m RSS / (m - K)^2, as m (sqrt(RSS) / (m - K))^2 against overflow */
        r->score = isnan(r->rss) ? INFINITY : (double)m * (sqrt(r->rss) / dof) * (sqrt(r->rss) / dof);
        if (!isinf(r->score) && (arg == 0 || r->score < rows[arg - 2].score))
            arg = K;
    }
    if (arg == 0) {
        s = XN_ESINGULAR;
        info_msg(info, "every knot count from 2 to %zu gives a rank-deficient least-squares "
                 "system", k_max);
        goto done;
    }
    *best = arg;
    if (info)
        info->n = arg;
done:
    free(xs);
    free(fs);
    free(w.d);
    free(w.e);
    free(w.z);
    free(w.nrm);
    free(w.band);
    return s;
}
