/* The approximation solver evaluates its fits in O(m + n), never by the
 * O(m n) forward pass: xn_net_predict is wrapped at link time
 * (-Wl,--wrap) and the rows x hidden units it computes are counted around
 * every fit (residuals), xn_approx_eval, xn_approx_errors (the program's
 * error grid) and plot_approx (its picture).  Before, the residuals alone
 * cost m n: 10^5 samples took 5.6 s.  xn_approx_predict, the forward pass
 * on purpose, is counted too, so the wrapper is known to be in place. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "plot.h"
#include "xornet/approx.h"

xn_status __real_xn_net_predict(xn_net *net, size_t n, const double *x, double *y);

static double work; /* rows x hidden units through the forward pass */

xn_status __wrap_xn_net_predict(xn_net *net, size_t n, const double *x, double *y)
{
    work += (double)n * (double)xn_net_size(net, 1);
    return __real_xn_net_predict(net, n, x, y);
}

static double sine(double x, void *ctx)
{
    (void)ctx;
    return sin(x);
}

int main(void)
{
    enum { M = 5000 };
    static double x[M], f[M], y[M];
    for (size_t i = 0; i < M; i++) {
        x[i] = 10.0 * (double)((i * 7919) % M) / M; /* every x once, out of order */
        f[i] = sin(x[i]) + 0.01 * cos(37.0 * x[i]);
    }
    xn_net *net = NULL;
    xn_approx_info info;
    CHECK_STATUS(xn_approx_interp(x, f, M, NULL, &net, &info), XN_OK);
    CHECK(work == 0.0 && info.resid_max <= 1e-12);
    CHECK_STATUS(xn_approx_eval(net, M, x, y), XN_OK);
    double mx = 0.0, rms = 0.0;
    CHECK_STATUS(xn_approx_errors(net, sine, NULL, 0.0, 10.0, 10 * M, &mx, &rms), XN_OK);
    CHECK(work == 0.0 && mx > 0.0);
    /* the picture's curve; the file may fail to appear without gnuplot,
     * after the network has been evaluated */
    plot_error perr = {0};
    (void)plot_approx("/tmp/xornet_test_approx_work.png", "work", M, x, f, net, NULL, NULL, 0, 0, &perr);
    remove("/tmp/xornet_test_approx_work.png");
    CHECK(work == 0.0);
    xn_net_destroy(net);

    xn_approx_opts lin = {.extrapolate = XN_EXTRAP_LINEAR};
    CHECK_STATUS(xn_approx_lsq(x, f, M, 40, &lin, &net, &info), XN_OK);
    xn_net_destroy(net);
    size_t best = 0;
    xn_approx_gcv_row rows[99];
    CHECK_STATUS(xn_approx_gcv(x, f, M, 100, NULL, rows, &best, &info), XN_OK);
    CHECK_STATUS(xn_approx_lsq_knots(x, f, M, (const double[]){2, 4, 6}, 3, NULL, &net, &info),
                 XN_OK);
    xn_net_destroy(net);
    CHECK_STATUS(xn_approx_adapt(sine, NULL, 0.0, 10.0, 1e-6, 16, 0, NULL, &net, &info), XN_OK);
    CHECK(work == 0.0);

    /* the forward pass on purpose: m n exactly, so the count works */
    CHECK_STATUS(xn_approx_predict(net, 100, x, y), XN_OK);
    CHECK(work == 100.0 * (double)xn_net_size(net, 1));
    xn_net_destroy(net);
    CHECK_DONE();
}
