/* What a network computes for one element type: forward, the loss,
 * backward, the accumulated gradient of a batch's rows, the optimizer's
 * update (update_t.h), and the conversions between the caller's doubles
 * and the network's type.  Included by step.c once per type; step.c keeps
 * the public calls, which check their arguments and dispatch on the
 * network's type (xn_net->engine).  The workspace and parameters are the
 * network's type; a float network rounds its inputs and targets to float
 * on the way in (standardized in double first) and its outputs widen on
 * the way out.
 *
 * Each stage is a region of slices on the network's threads (threads.c):
 *   forward   per layer, the product Z_l = A_{l-1} W_l in slices of its
 *             columns, each followed by its bias and activation while the
 *             slice is in cache; then the head: the output layer's bias
 *             and activation, the loss terms and the output delta, in
 *             slices of rows;
 *   backward  per layer l from the last, in slices of the columns of
 *             A_{l-1}: dA_{l-1} = dZ_l W_l^T, the activation's derivative
 *             and the bias sums, then on the same columns the weight
 *             gradient dW_{l-1} = A_{l-2}^T dZ_{l-1}, so a slice of
 *             dZ_{l-1} is used while it is in cache (the last layer's own
 *             dW_L and bias sums take slices of its columns beside them).
 * Every output entry belongs to one slice and every sum runs over the rows
 * in order inside it, so the result is the same on any number of threads:
 * what changes it is the cut into slices, which follows the shapes alone.
 * Where a width-1 layer follows, the fast kernels fold its product into
 * the passes around it (bias_act_dot forward, narrow_backward backward). */

#include "update_t.h"

static bool TF(fused)(const xn_net *net) { return net->kernel != XN_KERNEL_NAIVE; }

/* Rows a slice of a step's pass over rows `width` wide: the naive kernel,
 * the specification, takes the whole batch in every pass. */
static size_t TF(row_span)(const xn_net *net, size_t width)
{
    return net->sliced && TF(fused)(net) ? xn_row_span(width) : SIZE_MAX;
}

/* The network's buffers as the type. */
#define W(l) ((XN_T *)net->params + net->woff[l])
#define B(l) ((XN_T *)net->params + net->boff[l])
#define A(l) ((XN_T *)net->a[l])
#define G(off) ((XN_T *)net->grads + (off))

/* Whether layer l is a width-1 layer whose backward pass is fused into the
 * pass over the activations before it. */
static bool TF(narrow)(const xn_net *net, size_t l)
{
    return l > 1 && net->sizes[l] == 1 && TF(fused)(net);
}

/* What the slices of a region share. */
typedef struct {
    xn_net *net;
    size_t n, total, l;  /* the block's rows, its batch's rows, the layer */
    const XN_T *x, *y;   /* its inputs (n, n0) and targets (n, nL), or NULL */
    XN_T *aL, *zL;       /* its outputs and logits (n, nL) */
    XN_T *dz, *dzp;      /* layer l's delta (n, n_l), the one it passes down */
    double *terms;       /* the rows' loss terms, or NULL */
    bool first;          /* overwrite the gradients, else add to them */
    bool act;            /* a column slice of the product gets its bias and activation */
    size_t width, width2;/* column slices' widths (the chain's: width2) */
    size_t split;        /* slices [0, split) are the last layer's own */
    size_t rows;         /* rows a slice of rows */
} TF(job);

/* Columns [c0, c0 + *w) of slice s of cols cut every `width` (cols /
 * width slices, xn_col_width), the last one to the end: no slice is
 * narrower than width. */
static size_t TF(cols)(size_t cols, size_t width, size_t s, size_t *w)
{
    size_t c0 = s * width;
    *w = s + 1 == xn_col_slices(cols, width) ? cols - c0 : width;
    return c0;
}

/* ---- forward ----------------------------------------------------------- */

/* Slice s of layer l's product, then (j->act) its bias and activation. */
static inline void TF(fwd_cols)(void *ctx, size_t s)
{
    const TF(job) *j = ctx;
    xn_net *net = j->net;
    size_t l = j->l, fi = net->sizes[l - 1], fo = net->sizes[l], w;
    size_t c0 = TF(cols)(fo, j->width, s, &w);
    const XN_T *in = l > 1 ? A(l - 1) : j->x;
    XN_T *z = (l == net->L ? j->zL : A(l)) + c0;
    TF(xn_kernels_pick)(net->kernel, j->n, fi, fo)->fwd(j->n, fi, w, in, W(l) + c0, z, fo);
    if (j->act)
        TF(xn_dense_bias_act)(j->n, w, net->acts[l], z, B(l) + c0, z, false, fo);
}

/* Rows of hidden layer l's bias and activation, in place, for a product
 * done by the pass before. */
static inline void TF(act_rows)(void *ctx, size_t s)
{
    const TF(job) *j = ctx;
    xn_net *net = j->net;
    size_t l = j->l, fo = net->sizes[l], r0 = s * j->rows, m = j->n - r0 < j->rows ? j->n - r0 : j->rows;
    XN_T *a = A(l) + r0 * fo;
    TF(xn_dense_bias_act)(m, fo, net->acts[l], a, B(l), a, false, fo);
}

/* Rows of layer l's bias and activation, in place, fused with the product
 * of the width-1 layer l + 1. */
static inline void TF(dot_rows)(void *ctx, size_t s)
{
    const TF(job) *j = ctx;
    xn_net *net = j->net;
    size_t l = j->l, fo = net->sizes[l], r0 = s * j->rows, m = j->n - r0 < j->rows ? j->n - r0 : j->rows;
    XN_T *znext = l + 1 == net->L ? j->zL : A(l + 1);
    TF(xn_dense_bias_act_dot)(m, fo, net->acts[l], A(l) + r0 * fo, B(l), W(l + 1), znext + r0);
}

/* Rows of the head: the output layer's bias and activation (its logits
 * kept), and with targets their loss terms and, with dz, the output
 * delta. */
static inline void TF(head_rows)(void *ctx, size_t s)
{
    const TF(job) *j = ctx;
    xn_net *net = j->net;
    size_t L = net->L, K = net->sizes[L], r0 = s * j->rows, m = j->n - r0 < j->rows ? j->n - r0 : j->rows;
    XN_T *z = j->zL + r0 * K, *a = j->aL + r0 * K;
    TF(xn_dense_bias_act)(m, K, net->acts[L], z, B(L), a, true, K);
    if (j->y)
        TF(xn_loss_terms)(net->loss, net->acts[L], m, K, j->total, a, z, j->y + r0 * K,
                          j->dz ? j->dz + r0 * K : NULL, j->terms + r0 * xn_loss_width(net->loss, K));
}

/* Forward pass of the job's rows (n <= cap): the hidden activations land
 * in the workspace, the output activations in aL and the output logits in
 * zL; with targets, the loss terms and (dz) the output delta. */
static void TF(forward_job)(xn_net *net, TF(job) *j)
{
    size_t L = net->L;
    bool product_done = false; /* z_l was computed by layer l-1's pass */
    for (size_t l = 1; l <= L; l++) {
        size_t fi = net->sizes[l - 1], fo = net->sizes[l];
        bool dot = l < L && net->sizes[l + 1] == 1 && TF(fused)(net);
        j->l = l;
        if (!product_done) {
            j->width = xn_col_width(net, fo, j->n * fi);
            j->act = l < L && !dot;
            xn_net_run(net, xn_col_slices(fo, j->width), TF(fwd_cols), j);
        }
        j->rows = TF(row_span)(net, fo);
        if (dot)
            xn_net_run(net, xn_slices(j->n, j->rows), TF(dot_rows), j);
        else if (product_done && l < L)
            xn_net_run(net, xn_slices(j->n, j->rows), TF(act_rows), j);
        product_done = dot;
    }
    /* a row of the head costs an exp an output, twice with a loss (the
     * activation in the type, the loss's log-sum-exp in double), and a log:
     * some 16 elements' worth of a plain pass an output */
    j->rows = TF(row_span)(net, 16 * net->sizes[L]);
    xn_net_run(net, xn_slices(j->n, j->rows), TF(head_rows), j);
}

static void TF(forward)(xn_net *net, size_t n, const void *x, void *aL, void *zL)
{
    TF(job) j = {.net = net, .n = n, .total = n, .x = x, .aL = aL, .zL = zL};
    TF(forward_job)(net, &j);
}

/* ---- backward ---------------------------------------------------------- */

/* Columns of the output delta: the bias sums and, unless a width-1 layer's
 * fused pass does it, the weight gradient dW_L. */
static inline void TF(out_grads)(const TF(job) *j, size_t s)
{
    xn_net *net = j->net;
    size_t L = net->L, fi = net->sizes[L - 1], fo = net->sizes[L], w;
    size_t c0 = TF(cols)(fo, j->width, s, &w);
    TF(xn_dense_colsum)(j->n, w, j->dz + c0, G(net->boff[L]) + c0, j->first, fo);
    if (!TF(narrow)(net, L)) {
        const TF(xn_kernels) *k = TF(xn_kernels_pick)(net->kernel, j->n, fi, fo);
        (j->first ? k->dw : k->dwacc)(j->n, fi, w, L > 1 ? A(L - 1) : j->x, j->dz + c0,
                                      G(net->woff[L]) + c0, fo);
    }
}

/* Columns of A_{l-1}, l > 1: the delta passed down and its bias sums,
 * then, unless layer l-1 is a fused width-1 one, its weight gradient. */
static inline void TF(chain)(const TF(job) *j, size_t s)
{
    xn_net *net = j->net;
    size_t l = j->l, fi = net->sizes[l - 1], fo = net->sizes[l], w;
    size_t c0 = TF(cols)(fi, j->width2, s, &w);
    const XN_T *a = A(l - 1) + c0;
    XN_T *dzp = j->dzp + c0, *dbp = G(net->boff[l - 1]) + c0;
    if (TF(narrow)(net, l)) {
        TF(xn_dense_narrow_backward)(j->n, w, net->acts[l - 1], a, j->dz, W(l) + c0,
                                     G(net->woff[l]) + c0, dzp, dbp, j->first, fi);
    } else {
        TF(xn_kernels_pick)(net->kernel, j->n, fi, fo)->dx(j->n, w, fo, j->dz, W(l) + c0 * fo, dzp, fi);
        TF(xn_dense_deriv_colsum)(j->n, w, net->acts[l - 1], a, dzp, dbp, j->first, fi);
    }
    if (!TF(narrow)(net, l - 1)) {
        size_t fi2 = net->sizes[l - 2];
        const TF(xn_kernels) *k = TF(xn_kernels_pick)(net->kernel, j->n, fi2, fi);
        (j->first ? k->dw : k->dwacc)(j->n, fi2, w, l > 2 ? A(l - 2) : j->x, dzp,
                                      G(net->woff[l - 1]) + c0, fi);
    }
}

static inline void TF(back_cols)(void *ctx, size_t s)
{
    const TF(job) *j = ctx;
    if (s < j->split)
        TF(out_grads)(j, s);
    else
        TF(chain)(j, s - j->split);
}

/* Backward pass of the job's rows, whose output delta is in delta[0]:
 * layer by layer from the last (the first layer's weight gradient is part
 * of the second's region). */
static void TF(backward)(xn_net *net, TF(job) *j)
{
    size_t L = net->L;
    j->dz = net->delta[0];
    j->dzp = net->delta[1];
    for (size_t l = L; l >= 1; l--) {
        size_t fi = net->sizes[l - 1], fo = net->sizes[l], chains = 0;
        j->l = l;
        j->split = 0;
        if (l == L) {
            j->width = xn_col_width(net, fo, j->n * fi);
            j->split = xn_col_slices(fo, j->width);
        }
        if (l > 1) {
            size_t down = TF(narrow)(net, l - 1) ? 0 : net->sizes[l - 2];
            j->width2 = xn_col_width(net, fi, j->n * (fo + down));
            chains = xn_col_slices(fi, j->width2);
        }
        if (j->split + chains == 0)
            break;
        xn_net_run(net, j->split + chains, TF(back_cols), j);
        XN_T *t = j->dz;
        j->dz = j->dzp;
        j->dzp = t;
    }
}

/* ---- rows in and out --------------------------------------------------- */

/* Rows idx[0..m) of x (., k), or rows 0..m-1 when idx is NULL, into out
 * (m, k) of the type: (x - mean) / sd in double unless mean is NULL, then
 * rounded to the type. */
static void TF(rows_in)(size_t m, size_t k, const double *x, const size_t *idx, const double *mean,
                        const double *sd, void *outv)
{
    XN_T *out = outv;
    for (size_t i = 0; i < m; i++) {
        const double *src = x + (idx ? idx[i] : i) * k;
        XN_T *dst = out + i * k;
        if (mean)
            for (size_t j = 0; j < k; j++)
                dst[j] = (XN_T)((src[j] - mean[j]) / sd[j]);
        else
            for (size_t j = 0; j < k; j++)
                dst[j] = (XN_T)src[j];
    }
}

typedef struct {
    size_t m, k, rows;
    const double *x;
    const size_t *idx;
    const double *mean, *sd;
    XN_T *out;
} TF(gather_job);

static void TF(gather_rows)(void *ctx, size_t s)
{
    const TF(gather_job) *g = ctx;
    size_t r0 = s * g->rows, m = g->m - r0 < g->rows ? g->m - r0 : g->rows;
    TF(rows_in)(m, g->k, g->idx ? g->x : g->x + r0 * g->k, g->idx ? g->idx + r0 : NULL, g->mean, g->sd,
                g->out + r0 * g->k);
}

/* rows_in on the network's threads, a slice of rows each. */
static void TF(gather)(const xn_net *net, size_t m, size_t k, const double *x, const size_t *idx,
                       const double *mean, const double *sd, void *out)
{
    TF(gather_job) g = {.m = m, .k = k, .rows = xn_row_span(k), .x = x, .idx = idx,
                        .mean = mean, .sd = sd, .out = out};
    xn_net_run(net, xn_slices(m, g.rows), TF(gather_rows), &g);
}

/* Rows x (m, n0) of doubles as the first layer takes them: the caller's
 * own rows for a double network without standardization, else converted
 * into the workspace (m <= cap). */
static const XN_T *TF(inputs)(xn_net *net, size_t m, const double *x)
{
    if (!net->xs)
        return (const XN_T *)(const void *)x;
    TF(gather)(net, m, net->sizes[0], x, NULL, net->mean, net->sd, net->xs);
    return net->xs;
}

/* Targets y (m, nL) of doubles in the type and, for a network that
 * standardizes its targets, standardized, the same way. */
static const XN_T *TF(targets)(xn_net *net, size_t m, const double *y)
{
    if (!net->ys)
        return (const XN_T *)(const void *)y;
    TF(gather)(net, m, net->sizes[net->L], y, NULL, net->ymean, net->ysd, net->ys);
    return net->ys;
}

static void TF(to_double)(size_t n, const void *v, double *out)
{
    const XN_T *t = v;
    for (size_t i = 0; i < n; i++)
        out[i] = t[i];
}

/* ---- the gradient and the loss ----------------------------------------- */

/* The gradient of rows of a batch of `total` rows (xn_net_accumulate_rows):
 * x and y are the type's rows when `ready`, else the caller's doubles. */
static double TF(accumulate)(xn_net *net, size_t n, const void *x, const void *y, size_t total,
                             double sum, bool ready, size_t nb)
{
    size_t n0 = net->sizes[0], K = net->sizes[net->L];
    for (size_t r0 = 0; r0 < n; r0 += nb) {
        size_t m = n - r0 < nb ? n - r0 : nb;
        TF(job) j = {.net = net, .n = m, .total = total, .terms = net->terms, .first = net->grads_fresh,
                     .aL = (XN_T *)net->a[net->L] + r0 * K, .zL = (XN_T *)net->zout + r0 * K,
                     .dz = net->delta[0]};
        j.x = ready ? (const XN_T *)x + r0 * n0 : TF(inputs)(net, m, (const double *)x + r0 * n0);
        j.y = ready ? (const XN_T *)y + r0 * K : TF(targets)(net, m, (const double *)y + r0 * K);
        TF(forward_job)(net, &j);
        sum = xn_loss_add(net->loss, m, K, net->terms, sum);
        TF(backward)(net, &j);
        net->grads_fresh = false;
    }
    return sum;
}

/* The loss terms of rows x, y (m <= cap, doubles) added to sum; their
 * outputs stay in the workspace. */
static double TF(loss_rows)(xn_net *net, size_t m, const double *x, const double *y, size_t total,
                            double sum)
{
    size_t K = net->sizes[net->L];
    TF(job) j = {.net = net, .n = m, .total = total, .terms = net->terms, .aL = net->a[net->L],
                 .zL = net->zout};
    j.x = TF(inputs)(net, m, x);
    j.y = TF(targets)(net, m, y);
    TF(forward_job)(net, &j);
    return xn_loss_add(net->loss, m, K, net->terms, sum);
}

static size_t TF(count_right)(size_t m, size_t K, const void *a, const void *y)
{
    return TF(xn_count_right)(m, K, a, y);
}

static double TF(sq_err)(size_t n, const void *a, const void *y)
{
    return TF(xn_sq_err)(n, a, y);
}

#undef W
#undef B
#undef A
#undef G

const xn_engine TF(xn_engine) = {
    .dtype = XN_DTYPE,
    .size = sizeof(XN_T),
    .forward = TF(forward),
    .accumulate = TF(accumulate),
    .loss_rows = TF(loss_rows),
    .rows_in = TF(rows_in),
    .gather = TF(gather),
    .to_double = TF(to_double),
    .count_right = TF(count_right),
    .sq_err = TF(sq_err),
    .update = TF(update),
    .absmax = TF(absmax),
};
