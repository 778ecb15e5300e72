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

/* The network's standardization of its inputs (or, with targets, its
 * targets) from the training rows of v (., k): idx[0..n), or the first n.
 * A value further from its column's mean than a double holds cannot be
 * standardized: XN_EINVAL (the data's fault, not a divergence), its row
 * of v + 1 in *row; XN_ENOMEM. */
xn_status xn_fit_standardize(xn_net *net, size_t n, size_t k, const double *v, const size_t *idx, bool targets,
                             size_t *row);
/* The parts of a run (cfg, the rows d, the base rate lr0) that can be
 * wrong, with why (recorded on net): XN_OK, XN_EINVAL or XN_EDIM. */
xn_status xn_fit_check_rows(xn_net *net, const xn_rows *d, const xn_fit_config *cfg, double lr0);
/* fit_solver.c: what lm and lbfgs need of a run of n training rows and
 * of the network (XN_EINVAL, recorded, naming the setting); and one of
 * their iterations as an epoch on rows x (n, n0), y (n, nL) in the
 * network's scale: the loss and metric's sum before it, the solver's
 * verdict, and whether it took a step (`reuse`: the last iteration's
 * rows). */
xn_status xn_fit_solver_check(xn_net *net, const xn_fit_config *c, size_t n);
xn_status xn_fit_solver_step(xn_net *net, size_t n, const double *x, const double *y, bool reuse, double *loss,
                             double *metric, xn_stop *stop, bool *stepped);

#endif
