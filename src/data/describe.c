/* What a data set's targets are (xornet.h, xn_targets): classes, binary,
 * multi-label or numbers, decided once here for the program, C callers and
 * the Python binding, and the targets made for that kind.
 *
 * One target column:
 *   - words (any field that is not a number): classes, the distinct words;
 *   - numbers: classes when they are whole and at most XN_CLASS_RULE
 *     distinct (labels 1..10, -1/1, 0..K-1 with some absent), else a
 *     regression (counts, prices, ages); XN_TASK_CLASSIFY and
 *     XN_TASK_REGRESS decide otherwise, and class ids (opts.classes) name
 *     the classes 0..K-1 whether they appear or not;
 *   - two classes are binary (one 0/1 column), more are one-hot columns.
 * Several target columns: all 0/1 with one 1 a row are one-hot classes,
 * all 0/1 otherwise labels of their own (multi-label), else numbers.
 * Labels are sorted as scikit-learn's np.unique sorts them: numbers by
 * value, words by their bytes.  With a model's labels (opts.labels) the
 * targets are read as those classes, and one outside them is an error at
 * its line. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data_impl.h"
#include "src/util/search.h"

void xn_description_free(xn_description *desc)
{
    if (!desc)
        return;
    xn_strings_free(desc->labels, desc->classes);
    xn_strings_free(desc->target_names, desc->n_targets);
    free(desc->target_columns);
    memset(desc, 0, sizeof *desc);
}

/* "FILE:LINE" is the caller's; this names row i's line. */
static size_t line_of(const xn_target_cells *c, size_t i)
{
    return c->line ? c->line[i] : 0;
}

/* The line to blame for what the targets as a whole are: the last row's,
 * where the reader saw them all. */
static size_t last_line(const xn_target_cells *c)
{
    return c->n ? line_of(c, c->n - 1) : 0;
}

static size_t col_of(const xn_target_cells *c, size_t k)
{
    return c->cols ? c->cols[k] : k + 1;
}

/* A cell's text without quotes: into *p, *n (no copy). */
static void cell_text(const xn_target_cells *c, size_t i, const char **p, size_t *n)
{
    xn_span s = c->s[i];
    if (s.len >= 2 && c->text[s.off] == '"' && c->text[s.off + s.len - 1] == '"')
        s = (xn_span){s.off + 1, s.len - 2};
    *p = c->text + s.off;
    *n = s.len;
}

/* A number as a label: %.17g, which prints whole numbers as integers. */
static char *number_label(double v)
{
    char buf[XN_DOUBLE_CHARS];
    xn_format_double(buf, v);
    char *s = malloc(strlen(buf) + 1);
    if (s)
        strcpy(s, buf);
    return s;
}

static xn_status no_memory(xn_error *err) { return xn_fail(err, 0, XN_ENOMEM, "out of memory"); }

/* ---- the distinct words of a column ------------------------------------ */

/* An open-addressing set of the cells' texts: slot -> row + 1 of the first
 * cell with that text (0: empty), and its class once sorted. */
typedef struct {
    size_t *row, *cls, cap, count;
} word_set;

static uint64_t hash(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211u;
    return h;
}

/* The slot of row i's text: where it is, or the empty slot for it. */
static size_t slot(const xn_target_cells *c, const word_set *w, size_t i)
{
    const char *p, *q;
    size_t n, m;
    cell_text(c, i, &p, &n);
    size_t k = hash(p, n) & (w->cap - 1);
    while (w->row[k]) {
        cell_text(c, w->row[k] - 1, &q, &m);
        if (m == n && memcmp(p, q, n) == 0)
            return k;
        k = (k + 1) & (w->cap - 1);
    }
    return k;
}

static bool set_grow(const xn_target_cells *c, word_set *w)
{
    word_set g = {calloc(w->cap * 2, sizeof *g.row), calloc(w->cap * 2, sizeof *g.cls), w->cap * 2, w->count};
    if (!g.row || !g.cls) {
        free(g.row);
        free(g.cls);
        return false;
    }
    for (size_t k = 0; k < w->cap; k++)
        if (w->row[k])
            g.row[slot(c, &g, w->row[k] - 1)] = w->row[k];
    free(w->row);
    free(w->cls);
    *w = g;
    return true;
}

/* A distinct text for sorting: the bytes and the row it was first seen on. */
typedef struct {
    const char *p;
    size_t n, row;
} word;

static int by_text(const void *a, const void *b)
{
    const word *x = a, *y = b;
    int r = memcmp(x->p, y->p, x->n < y->n ? x->n : y->n);
    return r ? r : (x->n > y->n) - (x->n < y->n);
}

/* The distinct texts of column 0, sorted: *labels (K) and each row's class
 * into cls (n). */
static xn_status words(const xn_target_cells *c, size_t *cls, char ***labels, size_t *K, xn_error *err)
{
    word_set w = {calloc(64, sizeof *w.row), calloc(64, sizeof *w.cls), 64, 0};
    xn_status st = w.row && w.cls ? XN_OK : no_memory(err);
    for (size_t i = 0; st == XN_OK && i < c->n; i++) {
        if (w.row[slot(c, &w, i)])
            continue;
        if (w.count == XN_DATA_MAX_CLASSES)
            st = xn_fail(err, line_of(c, i), XN_EFORMAT, "more than %zu distinct labels", XN_DATA_MAX_CLASSES);
        else if (2 * (w.count + 1) > w.cap && !set_grow(c, &w))
            st = no_memory(err);
        if (st != XN_OK)
            break;
        w.row[slot(c, &w, i)] = i + 1;
        w.count++;
    }
    word *order = st == XN_OK ? malloc(w.count * sizeof *order) : NULL;
    char **lab = st == XN_OK ? calloc(w.count, sizeof *lab) : NULL;
    if (st == XN_OK && (!order || !lab))
        st = no_memory(err);
    if (st == XN_OK) {
        size_t m = 0;
        for (size_t k = 0; k < w.cap; k++)
            if (w.row[k]) {
                order[m].row = w.row[k] - 1;
                cell_text(c, order[m].row, &order[m].p, &order[m].n);
                m++;
            }
        qsort(order, m, sizeof *order, by_text);
        for (size_t r = 0; st == XN_OK && r < m; r++) {
            w.cls[slot(c, &w, order[r].row)] = r;
            if (!(lab[r] = xn_field_text(c->text, c->s[order[r].row])))
                st = no_memory(err);
        }
        for (size_t i = 0; st == XN_OK && i < c->n; i++)
            cls[i] = w.cls[slot(c, &w, i)];
    }
    free(order);
    free(w.row);
    free(w.cls);
    if (st != XN_OK) {
        xn_strings_free(lab, w.count);
        return st;
    }
    *labels = lab;
    *K = w.count;
    return XN_OK;
}

/* ---- a column of numbers ------------------------------------------------- */

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The distinct values of column 0, sorted, into *u (*D of them). */
static xn_status distinct(const xn_target_cells *c, double **u, size_t *D, bool *whole, xn_error *err)
{
    double *v = malloc((c->n ? c->n : 1) * sizeof *v);
    if (!v)
        return no_memory(err);
    *whole = true;
    for (size_t i = 0; i < c->n; i++) {
        v[i] = c->v[i * c->t];
        *whole &= v[i] == floor(v[i]);
    }
    qsort(v, c->n, sizeof *v, by_value);
    size_t d = 0;
    for (size_t i = 0; i < c->n; i++)
        if (d == 0 || v[i] != v[d - 1])
            v[d++] = v[i];
    *u = v;
    *D = d;
    return XN_OK;
}

/* The class of v, one of the sorted distinct values u (D). */
static size_t value_class(const double *u, size_t D, double v)
{
    return xn_upper_bound(u, 0, D, v) - 1;
}

/* ---- targets made for the kind ------------------------------------------ */

/* The classes cls (n) of K classes as targets: one 0/1 column for two
 * classes (unless onehot), else one-hot columns. */
static xn_status class_targets(size_t n, const size_t *cls, size_t K, bool onehot, double **y, size_t *out,
                               size_t line, xn_error *err)
{
    size_t w = K == 2 && !onehot ? 1 : K, cells;
    if (!xn_mul_ok(n, w, &cells) || cells > XN_DATA_MAX_VALUES)
        return xn_fail(err, line, XN_EFORMAT, "one-hot targets of %zu rows x %zu classes are more than the limit of %zu "
                       "values", n, K, XN_DATA_MAX_VALUES);
    double *t = calloc(cells ? cells : 1, sizeof *t);
    if (!t)
        return no_memory(err);
    for (size_t i = 0; i < n; i++)
        t[w == 1 ? i : i * w + cls[i]] = w == 1 ? (double)cls[i] : 1.0;
    *y = t;
    *out = w;
    return XN_OK;
}

/* Labels "0".."K-1" (class ids, or columns without names). */
static char **count_labels(size_t K)
{
    char **lab = calloc(K, sizeof *lab);
    for (size_t k = 0; lab && k < K; k++)
        if (!(lab[k] = number_label((double)k))) {
            xn_strings_free(lab, k);
            return NULL;
        }
    return lab;
}

/* With a model's labels: each row's class, or an error at its line. */
static xn_status model_classes(const xn_target_cells *c, const xn_read_opts *o, size_t *cls, xn_error *err)
{
    for (size_t i = 0; i < c->n; i++) {
        const char *p = NULL;
        size_t n = 0, k = o->n_labels;
        char num[XN_DOUBLE_CHARS], q[48];
        if (c->s)
            cell_text(c, i, &p, &n);
        for (size_t j = 0; p && j < o->n_labels && k == o->n_labels; j++)
            if (strlen(o->labels[j]) == n && memcmp(o->labels[j], p, n) == 0)
                k = j;
        if (k == o->n_labels && !isnan(c->v[i * c->t])) { /* "1.0" is the class "1", and named so */
            xn_format_double(num, c->v[i * c->t]);
            for (size_t j = 0; j < o->n_labels && k == o->n_labels; j++)
                if (strcmp(o->labels[j], num) == 0)
                    k = j;
            p = num;
            n = strlen(num);
        }
        if (k == o->n_labels)
            return xn_fail(err, line_of(c, i), XN_EFORMAT, "class '%s' is not one of the model's %zu (%s%s%s%s)",
                           xn_quote(q, sizeof q, p, n), o->n_labels, o->labels[0], o->n_labels > 1 ? ", " : "",
                           o->n_labels > 1 ? o->labels[1] : "", o->n_labels > 2 ? ", ..." : "");
        cls[i] = k;
    }
    return XN_OK;
}

static xn_status copy_labels(char ***out, const char *const *in, size_t K, xn_error *err)
{
    return (*out = xn_strings_copy(in, K)) ? XN_OK : no_memory(err);
}

/* Several target columns: one-hot, multi-label or numbers. */
static xn_status columns(const xn_target_cells *c, const xn_read_opts *o, double **y, size_t *out,
                         xn_description *desc, xn_error *err)
{
    bool bits = true, onehot = true;
    char q[48];
    for (size_t i = 0; i < c->n; i++) {
        double sum = 0.0;
        for (size_t k = 0; k < c->t; k++) {
            double v = c->v[i * c->t + k];
            if (isnan(v)) {
                const char *p;
                size_t n;
                cell_text(c, i * c->t + k, &p, &n);
                return xn_fail(err, line_of(c, i), XN_EFORMAT, "not a number '%s' in column %zu: several target "
                               "columns hold numbers (one-hot classes, 0/1 labels or values)",
                               xn_quote(q, sizeof q, p, n), col_of(c, k));
            }
            bits &= v == 0.0 || v == 1.0;
            sum += v;
        }
        onehot &= sum == 1.0;
    }
    xn_task_choice task = o ? o->task : XN_TASK_AUTO;
    if (task == XN_TASK_CLASSIFY && !bits)
        return xn_fail_setting(err, "task", XN_EINVAL, "%zu target columns of numbers that are not 0/1 are not "
                               "classes", c->t);
    if (o && o->n_labels && o->n_labels != c->t)
        return xn_fail(err, last_line(c), XN_EFORMAT, "%zu target columns for the model's %zu classes", c->t,
                       o->n_labels);
    double *t = malloc(c->n * c->t * sizeof *t);
    if (!t)
        return no_memory(err);
    memcpy(t, c->v, c->n * c->t * sizeof *t);
    *y = t;
    *out = c->t;
    if (!bits || task == XN_TASK_REGRESS) {
        desc->kind = XN_TARGETS_REGRESSION;
        snprintf(desc->rule, sizeof desc->rule, "%zu columns of %s: a regression", c->t,
                 bits ? "0/1 read as numbers, --task regress" : "values");
        return XN_OK;
    }
    desc->kind = onehot ? XN_TARGETS_MULTICLASS : XN_TARGETS_MULTILABEL;
    desc->classes = c->t;
    snprintf(desc->rule, sizeof desc->rule, onehot ? "%zu one-hot columns: classes" : "%zu columns of 0/1: labels of "
             "their own", c->t);
    if (o && o->n_labels)
        return copy_labels(&desc->labels, o->labels, c->t, err);
    if (c->names)
        return copy_labels(&desc->labels, (const char *const *)c->names, c->t, err);
    return (desc->labels = count_labels(c->t)) ? XN_OK : no_memory(err);
}

/* One target column: classes (words or whole numbers, or the model's) or
 * numbers. */
static xn_status one_column(const xn_target_cells *c, const xn_read_opts *o, double **y, size_t *out,
                            xn_description *desc, xn_error *err)
{
    xn_task_choice task = o ? o->task : XN_TASK_AUTO;
    size_t first_word = c->n;
    for (size_t i = 0; i < c->n && first_word == c->n; i++)
        if (isnan(c->v[i]))
            first_word = i;
    size_t *cls = malloc((c->n ? c->n : 1) * sizeof *cls), K = 0;
    if (!cls)
        return no_memory(err);
    xn_status st = XN_OK;
    double *u = NULL;
    bool onehot = o && o->onehot_binary;
    if (o && o->n_labels) { /* a model's classes */
        st = model_classes(c, o, cls, err);
        K = o->n_labels;
        if (st == XN_OK)
            st = copy_labels(&desc->labels, o->labels, K, err);
        snprintf(desc->rule, sizeof desc->rule, "the model's %zu classes", K);
    } else if (first_word < c->n) {
        const char *p;
        size_t n;
        char q[48];
        cell_text(c, first_word, &p, &n);
        if (task == XN_TASK_REGRESS)
            st = xn_fail(err, line_of(c, first_word), XN_EFORMAT, "not a number '%s' in column %zu (--task regress "
                         "reads the targets as numbers)", xn_quote(q, sizeof q, p, n), col_of(c, 0));
        else
            st = words(c, cls, &desc->labels, &K, err);
        snprintf(desc->rule, sizeof desc->rule, "%zu distinct words", K);
    } else {
        size_t D = 0;
        bool whole = false, ids = false;
        st = distinct(c, &u, &D, &whole, err);
        if (st == XN_OK && o && o->classes && whole && u[0] >= 0.0 && u[D - 1] < (double)o->classes) {
            ids = true; /* class ids 0..classes-1, present or not */
            K = o->classes;
            snprintf(desc->rule, sizeof desc->rule, "class ids 0..%zu", K - 1);
        } else if (st == XN_OK && task != XN_TASK_REGRESS &&
                   (task == XN_TASK_CLASSIFY || (whole && D >= 2 && D <= XN_CLASS_RULE))) {
            K = D;
            snprintf(desc->rule, sizeof desc->rule, task == XN_TASK_CLASSIFY ? "%zu distinct values, --task classify"
                     : "%zu distinct whole numbers, %d at most", D, XN_CLASS_RULE);
        } else if (st == XN_OK) {
            desc->kind = XN_TARGETS_REGRESSION;
            if (task == XN_TASK_REGRESS)
                snprintf(desc->rule, sizeof desc->rule, "numbers, --task regress");
            else if (D == 1)
                snprintf(desc->rule, sizeof desc->rule, "one value only, a regression of a constant");
            else if (whole)
                snprintf(desc->rule, sizeof desc->rule, "%zu distinct whole numbers, more than %d: a regression; "
                         "--task classify makes them classes", D, XN_CLASS_RULE);
            else
                snprintf(desc->rule, sizeof desc->rule, "numbers, not all whole: a regression");
            double *t = malloc(c->n * sizeof *t);
            if (!t)
                st = no_memory(err);
            for (size_t i = 0; t && i < c->n; i++)
                t[i] = c->v[i];
            *y = t;
            *out = 1;
            free(u);
            free(cls);
            return st;
        }
        if (st == XN_OK && K > XN_DATA_MAX_CLASSES)
            st = xn_fail(err, last_line(c), XN_EFORMAT, "%zu classes are more than the limit of %zu", K,
                         XN_DATA_MAX_CLASSES);
        for (size_t i = 0; st == XN_OK && i < c->n; i++)
            cls[i] = ids ? (size_t)c->v[i] : value_class(u, D, c->v[i]);
        desc->labels = st == XN_OK ? ids ? count_labels(K) : calloc(K, sizeof *desc->labels) : NULL;
        for (size_t k = 0; st == XN_OK && desc->labels && !ids && k < K; k++)
            if (!(desc->labels[k] = number_label(u[k])))
                st = no_memory(err);
        if (st == XN_OK && !desc->labels)
            st = no_memory(err);
    }
    desc->classes = K;
    if (st == XN_OK && K == 1)
        st = xn_fail(err, last_line(c), XN_EFORMAT, "every target is '%s': one class, nothing to tell apart",
                     desc->labels[0]);
    if (st == XN_OK) {
        desc->kind = K == 2 && !onehot ? XN_TARGETS_BINARY : XN_TARGETS_MULTICLASS;
        st = class_targets(c->n, cls, K, onehot, y, out, last_line(c), err);
    }
    free(u);
    free(cls);
    return st;
}

xn_status xn_describe_cells(const xn_target_cells *c, const xn_read_opts *o, double **y, size_t *out,
                            xn_description *desc, xn_error *err)
{
    *y = NULL;
    *out = 0;
    return c->t > 1 ? columns(c, o, y, out, desc, err) : one_column(c, o, y, out, desc, err);
}

xn_status xn_data_describe(xn_data *d, xn_description *desc, const xn_read_opts *o, xn_error *err)
{
    xn_error_clear(err);
    if (!d || !desc || !d->y || d->out == 0 || d->n == 0)
        return xn_fail(err, 0, XN_EINVAL, "no targets to describe");
    memset(desc, 0, sizeof *desc);
    xn_target_cells c = {.n = d->n, .t = d->out, .v = d->y, .line = d->line};
    double *y;
    size_t out;
    xn_status st = xn_describe_cells(&c, o, &y, &out, desc, err);
    if (st != XN_OK) {
        xn_description_free(desc);
        return st;
    }
    free(d->y);
    d->y = y;
    d->out = out;
    return XN_OK;
}
