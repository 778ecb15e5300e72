/* xornet train: builds (or loads, or resumes) a network, trains it with
 * xn_fit on the built-in XOR table or a data set, reports progress, and
 * prints how it ended: the truth table for XOR, the scores on the
 * training, validation and test rows for real data.  The story of a run
 * is plan, run, report (train.h); under mpirun every rank plans and runs,
 * and rank 0 alone speaks and writes. */
#include <math.h>

#include "cli.h"
#include "cli_mpi.h"
#include "train.h"

int cmd_train(int argc, char **argv)
{
    /* under mpirun every rank reads and builds the same, and so fails the
     * same way, or alone (a file one rank cannot read): each holds its
     * message back, and the lowest rank that failed speaks for all */
    bool mpi = cli_mpi_size() > 1, lead = cli_mpi_rank() == 0;
    if (mpi)
        cli_hold_errors();
    train_job j = {.log = {.first_loss = NAN}, .plot_id = -1};
    int rc = train_parse(argc, argv, &j.a, lead);
    if (rc == OPTS_HELP) {
        cli_release_errors(false);
        return rc;
    }
    if (!lead) { /* the other ranks train in step, silently */
        j.a.quiet = true;
        j.a.save = j.a.history = j.a.plot = NULL;
        j.a.checkpoint = 0;
    }
    if (rc == EXIT_OK)
        rc = train_plan(&j);
    if (mpi) { /* one message, from the first rank that failed; all stop */
        int first = cli_mpi_first_failed(rc == EXIT_OK);
        cli_release_errors(first == cli_mpi_rank());
        if (first >= 0 && rc == EXIT_OK)
            rc = EXIT_FAIL;
        if (!lead) /* from here the ranks go in step: rank 0 says it */
            cli_hold_errors();
    }
    if (rc == EXIT_OK)
        rc = train_run(&j);
    if (rc == EXIT_OK && lead)
        rc = train_report(&j);
    cli_release_errors(false);
    train_free(&j);
    return rc;
}
