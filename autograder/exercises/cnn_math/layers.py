"""Chapter 02_cnn_math, forward pass: output sizes, zero padding, the convolution, ReLU and max
pooling, in the Keras layouts (NHWC images, (kh, kw, C_in, C_out) kernels)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...compare import PASS, Verdict, allclose, type_name
from ...registry import Case, Exercise, Mistake, reference

CHAPTER = "02_cnn_math"


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
    yield Case((10, 3), {"stride": 3}, label="a stride that does not divide evenly")
    yield Case((7, 7), label="kernel as large as the input")
    yield Case((4, 5), {"padding": 1}, label="kernel larger than the unpadded input")


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
    yield Case((_images(rng, 1, 2, 3, 1), 0), label="no padding at all")


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
                "only the two image axes H and W. np.pad takes one (before, after) pair per "
                "axis, and a pair of zeros leaves an axis as it is."),
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
    yield Case((_images(rng, 1, 6, 5, 2), _kernel(rng, 2, 3, 2, 3), rng.normal(size=3)),
               {"stride": 2, "padding": 1}, label="a non-square 2x3 kernel, stride 2, padding 1")
    yield Case((_images(rng, 1, 3, 3, 3), _kernel(rng, 1, 1, 3, 2), rng.normal(size=2)),
               label="a pointwise (1x1) kernel mixing channels")


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
                "np.max(z, 0) takes the maximum *along axis 0* (a reduction that removes an "
                "axis); ReLU is the element-wise maximum of each entry and 0, which keeps the "
                "shape (NumPy has a separate function for element-wise maxima)."),
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
    return reference(CHAPTER, "max_pool_forward")(x, pool, stride)


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
    yield Case((_images(rng, 1, 8, 5, 2),), {"pool": 3, "stride": 2},
               label="overlapping 3x3 windows, stride 2, a partial window at the border")
    yield Case((np.round(_images(rng, 1, 4, 5, 1)),), {"pool": 2, "stride": 1},
               label="windows moving one pixel at a time, ties inside windows")


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


