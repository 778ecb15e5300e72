/* Checkpoints: a model file (io.c) that also holds what a run needs to go
 * on exactly where it stopped: the optimizer with its step count and
 * moments (for lm and lbfgs, format 3: their settings and state, the
 * L-BFGS pairs among it), the run's state (epoch, best epoch and loss,
 * patience, base rate), the shuffling stream's full state and the best
 * weights. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/model/modeltext.h"
#include "src/solve/solve.h"

/* ---- lm and lbfgs ------------------------------------------------------- */

/* Their settings, and their state once they have one: the counts, the
 * values at the parameters and, for lbfgs, the gradient there and the
 * pairs, oldest first. */
static void write_solver(FILE *f, const xn_net *net)
{
    const xn_opt *o = &net->opt;
    char d[6][XN_DOUBLE_CHARS];
    fprintf(f, "solver mu %s mu_dec %s mu_inc %s mu_max %s lm_max_bytes %zu memory %zu max_line_search %zu "
               "gtol %s ftol %s max_evals %zu\n",
            xn_format_double(d[0], o->mu), xn_format_double(d[1], o->mu_dec), xn_format_double(d[2], o->mu_inc),
            xn_format_double(d[3], o->mu_max), o->lm_max_bytes, o->memory, o->max_line_search,
            xn_format_double(d[4], o->gtol), xn_format_double(d[5], o->ftol), o->max_evals);
    const xn_solver *st = net->solver;
    if (!st || st->kind != o->kind)
        return;
    fprintf(f, "state iterations %zu evaluations %zu jacobians %zu qr_steps %zu stop %s pairs %zu have_fg %d "
               "mu %s objective %s loss %s metric %s\n",
            st->iterations, st->evaluations, st->jacobians, st->qr_steps, xn_stop_name(st->stop), st->pairs,
            (int)st->have_fg, xn_format_double(d[0], st->mu), xn_format_double(d[1], st->f),
            xn_format_double(d[2], st->loss), xn_format_double(d[3], st->metric));
    if (o->kind != XN_OPT_LBFGS)
        return;
    xn_lbfgs lb = {.n = st->P, .m = st->m};
    xn_lbfgs_arrays(&lb, (double *)st->data, NULL);
    if (st->pairs) {
        fputs("rho", f);
        for (size_t k = 0; k < st->pairs; k++)
            fprintf(f, " %s", xn_format_double(d[0], lb.rho[xn_lbfgs_slot(st->m, st->pairs, st->newest, k)]));
        fputc('\n', f);
    }
    if (st->have_fg)
        xn_mt_write_blocks(f, net, "g", lb.g);
    for (size_t k = 0; k < st->pairs; k++) {
        size_t j = xn_lbfgs_slot(st->m, st->pairs, st->newest, k);
        char prefix[32];
        snprintf(prefix, sizeof prefix, "s%zu", k + 1);
        xn_mt_write_blocks(f, net, prefix, lb.s + j * st->P);
        snprintf(prefix, sizeof prefix, "y%zu", k + 1);
        xn_mt_write_blocks(f, net, prefix, lb.y + j * st->P);
    }
}

/* "<key> <value>" where the value may also be nan (a value not known yet). */
static xn_status read_key_value(xn_mt_reader *r, const char **p, const char *end, const char *key,
                                double *out)
{
    const char *q = *p, *tok;
    size_t k;
    if (xn_token(&q, end, &tok, &k) && xn_token_is(tok, k, key) && xn_token(&q, end, &tok, &k) &&
        xn_token_is(tok, k, "nan")) {
        *p = q;
        *out = NAN;
        return XN_OK;
    }
    return xn_mt_read_key_double(r, p, end, key, out);
}

/* The solver line into o (kind set), checked with the network. */
static xn_status read_settings(xn_mt_reader *r, const xn_net *net, xn_opt *o)
{
    const char *p, *end;
    xn_status st;
    if ((st = xn_mt_keyword(r, "solver", &p, &end)) != XN_OK ||
        (st = xn_mt_read_key_double(r, &p, end, "mu", &o->mu)) != XN_OK ||
        (st = xn_mt_read_key_double(r, &p, end, "mu_dec", &o->mu_dec)) != XN_OK ||
        (st = xn_mt_read_key_double(r, &p, end, "mu_inc", &o->mu_inc)) != XN_OK ||
        (st = xn_mt_read_key_double(r, &p, end, "mu_max", &o->mu_max)) != XN_OK ||
        (st = xn_mt_read_key_size(r, &p, end, "lm_max_bytes", SIZE_MAX, &o->lm_max_bytes)) != XN_OK ||
        (st = xn_mt_read_key_size(r, &p, end, "memory", SIZE_MAX, &o->memory)) != XN_OK ||
        (st = xn_mt_read_key_size(r, &p, end, "max_line_search", SIZE_MAX, &o->max_line_search)) != XN_OK ||
        (st = xn_mt_read_key_double(r, &p, end, "gtol", &o->gtol)) != XN_OK ||
        (st = xn_mt_read_key_double(r, &p, end, "ftol", &o->ftol)) != XN_OK ||
        (st = xn_mt_read_key_size(r, &p, end, "max_evals", SIZE_MAX, &o->max_evals)) != XN_OK)
        return st;
    const char *why = xn_opt_unfit(net, o);
    return why ? xn_fail(r->err, r->t.line, XN_EFORMAT, "%s", why) : XN_OK;
}

/* The state line into *s (its counts and values; pairs and have_fg say
 * what follows). */
static xn_status read_state_line(xn_mt_reader *r, const xn_opt *o, xn_solver *s)
{
    const char *p, *end, *tok;
    size_t k, have_fg;
    char q[48];
    xn_status st;
    if ((st = xn_mt_keyword(r, "state", &p, &end)) != XN_OK ||
        (st = xn_mt_read_key_size(r, &p, end, "iterations", SIZE_MAX, &s->iterations)) != XN_OK ||
        (st = xn_mt_read_key_size(r, &p, end, "evaluations", SIZE_MAX, &s->evaluations)) != XN_OK ||
        (st = xn_mt_read_key_size(r, &p, end, "jacobians", SIZE_MAX, &s->jacobians)) != XN_OK ||
        (st = xn_mt_read_key_size(r, &p, end, "qr_steps", SIZE_MAX, &s->qr_steps)) != XN_OK)
        return st;
    q[0] = '\0';
    if (!xn_token(&p, end, &tok, &k) || !xn_token_is(tok, k, "stop") || !xn_token(&p, end, &tok, &k) ||
        (xn_quote(q, sizeof q, tok, k), k >= sizeof q) || xn_stop_parse(q, &s->stop) != XN_OK)
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "expected 'stop' and a reason, found '%s'", q);
    size_t most = o->kind == XN_OPT_LBFGS ? o->memory : 0; /* lm keeps no pairs */
    if ((st = xn_mt_read_key_size(r, &p, end, "pairs", most, &s->pairs)) != XN_OK ||
        (st = xn_mt_read_key_size(r, &p, end, "have_fg", o->kind == XN_OPT_LBFGS, &have_fg)) != XN_OK ||
        (st = xn_mt_read_key_double(r, &p, end, "mu", &s->mu)) != XN_OK ||
        (st = read_key_value(r, &p, end, "objective", &s->f)) != XN_OK ||
        (st = read_key_value(r, &p, end, "loss", &s->loss)) != XN_OK ||
        (st = read_key_value(r, &p, end, "metric", &s->metric)) != XN_OK)
        return st;
    s->have_fg = have_fg;
    if (!(s->mu > 0.0) || !isfinite(s->mu))
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "mu must be positive and finite");
    if (s->have_fg && !isfinite(s->f))
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "have_fg 1 needs a finite objective");
    return XN_OK;
}

/* lm's or lbfgs' settings into o and, if the file has one, their state:
 * kept on net when `keep`, else checked and dropped.  The state takes only
 * the room its pairs need (the memory comes at the next iteration). */
static xn_status read_solver(xn_mt_reader *r, xn_net *net, xn_opt *o, bool keep)
{
    xn_status st = read_settings(r, net, o);
    if (st != XN_OK || !xn_mt_next_is(r, "state"))
        return st;
    xn_solver s = {0};
    if ((st = read_state_line(r, o, &s)) != XN_OK)
        return st;
    size_t P = r->nparams, numbers, pairs;
    if (!xn_mul_ok(2 * s.pairs + s.have_fg, P, &numbers) || !xn_add_ok(numbers, s.pairs, &numbers) ||
        !xn_mt_room_for(r, numbers))
        keep = false; /* the state is not all there: read on to say where */
    size_t bytes = 0;
    xn_solver *kept = NULL;
    if (keep) {
        xn_opt was = net->opt;
        net->opt = *o; /* the state's shape is the optimizer's */
        kept = xn_solver_new(net, s.pairs, &bytes);
        net->opt = was;
        if (!kept)
            return xn_fail(r->err, 0, XN_ENOMEM, "out of memory");
        s.kind = kept->kind;
        s.P = kept->P;
        s.m = kept->m;
        s.newest = s.pairs ? s.pairs - 1 : 0;
        *kept = s;
    }
    xn_lbfgs lb = {.n = P, .m = s.pairs};
    if (kept)
        xn_lbfgs_arrays(&lb, kept->data, NULL);
    const char *p, *end;
    pairs = s.pairs;
    if (pairs && ((st = xn_mt_keyword(r, "rho", &p, &end)) != XN_OK ||
                  (st = xn_mt_read_numbers(r, p, end, pairs, XN_FLOAT64, kept ? lb.rho : NULL)) != XN_OK))
        goto fail;
    for (size_t k = 0; kept && k < pairs; k++)
        if (!(lb.rho[k] > 0.0)) {
            st = xn_fail(r->err, r->t.line, XN_EFORMAT, "rho %zu must be positive (1 / s^T y)", k + 1);
            goto fail;
        }
    if (s.have_fg && (st = xn_mt_read_blocks(r, net, "g", kept ? lb.g : NULL)) != XN_OK)
        goto fail;
    for (size_t k = 0; k < pairs; k++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "s%zu", k + 1);
        if ((st = xn_mt_read_blocks(r, net, prefix, kept ? lb.s + k * P : NULL)) != XN_OK)
            goto fail;
        snprintf(prefix, sizeof prefix, "y%zu", k + 1);
        if ((st = xn_mt_read_blocks(r, net, prefix, kept ? lb.y + k * P : NULL)) != XN_OK)
            goto fail;
    }
    if (kept) {
        free(net->solver);
        net->solver = kept;
        net->solver_bytes = bytes;
    }
    return XN_OK;
fail:
    free(kept);
    return st;
}

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
    /* lm and lbfgs keep no moments (their state is written apart) */
    if (!xn_opt_second_order(net->opt.kind) && (bad = bad_moment(net, net->m, net->v)) != 0) {
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
    if (xn_opt_second_order(o->kind)) {
        write_solver(f, net);
    } else {
        xn_mt_write_blocks(f, net, "m", net->m);
        xn_mt_write_blocks(f, net, "v", net->v);
    }
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

/* A checkpoint's training state (format 2, or 3 for lm and lbfgs), into
 * net and ck, or checked and dropped if ck is NULL.  Returns with *has
 * false if there is none. */
xn_status xn_mt_read_state(xn_mt_reader *r, xn_net *net, xn_checkpoint *ck, bool *has)
{
    const char *p, *end, *tok;
    size_t k, v;
    char q[48];
    xn_status st;
    *has = r->version >= 2 && xn_mt_next_is(r, "optimizer");
    if (!*has)
        return XN_OK;
    xn_opt_kind kind;
    if ((st = xn_mt_keyword(r, "optimizer", &p, &end)) != XN_OK)
        return st;
    q[0] = '\0';
    if (!xn_token(&p, end, &tok, &k) || (xn_quote(q, sizeof q, tok, k), k >= sizeof q) ||
        xn_opt_parse(q, &kind) != XN_OK)
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "unknown optimizer '%s'", q);
    bool solver = xn_opt_second_order(kind);
    if (solver && r->version < 3)
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "optimizer %s needs format 3, not %d", q, r->version);
    xn_opt o = xn_opt_default(kind); /* the fields a format-2 file does not hold */
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
    char rule[160];
    if (why)
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "%s", why);
    if (!steps_ok(steps, rule, sizeof rule))
        return xn_fail(r->err, r->t.line, XN_EFORMAT, "%s", rule);
    bool keep = ck != NULL;
    if (solver) { /* settings, and the state the solver takes when it has one */
        if ((st = read_solver(r, net, &o, keep)) != XN_OK)
            return st;
    } else if (keep && !xn_mt_room_for(r, 2 * r->nparams)) {
        keep = false; /* the moments are not all there: read to say where */
    } else if (keep && (st = xn_net_need_training(net)) != XN_OK) {
        return xn_fail(r->err, 0, st, "out of memory");
    }
    if (keep) {
        net->opt = o;
        net->opt_t = steps;
    }
    /* the second moments are means of squares: a negative one is refused
     * at its line (lm and lbfgs keep no moments) */
    if (!solver && (st = xn_mt_read_blocks(r, net, "m", keep ? net->m : NULL)) == XN_OK) {
        r->nonneg = true;
        st = xn_mt_read_blocks(r, net, "v", keep ? net->v : NULL);
        r->nonneg = false;
    }
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
    if (keep && !solver) {
        /* the moments read back: their bounds are their largest values */
        net->mbound = net->engine->absmax(net, net->m);
        net->vbound = net->engine->absmax(net, net->v);
    }
    if (keep) {
        ck->fit = f;
        ck->rng = g;
        ck->best = best;
    }
    return XN_OK;
}

