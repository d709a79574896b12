"""``medai check`` as a learner meets it: good notebooks, wrong answers and bad input."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from medai.autograder.cells import nbgrader_meta
from medai.autograder.cli import main
from tests.helpers import ROOT, load

WELCOME = ROOT / "solutions" / "00_welcome" / "welcome.ipynb"
SCHEMA_KEYS = {"notebook", "chapter", "total", "max_total", "exercises"}
EXERCISE_KEYS = {"name", "points", "max_points", "status", "messages"}


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write_variant(tmp_path: Path, edit, name="welcome.ipynb") -> Path:
    notebook = load(WELCOME)
    edit(notebook["cells"])
    path = tmp_path / name
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


def exercise_cell(cells, grade_id):
    return next(c for c in cells if nbgrader_meta(c).get("grade_id") == grade_id)


def by_name(report):
    return {e["name"]: e for e in report["exercises"]}


def fingerprint(path: Path):
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def test_json_schema_on_the_solutions(capsys):
    before = fingerprint(WELCOME)
    code, out, _ = run(capsys, "check", str(WELCOME), "--json")
    assert code == 0
    report = json.loads(out)
    assert set(report) == SCHEMA_KEYS
    assert report["chapter"] == "00_welcome"
    assert report["total"] == report["max_total"] == 5.0
    for exercise in report["exercises"]:
        assert set(exercise) == EXERCISE_KEYS
        assert exercise["status"] == "passed"
        assert isinstance(exercise["points"], float) and isinstance(exercise["messages"], list)
    assert fingerprint(WELCOME) == before, "medai check modified the notebook"


def test_one_wrong_answer_gets_partial_feedback_and_the_rest_is_graded(tmp_path, capsys):
    def wrong(cells):
        cell = exercise_cell(cells, "malignancy_prevalence")
        cell["source"] = ("def malignancy_prevalence(labels):\n"
                          "    return float(np.mean(np.asarray(labels) == 0))\n")

    path = write_variant(tmp_path, wrong)
    before = fingerprint(path)
    code, out, _ = run(capsys, "check", str(path))
    assert code == 0
    assert "malignancy_prevalence" in out and "share of *benign* cases" in out
    assert "total                                4 / 5" in out
    assert fingerprint(path) == before


def test_missing_file(tmp_path, capsys):
    code, _, err = run(capsys, "check", str(tmp_path / "nope.ipynb"))
    assert code == 2 and "no such file" in err


def test_a_folder_is_not_a_notebook(tmp_path, capsys):
    code, _, err = run(capsys, "check", str(tmp_path))
    assert code == 2 and "is a folder" in err


def test_not_a_notebook(tmp_path, capsys):
    path = tmp_path / "notes.ipynb"
    path.write_text("print('hello')\n", encoding="utf-8")
    code, _, err = run(capsys, "check", str(path))
    assert code == 2 and "not valid notebook JSON (line 1" in err


def test_binary_file(tmp_path, capsys):
    path = tmp_path / "scan.ipynb"
    path.write_bytes(bytes(range(256)))
    code, _, err = run(capsys, "check", str(path))
    assert code == 2 and "not UTF-8 text" in err


def test_corrupt_json(tmp_path, capsys):
    path = tmp_path / "welcome.ipynb"
    path.write_text(WELCOME.read_text(encoding="utf-8")[:-200], encoding="utf-8")
    before = fingerprint(path)
    code, _, err = run(capsys, "check", str(path))
    assert code == 2 and "not valid notebook JSON" in err and "restore it" in err
    assert fingerprint(path) == before


def test_json_that_is_not_a_notebook(tmp_path, capsys):
    path = tmp_path / "data.ipynb"
    path.write_text('{"patients": [1, 2]}', encoding="utf-8")
    code, _, err = run(capsys, "check", str(path))
    assert code == 2 and "expected an object with a 'cells' list" in err


def test_unknown_chapter(tmp_path, capsys):
    def other(cells):
        cells[1]["source"] = "".join(cells[1]["source"]).replace("00_welcome", "99_astrology")

    path = write_variant(tmp_path, other)
    code, _, err = run(capsys, "check", str(path))
    assert code == 2 and "unknown chapter '99_astrology'" in err and "00_welcome" in err


def test_deleted_exercise_cell(tmp_path, capsys):
    def delete(cells):
        cells.remove(exercise_cell(cells, "mean_by_diagnosis"))

    path = write_variant(tmp_path, delete)
    code, out, _ = run(capsys, "check", str(path), "--json")
    results = by_name(json.loads(out))
    assert code == 0
    assert results["mean_by_diagnosis"]["status"] == "missing"
    assert "exercise cell is missing" in results["mean_by_diagnosis"]["messages"][0]
    assert results["malignancy_prevalence"]["status"] == "passed"
    assert results["standardize_with_training_stats"]["status"] == "passed"


def test_renamed_function(tmp_path, capsys):
    def rename(cells):
        cell = exercise_cell(cells, "malignancy_prevalence")
        source = "".join(cell["source"])
        cell["source"] = source.replace("def malignancy_prevalence", "def prevalence")

    path = write_variant(tmp_path, rename)
    code, out, _ = run(capsys, "check", str(path), "--json")
    result = by_name(json.loads(out))["malignancy_prevalence"]
    assert code == 0 and result["status"] == "missing"
    assert "did you rename the function?" in result["messages"][0]


def test_syntax_error_in_an_exercise_cell(tmp_path, capsys):
    def break_it(cells):
        cell = exercise_cell(cells, "standardize_with_training_stats")
        cell["source"] = "def standardize_with_training_stats(X_train, X_test:\n    return X_train\n"

    path = write_variant(tmp_path, break_it)
    code, out, err = run(capsys, "check", str(path), "--json")
    report = json.loads(out)
    result = by_name(report)["standardize_with_training_stats"]
    assert code == 0 and result["status"] == "missing"
    assert "SyntaxError at line 1" in result["messages"][0]
    assert report["total"] == 3.0
    assert "SyntaxError" in err  # the note goes to stderr, the JSON stays clean


def test_syntax_error_in_another_cell_is_a_note(tmp_path, capsys):
    def break_it(cells):
        cells.insert(3, {"cell_type": "code", "metadata": {}, "outputs": [],
                         "execution_count": None, "source": "x = (1,\n"})

    path = write_variant(tmp_path, break_it)
    code, out, _ = run(capsys, "check", str(path))
    assert code == 0 and "SyntaxError" in out and "5 / 5" in out


def test_endless_cell_is_stopped(tmp_path, capsys):
    def hang(cells):
        cells.insert(3, {"cell_type": "code", "metadata": {}, "outputs": [],
                         "execution_count": None, "source": "while True:\n    pass\n"})

    path = write_variant(tmp_path, hang)
    code, out, _ = run(capsys, "check", str(path), "--cell-timeout", "2")
    assert code == 0 and "stopped after 2 s" in out and "5 / 5" in out


def test_error_points_at_the_learners_line(tmp_path, capsys):
    def crash(cells):
        cell = exercise_cell(cells, "mean_by_diagnosis")
        cell["source"] = ("def mean_by_diagnosis(X, y):\n"
                          "    benign = X[y == 0].mean(axis=0)\n"
                          "    return benign @ np.ones((3, 3))\n")

    path = write_variant(tmp_path, crash)
    code, out, _ = run(capsys, "check", str(path), "--json")
    result = by_name(json.loads(out))["mean_by_diagnosis"]
    message = "\n".join(result["messages"])
    assert result["status"] == "error"
    assert "ValueError" in message and "line 3 of the cell of exercise `mean_by_diagnosis`" in message
    assert "return benign @ np.ones((3, 3))" in message
    assert "grading.py" not in message and "runner.py" not in message


@pytest.mark.parametrize("argv", [["check"], ["frobnicate"], ["check", "a.ipynb", "--bogus"]])
def test_usage_errors_exit_2(argv, capsys):
    assert main(argv) == 2
