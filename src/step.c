/* What a network computes, stage by stage: forward (the products of
 * kernels.c and the layer passes of dense.c), the loss and output delta
 * (loss.c), backward, and the optimizer's update (opt.c).  A training step
 * reads top to bottom as forward, loss, backward, update, and the gradient
 * is its own call, so a caller can change or sum it (gradient accumulation,
 * an all-reduce across processes) before the update.
 *
 * Row blocks.  Evaluation (predict, loss, accuracy) runs a batch larger
 * than the reserved workspace in blocks of the reserved rows and never
 * allocates.  Training calls grow the workspace to the batch, then take it
 * in cache-sized blocks where a width-1 layer makes the step memory-bound;
 * every sum still runs over the rows in order. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "internal.h"

static bool fused(const xn_net *net) { return net->kernel != XN_KERNEL_NAIVE; }

/* ---- forward ----------------------------------------------------------- */

/* Forward pass of x (n, n0), n <= cap: the hidden activations land in the
 * workspace, the output activations in aL (n, nL) and the output logits in
 * zL (n, nL).  With the fused kernels, a layer followed by a width-1 layer
 * also does that layer's product in its activation pass. */
static void forward(xn_net *net, size_t n, const double *x, double *aL, double *zL)
{
    size_t L = net->L;
    const double *in = x;
    bool product_done = false; /* z_l was computed by layer l-1's pass */
    for (size_t l = 1; l <= L; l++) {
        size_t fi = net->sizes[l - 1], fo = net->sizes[l];
        double *z = l == L ? zL : net->a[l], *a = l == L ? aL : net->a[l];
        if (!product_done)
            xn_kernels_pick(net->kernel, n, fi, fo)->fwd(n, fi, fo, in, xn_net_w(net, l), z);
        product_done = l < L && net->sizes[l + 1] == 1 && fused(net);
        if (product_done) /* hidden activations in place; z_{l+1} too */
            xn_dense_bias_act_dot(n, fo, net->acts[l], a, xn_net_b(net, l), xn_net_w(net, l + 1),
                                  l + 1 == L ? zL : net->a[l + 1]);
        else
            xn_dense_bias_act(n, fo, net->acts[l], z, xn_net_b(net, l), a, l == L);
        in = a;
    }
}

static xn_status check_rows(xn_net *net, size_t n, const double *x, const char *call)
{
    if (!net)
        return XN_EINVAL;
    if (!x)
        return xn_net_fail(net, XN_EINVAL, "%s: no input rows", call);
    if (n == 0)
        return xn_net_fail(net, XN_EDIM, "%s: 0 rows", call);
    return XN_OK;
}

void xn_net_forward_rows(xn_net *net, size_t n, const double *x)
{
    forward(net, n, x, net->a[net->L], net->zout);
}

xn_status xn_net_forward(xn_net *net, size_t n, const double *x, const double **out)
{
    xn_status s = check_rows(net, n, x, "forward");
    if (s == XN_OK && !out)
        s = xn_net_fail(net, XN_EINVAL, "forward: no place for the output pointer");
    if (s == XN_OK && n > net->cap)
        s = xn_net_fail(net, XN_EDIM,
                        "forward: %zu rows, over the %zu reserved (xn_net_reserve, or "
                        "xn_net_predict, which takes any number)", n, net->cap);
    if (s != XN_OK)
        return s;
    forward(net, n, xn_net_inputs(net, n, x), net->a[net->L], net->zout);
    *out = net->a[net->L];
    return XN_OK;
}

/* The first row of v (n, k) that is not all finite, or n. */
static size_t first_nonfinite(size_t n, size_t k, const double *v)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < k; j++)
            if (!isfinite(v[i * k + j]))
                return i;
    return n;
}

xn_status xn_net_predict(xn_net *net, size_t n, const double *x, double *y)
{
    if (n == 0 && net)
        return XN_OK;
    xn_status s = check_rows(net, n, x, "predict");
    if (s == XN_OK && !y)
        s = xn_net_fail(net, XN_EINVAL, "predict: no place for the outputs");
    if (s != XN_OK)
        return s;
    /* a NaN input may vanish inside (relu maps it to 0): look at both ends */
    size_t n0 = net->sizes[0], K = net->sizes[net->L], bad_in = n, bad_out = n;
    for (size_t r0 = 0; r0 < n; r0 += net->cap) {
        size_t m = n - r0 < net->cap ? n - r0 : net->cap;
        forward(net, m, xn_net_inputs(net, m, x + r0 * n0), net->a[net->L], net->zout);
        memcpy(y + r0 * K, net->a[net->L], m * K * sizeof *y);
        size_t i = first_nonfinite(m, n0, x + r0 * n0), o = first_nonfinite(m, K, y + r0 * K);
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
    double sum = 0.0, *aL = net->a[net->L], *zL = net->zout;
    for (size_t r0 = 0; r0 < n; r0 += net->cap) {
        size_t m = n - r0 < net->cap ? n - r0 : net->cap;
        forward(net, m, xn_net_inputs(net, m, x + r0 * n0), aL, zL);
        sum = xn_loss_sum(net->loss, net->acts[net->L], m, K, n, aL, zL, y + r0 * K, NULL, sum);
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
    for (size_t r0 = 0; r0 < n; r0 += net->cap) {
        size_t m = n - r0 < net->cap ? n - r0 : net->cap;
        forward(net, m, xn_net_inputs(net, m, x + r0 * n0), net->a[net->L], net->zout);
        right += xn_count_right(m, K, net->a[net->L], y + r0 * K);
    }
    *acc = (double)right / (double)n;
    return XN_OK;
}

const double *xn_net_output(const xn_net *net) { return net ? net->a[net->L] : NULL; }

/* ---- backward ---------------------------------------------------------- */

/* Backward pass of rows x (n, n0) whose output delta dZ_L is in delta[0]:
 * the last layer's bias gradient, then each layer from the last down, its
 * weight gradient and the delta it passes to the layer before.  With
 * `first` the gradients are overwritten, else added to. */
static void backward(xn_net *net, size_t n, const double *x, bool first)
{
    size_t L = net->L;
    double *dz = net->delta[0], *dzp = net->delta[1];
    xn_dense_colsum(n, net->sizes[L], dz, net->grads + net->boff[L], first);
    for (size_t l = L; l >= 1; l--) {
        size_t fi = net->sizes[l - 1], fo = net->sizes[l];
        const double *in = l > 1 ? net->a[l - 1] : x, *w = xn_net_w(net, l);
        double *dw = net->grads + net->woff[l];
        double *dbp = l > 1 ? net->grads + net->boff[l - 1] : NULL;
        if (l > 1 && fo == 1 && fused(net)) {
            xn_dense_narrow_backward(n, fi, net->acts[l - 1], in, dz, w, dw, dzp, dbp, first);
        } else {
            const xn_kernels *k = xn_kernels_pick(net->kernel, n, fi, fo);
            (first ? k->dw : k->dwacc)(n, fi, fo, in, dz, dw);
            if (l > 1) {
                k->dx(n, fi, fo, dz, w, dzp);
                xn_dense_deriv_colsum(n, fi, net->acts[l - 1], in, dzp, dbp, first);
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

/* Rows per block of a training batch.  Blocking pays where a width-1 layer
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

/* Forward, loss and backward over rows x (n, n0), y (n, nL) of a batch of
 * `total` rows, n <= cap: adds their gradient (overwrites it if the
 * gradients are fresh) and returns sum plus their loss terms.  The output
 * rows A_L, Z_L land in place, as xn_net_output promises the whole batch;
 * hidden activations and deltas reuse the first rows, which stay in cache.
 * Rows already standardized (a batch gathered by fit.c) say so. */
double xn_net_accumulate_rows(xn_net *net, size_t n, const double *x, const double *y,
                              size_t total, double sum, bool standardized)
{
    size_t nb = block_rows(net, n), n0 = net->sizes[0], K = net->sizes[net->L];
    for (size_t r0 = 0; r0 < n; r0 += nb) {
        size_t m = n - r0 < nb ? n - r0 : nb;
        const double *xb = standardized ? x + r0 * n0 : xn_net_inputs(net, m, x + r0 * n0);
        double *aL = net->a[net->L] + r0 * K, *zL = net->zout + r0 * K;
        forward(net, m, xb, aL, zL);
        sum = xn_loss_sum(net->loss, net->acts[net->L], m, K, total, aL, zL, y + r0 * K,
                          net->delta[0], sum);
        backward(net, m, xb, net->grads_fresh);
        net->grads_fresh = false;
    }
    return sum;
}

/* The checks of every call that computes a gradient; grows the workspace
 * to n rows and makes the training state. */
static xn_status check_training(xn_net *net, size_t n, const double *x, const double *y,
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

/* True if every gradient is finite. */
static bool grads_finite(const xn_net *net)
{
    const double *g = net->grads;
    int bad = 0;
    for (size_t i = 0; i < net->nparams; i++)
        bad |= !(fabs(g[i]) <= DBL_MAX); /* no dependent chain: vectorizes */
    return !bad;
}

xn_status xn_net_gradient(xn_net *net, size_t n, const double *x, const double *y, double *loss)
{
    xn_status s = check_training(net, n, x, y, "gradient");
    if (s != XN_OK)
        return s;
    net->grads_fresh = true;
    double value = xn_loss_mean(net->loss, n, net->sizes[net->L], xn_net_accumulate_rows(net, n, x, y, n, 0.0, false));
    if (loss)
        *loss = value;
    if (!isfinite(value) || !grads_finite(net))
        return xn_net_fail(net, XN_ENUMERIC, "gradient: the loss or a gradient is not finite");
    return XN_OK;
}

void xn_net_zero_grads(xn_net *net)
{
    if (!net || xn_net_need_training(net) != XN_OK)
        return;
    memset(net->grads, 0, net->nparams * sizeof *net->grads);
    net->grads_fresh = true;
}

xn_status xn_net_accumulate(xn_net *net, size_t n, const double *x, const double *y,
                            size_t total, double *loss)
{
    xn_status s = check_training(net, n, x, y, "accumulate");
    if (s != XN_OK)
        return s;
    if (total < n)
        return xn_net_fail(net, XN_EDIM, "accumulate: %zu rows of a batch of %zu", n, total);
    double share = xn_loss_mean(net->loss, total, net->sizes[net->L], xn_net_accumulate_rows(net, n, x, y, total, 0.0, false));
    if (loss)
        *loss = share;
    return isfinite(share) ? XN_OK : xn_net_fail(net, XN_ENUMERIC, "accumulate: the loss is not finite");
}

/* ---- update ------------------------------------------------------------ */

/* The optimizer's update of every parameter from the gradient buffer, or
 * nothing at all if a new value would not be finite.  One sweep, after a
 * light pass that finds the largest |p| and |g|: with the bounds kept on
 * the moments, they prove every new value finite (or there is a NaN, an
 * infinity or a value so large it cannot tell, and then the whole update
 * is checked first, as a second sweep).  Weight decay skips the biases, so
 * it goes layer by layer; without it the parameters are one vector. */
static void sweep(xn_net *net, const xn_opt_step *c)
{
    const xn_opt *o = &net->opt;
    double *p = net->params, *g = net->grads, *m = net->m, *v = net->v;
    if (o->weight_decay == 0.0) {
        xn_opt_apply(o->kind, c, false, net->nparams, p, g, m, v);
        return;
    }
    for (size_t l = 1; l <= net->L; l++) {
        size_t w = net->woff[l], b = net->boff[l], nw = b - w, nb = net->sizes[l];
        xn_opt_apply(o->kind, c, true, nw, p + w, g + w, m + w, v + w);
        xn_opt_apply(o->kind, c, false, nb, p + b, g + b, m + b, v + b);
    }
}

static bool all_finite(const xn_net *net, const xn_opt_step *c)
{
    const xn_opt *o = &net->opt;
    const double *p = net->params, *g = net->grads, *m = net->m, *v = net->v;
    if (o->weight_decay == 0.0)
        return xn_opt_check(o->kind, c, false, net->nparams, p, g, m, v);
    bool ok = true;
    for (size_t l = 1; ok && l <= net->L; l++) {
        size_t w = net->woff[l], b = net->boff[l], nw = b - w, nb = net->sizes[l];
        ok = xn_opt_check(o->kind, c, true, nw, p + w, g + w, m + w, v + w) &&
             xn_opt_check(o->kind, c, false, nb, p + b, g + b, m + b, v + b);
    }
    return ok;
}

xn_status xn_net_apply_update(xn_net *net)
{
    const xn_opt *o = &net->opt;
    xn_opt_step c = xn_opt_step_for(o, net->opt_t);
    size_t P = net->nparams;
    double pmax = xn_opt_absmax(P, net->params), gmax = xn_opt_absmax(P, net->grads);
    if (xn_opt_safe(o->kind, &c, o->weight_decay > 0.0, pmax, gmax, &net->mbound, &net->vbound)) {
        sweep(net, &c);
    } else {
        if (!all_finite(net, &c))
            return xn_net_fail(net, XN_ENUMERIC,
                               "update: a parameter or moment would not be finite; nothing changed");
        sweep(net, &c);
        net->mbound = xn_opt_absmax(P, net->m); /* measured: beyond what a bound proves */
        net->vbound = xn_opt_absmax(P, net->v);
    }
    net->opt_t++;
    return XN_OK;
}

xn_status xn_net_update(xn_net *net)
{
    if (!net)
        return XN_EINVAL;
    if (!net->train)
        return xn_net_fail(net, XN_EINVAL, "update: no gradient yet (xn_net_gradient or xn_net_accumulate first)");
    return xn_net_apply_update(net);
}

/* A step's optimizer takes the network's place: a change of kind resets
 * the moments, new hyper-parameters of the same kind keep them. */
static xn_status adopt_opt(xn_net *net, const xn_opt *opt)
{
    if (!opt)
        return xn_net_fail(net, XN_EINVAL, "train_step: no optimizer");
    if (opt->kind != net->opt.kind)
        return xn_net_set_opt(net, opt);
    const char *why = xn_opt_invalid(opt);
    if (why)
        return xn_net_fail(net, XN_EINVAL, "optimizer: %s", why);
    net->opt = *opt;
    return XN_OK;
}

xn_status xn_net_train_step(xn_net *net, size_t n, const double *x, const double *y,
                            const xn_opt *opt, double *loss)
{
    if (!net)
        return XN_EINVAL;
    xn_status s = adopt_opt(net, opt);
    if (s == XN_OK)
        s = check_training(net, n, x, y, "train_step");
    if (s != XN_OK)
        return s;
    /* forward, loss and backward, then the update */
    net->grads_fresh = true;
    double value = xn_loss_mean(net->loss, n, net->sizes[net->L], xn_net_accumulate_rows(net, n, x, y, n, 0.0, false));
    if (loss)
        *loss = value;
    if (!isfinite(value))
        return xn_net_fail(net, XN_ENUMERIC, "train_step: the loss is not finite; nothing changed");
    return xn_net_apply_update(net);
}
