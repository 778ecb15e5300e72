/* The program's side of data-parallel training: joining and leaving the
 * MPI run, and the collective decisions that keep every rank in step. */
#include "cli_mpi.h"

#include <stdlib.h>

#if XN_HAVE_MPI

#include "xornet/mpi.h"

/* The program's one run (a program may keep state; the library does not). */
static xn_mpi run;
static bool active;

void cli_mpi_start(int *argc, char ***argv)
{
    if (!getenv("OMPI_COMM_WORLD_SIZE") && !getenv("PMI_SIZE"))
        return;
    if (MPI_Init(argc, argv) != MPI_SUCCESS || xn_mpi_init(&run, MPI_COMM_WORLD) != XN_OK)
        return;
    active = run.size > 1;
    if (!active) {
        xn_mpi_free(&run);
        MPI_Finalize();
    }
}

void cli_mpi_stop(void)
{
    if (!active)
        return;
    xn_mpi_free(&run);
    MPI_Finalize();
    active = false;
}

int cli_mpi_size(void) { return active ? run.size : 1; }
int cli_mpi_rank(void) { return active ? run.rank : 0; }

void cli_mpi_attach(xn_fit_config *cfg)
{
    if (active)
        xn_mpi_attach(&run, cfg);
}

bool cli_mpi_any_failed(bool ok) { return active ? xn_mpi_any_failed(&run, ok) : !ok; }
bool cli_mpi_any(bool v) { return active ? xn_mpi_any_failed(&run, !v) : v; }

int cli_mpi_first_failed(bool ok)
{
    if (!active)
        return ok ? -1 : 0;
    int mine = ok ? run.size : run.rank, first = run.size;
    MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, run.comm);
    return first == run.size ? -1 : first;
}

bool cli_mpi_same_params(const xn_net *net)
{
    bool same = true;
    return !active || (xn_mpi_same_params(&run, net, &same) == XN_OK && same);
}

double cli_mpi_reduce_seconds(void) { return active ? run.seconds : 0.0; }
unsigned long cli_mpi_reduce_calls(void) { return active ? (unsigned long)run.calls : 0; }

#else /* built without MPI: always one process */

void cli_mpi_start(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
}

void cli_mpi_stop(void) {}
int cli_mpi_size(void) { return 1; }
int cli_mpi_rank(void) { return 0; }
void cli_mpi_attach(xn_fit_config *cfg) { (void)cfg; }
bool cli_mpi_any_failed(bool ok) { return !ok; }
bool cli_mpi_any(bool v) { return v; }
int cli_mpi_first_failed(bool ok) { return ok ? -1 : 0; }
bool cli_mpi_same_params(const xn_net *net)
{
    (void)net;
    return true;
}
double cli_mpi_reduce_seconds(void) { return 0.0; }
unsigned long cli_mpi_reduce_calls(void) { return 0; }

#endif
