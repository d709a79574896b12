"""Chapter 02_cnn_math: mistakes made when building a CNN from scratch, and other correct ways."""

from tests.mutants import Alternative, Mutant

CHAPTER = "02_cnn_math"

MUTANTS = [
    # conv_output_size
    Mutant("conv_output_size", "forgets the + 1", '''
def conv_output_size(n, k, stride=1, padding=0):
    return (n + 2 * padding - k) // stride
''', "without the + 1"),
    Mutant("conv_output_size", "ignores the stride", '''
def conv_output_size(n, k, stride=1, padding=0):
    return n + 2 * padding - k + 1
''', "ignores the stride"),
    Mutant("conv_output_size", "padding on one side only", '''
def conv_output_size(n, k, stride=1, padding=0):
    return (n + padding - k) // stride + 1
''', "adds the padding once"),
    Mutant("conv_output_size", "true division", '''
def conv_output_size(n, k, stride=1, padding=0):
    return (n + 2 * padding - k) / stride + 1
''', "floor division"),
    Mutant("conv_output_size", "+ 1 before dividing", '''
def conv_output_size(n, k, stride=1, padding=0):
    return (n + 2 * padding - k + 1) // stride
''', "before dividing"),
    Mutant("conv_output_size", "rounds up", '''
def conv_output_size(n, k, stride=1, padding=0):
    import math
    return math.ceil((n + 2 * padding - k) / stride) + 1
''', "rounded up"),
    # zero_pad
    Mutant("zero_pad", "pads every axis", '''
def zero_pad(x, pad):
    return np.pad(x, pad)
''', "including the batch axis"),
    Mutant("zero_pad", "pads one side only", '''
def zero_pad(x, pad):
    n, h, w, c = x.shape
    out = np.zeros((n, h + pad, w + pad, c))
    out[:, :h, :w, :] = x
    return out
''', "one side only"),
    Mutant("zero_pad", "channels-first layout", '''
def zero_pad(x, pad):
    return np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
''', "NCHW"),
    Mutant("zero_pad", "edge padding", '''
def zero_pad(x, pad):
    return np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="edge")
''', "repeated the edge pixels"),
    Mutant("zero_pad", "pad split between the sides", '''
def zero_pad(x, pad):
    return np.pad(x, ((0, 0), (pad // 2, pad - pad // 2), (pad // 2, pad - pad // 2), (0, 0)))
''', "on *each* side"),
    # conv2d_forward
    Mutant("conv2d_forward", "true convolution (flipped kernel)", '''
def conv2d_forward(x, w, b, stride=1, padding=0):
    w = w[::-1, ::-1]
    n, h, wd, _ = x.shape
    kh, kw, _, c_out = w.shape
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    ho, wo = (h + 2 * padding - kh) // stride + 1, (wd + 2 * padding - kw) // stride + 1
    out = np.zeros((n, ho, wo, c_out))
    for i in range(ho):
        for j in range(wo):
            patch = xp[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            out[:, i, j, :] = np.tensordot(patch, w, axes=3) + b
    return out
''', "flipped kernel"),
    Mutant("conv2d_forward", "missing bias", '''
def conv2d_forward(x, w, b, stride=1, padding=0):
    n, h, wd, _ = x.shape
    kh, kw, _, c_out = w.shape
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    ho, wo = (h + 2 * padding - kh) // stride + 1, (wd + 2 * padding - kw) // stride + 1
    out = np.zeros((n, ho, wo, c_out))
    for i in range(ho):
        for j in range(wo):
            patch = xp[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            out[:, i, j, :] = np.tensordot(patch, w, axes=3)
    return out
''', "without the bias"),
    Mutant("conv2d_forward", "bias added inside the channel loop", '''
def conv2d_forward(x, w, b, stride=1, padding=0):
    n, h, wd, c_in = x.shape
    kh, kw, _, c_out = w.shape
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    ho, wo = (h + 2 * padding - kh) // stride + 1, (wd + 2 * padding - kw) // stride + 1
    out = np.zeros((n, ho, wo, c_out))
    for i in range(ho):
        for j in range(wo):
            for c in range(c_in):
                patch = xp[:, i * stride:i * stride + kh, j * stride:j * stride + kw, c]
                out[:, i, j, :] += np.tensordot(patch, w[:, :, c, :], axes=2) + b
    return out
''', "once per input channel"),
    Mutant("conv2d_forward", "one bias for every channel", '''
def conv2d_forward(x, w, b, stride=1, padding=0):
    n, h, wd, _ = x.shape
    kh, kw, _, c_out = w.shape
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    ho, wo = (h + 2 * padding - kh) // stride + 1, (wd + 2 * padding - kw) // stride + 1
    out = np.zeros((n, ho, wo, c_out))
    for i in range(ho):
        for j in range(wo):
            patch = xp[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            out[:, i, j, :] = np.tensordot(patch, w, axes=3) + b[0]
    return out
''', "got b[0]"),
    Mutant("conv2d_forward", "output size without the + 1", '''
def conv2d_forward(x, w, b, stride=1, padding=0):
    n, h, wd, _ = x.shape
    kh, kw, _, c_out = w.shape
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    ho, wo = (h + 2 * padding - kh) // stride, (wd + 2 * padding - kw) // stride
    out = np.zeros((n, ho, wo, c_out))
    for i in range(ho):
        for j in range(wo):
            patch = xp[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            out[:, i, j, :] = np.tensordot(patch, w, axes=3) + b
    return out
''', "dropped the + 1"),
    Mutant("conv2d_forward", "stride ignored", '''
def conv2d_forward(x, w, b, stride=1, padding=0):
    n, h, wd, _ = x.shape
    kh, kw, _, c_out = w.shape
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    ho, wo = h + 2 * padding - kh + 1, wd + 2 * padding - kw + 1
    out = np.zeros((n, ho, wo, c_out))
    for i in range(ho):
        for j in range(wo):
            out[:, i, j, :] = np.tensordot(xp[:, i:i + kh, j:j + kw, :], w, axes=3) + b
    return out
''', "ignores the stride"),
    Mutant("conv2d_forward", "padding on one side only", '''
def conv2d_forward(x, w, b, stride=1, padding=0):
    n, h, wd, _ = x.shape
    kh, kw, _, c_out = w.shape
    xp = np.pad(x, ((0, 0), (0, 2 * padding), (0, 2 * padding), (0, 0)))
    ho, wo = (h + 2 * padding - kh) // stride + 1, (wd + 2 * padding - kw) // stride + 1
    out = np.zeros((n, ho, wo, c_out))
    for i in range(ho):
        for j in range(wo):
            patch = xp[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            out[:, i, j, :] = np.tensordot(patch, w, axes=3) + b
    return out
''', "padded one side only"),
    Mutant("conv2d_forward", "input channels not summed (first channel)", '''
def conv2d_forward(x, w, b, stride=1, padding=0):
    n, h, wd, _ = x.shape
    kh, kw, _, c_out = w.shape
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    ho, wo = (h + 2 * padding - kh) // stride + 1, (wd + 2 * padding - kw) // stride + 1
    out = np.zeros((n, ho, wo, c_out))
    for i in range(ho):
        for j in range(wo):
            patch = xp[:, i * stride:i * stride + kh, j * stride:j * stride + kw, 0]
            out[:, i, j, :] = np.tensordot(patch, w[:, :, 0, :], axes=2) + b
    return out
''', "only the first input channel"),
    Mutant("conv2d_forward", "input channels averaged", '''
def conv2d_forward(x, w, b, stride=1, padding=0):
    n, h, wd, c_in = x.shape
    kh, kw, _, c_out = w.shape
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    ho, wo = (h + 2 * padding - kh) // stride + 1, (wd + 2 * padding - kw) // stride + 1
    out = np.zeros((n, ho, wo, c_out))
    for i in range(ho):
        for j in range(wo):
            patch = xp[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :, None]
            out[:, i, j, :] = (patch * w).sum(axis=(1, 2)).mean(axis=1) + b
    return out
''', "averages over the input channels"),
    Mutant("conv2d_forward", "kernel axes swapped", '''
def conv2d_forward(x, w, b, stride=1, padding=0):
    w = np.transpose(w, (1, 0, 2, 3))
    n, h, wd, _ = x.shape
    kh, kw, _, c_out = w.shape
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    ho, wo = (h + 2 * padding - kh) // stride + 1, (wd + 2 * padding - kw) // stride + 1
    out = np.zeros((n, ho, wo, c_out))
    for i in range(ho):
        for j in range(wo):
            patch = xp[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            out[:, i, j, :] = np.tensordot(patch, w, axes=3) + b
    return out
''', "first two axes swapped"),
    Mutant("conv2d_forward", "kernel read as (kh, kw, C_out, C_in)", '''
def conv2d_forward(x, w, b, stride=1, padding=0):
    n, h, wd, _ = x.shape
    kh, kw, c_out, _ = w.shape
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    ho, wo = (h + 2 * padding - kh) // stride + 1, (wd + 2 * padding - kw) // stride + 1
    out = np.zeros((n, ho, wo, c_out))
    for i in range(ho):
        for j in range(wo):
            patch = xp[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            out[:, i, j, :] = np.einsum("nuvc,uvoc->no", patch, w) + b
    return out
''', "(kh, kw, C_out, C_in)"),
    Mutant("conv2d_forward", "ReLU applied inside the convolution", '''
def conv2d_forward(x, w, b, stride=1, padding=0):
    n, h, wd, _ = x.shape
    kh, kw, _, c_out = w.shape
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    ho, wo = (h + 2 * padding - kh) // stride + 1, (wd + 2 * padding - kw) // stride + 1
    out = np.zeros((n, ho, wo, c_out))
    for i in range(ho):
        for j in range(wo):
            patch = xp[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            out[:, i, j, :] = np.maximum(np.tensordot(patch, w, axes=3) + b, 0)
    return out
''', "ReLU(conv)"),
    Mutant("conv2d_forward", "modifies its input (bias reshaped in place)", '''
def conv2d_forward(x, w, b, stride=1, padding=0):
    from numpy.lib.stride_tricks import sliding_window_view
    b.shape = (1, 1, 1, -1)
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    windows = sliding_window_view(xp, w.shape[:2], axis=(1, 2))[:, ::stride, ::stride]
    return np.einsum("nijcuv,uvco->nijo", windows, w) + b
''', "modified its input `b`"),
    Mutant("conv2d_forward", "padding ignored", '''
def conv2d_forward(x, w, b, stride=1, padding=0):
    from numpy.lib.stride_tricks import sliding_window_view
    windows = sliding_window_view(x, w.shape[:2], axis=(1, 2))[:, ::stride, ::stride]
    return np.einsum("nijcuv,uvco->nijo", windows, w) + b
''', "ignores the padding"),
    # relu
    Mutant("relu", "np.max instead of np.maximum", '''
def relu(z):
    return np.max(z, 0)
''', "element-wise maximum of each entry and 0"),
    Mutant("relu", "returns the mask", '''
def relu(z):
    return z > 0
''', "mask"),
    Mutant("relu", "keeps the negative part", '''
def relu(z):
    return np.minimum(z, 0)
''', "positive part"),
    Mutant("relu", "leaky ReLU", '''
def relu(z):
    return np.where(z > 0, z, 0.01 * z)
''', "leaky"),
    Mutant("relu", "modifies its input (out=z)", '''
def relu(z):
    return np.maximum(z, 0, out=z)
''', "modified its input `z`"),
    Mutant("relu", "absolute value", '''
def relu(z):
    return np.sqrt(z ** 2)
''', "|z|"),
    # max_pool_forward
    Mutant("max_pool_forward", "average pooling", '''
def max_pool_forward(x, pool=2, stride=2):
    n, h, w, c = x.shape
    ho, wo = (h - pool) // stride + 1, (w - pool) // stride + 1
    out = np.zeros((n, ho, wo, c))
    for i in range(ho):
        for j in range(wo):
            out[:, i, j, :] = x[:, i * stride:i * stride + pool, j * stride:j * stride + pool, :].mean(axis=(1, 2))
    return out
''', "average"),
    Mutant("max_pool_forward", "stride ignored (windows move by pool)", '''
def max_pool_forward(x, pool=2, stride=2):
    n, h, w, c = x.shape
    ho, wo = h // pool, w // pool
    x = x[:, :ho * pool, :wo * pool, :]
    return x.reshape(n, ho, pool, wo, pool, c).max(axis=(2, 4))
''', "move `pool` pixels"),
    Mutant("max_pool_forward", "ceil mode (partial windows kept)", '''
def max_pool_forward(x, pool=2, stride=2):
    n, h, w, c = x.shape
    ho, wo = -(-(h - pool) // stride) + 1, -(-(w - pool) // stride) + 1
    out = np.zeros((n, ho, wo, c))
    for i in range(ho):
        for j in range(wo):
            out[:, i, j, :] = x[:, i * stride:i * stride + pool, j * stride:j * stride + pool, :].max(axis=(1, 2))
    return out
''', "ceil mode"),
    Mutant("max_pool_forward", "window one pixel short", '''
def max_pool_forward(x, pool=2, stride=2):
    n, h, w, c = x.shape
    ho, wo = (h - pool) // stride + 1, (w - pool) // stride + 1
    out = np.zeros((n, ho, wo, c))
    for i in range(ho):
        for j in range(wo):
            out[:, i, j, :] = x[:, i * stride:i * stride + pool - 1, j * stride:j * stride + pool - 1, :].max(axis=(1, 2))
    return out
''', "one pixel too small"),
    Mutant("max_pool_forward", "max over channels too", '''
def max_pool_forward(x, pool=2, stride=2):
    n, h, w, c = x.shape
    ho, wo = (h - pool) // stride + 1, (w - pool) // stride + 1
    out = np.zeros((n, ho, wo, 1))
    for i in range(ho):
        for j in range(wo):
            out[:, i, j, 0] = x[:, i * stride:i * stride + pool, j * stride:j * stride + pool, :].max(axis=(1, 2, 3))
    return out
''', "over the channels"),
    # softmax
    Mutant("softmax", "wrong axis", '''
def softmax(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)
''', "columns sum to 1"),
    Mutant("softmax", "overflows on large logits", '''
def softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)
''', "overflows"),
    Mutant("softmax", "global maximum subtracted", '''
def softmax(z):
    e = np.exp(z - np.max(z))
    return e / e.sum(axis=1, keepdims=True)
''', "each row's own maximum"),
    Mutant("softmax", "normalised over the whole array", '''
def softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()
''', "whole array sums to 1"),
    Mutant("softmax", "modifies its input (in-place shift)", '''
def softmax(z):
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)
''', "modified its input `z`"),
    Mutant("softmax", "sum without keepdims", '''
def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1)
''', "keepdims=True"),
    Mutant("softmax", "returns log-probabilities", '''
def softmax(z):
    m = z.max(axis=1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
''', "log-probabilities"),
    # cross_entropy
    Mutant("cross_entropy", "summed instead of averaged", '''
def cross_entropy(probs, y):
    return -np.sum(np.log(probs[np.arange(len(y)), y]))
''', "*sum* over the batch"),
    Mutant("cross_entropy", "probs[:, y] block", '''
def cross_entropy(probs, y):
    return -np.mean(np.log(probs[:, y]))
''', "N x N block"),
    Mutant("cross_entropy", "missing minus sign", '''
def cross_entropy(probs, y):
    return np.mean(np.log(probs[np.arange(len(y)), y]))
''', "loss is negative"),
    Mutant("cross_entropy", "log10", '''
def cross_entropy(probs, y):
    return -np.mean(np.log10(probs[np.arange(len(y)), y]))
''', "log10"),
    Mutant("cross_entropy", "one-hot times log of everything", '''
def cross_entropy(probs, y):
    onehot = np.eye(probs.shape[1])[y]
    return -np.mean(np.sum(onehot * np.log(probs), axis=1))
''', "0 · log(0)"),
    Mutant("cross_entropy", "averaged over N*K entries", '''
def cross_entropy(probs, y):
    onehot = np.eye(probs.shape[1])[y]
    return -np.mean(onehot * np.log(probs + 1e-300))
''', "all N·K entries"),
    Mutant("cross_entropy", "per-sample losses", '''
def cross_entropy(probs, y):
    return -np.log(probs[np.arange(len(y)), y])
''', "one loss per sample"),
    # numerical_gradient
    Mutant("numerical_gradient", "forward differences", '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    fx = f(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        grad[idx] = (f(x) - fx) / h
        x[idx] = old
    return grad
''', "*forward* differences"),
    Mutant("numerical_gradient", "x not restored", '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        x[idx] += h
        fp = f(x)
        x[idx] -= 2 * h
        fm = f(x)
        grad[idx] = (fp - fm) / (2 * h)
    return grad
''', "did not restore x[i]"),
    Mutant("numerical_gradient", "divides by h instead of 2h", '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        fp = f(x)
        x[idx] = old - h
        fm = f(x)
        x[idx] = old
        grad[idx] = (fp - fm) / h
    return grad
''', "divide by 2h"),
    Mutant("numerical_gradient", "perturbs every entry at once", '''
def numerical_gradient(f, x, h=1e-5):
    return np.ones_like(x) * (f(x + h) - f(x - h)) / (2 * h)
''', "every entry of x at once"),
    Mutant("numerical_gradient", "loops over rows only", '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in range(len(x)):
        old = x[i].copy()
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = old
        grad[i] = (fp - fm) / (2 * h)
    return grad
''', "whole rows"),
    Mutant("numerical_gradient", "ignores h", '''
def numerical_gradient(f, x, h=1e-5):
    step = 1e-5
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + step
        fp = f(x)
        x[idx] = old - step
        fm = f(x)
        x[idx] = old
        grad[idx] = (fp - fm) / (2 * step)
    return grad
''', "ignores the step h"),
    # conv2d_backward
    Mutant("conv2d_backward", "db not summed over the batch", '''
def conv2d_backward(dout, x, w, b, stride=1, padding=0):
    kh, kw = w.shape[:2]
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    dxp, dw = np.zeros(xp.shape), np.zeros(w.shape)
    for i in range(dout.shape[1]):
        for j in range(dout.shape[2]):
            win = (slice(None), slice(i * stride, i * stride + kh), slice(j * stride, j * stride + kw))
            dw += np.einsum("nuvc,no->uvco", xp[win], dout[:, i, j])
            dxp[win] += np.einsum("no,uvco->nuvc", dout[:, i, j], w)
    h, wd = x.shape[1:3]
    return dxp[:, padding:padding + h, padding:padding + wd], dw, dout.sum(axis=(1, 2))
''', "not over the batch"),
    Mutant("conv2d_backward", "db not summed over positions", '''
def conv2d_backward(dout, x, w, b, stride=1, padding=0):
    kh, kw = w.shape[:2]
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    dxp, dw = np.zeros(xp.shape), np.zeros(w.shape)
    for i in range(dout.shape[1]):
        for j in range(dout.shape[2]):
            win = (slice(None), slice(i * stride, i * stride + kh), slice(j * stride, j * stride + kw))
            dw += np.einsum("nuvc,no->uvco", xp[win], dout[:, i, j])
            dxp[win] += np.einsum("no,uvco->nuvc", dout[:, i, j], w)
    h, wd = x.shape[1:3]
    return dxp[:, padding:padding + h, padding:padding + wd], dw, dout.sum(axis=0)
''', "not over positions"),
    Mutant("conv2d_backward", "dx returned with the padding", '''
def conv2d_backward(dout, x, w, b, stride=1, padding=0):
    kh, kw = w.shape[:2]
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    dxp, dw = np.zeros(xp.shape), np.zeros(w.shape)
    for i in range(dout.shape[1]):
        for j in range(dout.shape[2]):
            win = (slice(None), slice(i * stride, i * stride + kh), slice(j * stride, j * stride + kw))
            dw += np.einsum("nuvc,no->uvco", xp[win], dout[:, i, j])
            dxp[win] += np.einsum("no,uvco->nuvc", dout[:, i, j], w)
    return dxp, dw, dout.sum(axis=(0, 1, 2))
''', "crop the padding off"),
    Mutant("conv2d_backward", "dx assigned instead of accumulated", '''
def conv2d_backward(dout, x, w, b, stride=1, padding=0):
    kh, kw = w.shape[:2]
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    dxp, dw = np.zeros(xp.shape), np.zeros(w.shape)
    for i in range(dout.shape[1]):
        for j in range(dout.shape[2]):
            win = (slice(None), slice(i * stride, i * stride + kh), slice(j * stride, j * stride + kw))
            dw += np.einsum("nuvc,no->uvco", xp[win], dout[:, i, j])
            dxp[win] = np.einsum("no,uvco->nuvc", dout[:, i, j], w)
    h, wd = x.shape[1:3]
    return dxp[:, padding:padding + h, padding:padding + wd], dw, dout.sum(axis=(0, 1, 2))
''', "accumulate"),
    Mutant("conv2d_backward", "dx scattered with the flipped kernel", '''
def conv2d_backward(dout, x, w, b, stride=1, padding=0):
    kh, kw = w.shape[:2]
    wf = w[::-1, ::-1]
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    dxp, dw = np.zeros(xp.shape), np.zeros(w.shape)
    for i in range(dout.shape[1]):
        for j in range(dout.shape[2]):
            win = (slice(None), slice(i * stride, i * stride + kh), slice(j * stride, j * stride + kw))
            dw += np.einsum("nuvc,no->uvco", xp[win], dout[:, i, j])
            dxp[win] += np.einsum("no,uvco->nuvc", dout[:, i, j], wf)
    h, wd = x.shape[1:3]
    return dxp[:, padding:padding + h, padding:padding + wd], dw, dout.sum(axis=(0, 1, 2))
''', "flipped kernel"),
    Mutant("conv2d_backward", "gradients divided by the batch size", '''
def conv2d_backward(dout, x, w, b, stride=1, padding=0):
    kh, kw = w.shape[:2]
    n = x.shape[0]
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    dxp, dw = np.zeros(xp.shape), np.zeros(w.shape)
    for i in range(dout.shape[1]):
        for j in range(dout.shape[2]):
            win = (slice(None), slice(i * stride, i * stride + kh), slice(j * stride, j * stride + kw))
            dw += np.einsum("nuvc,no->uvco", xp[win], dout[:, i, j])
            dxp[win] += np.einsum("no,uvco->nuvc", dout[:, i, j], w)
    h, wd = x.shape[1:3]
    return dxp[:, padding:padding + h, padding:padding + wd], dw / n, dout.sum(axis=(0, 1, 2)) / n
''', "divided by the batch size"),
    Mutant("conv2d_backward", "stride ignored (windows at i, j)", '''
def conv2d_backward(dout, x, w, b, stride=1, padding=0):
    kh, kw = w.shape[:2]
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    dxp, dw = np.zeros(xp.shape), np.zeros(w.shape)
    for i in range(dout.shape[1]):
        for j in range(dout.shape[2]):
            win = (slice(None), slice(i, i + kh), slice(j, j + kw))
            dw += np.einsum("nuvc,no->uvco", xp[win], dout[:, i, j])
            dxp[win] += np.einsum("no,uvco->nuvc", dout[:, i, j], w)
    h, wd = x.shape[1:3]
    return dxp[:, padding:padding + h, padding:padding + wd], dw, dout.sum(axis=(0, 1, 2))
''', "ignore the stride"),
]

ALTERNATIVES = [
    Alternative("conv_output_size", "explicit floor and int", '''
def conv_output_size(n, k, stride=1, padding=0):
    import math
    return int(math.floor((n + 2 * padding - k) / stride)) + 1
'''),
    Alternative("conv_output_size", "count the window positions", '''
def conv_output_size(n, k, stride=1, padding=0):
    return len(range(0, n + 2 * padding - k + 1, stride))
'''),
    Alternative("zero_pad", "allocate zeros and copy", '''
def zero_pad(x, pad):
    n, h, w, c = x.shape
    out = np.zeros((n, h + 2 * pad, w + 2 * pad, c), dtype=x.dtype)
    out[:, pad:pad + h, pad:pad + w, :] = x
    return out
'''),
    Alternative("conv2d_forward", "seven nested loops", '''
def conv2d_forward(x, w, b, stride=1, padding=0):
    n, h, wd, c_in = x.shape
    kh, kw, _, c_out = w.shape
    xp = np.zeros((n, h + 2 * padding, wd + 2 * padding, c_in))
    xp[:, padding:padding + h, padding:padding + wd, :] = x
    ho = (h + 2 * padding - kh) // stride + 1
    wo = (wd + 2 * padding - kw) // stride + 1
    out = np.zeros((n, ho, wo, c_out))
    for a in range(n):
        for i in range(ho):
            for j in range(wo):
                for o in range(c_out):
                    total = b[o]
                    for u in range(kh):
                        for v in range(kw):
                            for c in range(c_in):
                                total += xp[a, i * stride + u, j * stride + v, c] * w[u, v, c, o]
                    out[a, i, j, o] = total
    return out
'''),
    Alternative("conv2d_forward", "sliding_window_view + einsum", '''
def conv2d_forward(x, w, b, stride=1, padding=0):
    from numpy.lib.stride_tricks import sliding_window_view
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    windows = sliding_window_view(xp, w.shape[:2], axis=(1, 2))[:, ::stride, ::stride]
    return np.einsum("nijcuv,uvco->nijo", windows, w) + b
'''),
    Alternative("conv2d_forward", "im2col and one matrix product", '''
def conv2d_forward(x, w, b, stride=1, padding=0):
    n, h, wd, c_in = x.shape
    kh, kw, _, c_out = w.shape
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    ho = (h + 2 * padding - kh) // stride + 1
    wo = (wd + 2 * padding - kw) // stride + 1
    cols = np.empty((n, ho, wo, kh * kw * c_in))
    for i in range(ho):
        for j in range(wo):
            cols[:, i, j, :] = xp[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :].reshape(n, -1)
    return cols.reshape(-1, kh * kw * c_in).dot(w.reshape(-1, c_out)).reshape(n, ho, wo, c_out) + b
'''),
    Alternative("conv2d_forward", "scipy.signal.correlate per channel pair", '''
def conv2d_forward(x, w, b, stride=1, padding=0):
    from scipy.signal import correlate2d
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    n, c_in, c_out = x.shape[0], x.shape[3], w.shape[3]
    outs = []
    for a in range(n):
        maps = []
        for o in range(c_out):
            full = sum(correlate2d(xp[a, :, :, c], w[:, :, c, o], mode="valid") for c in range(c_in))
            maps.append(full[::stride, ::stride] + b[o])
        outs.append(np.stack(maps, axis=-1))
    return np.stack(outs)
'''),
    Alternative("relu", "multiply by the mask", '''
def relu(z):
    return z * (z > 0)
'''),
    Alternative("relu", "np.where on a copy", '''
def relu(z):
    return np.where(z > 0, z, 0.0)
'''),
    Alternative("max_pool_forward", "sliding_window_view", '''
def max_pool_forward(x, pool=2, stride=2):
    from numpy.lib.stride_tricks import sliding_window_view
    windows = sliding_window_view(x, (pool, pool), axis=(1, 2))[:, ::stride, ::stride]
    return windows.max(axis=(-2, -1))
'''),
    Alternative("max_pool_forward", "pure loops", '''
def max_pool_forward(x, pool=2, stride=2):
    n, h, w, c = x.shape
    ho, wo = (h - pool) // stride + 1, (w - pool) // stride + 1
    out = np.zeros((n, ho, wo, c))
    for a in range(n):
        for i in range(ho):
            for j in range(wo):
                for ch in range(c):
                    best = -np.inf
                    for u in range(pool):
                        for v in range(pool):
                            best = max(best, x[a, i * stride + u, j * stride + v, ch])
                    out[a, i, j, ch] = best
    return out
'''),
    Alternative("softmax", "log-sum-exp", '''
def softmax(z):
    m = np.max(z, axis=1, keepdims=True)
    log_norm = m + np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))
    return np.exp(z - log_norm)
'''),
    Alternative("softmax", "scipy.special.softmax", '''
def softmax(z):
    from scipy.special import softmax as scipy_softmax
    return scipy_softmax(z, axis=1)
'''),
    Alternative("cross_entropy", "loop over samples", '''
def cross_entropy(probs, y):
    total = 0.0
    for row, label in zip(probs, y):
        total -= np.log(row[label])
    return total / len(y)
'''),
    Alternative("cross_entropy", "take_along_axis", '''
def cross_entropy(probs, y):
    picked = np.take_along_axis(probs, np.asarray(y)[:, None], axis=1)
    return -np.log(picked).mean()
'''),
    Alternative("numerical_gradient", "copies instead of in-place changes, over x.flat", '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.size)
    for i in range(x.size):
        step = np.zeros(x.size)
        step[i] = h
        step = step.reshape(x.shape)
        grad[i] = (f(x + step) - f(x - step)) / (2 * h)
    return grad.reshape(x.shape)
'''),
    Alternative("numerical_gradient", "np.nditer with arithmetic restore", '''
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        idx = it.multi_index
        x[idx] += h
        fp = f(x)
        x[idx] -= 2 * h
        fm = f(x)
        x[idx] += h
        grad[idx] = (fp - fm) / (2 * h)
        it.iternext()
    return grad
'''),
    Alternative("conv2d_backward", "pure loops (CS231n style)", '''
def conv2d_backward(dout, x, w, b, stride=1, padding=0):
    n, h, wd, c_in = x.shape
    kh, kw, _, c_out = w.shape
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    dxp, dw, db = np.zeros(xp.shape), np.zeros(w.shape), np.zeros(c_out)
    for a in range(n):
        for i in range(dout.shape[1]):
            for j in range(dout.shape[2]):
                for o in range(c_out):
                    g = dout[a, i, j, o]
                    db[o] += g
                    window = xp[a, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
                    dw[:, :, :, o] += g * window
                    dxp[a, i * stride:i * stride + kh, j * stride:j * stride + kw, :] += g * w[:, :, :, o]
    return dxp[:, padding:padding + h, padding:padding + wd, :], dw, db
'''),
    Alternative("conv2d_backward", "im2col / col2im with np.add.at", '''
def conv2d_backward(dout, x, w, b, stride=1, padding=0):
    n, h, wd, c_in = x.shape
    kh, kw, _, c_out = w.shape
    ho, wo = dout.shape[1:3]
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    rows = (np.arange(ho) * stride)[:, None, None, None] + np.arange(kh)[None, None, :, None]
    cols = (np.arange(wo) * stride)[None, :, None, None] + np.arange(kw)[None, None, None, :]
    patches = xp[:, rows, cols, :]                       # (n, ho, wo, kh, kw, c_in)
    P = patches.reshape(-1, kh * kw * c_in)
    D = dout.reshape(-1, c_out)
    dw = (P.T @ D).reshape(w.shape)
    dP = (D @ w.reshape(-1, c_out).T).reshape(patches.shape)
    dxp = np.zeros(xp.shape)
    np.add.at(dxp, (slice(None), rows, cols, slice(None)), dP)
    return dxp[:, padding:padding + h, padding:padding + wd, :], dw, D.sum(axis=0)
'''),
    Alternative("conv2d_backward", "sliding_window_view + einsum, dx as full correlation", '''
def conv2d_backward(dout, x, w, b, stride=1, padding=0):
    from numpy.lib.stride_tricks import sliding_window_view
    n, h, wd, c_in = x.shape
    kh, kw, _, c_out = w.shape
    ho, wo = dout.shape[1:3]
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    win = sliding_window_view(xp, (kh, kw), axis=(1, 2))[:, ::stride, ::stride][:, :ho, :wo]
    dw = np.einsum("nijcuv,nijo->uvco", win, dout)
    # dilate dout by the stride, pad by k - 1, correlate with the flipped kernel
    dil = np.zeros((n, (ho - 1) * stride + 1, (wo - 1) * stride + 1, c_out))
    dil[:, ::stride, ::stride] = dout
    full = np.pad(dil, ((0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1), (0, 0)))
    fw = sliding_window_view(full, (kh, kw), axis=(1, 2))
    dxp_part = np.einsum("nijouv,uvco->nijc", fw, w[::-1, ::-1])
    dxp = np.zeros(xp.shape)
    dxp[:, :dxp_part.shape[1], :dxp_part.shape[2]] = dxp_part
    return dxp[:, padding:padding + h, padding:padding + wd], dw, dout.sum(axis=(0, 1, 2))
'''),
]
