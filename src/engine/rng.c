/* MT19937 and the two reference streams built on it: Python's `random`
 * module and NumPy's legacy RandomState.  The generator is Matsumoto and
 * Nishimura's (ACM TOMACS 8(1), 1998); the seeding and the derived draws
 * follow CPython's Modules/_randommodule.c and Lib/random.py, and NumPy's
 * legacy distributions (random/src/legacy/legacy-distributions.c). */
#include <math.h>
#include <string.h>

#include "internal.h"

#define MT_N 624
#define MT_M 397

static void init_genrand(xn_rng *r, uint32_t s)
{
    r->mt[0] = s;
    for (int i = 1; i < MT_N; i++)
        r->mt[i] = 1812433253u * (r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) + (uint32_t)i;
    r->mti = MT_N;
}

static void init_by_array(xn_rng *r, const uint32_t *key, int len)
{
    init_genrand(r, 19650218u);
    int i = 1, j = 0;
    for (int k = MT_N > len ? MT_N : len; k; k--) {
        r->mt[i] = (r->mt[i] ^ ((r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) * 1664525u)) + key[j] + (uint32_t)j;
        i++;
        j++;
        if (i >= MT_N) {
            r->mt[0] = r->mt[MT_N - 1];
            i = 1;
        }
        if (j >= len)
            j = 0;
    }
    for (int k = MT_N - 1; k; k--) {
        r->mt[i] = (r->mt[i] ^ ((r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) * 1566083941u)) - (uint32_t)i;
        i++;
        if (i >= MT_N) {
            r->mt[0] = r->mt[MT_N - 1];
            i = 1;
        }
    }
    r->mt[0] = 0x80000000u; /* non-zero initial state is assured */
}

xn_status xn_rng_seed(xn_rng *rng, xn_rng_kind kind, uint64_t seed)
{
    if (!rng || (kind != XN_RNG_PYTHON && kind != XN_RNG_NUMPY))
        return XN_EINVAL;
    if (kind == XN_RNG_NUMPY) {
        if (seed > UINT32_MAX) /* NumPy: "Seed must be between 0 and 2**32 - 1" */
            return XN_EINVAL;
        init_genrand(rng, (uint32_t)seed);
    } else {
        /* random.seed(n) keys init_by_array with |n| in 32-bit words, least
         * significant first; n == 0 still gives one word. */
        uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
        init_by_array(rng, key, key[1] ? 2 : 1);
    }
    rng->kind = kind;
    rng->has_gauss = 0;
    rng->gauss = 0.0;
    return XN_OK;
}

xn_status xn_rng_set_state(xn_rng *rng, xn_rng_kind kind, const uint32_t key[624], int pos,
                           int has_gauss, double gauss)
{
    if (!rng || !key || (kind != XN_RNG_PYTHON && kind != XN_RNG_NUMPY) || pos < 0 || pos > MT_N ||
        (has_gauss != 0 && has_gauss != 1))
        return XN_EINVAL;
    uint32_t any = 0;
    for (int i = 0; i < MT_N; i++)
        any |= key[i];
    if (!any) /* MT19937 never leaves the all-zero state */
        return XN_EINVAL;
    memcpy(rng->mt, key, sizeof rng->mt);
    rng->mti = pos;
    rng->kind = kind;
    rng->has_gauss = has_gauss;
    rng->gauss = has_gauss ? gauss : 0.0;
    return XN_OK;
}

xn_status xn_rng_get_state(const xn_rng *rng, uint32_t key[624], int *pos, int *has_gauss,
                           double *gauss)
{
    if (!rng || !key || !pos || !has_gauss || !gauss)
        return XN_EINVAL;
    memcpy(key, rng->mt, sizeof rng->mt);
    *pos = rng->mti;
    *has_gauss = rng->has_gauss;
    *gauss = rng->gauss;
    return XN_OK;
}

uint32_t xn_rng_u32(xn_rng *r)
{
    static const uint32_t mag01[2] = {0u, 0x9908b0dfu};
    uint32_t y;
    if (!r)
        return 0;
    if (r->mti >= MT_N) {
        int k;
        for (k = 0; k < MT_N - MT_M; k++) {
            y = (r->mt[k] & 0x80000000u) | (r->mt[k + 1] & 0x7fffffffu);
            r->mt[k] = r->mt[k + MT_M] ^ (y >> 1) ^ mag01[y & 1u];
        }
        for (; k < MT_N - 1; k++) {
            y = (r->mt[k] & 0x80000000u) | (r->mt[k + 1] & 0x7fffffffu);
            r->mt[k] = r->mt[k + (MT_M - MT_N)] ^ (y >> 1) ^ mag01[y & 1u];
        }
        y = (r->mt[MT_N - 1] & 0x80000000u) | (r->mt[0] & 0x7fffffffu);
        r->mt[MT_N - 1] = r->mt[MT_M - 1] ^ (y >> 1) ^ mag01[y & 1u];
        r->mti = 0;
    }
    y = r->mt[r->mti++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

double xn_rng_uniform(xn_rng *r)
{
    if (!r)
        return NAN;
    /* genrand_res53: 27 + 26 bits, exactly as random() and random_sample() */
    uint32_t a = xn_rng_u32(r) >> 5, b = xn_rng_u32(r) >> 6;
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
}

double xn_rng_normal(xn_rng *r)
{
    if (!r)
        return NAN;
    if (r->has_gauss) {
        r->has_gauss = 0;
        return r->gauss;
    }
    if (r->kind == XN_RNG_PYTHON) {
        /* random.gauss: Box-Muller; the sine half waits for the next call */
        double x2pi = xn_rng_uniform(r) * 6.283185307179586; /* TWOPI = 2*pi */
        double g2rad = sqrt(-2.0 * log(1.0 - xn_rng_uniform(r)));
        r->gauss = sin(x2pi) * g2rad;
        r->has_gauss = 1;
        return cos(x2pi) * g2rad;
    }
    /* NumPy legacy_gauss: Marsaglia's polar method; returns f*x2 first */
    double x1, x2, r2;
    do {
        x1 = 2.0 * xn_rng_uniform(r) - 1.0;
        x2 = 2.0 * xn_rng_uniform(r) - 1.0;
        r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 == 0.0);
    double f = sqrt(-2.0 * log(r2) / r2);
    r->gauss = f * x1;
    r->has_gauss = 1;
    return f * x2;
}
