"""How results are told: the short report a learner reads under a check cell, and the scorecard of
``medai check``."""

from __future__ import annotations

from .grading import ExerciseResult

MAX_FAILED_CASES_SHOWN = 3
GENERIC_ADVICE = ("No catalogued mistake matches your output. Re-read the docstring (shapes, axis, "
                  "conventions) and try your function on the small example above this cell.")


def _points(value: float) -> str:
    return f"{value:g}"


def exercise_report(result: ExerciseResult, hidden: bool = False) -> str:
    """A few lines: the score, the diagnosis of any known mistake, then the first failing cases."""
    scope = "public and hidden cases" if hidden else "cases"
    if result.status == "missing":
        return f"{result.name}: 0 of {_points(result.max_points)} points. {result.messages[0]}"
    lines = [
        f"{result.name}: {result.passed_cases} of {result.total_cases} {scope} passed, "
        f"{_points(result.points)} of {_points(result.max_points)} points"
    ]
    if result.status == "passed":
        lines[0] += ". Well done."
        return "\n".join(lines)
    not_implemented = [m for m in result.messages if m.startswith("not implemented yet")]
    if not_implemented:
        lines.append(f"  {not_implemented[0]}")
        return "\n".join(lines)
    for hint in result.hints:
        lines.append(f"  Hint: {hint}")
    failed = [c for c in result.cases if not c.passed]
    groups: dict[str, list[str]] = {}
    for case in failed:
        groups.setdefault(case.message, []).append(case.label)
    shown = 0
    for message, labels in groups.items():
        if shown == MAX_FAILED_CASES_SHOWN:
            break
        others = len(labels) - 1
        same = f" (and the same in {others} other case{'s' if others > 1 else ''})" if others else ""
        lines.append(f"  FAIL {labels[0]}: {message}{same}")
        shown += 1
    hidden_groups = len(groups) - shown
    if hidden_groups > 0:
        rest = sum(len(v) for v in list(groups.values())[shown:])
        lines.append(f"  ... and {rest} more failing case{'s' if rest > 1 else ''}")
    if not result.hints and any(c.kind == "wrong" and c.about_values for c in failed):
        lines.append("  " + (f"Check this first: {result.advice}" if result.advice else
                             GENERIC_ADVICE))
    return "\n".join(lines)


def scorecard(notebook: str, chapter: str, results: list[ExerciseResult], notes: list[str],
              hidden: bool = False) -> str:
    total = sum(r.points for r in results)
    max_total = sum(r.max_points for r in results)
    width = max((len(r.name) for r in results), default=10)
    lines = [f"{notebook} (chapter {chapter})", ""]
    for note in notes:
        lines.append(f"note: {note}")
    if notes:
        lines.append("")
    for r in results:
        lines.append(
            f"  {r.name:<{width}}  {_points(r.points):>5} / {_points(r.max_points):<4} {r.status}"
        )
    lines += ["", f"  {'total':<{width}}  {_points(round(total, 2)):>5} / {_points(max_total)}", ""]
    for r in results:
        if r.status != "passed":
            lines.append(exercise_report(r, hidden=hidden))
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
