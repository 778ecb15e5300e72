/* The data-reader check shared by fuzz_data_csv and fuzz_data_fann: one
 * call of xn_data_parse and the contract of its result. */
#ifndef XORNET_FUZZ_DATA_H
#define XORNET_FUZZ_DATA_H

#include "fuzz_util.h"

/* Parses text (len bytes) with `outputs` target columns; returns the
 * status, leaving the data in *d on success (caller frees). */
static inline xn_status fuzz_data_parse(const char *text, size_t len, size_t outputs, xn_data *d)
{
    xn_error err;
    memset(&err, 'x', sizeof err);
    memset(d, 0x5a, sizeof *d); /* garbage: the reader must reset it */
    xn_status s = xn_data_parse(d, text, len, outputs, &err);
    fuzz_check_error(&err, s != XN_OK);
    fuzz_check_line(s, &err, len);
    if (s != XN_OK) {
        FUZZ_CHECK(d->n == 0 && d->in == 0 && d->out == 0 && d->x == NULL && d->y == NULL);
        FUZZ_CHECK(err.line <= len + 1);
        return s;
    }
    FUZZ_CHECK(d->n >= 1 && d->in >= 1 && d->x != NULL);
    /* ends in a newline; err is cleared, and each row names its line:
     * increasing, inside the text */
    FUZZ_CHECK(len > 0 && text[len - 1] == '\n');
    FUZZ_CHECK(err.line == 0 && err.msg[0] == '\0');
    FUZZ_CHECK(d->line != NULL);
    for (size_t i = 0; i < d->n; i++)
        FUZZ_CHECK(d->line[i] >= 1 && d->line[i] <= len && (i == 0 || d->line[i] > d->line[i - 1]));
    FUZZ_CHECK(outputs == 0 || d->out == outputs);
    FUZZ_CHECK(d->out == 0 || d->y != NULL);
    /* the arrays hold n * in and n * out values: ASan checks the bounds */
    FUZZ_CHECK(d->n <= len && d->in <= len && d->out <= len);
    fuzz_check_finite(d->x, d->n * d->in);
    fuzz_check_finite(d->y, d->n * d->out);
    return s;
}

#endif
