/* Bounded text scanning shared by the model reader (io.c) and the data
 * reader (data.c): whole-file reads, lines, blank-separated tokens, numbers
 * and one-line error messages.  Nothing here reads past the given length,
 * and nothing depends on the host's LC_NUMERIC. */
#define _POSIX_C_SOURCE 200809L /* fileno, fstat */

#include "text.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void xn_lines_init(xn_lines *t, const char *text, size_t len)
{
    t->text = text;
    t->len = text ? len : 0;
    t->pos = 0;
    t->line = 0;
    if (t->len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        t->pos = 3;
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

xn_status xn_lines_check_end(const xn_lines *t, xn_error *err)
{
    if (t->len == 0 || t->text[t->len - 1] == '\n')
        return XN_OK;
    return xn_fail(err, xn_lines_end_line(t), XN_EFORMAT,
                   "no newline at the end of the file: it may be cut short "
                   "(end it with a newline if it is whole)");
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

/* strtod reads the decimal point of LC_NUMERIC, which a host program may
 * have set to a locale writing "0,5".  Files always use '.': when strtod
 * stopped at a '.', buf (n bytes, NUL-terminated) is read again with the
 * locale's own decimal point in its place.  That point is found by
 * printing 0.5 in the same locale, so no locale state is read or changed.
 * True if the whole token was read then, with *v and *end set. */
static bool locale_retry(const char *buf, size_t n, double *v, char **end)
{
    const char *dot = memchr(buf, '.', n);
    char half[16], copy[XN_TEXT_MAX_TOKEN + sizeof half];
    int w = snprintf(half, sizeof half, "%.1f", 0.5);
    /* "0" point "5": the point is what lies between */
    if (!dot || w < 3 || (size_t)w >= sizeof half || half[0] != '0' || half[w - 1] != '5')
        return false;
    size_t plen = (size_t)w - 2, head = (size_t)(dot - buf);
    if (plen == 1 && half[1] == '.')
        return false; /* the locale's point is '.': the token is bad */
    memcpy(copy, buf, head);
    memcpy(copy + head, half + 1, plen);
    memcpy(copy + head + plen, dot + 1, n - head); /* the rest and its NUL */
    char *e;
    errno = 0;
    double r = strtod(copy, &e);
    if (*e != '\0')
        return false;
    *v = r;
    *end = (char *)buf + n;
    return true;
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
    if (end != buf + n && !locale_retry(buf, n, &v, &end))
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
        if (d > max || v > (max - d) / 10)
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

/* v as %.<digits>g into buf, the locale's decimal point written '.'. */
static const char *format_g(char buf[XN_DOUBLE_CHARS], int digits, double v)
{
    char raw[64];
    int w = snprintf(raw, sizeof raw, "%.*g", digits, v);
    size_t k = 0;
    bool point = false;
    /* %.17g writes a sign, digits, the locale's decimal point (one byte or
     * several) and an exponent: whatever is none of those is the point,
     * written as '.' */
    for (int i = 0; i < w && k + 1 < XN_DOUBLE_CHARS; i++) {
        unsigned char c = (unsigned char)raw[i];
        bool keep = (c >= '0' && c <= '9') || c == '-' || c == '+' || (c >= 'a' && c <= 'z') ||
                    (c >= 'A' && c <= 'Z');
        if (keep) {
            buf[k++] = (char)c;
            point = false;
        } else if (!point) {
            buf[k++] = '.';
            point = true;
        }
    }
    buf[k] = '\0';
    return buf;
}

const char *xn_format_double(char buf[XN_DOUBLE_CHARS], double v)
{
    return format_g(buf, 17, v);
}

const char *xn_format_float(char buf[XN_DOUBLE_CHARS], float v)
{
    return format_g(buf, 9, (double)v);
}

const char *xn_format_shortest(char buf[XN_DOUBLE_CHARS], double v)
{
    for (int digits = 15; digits < 17; digits++) {
        double back;
        if (xn_parse_double(format_g(buf, digits, v), strlen(buf), &back) == XN_NUM_OK && back == v)
            return buf;
    }
    return format_g(buf, 17, v);
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
        err->setting[0] = '\0';
    }
}

xn_status xn_fail(xn_error *err, size_t line, xn_status s, const char *fmt, ...)
{
    if (!err)
        return s;
    err->line = line;
    err->setting[0] = '\0';
    va_list ap;
    va_start(ap, fmt);
    xn_vformat(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return s;
}

xn_status xn_fail_setting(xn_error *err, const char *setting, xn_status s, const char *fmt, ...)
{
    if (!err)
        return s;
    err->line = 0;
    snprintf(err->setting, sizeof err->setting, "%s", setting);
    va_list ap;
    va_start(ap, fmt);
    xn_vformat(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return s;
}

/* No text file holds a NUL byte, and /dev/zero holds nothing else, so
 * reading stops at the first: XN_EFORMAT at its line.  b holds the text
 * read so far, nul points into it. */
static xn_status nul_byte(const char *b, const char *nul, xn_error *err)
{
    size_t line = 1;
    for (const char *p = b; (p = memchr(p, '\n', (size_t)(nul - p))) != NULL; p++)
        line++;
    return xn_fail(err, line, XN_EFORMAT, "a NUL byte: not a text file");
}

static xn_status too_long(const char *what, size_t max, xn_error *err)
{
    return xn_fail(err, 0, XN_EFORMAT, "%s is larger than the limit of %zu bytes", what, max);
}

/* Reads f to its end under the cap, starting with room for hint bytes (a
 * regular file's size; 0 if unknown); what ("file", "input") names it in
 * the message about the cap; a text stops at a NUL byte.  The buffer grows
 * by doubling but never past max + 2 bytes: max + 1 show that the input is
 * too long, and the NUL.  The caller closes f. */
static xn_status read_all(FILE *f, size_t max, size_t hint, const char *what, bool text, char **buf,
                          size_t *len, xn_error *err)
{
    *buf = NULL;
    *len = 0;
    size_t limit = max > SIZE_MAX - 2 ? SIZE_MAX : max + 2;
    /* a regular file: its size, and one byte more to see it has not grown */
    size_t cap = hint ? (hint > SIZE_MAX - 2 ? SIZE_MAX : hint + 2) : (size_t)1 << 16;
    if (cap > limit)
        cap = limit;
    char *b = malloc(cap);
    if (!b)
        return xn_fail(err, 0, XN_ENOMEM, "out of memory");
    size_t n = 0;
    for (;;) {
        if (n == cap - 1) {
            if (cap == limit) {
                free(b);
                return too_long(what, max, err);
            }
            size_t ncap = cap > limit / 2 ? limit : cap * 2;
            char *nb = realloc(b, ncap);
            if (!nb) {
                free(b);
                return xn_fail(err, 0, XN_ENOMEM, "out of memory");
            }
            b = nb;
            cap = ncap;
        }
        size_t got = fread(b + n, 1, cap - 1 - n, f);
        const char *nul = text && got ? memchr(b + n, '\0', got) : NULL;
        if (nul) {
            xn_status s = nul_byte(b, nul, err);
            free(b);
            return s;
        }
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
        return too_long(what, max, err);
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return XN_OK;
}

xn_status xn_read_stream(FILE *f, size_t max, char **buf, size_t *len, xn_error *err)
{
    return read_all(f, max, 0, "input", true, buf, len, err);
}

/* xn_read_file, and xn_read_binary with text false. */
static xn_status read_path(const char *path, size_t max, bool text, char **buf, size_t *len,
                           xn_error *err)
{
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return xn_fail(err, 0, XN_EIO, "cannot open: %s", strerror(errno));
    /* a regular file says its size: refused unread when it is too big */
    struct stat st;
    size_t hint = 0;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)) {
        if ((uintmax_t)st.st_size > max) {
            fclose(f);
            return xn_fail(err, 0, XN_EFORMAT, "file is larger than the limit of %zu bytes (%jd bytes)",
                           max, (intmax_t)st.st_size);
        }
        hint = (size_t)st.st_size;
    }
    xn_status s = read_all(f, max, hint, "file", text, buf, len, err);
    fclose(f);
    return s;
}

xn_status xn_read_file(const char *path, size_t max, char **buf, size_t *len, xn_error *err)
{
    return read_path(path, max, true, buf, len, err);
}

xn_status xn_read_binary(const char *path, size_t max, char **buf, size_t *len, xn_error *err)
{
    return read_path(path, max, false, buf, len, err);
}

xn_status xn_parse_file(const char *path, xn_text_parser parse, void *ctx, xn_error *err)
{
    if (!path)
        return xn_fail(err, 0, XN_EINVAL, "no path");
    char *text;
    size_t len;
    xn_status st = xn_read_file(path, XN_TEXT_MAX_FILE, &text, &len, err);
    if (st != XN_OK)
        return st;
    st = parse(text, len, ctx, err);
    free(text);
    return st;
}

char **xn_strings_copy(const char *const *s, size_t k)
{
    char **c = calloc(k ? k : 1, sizeof *c);
    for (size_t i = 0; c && i < k; i++) {
        size_t n = strlen(s[i]) + 1;
        if ((c[i] = malloc(n)) != NULL) {
            memcpy(c[i], s[i], n);
        } else {
            xn_strings_free(c, i);
            c = NULL;
        }
    }
    return c;
}

void xn_strings_free(char **s, size_t k)
{
    for (size_t i = 0; s && i < k; i++)
        free(s[i]);
    free(s);
}
