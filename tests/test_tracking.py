"""utils.tracking: MLflow writes into the workspace, or to the URI an instructor names."""

from __future__ import annotations

import pytest

from utils.paths import workspace
from utils.tracking import tracking_uri, use_experiment


def test_default_store_is_sqlite_in_the_workspace():
    assert tracking_uri() == f"sqlite:///{workspace('mlflow') / 'mlflow.db'}"


def test_an_instructor_uri_wins():
    assert tracking_uri("http://127.0.0.1:5000") == "http://127.0.0.1:5000"


def test_uri_must_be_a_string():
    with pytest.raises(ValueError, match="TRACKING_URI"):
        tracking_uri(None)


def test_runs_and_artifacts_stay_in_the_workspace(tmp_path, monkeypatch):
    import mlflow

    monkeypatch.chdir(tmp_path)  # MLflow's own default would write ./mlruns here
    experiment = use_experiment("test-tracking")
    with mlflow.start_run():
        mlflow.log_metric("accuracy", 0.9)
        mlflow.log_text("hello", "note.txt")
    again = use_experiment("test-tracking")  # idempotent: the same experiment
    assert again.experiment_id == experiment.experiment_id
    assert experiment.artifact_location.startswith(workspace("mlflow", "artifacts").as_uri())
    assert len(mlflow.search_runs(experiment_ids=[experiment.experiment_id])) == 1
    assert not (tmp_path / "mlruns").exists()
