/* Reading a CSV data set (xn_data_read): the columns as columns.c finds
 * them (the header, pandas' index, the targets), then every row, inputs as
 * numbers and targets as numbers or words, for describe.c to say what they
 * are.  FANN files go to data.c's reader and are described as
 * numbers.
 *
 * Fields are separated by commas; blanks around a field are dropped, and a
 * field in double quotes may hold commas ("" is a quote inside it), as R
 * and spreadsheets write them.  '#' outside quotes starts a comment.  The
 * reader never reads past the text and sizes its arrays by what it has
 * read, so the memory it uses is bounded by the text's length. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data_impl.h"

/* The rows read so far. */
typedef struct {
    double *x, *v;      /* (rows, in), (rows, t) */
    xn_span *s;         /* (rows, t) */
    size_t *line;
    size_t nx, capx, nv, capv, ns, caps, rows, capl;
} rows_read;

static void rows_free(rows_read *r)
{
    free(r->x);
    free(r->v);
    free(r->s);
    free(r->line);
}

static bool push_x(rows_read *r, double v)
{
    return xn_push(&r->x, &r->nx, &r->capx, &v, sizeof v, 256);
}

static bool push_target(rows_read *r, double v, xn_span s)
{
    return xn_push(&r->v, &r->nv, &r->capv, &v, sizeof v, 64) && xn_push(&r->s, &r->ns, &r->caps, &s, sizeof s, 64);
}

static bool push_line(rows_read *r, size_t line)
{
    return xn_push(&r->line, &r->rows, &r->capl, &line, sizeof line, 64);
}

/* One data row of fs (line `line`) onto r.  In raw mode (numbers only)
 * a target must be a number too; otherwise a word is kept as a label. */
static xn_status read_row(const char *text, const fields *fs, const layout *L, bool raw, size_t line,
                          rows_read *r, xn_error *err)
{
    char q[48];
    for (size_t j = 0; j < fs->n; j++) {
        if (j + 1 == L->index)
            continue;
        double v = 0.0;
        xn_num got = xn_field_number(text, fs->f[j], &v);
        bool target = xn_layout_is_target(L, j + 1), word = target && !raw && got == XN_NUM_BAD && fs->f[j].len;
        if (got != XN_NUM_OK && !word) {
            xn_span in = xn_field_inner(text, fs->f[j]);
            if (in.len == 0)
                return xn_fail(err, line, XN_EFORMAT, "empty field in column %zu", j + 1);
            return xn_fail(err, line, XN_EFORMAT, "%s '%s' in column %zu", xn_num_why(got),
                           xn_quote(q, sizeof q, text + in.off, in.len), j + 1);
        }
        if (!(target ? push_target(r, word ? NAN : v, fs->f[j]) : push_x(r, v)))
            return xn_fail(err, 0, XN_ENOMEM, "out of memory");
    }
    return push_line(r, line) ? XN_OK : xn_fail(err, 0, XN_ENOMEM, "out of memory");
}

/* The layout and rows into d and desc (raw: targets as numbers). */
static xn_status finish(const char *text, const layout *L, const rows_read *r, const xn_read_mode *m, xn_data *d,
                        xn_description *desc, xn_error *err)
{
    size_t in = L->c - L->t - (L->index ? 1 : 0);
    double *y = NULL;
    size_t out = L->t;
    xn_status st = XN_OK;
    char **names = NULL;
    if (L->names && L->t) {
        names = calloc(L->t, sizeof *names);
        for (size_t k = 0; names && k < L->t; k++)
            names[k] = L->names[L->cols[k] - 1];
    }
    if (L->names && L->t && !names)
        return xn_fail(err, 0, XN_ENOMEM, "out of memory");
    if (L->t && m->raw) {
        y = malloc(r->rows * L->t * sizeof *y);
        if (!y)
            st = xn_fail(err, 0, XN_ENOMEM, "out of memory");
        else
            memcpy(y, r->v, r->rows * L->t * sizeof *y);
        desc->kind = XN_TARGETS_REGRESSION;
    } else if (L->t) {
        xn_target_cells c = {.n = r->rows, .t = L->t, .v = r->v, .s = r->s, .text = text, .line = r->line,
                             .cols = L->cols, .names = names};
        st = xn_describe_cells(&c, m->o, &y, &out, desc, err);
    }
    if (st == XN_OK && L->t) { /* the target columns, their names kept */
        desc->target_columns = malloc(L->t * sizeof *desc->target_columns);
        desc->target_names = names ? xn_strings_copy((const char *const *)names, L->t) : NULL;
        desc->n_targets = L->t;
        if (!desc->target_columns || (names && !desc->target_names))
            st = xn_fail(err, 0, XN_ENOMEM, "out of memory");
        else
            memcpy(desc->target_columns, L->cols, L->t * sizeof *L->cols);
    }
    free(names);
    if (st != XN_OK) {
        free(y);
        return st;
    }
    desc->header = L->header;
    desc->numbered_header = L->numbered;
    desc->index_column = L->index;
    desc->columns = L->c;
    d->n = r->rows;
    d->in = in;
    d->out = L->t ? out : 0;
    d->y = y;
    d->x = malloc((r->nx ? r->nx : 1) * sizeof *d->x);
    d->line = malloc(r->rows * sizeof *d->line);
    if (!d->x || !d->line)
        return xn_fail(err, 0, XN_ENOMEM, "out of memory");
    memcpy(d->x, r->x, r->nx * sizeof *d->x);
    memcpy(d->line, r->line, r->rows * sizeof *d->line);
    return XN_OK;
}

static xn_status read_csv(const char *text, xn_lines *t, const xn_read_mode *m, size_t outputs, xn_data *d,
                          xn_description *desc, xn_error *err)
{
    fields fs = {NULL, 0, 0};
    layout L = {0};
    rows_read r = {0};
    xn_status st = xn_read_layout(text, t, &fs, m, outputs, &L, err);
    if (st == XN_OK && !L.header)
        st = read_row(text, &fs, &L, m->raw, L.first_line, &r, err);
    const char *s;
    size_t n;
    while (st == XN_OK && xn_lines_content(t, &s, &n)) {
        if (!xn_split_fields(text, (size_t)(s - text), n, &fs)) {
            st = xn_fail(err, 0, XN_ENOMEM, "out of memory");
        } else if (fs.n != L.c || (fs.n == 1 && xn_other_separator(s, n))) {
            const char *sep = fs.n == 1 ? xn_other_separator(s, n) : NULL;
            double v;
            char q[48];
            if (sep && fs.n == L.c && xn_field_number(text, fs.f[0], &v) == XN_NUM_OK)
                st = read_row(text, &fs, &L, m->raw, t->line, &r, err); /* " 1 " is a number */
            else if (sep)
                st = xn_fail(err, t->line, XN_EFORMAT, "fields are separated by %s, not commas: '%s'", sep,
                             xn_quote(q, sizeof q, s, n));
            else
                st = xn_fail(err, t->line, XN_EFORMAT, "expected %zu columns (as on line %zu), found %zu", L.c,
                             L.first_line, fs.n);
        } else {
            st = read_row(text, &fs, &L, m->raw, t->line, &r, err);
        }
    }
    if (st == XN_OK && r.rows == 0)
        st = xn_fail(err, xn_lines_end_line(t), XN_EFORMAT, L.header ? "no data rows after the header" : "no data rows");
    if (st == XN_OK)
        st = xn_lines_check_end(t, err);
    if (st == XN_OK)
        st = finish(text, &L, &r, m, d, desc, err);
    free(fs.f);
    xn_layout_free(&L);
    rows_free(&r);
    return st;
}

xn_status xn_read_text(xn_data *d, xn_description *desc, const char *text, size_t len, const xn_read_mode *m,
                       xn_error *err)
{
    xn_error_clear(err);
    if (!d || !desc)
        return xn_fail(err, 0, XN_EINVAL, "no place for the data");
    memset(d, 0, sizeof *d);
    memset(desc, 0, sizeof *desc);
    if (!text && len)
        return xn_fail(err, 0, XN_EINVAL, "no text");
    xn_lines t, peek;
    xn_lines_init(&t, text, len);
    peek = t;
    const char *s;
    size_t n;
    if (!xn_lines_content(&peek, &s, &n))
        return xn_fail(err, xn_lines_end_line(&peek), XN_EFORMAT, "no data");
    const xn_read_opts *o = m->o;
    size_t outputs = o && o->outputs != XN_OUTPUTS_DEFAULT ? o->outputs : 0;
    xn_status st;
    if (xn_fann_first_line(s, n)) {
        st = xn_fann_parse(&t, outputs, d, m->target_lines, err);
        /* a CSV or TSV row of three whole numbers also reads as FANN's
         * first line: say that this was the guess */
        if (st == XN_EFORMAT && err) {
            size_t used = strlen(err->msg);
            snprintf(err->msg + used, sizeof err->msg - used, " (read as FANN: line %zu is three whole numbers)",
                     peek.line);
        }
        if (st == XN_OK)
            st = xn_lines_check_end(&t, err);
        if (st == XN_OK && !m->raw)
            st = xn_data_describe(d, desc, o, err);
    } else {
        /* the older calls read one target column by default */
        st = read_csv(text, &t, m, outputs || !m->raw || m->no_targets ? outputs : 1, d, desc, err);
    }
    if (st == XN_OK && m->target_lines && !*m->target_lines) { /* a CSV's targets: on the rows' lines */
        *m->target_lines = malloc((d->n ? d->n : 1) * sizeof **m->target_lines);
        if (!*m->target_lines)
            st = xn_fail(err, 0, XN_ENOMEM, "out of memory");
        else
            memcpy(*m->target_lines, d->line, d->n * sizeof **m->target_lines);
    }
    if (st != XN_OK) {
        xn_data_free(d);
        xn_description_free(desc);
    }
    return st;
}

xn_status xn_data_read_text(xn_data *d, xn_description *desc, const char *text, size_t len, const xn_read_opts *o,
                            xn_error *err)
{
    xn_read_mode m = {.o = o};
    return xn_read_text(d, desc, text, len, &m, err);
}

/* xn_data_read_text's arguments, for xn_parse_file. */
typedef struct {
    xn_data *d;
    xn_description *desc;
    const xn_read_opts *o;
} read_of;

static xn_status read_into(const char *text, size_t len, void *ctx, xn_error *err)
{
    read_of *a = ctx;
    return xn_data_read_text(a->d, a->desc, text, len, a->o, err);
}

xn_status xn_data_read(xn_data *d, xn_description *desc, const char *path, const xn_read_opts *o, xn_error *err)
{
    xn_error_clear(err);
    if (d)
        memset(d, 0, sizeof *d);
    if (desc)
        memset(desc, 0, sizeof *desc);
    read_of a = {d, desc, o};
    return xn_parse_file(path, read_into, &a, err);
}
