"""The checks of 05_mlops/04_serialization: right, wrong and not attempted.

Small stand-ins keep the tests fast: a tiny network class like the notebook's, a tiny Keras
model, and a throwaway SQLite store for the MLflow runs.
"""

from __future__ import annotations

import platform

# Keras keeps its default backend here: setting KERAS_BACKEND in this process would leak
# into every notebook kernel that nbval starts from the same pytest worker.
import keras
import mlflow
import numpy as np
import pandas as pd
import pytest
import sklearn
import torch
from mlflow.models import infer_signature
from sklearn.dummy import DummyClassifier
from torch import nn

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils.checks.m05_04_serialization import RUN_NAME, q1, q2, q3

N_FEATURES = 6


class ChurnNet(nn.Module):
    """The notebook's network (it lives in a module file there)."""

    def __init__(self, n_features: int = N_FEATURES, hidden: int = 16, dropout: float = 0.2):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(n_features, hidden), nn.ReLU(),
                                    nn.Dropout(dropout), nn.Linear(hidden, 1))

    def forward(self, x):
        return self.layers(x).squeeze(-1)


@pytest.fixture(scope="module")
def rows():
    return torch.tensor(np.random.default_rng(0).normal(size=(20, N_FEATURES)),
                        dtype=torch.float32)


@pytest.fixture(scope="module")
def net():
    torch.manual_seed(0)
    return ChurnNet().eval()


# -- q1 -----------------------------------------------------------------------------------
def load_right(path):
    model = ChurnNet()
    model.load_state_dict(torch.load(path, weights_only=True))
    return model.eval()


def load_unsafe(path):
    model = ChurnNet()
    model.load_state_dict(torch.load(path, weights_only=False))
    return model.eval()


def load_no_eval(path):
    model = ChurnNet()
    model.load_state_dict(torch.load(path, weights_only=True))
    return model


def load_returns_report(path):
    model = ChurnNet()
    return model.load_state_dict(torch.load(path, weights_only=True))


@pytest.fixture()
def weights(tmp_path, net):
    path = tmp_path / "churn_net.pt"
    torch.save(net.state_dict(), path)
    return path


def test_q1_passes_on_a_safe_loader(weights, net, rows):
    assert_passes(q1, load_right, weights, net, rows)


def test_q1_pending(weights, net, rows):
    assert_pending(q1, ..., weights, net, rows)
    assert_pending(q1, lambda path: ..., weights, net, rows)


def test_q1_rejects_an_unsafe_loader(weights, net, rows):
    assert_rejects(q1, load_unsafe, weights, net, rows, mentions="weights_only=True")


def test_q1_rejects_no_eval_and_the_report(weights, net, rows):
    assert_rejects(q1, load_no_eval, weights, net, rows, mentions=".eval()")
    assert_rejects(q1, load_returns_report, weights, net, rows, mentions="report")
    assert_rejects(q1, lambda path: net, weights, net, rows, mentions="itself")


def test_q1_rejects_whole_object_and_untrained_weights(tmp_path, net, rows):
    whole = tmp_path / "whole.pt"
    torch.save(net, whole)
    assert_rejects(q1, load_right, whole, net, rows, mentions="state_dict")
    torch.manual_seed(1)
    other = tmp_path / "other.pt"
    torch.save(ChurnNet().state_dict(), other)
    assert_rejects(q1, load_right, other, net, rows, mentions="not those of the trained")
    assert_rejects(q1, load_right, tmp_path / "missing.pt", net, rows, mentions="no file")


# -- q2 -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def keras_model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(N_FEATURES,)),
                              keras.layers.Dense(4, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def test_q2_passes_on_a_keras_round_trip(tmp_path, keras_model, rows):
    path = tmp_path / "churn.keras"
    keras_model.save(path)
    assert_passes(q2, keras.models.load_model(path), path, keras_model, rows)


def test_q2_pending(tmp_path, keras_model, rows):
    assert_pending(q2, ..., tmp_path / "churn.keras", keras_model, rows)


def test_q2_rejects_same_object_weights_only_and_missing_file(tmp_path, keras_model, rows):
    path = tmp_path / "churn.keras"
    assert_rejects(q2, keras_model, path, keras_model, rows, mentions="itself")
    weights = tmp_path / "churn.weights.h5"
    keras_model.save_weights(weights)
    clone = keras.models.clone_model(keras_model)
    clone.set_weights(keras_model.get_weights())
    assert_rejects(q2, clone, weights, keras_model, rows, mentions="not a `.keras` archive")
    assert_rejects(q2, clone, path, keras_model, rows, mentions="no file")


def test_q2_rejects_another_model(tmp_path, keras_model, rows):
    path = tmp_path / "churn.keras"
    keras_model.save(path)
    other = keras.models.clone_model(keras_model)  # same architecture, fresh weights
    assert_rejects(q2, other, path, keras_model, rows, mentions="does not predict like")


# -- q3 -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mlflow")
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(f"sqlite:///{folder / 'mlflow.db'}")
    mlflow.set_experiment(experiment_id=mlflow.create_experiment(
        "checks", artifact_location=(folder / "artifacts").as_uri()))
    yield
    mlflow.set_tracking_uri(previous)


@pytest.fixture(scope="module")
def tables():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"tenure_months": rng.integers(1, 72, 40).astype(float),
                      "support_calls": rng.integers(0, 5, 40).astype(float)})
    train = X.iloc[:30].assign(churned=rng.integers(0, 2, 30))
    return train, X.iloc[30:]


def _fingerprint(frame):
    from utils.checks.m05_04_serialization import _fingerprint as reference

    return reference(frame)


def _run(train, tags, log_model=True, as_params=False, run_name=RUN_NAME, signature=True):
    X = train.iloc[:, :-1]
    model = DummyClassifier().fit(X, train["churned"])
    with mlflow.start_run(run_name=run_name) as run:
        (mlflow.log_params if as_params else mlflow.set_tags)(tags)
        if log_model:
            mlflow.sklearn.log_model(
                model, name="model", pip_requirements=["scikit-learn"],
                signature=infer_signature(X, model.predict(X)) if signature else None)
    return run.info.run_id


def _tags(data_hash):
    return {"data_sha256": data_hash, "python": platform.python_version(),
            "scikit-learn": sklearn.__version__, "pandas": pd.__version__}


@pytest.fixture(scope="module")
def right_run(store, tables):
    train, _ = tables
    return _run(train, _tags(_fingerprint(train)))


def test_q3_passes_on_a_run_with_provenance(right_run, tables):
    assert_passes(q3, right_run, *tables)


def test_q3_pending(store, tables):
    assert_pending(q3, ..., *tables)


def test_q3_fingerprint_ignores_the_index_and_survives_a_csv_round_trip(tables, tmp_path):
    train, _ = tables
    shuffled = train.sample(frac=1, random_state=0)
    shuffled.to_csv(tmp_path / "train.csv", index=False)
    assert _fingerprint(pd.read_csv(tmp_path / "train.csv")) == _fingerprint(shuffled)
    edited = shuffled.copy()
    edited.iat[0, 1] += 1
    assert _fingerprint(edited) != _fingerprint(shuffled)


def test_q3_rejects_missing_or_wrong_hash(store, tables):
    train, X_test = tables
    no_hash = {k: v for k, v in _tags("x").items() if k != "data_sha256"}
    assert_rejects(q3, _run(train, no_hash, log_model=False), *tables,
                   mentions="no tag `data_sha256`")
    assert_rejects(q3, _run(train, _tags(_fingerprint(X_test)), log_model=False), *tables,
                   mentions="test rows")
    assert_rejects(q3, _run(train, _tags(_fingerprint(train.iloc[:, :-1])), log_model=False),
                   *tables, mentions="features only")
    assert_rejects(q3, _run(train, _tags(_fingerprint(train)), log_model=False,
                            as_params=True), *tables, mentions="parameter")


def test_q3_rejects_versions_model_and_run_mistakes(store, tables, right_run):
    train, _ = tables
    typed = {**_tags(_fingerprint(train)), "scikit-learn": "1.0.0"}
    assert_rejects(q3, _run(train, typed, log_model=False), *tables, mentions="typing")
    no_python = {k: v for k, v in _tags(_fingerprint(train)).items() if k != "python"}
    assert_rejects(q3, _run(train, no_python, log_model=False), *tables, mentions="`python`")
    no_pandas = {k: v for k, v in _tags(_fingerprint(train)).items() if k != "pandas"}
    assert_rejects(q3, _run(train, no_pandas, log_model=False), *tables, mentions="`pandas`")
    assert_rejects(q3, _run(train, _tags(_fingerprint(train)), signature=False), *tables,
                   mentions="without a signature")
    assert_rejects(q3, _run(train, _tags(_fingerprint(train)), log_model=False), *tables,
                   mentions="no model was logged")
    assert_rejects(q3, _run(train, _tags(_fingerprint(train)), log_model=False,
                            run_name="other"), *tables, mentions=RUN_NAME)
    assert_rejects(q3, mlflow.get_run(right_run), *tables, mentions="info.run_id")
    assert_rejects(q3, "0123456789abcdef", *tables, mentions="no run")
