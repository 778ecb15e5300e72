#!/usr/bin/env python3
"""Fashion-MNIST, the recipe of the issue that brought xn_fit, in xornet and
in PyTorch side by side: 784-256-10, relu then softmax with cross-entropy,
Adam at lr 1e-3, batches of 128, 10 epochs on the 60000 training images,
shuffled every epoch, no validation split; test accuracy on the 10000 test
images, for seeds 1, 2 and 3.  bench/RESULTS.md records a run.

    /usr/bin/python3 bench/fashion.py XORNET [--dir DIR] [--seeds 1,2,3] [--md]

Both systems see the same inputs: the pixels as bytes 0-255, each column
standardized by the training images' mean and standard deviation (xornet
does it by default and keeps the statistics in the model; here NumPy
computes them for PyTorch the same way: a column of one value is only
centred).  xornet runs as `xornet train` runs for a user (reading the gzip
files itself, float64, its default Glorot-uniform initialization);
PyTorch (float64, nn.Linear's own initialization) is timed at 1 and 2
threads on seed 1 and runs the seeds at the faster setting, as xornet
does with its --threads.  Every epoch's seconds and test accuracy after
each epoch are printed for PyTorch; xornet prints its per-epoch seconds,
and its test accuracy at the end.

Exits 77 when the data set is not installed, 3 without PyTorch."""
import argparse
import gzip
import os
import re
import statistics
import subprocess
import sys
import time

p = argparse.ArgumentParser()
p.add_argument("xornet")
p.add_argument("--dir", default="/usr/share/datasets/fashion-mnist")
p.add_argument("--seeds", default="1,2,3")
p.add_argument("--md", action="store_true")
a = p.parse_args()
seeds = [int(s) for s in a.seeds.split(",")]
files = {k: os.path.join(a.dir, f) for k, f in [
    ("x", "train-images-idx3-ubyte.gz"), ("y", "train-labels-idx1-ubyte.gz"),
    ("tx", "t10k-images-idx3-ubyte.gz"), ("ty", "t10k-labels-idx1-ubyte.gz")]}
if not all(os.access(f, os.R_OK) for f in files.values()):
    sys.stderr.write("fashion.py: no Fashion-MNIST in %s (apt-get install dataset-fashion-mnist)\n" % a.dir)
    sys.exit(77)
try:
    import numpy as np
    import torch
except ImportError:
    sys.stderr.write("fashion.py: needs NumPy and PyTorch (python3-numpy, python3-torch; run /usr/bin/python3)\n")
    sys.exit(3)

EPOCHS, BATCH, HIDDEN = 10, 128, 256


def xornet(seed, threads):
    """Per-epoch seconds and the final test accuracy of `xornet train`."""
    cmd = [a.xornet, "train", "--data", files["x"], "--labels", files["y"],
           "--test", files["tx"], "--test-labels", files["ty"],
           "--layers", "784,%d,10" % HIDDEN, "--batch", str(BATCH), "--epochs", str(EPOCHS),
           "--val-split", "0", "--seed", str(seed), "--threads", str(threads)]
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - t0
    secs = [float(s) for s in re.findall(r"^epoch \d+/\d+ .*\(([0-9.]+)s\)$", out, re.M)]
    acc = float(re.search(r"^test .* accuracy ([0-9.]+)$", out, re.M).group(1))
    return secs, acc, wall


def idx(path):
    with gzip.open(path, "rb") as f:
        b = f.read()
    dims = b[3]
    shape = [int.from_bytes(b[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(b, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape[0], -1)


X = idx(files["x"]).astype(np.float64)
Y = idx(files["y"]).ravel().astype(np.int64)
TX = idx(files["tx"]).astype(np.float64)
TY = idx(files["ty"]).ravel().astype(np.int64)
mean = X.mean(axis=0)
sd = X.std(axis=0)
sd[sd == 0] = 1.0
X = (X - mean) / sd
TX = (TX - mean) / sd


def pytorch(seed, threads):
    """Per-epoch seconds and test accuracy after each epoch."""
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(784, HIDDEN), torch.nn.ReLU(),
                                torch.nn.Linear(HIDDEN, 10)).double()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    x, y = torch.from_numpy(X), torch.from_numpy(Y)
    tx, ty = torch.from_numpy(TX), torch.from_numpy(TY)
    secs, accs = [], []
    for _ in range(EPOCHS):
        t0 = time.perf_counter()
        perm = torch.randperm(len(x))
        for s in range(0, len(x), BATCH):
            i = perm[s:s + BATCH]
            opt.zero_grad(set_to_none=True)
            loss_fn(model(x[i]), y[i]).backward()
            opt.step()
        secs.append(time.perf_counter() - t0)
        with torch.no_grad():
            accs.append((model(tx).argmax(1) == ty).double().mean().item())
    return secs, accs


def show(name, rows):
    """rows: (seed, median epoch seconds, accuracy)"""
    accs = [r[2] for r in rows]
    for seed, sec, acc in rows:
        if a.md:
            print("| %s | %d | %.2f | %.4f |" % (name, seed, sec, acc))
        else:
            print("%-8s seed %d  %.2f s/epoch  test accuracy %.4f" % (name, seed, sec, acc))
    line = "%s: median accuracy %.4f, lowest %.4f" % (name, statistics.median(accs), min(accs))
    print(("| %s | median | | %.4f (lowest %.4f) |" % (name, statistics.median(accs), min(accs))) if a.md else line)


print("fashion.py: OPENBLAS_CORETYPE=%s OPENBLAS_L2_SIZE=%s, PyTorch %s, NumPy %s" % (
    os.environ.get("OPENBLAS_CORETYPE", "(unset)"), os.environ.get("OPENBLAS_L2_SIZE", "(unset)"),
    torch.__version__, np.__version__))
# threads: each system's faster setting, from seed 1's epochs
tbest, tsec = None, None
for t in (1, 2):
    secs, _ = pytorch(seeds[0], t)
    print("PyTorch, %d thread%s: %s s an epoch" % (t, "" if t == 1 else "s", " ".join("%.2f" % s for s in secs)))
    if tsec is None or statistics.median(secs) < tsec:
        tbest, tsec = t, statistics.median(secs)
xbest, xsec = None, None
for t in (1, 2):
    secs, acc, wall = xornet(seeds[0], t)
    print("xornet, %d thread%s: %s s an epoch (%.1f s in all, reading the files included)" % (
        t, "" if t == 1 else "s", " ".join("%.2f" % s for s in secs), wall))
    if xsec is None or statistics.median(secs) < xsec:
        xbest, xsec = t, statistics.median(secs)
print("faster settings: xornet %d thread%s, PyTorch %d" % (xbest, "" if xbest == 1 else "s", tbest))

if a.md:
    print("| system | seed | seconds an epoch (median) | test accuracy |\n|---|---|--:|--:|")
xrows, trows = [], []
for seed in seeds:
    secs, acc, _ = xornet(seed, xbest)
    xrows.append((seed, statistics.median(secs), acc))
    secs, accs = pytorch(seed, tbest)
    trows.append((seed, statistics.median(secs), accs[-1]))
    if not a.md:
        print("PyTorch seed %d, test accuracy after each epoch: %s" % (seed, " ".join("%.4f" % v for v in accs)))
show("xornet", xrows)
show("PyTorch", trows)
