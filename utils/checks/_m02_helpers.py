"""TEMPORARY stand-ins for utils.check_helpers (branch checks-v2), same names and behaviour.

Removed as soon as checks-v2 is merged: the check modules then import utils.check_helpers.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd

from ..exercises import expect, fail


def type_name(value: object) -> str:
    return type(value).__name__


def expect_type(value: object, kinds, name: str, what: str = "") -> None:
    names = [k.__name__ for k in (kinds if isinstance(kinds, tuple) else (kinds,))]
    wanted = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    if isinstance(value, type):
        fail(f"`{name}` is the class {value.__name__} itself; create an instance by calling "
             f"it, e.g. `{value.__name__}(...)`.")
    suffix = f" {what}" if what else ""
    expect(isinstance(value, kinds), f"`{name}` should be a {wanted}{suffix}, "
                                     f"not a {type_name(value)}.")


def is_real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def expect_number(value: object, name: str) -> float:
    if isinstance(value, np.ndarray):
        expect(value.ndim == 0,
               f"`{name}` should be a single number, but it is an array of shape "
               f"{value.shape}: reduce it to one value (np.mean, .sum(), .item()).")
        value = value.item()
    expect(is_real(value), f"`{name}` should be a single number, not a {type_name(value)}.")
    return float(value)


def expect_integer(value: object, name: str) -> int:
    number = expect_number(value, name)
    if isinstance(value, np.ndarray):
        value = value.item()
    expect(isinstance(value, numbers.Integral),
           f"`{name}` should be an integer (a count), not a {type_name(value)}"
           + (": convert it with int(...)." if number.is_integer() else "."))
    return int(value)


def expect_frame(value: object, name: str, what: str = "", columns=None) -> pd.DataFrame:
    suffix = f" {what}" if what else ""
    if isinstance(value, pd.Series):
        fail(f"`{name}` is a Series (one column); it should be a DataFrame{suffix}.")
    expect(isinstance(value, pd.DataFrame),
           f"`{name}` should be a pandas DataFrame{suffix}, not a {type_name(value)}.")
    if columns is not None:
        wanted = list(columns)
        got = [str(c) for c in value.columns]
        if sorted(got) == sorted(wanted) and got != wanted:
            fail(f"`{name}` has the right columns in the wrong order: put them in the order "
                 "the task lists them.")
        expect(got == wanted, f"`{name}` should have exactly the columns "
                              f"{', '.join(wanted)} (in that order).")
    return value


def is_fitted(estimator: object) -> bool:
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    if isinstance(estimator, type) or not hasattr(estimator, "fit"):
        return False
    try:
        check_is_fitted(estimator)
    except (NotFittedError, TypeError):
        return False
    return True


@contextmanager
def quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
