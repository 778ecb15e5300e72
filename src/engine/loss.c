/* The losses: the sum of a batch's loss terms, its mean, and the output
 * delta dLoss/dZ_L that starts the backward pass.
 *
 * A batch may be taken in blocks of rows (a cache-sized block, or a shard
 * of a batch split across calls or processes): the caller carries the sum
 * from block to block, and every delta is scaled for the whole batch of
 * `total` rows, so the blocks add up to the one-call result.  The terms of
 * a block's rows are written out first (a step's threads take rows of
 * their own) and then added in order, as one loop would have added them.
 * Where the output activation and the loss cancel (sigmoid + bce, softmax
 * + cce) both are computed from the logits Z_L: the loss is exact for any z
 * and the delta is a - y, scaled as the loss is averaged. */
#include <math.h>
#include <stdbool.h>

#include "internal.h"

/* log(1 + exp(z)) without overflow */
static inline double softplus(double z)
{
    return (z > 0.0 ? z : 0.0) + log1p(exp(-fabs(z)));
}

/* y log p, 0 where y is 0 (scipy.special.xlogy), and p clipped to
 * [clip, 1 - clip], as scikit-learn's log losses take their
 * probabilities. */
static inline double xlogy(double y, double p)
{
    return y == 0.0 ? 0.0 : y * log(p);
}

static inline double clamp(double p, double clip)
{
    return p < clip ? clip : p > 1.0 - clip ? 1.0 - clip : p;
}

#include "type_f64.h"
#include "loss_t.h"
#include "type_end.h"

#include "type_f32.h"
#include "loss_t.h"
#include "type_end.h"

double xn_loss_add(xn_loss loss, double clip, size_t n, size_t K, const double *terms, double sum)
{
    size_t len = n * xn_loss_width(loss, clip, K);
    for (size_t i = 0; i < len; i++)
        sum += terms[i];
    return sum;
}

/* mse and bce are means over the nK outputs, sse is half the sum over the
 * rows' mean, cce and bce_sum the mean over the n rows. */
double xn_loss_mean(xn_loss loss, size_t total, size_t K, double sum)
{
    double n = (double)total, nk = n * (double)K;
    switch (loss) {
    case XN_LOSS_MSE:
    case XN_LOSS_BCE:
        return sum / nk;
    case XN_LOSS_SSE:
        return sum / (2.0 * n);
    case XN_LOSS_CCE:
    case XN_LOSS_BCE_SUM:
        break;
    }
    return sum / n;
}
