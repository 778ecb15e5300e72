/* The line search of L-BFGS: Moré and Thuente, "Line search algorithms
 * with guaranteed sufficient decrease", ACM TOMS 20(3), 1994, 286-307, as
 * L-BFGS-B (Zhu, Byrd, Lu and Nocedal 1997; version 3.0, the one SciPy's
 * method 'L-BFGS-B' runs) calls it, so that xornet's lbfgs takes the steps
 * scikit-learn's solver='lbfgs' takes.  For phi(a) = f(x0 + a d) it looks
 * for a step meeting
 *     phi(a) <= phi(0) + FTOL a phi'(0)      sufficient decrease
 *     |phi'(a)| <= GTOL |phi'(0)|            curvature (strong Wolfe)
 * with L-BFGS-B's FTOL = 1e-3, GTOL = 0.9, XTOL = 0.1 and steps in
 * [0, 1e10].  The interval of uncertainty [stx, sty] starts at 0; each
 * trial updates it by the paper's four cases (`next_step`, their section
 * 4), working on the auxiliary psi(a) = phi(a) - phi(0) - FTOL a phi'(0)
 * until a step with psi <= 0 and phi' >= 0 is seen (stage 1), on phi
 * after.  Unbracketed steps grow by at most 4 (and at least 1.1) times the
 * distance from stx; a bracket that does not shrink by a third in two
 * trials is bisected.  The arithmetic is the paper's, in its order.
 *
 * A trial whose value or slope is not finite (a step into overflow) is
 * our addition: it is treated as too long, the step halved towards stx.
 * A trial at the point last evaluated, bit for bit (the search falls back
 * to stx when its interval has shrunk, or a step is too small to move x),
 * reuses that evaluation, as SciPy's cache of the last point does, so the
 * evaluations counted are SciPy's nfev. */
#include <math.h>
#include <string.h>

#include "solve.h"

#define FTOL 1e-3
#define GTOL 0.9
#define XTOL 0.1
#define STPMAX 1e10
#define XTRAPL 1.1
#define XTRAPU 4.0

/* The interval of uncertainty: its ends stx (the best step so far) and
 * sty with their values and slopes, whether it brackets a minimizer, and
 * the bounds of the next step. */
typedef struct {
    double stx, fx, gx, sty, fy, gy;
    bool brackt;
    double stmin, stmax;
} interval;

static double dot(size_t n, const double *u, const double *v)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += u[i] * v[i];
    return s;
}

/* The paper's gamma of the cubic interpolating two trials with slopes da
 * and db, theta from their values: s sqrt((theta/s)^2 - (da/s)(db/s)),
 * s = max(|theta|, |da|, |db|) against overflow; with clamp the root of
 * a negative difference is 0 (case 3, where the cubic may not have a
 * minimizer). */
static double cubic_gamma(double theta, double da, double db, bool clamp)
{
    double s = fmax(fmax(fabs(theta), fabs(da)), fabs(db));
    double t = theta / s, disc = t * t - da / s * (db / s);
    return s * sqrt(clamp ? fmax(0.0, disc) : disc);
}

/* The paper's step update (MINPACK-2's dcstep) from the trial (stp, fp,
 * dp): the new trial step, and the interval updated. */
static double next_step(interval *I, double stp, double fp, double dp, double stpmin, double stpmax)
{
    double stx = I->stx, fx = I->fx, dx = I->gx, sty = I->sty, fy = I->fy, dy = I->gy;
    double sgnd = dp * (dx / fabs(dx)), stpf;
    if (!isfinite(fp) || !isfinite(dp)) { /* too long: halve it (our addition) */
        stpf = stx + 0.5 * (stp - stx);
        I->brackt = true;
    } else if (fp > fx) {
        /* case 1: a higher value; the minimizer is bracketed.  The cubic
         * step if it is closer to stx than the quadratic, else between */
        double theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
        double gamma = cubic_gamma(theta, dx, dp, false);
        if (stp < stx)
            gamma = -gamma;
        double p = (gamma - dx) + theta, q = ((gamma - dx) + gamma) + dp, r = p / q;
        double stpc = stx + r * (stp - stx);
        double stpq = stx + ((dx / ((fx - fp) / (stp - stx) + dx)) / 2.0) * (stp - stx);
        stpf = fabs(stpc - stx) < fabs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2.0;
        I->brackt = true;
    } else if (sgnd < 0.0) {
        /* case 2: lower, the slopes of opposite signs: bracketed; the
         * cubic or secant step, whichever is farther from stp */
        double theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
        double gamma = cubic_gamma(theta, dx, dp, false);
        if (stp > stx)
            gamma = -gamma;
        double p = (gamma - dp) + theta, q = ((gamma - dp) + gamma) + dx, r = p / q;
        double stpc = stp + r * (stx - stp);
        double stpq = stp + (dp / (dp - dx)) * (stx - stp);
        stpf = fabs(stpc - stp) > fabs(stpq - stp) ? stpc : stpq;
        I->brackt = true;
    } else if (fabs(dp) < fabs(dx)) {
        /* case 3: lower, the same sign, the slope shrinking: the cubic
         * step only if it goes the right way and the cubic tends to
         * infinity there; kept inside the bracket, or between the bounds */
        double theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp;
        double gamma = cubic_gamma(theta, dx, dp, true);
        if (stp > stx)
            gamma = -gamma;
        double p = (gamma - dp) + theta, q = (gamma + (dx - dp)) + gamma, r = p / q;
        double stpc = r < 0.0 && gamma != 0.0 ? stp + r * (stx - stp) : stp > stx ? stpmax : stpmin;
        double stpq = stp + (dp / (dp - dx)) * (stx - stp);
        if (I->brackt) {
            stpf = fabs(stpc - stp) < fabs(stpq - stp) ? stpc : stpq;
            double bound = stp + 0.66 * (sty - stp);
            stpf = stp > stx ? fmin(bound, stpf) : fmax(bound, stpf);
        } else {
            stpf = fabs(stpc - stp) > fabs(stpq - stp) ? stpc : stpq;
            stpf = fmax(stpmin, fmin(stpmax, stpf));
        }
    } else if (I->brackt && isfinite(fy)) {
        /* case 4: lower, the same sign, the slope not shrinking: the
         * cubic through stp and sty when bracketed, else a bound */
        double theta = 3.0 * (fp - fy) / (sty - stp) + dy + dp;
        double gamma = cubic_gamma(theta, dy, dp, false);
        if (stp > sty)
            gamma = -gamma;
        double p = (gamma - dp) + theta, q = ((gamma - dp) + gamma) + dy, r = p / q;
        stpf = stp + r * (sty - stp);
    } else if (I->brackt) { /* sty not finite: halve towards it */
        stpf = stp + 0.5 * (sty - stp);
    } else {
        stpf = stp > stx ? stpmax : stpmin;
    }
    if (fp > fx || !isfinite(fp) || !isfinite(dp)) {
        I->sty = stp;
        I->fy = fp;
        I->gy = dp;
    } else {
        if (sgnd < 0.0) {
            I->sty = stx;
            I->fy = fx;
            I->gy = dx;
        }
        I->stx = stp;
        I->fx = fp;
        I->gx = dp;
    }
    return stpf;
}

static xn_ls_result fail(xn_line_search *ls)
{
    memcpy(ls->x, ls->x0, ls->n * sizeof *ls->x);
    return XN_LS_FAIL;
}

xn_ls_result xn_more_thuente(xn_line_search *ls, xn_objective fn, void *ctx)
{
    const double finit = ls->f0, ginit = ls->dg0, gtest = FTOL * ginit, stpmin = 0.0;
    double stp = ls->a1, width = STPMAX - stpmin, width1 = width / 0.5;
    interval I = {0.0, finit, ginit, 0.0, finit, ginit, false, 0.0, stp + XTRAPU * stp};
    bool stage1 = true;
    ls->evals = 0;
    if (!(ginit < 0.0) || !(stp > stpmin && stp <= STPMAX))
        return fail(ls);
    bool known = ls->x0_known; /* x, f and g are the last point evaluated */
    if (known)
        ls->f = finit;
    for (size_t trials = 1;; trials++) {
        bool same = known;
        for (size_t i = 0; i < ls->n; i++) {
            double v = stp * ls->d[i] + ls->x0[i];
            same = same && v == ls->x[i];
            ls->x[i] = v;
        }
        double f = ls->f;
        if (!same) { /* a trial at the point last evaluated costs nothing */
            if (fn(ctx, ls->x, &f, ls->g))
                return XN_LS_ABORT;
            ls->evals++;
            known = true;
        }
        double g = isfinite(f) ? dot(ls->n, ls->g, ls->d) : NAN;
        bool finite = isfinite(f) && isfinite(g);
        ls->a = stp;
        ls->f = f;
        double ftest = finit + stp * gtest;
        if (finite) {
            if (stage1 && f <= ftest && g >= 0.0)
                stage1 = false;
            if (f <= ftest && fabs(g) <= GTOL * -ginit)
                return XN_LS_CONVERGED;
            /* the paper's warnings: L-BFGS-B takes the step they stop at */
            if ((I.brackt && (stp <= I.stmin || stp >= I.stmax)) ||
                (I.brackt && I.stmax - I.stmin <= XTOL * I.stmax) ||
                (stp == STPMAX && f <= ftest && g <= gtest) || (stp == stpmin && (f > ftest || g >= gtest)))
                return XN_LS_WARNING;
        }
        if (trials >= ls->max_evals) /* L-BFGS-B counts the trials */
            return fail(ls);
        if (finite && stage1 && f <= I.fx && f > ftest) {
            /* psi's values and slopes, and back */
            I.fx -= I.stx * gtest;
            I.fy -= I.sty * gtest;
            I.gx -= gtest;
            I.gy -= gtest;
            stp = next_step(&I, stp, f - stp * gtest, g - gtest, I.stmin, I.stmax);
            I.fx += I.stx * gtest;
            I.fy += I.sty * gtest;
            I.gx += gtest;
            I.gy += gtest;
        } else {
            stp = next_step(&I, stp, finite ? f : INFINITY, finite ? g : NAN, I.stmin, I.stmax);
        }
        if (I.brackt) {
            if (fabs(I.sty - I.stx) >= 0.66 * width1)
                stp = I.stx + 0.5 * (I.sty - I.stx);
            width1 = width;
            width = fabs(I.sty - I.stx);
            I.stmin = fmin(I.stx, I.sty);
            I.stmax = fmax(I.stx, I.sty);
        } else {
            I.stmin = stp + XTRAPL * (stp - I.stx);
            I.stmax = stp + XTRAPU * (stp - I.stx);
        }
        stp = fmin(fmax(stp, stpmin), STPMAX);
        if (I.brackt && (stp <= I.stmin || stp >= I.stmax || I.stmax - I.stmin <= XTOL * I.stmax))
            stp = I.stx;
    }
}
