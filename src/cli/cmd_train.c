/* xornet train: builds (or loads, or resumes) a network, trains it with
 * xn_fit on the built-in XOR table or a data set, reports progress, and
 * prints how it ended: the truth table for XOR, the scores on the
 * training, validation and test rows for real data.
 *
 * Two sets of defaults.  The built-in XOR keeps the notebooks' (whole-batch
 * gradient descent at 1.5, 1000 epochs, no shuffling, no standardization),
 * so every notebook number stays reproducible.  With --data, those a Keras
 * user expects: Adam at 1e-3, batches of 32, shuffled, inputs
 * standardized, and the output and loss chosen from the targets. */
#define _POSIX_C_SOURCE 200809L /* isatty */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "cli_mpi.h"
#include "history.h"
#include "plot.h"
#include "train_log.h"
#include "xn_config.h"

#if XN_HAVE_OPENBLAS_THREADS
void openblas_set_num_threads(int num_threads);
#endif

static const char train_help[] =
    "usage: xornet train [options]\n"
    "\n"
    "Trains a dense network and prints how it went: on the built-in XOR table\n"
    "the notebooks' whole-batch gradient descent and the learned truth table;\n"
    "on a data set (--data) mini-batches of Adam, with validation and test scores.\n"
    "\n"
    "data:\n"
    "  --xor               the built-in XOR table (default)\n"
    "  --data FILE         CSV, FANN or IDX images (with --labels) to train on\n"
    "  --labels FILE       the IDX label file of --data's images\n"
    "  --outputs K         how many columns at the end of each CSV row are targets\n"
    "                      (default 1; a FANN file gives its own count); one target\n"
    "                      column of class ids 0..K-1 needs no --outputs: it is\n"
    "                      read as K one-hot targets for a softmax\n"
    "  --val FILE          validation rows, scored after every epoch\n"
    "  --val-labels FILE   the IDX label file of --val's images\n"
    "  --val-split F       hold out the last fraction F of the rows (before any\n"
    "                      shuffling) for validation instead (default 0.2 for a data\n"
    "                      set of 50 rows or more without --val, else 0)\n"
    "  --test FILE         rows scored once, after training\n"
    "  --test-labels FILE  the IDX label file of --test's images\n"
    "network:\n"
    "  --layers 2,10,1     sizes, input to output (default: inputs,10,outputs for\n"
    "                      XOR, inputs,100,outputs with --data)\n"
    "  --act relu,sigmoid  one activation per layer: identity sigmoid relu tanh\n"
    "                      softmax (default: relu..., then the output's)\n"
    "  --loss NAME         mse, sse, bce (sigmoid output), cce (softmax).  Default:\n"
    "                      mse with a sigmoid output for XOR; with --data, from\n"
    "                      the targets: one-hot rows or class ids: softmax + cce;\n"
    "                      0/1: sigmoid + bce; anything else: identity + mse\n"
    "  --dtype NAME        float64 (default) or float32\n"
    "  --init NAME         glorot_uniform (default), glorot_normal, he_uniform,\n"
    "                      he_normal, normal, uniform, zeros\n"
    "  --rng NAME          python, numpy or default (= numpy): whose stream draws\n"
    "                      the weights and then shuffles\n"
    "  --seed N            random seed (default 1)\n"
    "  --order NAME        row (default; NumPy's randn(in,out)) or neuron (each\n"
    "                      neuron's fan-in in turn, as in notebook 0)\n"
    "  --bias-init NAME    zero (default) or drawn (with the weights' rule)\n"
    "  --init-from FILE    start from a saved network (its sizes, activations and\n"
    "                      loss; a fresh optimizer)\n"
    "  --resume FILE       continue a run from its checkpoint (--checkpoint): the\n"
    "                      same options as the run, and it ends as it would have\n";

/* Two strings: C99 promises no longer literals. */
static const char train_help_2[] =
    "training:\n"
    "  --opt NAME          gd, momentum or adam (default gd for XOR, adam with --data)\n"
    "  --lr X              learning rate (default 1.5 for XOR's gd and momentum,\n"
    "                      0.01 for its adam; with --data 0.001 for adam, 0.01 else)\n"
    "  --momentum X        momentum coefficient in [0,1) (default 0.9)\n"
    "  --weight-decay X    L2 decay of the weights, not the biases: coupled for\n"
    "                      gd and momentum, decoupled (AdamW) for adam (default 0)\n"
    "  --epochs N          passes over the data (default 1000 for XOR, 200 else)\n"
    "  --batch N           rows a step; 0 = all of them (default 0 for XOR, 32 else)\n"
    "  --no-shuffle        keep the rows' order (XOR's default; --shuffle turns it on)\n"
    "  --no-standardize    take the data as they are (XOR's default; with\n"
    "                      --standardize each input column, and for regression each\n"
    "                      target, is scaled to mean 0, sd 1 by the training rows'\n"
    "                      statistics, kept in the model; the loss is then that of\n"
    "                      the scaled targets, rmse, mae and r2 those of the data)\n"
    "  --patience N        stop after N epochs without a better validation loss\n"
    "                      (the training loss without validation), keeping the best\n"
    "                      epoch's weights (default 20 with --data and validation\n"
    "                      rows, else 0: never)\n"
    "  --min-delta X       what counts as better (default 0)\n"
    "  --lr-schedule S     constant (default), step:N:G (times G every N epochs),\n"
    "                      exp:G (times G every epoch), cosine[:MIN] (to MIN over the run)\n"
    "  --target-loss X     stop once the training loss is at or below X\n"
    "  --kernel NAME       auto (default), blas or naive\n"
    "  --threads N         OpenBLAS threads (default: OpenBLAS's choice)\n"
    "  --check-ranks       under mpirun, compare the ranks' networks after every\n"
    "                      epoch (always done once at the end)\n"
    "output:\n"
    "  --every N           progress every N epochs (default epochs/10 for whole-batch\n"
    "                      runs without validation, such as XOR's; else 1)\n"
    "  --quiet             no progress, only the final report\n"
    "  --save FILE         write the trained network (atomically)\n"
    "  --checkpoint N      also write a checkpoint to --save's FILE every N epochs\n"
    "                      (the network and the run's state: --resume FILE goes on)\n"
    "  --history FILE      CSV of every epoch: loss and accuracy (rmse for\n"
    "                      regression), with validation, rate and time for data sets\n"
    "  --plot DIR          gnuplot pictures: DIR/loss.png (training and validation\n"
    "                      loss), DIR/metric.png, and DIR/surface.png (2 inputs, 1\n"
    "                      output) or DIR/fit.png (1 input, 1 output)\n"
    "\n"
    "With whole-batch steps (XOR), epoch e reports the network after e steps;\n"
    "epoch 0 is the initial one.  With mini-batches, an epoch's loss is the mean\n"
    "of its batches' losses, each before its step (as Keras reports it).\n"
    "Exit status: 0 trained, 1 diverged or could not write, 2 bad usage/input.\n";

typedef struct {
    const char *data, *labels, *val, *val_labels, *test, *test_labels;
    const char *init_from, *resume, *save, *history, *plot;
    size_t outputs;
    size_t sizes[XN_MAX_LAYERS + 1], n_sizes;
    xn_act acts[XN_MAX_LAYERS];
    size_t n_acts;
    bool loss_set;
    xn_loss loss;
    xn_dtype dtype;
    xn_init init;
    xn_rng_kind rng;
    uint64_t seed;
    xn_order order;
    xn_bias_init bias;
    xn_opt opt;
    bool opt_set, lr_set, momentum_set, decay_set, dtype_set, std_set;
    size_t epochs, batch, every, checkpoint, threads, patience;
    bool epochs_set, batch_set, patience_set, val_split_set;
    int shuffle, standardize; /* -1: the default for the data */
    double val_split, min_delta, target;
    bool target_set, quiet, check_ranks;
    xn_schedule schedule;
    double lr_gamma, lr_min;
    size_t lr_step;
    xn_kernel kernel;
} train_args;

static int parse_acts(const char *s, train_args *a)
{
    char buf[32];
    const char *p = s;
    a->n_acts = 0;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == 0 || len >= sizeof buf || a->n_acts == XN_MAX_LAYERS) {
            cli_error("--act: expected names like relu,sigmoid, got '%s'", s);
            return -1;
        }
        memcpy(buf, p, len);
        buf[len] = '\0';
        if (xn_act_parse(buf, &a->acts[a->n_acts]) != XN_OK) {
            cli_error("--act: unknown activation '%s' (identity, sigmoid, relu, tanh, softmax)", buf);
            return -1;
        }
        a->n_acts++;
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

/* constant | step:N:G | exp:G | cosine[:MIN] */
static int parse_schedule(const char *s, train_args *a)
{
    char *end;
    if (strcmp(s, "constant") == 0) {
        a->schedule = XN_SCHEDULE_CONSTANT;
        return 0;
    }
    if (strncmp(s, "step:", 5) == 0) {
        unsigned long long n = strtoull(s + 5, &end, 10);
        if (end != s + 5 && *end == ':' && n > 0) {
            double g = strtod(end + 1, &end);
            if (*end == '\0' && g > 0.0 && g <= 1.0) {
                a->schedule = XN_SCHEDULE_STEP;
                a->lr_step = (size_t)n;
                a->lr_gamma = g;
                return 0;
            }
        }
    } else if (strncmp(s, "exp:", 4) == 0) {
        double g = strtod(s + 4, &end);
        if (end != s + 4 && *end == '\0' && g > 0.0 && g <= 1.0) {
            a->schedule = XN_SCHEDULE_EXPONENTIAL;
            a->lr_gamma = g;
            return 0;
        }
    } else if (strncmp(s, "cosine", 6) == 0) {
        a->schedule = XN_SCHEDULE_COSINE;
        a->lr_min = 0.0;
        if (s[6] == '\0')
            return 0;
        if (s[6] == ':') {
            a->lr_min = strtod(s + 7, &end);
            if (end != s + 7 && *end == '\0' && a->lr_min >= 0.0 && isfinite(a->lr_min))
                return 0;
        }
    }
    cli_error("--lr-schedule: expected constant, step:N:G, exp:G or cosine[:MIN] (G in (0, 1]), got '%s'",
              s);
    return -1;
}

enum { HELP_PRINTED = -1 };

/* Returns EXIT_OK, HELP_PRINTED (--help: print it), or the exit status to
 * leave with. */
static int parse_args(int argc, char **argv, train_args *a)
{
    const char *v;
    int r;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
#define OPT(flag) ((r = cli_opt(argc, argv, &i, flag, &v)) != 0)
#define NEED() if (r < 0) return EXIT_USAGE
        if (cli_is_help(arg)) {
            return HELP_PRINTED;
        } else if (strcmp(arg, "--xor") == 0) {
            a->data = NULL;
        } else if (strcmp(arg, "--quiet") == 0) {
            a->quiet = true;
        } else if (strcmp(arg, "--check-ranks") == 0) {
            a->check_ranks = true;
        } else if (strcmp(arg, "--shuffle") == 0 || strcmp(arg, "--no-shuffle") == 0) {
            a->shuffle = arg[2] == 's';
        } else if (strcmp(arg, "--standardize") == 0 || strcmp(arg, "--no-standardize") == 0) {
            a->standardize = arg[2] == 's';
            a->std_set = true;
        } else if (OPT("--data")) {
            NEED();
            a->data = v;
        } else if (OPT("--labels")) {
            NEED();
            a->labels = v;
        } else if (OPT("--val")) {
            NEED();
            a->val = v;
        } else if (OPT("--val-labels")) {
            NEED();
            a->val_labels = v;
        } else if (OPT("--test")) {
            NEED();
            a->test = v;
        } else if (OPT("--test-labels")) {
            NEED();
            a->test_labels = v;
        } else if (OPT("--val-split")) {
            if (r < 0 || cli_parse_double("--val-split", v, &a->val_split)) return EXIT_USAGE;
            if (!(a->val_split >= 0.0 && a->val_split < 1.0)) {
                cli_error("--val-split: a fraction from 0 up to 1, got '%s'", v);
                return EXIT_USAGE;
            }
            a->val_split_set = true;
        } else if (OPT("--outputs")) {
            if (r < 0 || cli_parse_size("--outputs", v, 1, 1u << 20, &a->outputs)) return EXIT_USAGE;
        } else if (OPT("--layers")) {
            if (r < 0 || cli_parse_sizes("--layers", v, a->sizes, XN_MAX_LAYERS + 1, &a->n_sizes))
                return EXIT_USAGE;
            if (a->n_sizes < 2) {
                cli_error("--layers: need at least an input and an output size, got '%s'", v);
                return EXIT_USAGE;
            }
        } else if (OPT("--act")) {
            if (r < 0 || parse_acts(v, a)) return EXIT_USAGE;
        } else if (OPT("--loss")) {
            NEED();
            if (xn_loss_parse(v, &a->loss) != XN_OK) {
                cli_error("--loss: unknown loss '%s' (mse, sse, bce, cce)", v);
                return EXIT_USAGE;
            }
            a->loss_set = true;
        } else if (OPT("--dtype")) {
            NEED();
            if (xn_dtype_parse(v, &a->dtype) != XN_OK) {
                cli_error("--dtype: unknown element type '%s' (float64, float32)", v);
                return EXIT_USAGE;
            }
            a->dtype_set = true;
        } else if (OPT("--opt")) {
            NEED();
            if (xn_opt_parse(v, &a->opt.kind) != XN_OK) {
                cli_error("--opt: unknown optimizer '%s' (gd, momentum, adam)", v);
                return EXIT_USAGE;
            }
            a->opt_set = true;
        } else if (OPT("--init")) {
            NEED();
            if (xn_init_parse(v, &a->init) != XN_OK) {
                cli_error("--init: unknown initializer '%s' (glorot_uniform, glorot_normal, "
                          "he_uniform, he_normal, normal, uniform, zeros)", v);
                return EXIT_USAGE;
            }
        } else if (OPT("--kernel")) {
            NEED();
            if (xn_kernel_parse(v, &a->kernel) != XN_OK) {
                cli_error("--kernel: unknown kernel '%s' (auto, blas, naive)", v);
                return EXIT_USAGE;
            }
        } else if (OPT("--rng")) {
            NEED();
            if (strcmp(v, "default") == 0)
                a->rng = XN_RNG_NUMPY;
            else if (xn_rng_kind_parse(v, &a->rng) != XN_OK) {
                cli_error("--rng: unknown stream '%s' (python, numpy, default)", v);
                return EXIT_USAGE;
            }
        } else if (OPT("--order")) {
            NEED();
            if (xn_order_parse(v, &a->order) != XN_OK) {
                cli_error("--order: unknown order '%s' (row, neuron)", v);
                return EXIT_USAGE;
            }
        } else if (OPT("--bias-init")) {
            NEED();
            if (xn_bias_init_parse(v, &a->bias) != XN_OK) {
                cli_error("--bias-init: unknown rule '%s' (zero, drawn)", v);
                return EXIT_USAGE;
            }
        } else if (OPT("--seed")) {
            if (r < 0 || cli_parse_u64("--seed", v, &a->seed)) return EXIT_USAGE;
        } else if (OPT("--lr")) {
            if (r < 0 || cli_parse_double("--lr", v, &a->opt.lr)) return EXIT_USAGE;
            if (!(a->opt.lr > 0.0)) {
                cli_error("--lr: the learning rate must be positive, got '%s'", v);
                return EXIT_USAGE;
            }
            a->lr_set = true;
        } else if (OPT("--momentum")) {
            if (r < 0 || cli_parse_double("--momentum", v, &a->opt.momentum)) return EXIT_USAGE;
            a->momentum_set = true;
            if (!(a->opt.momentum >= 0.0 && a->opt.momentum < 1.0)) {
                cli_error("--momentum: must be in [0, 1), got '%s'", v);
                return EXIT_USAGE;
            }
        } else if (OPT("--weight-decay")) {
            if (r < 0 || cli_parse_double("--weight-decay", v, &a->opt.weight_decay)) return EXIT_USAGE;
            a->decay_set = true;
            if (!(a->opt.weight_decay >= 0.0)) {
                cli_error("--weight-decay: must be 0 or more, got '%s'", v);
                return EXIT_USAGE;
            }
        } else if (OPT("--epochs")) {
            if (r < 0 || cli_parse_size("--epochs", v, 0, (size_t)1 << 40, &a->epochs)) return EXIT_USAGE;
            a->epochs_set = true;
        } else if (OPT("--batch")) {
            if (r < 0 || cli_parse_size("--batch", v, 0, (size_t)1 << 31, &a->batch)) return EXIT_USAGE;
            a->batch_set = true;
        } else if (OPT("--patience")) {
            if (r < 0 || cli_parse_size("--patience", v, 0, SIZE_MAX, &a->patience)) return EXIT_USAGE;
            a->patience_set = true;
        } else if (OPT("--min-delta")) {
            if (r < 0 || cli_parse_double("--min-delta", v, &a->min_delta)) return EXIT_USAGE;
            if (!(a->min_delta >= 0.0)) {
                cli_error("--min-delta: must be 0 or more, got '%s'", v);
                return EXIT_USAGE;
            }
        } else if (OPT("--lr-schedule")) {
            if (r < 0 || parse_schedule(v, a)) return EXIT_USAGE;
        } else if (OPT("--every")) {
            if (r < 0 || cli_parse_size("--every", v, 1, SIZE_MAX, &a->every)) return EXIT_USAGE;
        } else if (OPT("--checkpoint")) {
            if (r < 0 || cli_parse_size("--checkpoint", v, 1, SIZE_MAX, &a->checkpoint)) return EXIT_USAGE;
        } else if (OPT("--threads")) {
            if (r < 0 || cli_parse_size("--threads", v, 1, 1024, &a->threads)) return EXIT_USAGE;
        } else if (OPT("--target-loss")) {
            if (r < 0 || cli_parse_double("--target-loss", v, &a->target)) return EXIT_USAGE;
            a->target_set = true;
        } else if (OPT("--save")) {
            NEED();
            a->save = v;
        } else if (OPT("--history")) {
            NEED();
            a->history = v;
        } else if (OPT("--plot")) {
            NEED();
            if (!*v) {
                cli_error("--plot: needs a directory name");
                return EXIT_USAGE;
            }
            a->plot = v;
        } else if (OPT("--init-from")) {
            NEED();
            a->init_from = v;
        } else if (OPT("--resume")) {
            NEED();
            a->resume = v;
        } else {
            return cli_unknown("train", arg);
        }
#undef OPT
#undef NEED
    }
    bool shape_given = a->n_sizes || a->n_acts || a->loss_set;
    if (a->checkpoint && !a->save) {
        cli_error("--checkpoint needs --save FILE to write to");
        return EXIT_USAGE;
    }
    if (a->init_from && shape_given) {
        cli_error("--init-from: the network comes from the file; drop --layers, --act and --loss");
        return EXIT_USAGE;
    }
    if (a->init_from && a->resume) {
        cli_error("--resume and --init-from: give one (--resume continues a run, --init-from starts one)");
        return EXIT_USAGE;
    }
    if (a->val && a->val_split > 0.0) {
        cli_error("--val and --val-split: give one");
        return EXIT_USAGE;
    }
    if ((a->labels && !a->data) || (a->val_labels && !a->val) || (a->test_labels && !a->test)) {
        cli_error("%s needs the IDX images it labels (%s)",
                  a->labels && !a->data ? "--labels" : a->val_labels && !a->val ? "--val-labels" : "--test-labels",
                  a->labels && !a->data ? "--data" : a->val_labels && !a->val ? "--val" : "--test");
        return EXIT_USAGE;
    }
    /* the defaults of the built-in XOR (the notebooks') or of a data set */
    bool xor = a->data == NULL;
    if (!a->opt_set)
        a->opt.kind = xor ? XN_OPT_GD : XN_OPT_ADAM;
    xn_opt chosen = xn_opt_default(a->opt.kind); /* Adam's betas and eps */
    chosen.lr = a->opt.lr;
    chosen.momentum = a->opt.momentum;
    chosen.weight_decay = a->opt.weight_decay;
    a->opt = chosen;
    if (!a->lr_set)
        a->opt.lr = xor ? (a->opt.kind == XN_OPT_ADAM ? 0.01 : 1.5) : (a->opt.kind == XN_OPT_ADAM ? 0.001 : 0.01);
    if (!a->epochs_set)
        a->epochs = xor ? 1000 : 200;
    if (!a->batch_set)
        a->batch = xor ? 0 : 32;
    if (a->shuffle < 0)
        a->shuffle = !xor && a->batch != 0;
    if (a->standardize < 0)
        a->standardize = !xor;
    return EXIT_OK;
}

/* The defaults that depend on the data: a data set of 50 rows or more
 * without --val holds out its last fifth for validation, and a run with
 * validation stops after 20 epochs without a better validation loss,
 * keeping the best epoch's weights (early stopping). */
static void data_defaults(train_args *a, const xn_data *d)
{
    if (a->data && !a->val && !a->val_split_set && d->n >= 50)
        a->val_split = 0.2;
    if (!a->patience_set)
        a->patience = a->data && (a->val || a->val_split > 0.0) ? 20 : 0;
}

/* ---- data ---------------------------------------------------------------- */

typedef struct {
    xn_data train, val, test;
} data_sets;

static void free_sets(data_sets *s)
{
    xn_data_free(&s->train);
    xn_data_free(&s->val);
    xn_data_free(&s->test);
}

/* The training data, before the network's shape is known. */
static int load_train(const train_args *a, xn_data *d)
{
    if (a->data && cli_is_idx(a->data))
        return cli_load_idx(a->data, a->labels, a->outputs == XN_OUTPUTS_DEFAULT ? 0 : a->outputs, d);
    if (a->labels)
        return cli_load_idx(a->data, a->labels, 0, d); /* says the images are not IDX */
    return cli_load_data(a->data, a->outputs, d);
}

/* Whether every target row is one-hot (K >= 2) or a 0/1 value, and
 * whether the targets look like class ids: one column of whole numbers
 * 0..K-1 with every class there, K >= 3. */
static bool all_in_01(const xn_data *d)
{
    for (size_t i = 0; i < d->n * d->out; i++)
        if (d->y[i] != 0.0 && d->y[i] != 1.0)
            return false;
    return true;
}

static bool one_hot(const xn_data *d)
{
    if (d->out < 2 || !all_in_01(d))
        return false;
    for (size_t i = 0; i < d->n; i++) {
        double s = 0;
        for (size_t k = 0; k < d->out; k++)
            s += d->y[i * d->out + k];
        if (s != 1.0)
            return false;
    }
    return true;
}

static size_t class_ids(const xn_data *d)
{
    size_t K = xn_data_class_count(d);
    if (K < 3 || K > d->n)
        return 0;
    bool *seen = calloc(K, sizeof *seen);
    size_t distinct = 0;
    for (size_t i = 0; seen && i < d->n; i++) {
        size_t c = (size_t)d->y[i];
        distinct += !seen[c];
        seen[c] = true;
    }
    free(seen);
    return distinct == K ? K : 0;
}

/* "FILE:LINE: " for row i of d read from path, or "FILE: row N: ". */
static void where(char *buf, size_t cap, const char *path, const xn_data *d, size_t i)
{
    if (d->line)
        snprintf(buf, cap, "%s:%zu", path, d->line[i]);
    else
        snprintf(buf, cap, "%s: row %zu", path, i + 1);
}

/* The targets of d (from path) against the network's output: values a
 * sigmoid reaches, rows a softmax's cross-entropy takes.  Prints why not,
 * with a hint. */
static int check_targets(const xn_net *net, const xn_data *d, const char *path)
{
    size_t L = xn_net_layers(net), K = xn_net_size(net, L);
    xn_act out = xn_net_act(net, L);
    char at[4200];
    if (out == XN_ACT_SIGMOID || xn_net_loss(net) == XN_LOSS_BCE) {
        for (size_t i = 0; i < d->n * K; i++)
            if (!(d->y[i] >= 0.0 && d->y[i] <= 1.0)) {
                where(at, sizeof at, path, d, i / K);
                size_t ids = K == 1 ? class_ids(d) : 0;
                if (ids)
                    cli_error("%s: target %g: these look like class ids 0..%zu; a sigmoid output "
                              "gives 0..1 (--loss cce for %zu classes, or --act ...,identity --loss mse "
                              "for regression)", at, d->y[i], ids - 1, ids);
                else
                    cli_error("%s: target %g is outside [0, 1], which a sigmoid output cannot reach "
                              "(for regression: --act ...,identity --loss mse)", at, d->y[i]);
                return EXIT_USAGE;
            }
    }
    if (xn_net_loss(net) == XN_LOSS_CCE) {
        for (size_t i = 0; i < d->n; i++) {
            double s = 0;
            bool ok = true;
            for (size_t k = 0; k < K; k++) {
                double v = d->y[i * K + k];
                ok &= v >= 0.0 && v <= 1.0;
                s += v;
            }
            if (!ok || fabs(s - 1.0) > 1e-9) {
                where(at, sizeof at, path, d, i);
                cli_error("%s: the %zu targets are not one-hot (nor class probabilities summing to 1), "
                          "as softmax with cce needs; class ids go in one column", at, K);
                return EXIT_USAGE;
            }
        }
    }
    return EXIT_OK;
}

/* ---- the network -------------------------------------------------------- */

/* The option to blame for a network rule that cfg breaks. */
static const char *rule_flag(const train_args *a, bool acts_given, const xn_net_config *cfg)
{
    xn_act out = cfg->acts[cfg->n_layers - 1];
    if ((cfg->loss == XN_LOSS_BCE && out != XN_ACT_SIGMOID) ||
        (cfg->loss == XN_LOSS_CCE && out != XN_ACT_SOFTMAX) || (!acts_given && a->loss_set))
        return a->loss_set ? "--loss" : "--act";
    for (size_t l = 0; l < cfg->n_layers; l++)
        if (cfg->acts[l] == XN_ACT_SOFTMAX)
            return "--act";
    return "--layers";
}

/* What to do about it, for the rules a user of the program meets. */
static const char *rule_hint(const train_args *a, bool acts_given, const xn_net_config *cfg)
{
    size_t K = cfg->sizes[cfg->n_layers];
    if (cfg->acts[cfg->n_layers - 1] == XN_ACT_SOFTMAX && K < 2)
        return !acts_given && a->loss == XN_LOSS_CCE
                   ? " (the data has one target column: give its K one-hot columns with --outputs K, "
                     "or class ids 0..K-1 in it with K >= 3 classes)"
                   : " (for one output use sigmoid, with --loss bce)";
    return "";
}

/* The output activation and loss for the targets of d, when not given:
 * XOR keeps the notebooks' sigmoid and mse.  Class ids become one-hot. */
static int choose_output(train_args *a, xn_data *d, xn_act *out)
{
    bool acts_given = a->n_acts != 0;
    size_t ids = d->out == 1 ? class_ids(d) : 0;
    bool wants_softmax = (a->loss_set && a->loss == XN_LOSS_CCE) ||
                         (acts_given && a->acts[a->n_acts - 1] == XN_ACT_SOFTMAX);
    if (d->out == 1 && (wants_softmax || (!a->loss_set && !acts_given && a->data && ids))) {
        size_t K = ids ? ids : xn_data_class_count(d);
        /* --layers may name more classes than the rows hold (the last ones
         * missing from a training set) */
        if (a->n_sizes && a->sizes[a->n_sizes - 1] > K && a->sizes[a->n_sizes - 1] <= XN_DATA_MAX_CLASSES)
            K = a->sizes[a->n_sizes - 1];
        xn_error err = {0};
        if (K >= 2 && xn_data_classes_to_onehot(d, K, &err) != XN_OK) {
            cli_error("out of memory");
            return EXIT_FAIL;
        }
    }
    if (a->loss_set) {
        *out = a->loss == XN_LOSS_CCE ? XN_ACT_SOFTMAX : a->loss == XN_LOSS_BCE || !a->data ? XN_ACT_SIGMOID
                                                                                         : XN_ACT_IDENTITY;
        return EXIT_OK;
    }
    if (!a->data) { /* the notebooks */
        a->loss = XN_LOSS_MSE;
        *out = XN_ACT_SIGMOID;
    } else if (one_hot(d)) {
        a->loss = XN_LOSS_CCE;
        *out = XN_ACT_SOFTMAX;
    } else if (all_in_01(d)) {
        a->loss = XN_LOSS_BCE;
        *out = XN_ACT_SIGMOID;
    } else {
        a->loss = XN_LOSS_MSE;
        *out = XN_ACT_IDENTITY;
    }
    if (acts_given) /* the loss follows the output the user chose */
        a->loss = a->acts[a->n_acts - 1] == XN_ACT_SOFTMAX ? XN_LOSS_CCE
                  : a->acts[a->n_acts - 1] == XN_ACT_SIGMOID && a->loss == XN_LOSS_BCE ? XN_LOSS_BCE
                                                                                      : XN_LOSS_MSE;
    return EXIT_OK;
}

/* A network saved in a file: --init-from or --resume; *line, the line of
 * its sizes, for a message about a shape that does not fit. */
static int load_net(const char *path, xn_net **net, xn_checkpoint *ck, size_t *line)
{
    xn_error err = {0};
    xn_status s = ck ? xn_checkpoint_load(net, ck, path, &err) : xn_net_load(net, path, &err);
    if (s != XN_OK) {
        cli_file_error(path, s, &err);
        return s == XN_ENOMEM ? EXIT_FAIL : EXIT_USAGE;
    }
    *line = err.line;
    return EXIT_OK;
}

/* Builds the network the arguments describe for data d (whose class ids
 * may become one-hot targets on the way). */
static int build_net(train_args *a, xn_data *d, xn_net **net, xn_rng *rng, xn_checkpoint *ck)
{
    if (a->init_from || a->resume) {
        size_t sizes_line;
        int rc = load_net(a->resume ? a->resume : a->init_from, net, a->resume ? ck : NULL, &sizes_line);
        if (rc != EXIT_OK)
            return rc;
        size_t L = xn_net_layers(*net), K = xn_net_size(*net, L);
        bool ids = d->out == 1 && K > 1; /* one target column: class ids */
        if (xn_net_size(*net, 0) != d->in || (!ids && K != d->out)) {
            /* the data file's first row if it has lines, else the model's sizes */
            if (a->data && d->line && d->n)
                cli_error("%s:%zu: %zu input%s and %zu target%s a row, but the network in %s maps %zu "
                          "to %zu", a->data, d->line[0], d->in, cli_plural(d->in), d->out,
                          cli_plural(d->out), a->resume ? a->resume : a->init_from, xn_net_size(*net, 0), K);
            else
                cli_error("%s:%zu: the network maps %zu input%s to %zu output%s, the data (%s) has %zu "
                          "input%s and %zu target%s", a->resume ? a->resume : a->init_from, sizes_line,
                          xn_net_size(*net, 0), cli_plural(xn_net_size(*net, 0)), K, cli_plural(K),
                          a->data ? a->data : "XOR", d->in, cli_plural(d->in), d->out, cli_plural(d->out));
            return EXIT_USAGE;
        }
        if (ids && xn_data_classes_to_onehot(d, K, NULL) != XN_OK) {
            cli_error("%s: the network has %zu outputs, the data one target column that is not "
                      "class ids 0..%zu", a->data ? a->data : "xor", K, K - 1);
            return EXIT_USAGE;
        }
        xn_net_set_kernel(*net, a->kernel);
        /* what the network file fixes: options that would change it are
         * refused, not dropped */
        const char *file = a->resume ? a->resume : a->init_from, *flag = a->resume ? "--resume" : "--init-from";
        if (a->dtype_set && a->dtype != xn_net_dtype(*net)) {
            cli_error("--dtype: %s keeps the network's own type, %s in %s", flag,
                      xn_dtype_name(xn_net_dtype(*net)), file);
            return EXIT_USAGE;
        }
        if (a->std_set && !a->resume) {
            cli_error("--%sstandardize: --init-from keeps the standardization stored with the network",
                      a->standardize ? "" : "no-");
            return EXIT_USAGE;
        }
        if (a->resume) {
            xn_opt o = xn_net_opt(*net);
            const char *differs = a->opt_set && a->opt.kind != o.kind                   ? "--opt"
                                  : a->lr_set && a->opt.lr != ck->fit.lr0               ? "--lr"
                                  : a->momentum_set && a->opt.momentum != o.momentum     ? "--momentum"
                                  : a->decay_set && a->opt.weight_decay != o.weight_decay ? "--weight-decay"
                                                                                          : NULL;
            if (differs) {
                cli_error("%s: differs from the run in %s, which a resumed run keeps", differs, a->resume);
                return EXIT_USAGE;
            }
        }
        if (a->resume) { /* the run's own options may be repeated: they must match */
            bool same = (!a->n_sizes || a->n_sizes == L + 1) && (!a->n_acts || a->n_acts == L) &&
                        (!a->loss_set || a->loss == xn_net_loss(*net));
            for (size_t i = 0; same && a->n_sizes && i <= L; i++)
                same = a->sizes[i] == xn_net_size(*net, i);
            for (size_t l = 1; same && a->n_acts && l <= L; l++)
                same = a->acts[l - 1] == xn_net_act(*net, l);
            if (!same) {
                cli_error("--resume: %s holds another network than --layers, --act or --loss describe",
                          a->resume);
                return EXIT_USAGE;
            }
            *rng = ck->rng;
            return EXIT_OK;
        }
        xn_status s = xn_rng_seed(rng, a->rng, a->seed);
        if (s != XN_OK) {
            cli_error("--seed: the numpy stream takes seeds below 2^32, got %llu", (unsigned long long)a->seed);
            return EXIT_USAGE;
        }
        if (!a->quiet)
            printf("starting from %s with a fresh %s optimizer\n", a->init_from, xn_opt_name(a->opt.kind));
        return EXIT_OK;
    }
    xn_act out;
    int rc = choose_output(a, d, &out);
    if (rc != EXIT_OK)
        return rc;
    if (!a->n_sizes) {
        a->sizes[0] = d->in;
        a->sizes[1] = a->data ? 100 : 10;
        a->sizes[2] = d->out;
        a->n_sizes = 3;
    }
    size_t L = a->n_sizes - 1;
    if (a->sizes[0] != d->in || a->sizes[L] != d->out) {
        if (a->data && d->line && d->n) /* the data file's first row */
            cli_error("%s:%zu: %zu input%s and %zu output%s a row, but --layers maps %zu to %zu", a->data,
                      d->line[0], d->in, cli_plural(d->in), d->out, cli_plural(d->out), a->sizes[0],
                      a->sizes[L]);
        else
            cli_error("--layers: the network maps %zu input%s to %zu output%s, the data has %zu and %zu",
                      a->sizes[0], cli_plural(a->sizes[0]), a->sizes[L], cli_plural(a->sizes[L]), d->in,
                      d->out);
        return EXIT_USAGE;
    }
    bool acts_given = a->n_acts != 0;
    if (!acts_given) {
        for (size_t l = 0; l + 1 < L; l++)
            a->acts[l] = XN_ACT_RELU;
        a->acts[L - 1] = out;
        a->n_acts = L;
    }
    if (a->n_acts != L) {
        cli_error("--act: %zu activation%s for %zu layer%s; give one per layer", a->n_acts,
                  cli_plural(a->n_acts), L, cli_plural(L));
        return EXIT_USAGE;
    }
    xn_net_config cfg = {.n_layers = L, .sizes = a->sizes, .acts = a->acts, .loss = a->loss,
                         .max_batch = d->n, .kernel = a->kernel, .dtype = a->dtype};
    xn_error why;
    if (xn_net_check_config(&cfg, &why) != XN_OK) {
        cli_error("%s: %s%s", rule_flag(a, acts_given, &cfg), why.msg, rule_hint(a, acts_given, &cfg));
        return EXIT_USAGE;
    }
    xn_status s = xn_net_create(net, &cfg);
    if (s != XN_OK) { /* the rules hold: only memory is left */
        cli_error("cannot create the network: %s", xn_strerror(s));
        return EXIT_FAIL;
    }
    if (xn_rng_seed(rng, a->rng, a->seed) != XN_OK) {
        cli_error("--seed: the numpy stream takes seeds below 2^32, got %llu", (unsigned long long)a->seed);
        return EXIT_USAGE;
    }
    xn_net_init(*net, a->init, a->order, a->bias, rng);
    return EXIT_OK;
}

/* The pictures --plot draws into its folder (plot_run). */
enum { PIC_LOSS, PIC_METRIC, PIC_SURFACE, PIC_FIT, N_PICS };
static const char *const pictures[N_PICS] = {"loss.png", "metric.png", "surface.png", "fit.png"};

/* The files the run writes (--save, --history, the --plot pictures) are
 * neither one another nor a file it reads; --save may be the model it
 * starts from (--init-from, --resume), which is read first.  Prints why
 * not; EXIT_OK or EXIT_USAGE. */
static int check_paths(const train_args *a)
{
    const struct {
        const char *flag, *path;
    } in[] = {{"--data", a->data},           {"--labels", a->labels}, {"--val", a->val},
              {"--val-labels", a->val_labels}, {"--test", a->test},     {"--test-labels", a->test_labels},
              {"--init-from", a->init_from},   {"--resume", a->resume}};
    enum { N_IN = sizeof in / sizeof in[0], N_MODELS = 2 }; /* the last two: models */
    const struct {
        const char *flag, *path;
    } out[] = {{"--save", a->save}, {"--history", a->history}};
    for (size_t o = 0; o < 2; o++) {
        if (!out[o].path)
            continue;
        for (size_t i = 0; i < N_IN; i++)
            if (!(o == 0 && i >= N_IN - N_MODELS) && cli_same_file(out[o].path, in[i].path)) {
                cli_error("%s: %s is also %s's file, which the run reads", out[o].flag, out[o].path,
                          in[i].flag);
                return EXIT_USAGE;
            }
        if (o == 1 && cli_same_file(a->history, a->save)) {
            cli_error("--history: %s is also --save's file", a->history);
            return EXIT_USAGE;
        }
        for (size_t p = 0; a->plot && p < N_PICS; p++) {
            char pic[4200];
            if (!cli_join_path(pic, sizeof pic, a->plot, pictures[p], "--plot"))
                return EXIT_USAGE;
            if (cli_same_file(out[o].path, pic)) {
                cli_error("%s: %s is also a picture --plot draws", out[o].flag, out[o].path);
                return EXIT_USAGE;
            }
        }
    }
    return EXIT_OK;
}

/* The validation and test rows, for the network's shape: a file that does
 * not fit it is named with what it has, before its targets are checked. */
static int load_others(const train_args *a, const xn_net *net, data_sets *s)
{
    size_t L = xn_net_layers(net), n0 = xn_net_size(net, 0), K = xn_net_size(net, L);
    const struct {
        const char *flag, *path, *labels, *labels_flag;
        xn_data *d;
    } sets[] = {{"--val", a->val, a->val_labels, "--val-labels", &s->val},
                {"--test", a->test, a->test_labels, "--test-labels", &s->test}};
    for (size_t i = 0; i < sizeof sets / sizeof *sets; i++) {
        if (!sets[i].path)
            continue;
        xn_data *d = sets[i].d;
        int rc = cli_load_targets(sets[i].path, sets[i].labels, sets[i].labels_flag, n0, K, d);
        if (rc == EXIT_OK && (d->in != n0 || d->out != K))
            rc = cli_shape_error(sets[i].flag, sets[i].path, sets[i].labels != NULL, d, n0, K, true);
        if (rc == EXIT_OK)
            rc = check_targets(net, d, sets[i].path);
        if (rc != EXIT_OK)
            return rc;
    }
    return EXIT_OK;
}

/* ---- the run and its report --------------------------------------------- */

/* The learned truth table of a small data set: inputs, outputs, the class
 * they round to, the target. */
static void print_table(xn_net *net, const xn_data *d)
{
    enum { MAX_ROWS = 16 };
    if (d->n > MAX_ROWS) {
        printf("(no table of outputs for %zu rows: xornet predict prints them)\n", d->n);
        return;
    }
    double a[MAX_ROWS * 64];
    if (d->out > 64 || xn_net_predict(net, d->n, d->x, a) != XN_OK)
        return;
    printf("inputs | output | rounded | target\n");
    for (size_t i = 0; i < d->n; i++) {
        for (size_t j = 0; j < d->in; j++)
            printf("%s%g", j ? " " : "", d->x[i * d->in + j]);
        printf(" |");
        for (size_t k = 0; k < d->out; k++)
            printf(" %.10g", a[i * d->out + k]);
        if (d->out == 1)
            printf(" | %d | %g\n", a[i] >= 0.5, d->y[i]);
        else
            printf(" | class %zu | class %zu\n", xn_argmax(d->out, a + i * d->out),
                   xn_argmax(d->out, d->y + i * d->out));
    }
}

/* "NAME: loss L accuracy A" or, for regression, rmse, mae and R^2. */
static int print_scores(xn_net *net, const char *name, const xn_data *d)
{
    size_t K = xn_net_size(net, xn_net_layers(net));
    double loss, acc;
    xn_status s = xn_net_eval_loss(net, d->n, d->x, d->y, &loss);
    if (s != XN_OK) {
        cli_error("%s: the loss is not finite (the network overflows there)", name);
        return EXIT_FAIL;
    }
    if (xn_net_task(net) == XN_TASK_CLASSIFICATION) {
        xn_net_accuracy(net, d->n, d->x, d->y, &acc);
        printf("%-6s loss %.6g accuracy %.4f\n", name, loss, acc);
        return EXIT_OK;
    }
    const char *scaled = xn_net_target_sd(net) ? " (scaled)" : "";
    double *a = malloc(d->n * K * sizeof *a);
    xn_regression r;
    if (!a || xn_net_predict(net, d->n, d->x, a) != XN_OK ||
        xn_regression_metrics(d->n, K, a, d->y, &r) != XN_OK) {
        free(a);
        cli_error("%s: the outputs are not finite (the network overflows there)", name);
        return EXIT_FAIL;
    }
    free(a);
    printf("%-6s loss%s %.6g rmse %.6g mae %.6g r2 %.4f\n", name, scaled, loss, r.rmse, r.mae, r.r2);
    return EXIT_OK;
}

/* --plot DIR: the training (and validation) curves of the loss and the
 * metric, and the learned function where it can be drawn: a surface over
 * 2 inputs, a curve through the data for 1.  Returns EXIT_OK or EXIT_FAIL. */
static int plot_run(const char *dir, xn_net *net, const xn_data *d, const train_log *t,
                    const char *name)
{
    plot_error err = {""};
    char path[4200], title[300];
    if (plot_prepare_dir(dir, &err) != PLOT_OK) {
        cli_error("--plot: %s", err.msg);
        return EXIT_FAIL;
    }
    bool val = t->val_loss.n > 0, classes = xn_net_task(net) == XN_TASK_CLASSIFICATION;
    const char *x = t->steps ? "step" : "epoch", *metric = classes ? "accuracy" : "rmse";
    plot_curve c[2] = {{"training", t->loss.n, t->loss.x, t->loss.y},
                       {"validation", t->val_loss.n, t->val_loss.x, t->val_loss.y}};
    snprintf(title, sizeof title, "%s: %s loss", name, xn_loss_name(xn_net_loss(net)));
    if (!cli_join_path(path, sizeof path, dir, pictures[PIC_LOSS], "--plot") ||
        !cli_plot_result(plot_curves(path, title, x, "loss", true, val ? 2 : 1, c, 0, 0, &err) == PLOT_OK,
                         err.msg, path))
        return EXIT_FAIL;
    c[0] = (plot_curve){"training", t->metric.n, t->metric.x, t->metric.y};
    c[1] = (plot_curve){"validation", t->val_metric.n, t->val_metric.x, t->val_metric.y};
    snprintf(title, sizeof title, "%s: %s", name, metric);
    if (!cli_join_path(path, sizeof path, dir, pictures[PIC_METRIC], "--plot") ||
        !cli_plot_result(plot_curves(path, title, x, metric, !classes, val ? 2 : 1, c, 0, 0, &err) == PLOT_OK,
                         err.msg, path))
        return EXIT_FAIL;
    bool ok;
    if (d->in == 2 && d->out == 1) {
        snprintf(title, sizeof title, "%s: learned function", name);
        ok = cli_join_path(path, sizeof path, dir, pictures[PIC_SURFACE], "--plot") &&
             cli_plot_result(plot_surface(path, title, net, d->n, d->x, d->y, 0, 0, &err) == PLOT_OK, err.msg,
                             path);
    } else if (d->in == 1 && d->out == 1) {
        snprintf(title, sizeof title, "%s: the network over the training data", name);
        ok = cli_join_path(path, sizeof path, dir, pictures[PIC_FIT], "--plot") &&
             cli_plot_result(plot_fit(path, title, net, d->n, d->x, d->y, 0, 0, &err) == PLOT_OK, err.msg, path);
    } else {
        printf("(no picture of the learned function: the data has %zu input%s and %zu output%s; "
               "a surface needs 2 and 1, a curve 1 and 1)\n",
               d->in, cli_plural(d->in), d->out, cli_plural(d->out));
        ok = true;
    }
    return ok ? EXIT_OK : EXIT_FAIL;
}

/* The rows fit trains on: all of them, or those before --val-split's. */
static size_t train_rows(const train_args *a, const xn_data *d)
{
    return a->val_split > 0.0 ? (size_t)floor((double)d->n * (1.0 - a->val_split)) : d->n;
}

/* How the run ended, for a data set: early stopping, then the scores. */
static int report(const train_args *a, xn_net *net, const data_sets *s, const xn_fit_result *res,
                  const train_log *t)
{
    if (res->stopped_early)
        printf("stopped early after epoch %zu: no better %s for %zu epochs; ", res->epochs,
               s->val.n || a->val_split > 0.0 ? "val_loss" : "loss", a->patience);
    if (res->restored)
        printf("%sthe weights of epoch %zu are kept\n", res->stopped_early ? "" : "the best epoch: ",
               res->best_epoch);
    else if (res->stopped_early)
        printf("the last epoch is the best\n");
    if (t->reached)
        printf("reached target loss %g at epoch %zu (loss %.10g)\n", a->target, t->reached_epoch,
               t->reached_loss);
    xn_data rows = s->train;
    rows.n = train_rows(a, &s->train);
    int rc = print_scores(net, "train", &rows);
    xn_data held = {.n = s->train.n - rows.n, .in = s->train.in, .out = s->train.out,
                    .x = s->train.x + rows.n * s->train.in, .y = s->train.y + rows.n * s->train.out};
    if (rc == EXIT_OK && (s->val.n || held.n))
        rc = print_scores(net, "val", s->val.n ? &s->val : &held);
    if (rc == EXIT_OK && s->test.n)
        rc = print_scores(net, "test", &s->test);
    return rc;
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

int cmd_train(int argc, char **argv)
{
    train_args a = {.outputs = XN_OUTPUTS_DEFAULT, .loss = XN_LOSS_MSE, .init = XN_INIT_GLOROT_UNIFORM,
                    .rng = XN_RNG_NUMPY, .seed = 1, .order = XN_ORDER_ROW, .bias = XN_BIAS_ZERO,
                    .opt = {.kind = XN_OPT_GD, .momentum = 0.9}, .shuffle = -1, .standardize = -1,
                    .kernel = XN_KERNEL_AUTO};
    /* under mpirun every rank reads and builds the same, and so fails the
     * same way, or alone (a file one rank cannot read): each holds its
     * message back, and the lowest rank that failed speaks for all */
    bool mpi = cli_mpi_size() > 1;
    if (mpi)
        cli_hold_errors();
    int rc = parse_args(argc, argv, &a);
    bool lead = cli_mpi_rank() == 0; /* every rank trains; rank 0 alone speaks and writes */
    if (rc == HELP_PRINTED) {
        cli_release_errors(false);
        if (lead) {
            fputs(train_help, stdout);
            fputs(train_help_2, stdout);
        }
        return EXIT_OK;
    }
    if (!lead) {
        a.quiet = true;
        a.save = a.history = a.plot = NULL;
        a.checkpoint = 0;
    }
#if XN_HAVE_OPENBLAS_THREADS
    if (a.threads)
        openblas_set_num_threads((int)a.threads);
#endif
    data_sets sets = {{0}, {0}, {0}};
    xn_net *net = NULL;
    xn_rng rng;
    xn_checkpoint ck = {.best = NULL};
    cli_history hist = {0}; /* --history, replaced only by a run that succeeds */
    train_log t = {.first_loss = NAN};
    if (rc == EXIT_OK)
        rc = check_paths(&a);
    if (rc == EXIT_OK)
        rc = load_train(&a, &sets.train);
    if (rc == EXIT_OK)
        data_defaults(&a, &sets.train);
    if (rc == EXIT_OK)
        rc = build_net(&a, &sets.train, &net, &rng, &ck);
    if (rc == EXIT_OK)
        rc = check_targets(net, &sets.train, a.data ? a.data : "xor");
    if (rc == EXIT_OK)
        rc = load_others(&a, net, &sets);
    if (rc == EXIT_OK && !a.resume && xn_net_set_opt(net, &a.opt) != XN_OK) {
        cli_error("--opt: %s", xn_net_error(net));
        rc = EXIT_USAGE;
    }
    if (rc == EXIT_OK && train_rows(&a, &sets.train) == 0) {
        cli_error("--val-split: no training rows are left of %zu", sets.train.n);
        rc = EXIT_USAGE;
    }
    /* the files the run writes, checked before it runs (pictures are drawn
     * after the run, whose work is kept if they fail, but gnuplot and the
     * folder are there before it starts) */
    if (rc == EXIT_OK && a.save && cli_check_output(a.save) != EXIT_OK)
        rc = EXIT_FAIL;
    if (rc == EXIT_OK && a.plot && cli_mpi_rank() == 0) {
        plot_error err = {""};
        if (plot_prepare_dir(a.plot, &err) != PLOT_OK) {
            cli_error("--plot: %s", err.msg);
            rc = EXIT_FAIL;
        }
    }
    if (rc == EXIT_OK)
        rc = cli_history_start(&hist, a.history);
    if (mpi) { /* one message, from the first rank that failed; all stop */
        int first = cli_mpi_first_failed(rc == EXIT_OK);
        cli_release_errors(first == cli_mpi_rank());
        if (first >= 0 && rc == EXIT_OK)
            rc = EXIT_FAIL;
        if (!lead) /* from here the ranks go in step: rank 0 says it */
            cli_hold_errors();
    }
    if (rc != EXIT_OK)
        goto done;

    size_t n = train_rows(&a, &sets.train);
    bool validating = sets.val.n || a.val_split > 0.0;
    t.net = net;
    t.train = &sets.train;
    t.rng = &rng;
    t.steps = (a.batch == 0 || a.batch >= n) && !validating;
    t.tty = !a.quiet && isatty(fileno(stderr)) && isatty(fileno(stdout));
    t.quiet = a.quiet;
    t.epochs = a.epochs;
    t.every = a.every ? a.every : t.steps ? (a.epochs >= 10 ? a.epochs / 10 : 1) : 1;
    t.target_set = a.target_set;
    t.target = a.target;
    t.checkpoint = a.checkpoint;
    t.checkpoint_path = a.save;
    t.history = cli_history_file(&hist);
    t.keep_curves = a.plot != NULL;
    t.check_ranks = a.check_ranks;
    train_log_history_header(&t, xn_net_task(net));
    xn_fit_config cfg = {.epochs = a.epochs, .batch = a.batch, .shuffle = a.shuffle, .rng = &rng,
                         .val = sets.val.n ? &sets.val : NULL, .val_split = a.val_split,
                         .standardize = a.standardize && !a.resume && !a.init_from,
                         .standardize_targets = a.standardize && !a.resume && !a.init_from &&
                                                xn_net_act(net, xn_net_layers(net)) == XN_ACT_IDENTITY,
                         .patience = a.patience,
                         .min_delta = a.min_delta, .restore_best = true, .schedule = a.schedule,
                         .lr_gamma = a.lr_gamma, .lr_step = a.lr_step, .lr_min = a.lr_min,
                         .on_epoch = train_log_epoch, .on_batch = t.tty && !t.steps ? train_log_batch : NULL,
                         .user = &t, .resume = a.resume ? &ck.fit : NULL, .resume_best = ck.best};
    cli_mpi_attach(&cfg);
    xn_fit_result res = {0};
    double t0 = cli_seconds();
    xn_status s = a.epochs ? xn_fit(net, &sets.train, &cfg, &res) : XN_OK;
    double wall = cli_seconds() - t0;
    train_log_end(&t);
    if (!cli_mpi_same_params(net)) { /* every rank, whatever happened */
        cli_error("the ranks' networks differ after training (rank %d)", cli_mpi_rank());
        rc = EXIT_FAIL;
        goto done;
    }
    if (!lead) /* rank 0 reports */
        goto done;
    if (s == XN_ENUMERIC) {
        cli_error("training diverged at epoch %zu: try a smaller --lr", t.steps ? res.epochs : res.epochs + 1);
        rc = EXIT_FAIL;
    } else if (s != XN_OK) {
        cli_error("training failed: %s", xn_net_error(net));
        rc = s == XN_ENOMEM ? EXIT_FAIL : EXIT_USAGE;
    } else if (t.failed) {
        rc = t.failed;
    }
    if (rc != EXIT_OK)
        goto done;
    if (mpi && !a.quiet) /* rank 0's share of the time in the gradients' sums */
        printf("%d ranks: %.3g s of %.3g s in %lu reduces\n", cli_mpi_size(), cli_mpi_reduce_seconds(), wall,
               cli_mpi_reduce_calls());
    warn_flat(&t, net, res.epochs);
    if (t.steps) { /* the notebooks' report: the network after the last step */
        double loss, acc;
        xn_status e = xn_net_eval_loss(net, n, sets.train.x, sets.train.y, &loss);
        if (e != XN_OK) {
            cli_error("training diverged: the final loss is not finite; try a smaller --lr");
            rc = EXIT_FAIL;
            goto done;
        }
        double *out = malloc(n * sets.train.out * sizeof *out);
        xn_regression r = {NAN, NAN, NAN};
        if (out && xn_net_predict(net, n, sets.train.x, out) == XN_OK) {
            acc = xn_accuracy(n, sets.train.out, out, sets.train.y);
            xn_regression_metrics(n, sets.train.out, out, sets.train.y, &r);
        } else {
            acc = NAN;
        }
        free(out);
        bool classes = xn_net_task(net) == XN_TASK_CLASSIFICATION;
        double metric = classes ? acc : r.rmse;
        train_log_final(&t, res.epochs, loss, metric);
        if (!a.quiet && !t.tty)
            printf("epoch %zu loss %.10g %s %.4g\n", res.epochs, loss, classes ? "accuracy" : "rmse", metric);
        if (t.reached)
            printf("reached target loss %g at epoch %zu (loss %.10g)\n", a.target, t.reached_epoch, loss);
        printf("final loss %.10g %s %.4g after %zu epoch%s\n", loss, classes ? "accuracy" : "rmse", metric,
               res.epochs, cli_plural(res.epochs));
        if (s == XN_OK && sets.test.n)
            rc = print_scores(net, "test", &sets.test);
    } else {
        rc = report(&a, net, &sets, &res, &t);
    }
    print_table(net, &sets.train);
    /* the history is written and synced (what a full disk makes fail)
     * before the model is replaced, and renamed into place after it: a run
     * that fails has replaced nothing (docs/robustness.md) */
    if (rc == EXIT_OK && (cli_history_finish(&hist) != EXIT_OK || (a.save && cli_save_model(net, a.save) != 0) ||
                          cli_history_publish(&hist, a.save) != EXIT_OK))
        rc = EXIT_FAIL;
    cli_flush();
    const char *base = a.data && strrchr(a.data, '/') ? strrchr(a.data, '/') + 1 : a.data; /* for titles */
    if (rc == EXIT_OK && a.plot && plot_run(a.plot, net, &sets.train, &t, base ? base : "xor") != EXIT_OK)
        rc = EXIT_FAIL;
done:
    cli_release_errors(false);
    cli_history_abort(&hist); /* a failed run leaves an old history as it was */
    train_log_free(&t);
    free(ck.best);
    xn_net_destroy(net);
    free_sets(&sets);
    return rc;
}
