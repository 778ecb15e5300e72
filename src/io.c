/* Model files: the versioned text format of docs/model-format.md, written
 * atomically (temporary file, fsync, rename) and read strictly, all or
 * nothing.  Every double is printed with %.17g and read back with strtod,
 * which round-trips it bit for bit.
 *
 * The reader works on a text in memory and never reads past its length.  It
 * checks the header (magic, version, sizes, activations, loss) before it
 * allocates, and allocates only when the rest of the text is long enough to
 * hold the parameters the sizes promise (each number takes at least two
 * bytes), so the allocation is bounded by the input's length. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "internal.h"
#include "text.h"

/* ---- writing ----------------------------------------------------------- */

static void write_row(FILE *f, const double *v, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        if (j)
            fputc(' ', f);
        fprintf(f, "%.17g", v[j]);
    }
    fputc('\n', f);
}

static void write_model(FILE *f, const xn_net *net)
{
    size_t L = xn_net_layers(net);
    fputs("xornet 1\nsizes", f);
    for (size_t i = 0; i <= L; i++)
        fprintf(f, " %zu", xn_net_size(net, i));
    fputs("\nactivations", f);
    for (size_t l = 1; l <= L; l++)
        fprintf(f, " %s", xn_act_name(xn_net_act(net, l)));
    fprintf(f, "\nloss %s\n", xn_loss_name(xn_net_loss(net)));
    for (size_t l = 1; l <= L; l++) {
        size_t in = xn_net_size(net, l - 1), out = xn_net_size(net, l);
        const double *w = xn_net_w(net, l);
        fprintf(f, "W%zu %zu %zu\n", l, in, out);
        for (size_t i = 0; i < in; i++)
            write_row(f, w + i * out, out);
        fprintf(f, "b%zu %zu\n", l, out);
        write_row(f, xn_net_b(net, l), out);
    }
}

xn_status xn_net_save(const xn_net *net, const char *path, xn_error *err)
{
    xn_error_clear(err);
    if (!net || !path || !path[0])
        return xn_fail(err, 0, XN_EINVAL, "no network or no path");
    /* a non-finite parameter could not be read back: refuse to write it */
    for (size_t l = 1; l <= xn_net_layers(net); l++) {
        size_t in = xn_net_size(net, l - 1), out = xn_net_size(net, l);
        const double *w = xn_net_w(net, l), *b = xn_net_b(net, l);
        for (size_t k = 0; k < in * out; k++)
            if (!isfinite(w[k]))
                return xn_fail(err, 0, XN_ENUMERIC, "W%zu[%zu][%zu] is not finite; nothing written",
                               l, k / out, k % out);
        for (size_t k = 0; k < out; k++)
            if (!isfinite(b[k]))
                return xn_fail(err, 0, XN_ENUMERIC, "b%zu[%zu] is not finite; nothing written", l, k);
    }
    xn_atomic a;
    xn_status st = xn_atomic_open(&a, path, err);
    if (st != XN_OK)
        return st;
    write_model(a.f, net);
    return xn_atomic_commit(&a, err);
}

/* ---- reading ----------------------------------------------------------- */

typedef struct {
    size_t L;
    size_t sizes[XN_MAX_LAYERS + 1];
    xn_act acts[XN_MAX_LAYERS];
    xn_loss loss;
    size_t nparams;
} header;

/* The network rules (xn_net_check_config) on the header read so far, the
 * fields not read yet left zero: the sizes with identity activations and
 * mse, then the activations, then the loss, so that a broken rule is
 * blamed on the line that breaks it. */
static xn_status check_rules(const xn_lines *t, xn_error *err, header *h)
{
    xn_net_config cfg = {.n_layers = h->L, .sizes = h->sizes, .acts = h->acts, .loss = h->loss};
    xn_error why;
    if (xn_config_check(&cfg, &why, &h->nparams) != XN_OK)
        return xn_fail(err, t->line, XN_EFORMAT, "%s", why.msg);
    return XN_OK;
}

/* The next content line into (*s, *n), or an end-of-file error. */
static xn_status next_line(xn_lines *t, xn_error *err, const char **s, size_t *n,
                           const char *what)
{
    if (xn_lines_content(t, s, n))
        return XN_OK;
    return xn_fail(err, xn_lines_end_line(t), XN_EFORMAT, "unexpected end of file; expected %s", what);
}

/* The line's first token must be the keyword; *p is left after it. */
static xn_status keyword(xn_lines *t, xn_error *err, const char *word, const char **p,
                         const char **end)
{
    const char *s, *tok;
    size_t n, k;
    char what[32], q[48];
    snprintf(what, sizeof what, "the '%s' line", word);
    xn_status st = next_line(t, err, &s, &n, what);
    if (st != XN_OK)
        return st;
    *p = s;
    *end = s + n;
    if (!xn_token(p, *end, &tok, &k) || !xn_token_is(tok, k, word))
        return xn_fail(err, t->line, XN_EFORMAT, "expected the '%s' line, found '%s'", word,
                       xn_quote(q, sizeof q, s, n));
    return XN_OK;
}

static xn_status read_magic(xn_lines *t, xn_error *err)
{
    const char *s, *p, *end, *tok;
    size_t n, k, version;
    char q[48];
    xn_status st = next_line(t, err, &s, &n, "'xornet 1'");
    if (st != XN_OK)
        return xn_fail(err, 1, XN_EFORMAT, "empty file; expected 'xornet 1'");
    p = s;
    end = s + n;
    if (!xn_token(&p, end, &tok, &k) || !xn_token_is(tok, k, "xornet"))
        return xn_fail(err, t->line, XN_EFORMAT, "not a xornet model file: expected 'xornet 1', found '%s'",
                       xn_quote(q, sizeof q, s, n));
    if (!xn_token(&p, end, &tok, &k))
        return xn_fail(err, t->line, XN_EFORMAT, "missing format version after 'xornet'");
    if (xn_parse_size(tok, k, 1000000, &version) != XN_NUM_OK)
        return xn_fail(err, t->line, XN_EFORMAT, "bad format version '%s'", xn_quote(q, sizeof q, tok, k));
    if (version != 1)
        return xn_fail(err, t->line, XN_EFORMAT, "unsupported format version %zu (this reader knows 1)",
                       version);
    if (xn_token(&p, end, &tok, &k))
        return xn_fail(err, t->line, XN_EFORMAT, "unexpected '%s' after the version",
                       xn_quote(q, sizeof q, tok, k));
    return XN_OK;
}

static xn_status read_sizes(xn_lines *t, xn_error *err, header *h)
{
    const char *p, *end, *tok;
    size_t k, count = 0;
    char q[48];
    xn_status st = keyword(t, err, "sizes", &p, &end);
    if (st != XN_OK)
        return st;
    while (xn_token(&p, end, &tok, &k)) {
        if (count == XN_MAX_LAYERS + 1)
            return xn_fail(err, t->line, XN_EFORMAT, "more than %d layers (the limit)", XN_MAX_LAYERS);
        size_t v;
        xn_num r = xn_parse_size(tok, k, INT_MAX, &v);
        if (r == XN_NUM_RANGE)
            return xn_fail(err, t->line, XN_EFORMAT, "size '%s' is over the limit of %d",
                           xn_quote(q, sizeof q, tok, k), INT_MAX);
        if (r != XN_NUM_OK)
            return xn_fail(err, t->line, XN_EFORMAT, "bad size '%s' (sizes are whole numbers >= 1)",
                           xn_quote(q, sizeof q, tok, k));
        h->sizes[count++] = v;
    }
    if (count < 2)
        return xn_fail(err, t->line, XN_EFORMAT, "expected at least 2 sizes (inputs and outputs), found %zu",
                       count);
    h->L = count - 1;
    return check_rules(t, err, h);
}

static xn_status read_acts(xn_lines *t, xn_error *err, header *h)
{
    const char *p, *end, *tok;
    size_t k;
    char q[48];
    xn_status st = keyword(t, err, "activations", &p, &end);
    if (st != XN_OK)
        return st;
    size_t count = xn_token_count(p, end);
    if (count != h->L)
        return xn_fail(err, t->line, XN_EFORMAT, "expected %zu activations (one a layer), found %zu", h->L,
                       count);
    for (size_t l = 0; xn_token(&p, end, &tok, &k); l++) {
        xn_quote(q, sizeof q, tok, k);
        if (k >= sizeof q || xn_act_parse(q, &h->acts[l]) != XN_OK)
            return xn_fail(err, t->line, XN_EFORMAT, "unknown activation '%s'", q);
    }
    return check_rules(t, err, h);
}

static xn_status read_loss(xn_lines *t, xn_error *err, header *h)
{
    const char *p, *end, *tok;
    size_t k;
    char q[48];
    xn_status st = keyword(t, err, "loss", &p, &end);
    if (st != XN_OK)
        return st;
    if (xn_token_count(p, end) != 1)
        return xn_fail(err, t->line, XN_EFORMAT, "expected one loss name after 'loss'");
    xn_token(&p, end, &tok, &k);
    xn_quote(q, sizeof q, tok, k);
    if (k >= sizeof q || xn_loss_parse(q, &h->loss) != XN_OK)
        return xn_fail(err, t->line, XN_EFORMAT, "unknown loss '%s'", q);
    return check_rules(t, err, h);
}

/* A block header line: "W<l> rows cols" or "b<l> n". */
static xn_status read_block_head(xn_lines *t, xn_error *err, char kind, size_t l, size_t rows,
                                 size_t cols)
{
    char want[64], q[64];
    const char *s;
    size_t n;
    if (kind == 'W')
        snprintf(want, sizeof want, "W%zu %zu %zu", l, rows, cols);
    else
        snprintf(want, sizeof want, "b%zu %zu", l, cols);
    char what[80];
    snprintf(what, sizeof what, "block '%s'", want);
    xn_status st = next_line(t, err, &s, &n, what);
    if (st != XN_OK)
        return st;
    /* compare token by token, so any spacing is fine */
    const char *p = s, *end = s + n, *tok, *wp = want, *wend = want + strlen(want), *wt;
    size_t k, wk;
    bool same = true;
    for (;;) {
        bool a = xn_token(&p, end, &tok, &k), b = xn_token(&wp, wend, &wt, &wk);
        if (!a || !b) {
            same = a == b;
            break;
        }
        if (k != wk || memcmp(tok, wt, k) != 0) {
            same = false;
            break;
        }
    }
    if (!same)
        return xn_fail(err, t->line, XN_EFORMAT, "expected '%s', found '%s'", want, xn_quote(q, sizeof q, s, n));
    return XN_OK;
}

/* One line of exactly cols numbers into dst (cols), or nowhere if NULL. */
static xn_status read_row(xn_lines *t, xn_error *err, size_t cols, double *dst, const char *what)
{
    const char *s, *tok;
    size_t n, k;
    char q[48];
    xn_status st = next_line(t, err, &s, &n, what);
    if (st != XN_OK)
        return st;
    const char *p = s, *end = s + n;
    size_t count = xn_token_count(p, end);
    if (count != cols)
        return xn_fail(err, t->line, XN_EFORMAT, "expected %zu number%s, found %zu", cols,
                       cols == 1 ? "" : "s", count);
    for (size_t j = 0; xn_token(&p, end, &tok, &k); j++) {
        double v;
        xn_num r = xn_parse_double(tok, k, &v);
        if (r != XN_NUM_OK)
            return xn_fail(err, t->line, XN_EFORMAT, "%s '%s' in column %zu", xn_num_why(r),
                           xn_quote(q, sizeof q, tok, k), j + 1);
        if (dst)
            dst[j] = v;
    }
    return XN_OK;
}

/* Every block W1 b1 ... WL bL, then nothing but comments.  With net NULL
 * the numbers are checked and dropped. */
static xn_status read_blocks(xn_lines *t, xn_error *err, const header *h, xn_net *net)
{
    char what[64], q[48];
    xn_status st;
    for (size_t l = 1; l <= h->L; l++) {
        size_t in = h->sizes[l - 1], out = h->sizes[l];
        double *w = net ? xn_net_w(net, l) : NULL, *b = net ? xn_net_b(net, l) : NULL;
        if ((st = read_block_head(t, err, 'W', l, in, out)) != XN_OK)
            return st;
        for (size_t i = 0; i < in; i++) {
            snprintf(what, sizeof what, "row %zu of W%zu", i + 1, l);
            if ((st = read_row(t, err, out, w ? w + i * out : NULL, what)) != XN_OK)
                return st;
        }
        if ((st = read_block_head(t, err, 'b', l, 1, out)) != XN_OK)
            return st;
        snprintf(what, sizeof what, "the numbers of b%zu", l);
        if ((st = read_row(t, err, out, b, what)) != XN_OK)
            return st;
    }
    const char *s;
    size_t n;
    if (xn_lines_content(t, &s, &n))
        return xn_fail(err, t->line, XN_EFORMAT, "unexpected '%s' after the last block",
                       xn_quote(q, sizeof q, s, n));
    return XN_OK;
}

xn_status xn_net_parse(xn_net **out, const char *text, size_t len, xn_error *err)
{
    xn_error_clear(err);
    if (!out)
        return xn_fail(err, 0, XN_EINVAL, "no place for the network");
    *out = NULL;
    if (!text && len)
        return xn_fail(err, 0, XN_EINVAL, "no text");
    xn_lines t;
    xn_lines_init(&t, text, len);
    header h;
    memset(&h, 0, sizeof h);
    xn_status st;
    if ((st = read_magic(&t, err)) != XN_OK || (st = read_sizes(&t, err, &h)) != XN_OK ||
        (st = read_acts(&t, err, &h)) != XN_OK || (st = read_loss(&t, err, &h)) != XN_OK)
        return st;
    /* each number takes a character and a separator (the last may go
     * without): a text too short for the sizes is refused before the
     * allocation, by a pass that finds where it falls short */
    if (t.len - t.pos < 2 * h.nparams - 1) {
        st = read_blocks(&t, err, &h, NULL);
        return st != XN_OK ? st
                           : xn_fail(err, xn_lines_end_line(&t), XN_EFORMAT, "too short for the sizes");
    }
    /* read for prediction: the training state comes with the first
     * training call */
    xn_net_config cfg = {.n_layers = h.L, .sizes = h.sizes, .acts = h.acts, .loss = h.loss};
    xn_net *net;
    st = xn_net_new(&net, &cfg, false, err);
    if (st != XN_OK)
        return st; /* the rules held, so only XN_ENOMEM */
    st = read_blocks(&t, err, &h, net);
    if (st != XN_OK) {
        xn_net_destroy(net);
        return st;
    }
    net->initialized = true;
    *out = net;
    return XN_OK;
}

xn_status xn_net_load(xn_net **out, const char *path, xn_error *err)
{
    xn_error_clear(err);
    if (!out)
        return xn_fail(err, 0, XN_EINVAL, "no place for the network");
    *out = NULL;
    if (!path)
        return xn_fail(err, 0, XN_EINVAL, "no path");
    char *text;
    size_t len;
    xn_status st = xn_read_file(path, XN_TEXT_MAX_FILE, &text, &len, err);
    if (st != XN_OK)
        return st;
    st = xn_net_parse(out, text, len, err);
    free(text);
    return st;
}
