"""The checks of 02_model_training_evaluation/01_data_splits: right, wrong and not attempted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import (
    GroupKFold,
    GroupShuffleSplit,
    KFold,
    ShuffleSplit,
    TimeSeriesSplit,
    train_test_split,
)
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils import load_dataset
from utils.checks.m02_01_data_splits import q1, q2, q3, q4

SEED = 42
TEST_SIZE = VAL_SIZE = 0.2


# -- q1: stratified three-way split ------------------------------------------------------
@pytest.fixture(scope="module")
def wine():
    frame = load_dataset("wine")
    return frame.drop(columns="target"), frame["target"]


def _three_way(X, y, first=True, second=True, val_share=VAL_SIZE / (1 - TEST_SIZE)):
    X_rest, X_test, y_rest, y_test = train_test_split(
        X, y, test_size=TEST_SIZE, stratify=y if first else None, random_state=SEED)
    X_train, X_val, y_train, y_val = train_test_split(
        X_rest, y_rest, test_size=val_share, stratify=y_rest if second else None,
        random_state=SEED)
    return X_train, X_val, X_test, y_train, y_val, y_test


def _q1_args(parts, X, y):
    return (*parts, X, y, TEST_SIZE, VAL_SIZE, SEED)


def test_q1_passes_on_stratified_split(wine):
    X, y = wine
    assert_passes(q1, *_q1_args(_three_way(X, y), X, y))
    other_seed = train_test_split(X, y, test_size=TEST_SIZE, stratify=y, random_state=7)
    X_rest, X_test, y_rest, y_test = other_seed
    X_train, X_val, y_train, y_val = train_test_split(
        X_rest, y_rest, test_size=0.25, stratify=y_rest, random_state=7)
    assert_passes(q1, *_q1_args((X_train, X_val, X_test, y_train, y_val, y_test), X, y))


def test_q1_pending():
    assert_pending(q1)
    assert_pending(q1, ..., ..., ..., ..., ..., ..., None, None, TEST_SIZE, VAL_SIZE, SEED)


def test_q1_rejects_unstratified_splits(wine):
    X, y = wine
    for first, second in ((False, False), (True, False), (False, True)):
        parts = _three_way(X, y, first=first, second=second)
        assert_rejects(q1, *_q1_args(parts, X, y), mentions="stratif")


def test_q1_rejects_validation_share_of_the_rest(wine):
    X, y = wine
    parts = _three_way(X, y, val_share=VAL_SIZE)
    assert_rejects(q1, *_q1_args(parts, X, y), mentions="fraction of the rows left")


def test_q1_rejects_overlap_and_missing_rows(wine):
    X, y = wine
    X_train, X_val, X_test, y_train, y_val, y_test = _three_way(X, y)
    # second split made from the whole data: validation overlaps the test set
    X_tr2, X_val2, y_tr2, y_val2 = train_test_split(X, y, test_size=0.2, stratify=y,
                                                    random_state=1)
    assert_rejects(q1, *_q1_args((X_train, X_val2, X_test, y_train, y_val2, y_test), X, y),
                   mentions="disjoint")
    assert_rejects(q1, *_q1_args((X_train.iloc[5:], X_val, X_test, y_train.iloc[5:], y_val,
                                  y_test), X, y), mentions="exactly one part")


def test_q1_rejects_arrays_and_misaligned_parts(wine):
    X, y = wine
    X_train, X_val, X_test, y_train, y_val, y_test = _three_way(X, y)
    assert_rejects(q1, *_q1_args((X_train.to_numpy(), X_val, X_test, y_train, y_val, y_test),
                                 X, y), mentions="NumPy array")
    shuffled = y_train.sample(frac=1.0, random_state=0)
    assert_rejects(q1, *_q1_args((X_train, X_val, X_test, shuffled, y_val, y_test), X, y),
                   mentions="same rows")
    assert_rejects(q1, *_q1_args((X_train, X_val, X_test, X_train, y_val, y_test), X, y),
                   mentions="Series")


# -- q2: choose on validation, report test --------------------------------------------------
@pytest.fixture(scope="module")
def cancer():
    frame = load_dataset("breast_cancer")
    X, y = frame.drop(columns="target"), frame["target"]
    X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=0.2, stratify=y,
                                                      random_state=SEED)
    X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_size=0.25,
                                                      stratify=y_rest, random_state=SEED)
    return X_train, y_train, X_val, y_val, X_test, y_test


def _candidates():
    return {f"k-NN, k={k}": make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=k))
            for k in (1, 3, 7, 15, 31, 63)}


def _scores(cancer):
    X_train, y_train, X_val, y_val, X_test, y_test = cancer
    out = {}
    for name, model in _candidates().items():
        model.fit(X_train, y_train)
        out[name] = {"train": model.score(X_train, y_train), "val": model.score(X_val, y_val),
                     "test": model.score(X_test, y_test)}
    return out


def test_q2_passes_on_validation_choice(cancer):
    scores = _scores(cancer)
    best = max(scores, key=lambda n: scores[n]["val"])
    assert_passes(q2, best, scores[best]["test"], _candidates(), *cancer)
    assert_passes(q2, best, np.float64(scores[best]["test"]), _candidates(), *cancer)


def test_q2_pending(cancer):
    assert_pending(q2)
    assert_pending(q2, ..., ..., _candidates(), *cancer)


def test_q2_rejects_reporting_the_validation_or_training_score(cancer):
    scores = _scores(cancer)
    best = max(scores, key=lambda n: scores[n]["val"])
    right = f"{scores[best]['test']:.3f}"
    assert_rejects(q2, best, scores[best]["val"], _candidates(), *cancer, mentions="VALIDATION",
                   must_not_mention=(right,))
    assert_rejects(q2, best, scores[best]["train"], _candidates(), *cancer, mentions="TRAINING",
                   must_not_mention=(right,))


def test_q2_rejects_choosing_on_training_rows(cancer):
    # k=1 is perfect on its own training rows and is not the validation winner here
    scores = _scores(cancer)
    assert max(scores, key=lambda n: scores[n]["val"]) != "k-NN, k=1"
    assert_rejects(q2, "k-NN, k=1", scores["k-NN, k=1"]["test"], _candidates(), *cancer,
                   mentions="TRAINING")


def test_q2_rejects_choosing_on_the_test_set():
    # a constructed case where the test winner differs from the validation winner
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(300, 3)), columns=list("abc"))
    y = pd.Series((X["a"] + rng.normal(scale=1.5, size=300) > 0).astype(int))
    parts = train_test_split(X, y, test_size=0.5, random_state=0)
    X_train, X_other, y_train, y_other = parts
    X_val, X_test, y_val, y_test = train_test_split(X_other, y_other, test_size=0.5,
                                                    random_state=0)
    candidates = {f"k={k}": KNeighborsClassifier(n_neighbors=k) for k in range(1, 40, 2)}
    val, test = {}, {}
    for name, model in candidates.items():
        model.fit(X_train, y_train)
        val[name], test[name] = model.score(X_val, y_val), model.score(X_test, y_test)
    test_best = max(test, key=test.get)
    assert val[test_best] < max(val.values())
    assert_rejects(q2, test_best, test[test_best], candidates, X_train, y_train, X_val, y_val,
                   X_test, y_test, mentions="TEST set")


def test_q2_rejects_wrong_types(cancer):
    scores = _scores(cancer)
    candidates = _candidates()
    assert_rejects(q2, candidates["k-NN, k=3"], 0.9, candidates, *cancer, mentions="name")
    assert_rejects(q2, "k=3", 0.9, candidates, *cancer, mentions="not a key")
    best = max(scores, key=lambda n: scores[n]["val"])
    assert_rejects(q2, best, [0.9], candidates, *cancer, mentions="single number")
    assert_rejects(q2, best, 0.5, candidates, *cancer, mentions="fitted on the training set")


# -- q3: split by patient ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def patients():
    rng = np.random.default_rng(SEED)
    visits = rng.integers(2, 9, size=60)
    groups = np.repeat(np.arange(60), visits)
    X = rng.normal(size=(len(groups), 3))
    y = rng.integers(0, 2, size=60)[groups]
    return X, y, groups


def test_q3_passes_on_group_splits(patients):
    X, y, groups = patients
    train, test = next(GroupShuffleSplit(n_splits=1, test_size=TEST_SIZE, random_state=SEED)
                       .split(X, y, groups=groups))
    assert_passes(q3, train, test, groups, TEST_SIZE)
    assert_passes(q3, list(train), list(test), groups, TEST_SIZE)
    train, test = next(GroupKFold(n_splits=5).split(X, y, groups=groups))
    assert_passes(q3, train, test, groups, TEST_SIZE)


def test_q3_pending(patients):
    assert_pending(q3)
    assert_pending(q3, ..., ..., patients[2], TEST_SIZE)


def test_q3_rejects_random_row_split(patients):
    X, y, groups = patients
    train, test = train_test_split(np.arange(len(groups)), test_size=TEST_SIZE,
                                   random_state=SEED)
    assert_rejects(q3, train, test, groups, TEST_SIZE, mentions="both the training and the test")
    train, test = next(ShuffleSplit(n_splits=1, test_size=TEST_SIZE, random_state=SEED)
                       .split(X))
    assert_rejects(q3, train, test, groups, TEST_SIZE, mentions="groups=")


def test_q3_rejects_labels_as_groups_and_swapped_parts(patients):
    X, y, groups = patients
    train, test = next(GroupShuffleSplit(n_splits=1, test_size=TEST_SIZE, random_state=SEED)
                       .split(X, y, groups=y))
    assert_rejects(q3, train, test, groups, TEST_SIZE, mentions="patient")
    train, test = next(GroupShuffleSplit(n_splits=1, test_size=TEST_SIZE, random_state=SEED)
                       .split(X, y, groups=groups))
    assert_rejects(q3, test, train, groups, TEST_SIZE, mentions="swapped")


def test_q3_rejects_masks_overlap_and_missing_rows(patients):
    X, y, groups = patients
    train, test = next(GroupShuffleSplit(n_splits=1, test_size=TEST_SIZE, random_state=SEED)
                       .split(X, y, groups=groups))
    mask = np.isin(np.arange(len(groups)), test)
    assert_rejects(q3, ~mask, mask, groups, TEST_SIZE, mentions="boolean mask")
    assert_rejects(q3, train, np.append(test, train[0]), groups, TEST_SIZE,
                   mentions="disjoint")
    assert_rejects(q3, train[5:], test, groups, TEST_SIZE, mentions="every row")
    assert_rejects(q3, groups[train], test, groups, TEST_SIZE, mentions="twice")
    assert_rejects(q3, None, test, groups, TEST_SIZE, mentions="None")
    pairs = list(GroupShuffleSplit(n_splits=1, test_size=TEST_SIZE, random_state=SEED)
                 .split(X, y, groups=groups))
    assert_rejects(q3, pairs, None, groups, TEST_SIZE, mentions="unpack")
    assert_rejects(q3, train, groups[test], groups, TEST_SIZE, mentions="not patient ids")


# -- q4: forward-chaining folds --------------------------------------------------------------
N_ROWS, N_SPLITS = 100, 5


def test_q4_passes_on_time_series_split():
    rows = np.zeros((N_ROWS, 1))
    assert_passes(q4, list(TimeSeriesSplit(n_splits=N_SPLITS).split(rows)), N_ROWS, N_SPLITS)
    sliding = list(TimeSeriesSplit(n_splits=N_SPLITS, max_train_size=30, gap=2).split(rows))
    assert_passes(q4, sliding, N_ROWS, N_SPLITS)


def test_q4_pending():
    assert_pending(q4)
    assert_pending(q4, ..., N_ROWS, N_SPLITS)


def test_q4_rejects_kfold_plain_and_shuffled():
    rows = np.zeros((N_ROWS, 1))
    assert_rejects(q4, list(KFold(N_SPLITS).split(rows)), N_ROWS, N_SPLITS, mentions="future")
    shuffled = list(KFold(N_SPLITS, shuffle=True, random_state=SEED).split(rows))
    assert_rejects(q4, shuffled, N_ROWS, N_SPLITS, mentions="future")


def test_q4_rejects_generator_splitter_and_wrong_count():
    rows = np.zeros((N_ROWS, 1))
    splitter = TimeSeriesSplit(n_splits=N_SPLITS)
    assert_rejects(q4, splitter.split(rows), N_ROWS, N_SPLITS, mentions="list(")
    assert_rejects(q4, splitter, N_ROWS, N_SPLITS, mentions="splitter itself")
    assert_rejects(q4, list(TimeSeriesSplit(n_splits=3).split(rows)), N_ROWS, N_SPLITS,
                   mentions="N_SPLITS")
    folds = list(splitter.split(rows))
    assert_rejects(q4, [fold[0] for fold in folds], N_ROWS, N_SPLITS, mentions="pair")
    assert_rejects(q4, folds[0], N_ROWS, N_SPLITS, mentions="single (train, test) pair")


def test_q4_rejects_folds_of_part_of_the_series():
    rows = np.zeros((N_ROWS, 1))
    partial = list(TimeSeriesSplit(n_splits=N_SPLITS).split(rows[:80]))
    assert_rejects(q4, partial, N_ROWS, N_SPLITS, mentions="most recent")
