/* Reading a CSV data set (xn_data_read): which line is a header, which
 * column is pandas' index, which columns are the targets, then every row,
 * inputs as numbers and targets as numbers or words, for describe.c to say
 * what they are.  FANN files go to data.c's reader and are described as
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

/* The fields of one line: spans into the text, quotes kept. */
typedef struct {
    xn_span *f;
    size_t n, cap;
} fields;

/* [off, end) without blanks at either end. */
static xn_span trimmed(const char *text, size_t off, size_t end)
{
    while (off < end && xn_is_blank(text[off]))
        off++;
    while (end > off && xn_is_blank(text[end - 1]))
        end--;
    return (xn_span){off, end - off};
}

/* Splits the line text[s, s + len) at commas outside quotes, up to a '#'
 * outside quotes.  False if memory runs out. */
static bool split(const char *text, size_t s, size_t len, fields *fs)
{
    fs->n = 0;
    bool quoted = false;
    size_t start = s, end = s + len;
    for (size_t i = s;; i++) {
        char c = i < end ? text[i] : ',';
        if (i < end && c == '"') {
            quoted = !quoted;
            continue;
        }
        if (quoted && i < end)
            continue;
        if (c == '#' && i < end) {
            end = i; /* a comment: the line ends here */
            c = ',';
        }
        if (c != ',')
            continue;
        xn_span *f = xn_room(fs->f, &fs->cap, fs->n, sizeof *f, 16);
        if (!f)
            return false;
        fs->f = f;
        fs->f[fs->n++] = trimmed(text, start, i);
        start = i + 1;
        if (i >= end)
            return true;
    }
}

/* The bytes of a field, without its quotes. */
static xn_span inner(const char *text, xn_span f)
{
    if (f.len >= 2 && text[f.off] == '"' && text[f.off + f.len - 1] == '"')
        return (xn_span){f.off + 1, f.len - 2};
    return f;
}

static xn_num number(const char *text, xn_span f, double *v)
{
    xn_span in = inner(text, f);
    return xn_parse_double(text + in.off, in.len, v);
}

char *xn_field_text(const char *text, xn_span f)
{
    xn_span in = inner(text, f);
    char *s = malloc(in.len + 1);
    if (!s)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < in.len; i++) { /* "" inside quotes is one quote */
        s[k++] = text[in.off + i];
        if (text[in.off + i] == '"' && i + 1 < in.len && text[in.off + i + 1] == '"')
            i++;
    }
    s[k] = '\0';
    return s;
}

/* A header's field: a name (it has a letter or '_'), or the empty first
 * field pandas writes above its index. */
static bool name_like(const char *text, xn_span f, size_t col)
{
    xn_span in = inner(text, f);
    if (in.len == 0)
        return col == 0;
    for (size_t i = 0; i < in.len; i++) {
        char c = text[in.off + i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (unsigned char)c >= 0x80)
            return true;
    }
    return false;
}

/* The header rule (xn_read_opts.header): a column with a name above a
 * number, a line of names only, or pandas' column numbers 0..c-1. */
static bool looks_like_header(const char *text, const fields *r1, const fields *r2, bool *numbered)
{
    size_t names = 0;
    double v;
    *numbered = false;
    for (size_t j = 0; j < r1->n; j++) {
        if (number(text, r1->f[j], &v) == XN_NUM_OK || !name_like(text, r1->f[j], j))
            continue;
        names++;
        if (r2 && j < r2->n && number(text, r2->f[j], &v) == XN_NUM_OK)
            return true;
    }
    if (names == r1->n)
        return true;
    if (r1->n < 4)
        return false;
    for (size_t j = 0; j < r1->n; j++)
        if (number(text, r1->f[j], &v) != XN_NUM_OK || v != (double)j)
            return false;
    return *numbered = true;
}

/* The separator a line read as one field seems to use instead of commas,
 * or NULL: a file of "0;1;1" rows should fail saying so. */
static const char *other_separator(const char *s, size_t n)
{
    xn_span t = trimmed(s, 0, n);
    if (memchr(s + t.off, ';', t.len))
        return "semicolons";
    if (memchr(s + t.off, '\t', t.len))
        return "tabs";
    if (memchr(s + t.off, ' ', t.len))
        return "spaces";
    return NULL;
}

/* What a CSV's columns are: c columns, the index column (1-based, 0 for
 * none), t target columns at cols (1-based, increasing), their names. */
typedef struct {
    size_t c, index, t;
    size_t *cols;
    char **names;   /* (c) every column's name, or NULL without a header */
    bool header, numbered;
    size_t first_line;
} layout;

static void layout_free(layout *L)
{
    for (size_t j = 0; L->names && j < L->c; j++)
        free(L->names[j]);
    free(L->names);
    free(L->cols);
}

static bool is_target(const layout *L, size_t col1)
{
    for (size_t k = 0; k < L->t; k++)
        if (L->cols[k] == col1)
            return true;
    return false;
}

/* Column col1's name without its trailing digits into *stem_len; false
 * if it has no digits there or nothing before them. */
static bool numbered_name(const char *name, size_t *stem_len)
{
    size_t n = strlen(name), k = n;
    while (k > 0 && name[k - 1] >= '0' && name[k - 1] <= '9')
        k--;
    *stem_len = k;
    return k > 0 && k < n;
}

static xn_status add_target(layout *L, size_t col1)
{
    size_t *c = realloc(L->cols, (L->t + 1) * sizeof *c);
    if (!c)
        return XN_ENOMEM;
    L->cols = c;
    L->cols[L->t++] = col1;
    return XN_OK;
}

static int by_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* --target's list: names of the header or 1-based column numbers. */
static xn_status named_targets(layout *L, const char *list, xn_error *err)
{
    for (const char *p = list;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p), col = 0;
        while (n && xn_is_blank(*p))
            p++, n--;
        while (n && xn_is_blank(p[n - 1]))
            n--;
        char q[48];
        for (size_t j = 0; L->names && j < L->c && !col; j++)
            if (strlen(L->names[j]) == n && strncmp(L->names[j], p, n) == 0)
                col = j + 1;
        if (!col && xn_parse_size(p, n, SIZE_MAX, &col) == XN_NUM_OK && (col == 0 || col > L->c))
            return xn_fail_setting(err, "target", XN_EINVAL, "column %zu is not there: the file has %zu", col,
                                   L->c);
        if (!col)
            return xn_fail_setting(err, "target", XN_EINVAL, "no column named '%s'%s", xn_quote(q, sizeof q, p, n),
                                   L->names ? "" : " (the file has no header: give column numbers)");
        if (col == L->index)
            return xn_fail_setting(err, "target", XN_EINVAL, "column %zu is pandas' index, not a target", col);
        if (!is_target(L, col) && add_target(L, col) != XN_OK)
            return xn_fail(err, 0, XN_ENOMEM, "out of memory");
        if (!comma)
            break;
        p = comma + 1;
    }
    qsort(L->cols, L->t, sizeof *L->cols, by_size);
    return XN_OK;
}

/* The target columns: --target's, the last `outputs`, the trailing
 * columns a header numbers alike (y1,y2,y3), or the last one. */
static xn_status choose_targets(layout *L, const xn_read_mode *m, size_t outputs, xn_error *err)
{
    if (m->no_targets)
        return XN_OK;
    const char *list = m->o ? m->o->target : NULL;
    if (list)
        return named_targets(L, list, err);
    size_t from = L->c; /* targets are columns from..c (1-based) */
    if (outputs) {
        from = L->c >= outputs ? L->c - outputs + 1 : 1;
    } else if (L->names) {
        size_t stem, k = L->c, s0;
        if (numbered_name(L->names[k - 1], &s0)) {
            while (k > 1 + L->index && numbered_name(L->names[k - 2], &stem) && stem == s0 &&
                   strncmp(L->names[k - 2], L->names[L->c - 1], s0) == 0)
                k--;
            if (k == 1 + L->index)
                return xn_fail_setting(err, "target", XN_EINVAL,
                                       "every column is named %.*s<number>: say which are targets (--target NAME "
                                       "or --outputs K)", (int)s0, L->names[L->c - 1]);
            if (L->c - k + 1 >= 2)
                from = k;
        }
    }
    size_t inputs = from - 1 - (L->index && L->index < from);
    if (inputs == 0) {
        size_t t = L->c - from + 1;
        return xn_fail(err, L->first_line, XN_EFORMAT, "%zu column%s, but %zu target column%s leave%s no input", L->c,
                       L->c == 1 ? "" : "s", t, t == 1 ? "" : "s", t == 1 ? "s" : "");
    }
    for (size_t c = from; c <= L->c; c++)
        if (add_target(L, c) != XN_OK)
            return xn_fail(err, 0, XN_ENOMEM, "out of memory");
    return XN_OK;
}

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
    double *x = xn_room(r->x, &r->capx, r->nx, sizeof *x, 256);
    if (!x)
        return false;
    r->x = x;
    r->x[r->nx++] = v;
    return true;
}

static bool push_target(rows_read *r, double v, xn_span s)
{
    double *pv = xn_room(r->v, &r->capv, r->nv, sizeof *pv, 64);
    if (pv)
        r->v = pv;
    xn_span *ps = pv ? xn_room(r->s, &r->caps, r->ns, sizeof *ps, 64) : NULL;
    if (!ps)
        return false;
    r->s = ps;
    r->v[r->nv++] = v;
    r->s[r->ns++] = s;
    return true;
}

static bool push_line(rows_read *r, size_t line)
{
    size_t *l = xn_room(r->line, &r->capl, r->rows, sizeof *l, 64);
    if (!l)
        return false;
    r->line = l;
    r->line[r->rows++] = line;
    return true;
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
        xn_num got = number(text, fs->f[j], &v);
        bool target = is_target(L, j + 1), word = target && !raw && got == XN_NUM_BAD && fs->f[j].len;
        if (got != XN_NUM_OK && !word) {
            xn_span in = inner(text, fs->f[j]);
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

/* The first line: its separator, the header, the columns' names and roles. */
static xn_status read_layout(const char *text, xn_lines *t, fields *r1, const xn_read_mode *m, size_t outputs,
                             layout *L, xn_error *err)
{
    const char *s;
    size_t n;
    char q[48];
    xn_lines_content(t, &s, &n); /* the caller saw it is there */
    L->first_line = t->line;
    if (!split(text, (size_t)(s - text), n, r1))
        return xn_fail(err, 0, XN_ENOMEM, "out of memory");
    /* one field with targets to find, or a single field that is no
     * number nor name: the separator is not a comma */
    const char *sep = r1->n == 1 ? other_separator(s, n) : NULL;
    double v;
    if (sep && (!m->no_targets || (number(text, r1->f[0], &v) != XN_NUM_OK && !name_like(text, r1->f[0], 1))))
        return xn_fail(err, t->line, XN_EFORMAT, "fields are separated by %s, not commas: '%s'", sep,
                       xn_quote(q, sizeof q, s, n));
    L->c = r1->n;
    xn_header h = m->o ? m->o->header : XN_HEADER_AUTO;
    if (h == XN_HEADER_AUTO) {
        xn_lines peek = *t;
        fields r2 = {NULL, 0, 0};
        bool second = xn_lines_content(&peek, &s, &n);
        if (second && !split(text, (size_t)(s - text), n, &r2)) {
            free(r2.f);
            return xn_fail(err, 0, XN_ENOMEM, "out of memory");
        }
        L->header = looks_like_header(text, r1, second ? &r2 : NULL, &L->numbered);
        free(r2.f);
    } else {
        L->header = h == XN_HEADER_YES;
    }
    if (L->header) {
        L->names = calloc(L->c, sizeof *L->names);
        for (size_t j = 0; L->names && j < L->c; j++)
            if (!(L->names[j] = xn_field_text(text, r1->f[j])))
                return xn_fail(err, 0, XN_ENOMEM, "out of memory");
        if (!L->names)
            return xn_fail(err, 0, XN_ENOMEM, "out of memory");
        /* pandas writes its index under an empty name, or reads it back as
         * "Unnamed: 0" */
        if (L->c > 1 && (L->names[0][0] == '\0' || strcmp(L->names[0], "Unnamed: 0") == 0))
            L->index = 1;
    }
    return choose_targets(L, m, outputs, err);
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
        desc->target_names = names ? calloc(L->t, sizeof *desc->target_names) : NULL;
        if (!desc->target_columns || (names && !desc->target_names))
            st = xn_fail(err, 0, XN_ENOMEM, "out of memory");
        for (size_t k = 0; st == XN_OK && k < L->t; k++) {
            desc->target_columns[k] = L->cols[k];
            if (names && !(desc->target_names[k] = malloc(strlen(names[k]) + 1)))
                st = xn_fail(err, 0, XN_ENOMEM, "out of memory");
            else if (names)
                strcpy(desc->target_names[k], names[k]);
        }
        desc->n_targets = L->t;
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
    xn_status st = read_layout(text, t, &fs, m, outputs, &L, err);
    if (st == XN_OK && !L.header)
        st = read_row(text, &fs, &L, m->raw, L.first_line, &r, err);
    const char *s;
    size_t n;
    while (st == XN_OK && xn_lines_content(t, &s, &n)) {
        if (!split(text, (size_t)(s - text), n, &fs)) {
            st = xn_fail(err, 0, XN_ENOMEM, "out of memory");
        } else if (fs.n != L.c || (fs.n == 1 && other_separator(s, n))) {
            const char *sep = fs.n == 1 ? other_separator(s, n) : NULL;
            double v;
            char q[48];
            if (sep && fs.n == L.c && number(text, fs.f[0], &v) == XN_NUM_OK)
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
    layout_free(&L);
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

xn_status xn_data_read(xn_data *d, xn_description *desc, const char *path, const xn_read_opts *o, xn_error *err)
{
    xn_error_clear(err);
    if (d)
        memset(d, 0, sizeof *d);
    if (desc)
        memset(desc, 0, sizeof *desc);
    if (!path)
        return xn_fail(err, 0, XN_EINVAL, "no path");
    char *text;
    size_t len;
    xn_status st = xn_read_file(path, XN_TEXT_MAX_FILE, &text, &len, err);
    if (st != XN_OK)
        return st;
    st = xn_data_read_text(d, desc, text, len, o, err);
    free(text);
    return st;
}
