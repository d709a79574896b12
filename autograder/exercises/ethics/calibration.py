"""Chapter 06_ethics, calibration: the reliability table of scikit-learn's calibration_curve and
the expected calibration error."""

from __future__ import annotations

import numpy as np

from ...compare import allclose
from ...registry import Case, Exercise, Mistake, reference
from .common import CHAPTER


def _predictions(rng, n, miscalibration=1.5, as_list=False):
    """Probabilities of a model that is over-confident (logit scaled by ``miscalibration``)."""
    logit = rng.normal(0.0, 1.6, n)
    y_true = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    y_prob = 1 / (1 + np.exp(-miscalibration * logit))
    if as_list:
        return y_true.tolist(), y_prob.tolist()
    return y_true, y_prob


def _edges_case():
    """Probabilities exactly on inner bin edges as np.linspace makes them (0.30000000000000004),
    plus 0.0 and 1.0, and empty bins in the middle."""
    edges = np.linspace(0, 1, 11)
    y_prob = np.array([0.0, 0.05, edges[1], edges[3], edges[3], 0.35, edges[7], 0.72, 1.0, 1.0])
    y_true = np.array([0, 0, 1, 0, 1, 1, 1, 0, 1, 1])
    return y_true, y_prob


def _table_public(rng):
    yield Case(_edges_case(), label="10 patients on bin edges, 0.0 and 1.0, empty bins")
    y_true, y_prob = _predictions(rng, 30, as_list=True)
    yield Case((y_true, y_prob), {"n_bins": 5}, label="Python lists, 5 bins")
    yield Case(_predictions(rng, 569), label="569 patients (the size of the Breast Cancer table)")


def _table_hidden(rng):
    y_true, y_prob = _edges_case()
    yield Case((y_true[::-1], y_prob[::-1]), {"n_bins": 10}, label="bin edges, reversed order")
    yield Case(_predictions(rng, 200, 0.6), {"n_bins": 4}, label="an under-confident model, 4 bins")
    y_true, y_prob = _predictions(rng, 50, as_list=True)
    yield Case((y_true, y_prob), {"n_bins": 20}, label="Python lists, 20 bins")
    y_true, y_prob = _predictions(rng, 569)
    yield Case((y_true, np.round(y_prob, 1)), label="569 patients, probabilities rounded to 0.1 "
                                                    "(many on edges)")


def _table_reversed_edges(y_true, y_prob, n_bins=10):
    y_true, y_prob = np.asarray(y_true, dtype=float), np.asarray(y_prob, dtype=float)
    bins = np.searchsorted(np.linspace(0, 1, n_bins + 1)[1:-1], y_prob, side="right")
    return _table_from_bins(y_true, y_prob, bins, n_bins)


def _table_floor(y_true, y_prob, n_bins=10):
    y_true, y_prob = np.asarray(y_true, dtype=float), np.asarray(y_prob, dtype=float)
    bins = np.minimum(np.floor(y_prob * n_bins).astype(int), n_bins - 1)
    return _table_from_bins(y_true, y_prob, bins, n_bins)


def _table_from_bins(y_true, y_prob, bins, n_bins, keep_empty=False):
    count = np.bincount(bins, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_predicted = np.bincount(bins, y_prob, n_bins) / count
        fraction_positive = np.bincount(bins, y_true, n_bins) / count
    keep = np.ones(n_bins, bool) if keep_empty else count > 0
    return mean_predicted[keep], fraction_positive[keep], count[keep]


def _table_empty_kept(y_true, y_prob, n_bins=10):
    y_true, y_prob = np.asarray(y_true, dtype=float), np.asarray(y_prob, dtype=float)
    bins = np.searchsorted(np.linspace(0, 1, n_bins + 1)[1:-1], y_prob)
    return _table_from_bins(y_true, y_prob, bins, n_bins, keep_empty=True)


def _table_empty_zero(y_true, y_prob, n_bins=10):
    return tuple(np.nan_to_num(a) for a in _table_empty_kept(y_true, y_prob, n_bins))


def _table_swapped(y_true, y_prob, n_bins=10):
    mean_predicted, fraction_positive, count = reference(CHAPTER, "calibration_table")(
        y_true, y_prob, n_bins)
    return fraction_positive, mean_predicted, count


def _table_centres(y_true, y_prob, n_bins=10):
    mean_predicted, fraction_positive, count = reference(CHAPTER, "calibration_table")(
        y_true, y_prob, n_bins)
    y_prob = np.asarray(y_prob, dtype=float)
    bins = np.unique(np.searchsorted(np.linspace(0, 1, n_bins + 1)[1:-1], y_prob))
    return (bins + 0.5) / n_bins, fraction_positive, count


_EDGES = ("a probability on an inner bin edge went to the upper bin; scikit-learn's rule is "
          "np.searchsorted(edges[1:-1], y_prob) with the default side='left', which puts a value "
          "equal to an edge in the lower bin (0.0 in the first bin, 1.0 in the last).")

CALIBRATION_TABLE = Exercise(
    name="calibration_table",
    points=2,
    public_cases=_table_public,
    hidden_cases=_table_hidden,
    compare=allclose(rtol=1e-9, atol=1e-12),
    time_limit=10.0,
    output_names=("mean_predicted", "fraction_positive", "count"),
    advice="check the bin of each probability with np.searchsorted on the inner edges of "
           "np.linspace(0, 1, n_bins + 1), then average within the bins that hold patients.",
    mistakes=[
        Mistake("edge rule reversed", _table_reversed_edges, _EDGES),
        Mistake("floor binning", _table_floor, _EDGES),
        Mistake("empty bins kept", _table_empty_kept,
                "you kept the empty bins (their averages are 0/0); return only the bins that "
                "hold at least one patient, as calibration_curve does."),
        Mistake("empty bins as zero", _table_empty_zero,
                "you kept the empty bins with zeros; return only the bins that hold at least one "
                "patient, as calibration_curve does."),
        Mistake("outputs swapped", _table_swapped,
                "your first two outputs are swapped: first the mean predicted probability in each "
                "bin (x axis of the reliability diagram), then the fraction of positives (y axis)."),
        Mistake("bin centres", _table_centres,
                "your mean_predicted holds the bin centres; it is the average of the predicted "
                "probabilities of the patients in the bin."),
    ],
)


# --- expected_calibration_error -------------------------------------------------------------------

def _ece_public(rng):
    yield Case(_edges_case(), label="10 patients on bin edges, empty bins")
    y_true, y_prob = _predictions(rng, 30, as_list=True)
    yield Case((y_true, y_prob), {"n_bins": 5}, label="Python lists, 5 bins")
    yield Case(_predictions(rng, 569), label="569 patients")


def _ece_hidden(rng):
    yield Case(_predictions(rng, 200, 0.6), {"n_bins": 4}, label="an under-confident model")
    y_true, y_prob = _predictions(rng, 50, as_list=True)
    yield Case((y_true, y_prob), {"n_bins": 20}, label="Python lists, 20 bins")
    y_true, y_prob = _predictions(rng, 569, 1.0)
    yield Case((y_true, np.round(y_prob, 1)), label="569 patients, a calibrated model, "
                                                    "probabilities rounded to 0.1")


def _ece_from(table, weighted=True, power=1, signed=False, reduce=np.sum):
    mean_predicted, fraction_positive, count = table
    gap = fraction_positive - mean_predicted
    gap = gap if signed else np.abs(gap) ** power
    if weighted:
        return float(reduce(count / count.sum() * gap))
    return float(np.mean(gap))


def _ece_table(y_true, y_prob, n_bins=10):
    return reference(CHAPTER, "calibration_table")(y_true, y_prob, n_bins)


EXPECTED_CALIBRATION_ERROR = Exercise(
    name="expected_calibration_error",
    points=1,
    public_cases=_ece_public,
    hidden_cases=_ece_hidden,
    compare=allclose(rtol=1e-9, atol=1e-12),
    time_limit=10.0,
    mistakes=[
        Mistake("unweighted mean",
                lambda y_true, y_prob, n_bins=10: _ece_from(_ece_table(y_true, y_prob, n_bins),
                                                            weighted=False),
                "you averaged the bins' gaps with equal weights; ECE weights each bin by its "
                "share of patients: sum over bins of (count_b / N) * |fraction_b - mean_b|."),
        Mistake("squared gaps",
                lambda y_true, y_prob, n_bins=10: _ece_from(_ece_table(y_true, y_prob, n_bins),
                                                            power=2),
                "you squared the gaps; ECE uses their absolute value |fraction_b - mean_b|."),
        Mistake("signed gaps",
                lambda y_true, y_prob, n_bins=10: _ece_from(_ece_table(y_true, y_prob, n_bins),
                                                            signed=True),
                "you summed signed gaps, so over- and under-confident bins cancel; take the "
                "absolute value |fraction_b - mean_b| in each bin."),
        Mistake("maximum gap",
                lambda y_true, y_prob, n_bins=10: float(np.max(np.abs(
                    np.subtract(*_ece_table(y_true, y_prob, n_bins)[:2])))),
                "you returned the largest gap (the maximum calibration error); ECE is the "
                "weighted average of the gaps, weights count_b / N."),
        Mistake("edge rule reversed",
                lambda y_true, y_prob, n_bins=10: _ece_from(_table_reversed_edges(
                    y_true, y_prob, n_bins)), _EDGES),
    ],
)
