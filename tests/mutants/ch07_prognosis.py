"""Chapter 07_prognosis: mistakes learners make with censored data, risk models and care metrics,
and alternative correct implementations (loops, vectorised, lifelines and scikit-learn calls)."""

from __future__ import annotations

from . import Alternative, Mutant

CHAPTER = "07_prognosis"

# --- estimators: Kaplan-Meier and Nelson-Aalen share the risk-set mistakes ------------------------

_KM_TEMPLATE = '''
def kaplan_meier(durations, events):
    durations = np.asarray(durations, dtype=float)
    events = np.asarray(events, dtype=int)
{prep}
    times = {times}
    n = np.array([{at_risk} for t in times], dtype=float)
    d = np.array([np.sum((durations == t) & (events == 1)) for t in times], dtype=float)
    return times, np.cumprod(1 - d / n) if len(times) else np.zeros(0)
'''

_NA_TEMPLATE = _KM_TEMPLATE.replace("kaplan_meier", "nelson_aalen").replace(
    "np.cumprod(1 - d / n)", "np.cumsum(d / n)")


def _estimator(template, prep="", times="np.unique(durations[events == 1])",
               at_risk="np.sum(durations >= t)"):
    return template.format(prep=prep or "    pass", times=times, at_risk=at_risk)


_ESTIMATOR_MUTANTS = [
    ("censored patients dropped",
     dict(prep="    durations, events = durations[events == 1], events[events == 1]"),
     "dropping the censored patients"),
    ("censored counted as events", dict(prep="    events = np.ones_like(events)"),
     "treats every patient as having had the event"),
    ("risk set taken after t", dict(at_risk="np.sum(durations > t)"), "duration > t_m"),
    ("censoring-only times included", dict(times="np.unique(durations)"),
     "durations at which only censoring happened"),
]

MUTANTS = [
    Mutant("kaplan_meier", mistake, _estimator(_KM_TEMPLATE, **changes), diagnosis)
    for mistake, changes, diagnosis in _ESTIMATOR_MUTANTS
] + [
    Mutant("nelson_aalen", mistake, _estimator(_NA_TEMPLATE, **changes), diagnosis)
    for mistake, changes, diagnosis in _ESTIMATOR_MUTANTS
] + [
    Mutant("kaplan_meier", "exp of minus Nelson-Aalen", '''
def kaplan_meier(durations, events):
    fitted = NelsonAalenFitter(nelson_aalen_smoothing=False).fit(durations, events)
    times = np.unique(np.asarray(durations, float)[np.asarray(events) == 1])
    return times, np.exp(-fitted.cumulative_hazard_at_times(times).to_numpy())
''', "Nelson-Aalen cumulative hazard"),
    Mutant("nelson_aalen", "minus log Kaplan-Meier", '''
def nelson_aalen(durations, events):
    fitted = KaplanMeierFitter().fit(durations, events)
    times = np.unique(np.asarray(durations, float)[np.asarray(events) == 1])
    return times, -np.log(fitted.survival_function_at_times(times).to_numpy())
''', "-log of the Kaplan-Meier curve"),
    Mutant("kaplan_meier", "lifelines' table with its t = 0 row", '''
def kaplan_meier(durations, events):
    fitted = KaplanMeierFitter().fit(durations, events)
    table = fitted.survival_function_
    return table.index.to_numpy(dtype=float), table.iloc[:, 0].to_numpy()
''', "lifelines' full timeline"),
]

# --- median_survival -------------------------------------------------------------------------------

MUTANTS += [
    Mutant("median_survival", "strictly below 0.5", '''
def median_survival(times, survival):
    times, survival = np.asarray(times, float), np.asarray(survival, float)
    below = np.flatnonzero(survival < 0.5)
    return float(times[below[0]]) if below.size else float("inf")
''', "strictly below 0.5"),
    Mutant("median_survival", "interpolated", '''
def median_survival(times, survival):
    times, survival = np.asarray(times, float), np.asarray(survival, float)
    if not np.any(survival <= 0.5):
        return float("inf")
    return float(np.interp(0.5, survival[::-1], times[::-1]))
''', "you interpolated between the steps"),
    Mutant("median_survival", "NaN when not reached", '''
def median_survival(times, survival):
    times, survival = np.asarray(times, float), np.asarray(survival, float)
    reached = np.flatnonzero(survival <= 0.5)
    return float(times[reached[0]]) if reached.size else float("nan")
''', "return inf"),
    Mutant("median_survival", "the step before", '''
def median_survival(times, survival):
    times, survival = np.asarray(times, float), np.asarray(survival, float)
    above = np.flatnonzero(survival > 0.5)
    if not np.any(survival <= 0.5):
        return float("inf")
    return float(times[above[-1]]) if above.size else float(times[0])
''', "last time with survival still above 0.5"),
    Mutant("median_survival", "position instead of time", '''
def median_survival(times, survival):
    reached = np.flatnonzero(np.asarray(survival, float) <= 0.5)
    return float(reached[0]) if reached.size else float("inf")
''', "position k of the step"),
    Mutant("median_survival", "crashes on an empty curve", '''
def median_survival(times, survival):
    times, survival = np.asarray(times, float), np.asarray(survival, float)
    k = np.argmax(survival <= 0.5)
    return float(times[k]) if survival[k] <= 0.5 else float("inf")
''', "empty sequence"),
]

# --- logrank_test ----------------------------------------------------------------------------------

_LOGRANK = '''
def logrank_test(durations_a, events_a, durations_b, events_b):
    from scipy.stats import chi2
    t = np.concatenate([np.asarray(durations_a, float), np.asarray(durations_b, float)])
    e = np.concatenate([np.asarray(events_a), np.asarray(events_b)]).astype(bool)
    a = np.arange(len(t)) < len(durations_a)
{prep}
    o_minus_e, var, e_a = 0.0, 0.0, 0.0
    for time in np.unique(t[e]):
        at = {at_risk}
        n, n_a = at.sum(), (at & a).sum()
        d, d_a = np.sum((t == time) & e), np.sum((t == time) & e & a)
        o_minus_e += d_a - d * n_a / n
        e_a += d * n_a / n
        var += {variance}
    if var <= 0:
        return 0.0, 1.0
    stat = {statistic}
    return float(stat), float(chi2.sf(stat, df={df}))
'''


def _logrank(prep="    pass", at_risk="t >= time",
             variance="d * (n_a / n) * (1 - n_a / n) * (n - d) / (n - 1) if n > 1 else 0.0",
             statistic="o_minus_e ** 2 / var", df=1):
    return _LOGRANK.format(prep=prep, at_risk=at_risk, variance=variance, statistic=statistic, df=df)


MUTANTS += [
    Mutant("logrank_test", "no variance term", _logrank(statistic=(
        "o_minus_e ** 2 / e_a + o_minus_e ** 2 / (e.sum() - e_a)")), "Pearson-style"),
    Mutant("logrank_test", "variance without the tie factor",
           _logrank(variance="d * (n_a / n) * (1 - n_a / n)"), "(n - d) / (n - 1)"),
    Mutant("logrank_test", "wrong groups (lifelines' argument order)", '''
def logrank_test(durations_a, events_a, durations_b, events_b):
    result = lifelines_logrank_test(durations_a, events_a, durations_b, events_b)
    return float(result.test_statistic), float(result.p_value)
''', "lifelines takes (durations_A, durations_B"),
    Mutant("logrank_test", "risk set taken after t", _logrank(at_risk="t > time"), "durations > t"),
    Mutant("logrank_test", "censored counted as events", _logrank(prep="    e = np.ones_like(e)"),
           "counts every patient as an event"),
    Mutant("logrank_test", "two degrees of freedom", _logrank(df=2), "2 degrees of freedom"),
]

# --- concordance_index -----------------------------------------------------------------------------

_HARRELL = '''
def concordance_index(durations, risk, events):
    t, r, e = np.asarray(durations, float), np.asarray(risk, float), np.asarray(events)
    score = pairs = 0.0
    for i in range(len(t)):
        for j in range(len(t)):
            if {comparable}:
                pairs += 1
                score += 1.0 if {concordant} else ({tie} if r[i] == r[j] else 0.0)
    return score / pairs if pairs else float("nan")
'''
_COMPARABLE = "e[i] == 1 and (t[i] < t[j] or (t[i] == t[j] and e[j] == 0))"


def _harrell(comparable=_COMPARABLE, concordant="r[i] > r[j]", tie="0.5"):
    return _HARRELL.format(comparable=comparable, concordant=concordant, tie=tie)


MUTANTS += [
    Mutant("concordance_index", "risk sign reversed", _harrell(concordant="r[i] < r[j]"),
           "as if a lower score meant earlier events"),
    Mutant("concordance_index", "lifelines without the minus sign", '''
def concordance_index(durations, risk, events):
    try:
        return float(lifelines_concordance_index(durations, risk, events))
    except ZeroDivisionError:
        return float("nan")
''', "pass -risk"),
    Mutant("concordance_index", "tied risks count 0", _harrell(tie="0.0"), "count as discordant"),
    Mutant("concordance_index", "tied risks count 1", _harrell(tie="1.0"), "count as concordant"),
    Mutant("concordance_index", "censored earlier member compared",
           _harrell(comparable="t[i] < t[j] or (t[i] == t[j] and e[i] == 1 and e[j] == 0)"),
           "earlier member is censored"),
    Mutant("concordance_index", "equal durations never comparable",
           _harrell(comparable="e[i] == 1 and t[i] < t[j]"), "pairs with equal durations"),
]

# --- cox_partial_log_likelihood --------------------------------------------------------------------

_LL = '''
def cox_partial_log_likelihood(beta, X, durations, events):
    eta = np.asarray(X, float) @ np.asarray(beta, float)
    t, e = np.asarray(durations, float), np.asarray(events)
    terms = [eta[i] - {log_sum} for i in {rows}]
    return float({total})
'''


def _ll(log_sum="np.log(np.sum(np.exp(eta[t >= t[i]])))", rows="np.flatnonzero(e == 1)",
        total="np.sum(terms)"):
    return _LL.format(log_sum=log_sum, rows=rows, total=total)


_LSE = "(eta[{r}].max() + np.log(np.sum(np.exp(eta[{r}] - eta[{r}].max()))))"

MUTANTS += [
    Mutant("cox_partial_log_likelihood", "no log-sum-exp (overflow)", _ll(), "log-sum-exp"),
    Mutant("cox_partial_log_likelihood", "risk set of later times only",
           _ll(log_sum=_LSE.format(r="t > t[i]")), "t_j > t_i"),
    Mutant("cox_partial_log_likelihood", "risk set of earlier times",
           _ll(log_sum=_LSE.format(r="t <= t[i]")), "t_j <= t_i"),
    Mutant("cox_partial_log_likelihood", "censored patients contribute terms",
           _ll(log_sum=_LSE.format(r="t >= t[i]"), rows="range(len(t))"), "a term for every subject"),
    Mutant("cox_partial_log_likelihood", "averaged over events",
           _ll(log_sum=_LSE.format(r="t >= t[i]"), total="np.mean(terms)"),
           "divided by the number of events"),
    Mutant("cox_partial_log_likelihood", "negative log-likelihood",
           _ll(log_sum=_LSE.format(r="t >= t[i]"), total="-np.sum(terms)"), "opposite sign"),
]

# --- fit_cox ---------------------------------------------------------------------------------------

_NEWTON = '''
def fit_cox(X, durations, events, n_iter=50, tol=1e-9):
    X = np.asarray(X, float)
    t, e = np.asarray(durations, float), np.asarray(events)
    beta = np.zeros(X.shape[1])
    for _ in range({iterations}):
        w = np.exp(X @ beta)
        grad, info = np.zeros_like(beta), np.zeros((len(beta), len(beta)))
        for i in {rows}:
            r = {risk_set}
            p = w[r] / w[r].sum()
            m = p @ X[r]
            grad += X[i] - m
            info += X[r].T @ (X[r] * p[:, None]) - np.outer(m, m)
        step = {step}
        beta = beta + step
        if np.abs(step).max() < {tol}:
            break
    return beta
'''


def _newton(iterations="n_iter", rows="np.flatnonzero(e == 1)", risk_set="t >= t[i]",
            step="np.linalg.solve(info, grad)", tol="tol"):
    return _NEWTON.format(iterations=iterations, rows=rows, risk_set=risk_set, step=step, tol=tol)


MUTANTS += [
    Mutant("fit_cox", "Hessian sign wrong", _newton(step="-np.linalg.solve(info, grad)"),
           "I^{-1} U"),
    Mutant("fit_cox", "risk set of later times only", _newton(risk_set="t > t[i]"), "t_j > t_i"),
    Mutant("fit_cox", "censored patients contribute terms", _newton(rows="range(len(t))"),
           "censored subjects a term of their own"),
    Mutant("fit_cox", "Efron's ties (lifelines)", '''
def fit_cox(X, durations, events, n_iter=50, tol=1e-9):
    X = np.asarray(X, float)
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])
    frame["T"], frame["E"] = durations, events
    cph = CoxPHFitter().fit(frame, "T", "E", fit_options={"precision": 1e-10, "r_precision": 1e-14})
    return cph.params_.to_numpy()
''', "Efron's approximation"),
    Mutant("fit_cox", "a single step", _newton(iterations="1"), "stopped after one Newton step"),
    Mutant("fit_cox", "n_iter ignored", _newton(iterations="50", tol="1e-9"),
           "ran to convergence although n_iter"),
]

# --- absolute_risk ---------------------------------------------------------------------------------

_RISK = '''
def absolute_risk(beta, x, x_mean, baseline_survival):
    x = np.asarray(x, float)
    lp = {lp}
    risk = {risk}
    return float(risk) if x.ndim == 1 else risk
'''


def _risk(lp="(x - np.asarray(x_mean, float)) @ np.asarray(beta, float)",
          risk="1 - baseline_survival ** np.exp(lp)"):
    return _RISK.format(lp=lp, risk=risk)


MUTANTS += [
    Mutant("absolute_risk", "uncentred linear predictor", _risk(lp="x @ np.asarray(beta, float)"),
           "not centred"),
    Mutant("absolute_risk", "survival instead of risk", _risk(risk="baseline_survival ** np.exp(lp)"),
           "probability of staying event-free"),
    Mutant("absolute_risk", "S0 and risk confused",
           _risk(risk="1 - (1 - baseline_survival) ** np.exp(lp)"), "baseline risk 1 - S0"),
    Mutant("absolute_risk", "risk scaled linearly", _risk(risk="(1 - baseline_survival) * np.exp(lp)"),
           "hazards multiply, risks do not"),
    Mutant("absolute_risk", "centred on the wrong side",
           _risk(lp="(np.asarray(x_mean, float) - x) @ np.asarray(beta, float)"),
           "wrong sign"),
]

# --- proportion_of_days_covered --------------------------------------------------------------------

_PDC = '''
def proportion_of_days_covered(fill_days, days_supply, start, end):
    fills, supply = np.asarray(fill_days, int), np.asarray(days_supply, int)
{prep}
    covered, next_free = set(), None
    for day, s in zip(fills, supply):
        first = {first}
        covered.update(range(first, first + s))
        next_free = first + s
    return len({kept}) / ({denominator})
'''


def _pdc(prep="    order = np.argsort(fills, kind='stable'); fills, supply = fills[order], supply[order]",
         first="day if next_free is None else max(day, next_free)",
         kept="[d for d in covered if start <= d <= end]", denominator="end - start + 1"):
    return _PDC.format(prep=prep, first=first, kept=kept, denominator=denominator)


MUTANTS += [
    Mutant("proportion_of_days_covered", "overlaps double-counted", '''
def proportion_of_days_covered(fill_days, days_supply, start, end):
    total = 0
    for day, supply in zip(fill_days, days_supply):
        total += max(0, min(day + supply - 1, end) - max(day, start) + 1)
    return total / (end - start + 1)
''', "possession ratio"),
    Mutant("proportion_of_days_covered", "overlaps lost (no carry-forward)", _pdc(first="day"),
           "overlap of an early refill is lost"),
    Mutant("proportion_of_days_covered", "days after end counted",
           _pdc(kept="[d for d in covered if d >= start]"), "covered days after `end`"),
    Mutant("proportion_of_days_covered", "denominator off by one", _pdc(denominator="end - start"),
           "end - start + 1 days"),
    Mutant("proportion_of_days_covered", "fills not sorted", _pdc(prep="    pass"),
           "sort them by fill day"),
    Mutant("proportion_of_days_covered", "fills before start dropped",
           _pdc(prep="    keep = fills >= start; fills, supply = fills[keep], supply[keep]\n"
                     "    order = np.argsort(fills); fills, supply = fills[order], supply[order]"),
           "ignored fills made before `start`"),
]

# --- glucose_metrics -------------------------------------------------------------------------------

_GLUCOSE = '''
def glucose_metrics(glucose_mg_dl):
    g = np.asarray(glucose_mg_dl, float)
    valid = g[~np.isnan(g)]
    if valid.size == 0:
        return dict.fromkeys(["time_in_range", "time_below", "time_above", "mean", "gmi"], float("nan"))
    n = {n}
    mean = {mean}
    return {{"time_in_range": {scale} * float(np.sum({in_range}) / n),
            "time_below": {scale} * float(np.sum({below}) / n),
            "time_above": {scale} * float(np.sum({above}) / n),
            "mean": float(mean), "gmi": {gmi}}}
'''


def _glucose(n="valid.size", mean="valid.mean()", scale="1.0",
             in_range="(valid >= 70) & (valid <= 180)", below="valid < 70", above="valid > 180",
             gmi="3.31 + 0.02392 * mean"):
    return _GLUCOSE.format(n=n, mean=mean, scale=scale, in_range=in_range, below=below,
                           above=above, gmi=gmi)


MUTANTS += [
    Mutant("glucose_metrics", "range bounds exclusive", _glucose(in_range="(valid > 70) & (valid < 180)"),
           "70-180 mg/dL inclusive"),
    Mutant("glucose_metrics", "boundaries given to below and above",
           _glucose(in_range="(valid > 70) & (valid < 180)", below="valid <= 70",
                    above="valid >= 180"), "counted 70 mg/dL as below range"),
    Mutant("glucose_metrics", "NaN readings counted", _glucose(n="g.size"), "NaN included"),
    Mutant("glucose_metrics", "mean with NaN", _glucose(mean="g.mean()"), "np.nanmean"),
    Mutant("glucose_metrics", "percent instead of fraction", _glucose(scale="100.0"),
           "percentages"),
    Mutant("glucose_metrics", "GMI in mmol/mol", _glucose(gmi="12.71 + 4.70587 * mean / 18.0"),
           "mmol/mol"),
]

# --- t_learner_ate ---------------------------------------------------------------------------------

MUTANTS += [
    Mutant("t_learner_ate", "one pooled model with a treatment column", '''
def t_learner_ate(X, y, treatment, fit):
    X = np.asarray(X, float)
    model = fit(np.column_stack([X, treatment]), y)
    p1 = model.predict_proba(np.column_stack([X, np.ones(len(X))]))[:, 1]
    p0 = model.predict_proba(np.column_stack([X, np.zeros(len(X))]))[:, 1]
    return float(np.mean(p1 - p0))
''', "one pooled model"),
    Mutant("t_learner_ate", "difference of observed means", '''
def t_learner_ate(X, y, treatment, fit):
    y, treatment = np.asarray(y, float), np.asarray(treatment)
    return float(y[treatment == 1].mean() - y[treatment == 0].mean())
''', "difference of the arms' observed event rates"),
    Mutant("t_learner_ate", "averaged over treated rows only", '''
def t_learner_ate(X, y, treatment, fit):
    X, treated = np.asarray(X, float), np.asarray(treatment) == 1
    m1, m0 = fit(X[treated], y[treated]), fit(X[~treated], y[~treated])
    return float(np.mean(m1.predict_proba(X[treated])[:, 1] - m0.predict_proba(X[treated])[:, 1]))
''', "treated patients only"),
    Mutant("t_learner_ate", "each arm predicted on its own rows", '''
def t_learner_ate(X, y, treatment, fit):
    X, treated = np.asarray(X, float), np.asarray(treatment) == 1
    m1, m0 = fit(X[treated], y[treated]), fit(X[~treated], y[~treated])
    return float(m1.predict_proba(X[treated])[:, 1].mean() - m0.predict_proba(X[~treated])[:, 1].mean())
''', "its own arm's rows"),
    Mutant("t_learner_ate", "probability of the wrong class", '''
def t_learner_ate(X, y, treatment, fit):
    X, treated = np.asarray(X, float), np.asarray(treatment) == 1
    m1, m0 = fit(X[treated], y[treated]), fit(X[~treated], y[~treated])
    return float(np.mean(m1.predict_proba(X)[:, 0] - m0.predict_proba(X)[:, 0]))
''', "column 0 of predict_proba"),
    Mutant("t_learner_ate", "hard labels", '''
def t_learner_ate(X, y, treatment, fit):
    X, treated = np.asarray(X, float), np.asarray(treatment) == 1
    m1, m0 = fit(X[treated], y[treated]), fit(X[~treated], y[~treated])
    return float(np.mean(m1.predict(X) - m0.predict(X)))
''', "predict(), which gives 0/1 labels"),
]

# --- build_survival_model --------------------------------------------------------------------------

_COX_MODEL = '''
def build_survival_model(X, durations, events):
    X = np.asarray(X, float)
    frame = pd.DataFrame(X, columns=[f"x{{j}}" for j in range(X.shape[1])])
    frame["T"], frame["E"] = durations, events
    cph = CoxPHFitter(penalizer=0.01).fit(frame, "T", "E")

    class Model:
        def predict_risk(self, X_new):
            return {risk}

    return Model()
'''

MUTANTS += [
    Mutant("build_survival_model", "risk sign reversed",
           _COX_MODEL.format(risk="-(np.asarray(X_new, float) @ cph.params_.to_numpy())"),
           "is your score reversed"),
    Mutant("build_survival_model", "predicted expected survival time as the risk",
           _COX_MODEL.format(risk="cph.predict_expectation(pd.DataFrame(np.asarray(X_new, float), "
                                  "columns=cph.params_.index)).to_numpy().ravel()"),
           "is your score reversed"),
    Mutant("build_survival_model", "constant risk",
           _COX_MODEL.format(risk="np.zeros(len(X_new))"), "every patient the same risk"),
    Mutant("build_survival_model", "a column vector of risks",
           _COX_MODEL.format(risk="(np.asarray(X_new, float) @ cph.params_.to_numpy())[:, None]"),
           "expected (3,): one risk score per patient"),
    Mutant("build_survival_model", "returns the unfitted class", '''
def build_survival_model(X, durations, events):
    return CoxPHFitter
''', "expected a fitted object with a predict_risk(X) method"),
]

# --- alternatives ----------------------------------------------------------------------------------

ALTERNATIVES = [
    Alternative("kaplan_meier", "lifelines", '''
def kaplan_meier(durations, events):
    times = np.unique(np.asarray(durations, float)[np.asarray(events) == 1])
    if times.size == 0:
        return times, np.zeros(0)
    fitted = KaplanMeierFitter().fit(durations, events)
    return times, fitted.survival_function_at_times(times).to_numpy()
'''),
    Alternative("kaplan_meier", "vectorised with a sort", '''
def kaplan_meier(durations, events):
    t, e = np.asarray(durations, float), np.asarray(events, int)
    times = np.unique(t)
    n = len(t) - np.searchsorted(np.sort(t), times, side="left")
    d = np.bincount(np.searchsorted(times, t), weights=e, minlength=len(times))
    keep = d > 0
    return times[keep], np.cumprod(1 - d[keep] / n[keep])
'''),
    Alternative("nelson_aalen", "lifelines", '''
def nelson_aalen(durations, events):
    times = np.unique(np.asarray(durations, float)[np.asarray(events) == 1])
    if times.size == 0:
        return times, np.zeros(0)
    fitted = NelsonAalenFitter(nelson_aalen_smoothing=False).fit(durations, events)
    return times, fitted.cumulative_hazard_at_times(times).to_numpy()
'''),
    Alternative("nelson_aalen", "pandas groupby", '''
def nelson_aalen(durations, events):
    frame = pd.DataFrame({"t": np.asarray(durations, float), "e": np.asarray(events, int)})
    table = frame.groupby("t")["e"].agg(["sum", "count"]).sort_index()
    table["at_risk"] = table["count"][::-1].cumsum()[::-1]
    table = table[table["sum"] > 0]
    return table.index.to_numpy(float), np.cumsum(table["sum"] / table["at_risk"]).to_numpy(float)
'''),
    Alternative("median_survival", "a loop", '''
def median_survival(times, survival):
    for t, s in zip(times, survival):
        if s <= 0.5:
            return float(t)
    return float("inf")
'''),
    Alternative("median_survival", "lifelines' qth_survival_time", '''
def median_survival(times, survival):
    if len(times) == 0:
        return float("inf")
    return float(qth_survival_time(0.5, pd.Series(np.asarray(survival, float),
                                                  index=np.asarray(times, float))))
'''),
    Alternative("logrank_test", "lifelines with keyword arguments", '''
def logrank_test(durations_a, events_a, durations_b, events_b):
    if np.sum(events_a) + np.sum(events_b) == 0:
        return 0.0, 1.0
    r = lifelines_logrank_test(durations_a, durations_b, event_observed_A=events_a,
                               event_observed_B=events_b)
    return float(r.test_statistic), float(r.p_value)
'''),
    Alternative("logrank_test", "loop from the pasted template", _logrank()),
    Alternative("concordance_index", "double loop", _harrell()),
    Alternative("concordance_index", "lifelines on -risk", '''
def concordance_index(durations, risk, events):
    try:
        return float(lifelines_concordance_index(durations, -np.asarray(risk, float), events))
    except ZeroDivisionError:
        return float("nan")
'''),
    Alternative("cox_partial_log_likelihood", "scipy's logsumexp in a generator", '''
def cox_partial_log_likelihood(beta, X, durations, events):
    from scipy.special import logsumexp
    t, e = np.asarray(durations, float), np.asarray(events)
    eta = np.asarray(X, float) @ np.asarray(beta, float)
    return float(sum(eta[i] - logsumexp(eta[t >= t[i]]) for i in np.flatnonzero(e == 1)))
'''),
    Alternative("cox_partial_log_likelihood", "manual log-sum-exp",
                _ll(log_sum=_LSE.format(r="t >= t[i]"))),
    Alternative("fit_cox", "Newton loop with the information matrix", _newton()),
    Alternative("fit_cox", "Newton with the Hessian and a stable exponent", '''
def fit_cox(X, durations, events, n_iter=50, tol=1e-9):
    X = np.asarray(X, float)
    t, e = np.asarray(durations, float), np.asarray(events, bool)
    beta = np.zeros(X.shape[1])
    risk_sets = [t >= t[i] for i in np.flatnonzero(e)]
    for _ in range(n_iter):
        eta = X @ beta
        w = np.exp(eta - eta.max())
        grad, hess = np.zeros_like(beta), np.zeros((len(beta), len(beta)))
        for i, r in zip(np.flatnonzero(e), risk_sets):
            p = w[r] / w[r].sum()
            m = p @ X[r]
            grad += X[i] - m
            hess -= (X[r] - m).T @ ((X[r] - m) * p[:, None])
        step = -np.linalg.solve(hess, grad)
        beta += step
        if np.max(np.abs(step)) < tol:
            break
    return beta
'''),
    Alternative("absolute_risk", "element-wise with np.dot", '''
def absolute_risk(beta, x, x_mean, baseline_survival):
    x = np.asarray(x, float)
    lp = np.dot(x - np.asarray(x_mean, float), np.asarray(beta, float))
    risk = 1.0 - np.power(baseline_survival, np.exp(lp))
    return float(risk) if x.ndim == 1 else np.asarray(risk)
'''),
    Alternative("absolute_risk", "through the mean linear predictor", '''
def absolute_risk(beta, x, x_mean, baseline_survival):
    beta, x = np.asarray(beta, float), np.asarray(x, float)
    mean_lp = float(np.asarray(x_mean, float) @ beta)
    risk = 1 - np.exp(np.exp(x @ beta - mean_lp) * np.log(baseline_survival))
    return float(risk) if x.ndim == 1 else risk
'''),
    Alternative("proportion_of_days_covered", "set of days", _pdc()),
    Alternative("proportion_of_days_covered", "boolean calendar", '''
def proportion_of_days_covered(fill_days, days_supply, start, end):
    pairs = sorted(zip(np.asarray(fill_days, int).tolist(), np.asarray(days_supply, int).tolist()),
                   key=lambda p: p[0])
    calendar = np.zeros(end - start + 1, dtype=bool)
    supply_ends = -10**9
    for day, supply in pairs:
        first = max(day, supply_ends + 1)
        supply_ends = first + supply - 1
        lo, hi = max(first, start), min(supply_ends, end)
        if lo <= hi:
            calendar[lo - start: hi - start + 1] = True
    return float(calendar.mean())
'''),
    Alternative("glucose_metrics", "nan-aware NumPy", '''
def glucose_metrics(glucose_mg_dl):
    g = np.asarray(glucose_mg_dl, float)
    n = np.sum(~np.isnan(g))
    if n == 0:
        return {k: np.nan for k in ["time_in_range", "time_below", "time_above", "mean", "gmi"]}
    with np.errstate(invalid="ignore"):
        mean = float(np.nanmean(g))
        return {"time_in_range": float(np.sum((g >= 70) & (g <= 180)) / n),
                "time_below": float(np.sum(g < 70) / n), "time_above": float(np.sum(g > 180) / n),
                "mean": mean, "gmi": 3.31 + 0.02392 * mean}
'''),
    Alternative("glucose_metrics", "pandas", '''
def glucose_metrics(glucose_mg_dl):
    g = pd.Series(glucose_mg_dl, dtype=float).dropna()
    if g.empty:
        return dict.fromkeys(["time_in_range", "time_below", "time_above", "mean", "gmi"], float("nan"))
    return {"time_in_range": float(g.between(70, 180).mean()), "time_below": float((g < 70).mean()),
            "time_above": float((g > 180).mean()), "mean": float(g.mean()),
            "gmi": 3.31 + 0.02392 * float(g.mean())}
'''),
    Alternative("t_learner_ate", "boolean masks", '''
def t_learner_ate(X, y, treatment, fit):
    X, y, treated = np.asarray(X, float), np.asarray(y), np.asarray(treatment) == 1
    mu1 = fit(X[treated], y[treated]).predict_proba(X)[:, 1]
    mu0 = fit(X[~treated], y[~treated]).predict_proba(X)[:, 1]
    return float(np.mean(mu1) - np.mean(mu0))
'''),
    Alternative("t_learner_ate", "pandas frames", '''
def t_learner_ate(X, y, treatment, fit):
    frame = pd.DataFrame(np.asarray(X, float)).assign(y=np.asarray(y), t=np.asarray(treatment))
    arms = {arm: fit(part.drop(columns=["y", "t"]).to_numpy(), part["y"].to_numpy())
            for arm, part in frame.groupby("t")}
    features = frame.drop(columns=["y", "t"]).to_numpy()
    return float((arms[1].predict_proba(features)[:, 1] - arms[0].predict_proba(features)[:, 1]).mean())
'''),
    Alternative("build_survival_model", "lifelines' CoxPHFitter", _COX_MODEL.format(
        risk="np.asarray(X_new, float) @ cph.params_.to_numpy()")),
    Alternative("build_survival_model", "plain Breslow Newton on standardised covariates", '''
def build_survival_model(X, durations, events):
    X = np.asarray(X, float)
    mean, sd = X.mean(0), X.std(0)
    Z = (X - mean) / sd
    t, e = np.asarray(durations, float), np.asarray(events, bool)
    beta = np.zeros(Z.shape[1])
    for _ in range(20):
        w = np.exp(Z @ beta)
        grad, info = np.zeros_like(beta), np.zeros((len(beta), len(beta)))
        for i in np.flatnonzero(e):
            r = t >= t[i]
            p = w[r] / w[r].sum()
            m = p @ Z[r]
            grad += Z[i] - m
            info += Z[r].T @ (Z[r] * p[:, None]) - np.outer(m, m)
        beta = beta + np.linalg.solve(info, grad)

    class Model:
        def predict_risk(self, X_new):
            return ((np.asarray(X_new, float) - mean) / sd) @ beta

    return Model()
'''),
]
