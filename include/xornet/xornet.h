/* xornet: dense neural networks trained with whole-batch matrix products.
 *
 * Batches are row-major.  A network with sizes n0, n1, ..., nL has L dense
 * layers; layer l (1-based) holds W_l (n_{l-1}, n_l) and b_l (n_l), and for a
 * batch X (n, n0):
 *     Z_l = A_{l-1} * W_l + 1 * b_l^T,   A_l = act_l(Z_l),   A_0 = X.
 * Every fallible call returns xn_status (XN_OK == 0); results come back
 * through out-parameters.  The library never prints, exits or aborts. */
#ifndef XORNET_XORNET_H
#define XORNET_XORNET_H

#include <stddef.h>
#include <stdint.h>

#if defined(XN_BUILDING) && defined(__GNUC__)
#define XN_API __attribute__((visibility("default")))
#else
#define XN_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define XN_VERSION_MAJOR 1
#define XN_VERSION_MINOR 0

/* ---- status ------------------------------------------------------------ */

typedef enum {
    XN_OK = 0,
    XN_EINVAL,     /* bad argument: NULL pointer, unknown name, bad value */
    XN_EDIM,       /* zero size, mismatched sizes, size product overflows */
    XN_ENOMEM,     /* allocation failed or request over the documented limit */
    XN_EIO,        /* a file could not be opened, read, written or renamed */
    XN_EFORMAT,    /* a file or text does not follow its format */
    XN_ESINGULAR,  /* a linear system is singular or rank-deficient */
    XN_ENUMERIC    /* a non-finite value appeared (diverged training, NaN input) */
} xn_status;

/* A static, one-line description of a status. Never NULL. */
XN_API const char *xn_strerror(xn_status s);

/* ---- names ------------------------------------------------------------- */

typedef enum { XN_ACT_IDENTITY, XN_ACT_SIGMOID, XN_ACT_RELU, XN_ACT_TANH,
               XN_ACT_SOFTMAX } xn_act;
typedef enum { XN_LOSS_MSE, XN_LOSS_SSE, XN_LOSS_BCE, XN_LOSS_CCE } xn_loss;
typedef enum { XN_OPT_GD, XN_OPT_MOMENTUM, XN_OPT_ADAM } xn_opt_kind;
typedef enum { XN_INIT_GLOROT_UNIFORM, XN_INIT_GLOROT_NORMAL,
               XN_INIT_HE_UNIFORM, XN_INIT_HE_NORMAL, XN_INIT_NORMAL,
               XN_INIT_UNIFORM, XN_INIT_ZEROS } xn_init;
typedef enum { XN_KERNEL_AUTO, XN_KERNEL_BLAS, XN_KERNEL_NAIVE } xn_kernel;

/* Name <-> enum.  The *_name functions return a static string ("?" for an
 * out-of-range value); the parsers return XN_EINVAL for an unknown name or a
 * NULL argument and leave *out untouched then.  Names are the lower-case
 * words used on the command line and in model files: identity sigmoid relu
 * tanh softmax; mse sse bce cce; gd momentum adam; glorot_uniform
 * glorot_normal he_uniform he_normal normal uniform zeros; auto blas naive. */
XN_API const char *xn_act_name(xn_act a);
XN_API const char *xn_loss_name(xn_loss l);
XN_API const char *xn_opt_name(xn_opt_kind o);
XN_API const char *xn_init_name(xn_init i);
XN_API const char *xn_kernel_name(xn_kernel k);
XN_API xn_status xn_act_parse(const char *name, xn_act *out);
XN_API xn_status xn_loss_parse(const char *name, xn_loss *out);
XN_API xn_status xn_opt_parse(const char *name, xn_opt_kind *out);
XN_API xn_status xn_init_parse(const char *name, xn_init *out);
XN_API xn_status xn_kernel_parse(const char *name, xn_kernel *out);

/* ---- random numbers ---------------------------------------------------- */

/* MT19937 with the seeding and derived draws of two reference streams, so a
 * Python or NumPy experiment can be repeated number for number:
 *   XN_RNG_PYTHON  random.seed(n) (init_by_array over n's 32-bit words);
 *                  normals are random.gauss (Box-Muller, caches the sine).
 *   XN_RNG_NUMPY   np.random.seed(n) (init_genrand); normals are the legacy
 *                  RandomState.randn (polar method, caches the second value).
 * Both draw uniforms as the 53-bit double (a*2^26+b)/2^53 of random() and
 * np.random.random().  The fields are private; use the functions. */
typedef enum { XN_RNG_PYTHON, XN_RNG_NUMPY } xn_rng_kind;

typedef struct {
    uint32_t mt[624];
    int mti;
    xn_rng_kind kind;
    int has_gauss;
    double gauss;
} xn_rng;

/* Seeds rng.  A Python seed may be any uint64_t; a NumPy seed must fit in 32
 * bits (XN_EINVAL otherwise, as NumPy raises). */
XN_API xn_status xn_rng_seed(xn_rng *rng, xn_rng_kind kind, uint64_t seed);
XN_API uint32_t xn_rng_u32(xn_rng *rng);       /* genrand_int32 */
XN_API double xn_rng_uniform(xn_rng *rng);     /* [0, 1), 53 bits */
XN_API double xn_rng_normal(xn_rng *rng);      /* standard normal */

/* ---- networks ---------------------------------------------------------- */

typedef struct xn_net xn_net;

/* How weights are drawn (biases are zero unless XN_BIAS_DRAWN). */
typedef enum {
    XN_ORDER_ROW,     /* W_l filled row by row: W[0][0], W[0][1], ... (NumPy's randn(in,out)) */
    XN_ORDER_NEURON   /* neuron by neuron: W[0][k], W[1][k], ..., then k+1 */
} xn_order;

typedef struct {
    size_t n_layers;        /* L >= 1 */
    const size_t *sizes;    /* L+1 sizes n0..nL, each >= 1 */
    const xn_act *acts;     /* L activations; softmax only for the last,
                               over two or more outputs */
    xn_loss loss;           /* bce needs a sigmoid output, cce a softmax one */
    size_t max_batch;       /* rows to reserve workspace for; 0 means 4 */
    xn_kernel kernel;       /* XN_KERNEL_AUTO unless told otherwise */
} xn_net_config;

/* Hard limits, checked before anything is allocated (XN_ENOMEM past them). */
#define XN_MAX_LAYERS 64
#define XN_MAX_PARAMS ((size_t)1 << 28)  /* 2^28 doubles = 2 GiB of weights */

/* Creates a network with all parameters zero.  *out is NULL on failure.
 * XN_EINVAL: NULL, bad activation/loss pairing; XN_EDIM: a zero size or an
 * overflowing product; XN_ENOMEM. */
XN_API xn_status xn_net_create(xn_net **out, const xn_net_config *cfg);
/* Frees everything; accepts NULL. */
XN_API void xn_net_destroy(xn_net *net);
/* A deep copy with the same parameters and optimizer state. */
XN_API xn_status xn_net_clone(xn_net **out, const xn_net *net);

/* Grows the workspace to hold batches of up to max_batch rows.  Forward and
 * training calls never allocate once the workspace is big enough; a call
 * with more rows grows it first (and may then return XN_ENOMEM). */
XN_API xn_status xn_net_reserve(xn_net *net, size_t max_batch);

XN_API size_t xn_net_layers(const xn_net *net);            /* L */
XN_API size_t xn_net_size(const xn_net *net, size_t i);    /* n_i, i in 0..L */
XN_API xn_act xn_net_act(const xn_net *net, size_t l);     /* l in 1..L */
XN_API xn_loss xn_net_loss(const xn_net *net);
XN_API xn_kernel xn_net_kernel(const xn_net *net);
XN_API void xn_net_set_kernel(xn_net *net, xn_kernel k);
XN_API size_t xn_net_param_count(const xn_net *net);

/* Views into the network's contiguous parameter and gradient buffers, valid
 * until the network is destroyed.  l in 1..L; NULL for a bad l.
 * W_l is (n_{l-1}, n_l) row-major, b_l is (n_l).  Gradients are those of the
 * last xn_net_gradient / xn_net_train_step call. */
XN_API double *xn_net_weights(xn_net *net, size_t l);
XN_API double *xn_net_bias(xn_net *net, size_t l);
XN_API const double *xn_net_dweights(const xn_net *net, size_t l);
XN_API const double *xn_net_dbias(const xn_net *net, size_t l);
/* All parameters as one vector, layer by layer, W_l then b_l. */
XN_API double *xn_net_params(xn_net *net);
XN_API const double *xn_net_grads(const xn_net *net);

typedef enum { XN_BIAS_ZERO, XN_BIAS_DRAWN } xn_bias_init;

/* Draws every weight with init from rng, layer by layer, in the given order;
 * with XN_BIAS_DRAWN each layer's biases are drawn by the same rule right
 * after its weights.  Resets the optimizer state. */
XN_API xn_status xn_net_init(xn_net *net, xn_init init, xn_order order,
                             xn_bias_init bias, xn_rng *rng);

/* Forward pass of x (n, n0).  *out points at the output activations
 * (n, nL) inside the workspace, valid until the next call on net. */
XN_API xn_status xn_net_forward(xn_net *net, size_t n, const double *x,
                                const double **out);
/* Forward pass copied into y (n, nL). */
XN_API xn_status xn_net_predict(xn_net *net, size_t n, const double *x,
                                double *y);
/* Loss of the network on (x, y) without touching the gradients. */
XN_API xn_status xn_net_eval_loss(xn_net *net, size_t n, const double *x,
                                  const double *y, double *loss);
/* Forward and backward: fills the gradient buffers and *loss (may be NULL)
 * for the current parameters.  XN_ENUMERIC if the loss or a gradient is not
 * finite (the buffers are filled all the same). */
XN_API xn_status xn_net_gradient(xn_net *net, size_t n, const double *x,
                                 const double *y, double *loss);

typedef struct {
    xn_opt_kind kind;
    double lr;         /* learning rate > 0 */
    double momentum;   /* classical momentum coefficient in [0, 1) */
    double beta1;      /* Adam; 0 means 0.9 */
    double beta2;      /* Adam; 0 means 0.999 */
    double eps;        /* Adam; 0 means 1e-8 */
} xn_opt;

/* One whole-batch training step: gradient, then the optimizer's update.
 * *loss (may be NULL) is the loss before the update.  Allocates nothing once
 * the workspace holds n rows.  XN_ENUMERIC, with the parameters and the
 * optimizer state left as they were, if the loss, a gradient or an updated
 * parameter would not be finite. */
XN_API xn_status xn_net_train_step(xn_net *net, size_t n, const double *x,
                                   const double *y, const xn_opt *opt,
                                   double *loss);
/* Forgets momentum and Adam moments. */
XN_API void xn_net_reset_opt(xn_net *net);

/* Fraction of rows classified right.  One output: a and y on the same side
 * of 0.5, (a >= 0.5) == (y >= 0.5), which is round(a) == y for 0/1 targets;
 * several outputs: arg-max of a == arg-max of y (first maximum wins). */
XN_API xn_status xn_net_accuracy(xn_net *net, size_t n, const double *x,
                                 const double *y, double *acc);
/* The same rule on outputs already computed: a and y are (n, k). */
XN_API double xn_accuracy(size_t n, size_t k, const double *a, const double *y);
/* The outputs (n, nL) of the last forward pass on net, including the one
 * inside xn_net_gradient and xn_net_train_step (before its update). */
XN_API const double *xn_net_output(const xn_net *net);

/* The four XOR rows in binary-count order (0,0) (0,1) (1,0) (1,1) and their
 * targets 0 1 1 0: static, read-only. */
XN_API const double *xn_xor_inputs(void);   /* (4, 2) */
XN_API const double *xn_xor_targets(void);  /* (4, 1) */


/* ---- files ------------------------------------------------------------- */

/* Where a reader or writer failed: line is 1-based (0 when the failure is
 * not tied to a line, such as a file that cannot be opened); msg is one line
 * without the file name, e.g. "expected 10 numbers, found 9". */
typedef struct {
    size_t line;
    char msg[200];
} xn_error;

/* Model files: the versioned text format of docs/model-format.md.  Saving
 * is atomic: a temporary file in the same folder is written, flushed to disk
 * and renamed over path, so a failure leaves any old file untouched; a
 * network with a non-finite parameter is refused (XN_ENUMERIC).  Loading is
 * strict and all-or-nothing; err (may be NULL) says where it failed.
 * XN_EINVAL (NULL arguments), XN_EIO, XN_EFORMAT, XN_ENOMEM. */
XN_API xn_status xn_net_save(const xn_net *net, const char *path, xn_error *err);
XN_API xn_status xn_net_load(xn_net **out, const char *path, xn_error *err);
/* The same reader over a text in memory (len bytes, need not end in NUL). */
XN_API xn_status xn_net_parse(xn_net **out, const char *text, size_t len,
                              xn_error *err);

/* A training set: x (n, in) and y (n, out), row-major, owned. */
typedef struct {
    size_t n, in, out;
    double *x;
    double *y;
} xn_data;

/* Reads CSV (last `outputs` columns are targets; '#' comments; an optional
 * header row) or FANN's training-data format, told apart by the first line
 * (docs/data-format.md).  For FANN, outputs must be 0 or the file's count.
 * XN_OUTPUTS_DEFAULT means one target column for CSV and the file's count
 * for FANN.  On failure *d is left empty.  XN_EIO, XN_EFORMAT, XN_ENOMEM,
 * XN_EINVAL. */
#define XN_OUTPUTS_DEFAULT ((size_t)-1)
XN_API xn_status xn_data_load(xn_data *d, const char *path, size_t outputs,
                              xn_error *err);
XN_API xn_status xn_data_parse(xn_data *d, const char *text, size_t len,
                               size_t outputs, xn_error *err);
/* Frees d's arrays and zeroes it; accepts NULL and an empty d. */
XN_API void xn_data_free(xn_data *d);

#ifdef __cplusplus
}
#endif

#endif
