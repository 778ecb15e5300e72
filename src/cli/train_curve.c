/* A training curve kept in memory for --plot (train_curve.h). */
#include "train_curve.h"

#include <stdlib.h>

int train_curve_add(train_curve *s, size_t step, double v, bool force)
{
    size_t stride = s->stride ? s->stride : 1;
    if (step % stride != 0 && !force)
        return 0;
    if (s->n > 0 && s->x[s->n - 1] == (double)step)
        return 0; /* already there: a forced last point on a kept step */
    if (s->n == TRAIN_CURVE_MAX) {
        /* keep the points at multiples of 2 * stride and halve the density
         * from now on (the first point is step 0 and stays) */
        size_t k = 0;
        for (size_t i = 0; i < s->n; i++)
            if ((size_t)s->x[i] % (2 * stride) == 0) {
                s->x[k] = s->x[i];
                s->y[k++] = s->y[i];
            }
        s->n = k;
        s->stride = 2 * stride;
        if (step % s->stride != 0 && !force)
            return 0;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 1024;
        if (cap > TRAIN_CURVE_MAX)
            cap = TRAIN_CURVE_MAX;
        double *x = realloc(s->x, cap * sizeof *x);
        if (!x)
            return -1;
        s->x = x;
        double *y = realloc(s->y, cap * sizeof *y);
        if (!y)
            return -1;
        s->y = y;
        s->cap = cap;
    }
    s->x[s->n] = (double)step;
    s->y[s->n++] = v;
    return 0;
}

void train_curve_free(train_curve *s)
{
    free(s->x);
    free(s->y);
    *s = (train_curve){NULL, NULL, 0, 0, 0};
}
