/* The activations and their derivatives, inline for the layer passes
 * (dense.c) and the losses (loss.c).  Softmax is row-wise and lives in
 * xn_dense_bias_act; here it is never asked for. */
#ifndef XORNET_ACT_H
#define XORNET_ACT_H

#include <math.h>

#include "xornet/xornet.h"

/* act(z) for the element-wise activations. */
static inline double xn_act_apply(xn_act act, double z)
{
    switch (act) {
    case XN_ACT_SIGMOID:
        /* exp(-z) overflows to inf for z < -709 and 1/(1+inf) is 0: finite
         * everywhere, and the same rounding as NumPy's 1/(1+np.exp(-z)) */
        return 1.0 / (1.0 + exp(-z));
    case XN_ACT_RELU:
        return z > 0.0 ? z : 0.0;
    case XN_ACT_TANH:
        return tanh(z);
    default:
        return z;
    }
}

/* d act / d z, written in terms of a = act(z) (relu: 0 at z = 0). */
static inline double xn_act_deriv(xn_act act, double a)
{
    switch (act) {
    case XN_ACT_SIGMOID:
        return a * (1.0 - a);
    case XN_ACT_RELU:
        return (double)(a > 0.0); /* a comparison, not a branch: vectorizes */
    case XN_ACT_TANH:
        return 1.0 - a * a;
    default:
        return 1.0;
    }
}

#endif
