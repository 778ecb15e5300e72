/* The library's pieces that repeat scikit-learn's MLP training, each on its
 * own: Nesterov momentum and Adam's uncorrected epsilon against their
 * formulas in plain loops (sklearn/neural_network/_stochastic_optimizers.py),
 * the l2 penalty and the bce_sum loss against central differences and
 * their definitions, the clipped log losses, the shuffle that continues
 * the previous order, a stream's state out and in, the optimizer's
 * moments out and in, a fit whose callback sets the rate, float32 rows
 * read in place, and checkpoints keeping the new optimizer settings. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "xornet/xornet.h"

enum { N = 9, D = 3, H = 5, K = 2 };

static const size_t sizes[3] = {D, H, K};
static const xn_act acts[2] = {XN_ACT_TANH, XN_ACT_SIGMOID};

static xn_net *make(xn_loss loss, xn_dtype dtype, uint64_t seed)
{
    xn_net_config cfg = {.n_layers = 2, .sizes = sizes, .acts = acts, .loss = loss, .max_batch = N,
                         .dtype = dtype};
    xn_net *net = NULL;
    xn_rng r;
    CHECK_STATUS(xn_net_create(&net, &cfg), XN_OK);
    xn_rng_seed(&r, XN_RNG_NUMPY, seed);
    CHECK_STATUS(xn_net_init(net, XN_INIT_GLOROT_UNIFORM, XN_ORDER_ROW, XN_BIAS_DRAWN, &r), XN_OK);
    return net;
}

/* Rows of inputs in [-1, 1] and 0/1 targets, from the NumPy stream. */
static void data(double *x, double *y, size_t n)
{
    xn_rng r;
    xn_rng_seed(&r, XN_RNG_NUMPY, 42);
    for (size_t i = 0; i < n * D; i++)
        x[i] = 2.0 * xn_rng_uniform(&r) - 1.0;
    for (size_t i = 0; i < n * K; i++)
        y[i] = xn_rng_uniform(&r) < 0.5 ? 0.0 : 1.0;
}

static double rel_diff(const double *a, const double *b, size_t n)
{
    double num = 0, den = 0;
    for (size_t i = 0; i < n; i++) {
        num += (a[i] - b[i]) * (a[i] - b[i]);
        den += b[i] * b[i];
    }
    return sqrt(num / den);
}

/* ---- the optimizers, against scikit-learn's formulas ---------------------- */

/* Three steps of each form, the parameters computed alongside as
 * SGDOptimizer._get_updates and AdamOptimizer._get_updates do. */
static void optimizer_forms(void)
{
    double x[N * D], y[N * K];
    data(x, y, N);
    for (int form = 0; form < 3; form++) {
        xn_net *net = make(XN_LOSS_BCE_SUM, XN_FLOAT64, 7);
        size_t P = xn_net_param_count(net);
        double *p = malloc(P * sizeof *p), *vel = calloc(P, sizeof *vel), *m = calloc(P, sizeof *m),
               *v = calloc(P, sizeof *v);
        memcpy(p, xn_net_params(net), P * sizeof *p);
        xn_opt o = xn_opt_default(form == 2 ? XN_OPT_ADAM : XN_OPT_MOMENTUM);
        o.lr = 0.1;
        o.nesterov = form == 1;
        o.eps_raw = form == 2;
        for (int t = 1; t <= 3; t++) {
            CHECK_STATUS(xn_net_train_step(net, N, x, y, &o, NULL), XN_OK);
            const double *g = xn_net_grads(net); /* the gradient the step used */
            double lr_t = o.lr * sqrt(1.0 - pow(o.beta2, t)) / (1.0 - pow(o.beta1, t));
            for (size_t i = 0; i < P; i++) {
                if (form < 2) {
                    vel[i] = o.momentum * vel[i] - o.lr * g[i];
                    p[i] += form == 1 ? o.momentum * vel[i] - o.lr * g[i] : vel[i];
                } else {
                    m[i] = o.beta1 * m[i] + (1.0 - o.beta1) * g[i];
                    v[i] = o.beta2 * v[i] + (1.0 - o.beta2) * (g[i] * g[i]);
                    p[i] += -lr_t * m[i] / (sqrt(v[i]) + o.eps);
                }
            }
        }
        /* the same formulas, rounded in another order */
        CHECK(rel_diff(xn_net_params(net), p, P) < 1e-15);
        /* and they differ from the other forms, so the test sees each */
        xn_net *classic = make(XN_LOSS_BCE_SUM, XN_FLOAT64, 7);
        o.nesterov = o.eps_raw = false;
        for (int t = 1; t <= 3; t++)
            CHECK_STATUS(xn_net_train_step(classic, N, x, y, &o, NULL), XN_OK);
        if (form > 0)
            CHECK(rel_diff(xn_net_params(classic), p, P) > 1e-6);
        xn_net_destroy(classic);
        xn_net_destroy(net);
        free(p);
        free(vel);
        free(m);
        free(v);
    }
}

/* ---- the l2 penalty --------------------------------------------------------- */

/* The gradient with the penalty against central differences of the loss
 * with it; the loss is the data loss plus l2 / 2n ||W||^2, the biases
 * exempt; a batch split over calls adds up to it. */
static void penalty(void)
{
    double x[N * D], y[N * K], loss, plain, share1, share2;
    data(x, y, N);
    xn_net *net = make(XN_LOSS_BCE_SUM, XN_FLOAT64, 3);
    size_t P = xn_net_param_count(net);
    xn_opt o = xn_opt_default(XN_OPT_GD);
    o.l2 = 0.7;
    CHECK_STATUS(xn_net_set_opt(net, &o), XN_OK);
    CHECK_STATUS(xn_net_eval_loss(net, N, x, y, &plain), XN_OK); /* data loss only */
    CHECK_STATUS(xn_net_gradient(net, N, x, y, &loss), XN_OK);
    double ww = 0;
    for (size_t l = 1; l <= 2; l++)
        for (size_t k = 0; k < sizes[l - 1] * sizes[l]; k++)
            ww += xn_net_weights(net, l)[k] * xn_net_weights(net, l)[k];
    CHECK_NEAR(loss, plain + 0.7 / (2.0 * N) * ww, 1e-15);
    double *g = malloc(P * sizeof *g), *p = xn_net_params(net), num = 0, den = 0;
    memcpy(g, xn_net_grads(net), P * sizeof *g);
    for (size_t i = 0; i < P; i++) {
        double keep = p[i], h = 1e-6, lp, lm;
        p[i] = keep + h;
        CHECK_STATUS(xn_net_gradient(net, N, x, y, &lp), XN_OK);
        p[i] = keep - h;
        CHECK_STATUS(xn_net_gradient(net, N, x, y, &lm), XN_OK);
        p[i] = keep;
        double fd = (lp - lm) / (2 * h);
        num += (g[i] - fd) * (g[i] - fd);
        den += fd * fd;
    }
    CHECK(sqrt(num / den) < 1e-7);
    /* 4 + 5 rows in two calls: the one-call gradient and loss */
    xn_net_zero_grads(net);
    CHECK_STATUS(xn_net_accumulate(net, 4, x, y, N, &share1), XN_OK);
    CHECK_STATUS(xn_net_accumulate(net, N - 4, x + 4 * D, y + 4 * K, N, &share2), XN_OK);
    CHECK_NEAR(share1 + share2, loss, 1e-15);
    CHECK(rel_diff(xn_net_grads(net), g, P) < 1e-14);
    /* train_step takes the penalty of the optimizer it is given */
    xn_opt none = o;
    none.l2 = 0.0;
    CHECK_STATUS(xn_net_train_step(net, N, x, y, &none, &loss), XN_OK);
    CHECK_NEAR(loss, plain, 1e-15);
    o.l2 = -1.0;
    CHECK_STATUS(xn_net_set_opt(net, &o), XN_EINVAL);
    free(g);
    xn_net_destroy(net);
}

/* ---- the losses ----------------------------------------------------------------- */

/* bce_sum is K times bce, gradient and all; clipped log losses follow
 * scikit-learn's binary_log_loss and log_loss, with the same gradient. */
static void losses(void)
{
    double x[N * D], y[N * K], a[N * K], bce, sum, clipped, exact;
    data(x, y, N);
    xn_net *mean = make(XN_LOSS_BCE, XN_FLOAT64, 5), *total = make(XN_LOSS_BCE_SUM, XN_FLOAT64, 5);
    size_t P = xn_net_param_count(mean);
    CHECK_STATUS(xn_net_gradient(mean, N, x, y, &bce), XN_OK);
    CHECK_STATUS(xn_net_gradient(total, N, x, y, &sum), XN_OK);
    CHECK_NEAR(sum, K * bce, 1e-15);
    for (size_t i = 0; i < P; i++)
        CHECK_NEAR(xn_net_grads(total)[i], K * xn_net_grads(mean)[i], 1e-16);
    /* outputs pushed to saturation: W2 and b2 large */
    for (size_t k = 0; k < (size_t)(H * K + K); k++)
        xn_net_weights(total, 2)[k] *= 60.0;
    CHECK_STATUS(xn_net_predict(total, N, x, a), XN_OK);
    double want = 0, eps = 2.220446049250313e-16;
    for (size_t i = 0; i < N * K; i++) {
        double p = a[i] < eps ? eps : a[i] > 1 - eps ? 1 - eps : a[i];
        want -= y[i] == 0 ? log(1 - p) : log(p);
    }
    want /= N;
    CHECK_STATUS(xn_net_eval_loss(total, N, x, y, &exact), XN_OK);
    CHECK_STATUS(xn_net_set_loss_clip(total, eps), XN_OK);
    CHECK(xn_net_loss_clip(total) == eps);
    CHECK_STATUS(xn_net_eval_loss(total, N, x, y, &clipped), XN_OK);
    CHECK_NEAR(clipped, want, 1e-14 * want);
    CHECK(fabs(exact - clipped) > 1.0); /* a saturated mistake costs at most -log(eps) */
    CHECK_STATUS(xn_net_set_loss_clip(total, 0.5), XN_EINVAL);
    CHECK_STATUS(xn_net_set_loss_clip(total, -1.0), XN_EINVAL);
    xn_net_destroy(mean);
    xn_net_destroy(total);
    /* softmax + cce, clipped: -sum y log(clip(a)) / n */
    static const xn_act soft[2] = {XN_ACT_TANH, XN_ACT_SOFTMAX};
    xn_net_config cfg = {.n_layers = 2, .sizes = sizes, .acts = soft, .loss = XN_LOSS_CCE, .max_batch = N};
    xn_net *net;
    xn_rng r;
    CHECK_STATUS(xn_net_create(&net, &cfg), XN_OK);
    xn_rng_seed(&r, XN_RNG_NUMPY, 9);
    xn_net_init(net, XN_INIT_NORMAL, XN_ORDER_ROW, XN_BIAS_ZERO, &r);
    for (size_t i = 0; i < N; i++) /* one-hot rows */
        y[i * K] = 1.0 - (y[i * K + 1] = (double)(i % 2));
    for (size_t k = 0; k < (size_t)(H * K); k++)
        xn_net_weights(net, 2)[k] *= 80.0;
    CHECK_STATUS(xn_net_predict(net, N, x, a), XN_OK);
    want = 0;
    for (size_t i = 0; i < N * K; i++)
        want -= y[i] * log(a[i] < eps ? eps : a[i] > 1 - eps ? 1 - eps : a[i]);
    want /= N;
    CHECK_STATUS(xn_net_set_loss_clip(net, eps), XN_OK);
    CHECK_STATUS(xn_net_gradient(net, N, x, y, &clipped), XN_OK);
    CHECK_NEAR(clipped, want, 1e-14 * want);
    xn_net_destroy(net);
}

/* ---- streams and shuffles --------------------------------------------------- */

static void streams(void)
{
    xn_rng a, b, c;
    uint32_t key[624];
    int pos, hg;
    double g;
    xn_rng_seed(&a, XN_RNG_NUMPY, 123);
    for (int i = 0; i < 700; i++) /* past a regeneration of the state */
        xn_rng_u32(&a);
    xn_rng_normal(&a);            /* a cached normal */
    CHECK_STATUS(xn_rng_get_state(&a, key, &pos, &hg, &g), XN_OK);
    CHECK(hg == 1 && pos >= 700 - 624 + 4); /* the polar method draws pairs of uniforms */
    CHECK_STATUS(xn_rng_set_state(&b, XN_RNG_NUMPY, key, pos, hg, g), XN_OK);
    CHECK(xn_rng_normal(&a) == xn_rng_normal(&b));
    for (int i = 0; i < 1000; i++)
        CHECK(xn_rng_u32(&a) == xn_rng_u32(&b));
    CHECK_STATUS(xn_rng_set_state(&c, XN_RNG_NUMPY, key, 625, 0, 0.0), XN_EINVAL);
    memset(key, 0, sizeof key);
    CHECK_STATUS(xn_rng_set_state(&c, XN_RNG_NUMPY, key, 0, 0, 0.0), XN_EINVAL);
    /* shuffling an order draws as a permutation does, and applies it:
     * new[i] = old[p[i]] */
    size_t old[50], sh[50], p[50];
    for (int kind = 0; kind < 2; kind++) {
        xn_rng_seed(&a, (xn_rng_kind)kind, 5);
        xn_rng_seed(&b, (xn_rng_kind)kind, 5);
        xn_rng_permutation(&a, 50, old);
        memcpy(sh, old, sizeof sh);
        CHECK_STATUS(xn_rng_shuffle(&a, 50, sh), XN_OK);
        xn_rng_permutation(&b, 50, p);
        xn_rng_permutation(&b, 50, p);
        int moved = 0;
        for (int i = 0; i < 50; i++) {
            CHECK(sh[i] == old[p[i]]);
            moved += sh[i] != old[i];
        }
        CHECK(moved > 40);
        CHECK(xn_rng_u32(&a) == xn_rng_u32(&b)); /* the same draws used */
    }
    CHECK_STATUS(xn_rng_shuffle(NULL, 50, sh), XN_EINVAL);
}

/* ---- moments out and in ------------------------------------------------------- */

static void moments(void)
{
    double x[N * D], y[N * K];
    data(x, y, N);
    for (int type = 0; type < 2; type++) {
        xn_net *a = make(XN_LOSS_BCE_SUM, (xn_dtype)type, 11), *b;
        xn_opt o = xn_opt_default(XN_OPT_ADAM);
        for (int t = 0; t < 4; t++)
            xn_net_train_step(a, N, x, y, &o, NULL);
        size_t P = xn_net_param_count(a);
        double *m = malloc(P * sizeof *m), *v = malloc(P * sizeof *v), *pa = malloc(P * sizeof *pa),
               *pb = malloc(P * sizeof *pb);
        uint64_t steps;
        CHECK_STATUS(xn_net_get_moments(a, m, v, &steps), XN_OK);
        CHECK(steps == 4);
        /* a network from the parameters and moments alone goes on as a */
        xn_net_get_params(a, pa);
        b = make(XN_LOSS_BCE_SUM, (xn_dtype)type, 12);
        xn_net_set_params(b, pa);
        xn_net_set_opt(b, &o);
        CHECK_STATUS(xn_net_set_moments(b, m, v, steps), XN_OK);
        xn_net_train_step(a, N, x, y, &o, NULL);
        xn_net_train_step(b, N, x, y, &o, NULL);
        xn_net_get_params(a, pa);
        xn_net_get_params(b, pb);
        CHECK(memcmp(pa, pb, P * sizeof *pa) == 0);
        v[0] = -1.0;
        CHECK_STATUS(xn_net_set_moments(b, m, v, 1), XN_EINVAL);
        xn_net_destroy(a);
        xn_net_destroy(b);
        free(m);
        free(v);
        free(pa);
        free(pb);
    }
}

/* ---- xn_fit: reshuffling, a rate the callback sets, float32 rows ---------- */

/* What the callback saw of each epoch, and the network it halves the
 * rate of. */
typedef struct {
    double lr[8], penalty[8];
    int epochs;
    xn_net *net;
} seen;

static int halve_rate(const xn_progress *p, void *user)
{
    seen *s = user;
    s->lr[s->epochs] = p->lr;
    s->penalty[s->epochs++] = p->penalty;
    return xn_net_set_lr(s->net, p->lr / 2) != XN_OK;
}

/* Epochs of batches of 4 in orders that shuffle the last one, and the
 * rate halved by the callback: the steps of a loop written with
 * xn_rng_shuffle and train_step, to the bit. */
static void fit_runs(void)
{
    enum { M = 22, E = 4, B = 4 };
    double x[M * D], y[M * K], xb[B * D], yb[B * K];
    data(x, y, M);
    xn_opt o = xn_opt_default(XN_OPT_MOMENTUM);
    o.nesterov = true;
    o.l2 = 0.3;
    o.lr = 0.2;
    xn_net *a = make(XN_LOSS_BCE_SUM, XN_FLOAT64, 2), *b = make(XN_LOSS_BCE_SUM, XN_FLOAT64, 2);
    xn_net_set_opt(a, &o);
    seen watch = {.net = a};
    xn_rng ra, rb;
    xn_rng_seed(&ra, XN_RNG_NUMPY, 8);
    xn_rng_seed(&rb, XN_RNG_NUMPY, 8);
    xn_data d = {.n = M, .in = D, .out = K, .x = x, .y = y};
    xn_fit_config cfg = {.epochs = E, .batch = B, .shuffle = true, .reshuffle = true, .rng = &ra,
                         .callback_lr = true, .on_epoch = halve_rate, .user = &watch};
    CHECK_STATUS(xn_fit(a, &d, &cfg, NULL), XN_OK);
    size_t order[M];
    for (size_t i = 0; i < M; i++)
        order[i] = i;
    double lr = o.lr;
    for (int e = 0; e < E; e++, lr /= 2) {
        xn_rng_shuffle(&rb, M, order);
        double pen = 0, seen_rows = 0;
        for (size_t r0 = 0; r0 < M; r0 += B) {
            size_t m = M - r0 < B ? M - r0 : B;
            for (size_t i = 0; i < m; i++) {
                memcpy(xb + i * D, x + order[r0 + i] * D, D * sizeof *x);
                memcpy(yb + i * K, y + order[r0 + i] * K, K * sizeof *y);
            }
            double ww = 0, loss;
            for (size_t k = 0; k < (size_t)(D * H); k++)
                ww += xn_net_weights(b, 1)[k] * xn_net_weights(b, 1)[k];
            for (size_t k = 0; k < (size_t)(H * K); k++)
                ww += xn_net_weights(b, 2)[k] * xn_net_weights(b, 2)[k];
            o.lr = lr;
            xn_net_train_step(b, m, xb, yb, &o, &loss);
            pen += 0.3 / (2.0 * m) * ww * m;
            seen_rows += m;
        }
        CHECK(watch.lr[e] == lr);
        CHECK_NEAR(watch.penalty[e], pen / seen_rows, 1e-15);
    }
    CHECK(watch.epochs == E);
    CHECK(memcmp(xn_net_params(a), xn_net_params(b), xn_net_param_count(a) * sizeof(double)) == 0);
    CHECK(xn_net_opt(a).lr == lr); /* the rate the callback left */
    cfg.resume = &(xn_fit_state){.epoch = 1, .lr0 = 0.1};
    CHECK_STATUS(xn_fit(a, &d, &cfg, NULL), XN_EINVAL); /* the order is not in a checkpoint */
    cfg.resume = NULL;
    cfg.schedule = XN_SCHEDULE_EXPONENTIAL;
    cfg.lr_gamma = 0.5;
    CHECK_STATUS(xn_fit(a, &d, &cfg, NULL), XN_EINVAL); /* two rules for the rate */
    xn_net_destroy(a);
    xn_net_destroy(b);
}

/* float32 rows in place on a float32 network: the run of the same values
 * as doubles, to the bit; predictions of float rows as floats. */
static void float_rows(void)
{
    enum { M = 30 };
    double x[M * D], y[M * K], out[M * K];
    float xf[M * D], yf[M * K], outf[M * K];
    data(x, y, M);
    for (size_t i = 0; i < M * D; i++)
        x[i] = xf[i] = (float)x[i];
    for (size_t i = 0; i < M * K; i++)
        yf[i] = (float)y[i];
    for (int shuffled = 0; shuffled < 2; shuffled++) {
        xn_net *a = make(XN_LOSS_BCE_SUM, XN_FLOAT32, 4), *b = make(XN_LOSS_BCE_SUM, XN_FLOAT32, 4);
        xn_opt o = xn_opt_default(XN_OPT_ADAM);
        xn_net_set_opt(a, &o);
        xn_net_set_opt(b, &o);
        xn_rng ra, rb;
        xn_rng_seed(&ra, XN_RNG_NUMPY, 1);
        xn_rng_seed(&rb, XN_RNG_NUMPY, 1);
        xn_data d = {.n = M, .in = D, .out = K, .x = x, .y = y}, val = {.n = 6, .in = D, .out = K, .x = x, .y = y};
        xn_rows r = {.n = M, .in = D, .out = K, .dtype = XN_FLOAT32, .x = xf, .y = yf};
        xn_fit_config ca = {.epochs = 3, .batch = 7, .shuffle = shuffled, .rng = &ra, .val = &val};
        xn_fit_config cb = ca;
        cb.rng = &rb;
        xn_fit_result ra_res, rb_res;
        CHECK_STATUS(xn_fit(a, &d, &ca, &ra_res), XN_OK);
        CHECK_STATUS(xn_fit_rows(b, &r, &cb, &rb_res), XN_OK);
        CHECK(ra_res.loss == rb_res.loss && ra_res.val_loss == rb_res.val_loss);
        CHECK(memcmp(xn_net_params_data(a), xn_net_params_data(b), xn_net_param_count(a) * sizeof(float)) == 0);
        CHECK_STATUS(xn_net_predict(a, M, x, out), XN_OK);
        CHECK_STATUS(xn_net_predict_rows(b, M, XN_FLOAT32, xf, outf), XN_OK);
        for (size_t i = 0; i < M * K; i++)
            CHECK(out[i] == (double)outf[i]);
        xn_net_destroy(a);
        xn_net_destroy(b);
    }
    xn_net *f64 = make(XN_LOSS_BCE_SUM, XN_FLOAT64, 4);
    xn_rows r = {.n = M, .in = D, .out = K, .dtype = XN_FLOAT32, .x = xf, .y = yf};
    xn_fit_config c = {.epochs = 1};
    CHECK_STATUS(xn_fit_rows(f64, &r, &c, NULL), XN_EINVAL);
    xn_net *f32 = make(XN_LOSS_BCE_SUM, XN_FLOAT32, 4);
    c.val_split = 0.2; /* the split reads doubles */
    CHECK_STATUS(xn_fit_rows(f32, &r, &c, NULL), XN_EINVAL);
    xn_net_destroy(f32);
    CHECK_STATUS(xn_net_predict_rows(f64, M, XN_FLOAT32, xf, outf), XN_EINVAL);
    xn_net_destroy(f64);
}

/* ---- checkpoints keep the new settings ----------------------------------------- */

static void checkpoints(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/test_mlp_ck.xn", dir);
    double x[N * D], y[N * K];
    data(x, y, N);
    xn_net *net = make(XN_LOSS_BCE_SUM, XN_FLOAT64, 6), *back = NULL;
    xn_opt o = xn_opt_default(XN_OPT_MOMENTUM);
    o.nesterov = true;
    o.eps_raw = true;
    o.l2 = 1e-4;
    xn_net_train_step(net, N, x, y, &o, NULL);
    xn_checkpoint ck = {.fit = {.lr0 = o.lr}}, in = {0};
    xn_rng_seed(&ck.rng, XN_RNG_NUMPY, 1);
    CHECK_STATUS(xn_checkpoint_save(net, &ck, path, NULL), XN_OK);
    CHECK_STATUS(xn_checkpoint_load(&back, &in, path, NULL), XN_OK);
    if (back) {
        xn_opt b = xn_net_opt(back);
        CHECK(b.nesterov && b.eps_raw && b.l2 == 1e-4 && b.kind == XN_OPT_MOMENTUM);
    }
    xn_net_destroy(back);
    free(in.best);
    /* a checkpoint without them reads with their defaults */
    o.nesterov = o.eps_raw = false;
    o.l2 = 0.0;
    xn_net_set_opt(net, &o);
    xn_net_train_step(net, N, x, y, &o, NULL);
    CHECK_STATUS(xn_checkpoint_save(net, &ck, path, NULL), XN_OK);
    back = NULL;
    CHECK_STATUS(xn_checkpoint_load(&back, &in, path, NULL), XN_OK);
    if (back) {
        xn_opt b = xn_net_opt(back);
        CHECK(!b.nesterov && !b.eps_raw && b.l2 == 0.0);
    }
    xn_net_destroy(back);
    free(in.best);
    remove(path);
    xn_net_destroy(net);
}

int main(int argc, char **argv)
{
    optimizer_forms();
    penalty();
    losses();
    streams();
    moments();
    fit_runs();
    float_rows();
    checkpoints(argc > 1 ? argv[1] : ".");
    CHECK_DONE();
}
