/* Data-parallel training over MPI (include/xornet/mpi.h): the reduce hook
 * xn_fit calls once a batch for the gradient and once for its loss and
 * metric sums, and the checks that keep the ranks together.
 *
 * Why gather, add in rank order and broadcast, and not MPI_Allreduce:
 * MPI leaves the order of a reduction's additions to the library, and its
 * algorithms (recursive doubling, say) may add in different orders on
 * different ranks, so floating-point sums may differ in their last bits
 * from rank to rank and from run to run.  Adding at one rank in a fixed
 * order and sending that one result to all gives the same bits everywhere
 * and every time.  It moves (P-1) vectors in and out of rank 0 where a
 * ring all-reduce moves 2(P-1)/P of one through each link: fine for a
 * few ranks; docs/distributed.md has the numbers. */
#include "xornet/mpi.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

xn_status xn_mpi_init(xn_mpi *m, MPI_Comm comm)
{
    if (!m)
        return XN_EINVAL;
    memset(m, 0, sizeof *m);
    if (MPI_Comm_dup(comm, &m->comm) != MPI_SUCCESS || MPI_Comm_rank(m->comm, &m->rank) != MPI_SUCCESS ||
        MPI_Comm_size(m->comm, &m->size) != MPI_SUCCESS)
        return XN_EIO;
    return XN_OK;
}

void xn_mpi_free(xn_mpi *m)
{
    if (!m)
        return;
    free(m->buf);
    if (m->comm != MPI_COMM_NULL)
        MPI_Comm_free(&m->comm);
    m->buf = NULL;
}

void xn_mpi_attach(xn_mpi *m, xn_fit_config *cfg)
{
    cfg->reduce = xn_mpi_reduce;
    cfg->reduce_ctx = m;
    cfg->rank = (size_t)m->rank;
    cfg->ranks = (size_t)m->size;
}

/* v += w, n values of the type. */
static void add(void *v, const void *w, size_t n, xn_dtype type)
{
    if (type == XN_FLOAT32) {
        float *a = v;
        const float *b = w;
        for (size_t i = 0; i < n; i++)
            a[i] += b[i];
    } else {
        double *a = v;
        const double *b = w;
        for (size_t i = 0; i < n; i++)
            a[i] += b[i];
    }
}

int xn_mpi_reduce(void *v, size_t n, xn_dtype type, void *ctx)
{
    xn_mpi *m = ctx;
    double t0 = MPI_Wtime();
    size_t es = type == XN_FLOAT32 ? sizeof(float) : sizeof(double);
    MPI_Datatype dt = type == XN_FLOAT32 ? MPI_FLOAT : MPI_DOUBLE;
    if (n > INT32_MAX) /* MPI counts are int */
        return -1;
    /* every rank must call the same collectives, whatever happens here:
     * rank 0's buffer grows before the gather, and a rank that cannot have
     * it ends the job rather than leave the others waiting */
    if (m->rank == 0 && m->cap < n * (size_t)m->size * es) {
        void *b = realloc(m->buf, n * (size_t)m->size * es);
        if (!b)
            MPI_Abort(m->comm, 1);
        m->buf = b;
        m->cap = n * (size_t)m->size * es;
    }
    if (MPI_Gather(v, (int)n, dt, m->buf, (int)n, dt, 0, m->comm) != MPI_SUCCESS)
        return -1;
    if (m->rank == 0) {
        memcpy(v, m->buf, n * es); /* v_0, then v_1 ... added in order */
        for (int r = 1; r < m->size; r++)
            add(v, (char *)m->buf + (size_t)r * n * es, n, type);
    }
    if (MPI_Bcast(v, (int)n, dt, 0, m->comm) != MPI_SUCCESS)
        return -1;
    m->seconds += MPI_Wtime() - t0;
    m->calls++;
    return 0;
}

/* FNV-1a over the parameters' bytes (as doubles: a float's are exact);
 * 0 when memory runs out, which every rank then reports as a mismatch. */
static uint64_t hash_params(const xn_net *net, bool *ok)
{
    size_t P = xn_net_param_count(net);
    uint64_t h = 1469598103934665603u;
    double *all = malloc(P * sizeof *all);
    *ok = all != NULL;
    if (!all)
        return 0;
    xn_net_get_params(net, all);
    const unsigned char *b = (const unsigned char *)all;
    for (size_t j = 0; j < P * sizeof *all; j++)
        h = (h ^ b[j]) * 1099511628211u;
    free(all);
    return h;
}

xn_status xn_mpi_same_params(xn_mpi *m, const xn_net *net, bool *same)
{
    if (!m || !net || !same)
        return XN_EINVAL;
    bool ok;
    unsigned long long h = hash_params(net, &ok), lo, hi;
    if (MPI_Allreduce(&h, &lo, 1, MPI_UNSIGNED_LONG_LONG, MPI_MIN, m->comm) != MPI_SUCCESS ||
        MPI_Allreduce(&h, &hi, 1, MPI_UNSIGNED_LONG_LONG, MPI_MAX, m->comm) != MPI_SUCCESS)
        return XN_EIO;
    *same = lo == hi && !xn_mpi_any_failed(m, ok);
    return XN_OK;
}

bool xn_mpi_any_failed(xn_mpi *m, bool ok)
{
    int mine = !ok, any = 1;
    if (MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_MAX, m->comm) != MPI_SUCCESS)
        return true;
    return any != 0;
}
