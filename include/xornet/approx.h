/* xornet/approx.h: fitting NN(x) = sum_j lambda_j * relu(x - b_j) to a
 * function of one variable: by interpolation of samples (a lower-triangular
 * solve, or its O(n) closed form), by least squares (LAPACKE dgels) with
 * equidistant knots, knots given by the caller, or a knot count chosen by
 * generalized cross-validation, and by adaptive refinement of a function
 * the caller can evaluate.
 *
 * The result is an ordinary xornet network of sizes 1 -> n -> 1: W1 (1, n)
 * all ones, b1 = -b (n), relu; W2 (n, 1) = lambda, b2 = 0, identity; loss
 * mse.  xn_net_predict, xn_net_save and every other tool work on it.
 *
 * Where the fit is valid.  The fit is made on the samples' range [x_1, x_n]
 * (info.lo, info.hi) and means nothing outside it.  There the bare network
 * is 0 left of its first knot b_1 (which lies h left of x_1), climbs
 * linearly from 0 at b_1 to the fit's value at x_1, and continues linearly
 * to the right of x_n with the last slope.  opts.extrapolate chooses
 * instead a straight continuation of the first and last pieces, or the end
 * values held constant (xn_approx_extrap); the network then has W1 entries
 * of -1 or a bias b2, still 1 -> n -> 1.
 *
 * Knots.  Interpolation of x_1 < ... < x_n (any spacing, n >= 2) uses
 * b_1 = x_1 - (x_2 - x_1) and b_j = x_{j-1} for j >= 2, so the system
 * A lambda = f with A_ij = max(0, x_i - b_j) is lower triangular with the
 * spacings on its diagonal.  Least squares with n knots over m >= n samples
 * uses b_j = x_min + (j - 2) h, h = (x_max - x_min) / (n - 1): the
 * continuous piecewise-linear functions with breakpoints x_min + k h,
 * k = 0..n-1.
 *
 * Example:
 *     double x[] = {0, 1, 3}, f[] = {1, 3, 2};
 *     xn_net *net; xn_approx_info info;
 *     if (xn_approx_interp(x, f, 3, NULL, &net, &info) != XN_OK)
 *         fprintf(stderr, "%s\n", info.msg);
 *     ... xn_approx_eval(net, k, xs, ys); xn_net_destroy(net); */
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

/* What the network does outside the fitted range [lo, hi]. */
typedef enum {
    XN_EXTRAP_BARE,     /* the sum as derived: 0 left of b_1, a ramp from b_1
                           to lo, linear right of hi with the last slope */
    XN_EXTRAP_LINEAR,   /* the first and last pieces continued as lines */
    XN_EXTRAP_CONSTANT  /* NN(lo) left of lo, NN(hi) right of hi */
} xn_approx_extrap;

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
    xn_approx_extrap extrapolate; /* every fit; BARE by default */
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
    double resid_rms;        /* xn_approx_eval; and the RMS */
    double lo, hi;           /* the fitted range: NN is valid on [lo, hi] */
    size_t where[2];         /* 1-based input positions of the offending
                                sample(s) (repeated or non-finite), else 0 */
    size_t knot;             /* 1-based position of an offending caller's
                                knot (xn_approx_lsq_knots), else 0 */
    /* xn_approx_adapt only */
    double err_max, err_rms; /* |NN - f| on the check grid, by the network */
    size_t checks;           /* points of the check grid: 10 an interval */
    size_t rounds;           /* refinement rounds */
    double order;            /* p in error ~ h^p, from halving every interval
                                once more: log2 of the ratio of the RMS
                                errors of the knots' chords at the inner
                                check points; NaN when the errors are at
                                the rounding level */
    double err_half;         /* the maximum error after that halving */
    char msg[200];           /* why the call failed, or a warning; else "" */
} xn_approx_info;

/* The names of the enums ("auto" "lapacke" "closed"; "bare" "linear"
 * "constant"; "?" out of range) and their parsers (XN_EINVAL for an unknown
 * name or NULL, *out untouched then). */
XN_API const char *xn_approx_method_name(xn_approx_method m);
XN_API const char *const *xn_approx_method_names(size_t *count); /* the whole table */
XN_API xn_status xn_approx_method_parse(const char *name, xn_approx_method *out);
XN_API const char *xn_approx_extrap_name(xn_approx_extrap e);
XN_API const char *const *xn_approx_extrap_names(size_t *count);
XN_API xn_status xn_approx_extrap_parse(const char *name, xn_approx_extrap *out);

/* ---- interpolation ----------------------------------------------------- */

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

/* ---- least squares ----------------------------------------------------- */

/* Least-squares fit of m samples (any order; repeated x allowed while the
 * system keeps full rank) with n_knots >= 2 knots, m >= n_knots, through
 * LAPACKE_dgels on the (m, n) matrix A_ij = max(0, x_i - b_j) with columns
 * scaled by powers of 2 to norms in [1/4, 1).  O(m n^2) time, m n doubles.
 * *out as for xn_approx_interp.  XN_EDIM: n_knots < 2 or m < n_knots;
 * XN_ESINGULAR: rank-deficient (see xn_approx_opts), also all x equal;
 * XN_EINVAL, XN_ENUMERIC as above; XN_ENOMEM, also m n over
 * XN_APPROX_MAX_DENSE. */
XN_API xn_status xn_approx_lsq(const double *x, const double *f, size_t m,
                               size_t n_knots, const xn_approx_opts *opts,
                               xn_net **out, xn_approx_info *info);

/* Least squares with the caller's breakpoints t (k >= 1), strictly
 * increasing, each inside or at an end of the samples' range [x_min,
 * x_max]: the continuous piecewise-linear fit whose slope may change only
 * at those t inside the range (a t at an end changes nothing there).  Its
 * network has the knots x_min - d, x_min and the inner t, d = (x_max -
 * x_min) / (K - 1) for the K breakpoints counting both ends, so t = the K
 * equidistant points from x_min to x_max gives xn_approx_lsq's network
 * with K knots.  XN_EINVAL (info->knot names the knot): a non-finite t,
 * t not increasing or repeated, t outside the range; XN_EDIM: k = 0 or
 * fewer samples than parameters; else as xn_approx_lsq. */
XN_API xn_status xn_approx_lsq_knots(const double *x, const double *f, size_t m,
                                     const double *t, size_t k,
                                     const xn_approx_opts *opts, xn_net **out,
                                     xn_approx_info *info);

/* One candidate of xn_approx_gcv. */
typedef struct {
    size_t knots;  /* K: equidistant knots, as xn_approx_lsq with n_knots = K */
    double rss;    /* residual sum of squares of that fit; NaN if rank-deficient */
    double score;  /* GCV(K) = m RSS / (m - K)^2; INFINITY if rank-deficient */
} xn_approx_gcv_row;

/* The default largest candidate for m samples: min(m / 2, 200), and no
 * more than the dense limit allows the fit (XN_APPROX_MAX_DENSE / m). */
#define XN_APPROX_MIN_(a, b) ((a) < (b) ? (a) : (b))
#define XN_APPROX_GCV_MAX(m) \
    XN_APPROX_MIN_(XN_APPROX_MIN_((size_t)(m) / 2, (size_t)200), XN_APPROX_MAX_DENSE / ((m) ? (size_t)(m) : 1))

/* Generalized cross-validation over the knot count (Craven & Wahba 1979;
 * Golub, Heath & Wahba 1979): for K = 2..k_max, the least-squares fit with
 * K equidistant knots, a linear smoother of trace K, scores
 * GCV(K) = m RSS(K) / (m - K)^2.  rows (k_max - 1, caller-owned) get every
 * candidate; *best the K of the smallest score (the smaller K on a tie).
 * Each RSS comes from a QR factorization of the same space in the hat-
 * function basis, which is banded: Givens rotations of the samples sorted
 * by x, O(m) per candidate, O(m log m + m k_max) in all, O(k_max) memory
 * besides the sorted copy.  A candidate is rank-deficient when LAPACKE_
 * dtbcon's reciprocal condition estimate of its column-scaled R is below
 * opts->rcond (XN_APPROX_RCOND).  XN_EDIM: k_max < 2 or k_max >= m;
 * XN_ESINGULAR: every candidate rank-deficient; XN_ENOMEM, before any
 * work, when m k_max is over XN_APPROX_MAX_DENSE (the chosen count is for
 * xn_approx_lsq, which would refuse it); XN_EINVAL, XN_ENUMERIC, XN_ENOMEM
 * as xn_approx_lsq. */
XN_API xn_status xn_approx_gcv(const double *x, const double *f, size_t m,
                               size_t k_max, const xn_approx_opts *opts,
                               xn_approx_gcv_row *rows, size_t *best,
                               xn_approx_info *info);

/* ---- adaptive refinement of a function ----------------------------------- */

/* A function the caller can evaluate at any x of [a, b]. */
typedef double (*xn_approx_callback)(double x, void *ctx);

/* Default cap on the knots of xn_approx_adapt. */
#define XN_APPROX_ADAPT_MAX ((size_t)1 << 20)

/* Interpolates fn on [a, b] at knots refined until the maximum error on a
 * check grid of 10 points an interval is at most tol.  It starts from
 * n_start equidistant points (>= 2) and places knots where the error is
 * largest: an interval of error e needs sqrt(e / tol) times as many knots
 * (the error of linear interpolation falls as h^2), which spreads the
 * error evenly as the spacing h ~ |f''|^(-1/2) that needs the fewest
 * knots does.  Each of the first 6 rounds moves all knots so that every
 * interval is predicted to err by 0.9 tol (equidistribution, which can
 * also merge intervals); after that, failing intervals are only cut, which
 * always ends.  The report in info: n, err_max and err_rms of the network
 * on the final check grid (checks points), rounds, and order/err_half from
 * halving every interval once more.  fn is called 10 times a knot in each
 * round and 27 times a final knot for the report.  If the tolerance cannot
 * be reached (more than n_max knots, 0 means XN_APPROX_ADAPT_MAX, or an
 * interval too narrow to split), the knots allowed are placed to make the
 * maximum error small (equidistributed at the error n_max knots can reach,
 * the best of a few rounds kept, then the worst intervals halved with the
 * knots left), and that network is returned with XN_OK, info->err_max >
 * tol and info->msg saying why.  XN_EINVAL: NULL fn
 * or out, a >= b or not finite, tol not a positive finite number; XN_EDIM:
 * n_start < 2 or n_max < n_start; XN_ENUMERIC: fn not finite at some x
 * (info->msg says where); XN_ENOMEM. */
XN_API xn_status xn_approx_adapt(xn_approx_callback fn, void *ctx, double a,
                                 double b, double tol, size_t n_start,
                                 size_t n_max, const xn_approx_opts *opts,
                                 xn_net **out, xn_approx_info *info);

/* ---- the network and its evaluation ------------------------------------ */

/* The bare 1 -> n -> 1 network of knots b (n) and weights lambda (n). */
XN_API xn_status xn_approx_net(const double *b, const double *lambda, size_t n,
                               xn_net **out);

/* y (m) = NN(x (m)) for any network of sizes 1 -> n -> 1 with a relu hidden
 * layer and an identity output (every fit of this header), read as the
 * piecewise-linear function it is: kinks at -b1_j / W1_j, the values there
 * summed with compensation, then one sweep over x.  O(m + n) for x sorted
 * increasingly (the kinks of every fit here are in order already; others
 * are sorted, O(n log n)), O(log n) a point in any order; allocates O(n).
 * Agrees with xn_net_predict to rounding (usually closer to the exact
 * value, whose rounding error grows with n in the forward pass).
 * XN_EINVAL: NULL; XN_EDIM: another shape or activations; XN_ENOMEM. */
XN_API xn_status xn_approx_eval(xn_net *net, size_t m, const double *x, double *y);

/* Max and RMS of |NN(x) - fn(x)| over g >= 2 equidistant points of [a, b]
 * (x_k = a + k (b - a) / (g - 1), the last one b), NN by xn_approx_eval's
 * sweep in blocks: O(g + n log n) time, O(n) memory however large g is.
 * XN_EINVAL: NULL, a > b or not finite; XN_EDIM: g < 2 or not a fit's
 * shape; XN_ENUMERIC: fn not finite at a point; XN_ENOMEM. */
XN_API xn_status xn_approx_errors(xn_net *net, xn_approx_callback fn, void *ctx,
                                  double a, double b, size_t g, double *max,
                                  double *rms);

/* y (m) = NN(x (m)) by the engine's forward pass, xn_net_predict, in chunks
 * of rows so the workspace stays near 2^20 doubles: O(m n).  Bit for bit
 * what `xornet predict` computes. */
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
XN_API const char *const *xn_approx_fn_names(size_t *count);
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

/* ---- samples and knots from text (src/data/samples.c) ------------------------- */

/* Reads samples "x,f", one a line: exactly two finite decimal numbers
 * separated by a comma, spaces and tabs around them allowed.  Blank lines
 * and lines starting with '#' (after blanks) are skipped; the first other
 * line may be a header of two names ("x,f"; it is one when its first field
 * is a word: a character no decimal number has, or no digit, and not a
 * spelling of a number such as nan or inf).  CRLF line ends are accepted.
 * nan, inf, hex, numbers that overflow or underflow to 0 (1e-400;
 * subnormals are kept) are errors naming the line, and so is a text that
 * does not end in a newline (cut short, maybe).  text holds len bytes and
 * need not end in NUL; any byte sequence is safe.  On success *x and
 * *f are new malloc'd arrays of *m >= 1 values (release with free()); on
 * failure they are NULL, *m is 0 and err (may be NULL) names the line (the
 * last line, at least 1, when there are no samples).  XN_EINVAL: NULL
 * pointer; XN_EFORMAT; XN_ENOMEM. */
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

/* Reads knots for xn_approx_lsq_knots: one finite decimal number a line,
 * with the samples' rules for blanks, comments, CRLF and a header word.
 * Order and range are the fit's to check (it names the knot; (*lines)[p-1]
 * is then its line).  *t (malloc'd, *k >= 1) and *lines (may be NULL) as
 * for xn_samples_parse_lines; errors as there. */
XN_API xn_status xn_knots_parse(const char *text, size_t len, double **t,
                                size_t **lines, size_t *k, xn_error *err);
/* Knots as a command line gives them: a comma-separated list of finite
 * decimal numbers ("-1,0,1"; one number is a list too; blanks around an
 * item allowed).  *t (malloc'd, *k >= 1) as for xn_knots_parse; on failure
 * err->line is the 1-based item at fault and err->msg says why, e.g. "not
 * a number 'x'".  XN_EINVAL (NULL), XN_EFORMAT, XN_ENOMEM. */
XN_API xn_status xn_knots_parse_list(const char *list, double **t, size_t *k, xn_error *err);
/* The same from a file, as xn_samples_load. */
XN_API xn_status xn_knots_load(const char *path, double **t, size_t **lines,
                               size_t *k, xn_error *err);

#ifdef __cplusplus
}
#endif

#endif
