#!/usr/bin/env bash
# Runs mpi_bench three ways on this machine: one process on 1 thread,
# one process on 2 threads, and 2 ranks of 1 thread each under mpirun
# (a network's own threads, with OpenBLAS on one).
# The BLAS's environment (OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE) is printed
# and passed on as it is.
# usage: mpi_bench.sh MPI_BENCH MPIRUN [--quick]
set -eu
bench=$1
mpirun=$2
shift 2
echo "mpi_bench.sh: OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-(unset)} OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE:-(unset)}"
launch() {
    local np=$1 threads=$2
    shift 2
    OPENBLAS_NUM_THREADS=1 "$mpirun" --allow-run-as-root --oversubscribe --bind-to none -np "$np" \
        "$bench" --threads "$threads" "$@"
}
launch 1 1 "$@"
launch 1 2 "$@"
launch 2 1 "$@"
