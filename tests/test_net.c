/* The network API: argument checking on every public function, sizes and
 * limits, names, the optimizers' updates against hand computation, numeric
 * safety (sigmoid at +-1000, cross-entropy at saturated outputs,
 * divergence), cloning and workspace growth. */
#include <float.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "xornet/xornet.h"

static xn_net *make(size_t L, const size_t *sizes, const xn_act *acts, xn_loss loss)
{
    xn_net_config cfg = {.n_layers = L, .sizes = sizes, .acts = acts, .loss = loss, .max_batch = 4};
    xn_net *net = NULL;
    CHECK_STATUS(xn_net_create(&net, &cfg), XN_OK);
    return net;
}

static void bad_configs(void)
{
    size_t sizes[3] = {2, 3, 1};
    xn_act acts[2] = {XN_ACT_RELU, XN_ACT_SIGMOID};
    xn_net_config cfg = {.n_layers = 2, .sizes = sizes, .acts = acts, .loss = XN_LOSS_MSE,
                         .max_batch = 4};
    xn_net *net = (xn_net *)&cfg; /* must be reset to NULL on failure */
    CHECK_STATUS(xn_net_create(NULL, &cfg), XN_EINVAL);
    CHECK_STATUS(xn_net_create(&net, NULL), XN_EINVAL);
    CHECK(net == NULL);
    xn_net_config c = cfg;
    c.sizes = NULL;
    CHECK_STATUS(xn_net_create(&net, &c), XN_EINVAL);
    c = cfg;
    c.acts = NULL;
    CHECK_STATUS(xn_net_create(&net, &c), XN_EINVAL);
    c = cfg;
    c.n_layers = 0;
    CHECK_STATUS(xn_net_create(&net, &c), XN_EDIM);
    c = cfg;
    c.n_layers = XN_MAX_LAYERS + 1;
    CHECK_STATUS(xn_net_create(&net, &c), XN_ENOMEM);
    size_t zero[3] = {2, 0, 1};
    c = cfg;
    c.sizes = zero;
    CHECK_STATUS(xn_net_create(&net, &c), XN_EDIM);
    /* the checker names the field at fault, for a front end's flag */
    xn_error why = {0};
    CHECK_STATUS(xn_net_check_config(&c, &why), XN_EDIM);
    CHECK(strcmp(why.setting, "sizes") == 0);
    xn_act bad_out[2] = {XN_ACT_RELU, XN_ACT_RELU};
    c = cfg;
    c.acts = bad_out;
    c.loss = XN_LOSS_BCE;
    CHECK_STATUS(xn_net_check_config(&c, &why), XN_EINVAL);
    CHECK(strcmp(why.setting, "loss") == 0 && strstr(why.msg, "sigmoid") != NULL);
    xn_act early_softmax[2] = {XN_ACT_SOFTMAX, XN_ACT_SIGMOID};
    c.acts = early_softmax;
    c.loss = XN_LOSS_MSE;
    CHECK_STATUS(xn_net_check_config(&c, &why), XN_EINVAL);
    CHECK(strcmp(why.setting, "acts") == 0);
    CHECK_STATUS(xn_net_check_config(&cfg, &why), XN_OK);
    CHECK(why.setting[0] == '\0' && why.msg[0] == '\0');
    /* (2^31-1)^2 weights: no overflow in 64 bits, but far over the limit,
     * refused before anything is allocated */
    size_t huge[3] = {INT32_MAX, INT32_MAX, INT32_MAX};
    c = cfg;
    c.sizes = huge;
    CHECK_STATUS(xn_net_create(&net, &c), XN_ENOMEM);
    size_t big[3] = {1 << 20, 1 << 20, 1};
    c = cfg;
    c.sizes = big;
    CHECK_STATUS(xn_net_create(&net, &c), XN_ENOMEM); /* over XN_MAX_PARAMS */
    size_t not_int[3] = {(size_t)1 << 32, 1, 1};
    c = cfg;
    c.sizes = not_int;
    CHECK_STATUS(xn_net_create(&net, &c), XN_ENOMEM); /* BLAS dimensions are int */
    c = cfg;
    c.loss = (xn_loss)9;
    CHECK_STATUS(xn_net_create(&net, &c), XN_EINVAL);
    c = cfg;
    c.kernel = (xn_kernel)9;
    CHECK_STATUS(xn_net_create(&net, &c), XN_EINVAL);
    xn_act bad_act[2] = {(xn_act)42, XN_ACT_SIGMOID};
    c = cfg;
    c.acts = bad_act;
    CHECK_STATUS(xn_net_create(&net, &c), XN_EINVAL);
    xn_act hidden_softmax[2] = {XN_ACT_SOFTMAX, XN_ACT_SIGMOID};
    c = cfg;
    c.acts = hidden_softmax;
    CHECK_STATUS(xn_net_create(&net, &c), XN_EINVAL);
    /* the cross-entropies need their own output activation */
    c = cfg;
    c.loss = XN_LOSS_CCE;
    CHECK_STATUS(xn_net_create(&net, &c), XN_EINVAL);
    xn_act softmax_one[2] = {XN_ACT_RELU, XN_ACT_SOFTMAX}; /* sizes[2] == 1: constant */
    c = cfg;
    c.acts = softmax_one;
    CHECK_STATUS(xn_net_create(&net, &c), XN_EINVAL);
    xn_act relu_out[2] = {XN_ACT_RELU, XN_ACT_RELU};
    c = cfg;
    c.acts = relu_out;
    c.loss = XN_LOSS_BCE;
    CHECK_STATUS(xn_net_create(&net, &c), XN_EINVAL);
    c = cfg;
    c.max_batch = (size_t)1 << 62; /* more rows than BLAS can index */
    CHECK_STATUS(xn_net_create(&net, &c), XN_ENOMEM);
    CHECK(net == NULL);
    xn_net_destroy(NULL); /* accepted */
}

static void bad_calls(void)
{
    size_t sizes[3] = {2, 3, 1};
    xn_act acts[2] = {XN_ACT_RELU, XN_ACT_SIGMOID};
    xn_net *net = make(2, sizes, acts, XN_LOSS_MSE);
    const double *x = xn_xor_inputs(), *y = xn_xor_targets(), *out;
    double v, buf[4];
    xn_opt gd = {.kind = XN_OPT_GD, .lr = 0.1};
    xn_rng r;
    xn_rng_seed(&r, XN_RNG_PYTHON, 1);
    CHECK_STATUS(xn_net_forward(NULL, 4, x, &out), XN_EINVAL);
    CHECK_STATUS(xn_net_forward(net, 4, NULL, &out), XN_EINVAL);
    CHECK_STATUS(xn_net_forward(net, 4, x, NULL), XN_EINVAL);
    CHECK_STATUS(xn_net_forward(net, 0, x, &out), XN_EDIM);
    CHECK_STATUS(xn_net_predict(net, 4, x, NULL), XN_EINVAL);
    CHECK_STATUS(xn_net_eval_loss(net, 4, x, NULL, &v), XN_EINVAL);
    CHECK_STATUS(xn_net_eval_loss(net, 4, x, y, NULL), XN_EINVAL);
    CHECK_STATUS(xn_net_gradient(net, 4, x, NULL, &v), XN_EINVAL);
    CHECK_STATUS(xn_net_gradient(NULL, 4, x, y, &v), XN_EINVAL);
    CHECK_STATUS(xn_net_train_step(net, 4, x, y, NULL, &v), XN_EINVAL);
    xn_opt bad = gd;
    bad.lr = 0;
    CHECK_STATUS(xn_net_train_step(net, 4, x, y, &bad, &v), XN_EINVAL);
    bad.lr = NAN;
    CHECK_STATUS(xn_net_train_step(net, 4, x, y, &bad, &v), XN_EINVAL);
    bad = gd;
    bad.kind = XN_OPT_MOMENTUM;
    bad.momentum = 1.0;
    CHECK_STATUS(xn_net_train_step(net, 4, x, y, &bad, &v), XN_EINVAL);
    bad = gd;
    bad.kind = (xn_opt_kind)7;
    CHECK_STATUS(xn_net_train_step(net, 4, x, y, &bad, &v), XN_EINVAL);
    CHECK_STATUS(xn_net_accuracy(net, 4, x, y, NULL), XN_EINVAL);
    CHECK_STATUS(xn_net_init(NULL, XN_INIT_ZEROS, XN_ORDER_ROW, XN_BIAS_ZERO, &r), XN_EINVAL);
    CHECK_STATUS(xn_net_init(net, XN_INIT_ZEROS, XN_ORDER_ROW, XN_BIAS_ZERO, NULL), XN_EINVAL);
    CHECK_STATUS(xn_net_init(net, (xn_init)99, XN_ORDER_ROW, XN_BIAS_ZERO, &r), XN_EINVAL);
    CHECK_STATUS(xn_net_init(net, XN_INIT_ZEROS, (xn_order)5, XN_BIAS_ZERO, &r), XN_EINVAL);
    CHECK_STATUS(xn_net_reserve(net, 0), XN_EDIM);
    CHECK_STATUS(xn_net_reserve(NULL, 4), XN_EINVAL);
    CHECK(xn_net_weights(net, 0) == NULL);
    CHECK(xn_net_weights(net, 3) == NULL);
    CHECK(xn_net_bias(NULL, 1) == NULL);
    CHECK(xn_net_dweights(net, 3) == NULL);
    CHECK(xn_net_layers(NULL) == 0);
    CHECK(xn_net_size(net, 3) == 0);
    CHECK(xn_net_param_count(net) == 2 * 3 + 3 + 3 + 1);
    xn_net *copy = (xn_net *)net;
    CHECK_STATUS(xn_net_clone(&copy, NULL), XN_EINVAL);
    CHECK(copy == NULL);
    CHECK_STATUS(xn_net_clone(NULL, net), XN_EINVAL);
    /* a bigger batch than reserved grows the workspace */
    double x8[16], y8[8];
    for (int i = 0; i < 16; i++)
        x8[i] = x[i % 8];
    for (int i = 0; i < 8; i++)
        y8[i] = y[i % 4];
    CHECK_STATUS(xn_net_init(net, XN_INIT_GLOROT_UNIFORM, XN_ORDER_ROW, XN_BIAS_ZERO, &r), XN_OK);
    double l4, l8;
    CHECK_STATUS(xn_net_eval_loss(net, 4, x, y, &l4), XN_OK);
    CHECK_STATUS(xn_net_eval_loss(net, 8, x8, y8, &l8), XN_OK);
    CHECK_NEAR(l8, l4, 1e-15);
    CHECK_STATUS(xn_net_predict(net, 4, x, buf), XN_OK);
    xn_net_destroy(net);
}

static void names(void)
{
    for (int i = 0; i <= XN_ACT_SOFTMAX; i++) {
        xn_act a;
        CHECK_STATUS(xn_act_parse(xn_act_name((xn_act)i), &a), XN_OK);
        CHECK((int)a == i);
    }
    for (int i = 0; i <= XN_INIT_ZEROS; i++) {
        xn_init v;
        CHECK_STATUS(xn_init_parse(xn_init_name((xn_init)i), &v), XN_OK);
        CHECK((int)v == i);
    }
    xn_loss l = XN_LOSS_SSE;
    CHECK_STATUS(xn_loss_parse("cce", &l), XN_OK);
    CHECK(l == XN_LOSS_CCE);
    CHECK_STATUS(xn_loss_parse("CCE", &l), XN_EINVAL);
    CHECK(l == XN_LOSS_CCE); /* untouched on failure */
    CHECK_STATUS(xn_loss_parse(NULL, &l), XN_EINVAL);
    CHECK_STATUS(xn_opt_parse("adam", NULL), XN_EINVAL);
    xn_kernel k;
    CHECK_STATUS(xn_kernel_parse("naive", &k), XN_OK);
    CHECK(k == XN_KERNEL_NAIVE);
    CHECK(strcmp(xn_act_name((xn_act)77), "?") == 0);
    CHECK(strcmp(xn_opt_name(XN_OPT_MOMENTUM), "momentum") == 0);
    /* each table whole, in enum order: what a front end lists */
    size_t count = 0;
    const char *const *opts = xn_opt_names(&count);
    CHECK(count == XN_OPT_LBFGS + 1 && opts == xn_opt_names(NULL));
    for (size_t i = 0; i < count; i++)
        CHECK(strcmp(opts[i], xn_opt_name((xn_opt_kind)i)) == 0);
    const char *const *acts = xn_act_names(&count);
    CHECK(count == XN_ACT_SOFTMAX + 1 && strcmp(acts[XN_ACT_TANH], "tanh") == 0);
    CHECK(xn_init_names(&count) && count == XN_INIT_ZEROS + 1);
    CHECK(xn_schedule_names(&count) && count == XN_SCHEDULE_COSINE + 1);
    for (int s = XN_OK; s <= XN_ENUMERIC; s++)
        CHECK(strlen(xn_strerror((xn_status)s)) > 0);
    CHECK(xn_strerror((xn_status)123) != NULL);
}

/* One input, one identity output, mse on one row: the gradient is plain
 * arithmetic, so each optimizer's update can be checked by hand. */
static void optimizers(void)
{
    size_t sizes[2] = {1, 1};
    xn_act acts[1] = {XN_ACT_IDENTITY};
    xn_net *net = make(1, sizes, acts, XN_LOSS_MSE);
    double x = 2.0, y = 1.0, loss;
    double *w = xn_net_weights(net, 1), *b = xn_net_bias(net, 1);

    /* w = 0.5, b = 0: a = 1, e = 0; then w = 1: a = 2, e = 1, dw = 2*e*x = 4, db = 2 */
    w[0] = 1.0;
    b[0] = 0.0;
    xn_opt mom = {.kind = XN_OPT_MOMENTUM, .lr = 0.1, .momentum = 0.5};
    CHECK_STATUS(xn_net_train_step(net, 1, &x, &y, &mom, &loss), XN_OK);
    CHECK(loss == 1.0);
    CHECK(xn_net_dweights(net, 1)[0] == 4.0 && xn_net_dbias(net, 1)[0] == 2.0);
    /* v = -0.1*4 = -0.4, w = 0.6; v_b = -0.2, b = -0.2 */
    CHECK_NEAR(w[0], 0.6, 1e-15);
    CHECK_NEAR(b[0], -0.2, 1e-15);
    /* a = 1.0, e = 0: g = 0; v = 0.5 v: w = 0.6 - 0.2 = 0.4, b = -0.2 - 0.1 = -0.3 */
    CHECK_STATUS(xn_net_train_step(net, 1, &x, &y, &mom, &loss), XN_OK);
    CHECK_NEAR(loss, 0.0, 1e-28);
    CHECK_NEAR(w[0], 0.4, 1e-15);
    CHECK_NEAR(b[0], -0.3, 1e-15);

    /* the optimizer's checker names the field at fault */
    const struct {
        xn_opt opt;
        const char *setting;
    } bad[] = {
        {{.kind = XN_OPT_GD, .lr = 0}, "lr"},
        {{.kind = XN_OPT_GD, .lr = 0.1, .weight_decay = -1}, "weight_decay"},
        {{.kind = XN_OPT_MOMENTUM, .lr = 0.1, .momentum = 1}, "momentum"},
        {{.kind = XN_OPT_ADAM, .lr = 0.1, .beta1 = 1}, "beta1"},
        {{.kind = XN_OPT_ADAM, .lr = 0.1, .beta2 = -0.1}, "beta2"},
        {{.kind = XN_OPT_ADAM, .lr = 0.1, .eps = INFINITY}, "eps"},
        {{.kind = (xn_opt_kind)99, .lr = 0.1}, "kind"},
    };
    for (size_t c = 0; c < sizeof bad / sizeof bad[0]; c++) {
        xn_error e = {0};
        CHECK_STATUS(xn_opt_check(&bad[c].opt, &e), XN_EINVAL);
        CHECK(strcmp(e.setting, bad[c].setting) == 0 && e.msg[0] != '\0');
    }
    CHECK_STATUS(xn_opt_check(&mom, NULL), XN_OK);
    CHECK_STATUS(xn_opt_check(NULL, NULL), XN_EINVAL);

    /* Adam's first step moves each parameter by lr * g / (|g| + eps) */
    xn_net_reset_opt(net);
    w[0] = 1.0;
    b[0] = 0.0;
    xn_opt adam = {.kind = XN_OPT_ADAM, .lr = 0.01, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8};
    CHECK_STATUS(xn_net_train_step(net, 1, &x, &y, &adam, &loss), XN_OK);
    CHECK_NEAR(w[0], 1.0 - 0.01 * 4.0 / (4.0 + 1e-8), 1e-15);
    CHECK_NEAR(b[0], 0.0 - 0.01 * 2.0 / (2.0 + 1e-8), 1e-15);
    /* second step by the bias-corrected formulas, computed here */
    double a = w[0] * x + b[0], e = a - y, g[2] = {2 * e * x, 2 * e};
    double p[2] = {w[0], b[0]}, g1[2] = {4.0, 2.0};
    for (int i = 0; i < 2; i++) {
        double m = 0.9 * (0.1 * g1[i]) + 0.1 * g[i];
        double v = 0.999 * (0.001 * g1[i] * g1[i]) + 0.001 * g[i] * g[i];
        p[i] -= 0.01 * (m / (1 - 0.81)) / (sqrt(v / (1 - 0.999 * 0.999)) + 1e-8);
    }
    CHECK_STATUS(xn_net_train_step(net, 1, &x, &y, &adam, &loss), XN_OK);
    CHECK_NEAR(w[0], p[0], 1e-15);
    CHECK_NEAR(b[0], p[1], 1e-15);
    xn_net_destroy(net);
}

static void numeric_safety(void)
{
    size_t sizes[2] = {1, 1};
    xn_act sig[1] = {XN_ACT_SIGMOID};
    /* sigmoid at +-1000 through a weight of 1000 */
    xn_net *net = make(1, sizes, sig, XN_LOSS_BCE);
    xn_net_weights(net, 1)[0] = 1000.0;
    double x[2] = {1.0, -1.0}, a[2], y[2] = {0.0, 1.0}, loss;
    CHECK_STATUS(xn_net_predict(net, 2, x, a), XN_OK);
    CHECK(a[0] == 1.0 && a[1] == 0.0);
    /* bce with outputs exactly 1 and 0 against the opposite targets:
     * finite, from the logits: softplus(1000) - 0 = 1000 and softplus(-1000) + 1000 */
    CHECK_STATUS(xn_net_gradient(net, 2, x, y, &loss), XN_OK);
    CHECK_NEAR(loss, 1000.0, 1e-12);
    CHECK(isfinite(xn_net_dweights(net, 1)[0]));
    CHECK_NEAR(xn_net_dweights(net, 1)[0], (1.0 * 1.0 + (0.0 - 1.0) * -1.0) / 2.0, 1e-15);
    /* the right targets: loss ~ e^-1000, which underflows to 0, not NaN */
    y[0] = 1.0;
    y[1] = 0.0;
    CHECK_STATUS(xn_net_eval_loss(net, 2, x, y, &loss), XN_OK);
    CHECK(loss >= 0.0 && loss < 1e-300);
    xn_net_destroy(net);

    /* softmax + cce at logits +-1000: finite */
    size_t s3[2] = {1, 3};
    xn_act sm[1] = {XN_ACT_SOFTMAX};
    net = make(1, s3, sm, XN_LOSS_CCE);
    double *w = xn_net_weights(net, 1);
    w[0] = 1000;
    w[1] = -1000;
    w[2] = 0;
    double one = 1.0, t[3] = {0, 1, 0}, out[3];
    CHECK_STATUS(xn_net_predict(net, 1, &one, out), XN_OK);
    CHECK(out[0] == 1.0 && out[1] == 0.0 && out[2] == 0.0);
    CHECK_STATUS(xn_net_gradient(net, 1, &one, t, &loss), XN_OK);
    CHECK_NEAR(loss, 2000.0, 1e-9); /* lse = 1000, minus z_1 = -1000 */
    xn_net_destroy(net);

    /* a learning rate that diverges: XN_ENUMERIC, parameters untouched */
    size_t s[3] = {2, 8, 1};
    xn_act acts[2] = {XN_ACT_RELU, XN_ACT_IDENTITY};
    net = make(2, s, acts, XN_LOSS_MSE);
    xn_rng r;
    xn_rng_seed(&r, XN_RNG_NUMPY, 1);
    xn_net_init(net, XN_INIT_GLOROT_UNIFORM, XN_ORDER_ROW, XN_BIAS_ZERO, &r);
    xn_opt gd = {.kind = XN_OPT_GD, .lr = 1e6};
    xn_status st = XN_OK;
    int steps = 0;
    while (st == XN_OK && steps < 1000) {
        st = xn_net_train_step(net, 4, xn_xor_inputs(), xn_xor_targets(), &gd, &loss);
        steps++;
    }
    CHECK_STATUS(st, XN_ENUMERIC);
    CHECK(steps < 1000);
    double before[33];
    memcpy(before, xn_net_params(net), sizeof before);
    CHECK_STATUS(xn_net_train_step(net, 4, xn_xor_inputs(), xn_xor_targets(), &gd, &loss), XN_ENUMERIC);
    CHECK(memcmp(before, xn_net_params(net), sizeof before) == 0);

    xn_net_destroy(net);

    /* a step whose result would overflow is refused before anything is
     * written: 1 -> 1 identity, w = 1, x = 2, y = 1: loss 1 and gradient
     * (4, 2) are finite, but w - 1e308 * 4 is not */
    size_t s11[2] = {1, 1};
    xn_act id1[1] = {XN_ACT_IDENTITY};
    net = make(1, s11, id1, XN_LOSS_MSE);
    xn_net_weights(net, 1)[0] = 1.0;
    double x2 = 2.0, y1 = 1.0;
    xn_opt huge = {.kind = XN_OPT_GD, .lr = 1e308};
    for (int kind = XN_OPT_GD; kind <= XN_OPT_MOMENTUM; kind++) {
        huge.kind = (xn_opt_kind)kind;
        CHECK_STATUS(xn_net_train_step(net, 1, &x2, &y1, &huge, &loss), XN_ENUMERIC);
        CHECK(loss == 1.0);
        CHECK(xn_net_weights(net, 1)[0] == 1.0 && xn_net_bias(net, 1)[0] == 0.0);
    }
    xn_net_destroy(net);

    /* the largest |w| an update leaves is where the next one's proof
     * starts; parameters changed since (set_params, or through a view)
     * must not be judged by it: w = 0.5, a step, then w = DBL_MAX / 2 with
     * x = 0 (loss and gradient finite, dL/dw = 0) and a decay of 4 makes
     * w - lr (g + 4 w) = -inf: refused, w left as set */
    for (int by_view = 0; by_view <= 1; by_view++) {
        net = make(1, s11, id1, XN_LOSS_MSE);
        double w0[2] = {0.5, 0.0}, zero = 0.0, big = DBL_MAX / 2;
        CHECK_STATUS(xn_net_set_params(net, w0), XN_OK);
        xn_opt decayed = {.kind = XN_OPT_GD, .lr = 0.1, .weight_decay = 4};
        CHECK_STATUS(xn_net_train_step(net, 1, &x2, &y1, &decayed, &loss), XN_OK);
        w0[0] = big;
        if (by_view)
            xn_net_weights(net, 1)[0] = big;
        else
            CHECK_STATUS(xn_net_set_params(net, w0), XN_OK);
        decayed.lr = 1.0;
        CHECK_STATUS(xn_net_train_step(net, 1, &zero, &y1, &decayed, &loss), XN_ENUMERIC);
        CHECK(isfinite(loss));
        double after[2];
        CHECK_STATUS(xn_net_get_params(net, after), XN_OK);
        CHECK(after[0] == big);
        xn_net_destroy(net);
    }

    /* a finite loss with an overflowing gradient: 1 -> 1 -> 1 identity,
     * w1 = 1e300, w2 = 1e-300, x = 1, y = -1e10: a = 1, loss ~ 1e20, but
     * dL/dw2 = 2 (a - y) * (w1 x) ~ 2e310 overflows */
    size_t s111[3] = {1, 1, 1};
    xn_act ident[2] = {XN_ACT_IDENTITY, XN_ACT_IDENTITY};
    net = make(2, s111, ident, XN_LOSS_MSE);
    xn_net_weights(net, 1)[0] = 1e300;
    xn_net_weights(net, 2)[0] = 1e-300;
    double target = -1e10;
    CHECK_STATUS(xn_net_gradient(net, 1, &one, &target, &loss), XN_ENUMERIC);
    CHECK(isfinite(loss));
    CHECK(!isfinite(xn_net_dweights(net, 2)[0]));
    xn_net_destroy(net);
    net = make(2, s, acts, XN_LOSS_MSE);

    /* NaN input: reported, not silently trained on */
    CHECK_STATUS(xn_net_init(net, XN_INIT_ZEROS, XN_ORDER_ROW, XN_BIAS_ZERO, &r), XN_OK);
    double xn[2] = {NAN, 0}, yn = 0;
    gd.lr = 0.1;
    CHECK_STATUS(xn_net_train_step(net, 1, xn, &yn, &gd, &loss), XN_ENUMERIC);
    xn_net_destroy(net);
}

static void clone_and_kernels(void)
{
    size_t s[4] = {2, 5, 1, 1};
    xn_act acts[3] = {XN_ACT_TANH, XN_ACT_SIGMOID, XN_ACT_SIGMOID};
    xn_net *net = make(3, s, acts, XN_LOSS_BCE), *copy;
    xn_rng r;
    xn_rng_seed(&r, XN_RNG_PYTHON, 7);
    xn_net_init(net, XN_INIT_HE_NORMAL, XN_ORDER_NEURON, XN_BIAS_DRAWN, &r);
    CHECK_STATUS(xn_net_clone(&copy, net), XN_OK);
    CHECK(xn_net_param_count(copy) == xn_net_param_count(net));
    CHECK(memcmp(xn_net_params(copy), xn_net_params(net),
                 xn_net_param_count(net) * sizeof(double)) == 0);
    xn_opt adam = {.kind = XN_OPT_ADAM, .lr = 0.05, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8};
    for (int i = 0; i < 20; i++) {
        CHECK_STATUS(xn_net_train_step(net, 4, xn_xor_inputs(), xn_xor_targets(), &adam, NULL), XN_OK);
        CHECK_STATUS(xn_net_train_step(copy, 4, xn_xor_inputs(), xn_xor_targets(), &adam, NULL), XN_OK);
    }
    /* clones train identically, Adam moments included */
    CHECK(memcmp(xn_net_params(copy), xn_net_params(net),
                 xn_net_param_count(net) * sizeof(double)) == 0);
    xn_net_set_kernel(copy, XN_KERNEL_NAIVE);
    CHECK(xn_net_kernel(copy) == XN_KERNEL_NAIVE);
    xn_net_set_kernel(copy, (xn_kernel)9); /* ignored */
    CHECK(xn_net_kernel(copy) == XN_KERNEL_NAIVE);
    xn_net_destroy(copy);
    xn_net_destroy(net);
}

static void accuracy_rule(void)
{
    double a1[4] = {0.2, 0.5, 0.7, 0.49}, y1[4] = {0, 1, 0, 0};
    CHECK(xn_accuracy(4, 1, a1, y1) == 0.75);
    double a3[6] = {0.1, 0.7, 0.2, 0.5, 0.3, 0.2}, y3[6] = {0, 1, 0, 0, 0, 1};
    CHECK(xn_accuracy(2, 3, a3, y3) == 0.5);
    CHECK(xn_accuracy(0, 1, a1, y1) == 0.0);
    CHECK(xn_accuracy(4, 1, NULL, y1) == 0.0);
    /* ties go to the first, as the header says (np.argmax's rule): a row
     * of equal outputs is class 0, and an equal pair the earlier class */
    double tie[4] = {0.25, 0.25, 0.25, 0.25}, pair[3] = {0.1, 0.45, 0.45};
    CHECK(xn_argmax(4, tie) == 0 && xn_argmax(3, pair) == 1 && xn_class_of(3, pair) == 1);
}

int main(void)
{
    bad_configs();
    bad_calls();
    names();
    optimizers();
    numeric_safety();
    clone_and_kernels();
    accuracy_rule();
    CHECK_DONE();
}
