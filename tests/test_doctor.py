"""``medai doctor`` says what is ready and how to fix what is not."""

from __future__ import annotations

import io

from medai.autograder import doctor
from medai.autograder.cli import main


def test_ready_machine(capsys):
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    for what in ("Python", "TensorFlow", "nbgrader", "JupyterLab", "Data: breast_cancer",
                 "Offline mode and cache", "Reference solutions"):
        assert f"] {what}:" in out
    assert "MEDAI_OFFLINE=1" in out  # the suite runs offline (conftest)
    assert "Ready for the course" in out


def test_missing_tensorflow_is_a_failure_with_a_fix(monkeypatch):
    real = doctor._version
    monkeypatch.setattr(doctor, "_version",
                        lambda dist: None if dist.startswith("tensorflow") else real(dist))
    stream = io.StringIO()
    assert doctor.run_doctor(stream) == 1
    text = stream.getvalue()
    assert "[FAIL] TensorFlow: not installed" in text and "fix: run `make test`" in text
    assert "1 problem(s) to fix" in text


def test_keras_2_is_refused(monkeypatch):
    real = doctor._version
    monkeypatch.setattr(doctor, "_version", lambda dist: "2.15.0" if dist == "keras" else real(dist))
    finding = doctor.check_tensorflow()
    assert finding.level == "fail" and "not Keras 3" in finding.detail


def test_unsupported_python(monkeypatch):
    monkeypatch.setattr(doctor.sys, "version_info", (3, 9, 18, "final", 0))
    finding = doctor.check_python()
    assert finding.level == "fail" and "3.10 to 3.12" in finding.detail


def test_without_bubblewrap_doctor_says_isolation_is_off_and_how_to_turn_it_on(monkeypatch):
    from medai.autograder import sandbox

    monkeypatch.setenv("MEDAI_NO_BWRAP", "1")
    monkeypatch.setattr(sandbox, "_detected", None)
    out = io.StringIO()
    assert doctor.run_doctor(out) == 0  # a warning, not a failure: students never need it
    text = out.getvalue()
    assert "[WARN] Sandbox for medai grade: sandbox: rlimits; filesystem: NOT isolated" in text
    assert "apt install bubblewrap" in text
