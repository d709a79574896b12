"""The authoring kit's checklist (docs/authoring.md), enforced: hints never show the answer, the
release bundle is current, every package folder is installed, no chapter module is too long."""

from __future__ import annotations

import re

import pytest
import tomllib

from medai.autograder import bundle
from medai.autograder.cells import cell_source, exercise_id
from medai.autograder.compare import allclose
from tests.helpers import ROOT, chapters, exercises, load

MIN_LINE = 10  # shorter solution lines ("return x", "else:") are not what a hint could give away


def _normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def solution_lines(chapter: str) -> set[str]:
    """Every line between ### BEGIN SOLUTION and ### END SOLUTION in the chapter's notebooks."""
    lines: set[str] = set()
    for path in sorted((ROOT / "solutions" / chapter).glob("*.ipynb")):
        for cell in load(path)["cells"]:
            if not exercise_id(cell):
                continue
            inside = False
            for line in cell_source(cell).splitlines():
                if "### BEGIN SOLUTION" in line:
                    inside = True
                elif "### END SOLUTION" in line:
                    inside = False
                elif inside and len(_normalised(line)) >= MIN_LINE and not line.strip().startswith("#"):
                    lines.add(_normalised(line))
    return lines


@pytest.mark.parametrize("chapter", chapters())
def test_no_hint_contains_a_line_of_the_solution(chapter):
    lines = solution_lines(chapter)
    for name, exercise in exercises(chapter).items():
        told = [(m.name, m.hint) for m in exercise.mistakes] + [("advice", exercise.advice)]
        for what, hint in told:
            text = _normalised(hint)
            leaked = [line for line in lines if line in text]
            assert not leaked, f"{chapter}/{name} ({what}) shows the solution line {leaked[0]!r}"


@pytest.mark.parametrize("chapter", chapters())
def test_every_mistake_has_a_hint_and_a_unique_name(chapter):
    for name, exercise in exercises(chapter).items():
        names = [m.name for m in exercise.mistakes]
        assert len(names) == len(set(names)), f"{chapter}/{name}: duplicate mistake names"
        assert all(m.hint.strip() for m in exercise.mistakes), f"{chapter}/{name}: empty hint"


def _same(a, b) -> bool:
    return bool(allclose(rtol=0, atol=0)(a, b)) or bool(allclose(rtol=1e-12, atol=1e-12)(a, b))


@pytest.mark.slow  # recomputes every public reference output, model training included
@pytest.mark.parametrize("chapter", chapters())
def test_release_bundle_is_current(chapter):
    """`make release` writes autograder/bundle/; it must equal what the solutions give now, or a
    class without solutions/ would be graded against stale answers."""
    try:
        shipped = bundle.load_chapter(chapter)
    except bundle.BundleError as exc:
        pytest.fail(f"{exc}: run `make release`")
    fresh = bundle.build_chapter(chapter)
    assert shipped["notebooks"] == fresh["notebooks"], "run `make release`"
    assert list(shipped["exercises"]) == list(fresh["exercises"]), "run `make release`"
    registry = exercises(chapter)
    for name, now in fresh["exercises"].items():
        then = shipped["exercises"][name]
        stale = f"{chapter}/{name}: the bundle is stale: run `make release`"
        assert then["cases_digest"] == now["cases_digest"], stale
        assert then["arg_names"] == now["arg_names"], stale
        # Equal, or equal for the exercise's own comparison: a model's reference retrains (judged
        # by a pass mark), a property-judged split is judged by its problems, not its rows.
        compare = registry[name].compare
        for old, new in zip(then["expected"], now["expected"]):
            assert _same(old, new) or compare(new, old), stale
        assert set(then["mistakes"]) == set(now["mistakes"]), stale
        for mistake, outputs in now["mistakes"].items():
            assert then["mistakes"][mistake]["applies"] == outputs["applies"], stale
            for old, new in zip(then["mistakes"][mistake]["outputs"], outputs["outputs"]):
                assert (old is None and new is None) or _same(old, new) or compare(new, old), (
                    f"{stale} (mistake {mistake!r})")


def test_every_package_folder_is_installed():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    mapping = config["tool"]["setuptools"]["package-dir"]
    on_disk = set()
    for package, folder in mapping.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            if "__pycache__" in init.parts:
                continue
            relative = init.parent.relative_to(ROOT / folder).parts
            on_disk.add(".".join((package, *relative)))
    assert on_disk <= listed, f"add to [tool.setuptools] packages: {sorted(on_disk - listed)}"


@pytest.mark.parametrize("path", sorted((ROOT / "autograder" / "exercises").rglob("*.py")),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_no_chapter_module_is_over_600_lines(path):
    n = len(path.read_text(encoding="utf-8").splitlines())
    assert n <= 650, f"{path.name} has {n} lines: split the chapter into a package of modules"
