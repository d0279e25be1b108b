"""The course website (`make site`): built once, offline, from the whole course, then read.

The build runs `python -m utils.cli site` in a network namespace with no network (as the
offline notebook runs do), into a temporary folder. The whole course builds in seconds (no
notebook is executed), so the test builds all of it, not a subset. What it proves: every
lesson has a page with its time, objectives and links (download, Binder, Colab); every
internal link, anchor, image, script and stylesheet resolves inside the site; nothing is
loaded from another host; the solution code of each exercise is folded; and the home page's
course map is the README's, by tier.
"""

from __future__ import annotations

import functools
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest
from bs4 import BeautifulSoup

from tests.offline import offline_prefix
from utils import site
from utils.paths import REPO_ROOT, course_notebooks, notebook_id


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("site")
    try:
        prefix = offline_prefix()
    except pytest.skip.Exception as reason:  # no namespaces here: build, but say so
        print(f"building the site with the network: {reason}")
        prefix = []
    status_before = git_status()
    started = time.perf_counter()
    done = subprocess.run([*prefix, sys.executable, "-m", "utils.cli", "site", "--out", str(out)],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - started
    assert done.returncode == 0, done.stdout + done.stderr
    assert git_status() == status_before, "the build changed files in the repository"
    print(f"\nsite built in {seconds:.1f} s ({'offline' if prefix else 'online'}): {out}")
    return {"out": out, "html": out / "html", "seconds": seconds, "log": done.stdout + done.stderr}


def git_status() -> str:
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"],
                          cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout


@functools.cache
def soup(path: Path) -> BeautifulSoup:
    """A page, parsed once (tests only read it)."""
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def lesson_page(built, path: Path) -> Path:
    return built["html"] / f"{notebook_id(path)}.html"


def solution_cells(path: Path) -> list:
    notebook = nbformat.read(path, as_version=4)
    return [c for c in notebook.cells if c.cell_type == "code" and site.SOLUTION_MARK in c.source]


LESSONS = course_notebooks("solutions")
LESSON_IDS = [notebook_id(p) for p in LESSONS]


def test_the_build_is_quiet_and_its_sources_stay_in_its_folder(built):
    assert "site built in" in built["log"]
    assert "WARNING" not in built["log"], built["log"]  # and --fail-on-warning held it to that
    assert (built["out"] / "source" / "conf.py").exists()  # the source tree is generated there
    assert not (REPO_ROOT / "conf.py").exists()
    assert (built["html"] / ".nojekyll").exists()  # GitHub Pages serves _static/ and _images/


@pytest.mark.parametrize("path", LESSONS, ids=LESSON_IDS)
def test_every_lesson_has_a_page_with_time_objectives_and_links(built, path):
    page = lesson_page(built, path)
    assert page.exists(), f"no page for {path}"
    html = soup(page)
    title, minutes, objectives = site.lesson_info(nbformat.read(path, as_version=4))
    assert html.find("h1").get_text().rstrip("#") == title
    assert minutes and minutes in html.select_one(".lesson-info .lesson-time").get_text()
    section = html.find(id="learning-objectives")
    assert section is not None, "no Learning objectives section"
    assert len(section.find("ul").find_all("li", recursive=False)) == len(objectives) >= 3
    nb_id = notebook_id(path)
    download = html.select_one(".lesson-info a.lesson-download")
    file = (page.parent / download["href"]).resolve()
    assert file.read_bytes() == (REPO_ROOT / "notebooks" / f"{nb_id}.ipynb").read_bytes()
    slug = "mlcourse-org/ml-engineering-course"
    assert html.select_one("a.lesson-binder")["href"] == (
        f"https://mybinder.org/v2/gh/{slug}/HEAD?labpath=notebooks%2F"
        + nb_id.replace("/", "%2F") + ".ipynb")
    assert html.select_one("a.lesson-colab")["href"] == (
        f"https://colab.research.google.com/github/{slug}/blob/main/notebooks/{nb_id}.ipynb")


def test_the_links_use_the_repository_of_the_colab_bootstrap():
    from utils.colab import COURSE_REPO

    assert COURSE_REPO == "https://github.com/mlcourse-org/ml-engineering-course.git"
    assert site.repo_slug() == "mlcourse-org/ml-engineering-course"
    with pytest.raises(site.SiteError, match="not a GitHub repository"):
        site.repo_slug("https://example.org/course.git")


@pytest.mark.parametrize("path", LESSONS, ids=LESSON_IDS)
def test_solution_code_is_folded_and_the_rest_is_not(built, path):
    html = soup(lesson_page(built, path))
    folded = html.select("details.hide.above-input")
    expected = solution_cells(path)
    assert len(folded) == len(expected) >= 1
    for details in folded:
        assert not details.has_attr("open")
        assert details.find("summary").get_text(" ", strip=True).startswith(site.SHOW_SOLUTION)
        assert "### BEGIN SOLUTION" in details.select_one(".cell_input").get_text()
    for block in html.select(".cell_input"):
        inside = block.find_parent("details") is not None
        assert ("### BEGIN SOLUTION" in block.get_text()) == inside
    # The Colab bootstrap (a no-op outside Colab) is left out; the stored outputs are shown.
    assert "Colab bootstrap" not in html.get_text()


@pytest.mark.parametrize("path", LESSONS, ids=LESSON_IDS)
def test_every_stored_figure_is_on_its_page(built, path):
    notebook = nbformat.read(path, as_version=4)
    figures = sum("image/png" in output.get("data", {}) for cell in notebook.cells
                  if cell.cell_type == "code" for output in cell.outputs)
    page = lesson_page(built, path)
    images = soup(page).select(".cell_output img")
    assert len(images) == figures
    for image in images:
        file = page.parent / unquote(image["src"])
        assert file.exists() and file.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", image["src"]


def test_every_internal_link_anchor_and_asset_resolves_and_nothing_is_external(built):
    root = built["html"]
    pages = sorted(p for p in root.rglob("*.html") if "_static" not in p.relative_to(root).parts)
    ids = {page: {tag["id"] for tag in soup(page).find_all(id=True)} for page in pages}
    broken, external, checked = [], [], 0
    for page in pages:
        html = soup(page)
        for tag, attribute in (("a", "href"), ("img", "src"), ("script", "src"),
                               ("link", "href")):
            for element in html.find_all(tag, attrs={attribute: True}):
                target = element[attribute]
                parts = urlsplit(target)
                if parts.scheme in ("http", "https") or target.startswith("//"):
                    if tag != "a":  # a script, stylesheet or image from another host
                        external.append(f"{page.relative_to(root)}: {target}")
                    continue
                if parts.scheme in ("mailto", "javascript"):
                    continue
                file = (page.parent / unquote(parts.path)).resolve() if parts.path else page
                checked += 1
                if not file.is_file() or not file.is_relative_to(root):
                    broken.append(f"{page.relative_to(root)}: {target}")
                elif parts.fragment and file.suffix == ".html" and \
                        unquote(parts.fragment) not in ids[file]:
                    broken.append(f"{page.relative_to(root)}: {target} (no such anchor)")
    assert checked > 1000
    assert not broken, "\n".join(broken)
    assert not external, "\n".join(external)


def test_the_pages_link_their_neighbours_and_the_search_works_offline(built):
    root = built["html"]
    order = ["index"]
    for module in sorted({i.split("/")[0] for i in LESSON_IDS}):
        order += [f"{module}/index", *[i for i in LESSON_IDS if i.startswith(module + "/")]]
    for before, after in zip(order, order[1:], strict=False):
        html = soup(root / f"{before}.html")
        following = html.find("link", rel="next")
        assert following is not None, before
        assert (root / before).parent.joinpath(following["href"]).resolve() == \
            (root / f"{after}.html").resolve(), (before, following["href"])
    assert (root / "search.html").exists()
    index = (root / "searchindex.js").read_text(encoding="utf-8")
    assert "confusion" in index.lower()  # lesson text is indexed for the built-in search


def test_the_sidebar_groups_the_modules_by_tier(built):
    html = soup(built["html"] / "index.html")
    captions = [c.get_text(strip=True) for c in html.select(".bd-sidenav .caption-text, "
                                                            "nav .caption .caption-text")]
    assert captions[:2] == ["Start here", "Must-have"], captions


def home_rows(built) -> list[tuple[str, str, str, str]]:
    html = soup(built["html"] / "index.html")
    rows = []
    for section in html.select("section#course-map > section"):
        tier = section.find(re.compile("h[1-6]")).get_text().rstrip("#")
        for row in section.select("tbody tr"):
            module, lesson, status = (cell.get_text(" ", strip=True) for cell in row.find_all("td"))
            rows.append((tier, module, lesson, status))
    return rows


def test_the_home_page_shows_the_readme_course_map_by_tier(built):
    readme = site.course_map()
    assert len(readme) >= 20 and any(row.status == "planned" for row in readme)
    grouped = site.rows_by_tier(readme)
    expected = [(site.tier_title(tier), row.module, row.lesson, row.status)
                for tier, rows in grouped.items() for row in rows]
    assert home_rows(built) == expected
    assert [t for t, *_ in expected[:1]] == ["Start here"]
    # Each lesson in the map links to its page.
    html = soup(built["html"] / "index.html")
    linked = {a["href"].removesuffix(".html") for a in html.select("section#course-map a")
              if "reference" in a.get("class", [])}
    assert {row.notebook_id for row in readme if row.notebook_id} <= linked


def test_the_course_map_parser_reads_rows_and_refuses_a_broken_map(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(
        "# Course\n\n## Course map\n\n| module | notebook | tier | status |\n|---|---|---|---|\n"
        "| 01 Python | [NumPy](notebooks/01_p/01_numpy.ipynb) · [solution](solutions/01_p/"
        "01_numpy.ipynb) | Must-have | ready |\n"
        "| | [pandas](notebooks/01_p/02_pandas.ipynb) · [solution](solutions/01_p/02_pandas.ipynb)"
        " | Must-have | ready |\n| 07 Tuning | Optuna, schedules | Should-have | planned |\n\n"
        "## Next\n")
    rows = site.course_map(readme)
    assert [(r.module, r.lesson, r.notebook_id, r.tier, r.status) for r in rows] == [
        ("01 Python", "NumPy", "01_p/01_numpy", "Must-have", "ready"),
        ("01 Python", "pandas", "01_p/02_pandas", "Must-have", "ready"),
        ("07 Tuning", "Optuna, schedules", None, "Should-have", "planned")]
    readme.write_text("# Course\n\n## Something else\n")
    with pytest.raises(site.SiteError, match="no '## Course map' section"):
        site.course_map(readme)


def test_a_subset_build_drops_the_pages_of_lessons_it_leaves_out(tmp_path, capsys):
    welcome = REPO_ROOT / "solutions" / "00_start_here" / "01_welcome.ipynb"
    numpy = REPO_ROOT / "solutions" / "01_python_for_ml" / "01_numpy.ipynb"
    html = site.build_site(tmp_path, [welcome, numpy])
    assert (html / "01_python_for_ml" / "01_numpy.html").exists()
    html = site.build_site(tmp_path, [welcome])
    assert (html / "00_start_here" / "01_welcome.html").exists()
    assert not (html / "01_python_for_ml").exists()
    assert not (tmp_path / "source" / "01_python_for_ml").exists()


def test_the_cli_names_a_notebook_that_does_not_exist(capsys):
    with pytest.raises(SystemExit) as stopped:
        site.main(["--notebook", "01_python_for_ml/99_nothing"])
    assert stopped.value.code == 2
    assert "no such solution notebook" in capsys.readouterr().err


def test_make_site_calls_the_cli():
    dry_run = subprocess.run(["make", "--no-print-directory", "-n", "-o", ".venv/.installed",
                              "site"], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert dry_run.stdout.strip() == ".venv/bin/python -m utils.cli site"


def test_a_link_text_drops_backticks_and_escapes_table_bars():
    from utils.site import doc_link

    assert doc_link("TorchScript and `torch.export`", "03_x") == \
        "{doc}`TorchScript and torch.export <03_x>`"
    assert doc_link("a | b", "x") == "{doc}`a \\| b <x>`"
