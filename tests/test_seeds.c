/* The notebooks' experiments, number for number.  Expected values are the
 * outputs printed in the reference notebooks (docs/models.md lists them),
 * quoted next to each check:
 *   000: four XOR models, Python's random.seed(1), Glorot-uniform drawn
 *        neuron by neuron, gradient descent on the MSE;
 *   001: 2-10-1 relu/sigmoid in NumPy matrix form, np.random.seed(1);
 *   002: Goodfellow et al.'s hand-set relu solution. */
#include "check.h"
#include "xornet/xornet.h"

/* seed 000's row order: X = [[0,0],[1,0],[0,1],[1,1]], Y = [0,1,1,0] */
static const double X0[8] = {0, 0, 1, 0, 0, 1, 1, 1}, Y0[4] = {0, 1, 1, 0};

/* Model 1 (2->1 identity) with no hidden layer, else 2->hidden(act)->1 sigmoid. */
static xn_net *seed000_model(size_t hidden, xn_act act)
{
    size_t s1[2] = {2, 1}, s2[3] = {2, hidden, 1};
    xn_act a1[1] = {act}, a2[2] = {act, XN_ACT_SIGMOID};
    xn_net_config cfg = {.n_layers = hidden ? 2 : 1, .sizes = hidden ? s2 : s1,
                         .acts = hidden ? a2 : a1, .loss = XN_LOSS_MSE, .max_batch = 4};
    xn_net *net = NULL;
    xn_rng rng;
    CHECK_STATUS(xn_net_create(&net, &cfg), XN_OK);
    CHECK_STATUS(xn_rng_seed(&rng, XN_RNG_PYTHON, 1), XN_OK);
    CHECK_STATUS(xn_net_init(net, XN_INIT_GLOROT_UNIFORM, XN_ORDER_NEURON, XN_BIAS_ZERO, &rng), XN_OK);
    return net;
}

static double loss_of(xn_net *net, const double *x, const double *y)
{
    double loss = NAN;
    CHECK_STATUS(xn_net_eval_loss(net, 4, x, y, &loss), XN_OK);
    return loss;
}

static void seed000_initial(void)
{
    xn_net *m1 = seed000_model(0, XN_ACT_IDENTITY);
    /* "ws0 = [-1.0341740897295608, 0.9826910056052014, 0]" */
    CHECK(xn_net_weights(m1, 1)[0] == -1.0341740897295608);
    CHECK(xn_net_weights(m1, 1)[1] == 0.9826910056052014);
    CHECK(xn_net_bias(m1, 1)[0] == 0.0);
    /* "mse1(ws0)  Out[ ]: 1.0352035841412506" */
    CHECK_NEAR(loss_of(m1, X0, Y0), 1.0352035841412506, 1e-14);
    xn_net_destroy(m1);

    xn_net *m2 = seed000_model(0, XN_ACT_SIGMOID);
    CHECK_NEAR(loss_of(m2, X0, Y0), 0.27642845152006257, 1e-14); /* "Out[ ]: 0.27642845152006257" */
    xn_net_destroy(m2);

    xn_net *m3 = seed000_model(32, XN_ACT_IDENTITY);
    CHECK_NEAR(loss_of(m3, X0, Y0), 0.251957493796363, 1e-14); /* "Out[ ]: 0.251957493796363" */
    /* the printed ws0: neuron k's (w1, w2, b) at 3k, output weights from 96 */
    const double *w1 = xn_net_weights(m3, 1), *w2 = xn_net_weights(m3, 2);
    CHECK_NEAR(w1[0 * 32 + 0], -0.30719548, 5e-9);
    CHECK_NEAR(w1[1 * 32 + 0], 0.29190273, 5e-9);
    CHECK_NEAR(w1[0 * 32 + 1], 0.22161501, 5e-9);
    CHECK_NEAR(w1[1 * 32 + 31], 0.14659742, 5e-9);
    CHECK_NEAR(w2[0], -0.10685362, 5e-9);
    CHECK_NEAR(w2[31], 0.205102, 5e-9);
    xn_net_destroy(m3);

    xn_net *m4 = seed000_model(32, XN_ACT_RELU);
    CHECK_NEAR(loss_of(m4, X0, Y0), 0.2575479161356454, 1e-14); /* "Out[ ]: 0.2575479161356454" */
    xn_net_destroy(m4);
}

static void seed000_model1_history(void)
{
    /* "history = [...]" after K = 50 steps of learning_eps = 0.5 */
    static const double hist[51] = {
        1.03520358, 0.63820097, 0.45027301, 0.35680191, 0.3083812, 0.28250154, 0.26834683,
        0.26047332, 0.25603787, 0.25351378, 0.25206467, 0.25122569, 0.25073574, 0.25044695,
        0.25027501, 0.25017149, 0.25010841, 0.25006948, 0.25004512, 0.25002967, 0.25001974,
        0.25001327, 0.25000901, 0.25000616, 0.25000425, 0.25000294, 0.25000205, 0.25000143,
        0.250001, 0.25000071, 0.2500005, 0.25000035, 0.25000025, 0.25000018, 0.25000012,
        0.25000009, 0.25000006, 0.25000004, 0.25000003, 0.25000002, 0.25000002, 0.25000001,
        0.25000001, 0.25000001, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25};
    xn_net *m1 = seed000_model(0, XN_ACT_IDENTITY);
    xn_opt gd = {.kind = XN_OPT_GD, .lr = 0.5};
    for (int k = 0; k < 50; k++) {
        double loss = NAN;
        CHECK_STATUS(xn_net_train_step(m1, 4, X0, Y0, &gd, &loss), XN_OK);
        CHECK_NEAR(loss, hist[k], 1e-8);
    }
    CHECK_NEAR(loss_of(m1, X0, Y0), hist[50], 1e-8);
    /* "ws = [3.06534067e-05 3.17956011e-05 4.99962963e-01]" */
    CHECK_NEAR(xn_net_weights(m1, 1)[0], 3.06534067e-05, 5e-14);
    CHECK_NEAR(xn_net_weights(m1, 1)[1], 3.17956011e-05, 5e-14);
    CHECK_NEAR(xn_net_bias(m1, 1)[0], 4.99962963e-01, 5e-10);
    xn_net_destroy(m1);
}

static void seed000_model4_learns(void)
{
    /* "my_xor4 ... acc = 1.0" after K = 500 steps of learning_eps = 1.5 */
    xn_net *m4 = seed000_model(32, XN_ACT_RELU);
    xn_opt gd = {.kind = XN_OPT_GD, .lr = 1.5};
    for (int k = 0; k < 500; k++)
        CHECK_STATUS(xn_net_train_step(m4, 4, X0, Y0, &gd, NULL), XN_OK);
    double y[4], acc = 0;
    CHECK_STATUS(xn_net_predict(m4, 4, X0, y), XN_OK);
    for (int i = 0; i < 4; i++)
        CHECK((y[i] >= 0.5) == (Y0[i] == 1.0));
    CHECK_STATUS(xn_net_accuracy(m4, 4, X0, Y0, &acc), XN_OK);
    CHECK(acc == 1.0);
    xn_net_destroy(m4);
}

static void seed001(void)
{
    size_t sizes[3] = {2, 10, 1};
    xn_act acts[2] = {XN_ACT_RELU, XN_ACT_SIGMOID};
    xn_net_config cfg = {.n_layers = 2, .sizes = sizes, .acts = acts, .loss = XN_LOSS_MSE,
                         .max_batch = 4};
    xn_net *net;
    xn_rng rng;
    CHECK_STATUS(xn_net_create(&net, &cfg), XN_OK);
    /* np.random.seed(1); W1 = randn(2, 10); b1 = 0; W2 = randn(10, 1); b2 = 0 */
    CHECK_STATUS(xn_rng_seed(&rng, XN_RNG_NUMPY, 1), XN_OK);
    CHECK_STATUS(xn_net_init(net, XN_INIT_NORMAL, XN_ORDER_ROW, XN_BIAS_ZERO, &rng), XN_OK);
    CHECK(xn_net_weights(net, 1)[0] == 1.6243453636632417);
    xn_opt gd = {.kind = XN_OPT_GD, .lr = 1.5};
    /* seed 001's X is [[0,0],[0,1],[1,0],[1,1]]: the built-in order */
    const double *x = xn_xor_inputs(), *t = xn_xor_targets();
    for (int e = 0; e < 500; e++) {
        double loss;
        CHECK_STATUS(xn_net_train_step(net, 4, x, t, &gd, &loss), XN_OK);
        if (e == 0)
            CHECK_NEAR(loss, 0.3051, 5e-5); /* "Epoch 0, Loss: 0.3051" */
        if (e == 20)
            CHECK_NEAR(loss, 0.0828, 5e-5); /* "Epoch 20, Loss: 0.0828" */
        if (e == 480)
            CHECK_NEAR(loss, 0.0009, 5e-5); /* "Epoch 480, Loss: 0.0009" */
    }
    /* "Final XOR preds: [[0.04852618] [0.98003239] [0.97855588] [0.01685806]]" */
    static const double want[4] = {0.04852618, 0.98003239, 0.97855588, 0.01685806};
    double y[4];
    CHECK_STATUS(xn_net_predict(net, 4, x, y), XN_OK);
    for (int i = 0; i < 4; i++)
        CHECK_NEAR(y[i], want[i], 1e-8);
    xn_net_destroy(net);
}

static void seed002_hand_set(void)
{
    /* W1 = [[1,1],[1,1]], b1 = [0,-1], relu; W2 = [1,-2]^T, b2 = 0, identity */
    size_t sizes[3] = {2, 2, 1};
    xn_act acts[2] = {XN_ACT_RELU, XN_ACT_IDENTITY};
    for (int k = 0; k < 3; k++) {
        xn_net_config cfg = {.n_layers = 2, .sizes = sizes, .acts = acts, .loss = XN_LOSS_MSE,
                             .max_batch = 4, .kernel = (xn_kernel)k};
        xn_net *net;
        CHECK_STATUS(xn_net_create(&net, &cfg), XN_OK);
        double *w1 = xn_net_weights(net, 1), *b1 = xn_net_bias(net, 1);
        double *w2 = xn_net_weights(net, 2);
        w1[0] = w1[1] = w1[2] = w1[3] = 1;
        b1[0] = 0;
        b1[1] = -1;
        w2[0] = 1;
        w2[1] = -2;
        double y[4], loss = -1;
        CHECK_STATUS(xn_net_predict(net, 4, X0, y), XN_OK);
        for (int i = 0; i < 4; i++)
            CHECK(y[i] == Y0[i]);
        CHECK_STATUS(xn_net_eval_loss(net, 4, X0, Y0, &loss), XN_OK);
        CHECK(loss == 0.0);
        xn_net_destroy(net);
    }
}

int main(void)
{
    seed000_initial();
    seed000_model1_history();
    seed000_model4_learns();
    seed001();
    seed002_hand_set();
    CHECK_DONE();
}
