/* Timing shared by the bench programs: a monotonic clock and one rule for
 * every measurement (warm-up, then repeated samples, median and spread), so
 * xornet, the bare BLAS products and FANN are timed alike; and the facts
 * about the machine each program prints with its numbers. */
#ifndef XORNET_BENCH_UTIL_H
#define XORNET_BENCH_UTIL_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Seconds per call: median and the min-max spread over the samples. */
typedef struct {
    double med, min, max;
    int samples;  /* 0: not measured */
} bench_timing;

/* How long to measure: each sample runs enough calls to last `sample`
 * seconds; up to `max_samples` samples within `budget` seconds, at least 3
 * unless one call alone outlasts the budget (bench_measure) or, in
 * bench_measure_rr, at least `min_samples` while a call takes under 4 s. */
typedef struct {
    double budget, sample;
    int max_samples, min_samples;
} bench_plan;

static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline int bench_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Times fn(ctx).  The first call and a warm-up of about one sample's worth
 * of calls are not counted. */
static inline bench_timing bench_measure(void (*fn)(void *), void *ctx,
                                         const bench_plan *plan)
{
    bench_timing t = {0.0, 0.0, 0.0, 0};
    double s[64], t0 = bench_now();
    fn(ctx);
    double once = bench_now() - t0;
    if (once < 1e-9)
        once = 1e-9;
    long reps = (long)(plan->sample / once);
    if (reps < 1)
        reps = 1;
    if (once < plan->budget) { /* warm-up: caches, page faults, BLAS threads */
        t0 = bench_now();
        for (long r = 0; r < reps; r++)
            fn(ctx);
        /* a better estimate of one call than the cold first one */
        once = (bench_now() - t0) / (double)reps;
        if (once < 1e-9)
            once = 1e-9;
        reps = (long)(plan->sample / once);
        if (reps < 1)
            reps = 1;
    }
    int count = (int)(plan->budget / (once * (double)reps));
    if (count > plan->max_samples)
        count = plan->max_samples;
    if (count > 64)
        count = 64;
    if (count < 3)
        count = once * 3.0 <= 2.0 * plan->budget ? 3 : 1;
    for (int c = 0; c < count; c++) {
        t0 = bench_now();
        for (long r = 0; r < reps; r++)
            fn(ctx);
        s[c] = (bench_now() - t0) / (double)reps;
    }
    qsort(s, (size_t)count, sizeof s[0], bench_cmp);
    t.med = count % 2 ? s[count / 2] : 0.5 * (s[count / 2 - 1] + s[count / 2]);
    t.min = s[0];
    t.max = s[count - 1];
    t.samples = count;
    return t;
}

/* Times fns[v](ctxs[v]) for v < nv like bench_measure, but takes the
 * samples round-robin (v = 0, 1, ..., nv-1, 0, 1, ...), so load from
 * elsewhere on a shared machine falls on every variant alike and their
 * ratios stay meaningful.  Each variant gets its own calls per sample and
 * its own number of samples; a variant with fewer drops out of the later
 * rounds. */
static inline void bench_measure_rr(void (*const fns[])(void *), void *const ctxs[],
                                    int nv, const bench_plan *plan, bench_timing out[])
{
    double s[8][64], once[8];
    long reps[8];
    int count[8], rounds = 0;
    if (nv > 8)
        nv = 8;
    for (int v = 0; v < nv; v++) {
        double t0 = bench_now();
        fns[v](ctxs[v]);
        once[v] = bench_now() - t0;
        if (once[v] < 1e-9)
            once[v] = 1e-9;
        reps[v] = (long)(plan->sample / once[v]);
        if (reps[v] < 1)
            reps[v] = 1;
        if (once[v] < plan->budget) { /* warm-up, and a better estimate */
            t0 = bench_now();
            for (long r = 0; r < reps[v]; r++)
                fns[v](ctxs[v]);
            once[v] = (bench_now() - t0) / (double)reps[v];
            if (once[v] < 1e-9)
                once[v] = 1e-9;
            reps[v] = (long)(plan->sample / once[v]);
            if (reps[v] < 1)
                reps[v] = 1;
        }
        /* min_samples even past the budget, up to 4 s a call: a median of
         * one sample is no median */
        int c = (int)(plan->budget / (once[v] * (double)reps[v]));
        if (c < plan->min_samples)
            c = once[v] <= 4.0 ? plan->min_samples : 1;
        if (c > plan->max_samples)
            c = plan->max_samples;
        if (c > 64)
            c = 64;
        count[v] = c < 1 ? 1 : c;
        if (count[v] > rounds)
            rounds = count[v];
    }
    for (int c = 0; c < rounds; c++)
        for (int v = 0; v < nv; v++) {
            if (c >= count[v])
                continue;
            double t0 = bench_now();
            for (long r = 0; r < reps[v]; r++)
                fns[v](ctxs[v]);
            s[v][c] = (bench_now() - t0) / (double)reps[v];
        }
    for (int v = 0; v < nv; v++) {
        int n = count[v];
        qsort(s[v], (size_t)n, sizeof s[v][0], bench_cmp);
        out[v].med = n % 2 ? s[v][n / 2] : 0.5 * (s[v][n / 2 - 1] + s[v][n / 2]);
        out[v].min = s[v][0];
        out[v].max = s[v][n - 1];
        out[v].samples = n;
    }
}

/* The machine a run is on: its CPU model and logical CPUs
 * (/proc/cpuinfo), the load average at the start (/proc/loadavg; "?"
 * where unknown) and the date, UTC. */
typedef struct {
    char model[256], load[64], date[64];
    long cpus;
} bench_machine;

static inline void bench_machine_read(bench_machine *m)
{
    char line[512];
    snprintf(m->model, sizeof m->model, "unknown CPU");
    snprintf(m->load, sizeof m->load, "?");
    m->cpus = 0;
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        while (fgets(line, sizeof line, f)) {
            char *c = strchr(line, ':');
            if (strncmp(line, "model name", 10) || !c)
                continue;
            if (!m->cpus++) {
                snprintf(m->model, sizeof m->model, "%s", c + 2);
                m->model[strcspn(m->model, "\n")] = '\0';
            }
        }
        fclose(f);
    }
    f = fopen("/proc/loadavg", "r");
    if (f) {
        double l1, l5, l15;
        if (fscanf(f, "%lf %lf %lf", &l1, &l5, &l15) == 3)
            snprintf(m->load, sizeof m->load, "%.2f %.2f %.2f", l1, l5, l15);
        fclose(f);
    }
    time_t now = time(NULL);
    strftime(m->date, sizeof m->date, "%Y-%m-%d %H:%M UTC", gmtime(&now));
}

#endif
