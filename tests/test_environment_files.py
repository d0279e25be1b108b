"""requirements.txt is the one lock; environment.yml carries the same pins; `make` installs it
with the PyTorch build asked for."""

import json
import os
import re
import shutil
import subprocess
import sys

import yaml

from utils.paths import REPO_ROOT

# What the course needs through module 13 (the issue that founded the course lists them).
# TensorFlow is its CPU build: the full wheel logs CUDA-stub lines to stderr that no setting
# silences, and Keras on a GPU is not the course's path (PyTorch is).
COURSE_PACKAGES = [
    "jupyterlab", "papermill", "nbval", "numpy", "pandas", "scikit-learn", "imbalanced-learn",
    "torch", "tensorflow-cpu", "keras", "matplotlib", "seaborn", "mlflow", "optuna", "onnx",
    "onnxruntime", "skl2onnx", "fastapi", "uvicorn", "httpx", "pandera", "apache-airflow",
    "palmerpenguins", "pytest", "pytest-xdist", "ruff", "ipykernel", "nbclient", "psutil",
    "tqdm", "tabulate", "selenium", "boto3", "moto", "azure-ai-ml",
]


def normalise(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(lines):
    found = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if not line or line.startswith("-"):
            continue
        assert "==" in line, f"not an exact pin: {line!r}"
        name, version = line.split("==")
        found[normalise(name)] = version
    return found


def requirement_pins():
    return pins((REPO_ROOT / "requirements.txt").read_text().splitlines())


def test_every_course_package_is_pinned_exactly():
    pinned = requirement_pins()
    missing = [p for p in COURSE_PACKAGES if normalise(p) not in pinned]
    assert not missing, f"not in requirements.txt: {missing}"
    assert pinned["torch"] == "2.13.0"


def test_environment_yml_has_the_same_pins_as_requirements():
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "python=3.11" in env["dependencies"]
    assert pins(pip_section) == requirement_pins()
    assert "-e ." in pip_section, "Binder must install the course package"


# The Makefile's first setup, run with a stand-in for Python that records every call instead
# of creating a virtual environment or reaching an index.
RECORDER = """#!{python}
import json, os, sys
from pathlib import Path
if sys.argv[1:3] == ["-m", "venv"]:
    bin_dir = Path(sys.argv[3]) / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    (bin_dir / "python").write_text(Path(__file__).read_text())
    (bin_dir / "python").chmod(0o755)
with open(os.environ["RECORD"], "a") as log:
    log.write(json.dumps({{"argv": sys.argv[1:],
                          "extra_index": os.environ.get("PIP_EXTRA_INDEX_URL")}}) + "\\n")
"""


def first_setup(tmp_path, *make_args, env=None):
    """Run `make setup` in a copy of the project; return the recorded pip install calls."""
    project = tmp_path / "course"
    if not project.exists():
        project.mkdir()
        for name in ("Makefile", "requirements.txt", "pyproject.toml"):
            shutil.copy(REPO_ROOT / name, project / name)
    python = tmp_path / "python3"
    python.write_text(RECORDER.format(python=sys.executable))
    python.chmod(0o755)
    record = tmp_path / "record.jsonl"
    record.unlink(missing_ok=True)
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("PIP_", "MAKE")) and k not in ("TORCH", "MFLAGS")}
    environment |= {"RECORD": str(record)} | (env or {})
    subprocess.run(["make", "setup", f"PYTHON={python}", *make_args], cwd=project,
                   env=environment, check=True, capture_output=True, text=True)
    assert (project / ".venv" / ".installed").exists()
    calls = [json.loads(line) for line in record.read_text().splitlines()]
    return [c for c in calls if c["argv"][:3] == ["-m", "pip", "install"]]


def requirements_call(calls):
    (call,) = [c for c in calls if "requirements.txt" in c["argv"]]
    return call


def test_by_default_setup_installs_the_lock_from_pypi_alone(tmp_path):
    call = requirements_call(first_setup(tmp_path))
    assert not any("index" in arg for arg in call["argv"])
    assert call["extra_index"] is None


def test_torch_cpu_adds_pytorchs_cpu_index_to_the_lock_install(tmp_path):
    calls = first_setup(tmp_path, "TORCH=cpu")
    argv = requirements_call(calls)["argv"]
    assert argv[argv.index("--extra-index-url") + 1] == "https://download.pytorch.org/whl/cpu"
    editable = [c for c in calls if "-e" in c["argv"]]
    assert editable and all("--extra-index-url" not in c["argv"] for c in editable)


def test_the_torch_choice_is_kept_for_a_reinstall_after_new_pins(tmp_path):
    first_setup(tmp_path, "TORCH=cpu")
    project = tmp_path / "course"
    assert (project / ".venv" / ".torch").read_text() == "cpu\n"
    stamp = project / ".venv" / ".installed"
    os.utime(stamp, (stamp.stat().st_mtime - 60,) * 2)  # the pins are now newer than the venv
    argv = requirements_call(first_setup(tmp_path))["argv"]
    assert argv[argv.index("--extra-index-url") + 1] == "https://download.pytorch.org/whl/cpu"


def test_pips_own_environment_reaches_pip(tmp_path):
    url = "https://mirror.example/simple"
    call = requirements_call(first_setup(tmp_path, env={"PIP_EXTRA_INDEX_URL": url}))
    assert call["extra_index"] == url


def test_the_readme_shows_the_cpu_install():
    readme = (REPO_ROOT / "README.md").read_text()
    assert "make lab TORCH=cpu" in readme
