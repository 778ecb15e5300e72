/* The classification rule for one element type; included by metrics.c
 * once per type. */

/* The index of the largest of v[0..k-1], the first one on ties. */
size_t TF(xn_argmax)(size_t k, const XN_T *v)
{
    size_t best = 0;
    for (size_t j = 1; j < k; j++)
        if (v[j] > v[best])
            best = j;
    return best;
}

/* The class of one row: for one output 1 at 0.5 or above, else 0; for
 * several the arg-max. */
size_t TF(xn_class_of)(size_t k, const XN_T *v)
{
    return k == 1 ? (size_t)(v[0] >= (XN_T)0.5) : TF(xn_argmax)(k, v);
}

/* Rows of a (n, k) whose class is y's. */
size_t TF(xn_count_right)(size_t n, size_t k, const XN_T *a, const XN_T *y)
{
    size_t right = 0;
    for (size_t i = 0; i < n; i++)
        right += TF(xn_class_of)(k, a + i * k) == TF(xn_class_of)(k, y + i * k);
    return right;
}

/* The sum of the squared differences of a and y (n each), in double. */
double TF(xn_sq_err)(size_t n, const XN_T *a, const XN_T *y)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += ((double)a[i] - (double)y[i]) * ((double)a[i] - (double)y[i]);
    return s;
}
