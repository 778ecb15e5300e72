/* Shared pieces of the xornet program: exit codes, error printing, option
 * and number parsing, and loading the data a command works on.  Each
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

/* If argv[*i] is `flag` or `flag=value`: sets *value (taking the next
 * argument in the first form and advancing *i) and returns 1.  Returns 0 if
 * argv[*i] is something else, and -1 after printing an error if the value
 * is missing. */
int cli_opt(int argc, char **argv, int *i, const char *flag, const char **value);
/* True if argv[i] is -h or --help. */
bool cli_is_help(const char *arg);
/* Prints "xornet: <cmd>: unknown option '<arg>' (see xornet <cmd> --help)". */
int cli_unknown(const char *cmd, const char *arg);

/* Number parsers: the whole string must be the number.  On failure they
 * print "xornet: <flag>: <why> '<s>'" and return -1; 0 on success. */
int cli_parse_double(const char *flag, const char *s, double *out);
int cli_parse_size(const char *flag, const char *s, size_t min, size_t max, size_t *out);
int cli_parse_u64(const char *flag, const char *s, uint64_t *out);
/* A comma-separated list of sizes ("2,10,1"); at most max items. */
int cli_parse_sizes(const char *flag, const char *s, size_t *out, size_t max, size_t *count);

/* The data a command runs on: the built-in XOR table when path is NULL,
 * else xn_data_load(path, outputs).  An IDX image file is read as inputs
 * only when outputs is 0, and refused with a hint to give its labels
 * otherwise.  Prints the error and returns EXIT_USAGE on bad input
 * (EXIT_FAIL when memory runs out); EXIT_OK on success. */
int cli_load_data(const char *path, size_t outputs, xn_data *d);
/* IDX data: the image file as inputs and, when labels is not NULL, the
 * label file's class ids as one-hot targets of `classes` columns (0: the
 * largest label + 1).  The error names the file at fault; exit codes as
 * for cli_load_data. */
int cli_load_idx(const char *images, const char *labels, size_t classes, xn_data *d);
/* Before IDX images are read: the width their header gives against the
 * model's n0 inputs (0: any), and a label file's count against the
 * images', from the headers alone, so a file that does not fit is refused
 * before it is inflated.  Other files pass.  Prints the error; EXIT_OK,
 * EXIT_USAGE or EXIT_FAIL. */
int cli_idx_precheck(const char *images, const char *labels, size_t n0);
/* CSV or FANN data whose one target column holds class ids, read as
 * one-hot targets of `classes` columns (0: the largest id + 1); a bad id is
 * named by its line. */
int cli_load_classes(const char *path, size_t classes, xn_data *d);
/* The data, with targets, of a network of n0 inputs and nL outputs: IDX
 * images with their labels (an IDX image file needs labels); CSV rows of
 * n0 + nL columns end in nL targets, rows of n0 + 1 columns with nL > 1
 * end in a class id, read as one-hot targets (a FANN file of n0 inputs and
 * one output likewise); any other shape is returned as read (a CSV as all
 * inputs, out 0), for the caller to say what the file has and what the
 * network takes.  IDX images without labels are refused, naming
 * labels_flag (--labels, --val-labels, --test-labels). */
int cli_load_targets(const char *path, const char *labels, const char *labels_flag, size_t n0, size_t nL,
                     xn_data *d);
/* True if the file at path starts as IDX data does (00 00, then a type
 * code) or as a gzip stream (1f 8b); false if it cannot be read or is not a
 * regular file (a FIFO or standard input is read as text, once). */
bool cli_is_idx(const char *path);
/* "path:LINE" with the line of d's first row (which has the columns), or
 * "path" for data without lines. */
void cli_where(char *buf, size_t cap, const char *path, const xn_data *d);
/* Says what a data file that does not fit the model has, and what the
 * model takes (what: the command or option that reads it); returns
 * EXIT_USAGE.  d is the file as read: a CSV as all columns (d->out 0),
 * FANN and IDX data (images) with their own split.  targets: whether the
 * rows must hold the model's targets too. */
int cli_shape_error(const char *what, const char *path, bool images, const xn_data *d, size_t n0,
                    size_t nL, bool targets);

/* A file the command will write (--save, --history): checked before any
 * work is done, so that a long run does not end in "cannot write".  Prints
 * the error; EXIT_OK or EXIT_FAIL. */
int cli_check_output(const char *path);
/* Whether paths a and b name the same regular file: the same device and
 * inode if both exist (never for a device or FIFO, which takes any number
 * of writers), else the same name in the same real folder. */
bool cli_same_file(const char *a, const char *b);

/* xn_net_save with the signals held (cleanup.h), after flushing standard
 * output (the path may be /dev/stdout).  Prints the error; 0 or -1. */
int cli_save_model(const xn_net *net, const char *path);

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

/* dir "/" name into buf (one slash, however dir ends); false after printing
 * "xornet: <flag>: path too long" if it does not fit. */
bool cli_join_path(char *buf, size_t size, const char *dir, const char *name, const char *flag);

/* After drawing a picture: prints "wrote PATH" on success, else
 * "xornet: --plot: <why>"; true on success.  ok and why come from plot.h's
 * plot_status and plot_error. */
bool cli_plot_result(bool ok, const char *why, const char *path);

/* Prints v with 17 significant digits: round-trips every double. */
void cli_print_double(double v);

/* "s" unless n is 1: "%zu input%s", n, cli_plural(n). */
const char *cli_plural(size_t n);

#endif
