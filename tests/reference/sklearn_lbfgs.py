#!/usr/bin/env python3
"""scikit-learn's MLP with solver='lbfgs' (1.2: scipy's L-BFGS-B on the
objective of _multilayer_perceptron.py's _loss_grad_lbfgs), the reference
for tests/test_lbfgs.c.  Two modes:

  objective FILE   FILE holds a network's sizes (in hidden out), alpha and
                   its parameters in xornet's order (W1 row by row, b1, W2,
                   b2), then the rows of the data (inputs, class id).  Prints
                   the objective scikit-learn minimizes there,
                   loss + alpha / (2 n) ||W||^2, and its gradient, in
                   xornet's order, one number a line (%.17g).
  digits DIR       MLPClassifier(hidden_layer_sizes=(32,), solver='lbfgs',
                   max_iter=200, random_state=s) on DIR/digits-train.csv
                   standardized by StandardScaler, s = 1..10: prints s, the
                   test accuracy on DIR/digits-test.csv, the iterations and
                   the final loss.

    /usr/bin/python3 tests/reference/sklearn_lbfgs.py objective FILE
"""
import sys
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler


def objective(path):
    with open(path) as f:
        words = f.read().split()
    n_in, n_hid, n_out = (int(w) for w in words[:3])
    alpha = float(words[3])
    pos = 4
    P = n_in * n_hid + n_hid + n_hid * n_out + n_out
    theta = np.array([float(w) for w in words[pos:pos + P]])
    pos += P
    rows = np.array([float(w) for w in words[pos:]]).reshape(-1, n_in + 1)
    X, y = rows[:, :n_in], rows[:, n_in].astype(int)
    mlp = MLPClassifier(hidden_layer_sizes=(n_hid,), activation="relu", solver="lbfgs", alpha=alpha,
                        max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(X, y)  # sets up the label binarizer, the layers and the output (softmax)
    w1 = theta[:n_in * n_hid].reshape(n_in, n_hid)
    b1 = theta[n_in * n_hid:n_in * n_hid + n_hid]
    rest = theta[n_in * n_hid + n_hid:]
    w2 = rest[:n_hid * n_out].reshape(n_hid, n_out)
    b2 = rest[n_hid * n_out:]
    mlp.coefs_, mlp.intercepts_ = [w1, w2], [b1, b2]
    Y = mlp._label_binarizer.transform(y)
    n = X.shape[0]
    acts = [X, np.empty((n, n_hid)), np.empty((n, n_out))]
    deltas = [np.empty((n, n_hid)), np.empty((n, n_out))]
    cg = [np.empty_like(w1), np.empty_like(w2)]
    ig = [np.empty_like(b1), np.empty_like(b2)]
    loss, cg, ig = mlp._backprop(X, Y, acts, deltas, cg, ig)
    print("%.17g" % loss)
    for g in (cg[0].ravel(), ig[0], cg[1].ravel(), ig[1]):
        for v in g:
            print("%.17g" % v)


def digits(folder):
    def load(name):
        rows = np.loadtxt("%s/digits-%s.csv" % (folder, name), delimiter=",", skiprows=2)
        return rows[:, :-1], rows[:, -1].astype(int)

    xtr, ytr = load("train")
    xte, yte = load("test")
    scaler = StandardScaler().fit(xtr)
    xtr, xte = scaler.transform(xtr), scaler.transform(xte)
    for s in range(1, 11):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            m = MLPClassifier(hidden_layer_sizes=(32,), solver="lbfgs", max_iter=200, random_state=s)
            m.fit(xtr, ytr)
        print(s, "%.17g" % m.score(xte, yte), m.n_iter_, "%.17g" % m.loss_)


if __name__ == "__main__":
    {"objective": objective, "digits": digits}[sys.argv[1]](sys.argv[2])
