"""Checks for 07_advanced_tuning/04_ensembling: bagging by hand, a soft-voting ensemble, and
the out-of-fold features and meta-model of a stack.

Every check receives the learner's ensemble (or features) first, then what the notebook gave
them (numbers of trees, base models, folds, the split); references are computed from those
inputs, so they hold whatever ``SEED`` or ``QUICK`` the notebook ran with.
"""

from __future__ import annotations

import numpy as np

from ..check_helpers import (
    expect_array,
    expect_fitted_on_training_rows,
    expect_shape,
    expect_type,
    is_fitted,
    quiet,
    same_numbers,
    type_name,
)
from ..exercises import Exercise, expect, fail

NOTEBOOK = "07_advanced_tuning/04_ensembling"

VOTERS = ("tree", "knn", "svm")


def _final_step(model):
    """The model itself, or the last step of a pipeline."""
    steps = getattr(model, "steps", None)
    return steps[-1][1] if steps else model


def _has_scaler(model) -> bool:
    from sklearn.preprocessing import StandardScaler

    return any(isinstance(step, StandardScaler) for _, step in getattr(model, "steps", []))


# -- q1: bagging deep trees by hand ---------------------------------------------------------
def _check_q1(bagged_trees, n_trees, X_train, y_train, X_test, y_test) -> str:
    from sklearn.ensemble import BaggingClassifier, RandomForestClassifier
    from sklearn.tree import DecisionTreeClassifier

    if isinstance(bagged_trees, RandomForestClassifier):
        fail("`bagged_trees` is a random forest; the task asks to bag trees yourself with a "
             "`BaggingClassifier`.")
    if bagged_trees is BaggingClassifier:
        fail("`bagged_trees` is the class `BaggingClassifier` itself: create one with its "
             "arguments and fit it.")
    expect_type(bagged_trees, BaggingClassifier, "bagged_trees")
    tree = bagged_trees.estimator
    expect(tree is None or isinstance(tree, DecisionTreeClassifier),
           f"the bagged model is a {type_name(tree)}; the task bags decision trees.")
    expect(tree is None or tree.max_depth is None,
           "the bagged trees have a limited depth: bagging pays off on deep, high-variance "
           "trees. Leave `max_depth` at its default.")
    if not bagged_trees.bootstrap:
        if bagged_trees.max_samples in (1.0, None):
            fail("`bootstrap=False`: every tree sees exactly the same rows, so they grow "
                 "nearly the same tree (they differ only where equally good splits are broken "
                 "at random) and the ensemble gains next to nothing. That is not bagging: "
                 "bagging draws bootstrap samples.")
        fail("`bootstrap=False` draws subsets without replacement: that is pasting, not "
             "bagging. Bagging draws bootstrap samples (`bootstrap=True`).")
    expect(bagged_trees.max_samples in (1.0, None),
           "`max_samples` is changed: a bootstrap sample has as many rows as the training set "
           "(the default).")
    expect(bagged_trees.n_estimators == n_trees,
           f"the ensemble has {bagged_trees.n_estimators} trees; the task asks for `n_trees`.")
    expect(bagged_trees.random_state is not None,
           "the bootstrap samples are not seeded: pass `random_state=SEED`.")
    expect(is_fitted(bagged_trees), "`bagged_trees` is not fitted: call `.fit(X_train, y_train)`.")
    expect(bagged_trees.n_features_in_ == np.shape(X_train)[1],
           "the ensemble was fitted on other columns than `X_train`'s.")
    n_fit = int(max(len(rows) for rows in bagged_trees.estimators_samples_))
    expect_fitted_on_training_rows(n_fit, len(y_train), len(y_test), "bagged_trees",
                                   fit_on="X_train, y_train")
    with quiet():
        accuracy = bagged_trees.score(X_test, y_test)
    return f"{n_trees} bagged trees, test accuracy {accuracy:.3f}."


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "`BaggingClassifier(estimator, n_estimators=..., bootstrap=..., random_state=...)`, "
        "then `.fit(X_train, y_train)`.",
        "The estimator is a deep tree: `DecisionTreeClassifier(random_state=SEED)`, no "
        "`max_depth`.",
        "Bootstrap samples are what makes it bagging: `bootstrap=True` (the default), "
        "`n_estimators=n_trees`, `random_state=SEED`.",
    ],
)


# -- q2: a soft-voting ensemble -------------------------------------------------------------
def _check_q2(soft_vote, X_train, y_train, X_test, y_test) -> str:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import VotingClassifier
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.svm import SVC
    from sklearn.tree import DecisionTreeClassifier

    expect_type(soft_vote, VotingClassifier, "soft_vote")
    expect(soft_vote.voting == "soft",
           "this is hard voting, a majority of predicted labels; the task asks for soft "
           "voting, which averages the predicted probabilities (`voting=\"soft\"`).")
    names = [name for name, _ in soft_vote.estimators]
    expect(names == list(VOTERS),
           f"the members are named {names}; name them 'tree', 'knn' and 'svm', in that order.")
    members = dict(soft_vote.estimators)
    svm = _final_step(members["svm"])
    inner = svm.estimator if isinstance(svm, CalibratedClassifierCV) else svm
    expect(isinstance(inner, SVC), f"the 'svm' member is a {type_name(inner)}, not an `SVC`.")
    expect(hasattr(members["svm"], "predict_proba"),
           "the 'svm' member has no `predict_proba` (a plain `SVC` gives none): soft voting "
           "averages probabilities, so every member needs them. Wrap the SVC as the lesson "
           "shows.")
    expect(not (isinstance(inner, SVC) and inner.probability is True),
           "the 'svm' member uses `SVC(probability=True)`, which is deprecated in scikit-learn "
           "1.9: wrap the SVC in `CalibratedClassifierCV(SVC(), ensemble=False)` instead.")
    expect(inner.kernel == "rbf", "the SVC should use the RBF kernel (its default).")
    knn = _final_step(members["knn"])
    expect(isinstance(knn, KNeighborsClassifier) and knn.n_neighbors == 15,
           "the 'knn' member should be a `KNeighborsClassifier` with 15 neighbours.")
    for name in ("knn", "svm"):
        expect(_has_scaler(members[name]),
               f"the '{name}' member works on distances: put a `StandardScaler` before it "
               "(`make_pipeline`).")
    tree = members["tree"]
    expect(isinstance(tree, DecisionTreeClassifier) and tree.max_depth == 8,
           "the 'tree' member should be a `DecisionTreeClassifier(max_depth=8, ...)`.")
    expect(hasattr(soft_vote, "estimators_"),
           "`soft_vote` is not fitted: call `.fit(X_train, y_train)`.")
    n_fit = int(soft_vote.estimators_[0].tree_.n_node_samples[0])
    expect_fitted_on_training_rows(n_fit, len(y_train), len(y_test), "soft_vote",
                                   fit_on="X_train, y_train")
    with quiet():
        accuracy = soft_vote.score(X_test, y_test)
    return f"soft vote of tree, knn and svm: test accuracy {accuracy:.3f}."


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "`VotingClassifier([(name, model), ...], voting=...)`, then `.fit(X_train, y_train)`.",
        "Scale before k-NN and the SVM: `make_pipeline(StandardScaler(), "
        "KNeighborsClassifier(n_neighbors=15))`, and the same with the SVC.",
        "Soft voting needs probabilities from every member: `voting=\"soft\"`, and the SVM "
        "as `make_pipeline(StandardScaler(), CalibratedClassifierCV(SVC(), ensemble=False))`.",
    ],
)


# -- q3: out-of-fold features and the meta-model of a stack -----------------------------------
def _check_q3(oof_features, meta, stack_bases, cv, X_train, y_train) -> str:
    from sklearn.base import clone
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict

    oof_features = expect_array(oof_features, "oof_features", real=True)
    n_models = len(stack_bases)
    if oof_features.ndim == 3 or (oof_features.ndim == 2
                                  and oof_features.shape[1] == 2 * n_models):
        fail("`oof_features` holds both columns of `predict_proba` for each model; keep only "
             "the probability of class 1 (`[:, 1]`).")
    expect_shape(oof_features, (len(y_train), n_models), "oof_features",
                 of="one row per training row, one column per base model")
    with quiet():
        right = np.column_stack([
            cross_val_predict(clone(model), X_train, y_train, cv=cv,
                              method="predict_proba")[:, 1]
            for model in stack_bases.values()])
    if not same_numbers(oof_features, right, atol=1e-9):
        with quiet():
            in_sample = np.column_stack([clone(model).fit(X_train, y_train)
                                         .predict_proba(X_train)[:, 1]
                                         for model in stack_bases.values()])
        if same_numbers(oof_features, in_sample, atol=1e-9):
            fail("these are IN-SAMPLE predictions: each base model predicted the rows it was "
                 "trained on. That is the leak of the lesson; use `cross_val_predict` so "
                 "each row is predicted by models that never saw it.")
        if same_numbers(oof_features, 1 - right, atol=1e-9):
            fail("these are the probabilities of class 0: take column 1 of `predict_proba`.")
        if np.isin(oof_features, (0.0, 1.0)).all():
            fail("`oof_features` holds 0/1 labels: ask `cross_val_predict` for probabilities "
                 "with `method=\"predict_proba\"`.")
        matches = [j for j in range(n_models)
                   if any(same_numbers(oof_features[:, j], right[:, k], atol=1e-9)
                          for k in range(n_models))]
        if len(matches) == n_models:
            fail("the columns are the right predictions in another order: one column per "
                 "model of `stack_bases`, in its order.")
        fail("`oof_features` is not the out-of-fold probability of class 1 of each base "
             "model with the folds in `cv`: pass `cv=cv` to `cross_val_predict`.")
    expect_type(meta, LogisticRegression, "meta")
    expect(is_fitted(meta), "`meta` is not fitted: fit it on `oof_features` and `y_train`.")
    expect(meta.n_features_in_ == n_models,
           f"`meta` was fitted on {meta.n_features_in_} columns; fit it on `oof_features`.")
    with quiet():
        reference = LogisticRegression().fit(oof_features, y_train)
    expect(same_numbers(meta.coef_, reference.coef_, atol=1e-6),
           "`meta` was not fitted on `oof_features` and `y_train` with the default settings.")
    weights = ", ".join(f"{name} {w:.2f}" for name, w in zip(stack_bases, meta.coef_[0],
                                                            strict=True))
    return f"meta-model weights: {weights}."


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "For each model in `stack_bases.values()`, `cross_val_predict(model, X_train, "
        "y_train, cv=cv, method=...)` predicts every training row with models fitted on the "
        "other folds.",
        "Keep column 1 of each result (`[:, 1]`, the probability of class 1) and put the "
        "columns side by side with `np.column_stack`.",
        "Then `meta = LogisticRegression().fit(oof_features, y_train)`.",
    ],
)
