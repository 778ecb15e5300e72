/* What lm and lbfgs share as optimizers of a network (src/solve/step.c,
 * src/fit/fit.c, src/fit/checkpoint.c):
 *   - names, defaults, settings refused, networks refused (float32, lm
 *     with a cross-entropy), the memory limit with its numbers, the
 *     update call and the xn_fit settings that do not apply;
 *   - xn_fit's epochs are train_step's iterations, to the bit, with
 *     standardized inputs and targets; a clone goes on as the original;
 *   - checkpoints: format 3, read back to the same text, and a run
 *     stopped, saved, loaded and resumed ends as one never stopped;
 *   - a new memory keeps lbfgs' newest pairs. */
#define _POSIX_C_SOURCE 200809L /* mkstemp */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "src/solve/solve.h"

enum { N = 40 };

/* A 2-6-1 tanh/identity regression, or a 2-5-3 relu/softmax classifier,
 * on N rows of a smooth function. */
static void rows(bool classes, double *x, double *y)
{
    for (size_t i = 0; i < N; i++) {
        double a = -1.0 + 2.0 * (double)(i % 8) / 7.0, b = -1.0 + 2.0 * (double)(i / 8) / 4.0;
        x[2 * i] = 3.0 * a + 10.0; /* off-centre, for the standardization */
        x[2 * i + 1] = b;
        if (!classes) {
            y[i] = 50.0 * sin(2.0 * a) * b + 7.0;
            continue;
        }
        size_t k = a * b > 0.1 ? 0 : a + b > 0.0 ? 1 : 2;
        for (size_t j = 0; j < 3; j++)
            y[3 * i + j] = j == k;
    }
}

static xn_net *network(bool classes, xn_dtype dtype)
{
    size_t sizes[3] = {2, classes ? 5 : 6, classes ? 3 : 1};
    xn_act acts[2] = {classes ? XN_ACT_RELU : XN_ACT_TANH, classes ? XN_ACT_SOFTMAX : XN_ACT_IDENTITY};
    xn_net_config cfg = {.n_layers = 2, .sizes = sizes, .acts = acts,
                         .loss = classes ? XN_LOSS_CCE : XN_LOSS_MSE, .dtype = dtype};
    xn_net *net = NULL;
    CHECK_STATUS(xn_net_create(&net, &cfg), XN_OK);
    if (net)
        CHECK_STATUS(xn_net_init_default(net, 3), XN_OK);
    return net;
}

static void test_names(void)
{
    xn_opt_kind k;
    CHECK(strcmp(xn_opt_name(XN_OPT_LM), "lm") == 0 && strcmp(xn_opt_name(XN_OPT_LBFGS), "lbfgs") == 0);
    CHECK(xn_opt_parse("lbfgs", &k) == XN_OK && k == XN_OPT_LBFGS);
    CHECK(xn_opt_parse("lm", &k) == XN_OK && k == XN_OPT_LM);
    xn_stop s;
    CHECK(xn_stop_parse("mu_max", &s) == XN_OK && s == XN_STOP_MU_MAX);
    CHECK(strcmp(xn_stop_name(XN_STOP_LINE_SEARCH), "line_search") == 0);
    CHECK(strcmp(xn_stop_name((xn_stop)99), "?") == 0);
    xn_opt lm = xn_opt_default(XN_OPT_LM), lb = xn_opt_default(XN_OPT_LBFGS);
    CHECK(lm.mu == 1e-3 && lm.mu_dec == 0.1 && lm.mu_inc == 10 && lm.mu_max == 1e10 && lm.gtol == 1e-7 &&
          lm.ftol == 0 && lm.lm_max_bytes == (size_t)1 << 30 && lm.max_evals == 15000);
    CHECK(lb.memory == 10 && lb.max_line_search == 20 && lb.gtol == 1e-5 && lb.ftol == 2.220446049250313e-9 &&
          lb.max_evals == 15000 && lb.weight_decay == 0.0);
    /* a first-order default switched to a solver is a valid solver */
    xn_opt gd = xn_opt_default(XN_OPT_GD);
    gd.kind = XN_OPT_LBFGS;
    xn_net *net = network(false, XN_FLOAT64);
    CHECK_STATUS(xn_net_set_opt(net, &gd), XN_OK);
    xn_solver_report rep;
    CHECK_STATUS(xn_net_solver_report(net, &rep), XN_OK);
    CHECK(rep.iterations == 0 && rep.stop == XN_STOP_NONE && rep.mu == gd.mu && isnan(rep.objective));
    xn_opt adam = xn_opt_default(XN_OPT_ADAM);
    CHECK_STATUS(xn_net_set_opt(net, &adam), XN_OK);
    CHECK_STATUS(xn_net_solver_report(net, &rep), XN_EINVAL);
    xn_net_destroy(net);
}

static void refused(xn_net *net, const xn_opt *o, xn_status want, const char *words)
{
    double x[2 * N], y[3 * N];
    rows(xn_net_size(net, 2) == 3, x, y);
    CHECK_STATUS(xn_net_train_step(net, N, x, y, o, NULL), want);
    if (!strstr(xn_net_error(net), words))
        fprintf(stderr, "expected '%s' in: %s\n", words, xn_net_error(net));
    CHECK(strstr(xn_net_error(net), words) != NULL);
}

static void test_refusals(void)
{
    xn_net *net = network(false, XN_FLOAT64);
    xn_opt o = xn_opt_default(XN_OPT_LM);
    o.mu = 0.0;
    refused(net, &o, XN_EINVAL, "lm's mu must be positive");
    o = xn_opt_default(XN_OPT_LM);
    o.mu_dec = 1.0;
    refused(net, &o, XN_EINVAL, "mu_dec must be in (0, 1)");
    o = xn_opt_default(XN_OPT_LBFGS);
    o.memory = 0;
    refused(net, &o, XN_EINVAL, "memory must be at least 1");
    o.memory = 10;
    o.max_evals = 0;
    refused(net, &o, XN_EINVAL, "max_evals");
    /* the memory limit, with the bytes lm needs: 40 residuals, 25 parameters */
    o = xn_opt_default(XN_OPT_LM);
    o.lm_max_bytes = 1000;
    size_t lwork, need = xn_lm_scratch_size(N, 25, &lwork) * sizeof(double);
    char words[120];
    snprintf(words, sizeof words, "lm needs %zu bytes for the Jacobian of 40 residuals", need);
    refused(net, &o, XN_ENOMEM, words);
    CHECK(xn_net_opt(net).kind == XN_OPT_GD); /* a failed step keeps the optimizer */
    o.lm_max_bytes = need;
    refused(net, &o, XN_OK, "");
    /* gradient updates are not theirs */
    CHECK_STATUS(xn_net_update(net), XN_EINVAL);
    CHECK(strstr(xn_net_error(net), "lm takes whole iterations") != NULL);
    xn_net_destroy(net);
    /* lm minimizes squares; both need doubles */
    net = network(true, XN_FLOAT64);
    o = xn_opt_default(XN_OPT_LM);
    CHECK_STATUS(xn_net_set_opt(net, &o), XN_EINVAL);
    CHECK(strstr(xn_net_error(net), "loss mse or sse, not cce") != NULL);
    refused(net, &o, XN_EINVAL, "not cce");
    xn_net_destroy(net);
    net = network(false, XN_FLOAT32);
    for (int k = 0; k < 2; k++) {
        o = xn_opt_default(k ? XN_OPT_LBFGS : XN_OPT_LM);
        CHECK_STATUS(xn_net_set_opt(net, &o), XN_EINVAL);
        refused(net, &o, XN_EINVAL, "needs a float64 network");
    }
    xn_net_destroy(net);
}

/* xn_fit's settings that do not apply to a solver, each named. */
static void test_fit_rules(void)
{
    double x[2 * N], y[N];
    rows(false, x, y);
    xn_data d = {.n = N, .in = 2, .out = 1, .x = x, .y = y};
    xn_net *net = network(false, XN_FLOAT64);
    xn_opt o = xn_opt_default(XN_OPT_LBFGS);
    CHECK_STATUS(xn_net_set_opt(net, &o), XN_OK);
    xn_rng r;
    xn_rng_seed(&r, XN_RNG_NUMPY, 1);
    struct {
        xn_fit_config c;
        const char *words;
    } cases[] = {
        {{.epochs = 3, .batch = 16}, "fit: batch: lbfgs takes the whole training set a step: batch 0 (or "
                                     "at least the 40 rows), not 16"},
        {{.epochs = 3, .shuffle = true, .rng = &r}, "fit: shuffle: lbfgs takes the rows in order"},
        {{.epochs = 3, .schedule = XN_SCHEDULE_EXPONENTIAL, .lr_gamma = 0.5}, "fit: schedule: "},
        {{.epochs = 3, .val_split = 0.5, .batch = 19}, "the 20 rows), not 19"}, /* what the split leaves */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK_STATUS(xn_fit(net, &d, &cases[i].c, NULL), XN_EINVAL);
        CHECK(strstr(xn_net_error(net), cases[i].words) != NULL);
    }
    /* the same rules for a front end, with the field to name */
    xn_error err;
    xn_fit_config one = {.epochs = 3, .ranks = 2};
    CHECK_STATUS(xn_fit_check_solver(&one, &o, N, &err), XN_EINVAL);
    CHECK(strcmp(err.setting, "ranks") == 0 && strstr(err.msg, "one process") != NULL);
    CHECK_STATUS(xn_fit_check_solver(&cases[0].c, &o, N, &err), XN_EINVAL);
    CHECK(strcmp(err.setting, "batch") == 0);
    CHECK_STATUS(xn_fit_check_solver(&cases[0].c, &o, 16, &err), XN_OK); /* 16 rows: whole */
    xn_opt adam = xn_opt_default(XN_OPT_ADAM);
    CHECK_STATUS(xn_fit_check_solver(&cases[0].c, &adam, N, &err), XN_OK);
    /* and the optimizer's own settings, named */
    xn_opt bad = xn_opt_default(XN_OPT_LM);
    bad.mu_inc = 0.5;
    CHECK_STATUS(xn_opt_check(&bad, &err), XN_EINVAL);
    CHECK(strcmp(err.setting, "mu_inc") == 0);
    bad = xn_opt_default(XN_OPT_LBFGS);
    bad.max_line_search = 0;
    CHECK_STATUS(xn_opt_check(&bad, &err), XN_EINVAL);
    CHECK(strcmp(err.setting, "max_line_search") == 0);
    /* the epochs run out: max_iter; a batch of all the rows is whole */
    xn_fit_config c = {.epochs = 3, .batch = N};
    xn_fit_result res;
    CHECK_STATUS(xn_fit(net, &d, &c, &res), XN_OK);
    CHECK(res.epochs == 3 && res.stop == XN_STOP_MAX_ITER);
    /* converged (by gtol or ftol, whichever this start meets first): the
     * run ends early, with the solver's reason */
    o.gtol = 1e-2;
    CHECK_STATUS(xn_net_set_opt(net, &o), XN_OK);
    c.epochs = 500;
    CHECK_STATUS(xn_fit(net, &d, &c, &res), XN_OK);
    xn_solver_report rep;
    CHECK_STATUS(xn_net_solver_report(net, &rep), XN_OK);
    CHECK((res.stop == XN_STOP_GTOL || res.stop == XN_STOP_FTOL) && res.epochs < 500 && rep.stop == res.stop);
    xn_net_destroy(net);
    /* a validation split by class (a classifier's default): the solver
     * trains on the rows the split keeps, gathered once */
    double cx[2 * N], cy[3 * N];
    rows(true, cx, cy);
    xn_data cd = {.n = N, .in = 2, .out = 3, .x = cx, .y = cy};
    net = network(true, XN_FLOAT64);
    CHECK_STATUS(xn_net_set_opt(net, &o), XN_OK);
    xn_fit_config split = {.epochs = 20, .val_split = 0.25, .standardize = true};
    CHECK_STATUS(xn_fit(net, &cd, &split, &res), XN_OK);
    CHECK(isfinite(res.val_loss) && res.epochs >= 1 && res.loss < 1.0);
    xn_net_destroy(net);
}

static void copy_params(xn_net *net, double *out) { CHECK_STATUS(xn_net_get_params(net, out), XN_OK); }

/* Epochs of xn_fit are the step API's iterations, to the bit, with the
 * inputs and targets standardized; and a clone made midway goes on the
 * same. */
static void test_fit_is_steps(void)
{
    for (int k = 0; k < 2; k++) {
        double x[2 * N], y[N], a[25], b[25], c[25];
        rows(false, x, y);
        xn_data d = {.n = N, .in = 2, .out = 1, .x = x, .y = y};
        xn_opt o = xn_opt_default(k ? XN_OPT_LBFGS : XN_OPT_LM);
        xn_net *fit = network(false, XN_FLOAT64), *step = network(false, XN_FLOAT64), *clone = NULL;
        CHECK_STATUS(xn_net_set_opt(fit, &o), XN_OK);
        xn_fit_config fc = {.epochs = 12, .standardize = true, .standardize_targets = true};
        xn_fit_result res;
        CHECK_STATUS(xn_fit(fit, &d, &fc, &res), XN_OK);
        CHECK(res.epochs == 12);
        /* the same standardization, then 12 single steps */
        CHECK_STATUS(xn_net_set_standardization(step, xn_net_input_mean(fit), xn_net_input_sd(fit)), XN_OK);
        CHECK_STATUS(xn_net_set_target_standardization(step, xn_net_target_mean(fit), xn_net_target_sd(fit)),
                     XN_OK);
        for (int i = 0; i < 12; i++) {
            if (i == 5)
                CHECK_STATUS(xn_net_clone(&clone, step), XN_OK);
            CHECK_STATUS(xn_net_train_step(step, N, x, y, &o, NULL), XN_OK);
        }
        for (int i = 5; i < 12 && clone; i++)
            CHECK_STATUS(xn_net_train_step(clone, N, x, y, &o, NULL), XN_OK);
        copy_params(fit, a);
        copy_params(step, b);
        CHECK(memcmp(a, b, sizeof a) == 0);
        if (clone) {
            copy_params(clone, c);
            CHECK(memcmp(a, c, sizeof a) == 0);
        }
        xn_solver_report rf, rs;
        CHECK_STATUS(xn_net_solver_report(fit, &rf), XN_OK);
        CHECK_STATUS(xn_net_solver_report(step, &rs), XN_OK);
        CHECK(rf.iterations == 12 && rs.iterations == 12 && rf.objective == rs.objective);
        /* lbfgs' steps evaluate their start afresh, xn_fit's epochs reuse it */
        CHECK(k ? rs.evaluations == rf.evaluations + 11 : rs.evaluations == rf.evaluations);
        xn_net_destroy(fit);
        xn_net_destroy(step);
        xn_net_destroy(clone);
    }
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = '\0';
    fclose(f);
    return s;
}

/* 20 epochs in one run, or 8, a checkpoint, and 12 more from it: the same
 * parameters and report, to the bit; and the file reads back to itself. */
static void test_resume(void)
{
    for (int k = 0; k < 2; k++) {
        bool classes = k == 1;
        double x[2 * N], y[3 * N], a[40], b[40];
        rows(classes, x, y);
        xn_data d = {.n = N, .in = 2, .out = classes ? 3 : 1, .x = x, .y = y};
        xn_opt o = xn_opt_default(classes ? XN_OPT_LBFGS : XN_OPT_LM);
        o.memory = 4; /* the pairs wrap around the ring */
        o.weight_decay = 1e-3;
        o.gtol = o.ftol = 0.0;
        xn_net *whole = network(classes, XN_FLOAT64), *part = network(classes, XN_FLOAT64), *back = NULL;
        CHECK_STATUS(xn_net_set_opt(whole, &o), XN_OK);
        CHECK_STATUS(xn_net_set_opt(part, &o), XN_OK);
        xn_fit_config fc = {.epochs = 20, .standardize = true};
        CHECK_STATUS(xn_fit(whole, &d, &fc, NULL), XN_OK);
        fc.epochs = 8;
        CHECK_STATUS(xn_fit(part, &d, &fc, NULL), XN_OK);
        char path[] = "/tmp/xornet-solve-XXXXXX", again[] = "/tmp/xornet-solve-XXXXXX";
        int fd = mkstemp(path), fd2 = mkstemp(again);
        close(fd);
        close(fd2);
        xn_checkpoint ck = {.fit = {.epoch = 8, .best_loss = INFINITY, .lr0 = 1.0}}, back_ck;
        xn_rng_seed(&ck.rng, XN_RNG_NUMPY, 1);
        xn_error err;
        CHECK_STATUS(xn_checkpoint_save(part, &ck, path, &err), XN_OK);
        CHECK_STATUS(xn_checkpoint_load(&back, &back_ck, path, &err), XN_OK);
        CHECK_STATUS(xn_checkpoint_save(back, &back_ck, again, &err), XN_OK);
        char *t1 = read_all(path), *t2 = read_all(again);
        CHECK(t1 && t2 && strcmp(t1, t2) == 0);
        CHECK(t1 && strncmp(t1, "xornet 3\n", 9) == 0);
        CHECK(t1 && strstr(t1, classes ? "\ns4W1 2 5\n" : "\nstate iterations 8 ") != NULL);
        xn_net *model = NULL; /* a checkpoint reads as its model */
        CHECK_STATUS(xn_net_load(&model, path, &err), XN_OK);
        xn_net_destroy(model);
        fc.epochs = 20;
        fc.resume = &back_ck.fit;
        CHECK_STATUS(xn_fit(back, &d, &fc, NULL), XN_OK);
        copy_params(whole, a);
        copy_params(back, b);
        size_t P = xn_net_param_count(whole);
        CHECK(memcmp(a, b, P * sizeof *a) == 0);
        xn_solver_report rw, rb;
        CHECK_STATUS(xn_net_solver_report(whole, &rw), XN_OK);
        CHECK_STATUS(xn_net_solver_report(back, &rb), XN_OK);
        CHECK(rw.iterations == 20 && rb.iterations == 20 && rw.evaluations == rb.evaluations &&
              rw.objective == rb.objective && rw.mu == rb.mu);
        free(t1);
        free(t2);
        free(back_ck.best);
        unlink(path);
        unlink(again);
        xn_net_destroy(whole);
        xn_net_destroy(part);
        xn_net_destroy(back);
    }
}

/* A format-2 file cannot hold a solver; a format-3 state must fit its
 * optimizer. */
static void test_format_errors(void)
{
    const char *head = "xornet %d\nsizes 1 1\nactivations identity\nloss mse\nW1 1 1\n0.5\nb1 1\n0\n";
    const char *tail = "fit epoch 1 best_epoch 0 wait 0 best_loss inf lr0 1\nrng numpy mti 624 has_gauss 0 "
                       "gauss 0\nmt";
    struct {
        int version;
        const char *state;
        size_t line;
        const char *words;
    } cases[] = {
        {2, "optimizer lm lr 1 momentum 0 beta1 0 beta2 0 eps 0 weight_decay 0 steps 0\n", 9,
         "optimizer lm needs format 3, not 2"},
        {3, "optimizer lm lr 1 momentum 0 beta1 0 beta2 0 eps 0 weight_decay 0 steps 0\nsolver mu 0 mu_dec 0.1 "
            "mu_inc 10 mu_max 1e10 lm_max_bytes 100 memory 10 max_line_search 20 gtol 0 ftol 0 max_evals 5\n",
         10, "lm's mu must be positive"},
        {3, "optimizer lm lr 1 momentum 0 beta1 0 beta2 0 eps 0 weight_decay 0 steps 0\nsolver mu 1 mu_dec 0.1 "
            "mu_inc 10 mu_max 1e10 lm_max_bytes 100 memory 10 max_line_search 20 gtol 0 ftol 0 max_evals 5\n"
            "state iterations 1 evaluations 1 jacobians 1 qr_steps 0 stop none pairs 1 have_fg 0 mu 1 "
            "objective nan loss nan metric nan\n",
         11, "bad pairs '1'"},
        {3, "optimizer lbfgs lr 1 momentum 0 beta1 0 beta2 0 eps 0 weight_decay 0 steps 0\nsolver mu 1 mu_dec 0.1 "
            "mu_inc 10 mu_max 1e10 lm_max_bytes 100 memory 2 max_line_search 20 gtol 0 ftol 0 max_evals 5\n"
            "state iterations 1 evaluations 1 jacobians 0 qr_steps 0 stop none pairs 1 have_fg 1 mu 1 "
            "objective nan loss nan metric nan\n",
         11, "have_fg 1 needs a finite objective"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[4096];
        int w = snprintf(text, sizeof text, head, cases[i].version);
        w += snprintf(text + w, sizeof text - (size_t)w, "%s%s", cases[i].state, tail);
        for (int j = 0; j < 624; j++)
            w += snprintf(text + w, sizeof text - (size_t)w, " 1");
        snprintf(text + w, sizeof text - (size_t)w, "\nend\n");
        xn_net *net = NULL;
        xn_error err;
        CHECK_STATUS(xn_net_parse(&net, text, strlen(text), &err), XN_EFORMAT);
        if (!strstr(err.msg, cases[i].words) || err.line != cases[i].line)
            fprintf(stderr, "case %zu: line %zu: %s\n", i, err.line, err.msg);
        CHECK(strstr(err.msg, cases[i].words) != NULL && err.line == cases[i].line);
    }
}

/* A smaller memory keeps the newest pairs; the run goes on from them. */
static void test_memory_change(void)
{
    double x[2 * N], y[3 * N];
    rows(true, x, y);
    xn_net *net = network(true, XN_FLOAT64);
    xn_opt o = xn_opt_default(XN_OPT_LBFGS);
    o.gtol = o.ftol = 0.0;
    for (int i = 0; i < 6; i++)
        CHECK_STATUS(xn_net_train_step(net, N, x, y, &o, NULL), XN_OK);
    const xn_solver *st = net->solver;
    size_t P = xn_net_param_count(net);
    double newest_s[40];
    xn_lbfgs lb = {.n = P, .m = st->m};
    xn_lbfgs_arrays(&lb, (double *)st->data, NULL);
    memcpy(newest_s, lb.s + st->newest * P, P * sizeof *lb.s);
    CHECK(st->pairs == 6);
    o.memory = 3;
    CHECK_STATUS(xn_net_train_step(net, N, x, y, &o, NULL), XN_OK); /* same kind: the state stays */
    st = net->solver;
    CHECK(st->m == 3 && st->pairs == 3 && st->iterations == 7);
    lb = (xn_lbfgs){.n = P, .m = st->m};
    xn_lbfgs_arrays(&lb, (double *)st->data, NULL);
    /* the pair of iteration 6 is now the one before the newest */
    CHECK(memcmp(newest_s, lb.s + xn_lbfgs_slot(3, 3, st->newest, 1) * P, P * sizeof *lb.s) == 0);
    xn_net_destroy(net);
}

int main(void)
{
    test_names();
    test_refusals();
    test_fit_rules();
    test_fit_is_steps();
    test_resume();
    test_format_errors();
    test_memory_change();
    CHECK_DONE();
}
