"""The checks of 02_model_training_evaluation/02_cross_validation: right, wrong and not
attempted."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    RepeatedStratifiedKFold,
    StratifiedKFold,
    cross_val_score,
    cross_validate,
)
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils import load_dataset
from utils.checks.m02_02_cross_validation import q1, q2, q3, q4

SEED = 42
N_SPLITS = 5
METRICS = ["accuracy", "roc_auc"]
K_BEST = 20


@pytest.fixture(scope="module")
def cancer():
    frame = load_dataset("breast_cancer")
    return frame.drop(columns="target"), frame["target"]


def _knn():
    return make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=5))


def _logreg():
    return make_pipeline(StandardScaler(), LogisticRegression())


def _skf():
    return StratifiedKFold(n_splits=N_SPLITS, shuffle=True, random_state=SEED)


# -- q1 -----------------------------------------------------------------------------------
def test_q1_passes_on_cross_validate(cancer):
    X, y = cancer
    skf = _skf()
    results = cross_validate(_knn(), X, y, cv=skf, scoring=METRICS, return_train_score=True)
    assert_passes(q1, skf, results, _knn(), X, y, N_SPLITS)


def test_q1_pending(cancer):
    X, y = cancer
    assert_pending(q1)
    assert_pending(q1, ..., ..., _knn(), X, y, N_SPLITS)


def test_q1_rejects_unstratified_unshuffled_or_unseeded_splitters(cancer):
    X, y = cancer
    for splitter, mention in ((KFold(N_SPLITS, shuffle=True, random_state=SEED), "stratified"),
                              (StratifiedKFold(N_SPLITS), "shuffle=True"),
                              (StratifiedKFold(N_SPLITS, shuffle=True), "random_state"),
                              (StratifiedKFold(3, shuffle=True, random_state=SEED), "N_SPLITS"),
                              (StratifiedKFold, "class")):
        assert_rejects(q1, splitter, {"test_accuracy": [0.9]}, _knn(), X, y, N_SPLITS,
                       mentions=mention)


def test_q1_rejects_missing_train_scores_or_metrics(cancer):
    X, y = cancer
    skf = _skf()
    no_train = cross_validate(_knn(), X, y, cv=skf, scoring=METRICS)
    assert_rejects(q1, skf, no_train, _knn(), X, y, N_SPLITS, mentions="return_train_score")
    single = cross_validate(_knn(), X, y, cv=skf, return_train_score=True)
    assert_rejects(q1, skf, single, _knn(), X, y, N_SPLITS, mentions="scoring=[")
    accuracy_only = cross_validate(_knn(), X, y, cv=skf, scoring=["accuracy"],
                                   return_train_score=True)
    assert_rejects(q1, skf, accuracy_only, _knn(), X, y, N_SPLITS, mentions="roc_auc")


def test_q1_rejects_cross_val_score_other_cv_and_other_model(cancer):
    X, y = cancer
    skf = _skf()
    assert_rejects(q1, skf, cross_val_score(_knn(), X, y, cv=skf), _knn(), X, y, N_SPLITS,
                   mentions="cross_validate")
    other_cv = cross_validate(_knn(), X, y, cv=N_SPLITS, scoring=METRICS,
                              return_train_score=True)
    assert_rejects(q1, skf, other_cv, _knn(), X, y, N_SPLITS, mentions="rerun")
    other_model = cross_validate(_logreg(), X, y, cv=skf, scoring=METRICS,
                                 return_train_score=True)
    assert_rejects(q1, skf, other_model, _knn(), X, y, N_SPLITS, mentions="given `knn`")


# -- q2 -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def paired(cancer):
    X, y = cancer
    rskf = RepeatedStratifiedKFold(n_splits=N_SPLITS, n_repeats=2, random_state=SEED)
    a = cross_val_score(_logreg(), X, y, cv=rskf)
    b = cross_val_score(_knn(), X, y, cv=rskf)
    return rskf, a, b


def test_q2_passes_on_paired_differences(cancer, paired):
    X, y = cancer
    rskf, a, b = paired
    assert_passes(q2, a - b, _logreg(), _knn(), X, y, rskf)
    assert_passes(q2, list(a - b), _logreg(), _knn(), X, y, rskf)


def test_q2_pending(cancer, paired):
    X, y = cancer
    assert_pending(q2)
    assert_pending(q2, ..., _logreg(), _knn(), X, y, paired[0])


def test_q2_rejects_sign_sorting_and_mean(cancer, paired):
    X, y = cancer
    rskf, a, b = paired
    assert_rejects(q2, b - a, _logreg(), _knn(), X, y, rskf, mentions="sign")
    assert_rejects(q2, np.sort(a) - np.sort(b), _logreg(), _knn(), X, y, rskf,
                   mentions="sorted")
    assert_rejects(q2, float(np.mean(a - b)), _logreg(), _knn(), X, y, rskf,
                   mentions="one value per fold")
    assert_rejects(q2, np.abs(a - b), _logreg(), _knn(), X, y, rskf, mentions="absolute")


def test_q2_rejects_different_folds_for_each_model(cancer, paired):
    X, y = cancer
    rskf, a, _ = paired
    other = RepeatedStratifiedKFold(n_splits=N_SPLITS, n_repeats=2, random_state=SEED + 1)
    unpaired = a - cross_val_score(_knn(), X, y, cv=other)
    assert_rejects(q2, unpaired, _logreg(), _knn(), X, y, rskf, mentions="same splitter")
    five = cross_val_score(_logreg(), X, y, cv=5) - cross_val_score(_knn(), X, y, cv=5)
    assert_rejects(q2, five, _logreg(), _knn(), X, y, rskf, mentions="cv=")


# -- q3 -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def noise():
    rng = np.random.default_rng(SEED)
    X = rng.normal(size=(100, 500))
    y = rng.integers(0, 2, size=100)
    return X, y, StratifiedKFold(n_splits=N_SPLITS, shuffle=True, random_state=SEED)


def _honest():
    return make_pipeline(SelectKBest(f_classif, k=20), LogisticRegression())


def test_q3_passes_on_selection_inside_the_pipeline(noise):
    X, y, cv = noise
    assert_passes(q3, _honest(), cross_val_score(_honest(), X, y, cv=cv), X, y, cv, K_BEST)


def test_q3_pending(noise):
    X, y, cv = noise
    assert_pending(q3)
    assert_pending(q3, ..., ..., X, y, cv, K_BEST)


def test_q3_rejects_selection_before_cross_validation(noise):
    X, y, cv = noise
    selected = SelectKBest(f_classif, k=20).fit_transform(X, y)
    leaky = cross_val_score(LogisticRegression(), selected, y, cv=cv)
    assert leaky.mean() > 0.7
    assert_rejects(q3, _honest(), leaky, X, y, cv, K_BEST, mentions="saw the validation folds")


def test_q3_rejects_pipelines_without_or_after_selection(noise):
    X, y, cv = noise
    assert_rejects(q3, LogisticRegression(), [0.5] * N_SPLITS, X, y, cv, K_BEST,
                   mentions="Pipeline")
    assert_rejects(q3, make_pipeline(StandardScaler(), LogisticRegression()), [0.5] * N_SPLITS,
                   X, y, cv, K_BEST, mentions="no feature-selection")
    other_k = make_pipeline(SelectKBest(f_classif, k=5), LogisticRegression())
    assert_rejects(q3, other_k, cross_val_score(other_k, X, y, cv=cv), X, y, cv, K_BEST,
                   mentions="k=K_BEST")
    other_model = make_pipeline(SelectKBest(f_classif, k=20), KNeighborsClassifier())
    assert_rejects(q3, other_model, [0.5] * N_SPLITS, X, y, cv, K_BEST,
                   mentions="LogisticRegression")
    assert_rejects(q3, make_pipeline(LogisticRegression(), SelectKBest(f_classif, k=20)),
                   [0.5] * N_SPLITS, X, y, cv, K_BEST, mentions="last")


def test_q3_rejects_scores_of_another_cv(noise):
    X, y, cv = noise
    other = cross_val_score(_honest(), X, y, cv=StratifiedKFold(N_SPLITS, shuffle=True,
                                                                random_state=1))
    assert other.mean() <= 0.7
    assert_rejects(q3, _honest(), other, X, y, cv, K_BEST, mentions="noise_cv")
    assert_rejects(q3, _honest(), cross_val_score(_honest(), X, y, cv=3), X, y, cv, K_BEST,
                   mentions="folds")


# -- q4 -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def nested(cancer):
    X, y = cancer
    inner = StratifiedKFold(n_splits=3, shuffle=True, random_state=SEED)
    outer = StratifiedKFold(n_splits=3, shuffle=True, random_state=SEED + 1)
    search = GridSearchCV(_logreg(), {"logisticregression__C": [0.01, 0.1, 1.0]}, cv=inner)
    search.fit(X, y)
    return search, outer


def test_q4_passes_on_nested_scores(cancer, nested):
    X, y = cancer
    search, outer = nested
    assert_passes(q4, cross_val_score(search, X, y, cv=outer), search, X, y, outer)


def test_q4_pending(cancer, nested):
    X, y = cancer
    assert_pending(q4)
    assert_pending(q4, ..., nested[0], X, y, nested[1])


def test_q4_rejects_best_score_and_tuning_on_all_rows(cancer, nested):
    X, y = cancer
    search, outer = nested
    assert_rejects(q4, search.best_score_, search, X, y, outer, mentions="best_score_")
    shortcut = cross_val_score(search.best_estimator_, X, y, cv=outer)
    right = cross_val_score(search, X, y, cv=outer)
    assert not np.allclose(shortcut, right)  # the grid makes the outer folds choose differently
    assert_rejects(q4, shortcut, search, X, y, outer, mentions="ALL rows")


def test_q4_rejects_other_folds_and_types(cancer, nested):
    X, y = cancer
    search, outer = nested
    assert_rejects(q4, cross_val_score(search, X, y, cv=5), search, X, y, outer,
                   mentions="folds")
    assert_rejects(q4, "0.97", search, X, y, outer, mentions="1-D array")
    assert_rejects(q4, 0.97, search, X, y, outer, mentions="single number")
