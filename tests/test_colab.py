"""The Colab bootstrap installs the course and its module's extra on Colab, and only there."""

import re
import sys
import tomllib
import types

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

from tests.test_environment_files import normalise, requirement_pins
from utils import colab, paths

PYPROJECT = tomllib.loads((paths.REPO_ROOT / "pyproject.toml").read_text())
EXTRAS = PYPROJECT["project"]["optional-dependencies"]
MODULE_EXTRAS = {name: reqs for name, reqs in EXTRAS.items() if re.fullmatch(r"m\d\d", name)}
NOTEBOOKS = paths.course_notebooks("solutions") + paths.course_notebooks("notebooks")

# What Colab already has (and a pin would replace with another build): never in an extra.
COLAB_SHIPS = ["numpy", "pandas", "scikit-learn", "scipy", "matplotlib", "seaborn", "torch",
               "tensorflow", "tensorflow-cpu", "keras", "pyarrow", "ipython", "ipykernel"]

# What the curriculum runs in each planned module and Colab lacks.
PLANNED = {
    "m03": ["imbalanced-learn"],
    "m05": ["mlflow"],
    "m06": ["pandera", "apache-airflow"],
    "m07": ["optuna"],
    "m08": ["fastapi", "uvicorn", "httpx", "onnx", "onnxruntime", "skl2onnx"],
    "m09": ["fastapi", "uvicorn", "httpx", "boto3", "moto", "azure-ai-ml"],
}


def run_bootstrap(monkeypatch, on_colab: bool, notebook="05_mlops/01_tracking") -> list[str]:
    """Execute a bootstrap cell as IPython would; return the shell commands it ran."""
    commands = []
    shell = types.SimpleNamespace(system=commands.append)
    monkeypatch.delitem(sys.modules, "utils", raising=False)
    if on_colab:
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    monkeypatch.setattr(sys, "path", list(sys.path))
    code = TransformerManager().transform_cell(colab.bootstrap(notebook))
    exec(code, {"get_ipython": lambda: shell})
    return commands


def test_the_bootstrap_does_nothing_outside_colab(monkeypatch):
    assert run_bootstrap(monkeypatch, on_colab=False) == []


def test_on_colab_it_clones_the_course_and_installs_the_module_extra(monkeypatch):
    (command,) = run_bootstrap(monkeypatch, on_colab=True, notebook="05_mlops/01_tracking")
    assert f"git clone -q --depth 1 {colab.COURSE_REPO} /content/course" in command
    assert 'pip install -q -e "/content/course[m05]"' in command
    assert "/content/course" in sys.path


@pytest.mark.parametrize("notebook, extra", [
    ("01_python_for_ml/01_numpy", "m01"),
    ("solutions/08_deployment/02_onnx.ipynb", "m08"),
    (paths.NOTEBOOKS_DIR / "13_capstone" / "01_project.ipynb", "m13"),
])
def test_the_extra_comes_from_the_module_folder(notebook, extra):
    assert colab.module_extra(notebook) == extra


def test_a_path_without_a_module_folder_is_refused():
    with pytest.raises(ValueError, match="NN_module"):
        colab.module_extra("notebooks/welcome.ipynb")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(paths.REPO_ROOT).as_posix())
def test_every_notebook_boots_with_its_module_extra(path):
    first = next(c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    extra = f"m{path.parent.name[:2]}"
    assert first.source == colab.bootstrap(path), "run `make notebooks`"
    assert f'-e "/content/course[{extra}]"' in first.source
    assert extra in MODULE_EXTRAS, f"pyproject.toml declares no extra {extra}"


def test_every_module_of_the_curriculum_has_an_extra():
    assert sorted(MODULE_EXTRAS) == [f"m{n:02d}" for n in range(14)]


@pytest.mark.parametrize("extra", sorted(MODULE_EXTRAS))
def test_extras_pin_exactly_what_requirements_txt_pins(extra):
    locked = requirement_pins()
    for requirement in MODULE_EXTRAS[extra]:
        name, _, version = requirement.partition("==")
        name = name.split("[")[0]  # moto[server]: the extra names moto's own extra
        assert version, f"{extra}: {requirement!r} is not an exact pin"
        assert normalise(name) in locked, f"{extra}: {name} is not in requirements.txt"
        assert locked[normalise(name)] == version, \
            f"{extra}: {name}=={version} but requirements.txt pins {locked[normalise(name)]}"
        assert normalise(name) not in COLAB_SHIPS, f"{extra}: Colab ships {name} already"


@pytest.mark.parametrize("extra, packages", PLANNED.items())
def test_planned_modules_get_what_colab_lacks(extra, packages):
    declared = {normalise(r.partition("==")[0].split("[")[0]) for r in MODULE_EXTRAS[extra]}
    assert set(packages) <= declared


def test_the_readme_names_the_address_colab_needs():
    readme = (paths.REPO_ROOT / "README.md").read_text()
    assert "COURSE_REPO" in readme
    assert colab.COURSE_REPO.removesuffix(".git") in readme


def test_sync_puts_the_current_bootstrap_into_every_solution(tmp_path, monkeypatch):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# T"), nbformat.v4.new_code_cell("# old")]
    path = tmp_path / "07_tuning" / "01_x.ipynb"
    path.parent.mkdir()
    nbformat.write(notebook, path)
    monkeypatch.setattr(paths, "course_notebooks", lambda kind="solutions": [path])
    assert colab.sync_bootstrap() == ["01_x.ipynb"]
    first = nbformat.read(path, as_version=4).cells[1].source
    assert first == colab.bootstrap(path) and "[m07]" in first
    assert colab.sync_bootstrap() == []
