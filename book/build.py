"""Builds the course's book site: a static HTML site (Jupyter Book 1: Sphinx and MyST-NB) of every
chapter, offline, from the solutions notebooks executed, with every exercise shown as its student
stub, so the site shows the narrative, mathematics, plots and demo outputs but never an answer.

Usage::

    python book/build.py [--chapters 00_welcome 02_cnn_math] [--out build/book] [--fast]

For each chapter notebook the released copy (course/) is taken, its exercise cells are filled with
the reference solutions (solutions/), it is executed, and then every exercise cell is put back to
its stub and the check cells lose their outputs. Executed notebooks are cached by content under
``OUT/executed``, so a rebuild after a text edit re-runs only the notebooks that changed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
CHAPTER = re.compile(r"^\d\d_[a-z][a-z0-9_]*$")
# Bumped when the way a notebook is turned into a page changes: cached pages are then remade.
PAGE_FORMAT = 2


def _grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def chapter_pages(chapters: list[str] | None) -> list[tuple[str, list[str]]]:
    """``(chapter, [notebook file names])`` of the chapters released in course/ (a chapter with no
    release has no stubs to show, so it is left out rather than shown with its answers)."""
    found = sorted(p.name for p in (ROOT / "solutions").iterdir() if CHAPTER.match(p.name))
    wanted = chapters or found
    unknown = sorted(set(wanted) - set(found))
    if unknown:
        raise SystemExit(f"book: no such chapter in solutions/: {', '.join(unknown)}")
    pages = []
    for chapter in wanted:
        names = sorted(p.name for p in (ROOT / "solutions" / chapter).glob("*.ipynb"))
        released = [n for n in names if (ROOT / "course" / chapter / n).is_file()]
        missing = sorted(set(names) - set(released))
        if missing:
            print(f"book: {chapter}: not released in course/ yet, left out: {', '.join(missing)}")
        if released:
            pages.append((chapter, released))
    return pages


def runnable_copy(chapter: str, name: str):
    """The released notebook with its exercise cells filled in from the solutions."""
    course = nbformat.read(ROOT / "course" / chapter / name, as_version=4)
    solutions = nbformat.read(ROOT / "solutions" / chapter / name, as_version=4)
    answers = {_grade_id(c): c.source for c in solutions.cells
               if _nbgrader(c).get("solution") and c.cell_type == "code"}
    stubs = {}
    for cell in course.cells:
        gid = _grade_id(cell)
        if cell.cell_type == "code" and _nbgrader(cell).get("solution") and gid in answers:
            stubs[gid] = cell.source
            cell.source = answers[gid]
    return course, stubs


def as_page(executed, stubs: dict[str, str]):
    """The executed notebook as the book shows it: exercises back to their stubs (no outputs),
    check cells without outputs (they would report on the reference, not on the reader's code),
    no stderr noise (library warnings) and no execution counts."""
    for cell in executed.cells:
        if cell.cell_type != "code":
            continue
        meta = _nbgrader(cell)
        gid = _grade_id(cell)
        if gid in stubs:
            cell.source = stubs[gid]
            cell.outputs = []
        elif meta.get("grade") and not meta.get("solution"):
            cell.outputs = []
        cell.outputs = [o for o in cell.outputs
                        if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
        cell.execution_count = None
        for output in cell.outputs:
            if "execution_count" in output:
                output["execution_count"] = None
    return executed


def _mathjax2(markdown: str) -> str:
    """The few LaTeX environments JupyterLab's MathJax 3 knows (mathtools) and the site's offline
    MathJax 2 does not, written in what MathJax 2 knows."""
    for kind, (left, right) in {"psmallmatrix": ("(", ")"), "bsmallmatrix": ("[", "]")}.items():
        markdown = markdown.replace(f"\\begin{{{kind}}}", f"\\left{left}\\begin{{smallmatrix}}")
        markdown = markdown.replace(f"\\end{{{kind}}}", f"\\end{{smallmatrix}}\\right{right}")
    return markdown


def _kernel_env() -> dict[str, str]:
    env = dict(os.environ, MEDAI_OFFLINE="1", TF_CPP_MIN_LOG_LEVEL="3", PYTHONWARNINGS="ignore")
    # Plots must reach the page: the kernel's own inline backend, not a file-only one (Agg).
    env.pop("MPLBACKEND", None)
    env.pop("MEDAI_REQUIRE_FULL_MARKS", None)
    return env


def execute(chapter: str, name: str, cache: Path, timeout: int):
    """The page of one notebook, from the cache when neither notebook nor settings changed."""
    from nbclient import NotebookClient

    digest = hashlib.sha256(f"{PAGE_FORMAT}|{os.environ.get('MEDAI_FAST', '')}".encode())
    for path in (ROOT / "course" / chapter / name, ROOT / "solutions" / chapter / name):
        digest.update(path.read_bytes())
    cached = cache / chapter / f"{Path(name).stem}.{digest.hexdigest()[:16]}.ipynb"
    if cached.is_file():
        return nbformat.read(cached, as_version=4), True
    notebook, stubs = runnable_copy(chapter, name)
    # Run where the chapter's files are, as a learner would (data files sit beside the notebook).
    workdir = ROOT / "course" / chapter
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(_kernel_env())
    try:
        NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(workdir)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    page = as_page(notebook, stubs)
    cached.parent.mkdir(parents=True, exist_ok=True)
    for old in cached.parent.glob(f"{Path(name).stem}.*.ipynb"):
        old.unlink()
    nbformat.write(page, cached)
    return page, False


def _title(notebook) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return "(untitled)"


def landing_page(pages: list[tuple[str, list[str]]], titles: dict[str, str]) -> str:
    rows = []
    for chapter, names in pages:
        for i, name in enumerate(names):
            # The title stays Markdown (its formulas render); the link is a word beside it, since
            # a cross-reference's text would show a formula's LaTeX source.
            title = titles[f"{chapter}/{name}"].replace("|", "\\|")
            rows.append(f"| {f'`{chapter}`' if i == 0 else ''} | {title} | "
                        f"{{doc}}`read <{chapter}/{Path(name).stem}>` |")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = next((p.strip() for p in readme.split("\n\n")[1:] if p.strip()
                  and not p.lstrip().startswith(("#", "|", "```", "-", "<"))), "")
    return "\n".join([
        "# Medical AI from the ground up", "",
        first, "",
        "This site shows every chapter as a reader sees it: the clinical problem, the mathematics, "
        "the demonstrations with their plots and outputs. The exercises are shown as you receive "
        "them, with their docstrings and an empty body: to write them and have them checked, "
        "clone the course and run `make lab` (see the README).", "",
        "## Course map", "",
        "| chapter | page | |", "|---|---|---|", *rows, "",
        "Use the search box (top left) to find a term across all chapters.", "",
    ])


def stage(pages, cache: Path, src: Path, timeout: int) -> dict[str, bool]:
    """Write the book's sources into ``src``: config, table of contents, landing page, pages."""
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    titles, ran = {}, {}
    for chapter, names in pages:
        for name in names:
            start = time.monotonic()
            page, was_cached = execute(chapter, name, cache, timeout)
            ran[f"{chapter}/{name}"] = not was_cached
            print(f"book: {chapter}/{name}: "
                  + ("cached" if was_cached else f"executed in {time.monotonic() - start:.0f} s"),
                  flush=True)
            for cell in page.cells:
                if cell.cell_type == "markdown":
                    cell.source = _mathjax2(cell.source)
            titles[f"{chapter}/{name}"] = _title(page)
            (src / chapter).mkdir(exist_ok=True)
            nbformat.write(page, src / chapter / name)
            for extra in (ROOT / "course" / chapter).iterdir():  # images the text refers to
                if extra.suffix.lower() in {".png", ".jpg", ".jpeg", ".svg", ".gif"}:
                    shutil.copy(extra, src / chapter / extra.name)
    (src / "intro.md").write_text(landing_page(pages, titles), encoding="utf-8")
    toc = ["format: jb-book", "root: intro", "chapters:"]
    for chapter, names in pages:
        stems = [Path(n).stem for n in names]
        toc.append(f"- file: {chapter}/{stems[0]}")
        if len(stems) > 1:
            toc.append("  sections:")
            toc += [f"  - file: {chapter}/{s}" for s in stems[1:]]
    (src / "_toc.yml").write_text("\n".join(toc) + "\n", encoding="utf-8")
    shutil.copy(BOOK / "_config.yml", src / "_config.yml")
    return ran


def build(chapters: list[str] | None, out: Path, timeout: int = 900) -> Path:
    """Build the site into ``out/_build/html``; returns the path of its index page."""
    pages = chapter_pages(chapters)
    if not pages:
        raise SystemExit("book: no released chapter to build")
    src = out / "src"
    stage(pages, out / "executed", src, timeout)
    site = out / "_build"
    if site.exists():
        shutil.rmtree(site)
    proc = subprocess.run([str(Path(sys.executable).parent / "jupyter-book"), "build", str(src),
                           "--path-output", str(out), "--builder", "html", "--quiet"],
                          cwd=src, env=_kernel_env(), text=True, capture_output=True)
    if proc.returncode:
        raise SystemExit(f"book: jupyter-book failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    # MathJax from a Python package (jupyter-server-mathjax), served by the site itself: Sphinx's
    # default loads it from a CDN, and the site must work offline. Copied after the build, because
    # Jupyter Book adds every script found in the sources' _static/ to every page.
    import jupyter_server_mathjax

    mathjax = Path(jupyter_server_mathjax.__file__).parent / "static"
    shutil.copytree(mathjax, site / "html" / "_static" / "mathjax",
                    ignore=shutil.ignore_patterns("*.md", "unpacked", "test"))
    return site / "html" / "index.html"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chapters", nargs="*", help="chapter ids (default: every chapter)")
    parser.add_argument("--out", default=str(ROOT / "build" / "book"), help="output folder")
    parser.add_argument("--timeout", type=int, default=900, help="seconds a cell may run")
    args = parser.parse_args(argv)
    start = time.monotonic()
    index = build(args.chapters, Path(args.out).resolve(), args.timeout)
    print(f"book: built in {time.monotonic() - start:.0f} s: {index}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
