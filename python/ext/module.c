/* The module xornet._xornet: its exceptions (one per xn_status, each also
 * the builtin exception it resembles, so `except ValueError` catches a bad
 * argument), the conversions of arrays and names the other files share,
 * and the module's table. */
#define XNPY_IMPORT_ARRAY
#include "ext.h"

/* xornet.Error and one subclass per failing status, in xn_status order. */
static PyObject *error_base, *errors[XN_ENUMERIC + 1];

PyObject *xnpy_raise(xn_status s, const char *msg)
{
    PyObject *type = s > XN_OK && s <= XN_ENUMERIC ? errors[s] : error_base;
    PyErr_SetString(type, msg && *msg ? msg : xn_strerror(s));
    return NULL;
}

PyObject *xnpy_net_raise(NetObject *self, xn_status s)
{
    return xnpy_raise(s, xn_net_error(self->net));
}

const char *xnpy_str(PyObject *name, const char *what)
{
    if (!PyUnicode_Check(name)) {
        PyErr_Format(PyExc_TypeError, "%s must be a string, not %.80s", what, Py_TYPE(name)->tp_name);
        return NULL;
    }
    return PyUnicode_AsUTF8(name);
}

PyArrayObject *xnpy_rows_as(PyObject *obj, size_t cols, int t, const char *what)
{
    /* an aligned, C-contiguous array of the type comes back as itself */
    PyArrayObject *a = (PyArrayObject *)PyArray_FROMANY(obj, t, 0, 0, NPY_ARRAY_IN_ARRAY);
    if (!a)
        return NULL;
    if (PyArray_NDIM(a) != 2) {
        PyErr_Format(PyExc_ValueError, "%s: expected a 2-D array (rows, columns), got %d dimension%s",
                     what, PyArray_NDIM(a), PyArray_NDIM(a) == 1 ? "" : "s");
        Py_DECREF(a);
        return NULL;
    }
    if (cols && (size_t)PyArray_DIM(a, 1) != cols) {
        PyErr_Format(PyExc_ValueError, "%s: %zd columns, expected %zu", what, (Py_ssize_t)PyArray_DIM(a, 1),
                     cols);
        Py_DECREF(a);
        return NULL;
    }
    return a;
}

PyArrayObject *xnpy_rows(PyObject *obj, size_t cols, int f32_ok, const char *what)
{
    int t = f32_ok && PyArray_Check(obj) && PyArray_TYPE((PyArrayObject *)obj) == NPY_FLOAT ? NPY_FLOAT
                                                                                            : NPY_DOUBLE;
    return xnpy_rows_as(obj, cols, t, what);
}

xn_dtype xnpy_dtype(PyArrayObject *a)
{
    return PyArray_TYPE(a) == NPY_FLOAT ? XN_FLOAT32 : XN_FLOAT64;
}

PyArrayObject *xnpy_empty(size_t n, size_t k, int t)
{
    npy_intp dims[2] = {(npy_intp)n, (npy_intp)k};
    return (PyArrayObject *)PyArray_SimpleNew(2, dims, t);
}

static PyObject *version(PyObject *m, PyObject *unused)
{
    (void)m;
    (void)unused;
    return PyUnicode_FromString(xn_version());
}

static PyMethodDef methods[] = {
    {"version", version, METH_NOARGS, "version()\n\nThe C library's version, MAJOR.MINOR.PATCH."},
    {"approx", (PyCFunction)(void (*)(void))xnpy_approx, METH_VARARGS | METH_KEYWORDS,
     "approx(x, f, knots=None, *, method='auto', extrapolate='bare', rcond=0.0, min_norm=False)\n\n"
     "The ReLU approximation solver (include/xornet/approx.h) on samples x, f: interpolation\n"
     "through every sample (knots=None), least squares on `knots` equidistant knots (an\n"
     "int), on the given knots (an array), or on the count GCV picks (knots='gcv').\n"
     "Returns (net, info): the 1-n-1 network and a dict of the solver's report."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "xornet._xornet",
    "The C library xornet from Python: networks, training, the approximation solver.",
    -1, methods, NULL, NULL, NULL, NULL,
};

/* Each status's exception: its name, the builtin it also is, and why. */
static const struct {
    const char *name;
    PyObject **builtin;
    const char *doc;
} kinds[XN_ENUMERIC + 1] = {
    [XN_EINVAL] = {"ArgumentError", &PyExc_ValueError, "A bad argument (XN_EINVAL)."},
    [XN_EDIM] = {"DimensionError", &PyExc_ValueError, "Sizes that do not fit (XN_EDIM)."},
    [XN_ENOMEM] = {"OutOfMemoryError", &PyExc_MemoryError, "An allocation failed or a limit was passed (XN_ENOMEM)."},
    [XN_EIO] = {"FileError", &PyExc_OSError, "A file could not be read or written (XN_EIO)."},
    [XN_EFORMAT] = {"FormatError", &PyExc_ValueError, "A file or text does not follow its format (XN_EFORMAT)."},
    [XN_ESINGULAR] = {"SingularError", &PyExc_ArithmeticError, "A singular or rank-deficient system (XN_ESINGULAR)."},
    [XN_ENUMERIC] = {"NumericError", &PyExc_FloatingPointError, "A value that is not finite (XN_ENUMERIC)."},
};

static int add_errors(PyObject *m)
{
    error_base = PyErr_NewExceptionWithDoc("xornet.Error", "A failure the C library reported.", NULL, NULL);
    if (!error_base || PyModule_AddObjectRef(m, "Error", error_base) < 0)
        return -1;
    for (int s = XN_EINVAL; s <= XN_ENUMERIC; s++) {
        char name[64];
        snprintf(name, sizeof name, "xornet.%s", kinds[s].name);
        PyObject *bases = PyTuple_Pack(2, error_base, *kinds[s].builtin);
        errors[s] = bases ? PyErr_NewExceptionWithDoc(name, kinds[s].doc, bases, NULL) : NULL;
        Py_XDECREF(bases);
        if (!errors[s] || PyModule_AddObjectRef(m, kinds[s].name, errors[s]) < 0)
            return -1;
    }
    return 0;
}

PyMODINIT_FUNC PyInit__xornet(void)
{
    import_array();
    PyObject *m = PyModule_Create(&module);
    if (!m)
        return NULL;
    if (add_errors(m) < 0 || PyType_Ready(&xnpy_net_type) < 0 || PyType_Ready(&xnpy_rng_type) < 0 ||
        PyModule_AddObjectRef(m, "Net", (PyObject *)&xnpy_net_type) < 0 ||
        PyModule_AddObjectRef(m, "Rng", (PyObject *)&xnpy_rng_type) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
