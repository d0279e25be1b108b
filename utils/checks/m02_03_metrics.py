"""Checks for 02_model_training_evaluation/03_metrics: precision/recall/F1, ROC AUC and average
precision, a threshold chosen from a cost, multiclass averages, regression metrics.

Every check receives the learner's answers first, then the fitted model and the data the
notebook gave them; references are computed from those inputs (the model is only asked to
predict), so they hold whatever ``SEED`` or ``QUICK`` the notebook ran with.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..check_helpers import expect_number, quiet, type_name
from ..exercises import Exercise, expect, fail

NOTEBOOK = "02_model_training_evaluation/03_metrics"

TOLERANCE = 1e-9
AVERAGES = ("macro", "micro", "weighted")
REGRESSION_KEYS = ("MSE", "RMSE", "MAE", "R2")


def _metric_value(value: object, name: str) -> float:
    """One metric value; an array of per-class values gets its own feedback."""
    if isinstance(value, np.ndarray) and value.ndim >= 1:
        fail(f"`{name}` is an array of {value.size} values; it should be one number. Did you "
             "pass `average=None`, or store predictions instead of the metric?")
    return expect_number(value, name)


def _matches(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE * max(1.0, abs(b))


def _expect_dict(value: object, name: str, keys: tuple[str, ...]) -> None:
    expect(isinstance(value, Mapping),
           f"`{name}` should be a dict with the keys {', '.join(map(repr, keys))}, got "
           f"{type_name(value)}.")
    missing = [key for key in keys if key not in value]
    expect(not missing, f"`{name}` lacks the key(s) {', '.join(map(repr, missing))}.")
    extra = [str(key) for key in value if key not in keys]
    expect(not extra, f"`{name}` has unexpected key(s) {', '.join(map(repr, extra))}; use "
                      f"exactly {', '.join(map(repr, keys))}.")


# -- q1: precision, recall and F1 of the positive class -----------------------------------
def _check_q1(precision, recall, f1, model, X_test, y_test) -> str:
    from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score

    answers = {"precision": _metric_value(precision, "precision"),
               "recall": _metric_value(recall, "recall"),
               "f1": _metric_value(f1, "f1")}
    for name, value in answers.items():
        if value > 1.0 and value <= 100.0:
            fail(f"`{name}` is above 1: these metrics are fractions between 0 and 1, not "
                 "percentages.")
    with quiet():
        y_pred = model.predict(X_test)
        right = {"precision": precision_score(y_test, y_pred),
                 "recall": recall_score(y_test, y_pred),
                 "f1": f1_score(y_test, y_pred)}
        negative = {"precision": precision_score(y_test, y_pred, pos_label=0),
                    "recall": recall_score(y_test, y_pred, pos_label=0),
                    "f1": f1_score(y_test, y_pred, pos_label=0)}
        accuracy = accuracy_score(y_test, y_pred)
    if all(_matches(answers[k], right[k]) for k in right):
        return (f"precision {right['precision']:.3f}, recall {right['recall']:.3f}, "
                f"F1 {right['f1']:.3f}.")
    if _matches(answers["precision"], right["recall"]) and _matches(answers["recall"],
                                                                right["precision"]):
        fail("precision and recall are swapped: the metric functions take (y_true, y_pred) "
             "in that order. Swapping the arguments turns one into the other.")
    if all(_matches(answers[k], negative[k]) for k in negative):
        fail("these are the metrics of the customers who STAY (label 0). The positive class "
             "here is churn, label 1, which is the default `pos_label`.")
    with quiet():
        macro = {"precision": precision_score(y_test, y_pred, average="macro"),
                 "recall": recall_score(y_test, y_pred, average="macro"),
                 "f1": f1_score(y_test, y_pred, average="macro")}
    if sum(_matches(answers[k], macro[k]) for k in macro) >= 2:
        fail("these are averaged over both classes; the task asks for the churners' metrics "
             "(label 1): leave `average` at its default, 'binary'.")
    p, r = right["precision"], right["recall"]
    if (_matches(answers["precision"], p) and _matches(answers["recall"], r)
            and _matches(answers["f1"], (p + r) / 2)):
        fail("`f1` is the arithmetic mean of precision and recall; F1 is their HARMONIC mean "
             "(`f1_score` computes it).")
    for name in right:
        if _matches(answers[name], accuracy) and not _matches(right[name], accuracy):
            fail(f"`{name}` equals the accuracy; use the function for {name} from "
                 "`sklearn.metrics`.")
    wrong = [name for name in right if not _matches(answers[name], right[name])]
    fail(f"{', '.join(f'`{name}`' for name in wrong)} do(es) not match the test-set value: "
         "compute each from `model.predict(X_test)` and `y_test`, passed as (y_true, y_pred).")


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "Predict the test set once with `model.predict(X_test)`; all three metrics compare "
        "those predictions with `y_test`.",
        "`precision_score`, `recall_score` and `f1_score` are in `sklearn.metrics`; label 1 "
        "(churn) is their default positive class.",
        "Arguments in the order (y_true, y_pred): `precision_score(y_test, y_pred_test)`, "
        "and the same for the other two.",
    ],
)


# -- q2: ROC AUC and average precision from scores ---------------------------------------
def _check_q2(roc_auc, ap, model, X_test, y_test) -> str:
    from sklearn.metrics import average_precision_score, roc_auc_score

    roc_auc = _metric_value(roc_auc, "roc_auc")
    ap = _metric_value(ap, "ap")
    with quiet():
        scores = model.predict_proba(X_test)[:, 1]
        labels = model.predict(X_test)
        right_auc = roc_auc_score(y_test, scores)
        right_ap = average_precision_score(y_test, scores)
        label_auc = roc_auc_score(y_test, labels)
        label_ap = average_precision_score(y_test, labels)
    if _matches(roc_auc, label_auc) or _matches(ap, label_ap):
        fail("computed from the predicted 0/1 labels: a threshold was already applied, so the "
             "curve has a single point. Pass the churn probabilities, "
             "`model.predict_proba(X_test)[:, 1]`.")
    if _matches(roc_auc, 1.0 - right_auc):
        fail("`roc_auc` is below 0.5, as if the ranking were reversed: use the probability of "
             "the POSITIVE class, column 1 of `predict_proba`, not column 0.")
    expect(_matches(roc_auc, right_auc),
           "`roc_auc` does not match the test set's ROC AUC: use "
           "`roc_auc_score(y_test, <churn probabilities>)`.")
    if _matches(ap, right_auc) and not _matches(right_ap, right_auc):
        fail("`ap` equals the ROC AUC: average precision is computed by "
             "`average_precision_score`.")
    expect(_matches(ap, right_ap),
           "`ap` does not match the test set's average precision: use "
           "`average_precision_score(y_test, <churn probabilities>)`.")
    return f"ROC AUC {right_auc:.3f}, average precision {right_ap:.3f}."


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "Both areas summarise every threshold, so they need the model's scores, not its "
        "0/1 predictions.",
        "`model.predict_proba(X_test)` has one column per class, in the order of "
        "`model.classes_`; column 1 is churn.",
        "`roc_auc_score(y_test, scores)` and `average_precision_score(y_test, scores)` with "
        "`scores = model.predict_proba(X_test)[:, 1]`.",
    ],
)


# -- q3: the cheapest threshold on the validation set -------------------------------------
def _cost(y_true, flags, cost_fn: float, cost_fp: float) -> float:
    y_true = np.asarray(y_true).astype(int)
    flags = np.asarray(flags).astype(int)
    fn = np.sum((y_true == 1) & (flags == 0))
    fp = np.sum((y_true == 0) & (flags == 1))
    return float(cost_fn * fn + cost_fp * fp)


def _check_q3(best_threshold, thresholds, model, X_val, y_val, X_test, y_test, cost_fn,
              cost_fp) -> str:
    threshold = _metric_value(best_threshold, "best_threshold")
    expect(0.0 < threshold < 1.0,
           "`best_threshold` should lie strictly between 0 and 1: it is compared with churn "
           "probabilities. Pick one of the values in `thresholds`.")
    grid = np.asarray(thresholds, dtype=float)
    with quiet():
        val_scores = model.predict_proba(X_val)[:, 1]
        test_scores = model.predict_proba(X_test)[:, 1]
    val_cost = _cost(y_val, val_scores >= threshold, cost_fn, cost_fp)
    val_grid = [_cost(y_val, val_scores >= t, cost_fn, cost_fp) for t in grid]
    if val_cost <= min(val_grid) + TOLERANCE:
        return (f"validation cost {val_cost:g} instead of "
                f"{_cost(y_val, val_scores >= 0.5, cost_fn, cost_fp):g} at 0.5.")
    test_grid = [_cost(y_test, test_scores >= t, cost_fn, cost_fp) for t in grid]
    test_cost = _cost(y_test, test_scores >= threshold, cost_fn, cost_fp)
    if test_cost <= min(test_grid) + TOLERANCE:
        fail("your threshold is the cheapest on the TEST set, not on the validation set. A "
             "threshold is a choice, so make it with X_val, y_val and keep the test set for "
             "the final check.")
    errors = [_cost(y_val, val_scores >= t, 1.0, 1.0) for t in grid]
    if abs(threshold - 0.5) < 1e-9:
        fail("0.5 is the default threshold, not the cheapest one: compute the total cost of "
             "each threshold in `thresholds` on the validation set and take the lowest.")
    swapped = [_cost(y_val, val_scores >= t, cost_fp, cost_fn) for t in grid]
    if _cost(y_val, val_scores >= threshold, cost_fp, cost_fn) <= min(swapped) + TOLERANCE:
        fail("this threshold would be the cheapest if an unneeded offer cost more than a missed "
             "churner: the two costs are swapped. A false negative (a missed churner) costs "
             "COST_FN.")
    if _cost(y_val, val_scores >= threshold, 1.0, 1.0) <= min(errors) + TOLERANCE:
        fail("this threshold minimises the NUMBER of errors, as if both errors cost the same. "
             "Weigh them with `total_cost`, which charges a missed churner more.")
    fail("this threshold is not the cheapest on the validation set. Compare the churn "
         "probabilities (`predict_proba(X_val)[:, 1]`, not the 0/1 labels of `predict`) with "
         "each threshold, cost each set of decisions with `total_cost`, and keep the "
         "threshold with the lowest cost.")


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "A threshold turns scores into decisions: flag a customer when their churn "
        "probability is at least the threshold.",
        "Compute `model.predict_proba(X_val)[:, 1]` once; for each `t` in `thresholds`, the "
        "decisions are `(probabilities >= t).astype(int)` and their cost is "
        "`total_cost(y_val, decisions)`.",
        "Keep the costs in a list; `thresholds[int(np.argmin(costs))]` is the cheapest "
        "threshold (convert it with `float`).",
    ],
)


# -- q4: F1 with three averages -----------------------------------------------------------
def _check_q4(f1_by_average, y_true, y_pred) -> str:
    from sklearn.metrics import f1_score

    _expect_dict(f1_by_average, "f1_by_average", AVERAGES)
    answers = {key: _metric_value(f1_by_average[key], f"f1_by_average[{key!r}]")
               for key in AVERAGES}
    with quiet():
        right = {avg: f1_score(y_true, y_pred, average=avg) for avg in AVERAGES}
        swapped = {avg: f1_score(y_pred, y_true, average=avg) for avg in AVERAGES}
    if all(_matches(answers[k], right[k]) for k in AVERAGES):
        return (f"macro {right['macro']:.3f}, micro {right['micro']:.3f}, "
                f"weighted {right['weighted']:.3f}.")
    values = list(answers.values())
    if all(_matches(v, values[0]) for v in values):
        fail("all three values are the same: pass each average to `f1_score` with "
             "`average=`, one call per average.")
    if any(_matches(answers[k], swapped[k]) and not _matches(swapped[k], right[k])
           for k in AVERAGES):
        fail("the arguments of `f1_score` are swapped: it is `f1_score(y_true, y_pred, ...)`; "
             "for per-class averages the order matters.")
    for key in AVERAGES:
        if _matches(answers[key], right[key]):
            continue
        other = [avg for avg in AVERAGES if avg != key and _matches(answers[key], right[avg])]
        if other:
            fail(f"the value under {key!r} is the {other[0]!r} average: check which "
                 "`average=` each key was computed with.")
    fail("some values do not match `f1_score(yp_test, yp_pred, average=...)`.")


q4 = Exercise(
    name="q4",
    notebook=NOTEBOOK,
    check_fn=_check_q4,
    hints=[
        "`f1_score` takes an `average=` argument when there are more than two classes.",
        "Call `f1_score(yp_test, yp_pred, average=...)` once for each of 'macro', 'micro' "
        "and 'weighted'.",
        "A dict comprehension: `{average: f1_score(yp_test, yp_pred, average=average) for "
        "average in (\"macro\", \"micro\", \"weighted\")}`.",
    ],
)


# -- q5: four regression metrics ---------------------------------------------------------
def _check_q5(reg_metrics, reg, X_test, y_test) -> str:
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

    _expect_dict(reg_metrics, "reg_metrics", REGRESSION_KEYS)
    answers = {key: _metric_value(reg_metrics[key], f"reg_metrics[{key!r}]")
               for key in REGRESSION_KEYS}
    with quiet():
        y_pred = reg.predict(X_test)
    mse = mean_squared_error(y_test, y_pred)
    right = {"MSE": mse, "RMSE": float(np.sqrt(mse)),
             "MAE": mean_absolute_error(y_test, y_pred), "R2": r2_score(y_test, y_pred)}
    if all(_matches(answers[k], right[k]) for k in REGRESSION_KEYS):
        return f"RMSE {right['RMSE']:.1f} vs MAE {right['MAE']:.1f}, R² {right['R2']:.3f}."
    if _matches(answers["RMSE"], mse):
        fail("`RMSE` equals the MSE: the root mean squared error is the square root of the "
             "MSE (`root_mean_squared_error`), in the target's units.")
    if _matches(answers["R2"], r2_score(y_pred, y_test)):
        fail("the arguments of `r2_score` are swapped: it is `r2_score(y_true, y_pred)`, and "
             "R² is not symmetric.")
    if _matches(answers["MSE"], right["MAE"]) and _matches(answers["MAE"], right["MSE"]):
        fail("the MSE and MAE are swapped: MSE squares the errors, MAE takes their absolute "
             "values.")
    if _matches(answers["MAE"], float(np.mean(np.asarray(y_test) - y_pred))):
        fail("`MAE` is the mean of the signed errors, where positive and negative errors "
             "cancel: the mean ABSOLUTE error averages their sizes.")
    if not _matches(answers["RMSE"] ** 2, answers["MSE"]):
        fail("`RMSE` is not the square root of your `MSE`: the two must agree.")
    wrong = [key for key in REGRESSION_KEYS if not _matches(answers[key], right[key])]
    fail(f"{', '.join(map(repr, wrong))} do(es) not match the test set: compute each from "
         "`yd_test` and `reg.predict(Xd_test)` (the test set, not the training data), in the "
         "order (y_true, y_pred).")


q5 = Exercise(
    name="q5",
    notebook=NOTEBOOK,
    check_fn=_check_q5,
    hints=[
        "All four compare the true targets of the test set with the model's predictions for "
        "it: `yd_pred = reg.predict(Xd_test)` is already computed.",
        "`mean_squared_error`, `root_mean_squared_error`, `mean_absolute_error` and "
        "`r2_score` live in `sklearn.metrics`.",
        "Each takes (y_true, y_pred): `r2_score(yd_test, yd_pred)`, and so on.",
    ],
)
