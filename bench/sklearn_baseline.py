#!/usr/bin/env python3
"""scikit-learn's multi-layer perceptron on the real data sets of data/, the
score xornet's defaults are measured against (bench/RESULTS.md).

    python3 bench/sklearn_baseline.py [--md] [--xornet PATH] [DATA_DIR]
                                       (default: data/ of this checkout)

For each set it reads data/NAME-train.csv and data/NAME-test.csv exactly as
shipped (the split of bench/make_datasets.py: train_test_split(test_size=0.25,
random_state=0)), checks that they hold the rows of that split of
scikit-learn's copy of the set, fits on the training file and scores on the
test file:

- classification (iris, wine, breast-cancer): MLPClassifier(), test accuracy;
- regression (diabetes): MLPRegressor(), test R^2 (1 - SS_res / SS_tot).

"defaults" is the estimator with every default (one hidden layer of 100
relu units, Adam, lr 1e-3, batches of min(200, n), at most 200 epochs, no
input scaling) except random_state, which is fixed to 0..4 so the figures
repeat; the table gives the median of the five and their range.  "scaled"
is the same after a StandardScaler fitted on the training file, for
reference: xornet standardizes its inputs by default.  "not converged"
counts the runs that stopped at max_iter with scikit-learn's
ConvergenceWarning.

With --xornet PATH the table gains xornet's defaults on the same files
(`xornet train --data NAME-train.csv --test NAME-test.csv --seed S`, S =
1..5; the seed 1 run is the one tests/cli/test_fit.sh checks): the median
and range of its test scores, read from the program's last line.

Exits 3 (after a message on stderr) when scikit-learn is missing."""
import os
import statistics
import subprocess
import sys
import time
import warnings

try:
    import numpy as np
    import sklearn
    from sklearn import datasets
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
except ImportError:
    sys.stderr.write("sklearn_baseline.py: scikit-learn is not installed for %s "
                     "(Debian: apt-get install python3-sklearn; run /usr/bin/python3)\n" % sys.executable)
    sys.exit(3)

SEEDS = range(5)
SETS = [  # name, classification, the loader of scikit-learn's copy
    ("iris", True, lambda: datasets.load_iris()),
    ("wine", True, lambda: datasets.load_wine()),
    ("breast-cancer", True, lambda: datasets.load_breast_cancer()),
    ("diabetes", False, lambda: datasets.load_diabetes(scaled=False)),
]


def read_csv(path):
    """Inputs and the last column of a data/ file: '#' lines and the header skipped."""
    rows = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            fields = line.split(",")
            try:
                rows.append([float(v) for v in fields])
            except ValueError:
                if rows:
                    raise
                continue  # the header row
    a = np.array(rows)
    return a[:, :-1], a[:, -1]


def score(make, seed, x_tr, y_tr, x_te, y_te):
    """Test score of one fit, and whether it stopped at max_iter."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model = make(seed).fit(x_tr, y_tr)
    stuck = any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return model.score(x_te, y_te), stuck


def xornet_scores(xornet, root, name):
    """Test scores of xornet's defaults for seeds 1..5."""
    scores = []
    for seed in range(1, 6):
        out = subprocess.run([xornet, "train", "--data", os.path.join(root, name + "-train.csv"),
                              "--test", os.path.join(root, name + "-test.csv"), "--quiet",
                              "--seed", str(seed)], check=True, capture_output=True, text=True).stdout
        test = [line for line in out.splitlines() if line.startswith("test ")]
        scores.append(float(test[0].split()[-1]))
    return scores


def main(argv):
    md = "--md" in argv
    args = [a for a in argv if a != "--md"]
    xornet = None
    if "--xornet" in args:
        i = args.index("--xornet")
        xornet = args[i + 1]
        del args[i:i + 2]
    root = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
    head = ("set", "rows", "metric", "defaults median", "defaults range", "not converged",
            "scaled median", "scaled range", "seconds")
    if xornet:
        head += ("xornet median", "xornet range", "xornet seed 1")
    if md:
        print("| " + " | ".join(head) + " |")
        print("|" + "|".join("---" for _ in head) + "|")
    else:
        print(("%-14s %9s %-9s %15s %18s %13s %13s %20s %7s" + " %13s %18s %13s" * bool(xornet)) % head)
    for name, classification, load in SETS:
        x_tr, y_tr = read_csv(os.path.join(root, name + "-train.csv"))
        x_te, y_te = read_csv(os.path.join(root, name + "-test.csv"))
        # the files hold scikit-learn's split of its own copy, value for value
        bunch = load()
        a_tr, a_te, b_tr, b_te = train_test_split(bunch.data, bunch.target, test_size=0.25, random_state=0)
        assert np.array_equal(x_tr, a_tr) and np.array_equal(x_te, a_te), name
        assert np.array_equal(y_tr, b_tr) and np.array_equal(y_te, b_te), name
        if classification:
            y_tr, y_te = y_tr.astype(int), y_te.astype(int)
            est = MLPClassifier
        else:
            est = MLPRegressor
        start = time.perf_counter()
        plain = [score(lambda s: est(random_state=s), s, x_tr, y_tr, x_te, y_te) for s in SEEDS]
        scaled = [score(lambda s: make_pipeline(StandardScaler(), est(random_state=s)), s,
                        x_tr, y_tr, x_te, y_te) for s in SEEDS]
        secs = time.perf_counter() - start
        p, q = [v for v, _ in plain], [v for v, _ in scaled]
        stuck = "%d/%d, %d/%d" % (sum(s for _, s in plain), len(plain), sum(s for _, s in scaled), len(scaled))
        cells = (name, "%d+%d" % (len(y_tr), len(y_te)), "accuracy" if classification else "R^2",
                 "%.4f" % statistics.median(p), "%.4f to %.4f" % (min(p), max(p)), stuck,
                 "%.4f" % statistics.median(q), "%.4f to %.4f" % (min(q), max(q)), "%.1f" % secs)
        if xornet:
            x = xornet_scores(xornet, root, name)
            cells += ("%.4f" % statistics.median(x), "%.4f to %.4f" % (min(x), max(x)), "%.4f" % x[0])
        if md:
            print("| " + " | ".join(cells) + " |")
        else:
            print(("%-14s %9s %-9s %15s %18s %13s %13s %20s %7s" + " %13s %18s %13s" * bool(xornet)) % cells)
        sys.stdout.flush()
    print("%sscikit-learn %s, NumPy %s, Python %s; random_state %d-%d" % (
        "\n" if md else "", sklearn.__version__, np.__version__, sys.version.split()[0], SEEDS[0], SEEDS[-1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
