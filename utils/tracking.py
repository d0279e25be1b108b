"""Where MLflow keeps runs: one SQLite store in the workspace, or a server an instructor names.

Every MLflow notebook has a ``TRACKING_URI`` parameter. Left empty, runs go to
``workspace("mlflow")/mlflow.db`` (a SQLite store, which the model registry needs) with
artifacts beside it; an instructor sets it to a shared server (``http://host:5000``) to collect
the whole class's runs in one place.
"""

from __future__ import annotations

from .paths import workspace


def tracking_uri(uri: str = "") -> str:
    """``uri`` if given, else the SQLite store in the workspace."""
    if not isinstance(uri, str):
        raise ValueError(f"TRACKING_URI must be a string (empty for the local store), not {uri!r}")
    return uri or f"sqlite:///{workspace('mlflow') / 'mlflow.db'}"


def use_experiment(name: str, uri: str = ""):
    """Point MLflow at ``tracking_uri(uri)`` and make ``name`` the active experiment.

    A new experiment on a local store keeps its artifacts in ``workspace("mlflow",
    "artifacts")`` (MLflow would otherwise write ``./mlruns`` beside the notebook); on a server,
    the server decides. Returns the ``mlflow.entities.Experiment``.
    """
    import mlflow

    uri = tracking_uri(uri)
    mlflow.set_tracking_uri(uri)
    if mlflow.get_experiment_by_name(name) is None and not uri.startswith(("http:", "https:")):
        artifacts = workspace("mlflow", "artifacts") / name
        mlflow.create_experiment(name, artifact_location=artifacts.as_uri())
    return mlflow.set_experiment(name)
