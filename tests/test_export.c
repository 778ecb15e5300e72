/* Export to C: the generated source compiles with each compiler named on
 * the command line at -std=c99 -Wall -Wextra -Wpedantic -Werror and more
 * (and at -std=c89 when it is double), and computes what xn_net_predict
 * computes: bit for bit in double against the plain-loop kernel, including
 * the input standardization (filled into the exporter's description
 * directly, as a network that stores one will), and to float rounding in
 * float.  Bad names, types and numbers are refused with nothing written;
 * files are replaced atomically.
 * usage: test_export HOST_C COMPILER...   (HOST_C: tests/export_host.c) */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "src/export/export_model.h"
#include "xornet/export.h"

static char dir[64];
static const char *host;
static char **compilers;
static int n_compilers;

static char *path_in(const char *name)
{
    static char buf[8][256];
    static int k;
    k = (k + 1) % 8; /* up to 8 paths live in one call */
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 12, n = 0, got;
    char *b = malloc(cap + 1);
    while (b && (got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *g = realloc(b, 2 * cap + 1);
            if (!g) {
                free(b);
                b = NULL;
                break;
            }
            b = g;
            cap *= 2;
        }
    }
    fclose(f);
    if (b)
        b[n] = '\0';
    if (len)
        *len = n;
    return b;
}

static void spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* The shell command's exit status (-1 if it did not exit). */
static int run(const char *cmd)
{
    int st = system(cmd);
    if (st == -1 || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

/* A network with every parameter drawn (biases too) from seed. */
static xn_net *make_net(size_t L, const size_t *sizes, const xn_act *acts, uint64_t seed)
{
    xn_net_config cfg = {.n_layers = L, .sizes = sizes, .acts = acts, .loss = XN_LOSS_MSE,
                         .kernel = XN_KERNEL_NAIVE};
    xn_net *net = NULL;
    xn_rng rng;
    CHECK_STATUS(xn_net_create(&net, &cfg), XN_OK);
    CHECK_STATUS(xn_rng_seed(&rng, XN_RNG_NUMPY, seed), XN_OK);
    if (net)
        CHECK_STATUS(xn_net_init(net, XN_INIT_GLOROT_NORMAL, XN_ORDER_ROW, XN_BIAS_DRAWN, &rng),
                     XN_OK);
    return net;
}

/* n rows of n0 inputs: uniform in [-3, 3), but the last two rows all
 * 1000 and all -1000 (where exp(-z) overflows and the softmax needs its
 * shift). */
static double *make_inputs(size_t n, size_t n0, uint64_t seed)
{
    double *x = malloc(n * n0 * sizeof *x);
    xn_rng rng;
    xn_rng_seed(&rng, XN_RNG_NUMPY, seed);
    for (size_t i = 0; x && i < n * n0; i++) {
        size_t row = i / n0;
        x[i] = row == n - 2 ? 1000.0 : row == n - 1 ? -1000.0 : 6.0 * xn_rng_uniform(&rng) - 3.0;
    }
    return x;
}

/* What the exported description computes, by the library: the inputs
 * standardized as the description says, then xn_net_predict (the net's
 * kernel is the plain-loop one). */
static void expected(xn_net *net, const xn_export_model *m, size_t n, const double *x, double *y)
{
    size_t n0 = m->sizes[0];
    double *s = malloc(n * n0 * sizeof *s);
    CHECK(s != NULL);
    if (!s)
        return;
    for (size_t i = 0; i < n * n0; i++)
        s[i] = m->mean ? (x[i] - m->mean[i % n0]) / m->sd[i % n0] : x[i];
    CHECK_STATUS(xn_net_predict(net, n, s, y), XN_OK);
    free(s);
}

/* Exports m as net.c and net.h, compiles them with cc (strictly; also as
 * C89 unless float) and the host, runs it on x (n rows) and reads its
 * outputs into y (n, nL).  False, after saying why, on any failure. */
static bool run_generated(const char *cc, const xn_export_model *m, const xn_export_opts *o,
                          size_t n, const double *x, double *y)
{
    size_t n0 = m->sizes[0], nL = m->sizes[m->L];
    bool as_float = o->type == XN_EXPORT_FLOAT;
    xn_error err;
    FILE *f = fopen(path_in("net.c"), "w");
    FILE *h = fopen(path_in("net.h"), "w");
    CHECK(f && h);
    if (!f || !h)
        return false;
    CHECK_STATUS(xn_export_model_c(m, o, f, &err), XN_OK);
    CHECK_STATUS(xn_export_model_h(m, o, h, &err), XN_OK);
    fclose(f);
    fclose(h);
    f = fopen(path_in("in.txt"), "w");
    CHECK(f != NULL);
    if (!f)
        return false;
    for (size_t i = 0; i < n * n0; i++)
        fprintf(f, "%.17g%c", x[i], (i + 1) % n0 ? ' ' : '\n');
    fclose(f);

    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "%s -std=c99 -O2 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wmissing-prototypes "
             "-Wstrict-prototypes -Wconversion -Wdouble-promotion -Wcast-qual -c '%s' -o '%s'",
             cc, path_in("net.c"), path_in("net.o"));
    if (run(cmd) != 0) {
        fprintf(stderr, "failed: %s\n", cmd);
        return false;
    }
    if (!as_float) {
        snprintf(cmd, sizeof cmd, "%s -std=c89 -Wall -Wextra -Wpedantic -Werror -c '%s' -o '%s'",
                 cc, path_in("net.c"), path_in("net89.o"));
        if (run(cmd) != 0) {
            fprintf(stderr, "failed: %s\n", cmd);
            return false;
        }
    }
    snprintf(cmd, sizeof cmd,
             "%s -std=c99 -O2 -Wall -Wextra -Wpedantic -Werror %s -I'%s' '%s' '%s' -lm -o '%s' && "
             "'%s' <'%s' >'%s'",
             cc, as_float ? "-DEXPORT_FLOAT" : "", dir, host, path_in("net.o"), path_in("host"),
             path_in("host"), path_in("in.txt"), path_in("out.txt"));
    if (run(cmd) != 0) {
        fprintf(stderr, "failed: %s\n", cmd);
        return false;
    }
    f = fopen(path_in("out.txt"), "r");
    CHECK(f != NULL);
    if (!f)
        return false;
    size_t got = 0;
    while (got < n * nL && fscanf(f, "%lf", &y[got]) == 1)
        got++;
    double extra;
    bool tail = fscanf(f, "%lf", &extra) == 1;
    fclose(f);
    CHECK(got == n * nL && !tail);
    return got == n * nL && !tail;
}

/* Worst |a - b| / (1 + |b|) seen among float exports, for the log. */
static double float_worst;

/* Runs m (built from net, which computes it) through every compiler on n
 * rows: bit-equal to the library in double, within float rounding and
 * every output a float in float. */
static void check_export(xn_net *net, const xn_export_model *m, const char *model_name,
                         xn_export_type type, size_t n, uint64_t seed)
{
    size_t n0 = m->sizes[0], nL = m->sizes[m->L];
    double *x = make_inputs(n, n0, seed);
    double *want = malloc(n * nL * sizeof *want), *got = malloc(n * nL * sizeof *got);
    CHECK(x && want && got);
    if (!x || !want || !got)
        goto out;
    if (type == XN_EXPORT_FLOAT) /* the same inputs on both sides */
        for (size_t i = 0; i < n * n0; i++)
            x[i] = (float)x[i];
    expected(net, m, n, x, want);
    xn_export_opts o = {.name = "net", .type = type, .model = model_name,
                        .made_by = "test_export"};
    for (int c = 0; c < n_compilers; c++) {
        for (size_t i = 0; i < n * nL; i++)
            got[i] = NAN;
        if (!run_generated(compilers[c], m, &o, n, x, got)) {
            CHECK(!"the generated code compiles and runs");
            continue;
        }
        size_t differ = 0;
        for (size_t i = 0; i < n * nL; i++) {
            CHECK(isfinite(got[i]));
            if (type == XN_EXPORT_FLOAT) {
                double e = fabs(got[i] - want[i]) / (1.0 + fabs(want[i]));
                float_worst = e > float_worst ? e : float_worst;
                /* 32 float epsilons (2^-18): a few dozen roundings of
                 * 2^-24 along the deepest path; these nets reach about
                 * one epsilon (printed at the end) */
                CHECK_CLOSE(got[i], want[i], 32 * FLT_EPSILON, 32 * FLT_EPSILON);
                CHECK(got[i] == (double)(float)got[i]);
            } else if (memcmp(&got[i], &want[i], sizeof got[i]) != 0) {
                if (differ++ < 3)
                    fprintf(stderr, "%s: output %zu: generated %.17g, library %.17g\n",
                            compilers[c], i, got[i], want[i]);
            }
        }
        CHECK(differ == 0);
    }
out:
    free(x);
    free(want);
    free(got);
}

static void test_names(void)
{
    const char *good[] = {"net", "a", "Net_2", "x_", "mnist_784_256_10"};
    const char *bad[] = {"", "_net", "2net", "my-net", "n\xc3\xa9", "a b", "net.c", "a$"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        CHECK_STATUS(xn_export_name_check(good[i]), XN_OK);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK_STATUS(xn_export_name_check(bad[i]), XN_EINVAL);
    CHECK_STATUS(xn_export_name_check(NULL), XN_EINVAL);
    char longest[XN_EXPORT_MAX_NAME + 2];
    memset(longest, 'a', sizeof longest);
    longest[XN_EXPORT_MAX_NAME] = '\0';
    CHECK_STATUS(xn_export_name_check(longest), XN_OK);
    longest[XN_EXPORT_MAX_NAME] = 'a';
    longest[XN_EXPORT_MAX_NAME + 1] = '\0';
    CHECK_STATUS(xn_export_name_check(longest), XN_EINVAL);

    xn_export_type t = XN_EXPORT_MODEL;
    CHECK_STATUS(xn_export_type_parse("float", &t), XN_OK);
    CHECK(t == XN_EXPORT_FLOAT);
    CHECK_STATUS(xn_export_type_parse("double", &t), XN_OK);
    CHECK(t == XN_EXPORT_DOUBLE);
    CHECK_STATUS(xn_export_type_parse("model", &t), XN_OK);
    CHECK(t == XN_EXPORT_MODEL);
    CHECK_STATUS(xn_export_type_parse("int", &t), XN_EINVAL);
    CHECK_STATUS(xn_export_type_parse(NULL, &t), XN_EINVAL);
    CHECK(t == XN_EXPORT_MODEL);
    CHECK(strcmp(xn_export_type_name(XN_EXPORT_FLOAT), "float") == 0);
    CHECK(strcmp(xn_export_type_name((xn_export_type)7), "?") == 0);
}

/* The text: nothing but <math.h>, no macros, no mutable file-scope data,
 * the numbers as literals that keep their value and sign. */
static void test_text(void)
{
    size_t sizes[] = {2, 3};
    xn_act acts[] = {XN_ACT_IDENTITY};
    xn_net *net = make_net(1, sizes, acts, 1);
    if (!net)
        return;
    double *w = xn_net_weights(net, 1);
    w[0] = -0.0;
    w[1] = 1.0;
    w[2] = 1e-310;   /* subnormal */
    w[3] = 0.1;
    w[4] = 1e300;
    w[5] = -2.5e-7;
    FILE *f = tmpfile();
    xn_error err;
    CHECK(f != NULL);
    if (!f) {
        xn_net_destroy(net);
        return;
    }
    CHECK_STATUS(xn_export_c(net, NULL, f, &err), XN_OK);
    long len = ftell(f);
    char *text = malloc((size_t)len + 1);
    rewind(f);
    CHECK(text && fread(text, 1, (size_t)len, f) == (size_t)len);
    fclose(f);
    if (!text) {
        xn_net_destroy(net);
        return;
    }
    text[len] = '\0';
    CHECK(strstr(text, "#define") == NULL);
    CHECK(strstr(text, "#include <math.h>\n") != NULL);
    const char *inc = strstr(text, "#include");
    CHECK(inc && strstr(inc + 1, "#include") == NULL);
    CHECK(strstr(text, "static const double net_W1[2][3] = {\n"
                       "    {-0.0, 1.0, 9.9999999999999694e-311},\n"
                       "    {0.10000000000000001, 1.0000000000000001e+300, -2.4999999999999999e-07}\n"
                       "};\n") != NULL);
    /* every file-scope object is const; the only stack arrays are work */
    for (const char *p = text; (p = strstr(p, "\nstatic ")); p++)
        CHECK(strncmp(p, "\nstatic const ", 14) == 0);
    CHECK(strstr(text, "void net_predict(const double *x, double *y)\n{\n    double work[1];") != NULL);
    CHECK(strstr(text, "(void)work;") != NULL);
    free(text);

    /* float literals: 1 is 1.0f (1f does not compile), -0 keeps its sign */
    xn_export_opts o = {.type = XN_EXPORT_FLOAT};
    w[2] = 3.0;
    w[4] = (double)FLT_MAX;
    f = tmpfile();
    CHECK(f != NULL);
    if (f) {
        CHECK_STATUS(xn_export_c(net, &o, f, &err), XN_OK);
        rewind(f);
        char buf[1 << 14];
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        CHECK(strstr(buf, "    {-0.0f, 1.0f, 3.0f},\n    {0.100000001f, 3.40282347e+38f, -2.49999999e-07f}\n")
              != NULL);
        CHECK(strstr(buf, "float work[1];") != NULL);
        fclose(f);
    }
    xn_net_destroy(net);
}

/* Refusals: bad arguments, numbers that cannot be written, and nothing
 * written then. */
static void test_refused(void)
{
    size_t sizes[] = {2, 4, 1};
    xn_act acts[] = {XN_ACT_TANH, XN_ACT_SIGMOID};
    xn_net *net = make_net(2, sizes, acts, 2);
    if (!net)
        return;
    xn_error err;
    FILE *f = tmpfile();
    CHECK(f != NULL);
    if (!f) {
        xn_net_destroy(net);
        return;
    }
    xn_export_opts bad_name = {.name = "2net"}, bad_type = {.type = (xn_export_type)9},
                   as_float = {.type = XN_EXPORT_FLOAT};
    CHECK_STATUS(xn_export_c(NULL, NULL, f, &err), XN_EINVAL);
    CHECK_STATUS(xn_export_c(net, NULL, NULL, &err), XN_EINVAL);
    CHECK_STATUS(xn_export_h(net, NULL, NULL, NULL), XN_EINVAL);
    CHECK_STATUS(xn_export_c(net, &bad_name, f, &err), XN_EINVAL);
    CHECK(strstr(err.msg, "C identifier") != NULL);
    CHECK_STATUS(xn_export_c(net, &bad_type, f, &err), XN_EINVAL);

    /* the largest double that rounds to a finite float, and the next */
    double *w = xn_net_weights(net, 1);
    double edge = (double)FLT_MAX + ldexp(1.0, 103);
    w[5] = nextafter(edge, 0.0);
    CHECK_STATUS(xn_export_c(net, &as_float, f, &err), XN_OK);
    CHECK(fseek(f, 0, SEEK_SET) == 0);
    w[5] = -edge;
    CHECK_STATUS(xn_export_h(net, &as_float, f, &err), XN_ENUMERIC);
    CHECK(strstr(err.msg, "W1[1][1] = ") != NULL && strstr(err.msg, "too large for a float") != NULL);
    CHECK(ftell(f) == 0);
    CHECK_STATUS(xn_export_c(net, NULL, f, &err), XN_OK); /* fine in double */
    CHECK(fseek(f, 0, SEEK_SET) == 0);
    w[5] = NAN;
    CHECK_STATUS(xn_export_c(net, NULL, f, &err), XN_ENUMERIC);
    CHECK(strcmp(err.msg, "W1[1][1] is not finite; nothing written") == 0);
    w[5] = 0.5;
    xn_net_bias(net, 2)[0] = INFINITY;
    CHECK_STATUS(xn_export_c(net, NULL, f, &err), XN_ENUMERIC);
    CHECK(strcmp(err.msg, "b2[0] is not finite; nothing written") == 0);
    CHECK(ftell(f) == 0);
    xn_net_bias(net, 2)[0] = 0.0;

    /* the description's own checks */
    xn_export_model m;
    double mean[2] = {0.5, -1}, sd[2] = {2, 0};
    CHECK_STATUS(xn_export_model_of(&m, net), XN_OK);
    m.mean = mean;
    CHECK_STATUS(xn_export_model_c(&m, NULL, f, &err), XN_EINVAL);
    m.sd = sd;
    CHECK_STATUS(xn_export_model_c(&m, NULL, f, &err), XN_ENUMERIC);
    CHECK(strcmp(err.msg, "sd[1] is 0, a divisor; nothing written") == 0);
    sd[1] = 1e-50; /* a double, but 0 as a float */
    CHECK_STATUS(xn_export_model_c(&m, NULL, f, &err), XN_OK);
    CHECK(fseek(f, 0, SEEK_SET) == 0);
    CHECK_STATUS(xn_export_model_c(&m, &as_float, f, &err), XN_ENUMERIC);
    CHECK(strstr(err.msg, "sd[1] = 1e-50 rounds to 0 as a float") != NULL);
    m.mean = m.sd = NULL;
    m.sizes[1] = 0;
    CHECK_STATUS(xn_export_model_c(&m, NULL, f, &err), XN_EDIM);
    m.sizes[1] = 4;
    m.acts[2] = (xn_act)42;
    CHECK_STATUS(xn_export_model_c(&m, NULL, f, &err), XN_EINVAL);
    m.acts[2] = XN_ACT_SIGMOID;
    m.L = 0;
    CHECK_STATUS(xn_export_model_c(&m, NULL, f, &err), XN_EINVAL);
    CHECK(ftell(f) == 0);
    CHECK_STATUS(xn_export_model_c(NULL, NULL, f, &err), XN_EINVAL);
    fclose(f);
    xn_net_destroy(net);
}

/* xn_export_save: both files or neither, old files kept on failure, no
 * temporary file left behind. */
static void test_save(void)
{
    size_t sizes[] = {3, 5, 2};
    xn_act acts[] = {XN_ACT_RELU, XN_ACT_SOFTMAX};
    xn_net *net = make_net(2, sizes, acts, 3);
    if (!net)
        return;
    xn_error err;
    xn_export_opts o = {.name = "saved"};
    char *c = strdup(path_in("saved.c")), *h = strdup(path_in("saved.h"));
    CHECK_STATUS(xn_export_save(net, &o, c, h, &err), XN_OK);
    /* the same bytes as the streams give */
    FILE *f = fopen(path_in("stream.c"), "w"), *g = fopen(path_in("stream.h"), "w");
    CHECK(f && g);
    if (f && g) {
        CHECK_STATUS(xn_export_c(net, &o, f, &err), XN_OK);
        CHECK_STATUS(xn_export_h(net, &o, g, &err), XN_OK);
    }
    if (f)
        fclose(f);
    if (g)
        fclose(g);
    char *a = slurp(c, NULL), *b = slurp(path_in("stream.c"), NULL);
    CHECK(a && b && strcmp(a, b) == 0);
    free(a);
    free(b);
    a = slurp(h, NULL);
    b = slurp(path_in("stream.h"), NULL);
    CHECK(a && b && strcmp(a, b) == 0 && strstr(a, "enum { saved_INPUTS = 3, saved_OUTPUTS = 2, saved_WORK = 5 };"));
    free(a);
    free(b);

    /* include guards: names that differ only in case get different ones
     * (both headers can be included in one file), lower case as before */
    const char *names[4] = {"net", "Net", "NET", "nEt"}, *guards[4] = {"NET_H", "Net_h", "NET_h", "nEt_h"};
    for (size_t i = 0; i < 4; i++) {
        char *text = NULL, want[64];
        size_t size = 0;
        FILE *m = open_memstream(&text, &size);
        xn_export_opts on = {.name = names[i]};
        CHECK(m && xn_export_h(net, &on, m, &err) == XN_OK);
        if (m)
            fclose(m);
        snprintf(want, sizeof want, "\n#ifndef %s\n#define %s\n", guards[i], guards[i]);
        CHECK(text && strstr(text, want) != NULL);
        free(text);
    }

    CHECK_STATUS(xn_export_save(net, &o, c, c, &err), XN_EINVAL);
    CHECK_STATUS(xn_export_save(net, &o, NULL, NULL, &err), XN_EINVAL);
    CHECK_STATUS(xn_export_save(net, &o, "", NULL, &err), XN_EINVAL);

    /* a header that cannot be written: the source is kept as it was */
    spit(c, "old source\n");
    const char *nowhere = path_in("missing/saved.h");
    CHECK_STATUS(xn_export_save(net, &o, c, nowhere, &err), XN_EIO);
    CHECK(strncmp(err.msg, nowhere, strlen(nowhere)) == 0 && err.msg[strlen(nowhere)] == ':');
    a = slurp(c, NULL);
    CHECK(a && strcmp(a, "old source\n") == 0);
    free(a);
    /* a model that cannot be written as float: both kept */
    xn_net_weights(net, 2)[1] = 1e39;
    xn_export_opts of = {.type = XN_EXPORT_FLOAT};
    CHECK_STATUS(xn_export_save(net, &of, c, h, &err), XN_ENUMERIC);
    a = slurp(c, NULL);
    CHECK(a && strcmp(a, "old source\n") == 0);
    free(a);
    /* only the header */
    remove(h);
    CHECK_STATUS(xn_export_save(net, &o, NULL, h, &err), XN_OK);
    a = slurp(h, NULL);
    CHECK(a && strstr(a, "void saved_predict(const double *x, double *y);"));
    free(a);

    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        CHECK(strstr(e->d_name, ".tmp-") == NULL);
    if (d)
        closedir(d);
    free(c);
    free(h);
    xn_net_destroy(net);
}

/* The generated code against the library. */
static void test_compiled(void)
{
    xn_export_model m;

    /* XOR's shape, with a model name that tries to break out of the
     * opening comment: -Wall's -Wcomment and -Wtrigraphs would fail it */
    {
        size_t sizes[] = {2, 10, 1};
        xn_act acts[] = {XN_ACT_RELU, XN_ACT_SIGMOID};
        xn_net *net = make_net(2, sizes, acts, 4);
        if (net && xn_export_model_of(&m, net) == XN_OK)
            check_export(net, &m, "evil */ int x; /* ?\?/\n?\?= .xn", XN_EXPORT_DOUBLE, 10, 40);
        xn_net_destroy(net);
    }
    /* standardized inputs (a constant column stores sd 1: only centred),
     * tanh, relu, softmax; double and float */
    {
        size_t sizes[] = {3, 6, 4, 3};
        xn_act acts[] = {XN_ACT_TANH, XN_ACT_RELU, XN_ACT_SOFTMAX};
        double mean[3] = {0.25, -1.5, 7.0}, sd[3] = {2.0, 0.3, 1.0};
        xn_net *net = make_net(3, sizes, acts, 5);
        if (net && xn_export_model_of(&m, net) == XN_OK) {
            m.mean = mean;
            m.sd = sd;
            check_export(net, &m, "softmax.xn", XN_EXPORT_DOUBLE, 12, 50);
            check_export(net, &m, "softmax.xn", XN_EXPORT_FLOAT, 12, 51);
        }
        xn_net_destroy(net);
    }
    /* deep, widths that make the scratch's front and back alternate:
     * s (3), a1 (7), a2 (2), a3 (9), a4 (4) need 13 */
    {
        size_t sizes[] = {3, 7, 2, 9, 4, 3};
        xn_act acts[] = {XN_ACT_TANH, XN_ACT_SIGMOID, XN_ACT_RELU, XN_ACT_TANH, XN_ACT_IDENTITY};
        double mean[3] = {1, 2, 3}, sd[3] = {0.5, 4, 1.5};
        xn_net *net = make_net(5, sizes, acts, 6);
        if (net && xn_export_model_of(&m, net) == XN_OK) {
            m.mean = mean;
            m.sd = sd;
            check_export(net, &m, "deep.xn", XN_EXPORT_DOUBLE, 9, 60);
            check_export(net, &m, "deep.xn", XN_EXPORT_FLOAT, 9, 61);
            FILE *f = tmpfile();
            char buf[1 << 15];
            CHECK(f != NULL);
            if (f) {
                CHECK_STATUS(xn_export_model_h(&m, NULL, f, NULL), XN_OK);
                rewind(f);
                size_t n = fread(buf, 1, sizeof buf - 1, f);
                buf[n] = '\0';
                CHECK(strstr(buf, "net_WORK = 13 };") != NULL);
                fclose(f);
            }
        }
        xn_net_destroy(net);
    }
    /* one layer: no scratch at all, then only the standardized input */
    {
        size_t sizes[] = {4, 2};
        xn_act acts[] = {XN_ACT_IDENTITY};
        xn_net *net = make_net(1, sizes, acts, 7);
        if (net && xn_export_model_of(&m, net) == XN_OK) {
            double *w = xn_net_weights(net, 1);
            w[0] = -0.0; /* literals that must keep their exact value */
            w[1] = 1e-310;
            w[2] = 1e300;
            w[3] = 4.9406564584124654e-324;
            check_export(net, &m, "linear.xn", XN_EXPORT_DOUBLE, 6, 70);
        }
        xn_net_destroy(net);
        size_t sizes2[] = {4, 5};
        xn_act acts2[] = {XN_ACT_SOFTMAX};
        double mean[4] = {0, 0, 0, -3}, sd[4] = {1, 1, 10, 1};
        net = make_net(1, sizes2, acts2, 8);
        if (net && xn_export_model_of(&m, net) == XN_OK) {
            m.mean = mean;
            m.sd = sd;
            check_export(net, &m, "soft1.xn", XN_EXPORT_DOUBLE, 6, 80);
            check_export(net, &m, "soft1.xn", XN_EXPORT_FLOAT, 6, 81);
        }
        xn_net_destroy(net);
    }
    printf("float exports: worst |a - b| / (1 + |b|) = %.3g (bound %.3g)\n", float_worst,
           32 * FLT_EPSILON);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s HOST_C COMPILER...\n", argv[0]);
        return 2;
    }
    host = argv[1];
    compilers = argv + 2;
    n_compilers = argc - 2;
    snprintf(dir, sizeof dir, "/tmp/xn_export_XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    for (int c = 0; c < n_compilers; c++)
        printf("compiling with %s\n", compilers[c]);
    test_names();
    test_text();
    test_refused();
    test_save();
    test_compiled();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (run(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    CHECK_DONE();
}
