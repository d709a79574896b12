"""The adversarial catalogue. Each ``Attack`` turns the released chapter 00 notebook into a hostile
or broken submission; ``expect`` maps exercise -> (points, fragment of the feedback), where points
is a number or "full". Every exercise not named must get exactly what the honest reference gets
for the cells left intact (i.e. ``honest`` below)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

PREVALENCE, MEANS = "malignancy_prevalence", "mean_by_diagnosis"
ZSCORE = "standardize_with_training_stats"


@dataclass
class Context:
    release: dict          # the released notebook
    solutions: dict        # grade_id -> reference source
    solutions_path: str    # absolute path of the solutions notebook
    other_submission: str  # absolute path of another student's submission
    outside: str           # a path outside the output folder that must not be created
    port: int              # a TCP server on 127.0.0.1 that must receive nothing
    token: str             # a unique string to find left-over processes by
    secret_env: str        # name of an environment variable the submission must not see


@dataclass
class Attack:
    name: str
    build: Callable[[Context], bytes]
    expect: dict[str, tuple[object, str]] = field(default_factory=dict)


def notebook(ctx: Context, edits: dict[str, str] | None = None, extra: list[str] | None = None,
             honest: bool = True, transform: Callable[[dict], None] | None = None) -> bytes:
    """The release with honest solutions (unless ``honest=False``), exercise cells replaced by
    ``edits``, and ``extra`` code cells inserted after the import cell."""
    nb = json.loads(json.dumps(ctx.release))
    for cell in nb["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in (edits or {}):
            cell["source"] = edits[grade_id]
        elif honest and grade_id in ctx.solutions:
            cell["source"] = ctx.solutions[grade_id]
    first = next(i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code")
    for offset, source in enumerate(extra or []):
        nb["cells"].insert(first + 1 + offset, {"cell_type": "code", "metadata": {}, "outputs": [],
                                                "execution_count": None, "source": source})
    if transform:
        transform(nb)
    return json.dumps(nb).encode()


def _strip_metadata(nb: dict) -> None:
    for cell in nb["cells"]:
        cell["metadata"] = {}


def _delete_cell(nb: dict) -> None:
    nb["cells"] = [c for c in nb["cells"]
                   if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") != MEANS]


def _other_chapter() -> str:
    from medai.autograder.registry import chapter_ids

    return next((c for c in chapter_ids() if c != "00_welcome"), "99_other")


OTHER = _other_chapter()
OTHER_MESSAGE = "unknown chapter '99_other'" if OTHER == "99_other" else f"chapter {OTHER}, not 00_welcome"

STEAL = '''
import json as _json
_nb = _json.load(open({path!r}))
for _c in _nb["cells"]:
    if _c.get("metadata", {{}}).get("nbgrader", {{}}).get("solution"):
        exec("".join(_c["source"]))
'''

ATTACKS = [
    Attack("syntax error",
           lambda c: notebook(c, {ZSCORE: "def standardize_with_training_stats(a, b:\n    pass\n"}),
           {ZSCORE: (0, "SyntaxError")}),
    Attack("endless loop in a cell", lambda c: notebook(c, extra=["while True:\n    pass\n"]), {}),
    Attack("endless loop in a function",
           lambda c: notebook(c, {MEANS: "def mean_by_diagnosis(X, y):\n    while True:\n        pass\n"}),
           {MEANS: (0, "stopped after")}),
    Attack("sleeping forever in a cell",
           lambda c: notebook(c, extra=["import time\ntime.sleep(10**6)\n"]), {}),
    # Graceful degradation: the exercise cells are run again without the other cells.
    Attack("os._exit in a cell", lambda c: notebook(c, extra=["import os\nos._exit(0)\n"]),
           {PREVALENCE: ("full", "run again with only its import cell and exercise cells"),
            MEANS: ("full", "could not be run to the end"), ZSCORE: ("full", "could not be run")}),
    Attack("sys.exit in a cell and in a function",
           lambda c: notebook(c, {PREVALENCE: "import sys\ndef malignancy_prevalence(labels):\n"
                                              "    sys.exit(3)\n"},
                              extra=["import sys\nsys.exit(1)\n"]),
           {PREVALENCE: (0, "sys.exit")}),
    Attack("memory bomb", lambda c: notebook(c, extra=["blob = bytearray(64 * 2**30)\n"]), {}),
    Attack("memory bomb in a function",
           lambda c: notebook(c, {PREVALENCE: "def malignancy_prevalence(labels):\n"
                                              "    return len([0] * 10**11)\n"}),
           {PREVALENCE: (0, "MemoryError")}),
    Attack("process flood (bounded fork bomb)", lambda c: notebook(c, extra=[
        f"import os, time\n# {c.token}\nfor _ in range(300):\n    try:\n        if os.fork() == 0:\n"
        "            time.sleep(600)\n            os._exit(0)\n    except OSError:\n        break\n"]), {}),
    Attack("huge stdout", lambda c: notebook(c, extra=[
        "for _ in range(300):\n    print('x' * 1_000_000)\n",
        "import os\ntry:\n    os.write(1, b'y' * 200_000_000)\nexcept OSError:\n    pass\n"]), {}),
    Attack("reading the solutions", lambda c: notebook(c, {PREVALENCE: STEAL.format(path=c.solutions_path)},
                                                        honest=False),
           {PREVALENCE: (0, ""), MEANS: (0, "not implemented"), ZSCORE: (0, "not implemented")}),
    Attack("reading another submission",
           lambda c: notebook(c, {PREVALENCE: STEAL.format(path=c.other_submission)},
                                                             honest=False),
           {PREVALENCE: (0, ""), MEANS: (0, "not implemented"), ZSCORE: (0, "not implemented")}),
    Attack("writing outside the working directory", lambda c: notebook(c, extra=[
        f"for p in [{c.outside!r}, '/etc/medai-was-here']:\n    try:\n        open(p, 'w').write('x')\n"
        "    except OSError:\n        pass\n"]), {}),
    Attack("network connection on loopback", lambda c: notebook(c, extra=[
        f"import socket\ntry:\n    s = socket.create_connection(('127.0.0.1', {c.port}), timeout=3)\n"
        "    s.sendall(b'stolen')\nexcept OSError:\n    pass\n"]), {}),
    Attack("daemonised child", lambda c: notebook(c, extra=[
        f"import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
        f"        os.execlp('sleep', 'sleep', '600')\n    os._exit(0)\n# {c.token}\n"]), {}),
    Attack("monkeypatching numpy", lambda c: notebook(c, {
        MEANS: "def mean_by_diagnosis(X, y):\n    return np.zeros((2, X.shape[1]))\n"},
        extra=["np.allclose = lambda *a, **k: True\n"
               "np.isclose = lambda a, b, **k: np.ones(np.shape(a), bool)\n"
               "np.array_equal = lambda *a, **k: True\n"]),
        {MEANS: (0, "wrong values")}),
    Attack("monkeypatching the grader", lambda c: notebook(c, {
        MEANS: "def mean_by_diagnosis(X, y):\n    return np.zeros((2, X.shape[1]))\n"},
        extra=["import medai.autograder.compare as _c, medai.autograder.grading as _g\n"
               "from medai.autograder.compare import Verdict\n"
               "_c._compare = lambda *a, **k: Verdict(True)\n_g.judge = None\n"]),
        {MEANS: (0, "wrong values")}),
    Attack("an object whose __eq__ is always true", lambda c: notebook(c, {
        PREVALENCE: "class _Yes(float):\n    def __eq__(self, other):\n        return True\n"
                    "def malignancy_prevalence(labels):\n    return _Yes(0.123)\n"}),
        {PREVALENCE: (0, "")}),
    Attack("an ndarray subclass that always compares equal", lambda c: notebook(c, {
        MEANS: "class _Arr(np.ndarray):\n    def __eq__(self, other):\n"
               "        return np.ones(self.shape, bool)\n"
               "def mean_by_diagnosis(X, y):\n    return np.zeros((2, X.shape[1])).view(_Arr)\n"}),
        {MEANS: (0, "wrong values")}),
    Attack("a deleted exercise cell", lambda c: notebook(c, transform=_delete_cell),
           {MEANS: (0, "exercise cell is missing")}),
    Attack("a wrong signature", lambda c: notebook(c, {
        PREVALENCE: "def malignancy_prevalence():\n    return 0.37\n"}),
        {PREVALENCE: (0, "TypeError")}),
    Attack("a renamed function", lambda c: notebook(c, {
        ZSCORE: "def standardise(X_train, X_test):\n    return X_train, X_test\n"}),
        {ZSCORE: (0, "did you rename the function?")}),
    Attack("missing nbgrader metadata", lambda c: notebook(c, transform=_strip_metadata), {}),
    Attack("corrupt JSON", lambda c: notebook(c)[:-300],
           {PREVALENCE: (0, "not valid notebook JSON"), MEANS: (0, "not valid notebook JSON"),
            ZSCORE: (0, "not valid notebook JSON")}),
    Attack("an empty notebook", lambda c: json.dumps({"cells": [], "metadata": {}, "nbformat": 4,
                                                      "nbformat_minor": 5}).encode(),
           {PREVALENCE: (0, "cannot tell which chapter"), MEANS: (0, "cannot tell which chapter"),
            ZSCORE: (0, "cannot tell which chapter")}),
    Attack("another chapter's notebook", lambda c: notebook(c, transform=lambda nb: nb["cells"][1].update(
        source=f"from medai.autograder import Grader\ngrader = Grader({OTHER!r})\n")),
        {PREVALENCE: (0, OTHER_MESSAGE), MEANS: (0, OTHER_MESSAGE), ZSCORE: (0, OTHER_MESSAGE)}),
    Attack("reading the instructor's environment", lambda c: notebook(c, {
        PREVALENCE: f"import os\ndef malignancy_prevalence(labels):\n"
                    f"    if os.environ.get({c.secret_env!r}):\n        return -1.0\n"
                    "    return float(np.mean(np.asarray(labels) == 1))\n"}), {}),
    Attack("disabling the alarm signal, then looping", lambda c: notebook(c, {
        MEANS: "import signal\ndef mean_by_diagnosis(X, y):\n"
               "    signal.signal(signal.SIGALRM, signal.SIG_IGN)\n    while True:\n        pass\n"}),
        # The function is checked right after its cell (as nbgrader does) and has to be stopped;
        # the exercises not graded yet are graded in a fresh process, and only the function that
        # ignores the time limit costs points.
        {PREVALENCE: ("full", ""), MEANS: (0, "ignored the time limit"), ZSCORE: ("full", "")}),
]
