/* The xornet program: dispatches to the subcommands, after installing the
 * signal handler that removes its temporary files (cleanup.h), and checks
 * standard output before it exits (cli_exit). */
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "cli.h"
#include "cli_mpi.h"
#include "opts.h"

static const struct {
    const char *name;
    cli_cmd run;
    const char *what;
} commands[] = {
    {"train", cmd_train, "train a network (built-in XOR data unless --data)"},
    {"predict", cmd_predict, "print a saved network's outputs for each input row"},
    {"eval", cmd_eval, "print a saved network's loss and accuracy"},
    {"grad", cmd_grad, "print the loss and every gradient of a saved network"},
    {"approx", cmd_approx, "fit a ReLU network to a sampled function (LAPACKE)"},
    {"models", cmd_models, "rerun the notebooks' XOR experiments in one table"},
    {"export", cmd_export, "write a saved network as one dependency-free C file"},
};

static void usage(FILE *f)
{
    fputs("usage: xornet <command> [options]\n\ncommands:\n", f);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].what);
    fputs("\nxornet <command> --help describes a command's options.\n"
          "Exit status: 0 success, 1 the work failed, 2 bad usage or bad input.\n", f);
}

static int run(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (cli_is_help(argv[1])) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("xornet %d.%d\n", XN_VERSION_MAJOR, XN_VERSION_MINOR);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0) {
            cli_mpi_start(&argc, &argv); /* under mpirun: join the run */
            int rc = commands[i].run(argc - 2, argv + 2);
            cli_mpi_stop();
            return rc == OPTS_HELP ? EXIT_OK : rc; /* --help printed */
        }
    cli_error("unknown command '%s' (see xornet --help)", argv[1]);
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    cli_signals_init();
    cli_stdout_init();
    return cli_exit(run(argc, argv));
}
