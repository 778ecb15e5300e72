/* xornet/approx.h: fitting NN(x) = sum_j lambda_j * relu(x - b_j) to a
 * sampled function (notebook 4, Task 7), by interpolation (a lower-triangular
 * solve, or its O(n) closed form) or by least squares (LAPACKE dgels).
 *
 * The result is an ordinary xornet network of sizes 1 -> n -> 1: W1 (1, n)
 * all ones, b1 = -b (n), relu; W2 (n, 1) = lambda, b2 = 0, identity; loss
 * mse.  xn_net_predict, xn_net_save and every other tool work on it.
 *
 * Knots.  Interpolation of x_1 < ... < x_n (any spacing, n >= 2) uses
 * b_1 = x_1 - (x_2 - x_1) and b_j = x_{j-1} for j >= 2, so the system
 * A lambda = f with A_ij = max(0, x_i - b_j) is lower triangular with the
 * spacings on its diagonal.  Least squares with n knots over m >= n samples
 * uses b_j = x_min + (j - 2) h, h = (x_max - x_min) / (n - 1).
 *
 * Example:
 *     double x[] = {0, 1, 3}, f[] = {1, 3, 2};
 *     xn_net *net; xn_approx_info info;
 *     if (xn_approx_interp(x, f, 3, NULL, &net, &info) != XN_OK)
 *         fprintf(stderr, "%s\n", info.msg);
 *     ... xn_net_predict(net, k, xs, ys); xn_net_destroy(net); */
#ifndef XORNET_APPROX_H
#define XORNET_APPROX_H

#include <stddef.h>

#include "xornet/xornet.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How interpolation finds lambda.  AUTO picks the faster at the given n as
 * measured by bench/bench_approx: the closed form at every n measured
 * (4..8000, docs/approx.md), so AUTO is CLOSED. */
typedef enum {
    XN_APPROX_AUTO,
    XN_APPROX_LAPACKE,  /* build A (n, n) and solve with LAPACKE_dtrtrs: O(n^2) */
    XN_APPROX_CLOSED    /* lambda = the slope changes between samples: O(n) */
} xn_approx_method;

/* Hard limit on a dense system's size (doubles), checked before anything is
 * allocated: XN_ENOMEM past it.  2^28 doubles = 2 GiB, n = 16384 for dtrtrs. */
#define XN_APPROX_MAX_DENSE ((size_t)1 << 28)

/* Options; NULL or a zeroed struct means the defaults. */
typedef struct {
    xn_approx_method method;   /* interpolation only; AUTO by default */
    /* Least squares only.  A system is rank-deficient when dgels meets an
     * exactly zero pivot or LAPACKE_dtrcon's estimate of the reciprocal
     * condition number of the column-scaled R is below rcond (0 means
     * XN_APPROX_RCOND).  Such a system is refused with XN_ESINGULAR unless
     * min_norm is set; then dgelsd's minimum-norm solution (singular values
     * below rcond * the largest treated as zero) is returned, info->rank < n
     * and info->msg says so. */
    double rcond;
    int min_norm;
} xn_approx_opts;

#define XN_APPROX_RCOND 1e-10

/* What a fit did.  Filled (zeroed first) by every call that takes one,
 * also on failure, when msg says why in one line without a file name. */
typedef struct {
    size_t m;                /* samples */
    size_t n;                /* knots = hidden neurons */
    xn_approx_method method; /* the interpolation method used (never AUTO) */
    const char *solver;      /* static: "closed form", "dtrtrs", "dgels", "dgelsd" */
    size_t rank;             /* n, or dgelsd's rank for a rank-deficient fit */
    double rcond;            /* least squares: dtrcon's estimate; else 0 */
    double resid_max;        /* max |NN(x_i) - f_i| over the samples, by */
    double resid_rms;        /* the network's forward pass; and the RMS */
    size_t where[2];         /* 1-based input positions of the offending
                                sample(s) (repeated or non-finite), else 0 */
    char msg[200];           /* why the call failed, or a warning; else "" */
} xn_approx_info;

/* The name of a method ("auto", "lapacke", "closed"; "?" out of range) and
 * its parser (XN_EINVAL for an unknown name, *out untouched then). */
XN_API const char *xn_approx_method_name(xn_approx_method m);
XN_API xn_status xn_approx_method_parse(const char *name, xn_approx_method *out);

/* Interpolates n >= 2 samples given in any order (copied and sorted by x).
 * *out is a new 1 -> n -> 1 network (NULL on failure) with NN(x_i) = f_i.
 * opts and info may be NULL.  XN_EINVAL: NULL pointer, a repeated x (info->
 * where names both samples); XN_EDIM: n < 2; XN_ENUMERIC: a non-finite x or
 * f, or knots/lambda overflowing; XN_ENOMEM. */
XN_API xn_status xn_approx_interp(const double *x, const double *f, size_t n,
                                  const xn_approx_opts *opts, xn_net **out,
                                  xn_approx_info *info);

/* The solve alone, without sorting or a network: x (n) strictly increasing,
 * f (n); writes the knots b (n) and lambda (n), caller-owned.  The
 * LAPACKE method allocates an (n, n) matrix; the closed form nothing.
 * Statuses as xn_approx_interp (XN_EINVAL also for x not increasing). */
XN_API xn_status xn_approx_interp_solve(const double *x, const double *f,
                                        size_t n, xn_approx_method method,
                                        double *b, double *lambda,
                                        xn_approx_info *info);

/* Least-squares fit of m samples (any order; repeated x allowed while the
 * system keeps full rank) with n_knots >= 2 knots, m >= n_knots, through
 * LAPACKE_dgels on the (m, n) matrix A_ij = max(0, x_i - b_j) with columns
 * scaled to unit norm.  *out as for xn_approx_interp.  XN_EDIM: n_knots < 2
 * or m < n_knots; XN_ESINGULAR: rank-deficient (see xn_approx_opts);
 * also all x equal; XN_EINVAL, XN_ENUMERIC, XN_ENOMEM as above. */
XN_API xn_status xn_approx_lsq(const double *x, const double *f, size_t m,
                               size_t n_knots, const xn_approx_opts *opts,
                               xn_net **out, xn_approx_info *info);

/* The 1 -> n -> 1 network of knots b (n) and weights lambda (n). */
XN_API xn_status xn_approx_net(const double *b, const double *lambda, size_t n,
                               xn_net **out);
/* y (m) = NN(x (m)) by xn_net_predict in chunks of rows, so the workspace
 * stays near 2^20 doubles however large m * n is. */
XN_API xn_status xn_approx_predict(xn_net *net, size_t m, const double *x,
                                   double *y);

/* ---- built-in functions ------------------------------------------------ */

typedef enum {
    XN_FN_SIN, XN_FN_COS, XN_FN_EXP, XN_FN_ABS,
    XN_FN_RUNGE,  /* 1 / (1 + 25 x^2) */
    XN_FN_SQRT,   /* defined for x >= 0 only */
    XN_FN_TANH
} xn_approx_fn;

/* Names are sin cos exp abs runge sqrt tanh; "?" for an out-of-range value;
 * the parser returns XN_EINVAL for an unknown name or NULL. */
XN_API const char *xn_approx_fn_name(xn_approx_fn fn);
XN_API xn_status xn_approx_fn_parse(const char *name, xn_approx_fn *out);
/* fn(x); NaN outside the function's domain or for a bad fn. */
XN_API double xn_approx_fn_eval(xn_approx_fn fn, double x);
/* Samples fn on n >= 2 equidistant points x_i = a + i (b - a) / (n - 1),
 * i = 0..n-1 (x_{n-1} = b exactly) into x (n) and f (n).  XN_EINVAL: NULL,
 * bad fn, a >= b or not finite; XN_EDIM: n < 2; XN_ENUMERIC: fn not finite
 * at some x_i (err->msg says where; err may be NULL). */
XN_API xn_status xn_approx_fn_sample(xn_approx_fn fn, double a, double b,
                                     size_t n, double *x, double *f,
                                     xn_error *err);

/* ---- samples from text ------------------------------------------------- */

/* Reads samples "x,f", one a line: exactly two finite decimal numbers
 * separated by a comma, spaces and tabs around them allowed.  Blank lines
 * and lines starting with '#' (after blanks) are skipped; the first other
 * line may be a header of two names ("x,f"; it is one when its first field
 * is a word: a character no decimal number has, or no digit).  CRLF line
 * ends are accepted.  nan, inf, hex, numbers that overflow or underflow to 0
 * (1e-400; subnormals are kept) are errors naming the line.  text holds len
 * bytes and need not end in NUL; any byte sequence is safe.  On success *x
 * and *f are new malloc'd arrays of *m >= 1 values (release with free());
 * on failure they are NULL, *m is 0 and err (may be NULL) names the line.
 * XN_EINVAL: NULL pointer; XN_EFORMAT; XN_ENOMEM. */
XN_API xn_status xn_samples_parse(const char *text, size_t len, double **x,
                                  double **f, size_t *m, xn_error *err);
/* xn_samples_parse that also returns where each sample was: (*lines)[i] is
 * the 1-based line of sample i + 1 (a new malloc'd array of *m, NULL on
 * failure; lines may be NULL).  A fit's info.where[k] (a sample position
 * p >= 1) is then line (*lines)[p - 1] of the text. */
XN_API xn_status xn_samples_parse_lines(const char *text, size_t len, double **x,
                                        double **f, size_t **lines, size_t *m,
                                        xn_error *err);
/* The same from a file of at most 8 GiB (1 GiB with a 32-bit size_t; a
 * larger one is XN_EFORMAT).  Use xn_samples_parse for standard input.
 * XN_EIO (err->line 0) if it cannot be opened or read. */
XN_API xn_status xn_samples_load(const char *path, double **x, double **f,
                                 size_t *m, xn_error *err);
/* xn_samples_load with each sample's line, as xn_samples_parse_lines. */
XN_API xn_status xn_samples_load_lines(const char *path, double **x, double **f,
                                       size_t **lines, size_t *m, xn_error *err);

#ifdef __cplusplus
}
#endif

#endif
