/* libFuzzer target: the approximation sample reader xn_samples_parse on
 * arbitrary bytes.  Samples it accepts must be finite; a few of them (at
 * most 64, to keep each run fast) also go through both interpolation
 * methods and a least-squares fit, which must succeed or fail cleanly. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_util.h"
#include "xornet/approx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fit(const double *x, const double *f, size_t m)
{
    static const xn_approx_method methods[2] = {XN_APPROX_CLOSED, XN_APPROX_LAPACKE};
    for (int i = 0; i < 2; i++) {
        xn_approx_opts opts = {methods[i], 0.0, 0};
        xn_approx_info info;
        xn_net *net = (xn_net *)&net;
        xn_status s = xn_approx_interp(x, f, m, &opts, &net, &info);
        FUZZ_CHECK(memchr(info.msg, '\0', sizeof info.msg) != NULL);
        FUZZ_CHECK(s == XN_OK ? net != NULL : net == NULL);
        xn_net_destroy(net);
    }
    size_t knots = 2 + m % 3;
    if (m >= knots) {
        xn_approx_opts opts = {XN_APPROX_AUTO, 0.0, (int)(m & 1)};
        xn_approx_info info;
        xn_net *net = (xn_net *)&net;
        xn_status s = xn_approx_lsq(x, f, m, knots, &opts, &net, &info);
        FUZZ_CHECK(memchr(info.msg, '\0', sizeof info.msg) != NULL);
        FUZZ_CHECK(s == XN_OK ? net != NULL : net == NULL);
        xn_net_destroy(net);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    double *x = (double *)&x, *f = (double *)&f; /* the reader must clear them */
    size_t m = 99;
    xn_error err;
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
        fit(x, f, m);
    free(x);
    free(f);
    return 0;
}
