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

#include <stdbool.h>
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

/* The library's version (also xn_version() at run time, and meson's
 * project version).  Model files carry their own format version
 * (docs/model-format.md). */
#define XN_VERSION_MAJOR 2
#define XN_VERSION_MINOR 0
#define XN_VERSION_PATCH 0

/* "MAJOR.MINOR.PATCH" of the library actually linked; static. */
XN_API const char *xn_version(void);

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

/* Why a call failed, for calls that have no network to keep the reason in
 * (creation, checking a configuration, reading and writing files): line
 * is 1-based (0 when the failure is not tied to a line of a file); msg is
 * one line without a file name, e.g. "expected 10 numbers, found 9";
 * setting names the configuration field at fault when a checker refused
 * one (xn_net_check_config, xn_opt_check, xn_fit_check: "lr", "sizes"),
 * so a front end can name its own flag for it; "" otherwise. */
typedef struct {
    size_t line;
    char msg[200];
    char setting[32];
} xn_error;

/* ---- names ------------------------------------------------------------- */

typedef enum { XN_ACT_IDENTITY, XN_ACT_SIGMOID, XN_ACT_RELU, XN_ACT_TANH,
               XN_ACT_SOFTMAX } xn_act;
/* The loss of a batch of n rows of K outputs a against targets y:
 *   mse      sum (a - y)^2 / (nK)
 *   sse      sum (a - y)^2 / (2n)
 *   bce      binary cross-entropy, the mean over the nK outputs (sigmoid)
 *   cce      categorical cross-entropy, the mean over the n rows (softmax)
 *   bce_sum  binary cross-entropy summed over each row's K outputs, the
 *            mean over the rows: a row's negative log-likelihood of its
 *            label set (scikit-learn's multi-label loss); bce when K = 1 */
typedef enum { XN_LOSS_MSE, XN_LOSS_SSE, XN_LOSS_BCE, XN_LOSS_CCE,
               XN_LOSS_BCE_SUM } xn_loss;
/* First-order optimizers take a step from a gradient; lm and lbfgs, the
 * second-order solvers, take whole-batch iterations of their own (below). */
typedef enum { XN_OPT_GD, XN_OPT_MOMENTUM, XN_OPT_ADAM, XN_OPT_LM, XN_OPT_LBFGS } xn_opt_kind;
typedef enum { XN_INIT_GLOROT_UNIFORM, XN_INIT_GLOROT_NORMAL,
               XN_INIT_HE_UNIFORM, XN_INIT_HE_NORMAL, XN_INIT_NORMAL,
               XN_INIT_UNIFORM, XN_INIT_ZEROS } xn_init;
typedef enum { XN_KERNEL_AUTO, XN_KERNEL_BLAS, XN_KERNEL_NAIVE } xn_kernel;
/* A network's element type: its parameters, workspace and arithmetic. */
typedef enum { XN_FLOAT64, XN_FLOAT32 } xn_dtype;
/* Whose random stream (see xn_rng below). */
typedef enum { XN_RNG_PYTHON, XN_RNG_NUMPY } xn_rng_kind;
/* How weights are drawn into W_l (in, out). */
typedef enum {
    XN_ORDER_ROW,     /* row by row: W[0][0], W[0][1], ... (NumPy's randn(in,out)) */
    XN_ORDER_NEURON   /* neuron by neuron: W[0][k], W[1][k], ..., then k+1 */
} xn_order;
/* Biases zero, or drawn by the weights' rule right after each layer's weights. */
typedef enum { XN_BIAS_ZERO, XN_BIAS_DRAWN } xn_bias_init;

/* Name <-> enum.  The *_name functions return a static string ("?" for an
 * out-of-range value); the parsers return XN_EINVAL for an unknown name or a
 * NULL argument and leave *out untouched then.  Names are the lower-case
 * words used on the command line and in model files ("relu", "adam"); the
 * *_names functions list each table whole, in enum order. */
XN_API const char *xn_act_name(xn_act a);
/* Each table whole, in enum order: *count (may be NULL) names, static. */
XN_API const char *const *xn_act_names(size_t *count);
XN_API const char *const *xn_loss_names(size_t *count);
XN_API const char *const *xn_opt_names(size_t *count);
XN_API const char *const *xn_init_names(size_t *count);
XN_API const char *const *xn_kernel_names(size_t *count);
XN_API const char *const *xn_dtype_names(size_t *count);
XN_API const char *const *xn_rng_kind_names(size_t *count);
XN_API const char *const *xn_order_names(size_t *count);
XN_API const char *const *xn_bias_init_names(size_t *count);
XN_API const char *xn_loss_name(xn_loss l);
XN_API const char *xn_opt_name(xn_opt_kind o);
XN_API const char *xn_init_name(xn_init i);
XN_API const char *xn_kernel_name(xn_kernel k);
XN_API const char *xn_dtype_name(xn_dtype t);
XN_API const char *xn_rng_kind_name(xn_rng_kind k);
XN_API const char *xn_order_name(xn_order o);
XN_API const char *xn_bias_init_name(xn_bias_init b);
XN_API xn_status xn_act_parse(const char *name, xn_act *out);
XN_API xn_status xn_loss_parse(const char *name, xn_loss *out);
XN_API xn_status xn_opt_parse(const char *name, xn_opt_kind *out);
XN_API xn_status xn_init_parse(const char *name, xn_init *out);
XN_API xn_status xn_kernel_parse(const char *name, xn_kernel *out);
XN_API xn_status xn_dtype_parse(const char *name, xn_dtype *out);
XN_API xn_status xn_rng_kind_parse(const char *name, xn_rng_kind *out);
XN_API xn_status xn_order_parse(const char *name, xn_order *out);
XN_API xn_status xn_bias_init_parse(const char *name, xn_bias_init *out);

/* ---- random numbers ---------------------------------------------------- */

/* MT19937 with the seeding and derived draws of two reference streams, so a
 * Python or NumPy experiment can be repeated number for number:
 *   XN_RNG_PYTHON  random.seed(n) (init_by_array over n's 32-bit words);
 *                  normals are random.gauss (Box-Muller, caches the sine).
 *   XN_RNG_NUMPY   np.random.seed(n) (init_genrand); normals are the legacy
 *                  RandomState.randn (polar method, caches the second value).
 * Both draw uniforms as the 53-bit double (a*2^26+b)/2^53 of random() and
 * np.random.random().  The fields are private; use the functions. */
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
/* A stream's whole state, to continue a reference generator's or to hand
 * one back: the 624 words of MT19937, the position in them (0..624) and
 * the cached normal (has_gauss 0 or 1, gauss): NumPy's
 * RandomState.get_state() is ('MT19937', key, pos, has_gauss,
 * cached_gaussian); Python's random.getstate() is (3, key + (pos,),
 * gauss_next or None).  XN_EINVAL for a NULL pointer, a bad kind, position
 * or has_gauss, or an all-zero key (nothing changed). */
XN_API xn_status xn_rng_set_state(xn_rng *rng, xn_rng_kind kind, const uint32_t key[624], int pos,
                                  int has_gauss, double gauss);
XN_API xn_status xn_rng_get_state(const xn_rng *rng, uint32_t key[624], int *pos, int *has_gauss,
                                  double *gauss);
/* Draws from a seeded stream: a 32-bit word (genrand_int32), a uniform in
 * [0, 1) of 53 bits, a standard normal.  A NULL rng gives 0, NaN, NaN. */
XN_API uint32_t xn_rng_u32(xn_rng *rng);
XN_API double xn_rng_uniform(xn_rng *rng);
XN_API double xn_rng_normal(xn_rng *rng);

/* ---- networks ---------------------------------------------------------- */

typedef struct xn_net xn_net;

/* Fill it with designated initializers, so that a field added later keeps
 * its default of zero:
 *     xn_net_config cfg = {.n_layers = 2, .sizes = sizes, .acts = acts,
 *                          .loss = XN_LOSS_MSE}; */
typedef struct {
    size_t n_layers;        /* L >= 1 */
    const size_t *sizes;    /* L+1 sizes n0..nL, each >= 1 */
    const xn_act *acts;     /* L activations; softmax only for the last,
                               over two or more outputs */
    xn_loss loss;           /* bce and bce_sum need a sigmoid output, cce a
                               softmax one */
    size_t max_batch;       /* rows to reserve workspace for; 0 means 4 */
    xn_kernel kernel;       /* XN_KERNEL_AUTO unless told otherwise */
    xn_dtype dtype;         /* XN_FLOAT64 unless told otherwise */
} xn_net_config;

/* Hard limits, checked before anything is allocated (XN_ENOMEM past them).
 * A float64 network of P parameters takes 8P bytes for its weights and 24P
 * more for training (gradients and two optimizer moments): 8 GiB at the
 * limit; a float32 one half of that. */
#define XN_MAX_LAYERS 64
#define XN_MAX_PARAMS ((size_t)1 << 28)

/* The network rules, in one place: at least one layer, at most
 * XN_MAX_LAYERS; every size >= 1 and <= INT_MAX (BLAS indexes with int);
 * at most XN_MAX_PARAMS parameters; softmax only on the last layer and over
 * two or more outputs; bce and bce_sum need a sigmoid output and cce a
 * softmax one.
 * XN_OK, or the status xn_net_create would return with err->msg (err may
 * be NULL) naming the rule, e.g. "loss cce needs a softmax output layer,
 * not sigmoid". */
XN_API xn_status xn_net_check_config(const xn_net_config *cfg, xn_error *err);

/* Creates a network with all parameters zero and not yet initialized:
 * training it is refused (XN_EINVAL) until xn_net_init or
 * xn_net_init_default draws its weights, or a writable view sets them.
 * *out is NULL on failure; xn_net_check_config says why.  XN_EINVAL (NULL,
 * a broken rule), XN_EDIM (a zero size, an overflowing product), XN_ENOMEM. */
XN_API xn_status xn_net_create(xn_net **out, const xn_net_config *cfg);
/* Frees everything; accepts NULL. */
XN_API void xn_net_destroy(xn_net *net);
/* A deep copy with the same parameters, gradients and optimizer state. */
XN_API xn_status xn_net_clone(xn_net **out, const xn_net *net);

/* Why the last failed call on net failed: one line naming the call and the
 * argument, e.g. "train_step: 0 rows"; "" if none has failed.  Static
 * until the next failing call on net. */
XN_API const char *xn_net_error(const xn_net *net);

/* Grows the workspace to hold batches of up to max_batch rows.  Evaluation
 * (forward, predict, eval_loss, accuracy) never allocates: predict,
 * eval_loss and accuracy take a larger batch in blocks of the reserved
 * rows, and forward refuses one (XN_EDIM).  Training calls (gradient,
 * accumulate, train_step) grow the workspace to their batch, and the first
 * one on a network read from a file allocates its training state. */
XN_API xn_status xn_net_reserve(xn_net *net, size_t max_batch);
XN_API size_t xn_net_reserved(const xn_net *net);

XN_API size_t xn_net_layers(const xn_net *net);            /* L */
XN_API size_t xn_net_size(const xn_net *net, size_t i);    /* n_i, i in 0..L */
XN_API xn_act xn_net_act(const xn_net *net, size_t l);     /* l in 1..L */
XN_API xn_loss xn_net_loss(const xn_net *net);
/* How the log losses (bce, bce_sum, cce) are valued: 0, the default,
 * exactly from the logits; clip in (0, 0.5) from the output probabilities
 * clipped to [clip, 1 - clip], as scikit-learn (clip the type's machine
 * epsilon) and Keras (1e-7) report them, so a confident mistake costs at
 * most -log(clip).  The gradient is a - y either way.  A setting of the
 * network at run time, as its kernel: model files do not keep it.
 * XN_EINVAL for a clip outside [0, 0.5). */
XN_API xn_status xn_net_set_loss_clip(xn_net *net, double clip);
XN_API double xn_net_loss_clip(const xn_net *net);
XN_API xn_kernel xn_net_kernel(const xn_net *net);
XN_API xn_dtype xn_net_dtype(const xn_net *net);
XN_API void xn_net_set_kernel(xn_net *net, xn_kernel k);
XN_API size_t xn_net_param_count(const xn_net *net);

/* Views into a float64 network's contiguous parameter and gradient
 * buffers (NULL for a float32 network: use the copies below), valid
 * until the network is destroyed.  l in 1..L; NULL for a bad l.
 * W_l is (n_{l-1}, n_l) row-major, b_l is (n_l).  A writable view of the
 * parameters counts as setting them (the network is then initialized).
 * The gradient views are NULL until the network has a training state
 * (from creation, or the first training call on a network read from a
 * file); they hold the last gradient computed, and a caller may change
 * them before xn_net_update. */
XN_API double *xn_net_weights(xn_net *net, size_t l);
XN_API double *xn_net_bias(xn_net *net, size_t l);
XN_API double *xn_net_dweights(xn_net *net, size_t l);
XN_API double *xn_net_dbias(xn_net *net, size_t l);
/* All parameters (gradients) as one vector, layer by layer, W_l then b_l. */
XN_API double *xn_net_params(xn_net *net);
XN_API double *xn_net_grads(xn_net *net);
/* The parameter vector in the network's own type, either type (double, or
 * float for XN_FLOAT32), laid out as xn_net_params, valid until the
 * network is destroyed; a writable view as the ones above. */
XN_API void *xn_net_params_data(xn_net *net);
/* Copies of all parameters or gradients (P values, layer by layer, W_l
 * then b_l) out to doubles and in from them, for a network of either type
 * (a float32 network rounds what comes in).  Setting parameters counts as
 * initializing the network; XN_ENUMERIC, nothing changed, for a value that
 * is not finite in the network's type; the gradients need a training
 * state (XN_EINVAL before one). */
XN_API xn_status xn_net_get_params(const xn_net *net, double *out);
XN_API xn_status xn_net_set_params(xn_net *net, const double *in);
XN_API xn_status xn_net_get_grads(const xn_net *net, double *out);
XN_API xn_status xn_net_set_grads(xn_net *net, const double *in);

/* Draws every weight with init from rng, layer by layer, in the given order;
 * with XN_BIAS_DRAWN each layer's biases are drawn by the same rule right
 * after its weights.  Resets the optimizer's moments. */
XN_API xn_status xn_net_init(xn_net *net, xn_init init, xn_order order,
                             xn_bias_init bias, xn_rng *rng);
/* The usual initialization in one call, the one xn_plan_defaults names and
 * `xornet train --data` draws: Glorot uniform weights in row order from
 * NumPy's stream seeded with seed (below 2^32), biases zero; for a network
 * of one input He uniform weights and biases drawn alike (xn_plan's note).
 * Resets the optimizer's moments. */
XN_API xn_status xn_net_init_default(xn_net *net, uint64_t seed);

/* ---- input standardization --------------------------------------------- */

/* A network may standardize its inputs: every call that takes input rows
 * (forward, predict, evaluation, gradients, training) first maps each
 * column j to (x_j - mean_j) / sd_j, so callers and saved models work on
 * raw data.  mean and sd are (n0) each, sd > 0; NULL for both removes it.
 * Copied; XN_EINVAL for a non-finite mean or an sd that is not positive
 * and finite (nothing changed), XN_ENOMEM. */
XN_API xn_status xn_net_set_standardization(xn_net *net, const double *mean,
                                            const double *sd);
/* The network's mean and sd (n0 each), or NULL when it has none. */
XN_API const double *xn_net_input_mean(const xn_net *net);
XN_API const double *xn_net_input_sd(const xn_net *net);
/* A regression network (identity output; XN_EINVAL for another) may
 * standardize its targets too: it then learns (y_k - mean_k) / sd_k, every
 * call that takes targets standardizes them first, and predict gives
 * outputs back on the targets' scale (a * sd_k + mean_k).  Its losses
 * (eval_loss, gradient, training) are those of the standardized targets.
 * mean and sd are (nL) each; NULL for both removes it. */
XN_API xn_status xn_net_set_target_standardization(xn_net *net, const double *mean,
                                                   const double *sd);
XN_API const double *xn_net_target_mean(const xn_net *net);
XN_API const double *xn_net_target_sd(const xn_net *net);

/* ---- class labels ------------------------------------------------------- */

/* A classifier may carry its classes' labels, as the data named them
 * ("setosa", "1", "-1"): saved in its model file, given back by
 * xn_net_label for predicted classes.  k labels for k outputs (softmax,
 * or several sigmoids: a label a column), or 2 for one sigmoid output (the
 * labels of outputs below 0.5 and at or above it).  Each label is a
 * nonempty string of at most XN_LABEL_MAX bytes, distinct from the others;
 * they are copied.  0 and NULL remove them.  XN_EINVAL (net->error says
 * which rule), XN_ENOMEM; nothing changed on failure. */
#define XN_LABEL_MAX 200
XN_API xn_status xn_net_set_labels(xn_net *net, size_t k, const char *const *labels);
/* The number of labels (0: none) and, through labels (may be NULL), the
 * network's array of them, valid until they are set again. */
XN_API size_t xn_net_labels(const xn_net *net, const char *const **labels);
/* Label c, or NULL when the network has none or c is not below their count. */
XN_API const char *xn_net_label(const xn_net *net, size_t c);
/* The class of each of the n rows of x (n, n0) by xn_class_of's rule,
 * into classes (n): an index into the labels.  XN_ENUMERIC as predict. */
XN_API xn_status xn_net_predict_classes(xn_net *net, size_t n, const double *x, size_t *classes);
/* Each column's mean and standard deviation (over the n rows, as NumPy's
 * std with ddof 0 and scikit-learn's StandardScaler) of x (n, k), in two
 * passes; a constant column gets sd 1, so it is only centred.  A column
 * whose sums overflow (values near the largest double) is summed scaled,
 * so its results stay finite.  XN_EDIM for no rows or columns, XN_ENUMERIC
 * if a deviation is beyond a double all the same (its sd is then inf, the
 * other columns' results are all there). */
XN_API xn_status xn_column_stats(size_t n, size_t k, const double *x, double *mean,
                                 double *sd);

/* ---- evaluation -------------------------------------------------------- */

/* Forward pass of x (n, n0), n at most the reserved rows, of a float64
 * network (XN_EINVAL for float32: use xn_net_predict).  *out points at
 * the output activations (n, nL) inside the workspace, valid until the
 * next call on net. */
XN_API xn_status xn_net_forward(xn_net *net, size_t n, const double *x,
                                const double **out);
/* Forward pass copied into y (n, nL), for any n (0 does nothing).
 * XN_ENUMERIC, with y filled all the same, if an output is not finite (a
 * NaN input, or a network that overflows there). */
XN_API xn_status xn_net_predict(xn_net *net, size_t n, const double *x,
                                double *y);
/* xn_net_predict for rows x (n, n0) and outputs y (n, nL) of `type`:
 * float64 for any network, or float32 for a float32 network (XN_EINVAL
 * otherwise), whose rows are then read in place (unless it standardizes
 * them) and whose outputs come out as it computed them. */
XN_API xn_status xn_net_predict_rows(xn_net *net, size_t n, xn_dtype type, const void *x,
                                     void *y);
/* Loss of the network on (x, y) without touching the gradients. */
XN_API xn_status xn_net_eval_loss(xn_net *net, size_t n, const double *x,
                                  const double *y, double *loss);
/* Fraction of rows classified right, by xn_accuracy's rule. */
XN_API xn_status xn_net_accuracy(xn_net *net, size_t n, const double *x,
                                 const double *y, double *acc);
/* One output: a and y on the same side of 0.5, (a >= 0.5) == (y >= 0.5),
 * which is round(a) == y for 0/1 targets; several outputs: arg-max of a ==
 * arg-max of y.  a and y are (n, k); 0 for no rows. */
XN_API double xn_accuracy(size_t n, size_t k, const double *a, const double *y);
/* The index of the largest of v[0..k-1], the first one on ties; 0 for a
 * NULL v or k = 0. */
XN_API size_t xn_argmax(size_t k, const double *v);
/* The class of one row v (k): for one output 1 if v >= 0.5, else 0; for
 * several the arg-max; 0 for a NULL v. */
XN_API size_t xn_class_of(size_t k, const double *v);
/* counts (C, C), C = k for several outputs or 2 for one: counts[t*C + p]
 * rows of true class t predicted as class p (xn_class_of). */
XN_API xn_status xn_confusion(size_t n, size_t k, const double *a, const double *y,
                              size_t *counts);
/* Regression: root mean squared and mean absolute error over all n*k
 * outputs, and R^2 = 1 - SS_res / SS_tot per output column, averaged over
 * the columns (scikit-learn's r2_score; a constant column scores 1 if
 * matched exactly, else 0). */
typedef struct {
    double rmse, mae, r2;
} xn_regression;
XN_API xn_status xn_regression_metrics(size_t n, size_t k, const double *a, const double *y,
                                       xn_regression *out);
/* The outputs (n, nL) of the last forward, gradient, accumulate or
 * train_step call on a float64 network (evaluation in blocks keeps only its
 * last block); NULL for a float32 one. */
XN_API const double *xn_net_output(const xn_net *net);

/* ---- optimizers -------------------------------------------------------- */

/* An optimizer and its hyper-parameters.  Every field means what it says
 * (beta1 = 0 is a valid choice): start from xn_opt_default.  For a step
 * with gradient g (of the loss with its l2 penalty) and learning rate lr:
 *   gd        w -= lr (g + decay w)
 *   momentum  v = mu v - lr (g + decay w);  w += v, or with nesterov
 *             w += mu v - lr (g + decay w), the new v's look-ahead
 *             (Sutskever et al. 2013; scikit-learn's and PyTorch's form)
 *   adam      m, v the moments of g, c_i = 1 - beta_i^t at step t:
 *             w -= (lr / c1) m / (sqrt(v / c2) + eps)  (Kingma and Ba 2015,
 *             Algorithm 1), or with eps_raw the form at the end of their
 *             section 2, eps added before the correction, which scikit-learn
 *             and TensorFlow use: w -= (lr sqrt(c2) / c1) m / (sqrt(v) + eps);
 *             weight decay first shrinks w by (1 - lr decay) (AdamW). */
typedef struct {
    xn_opt_kind kind;
    double lr;           /* learning rate > 0 (lm and lbfgs choose their own
                            steps and do not use it) */
    double momentum;     /* classical momentum coefficient in [0, 1) */
    double beta1;        /* Adam's first-moment decay in [0, 1) */
    double beta2;        /* Adam's second-moment decay in [0, 1) */
    double eps;          /* Adam's denominator term >= 0 */
    double weight_decay; /* >= 0; applied to weights, never biases: coupled
                            L2 (g + decay w) for gd and momentum, decoupled
                            (AdamW) for Adam; for lm and lbfgs the term
                            decay/2 ||W||^2 of the objective they minimize
                            (scikit-learn's alpha is decay * rows) */
    bool nesterov;       /* momentum: Nesterov's form (other kinds ignore it) */
    bool eps_raw;        /* Adam: eps added to sqrt(v), not sqrt(v / c2) */
    double l2;           /* >= 0: a penalty (l2 / 2n) sum_l ||W_l||^2 added to
                            the loss of a batch of n rows (biases exempt), so
                            l2 W / n joins the weights' gradient, for every
                            kind (scikit-learn's alpha; 0: none) */
    /* Levenberg-Marquardt (lm) solves (J^T J + mu I) d = -J^T r for the
     * residuals r = outputs - targets and their Jacobian J, and adapts mu
     * as MATLAB's trainlm: */
    double mu;           /* its start > 0 */
    double mu_dec;       /* the factor after a step that lowers the loss, in (0, 1) */
    double mu_inc;       /* the factor after one that does not, > 1 */
    double mu_max;       /* stop when mu would pass it (> mu) */
    size_t lm_max_bytes; /* refuse a problem whose Jacobian and normal
                            equations take more bytes than this */
    /* L-BFGS (lbfgs): the two-loop recursion over the last `memory` pairs
     * and Moré and Thuente's line search (the strong Wolfe conditions). */
    size_t memory;       /* pairs kept, >= 1 */
    size_t max_line_search; /* trials a line search may take, >= 1 (SciPy's maxls) */
    /* Both stop on these (0 turns a test off, but for lbfgs' ftol): */
    double gtol;         /* the largest |gradient component| <= gtol */
    double ftol;         /* an iteration lowers the objective by at most
                            ftol * max(|f_before|, |f_after|, 1) (lbfgs
                            with 0: it does not lower it, as SciPy's) */
    size_t max_evals;    /* the objective was evaluated more than this
                            often, counted over the solver's iterations
                            (a point evaluated again counts once, as in
                            SciPy) */
} xn_opt;

/* kind with its usual hyper-parameters: lr 0.01 (gd, momentum) or 0.001
 * (Adam; 1, unused, for lm and lbfgs), momentum 0.9, beta1 0.9, beta2
 * 0.999, eps 1e-8, no decay, no penalty, the classical momentum and
 * Algorithm 1's eps; lm: mu 1e-3, mu_dec 0.1, mu_inc 10, mu_max 1e10
 * (trainlm's), lm_max_bytes 1 GiB, gtol 1e-7 (trainlm's min_grad), ftol 0;
 * lbfgs: memory 10, max_line_search 20, gtol 1e-5, ftol
 * 2.220446049250313e-9 (SciPy's L-BFGS-B); both max_evals 15000. */
XN_API xn_opt xn_opt_default(xn_opt_kind kind);
/* XN_OK, or XN_EINVAL with err (may be NULL) naming the field at fault
 * (err->setting: "lr", "momentum", "weight_decay", "beta1", "beta2",
 * "eps", "kind", and for lm and lbfgs "gtol", "ftol", "max_evals", "mu",
 * "mu_dec", "mu_inc", "mu_max", "memory", "max_line_search") and why,
 * e.g. "the momentum must be in [0, 1)". */
XN_API xn_status xn_opt_check(const xn_opt *opt, xn_error *err);

/* The optimizer belongs to the network: a new network has
 * xn_opt_default(XN_OPT_GD).  xn_net_set_opt sets it and resets the
 * moments (XN_EINVAL for a bad value, nothing changed); xn_net_set_lr
 * changes the learning rate alone and keeps them (for schedules). */
XN_API xn_status xn_net_set_opt(xn_net *net, const xn_opt *opt);
XN_API xn_status xn_net_set_lr(xn_net *net, double lr);
XN_API xn_opt xn_net_opt(const xn_net *net);
/* Forgets momentum and Adam moments and Adam's step count, and the state
 * of lm and lbfgs (their counts, mu, the L-BFGS pairs). */
XN_API void xn_net_reset_opt(xn_net *net);
/* The optimizer's state as doubles, to save a training run and carry it
 * on: m (P) momentum's velocity or Adam's first moment, v (P) Adam's
 * second moment, laid out as the parameters, and the updates taken.  Get
 * needs a training state (XN_EINVAL before one); set makes one, and
 * changes nothing on XN_EINVAL (a negative v) or XN_ENUMERIC (a value not
 * finite in the network's type); XN_ENOMEM. */
XN_API xn_status xn_net_get_moments(const xn_net *net, double *m, double *v, uint64_t *steps);
XN_API xn_status xn_net_set_moments(xn_net *net, const double *m, const double *v,
                                    uint64_t steps);

/* ---- second-order solvers: lm and lbfgs ---------------------------------
 * For small networks and data sets.  Each iteration works on the whole
 * batch: xn_net_train_step takes one (xn_fit one an epoch, with batch 0),
 * and the state between iterations (mu, the L-BFGS pairs) belongs to the
 * network, like the moments of Adam, and goes into checkpoints.  Both need
 * a float64 network (they difference gradients and square the Jacobian,
 * which float32 rounds away; XN_EINVAL for a float32 one).
 *   lm     Levenberg-Marquardt for mse and sse: the Jacobian of the
 *          residuals (rows * outputs, parameters), the damped normal
 *          equations solved by Cholesky (LAPACKE dposv), or by QR of the
 *          stacked system (dgels) when the factorization fails; a step
 *          that does not lower the objective, or is not finite, is
 *          rejected and retried with mu * mu_inc.  Memory:
 *          8 * ((rows * outputs + P) * P + 2 P^2) bytes and a little more,
 *          refused (XN_ENOMEM, with the number) past lm_max_bytes.
 *   lbfgs  L-BFGS for any loss, taking L-BFGS-B's steps (SciPy's, which
 *          scikit-learn's solver='lbfgs' runs): the two-loop recursion
 *          (Nocedal and Wright, Algorithm 7.4), Moré and Thuente's line
 *          search with L-BFGS-B's constants, its first step, pair test
 *          and restart; a step that is not finite counts as too long. */

/* Why a solver stopped. */
typedef enum {
    XN_STOP_NONE,        /* it has not: the last iteration met no test */
    XN_STOP_GTOL,        /* the largest |gradient component| <= gtol */
    XN_STOP_FTOL,        /* the last iteration lowered the objective by <= ftol (relative) */
    XN_STOP_MAX_EVALS,   /* more than max_evals evaluations */
    XN_STOP_MAX_ITER,    /* xn_fit only: its epochs (iterations) ran out */
    XN_STOP_MU_MAX,      /* lm: no step lowers the objective, up to mu_max */
    XN_STOP_LINE_SEARCH  /* lbfgs: no step along the gradient lowers it (rounding) */
} xn_stop;
/* Their names (none gtol ftol max_evals max_iter mu_max line_search), as
 * the other name tables above. */
XN_API const char *xn_stop_name(xn_stop s);
XN_API const char *const *xn_stop_names(size_t *count);
XN_API xn_status xn_stop_parse(const char *name, xn_stop *out);

/* What lm or lbfgs has done since the network's optimizer was set or reset. */
typedef struct {
    size_t iterations;   /* steps taken */
    size_t evaluations;  /* of the objective: lbfgs with its gradient, lm at
                            a trial point */
    size_t jacobians;    /* lm: Jacobians computed (one an iteration) */
    size_t qr_steps;     /* lm: steps solved by QR because Cholesky failed */
    xn_stop stop;        /* the last iteration's verdict */
    double mu;           /* lm: the damping the next iteration starts with */
    double objective;    /* the loss plus the decay term at the current
                            parameters (NaN before the first iteration) */
} xn_solver_report;
/* Fills *out for the network's lm or lbfgs (all zero, mu the optimizer's,
 * objective NaN, before the first iteration).  XN_EINVAL for a first-order
 * optimizer or a NULL argument. */
XN_API xn_status xn_net_solver_report(const xn_net *net, xn_solver_report *out);

/* ---- training: gradient, then update ----------------------------------- */

/* Forward and backward over x (n, n0), y (n, nL): fills the gradient
 * buffers and *loss (may be NULL) for the current parameters.  XN_ENUMERIC
 * if the loss or a gradient is not finite (the buffers are filled all the
 * same). */
XN_API xn_status xn_net_gradient(xn_net *net, size_t n, const double *x,
                                 const double *y, double *loss);
/* A gradient summed over several calls: the n rows given are part of a
 * batch of `total` rows (total >= n), and their gradient, scaled for the
 * whole batch, is added to the buffers; after xn_net_zero_grads the first
 * call overwrites them.  Rows split over calls give the one-call gradient
 * to rounding (gradient accumulation, or shards summed across processes).
 * *loss (may be NULL) is these rows' share of the batch loss: the shares
 * add up to the loss.  XN_ENUMERIC if that share is not finite. */
XN_API void xn_net_zero_grads(xn_net *net);
XN_API xn_status xn_net_accumulate(xn_net *net, size_t n, const double *x,
                                   const double *y, size_t total, double *loss);
/* Applies the network's optimizer to whatever the gradient buffers hold.
 * XN_EINVAL for lm and lbfgs (they take whole iterations: train_step), on
 * a network never initialized, or before any gradient was
 * computed, set, zeroed or exposed by a writable view (created and loaded
 * networks alike).  XN_ENUMERIC, with the parameters and moments left as
 * they were, if a new value would not be finite. */
XN_API xn_status xn_net_update(xn_net *net);
/* One training step, gradient then update, with opt as the network's
 * optimizer from now on (a different kind resets the moments, new
 * hyper-parameters of the same kind keep them).  *loss (may be NULL) is
 * the loss before the update.  Allocates nothing once the workspace holds
 * n rows.  XN_ENUMERIC, with the parameters and the optimizer left as they
 * were, if the loss, a gradient or an updated parameter would not be
 * finite (when opt changes the kind, the old moments are reset even so, as
 * soon as the gradient is finite); any other error changes nothing. */
/* With lm or lbfgs it is one iteration of the solver on the n rows as the
 * whole batch (xn_net_solver_report says what it did), starting from the
 * objective and gradient computed afresh; *loss is the loss before it.  A
 * solver that stops (converged, mu_max, no step found) leaves the
 * parameters where they were: XN_OK, with the reason in the report.  The
 * L-BFGS pairs describe the objective of the rows given: pass the same
 * rows every step (xn_net_reset_opt before others).  XN_ENOMEM for an lm
 * problem past lm_max_bytes (the message gives both numbers). */
XN_API xn_status xn_net_train_step(xn_net *net, size_t n, const double *x,
                                   const double *y, const xn_opt *opt,
                                   double *loss);

/* The four XOR rows in binary-count order (0,0) (0,1) (1,0) (1,1) and their
 * targets 0 1 1 0: static, read-only. */
XN_API const double *xn_xor_inputs(void);   /* (4, 2) */
XN_API const double *xn_xor_targets(void);  /* (4, 1) */

/* ---- threads ------------------------------------------------------------
 * The library has no global mutable state.  Different networks may be used
 * from different threads at the same time, each network by one thread at a
 * time: every call on a network, evaluation included, writes its workspace
 * (give each reading thread its own xn_net_clone).  An xn_rng and an
 * xn_data belong to one thread the same way.
 *
 * A network runs a call's work on threads of its own beside the calling
 * thread: the products in slices of their columns, the passes between
 * them (bias, activation, loss, derivatives, bias sums) in slices of
 * rows, the optimizer's update and xn_fit's gather of a batch's rows in
 * slices too.  The slices follow the shapes alone, so the results are the
 * same to the bit on any number of threads; a call too small to gain
 * (XOR's step) runs on the calling thread alone.  Each slice of a product
 * is a BLAS call from the thread that runs it, so the BLAS must not start
 * threads of its own: set OpenBLAS to one thread (openblas_set_num_threads(1)
 * or OPENBLAS_NUM_THREADS=1), as the xornet program does.  While OpenBLAS
 * runs more threads, the products go whole to OpenBLAS from the calling
 * thread, and its threading rounds them differently from one thread (as
 * it always has).  Training several networks in parallel, give each one
 * thread (xn_net_set_threads(net, 1)), so T networks do not start T times
 * the machine's threads (a clone keeps its network's setting).  The
 * threads block every signal, wait asleep between calls and end with the
 * network; in a child forked from the process the network has none of
 * them, and runs each call on the calling thread alone, with the same
 * results. */

/* The threads a network may run on: 0 (the default) for as many as the
 * process may run on (its CPU affinity), else at most `threads` <=
 * XN_MAX_THREADS (XN_EINVAL above).  The threads start here or when the
 * workspace grows to a size that gains from them, never during a call; if
 * the system refuses a thread, the network runs on the calling thread,
 * with the same results. */
#define XN_MAX_THREADS 256
XN_API xn_status xn_net_set_threads(xn_net *net, size_t threads);
/* The most threads a call of the network runs on now, the caller included:
 * 1 for a network too small to gain from more (or whose threads could not
 * be started). */
XN_API size_t xn_net_threads(const xn_net *net);

/* ---- files ------------------------------------------------------------- */

/* Model files: the versioned text format of docs/model-format.md.  Saving
 * is atomic: a temporary file in the same folder is written, flushed to disk
 * and renamed over path, so a failure leaves any old file untouched; a
 * character device, a FIFO or /dev/stdout is written directly instead, and
 * a directory or block device refused (docs/robustness.md).  A network with
 * a non-finite parameter is refused (XN_ENUMERIC).  Numbers are written and
 * read with '.' whatever LC_NUMERIC the host has set.  Loading is strict
 * and all-or-nothing (a text must end in a newline: one cut short is
 * refused); err (may be NULL) says where it failed, and after a load names
 * the "sizes" line, for a caller's message about a network that does not
 * fit its data.  The library handles no signal: one that ends the program
 * during a save may leave the temporary file, unless the program defers it
 * until the save returns (as xornet does).  XN_EINVAL (NULL arguments),
 * XN_EIO, XN_EFORMAT, XN_ENOMEM. */
XN_API xn_status xn_net_save(const xn_net *net, const char *path, xn_error *err);
XN_API xn_status xn_net_load(xn_net **out, const char *path, xn_error *err);
/* The same reader over a text in memory (len bytes, need not end in NUL). */
XN_API xn_status xn_net_parse(xn_net **out, const char *text, size_t len,
                              xn_error *err);

/* A training set: x (n, in) and y (n, out), row-major, owned.  line (n),
 * owned too, is the file line each row was read from (a FANN pair's input
 * line), so later checks can name it; NULL for data not read from a text
 * file. */
typedef struct {
    size_t n, in, out;
    double *x;
    double *y;
    size_t *line;
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

/* Limits of the IDX readers and of one-hot targets, checked before anything
 * is allocated: an IDX file holds at most XN_DATA_MAX_VALUES values, one-hot
 * targets (n, K) at most XN_DATA_MAX_VALUES values and K at most
 * XN_DATA_MAX_CLASSES columns. */
#define XN_DATA_MAX_VALUES ((size_t)1 << 30)   /* 8 GiB of doubles */
#define XN_DATA_MAX_CLASSES ((size_t)1 << 16)

/* IDX files, the format of MNIST and its family (docs/data-format.md),
 * plain or gzip-compressed (told apart by their first two bytes), read in
 * two calls so that every message is about one file:
 *   xn_data_load_idx_images  an image file (n, d1, d2, ...) as inputs x
 *       (n, d1*d2*...), the raw values as doubles (0..255 for MNIST's
 *       bytes); d has no targets yet (out 0, y NULL).  On failure d is empty.
 *   xn_data_load_idx_labels  a label file of n integers as one-hot targets
 *       y (n, K) of the images already in d, K = classes, or the largest
 *       label + 1 when classes is 0.  XN_EINVAL if d holds no images or
 *       already has targets; XN_EFORMAT if the file's count is not d->n or
 *       a label is not below K.  On failure d is as it was.
 * Messages name the byte offset of the uncompressed IDX data, or the item
 * (0-based index) where that helps; err->line is 0.  The files are read
 * whole (at most 8 GiB, as for text files) and arrays are sized only once
 * the data they hold has been read.  XN_EIO, XN_EFORMAT, XN_ENOMEM,
 * XN_EINVAL.  The parse functions read len bytes in memory the same way. */
XN_API xn_status xn_data_load_idx_images(xn_data *d, const char *path, xn_error *err);
XN_API xn_status xn_data_load_idx_labels(xn_data *d, const char *path, size_t classes,
                                         xn_error *err);
XN_API xn_status xn_data_parse_idx_images(xn_data *d, const void *bytes, size_t len,
                                          xn_error *err);
XN_API xn_status xn_data_parse_idx_labels(xn_data *d, const void *bytes, size_t len,
                                          size_t classes, xn_error *err);

/* An IDX file's header, read without its values: a caller checks a file's
 * shape (its width against a model's inputs, a label file's count against
 * the images') before a data set of that size is inflated and read.  type
 * is the type code: 0x08 unsigned byte, 0x09 signed byte, 0x0b short, 0x0c
 * int, 0x0d float, 0x0e double. */
typedef struct {
    int type;
    size_t ndim;    /* dimensions, 1..255 */
    size_t items;   /* the first dimension: images, or labels */
    size_t item;    /* values an item: the product of the other dimensions
                       (1 for a label file) */
} xn_idx_header;
/* Reads only the header of an IDX file (of a gzip file, only as much of
 * the stream as the header takes is inflated) and checks it as the data
 * readers do: the magic number, a known type, no dimension 0, at most
 * XN_DATA_MAX_VALUES values.  Messages as the readers'.  XN_EIO,
 * XN_EFORMAT, XN_ENOMEM, XN_EINVAL.  The parse function reads len bytes in
 * memory the same way. */
XN_API xn_status xn_idx_read_header(const char *path, xn_idx_header *h, xn_error *err);
XN_API xn_status xn_idx_parse_header(const void *bytes, size_t len, xn_idx_header *h, xn_error *err);

/* Class ids: one target column of whole numbers 0..K-1 read as one-hot
 * targets (n, K), for a softmax output.  classes 0 means K = largest id + 1
 * (pass the network's output count when the file may miss a class).
 * xn_data_load_classes and xn_data_parse_classes read CSV or FANN data like
 * xn_data_load with one target column, and refuse an id that is not a whole
 * number in [0, K) with its line.  xn_data_classes_to_onehot converts the
 * one-column targets of d in place, naming the 1-based row of a bad id (line
 * 0); on failure d is as it was.  XN_EFORMAT, XN_ENOMEM, XN_EIO; XN_EINVAL
 * for classes over XN_DATA_MAX_CLASSES or targets that are not one column. */
XN_API xn_status xn_data_load_classes(xn_data *d, const char *path, size_t classes,
                                      xn_error *err);
XN_API xn_status xn_data_parse_classes(xn_data *d, const char *text, size_t len,
                                       size_t classes, xn_error *err);
XN_API xn_status xn_data_classes_to_onehot(xn_data *d, size_t classes, xn_error *err);
/* Whether d's targets look like class ids: one column of whole numbers
 * >= 0 and below XN_DATA_MAX_CLASSES.  Returns the class count (largest id
 * + 1) if so, else 0.  Whole-number regression targets look the same: use
 * it for hints, not to decide. */
XN_API size_t xn_data_class_count(const xn_data *d);

/* ---- what a data set's targets are -------------------------------------- */

/* The kinds of targets, as scikit-learn's type_of_target names them:
 *   MULTICLASS   one of K >= 3 classes a row (or K >= 2 one-hot columns):
 *                targets (n, K) one-hot, for a softmax with cce
 *   BINARY       one of 2 classes: targets (n, 1) 0 for the first label,
 *                1 for the second, for a sigmoid with bce
 *   MULTILABEL   several 0/1 columns, any number of them 1: (n, K), for
 *                sigmoids with bce
 *   REGRESSION   numbers: (n, k) as they are, for an identity output */
typedef enum { XN_TARGETS_MULTICLASS, XN_TARGETS_BINARY, XN_TARGETS_MULTILABEL,
               XN_TARGETS_REGRESSION } xn_targets;
/* Whether a first line is a header, and what the targets are to be. */
typedef enum { XN_HEADER_AUTO, XN_HEADER_YES, XN_HEADER_NO } xn_header;
typedef enum { XN_TASK_AUTO, XN_TASK_CLASSIFY, XN_TASK_REGRESS } xn_task_choice;
XN_API const char *xn_targets_name(xn_targets t);       /* multiclass binary multilabel regression */
XN_API const char *const *xn_targets_names(size_t *count);
XN_API xn_status xn_targets_parse(const char *name, xn_targets *out);
XN_API const char *xn_header_name(xn_header h);         /* auto yes no */
XN_API const char *const *xn_header_names(size_t *count);
XN_API xn_status xn_header_parse(const char *name, xn_header *out);
XN_API const char *xn_task_choice_name(xn_task_choice t); /* auto classify regress */
XN_API const char *const *xn_task_choice_names(size_t *count);
XN_API xn_status xn_task_choice_parse(const char *name, xn_task_choice *out);

/* The rule for one column of numbers: whole numbers with at most this many
 * distinct values are classes, anything else a regression (counts, prices,
 * abalone's 28 ages are numbers).  XN_TASK_CLASSIFY and XN_TASK_REGRESS
 * decide otherwise. */
#define XN_CLASS_RULE 20

/* How to read a data set (zero is the default of every field). */
typedef struct {
    xn_header header;     /* AUTO: line 1 is a header when a column holds a
                             word there and numbers below it, when all of
                             it is words, or when it is 0,1,...,c-1 with c
                             >= 4 (pandas' column numbers) */
    const char *target;   /* the target columns: header names or 1-based
                             column numbers, comma-separated ("species",
                             "y1,y2,y3", "5"); NULL: the last K columns for
                             outputs K, else the trailing columns a header
                             numbers alike (y1,y2,y3 after a,b,c), else the
                             last column */
    size_t outputs;       /* 0 (or XN_OUTPUTS_DEFAULT): by target or the
                             rule; K: the last K columns */
    xn_task_choice task;
    size_t classes;       /* class ids: whole numbers 0..classes-1 are the
                             classes, present or not (0: the values seen) */
    size_t n_labels;      /* read the targets as these classes (a model's):  */
    const char *const *labels; /* a value outside them is an error at its line */
    bool onehot_binary;   /* with labels: 2 classes as 2 one-hot columns (a
                             softmax), not one 0/1 column (a sigmoid) */
} xn_read_opts;

/* What was read.  Owned arrays: xn_description_free releases them. */
typedef struct {
    xn_targets kind;
    size_t classes;       /* MULTICLASS, BINARY: the classes; MULTILABEL: the
                             label columns; REGRESSION: 0 */
    char **labels;        /* (classes) as the data name them, sorted (numbers
                             by value, words by bytes), or NULL */
    bool header;          /* line 1 was a header (a CSV's) */
    bool numbered_header; /*   of pandas' column numbers */
    size_t index_column;  /* 1 if the first column was pandas' index and was
                             left out, else 0 */
    size_t columns;       /* the file's columns (0 for FANN and IDX) */
    size_t n_targets;     /* target columns, at 1-based target_columns */
    size_t *target_columns;
    char **target_names;  /* (n_targets) from the header, or NULL */
    char rule[200];       /* why the targets are what they are, one line:
                             "3 distinct words", "28 distinct whole numbers,
                             more than 20: a regression" */
} xn_description;
XN_API void xn_description_free(xn_description *desc);

/* Reads a CSV (a header or not, an index column or not, targets anywhere)
 * or a FANN file and says what its targets are: d holds the inputs and the
 * targets made for desc->kind (see xn_targets), desc how they were read.
 * A CSV's target columns may hold words ("setosa"); input columns hold
 * numbers.  Errors name the line: a bad number, a label outside o->labels,
 * a class count over XN_DATA_MAX_CLASSES, one class only.  o may be NULL.
 * On failure d and desc are empty.  XN_EIO, XN_EFORMAT, XN_ENOMEM,
 * XN_EINVAL (a target name or column that is not there: err->setting
 * "target"). */
XN_API xn_status xn_data_read(xn_data *d, xn_description *desc, const char *path, const xn_read_opts *o,
                              xn_error *err);
XN_API xn_status xn_data_read_text(xn_data *d, xn_description *desc, const char *text, size_t len,
                                   const xn_read_opts *o, xn_error *err);
/* The same description for targets already read as numbers (FANN, IDX,
 * arrays): d's targets are replaced by those of desc->kind. */
XN_API xn_status xn_data_describe(xn_data *d, xn_description *desc, const xn_read_opts *o, xn_error *err);

/* ---- training on a data set -------------------------------------------- */

/* Classification (a sigmoid or softmax output: accuracy is the metric) or
 * regression (any other output: RMSE). */
typedef enum { XN_TASK_CLASSIFICATION, XN_TASK_REGRESSION } xn_task;
XN_API xn_task xn_net_task(const xn_net *net);

/* The learning rate of epoch e (0-based) from the optimizer's rate lr:
 *   constant     lr
 *   step         lr * gamma^floor(e / lr_step)
 *   exponential  lr * gamma^e
 *   cosine       lr_min + (lr - lr_min) (1 + cos(pi e / epochs)) / 2 */
typedef enum { XN_SCHEDULE_CONSTANT, XN_SCHEDULE_STEP, XN_SCHEDULE_EXPONENTIAL,
               XN_SCHEDULE_COSINE } xn_schedule;
XN_API const char *xn_schedule_name(xn_schedule s);   /* constant step exponential cosine */
XN_API const char *const *xn_schedule_names(size_t *count);
XN_API xn_status xn_schedule_parse(const char *name, xn_schedule *out);

/* Where a run stands after an epoch: enough, with the network, its
 * optimizer state and the shuffling stream, to resume it exactly. */
typedef struct {
    size_t epoch;       /* epochs completed */
    size_t best_epoch;  /* the epoch with the best watched loss so far (0: none) */
    size_t wait;        /* epochs since it */
    double best_loss;   /* its loss (infinity before the first epoch) */
    double lr0;         /* the run's base learning rate, before any schedule */
} xn_fit_state;

/* What a run reports after each epoch (and each batch, with on_batch). */
typedef struct {
    size_t epoch, epochs;  /* the epoch (1-based) and how many are planned */
    size_t batch, batches; /* batches done in it, of how many */
    xn_task task;
    double loss;           /* the epoch's training loss: the mean of its batches'
                              losses, each taken before its update, weighted by
                              their rows (Keras' "loss"); on_batch: the batch's */
    double penalty;        /* the l2 penalty's part of loss (0 without one) */
    double metric;         /* accuracy or RMSE over the epoch's batches, likewise */
    double val_loss, val_metric; /* on the validation rows after the epoch; NaN
                                    without them */
    double lr;             /* the learning rate of the epoch */
    double seconds;        /* the epoch's wall-clock time */
    size_t best_epoch;     /* the epoch early stopping would keep */
    const xn_fit_state *state;     /* for a checkpoint */
    const void *best_params;       /* (P, the network's type) the best epoch's
                                      weights, or NULL */
} xn_progress;

/* Called after an epoch (or batch) with the user pointer: nonzero stops the
 * run (in a data-parallel run, any rank's stop stops every rank).  It may
 * evaluate the network (predict, eval_loss) but not change it, except for
 * its learning rate (xn_net_set_lr) in a run with callback_lr. */
typedef int (*xn_fit_callback)(const xn_progress *p, void *user);
/* Sums v (n values of the type: a batch's gradient in the network's, its
 * loss and metric sums in XN_FLOAT64) across the processes of a
 * data-parallel run, in place, leaving the same bits on every process; 0
 * on success. */
typedef int (*xn_reduce_fn)(void *v, size_t n, xn_dtype type, void *ctx);

/* A setting every process of a data-parallel run must share, compared by
 * xn_fit before its first sum (xn_fit_config.settings): a name, and a
 * value read as the kind says in the message of a difference. */
typedef enum {
    XN_SETTING_COUNT,      /* "rank 1 has 150 training rows, rank 0 has 120" */
    XN_SETTING_NUMBER,     /* "rank 1 has seed 2, rank 0 has 1" */
    XN_SETTING_REAL,       /* a double's bits: "rank 1 has lr 0.1, rank 0 has 0.01" */
    XN_SETTING_SWITCH,     /* 0 or 1: "rank 1 has check-ranks on, rank 0 has it off" */
    XN_SETTING_FINGERPRINT /* a hash: "rank 1 has other training data than rank 0" */
} xn_setting_kind;
typedef struct {
    const char *name;
    xn_setting_kind kind;
    uint64_t value;
} xn_setting;
/* A caller adds at most this many settings of its own. */
#define XN_FIT_MAX_SETTINGS 16
/* The bits of v as a setting's value (XN_SETTING_REAL), and a fingerprint
 * of len bytes at p folded into h (start from 0), for a setting of data
 * the caller holds: equal bytes give equal fingerprints on every machine
 * of the same byte order. */
XN_API uint64_t xn_setting_real(double v);
XN_API uint64_t xn_fingerprint(uint64_t h, const void *p, size_t len);

/* Which rows val_split holds out:
 *   AUTO        STRATIFIED for a classifier of one class a row (a softmax or
 *               one sigmoid output), RANDOM for any other network
 *   STRATIFIED  at random, each class in proportion (scikit-learn's
 *               early_stopping holds out the same way)
 *   RANDOM      at random
 *   LAST        the last rows, before any shuffling (Keras'
 *               validation_split; a file sorted by class then validates on
 *               classes training never sees)
 * The random splits draw one permutation of the rows from NumPy's stream
 * seeded with split_seed, so a run (and a resumed run) repeats its split. */
typedef enum { XN_SPLIT_AUTO, XN_SPLIT_STRATIFIED, XN_SPLIT_RANDOM, XN_SPLIT_LAST } xn_split;
XN_API const char *xn_split_name(xn_split s);  /* auto stratified random last */
XN_API const char *const *xn_split_names(size_t *count);
XN_API xn_status xn_split_parse(const char *name, xn_split *out);

/* Fill with designated initializers; zero is the default of every field. */
typedef struct {
    size_t epochs;            /* >= 1 */
    size_t batch;             /* rows a step; 0 (or at least the rows) means
                                 the whole set, one step an epoch */
    bool shuffle;             /* a new order every epoch, drawn from rng
                                 exactly as np.random.permutation(n) (NumPy
                                 stream) or random.shuffle (Python stream) */
    bool reshuffle;           /* with shuffle: the new order is the last
                                 epoch's shuffled (xn_rng_shuffle), the first
                                 0..n-1's, as scikit-learn's MLP shuffles its
                                 sample index; not with resume */
    xn_rng *rng;              /* the stream, after the initializer's draws */
    const xn_data *val;       /* validation rows, or NULL for: */
    double val_split;         /* the fraction of the rows held out, by split */
    xn_split split;
    uint64_t split_seed;      /* below 2^32 */
    bool standardize;         /* first set the network's standardization from
                                 the training rows (xn_column_stats) */
    bool standardize_targets; /* and its targets' (identity outputs only) */
    size_t patience;          /* stop after this many epochs without a watched
                                 loss (validation, else training) lower by more
                                 than min_delta; 0: never */
    double min_delta;
    bool restore_best;        /* with patience: end with the best epoch's weights */
    xn_schedule schedule;
    bool callback_lr;         /* the rate is the callbacks' to set (xn_net_set_lr)
                                 for the batches after: xn_fit applies no
                                 schedule (it must be constant) and leaves
                                 the rate as they set it */
    double lr_gamma;          /* step, exponential: the factor, in (0, 1] */
    size_t lr_step;           /* step: epochs a step */
    double lr_min;            /* cosine: the last rate, in [0, lr) */
    bool stop_at_target;      /* stop once the loss of the training rows,
                                 evaluated after an epoch, is at or below: */
    double target_loss;
    xn_fit_callback on_epoch, on_batch;
    void *user;
    xn_reduce_fn reduce;      /* data parallelism: ranks > 1 processes, this */
    void *reduce_ctx;         /* one rank; each computes its contiguous slice */
    size_t rank, ranks;       /* of every batch and of the validation rows */
    const xn_setting *settings; /* the caller's own settings the ranks must */
    size_t n_settings;        /* share (at most XN_FIT_MAX_SETTINGS), compared
                                 with xn_fit's own */
    const xn_fit_state *resume;   /* continue a checkpointed run */
    const void *resume_best;      /* and its best weights (P, the network's
                                     type), or NULL */
} xn_fit_config;

/* The configuration's own rules, checked by xn_fit before it starts (the
 * data and network are checked there too): epochs >= 1, a stream to
 * shuffle with, val_split in [0, 1), min_delta >= 0, the schedule's
 * lr_step >= 1, lr_gamma in (0, 1] and lr_min in [0, lr) for the
 * optimizer's rate lr, a reduce hook for ranks > 1, a resumed run within
 * its epochs.  XN_OK, or XN_EINVAL with err (may be NULL) naming the field
 * (err->setting, e.g. "val_split") and why. */
XN_API xn_status xn_fit_check(const xn_fit_config *cfg, double lr, xn_error *err);
/* What the optimizer opt asks of a run on `rows` training rows (those left
 * after a validation split): nothing for the first-order ones; lm and
 * lbfgs need batch 0 or at least the rows, no shuffling, a constant
 * schedule and one rank.  XN_OK, or XN_EINVAL with err (may be NULL)
 * naming the field ("batch", "shuffle", "schedule", "ranks") and why. */
XN_API xn_status xn_fit_check_solver(const xn_fit_config *cfg, const xn_opt *opt, size_t rows,
                                     xn_error *err);

/* The defaults xornet gives a data set (`xornet train --data`), decided
 * once here from the rows and what their targets are (xn_description):
 *   network  inputs-100-outputs, relu, then the targets' output and loss:
 *            softmax and cce for MULTICLASS, sigmoid and bce for BINARY and
 *            MULTILABEL, identity and mse for REGRESSION
 *   weights  Glorot uniform in row order from NumPy's stream, biases zero.
 *            One input is the exception: Glorot's limit for fan-in 1,
 *            sqrt(6 / 101), gives each unit a slope so small that it is
 *            nearly linear over the inputs and every kink sits at 0 (zero
 *            biases); He uniform (limit sqrt(6)) with biases drawn alike
 *            spreads the kinks over the standardized range: on 400 noisy
 *            samples of sin(3x) + 0.3x, validation R^2 0.94-0.97 over seeds
 *            1-5 in 200 epochs, against 0.72-0.85 for Glorot's with zero
 *            biases and 0.82-0.91 with drawn ones (docs/training.md)
 *   steps    Adam at 0.001 (xn_opt_default)
 *   fit      200 epochs of shuffled batches of 32; inputs standardized, a
 *            regression's targets too; without validation rows of their own
 *            (has_val), a fifth of a set of 50 rows or more held out by the
 *            AUTO split; early stopping after 20 epochs without a better
 *            validation loss, the best weights kept.
 * d may be NULL (the defaults before the data are known: one input taken
 * as many, val_split 0.2).  The fit's rng, split_seed, callbacks and
 * validation rows are the caller's to set. */
typedef struct {
    size_t n_layers;
    size_t sizes[3];
    xn_act acts[2];
    xn_loss loss;
    xn_init init;
    xn_order order;
    xn_bias_init bias;
    xn_rng_kind rng;
    xn_opt opt;
    xn_fit_config fit;
} xn_plan;
XN_API void xn_plan_defaults(xn_plan *p, const xn_data *d, xn_targets kind, bool has_val);

/* The rows cfg's split gives a run on d: the training rows' indices into
 * train (d->n), *n_train of them, and the held-out ones into val (d->n),
 * *n_val, each ascending; with cfg->val (rows of their own) every row
 * trains.  XN_EINVAL as xn_fit_check, XN_EDIM if no training row is left,
 * XN_ENOMEM. */
XN_API xn_status xn_fit_split(const xn_net *net, const xn_data *d, const xn_fit_config *cfg, size_t *train,
                              size_t *n_train, size_t *val, size_t *n_val);

/* The rate cfg's schedule gives epoch `epoch` (0-based) of a run whose
 * optimizer rate is lr0 (lr0 itself for a NULL cfg). */
XN_API double xn_schedule_lr(const xn_fit_config *cfg, double lr0, size_t epoch);

typedef struct {
    size_t epochs;           /* epochs completed */
    size_t best_epoch;       /* the epoch with the best watched loss */
    bool restored;           /* the weights are that epoch's */
    bool stopped_early;      /* by patience */
    bool stopped_by_callback;
    size_t val_unseen;       /* classes among the validation rows that no
                                training row has (a classifier's) */
    bool reached_target;     /* by stop_at_target, with that loss: */
    double target_epoch_loss;
    double loss, metric, val_loss, val_metric; /* of the last epoch */
    xn_stop stop;            /* lm and lbfgs: why the solver ended the run
                                (XN_STOP_MAX_ITER: the epochs ran out);
                                XN_STOP_NONE for the first-order optimizers */
    size_t bad_row;          /* a refusal about one training row (a value too
                                large to standardize): its index + 1, for a
                                caller to name its line; else 0 */
} xn_fit_result;

/* Trains net on data with the network's optimizer (xn_net_set_opt):
 * epochs of batches, each one optimizer step on the mean loss of its rows.
 * res (may be NULL) says how it ended.  It allocates before the first
 * batch and never after.  XN_EINVAL, XN_EDIM (a bad configuration, in
 * xn_net_error), XN_ENOMEM, XN_ENUMERIC (training diverged: the network
 * keeps the last good step), XN_EIO (the reduce hook failed).
 * A data-parallel run (ranks > 1) first compares, in one sum through the
 * hook, what every rank was given: the outcome of its own checks and
 * allocations, the network's shape and type, its weights and optimizer
 * state, the rows and a fingerprint of the training and validation data,
 * every option that steers the loop, the callbacks installed (each adds
 * sums of its own), the resumed state and the caller's settings.  Any
 * difference fails every rank alike, before any step, with XN_EINVAL (or
 * the status of the lowest rank whose checks failed) and one line naming
 * the first setting that differs and the ranks ("fit: rank 1 has 150
 * training rows, rank 0 has 120"); every rank makes the same sums in the
 * same order, whatever happens, so none waits for another.
 *
 * With lm or lbfgs an epoch is one iteration of the solver on the whole
 * training set, in order: batch 0 (or at least the rows), no shuffling, a
 * constant rate and one process are required (XN_EINVAL naming the
 * setting otherwise); epochs is the iteration limit (scikit-learn's
 * max_iter), and the run ends early when the solver stops (res->stop).
 * The epoch's loss and metric are those before its iteration, as for a
 * whole-batch first-order step. */
XN_API xn_status xn_fit(xn_net *net, const xn_data *data, const xn_fit_config *cfg,
                        xn_fit_result *res);

/* Rows a caller holds, borrowed for one call: x (n, in) and y (n, out),
 * row-major, of doubles (XN_FLOAT64) or floats (XN_FLOAT32). */
typedef struct {
    size_t n, in, out;
    xn_dtype dtype;
    const void *x, *y;
} xn_rows;
/* xn_fit over rows the caller holds, without copying them: float64 rows
 * for any network, float32 rows for a float32 network (XN_EINVAL
 * otherwise), read in place where a batch is in order and needs no
 * standardization, else gathered batch by batch.  Float32 rows are trained
 * on as they are: a validation split, standardize, standardize_targets and
 * stop_at_target need float64 rows (XN_EINVAL; a val set of doubles, and a
 * network's own standardization, serve). */
XN_API xn_status xn_fit_rows(xn_net *net, const xn_rows *data, const xn_fit_config *cfg,
                             xn_fit_result *res);

/* A checkpoint: a model file that also holds the optimizer's state and
 * moments, the run's state, the shuffling stream and the best weights, so
 * xn_fit resumes a run exactly where it was saved (the same final weights,
 * to the bit, as a run never stopped).  xn_checkpoint_save needs a network
 * with a training state; xn_checkpoint_load gives the network back with it
 * and fills ck; ck->best is malloc'd (the caller frees it) or NULL.
 * xn_net_load reads a checkpoint as a model. */
typedef struct {
    xn_fit_state fit;
    xn_rng rng;
    void *best;     /* (P, the network's type) the best epoch's weights, or NULL */
} xn_checkpoint;
XN_API xn_status xn_checkpoint_save(const xn_net *net, const xn_checkpoint *ck, const char *path,
                                    xn_error *err);
XN_API xn_status xn_checkpoint_load(xn_net **out, xn_checkpoint *ck, const char *path,
                                    xn_error *err);

/* A uniformly random permutation perm (n) of 0..n-1 drawn from rng as
 * np.random.permutation(n) does on a legacy RandomState (NumPy stream) or
 * random.shuffle(list(range(n))) (Python stream). */
XN_API xn_status xn_rng_permutation(xn_rng *rng, size_t n, size_t *perm);
/* Shuffles perm (n) in place, by the same draws: perm[p[i]] for the p
 * that xn_rng_permutation would draw, as RandomState.shuffle(perm) and
 * random.shuffle(perm) do (and sklearn.utils.shuffle of an index). */
XN_API xn_status xn_rng_shuffle(xn_rng *rng, size_t n, size_t *perm);

#ifdef __cplusplus
}
#endif

#endif
