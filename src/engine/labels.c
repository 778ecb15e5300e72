/* A classifier's class labels (xornet.h): copied into one allocation each,
 * checked against the output layer, and the classes of rows predicted. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "src/util/text.h"

/* How many labels a network of this output takes: its outputs, or 2 for
 * one sigmoid; 0 for a regression. */
static size_t label_count(const xn_net *net)
{
    size_t K = net->sizes[net->L];
    xn_act out = net->acts[net->L];
    if (out != XN_ACT_SIGMOID && out != XN_ACT_SOFTMAX)
        return 0;
    return K == 1 ? 2 : K;
}

static void drop(xn_net *net)
{
    xn_strings_free(net->labels, net->n_labels);
    net->labels = NULL;
    net->n_labels = 0;
}

xn_status xn_net_set_labels(xn_net *net, size_t k, const char *const *labels)
{
    if (!net)
        return XN_EINVAL;
    if (k == 0 || !labels) {
        drop(net);
        return XN_OK;
    }
    size_t want = label_count(net);
    if (want == 0)
        return xn_net_fail(net, XN_EINVAL, "labels: a regression network (a %s output) has no classes",
                           xn_act_name(net->acts[net->L]));
    if (k != want)
        return xn_net_fail(net, XN_EINVAL, "labels: %zu labels for a network of %zu class%s", k, want,
                           want == 1 ? "" : "es");
    for (size_t i = 0; i < k; i++) {
        size_t len = labels[i] ? strlen(labels[i]) : 0;
        if (len == 0 || len > XN_LABEL_MAX)
            return len ? xn_net_fail(net, XN_EINVAL, "labels: label %zu is longer than the limit of %d bytes",
                                     i + 1, XN_LABEL_MAX)
                       : xn_net_fail(net, XN_EINVAL, "labels: label %zu is empty", i + 1);
        for (size_t j = 0; j < i; j++)
            if (strcmp(labels[i], labels[j]) == 0)
                return xn_net_fail(net, XN_EINVAL, "labels: label %zu repeats label %zu", i + 1, j + 1);
    }
    char **copy = xn_strings_copy(labels, k);
    if (!copy)
        return xn_net_fail(net, XN_ENOMEM, "labels: out of memory");
    drop(net);
    net->labels = copy;
    net->n_labels = k;
    return XN_OK;
}

size_t xn_net_labels(const xn_net *net, const char *const **labels)
{
    if (labels)
        *labels = net ? (const char *const *)net->labels : NULL;
    return net ? net->n_labels : 0;
}

const char *xn_net_label(const xn_net *net, size_t c)
{
    return net && c < net->n_labels ? net->labels[c] : NULL;
}

xn_status xn_net_predict_classes(xn_net *net, size_t n, const double *x, size_t *classes)
{
    if (!net || (n && (!x || !classes)))
        return XN_EINVAL;
    size_t K = net->sizes[net->L];
    double *y = malloc((n ? n : 1) * K * sizeof *y);
    if (!y)
        return xn_net_fail(net, XN_ENOMEM, "predict_classes: out of memory");
    xn_status s = xn_net_predict(net, n, x, y);
    for (size_t i = 0; i < n; i++)
        classes[i] = xn_class_of(K, y + i * K);
    free(y);
    return s;
}
