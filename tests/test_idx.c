/* IDX files: images and labels built here byte by byte, plain and
 * gzip-compressed (zlib's deflate with the gzip wrapper), read back exactly
 * for every type code; each malformed file (magic, type, dimensions,
 * truncation, counts, labels, overflow, corrupt gzip) refused with
 * XN_EFORMAT and its message; and the reader's allocations, counted through
 * -Wl,--wrap, never larger than the data read so far justifies. */
#define _POSIX_C_SOURCE 200809L

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "check.h"
#include "xornet/xornet.h"

/* ---- allocations: the largest single request -------------------------- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);

static size_t largest;

void *__wrap_malloc(size_t n)
{
    if (n > largest)
        largest = n;
    return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    if (size && n <= SIZE_MAX / size && n * size > largest)
        largest = n * size;
    return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    if (n > largest)
        largest = n;
    return __real_realloc(p, n);
}

/* ---- building IDX files ------------------------------------------------ */

typedef struct {
    unsigned char *b;
    size_t n, cap;
} buf;

static void put(buf *o, const void *p, size_t n)
{
    if (o->n + n > o->cap) {
        o->cap = (o->n + n) * 2;
        o->b = realloc(o->b, o->cap);
    }
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

static void put_be(buf *o, uint64_t v, size_t bytes)
{
    for (size_t i = 0; i < bytes; i++) {
        unsigned char c = (unsigned char)(v >> (8 * (bytes - 1 - i)));
        put(o, &c, 1);
    }
}

/* The header: 00 00 type ndim, then the dimensions. */
static void header(buf *o, int type, size_t ndim, const uint32_t *dims)
{
    const unsigned char m[4] = {0, 0, (unsigned char)type, (unsigned char)ndim};
    put(o, m, 4);
    for (size_t i = 0; i < ndim; i++)
        put_be(o, dims[i], 4);
}

/* n images of rows x cols unsigned bytes, value (i*7 + j*3) mod 256. */
static buf ubyte_images(uint32_t n, uint32_t rows, uint32_t cols)
{
    buf o = {0};
    const uint32_t dims[3] = {n, rows, cols};
    header(&o, 0x08, 3, dims);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < (size_t)rows * cols; j++) {
            unsigned char c = (unsigned char)((i * 7 + j * 3) % 256);
            put(&o, &c, 1);
        }
    return o;
}

static buf ubyte_labels(uint32_t n, const unsigned char *labels)
{
    buf o = {0};
    header(&o, 0x08, 1, &n);
    put(&o, labels, n);
    return o;
}

/* The bytes gzip-compressed with zlib (a gzip header and CRC trailer). */
static buf gzip(const buf *in)
{
    buf o = {0};
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    CHECK(deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    o.cap = deflateBound(&zs, in->n) + 64;
    o.b = malloc(o.cap);
    zs.next_in = in->b;
    zs.avail_in = (unsigned)in->n;
    zs.next_out = o.b;
    zs.avail_out = (unsigned)o.cap;
    CHECK(deflate(&zs, Z_FINISH) == Z_STREAM_END);
    o.n = o.cap - zs.avail_out;
    deflateEnd(&zs);
    return o;
}

static bool is_empty(const xn_data *d)
{
    return d->n == 0 && d->in == 0 && d->out == 0 && !d->x && !d->y;
}

/* ---- reading good files ------------------------------------------------ */

static void check_images(const xn_data *d, uint32_t n, uint32_t rows, uint32_t cols)
{
    CHECK(d->n == n && d->in == (size_t)rows * cols && d->out == 0 && d->y == NULL);
    bool same = d->x != NULL;
    for (size_t i = 0; same && i < n; i++)
        for (size_t j = 0; j < (size_t)rows * cols; j++)
            same = same && d->x[i * d->in + j] == (double)((i * 7 + j * 3) % 256);
    CHECK(same);
}

static void test_plain_and_gzip(void)
{
    static const unsigned char labels[5] = {3, 0, 9, 3, 1};
    buf im = ubyte_images(5, 28, 28), lb = ubyte_labels(5, labels);
    buf imz = gzip(&im), lbz = gzip(&lb);
    CHECK(imz.n < im.n); /* really compressed */
    for (int z = 0; z < 2; z++) {
        const buf *i = z ? &imz : &im, *l = z ? &lbz : &lb;
        xn_data d;
        xn_error err;
        CHECK_STATUS(xn_data_parse_idx_images(&d, i->b, i->n, &err), XN_OK);
        check_images(&d, 5, 28, 28);
        /* classes 0: K is the largest label + 1 */
        CHECK_STATUS(xn_data_parse_idx_labels(&d, l->b, l->n, 0, &err), XN_OK);
        CHECK(d.out == 10 && d.y != NULL);
        for (size_t r = 0; d.y && r < 5; r++)
            for (size_t k = 0; k < 10; k++)
                CHECK(d.y[r * 10 + k] == (k == labels[r] ? 1.0 : 0.0));
        xn_data_free(&d);
        /* classes given: more columns than the largest label needs */
        CHECK_STATUS(xn_data_parse_idx_images(&d, i->b, i->n, &err), XN_OK);
        CHECK_STATUS(xn_data_parse_idx_labels(&d, l->b, l->n, 12, &err), XN_OK);
        CHECK(d.out == 12 && d.y && d.y[0 * 12 + 3] == 1.0 && d.y[2 * 12 + 9] == 1.0 && d.y[11] == 0.0);
        xn_data_free(&d);
    }
    /* two gzip members back to back read as one stream, as gzip -d does */
    buf a = {0}, b = {0};
    put(&a, im.b, 100);
    put(&b, im.b + 100, im.n - 100);
    buf az = gzip(&a), bz = gzip(&b), two = {0};
    put(&two, az.b, az.n);
    put(&two, bz.b, bz.n);
    xn_data d;
    xn_error err;
    CHECK_STATUS(xn_data_parse_idx_images(&d, two.b, two.n, &err), XN_OK);
    check_images(&d, 5, 28, 28);
    xn_data_free(&d);
    free(a.b), free(b.b), free(az.b), free(bz.b), free(two.b);
    free(im.b), free(lb.b), free(imz.b), free(lbz.b);
}

/* Every type code of the format, with values at its edges. */
static void test_types(void)
{
    const uint32_t dims[2] = {2, 2};
    struct {
        int type;
        size_t size;
        uint64_t raw[4];
        double want[4];
    } cases[] = {
        {0x08, 1, {0, 255, 1, 128}, {0, 255, 1, 128}},
        {0x09, 1, {0xff, 0x80, 0x7f, 0}, {-1, -128, 127, 0}},
        {0x0b, 2, {0xffff, 0x8000, 0x7fff, 0x0102}, {-1, -32768, 32767, 258}},
        {0x0c, 4, {0xffffffff, 0x80000000, 0x7fffffff, 0x01020304},
         {-1, -2147483648.0, 2147483647.0, 16909060}},
        /* IEEE single: 1.5, -2, the smallest subnormal, 3.4028235e38 */
        {0x0d, 4, {0x3fc00000, 0xc0000000, 0x00000001, 0x7f7fffff},
         {1.5, -2, 1.4012984643248171e-45, 3.4028234663852886e38}},
        {0x0e, 8, {0x3ff8000000000000, 0xbff0000000000000, 0x0000000000000001, 0x7fefffffffffffff},
         {1.5, -1, 4.9406564584124654e-324, 1.7976931348623157e308}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        buf o = {0};
        header(&o, cases[c].type, 2, dims);
        for (int i = 0; i < 4; i++)
            put_be(&o, cases[c].raw[i], cases[c].size);
        xn_data d;
        xn_error err;
        xn_status s = xn_data_parse_idx_images(&d, o.b, o.n, &err);
        CHECK_STATUS(s, XN_OK);
        if (s == XN_OK) {
            CHECK(d.n == 2 && d.in == 2);
            for (int i = 0; i < 4; i++)
                if (d.x[i] != cases[c].want[i]) {
                    fprintf(stderr, "type 0x%02x value %d: %.17g, expected %.17g\n", cases[c].type, i,
                            d.x[i], cases[c].want[i]);
                    check_failures++;
                }
        }
        /* integer types are labels too: here 2 labels after 2 images */
        if (cases[c].type <= 0x0c && cases[c].type != 0x09) {
            buf l = {0};
            uint32_t n = 2;
            header(&l, cases[c].type, 1, &n);
            put_be(&l, 4, cases[c].size);
            put_be(&l, 1, cases[c].size);
            CHECK_STATUS(xn_data_parse_idx_labels(&d, l.b, l.n, 0, &err), XN_OK);
            CHECK(d.out == 5 && d.y && d.y[4] == 1.0 && d.y[5 + 1] == 1.0);
            free(l.b);
        }
        xn_data_free(&d);
        free(o.b);
    }
}

/* The reader on files, one plain and one compressed, and a missing one. */
static void test_files(void)
{
    char dir[] = "/tmp/xn-test-idx-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char pi[64], pl[64];
    snprintf(pi, sizeof pi, "%s/images.gz", dir);
    snprintf(pl, sizeof pl, "%s/labels", dir);
    static const unsigned char labels[3] = {1, 0, 1};
    buf im = ubyte_images(3, 4, 2), lb = ubyte_labels(3, labels), imz = gzip(&im);
    FILE *f = fopen(pi, "wb");
    CHECK(f && fwrite(imz.b, 1, imz.n, f) == imz.n && fclose(f) == 0);
    f = fopen(pl, "wb");
    CHECK(f && fwrite(lb.b, 1, lb.n, f) == lb.n && fclose(f) == 0);
    xn_data d;
    xn_error err;
    CHECK_STATUS(xn_data_load_idx_images(&d, pi, &err), XN_OK);
    check_images(&d, 3, 4, 2);
    CHECK_STATUS(xn_data_load_idx_labels(&d, pl, 2, &err), XN_OK);
    CHECK(d.out == 2 && d.y && d.y[1] == 1.0 && d.y[2] == 1.0 && d.y[5] == 1.0);
    xn_data_free(&d);
    CHECK_STATUS(xn_data_load_idx_images(&d, "/nonexistent/images", &err), XN_EIO);
    CHECK(is_empty(&d) && err.line == 0 && strstr(err.msg, "cannot open"));
    CHECK_STATUS(xn_data_load_idx_images(&d, pi, &err), XN_OK);
    double *x = d.x;
    CHECK_STATUS(xn_data_load_idx_labels(&d, "/nonexistent/labels", 0, &err), XN_EIO);
    CHECK(d.x == x && d.n == 3 && d.out == 0 && d.y == NULL); /* the images stay */
    xn_data_free(&d);
    CHECK_STATUS(xn_data_load_idx_images(NULL, pi, &err), XN_EINVAL);
    CHECK_STATUS(xn_data_load_idx_images(&d, NULL, &err), XN_EINVAL);
    remove(pi);
    remove(pl);
    rmdir(dir);
    free(im.b), free(lb.b), free(imz.b);
}

/* ---- bad files --------------------------------------------------------- */

typedef struct {
    const char *what;
    buf bytes;
    bool labels;     /* a label file for the 3 images of good_images */
    size_t classes;
    const char *msg;
} bad_case;

static buf bytes_of(const void *p, size_t n)
{
    buf o = {0};
    put(&o, p, n);
    return o;
}

static buf dims_file(int type, size_t ndim, const uint32_t *dims, size_t payload)
{
    buf o = {0};
    header(&o, type, ndim, dims);
    for (size_t i = 0; i < payload; i++)
        put(&o, "\x01", 1);
    return o;
}

static void test_malformed(void)
{
    static const unsigned char three[3] = {0, 1, 2};
    buf good_images = ubyte_images(3, 2, 2), good_labels = ubyte_labels(3, three);
    buf gz = gzip(&good_images);

    /* gzip breakages: a flipped byte inside the deflate data, a wrong CRC
     * in the trailer, the last bytes cut, bytes after the stream */
    buf corrupt = bytes_of(gz.b, gz.n), crc = bytes_of(gz.b, gz.n), cut = bytes_of(gz.b, gz.n - 5),
        trail = bytes_of(gz.b, gz.n);
    corrupt.b[12] ^= 0xff;
    crc.b[crc.n - 8] ^= 0x01;
    put(&trail, "junk", 4);

    const uint32_t d3[3] = {3, 2, 2}, d1[1] = {3}, big[3] = {2, 0xffffffffu, 0xffffffffu},
                   over[3] = {65536, 256, 65}, zero[3] = {3, 0, 2}, d4[1] = {4}, d2[2] = {3, 1};
    const unsigned char magic[] = {'P', '5', '\n', '2'}, type_a[] = {0, 0, 0x0a, 1, 0, 0, 0, 1, 7},
                        ndim0[] = {0, 0, 8, 0}, short_hdr[] = {0, 0, 8, 3, 0, 0, 0, 3, 0, 0},
                        sbyte_neg[] = {0, 0, 9, 1, 0, 0, 0, 3, 0, 0xff, 1},
                        big_label[] = {0, 0, 0x0c, 1, 0, 0, 0, 3, 0, 0, 0, 1, 0, 1, 0x11, 0x70, 0, 0, 0, 0};
    const unsigned char nan_float[] = {0, 0, 0x0d, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0x3f, 0x80, 0, 0, 0x7f, 0xc0, 0, 0};
    buf trailing = dims_file(0x08, 3, d3, 13), truncated = dims_file(0x08, 3, d3, 7),
        labels4 = dims_file(0x08, 1, d4, 4), labels2d = dims_file(0x08, 2, d2, 3);
    bad_case cases[] = {
        {"empty", {0}, false, 0, "empty file"},
        {"three bytes", bytes_of("\0\0\x08", 3), false, 0, "truncated: 3 bytes, shorter than the 4-byte"},
        {"magic", bytes_of(magic, 4), false, 0, "not an IDX file: it starts with bytes 50 35 0a 32"},
        {"type code", bytes_of(type_a, sizeof type_a), false, 0, "byte offset 2: unknown IDX type code 0x0a"},
        {"float labels", dims_file(0x0d, 1, d1, 12), true, 0, "type code 0x0d (float), but labels are whole"},
        {"no dimensions", bytes_of(ndim0, 4), false, 0, "byte offset 3: 0 dimensions"},
        {"labels as images", bytes_of(good_labels.b, good_labels.n), false, 0, "1 dimension, so a label file?"},
        {"images as labels", bytes_of(good_images.b, good_images.n), true, 0, "3 dimensions, so an image file?"},
        {"2-d labels", labels2d, true, 0, "2 dimensions, so an image file?"},
        {"short header", bytes_of(short_hdr, sizeof short_hdr), false, 0,
         "truncated in the header: 3 dimensions take bytes 4 to 15, the data ends at byte 10"},
        {"zero dimension", dims_file(0x08, 3, zero, 0), false, 0, "byte offset 8: dimension 2 is 0"},
        {"overflow", dims_file(0x08, 3, big, 0), false, 0, "byte offset 8: dimension 2 (4294967295) makes more than the limit"},
        {"over the limit", dims_file(0x08, 3, over, 0), false, 0, "byte offset 12: dimension 3 (65) makes more than the limit of 1073741824 values"},
        {"truncated", truncated, false, 0,
         "truncated at byte offset 23: the header declares 3 images of 4 bytes, ending at byte offset 28"},
        {"trailing", trailing, false, 0, "byte offset 28: more data than the 3 images the header declares"},
        {"count mismatch", labels4, true, 0, "byte offset 4: 4 labels, but there are 3 images"},
        {"label over classes", bytes_of(good_labels.b, good_labels.n), true, 2,
         "byte offset 10 (label index 2): label 2 is not below the 2 classes"},
        {"negative label", bytes_of(sbyte_neg, sizeof sbyte_neg), true, 0,
         "byte offset 9 (label index 1): label -1 is negative"},
        {"label over the class limit", bytes_of(big_label, sizeof big_label), true, 0,
         "byte offset 12 (label index 1): label 70000 is not below the limit of 65536 classes"},
        {"non-finite float", bytes_of(nan_float, sizeof nan_float), false, 0,
         "byte offset 16 (image index 0): the value is not finite"},
        {"corrupt gzip", corrupt, false, 0, "corrupt gzip data ("},
        {"gzip crc", crc, false, 0, "corrupt gzip data (incorrect data check)"},
        {"gzip cut", cut, false, 0, "the gzip stream is cut short (truncated file)"},
        {"gzip trailing", trail, false, 0, "4 bytes after the end of the gzip stream"},
        {"gzip of nothing", gzip(&(buf){0}), false, 0, "no data in the gzip stream"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        bad_case *b = &cases[c];
        xn_data d;
        xn_error err;
        memset(&err, 0, sizeof err);
        xn_status s;
        bool state_ok;
        if (b->labels) {
            CHECK_STATUS(xn_data_parse_idx_images(&d, good_images.b, good_images.n, &err), XN_OK);
            double *x = d.x;
            s = xn_data_parse_idx_labels(&d, b->bytes.b, b->bytes.n, b->classes, &err);
            state_ok = d.x == x && d.n == 3 && d.in == 4 && d.out == 0 && d.y == NULL;
        } else {
            s = xn_data_parse_idx_images(&d, b->bytes.b, b->bytes.n, &err);
            state_ok = is_empty(&d);
        }
        if (s != XN_EFORMAT || !state_ok || err.line != 0 || !strstr(err.msg, b->msg) || strchr(err.msg, '\n')) {
            fprintf(stderr, "case '%s': status %d, data %s, msg '%s'\n", b->what, (int)s,
                    state_ok ? "as it should be" : "changed", err.msg);
            check_failures++;
        }
        xn_data_free(&d);
        free(b->bytes.b);
    }

    /* one-hot targets over the limit: 16385 labels, one of them 65535 */
    buf im = {0}, lb = {0};
    const uint32_t dn[2] = {16385, 1}, ln = 16385;
    header(&im, 0x08, 2, dn);
    header(&lb, 0x0c, 1, &ln);
    for (size_t i = 0; i < ln; i++) {
        put(&im, "\x01", 1);
        put_be(&lb, i == 7 ? 65535 : 1, 4);
    }
    xn_data d;
    xn_error err;
    CHECK_STATUS(xn_data_parse_idx_images(&d, im.b, im.n, &err), XN_OK);
    largest = 0;
    CHECK_STATUS(xn_data_parse_idx_labels(&d, lb.b, lb.n, 0, &err), XN_EFORMAT);
    CHECK(strstr(err.msg, "one-hot targets of 16385 labels x 65536 classes are more than the limit"));
    CHECK(largest < 1024); /* refused before allocating */
    CHECK(d.out == 0 && d.y == NULL);

    /* the calls' own checks */
    CHECK_STATUS(xn_data_parse_idx_labels(&d, good_labels.b, good_labels.n, 0, &err), XN_EFORMAT); /* 3 vs 16385 */
    CHECK_STATUS(xn_data_parse_idx_labels(&d, lb.b, lb.n, XN_DATA_MAX_CLASSES + 1, &err), XN_EINVAL);
    CHECK_STATUS(xn_data_parse_idx_labels(&d, NULL, 4, 0, &err), XN_EINVAL);
    CHECK_STATUS(xn_data_parse_idx_labels(NULL, lb.b, lb.n, 0, &err), XN_EINVAL);
    xn_data_free(&d);
    CHECK_STATUS(xn_data_parse_idx_labels(&d, lb.b, lb.n, 0, &err), XN_EINVAL); /* no images */
    CHECK(strstr(err.msg, "read the image file first"));
    CHECK_STATUS(xn_data_parse_idx_images(&d, good_images.b, good_images.n, &err), XN_OK);
    CHECK_STATUS(xn_data_parse_idx_labels(&d, good_labels.b, good_labels.n, 0, &err), XN_OK);
    CHECK_STATUS(xn_data_parse_idx_labels(&d, good_labels.b, good_labels.n, 0, &err), XN_EINVAL);
    CHECK(strstr(err.msg, "already has targets") && d.out == 3);
    xn_data_free(&d);
    CHECK_STATUS(xn_data_parse_idx_images(NULL, good_images.b, good_images.n, &err), XN_EINVAL);
    CHECK_STATUS(xn_data_parse_idx_images(&d, NULL, 3, &err), XN_EINVAL);
    /* a NULL err is fine */
    CHECK_STATUS(xn_data_parse_idx_images(&d, "\0\0\x08", 3, NULL), XN_EFORMAT);
    free(im.b), free(lb.b), free(gz.b), free(good_images.b), free(good_labels.b);
}

/* ---- bounded memory ---------------------------------------------------- */

/* A header promising far more than the file holds never makes the reader
 * allocate the promise: plain, nothing until the bytes are seen; gzip, a
 * buffer that grows with the bytes inflated (at most twice them, or 64 KiB). */
static void test_bounded(void)
{
    /* 60000 images of 28 x 28 (47 MB) declared; 1 MB of zeros present */
    const uint32_t dims[3] = {60000, 28, 28};
    size_t present = (size_t)1 << 20;
    buf o = dims_file(0x08, 3, dims, 0);
    unsigned char *zeros = calloc(present, 1);
    put(&o, zeros, present);
    free(zeros);
    buf z = gzip(&o);
    CHECK(z.n < present / 100); /* zeros compress about 1000:1 */
    xn_data d;
    xn_error err;
    largest = 0;
    CHECK_STATUS(xn_data_parse_idx_images(&d, o.b, o.n, &err), XN_EFORMAT);
    CHECK(strstr(err.msg, "truncated at byte offset 1048592: the header declares 60000 images"));
    CHECK(largest == 0);
    largest = 0;
    CHECK_STATUS(xn_data_parse_idx_images(&d, z.b, z.n, &err), XN_EFORMAT);
    CHECK(strstr(err.msg, "the gzip stream is cut short") == NULL); /* the stream is whole: */
    CHECK(strstr(err.msg, "truncated at byte offset 1048592"));      /* the IDX data is short */
    CHECK(largest <= 2 * o.n + 65536 && largest >= o.n);
    /* a gzip file of a valid header then cut: the buffer stays small */
    buf cut = bytes_of(z.b, z.n / 2);
    largest = 0;
    CHECK_STATUS(xn_data_parse_idx_images(&d, cut.b, cut.n, &err), XN_EFORMAT);
    CHECK(strstr(err.msg, "cut short"));
    CHECK(largest <= 2 * o.n + 65536);
    free(o.b), free(z.b), free(cut.b);
}

/* ---- the header alone -------------------------------------------------- */

/* A gzip bomb: 2^20 images of 32 x 32 bytes (1 GiB) in a file of about
 * 1 MB, one member for the header and 64 members of 16 MiB of zeros each
 * (gzip -d reads members back to back, as the reader does).  Its header
 * is read without inflating the images: no allocation past 64 KiB. */
static buf bomb(void)
{
    const uint32_t dims[3] = {1u << 20, 32, 32};
    buf h = dims_file(0x08, 3, dims, 0), zeros = {0};
    zeros.n = zeros.cap = (size_t)16 << 20;
    zeros.b = calloc(zeros.n, 1);
    buf hz = gzip(&h), zz = gzip(&zeros), o = {0};
    put(&o, hz.b, hz.n);
    for (int i = 0; i < 64; i++)
        put(&o, zz.b, zz.n);
    free(h.b), free(zeros.b), free(hz.b), free(zz.b);
    return o;
}

static void test_header(void)
{
    char dir[] = "/tmp/xn-test-idx-XXXXXX", path[64];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/bomb.gz", dir);
    buf b = bomb();
    CHECK(b.n < (size_t)2 << 20);
    FILE *f = fopen(path, "wb");
    CHECK(f && fwrite(b.b, 1, b.n, f) == b.n && fclose(f) == 0);
    xn_idx_header h;
    xn_error err;
    largest = 0;
    CHECK_STATUS(xn_idx_read_header(path, &h, &err), XN_OK);
    CHECK(h.type == 0x08 && h.ndim == 3 && h.items == (size_t)1 << 20 && h.item == 1024);
    CHECK(largest <= (size_t)1 << 16);
    largest = 0;
    memset(&h, 0, sizeof h);
    CHECK_STATUS(xn_idx_parse_header(b.b, b.n, &h, &err), XN_OK);
    CHECK(h.items == (size_t)1 << 20 && h.item == 1024 && largest <= (size_t)1 << 16);
    /* a label file: one dimension, an item of one value */
    static const unsigned char labels[3] = {1, 0, 1};
    buf lb = ubyte_labels(3, labels);
    CHECK_STATUS(xn_idx_parse_header(lb.b, lb.n, &h, &err), XN_OK);
    CHECK(h.ndim == 1 && h.items == 3 && h.item == 1);
    /* a header past the first 64 KiB of the file (5000 empty gzip members
     * before it) is found in the whole file */
    buf none = {0}, lz = gzip(&lb), far = {0};
    buf nz = gzip(&none);
    for (int i = 0; i < 5000; i++)
        put(&far, nz.b, nz.n);
    put(&far, lz.b, lz.n);
    CHECK(far.n > (size_t)1 << 16);
    f = fopen(path, "wb");
    CHECK(f && fwrite(far.b, 1, far.n, f) == far.n && fclose(f) == 0);
    memset(&h, 0, sizeof h);
    CHECK_STATUS(xn_idx_read_header(path, &h, &err), XN_OK);
    CHECK(h.items == 3 && h.item == 1);
    /* refusals, with the readers' messages */
    CHECK_STATUS(xn_idx_parse_header("\1\2\3\4", 4, &h, &err), XN_EFORMAT);
    CHECK(strstr(err.msg, "not an IDX file") != NULL);
    CHECK_STATUS(xn_idx_read_header("/nonexistent/x.idx", &h, &err), XN_EIO);
    CHECK(strstr(err.msg, "cannot open") != NULL);
    CHECK_STATUS(xn_idx_read_header(NULL, &h, &err), XN_EINVAL);
    CHECK_STATUS(xn_idx_parse_header(b.b, b.n, NULL, &err), XN_EINVAL);
    remove(path);
    rmdir(dir);
    free(b.b), free(lb.b), free(lz.b), free(nz.b), free(far.b);
}

/* Random damage to good files: no crash, and each failure leaves d as the
 * contract says, with a message. */
static void test_random(void)
{
    static const unsigned char labels[4] = {1, 2, 0, 1};
    buf im = ubyte_images(4, 3, 3), lb = ubyte_labels(4, labels);
    buf imz = gzip(&im), lbz = gzip(&lb);
    const buf *files[4] = {&im, &lb, &imz, &lbz};
    xn_rng rng;
    xn_rng_seed(&rng, XN_RNG_NUMPY, 11);
    size_t good = 0, bad = 0;
    for (int trial = 0; trial < 20000; trial++) {
        const buf *src = files[trial % 4];
        buf m = bytes_of(src->b, src->n);
        for (int k = 0; k < 1 + trial % 3; k++)
            m.b[xn_rng_u32(&rng) % m.n] = (unsigned char)xn_rng_u32(&rng);
        if (trial % 5 == 0)
            m.n = xn_rng_u32(&rng) % m.n;
        xn_data d;
        xn_error err;
        xn_status s;
        if (trial % 2 == 0) {
            s = xn_data_parse_idx_images(&d, m.b, m.n, &err);
            CHECK(s == XN_OK ? d.n >= 1 && d.in >= 1 && d.x != NULL : is_empty(&d));
        } else {
            CHECK_STATUS(xn_data_parse_idx_images(&d, im.b, im.n, &err), XN_OK);
            s = xn_data_parse_idx_labels(&d, m.b, m.n, trial % 3, &err);
            CHECK(s == XN_OK ? d.out >= 1 && d.y != NULL : d.out == 0 && d.y == NULL);
        }
        if (s == XN_OK) {
            good++;
        } else {
            bad++;
            CHECK(s == XN_EFORMAT && err.msg[0] && err.line == 0);
        }
        xn_data_free(&d);
        free(m.b);
    }
    CHECK(good > 100 && bad > 100); /* both paths were taken */
    free(im.b), free(lb.b), free(imz.b), free(lbz.b);
}

int main(void)
{
    test_plain_and_gzip();
    test_types();
    test_files();
    test_malformed();
    test_bounded();
    test_header();
    test_random();
    CHECK_DONE();
}
