/* The reading of IDX files shared by the header reader (idx_read.c) and
 * the data readers (idx.c): the bytes of a file, inflated from gzip only
 * as far as asked, and its header. */
#ifndef XORNET_DATA_IDX_IMPL_H
#define XORNET_DATA_IDX_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ZLIB_CONST /* next_in is const: zlib only reads the file's bytes */
#include <zlib.h>

#include "src/engine/internal.h"

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

/* What the caller reads the file as: the header's shape is checked for it
 * (IDX_ANY: only what every IDX file obeys). */
typedef enum { IDX_IMAGES, IDX_LABELS, IDX_ANY } idx_role;

typedef struct {
    int type;           /* the type code */
    size_t size;        /* bytes a value */
    size_t ndim;
    size_t n;           /* items: the first dimension */
    size_t item;        /* values an item: the product of the others */
    size_t start;       /* byte offset of the first value */
    size_t end;         /* byte offset just past the last value */
} idx_header;

void xn_idx_bytes_init(idx_bytes *b, const void *src, size_t len);
void xn_idx_bytes_free(idx_bytes *b);
/* Inflates until at least want bytes of IDX data are available or the
 * stream ends (b->data, b->data_len). */
xn_status xn_idx_bytes_fill(idx_bytes *b, size_t want, xn_error *err);
xn_status xn_idx_no_memory(xn_error *err);
uint32_t xn_idx_be32(const unsigned char *p);
const char *xn_idx_type_name(int type);
/* Reads and checks the header for its role; afterwards b holds at least
 * the header's bytes. */
xn_status xn_idx_read_layout(idx_bytes *b, idx_role role, idx_header *h, xn_error *err);
/* Reads the values after the header and checks that the data ends where
 * the header says. */
xn_status xn_idx_read_values(idx_bytes *b, const idx_header *h, const char *what, xn_error *err);

#endif
