"""Checks for 02_model_training_evaluation/04_hyperparameter_search: grid and randomized search.

The checks receive the learner's fitted search objects together with what the notebook gave
them (the values asked for, the ``cv`` splitter, the seed, the split), so every reference is
computed from those inputs and stays right whatever ``SEED`` or ``QUICK`` the notebook ran with.
Search objects are only read, never refitted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..check_helpers import (
    expect_fitted_on_training_rows,
    expect_frame,
    expect_integer,
    expect_type,
    type_name,
)
from ..exercises import Exercise, expect, fail

NOTEBOOK = "02_model_training_evaluation/04_hyperparameter_search"

KNN_WEIGHTS = ("uniform", "distance")
TOP5_COLUMNS = ("param_svc__C", "param_svc__gamma", "mean_test_score", "std_test_score")
TREE_INTEGER_RANGES = {"max_depth": (1, 20), "min_samples_leaf": (1, 50)}  # both ends included
TREE_LOG_RANGE = ("ccp_alpha", 1e-4, 1e-1)
TOLERANCE = 1e-9
WHY_SEARCH = "the test set judges the winner once, afterwards, never helps choose it"




def _expect_same_folds(search, name: str, cv, X_train, y_train) -> None:
    """The search used the folds of the notebook's ``cv`` splitter."""
    from sklearn.model_selection import check_cv

    expect(search.n_splits_ == cv.get_n_splits(),
           f"`{name}` used {search.n_splits_} folds, but `cv` has {cv.get_n_splits()}: pass "
           "`cv=cv` so that every search is scored on the same folds.")
    if search.cv is cv:
        return
    splitter = check_cv(search.cv, y_train, classifier=True)
    theirs = [test for _, test in splitter.split(X_train, y_train)]
    ours = [test for _, test in cv.split(X_train, y_train)]
    same = all(np.array_equal(a, b) for a, b in zip(theirs, ours, strict=True))
    expect(same, f"`{name}` cut different folds than the notebook's `cv` (its folds are "
                 "shuffled with a fixed seed): pass `cv=cv`.")


def _expect_fitted_search(search, name: str) -> None:
    expect(hasattr(search, "cv_results_"),
           f"`{name}` is not fitted yet: call `{name}.fit(X_train, y_train)`.")
    expect(hasattr(search, "best_estimator_"),
           f"`{name}` has no best_estimator_: keep the default `refit=True`, so the winner is "
           "refitted on all training rows.")


# -- q1: GridSearchCV over a scaler + k-NN pipeline ------------------------------------------
def _check_q1(knn_search, k_values, cv, X_train, y_train, X_test) -> str:
    from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, RobustScaler, StandardScaler

    if isinstance(knn_search, RandomizedSearchCV):
        fail("`knn_search` is a RandomizedSearchCV, which tries a random sample of the "
             "combinations; the task asks for every combination: GridSearchCV.")
    if isinstance(knn_search, Pipeline | KNeighborsClassifier):
        fail(f"`knn_search` is a {type_name(knn_search)}, not a search: wrap the pipeline in "
             "GridSearchCV(pipeline, grid, cv=cv) and fit that.")
    expect_type(knn_search, GridSearchCV, "knn_search")
    estimator = knn_search.estimator
    if isinstance(estimator, KNeighborsClassifier):
        fail("the search tunes a bare KNeighborsClassifier. Search over a pipeline (scaler, "
             "then k-NN): then every fold's scaler is fitted on that fold's training part "
             "only, and the features are on comparable scales.")
    expect(isinstance(estimator, Pipeline),
           f"the search's estimator is a {type_name(estimator)}; it should be a Pipeline of a "
           "scaler and a KNeighborsClassifier.")
    steps = [step for _, step in estimator.steps]
    scalers = (StandardScaler, MinMaxScaler, RobustScaler, MaxAbsScaler)
    expect(len(steps) >= 2 and isinstance(steps[0], scalers),
           "the pipeline should first scale the features (a StandardScaler), then apply k-NN.")
    expect(isinstance(steps[-1], KNeighborsClassifier),
           f"the pipeline's last step is a {type_name(steps[-1])}; it should be the "
           "KNeighborsClassifier.")
    _expect_fitted_search(knn_search, "knn_search")

    step = estimator.steps[-1][0]
    key_k, key_w = f"{step}__n_neighbors", f"{step}__weights"
    defaults = estimator.get_params()
    tried = set()
    for params in knn_search.cv_results_["params"]:
        extra = sorted(set(params) - {key_k, key_w})
        expect(not extra, f"the grid also tunes {', '.join(extra)}; search only n_neighbors "
                          "and weights, as asked.")
        tried.add((params.get(key_k, defaults[key_k]), params.get(key_w, defaults[key_w])))
    asked_k = {int(k) for k in k_values}
    tried_k = {int(k) for k, _ in tried}
    missing_k, extra_k = sorted(asked_k - tried_k), sorted(tried_k - asked_k)
    expect(not missing_k, f"the search never tries n_neighbors = {missing_k}: the grid "
                          "should hold every value of K_VALUES.")
    expect(not extra_k, f"the search tries n_neighbors = {extra_k}, which K_VALUES does not "
                        "hold: use exactly K_VALUES.")
    tried_w = {w for _, w in tried}
    missing_w = [w for w in KNN_WEIGHTS if w not in tried_w]
    if missing_w:
        fail(f"the search never tries weights={missing_w[0]!r}: put both \"uniform\" and "
             "\"distance\" in the grid, under the step's name.")
    wanted = {(k, w) for k in asked_k for w in KNN_WEIGHTS}
    expect({(int(k), w) for k, w in tried} == wanted,
           "the search does not try every combination of n_neighbors and weights: one grid "
           "(a dict) with both lists gives all of them.")
    expect(knn_search.scoring in (None, "accuracy"),
           f"the search scores with {knn_search.scoring!r}; the task compares accuracy, the "
           "default (leave `scoring` out or use \"accuracy\").")

    n_train, n_test = len(X_train), len(X_test)
    best = knn_search.best_estimator_
    expect_fitted_on_training_rows(int(best[-1].n_samples_fit_), n_train, n_test, "knn_search",
                                   "X_train, y_train", WHY_SEARCH)
    _expect_same_folds(knn_search, "knn_search", cv, X_train, y_train)
    chosen = knn_search.best_params_
    return (f"{len(wanted)} candidates; best n_neighbors={chosen.get(key_k, defaults[key_k])}, "
            f"weights={chosen.get(key_w, defaults[key_w])!r}, mean CV accuracy "
            f"{knn_search.best_score_:.3f}.")


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "Three pieces: a pipeline (scaler, then k-NN), a grid (a dict: hyper-parameter name "
        "-> list of values), and GridSearchCV(pipeline, grid, cv=cv), fitted on the training "
        "set.",
        "In a pipeline made by make_pipeline, the k-NN step is called 'kneighborsclassifier', "
        "so its hyper-parameters are 'kneighborsclassifier__n_neighbors' and "
        "'kneighborsclassifier__weights' (two underscores).",
        "`GridSearchCV(make_pipeline(StandardScaler(), KNeighborsClassifier()), {...: K_VALUES, "
        "...: ['uniform', 'distance']}, cv=cv)`, then `.fit(X_train, y_train)`.",
    ],
)


# -- q2: the five best candidates from cv_results_ --------------------------------------------
def _check_q2(top5, svc_search) -> str:
    top5 = expect_frame(top5, "top5", "(one row per candidate)", columns=TOP5_COLUMNS)
    results = pd.DataFrame(svc_search.cv_results_)
    expect(len(top5) == 5, f"`top5` should hold the five best candidates, one per row; it has "
                           f"{len(top5)} rows (`.head(5)` keeps five).")
    c_all = results["param_svc__C"].astype(float).to_numpy()
    g_all = results["param_svc__gamma"].astype(float).to_numpy()
    chosen = []
    for position, (c, gamma, mean, std) in enumerate(top5.itertuples(index=False), start=1):
        try:
            c, gamma, mean, std = float(c), float(gamma), float(mean), float(std)
        except (TypeError, ValueError):
            fail(f"row {position} of `top5` holds something that is not a number: copy the "
                 "columns from cv_results_ unchanged.")
        match = np.flatnonzero(np.isclose(c_all, c, rtol=1e-9) & np.isclose(g_all, gamma,
                                                                             rtol=1e-9))
        expect(len(match) == 1, f"row {position} of `top5` (C={c:g}, gamma={gamma:g}) is not "
                                "a candidate of svc_search.")
        row = results.iloc[match[0]]
        if "mean_train_score" in row and abs(mean - row["mean_train_score"]) <= TOLERANCE \
                and abs(mean - row["mean_test_score"]) > TOLERANCE:
            fail("the `mean_test_score` column holds TRAINING scores (mean_train_score): "
                 "training scores reward memorising, so candidates are compared on the "
                 "validation folds.")
        expect(abs(mean - row["mean_test_score"]) <= TOLERANCE,
               f"row {position}: its mean_test_score is not that candidate's value in "
               "cv_results_: keep the columns unchanged.")
        expect(abs(std - row["std_test_score"]) <= TOLERANCE,
               f"row {position}: its std_test_score is not that candidate's value in "
               "cv_results_ (the spread of its validation scores over the folds).")
        chosen.append(int(match[0]))

    by_test = np.sort(results["mean_test_score"].to_numpy())[::-1]
    if "mean_train_score" in results:  # ties in training scores are common (many 1.0s)
        train = results["mean_train_score"].to_numpy()
        fifth_best = np.sort(train)[::-1][4]
        if np.all(train[chosen] >= fifth_best - TOLERANCE) and not np.allclose(
                np.sort(top5["mean_test_score"].to_numpy())[::-1], by_test[:5]):
            fail("`top5` holds the five best candidates on the TRAINING folds. Rank them by "
                 "their validation score (mean_test_score, or rank_test_score).")
    got = np.sort(top5["mean_test_score"].to_numpy(dtype=float))[::-1]
    if np.allclose(got, np.sort(by_test)[:5][::-1]) and not np.allclose(got, by_test[:5]):
        fail("`top5` holds the five WORST candidates: sort so the best (highest "
             "mean_test_score, rank 1) comes first.")
    expect(np.allclose(got, by_test[:5], atol=TOLERANCE),
           "`top5` is not the five best candidates by mean validation score.")
    scores = top5["mean_test_score"].to_numpy(dtype=float)
    expect(np.all(np.diff(scores) <= TOLERANCE),
           "`top5` holds the right candidates, but not best first: sort by mean_test_score "
           "(descending) or by rank_test_score (ascending).")
    spread = float(top5["std_test_score"].max())
    gap = float(scores[0] - scores[-1])
    if gap < spread:
        return (f"the top five span {gap:.3f} in mean accuracy, less than their fold-to-fold "
                f"standard deviation (up to {spread:.3f}): they are practically tied.")
    return (f"the top five span {gap:.3f} in mean accuracy, more than their fold-to-fold "
            f"standard deviation (up to {spread:.3f}).")


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "`pd.DataFrame(svc_search.cv_results_)` has one row per candidate; sort it, keep five "
        "rows, then select the four columns.",
        "rank_test_score is 1 for the best validation score; mean_train_score measures "
        "memory, not what you want to rank by.",
        "`.sort_values('rank_test_score').head(5)[[...the four column names...]]`.",
    ],
)


# -- q3: RandomizedSearchCV with randint and loguniform ---------------------------------------
def _distribution_name(value: object) -> str | None:
    return getattr(getattr(value, "dist", None), "name", None)


def _expect_integer_distribution(key: str, value: object, low: int, high: int) -> None:
    if isinstance(value, list | tuple | range | np.ndarray):
        expect({int(v) for v in value} == set(range(low, high + 1)),
               f"`{key}` is a fixed list of values; the task asks for every whole number "
               f"from {low} to {high}: draw them with `randint`.")
        return
    name = _distribution_name(value)
    expect(name == "randint",
           f"`{key}` is drawn from {name or type_name(value)!r}; it takes whole numbers, so "
           "draw it with `scipy.stats.randint`.")
    first, last = (int(v) for v in value.support())
    if (first, last) == (low, high - 1):
        fail(f"`{key}` never draws {high}: randint's upper bound is excluded, like range's.")
    expect((first, last) == (low, high),
           f"`{key}` draws whole numbers from {first} to {last}; the task asks for {low} to "
           f"{high}, both included.")


def _expect_log_distribution(key: str, value: object, low: float, high: float) -> None:
    if isinstance(value, list | tuple | np.ndarray):
        fail(f"`{key}` is a fixed list, so only those values are ever tried; draw it from a "
             "continuous distribution on a log scale.")
    name = _distribution_name(value)
    if name == "uniform":
        fail(f"`{key}` is drawn uniformly, which puts almost every draw in the top decade of "
             "the range; a log scale gives each power of ten the same share.")
    expect(name in ("loguniform", "reciprocal"),
           f"`{key}` is drawn from {name or type_name(value)!r}; use `scipy.stats.loguniform`.")
    first, last = (float(v) for v in value.support())
    expect(np.isclose(first, low) and np.isclose(last, high),
           f"`{key}` is drawn between {first:g} and {last:g}; the task asks for {low:g} to "
           f"{high:g}.")


def _check_q3(tree_search, n_iter, seed, cv, X_train, y_train, X_test) -> str:
    from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
    from sklearn.tree import DecisionTreeClassifier

    if isinstance(tree_search, GridSearchCV):
        fail("`tree_search` is a GridSearchCV; the task asks for candidates drawn from "
             "distributions: RandomizedSearchCV.")
    expect_type(tree_search, RandomizedSearchCV, "tree_search")
    estimator = tree_search.estimator
    expect(isinstance(estimator, DecisionTreeClassifier),
           f"the search tunes a {type_name(estimator)}; it should tune "
           "DecisionTreeClassifier(random_state=SEED).")
    expect(estimator.random_state == seed,
           "the tree has no fixed random_state (or another one): create it with "
           "`random_state=SEED`, so its tie-breaking is the same on every run.")

    distributions = tree_search.param_distributions
    if isinstance(distributions, list):
        expect(len(distributions) == 1, "use one dict of distributions, not a list of them.")
        distributions = distributions[0]
    expect(isinstance(distributions, dict),
           f"the distributions should be a dict (name -> distribution), not a "
           f"{type_name(distributions)}.")
    log_key, log_low, log_high = TREE_LOG_RANGE
    asked = [*TREE_INTEGER_RANGES, log_key]
    missing = [k for k in asked if k not in distributions]
    extra = sorted(str(k) for k in distributions if k not in asked)
    expect(not missing, f"the search does not tune {', '.join(missing)}.")
    expect(not extra, f"the search also tunes {', '.join(extra)}; tune only what the task "
                      "lists.")
    for key, (low, high) in TREE_INTEGER_RANGES.items():
        _expect_integer_distribution(key, distributions[key], low, high)
    _expect_log_distribution(log_key, distributions[log_key], log_low, log_high)
    expect(tree_search.n_iter == n_iter,
           f"the search draws {tree_search.n_iter} candidates; the task asks for `n_iter` of "
           "them.")
    expect(tree_search.random_state is not None,
           "the search's draws are not seeded, so every run tries other candidates: pass "
           "`random_state=SEED` to RandomizedSearchCV.")
    expect(tree_search.random_state == seed,
           "the search's draws are seeded with another value than SEED: pass "
           "`random_state=SEED`.")
    _expect_fitted_search(tree_search, "tree_search")
    best = tree_search.best_estimator_
    expect_fitted_on_training_rows(int(best.tree_.n_node_samples[0]), len(X_train), len(X_test),
                                   "tree_search", "X_train, y_train", WHY_SEARCH)
    _expect_same_folds(tree_search, "tree_search", cv, X_train, y_train)
    return (f"{len(tree_search.cv_results_['params'])} candidates; best mean CV accuracy "
            f"{tree_search.best_score_:.3f}.")


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "Give RandomizedSearchCV a dict that maps each hyper-parameter name to a distribution "
        "from scipy.stats, plus n_iter, cv and random_state.",
        "Integers: `randint(low, high)` draws low ... high - 1, so add one to the largest value "
        "you want. Scale-like values: `loguniform(a, b)`.",
        "`RandomizedSearchCV(DecisionTreeClassifier(random_state=SEED), {'max_depth': "
        "randint(1, 21), ...}, n_iter=n_iter, cv=cv, random_state=SEED)`, then fit it on the "
        "training set.",
    ],
)


# -- q4: how many fits a planned search costs --------------------------------------------------
def _check_q4(n_fits, planned_grid, planned_folds) -> str:
    from sklearn.model_selection import ParameterGrid

    n = expect_integer(n_fits, "n_fits")
    grids = planned_grid if isinstance(planned_grid, list) else [planned_grid]
    candidates = len(ParameterGrid(grids))
    right = candidates * planned_folds + 1
    if n == right:
        return f"{candidates} candidates; a search this size is worth timing first."
    if n == right - 1:
        fail("that counts the cross-validation fits but not the final refit of the winner on "
             "all training rows (refit=True by default).")
    if n in (candidates, candidates + 1):
        fail("that counts each candidate once, but cross-validation fits every candidate once "
             "per fold.")
    merged: dict[str, set] = {}
    for grid in grids:
        for key, values in grid.items():
            merged.setdefault(key, set()).update(map(repr, values))
    crossed = int(np.prod([len(values) for values in merged.values()]))
    summed = sum(sum(len(values) for values in grid.values()) for grid in grids)
    multiplied = int(np.prod([len(ParameterGrid(grid)) for grid in grids]))
    if n in (crossed * planned_folds + 1, crossed * planned_folds):
        fail("that combines every value with every other across both grids; a list of grids "
             "is searched grid by grid (gamma is never paired with the linear kernel).")
    if n in (multiplied * planned_folds + 1, multiplied * planned_folds):
        fail("that multiplies the two grids' candidate counts; the candidates of a list of "
             "grids add up.")
    if n in (summed * planned_folds + 1, summed * planned_folds):
        fail("that adds up the numbers of values; within one grid every value is combined "
             "with every other, so they multiply.")
    fail("that is not the number of fits: count the candidates (ParameterGrid can), then "
         "multiply by the folds and add the refit.")


q4 = Exercise(
    name="q4",
    notebook=NOTEBOOK,
    check_fn=_check_q4,
    hints=[
        "Fits = candidates x folds, plus one refit of the winner.",
        "Within one grid the numbers of values multiply; the candidates of a list of grids "
        "add up.",
        "`len(ParameterGrid(planned_grid))` counts the candidates of a list of grids for you.",
    ],
)
