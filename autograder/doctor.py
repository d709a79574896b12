"""``medai doctor``: is this machine ready for the course, and if not, what to do about it."""

from __future__ import annotations

import importlib.metadata as metadata
import importlib.util
import os
import shutil
import sys
from dataclasses import dataclass

REINSTALL = "run `make test` (or `pip install -e .[test]` in your virtual environment)"
ISOLATION_FIX = ("install bubblewrap (Debian/Ubuntu: `sudo apt install bubblewrap`; Fedora: `sudo dnf "
                 "install bubblewrap`); macOS has none: grade on a Linux machine "
                 "or virtual machine with it")


@dataclass
class Finding:
    level: str  # "ok" | "warn" | "fail"
    what: str
    detail: str
    fix: str = ""


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _major(version: str) -> int:
    return int(version.split(".")[0])


def check_python() -> Finding:
    major, minor, micro = sys.version_info[:3]
    text = f"{major}.{minor}.{micro} at {sys.executable}"
    if (3, 10) <= (major, minor) <= (3, 12):
        return Finding("ok", "Python", text)
    return Finding("fail", "Python", text + " (the course supports 3.10 to 3.12)",
                   "install Python 3.11 and recreate the environment: rm -rf .venv && make test")


def check_package(name: str, distributions: tuple[str, ...], why: str, minimum_major: int = 0,
                  required: bool = True) -> Finding:
    for dist in distributions:
        version = _version(dist)
        if version:
            if minimum_major and _major(version) < minimum_major:
                return Finding("fail", name, f"{dist} {version} is too old ({why})",
                               f"pip install --upgrade '{dist}>={minimum_major}'")
            return Finding("ok", name, f"{dist} {version}")
    level = "fail" if required else "warn"
    return Finding(level, name, f"not installed ({why})", REINSTALL)


def check_tensorflow() -> Finding:
    # Finding the module is enough; importing TensorFlow costs seconds.
    finding = check_package("TensorFlow", ("tensorflow-cpu", "tensorflow"),
                            "chapters 2-4 build Keras models", minimum_major=2)
    if finding.level == "ok" and importlib.util.find_spec("tensorflow") is None:
        return Finding("fail", "TensorFlow", "installed but not importable", REINSTALL)
    keras = _version("keras")
    if finding.level == "ok":
        if keras is None or _major(keras) < 3:
            return Finding("fail", "TensorFlow", f"{finding.detail}, but Keras {keras} is not Keras 3",
                           "pip install --upgrade 'keras>=3'")
        finding.detail += f", Keras {keras}, CPU only is fine"
    return finding


def check_jupyter() -> Finding:
    lab = _version("jupyterlab")
    if lab is None:
        return Finding("fail", "JupyterLab", "not installed (needed by `make lab`)", REINSTALL)
    if shutil.which("jupyter") is None and not os.path.exists(
        os.path.join(os.path.dirname(sys.executable), "jupyter")
    ):
        return Finding("warn", "JupyterLab", f"jupyterlab {lab}, but `jupyter` is not on PATH",
                       "activate the environment: source .venv/bin/activate")
    return Finding("ok", "JupyterLab", f"jupyterlab {lab}")


def check_solutions() -> Finding:
    from .bundle import BUNDLE_DIR
    from .reference import ReferenceNotFoundError, solutions_dir

    try:
        folder = solutions_dir()
    except ReferenceNotFoundError as exc:
        shipped = sorted(p.stem for p in BUNDLE_DIR.glob("*.json"))
        if shipped:
            return Finding("ok", "Reference solutions",
                           f"not here (a class's copy): the public checks use the release data of "
                           f"{len(shipped)} chapter(s); grading with hidden cases needs the "
                           "instructor's solutions/")
        return Finding("fail", "Reference solutions", str(exc),
                       "run medai from inside the medai-course checkout, or set MEDAI_SOLUTIONS")
    return Finding("ok", "Reference solutions", str(folder))


def check_sandbox() -> Finding:
    from . import sandbox

    isolation = sandbox.detect()
    if isolation.filesystem and isolation.network:
        return Finding("ok", "Sandbox for medai grade", isolation.describe())
    return Finding("warn", "Sandbox for medai grade",
                   f"{isolation.describe()}: submissions graded here run with resource limits only "
                   "and could read your files or use the network (only matters to instructors)",
                   ISOLATION_FIX)


def check_data() -> list[Finding]:
    findings = []
    try:
        from ..datasets import load_breast_cancer

        frame = load_breast_cancer()
        findings.append(Finding("ok", "Data: breast_cancer", f"{len(frame)} rows from scikit-learn"))
    except Exception as exc:  # whatever fails is the finding
        findings.append(Finding("fail", "Data: breast_cancer", f"cannot load: {exc}", REINSTALL))
    try:
        from pydicom.data import get_testdata_file

        missing = [f for f in ("CT_small.dcm", "MR_small.dcm", "waveform_ecg.dcm")
                   if get_testdata_file(f, download=False) is None]
        if missing:
            findings.append(Finding("warn", "Data: pydicom test files", f"missing {missing}",
                                    "pip install --force-reinstall pydicom"))
        else:
            findings.append(Finding("ok", "Data: pydicom test files",
                                    "CT_small.dcm, MR_small.dcm, waveform_ecg.dcm"))
    except Exception as exc:  # whatever fails is the finding
        findings.append(Finding("fail", "Data: pydicom test files", str(exc), REINSTALL))
    return findings


def check_offline() -> Finding:
    from ..datasets.download import cache_dir, offline

    cache = cache_dir()
    mode = "MEDAI_OFFLINE=1: downloads are forbidden" if offline() else (
        "online: downloads happen only when you ask (download=True)")
    probe = cache
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not os.access(probe, os.W_OK):
        return Finding("warn", "Offline mode and cache", f"{mode}; cache {cache} is not writable",
                       "set MEDAI_CACHE to a folder you can write")
    return Finding("ok", "Offline mode and cache", f"{mode}; cache {cache}")


def run_doctor(stream=None) -> int:
    stream = stream or sys.stdout
    findings = [
        check_python(),
        check_package("NumPy", ("numpy",), "every chapter"),
        check_package("pandas", ("pandas",), "tables"),
        check_package("scikit-learn", ("scikit-learn",), "chapter 1 and evaluation"),
        check_tensorflow(),
        check_package("nbgrader", ("nbgrader",), "the grading lifecycle"),
        check_jupyter(),
        check_package("pydicom", ("pydicom",), "medical images and ECG"),
        check_package("nibabel", ("nibabel",), "chapter 4: NIfTI volumes"),
        check_package("spaCy", ("spacy",), "chapter 5: clinical text"),
        check_package("negspacy", ("negspacy",), "chapter 5: negation"),
        check_package("fairlearn", ("fairlearn",), "chapter 6: fairness"),
        check_package("lifelines", ("lifelines",), "chapters 6-7: survival and trial data"),
        check_package("RDKit", ("rdkit",), "chapter 8: molecules"),
        check_solutions(),
        *check_data(),
        check_offline(),
        check_sandbox(),
    ]
    marks = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL"}
    for f in findings:
        print(f"[{marks[f.level]}] {f.what}: {f.detail}", file=stream)
        if f.fix and f.level != "ok":
            print(f"       fix: {f.fix}", file=stream)
    failures = sum(f.level == "fail" for f in findings)
    warnings = sum(f.level == "warn" for f in findings)
    if failures:
        print(f"\n{failures} problem(s) to fix before the course will run.", file=stream)
    else:
        print(f"\nReady for the course{f' ({warnings} warning(s))' if warnings else ''}.",
              file=stream)
    return 1 if failures else 0
