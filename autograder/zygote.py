"""A warm worker for batch grading, run inside the sandbox: it imports the heavy libraries once,
then forks one fresh child per submission. Each child gets the per-submission limits (CPU time,
memory, file size), its own session and working directory, runs the notebook (``runner``) and
exits; after it, every process it left behind is killed.

Protocol on stdin/stdout, one JSON object per line: the parent sends
``{"workdir", "wall", "cpu", "memory_mb", "file_mb", "nonce"}`` and reads
``{"returncode", "timed_out", "seconds", "nonce"}`` (lines without the job's nonce are
ignored). ``READY`` is printed once the imports are done.

Usage (by ``medai grade`` only): ``python -m medai.autograder.zygote MODULE...``
"""

from __future__ import annotations

import importlib
import json
import os
import select
import signal
import sys
import time
import traceback
from pathlib import Path


def preload(modules: list[str]) -> None:
    """Import what the chapter's notebooks import, TensorFlow and Keras included, so that no
    submission pays for it. Forking after ``import tensorflow`` is safe as long as this process
    never runs a TensorFlow operation (it creates its thread pools on the first one, in each child);
    a test compares a preloaded worker with fresh interpreters on every chapter's mutant corpus."""
    import matplotlib

    matplotlib.use("Agg")
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # a module that fails to import is the notebook's problem
            continue
    # A chapter's exercises may compute once what the grader's side of every submission's cases
    # needs (featurised data, say): ``warm_worker``, in the package named in the preload.
    for name in modules:
        warm = getattr(sys.modules.get(name), "warm_worker", None)
        if name.startswith("medai.autograder.exercises.") and callable(warm):
            try:
                warm()
            except Exception:  # then each submission computes it, as without a warm worker
                continue


def _child(job: dict) -> None:
    """In the forked child: limits, a clean slate, then the notebook. Never returns."""
    code = 1
    try:
        os.setsid()
        workdir = job["workdir"]
        from .limits import apply

        apply(job["cpu"], job["memory_mb"], job["file_mb"])
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        for fd, name in ((1, "stdout.txt"), (2, "stderr.txt")):
            target = os.open(os.path.join(workdir, name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(target, fd)
            os.close(target)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.chdir(workdir)
        os.environ.update(HOME=workdir, MPLCONFIGDIR=os.path.join(workdir, ".matplotlib"),
                          IPYTHONDIR=os.path.join(workdir, ".ipython"))
        from .runner import grade_in_child

        grade_in_child(Path(workdir))
        code = 0
    except BaseException:  # report anything, then exit
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _sweep(child: int) -> None:
    """Kill everything the submission left behind (daemons that called setsid included)."""
    me = os.getpid()
    victims: set[int] = set()
    if os.environ.get("MEDAI_PIDNS") == "1":  # a PID namespace of our own: all but init and us
        victims = {int(p) for p in os.listdir("/proc") if p.isdigit()} - {1, me}
    else:
        cgroup = os.environ.get("MEDAI_CGROUP")
        if cgroup:
            try:
                with open(os.path.join(cgroup, "cgroup.procs")) as f:
                    victims = {int(p) for p in f.read().split()} - {me}
            except OSError:
                victims = set()
    try:
        os.killpg(child, signal.SIGKILL)
    except OSError:
        pass
    for pid in victims:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    while True:  # reap what we can
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break


def _wait(pid: int, deadline: float) -> tuple[bool, int]:
    """(exited, wait status) of child ``pid``, once it exits or ``deadline`` (monotonic) passes.
    Blocks on a pidfd, which becomes readable when the child exits: a worker waiting for a long
    submission uses no CPU (polling every 10 ms cost 1% of a core per worker). Polls where the
    kernel has no pidfds."""
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        fd = None
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return True, status
            left = deadline - time.monotonic()
            if left <= 0:
                return False, 0
            if fd is None:
                time.sleep(min(0.01, left))
            else:
                select.select([fd], [], [], left)
    finally:
        if fd is not None:
            os.close(fd)


def serve(job: dict) -> dict:
    start = time.monotonic()
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        _child(job)
    exited, status = _wait(pid, start + job["wall"])
    if not exited:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    _sweep(pid)
    return {"returncode": os.waitstatus_to_exitcode(status), "timed_out": not exited,
            "seconds": time.monotonic() - start}


def _not_dumpable() -> None:
    """Without ptrace capability (bubblewrap drops them all), a non-dumpable process cannot be
    traced, nor its memory or file descriptors read, by the submissions it forks."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
    except (OSError, AttributeError):
        pass


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    _not_dumpable()
    preload(argv)
    channel = sys.stdout
    print("READY", file=channel, flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        job = json.loads(line)
        reply = serve(job)
        reply["nonce"] = job.get("nonce")
        print(json.dumps(reply), file=channel, flush=True)
    # Nothing is left to flush or clean up (every child was swept): skip the interpreter's
    # teardown, which takes about a second with TensorFlow loaded.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
