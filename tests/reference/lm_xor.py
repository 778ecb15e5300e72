#!/usr/bin/env python3
"""Levenberg-Marquardt as MATLAB's trainlm takes its steps, in NumPy: the
reference for tests/test_lm.c.  The 2-2-1 sigmoid networks of notebooks 2
and 3 (docs/models.md) on XOR with the mse loss, drawn from np.random.seed(s)
for s = 1..100 (uniform [0, 1) weights as notebook 2 draws them, or randn
as notebook 3 does: W (out, in), then b, layer by layer), trained for at
most 100 iterations:

    J = d outputs / d parameters, r = outputs - targets
    d = -(J^T J + mu I)^-1 J^T r     (Cholesky)
    mu: 1e-3 at the start; x 0.1 (at least 1e-20) after a step that lowers
        the mse, x 10 after one that does not; stop once mu > 1e10, or when
        the mse's gradient is at most 1e-7 in every component.

Prints one line per seed: the seed, whether all four outputs are on the
right side of 0.5 (1/0), the iterations taken and the final mse (%.17g).

    /usr/bin/python3 tests/reference/lm_xor.py uniform|normal
"""
import sys

import numpy as np

X = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], float)  # the notebooks' row order
Y = np.array([0, 1, 1, 0], float)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def unpack(t):
    # xornet's order: W1 (in, out) row by row, b1, W2, b2
    return t[0:4].reshape(2, 2), t[4:6], t[6:8], t[8]


def outputs(t):
    w1, b1, w2, b2 = unpack(t)
    h = sigmoid(X @ w1 + b1)
    return h, sigmoid(h @ w2 + b2)


def jacobian(t):
    w1, b1, w2, b2 = unpack(t)
    h, a = outputs(t)
    da = a * (1 - a)
    J = np.zeros((4, 9))
    for i in range(4):
        dh = da[i] * w2 * h[i] * (1 - h[i])
        J[i, 0:4] = np.outer(X[i], dh).ravel()
        J[i, 4:6] = dh
        J[i, 6:8] = da[i] * h[i]
        J[i, 8] = da[i]
    return a - Y, J


def mse(t):
    r = outputs(t)[1] - Y
    return r @ r / 4


def lm(t, iterations=100):
    mu, done = 1e-3, 0
    for _ in range(iterations):
        r, J = jacobian(t)
        f, A, b = r @ r / 4, J.T @ J, J.T @ r
        if np.abs(b / 2).max() <= 1e-7:  # the mse's gradient is J^T r * 2/4
            break
        while True:
            L = np.linalg.cholesky(A + mu * np.eye(9))
            d = -np.linalg.solve(L.T, np.linalg.solve(L, b))
            if mse(t + d) < f:
                t, mu = t + d, max(mu * 0.1, 1e-20)
                done += 1
                break
            mu *= 10
            if mu > 1e10:
                return t, done
    return t, done


def start(seed, kind):
    rs = np.random.RandomState(seed)
    draw = rs.random_sample if kind == "uniform" else (lambda shape: rs.randn(*shape))
    w1 = draw((2, 2)).T  # drawn (out, in), used (in, out)
    b1 = draw((2,))
    w2 = draw((1, 2)).T
    b2 = draw((1,))
    return np.concatenate([w1.ravel(), b1, w2.ravel(), b2])


def main(kind):
    for seed in range(1, 101):
        t, done = lm(start(seed, kind))
        a = outputs(t)[1]
        print(seed, int(np.all((a > 0.5) == (Y > 0.5))), done, "%.17g" % mse(t))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "uniform")
