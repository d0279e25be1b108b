"""The checks of 05_mlops/03_model_registry: right, wrong and not attempted.

Every test runs against a throwaway SQLite store in a temporary folder, with a small
logistic regression standing in for the notebook's models (logging is what takes time).
"""

from __future__ import annotations

import mlflow
import pytest
from mlflow import MlflowClient
from mlflow.models import infer_signature
from sklearn.compose import make_column_transformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils import load_dataset
from utils.checks.m05_03_model_registry import RUN_NAME, q1, q2, q3

SEED = 42
NAME = "churn-test"
NUMERIC = ["tenure_months", "monthly_charges", "support_calls"]
TRUSTED = ["numpy.dtype"]


def _log(model, X, run_name=RUN_NAME, signature=True, example=True, from_numpy=False):
    inputs = X.values if from_numpy else X
    with mlflow.start_run(run_name=run_name):
        return mlflow.sklearn.log_model(
            model, name="model",
            signature=infer_signature(inputs, model.predict(X)) if signature else None,
            input_example=X.head(3) if example else None,
            skops_trusted_types=TRUSTED, pip_requirements=["scikit-learn"])


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """Data, two models, their logged versions and a registered model, in a private store."""
    folder = tmp_path_factory.mktemp("mlflow")
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(f"sqlite:///{folder / 'mlflow.db'}")
    mlflow.set_experiment(experiment_id=mlflow.create_experiment(
        "checks", artifact_location=(folder / "artifacts").as_uri()))
    churn = load_dataset("churn").drop_duplicates()
    X = churn[["contract", *NUMERIC]].astype({c: float for c in NUMERIC})
    y = churn["churned"]
    X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=0.2, stratify=y,
                                                      random_state=SEED)
    X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_size=0.25,
                                                      stratify=y_rest, random_state=SEED)
    numbers = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    weak = make_pipeline(make_column_transformer((numbers, ["monthly_charges"])),
                         LogisticRegression()).fit(X_train, y_train)
    strong = make_pipeline(
        make_column_transformer((OneHotEncoder(handle_unknown="ignore"), ["contract"]),
                                (numbers, NUMERIC)),
        LogisticRegression()).fit(X_train, y_train)
    client = MlflowClient()
    client.create_registered_model(NAME)
    infos = {"weak": _log(weak, X_train, "weak"), "strong": _log(strong, X_train)}
    versions = {key: client.create_model_version(NAME, info.model_uri, run_id=info.run_id)
                for key, info in infos.items()}
    data = dict(X_train=X_train, X_val=X_val, y_val=y_val, X_test=X_test, y_test=y_test)
    yield dict(client=client, weak=weak, strong=strong, infos=infos, versions=versions, **data)
    mlflow.set_tracking_uri(previous)


# -- q1 -----------------------------------------------------------------------------------
def test_q1_passes_on_a_model_with_signature_and_example(store):
    assert_passes(q1, store["infos"]["strong"], store["strong"], store["X_train"])


def test_q1_pending(store):
    assert_pending(q1)
    assert_pending(q1, ..., store["strong"], store["X_train"])


def test_q1_rejects_no_signature_and_no_example(store):
    X_train, strong = store["X_train"], store["strong"]
    # (with an input example alone, MLflow infers the signature from it)
    assert_rejects(q1, _log(strong, X_train, signature=False, example=False), strong, X_train,
                   mentions="without a signature")
    assert_rejects(q1, _log(strong, X_train, example=False), strong, X_train,
                   mentions="input example")


def test_q1_rejects_a_signature_inferred_from_the_input_example(store):
    # the first rows have no missing monthly charges: inferred from them, that column is
    # required, while the training data makes it optional
    X_train, strong = store["X_train"], store["strong"]
    assert not X_train.head(3)["monthly_charges"].isna().any()
    assert_rejects(q1, _log(strong, X_train, signature=False), strong, X_train,
                   mentions="input example")


def test_q1_rejects_a_numpy_signature(store):
    X_train, strong = store["X_train"], store["strong"]
    assert_rejects(q1, _log(strong, X_train, from_numpy=True), strong, X_train,
                   mentions="column names are lost")


def test_q1_rejects_wrong_objects_run_and_model(store):
    X_train, strong, infos = store["X_train"], store["strong"], store["infos"]
    assert_rejects(q1, infos["strong"].model_uri, strong, X_train, mentions="ModelInfo")
    assert_rejects(q1, store["versions"]["strong"], strong, X_train, mentions="only")
    assert_rejects(q1, infos["weak"], strong, X_train, mentions="run_name")
    # right run name, but the weak model was logged instead of the challenger
    assert_rejects(q1, _log(store["weak"], X_train), strong, X_train,
                   mentions="does not predict like")


# -- q2 -----------------------------------------------------------------------------------
def _aucs(store, X, y, proba=True):
    scores = {}
    for alias, key in (("champion", "weak"), ("challenger", "strong")):
        model = store[key]
        scores[alias] = roc_auc_score(y, model.predict_proba(X)[:, 1] if proba
                                      else model.predict(X))
    return scores


def _q2(store, champion_uri=f"models:/{NAME}@champion",
        challenger_uri=f"models:/{NAME}@challenger", scores=None, promote="strong"):
    client, versions = store["client"], store["versions"]
    client.set_registered_model_alias(NAME, "challenger", versions["strong"].version)
    client.set_registered_model_alias(NAME, "champion", versions[promote].version)
    if scores is None:
        scores = _aucs(store, store["X_val"], store["y_val"])
    return (champion_uri, challenger_uri, scores, client, NAME, versions["weak"],
            versions["strong"], store["X_val"], store["y_val"], store["X_test"],
            store["y_test"])


def test_q2_passes_when_the_better_model_is_promoted(store):
    assert_passes(q2, *_q2(store))


def test_q2_pending(store):
    assert_pending(q2, ..., ..., ..., *_q2(store)[3:])
    assert_pending(q2, *_q2(store, scores={"champion": ..., "challenger": ...}))


def test_q2_explains_a_second_run_after_the_promotion(store):
    # after a first successful run, both aliases point at the challenger's version
    right = _aucs(store, store["X_val"], store["y_val"])
    again = {"champion": right["challenger"], "challenger": right["challenger"]}
    assert_rejects(q2, *_q2(store, scores=again), mentions="earlier run of this cell")


def test_q2_rejects_ascending_choice(store):
    assert_rejects(q2, *_q2(store, promote="weak"), mentions="LOWER")


def test_q2_rejects_version_numbers_and_run_uris(store):
    version = store["versions"]["weak"].version
    assert_rejects(q2, *_q2(store, champion_uri=f"models:/{NAME}/{version}"),
                   mentions="version number")
    assert_rejects(q2, *_q2(store, challenger_uri=store["infos"]["strong"].model_uri),
                   mentions="alias")
    assert_rejects(q2, *_q2(store, champion_uri=f"models:/{NAME}@challenger"),
                   mentions="@challenger")


def test_q2_rejects_test_set_labels_and_swapped_scores(store):
    test_scores = _aucs(store, store["X_test"], store["y_test"])
    assert_rejects(q2, *_q2(store, scores=test_scores), mentions="test")
    label_scores = _aucs(store, store["X_val"], store["y_val"], proba=False)
    assert_rejects(q2, *_q2(store, scores=label_scores), mentions="predict_proba")
    right = _aucs(store, store["X_val"], store["y_val"])
    swapped = {"champion": right["challenger"], "challenger": right["champion"]}
    assert_rejects(q2, *_q2(store, scores=swapped), mentions="swapped",
                   must_not_mention=(f"{right['champion']:.3f}",))
    assert_rejects(q2, *_q2(store, scores={"best": 0.9}), mentions="keys")


# -- q3 -----------------------------------------------------------------------------------
def _q3_args(store, payload=None, predictions=None):
    store["client"].set_registered_model_alias(NAME, "champion",
                                               store["versions"]["strong"].version)
    rows = store["X_test"].head(5)
    if payload is None:
        payload = {"dataframe_split": rows.to_dict(orient="split")}
    if predictions is None:
        predictions = store["strong"].predict(rows).tolist()
    return payload, predictions, rows, NAME


def test_q3_passes_on_the_served_answer(store):
    assert_passes(q3, *_q3_args(store))


def test_q3_pending(store):
    rows = store["X_test"].head(5)
    assert_pending(q3, ..., ..., rows, NAME)


def test_q3_rejects_payload_mistakes(store):
    rows = store["X_test"].head(5)
    assert_rejects(q3, *_q3_args(store, payload=rows.to_dict(orient="split")),
                   mentions="wrapper")
    assert_rejects(q3, *_q3_args(store, payload=rows.to_json(orient="split")),
                   mentions="string")
    assert_rejects(q3, *_q3_args(store, payload={"dataframe_records": rows.to_dict("records")}),
                   mentions="dataframe_split")
    other = store["X_test"].tail(5)
    assert_rejects(q3, *_q3_args(store, payload={"dataframe_split": other.to_dict("split")}),
                   mentions="not `request_rows`")


def test_q3_rejects_whole_response_and_wrong_predictions(store):
    rows = store["X_test"].head(5)
    right = store["strong"].predict(rows).tolist()
    assert_rejects(q3, *_q3_args(store, predictions={"predictions": right}),
                   mentions="whole response")
    assert_rejects(q3, *_q3_args(store, predictions=store["weak"].predict(rows).tolist()
                                 if store["weak"].predict(rows).tolist() != right
                                 else [1 - p for p in right]),
                   mentions="@champion")
    assert_rejects(q3, *_q3_args(store, predictions=right[:3]), mentions="values for")
