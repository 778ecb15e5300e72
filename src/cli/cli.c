/* Option parsing, number parsing, error printing and data loading shared by
 * the subcommands of the xornet program. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("xornet: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
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
    if (v < min || v > max) {
        cli_error("%s: %s is out of range [%zu, %zu]", flag, s, min, max);
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
    xn_error err = {0, ""};
    xn_status s = xn_data_load(d, path, outputs, &err);
    if (s != XN_OK) {
        cli_file_error(path, s, &err);
        return s == XN_ENOMEM ? EXIT_FAIL : EXIT_USAGE;
    }
    return EXIT_OK;
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
    if (ok)
        printf("wrote %s\n", path);
    else
        cli_error("--plot: %s", why);
    return ok;
}

void cli_print_double(double v)
{
    printf("%.17g", v);
}
