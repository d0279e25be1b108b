"""requirements.txt is the one lock; environment.yml carries the same pins."""

import re

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
    "tqdm", "tabulate", "selenium",
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
