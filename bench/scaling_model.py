#!/usr/bin/env python3
"""The cost model of data-parallel training in docs/distributed.md, fitted to
a run of bench/mpi_bench.sh, and its predictions for clusters.

    bench/mpi_bench.sh build/bench/mpi_bench mpirun > mpi.txt
    python3 bench/scaling_model.py mpi.txt [--md]

One step of a global batch of B rows on P ranks takes

    T(P, B) = a + b B / P + R(P),   R(P) = 2 (P-1) / P * S / bw + 2 (P-1) * lat

a: what every rank does whatever its rows (the optimizer's update of all
parameters, per-step overhead), b: the cost of one row's forward and
backward passes, S: the gradient's bytes, bw and lat: the link's bandwidth
and latency (the reduce-scatter and allgather of xn_mpi_reduce each move
(P-1)/P of the vector and take P-1 messages).  a and b are fitted, per
type, to the one-rank, one-thread epochs at batches 128 and 512; the
two-rank run on this machine checks the model (shared memory as the link,
its bandwidth from mpi_bench's "reduce alone").  For other networks a and b
scale with the parameter count (a row costs about 6 flops a parameter,
the update a fixed number of passes over them).

Prints, for each network, link and P, the predicted speedup T(1)/T(P) and
efficiency T(1)/(P T(P)), and the smallest global batch at which P ranks
still beat one (speedup > 1) and reach half efficiency."""
import argparse
import re
import sys

p = argparse.ArgumentParser()
p.add_argument("run", help="the output of bench/mpi_bench.sh")
p.add_argument("--md", action="store_true")
a = p.parse_args()
text = open(a.run).read()

ROWS = None
m = re.search(r"784-256-10, (\d+) rows", text)
if not m:
    sys.exit("scaling_model.py: %s is not mpi_bench.sh's output" % a.run)
ROWS = int(m.group(1))
epochs = {}  # (ranks, threads, batch, type) -> seconds an epoch
for r, t, b, ty, e in re.findall(r"^ranks (\d+) threads (\d+) batch (\d+) (float\d+): epoch ([0-9.]+) s", text, re.M):
    epochs[int(r), int(t), int(b), ty] = float(e)
shm = re.search(r"reduce alone: .* ([0-9.]+) GB/s", text)
shm_bw = float(shm.group(1)) * 1e9 if shm else None

P0 = 784 * 256 + 256 + 256 * 10 + 10


def fit(ty):
    """a, b of the 784-256-10 network from the one-rank runs at 128 and 512."""
    t = {}
    for B in (128, 512):
        e = epochs.get((1, 1, B, ty))
        if e is None:
            return None
        steps = -(-ROWS // B)
        t[B] = e / steps
    b = (t[512] - t[128]) / (512 - 128)
    return t[128] - b * 128, b


def step(ab, scale, P, B, S, bw, lat):
    a0, b0 = ab
    red = 0.0 if P == 1 else 2 * (P - 1) / P * S / bw + 2 * (P - 1) * lat
    return a0 * scale + b0 * scale * B / P + red


def out(line, md_cells):
    print(("| " + " | ".join(md_cells) + " |") if a.md else line)


NETS = [("784-256-10", P0), ("784-512-256-10", 784 * 512 + 512 + 512 * 256 + 256 + 256 * 10 + 10),
        ("784-4096-4096-10", 784 * 4096 + 4096 + 4096 * 4096 + 4096 + 4096 * 10 + 10)]
LINKS = [("10 Gbit/s", 10e9 / 8, 20e-6), ("100 Gbit/s", 100e9 / 8, 2e-6)]

if fit("float64") is None and fit("float32") is None:
    sys.exit("scaling_model.py: %s has no one-rank epochs at batches 128 and 512 (run mpi_bench.sh without --quick)" % a.run)
for ty, es in (("float64", 8), ("float32", 4)):
    ab = fit(ty)
    if ab is None:
        continue
    print("%s: a = %.3f ms a step, b = %.4f ms a row (784-256-10, one thread)" % (ty, 1e3 * ab[0], 1e3 * ab[1]))
    # the model against this machine's two ranks
    for B in (128, 512):
        meas = epochs.get((2, 1, B, ty))
        if meas and shm_bw:
            steps = -(-ROWS // B)
            pred = steps * step(ab, 1.0, 2, B, P0 * es, shm_bw, 0.0)
            print("  2 ranks, batch %d: predicted %.3f s an epoch, measured %.3f" % (B, pred, meas))

print()
if a.md:
    print("| network | type | link | batch | P = 2 | 4 | 8 | 16 | 32 | 64 | beats 1 rank at P = 8 from batch | half efficiency at P = 8 from batch |")
    print("|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
PS = [2, 4, 8, 16, 32, 64]
for ty, es in (("float64", 8), ("float32", 4)):
    ab = fit(ty)
    if ab is None:
        continue
    for name, n in NETS:
        scale = n / P0
        for lname, bw, lat in LINKS:
            S = n * es
            for B in (128, 512, 4096):
                t1 = step(ab, scale, 1, B, S, bw, lat)
                eff = [t1 / (P * step(ab, scale, P, B, S, bw, lat)) for P in PS]

                def first(cond):
                    B2 = 8
                    while B2 <= 1 << 22 and not cond(B2):
                        B2 *= 2
                    return str(B2) if B2 <= 1 << 22 else "never"

                beats = first(lambda B2: step(ab, scale, 1, B2, S, bw, lat) > step(ab, scale, 8, B2, S, bw, lat))
                half = first(lambda B2: step(ab, scale, 1, B2, S, bw, lat) / (8 * step(ab, scale, 8, B2, S, bw, lat)) >= 0.5)
                cells = [name, ty, lname, str(B)] + ["%.0f%%" % (100 * e) for e in eff] + [beats, half]
                out("%-18s %s %-10s batch %5d  efficiency %s  P=8 beats 1 rank from batch %s, half efficiency from %s" % (
                    name, ty, lname, B, " ".join("%4.0f%%" % (100 * e) for e in eff), beats, half), cells)
