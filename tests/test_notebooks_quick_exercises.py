"""Every exercise notebook, untouched, runs end to end headless with papermill, QUICK=True,
with no network, and reports only ⏳ (not attempted)."""

import pytest

from tests.offline import run_offline
from utils.paths import course_notebooks
from utils.runner import display_name

pytestmark = pytest.mark.notebooks


@pytest.fixture(scope="module")
def exercise_runs(tmp_path_factory):
    report = tmp_path_factory.mktemp("quick-exercises")
    return run_offline(["--kind", "notebooks", "--quick", "--jobs", "1"], report)


@pytest.mark.parametrize("path", course_notebooks("notebooks"), ids=display_name)
def test_exercise_runs_quick_offline_untouched_and_reports_not_attempted(exercise_runs, path):
    result = exercise_runs[display_name(path)]
    assert result["status"] == "ok", result["error"]
    assert result["checks"]["pending"] >= 3
    assert result["checks"]["passed"] == result["checks"]["failed"] == 0
