/* Checkpoints: a model file (io.c) that also holds what a run needs to go
 * on exactly where it stopped: the optimizer with its step count and
 * moments, the run's state (epoch, best epoch and loss, patience, base
 * rate), the shuffling stream's full state and the best weights. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/model/modeltext.h"

/* ---- the rules, one set for the writer and the reader ------------------- */

/* Adam's bias corrections take beta^(t + 1) for the step count t: past
 * 2^53 the count no longer converts exactly, and at 2^64 - 1 it wraps to 0
 * (a correction of 0, dividing by it).  No run takes that many steps. */
#define MAX_STEPS ((uint64_t)1 << 53)

static bool steps_ok(uint64_t t, char *why, size_t cap)
{
    if (t <= MAX_STEPS)
        return true;
    snprintf(why, cap, "steps %llu is over the limit of %llu", (unsigned long long)t,
             (unsigned long long)MAX_STEPS);
    return false;
}

static bool fit_ok(const xn_fit_state *f, char *why, size_t cap)
{
    if (f->best_epoch > f->epoch)
        snprintf(why, cap, "best_epoch %zu is after epoch %zu", f->best_epoch, f->epoch);
    else if (f->wait > f->epoch)
        snprintf(why, cap, "wait %zu is longer than the %zu epochs done", f->wait, f->epoch);
    else if (isnan(f->best_loss))
        snprintf(why, cap, "best_loss is not a number");
    else if (!(f->lr0 > 0.0) || !isfinite(f->lr0))
        snprintf(why, cap, "lr0 must be a positive number");
    else
        return true;
    return false;
}

static bool rng_ok(const xn_rng *g, char *why, size_t cap)
{
    if ((g->kind != XN_RNG_PYTHON && g->kind != XN_RNG_NUMPY) || g->mti < 0 || g->mti > 624 ||
        (g->has_gauss != 0 && g->has_gauss != 1))
        snprintf(why, cap, "the random stream's state is out of range (mti %d, has_gauss %d)", g->mti,
                 g->has_gauss);
    else if (!isfinite(g->gauss))
        snprintf(why, cap, "the random stream's cached normal is not finite");
    else
        return true;
    return false;
}

/* The first moment not finite, or second moment not a finite number >= 0
 * (v is a mean of squares): its index + 1, else 0. */
static size_t bad_moment(const xn_net *net, const void *m, const void *v)
{
    for (size_t i = 0; i < net->nparams; i++) {
        double vi = xn_net_get(net, v, i);
        if (!isfinite(xn_net_get(net, m, i)) || !(vi >= 0.0 && vi <= DBL_MAX))
            return i + 1;
    }
    return 0;
}

/* "vW1[0][2]" or "vb2[3]": where parameter i is. */
static void name_param(const xn_net *net, const char *prefix, size_t i, char *out, size_t cap)
{
    size_t l = 1;
    while (l < net->L && i >= net->woff[l + 1])
        l++;
    size_t out_l = net->sizes[l];
    if (i < net->boff[l])
        snprintf(out, cap, "%sW%zu[%zu][%zu]", prefix, l, (i - net->woff[l]) / out_l, (i - net->woff[l]) % out_l);
    else
        snprintf(out, cap, "%sb%zu[%zu]", prefix, l, i - net->boff[l]);
}

xn_status xn_mt_check_state(const xn_net *net, const xn_checkpoint *ck, xn_error *err)
{
    char why[160], at[48];
    size_t bad;
    if (!steps_ok(net->opt_t, why, sizeof why) || !fit_ok(&ck->fit, why, sizeof why) ||
        !rng_ok(&ck->rng, why, sizeof why))
        return xn_fail(err, 0, XN_EINVAL, "%s; nothing written", why);
    if ((bad = bad_moment(net, net->m, net->v)) != 0) {
        name_param(net, "", bad - 1, at, sizeof at);
        return xn_fail(err, 0, XN_ENUMERIC, "the moments of %s (m %g, v %g) are not finite, or v is negative; "
                       "nothing written", at, xn_net_get(net, net->m, bad - 1), xn_net_get(net, net->v, bad - 1));
    }
    return XN_OK;
}

/* ---- writing and reading ------------------------------------------------- */

/* What a checkpoint adds to the model: the optimizer and its moments, the
 * run's state, the shuffling stream and the best weights. */
void xn_mt_write_state(FILE *f, const xn_net *net, const xn_checkpoint *ck)
{
    const xn_opt *o = &net->opt;
    char d[7][XN_DOUBLE_CHARS]; /* numbers with '.', whatever the locale (text.h) */
    fprintf(f, "optimizer %s lr %s momentum %s beta1 %s beta2 %s eps %s weight_decay %s steps %llu\n",
            xn_opt_name(o->kind), xn_format_double(d[0], o->lr), xn_format_double(d[1], o->momentum),
            xn_format_double(d[2], o->beta1), xn_format_double(d[3], o->beta2),
            xn_format_double(d[4], o->eps), xn_format_double(d[5], o->weight_decay),
            (unsigned long long)net->opt_t);
    xn_mt_write_blocks(f, net, "m", net->m);
    xn_mt_write_blocks(f, net, "v", net->v);
    fprintf(f, "fit epoch %zu best_epoch %zu wait %zu best_loss %s lr0 %s\n", ck->fit.epoch,
            ck->fit.best_epoch, ck->fit.wait, xn_format_double(d[0], ck->fit.best_loss),
            xn_format_double(d[1], ck->fit.lr0));
    fprintf(f, "rng %s mti %d has_gauss %d gauss %s\nmt", xn_rng_kind_name(ck->rng.kind), ck->rng.mti,
            ck->rng.has_gauss, xn_format_double(d[0], ck->rng.gauss));
    for (size_t i = 0; i < 624; i++)
        fprintf(f, " %lu", (unsigned long)ck->rng.mt[i]);
    fputc('\n', f);
    if (ck->best)
        xn_mt_write_blocks(f, net, "best", ck->best);
}

/* A checkpoint's training state (format 2), into net and ck, or checked
 * and dropped if ck is NULL.  Returns with *has false if there is none. */
xn_status xn_mt_read_state(xn_mt_reader *r, xn_net *net, xn_checkpoint *ck, bool *has)
{
    const char *p, *end, *tok;
    size_t k, v;
    char q[48];
    xn_status st;
    *has = r->version >= 2 && xn_mt_next_is(r, "optimizer");
    if (!*has)
        return XN_OK;
    xn_opt o;
    if ((st = xn_mt_keyword(r, "optimizer", &p, &end)) != XN_OK)
        return st;
    q[0] = '\0';
    if (!xn_token(&p, end, &tok, &k) || (xn_quote(q, sizeof q, tok, k), k >= sizeof q) ||
        xn_opt_parse(q, &o.kind) != XN_OK)
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "unknown optimizer '%s'", q);
    size_t steps;
    if ((st = xn_mt_read_key_double(r, &p, end, "lr", &o.lr)) != XN_OK ||
        (st = xn_mt_read_key_double(r, &p, end, "momentum", &o.momentum)) != XN_OK ||
        (st = xn_mt_read_key_double(r, &p, end, "beta1", &o.beta1)) != XN_OK ||
        (st = xn_mt_read_key_double(r, &p, end, "beta2", &o.beta2)) != XN_OK ||
        (st = xn_mt_read_key_double(r, &p, end, "eps", &o.eps)) != XN_OK ||
        (st = xn_mt_read_key_double(r, &p, end, "weight_decay", &o.weight_decay)) != XN_OK ||
        (st = xn_mt_read_key_size(r, &p, end, "steps", SIZE_MAX, &steps)) != XN_OK)
        return st;
    const char *why = xn_opt_invalid(&o, NULL);
    char rule[160];
    if (why)
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "%s", why);
    if (!steps_ok(steps, rule, sizeof rule))
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "%s", rule);
    bool keep = ck != NULL;
    if (keep) {
        if (!xn_mt_room_for(r, 2 * r->nparams))
            keep = false; /* the moments are not all there: read to say where */
        else if ((st = xn_net_need_training(net)) != XN_OK)
            return xn_fail(r->err, 0, st, "out of memory");
        net->opt = o;
        net->opt_t = steps;
    }
    /* the second moments are means of squares: a negative one is refused
     * at its line */
    if ((st = xn_mt_read_blocks(r, net, "m", keep ? net->m : NULL)) != XN_OK)
        return st;
    r->nonneg = true;
    st = xn_mt_read_blocks(r, net, "v", keep ? net->v : NULL);
    r->nonneg = false;
    if (st != XN_OK)
        return st;
    xn_fit_state f;
    if ((st = xn_mt_keyword(r, "fit", &p, &end)) != XN_OK ||
        (st = xn_mt_read_key_size(r, &p, end, "epoch", SIZE_MAX, &f.epoch)) != XN_OK ||
        (st = xn_mt_read_key_size(r, &p, end, "best_epoch", SIZE_MAX, &f.best_epoch)) != XN_OK ||
        (st = xn_mt_read_key_size(r, &p, end, "wait", SIZE_MAX, &f.wait)) != XN_OK ||
        (st = xn_mt_read_key_double(r, &p, end, "best_loss", &f.best_loss)) != XN_OK ||
        (st = xn_mt_read_key_double(r, &p, end, "lr0", &f.lr0)) != XN_OK)
        return st;
    if (!fit_ok(&f, rule, sizeof rule))
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "%s", rule);
    xn_rng g;
    if ((st = xn_mt_keyword(r, "rng", &p, &end)) != XN_OK)
        return st;
    q[0] = '\0';
    if (!xn_token(&p, end, &tok, &k) || (xn_quote(q, sizeof q, tok, k), k >= sizeof q) ||
        xn_rng_kind_parse(q, &g.kind) != XN_OK)
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "unknown random stream '%s'", q);
    size_t mti, has_gauss;
    if ((st = xn_mt_read_key_size(r, &p, end, "mti", 624, &mti)) != XN_OK ||
        (st = xn_mt_read_key_size(r, &p, end, "has_gauss", 1, &has_gauss)) != XN_OK ||
        (st = xn_mt_read_key_double(r, &p, end, "gauss", &g.gauss)) != XN_OK)
        return st;
    g.mti = (int)mti;
    g.has_gauss = (int)has_gauss;
    if (!rng_ok(&g, rule, sizeof rule))
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "%s", rule);
    if ((st = xn_mt_keyword(r, "mt", &p, &end)) != XN_OK)
        return st;
    if (xn_token_count(p, end) != 624)
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "expected 624 words after 'mt'");
    for (size_t i = 0; xn_token(&p, end, &tok, &k); i++) {
        if (xn_parse_size(tok, k, 0xffffffffu, &v) != XN_NUM_OK)
            return xn_fail(r->err, r->t.line, XN_EFORMAT, "bad word '%s' in column %zu",
                           xn_quote(q, sizeof q, tok, k), i + 2);
        g.mt[i] = (uint32_t)v;
    }
    void *best = NULL;
    if (xn_mt_next_is(r, "bestW1")) {
        if (keep && !(best = malloc(r->nparams * net->engine->size)))
            return xn_fail(r->err, 0, XN_ENOMEM, "out of memory");
        if ((st = xn_mt_read_blocks(r, net, "best", best)) != XN_OK) {
            free(best);
            return st;
        }
    }
    if (keep) {
        /* the moments read back: their bounds are their largest values */
        net->mbound = net->engine->absmax(r->nparams, net->m);
        net->vbound = net->engine->absmax(r->nparams, net->v);
        ck->fit = f;
        ck->rng = g;
        ck->best = best;
    }
    return XN_OK;
}

