/* Private declarations shared by the library's source files: the network
 * structure, checked size arithmetic, and the functions each stage of the
 * engine offers the others, grouped by the file that defines them. */
#ifndef XORNET_INTERNAL_H
#define XORNET_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xornet/xornet.h"

/* a * b into *out; false (and *out untouched) on size_t overflow. */
static inline bool xn_mul_ok(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a)
        return false;
    *out = a * b;
    return true;
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
 * The copies round every operation the same way (IEEE add, multiply,
 * divide and sqrt, and no contraction into FMA: -ffp-contract=off), so
 * they give the same bits on every machine. */
#if defined(__x86_64__) && defined(__has_attribute) && !defined(XN_NO_CLONES)
#if __has_attribute(target_clones)
#define XN_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#endif
#endif
#ifndef XN_CLONES
#define XN_CLONES
#endif

/* ---- the network (net.c) ------------------------------------------------
 * Parameters live in one vector of P doubles; inside it layer l holds W_l
 * (n_{l-1}, n_l) then b_l (n_l).  The training state (the gradients and
 * the optimizer's two moments, 3P doubles) is a second allocation, made at
 * creation or, for a network read from a file, by the first call that
 * trains it.  The workspace, sized for `cap` rows, holds A_l (cap, n_l)
 * for l = 1..L, the output pre-activations Z_L (cap, n_L), two delta
 * buffers (cap, max n_l) used in turn and, for a network that standardizes
 * its inputs, the standardized rows (cap, n_0). */
struct xn_net {
    size_t L;
    size_t sizes[XN_MAX_LAYERS + 1];
    xn_act acts[XN_MAX_LAYERS + 1]; /* acts[l], l = 1..L */
    xn_loss loss;
    xn_kernel kernel;
    size_t nparams;
    size_t woff[XN_MAX_LAYERS + 1], boff[XN_MAX_LAYERS + 1];
    double *params;                 /* (nparams) */
    double *train;                  /* (3 * nparams), NULL until needed */
    double *grads, *m, *v;          /* views into train, (nparams) each */
    bool grads_fresh;               /* the next accumulation overwrites */
    bool initialized;               /* weights drawn, loaded or set by hand */
    xn_opt opt;                     /* the optimizer and its hyper-parameters */
    uint64_t opt_t;                 /* updates since the moments were reset */
    double mbound, vbound;          /* every |m|, |v| is at most these */
    double *mean, *sd;              /* (n0) each, one allocation; NULL: none */
    size_t max_width;               /* max n_l over l = 1..L */
    size_t cap;                     /* workspace rows */
    double *ws;
    double *xs;                     /* (cap, n0): standardized inputs */
    double *a[XN_MAX_LAYERS + 1];   /* A_l (cap, n_l), l = 1..L */
    double *zout;                   /* Z_L (cap, n_L) */
    double *delta[2];               /* (cap, max_width) each */
    char error[200];                /* why the last failed call failed */
};

/* Records why a call on net failed (printf-style, one line) and returns s;
 * net may be NULL.  XN_OK is never recorded. */
xn_status xn_net_fail(xn_net *net, xn_status s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* xn_net_check_config, and *nparams (may be NULL) receives the parameter
 * count when every rule holds. */
xn_status xn_config_check(const xn_net_config *cfg, xn_error *err, size_t *nparams);
/* xn_net_create with the choice of allocating the training state now
 * (training) or at the first training call (a network read for
 * prediction); err (may be NULL) says why it failed. */
xn_status xn_net_new(xn_net **out, const xn_net_config *cfg, bool training, xn_error *err);
/* Allocates the gradients and moments if the network has none yet:
 * XN_OK or XN_ENOMEM (recorded). */
xn_status xn_net_need_training(xn_net *net);
/* Rows x (n, n0) as the first layer sees them: standardized into xs
 * (n <= cap) when the network standardizes its inputs, else x itself. */
const double *xn_net_inputs(xn_net *net, size_t n, const double *x);
/* The parameter vector of layer l's weights and biases. */
static inline double *xn_net_w(const xn_net *net, size_t l) { return net->params + net->woff[l]; }
static inline double *xn_net_b(const xn_net *net, size_t l) { return net->params + net->boff[l]; }

/* ---- names (names.c) ----------------------------------------------------
 * An enum's name from its table of `count` names ("?" out of range), and
 * the value of a name (XN_EINVAL for NULL or an unknown name; *out is then
 * untouched). */
const char *xn_name_of(const char *const *names, size_t count, int v);
xn_status xn_name_parse(const char *const *names, size_t count, const char *name, int *out);

/* ---- kernels (kernels.c) ------------------------------------------------
 * The matrix products of a dense layer, row-major, in two families with the
 * same signatures: naive (plain loops, the specification) and blas.  Every
 * product overwrites its output, except dwacc, which accumulates. */
typedef struct {
    /* y(n,out) = x(n,in) * w(in,out) */
    void (*fwd)(size_t n, size_t in, size_t out, const double *x,
                const double *w, double *y);
    /* dw(in,out) = x(n,in)^T * dy(n,out) */
    void (*dw)(size_t n, size_t in, size_t out, const double *x,
               const double *dy, double *dw);
    /* dw(in,out) += x(n,in)^T * dy(n,out): accumulates, for a batch taken
     * in blocks of rows (step.c) */
    void (*dwacc)(size_t n, size_t in, size_t out, const double *x,
                  const double *dy, double *dw);
    /* dx(n,in) = dy(n,out) * w(in,out)^T */
    void (*dx)(size_t n, size_t in, size_t out, const double *dy,
               const double *w, double *dx);
} xn_kernels;

extern const xn_kernels xn_kernels_naive;
extern const xn_kernels xn_kernels_blas;

/* The auto rule: a product of fewer than this many multiply-adds
 * (n*in*out) runs as plain loops, any larger one through BLAS.  Measured by
 * bench/xor_bench (its "auto threshold" table, bench/RESULTS.md): with
 * OpenBLAS 0.3.21 on AVX-512 the loops win up to about 128 multiply-adds
 * (XOR's 4x2x10 layer: 0.2 vs 0.3-0.4 us for its three products), tie near
 * 192, and lose 2-7x from 256 on, where OpenBLAS's small-matrix kernels
 * take over.  Width-1 layers do not consult it: blas and auto both run
 * them through the fused passes of dense.c. */
#define XN_AUTO_NAIVE_BELOW 192

/* The family `k` uses for one product of that size. */
const xn_kernels *xn_kernels_pick(xn_kernel k, size_t n, size_t in, size_t out);

/* ---- stages of a step (step.c) -----------------------------------------
 * The gradient of rows x (n, n0), y (n, nL) of a batch of `total` rows,
 * added to the gradient buffers (overwriting them if fresh): returns sum
 * plus the rows' loss terms.  The checks are the caller's; x is standardized
 * already when `standardized`.  The update of the parameters from the
 * gradient buffers, all or nothing. */
double xn_net_accumulate_rows(xn_net *net, size_t n, const double *x, const double *y,
                              size_t total, double sum, bool standardized);
xn_status xn_net_apply_update(xn_net *net);
/* Forward pass of rows x (n, n0, standardized already), n <= cap, into the
 * workspace's output rows. */
void xn_net_forward_rows(xn_net *net, size_t n, const double *x);

/* ---- one dense layer (dense.c) ------------------------------------------
 * The passes around a layer's product, forward then backward.  Each takes
 * arrays and sizes; `first` means overwrite the sums, else add to them (a
 * later block of rows of the same batch). */

/* a(n,out) = act(z(n,out) + b(out)); z may be a.  With keep_z the biased z
 * is stored back (the output layer keeps its logits for the loss). */
void xn_dense_bias_act(size_t n, size_t out, xn_act act, double *z,
                       const double *b, double *a, bool keep_z);
/* The same in place on a, fused with the product of a following width-1
 * layer: a = act(a + b), then znext(n) = a(n,out) * w(out). */
void xn_dense_bias_act_dot(size_t n, size_t out, xn_act act, double *a,
                           const double *b, const double *w, double *znext);
/* db(out) = column sums of dz(n,out), rows in order. */
void xn_dense_colsum(size_t n, size_t out, const double *dz, double *db, bool first);
/* dz(n,out) *= act'(a(n,out)), then db(out) = column sums of dz. */
void xn_dense_deriv_colsum(size_t n, size_t out, xn_act act, const double *a,
                           double *dz, double *db, bool first);
/* Backward through a width-1 layer (weights w(in)) in one pass over the
 * previous activations a(n,in): dw(in) = a^T dz, dzp(n,in) = (dz w^T) *
 * act'(a), dbp(in) = column sums of dzp. */
void xn_dense_narrow_backward(size_t n, size_t in, xn_act act, const double *a,
                              const double *dz, const double *w, double *dw,
                              double *dzp, double *dbp, bool first);

/* ---- losses (loss.c) ----------------------------------------------------
 * For the output activations a and logits z (n, K) against targets y:
 * returns sum plus these rows' loss terms, added one by one, and with dz
 * non-NULL writes dz(n,K) = dLoss/dZ_L scaled for a batch of `total` rows. */
double xn_loss_sum(xn_loss loss, xn_act act, size_t n, size_t K, size_t total,
                   const double *a, const double *z, const double *y,
                   double *dz, double sum);
/* The loss of a batch of `total` rows from its sum of terms. */
double xn_loss_mean(xn_loss loss, size_t total, size_t K, double sum);

/* ---- optimizers (opt.c) ------------------------------------------------- */

/* The constants of one update; Adam's bias corrections are those of update
 * t + 1, the one about to be taken. */
typedef struct {
    double lr, mu, b1, b2, eps, c1, c2, decay;
} xn_opt_step;

/* Why opt cannot be used (a static phrase), or NULL if it can. */
const char *xn_opt_invalid(const xn_opt *opt);
xn_opt_step xn_opt_step_for(const xn_opt *opt, uint64_t t);
/* Over n parameters p with gradients g and moments m, v: with decay the
 * weight decay of step s applies to them (weights; never to biases).
 * xn_opt_check returns whether every value the update would write is
 * finite, writing nothing; xn_opt_apply writes them. */
/* The largest |v[i]| of n, NaN if one is NaN. */
double xn_opt_absmax(size_t n, const double *v);
/* Whether an update of step s provably writes only finite values when
 * every |p| <= pmax and |g| <= gmax and the moments are bounded by *mb
 * and *vb: if so, the bounds become those after it.  False when it cannot
 * tell (then check first).  A proof needs no pass over the moments. */
bool xn_opt_safe(xn_opt_kind kind, const xn_opt_step *s, bool decay, double pmax, double gmax,
                 double *mb, double *vb);
bool xn_opt_check(xn_opt_kind kind, const xn_opt_step *s, bool decay, size_t n,
                  const double *p, const double *g, const double *m, const double *v);
void xn_opt_apply(xn_opt_kind kind, const xn_opt_step *s, bool decay, size_t n,
                  double *p, const double *g, double *m, double *v);

/* ---- metrics (metrics.c) -----------------------------------------------
 * Rows of a (n, k) classified right against y by xn_accuracy's rule. */
size_t xn_count_right(size_t n, size_t k, const double *a, const double *y);

/* ---- batches (batch.c) --------------------------------------------------
 * Rows idx[0..m) of x (., k) into out (m, k), standardized by mean and sd
 * (k each) unless mean is NULL. */
void xn_gather_rows(size_t m, size_t k, const double *x, const size_t *idx,
                    const double *mean, const double *sd, double *out);

/* ---- initializers (init.c) ----------------------------------------------
 * Fills w(in,out) in the given order and b(out), drawing from rng. */
void xn_init_layer(xn_init init, xn_order order, xn_bias_init bias, size_t in,
                   size_t out, double *w, double *b, xn_rng *rng);

#endif
