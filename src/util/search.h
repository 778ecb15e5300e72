/* Searching sorted arrays, for the readers (a value's class) and the
 * approximation's evaluation (the kinks left of a point). */
#ifndef XORNET_UTIL_SEARCH_H
#define XORNET_UTIL_SEARCH_H

#include <stddef.h>

/* The first index in [lo, hi) whose t exceeds x (hi if none), t sorted
 * ascending: the count of t[0..hi) <= x when lo is 0 or t[lo - 1] <= x. */
static inline size_t xn_upper_bound(const double *t, size_t lo, size_t hi, double x)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t[mid] <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

#endif
