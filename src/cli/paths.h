/* The files a command writes (paths.c). */
#ifndef XORNET_CLI_PATHS_H
#define XORNET_CLI_PATHS_H

#include <stdbool.h>
#include <stddef.h>

#include "xornet/xornet.h"

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

/* dir "/" name into buf (one slash, however dir ends); false after printing
 * "xornet: <flag>: path too long" if it does not fit. */
bool cli_join_path(char *buf, size_t size, const char *dir, const char *name, const char *flag);

#endif
