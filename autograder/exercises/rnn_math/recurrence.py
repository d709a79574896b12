"""Chapter 03_rnn_math, part 1: the recurrence, backpropagation through time, gradient clipping
and the LSTM step, in Keras's layouts (so that a learner's NumPy layer can load a Keras layer's
weights)."""

from __future__ import annotations

import functools

import numpy as np

from ...compare import allclose
from ...registry import Case, Exercise, Mistake

# Float tolerances: states and gradients go through tanh and sigmoids (a float32 Keras layer
# agrees to about 1e-7); clipping and heart rates are plain arithmetic.
_STATES = allclose(rtol=1e-5, atol=1e-7)
_ARITHMETIC = allclose(rtol=1e-6, atol=1e-9)

# --- shared pieces of the known mistakes --------------------------------------------------------


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _step(x_t, h_prev, Wx, Wh, b, act=np.tanh, transpose=False, bias=True, recurrence=True):
    pre = x_t @ Wx
    if recurrence:
        pre = pre + h_prev @ (Wh.T if transpose else Wh)
    if bias:
        pre = pre + b
    return act(pre)


def _forward(x, h0, Wx, Wh, b, **kw):
    h, states = h0, []
    for t in range(x.shape[1]):
        h = _step(x[:, t], h, Wx, Wh, b, **kw)
        states.append(h)
    return np.stack(states, axis=1)


def _weights(rng, D, H, scale=1.0):
    Wx = rng.normal(0.0, scale / np.sqrt(D), size=(D, H))
    Wh = rng.normal(0.0, scale / np.sqrt(H), size=(H, H))
    b = rng.normal(0.0, 0.5 * scale, size=H)
    return Wx, Wh, b


# --- rnn_step_forward ---------------------------------------------------------------------------

def _step_case(rng, N, D, H, label, scale=1.0, zero_h=False):
    Wx, Wh, b = _weights(rng, D, H, scale)
    x_t = rng.normal(0.0, scale, size=(N, D))
    h_prev = np.zeros((N, H)) if zero_h else np.tanh(rng.normal(0.0, 1.0, size=(N, H)))
    return Case((x_t, h_prev, Wx, Wh, b), label=label)


def _step_public(rng):
    yield _step_case(rng, 2, 3, 4, "a batch of 2, input size 3, hidden size 4")
    yield _step_case(rng, 5, 4, 3, "a batch of 5, input size 4, hidden size 3")
    yield _step_case(rng, 1, 1, 3, "a batch of 1, a single input feature, previous state zeros",
                     zero_h=True)


def _step_hidden(rng):
    yield _step_case(rng, 1, 3, 5, "a batch of 1")
    yield _step_case(rng, 4, 1, 6, "a single input feature (one ECG lead)")
    yield _step_case(rng, 3, 6, 2, "more inputs than hidden units")
    yield _step_case(rng, 3, 4, 4, "large inputs that saturate tanh", scale=8.0)
    yield _step_case(rng, 2, 3, 3, "the first step: previous state all zeros", zero_h=True)
    yield _step_case(rng, 16, 8, 7, "a batch of 16")


_SIGMOID_HINT = ("your values lie between 0 and 1: you used the sigmoid. The recurrence "
                 "h_t = tanh(x_t Wx + h_prev Wh + b) uses tanh (zero-centred, values in (-1, 1)), "
                 "as keras.layers.SimpleRNN does by default.")
_TRANSPOSE_HINT = ("you multiplied by Wh transposed (`h @ Wh.T`). In the Keras layout "
                   "recurrent_kernel has shape (units, units) with rows indexed by the previous "
                   "state: compute `h_prev @ Wh`.")
_BIAS_HINT = "your output matches leaving out the bias b: add `+ b` inside the tanh."
_NO_RECURRENCE_HINT = ("your output ignores the previous hidden state: without the term "
                       "`h_prev @ Wh` there is no recurrence, and the network forgets everything "
                       "but the current input.")

STEP = Exercise(
    name="rnn_step_forward",
    points=2,
    public_cases=_step_public,
    hidden_cases=_step_hidden,
    compare=_STATES,
    time_limit=5.0,
    mistakes=[
        Mistake("sigmoid", lambda *a: _step(*a, act=_sigmoid), _SIGMOID_HINT),
        Mistake("Wh transposed", lambda *a: _step(*a, transpose=True), _TRANSPOSE_HINT),
        Mistake("no bias", lambda *a: _step(*a, bias=False), _BIAS_HINT),
        Mistake("no recurrence", lambda *a: _step(*a, recurrence=False), _NO_RECURRENCE_HINT),
        Mistake("bias outside tanh", lambda x, h, Wx, Wh, b: np.tanh(x @ Wx + h @ Wh) + b,
                "you added the bias after the tanh; it belongs inside: tanh(x Wx + h Wh + b)."),
    ],
)


# --- rnn_forward --------------------------------------------------------------------------------

def _sequence_case(rng, N, T, D, H, label, scale=1.0, zero_h=False):
    Wx, Wh, b = _weights(rng, D, H, scale)
    x = rng.normal(0.0, scale, size=(N, T, D))
    h0 = np.zeros((N, H)) if zero_h else np.tanh(rng.normal(0.0, 1.0, size=(N, H)))
    return Case((x, h0, Wx, Wh, b), label=label)


def _forward_public(rng):
    yield _sequence_case(rng, 2, 4, 3, 5, "2 sequences of 4 steps, input size 3, hidden size 5")
    yield _sequence_case(rng, 3, 6, 2, 3, "3 sequences of 6 steps, input size 2, hidden size 3")
    yield _sequence_case(rng, 1, 1, 2, 3, "a batch of 1, a sequence of a single step")


def _forward_hidden(rng):
    yield _sequence_case(rng, 1, 5, 3, 4, "a batch of 1")
    yield _sequence_case(rng, 4, 1, 3, 4, "sequences of a single step")
    yield _sequence_case(rng, 2, 30, 1, 8, "30 steps of a single-lead signal")
    yield _sequence_case(rng, 3, 5, 4, 4, "large inputs that saturate tanh", scale=6.0)
    yield _sequence_case(rng, 5, 7, 6, 2, "more inputs than hidden units")
    yield _sequence_case(rng, 2, 8, 3, 6, "a nonzero initial state that matters")


def _shifted(x, h0, Wx, Wh, b):
    h = _forward(x, h0, Wx, Wh, b)
    return np.concatenate([h0[:, None, :], h[:, :-1]], axis=1)


def _backwards_in_time(x, h0, Wx, Wh, b):
    return _forward(x[:, ::-1], h0, Wx, Wh, b)


FORWARD = Exercise(
    name="rnn_forward",
    points=3,
    public_cases=_forward_public,
    hidden_cases=_forward_hidden,
    compare=_STATES,
    time_limit=5.0,
    mistakes=[
        Mistake("sigmoid", lambda *a: _forward(*a, act=_sigmoid), _SIGMOID_HINT),
        Mistake("Wh transposed", lambda *a: _forward(*a, transpose=True), _TRANSPOSE_HINT),
        Mistake("no bias", lambda *a: _forward(*a, bias=False), _BIAS_HINT),
        Mistake("no recurrence", lambda *a: _forward(*a, recurrence=False),
                "every state depends on its own input only: each step must feed the previous "
                "state back in, h_t = tanh(x_t Wx + h_{t-1} Wh + b). Did you pass h0 (or "
                "nothing) to every step instead of the state you just computed?"),
        Mistake("h0 fed to every step",
                lambda x, h0, Wx, Wh, b: np.stack([_step(x[:, t], h0, Wx, Wh, b)
                                                   for t in range(x.shape[1])], axis=1),
                "every state is computed from h0 instead of from the state before it: feed the "
                "previous state back in, h_t = tanh(x_t Wx + h_{t-1} Wh + b), so that the "
                "network remembers beyond one step."),
        Mistake("h0 ignored", lambda x, h0, Wx, Wh, b: _forward(x, np.zeros_like(h0), Wx, Wh, b),
                "your states match starting from zeros: the recurrence must start from the given "
                "initial state h0 (Keras's initial_state)."),
        Mistake("only the last state", lambda *a: _forward(*a)[:, -1],
                "you returned only the last hidden state, shape (N, H); return every state, "
                "shape (N, T, H) (Keras's return_sequences=True)."),
        Mistake("time reversed output", lambda *a: _forward(*a)[:, ::-1],
                "your states are in reverse time order: h[:, t] must be the state after "
                "reading x[:, t], with t running forwards."),
        Mistake("processed backwards", _backwards_in_time,
                "your states match reading the sequence from its last step to its first: the "
                "recurrence runs forwards in time, t = 0, 1, ..., T-1."),
        Mistake("processed backwards, stored forwards",
                lambda *a: _backwards_in_time(*a)[:, ::-1],
                "your states match reading the sequence from its last step to its first (time "
                "reversed): the recurrence runs forwards in time, t = 0, 1, ..., T-1."),
        Mistake("shifted by one step", _shifted,
                "your states are shifted by one step: h[:, 0] must be the state after the first "
                "input (not h0), and h[:, T-1] the state after the last input."),
    ],
)


# --- rnn_backward -------------------------------------------------------------------------------

def _backward(dh, x, h0, Wx, Wh, b, carry=True, tanh_grad=True, transpose_dWh=False,
              grad_at_prev=False, recur_T=True, zero_dh0=False):
    h = _forward(x, h0, Wx, Wh, b)
    N, T, D = x.shape
    H = h0.shape[1]
    dx = np.zeros_like(x, dtype=float)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    dh_next = np.zeros((N, H))
    for t in reversed(range(T)):
        h_prev = h0 if t == 0 else h[:, t - 1]
        total = dh[:, t] + (dh_next if carry else 0.0)
        if not tanh_grad:
            da = total
        elif grad_at_prev:
            da = total * (1 - h_prev ** 2)
        else:
            da = total * (1 - h[:, t] ** 2)
        dx[:, t] = da @ Wx.T
        dWx += x[:, t].T @ da
        dWh += (da.T @ h_prev) if transpose_dWh else (h_prev.T @ da)
        db += da.sum(axis=0)
        dh_next = da @ (Wh.T if recur_T else Wh)
    dh0 = np.zeros_like(h0) if zero_dh0 else dh_next
    return dx, dh0, dWx, dWh, db


def _backward_case(rng, N, T, D, H, label, scale=1.0):
    forward = _sequence_case(rng, N, T, D, H, label, scale)
    dh = rng.normal(0.0, 1.0, size=(N, T, H))
    return Case((dh, *forward.args), label=label)


def _backward_public(rng):
    yield _backward_case(rng, 2, 3, 4, 5, "2 sequences of 3 steps, input size 4, hidden size 5")
    yield _backward_case(rng, 3, 5, 2, 3, "3 sequences of 5 steps, input size 2, hidden size 3")
    yield _backward_case(rng, 1, 1, 2, 2, "a batch of 1, a sequence of a single step")


def _backward_hidden(rng):
    yield _backward_case(rng, 1, 4, 3, 4, "a batch of 1")
    yield _backward_case(rng, 2, 1, 3, 2, "sequences of a single step")
    yield _backward_case(rng, 2, 12, 1, 6, "12 steps of a single-lead signal")
    yield _backward_case(rng, 4, 6, 5, 3, "more inputs than hidden units")
    yield _backward_case(rng, 3, 4, 3, 3, "large inputs that saturate tanh", scale=4.0)
    dh, x, h0, Wx, Wh, b = _backward_case(rng, 2, 6, 3, 4, "").args
    dh[:, :-1] = 0.0
    yield Case((dh, x, h0, Wx, Wh, b), label="a loss on the last state only (as in classification)")


BACKWARD = Exercise(
    name="rnn_backward",
    points=5,
    public_cases=_backward_public,
    hidden_cases=_backward_hidden,
    compare=_STATES,
    output_names=("dx", "dh0", "dWx", "dWh", "db"),
    time_limit=5.0,
    mistakes=[
        Mistake("no carry from later steps", lambda *a: _backward(*a, carry=False),
                "your gradients match treating every step on its own: h_t also feeds every later "
                "step, so the gradient flowing back from step t+1 (`dh_next = da @ Wh.T`) must be "
                "added to dh[:, t] before going through step t."),
        Mistake("tanh derivative dropped", lambda *a: _backward(*a, tanh_grad=False),
                "your gradients skip the derivative of tanh: multiply the incoming gradient by "
                "(1 - h_t**2) before using it for the weights, the input and the previous state."),
        Mistake("dWh transposed", lambda *a: _backward(*a, transpose_dWh=True),
                "your dWh is transposed: with a_t = h_{t-1} Wh + ..., dWh = sum over t of "
                "h_{t-1}.T @ da_t (shape (H, H), rows indexed by the previous state)."),
        Mistake("tanh derivative at the previous state", lambda *a: _backward(*a, grad_at_prev=True),
                "you used the derivative of tanh at the previous state (1 - h_{t-1}**2); step t's "
                "derivative is 1 - h_t**2, with h_t the state that step produced."),
        Mistake("carried through Wh not transposed", lambda *a: _backward(*a, recur_T=False),
                "the gradient carried to the previous state must go back through Wh transposed: "
                "dh_prev = da @ Wh.T (you used Wh)."),
        Mistake("dh0 zero", lambda *a: _backward(*a, zero_dh0=True),
                "your dh0 is zero: the initial state feeds the first step, so dh0 is the gradient "
                "carried back out of step 0, da_0 @ Wh.T."),
    ],
)


# --- clip_by_global_norm ------------------------------------------------------------------------

def _global(grads):
    return float(np.sqrt(sum(np.sum(np.asarray(g, dtype=float) ** 2) for g in grads)))


def _clip_reference(grads, max_norm):
    norm = _global(grads)
    return [np.asarray(g, dtype=float) * (max_norm / max(norm, max_norm)) for g in grads]


def _clip_case(rng, shapes, target_norm, max_norm, label):
    grads = [rng.normal(size=s) for s in shapes]
    factor = target_norm / _global(grads) if target_norm is not None else 1.0
    return Case(([g * factor for g in grads], max_norm), label=label)


def _clip_public(rng):
    yield _clip_case(rng, [(3, 4), (4, 4), (4,)], 10.0, 1.0,
                     "three gradients (kernel, recurrent kernel, bias) with global norm 10, max 1")
    yield _clip_case(rng, [(2, 3), (3,)], 0.5, 1.0, "a global norm already below the maximum")
    yield _clip_case(rng, [(5, 2), (2, 2), (2,)], 3.0, 2.0,
                     "global norm 3, max 2: every array is below 2 on its own")
    yield Case(([np.zeros((2, 2)), np.zeros(2)], 1.0), label="all gradients zero")
    yield _clip_case(rng, [(4, 3)], 6.0, 3.0, "a single gradient array")


def _clip_hidden(rng):
    yield _clip_case(rng, [(6, 3)], 50.0, 5.0, "a single gradient array")
    yield _clip_case(rng, [(4, 8), (8, 8), (8,)], 1e6, 1.0, "an exploding gradient (norm 1e6)")
    yield Case(([np.zeros((3, 2)), np.zeros(2)], 1.0), label="all gradients zero")
    yield _clip_case(rng, [(2, 2), (2,)], 1.0, 1.0, "a global norm exactly at the maximum")
    yield _clip_case(rng, [(3, 3, 2), (4,), (1,)], 7.0, 0.1, "arrays of several dimensions")
    yield _clip_case(rng, [(10,), (10,), (10,), (10,)], 1.9, 1.0,
                     "four arrays, each below the maximum on its own")
    yield _clip_case(rng, [(3, 4), (4,)], 0.3, 5.0, "small gradients, a large maximum")


CLIP = Exercise(
    name="clip_by_global_norm",
    points=2,
    public_cases=_clip_public,
    hidden_cases=_clip_hidden,
    compare=_ARITHMETIC,
    time_limit=5.0,
    mistakes=[
        Mistake("per-array clipping",
                lambda grads, m: [g * (m / max(np.linalg.norm(g), m)) if np.linalg.norm(g) else g
                                  for g in grads],
                "you clipped each array by its own norm. Clipping by the global norm uses one "
                "norm over all arrays together, sqrt(sum of every squared entry), and scales "
                "every array by the same factor, so the update keeps its direction."),
        Mistake("element-wise clipping", lambda grads, m: [np.clip(g, -m, m) for g in grads],
                "you clipped element-wise (np.clip to [-max_norm, max_norm]), which changes the "
                "gradient's direction; scale all arrays by max_norm / global_norm instead."),
        Mistake("always rescaled",
                lambda grads, m: [g * m / _global(grads) for g in grads] if _global(grads) else
                [np.asarray(g, dtype=float) for g in grads],
                "you rescaled even though the global norm was already below max_norm: clipping "
                "only shrinks. The factor is max_norm / global_norm when the global norm exceeds "
                "max_norm, and 1 (no change) otherwise."),
        Mistake("sum of norms",
                lambda grads, m: [g * m / max(sum(np.linalg.norm(x) for x in grads), m)
                                  for g in grads],
                "your global norm is the sum of the arrays' norms; it is the square root of the "
                "sum of their squared norms, sqrt(sum_k ||g_k||^2)."),
        Mistake("squared norm",
                lambda grads, m: [g * m / max(_global(grads) ** 2, m) for g in grads],
                "your global norm is squared: take the square root of the sum of squares."),
        Mistake("returned the norm too",
                lambda grads, m: (_clip_reference(grads, m), _global(grads)),
                "you returned (clipped, global_norm) as tf.clip_by_global_norm does; this "
                "function returns only the list of clipped arrays."),
    ],
)


# --- lstm_step_forward --------------------------------------------------------------------------

_KERAS_ORDER = "ifco"


def _lstm(x_t, h_prev, c_prev, W, U, b, order=_KERAS_ORDER, forget_on_h=False, tanh_out=True,
          gate_act=_sigmoid, no_input_gate=False, swap_outputs=False):
    z = x_t @ W + h_prev @ U + b
    parts = dict(zip(order, np.split(z, 4, axis=1)))
    i, f, g, o = gate_act(parts["i"]), gate_act(parts["f"]), np.tanh(parts["c"]), gate_act(parts["o"])
    c = f * (h_prev if forget_on_h else c_prev) + (g if no_input_gate else i * g)
    h = o * (np.tanh(c) if tanh_out else c)
    return (c, h) if swap_outputs else (h, c)


def _lstm_case(rng, N, D, H, label, scale=1.0):
    W = rng.normal(0.0, scale / np.sqrt(D), size=(D, 4 * H))
    U = rng.normal(0.0, scale / np.sqrt(H), size=(H, 4 * H))
    b = rng.normal(0.0, 0.5, size=4 * H)
    x_t = rng.normal(0.0, scale, size=(N, D))
    h_prev = np.tanh(rng.normal(size=(N, H)))
    c_prev = rng.normal(0.0, 1.5, size=(N, H))
    return Case((x_t, h_prev, c_prev, W, U, b), label=label)


def _lstm_public(rng):
    yield _lstm_case(rng, 2, 3, 4, "a batch of 2, input size 3, 4 units")
    yield _lstm_case(rng, 4, 5, 2, "a batch of 4, input size 5, 2 units")
    yield _lstm_case(rng, 1, 1, 1, "a batch of 1, a single input feature, a single unit")


def _lstm_hidden(rng):
    yield _lstm_case(rng, 1, 3, 3, "a batch of 1")
    yield _lstm_case(rng, 3, 1, 5, "a single input feature")
    yield _lstm_case(rng, 2, 4, 1, "a single unit")
    yield _lstm_case(rng, 3, 4, 6, "large inputs that saturate the gates", scale=5.0)
    yield _lstm_case(rng, 8, 6, 3, "a batch of 8")


def _order_hint(order):
    shown = ", ".join("c~" if gate == "c" else gate for gate in order)
    return (f"your gates match the column order {shown}; Keras stores the 4H columns of W, U and "
            "b in the order i, f, c, o (input gate, forget gate, cell candidate c~, output gate).")


LSTM_STEP = Exercise(
    name="lstm_step_forward",
    points=3,
    public_cases=_lstm_public,
    hidden_cases=_lstm_hidden,
    compare=_STATES,
    output_names=("h_t", "c_t"),
    time_limit=5.0,
    mistakes=[
        *[Mistake(f"gate order {o}", functools.partial(_lstm, order=o), _order_hint(o))
          for o in ("icfo", "ifoc", "fico", "oifc", "cifo")],
        Mistake("forget gate on h", lambda *a: _lstm(*a, forget_on_h=True),
                "your forget gate multiplies the previous hidden state h_prev; it gates the "
                "previous cell state: c_t = f * c_prev + i * c~."),
        Mistake("no tanh on the cell output", lambda *a: _lstm(*a, tanh_out=False),
                "your h_t is o * c_t: the cell state goes through tanh first, h_t = o * tanh(c_t)."),
        Mistake("tanh gates", lambda *a: _lstm(*a, gate_act=np.tanh),
                "your gates use tanh; gates are sigmoids (values in (0, 1), fractions to keep or "
                "let through); only the candidate c~ and the output squashing use tanh."),
        Mistake("no input gate", lambda *a: _lstm(*a, no_input_gate=True),
                "you added the candidate without the input gate: c_t = f * c_prev + i * c~."),
        Mistake("outputs swapped", lambda *a: _lstm(*a, swap_outputs=True),
                "you returned (c_t, h_t); return (h_t, c_t), the order of Keras's states."),
    ],
)


