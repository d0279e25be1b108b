"""What the tests of module 08's serving apps share: the app source taken from a solution
notebook (its cell tagged ``serving-app``), and the churn data and pipeline the apps serve."""

from __future__ import annotations

import importlib.util
import sys
import warnings
from pathlib import Path

import nbformat

from utils.paths import SOLUTIONS_DIR

APP_TAG = "serving-app"
FEATURES = ["region", "contract", "tenure_months", "monthly_charges", "support_calls"]


def serving_app_source(notebook: str) -> str:
    """The app a solution notebook writes: its one cell tagged ``serving-app``, without the
    ``%%writefile`` line."""
    path = SOLUTIONS_DIR / f"{notebook}.ipynb"
    cells = [cell for cell in nbformat.read(path, as_version=4).cells
             if APP_TAG in cell.metadata.get("tags", [])]
    assert len(cells) == 1, f"{notebook}: expected one cell tagged {APP_TAG}, found {len(cells)}"
    first, _, body = cells[0].source.partition("\n")
    assert first.startswith("%%writefile "), f"{notebook}: the {APP_TAG} cell must start with " \
                                             "%%writefile"
    return body


def write_app(notebook: str, folder: Path, module: str) -> Path:
    """Write the notebook's app to ``folder/<module>.py`` and return the file."""
    path = folder / f"{module}.py"
    path.write_text(serving_app_source(notebook))
    return path


def import_app(path: Path):
    """Import an app file as a fresh module (its settings are read from the environment now)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module  # pydantic resolves the schemas' annotations through it
    spec.loader.exec_module(module)
    return module


def client_class():
    """FastAPI's TestClient (Starlette 1.10 warns on import that it prefers httpx2)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
        from fastapi.testclient import TestClient
    return TestClient


def churn_features():
    """The churn table as the apps receive it: one row per customer, region lower-cased,
    rows without a monthly charge dropped; returns (X, y)."""
    from utils import load_dataset

    data = (load_dataset("churn").drop_duplicates().dropna(subset=["monthly_charges"])
            .assign(region=lambda d: d["region"].str.lower()))
    return data[FEATURES], data["churned"]


def churn_pipeline(X, y):
    """The pipeline the notebooks serve: one-hot for the categories, scaling for the numbers,
    logistic regression."""
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    return make_pipeline(
        make_column_transformer(
            (OneHotEncoder(handle_unknown="ignore"), ["region", "contract"]),
            (StandardScaler(), ["tenure_months", "monthly_charges", "support_calls"])),
        LogisticRegression(),
    ).fit(X, y)
