/* xornet train's run: xn_fit configured from the plan, its callbacks
 * writing the progress log (train_log.c), over the ranks of an MPI run
 * when there are several. */
#define _POSIX_C_SOURCE 200809L /* isatty */

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_mpi.h"
#include "clock.h"
#include "train.h"
#include "xn_config.h"

#if XN_HAVE_OPENBLAS_THREADS
void openblas_set_num_threads(int num_threads);
#endif

/* The log's settings: progress every --every epochs (a tenth of the run
 * for whole-batch steps without validation), history rows, curves for
 * --plot, checkpoints, --target-loss. */
static void start_log(train_job *j, size_t n, bool validating)
{
    const train_args *a = &j->a;
    train_log *t = &j->log;
    t->net = j->net;
    t->rng = &j->rng;
    t->steps = (a->batch == 0 || a->batch >= n) && !validating;
    /* descriptors, not streams: standard output is a stream of its own (cli_stdout_init) */
    t->tty = !a->quiet && isatty(STDERR_FILENO) && isatty(STDOUT_FILENO);
    t->quiet = a->quiet;
    t->epochs = a->epochs;
    t->every = a->every ? a->every : t->steps ? (a->epochs >= 10 ? a->epochs / 10 : 1) : 1;
    t->checkpoint = a->checkpoint;
    t->checkpoint_path = a->save;
    t->history = cli_history_file(&j->hist);
    t->keep_curves = a->plot != NULL;
    t->check_ranks = a->check_ranks;
    train_log_history_header(t, xn_net_task(j->net));
}

int train_run(train_job *j)
{
    const train_args *a = &j->a;
#if XN_HAVE_OPENBLAS_THREADS
    openblas_set_num_threads(1); /* the network's threads run the products (xornet.h) */
#endif
    if (a->threads && xn_net_set_threads(j->net, a->threads) != XN_OK) { /* within the table's bounds */
        cli_error("--threads: %s", xn_net_error(j->net));
        return EXIT_USAGE;
    }
    size_t n = (size_t)floor((double)j->sets.train.n * (1.0 - a->val_split));
    bool validating = j->sets.val.n || a->val_split > 0.0;
    start_log(j, n, validating);
    /* every rank makes the sums the others make: a bar on rank 0's
     * terminal is a batch callback on every rank (the others draw nothing),
     * and a run of 0 epochs is skipped only if every rank has 0 */
    bool bar = cli_mpi_any(j->log.tty && !j->log.steps), train = cli_mpi_any(a->epochs != 0);
    /* the program's own settings the ranks must share, compared by xn_fit
     * with its own (the network, the data, the loop's options) */
    xn_setting own[] = {{"--seed", XN_SETTING_NUMBER, a->resume ? 0 : a->seed},
                        {"--check-ranks", XN_SETTING_SWITCH, a->check_ranks != 0}};
    /* standardization is the new network's: a loaded one keeps its own */
    bool standardize = a->standardize && !a->resume && !a->init_from;
    j->cfg = (xn_fit_config){
        .epochs = a->epochs, .batch = a->batch, .shuffle = a->shuffle, .rng = &j->rng,
        .val = j->sets.val.n ? &j->sets.val : NULL, .val_split = a->val_split, .split = a->split,
        .split_seed = a->seed, .standardize = standardize,
        .standardize_targets = standardize && xn_net_act(j->net, xn_net_layers(j->net)) == XN_ACT_IDENTITY,
        .patience = a->patience, .min_delta = a->min_delta, .restore_best = true, .schedule = a->schedule,
        .lr_gamma = a->lr_gamma, .lr_step = a->lr_step, .lr_min = a->lr_min,
        .stop_at_target = opts_given(&a->given, "--target-loss"), .target_loss = a->target_loss, .on_epoch = train_log_epoch,
        .on_batch = bar ? train_log_batch : NULL, .user = &j->log,
        .resume = a->resume ? &j->ck.fit : NULL, .resume_best = j->ck.best,
        .settings = own, .n_settings = sizeof own / sizeof own[0]};
    cli_mpi_attach(&j->cfg);
    if (!a->quiet)
        train_summary(j);
    double t0 = cli_seconds();
    j->status = train ? xn_fit(j->net, &j->sets.train, &j->cfg, &j->res) : XN_OK;
    j->wall = cli_seconds() - t0;
    j->cfg.settings = NULL; /* own is gone after this call */
    j->cfg.n_settings = 0;
    train_log_end(&j->log);
    /* every rank, whatever happened (a collective), and every rank exits
     * with the run's status; only rank 0's messages are printed */
    bool same = cli_mpi_same_params(j->net);
    if (j->status == XN_ENUMERIC) {
        cli_error("training diverged at epoch %zu: try a smaller --lr", j->log.steps ? j->res.epochs : j->res.epochs + 1);
        return EXIT_FAIL;
    }
    if (j->status != XN_OK) {
        /* a value of one row the library refused: that row's line */
        const char *why = xn_net_error(j->net);
        if (j->res.bad_row && a->data && j->sets.train.line)
            cli_error("%s:%zu: %s", a->data, j->sets.train.line[j->res.bad_row - 1],
                      strncmp(why, "fit: ", 5) == 0 ? why + 5 : why);
        else
            cli_error("training failed: %s", why);
        return j->status == XN_ENOMEM ? EXIT_FAIL : EXIT_USAGE;
    }
    if (!same) {
        cli_error("the ranks' networks differ after training (rank %d)", cli_mpi_rank());
        return EXIT_FAIL;
    }
    return j->log.failed;
}
