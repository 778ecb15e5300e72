/* The optimizers' sweeps over flat arrays for one element type: the
 * optimizers as free functions over (n, p, g, m, v).  Included by
 * step_t.h inside its own instantiation, so the sweeps' copies per
 * instruction set (XN_CLONES) are called from their own file.  The step's
 * constants are doubles (opt.c) and are rounded to the type once per
 * sweep. */

/* v's bits with the sign cleared: they order as the values |v| do, and a
 * NaN's come above infinity's, so one integer maximum of them gives the
 * largest |v| and says whether every value is finite.  (An integer maximum
 * vectorizes; a floating-point one does not without -ffast-math.) */
static inline XN_BITS TF(abs_bits)(XN_T v)
{
    XN_BITS u;
    memcpy(&u, &v, sizeof u);
    return u & ((XN_BITS)-1 >> 1);
}

static inline double TF(of_bits)(XN_BITS u)
{
    XN_T v;
    memcpy(&v, &u, sizeof v);
    return v;
}

/* One update over n parameters.  With store false nothing is written and
 * the result says whether every new value would be finite; with store true
 * the values are written.  Called with
 * constant `store` and `decay`, each loop compiles to its own tight form. */
static inline bool TF(pass)(xn_opt_kind kind, const xn_opt_step *c, bool decay, bool store, size_t n,
                            XN_T *restrict p, const XN_T *restrict g, XN_T *restrict m,
                            XN_T *restrict v)
{
    const XN_T lr = (XN_T)c->lr, mu = (XN_T)c->mu, wd = (XN_T)c->decay, b1 = (XN_T)c->b1,
               b2 = (XN_T)c->b2, eps = (XN_T)c->eps, step = (XN_T)c->step, rs = (XN_T)c->rs,
               nb1 = (XN_T)(1.0 - c->b1), nb2 = (XN_T)(1.0 - c->b2), shrink = (XN_T)(1.0 - c->lr * c->decay);
    const bool nesterov = c->nesterov;
    int bad = 0;
    switch (kind) {
    case XN_OPT_GD:
        for (size_t i = 0; i < n; i++) {
            XN_T gi = decay ? g[i] + wd * p[i] : g[i];
            XN_T pn = p[i] - lr * gi;
            if (store) {
                p[i] = pn;
            } else
                bad |= !(XN_FABS(pn) <= XN_T_MAX);
        }
        break;
    case XN_OPT_MOMENTUM:
        for (size_t i = 0; i < n; i++) {
            XN_T gi = decay ? g[i] + wd * p[i] : g[i];
            XN_T mn = mu * m[i] - lr * gi, pn = p[i] + (nesterov ? mu * mn - lr * gi : mn);
            if (store) {
                m[i] = mn;
                p[i] = pn;
            } else {
                bad |= !(XN_FABS(pn) <= XN_T_MAX) | !(XN_FABS(mn) <= XN_T_MAX);
            }
        }
        break;
    case XN_OPT_ADAM:
        for (size_t i = 0; i < n; i++) {
            XN_T mn = b1 * m[i] + nb1 * g[i];
            XN_T vn = b2 * v[i] + nb2 * g[i] * g[i];
            XN_T pi = decay ? p[i] * shrink : p[i];
            /* lr m^ / (sqrt(v^) + eps) with the bias corrections in the
             * constants: one division and one square root an element */
            XN_T pn = pi - step * mn / (XN_SQRT(vn) * rs + eps);
            if (store) {
                m[i] = mn;
                v[i] = vn;
                p[i] = pn;
            } else {
                bad |= !(XN_FABS(pn) <= XN_T_MAX) | !(XN_FABS(vn) <= XN_T_MAX);
            }
        }
        break;
    case XN_OPT_LM: /* no step from a gradient: whole iterations (src/solve/) */
    case XN_OPT_LBFGS:
        break;
    }
    return !bad;
}

static bool TF(opt_check)(xn_opt_kind kind, const xn_opt_step *s, bool decay, size_t n, const XN_T *p,
                      const XN_T *g, const XN_T *m, const XN_T *v)
{
    /* store is false: nothing is written through the casts */
    return decay ? TF(pass)(kind, s, true, false, n, (XN_T *)p, g, (XN_T *)m, (XN_T *)v)
                 : TF(pass)(kind, s, false, false, n, (XN_T *)p, g, (XN_T *)m, (XN_T *)v);
}

/* The update of n parameters. */
XN_CLONES static void TF(opt_apply)(xn_opt_kind kind, const xn_opt_step *s, bool decay, size_t n,
                                    XN_T *p, const XN_T *g, XN_T *m, XN_T *v)
{
    if (decay)
        TF(pass)(kind, s, true, true, n, p, g, m, v);
    else
        TF(pass)(kind, s, false, true, n, p, g, m, v);
}

/* The largest |u[i]| and |w[i]| of n (w may be NULL: *wmax is then 0),
 * in one pass over both, NaN if one is NaN (abs_bits). */
XN_CLONES static void TF(opt_absmax)(size_t n, const XN_T *u, const XN_T *w, double *umax, double *wmax)
{
    XN_BITS tu = 0, tw = 0;
    for (size_t i = 0; i < n; i++) {
        XN_BITS a = TF(abs_bits)(u[i]), b = w ? TF(abs_bits)(w[i]) : 0;
        tu = a > tu ? a : tu;
        tw = b > tw ? b : tw;
    }
    *umax = TF(of_bits)(tu);
    *wmax = TF(of_bits)(tw);
}
