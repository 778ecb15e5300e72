/* The validation split (xn_fit_split, xn_split): which rows a run trains
 * on and which it holds out.  The random splits take one permutation of
 * all rows from NumPy's stream seeded with split_seed; the stratified one
 * then gives each class its share of the held-out rows (the largest
 * remainders round up, the smaller class first on ties), taking the rows
 * of a class in the permutation's order. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fit_impl.h"

/* The class of row i of a one-class-a-row classifier's targets. */
static size_t class_of_row(const xn_data *d, size_t i)
{
    return xn_class_of(d->out, d->y + i * d->out);
}

bool xn_fit_stratifiable(const xn_net *net)
{
    xn_act out = net->acts[net->L];
    return out == XN_ACT_SOFTMAX || (out == XN_ACT_SIGMOID && net->sizes[net->L] == 1);
}

/* Each class's count of held-out rows: v (K) summing to V. */
static void shares(const size_t *count, size_t K, size_t N, size_t V, size_t *v)
{
    size_t given = 0;
    for (size_t k = 0; k < K; k++) {
        v[k] = (size_t)((double)V * (double)count[k] / (double)N);
        given += v[k];
    }
    while (given < V) { /* the largest remainder next, the smaller class on ties */
        size_t best = K;
        double rest = -1.0;
        for (size_t k = 0; k < K; k++) {
            double r = (double)V * (double)count[k] / (double)N - (double)v[k];
            if (v[k] < count[k] && r > rest) {
                rest = r;
                best = k;
            }
        }
        v[best]++;
        given++;
    }
}

static int by_index(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

xn_status xn_fit_split(const xn_net *net, const xn_data *d, const xn_fit_config *c, size_t *train,
                       size_t *n_train, size_t *val, size_t *n_val)
{
    if (!net || !d || !c || !train || !val || !n_train || !n_val)
        return XN_EINVAL;
    size_t N = d->n, n = c->val ? N : (size_t)floor((double)N * (1.0 - c->val_split)), V = N - n;
    if (n == 0)
        return XN_EDIM;
    xn_split how = c->split == XN_SPLIT_AUTO ? (xn_fit_stratifiable(net) ? XN_SPLIT_STRATIFIED : XN_SPLIT_RANDOM)
                                             : c->split;
    *n_train = n;
    *n_val = V;
    if (V == 0 || how == XN_SPLIT_LAST) {
        for (size_t i = 0; i < N; i++)
            *(i < n ? &train[i] : &val[i - n]) = i;
        return XN_OK;
    }
    xn_rng rng;
    if (xn_rng_seed(&rng, XN_RNG_NUMPY, c->split_seed) != XN_OK)
        return XN_EINVAL;
    size_t *perm = malloc(N * sizeof *perm);
    if (!perm)
        return XN_ENOMEM;
    xn_rng_permutation(&rng, N, perm);
    size_t K = how == XN_SPLIT_STRATIFIED ? (d->out == 1 ? 2 : d->out) : 1;
    size_t *count = calloc(2 * K, sizeof *count), *quota = count + K;
    if (!count) {
        free(perm);
        return XN_ENOMEM;
    }
    for (size_t i = 0; i < N; i++)
        count[K > 1 ? class_of_row(d, i) : 0]++;
    shares(count, K, N, V, quota);
    size_t nt = 0, nv = 0;
    for (size_t j = 0; j < N; j++) {
        size_t i = perm[j], k = K > 1 ? class_of_row(d, i) : 0;
        if (quota[k]) {
            quota[k]--;
            val[nv++] = i;
        } else {
            train[nt++] = i;
        }
    }
    qsort(train, nt, sizeof *train, by_index);
    qsort(val, nv, sizeof *val, by_index);
    free(count);
    free(perm);
    return XN_OK;
}

size_t xn_fit_unseen(const xn_net *net, const xn_data *d, const size_t *train, size_t n, const xn_data *vd,
                     const size_t *val, size_t nv)
{
    if (!xn_fit_stratifiable(net))
        return 0;
    size_t K = d->out == 1 ? 2 : d->out, unseen = 0;
    unsigned char *seen = calloc(K, 1);
    if (!seen)
        return 0;
    for (size_t i = 0; i < n; i++)
        seen[class_of_row(d, train ? train[i] : i)] |= 1;
    for (size_t i = 0; i < nv; i++)
        seen[class_of_row(vd, val ? val[i] : i)] |= 2;
    for (size_t k = 0; k < K; k++)
        unseen += seen[k] == 2;
    free(seen);
    return unseen;
}
