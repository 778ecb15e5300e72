"""xornet's estimators repeat scikit-learn's number for number: for each
setting of the grid both are fitted here, live, with the same parameters
and random_state, and coefs_, intercepts_ and loss_curve_ must agree to
1e-9 (normwise relative) and n_iter_ exactly: Adam and SGD with every
learning-rate schedule, with and without (Nesterov) momentum; multi-class,
binary, multi-label and regression (one and several outputs); every hidden
activation; with and without shuffling and alpha; batch sizes that leave a
short last batch; and early stopping (the split, the validation scores and
the best weights kept), warm starts, partial_fit and the three kinds of
random_state."""

import warnings

import numpy as np
import pytest
from sklearn import neural_network as sknn
from sklearn.datasets import (load_breast_cancer, load_digits, load_iris, make_multilabel_classification,
                              make_regression)
from sklearn.exceptions import ConvergenceWarning

import xornet

TOL = 1e-9


def rel(a, b):
    a = np.concatenate([np.ravel(v) for v in a])
    b = np.concatenate([np.ravel(v) for v in b])
    return np.linalg.norm(a - b) / np.linalg.norm(b)


def assert_same(ours, theirs):
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.t_ == theirs.t_
    assert rel(ours.coefs_, theirs.coefs_) <= TOL
    assert rel(ours.intercepts_, theirs.intercepts_) <= TOL
    assert rel([ours.loss_curve_], [theirs.loss_curve_]) <= TOL
    if theirs.validation_scores_ is not None:
        assert rel([ours.validation_scores_], [theirs.validation_scores_]) <= TOL
        assert ours.best_validation_score_ == pytest.approx(theirs.best_validation_score_, rel=TOL)
    else:
        assert ours.best_loss_ == pytest.approx(theirs.best_loss_, rel=TOL)


def data(kind):
    if kind == "multiclass":
        return load_iris(return_X_y=True)
    if kind == "multiclass_huge":  # inputs no line search can step along
        X, y = load_iris(return_X_y=True)
        return X * 1e6, y
    if kind == "digits":
        X, y = load_digits(return_X_y=True)
        return X[:600], y[:600]
    if kind == "binary":
        X, y = load_breast_cancer(return_X_y=True)
        return (X - X.mean(0)) / X.std(0), y
    if kind == "multilabel":
        return make_multilabel_classification(n_samples=250, n_features=8, n_classes=4, random_state=0)
    if kind == "regression":
        X, y = make_regression(n_samples=240, n_features=6, noise=3.0, random_state=1)
        return X, y / 50
    X, y = make_regression(n_samples=240, n_features=6, n_targets=3, noise=3.0, random_state=2)
    return X, y / 50


def fit_both(kind, **params):
    X, y = data(kind)
    name = "MLPRegressor" if kind.startswith("regression") else "MLPClassifier"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = getattr(sknn, name)(**params).fit(X, y)
        ours = getattr(xornet, name)(**params).fit(X, y)
    return ours, theirs


GRID = [
    ("multiclass", dict(random_state=0, max_iter=150)),
    ("digits", dict(random_state=1, max_iter=60, hidden_layer_sizes=(40, 20))),
    ("binary", dict(random_state=2, max_iter=80, activation="tanh", alpha=0.01)),
    ("multilabel", dict(random_state=3, max_iter=100, activation="logistic")),
    ("regression", dict(random_state=4, max_iter=120, learning_rate_init=0.01, alpha=0.0)),
    ("regression3", dict(random_state=5, max_iter=120, learning_rate_init=0.01, activation="identity")),
    ("multiclass", dict(solver="sgd", random_state=6, max_iter=120)),
    ("multiclass", dict(solver="sgd", nesterovs_momentum=False, random_state=7, max_iter=120, shuffle=False)),
    ("binary", dict(solver="sgd", momentum=0.0, random_state=8, max_iter=60, batch_size=37)),
    ("multiclass", dict(solver="sgd", learning_rate="invscaling", learning_rate_init=0.5, random_state=9,
                        max_iter=120)),
    ("multilabel", dict(solver="sgd", learning_rate="adaptive", learning_rate_init=0.05, random_state=10,
                        max_iter=200, tol=1e-3, n_iter_no_change=3)),
    ("regression3", dict(solver="sgd", learning_rate="invscaling", learning_rate_init=0.01, power_t=0.25,
                         random_state=11, max_iter=100, alpha=1.0)),
    ("regression", dict(solver="sgd", learning_rate="adaptive", momentum=0.5, nesterovs_momentum=False,
                        learning_rate_init=0.01, random_state=12, max_iter=150, activation="logistic")),
    ("digits", dict(solver="adam", beta_1=0.5, beta_2=0.9, epsilon=1e-6, random_state=13, max_iter=40,
                    batch_size=64, shuffle=False)),
    ("multiclass", dict(early_stopping=True, random_state=14, max_iter=300)),
    ("regression3", dict(early_stopping=True, validation_fraction=0.2, learning_rate_init=0.01,
                         random_state=15, max_iter=300)),
    ("binary", dict(early_stopping=True, solver="sgd", learning_rate="adaptive", random_state=16,
                    max_iter=100)),
]


@pytest.mark.parametrize("kind,params", GRID, ids=[f"{k}-{i}" for i, (k, _) in enumerate(GRID)])
def test_fit_repeats_scikit_learn(kind, params):
    ours, theirs = fit_both(kind, **params)
    assert_same(ours, theirs)
    X, _ = data(kind)
    np.testing.assert_allclose(ours.predict(X) if kind.startswith("regression") else ours.predict_proba(X),
                               theirs.predict(X) if kind.startswith("regression") else theirs.predict_proba(X),
                               rtol=1e-7, atol=1e-12)


def test_warm_start_and_partial_fit():
    X, y = load_iris(return_X_y=True)
    params = dict(warm_start=True, solver="sgd", learning_rate="invscaling", learning_rate_init=0.2,
                  random_state=3, max_iter=15)
    ours, theirs = xornet.MLPClassifier(**params), sknn.MLPClassifier(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for _ in range(3):
            ours.fit(X, y)
            theirs.fit(X, y)
            assert_same(ours, theirs)
    ours, theirs = xornet.MLPRegressor(random_state=4), sknn.MLPRegressor(random_state=4)
    Xr, yr = data("regression")
    for i in range(6):
        ours.partial_fit(Xr[i * 40:(i + 1) * 40], yr[i * 40:(i + 1) * 40])
        theirs.partial_fit(Xr[i * 40:(i + 1) * 40], yr[i * 40:(i + 1) * 40])
    assert_same(ours, theirs)


def test_every_kind_of_random_state():
    X, y = load_iris(return_X_y=True)
    np.random.seed(21)
    theirs = sknn.MLPClassifier(max_iter=40).fit(X, y)
    after_theirs = np.random.get_state()[1].copy()
    np.random.seed(21)
    ours = xornet.MLPClassifier(max_iter=40).fit(X, y)
    assert_same(ours, theirs)
    # the global stream moved on as scikit-learn moved it
    np.testing.assert_array_equal(np.random.get_state()[1], after_theirs)
    rs_ours, rs_theirs = np.random.RandomState(22), np.random.RandomState(22)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert_same(xornet.MLPClassifier(max_iter=40, random_state=rs_ours).fit(X, y),
                    sknn.MLPClassifier(max_iter=40, random_state=rs_theirs).fit(X, y))
    assert rs_ours.rand() == rs_theirs.rand()


# solver='lbfgs': the library's L-BFGS takes L-BFGS-B's steps (src/solve),
# so the run is scikit-learn's, iteration and evaluation for evaluation
# (SciPy's nit and nfev, read from its result).  Rounding differs (two
# loops for L-BFGS-B's compact form) and a long run amplifies it: iris'
# 4-100-3 network from random_state 0 agrees to 1e-15 after 15
# iterations, 1e-11 after 40, 2e-7 after 60, so the runs here stop
# before it reaches TOL.  With several regression outputs scikit-learn's
# value averages over them and its gradient does not; the library
# minimizes the consistent objective, whose line search decides alike on
# regression3's problem.
LBFGS_GRID = [
    ("multiclass", dict(solver="lbfgs", random_state=0, max_iter=40)),
    ("digits", dict(solver="lbfgs", random_state=1, max_iter=40, hidden_layer_sizes=(40, 20))),
    ("binary", dict(solver="lbfgs", random_state=2, activation="tanh", alpha=0.01)),
    ("multilabel", dict(solver="lbfgs", random_state=3, max_iter=50, activation="logistic")),
    ("regression", dict(solver="lbfgs", random_state=4, max_iter=60, alpha=0.0)),
    ("regression3", dict(solver="lbfgs", random_state=5, max_iter=60, activation="identity")),
    ("multiclass", dict(solver="lbfgs", random_state=6, max_fun=40, hidden_layer_sizes=(20,))),
    ("binary", dict(solver="lbfgs", random_state=7, tol=1e-2, hidden_layer_sizes=(5,))),
    ("multiclass_huge", dict(solver="lbfgs", random_state=0, max_fun=5)),
]


def lbfgs_both(kind, params, monkeypatch):
    """Both fitted, with SciPy's result (nfev, message) kept."""
    import scipy.optimize

    seen = {}
    minimize = scipy.optimize.minimize

    def spy(*args, **kwargs):
        seen["result"] = minimize(*args, **kwargs)
        return seen["result"]

    monkeypatch.setattr(scipy.optimize, "minimize", spy)
    X, y = data(kind)
    name = "MLPRegressor" if kind.startswith("regression") else "MLPClassifier"
    with warnings.catch_warnings(record=True) as w_theirs:
        warnings.simplefilter("always", ConvergenceWarning)
        theirs = getattr(sknn, name)(**params).fit(X, y)
    with warnings.catch_warnings(record=True) as w_ours:
        warnings.simplefilter("always", ConvergenceWarning)
        ours = getattr(xornet, name)(**params).fit(X, y)
    return ours, theirs, seen["result"], [str(w.message) for w in w_ours], [str(w.message) for w in w_theirs]


@pytest.mark.parametrize("kind,params", LBFGS_GRID, ids=[f"{k}-{i}" for i, (k, _) in enumerate(LBFGS_GRID)])
def test_lbfgs_repeats_scikit_learn(kind, params, monkeypatch):
    ours, theirs, result, warned_ours, warned_theirs = lbfgs_both(kind, params, monkeypatch)
    assert ours.n_iter_ == theirs.n_iter_ == result.nit
    assert ours._net.solver_report["evaluations"] == result.nfev
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=TOL)
    assert rel(ours.coefs_, theirs.coefs_) <= TOL
    assert rel(ours.intercepts_, theirs.intercepts_) <= TOL
    assert warned_ours == warned_theirs
    assert not hasattr(ours, "loss_curve_") and not hasattr(theirs, "loss_curve_")
