"""How untrusted submissions run: a child process with limits on CPU time, memory, file size and
processes, a wall-clock timeout, a scrubbed environment and a fresh working directory; inside
bubblewrap (no network, a read-only view of only what Python needs, its own process namespace)
where the system has it.

Isolation in force is reported, never assumed:

- ``bubblewrap``: filesystem (only the Python installation, the grader's own package and the
  working directory are visible; the solutions, other submissions, the output folder and the
  home directory are not), network (a new, empty network namespace), processes (a new PID
  namespace: everything the submission started dies with it).
- ``rlimits`` fallback (no bubblewrap): resource limits, a new session, a scrubbed environment
  and a fresh working directory only. Submissions can then read files the grading user can read
  and open network connections: install bubblewrap (Debian/Ubuntu: ``apt install bubblewrap``).

Process count: a cgroup ``pids`` limit where the cgroup filesystem is writable (root), else
``RLIMIT_NPROC`` (which the kernel does not enforce for root).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from .limits import Limits
from .limits import apply as apply_limits

__all__ = ["Isolation", "Limits", "SandboxResult", "Worker", "detect", "run"]

PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Isolation:
    kind: str  # "bubblewrap" | "rlimits"
    filesystem: bool
    network: bool
    processes: str  # "pid namespace + cgroup" ...
    bwrap: str | None = None  # path of the bubblewrap executable in use

    def describe(self) -> str:
        parts = [
            f"sandbox: {self.kind}",
            "filesystem: isolated" if self.filesystem else "filesystem: NOT isolated",
            "network: none" if self.network else "network: NOT isolated",
            f"processes: {self.processes}",
        ]
        return "; ".join(parts)


@dataclass
class SandboxResult:
    returncode: int | None
    timed_out: bool
    seconds: float
    stderr_tail: str = ""
    notes: list[str] = field(default_factory=list)


def _bwrap() -> str | None:
    path = shutil.which("bwrap")
    if not path or os.environ.get("MEDAI_NO_BWRAP"):
        return None
    try:  # a kernel without user namespaces makes bwrap fail at once: test it
        proc = subprocess.run([path, "--ro-bind", "/", "/", "--unshare-net", "--unshare-pid",
                               "--proc", "/proc", "--dev", "/dev", "true"],
                              capture_output=True, timeout=20)
        return path if proc.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired):
        return None


def _pids_cgroup_root() -> Path | None:
    for candidate in (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup")):
        if (candidate / "cgroup.procs").exists() and os.access(candidate, os.W_OK):
            if candidate.name == "pids" or "pids" in _read(candidate / "cgroup.subtree_control"):
                return candidate
    return None


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


_detected: Isolation | None = None


def detect() -> Isolation:
    global _detected
    if _detected is None:
        bwrap = _bwrap()
        cgroup = _pids_cgroup_root() is not None
        if bwrap:
            processes = "PID namespace" + (" + cgroup pids limit" if cgroup else " + RLIMIT_NPROC")
            _detected = Isolation("bubblewrap", True, True, processes, bwrap)
        else:
            processes = "new session" + (" + cgroup pids limit" if cgroup else " + RLIMIT_NPROC")
            _detected = Isolation("rlimits", False, False, processes)
    return _detected


def _visible_paths() -> list[str]:
    """What a submission may read: the system, the Python installation, the grader package."""
    paths = {"/usr", "/bin", "/lib", "/lib64", "/lib32", "/sbin", "/etc"}
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix}:
        paths.add(os.path.realpath(prefix))
    paths.add(str(PACKAGE_DIR))
    paths.add(str(PACKAGE_DIR.parent / "datasets"))
    import site

    for folder in site.getsitepackages():
        paths.add(os.path.realpath(folder))
    return sorted(p for p in paths if os.path.exists(p))


class _PidsCgroup:
    def __init__(self, limit: int) -> None:
        self.path: Path | None = None
        root = _pids_cgroup_root()
        if root is None:
            return
        path = root / f"medai-grade-{uuid.uuid4().hex[:12]}"
        try:
            path.mkdir()
            (path / "pids.max").write_text(str(limit))
            self.path = path
        except OSError:
            self.path = None

    def join(self) -> None:
        """Called in the child between fork and exec."""
        if self.path is not None:
            (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def kill_all(self) -> None:
        if self.path is None:
            return
        for _ in range(20):
            pids = [int(p) for p in _read(self.path / "cgroup.procs").split()]
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.05)
        try:
            self.path.rmdir()
        except OSError:
            pass


def wrap(argv: list[str], workdir: Path) -> list[str]:
    """``argv`` inside bubblewrap with ``workdir`` as the only writable folder (as is, without
    bubblewrap)."""
    isolation = detect()
    if isolation.kind != "bubblewrap":
        return list(argv)
    command = [isolation.bwrap, "--unshare-all", "--die-with-parent", "--new-session",
               "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for path in _visible_paths():
        command += ["--ro-bind", path, path]
    return command + ["--bind", str(workdir), str(workdir), "--chdir", str(workdir), "--", *argv]


def run(argv: list[str], workdir: Path, limits: Limits, env: dict[str, str]) -> SandboxResult:
    """Run ``argv`` (a Python command) inside the sandbox with ``workdir`` as its only writable
    folder. stdout and stderr go to files in ``workdir`` (bounded by the file-size limit)."""
    cgroup = _PidsCgroup(limits.processes)
    workdir = workdir.resolve()
    command = wrap(argv, workdir)

    def limit_child() -> None:  # runs in the child, between fork and exec
        cgroup.join()
        apply_limits(limits.cpu_seconds, limits.memory_mb, limits.file_mb)
        if cgroup.path is None and os.getuid() != 0:
            used = len([p for p in os.listdir("/proc") if p.isdigit()])
            resource.setrlimit(resource.RLIMIT_NPROC, (used + limits.processes,) * 2)

    start = time.perf_counter()
    timed_out = False
    with open(workdir / "stdout.txt", "wb") as out, open(workdir / "stderr.txt", "wb") as err:
        proc = subprocess.Popen(command, cwd=workdir, env=env, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=err, preexec_fn=limit_child,
                                start_new_session=True)
        try:
            proc.wait(timeout=limits.wall_seconds)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            _kill_group(proc.pid)
            cgroup.kill_all()
            if proc.poll() is None:
                proc.kill()
            proc.wait()
    stderr_tail = _tail(workdir / "stderr.txt")
    return SandboxResult(proc.returncode, timed_out, time.perf_counter() - start, stderr_tail)


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except OSError:
        pass


def _tail(path: Path, limit: int = 2000) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - limit))
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def scrubbed_env(workdir: Path) -> dict[str, str]:
    """Only what Python, matplotlib and TensorFlow need; nothing of the instructor's."""
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin:/bin",
        "HOME": str(workdir),
        "TMPDIR": "/tmp" if detect().kind == "bubblewrap" else str(workdir),
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(workdir / ".matplotlib"),
        "IPYTHONDIR": str(workdir / ".ipython"),
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PYTHONWARNINGS": "ignore",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MEDAI_OFFLINE": "1",
        "MEDAI_FAST": os.environ.get("MEDAI_FAST", ""),
        # One thread per submission: a batch is parallel across submissions (``--jobs``), and
        # thread pools competing for the same cores spin. TensorFlow trains the chapter-04 model
        # with about 20% less CPU on one thread than on two (5.6 against 7.0 CPU-s here).
        "OMP_NUM_THREADS": "1",
        "TF_NUM_INTRAOP_THREADS": "1",
        "TF_NUM_INTEROP_THREADS": "1",
    }
    return {k: v for k, v in env.items() if v}


class WorkerCrashed(RuntimeError):
    pass


class Worker:
    """A warm sandboxed process (``medai.autograder.zygote``) that grades submissions one at a
    time, each in a freshly forked child with its own limits. Only ``exchange`` is writable; the
    parent puts one submission's working directory in it at a time."""

    def __init__(self, exchange: Path, limits: Limits, preload: list[str], env: dict[str, str],
                 start_timeout: float = 180.0) -> None:
        import select  # noqa: F401 - fail early where select is missing

        self.exchange = exchange.resolve()
        self.exchange.mkdir(parents=True, exist_ok=True)
        self.limits = limits
        self.cgroup = _PidsCgroup(limits.processes + 16)
        env = dict(env)
        if detect().kind == "bubblewrap":
            env["MEDAI_PIDNS"] = "1"
        elif self.cgroup.path is not None:
            env["MEDAI_CGROUP"] = str(self.cgroup.path)
        argv = [sys.executable, "-m", "medai.autograder.zygote", *preload]
        self.stderr = open(self.exchange / "worker-stderr.txt", "wb")
        self.proc = subprocess.Popen(wrap(argv, self.exchange), cwd=self.exchange, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr, preexec_fn=self.cgroup.join,
                                     start_new_session=True)
        if self._readline(start_timeout) != "READY":
            self.close()
            raise WorkerCrashed("the grading worker did not start: "
                                + _tail(self.exchange / "worker-stderr.txt", 500))

    def _readline(self, timeout: float) -> str | None:
        import select

        deadline = time.monotonic() + timeout
        line = b""
        fd = self.proc.stdout.fileno()
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            chunk = os.read(fd, 65536)
            if not chunk:
                return None
            line += chunk
            if line.endswith(b"\n"):
                return line.decode(errors="replace").strip().splitlines()[-1]
        return None

    def run(self, workdir: Path, limits: Limits) -> SandboxResult:
        nonce = uuid.uuid4().hex
        job = {"workdir": str(workdir.resolve()), "wall": limits.wall_seconds,
               "cpu": limits.cpu_seconds, "memory_mb": limits.memory_mb,
               "file_mb": limits.file_mb, "nonce": nonce}
        start = time.perf_counter()
        try:
            self.proc.stdin.write((json.dumps(job) + "\n").encode())
            self.proc.stdin.flush()
        except OSError as exc:
            raise WorkerCrashed(f"the grading worker stopped: {exc}") from None
        deadline = time.monotonic() + limits.wall_seconds + 30
        while True:
            line = self._readline(max(0.1, deadline - time.monotonic()))
            if line is None:
                raise WorkerCrashed("the grading worker stopped answering")
            try:
                reply = json.loads(line)
            except ValueError:
                continue
            if reply.get("nonce") == nonce:
                break
        return SandboxResult(reply["returncode"], reply["timed_out"], time.perf_counter() - start,
                             _tail(workdir / "stderr.txt"))

    def close(self) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        _kill_group(self.proc.pid)
        self.cgroup.kill_all()
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.stderr.close()
