/* The FANN comparison of bench/xor_bench: one fann_train_epoch with
 * FANN_TRAIN_BATCH (forward, error, backpropagation and one weight update
 * over the whole set: FANN's whole-batch training step) on a fully
 * connected D -> H -> K net.  Built only when meson finds fann; uses
 * libdoublefann when the package ships it (XN_FANN_DOUBLE), else the float
 * libfann that fann.pc names.
 *
 * FANN 2.2 has no relu and no softmax: hidden and output layers are
 * FANN_SIGMOID (steepness 0.5, FANN's default) with the linear (mse) error
 * function, so FANN pays one exp per hidden unit that xornet's relu does
 * not. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, popen, setenv */

#ifdef XN_FANN_DOUBLE
#include <doublefann.h>
#else
#include <fann.h>
#endif

#include "bench_util.h"
#include "fann_epoch.h"

const char *xn_fann_type(void)
{
#ifdef XN_FANN_DOUBLE
    return "double";
#else
    return sizeof(fann_type) == sizeof(double) ? "double" : "float";
#endif
}

typedef struct {
    struct fann *ann;
    struct fann_train_data *data;
} fann_ctx;

static void epoch(void *p)
{
    fann_ctx *c = p;
    fann_train_epoch(c->ann, c->data);
}

int xn_fann_time(size_t n, size_t d, size_t h, size_t k, const double *x,
                 const double *y, double lr, const bench_plan *plan,
                 bench_timing *t)
{
    struct fann *ann = fann_create_standard(3, (unsigned)d, (unsigned)h, (unsigned)k);
    struct fann_train_data *data = fann_create_train((unsigned)n, (unsigned)d, (unsigned)k);
    if (!ann || !data) {
        if (ann)
            fann_destroy(ann);
        if (data)
            fann_destroy_train(data);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < d; j++)
            data->input[i][j] = (fann_type)x[i * d + j];
        for (size_t j = 0; j < k; j++)
            data->output[i][j] = (fann_type)y[i * k + j];
    }
    fann_set_activation_function_hidden(ann, FANN_SIGMOID);
    fann_set_activation_function_output(ann, FANN_SIGMOID);
    fann_set_train_error_function(ann, FANN_ERRORFUNC_LINEAR);
    fann_set_training_algorithm(ann, FANN_TRAIN_BATCH);
    fann_set_learning_rate(ann, (float)lr);
    fann_randomize_weights(ann, -0.5f, 0.5f);
    fann_ctx c = {ann, data};
    *t = bench_measure(epoch, &c, plan);
    fann_destroy_train(data);
    fann_destroy(ann);
    return 0;
}
