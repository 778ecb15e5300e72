/* The network as the C exporter sees it: sizes, activations, parameters,
 * the optional input standardization and the element type, as plain arrays
 * borrowed from their owner.  export.c writes C from this description only,
 * so a network feature reaches the generated code by filling a field here. */
#ifndef XORNET_EXPORT_MODEL_H
#define XORNET_EXPORT_MODEL_H

#include <stdbool.h>
#include <stdio.h>

#include "xornet/export.h"
#include "xornet/xornet.h"

typedef struct {
    size_t L;                             /* layers, 1..XN_MAX_LAYERS */
    size_t sizes[XN_MAX_LAYERS + 1];      /* n_0..n_L, each in 1..INT_MAX */
    xn_act acts[XN_MAX_LAYERS + 1];       /* acts[l], l = 1..L */
    const double *w[XN_MAX_LAYERS + 1];   /* w[l]: W_l (n_{l-1}, n_l), row-major */
    const double *b[XN_MAX_LAYERS + 1];   /* b[l]: b_l (n_l) */
    /* Input standardization: the network sees (x - mean) / sd, input by
     * input, both (n_0); both NULL when the inputs are taken as they are.
     * sd is never 0 (a constant column stores 1: it is only centred). */
    const double *mean, *sd;
    /* Target standardization of a regression network: its outputs go back
     * to the targets' scale, y * sd + mean, both (n_L); both NULL else. */
    const double *ymean, *ysd;
    xn_export_type dtype;                 /* the model's: DOUBLE or FLOAT */
    double *owned;                        /* a float network's parameters as
                                             doubles (w, b point here), or NULL */
} xn_export_model;

/* Fills m from net: the one place that knows how xn_net holds a network.
 * m borrows net's arrays (valid while net lives unchanged), or for a
 * float32 network owns a copy of its parameters as doubles (exact);
 * xn_export_model_free releases it.  XN_EINVAL, XN_ENOMEM. */
xn_status xn_export_model_of(xn_export_model *m, const xn_net *net);
void xn_export_model_free(xn_export_model *m);
/* Whether every number of m can be written in the type (as_float: each
 * rounds to a finite float; a divisor also not to 0): XN_OK, or XN_EDIM
 * with err naming the number (export.c). */
xn_status xn_export_model_check(const xn_export_model *m, bool as_float, xn_error *err);
/* The source (c_path) and the header (h_path), either may be NULL, each
 * replaced atomically; everything is checked before a file is touched
 * (export_c.c).  err names the path at fault. */
xn_status xn_export_model_save(const xn_export_model *m, const xn_export_opts *opts, const char *c_path,
                               const char *h_path, xn_error *err);

/* xn_export_c and xn_export_h on a description.  m is checked first (the
 * sizes, the activations, every number finite and representable in the
 * chosen type, sd nonzero): XN_EINVAL or XN_ENUMERIC with nothing written. */
xn_status xn_export_model_c(const xn_export_model *m, const xn_export_opts *opts, FILE *f,
                            xn_error *err);
xn_status xn_export_model_h(const xn_export_model *m, const xn_export_opts *opts, FILE *f,
                            xn_error *err);
/* The header's include guard of a checked name into guard (room for
 * XN_EXPORT_MAX_NAME + 3 bytes): NAME_H in capitals for a name in lower
 * case, the name as written and _h for one with a capital letter. */
void xn_export_guard(const char *name, char *guard);

#endif
