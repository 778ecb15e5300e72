/* xornet/export.h: a trained network as one dependency-free C source file.
 *
 * The generated file computes the network with plain loops and nothing but
 * <math.h>: the parameters are static const arrays (every double printed
 * with %.17g, every float with %.9g and an f suffix, so each literal reads
 * back as the same number), each layer is one block of loops summing in the
 * order of the library's plain-loop kernel, and there is no state outside
 * the caller's arrays.  For a prefix NAME it defines
 *     void NAME_predict(const T *x, T *y);               one row, stack scratch
 *     void NAME_predict_work(const T *x, T *y, T *work); one row, caller's scratch
 *     void NAME_predict_batch(unsigned long n, const T *x, T *y);
 * with T double or float; the optional header declares them with the sizes
 * NAME_INPUTS, NAME_OUTPUTS and NAME_WORK (an enum), inside the include
 * guard NAME_H in capitals for a name in lower case (net: NET_H) or, for a
 * name with a capital letter, the name as written and _h (Net: Net_h), so
 * that names differing in case never share a guard.  docs/export.md shows
 * a whole example.
 *
 * Example:
 *     xn_export_opts o = {.name = "xor", .model = "xor.xn"};
 *     xn_error err;
 *     if (xn_export_save(net, &o, "xor.c", "xor.h", &err) != XN_OK)
 *         fprintf(stderr, "%s\n", err.msg); */
#ifndef XORNET_EXPORT_H
#define XORNET_EXPORT_H

#include <stdio.h>

#include "xornet/xornet.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The element type of the generated code.  XN_EXPORT_MODEL is the model's
 * own (float for a float32 network, else double).  Exporting as float
 * rounds each parameter to the nearest float and computes in float (expf,
 * tanhf). */
typedef enum { XN_EXPORT_MODEL, XN_EXPORT_DOUBLE, XN_EXPORT_FLOAT } xn_export_type;

/* Names "model", "double", "float" ("?" out of range); the parser returns
 * XN_EINVAL for an unknown name or NULL and leaves *out untouched then. */
XN_API const char *xn_export_type_name(xn_export_type t);
XN_API xn_status xn_export_type_parse(const char *name, xn_export_type *out);
XN_API const char *const *xn_export_type_names(size_t *count); /* the whole table */

/* Longest accepted name prefix. */
#define XN_EXPORT_MAX_NAME 64

/* Options; NULL or a zeroed struct means the defaults. */
typedef struct {
    const char *name;     /* prefix of the generated functions; NULL: "net" */
    xn_export_type type;  /* XN_EXPORT_MODEL by default */
    const char *model;    /* where the network came from, for the opening
                             comment (a model file's name); NULL: none */
    const char *made_by;  /* how the file was made, for the opening comment
                             (e.g. the command line); NULL: "xn_export_c" */
} xn_export_opts;

/* XN_OK if name can prefix the generated identifiers: an ASCII letter, then
 * letters, digits and '_', at most XN_EXPORT_MAX_NAME characters (a leading
 * '_' is refused: such external names are reserved).  XN_EINVAL otherwise. */
XN_API xn_status xn_export_name_check(const char *name);

/* Writes the C source (xn_export_c) or the matching header (xn_export_h)
 * to f, which the caller opened and closes; f is flushed.  err (may be NULL)
 * says why a call failed.  XN_EINVAL: NULL net or f, a bad name or type;
 * XN_ENUMERIC: a parameter that is not finite, or (for float) does not fit
 * in a float; nothing is written then.  XN_EIO: a write failed. */
XN_API xn_status xn_export_c(const xn_net *net, const xn_export_opts *opts, FILE *f,
                             xn_error *err);
XN_API xn_status xn_export_h(const xn_net *net, const xn_export_opts *opts, FILE *f,
                             xn_error *err);

/* Writes the source to c_path and the header to h_path (either may be
 * NULL, not both), each replaced atomically: a temporary file beside it,
 * flushed to disk and renamed over it.  Both are written in full before the
 * first rename, so a failure leaves the old files as they were, but for a
 * rename of the header failing after the source's.  The model is checked
 * before any file is touched.  Statuses as xn_export_c; for XN_EIO,
 * err->msg starts with the path it concerns ("PATH: why"), since two files
 * are involved; XN_EINVAL also for two equal paths. */
XN_API xn_status xn_export_save(const xn_net *net, const xn_export_opts *opts,
                                const char *c_path, const char *h_path, xn_error *err);

#ifdef __cplusplus
}
#endif

#endif
