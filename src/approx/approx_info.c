/* What every part of the approximation solver reports with: the info's
 * message, and the error statistics of a fit (a maximum and an RMS
 * accumulated without overflow: the sum of squares is kept scaled by the
 * running maximum). */
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "approx_impl.h"
#include "src/util/text.h"

void xn_approx_info_reset(xn_approx_info *info)
{
    if (info)
        memset(info, 0, sizeof *info);
}

void xn_approx_info_msg(xn_approx_info *info, const char *fmt, ...)
{
    if (!info)
        return;
    va_list ap;
    va_start(ap, fmt);
    xn_vformat(info->msg, sizeof info->msg, fmt, ap);
    va_end(ap);
}

void xn_approx_acc_add(xn_approx_acc *acc, double e)
{
    e = fabs(e);
    acc->count++;
    if (isnan(e)) {
        acc->nan = true;
    } else if (e > acc->max) {
        /* rescale the sum to the new maximum; inf makes the RMS inf */
        double r = isinf(e) ? 0.0 : acc->max / e;
        acc->ss = acc->ss * r * r + 1.0;
        acc->max = e;
    } else if (e > 0.0 && !isinf(acc->max)) {
        acc->ss += (e / acc->max) * (e / acc->max);
    }
}

double xn_approx_acc_max(const xn_approx_acc *acc)
{
    return acc->nan ? NAN : acc->max;
}

double xn_approx_acc_rms(const xn_approx_acc *acc)
{
    if (acc->nan)
        return NAN;
    if (acc->count == 0 || acc->max == 0.0 || isinf(acc->max))
        return acc->max;
    return acc->max * sqrt(acc->ss / (double)acc->count);
}
