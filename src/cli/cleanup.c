/* The signal handler of the xornet program and its registry of temporary
 * files (cleanup.h).  The handler calls only async-signal-safe functions
 * (kill, waitpid, unlink, rmdir, sigaction, sigprocmask, raise, _exit) and
 * lock-free atomics; the registry is changed only with the signals held,
 * so the handler never sees it half-changed. */
#define _POSIX_C_SOURCE 200809L /* sigaction, strdup */

#include "cleanup.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const int caught[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
enum { N_CAUGHT = sizeof caught / sizeof caught[0] };

/* A registered temporary file or folder; path NULL marks a free slot. */
typedef struct {
    char *path;
    const char *const *names; /* the files inside a folder; NULL for a file */
    size_t n_names;
    pid_t child;              /* killed and waited for first; 0 for none */
} entry;

enum { SLOTS = 8 };
static entry slots[SLOTS];

/* holds: nesting depth of cli_hold_signals; pending: a signal that came
 * during a hold; busy: handlers running now (cli_hold_signals waits for a
 * handler that saw no hold to finish ending the program); removing: how
 * many of the holds let a signal remove the registered files at once. */
static atomic_int holds, pending, busy, removing;

/* dir "/" name into buf (cap bytes) without the library: false if too long. */
static bool join(char *buf, size_t cap, const char *dir, const char *name)
{
    size_t k = 0;
    for (const char *p = dir; *p; p++)
        if (k + 1 < cap)
            buf[k++] = *p;
        else
            return false;
    if (k + 1 >= cap)
        return false;
    buf[k++] = '/';
    for (const char *p = name; *p; p++)
        if (k + 1 < cap)
            buf[k++] = *p;
        else
            return false;
    buf[k] = '\0';
    return true;
}

static void remove_all(void)
{
    for (int i = 0; i < SLOTS; i++) {
        const entry *e = &slots[i];
        if (!e->path)
            continue;
        if (e->child > 0) {
            pid_t child = e->child;
            kill(-child, SIGKILL); /* its process group (plot.c) */
            kill(child, SIGKILL);
            while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
                ;
            slots[i].child = 0; /* reaped: its number may be reused */
        }
        if (!e->names) {
            unlink(e->path);
            continue;
        }
        char p[4096 + 64];
        for (size_t k = 0; k < e->n_names; k++)
            if (join(p, sizeof p, e->path, e->names[k]))
                unlink(p);
        rmdir(e->path);
    }
}

/* Ends the program by sig with the default action, so that the exit status
 * reports the signal as before. */
static void die(int sig)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    _exit(128 + sig);
}

static void on_signal(int sig)
{
    int saved = errno;
    atomic_fetch_add(&busy, 1);
    int held = atomic_load(&holds);
    if (held > 0) {
        int none = 0;
        /* the first signal of a hold waits for its release; SIGPIPE from a
         * write the held work is doing waits too (the write fails, EPIPE) */
        if (atomic_compare_exchange_strong(&pending, &none, sig) || sig == SIGPIPE) {
            if (sig != SIGPIPE && atomic_load(&removing) == held)
                remove_all(); /* no held work uses them: gone before a SIGKILL */
            atomic_fetch_sub(&busy, 1);
            errno = saved;
            return;
        }
    }
    remove_all();
    die(sig);
}

void cli_signals_init(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < N_CAUGHT; i++)
        sigaddset(&sa.sa_mask, caught[i]);
    /* a held signal lets the interrupted call go on: the save finishes */
    sa.sa_flags = SA_RESTART;
    for (int i = 0; i < N_CAUGHT; i++) {
        struct sigaction old;
        /* started with a signal ignored (nohup, a background job of a
         * script): it stays ignored */
        if (sigaction(caught[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(caught[i], &sa, NULL);
    }
}

void cli_hold_signals(void)
{
    atomic_fetch_add(&holds, 1);
    /* a handler that looked before this hold began is ending the program */
    while (atomic_load(&busy) > 0)
        sched_yield();
}

void cli_release_signals(void)
{
    if (atomic_fetch_sub(&holds, 1) != 1)
        return;
    int sig = atomic_exchange(&pending, 0);
    if (sig) {
        remove_all();
        die(sig);
    }
}

void cli_hold_signals_removing(void)
{
    atomic_fetch_add(&removing, 1);
    cli_hold_signals();
}

void cli_release_signals_removing(void)
{
    atomic_fetch_sub(&removing, 1);
    cli_release_signals();
}

int cli_temp_add(const char *path, const char *const *names, size_t n_names)
{
    char *copy = strdup(path);
    if (!copy)
        return -1;
    for (int i = 0; i < SLOTS; i++)
        if (!slots[i].path) {
            slots[i].names = names;
            slots[i].n_names = n_names;
            slots[i].child = 0;
            slots[i].path = copy;
            return i;
        }
    free(copy);
    return -1;
}

void cli_temp_child(int id, pid_t pid)
{
    if (id >= 0 && id < SLOTS)
        slots[id].child = pid;
}

void cli_temp_forget(int id)
{
    if (id < 0 || id >= SLOTS)
        return;
    char *p = slots[id].path;
    slots[id].path = NULL;
    slots[id].child = 0;
    free(p);
}
