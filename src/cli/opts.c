/* The option tables' machinery (opts.h): parsing, defaults, --help, the
 * flag to blame for a refused setting, and the same-file checks. */
#include "opts.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "paths.h"

/* The enum fields the tables write are int-sized, as the name tables'
 * indices are ints. */
_Static_assert(sizeof(xn_act) == sizeof(int), "enums are ints");

static void *field(const opt *r, void *args)
{
    return (char *)args + r->at;
}

static const void *cfield(const opt *r, const void *args)
{
    return (const char *)args + r->at;
}

const char *opts_name_list(char *buf, size_t cap, const char *const *(*names)(size_t *count))
{
    size_t n, w = 0;
    const char *const *t = names(&n);
    buf[0] = '\0';
    for (size_t i = 0; i < n && w < cap; i++) {
        const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
        int k = snprintf(buf + w, cap - w, "%s%s", sep, t[i]);
        if (k < 0)
            break;
        w += (size_t)k;
    }
    return buf;
}

/* The row whose flag (or negation) arg is, with its value inline after
 * '=' in *inline_v; NULL if none. */
static const opt *find(const opts *o, const char *arg, const char **inline_v, bool *negated)
{
    *inline_v = NULL;
    *negated = false;
    for (size_t i = 0; i < o->n; i++) {
        const opt *r = &o->rows[i];
        if (r->kind == OPT_SECTION)
            continue;
        if (r->neg && strcmp(arg, r->neg) == 0) {
            *negated = true;
            return r;
        }
        size_t len = strlen(r->flag);
        if (strncmp(arg, r->flag, len) != 0)
            continue;
        if (arg[len] == '\0')
            return r;
        if (arg[len] == '=' && r->kind != OPT_FLAG) {
            *inline_v = arg + len + 1;
            return r;
        }
    }
    return NULL;
}

/* Stores the value v of row r into args; 0, or -1 after the message. */
static int store(const opt *r, const char *v, void *args)
{
    void *p = field(r, args);
    switch (r->kind) {
    case OPT_SIZE: {
        size_t s;
        if (cli_parse_size(r->flag, v, (size_t)r->lo, (size_t)r->hi, &s) != 0)
            return -1;
        *(size_t *)p = s;
        return 0;
    }
    case OPT_U64: {
        uint64_t u;
        if (cli_parse_u64(r->flag, v, &u) != 0)
            return -1;
        if (u < r->lo || u > r->hi) {
            cli_error("%s: must be %s %llu, got '%s'", r->flag, u < r->lo ? "at least" : "at most",
                      (unsigned long long)(u < r->lo ? r->lo : r->hi), v);
            return -1;
        }
        *(uint64_t *)p = u;
        return 0;
    }
    case OPT_NUM:
        return cli_parse_double(r->flag, v, (double *)p);
    case OPT_NAME: {
        size_t n;
        const char *const *t = r->names(&n);
        for (size_t i = 0; i < n; i++)
            if (strcmp(v, t[i]) == 0) {
                *(int *)p = (int)i;
                return 0;
            }
        char list[512];
        cli_error("%s: unknown %s '%s' (%s)", r->flag, r->noun ? r->noun : "name", v,
                  opts_name_list(list, sizeof list, r->names));
        return -1;
    }
    case OPT_CUSTOM:
        return r->parse(r, v, args);
    case OPT_DIR:
        if (!*v) {
            cli_error("%s: needs a directory name", r->flag);
            return -1;
        }
        /* fall through */
    case OPT_TEXT:
    case OPT_IN:
    case OPT_OUT:
        *(const char **)p = v;
        return 0;
    case OPT_FLAG:
    case OPT_SECTION:
        break;
    }
    return -1;
}

int opts_parse(opts *o, int argc, char **argv, void *args)
{
    memset(o->given, 0, sizeof o->given);
    memset(o->text, 0, sizeof o->text);
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i], *v;
        if (cli_is_help(arg)) {
            if (!o->hold_help)
                opts_help(stdout, o);
            return OPTS_HELP;
        }
        bool negated;
        const opt *r = find(o, arg, &v, &negated);
        if (!r)
            return cli_unknown(o->cmd, arg);
        size_t k = (size_t)(r - o->rows);
        o->given[k] = true;
        if (r->kind == OPT_FLAG) {
            *(int *)field(r, args) = negated ? 0 : r->value;
            continue;
        }
        if (!v) {
            if (i + 1 >= argc || strncmp(argv[i + 1], "--", 2) == 0) {
                cli_error("%s needs a value", r->flag);
                return EXIT_USAGE;
            }
            v = argv[++i];
        }
        o->text[k] = v;
        if (store(r, v, args) != 0)
            return EXIT_USAGE;
    }
    return EXIT_OK;
}

static const opt *row_of(const opts *o, const char *flag, size_t *k)
{
    for (size_t i = 0; i < o->n; i++)
        if (o->rows[i].kind != OPT_SECTION && strcmp(o->rows[i].flag, flag) == 0) {
            if (k)
                *k = i;
            return &o->rows[i];
        }
    return NULL;
}

bool opts_given(const opts *o, const char *flag)
{
    size_t k;
    return row_of(o, flag, &k) && o->given[k];
}

void opts_defaults(const opts *o, void *args, const void *defaults)
{
    for (size_t i = 0; i < o->n; i++) {
        const opt *r = &o->rows[i];
        if (r->kind != OPT_SECTION && !o->given[i] && r->size)
            memcpy(field(r, args), cfield(r, defaults), r->size);
    }
}

/* ---- numbers ---------------------------------------------------------- */

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

void opts_copy_rows(const opts *o, const void *from, void *to, size_t lo, size_t hi)
{
    for (size_t i = 0; i < o->n; i++) {
        const opt *r = &o->rows[i];
        if (r->kind != OPT_SECTION && r->size && r->at >= lo && r->at + r->size <= hi)
            memcpy(field(r, to), cfield(r, from), r->size);
    }
}

const opt *opts_given_differs(const opts *o, const void *a, const void *b, size_t lo, size_t hi)
{
    for (size_t i = 0; i < o->n; i++) {
        const opt *r = &o->rows[i];
        if (r->kind != OPT_SECTION && o->given[i] && r->size && r->at >= lo && r->at + r->size <= hi &&
            memcmp(cfield(r, a), cfield(r, b), r->size) != 0)
            return r;
    }
    return NULL;
}

/* ---- --help ------------------------------------------------------------- */

/* The value of r's field in args as the help shows it. */
static void show(const opt *r, const void *args, char *buf, size_t cap)
{
    const void *p = cfield(r, args);
    switch (r->kind) {
    case OPT_SIZE:
        snprintf(buf, cap, "%zu", *(const size_t *)p);
        break;
    case OPT_U64:
        snprintf(buf, cap, "%llu", (unsigned long long)*(const uint64_t *)p);
        break;
    case OPT_NUM:
        snprintf(buf, cap, "%.15g", *(const double *)p);
        break;
    case OPT_NAME: {
        size_t n;
        const char *const *t = r->names(&n);
        int v = *(const int *)p;
        snprintf(buf, cap, "%s", v >= 0 && (size_t)v < n ? t[v] : "?");
        break;
    }
    default:
        snprintf(buf, cap, "%s", *(const char *const *)p ? *(const char *const *)p : "none");
    }
}

enum { HELP_WIDTH = 79, HELP_TAG = 22 }; /* text starts at column HELP_TAG */

/* Prints text from column HELP_TAG (already reached) to HELP_WIDTH,
 * continuation lines indented to HELP_TAG. */
static void fill(FILE *f, const char *text)
{
    size_t col = HELP_TAG;
    bool first = true;
    for (const char *p = text; *p;) {
        size_t gap = strspn(p, " "); /* two spaces end a sentence, as typed */
        p += gap;
        size_t w = strcspn(p, " ");
        if (!w)
            break;
        gap = gap >= 2 ? 2 : 1;
        if (!first && col + gap + w > HELP_WIDTH) {
            fprintf(f, "\n%*s", HELP_TAG, "");
            col = HELP_TAG;
        } else if (!first) {
            fprintf(f, "%*s", (int)gap, "");
            col += gap;
        }
        fwrite(p, 1, w, f);
        col += w;
        p += w;
        first = false;
    }
    fputc('\n', f);
}

void opts_help(FILE *f, const opts *o)
{
    const void *def = o->def, *alt = o->alt;
    fprintf(f, "%s\n", o->usage);
    if (o->intro)
        fprintf(f, "\n%s", o->intro);
    fputc('\n', f);
    for (size_t i = 0; i < o->n; i++) {
        const opt *r = &o->rows[i];
        if (r->kind == OPT_SECTION) {
            fprintf(f, "%s\n", r->help);
            continue;
        }
        char tag[64], text[1024], list[512];
        if (r->neg)
            snprintf(tag, sizeof tag, "%s, %s", r->flag, r->neg);
        else
            snprintf(tag, sizeof tag, "%s%s%s", r->flag, r->arg ? " " : "", r->arg ? r->arg : "");
        /* "{names}" in the text becomes the table's names */
        const char *brace = strstr(r->help, "{names}");
        if (brace && r->names)
            snprintf(text, sizeof text, "%.*s%s%s", (int)(brace - r->help), r->help,
                     opts_name_list(list, sizeof list, r->names), brace + 7);
        else
            snprintf(text, sizeof text, "%s", r->help);
        if (r->show_default && def) {
            char a[64], b[64], more[200];
            show(r, def, a, sizeof a);
            if (alt)
                show(r, alt, b, sizeof b);
            if (!alt || strcmp(a, b) == 0)
                snprintf(more, sizeof more, " (default %s)", a);
            else
                snprintf(more, sizeof more, " (default %s %s, %s %s)", a, o->def_name, b, o->alt_name);
            strncat(text, more, sizeof text - strlen(text) - 1);
        }
        int w = fprintf(f, "  %s", tag);
        if (w + 1 >= HELP_TAG) /* a long tag: the text on the next line */
            fprintf(f, "\n%*s", HELP_TAG, "");
        else
            fprintf(f, "%*s", HELP_TAG - w, "");
        fill(f, text);
    }
    if (o->outro)
        fprintf(f, "\n%s", o->outro);
}

/* ---- messages and checks ------------------------------------------------ */

/* Whether the comma-separated list has the word w. */
static bool listed(const char *list, const char *w, char sep)
{
    size_t n = strlen(w);
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, sep);
        size_t k = end ? (size_t)(end - p) : strlen(p);
        if (k == n && strncmp(p, w, n) == 0)
            return true;
        p = end ? end + 1 : NULL;
    }
    return false;
}

int opts_blame(const opts *o, const xn_error *err)
{
    for (size_t i = 0; err->setting[0] && i < o->n; i++) {
        const opt *r = &o->rows[i];
        if (r->kind == OPT_SECTION || !r->setting || !listed(r->setting, err->setting, ','))
            continue;
        if (o->text[i] && !strstr(err->msg, o->text[i])) /* the value, unless the message names it */
            cli_error("%s: %s, got '%s'", r->flag, err->msg, o->text[i]);
        else
            cli_error("%s: %s", r->flag, err->msg);
        return EXIT_USAGE;
    }
    cli_error("%s", err->msg);
    return EXIT_USAGE;
}

int opts_check_paths(const opts *o, const void *args)
{
    for (size_t i = 0; i < o->n; i++) {
        const opt *w = &o->rows[i];
        if (w->kind != OPT_OUT && w->kind != OPT_DIR)
            continue;
        const char *wpath = *(const char *const *)cfield(w, args);
        if (!wpath)
            continue;
        for (size_t j = 0; j < o->n; j++) {
            const opt *r = &o->rows[j];
            const char *rpath = r->kind == OPT_IN || r->kind == OPT_OUT
                                    ? *(const char *const *)cfield(r, args) : NULL;
            if (!rpath || j == i)
                continue;
            if (w->kind == OPT_OUT && r->kind == OPT_IN && !(w->replaces && listed(w->replaces, r->flag, ' ')) &&
                cli_same_file(wpath, rpath)) {
                cli_error("%s: %s is also %s's file, which the run reads", w->flag, wpath, r->flag);
                return EXIT_USAGE;
            }
            if (w->kind == OPT_OUT && r->kind == OPT_OUT && j < i && cli_same_file(wpath, rpath)) {
                cli_error("%s: %s is also %s's file", w->flag, wpath, r->flag);
                return EXIT_USAGE;
            }
            /* a file written into a folder: against every other file */
            for (size_t p = 0; w->kind == OPT_DIR && w->files && w->files[p]; p++) {
                char pic[4200];
                if (!cli_join_path(pic, sizeof pic, wpath, w->files[p], w->flag))
                    return EXIT_USAGE;
                if (cli_same_file(rpath, pic)) {
                    if (r->kind == OPT_IN)
                        cli_error("%s: %s is also %s's file, which the run reads", w->flag, pic, r->flag);
                    else
                        cli_error("%s: %s is also a picture %s draws", r->flag, rpath, w->flag);
                    return EXIT_USAGE;
                }
            }
        }
    }
    return EXIT_OK;
}
