"""`make update` takes the course's new commits into a learner's clone and keeps their answers.

Each test builds a small course repository (the "upstream"), clones it as a learner would,
changes both sides, then updates the learner's clone. Nothing leaves the temporary folder.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.test_generator import small_solution
from utils.generator import generate
from utils.paths import REPO_ROOT
from utils.update import UpdateError, update

GIT_ENV = os.environ | {
    "GIT_AUTHOR_NAME": "Course", "GIT_AUTHOR_EMAIL": "course@example.org",
    "GIT_COMMITTER_NAME": "Course", "GIT_COMMITTER_EMAIL": "course@example.org",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, check=True,
                          capture_output=True, text=True).stdout


class Upstream:
    """The course as published: solutions, generated exercises, the Makefile."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir()
        git(root, "init", "-q", "-b", "main")
        shutil.copy(REPO_ROOT / "Makefile", root / "Makefile")
        (root / ".gitignore").write_text("backups/\n")
        for name in ("01_a", "02_b", "03_c"):
            self.write_solution(name, f"# Lesson {name}")
        self.publish("first version")

    def write_solution(self, name: str, title: str, after: str = "print(x)") -> None:
        path = self.root / "solutions" / "01_m" / f"{name}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(small_solution("x = 2", title, after), path)

    def publish(self, message: str) -> None:
        generate(solutions=self.root / "solutions", notebooks=self.root / "notebooks",
                 backups=self.root / "backups")
        git(self.root, "add", "-A")
        git(self.root, "commit", "-q", "-m", message)


def answer(path: Path, value: str = "40 + 2", run: bool = True) -> str:
    """Type an answer in a learner's notebook (and record a run); return the file's text."""
    notebook = nbformat.read(path, as_version=4)
    cell = notebook.cells[1]
    cell.source = cell.source.replace("x = ...", f"x = {value}")
    if run:
        cell.execution_count = 1
        cell.outputs = [nbformat.v4.new_output("stream", text="42\n")]
    nbformat.write(notebook, path)
    return path.read_text()


@pytest.fixture
def clones(tmp_path):
    upstream = Upstream(tmp_path / "upstream")
    learner = tmp_path / "learner"
    git(tmp_path, "clone", "-q", str(upstream.root), str(learner))
    return upstream, learner


def notebook(root: Path, name: str) -> Path:
    return root / "notebooks" / "01_m" / f"{name}.ipynb"


def test_make_update_brings_the_new_lessons_and_keeps_the_learners_answers(clones):
    upstream, learner = clones
    # The learner answers a and b, deletes c to start it over, keeps notes of their own,
    # and happens to have a notebook at the path of a lesson the course is about to add.
    mine_a = answer(notebook(learner, "01_a"))
    mine_b = answer(notebook(learner, "02_b"))
    notebook(learner, "03_c").unlink()
    notes = notebook(learner, "my_notes")
    nbformat.write(nbformat.v4.new_notebook(), notes)
    mine_d = "my own d\n"
    notebook(learner, "04_d").write_text(mine_d)
    # The course revises b and c and adds d.
    upstream.write_solution("02_b", "# Lesson 02_b, revised")
    upstream.write_solution("03_c", "# Lesson 03_c, revised")
    upstream.write_solution("04_d", "# Lesson 04_d")
    upstream.publish("revise b and c, add d")

    # The README's command, run in the learner's clone with this project's Python.
    result = subprocess.run(
        ["make", "-o", ".venv/.installed", "update", f"BIN={Path(sys.executable).parent}"],
        cwd=learner, env=GIT_ENV | {"PYTHONPATH": str(REPO_ROOT)}, capture_output=True,
        text=True)
    assert result.returncode == 0, result.stderr
    (backup,) = (learner / "backups").iterdir()

    assert git(learner, "rev-parse", "HEAD") == git(upstream.root, "rev-parse", "HEAD")
    assert notebook(learner, "01_a").read_text() == mine_a  # untouched upstream: in place
    b = nbformat.read(notebook(learner, "02_b"), as_version=4)
    assert "revised" in b.cells[0].source  # the new lesson in place ...
    assert "x = 40 + 2" in b.cells[1].source and b.cells[1].outputs  # ... with the answer
    saved_b = backup / "notebooks" / "01_m" / "02_b.ipynb"
    assert saved_b.read_text() == mine_b  # and the learner's whole version beside it
    assert "revised" in notebook(learner, "03_c").read_text()  # deleted: fresh copy
    assert notes.exists()  # the learner's own notebook stays
    assert "Lesson 04_d" in notebook(learner, "04_d").read_text()
    assert (backup / "notebooks" / "01_m" / "04_d.ipynb").read_text() == mine_d
    out = result.stdout
    assert "Course updated" in out
    assert "updated notebooks/01_m/02_b.ipynb with your work carried over (your previous " \
           f"version is in backups/{backup.name}/notebooks/01_m/02_b.ipynb)" in out
    assert f"updated notebooks/01_m/04_d.ipynb; your version is in backups/{backup.name}/" \
           "notebooks/01_m/04_d.ipynb" in out
    assert "kept your changes to notebooks/01_m/01_a.ipynb" in out
    assert git(learner, "status", "--porcelain").splitlines() == [
        " M notebooks/01_m/01_a.ipynb", " M notebooks/01_m/02_b.ipynb",
        "?? notebooks/01_m/my_notes.ipynb"]


def test_a_cell_both_sides_changed_gets_the_courses_version_and_is_reported(clones):
    upstream, learner = clones
    path = notebook(learner, "02_b")
    mine = answer(path)
    own = nbformat.read(path, as_version=4)
    own.cells.insert(1, nbformat.v4.new_markdown_cell("my note on the lesson"))
    nbformat.write(own, path)
    upstream.write_solution("02_b", "# Lesson 02_b, revised", after="print(x * 2)")
    upstream.publish("revise b, its exercise cell too")

    report = update(learner)
    (line,) = [line for line in report.lines() if "02_b" in line]
    assert "except 1 cell(s) that the course changed too" in line
    merged = nbformat.read(path, as_version=4)
    assert [c.source for c in merged.cells] == [
        "# Lesson 02_b, revised", "my note on the lesson",
        "x = ...  # your code here\nprint(x * 2)"]
    saved = report.backup_dir / "notebooks" / "01_m" / "02_b.ipynb"
    assert "x = 40 + 2" in saved.read_text() and "my note" in saved.read_text()
    assert mine != path.read_text()


def test_a_second_update_with_nothing_new_changes_nothing(clones):
    _, learner = clones
    mine = answer(notebook(learner, "01_a"))
    report = update(learner)
    assert report.lines() == ["Already up to date: no course changes to take."]
    assert notebook(learner, "01_a").read_text() == mine
    assert not (learner / "backups").exists()


def test_a_clone_with_commits_of_its_own_is_refused_untouched(clones):
    upstream, learner = clones
    answer(notebook(learner, "01_a"))
    git(learner, "commit", "-q", "-am", "my answers")
    mine_b = answer(notebook(learner, "02_b"))
    upstream.write_solution("02_b", "# Lesson 02_b, revised")
    upstream.publish("revise b")
    head = git(learner, "rev-parse", "HEAD")
    with pytest.raises(UpdateError, match="commits of its own.*Nothing was changed"):
        update(learner)
    assert git(learner, "rev-parse", "HEAD") == head
    assert notebook(learner, "02_b").read_text() == mine_b


def test_a_copy_that_follows_no_branch_is_told_what_to_do(tmp_path):
    alone = tmp_path / "alone"
    alone.mkdir()
    git(alone, "init", "-q", "-b", "main")
    with pytest.raises(UpdateError, match="no upstream"):
        update(alone)


def test_an_unfinished_merge_is_refused(clones):
    upstream, learner = clones
    git(learner, "commit", "-q", "--allow-empty", "-m", "mine")
    upstream.write_solution("02_b", "# Lesson 02_b, revised")
    upstream.publish("revise b")
    git(learner, "fetch", "-q")
    git(learner, "merge", "--no-commit", "--no-ff", "-q", "origin/main")
    with pytest.raises(UpdateError, match="merge is in progress"):
        update(learner)
