"""Chapter 02_cnn_math: the pieces of y = σ(W∗x + b), from output sizes to backpropagation."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..compare import PASS, Verdict, allclose, type_name
from ..registry import Case, Exercise, Mistake

CHAPTER = "02_cnn_math"


def _ref(name: str):
    """The reference (the solution cell); mistakes are modelled as small changes to it."""
    from ..reference import reference_function

    return reference_function(CHAPTER, name)


def _pad(x, top, bottom, left=None, right=None):
    left = top if left is None else left
    right = bottom if right is None else right
    return np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))


def _relu(z):
    return np.maximum(z, 0)


# --- conv_output_size ---------------------------------------------------------------------------

def _integer_compare(got: Any, expected: Any) -> Verdict:
    if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, np.integer)):
        if isinstance(got, (float, np.floating)):
            return Verdict(False, f"your output is the float {float(got):g}; a size is a whole "
                                  "number: return an int (floor division `//`, or int(...))")
        return Verdict(False, f"your output should be an int; got {type_name(got)}")
    if int(got) == int(expected):
        return PASS
    return Verdict(False, f"your output is {int(got)}, which is wrong")


def _size_public(rng):
    yield Case((28, 3), label="a 28-pixel image, 3-wide kernel, defaults")
    yield Case((28, 3), {"stride": 2}, label="stride 2, no padding")
    yield Case((5, 3), {"stride": 1, "padding": 1}, label="padding 1 keeps the size")


def _size_hidden(rng):
    yield Case((7, 7), label="kernel as large as the input")
    yield Case((10, 3), {"stride": 3}, label="stride that does not divide evenly")
    yield Case((32, 5), {"stride": 2, "padding": 2}, label="stride and padding together")
    yield Case((512, 7), {"stride": 2, "padding": 3},
               label="a full-size CT slice, large kernel, stride and padding")
    yield Case((4, 5), {"padding": 1}, label="kernel larger than the unpadded input")
    yield Case((9, 1), {"stride": 4}, label="a one-pixel kernel, large stride")
    yield Case((13, 2), {"stride": 2, "padding": 0}, label="an even kernel on an odd input")


CONV_OUTPUT_SIZE = Exercise(
    name="conv_output_size",
    points=1,
    public_cases=_size_public,
    hidden_cases=_size_hidden,
    compare=_integer_compare,
    time_limit=5.0,
    mistakes=[
        Mistake("no +1", lambda n, k, stride=1, padding=0: (n + 2 * padding - k) // stride,
                "your size is one too small: it matches (n + 2p - k) // s without the + 1. "
                "Count window positions: the first sits at 0, the last at (n + 2p - k) // s, so "
                "there are that many plus one."),
        Mistake("stride ignored", lambda n, k, stride=1, padding=0: n + 2 * padding - k + 1,
                "your size ignores the stride: the window moves s pixels at a time, so divide "
                "(n + 2p - k) by s (floor) before adding 1."),
        Mistake("padding once", lambda n, k, stride=1, padding=0: (n + padding - k) // stride + 1,
                "your size adds the padding once; it is added on both sides: n + 2p."),
        Mistake("padding ignored", lambda n, k, stride=1, padding=0: (n - k) // stride + 1,
                "your size ignores the padding: the padded input has n + 2p pixels."),
        Mistake("+1 inside the division",
                lambda n, k, stride=1, padding=0: (n + 2 * padding - k + 1) // stride,
                "you added the 1 before dividing by the stride: it is (n + 2p - k) // s + 1."),
        Mistake("ceil", lambda n, k, stride=1, padding=0: -(-(n + 2 * padding - k) // stride) + 1,
                "you rounded up: a window that would hang over the edge of the padded input is "
                "not computed, so round down (floor division `//`)."),
        Mistake("true division", lambda n, k, stride=1, padding=0: (n + 2 * padding - k) / stride + 1,
                "you used true division `/`, which gives a float (and a fraction when the stride "
                "does not divide evenly); use floor division `//`."),
    ],
)


# --- zero_pad -----------------------------------------------------------------------------------

def _images(rng, n, h, w, c, scale=1.0):
    return rng.normal(0.0, scale, size=(n, h, w, c))


def _pad_public(rng):
    yield Case((np.arange(9.0).reshape(1, 3, 3, 1), 1), label="one 3x3 single-channel image")
    yield Case((_images(rng, 2, 4, 5, 3), 2), label="two 4x5 colour images, pad 2")


def _pad_hidden(rng):
    yield Case((_images(rng, 1, 6, 3, 1), 0), label="no padding at all")
    yield Case((_images(rng, 3, 2, 7, 4), 1), label="non-square images, several channels")
    yield Case((_images(rng, 1, 1, 1, 2), 3), label="a single-pixel image, wide padding")
    yield Case((_images(rng, 2, 5, 4, 2, scale=1000.0), 1), label="large values")


ZERO_PAD = Exercise(
    name="zero_pad",
    points=1,
    public_cases=_pad_public,
    hidden_cases=_pad_hidden,
    compare=allclose(rtol=0.0, atol=0.0),
    time_limit=5.0,
    mistakes=[
        Mistake("all axes", lambda x, pad: np.pad(x, pad),
                "you padded every axis, including the batch axis N and the channel axis C; pad "
                "only H and W: np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))."),
        Mistake("one side", lambda x, pad: _pad(x, 0, pad),
                "you padded one side only (bottom and right); zero padding adds `pad` rows and "
                "columns on both sides, so the image stays centred."),
        Mistake("one side, start", lambda x, pad: _pad(x, pad, 0),
                "you padded one side only (top and left); zero padding adds `pad` rows and "
                "columns on both sides, so the image stays centred."),
        Mistake("channels first", lambda x, pad: np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad))),
                "you padded axes 2 and 3 (W and C) as if the layout were NCHW; this course uses "
                "Keras' NHWC layout: pad axes 1 and 2."),
        Mistake("edge", lambda x, pad: np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="edge"),
                "you repeated the edge pixels; zero padding fills the border with zeros "
                "(np.pad's default mode='constant')."),
        Mistake("pad split", lambda x, pad: _pad(x, pad // 2, pad - pad // 2),
                "you split `pad` between the two sides; `pad` is the number of zeros on *each* "
                "side, so H grows by 2·pad."),
    ],
)


# --- conv2d_forward -----------------------------------------------------------------------------

def _kernel(rng, kh, kw, c_in, c_out, scale=1.0):
    return rng.normal(0.0, scale, size=(kh, kw, c_in, c_out))


def _conv_public(rng):
    x = np.zeros((1, 5, 5, 1))
    x[0, :, 2:, 0] = 1.0
    w = np.array([[1.0, 0.0, -1.0]] * 3)[:, :, None, None]
    yield Case((x, w, np.array([0.5])), label="a vertical edge, a 3x3 edge kernel")
    yield Case((_images(rng, 2, 6, 7, 3), _kernel(rng, 3, 3, 3, 4), rng.normal(size=4)),
               label="two colour images, 4 filters")
    yield Case((_images(rng, 1, 7, 7, 2), _kernel(rng, 3, 3, 2, 2), rng.normal(size=2)),
               {"stride": 2, "padding": 1}, label="stride 2 with padding 1")


def _conv_hidden(rng):
    yield Case((_images(rng, 1, 6, 8, 2), _kernel(rng, 2, 3, 2, 3), rng.normal(size=3)),
               label="a non-square kernel")
    yield Case((_images(rng, 3, 9, 9, 3), _kernel(rng, 3, 3, 3, 3), rng.normal(size=3)),
               {"stride": 3}, label="a large stride, as many input as output channels")
    yield Case((_images(rng, 2, 8, 6, 1), _kernel(rng, 3, 2, 1, 2), rng.normal(size=2)),
               {"stride": 2, "padding": 2}, label="non-square kernel with stride and padding")
    yield Case((_images(rng, 1, 5, 5, 4), _kernel(rng, 1, 1, 4, 2), rng.normal(size=2)),
               label="a pointwise kernel mixing channels")
    yield Case((_images(rng, 2, 4, 4, 2), _kernel(rng, 4, 4, 2, 3), rng.normal(size=3)),
               {"padding": 1}, label="kernel as large as the input, with padding")
    yield Case((_images(rng, 1, 10, 7, 2), _kernel(rng, 3, 3, 2, 2), rng.normal(size=2)),
               {"stride": 2}, label="stride that does not divide evenly")
    yield Case((_images(rng, 2, 6, 6, 3, scale=1000.0), _kernel(rng, 3, 3, 3, 2, scale=100.0),
                rng.normal(size=2) * 100.0), {"padding": 1}, label="large magnitudes (HU-like)")


def _conv(x, w, b, stride=1, padding=0):
    """A vectorised convolution for the mistake models (the loop reference is too slow to run
    fifteen times per failing case within the check's one-second budget)."""
    from numpy.lib.stride_tricks import sliding_window_view

    xp = _pad(x, padding, padding)
    windows = sliding_window_view(xp, w.shape[:2], axis=(1, 2))[:, ::stride, ::stride]
    return np.einsum("nijcuv,uvco->nijo", windows, w) + b


def _conv_bias_per_channel(x, w, b, stride=1, padding=0):
    return _conv(x, w, b, stride, padding) + (x.shape[3] - 1) * np.asarray(b)


def _conv_channel_mean(x, w, b, stride=1, padding=0):
    return (_conv(x, w, 0 * b, stride, padding)) / x.shape[3] + b


def _conv_in_out_swapped(x, w, b, stride=1, padding=0):
    if w.shape[2] != w.shape[3]:
        raise ValueError("only when C_in == C_out")
    return _conv(x, w.transpose(0, 1, 3, 2), b, stride, padding)


_ONE_SIDED = ("you padded one side only: the zeros go on both sides (`padding` rows on top "
              "*and* bottom, `padding` columns left *and* right), as in zero_pad.")

CONV2D_FORWARD = Exercise(
    name="conv2d_forward",
    points=3,
    public_cases=_conv_public,
    hidden_cases=_conv_hidden,
    compare=allclose(rtol=1e-6, atol=1e-8),
    time_limit=10.0,
    mistakes=[
        Mistake("flipped kernel",
                lambda x, w, b, stride=1, padding=0: _conv(x, w[::-1, ::-1], b, stride, padding),
                "your output matches a flipped kernel (the mathematical convolution). Keras and "
                "this course compute cross-correlation: out[n, i, j, o] = Σ x[n, i·s+u, j·s+v, c] "
                "w[u, v, c, o] + b[o], with w used as stored, not flipped."),
        Mistake("no bias", lambda x, w, b, stride=1, padding=0: _conv(x, w, 0 * b, stride, padding),
                "your output matches the convolution without the bias: add b[o] to every "
                "position of output channel o."),
        Mistake("bias per input channel", _conv_bias_per_channel,
                "the bias was added once per input channel (C_in times); add it once, after "
                "summing over u, v and c."),
        Mistake("first bias only",
                lambda x, w, b, stride=1, padding=0: _conv(x, w, np.full_like(b, b[0]), stride,
                                                           padding),
                "every output channel got b[0]; output channel o gets its own bias b[o] "
                "(b has shape (C_out,) and broadcasts over the last axis)."),
        Mistake("no +1", lambda x, w, b, stride=1, padding=0: _conv(x, w, b, stride, padding)[:, :-1, :-1],
                "your output is one row and one column short: the output size is "
                "(H + 2p - kh) // s + 1 (see conv_output_size); you dropped the + 1."),
        Mistake("stride ignored", lambda x, w, b, stride=1, padding=0: _conv(x, w, b, 1, padding),
                "your output ignores the stride: the window must move `stride` pixels at a time "
                "(rows i·s to i·s + kh), not 1."),
        Mistake("padding ignored", lambda x, w, b, stride=1, padding=0: _conv(x, w, b, stride, 0),
                "your output ignores the padding: zero-pad x by `padding` on every side of H and "
                "W before sliding the kernel."),
        Mistake("pad top-left only",
                lambda x, w, b, stride=1, padding=0: _conv(_pad(x, padding, 0), w, b, stride, 0),
                _ONE_SIDED),
        Mistake("pad bottom-right only",
                lambda x, w, b, stride=1, padding=0: _conv(_pad(x, 0, padding), w, b, stride, 0),
                _ONE_SIDED),
        Mistake("2p bottom-right",
                lambda x, w, b, stride=1, padding=0: _conv(_pad(x, 0, 2 * padding), w, b, stride, 0),
                _ONE_SIDED),
        Mistake("first input channel only",
                lambda x, w, b, stride=1, padding=0: _conv(x[..., :1], w[:, :, :1], b, stride,
                                                           padding),
                "only the first input channel contributes: a filter sums over *all* input "
                "channels c as well as over u and v."),
        Mistake("channels averaged", _conv_channel_mean,
                "your output averages over the input channels; the convolution *sums* over them."),
        Mistake("kernel axes swapped",
                lambda x, w, b, stride=1, padding=0: _conv(x, w.transpose(1, 0, 2, 3), b, stride,
                                                           padding),
                "your output matches the kernel with its first two axes swapped: w has layout "
                "(kh, kw, C_in, C_out), so w[u, v] multiplies row offset u and column offset v. "
                "Non-square kernels show the difference."),
        Mistake("C_in and C_out swapped", _conv_in_out_swapped,
                "you read the kernel as (kh, kw, C_out, C_in); the Keras layout is "
                "(kh, kw, C_in, C_out): w[u, v, c, o] links input channel c to output channel o."),
        Mistake("ReLU inside", lambda x, w, b, stride=1, padding=0: _relu(_conv(x, w, b, stride, padding)),
                "your output has no negative values: it matches ReLU(conv). The activation is a "
                "separate step (relu); conv2d_forward returns the pre-activation W∗x + b."),
    ],
)


# --- relu ---------------------------------------------------------------------------------------

def _relu_public(rng):
    yield Case((np.array([-2.0, -0.5, 0.0, 0.5, 2.0]),), label="five values around zero")
    yield Case((rng.normal(size=(2, 3, 3, 4)),), label="a batch of feature maps (N, H, W, C)")


def _relu_hidden(rng):
    yield Case((-np.abs(rng.normal(size=(3, 4))) - 0.1,), label="all negative")
    yield Case((np.zeros((2, 2)),), label="all zeros")
    yield Case((np.abs(rng.normal(size=7)) + 0.1,), label="all positive")
    yield Case((rng.normal(0.0, 1e6, size=(1, 4, 4, 2)),), label="large magnitudes")
    yield Case((rng.normal(size=(5, 1)),), label="a column vector")


RELU = Exercise(
    name="relu",
    points=1,
    public_cases=_relu_public,
    hidden_cases=_relu_hidden,
    compare=allclose(rtol=0.0, atol=0.0),
    time_limit=5.0,
    mistakes=[
        Mistake("np.max", lambda z: np.max(z, 0),
                "np.max(z, 0) takes the maximum *along axis 0* (a reduction); the element-wise "
                "maximum with 0 is np.maximum(z, 0)."),
        Mistake("mask", lambda z: z > 0,
                "you returned the mask z > 0 (True/False, the ReLU's derivative); return the "
                "values max(z, 0)."),
        Mistake("minimum", lambda z: np.minimum(z, 0),
                "you kept the negative part (np.minimum); ReLU keeps the positive part: "
                "max(z, 0)."),
        Mistake("abs", lambda z: np.abs(z),
                "you returned |z|; ReLU sets negative values to 0 instead of flipping their sign."),
        Mistake("leaky", lambda z: np.where(z > 0, z, 0.01 * z),
                "your output is a leaky ReLU (0.01·z for z < 0); the plain ReLU is 0 there."),
    ],
)


# --- max_pool_forward ---------------------------------------------------------------------------

def _pool(x, pool=2, stride=2):
    return _ref("max_pool_forward")(x, pool, stride)


def _pool_windows(x, pool, stride, reduce, ceil=False, size=None):
    n, h, w, c = x.shape
    size = pool if size is None else size
    if ceil:
        ho, wo = -(-(h - pool) // stride) + 1, -(-(w - pool) // stride) + 1
    else:
        ho, wo = (h - pool) // stride + 1, (w - pool) // stride + 1
    out = np.empty((n, ho, wo, c))
    for i in range(ho):
        for j in range(wo):
            win = x[:, i * stride:i * stride + size, j * stride:j * stride + size, :]
            out[:, i, j, :] = reduce(win, axis=(1, 2))
    return out


def _pool_public(rng):
    x = np.array([[1.0, 3.0, 2.0, 0.0], [4.0, 2.0, 1.0, 5.0],
                  [0.0, 1.0, 7.0, 2.0], [2.0, 6.0, 3.0, 1.0]]).reshape(1, 4, 4, 1)
    yield Case((x,), label="a 4x4 single-channel image, 2x2 windows")
    yield Case((_images(rng, 2, 6, 6, 3),), label="two 6x6 maps, 3 channels")


def _pool_hidden(rng):
    yield Case((_images(rng, 1, 7, 5, 2),), label="odd height and width (floor mode)")
    yield Case((_images(rng, 2, 7, 7, 3),), {"pool": 3, "stride": 2}, label="overlapping windows")
    yield Case((_images(rng, 1, 5, 6, 2),), {"pool": 2, "stride": 1},
               label="windows moving one pixel at a time")
    yield Case((np.round(_images(rng, 1, 4, 4, 2)),), label="ties inside windows")
    yield Case((_images(rng, 3, 8, 8, 1, scale=1e4),), {"pool": 4, "stride": 4},
               label="large values, large windows")
    yield Case((-np.abs(_images(rng, 1, 6, 4, 2)) - 1,), label="all negative values")


MAX_POOL_FORWARD = Exercise(
    name="max_pool_forward",
    points=2,
    public_cases=_pool_public,
    hidden_cases=_pool_hidden,
    compare=allclose(rtol=1e-12, atol=0.0),
    time_limit=5.0,
    mistakes=[
        Mistake("average", lambda x, pool=2, stride=2: _pool_windows(x, pool, stride, np.mean),
                "your output matches *average* pooling; max pooling keeps the largest value of "
                "each window."),
        Mistake("ceil mode", lambda x, pool=2, stride=2: _pool_windows(x, pool, stride, np.max, True),
                "you kept partial windows at the border (ceil mode); Keras' MaxPooling2D with "
                "padding='valid' drops them: H' = (H - pool) // stride + 1."),
        Mistake("stride = pool", lambda x, pool=2, stride=2: _pool(x, pool, pool),
                "your windows move `pool` pixels at a time; they move `stride` pixels (the two "
                "are equal only by default)."),
        Mistake("stride 1", lambda x, pool=2, stride=2: _pool(x, pool, 1),
                "your windows move 1 pixel at a time; use the stride."),
        Mistake("window one short",
                lambda x, pool=2, stride=2: _pool_windows(x, pool, stride, np.max, size=pool - 1),
                "your windows are one pixel too small: rows i·s to i·s + pool (exclusive end), "
                "i.e. x[:, i*s:i*s+pool]."),
        Mistake("no +1", lambda x, pool=2, stride=2: _pool(x, pool, stride)[:, :-1, :-1],
                "your output is one row and one column short: H' = (H - pool) // stride + 1."),
        Mistake("over channels",
                lambda x, pool=2, stride=2: _pool(x, pool, stride).max(axis=3, keepdims=True),
                "you took the maximum over the channels as well; pooling works on each channel "
                "separately, so C stays the same."),
    ],
)


# --- softmax ------------------------------------------------------------------------------------

def _softmax(z):
    return _ref("softmax")(z)


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


CROSS_ENTROPY = Exercise(
    name="cross_entropy",
    points=1,
    public_cases=_ce_public,
    hidden_cases=_ce_hidden,
    compare=allclose(rtol=1e-9, atol=1e-12),
    time_limit=5.0,
    mistakes=[
        Mistake("sum", lambda p, y: float(-_true_class_log(p, y).sum()),
                "your loss is the *sum* over the batch; the loss is the mean, so that it does not "
                "grow with the batch size (Keras averages too)."),
        Mistake("probs[:, y]", lambda p, y: float(-np.mean(np.log(p[:, y]))),
                "probs[:, y] selects an N x N block (every sample's probability of every "
                "label); pick one entry per row: probs[np.arange(N), y]."),
        Mistake("no minus", lambda p, y: float(np.mean(_true_class_log(p, y))),
                "your loss is negative: the negative log-likelihood is -mean(log p)."),
        Mistake("log10", lambda p, y: float(-np.mean(np.log10(p[np.arange(len(y)), y]))),
                "you used log10; cross-entropy uses the natural logarithm (np.log)."),
        Mistake("per sample", lambda p, y: -_true_class_log(p, y),
                "you returned one loss per sample; average them into a single number."),
        Mistake("mean over N*K", lambda p, y: float(-np.mean(np.eye(p.shape[1])[y] * np.log(p))),
                "you averaged over all N·K entries of onehot · log(p); average over the N "
                "samples only (sum over the classes first)."),
        Mistake("0 log 0", lambda p, y: float(-np.mean(np.sum(np.eye(p.shape[1])[y] * np.log(p), axis=1))),
                "your loss is NaN when a wrong class has probability 0: onehot · log(p) computes "
                "0 · log(0) = 0 · (-inf) = NaN. Index the true class instead: "
                "probs[np.arange(N), y]."),
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
                "image and every position, so db = dout.sum(axis=(0, 1, 2)), shape (C_out,)."),
        Mistake("db per position", _replace(2, lambda dout, x, w, b, s, p, g: dout.sum(axis=0)),
                "db was summed over the batch but not over positions: b is added at every "
                "output position, so db = dout.sum(axis=(0, 1, 2)), shape (C_out,)."),
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
        Mistake("dw layout", _replace(1, lambda dout, x, w, b, s, p, g: g[1].transpose(0, 1, 3, 2)),
                "dw must have the layout of w, (kh, kw, C_in, C_out)."),
    ],
)


EXERCISES = [
    CONV_OUTPUT_SIZE,
    ZERO_PAD,
    CONV2D_FORWARD,
    RELU,
    MAX_POOL_FORWARD,
    SOFTMAX,
    CROSS_ENTROPY,
    NUMERICAL_GRADIENT,
    CONV2D_BACKWARD,
]
