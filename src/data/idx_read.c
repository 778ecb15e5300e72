/* IDX files read up to their header: the bytes of a file, inflated from
 * its gzip stream only as far as asked, and the header's checks, shared
 * with the data readers (idx.c); and the public header reader, for a
 * caller that checks a file's shape before reading its values.
 *
 * The reader checks the header before it allocates anything for the
 * values, inflates a gzip stream only as far as the header says the data
 * goes (growing its buffer as bytes arrive, so a short or corrupt stream
 * never causes an allocation the size of the header's promise). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idx_impl.h"
#include "src/util/text.h"

/* ---- the bytes of the IDX data ---------------------------------------- */

void xn_idx_bytes_init(idx_bytes *b, const void *src, size_t len)
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

void xn_idx_bytes_free(idx_bytes *b)
{
    if (b->zs_live)
        inflateEnd(&b->zs);
    free(b->buf);
    b->buf = NULL;
}

xn_status xn_idx_no_memory(xn_error *err) { return xn_fail(err, 0, XN_ENOMEM, "out of memory"); }

/* Inflates until at least want bytes of IDX data are available or the
 * stream ends.  The buffer doubles as it fills, never past want, so memory
 * follows the bytes actually inflated.  A gzip file may hold several
 * members back to back (as gzip -d reads them); anything else after a
 * member is an error, as are a corrupt or cut-short stream. */
xn_status xn_idx_bytes_fill(idx_bytes *b, size_t want, xn_error *err)
{
    if (!b->gz) /* the file is the data */
        return XN_OK;
    if (!b->zs_live) {
        /* 15 + 16: a 32 KiB window and the gzip wrapper, CRC checked */
        if (inflateInit2(&b->zs, 15 + 16) != Z_OK)
            return xn_idx_no_memory(err);
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
                return xn_idx_no_memory(err);
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
            return xn_idx_no_memory(err);
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

uint32_t xn_idx_be32(const unsigned char *p)
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

const char *xn_idx_type_name(int type)
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
xn_status xn_idx_read_layout(idx_bytes *b, idx_role role, idx_header *h, xn_error *err)
{
    xn_status st = xn_idx_bytes_fill(b, 4, err);
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
                       "(type 08, 09, 0b or 0c)", (unsigned)h->type, xn_idx_type_name(h->type));
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
    if ((st = xn_idx_bytes_fill(b, h->start, err)) != XN_OK)
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
        size_t dim = xn_idx_be32(p + 4 + 4 * i);
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
xn_status xn_idx_read_values(idx_bytes *b, const idx_header *h, const char *what, xn_error *err)
{
    /* one byte more than the header declares: is there anything after it? */
    xn_status st = xn_idx_bytes_fill(b, h->end + 1, err);
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

/* ---- the public header reader ---------------------------------------------- */

/* Bytes of a file read for its header: a gzip stream's header and first
 * block are far shorter; a file whose header lies further in is read
 * again, whole. */
enum { HEADER_PREFIX = 1 << 16 };

static xn_status parse_header(const void *bytes, size_t len, xn_idx_header *out, xn_error *err)
{
    idx_bytes b;
    xn_idx_bytes_init(&b, bytes, len);
    idx_header h = {0};
    xn_status st = xn_idx_read_layout(&b, IDX_ANY, &h, err);
    xn_idx_bytes_free(&b);
    if (st == XN_OK)
        *out = (xn_idx_header){.type = h.type, .ndim = h.ndim, .items = h.n, .item = h.item};
    return st;
}

xn_status xn_idx_parse_header(const void *bytes, size_t len, xn_idx_header *h, xn_error *err)
{
    if (err) {
        err->line = 0;
        err->msg[0] = '\0';
    }
    if (!h || (!bytes && len))
        return xn_fail(err, 0, XN_EINVAL, "no place for the header, or no bytes");
    return parse_header(bytes, len, h, err);
}

xn_status xn_idx_read_header(const char *path, xn_idx_header *h, xn_error *err)
{
    if (err) {
        err->line = 0;
        err->msg[0] = '\0';
    }
    if (!h || !path)
        return xn_fail(err, 0, XN_EINVAL, "no place for the header, or no path");
    FILE *f = fopen(path, "rb");
    if (!f)
        return xn_fail(err, 0, XN_EIO, "cannot open: %s", strerror(errno));
    unsigned char *head = malloc(HEADER_PREFIX);
    size_t got = head ? fread(head, 1, HEADER_PREFIX, f) : 0;
    int e = ferror(f) ? errno : 0;
    fclose(f);
    xn_status st;
    if (!head)
        st = xn_idx_no_memory(err);
    else if (e)
        st = xn_fail(err, 0, XN_EIO, "cannot read: %s", strerror(e));
    else
        st = parse_header(head, got, h, err);
    free(head);
    if (st != XN_EFORMAT || got < HEADER_PREFIX)
        return st;
    /* cut by the prefix, perhaps: the whole file says for sure */
    char *bytes;
    size_t len;
    if ((st = xn_read_binary(path, XN_TEXT_MAX_FILE, &bytes, &len, err)) != XN_OK)
        return st;
    st = parse_header(bytes, len, h, err);
    free(bytes);
    return st;
}
