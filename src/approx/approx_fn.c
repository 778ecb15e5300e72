/* The built-in test functions of the approximation solver and their
 * equidistant samples. */
#include <math.h>

#include "approx_impl.h"
#include "src/util/text.h"

double xn_approx_fn_eval(xn_approx_fn fn, double x)
{
    switch (fn) {
    case XN_FN_SIN:
        return sin(x);
    case XN_FN_COS:
        return cos(x);
    case XN_FN_EXP:
        return exp(x);
    case XN_FN_ABS:
        return fabs(x);
    case XN_FN_RUNGE:
        return 1.0 / (1.0 + 25.0 * x * x);
    case XN_FN_SQRT:
        return x >= 0.0 ? sqrt(x) : NAN;
    case XN_FN_TANH:
        return tanh(x);
    default:
        return NAN;
    }
}

xn_status xn_approx_fn_sample(xn_approx_fn fn, double a, double b, size_t n,
                              double *x, double *f, xn_error *err)
{
    xn_error_clear(err);
    if (!x || !f || fn < XN_FN_SIN || fn > XN_FN_TANH)
        return xn_fail(err, 0, XN_EINVAL, "bad argument");
    if (n < 2)
        return xn_fail(err, 0, XN_EDIM, "need at least 2 samples, got %zu", n);
    if (!isfinite(a) || !isfinite(b) || !(a < b) || !isfinite(b - a))
        return xn_fail(err, 0, XN_EINVAL,
                       "need finite a < b with b - a finite, got a = %g, b = %g", a, b);
    double step = (b - a) / (double)(n - 1);
    for (size_t i = 0; i < n; i++) {
        /* the last point is b itself, not a sum carrying rounding */
        x[i] = i + 1 == n ? b : a + (double)i * step;
        f[i] = xn_approx_fn_eval(fn, x[i]);
        if (!isfinite(f[i]))
            return xn_fail(err, 0, XN_ENUMERIC, "%s is not finite at x = %.17g (sample %zu)",
                           xn_approx_fn_name(fn), x[i], i + 1);
    }
    return XN_OK;
}
