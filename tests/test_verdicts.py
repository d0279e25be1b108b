"""Verdicts live in one module; the engine records them, progress and the runner read them."""

import ast
from pathlib import Path

import pytest

import utils
from utils import exercises, progress, verdicts

UTILS = Path(utils.__file__).parent


@pytest.fixture(autouse=True)
def fresh_workspace(monkeypatch, tmp_path):
    monkeypatch.setenv("MLCOURSE_WORKSPACE", str(tmp_path))
    return tmp_path


def test_one_set_of_names_everywhere():
    assert exercises.PASSED is verdicts.PASSED and exercises.SYMBOLS is verdicts.SYMBOLS
    assert set(verdicts.SYMBOLS) == set(verdicts.LABELS) == set(verdicts.STATUSES)


def test_results_are_counted_by_the_latest_result_of_each_exercise(tmp_path):
    verdicts.record("99_test/01_x", "q1", verdicts.FAILED)
    verdicts.record("99_test/01_x", "q1", verdicts.PASSED)
    verdicts.record("99_test/01_x", "q2", verdicts.PENDING)
    verdicts.record("99_test/02_y", "q1", verdicts.FAILED)
    with open(tmp_path / verdicts.PROGRESS_FILE, "a") as handle:
        handle.write('{"notebook": "99_test/01_x", "exercise": "q3", "status": "bogus"}\n{"no')
    assert verdicts.count_results(tmp_path) == {"passed": 1, "failed": 1, "pending": 1}
    assert verdicts.count_results(tmp_path / "elsewhere") == {"passed": 0, "failed": 0,
                                                             "pending": 0}
    assert progress.latest_results() == verdicts.latest_results(tmp_path)


def test_an_unknown_status_is_refused():
    with pytest.raises(ValueError, match="status must be one of"):
        verdicts.record("99_test/01_x", "q1", "correct")


def _imports(path: Path, anywhere: bool) -> set[str]:
    """The utils modules that ``path`` imports (at module level, or anywhere)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = ast.walk(tree) if anywhere else tree.body
    found = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return found


def test_the_engine_and_progress_do_not_import_each_other_in_a_cycle():
    assert "progress" not in _imports(UTILS / "exercises.py", anywhere=True)
    assert "verdicts" in _imports(UTILS / "exercises.py", anywhere=False)
    assert "exercises" in _imports(UTILS / "progress.py", anywhere=False)  # at the top, no
    # deferred import needed


def test_module_level_imports_inside_utils_have_no_cycle():
    graph = {p.stem: _imports(p, anywhere=False) for p in UTILS.glob("*.py")}

    def visit(module, path):
        assert module not in path, f"import cycle: {' -> '.join(path + [module])}"
        for other in graph.get(module, ()):
            visit(other, path + [module])

    for module in graph:
        visit(module, [])
