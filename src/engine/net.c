/* The network's life: the one checker of the network rules, creation with
 * its parameter, training-state and workspace allocations, copies, the
 * views into the parameters and gradients, the optimizer it carries, and
 * the reason its last call failed.  What the network computes is in
 * step.c (and the stages it calls); how weights are drawn, in init.c; the
 * optimizer it carries, in opt.c; the standardization of its inputs and
 * targets, in scale.c; its threads, in threads.c. */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "src/util/text.h"

xn_status xn_net_fail(xn_net *net, xn_status s, const char *fmt, ...)
{
    if (net && s != XN_OK) {
        va_list ap;
        va_start(ap, fmt);
        xn_vformat(net->error, sizeof net->error, fmt, ap);
        va_end(ap);
    }
    return s;
}

const char *xn_net_error(const xn_net *net)
{
    return net ? net->error : "no network";
}

/* ---- the network rules ------------------------------------------------- */

static bool act_valid(xn_act a) { return a >= XN_ACT_IDENTITY && a <= XN_ACT_SOFTMAX; }

xn_status xn_config_check(const xn_net_config *cfg, xn_error *err, size_t *nparams)
{
    if (!cfg || !cfg->sizes || !cfg->acts)
        return xn_fail_setting(err, "n_layers", XN_EINVAL, "no configuration, sizes or activations");
    size_t L = cfg->n_layers;
    if (L == 0)
        return xn_fail_setting(err, "n_layers", XN_EDIM, "a network needs at least one layer (n_layers is 0)");
    if (L > XN_MAX_LAYERS)
        return xn_fail_setting(err, "n_layers", XN_ENOMEM, "%zu layers is over the limit of %d", L, XN_MAX_LAYERS);
    if (cfg->loss < XN_LOSS_MSE || cfg->loss > XN_LOSS_BCE_SUM)
        return xn_fail_setting(err, "loss", XN_EINVAL, "unknown loss %d", (int)cfg->loss);
    if (cfg->kernel < XN_KERNEL_AUTO || cfg->kernel > XN_KERNEL_NAIVE)
        return xn_fail_setting(err, "kernel", XN_EINVAL, "unknown kernel %d", (int)cfg->kernel);
    if (cfg->dtype != XN_FLOAT64 && cfg->dtype != XN_FLOAT32)
        return xn_fail_setting(err, "dtype", XN_EINVAL, "unknown element type %d", (int)cfg->dtype);
    for (size_t i = 0; i <= L; i++)
        if (cfg->sizes[i] == 0)
            return xn_fail_setting(err, "sizes", XN_EDIM, "size %zu of the list is 0 (sizes are at least 1)", i + 1);
    size_t total = 0;
    for (size_t l = 1; l <= L; l++) {
        size_t in = cfg->sizes[l - 1], out = cfg->sizes[l], w, layer;
        if (in > INT_MAX || out > INT_MAX) /* BLAS takes int dimensions */
            return xn_fail_setting(err, "sizes", XN_ENOMEM, "size %zu is over the limit of %d",
                           in > INT_MAX ? in : out, INT_MAX);
        if (!xn_mul_ok(in, out, &w) || !xn_add_ok(w, out, &layer) || !xn_add_ok(total, layer, &total))
            return xn_fail_setting(err, "sizes", XN_EDIM, "the parameter count of the sizes overflows");
        xn_act a = cfg->acts[l - 1];
        if (!act_valid(a))
            return xn_fail_setting(err, "acts", XN_EINVAL, "layer %zu: unknown activation %d", l, (int)a);
        if (a == XN_ACT_SOFTMAX && l != L)
            return xn_fail_setting(err, "acts", XN_EINVAL,
                           "layer %zu: softmax is allowed only on the last layer", l);
    }
    if (total > XN_MAX_PARAMS)
        return xn_fail_setting(err, "sizes", XN_ENOMEM, "the sizes make %zu parameters, over the limit of %zu",
                       total, (size_t)XN_MAX_PARAMS);
    xn_act out = cfg->acts[L - 1];
    /* the cross-entropies need outputs in (0, 1) from their own activation */
    if ((cfg->loss == XN_LOSS_BCE || cfg->loss == XN_LOSS_BCE_SUM) && out != XN_ACT_SIGMOID)
        return xn_fail_setting(err, "loss", XN_EINVAL, "loss %s needs a sigmoid output layer, not %s",
                               xn_loss_name(cfg->loss), xn_act_name(out));
    if (cfg->loss == XN_LOSS_CCE && out != XN_ACT_SOFTMAX)
        return xn_fail_setting(err, "loss", XN_EINVAL, "loss cce needs a softmax output layer, not %s",
                       xn_act_name(out));
    if (out == XN_ACT_SOFTMAX && cfg->sizes[L] < 2)
        return xn_fail_setting(err, "acts", XN_EINVAL,
                       "softmax over one output is the constant 1; it needs two or more");
    if (cfg->max_batch > INT_MAX) /* BLAS indexes rows with int */
        return xn_fail_setting(err, "max_batch", XN_ENOMEM, "max_batch %zu is over the limit of %d rows",
                       cfg->max_batch, INT_MAX);
    if (nparams)
        *nparams = total;
    return XN_OK;
}

xn_status xn_net_check_config(const xn_net_config *cfg, xn_error *err)
{
    xn_error_clear(err);
    return xn_config_check(cfg, err, NULL);
}

/* ---- creation ---------------------------------------------------------- */

xn_status xn_net_new(xn_net **out, const xn_net_config *cfg, bool training, size_t threads, xn_error *err)
{
    xn_error_clear(err);
    if (!out)
        return xn_fail(err, 0, XN_EINVAL, "no place for the network");
    *out = NULL;
    size_t nparams = 0;
    xn_status s = xn_config_check(cfg, err, &nparams);
    if (s != XN_OK)
        return s;
    xn_net *net = calloc(1, sizeof *net);
    if (!net)
        return xn_fail(err, 0, XN_ENOMEM, "out of memory");
    net->L = cfg->n_layers;
    net->loss = cfg->loss;
    net->kernel = cfg->kernel;
    net->dtype = cfg->dtype;
    net->engine = cfg->dtype == XN_FLOAT32 ? &xn_engine_f32 : &xn_engine_f64;
    net->nparams = nparams;
    net->opt = xn_opt_default(XN_OPT_GD);
    net->threads = threads; /* within XN_MAX_THREADS: 0 or a network's own */
    net->max_threads = threads ? threads : xn_cpu_count() < XN_MAX_THREADS ? xn_cpu_count() : XN_MAX_THREADS;
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
    net->params = calloc(nparams, net->engine->size);
    s = net->params ? XN_OK : XN_ENOMEM;
    if (s == XN_OK && training)
        s = xn_net_need_training(net);
    if (s == XN_OK)
        s = xn_net_reserve(net, cfg->max_batch ? cfg->max_batch : 4);
    if (s != XN_OK) {
        xn_net_destroy(net);
        return xn_fail(err, 0, s, "out of memory");
    }
    *out = net;
    return XN_OK;
}

xn_status xn_net_create(xn_net **out, const xn_net_config *cfg)
{
    return xn_net_new(out, cfg, true, 0, NULL);
}

xn_status xn_net_need_training(xn_net *net)
{
    if (net->train)
        return XN_OK;
    size_t P = net->nparams, bytes = P * net->engine->size;
    net->train = calloc(3, bytes);
    net->part = malloc(2 * xn_update_slices(net, true) * sizeof *net->part);
    if (!net->train || !net->part) {
        free(net->train);
        free(net->part);
        net->train = NULL;
        net->part = NULL;
        return xn_net_fail(net, XN_ENOMEM, "out of memory for the gradients and moments");
    }
    net->grads = net->train;
    net->m = (char *)net->train + bytes;
    net->v = (char *)net->train + 2 * bytes;
    net->grads_fresh = true;
    return XN_OK;
}

void xn_net_destroy(xn_net *net)
{
    if (!net)
        return;
    xn_pool_destroy(net->pool);
    free(net->part);
    free(net->ws);
    free(net->solver);
    free(net->solver_ws);
    free(net->mean);
    free(net->ymean);
    xn_net_set_labels(net, 0, NULL);
    free(net->train);
    free(net->params);
    free(net);
}

xn_status xn_net_reserve(xn_net *net, size_t max_batch)
{
    if (!net)
        return XN_EINVAL;
    if (max_batch == 0)
        return xn_net_fail(net, XN_EDIM, "reserve: 0 rows");
    if (max_batch <= net->cap)
        return XN_OK;
    if (max_batch > INT_MAX)
        return xn_net_fail(net, XN_ENOMEM, "%zu rows is over the limit of %d", max_batch, INT_MAX);
    /* elements per row: the loss terms (K doubles), every A_l, Z_L, the two
     * delta buffers, and the inputs and targets where the caller's doubles
     * are converted */
    bool convert_x = net->mean || net->dtype != XN_FLOAT64, convert_y = net->ymean || net->dtype != XN_FLOAT64;
    size_t n0 = net->sizes[0], K = net->sizes[net->L], es = net->engine->size;
    size_t per_row = K * sizeof(double) / es + K + 2 * net->max_width + (convert_x ? n0 : 0) + (convert_y ? K : 0),
           total;
    for (size_t l = 1; l <= net->L; l++)
        per_row += net->sizes[l];
    if (!xn_mul_ok(per_row, max_batch, &total) || total > SIZE_MAX / es)
        return xn_net_fail(net, XN_ENOMEM, "a workspace of %zu rows overflows", max_batch);
    char *ws = malloc(total * es);
    if (!ws)
        return xn_net_fail(net, XN_ENOMEM, "out of memory for a workspace of %zu rows", max_batch);
    free(net->ws);
    net->ws = ws;
    net->cap = max_batch;
    net->terms = (double *)(void *)ws;
    ws += max_batch * K * sizeof(double);
    for (size_t l = 1; l <= net->L; l++) {
        net->a[l] = ws;
        ws += max_batch * net->sizes[l] * es;
    }
    net->zout = ws;
    ws += max_batch * K * es;
    net->delta[0] = ws;
    net->delta[1] = ws + max_batch * net->max_width * es;
    ws += 2 * max_batch * net->max_width * es;
    net->xs = convert_x ? ws : NULL;
    ws += convert_x ? max_batch * n0 * es : 0;
    net->ys = convert_y ? ws : NULL;
    xn_net_start_threads(net);
    return XN_OK;
}

size_t xn_net_reserved(const xn_net *net) { return net ? net->cap : 0; }

xn_status xn_net_clone(xn_net **out, const xn_net *net)
{
    if (!out)
        return XN_EINVAL;
    *out = NULL;
    if (!net)
        return XN_EINVAL;
    xn_net_config cfg = {.n_layers = net->L, .sizes = net->sizes, .acts = net->acts + 1,
                         .loss = net->loss, .max_batch = net->cap, .kernel = net->kernel,
                         .dtype = net->dtype};
    xn_status s = xn_net_new(out, &cfg, net->train != NULL, net->threads, NULL);
    if (s != XN_OK)
        return s;
    xn_net *c = *out;
    size_t bytes = net->nparams * net->engine->size;
    memcpy(c->params, net->params, bytes);
    c->solver = net->solver ? malloc(net->solver_bytes) : NULL; /* lm's or lbfgs' state, not its scratch */
    if ((net->solver && !c->solver && (s = XN_ENOMEM) != XN_OK) ||
        (net->mean && (s = xn_net_set_standardization(c, net->mean, net->sd)) != XN_OK) ||
        (net->ymean && (s = xn_net_set_target_standardization(c, net->ymean, net->ysd)) != XN_OK) ||
        (s = xn_net_set_labels(c, net->n_labels, (const char *const *)net->labels)) != XN_OK) {
        xn_net_destroy(c);
        *out = NULL;
        return s;
    }
    if (net->train)
        memcpy(c->train, net->train, 3 * bytes);
    c->grads_fresh = net->grads_fresh;
    c->grads_set = net->grads_set;
    c->initialized = net->initialized;
    c->opt = net->opt;
    c->opt_t = net->opt_t;
    c->mbound = net->mbound;
    c->vbound = net->vbound;
    c->clip = net->clip;
    if (c->solver)
        memcpy(c->solver, net->solver, c->solver_bytes = net->solver_bytes);
    return XN_OK;
}

/* ---- accessors and views ----------------------------------------------- */

size_t xn_net_layers(const xn_net *net) { return net ? net->L : 0; }
size_t xn_net_size(const xn_net *net, size_t i) { return net && i <= net->L ? net->sizes[i] : 0; }
xn_act xn_net_act(const xn_net *net, size_t l)
{
    return net && l >= 1 && l <= net->L ? net->acts[l] : XN_ACT_IDENTITY;
}
xn_loss xn_net_loss(const xn_net *net) { return net ? net->loss : XN_LOSS_MSE; }
double xn_net_loss_clip(const xn_net *net) { return net ? net->clip : 0.0; }

xn_status xn_net_set_loss_clip(xn_net *net, double clip)
{
    if (!net)
        return XN_EINVAL;
    if (!(clip >= 0.0 && clip < 0.5))
        return xn_net_fail(net, XN_EINVAL, "loss_clip: %g is not in [0, 0.5)", clip);
    net->clip = clip;
    return XN_OK;
}
xn_kernel xn_net_kernel(const xn_net *net) { return net ? net->kernel : XN_KERNEL_AUTO; }
void xn_net_set_kernel(xn_net *net, xn_kernel k)
{
    if (net && k >= XN_KERNEL_AUTO && k <= XN_KERNEL_NAIVE) {
        net->kernel = k;
        xn_net_start_threads(net); /* the naive kernel cuts less */
    }
}
size_t xn_net_param_count(const xn_net *net) { return net ? net->nparams : 0; }

static bool layer_ok(const xn_net *net, size_t l) { return net && l >= 1 && l <= net->L; }

double xn_net_get(const xn_net *net, const void *v, size_t i)
{
    return net->dtype == XN_FLOAT32 ? ((const float *)v)[i] : ((const double *)v)[i];
}

void xn_net_put(const xn_net *net, void *v, size_t i, double x)
{
    if (net->dtype == XN_FLOAT32)
        ((float *)v)[i] = (float)x;
    else
        ((double *)v)[i] = x;
}

/* A float64 network's vector v at element off, or NULL; a writable view of
 * the parameters counts as setting them by hand, of the gradient as setting
 * it. */
static double *view(xn_net *net, void *v, size_t off)
{
    if (!v || net->dtype != XN_FLOAT64)
        return NULL;
    if (v == net->params) /* from now on anyone may change them */
        net->initialized = true;
    if (v == net->grads)
        net->grads_set = true;
    return (double *)v + off;
}

xn_dtype xn_net_dtype(const xn_net *net) { return net ? net->dtype : XN_FLOAT64; }
double *xn_net_weights(xn_net *net, size_t l) { return layer_ok(net, l) ? view(net, net->params, net->woff[l]) : NULL; }
double *xn_net_bias(xn_net *net, size_t l) { return layer_ok(net, l) ? view(net, net->params, net->boff[l]) : NULL; }
double *xn_net_params(xn_net *net) { return net ? view(net, net->params, 0) : NULL; }
double *xn_net_dweights(xn_net *net, size_t l) { return layer_ok(net, l) ? view(net, net->grads, net->woff[l]) : NULL; }
double *xn_net_dbias(xn_net *net, size_t l) { return layer_ok(net, l) ? view(net, net->grads, net->boff[l]) : NULL; }
double *xn_net_grads(xn_net *net) { return net ? view(net, net->grads, 0) : NULL; }
void *xn_net_params_data(xn_net *net)
{
    if (!net)
        return NULL;
    net->initialized = true;
    return net->params;
}

xn_status xn_net_copy_out(const xn_net *net, const void *v, double *out)
{
    if (!net || !out)
        return XN_EINVAL;
    if (!v)
        return XN_EINVAL;
    net->engine->to_double(net->nparams, v, out);
    return XN_OK;
}

xn_status xn_net_copy_in(xn_net *net, void *v, const double *in, const char *what)
{
    if (!net || !in)
        return XN_EINVAL;
    if (!v)
        return xn_net_fail(net, XN_EINVAL, "set_%s: no training state yet", what);
    for (size_t i = 0; i < net->nparams; i++)
        if (net->dtype == XN_FLOAT32 ? !xn_fits_float(in[i]) : !isfinite(in[i]))
            return xn_net_fail(net, XN_ENUMERIC, "set_%s: value %zu is not finite as %s", what, i + 1,
                               xn_dtype_name(net->dtype));
    for (size_t i = 0; i < net->nparams; i++)
        xn_net_put(net, v, i, in[i]);
    return XN_OK;
}

xn_status xn_net_get_params(const xn_net *net, double *out) { return xn_net_copy_out(net, net ? net->params : NULL, out); }
xn_status xn_net_get_grads(const xn_net *net, double *out) { return xn_net_copy_out(net, net ? net->grads : NULL, out); }

xn_status xn_net_set_params(xn_net *net, const double *in)
{
    xn_status s = xn_net_copy_in(net, net ? net->params : NULL, in, "params");
    if (s == XN_OK)
        net->initialized = true;
    return s;
}

xn_status xn_net_set_grads(xn_net *net, const double *in)
{
    xn_status s = xn_net_copy_in(net, net ? net->grads : NULL, in, "grads");
    if (s == XN_OK)
        net->grads_set = true;
    return s;
}
