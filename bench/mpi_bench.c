/* mpi_bench: data-parallel training's cost on one machine.  Every rank
 * trains the 784-256-10 network of fit_bench on the same Fashion-MNIST-
 * shaped data with xn_fit and xn_mpi's reduce; rank 0 prints, per batch
 * size and type, the seconds an epoch takes (the slowest rank's), the part
 * spent in xn_mpi_reduce and how many bytes one gradient reduce moves.
 * Run it under mpirun with 1 and 2 ranks and compare with one process on
 * 2 threads (bench/mpi_bench.sh does all three); --threads T is each
 * rank's network's threads, with OpenBLAS on one:
 *
 *   mpirun -np P mpi_bench [--quick] [--threads T] [--epochs E]
 *
 * The figures are the machine's as it is; nothing is asserted. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime in bench_util.h */

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "fit_setup.h"
#include "xn_config.h"
#include "xornet/mpi.h"
#include "xornet/xornet.h"

#if XN_HAVE_OPENBLAS_THREADS
void openblas_set_num_threads(int num_threads);
#define SET_THREADS(t) openblas_set_num_threads(t)
#else
#define SET_THREADS(t) ((void)(t))
#endif

typedef struct {
    double epoch, reduce; /* seconds per epoch: all of it, in the reduce */
    size_t calls;         /* reduces per epoch */
} timing;

/* E epochs of xn_fit over m; the slowest rank's times, per epoch. */
static timing run(xn_mpi *m, const fit_shape *sh, xn_dtype t, size_t batch, int epochs, size_t rows,
                  int threads)
{
    fit_data s;
    xn_net *net = fit_data_make(&s, rows, sh->sizes[0], sh->sizes[sh->L]) ? fit_net_make(sh, t) : NULL;
    if (xn_mpi_any_failed(m, net && xn_net_set_threads(net, (size_t)threads) == XN_OK)) {
        if (m->rank == 0)
            fprintf(stderr, "mpi_bench: out of memory\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    xn_fit_config cfg = {.epochs = (size_t)epochs, .batch = batch, .shuffle = true, .rng = &s.rng};
    xn_mpi_attach(m, &cfg);
    m->seconds = 0.0;
    m->calls = 0;
    MPI_Barrier(m->comm);
    double t0 = MPI_Wtime();
    xn_status st = xn_fit(net, &s.d, &cfg, NULL);
    double mine[2] = {MPI_Wtime() - t0, m->seconds}, worst[2];
    if (xn_mpi_any_failed(m, st == XN_OK)) {
        fprintf(stderr, "mpi_bench: rank %d: %s\n", m->rank, xn_net_error(net));
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    MPI_Allreduce(mine, worst, 2, MPI_DOUBLE, MPI_MAX, m->comm);
    timing r = {worst[0] / epochs, worst[1] / epochs, m->calls / (size_t)epochs};
    xn_net_destroy(net);
    xn_data_free(&s.d);
    return r;
}

/* The reduce by itself, every rank ready: the median of 21 reduces of a
 * gradient of n doubles, and the bytes a rank sends and receives in it
 * (2 (P-1)/P of the vector), the link speed of the cost model in
 * docs/distributed.md. */
static void reduce_alone(xn_mpi *m, size_t n)
{
    enum { TIMES = 21 };
    double *v = calloc(n, sizeof *v), t[TIMES];
    if (xn_mpi_any_failed(m, v != NULL))
        MPI_Abort(MPI_COMM_WORLD, 1);
    for (int i = 0; i < TIMES; i++) {
        MPI_Barrier(m->comm);
        double t0 = MPI_Wtime();
        xn_mpi_reduce(v, n, XN_FLOAT64, m);
        double mine = MPI_Wtime() - t0;
        MPI_Allreduce(&mine, &t[i], 1, MPI_DOUBLE, MPI_MAX, m->comm);
    }
    qsort(t, TIMES, sizeof *t, bench_cmp);
    double moved = 2.0 * (m->size - 1) / m->size * (double)n * sizeof(double);
    if (m->rank == 0)
        printf("reduce alone: %.2f MB float64 in %.3f ms (median of %d), %.2f MB a rank each way, %.2f GB/s\n",
               1e-6 * (double)n * sizeof(double), 1e3 * t[TIMES / 2], TIMES, 1e-6 * moved,
               1e-9 * moved / t[TIMES / 2]);
    free(v);
}

int main(int argc, char **argv)
{
    bool quick = false;
    int threads = 1, epochs = 2;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick"))
            quick = true;
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--epochs") && i + 1 < argc)
            epochs = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: mpirun -np P mpi_bench [--quick] [--threads T] [--epochs E]\n");
            return 2;
        }
    }
    if (threads < 1 || epochs < 1) {
        fprintf(stderr, "mpi_bench: --threads and --epochs take a whole number of at least 1\n");
        return 2;
    }
    MPI_Init(&argc, &argv);
    xn_mpi m;
    if (xn_mpi_init(&m, MPI_COMM_WORLD) != XN_OK) {
        fprintf(stderr, "mpi_bench: MPI failed\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    SET_THREADS(1); /* a network's threads replace OpenBLAS's (xornet.h) */
    static const fit_shape net = {2, {784, 256, 10}};
    static const size_t batches[] = {128, 512};
    size_t rows = quick ? 6000 : 60000;
    size_t nparams = 784 * 256 + 256 + 256 * 10 + 10;
    if (m.rank == 0)
        printf("%d rank%s x %d thread%s, 784-256-10, %zu rows, Adam, %d epoch%s\n", m.size,
               m.size == 1 ? "" : "s", threads, threads == 1 ? "" : "s", rows, epochs, epochs == 1 ? "" : "s");
    for (size_t bi = 0; bi < (quick ? 1u : 2u); bi++)
        for (int f32 = 0; f32 <= 1; f32++) {
            xn_dtype t = f32 ? XN_FLOAT32 : XN_FLOAT64;
            timing r = run(&m, &net, t, batches[bi], epochs, rows, threads);
            if (m.rank == 0)
                printf("ranks %d threads %d batch %zu %s: epoch %.3f s, in reduces %.3f s (%.0f%%), "
                       "%zu reduces an epoch, a gradient %.2f MB\n",
                       m.size, threads, batches[bi], f32 ? "float32" : "float64", r.epoch, r.reduce,
                       100.0 * r.reduce / r.epoch, r.calls,
                       1e-6 * (double)nparams * (f32 ? sizeof(float) : sizeof(double)));
        }
    if (m.size > 1)
        reduce_alone(&m, nparams);
    xn_mpi_free(&m);
    MPI_Finalize();
    return 0;
}
