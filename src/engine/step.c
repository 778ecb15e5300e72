/* What a network computes, stage by stage: forward (the products of
 * kernels.c and the layer passes of dense.c), the loss and output delta
 * (loss.c), backward, and the optimizer's update (opt.c), written once in
 * step_t.h and compiled per element type.  A training step reads top to
 * bottom as forward, loss, backward, update, and the gradient is its own
 * call, so a caller can change or sum it (gradient accumulation, an
 * all-reduce across processes) before the update.  The public calls here
 * check their arguments and go through the network's engine.
 *
 * Row blocks.  Evaluation (predict, loss, accuracy) runs a batch larger
 * than the reserved workspace in blocks of the reserved rows and never
 * allocates.  Training calls grow the workspace to the batch, then take it
 * in cache-sized blocks where a width-1 layer makes the step memory-bound;
 * every sum still runs over the rows in order. */
#include <cblas.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "internal.h"

#define XN_BITS uint64_t /* an element's bits, for the optimizer's maxima */
#include "type_f64.h"
#include "step_t.h"
#include "type_end.h"
#undef XN_BITS

#define XN_BITS uint32_t
#include "type_f32.h"
#include "step_t.h"
#include "type_end.h"
#undef XN_BITS

/* ---- evaluation -------------------------------------------------------- */

static xn_status check_rows(xn_net *net, size_t n, const double *x, const char *call)
{
    if (!net)
        return XN_EINVAL;
    if (!x)
        return xn_net_fail(net, XN_EINVAL, "%s: no input rows", call);
    if (n == 0)
        return xn_net_fail(net, XN_EDIM, "%s: 0 rows", call);
    size_t n0 = net->sizes[0], nL = net->sizes[net->L];
    if (!xn_rows_ok(n, n0 > nL ? n0 : nL))
        return xn_net_fail(net, XN_EDIM, "%s: %zu rows are more than memory can address", call, n);
    return XN_OK;
}

/* Rows m of the caller's x through the network into the workspace's
 * outputs: converted (standardized, or to float) where they must be. */
static void forward_rows(xn_net *net, size_t m, const void *x, xn_src src)
{
    const void *in = x;
    if (net->xs && !(src == XN_SRC_OWN && !net->mean)) {
        net->engine->gather(net, m, net->sizes[0], x, src, NULL, net->mean, net->sd, net->xs);
        in = net->xs;
    }
    net->engine->forward(net, m, in, net->a[net->L], net->zout);
}

xn_status xn_net_forward(xn_net *net, size_t n, const double *x, const double **out)
{
    xn_status s = check_rows(net, n, x, "forward");
    if (s == XN_OK && !out)
        s = xn_net_fail(net, XN_EINVAL, "forward: no place for the output pointer");
    if (s == XN_OK && net->dtype != XN_FLOAT64)
        s = xn_net_fail(net, XN_EINVAL, "forward: a float32 network's outputs are floats (xn_net_predict)");
    if (s == XN_OK && n > net->cap)
        s = xn_net_fail(net, XN_EDIM,
                        "forward: %zu rows, over the %zu reserved (xn_net_reserve, or "
                        "xn_net_predict, which takes any number)", n, net->cap);
    if (s != XN_OK)
        return s;
    xn_net_begin(net);
    forward_rows(net, n, x, XN_SRC_DOUBLE);
    *out = net->a[net->L];
    return XN_OK;
}

/* The first row of v (n, k) of doubles or floats that is not all finite,
 * or n. */
static size_t first_nonfinite(size_t n, size_t k, const void *v, bool f32)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < k; j++)
            if (!isfinite(f32 ? ((const float *)v)[i * k + j] : ((const double *)v)[i * k + j]))
                return i;
    return n;
}

xn_status xn_net_predict(xn_net *net, size_t n, const double *x, double *y)
{
    return xn_net_predict_rows(net, n, XN_FLOAT64, x, y);
}

xn_status xn_net_predict_rows(xn_net *net, size_t n, xn_dtype type, const void *x, void *y)
{
    if (n == 0 && net)
        return XN_OK;
    xn_status s = check_rows(net, n, x, "predict");
    if (s == XN_OK && !y)
        s = xn_net_fail(net, XN_EINVAL, "predict: no place for the outputs");
    if (s == XN_OK && type != XN_FLOAT64 && type != net->dtype)
        s = xn_net_fail(net, XN_EINVAL, "predict: %s rows need a %s network, or float64 rows",
                        xn_dtype_name(type), xn_dtype_name(type));
    if (s != XN_OK)
        return s;
    /* rows of the network's own type are used as they are, or standardized;
     * outputs widen to double or stay as computed */
    bool own = type == XN_FLOAT32;
    xn_src src = own ? XN_SRC_OWN : XN_SRC_DOUBLE;
    size_t es = own ? sizeof(float) : sizeof(double);
    /* a NaN input may vanish inside (relu maps it to 0): look at both ends */
    size_t n0 = net->sizes[0], K = net->sizes[net->L], bad_in = n, bad_out = n;
    xn_net_begin(net);
    for (size_t r0 = 0; r0 < n; r0 += net->cap) {
        size_t m = n - r0 < net->cap ? n - r0 : net->cap;
        const char *xb = (const char *)x + r0 * n0 * es;
        char *yb = (char *)y + r0 * K * es;
        forward_rows(net, m, xb, src);
        if (own)
            memcpy(yb, net->a[net->L], m * K * es);
        else
            net->engine->to_double(m * K, net->a[net->L], (double *)(void *)yb);
        for (size_t i = 0; net->ymean && i < m; i++) /* back to the targets' scale */
            for (size_t k = 0, e = i * K; k < K; k++, e++) {
                if (own)
                    ((float *)(void *)yb)[e] = (float)(((float *)(void *)yb)[e] * net->ysd[k] + net->ymean[k]);
                else
                    ((double *)(void *)yb)[e] = ((double *)(void *)yb)[e] * net->ysd[k] + net->ymean[k];
            }
        size_t i = first_nonfinite(m, n0, xb, own), o = first_nonfinite(m, K, yb, own);
        if (bad_in == n && i < m)
            bad_in = r0 + i;
        if (bad_out == n && o < m)
            bad_out = r0 + o;
    }
    if (bad_in < n && bad_in <= bad_out)
        return xn_net_fail(net, XN_ENUMERIC, "predict: row %zu's input is not finite", bad_in + 1);
    if (bad_out < n)
        return xn_net_fail(net, XN_ENUMERIC,
                           "predict: row %zu's output is not finite (the network overflows there)",
                           bad_out + 1);
    return XN_OK;
}

xn_status xn_net_eval_loss(xn_net *net, size_t n, const double *x, const double *y, double *loss)
{
    xn_status s = check_rows(net, n, x, "eval_loss");
    if (s == XN_OK && (!y || !loss))
        s = xn_net_fail(net, XN_EINVAL, "eval_loss: no targets or no place for the loss");
    if (s != XN_OK)
        return s;
    size_t n0 = net->sizes[0], K = net->sizes[net->L];
    double sum = 0.0;
    xn_net_begin(net);
    for (size_t r0 = 0; r0 < n; r0 += net->cap) {
        size_t m = n - r0 < net->cap ? n - r0 : net->cap;
        sum = net->engine->loss_rows(net, m, x + r0 * n0, y + r0 * K, XN_SRC_DOUBLE, n, sum);
    }
    *loss = xn_loss_mean(net->loss, n, K, sum);
    return isfinite(*loss) ? XN_OK : xn_net_fail(net, XN_ENUMERIC, "eval_loss: the loss is not finite");
}

xn_status xn_net_accuracy(xn_net *net, size_t n, const double *x, const double *y, double *acc)
{
    xn_status s = check_rows(net, n, x, "accuracy");
    if (s == XN_OK && (!y || !acc))
        s = xn_net_fail(net, XN_EINVAL, "accuracy: no targets or no place for the result");
    if (s != XN_OK)
        return s;
    size_t n0 = net->sizes[0], K = net->sizes[net->L], right = 0;
    xn_net_begin(net);
    for (size_t r0 = 0; r0 < n; r0 += net->cap) {
        size_t m = n - r0 < net->cap ? n - r0 : net->cap;
        forward_rows(net, m, x + r0 * n0, XN_SRC_DOUBLE);
        const void *yb = y + r0 * K;
        if (net->ys) { /* the targets in the network's type and scale */
            net->engine->gather(net, m, K, y + r0 * K, XN_SRC_DOUBLE, NULL, net->ymean, net->ysd, net->ys);
            yb = net->ys;
        }
        right += net->engine->count_right(m, K, net->a[net->L], yb);
    }
    *acc = (double)right / (double)n;
    return XN_OK;
}

const double *xn_net_output(const xn_net *net)
{
    return net && net->dtype == XN_FLOAT64 ? net->a[net->L] : NULL;
}

/* ---- gradients --------------------------------------------------------- */

/* Bytes of workspace a block of rows may touch (activations and deltas):
 * half of a 2 MiB L2, so a block and the weights stay in cache (1 MiB
 * measured best of 128 KiB..2 MiB on the bench shapes). */
#define XN_BLOCK_BYTES ((size_t)1024 * 1024)

/* Rows per block of a training batch.  Blocking pays where a width-1 layer
 * makes the step memory-bound: its passes do 2-3 flops per element of an
 * (n, n_{l-1}) matrix, which then never leaves the cache.  Without one the
 * step is gemm-bound and a block would only re-read the weights, and the
 * naive kernel is the specification: the whole batch at once. */
static size_t block_rows(const xn_net *net, size_t n)
{
    bool narrow = false;
    size_t per_row = net->sizes[net->L] + 2 * net->max_width;
    for (size_t l = 1; l <= net->L; l++) {
        per_row += net->sizes[l];
        narrow |= l > 1 && net->sizes[l] == 1;
    }
    if (net->kernel == XN_KERNEL_NAIVE || !narrow)
        return n;
    size_t rows = XN_BLOCK_BYTES / (per_row * net->engine->size);
    if (rows < 64)
        rows = 64;
    return 2 * rows > n ? n : rows;
}

/* The output rows A_L, Z_L land in place, as xn_net_output promises the
 * whole batch; hidden activations and deltas reuse the first rows, which
 * stay in cache. */
double xn_net_accumulate_rows(xn_net *net, size_t n, const void *x, const void *y, size_t total,
                              double sum, xn_src src)
{
    net->grads_set = true;
    xn_net_begin(net);
    return net->engine->accumulate(net, n, x, y, total, sum, src, block_rows(net, n));
}

double xn_net_penalty(xn_net *net, double l2, size_t n, size_t total)
{
    if (!(l2 > 0.0))
        return 0.0;
    /* the rows' share n / total of the batch's l2 W / total, and of its loss */
    double c = l2 / (double)total * ((double)n / (double)total);
    return 0.5 * c * net->engine->penalty(net, c);
}

/* The checks of every call that computes a gradient; grows the workspace
 * to n rows and makes the training state. */
xn_status xn_net_check_training(xn_net *net, size_t n, const double *x, const double *y,
                                const char *call)
{
    xn_status s = check_rows(net, n, x, call);
    if (s != XN_OK)
        return s;
    if (!y)
        return xn_net_fail(net, XN_EINVAL, "%s: no targets", call);
    if (!net->initialized)
        return xn_net_fail(net, XN_EINVAL,
                           "%s: the network was never initialized (xn_net_init, or "
                           "XN_INIT_ZEROS for zeros on purpose)", call);
    if ((s = xn_net_need_training(net)) != XN_OK)
        return s;
    return xn_net_reserve(net, n);
}

xn_status xn_net_gradient(xn_net *net, size_t n, const double *x, const double *y, double *loss)
{
    xn_status s = xn_net_check_training(net, n, x, y, "gradient");
    if (s != XN_OK)
        return s;
    net->grads_fresh = true;
    double value = xn_loss_mean(net->loss, n, net->sizes[net->L],
                                xn_net_accumulate_rows(net, n, x, y, n, 0.0, XN_SRC_DOUBLE));
    value += xn_net_penalty(net, net->opt.l2, n, n);
    if (loss)
        *loss = value;
    if (!isfinite(value) || !isfinite(net->engine->absmax(net, net->grads)))
        return xn_net_fail(net, XN_ENUMERIC, "gradient: the loss or a gradient is not finite");
    return XN_OK;
}

void xn_net_zero_grads(xn_net *net)
{
    if (!net || xn_net_need_training(net) != XN_OK)
        return;
    memset(net->grads, 0, net->nparams * net->engine->size);
    net->grads_fresh = true;
    net->grads_set = true;
}

xn_status xn_net_accumulate(xn_net *net, size_t n, const double *x, const double *y,
                            size_t total, double *loss)
{
    xn_status s = xn_net_check_training(net, n, x, y, "accumulate");
    if (s != XN_OK)
        return s;
    if (total < n)
        return xn_net_fail(net, XN_EDIM, "accumulate: %zu rows of a batch of %zu", n, total);
    double share = xn_loss_mean(net->loss, total, net->sizes[net->L],
                                xn_net_accumulate_rows(net, n, x, y, total, 0.0, XN_SRC_DOUBLE));
    share += xn_net_penalty(net, net->opt.l2, n, total);
    if (loss)
        *loss = share;
    return isfinite(share) ? XN_OK : xn_net_fail(net, XN_ENUMERIC, "accumulate: the loss is not finite");
}

/* ---- update ------------------------------------------------------------ */

xn_status xn_net_apply_update(xn_net *net)
{
    xn_net_begin(net);
    if (!net->engine->update(net))
        return xn_net_fail(net, XN_ENUMERIC,
                           "update: a parameter or moment would not be finite; nothing changed");
    net->opt_t++;
    return XN_OK;
}

xn_status xn_net_update(xn_net *net)
{
    if (!net)
        return XN_EINVAL;
    if (!net->initialized)
        return xn_net_fail(net, XN_EINVAL,
                           "update: the network was never initialized (xn_net_init, or XN_INIT_ZEROS "
                           "for zeros on purpose)");
    if (xn_opt_second_order(net->opt.kind))
        return xn_net_fail(net, XN_EINVAL, "update: %s takes whole iterations (xn_net_train_step or "
                                           "xn_fit), not a step from a gradient", xn_opt_name(net->opt.kind));
    if (!net->train || !net->grads_set)
        return xn_net_fail(net, XN_EINVAL, "update: no gradient yet (xn_net_gradient, xn_net_accumulate "
                                           "or xn_net_set_grads first)");
    return xn_net_apply_update(net);
}

/* A step's optimizer takes the network's place once its gradient is
 * finite: a change of kind resets the moments, new hyper-parameters of the
 * same kind keep them.  A failed update puts the old optimizer back (a
 * change of kind has reset the moments even so).  The public
 * xn_net_train_step checks net and opt, then calls this for gd, momentum
 * and adam. */
xn_status xn_net_step_first_order(xn_net *net, size_t n, const double *x, const double *y,
                                  const xn_opt *opt, double *loss)
{
    xn_status s = xn_net_check_training(net, n, x, y, "train_step");
    if (s != XN_OK)
        return s;
    /* forward, loss and backward, then the update */
    net->grads_fresh = true;
    double value = xn_loss_mean(net->loss, n, net->sizes[net->L],
                                xn_net_accumulate_rows(net, n, x, y, n, 0.0, XN_SRC_DOUBLE));
    value += xn_net_penalty(net, opt->l2, n, n); /* the step's optimizer's */
    if (loss)
        *loss = value;
    if (!isfinite(value))
        return xn_net_fail(net, XN_ENUMERIC, "train_step: the loss is not finite; nothing changed");
    xn_opt old = net->opt;
    uint64_t old_t = net->opt_t;
    double old_m = net->mbound, old_v = net->vbound;
    if (opt->kind != net->opt.kind)
        xn_net_set_opt(net, opt); /* valid: checked above */
    else
        net->opt = *opt;
    s = xn_net_apply_update(net);
    if (s != XN_OK) {
        net->opt = old;
        net->opt_t = old_t;
        net->mbound = old_m;
        net->vbound = old_v;
    }
    return s;
}
