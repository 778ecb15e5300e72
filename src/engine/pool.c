/* A network's threads: a pool of workers that run the slices of one region
 * of a step together with the calling thread.
 *
 * A region is a function and a count of slices fixed by the work's shape,
 * never by the number of threads: every slice writes its own part of the
 * outputs, so which thread runs it changes nothing in the result.  Each of
 * the region's T threads has a home range of the slices, the same for
 * every region of the same count, so the thread that wrote a slice of a
 * matrix is the one that reads it in the next region, from its own cache.
 * Slices are claimed one at a time from each range's counter; a thread
 * whose range is done takes slices from the others', and the caller claims
 * like any worker: a worker that is slow to wake (the machine is busy, the
 * worker sleeps) leaves its slices to the others, and a region never waits
 * for a thread that has not started one.
 *
 * Every word a claim reads carries the region's generation in its top 32
 * bits, so a worker that still holds an older region can never claim a
 * slice of the next one; the function and its context are read only after
 * a claim, when the caller cannot be publishing another region.  Idle
 * workers spin for a short while (the next region of a step follows within
 * microseconds), then sleep on a condition variable until the next region.
 * Workers block every signal: a program's handlers run on its own threads.
 * A child forked from the process has no workers: there the pool runs
 * every region on the calling thread and is freed without a join. */
#define _GNU_SOURCE /* sched_getaffinity */

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* How long an idle worker waits for the next region before it sleeps:
 * longer than the gap between two regions of a step or two steps of
 * xn_fit (bench/RESULTS.md), short enough that a worker left idle soon
 * gives its core back.  Waiting, a thread spins PAUSE_SPINS times (a
 * couple of microseconds), then yields the core between looks, as
 * OpenBLAS's threads do: on a machine busy with other work the thread
 * everyone waits for may be the one waiting for a core. */
#define SPIN_NS 100000
#define PAUSE_SPINS 64
/* Slices a region publishes at once (a range's counter holds 16 bits);
 * a larger region runs as several in turn. */
#define MAX_SLICES 0xffffu

typedef struct {
    xn_pool *pool;
    size_t id; /* 1..threads-1; the caller is 0 */
    pthread_t thread;
} worker;

struct xn_pool {
    size_t threads;
    worker *workers;          /* (threads - 1) */
    _Atomic uint64_t *range;  /* (threads) thread h's home range:
                                 generation << 32 | next << 16 | end */
    _Atomic uint64_t region;  /* generation << 32 | threads << 16 | slices */
    _Atomic uint32_t gen;     /* the region's generation, which wakes workers */
    _Atomic size_t done;      /* slices finished in this region */
    _Atomic int quit;
    _Atomic int sleepers;
    /* the region, written before it is published and read after a claim */
    xn_slice_fn fn;
    void *ctx;
    size_t base;              /* the first slice of a region run in parts */
    unsigned forks;           /* the forks counter when the workers started:
                                 a forked child has none of them */
    pthread_mutex_t lock;
    pthread_cond_t wake;
};

/* Forks the process has made into the child it is (pthread_atfork's
 * child handler, installed once with the first pool): a pool whose count
 * differs belongs to a parent. */
static _Atomic unsigned forks;
static pthread_once_t forks_once = PTHREAD_ONCE_INIT;
static void count_fork(void) { atomic_fetch_add(&forks, 1); }
static void watch_forks(void) { pthread_atfork(NULL, NULL, count_fork); }
static inline bool forked(const xn_pool *p)
{
    return atomic_load_explicit(&forks, memory_order_relaxed) != p->forks;
}

static inline void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* One look's wait in a spin: the spins-th. */
static inline void wait_a_little(long spins)
{
    if (spins < PAUSE_SPINS)
        relax();
    else
        sched_yield();
}

/* Claims and runs slices of region `gen`, from thread `home`'s range first,
 * then from the others', until none is left or the region is no longer
 * current. */
static void claim_slices(xn_pool *p, uint32_t gen, size_t home)
{
    uint64_t r = atomic_load_explicit(&p->region, memory_order_acquire);
    size_t threads = (size_t)(r >> 16 & 0xffff);
    if ((uint32_t)(r >> 32) != gen || home >= threads)
        return;
    for (size_t k = 0; k < threads; k++) {
        _Atomic uint64_t *c = &p->range[(home + k) % threads];
        uint64_t v = atomic_load_explicit(c, memory_order_acquire);
        while ((uint32_t)(v >> 32) == gen && (v >> 16 & 0xffff) < (v & 0xffff)) {
            if (!atomic_compare_exchange_weak_explicit(c, &v, v + (1u << 16), memory_order_acq_rel,
                                                       memory_order_acquire))
                continue;
            p->fn(p->ctx, p->base + (size_t)(v >> 16 & 0xffff));
            atomic_fetch_add_explicit(&p->done, 1, memory_order_release);
            v = atomic_load_explicit(c, memory_order_acquire);
        }
    }
}

static void *work(void *arg)
{
    worker *w = arg;
    xn_pool *p = w->pool;
    uint32_t seen = 0;
    for (;;) {
        uint32_t g;
        int64_t t0 = now_ns();
        for (long spins = 0; (g = atomic_load_explicit(&p->gen, memory_order_acquire)) == seen; spins++) {
            if (atomic_load_explicit(&p->quit, memory_order_acquire))
                return NULL;
            if (spins < PAUSE_SPINS || now_ns() - t0 < SPIN_NS) {
                wait_a_little(spins);
                continue;
            }
            pthread_mutex_lock(&p->lock);
            atomic_fetch_add(&p->sleepers, 1);
            while (atomic_load(&p->gen) == seen && !atomic_load(&p->quit))
                pthread_cond_wait(&p->wake, &p->lock);
            atomic_fetch_sub(&p->sleepers, 1);
            pthread_mutex_unlock(&p->lock);
            t0 = now_ns();
        }
        seen = g;
        claim_slices(p, g, w->id);
    }
}

void xn_pool_destroy(xn_pool *p)
{
    if (!p)
        return;
    if (forked(p)) { /* a forked child's copy: no threads, and a lock
                                 a worker may have held at the fork */
        free(p->workers);
        free((void *)p->range);
        free(p);
        return;
    }
    pthread_mutex_lock(&p->lock);
    atomic_store(&p->quit, 1);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
    for (size_t i = 0; i + 1 < p->threads; i++)
        pthread_join(p->workers[i].thread, NULL);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    free(p->workers);
    free((void *)p->range);
    free(p);
}

xn_status xn_pool_create(xn_pool **out, size_t threads)
{
    *out = NULL;
    if (threads < 2)
        return XN_OK;
    xn_pool *p = calloc(1, sizeof *p);
    worker *ws = calloc(threads - 1, sizeof *ws);
    _Atomic uint64_t *range = calloc(threads, sizeof *range);
    if (!p || !ws || !range || pthread_mutex_init(&p->lock, NULL) != 0) {
        free(p);
        free(ws);
        free((void *)range);
        return XN_ENOMEM;
    }
    if (pthread_cond_init(&p->wake, NULL) != 0) {
        pthread_mutex_destroy(&p->lock);
        free(p);
        free(ws);
        free((void *)range);
        return XN_ENOMEM;
    }
    p->workers = ws;
    p->range = range;
    pthread_once(&forks_once, watch_forks);
    p->forks = atomic_load(&forks);
    p->threads = 1;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old); /* the workers inherit it */
    for (size_t i = 0; i + 1 < threads; i++) {
        ws[i].pool = p;
        ws[i].id = i + 1;
        if (pthread_create(&ws[i].thread, NULL, work, &ws[i]) != 0)
            break;
        p->threads++;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (p->threads < threads) {
        xn_pool_destroy(p);
        return XN_ENOMEM;
    }
    *out = p;
    return XN_OK;
}

size_t xn_pool_threads(const xn_pool *p) { return p ? p->threads : 1; }

/* Slices [base, base + slices), slices <= MAX_SLICES, on `threads`. */
static void run_part(xn_pool *p, size_t threads, size_t base, size_t slices, xn_slice_fn fn, void *ctx)
{
    uint32_t g = atomic_load_explicit(&p->gen, memory_order_relaxed) + 1;
    p->fn = fn;
    p->ctx = ctx;
    p->base = base;
    atomic_store_explicit(&p->done, 0, memory_order_relaxed);
    for (size_t h = 0; h < threads; h++) /* thread h's share, in order */
        atomic_store_explicit(&p->range[h], (uint64_t)g << 32 | (uint64_t)(h * slices / threads) << 16 |
                                                (uint64_t)((h + 1) * slices / threads),
                              memory_order_relaxed);
    atomic_store_explicit(&p->region, (uint64_t)g << 32 | (uint64_t)threads << 16 | slices, memory_order_release);
    atomic_store(&p->gen, g);
    if (atomic_load(&p->sleepers) > 0) {
        pthread_mutex_lock(&p->lock);
        pthread_cond_broadcast(&p->wake);
        pthread_mutex_unlock(&p->lock);
    }
    claim_slices(p, g, 0);
    for (long spins = 0; atomic_load_explicit(&p->done, memory_order_acquire) != slices; spins++)
        wait_a_little(spins);
}

void xn_pool_run(xn_pool *p, size_t threads, size_t slices, xn_slice_fn fn, void *ctx)
{
    if (p && threads > p->threads)
        threads = p->threads;
    if (!p || threads < 2 || slices < 2 || forked(p)) {
        for (size_t s = 0; s < slices; s++)
            fn(ctx, s);
        return;
    }
    for (size_t base = 0; base < slices; base += MAX_SLICES)
        run_part(p, threads, base, slices - base < MAX_SLICES ? slices - base : MAX_SLICES, fn, ctx);
}

size_t xn_cpu_count(void)
{
#ifdef __linux__
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return (size_t)CPU_COUNT(&set);
#endif
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (size_t)n : 1;
}
