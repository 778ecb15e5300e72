/* What xornet train says while it trains: progress lines on standard
 * output (a bar with an estimate of the time left on a terminal), history
 * rows, the curves kept for --plot, checkpoints and --target-loss, all from
 * xn_fit's callbacks. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include "train_log.h"

#include <math.h>
#include <time.h>

#include "cleanup.h"
#include "cli.h"
#include "clock.h"
#include "cli_mpi.h"

static const char *metric_name(xn_task task) { return task == XN_TASK_CLASSIFICATION ? "accuracy" : "rmse"; }

void train_log_history_header(const train_log *t, xn_task task)
{
    if (!t->history)
        return;
    const char *m = metric_name(task);
    if (t->steps)
        fprintf(t->history, "epoch,loss,%s\n", m);
    else
        fprintf(t->history, "epoch,loss,%s,val_loss,val_%s,lr,seconds\n", m, m);
}

static void keep(train_log *t, train_curve *s, size_t epoch, double v, bool last)
{
    if (t->keep_curves && isfinite(v) && train_curve_add(s, epoch, v, last) != 0 && !t->failed) {
        cli_error("out of memory keeping the curves for --plot");
        t->failed = EXIT_FAIL;
    }
}

/* A bar redrawn in place on standard error. */
static void bar(size_t done, size_t total, const char *what)
{
    enum { WIDTH = 30 };
    size_t fill = total ? done * WIDTH / total : WIDTH;
    char b[WIDTH + 1];
    for (size_t i = 0; i < WIDTH; i++)
        b[i] = i < fill ? '#' : '.';
    b[WIDTH] = '\0';
    fprintf(stderr, "\r[%s] %s ", b, what);
    fflush(stderr);
}

static void step_line(const train_log *t, size_t e, double loss, double metric, xn_task task)
{
    if (t->quiet)
        return;
    if (t->tty) {
        char what[160];
        snprintf(what, sizeof what, "epoch %zu/%zu loss %.6g %s %.3g", e, t->epochs, loss,
                 metric_name(task), metric);
        bar(e, t->epochs, what);
        return;
    }
    printf("epoch %zu loss %.10g %s %.4g\n", e, loss, metric_name(task), metric);
}

int train_log_epoch(const xn_progress *p, void *user)
{
    train_log *t = user;
    if (p->epoch == 1 || !isfinite(t->first_loss))
        t->first_loss = p->loss;
    t->last_loss = p->loss;
    if (t->steps) {
        /* a whole-batch step measures the network before it: epoch e's
         * numbers are those of the network after e steps */
        size_t e = p->epoch - 1;
        if (t->history)
            fprintf(t->history, "%zu,%.17g,%.17g\n", e, p->loss, p->metric);
        keep(t, &t->loss, e, p->loss, false);
        keep(t, &t->metric, e, p->metric, false);
        if (e % t->every == 0)
            step_line(t, e, p->loss, p->metric, p->task);
    } else {
        if (t->history)
            fprintf(t->history, "%zu,%.17g,%.17g,%.17g,%.17g,%.17g,%.6f\n", p->epoch, p->loss, p->metric,
                    p->val_loss, p->val_metric, p->lr, p->seconds);
        keep(t, &t->loss, p->epoch, p->loss, p->epoch == p->epochs);
        keep(t, &t->metric, p->epoch, p->metric, p->epoch == p->epochs);
        keep(t, &t->val_loss, p->epoch, p->val_loss, p->epoch == p->epochs);
        keep(t, &t->val_metric, p->epoch, p->val_metric, p->epoch == p->epochs);
        if (!t->quiet && (p->epoch % t->every == 0 || p->epoch == p->epochs)) {
            if (t->tty)
                fputs("\r\033[K", stderr); /* the bar's line, cleared */
            const char *m = metric_name(p->task);
            printf("epoch %zu/%zu loss %.6g %s %.4f", p->epoch, p->epochs, p->loss, m, p->metric);
            if (!isnan(p->val_loss))
                printf(" val_loss %.6g val_%s %.4f", p->val_loss, m, p->val_metric);
            printf(" (%.2fs)\n", p->seconds);
            cli_flush();
        }
    }
    /* a collective, made by every rank before anything that may return
     * early on rank 0 alone (a checkpoint that fails): the ranks stay in
     * step */
    if (t->check_ranks && !cli_mpi_same_params(t->net)) {
        cli_error("the ranks' networks differ after epoch %zu (rank %d)", p->epoch, cli_mpi_rank());
        t->failed = EXIT_FAIL;
        return 1;
    }
    if (t->checkpoint && p->epoch % t->checkpoint == 0) {
        xn_checkpoint ck = {.fit = *p->state, .rng = t->rng ? *t->rng : (xn_rng){.mti = 0},
                            .best = (void *)p->best_params};
        xn_error err = {0};
        /* held: a signal waits until the checkpoint is whole or gone, and
         * meanwhile removes the registered files, which the save does not
         * touch (under mpirun a SIGKILL follows a second later) */
        cli_flush();
        cli_hold_signals_removing();
        xn_status s = xn_checkpoint_save(t->net, &ck, t->checkpoint_path, &err);
        cli_release_signals_removing();
        if (s != XN_OK) {
            train_log_end(t);
            cli_file_error(t->checkpoint_path, s, &err);
            t->failed = EXIT_FAIL;
            return 1;
        }
    }
    return t->failed != 0;
}

int train_log_batch(const xn_progress *p, void *user)
{
    train_log *t = user;
    if (!t->tty) /* under mpirun the ranks without rank 0's terminal */
        return 0;
    if (p->batch == 1 || t->bar_epoch != p->epoch) {
        t->bar_epoch = p->epoch;
        t->bar_start = t->bar_last = cli_seconds();
    }
    double tn = cli_seconds();
    if (tn - t->bar_last < 0.1 && p->batch != p->batches)
        return 0; /* redraw ten times a second at most */
    t->bar_last = tn;
    double left = (tn - t->bar_start) / (double)p->batch * (double)(p->batches - p->batch);
    char what[160];
    snprintf(what, sizeof what, "epoch %zu/%zu batch %zu/%zu loss %.4g ETA %.0fs", p->epoch, p->epochs,
             p->batch, p->batches, p->loss, left);
    bar(p->batch, p->batches, what);
    return 0;
}

void train_log_final(train_log *t, size_t epoch, double loss, double metric)
{
    if (t->history)
        fprintf(t->history, "%zu,%.17g,%.17g\n", epoch, loss, metric);
    keep(t, &t->loss, epoch, loss, true);
    keep(t, &t->metric, epoch, metric, true);
}

void train_log_end(const train_log *t)
{
    if (t->tty && !t->quiet) {
        fputc('\n', stderr);
        fflush(stderr);
    }
}

void train_log_free(train_log *t)
{
    train_curve_free(&t->loss);
    train_curve_free(&t->val_loss);
    train_curve_free(&t->metric);
    train_curve_free(&t->val_metric);
}
