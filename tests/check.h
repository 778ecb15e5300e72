/* Minimal test assertions: each failure prints file:line and the values,
 * and main returns check_failures != 0. */
#ifndef XORNET_CHECK_H
#define XORNET_CHECK_H

#include <math.h>
#include <stdio.h>

static int check_failures;

#define CHECK(c)                                                            \
    do {                                                                    \
        if (!(c)) {                                                         \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); \
            check_failures++;                                               \
        }                                                                   \
    } while (0)

/* |a - b| <= tol, and neither is NaN */
#define CHECK_NEAR(a, b, tol)                                               \
    do {                                                                    \
        double a_ = (a), b_ = (b), t_ = (tol);                              \
        if (!(fabs(a_ - b_) <= t_)) {                                       \
            fprintf(stderr, "%s:%d: CHECK_NEAR failed: %s = %.17g, %s = %.17g, tol %g\n", \
                    __FILE__, __LINE__, #a, a_, #b, b_, t_);                \
            check_failures++;                                               \
        }                                                                   \
    } while (0)

/* |a - b| <= atol + rtol * |b| */
#define CHECK_CLOSE(a, b, atol, rtol)                                       \
    do {                                                                    \
        double a_ = (a), b_ = (b);                                          \
        if (!(fabs(a_ - b_) <= (atol) + (rtol) * fabs(b_))) {               \
            fprintf(stderr, "%s:%d: CHECK_CLOSE failed: %s = %.17g, %s = %.17g\n", \
                    __FILE__, __LINE__, #a, a_, #b, b_);                    \
            check_failures++;                                               \
        }                                                                   \
    } while (0)

#define CHECK_STATUS(expr, want)                                            \
    do {                                                                    \
        int got_ = (int)(expr), want_ = (int)(want);                        \
        if (got_ != want_) {                                                \
            fprintf(stderr, "%s:%d: %s returned %d, expected %d\n",         \
                    __FILE__, __LINE__, #expr, got_, want_);                \
            check_failures++;                                               \
        }                                                                   \
    } while (0)

#define CHECK_DONE()                                                        \
    do {                                                                    \
        if (check_failures)                                                 \
            fprintf(stderr, "%d check(s) failed\n", check_failures);        \
        return check_failures != 0;                                         \
    } while (0)

#endif
