/* libFuzzer target: the IDX readers on arbitrary bytes (and the header
 * reader, which must give the shape of every file the images' reader
 * takes).  The first byte
 * chooses the call, the rest is the file (or files):
 *   byte % 3 == 0   xn_data_parse_idx_images on the rest
 *   byte % 3 == 1   xn_data_parse_idx_labels on the rest, for as many
 *                   made-up images as the label file's header declares (at
 *                   most 256; one more when byte & 4, to reach the count check)
 *   byte % 3 == 2   a pair: two more bytes give the image file's length
 *                   (big-endian), then the image file, then the label file
 * classes = byte >> 4 (0: the largest label + 1), kept at 1 for pairs of
 * more than 256 images so one-hot targets stay small (256 x 65536 at most).  Plain and gzip
 * files alike: the reader tells them apart. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The contract of a labels call: one-hot rows on success; d as it was on
 * failure. */
static void check_labels(xn_data *d, const uint8_t *bytes, size_t len, size_t classes)
{
    xn_error err;
    memset(&err, 'x', sizeof err);
    double *x = d->x;
    size_t n = d->n, in = d->in;
    xn_status s = xn_data_parse_idx_labels(d, bytes, len, classes, &err);
    fuzz_check_error(&err, s != XN_OK);
    FUZZ_CHECK(d->x == x && d->n == n && d->in == in);
    if (s != XN_OK) {
        FUZZ_CHECK(err.line == 0 && d->out == 0 && d->y == NULL);
        return;
    }
    FUZZ_CHECK(d->out >= 1 && d->y != NULL && (classes == 0 || d->out == classes));
    for (size_t i = 0; i < d->n; i++) {
        size_t ones = 0;
        for (size_t k = 0; k < d->out; k++) {
            double v = d->y[i * d->out + k];
            FUZZ_CHECK(v == 0.0 || v == 1.0);
            ones += v == 1.0;
        }
        FUZZ_CHECK(ones == 1);
    }
}

/* The contract of an images call; XN_OK leaves the images in *d. */
static xn_status check_images(xn_data *d, const uint8_t *bytes, size_t len)
{
    xn_error err;
    memset(&err, 'x', sizeof err);
    memset(d, 0x5a, sizeof *d); /* garbage: the reader must reset it */
    xn_status s = xn_data_parse_idx_images(d, bytes, len, &err);
    fuzz_check_error(&err, s != XN_OK);
    if (s != XN_OK) {
        FUZZ_CHECK(err.line == 0);
        FUZZ_CHECK(d->n == 0 && d->in == 0 && d->out == 0 && d->x == NULL && d->y == NULL);
        return s;
    }
    FUZZ_CHECK(d->n >= 1 && d->in >= 1 && d->x != NULL && d->out == 0 && d->y == NULL);
    fuzz_check_finite(d->x, d->n * d->in);
    /* the header alone says the same shape (xn_idx_parse_header) */
    xn_idx_header h;
    FUZZ_CHECK(xn_idx_parse_header(bytes, len, &h, &err) == XN_OK && h.items == d->n && h.item == d->in);
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    unsigned sel = data[0];
    size_t classes = sel >> 4;
    const uint8_t *rest = data + 1;
    size_t len = size - 1;
    xn_data d;
    if (sel % 3 == 0) {
        if (check_images(&d, rest, len) == XN_OK)
            xn_data_free(&d);
    } else if (sel % 3 == 1) {
        size_t n = len >= 8 ? (size_t)rest[4] << 24 | (size_t)rest[5] << 16 | (size_t)rest[6] << 8 | rest[7] : 1;
        if (n == 0 || n > 256)
            n = 1;
        n += (sel & 4) != 0;
        d = (xn_data){.n = n, .in = 1, .x = calloc(n, sizeof *d.x)};
        FUZZ_CHECK(d.x != NULL);
        check_labels(&d, rest, len, classes);
        xn_data_free(&d);
    } else if (len >= 2) {
        size_t cut = (size_t)rest[0] << 8 | rest[1];
        rest += 2;
        len -= 2;
        if (cut > len)
            cut = len;
        if (check_images(&d, rest, cut) == XN_OK) {
            check_labels(&d, rest + cut, len - cut, d.n > 256 ? 1 : classes);
            xn_data_free(&d);
        }
    }
    return 0;
}
