"""The checks of 02_model_training_evaluation/03_metrics: right, wrong and not attempted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    f1_score,
    mean_absolute_error,
    mean_squared_error,
    precision_score,
    r2_score,
    recall_score,
    roc_auc_score,
    root_mean_squared_error,
)
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils import load_dataset
from utils.checks.m02_03_metrics import q1, q2, q3, q4, q5

SEED = 42
COST_FN, COST_FP = 10.0, 1.0
THRESHOLDS = np.linspace(0, 1, 201)[1:-1]


@pytest.fixture(scope="module")
def churn():
    frame = load_dataset("churn").drop_duplicates().dropna(subset=["monthly_charges"])
    features = ["contract", "tenure_months", "monthly_charges", "support_calls"]
    X = pd.get_dummies(frame[features], columns=["contract"], dtype=float)
    y = frame["churned"]
    X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=0.25, stratify=y,
                                                      random_state=SEED)
    X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_size=1 / 3,
                                                      stratify=y_rest, random_state=SEED)
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X_train, y_train)
    return model, X_train, y_train, X_val, y_val, X_test, y_test


# -- q1 -----------------------------------------------------------------------------------
def _prf(y_true, y_pred, **kwargs):
    return (precision_score(y_true, y_pred, **kwargs), recall_score(y_true, y_pred, **kwargs),
            f1_score(y_true, y_pred, **kwargs))


def test_q1_passes_on_test_metrics(churn):
    model, *_, X_test, y_test = churn
    assert_passes(q1, *_prf(y_test, model.predict(X_test)), model, X_test, y_test)


def test_q1_pending(churn):
    model, *_, X_test, y_test = churn
    assert_pending(q1)
    assert_pending(q1, ..., ..., ..., model, X_test, y_test)


def test_q1_rejects_swapped_arguments(churn):
    model, *_, X_test, y_test = churn
    y_pred = model.predict(X_test)
    right = _prf(y_test, y_pred)
    assert_rejects(q1, *_prf(y_pred, y_test), model, X_test, y_test, mentions="swapped",
                   must_not_mention=tuple(f"{v:.3f}" for v in right))


def test_q1_rejects_negative_class_training_data_and_accuracy(churn):
    model, X_train, y_train, _, _, X_test, y_test = churn
    y_pred = model.predict(X_test)
    assert_rejects(q1, *_prf(y_test, y_pred, pos_label=0), model, X_test, y_test,
                   mentions="label 0")
    assert_rejects(q1, *_prf(y_train, model.predict(X_train)), model, X_test, y_test,
                   mentions="model.predict(X_test)")
    precision, recall, _ = _prf(y_test, y_pred)
    assert_rejects(q1, precision, recall, accuracy_score(y_test, y_pred), model, X_test, y_test,
                   mentions="accuracy")


def test_q1_rejects_averaged_metrics_and_arithmetic_mean(churn):
    model, *_, X_test, y_test = churn
    y_pred = model.predict(X_test)
    assert_rejects(q1, *_prf(y_test, y_pred, average="macro"), model, X_test, y_test,
                   mentions="'binary'")
    precision, recall, _ = _prf(y_test, y_pred)
    assert_rejects(q1, precision, recall, (precision + recall) / 2, model, X_test, y_test,
                   mentions="HARMONIC")


def test_q1_rejects_percentages_and_arrays(churn):
    model, *_, X_test, y_test = churn
    precision, recall, f1 = _prf(y_test, model.predict(X_test))
    assert_rejects(q1, 100 * precision, 100 * recall, 100 * f1, model, X_test, y_test,
                   mentions="percentages")
    per_class = precision_score(y_test, model.predict(X_test), average=None)
    assert_rejects(q1, per_class, recall, f1, model, X_test, y_test, mentions="average=None")


# -- q2 -----------------------------------------------------------------------------------
def test_q2_passes_on_scores(churn):
    model, *_, X_test, y_test = churn
    scores = model.predict_proba(X_test)[:, 1]
    assert_passes(q2, roc_auc_score(y_test, scores), average_precision_score(y_test, scores),
                  model, X_test, y_test)


def test_q2_pending(churn):
    model, *_, X_test, y_test = churn
    assert_pending(q2)
    assert_pending(q2, ..., ..., model, X_test, y_test)


def test_q2_rejects_labels_instead_of_scores(churn):
    model, *_, X_test, y_test = churn
    labels = model.predict(X_test)
    scores = model.predict_proba(X_test)[:, 1]
    assert_rejects(q2, roc_auc_score(y_test, labels), average_precision_score(y_test, labels),
                   model, X_test, y_test, mentions="labels",
                   must_not_mention=(f"{roc_auc_score(y_test, scores):.3f}",))


def test_q2_rejects_negative_column_and_mixed_up_metrics(churn):
    model, *_, X_test, y_test = churn
    scores = model.predict_proba(X_test)
    auc = roc_auc_score(y_test, scores[:, 1])
    ap = average_precision_score(y_test, scores[:, 1])
    assert_rejects(q2, roc_auc_score(y_test, scores[:, 0]), ap, model, X_test, y_test,
                   mentions="column 1")
    assert_rejects(q2, auc, auc, model, X_test, y_test, mentions="average_precision_score")
    assert_rejects(q2, ap, ap, model, X_test, y_test, mentions="roc_auc_score")


def test_q2_rejects_training_rows(churn):
    model, X_train, y_train, _, _, X_test, y_test = churn
    scores = model.predict_proba(X_train)[:, 1]
    assert_rejects(q2, roc_auc_score(y_train, scores), average_precision_score(y_train, scores),
                   model, X_test, y_test, mentions="roc_auc")


# -- q3 -----------------------------------------------------------------------------------
def _cost(y_true, flags):
    y_true, flags = np.asarray(y_true), np.asarray(flags)
    return COST_FN * np.sum((y_true == 1) & ~flags) + COST_FP * np.sum((y_true == 0) & flags)


def _cheapest(scores, y_true, cost_fn=COST_FN, cost_fp=COST_FP):
    y_true = np.asarray(y_true)
    costs = [cost_fn * np.sum((y_true == 1) & (scores < t))
             + cost_fp * np.sum((y_true == 0) & (scores >= t)) for t in THRESHOLDS]
    return float(THRESHOLDS[int(np.argmin(costs))])


def _q3_args(threshold, churn):
    model, _, _, X_val, y_val, X_test, y_test = churn
    return threshold, THRESHOLDS, model, X_val, y_val, X_test, y_test, COST_FN, COST_FP


def test_q3_passes_on_cheapest_validation_threshold(churn):
    model, _, _, X_val, y_val, *_ = churn
    best = _cheapest(model.predict_proba(X_val)[:, 1], y_val)
    assert_passes(q3, *_q3_args(best, churn))
    assert_passes(q3, *_q3_args(np.float64(best), churn))


def test_q3_pending(churn):
    assert_pending(q3)
    assert_pending(q3, *_q3_args(..., churn))


def test_q3_rejects_threshold_chosen_on_the_test_set(churn):
    model, _, _, X_val, y_val, X_test, y_test = churn
    on_test = _cheapest(model.predict_proba(X_test)[:, 1], y_test)
    on_val = _cheapest(model.predict_proba(X_val)[:, 1], y_val)
    assert on_test != on_val
    assert_rejects(q3, *_q3_args(on_test, churn), mentions="TEST set")


def test_q3_rejects_default_equal_costs_and_labels(churn):
    model, _, _, X_val, y_val, *_ = churn
    assert_rejects(q3, *_q3_args(0.5, churn), mentions="default")
    equal_costs = _cheapest(model.predict_proba(X_val)[:, 1], y_val, 1.0, 1.0)
    assert_rejects(q3, *_q3_args(equal_costs, churn), mentions="NUMBER of errors")
    # thresholds compared with 0/1 labels: every threshold gives the same cost, argmin takes
    # the first one
    labels = model.predict(X_val).astype(float)
    on_labels = _cheapest(labels, y_val)
    assert_rejects(q3, *_q3_args(on_labels, churn), mentions="not the 0/1 labels")


def test_q3_rejects_swapped_costs(churn):
    model, _, _, X_val, y_val, *_ = churn
    swapped = _cheapest(model.predict_proba(X_val)[:, 1], y_val, COST_FP, COST_FN)
    assert_rejects(q3, *_q3_args(swapped, churn), mentions="swapped")


def test_q3_rejects_values_outside_zero_one(churn):
    assert_rejects(q3, *_q3_args(1.0, churn), mentions="between 0 and 1")
    assert_rejects(q3, *_q3_args(np.array([0.2]), churn), mentions="one number")
    assert_rejects(q3, *_q3_args("0.2", churn), mentions="single number")


# -- q4 -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def species():
    penguins = load_dataset("penguins").dropna(subset=["flipper_length_mm", "body_mass_g",
                                                       "species"])
    X = penguins[["flipper_length_mm", "body_mass_g"]]
    y = penguins["species"]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y,
                                                        random_state=SEED)
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X_train, y_train)
    return y_test, model.predict(X_test)


def _averages(y_true, y_pred):
    return {a: f1_score(y_true, y_pred, average=a) for a in ("macro", "micro", "weighted")}


def test_q4_passes_on_three_averages(species):
    assert_passes(q4, _averages(*species), *species)


def test_q4_pending(species):
    assert_pending(q4)
    assert_pending(q4, {"macro": ..., "micro": ..., "weighted": ...}, *species)


def test_q4_rejects_swapped_arguments_and_mixed_up_keys(species):
    y_true, y_pred = species
    assert_rejects(q4, _averages(y_pred, y_true), *species, mentions="swapped")
    right = _averages(y_true, y_pred)
    mixed = {"macro": right["weighted"], "micro": right["micro"], "weighted": right["macro"]}
    assert_rejects(q4, mixed, *species, mentions="'weighted' average")


def test_q4_rejects_one_average_for_all_and_wrong_shape(species):
    y_true, y_pred = species
    same = dict.fromkeys(("macro", "micro", "weighted"), accuracy_score(y_true, y_pred))
    assert_rejects(q4, same, *species, mentions="all three values are the same")
    assert_rejects(q4, list(_averages(*species).values()), *species, mentions="dict")
    partial = {k: v for k, v in _averages(*species).items() if k != "micro"}
    assert_rejects(q4, partial, *species, mentions="'micro'")
    per_class = {"macro": f1_score(y_true, y_pred, average=None), "micro": 0.5,
                 "weighted": 0.5}
    assert_rejects(q4, per_class, *species, mentions="average=None")


# -- q5 -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def diabetes():
    frame = load_dataset("diabetes")
    X, y = frame.drop(columns="target"), frame["target"]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=SEED)
    reg = LinearRegression().fit(X_train, y_train)
    return reg, X_train, y_train, X_test, y_test


def _metrics(y_true, y_pred):
    return {"MSE": mean_squared_error(y_true, y_pred),
            "RMSE": root_mean_squared_error(y_true, y_pred),
            "MAE": mean_absolute_error(y_true, y_pred),
            "R2": r2_score(y_true, y_pred)}


def test_q5_passes_on_test_metrics(diabetes):
    reg, _, _, X_test, y_test = diabetes
    assert_passes(q5, _metrics(y_test, reg.predict(X_test)), reg, X_test, y_test)


def test_q5_pending(diabetes):
    reg, _, _, X_test, y_test = diabetes
    assert_pending(q5)
    assert_pending(q5, {"MSE": ..., "RMSE": ..., "MAE": ..., "R2": ...}, reg, X_test, y_test)


def test_q5_rejects_rmse_as_mse_and_swapped_r2(diabetes):
    reg, _, _, X_test, y_test = diabetes
    y_pred = reg.predict(X_test)
    right = _metrics(y_test, y_pred)
    assert_rejects(q5, {**right, "RMSE": right["MSE"]}, reg, X_test, y_test,
                   mentions="square root")
    assert_rejects(q5, {**right, "R2": r2_score(y_pred, y_test)}, reg, X_test, y_test,
                   mentions="swapped", must_not_mention=(f"{right['R2']:.3f}",))
    assert_rejects(q5, {**right, "MSE": right["MAE"], "MAE": right["MSE"]}, reg, X_test,
                   y_test, mentions="MSE and MAE are swapped")


def test_q5_rejects_signed_mean_error_and_inconsistent_rmse(diabetes):
    reg, _, _, X_test, y_test = diabetes
    y_pred = reg.predict(X_test)
    right = _metrics(y_test, y_pred)
    assert_rejects(q5, {**right, "MAE": float(np.mean(y_test - y_pred))}, reg, X_test, y_test,
                   mentions="ABSOLUTE")
    assert_rejects(q5, {**right, "RMSE": float(np.sqrt(right["MAE"]))}, reg, X_test, y_test,
                   mentions="square root of your `MSE`")


def test_q5_rejects_training_metrics_and_wrong_keys(diabetes):
    reg, X_train, y_train, X_test, y_test = diabetes
    on_train = _metrics(y_train, reg.predict(X_train))
    assert_rejects(q5, on_train, reg, X_test, y_test, mentions="not the training data")
    right = _metrics(y_test, reg.predict(X_test))
    renamed = {("r2" if k == "R2" else k): v for k, v in right.items()}
    assert_rejects(q5, renamed, reg, X_test, y_test, mentions="'R2'")
    assert_rejects(q5, list(right.values()), reg, X_test, y_test, mentions="dict")
