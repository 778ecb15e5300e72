/* xornet train's plan: the settings checked by the library's rules, the
 * training data read, the output and loss chosen for its targets (the
 * built-in XOR keeps the notebooks' sigmoid and mse), the network built,
 * loaded (--init-from) or resumed (--resume), the validation and test rows
 * read for its shape, and the files the run will write checked before it
 * starts. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "load.h"
#include "paths.h"
#include "cli_mpi.h"
#include "plot.h"
#include "train.h"

size_t train_rows(const train_args *a, const xn_data *d)
{
    return a->val_split > 0.0 ? (size_t)floor((double)d->n * (1.0 - a->val_split)) : d->n;
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
    const char *const pairs[][2] = {{"--labels", "--data"}, {"--val-labels", "--val"}, {"--test-labels", "--test"}};
    for (size_t i = 0; i < 3; i++)
        if (opts_given(o, pairs[i][0]) && !opts_given(o, pairs[i][1])) {
            cli_error("%s needs the IDX images it labels (%s)", pairs[i][0], pairs[i][1]);
            return EXIT_USAGE;
        }
    xn_error err;
    if (xn_opt_check(&a->opt, &err) != XN_OK)
        return opts_blame(o, &err);
    /* the loop's settings as xn_fit will see them (epochs 0 runs none) */
    xn_rng any;
    xn_fit_config c = {.epochs = a->epochs ? a->epochs : 1, .shuffle = a->shuffle, .rng = &any,
                       .val_split = a->val_split, .min_delta = a->min_delta, .schedule = a->schedule,
                       .lr_gamma = a->lr_gamma, .lr_step = a->lr_step, .lr_min = a->lr_min};
    if (xn_fit_check(&c, a->opt.lr, &err) != XN_OK)
        return opts_blame(o, &err);
    return opts_check_paths(o, a);
}

/* The defaults that depend on the data: a data set of 50 rows or more
 * without --val holds out its last fifth for validation, and a run with
 * validation stops after 20 epochs without a better validation loss,
 * keeping the best epoch's weights (early stopping). */
static void data_defaults(train_args *a, const xn_data *d)
{
    if (a->data && !a->val && !opts_given(&a->given, "--val-split") && d->n >= 50)
        a->val_split = 0.2;
    if (!opts_given(&a->given, "--patience"))
        a->patience = a->data && (a->val || a->val_split > 0.0) ? 20 : 0;
}

/* The training data, before the network's shape is known. */
static int load_train(const train_args *a, xn_data *d)
{
    if (a->data && cli_is_idx(a->data)) { /* the labels' count checked before the images are read */
        int rc = cli_idx_precheck(a->data, a->labels, 0);
        return rc != EXIT_OK ? rc : cli_load_idx(a->data, a->labels, a->outputs == XN_OUTPUTS_DEFAULT ? 0 : a->outputs, d);
    }
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

/* The output activation and loss for the targets of d, when not given:
 * XOR keeps the notebooks' sigmoid and mse.  Class ids become one-hot. */
static int choose_output(train_args *a, xn_data *d, xn_act *out)
{
    bool acts_given = a->n_acts != 0, loss_given = opts_given(&a->given, "--loss");
    size_t ids = d->out == 1 ? class_ids(d) : 0;
    bool wants_softmax = (loss_given && a->loss == XN_LOSS_CCE) ||
                         (acts_given && a->acts[a->n_acts - 1] == XN_ACT_SOFTMAX);
    if (d->out == 1 && (wants_softmax || (!loss_given && !acts_given && a->data && ids))) {
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
    if (loss_given) {
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
        a->loss = a->acts[a->n_acts - 1] == XN_ACT_SOFTMAX                           ? XN_LOSS_CCE
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

static int seed_rng(const train_args *a, xn_rng *rng)
{
    if (xn_rng_seed(rng, a->rng, a->seed) == XN_OK)
        return EXIT_OK;
    cli_error("--seed: the numpy stream takes seeds below 2^32, got %llu", (unsigned long long)a->seed);
    return EXIT_USAGE;
}

/* --init-from or --resume: the saved network, checked against the data
 * and the options a saved network fixes. */
static int saved_net(train_job *j)
{
    train_args *a = &j->a;
    xn_data *d = &j->sets.train;
    const char *file = a->resume ? a->resume : a->init_from, *flag = a->resume ? "--resume" : "--init-from";
    size_t sizes_line;
    int rc = load_net(file, &j->net, a->resume ? &j->ck : NULL, &sizes_line);
    if (rc != EXIT_OK)
        return rc;
    xn_net *net = j->net;
    size_t L = xn_net_layers(net), K = xn_net_size(net, L);
    bool ids = d->out == 1 && K > 1; /* one target column: class ids */
    if (xn_net_size(net, 0) != d->in || (!ids && K != d->out)) {
        /* the data file's first row if it has lines, else the model's sizes */
        if (a->data && d->line && d->n)
            cli_error("%s:%zu: %zu input%s and %zu target%s a row, but the network in %s maps %zu "
                      "to %zu", a->data, d->line[0], d->in, cli_plural(d->in), d->out,
                      cli_plural(d->out), file, xn_net_size(net, 0), K);
        else
            cli_error("%s:%zu: the network maps %zu input%s to %zu output%s, the data (%s) has %zu "
                      "input%s and %zu target%s", file, sizes_line, xn_net_size(net, 0),
                      cli_plural(xn_net_size(net, 0)), K, cli_plural(K), a->data ? a->data : "XOR", d->in,
                      cli_plural(d->in), d->out, cli_plural(d->out));
        return EXIT_USAGE;
    }
    if (ids && xn_data_classes_to_onehot(d, K, NULL) != XN_OK) {
        cli_error("%s: the network has %zu outputs, the data one target column that is not "
                  "class ids 0..%zu", a->data ? a->data : "xor", K, K - 1);
        return EXIT_USAGE;
    }
    xn_net_set_kernel(net, a->kernel);
    /* what the network file fixes: options that would change it are
     * refused, not dropped */
    if (opts_given(&a->given, "--dtype") && a->dtype != xn_net_dtype(net)) {
        cli_error("--dtype: %s keeps the network's own type, %s in %s", flag, xn_dtype_name(xn_net_dtype(net)),
                  file);
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
    xn_opt o = xn_net_opt(net);
    const char *differs = opts_given(&a->given, "--opt") && a->opt.kind != o.kind                  ? "--opt"
                          : opts_given(&a->given, "--lr") && a->opt.lr != j->ck.fit.lr0            ? "--lr"
                          : opts_given(&a->given, "--momentum") && a->opt.momentum != o.momentum   ? "--momentum"
                          : opts_given(&a->given, "--weight-decay") && a->opt.weight_decay != o.weight_decay
                              ? "--weight-decay"
                              : NULL;
    if (differs) {
        cli_error("%s: differs from the run in %s, which a resumed run keeps", differs, a->resume);
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

/* A new network for the data: the sizes and activations given or the
 * defaults, checked by the library's rules (a broken one names its flag). */
static int new_net(train_job *j)
{
    train_args *a = &j->a;
    xn_data *d = &j->sets.train;
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
                      d->line[0], d->in, cli_plural(d->in), d->out, cli_plural(d->out), a->sizes[0], a->sizes[L]);
        else
            cli_error("--layers: the network maps %zu input%s to %zu output%s, the data has %zu and %zu",
                      a->sizes[0], cli_plural(a->sizes[0]), a->sizes[L], cli_plural(a->sizes[L]), d->in, d->out);
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
        /* the output the user chose through --loss, not --act: softmax for
         * cce over one target column, which is not K one-hot columns */
        if (strcmp(why.setting, "acts") == 0 && !acts_given && opts_given(&a->given, "--loss")) {
            snprintf(why.setting, sizeof why.setting, "loss");
            if (a->loss == XN_LOSS_CCE && a->sizes[L] == 1)
                snprintf(why.msg, sizeof why.msg, "the data has one target column, not class ids: give its "
                         "K one-hot columns with --outputs K");
        }
        return opts_blame(&a->given, &why);
    }
    xn_status s = xn_net_create(&j->net, &cfg);
    if (s != XN_OK) { /* the rules hold: only memory is left */
        cli_error("cannot create the network: %s", xn_strerror(s));
        return EXIT_FAIL;
    }
    if ((rc = seed_rng(a, &j->rng)) != EXIT_OK)
        return rc;
    xn_net_init(j->net, a->init, a->order, a->bias, &j->rng);
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
    if (rc == EXIT_OK)
        rc = load_train(a, &j->sets.train);
    if (rc != EXIT_OK)
        return rc;
    data_defaults(a, &j->sets.train);
    rc = a->init_from || a->resume ? saved_net(j) : new_net(j);
    if (rc == EXIT_OK)
        rc = check_targets(j->net, &j->sets.train, a->data ? a->data : "xor");
    if (rc == EXIT_OK)
        rc = load_others(a, j->net, &j->sets);
    if (rc == EXIT_OK && !a->resume && xn_net_set_opt(j->net, &a->opt) != XN_OK) {
        cli_error("--opt: %s", xn_net_error(j->net));
        rc = EXIT_USAGE;
    }
    if (rc == EXIT_OK && train_rows(a, &j->sets.train) == 0) {
        cli_error("--val-split: no training rows are left of %zu", j->sets.train.n);
        rc = EXIT_USAGE;
    }
    if (rc == EXIT_OK)
        rc = check_outputs(j);
    const char *slash = a->data ? strrchr(a->data, '/') : NULL;
    j->name = slash ? slash + 1 : a->data ? a->data : "xor";
    return rc;
}
