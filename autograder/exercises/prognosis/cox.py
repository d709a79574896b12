"""Exercises 6-8: the Cox partial likelihood, its Newton-Raphson fit, and absolute risk."""

from __future__ import annotations

import numpy as np

from ...compare import PASS, Verdict, allclose
from ...registry import Case, Exercise, Mistake, reference
from ._cases import CHAPTER, as_arrays, gbsg2, kidney, lung

# --- cox_partial_log_likelihood -----------------------------------------------------------------


def _partial_ll(beta, X, durations, events, risk_set="at or after", who="events", average=False):
    from scipy.special import logsumexp

    d, e = as_arrays(durations, events)
    eta = np.asarray(X, float) @ np.asarray(beta, float)
    rows = np.flatnonzero(e) if who == "events" else np.arange(d.size)
    terms = []
    for i in rows:
        if risk_set == "at or after":
            members = d >= d[i]
        elif risk_set == "after":
            members = d > d[i]
        else:  # "up to": the subjects whose time has already come
            members = d <= d[i]
        terms.append(eta[i] - logsumexp(eta[members]))
    total = float(np.sum(terms))
    if average:
        total /= max(len(rows), 1)
    if not np.isfinite(total):
        raise ValueError("not finite: no diagnosis on an inf/NaN coincidence")
    return total


def _likelihood_compare(got, expected):
    verdict = allclose(rtol=1e-9, atol=1e-9)(got, expected)
    if verdict or not np.isfinite(expected):
        return verdict
    try:
        finite = np.isfinite(float(got))
    except (TypeError, ValueError):
        return verdict
    if not finite:
        return Verdict(False, "your log-likelihood is infinite or NaN where it is finite: either "
                              "exp(X @ beta) overflowed (use log-sum-exp: log sum exp(a_j) = m + "
                              "log sum exp(a_j - m) with m the largest a_j) or a risk set was "
                              "empty (subject i belongs to its own risk set)")
    return verdict


def _cox_data(rng, n, d, scale=1.0, ties=False):
    X = rng.normal(0.0, 1.0, (n, d))
    beta = rng.normal(0.0, 0.7, d)
    time = rng.exponential(1.0 / np.exp(X @ beta))
    censor = rng.exponential(2.0, n)
    durations = np.minimum(time, censor)
    if ties:
        durations = np.ceil(durations * 5.0) / 5.0
    events = (time <= censor).astype(int)
    # The longest follow-up is censored, as in most real cohorts.
    events[np.argmax(durations)] = 0
    return X * scale, durations, events, beta


def _lung_design():
    d, e, frame = lung()
    X = np.column_stack([frame["age"], frame["sex"] == 2, frame["ph.ecog"].fillna(1.0)]).astype(float)
    return X, d, e


def _ll_public(rng):
    yield Case(([0.5, -1.0], [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]], [2.0, 3.0, 3.0, 5.0],
                [1, 1, 0, 0]), label="4 patients as Python lists, a tie at day 3")
    X, d, e = _lung_design()
    yield Case((np.array([0.011, -0.55, 0.46]), X, d, e),
               label="lung cancer (228 patients): age, female sex, ECOG")
    yield Case((np.array([0.8]), np.array([[0.0], [1.0], [1.0], [0.0], [1.0]]),
                np.array([1.0, 2.0, 3.0, 4.0, 5.0]), np.array([1, 1, 0, 1, 0])),
               label="5 patients, one binary covariate (X of shape (5, 1))")
    X, d, e, beta = _cox_data(rng, 30, 2)
    # scaled so that the largest |x . beta| is 1,500: exp overflows above about 709
    yield Case((beta * 1500.0 / np.max(np.abs(X @ beta)), X, d, e),
               label="30 patients, x . beta up to 1,500 (exp overflows)")


def _ll_hidden(rng):
    X, d, e = _lung_design()
    yield Case((np.zeros(3), X, d, e), label="lung cancer at beta = 0")
    X, d, e = gbsg2()
    Z = (X - X.mean(0)) / X.std(0)
    yield Case((rng.normal(0, 0.3, Z.shape[1]), Z, d, e), label="GBSG2, standardised covariates")
    for n, ties in ((12, True), (50, False)):
        X, d, e, beta = _cox_data(rng, n, 3, ties=ties)
        yield Case((beta, X, d, e), label=f"{n} patients{' with tied times' if ties else ''}")
    X, d, e, beta = _cox_data(rng, 20, 1)
    yield Case((beta * 900.0 / np.max(np.abs(X @ beta)), X, d, e),
               label="one covariate, x . beta up to 900 (exp overflows)")


COX_PARTIAL_LOG_LIKELIHOOD = Exercise(
    name="cox_partial_log_likelihood",
    points=2,
    public_cases=_ll_public,
    hidden_cases=_ll_hidden,
    compare=_likelihood_compare,
    time_limit=10.0,
    advice=("check one event by hand: its term is x_i . beta minus the log of the sum of "
            "exp(x_j . beta) over every j with t_j >= t_i (i included)"),
    mistakes=[
        Mistake("risk set of later times only",
                lambda beta, X, d, e: _partial_ll(beta, X, d, e, risk_set="after"),
                "your risk set holds only the subjects with t_j > t_i; it is t_j >= t_i: subject "
                "i (and anyone tied with it) is still at risk at t_i."),
        Mistake("risk set of earlier times",
                lambda beta, X, d, e: _partial_ll(beta, X, d, e, risk_set="up to"),
                "your risk set holds the subjects with t_j <= t_i, those who already had their "
                "event or left; at t_i the risk set is everyone still followed, t_j >= t_i."),
        Mistake("censored patients contribute terms",
                lambda beta, X, d, e: _partial_ll(beta, X, d, e, who="all"),
                "you added a term for every subject; only subjects with an observed event "
                "(events = 1) contribute a term, censored ones appear only inside risk sets."),
        Mistake("averaged over events",
                lambda beta, X, d, e: _partial_ll(beta, X, d, e, average=True),
                "you divided by the number of events; the partial log-likelihood is the sum of "
                "the terms, not their mean."),
        Mistake("negative log-likelihood",
                lambda beta, X, d, e: -_partial_ll(beta, X, d, e),
                "your value has the opposite sign: that is the loss (negative log-likelihood) "
                "an optimiser minimises; the log-likelihood itself is <= 0 here."),
    ],
)


# --- fit_cox ------------------------------------------------------------------------------------


def _newton(X, durations, events, n_iter=50, tol=1e-9, sign=1.0, risk_set="at or after",
            who="events"):
    X = np.asarray(X, float)
    d, e = as_arrays(durations, events)
    beta = np.zeros(X.shape[1])
    rows = np.flatnonzero(e) if who == "events" else np.arange(d.size)
    for _ in range(n_iter):
        eta = X @ beta
        w = np.exp(eta - eta.max())
        gradient, information = np.zeros_like(beta), np.zeros((beta.size, beta.size))
        for i in rows:
            r = d >= d[i] if risk_set == "at or after" else d > d[i]
            if not r.any():
                continue
            p = w[r] / w[r].sum()
            mean = p @ X[r]
            gradient += X[i] - mean
            information += (X[r] * p[:, None]).T @ X[r] - np.outer(mean, mean)
        step = sign * np.linalg.solve(information, gradient)
        beta = beta + step
        if np.max(np.abs(step)) < tol:
            break
    if not np.all(np.isfinite(beta)):
        raise ValueError("diverged: no diagnosis on an inf/NaN coincidence")
    return beta


def _efron_lifelines(X, durations, events, n_iter=50, tol=1e-9):
    import pandas as pd
    from lifelines import CoxPHFitter

    X = np.asarray(X, float)
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])
    frame["T"], frame["E"] = np.asarray(durations, float), np.asarray(events, int)
    fitted = CoxPHFitter().fit(frame, "T", "E",
                               fit_options={"precision": 1e-10, "r_precision": 1e-14})
    return fitted.params_.to_numpy()


def _fit_compare(got, expected):
    verdict = allclose(rtol=1e-6, atol=1e-8)(got, expected)
    if verdict:
        return PASS
    if isinstance(got, np.ndarray) and got.dtype.kind == "f" and not np.all(np.isfinite(got)):
        return Verdict(False, "your beta has infinite or NaN entries: the Newton iteration "
                              "diverged. Each step must climb the likelihood: beta <- beta + "
                              "I^{-1} U with U the gradient and I = -Hessian (the observed "
                              "information, positive definite)")
    return verdict


def _fit_public(rng):
    X, d, e, _ = _cox_data(rng, 60, 2)
    yield Case((X, d, e), label="60 patients, 2 covariates, no tied times")
    X, d, e = _lung_design()
    yield Case((X, d, e), label="lung cancer: age, female sex, ECOG (tied days: Breslow)")
    yield Case(([[0.0], [1.0], [1.0], [0.0], [1.0], [0.0]], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
                [1, 1, 0, 1, 1, 0]), label="6 patients as Python lists, one binary covariate")
    X, d, e, _ = _cox_data(rng, 40, 2)
    yield Case((X, d, e), {"n_iter": 1}, label="n_iter=1: a single Newton step from zero")
    yield Case((X, d, e), {"tol": 1e-2}, label="tol=0.01: stop once a step is below 0.01")


def _fit_hidden(rng):
    X, d, e = gbsg2()
    Z = (X - X.mean(0)) / X.std(0)
    yield Case((Z, d, e), label="GBSG2, 8 standardised covariates")
    d, e, frame = kidney()
    Xk = frame[["age", "black_male", "white_male", "black_female"]].to_numpy(float)
    yield Case(((Xk - Xk.mean(0)) / Xk.std(0), d, e), label="kidney transplant (tied days)")
    for n, ties in ((25, True), (80, False)):
        X, d, e, _ = _cox_data(rng, n, 3, ties=ties)
        yield Case((X, d, e), label=f"{n} patients, 3 covariates{', tied times' if ties else ''}")
    X, d, e, _ = _cox_data(rng, 40, 1)
    yield Case((X, d, e), {"n_iter": 2, "tol": 1e-3}, label="two steps at most, a loose tol")


FIT_COX = Exercise(
    name="fit_cox",
    points=3,
    public_cases=_fit_public,
    hidden_cases=_fit_hidden,
    compare=_fit_compare,
    time_limit=20.0,
    advice=("check the gradient first: U = sum over events of (x_i - the risk-set mean of x "
            "weighted by exp(x_j . beta)); at beta = 0 it is x_i minus the plain risk-set mean"),
    mistakes=[
        Mistake("Hessian sign wrong", lambda X, d, e, n_iter=50, tol=1e-9: _newton(X, d, e, n_iter,
                                                                                 tol, sign=-1.0),
                "your steps go downhill: Newton's step for a maximum is beta <- beta + I^{-1} U "
                "with I = -Hessian positive definite (or beta - H^{-1} U with H the Hessian)."),
        Mistake("risk set of later times only",
                lambda X, d, e, n_iter=50, tol=1e-9: _newton(X, d, e, n_iter, tol,
                                                             risk_set="after"),
                "your risk sets hold only the subjects with t_j > t_i; they are t_j >= t_i "
                "(subject i is at risk at its own event time)."),
        Mistake("censored patients contribute terms",
                lambda X, d, e, n_iter=50, tol=1e-9: _newton(X, d, e, n_iter, tol, who="all"),
                "your fit gives censored subjects a term of their own (as if they had the "
                "event); only events add to the gradient and the information."),
        Mistake("Efron's ties (lifelines)", _efron_lifelines,
                "your beta is lifelines' CoxPHFitter estimate, which handles tied event times "
                "with Efron's approximation; this exercise asks for Breslow's (every tied event "
                "sees the full risk set). The two agree when no two events share a time."),
        Mistake("a single step",
                lambda X, d, e, n_iter=50, tol=1e-9: _newton(X, d, e, 1, tol),
                "you stopped after one Newton step; iterate until the step's largest entry is "
                "below tol (or n_iter steps)."),
        Mistake("n_iter ignored",
                lambda X, d, e, n_iter=50, tol=1e-9: _newton(X, d, e, 50, 1e-9),
                "your fit ran to convergence although n_iter (or tol) asked it to stop earlier: "
                "take at most n_iter steps and stop once a step is below tol."),
    ],
)


# --- absolute_risk ------------------------------------------------------------------------------

# Pooled Cohort Equations, white men (Goff et al., Circulation 2014;129:S49-S73, table A):
# ln age, ln total cholesterol, ln age x ln total cholesterol, ln HDL-C, ln age x ln HDL-C,
# ln treated SBP, ln untreated SBP, current smoker, ln age x smoker, diabetes.
PCE_WHITE_MEN = np.array([12.344, 11.853, -2.664, -7.990, 1.769, 1.797, 1.764, 7.837, -1.795,
                          0.658])
PCE_WHITE_MEN_S0, PCE_WHITE_MEN_MEAN = 0.9144, 61.18


def pce_terms(age, total_chol, hdl, sbp, treated, smoker, diabetes):
    """The 10 terms of the PCE for white men, for one patient (mg/dL, mmHg, years)."""
    la, lc, lh, ls = np.log(age), np.log(total_chol), np.log(hdl), np.log(sbp)
    return np.array([la, lc, la * lc, lh, la * lh, ls * treated, ls * (1 - treated), smoker,
                     la * smoker, diabetes], dtype=float)


def _pce_mean():
    # The paper gives the mean linear predictor x_mean . beta = 61.18, not x_mean itself; the
    # risk depends on x_mean only through that product, so any x_mean with it will do.
    return PCE_WHITE_MEN * PCE_WHITE_MEN_MEAN / float(PCE_WHITE_MEN @ PCE_WHITE_MEN)


def _risk_public(rng):
    patient = pce_terms(55, 213, 50, 120, 0, 0, 0)
    yield Case((PCE_WHITE_MEN, patient, _pce_mean(), PCE_WHITE_MEN_S0),
               label="the PCE's worked example: a 55-year-old white man (published 5.3 %)")
    cohort = np.array([pce_terms(a, c, h, s, t, sm, di) for a, c, h, s, t, sm, di in
                       [(45, 180, 60, 118, 0, 0, 0), (62, 240, 38, 150, 1, 1, 1),
                        (70, 200, 45, 135, 1, 0, 1)]])
    yield Case((PCE_WHITE_MEN, cohort, _pce_mean(), PCE_WHITE_MEN_S0),
               label="3 patients at once, shape (3, 10)")
    yield Case(([0.5, -0.2], [1.0, 2.0], [0.8, 1.5], 0.9), label="Python lists, 2 covariates")


def _risk_hidden(rng):
    for n, d in ((5, 3), (20, 4)):
        beta = rng.normal(0, 0.5, d)
        x_mean = rng.normal(2.0, 1.0, d)
        x = x_mean + rng.normal(0, 1.0, (n, d))
        yield Case((beta, x, x_mean, float(rng.uniform(0.8, 0.98))), label=f"{n} patients, {d} covariates")
    yield Case((PCE_WHITE_MEN, pce_terms(40, 170, 55, 110, 0, 0, 0), _pce_mean(), PCE_WHITE_MEN_S0),
               label="a low-risk 40-year-old (PCE)")
    yield Case((np.array([0.7]), np.array([[3.0]]), np.array([1.0]), 0.95), label="one patient as (1, 1)")


ABSOLUTE_RISK = Exercise(
    name="absolute_risk",
    points=1,
    public_cases=_risk_public,
    hidden_cases=_risk_hidden,
    compare=allclose(rtol=1e-9, atol=1e-12),
    time_limit=5.0,
    advice="risk = 1 - S0 ** exp((x - x_mean) . beta); for the mean patient it is 1 - S0",
    mistakes=[
        Mistake("uncentred linear predictor",
                lambda beta, x, x_mean, s0: reference(CHAPTER, "absolute_risk")(
                    beta, x, np.zeros(np.shape(x_mean)), s0),
                "your linear predictor is not centred: S0 is the survival of a patient at the "
                "cohort means, so the exponent is exp((x - x_mean) . beta), not exp(x . beta)."),
        Mistake("survival instead of risk",
                lambda beta, x, x_mean, s0: 1.0 - reference(CHAPTER, "absolute_risk")(
                    beta, x, x_mean, s0),
                "you returned the probability of staying event-free, S0 ** exp(...); the risk is "
                "1 minus that."),
        Mistake("S0 and risk confused",
                lambda beta, x, x_mean, s0: reference(CHAPTER, "absolute_risk")(
                    beta, x, x_mean, 1.0 - s0),
                "you used the baseline risk 1 - S0 where the baseline survival S0 belongs: the "
                "formula raises the baseline *survival* to the power exp((x - x_mean) . beta)."),
        Mistake("centring with the wrong sign",
                lambda beta, x, x_mean, s0: reference(CHAPTER, "absolute_risk")(
                    beta, 2 * np.asarray(x_mean, float) - np.asarray(x, float), x_mean, s0),
                "your linear predictor has the wrong sign, (x_mean - x) . beta; it is "
                "(x - x_mean) . beta, so a patient above the mean on a harmful factor has a "
                "higher risk than the mean patient."),
        Mistake("risk scaled linearly",
                lambda beta, x, x_mean, s0: (1.0 - s0) * np.exp(
                    (np.asarray(x, float) - np.asarray(x_mean, float)) @ np.asarray(beta, float)),
                "you multiplied the baseline risk by the hazard ratio, (1 - S0) exp(lp); hazards "
                "multiply, risks do not: risk = 1 - S0 ** exp(lp), which stays below 1."),
    ],
)
