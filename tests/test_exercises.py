"""The exercise engine: three verdicts, strict mode, hints, solutions and progress."""

import pytest

from utils import exercises, progress
from utils.exercises import CheckFailed, Exercise, attempted, expect


def is_three(value):
    expect(isinstance(value, int), "Give a whole number.")
    expect(value == 3, "That is not the number of sides of a triangle.")


def doubles(fn):
    expect(attempted(fn(2)) == 4, "double(2) should be twice 2.")


@pytest.fixture
def q1():
    return Exercise("q1", "99_test/01_engine", is_three, hints=["Think shapes.", "Triangle."])


@pytest.fixture(autouse=True)
def lenient(monkeypatch, tmp_path):
    monkeypatch.setenv(exercises.STRICT_ENV, "0")
    monkeypatch.setenv("MLCOURSE_WORKSPACE", str(tmp_path))
    yield
    exercises.REGISTRY.pop("99_test/01_engine", None)


def test_right_answer_prints_a_tick(q1, capsys):
    q1.check(3)
    assert capsys.readouterr().out == "✅ q1: correct!\n"


def test_wrong_answer_prints_feedback_and_points_to_hints(q1, capsys):
    q1.check(4)
    out = capsys.readouterr().out
    assert out.startswith("❌ q1: That is not the number of sides of a triangle.")
    assert "q1.hint()" in out


def test_placeholder_means_not_attempted(q1, capsys):
    q1.check(...)
    q1.check((1, ...))
    assert capsys.readouterr().out.count("⏳ q1: not attempted yet") == 2


def test_a_function_still_returning_the_placeholder_is_not_attempted(capsys):
    q = Exercise("q2", "99_test/01_engine", doubles, hints=["Multiply."])
    assert q.verdict(lambda x: ...)[0] == exercises.PENDING
    assert q.verdict(lambda x: x + 2)[0] == exercises.PASSED  # 2 + 2 == 2 * 2: lucky
    assert q.verdict(lambda x: x + 1)[0] == exercises.FAILED


def test_a_check_never_raises_for_the_learner_even_on_junk(q1, capsys):
    weird = Exercise("q3", "99_test/01_engine", lambda v: v.shape[7], hints=["h"])
    weird.check(object())
    out = capsys.readouterr().out
    assert out.startswith("❌ q3: your answer could not be checked (AttributeError")


def test_strict_mode_raises_on_anything_but_a_tick(q1, monkeypatch, capsys):
    monkeypatch.setenv(exercises.STRICT_ENV, "1")
    q1.check(3)
    with pytest.raises(CheckFailed, match="not the number of sides"):
        q1.check(4)
    with pytest.raises(CheckFailed, match="not attempted"):
        q1.check(...)


def test_hints_are_progressive_and_stop_at_the_last(q1, capsys):
    q1.hint()
    q1.hint()
    q1.hint()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "💡 q1 hint 1/2: Think shapes."
    assert lines[1] == lines[2] == "💡 q1 hint 2/2 (that was the last one): Triangle."


def test_an_exercise_needs_at_least_one_hint():
    with pytest.raises(ValueError, match="hint"):
        Exercise("q9", "99_test/01_engine", is_three, hints=[])


def test_every_check_is_recorded_for_progress(q1, capsys):
    q1.check(4)
    q1.check(3)
    assert progress.latest_results()[("99_test/01_engine", "q1")] == "passed"


def test_solution_shows_the_reference_code_from_the_solution_notebook(capsys):
    from utils.checks.m01_01_numpy import q1 as numpy_q1
    from utils.generator import solution_code

    code = solution_code("01_python_for_ml/01_numpy", "q1")
    assert code and "BEGIN SOLUTION" not in code and "(no marked solution" not in code
    numpy_q1.solution()
    assert code in capsys.readouterr().out


def test_a_demo_exercise_can_stay_out_of_the_course_registry():
    Exercise("demo", "99_test/02_demo", is_three, hints=["h"], register=False)
    assert "99_test/02_demo" not in exercises.REGISTRY
