"""xornet.MLPClassifier and xornet.MLPRegressor: scikit-learn 1.2's
sklearn.neural_network estimators, with the same parameters, defaults,
fitted attributes and methods, trained by the C library.

The estimator layer keeps scikit-learn's policy: input validation and label
handling (LabelBinarizer), the initialization draws (Glorot uniform from the
estimator's RandomState, factor 2 for 'logistic'), batch_size='auto',
warm_start, partial_fit, the early-stopping split (train_test_split,
stratified) and the stopping rule (_policy.py).  The epochs run in C
(Net.fit over xn_fit) with the GIL released: the shuffles continue the
RandomState's own stream (xn_rng_shuffle of the previous order, as
sklearn.utils.shuffle of its sample index), Adam adds epsilon to the
uncorrected sqrt(v) (eps_raw), 'sgd' is momentum with or without Nesterov's
form, alpha is the loss-level L2 penalty (l2), and the losses are the ones
scikit-learn differentiates: sse (regression), cce (multi-class), bce_sum
(binary and multi-label).  coefs_ and intercepts_ are views of the
network's parameters.  docs/python.md says which settings repeat
scikit-learn number for number.
"""

import warnings

import numpy as np
import scipy.sparse
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import _check_partial_fit_first_call, type_of_target, unique_labels
from sklearn.utils.validation import check_is_fitted

from . import _policy
from ._xornet import Net, NumericError, Rng

try:  # scikit-learn >= 1.2 validates parameters from these declarations
    from numbers import Integral, Real

    from sklearn.utils._param_validation import Interval, Options, StrOptions
    _CONSTRAINTS = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions({"identity", "logistic", "tanh", "relu"})],
        "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "dtype": [None, StrOptions({"float64", "float32"})],
    }
except ImportError:  # pragma: no cover
    _CONSTRAINTS = {}

_ACT = {"identity": "identity", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu"}
_LOSS = {"identity": "sse", "softmax": "cce", "logistic": "bce_sum"}


class _BaseMLP(BaseEstimator):
    _parameter_constraints = _CONSTRAINTS

    # scikit-learn's parameters and defaults, the same for both estimators
    # (BaseEstimator reads their names from this signature)
    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam", alpha=0.0001,
                 batch_size="auto", learning_rate="constant", learning_rate_init=0.001, power_t=0.5,
                 max_iter=200, shuffle=True, random_state=None, tol=1e-4, verbose=False, warm_start=False,
                 momentum=0.9, nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1,
                 beta_1=0.9, beta_2=0.999, epsilon=1e-8, n_iter_no_change=10, max_fun=15000, dtype=None):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dtype = dtype

    # ---- the network and its parameters ----------------------------------

    def _bind(self):
        """coefs_ and intercepts_ as views of the network's parameters."""
        self.coefs_ = self._net.coefs()
        self.intercepts_ = self._net.intercepts()
        self._views = (list(self.coefs_), list(self.intercepts_))

    def _sync(self):
        """Arrays the user put in coefs_ or intercepts_ (scikit-learn reads
        them at every call) become the network's parameters."""
        vc, vi = self._views
        if (len(self.coefs_) == len(vc) and all(a is b for a, b in zip(self.coefs_, vc))
                and all(a is b for a, b in zip(self.intercepts_, vi))):
            return
        if len(self.coefs_) != len(vc) or len(self.intercepts_) != len(vi):
            raise ValueError("coefs_ and intercepts_ must keep one array a layer (%d)" % len(vc))
        for dst, src in zip(vc + vi, list(self.coefs_) + list(self.intercepts_)):
            dst[...] = src

    def _init_coef(self, fan_in, fan_out, dtype):
        # scikit-learn's Glorot uniform: factor 6, or 2 for 'logistic'; the
        # biases drawn right after the weights from the same RandomState
        factor = 2.0 if self.activation == "logistic" else 6.0
        init_bound = np.sqrt(factor / (fan_in + fan_out))
        coef_init = self._random_state.uniform(-init_bound, init_bound, (fan_in, fan_out))
        intercept_init = self._random_state.uniform(-init_bound, init_bound, fan_out)
        return coef_init.astype(dtype, copy=False), intercept_init.astype(dtype, copy=False)

    def _initialize(self, y, layer_units, dtype):
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = y.shape[1]
        self.n_layers_ = len(layer_units)
        if not is_classifier(self):
            self.out_activation_ = "identity"
        elif self._label_binarizer.y_type_ == "multiclass":
            self.out_activation_ = "softmax"
        else:
            self.out_activation_ = "logistic"
        acts = [_ACT[self.activation]] * (self.n_layers_ - 2) + [_ACT.get(self.out_activation_, "softmax")]
        # L-BFGS runs in float64 (the library's solvers difference gradients)
        net_dtype = self.dtype or ("float32" if dtype == np.float32 and self.solver != "lbfgs" else "float64")
        self._net = Net(layer_units, acts, _LOSS[self.out_activation_], dtype=net_dtype)
        _clip_as_sklearn(self._net)
        self._bind()
        for i in range(self.n_layers_ - 1):
            coef, intercept = self._init_coef(layer_units[i], layer_units[i + 1], dtype)
            self.coefs_[i][...] = coef
            self.intercepts_[i][...] = intercept
        if self.solver == "lbfgs":  # scikit-learn keeps no curve for it
            return
        self.loss_curve_ = []
        self._no_improvement_count = 0
        if self.early_stopping:
            self.validation_scores_ = []
            self.best_validation_score_ = -np.inf
            self.best_loss_ = None
        else:
            self.best_loss_ = np.inf
            self.validation_scores_ = None
            self.best_validation_score_ = None

    # ---- fitting ---------------------------------------------------------

    def _fit(self, X, y, incremental=False):
        hidden_layer_sizes = self.hidden_layer_sizes
        if not hasattr(hidden_layer_sizes, "__iter__"):
            hidden_layer_sizes = [hidden_layer_sizes]
        hidden_layer_sizes = list(hidden_layer_sizes)
        if np.any(np.array(hidden_layer_sizes) <= 0):
            raise ValueError("hidden_layer_sizes must be > 0, got %s." % hidden_layer_sizes)
        if self.solver == "lbfgs" and self.dtype == "float32":
            raise ValueError("solver='lbfgs' trains in float64: dtype='float32' is for 'adam' and 'sgd'")
        first_pass = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
        X, y = self._validate_input(X, y, incremental, reset=first_pass)
        X = _dense(X)
        n_samples, n_features = X.shape
        if y.ndim == 1:
            y = y.reshape((-1, 1))
        self.n_outputs_ = y.shape[1]
        layer_units = [n_features] + hidden_layer_sizes + [self.n_outputs_]
        self._random_state = check_random_state(self.random_state)
        if first_pass:
            self._initialize(y, layer_units, X.dtype)
        else:
            self._sync()
            self._bind()
        if self.solver == "lbfgs":
            self._fit_lbfgs(X, y)
        else:
            self._fit_stochastic(X, y, incremental)
        if not all(np.isfinite(w).all() for w in self.coefs_ + self.intercepts_):
            raise ValueError("Solver produced non-finite parameter weights. The input data may"
                             " contain large values and need to be preprocessed.")
        return self

    def _fit_lbfgs(self, X, y):
        """scikit-learn's lbfgs solver: the loss plus (alpha / 2n) times the
        squared weights minimized by the library's L-BFGS, which takes
        L-BFGS-B's steps (its first step, Moré and Thuente's line search
        with its constants, its curvature test and restart) and SciPy's
        tests: max_iter iterations, max_fun evaluations, tol on the largest
        gradient component, the relative decrease 2.2e-9 (factr 1e7).  The
        weights, n_iter_ and loss_ are scikit-learn's to rounding, which
        long runs amplify (docs/python.md)."""
        net = self._net
        n_samples = X.shape[0]
        net.set_optimizer(kind="lbfgs", weight_decay=self.alpha / n_samples, gtol=self.tol, max_evals=self.max_fun)
        X = np.ascontiguousarray(X, dtype=np.float64)
        y = np.ascontiguousarray(y, dtype=np.float64)
        try:
            net.fit(X, y, self.max_iter, batch=0)
        except NumericError:
            raise ValueError("Solver produced non-finite parameter weights. The input data may"
                             " contain large values and need to be preprocessed.") from None
        report = net.solver_report
        self.n_iter_ = report["iterations"]
        self.loss_ = report["objective"]
        if self.out_activation_ == "identity" and self.n_outputs_ > 1:
            # scikit-learn's value for several outputs averages the squared
            # errors over them too (its gradient does not: it is the sum's)
            penalty = 0.5 * self.alpha * sum(np.dot(w.ravel(), w.ravel()) for w in self.coefs_) / n_samples
            self.loss_ = (self.loss_ - penalty) / self.n_outputs_ + penalty
        # SciPy's verdict: the status from the limits, tested before
        # convergence (a run converging in its last iteration still reached
        # one), the words from how L-BFGS-B ended
        limit = self.n_iter_ >= self.max_iter or report["evaluations"] > self.max_fun
        if report["stop"] == "line_search":
            status, why = (1 if limit else 2), "ABNORMAL_TERMINATION_IN_LNSRCH"
        elif self.n_iter_ >= self.max_iter:
            status, why = 1, "STOP: TOTAL NO. of ITERATIONS REACHED LIMIT"
        elif report["evaluations"] > self.max_fun:
            status, why = 1, "STOP: TOTAL NO. of f AND g EVALUATIONS EXCEEDS LIMIT"
        else:
            return
        warnings.warn("lbfgs failed to converge (status=%d):\n%s.\n\nIncrease the number of iterations "
                      "(max_iter) or scale the data as shown in:\n    "
                      "https://scikit-learn.org/stable/modules/preprocessing.html" % (status, why),
                      ConvergenceWarning, stacklevel=3)

    def _fit_stochastic(self, X, y, incremental):
        net = self._net
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = _policy.Rate(self.solver, self.learning_rate_init, self.learning_rate,
                                           self.power_t)
            if self.solver == "sgd":
                net.set_optimizer(kind="momentum", lr=self.learning_rate_init, momentum=self.momentum,
                                  nesterov=self.nesterovs_momentum, l2=self.alpha)
            else:
                net.set_optimizer(kind="adam", lr=self.learning_rate_init, beta1=self.beta_1,
                                  beta2=self.beta_2, eps=self.epsilon, eps_raw=True, l2=self.alpha)
        net.set_lr(self._optimizer.learning_rate)
        early_stopping = self.early_stopping and not incremental
        X_val = y_val = None
        if early_stopping:
            # don't stratify in multilabel classification
            stratify = y if is_classifier(self) and self.n_outputs_ == 1 else None
            X, X_val, y, y_val = train_test_split(X, y, random_state=self._random_state,
                                                  test_size=self.validation_fraction, stratify=stratify)
            if is_classifier(self):
                y_val = self._label_binarizer.inverse_transform(y_val)
        n_samples = X.shape[0]
        if self.batch_size == "auto":
            batch_size = min(200, n_samples)
        else:
            if self.batch_size > n_samples:
                warnings.warn("Got `batch_size` less than 1 or larger than sample size. It is going "
                              "to be clipped")
            batch_size = int(np.clip(self.batch_size, 1, n_samples))
        # the targets in the rows' type, as the library takes them
        rows_dtype = np.float32 if X.dtype == np.float32 and net.dtype == "float32" else np.float64
        X = np.ascontiguousarray(X, dtype=rows_dtype)
        y = np.ascontiguousarray(y, dtype=rows_dtype)
        outputs = self.n_outputs_ if self.out_activation_ == "identity" else 1
        policy = _policy.Policy(self, net, n_samples, outputs, early_stopping, incremental, X_val, y_val,
                                ConvergenceWarning)
        # the shuffles continue the RandomState's stream, which gets it back
        rng = Rng("numpy")
        rng.set_state(self._random_state.get_state())
        try:
            net.fit(X, y, 1 if incremental else self.max_iter, batch=batch_size, shuffle=self.shuffle,
                    reshuffle=True, rng=rng, callback_lr=True, on_epoch=policy.epoch_end)
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.")
        except NumericError:
            raise ValueError("Solver produced non-finite parameter weights. The input data may"
                             " contain large values and need to be preprocessed.") from None
        finally:
            self._random_state.set_state(rng.get_state())
        if early_stopping:
            for dst, src in zip(self.coefs_ + self.intercepts_, self._best_coefs + self._best_intercepts):
                dst[...] = src

    def fit(self, X, y):
        """Fit the model to data matrix X and target(s) y (scikit-learn's
        MLP fit, run by the C library)."""
        if _CONSTRAINTS:
            self._validate_params()
        return self._fit(X, y, incremental=False)

    def _check_solver(self):
        if self.solver not in ("sgd", "adam"):
            raise AttributeError("partial_fit is only available for stochastic optimizers. %s is not "
                                 "stochastic." % self.solver)
        return True

    # ---- prediction ------------------------------------------------------

    def _forward_pass_fast(self, X, check_input=True):
        if check_input:
            X = self._validate_data(X, accept_sparse=["csr", "csc"], reset=False)
        self._sync()
        return self._net.predict(_dense(X))

    # ---- model files and pickling ----------------------------------------

    def save_model(self, path):
        """Writes the network as a xornet model file, which `xornet predict`
        and `xornet export` read; a classifier's file names its classes
        (str of each of classes_), which load_model reads back."""
        check_is_fitted(self)
        self._sync()
        if is_classifier(self):
            self._net.labels = [str(c) for c in self.classes_]
        self._net.save(path)

    def __getstate__(self):
        # a copy: object.__getstate__ may hand back the instance's own dict
        state = dict(super().__getstate__())
        if "_net" in state:
            self._sync()
            # the views are rebuilt from the network on the way back
            state.pop("coefs_", None)
            state.pop("intercepts_", None)
            state.pop("_views", None)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if "_net" in state:
            self._bind()

    def _more_tags(self):
        return {"multilabel": True} if is_classifier(self) else {}


def _clip_as_sklearn(net):
    """scikit-learn's log losses clip the probabilities to [eps, 1 - eps],
    eps the machine epsilon of their type."""
    if net.loss != "sse":
        net.loss_clip = float(np.finfo(np.float32 if net.dtype == "float32" else np.float64).eps)


def _dense(X):
    """The C library takes dense rows: sparse input is expanded."""
    return X.toarray() if scipy.sparse.issparse(X) else X


_DOC_PARAMS = """
    Parameters are scikit-learn's (sklearn.neural_network), with the same
    defaults and meanings; one more, off by default:

    dtype : {None, 'float64', 'float32'}, default=None
        The network's element type: None follows X's (float32 X trains in
        float32, as scikit-learn does), 'float32' trains any X in float32.
    """


class MLPClassifier(ClassifierMixin, _BaseMLP):
    __doc__ = "Multi-layer Perceptron classifier, scikit-learn's, trained by xornet.\n" + _DOC_PARAMS

    def _validate_input(self, X, y, incremental, reset):
        X, y = self._validate_data(X, y, accept_sparse=["csr", "csc"], multi_output=True,
                                   dtype=(np.float64, np.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if (not hasattr(self, "classes_")) or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start:
                if set(classes) != set(self.classes_):
                    raise ValueError("warm_start can only be used where `y` has the same classes as in "
                                     f"the previous call to fit. Previously got {self.classes_}, `y` has "
                                     f"{classes}")
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(f"`y` has classes not in `self.classes_`. `self.classes_` has "
                                 f"{self.classes_}. 'y' has {classes}.")
        y = self._label_binarizer.transform(y).astype(bool)
        return X, y

    def predict(self, X):
        """Class labels of X."""
        check_is_fitted(self)
        return self._predict(X)

    def _predict(self, X, check_input=True):
        y_pred = self._forward_pass_fast(X, check_input=check_input)
        if self.n_outputs_ == 1:
            y_pred = y_pred.ravel()
        return self._label_binarizer.inverse_transform(y_pred)

    def _score(self, X, y):
        return accuracy_score(y, self._predict(X, check_input=False))

    @available_if(lambda est: est._check_solver())
    def partial_fit(self, X, y, classes=None):
        """One epoch over X, y (classes: every label, on the first call)."""
        if not hasattr(self, "coefs_") and _CONSTRAINTS:
            self._validate_params()
        if _check_partial_fit_first_call(self, classes):
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
        return self._fit(X, y, incremental=True)

    def predict_log_proba(self, X):
        """Logarithms of predict_proba."""
        y_prob = self.predict_proba(X)
        return np.log(y_prob, out=y_prob)

    def predict_proba(self, X):
        """Class probabilities of X, in the order of classes_."""
        check_is_fitted(self)
        y_pred = self._forward_pass_fast(X)
        if self.n_outputs_ == 1:
            y_pred = y_pred.ravel()
        if y_pred.ndim == 1:
            return np.vstack([1 - y_pred, y_pred]).T
        return y_pred

    @classmethod
    def load_model(cls, path, classes=None):
        """A fitted classifier from a xornet model file with a sigmoid or
        softmax output: classes are its labels (default 0..K-1, or 0, 1 for
        one sigmoid output)."""
        return load_model(path, classes, kind=cls)


class MLPRegressor(RegressorMixin, _BaseMLP):
    __doc__ = "Multi-layer Perceptron regressor, scikit-learn's, trained by xornet.\n" + _DOC_PARAMS

    def predict(self, X):
        """Predictions for X."""
        check_is_fitted(self)
        return self._predict(X)

    def _predict(self, X, check_input=True):
        y_pred = self._forward_pass_fast(X, check_input=check_input)
        if y_pred.shape[1] == 1:
            return y_pred.ravel()
        return y_pred

    def _score(self, X, y):
        return r2_score(y, self._predict(X, check_input=False))

    def _validate_input(self, X, y, incremental, reset):
        X, y = self._validate_data(X, y, accept_sparse=["csr", "csc"], multi_output=True, y_numeric=True,
                                   dtype=(np.float64, np.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, y

    # (scikit-learn 1.2's regressor tests the method itself, always true,
    # and runs lbfgs in full; 1.3 tests the solver for both, as here)
    @available_if(lambda est: est._check_solver())
    def partial_fit(self, X, y):
        """One epoch over X, y."""
        if not hasattr(self, "coefs_") and _CONSTRAINTS:
            self._validate_params()
        return self._fit(X, y, incremental=True)

    @classmethod
    def load_model(cls, path):
        """A fitted regressor from a xornet model file with an identity output."""
        return load_model(path, kind=cls)


_ACT_BACK = {v: k for k, v in _ACT.items()}


def _labels_back(labels):
    """A model file's labels as classes: True and False as booleans, whole
    numbers as ints, other numbers as floats, else the strings."""
    if set(labels) <= {"True", "False"}:
        return np.array([v == "True" for v in labels])
    for kind in (int, float):
        try:
            return np.array([kind(v) for v in labels])
        except ValueError:
            pass
    return np.array(labels)


def load_model(path, classes=None, kind=None):
    """An estimator from a xornet model file: an MLPClassifier for a sigmoid
    or softmax output (classes: its labels, default 0..K-1, or 0 and 1 for
    one sigmoid output), an MLPRegressor for an identity one.  It predicts
    and can be trained further (warm_start, partial_fit)."""
    net = Net.load(path)
    sizes, acts = list(net.sizes), list(net.activations)
    hidden = set(acts[:-1])
    if len(hidden) > 1 or not hidden <= set(_ACT_BACK) or acts[-1] not in ("identity", "sigmoid", "softmax"):
        raise ValueError("%s: activations %s are not an MLP of scikit-learn's (one hidden activation, "
                         "an identity, sigmoid or softmax output)" % (path, ",".join(acts)))
    classifier = acts[-1] != "identity"
    if kind is None:
        kind = MLPClassifier if classifier else MLPRegressor
    elif (kind is MLPClassifier) != classifier:
        raise ValueError("%s: a %s output is not a %s's" % (path, acts[-1], kind.__name__))
    est = kind(hidden_layer_sizes=tuple(sizes[1:-1]), activation=_ACT_BACK[acts[0]] if hidden else "relu",
               dtype=net.dtype)
    want = {"identity": "sse", "softmax": "cce", "sigmoid": "bce_sum"}[acts[-1]]
    if net.loss != want:  # the loss scikit-learn differentiates, for further training
        new = Net(sizes, acts, want, dtype=net.dtype)
        new.set_params(net.get_params())
        if net.standardization is not None:
            new.set_standardization(*net.standardization)
        if net.target_standardization is not None:
            new.set_target_standardization(*net.target_standardization)
        new.labels = net.labels
        net = new
    _clip_as_sklearn(net)
    est._net = net
    est.n_features_in_ = sizes[0]
    est.n_layers_ = len(sizes)
    est.n_outputs_ = sizes[-1]
    est.out_activation_ = {"identity": "identity", "sigmoid": "logistic", "softmax": "softmax"}[acts[-1]]
    est.n_iter_ = 0
    est.t_ = 0
    est.loss_curve_ = []
    est.best_loss_ = np.inf
    est.validation_scores_ = None
    est.best_validation_score_ = None
    est._no_improvement_count = 0
    if classifier:
        K = sizes[-1]
        if classes is None and net.labels is not None:
            classes = _labels_back(net.labels)
        labels = np.asarray(classes) if classes is not None else np.arange(2 if K == 1 else K)
        lb = LabelBinarizer()
        lb.fit(labels)
        if (K == 1) != (len(lb.classes_) == 2) or (K > 1 and len(lb.classes_) != K):
            raise ValueError("%s: %d outputs for %d classes" % (path, K, len(lb.classes_)))
        est._label_binarizer = lb
        est.classes_ = lb.classes_
    est._bind()
    return est
