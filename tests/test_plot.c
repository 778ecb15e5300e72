/* The gnuplot pictures of src/cli/plot.c: each PNG must exist, start with
 * the PNG signature and carry the requested width and height in its IHDR
 * chunk.  Without gnuplot the drawing part is skipped (exit 77, meson's
 * skip) after checking that a missing gnuplot is reported as such. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, setenv */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "plot.h"
#include "train_curve.h"
#include "xornet/approx.h"

/* Checks that path is a PNG of width x height; returns its size in bytes. */
static long check_png(const char *path, uint32_t width, uint32_t height)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    unsigned char h[24];
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f) {
        fprintf(stderr, "%s: missing\n", path);
        return 0;
    }
    size_t got = fread(h, 1, sizeof h, f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    CHECK(got == sizeof h);
    if (got != sizeof h)
        return 0;
    CHECK(memcmp(h, sig, 8) == 0);
    /* the first chunk: length 13, type IHDR, then width and height (big-endian) */
    CHECK(memcmp(h + 12, "IHDR", 4) == 0);
    uint32_t w = (uint32_t)h[16] << 24 | (uint32_t)h[17] << 16 | (uint32_t)h[18] << 8 | h[19];
    uint32_t ht = (uint32_t)h[20] << 24 | (uint32_t)h[21] << 16 | (uint32_t)h[22] << 8 | h[23];
    CHECK(w == width);
    CHECK(ht == height);
    CHECK(size > 2000); /* a drawn picture, not an empty frame */
    return size;
}

/* Goodfellow et al.'s XOR network: 2 -> 2 relu -> 1 identity. */
static xn_net *xor_net(void)
{
    size_t sizes[3] = {2, 2, 1};
    xn_act acts[2] = {XN_ACT_RELU, XN_ACT_IDENTITY};
    xn_net_config cfg = {.n_layers = 2, .sizes = sizes, .acts = acts, .loss = XN_LOSS_MSE,
                         .max_batch = 4};
    xn_net *net = NULL;
    CHECK_STATUS(xn_net_create(&net, &cfg), XN_OK);
    double *w1 = xn_net_weights(net, 1), *w2 = xn_net_weights(net, 2);
    w1[0] = w1[1] = w1[2] = w1[3] = 1.0;
    xn_net_bias(net, 1)[1] = -1.0;
    w2[0] = 1.0;
    w2[1] = -2.0;
    return net;
}

/* A picture drawn: PLOT_OK, the PNG checked, and gnuplot warned of nothing. */
#define DRAWN(call, width, height)                                          \
    do {                                                                    \
        CHECK_STATUS(call, PLOT_OK);                                        \
        check_png(path, width, height);                                     \
        if (err.warning[0])                                                 \
            fprintf(stderr, "%s: gnuplot warned: %s\n", path, err.warning); \
        CHECK(err.warning[0] == '\0');                                      \
    } while (0)

/* A classifier 2 -> k: softmax over k >= 2 classes, or one sigmoid; its
 * weights make the class follow the first input. */
static xn_net *classes_net(size_t k)
{
    size_t sizes[2] = {2, k};
    xn_act act = k == 1 ? XN_ACT_SIGMOID : XN_ACT_SOFTMAX;
    xn_net_config cfg = {.n_layers = 1, .sizes = sizes, .acts = &act,
                         .loss = k == 1 ? XN_LOSS_BCE : XN_LOSS_CCE, .max_batch = 8};
    xn_net *net = NULL;
    CHECK_STATUS(xn_net_create(&net, &cfg), XN_OK);
    double *w = xn_net_weights(net, 1); /* (2, k) */
    for (size_t c = 0; c < k; c++)
        w[c] = k == 1 ? 1.0 : (double)c - 1.0;
    if (k == 1)
        xn_net_bias(net, 1)[0] = -2.5;
    return net;
}

static void series(void)
{
    train_curve s = {0};
    const size_t steps = 1000000;
    for (size_t k = 0; k < steps; k++)
        CHECK(train_curve_add(&s, k, 1.0 / (double)(k + 1), false) == 0);
    CHECK(train_curve_add(&s, steps, 0.5e-6, true) == 0);
    CHECK(s.n > TRAIN_CURVE_MAX / 4 && s.n <= TRAIN_CURVE_MAX);
    CHECK(s.x[0] == 0.0 && s.y[0] == 1.0);
    CHECK(s.x[s.n - 1] == (double)steps); /* the forced last point */
    CHECK(s.y[s.n - 1] == 0.5e-6);
    bool increasing = true, paired = true; /* each kept value is its step's */
    for (size_t i = 1; i < s.n; i++) {
        increasing &= s.x[i] > s.x[i - 1];
        paired &= i + 1 == s.n || s.y[i] == 1.0 / (s.x[i] + 1.0);
    }
    CHECK(increasing && paired);
    train_curve_free(&s);
    CHECK(s.x == NULL && s.n == 0);
    /* a short run keeps every step */
    for (size_t k = 0; k < 10; k++)
        CHECK(train_curve_add(&s, k, (double)k, false) == 0);
    CHECK(s.n == 10 && s.x[9] == 9.0);
    train_curve_free(&s);
}

int main(void)
{
    series();

    char dir[] = "/tmp/xornet-test-plot-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char out[600], path[700];
    snprintf(out, sizeof out, "%s/pics", dir);
    plot_error err = {0};

    /* one level of directory is made, an existing one is fine, a file is not */
    CHECK_STATUS(plot_mkdir(out, &err), PLOT_OK);
    CHECK_STATUS(plot_mkdir(out, &err), PLOT_OK);
    snprintf(path, sizeof path, "%s/a/b", dir);
    CHECK_STATUS(plot_mkdir(path, &err), PLOT_EFAIL);
    snprintf(path, sizeof path, "%s/file", dir);
    FILE *f = fopen(path, "w");
    if (f)
        fclose(f);
    CHECK_STATUS(plot_mkdir(path, &err), PLOT_EFAIL);
    CHECK(strstr(err.msg, "not a directory") != NULL);
    unlink(path);

    double steps[50], loss[50];
    for (size_t k = 0; k < 50; k++) {
        steps[k] = (double)k;
        loss[k] = exp(-0.1 * (double)k);
    }

    /* without gnuplot on PATH: reported as missing, with the install hint */
    const char *saved = getenv("PATH");
    char *path_env = saved ? strdup(saved) : NULL;
    setenv("PATH", dir, 1);
    CHECK(!plot_have_gnuplot());
    snprintf(path, sizeof path, "%s/none.png", out);
    CHECK_STATUS(plot_loss(path, "t", 50, steps, loss, 0, 0, &err), PLOT_ENOGNUPLOT);
    CHECK(strstr(err.msg, "apt-get install gnuplot-nox") != NULL);
    CHECK(access(path, F_OK) != 0);
    if (path_env) {
        setenv("PATH", path_env, 1);
        free(path_env);
    }

    if (!plot_have_gnuplot()) {
        printf("SKIP: gnuplot is not installed (apt-get install gnuplot-nox)\n");
        rmdir(out);
        rmdir(dir);
        return check_failures ? 1 : 77;
    }

    /* the loss curve, at a requested size; a quote and a newline in the
     * title must not break the script */
    snprintf(path, sizeof path, "%s/loss.png", out);
    DRAWN(plot_loss(path, "it's a\ntitle", 50, steps, loss, 640, 480, &err), 640, 480);
    /* the default size */
    snprintf(path, sizeof path, "%s/loss-default.png", out);
    DRAWN(plot_loss(path, "default", 50, steps, loss, 0, 0, &err), PLOT_WIDTH, PLOT_HEIGHT);
    /* zero losses: drawn on a linear scale instead of failing; one point:
     * a range around it, without gnuplot's warning about an empty one */
    double zeros[3] = {0, 0, 0};
    snprintf(path, sizeof path, "%s/zero.png", out);
    DRAWN(plot_loss(path, "zero", 3, steps, zeros, 320, 240, &err), 320, 240);
    snprintf(path, sizeof path, "%s/one.png", out);
    DRAWN(plot_loss(path, "one point", 1, steps, loss, 0, 0, &err), PLOT_WIDTH, PLOT_HEIGHT);
    /* two curves and a marked epoch, on a linear and a log scale */
    double acc[50];
    for (size_t k = 0; k < 50; k++)
        acc[k] = 1.0 - 0.5 * exp(-0.3 * (double)k);
    plot_curve two[2] = {{"training", 50, steps, loss}, {"validation", 40, steps, acc}};
    plot_mark kept = {30.0, "weights kept: epoch 30"};
    snprintf(path, sizeof path, "%s/curves.png", out);
    DRAWN(plot_curves(path, "two", "epoch", "accuracy", false, 2, two, &kept, 0, 0, &err), PLOT_WIDTH, PLOT_HEIGHT);
    snprintf(path, sizeof path, "%s/curves-log.png", out);
    DRAWN(plot_curves(path, "two", "epoch", "loss", true, 2, two, &kept, 0, 0, &err), PLOT_WIDTH, PLOT_HEIGHT);

    /* the XOR surface and its view from above, at a size and by default */
    xn_net *net = xor_net();
    const double *x = xn_xor_inputs(), *y = xn_xor_targets();
    snprintf(path, sizeof path, "%s/surface.png", out);
    DRAWN(plot_surface(path, "xor", net, 4, x, y, 500, 400, &err), 500, 400);
    snprintf(path, sizeof path, "%s/surface-default.png", out);
    DRAWN(plot_surface(path, "xor", net, 4, x, y, 0, 0, &err), PLOT_WIDE, PLOT_HEIGHT);
    /* many points: no labels, smaller marks */
    double many[2 * 300], many_y[300];
    for (size_t i = 0; i < 300; i++) {
        many[2 * i] = cos(0.1 * (double)i) * (double)i / 300.0;
        many[2 * i + 1] = sin(0.1 * (double)i) * (double)i / 300.0;
        many_y[i] = (double)(i % 2);
    }
    snprintf(path, sizeof path, "%s/surface-many.png", out);
    DRAWN(plot_surface(path, "many", net, 300, many, many_y, 0, 0, &err), PLOT_WIDE, PLOT_HEIGHT);
    /* a network that is not 2 -> 1 has no surface */
    size_t sizes[2] = {3, 1};
    xn_act act = XN_ACT_SIGMOID;
    xn_net_config cfg = {.n_layers = 1, .sizes = sizes, .acts = &act, .loss = XN_LOSS_MSE,
                         .max_batch = 4};
    xn_net *wide = NULL;
    CHECK_STATUS(xn_net_create(&wide, &cfg), XN_OK);
    snprintf(path, sizeof path, "%s/bad.png", out);
    CHECK_STATUS(plot_surface(path, "bad", wide, 4, x, y, 0, 0, &err), PLOT_EFAIL);
    CHECK(access(path, F_OK) != 0);
    xn_net_destroy(wide);

    /* predicted against actual: the XOR network is a regression (identity
     * output); R^2 = 1 for it */
    snprintf(path, sizeof path, "%s/predicted.png", out);
    DRAWN(plot_predicted(path, "xor", net, 4, x, y, 0, 0, &err), PLOT_WIDTH, PLOT_HEIGHT);
    snprintf(path, sizeof path, "%s/no-confusion.png", out);
    CHECK_STATUS(plot_confusion(path, "xor", net, 4, x, y, 0, 0, &err), PLOT_EFAIL);
    CHECK(strstr(err.msg, "needs a classifier") != NULL);
    CHECK(access(path, F_OK) != 0);
    xn_net_destroy(net);
    /* a classifier of 3 classes with labels, and one of one sigmoid output */
    xn_net *cls = classes_net(3);
    const char *labels[3] = {"setosa", "versicolor", "it's virginica"};
    CHECK_STATUS(xn_net_set_labels(cls, 3, labels), XN_OK);
    double cx[6 * 2], cy[6 * 3] = {0};
    for (size_t i = 0; i < 6; i++) {
        cx[2 * i] = (double)i;
        cx[2 * i + 1] = (double)(5 - i);
        cy[i * 3 + i % 3] = 1.0;
    }
    snprintf(path, sizeof path, "%s/confusion.png", out);
    DRAWN(plot_confusion(path, "three", cls, 6, cx, cy, 0, 0, &err), PLOT_WIDTH, PLOT_HEIGHT);
    snprintf(path, sizeof path, "%s/predicted-3.png", out); /* three outputs, a colour each */
    DRAWN(plot_predicted(path, "three outputs", cls, 6, cx, cy, 0, 0, &err), PLOT_WIDTH, PLOT_HEIGHT);
    xn_net_destroy(cls);
    xn_net *bin = classes_net(1);
    double by[6] = {0, 1, 0, 1, 1, 0};
    snprintf(path, sizeof path, "%s/confusion-2.png", out);
    DRAWN(plot_confusion(path, "two", bin, 6, cx, by, 0, 0, &err), PLOT_WIDTH, PLOT_HEIGHT);
    xn_net_destroy(bin);

    /* a fit of sin on [0, pi], with and without the function's curve, and
     * with knots marked */
    double sx[9], sf[9];
    xn_approx_fn fn = XN_FN_SIN;
    CHECK_STATUS(xn_approx_fn_sample(fn, 0.0, 3.14159265358979323846, 9, sx, sf, NULL), XN_OK);
    xn_net *fit = NULL;
    xn_approx_info info;
    CHECK_STATUS(xn_approx_interp(sx, sf, 9, NULL, &fit, &info), XN_OK);
    snprintf(path, sizeof path, "%s/approx.png", out);
    plot_knots at_samples = {.at_samples = true};
    DRAWN(plot_approx(path, "sin", 9, sx, sf, fit, &fn, &at_samples, 700, 300, &err), 700, 300);
    snprintf(path, sizeof path, "%s/approx-samples.png", out);
    DRAWN(plot_approx(path, "samples", 9, sx, sf, fit, NULL, NULL, 0, 0, &err), PLOT_WIDTH, PLOT_HEIGHT);
    xn_net_destroy(fit);
    double t[3] = {0.5, 1.5, 2.5};
    CHECK_STATUS(xn_approx_lsq_knots(sx, sf, 9, t, 3, NULL, &fit, &info), XN_OK);
    plot_knots given = {.k = 3, .t = t};
    snprintf(path, sizeof path, "%s/approx-knots.png", out);
    DRAWN(plot_approx(path, "knots", 9, sx, sf, fit, &fn, &given, 0, 0, &err), PLOT_WIDTH, PLOT_HEIGHT);
    xn_net_destroy(fit);

    /* a bad size is refused before anything runs */
    CHECK_STATUS(plot_loss(path, "t", 50, steps, loss, 5, 5, &err), PLOT_EFAIL);
    /* an unwritable destination is an error, not a silent success */
    snprintf(path, sizeof path, "%s/no-such-dir/loss.png", out);
    CHECK_STATUS(plot_loss(path, "t", 50, steps, loss, 0, 0, &err), PLOT_EFAIL);

    /* gnuplot's warning is kept (the program drops it): a stand-in that
     * warns and draws */
    snprintf(path, sizeof path, "%s/gnuplot", dir);
    f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("#!/bin/sh\necho 'Warning: empty y range [1:1], adjusting to [0.99:1.01]' >&2\n"
              "printf 'not a PNG' >\"$(dirname \"$2\")/out.png\"\n", f);
        fclose(f);
    }
    chmod(path, 0755);
    path_env = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
    char warn_path[1200];
    snprintf(warn_path, sizeof warn_path, "%s:%s", dir, path_env ? path_env : "/usr/bin");
    setenv("PATH", warn_path, 1);
    snprintf(path, sizeof path, "%s/warned.png", out);
    CHECK_STATUS(plot_loss(path, "t", 50, steps, loss, 0, 0, &err), PLOT_OK);
    CHECK(strcmp(err.warning, "Warning: empty y range [1:1], adjusting to [0.99:1.01]") == 0);
    unlink(path);
    if (path_env) {
        setenv("PATH", path_env, 1);
        free(path_env);
    }
    snprintf(path, sizeof path, "%s/gnuplot", dir);
    unlink(path);

    if (check_failures)
        fprintf(stderr, "pictures left in %s for a look\n", out);
    else {
        const char *names[] = {"loss.png", "loss-default.png", "zero.png", "one.png", "curves.png",
                               "curves-log.png", "surface.png", "surface-default.png", "surface-many.png",
                               "predicted.png", "confusion.png", "predicted-3.png", "confusion-2.png",
                               "approx.png", "approx-samples.png", "approx-knots.png"};
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            snprintf(path, sizeof path, "%s/%s", out, names[i]);
            unlink(path);
        }
        rmdir(out);
        rmdir(dir);
    }
    CHECK_DONE();
}
