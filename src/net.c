/* The network: creation, forward pass, loss, backward pass and the
 * optimizers' updates, all over whole batches.
 *
 * Layout.  Parameters, gradients and the two optimizer moments live in one
 * allocation of 4*P doubles cut into four vectors of P; inside each, layer l
 * holds W_l (n_{l-1}, n_l) then b_l (n_l).  The workspace, sized for `cap`
 * rows, holds A_l (cap, n_l) for l = 1..L, the output pre-activations
 * Z_L (cap, n_L) and two delta buffers (cap, max n_l) used in turn.
 *
 * Two ways through a step.  With the naive kernel every formula is its own
 * pass (the specification).  Otherwise a layer of width 1 is folded into the
 * passes around it: its forward product joins the previous layer's bias and
 * activation pass, and its backward products (an outer product and a
 * matrix-vector product) join the activation-derivative pass, so the
 * (n, n_{l-1}) matrix is read once instead of three times.  Both ways sum
 * in the same order, so they agree to the last bit where the products do. */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct xn_net {
    size_t L;
    size_t sizes[XN_MAX_LAYERS + 1];
    xn_act acts[XN_MAX_LAYERS + 1]; /* acts[l], l = 1..L */
    xn_loss loss;
    xn_kernel kernel;
    size_t nparams;
    size_t woff[XN_MAX_LAYERS + 1], boff[XN_MAX_LAYERS + 1];
    double *store;                  /* (4 * nparams) */
    double *params, *grads, *m, *v; /* views into store, (nparams) each */
    uint64_t adam_t;
    size_t max_width;               /* max n_l over l = 1..L */
    size_t cap;                     /* workspace rows */
    double *ws;
    double *a[XN_MAX_LAYERS + 1];   /* A_l (cap, n_l), l = 1..L */
    double *zout;                   /* Z_L (cap, n_L) */
    double *delta[2];               /* (cap, max_width) each */
};

/* ---- creation ---------------------------------------------------------- */

static bool act_valid(xn_act a) { return a >= XN_ACT_IDENTITY && a <= XN_ACT_SOFTMAX; }

static xn_status check_config(const xn_net_config *cfg, size_t *nparams)
{
    if (!cfg || !cfg->sizes || !cfg->acts)
        return XN_EINVAL;
    if (cfg->n_layers == 0)
        return XN_EDIM;
    if (cfg->n_layers > XN_MAX_LAYERS)
        return XN_ENOMEM;
    if (cfg->loss < XN_LOSS_MSE || cfg->loss > XN_LOSS_CCE)
        return XN_EINVAL;
    if (cfg->kernel < XN_KERNEL_AUTO || cfg->kernel > XN_KERNEL_NAIVE)
        return XN_EINVAL;
    size_t L = cfg->n_layers, total = 0;
    for (size_t i = 0; i <= L; i++)
        if (cfg->sizes[i] == 0)
            return XN_EDIM;
    for (size_t l = 1; l <= L; l++) {
        size_t w, layer;
        /* BLAS takes int dimensions */
        if (cfg->sizes[l - 1] > INT_MAX || cfg->sizes[l] > INT_MAX)
            return XN_ENOMEM;
        if (!xn_mul_ok(cfg->sizes[l - 1], cfg->sizes[l], &w) ||
            !xn_add_ok(w, cfg->sizes[l], &layer) || !xn_add_ok(total, layer, &total))
            return XN_EDIM;
        xn_act a = cfg->acts[l - 1];
        if (!act_valid(a) || (a == XN_ACT_SOFTMAX && l != L))
            return XN_EINVAL;
    }
    if (total > XN_MAX_PARAMS)
        return XN_ENOMEM;
    xn_act out = cfg->acts[L - 1];
    /* the cross-entropies need outputs in (0, 1) from their own activation */
    if (cfg->loss == XN_LOSS_BCE && out != XN_ACT_SIGMOID)
        return XN_EINVAL;
    if (cfg->loss == XN_LOSS_CCE && out != XN_ACT_SOFTMAX)
        return XN_EINVAL;
    if (out == XN_ACT_SOFTMAX && cfg->sizes[L] < 2) /* a constant 1 */
        return XN_EINVAL;
    *nparams = total;
    return XN_OK;
}

xn_status xn_net_create(xn_net **out, const xn_net_config *cfg)
{
    if (!out)
        return XN_EINVAL;
    *out = NULL;
    size_t nparams = 0;
    xn_status s = check_config(cfg, &nparams);
    if (s != XN_OK)
        return s;
    xn_net *net = calloc(1, sizeof *net);
    if (!net)
        return XN_ENOMEM;
    net->L = cfg->n_layers;
    net->loss = cfg->loss;
    net->kernel = cfg->kernel;
    net->nparams = nparams;
    size_t off = 0;
    for (size_t i = 0; i <= net->L; i++)
        net->sizes[i] = cfg->sizes[i];
    for (size_t l = 1; l <= net->L; l++) {
        net->acts[l] = cfg->acts[l - 1];
        net->woff[l] = off;
        net->boff[l] = off + net->sizes[l - 1] * net->sizes[l];
        off = net->boff[l] + net->sizes[l];
        if (net->sizes[l] > net->max_width)
            net->max_width = net->sizes[l];
    }
    net->store = calloc(4 * nparams, sizeof *net->store);
    if (!net->store) {
        free(net);
        return XN_ENOMEM;
    }
    net->params = net->store;
    net->grads = net->store + nparams;
    net->m = net->store + 2 * nparams;
    net->v = net->store + 3 * nparams;
    s = xn_net_reserve(net, cfg->max_batch ? cfg->max_batch : 4);
    if (s != XN_OK) {
        xn_net_destroy(net);
        return s;
    }
    *out = net;
    return XN_OK;
}

void xn_net_destroy(xn_net *net)
{
    if (!net)
        return;
    free(net->ws);
    free(net->store);
    free(net);
}

xn_status xn_net_reserve(xn_net *net, size_t max_batch)
{
    if (!net)
        return XN_EINVAL;
    if (max_batch == 0)
        return XN_EDIM;
    if (max_batch <= net->cap)
        return XN_OK;
    if (max_batch > INT_MAX)
        return XN_ENOMEM;
    /* doubles per row: every A_l, Z_L and the two delta buffers */
    size_t per_row = net->sizes[net->L] + 2 * net->max_width, total;
    for (size_t l = 1; l <= net->L; l++)
        per_row += net->sizes[l];
    if (!xn_mul_ok(per_row, max_batch, &total) || total > SIZE_MAX / sizeof(double))
        return XN_ENOMEM;
    double *ws = malloc(total * sizeof *ws);
    if (!ws)
        return XN_ENOMEM;
    free(net->ws);
    net->ws = ws;
    net->cap = max_batch;
    for (size_t l = 1; l <= net->L; l++) {
        net->a[l] = ws;
        ws += max_batch * net->sizes[l];
    }
    net->zout = ws;
    ws += max_batch * net->sizes[net->L];
    net->delta[0] = ws;
    net->delta[1] = ws + max_batch * net->max_width;
    return XN_OK;
}

xn_status xn_net_clone(xn_net **out, const xn_net *net)
{
    if (!out)
        return XN_EINVAL;
    *out = NULL;
    if (!net)
        return XN_EINVAL;
    xn_net_config cfg = {net->L, net->sizes, net->acts + 1, net->loss, net->cap, net->kernel};
    xn_status s = xn_net_create(out, &cfg);
    if (s != XN_OK)
        return s;
    memcpy((*out)->store, net->store, 4 * net->nparams * sizeof *net->store);
    (*out)->adam_t = net->adam_t;
    return XN_OK;
}

/* ---- accessors --------------------------------------------------------- */

size_t xn_net_layers(const xn_net *net) { return net ? net->L : 0; }
size_t xn_net_size(const xn_net *net, size_t i) { return net && i <= net->L ? net->sizes[i] : 0; }
xn_act xn_net_act(const xn_net *net, size_t l)
{
    return net && l >= 1 && l <= net->L ? net->acts[l] : XN_ACT_IDENTITY;
}
xn_loss xn_net_loss(const xn_net *net) { return net ? net->loss : XN_LOSS_MSE; }
xn_kernel xn_net_kernel(const xn_net *net) { return net ? net->kernel : XN_KERNEL_AUTO; }
void xn_net_set_kernel(xn_net *net, xn_kernel k)
{
    if (net && k >= XN_KERNEL_AUTO && k <= XN_KERNEL_NAIVE)
        net->kernel = k;
}
size_t xn_net_param_count(const xn_net *net) { return net ? net->nparams : 0; }

static bool layer_ok(const xn_net *net, size_t l) { return net && l >= 1 && l <= net->L; }

double *xn_net_weights(xn_net *net, size_t l) { return layer_ok(net, l) ? net->params + net->woff[l] : NULL; }
double *xn_net_bias(xn_net *net, size_t l) { return layer_ok(net, l) ? net->params + net->boff[l] : NULL; }
const double *xn_net_dweights(const xn_net *net, size_t l)
{
    return layer_ok(net, l) ? net->grads + net->woff[l] : NULL;
}
const double *xn_net_dbias(const xn_net *net, size_t l)
{
    return layer_ok(net, l) ? net->grads + net->boff[l] : NULL;
}
double *xn_net_params(xn_net *net) { return net ? net->params : NULL; }
const double *xn_net_grads(const xn_net *net) { return net ? net->grads : NULL; }

/* ---- initialization ---------------------------------------------------- */

static double draw(xn_init init, size_t in, size_t out, xn_rng *rng)
{
    double limit, sd;
    switch (init) {
    case XN_INIT_GLOROT_UNIFORM:
        limit = sqrt(6.0 / (double)(in + out));
        break;
    case XN_INIT_HE_UNIFORM:
        limit = sqrt(6.0 / (double)in);
        break;
    case XN_INIT_GLOROT_NORMAL:
        sd = sqrt(2.0 / (double)(in + out));
        return xn_rng_normal(rng) * sd;
    case XN_INIT_HE_NORMAL:
        sd = sqrt(2.0 / (double)in);
        return xn_rng_normal(rng) * sd;
    case XN_INIT_NORMAL:
        return xn_rng_normal(rng);
    case XN_INIT_UNIFORM:
        return xn_rng_uniform(rng);
    default:
        return 0.0;
    }
    /* random.uniform(a, b) = a + (b - a) * random() */
    return -limit + (limit - -limit) * xn_rng_uniform(rng);
}

xn_status xn_net_init(xn_net *net, xn_init init, xn_order order,
                      xn_bias_init bias, xn_rng *rng)
{
    if (!net || !rng || init < XN_INIT_GLOROT_UNIFORM || init > XN_INIT_ZEROS ||
        (order != XN_ORDER_ROW && order != XN_ORDER_NEURON) ||
        (bias != XN_BIAS_ZERO && bias != XN_BIAS_DRAWN) ||
        (rng->kind != XN_RNG_PYTHON && rng->kind != XN_RNG_NUMPY))
        return XN_EINVAL;
    for (size_t l = 1; l <= net->L; l++) {
        size_t in = net->sizes[l - 1], out = net->sizes[l];
        double *w = net->params + net->woff[l], *b = net->params + net->boff[l];
        if (order == XN_ORDER_ROW)
            for (size_t k = 0; k < in * out; k++)
                w[k] = draw(init, in, out, rng);
        else
            for (size_t o = 0; o < out; o++)
                for (size_t k = 0; k < in; k++)
                    w[k * out + o] = draw(init, in, out, rng);
        for (size_t o = 0; o < out; o++)
            b[o] = bias == XN_BIAS_DRAWN ? draw(init, in, out, rng) : 0.0;
    }
    xn_net_reset_opt(net);
    return XN_OK;
}

/* ---- forward ----------------------------------------------------------- */

static inline double act_apply(xn_act act, double z)
{
    switch (act) {
    case XN_ACT_SIGMOID:
        /* exp(-z) overflows to inf for z < -709 and 1/(1+inf) is 0: finite
         * everywhere, and the same rounding as NumPy's 1/(1+np.exp(-z)) */
        return 1.0 / (1.0 + exp(-z));
    case XN_ACT_RELU:
        return z > 0.0 ? z : 0.0;
    case XN_ACT_TANH:
        return tanh(z);
    default:
        return z;
    }
}

/* d act / d z, written in terms of a = act(z) (relu: 0 at z = 0). */
static inline double act_deriv(xn_act act, double a)
{
    switch (act) {
    case XN_ACT_SIGMOID:
        return a * (1.0 - a);
    case XN_ACT_RELU:
        return (double)(a > 0.0); /* a comparison, not a branch: vectorizes */
    case XN_ACT_TANH:
        return 1.0 - a * a;
    default:
        return 1.0;
    }
}

/* a(n,out) = act(z(n,out) + b(out)); z may be a.  With keep_z the biased
 * z is stored back (the output layer keeps its logits for the loss).
 * Softmax is row-wise, shifted by the row maximum so exp never overflows. */
static void bias_act(size_t n, size_t out, xn_act act, double *z,
                     const double *b, double *a, bool keep_z)
{
    for (size_t i = 0; i < n; i++) {
        double *zi = z + i * out;
        double *ai = a + i * out;
        if (keep_z)
            for (size_t o = 0; o < out; o++)
                zi[o] += b[o];
        const double *bb = keep_z ? NULL : b;
        if (act == XN_ACT_SOFTMAX) {
            double mx = -INFINITY, sum = 0.0;
            for (size_t o = 0; o < out; o++) {
                ai[o] = bb ? zi[o] + bb[o] : zi[o];
                if (ai[o] > mx)
                    mx = ai[o];
            }
            for (size_t o = 0; o < out; o++) {
                ai[o] = exp(ai[o] - mx);
                sum += ai[o];
            }
            for (size_t o = 0; o < out; o++)
                ai[o] /= sum;
        } else if (bb) {
            for (size_t o = 0; o < out; o++)
                ai[o] = act_apply(act, zi[o] + bb[o]);
        } else {
            for (size_t o = 0; o < out; o++)
                ai[o] = act_apply(act, zi[o]);
        }
    }
}

/* The bias and activation pass of a layer followed by a width-1 layer,
 * fused with that layer's product: a(n,out) = act(z + b) in place, then
 * znext(n) = a * w(out).  Each row sums in the order of the naive product;
 * four rows go together so their four sums are independent chains (one
 * chain waits on the adder's latency at every term).  `act` is a constant
 * in each call from bias_act_dot, so the switch in act_apply folds away. */
static inline void bias_act_dot_rows(size_t n, size_t out, xn_act act,
                                     double *restrict a, const double *restrict b,
                                     const double *restrict w,
                                     double *restrict znext)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        double *a0 = a + i * out, *a1 = a0 + out, *a2 = a1 + out, *a3 = a2 + out;
        double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
        for (size_t o = 0; o < out; o++) {
            double v0 = act_apply(act, a0[o] + b[o]), v1 = act_apply(act, a1[o] + b[o]);
            double v2 = act_apply(act, a2[o] + b[o]), v3 = act_apply(act, a3[o] + b[o]);
            a0[o] = v0;
            a1[o] = v1;
            a2[o] = v2;
            a3[o] = v3;
            s0 += v0 * w[o];
            s1 += v1 * w[o];
            s2 += v2 * w[o];
            s3 += v3 * w[o];
        }
        znext[i] = s0;
        znext[i + 1] = s1;
        znext[i + 2] = s2;
        znext[i + 3] = s3;
    }
    for (; i < n; i++) {
        double *ai = a + i * out, s = 0.0;
        for (size_t o = 0; o < out; o++) {
            double v = act_apply(act, ai[o] + b[o]);
            ai[o] = v;
            s += v * w[o];
        }
        znext[i] = s;
    }
}

static void bias_act_dot(size_t n, size_t out, xn_act act, double *a,
                         const double *b, const double *w, double *znext)
{
    switch (act) { /* softmax is never a hidden activation */
    case XN_ACT_SIGMOID:
        bias_act_dot_rows(n, out, XN_ACT_SIGMOID, a, b, w, znext);
        break;
    case XN_ACT_RELU:
        bias_act_dot_rows(n, out, XN_ACT_RELU, a, b, w, znext);
        break;
    case XN_ACT_TANH:
        bias_act_dot_rows(n, out, XN_ACT_TANH, a, b, w, znext);
        break;
    default:
        bias_act_dot_rows(n, out, XN_ACT_IDENTITY, a, b, w, znext);
        break;
    }
}

static bool fused(const xn_net *net) { return net->kernel != XN_KERNEL_NAIVE; }

/* Fills A_1..A_L and Z_L for x (n, n0); n <= cap. */
static void forward(xn_net *net, size_t n, const double *x)
{
    const double *in = x;
    bool product_done = false;
    for (size_t l = 1; l <= net->L; l++) {
        size_t fi = net->sizes[l - 1], fo = net->sizes[l];
        const double *w = net->params + net->woff[l], *b = net->params + net->boff[l];
        double *z = l == net->L ? net->zout : net->a[l];
        if (!product_done)
            xn_kernels_pick(net->kernel, n, fi, fo)->fwd(n, fi, fo, in, w, z);
        product_done = false;
        if (l < net->L && net->sizes[l + 1] == 1 && fused(net)) {
            /* z is a[l] here: hidden activations are computed in place */
            double *znext = l + 1 == net->L ? net->zout : net->a[l + 1];
            bias_act_dot(n, fo, net->acts[l], z, b, net->params + net->woff[l + 1], znext);
            product_done = true;
        } else {
            bias_act(n, fo, net->acts[l], z, b, net->a[l], l == net->L);
        }
        in = net->a[l];
    }
}

static xn_status check_batch(xn_net *net, size_t n, const double *x)
{
    if (!net || !x)
        return XN_EINVAL;
    if (n == 0)
        return XN_EDIM;
    return xn_net_reserve(net, n);
}

xn_status xn_net_forward(xn_net *net, size_t n, const double *x, const double **out)
{
    if (!out)
        return XN_EINVAL;
    xn_status s = check_batch(net, n, x);
    if (s != XN_OK)
        return s;
    forward(net, n, x);
    *out = net->a[net->L];
    return XN_OK;
}

xn_status xn_net_predict(xn_net *net, size_t n, const double *x, double *y)
{
    const double *a;
    if (!y)
        return XN_EINVAL;
    xn_status s = xn_net_forward(net, n, x, &a);
    if (s == XN_OK)
        memcpy(y, a, n * net->sizes[net->L] * sizeof *y);
    return s;
}

/* ---- loss and output delta --------------------------------------------- */

/* log(1 + exp(z)) without overflow */
static inline double softplus(double z)
{
    return (z > 0.0 ? z : 0.0) + log1p(exp(-fabs(z)));
}

/* The loss of A_L against y (n, K), rows n of a batch of `total` rows (a
 * block of it, or all of it): returns sum plus this block's unscaled loss
 * terms; loss_mean scales the batch's sum.  With dz non-NULL also writes
 * dz(n,K) = dLoss/dZ_L, scaled for the whole batch, and adds its column
 * sums to db(K), zeroed first if `first`.  Where the output activation and
 * the loss cancel (sigmoid + bce, softmax + cce) both are computed from the
 * logits Z_L: the loss is exact for any z and the delta is a - y, scaled as
 * the loss is averaged. */
static double loss_delta(const xn_net *net, size_t n, size_t total,
                         const double *y, double *dz, double *db, bool first,
                         double sum)
{
    size_t K = net->sizes[net->L];
    xn_act act = net->acts[net->L];
    const double *A = net->a[net->L], *Z = net->zout;
    double nk = (double)total * (double)K;
    if (db && first)
        memset(db, 0, K * sizeof *db);
    switch (net->loss) {
    case XN_LOSS_MSE:
    case XN_LOSS_SSE: {
        /* mse = sum (a-y)^2 / (nK), sse = sum (a-y)^2 / (2n) */
        bool mse = net->loss == XN_LOSS_MSE;
        double gscale = mse ? 2.0 / nk : 1.0 / (double)total;
        for (size_t i = 0; i < n; i++) {
            const double *ai = A + i * K, *yi = y + i * K;
            double *dzi = dz ? dz + i * K : NULL, gdot = 0.0;
            for (size_t k = 0; k < K; k++) {
                double e = ai[k] - yi[k];
                sum += e * e;
                if (!dzi)
                    continue;
                if (act == XN_ACT_SOFTMAX) {
                    dzi[k] = gscale * e;
                    gdot += dzi[k] * ai[k];
                } else {
                    dzi[k] = gscale * e * act_deriv(act, ai[k]);
                }
            }
            if (dzi && act == XN_ACT_SOFTMAX) /* Jacobian a_k (g_k - g.a) */
                for (size_t k = 0; k < K; k++)
                    dzi[k] = ai[k] * (dzi[k] - gdot);
        }
        break;
    }
    case XN_LOSS_BCE:
        /* -[y log s(z) + (1-y) log(1-s(z))] = softplus(z) - y z */
        for (size_t i = 0; i < n * K; i++) {
            sum += softplus(Z[i]) - y[i] * Z[i];
            if (dz)
                dz[i] = (A[i] - y[i]) / nk;
        }
        break;
    case XN_LOSS_CCE:
        /* -sum_k y_k log a_k = lse(z) * sum_k y_k - sum_k y_k z_k; its
         * derivative is a_k sum_j y_j - y_k, which is a - y for one-hot y */
        for (size_t i = 0; i < n; i++) {
            const double *zi = Z + i * K, *yi = y + i * K, *ai = A + i * K;
            double mx = -INFINITY, se = 0.0, ys = 0.0, yz = 0.0;
            for (size_t k = 0; k < K; k++)
                if (zi[k] > mx)
                    mx = zi[k];
            for (size_t k = 0; k < K; k++) {
                se += exp(zi[k] - mx);
                ys += yi[k];
                yz += yi[k] * zi[k];
            }
            sum += (mx + log(se)) * ys - yz;
            if (dz)
                for (size_t k = 0; k < K; k++)
                    dz[i * K + k] = (ai[k] * ys - yi[k]) / (double)total;
        }
        break;
    }
    if (dz && db)
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < K; k++)
                db[k] += dz[i * K + k];
    return sum;
}

/* The batch's loss from loss_delta's sum over its `total` rows:
 * mse = sum (a-y)^2 / (nK), sse = sum (a-y)^2 / (2n), bce and cce are means
 * over the nK outputs and the n rows. */
static double loss_mean(const xn_net *net, size_t total, double sum)
{
    double n = (double)total, nk = n * (double)net->sizes[net->L];
    switch (net->loss) {
    case XN_LOSS_MSE:
    case XN_LOSS_BCE:
        return sum / nk;
    case XN_LOSS_SSE:
        return sum / (2.0 * n);
    default:
        return sum / n;
    }
}

xn_status xn_net_eval_loss(xn_net *net, size_t n, const double *x,
                           const double *y, double *loss)
{
    if (!y || !loss)
        return XN_EINVAL;
    xn_status s = check_batch(net, n, x);
    if (s != XN_OK)
        return s;
    forward(net, n, x);
    *loss = loss_mean(net, n, loss_delta(net, n, n, y, NULL, NULL, true, 0.0));
    return isfinite(*loss) ? XN_OK : XN_ENUMERIC;
}

/* ---- backward ---------------------------------------------------------- */

/* dz(n,out) *= act'(a(n,out)), then db(out) = column sums of dz, in one
 * pass (the sums still run over i in order).  `act` is a constant in each
 * call from deriv_colsum, so the switch in act_deriv folds away and the
 * loop over o vectorizes. */
static inline void deriv_colsum_rows(size_t n, size_t out, xn_act act,
                                     const double *restrict a,
                                     double *restrict dz, double *restrict db)
{
    for (size_t i = 0; i < n; i++) {
        const double *ai = a + i * out;
        double *dzi = dz + i * out;
        for (size_t o = 0; o < out; o++) {
            /* relu' spelled out, as in narrow_backward_rows */
            dzi[o] *= act == XN_ACT_RELU ? (ai[o] > 0.0 ? 1.0 : 0.0) : act_deriv(act, ai[o]);
            db[o] += dzi[o];
        }
    }
}

static void deriv_colsum(size_t n, size_t out, xn_act act, const double *a,
                         double *dz, double *db, bool first)
{
    if (first) /* here, not in the loops' function: there it stops gcc
                * from vectorizing the relu loop */
        memset(db, 0, out * sizeof *db);
    switch (act) {
    case XN_ACT_SIGMOID:
        deriv_colsum_rows(n, out, XN_ACT_SIGMOID, a, dz, db);
        break;
    case XN_ACT_RELU:
        deriv_colsum_rows(n, out, XN_ACT_RELU, a, dz, db);
        break;
    case XN_ACT_TANH:
        deriv_colsum_rows(n, out, XN_ACT_TANH, a, dz, db);
        break;
    default:
        deriv_colsum_rows(n, out, XN_ACT_IDENTITY, a, dz, db);
        break;
    }
}

/* Backward through a width-1 layer in one pass over a(n,in), the previous
 * layer's activations: dw(in) = a^T dz (an outer product's twin),
 * dzp(n,in) = (dz w^T) * act'(a), dbp(in) = column sums of dzp.  Every
 * output entry is its own sum over i in order, so the loop over k
 * vectorizes without reordering a sum. */
static inline void narrow_backward_rows(size_t n, size_t in, xn_act act,
                                        const double *restrict a,
                                        const double *restrict dz,
                                        const double *restrict w,
                                        double *restrict dw,
                                        double *restrict dzp,
                                        double *restrict dbp)
{
    for (size_t i = 0; i < n; i++) {
        const double *ai = a + i * in;
        double *dzpi = dzp + i * in, d = dz[i];
        for (size_t k = 0; k < in; k++) {
            /* relu' spelled out: through act_deriv's switch gcc 12 leaves
             * this loop scalar */
            double m = act == XN_ACT_RELU ? (ai[k] > 0.0 ? 1.0 : 0.0) : act_deriv(act, ai[k]);
            double g = d * w[k] * m;
            dw[k] += ai[k] * d;
            dzpi[k] = g;
            dbp[k] += g;
        }
    }
}

static void narrow_backward(size_t n, size_t in, xn_act act, const double *a,
                            const double *dz, const double *w, double *dw,
                            double *dzp, double *dbp, bool first)
{
    if (first) { /* as in deriv_colsum */
        memset(dw, 0, in * sizeof *dw);
        memset(dbp, 0, in * sizeof *dbp);
    }
    switch (act) {
    case XN_ACT_SIGMOID:
        narrow_backward_rows(n, in, XN_ACT_SIGMOID, a, dz, w, dw, dzp, dbp);
        break;
    case XN_ACT_RELU:
        narrow_backward_rows(n, in, XN_ACT_RELU, a, dz, w, dw, dzp, dbp);
        break;
    case XN_ACT_TANH:
        narrow_backward_rows(n, in, XN_ACT_TANH, a, dz, w, dw, dzp, dbp);
        break;
    default:
        narrow_backward_rows(n, in, XN_ACT_IDENTITY, a, dz, w, dw, dzp, dbp);
        break;
    }
}

/* Backward pass of rows x (n, n0) whose output delta is in delta[0]; with
 * `first` the gradients are overwritten, else added to (a later block of
 * the batch). */
static void backward(xn_net *net, size_t n, const double *x, bool first)
{
    double *dz = net->delta[0], *dzp = net->delta[1];
    for (size_t l = net->L; l >= 1; l--) {
        size_t fi = net->sizes[l - 1], fo = net->sizes[l];
        const double *in = l > 1 ? net->a[l - 1] : x;
        const double *w = net->params + net->woff[l];
        double *dw = net->grads + net->woff[l];
        double *dbp = l > 1 ? net->grads + net->boff[l - 1] : NULL;
        if (l > 1 && fo == 1 && fused(net)) {
            narrow_backward(n, fi, net->acts[l - 1], in, dz, w, dw, dzp, dbp, first);
        } else {
            const xn_kernels *k = xn_kernels_pick(net->kernel, n, fi, fo);
            (first ? k->dw : k->dwacc)(n, fi, fo, in, dz, dw);
            if (l > 1) {
                k->dx(n, fi, fo, dz, w, dzp);
                deriv_colsum(n, fi, net->acts[l - 1], in, dzp, dbp, first);
            }
        }
        double *t = dz;
        dz = dzp;
        dzp = t;
    }
}

/* Bytes of workspace a block of rows may touch (activations and deltas):
 * half of a 2 MiB L2, so a block and the weights stay in cache (1 MiB
 * measured best of 128 KiB..2 MiB on the bench shapes). */
#define XN_BLOCK_BYTES ((size_t)1024 * 1024)

/* Rows per block of the gradient.  Blocking pays where a width-1 layer
 * makes the step memory-bound: its passes do 2-3 flops per element of an
 * (n, n_{l-1}) matrix, which then never leaves the cache.  Without one the
 * step is dgemm-bound and a block would only re-read the weights, and the
 * naive kernel is the specification: the whole batch at once. */
static size_t block_rows(const xn_net *net, size_t n)
{
    bool narrow = false;
    size_t per_row = net->sizes[net->L] + 2 * net->max_width;
    for (size_t l = 1; l <= net->L; l++) {
        per_row += net->sizes[l];
        narrow |= l > 1 && net->sizes[l] == 1;
    }
    if (!fused(net) || !narrow)
        return n;
    size_t rows = XN_BLOCK_BYTES / (per_row * sizeof(double));
    if (rows < 64)
        rows = 64;
    return 2 * rows > n ? n : rows;
}

/* Forward, loss and backward over x (n, n0) and y (n, nL), n <= cap:
 * fills the gradients and returns the loss. */
static double gradient(xn_net *net, size_t n, const double *x, const double *y)
{
    /* A batch runs in blocks of rows, each through forward, loss and
     * backward while its activations and deltas are still in cache; the
     * gradients add up block by block, every sum in row order. */
    size_t nb = block_rows(net, n), n0 = net->sizes[0], K = net->sizes[net->L];
    double sum = 0.0, *aL = net->a[net->L], *zL = net->zout;
    for (size_t r0 = 0; r0 < n; r0 += nb) {
        size_t m = n - r0 < nb ? n - r0 : nb;
        /* the output rows A_L, Z_L (m, K) land in place, as xn_net_output
         * promises the whole batch; hidden activations and deltas reuse the
         * first m rows, which stay in cache */
        net->a[net->L] = aL + r0 * K;
        net->zout = zL + r0 * K;
        forward(net, m, x + r0 * n0);
        sum = loss_delta(net, m, n, y + r0 * K, net->delta[0],
                         net->grads + net->boff[net->L], r0 == 0, sum);
        backward(net, m, x + r0 * n0, r0 == 0);
    }
    net->a[net->L] = aL;
    net->zout = zL;
    return loss_mean(net, n, sum);
}

/* True if every gradient is finite. */
static bool grads_finite(const xn_net *net)
{
    const double *g = net->grads;
    int bad = 0;
    for (size_t i = 0; i < net->nparams; i++)
        bad |= !(fabs(g[i]) <= DBL_MAX); /* no dependent chain: vectorizes */
    return !bad;
}

xn_status xn_net_gradient(xn_net *net, size_t n, const double *x,
                          const double *y, double *loss)
{
    if (!y)
        return XN_EINVAL;
    xn_status s = check_batch(net, n, x);
    if (s != XN_OK)
        return s;
    double value = gradient(net, n, x, y);
    if (loss)
        *loss = value;
    return isfinite(value) && grads_finite(net) ? XN_OK : XN_ENUMERIC;
}

/* ---- optimizers -------------------------------------------------------- */

void xn_net_reset_opt(xn_net *net)
{
    if (!net)
        return;
    memset(net->m, 0, 2 * net->nparams * sizeof *net->m);
    net->adam_t = 0;
}

static xn_status check_opt(const xn_opt *opt)
{
    if (!opt || !(opt->lr > 0.0) || !isfinite(opt->lr))
        return XN_EINVAL;
    switch (opt->kind) {
    case XN_OPT_GD:
        return XN_OK;
    case XN_OPT_MOMENTUM:
        return opt->momentum >= 0.0 && opt->momentum < 1.0 ? XN_OK : XN_EINVAL;
    case XN_OPT_ADAM:
        return opt->beta1 >= 0.0 && opt->beta1 < 1.0 && opt->beta2 >= 0.0 &&
                       opt->beta2 < 1.0 && opt->eps >= 0.0 && isfinite(opt->eps)
                   ? XN_OK
                   : XN_EINVAL;
    }
    return XN_EINVAL;
}

/* The constants of one optimizer step; Adam's bias corrections are those
 * of step t + 1, the step about to be taken. */
typedef struct {
    double lr, mu, b1, b2, eps, c1, c2;
} step_consts;

static step_consts step_constants(const xn_net *net, const xn_opt *opt)
{
    step_consts c = {opt->lr, opt->momentum, 0, 0, 0, 0, 0};
    if (opt->kind == XN_OPT_ADAM) {
        c.b1 = opt->beta1 > 0.0 ? opt->beta1 : 0.9;
        c.b2 = opt->beta2 > 0.0 ? opt->beta2 : 0.999;
        c.eps = opt->eps > 0.0 ? opt->eps : 1e-8;
        c.c1 = 1.0 - pow(c.b1, (double)(net->adam_t + 1));
        c.c2 = 1.0 - pow(c.b2, (double)(net->adam_t + 1));
    }
    return c;
}

/* One optimizer step over the P parameters (and their moments).  With
 * store false nothing is written and the result says whether every new
 * value would be finite; with store true the values are written.  Called
 * with a constant `store`, each loop compiles to its own tight form.
 *   gd:       w -= lr g
 *   momentum: v = mu v - lr g; w += v  (seed 003: w - lr g + mu * last update)
 *   adam:     Kingma and Ba (2015), Algorithm 1, bias-corrected moments */
static inline bool opt_pass(xn_net *net, xn_opt_kind kind, const step_consts *c, bool store)
{
    size_t P = net->nparams;
    double *restrict p = net->params, *restrict m = net->m, *restrict v = net->v;
    const double *restrict g = net->grads;
    int bad = 0;
    switch (kind) {
    case XN_OPT_GD:
        for (size_t i = 0; i < P; i++) {
            double pn = p[i] - c->lr * g[i];
            if (store)
                p[i] = pn;
            else
                bad |= !(fabs(pn) <= DBL_MAX);
        }
        break;
    case XN_OPT_MOMENTUM:
        for (size_t i = 0; i < P; i++) {
            double mn = c->mu * m[i] - c->lr * g[i], pn = p[i] + mn;
            if (store) {
                m[i] = mn;
                p[i] = pn;
            } else {
                bad |= !(fabs(pn) <= DBL_MAX) | !(fabs(mn) <= DBL_MAX);
            }
        }
        break;
    case XN_OPT_ADAM:
        for (size_t i = 0; i < P; i++) {
            double mn = c->b1 * m[i] + (1.0 - c->b1) * g[i];
            double vn = c->b2 * v[i] + (1.0 - c->b2) * g[i] * g[i];
            double pn = p[i] - c->lr * (mn / c->c1) / (sqrt(vn / c->c2) + c->eps);
            if (store) {
                m[i] = mn;
                v[i] = vn;
                p[i] = pn;
            } else {
                bad |= !(fabs(pn) <= DBL_MAX) | !(fabs(vn) <= DBL_MAX);
            }
        }
        break;
    }
    return !bad;
}

xn_status xn_net_train_step(xn_net *net, size_t n, const double *x,
                            const double *y, const xn_opt *opt, double *loss)
{
    xn_status s = check_opt(opt);
    if (s == XN_OK && !y)
        s = XN_EINVAL;
    if (s == XN_OK)
        s = check_batch(net, n, x);
    if (s != XN_OK)
        return s;
    double value = gradient(net, n, x, y);
    if (loss)
        *loss = value;
    /* refuse a step whose loss, gradient or result is not finite, before
     * anything is written: the network stays as it was */
    step_consts c = step_constants(net, opt);
    if (!isfinite(value) || !opt_pass(net, opt->kind, &c, false))
        return XN_ENUMERIC;
    opt_pass(net, opt->kind, &c, true);
    if (opt->kind == XN_OPT_ADAM)
        net->adam_t++;
    return XN_OK;
}

/* ---- accuracy and the XOR data ----------------------------------------- */

double xn_accuracy(size_t n, size_t k, const double *a, const double *y)
{
    if (!a || !y || n == 0 || k == 0)
        return 0.0;
    size_t right = 0;
    for (size_t i = 0; i < n; i++) {
        const double *ai = a + i * k, *yi = y + i * k;
        if (k == 1) {
            right += (ai[0] >= 0.5) == (yi[0] >= 0.5);
        } else {
            size_t pa = 0, py = 0;
            for (size_t j = 1; j < k; j++) {
                if (ai[j] > ai[pa])
                    pa = j;
                if (yi[j] > yi[py])
                    py = j;
            }
            right += pa == py;
        }
    }
    return (double)right / (double)n;
}

xn_status xn_net_accuracy(xn_net *net, size_t n, const double *x,
                          const double *y, double *acc)
{
    const double *a;
    if (!y || !acc)
        return XN_EINVAL;
    xn_status s = xn_net_forward(net, n, x, &a);
    if (s == XN_OK)
        *acc = xn_accuracy(n, net->sizes[net->L], a, y);
    return s;
}

const double *xn_net_output(const xn_net *net) { return net ? net->a[net->L] : NULL; }

static const double xor_x[8] = {0, 0, 0, 1, 1, 0, 1, 1};
static const double xor_y[4] = {0, 1, 1, 0};

const double *xn_xor_inputs(void) { return xor_x; }
const double *xn_xor_targets(void) { return xor_y; }
