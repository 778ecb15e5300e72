/* Export: a network as one C source file, and a header declaring it, that
 * compute the network with plain loops and <math.h> alone.  This file
 * holds the names, the description of a network the writer works from
 * (export_model.h, never xn_net itself) with its checks, and the public
 * calls that write files; export_c.c writes the C. */
#include <float.h>
#include <stdlib.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "export_model.h"
#include "src/engine/internal.h"
#include "src/util/text.h"

/* ASCII only: the C locale's classes, whatever locale the caller set. */
static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

xn_status xn_export_name_check(const char *name)
{
    if (!name || !is_alpha(name[0]))
        return XN_EINVAL;
    size_t n = 1;
    for (; name[n]; n++)
        if (!is_alpha(name[n]) && !is_digit(name[n]) && name[n] != '_')
            return XN_EINVAL;
    return n <= XN_EXPORT_MAX_NAME ? XN_OK : XN_EINVAL;
}

/* The header's include guard: NAME_H in capitals for a name written in
 * lower case (net: NET_H), and for a name with a capital letter the name
 * as written and _h (Net: Net_h, NET: NET_h), so two names that differ
 * only in case never share a guard: no capitalized guard ends in _h. */
void xn_export_guard(const char *name, char *guard)
{
    bool capitals = false;
    for (const char *p = name; *p; p++)
        capitals |= *p >= 'A' && *p <= 'Z';
    size_t n = 0;
    for (const char *p = name; *p; p++)
        guard[n++] = !capitals && *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p;
    memcpy(guard + n, capitals ? "_h" : "_H", 3);
}

/* ---- the description --------------------------------------------------- */

xn_status xn_export_model_of(xn_export_model *m, const xn_net *net)
{
    if (!m || !net)
        return XN_EINVAL;
    memset(m, 0, sizeof *m);
    m->L = xn_net_layers(net);
    for (size_t i = 0; i <= m->L; i++)
        m->sizes[i] = xn_net_size(net, i);
    const double *p = net->params; /* a double network's own */
    if (net->dtype == XN_FLOAT32) { /* its floats as doubles: exact */
        if (!(m->owned = malloc(net->nparams * sizeof *m->owned)))
            return XN_ENOMEM;
        xn_net_get_params(net, m->owned);
        p = m->owned;
    }
    for (size_t l = 1; l <= m->L; l++) {
        m->acts[l] = xn_net_act(net, l);
        m->w[l] = p + net->woff[l];
        m->b[l] = p + net->boff[l];
    }
    m->mean = xn_net_input_mean(net); /* NULL for a network that takes raw inputs */
    m->sd = xn_net_input_sd(net);
    m->ymean = xn_net_target_mean(net); /* NULL unless a regression scales its targets */
    m->ysd = xn_net_target_sd(net);
    m->dtype = net->dtype == XN_FLOAT32 ? XN_EXPORT_FLOAT : XN_EXPORT_DOUBLE;
    return XN_OK;
}

/* One number of the description: finite, and for float code representable
 * (and nonzero, for a divisor).  what/i/j name it in the message: "W2", 3,
 * 4 gives "W2[3][4]"; j = SIZE_MAX drops the second index. */
static xn_status check_num(double v, bool as_float, bool divisor, const char *what,
                           size_t l, size_t i, size_t j, xn_error *err)
{
    char at[64];
    if (l)
        snprintf(at, sizeof at, "%s%zu[%zu]", what, l, i);
    else
        snprintf(at, sizeof at, "%s[%zu]", what, i);
    if (j != SIZE_MAX)
        snprintf(at + strlen(at), sizeof at - strlen(at), "[%zu]", j);
    if (!isfinite(v))
        return xn_fail(err, 0, XN_ENUMERIC, "%s is not finite; nothing written", at);
    if (divisor && v == 0.0)
        return xn_fail(err, 0, XN_ENUMERIC, "%s is 0, a divisor; nothing written", at);
    if (as_float && !xn_fits_float(v))
        return xn_fail(err, 0, XN_ENUMERIC, "%s = %g is too large for a float; nothing written",
                       at, v);
    if (as_float && divisor && (float)v == 0.0f)
        return xn_fail(err, 0, XN_ENUMERIC, "%s = %g rounds to 0 as a float, a divisor; "
                       "nothing written", at, v);
    return XN_OK;
}

/* The whole description is sound for code of the given element type. */
xn_status xn_export_model_check(const xn_export_model *m, bool as_float, xn_error *err)
{
    if (m->L < 1 || m->L > XN_MAX_LAYERS)
        return xn_fail(err, 0, XN_EINVAL, "%zu layers; expected 1 to %d", m->L, XN_MAX_LAYERS);
    if (m->dtype != XN_EXPORT_DOUBLE && m->dtype != XN_EXPORT_FLOAT)
        return xn_fail(err, 0, XN_EINVAL, "unknown element type of the model");
    if (!m->mean != !m->sd)
        return xn_fail(err, 0, XN_EINVAL, "a standardization needs both mean and sd");
    for (size_t i = 0; i <= m->L; i++)
        if (m->sizes[i] < 1 || m->sizes[i] > INT_MAX)
            return xn_fail(err, 0, XN_EDIM, "size n%zu = %zu; expected 1 to %d", i, m->sizes[i],
                           INT_MAX);
    xn_status s;
    for (size_t k = 0; m->mean && k < m->sizes[0]; k++)
        if ((s = check_num(m->mean[k], as_float, false, "mean", 0, k, SIZE_MAX, err)) != XN_OK ||
            (s = check_num(m->sd[k], as_float, true, "sd", 0, k, SIZE_MAX, err)) != XN_OK)
            return s;
    if (!m->ymean != !m->ysd)
        return xn_fail(err, 0, XN_EINVAL, "a target standardization needs both mean and sd");
    for (size_t k = 0; m->ymean && k < m->sizes[m->L]; k++)
        if ((s = check_num(m->ymean[k], as_float, false, "target_mean", 0, k, SIZE_MAX, err)) != XN_OK ||
            (s = check_num(m->ysd[k], as_float, false, "target_sd", 0, k, SIZE_MAX, err)) != XN_OK)
            return s;
    for (size_t l = 1; l <= m->L; l++) {
        size_t in = m->sizes[l - 1], out = m->sizes[l];
        if (m->acts[l] < XN_ACT_IDENTITY || m->acts[l] > XN_ACT_SOFTMAX)
            return xn_fail(err, 0, XN_EINVAL, "layer %zu has an unknown activation", l);
        if (!m->w[l] || !m->b[l])
            return xn_fail(err, 0, XN_EINVAL, "layer %zu has no parameters", l);
        for (size_t k = 0; k < in; k++)
            for (size_t o = 0; o < out; o++)
                if ((s = check_num(m->w[l][k * out + o], as_float, false, "W", l, k, o, err)) != XN_OK)
                    return s;
        for (size_t o = 0; o < out; o++)
            if ((s = check_num(m->b[l][o], as_float, false, "b", l, o, SIZE_MAX, err)) != XN_OK)
                return s;
    }
    return XN_OK;
}

/* ---- the public calls -------------------------------------------------- */

static xn_status describe(const xn_net *net, xn_export_model *m, xn_error *err)
{
    if (err) {
        err->line = 0;
        err->msg[0] = '\0';
    }
    if (!net)
        return xn_fail(err, 0, XN_EINVAL, "no network");
    return xn_export_model_of(m, net);
}

void xn_export_model_free(xn_export_model *m)
{
    if (m) {
        free(m->owned);
        m->owned = NULL;
    }
}

xn_status xn_export_c(const xn_net *net, const xn_export_opts *opts, FILE *f, xn_error *err)
{
    xn_export_model m = {.owned = NULL};
    xn_status s = describe(net, &m, err);
    if (s == XN_OK)
        s = xn_export_model_c(&m, opts, f, err);
    xn_export_model_free(&m);
    return s;
}

xn_status xn_export_h(const xn_net *net, const xn_export_opts *opts, FILE *f, xn_error *err)
{
    xn_export_model m = {.owned = NULL};
    xn_status s = describe(net, &m, err);
    if (s == XN_OK)
        s = xn_export_model_h(&m, opts, f, err);
    xn_export_model_free(&m);
    return s;
}

xn_status xn_export_save(const xn_net *net, const xn_export_opts *opts, const char *c_path,
                         const char *h_path, xn_error *err)
{
    xn_export_model m = {.owned = NULL};
    xn_status s = describe(net, &m, err);
    if (s == XN_OK)
        s = xn_export_model_save(&m, opts, c_path, h_path, err);
    xn_export_model_free(&m);
    return s;
}

