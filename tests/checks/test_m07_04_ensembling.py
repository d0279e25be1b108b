"""The checks of 07_advanced_tuning/04_ensembling: right, wrong and not attempted."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import make_classification
from sklearn.ensemble import BaggingClassifier, RandomForestClassifier, VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict, train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils.checks.m07_04_ensembling import q1, q2, q3

SEED = 42
N_TREES = 10


@pytest.fixture(scope="module")
def split():
    X, y = make_classification(n_samples=400, n_features=10, n_informative=5,
                               n_clusters_per_class=2, flip_y=0.03, random_state=SEED)
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=SEED)


def _split_args(split):
    X_train, X_test, y_train, y_test = split
    return X_train, y_train, X_test, y_test


# -- q1 -----------------------------------------------------------------------------------
def _bagging(split, *, on="train", **overrides):
    X_train, X_test, y_train, y_test = split
    options = dict(n_estimators=N_TREES, bootstrap=True, random_state=SEED)
    options.update(overrides)
    model = BaggingClassifier(DecisionTreeClassifier(random_state=SEED), **options)
    if on == "all":
        return model.fit(np.vstack([X_train, X_test]), np.concatenate([y_train, y_test]))
    return model.fit(X_train, y_train)


def test_q1_passes_on_bagged_trees(split):
    assert_passes(q1, _bagging(split), N_TREES, *_split_args(split))


def test_q1_pending(split):
    assert_pending(q1)
    assert_pending(q1, ..., N_TREES, *_split_args(split))


def test_q1_rejects_bootstrap_off_and_pasting(split):
    assert_rejects(q1, _bagging(split, bootstrap=False), N_TREES, *_split_args(split),
                   mentions="not bagging")
    assert_rejects(q1, _bagging(split, bootstrap=False, max_samples=0.5), N_TREES,
                   *_split_args(split), mentions="pasting")


def test_q1_rejects_a_forest_shallow_trees_and_the_wrong_size(split):
    X_train, X_test, y_train, y_test = split
    forest = RandomForestClassifier(n_estimators=N_TREES, random_state=SEED).fit(X_train,
                                                                                 y_train)
    assert_rejects(q1, forest, N_TREES, *_split_args(split), mentions="BaggingClassifier")
    shallow = BaggingClassifier(DecisionTreeClassifier(max_depth=2), n_estimators=N_TREES,
                                random_state=SEED).fit(X_train, y_train)
    assert_rejects(q1, shallow, N_TREES, *_split_args(split), mentions="max_depth")
    assert_rejects(q1, _bagging(split, n_estimators=3), N_TREES, *_split_args(split),
                   mentions="n_trees")


def test_q1_rejects_unfitted_unseeded_and_fitted_on_every_row(split):
    unfitted = BaggingClassifier(DecisionTreeClassifier(), n_estimators=N_TREES,
                                 random_state=SEED)
    assert_rejects(q1, unfitted, N_TREES, *_split_args(split), mentions="not fitted")
    assert_rejects(q1, _bagging(split, random_state=None), N_TREES, *_split_args(split),
                   mentions="random_state")
    assert_rejects(q1, _bagging(split, on="all"), N_TREES, *_split_args(split),
                   mentions="every row")


# -- q2 -----------------------------------------------------------------------------------
def _voters(*, svm=None, scale=True, tree_depth=8):
    def scaled(model):
        return make_pipeline(StandardScaler(), model) if scale else model

    svm = svm if svm is not None else CalibratedClassifierCV(SVC(), ensemble=False)
    return [("tree", DecisionTreeClassifier(max_depth=tree_depth, random_state=SEED)),
            ("knn", scaled(KNeighborsClassifier(n_neighbors=15))),
            ("svm", scaled(svm))]


def test_q2_passes_on_the_soft_vote(split):
    X_train, X_test, y_train, y_test = split
    vote = VotingClassifier(_voters(), voting="soft").fit(X_train, y_train)
    assert_passes(q2, vote, *_split_args(split))


def test_q2_pending(split):
    assert_pending(q2)
    assert_pending(q2, ..., *_split_args(split))


def test_q2_rejects_hard_voting_and_an_svc_without_probabilities(split):
    X_train, X_test, y_train, y_test = split
    hard = VotingClassifier(_voters(), voting="hard").fit(X_train, y_train)
    assert_rejects(q2, hard, *_split_args(split), mentions="hard voting")
    plain = VotingClassifier(_voters(svm=SVC()), voting="soft")
    assert_rejects(q2, plain, *_split_args(split), mentions="predict_proba")


def test_q2_rejects_the_deprecated_svc_probability(split):
    X_train, X_test, y_train, y_test = split
    vote = VotingClassifier(_voters(svm=SVC(probability=True)), voting="soft")
    assert_rejects(q2, vote, *_split_args(split), mentions="deprecated")


def test_q2_rejects_unscaled_members_wrong_tree_and_unfitted(split):
    X_train, X_test, y_train, y_test = split
    unscaled = VotingClassifier(_voters(scale=False), voting="soft").fit(X_train, y_train)
    assert_rejects(q2, unscaled, *_split_args(split), mentions="StandardScaler")
    deep = VotingClassifier(_voters(tree_depth=None), voting="soft").fit(X_train, y_train)
    assert_rejects(q2, deep, *_split_args(split), mentions="max_depth=8")
    assert_rejects(q2, VotingClassifier(_voters(), voting="soft"), *_split_args(split),
                   mentions="not fitted")


def test_q2_rejects_a_vote_fitted_on_the_test_set(split):
    X_train, X_test, y_train, y_test = split
    vote = VotingClassifier(_voters(), voting="soft").fit(X_test, y_test)
    assert_rejects(q2, vote, *_split_args(split), mentions="test set")


# -- q3 -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def stacking(split):
    X_train, X_test, y_train, y_test = split
    bases = {"logistic": make_pipeline(StandardScaler(), LogisticRegression()),
             "tree": DecisionTreeClassifier(max_depth=4, random_state=SEED),
             "knn": make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=5))}
    cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=SEED)
    oof = np.column_stack([cross_val_predict(m, X_train, y_train, cv=cv,
                                             method="predict_proba")[:, 1]
                           for m in bases.values()])
    return bases, cv, X_train, y_train, oof


def test_q3_passes_on_out_of_fold_features(stacking):
    bases, cv, X_train, y_train, oof = stacking
    meta = LogisticRegression().fit(oof, y_train)
    assert_passes(q3, oof, meta, bases, cv, X_train, y_train)


def test_q3_pending(stacking):
    bases, cv, X_train, y_train, _ = stacking
    assert_pending(q3)
    assert_pending(q3, ..., ..., bases, cv, X_train, y_train)


def test_q3_rejects_in_sample_predictions(stacking):
    bases, cv, X_train, y_train, _ = stacking
    in_sample = np.column_stack([m.fit(X_train, y_train).predict_proba(X_train)[:, 1]
                                 for m in bases.values()])
    meta = LogisticRegression().fit(in_sample, y_train)
    assert_rejects(q3, in_sample, meta, bases, cv, X_train, y_train, mentions="IN-SAMPLE")


def test_q3_rejects_labels_class_zero_other_folds_and_order(stacking):
    bases, cv, X_train, y_train, oof = stacking
    meta = LogisticRegression().fit(oof, y_train)
    labels = np.column_stack([cross_val_predict(m, X_train, y_train, cv=cv)
                              for m in bases.values()]).astype(float)
    assert_rejects(q3, labels, meta, bases, cv, X_train, y_train, mentions="predict_proba")
    assert_rejects(q3, 1 - oof, meta, bases, cv, X_train, y_train, mentions="class 0")
    other = np.column_stack([cross_val_predict(m, X_train, y_train, cv=5,
                                               method="predict_proba")[:, 1]
                             for m in bases.values()])
    assert_rejects(q3, other, meta, bases, cv, X_train, y_train, mentions="cv=cv")
    assert_rejects(q3, oof[:, ::-1], meta, bases, cv, X_train, y_train, mentions="order")


def test_q3_rejects_both_columns_and_a_wrong_meta_model(stacking):
    bases, cv, X_train, y_train, oof = stacking
    both = np.column_stack([cross_val_predict(m, X_train, y_train, cv=cv,
                                              method="predict_proba")
                            for m in bases.values()])
    meta = LogisticRegression().fit(oof, y_train)
    assert_rejects(q3, both, meta, bases, cv, X_train, y_train, mentions="class 1")
    assert_rejects(q3, oof, LogisticRegression(), bases, cv, X_train, y_train,
                   mentions="not fitted")
    other_meta = LogisticRegression().fit(oof[:, :2], y_train)
    assert_rejects(q3, oof, other_meta, bases, cv, X_train, y_train, mentions="columns")
    shifted = LogisticRegression(C=0.01).fit(oof, y_train)
    assert_rejects(q3, oof, shifted, bases, cv, X_train, y_train, mentions="default settings")
