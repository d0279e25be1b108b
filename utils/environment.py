"""What this machine runs: Python, the course's key packages, CPU and GPU."""

from __future__ import annotations

import os
import platform
from importlib import metadata

KEY_PACKAGES = [
    "numpy", "pandas", "scikit-learn", "matplotlib", "seaborn", "imbalanced-learn", "torch",
    "tensorflow-cpu", "keras", "mlflow", "optuna", "onnxruntime", "fastapi", "pandera",
    "apache-airflow", "papermill", "jupyterlab",
]


def package_versions(packages: list[str] = KEY_PACKAGES) -> dict[str, str]:
    """Installed version of each package, or 'not installed'."""
    versions = {}
    for name in packages:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def hardware() -> dict[str, str]:
    """CPU count and GPU, without importing PyTorch unless it is installed."""
    info = {
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "cpu cores": str(os.cpu_count()),
    }
    try:
        import torch

        info["gpu"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none (CPU)"
    except ImportError:
        info["gpu"] = "unknown (PyTorch not installed)"
    return info
