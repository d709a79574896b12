"""How outputs are judged: comparisons that say what differs in a learner's vocabulary.

A comparison is any callable ``(got, expected) -> Verdict``. The default, :func:`allclose`,
checks type, shape, dtype kind and values (NaN-aware, with stated tolerances) and recurses into
tuples, lists and dicts. Exercises with other notions of "correct" (a set, a permutation, a metric
above a pass mark) pass their own callable, usually built from the helpers here.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Verdict:
    """``message`` says what is wrong without revealing values (safe for hidden cases);
    ``detail``, when set, says the same with the values (shown for public cases only).
    ``values`` is True when the output has the right type and shape and only its values are wrong:
    then, if no catalogued mistake explains it, the report adds the exercise's "check this first"
    advice (a message that already says what is wrong gets none)."""

    ok: bool
    message: str = ""
    detail: str = ""
    values: bool = False

    def __bool__(self) -> bool:
        return self.ok


PASS = Verdict(True)
Comparison = Callable[[Any, Any], Verdict]

_KIND_NAMES = {
    "b": "boolean",
    "i": "integer",
    "u": "unsigned integer",
    "f": "floating-point",
    "c": "complex",
    "O": "object",
    "U": "string",
    "S": "bytes",
}
# dtype kinds that count as the same kind for grading purposes.
_KIND_GROUPS = {"i": "iu", "u": "iu", "f": "f", "c": "c", "b": "b", "U": "U", "S": "S", "O": "O"}


def type_name(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"a NumPy array of shape {value.shape}"
    module = type(value).__module__
    name = type(value).__qualname__
    return name if module == "builtins" else f"{module.split('.')[0]}.{name}"


def reference_figure(expected: Any, key: str, what: str = "the reference model reaches",
                     digits: int = 2) -> str:
    """"the reference model reaches 0.93" for a comparison judged by a pass mark, or "" where the
    reference's figure is not known: on hidden cases it is never computed (see
    ``Exercise.judged_by_pass_mark``)."""
    if not isinstance(expected, dict) or expected.get(key) is None:
        return ""
    return f"{what} {float(expected[key]):.{digits}f}"


def _is_real_number(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, np.ndarray):
        return value.ndim == 0 and value.dtype.kind in "iuf"
    return isinstance(value, (numbers.Integral, numbers.Real))


def allclose(rtol: float = 1e-6, atol: float = 1e-8, what: str = "your output") -> Comparison:
    """Type, shape, dtype kind and values within ``|got - expected| <= atol + rtol * |expected|``.

    NaN matches NaN. Tuples and lists are compared element by element, dicts key by key.
    """

    def compare(got: Any, expected: Any) -> Verdict:
        return _compare(got, expected, rtol, atol, what)

    compare.rtol, compare.atol = rtol, atol  # type: ignore[attr-defined]
    return compare


def _compare(got: Any, expected: Any, rtol: float, atol: float, what: str) -> Verdict:
    if expected is None:
        if got is None:
            return PASS
        return Verdict(False, f"{what} should be None; got {type_name(got)}")
    if isinstance(expected, (tuple, list)):
        return _compare_sequence(got, expected, rtol, atol, what)
    if isinstance(expected, dict):
        return _compare_dict(got, expected, rtol, atol, what)
    if isinstance(expected, np.ndarray) and expected.ndim > 0:
        return _compare_array(got, expected, rtol, atol, what)
    if isinstance(expected, (bool, np.bool_)):
        if isinstance(got, (bool, np.bool_)) and bool(got) == bool(expected):
            return PASS
        if not isinstance(got, (bool, np.bool_)):
            return Verdict(False, f"{what} should be True or False; got {type_name(got)}")
        return Verdict(False, f"{what} is {bool(got)}, which is wrong", values=True)
    if _is_real_number(expected):
        return _compare_scalar(got, expected, rtol, atol, what)
    if isinstance(expected, str):
        if got == expected:
            return PASS
        if not isinstance(got, str):
            return Verdict(False, f"{what} should be a string; got {type_name(got)}")
        return Verdict(False, f"{what} is the string {got!r}, which is wrong", values=True)
    return _compare_pandas(got, expected, rtol, atol, what)


def _compare_sequence(got, expected, rtol, atol, what) -> Verdict:
    kind = "tuple" if isinstance(expected, tuple) else "list"
    if not isinstance(got, (tuple, list)):
        return Verdict(
            False, f"{what} should be a {kind} of {len(expected)} items; got {type_name(got)}"
        )
    if len(got) != len(expected):
        return Verdict(
            False, f"{what} should have {len(expected)} items; got {len(got)}"
        )
    for i, (g, e) in enumerate(zip(got, expected)):
        verdict = _compare(g, e, rtol, atol, f"item {i} of {what}")
        if not verdict:
            return verdict
    return PASS


def _compare_dict(got, expected, rtol, atol, what) -> Verdict:
    if not isinstance(got, dict):
        return Verdict(False, f"{what} should be a dict; got {type_name(got)}")
    missing = [k for k in expected if k not in got]
    extra = [k for k in got if k not in expected]
    if missing:
        return Verdict(False, f"{what} is missing the key(s) {', '.join(map(repr, missing))}")
    if extra:
        return Verdict(False, f"{what} has unexpected key(s) {', '.join(map(repr, extra))}")
    for key, e in expected.items():
        verdict = _compare(got[key], e, rtol, atol, f"{what}[{key!r}]")
        if not verdict:
            return verdict
    return PASS


def _compare_scalar(got, expected, rtol, atol, what) -> Verdict:
    if isinstance(got, np.ndarray) and got.size == 1 and got.ndim > 0:
        return Verdict(
            False,
            f"{what} should be a single number; got an array of shape {got.shape} "
            "(use .item() or float(...) to turn it into a number)",
        )
    if not _is_real_number(got):
        return Verdict(False, f"{what} should be a number; got {type_name(got)}")
    g, e = float(got), float(expected)
    if np.isnan(e) and np.isnan(g):
        return PASS
    if np.isnan(g):
        return Verdict(False, f"{what} is NaN (a 0/0 or a NaN in the computation)", values=True)
    if np.isclose(g, e, rtol=rtol, atol=atol):
        return PASS
    return Verdict(False, f"{what} is not the expected value",
                   f"{what} is {g:.6g}, which is off by {abs(g - e):.3g}", values=True)


def _compare_array(got, expected, rtol, atol, what) -> Verdict:
    if not isinstance(got, np.ndarray):
        return Verdict(
            False, f"{what} should be a NumPy array of shape {expected.shape}; got {type_name(got)}"
        )
    if got.shape != expected.shape:
        return Verdict(
            False, f"{what} has the wrong shape: got {got.shape}, expected {expected.shape}"
        )
    gk, ek = got.dtype.kind, expected.dtype.kind
    if gk not in _KIND_GROUPS.get(ek, ek):
        return Verdict(
            False,
            f"{what} has {_KIND_NAMES.get(gk, gk)} values (dtype {got.dtype}); "
            f"expected {_KIND_NAMES.get(ek, ek)} values",
        )
    if ek in "biuUSO":
        bad = got != expected
    else:
        g = got.astype(np.float64 if ek != "c" else np.complex128)
        e = expected.astype(g.dtype)
        both_nan = np.isnan(g) & np.isnan(e)
        with np.errstate(invalid="ignore", over="ignore"):
            bad = ~(np.isclose(g, e, rtol=rtol, atol=atol) | both_nan)
    if not np.any(bad):
        return PASS
    n_bad = int(np.count_nonzero(bad))
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    index = first[0] if len(first) == 1 else first
    if ek in "fc":
        with np.errstate(invalid="ignore", over="ignore"):
            diff = np.abs(got.astype(np.complex128) - expected.astype(np.complex128))
        finite = diff[bad & np.isfinite(diff)]
        largest = f"; largest difference {finite.max():.3g}" if finite.size else ""
        nan_note = ""
        if np.isnan(got[bad]).any():
            nan_note = " (some of yours are NaN)"
        elif np.isinf(got[bad]).any():
            nan_note = " (some of yours are infinite: an overflow?)"
        message = (f"{what} has the right shape but wrong values at {n_bad} of {expected.size} "
                   f"positions{nan_note}, first at index {index}")
        return Verdict(False, message, message + largest)
    return Verdict(
        False,
        f"{what} has the right shape but wrong values at {n_bad} of {expected.size} positions, "
        f"first at index {index}",
    )


def _compare_pandas(got, expected, rtol, atol, what) -> Verdict:
    import pandas as pd

    if isinstance(expected, pd.DataFrame):
        if not isinstance(got, pd.DataFrame):
            return Verdict(False, f"{what} should be a pandas DataFrame; got {type_name(got)}")
        if list(got.columns) != list(expected.columns):
            return Verdict(
                False,
                f"{what} has columns {list(got.columns)}; expected {list(expected.columns)}",
            )
        if got.shape != expected.shape:
            return Verdict(
                False, f"{what} has the wrong shape: got {got.shape}, expected {expected.shape}"
            )
        try:
            pd.testing.assert_frame_equal(got, expected, rtol=rtol, atol=atol, check_dtype=False)
        except AssertionError as exc:
            first = str(exc).strip().splitlines()[0]
            return Verdict(False, f"{what} differs from the expected DataFrame: {first}",
                           values=True)
        return PASS
    if isinstance(expected, pd.Series):
        if not isinstance(got, pd.Series):
            return Verdict(False, f"{what} should be a pandas Series; got {type_name(got)}")
        try:
            pd.testing.assert_series_equal(
                got, expected, rtol=rtol, atol=atol, check_dtype=False, check_names=False
            )
        except AssertionError as exc:
            first = str(exc).strip().splitlines()[0]
            return Verdict(False, f"{what} differs from the expected Series: {first}", values=True)
        return PASS
    if got == expected:
        return PASS
    return Verdict(False, f"{what} is wrong", values=True)

