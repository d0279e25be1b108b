"""Checks and hints: a rich form in Jupyter, today's plain text everywhere else, both compared
by nbval in the stored outputs."""

from __future__ import annotations

import os
import subprocess
import sys

import nbformat
import pytest

from utils import exercises, feedback
from utils.exercises import CheckFailed, Exercise, expect
from utils.feedback import Feedback
from utils.paths import REPO_ROOT, SOLUTIONS_DIR, course_notebooks

SANITIZE = REPO_ROOT / "tests" / "nbval_sanitize.cfg"


@pytest.fixture(autouse=True)
def lenient(monkeypatch, tmp_path):
    monkeypatch.setenv(exercises.STRICT_ENV, "0")
    monkeypatch.setenv("MLCOURSE_WORKSPACE", str(tmp_path))


def is_three(value):
    expect(value == 3, f"`{value}` is not the number of sides of a triangle.")


def test_plain_text_is_the_line_checks_always_printed():
    bundle = Feedback.verdict("passed", "q1", "correct! test accuracy 0.970.")._repr_mimebundle_()
    assert bundle["text/plain"] == "✅ q1: correct! test accuracy 0.970."
    hint = Feedback.hint("q1", 2, 2, "Use `np.exp`.", last=True)
    assert str(hint) == "💡 q1 hint 2/2 (that was the last one): Use `np.exp`."


@pytest.mark.parametrize("status, words, colour", [
    ("passed", "✅</span> <strong style=\"color: #2e7d32\">Correct</strong>", "#2e7d32"),
    ("failed", "❌</span> <strong style=\"color: #c62828\">Not yet</strong>", "#c62828"),
    ("pending", "⏳</span> <strong style=\"color: #8d6e00\">Not attempted</strong>", "#8d6e00"),
])
def test_the_rich_form_says_the_verdict_in_words_and_colour(status, words, colour):
    page = Feedback.verdict(status, "q2", "message").html()
    assert words in page and f"border-left: 4px solid {colour}" in page
    assert "white-space: normal" in page  # words wrap, never mid-word
    assert f'class="mlcourse-feedback mlcourse-{status}"' in page


def test_backticks_become_code_and_learner_text_is_escaped():
    message = "`y_pred` has <script>alert('x')</script> & \"quotes\"; use `a < b`."
    page = Feedback.verdict("failed", "q3", message).html()
    assert "<code>y_pred</code>" in page and "<code>a &lt; b</code>" in page
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;quotes&quot;" in page
    assert "`" not in page


def test_hints_say_which_hint_in_words():
    page = Feedback.hint("q1", 1, 3, "Think `shapes`.", last=False).html()
    assert "💡</span> <strong style=\"color: #1565c0\">Hint 1/3</strong>" in page
    assert "<code>shapes</code>" in page
    assert "Hint 3/3, the last one" in Feedback.hint("q1", 3, 3, "x", last=True).html()


def test_outside_a_kernel_checks_print_the_plain_line(capsys):
    q = Exercise("q1", "99_test/03_feedback", is_three, hints=["h"], register=False)
    assert not feedback.in_kernel()
    q.check(4)
    assert capsys.readouterr().out == (
        "❌ q1: `4` is not the number of sides of a triangle. (stuck? try q1.hint())\n")


def test_in_a_kernel_checks_and_hints_display_the_rich_object(monkeypatch, capsys):
    shown = []
    monkeypatch.setattr(feedback, "in_kernel", lambda: True)
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    q = Exercise("q1", "99_test/03_feedback", is_three, hints=["h"], register=False)
    q.check(3)
    q.hint()
    assert capsys.readouterr().out == ""
    assert [str(item) for item in shown] == ["✅ q1: correct!",
                                             "💡 q1 hint 1/1 (that was the last one): h"]
    monkeypatch.setenv(exercises.STRICT_ENV, "1")  # strict mode still raises after showing
    with pytest.raises(CheckFailed):
        q.check(...)
    assert str(shown[-1]).startswith("⏳ q1: not attempted yet")


@pytest.mark.parametrize("path", course_notebooks("solutions"),
                         ids=lambda p: p.relative_to(SOLUTIONS_DIR).as_posix())
def test_stored_verdicts_have_both_forms(path):
    """Each solution's stored check output is the rich display with the plain ✅ line."""
    found = 0
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "code" or ".check(" not in cell.source:
            continue
        for output in cell.outputs:
            plain = output.get("data", {}).get("text/plain", "")
            if output.output_type == "display_data" and plain.startswith("✅ q"):
                assert 'class="mlcourse-feedback mlcourse-passed"' in output.data["text/html"]
                found += 1
    assert found >= 3


# -- what nbval compares ---------------------------------------------------------------------
def _nbval(path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--nbval",
               "--nbval-sanitize-with", str(SANITIZE), str(path)]
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run(command, capture_output=True, text=True, cwd=path.parent, env=env,
                          timeout=300)


@pytest.mark.notebooks
def test_nbval_compares_both_the_plain_and_the_html_form_of_a_verdict(tmp_path):
    from utils.execute import execute_in_place

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(
        "from utils.exercises import Exercise, expect\n"
        "q = Exercise('q1', '99_test/04_nbval', lambda v: expect(v == 3, 'no <b>'),"
        " hints=['h'], register=False)\n"
        "q.check(3)")]
    path = tmp_path / "verdict.ipynb"
    nbformat.write(notebook, path)
    execute_in_place(path)
    stored = nbformat.read(path, as_version=4)
    (output,) = stored.cells[0].outputs
    assert output.output_type == "display_data"
    assert output.data["text/plain"] == "✅ q1: correct!"
    assert _nbval(path).returncode == 0

    for mime, tampered in (("text/html", "<div>✅ q1: correct!</div>"),
                           ("text/plain", "✅ q1: correct?")):
        changed = nbformat.read(path, as_version=4)
        changed.cells[0].outputs[0].data[mime] = tampered
        nbformat.write(changed, tmp_path / "tampered.ipynb")
        run = _nbval(tmp_path / "tampered.ipynb")
        assert run.returncode != 0 and f"mismatch '{mime}'" in run.stdout, run.stdout[-2000:]
