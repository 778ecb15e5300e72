/* xornet train, in three steps over one struct: the plan (train_plan.c:
 * the options, the data, the network), the run (train_run.c: xn_fit with
 * the progress log, checkpoints and MPI) and the report (train_report.c:
 * scores, the outputs' table, warnings, files and pictures).  The options
 * and their two sets of defaults are train_opts.c's. */
#ifndef XORNET_CLI_TRAIN_H
#define XORNET_CLI_TRAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "history.h"
#include "opts.h"
#include "plot.h"
#include "train_log.h"
#include "xornet/xornet.h"

/* What the command line says, after the defaults of XOR or of a data set. */
typedef struct {
    const char *data, *labels, *val, *val_labels, *test, *test_labels;
    const char *init_from, *resume, *save, *history, *plot;
    int xor_data;                 /* --xor */
    size_t outputs;               /* XN_OUTPUTS_DEFAULT: the file's own */
    xn_header header;
    const char *target;
    xn_task_choice task;
    xn_split split;
    size_t sizes[XN_MAX_LAYERS + 1], n_sizes;
    xn_act acts[XN_MAX_LAYERS];
    size_t n_acts;
    xn_loss loss;
    xn_dtype dtype;
    xn_init init;
    xn_rng_kind rng;
    uint64_t seed;
    xn_order order;
    xn_bias_init bias;
    xn_opt opt;
    size_t epochs, batch, every, checkpoint, threads, patience;
    int shuffle, standardize;     /* -1: the data's default */
    double val_split, min_delta, target_loss;
    int quiet, check_ranks;
    xn_schedule schedule;
    double lr_gamma, lr_min;
    size_t lr_step;
    xn_kernel kernel;
    opts given;                   /* the table and which flags were given */
} train_args;

/* Parses the command line with the defaults of XOR or of --data filled
 * in.  EXIT_OK, OPTS_HELP (the help printed by the lead rank), or
 * EXIT_USAGE (the error printed). */
int train_parse(int argc, char **argv, train_args *a, bool lead);

typedef struct {
    xn_data train, val, test;
    xn_description desc;          /* what the training targets are */
} data_sets;

/* Everything a run needs, made by train_plan and freed by train_free. */
typedef struct {
    train_args a;
    data_sets sets;
    xn_net *net;
    xn_rng rng;
    xn_checkpoint ck;             /* --resume's */
    cli_history hist;             /* --history, replaced only by a run that succeeds */
    train_log log;
    xn_fit_config cfg;
    xn_fit_result res;
    xn_status status;             /* xn_fit's */
    double wall;                  /* its seconds */
    const char *name;             /* the data's file name (no folders), for titles */
    /* --plot: the pictures are drawn into plot_stage (the folder itself
     * when the run made it, else a private folder in it) and moved into
     * place when the run commits its files; plot_id registers the stage
     * for removal (cleanup.h) until then, so a run that fails or is
     * stopped leaves the old pictures, and no folder it made */
    bool plot_made;
    char plot_stage[4200];
    int plot_id;
} train_job;

/* The plan: the data read, the network built (or loaded, or resumed),
 * validation and test rows read for its shape, the output files checked.
 * Returns an exit status, the error printed. */
int train_plan(train_job *j);
/* The run: xn_fit with the progress log.  Returns an exit status. */
int train_run(train_job *j);
/* The report: how the run ended, the scores, the files written (history,
 * model, pictures).  Returns an exit status. */
int train_report(train_job *j);
void train_free(train_job *j);

/* --plot's folder, made (one level) if missing once gnuplot is known to be
 * there, and registered for removal with its pictures when the run made
 * it.  Prints the error; EXIT_OK or EXIT_FAIL. */
int train_plot_folder(train_job *j);

/* The rows the run trains on and holds out (xn_fit_split with the run's
 * configuration), each gathered into a set of its own: held is empty
 * without a split.  EXIT_OK or EXIT_FAIL (memory). */
int train_split_rows(const train_job *j, xn_data *train, xn_data *held);
/* What the plan decided, in two or three lines before the first epoch. */
void train_summary(const train_job *j);

/* The pictures --plot draws into its folder, NULL-terminated
 * (train_plots.c): whether picture i of them belongs to the run (the
 * learned function's to its inputs, the outcome's to its task), and
 * drawing it into path. */
extern const char *const train_pictures[];
bool train_picture_wanted(const train_job *j, size_t i);
plot_status train_picture(train_job *j, size_t i, const char *path, plot_error *err);

#endif
