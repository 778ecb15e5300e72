"""xornet.Net and xornet.Rng against the C library and NumPy: the recipe of
net_reference.c run through Python gives its numbers to the bit; the
streams are NumPy's and Python's; arrays are read in place where they can
be; model files round-trip; errors are exceptions with the library's
message."""

import math
import os
import pickle
import random
import subprocess
import threading
import time
import tracemalloc

import numpy as np
import pytest

import xornet

N, D, H, K = 37, 3, 6, 2


def reference_rows():
    # math.sin is the C library's sin; NumPy's vectorized one may differ
    # in the last bit
    x = np.array([[math.sin(0.7 * i + 1.3 * j) for j in range(D)] for i in range(N)])
    y = np.zeros((N, K))
    y[:, 0] = (x[:, 0] + x[:, 1] > 0.0)
    y[:, 1] = 1.0 - y[:, 0]
    return x, y


def child_env():
    """The environment for the programs the tests run: without the
    sanitizer runtime a sanitized build preloads into Python (they have
    their own linked in)."""
    return {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}


def c_numbers():
    """net_reference's lines as {(type, what): array}."""
    out = subprocess.run([os.environ["XORNET_NET_REFERENCE"]], check=True, capture_output=True, text=True,
                         env=child_env())
    lines = {}
    for line in out.stdout.splitlines():
        t, what, *vals = line.split()
        lines[(t, what)] = np.array([float(v) for v in vals])
    return lines


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_net_repeats_the_c_recipe(dtype):
    want = c_numbers()
    x, y = reference_rows()
    net = xornet.Net([D, H, K], ["relu", "softmax"], "cce", dtype=dtype)
    net.init(xornet.Rng("numpy", 3), "glorot_uniform", bias="drawn")
    net.loss_clip = float(np.finfo(np.float64).eps)
    net.set_optimizer(kind="adam", lr=0.01, eps_raw=True, l2=1e-3)
    curve = []

    def halve(p):
        curve.append(p["loss"])
        net.set_lr(p["lr"] / 2)

    rows = (x.astype(np.float32), y.astype(np.float32)) if dtype == "float32" else (x, y)
    result = net.fit(*rows, 5, batch=8, shuffle=True, reshuffle=True, rng=xornet.Rng("numpy", 4),
                     callback_lr=True, on_epoch=halve)
    assert result["epochs"] == 5
    for _ in range(3):
        net.train_step(x[:10], y[:10], {"kind": "momentum", "lr": 0.05, "nesterov": True})
    loss = net.gradient(x, y)
    np.testing.assert_array_equal(curve, want[(dtype, "curve")])
    np.testing.assert_array_equal(net.get_params(), want[(dtype, "params")])
    np.testing.assert_array_equal(net.get_grads(), want[(dtype, "grads")])
    np.testing.assert_array_equal(net.predict(x).ravel(), want[(dtype, "outputs")])
    assert loss == want[(dtype, "loss")][0]
    # the views are the parameters, in the network's type
    assert net.params.dtype == np.dtype(dtype)
    flat = np.concatenate([a.ravel() for a in net.coefs()[:1] + net.intercepts()[:1] + net.coefs()[1:]
                           + net.intercepts()[1:]])
    np.testing.assert_array_equal(flat, net.params)


def test_views_write_through_and_keep_the_net_alive():
    net = xornet.Net([2, 3, 1], ["tanh", "identity"], "mse")
    w = net.coefs()[0]
    w[...] = 0.5
    b = net.intercepts()[1]
    del net
    assert w.base is not None and b.base is w.base  # the Net lives on in the views
    assert float(w.base.get_params()[0]) == 0.5
    p = w.base.predict(np.ones((2, 2)))
    assert p.shape == (2, 1)


def test_streams_are_numpys_and_pythons():
    rs = np.random.RandomState(2024)
    r = xornet.Rng("numpy", 2024)
    assert [r.uniform() for _ in range(5)] == list(rs.random_sample(5))
    assert [r.normal() for _ in range(5)] == list(rs.randn(5))
    np.testing.assert_array_equal(r.permutation(1000), rs.permutation(1000))
    idx = np.arange(100, dtype=np.intp)[::-1].copy()
    ref = idx.copy()
    r.shuffle(idx)
    rs.shuffle(ref)
    np.testing.assert_array_equal(idx, ref)
    # a RandomState's stream continued in C and handed back
    r2 = xornet.Rng("numpy")
    r2.set_state(rs.get_state())
    r2.permutation(77)
    rs.permutation(77)
    back = np.random.RandomState()
    back.set_state(r2.get_state())
    assert back.rand() == rs.rand()
    pr = random.Random(7)
    p = xornet.Rng("python", 7)
    assert [p.uniform() for _ in range(5)] == [pr.random() for _ in range(5)]
    assert p.normal() == pr.gauss(0.0, 1.0)


def test_model_files_and_pickles_round_trip(tmp_path):
    x, y = reference_rows()
    net = xornet.Net([D, H, K], ["tanh", "sigmoid"], "bce_sum")
    net.init_default(5)
    net.set_optimizer(kind="adam", lr=0.02)
    net.fit(x, y, 3, batch=10)
    path = str(tmp_path / "m.xn")
    net.save(path)
    back = xornet.Net.load(path)
    np.testing.assert_array_equal(back.get_params(), net.get_params())
    assert back.loss == "bce_sum" and back.sizes == (D, H, K)
    text = open(path).read()
    np.testing.assert_array_equal(xornet.Net.parse(text).predict(x), net.predict(x))
    # a pickle carries the optimizer's moments: training goes on the same
    again = pickle.loads(pickle.dumps(net))
    net.fit(x, y, 2, batch=10)
    again.fit(x, y, 2, batch=10)
    np.testing.assert_array_equal(again.get_params(), net.get_params())
    clone = net.clone()
    np.testing.assert_array_equal(clone.predict(x), net.predict(x))


def test_errors_carry_the_librarys_message(tmp_path):
    with pytest.raises(ValueError, match="cce needs a softmax output layer, not sigmoid"):
        xornet.Net([2, 3], ["sigmoid"], "cce")
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        xornet.Net([2, 3], ["swish"], "mse")
    bad = tmp_path / "bad.xn"
    bad.write_text("xornet 2\nsizes 2 1\nactivations sigmoid\nloss mse\nW1 2 1\n1\n")
    with pytest.raises(xornet.FormatError, match=r"bad.xn:\d+: "):
        xornet.Net.load(str(bad))
    with pytest.raises(xornet.FileError):
        xornet.Net.load(str(tmp_path / "missing.xn"))
    net = xornet.Net([2, 1], ["sigmoid"], "mse")
    with pytest.raises(xornet.ArgumentError, match="never initialized"):
        net.gradient(np.zeros((3, 2)), np.zeros((3, 1)))
    net.init_default(1)
    with pytest.raises(xornet.NumericError, match="row 2's input is not finite"):
        net.predict(np.array([[0.0, 1.0], [np.nan, 0.0]]))
    with pytest.raises(ValueError, match="3 columns, expected 2"):
        net.predict(np.zeros((4, 3)))


def test_second_order_solvers_settings_and_report():
    """Every xn_opt field travels through the optimizer dict (counts as
    ints); lm and lbfgs report what they did, first-order optimizers
    nothing; fit says why the solver stopped."""
    net = xornet.Net([2, 3, 1], ["tanh", "sigmoid"], "mse")
    net.init_default(2)
    net.set_optimizer(kind="lbfgs", memory=4, max_line_search=7, gtol=1e-9, ftol=0.0, max_evals=500,
                      weight_decay=0.01)
    o = net.optimizer
    assert (o["kind"], o["memory"], o["max_line_search"], o["max_evals"]) == ("lbfgs", 4, 7, 500)
    assert (o["gtol"], o["ftol"], o["weight_decay"]) == (1e-9, 0.0, 0.01)
    assert isinstance(o["memory"], int) and isinstance(o["lm_max_bytes"], int)
    with pytest.raises(ValueError, match="memory must be a whole number"):
        net.set_optimizer(kind="lbfgs", memory=-1)
    with pytest.raises(ValueError, match="memory"):  # the library's check names the field
        net.set_optimizer(kind="lbfgs", memory=0)
    assert net.optimizer["memory"] == 4  # a refused setting changes nothing
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    y = np.array([[0], [1], [1], [0]], float)
    r = net.solver_report
    assert r["iterations"] == 0 and math.isnan(r["objective"])
    res = net.fit(x, y, 3)
    r = net.solver_report
    assert res["stop"] == "max_iter" and res["epochs"] == 3 and r["iterations"] == 3
    assert r["evaluations"] >= 4 and r["objective"] == pytest.approx(
        net.eval_loss(x, y) + 0.005 * sum(float((w ** 2).sum()) for w in net.coefs()), rel=1e-12)
    net.set_optimizer(kind="lm", mu=0.01, mu_max=1e6)
    assert net.optimizer["mu"] == 0.01 and net.solver_report["jacobians"] == 0
    assert net.fit(x, y, 2)["stop"] in ("max_iter", "gtol", "mu_max")
    assert net.solver_report["jacobians"] >= 1
    net.set_optimizer(kind="adam")
    assert net.solver_report is None and net.fit(x, y, 1, batch=4)["stop"] == "none"


def _traced_peak(fn):
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_contiguous_rows_are_not_copied(dtype):
    rng = np.random.RandomState(0)
    x = rng.rand(20000, 50).astype(dtype)
    y = (x[:, :1] > 0.5).astype(dtype)
    net = xornet.Net([50, 8, 1], ["relu", "sigmoid"], "bce", dtype=dtype, max_batch=64)
    net.init_default(1)
    # NumPy's allocations are traced: a copy of x would show as x.nbytes
    assert _traced_peak(lambda: net.predict(x)) < x.nbytes / 4
    assert _traced_peak(lambda: net.fit(x, y, 1, batch=64)) < x.nbytes / 4
    # and the test sees a copy where one is made: a Fortran-ordered array
    xf = np.asfortranarray(x)
    assert _traced_peak(lambda: net.predict(xf)) >= x.nbytes


def test_training_releases_the_gil():
    rng = np.random.RandomState(1)
    x = rng.rand(6000, 64)
    y = (x[:, :10] == x[:, :10].max(axis=1, keepdims=True)).astype(float)
    net = xornet.Net([64, 128, 10], ["relu", "softmax"], "cce")
    net.init_default(2)
    net.set_optimizer(kind="adam")
    done = threading.Event()
    ticks = 0

    def train():
        net.fit(x, y, 8, batch=32)
        done.set()

    t = threading.Thread(target=train)
    t.start()
    while not done.is_set():
        ticks += 1  # runs only while the training thread has let go of the GIL
    t.join()
    # a call holding the GIL for the whole fit would leave this loop a
    # handful of ticks; it ran free instead
    assert ticks > 10000


def test_a_network_in_use_refuses_other_threads():
    x, y = reference_rows()
    net = xornet.Net([D, H, K], ["relu", "softmax"], "cce")
    net.init_default(3)
    inside, go_on = threading.Event(), threading.Event()

    def wait(progress):  # the fit's callback: the network is busy meanwhile
        inside.set()
        go_on.wait(10)

    t = threading.Thread(target=lambda: net.fit(x, y, 1, on_epoch=wait))
    t.start()
    assert inside.wait(10)
    with pytest.raises(RuntimeError, match="in use by another thread"):
        net.predict(x)
    go_on.set()
    t.join()
    assert net.predict(x).shape == (N, K)
    # from its own callback a fit may evaluate the network, not train it
    seen = []

    def evaluate_then_train(progress):
        seen.append(net.eval_loss(x, y))
        net.train_step(x, y)

    with pytest.raises(RuntimeError, match="not train it"):
        net.fit(x, y, 1, on_epoch=evaluate_then_train)
    assert len(seen) == 1


def test_approx_fits_and_reports():
    x = np.linspace(-1, 1, 21)
    f = 1 / (1 + 25 * x * x)
    net, info = xornet.approx(x, f)
    assert info["n"] == 21 and info["solver"] in ("closed form", "dtrtrs")
    np.testing.assert_allclose(net.predict(x[:, None]).ravel(), f, atol=1e-12)
    net, info = xornet.approx(x, f, 6)
    assert info["n"] == 6 and info["solver"] == "dgels"
    assert info["resid_max"] == pytest.approx(np.abs(net.predict(x[:, None]).ravel() - f).max(), rel=1e-12)
    net, info = xornet.approx(x, f, "gcv")
    best = min(info["gcv"], key=lambda row: (row[2], row[0]))
    assert info["n"] == best[0]
    with pytest.raises(xornet.ArgumentError):
        xornet.approx(np.array([0.0, 0.0, 1.0]), np.array([1.0, 2.0, 3.0]))
