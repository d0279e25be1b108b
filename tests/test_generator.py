"""Exercises are generated from solutions: placeholders keep names defined, outputs go."""

import nbformat
import pytest

from utils.generator import (
    GeneratorError,
    assigned_names,
    exercise_source,
    make_exercise,
    solution_code,
)


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
