"""The checks of 05_mlops/01_experiment_tracking: right, wrong and not attempted.

Runs are logged for real, to a throwaway SQLite store in a temporary folder (one per test
module: creating the database takes a few seconds).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import mlflow  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from sklearn.linear_model import LogisticRegression, SGDClassifier  # noqa: E402
from sklearn.metrics import f1_score, log_loss  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects  # noqa: E402
from utils import load_dataset  # noqa: E402
from utils.checks.m05_01_experiment_tracking import q1, q2, q3, q4  # noqa: E402

SEED = 42
ALPHA = 0.01
EPOCHS = 4


@pytest.fixture(scope="module", autouse=True)
def store(tmp_path_factory):
    """A fresh SQLite tracking store and experiment; the previous tracking URI is restored."""
    folder = tmp_path_factory.mktemp("mlflow-store")
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(f"sqlite:///{folder / 'mlflow.db'}")
    experiment_id = mlflow.create_experiment("checks", artifact_location=(folder / "a").as_uri())
    mlflow.set_experiment(experiment_id=experiment_id)
    yield experiment_id
    while mlflow.active_run():
        mlflow.end_run()
    mlflow.set_tracking_uri(previous)


@pytest.fixture(scope="module")
def data():
    churn = load_dataset("churn").drop_duplicates().dropna(subset=["monthly_charges"])
    features = ["contract", "tenure_months", "monthly_charges", "support_calls"]
    X = pd.get_dummies(churn[features], columns=["contract"], dtype=float)
    y = churn["churned"]
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.3, stratify=y,
                                                      random_state=SEED)
    scaler = StandardScaler().fit(X_train)
    return X_train, y_train, X_val, y_val, scaler.transform(X_train), scaler.transform(X_val)


# -- q1 -------------------------------------------------------------------------------------
def _sgd_run(data, *, params=True, alpha_as_metric=False, steps=True, once=False,
             on_train=False, epochs=EPOCHS, end=True):
    _, y_train, _, y_val, X_train_s, X_val_s = data
    run = mlflow.start_run()
    if params:
        mlflow.log_param("epochs", EPOCHS)
        if alpha_as_metric:
            mlflow.log_metric("alpha", ALPHA)
        else:
            mlflow.log_param("alpha", ALPHA)
    model = SGDClassifier(loss="log_loss", alpha=ALPHA, random_state=SEED)
    X_eval, y_eval = (X_train_s, y_train) if on_train else (X_val_s, y_val)
    for epoch in range(epochs):
        model.partial_fit(X_train_s, y_train, classes=[0, 1])
        if not once:
            loss = log_loss(y_eval, model.predict_proba(X_eval))
            mlflow.log_metric("val_loss", loss, **({"step": epoch} if steps else {}))
    if once:
        mlflow.log_metric("val_loss", log_loss(y_eval, model.predict_proba(X_eval)))
    if end:
        mlflow.end_run()
    return run.info.run_id


def _q1_args(run_id, data):
    X_train, y_train, X_val, y_val, X_train_s, X_val_s = data
    return run_id, X_train_s, y_train, X_val_s, y_val, ALPHA, EPOCHS, SEED


def test_q1_passes_on_a_loss_per_epoch(data):
    assert_passes(q1, *_q1_args(_sgd_run(data), data))


def test_q1_pending(data):
    assert_pending(q1)
    assert_pending(q1, *_q1_args(..., data))


def test_q1_rejects_a_loss_logged_once_or_without_steps(data):
    assert_rejects(q1, *_q1_args(_sgd_run(data, once=True), data), mentions="logged once")
    assert_rejects(q1, *_q1_args(_sgd_run(data, steps=False), data), mentions="step=epoch")


def test_q1_rejects_alpha_as_a_metric_and_missing_params(data):
    assert_rejects(q1, *_q1_args(_sgd_run(data, alpha_as_metric=True), data),
                   mentions="logged as a metric")
    assert_rejects(q1, *_q1_args(_sgd_run(data, params=False), data), mentions="parameter")


def test_q1_rejects_training_loss_and_wrong_number_of_epochs(data):
    assert_rejects(q1, *_q1_args(_sgd_run(data, on_train=True), data), mentions="TRAINING")
    assert_rejects(q1, *_q1_args(_sgd_run(data, epochs=EPOCHS - 1), data),
                   mentions="one value per epoch")


def test_q1_rejects_a_run_object_an_unknown_id_and_an_open_run(data):
    with mlflow.start_run() as run:
        pass
    assert_rejects(q1, *_q1_args(run, data), mentions="run_id")
    assert_rejects(q1, *_q1_args("0" * 32, data), mentions="no run with the id")
    open_run = _sgd_run(data, end=False)
    try:
        assert_rejects(q1, *_q1_args(open_run, data), mentions="still running")
    finally:
        mlflow.end_run()


# -- q2 -------------------------------------------------------------------------------------
def _figure():
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.imshow([[3, 1], [1, 3]])
    return fig


def _artifact_run(*, name="confusion_matrix.png", log=True, tag="tag", as_text=False):
    with mlflow.start_run() as run:
        fig = _figure()
        if as_text:
            mlflow.log_text("[[3, 1], [1, 3]]", name)
        elif log:
            mlflow.log_figure(fig, name)
        plt.close(fig)
        if tag == "tag":
            mlflow.set_tag("dataset", "churn")
        elif tag == "param":
            mlflow.log_param("dataset", "churn")
        elif tag:
            mlflow.set_tag("dataset", tag)
    return run.info.run_id


def test_q2_passes_on_a_logged_figure_and_tag():
    assert_passes(q2, _artifact_run())


def test_q2_pending():
    assert_pending(q2)


def test_q2_rejects_a_figure_saved_only_to_disk_or_under_another_name(tmp_path):
    with mlflow.start_run() as run:
        fig = _figure()
        fig.savefig(tmp_path / "confusion_matrix.png")
        plt.close(fig)
        mlflow.set_tag("dataset", "churn")
    assert_rejects(q2, run.info.run_id, mentions="only writes it to your disk")
    assert_rejects(q2, _artifact_run(name="cm.png"), mentions="not under the name")
    assert_rejects(q2, _artifact_run(as_text=True), mentions="not a PNG")


def test_q2_rejects_a_missing_tag_a_param_and_a_wrong_value():
    assert_rejects(q2, _artifact_run(tag=None), mentions="no tag `dataset`")
    assert_rejects(q2, _artifact_run(tag="param"), mentions="logged as a parameter")
    assert_rejects(q2, _artifact_run(tag="penguins"), mentions="`churn`")


# -- q3 -------------------------------------------------------------------------------------
def _child(data, class_weight, on_train=False, log_param=True):
    X_train, y_train, X_val, y_val, *_ = data
    clf = make_pipeline(StandardScaler(), LogisticRegression(class_weight=class_weight))
    clf.fit(X_train, y_train)
    if log_param:
        mlflow.log_param("class_weight", str(class_weight))
    X_eval, y_eval = (X_train, y_train) if on_train else (X_val, y_val)
    mlflow.log_metric("val_f1", f1_score(y_eval, clf.predict(X_eval)))


def _nested_grid(data, weights=(None, "balanced"), **child):
    with mlflow.start_run() as parent:
        for class_weight in weights:
            with mlflow.start_run(nested=True):
                _child(data, class_weight, **child)
    return parent.info.run_id


def _q3_args(parent_id, data):
    X_train, y_train, X_val, y_val, *_ = data
    return parent_id, X_train, y_train, X_val, y_val


def test_q3_passes_on_two_nested_children(data):
    assert_passes(q3, *_q3_args(_nested_grid(data), data))


def test_q3_pending(data):
    assert_pending(q3)
    assert_pending(q3, *_q3_args(..., data))


def test_q3_rejects_children_that_are_not_nested(data):
    with mlflow.start_run() as parent:
        pass
    for class_weight in (None, "balanced"):
        with mlflow.start_run():
            _child(data, class_weight)
    assert_rejects(q3, *_q3_args(parent.info.run_id, data), mentions="nested=True")


def test_q3_rejects_a_child_id_one_child_and_training_f1(data):
    parent_id = _nested_grid(data)
    child = mlflow.search_runs(filter_string=f"tags.mlflow.parentRunId = '{parent_id}'",
                               output_format="list")[0]
    assert_rejects(q3, *_q3_args(child.info.run_id, data), mentions="child run")
    assert_rejects(q3, *_q3_args(_nested_grid(data, weights=("balanced",)), data),
                   mentions="one child each")
    assert_rejects(q3, *_q3_args(_nested_grid(data, on_train=True), data), mentions="TRAINING")


def test_q3_rejects_the_grid_logged_in_the_parent_and_missing_params(data):
    with mlflow.start_run() as parent:
        _child(data, "balanced")
    assert_rejects(q3, *_q3_args(parent.info.run_id, data), mentions="no child runs")
    assert_rejects(q3, *_q3_args(_nested_grid(data, log_param=False), data),
                   mentions="no parameter `class_weight`")


# -- q4 -------------------------------------------------------------------------------------
# (C, class_weight) -> (validation F1, validation ROC AUC): the best F1 and the best ROC AUC
# belong to different children, as they can in the notebook
GRID = {(0.01, "None"): (0.52, 0.866), (1.0, "None"): (0.61, 0.871),
        (0.01, "balanced"): (0.65, 0.869), (1.0, "balanced"): (0.64, 0.867)}
# as in the notebook: the child with the best ROC AUC is also the one with the lowest F1
GRID_LOWEST_F1_BEST_AUC = {(0.001, "None"): (0.0, 0.870), (1.0, "None"): (0.61, 0.867),
                           (0.01, "balanced"): (0.65, 0.869)}


def _log_grid(values):
    with mlflow.start_run() as parent:
        for (C, class_weight), (f1, auc) in values.items():
            with mlflow.start_run(nested=True):
                mlflow.log_params({"C": C, "class_weight": class_weight})
                mlflow.log_metrics({"val_f1": f1, "val_roc_auc": auc})
    return parent.info.run_id


@pytest.fixture(scope="module")
def grid():
    return _log_grid(GRID)


def _ranked(grid_id, order, filtered=True):
    return mlflow.search_runs(
        filter_string=f"tags.mlflow.parentRunId = '{grid_id}'" if filtered else "",
        order_by=[order])


def _q4_args(grid_id, order="metrics.val_f1 DESC", row=0):
    ranked = _ranked(grid_id, order)
    return ranked, ranked["run_id"].iloc[row], grid_id


def test_q4_passes_on_the_best_f1(grid):
    assert_passes(q4, *_q4_args(grid))


def test_q4_pending(grid):
    assert_pending(q4)
    assert_pending(q4, ..., ..., grid)


def test_q4_rejects_ascending_order_and_the_parent(grid):
    assert_rejects(q4, *_q4_args(grid, "metrics.val_f1"), mentions="ascending")
    ranked = _ranked(grid, "metrics.val_f1 DESC")
    assert_rejects(q4, ranked, grid, grid, mentions="parent run")
    # the right run id, but the DataFrame kept in the wrong order
    ascending = _ranked(grid, "metrics.val_f1")
    assert_rejects(q4, ascending, ranked["run_id"].iloc[0], grid, mentions="ascending order")


def test_q4_rejects_a_query_without_the_filter(grid):
    unfiltered = _ranked(grid, "metrics.val_f1 DESC", filtered=False)
    assert_rejects(q4, unfiltered, unfiltered["run_id"].iloc[0], grid,
                   mentions="not children of the grid")
    ranked = _ranked(grid, "metrics.val_f1 DESC")
    assert_rejects(q4, ranked.head(2), ranked["run_id"].iloc[0], grid, mentions="2 rows")


def test_q4_rejects_a_row_a_column_and_a_run_object(grid):
    ranked = _ranked(grid, "metrics.val_f1 DESC")
    assert_rejects(q4, ranked, ranked.iloc[0], grid, mentions="`run_id` column")
    assert_rejects(q4, ranked, ranked["run_id"], grid, mentions="`run_id` column")
    run = mlflow.get_run(ranked["run_id"].iloc[0])
    assert_rejects(q4, ranked, run, grid, mentions="info.run_id")
    assert_rejects(q4, ranked["run_id"], ranked["run_id"].iloc[0], grid, mentions="Series")


def test_q4_rejects_the_best_roc_auc_and_a_run_outside_the_grid(grid, data):
    assert_rejects(q4, *_q4_args(grid, "metrics.val_roc_auc DESC"), mentions="ROC AUC")
    ranked = _ranked(grid, "metrics.val_f1 DESC")
    assert_rejects(q4, ranked, _nested_grid(data), grid,
                   mentions="not one of the grid's child runs")
    assert_rejects(q4, *_q4_args(grid, row=1), mentions="higher validation F1")


def test_q4_names_both_causes_when_the_best_roc_auc_has_the_lowest_f1():
    grid_id = _log_grid(GRID_LOWEST_F1_BEST_AUC)
    for order in ("metrics.val_roc_auc DESC", "metrics.val_f1"):
        assert_rejects(q4, *_q4_args(grid_id, order), mentions="ROC AUC")
        assert_rejects(q4, *_q4_args(grid_id, order), mentions="ascending")
