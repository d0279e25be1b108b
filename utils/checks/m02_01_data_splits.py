"""Checks for 02_model_training_evaluation/01_data_splits: three-way, grouped and time splits.

Every check receives the learner's answers first, then the data, sizes and seed the notebook
gave them, so the references are computed from exactly those inputs whatever ``SEED`` or
``QUICK`` the notebook ran with. Candidate models passed in are fitted on clones only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np
import pandas as pd

from ..check_helpers import expect_frame, expect_series, is_real, quiet, type_name
from ..exercises import Exercise, expect, fail

NOTEBOOK = "02_model_training_evaluation/01_data_splits"

TOLERANCE = 1e-9
GROUP_SHARE_TOLERANCE = 0.05  # the test set's share of groups may differ this much from asked


# -- helpers shared by several checks of this notebook ----------------------------------------
def _positions(value: object, name: str, n_rows: int) -> np.ndarray:
    """An array of distinct integer row positions in ``range(n_rows)``."""
    if value is None:
        fail(f"`{name}` is None: assign the row positions the splitter returned.")
    array = np.asarray(value)
    if array.dtype == bool:
        fail(f"`{name}` is a boolean mask; the task asks for integer row positions, as a "
             "splitter's `split` method yields them.")
    expect(array.ndim == 1 and np.issubdtype(array.dtype, np.integer),
           f"`{name}` should be a 1-D array of integer row positions, got "
           f"{type_name(value)} of dtype {array.dtype} with {array.ndim} dimension(s).")
    expect(len(array) > 0, f"`{name}` is empty.")
    expect(array.min() >= 0 and array.max() < n_rows,
           f"`{name}` holds positions outside 0..{n_rows - 1}: use positions into the data "
           "you split, not labels or ids.")
    expect(len(np.unique(array)) == len(array),
           f"`{name}` holds some positions twice: store row positions (what `split` yields), "
           "not patient ids or labels.")
    return array


# -- q1: a stratified three-way split ----------------------------------------------------
PART_NAMES = ("train", "val", "test")


def _pandas_part(value: object, name: str, kind: type, full: pd.DataFrame | pd.Series) -> None:
    if isinstance(value, np.ndarray):
        fail(f"`{name}` is a NumPy array, so the row index is lost. Pass the pandas objects "
             "`Xw` and `yw` themselves to `train_test_split` (not `.values`).")
    if kind is pd.DataFrame:
        expect_frame(value, name)
    else:
        expect_series(value, name)
    expect(value.index.isin(full.index).all(),
           f"`{name}` holds rows that are not in the wine data: split `Xw` and `yw`.")
    expect(not value.index.duplicated().any(), f"`{name}` holds some rows twice.")


def _class_counts_ok(part: pd.Series, y: pd.Series) -> bool:
    """Each class count within one row of the whole data's proportion (what stratify does)."""
    expected = y.value_counts(normalize=True) * len(part)
    counts = part.value_counts().reindex(expected.index, fill_value=0)
    return bool((np.abs(counts - expected) < 1.0 + TOLERANCE).all())


def _check_q1(Xw_train, Xw_val, Xw_test, yw_train, yw_val, yw_test, Xw, yw,
              test_size, val_size, seed) -> str:
    from sklearn.model_selection import train_test_split

    X_parts = dict(zip(PART_NAMES, (Xw_train, Xw_val, Xw_test), strict=True))
    y_parts = dict(zip(PART_NAMES, (yw_train, yw_val, yw_test), strict=True))
    for part in PART_NAMES:
        _pandas_part(X_parts[part], f"Xw_{part}", pd.DataFrame, Xw)
        _pandas_part(y_parts[part], f"yw_{part}", pd.Series, yw)
    for part in PART_NAMES:
        expect(X_parts[part].index.equals(y_parts[part].index),
               f"`Xw_{part}` and `yw_{part}` do not hold the same rows in the same order: "
               "split X and y together, in the same call.")
    for a, b in (("train", "val"), ("train", "test"), ("val", "test")):
        shared = X_parts[a].index.intersection(X_parts[b].index)
        expect(len(shared) == 0,
               f"{len(shared)} row(s) are in both the {a} and the {b} set: the parts must be "
               "disjoint. Split the rest of the first split, not the whole data, in the "
               "second call.")
    covered = sum(len(X_parts[part]) for part in PART_NAMES)
    expect(covered == len(Xw),
           f"the three parts hold {covered} rows but the data has {len(Xw)}: every row must "
           "land in exactly one part.")

    n = len(Xw)
    for part, share in (("test", test_size), ("val", val_size)):
        size = len(X_parts[part])
        if abs(size - share * n) > 1:
            extra = ""
            if part == "val":
                extra = (" The second call's `test_size` is a fraction of the rows left after "
                         "the first split, not of all rows.")
            fail(f"the {part} set holds {size / n:.0%} of the rows; the task asks for "
                 f"{share:.0%}.{extra}")

    test_rows, val_rows = set(X_parts["test"].index), set(X_parts["val"].index)
    for first, second in ((False, False), (False, True), (True, False)):
        with quiet():
            rest_X, test_X, rest_y, _ = train_test_split(
                Xw, yw, test_size=test_size, random_state=seed, stratify=yw if first else None)
            _, val_X, _, _ = train_test_split(
                rest_X, rest_y, test_size=val_size / (1 - test_size), random_state=seed,
                stratify=rest_y if second else None)
        if set(test_X.index) == test_rows and set(val_X.index) == val_rows:
            which = "either call" if not (first or second) else (
                "the first call" if second else "the second call")
            fail(f"the split is not stratified in {which}, so class proportions are left to "
                 "chance. Pass `stratify=` with the labels being split, in both calls.")
    off = [part for part in PART_NAMES if not _class_counts_ok(y_parts[part], yw)]
    expect(not off,
           f"the class proportions of the {', '.join(off)} set(s) differ from the whole "
           "data's: the split is not stratified. Pass `stratify=` with the labels being "
           "split, in both calls.")
    return "disjoint, complete, stratified, the right sizes."


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "Two calls of `train_test_split`: the first locks away the test set, the second "
        "cuts what is left into training and validation.",
        "Each call needs `stratify=` with the labels it is splitting (`yw` in the first, the "
        "remaining labels in the second) and `random_state=SEED`.",
        "The second `test_size` is a fraction of the remaining rows: `VAL_SIZE / (1 - "
        "TEST_SIZE)`. Each call returns X_first, X_second, y_first, y_second, in that order.",
    ],
)


# -- q2: choose on validation, report the test score once -------------------------------
def _check_q2(best_name, final_test_score, candidates, X_train, y_train, X_val, y_val,
              X_test, y_test) -> str:
    from sklearn.base import clone

    expect(isinstance(candidates, Mapping) and candidates,
           "the check needs the dict `knn_candidates` as its third argument.")
    if not isinstance(best_name, str) and best_name in candidates.values():
        fail("`best_name` is a model; store its name, the key of `knn_candidates`.")
    expect(isinstance(best_name, str),
           f"`best_name` should be a string, a key of `knn_candidates`, got "
           f"{type_name(best_name)}.")
    expect(best_name in candidates,
           f"{best_name!r} is not a key of `knn_candidates`; use one of its names exactly.")
    if not is_real(final_test_score):
        fail(f"`final_test_score` should be a single number (an accuracy), got "
             f"{type_name(final_test_score)}.")
    final = float(final_test_score)

    fitted, val, test, train = {}, {}, {}, {}
    with quiet():
        for name, model in candidates.items():
            fitted[name] = clone(model).fit(X_train, y_train)
            val[name] = fitted[name].score(X_val, y_val)
            test[name] = fitted[name].score(X_test, y_test)
            train[name] = fitted[name].score(X_train, y_train)
    best_val = max(val.values())
    best_test = max(test.values())
    if val[best_name] < best_val - TOLERANCE:
        if test[best_name] >= best_test - TOLERANCE:
            fail(f"{best_name!r} is the best candidate on the TEST set, not on the validation "
                 "set. Choose with the validation set; the test set must play no part in the "
                 "choice.")
        if train[best_name] >= max(train.values()) - TOLERANCE:
            fail(f"{best_name!r} is the best candidate on its TRAINING data, which rewards "
                 "memorising (k=1 is always perfect there). Compare on the validation set.")
        fail(f"{best_name!r} does not have the highest validation accuracy: fit each "
             "candidate on the training set and score it on X_val, y_val.")

    if abs(final - test[best_name]) <= TOLERANCE:
        return f"chose {best_name!r}; its test accuracy is {final:.3f}."
    with quiet():
        refit = clone(candidates[best_name]).fit(pd.concat([X_train, X_val]),
                                                 pd.concat([y_train, y_val]))
        refit_test = refit.score(X_test, y_test)
    if abs(final - refit_test) <= TOLERANCE:
        return (f"chose {best_name!r}; refitted on training + validation rows, its test "
                f"accuracy is {final:.3f}.")
    if abs(final - val[best_name]) <= TOLERANCE:
        fail("`final_test_score` is the VALIDATION score of the winner. It is optimistic, "
             "since you chose with it: score the chosen model on X_test, y_test.")
    if abs(final - train[best_name]) <= TOLERANCE:
        fail("`final_test_score` is the winner's accuracy on its TRAINING data. Score it on "
             "X_test, y_test.")
    expect(0.0 <= final <= 1.0,
           "`final_test_score` is outside [0, 1]: an accuracy is a fraction between 0 and 1.")
    fail("`final_test_score` is not the test accuracy of the chosen candidate fitted on the "
         "training set: fit it on X_train, y_train and call `.score(X_test, y_test)`.")


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "Three steps: fit every candidate on the training set; compare them on the "
        "validation set; score only the winner on the test set.",
        "A dict comprehension gives every candidate's validation accuracy: `{name: "
        "model.fit(X_train, y_train).score(X_val, y_val) for name, model in "
        "knn_candidates.items()}`; `max(scores, key=scores.get)` is the best key.",
        "The models in `knn_candidates` are fitted in place by `fit`, so "
        "`knn_candidates[best_name].score(X_test, y_test)` is the final number.",
    ],
)


# -- q3: a hold-out split by patient -----------------------------------------------------
def _check_q3(train_idx, test_idx, groups, test_size) -> str:
    groups = np.asarray(groups)
    n_rows = len(groups)
    if test_idx is None:
        fail("`test_idx` is None: unpack the pair the splitter yields into two names, "
             "`train_idx, test_idx = next(splitter.split(...))`.")
    train = _positions(train_idx, "train_idx", n_rows)
    test = _positions(test_idx, "test_idx", n_rows)
    shared = np.intersect1d(train, test)
    expect(len(shared) == 0, f"{len(shared)} row position(s) are in both `train_idx` and "
                             "`test_idx`: the two parts must be disjoint.")
    expect(len(train) + len(test) == n_rows,
           f"`train_idx` and `test_idx` hold {len(train) + len(test)} rows together, but the "
           f"data has {n_rows}: every row must be in one of them.")
    both = np.intersect1d(groups[train], groups[test])
    expect(len(both) == 0,
           f"{len(both)} patient(s) have visits in both the training and the test set, so "
           "the model can recognise them. Split by patient: pass the patient of each row as "
           "`groups=` to a group splitter.")
    n_groups = len(np.unique(groups))
    share = len(np.unique(groups[test])) / n_groups
    expect(abs(share - test_size) <= GROUP_SHARE_TOLERANCE,
           f"the test set holds {share:.0%} of the patients; the task asks for about "
           f"{test_size:.0%} (check `test_size`, and that train and test are not swapped).")
    return f"{len(np.unique(groups[test]))} patients in the test set, none in training."


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "A random split scatters each patient's visits; a group splitter keeps every "
        "patient's rows on one side.",
        "Create `GroupShuffleSplit(n_splits=1, test_size=TEST_SIZE, random_state=SEED)`; "
        "its `split(Xg, yg, groups=patient)` yields (train positions, test positions) pairs.",
        "With one split there is one pair: `train_idx, test_idx = next(splitter.split(...))`.",
    ],
)


# -- q4: forward-chaining folds ----------------------------------------------------------
def _check_q4(ts_folds, n_rows, n_splits) -> str:
    if isinstance(ts_folds, Iterator):
        fail("`ts_folds` is a generator; wrap the `split(...)` call in `list(...)` so the "
             "folds can be read more than once.")
    if hasattr(ts_folds, "split") and hasattr(ts_folds, "get_n_splits"):
        fail("`ts_folds` is the splitter itself; store the list of folds its `split` method "
             "returns.")
    expect(isinstance(ts_folds, list | tuple),
           f"`ts_folds` should be a list of (train, test) pairs, got {type_name(ts_folds)}.")
    if len(ts_folds) == 2 and all(np.ndim(part) == 1 and len(part) and np.isscalar(part[0])
                                  for part in ts_folds):
        fail("`ts_folds` looks like a single (train, test) pair; keep every fold: "
             "`list(splitter.split(X_sales))`.")
    expect(len(ts_folds) == n_splits,
           f"`ts_folds` has {len(ts_folds)} folds; the task asks for N_SPLITS = {n_splits}.")
    tested = []
    for number, fold in enumerate(ts_folds, start=1):
        expect(isinstance(fold, tuple | list) and len(fold) == 2,
               f"fold {number} should be a (train positions, test positions) pair.")
        train = _positions(fold[0], f"the training part of fold {number}", n_rows)
        test = _positions(fold[1], f"the test part of fold {number}", n_rows)
        expect(train.max() < test.min(),
               f"fold {number} trains on rows that come after some of its test rows: the "
               "model would learn from the future. Use a splitter that always tests on the "
               "rows after the training window, and do not shuffle.")
        expect(np.array_equal(np.sort(test), np.arange(test.min(), test.max() + 1)),
               f"fold {number}'s test rows are not one consecutive block of days.")
        tested.append(test)
    starts = [test.min() for test in tested]
    expect(starts == sorted(starts),
           "the folds' test blocks should move forward in time, one after the other.")
    expect(len(np.unique(np.concatenate(tested))) == sum(len(t) for t in tested),
           "some rows are tested in more than one fold.")
    expect(tested[-1].max() == n_rows - 1,
           "the last fold should test on the most recent rows: split the whole series.")
    return f"{n_splits} folds, each trained on the past and tested on the days after."


q4 = Exercise(
    name="q4",
    notebook=NOTEBOOK,
    check_fn=_check_q4,
    hints=[
        "Shuffled or plain k-fold splits test on early days while training on later ones; "
        "for time-ordered data you need a forward-chaining splitter.",
        "`TimeSeriesSplit(n_splits=N_SPLITS)` trains on an expanding window and tests on "
        "the block that follows.",
        "`split(X_sales)` returns a generator of (train, test) pairs: `list(...)` it.",
    ],
)
