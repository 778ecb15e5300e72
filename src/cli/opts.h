/* The program's options, one table a command.  A row names a flag, the
 * kind of its value (a number with its range, a name from one of the
 * library's name tables, a file read or written), the field of the
 * command's argument struct the value goes to, the library setting it
 * sets, and its help text.  From the table come the parsing, --help (and
 * through it the man page, tools/mkman.py), the lists of names in
 * messages, the flag named when the library refuses a setting, the
 * defaults applied to flags not given (copied from a defaults struct,
 * which --help prints too: one source for each default), and the check
 * that no file a command writes is one it reads or writes twice. */
#ifndef XORNET_CLI_OPTS_H
#define XORNET_CLI_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "xornet/xornet.h"

typedef enum {
    OPT_FLAG,    /* no value: stores .value (an int field); with .neg, the
                    flag .neg stores 0 */
    OPT_SIZE,    /* a whole number in [lo, hi], a size_t field */
    OPT_U64,     /* a whole number in [lo, hi], a uint64_t field */
    OPT_NUM,     /* a finite number, a double field: its range is the
                    library's (named by .setting) */
    OPT_NAME,    /* one name of the library's table .names, an enum field */
    OPT_TEXT,    /* a string the command reads itself */
    OPT_IN,      /* a file the command reads */
    OPT_OUT,     /* a file the command writes */
    OPT_DIR,     /* a folder the command writes into (.files names them) */
    OPT_CUSTOM,  /* .parse reads the value */
    OPT_SECTION  /* not an option: a heading of the help, .help its text */
} opt_kind;

typedef struct opt opt;
struct opt {
    const char *flag;  /* "--lr" */
    const char *neg;   /* OPT_FLAG: the flag that stores 0 ("--no-shuffle"), or NULL */
    const char *arg;   /* the value in the help ("X", "FILE"); NULL for a flag */
    opt_kind kind;
    size_t at, size;   /* offset and size of the field in the argument struct */
    uint64_t lo, hi;   /* OPT_SIZE, OPT_U64 */
    int value;         /* OPT_FLAG */
    const char *const *(*names)(size_t *count); /* OPT_NAME; OPT_CUSTOM may use it */
    const char *noun;  /* OPT_NAME: what a name is, for "unknown NOUN 'x' (...)" */
    /* OPT_CUSTOM: parses v into args; 0, or -1 after printing the error */
    int (*parse)(const opt *o, const char *v, void *args);
    const char *setting;  /* the library settings it sets, comma-separated
                             ("lr_step,lr_gamma"), for opts_blame */
    const char *replaces; /* OPT_OUT: the OPT_IN flags whose file it may
                             be (read before it is written), space-separated */
    const char *const *files; /* OPT_DIR: the names written into the folder */
    bool show_default;    /* --help prints "(default ...)" from the defaults */
    const char *help;     /* what it does; "{names}" becomes the name list */
};

/* A row's field: `.at` and `.size` of member m of struct type T. */
#define OPT_AT(T, m) .at = offsetof(T, m), .size = sizeof(((T *)0)->m)
#define OPT_SECTION(text) {.kind = OPT_SECTION, .help = text}

/* A command's table and what a parse found. */
enum { OPTS_MAX = 64 };
typedef struct {
    const char *cmd;         /* "train", for messages */
    const opt *rows;
    size_t n;
    /* --help: the usage line(s), the text before the options and after
     * them, and the defaults it prints (see opts_help) */
    const char *usage, *intro, *outro;
    const void *def, *alt;
    const char *def_name, *alt_name;
    bool hold_help;          /* -h returns OPTS_HELP without printing */
    bool given[OPTS_MAX];    /* row i was on the command line */
    const char *text[OPTS_MAX]; /* the value given (NULL for a flag) */
} opts;

enum { OPTS_HELP = -1 };

/* Parses argv against o's rows into args.  Returns EXIT_OK, OPTS_HELP for
 * -h or --help (the help printed unless o->hold_help; the commands return
 * it, and main exits 0), or EXIT_USAGE after printing why: an
 * unknown option, a missing value, a number out of its range, an unknown
 * name (with the table's list). */
int opts_parse(opts *o, int argc, char **argv, void *args);

/* Whether flag was given (false for a flag not in the table). */
bool opts_given(const opts *o, const char *flag);

/* Copies the field of every row not given from defaults (a struct of the
 * same type as args) into args. */
void opts_defaults(const opts *o, void *args, const void *defaults);

/* Copies from `from` into `to` (structs of the args' type) the field of
 * every row that lies in bytes [lo, hi) of the struct: e.g. the fields of
 * a member that some flags set, over defaults for the rest of it. */
void opts_copy_rows(const opts *o, const void *from, void *to, size_t lo, size_t hi);

/* The first row given whose field lies in bytes [lo, hi) and differs
 * between structs a and b, or NULL. */
const opt *opts_given_differs(const opts *o, const void *a, const void *b, size_t lo, size_t hi);

/* Prints the usage, intro, every row by section, and the outro.  A row
 * with show_default says "(default V)", V from o->def (printed from the
 * field), or "(default V A, W B)" when o->alt differs there, with A and B
 * the two structs' names ("for XOR", "with --data"); alt may be NULL. */
void opts_help(FILE *f, const opts *o);

/* Number parsers: the whole string must be the number.  On failure they
 * print "xornet: <flag>: <why> '<s>'" and return -1; 0 on success. */
int cli_parse_double(const char *flag, const char *s, double *out);
int cli_parse_size(const char *flag, const char *s, size_t min, size_t max, size_t *out);
int cli_parse_u64(const char *flag, const char *s, uint64_t *out);
/* A comma-separated list of sizes ("2,10,1"); at most max items. */
int cli_parse_sizes(const char *flag, const char *s, size_t *out, size_t max, size_t *count);

/* "a, b or c": the names of a table, for a help line or a message. */
const char *opts_name_list(char *buf, size_t cap, const char *const *(*names)(size_t *count));

/* The library refused a setting (err from one of its checkers): prints
 * "FLAG: why, got 'VALUE'" naming the row that sets err->setting, or "FLAG:
 * why" when the flag was not given (a default), or the bare message when no
 * row sets it.  Returns EXIT_USAGE. */
int opts_blame(const opts *o, const xn_error *err);

/* The files a run writes (OPT_OUT rows and the files of OPT_DIR rows) are
 * neither a file it reads (OPT_IN rows, but those an OPT_OUT row
 * .replaces) nor one another.  Prints why not; EXIT_OK or EXIT_USAGE. */
int opts_check_paths(const opts *o, const void *args);

#endif
