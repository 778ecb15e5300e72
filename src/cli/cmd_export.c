/* xornet export: a saved network as one C source file (and optionally a
 * header) that computes it with plain loops and <math.h> alone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cli.h"
#include "paths.h"
#include "opts.h"
#include "xornet/export.h"

typedef struct {
    const char *model, *c_path, *h_path;
    xn_export_opts o;
    opts given;
} args;

static int parse_name(const opt *r, const char *v, void *p)
{
    if (xn_export_name_check(v) != XN_OK) {
        cli_error("%s: '%s' is not a C identifier of letters, digits and '_' starting with a letter, "
                  "at most %d long", r->flag, v, XN_EXPORT_MAX_NAME);
        return -1;
    }
    ((args *)p)->o.name = v;
    return 0;
}

static int parse_type(const opt *r, const char *v, void *p)
{
    args *a = p;
    if (xn_export_type_parse(v, &a->o.type) != XN_OK || a->o.type == XN_EXPORT_MODEL) {
        cli_error("%s: expected double or float, got '%s'", r->flag, v);
        return -1;
    }
    return 0;
}

#define AT(m) OPT_AT(args, m)
static const opt rows[] = {
    {.flag = "--model", .arg = "FILE", .kind = OPT_IN, AT(model), .help = "the network (xornet model file)"},
    {.flag = "--c", .arg = "FILE", .kind = OPT_OUT, AT(c_path), .help = "the C source to write; - for standard output"},
    {.flag = "--header", .arg = "FILE", .kind = OPT_OUT, AT(h_path),
     .help = "also write a header with the declarations and sizes"},
    {.flag = "--name", .arg = "NAME", .kind = OPT_CUSTOM, .parse = parse_name,
     .help = "prefix of the functions (default net): a C identifier of letters, digits and '_' starting "
             "with a letter, at most 64 characters"},
    {.flag = "--type", .arg = "T", .kind = OPT_CUSTOM, .parse = parse_type,
     .help = "element type of the code: double, or float (each parameter rounded to the nearest float, "
             "computed in float: expf, tanhf); default: the model's (double)"},
};

static const char usage[] = "usage: xornet export --model FILE --c FILE [--header FILE] [--name NAME]\n"
                            "                     [--type double|float]";
static const char intro[] =
    "Writes the saved network as one C99 source file that computes it with\n"
    "plain loops and <math.h> alone (no xornet, no BLAS, no global state), and\n"
    "optionally a header declaring it.  With T the element type it defines\n"
    "  void NAME_predict(const T *x, T *y)                one row, scratch on\n"
    "                                                     the stack\n"
    "  void NAME_predict_work(const T *x, T *y, T *work)  one row, the caller's\n"
    "                                                     scratch (small stacks)\n"
    "  void NAME_predict_batch(unsigned long n, const T *x, T *y)   n rows\n"
    "and the header adds the sizes NAME_INPUTS, NAME_OUTPUTS and NAME_WORK.\n"
    "In double the outputs equal `xornet predict`'s (bit for bit with the\n"
    "plain-loop kernel).  Files are replaced atomically; nothing is printed.\n";
static const char outro[] =
    "Exit status: 0 written, 1 a file could not be written, 2 bad usage or a\n"
    "model that cannot be written in the type asked for.\n";

static int parse_args(int argc, char **argv, args *a)
{
    *a = (args){.o = {.name = "net", .type = XN_EXPORT_MODEL},
                .given = {.cmd = "export", .rows = rows, .n = sizeof rows / sizeof rows[0], .usage = usage,
                          .intro = intro, .outro = outro}};
    int rc = opts_parse(&a->given, argc, argv, a);
    if (rc != EXIT_OK)
        return rc;
    if (!a->model || !a->c_path) {
        cli_error("export: --model FILE and --c FILE are required (see xornet export --help)");
        return EXIT_USAGE;
    }
    if (a->h_path && (strcmp(a->h_path, "-") == 0 || cli_same_file(a->h_path, a->c_path))) {
        cli_error("--header: needs a file of its own, not '%s'", a->h_path);
        return EXIT_USAGE;
    }
    return opts_check_paths(&a->given, a);
}

/* "xornet export ARGS..." for the generated file's opening comment. */
static char *command_line(int argc, char **argv)
{
    size_t len = sizeof "xornet export";
    for (int i = 0; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *s = malloc(len);
    if (!s)
        return NULL;
    strcpy(s, "xornet export");
    for (int i = 0; i < argc; i++) {
        strcat(s, " ");
        strcat(s, argv[i]);
    }
    return s;
}

int cmd_export(int argc, char **argv)
{
    args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != EXIT_OK)
        return rc;
    const char *model = a.model, *c_path = a.c_path, *h_path = a.h_path;
    bool to_stdout = strcmp(c_path, "-") == 0;
    xn_net *net = NULL;
    xn_error err = {0};
    xn_status s = xn_net_load(&net, model, &err);
    if (s != XN_OK) {
        cli_file_error(model, s, &err);
        return s == XN_ENOMEM ? EXIT_FAIL : EXIT_USAGE;
    }
    char *cmd = command_line(argc, argv);
    if (!cmd) {
        xn_net_destroy(net);
        cli_error("out of memory");
        return EXIT_FAIL;
    }
    xn_export_opts o = a.o;
    o.model = model;
    o.made_by = cmd;
    /* held: a signal waits until the files are renamed into place or their
     * temporary files removed, as around train's saves (cleanup.h) */
    cli_flush(); /* a path may be /dev/stdout: what was printed comes first */
    cli_hold_signals();
    if (!to_stdout) {
        s = xn_export_save(net, &o, c_path, h_path, &err);
    } else {
        /* the header first: a failure must not follow half a source on
         * standard output */
        s = h_path ? xn_export_save(net, &o, NULL, h_path, &err) : XN_OK;
        if (s == XN_OK && (s = xn_export_c(net, &o, stdout, &err)) == XN_EIO)
            snprintf(err.msg, sizeof err.msg, "standard output: %s", cli_stdout_error());
    }
    cli_release_signals();
    if (s == XN_EIO) {
        cli_error("%s", err.msg); /* "PATH: why" */
        rc = EXIT_FAIL;
    } else if (s != XN_OK) {
        cli_file_error(model, s, &err);
        rc = s == XN_ENOMEM ? EXIT_FAIL : EXIT_USAGE;
    }
    free(cmd);
    xn_net_destroy(net);
    return rc;
}
