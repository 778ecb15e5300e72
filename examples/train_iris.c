/* Training on a data set with the library, as `xornet train --data` does:
 * iris from data/ read and described (xn_data_read: three classes), the
 * library's defaults for it (xn_plan_defaults: 4-100-3 relu/softmax, Adam,
 * shuffled batches of 32, a fifth of the rows held out by class for early
 * stopping, inputs standardized), the classes' labels kept with the
 * network, one line of progress an epoch, and the test accuracy at the end.
 * With the same seed it trains the same network as
 *     xornet train --data data/iris-train.csv --test data/iris-test.csv --seed 1
 * (tests/cli/test_example.sh checks).  docs/training.md walks through it;
 * the test suite builds and runs it (exit status 1 if the test accuracy is
 * under 0.9).
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
    enum { SEED = 1 };

    /* what the targets are: the last column's three whole numbers are classes */
    xn_data train = {0}, test = {0};
    xn_description desc = {0}, test_desc = {0};
    xn_error err;
    if (xn_data_read(&train, &desc, train_path, NULL, &err) != XN_OK) {
        fprintf(stderr, "train_iris: %s:%zu: %s\n", train_path, err.line, err.msg);
        return 2;
    }
    printf("%s: %s, %zu classes (%s)\n", train_path, xn_targets_name(desc.kind), desc.classes, desc.rule);

    /* the library's defaults for this data: the network, its weights, the
     * optimizer and the loop */
    xn_plan p;
    xn_plan_defaults(&p, &train, desc.kind, false);
    xn_net_config nc = {.n_layers = p.n_layers, .sizes = p.sizes, .acts = p.acts, .loss = p.loss};
    xn_net *net = NULL;
    xn_rng rng;
    xn_rng_seed(&rng, p.rng, SEED); /* draws the weights, then shuffles */
    p.fit.rng = &rng;
    p.fit.split_seed = SEED;
    p.fit.on_epoch = progress;
    xn_fit_result res;
    int status = 1;
    if (xn_net_create(&net, &nc) != XN_OK || xn_net_init(net, p.init, p.order, p.bias, &rng) != XN_OK ||
        xn_net_set_labels(net, desc.classes, (const char *const *)desc.labels) != XN_OK ||
        xn_net_set_opt(net, &p.opt) != XN_OK || xn_fit(net, &train, &p.fit, &res) != XN_OK) {
        fprintf(stderr, "train_iris: %s\n", net ? xn_net_error(net) : "out of memory");
    } else {
        /* the test rows read as the network's classes */
        const char *const *labels;
        xn_read_opts as_model = {.n_labels = xn_net_labels(net, &labels), .labels = labels, .onehot_binary = true};
        double acc;
        if (xn_data_read(&test, &test_desc, test_path, &as_model, &err) != XN_OK) {
            fprintf(stderr, "train_iris: %s:%zu: %s\n", test_path, err.line, err.msg);
            status = 2;
        } else if (xn_net_accuracy(net, test.n, test.x, test.y, &acc) == XN_OK) {
            printf("%zu epochs, the weights of epoch %zu%s; test accuracy %.4f\n", res.epochs, res.best_epoch,
                   res.stopped_early ? " (stopped early)" : "", acc);
            status = acc >= 0.9 ? 0 : 1;
        }
    }
    xn_net_destroy(net);
    xn_data_free(&train);
    xn_data_free(&test);
    xn_description_free(&desc);
    xn_description_free(&test_desc);
    return status;
}
