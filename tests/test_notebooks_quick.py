"""Every notebook runs end to end headless with papermill, QUICK=True, with no network.

Solutions run in strict mode and report only ✅; exercise notebooks, untouched, report only ⏳.
"""

import pytest

from tests.offline import run_offline
from utils.paths import REPO_ROOT, course_notebooks

pytestmark = pytest.mark.notebooks


def by_notebook(results):
    return {r["notebook"]: r for r in results}


@pytest.fixture(scope="module")
def solution_runs(tmp_path_factory):
    report = tmp_path_factory.mktemp("quick-solutions")
    return by_notebook(run_offline(["--kind", "solutions", "--quick", "--strict", "--jobs", "1"],
                                   report))


@pytest.fixture(scope="module")
def exercise_runs(tmp_path_factory):
    report = tmp_path_factory.mktemp("quick-exercises")
    return by_notebook(run_offline(["--kind", "notebooks", "--quick", "--jobs", "1"], report))


def name(path):
    return path.relative_to(REPO_ROOT).as_posix()


@pytest.mark.parametrize("path", course_notebooks("solutions"), ids=name)
def test_solution_runs_quick_offline_and_every_check_passes(solution_runs, path):
    result = solution_runs[name(path)]
    assert result["status"] == "ok", result["error"]
    assert result["checks"]["passed"] >= 3
    assert result["checks"]["failed"] == result["checks"]["pending"] == 0


@pytest.mark.parametrize("path", course_notebooks("notebooks"), ids=name)
def test_exercise_runs_quick_offline_untouched_and_reports_not_attempted(exercise_runs, path):
    result = exercise_runs[name(path)]
    assert result["status"] == "ok", result["error"]
    assert result["checks"]["pending"] >= 3
    assert result["checks"]["passed"] == result["checks"]["failed"] == 0
