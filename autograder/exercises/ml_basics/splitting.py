"""Chapter 01_ml_basics, part 2: splitting by patient, judged by properties (no patient in both
sets, every row once, the test share, reproducibility), not by equality with one split."""

from __future__ import annotations

import numpy as np

from ...compare import PASS, Verdict
from ...registry import Case, Exercise, Mistake

# --- patient_level_split -----------------------------------------------------------------------

def _split_frame(rng, n_patients, min_visits=1, max_visits=5, shuffle=False, id_col=None,
                 int_ids=False):
    from ....datasets import make_repeated_visits

    frame = make_repeated_visits(n_patients, seed=int(rng.integers(2**31)),
                                 min_visits=min_visits, max_visits=max_visits)
    frame = frame[["patient_id", "visit", "age", "hba1c", "complication"]]
    if int_ids:
        frame["patient_id"] = frame["patient_id"].str[1:].astype(int) * 7
    if id_col:
        frame = frame.rename(columns={"patient_id": id_col})
    if shuffle:
        frame = frame.iloc[rng.permutation(len(frame))]
    return frame


def _split_public(rng):
    yield Case((_split_frame(rng, 10, 1, 3), "patient_id", 0.3, 0),
               label="10 patients, 1-3 visits each, 30 % test")
    yield Case((_split_frame(rng, 40), "patient_id", 0.25, 1),
               label="40 patients, 25 % test")
    yield Case((_split_frame(rng, 25, 2, 6, shuffle=True), "patient_id", 0.2, 7),
               label="25 patients, rows in random order, 20 % test")
    yield Case((_split_frame(rng, 400, 2, 8), "patient_id", 0.25, 0),
               label="400 patients with 2-8 visits (the notebook's table), 25 % test")
    yield Case((_split_frame(rng, 12, 1, 1, id_col="subject", int_ids=True), "subject", 0.5, 4),
               label="12 patients with one visit each, integer ids in a column 'subject'")


def _split_hidden(rng):
    yield Case((_split_frame(rng, 2, 2, 4), "patient_id", 0.5, 3), label="two patients")
    yield Case((_split_frame(rng, 31, 1, 1), "patient_id", 0.3, 11),
               label="one visit per patient (31 patients)")
    yield Case((_split_frame(rng, 60, 3, 8, id_col="subject"), "subject", 0.15, 5),
               label="the patient column is called 'subject'")
    yield Case((_split_frame(rng, 33, 1, 6, int_ids=True, shuffle=True), "patient_id", 0.5, 2),
               label="integer patient ids, rows shuffled, 50 % test")
    yield Case((_split_frame(rng, 120, 1, 8), "patient_id", 0.1, 123),
               label="120 patients, 10 % test")


def _test_patients(test, patient_col):
    return np.array(sorted({str(v) for v in test[patient_col]}))


def _invoke_split(fn, df, patient_col, test_size, seed):
    import pandas as pd

    original = df.copy()
    out = fn(df, patient_col, test_size, seed)
    if (not isinstance(out, (tuple, list)) or len(out) != 2
            or not all(isinstance(part, pd.DataFrame) for part in out)):
        raise TypeError(
            "patient_level_split should return a tuple (train_df, test_df) of two pandas "
            f"DataFrames; got {type(out).__name__}"
            + (f" of {len(out)} items" if isinstance(out, (tuple, list)) else "")
        )
    train, test = out
    result = {"train": train, "test": test, "input": original, "patient_col": patient_col,
              "test_size": float(test_size)}
    for key, s in (("again", seed), ("other_seed", seed + 1)):
        repeat = fn(original.copy(), patient_col, test_size, s)
        result[key] = _test_patients(repeat[1], patient_col)
    # Judged here, once per call, as plain data: comparisons and diagnoses read it.
    result["problems"] = [list(p) for p in _split_problems(result)]
    return result


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_))


def _cell_key(value) -> str:
    # A dtype change (int -> float after a concat) must not make a row look different.
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return repr(float(value))
    return repr(str(value))


def _row_keys(frame, columns):
    import pandas as pd

    if list(frame.columns) != list(columns):
        return None
    parts = {}
    for i in range(len(columns)):
        values = frame.iloc[:, i]
        numeric = (pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
                   or values.map(_is_number).all())
        if numeric:  # compared as floats, so that an int -> float change keeps a row the same
            parts[i] = values.to_numpy(dtype=float)
        else:
            parts[i] = values.map(_cell_key).to_numpy(dtype=object)
    keys = pd.util.hash_pandas_object(pd.DataFrame(parts), index=False)
    return pd.Series(keys.to_numpy()).value_counts()


_SPLIT_ORDER = ("columns", "duplicated", "dropped", "leak", "share_rows", "share_swapped",
                "share_short", "share", "unrepeatable", "seed_ignored")


def _split_problems(out) -> list[tuple[str, str, str]]:
    """What is wrong with one split, most fundamental first: (code, message, detail); the message
    reveals no values of the (possibly hidden) input, the detail does."""
    columns = list(out["input"].columns)
    col = out["patient_col"]
    train, test = out["train"], out["test"]
    problems = []
    for name, part in (("train_df", train), ("test_df", test)):
        if list(part.columns) != columns:
            message = f"`{name}` does not have the input's columns"
            problems.append(("columns", message, f"{message}: got {list(part.columns)}, expected "
                             f"{columns}"))
            return problems
    want = _row_keys(out["input"], columns)
    got = _row_keys(train, columns).add(_row_keys(test, columns), fill_value=0)
    extra = got.sub(want, fill_value=0)
    n_dup, n_missing = int(extra[extra > 0].sum()), int(-extra[extra < 0].sum())
    if n_dup:
        message = "some rows appear more often in train + test than in the input"
        problems.append(("duplicated", message, f"{message} ({n_dup} extra)"))
    if n_missing:
        message = "some input rows are in neither train nor test"
        problems.append(("dropped", message,
                         f"{n_missing} of the {len(out['input'])} input rows are in neither train "
                         "nor test"))
    both = set(map(str, train[col])) & set(map(str, test[col]))
    if both:
        message = "some patients have visits in both train and test"
        problems.append(("leak", message, f"{len(both)} patient(s) have visits in both train and "
                         "test"))
    patients = {str(v) for v in out["input"][col]}
    n, n_test = len(patients), len(set(map(str, test[col])) & patients)
    ts = out["test_size"]
    if abs(n_test - ts * n) > 1:
        if abs(n_test - min(n, round(ts * len(out["input"])))) <= 1 and n != len(out["input"]):
            code = "share_rows"
        elif abs(n_test - (1 - ts) * n) <= 1:
            code = "share_swapped"
        elif n_test < ts * n:
            code = "share_short"
        else:
            code = "share"
        message = ("the number of test patients is not test_size times the number of patients "
                   "(within one patient)")
        problems.append((code, message, f"the test set holds {n_test} of {n} patients; "
                         f"test_size={ts:g} asks for {ts * n:.1f} (within one patient)"))
    mine = _test_patients(test, col)
    if not np.array_equal(mine, out["again"]):
        message = "a second call with the same seed gave a different split"
        problems.append(("unrepeatable", message, message))
    elif n >= 20 and np.array_equal(mine, out["other_seed"]):
        message = "a call with another seed gave exactly the same split"
        problems.append(("seed_ignored", message, message))
    problems.sort(key=lambda p: _SPLIT_ORDER.index(p[0]))
    return problems


def _problems_of(out) -> list:
    """The problems ``_invoke_split`` found in a split (judged once, where the split was made)."""
    if "problems" in out:
        return [tuple(p) for p in out["problems"]]
    return _split_problems(out)


def _compare_split(got, expected) -> Verdict:
    """Property-based: a correct split need not equal the reference's split.

    ``expected`` is the reference's output (a correct split) when grading; when diagnosing it is
    the output of a catalogued mistake, and then ``got`` matches it when both have the same most
    fundamental problem.
    """
    import pandas as pd

    if not isinstance(got, dict) or not isinstance(got.get("input"), pd.DataFrame):
        return Verdict(False, "your function's output could not be read as a split")
    expected_problems = _problems_of(expected)
    if expected_problems:
        got_problems = _problems_of(got)
        return Verdict(bool(got_problems) and got_problems[0][0] == expected_problems[0][0])
    if not got["input"].equals(expected["input"]):
        return Verdict(False, "the input table changed while your function ran")
    problems = _problems_of(got)
    if problems:
        return Verdict(False, "; ".join(p[1] for p in problems), "; ".join(p[2] for p in problems))
    return PASS


def _split_rows(df, patient_col, test_size, seed):
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(df))
    n_test = int(round(test_size * len(df)))
    return df.iloc[order[n_test:]], df.iloc[order[:n_test]]


def _split_patients(df, patient_col, test_size, seed, rng=None):
    rng = np.random.default_rng(seed) if rng is None else rng
    patients = np.array(sorted(df[patient_col].unique()))
    test_ids = rng.choice(patients, size=int(round(test_size * len(patients))), replace=False)
    in_test = df[patient_col].isin(test_ids)
    return df[~in_test], df[in_test]


def _split_one_row_per_patient(df, patient_col, test_size, seed):
    return _split_patients(df.drop_duplicates(patient_col), patient_col, test_size, seed)


def _split_train_is_all(df, patient_col, test_size, seed):
    return df, _split_patients(df, patient_col, test_size, seed)[1]


def _split_share_of_rows(df, patient_col, test_size, seed):
    rng = np.random.default_rng(seed)
    patients = rng.permutation(np.array(sorted(df[patient_col].unique())))
    in_test = df[patient_col].isin(patients[:int(round(test_size * len(df)))])
    return df[~in_test], df[in_test]


def _split_swapped_share(df, patient_col, test_size, seed):
    train, test = _split_patients(df, patient_col, test_size, seed)
    return test, train


def _split_with_replacement(df, patient_col, test_size, seed):
    rng = np.random.default_rng(seed)
    patients = np.array(sorted(df[patient_col].unique()))
    test_ids = rng.choice(patients, size=int(round(test_size * len(patients))), replace=True)
    in_test = df[patient_col].isin(test_ids)
    return df[~in_test], df[in_test]


_unseeded_calls = [0]


def _split_unseeded(df, patient_col, test_size, seed):
    """A split drawn from state that changes from call to call (the global generator, or an
    unseeded one), modelled deterministically, so that the release bundle is reproducible: every
    other call shifts the seeded test set to the next patients in sorted order. Two successive
    calls therefore always differ (whenever the test set is neither empty nor everyone), where two
    truly unseeded draws could coincide by chance on a handful of patients."""
    _unseeded_calls[0] += 1
    train, test = _split_patients(df, patient_col, test_size, seed)
    if _unseeded_calls[0] % 2:
        return train, test
    patients = np.array(sorted(df[patient_col].unique()))
    chosen = np.isin(patients, test[patient_col].unique())
    in_test = df[patient_col].isin(patients[np.roll(chosen, 1)])
    return df[~in_test], df[in_test]


def _split_seed_ignored(df, patient_col, test_size, seed):
    return _split_patients(df, patient_col, test_size, 0)


PATIENT_LEVEL_SPLIT = Exercise(
    name="patient_level_split",
    points=2,
    public_cases=_split_public,
    hidden_cases=_split_hidden,
    compare=_compare_split,
    invoke=_invoke_split,
    time_limit=10.0,
    output_names=("train_df", "test_df"),
    mistakes=[
        Mistake("row-level split", _split_rows,
                "you split the rows (visits), not the patients: a patient's other visits sit in "
                "the training set, so the model is tested on people it has already seen and the "
                "score is optimistic. Draw the test *patients*, then take all of their rows."),
        Mistake("rows duplicated", _split_train_is_all,
                "some rows are in both sets or twice in one: every row must be in exactly one of "
                "train and test (is train the whole table, or did a concat repeat rows?)."),
        Mistake("rows dropped", _split_one_row_per_patient,
                "rows of the input are missing from both sets: keep every visit of every patient "
                "(did you drop duplicate patients, or lose a patient at a slice boundary such as "
                "ids[n + 1:]?)."),
        Mistake("test_size as the training share", _split_swapped_share,
                "your test set holds the share 1 - test_size of the patients: train and test "
                "look swapped. test_size is the share of *patients* that go to the test set."),
        Mistake("test share counted in rows", _split_share_of_rows,
                "your number of test patients is test_size times the number of *rows*: with "
                "several visits per patient that is far too many. Count patients: "
                "round(test_size * number of distinct patients)."),
        Mistake("drawn with replacement", _split_with_replacement,
                "your test set holds fewer patients than test_size asks for. Drawing the test "
                "patients *with replacement* picks some of them twice, so fewer distinct patients "
                "end up in the test set (about 12 % fewer at test_size=0.25): draw distinct "
                "patients, without replacement (or take the first ones of a shuffled list)."),
        Mistake("unseeded", _split_unseeded,
                "your split changes from call to call with the same seed: draw the random "
                "numbers from a generator of your own, seeded with `seed` (NumPy's "
                "default_rng), not from the global state, so that a split can be reproduced."),
        Mistake("seed ignored", _split_seed_ignored,
                "your split ignores the `seed` argument (a fixed seed inside the function?): "
                "different seeds must be able to give different splits."),
    ],
)


