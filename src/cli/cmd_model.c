/* xornet predict, eval and grad: run a saved network on the built-in XOR
 * table or a data file and print its outputs, its loss and accuracy, or its
 * loss and every gradient. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "load.h"
#include "opts.h"
#include "plot.h"

typedef struct {
    const char *model, *data, *labels, *plot;
    int xor_data;
    size_t outputs;
    int classes, confusion; /* predict --classes, eval --confusion */
    opts given;
    size_t model_line;      /* the model's sizes line, once loaded, for messages */
} args;

#define AT(m) OPT_AT(args, m)
#define MODEL_ROW {.flag = "--model", .arg = "FILE", .kind = OPT_IN, AT(model), \
                   .help = "the network (xornet model file)"}
#define LABELS_ROW(what) {.flag = "--labels", .arg = "FILE", .kind = OPT_IN, AT(labels), .help = what}
/* eval and grad: a data file with targets */
#define TARGET_ROWS                                                                                  \
    MODEL_ROW,                                                                                       \
    {.flag = "--xor", .kind = OPT_FLAG, .value = 1, AT(xor_data), .help = "the built-in XOR table (default)"}, \
    {.flag = "--data", .arg = "FILE", .kind = OPT_IN, AT(data),                                      \
     .help = "CSV (the model's output count of target columns at the end of each row, or with "    \
             "several outputs one column of class ids 0..nL-1), FANN, or IDX images with --labels"}, \
    LABELS_ROW("the IDX label file (gzipped or not) of the --data images: class ids 0..nL-1, read as " \
               "one-hot targets")

static const opt predict_rows[] = {
    MODEL_ROW,
    {.flag = "--xor", .kind = OPT_FLAG, .value = 1, AT(xor_data), .help = "the built-in XOR inputs (default)"},
    {.flag = "--data", .arg = "FILE", .kind = OPT_IN, AT(data),
     .help = "CSV, FANN or IDX data (IDX images, gzipped or not); its input columns must match the model"},
    LABELS_ROW("the IDX label file of the --data images: read and checked (each label below the "
               "model's output count), not printed"),
    {.flag = "--outputs", .arg = "K", .kind = OPT_SIZE, AT(outputs), .hi = 1u << 20,
     .help = "target columns at the end of each CSV row, ignored; 0 for rows of inputs only.  Default: a "
             "CSV row of n0 columns is inputs only, a row of n0 + nL columns ends in targets, and with "
             "several outputs a row of n0 + 1 ends in a class id"},
    {.flag = "--classes", .kind = OPT_FLAG, .value = 1, AT(classes),
     .help = "print each row's class instead (a classifier's: 0 or 1 for one sigmoid output, the "
             "arg-max for several)"},
};

static const opt eval_rows[] = {
    TARGET_ROWS,
    {.flag = "--confusion", .kind = OPT_FLAG, .value = 1, AT(confusion),
     .help = "a classifier's confusion matrix too: a row a true class, a column a predicted class, "
             "each cell the rows counted"},
    {.flag = "--plot", .arg = "FILE", .kind = OPT_OUT, AT(plot),
     .help = "draw the network on the rows into the PNG file FILE with gnuplot: a classifier's confusion "
             "matrix (each cell's count, shaded by its share of the true class), a regression's "
             "predictions against the targets (R^2 in the title)"},
};

static const opt grad_rows[] = {TARGET_ROWS};

static const struct command {
    const char *name;
    const opt *rows;
    size_t n;
    const char *usage, *intro;
} predict = {"predict", predict_rows, sizeof predict_rows / sizeof *predict_rows,
             "usage: xornet predict --model FILE [--data FILE [--labels FILE] | --xor] [--outputs K]",
             "Prints the saved network's outputs for each input row, one line a row,\n"
             "the outputs separated by spaces, each with 17 significant digits (%.17g,\n"
             "which reads back as the same double).\n"},
  eval = {"eval", eval_rows, sizeof eval_rows / sizeof *eval_rows,
          "usage: xornet eval --model FILE [--data FILE [--labels FILE] | --xor] [--confusion] [--plot FILE]",
          "Prints the saved network's loss ('loss <value>') and, for a classifier (a\n"
          "sigmoid or softmax output), its accuracy ('accuracy <value>', the fraction\n"
          "of rows right: the rounded output equals the target, or with several\n"
          "outputs the arg-max agrees); for a regression (any other output) the\n"
          "root mean squared and mean absolute errors and R^2 ('rmse', 'mae', 'r2',\n"
          "on the targets' scale; the loss is then on the network's own, scaled\n"
          "targets if it standardizes them), all %.17g.\n"},
  grad = {"grad", grad_rows, sizeof grad_rows / sizeof *grad_rows,
          "usage: xornet grad --model FILE [--data FILE [--labels FILE] | --xor]",
          "Prints the saved network's loss on the whole batch and the gradient of\n"
          "the loss with respect to every parameter, laid out like the model file:\n"
          "  loss <value>\n"
          "  dW1 <rows> <cols>   then one line per row\n"
          "  db1 <n>             then one line of n numbers\n"
          "  dW2 ...\n"
          "Numbers are printed %.17g.\n"};

static int parse_args(const struct command *c, int argc, char **argv, args *a)
{
    *a = (args){.given = {.cmd = c->name, .rows = c->rows, .n = c->n, .usage = c->usage, .intro = c->intro}};
    int rc = opts_parse(&a->given, argc, argv, a);
    if (rc != EXIT_OK)
        return rc;
    if (!a->model) {
        cli_error("%s: --model FILE is required (see xornet %s --help)", c->name, c->name);
        return EXIT_USAGE;
    }
    if (a->data && a->xor_data) {
        cli_error("%s: --data and --xor exclude each other", c->name);
        return EXIT_USAGE;
    }
    if (a->labels && !a->data) {
        cli_error("%s: --labels FILE needs --data FILE, the IDX images it labels", c->name);
        return EXIT_USAGE;
    }
    return opts_check_paths(&a->given, a);
}

/* The model of a, and the line of its sizes into a->model_line. */
static int load_model(args *a, xn_net **net)
{
    xn_error err = {0};
    xn_status s = xn_net_load(net, a->model, &err);
    if (s != XN_OK) {
        cli_file_error(a->model, s, &err);
        return s == XN_ENOMEM ? EXIT_FAIL : EXIT_USAGE;
    }
    a->model_line = err.line;
    return EXIT_OK;
}

/* Class c of net as printed: its label, or its number. */
static const char *class_name(const xn_net *net, size_t c, char *buf, size_t cap)
{
    const char *label = xn_net_label(net, c);
    if (label)
        return label;
    snprintf(buf, cap, "%zu", c);
    return buf;
}

/* The confusion matrix of outputs a against targets y (n, k): a header of
 * predicted classes, then a row a true class, each named by its label. */
static int print_confusion(const xn_net *net, size_t n, size_t k, const double *a, const double *y)
{
    size_t C = k == 1 ? 2 : k, *counts = malloc(C * C * sizeof *counts), w = 7;
    if (!counts) {
        cli_error("out of memory");
        return EXIT_FAIL;
    }
    char buf[32];
    for (size_t c = 0; c < C; c++) { /* a column as wide as the longest label */
        size_t len = strlen(class_name(net, c, buf, sizeof buf));
        w = len > w ? len : w;
    }
    xn_confusion(n, k, a, y, counts);
    printf("confusion (rows: true class, columns: predicted)\n%*s", (int)w, "");
    for (size_t p = 0; p < C; p++)
        printf(" %*s", (int)w, class_name(net, p, buf, sizeof buf));
    putchar('\n');
    for (size_t t = 0; t < C; t++) {
        printf("%*s", (int)w, class_name(net, t, buf, sizeof buf));
        for (size_t p = 0; p < C; p++)
            printf(" %*zu", (int)w, counts[t * C + p]);
        putchar('\n');
    }
    free(counts);
    return EXIT_OK;
}

/* eval --plot FILE: the confusion matrix or predicted against actual on
 * the rows d, titled with the model's and the data's file names. */
static int plot_eval(const args *a, xn_net *net, const xn_data *d, bool classifier)
{
    const char *m = strrchr(a->model, '/'), *f = a->data ? strrchr(a->data, '/') : NULL;
    char title[600];
    snprintf(title, sizeof title, "%s on %s: %s, %zu row%s", m ? m + 1 : a->model,
             a->data ? (f ? f + 1 : a->data) : "XOR", classifier ? "confusion" : "predicted against actual", d->n,
             cli_plural(d->n));
    plot_error err = {0};
    cli_flush(); /* the picture may go to /dev/stdout, after the scores */
    plot_status s = classifier ? plot_confusion(a->plot, title, net, d->n, d->x, d->y, 0, 0, &err)
                               : plot_predicted(a->plot, title, net, d->n, d->x, d->y, 0, 0, &err);
    return cli_plot_result(s == PLOT_OK, err.msg, a->plot) ? EXIT_OK : EXIT_FAIL;
}

/* A CSV read as all inputs whose rows end in targets or a class id:
 * keeps the first n0 columns, x becomes (n, n0). */
static void drop_targets(xn_data *d, size_t n0)
{
    for (size_t i = 0; i < d->n; i++)
        memmove(d->x + i * n0, d->x + i * d->in, n0 * sizeof *d->x);
    d->in = n0;
}

/* The file does not fit the model: says what it has (cli_shape_error),
 * or, after predict --outputs K set targets aside, what is left. */
static int shape_error(const char *cmd, const args *a, const xn_data *d, size_t n0, size_t nL,
                       bool targets)
{
    if (!opts_given(&a->given, "--outputs"))
        return cli_shape_error(cmd, a->data, a->labels != NULL, d, n0, nL, targets);
    char f[4200];
    cli_where(f, sizeof f, a->data, d);
    cli_error("%s: %zu input%s a row besides the %zu target%s of --outputs; the model takes %zu", f,
              d->in, cli_plural(d->in), a->outputs, cli_plural(a->outputs), n0);
    return EXIT_USAGE;
}

/* Loads the data cmd runs on and fits it to the model: x (n, n0) and, when
 * targets, y (n, nL).  A CSV is read as all columns and told apart by the
 * model's shape (cli_load_targets; predict also takes rows that end in
 * targets or a class id), so a wrong count can say what the file has and
 * what the model takes. */
static int load_data(const char *cmd, const args *a, const xn_net *net, bool targets, xn_data *d)
{
    size_t n0 = xn_net_size(net, 0), nL = xn_net_size(net, xn_net_layers(net));
    if (!a->data) {
        if (n0 == 2 && (!targets || nL == 1))
            return cli_load_data(NULL, 0, d);
        /* the model is at fault: named with its sizes line */
        if (targets)
            cli_error("%s:%zu: the model maps %zu input%s to %zu output%s, not XOR's 2 to 1: "
                      "give %s its data with --data FILE", a->model, a->model_line, n0,
                      cli_plural(n0), nL, cli_plural(nL), cmd);
        else
            cli_error("%s:%zu: the model takes %zu input%s, not XOR's 2: give %s its data with "
                      "--data FILE", a->model, a->model_line, n0, cli_plural(n0), cmd);
        return EXIT_USAGE;
    }
    int rc = targets ? EXIT_OK : cli_idx_precheck(a->data, a->labels, n0);
    if (rc != EXIT_OK)
        return rc;
    if (xn_net_labels(net, NULL) && !a->labels && !cli_is_idx(a->data)) {
        /* the model's classes, words among them: the file's targets read
         * as its labels (a file of inputs alone is read below) */
        xn_read_opts base = {.outputs = opts_given(&a->given, "--outputs") ? a->outputs : 0};
        xn_read_opts r = cli_read_opts_for(net, &base);
        xn_description desc;
        if (!targets) /* predict: a file of inputs alone is read below, quietly */
            cli_hold_errors();
        rc = cli_read_set(a->data, NULL, "--labels", &r, &a->given, d, &desc);
        if (!targets)
            cli_release_errors(false);
        size_t columns = desc.columns;
        xn_description_free(&desc);
        if (rc == EXIT_OK && d->in == n0 && (!targets || d->out == nL))
            return EXIT_OK;
        if (targets && rc == EXIT_OK) { /* named by the file's columns */
            xn_data cols = {.n = d->n, .in = columns, .line = d->line};
            return shape_error(cmd, a, &cols, n0, nL, targets);
        }
        if (targets)
            return rc;
        xn_data_free(d);
    }
    if (targets)
        rc = cli_load_targets(a->data, a->labels, "--labels", n0, nL, d);
    else if (a->labels)
        rc = cli_load_idx(a->data, a->labels, nL, d);
    else
        rc = cli_load_data(a->data, a->outputs, d);
    if (rc != EXIT_OK)
        return rc;
    if (d->in == n0 && (!targets || d->out == nL))
        return EXIT_OK;
    bool csv = !opts_given(&a->given, "--outputs") && d->out == 0 && !cli_is_idx(a->data);
    if (!targets && csv && (d->in == n0 + nL || (nL > 1 && d->in == n0 + 1))) {
        drop_targets(d, n0);
        return EXIT_OK;
    }
    return shape_error(cmd, a, d, n0, nL, targets);
}

/* Evaluation takes the rows in blocks of the workspace: up to 4096 rows
 * at once, so a large file costs no more memory than that.  Gradients
 * grow the workspace to the whole batch themselves. */
static int reserve_rows(xn_net *net, const xn_data *d)
{
    if (xn_net_reserve(net, d->n < 4096 ? d->n : 4096) != XN_OK) {
        cli_error("out of memory for the network's workspace");
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

/* What the three commands do first: the options, the model, the data (with
 * targets for eval and grad) and the workspace.  *net is NULL when the
 * model did not load; the caller frees *net and *d whatever the status. */
/* eval --confusion prints a table of K x K counts, K lines of K numbers:
 * past this many classes it is more than memory or a reader takes
 * (65,536 would be 32 GiB), refused before any work. */
enum { CONFUSION_MAX = 1024 };

static int start(const struct command *c, int argc, char **argv, args *a, xn_net **net, xn_data *d)
{
    bool targets = c != &predict;
    *net = NULL;
    *d = (xn_data){.n = 0};
    int rc = parse_args(c, argc, argv, a);
    if (rc == EXIT_OK)
        rc = load_model(a, net);
    size_t classes = *net ? xn_net_size(*net, xn_net_layers(*net)) : 0;
    if (rc == EXIT_OK && a->confusion && classes > CONFUSION_MAX) {
        cli_error("--confusion: the model has %zu classes; the table is printed for up to %d "
                  "(xornet predict --classes gives each row's class)", classes, (int)CONFUSION_MAX);
        rc = EXIT_USAGE;
    }
    if (rc == EXIT_OK)
        rc = load_data(c->name, a, *net, targets, d);
    return rc == EXIT_OK ? reserve_rows(*net, d) : rc;
}

static int run_failed(const char *what, xn_status s)
{
    cli_error("%s: %s", what, xn_strerror(s));
    return s == XN_EINVAL || s == XN_EDIM ? EXIT_USAGE : EXIT_FAIL;
}

int cmd_predict(int argc, char **argv)
{
    args a;
    xn_net *net;
    xn_data d;
    int rc = start(&predict, argc, argv, &a, &net, &d);
    size_t nL = net ? xn_net_size(net, xn_net_layers(net)) : 0;
    double *y = NULL;
    if (rc == EXIT_OK) {
        y = malloc(d.n * nL * sizeof *y);
        if (!y) {
            cli_error("out of memory");
            rc = EXIT_FAIL;
        }
    }
    if (rc == EXIT_OK) {
        xn_status s = xn_net_predict(net, d.n, d.x, y);
        if (s != XN_OK && s != XN_ENUMERIC) /* a non-finite row is found below */
            rc = run_failed("predict", s);
        /* an overflowing network is reported, never printed as inf or nan */
        for (size_t i = 0; rc == EXIT_OK && i < d.n * nL; i++)
            if (!isfinite(y[i])) {
                cli_error("predict: row %zu gives a non-finite output (the network overflows there)",
                          i / nL + 1);
                rc = EXIT_FAIL;
            }
    }
    if (rc == EXIT_OK && a.classes && xn_net_task(net) != XN_TASK_CLASSIFICATION) {
        cli_error("predict --classes: the model is a regression (its output is %s), not a classifier",
                  xn_act_name(xn_net_act(net, xn_net_layers(net))));
        rc = EXIT_USAGE;
    }
    if (rc == EXIT_OK) {
        for (size_t i = 0; i < d.n; i++) {
            if (a.classes) {
                char buf[32];
                printf("%s\n", class_name(net, xn_class_of(nL, y + i * nL), buf, sizeof buf));
                continue;
            }
            for (size_t k = 0; k < nL; k++) {
                if (k)
                    putchar(' ');
                cli_print_double(y[i * nL + k]);
            }
            putchar('\n');
        }
    }
    free(y);
    xn_data_free(&d);
    xn_net_destroy(net);
    return rc;
}

int cmd_eval(int argc, char **argv)
{
    args a;
    xn_net *net;
    xn_data d;
    int rc = start(&eval, argc, argv, &a, &net, &d);
    double loss = 0.0, acc = 0.0;
    bool classifier = net && xn_net_task(net) == XN_TASK_CLASSIFICATION;
    size_t K = net ? xn_net_size(net, xn_net_layers(net)) : 0;
    double *y = rc == EXIT_OK ? malloc(d.n * K * sizeof *y) : NULL;
    xn_regression r = {0, 0, 0};
    if (rc == EXIT_OK && !y) {
        cli_error("out of memory");
        rc = EXIT_FAIL;
    }
    if (rc == EXIT_OK && a.confusion && !classifier) {
        cli_error("eval --confusion: the model is a regression (its output is %s), not a classifier",
                  xn_act_name(xn_net_act(net, xn_net_layers(net))));
        rc = EXIT_USAGE;
    }
    if (rc == EXIT_OK) {
        xn_status s = xn_net_eval_loss(net, d.n, d.x, d.y, &loss);
        if (s == XN_OK)
            s = xn_net_predict(net, d.n, d.x, y);
        if (s == XN_OK && classifier)
            acc = xn_accuracy(d.n, K, y, d.y);
        else if (s == XN_OK)
            s = xn_regression_metrics(d.n, K, y, d.y, &r);
        if (s == XN_ENUMERIC) {
            cli_error("eval: the loss or an output is not finite");
            rc = EXIT_FAIL;
        } else if (s != XN_OK) {
            rc = run_failed("eval", s);
        }
    }
    if (rc == EXIT_OK) {
        fputs("loss ", stdout);
        cli_print_double(loss);
        if (classifier) {
            fputs("\naccuracy ", stdout);
            cli_print_double(acc);
        } else {
            fputs("\nrmse ", stdout);
            cli_print_double(r.rmse);
            fputs("\nmae ", stdout);
            cli_print_double(r.mae);
            fputs("\nr2 ", stdout);
            cli_print_double(r.r2);
        }
        putchar('\n');
        if (a.confusion)
            rc = print_confusion(net, d.n, K, y, d.y);
        if (rc == EXIT_OK && a.plot)
            rc = plot_eval(&a, net, &d, classifier);
    }
    free(y);
    xn_data_free(&d);
    xn_net_destroy(net);
    return rc;
}

static void print_matrix(const double *v, size_t rows, size_t cols)
{
    for (size_t i = 0; i < rows; i++) {
        for (size_t j = 0; j < cols; j++) {
            if (j)
                putchar(' ');
            cli_print_double(v[i * cols + j]);
        }
        putchar('\n');
    }
}

int cmd_grad(int argc, char **argv)
{
    args a;
    xn_net *net;
    xn_data d;
    int rc = start(&grad, argc, argv, &a, &net, &d);
    size_t L = net ? xn_net_layers(net) : 0;
    double loss = 0.0;
    if (rc == EXIT_OK) {
        xn_status s = xn_net_gradient(net, d.n, d.x, d.y, &loss);
        if (s == XN_ENUMERIC) {
            cli_error("grad: the loss or a gradient is not finite (the network overflows)");
            rc = EXIT_FAIL;
        } else if (s != XN_OK) {
            rc = run_failed("grad", s);
        }
    }
    /* the gradient as doubles (a float32 network has no double view):
     * layer by layer, W_l then b_l, as the parameters are laid out */
    double *g = NULL;
    if (rc == EXIT_OK && (!(g = malloc(xn_net_param_count(net) * sizeof *g)) ||
                          xn_net_get_grads(net, g) != XN_OK)) {
        cli_error("out of memory");
        rc = EXIT_FAIL;
    }
    if (rc == EXIT_OK) {
        fputs("loss ", stdout);
        cli_print_double(loss);
        putchar('\n');
        const double *p = g;
        for (size_t l = 1; l <= L; l++) {
            size_t in = xn_net_size(net, l - 1), out = xn_net_size(net, l);
            printf("dW%zu %zu %zu\n", l, in, out);
            print_matrix(p, in, out);
            p += in * out;
            printf("db%zu %zu\n", l, out);
            print_matrix(p, 1, out);
            p += out;
        }
    }
    free(g);
    xn_data_free(&d);
    xn_net_destroy(net);
    return rc;
}
