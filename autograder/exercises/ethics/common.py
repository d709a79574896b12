"""What the ethics chapter's exercises share: the chapter id, patient tables as plain data, and the
guard that tells a learner their function changed the table it was given."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ...registry import WrongOutput

CHAPTER = "06_ethics"


def table_spec(frame: pd.DataFrame) -> dict:
    """A DataFrame as plain data: column lists (None for a missing value), plus which columns are
    dates and which are categorical, so that it can cross a process boundary as JSON."""
    data, dates, categories = {}, [], {}
    for name, column in frame.items():
        if isinstance(column.dtype, pd.CategoricalDtype):
            categories[name] = [_plain(c) for c in column.cat.categories]
            values = column.astype(object)
        elif column.dtype.kind == "M":
            dates.append(name)
            values = column.dt.strftime("%Y-%m-%d").astype(object)
        else:
            values = column.astype(object)
        data[name] = [None if pd.isna(v) else _plain(v) for v in values]
    return {"data": data, "dates": dates, "categories": categories}


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def build_table(spec: dict) -> pd.DataFrame:
    """The DataFrame a :func:`table_spec` describes (missing strings are None, missing numbers
    NaN, missing dates NaT)."""
    columns = {}
    for name, values in spec["data"].items():
        if name in spec.get("dates", ()):
            columns[name] = pd.to_datetime(pd.Series(values, dtype=object), format="%Y-%m-%d")
        elif name in spec.get("categories", {}):
            columns[name] = pd.Categorical(values, categories=spec["categories"][name])
        elif any(isinstance(v, str) for v in values):
            columns[name] = pd.Series(values, dtype=object)
        else:
            columns[name] = pd.Series(values, dtype=float if None in values else None)
    return pd.DataFrame(columns)


def call_on_table(fn, spec: dict, *args: Any) -> Any:
    """``fn(df, *args)`` on the table ``spec`` describes; WrongOutput if ``fn`` changed ``df``."""
    frame = build_table(spec)
    pristine = frame.copy(deep=True)
    result = fn(frame, *args)
    if list(frame.columns) != list(pristine.columns) or not frame.equals(pristine):
        raise WrongOutput(
            "your function changed the table `df` it was given (in place: a column assigned, "
            "dropped or converted, or inplace=True); the caller's table must stay as it was: "
            "work on `df.copy()`"
        )
    return result
