/* How good the outputs are: for classification the accuracy rule, the
 * class of an output row and the confusion matrix; for regression RMSE,
 * MAE and R^2; and the sums a training run adds up over its batches. */
#include <math.h>

#include "internal.h"

#include "type_f64.h"
#include "metrics_t.h"
#include "type_end.h"

#include "type_f32.h"
#include "metrics_t.h"
#include "type_end.h"

size_t xn_argmax(size_t k, const double *v) { return v ? xn_argmax_f64(k, v) : 0; }
size_t xn_class_of(size_t k, const double *v) { return v ? xn_class_of_f64(k, v) : 0; }

double xn_accuracy(size_t n, size_t k, const double *a, const double *y)
{
    if (!a || !y || n == 0 || k == 0)
        return 0.0;
    return (double)xn_count_right_f64(n, k, a, y) / (double)n;
}

xn_status xn_regression_metrics(size_t n, size_t k, const double *a, const double *y,
                                xn_regression *out)
{
    if (!a || !y || !out)
        return XN_EINVAL;
    if (n == 0 || k == 0)
        return XN_EDIM;
    double se = 0.0, ae = 0.0, r2 = 0.0;
    for (size_t j = 0; j < k; j++) {
        double mean = 0.0, res = 0.0, tot = 0.0;
        for (size_t i = 0; i < n; i++)
            mean += y[i * k + j];
        mean /= (double)n;
        for (size_t i = 0; i < n; i++) {
            double e = a[i * k + j] - y[i * k + j], d = y[i * k + j] - mean;
            res += e * e;
            tot += d * d;
            ae += fabs(e);
        }
        se += res;
        /* scikit-learn's r2_score: a constant target scores 1 if matched
         * exactly, else 0; several outputs average their scores */
        r2 += tot > 0.0 ? 1.0 - res / tot : (res == 0.0 ? 1.0 : 0.0);
    }
    double nk = (double)n * (double)k;
    out->rmse = sqrt(se / nk);
    out->mae = ae / nk;
    out->r2 = r2 / (double)k;
    return isfinite(out->rmse) && isfinite(out->r2) ? XN_OK : XN_ENUMERIC;
}

xn_status xn_confusion(size_t n, size_t k, const double *a, const double *y, size_t *counts)
{
    if (!a || !y || !counts)
        return XN_EINVAL;
    size_t c = k == 1 ? 2 : k, cells;
    if (k == 0 || !xn_rows_ok(n, k) || !xn_mul_ok(c, c, &cells) || !xn_rows_ok(cells, 1))
        return XN_EDIM;
    for (size_t i = 0; i < c * c; i++)
        counts[i] = 0;
    for (size_t i = 0; i < n; i++)
        counts[xn_class_of(k, y + i * k) * c + xn_class_of(k, a + i * k)]++;
    return XN_OK;
}

double xn_net_metric_sum(const xn_net *net, size_t m, const void *y, double sum)
{
    size_t K = net->sizes[net->L];
    const void *a = net->a[net->L];
    if (net->acts[net->L] == XN_ACT_SIGMOID || net->acts[net->L] == XN_ACT_SOFTMAX)
        return sum + (double)net->engine->count_right(m, K, a, y);
    if (!net->ysd)
        return sum + net->engine->sq_err(m * K, a, y);
    for (size_t k = 0; k < K; k++) { /* standardized targets: the error in the targets' units */
        double se = 0.0;
        for (size_t i = 0; i < m; i++) {
            double d = xn_net_get(net, a, i * K + k) - xn_net_get(net, y, i * K + k);
            se += d * d;
        }
        sum += se * net->ysd[k] * net->ysd[k];
    }
    return sum;
}
