"""The shared check helpers: each accepts what it should and rejects with clear feedback."""

from __future__ import annotations

import warnings
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from utils.check_helpers import (
    PENGUIN_MEASUREMENTS,
    call_learner,
    course_dataset,
    expect_array,
    expect_finite,
    expect_fitted_on_training_rows,
    expect_fold_scores,
    expect_frame,
    expect_function,
    expect_integer,
    expect_number,
    expect_series,
    expect_shape,
    expect_type,
    is_fitted,
    is_real,
    near,
    quiet,
    same_numbers,
    type_name,
)
from utils.exercises import Mismatch, NotAttempted


def rejects(helper, *args, **kwargs) -> str:
    """The feedback a helper rejects with (it raises the engine's Mismatch)."""
    with pytest.raises(Mismatch) as rejected:
        helper(*args, **kwargs)
    return str(rejected.value)


def test_type_name():
    assert type_name([1]) == "list"
    assert type_name(pd.DataFrame()) == "DataFrame"
    assert type_name(np.float32(1)) == "float32"


def test_expect_type_names_the_expected_and_the_actual_type():
    expect_type({}, dict, "scores")
    expect_type(Path("."), (str, Path), "path")
    assert "should be a dict (name -> score), not a list" in rejects(
        expect_type, [], dict, "scores", "(name -> score)")
    assert "str or Path" in rejects(expect_type, 3, (str, Path), "path")


def test_expect_type_spots_the_class_itself():
    assert "the class dict itself" in rejects(expect_type, dict, dict, "scores")


@pytest.mark.parametrize("value", [3, 2.5, np.float32(0.5), np.int64(7), Fraction(1, 3)])
def test_real_numbers(value):
    assert is_real(value)
    assert expect_number(value, "x") == float(value)


@pytest.mark.parametrize("value", [True, np.True_, np.bool_(False), "3", None, 1j, [1.0]])
def test_not_real_numbers(value):
    assert not is_real(value)
    assert "should be a single number" in rejects(expect_number, value, "x")


def test_expect_number_takes_a_0d_array_but_not_a_vector():
    assert expect_number(np.array(2.5), "mse") == 2.5
    assert "shape (1,)" in rejects(expect_number, np.array([2.5]), "mse")


def test_expect_integer():
    assert expect_integer(np.int64(4), "n") == 4
    assert "convert it with int" in rejects(expect_integer, 4.0, "n")
    assert "integer" in rejects(expect_integer, 4.5, "n")
    assert "single number" in rejects(expect_integer, True, "n")


def test_expect_array():
    array = np.arange(3.0)
    assert expect_array(array, "a", real=True) is array
    assert "Python list, not a NumPy array" in rejects(expect_array, [1, 2], "a")
    assert "not a str" in rejects(expect_array, "a", "a")
    assert "real numbers" in rejects(expect_array, np.array(["x"]), "a", real=True)
    assert "real numbers" in rejects(expect_array, np.array([1j]), "a", real=True)


def test_expect_shape_and_finite():
    expect_shape(np.zeros((2, 3)), (2, 3), "a")
    assert "`a` has shape (3,), but `z` has shape (4,)" in rejects(
        expect_shape, np.zeros(3), (4,), "a", of="z")
    assert "should have shape (4,)" in rejects(expect_shape, np.zeros(3), (4,), "a")
    expect_finite(np.ones(3), "a")
    assert "division" in rejects(expect_finite, np.array([np.inf]), "a", " (a division?)")


def test_expect_frame_and_series():
    frame = pd.DataFrame({"a": [1], "b": [2]})
    assert expect_frame(frame, "f", columns=["a", "b"]) is frame
    assert "is a Series" in rejects(expect_frame, frame["a"], "f")
    assert "not a dict" in rejects(expect_frame, {}, "f")
    assert "wrong order" in rejects(expect_frame, frame, "f", columns=["b", "a"])
    assert "exactly the columns a, c" in rejects(expect_frame, frame, "f", columns=["a", "c"])
    assert expect_series(frame["a"], "s") is not None
    assert "is a DataFrame" in rejects(expect_series, frame, "s")
    assert "not a list" in rejects(expect_series, [1], "s")


def test_expect_function_asks_for_the_function_not_its_result():
    assert expect_function(len, "f") is len
    message = rejects(expect_function, (1.0, 2.0), "mean_and_std")
    assert "pass the function itself, `mean_and_std`" in message and "tuple" in message


def test_call_learner_returns_results_reports_placeholders_and_names_failing_calls():
    assert call_learner(lambda a, b: a + b, 1, 2) == 3
    with pytest.raises(NotAttempted):
        call_learner(lambda: ...)
    with pytest.raises(NotAttempted):
        call_learner(lambda: (..., ...))

    def split(frame, seed):
        raise KeyError("price")

    message = rejects(call_learner, split, pd.DataFrame({"a": [1, 2]}), 7)
    assert message == "`split(<DataFrame of shape (2, 1)>, 7)` raised KeyError: 'price'"
    message = rejects(call_learner, split, None, 7, call="split(raw, SEED)")
    assert message.startswith("`split(raw, SEED)` raised KeyError")


def test_is_fitted():
    from sklearn.linear_model import LinearRegression

    assert not is_fitted(LinearRegression())
    assert is_fitted(LinearRegression().fit([[0.0], [1.0]], [0.0, 1.0]))
    assert not is_fitted(LinearRegression)  # the class itself
    assert not is_fitted("a model")


def test_quiet_silences_warnings_only_inside():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with quiet():
            warnings.warn("inside", stacklevel=1)
        warnings.warn("outside", stacklevel=1)
    assert [str(w.message) for w in caught] == ["outside"]


def test_course_dataset_hands_out_copies_of_one_cached_table():
    first = course_dataset("penguins")
    first.loc[:, "body_mass_g"] = -1.0
    del first["species"]
    second = course_dataset("penguins")
    assert second is not first
    assert "species" in second.columns and (second["body_mass_g"].dropna() > 0).all()
    assert list(PENGUIN_MEASUREMENTS) == [c for c in second.columns if c in PENGUIN_MEASUREMENTS]


# -- which rows a model was fitted on, fold scores, same numbers ----------------------------
@pytest.mark.parametrize("n_fit, mentions", [
    (25, "fitted on the test set"),
    (100, "every row, test rows included"),
    (60, "fitted on 60 rows, but the training set has 75"),
])
def test_a_fit_on_other_rows_than_training_is_named(n_fit, mentions):
    expect_fitted_on_training_rows(75, 75, 25, "model")  # the training rows: accepted
    with pytest.raises(Mismatch, match=mentions):
        expect_fitted_on_training_rows(n_fit, 75, 25, "model", "X_train, y_train", "why not")


def test_fold_scores_are_one_value_per_fold():
    scores = expect_fold_scores([0.9, 0.8, 0.85], "scores", n_folds=3)
    assert scores.dtype == float and scores.shape == (3,)
    for wrong, mentions in [(0.85, "single number"), ({"test_score": [0.9]}, "cross_validate"),
                            ("0.9", "1-D array"), (np.ones((3, 2)), "1-D"),
                            ([0.9, 0.8], "makes 3 folds")]:
        with pytest.raises(Mismatch, match=mentions):
            expect_fold_scores(wrong, "scores", n_folds=3)


def test_near_compares_two_floats_within_a_relative_or_absolute_tolerance():
    assert near(1.0, 1.0 + 1e-6)
    assert not near(1.0, 1.001)
    assert near(1.0, 1.0005, rtol=1e-3)
    assert near(0.0, 5e-8) and not near(0.0, 5e-8, atol=0.0)


def test_same_numbers_needs_the_same_shape_and_values():
    assert same_numbers([1.0, 2.0], np.array([1.0, 2.0 + 1e-12]))
    assert not same_numbers([1.0, 2.0], [1.0, 2.001])
    assert not same_numbers([1.0, 2.0], [[1.0, 2.0]])
