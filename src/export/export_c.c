/* The C an export writes (export.h), from an xn_export_model.  The
 * generated code repeats the library's forward pass operation for
 * operation: each output of a layer starts at 0, adds x[k] * W[k][o] for
 * k in order (the plain-loop kernel of kernels.c), then the bias, then the
 * activation as net.c writes it; the softmax is shifted by the row
 * maximum.  The layers' outputs live in one scratch array, the caller's or
 * the stack's: consecutive buffers alternate between its front and its
 * back, so its length is the largest sum of two consecutive widths rather
 * than the sum of them all.
 *
 * Every number is printed so that it reads back as itself: %.17g for a
 * double, %.9g with an f suffix for a float, with ".0" added where the
 * digits alone would make an integer constant (-0 would lose its sign,
 * 1f would not compile). */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "export_model.h"
#include "xornet/atomic.h"
#include "src/engine/internal.h"
#include "src/util/text.h"

/* What differs between double and float code. */
typedef struct {
    bool is_float;
    const char *t, *zero, *one, *exp, *tanh;
} c_type;

static const c_type c_double = {false, "double", "0.0", "1.0", "exp", "tanh"};
static const c_type c_float = {true, "float", "0.0f", "1.0f", "expf", "tanhf"};

/* Everything the writer needs, worked out once. */
typedef struct {
    const xn_export_model *m;
    const c_type *ty;
    const char *name;
    const char *model;     /* may be NULL */
    const char *made_by;
    const char *idx;       /* "int" when every size fits any int (32767), else "long" */
    bool std;              /* inputs standardized */
    bool softmax;          /* some layer is a softmax */
    /* The scratch array: the standardized input s (when std) and the hidden
     * outputs a_1..a_{L-1}, in that order; chain[j] is at work + off[j]. */
    size_t nchain, work;
    size_t chain[XN_MAX_LAYERS + 1], off[XN_MAX_LAYERS + 1];
} gen;

static xn_status gen_init(gen *g, const xn_export_model *m, const xn_export_opts *opts,
                          xn_error *err)
{
    if (err) {
        err->line = 0;
        err->msg[0] = '\0';
    }
    static const xn_export_opts defaults = {NULL, XN_EXPORT_MODEL, NULL, NULL};
    if (!opts)
        opts = &defaults;
    if (!m)
        return xn_fail(err, 0, XN_EINVAL, "no network");
    memset(g, 0, sizeof *g);
    g->m = m;
    g->name = opts->name ? opts->name : "net";
    if (xn_export_name_check(g->name) != XN_OK)
        return xn_fail(err, 0, XN_EINVAL, "the name is not a C identifier of letters, digits "
                       "and '_' starting with a letter, at most %d long", XN_EXPORT_MAX_NAME);
    xn_export_type t = opts->type == XN_EXPORT_MODEL ? m->dtype : opts->type;
    if (t != XN_EXPORT_DOUBLE && t != XN_EXPORT_FLOAT)
        return xn_fail(err, 0, XN_EINVAL, "unknown element type");
    g->ty = t == XN_EXPORT_FLOAT ? &c_float : &c_double;
    xn_status s = xn_export_model_check(m, g->ty->is_float, err);
    if (s != XN_OK)
        return s;
    g->model = opts->model;
    g->made_by = opts->made_by ? opts->made_by : "xn_export_c";
    g->std = m->mean != NULL;
    size_t widest = 0;
    for (size_t i = 0; i <= m->L; i++) {
        widest = m->sizes[i] > widest ? m->sizes[i] : widest;
        g->softmax = g->softmax || (i >= 1 && m->acts[i] == XN_ACT_SOFTMAX);
    }
    g->idx = widest <= 32767 ? "int" : "long";
    if (g->std)
        g->chain[g->nchain++] = m->sizes[0];
    for (size_t l = 1; l < m->L; l++)
        g->chain[g->nchain++] = m->sizes[l];
    /* a buffer and the next are read and written together: each pair must
     * fit side by side; one alone must fit too.  At least 1 so that a
     * caller's `T work[NAME_WORK]` is a valid array. */
    g->work = 1;
    for (size_t j = 0; j < g->nchain; j++) {
        size_t need = g->chain[j] + (j + 1 < g->nchain ? g->chain[j + 1] : 0);
        g->work = need > g->work ? need : g->work;
    }
    for (size_t j = 0; j < g->nchain; j++)
        g->off[j] = j % 2 == 0 ? 0 : g->work - g->chain[j];
    return XN_OK;
}

/* Text from outside (a file name, a command line) inside a comment: bytes
 * outside printable ASCII become '?', and "* /", "/ *" and "??" are split
 * so that nothing can end the comment, open a nested one (-Wcomment) or
 * form a trigraph. */
static void put_comment_text(FILE *f, const char *s)
{
    char prev = '\0';
    for (; *s; s++) {
        char c = *s >= ' ' && *s <= '~' ? *s : '?';
        if ((prev == '*' && c == '/') || (prev == '/' && c == '*') || (prev == '?' && c == '?'))
            fputc(' ', f);
        fputc(c, f);
        prev = c;
    }
}

/* v as a literal of the code's type that reads back as the same number,
 * into buf (at least 32 bytes). */
static void num_text(char *buf, size_t cap, const c_type *ty, double v)
{
    if (ty->is_float)
        snprintf(buf, cap, "%.9g", (double)(float)v);
    else
        snprintf(buf, cap, "%.17g", v);
    bool floating = false;
    char *p = buf;
    for (; *p; p++) {
        if ((*p < '0' || *p > '9') && *p != '-' && *p != '+' && *p != 'e')
            *p = '.'; /* the decimal point, whatever the caller's locale */
        floating = floating || *p == '.' || *p == 'e';
    }
    snprintf(p, cap - (size_t)(p - buf), "%s%s", floating ? "" : ".0", ty->is_float ? "f" : "");
}

/* n numbers separated by ", ", wrapped before column 80; the cursor is at
 * column col, and each line after the first starts with `indent` spaces. */
static void put_list(FILE *f, const c_type *ty, const double *v, size_t n, int indent, int col)
{
    for (size_t j = 0; j < n; j++) {
        char buf[48];
        num_text(buf, sizeof buf, ty, v[j]);
        int len = (int)strlen(buf);
        if (j && col + 2 + len > 78) {
            fprintf(f, ",\n%*s", indent, "");
            col = indent;
        } else if (j) {
            fputs(", ", f);
            col += 2;
        }
        fputs(buf, f);
        col += len;
    }
}

static void put_sizes(FILE *f, const xn_export_model *m, const char *sep)
{
    for (size_t i = 0; i <= m->L; i++)
        fprintf(f, "%s%zu", i ? sep : "", m->sizes[i]);
}

static void put_acts(FILE *f, const xn_export_model *m)
{
    for (size_t l = 1; l <= m->L; l++)
        fprintf(f, "%s%s", l > 1 ? " " : "", xn_act_name(m->acts[l]));
}

/* The prototypes, shared by the source and the header. */
static void put_prototypes(FILE *f, const gen *g)
{
    const char *t = g->ty->t, *n = g->name;
    fprintf(f, "void %s_predict(const %s *x, %s *y);\n", n, t, t);
    fprintf(f, "void %s_predict_work(const %s *x, %s *y, %s *work);\n", n, t, t, t);
    fprintf(f, "void %s_predict_batch(unsigned long n, const %s *x, %s *y);\n", n, t, t);
}

/* The opening comment: where the network came from and what the code is. */
static void put_intro(FILE *f, const gen *g, bool header)
{
    const xn_export_model *m = g->m;
    size_t n0 = m->sizes[0], nL = m->sizes[m->L], params = 0;
    for (size_t l = 1; l <= m->L; l++)
        params += (m->sizes[l - 1] + 1) * m->sizes[l];
    fputs(header ? "/* Declarations for the network" : "/* The network", f);
    if (g->model) {
        fputs(" \"", f);
        put_comment_text(f, g->model);
        fputs("\"", f);
    }
    fprintf(f, " as plain C: ");
    put_sizes(f, m, "-");
    fputs(", ", f);
    put_acts(f, m);
    fprintf(f, ", in %s.\n", g->ty->t);
    fprintf(f, " * Generated by xornet %s: ", xn_version());
    put_comment_text(f, g->made_by);
    fputs("\n *\n *   sizes         ", f);
    put_sizes(f, m, " ");
    fputs("\n *   activations   ", f);
    put_acts(f, m);
    fprintf(f, "\n *   element type  %s (the model's: %s)\n", g->ty->t,
            m->dtype == XN_EXPORT_FLOAT ? "float" : "double");
    fprintf(f, " *   inputs        %s\n", g->std ? "standardized: (x - mean) / sd, input by input"
                                                 : "taken as they are");
    if (m->ymean)
        fputs(" *   outputs       on the targets' scale: y * target_sd + target_mean\n", f);
    fprintf(f, " *   parameters    %zu\n *\n", params);
    fprintf(f, " *   %s_predict(x, y)             one row: x (%zu) -> y (%zu); %zu bytes of stack\n",
            g->name, n0, nL, g->work * (g->ty->is_float ? sizeof(float) : sizeof(double)));
    fprintf(f, " *   %s_predict_work(x, y, work)  the same with the caller's scratch, work (%zu)\n",
            g->name, g->work);
    fprintf(f, " *   %s_predict_batch(n, x, y)    row by row: x (n, %zu) -> y (n, %zu)\n",
            g->name, n0, nL);
    fputs(" * Arrays are row-major; y must not overlap x or work.\n", f);
    if (header) {
        fputs(" */\n", f);
        return;
    }
    fputs(" *\n"
          " * Needs <math.h> alone (link with -lm) and keeps no state: every function\n"
          " * is reentrant.  Each output sums in the order of xornet's plain-loop\n"
          " * kernel (0, then + x[k] * W[k][o] for k = 0, 1, ..., then + b[o]) and each\n"
          " * activation is written as xornet computes it, ", f);
    if (g->ty->is_float && m->dtype == XN_EXPORT_DOUBLE)
        fputs("but in float: the\n"
              " * parameters are the model's rounded to the nearest float, so the outputs\n"
              " * differ from the model's by float rounding.\n */\n", f);
    else
        fputs("so the outputs equal\n"
              " * xornet's with that kernel bit for bit when a * b + c is not contracted\n"
              " * into a fused multiply-add (-ffp-contract=off; gcc's -std=c99 implies\n"
              " * it) and the same libm is linked.\n */\n", f);
}

/* `static const T NAME_what[n] = {...};` */
static void put_vector(FILE *f, const gen *g, const char *what, const double *v, size_t n)
{
    char head[160];
    snprintf(head, sizeof head, "static const %s %s_%s[%zu] = {", g->ty->t, g->name, what, n);
    fprintf(f, "%s\n    ", head);
    put_list(f, g->ty, v, n, 4, 4);
    fputs("\n};\n", f);
}

/* `static const T NAME_Wl[in][out] = {{...}, ...};`, one braced row per k. */
static void put_matrix(FILE *f, const gen *g, size_t l)
{
    size_t in = g->m->sizes[l - 1], out = g->m->sizes[l];
    fprintf(f, "static const %s %s_W%zu[%zu][%zu] = {\n", g->ty->t, g->name, l, in, out);
    for (size_t k = 0; k < in; k++) {
        fputs("    {", f);
        put_list(f, g->ty, g->m->w[l] + k * out, out, 5, 5);
        fputs(k + 1 < in ? "},\n" : "}\n", f);
    }
    fputs("};\n", f);
}

/* The name of the buffer feeding layer l and of the one it writes. */
static void layer_names(const gen *g, size_t l, char *in, char *out, size_t cap)
{
    if (l == 1)
        snprintf(in, cap, "%s", g->std ? "s" : "x");
    else
        snprintf(in, cap, "a%zu", l - 1);
    if (l == g->m->L)
        snprintf(out, cap, "y");
    else
        snprintf(out, cap, "a%zu", l);
}

/* Layer l's block: the product, summed as the plain-loop kernel does, then
 * the bias and the activation as net.c's bias_act applies them. */
static void put_layer(FILE *f, const gen *g, size_t l)
{
    const c_type *ty = g->ty;
    const char *nm = g->name;
    size_t in = g->m->sizes[l - 1], out = g->m->sizes[l];
    xn_act act = g->m->acts[l];
    char x[24], a[24]; /* "a" and any size_t */
    layer_names(g, l, x, a, sizeof x);
    fprintf(f, "\n    /* Layer %zu: %s (%zu) = %s(%s (%zu) . W%zu (%zu, %zu) + b%zu (%zu)) */\n", l, a,
            out, xn_act_name(act), x, in, l, in, out, l, out);
    fprintf(f, "    for (o = 0; o < %zu; o++)\n        %s[o] = %s;\n", out, a, ty->zero);
    fprintf(f, "    for (k = 0; k < %zu; k++) {\n", in);
    fprintf(f, "        %s xk = %s[k];\n", ty->t, x);
    fprintf(f, "        for (o = 0; o < %zu; o++)\n", out);
    fprintf(f, "            %s[o] += xk * %s_W%zu[k][o];\n    }\n", a, nm, l);
    switch (act) {
    case XN_ACT_SIGMOID:
        fprintf(f, "    for (o = 0; o < %zu; o++) {\n", out);
        fprintf(f, "        %s z = %s[o] + %s_b%zu[o];\n", ty->t, a, nm, l);
        fprintf(f, "        /* %s(-z) is inf below z = %s and 1 / (1 + inf) is 0 */\n", ty->exp,
                ty->is_float ? "-88" : "-709");
        fprintf(f, "        %s[o] = %s / (%s + %s(-z));\n    }\n", a, ty->one, ty->one, ty->exp);
        break;
    case XN_ACT_RELU:
        fprintf(f, "    for (o = 0; o < %zu; o++) {\n", out);
        fprintf(f, "        %s z = %s[o] + %s_b%zu[o];\n", ty->t, a, nm, l);
        fprintf(f, "        %s[o] = z > %s ? z : %s;\n    }\n", a, ty->zero, ty->zero);
        break;
    case XN_ACT_TANH:
        fprintf(f, "    for (o = 0; o < %zu; o++)\n", out);
        fprintf(f, "        %s[o] = %s(%s[o] + %s_b%zu[o]);\n", a, ty->tanh, a, nm, l);
        break;
    case XN_ACT_SOFTMAX:
        fprintf(f, "    for (o = 0; o < %zu; o++)\n", out);
        fprintf(f, "        %s[o] += %s_b%zu[o];\n", a, nm, l);
        fputs("    /* shifted by the maximum, so exp never overflows */\n", f);
        fprintf(f, "    mx = %s[0];\n", a);
        fprintf(f, "    for (o = 1; o < %zu; o++)\n", out);
        fprintf(f, "        if (%s[o] > mx)\n            mx = %s[o];\n", a, a);
        fprintf(f, "    sum = %s;\n", ty->zero);
        fprintf(f, "    for (o = 0; o < %zu; o++) {\n", out);
        fprintf(f, "        %s[o] = %s(%s[o] - mx);\n", a, ty->exp, a);
        fprintf(f, "        sum += %s[o];\n    }\n", a);
        fprintf(f, "    for (o = 0; o < %zu; o++)\n", out);
        fprintf(f, "        %s[o] /= sum;\n", a);
        break;
    default: /* identity */
        fprintf(f, "    for (o = 0; o < %zu; o++)\n", out);
        fprintf(f, "        %s[o] += %s_b%zu[o];\n", a, nm, l);
        break;
    }
}

static void put_source(FILE *f, const gen *g)
{
    const xn_export_model *m = g->m;
    const char *t = g->ty->t, *nm = g->name;
    size_t n0 = m->sizes[0], nL = m->sizes[m->L];

    put_intro(f, g, false);
    fputs("#include <math.h>\n\n", f);
    put_prototypes(f, g);

    if (g->std) {
        fprintf(f, "\n/* Input standardization: s[k] = (x[k] - mean[k]) / sd[k]; mean (%zu), sd (%zu). */\n",
                n0, n0);
        put_vector(f, g, "mean", m->mean, n0);
        put_vector(f, g, "sd", m->sd, n0);
    }
    if (m->ymean) {
        fprintf(f, "\n/* Target standardization: the outputs are y * target_sd + target_mean (%zu). */\n",
                nL);
        put_vector(f, g, "target_mean", m->ymean, nL);
        put_vector(f, g, "target_sd", m->ysd, nL);
    }
    for (size_t l = 1; l <= m->L; l++) {
        size_t in = m->sizes[l - 1], out = m->sizes[l];
        fprintf(f, "\n/* Layer %zu, %s: W%zu (%zu, %zu), W%zu[k][o] weighs input k into output o;"
                " b%zu (%zu). */\n", l, xn_act_name(m->acts[l]), l, in, out, l, l, out);
        put_matrix(f, g, l);
        char what[24];
        snprintf(what, sizeof what, "b%zu", l);
        put_vector(f, g, what, m->b[l], out);
    }

    fprintf(f, "\nvoid %s_predict_work(const %s *x, %s *y, %s *work)\n{\n", nm, t, t, t);
    for (size_t j = 0; j < g->nchain; j++) {
        bool is_s = g->std && j == 0;
        size_t l = g->std ? j : j + 1;
        char var[24], lhs[96];
        snprintf(var, sizeof var, is_s ? "s" : "a%zu", l);
        if (g->off[j])
            snprintf(lhs, sizeof lhs, "%s *%s = work + %zu;", t, var, g->off[j]);
        else
            snprintf(lhs, sizeof lhs, "%s *%s = work;", t, var);
        fprintf(f, "    %-26s /* (%zu) ", lhs, g->chain[j]);
        if (is_s)
            fputs("the standardized input", f);
        else
            fprintf(f, "layer %zu's output", l);
        fprintf(f, ", work[%zu..%zu] */\n", g->off[j], g->off[j] + g->chain[j] - 1);
    }
    if (g->softmax)
        fprintf(f, "    %s mx, sum;\n", t);
    fprintf(f, "    %s k, o;\n", g->idx);
    if (g->nchain == 0)
        fputs("\n    (void)work; /* this network needs no scratch */\n", f);
    if (g->std) {
        fprintf(f, "\n    for (k = 0; k < %zu; k++)\n", n0);
        fprintf(f, "        s[k] = (x[k] - %s_mean[k]) / %s_sd[k];\n", nm, nm);
    }
    for (size_t l = 1; l <= m->L; l++)
        put_layer(f, g, l);
    if (m->ymean) {
        fprintf(f, "\n    for (o = 0; o < %zu; o++)\n", nL);
        fprintf(f, "        y[o] = y[o] * %s_target_sd[o] + %s_target_mean[o];\n", nm, nm);
    }
    fputs("}\n", f);

    fprintf(f, "\nvoid %s_predict(const %s *x, %s *y)\n{\n", nm, t, t);
    fprintf(f, "    %s work[%zu];\n\n", t, g->work);
    fprintf(f, "    %s_predict_work(x, y, work);\n}\n", nm);

    fprintf(f, "\nvoid %s_predict_batch(unsigned long n, const %s *x, %s *y)\n{\n", nm, t, t);
    fprintf(f, "    %s work[%zu];\n    unsigned long i;\n\n", t, g->work);
    fputs("    for (i = 0; i < n; i++)\n", f);
    fprintf(f, "        %s_predict_work(x + i * %zu, y + i * %zu, work);\n}\n", nm, n0, nL);
}

static void put_header(FILE *f, const gen *g)
{
    char guard[XN_EXPORT_MAX_NAME + 8];
    xn_export_guard(g->name, guard);

    put_intro(f, g, true);
    fprintf(f, "#ifndef %s\n#define %s\n\n", guard, guard);
    fputs("#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n", f);
    fprintf(f, "/* Inputs and outputs of one row, and the length of %s_predict_work's\n"
            " * scratch array (%s_predict puts it on the stack). */\n", g->name, g->name);
    fprintf(f, "enum { %s_INPUTS = %zu, %s_OUTPUTS = %zu, %s_WORK = %zu };\n\n", g->name,
            g->m->sizes[0], g->name, g->m->sizes[g->m->L], g->name, g->work);
    put_prototypes(f, g);
    fputs("\n#ifdef __cplusplus\n}\n#endif\n\n#endif\n", f);
}

/* Flushes f and reports a failed write. */
static xn_status finish(FILE *f, xn_error *err)
{
    if (fflush(f) != 0 || ferror(f))
        return xn_fail(err, 0, XN_EIO, "cannot write the generated code");
    return XN_OK;
}

/* The source, or the header, of m into f. */
static xn_status write_one(const xn_export_model *m, const xn_export_opts *opts, FILE *f, bool header,
                           xn_error *err)
{
    gen g;
    xn_status s = gen_init(&g, m, opts, err);
    if (s != XN_OK)
        return s;
    if (!f)
        return xn_fail(err, 0, XN_EINVAL, "no output stream");
    (header ? put_header : put_source)(f, &g);
    return finish(f, err);
}

xn_status xn_export_model_c(const xn_export_model *m, const xn_export_opts *opts, FILE *f,
                            xn_error *err)
{
    return write_one(m, opts, f, false, err);
}

xn_status xn_export_model_h(const xn_export_model *m, const xn_export_opts *opts, FILE *f,
                            xn_error *err)
{
    return write_one(m, opts, f, true, err);
}

/* err's message, "why", becomes "path: why": with two files the caller
 * could not tell which one failed. */
static xn_status blame(xn_error *err, const char *path, xn_status s)
{
    if (!err)
        return s;
    char why[sizeof err->msg];
    memcpy(why, err->msg, sizeof why);
    return xn_fail(err, 0, s, "%s: %s", path, why);
}

xn_status xn_export_model_save(const xn_export_model *m, const xn_export_opts *opts, const char *c_path,
                               const char *h_path, xn_error *err)
{
    xn_status s;
    if ((!c_path && !h_path) || (c_path && !c_path[0]) || (h_path && !h_path[0]))
        return xn_fail(err, 0, XN_EINVAL, "no path");
    if (c_path && h_path && strcmp(c_path, h_path) == 0)
        return xn_fail(err, 0, XN_EINVAL, "the source and the header need two paths");
    gen g; /* checks everything before a file is touched */
    if ((s = gen_init(&g, m, opts, err)) != XN_OK)
        return s;
    xn_atomic c = {.f = NULL}, h = {.f = NULL};
    if (c_path && (s = xn_atomic_open(&c, c_path, err)) != XN_OK)
        return blame(err, c_path, s);
    if (h_path && (s = xn_atomic_open(&h, h_path, err)) != XN_OK) {
        xn_atomic_abort(&c);
        return blame(err, h_path, s);
    }
    if (c_path)
        put_source(c.f, &g);
    if (h_path)
        put_header(h.f, &g);
    if (c_path && (s = xn_atomic_commit(&c, err)) != XN_OK) {
        xn_atomic_abort(&h);
        return blame(err, c_path, s);
    }
    if (h_path && (s = xn_atomic_commit(&h, err)) != XN_OK)
        return blame(err, h_path, s);
    return XN_OK;
}
