"""The checks of 01_python_for_ml/01_numpy: right answers pass, placeholders are pending,
typical mistakes are rejected with useful feedback that does not give the answer away."""

import numpy as np
import pytest

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils.checks.m01_01_numpy import FAULTY, q1, q2, q3, q4, q5, q6


@pytest.fixture
def rng():
    return np.random.default_rng(0)


# -- q1: pixels to float32 in [0, 1] ---------------------------------------------------------
@pytest.fixture
def pixels(rng):
    return rng.integers(0, 256, size=(8, 8), dtype=np.uint8)


def test_q1_passes(pixels):
    assert_passes(q1, pixels.astype(np.float32) / 255, pixels)
    assert_passes(q1, (pixels / 255).astype(np.float32), pixels)


def test_q1_pending(pixels):
    assert_pending(q1, ..., pixels)


def test_q1_rejects_float64(pixels):
    assert_rejects(q1, pixels / 255, pixels, mentions="float32")


def test_q1_rejects_unscaled(pixels):
    assert_rejects(q1, pixels.astype(np.float32), pixels, mentions="255")


def test_q1_rejects_integer_division(pixels):
    assert_rejects(q1, pixels // 255, pixels, mentions="integer dtype")


def test_q1_rejects_min_max_scaling(pixels):
    p = pixels.astype(np.float32)
    assert_rejects(q1, (p - p.min()) / (p.max() - p.min()), pixels, mentions="largest")


def test_q1_rejects_junk(pixels):
    assert_rejects(q1, "pixels", pixels, mentions="NumPy array")
    assert_rejects(q1, pixels.astype(np.float32)[:4] / 255, pixels, mentions="shape")


# -- q2: vectorised sigmoid ------------------------------------------------------------------
@pytest.fixture
def z():
    return np.linspace(-6, 6, 13)


def test_q2_passes(z):
    assert_passes(q2, 1 / (1 + np.exp(-z)), z)
    assert_passes(q2, np.exp(z) / (1 + np.exp(z)), z)


def test_q2_pending(z):
    assert_pending(q2, ..., z)


def test_q2_rejects_sign_error(z):
    assert_rejects(q2, 1 / (1 + np.exp(z)), z, mentions="sign")


def test_q2_rejects_list(z):
    import math

    values = [1 / (1 + math.exp(-v)) for v in z]
    assert_rejects(q2, values, z, mentions="not a NumPy array")


def test_q2_rejects_wrong_formula(z):
    assert_rejects(q2, np.exp(-z), z, mentions="(0, 1)")
    assert_rejects(q2, 1 / (2 + np.exp(-z)), z, mentions="formula")


# -- q3: standardise columns -----------------------------------------------------------------
@pytest.fixture
def X_raw(rng):
    return np.column_stack([rng.normal(40, 10, 200), rng.normal(50_000, 15_000, 200),
                            rng.uniform(0, 1, 200)])


def test_q3_passes(X_raw):
    assert_passes(q3, (X_raw - X_raw.mean(axis=0)) / X_raw.std(axis=0), X_raw)
    # the sample standard deviation (ddof=1) is also accepted
    assert_passes(q3, (X_raw - X_raw.mean(axis=0)) / X_raw.std(axis=0, ddof=1), X_raw)


def test_q3_pending(X_raw):
    assert_pending(q3, ..., X_raw)


def test_q3_rejects_wrong_axis(X_raw):
    rows = (X_raw - X_raw.mean(axis=1, keepdims=True)) / X_raw.std(axis=1, keepdims=True)
    assert_rejects(q3, rows, X_raw, mentions="axis=0")


def test_q3_rejects_no_axis(X_raw):
    assert_rejects(q3, (X_raw - X_raw.mean()) / X_raw.std(), X_raw, mentions="without an axis")


def test_q3_rejects_only_centred(X_raw):
    assert_rejects(q3, X_raw - X_raw.mean(axis=0), X_raw, mentions="standard deviation")


def test_q3_rejects_shuffled_rows(X_raw):
    right = (X_raw - X_raw.mean(axis=0)) / X_raw.std(axis=0)
    assert_rejects(q3, np.sort(right, axis=0), X_raw, mentions="reordering")


def test_q3_rejects_junk(X_raw):
    assert_rejects(q3, X_raw[:, :2], X_raw, mentions="shape")
    assert_rejects(q3, None, X_raw, mentions="NumPy array")


# -- q4: boolean masks -----------------------------------------------------------------------
@pytest.fixture
def readings(rng):
    values = rng.normal(21.0, 2.0, size=200).round(2)
    values[rng.choice(200, size=15, replace=False)] = FAULTY
    return values


def right_q4(readings):
    faulty = readings == FAULTY
    clean = readings[~faulty]
    return int(faulty.sum()), clean, np.where(faulty, clean.mean(), readings)


def test_q4_passes(readings):
    assert_passes(q4, *right_q4(readings), readings)
    n, clean, filled = right_q4(readings)
    assert_passes(q4, np.int64(n), clean, filled, readings)


def test_q4_pending(readings):
    assert_pending(q4, ..., ..., ..., readings)


def test_q4_rejects_len_of_mask(readings):
    n, clean, filled = right_q4(readings)
    mask = readings == FAULTY
    assert_rejects(q4, len(mask), clean, filled, readings, mentions="True",
                   must_not_mention=(str(n),))


def test_q4_rejects_wrong_count(readings):
    _, clean, filled = right_q4(readings)
    assert_rejects(q4, (readings < 0).sum() + 1, clean, filled, readings, mentions="n_faulty")


def test_q4_rejects_clean_with_faults(readings):
    n, _, filled = right_q4(readings)
    assert_rejects(q4, n, readings, filled, readings, mentions="~mask")


def test_q4_rejects_sorted_clean(readings):
    n, clean, filled = right_q4(readings)
    assert_rejects(q4, n, np.sort(clean), filled, readings, mentions="original order")


def test_q4_rejects_mean_with_faults(readings):
    n, clean, _ = right_q4(readings)
    mask = readings == FAULTY
    wrong = np.where(mask, readings.mean(), readings)
    assert_rejects(q4, n, clean, wrong, readings,
                   mentions="valid readings only", must_not_mention=(f"{clean.mean():.2f}",))


def test_q4_rejects_filled_that_is_clean(readings):
    n, clean, _ = right_q4(readings)
    assert_rejects(q4, n, clean, clean, readings, mentions="shape")


def test_q4_rejects_changed_in_place(readings):
    n, clean, _ = right_q4(readings)
    changed = readings.copy()
    changed[changed == FAULTY] = clean.mean()  # the learner assigned through the mask
    assert_rejects(q4, n, clean, changed, changed, mentions="in place")


# -- q5: reproducible split ------------------------------------------------------------------
def right_split(n, test_fraction, seed):
    shuffled = np.random.default_rng(seed).permutation(n)
    n_test = round(n * test_fraction)
    return shuffled[n_test:], shuffled[:n_test]


def test_q5_passes():
    assert_passes(q5, right_split)

    def with_choice(n, test_fraction, seed):
        gen = np.random.default_rng(seed)
        test = gen.choice(n, size=round(n * test_fraction), replace=False)
        return np.setdiff1d(np.arange(n), test), test

    assert_passes(q5, with_choice)


def test_q5_pending():
    def placeholder(n, test_fraction, seed):
        train_idx = ...
        test_idx = ...
        return train_idx, test_idx

    assert_pending(q5, placeholder)
    assert_pending(q5)


def test_q5_rejects_shared_generator():
    shared = np.random.default_rng(0)

    def with_shared(n, test_fraction, seed):
        shuffled = shared.permutation(n)
        n_test = round(n * test_fraction)
        return shuffled[n_test:], shuffled[:n_test]

    assert_rejects(q5, with_shared, mentions="same seed")


def test_q5_rejects_global_state():
    def with_global(n, test_fraction, seed):
        np.random.seed(seed)
        shuffled = np.random.permutation(n)
        n_test = round(n * test_fraction)
        return shuffled[n_test:], shuffled[:n_test]

    before = np.random.get_state(legacy=False)
    assert_rejects(q5, with_global, mentions="global")
    after = np.random.get_state(legacy=False)
    assert np.array_equal(before["state"]["key"], after["state"]["key"])  # state restored


def test_q5_rejects_no_shuffle():
    def unshuffled(n, test_fraction, seed):
        n_test = round(n * test_fraction)
        return np.arange(n_test, n), np.arange(n_test)

    assert_rejects(q5, unshuffled, mentions="not shuffled")


def test_q5_rejects_seed_ignored():
    def fixed_seed(n, test_fraction, seed):
        return right_split(n, test_fraction, 0)

    assert_rejects(q5, fixed_seed, mentions="different seed")


def test_q5_rejects_with_replacement():
    def with_replacement(n, test_fraction, seed):
        indices = np.random.default_rng(seed).integers(0, n, size=n)
        n_test = round(n * test_fraction)
        return indices[n_test:], indices[:n_test]

    assert_rejects(q5, with_replacement, mentions="exactly once")


def test_q5_rejects_wrong_sizes_and_junk():
    def swapped(n, test_fraction, seed):
        train, test = right_split(n, test_fraction, seed)
        return test, train

    assert_rejects(q5, swapped, mentions="fifth")
    assert_rejects(q5, right_split(50, 0.2, 7), mentions="function itself")


# -- q6: linear model predictions and MSE ----------------------------------------------------
@pytest.fixture
def house(rng):
    X = rng.normal(size=(100, 3))
    w = np.array([[1.5], [-2.0], [0.7]])
    b = 4.0
    y = (X @ w).ravel() + b + rng.normal(0, 0.5, size=100)
    return X, w, b, y


def right_q6(X, w, b, y):
    y_pred = X @ w.ravel() + b
    return y_pred, np.mean((y - y_pred) ** 2)


def test_q6_passes(house):
    y_pred, mse = right_q6(*house)
    assert_passes(q6, y_pred, mse, *house)
    X, w, b, y = house
    assert_passes(q6, (X @ w + b).ravel(), float(mse), *house)


def test_q6_pending(house):
    assert_pending(q6, ..., ..., *house)


def test_q6_rejects_column_predictions(house):
    X, w, b, y = house
    y_pred, mse = right_q6(*house)
    column = X @ w + b
    assert_rejects(q6, column, np.mean((y - column) ** 2), *house, mentions="ravel",
                   must_not_mention=(f"{mse:.4f}",))


def test_q6_rejects_broadcast_mse(house):
    X, w, b, y = house
    y_pred, mse = right_q6(*house)
    broadcast = np.mean((y - (X @ w + b)) ** 2)  # computed while y_pred was still a column
    assert_rejects(q6, y_pred, broadcast, *house, mentions="(n, n)",
                   must_not_mention=(f"{mse:.4f}", f"{mse:.2f}"))


def test_q6_rejects_elementwise_product(house):
    X, w, b, y = house
    assert_rejects(q6, X * w.ravel() + b, 1.0, *house, mentions="@")


def test_q6_rejects_missing_bias(house):
    X, w, b, y = house
    y_pred = X @ w.ravel()
    assert_rejects(q6, y_pred, np.mean((y - y_pred) ** 2), *house, mentions="bias")


def test_q6_rejects_wrong_error_measures(house):
    y_pred, mse = right_q6(*house)
    y = house[3]
    assert_rejects(q6, y_pred, np.sqrt(mse), *house, mentions="RMSE")
    assert_rejects(q6, y_pred, np.sum((y - y_pred) ** 2), *house, mentions="sum")
    assert_rejects(q6, y_pred, np.mean(np.abs(y - y_pred)), *house, mentions="absolute")
    assert_rejects(q6, y_pred, (y - y_pred) ** 2, *house, mentions="single number")


# -- requirements the tasks state ------------------------------------------------------------
def test_q4_rejects_a_count_that_is_not_an_integer(readings):
    n, clean, filled = right_q4(readings)
    assert_rejects(q4, float(n), clean, filled, readings, mentions="integer")


def test_q5_rejects_lists_instead_of_arrays():
    def as_lists(n, test_fraction, seed):
        train, test = right_split(n, test_fraction, seed)
        return list(train), list(test)

    assert_rejects(q5, as_lists, mentions="not a NumPy array")


def test_q5_names_the_call_that_raised():
    def broken(n, test_fraction, seed):
        return np.random.default_rng(seed).permutation(n)[: n * test_fraction]

    assert_rejects(q5, broken, mentions="split_indices(50, 0.2, 7)` raised TypeError")


def test_q6_rejects_an_mse_that_is_an_array(house):
    y_pred, mse = right_q6(*house)
    assert_rejects(q6, y_pred, np.array([mse]), *house, mentions="single number")
