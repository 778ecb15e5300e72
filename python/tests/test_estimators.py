"""xornet.MLPClassifier and MLPRegressor as scikit-learn estimators:
scikit-learn's own check_estimator on both, labels of every kind, pickles
that predict and train on the same, model files that the xornet program
reads, and the extras (dtype)."""

import os
import pickle
import subprocess
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_multilabel_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import check_estimator

import xornet


@pytest.mark.parametrize("Estimator", [xornet.MLPClassifier, xornet.MLPRegressor])
def test_check_estimator(Estimator):
    """Every check of scikit-learn's suite for its estimators passes (with
    pandas installed, the pandas checks run too); a check that does not
    apply, such as one of decision_function, which neither MLP has, says so
    with SkipTest, as it does for scikit-learn's own MLP."""
    import pandas  # noqa: F401  (installed: its checks are not skipped)
    ran, skipped = 0, []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for est, check in check_estimator(Estimator(), generate_only=True):
            name = getattr(check, "func", check).__name__
            try:
                check(est)
                ran += 1
            except Exception as e:  # unittest's SkipTest
                if type(e).__name__ != "SkipTest":
                    raise
                skipped.append(name)
    assert ran > 30
    assert all("decision_function" in name for name in skipped), skipped


def test_labels_of_every_kind():
    X, y = load_iris(return_X_y=True)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = xornet.MLPClassifier(random_state=0, max_iter=300).fit(X, names)
    assert list(clf.classes_) == ["setosa", "versicolor", "virginica"]
    assert clf.out_activation_ == "softmax" and clf.score(X, names) > 0.9
    assert clf.predict_proba(X).shape == (150, 3)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X[:5])), clf.predict_proba(X[:5]))
    binary = xornet.MLPClassifier(random_state=0, max_iter=300).fit(X, y == 2)
    assert binary.out_activation_ == "logistic" and binary.n_outputs_ == 1
    assert binary.predict_proba(X).shape == (150, 2) and binary.predict(X).dtype == bool
    Xm, Ym = make_multilabel_classification(n_samples=200, n_classes=4, random_state=1)
    multi = xornet.MLPClassifier(random_state=0, max_iter=300).fit(Xm, Ym)
    assert multi.predict(Xm).shape == (200, 4) and multi._net.loss == "bce_sum"
    with pytest.raises(ValueError, match="Unknown label type"):
        xornet.MLPClassifier().fit(X, X[:, 0] + 0.5)


def test_pipeline_and_float32():
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), xornet.MLPClassifier(random_state=1, max_iter=400))
    assert pipe.fit(X, y).score(X, y) > 0.95
    X32 = X.astype(np.float32)
    a = xornet.MLPClassifier(random_state=1, max_iter=50).fit(X32, y)
    assert a.coefs_[0].dtype == np.float32 and a._net.dtype == "float32"
    b = xornet.MLPClassifier(random_state=1, max_iter=50, dtype="float32").fit(X, y)
    assert b.coefs_[0].dtype == np.float32
    np.testing.assert_allclose(b.coefs_[0], a.coefs_[0], rtol=1e-4, atol=1e-5)
    # L-BFGS trains in float64 (the library's solvers need it)
    c = xornet.MLPClassifier(solver="lbfgs", random_state=1, max_iter=50).fit(X32, y)
    assert c._net.dtype == "float64" and c.score(X, y) > 0.95
    with pytest.raises(ValueError, match="lbfgs' trains in float64"):
        xornet.MLPClassifier(solver="lbfgs", dtype="float32").fit(X, y)


@pytest.mark.parametrize("Estimator", [xornet.MLPClassifier, xornet.MLPRegressor])
def test_check_estimator_lbfgs(Estimator):
    """With solver='lbfgs' every check of the suite passes but those that
    scikit-learn's own MLP with the same solver fails too (the multi-label
    probabilities of 1.0 that its sigmoid rounds to), and partial_fit is
    absent, as scikit-learn's is for a solver that is not stochastic."""
    from sklearn import neural_network as sknn

    assert not hasattr(Estimator(solver="lbfgs"), "partial_fit")
    theirs = getattr(sknn, Estimator.__name__)(solver="lbfgs")
    failed = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for (est, check), (_, their_check) in zip(check_estimator(Estimator(solver="lbfgs"), generate_only=True),
                                                  check_estimator(theirs, generate_only=True)):
            name = getattr(check, "func", check).__name__
            try:
                check(est)
            except Exception as e:
                if type(e).__name__ == "SkipTest":
                    continue
                failed.append(name)
                with pytest.raises(type(e)):
                    their_check(theirs)
    assert failed == (["check_classifiers_multilabel_output_format_predict_proba"]
                      if Estimator is xornet.MLPClassifier else [])


def test_pickles_predict_and_train_on_the_same():
    X, y = make_regression(n_samples=120, n_features=5, n_targets=2, random_state=0)
    reg = xornet.MLPRegressor(random_state=3, max_iter=30, learning_rate_init=0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X, y)
        back = pickle.loads(pickle.dumps(reg))
        np.testing.assert_array_equal(back.predict(X), reg.predict(X))
        assert back.loss_curve_ == reg.loss_curve_
        # Adam's moments and the rate travel in the pickle: partial_fit
        # goes on alike
        reg.partial_fit(X, y)
        back.partial_fit(X, y)
    np.testing.assert_array_equal(back.predict(X), reg.predict(X))
    for a, b in zip(back.coefs_, reg.coefs_):
        np.testing.assert_array_equal(a, b)
    # coefs_ replaced by the user are what predicts, as in scikit-learn
    back.coefs_ = [np.zeros_like(c) for c in back.coefs_]
    np.testing.assert_allclose(back.predict(X), np.tile(back.intercepts_[-1], (120, 1)))


def test_model_files_the_program_reads(tmp_path):
    X, y = load_iris(return_X_y=True)
    clf = xornet.MLPClassifier(hidden_layer_sizes=(7,), activation="tanh", random_state=2, max_iter=200)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    model = str(tmp_path / "iris.xn")
    clf.save_model(model)
    back = xornet.load_model(model)  # the file names the classes
    assert isinstance(back, xornet.MLPClassifier) and back.hidden_layer_sizes == (7,)
    assert list(back.classes_) == list(clf.classes_)
    np.testing.assert_array_equal(back._net.get_params(), clf._net.get_params())
    # predictions in blocks of another size (the workspace a network has
    # reserved) may round differently in the last bit
    np.testing.assert_allclose(back.predict_proba(X), clf.predict_proba(X), rtol=1e-14, atol=1e-16)
    data = tmp_path / "x.csv"
    np.savetxt(data, X, fmt="%.17g", delimiter=",")
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}  # a sanitized build's, for Python
    out = subprocess.run([os.environ["XORNET_PROGRAM"], "predict", "--model", model, "--data", str(data)],
                         check=True, capture_output=True, text=True, env=env).stdout
    printed = np.array([[float(v) for v in line.split()] for line in out.splitlines()])
    np.testing.assert_allclose(printed, clf.predict_proba(X), rtol=1e-14, atol=1e-16)
    classes = subprocess.run([os.environ["XORNET_PROGRAM"], "predict", "--model", model, "--data", str(data),
                              "--classes"], check=True, capture_output=True, text=True, env=env).stdout.split()
    assert classes == [str(c) for c in clf.predict(X)]
    reg = xornet.MLPRegressor(random_state=0, max_iter=5).fit(X[:, :3], X[:, 3])
    reg.save_model(str(tmp_path / "r.xn"))
    assert isinstance(xornet.load_model(str(tmp_path / "r.xn")), xornet.MLPRegressor)
    with pytest.raises(ValueError, match="not a MLPClassifier's"):
        xornet.MLPClassifier.load_model(str(tmp_path / "r.xn"))
