/* Private declarations shared by the library's source files: the network
 * structure, the two kernel families and checked size arithmetic. */
#ifndef XORNET_INTERNAL_H
#define XORNET_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xornet/xornet.h"

/* a * b into *out; false (and *out untouched) on size_t overflow. */
static inline bool xn_mul_ok(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a)
        return false;
    *out = a * b;
    return true;
}

static inline bool xn_add_ok(size_t a, size_t b, size_t *out)
{
    if (b > SIZE_MAX - a)
        return false;
    *out = a + b;
    return true;
}

/* ---- names (names.c) ---------------------------------------------------
 * An enum's name from its table of `count` names ("?" out of range), and
 * the value of a name (XN_EINVAL for NULL or an unknown name; *out is then
 * untouched). */
const char *xn_name_of(const char *const *names, size_t count, int v);
xn_status xn_name_parse(const char *const *names, size_t count, const char *name, int *out);

/* ---- kernels (kernels.c) ------------------------------------------------
 * The matrix products of a dense layer, row-major, in two families with the
 * same signatures: naive (plain loops, the specification) and blas.  Every
 * product overwrites its output, except dwacc, which accumulates. */
typedef struct {
    /* y(n,out) = x(n,in) * w(in,out) */
    void (*fwd)(size_t n, size_t in, size_t out, const double *x,
                const double *w, double *y);
    /* dw(in,out) = x(n,in)^T * dy(n,out) */
    void (*dw)(size_t n, size_t in, size_t out, const double *x,
               const double *dy, double *dw);
    /* dw(in,out) += x(n,in)^T * dy(n,out): accumulates, for a batch taken
     * in blocks of rows (net.c) */
    void (*dwacc)(size_t n, size_t in, size_t out, const double *x,
                  const double *dy, double *dw);
    /* dx(n,in) = dy(n,out) * w(in,out)^T */
    void (*dx)(size_t n, size_t in, size_t out, const double *dy,
               const double *w, double *dx);
} xn_kernels;

extern const xn_kernels xn_kernels_naive;
extern const xn_kernels xn_kernels_blas;

/* The auto rule: a product of fewer than this many multiply-adds
 * (n*in*out) runs as plain loops, any larger one through BLAS.  Measured by
 * bench/xor_bench (its "auto threshold" table, bench/RESULTS.md): with
 * OpenBLAS 0.3.21 on AVX-512 the loops win up to about 128 multiply-adds
 * (XOR's 4x2x10 layer: 0.2 vs 0.3-0.4 us for its three products), tie near
 * 192, and lose 2-7x from 256 on, where OpenBLAS's small-matrix kernels
 * take over.  Width-1 layers do not consult it: blas and auto both run
 * them through the fused passes of net.c. */
#define XN_AUTO_NAIVE_BELOW 192

/* The family `k` uses for one product of that size. */
const xn_kernels *xn_kernels_pick(xn_kernel k, size_t n, size_t in, size_t out);

#endif
