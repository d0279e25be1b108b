"""The checks of 03_feature_engineering/02_feature_selection: right, wrong and not attempted."""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_selection import SelectKBest, chi2, f_classif, mutual_info_classif
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    StratifiedKFold,
    cross_val_score,
    train_test_split,
)
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils import load_dataset
from utils.checks.m03_02_feature_selection import q1, q2, q3

SEED = 42
K_GRID = [2, 5, 10, 30]
K_NOISE = 20


@pytest.fixture(scope="module")
def data():
    cancer = load_dataset("breast_cancer")
    real = cancer.drop(columns="target")
    rng = np.random.default_rng(SEED)
    noise = pd.DataFrame(rng.normal(size=(len(real), 20)), index=real.index,
                         columns=[f"noise_{i:03d}" for i in range(20)])
    X = pd.concat([real, noise], axis=1)
    X_train, X_test, y_train, y_test = train_test_split(
        X, cancer["target"], test_size=0.25, stratify=cancer["target"], random_state=SEED)
    return X_train, y_train, X_test, y_test  # the order the checks take them in


@pytest.fixture(scope="module")
def cv():
    return StratifiedKFold(n_splits=3, shuffle=True, random_state=SEED)


@pytest.fixture(scope="module")
def noise():
    rng = np.random.default_rng(SEED)
    X = rng.normal(size=(120, 1000))
    y = rng.integers(0, 2, size=120)
    return X, y, StratifiedKFold(n_splits=3, shuffle=True, random_state=SEED)


# -- q1 --------------------------------------------------------------------------------------
def test_q1_passes_on_names_as_array_or_list(data):
    X_train, y_train, X_test, y_test = data
    selector = SelectKBest(f_classif, k=10).fit(X_train, y_train)
    names = selector.get_feature_names_out()
    assert_passes(q1, selector, names, *data)
    assert_passes(q1, selector, list(names)[::-1], *data)


def test_q1_pending(data):
    assert_pending(q1)
    assert_pending(q1, ..., ..., *data)


def test_q1_rejects_another_score_function_or_k(data):
    X_train, y_train, _, _ = data
    selector = SelectKBest(partial(mutual_info_classif, random_state=SEED), k=10)
    selector.fit(X_train, y_train)
    assert_rejects(q1, selector, selector.get_feature_names_out(), *data, mentions="f_classif")
    selector = SelectKBest(f_classif, k=5).fit(X_train, y_train)
    assert_rejects(q1, selector, selector.get_feature_names_out(), *data, mentions="k=5")
    assert_rejects(q1, SelectKBest(chi2, k=10), None, *data, mentions="f_classif")


def test_q1_rejects_an_unfitted_selector_or_another_type(data):
    assert_rejects(q1, SelectKBest(f_classif, k=10), None, *data, mentions="not fitted")
    assert_rejects(q1, SelectKBest, None, *data, mentions="class")
    assert_rejects(q1, StandardScaler(), None, *data, mentions="SelectKBest")


def test_q1_rejects_a_selector_fitted_on_all_rows(data):
    X_train, y_train, X_test, y_test = data
    leaky = SelectKBest(f_classif, k=10).fit(pd.concat([X_train, X_test]),
                                             pd.concat([y_train, y_test]))
    assert_rejects(q1, leaky, leaky.get_feature_names_out(), *data, mentions="every row")


def test_q1_rejects_a_selector_fitted_on_the_test_rows_or_other_labels(data):
    X_train, y_train, X_test, y_test = data
    wrong = SelectKBest(f_classif, k=10).fit(X_test, y_test)
    assert_rejects(q1, wrong, wrong.get_feature_names_out(), *data, mentions="training rows")
    shuffled = np.random.default_rng(SEED).permutation(y_train.to_numpy())
    wrong = SelectKBest(f_classif, k=10).fit(X_train, shuffled)
    assert_rejects(q1, wrong, wrong.get_feature_names_out(), *data, mentions="own labels")


def test_q1_rejects_masks_positions_and_other_names(data):
    X_train, y_train, _, _ = data
    selector = SelectKBest(f_classif, k=10).fit(X_train, y_train)
    assert_rejects(q1, selector, selector.get_support(), *data, mentions="mask")
    assert_rejects(q1, selector, list(selector.get_support(indices=True)), *data,
                   mentions="positions")
    assert_rejects(q1, selector, list(X_train.columns[:10]), *data, mentions="does not name")
    assert_rejects(q1, selector, list(selector.get_feature_names_out())[:5], *data,
                   mentions="5 names")
    assert_rejects(q1, selector, "mean radius", *data, mentions="list")
    assert_rejects(q1, selector, selector.transform(X_train), *data, mentions="transformed")


# -- q2 --------------------------------------------------------------------------------------
def _search(pipe=None, grid=None, cv=None):
    pipe = pipe or make_pipeline(StandardScaler(), SelectKBest(f_classif), LogisticRegression())
    return GridSearchCV(pipe, grid or {"selectkbest__k": K_GRID}, cv=cv)


def test_q2_passes_on_the_reference_search(data, cv):
    X_train, y_train, _, _ = data
    search = _search(cv=cv).fit(X_train, y_train)
    assert_passes(q2, search, *data, K_GRID, cv)
    as_list = _search(grid=[{"selectkbest__k": K_GRID[::-1]}], cv=cv).fit(X_train, y_train)
    assert_passes(q2, as_list, *data, K_GRID, cv)


def test_q2_pending(data, cv):
    assert_pending(q2)
    assert_pending(q2, ..., *data, K_GRID, cv)


def test_q2_rejects_selection_before_the_search(data, cv):
    X_train, y_train, _, _ = data
    kept = SelectKBest(f_classif, k=10).fit(X_train, y_train).get_feature_names_out()
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    search = GridSearchCV(pipe, {"logisticregression__C": [0.1, 1.0]}, cv=cv)
    search.fit(X_train[kept], y_train)
    assert_rejects(q2, search, *data, K_GRID, cv, mentions="before the search")


def test_q2_rejects_a_bare_model_or_a_pipeline_without_selector(data, cv):
    search = GridSearchCV(LogisticRegression(), {"C": [1.0]}, cv=cv)
    assert_rejects(q2, search, *data, K_GRID, cv, mentions="Pipeline")
    search = GridSearchCV(make_pipeline(StandardScaler(), LogisticRegression()),
                          {"logisticregression__C": [1.0]}, cv=cv)
    assert_rejects(q2, search, *data, K_GRID, cv, mentions="no SelectKBest")


def test_q2_rejects_another_model_missing_scaler_or_score_function(data, cv):
    knn = make_pipeline(StandardScaler(), SelectKBest(f_classif), KNeighborsClassifier())
    assert_rejects(q2, _search(knn, cv=cv), *data, K_GRID, cv, mentions="LogisticRegression")
    unscaled = make_pipeline(SelectKBest(f_classif), LogisticRegression())
    assert_rejects(q2, _search(unscaled, cv=cv), *data, K_GRID, cv, mentions="StandardScaler")
    mi = make_pipeline(StandardScaler(), SelectKBest(mutual_info_classif), LogisticRegression())
    assert_rejects(q2, _search(mi, cv=cv), *data, K_GRID, cv, mentions="f_classif")


def test_q2_rejects_a_grid_that_misses_k_or_other_values(data, cv):
    grid = {"logisticregression__C": [0.1, 1.0]}
    assert_rejects(q2, _search(grid=grid, cv=cv), *data, K_GRID, cv, mentions="selectkbest__k")
    grid = {"selectkbest__k": [5, 10]}
    assert_rejects(q2, _search(grid=grid, cv=cv), *data, K_GRID, cv, mentions="k_grid")


def test_q2_rejects_an_unfitted_search_or_other_folds(data, cv):
    X_train, y_train, _, _ = data
    assert_rejects(q2, _search(cv=cv), *data, K_GRID, cv, mentions="not fitted")
    other = _search(cv=KFold(3)).fit(X_train, y_train)
    assert_rejects(q2, other, *data, K_GRID, cv, mentions="cv=cv")


def test_q2_rejects_a_search_fitted_on_all_rows(data, cv):
    X_train, y_train, X_test, y_test = data
    X_all, y_all = pd.concat([X_train, X_test]), pd.concat([y_train, y_test])
    search = _search(cv=cv).fit(X_all, y_all)
    assert_rejects(q2, search, *data, K_GRID, cv, mentions="every row")


# -- q3 --------------------------------------------------------------------------------------
def _honest(X, y, cv, k=K_NOISE):
    return cross_val_score(make_pipeline(SelectKBest(f_classif, k=k), LogisticRegression()),
                           X, y, cv=cv)


def test_q3_passes_on_the_pipeline_scores(noise):
    X, y, cv = noise
    scores = _honest(X, y, cv)
    assert_passes(q3, scores, X, y, cv, K_NOISE)
    assert_passes(q3, list(scores), X, y, cv, K_NOISE)


def test_q3_pending(noise):
    assert_pending(q3)
    assert_pending(q3, ..., *noise, K_NOISE)


def test_q3_rejects_selection_before_cross_validation(noise):
    X, y, cv = noise
    X_selected = SelectKBest(f_classif, k=K_NOISE).fit_transform(X, y)
    leaky = cross_val_score(LogisticRegression(), X_selected, y, cv=cv)
    assert_rejects(q3, leaky, X, y, cv, K_NOISE, mentions="before cross-validation")


def test_q3_rejects_a_mean_training_scores_and_other_shapes(noise):
    X, y, cv = noise
    scores = _honest(X, y, cv)
    assert_rejects(q3, float(scores.mean()), X, y, cv, K_NOISE, mentions="one number")
    assert_rejects(q3, np.ones(3), X, y, cv, K_NOISE, mentions="training rows")
    assert_rejects(q3, scores[:2], X, y, cv, K_NOISE, mentions="one accuracy per fold")
    assert_rejects(q3, scores * 100, X, y, cv, K_NOISE, mentions="outside [0, 1]")
    assert_rejects(q3, "0.5", X, y, cv, K_NOISE, mentions="array")


def test_q3_rejects_another_k_or_other_folds(noise):
    X, y, cv = noise
    assert_rejects(q3, _honest(X, y, cv, k=5), X, y, cv, K_NOISE, mentions="noise_cv")
    other = _honest(X, y, StratifiedKFold(n_splits=3, shuffle=True, random_state=SEED + 1))
    assert_rejects(q3, other, X, y, cv, K_NOISE, mentions="noise_cv")


def test_q3_rejects_a_suspiciously_high_score(noise):
    X, y, cv = noise
    X_leak = SelectKBest(f_classif, k=K_NOISE).fit_transform(X, y)
    leaky = cross_val_score(KNeighborsClassifier(), X_leak, y, cv=cv)  # another leaky model
    assert leaky.mean() > 0.65
    assert_rejects(q3, leaky, X, y, cv, K_NOISE, mentions="leaked")
