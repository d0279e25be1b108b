"""Every check module follows the same conventions, so that any one of them is a template:

* its file name derives from its ``NOTEBOOK`` (``01_python_for_ml/04_sklearn_estimators`` ->
  ``m01_04_sklearn_estimators.py``), and its tests sit in ``tests/checks/test_<name>.py``;
* for each exercise, ``def _check_qN`` comes right before
  ``qN = Exercise(..., check_fn=_check_qN)``, in notebook order;
* imports inside ``utils`` are relative, and no helper is defined twice (shared ones live in
  ``utils.check_helpers``);
* importing every check module loads neither scikit-learn nor matplotlib.
"""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

import utils.checks
from utils import check_helpers
from utils.paths import REPO_ROOT

CHECKS_DIR = Path(utils.checks.__file__).parent
MODULES = sorted(p for p in CHECKS_DIR.glob("m*.py"))


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _top_level_functions(path: Path) -> list[str]:
    return [node.name for node in _tree(path).body if isinstance(node, ast.FunctionDef)]


def test_there_are_check_modules():
    assert len(MODULES) >= 6


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_the_file_name_derives_from_the_notebook(path):
    module = importlib.import_module(f"utils.checks.{path.stem}")
    match = re.fullmatch(r"(\d\d)_[a-z0-9_]+/(\d\d)_([a-z0-9_]+)", module.NOTEBOOK)
    assert match, f"NOTEBOOK should look like 'NN_module/MM_topic', not {module.NOTEBOOK!r}"
    assert path.stem == f"m{match[1]}_{match[2]}_{match[3]}", module.NOTEBOOK
    assert (REPO_ROOT / "solutions" / f"{module.NOTEBOOK}.ipynb").exists()
    assert (REPO_ROOT / "tests" / "checks" / f"test_{path.stem}.py").exists()


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_each_check_sits_right_before_its_exercise(path):
    body = _tree(path).body
    exercises = []
    for index, node in enumerate(body):
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                and getattr(node.value.func, "id", None) == "Exercise"):
            continue
        name = node.targets[0].id
        exercises.append(name)
        keywords = {k.arg: k.value for k in node.value.keywords}
        assert ast.unparse(keywords["name"]) == repr(name)
        assert ast.unparse(keywords["check_fn"]) == f"_check_{name}", name
        before = body[index - 1]
        assert isinstance(before, ast.FunctionDef) and before.name == f"_check_{name}", \
            f"{name} = Exercise(...) should come right after def _check_{name}"
    assert exercises == [f"q{i}" for i in range(1, len(exercises) + 1)], exercises


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_imports_are_relative_and_heavy_libraries_are_imported_inside_checks(path):
    tree = _tree(path)
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            assert not (node.module or "").startswith("utils"), "use relative imports"
        names = [a.name for a in getattr(node, "names", [])]
        module = getattr(node, "module", None) or ""
        for name in [module, *names]:
            assert name.split(".")[0] not in {"sklearn", "matplotlib", "seaborn", "joblib",
                                              "torch", "tensorflow", "mlflow"}, name


def test_no_helper_is_defined_twice():
    defined = Counter()
    for path in MODULES:
        defined.update(n for n in _top_level_functions(path) if not n.startswith("_check_q"))
    twice = sorted(name for name, count in defined.items() if count > 1)
    assert not twice, f"defined in several check modules (move to utils.check_helpers): {twice}"
    shared = {name.lstrip("_") for name in check_helpers.__all__}
    again = sorted(n for n in defined if n.lstrip("_") in shared)
    assert not again, f"check modules redefine helpers of utils.check_helpers: {again}"


def test_importing_every_check_module_loads_neither_sklearn_nor_matplotlib():
    code = (
        "import importlib, pkgutil, sys\n"
        "import utils.checks\n"
        "for info in pkgutil.iter_modules(utils.checks.__path__):\n"
        "    importlib.import_module(f'utils.checks.{info.name}')\n"
        "print(sorted(m for m in ('sklearn', 'matplotlib') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO_ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout
