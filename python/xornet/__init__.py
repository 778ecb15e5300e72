"""xornet from Python: the C library's networks, training and approximation
solver over NumPy arrays, and scikit-learn's MLP estimators on top.

- ``Net``: a network of the C library (``xn_net``): create, initialize,
  predict, loss, gradient, update, training steps, ``fit`` over ``xn_fit``
  with Python callbacks, parameters as NumPy views, model files.
- ``Rng``: the library's Mersenne Twister with the draws of NumPy's legacy
  ``RandomState`` (and Python's ``random``); its state goes in and out in
  NumPy's form.
- ``approx``: the ReLU function-approximation solver.
- ``MLPClassifier``, ``MLPRegressor``: drop-in for scikit-learn's
  (``sklearn.neural_network``), trained by the C library; imported on first
  use, since they need scikit-learn.

C-contiguous float64 arrays (and float32 ones for float32 networks) are read
in place; anything else is converted as NumPy converts it.  Training and
prediction release the GIL.  Errors are ``xornet.Error`` subclasses that are
also the builtin exception they resemble, with the library's message.
See docs/python.md.
"""

import copyreg as _copyreg

from ._xornet import (  # noqa: F401
    ArgumentError,
    DimensionError,
    Error,
    FileError,
    FormatError,
    Net,
    NumericError,
    OutOfMemoryError,
    Rng,
    SingularError,
    approx,
    version,
)

__version__ = version()
__all__ = ["Net", "Rng", "approx", "version", "Error", "ArgumentError", "DimensionError",
           "OutOfMemoryError", "FileError", "FormatError", "SingularError", "NumericError",
           "MLPClassifier", "MLPRegressor", "load_model"]


def _net_state(net):
    """Everything a Net needs to go on as it was: shape, parameters,
    standardization, optimizer and its moments (None before any training)."""
    try:
        moments = net.get_moments()
    except Error:
        moments = None
    return {"sizes": net.sizes, "activations": net.activations, "loss": net.loss,
            "dtype": net.dtype, "kernel": net.kernel, "loss_clip": net.loss_clip, "labels": net.labels,
            "params": net.get_params(),
            "standardization": net.standardization,
            "target_standardization": net.target_standardization,
            "optimizer": net.optimizer, "moments": moments}


def _net_from_state(state):
    net = Net(state["sizes"], state["activations"], state["loss"], dtype=state["dtype"],
              kernel=state["kernel"])
    net.loss_clip = state["loss_clip"]
    net.labels = state["labels"]
    net.set_params(state["params"])
    if state["standardization"] is not None:
        net.set_standardization(*state["standardization"])
    if state["target_standardization"] is not None:
        net.set_target_standardization(*state["target_standardization"])
    net.set_optimizer(**state["optimizer"])
    if state["moments"] is not None:
        net.set_moments(*state["moments"])
    return net


def _reduce_net(net):
    return _net_from_state, (_net_state(net),)


_copyreg.pickle(Net, _reduce_net)


def __getattr__(name):
    # the estimators need scikit-learn: imported when first asked for
    if name in ("MLPClassifier", "MLPRegressor", "load_model"):
        from . import _estimators
        return getattr(_estimators, name)
    raise AttributeError(f"module 'xornet' has no attribute {name!r}")
