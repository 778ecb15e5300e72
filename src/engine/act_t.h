/* The activations and their derivatives for one element type, inline for
 * the layer passes (dense_t.h) and the losses (loss_t.h), which include it
 * inside their own instantiation.  Softmax is row-wise and lives in the
 * bias-and-activation pass; here it is never asked for. */

/* act(z) for the element-wise activations.  The sigmoid: exp(-z)
 * overflows to inf for very negative z and 1/(1+inf) is 0: finite
 * everywhere, and the same rounding as NumPy's 1/(1+np.exp(-z)). */
static inline XN_T TF(act_apply)(xn_act act, XN_T z)
{
    switch (act) {
    case XN_ACT_SIGMOID:
        return (XN_T)1 / ((XN_T)1 + XN_EXP(-z));
    case XN_ACT_RELU:
        return z > 0 ? z : 0;
    case XN_ACT_TANH:
        return XN_TANH(z);
    default:
        return z;
    }
}

/* d act / d z, written in terms of a = act(z) (relu: 0 at z = 0). */
static inline XN_T TF(act_deriv)(xn_act act, XN_T a)
{
    switch (act) {
    case XN_ACT_SIGMOID:
        return a * ((XN_T)1 - a);
    case XN_ACT_RELU:
        return (XN_T)(a > 0); /* a comparison, not a branch: vectorizes */
    case XN_ACT_TANH:
        return (XN_T)1 - a * a;
    default:
        return 1;
    }
}
