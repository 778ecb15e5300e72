/* Shared checks of the libFuzzer targets: a broken contract is a crash, so
 * libFuzzer keeps the input that caused it. */
#ifndef XORNET_FUZZ_UTIL_H
#define XORNET_FUZZ_UTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xornet/xornet.h"

#define FUZZ_CHECK(c)                                                       \
    do {                                                                    \
        if (!(c)) {                                                         \
            fprintf(stderr, "%s:%d: contract broken: %s\n", __FILE__, __LINE__, #c); \
            abort();                                                        \
        }                                                                   \
    } while (0)

/* err->msg is one NUL-terminated line; a failure says something. */
static inline void fuzz_check_error(const xn_error *err, int failed)
{
    const char *nul = memchr(err->msg, '\0', sizeof err->msg);
    FUZZ_CHECK(nul != NULL);
    FUZZ_CHECK(strchr(err->msg, '\n') == NULL && strchr(err->msg, '\r') == NULL);
    if (failed)
        FUZZ_CHECK(err->msg[0] != '\0');
}

/* A text refused as malformed names its line: every text has a line 1
 * (an empty one too), and the program prints "FILE:LINE: message" from it
 * (tests/fuzz/cli_messages.sh checks the program's side). */
static inline void fuzz_check_line(xn_status s, const xn_error *err, size_t len)
{
    if (s == XN_EFORMAT)
        FUZZ_CHECK(err->line >= 1 && err->line <= len + 1);
}

/* Readers refuse NaN and infinity: every value they return is finite. */
static inline void fuzz_check_finite(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(isfinite(v[i]));
}

#endif
