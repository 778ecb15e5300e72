/* The Net type: an xn_net from Python.  Its methods are the C API's, one
 * for one (create, load and save, initialize, predict, loss, gradient,
 * update, a training step, parameters, gradients and optimizer state in and
 * out); arrays go in as xnpy_rows gives them and come out as new NumPy
 * arrays, except `params`, `coefs()` and `intercepts()`, which are views of
 * the network's own parameters (they keep the Net alive). */
#include "ext.h"

#include <string.h>

#define NET(o) (((NetObject *)(o))->net)

int xnpy_net_enter(NetObject *self, int reentrant)
{
    unsigned long me = PyThread_get_thread_ident();
    if (self->busy && (self->owner != me || !reentrant)) {
        PyErr_SetString(PyExc_RuntimeError,
                        self->owner != me ? "the network is in use by another thread"
                                          : "a fit's callback may evaluate its network and set its "
                                            "learning rate, not train it");
        return -1;
    }
    self->busy++;
    self->owner = me;
    return 0;
}

void xnpy_net_leave(NetObject *self) { self->busy--; }

/* A new object of the type cls (Net or a subclass) owning net, which is
 * destroyed if the object cannot be made. */
static PyObject *adopt(PyObject *cls, xn_net *net)
{
    PyObject *o = ((PyTypeObject *)cls)->tp_alloc((PyTypeObject *)cls, 0);
    if (!o)
        xn_net_destroy(net);
    else
        NET(o) = net;
    return o;
}

PyObject *xnpy_net_wrap(xn_net *net) { return adopt((PyObject *)&xnpy_net_type, net); }

/* ---- life ------------------------------------------------------------------ */

static PyObject *net_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"sizes", "activations", "loss", "dtype", "max_batch", "kernel", NULL};
    PyObject *sizes_o, *acts_o, *loss_o = NULL, *dtype_o = NULL, *kernel_o = NULL;
    Py_ssize_t max_batch = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|O$OnO", kwlist, &sizes_o, &acts_o, &loss_o, &dtype_o,
                                     &max_batch, &kernel_o))
        return NULL;
    size_t sizes[XN_MAX_LAYERS + 1];
    xn_act acts[XN_MAX_LAYERS];
    xn_net_config cfg = {.sizes = sizes, .acts = acts, .loss = XN_LOSS_MSE};
    PyObject *sz = PySequence_Fast(sizes_o, "sizes must be a sequence of whole numbers");
    PyObject *ac = sz ? PySequence_Fast(acts_o, "activations must be a sequence of names") : NULL;
    if (!ac)
        goto fail;
    Py_ssize_t ns = PySequence_Fast_GET_SIZE(sz), na = PySequence_Fast_GET_SIZE(ac);
    if (ns < 2 || ns > XN_MAX_LAYERS + 1 || na != ns - 1) {
        PyErr_Format(PyExc_ValueError, "%zd sizes and %zd activations: a network of L layers (1..%d) "
                     "takes L+1 sizes and L activations", ns, na, XN_MAX_LAYERS);
        goto fail;
    }
    for (Py_ssize_t i = 0; i < ns; i++) {
        Py_ssize_t v = PyNumber_AsSsize_t(PySequence_Fast_GET_ITEM(sz, i), PyExc_OverflowError);
        if (v == -1 && PyErr_Occurred())
            goto fail;
        if (v < 1) {
            PyErr_Format(PyExc_ValueError, "size %zd is %zd: sizes are at least 1", i + 1, v);
            goto fail;
        }
        sizes[i] = (size_t)v;
    }
    for (Py_ssize_t i = 0; i < na; i++)
        XNPY_PARSE(PySequence_Fast_GET_ITEM(ac, i), xn_act_parse, &acts[i], "activation", goto fail);
    if (loss_o)
        XNPY_PARSE(loss_o, xn_loss_parse, &cfg.loss, "loss", goto fail);
    if (dtype_o)
        XNPY_PARSE(dtype_o, xn_dtype_parse, &cfg.dtype, "dtype", goto fail);
    if (kernel_o)
        XNPY_PARSE(kernel_o, xn_kernel_parse, &cfg.kernel, "kernel", goto fail);
    if (max_batch < 0) {
        PyErr_SetString(PyExc_ValueError, "max_batch must be zero or positive");
        goto fail;
    }
    cfg.n_layers = (size_t)na;
    cfg.max_batch = (size_t)max_batch;
    Py_DECREF(sz);
    Py_DECREF(ac);
    xn_error err;
    xn_status s = xn_net_check_config(&cfg, &err);
    xn_net *net = NULL;
    if (s == XN_OK)
        s = xn_net_create(&net, &cfg);
    if (s != XN_OK)
        return xnpy_raise(s, err.msg);
    NetObject *o = (NetObject *)type->tp_alloc(type, 0);
    if (!o) {
        xn_net_destroy(net);
        return NULL;
    }
    o->net = net;
    return (PyObject *)o;
fail:
    Py_XDECREF(sz);
    Py_XDECREF(ac);
    return NULL;
}

static void net_dealloc(NetObject *self)
{
    if (self->weakrefs)
        PyObject_ClearWeakRefs((PyObject *)self);
    xn_net_destroy(self->net);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* "path:line: msg" (or "path: msg") for a failed file call. */
static PyObject *file_error(xn_status s, const char *path, const xn_error *err)
{
    char msg[600];
    if (err->line)
        snprintf(msg, sizeof msg, "%s:%zu: %s", path, err->line, err->msg);
    else
        snprintf(msg, sizeof msg, "%s: %s", path, err->msg[0] ? err->msg : xn_strerror(s));
    return xnpy_raise(s, msg);
}

static PyObject *net_load(PyObject *cls, PyObject *arg)
{
    PyObject *bytes;
    if (!PyUnicode_FSConverter(arg, &bytes))
        return NULL;
    const char *path = PyBytes_AS_STRING(bytes);
    xn_net *net = NULL;
    xn_error err;
    xn_status s;
    Py_BEGIN_ALLOW_THREADS
    s = xn_net_load(&net, path, &err);
    Py_END_ALLOW_THREADS
    PyObject *r = s == XN_OK ? adopt(cls, net) : file_error(s, path, &err);
    Py_DECREF(bytes);
    return r;
}

static PyObject *net_parse(PyObject *cls, PyObject *arg)
{
    Py_buffer b;
    if (PyUnicode_Check(arg))
        arg = PyUnicode_AsUTF8String(arg);
    else
        Py_INCREF(arg);
    if (!arg || PyObject_GetBuffer(arg, &b, PyBUF_SIMPLE) < 0) {
        Py_XDECREF(arg);
        return NULL;
    }
    xn_net *net = NULL;
    xn_error err;
    xn_status s = xn_net_parse(&net, b.buf, (size_t)b.len, &err);
    PyBuffer_Release(&b);
    Py_DECREF(arg);
    return s == XN_OK ? adopt(cls, net) : file_error(s, "<text>", &err);
}

static PyObject *net_save(NetObject *self, PyObject *arg)
{
    PyObject *bytes;
    if (xnpy_net_enter(self, 1) < 0)
        return NULL;
    if (!PyUnicode_FSConverter(arg, &bytes)) {
        xnpy_net_leave(self);
        return NULL;
    }
    const char *path = PyBytes_AS_STRING(bytes);
    xn_error err;
    xn_status s;
    Py_BEGIN_ALLOW_THREADS
    s = xn_net_save(self->net, path, &err);
    Py_END_ALLOW_THREADS
    xnpy_net_leave(self);
    PyObject *r = s == XN_OK ? Py_NewRef(Py_None) : file_error(s, path, &err);
    Py_DECREF(bytes);
    return r;
}

static PyObject *net_clone(NetObject *self, PyObject *unused)
{
    (void)unused;
    xn_net *c;
    xn_status s = xn_net_clone(&c, self->net);
    return s == XN_OK ? adopt((PyObject *)Py_TYPE(self), c) : xnpy_raise(s, "clone: out of memory");
}

/* ---- initialization ---------------------------------------------------------- */

static PyObject *net_init(NetObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"rng", "init", "order", "bias", NULL};
    PyObject *rng_o, *init_o = NULL, *order_o = NULL, *bias_o = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|O$OO", kwlist, &rng_o, &init_o, &order_o, &bias_o))
        return NULL;
    xn_rng *rng = xnpy_rng_of(rng_o);
    xn_init init = XN_INIT_GLOROT_UNIFORM;
    xn_order order = XN_ORDER_ROW;
    xn_bias_init bias = XN_BIAS_ZERO;
    if (!rng)
        return NULL;
    if (init_o)
        XNPY_PARSE(init_o, xn_init_parse, &init, "initializer", return NULL);
    if (order_o)
        XNPY_PARSE(order_o, xn_order_parse, &order, "draw order", return NULL);
    if (bias_o)
        XNPY_PARSE(bias_o, xn_bias_init_parse, &bias, "bias rule", return NULL);
    if (xnpy_net_enter(self, 0) < 0)
        return NULL;
    xn_status s = xn_net_init(self->net, init, order, bias, rng);
    xnpy_net_leave(self);
    return s == XN_OK ? Py_NewRef(Py_None) : xnpy_net_raise(self, s);
}

static PyObject *net_init_default(NetObject *self, PyObject *arg)
{
    unsigned long long seed = PyLong_AsUnsignedLongLong(arg);
    if (seed == (unsigned long long)-1 && PyErr_Occurred())
        return NULL;
    if (xnpy_net_enter(self, 0) < 0)
        return NULL;
    xn_status s = xn_net_init_default(self->net, seed);
    xnpy_net_leave(self);
    return s == XN_OK ? Py_NewRef(Py_None) : xnpy_net_raise(self, s);
}

/* ---- the shape ----------------------------------------------------------------- */

static PyObject *get_sizes(NetObject *self, void *c)
{
    (void)c;
    size_t L = xn_net_layers(self->net);
    PyObject *t = PyTuple_New((Py_ssize_t)L + 1);
    for (size_t i = 0; t && i <= L; i++)
        PyTuple_SET_ITEM(t, (Py_ssize_t)i, PyLong_FromSize_t(xn_net_size(self->net, i)));
    return t;
}

static PyObject *get_acts(NetObject *self, void *c)
{
    (void)c;
    size_t L = xn_net_layers(self->net);
    PyObject *t = PyTuple_New((Py_ssize_t)L);
    for (size_t l = 1; t && l <= L; l++)
        PyTuple_SET_ITEM(t, (Py_ssize_t)l - 1, PyUnicode_FromString(xn_act_name(xn_net_act(self->net, l))));
    return t;
}

static PyObject *get_loss(NetObject *self, void *c)
{
    (void)c;
    return PyUnicode_FromString(xn_loss_name(xn_net_loss(self->net)));
}

static PyObject *get_dtype(NetObject *self, void *c)
{
    (void)c;
    return PyUnicode_FromString(xn_dtype_name(xn_net_dtype(self->net)));
}

static PyObject *get_kernel(NetObject *self, void *c)
{
    (void)c;
    return PyUnicode_FromString(xn_kernel_name(xn_net_kernel(self->net)));
}

static int set_kernel(NetObject *self, PyObject *v, void *c)
{
    (void)c;
    xn_kernel k;
    if (!v) {
        PyErr_SetString(PyExc_AttributeError, "kernel cannot be deleted");
        return -1;
    }
    XNPY_PARSE(v, xn_kernel_parse, &k, "kernel", return -1);
    xn_net_set_kernel(self->net, k);
    return 0;
}

static PyObject *get_clip(NetObject *self, void *c)
{
    (void)c;
    return PyFloat_FromDouble(xn_net_loss_clip(self->net));
}

static int set_clip(NetObject *self, PyObject *v, void *c)
{
    (void)c;
    double clip = v ? PyFloat_AsDouble(v) : -1.0;
    if (clip == -1.0 && PyErr_Occurred())
        return -1;
    xn_status s = xn_net_set_loss_clip(self->net, clip);
    if (s != XN_OK) {
        xnpy_net_raise(self, s);
        return -1;
    }
    return 0;
}

static PyObject *get_labels(NetObject *self, void *c)
{
    (void)c;
    const char *const *labels;
    size_t k = xn_net_labels(self->net, &labels);
    if (k == 0)
        return Py_NewRef(Py_None);
    PyObject *t = PyTuple_New((Py_ssize_t)k);
    for (size_t i = 0; t && i < k; i++) {
        PyObject *s = PyUnicode_FromString(labels[i]);
        if (!s)
            Py_CLEAR(t);
        else
            PyTuple_SET_ITEM(t, (Py_ssize_t)i, s);
    }
    return t;
}

/* A sequence of strings (kept in model files), or None to remove them. */
static int set_labels(NetObject *self, PyObject *v, void *c)
{
    (void)c;
    PyObject *seq = v && v != Py_None ? PySequence_Fast(v, "labels must be a sequence of strings or None") : NULL;
    if (v && v != Py_None && !seq)
        return -1;
    Py_ssize_t k = seq ? PySequence_Fast_GET_SIZE(seq) : 0;
    const char **labels = PyMem_Calloc(k ? (size_t)k : 1, sizeof *labels);
    int rc = labels ? 0 : -1;
    for (Py_ssize_t i = 0; rc == 0 && i < k; i++)
        if (!(labels[i] = xnpy_str(PySequence_Fast_GET_ITEM(seq, i), "a label")))
            rc = -1;
    xn_status s = XN_OK;
    if (rc == 0 && xnpy_net_enter(self, 0) == 0) {
        s = xn_net_set_labels(self->net, (size_t)k, k ? labels : NULL);
        xnpy_net_leave(self);
        if (s != XN_OK) {
            xnpy_net_raise(self, s);
            rc = -1;
        }
    } else {
        rc = -1;
    }
    if (!labels)
        PyErr_NoMemory();
    PyMem_Free(labels);
    Py_XDECREF(seq);
    return rc;
}

static PyObject *get_n_params(NetObject *self, void *c)
{
    (void)c;
    return PyLong_FromSize_t(xn_net_param_count(self->net));
}

static PyObject *get_error(NetObject *self, void *c)
{
    (void)c;
    return PyUnicode_FromString(xn_net_error(self->net));
}

/* ---- parameters as views, and copies in and out --------------------------------- */

static int npy_type(const xn_net *net) { return xn_net_dtype(net) == XN_FLOAT32 ? NPY_FLOAT : NPY_DOUBLE; }

/* A view (nd dims) of the parameters from element off, keeping self alive. */
static PyObject *param_view(NetObject *self, size_t off, int nd, npy_intp *dims)
{
    char *base = xn_net_params_data(self->net);
    size_t es = xn_net_dtype(self->net) == XN_FLOAT32 ? sizeof(float) : sizeof(double);
    PyObject *a = PyArray_SimpleNewFromData(nd, dims, npy_type(self->net), base + off * es);
    if (a && PyArray_SetBaseObject((PyArrayObject *)a, Py_NewRef(self)) < 0) {
        Py_DECREF(a);
        return NULL;
    }
    return a;
}

static PyObject *get_params_view(NetObject *self, void *c)
{
    (void)c;
    npy_intp n = (npy_intp)xn_net_param_count(self->net);
    return param_view(self, 0, 1, &n);
}

/* coefs() or intercepts(): views of every W_l (n_{l-1}, n_l) or b_l (n_l). */
static PyObject *layer_views(NetObject *self, int biases)
{
    size_t L = xn_net_layers(self->net), off = 0;
    PyObject *list = PyList_New((Py_ssize_t)L);
    for (size_t l = 1; list && l <= L; l++) {
        size_t in = xn_net_size(self->net, l - 1), out = xn_net_size(self->net, l);
        npy_intp wd[2] = {(npy_intp)in, (npy_intp)out}, bd[1] = {(npy_intp)out};
        PyObject *v = biases ? param_view(self, off + in * out, 1, bd) : param_view(self, off, 2, wd);
        if (!v) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)l - 1, v);
        off += in * out + out;
    }
    return list;
}

static PyObject *net_coefs(NetObject *self, PyObject *unused)
{
    (void)unused;
    return layer_views(self, 0);
}

static PyObject *net_intercepts(NetObject *self, PyObject *unused)
{
    (void)unused;
    return layer_views(self, 1);
}

/* A (P,) float64 copy out of the network by get, or in by set. */
static PyObject *copy_out(NetObject *self, xn_status (*get)(const xn_net *, double *))
{
    npy_intp n = (npy_intp)xn_net_param_count(self->net);
    PyArrayObject *a = (PyArrayObject *)PyArray_SimpleNew(1, &n, NPY_DOUBLE);
    if (!a)
        return NULL;
    xn_status s = get(self->net, PyArray_DATA(a));
    if (s != XN_OK) {
        Py_DECREF(a);
        return xnpy_raise(s, "no training state yet (train or set the gradients first)");
    }
    return (PyObject *)a;
}

static PyObject *copy_in(NetObject *self, PyObject *arg, xn_status (*set)(xn_net *, const double *))
{
    if (xnpy_net_enter(self, 0) < 0)
        return NULL;
    PyArrayObject *a = (PyArrayObject *)PyArray_FROMANY(arg, NPY_DOUBLE, 1, 1, NPY_ARRAY_IN_ARRAY);
    xn_status s = XN_OK;
    if (a && (size_t)PyArray_DIM(a, 0) != xn_net_param_count(self->net))
        PyErr_Format(PyExc_ValueError, "%zd values for %zu parameters", (Py_ssize_t)PyArray_DIM(a, 0),
                     xn_net_param_count(self->net));
    else if (a)
        s = set(self->net, PyArray_DATA(a));
    xnpy_net_leave(self);
    PyObject *r = !a || PyErr_Occurred() ? NULL : s != XN_OK ? xnpy_net_raise(self, s) : Py_NewRef(Py_None);
    Py_XDECREF(a);
    return r;
}

static PyObject *net_get_params(NetObject *self, PyObject *u) { (void)u; return copy_out(self, xn_net_get_params); }
static PyObject *net_get_grads(NetObject *self, PyObject *u) { (void)u; return copy_out(self, xn_net_get_grads); }
static PyObject *net_set_params(NetObject *self, PyObject *a) { return copy_in(self, a, xn_net_set_params); }
static PyObject *net_set_grads(NetObject *self, PyObject *a) { return copy_in(self, a, xn_net_set_grads); }

static PyObject *net_reserve(NetObject *self, PyObject *arg)
{
    Py_ssize_t n = PyNumber_AsSsize_t(arg, PyExc_OverflowError);
    if ((n == -1 && PyErr_Occurred()) || xnpy_net_enter(self, 0) < 0)
        return NULL;
    xn_status s = n < 0 ? XN_EDIM : xn_net_reserve(self->net, (size_t)n);
    xnpy_net_leave(self);
    return s == XN_OK ? Py_NewRef(Py_None) : xnpy_raise(s, n < 0 ? "reserve: a negative row count" : xn_net_error(self->net));
}

/* ---- the type ------------------------------------------------------------------ */

#define M(name, fn, flags, doc) {name, (PyCFunction)(void (*)(void))(fn), flags, doc}
static PyMethodDef net_methods[] = {
    M("load", net_load, METH_O | METH_CLASS, "Net.load(path)\n\nReads a model file (docs/model-format.md); a checkpoint reads as its model."),
    M("parse", net_parse, METH_O | METH_CLASS, "Net.parse(text)\n\nReads a model file's text (str or bytes)."),
    M("save", net_save, METH_O, "save(path)\n\nWrites the model file, atomically."),
    M("clone", net_clone, METH_NOARGS, "clone()\n\nA deep copy: parameters, gradients and optimizer state."),
    M("init", net_init, METH_VARARGS | METH_KEYWORDS,
      "init(rng, init='glorot_uniform', *, order='row', bias='zero')\n\n"
      "Draws the weights from the Rng (and the biases, bias='drawn'); resets the optimizer's moments."),
    M("init_default", net_init_default, METH_O, "init_default(seed)\n\nHe uniform for relu layers, Glorot uniform for the others, biases zero, from Python's stream."),
    M("coefs", net_coefs, METH_NOARGS, "coefs()\n\nViews of every W_l (n_{l-1}, n_l): writing them sets the parameters."),
    M("intercepts", net_intercepts, METH_NOARGS, "intercepts()\n\nViews of every b_l (n_l)."),
    M("get_params", net_get_params, METH_NOARGS, "get_params()\n\nAll parameters as a float64 copy (P,), layer by layer, W_l then b_l."),
    M("set_params", net_set_params, METH_O, "set_params(p)\n\nSets every parameter from p (P,); counts as initializing."),
    M("get_grads", net_get_grads, METH_NOARGS, "get_grads()\n\nThe last gradient, a float64 copy (P,)."),
    M("set_grads", net_set_grads, METH_O, "set_grads(g)\n\nSets the gradient an update() applies."),
    M("predict", xnpy_predict, METH_O, "predict(x)\n\nOutputs (n, nL) of rows x (n, n0): float64, or float32 for float32 rows on a float32 network."),
    M("eval_loss", xnpy_eval_loss, METH_VARARGS, "eval_loss(x, y)\n\nThe loss on (x, y); the gradient is untouched."),
    M("accuracy", xnpy_accuracy, METH_VARARGS, "accuracy(x, y)\n\nThe fraction of rows classified right."),
    M("gradient", xnpy_gradient, METH_VARARGS, "gradient(x, y)\n\nComputes the gradient of the loss (with the optimizer's l2 penalty); returns the loss."),
    M("accumulate", xnpy_accumulate, METH_VARARGS, "accumulate(x, y, total)\n\nAdds the gradient of rows of a batch of `total` rows; returns their share of its loss."),
    M("zero_grads", xnpy_zero_grads, METH_NOARGS, "zero_grads()\n\nZeroes the gradient before accumulate()."),
    M("update", xnpy_update, METH_NOARGS, "update()\n\nApplies the optimizer to the gradient."),
    M("train_step", xnpy_train_step, METH_VARARGS | METH_KEYWORDS,
      "train_step(x, y, optimizer=None)\n\nGradient then update; optimizer (a dict as Net.optimizer) becomes the network's. Returns the loss before the update."),
    M("fit", xnpy_net_fit, METH_VARARGS | METH_KEYWORDS, "fit(x, y, epochs, ...)\n\nxn_fit over the rows: see xornet.Net.fit's documentation."),
    M("set_optimizer", xnpy_set_opt, METH_VARARGS | METH_KEYWORDS,
      "set_optimizer(kind='gd', **settings)\n\nSets the optimizer (lr, momentum, beta1, beta2, eps, weight_decay, l2, nesterov, eps_raw; for lm and lbfgs mu, mu_dec, mu_inc, mu_max, lm_max_bytes, memory, max_line_search, gtol, ftol, max_evals; the kind's defaults otherwise) and resets its moments."),
    M("set_lr", xnpy_set_lr, METH_O, "set_lr(lr)\n\nChanges the learning rate alone, keeping the moments."),
    M("reset_optimizer", xnpy_reset_opt, METH_NOARGS, "reset_optimizer()\n\nForgets the moments and step count."),
    M("get_moments", xnpy_get_moments, METH_NOARGS, "get_moments()\n\n(m, v, steps): the optimizer's moments as float64 copies and its step count."),
    M("set_moments", xnpy_set_moments, METH_VARARGS, "set_moments(m, v, steps)\n\nSets the optimizer's state."),
    M("set_standardization", xnpy_set_standardization, METH_VARARGS, "set_standardization(mean, sd)\n\nThe inputs' standardization (None, None removes it)."),
    M("set_target_standardization", xnpy_set_target_standardization, METH_VARARGS,
      "set_target_standardization(mean, sd)\n\nThe targets' standardization (identity outputs only)."),
    M("reserve", net_reserve, METH_O, "reserve(rows)\n\nGrows the workspace to batches of that many rows."),
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef net_getset[] = {
    {"sizes", (getter)get_sizes, NULL, "The layer widths n0..nL.", NULL},
    {"activations", (getter)get_acts, NULL, "Each layer's activation.", NULL},
    {"loss", (getter)get_loss, NULL, "The loss.", NULL},
    {"dtype", (getter)get_dtype, NULL, "'float64' or 'float32'.", NULL},
    {"kernel", (getter)get_kernel, (setter)set_kernel, "'auto', 'blas' or 'naive'.", NULL},
    {"loss_clip", (getter)get_clip, (setter)set_clip,
     "0: the log losses valued exactly; in (0, 0.5): from the probabilities clipped to [clip, 1 - clip].", NULL},
    {"n_params", (getter)get_n_params, NULL, "The parameter count P.", NULL},
    {"labels", (getter)get_labels, (setter)set_labels,
     "The classes' labels (a tuple of strings, kept in model files), or None.", NULL},
    {"params", (getter)get_params_view, NULL, "A view (P,) of the parameters in the network's type.", NULL},
    {"optimizer", (getter)xnpy_get_opt, NULL, "The optimizer as a dict.", NULL},
    {"solver_report", (getter)xnpy_get_solver_report, NULL,
     "What lm or lbfgs has done since the optimizer was set (iterations, evaluations, jacobians, qr_steps, "
     "stop, mu, objective), or None for a first-order optimizer.", NULL},
    {"standardization", (getter)xnpy_get_scale, NULL, "(mean, sd) of the inputs, or None.", NULL},
    {"target_standardization", (getter)xnpy_get_scale, NULL, "(mean, sd) of the targets, or None.", (void *)1},
    {"error", (getter)get_error, NULL, "Why the last failed call failed.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject xnpy_net_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "xornet.Net",
    .tp_basicsize = sizeof(NetObject),
    .tp_dealloc = (destructor)net_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "Net(sizes, activations, loss='mse', *, dtype='float64', max_batch=0, kernel='auto')\n\n"
              "A dense network of the C library (xn_net): sizes n0..nL, one activation a layer\n"
              "(identity sigmoid relu tanh softmax), a loss (mse sse bce cce bce_sum).",
    .tp_weaklistoffset = offsetof(NetObject, weakrefs),
    .tp_methods = net_methods,
    .tp_getset = net_getset,
    .tp_new = net_new,
};
