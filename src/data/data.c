/* Data files as numbers: FANN's training-data format, class ids (one
 * target column of whole numbers turned into one-hot targets, checked line
 * by line), and the older calls (xn_data_load, xn_data_parse, the class-id
 * readers) over read.c's CSV reader.  Both readers work line by line on a
 * text in memory, never read past its length, and size their arrays by
 * what they have read, not by counts in the file, so the memory used is
 * bounded by the text's length.  A text must end in a newline: one cut
 * inside its last row is refused. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data_impl.h"

/* A growing vector of the numbers read so far, row-major (rows, in + out),
 * and of the line each row starts on. */
typedef struct {
    double *v;
    size_t n, cap;
    size_t *line;
    size_t rows, line_cap;
} values;

void *xn_room(void *buf, size_t *cap, size_t n, size_t size, size_t first)
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

bool xn_push(void *bufp, size_t *n, size_t *cap, const void *item, size_t size, size_t first)
{
    void *buf;
    memcpy(&buf, bufp, sizeof buf); /* *bufp is a T *: its bytes, whatever T */
    void *grown = xn_room(buf, cap, *n, size, first);
    if (!grown)
        return false;
    memcpy((char *)grown + *n * size, item, size);
    memcpy(bufp, &grown, sizeof grown);
    (*n)++;
    return true;
}

static bool push(values *a, double x)
{
    return xn_push(&a->v, &a->n, &a->cap, &x, sizeof x, 256);
}

static bool push_line(values *a, size_t line)
{
    return xn_push(&a->line, &a->rows, &a->line_cap, &line, sizeof line, 64);
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

/* ---- FANN -------------------------------------------------------------- */

bool xn_fann_first_line(const char *s, size_t n)
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
                            size_t *in, size_t *out, size_t **out_lines)
{
    const char *s, *p, *end, *tok;
    size_t n, k, c[3], lines_cap = 0;
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
        if ((st = fann_row(t, c[2], "output", i + 1, c[0], vals, err)) != XN_OK)
            return st;
        size_t pairs = i;
        if (out_lines && !xn_push(out_lines, &pairs, &lines_cap, &t->line, sizeof t->line, 64))
            return no_memory(err);
    }
    if (xn_lines_content(t, &s, &n))
        return xn_fail(err, t->line, XN_EFORMAT, "more than the %zu pair%s the first line declares", c[0],
                       c[0] == 1 ? "" : "s");
    *rows = c[0];
    *in = c[1];
    *out = c[2];
    return XN_OK;
}

xn_status xn_fann_parse(xn_lines *t, size_t outputs, xn_data *d, size_t **out_lines, xn_error *err)
{
    values vals = {NULL, 0, 0, NULL, 0, 0};
    size_t rows = 0, in = 0, out = 0;
    xn_status st = parse_fann(t, outputs, err, &vals, &rows, &in, &out, out_lines);
    double *x = st == XN_OK ? malloc(rows * in * sizeof *x) : NULL;
    double *y = st == XN_OK ? malloc(rows * out * sizeof *y) : NULL;
    if (st == XN_OK && (!x || !y))
        st = no_memory(err);
    /* split the rows (rows, in + out) into x (rows, in) and y (rows, out) */
    for (size_t i = 0; st == XN_OK && i < rows; i++) {
        const double *row = vals.v + i * (in + out);
        memcpy(x + i * in, row, in * sizeof *x);
        memcpy(y + i * out, row + in, out * sizeof *y);
    }
    free(vals.v);
    if (st != XN_OK) {
        free(x);
        free(y);
        free(vals.line);
        if (out_lines) {
            free(*out_lines);
            *out_lines = NULL;
        }
        return st;
    }
    *d = (xn_data){.n = rows, .in = in, .out = out, .x = x, .y = y, .line = vals.line};
    return XN_OK;
}

/* ---- the older calls: numbers as they are ------------------------------- */

/* text read as numbers: a CSV's last `outputs` columns (1 for
 * XN_OUTPUTS_DEFAULT, none for 0) or a FANN file's own split; with
 * target_lines, the line each row's targets are on. */
static xn_status parse_numbers(xn_data *d, const char *text, size_t len, size_t outputs, size_t **target_lines,
                               xn_error *err)
{
    xn_read_opts o = {.outputs = outputs == XN_OUTPUTS_DEFAULT ? 0 : outputs};
    xn_read_mode m = {.o = &o, .raw = true, .no_targets = outputs == 0, .target_lines = target_lines};
    xn_description desc;
    xn_status st = xn_read_text(d, &desc, text, len, &m, err);
    xn_description_free(&desc);
    return st;
}

xn_status xn_data_parse(xn_data *d, const char *text, size_t len, size_t outputs, xn_error *err)
{
    return parse_numbers(d, text, len, outputs, NULL, err);
}

/* parse_numbers' arguments, for xn_parse_file. */
typedef struct {
    xn_data *d;
    size_t outputs;
    size_t **target_lines;
} numbers_of;

static xn_status parse_into(const char *text, size_t len, void *ctx, xn_error *err)
{
    numbers_of *a = ctx;
    return parse_numbers(a->d, text, len, a->outputs, a->target_lines, err);
}

/* The file at path read by parse_numbers. */
static xn_status load_numbers(xn_data *d, const char *path, size_t outputs, size_t **target_lines, xn_error *err)
{
    xn_error_clear(err);
    if (!d)
        return xn_fail(err, 0, XN_EINVAL, "no place for the data");
    memset(d, 0, sizeof *d);
    numbers_of a = {d, outputs, target_lines};
    return xn_parse_file(path, parse_into, &a, err);
}

xn_status xn_data_load(xn_data *d, const char *path, size_t outputs, xn_error *err)
{
    return load_numbers(d, path, outputs, NULL, err);
}

/* d's one target column as class ids, each checked at its line (lines),
 * made one-hot; or d emptied.  Frees lines. */
static xn_status ids_to_onehot(xn_data *d, xn_status st, size_t *lines, size_t classes, xn_error *err)
{
    class_ids ids = {classes, 0};
    if (st == XN_OK && d->out != 1)
        st = xn_fail(err, d->line ? d->line[0] : 0, XN_EFORMAT, "%zu target columns, not one column of class ids",
                     d->out);
    for (size_t i = 0; st == XN_OK && i < d->n; i++)
        st = check_id(&ids, d->y[i], lines ? lines[i] : 0, i + 1, err);
    free(lines);
    if (st == XN_OK)
        st = to_onehot(d, classes ? classes : ids.count, err);
    if (st != XN_OK)
        xn_data_free(d);
    return st;
}

static xn_status too_many_classes(xn_data *d, size_t classes, xn_error *err)
{
    if (d)
        memset(d, 0, sizeof *d);
    return xn_fail(err, 0, XN_EINVAL, "%zu classes are more than the limit of %zu", classes, XN_DATA_MAX_CLASSES);
}

xn_status xn_data_parse_classes(xn_data *d, const char *text, size_t len, size_t classes, xn_error *err)
{
    if (classes > XN_DATA_MAX_CLASSES)
        return too_many_classes(d, classes, err);
    size_t *lines = NULL;
    xn_status st = parse_numbers(d, text, len, 1, &lines, err);
    return ids_to_onehot(d, st, lines, classes, err);
}

xn_status xn_data_load_classes(xn_data *d, const char *path, size_t classes, xn_error *err)
{
    if (classes > XN_DATA_MAX_CLASSES)
        return too_many_classes(d, classes, err);
    size_t *lines = NULL;
    xn_status st = load_numbers(d, path, 1, &lines, err);
    return ids_to_onehot(d, st, lines, classes, err);
}

xn_status xn_data_classes_to_onehot(xn_data *d, size_t classes, xn_error *err)
{
    xn_error_clear(err);
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
