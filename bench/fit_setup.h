/* What fit_bench and mpi_bench train: data the shape of Fashion-MNIST's
 * (normal inputs, uniformly drawn classes, one-hot; the numbers do not
 * change a step's time) and relu/softmax networks with cross-entropy and
 * Adam at its defaults, seeded alike in every program and process. */
#ifndef XORNET_BENCH_FIT_SETUP_H
#define XORNET_BENCH_FIT_SETUP_H

#include <stdbool.h>
#include <stdlib.h>

#include "xornet/xornet.h"

enum { FIT_MAX_L = 3 };

typedef struct {
    size_t L, sizes[FIT_MAX_L + 1];
} fit_shape;

typedef struct {
    xn_data d;
    xn_rng rng; /* seeded with the data; xn_fit's shuffles draw from it */
} fit_data;

/* rows of in inputs and K classes; false if memory runs out */
static inline bool fit_data_make(fit_data *s, size_t rows, size_t in, size_t K)
{
    s->d = (xn_data){.n = rows, .in = in, .out = K};
    s->d.x = malloc(rows * in * sizeof *s->d.x);
    s->d.y = calloc(rows * K, sizeof *s->d.y);
    if (!s->d.x || !s->d.y)
        return false;
    xn_rng_seed(&s->rng, XN_RNG_NUMPY, 1);
    for (size_t i = 0; i < rows * in; i++)
        s->d.x[i] = xn_rng_normal(&s->rng);
    for (size_t i = 0; i < rows; i++)
        s->d.y[i * K + xn_rng_u32(&s->rng) % K] = 1.0;
    return true;
}

/* The network of the shape, initialized from seed 1, with Adam; NULL if
 * it cannot be created. */
static inline xn_net *fit_net_make(const fit_shape *sh, xn_dtype t)
{
    xn_act acts[FIT_MAX_L];
    for (size_t l = 0; l < sh->L; l++)
        acts[l] = l + 1 < sh->L ? XN_ACT_RELU : XN_ACT_SOFTMAX;
    xn_net_config cfg = {.n_layers = sh->L, .sizes = sh->sizes, .acts = acts, .loss = XN_LOSS_CCE,
                         .dtype = t};
    xn_net *net = NULL;
    if (xn_net_create(&net, &cfg) != XN_OK)
        return NULL;
    xn_opt adam = xn_opt_default(XN_OPT_ADAM);
    if (xn_net_init_default(net, 1) != XN_OK || xn_net_set_opt(net, &adam) != XN_OK) {
        xn_net_destroy(net);
        return NULL;
    }
    return net;
}

#endif
