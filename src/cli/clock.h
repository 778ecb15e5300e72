/* Seconds on the monotonic clock, for durations (the includer defines
 * _POSIX_C_SOURCE 200809L or _GNU_SOURCE before its first include). */
#ifndef XORNET_CLI_CLOCK_H
#define XORNET_CLI_CLOCK_H

#include <time.h>

static inline double cli_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#endif
