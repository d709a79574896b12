"""Chapter 06_ethics: mistakes made when auditing, de-identifying, privatising and explaining
models, and other correct ways."""

from tests.mutants import Alternative, Mutant

CHAPTER = "06_ethics"

_RATES_HEAD = '''
def group_rates(y_true, y_pred, groups):
    y_true, y_pred, groups = np.asarray(y_true), np.asarray(y_pred, dtype=float), np.asarray(groups)
    rows, labels = [], np.unique(groups)
    for g in labels:
        t, p = y_true[groups == g], y_pred[groups == g]
'''

MUTANTS = [
    # group_rates
    Mutant("group_rates", "selection rate on true labels", _RATES_HEAD + '''
        tpr = p[t == 1].mean() if (t == 1).any() else np.nan
        fpr = p[t == 0].mean() if (t == 0).any() else np.nan
        rows.append((len(t), t.mean(), tpr, fpr))
    return pd.DataFrame(rows, index=labels, columns=["n", "selection_rate", "tpr", "fpr"])
''', "mean of y_true"),
    Mutant("group_rates", "groups in order of appearance", '''
def group_rates(y_true, y_pred, groups):
    frame = pd.DataFrame({"t": y_true, "p": y_pred, "g": groups})
    rows = {}
    for g, part in frame.groupby("g", sort=False):
        pos, neg = part[part.t == 1], part[part.t == 0]
        rows[g] = [len(part), part.p.mean(), pos.p.mean() if len(pos) else np.nan,
                   neg.p.mean() if len(neg) else np.nan]
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["n", "selection_rate", "tpr", "fpr"])
    out["n"] = out["n"].astype(int)
    return out
''', "first appear"),
    Mutant("group_rates", "0/0 reported as 0", _RATES_HEAD + '''
        tpr = p[t == 1].mean() if (t == 1).any() else 0.0
        fpr = p[t == 0].mean() if (t == 0).any() else 0.0
        rows.append((len(t), p.mean(), tpr, fpr))
    return pd.DataFrame(rows, index=labels, columns=["n", "selection_rate", "tpr", "fpr"])
''', "0/0 is NaN"),
    Mutant("group_rates", "TPR and FPR over the group size", _RATES_HEAD + '''
        rows.append((len(t), p.mean(), np.sum(p * t) / len(t), np.sum(p * (1 - t)) / len(t)))
    return pd.DataFrame(rows, index=labels, columns=["n", "selection_rate", "tpr", "fpr"])
''', "divide by the size of the group"),
    Mutant("group_rates", "TPR and FPR swapped", _RATES_HEAD + '''
        tpr = p[t == 1].mean() if (t == 1).any() else np.nan
        fpr = p[t == 0].mean() if (t == 0).any() else np.nan
        rows.append((len(t), p.mean(), fpr, tpr))
    return pd.DataFrame(rows, index=labels, columns=["n", "selection_rate", "tpr", "fpr"])
''', "swapped"),
    # demographic_parity_difference
    Mutant("demographic_parity_difference", "mean of pairwise gaps", '''
def demographic_parity_difference(y_pred, groups):
    y_pred, groups = np.asarray(y_pred, dtype=float), np.asarray(groups)
    rates = [y_pred[groups == g].mean() for g in np.unique(groups)]
    gaps = [abs(a - b) for i, a in enumerate(rates) for b in rates[i + 1:]]
    return float(np.mean(gaps)) if gaps else 0.0
''', "averaged the gaps"),
    Mutant("demographic_parity_difference", "ratio", '''
def demographic_parity_difference(y_pred, groups):
    rates = pd.Series(y_pred, dtype=float).groupby(np.asarray(groups)).mean()
    return float(rates.min() / rates.max())
''', "ratio"),
    Mutant("demographic_parity_difference", "first group minus last", '''
def demographic_parity_difference(y_pred, groups):
    rates = pd.Series(y_pred, dtype=float).groupby(np.asarray(groups)).mean()
    return float(rates.iloc[0] - rates.iloc[-1])
''', "two particular groups"),
    Mutant("demographic_parity_difference", "counts of positives", '''
def demographic_parity_difference(y_pred, groups):
    counts = pd.Series(y_pred, dtype=float).groupby(np.asarray(groups)).sum()
    return float(counts.max() - counts.min())
''', "compare rates"),
    # equalized_odds_difference
    Mutant("equalized_odds_difference", "gaps averaged", '''
def equalized_odds_difference(y_true, y_pred, groups):
    r = group_rates(y_true, y_pred, groups)
    return float(((r.tpr.max() - r.tpr.min()) + (r.fpr.max() - r.fpr.min())) / 2)

def group_rates(y_true, y_pred, groups):
    f = pd.DataFrame({"t": np.asarray(y_true), "p": np.asarray(y_pred, float), "g": np.asarray(groups)})
    return pd.DataFrame({"tpr": f[f.t == 1].groupby("g").p.mean(),
                         "fpr": f[f.t == 0].groupby("g").p.mean()}).reindex(np.unique(f.g))
''', "averaged the TPR gap"),
    Mutant("equalized_odds_difference", "TPR gap only", '''
def equalized_odds_difference(y_true, y_pred, groups):
    y_true, y_pred, groups = np.asarray(y_true), np.asarray(y_pred, float), np.asarray(groups)
    tprs = [y_pred[(groups == g) & (y_true == 1)].mean() for g in np.unique(groups)]
    return float(np.nanmax(tprs) - np.nanmin(tprs))
''', "equal opportunity difference"),
    Mutant("equalized_odds_difference", "missing rate counted as 0 (fairlearn's way)", '''
def equalized_odds_difference(y_true, y_pred, groups):
    from fairlearn.metrics import equalized_odds_difference as eod
    return float(eod(np.asarray(y_true), np.asarray(y_pred), sensitive_features=np.asarray(groups)))
''', "leave that NaN out"),
    Mutant("equalized_odds_difference", "selection rates on the labels", '''
def equalized_odds_difference(y_true, y_pred, groups):
    rates = pd.Series(y_pred, dtype=float).groupby(np.asarray(groups)).mean()
    return float(rates.max() - rates.min())
''', "demographic parity"),
    Mutant("equalized_odds_difference", "distance to the mean rate", '''
def equalized_odds_difference(y_true, y_pred, groups):
    y_true, y_pred, groups = np.asarray(y_true), np.asarray(y_pred, float), np.asarray(groups)
    out = []
    for cls in (1, 0):
        inside = [(groups == g) & (y_true == cls) for g in np.unique(groups)]
        r = np.array([y_pred[m].mean() if m.any() else np.nan for m in inside])
        out.append(np.nanmean(np.abs(r - np.nanmean(r))))
    return float(max(out))
''', "max - min"),
    # equal_opportunity_thresholds
    Mutant("equal_opportunity_thresholds", "one threshold for all groups", '''
def equal_opportunity_thresholds(y_true, scores, groups, target_tpr):
    y_true, scores, groups = np.asarray(y_true), np.asarray(scores, float), np.asarray(groups)
    pos = scores[y_true == 1]
    best = max(t for t in np.unique(scores) if np.mean(pos >= t) >= target_tpr)
    return {g.item(): float(best) for g in np.unique(groups)}
''', "found on all patients at once"),
    Mutant("equal_opportunity_thresholds", "rounded-up count", '''
def equal_opportunity_thresholds(y_true, scores, groups, target_tpr):
    import math
    y_true, scores, groups = np.asarray(y_true), np.asarray(scores, float), np.asarray(groups)
    out = {}
    for g in np.unique(groups):
        pos = np.sort(scores[(groups == g) & (y_true == 1)])[::-1]
        k = max(math.ceil(target_tpr * len(pos)), 1)
        out[g.item()] = float(pos[k - 1])
    return out
''', "rounded count"),
    Mutant("equal_opportunity_thresholds", "rounded count", '''
def equal_opportunity_thresholds(y_true, scores, groups, target_tpr):
    y_true, scores, groups = np.asarray(y_true), np.asarray(scores, float), np.asarray(groups)
    out = {}
    for g in np.unique(groups):
        pos = np.sort(scores[(groups == g) & (y_true == 1)])[::-1]
        k = max(int(round(target_tpr * len(pos))), 1)
        out[g.item()] = float(pos[k - 1])
    return out
''', "rounded count"),
    Mutant("equal_opportunity_thresholds", "strict rule scores > t", '''
def equal_opportunity_thresholds(y_true, scores, groups, target_tpr):
    y_true, scores, groups = np.asarray(y_true), np.asarray(scores, float), np.asarray(groups)
    out = {}
    for g in np.unique(groups):
        s, pos = scores[groups == g], y_true[groups == g] == 1
        out[g.item()] = float(max(t for t in np.unique(s) if np.sum(s[pos] > t) / pos.sum() >= target_tpr))
    return out
''', "scores > t"),
    Mutant("equal_opportunity_thresholds", "quantile of the positives' scores", '''
def equal_opportunity_thresholds(y_true, scores, groups, target_tpr):
    y_true, scores, groups = np.asarray(y_true), np.asarray(scores, float), np.asarray(groups)
    return {g.item(): float(np.quantile(scores[(groups == g) & (y_true == 1)], 1 - target_tpr))
            for g in np.unique(groups)}
''', "quantile"),
    # calibration_table
    Mutant("calibration_table", "edge values to the upper bin", '''
def calibration_table(y_true, y_prob, n_bins=10):
    y_true, y_prob = np.asarray(y_true, float), np.asarray(y_prob, float)
    b = np.searchsorted(np.linspace(0, 1, n_bins + 1)[1:-1], y_prob, side="right")
    c = np.bincount(b, minlength=n_bins)
    k = c > 0
    return (np.bincount(b, y_prob, n_bins)[k] / c[k], np.bincount(b, y_true, n_bins)[k] / c[k], c[k])
''', "inner bin edge"),
    Mutant("calibration_table", "floor(p * n_bins)", '''
def calibration_table(y_true, y_prob, n_bins=10):
    y_true, y_prob = np.asarray(y_true, float), np.asarray(y_prob, float)
    b = np.minimum((y_prob * n_bins).astype(int), n_bins - 1)
    c = np.bincount(b, minlength=n_bins)
    k = c > 0
    return (np.bincount(b, y_prob, n_bins)[k] / c[k], np.bincount(b, y_true, n_bins)[k] / c[k], c[k])
''', "inner bin edge"),
    Mutant("calibration_table", "empty bins kept", '''
def calibration_table(y_true, y_prob, n_bins=10):
    y_true, y_prob = np.asarray(y_true, float), np.asarray(y_prob, float)
    b = np.searchsorted(np.linspace(0, 1, n_bins + 1)[1:-1], y_prob)
    c = np.bincount(b, minlength=n_bins)
    return (np.bincount(b, y_prob, n_bins) / c, np.bincount(b, y_true, n_bins) / c, c)
''', "empty bins"),
    Mutant("calibration_table", "outputs swapped", '''
def calibration_table(y_true, y_prob, n_bins=10):
    from sklearn.calibration import calibration_curve
    y_prob = np.asarray(y_prob, float)
    b = np.searchsorted(np.linspace(0, 1, n_bins + 1)[1:-1], y_prob)
    c = np.bincount(b, minlength=n_bins)
    prob_true, prob_pred = calibration_curve(y_true, y_prob, n_bins=n_bins)
    return prob_true, prob_pred, c[c > 0]
''', "swapped"),
    Mutant("calibration_table", "bin centres", '''
def calibration_table(y_true, y_prob, n_bins=10):
    y_true, y_prob = np.asarray(y_true, float), np.asarray(y_prob, float)
    b = np.searchsorted(np.linspace(0, 1, n_bins + 1)[1:-1], y_prob)
    c = np.bincount(b, minlength=n_bins)
    k = c > 0
    return ((np.arange(n_bins)[k] + 0.5) / n_bins, np.bincount(b, y_true, n_bins)[k] / c[k], c[k])
''', "bin centres"),
    # expected_calibration_error
    Mutant("expected_calibration_error", "unweighted mean over bins", '''
def expected_calibration_error(y_true, y_prob, n_bins=10):
    from sklearn.calibration import calibration_curve
    prob_true, prob_pred = calibration_curve(y_true, y_prob, n_bins=n_bins)
    return float(np.mean(np.abs(prob_true - prob_pred)))
''', "equal weights"),
    Mutant("expected_calibration_error", "squared gaps", '''
def expected_calibration_error(y_true, y_prob, n_bins=10):
    y_true, y_prob = np.asarray(y_true, float), np.asarray(y_prob, float)
    b = np.searchsorted(np.linspace(0, 1, n_bins + 1)[1:-1], y_prob)
    c = np.bincount(b, minlength=n_bins)
    k = c > 0
    gap = np.bincount(b, y_true, n_bins)[k] / c[k] - np.bincount(b, y_prob, n_bins)[k] / c[k]
    return float(np.sum(c[k] / len(y_prob) * gap ** 2))
''', "squared"),
    Mutant("expected_calibration_error", "signed gaps", '''
def expected_calibration_error(y_true, y_prob, n_bins=10):
    y_true, y_prob = np.asarray(y_true, float), np.asarray(y_prob, float)
    b = np.searchsorted(np.linspace(0, 1, n_bins + 1)[1:-1], y_prob)
    c = np.bincount(b, minlength=n_bins)
    k = c > 0
    gap = np.bincount(b, y_true, n_bins)[k] / c[k] - np.bincount(b, y_prob, n_bins)[k] / c[k]
    return float(np.sum(c[k] / len(y_prob) * gap))
''', "signed gaps"),
    Mutant("expected_calibration_error", "largest gap", '''
def expected_calibration_error(y_true, y_prob, n_bins=10):
    from sklearn.calibration import calibration_curve
    prob_true, prob_pred = calibration_curve(y_true, y_prob, n_bins=n_bins)
    return float(np.max(np.abs(prob_true - prob_pred)))
''', "maximum calibration error"),
    # k_anonymity
    Mutant("k_anonymity", "rows with missing values dropped", '''
def k_anonymity(df, quasi_identifiers):
    sizes = df.dropna(subset=quasi_identifiers).groupby(quasi_identifiers, observed=True).size()
    return int(sizes.min()) if len(sizes) else 0
''', "dropna=False"),
    Mutant("k_anonymity", "unobserved categories counted", '''
def k_anonymity(df, quasi_identifiers):
    if len(df) == 0:
        return 0
    return int(df.groupby(quasi_identifiers, dropna=False, observed=False).size().min())
''', "observed=True"),
    Mutant("k_anonymity", "each column on its own", '''
def k_anonymity(df, quasi_identifiers):
    if len(df) == 0:
        return 0
    return int(min(df[c].value_counts(dropna=False).min() for c in quasi_identifiers))
''', "combination of all the columns"),
    Mutant("k_anonymity", "number of groups", '''
def k_anonymity(df, quasi_identifiers):
    return len(df[quasi_identifiers].drop_duplicates())
''', "number of groups"),
    Mutant("k_anonymity", "largest group", '''
def k_anonymity(df, quasi_identifiers):
    if len(df) == 0:
        return 0
    return int(df.groupby(quasi_identifiers, dropna=False, observed=True).size().max())
''', "smallest group"),
    # l_diversity
    Mutant("l_diversity", "counts rows instead of distinct values", '''
def l_diversity(df, quasi_identifiers, sensitive):
    if len(df) == 0:
        return 0
    return int(df.groupby(quasi_identifiers, dropna=False, observed=True).size().min())
''', "nunique, not size"),
    Mutant("l_diversity", "missing diagnosis not counted", '''
def l_diversity(df, quasi_identifiers, sensitive):
    if len(df) == 0:
        return 0
    return int(df.groupby(quasi_identifiers, dropna=False, observed=True)[sensitive].nunique().min())
''', "dropna=False all missing values count"),
    Mutant("l_diversity", "rows with missing quasi-identifiers dropped", '''
def l_diversity(df, quasi_identifiers, sensitive):
    counts = df.groupby(quasi_identifiers, observed=True)[sensitive].nunique(dropna=False)
    return int(counts.min()) if len(counts) else 0
''', "left out"),
    Mutant("l_diversity", "distinct values in the whole table", '''
def l_diversity(df, quasi_identifiers, sensitive):
    return int(df[sensitive].nunique(dropna=False))
''', "whole table"),
    Mutant("l_diversity", "largest group's count", '''
def l_diversity(df, quasi_identifiers, sensitive):
    if len(df) == 0:
        return 0
    groups = df.groupby(quasi_identifiers, dropna=False, observed=True)
    return int(groups[sensitive].nunique(dropna=False).max())
''', "largest count"),
    # safe_harbor
    Mutant("safe_harbor", "restricted ZIP prefix kept", '''
def safe_harbor(df, restricted_zip3):
    out = df.drop(columns=["name", "mrn", "phone", "email"])
    for c in out.columns:
        if out[c].dtype.kind == "M":
            out[c] = out[c].dt.year
    out["age"] = out["age"].clip(upper=90)
    out["zip"] = out["zip"].str[:3]
    return out
''', "restricted three-digit ZIP"),
    Mutant("safe_harbor", "age of 95 kept", '''
def safe_harbor(df, restricted_zip3):
    out = df.drop(columns=["name", "mrn", "phone", "email"])
    for c in out.columns:
        if out[c].dtype.kind == "M":
            out[c] = out[c].dt.year
    z = out["zip"].str[:3]
    out["zip"] = np.where(z.isin(restricted_zip3), "000", z)
    return out
''', "above 89 was kept"),
    Mutant("safe_harbor", "full dates kept", '''
def safe_harbor(df, restricted_zip3):
    out = df.drop(columns=["name", "mrn", "phone", "email"])
    out["age"] = np.minimum(out["age"], 90)
    z = out["zip"].str[:3]
    out["zip"] = np.where(z.isin(restricted_zip3), "000", z)
    return out
''', "full date was kept"),
    Mutant("safe_harbor", "only the two named dates", '''
def safe_harbor(df, restricted_zip3):
    out = df.drop(columns=["name", "mrn", "phone", "email"])
    out["birth_date"] = out["birth_date"].dt.year
    out["admission_date"] = out["admission_date"].dt.year
    out["age"] = np.minimum(out["age"], 90)
    z = out["zip"].str[:3]
    out["zip"] = np.where(z.isin(restricted_zip3), "000", z)
    return out
''', "whatever its name"),
    Mutant("safe_harbor", "modifies the caller's table", '''
def safe_harbor(df, restricted_zip3):
    df.drop(columns=["name", "mrn", "phone", "email"], inplace=True)
    for c in df.columns:
        if df[c].dtype.kind == "M":
            df[c] = df[c].dt.year
    df["age"] = np.minimum(df["age"], 90)
    z = df["zip"].str[:3]
    df["zip"] = np.where(z.isin(restricted_zip3), "000", z)
    return df
''', "changed the table `df`"),
    Mutant("safe_harbor", "ZIP prefix as a number", '''
def safe_harbor(df, restricted_zip3):
    out = df.drop(columns=["name", "mrn", "phone", "email"])
    for c in out.columns:
        if out[c].dtype.kind == "M":
            out[c] = out[c].dt.year
    out["age"] = np.minimum(out["age"], 90)
    z = out["zip"].str[:3]
    out["zip"] = np.where(z.isin(restricted_zip3), "000", z).astype(int)
    return out
''', "leading zeros"),
    # deidentify_dicom
    Mutant("deidentify_dicom", "changes the input", '''
def deidentify_dicom(ds):
    ds.PatientName, ds.PatientID = "ANONYMOUS", "ANON"
    for k in ("PatientBirthDate", "PatientAddress", "ReferringPhysicianName", "InstitutionName",
              "InstitutionAddress", "OtherPatientIDs", "OtherPatientIDsSequence"):
        if k in ds:
            delattr(ds, k)
    ds.remove_private_tags()
    return ds
''', "copy.deepcopy(ds)"),
    Mutant("deidentify_dicom", "shallow copy", '''
def deidentify_dicom(ds):
    import copy
    out = copy.copy(ds)
    out.PatientName, out.PatientID = "ANONYMOUS", "ANON"
    for k in ("PatientBirthDate", "PatientAddress", "ReferringPhysicianName", "InstitutionName",
              "InstitutionAddress", "OtherPatientIDs", "OtherPatientIDsSequence"):
        if k in out:
            delattr(out, k)
    out.remove_private_tags()
    return out
''', "copy.deepcopy(ds)"),
    Mutant("deidentify_dicom", "private tags removed at the top level only", '''
def deidentify_dicom(ds):
    import copy
    out = copy.deepcopy(ds)
    out.PatientName, out.PatientID = "ANONYMOUS", "ANON"
    for k in ("PatientBirthDate", "PatientAddress", "ReferringPhysicianName", "InstitutionName",
              "InstitutionAddress", "OtherPatientIDs", "OtherPatientIDsSequence"):
        if k in out:
            delattr(out, k)
    for element in list(out):
        if element.tag.is_private:
            del out[element.tag]
    return out
''', "inside sequences were left"),
    Mutant("deidentify_dicom", "pixel data dropped", '''
def deidentify_dicom(ds):
    import copy
    out = copy.deepcopy(ds)
    out.PatientName, out.PatientID = "ANONYMOUS", "ANON"
    for k in ("PatientBirthDate", "PatientAddress", "ReferringPhysicianName", "InstitutionName",
              "InstitutionAddress", "OtherPatientIDs", "OtherPatientIDsSequence", "PixelData"):
        if k in out:
            delattr(out, k)
    out.remove_private_tags()
    return out
''', "pixel data was dropped"),
    Mutant("deidentify_dicom", "PatientID only replaced when present", '''
def deidentify_dicom(ds):
    import copy
    out = copy.deepcopy(ds)
    out.PatientName = "ANONYMOUS"
    if "PatientID" in out:
        out.PatientID = "ANON"
    for k in ("PatientBirthDate", "PatientAddress", "ReferringPhysicianName", "InstitutionName",
              "InstitutionAddress", "OtherPatientIDs", "OtherPatientIDsSequence"):
        if k in out:
            delattr(out, k)
    out.remove_private_tags()
    return out
''', "only replaced when present"),
    # laplace_mechanism
    Mutant("laplace_mechanism", "scale ε/Δ", '''
def laplace_mechanism(true_value, sensitivity, epsilon, rng):
    return float(true_value + rng.laplace(0.0, epsilon / sensitivity))
''', "scale ε/Δ"),
    Mutant("laplace_mechanism", "Gaussian noise", '''
def laplace_mechanism(true_value, sensitivity, epsilon, rng):
    return float(true_value + rng.normal(0.0, sensitivity / epsilon))
''', "Gaussian"),
    Mutant("laplace_mechanism", "Gaussian noise with Laplace's variance", '''
def laplace_mechanism(true_value, sensitivity, epsilon, rng):
    return float(true_value + rng.normal(0.0, np.sqrt(2) * sensitivity / epsilon))
''', "Gaussian"),
    Mutant("laplace_mechanism", "sensitivity ignored", '''
def laplace_mechanism(true_value, sensitivity, epsilon, rng):
    return float(true_value + rng.laplace(0.0, 1 / epsilon))
''', "whatever the sensitivity"),
    Mutant("laplace_mechanism", "global random state", '''
def laplace_mechanism(true_value, sensitivity, epsilon, rng):
    return float(true_value + np.random.laplace(0.0, sensitivity / epsilon))
''', "instead of the Generator"),
    Mutant("laplace_mechanism", "one-sided exponential noise", '''
def laplace_mechanism(true_value, sensitivity, epsilon, rng):
    return float(true_value + rng.exponential(sensitivity / epsilon))
''', "never negative"),
    # dp_mean
    Mutant("dp_mean", "no clipping", '''
def dp_mean(values, lower, upper, epsilon, rng):
    values = np.asarray(values, dtype=float)
    return float(values.mean() + rng.laplace(0.0, (upper - lower) / (len(values) * epsilon)))
''', "did not clip"),
    Mutant("dp_mean", "sensitivity not divided by n", '''
def dp_mean(values, lower, upper, epsilon, rng):
    values = np.clip(np.asarray(values, dtype=float), lower, upper)
    return float(values.mean() + rng.laplace(0.0, (upper - lower) / epsilon))
''', "(upper - lower) / n"),
    Mutant("dp_mean", "Gaussian noise", '''
def dp_mean(values, lower, upper, epsilon, rng):
    values = np.clip(np.asarray(values, dtype=float), lower, upper)
    return float(values.mean() + rng.normal(0.0, (upper - lower) / (len(values) * epsilon)))
''', "Gaussian"),
    Mutant("dp_mean", "sensitivity from the data's range", '''
def dp_mean(values, lower, upper, epsilon, rng):
    raw = np.asarray(values, dtype=float)
    values = np.clip(raw, lower, upper)
    return float(values.mean() + rng.laplace(0.0, (raw.max() - raw.min()) / (len(values) * epsilon)))
''', "range of the data"),
    Mutant("dp_mean", "noise added to every value", '''
def dp_mean(values, lower, upper, epsilon, rng):
    values = np.clip(np.asarray(values, dtype=float), lower, upper)
    return float(np.mean(values + rng.laplace(0.0, (upper - lower) / epsilon, len(values))))
''', "local privacy"),
    # linear_shap
    Mutant("linear_shap", "centred on zero", '''
def linear_shap(coef, intercept, X, background):
    return np.asarray(coef, float) * np.asarray(X, float)
''', "centred on a patient whose features are all 0"),
    Mutant("linear_shap", "centred on the explained patients", '''
def linear_shap(coef, intercept, X, background):
    X = np.asarray(X, float)
    return np.asarray(coef, float) * (X - X.mean(axis=0))
''', "mean of X"),
    Mutant("linear_shap", "intercept added", '''
def linear_shap(coef, intercept, X, background):
    return np.asarray(coef, float) * (np.asarray(X, float) - np.mean(background, axis=0)) + intercept
''', "added the intercept"),
    Mutant("linear_shap", "transposed", '''
def linear_shap(coef, intercept, X, background):
    return (np.asarray(coef, float) * (np.asarray(X, float) - np.mean(background, axis=0))).T
''', "transposed"),
    Mutant("linear_shap", "median of the background", '''
def linear_shap(coef, intercept, X, background):
    return np.asarray(coef, float) * (np.asarray(X, float) - np.median(background, axis=0))
''', "median"),
    # permutation_importance
    Mutant("permutation_importance", "whole rows shuffled", '''
def permutation_importance(predict_proba, X, y, n_repeats=5, seed=0):
    from sklearn.metrics import roc_auc_score
    rng = np.random.default_rng(seed)
    base = roc_auc_score(y, predict_proba(X))
    out = np.zeros(X.shape[1])
    for j in range(X.shape[1]):
        out[j] = np.mean([base - roc_auc_score(y, predict_proba(X[rng.permutation(len(X))]))
                          for _ in range(n_repeats)])
    return out
''', "shuffled whole rows"),
    Mutant("permutation_importance", "increase instead of decrease", '''
def permutation_importance(predict_proba, X, y, n_repeats=5, seed=0):
    from sklearn.metrics import roc_auc_score
    rng = np.random.default_rng(seed)
    base = roc_auc_score(y, predict_proba(X))
    out = np.zeros(X.shape[1])
    for j in range(X.shape[1]):
        drops = []
        for _ in range(n_repeats):
            Z = X.copy()
            Z[:, j] = Z[rng.permutation(len(X)), j]
            drops.append(roc_auc_score(y, predict_proba(Z)) - base)
        out[j] = np.mean(drops)
    return out
''', "wrong sign"),
    Mutant("permutation_importance", "shuffles accumulate on one copy", '''
def permutation_importance(predict_proba, X, y, n_repeats=5, seed=0):
    from sklearn.metrics import roc_auc_score
    rng = np.random.default_rng(seed)
    base = roc_auc_score(y, predict_proba(X))
    Z = X.copy()
    out = np.zeros(X.shape[1])
    for j in range(X.shape[1]):
        drops = []
        for _ in range(n_repeats):
            Z[:, j] = Z[rng.permutation(len(X)), j]
            drops.append(base - roc_auc_score(y, predict_proba(Z)))
        out[j] = np.mean(drops)
    return out
''', "shuffles accumulate"),
    Mutant("permutation_importance", "accuracy instead of AUC", '''
def permutation_importance(predict_proba, X, y, n_repeats=5, seed=0):
    rng = np.random.default_rng(seed)
    acc = lambda Z: np.mean((predict_proba(Z) >= 0.5) == y)
    base = acc(X)
    out = np.zeros(X.shape[1])
    for j in range(X.shape[1]):
        drops = []
        for _ in range(n_repeats):
            Z = X.copy()
            Z[:, j] = Z[rng.permutation(len(X)), j]
            drops.append(base - acc(Z))
        out[j] = np.mean(drops)
    return out
''', "accuracy"),
]

ALTERNATIVES = [
    Alternative("group_rates", "pandas groupby", '''
def group_rates(y_true, y_pred, groups):
    f = pd.DataFrame({"t": np.asarray(y_true), "p": np.asarray(y_pred, float), "g": np.asarray(groups)})
    by = f.groupby("g")
    out = pd.DataFrame({"n": by.size().astype(int), "selection_rate": by.p.mean(),
                        "tpr": f[f.t == 1].groupby("g").p.mean(),
                        "fpr": f[f.t == 0].groupby("g").p.mean()})
    return out.reindex(by.size().index)[["n", "selection_rate", "tpr", "fpr"]]
'''),
    Alternative("group_rates", "fairlearn MetricFrame, NaN where undefined", '''
def group_rates(y_true, y_pred, groups):
    from fairlearn.metrics import MetricFrame, count
    y_true, y_pred, groups = np.asarray(y_true), np.asarray(y_pred, float), np.asarray(groups)
    rate = lambda yt, yp, c: yp[yt == c].mean() if np.any(yt == c) else np.nan
    frame = MetricFrame(metrics={"n": count, "selection_rate": lambda yt, yp: yp.mean(),
                                 "tpr": lambda yt, yp: rate(yt, yp, 1),
                                 "fpr": lambda yt, yp: rate(yt, yp, 0)},
                        y_true=y_true, y_pred=y_pred, sensitive_features=groups).by_group
    frame = frame.astype(float)
    frame["n"] = frame["n"].astype(int)
    frame.index = np.unique(groups)
    return frame
'''),
    Alternative("demographic_parity_difference", "pandas groupby and ptp", '''
def demographic_parity_difference(y_pred, groups):
    return float(np.ptp(pd.Series(y_pred, dtype=float).groupby(np.asarray(groups)).mean()))
'''),
    Alternative("equalized_odds_difference", "pandas pivot of rates by class", '''
def equalized_odds_difference(y_true, y_pred, groups):
    f = pd.DataFrame({"t": np.asarray(y_true), "p": np.asarray(y_pred, float), "g": np.asarray(groups)})
    rates = f.groupby(["t", "g"]).p.mean().unstack("t")
    return float((rates.max() - rates.min()).max())
'''),
    Alternative("equal_opportunity_thresholds", "walk down each group's sorted positive scores", '''
def equal_opportunity_thresholds(y_true, scores, groups, target_tpr):
    y_true, scores, groups = np.asarray(y_true), np.asarray(scores, float), np.asarray(groups)
    out = {}
    for g in np.unique(groups):
        s = scores[groups == g]
        pos = s[y_true[groups == g] == 1]
        best = None
        for t in sorted(set(s.tolist()), reverse=True):
            if np.sum(pos >= t) / len(pos) >= target_tpr:
                best = t
                break
        out[g.item()] = float(best)
    return out
'''),
    Alternative("calibration_table", "scikit-learn calibration_curve plus counts", '''
def calibration_table(y_true, y_prob, n_bins=10):
    from sklearn.calibration import calibration_curve
    y_true, y_prob = np.asarray(y_true), np.asarray(y_prob, float)
    prob_true, prob_pred = calibration_curve(y_true, y_prob, n_bins=n_bins, strategy="uniform")
    b = np.searchsorted(np.linspace(0, 1, n_bins + 1)[1:-1], y_prob)
    count = np.bincount(b, minlength=n_bins)
    return prob_pred, prob_true, count[count > 0]
'''),
    Alternative("calibration_table", "pandas groupby on the bin", '''
def calibration_table(y_true, y_prob, n_bins=10):
    y_prob = np.asarray(y_prob, float)
    f = pd.DataFrame({"p": y_prob, "y": np.asarray(y_true, float),
                      "b": np.searchsorted(np.linspace(0, 1, n_bins + 1)[1:-1], y_prob)})
    g = f.groupby("b")
    return g.p.mean().to_numpy(), g.y.mean().to_numpy(), g.size().to_numpy()
'''),
    Alternative("expected_calibration_error", "self-contained loop over bins", '''
def expected_calibration_error(y_true, y_prob, n_bins=10):
    y_true, y_prob = np.asarray(y_true, float), np.asarray(y_prob, float)
    b = np.searchsorted(np.linspace(0, 1, n_bins + 1)[1:-1], y_prob)
    total = 0.0
    for k in range(n_bins):
        inside = b == k
        if inside.any():
            total += inside.sum() / len(y_prob) * abs(y_true[inside].mean() - y_prob[inside].mean())
    return float(total)
'''),
    Alternative("k_anonymity", "fill missing with a sentinel, then value_counts", '''
def k_anonymity(df, quasi_identifiers):
    if len(df) == 0:
        return 0
    keys = df[quasi_identifiers].astype(object).where(df[quasi_identifiers].notna(), "<missing>")
    return int(keys.astype(str).value_counts().min())
'''),
    Alternative("l_diversity", "sets of stringified values per group", '''
def l_diversity(df, quasi_identifiers, sensitive):
    if len(df) == 0:
        return 0
    clean = df[quasi_identifiers + [sensitive]].astype(object)
    clean = clean.where(clean.notna(), "<missing>").astype(str)
    return int(clean.groupby(quasi_identifiers)[sensitive].agg(lambda s: len(set(s))).min())
'''),
    Alternative("safe_harbor", "select_dtypes and np.where", '''
def safe_harbor(df, restricted_zip3):
    out = df.copy().drop(columns=["name", "mrn", "phone", "email"])
    for c in out.select_dtypes(include=["datetime"]).columns:
        out[c] = out[c].dt.year.astype(int)
    out["age"] = np.minimum(out["age"], 90)
    z = out["zip"].str.slice(0, 3)
    out["zip"] = np.where(z.isin(set(restricted_zip3)), "000", z)
    return out
'''),
    Alternative("deidentify_dicom", "walk with a callback", '''
def deidentify_dicom(ds):
    import copy
    out = copy.deepcopy(ds)
    out.PatientName = "ANONYMOUS"
    out.PatientID = "ANON"
    for k in ("PatientBirthDate", "PatientAddress", "ReferringPhysicianName", "InstitutionName",
              "InstitutionAddress", "OtherPatientIDs", "OtherPatientIDsSequence"):
        out.pop(k, None)

    def drop_private(dataset, element):
        if element.tag.is_private:
            del dataset[element.tag]

    out.walk(drop_private)
    return out
'''),
    Alternative("laplace_mechanism", "difference of two exponentials", '''
def laplace_mechanism(true_value, sensitivity, epsilon, rng):
    b = sensitivity / epsilon
    return float(true_value + rng.exponential(b) - rng.exponential(b))
'''),
    Alternative("laplace_mechanism", "inverse CDF of a uniform draw", '''
def laplace_mechanism(true_value, sensitivity, epsilon, rng):
    u = rng.uniform(-0.5, 0.5)
    return float(true_value - sensitivity / epsilon * np.sign(u) * np.log(1 - 2 * abs(u)))
'''),
    Alternative("dp_mean", "sum with sensitivity (U - L), then divide by n", '''
def dp_mean(values, lower, upper, epsilon, rng):
    v = np.clip(np.asarray(values, dtype=float), lower, upper)
    noisy_sum = v.sum() + rng.laplace(0.0, (upper - lower) / epsilon)
    return float(noisy_sum / len(v))
'''),
    Alternative("linear_shap", "shap.LinearExplainer", '''
def linear_shap(coef, intercept, X, background):
    import shap
    background = np.asarray(background, float)
    model = (np.asarray(coef, float), float(intercept))
    explainer = shap.LinearExplainer(model, shap.maskers.Independent(background, max_samples=len(background)))
    return np.asarray(explainer.shap_values(np.asarray(X, float)), float)
'''),
    Alternative("linear_shap", "einsum on the centred data", '''
def linear_shap(coef, intercept, X, background):
    centred = np.asarray(X, float) - np.asarray(background, float).mean(axis=0)
    return np.einsum("nd,d->nd", centred, np.asarray(coef, float))
'''),
    Alternative("permutation_importance", "scikit-learn's permutation_importance", '''
def permutation_importance(predict_proba, X, y, n_repeats=5, seed=0):
    from sklearn.inspection import permutation_importance as sk_pi
    from sklearn.metrics import roc_auc_score

    class Fixed:
        def fit(self, X, y):
            return self

    result = sk_pi(Fixed(), X, y, scoring=lambda est, Z, t: roc_auc_score(t, predict_proba(Z)),
                   n_repeats=n_repeats, random_state=seed)
    return result.importances_mean
'''),
    Alternative("permutation_importance", "rng.permuted on a stacked copy", '''
def permutation_importance(predict_proba, X, y, n_repeats=5, seed=0):
    from sklearn.metrics import roc_auc_score
    rng = np.random.default_rng(seed)
    base = roc_auc_score(y, predict_proba(X))
    out = []
    for j in range(X.shape[1]):
        scores = []
        for _ in range(n_repeats):
            Z = np.array(X, dtype=float)
            Z[:, j] = rng.permuted(Z[:, j])
            scores.append(roc_auc_score(y, predict_proba(Z)))
        out.append(base - np.mean(scores))
    return np.array(out)
'''),
]
