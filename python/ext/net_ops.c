/* What a Net computes, and the optimizer it carries: predict (rows of
 * float64, or float32 for a float32 network, read in place), the loss,
 * accuracy, gradient, accumulation, update and training step (the C API
 * takes doubles: other rows are converted), the optimizer as a dict, its
 * moments, and the standardization of inputs and targets.  Each call on
 * rows releases the GIL while the library runs. */
#include "ext.h"

#include <stddef.h>
#include <string.h>

/* The rows x (and targets y, when y_o is given) of a call: converted as
 * xnpy_rows does (float32 kept only where f32_ok), y to x's type. */
static int rows_pair(NetObject *self, PyObject *x_o, PyObject *y_o, int f32_ok, const char *call,
                     PyArrayObject **x, PyArrayObject **y)
{
    size_t L = xn_net_layers(self->net);
    *y = NULL;
    *x = xnpy_rows(x_o, xn_net_size(self->net, 0), f32_ok, call);
    if (*x && y_o)
        *y = xnpy_rows_as(y_o, xn_net_size(self->net, L), PyArray_TYPE(*x), call);
    if (*x && y_o && *y && PyArray_DIM(*x, 0) != PyArray_DIM(*y, 0))
        PyErr_Format(PyExc_ValueError, "%s: %zd input rows and %zd target rows", call,
                     (Py_ssize_t)PyArray_DIM(*x, 0), (Py_ssize_t)PyArray_DIM(*y, 0));
    if (!*x || (y_o && !*y) || PyErr_Occurred()) {
        Py_CLEAR(*x);
        Py_CLEAR(*y);
        return -1;
    }
    return 0;
}

PyObject *xnpy_predict(NetObject *self, PyObject *arg)
{
    PyArrayObject *x, *y, *out;
    if (rows_pair(self, arg, NULL, xn_net_dtype(self->net) == XN_FLOAT32, "predict", &x, &y) < 0)
        return NULL;
    size_t n = (size_t)PyArray_DIM(x, 0), K = xn_net_size(self->net, xn_net_layers(self->net));
    if (!(out = xnpy_empty(n, K, PyArray_TYPE(x))) || xnpy_net_enter(self, 1) < 0) {
        Py_DECREF(x);
        Py_XDECREF(out);
        return NULL;
    }
    xn_status s;
    Py_BEGIN_ALLOW_THREADS
    s = xn_net_predict_rows(self->net, n, xnpy_dtype(x), PyArray_DATA(x), PyArray_DATA(out));
    Py_END_ALLOW_THREADS
    xnpy_net_leave(self);
    Py_DECREF(x);
    if (s != XN_OK) {
        Py_DECREF(out);
        return xnpy_net_raise(self, s);
    }
    return (PyObject *)out;
}

/* The calls on rows x, y of doubles that return a number: which one, and
 * what it takes besides the rows. */
typedef enum { EVAL_LOSS, ACCURACY, GRADIENT, ACCUMULATE, TRAIN_STEP } rows_call;

static const char *const call_names[] = {"eval_loss", "accuracy", "gradient", "accumulate", "train_step"};

static xn_status run_call(xn_net *net, rows_call c, size_t n, const double *x, const double *y, size_t total,
                          const xn_opt *o, double *v)
{
    switch (c) {
    case EVAL_LOSS:
        return xn_net_eval_loss(net, n, x, y, v);
    case ACCURACY:
        return xn_net_accuracy(net, n, x, y, v);
    case GRADIENT:
        return xn_net_gradient(net, n, x, y, v);
    case ACCUMULATE:
        return xn_net_accumulate(net, n, x, y, total, v);
    default:
        return xn_net_train_step(net, n, x, y, o, v);
    }
}

/* Converts the rows, takes the network (evaluation may run from a fit's
 * callback; the others train), runs the call without the GIL. */
static PyObject *on_rows(NetObject *self, rows_call c, PyObject *x_o, PyObject *y_o, size_t total,
                         const xn_opt *o)
{
    PyArrayObject *x, *y;
    if (rows_pair(self, x_o, y_o, 0, call_names[c], &x, &y) < 0)
        return NULL;
    if (xnpy_net_enter(self, c == EVAL_LOSS || c == ACCURACY) < 0) {
        Py_DECREF(x);
        Py_DECREF(y);
        return NULL;
    }
    double v = 0.0;
    xn_status s;
    Py_BEGIN_ALLOW_THREADS
    s = run_call(self->net, c, (size_t)PyArray_DIM(x, 0), PyArray_DATA(x), PyArray_DATA(y), total, o, &v);
    Py_END_ALLOW_THREADS
    xnpy_net_leave(self);
    Py_DECREF(x);
    Py_DECREF(y);
    return s == XN_OK ? PyFloat_FromDouble(v) : xnpy_net_raise(self, s);
}

static PyObject *on_pair(NetObject *self, PyObject *args, rows_call c)
{
    PyObject *x_o, *y_o;
    return PyArg_ParseTuple(args, "OO", &x_o, &y_o) ? on_rows(self, c, x_o, y_o, 0, NULL) : NULL;
}

PyObject *xnpy_eval_loss(NetObject *self, PyObject *a) { return on_pair(self, a, EVAL_LOSS); }
PyObject *xnpy_accuracy(NetObject *self, PyObject *a) { return on_pair(self, a, ACCURACY); }
PyObject *xnpy_gradient(NetObject *self, PyObject *a) { return on_pair(self, a, GRADIENT); }

PyObject *xnpy_accumulate(NetObject *self, PyObject *args)
{
    PyObject *x_o, *y_o;
    Py_ssize_t total;
    if (!PyArg_ParseTuple(args, "OOn", &x_o, &y_o, &total))
        return NULL;
    if (total < 0) {
        PyErr_SetString(PyExc_ValueError, "accumulate: total must be zero or positive");
        return NULL;
    }
    return on_rows(self, ACCUMULATE, x_o, y_o, (size_t)total, NULL);
}

/* A call of the network that takes nothing and returns nothing. */
static PyObject *on_net(NetObject *self, void (*fn)(xn_net *))
{
    if (xnpy_net_enter(self, 0) < 0)
        return NULL;
    fn(self->net);
    xnpy_net_leave(self);
    return Py_NewRef(Py_None);
}

PyObject *xnpy_zero_grads(NetObject *self, PyObject *unused)
{
    (void)unused;
    return on_net(self, xn_net_zero_grads);
}

PyObject *xnpy_update(NetObject *self, PyObject *unused)
{
    (void)unused;
    if (xnpy_net_enter(self, 0) < 0)
        return NULL;
    xn_status s = xn_net_update(self->net);
    xnpy_net_leave(self);
    return s == XN_OK ? Py_NewRef(Py_None) : xnpy_net_raise(self, s);
}

/* ---- the optimizer as a dict ------------------------------------------------- */

/* The settings of xn_opt by name, doubles and counts: the dict's keys. */
typedef struct {
    const char *name;
    size_t offset;
    int count; /* a size_t, not a double */
} opt_field;

#define OPT_D(f) {#f, offsetof(xn_opt, f), 0}
#define OPT_N(f) {#f, offsetof(xn_opt, f), 1}
static const opt_field opt_fields[] = {
    OPT_D(lr),     OPT_D(momentum), OPT_D(beta1),        OPT_D(beta2),       OPT_D(eps),
    OPT_D(weight_decay), OPT_D(l2), OPT_D(mu),           OPT_D(mu_dec),      OPT_D(mu_inc),
    OPT_D(mu_max), OPT_N(lm_max_bytes), OPT_N(memory),   OPT_N(max_line_search), OPT_D(gtol),
    OPT_D(ftol),   OPT_N(max_evals),
};
#undef OPT_D
#undef OPT_N
enum { N_OPT_FIELDS = sizeof opt_fields / sizeof opt_fields[0] };

PyObject *xnpy_opt_dict(const xn_opt *o)
{
    PyObject *d = Py_BuildValue("{s:s,s:O,s:O}", "kind", xn_opt_name(o->kind), "nesterov",
                                o->nesterov ? Py_True : Py_False, "eps_raw", o->eps_raw ? Py_True : Py_False);
    for (int i = 0; d && i < N_OPT_FIELDS; i++) {
        const char *at = (const char *)o + opt_fields[i].offset;
        PyObject *v = opt_fields[i].count ? PyLong_FromSize_t(*(const size_t *)at)
                                          : PyFloat_FromDouble(*(const double *)at);
        if (!v || PyDict_SetItemString(d, opt_fields[i].name, v) < 0)
            Py_CLEAR(d);
        Py_XDECREF(v);
    }
    return d;
}

/* Stores val, a number, in the field f of o: -1 with an exception for a
 * value of the wrong kind (a count must be a whole number >= 0). */
static int opt_store(xn_opt *o, const opt_field *f, PyObject *val)
{
    char *at = (char *)o + f->offset;
    if (!f->count) {
        double v = PyFloat_AsDouble(val);
        if (v == -1.0 && PyErr_Occurred())
            return -1;
        *(double *)at = v;
        return 0;
    }
    size_t n = PyLong_AsSize_t(val);
    if (n == (size_t)-1 && PyErr_Occurred()) {
        if (PyErr_ExceptionMatches(PyExc_OverflowError))
            PyErr_Format(PyExc_ValueError, "the optimizer's %s must be a whole number >= 0", f->name);
        return -1;
    }
    *(size_t *)at = n;
    return 0;
}

/* A dict (or keywords) of optimizer settings: the kind's defaults
 * (xn_opt_default) for those not given; unknown keys are refused. */
int xnpy_opt_from(PyObject *d, xn_opt *o)
{
    PyObject *kind = d ? PyDict_GetItemString(d, "kind") : NULL;
    xn_opt_kind k = XN_OPT_GD;
    if (kind)
        XNPY_PARSE(kind, xn_opt_parse, &k, "optimizer", return -1);
    *o = xn_opt_default(k);
    PyObject *key, *val;
    Py_ssize_t pos = 0;
    while (d && PyDict_Next(d, &pos, &key, &val)) {
        const char *name = xnpy_str(key, "an optimizer setting's name");
        int i = 0;
        if (!name)
            return -1;
        if (!strcmp(name, "kind"))
            continue;
        if (!strcmp(name, "nesterov") || !strcmp(name, "eps_raw")) {
            int t = PyObject_IsTrue(val);
            if (t < 0)
                return -1;
            *(name[0] == 'n' ? &o->nesterov : &o->eps_raw) = t;
            continue;
        }
        while (i < N_OPT_FIELDS && strcmp(name, opt_fields[i].name))
            i++;
        if (i == N_OPT_FIELDS) {
            PyErr_Format(PyExc_TypeError, "unknown optimizer setting '%s'", name);
            return -1;
        }
        if (opt_store(o, &opt_fields[i], val) < 0)
            return -1;
    }
    return 0;
}

PyObject *xnpy_get_solver_report(NetObject *self, void *c)
{
    (void)c;
    xn_solver_report r;
    if (xn_net_solver_report(self->net, &r) != XN_OK)
        return Py_NewRef(Py_None);
    return Py_BuildValue("{s:n,s:n,s:n,s:n,s:s,s:d,s:d}", "iterations", (Py_ssize_t)r.iterations, "evaluations",
                         (Py_ssize_t)r.evaluations, "jacobians", (Py_ssize_t)r.jacobians, "qr_steps",
                         (Py_ssize_t)r.qr_steps, "stop", xn_stop_name(r.stop), "mu", r.mu, "objective",
                         r.objective);
}

PyObject *xnpy_get_opt(NetObject *self, void *c)
{
    (void)c;
    xn_opt o = xn_net_opt(self->net);
    return xnpy_opt_dict(&o);
}

PyObject *xnpy_set_opt(NetObject *self, PyObject *args, PyObject *kw)
{
    xn_opt o;
    if (PyTuple_GET_SIZE(args) != 0) {
        PyErr_SetString(PyExc_TypeError, "set_optimizer takes keywords only: kind='adam', lr=...");
        return NULL;
    }
    if (xnpy_opt_from(kw, &o) < 0 || xnpy_net_enter(self, 0) < 0)
        return NULL;
    xn_status s = xn_net_set_opt(self->net, &o);
    xnpy_net_leave(self);
    return s == XN_OK ? Py_NewRef(Py_None) : xnpy_net_raise(self, s);
}

PyObject *xnpy_set_lr(NetObject *self, PyObject *arg)
{
    double lr = PyFloat_AsDouble(arg);
    if ((lr == -1.0 && PyErr_Occurred()) || xnpy_net_enter(self, 1) < 0)
        return NULL;
    xn_status s = xn_net_set_lr(self->net, lr);
    xnpy_net_leave(self);
    return s == XN_OK ? Py_NewRef(Py_None) : xnpy_net_raise(self, s);
}

PyObject *xnpy_reset_opt(NetObject *self, PyObject *unused)
{
    (void)unused;
    return on_net(self, xn_net_reset_opt);
}

PyObject *xnpy_train_step(NetObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"x", "y", "optimizer", NULL};
    PyObject *x_o, *y_o, *opt_o = Py_None;
    xn_opt o;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|O", kwlist, &x_o, &y_o, &opt_o))
        return NULL;
    if (opt_o == Py_None)
        o = xn_net_opt(self->net);
    else if (!PyDict_Check(opt_o)) {
        PyErr_SetString(PyExc_TypeError, "train_step: optimizer must be a dict (as Net.optimizer) or None");
        return NULL;
    } else if (xnpy_opt_from(opt_o, &o) < 0)
        return NULL;
    return on_rows(self, TRAIN_STEP, x_o, y_o, 0, &o);
}

/* ---- moments and standardization ----------------------------------------------- */

PyObject *xnpy_get_moments(NetObject *self, PyObject *unused)
{
    (void)unused;
    npy_intp n = (npy_intp)xn_net_param_count(self->net);
    PyArrayObject *m = (PyArrayObject *)PyArray_SimpleNew(1, &n, NPY_DOUBLE);
    PyArrayObject *v = m ? (PyArrayObject *)PyArray_SimpleNew(1, &n, NPY_DOUBLE) : NULL;
    uint64_t steps = 0;
    xn_status s = v ? xn_net_get_moments(self->net, PyArray_DATA(m), PyArray_DATA(v), &steps) : XN_ENOMEM;
    if (!v || s != XN_OK) {
        Py_XDECREF(m);
        Py_XDECREF(v);
        return v ? xnpy_raise(s, "get_moments: no training state yet") : NULL;
    }
    return Py_BuildValue("(NNK)", m, v, (unsigned long long)steps);
}

PyObject *xnpy_set_moments(NetObject *self, PyObject *args)
{
    PyObject *m_o, *v_o;
    unsigned long long steps;
    if (!PyArg_ParseTuple(args, "OOK", &m_o, &v_o, &steps))
        return NULL;
    PyArrayObject *m = (PyArrayObject *)PyArray_FROMANY(m_o, NPY_DOUBLE, 1, 1, NPY_ARRAY_IN_ARRAY);
    PyArrayObject *v = m ? (PyArrayObject *)PyArray_FROMANY(v_o, NPY_DOUBLE, 1, 1, NPY_ARRAY_IN_ARRAY) : NULL;
    size_t P = xn_net_param_count(self->net);
    xn_status s = XN_OK;
    if (v && ((size_t)PyArray_DIM(m, 0) != P || (size_t)PyArray_DIM(v, 0) != P))
        PyErr_Format(PyExc_ValueError, "set_moments: m and v need %zu values each", P);
    else if (v && xnpy_net_enter(self, 0) == 0) {
        s = xn_net_set_moments(self->net, PyArray_DATA(m), PyArray_DATA(v), steps);
        xnpy_net_leave(self);
    }
    PyObject *r = !v || PyErr_Occurred() ? NULL : s != XN_OK ? xnpy_net_raise(self, s) : Py_NewRef(Py_None);
    Py_XDECREF(m);
    Py_XDECREF(v);
    return r;
}

/* set_standardization(mean, sd) or set_target_standardization: both None
 * removes it. */
static PyObject *set_scale(NetObject *self, PyObject *args, int targets)
{
    PyObject *m_o, *s_o;
    if (!PyArg_ParseTuple(args, "OO", &m_o, &s_o))
        return NULL;
    size_t k = xn_net_size(self->net, targets ? xn_net_layers(self->net) : 0);
    PyArrayObject *m = NULL, *sd = NULL;
    if (m_o != Py_None || s_o != Py_None) {
        m = (PyArrayObject *)PyArray_FROMANY(m_o, NPY_DOUBLE, 1, 1, NPY_ARRAY_IN_ARRAY);
        sd = m ? (PyArrayObject *)PyArray_FROMANY(s_o, NPY_DOUBLE, 1, 1, NPY_ARRAY_IN_ARRAY) : NULL;
        if (sd && ((size_t)PyArray_DIM(m, 0) != k || (size_t)PyArray_DIM(sd, 0) != k))
            PyErr_Format(PyExc_ValueError, "the mean and sd need %zu values each", k);
        if (!sd || PyErr_Occurred()) {
            Py_XDECREF(m);
            Py_XDECREF(sd);
            return NULL;
        }
    }
    xn_status s = XN_EINVAL;
    if (xnpy_net_enter(self, 0) == 0) {
        const double *mp = m ? PyArray_DATA(m) : NULL, *sp = sd ? PyArray_DATA(sd) : NULL;
        s = targets ? xn_net_set_target_standardization(self->net, mp, sp)
                    : xn_net_set_standardization(self->net, mp, sp);
        xnpy_net_leave(self);
    }
    Py_XDECREF(m);
    Py_XDECREF(sd);
    return PyErr_Occurred() ? NULL : s == XN_OK ? Py_NewRef(Py_None) : xnpy_net_raise(self, s);
}

PyObject *xnpy_set_standardization(NetObject *self, PyObject *a) { return set_scale(self, a, 0); }
PyObject *xnpy_set_target_standardization(NetObject *self, PyObject *a) { return set_scale(self, a, 1); }

/* The standardization as (mean, sd) copies, or None. */
PyObject *xnpy_get_scale(NetObject *self, void *targets)
{
    const double *m = targets ? xn_net_target_mean(self->net) : xn_net_input_mean(self->net);
    const double *sd = targets ? xn_net_target_sd(self->net) : xn_net_input_sd(self->net);
    if (!m)
        return Py_NewRef(Py_None);
    npy_intp k = (npy_intp)xn_net_size(self->net, targets ? xn_net_layers(self->net) : 0);
    PyArrayObject *a = (PyArrayObject *)PyArray_SimpleNew(1, &k, NPY_DOUBLE);
    PyArrayObject *b = a ? (PyArrayObject *)PyArray_SimpleNew(1, &k, NPY_DOUBLE) : NULL;
    if (!b) {
        Py_XDECREF(a);
        return NULL;
    }
    memcpy(PyArray_DATA(a), m, (size_t)k * sizeof *m);
    memcpy(PyArray_DATA(b), sd, (size_t)k * sizeof *sd);
    return Py_BuildValue("(NN)", a, b);
}
