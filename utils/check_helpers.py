"""Small helpers that every check module shares, so no check module defines its own.

A check function (see ``utils.exercises``) rejects an answer by calling ``fail``/``expect``; the
``expect_*`` helpers below do the same for the requirements that come up again and again, with
feedback that names the learner's variable and what it holds, never the right answer:

* types: ``type_name``, ``expect_type`` (also catches "the class itself, not an instance");
* numbers: ``is_real``, ``expect_number``, ``expect_integer``, ``near`` (two floats close);
* arrays and tables: ``expect_array``, ``expect_shape``, ``expect_finite``, ``expect_frame``,
  ``expect_series``, ``same_numbers``; cross-validation results: ``expect_fold_scores``;
* functions: ``expect_function`` ("pass the function itself, not its result") and
  ``call_learner`` (call it; a crash becomes feedback naming the call, ``...`` means ⏳);
* scikit-learn: ``is_fitted`` (imports scikit-learn only when called) and
  ``expect_fitted_on_training_rows`` (the classic mistake: fitting on test rows or on all rows);
* ``quiet()``: silence the warnings a learner's odd value may raise inside a check;
* course data: ``course_dataset(name)``, a cached table handed out as a fresh copy, and
  ``PENGUIN_MEASUREMENTS``;
* MLflow: ``expect_mlflow_run`` (a finished run, found by its id in the store the learner
  logged to; imports MLflow only when called);
* HTTP services: ``recording_proxy`` (a loopback proxy that records the requests a learner's
  client sends) and ``expect_batch_route`` (those requests went to the batch route only).

Only NumPy and pandas are imported at module level: importing a check module must stay cheap
(no scikit-learn, no matplotlib), because the progress table imports every one of them.
"""

from __future__ import annotations

import math
import numbers
import reprlib
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache

import numpy as np
import pandas as pd

from .exercises import attempted, expect, fail

__all__ = [
    "PENGUIN_MEASUREMENTS", "call_learner", "course_dataset", "expect_array",
    "expect_batch_route", "expect_finite",
    "expect_fitted_on_training_rows", "expect_fold_scores", "expect_frame", "expect_function",
    "expect_integer", "expect_mlflow_run", "expect_number", "expect_series", "expect_shape",
    "expect_type", "is_fitted", "is_real", "near", "quiet", "recording_proxy", "same_numbers",
    "type_name",
]

# The four numeric measurement columns of the penguins table, in the table's order.
PENGUIN_MEASUREMENTS = ("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g")


# -- types ---------------------------------------------------------------------------------
def type_name(value: object) -> str:
    """The name of ``value``'s type, as a learner would write it: ``list``, ``DataFrame``."""
    return type(value).__name__


def _kinds_text(kinds: type | tuple[type, ...]) -> str:
    names = [k.__name__ for k in (kinds if isinstance(kinds, tuple) else (kinds,))]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def expect_type(value: object, kinds: type | tuple[type, ...], name: str,
                what: str = "") -> None:
    """Reject ``value`` unless it is an instance of ``kinds`` (a type or a tuple of types).

    Passing the class itself (``DecisionTreeClassifier`` instead of
    ``DecisionTreeClassifier(...)``) gets its own feedback. ``what`` adds a few words on what the
    value should hold: ``expect_type(scores, dict, "scores", "(name -> accuracy)")``.
    """
    wanted = _kinds_text(kinds)
    if isinstance(value, type):
        fail(f"`{name}` is the class {value.__name__} itself; create an instance by calling "
             f"it, e.g. `{value.__name__}(...)`.")
    suffix = f" {what}" if what else ""
    expect(isinstance(value, kinds), f"`{name}` should be a {wanted}{suffix}, "
                                     f"not a {type_name(value)}.")


# -- numbers -------------------------------------------------------------------------------
def is_real(value: object) -> bool:
    """A real number: Python or NumPy int or float, but not a bool (``True`` is not a score)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def expect_number(value: object, name: str) -> float:
    """``value`` as a float if it is a single real number (a 0-d array counts), else reject.

    An array of several values gets feedback that says to reduce it to one value.
    """
    if isinstance(value, np.ndarray):
        expect(value.ndim == 0,
               f"`{name}` should be a single number, but it is an array of shape "
               f"{value.shape}: reduce it to one value (np.mean, .sum(), .item()).")
        value = value.item()
    expect(is_real(value), f"`{name}` should be a single number, not a {type_name(value)}.")
    return float(value)


def expect_integer(value: object, name: str) -> int:
    """``value`` as an int if it is a whole number of an integer type (Python or NumPy)."""
    number = expect_number(value, name)
    if isinstance(value, np.ndarray):
        value = value.item()
    expect(isinstance(value, numbers.Integral),
           f"`{name}` should be an integer (a count), not a {type_name(value)}"
           + (": convert it with int(...)." if number.is_integer() else "."))
    return int(value)


# -- arrays and tables ---------------------------------------------------------------------
def expect_array(value: object, name: str, *, real: bool = False) -> np.ndarray:
    """``value`` if it is a NumPy array (with a real-number dtype when ``real``), else reject.

    A Python list or tuple gets feedback that says to use NumPy operations on whole arrays.
    """
    if isinstance(value, list | tuple):
        fail(f"`{name}` is a Python {type_name(value)}, not a NumPy array: use NumPy "
             "operations on whole arrays (they return arrays) instead of building a list.")
    expect(isinstance(value, np.ndarray),
           f"`{name}` should be a NumPy array, not a {type_name(value)}.")
    if real:
        dtype = value.dtype
        expect(np.issubdtype(dtype, np.number) and not np.issubdtype(dtype, np.complexfloating),
               f"`{name}` should hold real numbers, but its dtype is {dtype}.")
    return value


def expect_shape(array: np.ndarray, shape: tuple[int, ...], name: str, of: str = "") -> None:
    """Reject ``array`` unless its shape is ``shape``; ``of`` names the input it must match."""
    if of:
        message = (f"`{name}` has shape {array.shape}, but `{of}` has shape {shape}: "
                   "the result should have one value per entry of the input.")
    else:
        message = f"`{name}` should have shape {shape}, but it has shape {array.shape}."
    expect(array.shape == shape, message)


def expect_finite(array: np.ndarray, name: str, why: str = "") -> None:
    """Reject an array holding NaN or infinity; ``why`` suggests a cause, e.g. a division."""
    expect(np.isfinite(array).all(), f"`{name}` contains NaN or infinite values{why}.")


def expect_frame(value: object, name: str, what: str = "",
                 columns: list[str] | tuple[str, ...] | None = None) -> pd.DataFrame:
    """``value`` if it is a DataFrame (a Series gets its own feedback), else reject.

    With ``columns``, the frame must have exactly these columns in this order.
    """
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


def expect_series(value: object, name: str, what: str = "") -> pd.Series:
    """``value`` if it is a Series (a DataFrame gets its own feedback), else reject."""
    suffix = f" {what}" if what else ""
    if isinstance(value, pd.DataFrame):
        fail(f"`{name}` is a DataFrame; it should be a pandas Series{suffix}.")
    expect(isinstance(value, pd.Series),
           f"`{name}` should be a pandas Series{suffix}, not a {type_name(value)}.")
    return value


def same_numbers(a: object, b: object, atol: float = 1e-9) -> bool:
    """The same shape and the same values within ``atol`` (absolute; no relative slack)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=0, atol=atol))


def near(a: float, b: float, rtol: float = 1e-5, atol: float = 1e-7) -> bool:
    """Two floats equal within ``rtol`` (relative) or ``atol`` (absolute): the same number
    computed twice in float32, or a learner's number against a reference."""
    return math.isclose(a, b, rel_tol=rtol, abs_tol=atol)


def expect_fold_scores(value: object, name: str, n_folds: int | None = None) -> np.ndarray:
    """The learner's per-fold scores (what ``cross_val_score`` returns) as a 1-D float array.

    Their mean, a ``cross_validate`` dict, or a wrong number of folds (``n_folds``, when
    given: the folds of the splitter the learner was handed) each get their own feedback.
    """
    if is_real(value):
        fail(f"`{name}` is a single number; keep one value per fold (the array "
             "`cross_val_score` returns), not their mean.")
    if isinstance(value, dict):
        fail(f"`{name}` is a dict; `cross_val_score` (not `cross_validate`) returns the "
             "array of fold scores asked for.")
    expect(isinstance(value, np.ndarray | list | tuple | pd.Series),
           f"`{name}` should be a 1-D array with one value per fold (what `cross_val_score` "
           f"returns), not a {type_name(value)}.")
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        fail(f"`{name}` should hold one number per fold.")
    expect(array.ndim == 1, f"`{name}` should be 1-D, one score per fold.")
    if n_folds is not None:
        expect(len(array) == n_folds,
               f"`{name}` has {len(array)} values, but the splitter you were given makes "
               f"{n_folds} folds: pass it as `cv=`.")
    return array


# -- the learner's functions ---------------------------------------------------------------
def expect_function(value: object, name: str) -> Callable:
    """Reject anything but a function: the learner must pass ``name`` itself, not its result."""
    expect(callable(value), f"pass the function itself, `{name}`, without calling it "
                            f"(you passed a {type_name(value)}).")
    return value  # type: ignore[return-value]


_SHORT = reprlib.Repr()
_SHORT.maxlist = _SHORT.maxtuple = 8
_SHORT.maxstring = _SHORT.maxother = 40


def _argument_text(value: object) -> str:
    if isinstance(value, np.ndarray | pd.DataFrame | pd.Series):
        return f"<{type_name(value)} of shape {value.shape}>"
    return _SHORT.repr(value)


def call_learner(function: Callable, *args: object, call: str | None = None) -> object:
    """Call the learner's ``function`` with ``args``; return its result, or report ⏳ if it
    returns the ``...`` placeholder (or a tuple, list or dict holding one).

    If the function raises, the learner sees which call failed and how: ``call`` is the text
    shown (default: the function's name with short forms of the arguments).
    """
    if call is None:
        shown = ", ".join(_argument_text(a) for a in args)
        call = f"{getattr(function, '__name__', 'your function')}({shown})"
    try:
        result = function(*args)
    except Exception as error:  # the learner's code broke: feedback, never a traceback
        fail(f"`{call}` raised {type_name(error)}: {error}")
    return attempted(result)


# -- scikit-learn --------------------------------------------------------------------------
def is_fitted(estimator: object) -> bool:
    """Has ``estimator`` been fitted? False for an unfitted one and for a non-estimator."""
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    if isinstance(estimator, type) or not hasattr(estimator, "fit"):
        return False
    try:
        check_is_fitted(estimator)
    except (NotFittedError, TypeError):
        return False
    return True


def expect_fitted_on_training_rows(n_fit: int, n_train: int, n_test: int, name: str,
                                   fit_on: str = "the training rows", why: str = "") -> None:
    """Reject a model (or a step) whose fit saw anything but the training rows.

    ``n_fit`` is how many rows its fit saw (``n_samples_fit_``, ``n_samples_seen_``, a tree's
    root count). The feedback names what happened: the test rows, every row (test rows
    included: leakage) or another number of rows. ``fit_on`` names the training data as the
    notebook does (``"X_train, y_train"``); ``why`` adds the reason in the lesson's words.
    """
    if n_fit == n_train:
        return
    reason = f": {why}" if why else "."
    if n_fit == n_test:
        fail(f"`{name}` was fitted on the test set. Fit it on {fit_on} only{reason}")
    if n_fit == n_train + n_test:
        fail(f"`{name}` was fitted on every row, test rows included. Fit it on {fit_on} "
             f"only{reason}")
    fail(f"`{name}` was fitted on {n_fit} rows, but the training set has {n_train}. Fit it on "
         f"{fit_on}.")


# -- inside a check ------------------------------------------------------------------------
@contextmanager
def quiet() -> Iterator[None]:
    """Silence warnings raised inside a check (a learner's odd value may trigger some)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


# -- course data ---------------------------------------------------------------------------
@cache
def _cached_dataset(name: str) -> pd.DataFrame:
    from .datasets import load_dataset

    return load_dataset(name)


def course_dataset(name: str) -> pd.DataFrame:
    """A course dataset (``utils.load_dataset``), loaded once and handed out as a fresh copy,
    so that neither a check nor a learner's function can change what the next check sees."""
    return _cached_dataset(name).copy()


# -- MLflow ----------------------------------------------------------------------------------
def expect_mlflow_run(value: object, name: str, tracking_uri: str | None = None,
                      finished: bool = True):
    """The ``mlflow.entities.Run`` whose id the learner stored in ``name``, read from the store
    at ``tracking_uri`` (default: the one MLflow is pointed at now).

    A run object instead of its id, an id the store does not know, and (with ``finished``) a
    run still open each get their own feedback.
    """
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    if hasattr(value, "info") and hasattr(value.info, "run_id"):
        fail(f"`{name}` is a {type_name(value)} object; store its id, `<run>.info.run_id` "
             "(a string).")
    if isinstance(value, pd.Series | pd.DataFrame):
        fail(f"`{name}` is a pandas {type_name(value)} (part of what `search_runs` returns); "
             "take the one run id out of it: the `run_id` column of the row you want, e.g. "
             "`.iloc[0]`.")
    expect(isinstance(value, str), f"`{name}` should be a run id (a string), not a "
                                   f"{type_name(value)}.")
    client = MlflowClient(tracking_uri)
    try:
        run = client.get_run(value)
    except MlflowException:
        fail(f"the tracking store has no run with the id in `{name}`: was the run logged to "
             "another tracking URI, or is the id mistyped?")
    if finished:
        expect(run.info.status != "RUNNING",
               f"the run in `{name}` is still running: end it (open it with `with "
               "mlflow.start_run():`, which ends it with the block, or call "
               "`mlflow.end_run()`).")
    return run


# -- HTTP services ---------------------------------------------------------------------------
def recording_proxy(target: str):
    """A loopback HTTP proxy in a thread that forwards every request to ``target`` and records
    (method, path, status); returns (server, records). Its URL is
    ``f"http://127.0.0.1:{server.server_address[1]}"``; stop it with ``server.shutdown()`` and
    ``server.server_close()``."""
    import http.server
    import threading
    import urllib.error
    import urllib.request

    records: list[tuple[str, str, int]] = []

    class Forward(http.server.BaseHTTPRequestHandler):
        def forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = urllib.request.Request(
                target + self.path, data=self.rfile.read(length) if length else None,
                method=self.command,
                headers={"Content-Type": self.headers.get("Content-Type", "application/json")})
            try:
                with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
                    status, payload = answer.status, answer.read()
            except urllib.error.HTTPError as error:
                status, payload = error.code, error.read()
            records.append((self.command, self.path, status))
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = forward

        def log_message(self, *args) -> None:  # no request lines in the learner's notebook
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Forward)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, records


def expect_batch_route(records: list[tuple[str, str, int]], route: str = "/predict/batch",
                       single: str = "/predict", ignore: tuple[str, ...] = ("/health",)) -> int:
    """The requests a ``recording_proxy`` recorded went to ``route`` (paths in ``ignore``, such
    as a health probe, are allowed too); returns how many went to ``route``. A client that
    sends one request per record to ``single``, one that calls another path, and one that never
    used the URL it was given each get their own feedback."""
    expect(records, "your function sent no request to the URL it was given: call the service "
                    "at `url`, the function's first argument.")
    others = sorted({path for _, path, _ in records if path not in (route, *ignore)})
    if single in others:
        n_single = sum(path == single for _, path, _ in records)
        fail(f"your function sent {n_single} requests to `{single}`, one per customer: right "
             f"answers, but a round trip each. Send the customers in slices of at most "
             f"MAX_BATCH records to `{route}`.")
    expect(not others, f"your function called {', '.join(f'`{p}`' for p in others)}, which "
                       f"the task does not ask for: send the slices to `{route}` (exactly "
                       "that path).")
    n_batches = sum(path == route for _, path, _ in records)
    expect(n_batches > 0, f"your function sent no request to `{route}`.")
    return n_batches
