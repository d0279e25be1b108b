"""The Colab bootstrap installs the course on Colab, and only there."""

import sys
import types

import nbformat
from IPython.core.inputtransformer2 import TransformerManager

from utils import colab, paths


def run_bootstrap(monkeypatch, on_colab: bool) -> list[str]:
    """Execute the bootstrap cell as IPython would; return the shell commands it ran."""
    commands = []
    shell = types.SimpleNamespace(system=commands.append)
    monkeypatch.delitem(sys.modules, "utils", raising=False)
    if on_colab:
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    monkeypatch.setattr(sys, "path", list(sys.path))
    code = TransformerManager().transform_cell(colab.BOOTSTRAP)
    exec(code, {"get_ipython": lambda: shell})
    return commands


def test_the_bootstrap_does_nothing_outside_colab(monkeypatch):
    assert run_bootstrap(monkeypatch, on_colab=False) == []


def test_on_colab_it_clones_the_course_and_installs_the_package(monkeypatch):
    (command,) = run_bootstrap(monkeypatch, on_colab=True)
    assert f"git clone -q --depth 1 {colab.COURSE_REPO} /content/course" in command
    assert "pip install -q -e /content/course" in command
    assert "/content/course" in sys.path


def test_sync_puts_the_current_bootstrap_into_every_solution(tmp_path, monkeypatch):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# T"), nbformat.v4.new_code_cell("# old")]
    path = tmp_path / "01_x.ipynb"
    nbformat.write(notebook, path)
    monkeypatch.setattr(paths, "course_notebooks", lambda kind="solutions": [path])
    assert colab.sync_bootstrap() == ["01_x.ipynb"]
    assert nbformat.read(path, as_version=4).cells[1].source == colab.BOOTSTRAP
    assert colab.sync_bootstrap() == []
