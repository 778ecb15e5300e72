/* The C side of test_net.py: a recipe run through the C API, whose numbers
 * the Python Net must repeat to the bit.  For each element type: a 3-6-2
 * network (relu, softmax, cce, the loss clipped), Glorot uniform weights
 * and biases from the NumPy stream, xn_fit (Adam with eps_raw and an l2
 * penalty, batches of 8, reshuffled, the rate halved by the callback),
 * then Nesterov momentum steps and a gradient.  Prints one line a
 * quantity, every number with %.17g:
 *   <type> curve L1 L2 ...      each epoch's loss
 *   <type> params P1 P2 ...     after the fit and the steps
 *   <type> grads G1 ...         the last gradient
 *   <type> outputs O1 ...       predictions of every row
 * usage: net_reference */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "xornet/xornet.h"

enum { N = 37, D = 3, H = 6, K = 2 };

/* The rows test_net.py builds the same way. */
static void rows(double *x, double *y)
{
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < D; j++)
            x[i * D + j] = sin(0.7 * i + 1.3 * j);
        y[i * K] = (double)(x[i * D] + x[i * D + 1] > 0.0);
        y[i * K + 1] = 1.0 - y[i * K];
    }
}

static void print(const char *type, const char *what, const double *v, size_t n)
{
    printf("%s %s", type, what);
    for (size_t i = 0; i < n; i++)
        printf(" %.17g", v[i]);
    putchar('\n');
}

typedef struct {
    double curve[16];
    size_t epochs;
    xn_net *net;
} run;

static int halve(const xn_progress *p, void *user)
{
    run *r = user;
    r->curve[r->epochs++] = p->loss;
    return xn_net_set_lr(r->net, p->lr / 2) != XN_OK;
}

static int recipe(xn_dtype type)
{
    static const size_t sizes[] = {D, H, K};
    static const xn_act acts[] = {XN_ACT_RELU, XN_ACT_SOFTMAX};
    double x[N * D], y[N * K], out[N * K];
    float xf[N * D], yf[N * K];
    rows(x, y);
    for (int i = 0; i < N * D; i++)
        xf[i] = (float)x[i];
    for (int i = 0; i < N * K; i++)
        yf[i] = (float)y[i];
    xn_net_config cfg = {.n_layers = 2, .sizes = sizes, .acts = acts, .loss = XN_LOSS_CCE, .dtype = type};
    run r = {.epochs = 0};
    xn_rng init, order;
    if (xn_net_create(&r.net, &cfg) != XN_OK)
        return 1;
    xn_rng_seed(&init, XN_RNG_NUMPY, 3);
    xn_rng_seed(&order, XN_RNG_NUMPY, 4);
    xn_net_init(r.net, XN_INIT_GLOROT_UNIFORM, XN_ORDER_ROW, XN_BIAS_DRAWN, &init);
    xn_net_set_loss_clip(r.net, 2.220446049250313e-16);
    xn_opt adam = xn_opt_default(XN_OPT_ADAM);
    adam.lr = 0.01;
    adam.eps_raw = true;
    adam.l2 = 1e-3;
    xn_net_set_opt(r.net, &adam);
    xn_rows data = {.n = N, .in = D, .out = K, .dtype = type, .x = type == XN_FLOAT32 ? (void *)xf : (void *)x,
                    .y = type == XN_FLOAT32 ? (void *)yf : (void *)y};
    xn_fit_config fc = {.epochs = 5, .batch = 8, .shuffle = true, .reshuffle = true, .rng = &order,
                        .callback_lr = true, .on_epoch = halve, .user = &r};
    xn_opt nag = xn_opt_default(XN_OPT_MOMENTUM);
    nag.lr = 0.05;
    nag.nesterov = true;
    if (xn_fit_rows(r.net, &data, &fc, NULL) != XN_OK)
        return 1;
    for (int t = 0; t < 3; t++)
        if (xn_net_train_step(r.net, 10, x, y, &nag, NULL) != XN_OK)
            return 1;
    size_t P = xn_net_param_count(r.net);
    double *v = malloc(P * sizeof *v), loss;
    if (!v || xn_net_gradient(r.net, N, x, y, &loss) != XN_OK)
        return 1;
    const char *name = xn_dtype_name(type);
    print(name, "curve", r.curve, r.epochs);
    xn_net_get_params(r.net, v);
    print(name, "params", v, P);
    xn_net_get_grads(r.net, v);
    print(name, "grads", v, P);
    xn_net_predict(r.net, N, x, out);
    print(name, "outputs", out, N * K);
    print(name, "loss", &loss, 1);
    free(v);
    xn_net_destroy(r.net);
    return 0;
}

int main(void)
{
    return recipe(XN_FLOAT64) || recipe(XN_FLOAT32);
}
