"""Checks for 01_python_for_ml/01_numpy (NumPy essentials for ML).

Every check receives the learner's answers first, then the inputs the learner was given, and
computes its reference from those inputs, so it stays right whatever the notebook's seed.
"""

from __future__ import annotations

import numpy as np

from ..check_helpers import (
    call_learner,
    expect_array,
    expect_finite,
    expect_function,
    expect_integer,
    expect_number,
    expect_shape,
)
from ..exercises import Exercise, expect, fail

NOTEBOOK = "01_python_for_ml/01_numpy"
FAULTY = -999.0  # the sentinel of exercise 4, as the notebook states it


# -- q1: dtypes ------------------------------------------------------------------------------
def _check_q1(pixels_01: object, pixels: object) -> None:
    pixels = np.asarray(pixels)
    scaled = expect_array(pixels_01, "pixels_01", real=True)
    expect_shape(scaled, pixels.shape, "pixels_01", of="pixels")
    expect(np.issubdtype(scaled.dtype, np.floating),
           f"`pixels_01` has the integer dtype {scaled.dtype}, which cannot hold values between "
           "0 and 1: convert to a float dtype with .astype(...) first, and divide with /, not //.")
    expect_finite(scaled, "pixels_01")
    expect(scaled.min() >= 0 and scaled.max() <= 1,
           "`pixels_01` has values outside [0, 1]: divide by 255, the largest value a uint8 "
           "pixel can hold.")
    reference = pixels.astype(np.float64) / 255
    if not np.allclose(scaled, reference, rtol=1e-6, atol=1e-6):
        if np.allclose(scaled, pixels.astype(np.float64) / 256, rtol=1e-6, atol=1e-6):
            fail("`pixels_01` is slightly too small: a uint8 tops out at 255, not 256.")
        fail("`pixels_01` does not match each pixel divided by 255: scale by the largest "
             "possible uint8 value, not by this image's own minimum or maximum.")
    expect(scaled.dtype == np.float32,
           f"the values are right, but the dtype is {scaled.dtype}, not float32. Dividing a "
           "uint8 array by 255 gives float64; convert with .astype(np.float32) first and "
           "the result stays float32.")


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "Two steps: give the array a float32 dtype, and scale its values into [0, 1].",
        "uint8 values run from 0 to 255, so dividing by 255 maps them onto [0, 1].",
        "Use `.astype(np.float32)` on `pixels` before dividing; `pixels / 255` alone gives "
        "float64.",
    ],
)


# -- q2: vectorisation -----------------------------------------------------------------------
def _check_q2(probs: object, z: object) -> None:
    z = np.asarray(z, dtype=np.float64)
    result = expect_array(probs, "probs", real=True)
    expect_shape(result, z.shape, "probs", of="z")
    expect_finite(result, "probs")
    with np.errstate(over="ignore"):
        reference = 1.0 / (1.0 + np.exp(-z))
        flipped = 1.0 / (1.0 + np.exp(z))
    if np.allclose(result, reference, rtol=1e-6, atol=1e-9):
        return
    if np.allclose(result, flipped, rtol=1e-6, atol=1e-9):
        fail("`probs` is close to 0 where z is large and positive, the opposite of a sigmoid: "
             "check the sign inside np.exp.")
    expect(((result > 0) & (result < 1)).all(),
           "some values of `probs` are outside (0, 1), where a sigmoid's outputs always lie: "
           "check the formula 1 / (1 + e^(-z)).")
    fail("`probs` does not match 1 / (1 + e^(-z)) element by element: check the formula and "
         "that you use `z` itself.")


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "Arithmetic operators work element by element on whole arrays, so the loop body can "
        "be written once for all of `z`.",
        "`math.exp` only takes one number; NumPy has an element-wise version of it.",
        "Replace `math.exp(-value)` with `np.exp(-z)` and keep the rest of the formula.",
    ],
)


# -- q3: broadcasting ------------------------------------------------------------------------
def _check_q3(X_std: object, X_raw: object) -> None:
    X = np.asarray(X_raw, dtype=np.float64)
    expect(X.ndim == 2, "pass your answer first, then the 2-D input matrix: "
           "q3.check(X_std, X_raw).")
    result = expect_array(X_std, "X_std", real=True).astype(np.float64)
    expect_shape(result, X.shape, "X_std", of="X_raw")
    expect_finite(result, "X_std", " (a division by zero?)")
    column_means, column_stds = result.mean(axis=0), result.std(axis=0)
    columns_centred = np.allclose(column_means, 0, atol=1e-6)
    if not columns_centred:
        if np.allclose(result.mean(axis=1), 0, atol=1e-6):
            fail("each ROW of `X_std` has mean 0, but its columns do not: axis=1 computes one "
                 "statistic per row. Features are columns, so take the statistics with axis=0.")
        if abs(result.mean()) < 1e-6:
            fail("the matrix as a whole has mean 0, but its columns do not: without an axis, "
                 "X.mean() and X.std() give one number for the whole matrix. Pass axis=0 to "
                 "get one per column.")
        fail("the columns of `X_std` do not have mean 0: subtract each column's own mean.")
    expect(np.allclose(column_stds, 1, atol=0.02),
           "the columns have mean 0 but not standard deviation 1: divide each centred column "
           "by its own standard deviation (not its variance or range).")
    ref_pop = (X - X.mean(axis=0)) / X.std(axis=0)
    ref_sample = (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)
    expect(np.allclose(result, ref_pop, atol=1e-6) or np.allclose(result, ref_sample, atol=1e-6),
           "each column of `X_std` has mean 0 and standard deviation 1, but it is not `X_raw` "
           "shifted and scaled column by column: standardise `X_raw` itself, without sorting "
           "or reordering rows.")


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "You need one mean and one standard deviation per column (feature), then broadcasting "
        "applies them to every row.",
        "`X_raw.mean(axis=0)` has shape (n_features,): which rows or columns does axis=0 "
        "collapse?",
        "Subtract `X_raw.mean(axis=0)` and divide by `X_raw.std(axis=0)`; mind the parentheses.",
    ],
)


# -- q4: boolean masks -----------------------------------------------------------------------
def _check_q4(n_faulty: object, clean: object, filled: object, readings: object) -> None:
    readings = np.asarray(readings, dtype=np.float64)
    expect(readings.ndim == 1, "pass your three answers first, then the 1-D `readings` array: "
           "q4.check(n_faulty, clean, filled, readings).")
    mask = readings == FAULTY
    count = expect_integer(n_faulty, "n_faulty")
    if not mask.any() and count > 0:
        fail("`readings` holds no FAULTY values any more, although your `n_faulty` counts some: "
             "it looks like `readings` was changed in place (readings[mask] = ...). Build new "
             "arrays instead (np.where returns one), and re-run the cell that creates "
             "`readings`.")
    if count == readings.size and mask.sum() != readings.size:
        fail("`n_faulty` equals the total number of readings: len(mask) or mask.size counts "
             "every entry, True or False. Count only the True entries.")
    expect(count == mask.sum(),
           "`n_faulty` is not the number of readings equal to FAULTY: build the mask with "
           "`readings == FAULTY` and count its True values.")

    clean = expect_array(clean, "clean", real=True)
    expect(clean.ndim == 1, f"`clean` should be 1-D, but it has shape {clean.shape}.")
    expect(not (clean == FAULTY).any(),
           "`clean` still contains FAULTY values: select with the inverted mask (~mask).")
    expect(clean.size == readings.size - mask.sum(),
           "`clean` should hold exactly the valid readings, but it has a different number of "
           "values: select `readings` with the inverted mask.")
    expect(np.array_equal(clean, readings[~mask]),
           "`clean` holds the right number of values, but not the valid readings in their "
           "original order: select `readings` with ~mask, without sorting.")

    filled = expect_array(filled, "filled", real=True)
    expect(filled.shape == readings.shape,
           f"`filled` has shape {filled.shape}, but `readings` has shape {readings.shape}: "
           "filling replaces values, it keeps one value per reading (np.where does this).")
    expect(not (filled == FAULTY).any(), "`filled` still contains FAULTY values.")
    expect(np.allclose(filled[~mask], readings[~mask]),
           "`filled` changed some valid readings: only the FAULTY positions should be replaced.")
    fills = filled[mask].astype(np.float64)
    if np.allclose(fills, readings.mean()):
        fail("the fill value is the mean of ALL readings, FAULTY ones included, which drags it "
             "far down: take the mean of the valid readings only.")
    expect(np.allclose(fills, readings[~mask].mean(), rtol=1e-9, atol=1e-9),
           "the FAULTY positions of `filled` should all hold the mean of the valid readings.")


q4 = Exercise(
    name="q4",
    notebook=NOTEBOOK,
    check_fn=_check_q4,
    hints=[
        "Start with one boolean mask, `readings == FAULTY`; all three answers come from it.",
        "True counts as 1 and False as 0 when you add them up; `~mask` flips the mask.",
        "`clean` is `readings` indexed by `~mask`; its mean is the fill value.",
        "`np.where(mask, fill_value, readings)` returns a new array with the FAULTY positions "
        "replaced.",
    ],
)


# -- q5: the seeded Generator ----------------------------------------------------------------
def _global_state() -> dict:
    return np.random.get_state(legacy=False)


def _same_global_state(before: dict, after: dict) -> bool:
    return before["state"]["key"].tobytes() == after["state"]["key"].tobytes() and \
        before["state"]["pos"] == after["state"]["pos"]


def _split(split_indices, n: int, test_fraction: float, seed: int) -> tuple:
    result = call_learner(split_indices, n, test_fraction, seed,
                          call=f"split_indices({n}, {test_fraction}, {seed})")
    expect(isinstance(result, tuple | list) and len(result) == 2,
           "`split_indices` should return two arrays: `train_idx, test_idx`.")
    train = expect_array(result[0], "train_idx")
    test = expect_array(result[1], "test_idx")
    expect(train.ndim == 1 and test.ndim == 1,
           "`train_idx` and `test_idx` should both be 1-D arrays of row indices.")
    expect(np.issubdtype(train.dtype, np.integer) and np.issubdtype(test.dtype, np.integer),
           "the indices should be integers (you index rows with them); a permutation of "
           "`n` gives integers.")
    return train, test


def _check_q5(split_indices: object) -> None:
    split_indices = expect_function(split_indices, "split_indices")
    before = _global_state()
    try:
        train, test = _split(split_indices, 50, 0.2, 7)
        touched_global = not _same_global_state(before, _global_state())
    finally:
        np.random.set_state(before)
    expect(not touched_global,
           "`split_indices` uses NumPy's global random state (np.random.seed / "
           "np.random.permutation ...): create a local Generator from `seed` instead.")
    expect(len(test) == 10 and len(train) == 40,
           f"with n=50 and test_fraction=0.2, `test_idx` should hold a fifth of the indices and "
           f"`train_idx` the rest; yours hold {len(test)} and {len(train)}.")
    together = np.concatenate([train, test])
    expect(np.array_equal(np.sort(together), np.arange(50)),
           "together, `train_idx` and `test_idx` must hold every index from 0 to n-1 exactly "
           "once (none repeated, none missing): shuffle a permutation of all indices rather "
           "than drawing them with replacement.")
    if np.array_equal(np.sort(test), np.arange(10)) or \
            np.array_equal(np.sort(test), np.arange(40, 50)):
        fail("the split is not shuffled: `test_idx` is just the first or last rows. Shuffle "
             "the indices with a Generator made from `seed` before cutting them.")
    again_train, again_test = _split(split_indices, 50, 0.2, 7)
    expect(np.array_equal(train, again_train) and np.array_equal(test, again_test),
           "calling `split_indices` twice with the same seed gave different splits: create the "
           "Generator inside the function from `seed`, instead of reusing one made elsewhere "
           "(such as the notebook's `rng`).")
    other_train, other_test = _split(split_indices, 50, 0.2, 8)
    expect(not np.array_equal(test, other_test),
           "a different seed gave the same split: pass `seed` to the Generator you shuffle with.")
    small_train, small_test = _split(split_indices, 12, 0.25, 0)
    expect(len(small_test) == 3 and len(small_train) == 9 and
           np.array_equal(np.sort(np.concatenate([small_train, small_test])), np.arange(12)),
           "the split is right for n=50 but not for other sizes: use `n` and `test_fraction` "
           "from the arguments, not fixed numbers.")


q5 = Exercise(
    name="q5",
    notebook=NOTEBOOK,
    check_fn=_check_q5,
    hints=[
        "A reproducible split needs its own Generator, made from `seed` inside the function.",
        "Shuffle all the indices 0..n-1 once, then cut the shuffled array in two.",
        "`np.random.default_rng(seed).permutation(n)` gives the shuffled indices; the test set "
        "is the first `round(n * test_fraction)` of them.",
    ],
)


# -- q6: linear model ------------------------------------------------------------------------
def _check_q6(y_pred: object, mse: object, X: object, w: object, b: object,
              y: object) -> None:
    X = np.asarray(X, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    b = float(b)
    expect(X.ndim == 2 and y.ndim == 1 and w.size == X.shape[1],
           "pass your answers first, then the inputs as given: q6.check(y_pred, mse, X_house, "
           "w_house, b_house, y_house).")
    reference = X @ w.ravel() + b

    predictions = expect_array(y_pred, "y_pred", real=True)
    n = len(y)
    if predictions.shape == (n, 1):
        fail(f"`y_pred` has shape {predictions.shape}, a column, but `y_house` has shape "
             f"{y.shape}. `w_house` is a column, so X @ w is one too: flatten (w.ravel() or "
             ".ravel() on the result), or y - y_pred will broadcast into an (n, n) matrix.")
    if predictions.shape == X.shape:
        fail(f"`y_pred` has shape {predictions.shape}, one value per feature per row: `*` "
             "multiplies element by element, while `@` takes the matrix product that sums "
             "over the features.")
    expect(predictions.shape == y.shape,
           f"`y_pred` has shape {predictions.shape}, but there is one target per row, shape "
           f"{y.shape}.")
    expect_finite(predictions, "y_pred")
    if not np.allclose(predictions, reference, rtol=1e-7, atol=1e-9):
        if np.allclose(predictions, reference - b, rtol=1e-7, atol=1e-9):
            fail("`y_pred` is off by the same constant for every row: add the bias `b_house`.")
        fail("`y_pred` does not match the linear model's predictions: multiply the features "
             "by the weights with @ and add the bias.")

    value = expect_number(mse, "mse")
    errors = y - reference
    right = np.mean(errors ** 2)
    if np.isclose(value, right, rtol=1e-7):
        return
    if np.isclose(value, np.mean((y - reference[:, None]) ** 2), rtol=1e-7):
        fail("your `mse` averages an (n, n) matrix: y - y_pred broadcast because one of them "
             "was a column. Compute it from 1-D arrays of the same shape.")
    if np.isclose(value, np.sqrt(right), rtol=1e-7):
        fail("that is the root of the mean squared error (RMSE): MSE takes no square root.")
    if np.isclose(value, np.sum(errors ** 2), rtol=1e-7):
        fail("that is the sum of the squared errors: the mean divides it by the number of rows.")
    if np.isclose(value, np.mean(np.abs(errors)), rtol=1e-7):
        fail("that is the mean absolute error: square the errors instead of taking abs.")
    if np.isclose(value, np.mean(errors) ** 2, rtol=1e-7):
        fail("you squared the mean error: square each error first, then take the mean.")
    fail("`mse` does not match the mean of the squared errors (y - y_pred) ** 2.")


q6 = Exercise(
    name="q6",
    notebook=NOTEBOOK,
    check_fn=_check_q6,
    hints=[
        "Write down the shapes first: X_house is (n, 3), w_house is (3, 1), b_house a number. "
        "What shape does X @ w have, and what shape should the predictions have?",
        "A column of shape (n, 1) minus a vector of shape (n,) broadcasts to (n, n) without "
        "any error: make the predictions 1-D.",
        "`X_house @ w_house.ravel() + b_house` gives predictions of shape (n,); the MSE is "
        "`np.mean(...)` of the squared differences from `y_house`.",
    ],
)
