"""Structure lint: every notebook follows the anatomy in CONTRIBUTING.md (section 3)."""

import re

import nbformat
import pytest

from utils.colab import bootstrap
from utils.exercises import REGISTRY
from utils.paths import NOTEBOOKS_DIR, REPO_ROOT, SOLUTIONS_DIR, course_notebooks, notebook_id
from utils.progress import all_exercises

SOLUTIONS = course_notebooks("solutions")
EXERCISES = course_notebooks("notebooks")
ALL = SOLUTIONS + EXERCISES
ids = [notebook_id(p) for p in SOLUTIONS]

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
CHECK_CALL = re.compile(r"\b(q\d+)\.check\(")
ABSOLUTE_PATH = re.compile(r"(?<![\w.])(/home/|/root/|/tmp/|/work/|/Users/|[A-Z]:\\\\)")
SECRET = re.compile(r"AKIA[0-9A-Z]{16}|ghp_[0-9A-Za-z]{20,}|-----BEGIN [A-Z ]*PRIVATE KEY"
                    r"|(?i:(password|secret|token|api_key)\s*[=:]\s*['\"][^'\"]{6,})")


def read(path):
    return nbformat.read(path, as_version=4)


def output_texts(cell):
    for output in cell.get("outputs", []):
        if "text" in output:
            yield output["text"]
        for value in output.get("data", {}).values():
            if isinstance(value, str):
                yield value
        if output.get("output_type") == "error":
            yield "\n".join(output.get("traceback", []))


def test_the_course_has_the_welcome_and_module_01():
    assert "00_start_here/01_welcome" in ids
    assert sum(i.startswith("01_python_for_ml/") for i in ids) >= 5


@pytest.mark.parametrize("path", ALL, ids=str)
def test_names_are_numbered_in_learning_order(path):
    assert re.fullmatch(r"\d\d_[a-z0-9_]+", path.parent.name), path.parent.name
    assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", path.name), path.name


@pytest.mark.parametrize("path", SOLUTIONS, ids=ids)
def test_anatomy(path):
    cells = read(path).cells
    markdown = [c.source for c in cells if c.cell_type == "markdown"]
    code = [c for c in cells if c.cell_type == "code"]
    assert cells[0].cell_type == "markdown" and cells[0].source.startswith("# "), "title first"
    intro = cells[1].source
    for part in ("## Learning objectives", "**Prerequisites", "**Time:**"):
        assert part in intro, f"second cell lacks {part}"
    assert code[0].source == bootstrap(path), "first code cell must be utils.colab.bootstrap"
    tagged = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged parameters"
    assert re.search(r"^SEED = \d+", tagged[0].source, re.M)
    assert re.search(r"^QUICK = False", tagged[0].source, re.M)
    after = cells[cells.index(tagged[0]) + 1:]
    assert any("setup_course(seed=SEED, quick=QUICK)" in c.source for c in after)
    last = cells[-1]
    assert last.cell_type == "markdown" and last.source.startswith("## Summary")
    for part in ("What's next", "Further reading"):
        assert part in last.source, f"summary lacks {part}"
    assert sum(len(re.findall(r"^### Your turn", m, re.M)) for m in markdown) >= 3


@pytest.mark.parametrize("path", SOLUTIONS, ids=ids)
def test_every_exercise_is_checked_once_in_the_cell_that_holds_its_solution(path):
    notebook = notebook_id(path)
    assert notebook in all_exercises(), f"no check module in utils/checks/ for {notebook}"
    names = [e.name for e in REGISTRY[notebook]]
    assert len(names) >= 3
    checked = []
    for cell in read(path).cells:
        if cell.cell_type != "code":
            continue
        calls = CHECK_CALL.findall(cell.source)
        if "### BEGIN SOLUTION" in cell.source:
            assert len(calls) == 1, f"a solution cell needs one check call:\n{cell.source}"
        checked += calls
    assert sorted(checked) == sorted(names), "each exercise of the module checked exactly once"


@pytest.mark.parametrize("path", SOLUTIONS, ids=ids)
def test_solutions_were_run_top_to_bottom_without_errors(path):
    code = [c for c in read(path).cells if c.cell_type == "code"]
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), "re-run with `make execute`"
    for cell in code:
        assert all(o.output_type != "error" for o in cell.outputs), cell.source[:80]


@pytest.mark.parametrize("path", SOLUTIONS, ids=ids)
def test_solutions_have_a_figure(path):
    images = [o for c in read(path).cells for o in c.get("outputs", [])
              if "image/png" in o.get("data", {}) or "image/svg+xml" in o.get("data", {})]
    assert images, "every lesson shows at least one figure"


@pytest.mark.parametrize("path", SOLUTIONS, ids=ids)
def test_outputs_hold_no_absolute_paths_or_secrets(path):
    for cell in read(path).cells:
        for text in output_texts(cell):
            assert not ABSOLUTE_PATH.search(text), f"absolute path in output: {text[:200]}"
            assert str(REPO_ROOT) not in text
            assert not SECRET.search(text), "something like a secret in an output"


@pytest.mark.parametrize("path", SOLUTIONS, ids=ids)
def test_ignored_outputs_say_why(path):
    for cell in read(path).cells:
        tags = cell.metadata.get("tags", [])
        if any(t.startswith("nbval-ignore") or t == "nbval-skip" for t in tags):
            reason = cell.metadata.get("ignore_reason", "")
            assert len(reason) > 10, f"tagged {tags} without an ignore_reason:\n{cell.source}"


@pytest.mark.parametrize("path", EXERCISES, ids=str)
def test_exercise_notebooks_carry_no_outputs(path):
    for cell in read(path).cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("path", SOLUTIONS, ids=ids)
def test_relative_links_resolve(path):
    for cell in read(path).cells:
        if cell.cell_type != "markdown":
            continue
        for target in LINK.findall(cell.source):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            file = (path.parent / target.split("#")[0]).resolve()
            assert file.exists(), f"broken link {target}"
            if file.suffix == ".ipynb":
                assert file.is_relative_to(SOLUTIONS_DIR), f"link {target} leaves solutions/"


def test_readme_course_map_lists_every_notebook():
    readme = (REPO_ROOT / "README.md").read_text()
    for path in EXERCISES:
        relative = path.relative_to(REPO_ROOT).as_posix()
        assert f"]({relative})" in readme, f"README course map lacks {relative}"
    for target in LINK.findall(readme):
        if not re.match(r"[a-z]+:", target) and not target.startswith("#"):
            assert (REPO_ROOT / target.split("#")[0]).exists(), f"README: broken link {target}"


def test_every_check_module_belongs_to_a_notebook():
    assert set(all_exercises()) == set(ids), "a check module names a notebook that is missing"
    assert {notebook_id(p) for p in EXERCISES} == set(ids)
    assert NOTEBOOKS_DIR.is_dir()


@pytest.mark.parametrize("path", SOLUTIONS, ids=ids)
def test_papermill_can_read_every_parameter(path):
    """A parameters-cell line papermill cannot parse is silently not a parameter."""
    import papermill

    known = papermill.inspect_notebook(str(path))
    cell = next(c for c in read(path).cells if "parameters" in c.metadata.get("tags", []))
    assigned = re.findall(r"^([A-Z][A-Z0-9_]*)\s*=", cell.source, re.M)
    missed = set(assigned) - set(known)
    assert assigned and not missed, f"papermill cannot read {missed}: simplify those lines"


def test_the_repo_explains_itself():
    guide = (REPO_ROOT / "CONTRIBUTING.md").read_text()
    assert "## 10. Adding a module, step by step" in guide
    assert "](CONTRIBUTING.md)" in (REPO_ROOT / "README.md").read_text()
    outside = "COURSE_" + "DESIGN"  # the planning document beside the repo, never cited in it
    skip = {".venv", "workspace", "backups", ".git"}
    for path in REPO_ROOT.rglob("*"):
        parts = set(path.relative_to(REPO_ROOT).parts)
        if path.suffix in {".py", ".md", ".ipynb", ".cfg", ".toml", ".yml"} and not skip & parts:
            assert outside not in path.read_text(errors="ignore"), f"{path} cites {outside}"


@pytest.mark.parametrize("path", SOLUTIONS, ids=notebook_id)
def test_an_own_time_budget_says_why_and_stays_under_the_caps(path):
    from utils.runner import BUDGET_CAP_S, notebook_budget

    budget = notebook_budget(path)
    if not budget:
        return
    assert str(budget.get("reason", "")).strip(), "metadata.mlcourse_budget needs a reason"
    assert set(budget) <= {"default", "quick", "reason"}, budget
    for mode in ("default", "quick"):
        assert float(budget.get(mode, 0)) <= BUDGET_CAP_S[mode], (mode, budget)
