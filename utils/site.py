"""The course as a static website: Sphinx, myst-nb and sphinx-book-theme, built offline.

``build_site()`` (``make site``, ``mlcourse site``) writes a Sphinx source tree into the
workspace and builds HTML from it:

    workspace/site/source/   generated: conf.py, the home page, one page per module, and a copy
                             of every solution notebook with its stored outputs
    workspace/site/html/     the website: open html/index.html, or serve the folder

Nothing is executed (``nb_execution_mode = "off"``): the pages show the outputs stored in
``solutions/``, which nbval keeps true. The page list comes from ``course_notebooks()``, so a
new module appears as soon as its notebooks land. The home page renders the README's course
map (its one source), grouped by tier. In the copies, every solution cell (``### BEGIN
SOLUTION``) is folded behind a "Show the solution" toggle and the Colab bootstrap is left out;
each lesson page gets a box with its time, tier and links to the exercise notebook (a download
from the site), Binder and Colab. The notebooks in the repository are never changed.
"""

from __future__ import annotations

import argparse
import copy
import html
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from . import paths
from .colab import COURSE_REPO

SOLUTION_MARK = "### BEGIN SOLUTION"
BOOTSTRAP_MARK = "# Colab bootstrap:"
SHOW_SOLUTION = "Show the solution"
HIDE_SOLUTION = "Hide the solution"
TIER_ORDER = ["—", "Must-have", "Should-have", "Could-have", "Would-like"]
TIER_TITLES = {"—": "Start here"}


class SiteError(RuntimeError):
    """The site could not be built (a Sphinx error, or a README map that cannot be read)."""


def repo_slug(url: str = COURSE_REPO) -> str:
    """``owner/name`` of the course's GitHub repository, from the URL the Colab bootstrap uses."""
    match = re.fullmatch(r"https://github\.com/([^/]+/[^/]+?)(?:\.git)?/?", url)
    if not match:
        raise SiteError(f"COURSE_REPO is not a GitHub repository URL: {url!r}")
    return match.group(1)


def binder_url(notebook_id: str) -> str:
    """Binder opens the exercise notebook in JupyterLab (the repository's HEAD)."""
    return (f"https://mybinder.org/v2/gh/{repo_slug()}/HEAD?labpath="
            + quote(f"notebooks/{notebook_id}.ipynb", safe=""))


def colab_url(notebook_id: str) -> str:
    """Colab opens the exercise notebook from the main branch."""
    return (f"https://colab.research.google.com/github/{repo_slug()}/blob/main/"
            f"notebooks/{notebook_id}.ipynb")


# -- the course map, from README.md ---------------------------------------------------------
@dataclass(frozen=True)
class MapRow:
    """One row of the README's course map."""

    module: str          # "01 Python for ML" (carried down from the module's first row)
    lesson: str          # the notebook's title, or the planned module's description
    tier: str            # "Must-have", ..., or "—"
    status: str          # "ready", "planned", ...
    notebook_id: str | None  # "01_python_for_ml/01_numpy" for a row that links a notebook

    @property
    def module_number(self) -> str:
        return self.module.split()[0]


_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def course_map(readme: Path | None = None) -> list[MapRow]:
    """The README's course map (section "## Course map"), one ``MapRow`` per table row."""
    readme = readme or paths.REPO_ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    section = re.search(r"^## Course map\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    if not section:
        raise SiteError(f"{readme}: no '## Course map' section")
    lines = [line for line in section.group(1).splitlines() if line.startswith("|")]
    if len(lines) < 3 or _cells(lines[0]) != ["module", "notebook", "tier", "status"]:
        raise SiteError(f"{readme}: the course map is not a 'module | notebook | tier | status' "
                        "table")
    rows, module = [], ""
    for line in lines[2:]:
        cells = _cells(line)
        if len(cells) != 4:
            raise SiteError(f"{readme}: a course-map row without four cells: {line!r}")
        module = cells[0] or module
        if not module:
            raise SiteError(f"{readme}: the course map's first row names no module")
        links = _LINK.findall(cells[1])
        if links:
            title, target = links[0]
            notebook_id = re.sub(r"^(notebooks|solutions)/", "", target).removesuffix(".ipynb")
        else:
            title, notebook_id = cells[1], None
        rows.append(MapRow(module, title, cells[2], cells[3], notebook_id))
    return rows


def tier_title(tier: str) -> str:
    return TIER_TITLES.get(tier, tier)


def rows_by_tier(rows: list[MapRow]) -> dict[str, list[MapRow]]:
    """Rows grouped by tier, tiers in the course's order (any other tier after them)."""
    tiers = sorted({row.tier for row in rows},
                   key=lambda t: (TIER_ORDER.index(t) if t in TIER_ORDER else len(TIER_ORDER), t))
    return {tier: [row for row in rows if row.tier == tier] for tier in tiers}


# -- the lesson pages -----------------------------------------------------------------------
@dataclass(frozen=True)
class Lesson:
    notebook_id: str     # "01_python_for_ml/01_numpy"
    title: str
    time: str            # "about 45 minutes", from the intro cell's **Time:** line
    objectives: list[str]

    @property
    def module_folder(self) -> str:
        return self.notebook_id.split("/")[0]


def lesson_info(notebook) -> tuple[str, str, list[str]]:
    """Title (plain text), time and objectives of a notebook, from its title and intro cells."""
    markdown = [c.source for c in notebook.cells if c.cell_type == "markdown"]
    title = next((m.group(1).strip() for text in markdown
                  if (m := re.match(r"#\s+(.+)", text))), "")
    title = title.replace("`", "")  # plain text, as the page's heading reads
    intro = next((text for text in markdown if "## Learning objectives" in text), "")
    time_match = re.search(r"\*\*Time:?\*\*:?\s*(.+)", intro)
    objectives: list[str] = []
    for line in intro.split("## Learning objectives", 1)[-1].strip("\n").splitlines():
        if line.startswith("- "):
            objectives.append(line[2:].strip())
        elif line.startswith("  ") and objectives:
            objectives[-1] += " " + line.strip()
        else:
            break  # the list ends at its first other line
    return title, (time_match.group(1).strip() if time_match else ""), objectives


def _rewrite_links(source: str, notebook_id: str) -> str:
    """Links that leave solutions/: README.md goes to the site's home page (it renders the
    course map); any other file of the repository to its page on GitHub."""
    base = paths.SOLUTIONS_DIR / notebook_id

    def replace(match: re.Match) -> str:
        text, target = match.group(1), match.group(2)
        if re.match(r"[a-z]+:|#", target) or target.split("#")[0].endswith(".ipynb"):
            return match.group(0)
        file, _, anchor = target.partition("#")
        resolved = (base.parent / file).resolve()
        if not resolved.is_relative_to(paths.REPO_ROOT):
            return match.group(0)
        relative = resolved.relative_to(paths.REPO_ROOT).as_posix()
        if relative == "README.md":
            return f"[{text}](../index.md)"
        url = f"https://github.com/{repo_slug()}/blob/main/{relative}"
        return f"[{text}]({url}{'#' + anchor if anchor else ''})"

    return _LINK.sub(replace, source)


def info_box(lesson: Lesson, tier: str) -> str:
    """The box under a lesson's title: time, tier and the three ways to open the exercise."""
    module, name = lesson.notebook_id.split("/")
    download = f"../notebooks/{module}/{name}.ipynb"
    tier_text = f' · <span class="lesson-tier">{html.escape(tier)}</span>' if tier else ""
    return (
        '<div class="lesson-info">\n'
        f'<p class="lesson-time">⏱ {html.escape(lesson.time or "—")}{tier_text}</p>\n'
        '<p class="lesson-links">Do the exercises: '
        f'<a class="lesson-download" href="{download}" download="{name}.ipynb">'
        'exercise notebook (.ipynb)</a> · '
        f'<a class="lesson-binder" href="{html.escape(binder_url(lesson.notebook_id))}">'
        'open in Binder</a> · '
        f'<a class="lesson-colab" href="{html.escape(colab_url(lesson.notebook_id))}">'
        'open in Colab</a></p>\n'
        '</div>'
    )


def site_notebook(notebook, lesson: Lesson, tier: str):
    """The copy a lesson page is built from: solutions folded, bootstrap left out, links box."""
    import nbformat

    notebook = copy.deepcopy(notebook)
    cells = []
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.source.startswith(BOOTSTRAP_MARK):
            continue  # a no-op outside Colab; the box links to Colab instead
        if cell.cell_type == "code" and SOLUTION_MARK in cell.source:
            tags = cell.metadata.setdefault("tags", [])
            if "hide-input" not in tags:
                tags.append("hide-input")
            cell.metadata["mystnb"] = {"code_prompt_show": SHOW_SOLUTION,
                                       "code_prompt_hide": HIDE_SOLUTION}
        if cell.cell_type == "markdown":
            cell.source = _rewrite_links(cell.source, lesson.notebook_id)
        cells.append(cell)
    first_heading = next(i for i, c in enumerate(cells) if c.cell_type == "markdown")
    cells.insert(first_heading + 1, nbformat.v4.new_markdown_cell(info_box(lesson, tier)))
    for cell in cells:
        cell.pop("id", None)  # the inserted cell has a fresh id; keep the copy deterministic
    notebook.cells = cells
    notebook.nbformat_minor = 4
    return notebook


# -- the source tree -----------------------------------------------------------------------
CONF = '''\
# Generated by utils/site.py; edit it there.
project = {project!r}
html_show_copyright = False
html_show_sphinx = False
extensions = ["myst_nb", "sphinx.ext.githubpages"]  # githubpages: writes .nojekyll
exclude_patterns = ["_extra", "**.ipynb_checkpoints"]
suppress_warnings = ["mystnb.unknown_mime_type"]
nb_execution_mode = "off"
smartquotes = False  # the text as the notebooks and README write it
nb_merge_streams = True
myst_heading_anchors = 3
html_theme = "sphinx_book_theme"
html_title = {project!r}
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_extra_path = ["_extra"]
html_last_updated_fmt = None
html_show_sourcelink = False
html_copy_source = False
html_theme_options = {{
    "repository_url": {repository!r},
    "use_repository_button": True,
    "use_download_button": False,  # it offers the page's source; the lesson box offers the exercise
    "show_navbar_depth": 1,
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "footer_content_items": [],
}}
'''

CSS = """\
/* Generated by utils/site.py. */
.lesson-info { border-left: 4px solid var(--pst-color-primary); padding: 0.4rem 1rem;
  margin: 0 0 1.2rem; background: var(--pst-color-surface); }
.lesson-info p { margin: 0.3rem 0; }
.lesson-tier { font-weight: 600; }
details.hide.above-input summary { font-weight: 600; }
"""


def module_titles(rows: list[MapRow]) -> dict[str, str]:
    """``"01"`` -> ``"01 Python for ML"``, from the map's module column."""
    return {row.module_number: row.module for row in reversed(rows)}


def module_title(folder: str, titles: dict[str, str]) -> str:
    number, _, words = folder.partition("_")
    return titles.get(number) or f"{number} {words.replace('_', ' ').capitalize()}"


def home_page(rows: list[MapRow], lessons: dict[str, Lesson], modules: list[str]) -> str:
    """The home page: the course map by tier (from README.md) and the navigation tree."""
    titles = module_titles(rows)
    out = ["# Machine-learning engineering, the course", "",
           "A notebook-based course: each lesson explains, shows a runnable demo and gives you "
           "exercises with checks. Every page shows a lesson with its stored outputs; the code "
           "of each exercise's solution is folded, so try it yourself first: each page links "
           "the exercise notebook (download, Binder, Colab).", "",
           "## Course map", "",
           "Tiers follow how often an ML engineer uses a skill: **Must-have** (daily), "
           "**Should-have**, **Could-have**, **Would-like**.", ""]
    for tier, tier_rows in rows_by_tier(rows).items():
        out += [f"### {tier_title(tier)}", "", "| module | lesson | status |", "|---|---|---|"]
        for row in tier_rows:
            if row.notebook_id in lessons:
                lesson = doc_link(row.lesson, row.notebook_id)
            else:
                lesson = row.lesson.replace("|", "\\|")
            out.append(f"| {row.module} | {lesson} | {row.status} |")
        out.append("")
    # The sidebar: one caption per tier, the modules of that tier under it.
    module_tier = {row.module_number: row.tier for row in reversed(rows)}
    grouped: dict[str, list[str]] = {}
    for folder in modules:
        tier = module_tier.get(folder.split("_")[0], "")
        grouped.setdefault(tier, []).append(folder)
    order = sorted(grouped, key=lambda t: (TIER_ORDER.index(t) if t in TIER_ORDER
                                           else len(TIER_ORDER), t))
    for tier in order:
        caption = tier_title(tier) or "More modules"
        out += ["```{toctree}", ":hidden:", ":maxdepth: 2", f":caption: {caption}", ""]
        out += [f"{module_title(folder, titles)} <{folder}/index>" for folder in grouped[tier]]
        out += ["```", ""]
    return "\n".join(out)


def doc_link(text: str, target: str) -> str:
    """A MyST {doc} link; its text cannot hold backticks (a title's `code`) or a table's |."""
    text = text.replace("`", "").replace("|", "\\|")
    return f"{{doc}}`{text} <{target}>`"


def module_page(folder: str, title: str, lessons: list[Lesson]) -> str:
    out = [f"# {title}", "", "| lesson | time |", "|---|---|"]
    out += [f"| {doc_link(lesson.title, lesson.notebook_id.split('/')[1])} | {lesson.time} |"
            for lesson in lessons]
    out += ["", "```{toctree}", ":hidden:", ""]
    out += [lesson.notebook_id.split("/")[1] for lesson in lessons]
    out += ["```", ""]
    return "\n".join(out)


def _write(path: Path, text: str) -> None:
    """Write only what changed, so Sphinx rebuilds only the pages that did."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def write_source(source: Path, notebooks: list[Path] | None = None,
                 readme: Path | None = None) -> list[Lesson]:
    """Generate the Sphinx source tree in ``source``; return the lessons it has pages for."""
    import nbformat

    notebooks = paths.course_notebooks("solutions") if notebooks is None else notebooks
    rows = course_map(readme)
    tiers = {row.notebook_id: row.tier for row in rows if row.notebook_id}
    lessons: dict[str, Lesson] = {}
    wanted: set[Path] = set()
    for path in notebooks:
        notebook_id = paths.notebook_id(path)
        notebook = nbformat.read(path, as_version=4)
        title, minutes, objectives = lesson_info(notebook)
        lesson = Lesson(notebook_id, title or notebook_id, minutes, objectives)
        lessons[notebook_id] = lesson
        target = source / f"{notebook_id}.ipynb"
        _write(target, nbformat.writes(site_notebook(notebook, lesson, tiers.get(notebook_id,
                                                                                   ""))))
        wanted.add(target)
        exercise = paths.NOTEBOOKS_DIR / f"{notebook_id}.ipynb"
        if not exercise.exists():
            raise SiteError(f"{exercise} is missing: run make notebooks")
        copied = source / "_extra" / "notebooks" / f"{notebook_id}.ipynb"
        _write(copied, exercise.read_text(encoding="utf-8"))
        wanted.add(copied)
    modules = sorted({lesson.module_folder for lesson in lessons.values()})
    titles = module_titles(rows)
    for folder in modules:
        page = source / folder / "index.md"
        _write(page, module_page(folder, module_title(folder, titles),
                                 [lesson for lesson in lessons.values()
                                  if lesson.module_folder == folder]))
        wanted.add(page)
    generated = {
        "index.md": home_page(rows, lessons, modules),
        "conf.py": CONF.format(project="ML engineering course",
                               repository=f"https://github.com/{repo_slug()}"),
        "_static/course.css": CSS,
    }
    for name, text in generated.items():
        _write(source / name, text)
        wanted.add(source / name)
    for stale in [p for p in source.rglob("*") if p.is_file() and p not in wanted]:
        stale.unlink()  # a notebook that left the course leaves the site too
    for folder in sorted((p for p in source.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    return list(lessons.values())


def build_site(out: Path | None = None, notebooks: list[Path] | None = None,
               readme: Path | None = None) -> Path:
    """Build the website into ``out/html`` (default: the workspace's ``site/``); return it.

    Raises ``SiteError`` with Sphinx's output when the build fails, or, for the whole course,
    when it warns (a broken cross-reference, a missing image): the site is held to having none.
    A subset (``notebooks``) may link to lessons it leaves out, so its warnings are printed only.
    """
    out = Path(out) if out is not None else paths.workspace("site")
    source, html_dir, doctrees = out / "source", out / "html", out / "doctrees"
    before = {p for p in source.rglob("*") if p.is_file()}
    write_source(source, notebooks, readme)
    if before - {p for p in source.rglob("*") if p.is_file()}:
        # A page left the site: Sphinx would keep its old HTML, so build afresh.
        shutil.rmtree(html_dir, ignore_errors=True)
        shutil.rmtree(doctrees, ignore_errors=True)
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-d", str(doctrees),
               *(["--fail-on-warning", "--keep-going"] if notebooks is None else []),
               "-q", str(source), str(html_dir)]
    done = subprocess.run(command, cwd=out, capture_output=True, text=True)
    if done.returncode != 0:
        raise SiteError(f"sphinx-build failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    print(done.stdout + done.stderr, end="", file=sys.stderr)  # -q: warnings only
    return html_dir


def main(args: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mlcourse site", description=(
        "Build the course website from the solution notebooks' stored outputs."))
    parser.add_argument("--out", type=Path, default=None,
                        help="where to build (default: the workspace's site/ folder)")
    parser.add_argument("--notebook", action="append", default=[], metavar="MODULE/NOTEBOOK",
                        help="only this notebook (repeatable), for a quick look")
    options = parser.parse_args(args)
    notebooks = None
    if options.notebook:
        notebooks = [paths.SOLUTIONS_DIR / f"{nb.removesuffix('.ipynb')}.ipynb"
                     for nb in options.notebook]
        missing = [str(p) for p in notebooks if not p.exists()]
        if missing:
            parser.error(f"no such solution notebook: {', '.join(missing)}")
    started = time.perf_counter()
    try:
        html_dir = build_site(options.out, notebooks)
    except SiteError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"site built in {time.perf_counter() - started:.1f} s: {html_dir / 'index.html'}\n"
          f"open it: python -m http.server -d {html_dir}  (then http://localhost:8000)")
    return 0
