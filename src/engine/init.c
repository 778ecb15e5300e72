/* Weight initializers: every rule draws from the caller's xn_rng, in row
 * order (NumPy's randn(in, out)) or neuron by neuron (each output's fan-in
 * in turn), so a Python or NumPy experiment's first weights come out the
 * same number for number (a float network's rounded to float). */
#include <math.h>

#include "internal.h"

/* One draw of rule `init` for a layer of fan-in `in` and fan-out `out`:
 * the Glorot and He limits and deviations of Keras' initializers. */
static double draw(xn_init init, size_t in, size_t out, xn_rng *rng)
{
    double limit, sd;
    switch (init) {
    case XN_INIT_GLOROT_UNIFORM:
        limit = sqrt(6.0 / (double)(in + out));
        break;
    case XN_INIT_HE_UNIFORM:
        limit = sqrt(6.0 / (double)in);
        break;
    case XN_INIT_GLOROT_NORMAL:
        sd = sqrt(2.0 / (double)(in + out));
        return xn_rng_normal(rng) * sd;
    case XN_INIT_HE_NORMAL:
        sd = sqrt(2.0 / (double)in);
        return xn_rng_normal(rng) * sd;
    case XN_INIT_NORMAL:
        return xn_rng_normal(rng);
    case XN_INIT_UNIFORM:
        return xn_rng_uniform(rng);
    default:
        return 0.0;
    }
    /* random.uniform(a, b) = a + (b - a) * random() */
    return -limit + (limit - -limit) * xn_rng_uniform(rng);
}

void xn_init_layer(xn_net *net, size_t l, xn_init init, xn_order order, xn_bias_init bias,
                   xn_rng *rng)
{
    size_t in = net->sizes[l - 1], out = net->sizes[l], w = net->woff[l], b = net->boff[l];
    if (order == XN_ORDER_ROW)
        for (size_t k = 0; k < in * out; k++)
            xn_net_put(net, net->params, w + k, draw(init, in, out, rng));
    else
        for (size_t o = 0; o < out; o++)
            for (size_t k = 0; k < in; k++)
                xn_net_put(net, net->params, w + k * out + o, draw(init, in, out, rng));
    for (size_t o = 0; o < out; o++)
        xn_net_put(net, net->params, b + o, bias == XN_BIAS_DRAWN ? draw(init, in, out, rng) : 0.0);
}

xn_status xn_net_init(xn_net *net, xn_init init, xn_order order,
                      xn_bias_init bias, xn_rng *rng)
{
    if (!net)
        return XN_EINVAL;
    if (!rng || (rng->kind != XN_RNG_PYTHON && rng->kind != XN_RNG_NUMPY))
        return xn_net_fail(net, XN_EINVAL, "init: no random stream, or one never seeded");
    if (init < XN_INIT_GLOROT_UNIFORM || init > XN_INIT_ZEROS)
        return xn_net_fail(net, XN_EINVAL, "init: unknown initializer %d", (int)init);
    if (order != XN_ORDER_ROW && order != XN_ORDER_NEURON)
        return xn_net_fail(net, XN_EINVAL, "init: unknown draw order %d", (int)order);
    if (bias != XN_BIAS_ZERO && bias != XN_BIAS_DRAWN)
        return xn_net_fail(net, XN_EINVAL, "init: unknown bias rule %d", (int)bias);
    for (size_t l = 1; l <= net->L; l++)
        xn_init_layer(net, l, init, order, bias, rng);
    net->initialized = true;
    xn_net_reset_opt(net);
    return XN_OK;
}

void xn_default_init(size_t inputs, xn_init *init, xn_bias_init *bias)
{
    /* one input: see xn_plan_defaults in xornet.h */
    *init = inputs == 1 ? XN_INIT_HE_UNIFORM : XN_INIT_GLOROT_UNIFORM;
    *bias = inputs == 1 ? XN_BIAS_DRAWN : XN_BIAS_ZERO;
}

xn_status xn_net_init_default(xn_net *net, uint64_t seed)
{
    if (!net)
        return XN_EINVAL;
    xn_rng rng;
    if (xn_rng_seed(&rng, XN_RNG_NUMPY, seed) != XN_OK)
        return xn_net_fail(net, XN_EINVAL, "init_default: NumPy's stream takes seeds below 2^32");
    xn_init init;
    xn_bias_init bias;
    xn_default_init(net->sizes[0], &init, &bias);
    return xn_net_init(net, init, XN_ORDER_ROW, bias, &rng);
}
