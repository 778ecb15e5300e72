/* Adaptive refinement: interpolating a function the caller can evaluate at
 * knots placed where its error needs them (xn_approx_adapt).
 *
 * Refinement.  Linear interpolation on [t, t + w] errs by about
 * w^2/8 |f''| there, so an interval of error e needs sqrt(e / tol) times
 * as many knots to meet tol.  Spreading the error evenly this way gives
 * the knot density h(x) ~ |f''(x)|^(-1/2) that needs the fewest knots for
 * a given maximum error (de Boor, A Practical Guide to Splines, ch. III,
 * on equidistribution): about (integral of sqrt(|f''| / (8 tol)))
 * intervals, 847 for sin on [0, pi] at 1e-6 against 1111 equidistant ones.
 * Each round redistributes all knots by that count, aiming a little below
 * tol; intervals where f'' varies much may still fail and are treated in
 * the next round.  An interval's error is the maximum over its check
 * points t + w c/10, c = 1..9 (the midpoint among them, where a constant
 * f'' puts the maximum). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "approx_impl.h"

#define info_msg xn_approx_info_msg

/* Rounds of equidistribution before plain cutting of the failing
 * intervals (which always ends), and the error they aim at, as a fraction
 * of tol.  Measured from 16 and 33 starting points on sin, exp, runge and
 * tanh: aiming at tol itself leaves many intervals just over it and takes
 * 3 to 7 rounds (sin on [0, pi] at 1e-6: 849 knots, 5 rounds), 0.9 ends in
 * 1 to 3 rounds with about 5 % more knots (895, 2 rounds). */
enum { EQ_ROUNDS = 6 };
#define EQ_THETA 0.9

/* ---- adaptive refinement ----------------------------------------------- */

/* The error every interval would have if n_max knots spread g's error
 * evenly (redistribute's count sum sqrt(e_i / target) comes to n_max - 2):
 * the best a budget of knots can aim at, under the h^2 model. */
static double budget_target(const xn_approx_grid *g, size_t n_max)
{
    double r = 0.0;
    for (size_t i = 0; i + 1 < g->n; i++)
        r += sqrt(g->e[i]);
    double q = r / (double)(n_max - 2);
    return q * q;
}

/* Parts to cut an interval of error e into (1: keep it), at most cap. */
static size_t parts(double e, double tol, size_t cap)
{
    if (!(e > tol))
        return 1;
    double k = ceil(sqrt(e / tol));
    return k < 2.0 ? 2 : k >= (double)cap ? cap : (size_t)k;
}

/* One round: interval i of *g cut into k[i] equal parts (1: kept), into a
 * new grid of total knots.  *stuck is set (and nothing changed) when an
 * interval is too narrow to cut into distinct doubles. */
static xn_status refine(const xn_approx_target *tg, xn_approx_grid *g, const size_t *parts_of, size_t total, bool *stuck)
{
    xn_approx_grid h;
    if (!xn_approx_grid_alloc(&h, total)) {
        xn_approx_grid_free(&h);
        info_msg(tg->info, "out of memory for %zu knots", total);
        return XN_ENOMEM;
    }
    size_t o = 0;
    xn_status s = XN_OK;
    for (size_t i = 0; i + 1 < g->n && s == XN_OK; i++) {
        size_t k = parts_of[i];
        double t0 = g->t[i], w = g->t[i + 1] - t0;
        h.t[o] = t0;
        h.f[o] = g->f[i];
        h.e[o] = g->e[i];
        o++;
        if (k == 1)
            continue;
        for (size_t j = 1; j < k && s == XN_OK; j++, o++) {
            h.t[o] = t0 + w * ((double)j / (double)k);
            if (!(h.t[o] > h.t[o - 1]) || !(h.t[o] < g->t[i + 1])) {
                *stuck = true;
                info_msg(tg->info, "the interval [%.17g, %.17g] (error %.3g) is too narrow "
                         "to refine further", t0, g->t[i + 1], g->e[i]);
                xn_approx_grid_free(&h);
                return XN_OK;
            }
            s = xn_approx_call(tg, h.t[o], &h.f[o]);
        }
        /* the errors of the k new intervals, now that their ends are known */
        for (size_t j = o - k; j < o && s == XN_OK; j++) {
            double t1 = j + 1 < o ? h.t[j + 1] : g->t[i + 1];
            double f1 = j + 1 < o ? h.f[j + 1] : g->f[i + 1];
            s = xn_approx_chord_error(tg, h.t[j], h.f[j], t1, f1, &h.e[j], NULL);
        }
    }
    if (s == XN_OK) {
        h.t[o] = g->t[g->n - 1];
        h.f[o] = g->f[g->n - 1];
        h.e[o] = 0.0;
        xn_approx_grid_free(g);
        *g = h;
    } else {
        xn_approx_grid_free(&h);
    }
    return s;
}

/* The parts each interval of g is cut into, k (g->n - 1), and the knots
 * that makes: every failing interval as parts() says or, when that would
 * pass n_max knots (*budgeted), the intervals of more than half the
 * largest error halved, largest first, as far as the knots left allow.  Halving, not the
 * predicted count: where the error does not fall as h^2 (a singular
 * derivative, as sqrt's at 0) the prediction overshoots, and halving
 * round by round puts the last knots where the error still is. */
static int by_error_desc(const void *a, const void *b)
{
    const double *ea = *(const double *const *)a, *eb = *(const double *const *)b;
    return *ea < *eb ? 1 : *ea > *eb ? -1 : (ea > eb) - (ea < eb);
}

static xn_status cut_counts(const xn_approx_target *tg, const xn_approx_grid *g, double tol, size_t n_max, size_t *k,
                            size_t *total, bool *budgeted)
{
    size_t m = g->n - 1, sum = g->n;
    for (size_t i = 0; i < m; i++) {
        k[i] = parts(g->e[i], tol, n_max);
        sum = sum + (k[i] - 1) > n_max ? n_max + 1 : sum + (k[i] - 1);
    }
    *budgeted = sum > n_max;
    if (!*budgeted) {
        *total = sum;
        return XN_OK;
    }
    const double **order = malloc(m * sizeof *order);
    if (!order) {
        info_msg(tg->info, "out of memory for %zu knots", g->n);
        return XN_ENOMEM;
    }
    for (size_t i = 0; i < m; i++)
        order[i] = &g->e[i];
    qsort(order, m, sizeof *order, by_error_desc);
    size_t left = n_max - g->n;
    for (size_t i = 0; i < m; i++)
        k[i] = 1;
    /* the worst intervals only, so that a round spends knots where the
     * maximum error is (the others wait for the next round) */
    double floor = *order[0] / 2.0 > tol ? *order[0] / 2.0 : tol;
    for (size_t j = 0; j < m && left > 0 && *order[j] > floor; j++, left--)
        k[order[j] - g->e] = 2;
    free(order);
    *total = n_max - left;
    return XN_OK;
}

/* Equidistribution: a new grid on which every interval is predicted to err
 * by `target_err`.  Interval i of *g, of width w_i and error e_i, needs
 * q_i = sqrt(e_i / target_err) intervals (the error falls as h^2); the new
 * knots cut the cumulative count sum q_i, read as a piecewise-linear
 * function of x, into ceil(sum q_i) equal steps.  Where the function is
 * linear (e_i = 0) this merges intervals, so a grid can also get coarser.
 * *over is set (and nothing changed) when that needs more than n_max
 * knots. */
static xn_status redistribute(const xn_approx_target *tg, xn_approx_grid *g, double target_err, size_t n_max,
                              bool *over)
{
    double total = 0.0;
    for (size_t i = 0; i + 1 < g->n; i++)
        total += sqrt(g->e[i] / target_err);
    if (!(total + 1.0 < (double)n_max)) {
        *over = true;
        return XN_OK;
    }
    size_t parts = total < 1.0 ? 1 : (size_t)ceil(total), last = g->n - 1, o = 1, i = 0;
    xn_approx_grid h;
    if (!xn_approx_grid_alloc(&h, parts + 1)) {
        xn_approx_grid_free(&h);
        info_msg(tg->info, "out of memory for %zu knots", parts + 1);
        return XN_ENOMEM;
    }
    h.t[0] = g->t[0];
    h.f[0] = g->f[0];
    double below = 0.0; /* the count left of interval i */
    xn_status s = XN_OK;
    for (size_t j = 1; j < parts && s == XN_OK; j++) {
        double level = total * ((double)j / (double)parts), q = sqrt(g->e[i] / target_err);
        while (i + 1 < last && below + q <= level) {
            below += q;
            q = sqrt(g->e[++i] / target_err);
        }
        double w = g->t[i + 1] - g->t[i], u = q > 0.0 ? (level - below) / q : 1.0;
        double x = g->t[i] + w * (u < 0.0 ? 0.0 : u > 1.0 ? 1.0 : u);
        if (!(x > h.t[o - 1]) || !(x < g->t[last]))
            continue; /* a knot that rounding puts on its neighbour */
        h.t[o] = x;
        s = xn_approx_call(tg, x, &h.f[o++]);
    }
    h.t[o] = g->t[last];
    h.f[o++] = g->f[last];
    h.n = o;
    for (size_t k = 0; k + 1 < o && s == XN_OK; k++)
        s = xn_approx_chord_error(tg, h.t[k], h.f[k], h.t[k + 1], h.f[k + 1], &h.e[k], NULL);
    if (s == XN_OK) {
        h.e[o - 1] = 0.0;
        xn_approx_grid_free(g);
        *g = h;
    } else {
        xn_approx_grid_free(&h);
    }
    return s;
}

/* The network's max and RMS error on the check grid of g (its knots and
 * 9 points inside each interval) into info, and the observed order: the
 * RMS of the chords' errors at those inner points against the RMS with
 * every interval halved (at the 9 inner points of each half), whose
 * maximum is info->err_half.  The RMS, not the maximum: on a grid that
 * equidistributes the error, the largest error after halving sits in an
 * end interval where f'' vanishes (sin at 0 and pi) and is not yet in the
 * h^2 regime, while the bulk of the intervals is.  *fmax = max |f| seen. */
static xn_status final_errors(const xn_approx_target *tg, xn_net *net, const xn_approx_grid *g, xn_approx_info *info,
                              double *fmax)
{
    enum { BLOCK = 10 * 256 };
    double x[BLOCK + 1], fx[BLOCK + 1], y[BLOCK + 1];
    xn_approx_pwl p;
    xn_status s = xn_approx_pwl_make(net, &p);
    if (s != XN_OK)
        return s;
    xn_approx_acc acc = {0}, before = {0}, after = {0};
    *fmax = 0.0;
    for (size_t i0 = 0; i0 + 1 < g->n && s == XN_OK; i0 += BLOCK / 10) {
        size_t i1 = i0 + BLOCK / 10 < g->n - 1 ? i0 + BLOCK / 10 : g->n - 1, q = 0;
        for (size_t i = i0; i < i1 && s == XN_OK; i++) {
            double t0 = g->t[i], t1 = g->t[i + 1], f0 = g->f[i], f1 = g->f[i + 1];
            x[q] = t0;
            fx[q++] = f0;
            for (int c = 1; c <= 9 && s == XN_OK; c++, q++) {
                x[q] = xn_approx_check_point(t0, t1 - t0, c);
                s = xn_approx_call(tg, x[q], &fx[q]);
                xn_approx_acc_add(&before, fx[q] - xn_approx_chord(t0, f0, t1, f1, x[q]));
            }
            /* the halves [t0, mid], [mid, t1]: check point 5 is the midpoint */
            double mid = x[q - 5], fmid = fx[q - 5], e;
            if (s == XN_OK)
                s = xn_approx_chord_error(tg, t0, f0, mid, fmid, &e, &after);
            if (s == XN_OK)
                s = xn_approx_chord_error(tg, mid, fmid, t1, f1, &e, &after);
        }
        if (i1 == g->n - 1) {
            x[q] = g->t[i1];
            fx[q++] = g->f[i1];
        }
        xn_approx_pwl_eval(&p, q, x, y);
        for (size_t j = 0; j < q; j++) {
            xn_approx_acc_add(&acc, y[j] - fx[j]);
            *fmax = fabs(fx[j]) > *fmax ? fabs(fx[j]) : *fmax;
        }
    }
    xn_approx_pwl_free(&p);
    info->err_max = xn_approx_acc_max(&acc);
    info->err_rms = xn_approx_acc_rms(&acc);
    info->checks = acc.count;
    info->err_half = xn_approx_acc_max(&after);
    /* below about 1000 ulps of f the errors are rounding, not h^2 */
    double floor = 1e3 * DBL_EPSILON * *fmax, r0 = xn_approx_acc_rms(&before);
    double r1 = xn_approx_acc_rms(&after);
    info->order = xn_approx_acc_max(&after) > floor && r1 > 0.0 ? log2(r0 / r1) : NAN;
    return s;
}

xn_status xn_approx_adapt(xn_approx_callback fn, void *ctx, double a, double b, double tol,
                          size_t n_start, size_t n_max, const xn_approx_opts *opts,
                          xn_net **out, xn_approx_info *info)
{
    xn_approx_info own;
    if (!info)
        info = &own;
    xn_approx_info_reset(info);
    if (out)
        *out = NULL;
    xn_approx_extrap extrap = opts ? opts->extrapolate : XN_EXTRAP_BARE;
    if (n_max == 0)
        n_max = XN_APPROX_ADAPT_MAX;
    if (!fn || !out || extrap < XN_EXTRAP_BARE || extrap > XN_EXTRAP_CONSTANT) {
        info_msg(info, "bad argument");
        return XN_EINVAL;
    }
    if (!isfinite(a) || !isfinite(b) || !(a < b) || !isfinite(b - a)) {
        info_msg(info, "need finite a < b with b - a finite, got a = %g, b = %g", a, b);
        return XN_EINVAL;
    }
    if (!(tol > 0.0) || !isfinite(tol)) {
        info_msg(info, "the tolerance must be a positive number, got %g", tol);
        return XN_EINVAL;
    }
    if (n_start < 2 || n_max < n_start) {
        info_msg(info, "need 2 <= starting knots <= the most knots, got %zu and %zu", n_start,
                 n_max);
        return XN_EDIM;
    }
    xn_approx_target tg = {fn, ctx, info};
    xn_approx_grid g = {0};
    double *kb = NULL, *kl = NULL;
    xn_status s = XN_OK;
    if (!xn_approx_grid_alloc(&g, n_start)) {
        s = XN_ENOMEM;
        info_msg(info, "out of memory for %zu knots", n_start);
        goto done;
    }
    double step = (b - a) / (double)(n_start - 1);
    for (size_t i = 0; i < n_start && s == XN_OK; i++) {
        g.t[i] = i + 1 == n_start ? b : a + (double)i * step;
        s = xn_approx_call(&tg, g.t[i], &g.f[i]);
    }
    for (size_t i = 0; i + 1 < n_start && s == XN_OK; i++)
        s = xn_approx_chord_error(&tg, g.t[i], g.f[i], g.t[i + 1], g.f[i + 1], &g.e[i], NULL);
    g.e[n_start - 1] = 0.0;
    /* Rounds as the header says.  When meeting tol would take more than
     * n_max knots, the knots are first equidistributed at the error n_max
     * of them can reach (a few rounds, the best grid kept), then the last
     * knots left halve the intervals of the largest errors. */
    bool stuck = false;
    size_t *cuts = NULL, budget_rounds = 0;
    xn_approx_grid best = {0};
    while (s == XN_OK && !stuck) {
        if (!(xn_approx_grid_max_error(&g) > tol))
            break;
        size_t total;
        size_t *k = realloc(cuts, (g.n - 1) * sizeof *k);
        if (!k) {
            s = XN_ENOMEM;
            info_msg(info, "out of memory for %zu knots", g.n);
            break;
        }
        cuts = k;
        bool budgeted, over = false;
        if ((s = cut_counts(&tg, &g, tol, n_max, cuts, &total, &budgeted)) != XN_OK)
            break;
        if (budgeted && budget_rounds < EQ_ROUNDS && n_max >= 8) {
            if (!best.n || xn_approx_grid_max_error(&g) < xn_approx_grid_max_error(&best)) {
                if (!xn_approx_grid_copy(&best, &g)) {
                    s = XN_ENOMEM;
                    info_msg(info, "out of memory for %zu knots", g.n);
                    break;
                }
            }
            budget_rounds++;
            s = redistribute(&tg, &g, budget_target(&g, n_max), n_max, &over);
            if (!over) {
                info->rounds += s == XN_OK;
                continue;
            }
        }
        if (budgeted && g.n >= n_max) { /* the budget is spent */
            info_msg(info, "refining to %g stopped at the most knots allowed, %zu", tol, n_max);
            break;
        }
        if (!budgeted && info->rounds < EQ_ROUNDS)
            s = redistribute(&tg, &g, EQ_THETA * tol, n_max, &over);
        if (budgeted || info->rounds >= EQ_ROUNDS || over)
            s = refine(&tg, &g, cuts, total, &stuck);
        info->rounds += !stuck && s == XN_OK;
    }
    free(cuts);
    if (s == XN_OK && best.n && xn_approx_grid_max_error(&best) < xn_approx_grid_max_error(&g)) {
        xn_approx_grid_free(&g);
        g = best;
        best = (xn_approx_grid){0};
    }
    xn_approx_grid_free(&best);
    if (s != XN_OK)
        goto done;
    /* the interpolating network through the knots: the closed form */
    size_t n = g.n;
    kb = malloc(n * sizeof *kb);
    kl = malloc(n * sizeof *kl);
    if (!kb || !kl) {
        s = XN_ENOMEM;
        info_msg(info, "out of memory for %zu knots", n);
        goto done;
    }
    char warning[sizeof info->msg];
    memcpy(warning, info->msg, sizeof warning);
    size_t rounds = info->rounds;
    s = xn_approx_interp_solve(g.t, g.f, n, XN_APPROX_CLOSED, kb, kl, info);
    info->rounds = rounds;
    if (s == XN_OK)
        s = xn_approx_fitted_net(kb, kl, n, a, b, extrap, g.t, g.f, n, out, info);
    double fmax = 0.0;
    if (s == XN_OK)
        s = final_errors(&tg, *out, &g, info, &fmax);
    if (s != XN_OK) {
        xn_net_destroy(*out);
        *out = NULL;
        goto done;
    }
    info->m = n;
    info->solver = "adaptive, closed form";
    double lmax = 0.0;
    for (size_t j = 0; j < n; j++)
        lmax = fabs(kl[j]) > lmax ? fabs(kl[j]) : lmax;
    if (warning[0])
        memcpy(info->msg, warning, sizeof warning);
    else if (info->err_max > tol)
        info_msg(info, "the network's maximum error %.3g is over the tolerance %g, though "
                 "its knots' chords meet it: rounding of lambda (up to %.3g) in the network",
                 info->err_max, tol, lmax);
done:
    xn_approx_grid_free(&g);
    free(kb);
    free(kl);
    return s;
}
