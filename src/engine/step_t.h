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
 * Each stage is a region of slices on the network's threads (threads.c);
 * a product is cut along its output's rows or columns, whichever copies
 * less (xn_product_cut):
 *   forward   per layer, the product Z_l = A_{l-1} W_l in slices, each
 *             followed by its bias and activation while the slice is in
 *             cache; then the head: the output layer's bias and
 *             activation, the loss terms and the output delta, in slices
 *             of rows;
 *   backward  per layer l from the last, in one region: the weight
 *             gradient dW_l = A_{l-1}^T dZ_l in its slices (and for the
 *             last layer the bias sums of dZ_L), beside the chain: in
 *             slices of the columns of A_{l-1}, dA_{l-1} = dZ_l W_l^T, the
 *             activation's derivative and the bias sums, then, where dW_{l-1}
 *             is cut along its columns too, its slice on the same columns,
 *             so a slice of dZ_{l-1} is used while it is in cache.
 * Every output entry belongs to one slice and every sum runs over the rows
 * in order inside it, so the result is the same on any number of threads;
 * the cut into slices follows the shapes alone, and a BLAS product in
 * slices gives the entries it gives whole (tests/test_kernels.c).
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

/* What the slices of a region share: a call's rows (set by TF(job_of))
 * and the region's cut (set by the stage that runs the region, before its
 * slices read it).  Not zeroed whole: that costs a small step more than
 * its stages' bookkeeping. */
typedef struct {
    xn_net *net;
    size_t n, total, l;  /* the block's rows, its batch's rows, the layer */
    const XN_T *x, *y;   /* its inputs (n, n0) and targets (n, nL), or NULL */
    XN_T *aL, *zL;       /* its outputs and logits (n, nL) */
    XN_T *dz, *dzp;      /* layer l's delta (n, n_l), the one it passes down */
    double *terms;       /* the rows' loss terms, or NULL */
    bool first;          /* overwrite the gradients, else add to them */
    bool act;            /* a slice of the product gets its bias and activation */
    xn_cut cut;          /* forward: layer l's product; backward: dW_l's */
    xn_cut sums;         /* the output delta's columns, for its bias sums */
    xn_cut chain;        /* the columns of A_{l-1}, for the chain */
    bool chain_dw;       /* the chain computes dW_{l-1} on its columns */
    size_t sums_n, dw_n; /* slices [0, sums_n) are the sums', the next dw_n dW_l's */
    size_t rows;         /* rows a slice of rows */
} TF(job);

/* A job for rows x (n, n0) of a batch of `total` rows, with targets y (or
 * NULL), outputs aL and logits zL (n, nL), (terms) their loss terms and
 * (deltas) the output delta that starts a backward pass. */
static inline void TF(job_of)(TF(job) *j, xn_net *net, size_t n, size_t total, const XN_T *x,
                              const XN_T *y, XN_T *aL, XN_T *zL, double *terms, bool deltas)
{
    j->net = net;
    j->n = n;
    j->total = total;
    j->x = x;
    j->y = y;
    j->aL = aL;
    j->zL = zL;
    j->dz = deltas ? net->delta[0] : NULL;
    j->dzp = net->delta[1];
    j->terms = terms;
    j->first = net->grads_fresh;
}

/* ---- forward ----------------------------------------------------------- */

/* Slice s of layer l's product, rows or columns, then (j->act) its bias
 * and activation while the slice is in cache. */
static inline void TF(fwd_slice)(void *ctx, size_t s)
{
    const TF(job) *j = ctx;
    xn_net *net = j->net;
    size_t l = j->l, fi = net->sizes[l - 1], fo = net->sizes[l], n = j->n, len;
    size_t lo = xn_cut_range(j->cut, j->cut.rows ? n : fo, s, &len);
    const XN_T *in = l > 1 ? A(l - 1) : j->x;
    XN_T *z = l == net->L ? j->zL : A(l);
    const TF(xn_kernels) *k = TF(xn_kernels_pick)(net->kernel, n, fi, fo);
    if (j->cut.rows) {
        k->fwd(len, fi, fo, in + lo * fi, fi, W(l), fo, z + lo * fo, fo);
        if (j->act)
            TF(xn_dense_bias_act)(len, fo, net->acts[l], z + lo * fo, B(l), z + lo * fo, false, fo);
    } else {
        k->fwd(n, fi, len, in, fi, W(l) + lo, fo, z + lo, fo);
        if (j->act)
            TF(xn_dense_bias_act)(n, len, net->acts[l], z + lo, B(l) + lo, z + lo, false, fo);
    }
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
        TF(xn_loss_terms)(net->loss, net->acts[L], m, K, j->total, net->clip, a, z, j->y + r0 * K,
                          j->dz ? j->dz + r0 * K : NULL, j->terms + r0 * xn_loss_width(net->loss, net->clip, K));
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
            xn_product_cut(&j->cut, net, j->n, fo, fi);
            j->act = l < L && !dot;
            xn_net_run(net, j->cut.slices, TF(fwd_slice), j);
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
    TF(job) j;
    TF(job_of)(&j, net, n, n, x, NULL, aL, zL, NULL, false);
    TF(forward_job)(net, &j);
}

/* ---- backward ---------------------------------------------------------- */

/* Whether dW_l (l < L) is computed on the columns of the chain that
 * passes the delta down to layer l: when its cut runs along its columns
 * (it has fewer rows than columns), so each slice of dZ_l is used while it
 * is in cache.  A cut along its rows needs all of dZ_l, and waits for it. */
static bool TF(dw_chained)(const xn_net *net, size_t l)
{
    return l < net->L && !TF(narrow)(net, l) && !xn_rows_copy_less(net->sizes[l - 1], net->sizes[l]);
}

/* Columns of the output delta: their bias sums. */
static inline void TF(out_sums)(const TF(job) *j, size_t s)
{
    xn_net *net = j->net;
    size_t K = net->sizes[net->L], len, lo = xn_cut_range(j->sums, K, s, &len);
    TF(xn_dense_colsum)(j->n, len, j->dz + lo, G(net->boff[net->L]) + lo, j->first, K);
}

/* A slice of dW_l = A_{l-1}^T dZ_l, rows or columns. */
static inline void TF(dw_slice)(const TF(job) *j, size_t s)
{
    xn_net *net = j->net;
    size_t l = j->l, fi = net->sizes[l - 1], fo = net->sizes[l], n = j->n, len;
    size_t lo = xn_cut_range(j->cut, j->cut.rows ? fi : fo, s, &len);
    const XN_T *in = l > 1 ? A(l - 1) : j->x;
    XN_T *dw = G(net->woff[l]);
    const TF(xn_kernels) *k = TF(xn_kernels_pick)(net->kernel, n, fi, fo);
    if (j->cut.rows)
        (j->first ? k->dw : k->dwacc)(n, len, fo, in + lo, fi, j->dz, fo, dw + lo * fo, fo);
    else
        (j->first ? k->dw : k->dwacc)(n, fi, len, in, fi, j->dz + lo, fo, dw + lo, fo);
}

/* Columns of A_{l-1}, l > 1: the delta passed down and its bias sums,
 * then (chain_dw) on the same columns layer l-1's weight gradient. */
static inline void TF(chain)(const TF(job) *j, size_t s)
{
    xn_net *net = j->net;
    size_t l = j->l, fi = net->sizes[l - 1], fo = net->sizes[l], n = j->n, len;
    size_t lo = xn_cut_range(j->chain, fi, s, &len);
    const XN_T *a = A(l - 1) + lo;
    XN_T *dzp = j->dzp + lo, *dbp = G(net->boff[l - 1]) + lo;
    if (TF(narrow)(net, l)) {
        TF(xn_dense_narrow_backward)(n, len, net->acts[l - 1], a, j->dz, W(l) + lo,
                                     G(net->woff[l]) + lo, dzp, dbp, j->first, fi);
    } else {
        TF(xn_kernels_pick)(net->kernel, n, fi, fo)->dx(n, len, fo, j->dz, fo, W(l) + lo * fo, fo, dzp, fi);
        TF(xn_dense_deriv_colsum)(n, len, net->acts[l - 1], a, dzp, dbp, j->first, fi);
    }
    if (j->chain_dw) {
        size_t fi2 = net->sizes[l - 2];
        const TF(xn_kernels) *k = TF(xn_kernels_pick)(net->kernel, n, fi2, fi);
        (j->first ? k->dw : k->dwacc)(n, fi2, len, l > 2 ? A(l - 2) : j->x, fi2, dzp, fi,
                                      G(net->woff[l - 1]) + lo, fi);
    }
}

static inline void TF(back_slice)(void *ctx, size_t s)
{
    const TF(job) *j = ctx;
    if (s < j->sums_n)
        TF(out_sums)(j, s);
    else if (s < j->sums_n + j->dw_n)
        TF(dw_slice)(j, s - j->sums_n);
    else
        TF(chain)(j, s - j->sums_n - j->dw_n);
}

/* Backward pass of the job's rows, whose output delta is in delta[0]:
 * layer by layer from the last, each region with the layer's weight
 * gradient (unless the chain above computed it, or a width-1 layer's fused
 * pass does) beside the chain that passes the delta down. */
static void TF(backward)(xn_net *net, TF(job) *j)
{
    size_t L = net->L, n = j->n;
    j->dz = net->delta[0];
    j->dzp = net->delta[1];
    for (size_t l = L; l >= 1; l--) {
        size_t fi = net->sizes[l - 1], fo = net->sizes[l], chains = 0;
        j->l = l;
        j->sums_n = j->dw_n = 0;
        if (l == L) {
            xn_cut_along(&j->sums, net, false, fo, n);
            j->sums_n = j->sums.slices;
        }
        if (!TF(narrow)(net, l) && !TF(dw_chained)(net, l)) {
            xn_product_cut(&j->cut, net, fi, fo, n);
            j->dw_n = j->cut.slices;
        }
        if (l > 1) {
            j->chain_dw = TF(dw_chained)(net, l - 1);
            size_t madds = TF(narrow)(net, l) ? n : n * fo;
            xn_cut_along(&j->chain, net, false, fi, madds + (j->chain_dw ? n * net->sizes[l - 2] : 0));
            chains = j->chain.slices;
        }
        if (j->sums_n + j->dw_n + chains > 0)
            xn_net_run(net, j->sums_n + j->dw_n + chains, TF(back_slice), j);
        XN_T *t = j->dz;
        j->dz = j->dzp;
        j->dzp = t;
    }
}

/* ---- rows in and out --------------------------------------------------- */

/* Rows idx[0..m) of the caller's x (., k) (doubles, or the type's own
 * with XN_SRC_OWN), or rows 0..m-1 when idx is NULL, into out (m, k) of
 * the type: (x - mean) / sd in double unless mean is NULL, then rounded to
 * the type. */
static void TF(rows_in)(size_t m, size_t k, const void *xv, xn_src src, const size_t *idx,
                        const double *mean, const double *sd, void *outv)
{
    XN_T *out = outv;
    for (size_t i = 0; i < m; i++) {
        size_t r = (idx ? idx[i] : i) * k;
        XN_T *dst = out + i * k;
        /* rows of the type as they are (doubles into a double network) */
        if (src == XN_SRC_OWN || XN_DTYPE == XN_FLOAT64) {
            const XN_T *s = (const XN_T *)xv + r;
            if (mean)
                for (size_t j = 0; j < k; j++)
                    dst[j] = (XN_T)(((double)s[j] - mean[j]) / sd[j]);
            else
                memcpy(dst, s, k * sizeof *dst);
            continue;
        }
        const double *s = (const double *)xv + r;
        if (mean)
            for (size_t j = 0; j < k; j++)
                dst[j] = (XN_T)((s[j] - mean[j]) / sd[j]);
        else
            for (size_t j = 0; j < k; j++)
                dst[j] = (XN_T)s[j];
    }
}

/* Where row r of the caller's rows v (., k) starts. */
static const void *TF(row_at)(const void *v, xn_src src, size_t r, size_t k)
{
    return src == XN_SRC_DOUBLE ? (const void *)((const double *)v + r * k) : (const void *)((const XN_T *)v + r * k);
}

typedef struct {
    size_t m, k, rows;
    const void *x;
    xn_src src;
    const size_t *idx;
    const double *mean, *sd;
    XN_T *out;
} TF(gather_job);

static void TF(gather_rows)(void *ctx, size_t s)
{
    const TF(gather_job) *g = ctx;
    size_t r0 = s * g->rows, m = g->m - r0 < g->rows ? g->m - r0 : g->rows;
    TF(rows_in)(m, g->k, g->idx ? g->x : TF(row_at)(g->x, g->src, r0, g->k), g->src,
                g->idx ? g->idx + r0 : NULL, g->mean, g->sd, g->out + r0 * g->k);
}

/* rows_in on the network's threads, a slice of rows each. */
static void TF(gather)(const xn_net *net, size_t m, size_t k, const void *x, xn_src src, const size_t *idx,
                       const double *mean, const double *sd, void *out)
{
    TF(gather_job) g = {.m = m, .k = k, .rows = xn_row_span(k), .x = x, .src = src, .idx = idx,
                        .mean = mean, .sd = sd, .out = out};
    xn_net_run(net, xn_slices(m, g.rows), TF(gather_rows), &g);
}

/* The caller's rows x (m, k) as the network takes them: the caller's own
 * memory where they are in the type and need no standardization, else
 * converted into the workspace buffer ws (m <= cap). */
static const XN_T *TF(rows_as)(xn_net *net, size_t m, size_t k, const void *x, xn_src src,
                               const double *mean, const double *sd, void *ws)
{
    if (!ws || (src == XN_SRC_OWN && !mean))
        return x;
    TF(gather)(net, m, k, x, src, NULL, mean, sd, ws);
    return ws;
}

/* Input rows x (m, n0) as the first layer takes them. */
static const XN_T *TF(inputs)(xn_net *net, size_t m, const void *x, xn_src src)
{
    return TF(rows_as)(net, m, net->sizes[0], x, src, net->mean, net->sd, net->xs);
}

/* Targets y (m, nL) in the type and, for a network that standardizes its
 * targets, standardized, the same way. */
static const XN_T *TF(targets)(xn_net *net, size_t m, const void *y, xn_src src)
{
    return TF(rows_as)(net, m, net->sizes[net->L], y, src, net->ymean, net->ysd, net->ys);
}

static void TF(to_double)(size_t n, const void *v, double *out)
{
    const XN_T *t = v;
    for (size_t i = 0; i < n; i++)
        out[i] = t[i];
}

/* ---- the gradient and the loss ----------------------------------------- */

/* The gradient of rows of a batch of `total` rows (xn_net_accumulate_rows)
 * from x and y as src says. */
static double TF(accumulate)(xn_net *net, size_t n, const void *x, const void *y, size_t total,
                             double sum, xn_src src, size_t nb)
{
    size_t n0 = net->sizes[0], K = net->sizes[net->L];
    bool ready = src == XN_SRC_READY;
    for (size_t r0 = 0; r0 < n; r0 += nb) {
        size_t m = n - r0 < nb ? n - r0 : nb;
        const void *xr = TF(row_at)(x, src, r0, n0), *yr = TF(row_at)(y, src, r0, K);
        const XN_T *xb = ready ? xr : TF(inputs)(net, m, xr, src);
        const XN_T *yb = ready ? yr : TF(targets)(net, m, yr, src);
        TF(job) j;
        TF(job_of)(&j, net, m, total, xb, yb, (XN_T *)net->a[net->L] + r0 * K, (XN_T *)net->zout + r0 * K,
                   net->terms, true);
        TF(forward_job)(net, &j);
        sum = xn_loss_add(net->loss, net->clip, m, K, net->terms, sum);
        TF(backward)(net, &j);
        net->grads_fresh = false;
    }
    return sum;
}

/* The loss terms of the caller's rows x, y (m <= cap) added to sum; their
 * outputs stay in the workspace. */
static double TF(loss_rows)(xn_net *net, size_t m, const void *x, const void *y, xn_src src,
                            size_t total, double sum)
{
    size_t K = net->sizes[net->L];
    TF(job) j;
    TF(job_of)(&j, net, m, total, TF(inputs)(net, m, x, src), TF(targets)(net, m, y, src), net->a[net->L],
               net->zout, net->terms, false);
    TF(forward_job)(net, &j);
    return xn_loss_add(net->loss, net->clip, m, K, net->terms, sum);
}

static size_t TF(count_right)(size_t m, size_t K, const void *a, const void *y)
{
    return TF(xn_count_right)(m, K, a, y);
}

static double TF(sq_err)(size_t n, const void *a, const void *y)
{
    return TF(xn_sq_err)(n, a, y);
}

/* xn_net_penalty's pass: dW_l += c W_l, and the squares of the weights
 * added up in double, as the loss terms are, in 8 running sums (one sum
 * would wait on the adder at every weight; 8 vectorize), always in the
 * same order. */
XN_CLONES static double TF(penalty_pass)(size_t n, const XN_T *restrict p, XN_T *restrict g, XN_T c)
{
    double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t k = 0;
    for (; k + 8 <= n; k += 8)
        for (int j = 0; j < 8; j++) {
            s[j] += (double)p[k + j] * (double)p[k + j];
            g[k + j] += c * p[k + j];
        }
    for (; k < n; k++) {
        s[0] += (double)p[k] * (double)p[k];
        g[k] += c * p[k];
    }
    return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

static double TF(penalty)(xn_net *net, double c)
{
    XN_T *p = net->params, *g = net->grads;
    double ss = 0.0;
    for (size_t l = 1; l <= net->L; l++)
        ss += TF(penalty_pass)(net->boff[l] - net->woff[l], p + net->woff[l], g + net->woff[l], (XN_T)c);
    return ss;
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
    .penalty = TF(penalty),
};
