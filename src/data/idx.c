/* IDX files, the format of MNIST and its family: an image file read as the
 * inputs of a data set and a label file as its one-hot targets, plain or
 * gzip-compressed (docs/data-format.md).
 *
 * An IDX file is a 4-byte magic number (0, 0, a type code, the number of
 * dimensions), one big-endian 32-bit size per dimension, then the values,
 * big-endian, in row-major order.  The header is read and checked first
 * (idx_read.c); the arrays of doubles are sized only once every byte they
 * hold has been read. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "idx_impl.h"
#include "src/util/text.h"

/* ---- values ------------------------------------------------------------ */

/* The value at p of an integer type code, sign-extended by arithmetic, not
 * by an implementation-defined conversion. */
static int64_t int_at(const unsigned char *p, int type)
{
    switch (type) {
    case 0x08: return p[0];
    case 0x09: return (int64_t)p[0] - (p[0] >= 0x80 ? 0x100 : 0);
    case 0x0b: {
        uint32_t u = (uint32_t)p[0] << 8 | p[1];
        return (int64_t)u - (u >= 0x8000 ? 0x10000 : 0);
    }
    default: {
        uint32_t u = xn_idx_be32(p);
        return (int64_t)u - (u >= 0x80000000u ? INT64_C(0x100000000) : 0);
    }
    }
}

/* The value at p as a double.  Floats are IEEE 754 big-endian. */
static double value_at(const unsigned char *p, int type)
{
    if (type == 0x0d) {
        uint32_t u = xn_idx_be32(p);
        float f;
        memcpy(&f, &u, sizeof f);
        return f;
    }
    if (type == 0x0e) {
        uint64_t u = (uint64_t)xn_idx_be32(p) << 32 | xn_idx_be32(p + 4);
        double v;
        memcpy(&v, &u, sizeof v);
        return v;
    }
    return (double)int_at(p, type);
}

/* ---- images ------------------------------------------------------------ */

static xn_status parse_images(xn_data *d, const void *bytes, size_t len, xn_error *err)
{
    idx_bytes b;
    xn_idx_bytes_init(&b, bytes, len);
    idx_header h;
    xn_status st = xn_idx_read_layout(&b, IDX_IMAGES, &h, err);
    if (st == XN_OK)
        st = xn_idx_read_values(&b, &h, h.n == 1 ? "image" : "images", err);
    double *x = NULL;
    if (st == XN_OK) {
        /* (n, item), no overflow: n * item <= XN_DATA_MAX_VALUES */
        x = malloc(h.n * h.item * sizeof *x);
        if (!x)
            st = xn_idx_no_memory(err);
    }
    if (st == XN_OK) {
        const unsigned char *v = b.data + h.start;
        size_t count = h.n * h.item;
        if (h.type == 0x08) { /* MNIST's bytes: the loop that matters */
            for (size_t i = 0; i < count; i++)
                x[i] = v[i];
        } else {
            for (size_t i = 0; i < count; i++) {
                x[i] = value_at(v + i * h.size, h.type);
                if (!isfinite(x[i])) {
                    st = xn_fail(err, 0, XN_EFORMAT,
                                 "byte offset %zu (image index %zu): the value is not finite",
                                 h.start + i * h.size, i / h.item);
                    break;
                }
            }
        }
    }
    xn_idx_bytes_free(&b);
    if (st != XN_OK) {
        free(x);
        return st;
    }
    d->n = h.n;
    d->in = h.item;
    d->out = 0;
    d->x = x;
    d->y = NULL;
    return XN_OK;
}

/* ---- labels ------------------------------------------------------------ */

static xn_status parse_labels(xn_data *d, const void *bytes, size_t len, size_t classes, xn_error *err)
{
    idx_bytes b;
    xn_idx_bytes_init(&b, bytes, len);
    idx_header h;
    xn_status st = xn_idx_read_layout(&b, IDX_LABELS, &h, err);
    if (st == XN_OK && h.n != d->n)
        st = xn_fail(err, 0, XN_EFORMAT, "byte offset 4: %zu label%s, but there %s %zu image%s", h.n,
                     h.n == 1 ? "" : "s", d->n == 1 ? "is" : "are", d->n, d->n == 1 ? "" : "s");
    if (st == XN_OK)
        st = xn_idx_read_values(&b, &h, h.n == 1 ? "label" : "labels", err);
    /* every label in [0, limit), the largest one giving K */
    size_t limit = classes ? classes : XN_DATA_MAX_CLASSES, k = classes;
    const unsigned char *v = st == XN_OK ? b.data + h.start : NULL;
    for (size_t i = 0; st == XN_OK && i < h.n; i++) {
        int64_t id = int_at(v + i * h.size, h.type);
        size_t at = h.start + i * h.size;
        if (id < 0)
            st = xn_fail(err, 0, XN_EFORMAT, "byte offset %zu (label index %zu): label %" PRId64
                         " is negative", at, i, id);
        else if ((uint64_t)id >= limit)
            st = xn_fail(err, 0, XN_EFORMAT, "byte offset %zu (label index %zu): label %" PRId64
                         " is not below %s %zu classes", at, i, id, classes ? "the" : "the limit of", limit);
        else if (!classes && (size_t)id + 1 > k)
            k = (size_t)id + 1;
    }
    size_t values = 0;
    if (st == XN_OK && (!xn_mul_ok(h.n, k, &values) || values > XN_DATA_MAX_VALUES))
        st = xn_fail(err, 0, XN_EFORMAT, "one-hot targets of %zu labels x %zu classes are more than "
                     "the limit of %zu values", h.n, k, XN_DATA_MAX_VALUES);
    double *y = NULL;
    if (st == XN_OK && !(y = calloc(values, sizeof *y)))
        st = xn_idx_no_memory(err);
    if (st == XN_OK)
        for (size_t i = 0; i < h.n; i++)
            y[i * k + (size_t)int_at(v + i * h.size, h.type)] = 1.0;
    xn_idx_bytes_free(&b);
    if (st != XN_OK)
        return st;
    d->out = k;
    d->y = y;
    return XN_OK;
}

/* ---- the public calls --------------------------------------------------- */

static void clear_error(xn_error *err)
{
    if (err) {
        err->line = 0;
        err->msg[0] = '\0';
    }
}

/* d must hold images and no targets yet. */
static xn_status check_unlabelled(const xn_data *d, size_t classes, xn_error *err)
{
    if (!d)
        return xn_fail(err, 0, XN_EINVAL, "no place for the data");
    if (d->n == 0 || !d->x)
        return xn_fail(err, 0, XN_EINVAL, "no images to label: read the image file first");
    if (d->out != 0 || d->y)
        return xn_fail(err, 0, XN_EINVAL, "the data already has targets");
    if (classes > XN_DATA_MAX_CLASSES)
        return xn_fail(err, 0, XN_EINVAL, "%zu classes are more than the limit of %zu", classes,
                       XN_DATA_MAX_CLASSES);
    return XN_OK;
}

xn_status xn_data_parse_idx_images(xn_data *d, const void *bytes, size_t len, xn_error *err)
{
    clear_error(err);
    if (!d)
        return xn_fail(err, 0, XN_EINVAL, "no place for the data");
    memset(d, 0, sizeof *d);
    if (!bytes && len)
        return xn_fail(err, 0, XN_EINVAL, "no bytes");
    return parse_images(d, bytes, len, err);
}

xn_status xn_data_parse_idx_labels(xn_data *d, const void *bytes, size_t len, size_t classes,
                                   xn_error *err)
{
    clear_error(err);
    xn_status st = check_unlabelled(d, classes, err);
    if (st != XN_OK)
        return st;
    if (!bytes && len)
        return xn_fail(err, 0, XN_EINVAL, "no bytes");
    return parse_labels(d, bytes, len, classes, err);
}

xn_status xn_data_load_idx_images(xn_data *d, const char *path, xn_error *err)
{
    clear_error(err);
    if (!d)
        return xn_fail(err, 0, XN_EINVAL, "no place for the data");
    memset(d, 0, sizeof *d);
    if (!path)
        return xn_fail(err, 0, XN_EINVAL, "no path");
    char *bytes;
    size_t len;
    xn_status st = xn_read_binary(path, XN_TEXT_MAX_FILE, &bytes, &len, err);
    if (st != XN_OK)
        return st;
    st = parse_images(d, bytes, len, err);
    free(bytes);
    return st;
}

xn_status xn_data_load_idx_labels(xn_data *d, const char *path, size_t classes, xn_error *err)
{
    clear_error(err);
    xn_status st = check_unlabelled(d, classes, err);
    if (st != XN_OK)
        return st;
    if (!path)
        return xn_fail(err, 0, XN_EINVAL, "no path");
    char *bytes;
    size_t len;
    if ((st = xn_read_binary(path, XN_TEXT_MAX_FILE, &bytes, &len, err)) != XN_OK)
        return st;
    st = parse_labels(d, bytes, len, classes, err);
    free(bytes);
    return st;
}
