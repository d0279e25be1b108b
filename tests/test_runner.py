"""The course runner: selection, parameters, parallel papermill runs and the report."""

from pathlib import Path

import nbformat
import pytest

from utils import runner


def write_notebook(path: Path, *sources: str) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    params = nbformat.v4.new_code_cell("SEED = 0\nQUICK = False", metadata={"tags": ["parameters"]})
    notebook.cells = [params] + [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(notebook, path)
    return path


def test_selection_by_kind_module_and_notebook():
    every = runner.select_notebooks("all")
    solutions = runner.select_notebooks("solutions")
    assert len(every) == 2 * len(solutions) > 0
    one = runner.select_notebooks("solutions", notebook="01_python_for_ml/01_numpy")
    assert [p.name for p in one] == ["01_numpy.ipynb"]
    module = runner.select_notebooks("notebooks", module="01_python_for_ml")
    assert module and all(p.parent.name == "01_python_for_ml" for p in module)


@pytest.mark.parametrize("kwargs, message", [
    ({"notebook": "01_python_for_ml/99_nothing"}, "no notebook matches"),
    ({"module": "42_astrology"}, "no notebook matches"),
    ({"kind": "drafts"}, "--kind must be"),
])
def test_bad_selection_is_a_clear_error(kwargs, message):
    with pytest.raises(runner.RunnerError, match=message):
        runner.select_notebooks(**kwargs)


def test_an_unknown_parameter_is_refused_before_anything_runs(tmp_path):
    notebook = write_notebook(tmp_path / "n.ipynb", "print(SEED)")
    with pytest.raises(runner.RunnerError, match="no parameter EPOCHS; its parameters are SEED"):
        runner.run_course([notebook], {"EPOCHS": 3}, report_dir=tmp_path / "r")


def test_command_line_values_are_python_literals_or_strings():
    assert runner.parse_value("True") is True
    assert runner.parse_value("0.5") == 0.5
    assert runner.parse_value("http://127.0.0.1:5000") == "http://127.0.0.1:5000"


@pytest.mark.notebooks
def test_a_run_reports_status_time_memory_checks_metrics_and_the_failing_cell(tmp_path):
    good = write_notebook(
        tmp_path / "good.ipynb",
        "import numpy as np\nbig = np.ones(40_000_000)  # 320 MB\nprint(f'{SEED} {QUICK}')",
        "from utils import record_metric\nfrom utils.exercises import Exercise, expect\n"
        "q1 = Exercise('q1', '99_runner/good', lambda v: expect(v == 1, 'no'), hints=['h'])\n"
        "q2 = Exercise('q2', '99_runner/good', lambda v: expect(v == 2, 'no'), hints=['h'])\n"
        "q3 = Exercise('q3', '99_runner/good', lambda v: expect(v == 3, 'no'), hints=['h'])\n"
        "q1.check(0)\nq1.check(1)  # fixed: only the latest result counts\nq2.check(...)\n"
        "q3.check(0)\nprint('✅ q9: correct! (printed text is not a check result)')\n"
        "record_metric('accuracy', 0.91, bar=0.9)",
    )
    bad = write_notebook(tmp_path / "bad.ipynb", "x = 1", "raise ValueError('broken on purpose')")
    results = runner.run_course([good, bad], {"SEED": 7, "QUICK": True}, jobs=2,
                                report_dir=tmp_path / "report", progress=False)
    ok, failed = results
    assert ok.status == "ok" and ok.error is None
    assert ok.checks == {"passed": 1, "failed": 1, "pending": 1}  # read from progress.jsonl
    assert ok.metrics == [{"name": "accuracy", "value": 0.91, "bar": 0.9, "ok": True}]
    assert ok.peak_mb > 320  # the kernel's peak memory, not the runner's
    assert ok.quick and ok.seconds > 0
    executed = nbformat.read(ok.output, as_version=4)
    assert "7 True" in str(executed.cells)  # parameters reached the kernel
    assert failed.status == "failed"
    assert failed.checks == {"passed": 0, "failed": 0, "pending": 0}
    assert failed.error.endswith("cell 2 (`raise ValueError('broken on purpose')`): "
                                 "ValueError: broken on purpose")
    assert "bad.ipynb" in failed.error

    report = runner.write_report(results, tmp_path / "report", {"QUICK": True})
    text = report.read_text()
    assert "broken on purpose" in text and "accuracy 0.910 (ok)" in text
    for name in ("report.html", "results.json", "runtimes.png"):
        assert (tmp_path / "report" / name).stat().st_size > 0


def test_the_command_line_exits_2_with_a_message_on_bad_input(capsys):
    assert runner.main(["--notebook", "nope/nothing"]) == 2
    assert "no notebook matches 'nope/nothing'" in capsys.readouterr().err


@pytest.mark.notebooks
def test_the_terminal_shows_no_kernel_chatter_which_goes_to_a_log(tmp_path, capfd):
    notebook = write_notebook(tmp_path / "quiet.ipynb", "import sys\nprint('to stderr', "
                              "file=sys.__stderr__)")
    [result] = runner.run_course([notebook], {}, jobs=1, report_dir=tmp_path / "report",
                                 progress=False)
    assert result.status == "ok"
    terminal = capfd.readouterr()
    assert "Kernel is running over TCP" not in terminal.err + terminal.out
    assert "to stderr" not in terminal.err + terminal.out
    [log] = (tmp_path / "report" / "logs").glob("*quiet.log")
    assert "to stderr" in log.read_text()  # what the kernel wrote to the real terminal is kept


def test_the_html_report_escapes_error_text(tmp_path):
    result = runner.Result(notebook="n.ipynb", status="failed", seconds=1.0, peak_mb=10.0,
                           checks={"passed": 0, "failed": 0, "pending": 0}, metrics=[],
                           error="n.ipynb, cell 1: ValueError: <script>alert(1)</script>",
                           output=str(tmp_path / "n.ipynb"), quick=False)
    runner.write_report([result], tmp_path, {})
    page = (tmp_path / "report.html").read_text()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("platform, ru_maxrss", [("linux", 512 * 1024),
                                                   ("darwin", 512 * 1024 * 1024)])
def test_peak_memory_is_in_megabytes_on_linux_and_macos(monkeypatch, platform, ru_maxrss):
    monkeypatch.setattr(runner.sys, "platform", platform)
    usage = type("Usage", (), {"ru_maxrss": ru_maxrss})()
    monkeypatch.setattr(runner.resource, "getrusage", lambda who: usage)
    assert runner.peak_child_memory_mb() == 512.0


def test_a_notebook_may_state_its_own_budget_with_a_reason(tmp_path):
    path = tmp_path / "server.ipynb"
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["mlcourse_budget"] = {"quick": 40, "reason": "starts a real server"}
    nbformat.write(notebook, path)
    assert runner.budget_s(path, quick=True) == 40
    assert runner.budget_s(path, quick=False) == runner.BUDGET_S["default"]
    slow = runner.Result(notebook="server.ipynb", status="ok", seconds=30.0, peak_mb=10.0,
                         checks={"passed": 1, "failed": 0, "pending": 0}, metrics=[],
                         error=None, output=str(path), quick=True, budget_s=40.0)
    assert slow.within_budget
    assert "40" in runner.results_table([slow]).to_markdown()
    plain = runner.Result(**{**slow.__dict__, "budget_s": 0.0})
    assert not plain.within_budget  # 30 s is over the course's 15 s QUICK budget
