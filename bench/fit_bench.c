/* fit_bench: whole epochs of mini-batch training with xn_fit on data the
 * shape of Fashion-MNIST's (60000 rows of 784 inputs, 10 classes), for the
 * 784-256-10 and 784-512-256-10 relu/softmax networks, batches of 32, 128
 * and 512, Adam, float64 and float32, next to:
 *   - the floor: the step's matrix products alone (fit_floor.h), whole
 *     (one call each, OpenBLAS threading it) and sliced as a network's
 *     threads run them;
 *   - PyTorch (nn.Sequential + Adam, bench/fit_peers.py), float64 and
 *     float32;
 *   - a NumPy float64 loop as a NumPy user writes it (the same script);
 *   - with --program, the xornet program itself on the real Fashion-MNIST
 *     files (`xornet train`, the second epoch's seconds from --history).
 * xornet runs on its own threads with OpenBLAS on one (the library's
 * rule, xornet.h) and, for comparison, on OpenBLAS's threads ("on blas");
 * every other system at 1 and 2 threads, PyTorch also with one thread of
 * its own over 2 of OpenBLAS's (its BLAS on Debian); a ratio is taken
 * against the best setting of each.  Also the breakdown of xornet's step
 * at its best thread count: the gather of a batch's rows, the gradient
 * (forward, loss, backward), the optimizer's update, and the rest of the
 * epoch, beside the floor's products.
 *
 *   fit_bench [--quick] [--md] [--nets 1|2] [--batch B] [--type f64|f32]
 *             [--repeats R] [--python PATH] [--no-peers]
 *             [--program XORNET [--fashion DIR]]
 *
 * Medians of R repeats (3), a configuration's systems run one after the
 * other in each repeat, so they see the same load.  Timings are reported,
 * never asserted.  The BLAS's core type, the environment's OpenBLAS
 * settings and the threads are printed: the machine's, as they are. */
#define _POSIX_C_SOURCE 200809L /* popen, setenv */

#include <cblas.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"
#include "fit_floor.h"
#include "fit_setup.h"
#include "src/engine/internal.h"
#include "xn_config.h"
#include "xornet/xornet.h"

#if XN_HAVE_OPENBLAS_THREADS
void openblas_set_num_threads(int num_threads);
char *openblas_get_corename(void);
char *openblas_get_config(void);
#define SET_THREADS(t) openblas_set_num_threads(t)
#else
#define SET_THREADS(t) ((void)(t))
#endif

#ifndef XN_BENCH_SRCDIR
#define XN_BENCH_SRCDIR "bench"
#endif

enum { THREADS = 2, MAX_REPEATS = 9 };

typedef fit_shape shape;

typedef struct {
    bool quick, md, peers;
    int repeats;
    int nets;        /* the first 1 or 2 networks */
    size_t batch;    /* 0: all three */
    int type;        /* -1: both, 0: f64, 1: f32 */
    size_t rows;
    const char *python, *program, *fashion;
} options;

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, bench_cmp);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* ---- xornet ------------------------------------------------------------ */

/* One epoch of xn_fit: seconds. */
static double xornet_epoch(xn_net *net, fit_data *s, size_t batch)
{
    xn_fit_config cfg = {.epochs = 1, .batch = batch, .shuffle = true, .rng = &s->rng};
    double t0 = bench_now();
    xn_status st = xn_fit(net, &s->d, &cfg, NULL);
    double t = bench_now() - t0;
    if (st != XN_OK) {
        fprintf(stderr, "fit_bench: xn_fit failed: %s\n", xn_net_error(net));
        exit(1);
    }
    return t;
}

/* The step taken apart, an epoch of each stage: the gather of a batch's
 * rows into the network's type, the gradient, and the update. */
typedef struct {
    double gather, gradient, update;
} breakdown;

static breakdown xornet_parts(xn_net *net, fit_data *s, size_t batch)
{
    size_t n = s->d.n, in = s->d.in, K = s->d.out, steps = (n + batch - 1) / batch;
    size_t *perm = malloc(n * sizeof *perm);
    void *bx = malloc(batch * in * sizeof(double)), *by = malloc(batch * K * sizeof(double));
    xn_rng_permutation(&s->rng, n, perm);
    xn_net_reserve(net, batch);
    breakdown b = {0, 0, 0};
    for (size_t k = 0; k < steps; k++) {
        size_t m = n - k * batch < batch ? n - k * batch : batch;
        double t0 = bench_now();
        xn_net_begin(net);
        net->engine->gather(net, m, in, s->d.x, XN_SRC_DOUBLE, perm + k * batch, NULL, NULL, bx);
        net->engine->gather(net, m, K, s->d.y, XN_SRC_DOUBLE, perm + k * batch, NULL, NULL, by);
        double t1 = bench_now();
        net->grads_fresh = true;
        xn_net_accumulate_rows(net, m, bx, by, m, 0.0, XN_SRC_READY);
        double t2 = bench_now();
        xn_net_apply_update(net);
        double t3 = bench_now();
        b.gather += t1 - t0;
        b.gradient += t2 - t1;
        b.update += t3 - t2;
    }
    free(perm);
    free(bx);
    free(by);
    return b;
}

/* ---- the program on the real data -------------------------------------- */

/* The second epoch's seconds of `xornet train` on Fashion-MNIST (its
 * --history's last column), or NAN if it could not run. */
static double program_epoch(const options *o, size_t batch, bool f32, int threads)
{
    char hist[] = "/tmp/fit_bench_XXXXXX", cmd[2400], line[512];
    int fd = mkstemp(hist);
    if (fd < 0)
        return NAN;
    close(fd);
    snprintf(cmd, sizeof cmd,
             "'%s' train --data '%s/train-images-idx3-ubyte.gz' --labels '%s/train-labels-idx1-ubyte.gz' "
             "--layers 784,256,10 --batch %zu --epochs 2 --val-split 0 --seed 1 --dtype %s --threads %d "
             "--history '%s' >/dev/null 2>&1", o->program, o->fashion, o->fashion, batch,
             f32 ? "float32" : "float64", threads, hist);
    double secs = NAN;
    if (system(cmd) == 0) {
        FILE *f = fopen(hist, "r");
        while (f && fgets(line, sizeof line, f)) {
            const char *last = strrchr(line, ',');
            if (!strncmp(line, "2,", 2) && last)
                secs = atof(last + 1);
        }
        if (f)
            fclose(f);
    }
    remove(hist);
    return secs;
}

/* ---- the peers --------------------------------------------------------- */

static bool python_has(const char *py, const char *module)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "'%s' -c 'import %s' >/dev/null 2>&1", py, module);
    return system(cmd) == 0;
}

/* A python with NumPy (and, for has_torch, PyTorch): --python,
 * $XN_PYTHON, python3 or /usr/bin/python3. */
static const char *find_python(const options *o, bool *has_torch)
{
    const char *cands[] = {o->python, getenv("XN_PYTHON"), "python3", "/usr/bin/python3"};
    const char *best = NULL;
    *has_torch = false;
    for (size_t i = 0; i < sizeof cands / sizeof cands[0]; i++) {
        const char *py = cands[i];
        if (!py || !*py || strchr(py, '\'') || !python_has(py, "numpy"))
            continue;
        if (python_has(py, "torch")) {
            *has_torch = true;
            return py;
        }
        if (!best)
            best = py;
    }
    return best;
}

/* Median seconds per epoch of system (torch or numpy) with `threads` of
 * its own and `blas` OpenBLAS threads, or NAN if it could not run.
 * (PyTorch's thread pool and the OpenBLAS it calls are set apart; NumPy
 * has only OpenBLAS's.) */
static double peer(const char *py, const char *system, const shape *sh, size_t batch, bool f32,
                   int threads, int blas, int epochs, const options *o)
{
    char cmd[1600], sizes[64] = "", line[128], th[8];
    for (size_t i = 0; i <= sh->L; i++)
        snprintf(sizes + strlen(sizes), sizeof sizes - strlen(sizes), "%s%zu", i ? "," : "", sh->sizes[i]);
    snprintf(th, sizeof th, "%d", blas);
    setenv("OPENBLAS_NUM_THREADS", th, 1); /* the BLAS reads it at import */
    snprintf(cmd, sizeof cmd, "'%s' '%s/fit_peers.py' %s --sizes %s --batch %zu --dtype %s --threads %d "
             "--rows %zu --epochs %d", py, XN_BENCH_SRCDIR, system, sizes, batch, f32 ? "f32" : "f64",
             threads, o->rows, epochs);
    FILE *p = popen(cmd, "r");
    double v[MAX_REPEATS];
    int n = 0;
    while (p && fgets(line, sizeof line, p) && n < MAX_REPEATS)
        if (sscanf(line, "%lf", &v[n]) == 1)
            n++;
    if (!p || pclose(p) != 0 || n == 0)
        return NAN;
    return median(v, n);
}

/* ---- one configuration ------------------------------------------------- */

/* Every system's medians.  xornet[t], floor[t]: t + 1 threads (the
 * network's, with OpenBLAS on one; OpenBLAS's for the whole floor);
 * on_blas: xornet on OpenBLAS's THREADS threads; sliced: the sliced floor
 * on THREADS; torch[t] for t < THREADS: t + 1 threads of its own and of
 * OpenBLAS; torch[THREADS]: one of its own, THREADS of OpenBLAS's. */
typedef struct {
    double xornet[THREADS], on_blas, floor[THREADS], sliced, program, torch[THREADS + 1], numpy[THREADS];
    int best_threads;
    breakdown parts;
} result;

static double best_of(const double *v, int n)
{
    double b = NAN;
    for (int t = 0; t < n; t++)
        if (!isnan(v[t]) && (isnan(b) || v[t] < b))
            b = v[t];
    return b;
}

static double best(const double *v) { return best_of(v, THREADS); }

/* A configuration's systems, interleaved: each repeat times an epoch of
 * each in turn, so that all of them see the machine in the same state;
 * the medians over the repeats. */
static void run_config(const shape *sh, size_t batch, bool f32, fit_data *s, const options *o,
                       const char *py, bool torch, result *r)
{
    enum { XN = 0, ON_BLAS = THREADS, FLOOR = THREADS + 1, SLICED = 2 * THREADS + 1, PROGRAM,
           TORCH, NUMPY = TORCH + THREADS + 1, SYSTEMS = NUMPY + THREADS };
    double v[SYSTEMS][MAX_REPEATS];
    floor_ctx fc;
    xn_net *net = fit_net_make(sh, f32 ? XN_FLOAT32 : XN_FLOAT64);
    if (!net || !floor_init(&fc, sh, batch, f32, THREADS)) {
        fprintf(stderr, "fit_bench: out of memory\n");
        exit(1);
    }
    SET_THREADS(1);
    xornet_epoch(net, s, batch); /* warm-up: pages, caches, BLAS buffers */
    floor_epoch(&fc, o->rows, false);
    for (int rep = 0; rep < o->repeats; rep++) {
        for (int t = 0; t < THREADS; t++) {
            SET_THREADS(1);
            xn_net_set_threads(net, (size_t)t + 1);
            v[XN + t][rep] = xornet_epoch(net, s, batch);
            SET_THREADS(t + 1);
            v[FLOOR + t][rep] = floor_epoch(&fc, o->rows, false);
        }
        SET_THREADS(THREADS);
        v[ON_BLAS][rep] = xornet_epoch(net, s, batch);
        SET_THREADS(1);
        v[SLICED][rep] = floor_epoch(&fc, o->rows, true);
        v[PROGRAM][rep] = o->program && sh->L == 2 ? program_epoch(o, batch, f32, THREADS) : NAN;
        for (int t = 0; t <= THREADS; t++) /* t == THREADS: 1 of its own, THREADS of BLAS */
            v[TORCH + t][rep] = torch ? peer(py, "torch", sh, batch, f32, t < THREADS ? t + 1 : 1,
                                             t < THREADS ? t + 1 : THREADS, 1, o)
                                      : NAN;
        for (int t = 0; t < THREADS; t++)
            v[NUMPY + t][rep] = py && !f32 ? peer(py, "numpy", sh, batch, f32, t + 1, t + 1, 1, o) : NAN;
    }
    for (int t = 0; t <= THREADS; t++) {
        if (t < THREADS) {
            r->xornet[t] = median(v[XN + t], o->repeats);
            r->floor[t] = median(v[FLOOR + t], o->repeats);
            r->numpy[t] = median(v[NUMPY + t], o->repeats);
        }
        r->torch[t] = median(v[TORCH + t], o->repeats);
    }
    r->on_blas = median(v[ON_BLAS], o->repeats);
    r->sliced = median(v[SLICED], o->repeats);
    r->program = median(v[PROGRAM], o->repeats);
    r->best_threads = 1;
    for (int t = 1; t < THREADS; t++)
        if (r->xornet[t] < r->xornet[r->best_threads - 1])
            r->best_threads = t + 1;
    SET_THREADS(1);
    xn_net_set_threads(net, (size_t)r->best_threads);
    r->parts = xornet_parts(net, s, batch);
    xn_net_destroy(net);
    floor_free(&fc);
}

/* ---- output ------------------------------------------------------------ */

static void put(double v, bool md)
{
    if (isnan(v))
        printf(md ? " - |" : " %8s", "-");
    else
        printf(md ? " %.3f |" : " %8.3f", v);
}

static void put_ratio(double a, double b, bool md)
{
    put(isnan(a) || isnan(b) ? NAN : a / b, md);
}

static void header(bool md)
{
    if (md) {
        puts("| net | batch | type | xornet 1t | xornet 2t | xornet on blas 2t | xornet train | floor 1t | "
             "floor 2t | floor sliced 2t | torch 1t | torch 2t | torch 1t+blas 2t | numpy 1t | numpy 2t | "
             "xornet / floor | train / floor | torch / xornet | numpy / xornet | threads | gather | gradient | "
             "products | update | rest |");
        puts("|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    } else {
        printf("%-16s %5s %4s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s  %s\n", "net",
               "batch", "type", "xn 1t", "xn 2t", "xn blas", "train", "floor1t", "floor2t", "sliced", "torch1t",
               "torch2t", "torch1+2", "numpy1t", "numpy2t", "xn/flr", "trn/flr", "torch/xn", "np/xn",
               "threads; breakdown (s/epoch): gather gradient products update rest");
    }
}

static void row(const shape *sh, size_t batch, bool f32, const result *r, bool md)
{
    char name[64] = "";
    for (size_t i = 0; i <= sh->L; i++)
        snprintf(name + strlen(name), sizeof name - strlen(name), "%s%zu", i ? "-" : "", sh->sizes[i]);
    if (md)
        printf("| %s | %zu | %s |", name, batch, f32 ? "f32" : "f64");
    else
        printf("%-16s %5zu %4s", name, batch, f32 ? "f32" : "f64");
    for (int t = 0; t < THREADS; t++)
        put(r->xornet[t], md);
    put(r->on_blas, md);
    put(r->program, md);
    for (int t = 0; t < THREADS; t++)
        put(r->floor[t], md);
    put(r->sliced, md);
    for (int t = 0; t <= THREADS; t++)
        put(r->torch[t], md);
    for (int t = 0; t < THREADS; t++)
        put(r->numpy[t], md);
    double xb = best(r->xornet), fb = best(r->floor);
    if (r->sliced < fb)
        fb = r->sliced;
    put_ratio(xb, fb, md);
    put_ratio(r->program, fb, md);
    put_ratio(best_of(r->torch, THREADS + 1), xb, md);
    put_ratio(best(r->numpy), xb, md);
    /* the floor at the breakdown's threads: the products the gradient holds */
    double products = r->best_threads == 1 ? r->floor[0] : r->sliced;
    double rest = r->xornet[r->best_threads - 1] - r->parts.gather - r->parts.gradient - r->parts.update;
    printf(md ? " %d |" : "  %d", r->best_threads);
    put(r->parts.gather, md);
    put(r->parts.gradient, md);
    put(products, md);
    put(r->parts.update, md);
    put(rest, md);
    putchar('\n');
    fflush(stdout);
}

int main(int argc, char **argv)
{
    options o = {.repeats = 3, .rows = 60000, .nets = 2, .peers = true, .type = -1,
                 .fashion = "/usr/share/datasets/fashion-mnist"};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) {
            o.quick = true;
        } else if (!strcmp(argv[i], "--md")) {
            o.md = true;
        } else if (!strcmp(argv[i], "--no-peers")) {
            o.peers = false;
        } else if (!strcmp(argv[i], "--nets") && i + 1 < argc) {
            o.nets = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--batch") && i + 1 < argc) {
            o.batch = (size_t)atol(argv[++i]);
        } else if (!strcmp(argv[i], "--type") && i + 1 < argc) {
            i++;
            o.type = !strcmp(argv[i], "f32") ? 1 : !strcmp(argv[i], "f64") ? 0 : -1;
        } else if (!strcmp(argv[i], "--repeats") && i + 1 < argc) {
            o.repeats = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--python") && i + 1 < argc) {
            o.python = argv[++i];
        } else if (!strcmp(argv[i], "--program") && i + 1 < argc) {
            o.program = argv[++i];
        } else if (!strcmp(argv[i], "--fashion") && i + 1 < argc) {
            o.fashion = argv[++i];
        } else {
            fputs("usage: fit_bench [--quick] [--md] [--nets 1|2] [--batch B] [--type f64|f32] [--repeats R]\n"
                  "                 [--python PATH] [--no-peers] [--program XORNET [--fashion DIR]]\n"
                  "  --quick       seconds (CI): 3000 rows, one network and batch, no peers\n"
                  "  --md          a Markdown table (bench/RESULTS.md)\n"
                  "  --nets N      the first network only (1) or both (2, the default)\n"
                  "  --batch B     one batch size (32, 128 and 512 by default)\n"
                  "  --type T      one element type (both by default)\n"
                  "  --repeats R   repeats a median is taken of (default 3, at most 9)\n"
                  "  --python P    the python with NumPy and PyTorch for bench/fit_peers.py\n"
                  "  --no-peers    xornet and the floor only\n"
                  "  --program X   also `X train` on the Fashion-MNIST files in DIR (784-256-10)\n",
                  stderr);
            return 2;
        }
    }
    if (o.repeats < 1 || o.repeats > MAX_REPEATS)
        o.repeats = 3;
    if (o.nets < 1 || o.nets > 2)
        o.nets = 2;
    if (o.quick) {
        o.rows = 3000;
        o.repeats = 1;
        o.peers = false;
        o.program = NULL;
    }
    bool torch = false;
    const char *py = o.peers ? find_python(&o, &torch) : NULL;
    const char *ct = getenv("OPENBLAS_CORETYPE"), *l2 = getenv("OPENBLAS_L2_SIZE");
#if XN_HAVE_OPENBLAS_THREADS
    printf("fit_bench%s: BLAS %s (core %s); OPENBLAS_CORETYPE=%s OPENBLAS_L2_SIZE=%s (the environment's, "
           "unchanged); %zu CPUs\n", o.quick ? " --quick" : "", openblas_get_config(), openblas_get_corename(),
           ct ? ct : "(unset)", l2 ? l2 : "(unset)", xn_cpu_count());
#else
    printf("fit_bench%s: OPENBLAS_CORETYPE=%s OPENBLAS_L2_SIZE=%s; %zu CPUs\n", o.quick ? " --quick" : "",
           ct ? ct : "(unset)", l2 ? l2 : "(unset)", xn_cpu_count());
#endif
    printf("%zu rows, Adam, seconds per epoch, median of %d; peers: %s; program: %s\n", o.rows, o.repeats,
           !py ? "none" : torch ? py : "NumPy only (no PyTorch)", o.program ? o.program : "none");
    static const shape shapes[] = {{2, {784, 256, 10}}, {3, {784, 512, 256, 10}}};
    static const size_t batches[] = {32, 128, 512};
    fit_data s;
    if (!fit_data_make(&s, o.rows, 784, 10)) {
        fprintf(stderr, "fit_bench: out of memory\n");
        return 1;
    }
    header(o.md);
    for (size_t si = 0; si < (o.quick ? 1 : (size_t)o.nets); si++)
        for (size_t bi = 0; bi < 3; bi++) {
            size_t batch = o.quick ? 128 : batches[bi];
            if ((o.quick && bi > 0) || (o.batch && batch != o.batch))
                continue;
            for (int f32 = 0; f32 <= 1; f32++) {
                if (o.type >= 0 && f32 != o.type)
                    continue;
                result r;
                run_config(&shapes[si], batch, f32, &s, &o, py, torch, &r);
                row(&shapes[si], batch, f32, &r, o.md);
            }
        }
    xn_data_free(&s.d);
    return 0;
}
