/* The data a command runs on (load.c): the built-in XOR table or a file,
 * with the messages that name the file and line at fault. */
#ifndef XORNET_CLI_LOAD_H
#define XORNET_CLI_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "opts.h"
#include "xornet/xornet.h"

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

/* A data set read and described (xn_data_read, with ro), or IDX images
 * with their labels (labels_flag names the flag that gives them) described
 * as classes.  The error names the file and line, or through o the flag
 * of a read option the library refused (--target).  EXIT_OK, EXIT_USAGE,
 * EXIT_FAIL (memory). */
int cli_read_set(const char *path, const char *labels, const char *labels_flag, const xn_read_opts *ro,
                 const opts *o, xn_data *d, xn_description *desc);

/* How to read a file for the network net: its classes (labels, or class
 * ids 0..K-1 for a softmax without them), its output's kind of targets,
 * as many target columns as it has outputs; base gives the rest (header,
 * target columns). */
xn_read_opts cli_read_opts_for(const xn_net *net, const xn_read_opts *base);

#endif
