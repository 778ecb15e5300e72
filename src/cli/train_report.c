/* xornet train's report: how the run ended (the notebooks' last line for
 * whole-batch runs, early stopping and the scores on the training,
 * validation and test rows for data sets), the learned table of a small
 * data set, a warning for a run that learned nothing, then the files: the
 * history, the model, the pictures. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "paths.h"
#include "cli_mpi.h"
#include "train.h"

/* The learned table of a small data set: inputs, outputs, for a
 * classifier the class they round to, the target.  A larger set gets a
 * note saying where its outputs are, unless quiet. */
static void print_table(xn_net *net, const xn_data *d, bool quiet)
{
    enum { MAX_ROWS = 16 };
    if (d->n > MAX_ROWS) {
        if (!quiet)
            printf("(no table of outputs for %zu rows: xornet predict prints them)\n", d->n);
        return;
    }
    double a[MAX_ROWS * 64];
    if (d->out > 64 || xn_net_predict(net, d->n, d->x, a) != XN_OK)
        return;
    bool classes = xn_net_task(net) == XN_TASK_CLASSIFICATION;
    printf("inputs | output | %starget\n", classes ? "rounded | " : "");
    for (size_t i = 0; i < d->n; i++) {
        for (size_t j = 0; j < d->in; j++)
            printf("%s%g", j ? " " : "", d->x[i * d->in + j]);
        printf(" |");
        for (size_t k = 0; k < d->out; k++)
            printf(" %.10g", a[i * d->out + k]);
        if (!classes) {
            printf(" |");
            for (size_t k = 0; k < d->out; k++)
                printf(" %g", d->y[i * d->out + k]);
            putchar('\n');
        } else if (d->out == 1) {
            printf(" | %d | %g\n", a[i] >= 0.5, d->y[i]);
        } else {
            printf(" | class %zu | class %zu\n", xn_argmax(d->out, a + i * d->out), xn_argmax(d->out, d->y + i * d->out));
        }
    }
}

/* A network's scores on rows d: the loss and the accuracy, or for a
 * regression rmse, mae and R^2 (on the targets' scale). */
typedef struct {
    double loss, accuracy;
    xn_regression r;
} scores;

static int score(xn_net *net, const char *name, const xn_data *d, scores *sc)
{
    size_t K = xn_net_size(net, xn_net_layers(net));
    if (xn_net_eval_loss(net, d->n, d->x, d->y, &sc->loss) != XN_OK) {
        cli_error("%s: the loss is not finite (the network overflows there)", name);
        return EXIT_FAIL;
    }
    double *a = malloc(d->n * K * sizeof *a);
    xn_status s = a ? xn_net_predict(net, d->n, d->x, a) : XN_ENOMEM;
    if (s == XN_OK) {
        sc->accuracy = xn_accuracy(d->n, K, a, d->y);
        s = xn_regression_metrics(d->n, K, a, d->y, &sc->r);
    }
    free(a);
    if (s != XN_OK) {
        cli_error("%s: the outputs are not finite (the network overflows there)", name);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

/* "NAME: loss L accuracy A" or, for regression, rmse, mae and R^2. */
static int print_scores(xn_net *net, const char *name, const xn_data *d)
{
    scores sc;
    int rc = score(net, name, d, &sc);
    if (rc != EXIT_OK)
        return rc;
    if (xn_net_task(net) == XN_TASK_CLASSIFICATION)
        printf("%-6s loss %.6g accuracy %.4f\n", name, sc.loss, sc.accuracy);
    else
        printf("%-6s loss%s %.6g rmse %.6g mae %.6g r2 %.4f\n", name, xn_net_target_sd(net) ? " (scaled)" : "",
               sc.loss, sc.r.rmse, sc.r.mae, sc.r.r2);
    return EXIT_OK;
}

/* ---- the pictures: drawn into a stage, committed with the run's files -- */

static size_t n_pictures(void)
{
    size_t n = 0;
    while (train_pictures[n])
        n++;
    return n;
}

int train_plot_folder(train_job *j)
{
    const char *dir = j->a.plot;
    plot_error err = {0};
    struct stat st;
    /* held: the folder is made and registered before a signal can act */
    cli_hold_signals();
    bool existed = stat(dir, &st) == 0;
    plot_status ps = plot_prepare_dir(dir, &err);
    j->plot_made = ps == PLOT_OK && !existed;
    if (j->plot_made && snprintf(j->plot_stage, sizeof j->plot_stage, "%s", dir) < (int)sizeof j->plot_stage)
        j->plot_id = cli_temp_add(dir, train_pictures, n_pictures());
    cli_release_signals();
    if (ps != PLOT_OK) {
        cli_error("--plot: %s", err.msg);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

/* Where the pictures are drawn: a folder the run made holds no old ones
 * and is the stage itself; in one that was there, a private folder. */
static bool plot_stage(train_job *j)
{
    if (j->plot_made)
        return j->plot_id >= 0;
    int w = snprintf(j->plot_stage, sizeof j->plot_stage, "%s/.xornet-plot-XXXXXX", j->a.plot);
    cli_hold_signals();
    bool made = w > 0 && (size_t)w < sizeof j->plot_stage && mkdtemp(j->plot_stage);
    int e = errno;
    if (made)
        j->plot_id = cli_temp_add(j->plot_stage, train_pictures, n_pictures());
    cli_release_signals();
    if (!made)
        cli_error("--plot: %s: cannot make a folder for the new pictures: %s", j->a.plot,
                  w > 0 && (size_t)w < sizeof j->plot_stage ? strerror(e) : "path too long");
    return made && j->plot_id >= 0;
}

/* A picture that failed: its message, naming the picture where it will be,
 * not where it was drawn. */
static bool failed(const train_job *j, const plot_error *err)
{
    size_t k = strlen(j->plot_stage);
    if (!j->plot_made && strncmp(err->msg, j->plot_stage, k) == 0 && err->msg[k] == '/')
        cli_error("--plot: %s%s", j->a.plot, err->msg + k);
    else
        cli_error("--plot: %s", err->msg);
    return false;
}

/* --plot: the pictures of train_pictures that belong to the run
 * (train_plots.c), drawn into the stage; drawn[i] says which are there.
 * Returns EXIT_OK, or EXIT_FAIL after the first picture that failed (those
 * before it are kept). */
static int plot_run(train_job *j, bool *drawn)
{
    plot_error err = {0};
    char path[4200];
    for (size_t i = 0; train_pictures[i]; i++) {
        if (!train_picture_wanted(j, i))
            continue;
        if (!cli_join_path(path, sizeof path, j->plot_stage, train_pictures[i], "--plot"))
            return EXIT_FAIL;
        if (train_picture(j, i, path, &err) != PLOT_OK) {
            failed(j, &err);
            return EXIT_FAIL;
        }
        drawn[i] = true;
    }
    return EXIT_OK;
}

/* The pictures drawn moved from the stage into the folder (keep), or all
 * removed with the stage, which is the folder when the run made it.  Call
 * with the signals held.  Returns false if a picture could not be moved
 * (the message printed; the rest removed). */
static bool plot_commit(train_job *j, bool keep, const bool *drawn)
{
    bool ok = true;
    if (j->plot_id < 0)
        return true;
    for (size_t i = 0; train_pictures[i]; i++) {
        char from[4200], to[4200];
        if (!cli_join_path(from, sizeof from, j->plot_stage, train_pictures[i], "--plot") ||
            !cli_join_path(to, sizeof to, j->a.plot, train_pictures[i], "--plot"))
            continue;
        if (!keep || !drawn[i]) {
            unlink(from);
        } else if (!j->plot_made && rename(from, to) != 0) {
            cli_error("--plot: %s: cannot replace the file: %s", to, strerror(errno));
            unlink(from);
            ok = false;
        }
    }
    if (!keep || !j->plot_made)
        rmdir(j->plot_stage);
    cli_temp_forget(j->plot_id);
    j->plot_id = -1;
    return ok;
}

/* The pictures committed, as the run's last lines. */
static void plot_said(const train_job *j, const bool *drawn)
{
    char path[4200];
    for (size_t i = 0; train_pictures[i]; i++)
        if (drawn[i] && cli_join_path(path, sizeof path, j->a.plot, train_pictures[i], "--plot"))
            cli_plot_result(true, "", path);
}

/* Rows idx[0..n) of d, copied. */
static bool rows_of(const xn_data *d, const size_t *idx, size_t n, xn_data *out)
{
    *out = (xn_data){.n = n, .in = d->in, .out = d->out, .x = malloc((n ? n : 1) * d->in * sizeof *out->x),
                     .y = malloc((n ? n : 1) * d->out * sizeof *out->y)};
    for (size_t i = 0; out->x && out->y && i < n; i++) {
        memcpy(out->x + i * d->in, d->x + idx[i] * d->in, d->in * sizeof *out->x);
        memcpy(out->y + i * d->out, d->y + idx[i] * d->out, d->out * sizeof *out->y);
    }
    return out->x && out->y;
}

int train_split_rows(const train_job *j, xn_data *train, xn_data *held)
{
    const xn_data *d = &j->sets.train;
    size_t *ti = malloc(d->n * sizeof *ti), *vi = malloc(d->n * sizeof *vi), nt = 0, nv = 0;
    bool ok = ti && vi && xn_fit_split(j->net, d, &j->cfg, ti, &nt, vi, &nv) == XN_OK && rows_of(d, ti, nt, train) &&
              rows_of(d, vi, nv, held);
    free(ti);
    free(vi);
    if (!ok) {
        xn_data_free(train);
        xn_data_free(held);
        cli_error("out of memory for the split's rows");
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

/* How a data set's run ended: early stopping, then the scores. */
static int report_data(const train_job *j)
{
    const train_args *a = &j->a;
    const xn_fit_result *res = &j->res;
    const data_sets *s = &j->sets;
    if (res->stopped_early)
        printf("stopped early after epoch %zu: no better %s for %zu epochs; ", res->epochs,
               s->val.n || a->val_split > 0.0 ? "val_loss" : "loss", a->patience);
    if (res->restored)
        printf("%sthe weights of epoch %zu are kept\n", res->stopped_early ? "" : "the best epoch: ", res->best_epoch);
    else if (res->stopped_early)
        printf("the last epoch is the best\n");
    cli_flush(); /* the warnings below follow these lines */
    if (res->val_unseen)
        fprintf(stderr, "xornet: warning: the validation rows hold %zu class%s that no training row has: its "
                        "scores say little (--split stratified holds out each class in proportion)\n",
                res->val_unseen, res->val_unseen == 1 ? "" : "es");
    if (res->restored && res->best_epoch == 1 && res->epochs > 1)
        fprintf(stderr, "xornet: warning: early stopping kept the weights of epoch 1: the validation loss never "
                        "improved on it (a smaller --lr, or validation rows unlike the training rows)\n");
    if (res->reached_target)
        printf("reached target loss %g at epoch %zu (loss %.10g)\n", a->target_loss, res->epochs, res->target_epoch_loss);
    /* the training rows (all of them, without a split: no copy) and the
     * held-out ones */
    xn_data rows = s->train, held = {0};
    bool split = !s->val.n && a->val_split > 0.0;
    int rc = split ? train_split_rows(j, &rows, &held) : EXIT_OK;
    if (rc == EXIT_OK)
        rc = print_scores(j->net, "train", &rows);
    if (rc == EXIT_OK && (s->val.n || held.n))
        rc = print_scores(j->net, "val", s->val.n ? &s->val : &held);
    if (rc == EXIT_OK && s->test.n)
        rc = print_scores(j->net, "test", &s->test);
    if (split) {
        xn_data_free(&rows);
        xn_data_free(&held);
    }
    return rc;
}

/* The notebooks' report of a whole-batch run: the network after the last
 * step; *diverged when it is not finite (nothing more is said then). */
static int report_steps(train_job *j, bool *diverged)
{
    const xn_data d = j->sets.train; /* whole-batch steps: every row trains */
    scores sc;
    if (xn_net_eval_loss(j->net, d.n, d.x, d.y, &sc.loss) != XN_OK) {
        cli_error("training diverged: the final loss is not finite; try a smaller --lr");
        *diverged = true;
        return EXIT_FAIL;
    }
    bool classes = xn_net_task(j->net) == XN_TASK_CLASSIFICATION;
    /* an overflowing output leaves the metric NaN, as the line says */
    double metric = score(j->net, "train", &d, &sc) != EXIT_OK ? NAN : classes ? sc.accuracy : sc.r.rmse;
    size_t epochs = j->res.epochs;
    train_log_final(&j->log, epochs, sc.loss, metric);
    if (!j->a.quiet && !j->log.tty)
        printf("epoch %zu loss %.10g %s %.4g\n", epochs, sc.loss, classes ? "accuracy" : "rmse", metric);
    if (j->res.reached_target)
        printf("reached target loss %g at epoch %zu (loss %.10g)\n", j->a.target_loss, epochs, sc.loss);
    printf("final loss %.10g %s %.4g after %zu epoch%s\n", sc.loss, classes ? "accuracy" : "rmse", metric, epochs,
           cli_plural(epochs));
    return j->sets.test.n ? print_scores(j->net, "test", &j->sets.test) : EXIT_OK;
}

/* lm's and lbfgs' account of the run: iterations, evaluations and why
 * they stopped. */
static void report_solver(const train_job *j)
{
    xn_solver_report rep;
    if (xn_net_solver_report(j->net, &rep) != XN_OK)
        return; /* a first-order optimizer */
    xn_opt o = xn_net_opt(j->net);
    printf("%s: %zu iteration%s, %zu evaluation%s", xn_opt_name(o.kind), rep.iterations, cli_plural(rep.iterations),
           rep.evaluations, cli_plural(rep.evaluations));
    if (o.kind == XN_OPT_LM)
        printf(", %zu Jacobian%s, %zu QR step%s, mu %g", rep.jacobians, cli_plural(rep.jacobians), rep.qr_steps,
               cli_plural(rep.qr_steps), rep.mu);
    xn_stop why = j->res.stop != XN_STOP_NONE ? j->res.stop : rep.stop;
    printf("; stopped: %s\n", why == XN_STOP_NONE ? "by early stopping or the callback" : xn_stop_name(why));
}

/* A run that learned nothing: over ten epochs or more, the loss moved by
 * less than 1% from where it started (a dead network, or softmax stuck at
 * ln K, every class alike). */
static void warn_flat(const train_log *t, const xn_net *net, size_t epochs)
{
    if (epochs < 10 || !isfinite(t->first_loss) || fabs(t->last_loss - t->first_loss) > 1e-2 * fabs(t->first_loss))
        return;
    size_t K = xn_net_size(net, xn_net_layers(net));
    if (xn_net_loss(net) == XN_LOSS_CCE && fabs(t->first_loss - log((double)K)) < 0.05)
        fprintf(stderr, "xornet: warning: the loss stayed at %.4g, ln %zu: the network predicts every "
                        "class alike and learned nothing; try --standardize, a smaller --lr or another --init\n",
                t->last_loss, K);
    else
        fprintf(stderr, "xornet: warning: the loss stayed at %.4g, its first value, for the whole run: the "
                        "network learned nothing (dead units, or outputs stuck); try --standardize, another "
                        "--lr or --init\n", t->last_loss);
}

/* "4-100-3" */
static void arch(const xn_net *net, char *buf, size_t cap)
{
    size_t w = 0;
    for (size_t i = 0; i <= xn_net_layers(net) && w < cap; i++) {
        int k = snprintf(buf + w, cap - w, "%s%zu", i ? "-" : "", xn_net_size(net, i));
        w += k > 0 ? (size_t)k : 0;
    }
}

/* The first few labels, for a line: "setosa, versicolor, virginica" or
 * "0, 1, 2, ... 9". */
static void some_labels(const xn_description *desc, char *buf, size_t cap)
{
    size_t w = 0, K = desc->classes;
    buf[0] = '\0';
    for (size_t k = 0; desc->labels && k < K && w < cap; k++) {
        if (K > 8 && k == 5)
            k = K - 1;
        int n = snprintf(buf + w, cap - w, "%s%s", k == 0 ? "" : K > 8 && k == K - 1 ? ", ... " : ", ",
                         desc->labels[k]);
        w += n > 0 ? (size_t)n : 0;
    }
}

void train_summary(const train_job *j)
{
    const train_args *a = &j->a;
    const xn_description *desc = &j->sets.desc;
    const xn_data *d = &j->sets.train;
    if (!a->data)
        return; /* the notebooks' runs print what they printed */
    char tgt[300] = "", labels[300];
    if (desc->n_targets == 1 && desc->target_names)
        snprintf(tgt, sizeof tgt, "target '%s' (column %zu)", desc->target_names[0], desc->target_columns[0]);
    else if (desc->n_targets == 1)
        snprintf(tgt, sizeof tgt, "target column %zu", desc->target_columns[0]);
    else if (desc->n_targets)
        snprintf(tgt, sizeof tgt, "%zu target columns (%zu to %zu)", desc->n_targets, desc->target_columns[0],
                 desc->target_columns[desc->n_targets - 1]);
    else
        snprintf(tgt, sizeof tgt, "%zu target%s", d->out, cli_plural(d->out));
    printf("data   %s: %zu rows, %zu input%s%s%s; %s: ", j->name, d->n, d->in, cli_plural(d->in),
           desc->numbered_header ? "; line 1 is pandas' column numbers (--header no reads it as a row)"
           : desc->header ? "; a header" : "",
           desc->index_column ? "; column 1, pandas' index, left out" : "", tgt);
    some_labels(desc, labels, sizeof labels);
    if (desc->kind == XN_TARGETS_REGRESSION)
        printf("regression, %s\n", desc->rule);
    else
        printf("%s, %zu %s (%s): %s\n", xn_targets_name(desc->kind), desc->classes,
               desc->kind == XN_TARGETS_MULTILABEL ? "labels" : "classes", desc->rule, labels);
    char net[200];
    arch(j->net, net, sizeof net);
    printf("plan   %s %s", net, xn_act_name(xn_net_act(j->net, 1)));
    for (size_t l = 2; l <= xn_net_layers(j->net); l++)
        printf(",%s", xn_act_name(xn_net_act(j->net, l)));
    xn_opt o = xn_net_opt(j->net);
    size_t n = (size_t)floor((double)d->n * (1.0 - a->val_split));
    xn_split how = a->split == XN_SPLIT_AUTO ? (xn_net_task(j->net) == XN_TASK_CLASSIFICATION &&
                                                        (xn_net_act(j->net, xn_net_layers(j->net)) == XN_ACT_SOFTMAX ||
                                                         xn_net_size(j->net, xn_net_layers(j->net)) == 1)
                                                    ? XN_SPLIT_STRATIFIED : XN_SPLIT_RANDOM)
                                             : a->split;
    if (o.kind == XN_OPT_LM || o.kind == XN_OPT_LBFGS) /* their own steps */
        printf(", loss %s; %s, at most %zu iteration%s", xn_loss_name(xn_net_loss(j->net)), xn_opt_name(o.kind),
               a->epochs, cli_plural(a->epochs));
    else
        printf(", loss %s; %s lr %g, %zu epoch%s", xn_loss_name(xn_net_loss(j->net)), xn_opt_name(o.kind), o.lr,
               a->epochs, cli_plural(a->epochs));
    if (a->batch && a->batch < n)
        printf(" of batches of %zu", a->batch);
    if (j->sets.val.n)
        printf("; %zu rows train, %zu validate (--val)", d->n, j->sets.val.n);
    else if (a->val_split > 0.0)
        printf("; %zu rows train, %zu validate (%s split %g, seed %llu)", n, d->n - n, xn_split_name(how),
               a->val_split, (unsigned long long)a->seed);
    if (a->patience)
        printf("; early stopping after %zu epoch%s", a->patience, cli_plural(a->patience));
    if (j->cfg.standardize)
        printf("; inputs%s standardized", j->cfg.standardize_targets ? " and targets" : "");
    putchar('\n');
}

int train_report(train_job *j)
{
    const train_args *a = &j->a;
    if (cli_mpi_size() > 1 && !a->quiet) /* rank 0's share of the time in the gradients' sums */
        printf("%d ranks: %.3g s of %.3g s in %lu reduces\n", cli_mpi_size(), cli_mpi_reduce_seconds(), j->wall,
               cli_mpi_reduce_calls());
    /* a network that starts from saved weights may have learned already:
     * a flat loss then says nothing (a resumed run that had converged) */
    if (!a->resume && !a->init_from)
        warn_flat(&j->log, j->net, j->res.epochs);
    report_solver(j);
    bool diverged = false;
    int rc = j->log.steps ? report_steps(j, &diverged) : report_data(j);
    if (diverged)
        return rc;
    print_table(j->net, &j->sets.train, a->quiet);
    /* The files, in the order docs/robustness.md gives: the history
     * written and synced (what a full disk makes fail) and the pictures
     * drawn, each into a place of its own, then the commit with the
     * signals held: the model saved, the history and the pictures moved
     * into place.  A run stopped before the commit has replaced nothing; a
     * signal during it waits for its end.  A picture that fails keeps the
     * run's other files (exit status 1). */
    bool drawn[16] = {false};
    int pictures = EXIT_OK;
    if (rc == EXIT_OK && cli_history_finish(&j->hist) != EXIT_OK)
        rc = EXIT_FAIL;
    if (rc == EXIT_OK && a->plot)
        pictures = plot_stage(j) ? plot_run(j, drawn) : EXIT_FAIL;
    cli_flush();
    cli_hold_signals();
    if (rc == EXIT_OK && ((a->save && cli_save_model(j->net, a->save) != 0) ||
                          cli_history_publish(&j->hist, a->save) != EXIT_OK))
        rc = EXIT_FAIL;
    if (!plot_commit(j, rc == EXIT_OK, drawn))
        pictures = EXIT_FAIL;
    cli_release_signals();
    if (rc == EXIT_OK && a->plot)
        plot_said(j, drawn);
    return rc == EXIT_OK ? pictures : rc;
}

void train_free(train_job *j)
{
    cli_history_abort(&j->hist); /* a failed run leaves an old history as it was */
    cli_hold_signals();
    plot_commit(j, false, NULL); /* and no pictures, nor a folder it made */
    cli_release_signals();
    train_log_free(&j->log);
    free(j->ck.best);
    xn_net_destroy(j->net);
    xn_data_free(&j->sets.train);
    xn_data_free(&j->sets.val);
    xn_data_free(&j->sets.test);
    xn_description_free(&j->sets.desc);
}
