"""The book site (`make book`): built offline, it shows every chapter with its exercises as student
stubs, so no solution reaches it; in a real browser its formulas and plots render.

The suite builds two quick chapters into a temporary folder (well under a minute of notebook
execution); `make book` builds them all."""

from __future__ import annotations

import contextlib
import functools
import html
import http.server
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.browser import chromium
from tests.helpers import ROOT, load

CHAPTERS = ["00_welcome", "07_prognosis"]
# (page, a word its search should find): each page has formulas and at least one plot
PAGES = [("00_welcome/welcome.html", "prevalence"), ("07_prognosis/part1_survival.html", "Kaplan")]
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_REGIONS = [("### BEGIN SOLUTION", "### END SOLUTION"),
            ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")]
MIN_LINE = 12  # shorter lines ("return x", "pass") say nothing about a solution


def _normal(text: str) -> str:
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", text))).strip()


def site_text(site: Path) -> str:
    """Every text file of the built site (pages, search index, copied sources), tags stripped."""
    parts = []
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".js", ".txt", ".ipynb", ".json", ".md"} \
                and "mathjax" not in path.parts:
            parts.append(_normal(path.read_text(encoding="utf-8", errors="replace")))
    return "\n".join(parts)


def solution_bodies(chapter: str) -> list[tuple[str, list[str]]]:
    """``(where, lines)`` of every region between solution (and hidden-test) markers in the
    chapter's solutions notebooks, and every free-response model answer (a Markdown solution
    cell, which nbgrader replaces as a whole)."""
    bodies = []
    for path in sorted((ROOT / "solutions" / chapter).glob("*.ipynb")):
        for cell in load(path)["cells"]:
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            meta = cell.get("metadata", {}).get("nbgrader", {})
            where = f"{path.name}:{meta.get('grade_id', '?')}"
            if cell["cell_type"] == "markdown" and meta.get("solution"):
                bodies.append((where, source.splitlines()))
                continue
            for begin, end in _REGIONS:
                for block in re.findall(re.escape(begin) + r"(.*?)" + re.escape(end), source, re.S):
                    bodies.append((where, block.splitlines()))
    return bodies


def leaked(chapter: str, text: str) -> list[str]:
    """Solution lines found in ``text``. A line that the released notebook holds too (a demo cell
    repeating it, a docstring) is not a leak."""
    released = "\n".join(_normal("".join(c["source"])) for p in (ROOT / "course" / chapter)
                         .glob("*.ipynb") for c in load(p)["cells"])
    found = []
    for where, lines in solution_bodies(chapter):
        body = _normal("\n".join(lines))
        if len(body) >= MIN_LINE and body in text:
            found.append(f"{where}: the whole body")
        for line in map(_normal, lines):
            if len(line) >= MIN_LINE and not line.startswith("#") and line not in released \
                    and line in text:
                found.append(f"{where}: {line}")
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("book")
    proc = subprocess.run([sys.executable, str(ROOT / "book" / "build.py"), "--out", str(out),
                           "--chapters", *CHAPTERS], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out / "_build" / "html"


def test_leak_detector_finds_a_solution_line(tmp_path):
    """The check below can fail: a page holding one line of a solution is caught."""
    where, lines = next((w, ls) for w, ls in solution_bodies("00_welcome")
                        if any(len(_normal(x)) >= MIN_LINE for x in ls))
    line = next(x for x in lines if len(_normal(x)) >= MIN_LINE)
    (tmp_path / "page.html").write_text(f"<pre><span>{html.escape(line)}</span></pre>")
    assert leaked("00_welcome", site_text(tmp_path)), where


@pytest.mark.slow
def test_book_has_no_solution_and_loads_nothing_from_the_web(site):
    text = site_text(site)
    for chapter in CHAPTERS:
        assert solution_bodies(chapter)
        assert leaked(chapter, text) == []
        assert "raise NotImplementedError()" in text  # the stubs are shown instead
    pages = [p.read_text(encoding="utf-8") for p in site.rglob("*.html")]
    external = sorted({m for page in pages
                       for m in re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="(https?://[^"]+)"',
                                           page)})
    assert external == []
    assert (site / "search.html").is_file() and (site / "searchindex.js").is_file()
    landing = (site / "index.html").read_text(encoding="utf-8")
    if "intro.html" in landing and "Course map" not in landing:  # index redirects to intro
        landing = (site / "intro.html").read_text(encoding="utf-8")
    assert "Course map" in landing and "00_welcome/welcome.html" in landing


@contextlib.contextmanager
def _serve(folder: Path):
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keeps the test's output to what matters
        pass


_MATH_DONE = """() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0
    && MathJax.Hub.queue.running === 0
    && document.querySelectorAll('.MathJax, .MathJax_Display').length > 0"""


@pytest.mark.slow
def test_book_pages_render_formulas_plots_and_search(site, tmp_path):
    with _serve(site) as url, chromium(tmp_path / "chromium") as browser:
        page = browser.new_page()
        failed: list[str] = []
        # MathJax probes fonts with about:blank requests, and asks for a TeX font
        # (MathJax_AMS) that jupyter-server-mathjax does not ship before using its STIX-Web one:
        # both fail by design. Every other file the pages ask for must be there.
        # A request cut short because the test moved on to the next page (net::ERR_ABORTED:
        # MathJax may still be fetching font data) is not a missing file.
        page.on("requestfailed", lambda request: failed.append(request.url)
                if request.url.startswith("http") and "/mathjax/fonts/HTML-CSS/TeX/" not in
                request.url and request.failure != "net::ERR_ABORTED" else None)

        for path, _ in PAGES:
            page.goto(f"{url}/{path}")
            page.wait_for_function(_MATH_DONE, timeout=30_000)
            rendered = page.evaluate("() => document.querySelectorAll('.MathJax, .MathJax_Display')"
                                     ".length")
            errors = page.evaluate("() => document.querySelectorAll('.MathJax_Error, merror')"
                                   ".length")
            images = page.evaluate("() => Array.from(document.images).filter(i => i.src.includes"
                                   "('_images')).map(i => [i.complete, i.naturalWidth])")
            assert rendered >= 3 and errors == 0, (path, rendered, errors)
            assert images and all(done and width > 100 for done, width in images), (path, images)
            stem = Path(path).stem
            page.screenshot(path=str(tmp_path / f"book_{stem}.png"))
            page.locator("img[src*='_images']").first.scroll_into_view_if_needed()
            page.screenshot(path=str(tmp_path / f"book_{stem}_plot.png"))

        page.goto(f"{url}/index.html")
        page.get_by_role("heading", name="Course map").wait_for()
        page.screenshot(path=str(tmp_path / "book_landing.png"))
        page.locator("table a[href*='00_welcome/welcome']").first.click()
        page.wait_for_url("**/00_welcome/welcome.html*")

        for path, word in PAGES:
            page.goto(f"{url}/search.html?q={word}")
            page.wait_for_selector("#search-results li", timeout=30_000)
            hits = page.locator("#search-results li a").evaluate_all(
                "links => links.map(a => a.getAttribute('href'))")
            assert any(Path(path).stem in h for h in hits), (word, hits)
        assert failed == []
