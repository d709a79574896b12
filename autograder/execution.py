"""How learner code runs: one call under a time limit, with its inputs watched and its errors told
in terms of the learner's own lines."""

from __future__ import annotations

import copy
import os
import re
import signal
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .registry import WrongOutput

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_NOTEBOOK_CELL = re.compile(r"^(<ipython-input-(\d+)-[0-9a-f]+>|.*ipykernel_\d+[/\\]\d+\.py|<cell \d+>)$")


_SHARED: dict | None = None


def shared_between_cases() -> dict:
    """A dict that lives for one ``run_cases`` call, that is one exercise's cases run in order on
    one learner function: an ``invoke`` keeps there what its cases share (chapter 04 trains the
    learner's model once and tests it on two groups of new patients). Outside ``run_cases`` it is
    a new dict on every call, so nothing is shared between two checks of the same function."""
    return _SHARED if _SHARED is not None else {}


class TimeLimitExceeded(BaseException):
    """Raised inside learner code when its time is up. A BaseException, so that a learner's
    ``except Exception`` cannot swallow it."""


@dataclass
class Outcome:
    """What one call of a learner's function gave.

    ``status`` is ``"ok"``, ``"wrong"`` (an exercise's probe rejected the output, ``error`` says
    why), ``"error"``, ``"timeout"``, ``"skipped"`` or ``"not_implemented"``; ``mutated`` names the
    arguments the call modified in place.
    """

    status: str = "ok"
    value: Any = None
    error: str = ""
    mutated: list[str] = field(default_factory=list)
    seconds: float = 0.0


def run_case(
    call: Callable[..., Any],
    fn: Callable[..., Any],
    args: tuple,
    kwargs: dict,
    arg_names: list[str],
    time_limit: float,
    cell_label: Callable[[str], str | None] | None = None,
) -> Outcome:
    """Call ``call(fn, *args, **kwargs)`` on copies of the arguments, within ``time_limit`` seconds.

    The caller's ``args`` are never handed to learner code, so a learner who modifies an input
    cannot corrupt the case; the copies are compared afterwards to tell them that they did.
    """
    pristine_args, pristine_kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
    work_args, work_kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
    start = time.perf_counter()
    try:
        with _time_limit(time_limit):
            value = call(fn, *work_args, **work_kwargs)
    except TimeLimitExceeded:
        return Outcome(
            status="timeout",
            error=(
                f"stopped after {time_limit:g} s, the time limit for one case: an endless loop, "
                "or a Python loop where a vectorised NumPy operation is needed?"
            ),
            seconds=time.perf_counter() - start,
        )
    except KeyboardInterrupt:
        raise
    except WrongOutput as exc:  # the exercise's own probe says what is wrong with the output
        return Outcome(status="wrong", error=str(exc), seconds=time.perf_counter() - start)
    except NotImplementedError as exc:
        if not str(exc):
            return Outcome(
                status="not_implemented",
                error="not implemented yet: replace `raise NotImplementedError()` with your code",
                seconds=time.perf_counter() - start,
            )
        return Outcome(status="error", error=describe_exception(exc, cell_label))
    except BaseException as exc:  # learner code may raise anything, even SystemExit
        return Outcome(
            status="error",
            error=describe_exception(exc, cell_label),
            seconds=time.perf_counter() - start,
        )
    elapsed = time.perf_counter() - start
    mutated = [
        name
        for name, before, after in _named_pairs(
            arg_names, pristine_args, pristine_kwargs, work_args, work_kwargs
        )
        if not same_value(before, after)
    ]
    return Outcome(status="ok", value=value, mutated=mutated, seconds=elapsed)


def run_cases(
    apply: Callable[..., Any],
    fn: Callable[..., Any],
    cases: list[tuple[tuple, dict]],
    arg_names: list[str],
    time_limit: float,
    cell_label: Callable[[str], str | None] | None = None,
    before_each: Callable[[], None] | None = None,
) -> list[Outcome]:
    """``run_case`` for each (args, kwargs); once a case times out the rest are not run, so an
    endless loop costs one time limit, not one per case. ``before_each`` runs before every case.
    The cases share one ``shared_between_cases()`` dict, dropped when the last has run."""
    global _SHARED
    outcomes: list[Outcome] = []
    outer, _SHARED = _SHARED, {}
    try:
        for args, kwargs in cases:
            if before_each is not None:
                before_each()
            if outcomes and outcomes[-1].status in ("timeout", "skipped"):
                outcomes.append(Outcome(status="skipped",
                                        error="not run: an earlier case ran out of time"))
                continue
            outcomes.append(run_case(apply, fn, args, kwargs, arg_names, time_limit, cell_label))
    finally:
        _SHARED = outer
    return outcomes


def _named_pairs(names, args_a, kwargs_a, args_b, kwargs_b):
    for i, (a, b) in enumerate(zip(args_a, args_b)):
        yield (names[i] if i < len(names) else f"argument {i + 1}"), a, b
    for key in kwargs_a:
        yield key, kwargs_a[key], kwargs_b.get(key)


def same_value(a: Any, b: Any) -> bool:
    """Structural equality for plain data, NaN equal to NaN; used to detect in-place changes."""
    if isinstance(a, np.ndarray):
        if not isinstance(b, np.ndarray) or a.shape != b.shape or a.dtype != b.dtype:
            return False
        if a.dtype.kind in "fc":
            return bool(np.array_equal(a, b, equal_nan=True))
        return bool(np.array_equal(a, b))
    if isinstance(a, (list, tuple)):
        return (
            isinstance(b, type(a))
            and len(a) == len(b)
            and all(same_value(x, y) for x, y in zip(a, b))
        )
    if isinstance(a, dict):
        return (
            isinstance(b, dict)
            and a.keys() == b.keys()
            and all(same_value(a[k], b[k]) for k in a)
        )
    if hasattr(a, "equals") and callable(a.equals):  # pandas objects
        try:
            return type(a) is type(b) and bool(a.equals(b))
        except Exception:
            return False
    if callable(a):
        return True
    try:
        return bool(a == b) or (a != a and b != b)
    except Exception:
        return False


class _time_limit:
    """Interrupt the block after ``seconds`` using SIGALRM where the platform and thread allow it;
    elsewhere the block runs to completion and is then reported if it was too slow."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.armed = False

    def __enter__(self) -> None:
        self.start = time.perf_counter()
        if (
            hasattr(signal, "setitimer")
            and threading.current_thread() is threading.main_thread()
            and signal.getitimer(signal.ITIMER_REAL)[0] == 0
        ):
            self.previous = signal.signal(signal.SIGALRM, self._expire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
            self.armed = True

    def _expire(self, signum, frame) -> None:
        raise TimeLimitExceeded()

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)
        if exc_type is None and time.perf_counter() - self.start > self.seconds:
            raise TimeLimitExceeded()


def _is_learner_frame(filename: str) -> bool:
    if _NOTEBOOK_CELL.match(filename):
        return True
    path = os.path.abspath(filename) if not filename.startswith("<") else filename
    if path.startswith(_PACKAGE_DIR):
        return False
    if "site-packages" in path or "dist-packages" in path:
        return False
    stdlib = os.path.dirname(os.__file__)
    return not path.startswith(stdlib) and not filename.startswith("<frozen")


def describe_exception(
    exc: BaseException, cell_label: Callable[[str], str | None] | None = None
) -> str:
    """``"ValueError: ... (your line 4 in cell 7: `return x @ w`)"``: the error and the learner's own
    line that led to it, without the grader's frames."""
    if isinstance(exc, SystemExit):
        return "your function called sys.exit() (or exit()); return a value instead"
    head = traceback.format_exception_only(type(exc), exc)[-1].strip()
    if len(head) > 300:
        head = head[:297] + "..."
    frames = traceback.extract_tb(exc.__traceback__)
    learner = [f for f in frames if _is_learner_frame(f.filename)]
    if not learner:
        return head
    frame = learner[-1]
    where = cell_label(frame.filename) if cell_label else None
    if where is None:
        where = "your code" if _NOTEBOOK_CELL.match(frame.filename) else os.path.basename(
            frame.filename
        )
    line = (frame.line or "").strip()
    located = f"line {frame.lineno} of {where}" + (f": `{line}`" if line else "")
    library = ""
    if frames and frames[-1] is not frame:
        last = frames[-1].filename
        if "site-packages" in last or "dist-packages" in last:
            parts = re.split(r"[/\\](?:site|dist)-packages[/\\]", last)[-1]
            library = f", raised inside {parts.split(os.sep)[0].split('/')[0]}"
    return f"{head} ({located}{library})"


def quiet_stdio():
    """A context that swallows stdout and stderr at the Python level (nbgrader zeroes a test cell
    that writes anything to stderr)."""
    import contextlib
    import io

    stack = contextlib.ExitStack()
    stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
    stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
    return stack

