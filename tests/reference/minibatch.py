#!/usr/bin/env python3
"""Mini-batch training as a NumPy or Python notebook writes it, the
reference for tests/test_fit.c: a 2-8-1 relu/sigmoid network, mse, on 40
rows, batches of 12 (the last one 4), 30 epochs.  The weights are drawn
first, then every epoch draws its order from the same stream:
np.random.permutation(N) on NumPy's legacy RandomState, or
random.shuffle(list(range(N))) on Python's random.  Prints the final
outputs on the 40 rows with 17 significant digits, as C initializers.

    python3 tests/reference/minibatch.py   (NumPy 1.24, CPython 3.11)
"""
import math
import random

import numpy as np

N, D, H, B, EPOCHS = 40, 2, 8, 12, 30


def data():
    # dyadic rationals, exact in binary: both sides read the same numbers
    x = np.array([[((i * 37) % 17) / 16.0, ((i * 11) % 13) / 8.0 - 0.75] for i in range(N)])
    y = np.array([[float((x[i, 0] > 0.5) != (x[i, 1] > 0.0))] for i in range(N)])
    return x, y


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def train(stream, opt):
    x, y = data()
    if stream == "numpy":
        np.random.seed(1)
        w1 = np.random.randn(D, H)
        w2 = np.random.randn(H, 1)
    else:
        random.seed(1)
        lim1, lim2 = math.sqrt(6.0 / (D + H)), math.sqrt(6.0 / (H + 1))
        w1 = np.array([random.uniform(-lim1, lim1) for _ in range(D * H)]).reshape(D, H)
        w2 = np.array([random.uniform(-lim2, lim2) for _ in range(H)]).reshape(H, 1)
    params = [w1, np.zeros(H), w2, np.zeros(1)]
    m_ = [np.zeros_like(p) for p in params]
    v_ = [np.zeros_like(p) for p in params]
    t = 0
    for _ in range(EPOCHS):
        if stream == "numpy":
            perm = np.random.permutation(N)
        else:
            perm = list(range(N))
            random.shuffle(perm)
            perm = np.array(perm)
        for s in range(0, N, B):
            idx = perm[s:s + B]
            xb, yb = x[idx], y[idx]
            m = len(idx)
            w1, b1, w2, b2 = params
            z1 = xb @ w1 + b1
            a1 = np.maximum(z1, 0.0)
            a2 = sigmoid(a1 @ w2 + b2)
            dz2 = 2.0 / m * (a2 - yb) * (a2 * (1.0 - a2))      # mse over m rows, 1 output
            dz1 = (dz2 @ w2.T) * (a1 > 0.0)
            grads = [xb.T @ dz1, dz1.sum(0), a1.T @ dz2, dz2.sum(0)]
            t += 1
            for p, g, mm, vv in zip(params, grads, m_, v_):
                if opt == "gd":
                    p -= 0.5 * g
                elif opt == "momentum":
                    mm[...] = 0.9 * mm - 0.2 * g
                    p += mm
                else:  # Adam, Kingma and Ba (2015), Algorithm 1
                    mm[...] = 0.9 * mm + (1 - 0.9) * g
                    vv[...] = 0.999 * vv + (1 - 0.999) * g * g
                    p -= 0.05 * (mm / (1 - 0.9 ** t)) / (np.sqrt(vv / (1 - 0.999 ** t)) + 1e-8)
    w1, b1, w2, b2 = params
    return sigmoid(np.maximum(x @ w1 + b1, 0.0) @ w2 + b2)[:, 0]


for stream, opt in [("numpy", "gd"), ("numpy", "adam"), ("python", "gd"), ("python", "momentum")]:
    out = train(stream, opt)
    print("static const double ref_%s_%s[%d] = {" % (stream, opt, N))
    for i in range(0, N, 3):
        print("    " + " ".join("%.17g," % v for v in out[i:i + 3]))
    print("};")
