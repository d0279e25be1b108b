"""Checks for 02_model_training_evaluation/02_cross_validation: cross_validate, paired folds,
preprocessing inside the pipeline, nested cross-validation.

Every check receives the learner's answers first, then the model, data and splitter the
notebook gave them, and reruns the cross-validation on clones of those inputs, so the
references hold whatever ``SEED`` or ``QUICK`` the notebook ran with.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..check_helpers import expect_fold_scores, is_real, quiet, same_numbers, type_name
from ..exercises import Exercise, expect, fail

NOTEBOOK = "02_model_training_evaluation/02_cross_validation"

TOLERANCE = 1e-9
METRICS = ("accuracy", "roc_auc")
NOISE_CHANCE_CEILING = 0.7  # an honest score on pure noise stays near 0.5


# -- helpers shared by several checks of this notebook ----------------------------------------






# -- q1: cross_validate with two metrics and training scores ----------------------------
def _check_q1(skf, knn_results, model, X, y, n_splits) -> str:
    from sklearn.base import clone
    from sklearn.model_selection import KFold, StratifiedKFold, cross_validate

    if isinstance(skf, type):
        fail(f"`skf` is the class {skf.__name__} itself; create a splitter by calling it.")
    if isinstance(skf, KFold):
        fail("`skf` is a plain KFold: its folds ignore the classes. The task asks for a "
             "stratified splitter, so every fold keeps the class proportions.")
    expect(isinstance(skf, StratifiedKFold),
           f"`skf` should be a StratifiedKFold splitter, got {type_name(skf)}.")
    expect(skf.get_n_splits() == n_splits,
           f"`skf` makes {skf.get_n_splits()} folds; the task asks for N_SPLITS = {n_splits}.")
    expect(skf.shuffle, "`skf` does not shuffle: pass `shuffle=True` (with `random_state=`) "
                        "so the folds do not depend on the order of the rows.")
    expect(skf.random_state is not None,
           "`skf` shuffles without a seed, so its folds change on every run: pass "
           "`random_state=SEED`.")

    if isinstance(knn_results, np.ndarray | list):
        fail("`knn_results` is an array of scores, what `cross_val_score` returns. Use "
             "`cross_validate`, which returns a dict with several metrics and training scores.")
    expect(isinstance(knn_results, Mapping),
           f"`knn_results` should be the dict `cross_validate` returns, got "
           f"{type_name(knn_results)}.")
    if "test_score" in knn_results:
        fail("`knn_results` has a single `test_score`: pass both metrics as a list, "
             "`scoring=[...]`, so each gets its own `test_<metric>` entry.")
    missing = [f"test_{m}" for m in METRICS if f"test_{m}" not in knn_results]
    expect(not missing, f"`knn_results` lacks {', '.join(missing)}: score with both "
                        f"{' and '.join(repr(m) for m in METRICS)}.")
    if not any(key.startswith("train_") for key in knn_results):
        fail("`knn_results` has no training scores: pass `return_train_score=True` to compare "
             "them with the validation scores.")
    for metric in METRICS:
        expect(f"train_{metric}" in knn_results, f"`knn_results` lacks train_{metric}.")

    with quiet():
        reference = cross_validate(clone(model), X, y, cv=skf, scoring=list(METRICS),
                                   return_train_score=True)
    for metric in METRICS:
        mine = np.asarray(knn_results[f"test_{metric}"], dtype=float)
        expect(len(mine) == n_splits,
               f"`knn_results['test_{metric}']` has {len(mine)} folds, not {n_splits}: pass "
               "`cv=skf`.")
        if not same_numbers(mine, reference[f"test_{metric}"]):
            if same_numbers(mine, reference[f"train_{metric}"]):
                fail(f"`test_{metric}` holds training scores: check what you stored.")
            fail(f"`test_{metric}` differs from a rerun of `cross_validate(knn, X, y, cv=skf, "
                 "...)`: cross-validate the given `knn` pipeline on X, y with your `skf`.")
    return (f"mean validation accuracy {reference['test_accuracy'].mean():.3f}, "
            f"training accuracy {reference['train_accuracy'].mean():.3f}.")


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "Two steps: make the splitter, then hand it to `cross_validate` as `cv=`.",
        "`StratifiedKFold(n_splits=N_SPLITS, shuffle=True, random_state=SEED)` keeps the "
        "class proportions in each fold and is reproducible.",
        "`cross_validate(knn, X, y, cv=skf, scoring=[\"accuracy\", \"roc_auc\"], "
        "return_train_score=True)` returns the dict.",
    ],
)


# -- q2: paired differences on the same folds --------------------------------------------
def _check_q2(paired_diffs, model_a, model_b, X, y, cv) -> str:
    from sklearn.base import clone
    from sklearn.model_selection import cross_val_score

    n_folds = cv.get_n_splits()
    diffs = expect_fold_scores(paired_diffs, "paired_diffs", n_folds)
    with quiet():
        a = cross_val_score(clone(model_a), X, y, cv=cv)
        b = cross_val_score(clone(model_b), X, y, cv=cv)
    if same_numbers(diffs, a - b):
        return (f"logistic regression wins on {np.mean(diffs > 0):.0%} of the folds; the "
                f"differences spread by {diffs.std():.3f}.")
    if same_numbers(diffs, b - a):
        fail("the differences have the wrong sign: the task asks for logistic regression "
             "minus k-NN.")
    if same_numbers(np.sort(diffs), np.sort(a - b)):
        fail("the differences are out of fold order: keep them in the order the folds come.")
    if same_numbers(diffs, np.sort(a) - np.sort(b)) or same_numbers(diffs, np.sort(b) - np.sort(a)):
        fail("the scores were sorted before subtracting, so the differences no longer pair "
             "the same fold. Subtract the two arrays as `cross_val_score` returns them.")
    if same_numbers(np.abs(diffs), np.abs(a - b)):
        fail("some differences have lost their sign: do not take absolute values.")
    fail("`paired_diffs` is not the fold-by-fold difference of the two models' scores on the "
         "folds of `rskf`: take both models' scores on the same splitter (`fold_scores`, or "
         "`cross_val_score(..., cv=rskf)` for each) and subtract.")


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "Paired means: both models scored on exactly the same folds, then compared fold by "
        "fold.",
        "`fold_scores[name]` holds a model's scores on the folds of `rskf`, in fold order: "
        "what `cross_val_score(model, X, y, cv=rskf)` returns.",
        "Subtract the two arrays directly (no sorting, no means): "
        "`fold_scores[\"logistic regression\"] - fold_scores[\"k-NN (k=5)\"]`.",
    ],
)


# -- q3: feature selection inside the pipeline -------------------------------------------
def _selector_position(steps: list) -> int | None:
    from sklearn.feature_selection import SelectorMixin

    for index, step in enumerate(steps):
        if isinstance(step, SelectorMixin):
            return index
    return None


def _check_q3(honest_pipe, honest_scores, X_noise, y_noise, cv, k_best) -> str:
    from sklearn.base import clone, is_classifier
    from sklearn.feature_selection import SelectKBest, f_classif
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import Pipeline

    if isinstance(honest_pipe, type):
        fail("`honest_pipe` is a class; build the pipeline with `make_pipeline(...)`.")
    if is_classifier(honest_pipe) and not isinstance(honest_pipe, Pipeline):
        fail("`honest_pipe` is a bare classifier: the selector must be inside a Pipeline, "
             "before the model, so cross-validation refits it on each training fold.")
    expect(isinstance(honest_pipe, Pipeline),
           f"`honest_pipe` should be a Pipeline, got {type_name(honest_pipe)}.")
    steps = [step for _, step in honest_pipe.steps]
    position = _selector_position(steps)
    expect(position is not None,
           "the pipeline has no feature-selection step: put `SelectKBest(f_classif, "
           "k=K_BEST)` in it, before the model.")
    expect(is_classifier(steps[-1]),
           f"the last step is a {type_name(steps[-1])}; the classifier must come last.")
    expect(position < len(steps) - 1, "the selector must come before the model.")
    selector = steps[position]
    expect(isinstance(selector, SelectKBest) and selector.score_func is f_classif,
           f"the selector is a {type_name(selector)}; the task asks for "
           "`SelectKBest(f_classif, k=K_BEST)`.")
    expect(selector.k == k_best,
           f"the selector keeps k={selector.k} features; the task asks for k=K_BEST.")
    expect(isinstance(steps[-1], LogisticRegression),
           f"the model is a {type_name(steps[-1])}; the task asks for a LogisticRegression.")

    n_folds = cv.get_n_splits()
    scores = expect_fold_scores(honest_scores, "honest_scores", n_folds)
    with quiet():
        reference = cross_val_score(clone(honest_pipe), X_noise, y_noise, cv=cv)
    if same_numbers(scores, reference):
        expect(scores.mean() <= NOISE_CHANCE_CEILING,
               "the scores are far above chance on pure noise: something in your pipeline "
               "still sees the validation folds.")
        return f"mean accuracy {scores.mean():.3f} on noise: honest, about chance."
    if scores.mean() > NOISE_CHANCE_CEILING:
        fail("these scores are far above chance on data that is pure noise: the features were "
             "selected on all rows before cross-validation, so the selection saw the "
             "validation folds. Cross-validate the pipeline on the raw X_noise.")
    fail("`honest_scores` is not the cross-validation of `honest_pipe` on X_noise, y_noise "
         "with `cv=noise_cv`.")


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "The selector must be refitted on the training folds of every split, so it has to "
        "be part of the model that `cross_val_score` clones and fits.",
        "`make_pipeline(SelectKBest(f_classif, k=K_BEST), LogisticRegression())` is that "
        "model.",
        "Cross-validate the pipeline on the raw `X_noise`, `y_noise` (not on a selected "
        "copy), with `cv=noise_cv`.",
    ],
)


# -- q4: nested cross-validation ----------------------------------------------------------
def _check_q4(nested_scores, search, X, y, outer_cv) -> str:
    from sklearn.base import clone
    from sklearn.model_selection import cross_val_score

    if is_real(nested_scores):
        if hasattr(search, "best_score_") and abs(float(nested_scores)
                                                  - search.best_score_) <= TOLERANCE:
            fail("`nested_scores` is the search's `best_score_`: the best inner score, picked "
                 "as a maximum, hence optimistic. Cross-validate the search itself.")
        fail("`nested_scores` is a single number; keep one score per outer fold.")
    n_folds = outer_cv.get_n_splits()
    scores = expect_fold_scores(nested_scores, "nested_scores", n_folds)
    with quiet():
        reference = cross_val_score(clone(search), X, y, cv=outer_cv)
    if same_numbers(scores, reference):
        return f"nested accuracy {scores.mean():.3f} ± {scores.std():.3f}."
    if hasattr(search, "best_estimator_"):
        with quiet():
            shortcut = cross_val_score(clone(search.best_estimator_), X, y, cv=outer_cv)
        if same_numbers(scores, shortcut):
            fail("these are the outer scores of the best model found on ALL rows: its "
                 "hyper-parameters were chosen with the outer test folds, so it was tuned on "
                 "its own test data. Pass the search itself to `cross_val_score`.")
    fail("`nested_scores` is not `cross_val_score` of the grid search on X, y with "
         "`cv=outer_cv`.")


q4 = Exercise(
    name="q4",
    notebook=NOTEBOOK,
    check_fn=_check_q4,
    hints=[
        "Nested CV treats 'tune, then fit' as one model: the outer loop never lets the "
        "tuning see its test fold.",
        "A GridSearchCV is an estimator: `cross_val_score` can clone and fit it on each outer "
        "training part, where it runs its own inner CV.",
        "`cross_val_score(search, X, y, cv=outer_cv)`.",
    ],
)
