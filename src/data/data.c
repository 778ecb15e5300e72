/* Training data files: CSV (targets in the last columns) and FANN's
 * training-data format, told apart by the first line (docs/data-format.md).
 * Both readers work line by line on a text in memory, never read past its
 * length, and size their arrays by what they have read, not by counts in
 * the file, so the memory used is bounded by the text's length.  A text
 * must end in a newline: one cut inside its last row is refused.  Also
 * class ids: one target column of whole numbers turned into one-hot
 * targets, checked line by line as the file is read or row by row in
 * memory. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/engine/internal.h"
#include "src/util/text.h"

/* A growing vector of the numbers read so far, row-major (rows, in + out),
 * and of the line each row starts on. */
typedef struct {
    double *v;
    size_t n, cap;
    size_t *line;
    size_t rows, line_cap;
} values;

/* buf (*cap items of size bytes, n of them in use) with room for one more:
 * buf itself, or a block twice as large (first items at the start); NULL
 * when memory or size_t runs out, buf then as it was. */
static void *room(void *buf, size_t *cap, size_t n, size_t size, size_t first)
{
    if (n < *cap)
        return buf;
    size_t c = *cap ? *cap * 2 : first;
    if (c > SIZE_MAX / size)
        return NULL;
    void *p = realloc(buf, c * size);
    if (p)
        *cap = c;
    return p;
}

static bool push(values *a, double x)
{
    double *v = room(a->v, &a->cap, a->n, sizeof *v, 256);
    if (!v)
        return false;
    a->v = v;
    a->v[a->n++] = x;
    return true;
}

static bool push_line(values *a, size_t line)
{
    size_t *l = room(a->line, &a->line_cap, a->rows, sizeof *l, 64);
    if (!l)
        return false;
    a->line = l;
    a->line[a->rows++] = line;
    return true;
}

static xn_status no_memory(xn_error *err) { return xn_fail(err, 0, XN_ENOMEM, "out of memory"); }

/* ---- class ids --------------------------------------------------------- */

/* The class ids seen so far: K asked for (0: the largest id + 1) and the
 * largest id + 1 so far. */
typedef struct {
    size_t classes;
    size_t count;
} class_ids;

/* v must be a whole number in [0, K), or below XN_DATA_MAX_CLASSES when K
 * is not given.  The failure names the line, or the 1-based row when line
 * is 0. */
static xn_status check_id(class_ids *ids, double v, size_t line, size_t row, xn_error *err)
{
    const char *why = NULL;
    size_t limit = ids->classes ? ids->classes : XN_DATA_MAX_CLASSES;
    char lim[64] = "";
    if (v != floor(v)) {
        why = "is not a whole number";
    } else if (v < 0) {
        why = "is negative";
    } else if (v >= (double)limit) {
        snprintf(lim, sizeof lim, "is not below %s %zu classes", ids->classes ? "the" : "the limit of",
                 limit);
        why = lim;
    }
    if (!why) {
        if ((size_t)v + 1 > ids->count)
            ids->count = (size_t)v + 1;
        return XN_OK;
    }
    /* %.15g: short, and exact for every whole number a double holds to 15 digits */
    if (line)
        return xn_fail(err, line, XN_EFORMAT, "class id %.15g %s", v, why);
    return xn_fail(err, 0, XN_EFORMAT, "row %zu: class id %.15g %s", row, v, why);
}

/* Replaces the checked one-column ids of d with one-hot targets (n, k). */
static xn_status to_onehot(xn_data *d, size_t k, xn_error *err)
{
    size_t values;
    if (!xn_mul_ok(d->n, k, &values) || values > XN_DATA_MAX_VALUES)
        return xn_fail(err, 0, XN_EFORMAT, "one-hot targets of %zu rows x %zu classes are more than the "
                       "limit of %zu values", d->n, k, XN_DATA_MAX_VALUES);
    double *y = calloc(values, sizeof *y);
    if (!y)
        return no_memory(err);
    for (size_t i = 0; i < d->n; i++)
        y[i * k + (size_t)d->y[i]] = 1.0;
    free(d->y);
    d->y = y;
    d->out = k;
    return XN_OK;
}

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

/* The separator a line read as one CSV field seems to use instead of
 * commas, or NULL: a file of "0;1;1" or "0<tab>1<tab>1" rows fails on its
 * first line, and the message should say why. */
static const char *other_separator(const char *s, size_t n)
{
    trim(&s, &n);
    if (memchr(s, ';', n))
        return "semicolons";
    if (memchr(s, '\t', n))
        return "tabs";
    if (memchr(s, ' ', n))
        return "spaces";
    return NULL;
}

static xn_status parse_csv(xn_lines *t, size_t outputs, class_ids *ids, xn_error *err, values *vals,
                           size_t *rows, size_t *cols)
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
        const char *sep = f.count == 1 ? other_separator(s, n) : NULL;
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
        if (sep && ((f.bad_col && !header) || (t->line == first_line && outputs > 0)))
            return xn_fail(err, t->line, XN_EFORMAT, "fields are separated by %s, not commas: '%s'", sep,
                           xn_quote(q, sizeof q, f.bad_tok ? f.bad_tok : s, f.bad_tok ? f.bad_len : n));
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
        xn_status st;
        if (ids && (st = check_id(ids, vals->v[vals->n - 1], t->line, 0, err)) != XN_OK)
            return st;
        if (!push_line(vals, t->line))
            return no_memory(err);
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

static xn_status parse_fann(xn_lines *t, size_t outputs, class_ids *ids, xn_error *err, values *vals,
                            size_t *rows, size_t *in, size_t *out)
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
            return xn_fail(err, t->line, XN_EFORMAT, "the %s is 0", names[i]);
    }
    if (outputs && outputs != c[2])
        return xn_fail(err, t->line, XN_EFORMAT, "the file has %zu output%s a pair, but %zu %s asked for",
                       c[2], c[2] == 1 ? "" : "s", outputs, outputs == 1 ? "was" : "were");
    for (size_t i = 0; i < c[0]; i++) {
        xn_status st;
        if ((st = fann_row(t, c[1], "input", i + 1, c[0], vals, err)) != XN_OK)
            return st;
        if (!push_line(vals, t->line))
            return no_memory(err);
        if (
            (st = fann_row(t, c[2], "output", i + 1, c[0], vals, err)) != XN_OK)
            return st;
        if (ids && (st = check_id(ids, vals->v[vals->n - 1], t->line, 0, err)) != XN_OK)
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

/* Either format; with ids, the one target column holds class ids, checked
 * as each line is read. */
static xn_status parse_data(xn_data *d, const char *text, size_t len, size_t outputs, class_ids *ids,
                            xn_error *err)
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
    values vals = {NULL, 0, 0, NULL, 0, 0};
    size_t rows = 0, in = 0, out = 0;
    xn_status st;
    bool fann = fann_first_line(s, n);
    if (outputs == XN_OUTPUTS_DEFAULT) /* FANN files say; CSV has one */
        outputs = fann ? 0 : 1;
    if (fann) {
        st = parse_fann(&t, outputs, ids, err, &vals, &rows, &in, &out);
        /* a CSV or TSV row of three whole numbers also reads as FANN's
         * first line: say that this was the guess */
        if (st == XN_EFORMAT && err) {
            size_t used = strlen(err->msg);
            snprintf(err->msg + used, sizeof err->msg - used, " (read as FANN: line %zu is three whole numbers)",
                     peek.line);
        }
    } else {
        size_t cols;
        st = parse_csv(&t, outputs, ids, err, &vals, &rows, &cols);
        in = cols - outputs;
        out = outputs;
    }
    if (st == XN_OK)
        st = xn_lines_check_end(&t, err);
    if (st != XN_OK) {
        free(vals.v);
        free(vals.line);
        return st;
    }
    /* split the rows (rows, in + out) into x (rows, in) and y (rows, out) */
    double *x = malloc(rows * in * sizeof *x);
    double *y = out ? malloc(rows * out * sizeof *y) : NULL;
    if (!x || (out && !y)) {
        free(x);
        free(y);
        free(vals.v);
        free(vals.line);
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
    d->line = vals.line; /* one a row: a FANN file's rows are all there */
    return XN_OK;
}

xn_status xn_data_parse(xn_data *d, const char *text, size_t len, size_t outputs, xn_error *err)
{
    return parse_data(d, text, len, outputs, NULL, err);
}

/* The file at path read by parse_data. */
static xn_status load_data(xn_data *d, const char *path, size_t outputs, class_ids *ids, xn_error *err)
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
    st = parse_data(d, text, len, outputs, ids, err);
    free(text);
    return st;
}

xn_status xn_data_load(xn_data *d, const char *path, size_t outputs, xn_error *err)
{
    return load_data(d, path, outputs, NULL, err);
}

/* The ids read by parse_data become one-hot targets, or d is emptied. */
static xn_status finish_classes(xn_data *d, xn_status st, const class_ids *ids, xn_error *err)
{
    if (st == XN_OK)
        st = to_onehot(d, ids->classes ? ids->classes : ids->count, err);
    if (st != XN_OK)
        xn_data_free(d);
    return st;
}

xn_status xn_data_parse_classes(xn_data *d, const char *text, size_t len, size_t classes, xn_error *err)
{
    if (classes > XN_DATA_MAX_CLASSES) {
        if (d)
            memset(d, 0, sizeof *d);
        return xn_fail(err, 0, XN_EINVAL, "%zu classes are more than the limit of %zu", classes,
                       XN_DATA_MAX_CLASSES);
    }
    class_ids ids = {classes, 0};
    return finish_classes(d, parse_data(d, text, len, 1, &ids, err), &ids, err);
}

xn_status xn_data_load_classes(xn_data *d, const char *path, size_t classes, xn_error *err)
{
    if (classes > XN_DATA_MAX_CLASSES) {
        if (d)
            memset(d, 0, sizeof *d);
        return xn_fail(err, 0, XN_EINVAL, "%zu classes are more than the limit of %zu", classes,
                       XN_DATA_MAX_CLASSES);
    }
    class_ids ids = {classes, 0};
    return finish_classes(d, load_data(d, path, 1, &ids, err), &ids, err);
}

xn_status xn_data_classes_to_onehot(xn_data *d, size_t classes, xn_error *err)
{
    if (err) {
        err->line = 0;
        err->msg[0] = '\0';
    }
    if (!d || !d->y || d->n == 0)
        return xn_fail(err, 0, XN_EINVAL, "no targets to convert");
    if (d->out != 1)
        return xn_fail(err, 0, XN_EINVAL, "%zu target columns, not one column of class ids", d->out);
    if (classes > XN_DATA_MAX_CLASSES)
        return xn_fail(err, 0, XN_EINVAL, "%zu classes are more than the limit of %zu", classes,
                       XN_DATA_MAX_CLASSES);
    class_ids ids = {classes, 0};
    for (size_t i = 0; i < d->n; i++) {
        xn_status st = check_id(&ids, d->y[i], 0, i + 1, err);
        if (st != XN_OK)
            return st;
    }
    return to_onehot(d, classes ? classes : ids.count, err);
}

size_t xn_data_class_count(const xn_data *d)
{
    if (!d || !d->y || d->n == 0 || d->out != 1)
        return 0;
    class_ids ids = {0, 0};
    for (size_t i = 0; i < d->n; i++)
        if (check_id(&ids, d->y[i], 0, i + 1, NULL) != XN_OK)
            return 0;
    return ids.count;
}

void xn_data_free(xn_data *d)
{
    if (!d)
        return;
    free(d->x);
    free(d->y);
    free(d->line);
    memset(d, 0, sizeof *d);
}

static const double xor_x[8] = {0, 0, 0, 1, 1, 0, 1, 1};
static const double xor_y[4] = {0, 1, 1, 0};

const double *xn_xor_inputs(void) { return xor_x; }
const double *xn_xor_targets(void) { return xor_y; }
