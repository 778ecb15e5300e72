/* Private declarations shared by the approximation solver's files:
 * approx.c (messages, validation, the network), approx_interp.c,
 * approx_lsq.c, approx_gcv.c, approx_adapt.c (the fits), approx_fn.c (the
 * built-in functions) and approx_eval.c (evaluation). */
#ifndef XORNET_APPROX_IMPL_H
#define XORNET_APPROX_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "src/engine/internal.h"
#include "xornet/approx.h"

/* Zeroes *info (may be NULL). */
void xn_approx_info_reset(xn_approx_info *info);
/* Formats info->msg (info may be NULL). */
void xn_approx_info_msg(xn_approx_info *info, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Copies x (m), f (m) into new arrays *xs, *fs sorted by x (ties in input
 * order), after checking every value is finite (XN_ENUMERIC, info->where).
 * With distinct, a repeated x is XN_EINVAL naming both samples. */
xn_status xn_approx_sorted_copy(const double *x, const double *f, size_t m,
                                bool distinct, double **xs, double **fs,
                                xn_approx_info *info);

/* XN_ENUMERIC unless lambda (n) is finite and the bound
 * sum |lambda_j| * span on every partial sum of the forward pass is too. */
xn_status xn_approx_check_lambda(const double *lambda, size_t n, double span,
                                 xn_approx_info *info);

/* The network of bare knots b (n) and weights lambda (n), valid on
 * [lo, hi], made to extrapolate as asked, into *out (NULL on failure), with
 * info's range and residuals at the m sorted samples (xs, fs). */
xn_status xn_approx_fitted_net(const double *b, const double *lambda, size_t n,
                               double lo, double hi, xn_approx_extrap extrap,
                               const double *xs, const double *fs, size_t m,
                               xn_net **out, xn_approx_info *info);

/* The checks every least-squares entry point shares (approx_lsq.c):
 * arguments, the sorted copy *xs, *fs (the caller's on XN_OK), at least 2
 * distinct x, a representable x range. */
xn_status xn_approx_lsq_begin(const double *x, const double *f, size_t m,
                              const xn_approx_opts *opts, xn_net **out, double **xs,
                              double **fs, xn_approx_info *info);

/* Max and RMS of a stream of errors, one pass, without overflow in the
 * squares (LAPACK dlassq's scaling: ss is the sum of (e / max)^2).  A NaN
 * makes both NaN.  Start from {0}. */
typedef struct {
    double max, ss;
    size_t count;
    bool nan;
} xn_approx_acc;

void xn_approx_acc_add(xn_approx_acc *acc, double e);
double xn_approx_acc_max(const xn_approx_acc *acc);
double xn_approx_acc_rms(const xn_approx_acc *acc);
/* info->resid_max and resid_rms of net at the m sorted samples (xs, fs). */
xn_status xn_approx_residuals(xn_net *net, const double *xs, const double *fs, size_t m, xn_approx_info *info);

/* Piecewise-linear form of a 1 -> n -> 1 relu/identity network
 * (approx_eval.c): kinks t (k) increasing, value v (k) at each kink, slope
 * s (k + 1): s[0] left of t[0], s[i] on (t[i-1], t[i]), s[k] right. */
typedef struct {
    size_t k;
    double *t, *v, *s;
} xn_approx_pwl;

xn_status xn_approx_pwl_make(xn_net *net, xn_approx_pwl *p);
void xn_approx_pwl_free(xn_approx_pwl *p);
/* y (m) = the function at x (m); O(m + kinks crossed) for increasing x,
 * O(log k) a point otherwise. */
void xn_approx_pwl_eval(const xn_approx_pwl *p, size_t m, const double *x, double *y);


/* ---- adaptive refinement's intervals and grid (approx_grid.c) ----------- */

/* The caller's function, and the info its failures are reported in. */
typedef struct {
    xn_approx_callback fn;
    void *ctx;
    xn_approx_info *info;
} xn_approx_target;

/* fn at x into *out; XN_ENUMERIC, with the info's message, if not finite. */
xn_status xn_approx_call(const xn_approx_target *g, double x, double *out);
/* Check point c (1..9) of [t0, t0 + w]. */
double xn_approx_check_point(double t0, double w, int c);
/* The chord of (t0, f0), (t1, f1) at x. */
double xn_approx_chord(double t0, double f0, double t1, double f1, double x);
/* max |f - chord| over the check points of [t0, t1] into *err; each error
 * also into acc when it is not NULL. */
xn_status xn_approx_chord_error(const xn_approx_target *g, double t0, double f0, double t1, double f1,
                                double *err, xn_approx_acc *acc);

/* The knots t (n), values f (n) and interval errors e (n - 1). */
typedef struct {
    double *t, *f, *e;
    size_t n;
} xn_approx_grid;

void xn_approx_grid_free(xn_approx_grid *g);
/* Arrays for n knots (false if out of memory: free it). */
bool xn_approx_grid_alloc(xn_approx_grid *g, size_t n);
/* The largest interval error of g. */
double xn_approx_grid_max_error(const xn_approx_grid *g);
/* *dst becomes a copy of src (false if out of memory, dst then empty). */
bool xn_approx_grid_copy(xn_approx_grid *dst, const xn_approx_grid *src);

#endif
