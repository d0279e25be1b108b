"""Checks for 01_python_for_ml/04_sklearn_estimators: fit → predict, Pipeline, score loops, R².

Every check receives the data it judges against as arguments (the notebook passes its own
``X_train``, ``X_test``, ``y_test``, ...), so the references below are computed from exactly the
split the learner was given, whatever ``SEED`` or ``TEST_SIZE`` the notebook ran with.
Estimators passed in are only read (``predict``/``score``); references are fitted on clones.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..check_helpers import (
    expect_fitted_on_training_rows,
    expect_type,
    is_fitted,
    is_real,
    quiet,
    type_name,
)
from ..exercises import Exercise, expect, fail

NOTEBOOK = "01_python_for_ml/04_sklearn_estimators"

TREE_ACCURACY_FLOOR = 0.85  # a depth-3 tree on penguin measurements does far better
KNN_PIPE_ACCURACY_FLOOR = 0.9  # scaled k-NN on penguin measurements does far better
TOLERANCE = 1e-6
WHY_TRAIN_ONLY = "the test set must stay unseen until you evaluate"


# -- helpers shared by several checks of this notebook ----------------------------------------


# -- q1: fit a decision tree, predict the test set ----------------------------------------
def _check_q1(tree, y_pred, X_train, X_test, y_test) -> str:
    from sklearn.tree import DecisionTreeClassifier

    expect_type(tree, DecisionTreeClassifier, "tree")
    expect(tree.get_params()["max_depth"] == 3,
           "the task asks for a tree limited to depth 3: pass `max_depth=3` when you create "
           "it.")
    expect(tree.get_params()["random_state"] is not None,
           "`tree` has no random_state, so refitting it may give another tree: pass "
           "`random_state=SEED` when you create it.")
    expect(hasattr(tree, "tree_"),
           "`tree` is not fitted yet: call `tree.fit(X_train, y_train)` before predicting.")
    n_train, n_test = len(X_train), len(X_test)
    expect_fitted_on_training_rows(int(tree.tree_.n_node_samples[0]), n_train, n_test, "tree",
                                   "X_train, y_train", WHY_TRAIN_ONLY)

    if y_pred is None:
        fail("`y_pred` is None: `tree.predict(...)` returns the predictions, assign them.")
    y_pred = np.asarray(y_pred)
    if y_pred.ndim == 2:
        fail("`y_pred` is 2-D, one column per class: that looks like `predict_proba`. Use "
             "`predict` to get one label per row.")
    expect(y_pred.ndim == 1, f"`y_pred` should be a 1-D array of labels, got {y_pred.ndim}-D.")
    if len(y_pred) == n_train and n_train != n_test:
        fail("`y_pred` has one prediction per TRAINING row: predict on X_test, the rows the "
             "tree has never seen.")
    expect(len(y_pred) == n_test,
           f"`y_pred` has {len(y_pred)} predictions but X_test has {n_test} rows: predict on "
           "X_test.")
    with quiet():
        reference = np.asarray(tree.predict(X_test))
    expect(np.array_equal(y_pred.astype(str), reference.astype(str)),
           "`y_pred` is not what `tree.predict(X_test)` returns: predict with the fitted tree "
           "on X_test, in X_test's row order.")
    accuracy = float(np.mean(y_pred.astype(str) == np.asarray(y_test).astype(str)))
    expect(accuracy >= TREE_ACCURACY_FLOOR,
           "the predictions match the test labels surprisingly rarely: check that the tree "
           "was fitted on X_train with y_train (not mismatched labels).")
    return f"test accuracy {accuracy:.3f}."


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "Three steps: create the estimator with its hyper-parameters, `fit` it on the "
        "training data, `predict` on the test features.",
        "Hyper-parameters go into the constructor: `DecisionTreeClassifier(max_depth=3, "
        "random_state=SEED)`.",
        "`tree.fit(X_train, y_train)` learns; `tree.predict(X_test)` returns one label per "
        "test row. Never fit on the test rows.",
    ],
)


# -- q2: a scaler + k-NN pipeline ----------------------------------------------------------
def _check_q2(knn_pipe, X_train, X_test, y_test, n_neighbors) -> str:
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, RobustScaler, StandardScaler

    if isinstance(knn_pipe, KNeighborsClassifier):
        fail("`knn_pipe` is a bare KNeighborsClassifier. Put a scaler and the classifier "
             "together in a Pipeline, so that fitting the pipeline fits the scaler too.")
    expect_type(knn_pipe, Pipeline, "knn_pipe")
    steps = [step for _, step in knn_pipe.steps]
    expect(len(steps) >= 2, "the pipeline needs (at least) two steps: a scaler, then k-NN.")
    scalers = (StandardScaler, MinMaxScaler, RobustScaler, MaxAbsScaler)
    expect(isinstance(steps[0], scalers),
           f"the first step is a {type_name(steps[0])}; it should scale the features "
           "(for example a StandardScaler), so k-NN measures distances on comparable scales.")
    expect(isinstance(steps[-1], KNeighborsClassifier),
           f"the last step is a {type_name(steps[-1])}; it should be the KNeighborsClassifier "
           "(the model always comes last).")
    expect(steps[-1].n_neighbors == n_neighbors,
           f"the KNeighborsClassifier uses n_neighbors={steps[-1].n_neighbors}, not the "
           "notebook's N_NEIGHBORS: pass `n_neighbors=N_NEIGHBORS` when you create it.")
    expect(is_fitted(knn_pipe),
           "`knn_pipe` is not fitted yet: call `knn_pipe.fit(X_train, y_train)`.")
    n_train, n_test = len(X_train), len(X_test)
    expect_fitted_on_training_rows(int(steps[-1].n_samples_fit_), n_train, n_test, "knn_pipe",
                                   "X_train, y_train", WHY_TRAIN_ONLY)
    n_seen = getattr(steps[0], "n_samples_seen_", n_train)
    n_seen = int(np.max(n_seen))  # StandardScaler may store one count per feature
    if n_seen != n_train:
        fail("the scaler inside the pipeline was fitted on different rows than the model: "
             "fit the whole pipeline once, with `knn_pipe.fit(X_train, y_train)`.")
    with quiet():
        accuracy = float(knn_pipe.score(X_test, y_test))
    expect(accuracy >= KNN_PIPE_ACCURACY_FLOOR,
           "the pipeline's test accuracy is unexpectedly low: check the scaler comes first "
           "and that it was fitted on X_train with y_train.")
    return f"test accuracy {accuracy:.3f}."


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "A pipeline chains steps: every step but the last transforms, the last one predicts.",
        "Build it with `make_pipeline(scaler, classifier)`; the scaler must come first.",
        "`make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=N_NEIGHBORS))`, "
        "then call `.fit(X_train, y_train)` on the whole pipeline, not on its steps.",
    ],
)


# -- q3: a dict name -> test accuracy -------------------------------------------------------
def _check_q3(scores, models, X_train, y_train, X_test, y_test) -> str:
    from sklearn.base import clone

    if isinstance(scores, pd.Series):
        scores = scores.to_dict()
    expect(isinstance(scores, Mapping),
           f"`wine_scores` should be a dict mapping each model's name to its test accuracy, "
           f"got {type_name(scores)}.")
    missing = [name for name in models if name not in scores]
    extra = [str(name) for name in scores if name not in models]
    expect(not missing, f"`wine_scores` has no entry for {', '.join(map(repr, missing))}: "
                        "score every model of `wine_models`, keeping its name as the key.")
    expect(not extra, f"`wine_scores` has keys that are not in `wine_models`: "
                      f"{', '.join(map(repr, extra))}. Keep the names of `wine_models`.")
    for name, value in scores.items():
        if not is_real(value):
            fail(f"the score for {name!r} is a {type_name(value)}, not a number: store "
                 "`model.score(...)` (a float), not the model or its predictions.")
        expect(0.0 <= float(value) <= 1.0,
               f"the score for {name!r} is outside [0, 1]; a classifier's `score` is an "
               "accuracy, a fraction between 0 and 1.")

    on_train, other = [], []
    with quiet():
        for name, model in models.items():
            reference = clone(model).fit(X_train, y_train)
            test_score = reference.score(X_test, y_test)
            if abs(float(scores[name]) - test_score) <= TOLERANCE:
                continue
            train_score = reference.score(X_train, y_train)
            (on_train if abs(float(scores[name]) - train_score) <= TOLERANCE else other).append(
                name)
    if other:
        fail(f"the score for {', '.join(map(repr, other))} is not the test accuracy of that "
             "model fitted on the training set: fit each model on Xw_train, yw_train, then "
             "call `.score(Xw_test, yw_test)`.")
    if on_train:
        fail(f"the score for {', '.join(map(repr, on_train))} is its accuracy on the TRAINING "
             "data, which rewards memorising. Score each fitted model on Xw_test, yw_test.")
    best = max(scores, key=lambda name: scores[name])
    return (f"highest test accuracy: {best!r}. Fine for comparing notes; choosing a model by it "
            "would leak the test set into your choice (see the warning below).")


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "Loop over `wine_models.items()`: fit each model on the training part, score it on "
        "the test part, and keep the score under the model's name.",
        "`fit` returns the estimator itself, so `model.fit(Xw_train, yw_train).score(...)` "
        "works in one expression.",
        "A dict comprehension does it in one line: `{name: ... for name, model in "
        "wine_models.items()}`; the score must use Xw_test and yw_test.",
    ],
)


# -- q4: R² of a linear regression on the test set ----------------------------------------
def _check_q4(reg, r2_test, X_train, y_train, X_test, y_test) -> str:
    from sklearn.base import clone, is_classifier
    from sklearn.linear_model import LinearRegression
    from sklearn.metrics import mean_squared_error, r2_score

    if not isinstance(reg, type) and is_classifier(reg):
        fail(f"`reg` is a classifier ({type_name(reg)}); the target is a continuous number, "
             "so use a regressor: the task asks for a LinearRegression.")
    expect_type(reg, LinearRegression, "reg")
    expect(is_fitted(reg), "`reg` is not fitted yet: call `reg.fit(Xd_train, yd_train)`.")
    if not is_real(r2_test):
        fail(f"`r2_test` should be a single number, got {type_name(r2_test)}: "
             "`reg.score(...)` returns one float.")
    r2_test = float(r2_test)

    with quiet():
        reference = clone(reg).fit(X_train, y_train)
        same_model = np.allclose(reg.predict(X_test), reference.predict(X_test),
                                 rtol=1e-6, atol=1e-6)
        expect(same_model,
               "`reg` does not predict like the same model fitted on the training set: fit it "
               "on Xd_train, yd_train only (and fix its random_state if it has one).")
        test_r2 = reference.score(X_test, y_test)
        if abs(r2_test - test_r2) <= TOLERANCE:
            return f"test R² {r2_test:.3f}."
        train_r2 = reference.score(X_train, y_train)
        predictions = reference.predict(X_test)
        swapped = r2_score(predictions, y_test)
        mse = mean_squared_error(y_test, predictions)
    if abs(r2_test - train_r2) <= TOLERANCE:
        fail("`r2_test` is the R² on the TRAINING data. Score the model on Xd_test, yd_test.")
    if abs(r2_test - swapped) <= TOLERANCE:
        fail("the arguments of `r2_score` are swapped: it is `r2_score(y_true, y_pred)`, and "
             "R² is not symmetric.")
    if abs(r2_test - mse) <= TOLERANCE * max(1.0, mse) or r2_test > 1.0:
        fail("`r2_test` is not an R² (R² is at most 1): that looks like an error metric such "
             "as the MSE. Use `reg.score(...)` or `r2_score`.")
    fail("`r2_test` is not the R² of `reg` on the test set: use `reg.score(Xd_test, yd_test)`.")


q4 = Exercise(
    name="q4",
    notebook=NOTEBOOK,
    check_fn=_check_q4,
    hints=[
        "Regressors follow the same contract as classifiers: create, fit on the training "
        "data, evaluate on the test data.",
        "For a regressor, `score` returns R² (1 is perfect, 0 is no better than predicting "
        "the mean).",
        "Use `LinearRegression().fit(Xd_train, yd_train)`, then `reg.score(Xd_test, "
        "yd_test)`.",
    ],
)
