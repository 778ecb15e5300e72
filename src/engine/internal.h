/* Private declarations shared by the library's source files: the network
 * structure, checked size arithmetic, and the functions each stage of the
 * engine offers the others, grouped by the file that defines them. */
#ifndef XORNET_INTERNAL_H
#define XORNET_INTERNAL_H

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xornet/xornet.h"

/* a * b into *out; false (and *out untouched) on size_t overflow. */
/* Whether double v rounds to a finite float: below FLT_MAX plus half the
 * spacing of floats there (2^104); at the midpoint ties-to-even goes up to
 * inf.  (%.9g prints FLT_MAX as 3.40282347e+38, a little above it.) */
static inline bool xn_fits_float(double v) { return fabs(v) < (double)FLT_MAX + 0x1p103; }

static inline bool xn_mul_ok(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a)
        return false;
    *out = a * b;
    return true;
}

/* Whether n rows of width doubles can be addressed: n * width * 8 bytes
 * fit in a size_t.  A caller's array of more cannot exist. */
static inline bool xn_rows_ok(size_t n, size_t width)
{
    size_t cells;
    return xn_mul_ok(n, width, &cells) && xn_mul_ok(cells, sizeof(double), &cells);
}

static inline bool xn_add_ok(size_t a, size_t b, size_t *out)
{
    if (b > SIZE_MAX - a)
        return false;
    *out = a + b;
    return true;
}

/* Elementwise loops that gain from wider vectors get a copy per instruction
 * set (AVX-512, AVX2, the baseline), chosen at load time for the machine.
 * Only for static functions called from their own file: clang 14 cannot
 * call a cloned function from another one.
 * The copies round every operation the same way (IEEE add, multiply,
 * divide and sqrt, and no contraction into FMA: -ffp-contract=off), so
 * they give the same bits on every machine.
 * Not under ThreadSanitizer: the load-time resolvers it instruments run
 * before its runtime is set up, and the program crashes while loading. */
#if defined(__SANITIZE_THREAD__) && !defined(XN_NO_CLONES)
#define XN_NO_CLONES 1
#elif defined(__has_feature) && !defined(XN_NO_CLONES)
#if __has_feature(thread_sanitizer)
#define XN_NO_CLONES 1
#endif
#endif
#if defined(__x86_64__) && defined(__has_attribute) && !defined(XN_NO_CLONES)
#if __has_attribute(target_clones)
#define XN_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#endif
#endif
#ifndef XN_CLONES
#define XN_CLONES
#endif

/* ---- the network (net.c) ------------------------------------------------
 * Parameters live in one vector of P elements of the network's type
 * (double or float); inside it layer l holds W_l (n_{l-1}, n_l) then b_l
 * (n_l).  The training state (the gradients and the optimizer's two
 * moments, 3P elements) is a second allocation, made at creation or, for a
 * network read from a file, by the first call that trains it.  The
 * workspace, sized for `cap` rows, holds A_l (cap, n_l) for l = 1..L, the
 * output pre-activations Z_L (cap, n_L), two delta buffers (cap, max n_l)
 * used in turn and, where the caller's doubles must be converted (a float
 * network, or one that standardizes its inputs), the inputs (cap, n_0)
 * and, for a float network, the targets (cap, n_L) in its type. */
typedef struct xn_engine xn_engine;
typedef struct xn_pool xn_pool;

struct xn_net {
    size_t L;
    size_t sizes[XN_MAX_LAYERS + 1];
    xn_act acts[XN_MAX_LAYERS + 1]; /* acts[l], l = 1..L */
    xn_loss loss;
    double clip;                    /* xn_net_set_loss_clip; 0: exact log losses */
    xn_kernel kernel;
    xn_dtype dtype;
    const xn_engine *engine;        /* the computations of that type */
    size_t nparams;
    size_t woff[XN_MAX_LAYERS + 1], boff[XN_MAX_LAYERS + 1];
    void *params;                   /* (nparams) */
    void *train;                    /* (3 * nparams), NULL until needed */
    void *grads, *m, *v;            /* views into train, (nparams) each */
    bool grads_fresh;               /* the next accumulation overwrites */
    bool grads_set;                 /* the gradient was computed, set or exposed */
    bool initialized;               /* weights drawn, loaded or set by hand */
    xn_opt opt;                     /* the optimizer and its hyper-parameters */
    uint64_t opt_t;                 /* updates since the moments were reset */
    double mbound, vbound;          /* every |m|, |v| is at most these */
    void *solver;                   /* lm or lbfgs: their state (src/solve/),
                                       one allocation of solver_bytes, or NULL */
    size_t solver_bytes;
    void *solver_ws;                /* and their scratch, never copied */
    size_t solver_ws_bytes;
    double *mean, *sd;              /* (n0) each, one allocation; NULL: none */
    double *ymean, *ysd;            /* (nL) each, likewise, for the targets */
    char **labels;                  /* (n_labels) a classifier's class labels, or NULL */
    size_t n_labels;
    size_t max_width;               /* max n_l over l = 1..L */
    size_t cap;                     /* workspace rows */
    void *ws;
    double *terms;                  /* (cap, nL) the rows' loss terms */
    double *part;                   /* (xn_update_slices) a slice's partial
                                       result in the update's sweeps */
    size_t threads;                 /* the setting: 0 for as many as the
                                       process may run on (xn_cpu_count) */
    size_t max_threads;             /* what the setting comes to */
    xn_pool *pool;                  /* max_threads - 1 workers, or NULL */
    bool sliced;                    /* a call of cap rows has a region of
                                       two slices or more */
    bool blas_threaded;             /* the BLAS runs threads of its own:
                                       a call's products are not sliced */
    void *xs, *ys;                  /* (cap, n0), (cap, nL), or NULL */
    void *a[XN_MAX_LAYERS + 1];     /* A_l (cap, n_l), l = 1..L */
    void *zout;                     /* Z_L (cap, n_L) */
    void *delta[2];                 /* (cap, max_width) each */
    char error[200];                /* why the last failed call failed */
};

/* The initializer and biases xornet draws by default for a network of
 * this many inputs (init.c; xn_plan_defaults explains). */
void xn_default_init(size_t inputs, xn_init *init, xn_bias_init *bias);

/* xn_column_stats over rows idx[0..n) of x (the first n for NULL). */
xn_status xn_column_stats_rows(size_t n, size_t k, const double *x, const size_t *idx, double *mean, double *sd);

/* Records why a call on net failed (printf-style, one line) and returns s;
 * net may be NULL.  XN_OK is never recorded. */
xn_status xn_net_fail(xn_net *net, xn_status s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* xn_net_check_config, and *nparams (may be NULL) receives the parameter
 * count when every rule holds. */
xn_status xn_config_check(const xn_net_config *cfg, xn_error *err, size_t *nparams);
/* xn_net_create with the choice of allocating the training state now
 * (training) or at the first training call (a network read for
 * prediction), and its threads setting (xn_net_set_threads; 0: every CPU),
 * so that a clone starts only the threads it keeps; err (may be NULL) says
 * why it failed. */
xn_status xn_net_new(xn_net **out, const xn_net_config *cfg, bool training, size_t threads, xn_error *err);
/* Allocates the gradients and moments if the network has none yet:
 * XN_OK or XN_ENOMEM (recorded). */
xn_status xn_net_need_training(xn_net *net);
/* v (P of the network's type, NULL: XN_EINVAL) out to doubles, or in from
 * them: all or nothing, XN_ENUMERIC (recorded, naming set_<what>) for a
 * value that is not finite in the type. */
xn_status xn_net_copy_out(const xn_net *net, const void *v, double *out);
xn_status xn_net_copy_in(xn_net *net, void *v, const double *in, const char *what);
/* Element i of a vector of the network's type, as a double, and storing a
 * double there (rounded to the type). */
double xn_net_get(const xn_net *net, const void *v, size_t i);
void xn_net_put(const xn_net *net, void *v, size_t i, double x);

/* ---- the computations of one element type (step_t.h) --------------------
 * Each function is the type's own; a network calls them through its
 * engine.  Rows handed to it are the caller's doubles, the caller's rows
 * in the network's own type (either converted or standardized block by
 * block where needed), or rows ready: in the type and standardized
 * (gathered by fit.c). */
typedef enum { XN_SRC_DOUBLE, XN_SRC_OWN, XN_SRC_READY } xn_src;

struct xn_engine {
    xn_dtype dtype;
    size_t size;   /* bytes an element */
    /* forward pass of rows x (n, n0) of the type, n <= cap, into aL, zL */
    void (*forward)(xn_net *net, size_t n, const void *x, void *aL, void *zL);
    /* the gradient of rows x, y of a batch of `total` rows, added to the
     * gradient buffers (overwriting them if fresh), in blocks of nb rows:
     * returns sum plus the rows' loss terms */
    double (*accumulate)(xn_net *net, size_t n, const void *x, const void *y, size_t total,
                         double sum, xn_src src, size_t nb);
    /* the loss terms of the caller's rows x, y (m <= cap) added to sum */
    double (*loss_rows)(xn_net *net, size_t m, const void *x, const void *y, xn_src src,
                        size_t total, double sum);
    /* rows idx[0..m) (or 0..m-1 for NULL) of the caller's x (., k) into out
     * (m, k) of the type, standardized by mean and sd unless mean is NULL:
     * one thread's (rows_in) and on the network's threads (gather) */
    void (*rows_in)(size_t m, size_t k, const void *x, xn_src src, const size_t *idx,
                    const double *mean, const double *sd, void *out);
    void (*gather)(const xn_net *net, size_t m, size_t k, const void *x, xn_src src, const size_t *idx,
                   const double *mean, const double *sd, void *out);
    void (*to_double)(size_t n, const void *v, double *out);
    size_t (*count_right)(size_t m, size_t k, const void *a, const void *y);
    double (*sq_err)(size_t n, const void *a, const void *y);
    /* the optimizer's update of the parameters from the gradient buffers,
     * all or nothing: false (nothing changed) if it would not be finite */
    bool (*update)(xn_net *net);
    /* the largest |v[i]| of the n parameters (or gradients), NaN if one
     * is NaN */
    double (*absmax)(xn_net *net, const void *v);
    /* c W_l added to each weight gradient dW_l; returns sum_l ||W_l||^2 */
    double (*penalty)(xn_net *net, double c);
};

extern const xn_engine xn_engine_f64, xn_engine_f32;

#include "threads.h" /* a network's threads: after struct xn_net, which it reads */

/* ---- the stages of a step (step.c) -------------------------------------
 * The gradient of rows x, y of a batch of `total` rows: the engine's, in
 * the cache-sized blocks step.c chooses.  The update of the parameters
 * from the gradient buffers, all or nothing (recorded). */
double xn_net_accumulate_rows(xn_net *net, size_t n, const void *x, const void *y, size_t total,
                              double sum, xn_src src);
xn_status xn_net_apply_update(xn_net *net);
/* The share of n rows of a batch of `total` in the L2 penalty
 * (l2 / 2 total) sum ||W_l||^2 (xn_opt.l2): its gradient is added to the
 * weight gradients, and its part of the loss returned; 0, with nothing
 * done, when l2 is 0.  After the rows' gradient, which may overwrite. */
double xn_net_penalty(xn_net *net, double l2, size_t n, size_t total);
/* The checks of every call that computes a gradient (rows, targets, an
 * initialized network), then the training state and a workspace of n
 * rows: XN_OK, or the status with its message recorded under `call`. */
xn_status xn_net_check_training(xn_net *net, size_t n, const double *x, const double *y,
                                const char *call);
/* xn_net_train_step for the first-order optimizers; the public call
 * (src/solve/step.c) hands lm and lbfgs to their solvers. */
xn_status xn_net_step_first_order(xn_net *net, size_t n, const double *x, const double *y,
                                  const xn_opt *opt, double *loss);
/* sum plus what the outputs A_L (m, nL) of the last pass score against
 * targets y (m, nL, the type and scale the loss saw): classification, the
 * rows right; regression, the squared errors in the targets' units
 * (standardized targets scaled back).  metrics.c. */
double xn_net_metric_sum(const xn_net *net, size_t m, const void *y, double sum);

/* ---- the Jacobian (jacobian.c) --------------------------------------------
 * For a float64 network and rows x (n, n0), y (n, nL) ready for it (inputs
 * and targets standardized if it standardizes), n <= the reserved rows: the
 * forward pass, the residuals r (n*nL) = A_L - y, row by row, and their
 * Jacobian J (n*nL, P) by the parameters (row i*nL + k is output k of row
 * i; columns in the parameters' order), one backward pass per output unit.
 * Returns the rows' loss terms added to 0 (xn_loss_mean gives the loss). */
double xn_net_jacobian(xn_net *net, size_t n, const double *x, const double *y, double *r,
                       double *J);

/* ---- names (names.c) ----------------------------------------------------
 * An enum's name from its table of `count` names ("?" out of range), and
 * the value of a name (XN_EINVAL for NULL or an unknown name; *out is then
 * untouched). */
const char *xn_name_of(const char *const *names, size_t count, int v);
xn_status xn_name_parse(const char *const *names, size_t count, const char *name, int *out);

/* ---- optimizers (opt.c) ------------------------------------------------- */

/* lm and lbfgs: whole-batch iterations of their own (src/solve/), not a
 * step from a gradient. */
static inline bool xn_opt_second_order(xn_opt_kind k) { return k == XN_OPT_LM || k == XN_OPT_LBFGS; }
/* Why opt cannot train net (a static phrase), or NULL if it can: it is
 * not valid (xn_opt_invalid), or a solver that needs a float64 network
 * (both do) or a sum-of-squares loss (lm). */
const char *xn_opt_unfit(const xn_net *net, const xn_opt *opt);

/* The constants of one update; Adam's bias corrections c1, c2 are those of
 * update t + 1, the one about to be taken, and step = lr / c1,
 * rs = 1 / sqrt(c2) (eps_raw: step = lr sqrt(c2) / c1, rs = 1); nesterov
 * is set for the momentum kind only. */
typedef struct {
    double lr, mu, b1, b2, eps, c1, c2, step, rs, decay;
    bool nesterov;
} xn_opt_step;

/* Why opt cannot be used (a static phrase), or NULL if it can. */
const char *xn_opt_invalid(const xn_opt *opt, const char **setting);
xn_opt_step xn_opt_step_for(const xn_opt *opt, uint64_t t);
/* Whether an update of step s provably writes only finite values, in a
 * type whose largest value is top, when every |p| <= pmax and |g| <= gmax
 * and the moments are bounded by *mb and *vb: if so, the bounds become
 * those after it.  False when it cannot tell (then check first).  A proof
 * needs no pass over the moments. */
bool xn_opt_safe(xn_opt_kind kind, const xn_opt_step *s, bool decay, double top, double pmax,
                 double gmax, double *mb, double *vb);

/* ---- the auto rule (kernels.c) -------------------------------------------
 * A product of fewer than this many multiply-adds (n*in*out) runs as plain
 * loops, any larger one through BLAS.  Measured by bench/xor_bench (its
 * "auto threshold" table, bench/RESULTS.md): with OpenBLAS 0.3.21 on
 * AVX-512 the loops win up to about 128 multiply-adds (XOR's 4x2x10 layer:
 * 0.2 vs 0.3-0.4 us for its three products), tie near 192, and lose 2-7x
 * from 256 on, where OpenBLAS's small-matrix kernels take over.  Width-1
 * layers do not consult it: blas and auto both run them through the fused
 * passes of dense.c. */
#define XN_AUTO_NAIVE_BELOW 192

/* ---- the typed stages (kernels.c, dense.c, loss.c, metrics.c) -----------
 * Each is written once, in a *_t.h file, and compiled per element type
 * with the type's suffix: xn_dense_bias_act_f64 and _f32, and so on. */
#define XN_TYPED_STAGES(T, S)                                                                    \
    /* The matrix products of a dense layer, row-major, in two families with \
     * the same signatures: naive (plain loops, the specification) and       \
     * blas.  Every product overwrites its output, except dwacc.  Each       \
     * operand comes with its row stride, as in BLAS (a slice of a wider     \
     * matrix's rows or columns). */                                         \
    typedef struct {                                                         \
        /* y(n,out) = x(n,in) * w(in,out) */                                 \
        void (*fwd)(size_t n, size_t in, size_t out, const T *x, size_t ldx, const T *w, \
                    size_t ldw, T *y, size_t ldy);                           \
        /* dw(in,out) = x(n,in)^T * dy(n,out) */                             \
        void (*dw)(size_t n, size_t in, size_t out, const T *x, size_t ldx, const T *dy, \
                   size_t lddy, T *dw, size_t lddw);                         \
        /* dw(in,out) += x(n,in)^T * dy(n,out): a batch in blocks of rows */ \
        void (*dwacc)(size_t n, size_t in, size_t out, const T *x, size_t ldx, const T *dy, \
                      size_t lddy, T *dw, size_t lddw);                      \
        /* dx(n,in) = dy(n,out) * w(in,out)^T */                             \
        void (*dx)(size_t n, size_t in, size_t out, const T *dy, size_t lddy, const T *w, \
                   size_t ldw, T *dx, size_t lddx);                          \
    } xn_kernels_##S;                                                        \
    extern const xn_kernels_##S xn_kernels_naive_##S, xn_kernels_blas_##S;   \
    /* The family `k` uses for one product of that size. */                  \
    const xn_kernels_##S *xn_kernels_pick_##S(xn_kernel k, size_t n, size_t in, size_t out); \
    /* a(n,out) = act(z(n,out) + b(out)), z and a of row stride ld (a      \
     * slice of a wider matrix's columns; softmax takes whole rows); z may   \
     * be a.  With keep_z the biased z is stored back (the output layer      \
     * keeps its logits). */                                                 \
    void xn_dense_bias_act_##S(size_t n, size_t out, xn_act act, T *z, const T *b, T *a, \
                               bool keep_z, size_t ld);                      \
    /* The same in place on a, fused with the product of a following        \
     * width-1 layer: a = act(a + b), then znext(n) = a(n,out) * w(out). */  \
    void xn_dense_bias_act_dot_##S(size_t n, size_t out, xn_act act, T *a, const T *b, \
                                   const T *w, T *znext);                    \
    /* db(out) = column sums of dz(n,out), rows in order; `first` means     \
     * overwrite the sums, else add to them (a later block of rows).  dz,   \
     * like a below, may be a slice of columns: row stride ld. */            \
    void xn_dense_colsum_##S(size_t n, size_t out, const T *dz, T *db, bool first, size_t ld); \
    /* dz(n,out) *= act'(a(n,out)), then db(out) = column sums of dz. */     \
    void xn_dense_deriv_colsum_##S(size_t n, size_t out, xn_act act, const T *a, T *dz, T *db, \
                                   bool first, size_t ld);                   \
    /* Backward through a width-1 layer (weights w(in)) in one pass over    \
     * the previous activations a(n,in): dw(in) = a^T dz, dzp(n,in) =       \
     * (dz w^T) * act'(a), dbp(in) = column sums of dzp; a and dzp of row    \
     * stride ld. */                                                         \
    void xn_dense_narrow_backward_##S(size_t n, size_t in, xn_act act, const T *a, const T *dz, \
                                      const T *w, T *dw, T *dzp, T *dbp, bool first, size_t ld); \
    /* For the outputs a and logits z (n, K) against targets y: the rows'   \
     * loss terms into terms (xn_loss_width a row, in the order they are    \
     * added: xn_loss_add; the log losses' from a clipped to                \
     * [clip, 1 - clip] when clip > 0), and with dz non-NULL dz(n,K) =       \
     * dLoss/dZ_L scaled for a batch of `total` rows. */                     \
    void xn_loss_terms_##S(xn_loss loss, xn_act act, size_t n, size_t K, size_t total, double clip, \
                           const T *a, const T *z, const T *y, T *dz, double *terms); \
    /* The arg-max of v (k), the class of a row, rows of a (n, k) of y's    \
     * class, and the sum of squared differences of n values. */            \
    size_t xn_argmax_##S(size_t k, const T *v);                              \
    size_t xn_class_of_##S(size_t k, const T *v);                            \
    size_t xn_count_right_##S(size_t n, size_t k, const T *a, const T *y);   \
    double xn_sq_err_##S(size_t n, const T *a, const T *y);

XN_TYPED_STAGES(double, f64)
XN_TYPED_STAGES(float, f32)

/* Naming the current instantiation's functions in a *_t.h file. */
#define XN_PASTE_(a, b) a##_##b
#define XN_PASTE(a, b) XN_PASTE_(a, b)
#define TF(name) XN_PASTE(name, XN_TS)

/* ---- losses (loss.c) ----------------------------------------------------
 * The loss of a batch of `total` rows from its sum of terms; the terms of
 * n rows (xn_loss_terms) added to sum, one by one, in order. */
double xn_loss_mean(xn_loss loss, size_t total, size_t K, double sum);
double xn_loss_add(xn_loss loss, double clip, size_t n, size_t K, const double *terms, double sum);
/* Loss terms a row: 1 for cce, K for the others and for cce clipped (one
 * a probability, added as they always were). */
static inline size_t xn_loss_width(xn_loss loss, double clip, size_t K)
{
    return loss == XN_LOSS_CCE && !(clip > 0.0) ? 1 : K;
}

/* ---- initializers (init.c) ----------------------------------------------
 * Draws layer l's weights in the given order, then its biases, from rng
 * (doubles, rounded to the network's type). */
void xn_init_layer(xn_net *net, size_t l, xn_init init, xn_order order, xn_bias_init bias,
                   xn_rng *rng);

#endif
