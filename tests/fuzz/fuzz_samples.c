/* libFuzzer target: the approximation sample reader xn_samples_parse on
 * arbitrary bytes.  Samples it accepts must be finite; a few of them (at
 * most 64, to keep each run fast) also go through both interpolation
 * methods and a least-squares fit, which must succeed or fail cleanly.
 * The knot reader, xn_knots_parse, reads the same bytes. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_util.h"
#include "xornet/approx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fit(const double *x, const double *f, size_t m)
{
    static const xn_approx_method methods[2] = {XN_APPROX_CLOSED, XN_APPROX_LAPACKE};
    for (int i = 0; i < 2; i++) {
        xn_approx_opts opts = {.method = methods[i]};
        xn_approx_info info;
        xn_net *net = (xn_net *)&net;
        xn_status s = xn_approx_interp(x, f, m, &opts, &net, &info);
        FUZZ_CHECK(memchr(info.msg, '\0', sizeof info.msg) != NULL);
        FUZZ_CHECK(s == XN_OK ? net != NULL : net == NULL);
        xn_net_destroy(net);
    }
    size_t knots = 2 + m % 3;
    if (m >= knots) {
        xn_approx_opts opts = {.min_norm = (int)(m & 1)};
        xn_approx_info info;
        xn_net *net = (xn_net *)&net;
        xn_status s = xn_approx_lsq(x, f, m, knots, &opts, &net, &info);
        FUZZ_CHECK(memchr(info.msg, '\0', sizeof info.msg) != NULL);
        FUZZ_CHECK(s == XN_OK ? net != NULL : net == NULL);
        xn_net_destroy(net);
    }
    if (m >= 4) {
        xn_approx_gcv_row rows[31];
        size_t best = 0, k_max = XN_APPROX_GCV_MAX(m);
        xn_approx_info info;
        xn_status s = xn_approx_gcv(x, f, m, k_max, NULL, rows, &best, &info);
        FUZZ_CHECK(memchr(info.msg, '\0', sizeof info.msg) != NULL);
        FUZZ_CHECK(s != XN_OK || (best >= 2 && best <= k_max));
        xn_net *net = (xn_net *)&net;
        s = xn_approx_lsq_knots(x, f, m, &x[m / 2], 1, NULL, &net, &info);
        FUZZ_CHECK(s == XN_OK ? net != NULL : net == NULL);
        xn_net_destroy(net);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    double *x = (double *)&x, *f = (double *)&f; /* the reader must clear them */
    size_t m = 99, *lines = (size_t *)&lines;
    xn_error err;
    memset(&err, 'x', sizeof err);
    xn_status ks = xn_knots_parse((const char *)data, size, &x, &lines, &m, &err);
    fuzz_check_error(&err, ks != XN_OK);
    FUZZ_CHECK(ks == XN_OK ? x != NULL && lines != NULL && m >= 1 : x == NULL && lines == NULL && m == 0);
    if (ks == XN_OK) {
        fuzz_check_finite(x, m);
        free(x);
        free(lines);
    }
    memset(&err, 'x', sizeof err);
    xn_status s = xn_samples_parse((const char *)data, size, &x, &f, &m, &err);
    fuzz_check_error(&err, s != XN_OK);
    if (s != XN_OK) {
        FUZZ_CHECK(x == NULL && f == NULL && m == 0);
        FUZZ_CHECK(err.line <= size + 1);
        return 0;
    }
    FUZZ_CHECK(x != NULL && f != NULL && m >= 1 && m <= size);
    fuzz_check_finite(x, m);
    fuzz_check_finite(f, m);
    if (m >= 2 && m <= 64)
        fit(x, f, m); /* m <= 64: the GCV table has at most 31 rows */
    free(x);
    free(f);
    return 0;
}
