/* Pictures drawn by gnuplot (plot.h): each call writes its data files and a
 * script into a fresh temporary directory, runs gnuplot on the script
 * without a shell, copies the PNG gnuplot wrote to the requested path and
 * removes the directory.  User paths never enter the script; titles do, as
 * gnuplot single-quoted strings.  gnuplot's own output goes to a file in
 * the directory: its warnings are dropped, its error becomes the one line
 * of plot_error.  The directory and gnuplot are registered with the
 * program's signal handler (cleanup.h). */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, posix_spawnp, waitpid, nanosleep */

#include "plot.h"

#include "cleanup.h"
#include "clock.h"
#include "src/util/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* The files a picture may use inside its temporary directory. */
static const char *const tmp_names[] = {"plot.gp", "a.dat", "b.dat", "c.dat", "out.png", "gnuplot.log"};
enum { N_TMP = sizeof tmp_names / sizeof tmp_names[0] };

typedef struct {
    char dir[4096];
    int id; /* the registry entry (cleanup.h); -1 if none */
} tmpdir;

/* gnuplot takes values of magnitude up to about 1e307 and refuses a range
 * wider than a double holds ("x range is invalid"); xornet draws up to
 * this and refuses the rest before gnuplot runs. */
#define PLOT_MAX_ABS 1e300

static bool drawable(double v) { return isfinite(v) && fabs(v) <= PLOT_MAX_ABS; }

/* Evenly spaced points: x0 + (x1 - x0) t would overflow for a range wider
 * than a double holds; each term of this stays below max(|x0|, |x1|). */
static double lerp(double x0, double x1, double t) { return x0 * (1.0 - t) + x1 * t; }

/* A range of one value [v, v] becomes a box around it, unit-wide, or wider
 * where 0.5 is below the value's precision. */
static void widen(double *lo, double *hi)
{
    if (*hi > *lo)
        return;
    double d = fabs(*lo) * 1e-3 > 0.5 ? fabs(*lo) * 1e-3 : 0.5;
    *lo -= d;
    *hi += d;
}

static void set_err(plot_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_err(plot_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

/* ---- finding gnuplot and the directories -------------------------------- */

bool plot_have_gnuplot(void)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/bin:/bin";
    for (const char *p = path;;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        char file[4096];
        /* an empty PATH entry is the current directory */
        int w = len ? snprintf(file, sizeof file, "%.*s/gnuplot", (int)len, p)
                    : snprintf(file, sizeof file, "./gnuplot");
        struct stat st;
        if (w > 0 && (size_t)w < sizeof file && stat(file, &st) == 0 && S_ISREG(st.st_mode) &&
            access(file, X_OK) == 0)
            return true;
        if (!colon)
            return false;
        p = colon + 1;
    }
}

plot_status plot_mkdir(const char *dir, plot_error *err)
{
    struct stat st;
    if (mkdir(dir, 0777) == 0)
        return PLOT_OK;
    if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        return PLOT_OK;
    if (errno == EEXIST)
        set_err(err, "%s: exists and is not a directory", dir);
    else
        set_err(err, "%s: cannot create the directory: %s", dir, strerror(errno));
    return PLOT_EFAIL;
}

plot_status plot_prepare_dir(const char *dir, plot_error *err)
{
    if (!plot_have_gnuplot()) {
        set_err(err, "%s", PLOT_INSTALL_HINT);
        return PLOT_ENOGNUPLOT;
    }
    return plot_mkdir(dir, err);
}

static plot_status tmp_open(tmpdir *t, plot_error *err)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    t->id = -1;
    int w = snprintf(t->dir, sizeof t->dir, "%s/xornet-plot-XXXXXX", base);
    cli_hold_signals();
    bool made = w > 0 && (size_t)w < sizeof t->dir && mkdtemp(t->dir);
    int e = errno;
    if (made)
        t->id = cli_temp_add(t->dir, tmp_names, N_TMP);
    cli_release_signals();
    if (!made) {
        set_err(err, "cannot create a temporary directory in %s: %s", base,
                w > 0 && (size_t)w < sizeof t->dir ? strerror(e) : "path too long");
        t->dir[0] = '\0';
        return PLOT_EFAIL;
    }
    return PLOT_OK;
}

static void tmp_path(const tmpdir *t, const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", t->dir, name);
}

static void tmp_remove(tmpdir *t)
{
    if (!t->dir[0])
        return;
    cli_hold_signals();
    for (size_t i = 0; i < N_TMP; i++) {
        char p[4200];
        tmp_path(t, tmp_names[i], p, sizeof p);
        unlink(p);
    }
    rmdir(t->dir);
    cli_temp_forget(t->id);
    cli_release_signals();
    t->dir[0] = '\0';
    t->id = -1;
}

static FILE *tmp_file(const tmpdir *t, const char *name, plot_error *err)
{
    char p[4200];
    tmp_path(t, name, p, sizeof p);
    FILE *f = fopen(p, "w");
    if (!f)
        set_err(err, "%s: cannot write: %s", p, strerror(errno));
    return f;
}

/* Closes f; PLOT_EFAIL if anything written to it failed. */
static plot_status tmp_close(FILE *f, const char *name, plot_error *err)
{
    int bad = ferror(f);
    bad |= fclose(f) != 0;
    if (bad) {
        set_err(err, "cannot write the plot's %s: %s", name, strerror(errno));
        return PLOT_EFAIL;
    }
    return PLOT_OK;
}

/* ---- running gnuplot and delivering the picture ------------------------- */

/* Copies the file src to dst, replacing dst whole or not at all (or
 * writing into dst directly if it is a device or a FIFO: src/atomic.h),
 * with the signals held while a temporary file exists beside dst. */
static plot_status copy_file(const char *src, const char *dst, plot_error *err)
{
    FILE *in = fopen(src, "rb");
    if (!in) {
        set_err(err, "cannot read gnuplot's picture: %s", strerror(errno));
        return PLOT_EFAIL;
    }
    xn_atomic out;
    xn_error xe = {0};
    plot_status s = PLOT_OK;
    cli_hold_signals();
    if (xn_atomic_open(&out, dst, &xe) != XN_OK) {
        set_err(err, "%s: %s", dst, xe.msg);
        s = PLOT_EFAIL;
    } else {
        char buf[1 << 16];
        size_t got;
        while ((got = fread(buf, 1, sizeof buf, in)) > 0)
            fwrite(buf, 1, got, out.f); /* a failure is kept for the commit */
        if (ferror(in)) {
            set_err(err, "cannot read gnuplot's picture");
            xn_atomic_abort(&out);
            s = PLOT_EFAIL;
        } else if (xn_atomic_commit(&out, &xe) != XN_OK) {
            set_err(err, "%s: %s", dst, xe.msg);
            s = PLOT_EFAIL;
        }
    }
    cli_release_signals();
    fclose(in);
    return s;
}

/* The seconds gnuplot may take: $XORNET_PLOT_TIMEOUT if it is a positive
 * number, else PLOT_TIMEOUT. */
static double timeout_seconds(void)
{
    const char *v = getenv("XORNET_PLOT_TIMEOUT");
    char *end;
    double t = v && *v ? strtod(v, &end) : 0.0;
    return v && *v && *end == '\0' && t > 0.0 && t <= 1e6 ? t : PLOT_TIMEOUT;
}

/* Waits for pid until the timeout; on time out kills it (SIGKILL) and
 * reaps it.  True if it ended by itself, with *status. */
static bool wait_child(pid_t pid, double seconds, int *status, plot_error *err)
{
    double deadline = cli_seconds() + seconds;
    long nap = 1000000; /* 1 ms, growing to 50 ms: quick pictures stay quick */
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return true;
        if (r < 0 && errno != EINTR) {
            set_err(err, "waiting for gnuplot: %s", strerror(errno));
            return false;
        }
        if (cli_seconds() >= deadline)
            break;
        struct timespec ts = {0, nap};
        nanosleep(&ts, NULL);
        nap = nap < 50000000 ? nap * 2 : nap;
    }
    kill(-pid, SIGKILL); /* the group: gnuplot and anything it started */
    while (waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
    set_err(err, "gnuplot did not finish within %g s and was stopped (XORNET_PLOT_TIMEOUT)",
            seconds);
    return false;
}

/* gnuplot's complaint, from its output in t's gnuplot.log, as one line
 * into msg: its error line ("line 12: undefined variable: x") without the
 * script's temporary path, else its last line.  Empty if it said nothing. */
static void gnuplot_says(const tmpdir *t, char *msg, size_t size)
{
    char path[4200], text[1 << 14];
    msg[0] = '\0';
    tmp_path(t, "gnuplot.log", path, sizeof path);
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    const char *pick = NULL, *last = NULL;
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        size_t len = strlen(line);
        while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
            line[--len] = '\0';
        if (!len)
            continue;
        last = line;
        /* '"<script>" line N: message', the error gnuplot stops on */
        const char *at = strstr(line, "\" line ");
        if (line[0] == '"' && at && !strstr(at, ": warning:"))
            pick = at + 2;
    }
    if (!pick)
        pick = last;
    if (!pick)
        return;
    size_t k = 0;
    for (const char *p = pick; *p && k + 1 < size; p++)
        msg[k++] = (unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p;
    msg[k] = '\0';
}

/* Runs gnuplot on t's plot.gp and copies t's out.png to png. */
static plot_status run_gnuplot(tmpdir *t, const char *png, plot_error *err)
{
    char script[4200], out[4200], log[4200];
    tmp_path(t, "plot.gp", script, sizeof script);
    tmp_path(t, "out.png", out, sizeof out);
    tmp_path(t, "gnuplot.log", log, sizeof log);
    char arg0[] = "gnuplot", arg1[] = "-d";
    char *argv[] = {arg0, arg1, script, NULL};
    /* no terminal for gnuplot: its input is empty and its output (warnings,
     * errors naming the temporary script) goes to the log */
    posix_spawn_file_actions_t fa;
    if (posix_spawn_file_actions_init(&fa) != 0) {
        set_err(err, "cannot start gnuplot: out of memory");
        return PLOT_EFAIL;
    }
    int rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (rc == 0)
        rc = posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (rc == 0)
        rc = posix_spawn_file_actions_adddup2(&fa, 1, 2);
    /* its own process group, so that a timeout or a signal stops whatever
     * gnuplot may have started too (cleanup.h kills the group) */
    posix_spawnattr_t attr;
    bool attr_ok = rc == 0 && posix_spawnattr_init(&attr) == 0;
    if (rc == 0 && !attr_ok)
        rc = ENOMEM;
    if (rc == 0)
        rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    if (rc == 0)
        rc = posix_spawnattr_setpgroup(&attr, 0);
    pid_t pid = 0;
    /* -d: ignore the user's ~/.gnuplot, so the picture is always the same.
     * Held: a signal right after the start finds gnuplot registered. */
    cli_hold_signals();
    if (rc == 0)
        rc = posix_spawnp(&pid, "gnuplot", &fa, &attr, argv, environ);
    if (rc == 0)
        cli_temp_child(t->id, pid);
    cli_release_signals();
    if (attr_ok)
        posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    if (rc == ENOENT) {
        set_err(err, "%s", PLOT_INSTALL_HINT);
        return PLOT_ENOGNUPLOT;
    }
    if (rc != 0) {
        set_err(err, "cannot start gnuplot: %s", strerror(rc));
        return PLOT_EFAIL;
    }
    int status = 0;
    bool ended = wait_child(pid, timeout_seconds(), &status, err);
    cli_hold_signals();
    cli_temp_child(t->id, 0);
    cli_release_signals();
    if (!ended)
        return PLOT_EFAIL;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        /* glibc's posix_spawnp reports a missing program as exit status 127 */
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && !plot_have_gnuplot()) {
            set_err(err, "%s", PLOT_INSTALL_HINT);
            return PLOT_ENOGNUPLOT;
        }
        char says[300];
        gnuplot_says(t, says, sizeof says);
        set_err(err, "%s: gnuplot failed (%s %d)%s%s", png,
                WIFEXITED(status) ? "exit status" : "signal",
                WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), says[0] ? ": " : "",
                says);
        return PLOT_EFAIL;
    }
    struct stat st;
    if (stat(out, &st) != 0 || st.st_size == 0) {
        set_err(err, "%s: gnuplot wrote no picture", png);
        return PLOT_EFAIL;
    }
    return copy_file(out, png, err);
}

/* ---- script pieces ------------------------------------------------------ */

/* s as a gnuplot single-quoted string: '' stands for ', and control
 * characters (a newline would end the command) become '?'. */
static void put_quoted(FILE *f, const char *s)
{
    fputc('\'', f);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '\'')
            fputs("''", f);
        else if (*p < 0x20 || *p == 0x7f)
            fputc('?', f);
        else
            fputc(*p, f);
    }
    fputc('\'', f);
}

static void put_header(FILE *f, const char *title, int width, int height)
{
    fprintf(f, "set terminal pngcairo size %d,%d enhanced font 'DejaVu Sans,11'\n",
            width > 0 ? width : PLOT_WIDTH, height > 0 ? height : PLOT_HEIGHT);
    fputs("set output 'out.png'\n", f);
    fputs("set encoding utf8\nset title ", f);
    put_quoted(f, title);
    fputs(" noenhanced\n", f);
}

static bool size_ok(int width, int height, plot_error *err)
{
    if (width < 0 || height < 0 || width > 10000 || height > 10000 ||
        (width && width < 16) || (height && height < 16)) {
        set_err(err, "picture size %dx%d out of range [16, 10000]", width, height);
        return false;
    }
    return true;
}

/* Closes the script gp and runs it. */
static plot_status finish(tmpdir *t, FILE *gp, const char *png, plot_error *err)
{
    plot_status s = tmp_close(gp, "script", err);
    if (s == PLOT_OK)
        s = run_gnuplot(t, png, err);
    return s;
}

/* Opens t's script.  gnuplot resolves file names against its working
 * directory, so the script starts with a cd into t. */
static FILE *open_script(tmpdir *t, plot_error *err)
{
    FILE *gp = tmp_file(t, "plot.gp", err);
    if (gp) {
        fputs("cd ", gp);
        put_quoted(gp, t->dir);
        fputc('\n', gp);
    }
    return gp;
}

/* ---- the pictures ------------------------------------------------------- */

plot_status plot_curves(const char *png, const char *title, const char *xlabel, const char *ylabel,
                        bool log_y, size_t k, const plot_curve *c, int width, int height,
                        plot_error *err)
{
    size_t total = 0, positive = 0;
    if (k > PLOT_CURVES_MAX) {
        set_err(err, "at most %d curves in one picture", PLOT_CURVES_MAX);
        return PLOT_EFAIL;
    }
    for (size_t j = 0; j < k; j++)
        if (c[j].x && c[j].y)
            for (size_t i = 0; i < c[j].n; i++) {
                total++;
                positive += drawable(c[j].y[i]) && c[j].y[i] > 0.0;
            }
    if (!png || total == 0) {
        set_err(err, "no history to plot");
        return PLOT_EFAIL;
    }
    if (!size_ok(width, height, err))
        return PLOT_EFAIL;
    tmpdir t;
    plot_status s = tmp_open(&t, err);
    if (s != PLOT_OK)
        return s;
    bool logscale = log_y && positive > 0;
    FILE *gp = NULL;
    size_t drawn = 0;
    static const char *const files[PLOT_CURVES_MAX] = {"a.dat", "b.dat", "c.dat"}; /* in tmp_names */
    for (size_t j = 0; j < k; j++) {
        FILE *dat = tmp_file(&t, files[j], err);
        if (!dat) {
            s = PLOT_EFAIL;
            goto out;
        }
        for (size_t i = 0; c[j].x && c[j].y && i < c[j].n; i++)
            if (drawable(c[j].x[i]) && drawable(c[j].y[i]) && (!logscale || c[j].y[i] > 0.0)) {
                fprintf(dat, "%.17g %.17g\n", c[j].x[i], c[j].y[i]);
                drawn++;
            }
        if ((s = tmp_close(dat, "data", err)) != PLOT_OK)
            goto out;
    }
    if (drawn == 0) {
        set_err(err, "no drawable point in the history (all of it is not finite or beyond %g)",
                PLOT_MAX_ABS);
        s = PLOT_EFAIL;
        goto out;
    }
    if (!(gp = open_script(&t, err))) {
        s = PLOT_EFAIL;
        goto out;
    }
    put_header(gp, title, width, height);
    fputs("set xlabel ", gp);
    put_quoted(gp, xlabel);
    fputs("\nset ylabel ", gp);
    put_quoted(gp, ylabel);
    fputs(logscale ? " . ' (log scale)'\nset logscale y\nset format y '10^{%L}'\n" : "\n", gp);
    fprintf(gp, "set grid xtics ytics mytics\nset key %s\nset autoscale xfixmin\nset autoscale xfixmax\n",
            k > 1 ? "top right box opaque noenhanced" : "off");
    static const char *const colors[PLOT_CURVES_MAX] = {"#1f77b4", "#ff7f0e", "#2ca02c"};
    fputs("plot ", gp);
    for (size_t j = 0; j < k; j++) {
        fprintf(gp, "%s'%s' using 1:2 with lines linewidth 2 linecolor rgb '%s' title ",
                j ? ", \\\n     " : "", files[j], colors[j]);
        put_quoted(gp, c[j].name);
    }
    fputc('\n', gp);
    s = finish(&t, gp, png, err);
out:
    tmp_remove(&t);
    return s;
}

plot_status plot_loss(const char *png, const char *title, size_t n, const double *x,
                      const double *y, int width, int height, plot_error *err)
{
    plot_curve c = {"loss", n, x, y};
    return plot_curves(png, title, "step", "loss", true, 1, &c, width, height, err);
}

/* Writes the surface grid (G x G points over [x0,x1] x [y0,y1], one block
 * per x1 value) to f and widens [*zlo, *zhi] to its outputs.  Returns the
 * status of the forward pass, XN_ENUMERIC for an output gnuplot cannot
 * draw. */
static xn_status write_grid(FILE *f, xn_net *net, double x0, double x1, double y0, double y1,
                            double *zlo, double *zhi)
{
    enum { G = 41 };
    double in[G * 2], out[G];
    for (size_t i = 0; i < G; i++) {
        double u = lerp(x0, x1, (double)i / (G - 1));
        for (size_t j = 0; j < G; j++) {
            in[2 * j] = u;
            in[2 * j + 1] = lerp(y0, y1, (double)j / (G - 1));
        }
        xn_status s = xn_net_predict(net, G, in, out);
        if (s != XN_OK)
            return s;
        for (size_t j = 0; j < G; j++) {
            if (!drawable(out[j]))
                return XN_ENUMERIC;
            fprintf(f, "%.17g %.17g %.17g\n", in[2 * j], in[2 * j + 1], out[j]);
            *zlo = out[j] < *zlo ? out[j] : *zlo;
            *zhi = out[j] > *zhi ? out[j] : *zhi;
        }
        fputc('\n', f);
    }
    return XN_OK;
}

plot_status plot_surface(const char *png, const char *title, xn_net *net, size_t n,
                         const double *x, const double *y, int width, int height,
                         plot_error *err)
{
    if (!png || !net || !x || !y || n == 0) {
        set_err(err, "nothing to plot");
        return PLOT_EFAIL;
    }
    size_t L = xn_net_layers(net);
    if (xn_net_size(net, 0) != 2 || xn_net_size(net, L) != 1) {
        set_err(err, "a surface needs a network with 2 inputs and 1 output");
        return PLOT_EFAIL;
    }
    if (!size_ok(width, height, err))
        return PLOT_EFAIL;
    double lo[2] = {x[0], x[1]}, hi[2] = {x[0], x[1]};
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < 2; k++) {
            double v = x[2 * i + k];
            if (!drawable(v)) {
                set_err(err, "input %zu is %s; gnuplot draws values up to %g in magnitude", i + 1,
                        isfinite(v) ? "too large" : "not finite", PLOT_MAX_ABS);
                return PLOT_EFAIL;
            }
            lo[k] = v < lo[k] ? v : lo[k];
            hi[k] = v > hi[k] ? v : hi[k];
        }
    for (size_t k = 0; k < 2; k++)
        widen(&lo[k], &hi[k]);
    /* the points' outputs, for the labels; copied before the grid's passes */
    double *a = malloc(n * sizeof *a);
    if (!a) {
        set_err(err, "out of memory");
        return PLOT_EFAIL;
    }
    if (xn_net_predict(net, n, x, a) != XN_OK) {
        free(a);
        set_err(err, "cannot evaluate the network");
        return PLOT_EFAIL;
    }
    for (size_t i = 0; i < n; i++)
        if (!drawable(a[i])) {
            set_err(err, "the network's output at input %zu is %s; gnuplot draws values up to %g "
                    "in magnitude", i + 1, isfinite(a[i]) ? "too large" : "not finite", PLOT_MAX_ABS);
            free(a);
            return PLOT_EFAIL;
        }
    tmpdir t;
    plot_status s = tmp_open(&t, err);
    FILE *grid = NULL, *pts = NULL, *gp = NULL;
    if (s != PLOT_OK)
        goto out;
    s = PLOT_EFAIL;
    if (!(grid = tmp_file(&t, "a.dat", err)))
        goto out;
    /* the colours span at least [0, 1]: a nearly flat surface stays one
     * colour instead of showing its rounding noise in the full palette */
    double zlo = 0.0, zhi = 1.0;
    xn_status xs = write_grid(grid, net, lo[0], hi[0], lo[1], hi[1], &zlo, &zhi);
    plot_status cs = tmp_close(grid, "data", err);
    if (xs == XN_ENUMERIC) {
        set_err(err, "the network's output on the plotted square is not finite or beyond %g, "
                "which gnuplot cannot draw", PLOT_MAX_ABS);
        goto out;
    }
    if (xs != XN_OK) {
        set_err(err, "cannot evaluate the network: %s", xn_strerror(xs));
        goto out;
    }
    if (cs != PLOT_OK || !(pts = tmp_file(&t, "b.dat", err)))
        goto out;
    for (size_t i = 0; i < n; i++)
        fprintf(pts, "%.17g %.17g %.17g %.17g\n", x[2 * i], x[2 * i + 1], y[i], a[i]);
    if (tmp_close(pts, "data", err) != PLOT_OK || !(gp = open_script(&t, err)))
        goto out;
    put_header(gp, title, width, height);
    fprintf(gp, "set xrange [%.17g:%.17g]\nset yrange [%.17g:%.17g]\nset cbrange [%.17g:%.17g]\n",
            lo[0], hi[0], lo[1], hi[1], zlo, zhi);
    /* labels as objects in front, so the surface never hides them */
    for (size_t i = 0; i < n; i++)
        fprintf(gp, "set label %zu '%.3f' at %.17g, %.17g, %.17g offset 0, 1.4 center front\n",
                i + 1, a[i], x[2 * i], x[2 * i + 1], a[i]);
    /* viridis, as the notebooks' plot_surface(cmap='viridis') */
    fputs("set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')\n"
          "set xlabel 'x1'\nset ylabel 'x2'\nset zlabel 'output' rotate parallel\n"
          /* looking down the (0,0)-(1,1) diagonal from above: all four
           * corners of a XOR surface stay in sight */
          "set xyplane at 0\nset view 40, 315\nset grid\n"
          "set pm3d depthorder border linewidth 0.5 linecolor rgb '#303030'\n"
          "set colorbox vertical user origin 0.92, 0.25 size 0.02, 0.5\n"
          "set key at screen 0.02, 0.97 left top\n"
          "splot 'a.dat' using 1:2:3 with pm3d notitle, \\\n"
          "      'b.dat' using 1:2:3 with points pointtype 7 pointsize 2.2 "
          "linecolor rgb '#d62728' title 'targets', \\\n"
          "      'b.dat' using 1:2:4 with points pointtype 6 pointsize 2.2 "
          "linecolor rgb 'black' title 'network output'\n",
          gp);
    s = finish(&t, gp, png, err);
out:
    tmp_remove(&t);
    free(a);
    return s;
}

static int cmp_double(const void *a, const void *b)
{
    double u = *(const double *)a, v = *(const double *)b;
    return (u > v) - (u < v);
}

/* y against x: the curve (gx, gy) (g points, gx sorted) with its label,
 * the reference curve ref (g values, or NULL) dashed with its label, and
 * the m points (x, f). */
static plot_status draw_fit(const char *png, const char *title, size_t g, const double *gx,
                            const double *gy, const char *label, const double *ref,
                            const char *ref_label, size_t m, const double *x, const double *f,
                            int width, int height, plot_error *err)
{
    for (size_t i = 0; i < m; i++)
        if (!drawable(x[i]) || !drawable(f[i])) {
            set_err(err, "sample %zu is %s; gnuplot draws values up to %g in magnitude", i + 1,
                    isfinite(x[i]) && isfinite(f[i]) ? "too large" : "not finite", PLOT_MAX_ABS);
            return PLOT_EFAIL;
        }
    for (size_t i = 0; i < g; i++)
        if (!drawable(gy[i])) {
            set_err(err, "the network at x = %g is %s; gnuplot draws values up to %g in magnitude",
                    gx[i], isfinite(gy[i]) ? "too large" : "not finite", PLOT_MAX_ABS);
            return PLOT_EFAIL;
        }
    tmpdir t;
    FILE *dat = NULL, *gp = NULL;
    plot_status s = tmp_open(&t, err);
    if (s != PLOT_OK)
        return s;
    s = PLOT_EFAIL;
    if (!(dat = tmp_file(&t, "a.dat", err)))
        goto out;
    for (size_t i = 0; i < g; i++) {
        fprintf(dat, "%.17g %.17g", gx[i], gy[i]);
        if (ref && drawable(ref[i]))
            fprintf(dat, " %.17g", ref[i]);
        else if (ref)
            fputs(" NaN", dat);
        fputc('\n', dat);
    }
    if (tmp_close(dat, "data", err) != PLOT_OK || !(dat = tmp_file(&t, "b.dat", err)))
        goto out;
    for (size_t i = 0; i < m; i++)
        fprintf(dat, "%.17g %.17g\n", x[i], f[i]);
    if (tmp_close(dat, "data", err) != PLOT_OK || !(gp = open_script(&t, err)))
        goto out;
    put_header(gp, title, width, height);
    fputs("set xlabel 'x'\nset ylabel 'y'\nset grid\nset key top left box opaque noenhanced\n"
          "set autoscale xfixmin\nset autoscale xfixmax\nset offsets 0, 0, graph 0.05, graph 0.05\n"
          "plot ",
          gp);
    if (ref) {
        fputs("'a.dat' using 1:3 with lines linewidth 2 dashtype 2 linecolor rgb '#7f7f7f' title ", gp);
        put_quoted(gp, ref_label);
        fputs(", \\\n     ", gp);
    }
    fputs("'a.dat' using 1:2 with lines linewidth 2 linecolor rgb '#1f77b4' title ", gp);
    put_quoted(gp, label);
    fprintf(gp, ", \\\n     'b.dat' using 1:2 with points pointtype 7 pointsize %s "
                "linecolor rgb '#d62728' title 'samples'\n",
            m <= 200 ? "1.2" : "0.4");
    s = finish(&t, gp, png, err);
out:
    tmp_remove(&t);
    return s;
}

static bool one_in_one_out(const xn_net *net, plot_error *err)
{
    if (xn_net_size(net, 0) != 1 || xn_net_size(net, xn_net_layers(net)) != 1) {
        set_err(err, "a fit plot needs a network with 1 input and 1 output");
        return false;
    }
    return true;
}

plot_status plot_approx(const char *png, const char *title, size_t m, const double *x,
                        const double *f, xn_net *net, const xn_approx_fn *fn, int width,
                        int height, plot_error *err)
{
    if (!png || !x || !f || !net || m == 0) {
        set_err(err, "nothing to plot");
        return PLOT_EFAIL;
    }
    if (!one_in_one_out(net, err) || !size_ok(width, height, err))
        return PLOT_EFAIL;
    /* the curve: the sorted samples and `per - 1` points between each pair
     * (the network is piecewise linear with knots at the samples) */
    size_t per = m <= 4096 ? 16 : m <= 65536 ? 2 : 1;
    size_t g = (m - 1) * per + 1;
    double *xs = malloc(m * sizeof *xs), *gx = malloc(g * sizeof *gx), *gy = malloc(g * sizeof *gy);
    double *ref = fn ? malloc(g * sizeof *ref) : NULL;
    plot_status s = PLOT_EFAIL;
    if (!xs || !gx || !gy || (fn && !ref)) {
        set_err(err, "out of memory");
        goto out;
    }
    memcpy(xs, x, m * sizeof *xs);
    qsort(xs, m, sizeof *xs, cmp_double);
    for (size_t i = 0; i + 1 < m; i++)
        for (size_t k = 0; k < per; k++)
            gx[i * per + k] = lerp(xs[i], xs[i + 1], (double)k / (double)per);
    gx[g - 1] = xs[m - 1];
    if (xn_approx_eval(net, g, gx, gy) != XN_OK) { /* O(g + n): sorted gx */
        set_err(err, "cannot evaluate the network");
        goto out;
    }
    char label[64], ref_label[64];
    snprintf(label, sizeof label, "network (%zu hidden relu)", xn_net_size(net, 1));
    if (fn) {
        for (size_t i = 0; i < g; i++)
            ref[i] = xn_approx_fn_eval(*fn, gx[i]);
        snprintf(ref_label, sizeof ref_label, "%s(x)", xn_approx_fn_name(*fn));
    }
    s = draw_fit(png, title, g, gx, gy, label, ref, ref_label, m, x, f, width, height, err);
out:
    free(xs);
    free(gx);
    free(gy);
    free(ref);
    return s;
}

plot_status plot_fit(const char *png, const char *title, xn_net *net, size_t m, const double *x,
                     const double *y, int width, int height, plot_error *err)
{
    if (!png || !x || !y || !net || m == 0) {
        set_err(err, "nothing to plot");
        return PLOT_EFAIL;
    }
    if (!one_in_one_out(net, err) || !size_ok(width, height, err))
        return PLOT_EFAIL;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < m; i++)
        if (drawable(x[i])) {
            lo = fmin(lo, x[i]);
            hi = fmax(hi, x[i]);
        }
    if (!(lo <= hi)) {
        set_err(err, "no drawable sample");
        return PLOT_EFAIL;
    }
    widen(&lo, &hi);
    enum { G = 401 };
    double gx[G], gy[G];
    for (size_t i = 0; i < G; i++)
        gx[i] = lerp(lo, hi, (double)i / (G - 1));
    xn_status st = xn_net_predict(net, G, gx, gy);
    if (st != XN_OK && st != XN_ENUMERIC) { /* not finite: draw_fit names the point */
        set_err(err, "cannot evaluate the network: %s", xn_strerror(st));
        return PLOT_EFAIL;
    }
    return draw_fit(png, title, G, gx, gy, "network", NULL, NULL, m, x, y, width, height, err);
}

/* ---- loss histories ------------------------------------------------------ */

int plot_series_add(plot_series *s, size_t step, double v, bool force)
{
    size_t stride = s->stride ? s->stride : 1;
    if (step % stride != 0 && !force)
        return 0;
    if (s->n > 0 && s->x[s->n - 1] == (double)step)
        return 0; /* already there: a forced last point on a kept step */
    if (s->n == PLOT_SERIES_MAX) {
        /* keep the points at multiples of 2 * stride and halve the density
         * from now on (the first point is step 0 and stays) */
        size_t k = 0;
        for (size_t i = 0; i < s->n; i++)
            if ((size_t)s->x[i] % (2 * stride) == 0) {
                s->x[k] = s->x[i];
                s->y[k++] = s->y[i];
            }
        s->n = k;
        s->stride = 2 * stride;
        if (step % s->stride != 0 && !force)
            return 0;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 1024;
        if (cap > PLOT_SERIES_MAX)
            cap = PLOT_SERIES_MAX;
        double *x = realloc(s->x, cap * sizeof *x);
        if (!x)
            return -1;
        s->x = x;
        double *y = realloc(s->y, cap * sizeof *y);
        if (!y)
            return -1;
        s->y = y;
        s->cap = cap;
    }
    s->x[s->n] = (double)step;
    s->y[s->n++] = v;
    return 0;
}

void plot_series_free(plot_series *s)
{
    free(s->x);
    free(s->y);
    *s = (plot_series){NULL, NULL, 0, 0, 0};
}
