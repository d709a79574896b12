"""Chapter 06_ethics, privacy: k-anonymity, l-diversity and HIPAA Safe Harbor on patient tables."""

from __future__ import annotations

import math

import pandas as pd

from ...compare import allclose
from ...registry import Case, Exercise, Mistake, reference
from .common import CHAPTER, call_on_table, table_spec

NAN = math.nan
# HIPAA Safe Harbor's restricted three-digit ZIP prefixes (areas of 20,000 people or fewer, 2000
# census), published by HHS.
RESTRICTED_ZIP3 = ["036", "059", "063", "102", "203", "556", "692", "790", "821", "823", "830",
                   "831", "878", "879", "884", "890", "893"]


def _small_table():
    """Eight patients; missing values written both as None and as NaN in the same column."""
    return {"data": {
        "zip3": ["021", "021", "021", None, NAN, "100", "100", "100"],
        "age_band": ["30-39", "30-39", "30-39", "40-49", "40-49", "60-69", "60-69", "60-69"],
        "sex": ["F", "F", "F", "M", "M", "F", "F", "F"],
        "diagnosis": ["asthma", "HIV", "asthma", "diabetes", None, "COPD", "COPD", NAN],
    }, "dates": [], "categories": {}}


def _typed_table():
    """A categorical column with an unused category, a date column with missing dates, numbers."""
    return {"data": {
        "sex": ["F", "M", "F", "M", "F", "M", "F"],
        "birth_year": [1950, 1950, 1950, 1950, 1961, 1961, 1961],
        "admitted": ["2024-03-01", None, "2024-03-01", None, "2024-05-02", "2024-05-02", None],
        "ward": ["cardio", "cardio", "cardio", "cardio", "onco", "onco", "onco"],
        "diagnosis": ["stroke", "stroke", "heart failure", "stroke", None, "breast cancer", None],
    }, "dates": ["admitted"], "categories": {"ward": ["cardio", "onco", "paediatrics"]}}


def _population_table(rng, n=2000, missing=0.02):
    """The linkage population's patients, generalised: ZIP to 3 digits, birth date to a year."""
    from ....datasets.cohorts import make_linkage_population

    patients, _ = make_linkage_population(n_residents=max(4 * n, 100), n_patients=n,
                                          seed=int(rng.integers(1_000_000)))
    table = pd.DataFrame({
        "zip3": patients["zip"].str[:3], "birth_year": patients["birth_date"].dt.year,
        "sex": patients["sex"], "diagnosis": patients["diagnosis"]})
    table = table.astype({"zip3": object, "sex": object, "diagnosis": object})
    table.loc[rng.random(n) < missing, "zip3"] = None
    table.loc[rng.random(n) < missing, "diagnosis"] = None
    return table_spec(table)


_EMPTY = {"data": {"zip3": [], "sex": [], "diagnosis": []}, "dates": [], "categories": {}}


# --- k_anonymity ----------------------------------------------------------------------------------

def _k_invoke(fn, table, quasi_identifiers):
    return call_on_table(fn, table, quasi_identifiers)


def _k_public(rng):
    yield Case((_small_table(), ["zip3", "age_band", "sex"]),
               label="8 patients, missing ZIPs written as None and as NaN")
    yield Case((_typed_table(), ["ward", "admitted"]),
               label="a categorical ward with an unused category, missing dates (NaT)")
    yield Case((_population_table(rng), ["zip3", "birth_year", "sex"]),
               label="2,000 patients of the linkage population, ZIP3 + birth year + sex")
    yield Case((_EMPTY, ["zip3", "sex"]), label="an empty table")


def _k_hidden(rng):
    yield Case((_small_table(), ["zip3", "sex"]), label="two quasi-identifiers")
    yield Case((_typed_table(), ["sex", "birth_year", "ward"]), label="three quasi-identifiers, "
                                                                      "categorical")
    yield Case((_population_table(rng, 1500, 0.05), ["zip3", "sex"]), label="1,500 patients")
    yield Case((_population_table(rng, 300, 0.0), ["zip3", "birth_year"]),
               label="300 patients, no missing value")


def _k_dropna(df, quasi_identifiers):
    sizes = df.groupby(list(quasi_identifiers), observed=True).size()
    return int(sizes.min()) if len(sizes) else 0


def _k_unobserved(df, quasi_identifiers):
    if len(df) == 0:
        return 0
    return int(df.groupby(list(quasi_identifiers), dropna=False, observed=False).size().min())


def _k_per_column(df, quasi_identifiers):
    if len(df) == 0:
        return 0
    return int(min(df[c].value_counts(dropna=False).min() for c in quasi_identifiers))


def _k_groups(df, quasi_identifiers):
    return int(df.groupby(list(quasi_identifiers), dropna=False, observed=True).ngroups)


def _k_largest(df, quasi_identifiers):
    if len(df) == 0:
        return 0
    return int(df.groupby(list(quasi_identifiers), dropna=False, observed=True).size().max())


_K_DROPNA = ("rows with a missing quasi-identifier were left out (groupby drops NaN keys by "
             "default); a missing value is still a value an attacker can match on: group with "
             "dropna=False, so that all missing values form one group of their own.")

K_ANONYMITY = Exercise(
    name="k_anonymity",
    points=1,
    public_cases=_k_public,
    hidden_cases=_k_hidden,
    compare=allclose(rtol=0, atol=0),
    invoke=_k_invoke,
    time_limit=10.0,
    mistakes=[
        Mistake("missing rows dropped", _k_dropna, _K_DROPNA),
        Mistake("unobserved combinations", _k_unobserved,
                "combinations of categories that no patient has were counted as groups of size "
                "0; only combinations that occur form groups (observed=True)."),
        Mistake("columns separately", _k_per_column,
                "you counted each quasi-identifier separately; an attacker matches on all of them "
                "at once, so group the rows by the combination of all the columns."),
        Mistake("number of groups", _k_groups,
                "you returned the number of groups; k is the size of the smallest group."),
        Mistake("largest group", _k_largest,
                "you returned the size of the largest group; k-anonymity is only as strong as the "
                "smallest group (the patient easiest to single out)."),
    ],
)


# --- l_diversity ----------------------------------------------------------------------------------

def _l_invoke(fn, table, quasi_identifiers, sensitive):
    return call_on_table(fn, table, quasi_identifiers, sensitive)


def _l_public(rng):
    yield Case((_small_table(), ["zip3", "age_band", "sex"], "diagnosis"),
               label="8 patients, missing diagnoses and ZIPs (None and NaN)")
    yield Case((_typed_table(), ["ward", "admitted"], "diagnosis"),
               label="a categorical ward with an unused category, missing dates")
    yield Case((_population_table(rng), ["zip3", "sex"], "diagnosis"),
               label="2,000 patients of the linkage population")
    yield Case((_EMPTY, ["zip3", "sex"], "diagnosis"), label="an empty table")


def _l_hidden(rng):
    yield Case((_small_table(), ["age_band"], "diagnosis"), label="one quasi-identifier")
    yield Case((_typed_table(), ["sex", "ward"], "diagnosis"), label="categorical ward and sex")
    yield Case((_population_table(rng, 1500, 0.05), ["zip3", "birth_year", "sex"], "diagnosis"),
               label="1,500 patients, three quasi-identifiers")


def _l_rows(df, quasi_identifiers, sensitive):
    return reference(CHAPTER, "k_anonymity")(df, quasi_identifiers)


def _l_sensitive_dropna(df, quasi_identifiers, sensitive):
    if len(df) == 0:
        return 0
    return int(df.groupby(list(quasi_identifiers), dropna=False, observed=True)[sensitive]
               .nunique().min())


def _l_key_dropna(df, quasi_identifiers, sensitive):
    counts = df.groupby(list(quasi_identifiers), observed=True)[sensitive].nunique(dropna=False)
    return int(counts.min()) if len(counts) else 0


def _l_whole_table(df, quasi_identifiers, sensitive):
    return int(df[sensitive].nunique(dropna=False))


def _l_largest(df, quasi_identifiers, sensitive):
    if len(df) == 0:
        return 0
    return int(df.groupby(list(quasi_identifiers), dropna=False, observed=True)[sensitive]
               .nunique(dropna=False).max())


def _l_unobserved(df, quasi_identifiers, sensitive):
    if len(df) == 0:
        return 0
    return int(df.groupby(list(quasi_identifiers), dropna=False, observed=False)[sensitive]
               .nunique(dropna=False).min())


L_DIVERSITY = Exercise(
    name="l_diversity",
    points=1,
    public_cases=_l_public,
    hidden_cases=_l_hidden,
    compare=allclose(rtol=0, atol=0),
    invoke=_l_invoke,
    time_limit=10.0,
    mistakes=[
        Mistake("rows counted", _l_rows,
                "you counted rows (that is k-anonymity); l-diversity counts the distinct values "
                "of the sensitive column within each group: nunique, not size."),
        Mistake("missing sensitive dropped", _l_sensitive_dropna,
                "a missing diagnosis was not counted as a value: nunique drops NaN by default; "
                "with dropna=False all missing values count as one distinct value."),
        Mistake("missing rows dropped", _l_key_dropna, _K_DROPNA),
        Mistake("whole table", _l_whole_table,
                "you counted distinct sensitive values in the whole table; l is the smallest "
                "number of distinct values within one group of quasi-identifiers."),
        Mistake("largest", _l_largest,
                "you returned the largest count over groups; l is the smallest, the group whose "
                "patients' diagnosis is easiest to guess."),
        Mistake("unobserved combinations", _l_unobserved,
                "combinations of categories that no patient has were counted as groups with 0 "
                "values; only combinations that occur form groups (observed=True)."),
    ],
)


# --- safe_harbor ----------------------------------------------------------------------------------

def _small_register():
    return {"data": {
        "name": ["Ana Li", "Ben Cohen", "Olga Silva", "Kofi Diallo", "Mei Wang"],
        "mrn": ["MRN0100001", "MRN0100002", "MRN0100003", "MRN0100004", "MRN0100005"],
        "diagnosis": ["asthma", "HIV", "stroke", "COPD", "diabetes"],
        "phone": ["555-100-0001", "555-100-0002", "555-100-0003", "555-100-0004", "555-100-0005"],
        "email": ["ana@example.org", "ben@example.org", "olga@example.org", "kofi@example.org",
                  "mei@example.org"],
        "birth_date": ["1929-02-01", "1935-06-30", "1934-12-31", "1980-01-15", "1999-07-04"],
        "admission_date": ["2024-03-01", "2024-03-02", "2024-11-20", "2025-01-05", "2025-02-28"],
        "age": [95, 89, 90, 44, 25],
        "zip": ["03601", "02138", "05901", "10001", "94110"],
        "sex": ["F", "M", "F", "M", "F"],
        "discharge_date": ["2024-03-09", "2024-03-04", "2024-11-29", "2025-01-06", "2025-03-02"],
        "weight_kg": [51.5, 80.0, 66.2, 90.1, 58.0],
    }, "dates": ["birth_date", "admission_date", "discharge_date"], "categories": {}}


def _register(rng, n):
    from ....datasets.cohorts import make_linkage_population

    patients, _ = make_linkage_population(n_residents=4 * n, n_patients=n,
                                          seed=int(rng.integers(1_000_000)))
    return table_spec(patients)


def _safe_public(rng):
    yield Case((_small_register(), list(RESTRICTED_ZIP3)),
               label="5 patients: ages 95, 89 and 90, restricted ZIPs 036 and 059, extra columns "
                     "and a third date column")
    yield Case((_register(rng, 2000), list(RESTRICTED_ZIP3)),
               label="2,000 patients of the linkage population")
    yield Case((_small_register(), ["021", "100"]), label="5 patients, another restricted list")


def _safe_hidden(rng):
    yield Case((_register(rng, 500), list(RESTRICTED_ZIP3)), label="500 patients")
    yield Case((_register(rng, 50), ["941", "036"]), label="50 patients, another restricted list")


def _safe_invoke(fn, table, restricted_zip3):
    out = call_on_table(fn, table, restricted_zip3)
    if isinstance(out, pd.DataFrame):  # dates cannot cross as plain data: show them as text
        out = out.copy()
        for name, column in out.items():
            if column.dtype.kind == "M":
                out[name] = column.dt.strftime("%Y-%m-%d").to_numpy(dtype=str)
    return out


def _safe(df, restricted_zip3, **changes):
    out = reference(CHAPTER, "safe_harbor")(df, restricted_zip3)
    for name, value in changes.items():
        out[name] = value(df) if callable(value) else value
    return out


def _safe_dates_by_name(df, restricted_zip3):
    out = reference(CHAPTER, "safe_harbor")(df, restricted_zip3)
    for name in ("birth_date", "admission_date"):
        out[name] = df[name].dt.year
    for name in out.columns:
        if name not in ("birth_date", "admission_date") and df[name].dtype.kind == "M":
            out[name] = df[name]
    return out


def _safe_identifiers_kept(df, restricted_zip3):
    out = reference(CHAPTER, "safe_harbor")(df, restricted_zip3)
    kept = df[[c for c in df.columns if c in out.columns or c != "name"]].copy()
    for name in out.columns:
        kept[name] = out[name]
    return kept


def _safe_zip_number(df, restricted_zip3):
    out = reference(CHAPTER, "safe_harbor")(df, restricted_zip3)
    out["zip"] = out["zip"].astype(int)
    return out


def _safe_reordered(df, restricted_zip3):
    out = reference(CHAPTER, "safe_harbor")(df, restricted_zip3)
    dates = [c for c in df.columns if df[c].dtype.kind == "M"]
    return out[[c for c in out.columns if c not in dates] + dates]


SAFE_HARBOR = Exercise(
    name="safe_harbor",
    points=2,
    public_cases=_safe_public,
    hidden_cases=_safe_hidden,
    compare=allclose(rtol=0, atol=0),
    invoke=_safe_invoke,
    time_limit=10.0,
    advice="compare your table with the rules one column at a time: identifiers dropped, every "
           "date column to its year, ages over 89 to 90, ZIP to 3 characters or '000'.",
    mistakes=[
        Mistake("restricted ZIP left",
                lambda df, r: _safe(df, r, zip=lambda d: d["zip"].str[:3]),
                "a restricted three-digit ZIP prefix was kept: where fewer than 20,000 people "
                "share a prefix, Safe Harbor replaces it by '000'."),
        Mistake("age 95 left", lambda df, r: _safe(df, r, age=lambda d: d["age"]),
                "an age above 89 was kept: Safe Harbor groups every age over 89 into one "
                "category, 90, because very old patients are few and easy to single out."),
        Mistake("age 89 capped",
                lambda df, r: _safe(df, r, age=lambda d: d["age"].where(d["age"] < 89, 90)),
                "an age of 89 was changed: only ages above 89 (90 and over) become 90."),
        Mistake("full date left",
                lambda df, r: _safe(df, r, **{c: (lambda d, c=c: d[c]) for c in df.columns
                                              if df[c].dtype.kind == "M"}),
                "a full date was kept: Safe Harbor keeps only the year of every date linked to "
                "the patient (birth, admission, discharge...)."),
        Mistake("date columns by name", _safe_dates_by_name,
                "a full date was kept in a date column other than birth_date and admission_date: "
                "every datetime64 column becomes its year, whatever its name."),
        Mistake("identifiers kept", _safe_identifiers_kept,
                "some direct identifiers were kept: name, mrn, phone and email must all be "
                "dropped."),
        Mistake("ZIP as a number", _safe_zip_number,
                "your ZIP prefix is a number, which loses leading zeros ('036' becomes 36); keep "
                "the 3-character string."),
        Mistake("columns reordered", _safe_reordered,
                "your columns are not in the original order: transform the columns in place in "
                "a copy, so that every kept column stays where it was."),
    ],
)
