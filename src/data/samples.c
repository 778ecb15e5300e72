/* The readers of the approximation solver's input (include/xornet/
 * approx.h): samples "x,f" one a line, and knots one a line.  Strict, like
 * the model and data readers beside them (io.c, data.c), with which they
 * share the line splitter, the number parser and the messages (text.c). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "src/engine/internal.h"
#include "src/util/text.h"
#include "xornet/approx.h"

/* The values read so far: x (cap), f (cap) when there are 2 columns, and
 * line (cap) when the caller asks for lines. */
typedef struct {
    double *x, *f;
    size_t *line;
    size_t count, cap, columns;
    bool lines;
} value_vec;

static bool vec_push(value_vec *v, const double *vals, size_t line)
{
    if (v->count == v->cap) {
        size_t cap = v->cap ? v->cap : 64, bytes;
        if ((v->cap && !xn_mul_ok(v->cap, 2, &cap)) || !xn_mul_ok(cap, sizeof(double), &bytes) ||
            !xn_mul_ok(cap, sizeof(size_t), &bytes))
            return false;
        /* each array is kept as soon as it has grown, so nothing leaks */
        double *nx = realloc(v->x, cap * sizeof *nx);
        if (!nx)
            return false;
        v->x = nx;
        if (v->columns == 2) {
            double *nf = realloc(v->f, cap * sizeof *nf);
            if (!nf)
                return false;
            v->f = nf;
        }
        if (v->lines) {
            size_t *nl = realloc(v->line, cap * sizeof *nl);
            if (!nl)
                return false;
            v->line = nl;
        }
        v->cap = cap;
    }
    v->x[v->count] = vals[0];
    if (v->columns == 2)
        v->f[v->count] = vals[1];
    if (v->lines)
        v->line[v->count] = line;
    v->count++;
    return true;
}

static void vec_free(value_vec *v)
{
    free(v->x);
    free(v->f);
    free(v->line);
}

/* [s, s + n) without blanks at either end. */
static void trim(const char **s, size_t *n)
{
    while (*n && xn_is_blank(**s))
        (*s)++, (*n)--;
    while (*n && xn_is_blank((*s)[*n - 1]))
        (*n)--;
}

/* A header's first field is a word: some byte no decimal number has, or no
 * digit at all ("x", "time"), and not a spelling of a number that strtod
 * reads ("inf", "NaN", "0x10"), which is a bad sample, not a header.
 * "1.2.3" or "1e400" is a bad number too, so a broken first sample is never
 * skipped silently. */
static bool is_header_word(const char *tok, size_t n)
{
    bool digit = false, word = false;
    for (size_t i = 0; i < n && !word; i++) {
        char c = tok[i];
        if (c >= '0' && c <= '9')
            digit = true;
        else if (c != '.' && c != '+' && c != '-' && c != 'e' && c != 'E')
            word = true;
    }
    if (!word && (n == 0 || digit))
        return false;
    char buf[XN_TEXT_MAX_TOKEN + 1], *end;
    if (n > XN_TEXT_MAX_TOKEN)
        return true;
    memcpy(buf, tok, n);
    buf[n] = '\0';
    errno = 0;
    (void)strtod(buf, &end);
    return end != buf + n;
}

/* A trimmed field as a finite decimal number. */
static xn_status number_field(const char *tok, size_t n, size_t line, double *out, xn_error *err)
{
    char q[48];
    if (n == 0)
        return xn_fail(err, line, XN_EFORMAT, "empty field");
    xn_num r = xn_parse_double(tok, n, out);
    if (r != XN_NUM_OK)
        return xn_fail(err, line, XN_EFORMAT, "%s '%s'", xn_num_why(r),
                       xn_quote(q, sizeof q, tok, n));
    return XN_OK;
}

/* One content line [s, s + n) of line number `line` with v->columns
 * comma-separated numbers, pushed onto v; or (when header_ok) a header
 * skipped. */
static xn_status value_line(const char *s, size_t n, size_t line, bool header_ok, value_vec *v,
                            xn_error *err)
{
    const char *end = s + n, *comma = memchr(s, ',', n);
    size_t fields = 1, want = v->columns;
    for (const char *p = s; p < end; p++)
        fields += *p == ',';
    const char *t1 = s;
    size_t n1 = comma ? (size_t)(comma - s) : n;
    trim(&t1, &n1);
    if (header_ok && is_header_word(t1, n1)) {
        if (fields != want)
            return xn_fail(err, line, XN_EFORMAT, "header has %zu column%s, expected %s",
                           fields, fields == 1 ? "" : "s", want == 2 ? "2 (x,f)" : "1");
        return XN_OK;
    }
    if (fields != want)
        return want == 2 ? xn_fail(err, line, XN_EFORMAT,
                                   "expected 2 numbers separated by a comma, found %zu field%s",
                                   fields, fields == 1 ? "" : "s")
                         : xn_fail(err, line, XN_EFORMAT,
                                   "expected one knot a line, found %zu fields", fields);
    double vals[2];
    xn_status st = number_field(t1, n1, line, &vals[0], err);
    if (st == XN_OK && want == 2) {
        const char *t2 = comma + 1;
        size_t n2 = (size_t)(end - t2);
        trim(&t2, &n2);
        st = number_field(t2, n2, line, &vals[1], err);
    }
    if (st == XN_OK && !vec_push(v, vals, line))
        st = xn_fail(err, line, XN_ENOMEM, "out of memory after %zu values", v->count);
    return st;
}

/* Reads text into v, or fails naming the line. */
static xn_status parse_values(const char *text, size_t len, value_vec *v, const char *none,
                              xn_error *err)
{
    xn_lines t;
    const char *s;
    size_t n;
    xn_status st = XN_OK;
    bool first = true;
    xn_lines_init(&t, text, len);
    while (st == XN_OK && xn_lines_content(&t, &s, &n)) {
        st = value_line(s, n, t.line, first, v, err);
        first = false;
    }
    if (st == XN_OK && v->count == 0)
        st = xn_fail(err, xn_lines_end_line(&t), XN_EFORMAT, "%s", none);
    if (st == XN_OK) /* a file cut inside its last number would read */
        st = xn_lines_check_end(&t, err);
    return st;
}

/* Where read_values finds its text. */
typedef struct {
    bool file;        /* the file at path, else text (len bytes) */
    const char *path, *text;
    size_t len;
} source;

/* The values of a source with `columns` numbers a line: x (and f for 2
 * columns) and, when lines is not NULL, each value's line; *count values.
 * `none` is the message for a text without any.  Every output is cleared
 * first and stays cleared on failure. */
static xn_status read_values(source src, size_t columns, const char *none, double **x,
                             double **f, size_t **lines, size_t *count, xn_error *err)
{
    xn_error_clear(err);
    if (x)
        *x = NULL;
    if (f)
        *f = NULL;
    if (lines)
        *lines = NULL;
    if (count)
        *count = 0;
    if ((src.file ? !src.path : !src.text && src.len) || !x || (columns == 2 && !f) || !count)
        return xn_fail(err, 0, XN_EINVAL, "bad argument");
    char *file = NULL;
    if (src.file) {
        xn_status st = xn_read_file(src.path, XN_TEXT_MAX_FILE, &file, &src.len, err);
        if (st != XN_OK)
            return st;
        src.text = file;
    }
    value_vec v = {.columns = columns, .lines = lines != NULL};
    xn_status st = parse_values(src.text, src.len, &v, none, err);
    free(file);
    if (st != XN_OK) {
        vec_free(&v);
        return st;
    }
    *x = v.x;
    if (f)
        *f = v.f;
    if (lines)
        *lines = v.line;
    *count = v.count;
    return XN_OK;
}

static const char no_samples[] = "no samples (only blank lines, comments or a header)";
static const char no_knots[] = "no knots (only blank lines, comments or a header)";

xn_status xn_samples_parse_lines(const char *text, size_t len, double **x, double **f,
                                 size_t **lines, size_t *m, xn_error *err)
{
    source src = {.text = text, .len = len};
    return read_values(src, 2, no_samples, x, f, lines, m, err);
}

xn_status xn_samples_parse(const char *text, size_t len, double **x, double **f, size_t *m,
                           xn_error *err)
{
    return xn_samples_parse_lines(text, len, x, f, NULL, m, err);
}

xn_status xn_samples_load_lines(const char *path, double **x, double **f, size_t **lines,
                                size_t *m, xn_error *err)
{
    source src = {.file = true, .path = path};
    return read_values(src, 2, no_samples, x, f, lines, m, err);
}

xn_status xn_samples_load(const char *path, double **x, double **f, size_t *m, xn_error *err)
{
    return xn_samples_load_lines(path, x, f, NULL, m, err);
}

xn_status xn_knots_parse(const char *text, size_t len, double **t, size_t **lines, size_t *k,
                         xn_error *err)
{
    source src = {.text = text, .len = len};
    return read_values(src, 1, no_knots, t, NULL, lines, k, err);
}

xn_status xn_knots_load(const char *path, double **t, size_t **lines, size_t *k, xn_error *err)
{
    source src = {.file = true, .path = path};
    return read_values(src, 1, no_knots, t, NULL, lines, k, err);
}

xn_status xn_knots_parse_list(const char *list, double **t, size_t *k, xn_error *err)
{
    xn_error_clear(err);
    if (!list || !t || !k)
        return XN_EINVAL;
    *t = NULL;
    *k = 0;
    size_t items = 1;
    for (const char *p = list; *p; p++)
        items += *p == ',';
    double *v = malloc(items * sizeof *v);
    if (!v)
        return xn_fail(err, 0, XN_ENOMEM, "out of memory for %zu knots", items);
    size_t i = 0;
    for (const char *p = list;; i++) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        trim(&p, &n);
        xn_status s = n ? number_field(p, n, i + 1, &v[i], err)
                        : xn_fail(err, i + 1, XN_EFORMAT, "empty item");
        if (s != XN_OK) {
            free(v);
            return s;
        }
        if (!end)
            break;
        p = end + 1;
    }
    *t = v;
    *k = i + 1;
    return XN_OK;
}
