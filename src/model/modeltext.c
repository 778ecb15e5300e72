/* The strict line reader and the writer of model texts, shared by model
 * files (io.c) and checkpoints (checkpoint.c).  The reader never reads past
 * the text and names the line of every failure. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "modeltext.h"

/* The next content line into (*s, *n), or an end-of-file error. */
xn_status xn_mt_next_line(xn_mt_reader *r, const char **s, size_t *n, const char *what)
{
    if (xn_lines_content(&r->t, s, n))
        return XN_OK;
    return xn_fail(r->err, xn_lines_end_line(&r->t), XN_EFORMAT, "unexpected end of file; expected %s",
                   what);
}

/* Whether the next content line starts with the word (nothing is read). */
bool xn_mt_next_is(const xn_mt_reader *r, const char *word)
{
    xn_lines peek = r->t;
    const char *s, *tok;
    size_t n, k;
    return xn_lines_content(&peek, &s, &n) && xn_token(&s, s + n, &tok, &k) && xn_token_is(tok, k, word);
}

/* The line's first token must be the keyword; *p is left after it. */
xn_status xn_mt_keyword(xn_mt_reader *r, const char *word, const char **p, const char **end)
{
    const char *s, *tok;
    size_t n, k;
    char what[40], q[48];
    snprintf(what, sizeof what, "the '%s' line", word);
    xn_status st = xn_mt_next_line(r, &s, &n, what);
    if (st != XN_OK)
        return st;
    *p = s;
    *end = s + n;
    if (!xn_token(p, *end, &tok, &k) || !xn_token_is(tok, k, word))
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "expected the '%s' line, found '%s'", word,
                       xn_quote(q, sizeof q, s, n));
    return XN_OK;
}

/* Exactly cols numbers in [p, end) into dst (cols of the type), or
 * nowhere if NULL. */
xn_status xn_mt_read_numbers(xn_mt_reader *r, const char *p, const char *end, size_t cols,
                             xn_dtype type, void *dst)
{
    const char *tok;
    size_t k;
    char q[48];
    size_t count = xn_token_count(p, end);
    if (count != cols)
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "expected %zu number%s, found %zu", cols,
                       cols == 1 ? "" : "s", count);
    for (size_t j = 0; xn_token(&p, end, &tok, &k); j++) {
        double v;
        xn_num res = xn_parse_double(tok, k, &v);
        if (res != XN_NUM_OK)
            return xn_fail(r->err, r->t.line, XN_EFORMAT, "%s '%s' in column %zu", xn_num_why(res),
                           xn_quote(q, sizeof q, tok, k), j + 1);
        if (type == XN_FLOAT32 && !xn_fits_float(v))
            return xn_fail(r->err, r->t.line, XN_EFORMAT, "'%s' in column %zu is out of range for float32",
                           xn_quote(q, sizeof q, tok, k), j + 1);
        if (r->nonneg && v < 0.0)
            return xn_fail(r->err, r->t.line, XN_EFORMAT, "'%s' in column %zu is negative: a second moment is a "
                           "mean of squares", xn_quote(q, sizeof q, tok, k), j + 1);
        if (dst && type == XN_FLOAT32)
            ((float *)dst)[j] = (float)v;
        else if (dst)
            ((double *)dst)[j] = v;
    }
    return XN_OK;
}

/* One line of exactly cols numbers. */
xn_status xn_mt_read_row(xn_mt_reader *r, size_t cols, xn_dtype type, void *dst, const char *what)
{
    const char *s;
    size_t n;
    xn_status st = xn_mt_next_line(r, &s, &n, what);
    return st != XN_OK ? st : xn_mt_read_numbers(r, s, s + n, cols, type, dst);
}

/* A line equal, token by token, to the words of want. */
xn_status xn_mt_expect_line(xn_mt_reader *r, const char *want)
{
    char what[80], q[64];
    const char *s;
    size_t n;
    snprintf(what, sizeof what, "'%s'", want);
    xn_status st = xn_mt_next_line(r, &s, &n, what);
    if (st != XN_OK)
        return st;
    const char *p = s, *end = s + n, *tok, *wp = want, *wend = want + strlen(want), *wt;
    size_t k, wk;
    for (;;) {
        bool a = xn_token(&p, end, &tok, &k), b = xn_token(&wp, wend, &wt, &wk);
        if (!a || !b) {
            if (a == b)
                return XN_OK;
            break;
        }
        if (k != wk || memcmp(tok, wt, k) != 0)
            break;
    }
    return xn_fail(r->err, r->t.line, XN_EFORMAT, "expected '%s', found '%s'", want, xn_quote(q, sizeof q, s, n));
}

/* The blocks <prefix>W1 <prefix>b1 ... of a vector laid out as the
 * parameters, into v (nparams of the file's type), or checked and dropped
 * if v is NULL. */
xn_status xn_mt_read_blocks(xn_mt_reader *r, const xn_net *net, const char *prefix, void *v)
{
    char want[80], what[80];
    xn_status st;
    size_t es = r->dtype == XN_FLOAT32 ? sizeof(float) : sizeof(double);
#define AT(off) (v ? (char *)v + (off) * es : NULL)
    for (size_t l = 1; l <= r->L; l++) {
        size_t in = r->sizes[l - 1], out = r->sizes[l];
        snprintf(want, sizeof want, "%sW%zu %zu %zu", prefix, l, in, out);
        if ((st = xn_mt_expect_line(r, want)) != XN_OK)
            return st;
        for (size_t i = 0; i < in; i++) {
            snprintf(what, sizeof what, "row %zu of %sW%zu", i + 1, prefix, l);
            if ((st = xn_mt_read_row(r, out, r->dtype, AT(net->woff[l] + i * out), what)) != XN_OK)
                return st;
        }
        snprintf(want, sizeof want, "%sb%zu %zu", prefix, l, out);
        if ((st = xn_mt_expect_line(r, want)) != XN_OK)
            return st;
        snprintf(what, sizeof what, "the numbers of %sb%zu", prefix, l);
        if ((st = xn_mt_read_row(r, out, r->dtype, AT(net->boff[l]), what)) != XN_OK)
            return st;
    }
#undef AT
    return XN_OK;
}

/* The rest of the text holds at least `numbers` more numbers: each takes a
 * character and a separator (the last may go without). */
bool xn_mt_room_for(const xn_mt_reader *r, size_t numbers)
{
    return numbers == 0 || r->t.len - r->t.pos >= 2 * numbers - 1;
}

/* A whole number after its key: "<key> <value>" at *p. */
xn_status xn_mt_read_key_size(xn_mt_reader *r, const char **p, const char *end, const char *key, size_t max,
                               size_t *out)
{
    const char *tok;
    size_t k;
    char q[48];
    if (!xn_token(p, end, &tok, &k) || !xn_token_is(tok, k, key))
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "expected '%s'", key);
    if (!xn_token(p, end, &tok, &k) || xn_parse_size(tok, k, max, out) != XN_NUM_OK)
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "bad %s '%s'", key,
                       xn_quote(q, sizeof q, tok, tok ? k : 0));
    return XN_OK;
}

/* A number after its key: "<key> <value>" at *p (infinity allowed for a
 * best loss not met yet, as the word inf). */
xn_status xn_mt_read_key_double(xn_mt_reader *r, const char **p, const char *end, const char *key,
                                 double *out)
{
    const char *tok;
    size_t k;
    char q[48];
    if (!xn_token(p, end, &tok, &k) || !xn_token_is(tok, k, key))
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "expected '%s'", key);
    if (!xn_token(p, end, &tok, &k))
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "missing the value of %s", key);
    if (xn_token_is(tok, k, "inf")) {
        *out = INFINITY;
        return XN_OK;
    }
    if (xn_parse_double(tok, k, out) != XN_NUM_OK)
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "bad %s '%s'", key, xn_quote(q, sizeof q, tok, k));
    return XN_OK;
}

/* %.17g reads back as the same double and %.9g as the same float; the
 * decimal point is '.' whatever the host's LC_NUMERIC (text.h). */
void xn_mt_write_row(FILE *f, xn_dtype type, const void *v, size_t n)
{
    char b[XN_DOUBLE_CHARS];
    for (size_t j = 0; j < n; j++) {
        if (j)
            fputc(' ', f);
        if (type == XN_FLOAT32)
            fputs(xn_format_float(b, ((const float *)v)[j]), f);
        else
            fputs(xn_format_double(b, ((const double *)v)[j]), f);
    }
    fputc('\n', f);
}

/* A vector laid out as the parameters, as blocks <prefix>W1 .. <prefix>bL. */
void xn_mt_write_blocks(FILE *f, const xn_net *net, const char *prefix, const void *v)
{
    const char *c = v;
    size_t es = net->engine->size;
    for (size_t l = 1; l <= net->L; l++) {
        size_t in = net->sizes[l - 1], out = net->sizes[l];
        fprintf(f, "%sW%zu %zu %zu\n", prefix, l, in, out);
        for (size_t i = 0; i < in; i++)
            xn_mt_write_row(f, net->dtype, c + (net->woff[l] + i * out) * es, out);
        fprintf(f, "%sb%zu %zu\n", prefix, l, out);
        xn_mt_write_row(f, net->dtype, c + net->boff[l] * es, out);
    }
}

