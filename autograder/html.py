"""How a result looks in a browser: the check report under a check cell in JupyterLab, rendered as
HTML from the graded result (never from reference code or hidden inputs)."""

from __future__ import annotations

import html
import re

from .grading import ExerciseResult

# Past this many case lines the rest is summarised: hidden grading can run dozens of cases.
MAX_CASE_LINES = 12

# Status: a word and a symbol as well as a colour, so it reads without colour vision too. The
# colours keep a contrast ratio of at least 4.5:1 on white (WCAG AA) and are used for text and
# borders only, so JupyterLab's dark theme still shows them on its own background.
_STATUS = {
    "passed": ("\u2714", "passed", "#1a7f37"),
    "partial": ("\u25d0", "partly right", "#9a6700"),
    "failed": ("\u2718", "not yet right", "#b42318"),
    "error": ("\u2718", "raised an error", "#b42318"),
    "missing": ("\u2718", "not defined", "#b42318"),
}
_CASE = {True: ("\u2714", "pass", "#1a7f37"), False: ("\u2718", "FAIL", "#b42318")}
_CODE = re.compile(r"`([^`]+)`")
_EMPHASIS = re.compile(r"(?<![\w*])\*([^*\s][^*]*?)\*(?![\w*])")

# ``overflow-wrap: anywhere`` only breaks a word that is longer than the line (a long array
# repr); every other line breaks between words. JupyterLab's output area breaks anywhere by
# default (``word-break: break-all`` on its text outputs), which cut words in half.
_STYLE = (
    "font-family: var(--jp-ui-font-family, system-ui, sans-serif); font-size: 14px; "
    "line-height: 1.45; white-space: normal; word-break: normal; overflow-wrap: anywhere; "
    "max-width: 60em; color: var(--jp-content-font-color1, #1f2328); "
    "border-left: 4px solid {colour}; padding: 0.4em 0.8em; margin: 0.2em 0"
)


def _inline(text: str) -> str:
    """Escape ``text`` and render the Markdown the messages use: `code` and *emphasis*."""
    out = html.escape(text, quote=False)
    out = _CODE.sub(r"<code>\1</code>", out)
    return _EMPHASIS.sub(r"<em>\1</em>", out)


def _points(value: float) -> str:
    return f"{round(value, 2):g}"


def points_fraction(points: float, max_points: float) -> str:
    """``"2 / 3"``: the form a learner reads at a glance."""
    return f"{_points(points)} / {_points(max_points)}"


def _badge(symbol: str, word: str, colour: str) -> str:
    return (f'<span style="color: {colour}; font-weight: 600">'
            f'<span aria-hidden="true">{symbol}</span> {word}</span>')


def exercise_report_html(result: ExerciseResult, hidden: bool = False) -> str:
    """The check report of one exercise as a self-contained HTML fragment.

    Parameters
    ----------
    result : ExerciseResult
        The graded exercise (public cases, or public and hidden ones).
    hidden : bool
        Whether hidden cases were graded too; only changes the wording.

    Returns
    -------
    str
        A ``<div>`` with the points as "2 / 3", the diagnosis of any known mistake, then a line
        per case (passed or failed, with what was wrong). Messages are escaped; nothing in it
        comes from the reference code or from hidden inputs.
    """
    symbol, word, colour = _STATUS.get(result.status, _STATUS["failed"])
    scope = "public and hidden cases" if hidden else "cases"
    head = (f'<div style="font-size: 15px"><strong><code>{html.escape(result.name)}</code></strong>'
            f' &nbsp;<strong>{points_fraction(result.points, result.max_points)} points</strong>'
            f' &nbsp;{_badge(symbol, word, colour)}')
    if result.total_cases:
        head += (f' <span style="opacity: 0.8">({result.passed_cases} of {result.total_cases} '
                 f'{scope} passed)</span>')
    parts = [head + "</div>"]
    if result.status == "passed":
        parts.append("<div>Well done.</div>")
    elif result.status == "missing" or not result.cases:
        parts += [f"<div>{_inline(m)}</div>" for m in result.messages[:1]]
    elif any(m.startswith("not implemented yet") for m in result.messages):
        first = next(m for m in result.messages if m.startswith("not implemented yet"))
        parts.append(f"<div>{_inline(first[0].upper() + first[1:])}.</div>")
    else:
        parts += _diagnosis(result)
        parts.append(_case_lines(result))
    return (f'<div class="medai-report" role="status" style="{_STYLE.format(colour=colour)}">'
            + "".join(parts) + "</div>")


def _diagnosis(result: ExerciseResult) -> list[str]:
    from .report import GENERIC_ADVICE

    if result.hints:
        items = "".join(f"<li>{_inline(h)}</li>" for h in result.hints)
        return ['<div style="margin-top: 0.4em"><strong>Diagnosis</strong>'
                f'<ul style="margin: 0.2em 0 0.2em 1.2em; padding: 0">{items}</ul></div>']
    if any(c.kind == "wrong" and c.about_values for c in result.cases if not c.passed):
        advice = result.advice or GENERIC_ADVICE
        return [f'<div style="margin-top: 0.4em"><strong>Check this first:</strong> '
                f"{_inline(advice)}</div>"]
    return []


def _case_lines(result: ExerciseResult) -> str:
    rows = []
    seen: set[str] = set()
    for case in result.cases[:MAX_CASE_LINES]:
        symbol, word, colour = _CASE[case.passed]
        line = f"{_badge(symbol, word, colour)} {_inline(case.label)}"
        if not case.passed:
            # The same message on several cases is said once: the first line explains the rest.
            told = "same as above" if case.message in seen else _inline(case.message)
            seen.add(case.message)
            line += f": {told}"
        rows.append(f'<li style="list-style: none; margin: 0.1em 0">{line}</li>')
    rest = result.cases[MAX_CASE_LINES:]
    if rest:
        failing = sum(not c.passed for c in rest)
        rows.append(f'<li style="list-style: none">\u2026 and {len(rest)} more case'
                    f'{"s" if len(rest) > 1 else ""} ({failing} failing)</li>')
    return ('<ul aria-label="cases" style="margin: 0.4em 0 0 0; padding: 0">'
            + "".join(rows) + "</ul>")
