/* The Jacobian of a float64 network's outputs by its parameters, for the
 * Levenberg-Marquardt solver (src/solve/lm.c), beside the backward pass it
 * mirrors.  For output unit k the backward pass starts from
 *     dZ_L[i][j] = d a_ik / d z_ij   (act'(a_ik) if j = k, else 0;
 *                                     softmax: a_ik (1[j = k] - a_ij))
 * and goes down the layers through the gradient's own products (the
 * kernels' dx): dZ_{l-1} = (dZ_l W_l^T) * act'(A_{l-1}).  Where the
 * gradient sums each layer's outer products over the rows, the Jacobian
 * keeps them row by row:
 *     d a_ik / d W_l[p][q] = A_{l-1}[i][p] dZ_l[i][q],
 *     d a_ik / d b_l[q]    = dZ_l[i][q].
 * So J costs one backward pass per output unit and the writing of its
 * n*K*P entries; the gradient of a squared loss is a multiple of J^T r. */
#include <string.h>

#include "internal.h"

#include "type_f64.h"
#include "act_t.h"
#include "type_end.h"

/* dZ_L (n, K) for output unit k of the outputs a (n, K). */
static void output_delta(xn_act act, size_t n, size_t K, size_t k, const double *a, double *dz)
{
    for (size_t i = 0; i < n; i++) {
        const double *ai = a + i * K;
        double *d = dz + i * K;
        if (act == XN_ACT_SOFTMAX) {
            for (size_t j = 0; j < K; j++)
                d[j] = ai[k] * ((j == k ? 1.0 : 0.0) - ai[j]);
        } else {
            memset(d, 0, K * sizeof *d);
            d[k] = act_deriv_f64(act, ai[k]);
        }
    }
}

/* Layer l's columns of the rows i*K + k of J (., P), from the layer's
 * inputs in (n, fi) and its dZ (n, fo). */
static void layer_entries(const xn_net *net, size_t l, size_t n, size_t k, const double *in,
                          const double *dz, double *J)
{
    size_t fi = net->sizes[l - 1], fo = net->sizes[l], K = net->sizes[net->L], P = net->nparams;
    for (size_t i = 0; i < n; i++) {
        double *row = J + (i * K + k) * P, *w = row + net->woff[l];
        const double *xi = in + i * fi, *di = dz + i * fo;
        for (size_t p = 0; p < fi; p++)
            for (size_t q = 0; q < fo; q++)
                w[p * fo + q] = xi[p] * di[q];
        memcpy(row + net->boff[l], di, fo * sizeof *di);
    }
}

/* dz (n, out) *= act'(a), as the backward pass's deriv_colsum does (relu: a > 0). */
static void times_deriv(size_t n, size_t out, xn_act act, const double *a, double *dz)
{
    for (size_t i = 0; i < n * out; i++)
        dz[i] *= act_deriv_f64(act, a[i]);
}

double xn_net_jacobian(xn_net *net, size_t n, const double *x, const double *y, double *r,
                       double *J)
{
    size_t L = net->L, K = net->sizes[L];
    double *aL = net->a[L], *zL = net->zout;
    xn_net_begin(net);
    net->engine->forward(net, n, x, aL, zL);
    xn_loss_terms_f64(net->loss, net->acts[L], n, K, n, net->clip, aL, zL, y, NULL, net->terms);
    double sum = xn_loss_add(net->loss, net->clip, n, K, net->terms, 0.0);
    for (size_t i = 0; i < n * K; i++)
        r[i] = aL[i] - y[i];
    for (size_t k = 0; k < K; k++) {
        double *dz = net->delta[0], *dzp = net->delta[1];
        output_delta(net->acts[L], n, K, k, aL, dz);
        for (size_t l = L; l >= 1; l--) {
            size_t fi = net->sizes[l - 1], fo = net->sizes[l];
            const double *in = l > 1 ? net->a[l - 1] : x;
            layer_entries(net, l, n, k, in, dz, J);
            if (l == 1)
                break;
            const double *w = (const double *)net->params + net->woff[l];
            xn_kernels_pick_f64(net->kernel, n, fi, fo)->dx(n, fi, fo, dz, fo, w, fo, dzp, fi);
            times_deriv(n, fi, net->acts[l - 1], in, dzp);
            double *t = dz;
            dz = dzp;
            dzp = t;
        }
    }
    return sum;
}
