/* Model files: save -> load -> save round-trips byte for byte and bit for
 * bit, the reader refuses each kind of malformed file with the right line
 * (every truncation included) and leaves nothing half-loaded, saving is
 * atomic, never renames over a device or FIFO, honours the umask, fits a
 * long name and reports the errno of a failed write, and the gradients
 * that `xornet grad` prints agree with central differences of the loss. */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "xornet/xornet.h"

static char dir[64];

static char *path_in(const char *name)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 12, n = 0;
    char *b = malloc(cap);
    size_t got;
    while (b && (got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            b = realloc(b, cap *= 2);
    }
    fclose(f);
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

/* xn_net_parse over an exact-size copy, so a read past len is a sanitizer
 * error rather than a read of the NUL. */
static xn_status parse_exact(xn_net **net, const char *text, size_t len, xn_error *err)
{
    char *copy = malloc(len ? len : 1);
    memcpy(copy, text, len);
    xn_status s = xn_net_parse(net, copy, len, err);
    free(copy);
    return s;
}

static xn_net *make(size_t L, const size_t *sizes, const xn_act *acts, xn_loss loss, uint64_t seed)
{
    xn_net_config cfg = {.n_layers = L, .sizes = sizes, .acts = acts, .loss = loss};
    xn_net *net = NULL;
    xn_rng rng;
    CHECK_STATUS(xn_net_create(&net, &cfg), XN_OK);
    CHECK_STATUS(xn_rng_seed(&rng, XN_RNG_NUMPY, seed), XN_OK);
    if (net)
        CHECK_STATUS(xn_net_init(net, XN_INIT_NORMAL, XN_ORDER_ROW, XN_BIAS_DRAWN, &rng), XN_OK);
    return net;
}

static bool same_shape(const xn_net *a, const xn_net *b)
{
    if (xn_net_layers(a) != xn_net_layers(b) || xn_net_loss(a) != xn_net_loss(b))
        return false;
    for (size_t i = 0; i <= xn_net_layers(a); i++)
        if (xn_net_size(a, i) != xn_net_size(b, i) || (i && xn_net_act(a, i) != xn_net_act(b, i)))
            return false;
    return true;
}

/* save -> load -> save: identical bytes, identical parameters, identical
 * outputs on a random batch. */
static void round_trip(xn_net *net, const char *name)
{
    char *p1 = path_in(name), p2[300];
    snprintf(p2, sizeof p2, "%s.again", p1);
    xn_error err;
    CHECK_STATUS(xn_net_save(net, p1, &err), XN_OK);
    xn_net *back = NULL;
    CHECK_STATUS(xn_net_load(&back, p1, &err), XN_OK);
    if (!back) {
        fprintf(stderr, "%s: line %zu: %s\n", name, err.line, err.msg);
        return;
    }
    CHECK(same_shape(net, back));
    size_t P = xn_net_param_count(net);
    CHECK(P == xn_net_param_count(back));
    CHECK(memcmp(xn_net_params(net), xn_net_params(back), P * sizeof(double)) == 0);
    CHECK_STATUS(xn_net_save(back, p2, &err), XN_OK);
    size_t n1 = 0, n2 = 0;
    char *t1 = slurp(p1, &n1), *t2 = slurp(p2, &n2);
    CHECK(t1 && t2 && n1 == n2 && n1 > 0 && memcmp(t1, t2, n1) == 0);
    /* the same text parsed from memory gives the same network */
    xn_net *mem = NULL;
    CHECK_STATUS(parse_exact(&mem, t1, n1, &err), XN_OK);
    CHECK(mem && memcmp(xn_net_params(net), xn_net_params(mem), P * sizeof(double)) == 0);
    size_t n0 = xn_net_size(net, 0), nL = xn_net_size(net, xn_net_layers(net)), n = 7;
    double *x = malloc(n * n0 * sizeof *x), *ya = malloc(n * nL * sizeof *ya), *yb = malloc(n * nL * sizeof *yb);
    xn_rng rng;
    xn_rng_seed(&rng, XN_RNG_PYTHON, 99);
    for (size_t i = 0; i < n * n0; i++)
        x[i] = xn_rng_normal(&rng);
    CHECK_STATUS(xn_net_predict(net, n, x, ya), XN_OK);
    CHECK_STATUS(xn_net_predict(back, n, x, yb), XN_OK);
    CHECK(memcmp(ya, yb, n * nL * sizeof *ya) == 0);
    free(x);
    free(ya);
    free(yb);
    free(t1);
    free(t2);
    xn_net_destroy(mem);
    xn_net_destroy(back);
    remove(p1);
    remove(p2);
}

static void test_round_trips(void)
{
    {
        size_t s[] = {2, 10, 1};
        xn_act a[] = {XN_ACT_RELU, XN_ACT_SIGMOID};
        xn_net *net = make(2, s, a, XN_LOSS_MSE, 1);
        round_trip(net, "xor.xn");
        xn_net_destroy(net);
    }
    {
        size_t s[] = {3, 5, 4, 3};
        xn_act a[] = {XN_ACT_TANH, XN_ACT_IDENTITY, XN_ACT_SOFTMAX};
        xn_net *net = make(3, s, a, XN_LOSS_CCE, 2);
        round_trip(net, "three.xn");
        xn_net_destroy(net);
    }
    {
        size_t s[] = {4, 1};
        xn_act a[] = {XN_ACT_SIGMOID};
        xn_net *net = make(1, s, a, XN_LOSS_BCE, 3);
        /* doubles that are hard to print: signed zero, subnormals, the
         * extremes, a value with no short decimal form */
        double *w = xn_net_weights(net, 1);
        w[0] = -0.0;
        w[1] = 4.9406564584124654e-324;
        w[2] = DBL_MAX;
        w[3] = -DBL_MIN;
        xn_net_bias(net, 1)[0] = 0.1 + 0.2;
        round_trip(net, "odd.xn");
        xn_net *back = NULL;
        CHECK_STATUS(xn_net_load(&back, path_in("odd.xn"), NULL), XN_EIO); /* removed */
        CHECK(back == NULL);
        xn_net_destroy(net);
    }
    {
        size_t s[] = {1, 1};
        xn_act a[] = {XN_ACT_IDENTITY};
        xn_net *net = make(1, s, a, XN_LOSS_SSE, 4);
        round_trip(net, "tiny.xn");
        xn_net_destroy(net);
    }
}

/* The writer's text for a known network, checked line by line. */
static void test_exact_text(void)
{
    size_t s[] = {2, 1};
    xn_act a[] = {XN_ACT_SIGMOID};
    xn_net_config cfg = {.n_layers = 1, .sizes = s, .acts = a, .loss = XN_LOSS_BCE};
    xn_net *net = NULL;
    CHECK_STATUS(xn_net_create(&net, &cfg), XN_OK);
    xn_net_weights(net, 1)[0] = 0.5;
    xn_net_weights(net, 1)[1] = -2;
    xn_net_bias(net, 1)[0] = 0.1;
    CHECK_STATUS(xn_net_save(net, path_in("exact.xn"), NULL), XN_OK);
    size_t n;
    char *t = slurp(path_in("exact.xn"), &n);
    const char *want = "xornet 2\nsizes 2 1\nactivations sigmoid\nloss bce\nW1 2 1\n0.5\n-2\nb1 1\n"
                       "0.10000000000000001\nend\n";
    CHECK(t && n == strlen(want) && memcmp(t, want, n) == 0);
    free(t);
    remove(path_in("exact.xn"));
    xn_net_destroy(net);
}

static const char good[] =
    "xornet 1\n"             /* 1 */
    "sizes 2 2 1\n"          /* 2 */
    "activations tanh sigmoid\n"
    "loss mse\n"             /* 4 */
    "W1 2 2\n"               /* 5 */
    "1 -1\n"                 /* 6 */
    "-1 1\n"                 /* 7 */
    "b1 2\n"                 /* 8 */
    "0 0.5\n"                /* 9 */
    "W2 2 1\n"               /* 10 */
    "1\n"                    /* 11 */
    "2\n"                    /* 12 */
    "b2 1\n"                 /* 13 */
    "-0.5\n";                /* 14 */

/* good with line `line` (1-based) replaced by repl ("" drops the line). */
static char *edit(int line, const char *repl)
{
    static char buf[1024];
    char *o = buf;
    const char *p = good;
    for (int k = 1; *p; k++) {
        const char *nl = strchr(p, '\n');
        size_t len = (size_t)(nl - p) + 1;
        if (k == line) {
            o += sprintf(o, "%s", repl);
        } else {
            memcpy(o, p, len);
            o += len;
        }
        p += len;
    }
    *o = '\0';
    return buf;
}

typedef struct {
    const char *what;
    int line;
    const char *repl;
    size_t want_line;
    xn_status want;
    const char *msg; /* a piece of the message */
} bad_case;

static void test_malformed(void)
{
    xn_net *net = (xn_net *)1;
    xn_error err;
    CHECK_STATUS(parse_exact(&net, good, strlen(good), &err), XN_OK);
    CHECK(net != NULL);
    CHECK(net && xn_net_weights(net, 2)[1] == 2.0 && xn_net_bias(net, 1)[1] == 0.5);
    /* on success err names the sizes line, for messages about the shape */
    CHECK(err.line == 2 && err.msg[0] == '\0');
    xn_net_destroy(net);

    static const bad_case cases[] = {
        {"magic", 1, "xornot 1\n", 1, XN_EFORMAT, "not a xornet model"},
        {"version", 1, "xornet 4\n", 1, XN_EFORMAT, "unsupported format version 4 (this reader knows 1 to 3)"},
        {"version word", 1, "xornet one\n", 1, XN_EFORMAT, "bad format version"},
        {"magic extra", 1, "xornet 1 2\n", 1, XN_EFORMAT, "after the version"},
        {"zero size", 2, "sizes 2 0 1\n", 2, XN_EFORMAT, "is 0"},
        {"negative size", 2, "sizes 2 -2 1\n", 2, XN_EFORMAT, "bad size '-2'"},
        {"one size", 2, "sizes 2\n", 2, XN_EFORMAT, "at least 2 sizes"},
        {"huge size", 2, "sizes 2 99999999999999999999 1\n", 2, XN_EFORMAT, "over the limit"},
        {"too many params", 2, "sizes 20000 20000 1\n", 2, XN_EFORMAT, "parameters"},
        {"no sizes", 2, "size 2 2 1\n", 2, XN_EFORMAT, "expected the 'sizes' line"},
        {"acts count", 3, "activations tanh\n", 3, XN_EFORMAT, "expected 2 activations"},
        {"acts unknown", 3, "activations tanh sigmod\n", 3, XN_EFORMAT, "unknown activation 'sigmod'"},
        {"softmax inside", 3, "activations softmax sigmoid\n", 3, XN_EFORMAT, "last layer"},
        {"loss unknown", 4, "loss mae\n", 4, XN_EFORMAT, "unknown loss 'mae'"},
        {"cce pairing", 4, "loss cce\n", 4, XN_EFORMAT, "softmax"},
        {"loss twice", 4, "loss mse mse\n", 4, XN_EFORMAT, "one loss name"},
        {"short row", 6, "1\n", 6, XN_EFORMAT, "expected 2 numbers, found 1"},
        {"long row", 7, "-1 1 3\n", 7, XN_EFORMAT, "expected 2 numbers, found 3"},
        {"missing row", 7, "", 7, XN_EFORMAT, "not a number 'b1' in column 1"},
        {"nan", 11, "nan\n", 11, XN_EFORMAT, "non-finite number 'nan'"},
        {"inf", 12, "-inf\n", 12, XN_EFORMAT, "non-finite"},
        {"overflow", 12, "1e999\n", 12, XN_EFORMAT, "out of range"},
        {"underflow", 12, "1e-999\n", 12, XN_EFORMAT, "out of range"},
        {"hex", 12, "0x10\n", 12, XN_EFORMAT, "not a number"},
        {"garbage in number", 9, "0 0.5x\n", 9, XN_EFORMAT, "not a number '0.5x' in column 2"},
        {"bad shape", 10, "W2 1 2\n", 10, XN_EFORMAT, "expected 'W2 2 1'"},
        {"wrong block", 8, "b2 2\n", 8, XN_EFORMAT, "expected 'b1 2'"},
        {"missing block", 13, "", 13, XN_EFORMAT, "expected 'b2 1', found '-0.5'"},
        {"missing last", 14, "", 13, XN_EFORMAT, "unexpected end of file"},
        {"extra block", 14, "-0.5\nW3 1 1\n", 15, XN_EFORMAT, "after the last block"},
        {"trailing garbage", 14, "-0.5\nhello\n", 15, XN_EFORMAT, "after the last block"},
        {"empty", 0, NULL, 1, XN_EFORMAT, "empty"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const bad_case *b = &cases[c];
        const char *text = b->repl ? edit(b->line, b->repl) : "";
        net = (xn_net *)1;
        memset(&err, 0, sizeof err);
        xn_status s = parse_exact(&net, text, strlen(text), &err);
        bool ok = s == b->want && net == NULL && err.line == b->want_line && strstr(err.msg, b->msg) &&
                  !strchr(err.msg, '\n');
        if (!ok) {
            fprintf(stderr, "case '%s': status %d line %zu msg '%s'\n", b->what, (int)s, err.line, err.msg);
            check_failures++;
        }
    }
}

/* Comments, blank lines, CRLF, tabs and any spacing are fine. */
static void test_lenient_spacing(void)
{
    const char *text = "# a model\r\n\r\nxornet\t1\r\n  sizes 1   1\r\n# the activations\r\n"
                       "activations identity\r\nloss sse\r\nW1 1 1\r\n  \t 2.5e0 \r\n   # bias\r\nb1 1\r\n-1\r\n";
    xn_net *net = NULL;
    xn_error err;
    CHECK_STATUS(parse_exact(&net, text, strlen(text), &err), XN_OK);
    CHECK(net && xn_net_weights(net, 1)[0] == 2.5 && xn_net_bias(net, 1)[0] == -1.0);
    CHECK(err.line == 4);
    xn_net_destroy(net);
    /* the same without its final newline: maybe cut short, refused */
    CHECK_STATUS(parse_exact(&net, text, strlen(text) - 2, &err), XN_EFORMAT);
    CHECK(net == NULL && err.line == 12 && strstr(err.msg, "no newline at the end"));
    /* the length bounds the text: "-0.5\n" cut to "-0." is not -0, it is refused */
    CHECK_STATUS(parse_exact(&net, good, strlen(good) - 2, &err), XN_EFORMAT);
    CHECK(net == NULL && err.line == 14 && strstr(err.msg, "cut short"));
    /* a UTF-8 byte-order mark before the magic is skipped */
    char bom[sizeof good + 3] = "\xEF\xBB\xBF";
    memcpy(bom + 3, good, sizeof good);
    CHECK_STATUS(parse_exact(&net, bom, strlen(bom), &err), XN_OK);
    CHECK(net && xn_net_bias(net, 2)[0] == -0.5 && err.line == 2);
    xn_net_destroy(net);
    CHECK_STATUS(xn_net_parse(&net, NULL, 0, &err), XN_EFORMAT);
    CHECK_STATUS(xn_net_parse(NULL, good, strlen(good), &err), XN_EINVAL);
    CHECK_STATUS(xn_net_load(&net, NULL, &err), XN_EINVAL);
}

/* A file that declares many parameters but is short is refused where it
 * falls short, before the network is allocated. */
static void test_short_big(void)
{
    const char *text = "xornet 1\nsizes 16000 16000 1\nactivations relu identity\nloss mse\nW1 16000 16000\n1 2\n";
    xn_net *net = NULL;
    xn_error err;
    CHECK_STATUS(parse_exact(&net, text, strlen(text), &err), XN_EFORMAT);
    CHECK(net == NULL && err.line == 6 && strstr(err.msg, "expected 16000 numbers, found 2"));
}

/* Every prefix and many mutations of a good file: no crash, and a failure
 * leaves *out NULL with a message.  Every proper prefix is refused: a file
 * cut anywhere, inside its last number too ("-0.5" cut to "-0." or "-"),
 * never loads as a different network. */
static void test_mutations(void)
{
    size_t len = strlen(good);
    char buf[sizeof good];
    xn_error err;
    size_t fails = 0;
    for (size_t k = 0; k < len; k++) {
        xn_net *net = (xn_net *)1;
        xn_status s = parse_exact(&net, good, k, &err);
        if (s != XN_OK) {
            fails++;
            CHECK(net == NULL && err.msg[0] && err.line >= 1);
        } else {
            fprintf(stderr, "the first %zu bytes of the model loaded\n", k);
        }
        xn_net_destroy(s == XN_OK ? net : NULL);
    }
    CHECK(fails == len);
    xn_rng rng;
    xn_rng_seed(&rng, XN_RNG_NUMPY, 5);
    for (int trial = 0; trial < 20000; trial++) {
        memcpy(buf, good, len);
        for (int m = 0; m < 1 + trial % 3; m++)
            buf[xn_rng_u32(&rng) % len] = (char)(xn_rng_u32(&rng) & 0xff);
        xn_net *net = (xn_net *)1;
        xn_status s = parse_exact(&net, buf, len, &err);
        if (s != XN_OK)
            CHECK(net == NULL && err.msg[0] && !strchr(err.msg, '\n'));
        else
            xn_net_destroy(net);
    }
}

static size_t temp_files_left(void)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strstr(e->d_name, ".tmp-"))
            n++;
    if (d)
        closedir(d);
    return n;
}

static void test_atomic_save(void)
{
    size_t s[] = {2, 3, 1};
    xn_act a[] = {XN_ACT_RELU, XN_ACT_SIGMOID};
    xn_net *net = make(2, s, a, XN_LOSS_MSE, 7);
    xn_error err;
    char keep[256];
    snprintf(keep, sizeof keep, "%s", path_in("keep.xn"));
    spit(keep, "old contents\n");
    chmod(keep, 0640);

    /* a folder that does not exist */
    CHECK_STATUS(xn_net_save(net, path_in("no/such/dir/m.xn"), &err), XN_EIO);
    CHECK(err.line == 0 && strstr(err.msg, "temporary"));
    /* a path that is a folder holding a file: refused before any file */
    mkdir(path_in("sub"), 0755);
    spit(path_in("sub/inner"), "x");
    CHECK_STATUS(xn_net_save(net, path_in("sub"), &err), XN_EIO);
    CHECK(strstr(err.msg, "directory") != NULL);
    struct stat st;
    CHECK(stat(path_in("sub"), &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(temp_files_left() == 0);

    /* a network that cannot be written leaves the old file as it was */
    xn_net_weights(net, 1)[2] = 0.0 / 0.0;
    CHECK_STATUS(xn_net_save(net, keep, &err), XN_ENUMERIC);
    CHECK(strstr(err.msg, "W1[0][2]") != NULL);
    size_t n;
    char *t = slurp(keep, &n);
    CHECK(t && n == 13 && memcmp(t, "old contents\n", 13) == 0);
    free(t);

    /* a good save replaces it, keeps its mode and leaves no temporary */
    xn_net_weights(net, 1)[2] = 1.0;
    CHECK_STATUS(xn_net_save(net, keep, &err), XN_OK);
    CHECK(stat(keep, &st) == 0 && (st.st_mode & 0777) == 0640);
    xn_net *back = NULL;
    CHECK_STATUS(xn_net_load(&back, keep, &err), XN_OK);
    CHECK(back && xn_net_weights(back, 1)[2] == 1.0);
    CHECK(temp_files_left() == 0);
    xn_net_destroy(back);
    /* loading a folder or a missing file: XN_EIO at line 0 */
    CHECK_STATUS(xn_net_load(&back, path_in("sub"), &err), XN_EIO);
    CHECK(back == NULL && err.line == 0);
    CHECK_STATUS(xn_net_load(&back, path_in("missing.xn"), &err), XN_EIO);
    CHECK(back == NULL && strstr(err.msg, "cannot open"));
    CHECK_STATUS(xn_net_save(NULL, keep, &err), XN_EINVAL);
    remove(path_in("sub/inner"));
    rmdir(path_in("sub"));
    remove(keep);
    xn_net_destroy(net);
}

/* What a save does with things other than regular files: a symbolic link
 * to /dev/null stays a link and /dev/null a device; a FIFO is written into
 * (a reader gets the model whole) and stays a FIFO; /dev/fd/N writes at
 * the descriptor's offset; a symbolic link to a regular file is replaced
 * by the new file, as documented. */
static void test_special_targets(void)
{
    size_t s[] = {2, 3, 1};
    xn_act a[] = {XN_ACT_TANH, XN_ACT_SIGMOID};
    xn_net *net = make(2, s, a, XN_LOSS_MSE, 11);
    xn_error err;
    struct stat st;
    /* the bytes a save writes, for comparison */
    char ref[256];
    snprintf(ref, sizeof ref, "%s", path_in("ref.xn"));
    CHECK_STATUS(xn_net_save(net, ref, &err), XN_OK);
    size_t nref = 0;
    char *tref = slurp(ref, &nref);
    CHECK(tref && nref > 100);

    char link[256];
    snprintf(link, sizeof link, "%s", path_in("null-link"));
    CHECK(symlink("/dev/null", link) == 0);
    CHECK_STATUS(xn_net_save(net, link, &err), XN_OK);
    CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode));
    CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
    CHECK(temp_files_left() == 0);
    unlink(link);

    /* a FIFO, read by a child into a file */
    char fifo[256], got[256];
    snprintf(fifo, sizeof fifo, "%s", path_in("pipe"));
    snprintf(got, sizeof got, "%s", path_in("from-pipe"));
    CHECK(mkfifo(fifo, 0600) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(20); /* a save that never opens the FIFO must not hang the test */
        int in = open(fifo, O_RDONLY), out = open(got, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        char b[4096];
        ssize_t n;
        while (in >= 0 && out >= 0 && (n = read(in, b, sizeof b)) > 0)
            if (write(out, b, (size_t)n) != n)
                _exit(1);
        _exit(in >= 0 && out >= 0 ? 0 : 1);
    }
    CHECK(pid > 0);
    CHECK_STATUS(xn_net_save(net, fifo, &err), XN_OK);
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    size_t ngot = 0;
    char *tgot = slurp(got, &ngot);
    CHECK(tgot && ngot == nref && memcmp(tgot, tref, nref) == 0);
    CHECK(lstat(fifo, &st) == 0 && S_ISFIFO(st.st_mode));
    CHECK(temp_files_left() == 0);
    free(tgot);
    unlink(fifo);
    unlink(got);

    /* /dev/fd/N: after what the descriptor has written already */
    char fdfile[256], fdpath[64];
    snprintf(fdfile, sizeof fdfile, "%s", path_in("fd-out"));
    int fd = open(fdfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0 && write(fd, "head\n", 5) == 5);
    snprintf(fdpath, sizeof fdpath, "/dev/fd/%d", fd);
    CHECK_STATUS(xn_net_save(net, fdpath, &err), XN_OK);
    close(fd);
    tgot = slurp(fdfile, &ngot);
    CHECK(tgot && ngot == nref + 5 && memcmp(tgot, "head\n", 5) == 0 && memcmp(tgot + 5, tref, nref) == 0);
    free(tgot);
    unlink(fdfile);
    /* a descriptor that is not open */
    CHECK_STATUS(xn_net_save(net, "/dev/fd/999", &err), XN_EIO);
    CHECK(strstr(err.msg, "not open") != NULL);

    /* a link to a regular file: replaced by the new file (rename's rule) */
    char target[256];
    snprintf(target, sizeof target, "%s", path_in("target.xn"));
    spit(target, "old\n");
    CHECK(symlink(target, link) == 0);
    CHECK_STATUS(xn_net_save(net, link, &err), XN_OK);
    CHECK(lstat(link, &st) == 0 && S_ISREG(st.st_mode));
    size_t nt = 0;
    char *tt = slurp(target, &nt);
    CHECK(tt && nt == 4);
    free(tt);
    unlink(link);
    unlink(target);
    unlink(ref);
    free(tref);
    xn_net_destroy(net);
}

/* New files get 0666 less the umask (mkstemp's 0600 or a fixed 0644
 * would not); a name of 250 bytes saves (the temporary name is cut to the
 * file system's limit); a write that fails reports its errno (EFBIG under
 * a file size limit, as ENOSPC on a full disk), not "write error". */
static void test_save_files(void)
{
    size_t s[] = {2, 64, 1};
    xn_act a[] = {XN_ACT_RELU, XN_ACT_SIGMOID};
    xn_net *net = make(2, s, a, XN_LOSS_MSE, 12);
    xn_error err;
    struct stat st;
    mode_t old = umask(077);
    CHECK_STATUS(xn_net_save(net, path_in("private.xn"), &err), XN_OK);
    CHECK(stat(path_in("private.xn"), &st) == 0 && (st.st_mode & 0777) == 0600);
    umask(002);
    CHECK_STATUS(xn_net_save(net, path_in("shared.xn"), &err), XN_OK);
    CHECK(stat(path_in("shared.xn"), &st) == 0 && (st.st_mode & 0777) == 0664);
    umask(old);
    unlink(path_in("private.xn"));
    unlink(path_in("shared.xn"));

    char name[251];
    memset(name, 'm', 247);
    memcpy(name + 247, ".xn", 4);
    CHECK_STATUS(xn_net_save(net, path_in(name), &err), XN_OK);
    xn_net *back = NULL;
    CHECK_STATUS(xn_net_load(&back, path_in(name), &err), XN_OK);
    CHECK(back && memcmp(xn_net_params(back), xn_net_params(net),
                         xn_net_param_count(net) * sizeof(double)) == 0);
    xn_net_destroy(back);
    CHECK(temp_files_left() == 0);
    unlink(path_in(name));

    /* a 2-64-1 model is about 4 KB: a 1 KB file size limit stops it */
    struct rlimit keep, small = {1024, 1024};
    getrlimit(RLIMIT_FSIZE, &keep);
    small.rlim_max = keep.rlim_max;
    void (*was)(int) = signal(SIGXFSZ, SIG_IGN);
    if (setrlimit(RLIMIT_FSIZE, &small) == 0) {
        spit(path_in("full.xn"), "old contents\n");
        CHECK_STATUS(xn_net_save(net, path_in("full.xn"), &err), XN_EIO);
        CHECK(strstr(err.msg, strerror(EFBIG)) != NULL);
        setrlimit(RLIMIT_FSIZE, &keep);
        size_t n = 0;
        char *t = slurp(path_in("full.xn"), &n);
        CHECK(t && n == 13 && memcmp(t, "old contents\n", 13) == 0);
        free(t);
        CHECK(temp_files_left() == 0);
        unlink(path_in("full.xn"));
    }
    signal(SIGXFSZ, was);
    xn_net_destroy(net);
}

/* The gradients behind `xornet grad`, of a network read from a model file,
 * against central differences of xn_net_eval_loss. */
static void test_grad_fd(void)
{
    static const char *const models[] = {
        good,
        "xornet 1\nsizes 2 3 2\nactivations tanh softmax\nloss cce\nW1 2 3\n0.3 -0.7 0.2\n0.5 0.1 -0.4\n"
        "b1 3\n0.1 0 -0.2\nW2 3 2\n0.6 -0.3\n-0.5 0.8\n0.2 0.4\nb2 2\n0.05 -0.05\n",
    };
    const double x[] = {0, 0, 0, 1, 1, 0, 1, 1};
    const double y1[] = {0, 1, 1, 0};
    const double y2[] = {1, 0, 0, 1, 0, 1, 1, 0};
    for (size_t m = 0; m < 2; m++) {
        xn_net *net = NULL;
        xn_error err;
        CHECK_STATUS(parse_exact(&net, models[m], strlen(models[m]), &err), XN_OK);
        if (!net)
            continue;
        const double *y = m == 0 ? y1 : y2;
        double loss;
        CHECK_STATUS(xn_net_gradient(net, 4, x, y, &loss), XN_OK);
        size_t P = xn_net_param_count(net);
        double *g = malloc(P * sizeof *g), *p = xn_net_params(net), norm = 0.0;
        memcpy(g, xn_net_grads(net), P * sizeof *g);
        /* the per-layer views agree with the flat vector */
        CHECK(xn_net_dweights(net, 1) == xn_net_grads(net));
        for (size_t k = 0; k < P; k++) {
            const double h = 1e-6;
            double keep = p[k], lp, lm;
            p[k] = keep + h;
            CHECK_STATUS(xn_net_eval_loss(net, 4, x, y, &lp), XN_OK);
            p[k] = keep - h;
            CHECK_STATUS(xn_net_eval_loss(net, 4, x, y, &lm), XN_OK);
            p[k] = keep;
            CHECK_CLOSE(g[k], (lp - lm) / (2 * h), 1e-8, 1e-5);
            norm += fabs(g[k]);
        }
        CHECK(norm > 1e-3);
        free(g);
        xn_net_destroy(net);
    }
}

/* Class labels: set by the rules of the output layer, saved in format 3
 * (escaped inside quotes) and read back exactly; a network without labels
 * is still written as format 2; a clone keeps them. */
static void test_labels(void)
{
    static const size_t s3[3] = {2, 4, 3}, s1[3] = {2, 4, 1};
    static const xn_act soft[2] = {XN_ACT_RELU, XN_ACT_SOFTMAX}, sig[2] = {XN_ACT_RELU, XN_ACT_SIGMOID},
                        id[2] = {XN_ACT_RELU, XN_ACT_IDENTITY};
    xn_net *net = make(2, s3, soft, XN_LOSS_CCE, 5), *bin = make(2, s1, sig, XN_LOSS_BCE, 5),
           *reg = make(2, s1, id, XN_LOSS_MSE, 5);
    const char *three[3] = {"Iris setosa", "a \"quoted\" \\ label", "tab\there, #no comment"};
    const char *two[2] = {"no", "yes"}, *dup[3] = {"a", "b", "a"}, *empty[3] = {"a", "", "c"};
    CHECK_STATUS(xn_net_set_labels(net, 2, two), XN_EINVAL);      /* 3 classes */
    CHECK(strstr(xn_net_error(net), "2 labels for a network of 3 classes") != NULL);
    CHECK_STATUS(xn_net_set_labels(net, 3, dup), XN_EINVAL);
    CHECK_STATUS(xn_net_set_labels(net, 3, empty), XN_EINVAL);
    CHECK_STATUS(xn_net_set_labels(reg, 2, two), XN_EINVAL);      /* a regression */
    CHECK(xn_net_labels(net, NULL) == 0 && xn_net_label(net, 0) == NULL);
    CHECK_STATUS(xn_net_set_labels(net, 3, three), XN_OK);
    CHECK_STATUS(xn_net_set_labels(bin, 2, two), XN_OK);          /* one sigmoid: two classes */
    const char *const *got;
    CHECK(xn_net_labels(net, &got) == 3 && strcmp(got[2], three[2]) == 0 && got[2] != three[2]);
    round_trip(net, "labels.xn");
    round_trip(bin, "labels_binary.xn");
    char *path = path_in("labels_back.xn");
    xn_error err;
    CHECK_STATUS(xn_net_save(net, path, &err), XN_OK);
    size_t len;
    char *text = slurp(path, &len);
    CHECK(text && strncmp(text, "xornet 3\n", 9) == 0);
    CHECK(text && strstr(text, "label \"a \\\"quoted\\\" \\\\ label\"\n") != NULL);
    xn_net *back = NULL;
    CHECK_STATUS(xn_net_load(&back, path, &err), XN_OK);
    for (size_t i = 0; back && i < 3; i++)
        CHECK(strcmp(xn_net_label(back, i), three[i]) == 0);
    xn_net *copy = NULL;
    CHECK_STATUS(xn_net_clone(&copy, net), XN_OK);
    CHECK(copy && xn_net_labels(copy, NULL) == 3 && strcmp(xn_net_label(copy, 0), "Iris setosa") == 0);
    free(text);
    /* no labels: format 2, as before labels existed */
    CHECK_STATUS(xn_net_set_labels(net, 0, NULL), XN_OK);
    CHECK_STATUS(xn_net_save(net, path, &err), XN_OK);
    text = slurp(path, &len);
    CHECK(text && strncmp(text, "xornet 2\n", 9) == 0);
    free(text);
    /* a label line that is not one, and a count the lines do not hold */
    static const char head[] = "xornet 3\nsizes 1 2\nactivations softmax\nloss cce\n";
    static const char tail[] = "W1 1 2\n0 0\nb1 2\n0 0\nend\n";
    const struct {
        const char *labels, *msg;
        size_t line;
    } bad[] = {{"labels 2\nlabel \"a\"\nlabel b\n", "expected a label in double quotes", 7},
               {"labels 2\nlabel \"a\"\nlabel \"b\n", "without its closing quote", 7},
               {"labels 2\nlabel \"a\"\nlabel \"b\" c\n", "text after the label", 7},
               {"labels 3\nlabel \"a\"\nlabel \"b\"\nlabel \"c\"\n", "3 labels for a network of 2 classes", 5},
               {"labels 2\nlabel \"a\"\nlabel \"a\"\n", "label 2 repeats label 1", 5},
               {"labels 0\n", "expected 'labels K'", 5}};
    for (size_t c = 0; c < sizeof bad / sizeof bad[0]; c++) {
        char t[400];
        snprintf(t, sizeof t, "%s%s%s", head, bad[c].labels, tail);
        xn_net *x = NULL;
        xn_status st = parse_exact(&x, t, strlen(t), &err);
        if (st != XN_EFORMAT || !strstr(err.msg, bad[c].msg) || err.line != bad[c].line)
            fprintf(stderr, "labels case %zu: status %d, line %zu: %s\n", c, (int)st, err.line, err.msg);
        CHECK(st == XN_EFORMAT && x == NULL && strstr(err.msg, bad[c].msg) && err.line == bad[c].line);
    }
    /* format 2 has no labels line */
    char t2[400];
    snprintf(t2, sizeof t2, "xornet 2\nsizes 1 2\nactivations softmax\nloss cce\nlabels 2\n%s", tail);
    xn_net *x2 = NULL;
    CHECK_STATUS(parse_exact(&x2, t2, strlen(t2), &err), XN_EFORMAT);
    /* the classes of rows, by xn_class_of */
    size_t cls[4];
    double xs[8] = {0, 0, 1, 1, -1, 2, 3, -3};
    double ys[4];
    CHECK_STATUS(xn_net_predict_classes(bin, 4, xs, cls), XN_OK);
    CHECK_STATUS(xn_net_predict(bin, 4, xs, ys), XN_OK);
    for (size_t i = 0; i < 4; i++)
        CHECK(cls[i] == (ys[i] >= 0.5 ? 1u : 0u));
    remove(path);
    xn_net_destroy(copy);
    xn_net_destroy(back);
    xn_net_destroy(net);
    xn_net_destroy(bin);
    xn_net_destroy(reg);
}

int main(void)
{
    test_labels();
    snprintf(dir, sizeof dir, "/tmp/xn-test-io-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_round_trips();
    test_exact_text();
    test_malformed();
    test_lenient_spacing();
    test_short_big();
    test_mutations();
    test_atomic_save();
    test_special_targets();
    test_save_files();
    test_grad_fd();
    rmdir(dir);
    CHECK_DONE();
}
