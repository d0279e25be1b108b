"""Where things live: the repository, its notebooks and datasets, and the run-time workspace.

Every run-time file (executed notebooks, MLflow stores, saved models, progress, reports) goes
under one workspace folder. By default that is ``workspace/`` at the repository root, which git
ignores; set the ``MLCOURSE_WORKSPACE`` environment variable to put it anywhere else (the tests
point it at a temporary folder).
"""

from __future__ import annotations

import os
from pathlib import Path

WORKSPACE_ENV = "MLCOURSE_WORKSPACE"

REPO_ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS_DIR = REPO_ROOT / "solutions"
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
DATASETS_DIR = REPO_ROOT / "datasets"


def workspace(*parts: str) -> Path:
    """Return a folder inside the workspace, creating it if needed.

    ``workspace()`` is the workspace itself; ``workspace("models")`` a folder in it.
    """
    root = Path(os.environ.get(WORKSPACE_ENV) or REPO_ROOT / "workspace").expanduser()
    folder = root.joinpath(*parts).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def notebook_id(path: str | os.PathLike) -> str:
    """The id of a notebook: its path below solutions/ or notebooks/, without the suffix.

    ``solutions/01_python_for_ml/01_numpy.ipynb`` -> ``01_python_for_ml/01_numpy``.
    """
    path = Path(path).resolve()
    for base in (SOLUTIONS_DIR, NOTEBOOKS_DIR):
        if path.is_relative_to(base):
            return path.relative_to(base).with_suffix("").as_posix()
    raise ValueError(f"{path} is not inside solutions/ or notebooks/")


def course_notebooks(kind: str = "solutions") -> list[Path]:
    """All notebooks of the course in learning order; kind is 'solutions' or 'notebooks'."""
    if kind not in ("solutions", "notebooks"):
        raise ValueError(f"kind must be 'solutions' or 'notebooks', not {kind!r}")
    base = SOLUTIONS_DIR if kind == "solutions" else NOTEBOOKS_DIR
    return sorted(p for p in base.glob("*/*.ipynb") if ".ipynb_checkpoints" not in p.parts)
