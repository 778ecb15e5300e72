/* Independent networks in separate threads: two threads, each training its
 * own network (and reading its own clone), end with the same bits as the
 * same runs one after the other.  The header's thread-safety rules are
 * what this exercises; CI also runs it under ThreadSanitizer. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "xn_config.h"
#include "xornet/xornet.h"

#if XN_HAVE_OPENBLAS_THREADS
void openblas_set_num_threads(int num_threads);
#endif

enum { ROWS = 96, IN = 6, HID = 40, OUT = 3, STEPS = 60 };

typedef struct {
    uint64_t seed;
    xn_opt_kind kind;
    double params[IN * HID + HID + HID * OUT + OUT];
    double pred[ROWS * OUT]; /* the clone's outputs after training */
    xn_status status;
} run;

static void *train(void *arg)
{
    run *r = arg;
    static const size_t sizes[3] = {IN, HID, OUT};
    static const xn_act acts[2] = {XN_ACT_TANH, XN_ACT_SOFTMAX};
    xn_net_config cfg = {.n_layers = 2, .sizes = sizes, .acts = acts, .loss = XN_LOSS_CCE,
                         .max_batch = ROWS};
    double x[ROWS * IN], y[ROWS * OUT];
    xn_rng rng; /* one stream per thread */
    xn_rng_seed(&rng, XN_RNG_NUMPY, (uint32_t)r->seed);
    for (size_t i = 0; i < ROWS * IN; i++)
        x[i] = xn_rng_normal(&rng);
    for (size_t i = 0; i < ROWS; i++)
        for (size_t k = 0; k < OUT; k++)
            y[i * OUT + k] = k == (size_t)(x[i * IN] > 0) + (x[i * IN + 1] > 0);
    xn_net *net = NULL, *copy = NULL;
    xn_status s = xn_net_create(&net, &cfg);
    if (s == XN_OK)
        s = xn_net_init(net, XN_INIT_GLOROT_UNIFORM, XN_ORDER_ROW, XN_BIAS_ZERO, &rng);
    xn_opt o = xn_opt_default(r->kind);
    o.lr = 0.05;
    for (int step = 0; s == XN_OK && step < STEPS; step++)
        s = xn_net_train_step(net, ROWS, x, y, &o, NULL);
    if (s == XN_OK)
        s = xn_net_clone(&copy, net);
    if (s == XN_OK)
        s = xn_net_predict(copy, ROWS, x, r->pred);
    if (s == XN_OK)
        memcpy(r->params, xn_net_params(net), sizeof r->params);
    r->status = s;
    xn_net_destroy(copy);
    xn_net_destroy(net);
    return NULL;
}

int main(void)
{
#if XN_HAVE_OPENBLAS_THREADS
    openblas_set_num_threads(1); /* as the header advises for parallel training */
#endif
    run together[2] = {{.seed = 1, .kind = XN_OPT_ADAM}, {.seed = 2, .kind = XN_OPT_MOMENTUM}};
    run alone[2] = {together[0], together[1]};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        CHECK(pthread_create(&t[i], NULL, train, &together[i]) == 0);
    for (int i = 0; i < 2; i++)
        CHECK(pthread_join(t[i], NULL) == 0);
    for (int i = 0; i < 2; i++)
        train(&alone[i]);
    for (int i = 0; i < 2; i++) {
        CHECK_STATUS(together[i].status, XN_OK);
        CHECK_STATUS(alone[i].status, XN_OK);
        CHECK(memcmp(together[i].params, alone[i].params, sizeof alone[i].params) == 0);
        CHECK(memcmp(together[i].pred, alone[i].pred, sizeof alone[i].pred) == 0);
    }
    /* and the two runs are different runs */
    CHECK(memcmp(together[0].params, together[1].params, sizeof together[0].params) != 0);
    CHECK_DONE();
}
