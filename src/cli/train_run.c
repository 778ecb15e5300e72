/* xornet train's run: xn_fit configured from the plan, its callbacks
 * writing the progress log (train_log.c), over the ranks of an MPI run
 * when there are several. */
#define _POSIX_C_SOURCE 200809L /* isatty */

#include <stdio.h>
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
    t->train = &j->sets.train;
    t->rng = &j->rng;
    t->steps = (a->batch == 0 || a->batch >= n) && !validating;
    t->tty = !a->quiet && isatty(fileno(stderr)) && isatty(fileno(stdout));
    t->quiet = a->quiet;
    t->epochs = a->epochs;
    t->every = a->every ? a->every : t->steps ? (a->epochs >= 10 ? a->epochs / 10 : 1) : 1;
    t->target_set = opts_given(&a->given, "--target-loss");
    t->target = a->target;
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
    if (a->threads)
        openblas_set_num_threads((int)a->threads);
#endif
    size_t n = train_rows(a, &j->sets.train);
    bool validating = j->sets.val.n || a->val_split > 0.0;
    start_log(j, n, validating);
    /* standardization is the new network's: a loaded one keeps its own */
    bool standardize = a->standardize && !a->resume && !a->init_from;
    j->cfg = (xn_fit_config){
        .epochs = a->epochs, .batch = a->batch, .shuffle = a->shuffle, .rng = &j->rng,
        .val = j->sets.val.n ? &j->sets.val : NULL, .val_split = a->val_split, .standardize = standardize,
        .standardize_targets = standardize && xn_net_act(j->net, xn_net_layers(j->net)) == XN_ACT_IDENTITY,
        .patience = a->patience, .min_delta = a->min_delta, .restore_best = true, .schedule = a->schedule,
        .lr_gamma = a->lr_gamma, .lr_step = a->lr_step, .lr_min = a->lr_min, .on_epoch = train_log_epoch,
        .on_batch = j->log.tty && !j->log.steps ? train_log_batch : NULL, .user = &j->log,
        .resume = a->resume ? &j->ck.fit : NULL, .resume_best = j->ck.best};
    cli_mpi_attach(&j->cfg);
    double t0 = cli_seconds();
    j->status = a->epochs ? xn_fit(j->net, &j->sets.train, &j->cfg, &j->res) : XN_OK;
    j->wall = cli_seconds() - t0;
    train_log_end(&j->log);
    if (!cli_mpi_same_params(j->net)) { /* every rank, whatever happened */
        cli_error("the ranks' networks differ after training (rank %d)", cli_mpi_rank());
        return EXIT_FAIL;
    }
    if (cli_mpi_rank() != 0) /* rank 0 reports */
        return EXIT_OK;
    if (j->status == XN_ENUMERIC) {
        cli_error("training diverged at epoch %zu: try a smaller --lr", j->log.steps ? j->res.epochs : j->res.epochs + 1);
        return EXIT_FAIL;
    }
    if (j->status != XN_OK) {
        cli_error("training failed: %s", xn_net_error(j->net));
        return j->status == XN_ENOMEM ? EXIT_FAIL : EXIT_USAGE;
    }
    return j->log.failed;
}
