/* The agreement of a data-parallel run (agree.h), and the fingerprints it
 * compares.
 *
 * Every rank writes one row into a vector of zeros, at its own place, and
 * the reduce hook sums the vector: adding zeros is exact, so every rank
 * receives every rank's row, an all-gather made of the one collective the
 * hook offers.  A row holds the rank's status, a fingerprint of the
 * settings' names, each setting's 64-bit value as two 32-bit halves (a
 * double holds either exactly) and the rank's message, four bytes a
 * double.  The rows are gathered RANKS_A_SUM at a time in a buffer on the
 * stack, so the agreement allocates nothing and cannot fail on one rank
 * alone; a run of up to RANKS_A_SUM ranks agrees in one sum. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "agree.h"
#include "src/util/text.h"

/* A setting as compared: the public kinds, and those of xn_fit's own
 * settings that name a value of an enum. */
enum { WORD_DTYPE = 100, WORD_SCHEDULE, WORD_OPT, WORD_SPLIT };
typedef struct {
    const char *name;
    int kind;
    uint64_t value;
} setting;

enum {
    OWN_MAX = 40,                                  /* xn_fit's own settings */
    MAX_SETTINGS = OWN_MAX + XN_FIT_MAX_SETTINGS,
    MSG_WORDS = sizeof ((xn_net *)0)->error / 4,   /* the message, 4 bytes a word */
    AT_VALUES = 3,                                 /* status, names (2 halves) */
    AT_MSG = AT_VALUES + 2 * MAX_SETTINGS,
    ROW = AT_MSG + MSG_WORDS,
    RANKS_A_SUM = 16
};
_Static_assert(sizeof ((xn_net *)0)->error % 4 == 0, "the message packs into 4-byte words");

uint64_t xn_setting_real(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return u;
}

/* ---- fingerprints ------------------------------------------------------- */

static const uint64_t K1 = 0x9e3779b185ebca87u, K2 = 0xc2b2ae3d27d4eb4fu, K3 = 0x165667b19e3779f9u;

static uint64_t rotl(uint64_t x, int r) { return x << r | x >> (64 - r); }

static uint64_t mix(uint64_t lane, uint64_t w) { return rotl(lane + w * K2, 31) * K1; }

uint64_t xn_fingerprint(uint64_t h, const void *p, size_t len)
{
    /* xxHash64's round (Collet) on four independent lanes, so a whole data
     * set is read at memory speed; equal bytes, equal fingerprint, and a
     * changed byte changes it but for a 2^-64 chance */
    const unsigned char *b = p;
    uint64_t l[4] = {h + K1 + K2, h + K2, h, h - K1}, w;
    size_t i = 0;
    if (!b)
        len = 0;
    for (; i + 32 <= len; i += 32)
        for (int k = 0; k < 4; k++) {
            memcpy(&w, b + i + 8 * k, sizeof w);
            l[k] = mix(l[k], w);
        }
    uint64_t r = rotl(l[0], 1) + rotl(l[1], 7) + rotl(l[2], 12) + rotl(l[3], 18) + (uint64_t)len;
    for (; i + 8 <= len; i += 8) {
        memcpy(&w, b + i, sizeof w);
        r = rotl(r ^ mix(0, w), 27) * K1 + K3;
    }
    for (; i < len; i++)
        r = rotl(r ^ (uint64_t)b[i] * K3, 11) * K1;
    r ^= r >> 33;
    r *= K2;
    r ^= r >> 29;
    r *= K3;
    return r ^ (r >> 32);
}

static uint64_t fp_u64(uint64_t h, uint64_t v) { return xn_fingerprint(h, &v, sizeof v); }

/* ---- the rows ------------------------------------------------------------ */

static void put64(double *r, uint64_t v)
{
    r[0] = (double)(uint32_t)(v >> 32);
    r[1] = (double)(uint32_t)v;
}

static uint64_t get64(const double *r) { return (uint64_t)r[0] << 32 | (uint64_t)r[1]; }

/* The names and kinds in order, and how many: ranks built otherwise (another
 * program, or another version of it) cannot be compared value by value. */
static uint64_t names_of(const setting *s, size_t n)
{
    uint64_t h = fp_u64(0, n);
    for (size_t i = 0; i < n; i++)
        h = fp_u64(xn_fingerprint(h, s[i].name, strlen(s[i].name)), (uint64_t)s[i].kind);
    return h;
}

static void make_row(double *row, xn_status local, const char *msg, const setting *s, size_t n)
{
    row[0] = (double)local;
    if (local == XN_OK) {
        put64(row + 1, names_of(s, n));
        for (size_t i = 0; i < n; i++)
            put64(row + AT_VALUES + 2 * i, s[i].value);
    }
    size_t len = strlen(msg);
    for (size_t k = 0; k < MSG_WORDS; k++) {
        uint32_t w = 0;
        for (size_t j = 0; j < 4; j++)
            w = w << 8 | (4 * k + j < len ? (unsigned char)msg[4 * k + j] : 0u);
        row[AT_MSG + k] = (double)w;
    }
}

static void row_msg(const double *row, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < MSG_WORDS && k + 1 < cap; i++) {
        uint32_t w = (uint32_t)row[AT_MSG + i];
        for (int j = 3; j >= 0 && k + 1 < cap; j--)
            out[k++] = (char)(w >> (8 * j) & 0xffu);
    }
    out[k] = '\0';
}

/* ---- the message ---------------------------------------------------------- */

/* A value as the message shows it. */
static const char *shown(char buf[XN_DOUBLE_CHARS], int kind, uint64_t v)
{
    double d;
    switch (kind) {
    case XN_SETTING_REAL:
        memcpy(&d, &v, sizeof d);
        return xn_format_shortest(buf, d); /* '.' whatever the locale */
    case XN_SETTING_SWITCH:
        return v ? "on" : "off";
    case WORD_DTYPE:
        return v <= XN_FLOAT32 ? xn_dtype_name((xn_dtype)v) : "?";
    case WORD_SCHEDULE:
        return v <= XN_SCHEDULE_COSINE ? xn_schedule_name((xn_schedule)v) : "?";
    case WORD_OPT:
        return v <= XN_OPT_ADAM ? xn_opt_name((xn_opt_kind)v) : "?";
    case WORD_SPLIT:
        return v <= XN_SPLIT_LAST ? xn_split_name((xn_split)v) : "?";
    default:
        snprintf(buf, XN_DOUBLE_CHARS, "%" PRIu64, v);
        return buf;
    }
}

static xn_status differs(xn_net *net, size_t rank, const setting *s, uint64_t mine, uint64_t first)
{
    char a[XN_DOUBLE_CHARS], b[XN_DOUBLE_CHARS];
    const char *va = shown(a, s->kind, mine), *vb = shown(b, s->kind, first);
    switch (s->kind) {
    case XN_SETTING_COUNT:
        return xn_net_fail(net, XN_EINVAL, "fit: rank %zu has %s %s, rank 0 has %s", rank, va, s->name, vb);
    case XN_SETTING_SWITCH:
        return xn_net_fail(net, XN_EINVAL, "fit: rank %zu has %s %s, rank 0 has it %s", rank, s->name, va, vb);
    case XN_SETTING_FINGERPRINT:
        return xn_net_fail(net, XN_EINVAL, "fit: rank %zu has other %s than rank 0", rank, s->name);
    default:
        return xn_net_fail(net, XN_EINVAL, "fit: rank %zu has %s %s, rank 0 has %s", rank, s->name, va, vb);
    }
}

/* ---- the comparison -------------------------------------------------------- */

static xn_status agree(xn_net *net, const xn_fit_config *c, xn_status local, const setting *s, size_t n)
{
    double buf[RANKS_A_SUM * ROW], first[ROW];
    size_t P = c->ranks, me = c->rank;
    /* the lowest rank whose checks failed; else the first setting (0: the
     * names) that differs and the lowest rank differing in it */
    size_t failed = P, diff_rank = P, diff_at = SIZE_MAX;
    xn_status failed_status = XN_OK;
    char failed_msg[sizeof net->error];
    uint64_t diff_mine = 0, diff_first = 0;
    char msg[sizeof net->error];
    snprintf(msg, sizeof msg, "%s", local == XN_OK ? "" : net->error);
    for (size_t b0 = 0; b0 < P; b0 += RANKS_A_SUM) {
        size_t count = P - b0 < RANKS_A_SUM ? P - b0 : RANKS_A_SUM;
        memset(buf, 0, count * ROW * sizeof *buf);
        if (me >= b0 && me < b0 + count)
            make_row(buf + (me - b0) * ROW, local, msg, s, n);
        if (c->reduce(buf, count * ROW, XN_FLOAT64, c->reduce_ctx) != 0)
            return xn_net_fail(net, XN_EIO, "fit: the reduce hook failed");
        if (b0 == 0)
            memcpy(first, buf, sizeof first);
        for (size_t r = b0; r < b0 + count; r++) {
            const double *row = buf + (r - b0) * ROW;
            if (row[0] != XN_OK) {
                if (failed == P) {
                    failed = r;
                    failed_status = (xn_status)row[0];
                    row_msg(row, failed_msg, sizeof failed_msg);
                }
                continue;
            }
            if (first[0] != XN_OK)
                continue; /* rank 0 failed: that is the message */
            size_t at = get64(row + 1) != get64(first + 1) ? 0 : SIZE_MAX;
            for (size_t i = 0; at == SIZE_MAX && i < n; i++)
                if (get64(row + AT_VALUES + 2 * i) != get64(first + AT_VALUES + 2 * i))
                    at = i + 1;
            if (at < diff_at) {
                diff_at = at;
                diff_rank = r;
                if (at > 0) {
                    diff_mine = get64(row + AT_VALUES + 2 * (at - 1));
                    diff_first = get64(first + AT_VALUES + 2 * (at - 1));
                }
            }
        }
    }
    if (failed < P) {
        const char *why = strncmp(failed_msg, "fit: ", 5) == 0 ? failed_msg + 5 : failed_msg;
        return xn_net_fail(net, failed_status, "fit: rank %zu: %s", failed, why);
    }
    if (diff_at == 0)
        return xn_net_fail(net, XN_EINVAL, "fit: rank %zu has other settings than rank 0 (another program, "
                                           "or another version of it)", diff_rank);
    if (diff_at != SIZE_MAX)
        return differs(net, diff_rank, &s[diff_at - 1], diff_mine, diff_first);
    return XN_OK;
}

/* ---- what xn_fit compares ------------------------------------------------ */

static uint64_t fp_rows(uint64_t h, size_t n, size_t k, const double *v)
{
    return v ? xn_fingerprint(h, v, n * k * sizeof *v) : h;
}

/* The network's parameters and standardization. */
static uint64_t fp_weights(const xn_net *net)
{
    size_t n0 = net->sizes[0], K = net->sizes[net->L];
    uint64_t h = xn_fingerprint(0, net->params, net->nparams * net->engine->size);
    return fp_rows(fp_rows(fp_rows(fp_rows(h, 1, n0, net->mean), 1, n0, net->sd), 1, K, net->ymean), 1, K,
                   net->ysd);
}

/* The optimizer, field by field (the struct has padding), its step count,
 * its moments, and the loss's clipping. */
static uint64_t fp_optimizer(const xn_net *net)
{
    const xn_opt *o = &net->opt;
    double f[] = {o->lr, o->momentum, o->beta1, o->beta2, o->eps, o->weight_decay, o->l2, o->mu, o->mu_dec,
                  o->mu_inc, o->mu_max, o->gtol, o->ftol, net->clip};
    uint64_t w[] = {(uint64_t)o->kind, net->opt_t, o->nesterov, o->eps_raw, o->lm_max_bytes, o->memory,
                    o->max_line_search, o->max_evals};
    uint64_t h = xn_fingerprint(xn_fingerprint(0, w, sizeof w), f, sizeof f);
    size_t bytes = net->nparams * net->engine->size;
    return net->train ? xn_fingerprint(xn_fingerprint(h, net->m, bytes), net->v, bytes) : h;
}

/* The stream's state field by field (the struct has padding). */
static uint64_t fp_rng(const xn_rng *g)
{
    if (!g)
        return 0;
    uint64_t h = xn_fingerprint(0, g->mt, sizeof g->mt);
    h = fp_u64(fp_u64(fp_u64(h, (uint64_t)g->mti), (uint64_t)g->kind), (uint64_t)g->has_gauss);
    return fp_u64(h, xn_setting_real(g->gauss));
}

static uint64_t fp_resume(const xn_net *net, const xn_fit_config *c)
{
    const xn_fit_state *s = c->resume;
    if (!s)
        return 0;
    uint64_t h = fp_u64(fp_u64(0, s->best_epoch), s->wait);
    h = fp_u64(fp_u64(h, xn_setting_real(s->best_loss)), xn_setting_real(s->lr0));
    return c->resume_best ? xn_fingerprint(h, c->resume_best, net->nparams * net->engine->size) : h;
}

xn_status xn_fit_agree(xn_net *net, const xn_rows *d, const xn_fit_config *c, xn_status local, size_t n,
                       size_t nv, size_t B)
{
    setting s[MAX_SETTINGS];
    size_t k = 0;
    if (local == XN_OK) {
        size_t L = net->L, n0 = net->sizes[0], K = net->sizes[L];
        uint64_t shape = xn_fingerprint(fp_u64(0, L), net->sizes, (L + 1) * sizeof net->sizes[0]);
        for (size_t l = 1; l <= L; l++)
            shape = fp_u64(shape, (uint64_t)net->acts[l]);
        shape = fp_u64(shape, (uint64_t)net->loss);
        size_t es = d->dtype == XN_FLOAT32 ? sizeof(float) : sizeof(double); /* the rows as they lie */
        uint64_t data = xn_fingerprint(xn_fingerprint(fp_u64(0, (uint64_t)d->dtype), d->x, d->n * d->in * es), d->y,
                                       d->n * d->out * es);
        uint64_t val = c->val ? fp_rows(fp_rows(0, c->val->n, c->val->in, c->val->x), c->val->n,
                                        c->val->out, c->val->y)
                              : 0;
        bool step = c->schedule == XN_SCHEDULE_STEP, expo = c->schedule == XN_SCHEDULE_EXPONENTIAL,
             cosine = c->schedule == XN_SCHEDULE_COSINE;
        double lr0 = c->resume ? c->resume->lr0 : net->opt.lr;
        for (size_t i = 0; i < c->n_settings; i++) /* the caller's first: its seed says more than weights */
            s[k++] = (setting){c->settings[i].name, (int)c->settings[i].kind, c->settings[i].value};
        const setting own[] = {
            {"inputs", XN_SETTING_COUNT, n0},
            {"outputs", XN_SETTING_COUNT, K},
            {"layers", XN_SETTING_COUNT, L},
            {"network (activations, loss)", XN_SETTING_FINGERPRINT, shape},
            {"element type", WORD_DTYPE, (uint64_t)net->dtype},
            {"training rows", XN_SETTING_COUNT, n},
            {"validation rows", XN_SETTING_COUNT, nv},
            {"training data", XN_SETTING_FINGERPRINT, data},
            {"validation data", XN_SETTING_FINGERPRINT, val},
            {"split", WORD_SPLIT, (uint64_t)c->split},
            {"split seed", XN_SETTING_NUMBER, c->split_seed},
            {"epochs", XN_SETTING_COUNT, c->epochs},
            {"rows a batch", XN_SETTING_COUNT, B},
            {"shuffling", XN_SETTING_SWITCH, c->shuffle},
            {"shuffling stream", XN_SETTING_FINGERPRINT, c->shuffle ? fp_rng(c->rng) : 0},
            {"reshuffling", XN_SETTING_SWITCH, c->shuffle && c->reshuffle},
            {"the rate set by the callbacks", XN_SETTING_SWITCH, c->callback_lr},
            {"patience", XN_SETTING_NUMBER, c->patience},
            {"min_delta", XN_SETTING_REAL, xn_setting_real(c->min_delta)},
            {"restore_best", XN_SETTING_SWITCH, c->restore_best},
            {"schedule", WORD_SCHEDULE, (uint64_t)c->schedule},
            {"lr_gamma", XN_SETTING_REAL, xn_setting_real(step || expo ? c->lr_gamma : 0.0)},
            {"lr_step", XN_SETTING_NUMBER, step ? c->lr_step : 0},
            {"lr_min", XN_SETTING_REAL, xn_setting_real(cosine ? c->lr_min : 0.0)},
            {"a target loss", XN_SETTING_SWITCH, c->stop_at_target},
            {"target loss", XN_SETTING_REAL, xn_setting_real(c->stop_at_target ? c->target_loss : 0.0)},
            {"input standardization", XN_SETTING_SWITCH, c->standardize},
            {"target standardization", XN_SETTING_SWITCH, c->standardize_targets},
            {"optimizer", WORD_OPT, (uint64_t)net->opt.kind},
            {"learning rate", XN_SETTING_REAL, xn_setting_real(lr0)},
            {"optimizer state", XN_SETTING_FINGERPRINT, fp_optimizer(net)},
            {"weights", XN_SETTING_FINGERPRINT, fp_weights(net)},
            {"epochs done", XN_SETTING_COUNT, c->resume ? c->resume->epoch : 0},
            {"resumed state", XN_SETTING_FINGERPRINT, fp_resume(net, c)},
            /* each callback adds a sum a batch or an epoch (fit.c, agree) */
            {"an epoch callback", XN_SETTING_SWITCH, c->on_epoch != NULL},
            {"a batch callback", XN_SETTING_SWITCH, c->on_batch != NULL},
        };
        _Static_assert(sizeof own / sizeof own[0] <= OWN_MAX, "OWN_MAX holds xn_fit's settings");
        for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
            s[k++] = own[i];
    }
    return agree(net, c, local, s, k);
}
