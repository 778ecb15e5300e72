/* The memory a reader takes is bounded by what its input has shown.
 * malloc, calloc and realloc are wrapped at link time (-Wl,--wrap) and the
 * largest request during a call is recorded:
 *   - a model file whose header promises P parameters, read for prediction,
 *     gets the parameters (8 bytes each, which a text long enough to hold
 *     P numbers of 2 bytes allows) and never the 32 bytes a parameter of a
 *     network that trains, also when its text goes bad at the end;
 *   - a stream longer than the limit is refused without a buffer larger
 *     than the limit + 2 (the old doubling went to twice the limit);
 *   - a regular file larger than the limit is refused unread. */
#define _POSIX_C_SOURCE 200809L /* fdopen, mkstemp, ftruncate */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "src/util/text.h"
#include "xornet/xornet.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);

static size_t largest; /* the largest request since track() */

static void note(size_t n)
{
    if (n > largest)
        largest = n;
}

void *__wrap_malloc(size_t n)
{
    note(n);
    return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    note(n * size);
    return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    note(n);
    return __real_realloc(p, n);
}

/* An I -> I -> 1 model file, every parameter 0, with `bad` in place of
 * the last weight of W2 when not NULL: many parameters (I^2) for narrow
 * layers, so the workspace (a few rows of the widths) is small beside
 * them.  malloc'd, *len bytes. */
static char *model_text(size_t I, const char *bad, size_t *len)
{
    size_t cap = 4 * I * I + 64 * I + 256, n = 0;
    char *t = malloc(cap);
    n += (size_t)sprintf(t + n, "xornet 1\nsizes %zu %zu 1\nactivations relu identity\nloss mse\nW1 %zu %zu\n",
                         I, I, I, I);
    for (size_t i = 0; i < I; i++)
        for (size_t j = 0; j < I; j++)
            n += (size_t)sprintf(t + n, j + 1 < I ? "0 " : "0\n");
    n += (size_t)sprintf(t + n, "b1 %zu\n", I);
    for (size_t j = 0; j < I; j++)
        n += (size_t)sprintf(t + n, j + 1 < I ? "0 " : "0\n");
    n += (size_t)sprintf(t + n, "W2 %zu 1\n", I);
    for (size_t j = 0; j < I; j++)
        n += (size_t)sprintf(t + n, "%s\n", j + 1 < I || !bad ? "0" : bad);
    n += (size_t)sprintf(t + n, "b2 1\n0\n");
    *len = n;
    return t;
}

static void test_model(void)
{
    const size_t I = 500, P = I * I + 2 * I + 1;
    size_t len;
    xn_error err;
    xn_net *net = NULL;

    /* the good file: its parameters, and no more at once */
    char *good = model_text(I, NULL, &len);
    largest = 0;
    CHECK_STATUS(xn_net_parse(&net, good, len, &err), XN_OK);
    CHECK(largest == 8 * P);
    xn_net_destroy(net);
    free(good);

    /* the same with its very last weight bad: refused at that line, and
     * nothing larger was ever asked for (a training network's 32 bytes a
     * parameter least of all) */
    char *bad = model_text(I, "x", &len);
    largest = 0;
    CHECK_STATUS(xn_net_parse(&net, bad, len, &err), XN_EFORMAT);
    CHECK(net == NULL && err.line == 8 + 2 * I && strstr(err.msg, "not a number 'x'"));
    CHECK(largest <= 8 * P);
    if (largest > 8 * P)
        fprintf(stderr, "parsing a bad model asked for %zu bytes at once (%zu parameters)\n", largest, P);
    free(bad);
}

static void test_stream(void)
{
    enum { MAX = 100000, SENT = 300000 };
    int fds[2];
    CHECK(pipe(fds) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        static char chunk[4096];
        memset(chunk, 'a', sizeof chunk);
        for (size_t sent = 0; sent < SENT; sent += sizeof chunk)
            if (write(fds[1], chunk, sizeof chunk) < 0)
                break; /* the reader stopped at the limit */
        _exit(0);
    }
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    char *buf = NULL;
    size_t len = 0;
    xn_error err;
    largest = 0;
    CHECK_STATUS(xn_read_stream(f, MAX, &buf, &len, &err), XN_EFORMAT);
    CHECK(buf == NULL && strstr(err.msg, "larger than the limit of 100000 bytes"));
    CHECK(largest <= MAX + 2);
    fclose(f);
    waitpid(pid, NULL, 0);

    /* a stream within the limit reads whole, the limit exactly too */
    CHECK(pipe(fds) == 0);
    CHECK(write(fds[1], "0,1\n", 4) == 4);
    close(fds[1]);
    f = fdopen(fds[0], "r");
    CHECK_STATUS(xn_read_stream(f, 4, &buf, &len, &err), XN_OK);
    CHECK(buf && len == 4 && memcmp(buf, "0,1\n", 5) == 0);
    free(buf);
    fclose(f);
}

static void test_big_file(void)
{
    char path[] = "/tmp/xornet-test-bounded-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    CHECK(ftruncate(fd, 1 << 20) == 0); /* 1 MiB of holes: nothing on disk */
    close(fd);
    char *buf = NULL;
    size_t len = 0;
    xn_error err;
    largest = 0;
    CHECK_STATUS(xn_read_file(path, 1000, &buf, &len, &err), XN_EFORMAT);
    CHECK(buf == NULL && err.line == 0 && strstr(err.msg, "larger than the limit of 1000 bytes"));
    CHECK(largest < 1000);
    /* and a file of NUL bytes within the limit stops at the first */
    CHECK_STATUS(xn_read_file(path, 2 << 20, &buf, &len, &err), XN_EFORMAT);
    CHECK(buf == NULL && err.line == 1 && strstr(err.msg, "NUL byte"));
    unlink(path);
}

int main(void)
{
    test_model();
    test_stream();
    test_big_file();
    CHECK_DONE();
}
