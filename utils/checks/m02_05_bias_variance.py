"""Checks for 02_model_training_evaluation/05_bias_variance: curves, diagnosis, model selection.

Each check receives the learner's answers and the inputs the notebook gave them (the model,
the values to sweep, the ``cv`` splitter, the split). References are recomputed from those
inputs on clones of the models, so they stay right whatever ``SEED`` or ``QUICK`` the notebook
ran with; the learner's estimators are only read.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..check_helpers import (
    expect_frame,
    expect_number,
    expect_type,
    is_fitted,
    quiet,
    same_numbers,
    type_name,
)
from ..exercises import Exercise, expect, fail

NOTEBOOK = "02_model_training_evaluation/05_bias_variance"

DIAGNOSES = ("high bias", "high variance")
TOLERANCE = 1e-9


def _expect_score_array(value: object, name: str, shape: tuple[int, int], rows: str) -> np.ndarray:
    """A 2-D array of scores with one row per swept value and one column per fold."""
    if isinstance(value, tuple) and len(value) in (2, 3):
        fail(f"`{name}` is a tuple of arrays: unpack what the function returns into separate "
             "names, e.g. `a, b = validation_curve(...)`.")
    expect(isinstance(value, np.ndarray),
           f"`{name}` should be the NumPy array the function returns, not a "
           f"{type_name(value)}.")
    if value.shape == shape[::-1] and shape[0] != shape[1]:
        fail(f"`{name}` is transposed: it should have one row per {rows} and one column per "
             "fold, as the function returns it.")
    if value.ndim == 1 and value.shape[0] == shape[0]:
        fail(f"`{name}` holds one number per {rows}: keep the full array (one column per "
             "fold); averaging comes later.")
    expect(value.shape == shape,
           f"`{name}` has shape {value.shape}, but one row per {rows} and one column per fold "
           f"of `cv` gives {shape}.")
    return value




# -- q1: a validation curve for k-NN, and the best k ----------------------------------------
def _check_q1(train_scores, val_scores, best_k, knn, k_range, cv, X_train,
                     y_train) -> str:
    from sklearn.base import clone
    from sklearn.model_selection import validation_curve

    k_range = list(k_range)
    shape = (len(k_range), cv.get_n_splits())
    train_scores = _expect_score_array(train_scores, "knn_train_scores", shape, "value of k")
    val_scores = _expect_score_array(val_scores, "knn_val_scores", shape, "value of k")
    step = knn.steps[-1][0]
    with quiet():
        ref_train, ref_val = validation_curve(
            clone(knn), X_train, y_train, param_name=f"{step}__n_neighbors",
            param_range=k_range, cv=cv)
    if same_numbers(train_scores, ref_val) and same_numbers(val_scores, ref_train):
        fail("the two arrays are swapped: validation_curve returns the training scores "
             "first, then the validation scores.")
    if same_numbers(train_scores, val_scores):
        fail("`knn_train_scores` and `knn_val_scores` are the same array: keep both of what "
             "validation_curve returns.")
    expect(same_numbers(train_scores, ref_train) and same_numbers(val_scores, ref_val),
           "the scores are not the validation curve of `knn` over K_RANGE on X_train, y_train "
           "with the folds in `cv`: pass exactly these (and `cv=cv`).")

    expect(not isinstance(best_k, bool | np.bool_) and np.isscalar(best_k),
           f"`best_k` should be one value of K_RANGE, not a {type_name(best_k)}.")
    val_means, train_means = ref_val.mean(axis=1), ref_train.mean(axis=1)
    best_position = int(np.argmax(val_means))
    if best_k == best_position and k_range[best_position] != best_k:
        fail("`best_k` is the position of the best row (what argmax returns), not the value "
             "of k at that position: look the position up in K_RANGE.")
    expect(best_k in k_range, "`best_k` is not one of the values in K_RANGE.")
    score = val_means[k_range.index(best_k)]
    if score < val_means.max() - TOLERANCE:
        if train_means[k_range.index(best_k)] >= train_means.max() - TOLERANCE:
            fail("`best_k` is the best k on the TRAINING scores, which always favour the most "
                 "flexible model (k = 1 memorises the training rows). Choose by the mean "
                 "validation score.")
        if score <= val_means.min() + TOLERANCE:
            fail("`best_k` has the LOWEST mean validation score: take the maximum.")
        fail("`best_k` does not have the highest mean validation score: average each row of "
             "the validation scores over the folds, then take the best.")
    return f"best k = {best_k}, mean validation accuracy {score:.3f}."


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "`validation_curve(model, X, y, param_name=..., param_range=..., cv=...)` returns two "
        "arrays: training scores, then validation scores, one row per value.",
        "The k-NN step of `knn` is named 'kneighborsclassifier', so the parameter name is "
        "'kneighborsclassifier__n_neighbors'.",
        "Average each row over the folds with `.mean(axis=1)`, find the position of the "
        "largest validation mean with `np.argmax`, and look that position up in K_RANGE.",
    ],
)


# -- q2: a learning curve, and its diagnosis -------------------------------------------------
def _check_q2(sizes, train_scores, val_scores, diagnosis, model, train_sizes,
                          gap_threshold, cv, X_train, y_train) -> str:
    from sklearn.base import clone
    from sklearn.model_selection import learning_curve

    n_sizes = len(train_sizes)
    if isinstance(sizes, np.ndarray) and sizes.ndim == 2:
        fail("`lc_sizes` is 2-D: learning_curve returns the sizes first, then the training "
             "scores, then the validation scores; unpack them in that order.")
    expect(isinstance(sizes, np.ndarray),
           f"`lc_sizes` should be the 1-D array of training-set sizes that learning_curve "
           f"returns first, not a {type_name(sizes)}.")
    expect(sizes.shape == (n_sizes,),
           f"`lc_sizes` holds {sizes.size} sizes, but `train_sizes` asks for {n_sizes}: pass "
           "`train_sizes=train_sizes` to learning_curve.")
    shape = (n_sizes, cv.get_n_splits())
    train_scores = _expect_score_array(train_scores, "lc_train_scores", shape, "size")
    val_scores = _expect_score_array(val_scores, "lc_val_scores", shape, "size")
    with quiet():
        ref_sizes, ref_train, ref_val = learning_curve(clone(model), X_train, y_train,
                                                       train_sizes=train_sizes, cv=cv)
    expect(np.array_equal(sizes, ref_sizes),
           "`lc_sizes` are not the sizes learning_curve uses for `train_sizes` on X_train "
           "with the folds in `cv`: pass `train_sizes=train_sizes, cv=cv`.")
    if same_numbers(train_scores, ref_val) and same_numbers(val_scores, ref_train):
        fail("the two score arrays are swapped: learning_curve returns the training scores "
             "before the validation scores.")
    expect(same_numbers(train_scores, ref_train) and same_numbers(val_scores, ref_val),
           "the scores are not the learning curve of `strong_logreg` on X_train, y_train with "
           "`train_sizes` and the folds in `cv`.")

    expect(isinstance(diagnosis, str),
           f"`diagnosis` should be a string, not a {type_name(diagnosis)}.")
    label = diagnosis.strip().lower()
    expect(label in DIAGNOSES, f"`diagnosis` should be \"high bias\" or \"high variance\", "
                               f"not {diagnosis!r}.")
    gap = float(ref_train[-1].mean() - ref_val[-1].mean())
    right = "high variance" if gap > gap_threshold else "high bias"
    if label != right:
        first_gap = float(ref_train[0].mean() - ref_val[0].mean())
        if ("high variance" if first_gap > gap_threshold else "high bias") == label:
            fail("that diagnosis follows from the gap at the SMALLEST size; the task asks for "
                 "the gap at the largest size (the last row of each array).")
        fail("the diagnosis does not follow the rule: compare the gap between the mean "
             "training and mean validation score at the largest size with GAP_THRESHOLD.")
    return f"gap at {int(ref_sizes[-1])} rows: {gap:.3f}, so {right}."


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "`learning_curve(model, X, y, train_sizes=..., cv=...)` returns three arrays: the "
        "sizes, the training scores and the validation scores.",
        "The largest size is the last row: `lc_train_scores[-1].mean()` is the mean training "
        "score there.",
        "`gap = lc_train_scores[-1].mean() - lc_val_scores[-1].mean()`, then "
        "`diagnosis = 'high variance' if gap > GAP_THRESHOLD else 'high bias'`.",
    ],
)


# -- q3: evaluate -> compare -> select over three families -----------------------------------
def _check_q3(comparison, choice, final, test_accuracy, models, cv, X_train, y_train,
                     X_test, y_test) -> str:
    from sklearn.base import clone
    from sklearn.model_selection import cross_validate

    expect(isinstance(models, Mapping), "pass `digit_models` as given (a dict).")
    comparison = expect_frame(comparison, "digit_comparison", "(one row per family)")
    names = list(models)
    missing = [name for name in names if name not in comparison.index]
    expect(not missing, f"`digit_comparison` has no row for {', '.join(map(repr, missing))}: "
                        "its index should be the names of `digit_models`.")
    extra = [str(name) for name in comparison.index if name not in models]
    expect(not extra, f"`digit_comparison` has rows that are not families of `digit_models`: "
                      f"{', '.join(map(repr, extra))}.")
    for column in ("CV mean", "CV std"):
        expect(column in comparison.columns,
               f"`digit_comparison` has no column {column!r}.")

    cv_scores, train_means, test_scores, fitted = {}, {}, {}, {}
    with quiet():
        for name, model in models.items():
            result = cross_validate(clone(model), X_train, y_train, cv=cv,
                                    return_train_score=True)
            cv_scores[name] = result["test_score"]
            train_means[name] = float(result["train_score"].mean())
            fitted[name] = clone(model).fit(X_train, y_train)
            test_scores[name] = float(fitted[name].score(X_test, y_test))

    for name in names:
        mean = expect_number(comparison.loc[name, "CV mean"], f"CV mean of {name!r}")
        std = expect_number(comparison.loc[name, "CV std"], f"CV std of {name!r}")
        scores = cv_scores[name]
        if abs(mean - scores.mean()) > TOLERANCE:
            if abs(mean - train_means[name]) <= TOLERANCE:
                fail(f"the CV mean of {name!r} is its mean TRAINING-fold score: compare "
                     "families on the validation folds (`test_score` of cross_validate).")
            if abs(mean - test_scores[name]) <= TOLERANCE:
                fail(f"the CV mean of {name!r} is its accuracy on the TEST set: the comparison "
                     "must use cross-validation on the training set only.")
            fail(f"the CV mean of {name!r} is not the mean accuracy over the folds of `cv` on "
                 "X_train, y_train: evaluate every family on the same folds (`cv=cv`).")
        expect(any(abs(std - scores.std(ddof=d)) <= TOLERANCE for d in (0, 1)),
               f"the CV std of {name!r} is not the standard deviation of its fold scores.")

    expect(isinstance(choice, str), f"`digit_choice` should be a family's name (a string), not "
                                    f"a {type_name(choice)}.")
    expect(choice in models, f"`digit_choice` is {choice!r}, which is not a name in "
                             "`digit_models`.")
    means = {name: float(s.mean()) for name, s in cv_scores.items()}
    best = max(means, key=means.get)

    def tied(ddof: int) -> list[str]:
        threshold = means[best] - float(cv_scores[best].std(ddof=ddof))
        return [name for name in names if means[name] >= threshold - TOLERANCE]

    if choice not in {tied(0)[0], tied(1)[0]}:  # either standard deviation is fine
        if choice in tied(1):
            fail(f"{choice!r} is within one standard deviation of the best, but so is a "
                 "family listed before it: the rule prefers the simplest of the tied "
                 "families.")
        if choice == max(test_scores, key=test_scores.get):
            fail(f"{choice!r} has the best TEST score, but its CV score is more than one "
                 "standard deviation below the best: the choice was made on the test set, "
                 "which makes the reported test score optimistic. Select on the CV scores.")
        fail(f"the CV scores do not support {choice!r}: its mean is more than one standard "
             "deviation below the best family's.")

    reference = fitted[choice]
    expect_type(final, type(models[choice]), "digit_final",
                f"(the family you chose, {choice!r})")
    expect(is_fitted(final),
           "`digit_final` is not fitted: refit the chosen family on X_train, y_train.")
    with quiet():  # probabilities tell apart more than labels do (k-NN fitted on test rows)
        method = "predict_proba" if hasattr(reference, "predict_proba") else "predict"
        ours = np.asarray(getattr(reference, method)(X_test))
        theirs = np.asarray(getattr(final, method)(X_test))
        same = ours.shape == theirs.shape and bool(np.allclose(ours, theirs))
    expect(same, "`digit_final` does not predict like the chosen family refitted on the whole "
                 "training set: fit a fresh copy (`clone(...)`) on X_train, y_train (not on "
                 "one fold, not on every row).")

    accuracy = expect_number(test_accuracy, "digit_test_accuracy")
    if abs(accuracy - test_scores[choice]) > TOLERANCE:
        if abs(accuracy - means[choice]) <= TOLERANCE:
            fail("`digit_test_accuracy` is the CV mean; evaluate `digit_final` on X_test, "
                 "y_test.")
        with quiet():
            on_train = float(reference.score(X_train, y_train))
        if abs(accuracy - on_train) <= TOLERANCE:
            fail("`digit_test_accuracy` is the accuracy on the TRAINING set: score "
                 "`digit_final` on X_test, y_test.")
        fail("`digit_test_accuracy` is not the accuracy of `digit_final` on X_test, y_test.")
    return (f"{choice!r}: CV {means[choice]:.3f} ± {cv_scores[choice].std(ddof=1):.3f}, "
            f"test {accuracy:.3f}.")


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "Follow the worked example of section 5 step by step, with `digit_models`, X_train, "
        "y_train and the same `cv`.",
        "Evaluate: `cross_validate(model, X_train, y_train, cv=cv)['test_score']` for each "
        "family; compare: their mean and std in one DataFrame indexed by name.",
        "Select: the best mean, minus its std, is the threshold; the first family (in the "
        "order of `digit_models`) at or above it is the choice. Refit `clone(...)` of it on "
        "X_train, y_train, then score it once on X_test, y_test.",
    ],
)
