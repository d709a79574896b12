"""Chapter 02_cnn_math, what training needs: softmax, the cross-entropy loss, numerical gradients
(the check of every backward pass), and the convolution's backward pass."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...compare import Verdict, allclose
from ...registry import Case, Exercise, Mistake, reference
from .layers import _images, _kernel, _pad

CHAPTER = "02_cnn_math"


# --- softmax ------------------------------------------------------------------------------------

def _softmax(z):
    return reference(CHAPTER, "softmax")(z)


def _naive_softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _global_max_softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum(axis=1, keepdims=True)


def _softmax_public(rng):
    yield Case((np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]),), label="two rows of 3 logits")
    yield Case((rng.normal(size=(4, 5)),), label="4 samples, 5 classes")
    yield Case((np.array([[1000.0, 999.0, 998.0], [-5.0, 0.0, 5.0]]),),
               label="logits in the thousands (exp overflows)")
    yield Case((rng.normal(size=(3, 3)),), label="as many samples as classes")
    yield Case((np.array([[0.3], [-2.0]]),), label="a single class")


def _softmax_hidden(rng):
    yield Case((rng.normal(size=(1, 10)),), label="a single sample")
    yield Case((rng.normal(0.0, 300.0, size=(5, 4)) + 800.0,), label="large positive logits")
    yield Case((np.vstack([rng.normal(size=3) + 1000.0, rng.normal(size=3) - 1000.0,
                           rng.normal(size=3)]),), label="rows on very different scales")
    yield Case((rng.normal(size=(3, 3)),), label="as many samples as classes")
    yield Case((rng.normal(size=(6, 1)),), label="a single class")
    yield Case((np.full((2, 4), 7.0),), label="all logits tied")


SOFTMAX = Exercise(
    name="softmax",
    points=2,
    public_cases=_softmax_public,
    hidden_cases=_softmax_hidden,
    compare=allclose(rtol=1e-7, atol=1e-12),
    time_limit=5.0,
    mistakes=[
        Mistake("axis 0", lambda z: _softmax(z.T).T,
                "your columns sum to 1, not your rows: normalise over the classes, axis=1 "
                "(with keepdims=True)."),
        Mistake("whole array", lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(),
                "your whole array sums to 1; each *row* (one sample) must: sum over axis=1."),
        Mistake("overflow", _naive_softmax,
                "np.exp overflows for large logits (exp(710) is inf, and inf/inf is NaN). "
                "Subtract each row's maximum first: softmax(z) = softmax(z - max(z)), exactly."),
        Mistake("global max", _global_max_softmax,
                "you subtracted the maximum of the whole array; a row whose logits are far below "
                "it underflows to 0/0. Subtract each row's own maximum "
                "(z.max(axis=1, keepdims=True))."),
        Mistake("keepdims max", lambda z: _naive_softmax(z - z.max(axis=1)),
                "z.max(axis=1) has shape (N,) and broadcasts along the wrong axis; use "
                "keepdims=True (shape (N, 1))."),
        Mistake("keepdims sum", lambda z: np.exp(z - z.max(axis=1, keepdims=True))
                / np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1),
                "the row sums have shape (N,) and broadcast along the wrong axis; use "
                "keepdims=True (shape (N, 1))."),
        Mistake("log-softmax", lambda z: np.log(_softmax(z)),
                "you returned log-probabilities (log-softmax); return the probabilities."),
        Mistake("no exp", lambda z: z / z.sum(axis=1, keepdims=True),
                "you divided the logits by their sum without exponentiating: softmax(z)_k = "
                "exp(z_k) / Σ_j exp(z_j)."),
    ],
)


# --- cross_entropy ------------------------------------------------------------------------------

def _probs(rng, n, k, temperature=1.0):
    z = rng.normal(size=(n, k)) / temperature
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _true_class_log(probs, y):
    return np.log(probs[np.arange(len(y)), y])


def _ce_public(rng):
    yield Case((np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]]), np.array([0, 2])),
               label="two confident, correct predictions")
    yield Case((_probs(rng, 5, 4), rng.integers(0, 4, size=5)), label="5 samples, 4 classes")
    yield Case((np.array([[0.6, 0.4, 0.0], [0.0, 0.9, 0.1]]), np.array([0, 2])),
               label="a wrong class with probability exactly 0")


def _ce_hidden(rng):
    yield Case((_probs(rng, 1, 3), np.array([1])), label="a single sample")
    yield Case((_probs(rng, 3, 3), np.array([2, 0, 1])), label="as many samples as classes")
    p = _probs(rng, 4, 3)
    p[:, 2] = 0.0
    p /= p.sum(axis=1, keepdims=True)
    yield Case((p, np.array([0, 1, 1, 0])), label="a class with probability exactly 0")
    yield Case((_probs(rng, 50, 10, temperature=0.05), rng.integers(0, 10, size=50)),
               label="very confident predictions, many classes")
    yield Case((_probs(rng, 8, 2), rng.integers(0, 2, size=8)), label="binary")


_CE_VALUES = allclose(rtol=1e-9, atol=1e-12)
_ZERO_LOG_ZERO = (
    "your loss is NaN. If you multiplied a one-hot matrix by log(p), a wrong class with "
    "probability 0 gives 0 · log(0) = 0 · (-inf) = NaN there: take only the true class's "
    "probability in each row instead of multiplying by the one-hot matrix."
)


def _compare_ce(got: Any, expected: Any) -> Verdict:
    """A NaN loss where the answer is finite: a mistake model's NaN never counts as a match, so
    the message says what makes a cross-entropy NaN."""
    verdict = _CE_VALUES(got, expected)
    if (not verdict and isinstance(got, (float, np.floating)) and np.isnan(got)
            and isinstance(expected, (float, np.floating)) and np.isfinite(expected)):
        return Verdict(False, _ZERO_LOG_ZERO)
    return verdict


CROSS_ENTROPY = Exercise(
    name="cross_entropy",
    points=1,
    public_cases=_ce_public,
    hidden_cases=_ce_hidden,
    compare=_compare_ce,
    time_limit=5.0,
    mistakes=[
        Mistake("sum", lambda p, y: float(-_true_class_log(p, y).sum()),
                "your loss is the *sum* over the batch; the loss is the mean, so that it does not "
                "grow with the batch size (Keras averages too)."),
        Mistake("probs[:, y]", lambda p, y: float(-np.mean(np.log(p[:, y]))),
                "probs[:, y] selects an N x N block (every sample's probability of every "
                "label); pick one entry per row, the true class's: index the rows with 0 .. N-1 "
                "and the columns with y together (two index arrays of length N)."),
        Mistake("no minus", lambda p, y: float(np.mean(_true_class_log(p, y))),
                "your loss is negative: the negative log-likelihood is -mean(log p)."),
        Mistake("log10", lambda p, y: float(-np.mean(np.log10(p[np.arange(len(y)), y]))),
                "you used log10; cross-entropy uses the natural logarithm (np.log)."),
        Mistake("per sample", lambda p, y: -_true_class_log(p, y),
                "you returned one loss per sample; average them into a single number."),
        Mistake("mean over N*K", lambda p, y: float(-np.mean(np.eye(p.shape[1])[y] * np.log(p))),
                "you averaged over all N·K entries of onehot · log(p); average over the N "
                "samples only (sum over the classes first)."),
        Mistake("predicted class",
                lambda p, y: float(-np.mean(np.log(p.max(axis=1)))),
                "you used the probability of the *predicted* class (the row maximum); use the "
                "probability the model gave the *true* class y."),
    ],
)


# --- numerical_gradient -------------------------------------------------------------------------

def _test_function(A, B):
    """A smooth scalar function of an array, not separable (so that every entry matters)."""

    def f(x):
        return float(np.sum(np.sin(A * x)) + 0.5 * np.sum(B * x) ** 2)

    return f


def _numgrad_invoke(fn, A, B, x, **kwargs):
    """Build f from plain data, call the learner's function on a copy of x, and return the
    gradient together with x as the call left it (it must be restored)."""
    work = np.array(x, dtype=float, copy=True)
    grad = fn(_test_function(A, B), work, **kwargs)
    return grad, work


def _numgrad_compare(got: Any, expected: Any) -> Verdict:
    grad, after = got if isinstance(got, tuple) and len(got) == 2 else (got, None)
    want_grad, want_after = expected
    if after is not None and isinstance(after, np.ndarray) and after.shape == want_after.shape:
        moved = ~np.isclose(after, want_after, rtol=1e-12, atol=1e-12)
        if moved.any():
            return Verdict(
                False,
                f"your function left x changed at {int(moved.sum())} of {moved.size} entries "
                f"(by up to {np.abs(after - want_after).max():.3g}): after the call x must be "
                "exactly as it was",
            )
    return allclose(rtol=1e-6, atol=1e-8, what="your gradient")(grad, want_grad)


def _numgrad_case(rng, shape, **kwargs):
    A = rng.uniform(0.5, 2.5, size=shape)
    B = rng.normal(size=shape)
    x = rng.normal(size=shape)
    return (A, B, x), kwargs


def _fd(f, x, h, kind):
    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        plus = f(x)
        x[idx] = old - h
        minus = f(x)
        x[idx] = old
        centre = f(x)
        grad[idx] = {"forward": (plus - centre) / h, "backward": (centre - minus) / h,
                     "over h": (plus - minus) / h}[kind]
    return grad


def _no_restore(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        x[idx] += h
        plus = f(x)
        x[idx] -= 2 * h
        minus = f(x)
        grad[idx] = (plus - minus) / (2 * h)
    return grad


def _all_at_once(f, x, h=1e-5):
    return np.full(x.shape, (f(x + h) - f(x - h)) / (2 * h))


def _rows(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for i in range(x.shape[0]):
        old = x[i].copy()
        x[i] = old + h
        plus = f(x)
        x[i] = old - h
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad


def _numgrad_public(rng):
    args, kw = _numgrad_case(rng, (3,))
    yield Case(args, kw, label="a vector of 3 entries")
    args, kw = _numgrad_case(rng, (2, 3))
    yield Case(args, kw, label="a 2x3 matrix")
    args, kw = _numgrad_case(rng, (4,), h=1e-2)
    yield Case(args, kw, label="a vector, a larger step h")
    args, kw = _numgrad_case(rng, (2, 1, 1, 2))
    yield Case(args, kw, label="a small conv kernel (kh, kw, C_in, C_out)")


def _numgrad_hidden(rng):
    args, kw = _numgrad_case(rng, (1,))
    yield Case(args, kw, label="a single entry")
    args, kw = _numgrad_case(rng, (3, 2, 2, 2))
    yield Case(args, kw, label="a conv kernel (kh, kw, C_in, C_out)")
    args, kw = _numgrad_case(rng, (4, 3), h=1e-2)
    yield Case(args, kw, label="a larger step h")
    args, kw = _numgrad_case(rng, (6,), h=1e-4)
    yield Case(args, kw, label="a vector, a smaller step")
    args, kw = _numgrad_case(rng, (2, 5))
    args[2][:] *= 100.0
    yield Case(args, kw, label="large values of x")


NUMERICAL_GRADIENT = Exercise(
    name="numerical_gradient",
    points=2,
    public_cases=_numgrad_public,
    hidden_cases=_numgrad_hidden,
    compare=_numgrad_compare,
    invoke=_numgrad_invoke,
    output_names=("gradient", "x after the call"),
    time_limit=10.0,
    mistakes=[
        Mistake("forward", lambda f, x, h=1e-5: _fd(f, x, h, "forward"),
                "your gradient matches *forward* differences (f(x + h) - f(x)) / h, whose error "
                "shrinks only like h; centred differences (f(x + h) - f(x - h)) / (2h) are "
                "accurate to order h²."),
        Mistake("backward", lambda f, x, h=1e-5: _fd(f, x, h, "backward"),
                "your gradient matches *backward* differences (f(x) - f(x - h)) / h; use centred "
                "differences (f(x + h) - f(x - h)) / (2h)."),
        Mistake("over h", lambda f, x, h=1e-5: _fd(f, x, h, "over h"),
                "your gradient is twice too large: the centred difference spans 2h, so divide "
                "by 2h."),
        Mistake("no restore", _no_restore,
                "you did not restore x[i] after perturbing it, so every later entry is evaluated "
                "at a shifted point and the caller's x is changed. Save old = x[i] and set "
                "x[i] = old after the two evaluations."),
        Mistake("all at once", _all_at_once,
                "you shifted every entry of x at once, which gives the sum of all partial "
                "derivatives in every position; perturb one entry at a time."),
        Mistake("rows", _rows,
                "you perturbed whole rows x[i] of a multi-dimensional x; perturb one entry at "
                "a time (loop with np.ndindex(x.shape) or over x.flat)."),
        Mistake("h ignored", lambda f, x, h=1e-5: _fd(f, x, 1e-5, "over h") / 2,
                "your gradient ignores the step h that was passed in (it uses 1e-5 regardless)."),
    ],
)


# --- conv2d_backward ----------------------------------------------------------------------------

def _backward(dout, x, w, b, stride=1, padding=0):
    """Vectorised (im2col) backward pass for the mistake models; see _conv."""
    n, h, wd, c_in = x.shape
    kh, kw, _, c_out = w.shape
    ho, wo = dout.shape[1:3]
    xp = _pad(x, padding, padding)
    rows = (np.arange(ho) * stride)[:, None, None, None] + np.arange(kh)[None, None, :, None]
    cols = (np.arange(wo) * stride)[None, :, None, None] + np.arange(kw)[None, None, None, :]
    patches = xp[:, rows, cols, :]  # (N, H', W', kh, kw, C_in)
    flat_dout = dout.reshape(-1, c_out)
    dw = (patches.reshape(-1, kh * kw * c_in).T @ flat_dout).reshape(w.shape)
    dpatches = (flat_dout @ w.reshape(-1, c_out).T).reshape(patches.shape)
    dxp = np.zeros(xp.shape)
    np.add.at(dxp, (slice(None), rows, cols, slice(None)), dpatches)
    return dxp[:, padding:padding + h, padding:padding + wd], dw, flat_dout.sum(axis=0)


def _scatter(dout, x, w, stride, padding, overwrite=False):
    """dx of the padded input, with += or (a common bug) = in the scatter."""
    n, h, wd, _ = x.shape
    kh, kw = w.shape[:2]
    dxp = np.zeros((n, h + 2 * padding, wd + 2 * padding, x.shape[3]))
    for i in range(dout.shape[1]):
        for j in range(dout.shape[2]):
            contrib = np.tensordot(dout[:, i, j, :], w, axes=([1], [3]))
            window = (slice(None), slice(i * stride, i * stride + kh),
                      slice(j * stride, j * stride + kw), slice(None))
            if overwrite:
                dxp[window] = contrib
            else:
                dxp[window] += contrib
    return dxp


def _dx_padded(dout, x, w, b, stride=1, padding=0):
    _, dw, db = _backward(dout, x, w, b, stride, padding)
    return _scatter(dout, x, w, stride, padding), dw, db


def _dx_overwrite(dout, x, w, b, stride=1, padding=0):
    _, dw, db = _backward(dout, x, w, b, stride, padding)
    dxp = _scatter(dout, x, w, stride, padding, overwrite=True)
    h, wd = x.shape[1:3]
    return dxp[:, padding:padding + h, padding:padding + wd], dw, db


def _dx_flipped(dout, x, w, b, stride=1, padding=0):
    dx, _, _ = _backward(dout, x, w[::-1, ::-1], b, stride, padding)
    _, dw, db = _backward(dout, x, w, b, stride, padding)
    return dx, dw, db


def _replace(index, make):
    def mistaken(dout, x, w, b, stride=1, padding=0):
        grads = list(_backward(dout, x, w, b, stride, padding))
        grads[index] = make(dout, x, w, b, stride, padding, grads)
        return tuple(grads)

    return mistaken


def _backward_case(rng, n, h, wd, c_in, c_out, kh, kw, stride=1, padding=0, scale=1.0):
    x = _images(rng, n, h, wd, c_in, scale)
    w = _kernel(rng, kh, kw, c_in, c_out)
    b = rng.normal(size=c_out)
    ho = (h + 2 * padding - kh) // stride + 1
    wo = (wd + 2 * padding - kw) // stride + 1
    dout = rng.normal(size=(n, ho, wo, c_out))
    return Case((dout, x, w, b), {"stride": stride, "padding": padding})


def _backward_public(rng):
    case = _backward_case(rng, 1, 4, 4, 1, 1, 2, 2)
    case.label = "one 4x4 image, one 2x2 filter"
    yield case
    case = _backward_case(rng, 2, 5, 5, 3, 2, 3, 3, padding=1)
    case.label = "two colour images, 2 filters, padding 1"
    yield case
    case = _backward_case(rng, 2, 7, 6, 2, 2, 3, 2, stride=2, padding=1)
    case.label = "a non-square kernel, stride 2, padding 1"
    yield case


def _backward_hidden(rng):
    specs = [
        ("a single image, non-square kernel", (1, 6, 5, 2, 3, 2, 3)),
        ("stride with padding", (2, 7, 7, 2, 2, 3, 3, 2, 1)),
        ("stride that does not divide evenly", (2, 8, 6, 1, 2, 3, 3, 2, 0)),
        ("a pointwise kernel", (3, 4, 4, 3, 2, 1, 1)),
        ("wide padding, as many input as output channels", (1, 5, 6, 3, 3, 3, 3, 1, 2)),
        ("large input values", (2, 5, 5, 2, 2, 3, 3, 1, 0, 1000.0)),
    ]
    for label, spec in specs:
        case = _backward_case(rng, *spec)
        case.label = label
        yield case


CONV2D_BACKWARD = Exercise(
    name="conv2d_backward",
    points=3,
    public_cases=_backward_public,
    hidden_cases=_backward_hidden,
    compare=allclose(rtol=1e-6, atol=1e-8),
    output_names=("dx", "dw", "db"),
    time_limit=10.0,
    mistakes=[
        Mistake("db per sample", _replace(2, lambda dout, x, w, b, s, p, g: dout.sum(axis=(1, 2))),
                "db was summed over positions but not over the batch: b is shared by every "
                "image and every position, so db sums dout over the batch and both spatial axes "
                "(shape (C_out,))."),
        Mistake("db per position", _replace(2, lambda dout, x, w, b, s, p, g: dout.sum(axis=0)),
                "db was summed over the batch but not over positions: b is added at every "
                "output position, so db sums dout over the batch and both spatial axes "
                "(shape (C_out,))."),
        Mistake("db mean", _replace(2, lambda dout, x, w, b, s, p, g: dout.mean(axis=(0, 1, 2))),
                "db is averaged; it is the *sum* of dout over the batch and all positions (the "
                "chain rule adds the contributions of every place b was used)."),
        Mistake("dw, db averaged", lambda dout, x, w, b, stride=1, padding=0: (
            lambda g: (g[0], g[1] / x.shape[0], g[2] / x.shape[0]))(
                _backward(dout, x, w, b, stride, padding)),
                "dw and db are divided by the batch size; any averaging is already in dout "
                "(the loss' gradient), so just sum."),
        Mistake("dw first sample", _replace(1, lambda dout, x, w, b, s, p, g: _backward(
            dout[:1], x[:1], w, b, s, p)[1]),
                "dw comes from the first image only; sum the contributions of every image in "
                "the batch."),
        Mistake("dx with padding", _dx_padded,
                "dx has the shape of the *padded* input: crop the padding off "
                "(dx_padded[:, p:p+H, p:p+W, :]) so that dx has the shape of x."),
        Mistake("dx overwritten", _dx_overwrite,
                "where windows overlap your dx keeps only the last contribution: accumulate "
                "with += (an input pixel feeds every output whose window covers it)."),
        Mistake("dx flipped", _dx_flipped,
                "your dx matches scattering with a flipped kernel. Each dout[n, i, j, o] sends "
                "w[u, v, c, o] back to x[n, i·s+u, j·s+v, c]; equivalently dx is a *full* "
                "convolution of dout with w (correlation with the flipped kernel), so do not "
                "flip twice."),
        Mistake("stride ignored", lambda dout, x, w, b, stride=1, padding=0: _backward(
            dout, x, w, b, 1, padding),
                "your dx and dw ignore the stride: in the forward pass output position (i, j) "
                "read the window that starts at row i·s and column j·s, so its gradient goes "
                "back to that window (rows i·s to i·s + kh), not to the one starting at (i, j)."),
        Mistake("dw layout", _replace(1, lambda dout, x, w, b, s, p, g: g[1].transpose(0, 1, 3, 2)),
                "dw must have the layout of w, (kh, kw, C_in, C_out)."),
    ],
)


