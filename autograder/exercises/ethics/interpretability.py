"""Chapter 06_ethics, interpretability: exact SHAP values of a linear model and permutation
importance measured in ROC AUC."""

from __future__ import annotations

import numpy as np

from ...compare import allclose, type_name
from ...registry import Case, Exercise, Mistake, WrongOutput, reference
from .common import CHAPTER


def _linear_data(rng, n, d, n_background):
    coef = np.round(rng.normal(0, 1, d), 3)
    X = rng.normal(0.5, 1.5, (n, d))
    background = rng.normal(0.0, 1.0, (n_background, d)) + rng.normal(0, 1, d)
    return coef, float(np.round(rng.normal(), 3)), X, background


# --- linear_shap ----------------------------------------------------------------------------------

def _shap_public(rng):
    coef = np.array([0.8, -1.2, 0.05])
    X = np.array([[1.0, 0.0, 3.0], [0.0, 1.0, -3.0]])
    background = np.array([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0], [2.0, 0.5, 2.0]])
    yield Case((coef, -0.3, X, background), label="2 patients, 3 features, 3 background rows")
    coef, intercept, X, background = _linear_data(rng, 4, 2, 5)
    yield Case((coef.tolist(), intercept, X.tolist(), background.tolist()),
               label="Python lists, 4 patients, 2 features")
    yield Case(_linear_data(rng, 700, 9, 1400), label="700 patients explained against 1,400 "
                                                      "background patients, 9 features")


def _shap_hidden(rng):
    yield Case(_linear_data(rng, 1, 5, 10), label="one patient")
    coef, intercept, X, background = _linear_data(rng, 6, 3, 1)
    yield Case((coef.tolist(), intercept, X.tolist(), background.tolist()),
               label="Python lists, a single background row")
    yield Case(_linear_data(rng, 300, 12, 500), label="300 patients, 12 features")


def _shap_with(coef, intercept, X, background, centre="background"):
    coef, X, background = (np.asarray(a, dtype=float) for a in (coef, X, background))
    if centre == "zero":
        return coef * X
    if centre == "X":
        return coef * (X - X.mean(axis=0))
    return coef * (X - np.median(background, axis=0))


LINEAR_SHAP = Exercise(
    name="linear_shap",
    points=1,
    public_cases=_shap_public,
    hidden_cases=_shap_hidden,
    compare=allclose(rtol=1e-9, atol=1e-12),
    time_limit=10.0,
    mistakes=[
        Mistake("centred on zero", lambda c, b, X, bg: _shap_with(c, b, X, bg, "zero"),
                "your values are coef[j] * X[i, j], i.e. centred on a patient whose features are "
                "all 0; SHAP values explain f(x) minus the average prediction over the "
                "background: φ_ij = β_j (x_ij - the background's mean of feature j)."),
        Mistake("centred on the explained patients", lambda c, b, X, bg: _shap_with(c, b, X, bg, "X"),
                "you centred on the mean of X (the patients explained); the reference point is "
                "the background data's mean, whatever patients you explain."),
        Mistake("median", lambda c, b, X, bg: _shap_with(c, b, X, bg, "median"),
                "you centred on the background's median; the baseline is its mean (the average "
                "prediction of a linear model is the prediction at the mean)."),
        Mistake("intercept added",
                lambda c, b, X, bg: reference(CHAPTER, "linear_shap")(c, b, X, bg) + b,
                "you added the intercept to the SHAP values; it is part of the baseline "
                "E[f(background)], not of any feature's contribution."),
        Mistake("transposed",
                lambda c, b, X, bg: reference(CHAPTER, "linear_shap")(c, b, X, bg).T,
                "your array is transposed: one row per patient, one column per feature, (N, D)."),
        Mistake("absolute values",
                lambda c, b, X, bg: np.abs(reference(CHAPTER, "linear_shap")(c, b, X, bg)),
                "you took absolute values; a SHAP value is signed (negative pushes the margin "
                "down), and the row sums to f(x) - E[f(background)]."),
    ],
)


# --- permutation_importance -----------------------------------------------------------------------

# The tolerance: with 40 other seeds, the reference's importances on the public cases stay within
# 0.024 (AUC units) of the graded output, the largest of 160 features x seeds (measured in
# tests/test_ethics.py; about 5 standard deviations of the two-sample spread). 0.035 leaves room;
# every catalogued mistake is further away on some feature of every public case.
PERMUTATION_ATOL = 0.035


def _model_data(rng, n, coef, intercept=-0.5):
    coef = np.asarray(coef, dtype=float)
    X = rng.normal(0, 1, (n, coef.size))
    X[:, 0] = X[:, 0] * 2 + 1  # features on different scales
    p = 1 / (1 + np.exp(-(X @ coef + intercept)))
    y = (rng.random(n) < p).astype(int)
    return {"coef": coef, "intercept": intercept}, X, y


def _perm_invoke(fn, model, X, y, n_repeats=5, seed=0):
    coef, intercept = np.asarray(model["coef"], dtype=float), float(model["intercept"])

    def predict_proba(X):
        return 1 / (1 + np.exp(-(np.asarray(X, dtype=float) @ coef + intercept)))

    out = fn(predict_proba, X, y, n_repeats, seed)
    if isinstance(out, np.ndarray) and out.shape != (coef.size,):
        raise WrongOutput(f"your importances have shape {out.shape}; expected ({coef.size},), "
                          "one per feature (column of X)")
    if not isinstance(out, np.ndarray):
        raise WrongOutput(f"permutation_importance should return a NumPy array of shape "
                          f"({coef.size},); got {type_name(out)}")
    return out


def _perm_public(rng):
    yield Case(_model_data(rng, 2000, [1.0, -0.6, 0.3, 0.0]),
               label="2,000 patients, 4 features, one useless")
    yield Case(_model_data(rng, 2000, [0.2, 1.5, -1.0]), {"n_repeats": 10, "seed": 3},
               label="2,000 patients, 10 repeats, seed 3")


def _perm_hidden(rng):
    yield Case(_model_data(rng, 3000, [0.5, 0.5, -0.8, 0.1, 1.2]), label="3,000 patients, "
                                                                         "5 features")
    yield Case(_model_data(rng, 2000, [2.0, 0.0]), {"n_repeats": 8, "seed": 11},
               label="2 features, one useless, 8 repeats")


def _auc(y, p):
    from sklearn.metrics import roc_auc_score

    return roc_auc_score(y, p)


def _importance(predict_proba, X, y, n_repeats=5, seed=0, how="column"):
    from sklearn.metrics import accuracy_score

    rng = np.random.default_rng(seed)
    X = np.array(X, dtype=float)
    score = (lambda Z: accuracy_score(y, predict_proba(Z) >= 0.5)) if how == "accuracy" else (
        lambda Z: _auc(y, predict_proba(Z)))
    baseline = score(X)
    out = np.zeros(X.shape[1])
    work = X.copy()
    for j in range(X.shape[1]):
        drops = []
        for _ in range(n_repeats):
            if how == "rows":
                shuffled = X[rng.permutation(len(X))]
            else:
                shuffled = work if how == "not restored" else X.copy()
                shuffled[:, j] = shuffled[rng.permutation(len(X)), j]
            drops.append(baseline - score(shuffled))
        out[j] = np.mean(drops)
    return -out if how == "increase" else out


PERMUTATION_IMPORTANCE = Exercise(
    name="permutation_importance",
    points=2,
    public_cases=_perm_public,
    hidden_cases=_perm_hidden,
    compare=allclose(rtol=0.0, atol=PERMUTATION_ATOL),
    invoke=_perm_invoke,
    time_limit=20.0,
    advice="for each column j: copy X, shuffle column j only, and record baseline AUC minus "
           "the shuffled AUC; average those drops over the repeats.",
    mistakes=[
        Mistake("rows shuffled together",
                lambda p, X, y, n=5, s=0: _importance(p, X, y, n, s, "rows"),
                "you shuffled whole rows (every column together), which breaks every feature's "
                "link to y at once, so all features get the same importance; shuffle column j "
                "alone and leave the other columns in place."),
        Mistake("increase", lambda p, X, y, n=5, s=0: _importance(p, X, y, n, s, "increase"),
                "your importances have the wrong sign: importance is the baseline AUC minus the "
                "AUC after shuffling (a useful feature loses AUC when shuffled)."),
        Mistake("not restored",
                lambda p, X, y, n=5, s=0: _importance(p, X, y, n, s, "not restored"),
                "the shuffles accumulate: column j is shuffled in a table where the earlier "
                "columns are still shuffled. Start every shuffle from the original X."),
        Mistake("accuracy", lambda p, X, y, n=5, s=0: _importance(p, X, y, n, s, "accuracy"),
                "you measured the drop in accuracy at 0.5; the importance here is the drop in "
                "ROC AUC of predict_proba(X)."),
    ],
)
