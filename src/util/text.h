/* Private helpers for the text readers and writers of model and data files:
 * reading a whole file under a size cap, a line splitter and a tokenizer
 * that never look past the end of the text (which need not end in NUL),
 * bounded number parsers and a number printer that ignore the host's
 * LC_NUMERIC, and error reporting into xn_error. */
#ifndef XORNET_TEXT_H
#define XORNET_TEXT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "xornet/xornet.h"

/* Largest file xn_net_load, xn_data_load and xn_samples_load read: 8 GiB,
 * more than any model at XN_MAX_PARAMS needs (at most 25 bytes a number).
 * The parse functions take any len. */
#if SIZE_MAX > 0xffffffffu
#define XN_TEXT_MAX_FILE ((size_t)8 << 30)
#else
#define XN_TEXT_MAX_FILE ((size_t)1 << 30)
#endif

/* Longest number or word a reader looks at; %.17g needs at most 24. */
#define XN_TEXT_MAX_TOKEN 63

/* Lines of a text of len bytes.  `line` is the 1-based number of the line
 * last returned (0 before the first). */
typedef struct {
    const char *text;
    size_t len, pos, line;
} xn_lines;

/* Starts at the first line; a UTF-8 byte-order mark (EF BB BF) before it
 * is skipped, as text editors on some systems write one. */
void xn_lines_init(xn_lines *t, const char *text, size_t len);
/* The next line without its '\n' (and a '\r' before it): false at the end. */
bool xn_lines_next(xn_lines *t, const char **s, size_t *n);
/* The next line that is neither blank nor a comment (first non-blank
 * character '#'); false at the end. */
bool xn_lines_content(xn_lines *t, const char **s, size_t *n);
/* Line number to blame for an unexpected end: the last line, at least 1. */
size_t xn_lines_end_line(const xn_lines *t);
/* After the last line has been read: a text that does not end in '\n' may
 * have been cut short (a copy or a download interrupted inside its last
 * line, perhaps inside its last number), so it is XN_EFORMAT at that line.
 * XN_OK for a text that ends in '\n' and for an empty one (the caller
 * refuses that in its own words). */
xn_status xn_lines_check_end(const xn_lines *t, xn_error *err);

static inline bool xn_is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* The next blank-separated token of [*s, end): advances *s past it and
 * returns false when only blanks are left. */
bool xn_token(const char **s, const char *end, const char **tok, size_t *n);
/* The number of blank-separated tokens in [s, end). */
size_t xn_token_count(const char *s, const char *end);
/* tok (n bytes) equals the NUL-terminated word w. */
bool xn_token_is(const char *tok, size_t n, const char *w);

typedef enum {
    XN_NUM_OK,
    XN_NUM_BAD,        /* not a decimal number */
    XN_NUM_NONFINITE,  /* nan, inf, infinity */
    XN_NUM_RANGE,      /* overflows, or a nonzero value that underflows to 0 */
    XN_NUM_LONG        /* longer than XN_TEXT_MAX_TOKEN */
} xn_num;

/* A decimal floating-point number (strtod on a bounded NUL-terminated copy;
 * hexadecimal forms are refused).  Subnormal results are accepted, so every
 * double printed with %.17g reads back exactly.  The decimal point is '.'
 * whatever LC_NUMERIC the host program has set. */
xn_num xn_parse_double(const char *tok, size_t n, double *out);
/* A whole number of decimal digits only, at most max (XN_NUM_RANGE past it). */
xn_num xn_parse_size(const char *tok, size_t n, size_t max, size_t *out);
/* Why a number was refused, e.g. "non-finite number". */
const char *xn_num_why(xn_num r);

/* Longest text xn_format_double writes, with its NUL: %.17g needs 25. */
#define XN_DOUBLE_CHARS 32

/* v as %.17g (which reads back as the same double), or as %.9g for a
 * float's value (which reads back as the same float), with '.' as the
 * decimal point whatever LC_NUMERIC the host program has set, into buf;
 * returns buf. */
const char *xn_format_double(char buf[XN_DOUBLE_CHARS], double v);
const char *xn_format_float(char buf[XN_DOUBLE_CHARS], float v);
/* v with the fewest digits (15 to 17) that read back as v, for messages. */
const char *xn_format_shortest(char buf[XN_DOUBLE_CHARS], double v);

/* Copies tok into buf (cap bytes, NUL-terminated) for a message: bytes
 * outside printable ASCII become '?' and a long token is cut with "...". */
const char *xn_quote(char *buf, size_t cap, const char *tok, size_t n);

/* The one formatter behind every message the library leaves: vsnprintf
 * into buf (cap bytes), with any line break turned into a space. */
void xn_vformat(char *buf, size_t cap, const char *fmt, va_list ap);
/* Clears err (may be NULL): line 0, empty message. */
void xn_error_clear(xn_error *err);
/* Fills err (may be NULL) with line and the formatted one-line message;
 * returns s. */
xn_status xn_fail(xn_error *err, size_t line, xn_status s, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The same for a checker's refusal of a configuration field: line 0 and
 * err->setting = setting. */
xn_status xn_fail_setting(xn_error *err, const char *setting, xn_status s, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Reads the file at path into *buf (malloc'd, *len bytes, NUL appended but
 * not counted).  A regular file's size is checked before anything is read;
 * any other file (a pipe, a device) is read until its end, the limit or a
 * NUL byte, whichever comes first.  Nothing over max + 2 bytes is ever
 * allocated.  XN_EIO (cannot open or read; line 0), XN_EFORMAT (larger
 * than max bytes, line 0; or a NUL byte, which no text file holds, at its
 * line), XN_ENOMEM (a real allocation failure). */
xn_status xn_read_file(const char *path, size_t max, char **buf, size_t *len,
                       xn_error *err);
/* A text file read whole (xn_read_file, at most XN_TEXT_MAX_FILE bytes) and
 * handed to parse with ctx: what every reader of a path does.  XN_EINVAL
 * for a NULL path, else xn_read_file's failures or parse's status. */
typedef xn_status (*xn_text_parser)(const char *text, size_t len, void *ctx, xn_error *err);
xn_status xn_parse_file(const char *path, xn_text_parser parse, void *ctx, xn_error *err);
/* A copy of the k strings s, each and the array malloc'd (free each, then
 * the array: xn_strings_free); NULL if memory runs out. */
char **xn_strings_copy(const char *const *s, size_t k);
void xn_strings_free(char **s, size_t k);
/* The same from an open stream (such as stdin), read to its end; the caller
 * closes it. */
xn_status xn_read_stream(FILE *f, size_t max, char **buf, size_t *len, xn_error *err);
/* xn_read_file for a binary file (IDX): NUL bytes are data. */
xn_status xn_read_binary(const char *path, size_t max, char **buf, size_t *len, xn_error *err);

#endif
