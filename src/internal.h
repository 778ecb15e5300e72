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

/* ---- kernels (kernels.c) ------------------------------------------------
 * The matrix products of a dense layer, row-major, in two families with the
 * same signatures: naive (plain loops, the specification) and blas.  Every
 * product overwrites its output. */
typedef struct {
    /* y(n,out) = x(n,in) * w(in,out) */
    void (*fwd)(size_t n, size_t in, size_t out, const double *x,
                const double *w, double *y);
    /* dw(in,out) = x(n,in)^T * dy(n,out) */
    void (*dw)(size_t n, size_t in, size_t out, const double *x,
               const double *dy, double *dw);
    /* dx(n,in) = dy(n,out) * w(in,out)^T */
    void (*dx)(size_t n, size_t in, size_t out, const double *dy,
               const double *w, double *dx);
} xn_kernels;

extern const xn_kernels xn_kernels_naive;
extern const xn_kernels xn_kernels_blas;

/* Below this many multiply-adds (n*in*out) a product runs faster as plain
 * loops than through a BLAS call; measured by bench/xor_bench (README). */
#define XN_AUTO_NAIVE_BELOW 4096

/* The family `k` uses for one product of that size. */
const xn_kernels *xn_kernels_pick(xn_kernel k, size_t n, size_t in, size_t out);

#endif
