/* The xornet program under mpirun: data-parallel training (xornet/mpi.h)
 * when the program was built with MPI and started by an MPI launcher;
 * otherwise every call says "one process". */
#ifndef XORNET_CLI_MPI_H
#define XORNET_CLI_MPI_H

#include <stdbool.h>

#include "xornet/xornet.h"

/* Joins the run if an MPI launcher started the program (its environment
 * says so: OMPI_COMM_WORLD_SIZE or PMI_SIZE); a plain start never touches
 * MPI.  Call first thing in main, and cli_mpi_stop last. */
void cli_mpi_start(int *argc, char ***argv);
void cli_mpi_stop(void);
/* Ranks in the run (1 without MPI), this process's rank (0 without). */
int cli_mpi_size(void);
int cli_mpi_rank(void);
/* Makes cfg a data-parallel run over the ranks (nothing for one). */
void cli_mpi_attach(xn_fit_config *cfg);
/* Whether any rank failed (ok false): all learn it, so none waits for
 * one that stopped.  False for one process that did not fail. */
bool cli_mpi_any_failed(bool ok);
/* Whether v is true on any rank: collective (v itself for one process). */
bool cli_mpi_any(bool v);
/* The lowest rank whose ok is false, or -1 if none: collective. */
int cli_mpi_first_failed(bool ok);
/* Whether the network is the same on every rank (true for one). */
bool cli_mpi_same_params(const xn_net *net);
/* Seconds and calls spent in the reduce so far. */
double cli_mpi_reduce_seconds(void);
unsigned long cli_mpi_reduce_calls(void);

#endif
