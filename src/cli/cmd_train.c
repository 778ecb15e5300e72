/* xornet train: builds (or loads) a network, trains it on XOR or a data
 * file with whole-batch steps, reports progress, and prints the final loss,
 * accuracy and the learned truth table. */
#define _POSIX_C_SOURCE 200809L /* mkstemp, fsync, isatty */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "src/atomic.h"
#include "plot.h"
#include "xn_config.h"

#if XN_HAVE_OPENBLAS_THREADS
void openblas_set_num_threads(int num_threads);
#endif

static const char train_help[] =
    "usage: xornet train [options]\n"
    "\n"
    "Trains a dense network with whole-batch gradient steps and prints the\n"
    "final loss, accuracy and truth table.\n"
    "\n"
    "data:\n"
    "  --xor               the built-in XOR table (default)\n"
    "  --data FILE         CSV or FANN training data\n"
    "  --outputs K         target columns at the end of each CSV row (default 1;\n"
    "                      a FANN file gives its own count)\n"
    "network:\n"
    "  --layers 2,10,1     sizes, input to output (default: inputs,10,outputs)\n"
    "  --act relu,sigmoid  one activation per layer: identity sigmoid relu tanh\n"
    "                      softmax (default: relu..., then sigmoid, or softmax\n"
    "                      with the cce loss)\n"
    "  --loss NAME         mse (default), sse, bce (sigmoid output), cce (softmax)\n"
    "  --init NAME         glorot_uniform (default), glorot_normal, he_uniform,\n"
    "                      he_normal, normal, uniform, zeros\n"
    "  --rng NAME          python, numpy or default (= numpy): whose stream\n"
    "  --seed N            random seed (default 1)\n"
    "  --order NAME        row (default; NumPy's randn(in,out)) or neuron (each\n"
    "                      neuron's fan-in in turn, as in notebook 0)\n"
    "  --bias-init NAME    zero (default) or drawn (with the weights' rule)\n"
    "  --init-from FILE    continue training a saved network\n"
    "training:\n"
    "  --opt NAME          gd (default), momentum, adam\n"
    "  --lr X              learning rate (default 1.5 for gd and momentum,\n"
    "                      0.01 for adam)\n"
    "  --momentum X        momentum coefficient in [0,1) (default 0.9)\n"
    "  --epochs N          whole-batch steps (default 1000)\n"
    "  --target-loss X     stop once the loss is at or below X\n"
    "  --kernel NAME       auto (default), blas or naive\n"
    "  --threads N         OpenBLAS threads (default: OpenBLAS's choice)\n"
    "output:\n"
    "  --every N           progress every N epochs (default epochs/10)\n"
    "  --quiet             no progress, only the final report\n"
    "  --save FILE         write the trained network (atomically)\n"
    "  --checkpoint N      also save it every N epochs (needs --save)\n"
    "  --history FILE      CSV of epoch,loss,accuracy for every epoch\n"
    "  --plot DIR          draw DIR/loss.png (log-scale loss curve) and, for data\n"
    "                      with 2 inputs and 1 output, DIR/surface.png (the\n"
    "                      learned function with the data points) with gnuplot\n"
    "\n"
    "Epoch e reports the network after e steps; epoch 0 is the initial one.\n"
    "Exit status: 0 trained, 1 diverged or could not write, 2 bad usage/input.\n";

typedef struct {
    const char *data, *init_from, *save, *history, *plot;
    size_t outputs;
    size_t sizes[XN_MAX_LAYERS + 1], n_sizes;
    xn_act acts[XN_MAX_LAYERS];
    size_t n_acts;
    bool loss_set;
    xn_loss loss;
    xn_init init;
    xn_rng_kind rng;
    uint64_t seed;
    xn_order order;
    xn_bias_init bias;
    xn_opt opt;
    bool lr_set;
    size_t epochs, every, checkpoint, threads;
    bool target_set, quiet;
    double target;
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

/* Returns EXIT_OK, or the exit status to leave with. */
static int parse_args(int argc, char **argv, train_args *a)
{
    const char *v;
    int r;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
#define OPT(flag) ((r = cli_opt(argc, argv, &i, flag, &v)) != 0)
        if (cli_is_help(arg)) {
            fputs(train_help, stdout);
            exit(EXIT_OK);
        } else if (strcmp(arg, "--xor") == 0) {
            a->data = NULL;
        } else if (strcmp(arg, "--quiet") == 0) {
            a->quiet = true;
        } else if (OPT("--data")) {
            if (r < 0) return EXIT_USAGE;
            a->data = v;
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
            if (r < 0) return EXIT_USAGE;
            if (xn_loss_parse(v, &a->loss) != XN_OK) {
                cli_error("--loss: unknown loss '%s' (mse, sse, bce, cce)", v);
                return EXIT_USAGE;
            }
            a->loss_set = true;
        } else if (OPT("--opt")) {
            if (r < 0) return EXIT_USAGE;
            if (xn_opt_parse(v, &a->opt.kind) != XN_OK) {
                cli_error("--opt: unknown optimizer '%s' (gd, momentum, adam)", v);
                return EXIT_USAGE;
            }
        } else if (OPT("--init")) {
            if (r < 0) return EXIT_USAGE;
            if (xn_init_parse(v, &a->init) != XN_OK) {
                cli_error("--init: unknown initializer '%s' (glorot_uniform, glorot_normal, "
                          "he_uniform, he_normal, normal, uniform, zeros)", v);
                return EXIT_USAGE;
            }
        } else if (OPT("--kernel")) {
            if (r < 0) return EXIT_USAGE;
            if (xn_kernel_parse(v, &a->kernel) != XN_OK) {
                cli_error("--kernel: unknown kernel '%s' (auto, blas, naive)", v);
                return EXIT_USAGE;
            }
        } else if (OPT("--rng")) {
            if (r < 0) return EXIT_USAGE;
            if (strcmp(v, "default") == 0)
                a->rng = XN_RNG_NUMPY;
            else if (xn_rng_kind_parse(v, &a->rng) != XN_OK) {
                cli_error("--rng: unknown stream '%s' (python, numpy, default)", v);
                return EXIT_USAGE;
            }
        } else if (OPT("--order")) {
            if (r < 0) return EXIT_USAGE;
            if (xn_order_parse(v, &a->order) != XN_OK) {
                cli_error("--order: unknown order '%s' (row, neuron)", v);
                return EXIT_USAGE;
            }
        } else if (OPT("--bias-init")) {
            if (r < 0) return EXIT_USAGE;
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
            if (!(a->opt.momentum >= 0.0 && a->opt.momentum < 1.0)) {
                cli_error("--momentum: must be in [0, 1), got '%s'", v);
                return EXIT_USAGE;
            }
        } else if (OPT("--epochs")) {
            if (r < 0 || cli_parse_size("--epochs", v, 0, (size_t)1 << 40, &a->epochs)) return EXIT_USAGE;
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
            if (r < 0) return EXIT_USAGE;
            a->save = v;
        } else if (OPT("--history")) {
            if (r < 0) return EXIT_USAGE;
            a->history = v;
        } else if (OPT("--plot")) {
            if (r < 0) return EXIT_USAGE;
            if (!*v) {
                cli_error("--plot: needs a directory name");
                return EXIT_USAGE;
            }
            a->plot = v;
        } else if (OPT("--init-from")) {
            if (r < 0) return EXIT_USAGE;
            a->init_from = v;
        } else {
            return cli_unknown("train", arg);
        }
#undef OPT
    }
    if (a->checkpoint && !a->save) {
        cli_error("--checkpoint needs --save FILE to write to");
        return EXIT_USAGE;
    }
    if (a->init_from && (a->n_sizes || a->n_acts || a->loss_set)) {
        cli_error("--init-from: the network comes from the file; drop --layers, --act and --loss");
        return EXIT_USAGE;
    }
    if (!a->lr_set)
        a->opt.lr = a->opt.kind == XN_OPT_ADAM ? 0.01 : 1.5;
    return EXIT_OK;
}

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
                   ? " (the data has one target column: give its K one-hot columns with "
                     "--outputs K, or use --loss bce for one 0/1 target)"
                   : " (for one output use sigmoid, with --loss bce)";
    return "";
}

/* Builds the network the arguments describe for data d. */
static int build_net(train_args *a, const xn_data *d, xn_net **net)
{
    if (a->init_from) {
        xn_error err = {0, ""};
        xn_status s = xn_net_load(net, a->init_from, &err);
        if (s != XN_OK) {
            cli_file_error(a->init_from, s, &err);
            return s == XN_ENOMEM ? EXIT_FAIL : EXIT_USAGE;
        }
        size_t L = xn_net_layers(*net);
        if (xn_net_size(*net, 0) != d->in || xn_net_size(*net, L) != d->out) {
            size_t n0 = xn_net_size(*net, 0), nL = xn_net_size(*net, L);
            cli_error("%s: the network maps %zu input%s to %zu output%s, the data has %zu and %zu",
                      a->init_from, n0, cli_plural(n0), nL, cli_plural(nL), d->in, d->out);
            return EXIT_USAGE;
        }
        xn_net_set_kernel(*net, a->kernel);
        return xn_net_reserve(*net, d->n) == XN_OK ? EXIT_OK : EXIT_FAIL;
    }
    if (!a->n_sizes) {
        a->sizes[0] = d->in;
        a->sizes[1] = 10;
        a->sizes[2] = d->out;
        a->n_sizes = 3;
    }
    size_t L = a->n_sizes - 1;
    if (a->sizes[0] != d->in || a->sizes[L] != d->out) {
        cli_error("--layers: the network maps %zu input%s to %zu output%s, the data has %zu and %zu",
                  a->sizes[0], cli_plural(a->sizes[0]), a->sizes[L], cli_plural(a->sizes[L]), d->in, d->out);
        return EXIT_USAGE;
    }
    bool acts_given = a->n_acts != 0;
    if (!acts_given) {
        for (size_t l = 0; l + 1 < L; l++)
            a->acts[l] = XN_ACT_RELU;
        a->acts[L - 1] = a->loss == XN_LOSS_CCE ? XN_ACT_SOFTMAX : XN_ACT_SIGMOID;
        a->n_acts = L;
    }
    if (a->n_acts != L) {
        cli_error("--act: %zu activation%s for %zu layer%s; give one per layer", a->n_acts,
                  cli_plural(a->n_acts), L, cli_plural(L));
        return EXIT_USAGE;
    }
    xn_net_config cfg = {.n_layers = L, .sizes = a->sizes, .acts = a->acts, .loss = a->loss,
                         .max_batch = d->n, .kernel = a->kernel};
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
    xn_rng rng;
    if (xn_rng_seed(&rng, a->rng, a->seed) != XN_OK) {
        cli_error("--seed: the numpy stream takes seeds below 2^32, got %llu",
                  (unsigned long long)a->seed);
        return EXIT_USAGE;
    }
    xn_net_init(*net, a->init, a->order, a->bias, &rng);
    return EXIT_OK;
}

static int save_net(const xn_net *net, const char *path)
{
    xn_error err = {0, ""};
    xn_status s = xn_net_save(net, path, &err);
    if (s != XN_OK) {
        cli_file_error(path, s, &err);
        return -1;
    }
    return 0;
}

/* Progress: a bar redrawn in place on a terminal, plain lines in a pipe. */
static void progress(bool tty, size_t epoch, size_t epochs, double loss, double acc)
{
    if (!tty) {
        printf("epoch %zu loss %.10g accuracy %.4g\n", epoch, loss, acc);
        return;
    }
    enum { WIDTH = 30 };
    size_t fill = epochs ? epoch * WIDTH / epochs : WIDTH;
    char bar[WIDTH + 1];
    for (size_t i = 0; i < WIDTH; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[WIDTH] = '\0';
    fprintf(stderr, "\r[%s] epoch %zu/%zu loss %.6g accuracy %.3g ", bar, epoch, epochs, loss, acc);
    fflush(stderr);
}

/* --plot DIR: the loss curve, and the surface for 2-input 1-output data.
 * Returns EXIT_OK or EXIT_FAIL. */
static int plot_run(const char *dir, xn_net *net, const xn_data *d, const plot_series *loss,
                    const char *name)
{
    plot_error err = {""};
    char path[4200], title[300];
    if (plot_prepare_dir(dir, &err) != PLOT_OK) {
        cli_error("--plot: %s", err.msg);
        return EXIT_FAIL;
    }
    if (!cli_join_path(path, sizeof path, dir, "loss.png", "--plot"))
        return EXIT_FAIL;
    snprintf(title, sizeof title, "%s: %s loss", name, xn_loss_name(xn_net_loss(net)));
    if (!cli_plot_result(plot_loss(path, title, loss->n, loss->x, loss->y, 0, 0, &err) == PLOT_OK,
                         err.msg, path))
        return EXIT_FAIL;
    if (d->in != 2 || d->out != 1) {
        printf("(no surface plot: the data has %zu input%s and %zu output%s, a surface needs 2 and 1)\n",
               d->in, cli_plural(d->in), d->out, cli_plural(d->out));
        return EXIT_OK;
    }
    if (!cli_join_path(path, sizeof path, dir, "surface.png", "--plot"))
        return EXIT_FAIL;
    snprintf(title, sizeof title, "%s: learned function", name);
    bool ok = plot_surface(path, title, net, d->n, d->x, d->y, 0, 0, &err) == PLOT_OK;
    return cli_plot_result(ok, err.msg, path) ? EXIT_OK : EXIT_FAIL;
}

static void print_table(xn_net *net, const xn_data *d)
{
    enum { MAX_ROWS = 16 };
    if (d->n > MAX_ROWS) {
        printf("(%zu rows: xornet predict prints every output)\n", d->n);
        return;
    }
    const double *a;
    if (xn_net_forward(net, d->n, d->x, &a) != XN_OK)
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

int cmd_train(int argc, char **argv)
{
    train_args a = {.outputs = XN_OUTPUTS_DEFAULT, .loss = XN_LOSS_MSE, .init = XN_INIT_GLOROT_UNIFORM,
                    .rng = XN_RNG_NUMPY, .seed = 1, .order = XN_ORDER_ROW,
                    .bias = XN_BIAS_ZERO, .opt = {.kind = XN_OPT_GD, .lr = 1.5, .momentum = 0.9,
                                                  .beta1 = 0.9,
                            .beta2 = 0.999, .eps = 1e-8},
                    .epochs = 1000, .kernel = XN_KERNEL_AUTO};
    int rc = parse_args(argc, argv, &a);
    if (rc != EXIT_OK)
        return rc;
#if XN_HAVE_OPENBLAS_THREADS
    if (a.threads)
        openblas_set_num_threads((int)a.threads);
#endif
    xn_data d = {0};
    xn_net *net = NULL;
    xn_atomic hist = {0}; /* --history, replaced only by a run that succeeds */
    plot_series curve = {0}; /* the loss history, kept only for --plot */
    bool tty = !a.quiet && isatty(fileno(stderr)) && isatty(fileno(stdout));
    rc = cli_load_data(a.data, a.outputs, &d);
    if (rc == EXIT_OK)
        rc = build_net(&a, &d, &net);
    if (rc == EXIT_OK && a.history) {
        xn_error err = {0, ""};
        xn_status s = xn_atomic_open(&hist, a.history, &err);
        if (s != XN_OK) {
            cli_file_error(a.history, s, &err);
            rc = EXIT_FAIL;
        }
    }
    if (rc != EXIT_OK)
        goto done;
    if (hist.f)
        fprintf(hist.f, "epoch,loss,accuracy\n");

    size_t every = a.every ? a.every : (a.epochs >= 10 ? a.epochs / 10 : 1);
    size_t K = d.out, epoch = 0;
    double loss = NAN, acc = 0.0;
    bool reached = false;
    /* Step e computes the loss of the network after e steps, then updates:
     * the loss and outputs it reports belong to epoch e. */
    for (; epoch < a.epochs; epoch++) {
        xn_status s = xn_net_train_step(net, d.n, d.x, d.y, &a.opt, &loss);
        acc = xn_accuracy(d.n, K, xn_net_output(net), d.y);
        if (s == XN_ENUMERIC) {
            if (tty)
                fputc('\n', stderr);
            cli_error("training diverged at epoch %zu (loss %g): try a smaller --lr", epoch, loss);
            rc = EXIT_FAIL;
            break;
        }
        if (s != XN_OK) {
            cli_error("training failed at epoch %zu: %s", epoch, xn_strerror(s));
            rc = EXIT_FAIL;
            break;
        }
        if (hist.f)
            fprintf(hist.f, "%zu,%.17g,%.17g\n", epoch, loss, acc);
        if (a.plot && plot_series_add(&curve, epoch, loss, false) != 0) {
            cli_error("out of memory keeping the loss history for --plot");
            rc = EXIT_FAIL;
            break;
        }
        if (!a.quiet && epoch % every == 0)
            progress(tty, epoch, a.epochs, loss, acc);
        if (a.target_set && loss <= a.target) {
            reached = true; /* the step has updated the network: count it */
            epoch++;
            break;
        }
        if (a.checkpoint && (epoch + 1) % a.checkpoint == 0 && save_net(net, a.save) != 0) {
            rc = EXIT_FAIL;
            break;
        }
    }
    if (rc == EXIT_OK) {
        /* the network after the last step */
        xn_status s = xn_net_eval_loss(net, d.n, d.x, d.y, &loss);
        acc = xn_accuracy(d.n, K, xn_net_output(net), d.y);
        if (s != XN_OK) {
            cli_error("training diverged: the final loss is %g; try a smaller --lr", loss);
            rc = EXIT_FAIL;
        } else {
            if (hist.f)
                fprintf(hist.f, "%zu,%.17g,%.17g\n", epoch, loss, acc);
            if (a.plot && plot_series_add(&curve, epoch, loss, true) != 0) {
                cli_error("out of memory keeping the loss history for --plot");
                rc = EXIT_FAIL;
            }
        }
    }
    if (tty)
        fputc('\n', stderr);
    if (rc != EXIT_OK)
        goto done;
    if (!a.quiet && !tty)
        progress(false, epoch, a.epochs, loss, acc);
    if (reached)
        printf("reached target loss %g at epoch %zu\n", a.target, epoch - 1);
    printf("final loss %.10g accuracy %.4g after %zu epoch%s\n", loss, acc, epoch, cli_plural(epoch));
    print_table(net, &d);
    if (a.save && save_net(net, a.save) != 0)
        rc = EXIT_FAIL;
    if (rc == EXIT_OK && hist.f) {
        xn_error err = {0, ""};
        xn_status s = xn_atomic_commit(&hist, &err);
        if (s != XN_OK) {
            cli_file_error(a.history, s, &err);
            rc = EXIT_FAIL;
        }
    }
    fflush(stdout);
    if (a.plot && plot_run(a.plot, net, &d, &curve, a.data ? a.data : "xor") != EXIT_OK)
        rc = EXIT_FAIL;
done:
    xn_atomic_abort(&hist); /* a failed run leaves an old history as it was */
    plot_series_free(&curve);
    xn_net_destroy(net);
    xn_data_free(&d);
    return rc;
}
