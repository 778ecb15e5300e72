/* Checkpoints: a model file (io.c) that also holds what a run needs to go
 * on exactly where it stopped: the optimizer with its step count and
 * moments, the run's state (epoch, best epoch and loss, patience, base
 * rate), the shuffling stream's full state and the best weights. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "src/model/modeltext.h"

/* What a checkpoint adds to the model: the optimizer and its moments, the
 * run's state, the shuffling stream and the best weights. */
void xn_mt_write_state(FILE *f, const xn_net *net, const xn_checkpoint *ck)
{
    const xn_opt *o = &net->opt;
    char d[7][XN_DOUBLE_CHARS]; /* numbers with '.', whatever the locale (text.h) */
    fprintf(f, "optimizer %s lr %s momentum %s beta1 %s beta2 %s eps %s weight_decay %s steps %llu",
            xn_opt_name(o->kind), xn_format_double(d[0], o->lr), xn_format_double(d[1], o->momentum),
            xn_format_double(d[2], o->beta1), xn_format_double(d[3], o->beta2),
            xn_format_double(d[4], o->eps), xn_format_double(d[5], o->weight_decay),
            (unsigned long long)net->opt_t);
    /* the settings added later, only where they are not their default, so
     * a run without them writes what it always wrote */
    if (o->nesterov)
        fputs(" nesterov 1", f);
    if (o->eps_raw)
        fputs(" eps_raw 1", f);
    if (o->l2 != 0.0)
        fprintf(f, " l2 %s", xn_format_double(d[6], o->l2));
    fputc('\n', f);
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

/* The optional settings after `steps`, each at most once and in the order
 * written: nesterov 0/1, eps_raw 0/1, l2 X; nothing else. */
static xn_status read_opt_extras(xn_mt_reader *r, const char *p, const char *end, xn_opt *o)
{
    static const char *const keys[] = {"nesterov", "eps_raw", "l2"};
    const char *tok, *q = p;
    size_t k, flag, next = 0;
    char word[48];
    xn_status st;
    while (xn_token(&q, end, &tok, &k)) {
        size_t i = next;
        while (i < 3 && !xn_token_is(tok, k, keys[i]))
            i++;
        if (i == 3)
            return xn_fail(r->err, r->t.line, XN_EFORMAT, "unexpected '%s' after the optimizer's steps",
                           xn_quote(word, sizeof word, tok, k));
        if (i == 2)
            st = xn_mt_read_key_double(r, &p, end, "l2", &o->l2);
        else if ((st = xn_mt_read_key_size(r, &p, end, keys[i], 1, &flag)) == XN_OK)
            *(i == 0 ? &o->nesterov : &o->eps_raw) = flag == 1;
        if (st != XN_OK)
            return st;
        q = p;
        next = i + 1;
    }
    return XN_OK;
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
    xn_opt o = xn_opt_default(XN_OPT_GD);
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
        (st = xn_mt_read_key_size(r, &p, end, "steps", SIZE_MAX, &steps)) != XN_OK ||
        (st = read_opt_extras(r, p, end, &o)) != XN_OK)
        return st;
    const char *why = xn_opt_invalid(&o, NULL);
    if (why)
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "%s", why);
    bool keep = ck != NULL;
    if (keep) {
        if (!xn_mt_room_for(r, 2 * r->nparams))
            keep = false; /* the moments are not all there: read to say where */
        else if ((st = xn_net_need_training(net)) != XN_OK)
            return xn_fail(r->err, 0, st, "out of memory");
        net->opt = o;
        net->opt_t = steps;
    }
    if ((st = xn_mt_read_blocks(r, net, "m", keep ? net->m : NULL)) != XN_OK ||
        (st = xn_mt_read_blocks(r, net, "v", keep ? net->v : NULL)) != XN_OK)
        return st;
    xn_fit_state f;
    if ((st = xn_mt_keyword(r, "fit", &p, &end)) != XN_OK ||
        (st = xn_mt_read_key_size(r, &p, end, "epoch", SIZE_MAX, &f.epoch)) != XN_OK ||
        (st = xn_mt_read_key_size(r, &p, end, "best_epoch", SIZE_MAX, &f.best_epoch)) != XN_OK ||
        (st = xn_mt_read_key_size(r, &p, end, "wait", SIZE_MAX, &f.wait)) != XN_OK ||
        (st = xn_mt_read_key_double(r, &p, end, "best_loss", &f.best_loss)) != XN_OK ||
        (st = xn_mt_read_key_double(r, &p, end, "lr0", &f.lr0)) != XN_OK)
        return st;
    if (f.best_epoch > f.epoch)
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "best_epoch %zu is after epoch %zu", f.best_epoch,
                       f.epoch);
    if (!(f.lr0 > 0.0) || !isfinite(f.lr0))
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "lr0 must be a positive number");
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

