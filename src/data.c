/* Training data files: CSV (targets in the last columns) and FANN's
 * training-data format, told apart by the first line (docs/data-format.md).
 * Both readers work line by line on a text in memory, never read past its
 * length, and size their arrays by what they have read, not by counts in
 * the file, so the memory used is bounded by the text's length. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "text.h"

/* A growing vector of the numbers read so far, row-major (rows, in + out). */
typedef struct {
    double *v;
    size_t n, cap;
} values;

static bool push(values *a, double x)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 256;
        if (cap > SIZE_MAX / sizeof *a->v)
            return false;
        double *v = realloc(a->v, cap * sizeof *v);
        if (!v)
            return false;
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = x;
    return true;
}

static xn_status no_memory(xn_error *err) { return xn_fail(err, 0, XN_ENOMEM, "out of memory"); }

/* ---- CSV --------------------------------------------------------------- */

/* [s, s+n) without blanks at either end. */
static void trim(const char **s, size_t *n)
{
    while (*n && xn_is_blank(**s))
        (*s)++, (*n)--;
    while (*n && xn_is_blank((*s)[*n - 1]))
        (*n)--;
}

/* The fields of a line: how many, how many strtod reads (finite or not),
 * whether any holds a letter, and the first bad field's column (1-based, 0
 * if every field is a finite number) and why. */
typedef struct {
    size_t count, bad_col, readable;
    bool letters;
    xn_num bad_why;
    const char *bad_tok;
    size_t bad_len;
} fields;

/* Also pushes every field's value onto vals (0 for an unreadable one): the
 * caller takes them back, by resetting vals->n, for a header or a bad line,
 * so each field is converted once.  False if memory runs out. */
static bool scan_fields(const char *s, size_t n, fields *f, values *vals)
{
    memset(f, 0, sizeof *f);
    const char *end = s + n;
    for (const char *p = s;;) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *fe = comma ? comma : end;
        const char *tok = p;
        size_t k = (size_t)(fe - p);
        trim(&tok, &k);
        double v = 0.0;
        xn_num r = xn_parse_double(tok, k, &v);
        if (!push(vals, r == XN_NUM_OK ? v : 0.0))
            return false;
        f->count++;
        if (r != XN_NUM_BAD && r != XN_NUM_LONG)
            f->readable++;
        for (size_t i = 0; i < k; i++)
            if ((tok[i] >= 'a' && tok[i] <= 'z') || (tok[i] >= 'A' && tok[i] <= 'Z'))
                f->letters = true;
        if (r != XN_NUM_OK && !f->bad_col) {
            f->bad_col = f->count;
            f->bad_why = r;
            f->bad_tok = tok;
            f->bad_len = k;
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    return true;
}

static xn_status parse_csv(xn_lines *t, size_t outputs, xn_error *err, values *vals, size_t *rows,
                           size_t *cols)
{
    const char *s;
    size_t n, first_line = 0;
    char q[48];
    *rows = 0;
    *cols = 0;
    while (xn_lines_content(t, &s, &n)) {
        /* '#' starts a comment anywhere on a line */
        const char *hash = memchr(s, '#', n);
        if (hash)
            n = (size_t)(hash - s);
        fields f;
        size_t mark = vals->n;
        if (!scan_fields(s, n, &f, vals))
            return no_memory(err);
        bool header = false;
        if (!first_line) {
            first_line = t->line;
            *cols = f.count;
            /* a header row: no field reads as a number and some field has
             * a letter (so "1 2 3" is a mistake, not a header) */
            header = f.readable == 0 && f.letters;
        } else if (f.count != *cols) {
            return xn_fail(err, t->line, XN_EFORMAT, "expected %zu columns (as on line %zu), found %zu",
                           *cols, first_line, f.count);
        }
        if (f.bad_col && !header) {
            if (f.bad_len == 0)
                return xn_fail(err, t->line, XN_EFORMAT, "empty field in column %zu", f.bad_col);
            return xn_fail(err, t->line, XN_EFORMAT, "%s '%s' in column %zu", xn_num_why(f.bad_why),
                           xn_quote(q, sizeof q, f.bad_tok, f.bad_len), f.bad_col);
        }
        if (t->line == first_line && f.count <= outputs)
            return xn_fail(err, t->line, XN_EFORMAT, "%zu column%s, but %zu target column%s leave%s no input",
                           f.count, f.count == 1 ? "" : "s", outputs, outputs == 1 ? "" : "s",
                           outputs == 1 ? "s" : "");
        if (header) {
            vals->n = mark;
            continue;
        }
        (*rows)++;
    }
    if (*rows == 0)
        return xn_fail(err, xn_lines_end_line(t), XN_EFORMAT, first_line ? "no data rows after the header"
                                                                         : "no data rows");
    return XN_OK;
}

/* ---- FANN -------------------------------------------------------------- */

/* The first content line of a FANN file: three whole numbers, no commas. */
static bool fann_first_line(const char *s, size_t n)
{
    const char *p = s, *end = s + n, *tok;
    size_t k, count = 0;
    if (memchr(s, ',', n))
        return false;
    while (xn_token(&p, end, &tok, &k)) {
        for (size_t i = 0; i < k; i++)
            if (tok[i] < '0' || tok[i] > '9')
                return false;
        count++;
    }
    return count == 3;
}

/* One line of exactly want numbers, pushed onto vals. */
static xn_status fann_row(xn_lines *t, size_t want, const char *what, size_t pair, size_t pairs,
                          values *vals, xn_error *err)
{
    const char *s, *tok;
    size_t n, k;
    char q[48];
    if (!xn_lines_content(t, &s, &n))
        return xn_fail(err, xn_lines_end_line(t), XN_EFORMAT,
                       "unexpected end of file; expected the %s of pair %zu of %zu", what, pair, pairs);
    const char *p = s, *end = s + n;
    size_t count = xn_token_count(p, end);
    if (count != want)
        return xn_fail(err, t->line, XN_EFORMAT, "expected %zu %s number%s (pair %zu), found %zu", want,
                       what, want == 1 ? "" : "s", pair, count);
    for (size_t j = 0; xn_token(&p, end, &tok, &k); j++) {
        double v;
        xn_num r = xn_parse_double(tok, k, &v);
        if (r != XN_NUM_OK)
            return xn_fail(err, t->line, XN_EFORMAT, "%s '%s' in column %zu", xn_num_why(r),
                           xn_quote(q, sizeof q, tok, k), j + 1);
        if (!push(vals, v))
            return no_memory(err);
    }
    return XN_OK;
}

static xn_status parse_fann(xn_lines *t, size_t outputs, xn_error *err, values *vals, size_t *rows,
                            size_t *in, size_t *out)
{
    const char *s, *p, *end, *tok;
    size_t n, k, c[3];
    static const char *const names[] = {"pair count", "input count", "output count"};
    char q[48];
    xn_lines_content(t, &s, &n); /* the caller saw it is there */
    p = s;
    end = s + n;
    for (int i = 0; i < 3; i++) {
        xn_token(&p, end, &tok, &k);
        xn_num r = xn_parse_size(tok, k, i == 0 ? SIZE_MAX : INT_MAX, &c[i]);
        if (r != XN_NUM_OK)
            return xn_fail(err, t->line, XN_EFORMAT, "%s '%s' is over the limit", names[i],
                           xn_quote(q, sizeof q, tok, k));
        if (c[i] == 0)
            return xn_fail(err, t->line, XN_EFORMAT,
                           "the %s is 0 (the line is read as FANN's 'pairs inputs outputs')", names[i]);
    }
    if (outputs && outputs != c[2])
        return xn_fail(err, t->line, XN_EFORMAT, "the file has %zu output%s a pair, but %zu %s asked for",
                       c[2], c[2] == 1 ? "" : "s", outputs, outputs == 1 ? "was" : "were");
    for (size_t i = 0; i < c[0]; i++) {
        xn_status st;
        if ((st = fann_row(t, c[1], "input", i + 1, c[0], vals, err)) != XN_OK ||
            (st = fann_row(t, c[2], "output", i + 1, c[0], vals, err)) != XN_OK)
            return st;
    }
    if (xn_lines_content(t, &s, &n))
        return xn_fail(err, t->line, XN_EFORMAT, "more than the %zu pair%s the first line declares", c[0],
                       c[0] == 1 ? "" : "s");
    *rows = c[0];
    *in = c[1];
    *out = c[2];
    return XN_OK;
}

/* ---- both -------------------------------------------------------------- */

xn_status xn_data_parse(xn_data *d, const char *text, size_t len, size_t outputs, xn_error *err)
{
    if (err) {
        err->line = 0;
        err->msg[0] = '\0';
    }
    if (!d)
        return xn_fail(err, 0, XN_EINVAL, "no place for the data");
    memset(d, 0, sizeof *d);
    if (!text && len)
        return xn_fail(err, 0, XN_EINVAL, "no text");
    xn_lines t, peek;
    xn_lines_init(&t, text, len);
    peek = t;
    const char *s;
    size_t n;
    if (!xn_lines_content(&peek, &s, &n))
        return xn_fail(err, xn_lines_end_line(&peek), XN_EFORMAT, "no data");
    values vals = {NULL, 0, 0};
    size_t rows = 0, in = 0, out = 0;
    xn_status st;
    bool fann = fann_first_line(s, n);
    if (outputs == XN_OUTPUTS_DEFAULT) /* FANN files say; CSV has one */
        outputs = fann ? 0 : 1;
    if (fann) {
        st = parse_fann(&t, outputs, err, &vals, &rows, &in, &out);
    } else {
        size_t cols;
        st = parse_csv(&t, outputs, err, &vals, &rows, &cols);
        in = cols - outputs;
        out = outputs;
    }
    if (st != XN_OK) {
        free(vals.v);
        return st;
    }
    /* split the rows (rows, in + out) into x (rows, in) and y (rows, out) */
    double *x = malloc(rows * in * sizeof *x);
    double *y = out ? malloc(rows * out * sizeof *y) : NULL;
    if (!x || (out && !y)) {
        free(x);
        free(y);
        free(vals.v);
        return no_memory(err);
    }
    for (size_t i = 0; i < rows; i++) {
        const double *row = vals.v + i * (in + out);
        memcpy(x + i * in, row, in * sizeof *x);
        if (out)
            memcpy(y + i * out, row + in, out * sizeof *y);
    }
    free(vals.v);
    d->n = rows;
    d->in = in;
    d->out = out;
    d->x = x;
    d->y = y;
    return XN_OK;
}

xn_status xn_data_load(xn_data *d, const char *path, size_t outputs, xn_error *err)
{
    if (err) {
        err->line = 0;
        err->msg[0] = '\0';
    }
    if (!d)
        return xn_fail(err, 0, XN_EINVAL, "no place for the data");
    memset(d, 0, sizeof *d);
    if (!path)
        return xn_fail(err, 0, XN_EINVAL, "no path");
    char *text;
    size_t len;
    xn_status st = xn_read_file(path, XN_TEXT_MAX_FILE, &text, &len, err);
    if (st != XN_OK)
        return st;
    st = xn_data_parse(d, text, len, outputs, err);
    free(text);
    return st;
}

void xn_data_free(xn_data *d)
{
    if (!d)
        return;
    free(d->x);
    free(d->y);
    memset(d, 0, sizeof *d);
}

static const double xor_x[8] = {0, 0, 0, 1, 1, 0, 1, 1};
static const double xor_y[4] = {0, 1, 1, 0};

const double *xn_xor_inputs(void) { return xor_x; }
const double *xn_xor_targets(void) { return xor_y; }
