/* Training on a data set with the library: iris from data/, a 4-16-3
 * relu/softmax network, Adam, shuffled batches of 16, a fifth of the rows
 * held out for early stopping, inputs standardized (the statistics go
 * into the saved model), one line of progress an epoch, and the test
 * accuracy at the end.  docs/training.md walks through it; the test suite
 * builds and runs it (exit status 1 if the test accuracy is under 0.9).
 *
 *   train_iris [DATA_DIR]        (default: data) */
#include <stdio.h>

#include "xornet/xornet.h"

static int progress(const xn_progress *p, void *user)
{
    (void)user;
    printf("epoch %3zu  loss %.4f  accuracy %.3f  val_loss %.4f  val_accuracy %.3f\n", p->epoch,
           p->loss, p->metric, p->val_loss, p->val_metric);
    return 0; /* nonzero would stop the run */
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "data";
    char train_path[4096], test_path[4096];
    snprintf(train_path, sizeof train_path, "%s/iris-train.csv", dir);
    snprintf(test_path, sizeof test_path, "%s/iris-test.csv", dir);

    /* the last column holds class ids 0-2: read as three one-hot targets */
    xn_data train = {0}, test = {0};
    xn_error err;
    const char *bad = NULL;
    if (xn_data_load_classes(&train, train_path, 3, &err) != XN_OK)
        bad = train_path;
    else if (xn_data_load_classes(&test, test_path, 3, &err) != XN_OK)
        bad = test_path;
    if (bad) {
        fprintf(stderr, "train_iris: %s:%zu: %s\n", bad, err.line, err.msg);
        xn_data_free(&train);
        return 2;
    }

    size_t sizes[] = {4, 16, 3};
    xn_act acts[] = {XN_ACT_RELU, XN_ACT_SOFTMAX};
    xn_net_config nc = {.n_layers = 2, .sizes = sizes, .acts = acts, .loss = XN_LOSS_CCE};
    xn_net *net = NULL;
    xn_opt adam = xn_opt_default(XN_OPT_ADAM);
    adam.lr = 0.01;
    xn_rng rng;
    xn_rng_seed(&rng, XN_RNG_NUMPY, 1); /* shuffles as np.random.permutation does */
    xn_fit_config fc = {.epochs = 200, .batch = 16, .shuffle = true, .rng = &rng,
                        .val_split = 0.2, .standardize = true,
                        .patience = 20, .restore_best = true, .on_epoch = progress};
    xn_fit_result res;
    int status = 1;
    xn_error why = {0}; /* a configuration the rules refuse, and why */
    if (xn_net_check_config(&nc, &why) != XN_OK || xn_net_create(&net, &nc) != XN_OK ||
        xn_net_init_default(net, 1) != XN_OK || xn_net_set_opt(net, &adam) != XN_OK ||
        xn_fit(net, &train, &fc, &res) != XN_OK) {
        fprintf(stderr, "train_iris: %s\n", why.msg[0] ? why.msg : net ? xn_net_error(net) : "out of memory");
    } else {
        double acc;
        if (xn_net_accuracy(net, test.n, test.x, test.y, &acc) == XN_OK) {
            printf("%zu epochs, the weights of epoch %zu%s; test accuracy %.4f\n", res.epochs,
                   res.best_epoch, res.stopped_early ? " (stopped early)" : "", acc);
            status = acc >= 0.9 ? 0 : 1;
        }
    }
    xn_net_destroy(net);
    xn_data_free(&train);
    xn_data_free(&test);
    return status;
}
