/* xornet export: a saved network as one C source file (and optionally a
 * header) that computes it with plain loops and <math.h> alone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "xornet/export.h"

static const char export_help[] =
    "usage: xornet export --model FILE --c FILE [--header FILE] [--name NAME]\n"
    "                     [--type double|float]\n"
    "\n"
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
    "plain-loop kernel).  Files are replaced atomically; nothing is printed.\n"
    "\n"
    "  --model FILE    the network (xornet model file)\n"
    "  --c FILE        the C source to write; - for standard output\n"
    "  --header FILE   also write a header with the declarations and sizes\n"
    "  --name NAME     prefix of the functions (default net): a C identifier of\n"
    "                  letters, digits and '_' starting with a letter, at most\n"
    "                  64 characters\n"
    "  --type T        element type of the code: double, or float (each\n"
    "                  parameter rounded to the nearest float, computed in\n"
    "                  float: expf, tanhf); default: the model's (double)\n"
    "\n"
    "Exit status: 0 written, 1 a file could not be written, 2 bad usage or a\n"
    "model that cannot be written in the type asked for.\n";

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
    const char *model = NULL, *c_path = NULL, *h_path = NULL;
    xn_export_opts o = {.name = "net", .type = XN_EXPORT_MODEL};
    for (int i = 0; i < argc; i++) {
        const char *v = NULL;
        int r;
        if (cli_is_help(argv[i])) {
            fputs(export_help, stdout);
            return EXIT_OK;
        } else if ((r = cli_opt(argc, argv, &i, "--model", &v)) != 0) {
            if (r < 0)
                return EXIT_USAGE;
            model = v;
        } else if ((r = cli_opt(argc, argv, &i, "--c", &v)) != 0) {
            if (r < 0)
                return EXIT_USAGE;
            c_path = v;
        } else if ((r = cli_opt(argc, argv, &i, "--header", &v)) != 0) {
            if (r < 0)
                return EXIT_USAGE;
            h_path = v;
        } else if ((r = cli_opt(argc, argv, &i, "--name", &v)) != 0) {
            if (r < 0)
                return EXIT_USAGE;
            if (xn_export_name_check(v) != XN_OK) {
                cli_error("--name: '%s' is not a C identifier of letters, digits and '_' "
                          "starting with a letter, at most %d long", v, XN_EXPORT_MAX_NAME);
                return EXIT_USAGE;
            }
            o.name = v;
        } else if ((r = cli_opt(argc, argv, &i, "--type", &v)) != 0) {
            if (r < 0)
                return EXIT_USAGE;
            if (xn_export_type_parse(v, &o.type) != XN_OK || o.type == XN_EXPORT_MODEL) {
                cli_error("--type: expected double or float, got '%s'", v);
                return EXIT_USAGE;
            }
        } else {
            return cli_unknown("export", argv[i]);
        }
    }
    if (!model || !c_path) {
        cli_error("export: --model FILE and --c FILE are required (see xornet export --help)");
        return EXIT_USAGE;
    }
    bool to_stdout = strcmp(c_path, "-") == 0;
    if (h_path && (strcmp(h_path, "-") == 0 || cli_same_file(h_path, c_path))) {
        cli_error("--header: needs a file of its own, not '%s'", h_path);
        return EXIT_USAGE;
    }
    const char *over = !to_stdout && cli_same_file(c_path, model) ? "--c"
                       : h_path && cli_same_file(h_path, model) ? "--header" : NULL;
    if (over) {
        cli_error("%s: %s is the model file --model reads", over, over[2] == 'c' ? c_path : h_path);
        return EXIT_USAGE;
    }

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
    o.model = model;
    o.made_by = cmd;
    if (!to_stdout) {
        s = xn_export_save(net, &o, c_path, h_path, &err);
    } else {
        /* the header first: a failure must not follow half a source on
         * standard output */
        s = h_path ? xn_export_save(net, &o, NULL, h_path, &err) : XN_OK;
        if (s == XN_OK && (s = xn_export_c(net, &o, stdout, &err)) == XN_EIO)
            snprintf(err.msg, sizeof err.msg, "standard output: cannot write");
    }
    int rc = EXIT_OK;
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
