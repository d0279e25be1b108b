"""The checks of 03_feature_engineering/03_imbalanced_data: right, wrong and not attempted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import make_pipeline as make_imb_pipeline
from imblearn.under_sampling import RandomUnderSampler
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    f1_score,
    precision_recall_curve,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import StratifiedKFold, cross_val_predict, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils import load_dataset
from utils.checks.m03_03_imbalanced_data import q1, q2, q3

SEED = 42
NUMERIC = ["amount", "distance_km", "hour", "card_present", "tx_last_24h", "account_age_days"]
TARGET_RECALL = 0.8


def _preprocess():
    return ColumnTransformer([("numeric", StandardScaler(), NUMERIC),
                              ("merchant", OneHotEncoder(handle_unknown="ignore"),
                               ["merchant_category"])])


@pytest.fixture(scope="module")
def split():
    fraud = load_dataset("fraud")
    X, y = fraud.drop(columns="is_fraud"), fraud["is_fraud"]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y,
                                                        random_state=SEED)
    return X_train, y_train, X_test, y_test


@pytest.fixture(scope="module")
def plain(split):
    X_train, y_train, _, _ = split
    return make_pipeline(_preprocess(), LogisticRegression()).fit(X_train, y_train)


@pytest.fixture(scope="module")
def probabilities(split, plain):
    X_train, y_train, X_test, y_test = split
    cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=SEED)
    oof = cross_val_predict(plain, X_train, y_train, cv=cv, method="predict_proba")[:, 1]
    return oof, y_train, plain.predict_proba(X_test)[:, 1], y_test


# -- q1 --------------------------------------------------------------------------------------
def _metrics(model, X_test, y_test, **changes):
    y_pred = model.predict(X_test)
    metrics = {"accuracy": accuracy_score(y_test, y_pred),
               "precision": precision_score(y_test, y_pred),
               "recall": recall_score(y_test, y_pred),
               "average_precision": average_precision_score(
                   y_test, model.predict_proba(X_test)[:, 1])}
    return metrics | changes


def test_q1_passes_on_the_four_metrics(split, plain):
    _, _, X_test, y_test = split
    assert_passes(q1, _metrics(plain, X_test, y_test), plain, X_test, y_test)
    as_numpy = {k: np.float64(v) for k, v in _metrics(plain, X_test, y_test).items()}
    assert_passes(q1, as_numpy, plain, X_test, y_test)


def test_q1_pending(split, plain):
    _, _, X_test, y_test = split
    assert_pending(q1)
    assert_pending(q1, {"accuracy": ..., "precision": ..., "recall": ...,
                        "average_precision": ...}, plain, X_test, y_test)


def test_q1_rejects_missing_or_extra_keys_and_non_numbers(split, plain):
    _, _, X_test, y_test = split
    metrics = _metrics(plain, X_test, y_test)
    del metrics["average_precision"]
    assert_rejects(q1, metrics, plain, X_test, y_test, mentions="average_precision")
    extra = _metrics(plain, X_test, y_test, f1=0.5)
    assert_rejects(q1, extra, plain, X_test, y_test, mentions="unexpected")
    text = _metrics(plain, X_test, y_test, recall="0.5")
    assert_rejects(q1, text, plain, X_test, y_test, mentions="single number")
    assert_rejects(q1, [0.9, 0.5], plain, X_test, y_test, mentions="dict")


def test_q1_rejects_swapped_precision_and_recall(split, plain):
    _, _, X_test, y_test = split
    y_pred = plain.predict(X_test)
    swapped = _metrics(plain, X_test, y_test, precision=precision_score(y_pred, y_test),
                       recall=recall_score(y_pred, y_test))
    assert_rejects(q1, swapped, plain, X_test, y_test, mentions="swapped")


def test_q1_rejects_the_legitimate_class_or_macro_averages(split, plain):
    _, _, X_test, y_test = split
    y_pred = plain.predict(X_test)
    legit = _metrics(plain, X_test, y_test, recall=recall_score(y_test, y_pred, pos_label=0))
    assert_rejects(q1, legit, plain, X_test, y_test, mentions="legitimate class")
    macro = _metrics(plain, X_test, y_test,
                     precision=precision_score(y_test, y_pred, average="macro"))
    assert_rejects(q1, macro, plain, X_test, y_test, mentions="both classes")
    weighted = _metrics(plain, X_test, y_test,
                        recall=recall_score(y_test, y_pred, average="weighted"))
    assert_rejects(q1, weighted, plain, X_test, y_test, mentions="both classes")


def test_q1_rejects_average_precision_of_labels_wrong_column_or_roc_auc(split, plain):
    _, _, X_test, y_test = split
    proba = plain.predict_proba(X_test)
    labels = _metrics(plain, X_test, y_test,
                      average_precision=average_precision_score(y_test, plain.predict(X_test)))
    assert_rejects(q1, labels, plain, X_test, y_test, mentions="predicted labels")
    column = _metrics(plain, X_test, y_test,
                      average_precision=average_precision_score(y_test, proba[:, 0]))
    assert_rejects(q1, column, plain, X_test, y_test, mentions="legitimate class")
    auc = _metrics(plain, X_test, y_test, average_precision=roc_auc_score(y_test, proba[:, 1]))
    assert_rejects(q1, auc, plain, X_test, y_test, mentions="ROC AUC")


def test_q1_rejects_training_scores_and_f1_for_accuracy(split, plain):
    X_train, y_train, X_test, y_test = split
    on_train = _metrics(plain, X_train, y_train)
    assert_rejects(q1, on_train, plain, X_test, y_test, mentions="test accuracy")
    f1 = _metrics(plain, X_test, y_test, accuracy=f1_score(y_test, plain.predict(X_test)))
    assert_rejects(q1, f1, plain, X_test, y_test, mentions="accuracy")


# -- q2 --------------------------------------------------------------------------------------
def _smote_pipe(sampler=None, model=None):
    return make_imb_pipeline(_preprocess(), sampler or SMOTE(random_state=SEED),
                             model or LogisticRegression())


def _ap(pipe, X, y):
    return average_precision_score(y, pipe.predict_proba(X)[:, 1])


def test_q2_passes_on_the_reference_pipeline(split):
    X_train, y_train, X_test, y_test = split
    pipe = _smote_pipe().fit(X_train, y_train)
    assert_passes(q2, pipe, _ap(pipe, X_test, y_test), *split)


def test_q2_pending(split):
    assert_pending(q2)
    assert_pending(q2, ..., ..., *split)


def test_q2_rejects_resampling_outside_the_pipeline(split):
    X_train, y_train, X_test, y_test = split
    encoded = pd.get_dummies(X_train, columns=["merchant_category"], dtype=float)
    X_res, y_res = SMOTE(random_state=SEED).fit_resample(encoded, y_train)
    pipe = make_pipeline(StandardScaler(), LogisticRegression()).fit(X_res, y_res)
    assert_rejects(q2, pipe, 0.6, *split, mentions="outside the pipeline")


def test_q2_rejects_a_resampled_training_set_given_to_the_pipeline(split):
    X_train, y_train, X_test, y_test = split
    X_res, y_res = RandomUnderSampler(random_state=SEED).fit_resample(X_train, y_train)
    X_res, y_res = pd.concat([X_train, X_res]), pd.concat([y_train, y_res])
    pipe = _smote_pipe().fit(X_res, y_res)
    assert_rejects(q2, pipe, _ap(pipe, X_test, y_test), *split, mentions="resampled before")


def test_q2_rejects_a_scikit_learn_pipeline_or_no_sampler(split):
    X_train, y_train, X_test, y_test = split
    plain = make_pipeline(_preprocess(), LogisticRegression()).fit(X_train, y_train)
    assert_rejects(q2, plain, _ap(plain, X_test, y_test), *split, mentions="imbalanced-learn")
    under = _smote_pipe(sampler=RandomUnderSampler(random_state=SEED)).fit(X_train, y_train)
    assert_rejects(q2, under, _ap(under, X_test, y_test), *split, mentions="no SMOTE")


def test_q2_rejects_an_unseeded_sampler_or_double_weighting(split):
    X_train, y_train, X_test, y_test = split
    unseeded = _smote_pipe(sampler=SMOTE())
    assert_rejects(q2, unseeded, 0.6, *split, mentions="random_state")
    weighted = _smote_pipe(model=LogisticRegression(class_weight="balanced"))
    assert_rejects(q2, weighted, 0.6, *split, mentions="twice")


def test_q2_rejects_an_unfitted_pipeline_or_all_rows(split):
    X_train, y_train, X_test, y_test = split
    assert_rejects(q2, _smote_pipe(), 0.6, *split, mentions="not fitted")
    everything = _smote_pipe().fit(pd.concat([X_train, X_test]), pd.concat([y_train, y_test]))
    assert_rejects(q2, everything, _ap(everything, X_test, y_test), *split,
                   mentions="every row")


def test_q2_rejects_average_precision_from_labels_training_rows_or_roc_auc(split):
    X_train, y_train, X_test, y_test = split
    pipe = _smote_pipe().fit(X_train, y_train)
    labels = average_precision_score(y_test, pipe.predict(X_test))
    assert_rejects(q2, pipe, labels, *split, mentions="predicted labels")
    assert_rejects(q2, pipe, _ap(pipe, X_train, y_train), *split, mentions="training rows")
    auc = roc_auc_score(y_test, pipe.predict_proba(X_test)[:, 1])
    assert_rejects(q2, pipe, auc, *split, mentions="ROC AUC")
    assert_rejects(q2, pipe, np.array([0.6, 0.7]), *split, mentions="single number")
    legit = average_precision_score(y_test, pipe.predict_proba(X_test)[:, 0])
    assert_rejects(q2, pipe, legit, *split, mentions="legitimate class")
    assert_rejects(q2, pipe, f1_score(y_test, pipe.predict(X_test)), *split, mentions="F1")


# -- q3 --------------------------------------------------------------------------------------
def _highest(proba, y, target=TARGET_RECALL):
    _, recall, thresholds = precision_recall_curve(y, proba)
    return float(thresholds[recall[:-1] >= target].max())


def test_q3_passes_on_the_highest_threshold_reaching_the_target(probabilities):
    oof, y_oof, _, _ = probabilities
    assert_passes(q3, _highest(oof, y_oof), *probabilities, TARGET_RECALL)
    assert_passes(q3, np.float64(_highest(oof, y_oof)), *probabilities, TARGET_RECALL)


def test_q3_pending(probabilities):
    assert_pending(q3)
    assert_pending(q3, ..., *probabilities, TARGET_RECALL)


def test_q3_rejects_the_default_threshold(probabilities):
    assert_rejects(q3, 0.5, *probabilities, TARGET_RECALL, mentions="default")


def test_q3_rejects_a_threshold_chosen_on_the_test_set(probabilities):
    _, _, test, y_test = probabilities
    assert_rejects(q3, _highest(test, y_test), *probabilities, TARGET_RECALL,
                   mentions="test set")


def test_q3_rejects_a_recall_below_target(probabilities):
    oof, y_oof, _, _ = probabilities
    too_high = _highest(oof, y_oof, target=0.6)
    assert_rejects(q3, too_high, *probabilities, TARGET_RECALL, mentions="below the target")


def test_q3_rejects_a_threshold_that_flags_too_much(probabilities):
    oof, y_oof, _, _ = probabilities
    assert_rejects(q3, 0.01, *probabilities, TARGET_RECALL, mentions="highest threshold")


def test_q3_rejects_an_index_or_nonsense(probabilities):
    oof, y_oof, _, _ = probabilities
    _, recall, _ = precision_recall_curve(y_oof, oof)
    index = int(np.flatnonzero(recall[:-1] >= TARGET_RECALL).max())
    assert_rejects(q3, index, *probabilities, TARGET_RECALL, mentions="position")
    assert_rejects(q3, -0.2, *probabilities, TARGET_RECALL, mentions="between 0 and 1")
    assert_rejects(q3, np.array([0.1, 0.2]), *probabilities, TARGET_RECALL,
                   mentions="single number")
