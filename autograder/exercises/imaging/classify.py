"""Chapter 04_imaging, classify and decide: class weights, the weighted loss, the screening
threshold, a bootstrap interval for the AUC, and Grad-CAM."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...compare import PASS, Verdict, allclose, type_name
from ...registry import Case, Exercise, Mistake

CHAPTER = "04_imaging"


# --- class_weights ------------------------------------------------------------------------------

def _labels(rng, n, prevalence, columns=None):
    shape = (n,) if columns is None else (n, columns)
    return (rng.random(shape) < prevalence).astype(np.int64)


def _weights_public(rng):
    yield Case((np.array([1, 0, 0, 0, 1, 0, 0, 0, 0, 0]),), label="10 images, 2 positive")
    yield Case((_labels(rng, 40, np.array([0.1, 0.3, 0.5]), 3),), label="40 images, 3 findings (N, L)")
    yield Case(([0, 1, 1, 0, 0, 0],), label="labels as a Python list")
    yield Case((np.array([[0], [1], [0], [0]]),), label="one finding as a column (N, 1)")
    yield Case((np.c_[np.zeros(5, int), np.array([1, 0, 1, 0, 0])],),
               label="a finding with no positive case at all")
    yield Case((np.array([True, False, False, True, False]),), label="boolean labels")


def _weights_hidden(rng):
    yield Case((_labels(rng, 500, 0.05),), label="500 images, 5% positive")
    yield Case((_labels(rng, 200, np.array([0.02, 0.2, 0.6, 0.9, 0.4]), 5),), label="5 findings")
    yield Case((rng.random(30) < 0.5,), label="boolean labels")
    yield Case(([[1, 0], [1, 1], [0, 0]],), label="(N, L) labels as a Python list")


def _fractions(labels):
    y = np.asarray(labels, dtype=np.float64)
    positive = y.mean(axis=0)
    if y.ndim == 1:
        return float(positive), float(1 - positive)
    return positive, 1 - positive


def _as_output(w_pos, w_neg, labels):
    if np.asarray(labels).ndim == 1:
        return float(w_pos), float(w_neg)
    return np.asarray(w_pos, dtype=np.float64), np.asarray(w_neg, dtype=np.float64)


def _counts_weights(labels):
    y = np.asarray(labels, dtype=np.float64)
    return _as_output((1 - y).sum(axis=0), y.sum(axis=0), labels)


def _ratio_weights(labels):
    y = np.asarray(labels, dtype=np.float64)
    with np.errstate(all="ignore"):
        return _as_output((1 - y).sum(axis=0) / y.sum(axis=0), np.ones(y.shape[1:]), labels)


def _balanced_weights(labels):
    y = np.asarray(labels, dtype=np.float64)
    n = y.shape[0]
    with np.errstate(all="ignore"):
        return _as_output(n / (2 * y.sum(axis=0)), n / (2 * (1 - y).sum(axis=0)), labels)


def _global_weights(labels):
    y = np.asarray(labels, dtype=np.float64)
    if y.ndim == 1:
        raise ValueError("only for (N, L) labels")
    positive = y.mean()
    return np.full(y.shape[1], 1 - positive), np.full(y.shape[1], positive)


CLASS_WEIGHTS = Exercise(
    name="class_weights",
    points=1,
    public_cases=_weights_public,
    hidden_cases=_weights_hidden,
    compare=allclose(rtol=1e-9, atol=1e-12),
    time_limit=5.0,
    output_names=("w_pos", "w_neg"),
    mistakes=[
        Mistake("swapped", lambda y: _fractions(y),
                "your weights are swapped: the rare class gets the *large* weight, so w_pos is "
                "the fraction of negatives and w_neg the fraction of positives; then "
                "w_pos·n_pos = w_neg·n_neg."),
        Mistake("counts", _counts_weights,
                "you returned counts; the weights are fractions (counts divided by N), so they "
                "lie in [0, 1] and add up to 1."),
        Mistake("ratio", _ratio_weights,
                "you weighted the positives by n_neg / n_pos and the negatives by 1; this "
                "exercise uses the fractions w_pos = n_neg / N and w_neg = n_pos / N."),
        Mistake("sklearn balanced", _balanced_weights,
                "you used scikit-learn's 'balanced' weights N / (2 n_c); this exercise uses the "
                "fractions w_pos = n_neg / N and w_neg = n_pos / N (same ratio, other scale)."),
        Mistake("global fractions", _global_weights,
                "with several findings (N, L) each column gets its own weights: take the "
                "fractions per label column (axis 0), not over the whole matrix."),
    ],
)


# --- weighted_bce -------------------------------------------------------------------------------

def _bce_public(rng):
    y = np.array([1, 0, 0, 0, 1, 0])
    p = np.array([0.9, 0.2, 0.1, 0.3, 0.6, 0.05])
    yield Case((y, p, 4 / 6, 2 / 6), label="6 images, 2 positive, weights from class_weights")
    yield Case((np.array([1, 0, 1]), np.array([1.0, 0.0, 0.0]), 0.5, 0.5),
               label="probabilities exactly 0 and 1 (log 0 without eps)")
    labels = _labels(rng, 20, np.array([0.2, 0.5]), 2)
    yield Case((labels, rng.uniform(0.01, 0.99, size=(20, 2)), np.array([0.8, 0.5]),
                np.array([0.2, 0.5])), label="20 images, 2 findings (N, L)")
    yield Case(([1, 0, 0, 1], [0.7, 0.4, 0.2, 0.9], 0.5, 0.5), {"eps": 1e-3},
               label="Python lists, eps = 1e-3")
    yield Case((np.array([0]), np.array([0.2]), 0.6, 0.4), label="a single image")


def _bce_hidden(rng):
    y = _labels(rng, 300, 0.1)
    yield Case((y, rng.uniform(0, 1, 300), 0.9, 0.1), label="300 images, 10% positive")
    labels = _labels(rng, 50, np.array([0.1, 0.4, 0.7]), 3)
    probs = rng.uniform(0, 1, size=(50, 3))
    probs[0] = [0.0, 1.0, 0.0]
    yield Case((labels, probs, np.array([0.9, 0.6, 0.3]), np.array([0.1, 0.4, 0.7])),
               label="3 findings, some probabilities exactly 0 or 1")
    yield Case((np.array([1]), np.array([0.3]), 0.7, 0.3), label="a single image")


def _bce_terms(y, p, w_pos, w_neg, eps, inside=True):
    y, p = np.asarray(y, dtype=np.float64), np.asarray(p, dtype=np.float64)
    with np.errstate(all="ignore"):
        if inside:
            return -(w_pos * y * np.log(p + eps) + w_neg * (1 - y) * np.log(1 - p + eps))
        return -(w_pos * y * (np.log(p) + eps) + w_neg * (1 - y) * (np.log(1 - p) + eps))


def _bce_reduce(terms):
    return float(terms.mean(axis=0).sum()) if terms.ndim == 2 else float(terms.mean())


WEIGHTED_BCE = Exercise(
    name="weighted_bce",
    points=2,
    public_cases=_bce_public,
    hidden_cases=_bce_hidden,
    compare=allclose(rtol=1e-9, atol=1e-12),
    time_limit=5.0,
    mistakes=[
        Mistake("summed over samples",
                lambda y, p, wp, wn, eps=1e-7: float(_bce_terms(y, p, wp, wn, eps).sum()),
                "you summed over the samples; take the mean over the N samples (then the "
                "loss does not grow with the batch size)."),
        Mistake("no eps", lambda y, p, wp, wn, eps=1e-7: _bce_reduce(_bce_terms(y, p, wp, wn, 0.0)),
                "a probability of exactly 0 or 1 makes log(0) = -inf: add eps inside the "
                "logarithms, log(p + eps) and log(1 - p + eps)."),
        Mistake("eps outside the log",
                lambda y, p, wp, wn, eps=1e-7: _bce_reduce(_bce_terms(y, p, wp, wn, eps, False)),
                "eps was added outside the logarithm (log(p) + eps), which does not prevent "
                "log(0); it goes inside: log(p + eps)."),
        Mistake("weights swapped", lambda y, p, wp, wn, eps=1e-7: _bce_reduce(_bce_terms(y, p, wn, wp, eps)),
                "the weights are swapped: w_pos multiplies the positive term y·log(p + eps), "
                "w_neg the negative term (1 - y)·log(1 - p + eps)."),
        Mistake("mean over labels",
                lambda y, p, wp, wn, eps=1e-7: float(_bce_terms(y, p, wp, wn, eps).mean()),
                "with several findings (N, L), average over the samples for each label, then "
                "*sum* over the L labels (you averaged over labels too)."),
        Mistake("unweighted", lambda y, p, wp, wn, eps=1e-7: _bce_reduce(_bce_terms(y, p, 1.0, 1.0, eps)),
                "your loss ignores the weights: the positive term is multiplied by w_pos, the "
                "negative term by w_neg."),
    ],
)


# --- threshold_for_sensitivity ------------------------------------------------------------------

def _scores_for(rng, y, separation=1.0):
    return np.round(rng.normal(separation * np.asarray(y), 1.0), 3)


def _threshold_public(rng):
    yield Case((np.array([0, 0, 1, 0, 1, 1, 0, 1]), np.array([0.1, 0.3, 0.35, 0.4, 0.6, 0.7, 0.8, 0.9]),
                0.75), label="8 cases, 4 positive, target 0.75")
    yield Case(([1, 0, 1, 1, 0], [0.5, 0.5, 0.2, 0.5, 0.1], 1.0),
               label="ties in the scores, target 1.0, Python lists")
    y = np.r_[np.ones(100, int), np.zeros(150, int)]
    yield Case((y, _scores_for(rng, y), 0.07),
               label="100 positives, target 0.07 (0.07 x 100 is 7.000000000000001 in floats)")
    yield Case((y, _scores_for(rng, y), 0.57),
               label="100 positives, target 0.57 (0.57 x 100 is 56.99999999999999 in floats)")
    yield Case((np.array([0, 1, 0, 1]), np.array([0.2, 0.9, 0.4, 0.8]), 0.5),
               label="target reached exactly by the top positive")
    yield Case((np.array([0, 1, 0]), np.array([0.3, 0.1, 0.2]), 1.0),
               label="a single positive, scored below every negative")


def _threshold_hidden(rng):
    y = (rng.random(400) < 0.2).astype(int)
    yield Case((y, _scores_for(rng, y, 2.0), 0.95), label="400 cases, screening target 0.95")
    y = (rng.random(60) < 0.5).astype(int)
    yield Case((y, np.round(rng.random(60), 1), 0.8), label="many ties (scores on a 0.1 grid)")
    yield Case((np.array([1]), np.array([0.4]), 1.0), label="a single positive case")
    y = np.r_[np.ones(100, int), np.zeros(20, int)]
    yield Case((y, _scores_for(rng, y), 0.29), label="100 positives, target 0.29")


def _threshold_rule(y, s, target, sensitivity):
    y, s = np.asarray(y).astype(bool), np.asarray(s, dtype=np.float64)
    best = None
    for t in np.unique(s):
        if sensitivity(s, y, t) >= target:
            best = float(t)
    return best


def _strict(y, s, target):
    y_, s_ = np.asarray(y).astype(bool), np.asarray(s, dtype=np.float64)
    return _threshold_rule(y_, s_, target, lambda s, y, t: np.sum(s[y] > t) / y.sum())


def _smallest(y, s, target):
    return float(np.min(np.asarray(s, dtype=np.float64)))


def _count(rounding):
    def threshold(y, s, target):
        y, s = np.asarray(y).astype(bool), np.asarray(s, dtype=np.float64)
        k = int(rounding(target * y.sum()))
        k = min(max(k, 1), int(y.sum()))
        return float(np.sort(s[y])[::-1][k - 1])
    return threshold


def _specificity(y, s, target):
    return _threshold_rule(y, s, target, lambda s, y, t: np.sum(s[~y] < t) / (~y).sum()) \
        if np.any(~np.asarray(y).astype(bool)) else None


THRESHOLD = Exercise(
    name="threshold_for_sensitivity",
    points=2,
    public_cases=_threshold_public,
    hidden_cases=_threshold_hidden,
    compare=allclose(rtol=1e-12, atol=1e-12),
    time_limit=5.0,
    mistakes=[
        Mistake("smallest", _smallest,
                "you returned the smallest threshold that meets the target (which calls almost "
                "everyone positive); the screening rule wants the *largest* threshold whose "
                "sensitivity is still at least the target, to keep false positives down."),
        Mistake("strict", _strict,
                "your sensitivity counts scores > t; the rule is scores >= t, so a positive "
                "whose score equals the threshold is detected."),
        Mistake("ceil count", _count(np.ceil),
                "you turned the target into a count of positives with rounding (ceil of "
                "target·P), which floating point can push one too high; compare TP / P >= target "
                "directly."),
        Mistake("floor count", _count(np.floor),
                "you turned the target into a count of positives with int(target·P), which "
                "rounds down and can fall short of the target; compare TP / P >= target directly."),
        Mistake("specificity", _specificity,
                "your rule meets the target *specificity* (true negatives / negatives); "
                "sensitivity is TP / P over the positive cases only."),
    ],
)


# --- bootstrap_auc_ci ---------------------------------------------------------------------------

def resampled_aucs(y_true, scores, indices: np.ndarray, score_indices=None) -> np.ndarray:
    """ROC AUC of each resample (rows of ``indices``; the scores are drawn with ``score_indices``
    when given, else with the same rows), ties counting one half; NaN when a resample holds one
    class only. The grader's own tool for the mistake models, vectorised without sorting: the
    Mann-Whitney count of each resample from how often it drew each distinct score, per class.
    Every term is a multiple of 1/2, so the result equals the rank formula to the last bit."""
    y = np.asarray(y_true).astype(bool)
    values, group = np.unique(np.asarray(scores, dtype=np.float64), return_inverse=True)
    groups, n_boot = len(values), indices.shape[0]
    drawn = group.reshape(-1)[indices if score_indices is None else score_indices]
    drawn += (np.arange(n_boot) * groups)[:, None]
    positive = y[indices]
    pos = np.bincount(drawn[positive], minlength=n_boot * groups).reshape(n_boot, groups)
    neg = np.bincount(drawn[~positive], minlength=n_boot * groups).reshape(n_boot, groups)
    below = np.cumsum(neg, axis=1) - neg  # negatives scored strictly lower
    n_pos, n_neg = pos.sum(axis=1).astype(np.float64), neg.sum(axis=1).astype(np.float64)
    with np.errstate(all="ignore"):
        auc = (pos * (below + 0.5 * neg)).sum(axis=1) / (n_pos * n_neg)
    auc[(n_pos == 0) | (n_neg == 0)] = np.nan
    return auc


def _interval(aucs, alpha, low_q=None, high_q=None):
    aucs = aucs[~np.isnan(aucs)]
    low_q = 100 * alpha / 2 if low_q is None else low_q
    high_q = 100 * (1 - alpha / 2) if high_q is None else high_q
    return float(np.percentile(aucs, low_q)), float(np.percentile(aucs, high_q))


def _with_replacement(y, s, n_boot, seed):
    rng = np.random.default_rng(seed)
    n = len(np.asarray(y))
    return resampled_aucs(y, s, rng.integers(0, n, size=(n_boot, n)))


def _boot_invoke(fn, y_true, scores, n_boot=1000, alpha=0.05, seed=0):
    kwargs = {"n_boot": n_boot, "alpha": alpha, "seed": seed}
    return {"interval": fn(y_true, scores, **kwargs), "n_boot": n_boot, "alpha": alpha}


def _mistake(interval_of):
    """A mistake model: ``interval_of(y, s, n_boot, alpha, seed) -> (low, high)``."""
    def model(y_true, scores, n_boot=1000, alpha=0.05, seed=0):
        return interval_of(y_true, scores, n_boot, alpha, seed)
    return model


def _no_replacement(y, s, n_boot, alpha, seed):
    rng = np.random.default_rng(seed)
    n = len(np.asarray(y))
    indices = np.array([rng.permutation(n) for _ in range(n_boot)])
    return _interval(resampled_aucs(y, s, indices), alpha)


def _alpha_not_halved(y, s, n_boot, alpha, seed):
    return _interval(_with_replacement(y, s, n_boot, seed), alpha, 100 * alpha, 100 * (1 - alpha))


def _fractions_as_percent(y, s, n_boot, alpha, seed):
    return _interval(_with_replacement(y, s, n_boot, seed), alpha, alpha / 2, 1 - alpha / 2)


def _unpaired(y, s, n_boot, alpha, seed):
    rng = np.random.default_rng(seed)
    n = len(np.asarray(y))
    labels, scores = rng.integers(0, n, (n_boot, n)), rng.integers(0, n, (n_boot, n))
    return _interval(resampled_aucs(y, s, labels, score_indices=scores), alpha)


def _interval_close(got: Any, expected: Any) -> Verdict:
    """Within Monte Carlo error of the reference's interval.

    Two bootstrap runs with different random draws give different percentiles. Treating the
    bootstrap distribution of the AUC as roughly normal with spread sigma (estimated from the
    reference's own interval: width / (2 z)), the q-th sample percentile of B resamples has
    standard error sqrt(q (1 - q) / B) * sigma / phi(z_q). The difference of two independent
    runs has sqrt(2) times that; we allow 4 of those standard errors (plus 0.002 for the
    discreteness of AUCs on small classes), so a correct function fails about once in 15,000 runs,
    while the catalogued mistakes move a bound by 0.3 to 2 sigma (alpha instead of alpha/2 at
    B >= 2000: 0.32 sigma against an allowance of at most 0.24 sigma).
    """
    from scipy.stats import norm

    interval = got.get("interval") if isinstance(got, dict) else got
    if not isinstance(interval, (tuple, list, np.ndarray)) or len(interval) != 2:
        return Verdict(False, f"your output should be a tuple (low, high); got {type_name(interval)}")
    try:
        low, high = (float(v) for v in interval)
    except (TypeError, ValueError):
        return Verdict(False, "your (low, high) should hold two numbers")
    e_low, e_high = expected["interval"]
    alpha, n_boot = float(expected["alpha"]), int(expected["n_boot"])
    if np.isnan(low) or np.isnan(high):
        return Verdict(False, "your interval holds NaN: are resamples with one class only skipped?")
    if low > high:
        return Verdict(False, f"your interval ({low:.4f}, {high:.4f}) has low > high")
    z = norm.ppf(1 - alpha / 2)
    sigma = (e_high - e_low) / (2 * z)
    q = alpha / 2
    tolerance = 4 * np.sqrt(2) * np.sqrt(q * (1 - q) / n_boot) * sigma / norm.pdf(z) + 0.002
    off = max(abs(low - e_low), abs(high - e_high))
    if off <= tolerance:
        return PASS
    message = ("your interval is further from the expected one than random resampling explains "
               f"(a bound is off by {off / max(sigma, 1e-12):.1f} bootstrap standard deviations)")
    return Verdict(False, message, message + f": yours ({low:.4f}, {high:.4f}), expected about "
                                             f"({e_low:.4f}, {e_high:.4f}) ± {tolerance:.4f}")


def _auc_data(rng, n, prevalence, separation):
    y = (rng.random(n) < prevalence).astype(int)
    y[:2] = [1, 0]
    return y, rng.normal(separation * y, 1.0)


def _boot_public(rng):
    y, s = _auc_data(rng, 300, 0.3, 1.2)
    yield Case((y.tolist(), s.tolist()),
               label="300 cases as Python lists, default n_boot = 1000 and alpha = 0.05")
    y, s = _auc_data(rng, 400, 0.25, 1.0)
    yield Case((y, s), {"n_boot": 2000, "alpha": 0.2, "seed": 3},
               label="400 cases, an 80% interval (alpha = 0.2), n_boot = 2000")
    y, s = _auc_data(rng, 250, 0.4, 0.8)
    yield Case((y, s), {"n_boot": 2000, "alpha": 0.1, "seed": 1}, label="alpha = 0.1, n_boot = 2000")
    y = np.zeros(500, dtype=int)
    y[[3, 100, 321]] = 1
    s = rng.normal(2.0 * y, 1.0)
    yield Case((y, s), {"seed": 7},
               label="3 positives in 500: some resamples hold no positive and are skipped")


def _boot_hidden(rng):
    y, s = _auc_data(rng, 500, 0.2, 1.5)
    yield Case((y.tolist(), s.tolist()), {"n_boot": 3000, "alpha": 0.2, "seed": 11},
               label="Python lists, alpha = 0.2")
    y, s = _auc_data(rng, 350, 0.5, 0.5)
    yield Case((y, s), {"n_boot": 2000, "alpha": 0.05, "seed": 5}, label="a weak score")
    y = np.zeros(400, dtype=int)
    y[[10, 200]] = 1
    yield Case((y, rng.normal(1.5 * y, 1.0)), {"n_boot": 2000, "alpha": 0.1, "seed": 2},
               label="2 positives in 400")


BOOTSTRAP = Exercise(
    name="bootstrap_auc_ci",
    points=2,
    public_cases=_boot_public,
    hidden_cases=_boot_hidden,
    compare=_interval_close,
    invoke=_boot_invoke,
    time_limit=30.0,
    mistakes=[
        Mistake("without replacement", _mistake(_no_replacement),
                "your interval has (almost) no width: resampling *without* replacement only "
                "reorders the cases, so every resample has the same AUC. Draw N indices with "
                "replacement."),
        Mistake("alpha not halved", _mistake(_alpha_not_halved),
                "your interval is too narrow: it matches the 100·alpha and 100·(1 - alpha) "
                "percentiles; a two-sided interval leaves alpha/2 in each tail."),
        Mistake("fractions for percentiles", _mistake(_fractions_as_percent),
                "your bounds sit near the minimum and maximum: np.percentile takes percents "
                "(0 to 100), so alpha/2 = 0.025 must become 2.5."),
        Mistake("unpaired resampling", _mistake(_unpaired),
                "your resampled AUCs hover around 0.5: the labels and the scores were drawn with "
                "different indices, which breaks the pairs; draw one set of indices and use it "
                "for both."),
    ],
)


# --- grad_cam -----------------------------------------------------------------------------------

def _cam_public(rng):
    a = np.zeros((3, 3, 2))
    a[0, 0, 0], a[2, 2, 1], a[1, 1, 0] = 1.0, 2.0, 0.5
    g = np.zeros((3, 3, 2))
    g[..., 0], g[..., 1] = 0.3, -0.1
    yield Case((a, g), label="two channels, one with a negative weight")
    yield Case((np.abs(rng.normal(size=(7, 5, 8))), rng.normal(size=(7, 5, 8))),
               label="a 7x5 map with 8 channels (non-square)")
    yield Case((np.abs(rng.normal(size=(4, 4, 3))), -np.abs(rng.normal(size=(4, 4, 3)))),
               label="every weight negative: the map is all zeros")
    yield Case((np.abs(rng.normal(size=(6, 6, 1))), rng.normal(0.5, 1.0, size=(6, 6, 1))),
               label="a single channel")


def _cam_hidden(rng):
    yield Case((np.abs(rng.normal(size=(14, 14, 64))), rng.normal(size=(14, 14, 64)) * 1e-3),
               label="14x14x64, tiny gradients")
    yield Case((np.abs(rng.normal(size=(3, 9, 4))), rng.normal(size=(3, 9, 4))), label="a 3x9 map")
    yield Case((np.zeros((5, 5, 2)), rng.normal(size=(5, 5, 2))), label="all activations zero")


def _combine(a, g, weights_axis=(0, 1)):
    a, g = np.asarray(a, float), np.asarray(g, float)
    return np.tensordot(a, g.mean(axis=weights_axis), axes=([2], [0]))


def _normalise(cam):
    top = cam.max()
    return cam / top if top > 0 else np.zeros_like(cam)


def _channel_average(a, g):
    a, g = np.asarray(a, float), np.asarray(g, float)
    return _normalise(np.maximum((a * g.mean(axis=2, keepdims=True)).sum(axis=2), 0))


def _no_relu(a, g):
    cam = _combine(a, g)
    top = np.abs(cam).max()
    return cam / top if top > 0 else np.zeros_like(cam)


def _min_max(a, g):
    cam = np.maximum(_combine(a, g), 0)
    span = cam.max() - cam.min()
    return (cam - cam.min()) / span if span > 0 else np.zeros_like(cam)


GRAD_CAM = Exercise(
    name="grad_cam",
    points=2,
    public_cases=_cam_public,
    hidden_cases=_cam_hidden,
    compare=allclose(rtol=1e-7, atol=1e-10),
    time_limit=5.0,
    mistakes=[
        Mistake("no ReLU", lambda a, g: _normalise(_combine(a, g)),
                "your map keeps negative values: Grad-CAM applies a ReLU, max(Σ_k α_k A_k, 0), "
                "to keep only the regions that push the score *up*."),
        Mistake("no ReLU, normalised by |max|", _no_relu,
                "your map keeps negative values: Grad-CAM applies a ReLU, max(Σ_k α_k A_k, 0), "
                "to keep only the regions that push the score *up*."),
        Mistake("averaged over channels", _channel_average,
                "you averaged the gradients over the channels (axis 2); α_k is the mean of "
                "gradients[:, :, k] over the *spatial* positions H and W, one weight per channel."),
        Mistake("not normalised", lambda a, g: np.maximum(_combine(a, g), 0),
                "your map is not normalised: divide by its maximum (when it is > 0) so the "
                "brightest region is 1."),
        Mistake("min-max", _min_max,
                "you rescaled with (cam - min) / (max - min); Grad-CAM divides by the maximum "
                "only (after the ReLU the minimum is usually 0, but not always)."),
    ],
)
