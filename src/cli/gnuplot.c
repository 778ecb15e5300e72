/* Running gnuplot (gnuplot.h): finding it, a fresh temporary directory a
 * picture, the script's common pieces, gnuplot started without a shell
 * and waited for with a timeout, the PNG it wrote copied to the requested
 * path, and the directory removed.  User paths never enter the script;
 * titles do, as gnuplot single-quoted strings.  gnuplot's own output goes
 * to a file in the directory: its first warning is kept in plot_error for
 * the tests (the program drops it), its error becomes the one line of
 * plot_error.  The directory and gnuplot are registered
 * with the program's signal handler (cleanup.h). */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, posix_spawnp, waitpid, nanosleep */

#include "gnuplot.h"

#include "cleanup.h"
#include "clock.h"
#include "xornet/atomic.h"

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

void plot_set_err(plot_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

bool plot_drawable(double v) { return isfinite(v) && fabs(v) <= PLOT_MAX_ABS; }

double plot_lerp(double x0, double x1, double t) { return x0 * (1.0 - t) + x1 * t; }

void plot_widen(double *lo, double *hi)
{
    if (*hi > *lo)
        return;
    double d = fabs(*lo) * 1e-3 > 0.5 ? fabs(*lo) * 1e-3 : 0.5;
    *lo -= d;
    *hi += d;
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
        plot_set_err(err, "%s: exists and is not a directory", dir);
    else
        plot_set_err(err, "%s: cannot create the directory: %s", dir, strerror(errno));
    return PLOT_EFAIL;
}

plot_status plot_prepare_dir(const char *dir, plot_error *err)
{
    if (!plot_have_gnuplot()) {
        plot_set_err(err, "%s", PLOT_INSTALL_HINT);
        return PLOT_ENOGNUPLOT;
    }
    return plot_mkdir(dir, err);
}

plot_status gp_start(gp_run *t, plot_error *err)
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
        plot_set_err(err, "cannot create a temporary directory in %s: %s", base,
                w > 0 && (size_t)w < sizeof t->dir ? strerror(e) : "path too long");
        t->dir[0] = '\0';
        return PLOT_EFAIL;
    }
    return PLOT_OK;
}

static void tmp_path(const gp_run *t, const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", t->dir, name);
}

void gp_end(gp_run *t)
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

FILE *gp_data(const gp_run *t, const char *name, plot_error *err)
{
    char p[4200];
    tmp_path(t, name, p, sizeof p);
    FILE *f = fopen(p, "w");
    if (!f)
        plot_set_err(err, "%s: cannot write: %s", p, strerror(errno));
    return f;
}

/* Closes f; PLOT_EFAIL if anything written to it failed. */
plot_status gp_close(FILE *f, const char *name, plot_error *err)
{
    int bad = ferror(f);
    bad |= fclose(f) != 0;
    if (bad) {
        plot_set_err(err, "cannot write the plot's %s: %s", name, strerror(errno));
        return PLOT_EFAIL;
    }
    return PLOT_OK;
}

/* ---- running gnuplot and delivering the picture ------------------------- */

/* Copies the file src to dst, replacing dst whole or not at all (or
 * writing into dst directly if it is a device or a FIFO: xornet/atomic.h),
 * with the signals held while a temporary file exists beside dst. */
static plot_status copy_file(const char *src, const char *dst, plot_error *err)
{
    FILE *in = fopen(src, "rb");
    if (!in) {
        plot_set_err(err, "cannot read gnuplot's picture: %s", strerror(errno));
        return PLOT_EFAIL;
    }
    xn_atomic out;
    xn_error xe = {0};
    plot_status s = PLOT_OK;
    cli_hold_signals();
    if (xn_atomic_open(&out, dst, &xe) != XN_OK) {
        plot_set_err(err, "%s: %s", dst, xe.msg);
        s = PLOT_EFAIL;
    } else {
        char buf[1 << 16];
        size_t got;
        while ((got = fread(buf, 1, sizeof buf, in)) > 0)
            fwrite(buf, 1, got, out.f); /* a failure is kept for the commit */
        if (ferror(in)) {
            plot_set_err(err, "cannot read gnuplot's picture");
            xn_atomic_abort(&out);
            s = PLOT_EFAIL;
        } else if (xn_atomic_commit(&out, &xe) != XN_OK) {
            plot_set_err(err, "%s: %s", dst, xe.msg);
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
            plot_set_err(err, "waiting for gnuplot: %s", strerror(errno));
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
    plot_set_err(err, "gnuplot did not finish within %g s and was stopped (XORNET_PLOT_TIMEOUT)",
            seconds);
    return false;
}

/* A line of gnuplot's output in t's gnuplot.log, as one line into msg:
 * with warning, its first warning ("empty y range [1:1]"), else its
 * complaint: the error line it stops on ("line 12: undefined variable:
 * x"), else its last line.  A line naming the script loses the script's
 * temporary path.  Empty if there is none. */
static void gnuplot_says(const gp_run *t, bool warning, char *msg, size_t size)
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
    for (char *line = text, *next; line && *line && !(warning && pick); line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        size_t len = strlen(line);
        while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
            line[--len] = '\0';
        if (!len)
            continue;
        last = line;
        /* '"<script>" line N: message', the error gnuplot stops on, or
         * '"<script>" line N: warning: message'; a warning about the data
         * alone is 'Warning: message' */
        const char *at = strstr(line, "\" line ");
        bool warns = strstr(line, "warning:") || strncmp(line, "Warning:", 8) == 0;
        if (warning && warns)
            pick = line[0] == '"' && at ? at + 2 : line;
        else if (!warning && line[0] == '"' && at && !warns)
            pick = at + 2;
    }
    if (!pick && !warning)
        pick = last;
    if (!pick)
        return;
    size_t k = 0;
    for (const char *p = pick; *p && k + 1 < size; p++)
        msg[k++] = (unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p;
    msg[k] = '\0';
}

/* Runs gnuplot on t's plot.gp and copies t's out.png to png. */
static plot_status run_gnuplot(gp_run *t, const char *png, plot_error *err)
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
        plot_set_err(err, "cannot start gnuplot: out of memory");
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
        plot_set_err(err, "%s", PLOT_INSTALL_HINT);
        return PLOT_ENOGNUPLOT;
    }
    if (rc != 0) {
        plot_set_err(err, "cannot start gnuplot: %s", strerror(rc));
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
            plot_set_err(err, "%s", PLOT_INSTALL_HINT);
            return PLOT_ENOGNUPLOT;
        }
        char says[300];
        gnuplot_says(t, false, says, sizeof says);
        plot_set_err(err, "%s: gnuplot failed (%s %d)%s%s", png,
                WIFEXITED(status) ? "exit status" : "signal",
                WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), says[0] ? ": " : "",
                says);
        return PLOT_EFAIL;
    }
    if (err)
        gnuplot_says(t, true, err->warning, sizeof err->warning);
    struct stat st;
    if (stat(out, &st) != 0 || st.st_size == 0) {
        plot_set_err(err, "%s: gnuplot wrote no picture", png);
        return PLOT_EFAIL;
    }
    return copy_file(out, png, err);
}

/* ---- script pieces ------------------------------------------------------ */

/* s as a gnuplot single-quoted string: '' stands for ', and control
 * characters (a newline would end the command) become '?'. */
void gp_quoted(FILE *f, const char *s)
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

void gp_header(FILE *f, const char *title, int width, int height)
{
    fprintf(f, "set terminal pngcairo size %d,%d enhanced font 'DejaVu Sans,11'\n",
            width > 0 ? width : PLOT_WIDTH, height > 0 ? height : PLOT_HEIGHT);
    fputs("set output 'out.png'\n", f);
    fputs("set encoding utf8\nset title ", f);
    gp_quoted(f, title);
    fputs(" noenhanced\n", f);
}

bool gp_size_ok(int width, int height, plot_error *err)
{
    if (width < 0 || height < 0 || width > 10000 || height > 10000 ||
        (width && width < 16) || (height && height < 16)) {
        plot_set_err(err, "picture size %dx%d out of range [16, 10000]", width, height);
        return false;
    }
    return true;
}

bool plot_rows_ok(const char *png, const xn_net *net, size_t n, const double *x, const double *y, int width,
                  int height, plot_error *err)
{
    if (!png || !net || !x || !y || n == 0) {
        plot_set_err(err, "nothing to plot");
        return false;
    }
    return gp_size_ok(width, height, err);
}

/* Closes the script gp and runs it. */
plot_status gp_finish(gp_run *t, FILE *gp, const char *png, plot_error *err)
{
    if (err)
        err->warning[0] = '\0';
    plot_status s = gp_close(gp, "script", err);
    if (s == PLOT_OK)
        s = run_gnuplot(t, png, err);
    return s;
}

/* Opens t's script.  gnuplot resolves file names against its working
 * directory, so the script starts with a cd into t. */
FILE *gp_script(gp_run *t, plot_error *err)
{
    FILE *gp = gp_data(t, "plot.gp", err);
    if (gp) {
        fputs("cd ", gp);
        gp_quoted(gp, t->dir);
        fputc('\n', gp);
    }
    return gp;
}
