/* The strict line reader and the writer shared by model files (io.c) and
 * checkpoints (checkpoint.c): private to the library. */
#ifndef XORNET_MODELTEXT_H
#define XORNET_MODELTEXT_H

#include <stdio.h>

#include "src/engine/internal.h"
#include "src/util/text.h"

/* A model text being read: its lines, where to report, and the header
 * read so far. */
typedef struct {
    xn_lines t;
    xn_error *err;
    int version;
    size_t L;
    size_t sizes[XN_MAX_LAYERS + 1];
    xn_act acts[XN_MAX_LAYERS];
    xn_loss loss;
    xn_dtype dtype;
    size_t nparams;
    bool nonneg;        /* numbers read now may not be negative (second moments) */
} xn_mt_reader;

/* The next content line into (*s, *n), or an end-of-file error naming what
 * was expected. */
xn_status xn_mt_next_line(xn_mt_reader *r, const char **s, size_t *n, const char *what);
/* Whether the next content line starts with the word (nothing is read). */
bool xn_mt_next_is(const xn_mt_reader *r, const char *word);
/* The line's first token must be the keyword; *p is left after it. */
xn_status xn_mt_keyword(xn_mt_reader *r, const char *word, const char **p, const char **end);
/* Exactly cols numbers in [p, end) into dst (cols of the type: a float32
 * number must be in float's range), or nowhere if NULL. */
xn_status xn_mt_read_numbers(xn_mt_reader *r, const char *p, const char *end, size_t cols,
                             xn_dtype type, void *dst);
/* One line of exactly cols numbers. */
xn_status xn_mt_read_row(xn_mt_reader *r, size_t cols, xn_dtype type, void *dst, const char *what);
/* A line equal, token by token, to the words of want. */
xn_status xn_mt_expect_line(xn_mt_reader *r, const char *want);
/* The blocks <prefix>W1 <prefix>b1 ... of a vector laid out as net's
 * parameters, into v (nparams of the file's type), or checked and dropped
 * if v is NULL. */
xn_status xn_mt_read_blocks(xn_mt_reader *r, const xn_net *net, const char *prefix, void *v);
/* The rest of the text can hold `numbers` more numbers. */
bool xn_mt_room_for(const xn_mt_reader *r, size_t numbers);
/* "<key> <value>" at *p: a whole number up to max, or a double (the word
 * inf allowed). */
xn_status xn_mt_read_key_size(xn_mt_reader *r, const char **p, const char *end, const char *key,
                              size_t max, size_t *out);
xn_status xn_mt_read_key_double(xn_mt_reader *r, const char **p, const char *end, const char *key,
                                double *out);

/* n numbers of the type on a line, each so that it reads back to the
 * same bits; a vector laid out as net's parameters (its type) as blocks
 * <prefix>W1 .. <prefix>bL. */
void xn_mt_write_row(FILE *f, xn_dtype type, const void *v, size_t n);
void xn_mt_write_blocks(FILE *f, const xn_net *net, const char *prefix, const void *v);

/* A checkpoint's training state (checkpoint.c): written after the model's
 * blocks; read into net and ck, or checked and dropped if ck is NULL
 * (*has: it was there). */
void xn_mt_write_state(FILE *f, const xn_net *net, const xn_checkpoint *ck);
xn_status xn_mt_read_state(xn_mt_reader *r, xn_net *net, xn_checkpoint *ck, bool *has);
/* The rules of a checkpoint's state that xn_mt_read_state applies, for
 * the writer: XN_EINVAL or XN_ENUMERIC with why, so that nothing is
 * written that would not read back. */
xn_status xn_mt_check_state(const xn_net *net, const xn_checkpoint *ck, xn_error *err);

#endif
