"""scikit-learn's MLP training policy, epoch by epoch: the learning rate of
its 'sgd' and 'adam' optimizers and its stopping rule on ``tol`` and
``n_iter_no_change``, as scikit-learn 1.2 writes them
(sklearn/neural_network/_stochastic_optimizers.py, and
BaseMultilayerPerceptron._update_no_improvement_count and _fit_stochastic).
The C library runs the epochs (xn_fit); after each one it calls
``Policy.epoch_end``, which decides whether to stop and the rate of the
epochs after.  Nothing here needs scikit-learn.
"""

import warnings


class Rate:
    """The learning rate of scikit-learn's SGDOptimizer or AdamOptimizer.

    'constant' keeps learning_rate_init; 'invscaling' (sgd) sets it to
    learning_rate_init / (t + 1) ** power_t after each epoch, t the samples
    seen (the estimator's t_); 'adaptive' (sgd) divides it by 5 when the
    stopping rule fires, and stops once it is at most 1e-6.  Adam's rate is
    constant; its bias corrections are the library's (eps_raw).
    """

    def __init__(self, solver, learning_rate_init, schedule, power_t):
        self.solver = solver
        self.learning_rate_init = learning_rate_init
        self.schedule = schedule if solver == "sgd" else "constant"
        self.power_t = power_t
        self.learning_rate = float(learning_rate_init)

    def iteration_ends(self, time_step):
        if self.schedule == "invscaling":
            self.learning_rate = float(self.learning_rate_init) / (time_step + 1) ** self.power_t

    def trigger_stopping(self, msg, verbose):
        """Whether to stop when the loss or score has stalled (else the
        rate has been divided by 5)."""
        if self.schedule != "adaptive":
            if verbose:
                print(msg + " Stopping.")
            return True
        if self.learning_rate <= 1e-6:
            if verbose:
                print(msg + " Learning rate too small. Stopping.")
            return True
        self.learning_rate /= 5.0
        if verbose:
            print(msg + " Setting learning rate to %f" % self.learning_rate)
        return False


def update_no_improvement_count(est, early_stopping, X_val, y_val):
    """scikit-learn's bookkeeping after an epoch: the validation score and
    the best weights (early stopping), or the best training loss; the count
    of epochs without an improvement of at least tol."""
    if early_stopping:
        est.validation_scores_.append(est._score(X_val, y_val))
        if est.verbose:
            print("Validation score: %f" % est.validation_scores_[-1])
        last = est.validation_scores_[-1]
        if last < est.best_validation_score_ + est.tol:
            est._no_improvement_count += 1
        else:
            est._no_improvement_count = 0
        if last > est.best_validation_score_:
            est.best_validation_score_ = last
            est._best_coefs = [c.copy() for c in est.coefs_]
            est._best_intercepts = [i.copy() for i in est.intercepts_]
    else:
        if est.loss_curve_[-1] > est.best_loss_ - est.tol:
            est._no_improvement_count += 1
        else:
            est._no_improvement_count = 0
        if est.loss_curve_[-1] < est.best_loss_:
            est.best_loss_ = est.loss_curve_[-1]


class Policy:
    """What happens after each epoch of a fit: the estimator's counters and
    loss curve, the stopping rule, the rate.  ``epoch_end`` is the on_epoch
    callback of Net.fit: it returns True to stop."""

    def __init__(self, est, net, n_samples, loss_outputs, early_stopping, incremental, X_val, y_val,
                 convergence_warning):
        self.est = est
        self.net = net
        self.n_samples = n_samples
        self.loss_outputs = loss_outputs
        self.early_stopping = early_stopping
        self.incremental = incremental
        self.X_val = X_val
        self.y_val = y_val
        self.convergence_warning = convergence_warning

    def epoch_end(self, progress):
        est = self.est
        loss = progress["loss"]
        if self.loss_outputs > 1:
            # scikit-learn's squared loss reports the mean over all outputs
            # (its gradient is that of the sum over a row's outputs, the
            # library's sse): the data part divided by K, the penalty kept
            pen = progress["penalty"]
            loss = (loss - pen) / self.loss_outputs + pen
        est.n_iter_ += 1
        est.loss_ = loss
        est.t_ += self.n_samples
        est.loss_curve_.append(loss)
        if est.verbose:
            print("Iteration %d, loss = %.8f" % (est.n_iter_, est.loss_))
        update_no_improvement_count(est, self.early_stopping, self.X_val, self.y_val)
        rate = est._optimizer
        rate.iteration_ends(est.t_)
        if est._no_improvement_count > est.n_iter_no_change:
            if self.early_stopping:
                msg = ("Validation score did not improve more than tol=%f for %d consecutive epochs."
                       % (est.tol, est.n_iter_no_change))
            else:
                msg = ("Training loss did not improve more than tol=%f for %d consecutive epochs."
                       % (est.tol, est.n_iter_no_change))
            if rate.trigger_stopping(msg, est.verbose):
                return True
            est._no_improvement_count = 0
        if self.incremental:
            return True
        if est.n_iter_ == est.max_iter:
            warnings.warn("Stochastic Optimizer: Maximum iterations (%d) reached and the "
                          "optimization hasn't converged yet." % est.max_iter, self.convergence_warning)
        if rate.learning_rate != progress["lr"]:
            self.net.set_lr(rate.learning_rate)
        return False
