"""The checks of 03_feature_engineering/05_leakage: right, wrong and not attempted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import (
    GroupKFold,
    GroupShuffleSplit,
    KFold,
    StratifiedGroupKFold,
    StratifiedKFold,
    cross_val_score,
)
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils import load_dataset
from utils.checks.m03_05_leakage import q1, q2, q3, q4

SEED = 42
CV = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)


# -- q1 --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def churn():
    """The notebook's churn table with its leaky column, on 600 customers for speed."""
    frame = load_dataset("churn").drop_duplicates().sample(n=600, random_state=SEED)
    rng = np.random.default_rng(SEED)
    frame["retention_offer"] = np.where(frame["churned"] == 1, rng.random(len(frame)) < 0.85,
                                        rng.random(len(frame)) < 0.04).astype(int)
    columns = ["tenure_months", "monthly_charges", "support_calls", "retention_offer"]
    return frame[columns], frame["churned"]


def _single_auc(X, y, scoring="roc_auc"):
    tree = DecisionTreeClassifier(max_depth=3, random_state=SEED)
    return pd.Series({c: cross_val_score(tree, X[[c]], y, cv=CV, scoring=scoring).mean()
                      for c in X.columns})


def test_q1_passes_on_the_sorted_series(churn):
    X, y = churn
    assert_passes(q1, _single_auc(X, y).sort_values(ascending=False), X, y, CV)


def test_q1_pending(churn):
    X, y = churn
    assert_pending(q1)
    assert_pending(q1, ..., X, y, CV)


def test_q1_rejects_unsorted_dict_and_missing_columns(churn):
    X, y = churn
    right = _single_auc(X, y)
    assert_rejects(q1, right.sort_values(), X, y, CV, mentions="highest to lowest")
    assert_rejects(q1, right.to_dict(), X, y, CV, mentions="pd.Series")
    assert_rejects(q1, right.drop("retention_offer"), X, y, CV, mentions="retention_offer")
    assert_rejects(q1, right.to_frame("auc"), X, y, CV, mentions="DataFrame")


def test_q1_rejects_training_scores_and_accuracy(churn):
    X, y = churn
    tree = DecisionTreeClassifier(max_depth=3, random_state=SEED)
    on_train = pd.Series({c: roc_auc_score(y, tree.fit(X[[c]], y).predict_proba(X[[c]])[:, 1])
                          for c in X.columns}).sort_values(ascending=False)
    assert_rejects(q1, on_train, X, y, CV, mentions="trained on")
    accuracy = _single_auc(X, y, scoring="accuracy").sort_values(ascending=False)
    assert_rejects(q1, accuracy, X, y, CV, mentions="accuracies")


def test_q1_rejects_raw_columns_scored_without_a_model_or_other_folds(churn):
    X, y = churn
    raw = pd.Series({c: roc_auc_score(y, X[c].fillna(0)) for c in X.columns})
    assert_rejects(q1, raw.sort_values(ascending=False), X, y, CV, mentions="depth-3 tree")
    tree = DecisionTreeClassifier(max_depth=3, random_state=SEED)
    other_folds = pd.Series({c: cross_val_score(tree, X[[c]], y, cv=3, scoring="roc_auc").mean()
                             for c in X.columns})
    assert_rejects(q1, other_folds.sort_values(ascending=False), X, y, CV, mentions="`cv`")


# -- q2 --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sales():
    rng = np.random.default_rng(SEED)
    days = pd.date_range("2024-01-01", periods=60, freq="D")
    return pd.Series(200 + np.cumsum(rng.normal(0, 3, 60)), index=days, name="sales")


def test_q2_passes_on_shift_then_rolling(sales):
    assert_passes(q2, lambda s: s.shift(1).rolling(7).mean(), sales)

    def by_hand(s):
        values = [np.nan] * 7 + [s.iloc[i - 7:i].mean() for i in range(7, len(s))]
        return pd.Series(values, index=s.index)

    assert_passes(q2, by_hand, sales)


def test_q2_pending(sales):
    assert_pending(q2)
    assert_pending(q2, ..., sales)
    assert_pending(q2, lambda s: ..., sales)


def test_q2_rejects_windows_that_include_today_or_the_future(sales):
    assert_rejects(q2, lambda s: s.rolling(7).mean(), sales, mentions="day itself")
    assert_rejects(q2, lambda s: s.rolling(7, center=True).mean(), sales, mentions="centred")
    assert_rejects(q2, lambda s: s.shift(-1).rolling(7).mean(), sales, mentions="AFTER")


def test_q2_rejects_partial_windows_dropped_rows_and_arrays(sales):
    assert_rejects(q2, lambda s: s.shift(1).rolling(7, min_periods=1).mean(), sales,
                   mentions="NaN")
    assert_rejects(q2, lambda s: s.shift(1).rolling(7).mean().dropna(), sales,
                   mentions="one value per day")
    assert_rejects(q2, lambda s: s.shift(1).rolling(7).mean().to_numpy(), sales,
                   mentions="NumPy array")
    assert_rejects(q2, lambda s: s.shift(1).rolling(7).mean().reset_index(drop=True), sales,
                   mentions="index")
    assert_rejects(q2, lambda s: s.shift(1).rolling(5).mean(), sales, mentions="7 days")


def test_q2_rejects_a_function_that_ignores_its_argument_or_mutates_it(sales):
    assert_rejects(q2, lambda s: sales.shift(1).rolling(7).mean(), sales,
                   mentions="12-day test series")

    def in_place(s):
        s[:] = s.shift(1).rolling(7).mean()
        return s

    assert_rejects(q2, in_place, sales, mentions="changed the Series")
    assert_rejects(q2, sales.shift(1).rolling(7).mean(), sales, mentions="function itself")


# -- q3 --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def visits():
    rng = np.random.default_rng(SEED)
    n_patients, n_visits = 40, 8
    patient_ids = np.repeat(np.arange(n_patients), n_visits)
    diagnosis = rng.random(n_patients) < 0.5
    X = rng.normal(0, 1, (n_patients, 6))[patient_ids] + rng.normal(0, 0.3, (320, 6))
    X[:, 0] += 0.5 * diagnosis[patient_ids]
    knn = make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=5))
    return knn, X, diagnosis[patient_ids].astype(int), patient_ids


def test_q3_passes_on_group_kfold_and_stratified_group_kfold(visits):
    knn, X, y, groups = visits
    cv = GroupKFold(n_splits=5)
    assert_passes(q3, cv, cross_val_score(knn, X, y, groups=groups, cv=cv), knn, X, y, groups)
    cv = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=SEED)
    assert_passes(q3, cv, list(cross_val_score(knn, X, y, groups=groups, cv=cv)), knn, X, y,
                  groups)
    cv = GroupShuffleSplit(n_splits=5, test_size=0.2, random_state=SEED)
    assert_passes(q3, cv, cross_val_score(knn, X, y, groups=groups, cv=cv), knn, X, y, groups)


def test_q3_pending(visits):
    knn, X, y, groups = visits
    assert_pending(q3)
    assert_pending(q3, ..., ..., knn, X, y, groups)


def test_q3_rejects_splitters_that_ignore_groups(visits):
    knn, X, y, groups = visits
    for cv in (KFold(n_splits=5), StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)):
        scores = cross_val_score(knn, X, y, cv=cv)
        assert_rejects(q3, cv, scores, knn, X, y, groups, mentions="same patient")
    assert_rejects(q3, 5, None, knn, X, y, groups, mentions="splitter object")
    assert_rejects(q3, "GroupKFold", None, knn, X, y, groups, mentions="splitter")
    assert_rejects(q3, GroupKFold, None, knn, X, y, groups, mentions="instance")
    assert_rejects(q3, GroupKFold(n_splits=3), None, knn, X, y, groups, mentions="5")


def test_q3_rejects_scores_made_without_the_groups(visits):
    knn, X, y, groups = visits
    cv = GroupKFold(n_splits=5)
    row_wise = cross_val_score(knn, X, y, cv=5)  # groups= forgotten, cv=5 means StratifiedKFold
    assert_rejects(q3, cv, row_wise, knn, X, y, groups, mentions="groups were not used")
    right = cross_val_score(knn, X, y, groups=groups, cv=cv)
    assert_rejects(q3, cv, right.mean(), knn, X, y, groups, mentions="single number")
    other = cross_val_score(KNeighborsClassifier(n_neighbors=1), X, y, groups=groups, cv=cv)
    assert_rejects(q3, cv, other, knn, X, y, groups, mentions="not the cross-validated")


# -- q4 --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def markers():
    rng = np.random.default_rng(SEED)
    X = rng.normal(size=(150, 2000))
    logit = 0.9 * X[:, 0] + 0.7 * X[:, 1]
    y = (rng.random(150) < 1 / (1 + np.exp(-logit))).astype(int)
    X[rng.random(X.shape) < 0.05] = np.nan
    selected = SelectKBest(f_classif, k=20).fit_transform(SimpleImputer().fit_transform(X), y)
    leaky = cross_val_score(LogisticRegression(max_iter=1000), selected, y, cv=CV,
                            scoring="roc_auc")
    return X, y, selected, leaky


def _fixed():
    return make_pipeline(SimpleImputer(), SelectKBest(f_classif, k=20),
                         LogisticRegression(max_iter=1000))


def test_q4_passes_on_the_fixed_pipeline(markers):
    X, y, _, leaky = markers
    scores = cross_val_score(_fixed(), X, y, cv=CV, scoring="roc_auc")
    assert_passes(q4, _fixed(), scores, leaky, X, y, CV)
    median = make_pipeline(SimpleImputer(strategy="median"), SelectKBest(f_classif, k=20),
                           StandardScaler(), LogisticRegression(max_iter=1000))
    scores = cross_val_score(median, X, y, cv=CV, scoring="roc_auc")
    assert_passes(q4, median, scores, leaky, X, y, CV)


def test_q4_pending(markers):
    X, y, _, leaky = markers
    assert_pending(q4)
    assert_pending(q4, ..., ..., leaky, X, y, CV)


def test_q4_rejects_selection_left_outside_the_pipeline(markers):
    X, y, selected, leaky = markers
    imputing_only = make_pipeline(SimpleImputer(), LogisticRegression(max_iter=1000))
    scores = cross_val_score(imputing_only, selected, y, cv=CV, scoring="roc_auc")
    assert_rejects(q4, imputing_only, scores, leaky, X, y, CV, mentions="does not select")
    bare = LogisticRegression(max_iter=1000)
    assert_rejects(q4, bare, leaky, leaky, X, y, CV, mentions="bare model")


def test_q4_rejects_scores_of_the_preselected_data_and_accuracy(markers):
    X, y, selected, leaky = markers
    assert_rejects(q4, _fixed(), leaky, leaky, X, y, CV, mentions="leaky scores")
    accuracy = cross_val_score(_fixed(), X, y, cv=CV)
    assert_rejects(q4, _fixed(), accuracy, leaky, X, y, CV, mentions="accuracies")
    other_cv = cross_val_score(_fixed(), X, y, cv=3, scoring="roc_auc")
    assert_rejects(q4, _fixed(), other_cv, leaky, X, y, CV, mentions="notebook's `cv`")


def test_q4_rejects_missing_imputer_wrong_order_and_settings(markers):
    X, y, _, leaky = markers
    no_imputer = make_pipeline(SelectKBest(f_classif, k=20), LogisticRegression(max_iter=1000))
    assert_rejects(q4, no_imputer, leaky, leaky, X, y, CV, mentions="does not impute")
    swapped = make_pipeline(SelectKBest(f_classif, k=20), SimpleImputer(),
                            LogisticRegression(max_iter=1000))
    assert_rejects(q4, swapped, leaky, leaky, X, y, CV, mentions="Impute first")
    other_k = make_pipeline(SimpleImputer(), SelectKBest(f_classif, k=50),
                            LogisticRegression(max_iter=1000))
    assert_rejects(q4, other_k, leaky, leaky, X, y, CV, mentions="k=20")
