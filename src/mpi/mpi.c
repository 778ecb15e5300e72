/* Data-parallel training over MPI (include/xornet/mpi.h): the reduce hook
 * xn_fit calls once a batch for the gradient and once for its loss and
 * metric sums, and the checks that keep the ranks together.
 *
 * Why not MPI_Allreduce: MPI leaves the order of a reduction's additions
 * to the library, and its algorithms (recursive doubling, rings that start
 * at different ranks) may add in different orders on different ranks and
 * for different sizes, so the sums may differ in their last bits from rank
 * to rank and from run to run.  Here every element is added in rank order,
 * v_0 + v_1 + ... + v_P-1, by one rank, and that one result is sent to
 * all: the same bits everywhere, every time.  It is done as a reduce-
 * scatter and an allgather, the two halves of a bandwidth-optimal
 * all-reduce: the vector is cut into P chunks, rank r receives chunk r of
 * every rank (MPI_Alltoallv), adds them in rank order, and the summed
 * chunks are gathered by all (MPI_Allgatherv).  Each rank sends and
 * receives 2(P-1)/P of the vector, as in a ring all-reduce;
 * docs/distributed.md has the cost model and the measurements. */
#include "xornet/mpi.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

xn_status xn_mpi_init(xn_mpi *m, MPI_Comm comm)
{
    if (!m)
        return XN_EINVAL;
    memset(m, 0, sizeof *m);
    m->comm = MPI_COMM_NULL;
    xn_status st = XN_EIO;
    if (MPI_Comm_dup(comm, &m->comm) == MPI_SUCCESS && MPI_Comm_rank(m->comm, &m->rank) == MPI_SUCCESS &&
        MPI_Comm_size(m->comm, &m->size) == MPI_SUCCESS) {
        /* the chunks' counts and offsets, and those of this rank's receipts */
        m->counts = malloc(4 * (size_t)m->size * sizeof *m->counts);
        st = m->counts ? XN_OK : XN_ENOMEM;
    }
    if (st != XN_OK)
        xn_mpi_free(m);
    return st;
}

void xn_mpi_free(xn_mpi *m)
{
    if (!m)
        return;
    free(m->buf);
    free(m->counts);
    if (m->comm != MPI_COMM_NULL)
        MPI_Comm_free(&m->comm);
    m->buf = NULL;
    m->counts = NULL;
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

/* Whether every rank asks to sum n values of the type, and has the buffer
 * for it: compared once a length (one small collective, the same on every
 * rank), so a rank whose vector is longer never writes past another's
 * buffer.  The outcome is the same on every rank. */
static bool agreed(xn_mpi *m, size_t n, xn_dtype type, size_t need)
{
    size_t key = 2 * n + (type == XN_FLOAT32);
    for (size_t i = 0; i < m->n_agreed; i++)
        if (m->agreed[i] == key)
            return true;
    bool ok = n <= INT32_MAX; /* MPI counts are int */
    if (ok && m->cap < need) {
        void *b = realloc(m->buf, need);
        ok = b != NULL;
        if (b) {
            m->buf = b;
            m->cap = need;
        }
    }
    /* the largest and smallest key, and whether any rank failed, in one call */
    long long mine[3] = {(long long)key, -(long long)key, !ok}, all[3];
    if (MPI_Allreduce(mine, all, 3, MPI_LONG_LONG, MPI_MAX, m->comm) != MPI_SUCCESS || all[2] ||
        all[0] != -all[1])
        return false;
    if (m->n_agreed < sizeof m->agreed / sizeof m->agreed[0])
        m->agreed[m->n_agreed++] = key;
    return true;
}

int xn_mpi_reduce(void *v, size_t n, xn_dtype type, void *ctx)
{
    xn_mpi *m = ctx;
    if (!m)
        return -1;
    double t0 = MPI_Wtime();
    size_t es = type == XN_FLOAT32 ? sizeof(float) : sizeof(double), P = (size_t)m->size;
    MPI_Datatype dt = type == XN_FLOAT32 ? MPI_FLOAT : MPI_DOUBLE;
    /* chunk q is [off[q], off[q] + len[q]); this rank receives its own
     * chunk from every rank q at buf + q * mine */
    size_t mine = n > INT32_MAX ? 0 : n * ((size_t)m->rank + 1) / P - n * (size_t)m->rank / P;
    if (!agreed(m, n, type, P * mine * es)) /* the same answer on every rank */
        return -1;
    int *len = m->counts, *off = len + P, *rlen = off + P, *roff = rlen + P;
    for (size_t q = 0; q < P; q++) {
        off[q] = (int)(n * q / P);
        len[q] = (int)(n * (q + 1) / P) - off[q];
    }
    for (size_t q = 0; q < P; q++) {
        rlen[q] = (int)mine;
        roff[q] = (int)(q * mine);
    }
    if (MPI_Alltoallv(v, len, off, dt, m->buf, rlen, roff, dt, m->comm) != MPI_SUCCESS)
        return -1;
    char *own = (char *)v + (size_t)off[m->rank] * es;
    memcpy(own, m->buf, mine * es); /* v_0, then v_1 ... added in order */
    for (size_t q = 1; q < P; q++)
        add(own, (char *)m->buf + q * mine * es, mine, type);
    if (MPI_Allgatherv(MPI_IN_PLACE, 0, dt, v, len, off, dt, m->comm) != MPI_SUCCESS)
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
