/* xornet.approx: the ReLU approximation solver (include/xornet/approx.h)
 * on samples from NumPy: interpolation, least squares on a number of
 * equidistant knots or on given knots, or on the number generalized
 * cross-validation picks.  The result is a Net (1-n-1, relu then identity)
 * and the solver's report as a dict. */
#include "ext.h"

static PyObject *info_dict(const xn_approx_info *i)
{
    return Py_BuildValue("{s:n,s:n,s:s,s:s,s:n,s:d,s:d,s:d,s:d,s:d,s:s}", "m", (Py_ssize_t)i->m, "n",
                         (Py_ssize_t)i->n, "method", xn_approx_method_name(i->method), "solver",
                         i->solver ? i->solver : "", "rank", (Py_ssize_t)i->rank, "rcond", i->rcond,
                         "resid_max", i->resid_max, "resid_rms", i->resid_rms, "lo", i->lo, "hi", i->hi,
                         "msg", i->msg);
}

/* A 1-D float64 array of samples. */
static PyArrayObject *samples(PyObject *o, const char *what)
{
    PyArrayObject *a = (PyArrayObject *)PyArray_FROMANY(o, NPY_DOUBLE, 1, 1, NPY_ARRAY_IN_ARRAY);
    if (!a && PyErr_ExceptionMatches(PyExc_ValueError)) {
        PyErr_Clear();
        PyErr_Format(PyExc_ValueError, "approx: %s must be a 1-D array of numbers", what);
    }
    return a;
}

PyObject *xnpy_approx(PyObject *module, PyObject *args, PyObject *kw)
{
    (void)module;
    static char *kwlist[] = {"x", "f", "knots", "method", "extrapolate", "rcond", "min_norm", NULL};
    PyObject *x_o, *f_o, *knots = Py_None, *method_o = NULL, *extrap_o = NULL;
    xn_approx_opts opts = {0};
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|O$OOdp", kwlist, &x_o, &f_o, &knots, &method_o, &extrap_o,
                                     &opts.rcond, &opts.min_norm))
        return NULL;
    if (method_o)
        XNPY_PARSE(method_o, xn_approx_method_parse, &opts.method, "approximation method", return NULL);
    if (extrap_o)
        XNPY_PARSE(extrap_o, xn_approx_extrap_parse, &opts.extrapolate, "extrapolation", return NULL);
    PyArrayObject *x = samples(x_o, "x"), *f = x ? samples(f_o, "f") : NULL, *t = NULL;
    PyObject *gcv = NULL, *r = NULL;
    if (!f)
        goto done;
    size_t m = (size_t)PyArray_DIM(x, 0), k = 0;
    if ((size_t)PyArray_DIM(f, 0) != m) {
        PyErr_SetString(PyExc_ValueError, "approx: x and f have different lengths");
        goto done;
    }
    int use_gcv = PyUnicode_Check(knots) && PyUnicode_CompareWithASCIIString(knots, "gcv") == 0;
    if (knots != Py_None && !use_gcv && PyLong_Check(knots)) {
        Py_ssize_t v = PyLong_AsSsize_t(knots);
        if (v < 0) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "approx: knots must be positive");
            goto done;
        }
        k = (size_t)v;
    } else if (knots != Py_None && !use_gcv && !(t = samples(knots, "knots"))) {
        goto done;
    }
    xn_net *net = NULL;
    xn_approx_info info = {0};
    xn_status s;
    const double *xp = PyArray_DATA(x), *fp = PyArray_DATA(f);
    if (use_gcv) {
        size_t kmax = XN_APPROX_GCV_MAX(m), best = 0;
        xn_approx_gcv_row *rows = PyMem_Calloc(kmax ? kmax : 1, sizeof *rows);
        if (!rows) {
            PyErr_NoMemory();
            goto done;
        }
        Py_BEGIN_ALLOW_THREADS
        s = xn_approx_gcv(xp, fp, m, kmax, &opts, rows, &best, &info);
        if (s == XN_OK)
            s = xn_approx_lsq(xp, fp, m, best, &opts, &net, &info);
        Py_END_ALLOW_THREADS
        gcv = s == XN_OK ? PyList_New(0) : NULL;
        for (size_t i = 0; gcv && i < kmax && rows[i].knots; i++) {
            PyObject *row = Py_BuildValue("(ndd)", (Py_ssize_t)rows[i].knots, rows[i].rss, rows[i].score);
            if (!row || PyList_Append(gcv, row) < 0)
                Py_CLEAR(gcv);
            Py_XDECREF(row);
        }
        PyMem_Free(rows);
        if (s == XN_OK && !gcv)
            goto done;
    } else {
        Py_BEGIN_ALLOW_THREADS
        if (t)
            s = xn_approx_lsq_knots(xp, fp, m, PyArray_DATA(t), (size_t)PyArray_DIM(t, 0), &opts, &net, &info);
        else if (knots != Py_None)
            s = xn_approx_lsq(xp, fp, m, k, &opts, &net, &info);
        else
            s = xn_approx_interp(xp, fp, m, &opts, &net, &info);
        Py_END_ALLOW_THREADS
    }
    if (s != XN_OK) {
        xnpy_raise(s, info.msg);
        goto done;
    }
    PyObject *d = info_dict(&info), *n = d ? xnpy_net_wrap(net) : NULL;
    if (!d)
        xn_net_destroy(net);
    if (n && gcv && PyDict_SetItemString(d, "gcv", gcv) < 0)
        Py_CLEAR(n);
    r = n ? Py_BuildValue("(NO)", n, d) : NULL;
    Py_XDECREF(d);
done:
    Py_XDECREF(gcv);
    Py_XDECREF(x);
    Py_XDECREF(f);
    Py_XDECREF(t);
    return r;
}
