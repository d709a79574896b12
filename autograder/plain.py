"""What may cross between the grading parent and the process running learner code: plain data
only (JSON for structure, ``.npz`` read with ``allow_pickle=False`` for arrays), never pickles.

Supported: None, bool, int, float (NaN and infinities too), str, list, tuple, dict with str keys,
NumPy arrays of numeric, bool or str dtype (subclasses become plain arrays), NumPy scalars, pandas
DataFrame and Series with such columns.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np


class NotPlainDataError(TypeError):
    pass


def _describe(value: Any) -> str:
    return f"{type(value).__module__}.{type(value).__qualname__}"


class _Encoder:
    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def array(self, value: np.ndarray) -> dict:
        arr = np.array(value, copy=True, subok=False)
        if arr.dtype.kind == "O" and all(isinstance(x, str) for x in arr.flat):
            arr = arr.astype(str)  # pandas keeps strings as objects
        if arr.dtype.kind not in "biufcUS":
            raise NotPlainDataError(
                f"an array of dtype {arr.dtype}, which cannot be graded; expected numbers, "
                "booleans or strings"
            )
        key = f"a{len(self.arrays)}"
        self.arrays[key] = arr
        return {"__array__": key}

    def encode(self, value: Any, depth: int = 0) -> Any:
        if depth > 50:
            raise NotPlainDataError("the value is nested too deeply to be graded")
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, np.bool_):
            return {"__scalar__": self.array(np.asarray(value))}
        if isinstance(value, int) and type(value) is int:
            return value
        if isinstance(value, float) and type(value) is float:
            if math.isfinite(value):
                return value
            return {"__float__": repr(value)}
        if isinstance(value, np.generic):
            return {"__scalar__": self.array(np.asarray(value))}
        if isinstance(value, np.ndarray):
            return self.array(value)
        if type(value) in (list, tuple):
            items = [self.encode(v, depth + 1) for v in value]
            return items if type(value) is list else {"__tuple__": items}
        if type(value) is dict:
            if not all(type(k) is str for k in value):
                return {"__dict_items__": [
                    [self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in value.items()
                ]}
            return {"__dict__": {k: self.encode(v, depth + 1) for k, v in value.items()}}
        import pandas as pd

        if type(value) is pd.DataFrame:
            return {"__dataframe__": {
                "columns": [self.encode(c, depth + 1) for c in value.columns],
                "index": self.array(value.index.to_numpy()),
                "index_name": self.encode(value.index.name, depth + 1),
                "data": [self.array(value.iloc[:, i].to_numpy()) for i in range(value.shape[1])],
            }}
        if type(value) is pd.Series:
            return {"__series__": {
                "name": self.encode(value.name, depth + 1),
                "index": self.array(value.index.to_numpy()),
                "data": self.array(value.to_numpy()),
            }}
        raise NotPlainDataError(
            f"a {_describe(value)}, which cannot be graded; expected numbers, arrays, lists, "
            "tuples, dicts or DataFrames"
        )


def _decode(value: Any, arrays: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v, arrays) for v in value]
    if not isinstance(value, dict):
        return value
    if "__array__" in value:
        return arrays[value["__array__"]]
    if "__scalar__" in value:
        return arrays[value["__scalar__"]["__array__"]][()]
    if "__float__" in value:
        return float(value["__float__"])
    if "__tuple__" in value:
        return tuple(_decode(v, arrays) for v in value["__tuple__"])
    if "__dict__" in value:
        return {k: _decode(v, arrays) for k, v in value["__dict__"].items()}
    if "__dict_items__" in value:
        return {_decode(k, arrays): _decode(v, arrays) for k, v in value["__dict_items__"]}
    if "__dataframe__" in value:
        import pandas as pd

        spec = value["__dataframe__"]
        columns = [_decode(c, arrays) for c in spec["columns"]]
        data = {i: _decode(d, arrays) for i, d in enumerate(spec["data"])}
        frame = pd.DataFrame(data, index=_decode(spec["index"], arrays))
        frame.columns = columns
        frame.index.name = _decode(spec.get("index_name"), arrays)
        return frame
    if "__series__" in value:
        import pandas as pd

        spec = value["__series__"]
        return pd.Series(
            _decode(spec["data"], arrays),
            index=_decode(spec["index"], arrays),
            name=_decode(spec["name"], arrays),
        )
    raise NotPlainDataError(f"unknown tagged value {sorted(value)}")


def dump(value: Any, stem: Path, compress: bool = False) -> None:
    """Write ``value`` as ``stem.json`` plus ``stem.npz``."""
    encoder = _Encoder()
    structure = encoder.encode(value)
    (np.savez_compressed if compress else np.savez)(stem.with_suffix(".npz"), **encoder.arrays)
    stem.with_suffix(".json").write_text(json.dumps(structure), encoding="utf-8")


def load(stem: Path) -> Any:
    structure = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
    with np.load(stem.with_suffix(".npz"), allow_pickle=False) as arrays:
        return _decode(structure, {k: arrays[k] for k in arrays.files})


def to_plain(value: Any) -> Any:
    """Encode then decode in memory: raises NotPlainDataError for anything that could not cross."""
    encoder = _Encoder()
    structure = json.loads(json.dumps(encoder.encode(value)))
    return _decode(structure, encoder.arrays)
