/* Model files and checkpoints: the versioned text format of
 * docs/model-format.md, written atomically (temporary file, fsync, rename)
 * and read strictly, all or nothing.  Every double is printed with %.17g
 * and read back with strtod, which round-trips it bit for bit.  Format 2
 * adds the input standardization, the training state of a checkpoint and
 * an `end` line; format 1 files still read.
 *
 * The reader works on a text in memory and never reads past its length.  It
 * checks the header (magic, version, sizes, activations, loss) before it
 * allocates, and allocates only when the rest of the text is long enough to
 * hold the numbers the sizes promise (each number takes at least two
 * bytes), so the allocation is bounded by the input's length.  A text must
 * end in a newline, whatever its version: one cut inside its last number
 * is refused rather than read as a different number. */
#define _POSIX_C_SOURCE 200809L

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xornet/atomic.h"
#include "modeltext.h"

/* The version written: 3 for a network with class labels or a checkpoint
 * of lm or lbfgs (their state), else 2, the lowest that holds the file;
 * 1 to 3 read. */
#define FORMAT 3

/* ---- writing ----------------------------------------------------------- */

/* A label as a quoted string: \\ \" \n \r \t escaped, other bytes as
 * they are. */
static void write_label(FILE *f, const char *s)
{
    fputs("label \"", f);
    for (; *s; s++) {
        const char *e = *s == '\\' ? "\\\\" : *s == '"' ? "\\\"" : *s == '\n' ? "\\n" : *s == '\r' ? "\\r"
                        : *s == '\t' ? "\\t" : NULL;
        if (e)
            fputs(e, f);
        else
            fputc(*s, f);
    }
    fputs("\"\n", f);
}

static void write_model(FILE *f, const xn_net *net, const xn_checkpoint *ck)
{
    bool solver_state = ck && xn_opt_second_order(net->opt.kind);
    fprintf(f, "xornet %d\nsizes", net->n_labels || solver_state ? FORMAT : 2);
    for (size_t i = 0; i <= net->L; i++)
        fprintf(f, " %zu", net->sizes[i]);
    fputs("\nactivations", f);
    for (size_t l = 1; l <= net->L; l++)
        fprintf(f, " %s", xn_act_name(net->acts[l]));
    fprintf(f, "\nloss %s\n", xn_loss_name(net->loss));
    if (net->dtype != XN_FLOAT64)
        fprintf(f, "dtype %s\n", xn_dtype_name(net->dtype));
    if (net->mean) {
        fputs("mean ", f);
        xn_mt_write_row(f, XN_FLOAT64, net->mean, net->sizes[0]);
        fputs("sd ", f);
        xn_mt_write_row(f, XN_FLOAT64, net->sd, net->sizes[0]);
    }
    if (net->ymean) {
        fputs("target_mean ", f);
        xn_mt_write_row(f, XN_FLOAT64, net->ymean, net->sizes[net->L]);
        fputs("target_sd ", f);
        xn_mt_write_row(f, XN_FLOAT64, net->ysd, net->sizes[net->L]);
    }
    if (net->n_labels) {
        fprintf(f, "labels %zu\n", net->n_labels);
        for (size_t i = 0; i < net->n_labels; i++)
            write_label(f, net->labels[i]);
    }
    xn_mt_write_blocks(f, net, "", net->params);
    if (ck)
        xn_mt_write_state(f, net, ck);
    fputs("end\n", f);
}

/* The first non-finite number of v laid out as the parameters, named. */
static bool all_finite(const xn_net *net, const char *prefix, const void *v, xn_error *err)
{
    for (size_t l = 1; l <= net->L; l++) {
        size_t out = net->sizes[l], nw = net->sizes[l - 1] * out;
        for (size_t k = 0; k < nw + out; k++)
            if (!isfinite(xn_net_get(net, v, net->woff[l] + k))) {
                if (k < nw)
                    xn_fail(err, 0, XN_ENUMERIC, "%sW%zu[%zu][%zu] is not finite; nothing written", prefix,
                            l, k / out, k % out);
                else
                    xn_fail(err, 0, XN_ENUMERIC, "%sb%zu[%zu] is not finite; nothing written", prefix, l,
                            k - nw);
                return false;
            }
    }
    return true;
}

static xn_status save(const xn_net *net, const xn_checkpoint *ck, const char *path, xn_error *err)
{
    xn_error_clear(err);
    if (!net || !path || !path[0])
        return xn_fail(err, 0, XN_EINVAL, "no network or no path");
    if (ck && !net->train && !xn_opt_second_order(net->opt.kind)) /* lm and lbfgs keep no moments */
        return xn_fail(err, 0, XN_EINVAL, "the network has no training state to checkpoint");
    /* a non-finite number could not be read back: refuse to write it */
    if (!all_finite(net, "", net->params, err) || (ck && ck->best && !all_finite(net, "best", ck->best, err)))
        return XN_ENUMERIC;
    /* a state the reader would refuse is not written (one rule for both) */
    xn_status st;
    if (ck && (st = xn_mt_check_state(net, ck, err)) != XN_OK)
        return st;
    xn_atomic a;
    st = xn_atomic_open(&a, path, err);
    if (st != XN_OK)
        return st;
    write_model(a.f, net, ck);
    return xn_atomic_commit(&a, err);
}

xn_status xn_net_save(const xn_net *net, const char *path, xn_error *err)
{
    return save(net, NULL, path, err);
}

xn_status xn_checkpoint_save(const xn_net *net, const xn_checkpoint *ck, const char *path,
                             xn_error *err)
{
    if (!ck)
        return xn_fail(err, 0, XN_EINVAL, "no checkpoint state");
    return save(net, ck, path, err);
}

/* ---- reading ----------------------------------------------------------- */

/* The network rules (xn_net_check_config) on the header read so far, the
 * fields not read yet left zero: the sizes with identity activations and
 * mse, then the activations, then the loss, so that a broken rule is
 * blamed on the line that breaks it. */
static xn_status check_rules(xn_mt_reader *r)
{
    xn_net_config cfg = {.n_layers = r->L, .sizes = r->sizes, .acts = r->acts, .loss = r->loss};
    xn_error why;
    if (xn_config_check(&cfg, &why, &r->nparams) != XN_OK)
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "%s", why.msg);
    return XN_OK;
}

static xn_status read_magic(xn_mt_reader *r)
{
    const char *s, *p, *end, *tok;
    size_t n, k, version;
    char q[48];
    if (!xn_lines_content(&r->t, &s, &n))
        return xn_fail(r->err, 1, XN_EFORMAT, "empty file; expected 'xornet %d'", FORMAT);
    p = s;
    end = s + n;
    if (!xn_token(&p, end, &tok, &k) || !xn_token_is(tok, k, "xornet"))
        return xn_fail(r->err, r->t.line, XN_EFORMAT,
                       "not a xornet model file: expected 'xornet %d', found '%s'", FORMAT,
                       xn_quote(q, sizeof q, s, n));
    if (!xn_token(&p, end, &tok, &k))
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "missing format version after 'xornet'");
    if (xn_parse_size(tok, k, 1000000, &version) != XN_NUM_OK)
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "bad format version '%s'", xn_quote(q, sizeof q, tok, k));
    if (version < 1 || version > FORMAT)
        return xn_fail(r->err, r->t.line, XN_EFORMAT,
                       "unsupported format version %zu (this reader knows 1 to %d)", version, FORMAT);
    if (xn_token(&p, end, &tok, &k))
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "unexpected '%s' after the version",
                       xn_quote(q, sizeof q, tok, k));
    r->version = (int)version;
    return XN_OK;
}

static xn_status read_sizes(xn_mt_reader *r)
{
    const char *p, *end, *tok;
    size_t k, count = 0;
    char q[48];
    xn_status st = xn_mt_keyword(r, "sizes", &p, &end);
    if (st != XN_OK)
        return st;
    while (xn_token(&p, end, &tok, &k)) {
        if (count == XN_MAX_LAYERS + 1)
            return xn_fail(r->err, r->t.line, XN_EFORMAT, "more than %d layers (the limit)", XN_MAX_LAYERS);
        size_t v;
        xn_num res = xn_parse_size(tok, k, INT_MAX, &v);
        if (res == XN_NUM_RANGE)
            return xn_fail(r->err, r->t.line, XN_EFORMAT, "size '%s' is over the limit of %d",
                           xn_quote(q, sizeof q, tok, k), INT_MAX);
        if (res != XN_NUM_OK)
            return xn_fail(r->err, r->t.line, XN_EFORMAT, "bad size '%s' (sizes are whole numbers >= 1)",
                           xn_quote(q, sizeof q, tok, k));
        r->sizes[count++] = v;
    }
    if (count < 2)
        return xn_fail(r->err, r->t.line, XN_EFORMAT,
                       "expected at least 2 sizes (inputs and outputs), found %zu", count);
    r->L = count - 1;
    return check_rules(r);
}

static xn_status read_acts(xn_mt_reader *r)
{
    const char *p, *end, *tok;
    size_t k;
    char q[48];
    xn_status st = xn_mt_keyword(r, "activations", &p, &end);
    if (st != XN_OK)
        return st;
    size_t count = xn_token_count(p, end);
    if (count != r->L)
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "expected %zu activations (one a layer), found %zu",
                       r->L, count);
    for (size_t l = 0; xn_token(&p, end, &tok, &k); l++) {
        xn_quote(q, sizeof q, tok, k);
        if (k >= sizeof q || xn_act_parse(q, &r->acts[l]) != XN_OK)
            return xn_fail(r->err, r->t.line, XN_EFORMAT, "unknown activation '%s'", q);
    }
    return check_rules(r);
}

static xn_status read_loss(xn_mt_reader *r)
{
    const char *p, *end, *tok;
    size_t k;
    char q[48];
    xn_status st = xn_mt_keyword(r, "loss", &p, &end);
    if (st != XN_OK)
        return st;
    if (xn_token_count(p, end) != 1)
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "expected one loss name after 'loss'");
    xn_token(&p, end, &tok, &k);
    xn_quote(q, sizeof q, tok, k);
    if (k >= sizeof q || xn_loss_parse(q, &r->loss) != XN_OK)
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "unknown loss '%s'", q);
    return check_rules(r);
}

/* Format 2: the optional line `dtype NAME` (float64 when missing). */
static xn_status read_dtype(xn_mt_reader *r)
{
    const char *p, *end, *tok;
    size_t k;
    char q[48];
    if (r->version < 2 || !xn_mt_next_is(r, "dtype"))
        return XN_OK;
    xn_status st = xn_mt_keyword(r, "dtype", &p, &end);
    if (st != XN_OK)
        return st;
    q[0] = '\0';
    if (xn_token_count(p, end) != 1 || !xn_token(&p, end, &tok, &k) ||
        (xn_quote(q, sizeof q, tok, k), k >= sizeof q) || xn_dtype_parse(q, &r->dtype) != XN_OK)
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "expected 'dtype float64' or 'dtype float32', found '%s'",
                       q);
    return XN_OK;
}

/* Format 2: the optional lines `<mean> ...` and `<sd> ...` (k numbers
 * each: the inputs' or the targets' standardization), set on net, or
 * checked and dropped if net is NULL. */
static xn_status read_scale(xn_mt_reader *r, const char *mean_word, const char *sd_word, size_t k,
                            xn_net *net, bool targets)
{
    if (r->version < 2 || !xn_mt_next_is(r, mean_word))
        return XN_OK;
    const char *p, *end;
    xn_status st;
    double *ms = net ? malloc(2 * k * sizeof *ms) : NULL;
    if (net && !ms)
        return xn_fail(r->err, 0, XN_ENOMEM, "out of memory");
    if ((st = xn_mt_keyword(r, mean_word, &p, &end)) == XN_OK &&
        (st = xn_mt_read_numbers(r, p, end, k, XN_FLOAT64, ms)) == XN_OK &&
        (st = xn_mt_keyword(r, sd_word, &p, &end)) == XN_OK &&
        (st = xn_mt_read_numbers(r, p, end, k, XN_FLOAT64, ms ? ms + k : NULL)) == XN_OK && net) {
        xn_status set = targets ? xn_net_set_target_standardization(net, ms, ms + k)
                                : xn_net_set_standardization(net, ms, ms + k);
        if (set != XN_OK) /* an sd of 0, or targets of a network that is not a regression */
            st = xn_fail(r->err, set == XN_ENOMEM ? 0 : r->t.line, set == XN_ENOMEM ? set : XN_EFORMAT, "%s",
                         xn_net_error(net));
    }
    free(ms);
    return st;
}

/* One `label "TEXT"` line into buf (XN_LABEL_MAX + 1 bytes). */
static xn_status read_label(xn_mt_reader *r, char *buf)
{
    const char *p, *end;
    xn_status st = xn_mt_keyword(r, "label", &p, &end);
    if (st != XN_OK)
        return st;
    while (p < end && xn_is_blank(*p))
        p++;
    size_t n = 0;
    if (p == end || *p++ != '"')
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "expected a label in double quotes");
    for (; p < end && *p != '"'; p++) {
        char c = *p;
        if (c == '\\' && p + 1 < end) {
            c = *++p;
            c = c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c;
        }
        if (n == XN_LABEL_MAX)
            return xn_fail(r->err, r->t.line, XN_EFORMAT, "a label longer than the limit of %d bytes",
                           XN_LABEL_MAX);
        buf[n++] = c;
    }
    buf[n] = '\0';
    if (p == end)
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "a label without its closing quote");
    for (p++; p < end; p++)
        if (!xn_is_blank(*p))
            return xn_fail(r->err, r->t.line, XN_EFORMAT, "text after the label's closing quote");
    return XN_OK;
}

/* Format 3: the optional class labels, `labels K` and K `label "TEXT"`
 * lines, set on net. */
static xn_status read_labels(xn_mt_reader *r, xn_net *net)
{
    if (r->version < 3 || !xn_mt_next_is(r, "labels"))
        return XN_OK;
    const char *p, *end, *tok;
    size_t k, n;
    xn_status st = xn_mt_keyword(r, "labels", &p, &end);
    if (st != XN_OK)
        return st;
    size_t line = r->t.line;
    if (xn_token_count(p, end) != 1 || !xn_token(&p, end, &tok, &n) ||
        xn_parse_size(tok, n, XN_DATA_MAX_CLASSES, &k) != XN_NUM_OK || k == 0)
        return xn_fail(r->err, line, XN_EFORMAT, "expected 'labels K' with K from 1 to %zu", XN_DATA_MAX_CLASSES);
    /* no more labels than the text has lines */
    if (k > (r->t.len - r->t.pos) / 9 + 1) /* each line at least `label ""`, 9 bytes */
        return xn_fail(r->err, line, XN_EFORMAT, "%zu labels: the text is too short for them", k);
    char **labels = calloc(k, sizeof *labels), *buf = malloc(k * (XN_LABEL_MAX + 1));
    if (!labels || !buf)
        st = xn_fail(r->err, 0, XN_ENOMEM, "out of memory");
    for (size_t i = 0; st == XN_OK && i < k; i++) {
        labels[i] = buf + i * (XN_LABEL_MAX + 1);
        st = read_label(r, labels[i]);
    }
    if (st == XN_OK && xn_net_set_labels(net, k, (const char *const *)labels) != XN_OK)
        st = xn_fail(r->err, line, XN_EFORMAT, "%s", xn_net_error(net));
    free(labels);
    free(buf);
    return st;
}

/* The whole text: a model, and with ck a checkpoint's state too. */
static xn_status parse(xn_net **out, xn_checkpoint *ck, const char *text, size_t len, xn_error *err)
{
    xn_error_clear(err);
    if (!out)
        return xn_fail(err, 0, XN_EINVAL, "no place for the network");
    *out = NULL;
    if (!text && len)
        return xn_fail(err, 0, XN_EINVAL, "no text");
    xn_mt_reader r;
    memset(&r, 0, sizeof r);
    r.err = err;
    xn_lines_init(&r.t, text, len);
    xn_status st;
    if ((st = read_magic(&r)) != XN_OK || (st = read_sizes(&r)) != XN_OK)
        return st;
    size_t sizes_line = r.t.line; /* for a caller's message about the shape */
    if ((st = read_acts(&r)) != XN_OK || (st = read_loss(&r)) != XN_OK || (st = read_dtype(&r)) != XN_OK)
        return st;
    /* a text too short for the sizes is refused before the allocation, by
     * a pass that finds where it falls short */
    size_t n0 = r.sizes[0], K = r.sizes[r.L];
    if (!xn_mt_room_for(&r, r.nparams)) {
        if ((st = read_scale(&r, "mean", "sd", n0, NULL, false)) == XN_OK &&
            (st = read_scale(&r, "target_mean", "target_sd", K, NULL, true)) == XN_OK)
            st = xn_mt_read_blocks(&r, NULL, "", NULL);
        return st != XN_OK ? st : xn_fail(err, xn_lines_end_line(&r.t), XN_EFORMAT, "too short for the sizes");
    }
    /* read for prediction: the training state comes with the first
     * training call, or from the checkpoint */
    xn_net_config cfg = {.n_layers = r.L, .sizes = r.sizes, .acts = r.acts, .loss = r.loss,
                         .dtype = r.dtype};
    xn_net *net = NULL;
    if ((st = xn_net_new(&net, &cfg, false, 0, err)) == XN_OK &&
        (st = read_scale(&r, "mean", "sd", n0, net, false)) == XN_OK &&
        (st = read_scale(&r, "target_mean", "target_sd", K, net, true)) == XN_OK &&
        (st = read_labels(&r, net)) == XN_OK)
        st = xn_mt_read_blocks(&r, net, "", net->params);
    bool has_state = false;
    if (st == XN_OK)
        st = xn_mt_read_state(&r, net, ck, &has_state);
    if (st == XN_OK && ck && !has_state)
        st = xn_fail(err, xn_lines_end_line(&r.t), XN_EFORMAT, "a model file, not a checkpoint: no training state");
    if (st == XN_OK && r.version >= 2)
        st = xn_mt_expect_line(&r, "end");
    const char *s;
    size_t n;
    char q[48];
    if (st == XN_OK && xn_lines_content(&r.t, &s, &n))
        st = xn_fail(err, r.t.line, XN_EFORMAT, "unexpected '%s' after the %s", xn_quote(q, sizeof q, s, n),
                     r.version >= 2 ? "'end' line" : "last block");
    if (st == XN_OK)
        st = xn_lines_check_end(&r.t, err);
    if (st != XN_OK) {
        if (ck && ck->best) {
            free(ck->best);
            ck->best = NULL;
        }
        xn_net_destroy(net);
        return st;
    }
    net->initialized = true;
    if (err)
        err->line = sizes_line;
    *out = net;
    return XN_OK;
}

xn_status xn_net_parse(xn_net **out, const char *text, size_t len, xn_error *err)
{
    return parse(out, NULL, text, len, err);
}

/* What a file's text is parsed into. */
typedef struct {
    xn_net **out;
    xn_checkpoint *ck;
} loading;

static xn_status parse_into(const char *text, size_t len, void *ctx, xn_error *err)
{
    loading *l = ctx;
    return parse(l->out, l->ck, text, len, err);
}

/* Reads the file at path and parses it. */
static xn_status load(xn_net **out, xn_checkpoint *ck, const char *path, xn_error *err)
{
    xn_error_clear(err);
    if (!out)
        return xn_fail(err, 0, XN_EINVAL, "no place for the network");
    *out = NULL;
    loading l = {out, ck};
    return xn_parse_file(path, parse_into, &l, err);
}

xn_status xn_net_load(xn_net **out, const char *path, xn_error *err)
{
    return load(out, NULL, path, err);
}

xn_status xn_checkpoint_load(xn_net **out, xn_checkpoint *ck, const char *path, xn_error *err)
{
    if (!ck)
        return xn_fail(err, 0, XN_EINVAL, "no place for the checkpoint state");
    memset(ck, 0, sizeof *ck);
    return load(out, ck, path, err);
}
