/* xn_mpi_reduce under mpirun with 3 ranks (tests/meson.build): the sum is
 * taken in rank order on every rank, lengths and types the ranks do not
 * share are refused on every rank before any value moves, and xn_fit's
 * agreement names the setting and the ranks that differ.
 *
 * Order: rank r holds 1, 1e16, -1e16 for r = 0, 1, 2.  In rank order
 * (1 + 1e16) - 1e16 = 0, since 1e16 + 1 rounds to 1e16 (the doubles there
 * are 2 apart and the tie goes to the even 1e16); in reverse order
 * (-1e16 + 1e16) + 1 = 1.  Likewise 1, 1e8, -1e8 in float (8 apart). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "xornet/mpi.h"

enum { N = 7 }; /* chunks of 2, 2 and 3 values: every rank sums some */

static void rank_order(xn_mpi *m)
{
    static const double held[3] = {1.0, 1e16, -1e16};
    double v[N];
    float f[N];
    for (size_t i = 0; i < N; i++) {
        v[i] = held[m->rank];
        f[i] = m->rank == 0 ? 1.0f : m->rank == 1 ? 1e8f : -1e8f; /* 1e8 + 1 rounds to 1e8 in float */
    }
    CHECK(xn_mpi_reduce(v, N, XN_FLOAT64, m) == 0);
    CHECK(xn_mpi_reduce(f, N, XN_FLOAT32, m) == 0);
    for (size_t i = 0; i < N; i++) {
        if (v[i] != 0.0 || f[i] != 0.0f)
            fprintf(stderr, "rank %d: element %zu sums to %g (float %g), not 0: not rank order\n", m->rank, i,
                    v[i], (double)f[i]);
        CHECK(v[i] == 0.0 && f[i] == 0.0f);
    }
}

static void refusals(xn_mpi *m)
{
    double v[12];
    for (size_t i = 0; i < 12; i++)
        v[i] = (double)m->rank;
    /* rank 1 asks for 12 values, the others for 10: refused everywhere,
     * nothing written */
    CHECK(xn_mpi_reduce(v, m->rank == 1 ? 12 : 10, XN_FLOAT64, m) == -1);
    for (size_t i = 0; i < 12; i++)
        CHECK(v[i] == (double)m->rank);
    /* one type against another, of the same length */
    CHECK(xn_mpi_reduce(v, 4, m->rank == 2 ? XN_FLOAT32 : XN_FLOAT64, m) == -1);
    /* and a length all share still sums */
    CHECK(xn_mpi_reduce(v, 10, XN_FLOAT64, m) == 0);
    for (size_t i = 0; i < 10; i++)
        CHECK(v[i] == 3.0); /* 0 + 1 + 2 */
    CHECK(xn_mpi_reduce(NULL, 1, XN_FLOAT64, NULL) == -1);
}

/* xn_fit on XOR, rank 2 given another number of epochs: every rank fails
 * alike, naming it. */
static void fit_disagrees(xn_mpi *m)
{
    static const size_t sizes[3] = {2, 4, 1};
    static const xn_act acts[2] = {XN_ACT_TANH, XN_ACT_SIGMOID};
    xn_net_config nc = {.n_layers = 2, .sizes = sizes, .acts = acts, .loss = XN_LOSS_MSE};
    xn_net *net = NULL;
    CHECK(xn_net_create(&net, &nc) == XN_OK && xn_net_init_default(net, 1) == XN_OK);
    xn_data d = {.n = 4, .in = 2, .out = 1, .x = (double *)xn_xor_inputs(), .y = (double *)xn_xor_targets()};
    xn_fit_config cfg = {.epochs = m->rank == 2 ? 6 : 5};
    xn_mpi_attach(m, &cfg);
    CHECK(xn_fit(net, &d, &cfg, NULL) == XN_EINVAL);
    const char *want = "fit: rank 2 has 6 epochs, rank 0 has 5";
    if (strcmp(xn_net_error(net), want) != 0)
        fprintf(stderr, "rank %d: '%s', expected '%s'\n", m->rank, xn_net_error(net), want);
    CHECK(strcmp(xn_net_error(net), want) == 0);
    /* and the same run, agreed, trains */
    cfg.epochs = 5;
    CHECK(xn_fit(net, &d, &cfg, NULL) == XN_OK);
    xn_net_destroy(net);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    xn_mpi m;
    CHECK(xn_mpi_init(&m, MPI_COMM_WORLD) == XN_OK);
    if (m.size != 3) {
        fprintf(stderr, "run with 3 ranks (mpirun -np 3), not %d\n", m.size);
        CHECK(m.size == 3);
    } else {
        rank_order(&m);
        refusals(&m);
        fit_disagrees(&m);
    }
    /* every rank's verdict: rank 0 speaks for the run */
    bool failed = xn_mpi_any_failed(&m, check_failures == 0);
    xn_mpi_free(&m);
    MPI_Finalize();
    return failed ? 1 : 0;
}
