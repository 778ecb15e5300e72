/* The Rng type: an xn_rng, the Mersenne Twister with the draws of Python's
 * random module or NumPy's legacy RandomState.  Its state goes in and out
 * in NumPy's form, so a RandomState's stream can be continued in C and
 * handed back: Rng.set_state(rs.get_state()), then
 * rs.set_state(rng.get_state()). */
#include "ext.h"

#include <string.h>

xn_rng *xnpy_rng_of(PyObject *obj)
{
    if (!PyObject_TypeCheck(obj, &xnpy_rng_type)) {
        PyErr_Format(PyExc_TypeError, "expected a xornet.Rng, not %.80s", Py_TYPE(obj)->tp_name);
        return NULL;
    }
    return &((RngObject *)obj)->rng;
}

static PyObject *rng_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"kind", "seed", NULL};
    PyObject *kind_o = NULL;
    unsigned long long seed = 0;
    xn_rng_kind kind = XN_RNG_NUMPY;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|OK", kwlist, &kind_o, &seed))
        return NULL;
    if (kind_o)
        XNPY_PARSE(kind_o, xn_rng_kind_parse, &kind, "random stream", return NULL);
    RngObject *o = (RngObject *)type->tp_alloc(type, 0);
    if (o && xn_rng_seed(&o->rng, kind, seed) != XN_OK) {
        Py_DECREF(o);
        PyErr_SetString(PyExc_ValueError, "a NumPy seed must be between 0 and 2**32 - 1");
        return NULL;
    }
    return (PyObject *)o;
}

static PyObject *rng_uniform(RngObject *self, PyObject *u)
{
    (void)u;
    return PyFloat_FromDouble(xn_rng_uniform(&self->rng));
}

static PyObject *rng_normal(RngObject *self, PyObject *u)
{
    (void)u;
    return PyFloat_FromDouble(xn_rng_normal(&self->rng));
}

static PyObject *rng_u32(RngObject *self, PyObject *u)
{
    (void)u;
    return PyLong_FromUnsignedLong(xn_rng_u32(&self->rng));
}

static PyObject *rng_permutation(RngObject *self, PyObject *arg)
{
    Py_ssize_t n = PyNumber_AsSsize_t(arg, PyExc_OverflowError);
    if (n == -1 && PyErr_Occurred())
        return NULL;
    if (n < 0) {
        PyErr_SetString(PyExc_ValueError, "permutation: n must be zero or positive");
        return NULL;
    }
    npy_intp d = n;
    PyArrayObject *a = (PyArrayObject *)PyArray_SimpleNew(1, &d, NPY_UINTP);
    if (a)
        xn_rng_permutation(&self->rng, (size_t)n, PyArray_DATA(a));
    return (PyObject *)a;
}

/* Shuffles a 1-D contiguous array of pointer-sized integers in place. */
static PyObject *rng_shuffle(RngObject *self, PyObject *arg)
{
    if (!PyArray_Check(arg) || PyArray_NDIM((PyArrayObject *)arg) != 1 ||
        PyArray_ITEMSIZE((PyArrayObject *)arg) != sizeof(size_t) ||
        !PyArray_ISINTEGER((PyArrayObject *)arg) ||
        !PyArray_ISCARRAY((PyArrayObject *)arg)) {
        PyErr_SetString(PyExc_TypeError, "shuffle: a 1-D, C-contiguous, writeable array of intp or uintp");
        return NULL;
    }
    PyArrayObject *a = (PyArrayObject *)arg;
    xn_rng_shuffle(&self->rng, (size_t)PyArray_DIM(a, 0), PyArray_DATA(a));
    return Py_NewRef(Py_None);
}

static PyObject *rng_get_state(RngObject *self, PyObject *u)
{
    (void)u;
    npy_intp n = 624;
    PyArrayObject *key = (PyArrayObject *)PyArray_SimpleNew(1, &n, NPY_UINT32);
    int pos, has_gauss;
    double gauss;
    if (!key)
        return NULL;
    xn_rng_get_state(&self->rng, PyArray_DATA(key), &pos, &has_gauss, &gauss);
    return Py_BuildValue("(sNiid)", "MT19937", key, pos, has_gauss, gauss);
}

static PyObject *rng_set_state(RngObject *self, PyObject *arg)
{
    PyObject *name, *key_o;
    int pos, has_gauss = 0;
    double gauss = 0.0;
    if (!PyArg_ParseTuple(arg, "OOi|id;state must be ('MT19937', key, pos, has_gauss, gauss)", &name, &key_o, &pos,
                          &has_gauss, &gauss))
        return NULL;
    const char *s = xnpy_str(name, "the generator's name");
    if (!s)
        return NULL;
    if (strcmp(s, "MT19937") != 0) {
        PyErr_Format(PyExc_ValueError, "set_state: a %s state, not MT19937", s);
        return NULL;
    }
    PyArrayObject *key = (PyArrayObject *)PyArray_FROMANY(key_o, NPY_UINT32, 1, 1, NPY_ARRAY_IN_ARRAY);
    if (!key)
        return NULL;
    xn_status st = PyArray_DIM(key, 0) == 624
                       ? xn_rng_set_state(&self->rng, self->rng.kind, PyArray_DATA(key), pos, has_gauss, gauss)
                       : XN_EINVAL;
    Py_DECREF(key);
    if (st != XN_OK)
        return xnpy_raise(st, "set_state: 624 words not all zero, a position in 0..624 and has_gauss 0 or 1");
    return Py_NewRef(Py_None);
}

static PyObject *get_kind(RngObject *self, void *c)
{
    (void)c;
    return PyUnicode_FromString(xn_rng_kind_name(self->rng.kind));
}

static PyMethodDef rng_methods[] = {
    {"uniform", (PyCFunction)rng_uniform, METH_NOARGS, "uniform()\n\nA double in [0, 1) (random() and random_sample())."},
    {"normal", (PyCFunction)rng_normal, METH_NOARGS, "normal()\n\nA standard normal (random.gauss or RandomState.randn)."},
    {"u32", (PyCFunction)rng_u32, METH_NOARGS, "u32()\n\nThe next 32-bit word."},
    {"permutation", (PyCFunction)rng_permutation, METH_O, "permutation(n)\n\nnp.random.permutation(n) or random.shuffle(list(range(n))), as uintp."},
    {"shuffle", (PyCFunction)rng_shuffle, METH_O, "shuffle(a)\n\nShuffles an intp/uintp array in place by the same draws."},
    {"get_state", (PyCFunction)rng_get_state, METH_NOARGS, "get_state()\n\n('MT19937', key, pos, has_gauss, gauss), as RandomState.get_state()."},
    {"set_state", (PyCFunction)rng_set_state, METH_O, "set_state(state)\n\nContinues a stream from RandomState.get_state()'s tuple."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef rng_getset[] = {
    {"kind", (getter)get_kind, NULL, "'numpy' or 'python'.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject xnpy_rng_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "xornet.Rng",
    .tp_basicsize = sizeof(RngObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Rng(kind='numpy', seed=0)\n\nMT19937 seeded as np.random.seed(seed) ('numpy') or random.seed(seed)\n"
              "('python'), drawing as NumPy's legacy RandomState or Python's random.",
    .tp_methods = rng_methods,
    .tp_getset = rng_getset,
    .tp_new = rng_new,
};
