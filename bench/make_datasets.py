#!/usr/bin/env python3
"""Writes the small real data sets of data/ from the copies scikit-learn
ships (Debian: python3-sklearn, sklearn/datasets/data/*.csv*), each split
into a training and a test file:

    data/iris-train.csv           data/iris-test.csv
    data/wine-train.csv           data/wine-test.csv
    data/breast-cancer-train.csv  data/breast-cancer-test.csv
    data/diabetes-train.csv       data/diabetes-test.csv
    data/digits-train.csv         data/digits-test.csv
    data/curve.csv                (synthetic: sin(3x) + 0.3x + noise, below)

    python3 bench/make_datasets.py [OUT_DIR]     (default: data/ of this checkout)

The split is scikit-learn's own, train_test_split(X, y, test_size=0.25,
random_state=0): a permutation drawn from RandomState(0), its first
ceil(n/4) rows the test set and the rest the training set, each file in
the permutation's order.  So `xornet train --data data/X-train.csv --test
data/X-test.csv` and bench/sklearn_baseline.py work on the same rows.

Each file: a comment line naming the set and the split, a header row of
column names, then one row a line.  The inputs keep the source's values
(the shortest decimal that reads back as the same double); the last column
is the class id (0..K-1) for classification, the target for regression.
data/README.md gives each set's source and licence.  The files are the same
on every run: the script asserts it reproduces them when they exist, unless
--force is given.

curve.csv is the curve fit of the second-order solvers' benchmark
(bench/solver_bench.c, tests/test_lm.c): 400 samples y = sin(3x) + 0.3x + e
with x uniform in [-2, 2) and e normal with sd 0.1, drawn from NumPy's
RandomState(0) as x = uniform(-2, 2, 400), then e = normal(0, 0.1, 400).

Exits 3 (after a message on stderr) when scikit-learn is missing."""
import os
import re
import sys

try:
    import numpy as np
    import sklearn
    from sklearn import datasets
    from sklearn.model_selection import train_test_split
except ImportError:
    sys.stderr.write("make_datasets.py: scikit-learn is not installed for %s "
                     "(Debian: apt-get install python3-sklearn; run /usr/bin/python3)\n" % sys.executable)
    sys.exit(3)

TEST_SIZE = 0.25
SEED = 0

# name, loader, column name of the last column, what the loader reads
SETS = [
    ("iris", lambda: datasets.load_iris(), "class", "sklearn/datasets/data/iris.csv"),
    ("wine", lambda: datasets.load_wine(), "class", "sklearn/datasets/data/wine_data.csv"),
    ("breast-cancer", lambda: datasets.load_breast_cancer(), "class",
     "sklearn/datasets/data/breast_cancer.csv"),
    ("diabetes", lambda: datasets.load_diabetes(scaled=False), "progression",
     "sklearn/datasets/data/diabetes_data_raw.csv.gz, diabetes_target.csv.gz"),
    ("digits", lambda: datasets.load_digits(), "class", "sklearn/datasets/data/digits.csv.gz"),
]


def column(name):
    """'sepal length (cm)' -> 'sepal_length_cm'; 'od280/od315_of...' -> 'od280_od315_of...'."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def number(v):
    """The shortest decimal that reads back as v (Python's repr), without a '.0'."""
    s = repr(float(v))
    return s[:-2] if s.endswith(".0") else s


def rows_text(name, part, n_total, header, x, y, classification):
    lines = ["# %s, %s rows: train_test_split(test_size=%g, random_state=%d) of its %d rows "
             "(bench/make_datasets.py, data/README.md)" % (name, part, TEST_SIZE, SEED, n_total),
             ",".join(header)]
    for xi, yi in zip(x, y):
        target = str(int(yi)) if classification else number(yi)
        lines.append(",".join(number(v) for v in xi) + "," + target)
    return "\n".join(lines) + "\n"


def curve_text():
    rs = np.random.RandomState(0)
    x = rs.uniform(-2.0, 2.0, 400)
    e = rs.normal(0.0, 0.1, 400)
    y = np.sin(3.0 * x) + 0.3 * x + e
    lines = ["# curve: y = sin(3x) + 0.3x + e, x uniform in [-2, 2), e normal with sd 0.1 (rms of e %s); "
             "NumPy RandomState(0) (bench/make_datasets.py)" % number(np.sqrt(np.mean(e * e))), "x,y"]
    lines += ["%s,%s" % (number(a), number(b)) for a, b in zip(x, y)]
    return "\n".join(lines) + "\n"


def write_checked(path, text, force, changed):
    """Writes text to path, or leaves a different existing file (and lists it) unless force."""
    if os.path.exists(path) and not force:
        with open(path) as f:
            if f.read() != text:
                changed.append(path)
                return
    with open(path, "w") as f:
        f.write(text)


def main(argv):
    force = "--force" in argv
    args = [a for a in argv if a != "--force"]
    out = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
    changed = []
    for name, load, target, source in SETS:
        bunch = load()
        x, y = np.asarray(bunch.data, dtype=float), np.asarray(bunch.target)
        classification = target == "class"
        if classification:
            assert np.all(y == np.round(y)) and y.min() == 0
        x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=TEST_SIZE, random_state=SEED)
        header = [column(c) for c in bunch.feature_names] + [target]
        for part, xs, ys in (("train", x_train, y_train), ("test", x_test, y_test)):
            text = rows_text(name, part, len(y), header, xs, ys, classification)
            write_checked(os.path.join(out, "%s-%s.csv" % (name, part)), text, force, changed)
        print("%-14s %4d rows (%d train, %d test), %2d inputs, %s; from %s" % (
            name, len(y), len(y_train), len(y_test), x.shape[1],
            "%d classes" % (int(y.max()) + 1) if classification else "regression", source))
    write_checked(os.path.join(out, "curve.csv"), curve_text(), force, changed)
    print("curve           400 rows, 1 input, regression; synthetic")
    print("scikit-learn %s, NumPy %s" % (sklearn.__version__, np.__version__))
    if changed:
        sys.stderr.write("make_datasets.py: these files differ from what this run makes (kept; "
                         "--force overwrites them): %s\n" % " ".join(changed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
