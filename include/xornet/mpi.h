/* xornet over MPI: data-parallel training.  Every process (rank) holds the
 * whole network and the whole data set, draws the same batches in the
 * same order, and computes the gradient of its contiguous slice of each
 * batch; xn_mpi_reduce sums the slices in rank order, so every rank makes
 * the same update as one process would, to rounding, and the ranks stay
 * equal to the bit.  Built and installed only where MPI is found; link
 * -lxornet_mpi (pkg-config xornet-mpi). */
#ifndef XORNET_MPI_H
#define XORNET_MPI_H

#include <mpi.h>

#include "xornet/xornet.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One process's place in the run.  The fields are private. */
typedef struct {
    MPI_Comm comm;          /* a duplicate of the communicator given */
    int rank, size;
    void *buf;              /* this rank's chunk of every rank */
    size_t cap;             /* its bytes */
    int *counts;            /* the chunks' counts and offsets (4 size) */
    double seconds;         /* time spent in xn_mpi_reduce */
    size_t calls;           /* how many reduces */
    size_t agreed[8];       /* lengths (times 2, plus 1 for float32) every */
    size_t n_agreed;        /* rank has asked to sum */
} xn_mpi;

/* Joins the run on comm (MPI must be initialized).  XN_EIO if MPI fails,
 * XN_ENOMEM, XN_EINVAL for NULL; on failure there is nothing to free.
 * xn_mpi_free leaves the run (before MPI_Finalize). */
XN_API xn_status xn_mpi_init(xn_mpi *m, MPI_Comm comm);
XN_API void xn_mpi_free(xn_mpi *m);

/* Makes cfg a data-parallel run over m: its reduce hook, rank and ranks. */
XN_API void xn_mpi_attach(xn_mpi *m, xn_fit_config *cfg);

/* xn_fit's reduce hook: sums v (n values of the type) over the ranks, in
 * place.  Each element is added in rank order (v_0 + v_1 + ... + v_P-1,
 * the same order every time) by one rank and sent to all, so every rank
 * ends with the same bits; each rank moves 2(P-1)/P of the vector, as a
 * ring all-reduce does.  A length is summed only once every rank has
 * asked for it: the first call with a new length and type compares them
 * across the ranks in one small collective and sets the buffer up for
 * them, and a length or type that differs between the ranks, or a buffer
 * one rank cannot have, is refused on every rank (-1) before any value
 * moves.  0 on success; an MPI failure ends the job (MPI's own error
 * handler). */
XN_API int xn_mpi_reduce(void *v, size_t n, xn_dtype type, void *ctx);

/* Whether the network's parameters are the same, bit for bit, on every
 * rank (a hash of them compared across ranks).  Collective. */
XN_API xn_status xn_mpi_same_params(xn_mpi *m, const xn_net *net, bool *same);

/* Whether any rank's ok is false: every rank learns it, so that a rank
 * that failed alone (bad input, no memory) stops the others instead of
 * leaving them waiting.  Collective. */
XN_API bool xn_mpi_any_failed(xn_mpi *m, bool ok);

#ifdef __cplusplus
}
#endif

#endif
