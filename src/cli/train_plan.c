/* xornet train's plan: the settings checked by the library's rules, the
 * training data read and described (xn_data_read: what the targets are,
 * their classes), the library's defaults for that data (xn_plan_defaults)
 * where no flag says otherwise, the network built, loaded (--init-from) or
 * resumed (--resume), the validation and test rows read with its classes,
 * and the files the run will write checked before it starts.  The built-in
 * XOR keeps the notebooks' sigmoid and mse. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_mpi.h"
#include "load.h"
#include "paths.h"
#include "plot.h"
#include "train.h"

/* The fit's configuration as the plan has it, without the run's hooks. */
static xn_fit_config fit_config(const train_args *a, xn_rng *rng)
{
    return (xn_fit_config){.epochs = a->epochs ? a->epochs : 1, .batch = a->batch, .shuffle = a->shuffle,
                           .rng = rng, .val_split = a->val_split, .split = a->split, .split_seed = a->seed,
                           .min_delta = a->min_delta, .schedule = a->schedule, .lr_gamma = a->lr_gamma,
                           .lr_step = a->lr_step, .lr_min = a->lr_min};
}

/* Options that go together or exclude each other, and the library's
 * rules for the optimizer and the loop's settings, before any file is
 * read. */
static int check_args(const train_args *a)
{
    const opts *o = &a->given;
    bool shape_given = a->n_sizes || a->n_acts || opts_given(o, "--loss");
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
    if (a->target && opts_given(o, "--outputs")) {
        cli_error("--target and --outputs: give one");
        return EXIT_USAGE;
    }
    const char *file_only = a->target ? "--target" : opts_given(o, "--header") ? "--header" : NULL;
    if (file_only && !a->data) {
        cli_error("%s needs --data FILE: the built-in XOR table has no columns to name", file_only);
        return EXIT_USAGE;
    }
    const char *const pairs[][2] = {{"--labels", "--data"}, {"--val-labels", "--val"}, {"--test-labels", "--test"}};
    for (size_t i = 0; i < 3; i++)
        if (opts_given(o, pairs[i][0]) && !opts_given(o, pairs[i][1])) {
            cli_error("%s needs the IDX images it labels (%s)", pairs[i][0], pairs[i][1]);
            return EXIT_USAGE;
        }
    xn_error err;
    if (xn_opt_check(&a->opt, &err) != XN_OK)
        return opts_blame(o, &err);
    xn_rng any;
    xn_fit_config c = fit_config(a, &any);
    if (xn_fit_check(&c, a->opt.lr, &err) != XN_OK)
        return opts_blame(o, &err);
    return opts_check_paths(o, a);
}

/* The output layer the flags choose, XN_ACT_IDENTITY's count of none:
 * the last of --act, or --loss's. */
static bool output_given(const train_args *a, xn_act *out)
{
    if (a->n_acts) {
        *out = a->acts[a->n_acts - 1];
        return true;
    }
    if (!opts_given(&a->given, "--loss"))
        return false;
    *out = a->loss == XN_LOSS_CCE ? XN_ACT_SOFTMAX : a->loss == XN_LOSS_BCE ? XN_ACT_SIGMOID : XN_ACT_IDENTITY;
    return true;
}

/* How to read a file for the network to be: the flags' header and target
 * columns, and for an output the flags chose, what it needs (classes one-
 * hot for a softmax, numbers for an identity output). */
static xn_read_opts read_opts(const train_args *a)
{
    xn_read_opts r = {.header = a->header, .target = a->target, .task = a->task,
                      .outputs = opts_given(&a->given, "--outputs") ? a->outputs : 0};
    xn_act out;
    if (!output_given(a, &out))
        return r;
    /* an identity output wants numbers; a softmax two classes as two
     * columns (the rules still say whether the targets are classes) */
    if (r.task == XN_TASK_AUTO && out != XN_ACT_SOFTMAX && out != XN_ACT_SIGMOID)
        r.task = XN_TASK_REGRESS;
    r.onehot_binary = out == XN_ACT_SOFTMAX;
    if (out == XN_ACT_SOFTMAX && a->n_sizes) /* --layers names the classes: ids 0..K-1, some absent maybe */
        r.classes = a->sizes[a->n_sizes - 1];
    return r;
}

/* The training data: the built-in XOR table (its 0/1 targets as two
 * classes for a softmax), or the file described.  A softmax the flags
 * chose wants classes: one column of numbers that are not is refused. */
static int load_train(train_job *j)
{
    const train_args *a = &j->a;
    xn_read_opts r = read_opts(a);
    xn_act out;
    bool softmax = output_given(a, &out) && out == XN_ACT_SOFTMAX;
    if (!a->data) {
        int rc = cli_load_data(NULL, 0, &j->sets.train);
        xn_error err;
        if (rc == EXIT_OK && softmax && xn_data_describe(&j->sets.train, &j->sets.desc, &r, &err) != XN_OK) {
            cli_error("xor: %s", err.msg);
            rc = EXIT_FAIL;
        }
        return rc;
    }
    int rc = cli_read_set(a->data, a->labels, "--labels", &r, &a->given, &j->sets.train, &j->sets.desc);
    const xn_description *desc = &j->sets.desc;
    if (rc == EXIT_OK && softmax && desc->kind == XN_TARGETS_REGRESSION && j->sets.train.out == 1) {
        const xn_data *d = &j->sets.train;
        cli_error("%s:%zu: %s with a softmax: the target column holds numbers (%s); give class ids, K one-hot "
                  "columns with --outputs K, or --task classify", a->data, d->line ? d->line[d->n - 1] : 0,
                  opts_given(&a->given, "--loss") ? "--loss cce" : "--act", desc->rule);
        return EXIT_USAGE;
    }
    return rc;
}

/* "FILE:LINE: " for row i of d read from path, or "FILE: row N: ". */
static void where(char *buf, size_t cap, const char *path, const xn_data *d, size_t i)
{
    if (d->line)
        snprintf(buf, cap, "%s:%zu", path, d->line[i]);
    else
        snprintf(buf, cap, "%s: row %zu", path, i + 1);
}

/* Targets a sigmoid cannot reach, or a softmax's cce cannot take, when the
 * flags chose that output for numbers.  Prints why not, with a hint. */
static int check_targets(const xn_net *net, const xn_data *d, const char *path)
{
    size_t L = xn_net_layers(net), K = xn_net_size(net, L);
    char at[4200];
    if (xn_net_act(net, L) == XN_ACT_SIGMOID || xn_net_loss(net) == XN_LOSS_BCE)
        for (size_t i = 0; i < d->n * K; i++)
            if (!(d->y[i] >= 0.0 && d->y[i] <= 1.0)) {
                where(at, sizeof at, path, d, i / K);
                cli_error("%s: target %g is outside [0, 1], which a sigmoid output cannot reach (for "
                          "regression: --act ...,identity --loss mse)", at, d->y[i]);
                return EXIT_USAGE;
            }
    if (xn_net_loss(net) == XN_LOSS_CCE)
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
                cli_error("%s: the %zu targets are not one-hot (nor class probabilities summing to 1), as "
                          "softmax with cce needs", at, K);
                return EXIT_USAGE;
            }
        }
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

static int seed_rng(const train_args *a, xn_rng *rng)
{
    if (xn_rng_seed(rng, a->rng, a->seed) == XN_OK)
        return EXIT_OK;
    cli_error("--seed: the numpy stream takes seeds below 2^32, got %llu", (unsigned long long)a->seed);
    return EXIT_USAGE;
}

/* --init-from or --resume: the saved network, the data read for it, and
 * the options a saved network fixes. */
static int saved_net(train_job *j)
{
    train_args *a = &j->a;
    const char *file = a->resume ? a->resume : a->init_from, *flag = a->resume ? "--resume" : "--init-from";
    size_t sizes_line;
    int rc = load_net(file, &j->net, a->resume ? &j->ck : NULL, &sizes_line);
    if (rc != EXIT_OK)
        return rc;
    xn_net *net = j->net;
    size_t L = xn_net_layers(net), K = xn_net_size(net, L);
    xn_data *d = &j->sets.train;
    if (a->data) {
        xn_read_opts r = cli_read_opts_for(net, &(xn_read_opts){.header = a->header, .target = a->target, .outputs = opts_given(&a->given, "--outputs") ? a->outputs : 0});
        rc = cli_read_set(a->data, a->labels, "--labels", &r, &a->given, d, &j->sets.desc);
    } else {
        rc = cli_load_data(NULL, 0, d);
    }
    if (rc != EXIT_OK)
        return rc;
    if (xn_net_size(net, 0) != d->in || K != d->out) {
        /* the data file's first row if it has lines, else the model's sizes;
         * its target columns, whatever they became */
        size_t t = j->sets.desc.n_targets ? j->sets.desc.n_targets : d->out;
        if (a->data && d->line && d->n)
            cli_error("%s:%zu: %zu input%s and %zu target%s a row, but the network in %s maps %zu to %zu", a->data,
                      d->line[0], d->in, cli_plural(d->in), t, cli_plural(t), file, xn_net_size(net, 0), K);
        else
            cli_error("%s:%zu: the network maps %zu input%s to %zu output%s, the data (%s) has %zu input%s and %zu "
                      "target%s", file, sizes_line, xn_net_size(net, 0), cli_plural(xn_net_size(net, 0)), K,
                      cli_plural(K), a->data ? a->data : "XOR", d->in, cli_plural(d->in), d->out, cli_plural(d->out));
        return EXIT_USAGE;
    }
    xn_net_set_kernel(net, a->kernel);
    /* what the network file fixes: options that would change it are
     * refused, not dropped */
    if (opts_given(&a->given, "--dtype") && a->dtype != xn_net_dtype(net)) {
        cli_error("--dtype: %s keeps the network's own type, %s in %s", flag, xn_dtype_name(xn_net_dtype(net)), file);
        return EXIT_USAGE;
    }
    if (!a->resume) {
        if (opts_given(&a->given, "--standardize")) {
            cli_error("--%sstandardize: --init-from keeps the standardization stored with the network",
                      a->standardize ? "" : "no-");
            return EXIT_USAGE;
        }
        if ((rc = seed_rng(a, &j->rng)) != EXIT_OK)
            return rc;
        if (!a->quiet)
            printf("starting from %s with a fresh %s optimizer\n", a->init_from, xn_opt_name(a->opt.kind));
        return EXIT_OK;
    }
    /* the optimizer a resumed run keeps: each of its flags may repeat its
     * setting, not change it (the rate the run started from, before any
     * schedule) */
    train_args run = {.opt = xn_net_opt(net)};
    run.opt.lr = j->ck.fit.lr0;
    const opt *differs = opts_given_differs(&a->given, a, &run, offsetof(train_args, opt),
                                            offsetof(train_args, opt) + sizeof(xn_opt));
    if (differs) {
        cli_error("%s: differs from the run in %s, which a resumed run keeps", differs->flag, a->resume);
        return EXIT_USAGE;
    }
    /* the run's own options may be repeated: they must match */
    bool same = (!a->n_sizes || a->n_sizes == L + 1) && (!a->n_acts || a->n_acts == L) &&
                (!opts_given(&a->given, "--loss") || a->loss == xn_net_loss(net));
    for (size_t i = 0; same && a->n_sizes && i <= L; i++)
        same = a->sizes[i] == xn_net_size(net, i);
    for (size_t l = 1; same && a->n_acts && l <= L; l++)
        same = a->acts[l - 1] == xn_net_act(net, l);
    if (!same) {
        cli_error("--resume: %s holds another network than --layers, --act or --loss describe", a->resume);
        return EXIT_USAGE;
    }
    j->rng = j->ck.rng;
    return EXIT_OK;
}

/* The flags' output and loss, or the plan's for the data's targets (the
 * notebooks' sigmoid and mse for XOR): when only one is given, the other
 * follows it. */
static void choose_output(train_args *a, const xn_plan *p, xn_act *out)
{
    bool loss_given = opts_given(&a->given, "--loss");
    if (!a->data && !loss_given && !a->n_acts) { /* the notebooks */
        a->loss = XN_LOSS_MSE;
        *out = XN_ACT_SIGMOID;
        return;
    }
    if (!output_given(a, out))
        *out = p->acts[1];
    if (loss_given)
        return;
    /* the loss follows the output: a sigmoid's is bce on classes, mse on
     * numbers (and on XOR, as the notebooks have it) */
    bool classes = a->data && p->loss != XN_LOSS_MSE;
    a->loss = *out == XN_ACT_SOFTMAX ? XN_LOSS_CCE : *out == XN_ACT_SIGMOID && classes ? XN_LOSS_BCE : XN_LOSS_MSE;
}

/* The library's defaults for this data where no flag said otherwise. */
static void plan_defaults(train_args *a, const xn_data *d, const xn_description *desc, xn_plan *p)
{
    const opts *o = &a->given;
    xn_targets kind = a->data ? desc->kind : XN_TARGETS_BINARY;
    xn_plan_defaults(p, d, kind, a->val != NULL);
    if (!a->data)
        return; /* XOR keeps the notebooks' */
    if (!opts_given(o, "--bias-init"))
        a->bias = p->bias;
    if (!opts_given(o, "--init"))
        a->init = p->init;
    if (!opts_given(o, "--val-split"))
        a->val_split = p->fit.val_split;
    xn_plan validating; /* the patience of a run with validation rows */
    xn_plan_defaults(&validating, d, kind, true);
    if (!opts_given(o, "--patience"))
        a->patience = a->val || a->val_split > 0.0 ? validating.fit.patience : 0;
}

/* A new network for the data: the sizes and activations given or the
 * defaults, checked by the library's rules (a broken one names its flag),
 * initialized, with the data's class labels. */
static int new_net(train_job *j, const xn_plan *p)
{
    train_args *a = &j->a;
    xn_data *d = &j->sets.train;
    xn_act out;
    choose_output(a, p, &out);
    if (!a->n_sizes) {
        a->sizes[0] = d->in;
        a->sizes[1] = a->data ? p->sizes[1] : 10;
        a->sizes[2] = d->out;
        a->n_sizes = 3;
    }
    size_t L = a->n_sizes - 1;
    if (a->sizes[0] != d->in || a->sizes[L] != d->out) {
        if (a->data && d->line && d->n) /* the data file's first row */
            cli_error("%s:%zu: %zu input%s and %zu output%s a row, but --layers maps %zu to %zu", a->data, d->line[0],
                      d->in, cli_plural(d->in), d->out, cli_plural(d->out), a->sizes[0], a->sizes[L]);
        else
            cli_error("--layers: the network maps %zu input%s to %zu output%s, the data has %zu and %zu", a->sizes[0],
                      cli_plural(a->sizes[0]), a->sizes[L], cli_plural(a->sizes[L]), d->in, d->out);
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
        cli_error("--act: %zu activation%s for %zu layer%s; give one per layer", a->n_acts, cli_plural(a->n_acts), L,
                  cli_plural(L));
        return EXIT_USAGE;
    }
    xn_net_config cfg = {.n_layers = L, .sizes = a->sizes, .acts = a->acts, .loss = a->loss,
                         .max_batch = d->n, .kernel = a->kernel, .dtype = a->dtype};
    xn_error why;
    if (xn_net_check_config(&cfg, &why) != XN_OK) {
        /* the output the user chose through --loss, not --act */
        if (strcmp(why.setting, "acts") == 0 && !acts_given && opts_given(&a->given, "--loss"))
            snprintf(why.setting, sizeof why.setting, "loss");
        return opts_blame(&a->given, &why);
    }
    xn_status s = xn_net_create(&j->net, &cfg);
    if (s != XN_OK) { /* the rules hold: only memory is left */
        cli_error("cannot create the network: %s", xn_strerror(s));
        return EXIT_FAIL;
    }
    int rc = seed_rng(a, &j->rng);
    if (rc != EXIT_OK)
        return rc;
    xn_net_init(j->net, a->init, a->order, a->bias, &j->rng);
    const xn_description *desc = &j->sets.desc;
    if (desc->labels && desc->kind != XN_TARGETS_REGRESSION && xn_net_task(j->net) == XN_TASK_CLASSIFICATION &&
        xn_net_set_labels(j->net, desc->classes, (const char *const *)desc->labels) != XN_OK) {
        cli_error("%s: %s", a->data, xn_net_error(j->net)); /* the output the flags chose does not fit them */
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

/* The validation and test rows, read with the network's classes: a file
 * that does not fit it is named with what it has. */
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
        xn_description desc = {0};
        xn_read_opts r = cli_read_opts_for(net, &(xn_read_opts){.header = a->header, .target = a->target, .outputs = opts_given(&a->given, "--outputs") ? a->outputs : 0});
        /* IDX images of another width are refused from their header */
        int rc = cli_idx_precheck(sets[i].path, sets[i].labels, n0);
        if (rc == EXIT_OK)
            rc = a->data ? cli_read_set(sets[i].path, sets[i].labels, sets[i].labels_flag, &r, &a->given, d, &desc)
                         : cli_load_targets(sets[i].path, sets[i].labels, sets[i].labels_flag, n0, K, d);
        if (rc == EXIT_OK && (d->in != n0 || d->out != K)) {
            /* a CSV is named by its columns, as they are in the file */
            xn_data cols = {.n = d->n, .in = desc.columns, .line = d->line};
            rc = cli_shape_error(sets[i].flag, sets[i].path, sets[i].labels != NULL, desc.columns ? &cols : d, n0, K,
                                 true);
        }
        xn_description_free(&desc);
        if (rc == EXIT_OK)
            rc = check_targets(net, d, sets[i].path);
        if (rc != EXIT_OK)
            return rc;
    }
    return EXIT_OK;
}

/* The files the run writes, checked before it runs (pictures are drawn
 * after the run, whose work is kept if they fail, but gnuplot and the
 * folder are there before it starts). */
static int check_outputs(train_job *j)
{
    const train_args *a = &j->a;
    if (a->save && cli_check_output(a->save) != EXIT_OK)
        return EXIT_FAIL;
    if (a->plot && cli_mpi_rank() == 0 && train_plot_folder(j) != EXIT_OK)
        return EXIT_FAIL;
    return cli_history_start(&j->hist, a->history);
}

int train_plan(train_job *j)
{
    train_args *a = &j->a;
    int rc = check_args(a);
    if (rc != EXIT_OK)
        return rc;
    xn_plan p;
    if (a->init_from || a->resume) {
        rc = saved_net(j);
    } else if ((rc = load_train(j)) == EXIT_OK) {
        plan_defaults(a, &j->sets.train, &j->sets.desc, &p);
        rc = new_net(j, &p);
    }
    if (rc == EXIT_OK && (a->init_from || a->resume)) /* the split and patience of the data */
        plan_defaults(a, &j->sets.train, &j->sets.desc, &p);
    if (rc == EXIT_OK)
        rc = check_targets(j->net, &j->sets.train, a->data ? a->data : "xor");
    if (rc == EXIT_OK)
        rc = load_others(a, j->net, &j->sets);
    if (rc == EXIT_OK && !a->resume && xn_net_set_opt(j->net, &a->opt) != XN_OK) {
        cli_error("--opt: %s", xn_net_error(j->net));
        rc = EXIT_USAGE;
    }
    size_t rows = (size_t)floor((double)j->sets.train.n * (1.0 - a->val_split));
    if (rc == EXIT_OK && rows == 0) {
        cli_error("--val-split: no training rows are left of %zu", j->sets.train.n);
        rc = EXIT_USAGE;
    }
    if (rc == EXIT_OK && (a->opt.kind == XN_OPT_LM || a->opt.kind == XN_OPT_LBFGS)) {
        /* whole-batch iterations: the loop's settings that cannot be */
        xn_rng any;
        xn_fit_config c = fit_config(a, &any);
        xn_error err;
        if (xn_fit_check_solver(&c, &a->opt, rows, &err) != XN_OK)
            rc = opts_blame(&a->given, &err);
    }
    if (rc == EXIT_OK)
        rc = check_outputs(j);
    const char *slash = a->data ? strrchr(a->data, '/') : NULL;
    j->name = slash ? slash + 1 : a->data ? a->data : "xor";
    return rc;
}
