"""Run-time files go to one workspace that an environment variable moves."""

import pytest

from utils import paths


def test_workspace_follows_the_environment_variable(tmp_path, monkeypatch):
    monkeypatch.setenv(paths.WORKSPACE_ENV, str(tmp_path / "ws"))
    assert paths.workspace() == (tmp_path / "ws").resolve()
    assert paths.workspace("models", "v1").is_dir()
    assert paths.workspace("models", "v1") == (tmp_path / "ws" / "models" / "v1").resolve()


def test_default_workspace_is_the_git_ignored_folder_in_the_repo(monkeypatch):
    monkeypatch.delenv(paths.WORKSPACE_ENV, raising=False)
    assert paths.workspace() == paths.REPO_ROOT / "workspace"
    assert "workspace/" in (paths.REPO_ROOT / ".gitignore").read_text().splitlines()


def test_notebook_id_is_the_path_below_solutions_or_notebooks():
    nb = paths.SOLUTIONS_DIR / "01_python_for_ml" / "01_numpy.ipynb"
    assert paths.notebook_id(nb) == "01_python_for_ml/01_numpy"
    assert paths.notebook_id(paths.NOTEBOOKS_DIR / "a" / "b.ipynb") == "a/b"
    with pytest.raises(ValueError, match="not inside"):
        paths.notebook_id("/tmp/elsewhere.ipynb")


def test_course_notebooks_rejects_an_unknown_kind():
    with pytest.raises(ValueError, match="solutions"):
        paths.course_notebooks("drafts")
