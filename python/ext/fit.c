/* Net.fit: xn_fit_rows on the caller's arrays, the GIL released for the
 * whole run.  The callbacks are Python callables: each call takes the GIL
 * back, gets the progress as a dict, and returns whether to stop; an
 * exception stops the run and is raised once xn_fit_rows has returned.
 * With callback_lr they may set the rate (Net.set_lr) for the epochs
 * after; they may evaluate the network, not train it (xnpy_net_enter). */
#include "ext.h"

typedef struct {
    PyObject *on_epoch, *on_batch;
    PyObject *exc_type, *exc_value, *exc_tb; /* the first exception raised */
} fit_ctx;

static PyObject *progress_dict(const xn_progress *p)
{
    return Py_BuildValue("{s:n,s:n,s:n,s:n,s:d,s:d,s:d,s:d,s:d,s:d,s:d,s:n}", "epoch", (Py_ssize_t)p->epoch,
                         "epochs", (Py_ssize_t)p->epochs, "batch", (Py_ssize_t)p->batch, "batches",
                         (Py_ssize_t)p->batches, "loss", p->loss, "penalty", p->penalty, "metric", p->metric,
                         "val_loss", p->val_loss, "val_metric", p->val_metric, "lr", p->lr, "seconds",
                         p->seconds, "best_epoch", (Py_ssize_t)p->best_epoch);
}

/* Calls fn(progress) with the GIL; nonzero (stop) for a true result or an
 * exception, which is kept for the caller of fit. */
static int call(PyObject *fn, const xn_progress *p, fit_ctx *c)
{
    PyGILState_STATE g = PyGILState_Ensure();
    int stop = 1;
    PyObject *d = progress_dict(p), *r = d ? PyObject_CallOneArg(fn, d) : NULL;
    if (r && (stop = PyObject_IsTrue(r)) < 0)
        stop = 1;
    if (PyErr_Occurred()) {
        if (!c->exc_type)
            PyErr_Fetch(&c->exc_type, &c->exc_value, &c->exc_tb);
        else
            PyErr_Clear();
    }
    Py_XDECREF(r);
    Py_XDECREF(d);
    PyGILState_Release(g);
    return stop;
}

static int on_epoch(const xn_progress *p, void *user)
{
    fit_ctx *c = user;
    return call(c->on_epoch, p, c);
}

static int on_batch(const xn_progress *p, void *user)
{
    fit_ctx *c = user;
    return call(c->on_batch, p, c);
}

static PyObject *result_dict(const xn_fit_result *r)
{
    return Py_BuildValue("{s:n,s:n,s:O,s:O,s:O,s:d,s:d,s:d,s:d,s:s}", "epochs", (Py_ssize_t)r->epochs, "best_epoch",
                         (Py_ssize_t)r->best_epoch, "restored", r->restored ? Py_True : Py_False,
                         "stopped_early", r->stopped_early ? Py_True : Py_False, "stopped_by_callback",
                         r->stopped_by_callback ? Py_True : Py_False, "loss", r->loss, "metric", r->metric,
                         "val_loss", r->val_loss, "val_metric", r->val_metric, "stop", xn_stop_name(r->stop));
}

/* The validation rows (xv, yv) as float64 arrays in *vx, *vy. */
static int val_rows(NetObject *self, PyObject *val, PyArrayObject **vx, PyArrayObject **vy)
{
    PyObject *xo, *yo;
    size_t L = xn_net_layers(self->net);
    if (!PyArg_ParseTuple(val, "OO;val must be a pair (x, y)", &xo, &yo))
        return -1;
    *vx = xnpy_rows_as(xo, xn_net_size(self->net, 0), NPY_DOUBLE, "fit: val");
    *vy = *vx ? xnpy_rows_as(yo, xn_net_size(self->net, L), NPY_DOUBLE, "fit: val") : NULL;
    if (*vy && PyArray_DIM(*vx, 0) != PyArray_DIM(*vy, 0))
        PyErr_SetString(PyExc_ValueError, "fit: val has different row counts in x and y");
    return *vy && !PyErr_Occurred() ? 0 : -1;
}

PyObject *xnpy_net_fit(NetObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"x", "y", "epochs", "batch", "shuffle", "reshuffle", "rng", "val", "val_split",
                             "patience", "min_delta", "restore_best", "schedule", "lr_gamma", "lr_step",
                             "lr_min", "callback_lr", "standardize", "standardize_targets", "on_epoch",
                             "on_batch", NULL};
    PyObject *x_o, *y_o, *rng_o = Py_None, *val_o = Py_None, *sched_o = NULL, *epoch_fn = Py_None,
                         *batch_fn = Py_None;
    Py_ssize_t epochs, batch = 0, patience = 0, lr_step = 0;
    int shuffle = 0, reshuffle = 0, restore_best = 0, callback_lr = 0, standardize = 0, std_targets = 0;
    xn_fit_config cfg = {0};
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OOn|$nppOOdndpOdndpppOO", kwlist, &x_o, &y_o, &epochs, &batch,
                                     &shuffle, &reshuffle, &rng_o, &val_o, &cfg.val_split, &patience,
                                     &cfg.min_delta, &restore_best, &sched_o, &cfg.lr_gamma, &lr_step,
                                     &cfg.lr_min, &callback_lr, &standardize, &std_targets, &epoch_fn,
                                     &batch_fn))
        return NULL;
    if (epochs < 1 || batch < 0 || patience < 0 || lr_step < 0) {
        PyErr_SetString(PyExc_ValueError, "fit: epochs must be at least 1; batch, patience and lr_step "
                                          "zero or positive");
        return NULL;
    }
    if ((epoch_fn != Py_None && !PyCallable_Check(epoch_fn)) || (batch_fn != Py_None && !PyCallable_Check(batch_fn))) {
        PyErr_SetString(PyExc_TypeError, "fit: on_epoch and on_batch must be callables or None");
        return NULL;
    }
    if (sched_o)
        XNPY_PARSE(sched_o, xn_schedule_parse, &cfg.schedule, "schedule", return NULL);
    if (rng_o != Py_None && !(cfg.rng = xnpy_rng_of(rng_o)))
        return NULL;
    fit_ctx ctx = {.on_epoch = epoch_fn, .on_batch = batch_fn};
    cfg.epochs = (size_t)epochs;
    cfg.batch = (size_t)batch;
    cfg.shuffle = shuffle;
    cfg.reshuffle = reshuffle;
    cfg.patience = (size_t)patience;
    cfg.restore_best = restore_best;
    cfg.lr_step = (size_t)lr_step;
    cfg.callback_lr = callback_lr;
    cfg.standardize = standardize;
    cfg.standardize_targets = std_targets;
    cfg.on_epoch = epoch_fn != Py_None ? on_epoch : NULL;
    cfg.on_batch = batch_fn != Py_None ? on_batch : NULL;
    cfg.user = &ctx;

    size_t L = xn_net_layers(self->net);
    PyArrayObject *x = xnpy_rows(x_o, xn_net_size(self->net, 0), xn_net_dtype(self->net) == XN_FLOAT32, "fit");
    PyArrayObject *y = x ? xnpy_rows_as(y_o, xn_net_size(self->net, L), PyArray_TYPE(x), "fit") : NULL;
    PyArrayObject *vx = NULL, *vy = NULL;
    xn_data val = {0};
    if (y && PyArray_DIM(x, 0) != PyArray_DIM(y, 0))
        PyErr_SetString(PyExc_ValueError, "fit: x and y have different row counts");
    if (y && !PyErr_Occurred() && val_o != Py_None && val_rows(self, val_o, &vx, &vy) == 0) {
        val = (xn_data){.n = (size_t)PyArray_DIM(vx, 0), .in = (size_t)PyArray_DIM(vx, 1),
                        .out = (size_t)PyArray_DIM(vy, 1), .x = PyArray_DATA(vx), .y = PyArray_DATA(vy)};
        cfg.val = &val;
    }
    PyObject *r = NULL;
    if (y && !PyErr_Occurred() && xnpy_net_enter(self, 0) == 0) {
        xn_rows rows = {.n = (size_t)PyArray_DIM(x, 0), .in = (size_t)PyArray_DIM(x, 1),
                        .out = (size_t)PyArray_DIM(y, 1), .dtype = xnpy_dtype(x), .x = PyArray_DATA(x),
                        .y = PyArray_DATA(y)};
        xn_fit_result res;
        xn_status s;
        Py_BEGIN_ALLOW_THREADS
        s = xn_fit_rows(self->net, &rows, &cfg, &res);
        Py_END_ALLOW_THREADS
        xnpy_net_leave(self);
        if (ctx.exc_type)
            PyErr_Restore(ctx.exc_type, ctx.exc_value, ctx.exc_tb);
        else if (s != XN_OK)
            xnpy_net_raise(self, s);
        else
            r = result_dict(&res);
    }
    Py_XDECREF(x);
    Py_XDECREF(y);
    Py_XDECREF(vx);
    Py_XDECREF(vy);
    return r;
}
