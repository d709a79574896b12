"""A class has course/ and the installed package, never solutions/: the public checks still work,
with the same points and messages as where the solutions are, and hidden grading says in one line
that it needs them. Proven on a real installed copy (the wheel `pip` builds from this checkout,
unpacked into a folder with no solutions/ anywhere above it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.helpers import ROOT, load
from tests.mutants import catalogue_modules

# chapter -> (notebook, the exercise left as a stub, the catalogued mistake typed in, its diagnosis)
SCENARIOS = {
    "00_welcome": ("welcome.ipynb", "mean_by_diagnosis",
                   "test set scaled with its own statistics", "test set's own mean"),
    "02_cnn_math": ("cnn_math.ipynb", "numerical_gradient",
                    "true convolution (flipped kernel)", "flipped kernel"),
}


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The package as a class installs it: built into a wheel and unpacked (site-packages layout)."""
    tmp = tmp_path_factory.mktemp("installed")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--quiet", "-w", str(tmp / "wheel"), str(ROOT)], check=True,
                   capture_output=True, timeout=600)
    site = tmp / "site"
    with zipfile.ZipFile(next((tmp / "wheel").glob("*.whl"))) as wheel:
        wheel.extractall(site)
    assert not list(site.rglob("*.ipynb")), "the package must not carry notebooks"
    return site


def _student_env(site: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "MEDAI_SOLUTIONS"}
    env["PYTHONPATH"] = str(site)  # found before the editable install of this checkout
    return env


def _notebook(chapter: str, notebook: str, stub: str, mistake: str, folder: Path) -> Path:
    """The released notebook as a student fills it: every exercise solved but one left as the
    stub, and one catalogued mistake typed in."""
    catalogue = next(m for m in catalogue_modules() if m.CHAPTER == chapter)
    mutant = next(m for m in catalogue.MUTANTS if m.mistake == mistake)
    answers = {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"])
               for c in load(ROOT / "solutions" / chapter / notebook)["cells"]
               if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    answers[mutant.exercise] = mutant.source
    released = load(ROOT / "course" / chapter / notebook)
    for cell in released["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in answers and grade_id != stub:
            cell["source"] = answers[grade_id]
    path = folder / chapter / notebook
    path.parent.mkdir(parents=True)
    for extra in (ROOT / "course" / chapter).iterdir():  # data files released with the notebook
        if extra.is_file() and extra.suffix != ".ipynb":
            (path.parent / extra.name).write_bytes(extra.read_bytes())
    path.write_text(json.dumps(released), encoding="utf-8")
    return path


def _check(path: Path, env: dict, cwd: Path, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "medai.autograder.cli", "check", str(path),
                           "--json", *flags], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=900)


@pytest.mark.slow
@pytest.mark.parametrize("chapter", list(SCENARIOS))
def test_public_checks_work_without_solutions(chapter, installed, tmp_path):
    notebook, stub, mistake, diagnosis = SCENARIOS[chapter]
    classroom = tmp_path / "classroom"
    path = _notebook(chapter, notebook, stub, mistake, classroom)
    env = _student_env(installed)
    where = subprocess.run([sys.executable, "-c", "import medai.autograder as a; print(a.__file__)"],
                           env=env, cwd=classroom, capture_output=True, text=True, check=True)
    assert where.stdout.strip().startswith(str(installed)), where.stdout

    student = _check(path, env, classroom)
    assert student.returncode == 0, student.stderr
    report = json.loads(student.stdout)
    by_name = {e["name"]: e for e in report["exercises"]}
    catalogue = next(m for m in catalogue_modules() if m.CHAPTER == chapter)
    wrong = next(m for m in catalogue.MUTANTS if m.mistake == mistake).exercise
    for name, result in by_name.items():
        if name == stub:
            assert result["points"] == 0
            assert result["messages"] == [
                "not implemented yet: replace `raise NotImplementedError()` with your code"]
        elif name == wrong:
            assert 0 <= result["points"] < result["max_points"]
            assert any(diagnosis in m for m in result["messages"]), result["messages"]
        else:
            assert result["points"] == result["max_points"], (name, result["messages"])
    print(json.dumps(report, indent=1))

    # Where the solutions are (the instructor's checkout), the same notebook gets the same
    # public points and the same messages.
    instructor = _check(path, dict(os.environ, MEDAI_SOLUTIONS=str(ROOT / "solutions")), ROOT)
    assert json.loads(instructor.stdout)["exercises"] == report["exercises"]

    hidden = _check(path, env, classroom, "--hidden")
    assert hidden.returncode == 2
    assert "hidden cases needs the course's solutions/" in hidden.stderr


@pytest.mark.slow
def test_grader_check_in_a_notebook_without_solutions(installed, tmp_path):
    script = (
        "import numpy as np\n"
        "from medai.autograder import Grader\n"
        "grader = Grader('00_welcome')\n"
        "def malignancy_prevalence(labels):\n"
        "    return float(np.mean(np.asarray(labels) == 0))\n"
        "try:\n"
        "    grader.check(malignancy_prevalence)\n"
        "except AssertionError as exc:\n"
        "    print(exc)\n"
        "def malignancy_prevalence(labels):\n"
        "    return float(np.mean(np.asarray(labels)))\n"
        "print(float(grader.check(malignancy_prevalence)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], env=_student_env(installed),
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "your value is the share of *benign* cases" in proc.stdout
    assert "Well done." in proc.stdout
    assert proc.stdout.strip().endswith("1.0")
    assert "solutions" not in proc.stdout
