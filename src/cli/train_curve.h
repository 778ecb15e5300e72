/* A curve of a run (the loss or the metric by epoch) kept in memory for
 * train --plot: at most TRAIN_CURVE_MAX points.  When full, every other
 * point is dropped and only every stride-th step is kept from then on, so
 * a run of any length fits. */
#ifndef XORNET_CLI_TRAIN_CURVE_H
#define XORNET_CLI_TRAIN_CURVE_H

#include <stdbool.h>
#include <stddef.h>

enum { TRAIN_CURVE_MAX = 1 << 16 };

typedef struct {
    double *x, *y;   /* (n) steps and values */
    size_t n, cap;
    size_t stride;   /* keep steps that are multiples of stride; 0 means 1 */
} train_curve;

/* Adds (step, v) if step is a multiple of the stride, or always with
 * force (the last point of a run).  -1 if memory runs out. */
int train_curve_add(train_curve *s, size_t step, double v, bool force);
/* Frees the arrays and zeroes s; accepts a zeroed s. */
void train_curve_free(train_curve *s);

#endif
