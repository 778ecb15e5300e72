/* Shared pieces of the xornet program: exit codes, the commands, error
 * printing, standard output and small formatting helpers.  Options are
 * opts.h's, data loading load.h's, the files written paths.h's.  Each
 * subcommand lives in its own cmd_*.c file with the signature of cli_cmd. */
#ifndef XORNET_CLI_H
#define XORNET_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xornet/xornet.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

typedef int (*cli_cmd)(int argc, char **argv);

int cmd_train(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_grad(int argc, char **argv);
int cmd_approx(int argc, char **argv);
int cmd_models(int argc, char **argv);
int cmd_export(int argc, char **argv);

/* Prints "xornet: <message>" and a newline to standard error, always as one
 * line: control characters (a newline in a file name, an escape sequence)
 * become '?', as the readers quote file contents. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Holds the messages back instead (the first is kept), until
 * cli_release_errors, which prints the held one if print, and says
 * whether there was one: under mpirun, so that one rank speaks for all. */
void cli_hold_errors(void);
bool cli_release_errors(bool print);
/* Prints "xornet: <path>:<line>: <msg>" (no line part when err->line is 0),
 * or "xornet: <path>: <strerror(s)>" when err has no message. */
void cli_file_error(const char *path, xn_status s, const xn_error *err);

/* True if argv[i] is -h or --help. */
bool cli_is_help(const char *arg);
/* Prints "xornet: <cmd>: unknown option '<arg>' (see xornet <cmd> --help)". */
int cli_unknown(const char *cmd, const char *arg);

/* Where the C library allows it (glibc), standard output becomes a stream
 * over descriptor 1 that keeps the errno of its first failed write, for
 * cli_exit's message; main calls it first.  Elsewhere it does nothing and
 * that message may lack the reason. */
void cli_stdout_init(void);

/* fflush(stdout), keeping the errno of the first failure for cli_exit:
 * stdio keeps only an error flag, and errno is long overwritten by then.
 * The program flushes standard output with this, never with fflush. */
void cli_flush(void);

/* Why writing standard output failed, as cli_exit says it ("No space left
 * on device"); "cannot write" when the reason was lost. */
const char *cli_stdout_error(void);

/* The last thing main does: flushes and closes standard output and turns a
 * failure there ("No space left on device" on /dev/full, say) into one
 * line and EXIT_FAIL, unless rc already reports a failure (whose message
 * is out).  Returns the exit status. */
int cli_exit(int rc);

/* v for a message: "%g", or "not finite" in words, never "nan" or "inf".
 * buf holds at least 32 bytes; returns buf. */
const char *cli_num(char *buf, double v);

/* After drawing a picture: prints "wrote PATH" on success, else
 * "xornet: --plot: <why>"; true on success.  ok and why come from plot.h's
 * plot_status and plot_error. */
bool cli_plot_result(bool ok, const char *why, const char *path);

/* Prints v with 17 significant digits: round-trips every double. */
void cli_print_double(double v);

/* "s" unless n is 1: "%zu input%s", n, cli_plural(n). */
const char *cli_plural(size_t n);

#endif
