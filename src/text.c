/* Bounded text scanning shared by the model reader (io.c) and the data
 * reader (data.c): whole-file reads, lines, blank-separated tokens, numbers
 * and one-line error messages.  Nothing here reads past the given length. */
#include "text.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void xn_lines_init(xn_lines *t, const char *text, size_t len)
{
    t->text = text;
    t->len = text ? len : 0;
    t->pos = 0;
    t->line = 0;
}

bool xn_lines_next(xn_lines *t, const char **s, size_t *n)
{
    if (t->pos >= t->len)
        return false;
    const char *start = t->text + t->pos;
    const char *nl = memchr(start, '\n', t->len - t->pos);
    size_t k = nl ? (size_t)(nl - start) : t->len - t->pos;
    t->pos += nl ? k + 1 : k;
    t->line++;
    if (k > 0 && start[k - 1] == '\r')
        k--;
    *s = start;
    *n = k;
    return true;
}

bool xn_lines_content(xn_lines *t, const char **s, size_t *n)
{
    while (xn_lines_next(t, s, n)) {
        size_t i = 0;
        while (i < *n && xn_is_blank((*s)[i]))
            i++;
        if (i < *n && (*s)[i] != '#')
            return true;
    }
    return false;
}

size_t xn_lines_end_line(const xn_lines *t)
{
    return t->line ? t->line : 1;
}

bool xn_token(const char **s, const char *end, const char **tok, size_t *n)
{
    const char *p = *s;
    while (p < end && xn_is_blank(*p))
        p++;
    if (p == end) {
        *s = p;
        return false;
    }
    const char *q = p;
    while (q < end && !xn_is_blank(*q))
        q++;
    *tok = p;
    *n = (size_t)(q - p);
    *s = q;
    return true;
}

size_t xn_token_count(const char *s, const char *end)
{
    const char *tok;
    size_t n, count = 0;
    while (xn_token(&s, end, &tok, &n))
        count++;
    return count;
}

bool xn_token_is(const char *tok, size_t n, const char *w)
{
    return strlen(w) == n && memcmp(tok, w, n) == 0;
}

xn_num xn_parse_double(const char *tok, size_t n, double *out)
{
    char buf[XN_TEXT_MAX_TOKEN + 1];
    if (n > XN_TEXT_MAX_TOKEN)
        return XN_NUM_LONG;
    if (n == 0)
        return XN_NUM_BAD;
    memcpy(buf, tok, n);
    buf[n] = '\0';
    /* strtod also takes leading blanks and hexadecimal; a number here is
     * decimal, so the spellings it accepts are those of %.17g and people */
    bool decimal = true, digit = false;
    for (size_t i = 0; i < n; i++) {
        char c = buf[i];
        if (c >= '0' && c <= '9')
            digit = true;
        else if (c != '+' && c != '-' && c != '.' && c != 'e' && c != 'E')
            decimal = false;
    }
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (end != buf + n)
        return XN_NUM_BAD;
    if (!isfinite(v))
        return decimal ? XN_NUM_RANGE : XN_NUM_NONFINITE;
    if (!decimal || !digit)
        return XN_NUM_BAD;
    /* ERANGE with a nonzero result is a subnormal, which %.17g prints and
     * must read back; a nonzero literal that became 0 is out of range */
    if (errno == ERANGE && v == 0.0) {
        for (size_t i = 0; i < n && buf[i] != 'e' && buf[i] != 'E'; i++)
            if (buf[i] >= '1' && buf[i] <= '9')
                return XN_NUM_RANGE;
    }
    *out = v;
    return XN_NUM_OK;
}

xn_num xn_parse_size(const char *tok, size_t n, size_t max, size_t *out)
{
    if (n == 0)
        return XN_NUM_BAD;
    size_t v = 0;
    bool big = false;
    for (size_t i = 0; i < n; i++) {
        if (tok[i] < '0' || tok[i] > '9')
            return XN_NUM_BAD;
        size_t d = (size_t)(tok[i] - '0');
        if (v > (max - d) / 10)
            big = true;
        else
            v = v * 10 + d;
    }
    if (big)
        return XN_NUM_RANGE;
    *out = v;
    return XN_NUM_OK;
}

const char *xn_num_why(xn_num r)
{
    switch (r) {
    case XN_NUM_OK: return "number";
    case XN_NUM_BAD: return "not a number";
    case XN_NUM_NONFINITE: return "non-finite number";
    case XN_NUM_RANGE: return "number out of range";
    case XN_NUM_LONG: return "number too long";
    }
    return "not a number";
}

const char *xn_quote(char *buf, size_t cap, const char *tok, size_t n)
{
    if (cap == 0)
        return buf;
    size_t k = 0;
    bool cut = n > cap - 1;
    size_t keep = cut ? (cap > 4 ? cap - 4 : 0) : n;
    for (; k < keep; k++) {
        unsigned char c = (unsigned char)tok[k];
        buf[k] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    if (cut)
        for (size_t i = 0; i < 3 && k + 1 < cap; i++)
            buf[k++] = '.';
    buf[k] = '\0';
    return buf;
}

void xn_vformat(char *buf, size_t cap, const char *fmt, va_list ap)
{
    vsnprintf(buf, cap, fmt, ap);
    /* one line, whatever strerror or a caller's text held */
    for (char *p = buf; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
}

void xn_error_clear(xn_error *err)
{
    if (err) {
        err->line = 0;
        err->msg[0] = '\0';
    }
}

xn_status xn_fail(xn_error *err, size_t line, xn_status s, const char *fmt, ...)
{
    if (!err)
        return s;
    err->line = line;
    va_list ap;
    va_start(ap, fmt);
    xn_vformat(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return s;
}

/* Reads f to its end under the cap; what ("file", "input") names it in the
 * message about the cap.  The caller closes f. */
static xn_status read_all(FILE *f, size_t max, const char *what, char **buf, size_t *len,
                          xn_error *err)
{
    *buf = NULL;
    *len = 0;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    if (!b)
        return xn_fail(err, 0, XN_ENOMEM, "out of memory");
    for (;;) {
        if (n == cap - 1) {
            if (cap - 1 > max) {
                free(b);
                return xn_fail(err, 0, XN_EFORMAT, "%s is larger than the limit of %zu bytes", what, max);
            }
            size_t ncap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
            char *nb = realloc(b, ncap);
            if (!nb) {
                free(b);
                return xn_fail(err, 0, XN_ENOMEM, "out of memory");
            }
            b = nb;
            cap = ncap;
        }
        size_t got = fread(b + n, 1, cap - 1 - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        int e = errno;
        free(b);
        return xn_fail(err, 0, XN_EIO, "cannot read: %s", strerror(e));
    }
    if (n > max) {
        free(b);
        return xn_fail(err, 0, XN_EFORMAT, "%s is larger than the limit of %zu bytes", what, max);
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return XN_OK;
}

xn_status xn_read_stream(FILE *f, size_t max, char **buf, size_t *len, xn_error *err)
{
    return read_all(f, max, "input", buf, len, err);
}

xn_status xn_read_file(const char *path, size_t max, char **buf, size_t *len,
                       xn_error *err)
{
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return xn_fail(err, 0, XN_EIO, "cannot open: %s", strerror(errno));
    xn_status s = read_all(f, max, "file", buf, len, err);
    fclose(f);
    return s;
}
