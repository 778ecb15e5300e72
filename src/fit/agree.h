/* The agreement of a data-parallel run (agree.c): before xn_fit's first
 * sum, every rank's settings are compared, so that ranks given different
 * networks, data or options stop together with one message instead of
 * summing vectors of different lengths or waiting in different sums. */
#ifndef XORNET_FIT_AGREE_H
#define XORNET_FIT_AGREE_H

#include "src/engine/internal.h"

/* Compares what this rank was given across the ranks of c (ranks > 1, a
 * reduce hook): `local`, the outcome of its own checks and allocations
 * (the message of a failure in xn_net_error(net)), and, when that is
 * XN_OK, the run's settings: the network's shape, type, weights and
 * optimizer state, the data's rows and fingerprints (n training rows, nv
 * validation rows, B rows a batch), the loop's options, the callbacks,
 * the resumed state and c->settings.  Every rank makes the same sums
 * whatever it holds, allocating nothing.  XN_OK when every rank agrees;
 * else the same status and message on every rank: the lowest rank whose
 * own checks failed ("fit: rank 1: ..."), or the first setting that
 * differs with the lowest rank that differs in it ("fit: rank 1 has 150
 * training rows, rank 0 has 120"); XN_EIO if the hook fails. */
xn_status xn_fit_agree(xn_net *net, const xn_rows *d, const xn_fit_config *c, xn_status local, size_t n,
                       size_t nv, size_t B);

#endif
