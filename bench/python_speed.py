#!/usr/bin/env python3
"""xornet's estimators against scikit-learn's, fit time with identical
settings, the two interleaved (xornet, scikit-learn, xornet, ...) so that
a machine whose speed drifts slows both alike; and the cost of a small call.

    PYTHONPATH=build/python /usr/bin/python3 bench/python_speed.py [--md] [--quick]
        [--repeats R] [--epochs E] [--fashion DIR] [--skip-fashion]

- digits: sklearn.datasets.load_digits (1797 x 64), MLPClassifier() with
  every default but random_state (0..R-1): both stop by the same rule
  after the same epochs (the fits are number for number the same; the
  script checks n_iter_ and coefs_ before it reports); then the same with
  solver='lbfgs' (the same iterations and evaluations; its floor is the
  products of one whole-set pass an evaluation);
- Fashion-MNIST (DIR, default /usr/share/datasets/fashion-mnist, Debian's
  dataset-fashion-mnist): 60000 x 784 scaled to [0, 1], 784-256-10,
  MLPClassifier(hidden_layer_sizes=(256,), batch_size=128, max_iter=E,
  tol=0, random_state=0): E epochs (default 3) of Adam at 1e-3, float64
  for both, and xornet's dtype='float32' (the input given as float32)
  against scikit-learn's float64;
- the call overhead: predict_proba of 4 rows from a fitted digits model,
  Net.predict of the same rows, and scikit-learn's predict_proba (medians
  of 2000 calls).

Reports medians over the repeats and the ratio scikit-learn / xornet, with
the machine (CPU model, OpenBLAS core type and threads, load) beside them:
times on a machine others are using are noisy, ratios from interleaved runs
much less so.  --quick: digits and the overhead only, 2 repeats.  Exits 3
when scikit-learn or xornet's package is missing.
"""
import argparse
import ctypes
import gzip
import os
import platform
import statistics
import sys
import time
import warnings

try:
    import numpy as np
    import sklearn
    from sklearn.datasets import load_digits
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier as SkMLP

    import xornet
except ImportError as e:
    sys.stderr.write("python_speed.py: %s (run /usr/bin/python3 with PYTHONPATH=build/python, "
                     "Debian: apt-get install python3-sklearn)\n" % e)
    sys.exit(3)


def blas():
    try:
        lib = ctypes.CDLL("libopenblas.so.0")
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return lib
    except OSError:
        return None


def set_threads(n):
    """OpenBLAS's threads for both (NumPy and xornet call the same
    library); False where it cannot be set."""
    lib = blas()
    if lib is None or not hasattr(lib, "openblas_set_num_threads"):
        return False
    lib.openblas_set_num_threads(n)
    return True


def machine():
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    core, threads = "?", "?"
    lib = blas()
    if lib is not None:
        core = lib.openblas_get_corename().decode()
        threads = lib.openblas_get_num_threads()
    env = " ".join("%s=%s" % (k, os.environ.get(k, "unset"))
                   for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS"))
    return ("%s, %d CPUs; OpenBLAS core %s, %s threads (%s); load %.1f; Python %s, NumPy %s, "
            "scikit-learn %s, xornet %s; %s UTC" % (cpu, os.cpu_count(), core, threads, env, os.getloadavg()[0],
                                                     platform.python_version(), np.__version__,
                                                     sklearn.__version__, xornet.__version__,
                                                     time.strftime("%Y-%m-%d %H:%M", time.gmtime())))


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def interleaved(make_ours, make_theirs, X, y, repeats, check=None):
    """Median fit seconds (ours, theirs) over the repeats, each repeat
    fitting ours then theirs; check(ours, theirs) runs on every pair."""
    ours_t, theirs_t = [], []
    for r in range(repeats):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            a, ours = timed(lambda: make_ours(r).fit(X, y))
            b, theirs = timed(lambda: make_theirs(r).fit(X, y))
        ours_t.append(a)
        theirs_t.append(b)
        if check:
            check(ours, theirs)
    return statistics.median(ours_t), statistics.median(theirs_t)


def same_run(ours, theirs):
    if ours.n_iter_ != theirs.n_iter_:
        raise SystemExit("python_speed.py: the fits differ (n_iter_ %d and %d)" % (ours.n_iter_, theirs.n_iter_))
    a = np.concatenate([c.ravel() for c in ours.coefs_])
    b = np.concatenate([c.ravel() for c in theirs.coefs_])
    if np.linalg.norm(a - b) > 1e-6 * np.linalg.norm(b):
        raise SystemExit("python_speed.py: the fits differ (coefs_)")


def floor(n, sizes, batch, epochs, dtype):
    """Seconds of the bare matrix products of `epochs` epochs of batches on
    n rows through a network of `sizes` (forward, weight gradients and
    deltas: 3L - 1 products a batch), on preallocated arrays: what any
    trainer of this network on this OpenBLAS spends at least."""
    rng = np.random.RandomState(0)
    steps = []
    for m in [batch] * (n // batch) + ([n % batch] if n % batch else []):
        a = [rng.rand(m, k).astype(dtype) for k in sizes]
        w = [rng.rand(i, o).astype(dtype) for i, o in zip(sizes, sizes[1:])]
        steps.append((a, w))
    t = time.perf_counter()
    for _ in range(epochs):
        for a, w in steps:
            for l in range(len(w)):
                np.matmul(a[l], w[l], out=a[l + 1])        # forward
            for l in range(len(w) - 1, -1, -1):
                a[l].T @ a[l + 1]                          # weight gradient
                if l:
                    np.matmul(a[l + 1], w[l].T, out=a[l])  # delta
    return time.perf_counter() - t


def fashion(path):
    def idx(name):
        with gzip.open(os.path.join(path, name)) as f:
            data = f.read()
        dims = data[3]
        shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
        return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape[0], -1)
    X = idx("train-images-idx3-ubyte.gz") / 255.0
    y = idx("train-labels-idx1-ubyte.gz").ravel()
    return X, y


def overhead(model, theirs, X):
    rows = X[:4].copy()
    net = model._net
    calls = {"xornet MLPClassifier.predict_proba": lambda: model.predict_proba(rows),
             "xornet Net.predict": lambda: net.predict(rows),
             "scikit-learn MLPClassifier.predict_proba": lambda: theirs.predict_proba(rows)}
    out = {}
    for name, fn in calls.items():
        for _ in range(200):
            fn()
        times = []
        for _ in range(20):
            t = time.perf_counter()
            for _ in range(100):
                fn()
            times.append((time.perf_counter() - t) / 100)
        out[name] = statistics.median(times)
    return out


def fits(a, repeats):
    """The rows of the table at the threads OpenBLAS has now."""
    rows = []
    X, y = load_digits(return_X_y=True)
    o, t = interleaved(lambda r: xornet.MLPClassifier(random_state=r), lambda r: SkMLP(random_state=r), X, y,
                       repeats, same_run)
    n_iter = xornet.MLPClassifier(random_state=0).fit(X, y).n_iter_
    rows.append(("digits 1797x64, defaults", "float64", o, t, floor(1797, [64, 100, 10], 200, n_iter, np.float64)))
    o, t = interleaved(lambda r: xornet.MLPClassifier(solver="lbfgs", random_state=r),
                       lambda r: SkMLP(solver="lbfgs", random_state=r), X, y, repeats, same_run)
    evals = xornet.MLPClassifier(solver="lbfgs", random_state=0).fit(X, y)._net.solver_report["evaluations"]
    rows.append(("digits 1797x64, solver='lbfgs'", "float64", o, t, floor(1797, [64, 100, 10], 1797, evals, np.float64)))
    if a.quick or a.skip_fashion or not os.path.isdir(a.fashion):
        return rows
    Xf, yf = fashion(a.fashion)
    kw = dict(hidden_layer_sizes=(256,), batch_size=128, max_iter=a.epochs, tol=0.0)
    reps = max(1, repeats // 2)
    o, t = interleaved(lambda r: xornet.MLPClassifier(random_state=r, **kw),
                       lambda r: SkMLP(random_state=r, **kw), Xf, yf, reps, same_run)
    rows.append(("Fashion-MNIST 784-256-10, %d epochs" % a.epochs, "float64", o, t,
                 floor(60000, [784, 256, 10], 128, a.epochs, np.float64)))
    X32 = Xf.astype(np.float32)
    o32, t64 = [], []
    for r in range(reps):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            o32.append(timed(lambda: xornet.MLPClassifier(random_state=r, dtype="float32", **kw).fit(X32, yf))[0])
            t64.append(timed(lambda: SkMLP(random_state=r, **kw).fit(Xf, yf))[0])
    rows.append(("Fashion-MNIST 784-256-10, %d epochs" % a.epochs, "xornet float32, scikit-learn float64",
                 statistics.median(o32), statistics.median(t64), floor(60000, [784, 256, 10], 128, a.epochs, np.float32)))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--md", action="store_true")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--threads", default="1,2", help="OpenBLAS thread counts to run at (default 1,2)")
    ap.add_argument("--fashion", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--skip-fashion", action="store_true")
    a = ap.parse_args()
    repeats = 2 if a.quick else a.repeats
    print(machine())
    rows = []
    for n in [int(v) for v in a.threads.split(",")]:
        if not set_threads(n):
            n = "?"
        rows += [(name, dtype, n, o, t, f) for name, dtype, o, t, f in fits(a, repeats)]
    X, y = load_digits(return_X_y=True)
    fitted = xornet.MLPClassifier(random_state=0).fit(X, y)
    theirs = SkMLP(random_state=0).fit(X, y)
    calls = overhead(fitted, theirs, X)
    if a.md:
        print("\n| fit | type | OpenBLAS threads | xornet s | scikit-learn s | scikit-learn / xornet "
              "| bare products s (xornet's type) | xornet / products |")
        print("|---|---|--:|--:|--:|--:|--:|--:|")
        for name, dtype, n, o, t, f in rows:
            print("| %s | %s | %s | %.3f | %.3f | **%.1f** | %.3f | %.2f |" % (name, dtype, n, o, t, t / o, f, o / f))
        print("\n| call (4 rows) | µs |")
        print("|---|--:|")
        for name, s in calls.items():
            print("| %s | %.1f |" % (name, s * 1e6))
    else:
        for name, dtype, n, o, t, f in rows:
            print("%-38s %-37s %2st xornet %8.3f s  scikit-learn %8.3f s  ratio %5.1f  products %7.3f s" %
                  (name, dtype, n, o, t, t / o, f))
        for name, s in calls.items():
            print("%-45s %8.1f us" % (name, s * 1e6))


if __name__ == "__main__":
    main()
