/* The README's library example, built against an installed xornet through
 * pkg-config by .ci/run: proves the headers, the library and xornet.pc are
 * complete.  Exits non-zero unless it reproduces notebook 1's outputs
 * ("Final XOR preds: [[0.04852618] [0.98003239] [0.97855588] [0.01685806]]"). */
#include <math.h>
#include <stdio.h>
#include <xornet/xornet.h>

int main(void)
{
    size_t sizes[] = {2, 10, 1};
    xn_act acts[] = {XN_ACT_RELU, XN_ACT_SIGMOID};
    xn_net_config cfg = {.n_layers = 2, .sizes = sizes, .acts = acts, .loss = XN_LOSS_MSE,
                         .max_batch = 4};
    xn_net *net;
    xn_rng rng;
    if (xn_net_create(&net, &cfg) != XN_OK)
        return 1;
    xn_rng_seed(&rng, XN_RNG_NUMPY, 1); /* np.random.seed(1) */
    xn_net_init(net, XN_INIT_NORMAL, XN_ORDER_ROW, XN_BIAS_ZERO, &rng);
    xn_opt gd = {.kind = XN_OPT_GD, .lr = 1.5};
    for (int epoch = 0; epoch < 500; epoch++) {
        double loss;
        xn_status s = xn_net_train_step(net, 4, xn_xor_inputs(), xn_xor_targets(), &gd, &loss);
        if (s != XN_OK) {
            fprintf(stderr, "%s\n", xn_strerror(s));
            return 1;
        }
    }
    double out[4];
    xn_net_predict(net, 4, xn_xor_inputs(), out);
    xn_net_destroy(net);
    static const double want[4] = {0.04852618, 0.98003239, 0.97855588, 0.01685806};
    for (int i = 0; i < 4; i++) {
        printf("%.8f\n", out[i]);
        if (!(fabs(out[i] - want[i]) <= 1e-8))
            return 1;
    }
    return 0;
}
