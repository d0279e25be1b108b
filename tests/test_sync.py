"""notebooks/ is generated: regenerating it from solutions/ must change nothing."""

from utils.generator import generate


def test_exercise_notebooks_are_in_step_with_solutions():
    drift = generate(check_only=True)
    assert drift == [], f"run `make notebooks`: {drift}"
