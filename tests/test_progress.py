"""A learner's progress: every check recorded, one table for the whole course."""

import pytest

from utils import progress


@pytest.fixture(autouse=True)
def fresh_workspace(monkeypatch, tmp_path):
    monkeypatch.setenv("MLCOURSE_WORKSPACE", str(tmp_path))
    return tmp_path


def test_the_table_lists_every_notebook_with_checks():
    table = progress.progress_table()
    assert set(table["notebook"]) == set(progress.all_exercises())
    assert (table["exercises"] >= 3).all()
    assert (table["⏳ to do"] == table["exercises"]).all()  # nothing tried yet


def test_latest_result_wins_and_damaged_lines_are_skipped(fresh_workspace):
    notebook, names = next(iter(progress.all_exercises().items()))
    progress.record(notebook, names[0], "failed")
    progress.record(notebook, names[0], "passed")
    progress.record(notebook, names[1], "failed")
    with open(fresh_workspace / progress.PROGRESS_FILE, "a") as handle:
        handle.write('{"notebook": "half-writ')
    row = progress.progress_table().set_index("notebook").loc[notebook]
    assert (row["✅ passed"], row["❌ failing"]) == (1, 1)
    assert row["progress"].endswith(f"1/{len(names)}")


def test_show_progress_prints_a_course_total(capsys):
    progress.show_progress()
    assert "Course progress: 0/" in capsys.readouterr().out
