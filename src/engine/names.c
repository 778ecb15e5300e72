/* The library's version, status messages, and the names of every named
 * enum (activations, losses, optimizers, initializers, kernels, random
 * streams, draw orders, bias rules, solver stops, the approximation
 * solver's methods, extrapolations and built-in functions, the exporter's
 * element types) with their parsers. */
#include <string.h>

#include "internal.h"
#include "xornet/approx.h"
#include "xornet/export.h"

#define XN_STR_(x) #x
#define XN_STR(x) XN_STR_(x)

const char *xn_version(void)
{
    return XN_STR(XN_VERSION_MAJOR) "." XN_STR(XN_VERSION_MINOR) "." XN_STR(XN_VERSION_PATCH);
}

const char *xn_strerror(xn_status s)
{
    switch (s) {
    case XN_OK: return "success";
    case XN_EINVAL: return "invalid argument";
    case XN_EDIM: return "invalid or mismatched dimensions";
    case XN_ENOMEM: return "out of memory or over a size limit";
    case XN_EIO: return "input/output error";
    case XN_EFORMAT: return "malformed input";
    case XN_ESINGULAR: return "singular or rank-deficient system";
    case XN_ENUMERIC: return "non-finite value (NaN or infinity)";
    }
    return "unknown status";
}

static const char *const act_names[] = {"identity", "sigmoid", "relu", "tanh", "softmax"};
static const char *const loss_names[] = {"mse", "sse", "bce", "cce", "bce_sum"};
static const char *const opt_names[] = {"gd", "momentum", "adam", "lm", "lbfgs"};
static const char *const stop_names[] = {"none", "gtol", "ftol", "max_evals", "max_iter", "mu_max",
                                         "line_search"};
static const char *const init_names[] = {"glorot_uniform", "glorot_normal", "he_uniform",
                                         "he_normal", "normal", "uniform", "zeros"};
static const char *const kernel_names[] = {"auto", "blas", "naive"};
static const char *const dtype_names[] = {"float64", "float32"};
static const char *const rng_kind_names[] = {"python", "numpy"};
static const char *const order_names[] = {"row", "neuron"};
static const char *const bias_init_names[] = {"zero", "drawn"};
static const char *const schedule_names[] = {"constant", "step", "exponential", "cosine"};
static const char *const approx_method_names[] = {"auto", "lapacke", "closed"};
static const char *const approx_extrap_names[] = {"bare", "linear", "constant"};
static const char *const approx_fn_names[] = {"sin", "cos", "exp", "abs", "runge", "sqrt", "tanh"};
static const char *const export_type_names[] = {"model", "double", "float"};
static const char *const targets_names[] = {"multiclass", "binary", "multilabel", "regression"};
static const char *const header_names[] = {"auto", "yes", "no"};
static const char *const task_choice_names[] = {"auto", "classify", "regress"};
static const char *const split_names[] = {"auto", "stratified", "random", "last"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *xn_name_of(const char *const *names, size_t count, int v)
{
    return v >= 0 && (size_t)v < count ? names[v] : "?";
}

xn_status xn_name_parse(const char *const *names, size_t count, const char *name, int *out)
{
    if (!name || !out)
        return XN_EINVAL;
    for (size_t i = 0; i < count; i++)
        if (strcmp(name, names[i]) == 0) {
            *out = (int)i;
            return XN_OK;
        }
    return XN_EINVAL;
}

/* One name function, one parser and the whole table per enum; the enums
 * are plain ints, numbered as their names are listed. */
#define NAMED(type, stem, table)                                        \
    const char *xn_##stem##_name(type v)                                \
    {                                                                   \
        return xn_name_of(table, COUNT(table), (int)v);                 \
    }                                                                   \
    const char *const *xn_##stem##_names(size_t *count)                 \
    {                                                                   \
        if (count)                                                      \
            *count = COUNT(table);                                      \
        return table;                                                   \
    }                                                                   \
    xn_status xn_##stem##_parse(const char *name, type *out)            \
    {                                                                   \
        int v;                                                          \
        if (!out)                                                       \
            return XN_EINVAL;                                           \
        xn_status s = xn_name_parse(table, COUNT(table), name, &v);     \
        if (s == XN_OK)                                                 \
            *out = (type)v;                                             \
        return s;                                                       \
    }

NAMED(xn_act, act, act_names)
NAMED(xn_loss, loss, loss_names)
NAMED(xn_opt_kind, opt, opt_names)
NAMED(xn_init, init, init_names)
NAMED(xn_kernel, kernel, kernel_names)
NAMED(xn_dtype, dtype, dtype_names)
NAMED(xn_rng_kind, rng_kind, rng_kind_names)
NAMED(xn_order, order, order_names)
NAMED(xn_bias_init, bias_init, bias_init_names)
NAMED(xn_schedule, schedule, schedule_names)
NAMED(xn_stop, stop, stop_names)
NAMED(xn_approx_method, approx_method, approx_method_names)
NAMED(xn_approx_extrap, approx_extrap, approx_extrap_names)
NAMED(xn_approx_fn, approx_fn, approx_fn_names)
NAMED(xn_export_type, export_type, export_type_names)
NAMED(xn_targets, targets, targets_names)
NAMED(xn_header, header, header_names)
NAMED(xn_task_choice, task_choice, task_choice_names)
NAMED(xn_split, split, split_names)
