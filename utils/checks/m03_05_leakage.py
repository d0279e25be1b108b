"""Checks for 03_feature_engineering/05_leakage: target, temporal and group leakage, and a fix.

The checks receive the learner's answers, then the data and splitters the notebook built
(``X_churn``, ``y_churn``, ``cv``, the sales series, the visits and their patient ids, the
biomarker matrix and the colleague's leaky scores). Every reference is recomputed from those
inputs, so the checks stay right whatever ``SEED`` or ``QUICK`` the notebook ran with.
Learners' estimators are only read; references are computed on clones.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..check_helpers import (
    call_learner,
    expect_fold_scores,
    expect_function,
    expect_series,
    expect_type,
    is_real,
    quiet,
    type_name,
)
from ..exercises import Exercise, expect, fail

NOTEBOOK = "03_feature_engineering/05_leakage"

TOLERANCE = 1e-9
WINDOW = 7  # days in the past-week mean
N_GROUP_FOLDS = 5
K_MARKERS = 20
HONEST_DROP = 0.05  # the fixed pipeline's CV AUC must sit at least this far below the leak




# -- q1: each feature's ROC AUC on its own ---------------------------------------------------
def _single_auc(X, y, cv, scoring: str = "roc_auc") -> pd.Series:
    from sklearn.model_selection import cross_val_score
    from sklearn.tree import DecisionTreeClassifier

    # With one feature a tree has nothing to draw at random: random_state does not matter.
    tree = DecisionTreeClassifier(max_depth=3, random_state=0)
    return pd.Series({c: cross_val_score(tree, X[[c]], y, cv=cv, scoring=scoring).mean()
                      for c in X.columns})


def _training_auc(X, y) -> pd.Series:
    from sklearn.metrics import roc_auc_score
    from sklearn.tree import DecisionTreeClassifier

    tree = DecisionTreeClassifier(max_depth=3, random_state=0)
    return pd.Series({c: roc_auc_score(y, tree.fit(X[[c]], y).predict_proba(X[[c]])[:, 1])
                      for c in X.columns})


def _check_q1(single_feature_auc, X_churn, y_churn, cv) -> str:
    if isinstance(single_feature_auc, dict):
        fail("`single_feature_auc` is a dict; wrap it in `pd.Series(...)` and sort it.")
    auc = expect_series(single_feature_auc, "single_feature_auc",
                        "(column name -> mean CV ROC AUC)")
    columns = [str(c) for c in X_churn.columns]
    missing = [c for c in columns if c not in auc.index]
    extra = [str(c) for c in auc.index if c not in columns]
    expect(not missing, f"`single_feature_auc` has no entry for {', '.join(missing)}: score "
                        "every column of X_churn, with the column name as the index.")
    expect(not extra, f"`single_feature_auc` has entries that are not columns of X_churn: "
                      f"{', '.join(extra)}.")
    expect(auc.index.is_unique, "`single_feature_auc` lists a column more than once.")
    for column, value in auc.items():
        expect(is_real(value), f"the entry for {column!r} is a {type_name(value)}; store the "
                               "mean score, one number per column.")
    learner = auc.astype(float)
    with quiet():
        reference = _single_auc(X_churn, y_churn, cv)
    if np.allclose(learner[columns], reference[columns], rtol=0, atol=TOLERANCE):
        expect(learner.is_monotonic_decreasing,
               "the scores are right; now sort the Series from highest to lowest "
               "(`sort_values(ascending=False)`), so the suspect comes first.")
        return f"the top feature scores {learner.iloc[0]:.3f} alone. Which one is it, and why?"
    with quiet():
        if np.allclose(learner[columns], _training_auc(X_churn, y_churn)[columns], rtol=0,
                       atol=TOLERANCE):
            fail("these are ROC AUCs on the rows each tree was trained on; use "
                 "`cross_val_score` with the notebook's `cv`, so every score is on held-out "
                 "rows.")
        if np.allclose(learner[columns], _single_auc(X_churn, y_churn, cv, "accuracy")[columns],
                       rtol=0, atol=TOLERANCE):
            fail("these look like accuracies; pass `scoring=\"roc_auc\"` to `cross_val_score`.")
    if learner.between(0, 1).all() and (learner > 0.5).any():
        fail("the scores differ from the mean CV ROC AUC of a depth-3 tree trained on each "
             "column alone: use `DecisionTreeClassifier(max_depth=3, random_state=SEED)`, "
             "`X_churn[[column]]` (one column, kept 2-D), the notebook's `cv` and "
             "`scoring=\"roc_auc\"`, then `.mean()`.")
    fail("the values are not ROC AUCs between 0 and 1: take the `.mean()` of each column's "
         "`cross_val_score(..., scoring=\"roc_auc\")`.")


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "Loop over `X_churn.columns`; for each column, cross-validate a small tree that sees "
        "only that column, and keep the mean score under the column's name.",
        "`X_churn[[column]]` (double brackets) is a one-column DataFrame, which scikit-learn "
        "accepts; `cross_val_score(tree, X_churn[[column]], y_churn, cv=cv, "
        "scoring=\"roc_auc\").mean()` is one number.",
        "Collect the numbers in a dict, then `pd.Series(the_dict).sort_values(ascending=False)`.",
    ],
)


# -- q2: a rolling mean of the past week, without today ------------------------------------
def _toy_series() -> pd.Series:
    index = pd.date_range("2025-03-01", periods=12, freq="D")
    return pd.Series([3.0, 5.0, 4.0, 8.0, 6.0, 7.0, 9.0, 12.0, 10.0, 11.0, 15.0, 13.0],
                     index=index, name="toy")


def _past_week_feedback(result, sales: pd.Series, call: str) -> None:
    if isinstance(result, np.ndarray):
        fail(f"`{call}` returned a NumPy array; return a pandas Series with the input's index, "
             "so each value stays aligned with its day.")
    result = expect_series(result, call.split("(")[0], "(one value per day)")
    expect(len(result) == len(sales),
           f"`{call}` returned {len(result)} values for {len(sales)} days; keep one value per "
           "day (leave the first days as NaN rather than dropping them).")
    expect(result.index.equals(sales.index),
           f"`{call}` returned a Series with a different index; keep the input's index.")
    values = result.to_numpy(dtype=float)
    right = sales.shift(1).rolling(WINDOW).mean().to_numpy()
    if np.allclose(values, right, equal_nan=True):
        return

    def same(candidate: pd.Series) -> bool:
        return np.allclose(values, candidate.to_numpy(dtype=float), equal_nan=True)

    if same(sales.rolling(WINDOW).mean()):
        fail(f"`{call}` averages a window that ends on the day itself, so each value contains "
             "the day's own sales, the very target being predicted. Shift the series by one "
             "day before averaging.")
    if same(sales.rolling(WINDOW, center=True).mean()):
        fail(f"`{call}` uses a centred window, which averages days after the one being "
             "predicted: future information. Use only earlier days.")
    if same(sales.shift(-1).rolling(WINDOW).mean()) or same(sales[::-1].rolling(WINDOW).mean()
                                                            [::-1].shift(-1)):
        fail(f"`{call}` averages days AFTER each day (a negative shift or a reversed series); "
             "the feature may only use earlier days.")
    first = values[:WINDOW]
    if not np.isnan(first).all():
        fail(f"`{call}` has values for the first {WINDOW} days, which have no full week "
             "behind them; leave them as NaN (the default `min_periods` of `rolling` does).")
    fail(f"`{call}` is not the mean of the {WINDOW} previous days: on each day, average the "
         f"{WINDOW} days before it, excluding the day itself.")


def _check_q2(past_week_mean, sales) -> str:
    expect_function(past_week_mean, "past_week_mean")
    for series, label in ((sales, "sales"), (_toy_series(), "a 12-day test series")):
        original = series.copy()
        call = f"past_week_mean({label})"
        result = call_learner(past_week_mean, series.copy(), call=call)
        _past_week_feedback(result, original, call)
        probe = series.copy()
        call_learner(past_week_mean, probe, call=call)
        expect(probe.equals(original),
               f"`{call}` changed the Series it was given; return a new Series instead.")
    return "each value uses only the past."


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "`sales.rolling(7).mean()` on day t averages days t-6 … t: today is inside the "
        "window. Today's sales are what the model must predict.",
        "Move every value one day later first, so that day t sees the value of day t-1: "
        "that is `shift(1)`.",
        "Chain the two: shift by one day, then take the 7-day rolling mean. Return the "
        "result; the first seven days stay NaN.",
    ],
)


# -- q3: cross-validation that keeps each patient in one fold -------------------------------
def _check_q3(group_cv, group_scores, model, X_visits, y_visits, patient_ids) -> str:
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    if isinstance(group_cv, int | np.integer):
        fail("`group_cv` is a number; create a group-aware splitter object, such as "
             "`GroupKFold(n_splits=5)`.")
    if isinstance(group_cv, type):
        fail(f"`group_cv` is the class {group_cv.__name__} itself; create an instance by "
             f"calling it, e.g. `{group_cv.__name__}(n_splits=5)`.")
    expect(hasattr(group_cv, "split") and hasattr(group_cv, "get_n_splits"),
           f"`group_cv` should be a scikit-learn splitter (an object with a `split` method), "
           f"not a {type_name(group_cv)}.")
    groups = np.asarray(patient_ids)
    # Rows sorted by patient can make a plain KFold look group-aware by accident: also split
    # a shuffled copy, where only a splitter that reads the groups keeps patients apart.
    shuffled = np.random.default_rng(0).permutation(len(groups))
    for order in (np.arange(len(groups)), shuffled):
        with quiet():
            try:
                splits = list(group_cv.split(np.asarray(X_visits)[order],
                                             np.asarray(y_visits)[order], groups[order]))
            except ValueError as error:
                fail(f"`group_cv.split(X_visits, y_visits, patient_ids)` raised: {error}")
        expect(len(splits) == N_GROUP_FOLDS,
               f"`group_cv` makes {len(splits)} folds; the task asks for {N_GROUP_FOLDS}.")
        for train, test in splits:
            if np.intersect1d(groups[order][train], groups[order][test]).size:
                fail("`group_cv` can put visits of the same patient in training and test "
                     f"folds ({type_name(group_cv)} ignores the groups): use a splitter that "
                     "keeps each patient's visits together, such as GroupKFold.")

    scores = expect_fold_scores(group_scores, "group_scores")
    expect(len(scores) == N_GROUP_FOLDS,
           f"`group_scores` holds {len(scores)} scores; expected one per fold.")
    with quiet():
        right = cross_val_score(clone(model), X_visits, y_visits, groups=groups, cv=group_cv)
        if np.allclose(scores, right, rtol=0, atol=TOLERANCE):
            return f"mean accuracy {scores.mean():.3f} on patients the model has never seen."
        rows = cross_val_score(clone(model), X_visits, y_visits,
                               cv=StratifiedKFold(n_splits=N_GROUP_FOLDS))
    if np.allclose(scores, rows, rtol=0, atol=TOLERANCE):
        fail("`group_scores` are row-wise scores: the groups were not used. Pass "
             "`cv=group_cv` and `groups=patient_ids` to `cross_val_score`.")
    fail("`group_scores` are not the cross-validated accuracies of `knn` with `group_cv` and "
         "`groups=patient_ids` on X_visits, y_visits.")


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "Ordinary KFold splits rows; you need a splitter that splits *groups* of rows, so "
        "that a patient is either in training or in test, never both.",
        "`GroupKFold(n_splits=5)` from `sklearn.model_selection` does that. It needs to know "
        "which row belongs to which patient.",
        "`cross_val_score(knn, X_visits, y_visits, groups=patient_ids, cv=group_cv)`: the "
        "groups go in their own argument.",
    ],
)


# -- q4: the colleague's pipeline, fixed ----------------------------------------------------
def _check_q4(fixed_pipe, fixed_scores, leaky_scores, X_markers, y_markers, cv) -> str:
    from sklearn.base import clone, is_classifier
    from sklearn.feature_selection import SelectKBest, f_classif
    from sklearn.feature_selection._base import SelectorMixin
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import Pipeline

    if isinstance(fixed_pipe, LogisticRegression):
        fail("`fixed_pipe` is the bare model: the imputer and the selector must be steps of "
             "the pipeline, so they learn inside each training fold.")
    expect_type(fixed_pipe, Pipeline, "fixed_pipe")
    steps = [step for _, step in fixed_pipe.steps]
    expect(is_classifier(steps[-1]),
           f"the last step is a {type_name(steps[-1])}; the model (the LogisticRegression) "
           "comes last.")
    imputers = [i for i, s in enumerate(steps) if type(s).__module__.startswith("sklearn.impute")]
    selectors = [i for i, s in enumerate(steps) if isinstance(s, SelectorMixin)]
    if not selectors:
        fail("the pipeline does not select markers. Selecting the 20 best markers on all rows "
             "is the big leak here: the selection must be a step of the pipeline, so that it "
             "only sees each training fold.")
    if not imputers:
        fail("the pipeline does not impute: the raw markers contain missing values, and the "
             "imputer must learn its means inside each training fold too.")
    expect(imputers[0] < selectors[0],
           "the selector comes before the imputer; `f_classif` cannot score columns that "
           "still contain NaN. Impute first.")
    selector = steps[selectors[0]]
    if isinstance(selector, SelectKBest):
        expect(selector.get_params()["k"] == K_MARKERS,
               f"keep the colleague's choice of {K_MARKERS} markers: `k={K_MARKERS}`.")
        expect(selector.get_params()["score_func"] is f_classif,
               "score the markers with `f_classif`, as the colleague did.")

    scores = expect_fold_scores(fixed_scores, "fixed_scores")
    leaky = expect_fold_scores(leaky_scores, "leaky_scores")
    n_folds = cv.get_n_splits(X_markers, y_markers)
    expect(len(scores) == n_folds,
           f"`fixed_scores` holds {len(scores)} scores, but `cv` makes {n_folds} folds: use "
           "the notebook's `cv`.")
    with quiet():
        right = cross_val_score(clone(fixed_pipe), X_markers, y_markers, cv=cv,
                                scoring="roc_auc")
        if not np.allclose(scores, right, rtol=0, atol=TOLERANCE):
            as_accuracy = cross_val_score(clone(fixed_pipe), X_markers, y_markers, cv=cv)
            if np.allclose(scores, as_accuracy, rtol=0, atol=TOLERANCE):
                fail("`fixed_scores` are accuracies; the colleague reported ROC AUC: pass "
                     "`scoring=\"roc_auc\"`.")
            if np.allclose(scores, leaky, rtol=0, atol=TOLERANCE):
                fail("`fixed_scores` are the colleague's leaky scores: cross-validate "
                     "`fixed_pipe` on the raw X_markers.")
            fail("`fixed_scores` are not the cross-validated ROC AUC of `fixed_pipe` on the "
                 "raw X_markers, y_markers with the notebook's `cv`. Give the pipeline the "
                 "raw data: the imputer and the selector must see only training folds.")
    expect(scores.mean() <= leaky.mean() - HONEST_DROP,
           "the fixed pipeline scores about as well as the leaky one, so information from the "
           "test folds still reaches it: every learned step must be inside the pipeline.")
    return (f"honest CV ROC AUC {scores.mean():.3f} instead of {leaky.mean():.3f}. The "
            "biomarkers are mostly noise, and now the score says so.")


q4 = Exercise(
    name="q4",
    notebook=NOTEBOOK,
    check_fn=_check_q4,
    hints=[
        "Two lines of the colleague's code call `fit_transform` on ALL rows before "
        "cross-validation: those steps have seen the test folds. The selection even looked "
        "at the labels.",
        "Make them steps of one pipeline with the model: `make_pipeline(imputer, selector, "
        "model)`. Then cross_val_score refits all three on each training fold.",
        "`make_pipeline(SimpleImputer(), SelectKBest(f_classif, k=20), "
        "LogisticRegression(max_iter=1000))`, cross-validated on `X_markers`, `y_markers` "
        "with `cv=cv, scoring=\"roc_auc\"`.",
    ],
)
