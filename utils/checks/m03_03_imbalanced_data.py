"""Checks for 03_feature_engineering/03_imbalanced_data: metrics, SMOTE pipeline, threshold.

Every check receives the data the notebook made (the fraud split, the lesson's fitted
``plain_model``, out-of-fold and test probabilities) and computes its references from it, so the
checks stay right whatever ``SEED``, ``QUICK`` or ``TARGET_RECALL`` the notebook ran with. The
learner's estimators are only read; nothing here refits them.
"""

from __future__ import annotations

import numpy as np

from ..check_helpers import expect_number, expect_type, is_fitted, quiet, type_name
from ..exercises import Exercise, expect, fail

NOTEBOOK = "03_feature_engineering/03_imbalanced_data"

METRIC_KEYS = ("accuracy", "precision", "recall", "average_precision")
TOLERANCE = 1e-6
PRECISION_SLACK = 0.01  # a threshold a hair below the best one is as good an answer


def _same_score(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE


# -- q1: metrics that see the minority class -----------------------------------------------
def _check_q1(test_metrics, plain_model, X_test, y_test) -> str:
    from sklearn.metrics import (
        accuracy_score,
        average_precision_score,
        precision_score,
        recall_score,
        roc_auc_score,
    )

    expect_type(test_metrics, dict, "test_metrics", "(metric name -> value)")
    missing = [k for k in METRIC_KEYS if k not in test_metrics]
    expect(not missing, f"`test_metrics` lacks the key(s) {', '.join(map(repr, missing))}.")
    extra = [k for k in test_metrics if k not in METRIC_KEYS]
    expect(not extra, f"`test_metrics` has unexpected key(s) {', '.join(map(repr, extra))}: "
                      "use exactly the four names of the task.")
    values = {k: expect_number(test_metrics[k], f"test_metrics[{k!r}]") for k in METRIC_KEYS}
    with quiet():
        y_pred = plain_model.predict(X_test)
        proba = plain_model.predict_proba(X_test)
        precision = precision_score(y_test, y_pred, zero_division=0)
        recall = recall_score(y_test, y_pred)
        wrong_class = {"precision": precision_score(y_test, y_pred, pos_label=0),
                       "recall": recall_score(y_test, y_pred, pos_label=0)}
        averaged = {average: {"precision": precision_score(y_test, y_pred, average=average),
                              "recall": recall_score(y_test, y_pred, average=average)}
                    for average in ("macro", "weighted")}
        ap = average_precision_score(y_test, proba[:, 1])
        ap_labels = average_precision_score(y_test, y_pred)
        ap_legit = average_precision_score(y_test, proba[:, 0])
        auc = roc_auc_score(y_test, proba[:, 1])

    expect(_same_score(values["accuracy"], accuracy_score(y_test, y_pred)),
           "`accuracy` is not the test accuracy of `plain_model` (predict X_test, compare "
           "with y_test).")
    for key, right, other in (("precision", precision, recall), ("recall", recall, precision)):
        value = values[key]
        if _same_score(value, right):
            continue
        if _same_score(value, other):
            fail(f"`{key}` holds the {'recall' if key == 'precision' else 'precision'}: the two "
                 "are swapped, or the arguments are (y_true comes first).")
        if _same_score(value, wrong_class[key]):
            fail(f"`{key}` is that of the legitimate class (label 0); the task asks for the "
                 "fraud class, label 1.")
        for average, values_of in averaged.items():
            if _same_score(value, values_of[key]):
                fail(f"`{key}` is averaged over both classes (average={average!r}); the task "
                     "asks for the fraud class alone.")
        fail(f"`{key}` is not the test {key} of `plain_model` for the fraud class.")
    if not _same_score(values["average_precision"], ap):
        if _same_score(values["average_precision"], ap_labels):
            fail("`average_precision` was computed from predicted labels; it needs scores: the "
                 "fraud column of `predict_proba`.")
        if _same_score(values["average_precision"], ap_legit):
            fail("`average_precision` used the probability of the legitimate class; take the "
                 "fraud column of `predict_proba`, `[:, 1]`.")
        if _same_score(values["average_precision"], auc):
            fail("`average_precision` holds the ROC AUC; use `average_precision_score`.")
        fail("`average_precision` is not the test average precision of `plain_model`.")
    return (f"accuracy {values['accuracy']:.3f} looks great; recall {recall:.3f} says how many "
            "frauds are missed.")


q1 = Exercise(name="q1", notebook=NOTEBOOK, check_fn=_check_q1, hints=[
    "Three of the four judge labels (`plain_model.predict(X_test)`); average precision judges "
    "scores (`plain_model.predict_proba(X_test)`).",
    "`precision_score(y_test, y_pred)` and `recall_score(y_test, y_pred)`: true labels first; "
    "the positive class is 1 by default.",
    "`average_precision_score(y_test, plain_model.predict_proba(X_test)[:, 1])`.",
])


# -- q2: SMOTE inside an imbalanced-learn pipeline ------------------------------------------
def _scalers(estimator) -> list:
    """Every StandardScaler inside a pipeline or column transformer, fitted ones first."""
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    if isinstance(estimator, StandardScaler):
        return [estimator]
    if isinstance(estimator, Pipeline):
        return [s for _, step in estimator.steps for s in _scalers(step)]
    if isinstance(estimator, ColumnTransformer):
        branches = getattr(estimator, "transformers_", estimator.transformers)
        return [s for _, t, _ in branches if not isinstance(t, str) for s in _scalers(t)]
    return []


def _check_q2(smote_pipe, smote_ap, X_train, y_train, X_test, y_test) -> str:
    from imblearn.over_sampling import SMOTE
    from imblearn.pipeline import Pipeline as ImbPipeline
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score, f1_score, roc_auc_score
    from sklearn.pipeline import Pipeline

    n_train, n_test = len(X_train), len(X_test)
    if isinstance(smote_pipe, Pipeline) and not isinstance(smote_pipe, ImbPipeline):
        seen = [int(np.max(s.n_samples_seen_)) for s in _scalers(smote_pipe)
                if hasattr(s, "n_samples_seen_")]
        if seen and seen[0] > n_train:
            fail("`smote_pipe` is a scikit-learn Pipeline fitted on resampled rows: the data was "
                 "resampled outside the pipeline. Use imbalanced-learn's Pipeline with SMOTE as "
                 "a step.")
        fail("`smote_pipe` is a scikit-learn Pipeline, which cannot hold a sampler: use "
             "imbalanced-learn's (`from imblearn.pipeline import make_pipeline`).")
    expect_type(smote_pipe, ImbPipeline, "smote_pipe")
    steps = [step for _, step in smote_pipe.steps]
    samplers = [s for s in steps if isinstance(s, SMOTE)]
    expect(samplers, "`smote_pipe` has no SMOTE step: put `SMOTE(random_state=SEED)` between "
                     "the preprocessing and the model.")
    expect(samplers[0].get_params()["random_state"] is not None,
           "SMOTE draws its synthetic rows at random: give it `random_state=SEED` so that "
           "every run gives the same result.")
    model = steps[-1]
    expect(isinstance(model, LogisticRegression),
           f"the pipeline should end with a LogisticRegression, not a {type_name(model)}.")
    expect(model.get_params()["class_weight"] is None,
           "the model also has class weights: with SMOTE already balancing the classes, that "
           "counts the imbalance twice. Use a plain `LogisticRegression()`.")
    expect(is_fitted(smote_pipe), "`smote_pipe` is not fitted yet: call "
                                  "`smote_pipe.fit(X_train, y_train)`.")
    seen = [int(np.max(s.n_samples_seen_)) for s in _scalers(steps[0])
            if hasattr(s, "n_samples_seen_")]
    if seen and seen[0] != n_train:
        if seen[0] == n_train + n_test:
            fail("`smote_pipe` was fitted on every row, test rows included: fit it on the "
                 "training rows only.")
        if seen[0] > n_train:
            fail(f"`smote_pipe` saw {seen[0]} rows, more than the {n_train} training rows: the "
                 "data was resampled before the pipeline. Give it X_train, y_train as they are; "
                 "the SMOTE step resamples inside.")
        fail(f"`smote_pipe` was fitted on {seen[0]} rows, but the training set has {n_train}.")

    value = expect_number(smote_ap, "smote_ap")
    with quiet():
        both = smote_pipe.predict_proba(X_test)
        proba = both[:, 1]
        reference = average_precision_score(y_test, proba)
        labels = smote_pipe.predict(X_test)
        from_labels = average_precision_score(y_test, labels)
        legit_column = average_precision_score(y_test, both[:, 0])
        f1 = f1_score(y_test, labels)
        on_train = average_precision_score(y_train, smote_pipe.predict_proba(X_train)[:, 1])
        auc = roc_auc_score(y_test, proba)
    if not _same_score(value, reference):
        if _same_score(value, from_labels):
            fail("`smote_ap` was computed from predicted labels; average precision needs the "
                 "fraud probabilities (`predict_proba(X_test)[:, 1]`).")
        if _same_score(value, legit_column):
            fail("`smote_ap` used the probability of the legitimate class; take the fraud "
                 "column of `predict_proba`, `[:, 1]`.")
        if _same_score(value, f1):
            fail("`smote_ap` holds the F1 score of the labels; use `average_precision_score` "
                 "on the fraud probabilities.")
        if _same_score(value, on_train):
            fail("`smote_ap` was measured on the training rows: measure it on the test set.")
        if _same_score(value, auc):
            fail("`smote_ap` holds the ROC AUC; use `average_precision_score`.")
        fail("`smote_ap` is not the test average precision of `smote_pipe`.")
    return f"test average precision {value:.3f}."


q2 = Exercise(name="q2", notebook=NOTEBOOK, check_fn=_check_q2, hints=[
    "Use imbalanced-learn's pipeline (`make_imb_pipeline` here): scikit-learn's refuses "
    "samplers.",
    "`make_imb_pipeline(make_preprocess(), SMOTE(random_state=SEED), LogisticRegression())`, "
    "then `.fit(X_train, y_train)`: no resampling by hand.",
    "`average_precision_score(y_test, smote_pipe.predict_proba(X_test)[:, 1])`.",
])


# -- q3: a decision threshold from out-of-fold probabilities --------------------------------
def _rates(proba: np.ndarray, y: np.ndarray, threshold: float) -> tuple[float, float]:
    """(precision, recall) when every row with ``proba >= threshold`` is flagged."""
    flagged = proba >= threshold
    positives = y == 1
    caught = np.sum(flagged & positives)
    precision = caught / flagged.sum() if flagged.any() else 1.0
    return float(precision), float(caught / positives.sum())


def _highest_reaching(proba: np.ndarray, y: np.ndarray, target: float) -> float:
    """The highest threshold whose recall on (proba, y) reaches ``target``."""
    from sklearn.metrics import precision_recall_curve

    _, recall, thresholds = precision_recall_curve(y, proba)
    return float(thresholds[recall[:-1] >= target].max())


def _check_q3(threshold, oof_proba, y_train, test_proba, y_test, target) -> str:
    value = expect_number(threshold, "threshold")
    if value > 1 and float(value).is_integer():
        fail("`threshold` looks like a position in the arrays of `precision_recall_curve`; "
             "store the threshold itself, a probability between 0 and 1.")
    expect(0 < value <= 1, f"`threshold` should be a probability between 0 and 1, not "
                           f"{value:g}.")
    if value == 0.5:
        fail("0.5 is the default threshold of `predict`; choose it from the out-of-fold "
             "precision-recall curve instead.")
    oof, y_oof = np.asarray(oof_proba, dtype=float), np.asarray(y_train)
    test, y_te = np.asarray(test_proba, dtype=float), np.asarray(y_test)
    best = _highest_reaching(oof, y_oof, target)
    on_test = _highest_reaching(test, y_te, target)
    if abs(value - on_test) < TOLERANCE and abs(value - best) > TOLERANCE:
        fail("this threshold was chosen on the test set: the test score is then no longer an "
             "honest estimate. Choose it from `oof_proba` and `y_train`.")
    precision, recall = _rates(oof, y_oof, value)
    expect(recall >= target,
           f"at this threshold the out-of-fold recall is {recall:.3f}, below the target: the "
           "threshold must catch at least TARGET_RECALL of the frauds.")
    best_precision, _ = _rates(oof, y_oof, best)
    expect(precision >= best_precision - PRECISION_SLACK,
           f"this threshold reaches the recall but flags more transactions than needed "
           f"(out-of-fold precision {precision:.3f}): take the highest threshold that still "
           "reaches the target.")
    test_precision, test_recall = _rates(test, y_te, value)
    return (f"on the test set it catches {test_recall:.0%} of the frauds with precision "
            f"{test_precision:.2f}.")


q3 = Exercise(name="q3", notebook=NOTEBOOK, check_fn=_check_q3, hints=[
    "`precision` and `recall` have one more entry than `thresholds`: drop their last one, "
    "`recall[:-1]`, so that position i of each describes the same threshold.",
    "Keep the thresholds where `recall[:-1] >= TARGET_RECALL`; of those, you want the largest.",
    "`float(thresholds[recall[:-1] >= TARGET_RECALL].max())`: the out-of-fold curve, never "
    "one computed on the test probabilities.",
])
