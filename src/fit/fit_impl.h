/* Private declarations of the training loop's files (src/fit). */
#ifndef XORNET_FIT_IMPL_H
#define XORNET_FIT_IMPL_H

#include "src/engine/internal.h"

/* Whether net is a classifier of one class a row (a softmax, or one
 * sigmoid output): its rows can be split by class. */
bool xn_fit_stratifiable(const xn_net *net);
/* How many classes the validation rows val (nv, of vd; NULL: its first
 * nv) hold that the training rows train (n, of d; NULL: its first n) lack;
 * 0 for a network that is not stratifiable. */
size_t xn_fit_unseen(const xn_net *net, const xn_data *d, const size_t *train, size_t n, const xn_data *vd,
                     const size_t *val, size_t nv);

#endif
