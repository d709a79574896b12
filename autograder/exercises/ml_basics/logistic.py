"""Chapter 01_ml_basics, part 3: logistic regression from scratch (a stable sigmoid, the loss,
its gradient, gradient descent)."""

from __future__ import annotations

import numpy as np

from ...compare import Verdict, allclose
from ...registry import Case, Exercise, Mistake
from ..common import labels as _labels

# --- sigmoid -----------------------------------------------------------------------------------

def _sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _invoke_sigmoid(fn, z):
    # NumPy only warns on overflow; a warning in a notebook is what "unstable" looks like, so
    # the check makes it an error it can report.
    with np.errstate(over="raise", invalid="raise"):
        try:
            return fn(z)
        except FloatingPointError as exc:
            return {"floating_point_error": str(exc)}


_SIGMOID_VALUES = allclose(rtol=1e-9, atol=1e-300)


def _compare_sigmoid(got, expected) -> Verdict:
    got_fpe = isinstance(got, dict) and "floating_point_error" in got
    if isinstance(expected, dict):
        return Verdict(got_fpe)
    if got_fpe:
        return Verdict(False, f"NumPy reported '{got['floating_point_error']}' while your "
                       "function ran (in a notebook it shows as a RuntimeWarning)")
    return _SIGMOID_VALUES(got, expected)


def _sigmoid_naive(z):
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def _sigmoid_clip_z(z):
    return _sigmoid(np.clip(np.asarray(z, dtype=float), -30.0, 30.0))


def _sigmoid_clip_z500(z):
    return _sigmoid(np.clip(np.asarray(z, dtype=float), -500.0, 500.0))


def _sigmoid_clip_p(z):
    return np.clip(_sigmoid(z), 1e-7, 1 - 1e-7)


def _sigmoid_public(rng):
    yield Case((np.array([-2.0, -1.0, 0.0, 1.0, 2.0]),), label="five moderate values")
    yield Case((rng.normal(0.0, 4.0, size=(3, 4)),), label="a 3 x 4 array")
    yield Case((np.array([-1000.0, -50.0, 50.0, 1000.0]),), label="very large |z|")
    yield Case((2.0,), label="a single number")


def _sigmoid_hidden(rng):
    yield Case((0.0,), label="a single number")
    yield Case((np.array([-40.0, -25.0, -20.0, 20.0, 25.0, 40.0]),), label="the tails")
    yield Case((rng.normal(0.0, 300.0, size=(50,)),), label="a mix of huge positive and negative z")
    yield Case((np.array([[-800.0, 700.0], [-1.5, 0.25]]),), label="a 2 x 2 array with extremes")
    yield Case((rng.normal(0.0, 1.0, size=(2, 3, 4)),), label="a 3-d array")


_CLIP_Z_HINT = (
    "your values in the tails are too large or too small: clipping z (to +-30 or +-500, say) "
    "changes sigmoid there. sigmoid(-40) is about 4e-18, not sigmoid(-30), and sigmoid(-1000) "
    "is 0.0 in floating point, not sigmoid(-500); the loss takes their logarithm. Avoid the "
    "overflow instead of clipping."
)

SIGMOID = Exercise(
    name="sigmoid",
    points=1,
    public_cases=_sigmoid_public,
    hidden_cases=_sigmoid_hidden,
    compare=_compare_sigmoid,
    invoke=_invoke_sigmoid,
    time_limit=5.0,
    mistakes=[
        Mistake("overflow", _sigmoid_naive,
                "np.exp overflowed: for z = -1000 the formula 1 / (1 + e^-z) needs e^1000, which "
                "is inf in floating point (NumPy warns 'overflow encountered in exp'), and "
                "np.where does not help because it evaluates both branches for every element. "
                "Never exponentiate a large positive number: e^-|z| lies in (0, 1], and "
                "sigmoid(z) can be written with it for either sign of z, since "
                "sigmoid(z) = e^z / (1 + e^z) = 1 - sigmoid(-z)."),
        Mistake("clipped z", _sigmoid_clip_z, _CLIP_Z_HINT),
        Mistake("clipped z at 500", _sigmoid_clip_z500, _CLIP_Z_HINT),
        Mistake("clipped probabilities", _sigmoid_clip_p,
                "your probabilities are clipped (to [1e-7, 1 - 1e-7], say). sigmoid itself "
                "must not clip; the loss can be computed stably without it (next exercise)."),
    ],
)


# --- logistic_loss, logistic_gradient, fit_logistic_regression ---------------------------------

def _logits(w, b, X):
    return np.asarray(X, dtype=float) @ np.asarray(w, dtype=float) + float(b)


def _loss(w, b, X, y):
    z = _logits(w, b, X)
    return float(np.mean(np.logaddexp(0.0, z) - np.asarray(y) * z))


def _loss_sum(w, b, X, y):
    z = _logits(w, b, X)
    return float(np.sum(np.logaddexp(0.0, z) - np.asarray(y) * z))


def _loss_clipped(w, b, X, y):
    p, y = np.clip(_sigmoid(_logits(w, b, X)), 1e-15, 1 - 1e-15), np.asarray(y)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _loss_no_bias(w, b, X, y):
    return _loss(w, 0.0, X, y)


def _loss_labels_swapped(w, b, X, y):
    return _loss(w, b, X, 1 - np.asarray(y))


def _logistic_problem(rng, n, d, scale=1.0, w_scale=1.0):
    X = rng.normal(0.0, scale, size=(n, d))
    w_true = rng.normal(0.0, 1.5, size=d)
    y = (rng.random(n) < _sigmoid(X @ w_true)).astype(int)
    w = rng.normal(0.0, w_scale, size=d)
    return w, float(rng.normal()), X, y


def _loss_public(rng):
    X = np.array([[1.0, 2.0], [0.5, -1.0], [-1.5, 0.0]])
    yield Case((np.array([0.5, -0.25]), 0.1, X, np.array([1, 0, 0])),
               label="3 patients, 2 features")
    yield Case(_logistic_problem(rng, 50, 4), label="50 patients, 4 features")
    yield Case((np.zeros(3), 0.0, rng.normal(size=(10, 3)), _labels(rng, 10, 0.5)),
               label="all-zero weights")
    yield Case((np.array([20.0, -10.0]), 0.0, np.array([[3.0, -1.0], [-2.0, 1.5]]),
                np.array([0, 1])), label="two confident predictions, both badly wrong")
    yield Case((np.array([0.5, -1.0, 2.0]), 0.3, np.array([[1.0, 0.5, -0.2]]), np.array([1])),
               label="a single patient, more features than patients")


def _loss_hidden(rng):
    yield Case(_logistic_problem(rng, 1, 5), label="a single patient")
    w, b, X, y = _logistic_problem(rng, 30, 3, w_scale=25.0)
    yield Case((w, b, X, y), label="confident predictions, some badly wrong (|z| up to ~100)")
    w, b, X, y = _logistic_problem(rng, 200, 8)
    yield Case((w, b, X, y), label="200 patients, 8 features")
    yield Case((np.array([1.0]), 3.0, rng.normal(size=(20, 1)), np.ones(20, dtype=int)),
               label="one feature, every patient positive")


_LOSS_COMMON = [
    Mistake("sum", _loss_sum,
            "your loss is the sum over patients; the exercise asks for the mean (divide by n), "
            "so that the learning rate does not depend on the size of the data set."),
    Mistake("no bias", _loss_no_bias,
            "your value ignores the bias b: every patient's margin is the weighted sum of their "
            "features plus b, before the sigmoid."),
    Mistake("labels swapped", _loss_labels_swapped,
            "your loss rewards the wrong class: -log(p) belongs to y = 1 and -log(1 - p) to "
            "y = 0."),
]

_LOSS_VALUES = allclose(rtol=1e-7, atol=1e-10)
_ROUNDED_LOG_HINT = (
    "your loss is infinite when a prediction is confidently wrong: sigmoid(40) rounds to exactly "
    "1.0, and log(1 - 1.0) = -inf. Write the loss in terms of z: log(1 + e^z) - y z, and compute "
    "log(1 + e^z) with np.logaddexp(0, z)."
)


def _compare_loss(got, expected) -> Verdict:
    """An infinite loss where the answer is finite is the log of a probability that rounded to
    0 or 1 (a mistake model's inf never counts as a match, so the message says it)."""
    verdict = _LOSS_VALUES(got, expected)
    if (not verdict and isinstance(got, (float, np.floating)) and np.isposinf(got)
            and isinstance(expected, (int, float, np.number)) and np.isfinite(expected)):
        return Verdict(False, _ROUNDED_LOG_HINT)
    return verdict


LOGISTIC_LOSS = Exercise(
    name="logistic_loss",
    points=1,
    public_cases=_loss_public,
    hidden_cases=_loss_hidden,
    compare=_compare_loss,
    time_limit=5.0,
    mistakes=[
        *_LOSS_COMMON,
        Mistake("negative", lambda w, b, X, y: -_loss(w, b, X, y),
                "your loss has the wrong sign: the cross-entropy is -mean(y log p + (1 - y) "
                "log(1 - p)), a positive number."),
        Mistake("clipped probabilities", _loss_clipped,
                "your loss is capped because the probabilities were clipped (to [1e-15, 1 - "
                "1e-15], say): a badly wrong confident prediction costs more than that. Use "
                "log(1 + e^z) - y z with np.logaddexp(0, z)."),
    ],
)


def _grad(w, b, X, y):
    X = np.asarray(X, dtype=float)
    r = _sigmoid(_logits(w, b, X)) - np.asarray(y)
    return X.T @ r / len(r), float(np.mean(r))


def _grad_sum(w, b, X, y):
    dw, db = _grad(w, b, X, y)
    n = len(y)
    return dw * n, db * n


def _grad_sign(w, b, X, y):
    dw, db = _grad(w, b, X, y)
    return -dw, -db


def _grad_no_db(w, b, X, y):
    return _grad(w, b, X, y)[0], 0.0


def _grad_linear(w, b, X, y):
    X = np.asarray(X, dtype=float)
    r = _logits(w, b, X) - np.asarray(y)
    return X.T @ r / len(r), float(np.mean(r))


def _grad_public(rng):
    yield from _loss_public(rng)
    yield Case((np.array([0.3]), -2.0, rng.normal(size=(6, 1)), np.array([1, 0, 0, 1, 0, 1])),
               label="a single feature")


def _grad_hidden(rng):
    yield Case(_logistic_problem(rng, 1, 4), label="a single patient")
    yield Case(_logistic_problem(rng, 7, 12), label="more features than patients")
    yield Case(_logistic_problem(rng, 300, 5, w_scale=20.0), label="confident predictions")
    yield Case((np.array([0.3]), -2.0, rng.normal(size=(25, 1)), _labels(rng, 25, 0.3)),
               label="a single feature")


LOGISTIC_GRADIENT = Exercise(
    name="logistic_gradient",
    points=2,
    public_cases=_grad_public,
    hidden_cases=_grad_hidden,
    compare=allclose(rtol=1e-7, atol=1e-10),
    output_names=("dw", "db"),
    time_limit=5.0,
    mistakes=[
        Mistake("no 1/n", _grad_sum,
                "your gradient is n times too large: it is the gradient of the *sum* of the "
                "losses. The loss is a mean over the n patients, so its gradient is the mean of "
                "the patients' gradients: divide both sums by n."),
        Mistake("wrong sign", _grad_sign,
                "your gradient has the wrong sign: it points uphill. d loss / dz = p - y, not "
                "y - p."),
        Mistake("no bias gradient", _grad_no_db,
                "your db is 0: the bias has a gradient too, the mean over patients of "
                "d loss / dz = p - y."),
        Mistake("no sigmoid", _grad_linear,
                "your gradient uses the margin z itself where it needs the probability "
                "p = sigmoid(z): that is the gradient of the squared error of linear regression."),
    ],
)


def _fit(X, y, lr, n_iter, step=None):
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(n_iter):
        dw, db = (step or _grad)(w, b, X, y)
        w, b = w - lr * dw, b - lr * db
    return w, b


def _fit_ascent(X, y, lr, n_iter):
    return _fit(X, y, -lr, n_iter)


def _fit_sum(X, y, lr, n_iter):
    return _fit(X, y, lr, n_iter, step=_grad_sum)


def _fit_no_bias(X, y, lr, n_iter):
    return _fit(X, y, lr, n_iter, step=_grad_no_db)


def _fit_one_less(X, y, lr, n_iter):
    return _fit(X, y, lr, max(n_iter - 1, 0))


def _fit_one_more(X, y, lr, n_iter):
    return _fit(X, y, lr, n_iter + 1)


def _fit_sequential(X, y, lr, n_iter):
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(n_iter):
        w = w - lr * _grad(w, b, X, y)[0]
        b = b - lr * _grad(w, b, X, y)[1]
    return w, b


def _fit_problem(rng, n, d):
    X = rng.normal(size=(n, d))
    y = (rng.random(n) < _sigmoid(X @ rng.normal(0.0, 2.0, d) + 0.5)).astype(int)
    return X, y


def _fit_public(rng):
    X = np.array([[0.0, 1.0], [1.0, 0.5], [2.0, -1.0], [3.0, -0.5]])
    yield Case((X, np.array([0, 0, 1, 1]), 0.5, 20), label="4 patients, 20 steps")
    yield Case((*_fit_problem(rng, 80, 3), 0.1, 200), label="80 patients, 200 steps")
    yield Case((*_fit_problem(rng, 6, 2), 0.3, 0), label="zero steps")
    yield Case((*_fit_problem(rng, 3, 4), 1.0, 10), label="more features than patients")


def _fit_hidden(rng):
    yield Case((*_fit_problem(rng, 10, 2), 0.3, 0), label="zero steps")
    yield Case((*_fit_problem(rng, 10, 2), 0.3, 1), label="a single step")
    yield Case((*_fit_problem(rng, 150, 6), 0.05, 300), label="150 patients, 6 features")
    yield Case((*_fit_problem(rng, 5, 8), 1.0, 50), label="more features than patients")
    X = rng.normal(size=(60, 2))
    yield Case((X, (X[:, 0] > 0).astype(int), 2.0, 100),
               label="separable classes, large learning rate")


FIT_LOGISTIC_REGRESSION = Exercise(
    name="fit_logistic_regression",
    points=2,
    public_cases=_fit_public,
    hidden_cases=_fit_hidden,
    compare=allclose(rtol=1e-6, atol=1e-9),
    output_names=("w", "b"),
    time_limit=10.0,
    mistakes=[
        Mistake("ascent", _fit_ascent,
                "your parameters move uphill: gradient *descent* subtracts, w <- w - lr * dw."),
        Mistake("no 1/n", _fit_sum,
                "your steps are n times too large: the gradient of the mean loss has a 1/n."),
        Mistake("bias never updated", _fit_no_bias,
                "your bias stays 0: update b <- b - lr * db at every step too."),
        Mistake("one step too few", _fit_one_less,
                "your result is one step short of n_iter: the loop must run exactly n_iter times "
                "(a range that starts at 1 runs n_iter - 1 times)."),
        Mistake("one step too many", _fit_one_more,
                "your result takes one step more than n_iter: the loop must run exactly n_iter "
                "times, from 0 to n_iter - 1."),
        Mistake("sequential update", _fit_sequential,
                "you updated w before computing the bias gradient, so db used the new w. In "
                "batch gradient descent both gradients come from the same (old) parameters."),
    ],
)


