/* The CPython extension xornet._xornet, a thin layer over the public C API
 * (the headers of include/xornet only): what its files share.  module.c holds the
 * module, the exceptions and the conversions of arrays and names; net.c
 * the Net type over xn_net; fit.c training over xn_fit_rows with Python
 * callbacks; rng.c the Rng type over xn_rng; approx.c the approximation
 * solver.
 *
 * Arrays: C-contiguous, aligned float64 arrays (and float32 ones where the
 * network is float32) are handed to the library as they are, without a
 * copy; anything else is converted by NumPy first.  Every call that runs
 * the library on rows releases the GIL; a NetObject is marked busy while
 * it runs, so that another thread cannot use the network meanwhile. */
#ifndef XORNET_PY_EXT_H
#define XORNET_PY_EXT_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pythread.h>

#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#define PY_ARRAY_UNIQUE_SYMBOL xornet_ARRAY_API
#ifndef XNPY_IMPORT_ARRAY
#define NO_IMPORT_ARRAY
#endif
#include <numpy/arrayobject.h>

#include <xornet/approx.h>
#include <xornet/xornet.h>

/* A network.  busy counts the calls running on it with the GIL released
 * (a fit, and what its callbacks call), owner the thread running them. */
typedef struct {
    PyObject_HEAD
    xn_net *net;
    int busy;
    unsigned long owner;
    PyObject *weakrefs;
} NetObject;

typedef struct {
    PyObject_HEAD
    xn_rng rng;
} RngObject;

extern PyTypeObject xnpy_net_type, xnpy_rng_type;

/* ---- module.c ------------------------------------------------------------ */

/* Raises the exception of status s (xornet.Error and the builtin it
 * resembles) with msg, or the status's own text for an empty msg;
 * returns NULL. */
PyObject *xnpy_raise(xn_status s, const char *msg);
/* The same with the network's message (xn_net_error). */
PyObject *xnpy_net_raise(NetObject *self, xn_status s);
/* name as a UTF-8 string (borrowed from the object), or NULL with
 * TypeError naming what. */
const char *xnpy_str(PyObject *name, const char *what);
/* *out = the value of the name obj in the library's table (an xn_*_parse
 * function); on a bad name ValueError naming what, and the statement
 * `fail` runs. */
#define XNPY_PARSE(obj, parse, out, what, fail)                                              \
    do {                                                                                    \
        const char *s_ = xnpy_str(obj, what);                                              \
        if (!s_)                                                                            \
            fail;                                                                           \
        if (parse(s_, out) != XN_OK) {                                                      \
            PyErr_Format(PyExc_ValueError, "unknown %s '%s'", what, s_);                    \
            fail;                                                                           \
        }                                                                                   \
    } while (0)
/* obj as a 2-D C-contiguous array of `cols` columns (0: any) of doubles,
 * or of floats when f32_ok and obj is float32 already: the object itself
 * when it is one (no copy), else NumPy's conversion.  New reference, or
 * NULL with an exception naming what. */
PyArrayObject *xnpy_rows(PyObject *obj, size_t cols, int f32_ok, const char *what);
/* The same conversion to exactly the type t (NPY_DOUBLE or NPY_FLOAT). */
PyArrayObject *xnpy_rows_as(PyObject *obj, size_t cols, int t, const char *what);
/* The library's element type of an array made by xnpy_rows. */
xn_dtype xnpy_dtype(PyArrayObject *a);
/* A new uninitialized C-contiguous array (n, k) of type t. */
PyArrayObject *xnpy_empty(size_t n, size_t k, int t);

/* ---- net.c ---------------------------------------------------------------- */

/* Whether the network can run a call now: 0, or -1 with RuntimeError when
 * another thread is using it, or (for training calls, `reentrant` 0) any
 * call is still running on it. */
int xnpy_net_enter(NetObject *self, int reentrant);
void xnpy_net_leave(NetObject *self);
/* A new Net owning net (destroyed on failure). */
PyObject *xnpy_net_wrap(xn_net *net);

/* ---- net_ops.c: the methods of Net that compute ------------------------------ */

PyObject *xnpy_predict(NetObject *self, PyObject *x);
PyObject *xnpy_eval_loss(NetObject *self, PyObject *args);
PyObject *xnpy_accuracy(NetObject *self, PyObject *args);
PyObject *xnpy_gradient(NetObject *self, PyObject *args);
PyObject *xnpy_accumulate(NetObject *self, PyObject *args);
PyObject *xnpy_zero_grads(NetObject *self, PyObject *unused);
PyObject *xnpy_update(NetObject *self, PyObject *unused);
PyObject *xnpy_train_step(NetObject *self, PyObject *args, PyObject *kw);
/* The optimizer as a dict of xn_opt's fields by name (kind, lr, ...,
 * the solvers' mu, memory, gtol, ftol, max_evals, ...), and back (kind's
 * defaults for what a dict leaves out; -1 with an exception for a bad
 * one). */
PyObject *xnpy_opt_dict(const xn_opt *o);
int xnpy_opt_from(PyObject *d, xn_opt *o);
PyObject *xnpy_get_opt(NetObject *self, void *closure);
/* What lm or lbfgs has done (xn_solver_report) as a dict, or None for a
 * first-order optimizer. */
PyObject *xnpy_get_solver_report(NetObject *self, void *closure);
PyObject *xnpy_set_opt(NetObject *self, PyObject *args, PyObject *kw);
PyObject *xnpy_set_lr(NetObject *self, PyObject *lr);
PyObject *xnpy_reset_opt(NetObject *self, PyObject *unused);
PyObject *xnpy_get_moments(NetObject *self, PyObject *unused);
PyObject *xnpy_set_moments(NetObject *self, PyObject *args);
PyObject *xnpy_set_standardization(NetObject *self, PyObject *args);
PyObject *xnpy_set_target_standardization(NetObject *self, PyObject *args);
/* (mean, sd) copies of the inputs' (closure NULL) or targets' (non-NULL)
 * standardization, or None. */
PyObject *xnpy_get_scale(NetObject *self, void *closure);

/* ---- fit.c, approx.c, rng.c ---------------------------------------------- */

PyObject *xnpy_net_fit(NetObject *self, PyObject *args, PyObject *kw);
PyObject *xnpy_approx(PyObject *module, PyObject *args, PyObject *kw);
/* The xn_rng inside an Rng object, or NULL with TypeError. */
xn_rng *xnpy_rng_of(PyObject *obj);

#endif
