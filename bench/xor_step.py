#!/usr/bin/env python3
"""The whole-batch training step of bench/xor_bench written the way a NumPy
user would write it, timed the way xor_bench times xornet.

    xor_step.py [--quick] N,D,H,K [N,D,H,K ...]

Each shape is a dense net D -> H -> K: relu hidden layer, then sigmoid + mse
for K = 1 or softmax + cross-entropy for K > 1, plain gradient descent.  The
(4, 2, H, 1) shapes train on the XOR table.  One output line per shape:

    row N D H K median_s min_s max_s

Exits 3 (after a message on stderr) when NumPy is missing, so the caller can
skip the comparison.  OPENBLAS_NUM_THREADS in the environment sets NumPy's
BLAS threads."""
import sys
import time

try:
    import numpy as np
except ImportError:
    sys.stderr.write("xor_step.py: NumPy is not installed for %s\n" % sys.executable)
    sys.exit(3)


def make(n, d, h, k, rng):
    if (n, d, k) == (4, 2, 1):
        x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
        y = np.array([[0], [1], [1], [0]], dtype=float)
    else:
        x = rng.random((n, d))
        if k == 1:
            y = (rng.random((n, 1)) < 0.5).astype(float)
        else:
            y = np.eye(k)[rng.integers(0, k, n)]
    lim1, lim2 = np.sqrt(6.0 / (d + h)), np.sqrt(6.0 / (h + k))
    params = [rng.uniform(-lim1, lim1, (d, h)), np.zeros(h),
              rng.uniform(-lim2, lim2, (h, k)), np.zeros(k)]
    return x, y, params


def step(x, y, p, lr):
    """Forward, loss, backward, update: the xornet step, formula by formula."""
    w1, b1, w2, b2 = p
    n, k = y.shape
    z1 = x @ w1 + b1                         # (n, h)
    a1 = np.maximum(z1, 0.0)
    z2 = a1 @ w2 + b2                        # (n, k)
    if k == 1:
        a2 = 1.0 / (1.0 + np.exp(-z2))
        e = a2 - y
        loss = np.mean(e * e)
        dz2 = (2.0 / (n * k)) * e * a2 * (1.0 - a2)
    else:
        s = np.exp(z2 - z2.max(axis=1, keepdims=True))
        a2 = s / s.sum(axis=1, keepdims=True)
        loss = -np.sum(y * np.log(a2)) / n
        dz2 = (a2 - y) / n
    dw2 = a1.T @ dz2                         # (h, k)
    db2 = dz2.sum(axis=0)
    da1 = dz2 @ w2.T                         # (n, h)
    dz1 = da1 * (z1 > 0.0)
    dw1 = x.T @ dz1                          # (d, h)
    db1 = dz1.sum(axis=0)
    w1 -= lr * dw1
    b1 -= lr * db1
    w2 -= lr * dw2
    b2 -= lr * db2
    return loss


def measure(fn, quick):
    """Median, min and max seconds per call: warm-up, then repeated samples
    of enough calls to outlast the timer's resolution."""
    budget, sample, samples = (0.05, 2e-4, 5) if quick else (1.0, 2e-3, 15)
    t = time.perf_counter()
    fn()
    once = time.perf_counter() - t
    reps = max(1, int(sample / max(once, 1e-9)))
    for _ in range(min(reps, 1000)):      # warm-up
        fn()
    total = once * reps
    count = max(1, min(samples, int(budget / max(total, 1e-9))))
    if once < budget:
        count = max(count, 3)
    times = []
    for _ in range(count):
        t = time.perf_counter()
        for _ in range(reps):
            fn()
        times.append((time.perf_counter() - t) / reps)
    times.sort()
    return times[len(times) // 2], times[0], times[-1]


def main(argv):
    quick = "--quick" in argv
    shapes = [tuple(int(v) for v in a.split(",")) for a in argv if not a.startswith("--")]
    print("numpy %s" % np.__version__, flush=True)
    rng = np.random.default_rng(42)
    for n, d, h, k in shapes:
        x, y, p = make(n, d, h, k, rng)
        lr = 0.1 if n == 4 else 0.01
        med, lo, hi = measure(lambda: step(x, y, p, lr), quick)
        print("row %d %d %d %d %.9e %.9e %.9e" % (n, d, h, k, med, lo, hi), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
