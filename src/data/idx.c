/* IDX files, the format of MNIST and its family: an image file read as the
 * inputs of a data set and a label file as its one-hot targets, plain or
 * gzip-compressed (docs/data-format.md).
 *
 * An IDX file is a 4-byte magic number (0, 0, a type code, the number of
 * dimensions), one big-endian 32-bit size per dimension, then the values,
 * big-endian, in row-major order.  The reader checks the header before it
 * allocates anything for the values, inflates a gzip stream only as far as
 * the header says the data goes (growing its buffer as bytes arrive, so a
 * short or corrupt stream never causes an allocation the size of the
 * header's promise), and sizes the arrays of doubles only once every byte
 * they hold has been read. */
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ZLIB_CONST /* next_in is const: zlib only reads the file's bytes */
#include <zlib.h>

#include "src/engine/internal.h"
#include "src/util/text.h"

/* ---- the bytes of the IDX data ---------------------------------------- */

/* The IDX data of a file: the file's bytes themselves, or inflated from its
 * gzip stream as far as asked so far. */
typedef struct {
    const unsigned char *src;  /* the file (src_len bytes) */
    size_t src_len;
    bool gz;
    z_stream zs;               /* gzip: the inflater, live from first use */
    bool zs_live;
    size_t fed;                /* src bytes handed to zlib so far */
    bool ended;                /* no more data: the whole stream is read */
    unsigned char *buf;        /* gzip: the bytes inflated so far (len, cap) */
    size_t len, cap;
    const unsigned char *data; /* the IDX data available: data_len bytes */
    size_t data_len;
} idx_bytes;

static void bytes_init(idx_bytes *b, const void *src, size_t len)
{
    memset(b, 0, sizeof *b);
    b->src = src;
    b->src_len = len;
    b->gz = len >= 2 && b->src[0] == 0x1f && b->src[1] == 0x8b;
    if (!b->gz) {
        b->data = b->src;
        b->data_len = len;
    }
}

static void bytes_free(idx_bytes *b)
{
    if (b->zs_live)
        inflateEnd(&b->zs);
    free(b->buf);
    b->buf = NULL;
}

static xn_status no_memory(xn_error *err) { return xn_fail(err, 0, XN_ENOMEM, "out of memory"); }

/* Inflates until at least want bytes of IDX data are available or the
 * stream ends.  The buffer doubles as it fills, never past want, so memory
 * follows the bytes actually inflated.  A gzip file may hold several
 * members back to back (as gzip -d reads them); anything else after a
 * member is an error, as are a corrupt or cut-short stream. */
static xn_status bytes_fill(idx_bytes *b, size_t want, xn_error *err)
{
    if (!b->gz) /* the file is the data */
        return XN_OK;
    if (!b->zs_live) {
        /* 15 + 16: a 32 KiB window and the gzip wrapper, CRC checked */
        if (inflateInit2(&b->zs, 15 + 16) != Z_OK)
            return no_memory(err);
        b->zs_live = true;
    }
    while (b->len < want && !b->ended) {
        if (b->len == b->cap) {
            size_t cap = b->cap ? b->cap : ((size_t)1 << 16);
            if (b->cap)
                cap = b->cap > SIZE_MAX / 2 ? SIZE_MAX : 2 * b->cap;
            if (cap > want)
                cap = want;
            unsigned char *nb = realloc(b->buf, cap);
            if (!nb)
                return no_memory(err);
            b->buf = nb;
            b->cap = cap;
        }
        if (b->zs.avail_in == 0 && b->fed < b->src_len) {
            size_t n = b->src_len - b->fed;
            b->zs.next_in = b->src + b->fed;
            b->zs.avail_in = n > UINT_MAX ? UINT_MAX : (unsigned)n;
            b->fed += b->zs.avail_in;
        }
        size_t room = b->cap - b->len;
        b->zs.next_out = b->buf + b->len;
        b->zs.avail_out = room > UINT_MAX ? UINT_MAX : (unsigned)room;
        unsigned before = b->zs.avail_out;
        int r = inflate(&b->zs, Z_NO_FLUSH);
        b->len += before - b->zs.avail_out;
        if (r == Z_STREAM_END) {
            size_t at = b->fed - b->zs.avail_in; /* the next byte of the file */
            if (at == b->src_len) {
                b->ended = true;
            } else if (b->src_len - at >= 2 && b->src[at] == 0x1f && b->src[at + 1] == 0x8b) {
                inflateReset(&b->zs);
            } else {
                return xn_fail(err, 0, XN_EFORMAT,
                               "%zu byte%s after the end of the gzip stream (at byte %zu of the file)",
                               b->src_len - at, b->src_len - at == 1 ? "" : "s", at);
            }
        } else if (r == Z_MEM_ERROR) {
            return no_memory(err);
        } else if (r == Z_BUF_ERROR) { /* no progress: the input is used up */
            return xn_fail(err, 0, XN_EFORMAT,
                           "the gzip stream is cut short (truncated file) after %zu bytes of data",
                           b->len);
        } else if (r != Z_OK) {
            return xn_fail(err, 0, XN_EFORMAT, "corrupt gzip data (%s) after %zu bytes of data",
                           b->zs.msg ? b->zs.msg : "unreadable", b->len);
        }
    }
    b->data = b->buf;
    b->data_len = b->len;
    return XN_OK;
}

/* ---- the header -------------------------------------------------------- */

typedef enum { IDX_IMAGES, IDX_LABELS } idx_role;

typedef struct {
    int type;           /* the type code */
    size_t size;        /* bytes a value */
    size_t ndim;
    size_t n;           /* items: the first dimension */
    size_t item;        /* values an item: the product of the others */
    size_t start;       /* byte offset of the first value */
    size_t end;         /* byte offset just past the last value */
} idx_header;

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Bytes a value of the type code, 0 for an unknown code. */
static size_t type_size(int type)
{
    switch (type) {
    case 0x08: return 1; /* unsigned byte */
    case 0x09: return 1; /* signed byte */
    case 0x0b: return 2; /* short */
    case 0x0c: return 4; /* int */
    case 0x0d: return 4; /* float */
    case 0x0e: return 8; /* double */
    }
    return 0;
}

static const char *type_name(int type)
{
    switch (type) {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0b: return "short";
    case 0x0c: return "int";
    case 0x0d: return "float";
    case 0x0e: return "double";
    }
    return "?";
}

/* Reads and checks the header for its role; afterwards b holds at least
 * the header's bytes. */
static xn_status read_header(idx_bytes *b, idx_role role, idx_header *h, xn_error *err)
{
    xn_status st = bytes_fill(b, 4, err);
    if (st != XN_OK)
        return st;
    const unsigned char *p = b->data;
    if (b->data_len == 0)
        return xn_fail(err, 0, XN_EFORMAT, "%s (an IDX file starts with 00 00, a type code and the "
                       "number of dimensions)", b->gz ? "no data in the gzip stream" : "empty file");
    if (b->data_len < 4)
        return xn_fail(err, 0, XN_EFORMAT, "truncated: %zu byte%s, shorter than the 4-byte IDX magic number",
                       b->data_len, b->data_len == 1 ? "" : "s");
    if (p[0] != 0 || p[1] != 0)
        return xn_fail(err, 0, XN_EFORMAT,
                       "not an IDX file: it starts with bytes %02x %02x %02x %02x, not 00 00 <type> <dimensions>",
                       p[0], p[1], p[2], p[3]);
    h->type = p[2];
    h->size = type_size(h->type);
    if (!h->size)
        return xn_fail(err, 0, XN_EFORMAT,
                       "byte offset 2: unknown IDX type code 0x%02x (known: 08 unsigned byte, 09 signed byte, "
                       "0b short, 0c int, 0d float, 0e double)", (unsigned)h->type);
    if (role == IDX_LABELS && (h->type == 0x0d || h->type == 0x0e))
        return xn_fail(err, 0, XN_EFORMAT,
                       "byte offset 2: type code 0x%02x (%s), but labels are whole numbers "
                       "(type 08, 09, 0b or 0c)", (unsigned)h->type, type_name(h->type));
    h->ndim = p[3];
    if (h->ndim == 0)
        return xn_fail(err, 0, XN_EFORMAT, "byte offset 3: 0 dimensions (an IDX file has at least one)");
    if (role == IDX_IMAGES && h->ndim == 1)
        return xn_fail(err, 0, XN_EFORMAT, "1 dimension, so a label file? An image file has 2 or more "
                                           "(the count, then the shape of an image)");
    if (role == IDX_LABELS && h->ndim != 1)
        return xn_fail(err, 0, XN_EFORMAT, "%zu dimensions, so an image file? A label file has 1 (the count)",
                       h->ndim);
    h->start = 4 + 4 * h->ndim;
    if ((st = bytes_fill(b, h->start, err)) != XN_OK)
        return st;
    if (b->data_len < h->start)
        return xn_fail(err, 0, XN_EFORMAT,
                       "truncated in the header: %zu dimensions take bytes 4 to %zu, the data ends at byte %zu",
                       h->ndim, h->start - 1, b->data_len);
    p = b->data;
    /* every product is checked against the limit, which keeps it and the
     * byte count below (limit * 8 + header) far from overflowing */
    size_t values = 1;
    h->item = 1;
    for (size_t i = 0; i < h->ndim; i++) {
        size_t dim = be32(p + 4 + 4 * i);
        if (dim == 0)
            return xn_fail(err, 0, XN_EFORMAT, "byte offset %zu: dimension %zu is 0", 4 + 4 * i, i + 1);
        if (!xn_mul_ok(values, dim, &values) || values > XN_DATA_MAX_VALUES)
            return xn_fail(err, 0, XN_EFORMAT,
                           "byte offset %zu: dimension %zu (%zu) makes more than the limit of %zu values",
                           4 + 4 * i, i + 1, dim, XN_DATA_MAX_VALUES);
        if (i == 0)
            h->n = dim;
        else
            h->item *= dim;
    }
    h->end = h->start + values * h->size;
    return XN_OK;
}

/* Reads the values after the header and checks that the data ends where
 * the header says. */
static xn_status read_values(idx_bytes *b, const idx_header *h, const char *what, xn_error *err)
{
    /* one byte more than the header declares: is there anything after it? */
    xn_status st = bytes_fill(b, h->end + 1, err);
    if (st != XN_OK)
        return st;
    if (b->data_len < h->end)
        return xn_fail(err, 0, XN_EFORMAT,
                       "truncated at byte offset %zu: the header declares %zu %s of %zu byte%s, "
                       "ending at byte offset %zu", b->data_len, h->n, what, h->item * h->size,
                       h->item * h->size == 1 ? "" : "s", h->end);
    if (b->data_len > h->end)
        return xn_fail(err, 0, XN_EFORMAT, "byte offset %zu: more data than the %zu %s the header declares",
                       h->end, h->n, what);
    return XN_OK;
}

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
        uint32_t u = be32(p);
        return (int64_t)u - (u >= 0x80000000u ? INT64_C(0x100000000) : 0);
    }
    }
}

/* The value at p as a double.  Floats are IEEE 754 big-endian. */
static double value_at(const unsigned char *p, int type)
{
    if (type == 0x0d) {
        uint32_t u = be32(p);
        float f;
        memcpy(&f, &u, sizeof f);
        return f;
    }
    if (type == 0x0e) {
        uint64_t u = (uint64_t)be32(p) << 32 | be32(p + 4);
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
    bytes_init(&b, bytes, len);
    idx_header h;
    xn_status st = read_header(&b, IDX_IMAGES, &h, err);
    if (st == XN_OK)
        st = read_values(&b, &h, h.n == 1 ? "image" : "images", err);
    double *x = NULL;
    if (st == XN_OK) {
        /* (n, item), no overflow: n * item <= XN_DATA_MAX_VALUES */
        x = malloc(h.n * h.item * sizeof *x);
        if (!x)
            st = no_memory(err);
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
    bytes_free(&b);
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
    bytes_init(&b, bytes, len);
    idx_header h;
    xn_status st = read_header(&b, IDX_LABELS, &h, err);
    if (st == XN_OK && h.n != d->n)
        st = xn_fail(err, 0, XN_EFORMAT, "byte offset 4: %zu label%s, but there %s %zu image%s", h.n,
                     h.n == 1 ? "" : "s", d->n == 1 ? "is" : "are", d->n, d->n == 1 ? "" : "s");
    if (st == XN_OK)
        st = read_values(&b, &h, h.n == 1 ? "label" : "labels", err);
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
        st = no_memory(err);
    if (st == XN_OK)
        for (size_t i = 0; i < h.n; i++)
            y[i * k + (size_t)int_at(v + i * h.size, h.type)] = 1.0;
    bytes_free(&b);
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
