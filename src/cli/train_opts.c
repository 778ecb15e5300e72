/* xornet train's options: the table, the two sets of defaults and the
 * help around them.
 *
 * The built-in XOR keeps the notebooks' defaults (whole-batch gradient
 * descent at 1.5, 1000 epochs, no shuffling, no standardization), so every
 * notebook number stays reproducible.  With --data, those a Keras user
 * expects: Adam at 1e-3, batches of 32, shuffled, inputs standardized, and
 * the output and loss chosen from the targets (train_plan.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "train.h"

#define AT(m) OPT_AT(train_args, m)

/* --act relu,sigmoid: names of the library's table, one a layer */
static int parse_acts(const opt *o, const char *s, void *args)
{
    train_args *a = args;
    char buf[32], list[256];
    const char *p = s;
    a->n_acts = 0;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == 0 || len >= sizeof buf || a->n_acts == XN_MAX_LAYERS) {
            cli_error("%s: expected names like relu,sigmoid, got '%s'", o->flag, s);
            return -1;
        }
        memcpy(buf, p, len);
        buf[len] = '\0';
        if (xn_act_parse(buf, &a->acts[a->n_acts]) != XN_OK) {
            cli_error("%s: unknown activation '%s' (%s)", o->flag, buf,
                      opts_name_list(list, sizeof list, xn_act_names));
            return -1;
        }
        a->n_acts++;
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

static int parse_layers(const opt *o, const char *s, void *args)
{
    train_args *a = args;
    if (cli_parse_sizes(o->flag, s, a->sizes, XN_MAX_LAYERS + 1, &a->n_sizes) != 0)
        return -1;
    if (a->n_sizes < 2) {
        cli_error("%s: need at least an input and an output size, got '%s'", o->flag, s);
        return -1;
    }
    return 0;
}

/* constant | step:N:G | exp:G | cosine[:MIN]: the form here, the ranges
 * of G and MIN the library's (xn_fit_check) */
static int parse_schedule(const opt *o, const char *s, void *args)
{
    train_args *a = args;
    char *end;
    if (strcmp(s, "constant") == 0) {
        a->schedule = XN_SCHEDULE_CONSTANT;
        return 0;
    }
    if (strncmp(s, "step:", 5) == 0) {
        unsigned long long n = strtoull(s + 5, &end, 10);
        if (end != s + 5 && *end == ':' && s[5] != '-') {
            a->lr_gamma = strtod(end + 1, &end);
            if (*end == '\0') {
                a->schedule = XN_SCHEDULE_STEP;
                a->lr_step = (size_t)n;
                return 0;
            }
        }
    } else if (strncmp(s, "exp:", 4) == 0) {
        a->lr_gamma = strtod(s + 4, &end);
        if (end != s + 4 && *end == '\0') {
            a->schedule = XN_SCHEDULE_EXPONENTIAL;
            return 0;
        }
    } else if (strncmp(s, "cosine", 6) == 0) {
        a->lr_min = 0.0;
        if (s[6] == '\0' || (s[6] == ':' && (a->lr_min = strtod(s + 7, &end), end != s + 7 && *end == '\0'))) {
            a->schedule = XN_SCHEDULE_COSINE;
            return 0;
        }
    }
    cli_error("%s: expected constant, step:N:G, exp:G or cosine[:MIN], got '%s'", o->flag, s);
    return -1;
}

/* --rng: the library's names, and "default" (NumPy's) */
static int parse_rng(const opt *o, const char *s, void *args)
{
    train_args *a = args;
    char list[128];
    if (strcmp(s, "default") == 0) {
        a->rng = XN_RNG_NUMPY;
        return 0;
    }
    if (xn_rng_kind_parse(s, &a->rng) == XN_OK)
        return 0;
    cli_error("%s: unknown stream '%s' (%s, default)", o->flag, s,
              opts_name_list(list, sizeof list, xn_rng_kind_names));
    return -1;
}

static const opt rows[] = {
    OPT_SECTION("data:"),
    {.flag = "--xor", .kind = OPT_FLAG, .value = 1, AT(xor_data),
     .help = "the built-in XOR table (default)"},
    {.flag = "--data", .arg = "FILE", .kind = OPT_IN, AT(data),
     .help = "CSV, FANN or IDX images (with --labels) to train on"},
    {.flag = "--labels", .arg = "FILE", .kind = OPT_IN, AT(labels),
     .help = "the IDX label file of --data's images"},
    {.flag = "--target", .arg = "NAME", .kind = OPT_TEXT, AT(target), .setting = "target",
     .help = "the target columns, by the header's names or 1-based numbers, comma-separated "
             "(species; y1,y2,y3; 5).  Default: the last column, or the trailing columns a header "
             "numbers alike (y1,y2,y3 after a,b,c)"},
    {.flag = "--outputs", .arg = "K", .kind = OPT_SIZE, AT(outputs), .lo = 1, .hi = 1u << 20,
     .help = "the last K columns of each CSV row are the targets (a FANN file gives its own count)"},
    {.flag = "--header", .arg = "NAME", .kind = OPT_NAME, AT(header), .names = xn_header_names, .noun = "choice",
     .show_default = true,
     .help = "whether line 1 of a CSV names the columns: {names}; auto takes it for a header when a "
             "column has a word there and numbers below, when it is all words, or when it is 0,1,2,... "
             "(pandas' column numbers); an empty first name (pandas' index) leaves that column out"},
    {.flag = "--task", .arg = "NAME", .kind = OPT_NAME, AT(task), .names = xn_task_choice_names, .noun = "task",
     .setting = "task", .show_default = true,
     .help = "{names}: what the targets are.  auto: words are classes, whole numbers too when at most 20 "
             "distinct (labels 1..10, -1/1), other numbers a regression; two classes make a sigmoid "
             "output, more a softmax; classify or regress decides"},
    {.flag = "--val", .arg = "FILE", .kind = OPT_IN, AT(val),
     .help = "validation rows, scored after every epoch"},
    {.flag = "--val-labels", .arg = "FILE", .kind = OPT_IN, AT(val_labels),
     .help = "the IDX label file of --val's images"},
    {.flag = "--val-split", .arg = "F", .kind = OPT_NUM, AT(val_split), .setting = "val_split",
     .help = "hold out a fraction F of the rows for validation instead (default 0.2 for a data set of "
             "50 rows or more without --val, else 0)"},
    {.flag = "--split", .arg = "NAME", .kind = OPT_NAME, AT(split), .names = xn_split_names, .noun = "split",
     .setting = "split", .show_default = true,
     .help = "which rows --val-split holds out: {names}; auto is stratified (each class in proportion, "
             "drawn with --seed) for a classifier, random for a regression; last takes the last rows, "
             "as Keras does"},
    {.flag = "--test", .arg = "FILE", .kind = OPT_IN, AT(test), .help = "rows scored once, after training"},
    {.flag = "--test-labels", .arg = "FILE", .kind = OPT_IN, AT(test_labels),
     .help = "the IDX label file of --test's images"},
    OPT_SECTION("network:"),
    {.flag = "--layers", .arg = "2,10,1", .kind = OPT_CUSTOM, .parse = parse_layers, .setting = "sizes,n_layers",
     .help = "sizes, input to output (default: inputs,10,outputs for XOR, inputs,100,outputs "
             "with --data)"},
    {.flag = "--act", .arg = "relu,sigmoid", .kind = OPT_CUSTOM, .parse = parse_acts, .names = xn_act_names,
     .setting = "acts", .help = "one activation per layer: {names} (default: relu..., then the output's)"},
    {.flag = "--loss", .arg = "NAME", .kind = OPT_NAME, AT(loss), .names = xn_loss_names, .noun = "loss",
     .setting = "loss",
     .help = "mse, sse, bce (sigmoid output), cce (softmax), bce_sum (sigmoids, bce summed over a row's "
             "outputs: scikit-learn's multi-label loss).  Default: mse with a sigmoid output "
             "for XOR; with --data, the targets' (--task): classes softmax + cce, two classes or 0/1 "
             "labels sigmoid + bce, numbers identity + mse"},
    {.flag = "--dtype", .arg = "NAME", .kind = OPT_NAME, AT(dtype), .names = xn_dtype_names,
     .noun = "element type", .setting = "dtype", .show_default = true, .help = "{names}"},
    {.flag = "--init", .arg = "NAME", .kind = OPT_NAME, AT(init), .names = xn_init_names,
     .noun = "initializer", .show_default = true,
     .help = "{names}; with --data and one input he_uniform and --bias-init drawn, which spread the first "
             "units' kinks over the inputs"},
    {.flag = "--rng", .arg = "NAME", .kind = OPT_CUSTOM, .parse = parse_rng, AT(rng), .names = xn_rng_kind_names,
     .help = "python, numpy or default (= numpy): whose stream draws the weights and then shuffles"},
    {.flag = "--seed", .arg = "N", .kind = OPT_U64, AT(seed), .hi = UINT64_MAX, .show_default = true,
     .setting = "split_seed", .help = "random seed: the weights, the shuffles and the validation split"},
    {.flag = "--order", .arg = "NAME", .kind = OPT_NAME, AT(order), .names = xn_order_names, .noun = "order",
     .show_default = true,
     .help = "row (NumPy's randn(in,out)) or neuron (each neuron's fan-in in turn, as in notebook 0)"},
    {.flag = "--bias-init", .arg = "NAME", .kind = OPT_NAME, AT(bias), .names = xn_bias_init_names,
     .noun = "rule", .show_default = true,
     .help = "zero or drawn (with the weights' rule)"},
    {.flag = "--init-from", .arg = "FILE", .kind = OPT_IN, AT(init_from),
     .help = "start from a saved network (its sizes, activations and loss; a fresh optimizer)"},
    {.flag = "--resume", .arg = "FILE", .kind = OPT_IN, AT(resume),
     .help = "continue a run from its checkpoint (--checkpoint): the same options as the run, "
             "and it ends as it would have"},
    OPT_SECTION("training:"),
    {.flag = "--opt", .arg = "NAME", .kind = OPT_NAME, AT(opt.kind), .names = xn_opt_names, .noun = "optimizer",
     .setting = "kind", .show_default = true,
     .help = "{names}: adam for any data set in mini-batches; gd or momentum to repeat a notebook's run; lm "
             "for small squared-loss fits such as a curve or XOR (whole set, a few thousand parameters and "
             "rows at most); lbfgs for small data sets with any loss (whole set); the benchmark's table is in "
             "docs/training.md, which optimizer"},
    {.flag = "--lr", .arg = "X", .kind = OPT_NUM, AT(opt.lr), .setting = "lr",
     .help = "learning rate of gd, momentum and adam (default 1.5 for XOR's gd and momentum, 0.01 for its "
             "adam; with --data 0.001 for adam, 0.01 else); lm and lbfgs choose their own steps"},
    {.flag = "--momentum", .arg = "X", .kind = OPT_NUM, AT(opt.momentum), .setting = "momentum",
     .show_default = true, .help = "momentum coefficient in [0,1)"},
    {.flag = "--weight-decay", .arg = "X", .kind = OPT_NUM, AT(opt.weight_decay), .setting = "weight_decay",
     .show_default = true,
     .help = "L2 decay of the weights, not the biases: coupled for gd and momentum, decoupled "
             "(AdamW) for adam"},
    {.flag = "--epochs", .arg = "N", .kind = OPT_SIZE, AT(epochs), .hi = (uint64_t)1 << 40, .setting = "epochs",
     .show_default = true, .help = "passes over the data; for lm and lbfgs their iterations (default 100 for "
                                   "lm, 200 for lbfgs)"},
    {.flag = "--batch", .arg = "N", .kind = OPT_SIZE, AT(batch), .hi = (uint64_t)1 << 31, .setting = "batch",
     .show_default = true, .help = "rows a step; 0 = all of them (lm and lbfgs: always 0)"},
    {.flag = "--shuffle", .neg = "--no-shuffle", .kind = OPT_FLAG, .value = 1, AT(shuffle), .setting = "shuffle",
     .help = "shuffle the rows every epoch, or keep their order (default: shuffled with --data "
             "and batches smaller than the rows; XOR keeps its order)"},
    {.flag = "--standardize", .neg = "--no-standardize", .kind = OPT_FLAG, .value = 1, AT(standardize),
     .help = "scale each input column, and for regression each target, to mean 0, sd 1 by the "
             "training rows' statistics, kept in the model (the loss is then that of the scaled "
             "targets, rmse, mae and r2 those of the data), or take the data as they are "
             "(default: scaled with --data; XOR as it is)"},
    {.flag = "--patience", .arg = "N", .kind = OPT_SIZE, AT(patience), .hi = SIZE_MAX, .setting = "patience",
     .help = "stop after N epochs without a better validation loss (the training loss without "
             "validation), keeping the best epoch's weights (default 20 with --data and "
             "validation rows, else 0: never)"},
    {.flag = "--min-delta", .arg = "X", .kind = OPT_NUM, AT(min_delta), .setting = "min_delta",
     .show_default = true, .help = "what counts as better"},
    {.flag = "--lr-schedule", .arg = "S", .kind = OPT_CUSTOM, .parse = parse_schedule,
     .setting = "schedule,lr_step,lr_gamma,lr_min",
     .help = "constant (default), step:N:G (times G every N epochs), exp:G (times G every "
             "epoch), cosine[:MIN] (to MIN over the run)"},
    {.flag = "--target-loss", .arg = "X", .kind = OPT_NUM, AT(target_loss),
     .help = "stop once the training loss is at or below X"},
    {.flag = "--kernel", .arg = "NAME", .kind = OPT_NAME, AT(kernel), .names = xn_kernel_names, .noun = "kernel",
     .setting = "kernel", .show_default = true, .help = "{names}"},
    {.flag = "--threads", .arg = "N", .kind = OPT_SIZE, AT(threads), .lo = 1, .hi = XN_MAX_THREADS,
     .help = "threads (default: every CPU the run may use)"},
    {.flag = "--check-ranks", .kind = OPT_FLAG, .value = 1, AT(check_ranks),
     .help = "under mpirun, compare the ranks' networks after every epoch (always done once at the end)"},
    OPT_SECTION("second-order solvers (--opt lm, --opt lbfgs; docs/training.md, which optimizer):"),
    {.flag = "--mu", .arg = "X", .kind = OPT_NUM, AT(opt.mu), .setting = "mu", .show_default = true,
     .help = "lm: the damping it starts with, > 0 (MATLAB's trainlm)"},
    {.flag = "--mu-dec", .arg = "F", .kind = OPT_NUM, AT(opt.mu_dec), .setting = "mu_dec", .show_default = true,
     .help = "lm: the damping's factor after a step that lowers the loss, in (0, 1)"},
    {.flag = "--mu-inc", .arg = "F", .kind = OPT_NUM, AT(opt.mu_inc), .setting = "mu_inc", .show_default = true,
     .help = "lm: its factor after one that does not, > 1"},
    {.flag = "--mu-max", .arg = "X", .kind = OPT_NUM, AT(opt.mu_max), .setting = "mu_max", .show_default = true,
     .help = "lm: stop when the damping would pass X"},
    {.flag = "--lm-max-bytes", .arg = "N", .kind = OPT_SIZE, AT(opt.lm_max_bytes), .hi = SIZE_MAX,
     .setting = "lm_max_bytes", .show_default = true,
     .help = "lm: the most memory its Jacobian (rows x outputs x parameters doubles) and normal equations may "
             "take; a larger problem is refused with its size"},
    {.flag = "--memory", .arg = "M", .kind = OPT_SIZE, AT(opt.memory), .hi = SIZE_MAX, .setting = "memory",
     .show_default = true, .help = "lbfgs: the pairs of its two-loop recursion"},
    {.flag = "--gtol", .arg = "X", .kind = OPT_NUM, AT(opt.gtol), .setting = "gtol",
     .help = "stop when the largest gradient component is at most X, 0 never (default 1e-7 for lm, as "
             "trainlm's min_grad; 1e-5 for lbfgs, scikit-learn's tol)"},
    {.flag = "--ftol", .arg = "X", .kind = OPT_NUM, AT(opt.ftol), .setting = "ftol",
     .help = "stop when an iteration lowers the loss by at most X times its size, 0 never (default 0 for "
             "lm, 2.2e-9 for lbfgs, SciPy's)"},
    {.flag = "--max-evals", .arg = "N", .kind = OPT_SIZE, AT(opt.max_evals), .hi = SIZE_MAX, .setting = "max_evals",
     .show_default = true, .help = "stop after N evaluations of the loss (scikit-learn's max_fun)"},
    OPT_SECTION("output:"),
    {.flag = "--every", .arg = "N", .kind = OPT_SIZE, AT(every), .lo = 1, .hi = SIZE_MAX,
     .help = "progress every N epochs (default epochs/10 for whole-batch runs without validation, "
             "such as XOR's; else 1)"},
    {.flag = "--quiet", .kind = OPT_FLAG, .value = 1, AT(quiet), .help = "no progress, only the final report"},
    {.flag = "--save", .arg = "FILE", .kind = OPT_OUT, AT(save), .replaces = "--init-from --resume",
     .help = "write the trained network (atomically)"},
    {.flag = "--checkpoint", .arg = "N", .kind = OPT_SIZE, AT(checkpoint), .lo = 1, .hi = SIZE_MAX,
     .help = "also write a checkpoint to --save's FILE every N epochs (the network and the run's "
             "state: --resume FILE goes on)"},
    {.flag = "--history", .arg = "FILE", .kind = OPT_OUT, AT(history),
     .help = "CSV of every epoch: loss and accuracy (rmse for regression), with validation, rate "
             "and time for data sets"},
    {.flag = "--plot", .arg = "DIR", .kind = OPT_DIR, AT(plot), .files = train_pictures,
     .help = "gnuplot pictures: DIR/loss.png and DIR/metric.png (training and validation, the kept "
             "epoch marked), DIR/confusion.png (a classifier) or DIR/predicted.png (a regression: predicted "
             "against actual) on the test rows, else the validation rows, and DIR/surface.png (2 inputs, 1 "
             "output: the surface and its view from above) or DIR/fit.png (1 input, 1 output)"},
};

static const char usage[] = "usage: xornet train [options]";
static const char intro[] =
    "Trains a dense network and prints how it went: on the built-in XOR table\n"
    "the notebooks' whole-batch gradient descent and the learned truth table;\n"
    "on a data set (--data) mini-batches of Adam, with validation and test scores.\n";
static const char outro[] =
    "With whole-batch steps (XOR), epoch e reports the network after e steps;\n"
    "epoch 0 is the initial one.  With mini-batches, an epoch's loss is the mean\n"
    "of its batches' losses, each before its step (as Keras reports it).\n"
    "Exit status: 0 trained, 1 diverged or could not write, 2 bad usage/input.\n";

/* The defaults of the built-in XOR (the notebooks') and of a data set.
 * Fields whose default depends on the data (the sizes, the output, the
 * validation split, patience, shuffling) are settled in train_plan.c. */
static void defaults(train_args *d, bool xor)
{
    xn_plan p; /* a data set's, the library's (those that depend on the data: train_plan.c) */
    xn_plan_defaults(&p, NULL, XN_TARGETS_MULTICLASS, false);
    *d = (train_args){.outputs = XN_OUTPUTS_DEFAULT, .loss = XN_LOSS_MSE, .dtype = XN_FLOAT64,
                      .init = p.init, .rng = p.rng, .seed = 1, .order = p.order, .bias = XN_BIAS_ZERO,
                      .opt = xn_opt_default(xor ? XN_OPT_GD : p.opt.kind), .epochs = xor ? 1000 : p.fit.epochs,
                      .batch = xor ? 0 : p.fit.batch, .shuffle = -1, .standardize = !xor && p.fit.standardize,
                      .schedule = XN_SCHEDULE_CONSTANT, .kernel = XN_KERNEL_AUTO, .split = p.fit.split};
}

int train_parse(int argc, char **argv, train_args *a, bool lead)
{
    static train_args xor, data; /* for --help */
    defaults(&xor, true);
    defaults(&data, false);
    *a = (train_args){.given = {.cmd = "train", .rows = rows, .n = sizeof rows / sizeof rows[0], .usage = usage,
                                .intro = intro, .outro = outro, .def = &xor, .def_name = "for XOR", .alt = &data,
                                .alt_name = "with --data", .hold_help = !lead}};
    int rc = opts_parse(&a->given, argc, argv, a);
    if (rc != EXIT_OK)
        return rc;
    if (a->xor_data && a->data) {
        cli_error("--data and --xor exclude each other");
        return EXIT_USAGE;
    }
    train_args d;
    defaults(&d, a->data == NULL);
    bool opt_given = opts_given(&a->given, "--opt");
    xn_opt_kind kind = opt_given ? a->opt.kind : d.opt.kind;
    d.opt = xn_opt_default(kind); /* the kind's own settings */
    if (!a->data && kind != XN_OPT_LM && kind != XN_OPT_LBFGS) /* the notebooks' rates */
        d.opt.lr = kind == XN_OPT_ADAM ? 0.01 : 1.5;
    if (kind == XN_OPT_LM || kind == XN_OPT_LBFGS) {
        /* whole-batch iterations: trainlm's 100 (scikit-learn's max_iter for lbfgs) */
        d.batch = 0;
        d.epochs = kind == XN_OPT_LM ? 100 : 200;
    }
    opts_defaults(&a->given, a, &d);
    /* the optimizer: its kind's settings, with every field a flag sets
     * taken from the flags (given, or their default above) */
    train_args opt = {.opt = d.opt};
    opts_copy_rows(&a->given, a, &opt, offsetof(train_args, opt), offsetof(train_args, opt) + sizeof(xn_opt));
    a->opt = opt.opt;
    if (a->shuffle < 0)
        a->shuffle = a->data && a->batch != 0;
    return EXIT_OK;
}
