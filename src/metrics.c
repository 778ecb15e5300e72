/* How good the outputs are: the accuracy rule and the arg-max it uses. */
#include "internal.h"

size_t xn_argmax(size_t k, const double *v)
{
    size_t best = 0;
    for (size_t j = 1; j < k; j++)
        if (v[j] > v[best])
            best = j;
    return best;
}

size_t xn_count_right(size_t n, size_t k, const double *a, const double *y)
{
    size_t right = 0;
    for (size_t i = 0; i < n; i++) {
        const double *ai = a + i * k, *yi = y + i * k;
        if (k == 1)
            right += (ai[0] >= 0.5) == (yi[0] >= 0.5);
        else
            right += xn_argmax(k, ai) == xn_argmax(k, yi);
    }
    return right;
}

double xn_accuracy(size_t n, size_t k, const double *a, const double *y)
{
    if (!a || !y || n == 0 || k == 0)
        return 0.0;
    return (double)xn_count_right(n, k, a, y) / (double)n;
}
