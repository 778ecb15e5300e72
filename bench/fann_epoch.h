/* FANN's batch training epoch, timed for bench/xor_bench (fann_epoch.c). */
#ifndef XORNET_FANN_EPOCH_H
#define XORNET_FANN_EPOCH_H

#include <stddef.h>

#include "bench_util.h"

/* "float" or "double": the fann_type of the linked library. */
const char *xn_fann_type(void);

/* Times fann_train_epoch (FANN_TRAIN_BATCH) of a D -> H -> K net on x (n, d)
 * and y (n, k); 0 on success, -1 if FANN could not allocate. */
int xn_fann_time(size_t n, size_t d, size_t h, size_t k, const double *x,
                 const double *y, double lr, const bench_plan *plan,
                 bench_timing *t);

#endif
