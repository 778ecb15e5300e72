#!/usr/bin/env python3
"""Epochs of mini-batch training in PyTorch and in NumPy, for
bench/fit_bench: the same network (784 -> hidden... -> 10, relu, softmax
with cross-entropy), the same Adam (lr 1e-3), the same data shape, batch
and row count.  Prints the seconds of each timed epoch, one a line, after
one epoch of warm-up.

  fit_peers.py torch|numpy --sizes 784,256,10 --batch B --dtype f64|f32
               --threads T --rows N --epochs E

PyTorch: nn.Sequential of nn.Linear and nn.ReLU, nn.CrossEntropyLoss,
torch.optim.Adam, a new torch.randperm order every epoch and batches
taken by indexing (faster than a DataLoader, which collates in Python).
NumPy: the loop a NumPy user writes: np.random.permutation, X[idx],
@ for the products, a softmax shifted by its maximum, Adam by hand."""
import argparse
import sys
import time

p = argparse.ArgumentParser()
p.add_argument("system", choices=["torch", "numpy"])
p.add_argument("--sizes", default="784,256,10")
p.add_argument("--batch", type=int, default=128)
p.add_argument("--dtype", choices=["f64", "f32"], default="f64")
p.add_argument("--threads", type=int, default=1)
p.add_argument("--rows", type=int, default=60000)
p.add_argument("--epochs", type=int, default=1)
a = p.parse_args()
sizes = [int(s) for s in a.sizes.split(",")]
n, B = a.rows, a.batch

import numpy as np  # noqa: E402  (after argparse: --help works without NumPy)

rng = np.random.RandomState(1)
dt = np.float64 if a.dtype == "f64" else np.float32
X = rng.standard_normal((n, sizes[0])).astype(dt)
labels = rng.randint(0, sizes[-1], n)


def torch_epochs():
    import torch

    torch.set_num_threads(a.threads)
    tdt = torch.float64 if a.dtype == "f64" else torch.float32
    torch.manual_seed(1)
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]).to(tdt))
        if i + 2 < len(sizes):
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = torch.from_numpy(X), torch.from_numpy(labels)

    def epoch():
        perm = torch.randperm(n)
        for s in range(0, n, B):
            idx = perm[s:s + B]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()

    return epoch


def numpy_epochs():
    Y = np.eye(sizes[-1], dtype=dt)[labels]
    W = [(rng.standard_normal((sizes[i], sizes[i + 1])) * np.sqrt(2.0 / sizes[i])).astype(dt)
         for i in range(len(sizes) - 1)]
    b = [np.zeros(sizes[i + 1], dtype=dt) for i in range(len(sizes) - 1)]
    params = W + b
    m = [np.zeros_like(q) for q in params]
    v = [np.zeros_like(q) for q in params]
    t = [0]

    def epoch():
        perm = np.random.permutation(n)
        for s in range(0, n, B):
            idx = perm[s:s + B]
            xb, yb = X[idx], Y[idx]
            acts = [xb]
            for i in range(len(W)):
                z = acts[-1] @ W[i] + b[i]
                acts.append(np.maximum(z, 0) if i + 1 < len(W) else z)
            z = acts[-1]
            e = np.exp(z - z.max(axis=1, keepdims=True))
            p_ = e / e.sum(axis=1, keepdims=True)
            dz = (p_ - yb) / len(idx)
            gW, gb = [None] * len(W), [None] * len(W)
            for i in reversed(range(len(W))):
                gW[i] = acts[i].T @ dz
                gb[i] = dz.sum(axis=0)
                if i:
                    dz = (dz @ W[i].T) * (acts[i] > 0)
            t[0] += 1
            c1, c2 = 1 - 0.9 ** t[0], 1 - 0.999 ** t[0]
            for q, g, mm, vv in zip(params, gW + gb, m, v):
                mm *= 0.9
                mm += 0.1 * g
                vv *= 0.999
                vv += 0.001 * g * g
                q -= 1e-3 * (mm / c1) / (np.sqrt(vv / c2) + 1e-8)

    return epoch


if a.system == "numpy":
    # NumPy's products run on its BLAS, whose threads follow the environment
    # (fit_bench sets OPENBLAS_NUM_THREADS before starting this script)
    run = numpy_epochs()
else:
    run = torch_epochs()
run()  # warm-up
for _ in range(a.epochs):
    t0 = time.perf_counter()
    run()
    print("%.6f" % (time.perf_counter() - t0))
    sys.stdout.flush()
