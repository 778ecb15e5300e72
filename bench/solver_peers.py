#!/usr/bin/env python3
"""The peers of bench/solver_bench.c on its problems, as rows of its table:

  SciPy least_squares(method='lm')   MINPACK's lmder, with the analytic
                                     Jacobian of the residuals
  SciPy L-BFGS-B                     scipy.optimize.minimize(method='L-BFGS-B'),
                                     the solver scikit-learn's lbfgs calls
  scikit-learn lbfgs                 MLPRegressor / MLPClassifier(solver='lbfgs',
                                     alpha=0, tol=0), its own initialization

    /usr/bin/python3 bench/solver_peers.py [STARTS]

The SciPy rows start from exactly xornet's starts (notebook 2's uniform
[0, 1) draw for xor, xn_net_init_default's uniform draw from
NumPy's RandomState(s) for the curve), on the same rows (data/curve.csv,
data/digits-train.csv), toward the same targets.  Iterations are counted
at the end of each iteration (MINPACK: its Jacobians) and evaluations of
the objective until then; scikit-learn does not report its iterations
before the end, so its rows count evaluations only.  The convergence
tests are off (gtol, ftol and tol 0), so the target decides, as in
solver_bench."""
import math
import os
import sys
import time
import warnings

import numpy as np
import scipy

np.seterr(over="ignore")  # a saturating sigmoid's exp(-z) overflows to inf, and 1/(1+inf) is 0
import sklearn
from scipy.optimize import least_squares, minimize
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
XOR_X = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], float)  # notebook 2's rows
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])


class Net:
    """A 2-layer network as xornet lays it out: W1 (in, hid) row by row,
    b1, W2 (hid, out), b2; hidden and output activations by name."""

    def __init__(self, sizes, hidden, out):
        self.n0, self.n1, self.n2 = sizes
        self.hidden, self.out = hidden, out
        self.P = self.n0 * self.n1 + self.n1 + self.n1 * self.n2 + self.n2

    def unpack(self, t):
        a = self.n0 * self.n1
        b = a + self.n1
        c = b + self.n1 * self.n2
        return t[:a].reshape(self.n0, self.n1), t[a:b], t[b:c].reshape(self.n1, self.n2), t[c:]

    @staticmethod
    def act(name, z):
        return np.tanh(z) if name == "tanh" else 1.0 / (1.0 + np.exp(-z)) if name == "sigmoid" else z

    @staticmethod
    def deriv(name, a):
        return 1.0 - a * a if name == "tanh" else a * (1.0 - a) if name == "sigmoid" else np.ones_like(a)

    def forward(self, t, x):
        w1, b1, w2, b2 = self.unpack(t)
        h = self.act(self.hidden, x @ w1 + b1)
        return h, self.act(self.out, h @ w2 + b2)

    def mse_grad(self, t, x, y):
        """The mse over all outputs and its gradient."""
        w1, b1, w2, b2 = self.unpack(t)
        h, a = self.forward(t, x)
        r = a - y
        dz2 = 2.0 * r / r.size * self.deriv(self.out, a)
        dz1 = (dz2 @ w2.T) * self.deriv(self.hidden, h)
        g = np.concatenate([(x.T @ dz1).ravel(), dz1.sum(0), (h.T @ dz2).ravel(), dz2.sum(0)])
        return float(np.mean(r * r)), g

    def jacobian(self, t, x):
        """d outputs / d parameters, one output: (rows, P)."""
        w1, b1, w2, b2 = self.unpack(t)
        h, a = self.forward(t, x)
        da = self.deriv(self.out, a)[:, 0]
        dh = da[:, None] * w2[:, 0][None, :] * self.deriv(self.hidden, h)
        J = np.empty((x.shape[0], self.P))
        J[:, :self.n0 * self.n1] = (x[:, :, None] * dh[:, None, :]).reshape(x.shape[0], -1)
        J[:, self.n0 * self.n1:self.n0 * self.n1 + self.n1] = dh
        J[:, self.n0 * self.n1 + self.n1:-1] = da[:, None] * h
        J[:, -1] = da
        return J


def xor_start(seed, net):
    rs = np.random.RandomState(seed)  # notebook 2: W (out, in), then b, layer by layer
    w1 = rs.random_sample((2, 2)).T
    b1 = rs.random_sample(2)
    w2 = rs.random_sample((1, 2)).T
    b2 = rs.random_sample(1)
    return np.concatenate([w1.ravel(), b1, w2.ravel(), b2])


def default_start(seed, net):
    """xn_net_init_default: uniform draws in row order from NumPy's
    RandomState(seed), each layer's weights then its biases: Glorot's
    limit sqrt(6 / (in + out)) and zero biases, or for a network of one
    input He's sqrt(6 / in) with the biases drawn too."""
    rs = np.random.RandomState(seed)
    parts = []
    for fi, fo in ((net.n0, net.n1), (net.n1, net.n2)):
        lim = math.sqrt(6.0 / (fi if net.n0 == 1 else fi + fo))
        draw = lambda k: np.array([-lim + (lim - -lim) * rs.random_sample() for _ in range(k)])
        parts += [draw(fi * fo), draw(fo) if net.n0 == 1 else np.zeros(fo)]
    return np.concatenate(parts)


class Watch:
    """Evaluations and time since the start, and the first moment an
    iteration ends at the target."""

    def __init__(self, target):
        self.target, self.evals, self.iters, self.t0 = target, 0, 0, time.perf_counter()
        self.hit = None  # (iterations, evaluations, seconds)

    def iteration_end(self, value):
        self.iters += 1
        if self.hit is None and value <= self.target:
            self.hit = (self.iters, self.evals, time.perf_counter() - self.t0)


def scipy_lm(net, x, y, t, target, cap):
    """MINPACK computes the Jacobian once an iteration, at the point it
    last evaluated (the start, or the trial it accepted): so at the k-th
    Jacobian, k - 1 iterations have ended there."""
    w = Watch(target)
    state = {"last": math.inf, "jacobians": 0}

    def fun(p):
        w.evals += 1
        r = (net.forward(p, x)[1] - y).ravel()
        state["last"] = float(np.mean(r * r))
        return r

    def jac(p):
        if w.hit is None and state["last"] <= target:
            w.hit = (state["jacobians"], w.evals, time.perf_counter() - w.t0)
        state["jacobians"] += 1
        return net.jacobian(p, x)

    try:  # its tolerances may not be 0: the smallest it takes
        least_squares(fun, t, jac=jac, method="lm", max_nfev=cap, ftol=1e-15, xtol=1e-15, gtol=1e-15)
    except ValueError as e:
        return str(e)
    return w


def scipy_lbfgsb(net, x, y, t, target, cap):
    w = Watch(target)
    cache = {}

    def fg(p):
        w.evals += 1
        f, g = net.mse_grad(p, x, y)
        cache["x"], cache["f"] = p.copy(), f
        return f, g

    def callback(p):
        f = cache["f"] if np.array_equal(p, cache["x"]) else net.mse_grad(p, x, y)[0]
        w.iteration_end(f)

    minimize(fg, t, jac=True, method="L-BFGS-B", callback=callback,
             options={"maxiter": cap, "maxfun": 10 * cap, "gtol": 0.0, "ftol": 0.0})
    return w


def sklearn_lbfgs(model, x, y, target):
    """scikit-learn's loss per evaluation of its objective (its own squared
    loss is half the mse); there is no per-iteration hook."""
    w = Watch(target)
    inner = model._loss_grad_lbfgs

    def counted(*args):
        w.evals += 1
        loss, grad = inner(*args)
        if w.hit is None and loss <= target:
            w.hit = (None, w.evals, time.perf_counter() - w.t0)
        return loss, grad

    model._loss_grad_lbfgs = counted
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x, y)
    return w


def row(problem, who, watches, cap, note=""):
    hits = [w.hit for w in watches if not isinstance(w, str) and w.hit]
    if not watches or isinstance(watches[0], str):
        print("| %-7s | %-22s | -       | -      | -          | -           | -           | -         | (%s)"
              % (problem, who, note or watches[0]))
        return
    it = [h[0] for h in hits if h[0] is not None]
    med = lambda v: float(np.median(v)) if v else float("nan")
    per = [h[2] / h[0] for h in hits if h[0]]
    print("| %-7s | %-22s | %3d/%-3d | %6d | %10s | %11.0f | %11.4g | %9s |%s" % (
        problem, who, len(hits), len(watches), cap, "%.0f" % med(it) if it else "-",
        med([h[1] for h in hits]), med([h[2] for h in hits]), "%.4g" % (med(per) * 1e6) if per else "-",
        " " + note if note else ""))


def main(starts):
    print("\nsolver_peers.py: SciPy %s, scikit-learn %s, NumPy %s; OPENBLAS_CORETYPE=%s OPENBLAS_L2_SIZE=%s" % (
        scipy.__version__, sklearn.__version__, np.__version__, os.environ.get("OPENBLAS_CORETYPE", "(unset)"),
        os.environ.get("OPENBLAS_L2_SIZE", "(unset)")))
    seeds = range(1, starts + 1)
    xor = Net((2, 2, 1), "sigmoid", "sigmoid")
    row("xor", "SciPy lm (MINPACK)", [scipy_lm(xor, XOR_X, XOR_Y, xor_start(1, xor), 1e-3, 200)], 200,
        "refused: fewer residuals than parameters")
    row("xor", "SciPy L-BFGS-B", [scipy_lbfgsb(xor, XOR_X, XOR_Y, xor_start(s, xor), 1e-3, 1000)
                                  for s in seeds], 1000)
    print("| %-7s | %-22s | -       | -      | -          | -           | -           | -         | "
          "(n/a: MLPClassifier trains log-loss, MLPRegressor has no sigmoid output)" % ("xor", "scikit-learn lbfgs"))
    rows = np.loadtxt(os.path.join(DATA, "curve.csv"), delimiter=",", skiprows=2)
    cx, cy = rows[:, :1], rows[:, 1:]
    curve = Net((1, 10, 1), "tanh", "identity")
    target = 0.105 ** 2
    row("curve", "SciPy lm (MINPACK)", [scipy_lm(curve, cx, cy, default_start(s, curve), target, 2000)
                                        for s in seeds], 2000)
    row("curve", "SciPy L-BFGS-B", [scipy_lbfgsb(curve, cx, cy, default_start(s, curve), target, 2000)
                                    for s in seeds], 2000)
    row("curve", "scikit-learn lbfgs", [sklearn_lbfgs(
        MLPRegressor(hidden_layer_sizes=(10,), activation="tanh", solver="lbfgs", alpha=0.0, tol=0.0,
                     max_iter=2000, random_state=s), cx, cy.ravel(), target / 2) for s in seeds], 2000,
        "its own starts")
    d = np.loadtxt(os.path.join(DATA, "digits-train.csv"), delimiter=",", skiprows=2)
    dx, dy = StandardScaler().fit_transform(d[:, :-1]), d[:, -1].astype(int)
    row("digits", "scikit-learn lbfgs", [sklearn_lbfgs(
        MLPClassifier(hidden_layer_sizes=(32,), solver="lbfgs", alpha=0.0, tol=0.0, max_iter=1000,
                      random_state=s), dx, dy, 1e-3) for s in seeds], 1000, "its own starts")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
