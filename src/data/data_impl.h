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

#endif
