"""Exercises are generated from solutions: placeholders keep names defined, outputs go;
regenerating never loses what a learner did in an exercise notebook."""

import nbformat
import pytest
from nbclient import NotebookClient

from utils.generator import (
    METADATA_KEY,
    GeneratorError,
    assigned_names,
    content_hash,
    exercise_source,
    generate,
    make_exercise,
    solution_code,
)
from utils.paths import REPO_ROOT, course_notebooks


def test_each_assigned_name_gets_a_placeholder():
    source = "\n".join([
        "data = load()",
        "### BEGIN SOLUTION",
        "mean, (low, high) = data.mean(), (0, 1)",
        "model: object = fit(data)",
        "### END SOLUTION",
        "q1.check(mean, model)",
    ])
    assert exercise_source(source) == "\n".join([
        "data = load()",
        "mean = ...  # your code here",
        "low = ...  # your code here",
        "high = ...  # your code here",
        "model = ...  # your code here",
        "q1.check(mean, model)",
    ])


def test_a_block_inside_a_function_keeps_its_indentation():
    source = "def f(x):\n    ### BEGIN SOLUTION\n    y = x * 2\n    ### END SOLUTION\n    return y"
    assert exercise_source(source) == "def f(x):\n    y = ...  # your code here\n    return y"


def test_defs_imports_loops_and_with_targets_count_as_assignments():
    code = "import numpy as np\ndef g(): pass\nclass C: pass\nfor i in range(2): pass\n" \
           "with open('f') as fh: pass\nx += 1\nobj.attr = 3"
    assert assigned_names(code) == ["np", "g", "C", "i", "fh"]


def test_a_block_that_assigns_nothing_becomes_pass():
    assert exercise_source("### BEGIN SOLUTION\nprint(1)\n### END SOLUTION") == \
        "pass  # your code here"


@pytest.mark.parametrize("source, problem", [
    ("### BEGIN SOLUTION\nx = 1", "never closed"),
    ("x = 1\n### END SOLUTION", "without"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "inside another"),
    ("### BEGIN SOLUTION\nx = (\n### END SOLUTION", "does not parse"),
])
def test_malformed_markers_are_reported(source, problem):
    with pytest.raises(GeneratorError, match=problem):
        exercise_source(source)


def test_the_exercise_notebook_has_no_outputs_and_keeps_tags():
    solution = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("SEED = 1", metadata={"tags": ["parameters"]})
    work = nbformat.v4.new_code_cell("### BEGIN SOLUTION\nx = 2\n### END SOLUTION\nq1.check(x)",
                                     execution_count=3)
    work.outputs = [nbformat.v4.new_output("stream", text="✅ q1: correct!\n")]
    solution.cells = [nbformat.v4.new_markdown_cell("# T"), params, work]
    exercise = make_exercise(solution)
    assert exercise.cells[1].metadata["tags"] == ["parameters"]
    code = exercise.cells[2]
    assert code.outputs == [] and code.execution_count is None
    assert code.source == "x = ...  # your code here\nq1.check(x)"
    nbformat.validate(exercise)


def test_solution_code_says_when_there_is_none():
    assert "no marked solution" in solution_code("01_python_for_ml/01_numpy", "q99")
    assert "not available" in solution_code("99_missing/01_none", "q1")


# --- provenance: a generated notebook says so in its metadata ---------------------------------

@pytest.mark.parametrize("path", course_notebooks("notebooks"), ids=lambda p: p.name)
def test_committed_exercises_say_where_they_come_from_and_are_unedited(path):
    notebook = nbformat.read(path, as_version=4)
    provenance = notebook.metadata[METADATA_KEY]
    source = f"solutions/{path.relative_to(REPO_ROOT / 'notebooks').as_posix()}"
    assert provenance["generated_from"] == source
    assert (REPO_ROOT / provenance["generated_from"]).exists()
    assert provenance["content_hash"] == content_hash(notebook)


@pytest.mark.parametrize("path", course_notebooks("solutions"), ids=lambda p: p.name)
def test_solutions_are_sources_not_generated(path):
    assert METADATA_KEY not in nbformat.read(path, as_version=4).metadata


def test_running_a_cell_or_typing_an_answer_changes_the_content_hash():
    exercise = make_exercise(small_solution("x = 2"))
    before = content_hash(exercise)
    exercise.cells[1].execution_count = 1
    assert content_hash(exercise) != before
    exercise.cells[1].execution_count = None
    exercise.cells[1].metadata["collapsed"] = True  # what a front end keeps: not work
    assert content_hash(exercise) == before
    exercise.cells[1].source = exercise.cells[1].source.replace("...", "2")
    assert content_hash(exercise) != before


# --- regenerating next to a learner's work -----------------------------------------------------

def small_solution(answer: str, title: str = "# Lesson",
                   after: str = "print(x)") -> nbformat.NotebookNode:
    solution = nbformat.v4.new_notebook()
    solution.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    solution.cells = [
        nbformat.v4.new_markdown_cell(title),
        nbformat.v4.new_code_cell(f"### BEGIN SOLUTION\n{answer}\n### END SOLUTION\n{after}"),
    ]
    for number, cell in enumerate(solution.cells):
        cell.id = f"cell-{number}"  # as in a real solution: stable ids
    return solution


@pytest.fixture
def course(tmp_path):
    """A tiny course: one solution, its generated exercise, and a place for backups."""
    class Course:
        solutions = tmp_path / "solutions"
        notebooks = tmp_path / "notebooks"
        backups = tmp_path / "backups"
        solution = solutions / "01_m" / "01_a.ipynb"
        exercise = notebooks / "01_m" / "01_a.ipynb"

        def generate(self, check_only=False):
            return generate(check_only, solutions=self.solutions, notebooks=self.notebooks,
                            backups=self.backups)

        def write_solution(self, answer, title="# Lesson"):
            self.solution.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(small_solution(answer, title), self.solution)

        def backed_up(self):
            return sorted(self.backups.glob("*/notebooks/01_m/*.ipynb"))

    c = Course()
    c.write_solution("x = 2")
    assert c.generate() == ["written: notebooks/01_m/01_a.ipynb"]
    return c


def answer_and_run(path):
    """What a learner does: replace the placeholder with an answer, then run the notebook."""
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[1].source = notebook.cells[1].source.replace("x = ...", "x = 40 + 2")
    NotebookClient(notebook, kernel_name="python3", timeout=60).execute()
    nbformat.write(notebook, path)
    return notebook


def test_an_untouched_exercise_is_simply_regenerated(course):
    course.write_solution("x = 3", title="# Lesson, revised")
    assert course.generate() == ["written: notebooks/01_m/01_a.ipynb"]
    assert "revised" in nbformat.read(course.exercise, as_version=4).cells[0].source
    assert course.backed_up() == []


def test_a_learners_answers_stay_in_place_while_the_solution_is_unchanged(course):
    mine = answer_and_run(course.exercise)
    assert mine.cells[1].outputs[0]["text"] == "42\n"
    text = course.exercise.read_text()
    assert course.generate() == [
        "kept: notebooks/01_m/01_a.ipynb (your changes; its solution has not changed)"]
    assert course.exercise.read_text() == text and course.backed_up() == []


def test_a_changed_solution_saves_the_learners_notebook_before_writing_the_new_one(course):
    answer_and_run(course.exercise)
    course.write_solution("x = 3", title="# Lesson, revised")
    (line,) = course.generate()
    (saved,) = course.backed_up()
    assert line.startswith("written: notebooks/01_m/01_a.ipynb; your version is saved as ")
    assert line.endswith(saved.relative_to(course.backups.parent).as_posix())
    kept = nbformat.read(saved, as_version=4)
    assert "x = 40 + 2" in kept.cells[1].source and kept.cells[1].outputs  # answer and run
    new = nbformat.read(course.exercise, as_version=4)
    assert "revised" in new.cells[0].source and new.cells[1].outputs == []


def test_running_the_notebook_without_editing_counts_as_the_learners_work(course):
    notebook = nbformat.read(course.exercise, as_version=4)
    NotebookClient(notebook, kernel_name="python3", timeout=60).execute()
    nbformat.write(notebook, course.exercise)
    course.write_solution("x = 3", title="# Lesson, revised")
    course.generate()
    (saved,) = course.backed_up()
    assert nbformat.read(saved, as_version=4).cells[1].execution_count == 1


def test_check_mode_reports_an_edited_exercise_and_touches_nothing(course):
    answer_and_run(course.exercise)
    text = course.exercise.read_text()
    (line,) = course.generate(check_only=True)
    assert "changed since it was generated" in line
    assert course.exercise.read_text() == text


def test_an_exercise_without_provenance_is_treated_as_the_learners(course):
    notebook = nbformat.read(course.exercise, as_version=4)
    del notebook.metadata[METADATA_KEY]  # e.g. written by an older generator, then edited
    notebook.cells[1].source = "x = 41\nprint(x)"
    nbformat.write(notebook, course.exercise)
    course.generate()
    (saved,) = course.backed_up()
    assert "x = 41" in saved.read_text()


def test_a_notebook_whose_solution_is_gone_is_removed_only_if_untouched(course):
    other = course.solutions / "01_m" / "02_b.ipynb"
    nbformat.write(small_solution("x = 5"), other)
    course.generate()
    answer_and_run(course.exercise)
    course.solution.unlink()
    other.unlink()
    lines = course.generate()
    assert not (course.notebooks / "01_m" / "02_b.ipynb").exists()
    assert "removed: notebooks/01_m/02_b.ipynb (its solution is gone)" in lines
    assert not course.exercise.exists()  # moved, not deleted
    (saved,) = course.backed_up()
    assert "x = 40 + 2" in saved.read_text()


def test_a_learners_own_notebook_is_never_touched(course):
    own = course.notebooks / "01_m" / "my_notes.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), own)
    text = own.read_text()
    assert course.generate() == ["left alone: notebooks/01_m/my_notes.ipynb "
                                 "(not generated from a solution)"]
    assert own.read_text() == text
    assert course.generate(check_only=True) == [
        "notebooks/01_m/my_notes.ipynb (not generated from a solution)"]
