"""``medai grade`` on hostile and broken submissions: the batch finishes, honest work is graded
exactly, each attack gets a clear message, nothing outside the output folder changes, no process
is left behind; results are resumable and the outputs are complete."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import socket
import threading
import uuid
from pathlib import Path

import pytest

from medai.autograder import sandbox
from medai.autograder.batch import BatchGrader, discover
from medai.autograder.registry import chapter_exercises
from tests.adversarial.catalogue import ATTACKS, Context
from tests.helpers import ROOT, load

CHAPTER = "00_welcome"
pytestmark = pytest.mark.slow  # grades whole notebooks in sandboxes: not in `make test-fast`
MAX = {n: float(e.points) for n, e in chapter_exercises(CHAPTER).items()}
LIMITS = sandbox.Limits(wall_seconds=90, cpu_seconds=120, memory_mb=2048)
FS_ATTACKS = {"reading the solutions", "reading another submission"}


def slug(name: str) -> str:
    return "atk_" + "".join(ch if ch.isalnum() else "_" for ch in name.lower()).strip("_")


class Listener:
    """A TCP server on 127.0.0.1 that records whatever reaches it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.received: list[bytes] = []
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    self.received.append(conn.recv(100) or b"<connected>")
                except OSError:
                    self.received.append(b"<connected>")

    def close(self) -> None:
        self.running = False
        self.thread.join()
        self.sock.close()


def tree_fingerprint(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("grade")
    subs, out = tmp / "submissions", tmp / "out"
    subs.mkdir()
    release = load(ROOT / "course" / CHAPTER / "welcome.ipynb")
    solutions = {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"])
                 for c in load(ROOT / "solutions" / CHAPTER / "welcome.ipynb")["cells"]
                 if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    listener = Listener()
    token = f"medai-adversarial-{uuid.uuid4().hex}"
    ctx = Context(release, solutions, str(ROOT / "solutions" / CHAPTER / "welcome.ipynb"),
                  str(subs / "honest.ipynb"), str(tmp / "outside-was-written.txt"),
                  listener.port, token, "MEDAI_TEST_INSTRUCTOR_SECRET")
    from tests.adversarial.catalogue import notebook

    (subs / "honest.ipynb").write_bytes(notebook(ctx))
    (subs / "stub.ipynb").write_bytes(json.dumps(release).encode())
    for attack in ATTACKS:
        (subs / f"{slug(attack.name)}.ipynb").write_bytes(attack.build(ctx))
    before = tree_fingerprint(subs)
    repo_before = sorted(p.name for p in ROOT.iterdir())
    _remove_planted_file()  # left by an earlier run without filesystem isolation
    os.environ[ctx.secret_env] = "do-not-leak"
    try:
        # Every cell is run, so that attacks placed in any cell are met (by default medai grade
        # runs the exercise cells first and the rest only when an exercise needs it).
        grader = BatchGrader(CHAPTER, out, jobs=2, limits=LIMITS, cell_timeout=15,
                             stream=open(os.devnull, "w"), run_all_cells=True)
        results = grader.grade_all(discover(subs, CHAPTER))
    finally:
        del os.environ[ctx.secret_env]
        listener.close()
    yield {
        "results": {r.student: r for r in results}, "out": out, "subs": subs, "ctx": ctx,
        "before": before, "after": tree_fingerprint(subs), "repo_before": repo_before,
        "listener": listener, "grader": grader,
    }


def _remove_planted_file() -> None:
    try:
        Path("/etc/medai-was-here").unlink(missing_ok=True)
    except OSError:
        pass


def points(result) -> dict[str, float]:
    return result.points()


def feedback_text(result, name: str) -> str:
    exercise = next(e for e in result.exercises if e.name == name)
    return "\n".join(exercise.messages + result.notes)


def test_honest_and_stub_submissions_are_graded_exactly(graded):
    assert points(graded["results"]["honest"]) == MAX
    assert set(points(graded["results"]["stub"]).values()) == {0.0}


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.name)
def test_attack_is_contained_and_explained(graded, attack):
    if attack.name in FS_ATTACKS and not sandbox.detect().filesystem:
        pytest.skip("no filesystem isolation here: " + sandbox.detect().describe())
    result = graded["results"][slug(attack.name)]
    got = points(result)
    for name, max_points in MAX.items():
        want, fragment = attack.expect.get(name, ("full", ""))
        want = max_points if want == "full" else want
        assert got[name] == want, (attack.name, name, feedback_text(result, name))
        assert fragment in feedback_text(result, name), (attack.name, name, fragment)


def test_nothing_outside_the_output_folder_changed(graded):
    assert graded["after"] == graded["before"], "a submission file was modified"
    if not sandbox.detect().filesystem:
        _remove_planted_file()
        pytest.skip("no filesystem isolation here, so a submission can write where the grading "
                    "user can (install bubblewrap to isolate it): " + sandbox.detect().describe())
    assert not Path(graded["ctx"].outside).exists()
    assert not Path("/etc/medai-was-here").exists()
    assert sorted(p.name for p in ROOT.iterdir()) == graded["repo_before"]


def test_no_network_traffic_reached_loopback(graded):
    if not sandbox.detect().network:
        pytest.skip("no network isolation here: " + sandbox.detect().describe())
    assert graded["listener"].received == []


def test_no_process_is_left_behind(graded):
    assert processes_mentioning(graded["ctx"].token) == []
    assert processes_mentioning(str(graded["out"])) == []


def test_outputs_are_complete_and_reveal_no_reference_code(graded):
    out = graded["out"]
    with open(out / "grades.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["student", *MAX, "total"]
    assert len(rows) == len(ATTACKS) + 2
    honest = next(r for r in rows if r["student"] == "honest")
    assert float(honest["total"]) == sum(MAX.values())
    reference_lines = ["return float(np.mean(labels == 1))", "std = np.where(std == 0, 1.0, std)"]
    for student in graded["results"]:
        for suffix in (".md", ".html"):
            text = (out / "feedback" / f"{student}{suffix}").read_text()
            assert not any(line in text for line in reference_lines)
            assert "off by" not in text  # values of hidden cases are never shown
    summary = json.loads((out / "summary" / "summary.json").read_text())
    assert summary["students"] == len(rows)
    assert (out / "summary" / "histogram.png").read_bytes()[:4] == b"\x89PNG"
    assert "Isolation: sandbox:" in (out / "summary" / "summary.md").read_text()


def test_unchanged_submissions_are_not_graded_again(graded):
    out, subs = graded["out"], graded["subs"]
    grader = BatchGrader(CHAPTER, out, jobs=2, limits=LIMITS, cell_timeout=15,
                         stream=open(os.devnull, "w"), run_all_cells=True)
    first = {r.student: r for r in grader.grade_all(discover(subs, CHAPTER))}
    assert first == graded["results"]
    assert all(r.fingerprint for r in first.values())


def test_without_bubblewrap_grading_falls_back_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDAI_NO_BWRAP", "1")
    monkeypatch.setattr(sandbox, "_detected", None)
    release = load(ROOT / "course" / CHAPTER / "welcome.ipynb")
    subs = tmp_path / "submitted"
    for student in ("ada", "grace"):
        (subs / student / CHAPTER).mkdir(parents=True)
        (subs / student / CHAPTER / "welcome.ipynb").write_text(json.dumps(release))
    out = tmp_path / "out"
    results = BatchGrader(CHAPTER, out, jobs=1, limits=LIMITS,
                          stream=open(os.devnull, "w")).grade_all(discover(subs, CHAPTER))
    assert [r.student for r in results] == ["ada", "grace"]
    assert all(r.ran and r.total == 0 for r in results)
    summary = (out / "summary" / "summary.md").read_text()
    assert "sandbox: rlimits; filesystem: NOT isolated; network: NOT isolated" in summary
    # monkeypatch restores the detected isolation (the Isolation object carries its own path)
