/* What xornet train --plot draws (train_pictures): the loss and the metric
 * by epoch with the epoch whose weights were kept, the learned function
 * where it can be seen (a surface over two inputs, a curve over one), and
 * how the network does on held-out rows: a classifier's confusion matrix,
 * a regression's predictions against the targets.  Which pictures a run
 * gets, on which rows, and their words are decided here; plot.h draws. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gnuplot.h"
#include "train.h"

const char *const train_pictures[] = {"loss.png", "metric.png", "surface.png", "fit.png",
                                      "confusion.png", "predicted.png", NULL};
enum { P_LOSS, P_METRIC, P_SURFACE, P_FIT, P_CONFUSION, P_PREDICTED };

static bool classifier(const train_job *j) { return xn_net_task(j->net) == XN_TASK_CLASSIFICATION; }

bool train_picture_wanted(const train_job *j, size_t i)
{
    const xn_data *d = &j->sets.train;
    switch (i) {
    case P_SURFACE:
        return d->in == 2 && d->out == 1;
    case P_FIT:
        return d->in == 1 && d->out == 1;
    case P_CONFUSION: /* one class a row: several labels a row have no confusion matrix */
        return classifier(j) && j->sets.desc.kind != XN_TARGETS_MULTILABEL;
    case P_PREDICTED:
        return !classifier(j);
    default:
        return true;
    }
}

/* The loss or the metric by epoch (or step), training and validation,
 * with the kept epoch marked when the weights are not the last epoch's. */
static plot_status curves(const train_job *j, bool loss, const char *path, plot_error *err)
{
    const train_log *t = &j->log;
    bool classes = classifier(j), val = t->val_loss.n > 0;
    const train_curve *tr = loss ? &t->loss : &t->metric, *va = loss ? &t->val_loss : &t->val_metric;
    plot_curve c[2] = {{"training", tr->n, tr->x, tr->y}, {"validation", va->n, va->x, va->y}};
    char title[300], ylabel[100], kept[64];
    const char *lname = xn_loss_name(xn_net_loss(j->net));
    /* a standardizing regression learns, and its loss measures, the
     * standardized targets; its rmse is on the targets' own scale */
    bool scaled = xn_net_target_sd(j->net) != NULL;
    if (loss) {
        snprintf(title, sizeof title, "%s: %s loss%s", j->name, lname, scaled ? " of the standardized targets" : "");
        snprintf(ylabel, sizeof ylabel, "%s loss%s", lname, scaled ? ", standardized targets" : "");
    } else {
        snprintf(title, sizeof title, "%s: %s", j->name, classes ? "accuracy" : "rmse");
        snprintf(ylabel, sizeof ylabel, "%s", classes ? "accuracy" : scaled ? "rmse, the targets' scale" : "rmse");
    }
    snprintf(kept, sizeof kept, "weights kept: epoch %zu", j->res.best_epoch);
    plot_mark mark = {(double)j->res.best_epoch, kept};
    return plot_curves(path, title, t->steps ? "step" : "epoch", ylabel, loss || !classes, val ? 2 : 1, c,
                       j->res.restored ? &mark : NULL, 0, 0, err);
}

/* The held-out rows the outcome is drawn on, and their name: the test
 * rows, else the validation rows (a file's or the split's, copied into
 * *held), else the training rows.  False if memory ran out (said). */
static bool outcome_rows(const train_job *j, const xn_data **rows, xn_data *held, xn_data *split,
                         const char **name)
{
    const data_sets *s = &j->sets;
    if (s->test.n) {
        *rows = &s->test;
        *name = "test";
    } else if (s->val.n) {
        *rows = &s->val;
        *name = "validation";
    } else if (!j->log.steps && j->a.val_split > 0.0) {
        if (train_split_rows(j, split, held) != EXIT_OK)
            return false;
        *rows = held;
        *name = "validation";
    } else {
        *rows = &s->train;
        *name = "training";
    }
    return true;
}

/* The confusion matrix or predicted against actual, on outcome_rows. */
static plot_status outcome(train_job *j, bool confusion, const char *path, plot_error *err)
{
    const xn_data *d;
    xn_data held = {0}, split = {0};
    const char *name;
    if (!outcome_rows(j, &d, &held, &split, &name)) {
        plot_set_err(err, "out of memory for the held-out rows");
        return PLOT_EFAIL;
    }
    char title[300];
    snprintf(title, sizeof title, "%s: %s, %zu %s row%s", j->name,
             confusion ? "confusion" : "predicted against actual", d->n, name, d->n == 1 ? "" : "s");
    plot_status s = confusion ? plot_confusion(path, title, j->net, d->n, d->x, d->y, 0, 0, err)
                              : plot_predicted(path, title, j->net, d->n, d->x, d->y, 0, 0, err);
    xn_data_free(&held);
    xn_data_free(&split);
    return s;
}

plot_status train_picture(train_job *j, size_t i, const char *path, plot_error *err)
{
    const xn_data *d = &j->sets.train;
    char title[300];
    switch (i) {
    case P_LOSS:
    case P_METRIC:
        return curves(j, i == P_LOSS, path, err);
    case P_SURFACE:
        snprintf(title, sizeof title, "%s: learned function", j->name);
        return plot_surface(path, title, j->net, d->n, d->x, d->y, 0, 0, err);
    case P_FIT:
        snprintf(title, sizeof title, "%s: the network over the training data", j->name);
        return plot_fit(path, title, j->net, d->n, d->x, d->y, 0, 0, err);
    default:
        return outcome(j, i == P_CONFUSION, path, err);
    }
}
