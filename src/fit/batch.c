/* Mini-batches: the permutation of an epoch, drawn exactly as the reference
 * streams shuffle, and the gather of a batch's rows into staging buffers
 * (standardized on the way, so the rows are read once).
 *
 * NumPy's legacy RandomState.permutation(n) shuffles arange(n) in place
 * with Fisher-Yates from the top: for i = n-1 down to 1, swap i with
 * j = random_interval(i), which draws 32-bit words (64-bit ones past
 * 2^32 - 1, high word first) masked to the smallest 2^k - 1 >= i until one
 * is <= i (numpy/random/mtrand.pyx, _shuffle_raw; distributions.c,
 * random_interval).  Python's random.shuffle(x) swaps i with
 * j = _randbelow(i + 1) = getrandbits(k) for k = (i + 1).bit_length(),
 * redrawn while >= i + 1; getrandbits(k <= 32) is the top k bits of one
 * word, a wider one its words from the least significant up
 * (Lib/random.py; Modules/_randommodule.c). */
#include "src/engine/internal.h"

/* The smallest 2^k - 1 >= v. */
static uint64_t mask_of(uint64_t v)
{
    for (int s = 1; s < 64; s *= 2)
        v |= v >> s;
    return v;
}

static uint64_t numpy_interval(xn_rng *rng, uint64_t max)
{
    uint64_t mask = mask_of(max), v;
    if (max <= 0xffffffffu) {
        do
            v = xn_rng_u32(rng) & mask;
        while (v > max);
    } else {
        do {
            uint64_t hi = xn_rng_u32(rng);
            v = ((hi << 32) | xn_rng_u32(rng)) & mask;
        } while (v > max);
    }
    return v;
}

/* getrandbits(k), 1 <= k <= 64 */
static uint64_t python_bits(xn_rng *rng, int k)
{
    if (k <= 32)
        return xn_rng_u32(rng) >> (32 - k);
    uint64_t lo = xn_rng_u32(rng);
    return lo | (uint64_t)(xn_rng_u32(rng) >> (64 - k)) << 32;
}

static uint64_t python_below(xn_rng *rng, uint64_t n)
{
    int k = 0;
    for (uint64_t t = n; t; t >>= 1)
        k++;
    uint64_t r;
    do
        r = python_bits(rng, k);
    while (r >= n);
    return r;
}

xn_status xn_rng_permutation(xn_rng *rng, size_t n, size_t *perm)
{
    if (!rng || (!perm && n) || (rng->kind != XN_RNG_PYTHON && rng->kind != XN_RNG_NUMPY))
        return XN_EINVAL;
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    return xn_rng_shuffle(rng, n, perm);
}

/* The swaps of the permutation applied to perm as it is: position i
 * then holds what position p[i] held. */
xn_status xn_rng_shuffle(xn_rng *rng, size_t n, size_t *perm)
{
    if (!rng || (!perm && n) || (rng->kind != XN_RNG_PYTHON && rng->kind != XN_RNG_NUMPY))
        return XN_EINVAL;
    for (size_t i = n; i-- > 1;) {
        size_t j = (size_t)(rng->kind == XN_RNG_NUMPY ? numpy_interval(rng, i) : python_below(rng, i + 1));
        size_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    return XN_OK;
}
