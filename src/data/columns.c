/* The columns of a CSV data set (read.c reads its rows): a line split into
 * fields (commas outside double quotes; blanks around a field dropped; '#'
 * outside quotes starts a comment), which line is a header, which column
 * is pandas' index, and which columns are the targets: --target's names or
 * numbers, the last K, the trailing columns a header numbers alike, or the
 * last one (docs/data-format.md). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data_impl.h"

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
bool xn_split_fields(const char *text, size_t s, size_t len, fields *fs)
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
        xn_span f = trimmed(text, start, i);
        if (!xn_push(&fs->f, &fs->n, &fs->cap, &f, sizeof f, 16))
            return false;
        start = i + 1;
        if (i >= end)
            return true;
    }
}

/* The bytes of a field, without its quotes. */
xn_span xn_field_inner(const char *text, xn_span f)
{
    if (f.len >= 2 && text[f.off] == '"' && text[f.off + f.len - 1] == '"')
        return (xn_span){f.off + 1, f.len - 2};
    return f;
}

xn_num xn_field_number(const char *text, xn_span f, double *v)
{
    xn_span in = xn_field_inner(text, f);
    return xn_parse_double(text + in.off, in.len, v);
}

char *xn_field_text(const char *text, xn_span f)
{
    xn_span in = xn_field_inner(text, f);
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
    xn_span in = xn_field_inner(text, f);
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
        if (xn_field_number(text, r1->f[j], &v) == XN_NUM_OK || !name_like(text, r1->f[j], j))
            continue;
        names++;
        if (r2 && j < r2->n && xn_field_number(text, r2->f[j], &v) == XN_NUM_OK)
            return true;
    }
    if (names == r1->n)
        return true;
    if (r1->n < 4)
        return false;
    for (size_t j = 0; j < r1->n; j++)
        if (xn_field_number(text, r1->f[j], &v) != XN_NUM_OK || v != (double)j)
            return false;
    return *numbered = true;
}

/* The separator a line read as one field seems to use instead of commas,
 * or NULL: a file of "0;1;1" rows should fail saying so. */
const char *xn_other_separator(const char *s, size_t n)
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

void xn_layout_free(layout *L)
{
    for (size_t j = 0; L->names && j < L->c; j++)
        free(L->names[j]);
    free(L->names);
    free(L->cols);
}

bool xn_layout_is_target(const layout *L, size_t col1)
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
        if (!xn_layout_is_target(L, col) && add_target(L, col) != XN_OK)
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
            if (k == 1 + L->index) { /* the header's fault as much as a setting's: its line */
                char q[48];
                return xn_fail(err, L->first_line, XN_EINVAL,
                               "every column is named %s<number>: say which are targets (--target NAME or "
                               "--outputs K)", xn_quote(q, sizeof q, L->names[L->c - 1], s0));
            }
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

/* The first line: its separator, the header, the columns' names and roles. */
xn_status xn_read_layout(const char *text, xn_lines *t, fields *r1, const xn_read_mode *m, size_t outputs,
                             layout *L, xn_error *err)
{
    const char *s;
    size_t n;
    char q[48];
    xn_lines_content(t, &s, &n); /* the caller saw it is there */
    L->first_line = t->line;
    if (!xn_split_fields(text, (size_t)(s - text), n, r1))
        return xn_fail(err, 0, XN_ENOMEM, "out of memory");
    /* one field with targets to find, or a single field that is no
     * number nor name: the separator is not a comma */
    const char *sep = r1->n == 1 ? xn_other_separator(s, n) : NULL;
    double v;
    if (sep && (!m->no_targets || (xn_field_number(text, r1->f[0], &v) != XN_NUM_OK && !name_like(text, r1->f[0], 1))))
        return xn_fail(err, t->line, XN_EFORMAT, "fields are separated by %s, not commas: '%s'", sep,
                       xn_quote(q, sizeof q, s, n));
    L->c = r1->n;
    xn_header h = m->o ? m->o->header : XN_HEADER_AUTO;
    if (h == XN_HEADER_AUTO) {
        xn_lines peek = *t;
        fields r2 = {NULL, 0, 0};
        bool second = xn_lines_content(&peek, &s, &n);
        if (second && !xn_split_fields(text, (size_t)(s - text), n, &r2)) {
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
