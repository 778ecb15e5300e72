/* PLACEHOLDER: being written; replaced before it lands. */
#include <stdlib.h>
#include "internal.h"
xn_status xn_data_load(xn_data *d, const char *path, size_t outputs, xn_error *err) { (void)d; (void)path; (void)outputs; (void)err; return XN_EIO; }
xn_status xn_data_parse(xn_data *d, const char *text, size_t len, size_t outputs, xn_error *err) { (void)d; (void)text; (void)len; (void)outputs; (void)err; return XN_EIO; }
void xn_data_free(xn_data *d) { if (!d) return; free(d->x); free(d->y); d->x = d->y = NULL; d->n = d->in = d->out = 0; }
