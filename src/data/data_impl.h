/* Private declarations of the data readers: the growing arrays they fill,
 * the FANN reader and class ids (data.c), the CSV reader (read.c) and the
 * description of targets (describe.c). */
#ifndef XORNET_DATA_IMPL_H
#define XORNET_DATA_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "src/engine/internal.h"
#include "src/util/text.h"

/* buf (*cap items of size bytes, n of them in use) with room for one more:
 * buf itself, or a block twice as large (first items at the start); NULL
 * when memory or size_t runs out, buf then as it was. */
void *xn_room(void *buf, size_t *cap, size_t n, size_t size, size_t first);
/* Appends item (size bytes) to the array *bufp (a T **; *n items, room
 * for *cap), grown by xn_room: false, the array as it was, if memory runs
 * out. */
bool xn_push(void *bufp, size_t *n, size_t *cap, const void *item, size_t size, size_t first);

/* A token of the text: its bytes text[off, off + len). */
typedef struct {
    size_t off, len;
} xn_span;

/* The targets as read: n rows of t columns, each a number (NaN where the
 * field is not one) and, for a CSV, the field's text. */
typedef struct {
    size_t n, t;
    const double *v;            /* (n, t) */
    const xn_span *s;           /* (n, t), or NULL: numbers only */
    const char *text;           /* what the spans point into */
    const size_t *line;         /* (n) each row's line, or NULL */
    const size_t *cols;         /* (t) 1-based columns, for messages, or NULL */
    char *const *names;         /* (t) the columns' names, or NULL */
} xn_target_cells;

/* A field's text without its quotes ("" inside them is one quote),
 * malloc'd; NULL if memory runs out (read.c). */
char *xn_field_text(const char *text, xn_span f);

/* What the targets are (xn_targets), by the rules of xn_read_opts: *y
 * (malloc'd, (n, *out)) the targets for that kind, desc's kind, classes,
 * labels and rule.  Errors name the line of the row at fault. */
xn_status xn_describe_cells(const xn_target_cells *c, const xn_read_opts *o, double **y, size_t *out,
                            xn_description *desc, xn_error *err);

/* The first content line of a FANN file: three whole numbers, no commas. */
bool xn_fann_first_line(const char *s, size_t n);
/* A FANN text (t at its start) into d, numbers as they are: outputs 0 or
 * the file's count.  *out_lines (may be NULL), malloc'd, the line of each
 * pair's outputs (d->line has its inputs'). */
xn_status xn_fann_parse(xn_lines *t, size_t outputs, xn_data *d, size_t **out_lines, xn_error *err);

/* How read.c reads a CSV for the callers in data.c (the older calls):
 * raw keeps the target columns as numbers, undescribed; no_targets reads
 * every column as an input (outputs 0). */
typedef struct {
    const xn_read_opts *o;
    bool raw, no_targets;
    size_t **target_lines; /* may be NULL: the line of each row's targets */
} xn_read_mode;
xn_status xn_read_text(xn_data *d, xn_description *desc, const char *text, size_t len, const xn_read_mode *m,
                       xn_error *err);


/* ---- a CSV's columns (columns.c) ---------------------------------------- */

/* The fields of one line: spans into the text, quotes kept. */
typedef struct {
    xn_span *f;
    size_t n, cap;
} fields;

/* What a CSV's columns are: c columns, the index column (1-based, 0 for
 * none), t target columns at cols (1-based, increasing), their names. */
typedef struct {
    size_t c, index, t;
    size_t *cols;
    char **names;   /* (c) every column's name, or NULL without a header */
    bool header, numbered;
    size_t first_line;
} layout;

/* Splits the line text[s, s + len) into fs; false if memory runs out. */
bool xn_split_fields(const char *text, size_t s, size_t len, fields *fs);
/* A field's bytes without its quotes. */
xn_span xn_field_inner(const char *text, xn_span f);
/* A field as a finite decimal number (quotes stripped). */
xn_num xn_field_number(const char *text, xn_span f, double *v);
/* The separator a line of one field seems to use instead of commas
 * ("semicolons", "tabs", "spaces"), or NULL. */
const char *xn_other_separator(const char *s, size_t n);
/* The first content line of t into r1 (split) and the layout: its
 * separator checked, the header decided, the index and target columns
 * chosen.  outputs: the last K columns, 0 for the rules. */
xn_status xn_read_layout(const char *text, xn_lines *t, fields *r1, const xn_read_mode *m, size_t outputs,
                         layout *L, xn_error *err);
void xn_layout_free(layout *L);
/* Whether 1-based column col1 is a target. */
bool xn_layout_is_target(const layout *L, size_t col1);

#endif
