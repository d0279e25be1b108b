"""Checks for 03_feature_engineering/02_feature_selection: SelectKBest, search over k, leakage.

Every check receives the data the notebook made (the breast-cancer split with its noise
columns, ``k_grid`` and the folds ``cv``; the pure-noise set and its folds ``noise_cv``) and
computes its references from it, so the checks stay right whatever ``SEED``, ``QUICK`` or sizes
the notebook ran with. The learner's estimators are only read; references are fitted afresh.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..check_helpers import expect_type, is_fitted, is_real, quiet, type_name
from ..exercises import Exercise, expect, fail

NOTEBOOK = "03_feature_engineering/02_feature_selection"

N_SELECTED = 10  # features the selector of q1 keeps
SEARCH_ACCURACY_FLOOR = 0.9  # the tuned pipeline does far better on breast cancer + noise
CHANCE_CEILING = 0.65  # honest CV on random labels stays well below this


def _score_name(score_func) -> str:
    func = getattr(score_func, "func", score_func)  # a functools.partial
    return getattr(func, "__name__", type_name(score_func))


# -- q1: SelectKBest on the training rows ---------------------------------------------------
def _check_q1(selector, selected, X_train, y_train, X_test, y_test) -> str:
    from sklearn.feature_selection import SelectKBest, f_classif

    expect_type(selector, SelectKBest, "selector")
    params = selector.get_params()
    name = _score_name(params["score_func"])
    expect(name == "f_classif",
           f"`selector` scores features with {name}; the task asks for the ANOVA F score, "
           "`f_classif`.")
    expect(params["k"] == N_SELECTED,
           f"`selector` keeps k={params['k']!r} features; the task asks for {N_SELECTED}.")
    expect(is_fitted(selector), "`selector` is not fitted yet: call "
                                "`selector.fit(X_train, y_train)`.")
    expect(selector.n_features_in_ == X_train.shape[1],
           f"`selector` was fitted on {selector.n_features_in_} columns, but X_train has "
           f"{X_train.shape[1]}: fit it on all the training features.")
    with quiet():
        reference = f_classif(X_train, y_train)[0]
        everything = f_classif(pd.concat([X_train, X_test]), pd.concat([y_train, y_test]))[0]
    if not np.allclose(selector.scores_, reference, equal_nan=True):
        if np.allclose(selector.scores_, everything, equal_nan=True):
            fail("`selector` was fitted on every row, test rows included: the features were "
                 "chosen with the test labels (leakage). Fit it on X_train, y_train only.")
        fail("`selector`'s scores are not those of X_train with y_train: fit it on the "
             "training rows and their own labels.")

    if isinstance(selected, np.ndarray) and selected.dtype == bool:
        fail("`selected` is a boolean mask (what `get_support()` returns); store the feature "
             "names instead.")
    if isinstance(selected, np.ndarray | pd.DataFrame) and np.ndim(selected) == 2:
        fail("`selected` is a 2-D table, which looks like the transformed data "
             "(`transform`); store the names of the kept features instead.")
    expect(isinstance(selected, list | tuple | np.ndarray | pd.Index),
           f"`selected` should be a list of feature names, not a {type_name(selected)}.")
    names = list(selected)
    if names and all(isinstance(n, int | np.integer) for n in names):
        fail("`selected` holds column positions; store the feature names "
             "(`get_feature_names_out()`).")
    expect(len(names) == N_SELECTED,
           f"`selected` has {len(names)} names; the selector keeps {N_SELECTED}.")
    expect(set(map(str, names)) == set(selector.get_feature_names_out()),
           "`selected` does not name the features your selector kept.")
    real = sum(not str(n).startswith("noise_") for n in names)
    return f"{real} of the {N_SELECTED} kept features are real measurements."


q1 = Exercise(name="q1", notebook=NOTEBOOK, check_fn=_check_q1, hints=[
    "`SelectKBest(score_func, k=...)` is a transformer: create it, then fit it.",
    "`SelectKBest(f_classif, k=10).fit(X_train, y_train)`: the scores use the labels, so only "
    "the training labels.",
    "`selector.get_feature_names_out()` returns the names of the kept columns.",
])


# -- q2: k tuned by GridSearchCV, selection inside the pipeline -----------------------------
def _grid_values(param_grid, key: str) -> list | None:
    grids = param_grid if isinstance(param_grid, list) else [param_grid]
    values = [v for grid in grids for v in grid.get(key, [])] if grids else []
    return values or None


def _same_folds(cv_used, cv, X, y) -> bool:
    from sklearn.model_selection import check_cv

    if cv_used is cv:
        return True
    used = check_cv(cv_used, y, classifier=True)
    pairs = zip(used.split(X, y), cv.split(X, y), strict=False)
    return used.get_n_splits() == cv.get_n_splits() and all(
        np.array_equal(a[1], b[1]) for a, b in pairs)


def _check_q2(lr_search, X_train, y_train, X_test, y_test, k_grid, cv) -> str:
    from sklearn.feature_selection import SelectKBest
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    expect_type(lr_search, GridSearchCV, "lr_search")
    pipe = lr_search.estimator
    if not isinstance(pipe, Pipeline):
        fail(f"`lr_search` searches a bare {type_name(pipe)}: search a Pipeline of a scaler, "
             "a SelectKBest and the model, so the selection is redone in every fold.")
    steps = dict(pipe.steps)
    expect(isinstance(pipe.steps[-1][1], LogisticRegression),
           f"the pipeline should end with a LogisticRegression, not a "
           f"{type_name(pipe.steps[-1][1])}.")
    selectors = [n for n, s in steps.items() if isinstance(s, SelectKBest)]
    if not selectors:
        if is_fitted(lr_search) and lr_search.n_features_in_ < X_train.shape[1]:
            fail("you selected the features before the search: the selection must be a step of "
                 "the pipeline, so that each fold selects on its own training part.")
        fail("the pipeline has no SelectKBest step: put the selector between the scaler and "
             "the model.")
    expect(any(isinstance(s, StandardScaler) for s in steps.values()),
           "the pipeline has no StandardScaler: scale before the selector and the model.")
    selector = steps[selectors[0]]
    expect(_score_name(selector.get_params()["score_func"]) == "f_classif",
           "the selector should score features with `f_classif`.")
    key = f"{selectors[0]}__k"
    values = _grid_values(lr_search.param_grid, key)
    if values is None:
        fail(f"the grid does not search the selector's k: its key must be `{key}` "
             "(step name, two underscores, parameter).")
    expect(sorted(values) == sorted(k_grid),
           "the grid should try exactly the values of `k_grid` for k.")
    expect(is_fitted(lr_search) and hasattr(lr_search, "best_estimator_"),
           "`lr_search` is not fitted yet: call `lr_search.fit(X_train, y_train)`.")
    expect(_same_folds(lr_search.cv, cv, X_train, y_train),
           "`lr_search` does not use the folds `cv`: pass `cv=cv`, so its scores compare with "
           "the k-NN search.")
    scaler = next(s for s in lr_search.best_estimator_.named_steps.values()
                  if isinstance(s, StandardScaler))
    n_fit, n_train, n_test = int(np.max(scaler.n_samples_seen_)), len(X_train), len(X_test)
    if n_fit == n_train + n_test:
        fail("`lr_search` was fitted on every row, test rows included: fit it on the training "
             "rows only, the test set judges the result.")
    expect(n_fit == n_train,
           f"`lr_search` was refitted on {n_fit} rows, but the training set has {n_train}.")
    with quiet():
        accuracy = float(lr_search.score(X_test, y_test))
    expect(accuracy >= SEARCH_ACCURACY_FLOOR,
           f"test accuracy {accuracy:.3f} is far below what this pipeline reaches: check that it "
           "was fitted on X_train with y_train.")
    return (f"best k = {lr_search.best_params_[key]}, test accuracy {accuracy:.3f}. "
            "Compare it with the k-NN search.")


q2 = Exercise(name="q2", notebook=NOTEBOOK, check_fn=_check_q2, hints=[
    "Copy the k-NN search of the demo and swap the model.",
    "`make_pipeline(StandardScaler(), SelectKBest(f_classif), LogisticRegression())` names the "
    "selector step `selectkbest`, so the grid is `{\"selectkbest__k\": k_grid}`.",
    "`GridSearchCV(pipe, grid, cv=cv).fit(X_train, y_train)`; assign the search to "
    "`lr_search`.",
])


# -- q3: honest cross-validation of selection on pure noise --------------------------------
def _check_q3(honest_scores, X_noise, y_noise, noise_cv, k) -> str:
    from sklearn.feature_selection import SelectKBest, f_classif
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline

    if is_real(honest_scores):
        fail("`honest_scores` is one number: store the array of per-fold accuracies that "
             "`cross_val_score` returns, not its mean.")
    expect(isinstance(honest_scores, np.ndarray | list | tuple | pd.Series),
           f"`honest_scores` should be the array `cross_val_score` returns, not a "
           f"{type_name(honest_scores)}.")
    scores = np.asarray(honest_scores, dtype=float)
    n_splits = noise_cv.get_n_splits()
    expect(scores.ndim == 1 and len(scores) == n_splits,
           f"`honest_scores` should hold one accuracy per fold of `noise_cv` ({n_splits}), "
           f"not {scores.shape}.")
    expect(((scores >= 0) & (scores <= 1)).all(),
           "`honest_scores` holds values outside [0, 1]: they should be accuracies.")
    if np.allclose(scores, 1.0):
        fail("every fold scores 1.0: that is the accuracy on the training rows. Let "
             "`cross_val_score` score each held-out fold.")
    with quiet():
        reference = cross_val_score(
            make_pipeline(SelectKBest(f_classif, k=k), LogisticRegression()),
            X_noise, y_noise, cv=noise_cv)
        leaky = cross_val_score(
            LogisticRegression(),
            SelectKBest(f_classif, k=k).fit_transform(X_noise, y_noise), y_noise, cv=noise_cv)
    if np.allclose(scores, leaky):
        fail("these are the scores of features selected on all rows before cross-validation "
             "(the leak of the demo). Put the selector inside the pipeline you "
             "cross-validate.")
    if not np.allclose(scores, reference):
        if scores.mean() > CHANCE_CEILING:
            fail(f"a mean accuracy of {scores.mean():.2f} on random labels means the held-out "
                 "folds leaked into the selection: select inside the pipeline.")
        fail("`honest_scores` are not those of SelectKBest(f_classif, k=K_NOISE) + "
             "LogisticRegression() cross-validated on X_noise, y_noise with `noise_cv`.")
    return f"mean accuracy {scores.mean():.3f}: chance level, as it must be on random labels."


q3 = Exercise(name="q3", notebook=NOTEBOOK, check_fn=_check_q3, hints=[
    "The selector must be refitted in every fold: make it a step of the pipeline that you "
    "cross-validate, and give `cross_val_score` the raw `X_noise`.",
    "`make_pipeline(SelectKBest(f_classif, k=K_NOISE), LogisticRegression())`.",
    "`cross_val_score(that_pipeline, X_noise, y_noise, cv=noise_cv)` returns one accuracy per "
    "fold.",
])
