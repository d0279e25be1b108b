"""The checks of 02_model_training_evaluation/04_hyperparameter_search: right, wrong, pending."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import loguniform, randint, uniform
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    ParameterGrid,
    RandomizedSearchCV,
    StratifiedKFold,
    train_test_split,
)
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils import load_dataset
from utils.checks import m02_04_hyperparameter_search as module
from utils.checks.m02_04_hyperparameter_search import q1, q2, q3, q4

SEED = 42
K_VALUES = [1, 5, 11]
N_ITER = 5
KNN = "kneighborsclassifier"


def test_notebook_name_matches_the_module():
    folder, stem = module.NOTEBOOK.split("/")
    assert module.__name__.rsplit(".", 1)[-1] == f"m{folder[:2]}_{stem}"


@pytest.fixture(scope="module")
def data():
    cancer = load_dataset("breast_cancer")
    X, y = cancer.drop(columns="target"), cancer["target"]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y,
                                                        random_state=SEED)
    cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=SEED)
    return X_train, X_test, y_train, y_test, cv


def _knn_grid(k_values=K_VALUES, weights=("uniform", "distance")):
    return {f"{KNN}__n_neighbors": list(k_values), f"{KNN}__weights": list(weights)}


def _knn_search(grid=None, cv=None, **kwargs):
    pipe = make_pipeline(StandardScaler(), KNeighborsClassifier())
    return GridSearchCV(pipe, grid or _knn_grid(), cv=cv, **kwargs)


# -- q1 --------------------------------------------------------------------------------------
def test_q1_passes_on_a_fitted_grid_search(data):
    X_train, X_test, y_train, _, cv = data
    search = _knn_search(cv=cv).fit(X_train, y_train)
    assert_passes(q1, search, K_VALUES, cv, X_train, y_train, X_test)
    as_list = [{f"{KNN}__n_neighbors": K_VALUES, f"{KNN}__weights": ["uniform", "distance"]}]
    search = _knn_search(as_list, cv=cv, scoring="accuracy").fit(X_train, y_train)
    assert_passes(q1, search, K_VALUES, cv, X_train, y_train, X_test)


def test_q1_pending(data):
    X_train, X_test, y_train, _, cv = data
    assert_pending(q1)
    assert_pending(q1, ..., K_VALUES, cv, X_train, y_train, X_test)


def test_q1_rejects_wrong_kind_of_search_or_object(data):
    X_train, X_test, y_train, _, cv = data
    randomized = RandomizedSearchCV(make_pipeline(StandardScaler(), KNeighborsClassifier()),
                                    _knn_grid(), n_iter=2, cv=cv, random_state=SEED)
    assert_rejects(q1, randomized, K_VALUES, cv, X_train, y_train, X_test,
                   mentions="every combination")
    pipe = make_pipeline(StandardScaler(), KNeighborsClassifier()).fit(X_train, y_train)
    assert_rejects(q1, pipe, K_VALUES, cv, X_train, y_train, X_test, mentions="not a search")
    assert_rejects(q1, GridSearchCV, K_VALUES, cv, X_train, y_train, X_test, mentions="class")


def test_q1_rejects_a_search_over_a_bare_model_on_prescaled_data(data):
    X_train, X_test, y_train, _, cv = data
    X_all = pd.concat([X_train, X_test])
    scaled = StandardScaler().fit(X_all).transform(X_train)  # the leak the lesson warns about
    bare = GridSearchCV(KNeighborsClassifier(), {"n_neighbors": K_VALUES,
                                                 "weights": ["uniform", "distance"]}, cv=cv)
    bare.fit(scaled, y_train)
    assert_rejects(q1, bare, K_VALUES, cv, X_train, y_train, X_test, mentions="bare")


def test_q1_rejects_an_incomplete_or_larger_grid(data):
    X_train, X_test, y_train, _, cv = data
    short = _knn_search(_knn_grid(K_VALUES[:-1]), cv=cv).fit(X_train, y_train)
    assert_rejects(q1, short, K_VALUES, cv, X_train, y_train, X_test,
                   mentions="never tries n_neighbors")
    longer = _knn_search(_knn_grid([*K_VALUES, 2]), cv=cv).fit(X_train, y_train)
    assert_rejects(q1, longer, K_VALUES, cv, X_train, y_train, X_test,
                   mentions="K_VALUES does not hold")
    one_weight = _knn_search(_knn_grid(weights=("uniform",)), cv=cv).fit(X_train, y_train)
    assert_rejects(q1, one_weight, K_VALUES, cv, X_train, y_train, X_test,
                   mentions="weights='distance'")
    extra = {**_knn_grid(), f"{KNN}__p": [1, 2]}
    more = _knn_search(extra, cv=cv).fit(X_train, y_train)
    assert_rejects(q1, more, K_VALUES, cv, X_train, y_train, X_test, mentions="also tunes")
    not_crossed = [{f"{KNN}__n_neighbors": K_VALUES},
                   {f"{KNN}__weights": ["uniform", "distance"]}]
    partial = _knn_search(not_crossed, cv=cv).fit(X_train, y_train)
    assert_rejects(q1, partial, K_VALUES, cv, X_train, y_train, X_test,
                   mentions="every combination")


def test_q1_rejects_unfitted_or_fitted_on_the_wrong_rows(data):
    X_train, X_test, y_train, y_test, cv = data
    assert_rejects(q1, _knn_search(cv=cv), K_VALUES, cv, X_train, y_train, X_test,
                   mentions="not fitted")
    on_test = _knn_search(cv=cv).fit(X_test, y_test)
    assert_rejects(q1, on_test, K_VALUES, cv, X_train, y_train, X_test, mentions="test set")
    everything = _knn_search(cv=cv).fit(pd.concat([X_train, X_test]),
                                        pd.concat([y_train, y_test]))
    assert_rejects(q1, everything, K_VALUES, cv, X_train, y_train, X_test,
                   mentions="every row")
    no_refit = _knn_search(cv=cv, refit=False).fit(X_train, y_train)
    assert_rejects(q1, no_refit, K_VALUES, cv, X_train, y_train, X_test, mentions="refit")


def test_q1_rejects_other_folds_or_metric(data):
    X_train, X_test, y_train, _, cv = data
    unshuffled = _knn_search(cv=3).fit(X_train, y_train)
    assert_rejects(q1, unshuffled, K_VALUES, cv, X_train, y_train, X_test,
                   mentions="cv=cv")
    five = _knn_search(cv=5).fit(X_train, y_train)
    assert_rejects(q1, five, K_VALUES, cv, X_train, y_train, X_test, mentions="5 folds")
    f1 = _knn_search(cv=cv, scoring="f1").fit(X_train, y_train)
    assert_rejects(q1, f1, K_VALUES, cv, X_train, y_train, X_test, mentions="accuracy")


# -- q2 --------------------------------------------------------------------------------------
COLUMNS = ["param_svc__C", "param_svc__gamma", "mean_test_score", "std_test_score"]


@pytest.fixture(scope="module")
def svc_search(data):
    X_train, _, y_train, _, cv = data
    grid = {"svc__C": np.logspace(-2, 3, 4), "svc__gamma": np.logspace(-4, 1, 4)}
    search = GridSearchCV(make_pipeline(StandardScaler(), SVC()), grid, cv=cv,
                          return_train_score=True)
    return search.fit(X_train, y_train)


def _results(search):
    return pd.DataFrame(search.cv_results_)


def test_q2_passes_on_the_five_best(svc_search):
    right = _results(svc_search).sort_values("rank_test_score").head(5)[COLUMNS]
    assert_passes(q2, right, svc_search)
    by_score = _results(svc_search).nlargest(5, "mean_test_score")[COLUMNS]
    assert_passes(q2, by_score.reset_index(drop=True), svc_search)


def test_q2_pending(svc_search):
    assert_pending(q2)
    assert_pending(q2, ..., svc_search)


def test_q2_rejects_ranking_by_training_score(svc_search):
    results = _results(svc_search)
    by_train = results.sort_values("mean_train_score", ascending=False).head(5)[COLUMNS]
    assert not np.allclose(np.sort(by_train["mean_test_score"]),
                           np.sort(results["mean_test_score"].nlargest(5)))
    assert_rejects(q2, by_train, svc_search, mentions="TRAINING")
    train_values = results.sort_values("rank_test_score").head(5)
    train_values = train_values.assign(mean_test_score=train_values["mean_train_score"])
    assert_rejects(q2, train_values[COLUMNS], svc_search, mentions="TRAINING scores")


def test_q2_rejects_worst_first_or_unsorted(svc_search):
    results = _results(svc_search)
    worst = results.sort_values("mean_test_score").head(5)[COLUMNS]
    assert_rejects(q2, worst, svc_search, mentions="WORST")
    right = results.sort_values("rank_test_score").head(5)[COLUMNS]
    assert_rejects(q2, right.iloc[::-1], svc_search, mentions="best first")


def test_q2_rejects_wrong_shape(svc_search):
    results = _results(svc_search).sort_values("rank_test_score")
    assert_rejects(q2, results.head(6)[COLUMNS], svc_search, mentions="five")
    assert_rejects(q2, results.head(5)[COLUMNS[::-1]], svc_search, mentions="wrong order")
    assert_rejects(q2, results.head(5)[COLUMNS[:3]], svc_search, mentions="exactly the columns")
    assert_rejects(q2, results.head(5)["mean_test_score"], svc_search, mentions="Series")
    assert_rejects(q2, svc_search.cv_results_, svc_search, mentions="DataFrame")


# -- q3 --------------------------------------------------------------------------------------
def _distributions(**changes):
    distributions = {"max_depth": randint(1, 21), "min_samples_leaf": randint(1, 51),
                     "ccp_alpha": loguniform(1e-4, 1e-1)}
    distributions.update(changes)
    return {k: v for k, v in distributions.items() if v is not None}


def _tree_search(distributions=None, tree_seed=SEED, cv=None, **kwargs):
    options = {"n_iter": N_ITER, "random_state": SEED, **kwargs}
    return RandomizedSearchCV(DecisionTreeClassifier(random_state=tree_seed),
                              distributions or _distributions(), cv=cv, **options)


def test_q3_passes_on_a_fitted_randomized_search(data):
    X_train, X_test, y_train, _, cv = data
    assert_passes(q3, _tree_search(cv=cv).fit(X_train, y_train), N_ITER, SEED, cv, X_train,
                  y_train, X_test)
    as_list = _distributions(max_depth=list(range(1, 21)))
    assert_passes(q3, _tree_search(as_list, cv=cv).fit(X_train, y_train), N_ITER, SEED, cv,
                  X_train, y_train, X_test)


def test_q3_pending(data):
    X_train, X_test, y_train, _, cv = data
    assert_pending(q3)
    assert_pending(q3, ..., N_ITER, SEED, cv, X_train, y_train, X_test)


def test_q3_rejects_a_grid_and_a_wrong_model(data):
    X_train, X_test, y_train, _, cv = data
    grid = GridSearchCV(DecisionTreeClassifier(random_state=SEED), {"max_depth": [1, 2]}, cv=cv)
    assert_rejects(q3, grid.fit(X_train, y_train), N_ITER, SEED, cv, X_train, y_train, X_test,
                   mentions="RandomizedSearchCV")
    unseeded_tree = _tree_search(tree_seed=None, cv=cv).fit(X_train, y_train)
    assert_rejects(q3, unseeded_tree, N_ITER, SEED, cv, X_train, y_train, X_test,
                   mentions="random_state=SEED")


@pytest.mark.parametrize(("changes", "mentions"), [
    ({"max_depth": randint(1, 20)}, "upper bound is excluded"),
    ({"min_samples_leaf": randint(2, 51)}, "1 to 50"),
    ({"max_depth": loguniform(1, 20)}, "randint"),
    ({"max_depth": [1, 5, 10, 20]}, "fixed list"),
    ({"ccp_alpha": uniform(1e-4, 1e-1)}, "uniformly"),
    ({"ccp_alpha": [1e-4, 1e-3, 1e-2, 1e-1]}, "fixed list"),
    ({"ccp_alpha": loguniform(1e-3, 1e-1)}, "between"),
    ({"ccp_alpha": None}, "does not tune ccp_alpha"),
    ({"max_leaf_nodes": randint(2, 30)}, "also tunes"),
])
def test_q3_rejects_wrong_distributions(data, changes, mentions):
    X_train, X_test, y_train, _, cv = data
    search = _tree_search(_distributions(**changes), cv=cv)  # rejected before any fit
    assert_rejects(q3, search, N_ITER, SEED, cv, X_train, y_train, X_test, mentions=mentions)


def test_q3_rejects_other_budget_or_unseeded_draws(data):
    X_train, X_test, y_train, _, cv = data
    assert_rejects(q3, _tree_search(cv=cv, n_iter=10), N_ITER, SEED, cv, X_train, y_train,
                   X_test, mentions="n_iter")
    assert_rejects(q3, _tree_search(cv=cv, random_state=None), N_ITER, SEED, cv, X_train,
                   y_train, X_test, mentions="not seeded")
    assert_rejects(q3, _tree_search(cv=cv, random_state=7), N_ITER, SEED, cv, X_train,
                   y_train, X_test, mentions="another value")


def test_q3_rejects_unfitted_or_fitted_on_the_wrong_rows_or_folds(data):
    X_train, X_test, y_train, y_test, cv = data
    assert_rejects(q3, _tree_search(cv=cv), N_ITER, SEED, cv, X_train, y_train, X_test,
                   mentions="not fitted")
    on_test = _tree_search(cv=cv).fit(X_test, y_test)
    assert_rejects(q3, on_test, N_ITER, SEED, cv, X_train, y_train, X_test,
                   mentions="test set")
    other_folds = _tree_search(cv=KFold(3)).fit(X_train, y_train)
    assert_rejects(q3, other_folds, N_ITER, SEED, cv, X_train, y_train, X_test,
                   mentions="cv=cv")


# -- q4 --------------------------------------------------------------------------------------
PLANNED = [
    {"svc__kernel": ["linear"], "svc__C": [0.01, 0.1, 1, 10, 100]},
    {"svc__kernel": ["rbf"], "svc__C": [0.01, 0.1, 1, 10, 100],
     "svc__gamma": [1e-4, 1e-3, 1e-2, 1e-1]},
]
FOLDS = 10
CANDIDATES = len(ParameterGrid(PLANNED))


def test_q4_passes_on_the_count():
    assert CANDIDATES == 25
    assert_passes(q4, CANDIDATES * FOLDS + 1, PLANNED, FOLDS)
    assert_passes(q4, np.int64(CANDIDATES * FOLDS + 1), PLANNED, FOLDS)


def test_q4_pending():
    assert_pending(q4)
    assert_pending(q4, ..., PLANNED, FOLDS)


@pytest.mark.parametrize(("n_fits", "mentions"), [
    (CANDIDATES * FOLDS, "refit"),
    (CANDIDATES + 1, "once per fold"),
    (2 * 5 * 4 * FOLDS + 1, "grid by grid"),
    (5 * 20 * FOLDS + 1, "add up"),
    ((1 + 5 + 1 + 5 + 4) * FOLDS + 1, "multiply"),
    (123, "not the number of fits"),
    (float(CANDIDATES * FOLDS + 1), "integer"),
    ("251", "single number"),
])
def test_q4_rejects_typical_miscounts(n_fits, mentions):
    right = str(CANDIDATES * FOLDS + 1)
    assert_rejects(q4, n_fits, PLANNED, FOLDS, mentions=mentions,
                   must_not_mention=(right,) if not isinstance(n_fits, str) else ())
