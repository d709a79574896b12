"""Chapter 03_rnn_math: mistakes seen when implementing recurrent networks and the ECG exercises,
and other correct ways."""

from tests.mutants import Alternative, Mutant

CHAPTER = "03_rnn_math"

MUTANTS = [
    # rnn_step_forward
    Mutant("rnn_step_forward", "sigmoid instead of tanh", '''
def rnn_step_forward(x_t, h_prev, Wx, Wh, b):
    return 1 / (1 + np.exp(-(x_t @ Wx + h_prev @ Wh + b)))
''', "you used the sigmoid"),
    Mutant("rnn_step_forward", "h @ Wh.T", '''
def rnn_step_forward(x_t, h_prev, Wx, Wh, b):
    return np.tanh(x_t @ Wx + h_prev @ Wh.T + b)
''', "Wh transposed"),
    Mutant("rnn_step_forward", "no bias", '''
def rnn_step_forward(x_t, h_prev, Wx, Wh, b):
    return np.tanh(x_t @ Wx + h_prev @ Wh)
''', "leaving out the bias"),
    Mutant("rnn_step_forward", "no recurrence", '''
def rnn_step_forward(x_t, h_prev, Wx, Wh, b):
    return np.tanh(x_t @ Wx + b)
''', "ignores the previous hidden state"),
    Mutant("rnn_step_forward", "bias added after tanh", '''
def rnn_step_forward(x_t, h_prev, Wx, Wh, b):
    return np.tanh(x_t @ Wx + h_prev @ Wh) + b
''', "bias after the tanh"),
    Mutant("rnn_step_forward", "weights on the wrong side (column-vector formula copied)", '''
def rnn_step_forward(x_t, h_prev, Wx, Wh, b):
    return np.tanh((Wx @ x_t.T).T + (Wh @ h_prev.T).T + b)
''', "ValueError"),
    # rnn_forward
    Mutant("rnn_forward", "sigmoid instead of tanh", '''
def rnn_forward(x, h0, Wx, Wh, b):
    h, out = h0, []
    for t in range(x.shape[1]):
        h = 1 / (1 + np.exp(-(x[:, t] @ Wx + h @ Wh + b)))
        out.append(h)
    return np.stack(out, axis=1)
''', "you used the sigmoid"),
    Mutant("rnn_forward", "h @ Wh.T", '''
def rnn_forward(x, h0, Wx, Wh, b):
    h, out = h0, []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ Wx + h @ Wh.T + b)
        out.append(h)
    return np.stack(out, axis=1)
''', "Wh transposed"),
    Mutant("rnn_forward", "no bias", '''
def rnn_forward(x, h0, Wx, Wh, b):
    h, out = h0, []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ Wx + h @ Wh)
        out.append(h)
    return np.stack(out, axis=1)
''', "leaving out the bias"),
    Mutant("rnn_forward", "no recurrence: h0 fed to every step", '''
def rnn_forward(x, h0, Wx, Wh, b):
    return np.stack([np.tanh(x[:, t] @ Wx + h0 @ Wh + b) for t in range(x.shape[1])], axis=1)
''', "feed the previous"),
    Mutant("rnn_forward", "h0 ignored", '''
def rnn_forward(x, h0, Wx, Wh, b):
    h, out = np.zeros_like(h0), []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ Wx + h @ Wh + b)
        out.append(h)
    return np.stack(out, axis=1)
''', "initial state h0"),
    Mutant("rnn_forward", "only the last state returned", '''
def rnn_forward(x, h0, Wx, Wh, b):
    h = h0
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ Wx + h @ Wh + b)
    return h
''', "only the last hidden state"),
    Mutant("rnn_forward", "time reversed: states returned last first", '''
def rnn_forward(x, h0, Wx, Wh, b):
    h, out = h0, []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ Wx + h @ Wh + b)
        out.insert(0, h)
    return np.stack(out, axis=1)
''', "reverse time order"),
    Mutant("rnn_forward", "time reversed: sequence read backwards", '''
def rnn_forward(x, h0, Wx, Wh, b):
    T = x.shape[1]
    h, out = h0, np.zeros((x.shape[0], T, h0.shape[1]))
    for t in reversed(range(T)):
        h = np.tanh(x[:, t] @ Wx + h @ Wh + b)
        out[:, t] = h
    return out
''', "from its last step to its first"),
    Mutant("rnn_forward", "states shifted by one step", '''
def rnn_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    out = np.zeros((N, T, h0.shape[1]))
    h = h0
    for t in range(T):
        out[:, t] = h
        h = np.tanh(x[:, t] @ Wx + h @ Wh + b)
    return out
''', "shifted by one step"),
    # rnn_backward
    Mutant("rnn_backward", "no gradient carried back from later steps", '''
def rnn_backward(dh, x, h0, Wx, Wh, b):
    N, T, D = x.shape
    h, prev = [], h0
    for t in range(T):
        prev = np.tanh(x[:, t] @ Wx + prev @ Wh + b)
        h.append(prev)
    dx = np.zeros_like(x)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    dh0 = np.zeros_like(h0)
    for t in reversed(range(T)):
        da = dh[:, t] * (1 - h[t] ** 2)
        hp = h0 if t == 0 else h[t - 1]
        dx[:, t] = da @ Wx.T
        dWx += x[:, t].T @ da
        dWh += hp.T @ da
        db += da.sum(0)
        if t == 0:
            dh0 = da @ Wh.T
    return dx, dh0, dWx, dWh, db
''', "treating every step on its own"),
    Mutant("rnn_backward", "tanh derivative dropped", '''
def rnn_backward(dh, x, h0, Wx, Wh, b):
    N, T, D = x.shape
    h, prev = [], h0
    for t in range(T):
        prev = np.tanh(x[:, t] @ Wx + prev @ Wh + b)
        h.append(prev)
    dx = np.zeros_like(x)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    carry = np.zeros_like(h0)
    for t in reversed(range(T)):
        da = dh[:, t] + carry
        hp = h0 if t == 0 else h[t - 1]
        dx[:, t] = da @ Wx.T
        dWx += x[:, t].T @ da
        dWh += hp.T @ da
        db += da.sum(0)
        carry = da @ Wh.T
    return dx, carry, dWx, dWh, db
''', "skip the derivative of tanh"),
    Mutant("rnn_backward", "dWh transposed", '''
def rnn_backward(dh, x, h0, Wx, Wh, b):
    N, T, D = x.shape
    h, prev = [], h0
    for t in range(T):
        prev = np.tanh(x[:, t] @ Wx + prev @ Wh + b)
        h.append(prev)
    dx = np.zeros_like(x)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    carry = np.zeros_like(h0)
    for t in reversed(range(T)):
        da = (dh[:, t] + carry) * (1 - h[t] ** 2)
        hp = h0 if t == 0 else h[t - 1]
        dx[:, t] = da @ Wx.T
        dWx += x[:, t].T @ da
        dWh += da.T @ hp
        db += da.sum(0)
        carry = da @ Wh.T
    return dx, carry, dWx, dWh, db
''', "dWh is transposed"),
    Mutant("rnn_backward", "tanh derivative taken at the previous state", '''
def rnn_backward(dh, x, h0, Wx, Wh, b):
    N, T, D = x.shape
    h, prev = [], h0
    for t in range(T):
        prev = np.tanh(x[:, t] @ Wx + prev @ Wh + b)
        h.append(prev)
    dx = np.zeros_like(x)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    carry = np.zeros_like(h0)
    for t in reversed(range(T)):
        hp = h0 if t == 0 else h[t - 1]
        da = (dh[:, t] + carry) * (1 - hp ** 2)
        dx[:, t] = da @ Wx.T
        dWx += x[:, t].T @ da
        dWh += hp.T @ da
        db += da.sum(0)
        carry = da @ Wh.T
    return dx, carry, dWx, dWh, db
''', "derivative of tanh at the previous state"),
    Mutant("rnn_backward", "carried gradient through Wh instead of Wh.T", '''
def rnn_backward(dh, x, h0, Wx, Wh, b):
    N, T, D = x.shape
    h, prev = [], h0
    for t in range(T):
        prev = np.tanh(x[:, t] @ Wx + prev @ Wh + b)
        h.append(prev)
    dx = np.zeros_like(x)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    carry = np.zeros_like(h0)
    for t in reversed(range(T)):
        da = (dh[:, t] + carry) * (1 - h[t] ** 2)
        hp = h0 if t == 0 else h[t - 1]
        dx[:, t] = da @ Wx.T
        dWx += x[:, t].T @ da
        dWh += hp.T @ da
        db += da.sum(0)
        carry = da @ Wh
    return dx, carry, dWx, dWh, db
''', "back through Wh transposed"),
    Mutant("rnn_backward", "dh0 left at zero", '''
def rnn_backward(dh, x, h0, Wx, Wh, b):
    N, T, D = x.shape
    h, prev = [], h0
    for t in range(T):
        prev = np.tanh(x[:, t] @ Wx + prev @ Wh + b)
        h.append(prev)
    dx = np.zeros_like(x)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    carry = np.zeros_like(h0)
    for t in reversed(range(T)):
        da = (dh[:, t] + carry) * (1 - h[t] ** 2)
        hp = h0 if t == 0 else h[t - 1]
        dx[:, t] = da @ Wx.T
        dWx += x[:, t].T @ da
        dWh += hp.T @ da
        db += da.sum(0)
        carry = da @ Wh.T
    return dx, np.zeros_like(h0), dWx, dWh, db
''', "your dh0 is zero"),
    # clip_by_global_norm
    Mutant("clip_by_global_norm", "per-array clipping", '''
def clip_by_global_norm(grads, max_norm):
    out = []
    for g in grads:
        n = np.linalg.norm(g)
        out.append(g * max_norm / n if n > max_norm else g)
    return out
''', "each array by its own norm"),
    Mutant("clip_by_global_norm", "element-wise clipping", '''
def clip_by_global_norm(grads, max_norm):
    return [np.clip(g, -max_norm, max_norm) for g in grads]
''', "element-wise"),
    Mutant("clip_by_global_norm", "always rescales to max_norm", '''
def clip_by_global_norm(grads, max_norm):
    norm = np.sqrt(sum((g ** 2).sum() for g in grads))
    return [g * max_norm / norm for g in grads]
''', "already below max_norm"),
    Mutant("clip_by_global_norm", "global norm as the sum of norms", '''
def clip_by_global_norm(grads, max_norm):
    norm = sum(np.linalg.norm(g) for g in grads)
    return [g * max_norm / max(norm, max_norm) for g in grads]
''', "sum of the arrays' norms"),
    Mutant("clip_by_global_norm", "returns the norm too, like TensorFlow", '''
def clip_by_global_norm(grads, max_norm):
    norm = np.sqrt(sum((g ** 2).sum() for g in grads))
    return [g * max_norm / max(norm, max_norm) for g in grads], norm
''', "returns only the list"),
    Mutant("clip_by_global_norm", "scales the arrays in place", '''
def clip_by_global_norm(grads, max_norm):
    norm = np.sqrt(sum((g ** 2).sum() for g in grads))
    for g in grads:
        g *= max_norm / max(norm, max_norm)
    return grads
''', "modified its input `grads`"),
    # lstm_step_forward
    Mutant("lstm_step_forward", "gates in the order i, c, f, o", '''
def lstm_step_forward(x_t, h_prev, c_prev, W, U, b):
    sig = lambda a: 1 / (1 + np.exp(-a))
    i, g, f, o = np.split(x_t @ W + h_prev @ U + b, 4, axis=1)
    c = sig(f) * c_prev + sig(i) * np.tanh(g)
    return sig(o) * np.tanh(c), c
''', "Keras stores the 4H columns"),
    Mutant("lstm_step_forward", "gates in the order i, f, o, c", '''
def lstm_step_forward(x_t, h_prev, c_prev, W, U, b):
    sig = lambda a: 1 / (1 + np.exp(-a))
    i, f, o, g = np.split(x_t @ W + h_prev @ U + b, 4, axis=1)
    c = sig(f) * c_prev + sig(i) * np.tanh(g)
    return sig(o) * np.tanh(c), c
''', "Keras stores the 4H columns"),
    Mutant("lstm_step_forward", "forget gate applied to h", '''
def lstm_step_forward(x_t, h_prev, c_prev, W, U, b):
    sig = lambda a: 1 / (1 + np.exp(-a))
    i, f, g, o = np.split(x_t @ W + h_prev @ U + b, 4, axis=1)
    c = sig(f) * h_prev + sig(i) * np.tanh(g)
    return sig(o) * np.tanh(c), c
''', "forget gate multiplies the previous hidden state"),
    Mutant("lstm_step_forward", "no tanh on the cell output", '''
def lstm_step_forward(x_t, h_prev, c_prev, W, U, b):
    sig = lambda a: 1 / (1 + np.exp(-a))
    i, f, g, o = np.split(x_t @ W + h_prev @ U + b, 4, axis=1)
    c = sig(f) * c_prev + sig(i) * np.tanh(g)
    return sig(o) * c, c
''', "h_t = o * tanh(c_t)"),
    Mutant("lstm_step_forward", "tanh on every gate", '''
def lstm_step_forward(x_t, h_prev, c_prev, W, U, b):
    i, f, g, o = np.tanh(np.split(x_t @ W + h_prev @ U + b, 4, axis=1))
    c = f * c_prev + i * g
    return o * np.tanh(c), c
''', "gates are sigmoids"),
    Mutant("lstm_step_forward", "returns (c, h)", '''
def lstm_step_forward(x_t, h_prev, c_prev, W, U, b):
    sig = lambda a: 1 / (1 + np.exp(-a))
    i, f, g, o = np.split(x_t @ W + h_prev @ U + b, 4, axis=1)
    c = sig(f) * c_prev + sig(i) * np.tanh(g)
    return c, sig(o) * np.tanh(c)
''', "you returned (c_t, h_t)"),
    # heart_rate_bpm
    Mutant("heart_rate_bpm", "sample indices without the sampling frequency", '''
def heart_rate_bpm(r_peak_indices, fs):
    return 60 / np.mean(np.diff(r_peak_indices))
''', "sampling frequency fs"),
    Mutant("heart_rate_bpm", "beats per second", '''
def heart_rate_bpm(r_peak_indices, fs):
    return 1 / np.mean(np.diff(r_peak_indices) / fs)
''', "beats per second"),
    Mutant("heart_rate_bpm", "multiplied by fs", '''
def heart_rate_bpm(r_peak_indices, fs):
    return 60 / np.mean(np.diff(r_peak_indices) * fs)
''', "divide by fs"),
    Mutant("heart_rate_bpm", "peaks counted as beats over the span", '''
def heart_rate_bpm(r_peak_indices, fs):
    r = np.asarray(r_peak_indices)
    minutes = (r[-1] - r[0]) / fs / 60
    return len(r) / minutes
''', "n peaks bound only n - 1"),
    Mutant("heart_rate_bpm", "mean of the instantaneous rates", '''
def heart_rate_bpm(r_peak_indices, fs):
    return float(np.mean(60 * fs / np.diff(r_peak_indices)))
''', "averaged the instantaneous rates"),
    Mutant("heart_rate_bpm", "assumes an ndarray (fails on a list)", '''
def heart_rate_bpm(r_peak_indices, fs):
    return 60 * fs / (r_peak_indices[1:] - r_peak_indices[:-1]).mean()
''', "TypeError"),
    # build_rhythm_classifier
    Mutant("build_rhythm_classifier", "one sigmoid output unit", '''
def build_rhythm_classifier(n_timesteps, n_channels, n_classes):
    return keras.Sequential([
        keras.Input(shape=(n_timesteps, n_channels)),
        keras.layers.LSTM(8),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
''', "needs n_classes units"),
    Mutant("build_rhythm_classifier", "no softmax on the output", '''
def build_rhythm_classifier(n_timesteps, n_channels, n_classes):
    return keras.Sequential([
        keras.Input(shape=(n_timesteps, n_channels)),
        keras.layers.LSTM(8),
        keras.layers.Dense(n_classes),
    ])
''', "activation='softmax'"),
    Mutant("build_rhythm_classifier", "time and channels swapped in the input shape", '''
def build_rhythm_classifier(n_timesteps, n_channels, n_classes):
    return keras.Sequential([
        keras.Input(shape=(n_channels, n_timesteps)),
        keras.layers.LSTM(8),
        keras.layers.Dense(n_classes, activation="softmax"),
    ])
''', "Keras puts time before channels"),
    Mutant("build_rhythm_classifier", "number of classes hard-coded to 5", '''
def build_rhythm_classifier(n_timesteps, n_channels, n_classes):
    return keras.Sequential([
        keras.Input(shape=(n_timesteps, n_channels)),
        keras.layers.Conv1D(16, 7, padding="same", activation="relu"),
        keras.layers.MaxPooling1D(3),
        keras.layers.Conv1D(32, 5, padding="same", activation="relu"),
        keras.layers.MaxPooling1D(4),
        keras.layers.LSTM(32),
        keras.layers.Dense(5, activation="softmax"),
    ])
''', "expected (None, n_classes) = (None, 4)"),
    Mutant("build_rhythm_classifier", "looks only at the last sample", '''
def build_rhythm_classifier(n_timesteps, n_channels, n_classes):
    return keras.Sequential([
        keras.Input(shape=(n_timesteps, n_channels)),
        keras.layers.Cropping1D((n_timesteps - 1, 0)),
        keras.layers.Flatten(),
        keras.layers.Dense(n_classes, activation="softmax"),
    ])
''', "below the pass mark"),
]

ALTERNATIVES = [
    Alternative("rnn_step_forward", "einsum", '''
def rnn_step_forward(x_t, h_prev, Wx, Wh, b):
    return np.tanh(np.einsum("nd,dh->nh", x_t, Wx) + np.einsum("nk,kh->nh", h_prev, Wh) + b)
'''),
    Alternative("rnn_step_forward", "Keras SimpleRNNCell in float64 with copied weights", '''
def rnn_step_forward(x_t, h_prev, Wx, Wh, b):
    cell = keras.layers.SimpleRNNCell(Wh.shape[0], dtype="float64")
    cell.build((None, Wx.shape[0]))
    cell.set_weights([Wx, Wh, b])
    out, _ = cell(x_t, [h_prev])
    return keras.ops.convert_to_numpy(out)
'''),
    Alternative("rnn_forward", "input projection for all steps at once, then the loop", '''
def rnn_forward(x, h0, Wx, Wh, b):
    xw = x @ Wx + b
    states = []
    h = h0
    for t in range(x.shape[1]):
        h = np.tanh(xw[:, t] + h @ Wh)
        states.append(h)
    return np.stack(states, axis=1)
'''),
    Alternative("rnn_forward", "Keras SimpleRNN in float64 with copied weights", '''
def rnn_forward(x, h0, Wx, Wh, b):
    layer = keras.layers.SimpleRNN(Wh.shape[0], return_sequences=True, dtype="float64")
    layer.build((None, x.shape[1], x.shape[2]))
    layer.set_weights([Wx, Wh, b])
    return keras.ops.convert_to_numpy(layer(x, initial_state=h0))
'''),
    Alternative("rnn_backward", "TensorFlow GradientTape", '''
def rnn_backward(dh, x, h0, Wx, Wh, b):
    import tensorflow as tf
    v = [tf.constant(a) for a in (x, h0, Wx, Wh, b)]
    with tf.GradientTape() as tape:
        tape.watch(v)
        h, states = v[1], []
        for t in range(x.shape[1]):
            h = tf.tanh(v[0][:, t] @ v[2] + h @ v[3] + v[4])
            states.append(h)
        loss = tf.reduce_sum(tf.stack(states, axis=1) * dh)
    return tuple(g.numpy() for g in tape.gradient(loss, v))
'''),
    Alternative("rnn_backward", "pre-activations stored, einsum for the weight gradients", '''
def rnn_backward(dh, x, h0, Wx, Wh, b):
    N, T, D = x.shape
    hs = [h0]
    for t in range(T):
        hs.append(np.tanh(x[:, t] @ Wx + hs[-1] @ Wh + b))
    hs = np.stack(hs, axis=1)  # (N, T + 1, H)
    deltas = np.zeros_like(dh)
    carry = np.zeros_like(h0)
    for t in range(T - 1, -1, -1):
        deltas[:, t] = (dh[:, t] + carry) * (1 - hs[:, t + 1] ** 2)
        carry = deltas[:, t] @ Wh.T
    dx = deltas @ Wx.T
    dWx = np.einsum("ntd,nth->dh", x, deltas)
    dWh = np.einsum("ntk,nth->kh", hs[:, :-1], deltas)
    return dx, carry, dWx, dWh, deltas.sum(axis=(0, 1))
'''),
    Alternative("clip_by_global_norm", "tf.clip_by_global_norm", '''
def clip_by_global_norm(grads, max_norm):
    import tensorflow as tf
    clipped, _ = tf.clip_by_global_norm([tf.constant(g, dtype=tf.float64) for g in grads], max_norm)
    return [c.numpy() for c in clipped]
'''),
    Alternative("clip_by_global_norm", "norm of the concatenated flattened arrays", '''
def clip_by_global_norm(grads, max_norm):
    flat = np.concatenate([np.ravel(g) for g in grads])
    norm = np.linalg.norm(flat)
    if norm <= max_norm:
        return [g.copy() for g in grads]
    return [g * (max_norm / norm) for g in grads]
'''),
    Alternative("lstm_step_forward", "Keras LSTMCell in float64 with copied weights", '''
def lstm_step_forward(x_t, h_prev, c_prev, W, U, b):
    cell = keras.layers.LSTMCell(U.shape[0], dtype="float64")
    cell.build((None, W.shape[0]))
    cell.set_weights([W, U, b])
    h, (h2, c) = cell(x_t, [h_prev, c_prev])
    return keras.ops.convert_to_numpy(h), keras.ops.convert_to_numpy(c)
'''),
    Alternative("lstm_step_forward", "np.split and scipy's expit", '''
def lstm_step_forward(x_t, h_prev, c_prev, W, U, b):
    from scipy.special import expit
    i, f, g, o = np.split(x_t @ W + h_prev @ U + b, 4, axis=1)
    c = expit(f) * c_prev + expit(i) * np.tanh(g)
    return expit(o) * np.tanh(c), c
'''),
    Alternative("heart_rate_bpm", "telescoping sum: span over number of intervals", '''
def heart_rate_bpm(r_peak_indices, fs):
    r = list(r_peak_indices)
    mean_rr_samples = (r[-1] - r[0]) / (len(r) - 1)
    return 60.0 * fs / mean_rr_samples
'''),
    Alternative("heart_rate_bpm", "pandas", '''
def heart_rate_bpm(r_peak_indices, fs):
    import pandas as pd
    rr = pd.Series(r_peak_indices, dtype=float).diff().dropna() / fs
    return 60 / rr.mean()
'''),
    Alternative("build_rhythm_classifier", "functional API with a GRU", '''
def build_rhythm_classifier(n_timesteps, n_channels, n_classes):
    inputs = keras.Input(shape=(n_timesteps, n_channels))
    x = keras.layers.Conv1D(16, 7, padding="same", activation="relu")(inputs)
    x = keras.layers.MaxPooling1D(3)(x)
    x = keras.layers.Conv1D(32, 5, padding="same", activation="relu")(x)
    x = keras.layers.MaxPooling1D(4)(x)
    x = keras.layers.GRU(32)(x)
    outputs = keras.layers.Dense(n_classes, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(0.003), loss="sparse_categorical_crossentropy")
    return model
'''),
]
