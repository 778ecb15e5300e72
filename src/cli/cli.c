/* Option parsing, number parsing, error printing, data loading and the
 * checked saves and exit shared by the subcommands of the xornet program. */
#define _GNU_SOURCE /* fopencookie, on glibc */

#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "src/util/atomic.h"
#include "xn_config.h"

/* Messages held back (cli_hold_errors): the first one, for
 * cli_release_errors.  The program's own state: one command a run. */
static struct {
    bool on;
    char first[1024];
} held;

void cli_error(const char *fmt, ...)
{
    char line[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    for (char *p = line; *p; p++) /* one line, whatever a file name holds */
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    if (!held.on)
        fprintf(stderr, "xornet: %s\n", line);
    else if (!held.first[0]) {
        size_t k = strlen(line) < sizeof held.first ? strlen(line) : sizeof held.first - 1;
        memcpy(held.first, line, k);
        held.first[k] = '\0';
    }
}

void cli_hold_errors(void)
{
    held.on = true;
    held.first[0] = '\0';
}

bool cli_release_errors(bool print)
{
    bool had = held.first[0] != '\0';
    held.on = false;
    if (print && had)
        cli_error("%s", held.first);
    held.first[0] = '\0';
    return had;
}

void cli_file_error(const char *path, xn_status s, const xn_error *err)
{
    if (err && err->msg[0] && err->line)
        cli_error("%s:%zu: %s", path, err->line, err->msg);
    else if (err && err->msg[0])
        cli_error("%s: %s", path, err->msg);
    else
        cli_error("%s: %s", path, xn_strerror(s));
}

int cli_opt(int argc, char **argv, int *i, const char *flag, const char **value)
{
    const char *a = argv[*i];
    size_t len = strlen(flag);
    if (strncmp(a, flag, len) != 0)
        return 0;
    if (a[len] == '=') {
        *value = a + len + 1;
        return 1;
    }
    if (a[len] != '\0')
        return 0;
    if (*i + 1 >= argc || strncmp(argv[*i + 1], "--", 2) == 0) {
        cli_error("%s needs a value", flag);
        return -1;
    }
    *value = argv[++*i];
    return 1;
}

bool cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int cli_unknown(const char *cmd, const char *arg)
{
    cli_error("%s: unknown option '%s' (see xornet %s --help)", cmd, arg, cmd);
    return EXIT_USAGE;
}

int cli_parse_double(const char *flag, const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0') {
        cli_error("%s: not a number '%s'", flag, s);
        return -1;
    }
    if (!isfinite(v)) { /* overflow gives inf; underflow to a subnormal is fine */
        cli_error("%s: not a finite number in range '%s'", flag, s);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse_u64(const char *flag, const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    if (s[0] < '0' || s[0] > '9') { /* strtoull would accept "-1" and " 1" */
        cli_error("%s: not a non-negative whole number '%s'", flag, s);
        return -1;
    }
    unsigned long long v = strtoull(s, &end, 10);
    if (*end != '\0') {
        cli_error("%s: not a non-negative whole number '%s'", flag, s);
        return -1;
    }
    if (errno == ERANGE) {
        cli_error("%s: too large '%s'", flag, s);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse_size(const char *flag, const char *s, size_t min, size_t max, size_t *out)
{
    uint64_t v;
    if (cli_parse_u64(flag, s, &v) != 0)
        return -1;
    /* the bound that was crossed, not the whole range: "[1, 2^64-1]" says
     * nothing that "at least 1" does not */
    if (v < min) {
        cli_error("%s: must be at least %zu, got '%s'", flag, min, s);
        return -1;
    }
    if (v > max) {
        cli_error("%s: must be at most %zu, got '%s'", flag, max, s);
        return -1;
    }
    *out = (size_t)v;
    return 0;
}

int cli_parse_sizes(const char *flag, const char *s, size_t *out, size_t max, size_t *count)
{
    char buf[32];
    size_t n = 0;
    const char *p = s;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == 0 || len >= sizeof buf) {
            cli_error("%s: expected a list of sizes like 2,10,1, got '%s'", flag, s);
            return -1;
        }
        if (n == max) {
            cli_error("%s: more than %zu items in '%s'", flag, max, s);
            return -1;
        }
        memcpy(buf, p, len);
        buf[len] = '\0';
        if (cli_parse_size(flag, buf, 1, (size_t)1 << 31, &out[n]) != 0)
            return -1;
        n++;
        if (!comma)
            break;
        p = comma + 1;
    }
    *count = n;
    return 0;
}

/* The file a data path names: "-" is standard input. */
static const char *in_path(const char *path)
{
    return strcmp(path, "-") == 0 ? "/dev/stdin" : path;
}

int cli_load_data(const char *path, size_t outputs, xn_data *d)
{
    if (!path) {
        size_t bytes_x = 8 * sizeof(double), bytes_y = 4 * sizeof(double);
        d->n = 4;
        d->in = 2;
        d->out = 1;
        d->x = malloc(bytes_x);
        d->y = malloc(bytes_y);
        if (!d->x || !d->y) {
            xn_data_free(d);
            cli_error("out of memory");
            return EXIT_FAIL;
        }
        memcpy(d->x, xn_xor_inputs(), bytes_x);
        memcpy(d->y, xn_xor_targets(), bytes_y);
        return EXIT_OK;
    }
    if (cli_is_idx(path)) {
        if (outputs == 0)
            return cli_load_idx(path, NULL, 0, d);
        cli_error("%s: IDX images: give their labels with --labels FILE", path);
        return EXIT_USAGE;
    }
    xn_error err = {0};
    xn_status s = xn_data_load(d, in_path(path), outputs, &err);
    if (s != XN_OK) {
        cli_file_error(path, s, &err);
        return s == XN_ENOMEM ? EXIT_FAIL : EXIT_USAGE;
    }
    return EXIT_OK;
}

/* After a reader failed on path: the message, and the exit status. */
static int load_failed(const char *path, xn_status s, const xn_error *err)
{
    cli_file_error(path, s, err);
    return s == XN_ENOMEM ? EXIT_FAIL : EXIT_USAGE;
}

/* Whether path names a regular file (following links). */
static bool is_regular(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool cli_is_idx(const char *path)
{
    /* only a regular file is sniffed: a FIFO or a terminal would lose what
     * was read here, and is read as text */
    if (!is_regular(path))
        return false;
    unsigned char m[4];
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t n = fread(m, 1, sizeof m, f);
    fclose(f);
    if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
        return true;
    /* the type codes of the format: 08 09 0b 0c 0d 0e */
    return n == 4 && m[0] == 0 && m[1] == 0 && (m[2] == 0x08 || m[2] == 0x09 || (m[2] >= 0x0b && m[2] <= 0x0e));
}

int cli_idx_precheck(const char *images, const char *labels, size_t n0)
{
    if (!images || !cli_is_idx(images))
        return EXIT_OK;
    xn_idx_header h, lh;
    xn_error err = {0};
    xn_status s = xn_idx_read_header(images, &h, &err);
    if (s != XN_OK)
        return load_failed(images, s, &err);
    if (n0 && h.ndim >= 2 && h.item != n0) {
        cli_error("%s: images of %zu value%s; the model takes %zu input%s", images, h.item, cli_plural(h.item),
                  n0, cli_plural(n0));
        return EXIT_USAGE;
    }
    if (!labels || !is_regular(labels))
        return EXIT_OK;
    if ((s = xn_idx_read_header(labels, &lh, &err)) != XN_OK)
        return load_failed(labels, s, &err);
    if (lh.ndim == 1 && h.ndim >= 2 && lh.items != h.items) { /* the reader's words, before it inflates */
        cli_error("%s: byte offset 4: %zu label%s, but there %s %zu image%s", labels, lh.items,
                  cli_plural(lh.items), h.items == 1 ? "is" : "are", h.items, cli_plural(h.items));
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

int cli_load_idx(const char *images, const char *labels, size_t classes, xn_data *d)
{
    xn_error err = {0};
    if (!images) {
        cli_error("--labels FILE needs --data FILE, the IDX images it labels");
        return EXIT_USAGE;
    }
    if (labels && is_regular(images) && !cli_is_idx(images)) { /* say why: not IDX */
        FILE *f = fopen(images, "rb");
        if (!f) {
            cli_error("%s: cannot open: %s", images, strerror(errno));
            return EXIT_USAGE;
        }
        fclose(f);
        cli_error("%s: not an IDX image file (--labels FILE goes with IDX images, such as "
                  "train-images-idx3-ubyte.gz)", images);
        return EXIT_USAGE;
    }
    xn_status s = xn_data_load_idx_images(d, in_path(images), &err);
    if (s != XN_OK)
        return load_failed(images, s, &err);
    if (labels && (s = xn_data_load_idx_labels(d, in_path(labels), classes, &err)) != XN_OK) {
        xn_data_free(d);
        return load_failed(labels, s, &err);
    }
    return EXIT_OK;
}

int cli_load_classes(const char *path, size_t classes, xn_data *d)
{
    xn_error err = {0};
    xn_status s = xn_data_load_classes(d, in_path(path), classes, &err);
    return s == XN_OK ? EXIT_OK : load_failed(path, s, &err);
}

/* Moves the last k of d's input columns (k < d->in) into new targets. */
static bool split_targets(xn_data *d, size_t k)
{
    size_t in = d->in - k;
    double *y = malloc(d->n * k * sizeof *y);
    if (!y)
        return false;
    for (size_t i = 0; i < d->n; i++) {
        memcpy(y + i * k, d->x + i * d->in + in, k * sizeof *y);
        memmove(d->x + i * in, d->x + i * d->in, in * sizeof *d->x);
    }
    d->in = in;
    d->out = k;
    d->y = y;
    return true;
}

int cli_load_targets(const char *path, const char *labels, const char *labels_flag, size_t n0, size_t nL,
                     xn_data *d)
{
    int rc = labels ? cli_idx_precheck(path, labels, n0) : EXIT_OK;
    if (labels)
        return rc == EXIT_OK ? cli_load_idx(path, labels, nL, d) : rc;
    if (path && cli_is_idx(path)) {
        cli_error("%s: IDX images: give their labels with %s FILE", path, labels_flag);
        return EXIT_USAGE;
    }
    if (!path)
        return cli_load_data(path, nL, d);
    /* one reading: every CSV column an input (FANN files keep their split),
     * then the columns are told apart by the network's shape */
    rc = cli_load_data(path, 0, d);
    if (rc != EXIT_OK)
        return rc;
    bool csv = d->out == 0, ids = nL > 1 && (csv ? d->in == n0 + 1 : d->out == 1 && d->in == n0);
    if (csv && (ids || d->in == n0 + nL)) {
        if (!split_targets(d, ids ? 1 : nL)) {
            xn_data_free(d);
            cli_error("out of memory");
            return EXIT_FAIL;
        }
    } else if (csv || (!ids && d->out != nL)) { /* a shape the network does not take: */
        return EXIT_OK; /* as read, for the caller to say what it has */
    }
    if (!ids)
        return EXIT_OK;
    xn_error err = {0};
    xn_status s = xn_data_classes_to_onehot(d, nL, &err);
    if (s == XN_OK)
        return EXIT_OK;
    /* read again to name the line of the bad id, not just its row */
    xn_data_free(d);
    if (s == XN_EFORMAT) {
        if ((rc = cli_load_classes(path, nL, d)) != EXIT_OK)
            return rc;
        xn_data_free(d);
    }
    return load_failed(path, s, &err);
}

void cli_where(char *buf, size_t cap, const char *path, const xn_data *d)
{
    if (d->line && d->n)
        snprintf(buf, cap, "%s:%zu", path, d->line[0]);
    else
        snprintf(buf, cap, "%s", path);
}

int cli_shape_error(const char *what, const char *path, bool images, const xn_data *d, size_t n0,
                    size_t nL, bool targets)
{
    char f[4200];
    cli_where(f, sizeof f, path, d);
    if (images || cli_is_idx(path))
        cli_error("%s: images of %zu value%s; the model takes %zu input%s", f, d->in, cli_plural(d->in),
                  n0, cli_plural(n0));
    else if (d->out) /* FANN: the file says which are targets */
        if (targets)
            cli_error("%s: pairs of %zu input%s and %zu output%s; the model maps %zu input%s to "
                      "%zu output%s", f, d->in, cli_plural(d->in), d->out, cli_plural(d->out),
                      n0, cli_plural(n0), nL, cli_plural(nL));
        else
            cli_error("%s: pairs of %zu input%s; the model takes %zu", f, d->in, cli_plural(d->in), n0);
    else if (targets && nL == 1)
        cli_error("%s: %zu column%s; %s needs %zu: the model's %zu input%s and 1 target", f, d->in,
                  cli_plural(d->in), what, n0 + 1, n0, cli_plural(n0));
    else if (targets)
        cli_error("%s: %zu column%s; %s needs %zu (the model's %zu input%s and %zu targets) or %zu "
                  "(the inputs and a class id)", f, d->in, cli_plural(d->in), what, n0 + nL, n0,
                  cli_plural(n0), nL, n0 + 1);
    else if (nL == 1)
        cli_error("%s: %zu column%s; %s needs %zu (the model's input%s) or %zu (input%s and 1 target)",
                  f, d->in, cli_plural(d->in), what, n0, cli_plural(n0), n0 + 1, cli_plural(n0));
    else
        cli_error("%s: %zu column%s; %s needs %zu (the model's input%s), %zu (input%s and %zu "
                  "targets) or %zu (input%s and a class id)", f, d->in, cli_plural(d->in), what, n0,
                  cli_plural(n0), n0 + nL, cli_plural(n0), nL, n0 + 1, cli_plural(n0));
    return EXIT_USAGE;
}

/* The canonical name of a path that may not exist yet: its folder's real
 * path and its last part; false if the folder cannot be resolved. */
static bool canonical(const char *path, char *out, size_t cap)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    char *real = realpath(dir, NULL);
    if (!real)
        return false;
    int n = snprintf(out, cap, "%s/%s", real, slash ? slash + 1 : path);
    free(real);
    return n >= 0 && (size_t)n < cap;
}

bool cli_same_file(const char *a, const char *b)
{
    if (!a || !b)
        return false;
    struct stat sa, sb;
    bool ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0;
    if (ea && eb) /* a device or FIFO takes any number of writers */
        return S_ISREG(sa.st_mode) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    if (strcmp(a, b) == 0)
        return true;
    if (ea || eb) /* one exists, the other not: two files */
        return false;
    char ca[8192], cb[8192];
    return canonical(a, ca, sizeof ca) && canonical(b, cb, sizeof cb) && strcmp(ca, cb) == 0;
}

int cli_check_output(const char *path)
{
    xn_error err = {0};
    xn_status s = xn_atomic_check(path, &err);
    if (s != XN_OK) {
        cli_file_error(path, s, &err);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

int cli_save_model(const xn_net *net, const char *path)
{
    xn_error err = {0};
    cli_flush();
    cli_hold_signals();
    xn_status s = xn_net_save(net, path, &err);
    cli_release_signals();
    if (s != XN_OK) {
        cli_file_error(path, s, &err);
        return -1;
    }
    return 0;
}

/* errno of the first failed write to standard output, 0 if none */
static int stdout_errno;

#if XN_HAVE_FOPENCOOKIE && defined(__GLIBC__)
/* Standard output's writes: write(2) until done, keeping the first errno
 * (glibc drops its buffer after a failed write, and a later fflush
 * succeeds: the errno is only seen here). */
static ssize_t stdout_write(void *cookie, const char *buf, size_t n)
{
    (void)cookie;
    for (size_t off = 0; off < n;) {
        ssize_t w = write(STDOUT_FILENO, buf + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (!stdout_errno)
                stdout_errno = w < 0 ? errno : EIO;
            return 0; /* fopencookie's "failed" */
        }
        off += (size_t)w;
    }
    return (ssize_t)n;
}

/* Leaves descriptor 1 open: /dev/stdout saves write to it directly. */
static int stdout_close(void *cookie)
{
    (void)cookie;
    return 0;
}

void cli_stdout_init(void)
{
    cookie_io_functions_t io = {NULL, stdout_write, NULL, stdout_close};
    FILE *f = fopencookie(NULL, "w", io);
    if (!f)
        return;
    /* buffered as stdio buffers a terminal or anything else */
    setvbuf(f, NULL, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF, BUFSIZ);
    stdout = f; /* a variable in glibc, which its manual assigns to redirect */
}
#else
void cli_stdout_init(void)
{
}
#endif

void cli_flush(void)
{
    errno = 0;
    if (fflush(stdout) != 0 && !stdout_errno)
        stdout_errno = errno ? errno : EIO;
}

const char *cli_stdout_error(void)
{
    cli_flush();
    return stdout_errno ? strerror(stdout_errno) : "cannot write";
}

int cli_exit(int rc)
{
    /* a write that failed inside printf left only the error flag; the
     * flush of what is left, or an earlier cli_flush, says why */
    cli_flush();
    bool bad = stdout_errno != 0 || ferror(stdout) != 0;
    int e = stdout_errno;
    errno = 0;
    if (fclose(stdout) != 0 && !bad) {
        bad = true;
        e = errno;
    }
    if (bad && rc == EXIT_OK) {
        if (e)
            cli_error("standard output: %s", strerror(e));
        else
            cli_error("cannot write the standard output");
        rc = EXIT_FAIL;
    }
    return rc;
}

const char *cli_num(char *buf, double v)
{
    if (isfinite(v))
        snprintf(buf, 32, "%g", v);
    else
        snprintf(buf, 32, "not finite");
    return buf;
}

bool cli_join_path(char *buf, size_t size, const char *dir, const char *name, const char *flag)
{
    if (!*dir)
        dir = ".";
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    int w = snprintf(buf, size, "%.*s%s%s", (int)len, dir, dir[len - 1] == '/' ? "" : "/", name);
    if (w < 0 || (size_t)w >= size) {
        cli_error("%s: path too long: %s", flag, dir);
        return false;
    }
    return true;
}

bool cli_plot_result(bool ok, const char *why, const char *path)
{
    if (ok) {
        fputs("wrote ", stdout);
        for (const char *p = path; *p; p++) /* one line, whatever the name holds */
            putchar((unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p);
        putchar('\n');
    } else {
        cli_error("--plot: %s", why);
    }
    return ok;
}

void cli_print_double(double v)
{
    printf("%.17g", v);
}

const char *cli_plural(size_t n)
{
    return n == 1 ? "" : "s";
}
