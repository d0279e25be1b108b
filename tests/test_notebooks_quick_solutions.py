"""Every solution runs end to end headless with papermill, QUICK=True, with no network, in
strict mode, and reports only ✅."""

import pytest

from tests.offline import run_offline
from utils.paths import course_notebooks
from utils.runner import display_name

pytestmark = pytest.mark.notebooks


@pytest.fixture(scope="module")
def solution_runs(tmp_path_factory):
    report = tmp_path_factory.mktemp("quick-solutions")
    return run_offline(["--kind", "solutions", "--quick", "--strict", "--jobs", "1"], report)


@pytest.mark.parametrize("path", course_notebooks("solutions"), ids=display_name)
def test_solution_runs_quick_offline_and_every_check_passes(solution_runs, path):
    result = solution_runs[display_name(path)]
    assert result["status"] == "ok", result["error"]
    assert result["checks"]["passed"] >= 3
    assert result["checks"]["failed"] == result["checks"]["pending"] == 0
