"""Checks for 01_python_for_ml/05_persistence (saving and loading models: joblib and pickle).

The checks receive the learner's answer first, then what they need from the notebook (the
fitted ``model``, ``forest`` and ``X_test``), and compute every reference from them here: an
uncompressed dump's size, the installed library versions, a model nudged by a tiny amount.
Files the checks write go to a temporary folder that is removed afterwards. scikit-learn and
joblib are imported inside the checks, so importing this module stays cheap.
"""

from __future__ import annotations

import copy
import io
import json
import os
import pickle
import platform
import sys
import tempfile
from pathlib import Path

import numpy as np

from ..check_helpers import call_learner, expect_function, expect_type, is_fitted, type_name
from ..environment import package_versions
from ..exercises import Exercise, expect, fail

NOTEBOOK = "01_python_for_ml/05_persistence"

VERSION_KEYS = ("python", "numpy", "scikit-learn", "joblib")


def environment_versions() -> dict[str, str]:
    """The versions running now, under the keys the notebook asks for."""
    return {"python": platform.python_version(),
            **package_versions(["numpy", "scikit-learn", "joblib"])}


# -- helpers shared by several checks of this notebook ----------------------------------------
def _as_path(value: object, name: str) -> tuple[Path, str | None]:
    """The path a learner gave, and a remark if it came as joblib.dump's list of names."""
    remark = None
    if isinstance(value, list | tuple) and len(value) == 1:
        value = value[0]
        remark = ("(Good to know: joblib.dump returns a list of the file names it wrote; "
                  "a single Path is tidier.)")
    if hasattr(value, "predict") or hasattr(value, "fit"):
        fail(f"`{name}` holds a model, not a path: it should be where the file was written.")
    expect(isinstance(value, str | os.PathLike),
           f"`{name}` should be a path (a pathlib.Path or a str), not a {type_name(value)}.")
    return Path(value), remark


def _expect_file(path: Path, name: str, how: str) -> None:
    expect(path.exists(), f"there is no file at `{name}`: nothing was written there. {how}")
    expect(path.is_file(), f"`{name}` is a folder, not a file.")


def _expect_fitted_model(obj: object, what: str) -> None:
    if isinstance(obj, bytes | bytearray):
        fail(f"{what} is bytes: that is the serialized form. Turn it back into an object "
             "with the matching load function.")
    if isinstance(obj, np.ndarray):
        fail(f"{what} is a NumPy array, not a fitted model: save and load the model itself, "
             "not its predictions or its data.")
    expect(hasattr(obj, "predict"),
           f"{what} is a {type_name(obj)}, not a fitted model with a predict method.")
    expect(hasattr(obj, "fit"), f"{what} is a {type_name(obj)}, not a scikit-learn estimator.")
    expect(is_fitted(obj),
           f"{what} is not fitted: fitting learns the state that saving keeps. Save the "
           "already fitted model from the lesson, not a fresh, untrained one.")


def _expect_same_outputs(loaded: object, reference: object, X: object, what: str) -> None:
    expect(type(loaded) is type(reference),
           f"{what} is a {type_name(loaded)}, but the model it should hold is a "
           f"{type_name(reference)}: did you save a different model?")
    expect(np.array_equal(np.asarray(loaded.predict(X)), np.asarray(reference.predict(X))),
           f"{what} predicts differently from the original: it is not the same fitted model "
           "(re-trained on other data, or a different model?).")
    if hasattr(reference, "predict_proba"):
        expect(np.array_equal(loaded.predict_proba(X), reference.predict_proba(X)),
               f"{what} gives probabilities that differ from the original's: a saved and "
               "reloaded model must reproduce them exactly.")


# -- q1: a pickle round trip through a file ------------------------------------------------
def _check_q1(restored: object, pickle_path: object, model: object, X_test: object) -> None:
    if restored is model:
        fail("`restored` is the very same object as `model`, not a copy loaded from the file. "
             "Load it back from PICKLE_PATH.")
    _expect_fitted_model(restored, "`restored`")
    path, _ = _as_path(pickle_path, "PICKLE_PATH")
    _expect_file(path, "PICKLE_PATH", "Write the model there with pickle before loading it.")
    try:
        with open(path, "rb") as handle:
            from_file = pickle.load(handle)
    except Exception as error:  # a broken or foreign file: feedback, not a traceback
        fail(f"the file at PICKLE_PATH could not be read with pickle.load "
             f"({type_name(error)}): was it written with pickle.dump, in binary mode?")
    _expect_fitted_model(from_file, "the object stored in PICKLE_PATH")
    _expect_same_outputs(from_file, model, X_test, "the model stored in PICKLE_PATH")
    _expect_same_outputs(restored, model, X_test, "`restored`")


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "Two steps: write the fitted `model` to PICKLE_PATH as bytes, then read those bytes "
        "back into a NEW object called `restored`.",
        "A pickle is bytes, so files are opened in binary mode ('wb' / 'rb'); or let the Path "
        "do it: PICKLE_PATH.write_bytes(...) and PICKLE_PATH.read_bytes().",
        "pickle.dumps(obj) gives the bytes of an object and pickle.loads(data) rebuilds it; "
        "combine them with write_bytes / read_bytes.",
    ],
)


# -- q2: a save_model function with joblib -------------------------------------------------
def _check_q2(save_model: object, model: object, X_test: object) -> None:
    import joblib
    from sklearn.dummy import DummyClassifier

    save_model = expect_function(save_model, "save_model")
    _expect_fitted_model(model, "`model` (the lesson's pipeline)")
    X_small = np.asarray(X_test, dtype=float)
    labels = np.asarray(model.predict(X_test))
    baseline = DummyClassifier(strategy="most_frequent").fit(X_small, labels)
    with tempfile.TemporaryDirectory(prefix="mlcourse-check-") as scratch:
        folder = Path(scratch)
        for estimator, name in ((model, "checked_pipeline"), (baseline, "checked_baseline")):
            call = f"save_model(estimator, folder, {name!r})"
            result = call_learner(save_model, estimator, folder, name, call=call)
            if isinstance(result, list | tuple):
                fail(f"{call} returned a {type_name(result)}: that is what joblib.dump "
                     "returns (the names of the files it wrote). Return the Path you built.")
            if isinstance(result, str):
                fail(f"{call} returned a str; the task asks for a pathlib.Path: build the "
                     "path with Path(folder) / ... and return it.")
            expect_type(result, Path, "the returned path", "(where the file was written)")
            path = result
            expect(path.name == f"{name}.joblib",
                   f"save_model(estimator, folder, {name!r}) returned a path whose file name "
                   f"is {path.name!r}: name the file after `name`, with the .joblib suffix.")
            expect(path.parent.resolve() == folder.resolve(),
                   "the returned path is not inside `folder`: build it from the `folder` "
                   "argument, not from a fixed location.")
            _expect_file(path, "the returned path",
                         "Call joblib.dump inside the function, before returning the path.")
            try:
                loaded = joblib.load(path)
            except Exception as error:
                fail(f"joblib.load could not read the file save_model wrote "
                     f"({type_name(error)}): write it with joblib.dump.")
            if type(loaded) is not type(estimator):
                fail(f"asked to save a {type_name(estimator)}, save_model wrote a "
                     f"{type_name(loaded)}: save the `estimator` argument, not a global "
                     "variable of the notebook.")
            _expect_same_outputs(loaded, estimator, X_small if estimator is baseline
                                 else X_test, "the model save_model wrote")


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "Build the file's path from the arguments: the folder, then the name plus a suffix.",
        "Path(folder) / f\"{name}.joblib\" is the path; save `estimator` (the argument, not "
        "the global `model`) there and return the path.",
        "joblib.dump(obj, path) writes the file; return the Path you built, not what "
        "joblib.dump returns (a list of names).",
    ],
)


# -- q3: is the round trip exact? -----------------------------------------------------------
def _nudged(model: object) -> object | None:
    """A copy of ``model`` whose coefficients moved by one part in a billion, or None."""
    twin = copy.deepcopy(model)
    final = twin[-1] if hasattr(twin, "steps") else twin
    if not hasattr(final, "coef_"):
        return None
    final.coef_ = final.coef_ * (1 + 1e-9)
    return twin


def _as_bool(value: object, case: str) -> bool:
    if isinstance(value, np.ndarray) and value.ndim > 0:
        fail(f"for {case}, same_behaviour returned an array: return ONE True or False for "
             "the whole comparison (compare whole arrays, not element by element).")
    expect(isinstance(value, bool | np.bool_),
           f"for {case}, same_behaviour returned a {type_name(value)}; "
           "it should return True or False.")
    return bool(value)


def _check_q3(same_behaviour: object, model: object, X_test: object) -> None:
    from sklearn.dummy import DummyClassifier

    same_behaviour = expect_function(same_behaviour, "same_behaviour")
    _expect_fitted_model(model, "`model` (the lesson's pipeline)")
    twin = pickle.loads(pickle.dumps(model))
    verdict = _as_bool(call_learner(same_behaviour, model, twin, X_test,
                                    call="same_behaviour(model, its_pickled_twin, X_test)"),
                       "a model and its exact pickle round trip")
    expect(verdict, "same_behaviour said False for a model and its exact pickle round trip: "
                    "compare what the two models output, not the objects themselves.")
    labels = np.asarray(model.predict(X_test))
    other = DummyClassifier(strategy="most_frequent").fit(X_test, labels)
    if not np.array_equal(other.predict(X_test), labels):
        verdict = _as_bool(call_learner(same_behaviour, model, other, X_test,
                                        call="same_behaviour(model, other_model, X_test)"),
                           "two models that predict different labels")
        expect(not verdict, "same_behaviour said True for two models that predict different "
                            "labels: compare the predictions of `a` and `b` on X.")
    nudged = _nudged(model)
    if nudged is not None and np.array_equal(nudged.predict(X_test), labels):
        verdict = _as_bool(call_learner(same_behaviour, model, nudged, X_test,
                                        call="same_behaviour(model, nudged_model, X_test)"),
                           "two slightly different models")
        expect(not verdict,
               "same_behaviour said True for two models whose labels agree but whose "
               "probabilities differ very slightly: compare predict_proba too, and exactly "
               "(a tolerance such as np.allclose hides a changed model).")


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "Two models behave the same when their outputs on X are identical: both the labels "
        "and the probabilities.",
        "Compare whole arrays in one call, and without a tolerance: the check also tries two "
        "models whose probabilities differ by about one part in a billion.",
        "np.array_equal(a.predict(X), b.predict(X)), and the same for predict_proba; "
        "return True only if both hold.",
    ],
)


# -- q4: compression -------------------------------------------------------------------------
def _uncompressed_size(estimator: object) -> int:
    import joblib

    buffer = io.BytesIO()
    joblib.dump(estimator, buffer)
    return len(buffer.getvalue())


def _check_q4(compressed_path: object, forest: object, X_test: object) -> str | None:
    import joblib

    path, remark = _as_path(compressed_path, "compressed_path")
    _expect_file(path, "compressed_path", "Save `forest` there with joblib.dump.")
    try:
        loaded = joblib.load(path)
    except Exception as error:
        fail(f"joblib.load could not read the file at compressed_path "
             f"({type_name(error)}): write it with joblib.dump.")
    _expect_fitted_model(loaded, "the object in the file")
    _expect_same_outputs(loaded, forest, X_test, "the model in the file")
    size, plain = path.stat().st_size, _uncompressed_size(forest)
    expect(size <= plain / 2,
           f"the file is {size / plain:.0%} of the size of an uncompressed dump, not at most "
           "half: did you ask joblib.dump to compress (a level above 0)?")
    return remark


q4 = Exercise(
    name="q4",
    notebook=NOTEBOOK,
    check_fn=_check_q4,
    hints=[
        "Look at the table above: which settings give a much smaller file than no "
        "compression?",
        "joblib.dump takes a `compress` argument: 0 (the default) means no compression.",
        "joblib.dump(forest, COMPRESSED_PATH, compress=3) is one good choice; then assign "
        "the path to `compressed_path`.",
    ],
)


# -- q5: library versions for a metadata file ------------------------------------------------
def _check_q5(metadata: object) -> None:
    expect_type(metadata, dict, "metadata")
    missing = [key for key in VERSION_KEYS if key not in metadata]
    expect(not missing, f"`metadata` lacks the key(s) {missing}; the keys must be spelled "
                        f"exactly {list(VERSION_KEYS)}.")
    extra = [key for key in metadata if key not in VERSION_KEYS]
    expect(not extra, f"`metadata` has keys the task does not ask for: {extra}. Keep exactly "
                      f"the keys {list(VERSION_KEYS)}.")
    installed = environment_versions()
    for key in VERSION_KEYS:
        value = metadata[key]
        if not isinstance(value, str):
            fail(f"the value for {key!r} is a {type_name(value)}, not a string: store the "
                 "version string (for a library, its __version__ attribute).")
        if key == "python" and value == sys.version:
            fail("the value for 'python' is the whole sys.version text, build details and "
                 "all; store only the version number, such as '3.x.y'.")
        expect(value == installed[key],
               f"the value for {key!r} is not the version running in this kernel: read it at "
               "run time instead of typing it in.")
    try:
        round_trip = json.loads(json.dumps(metadata))
    except (TypeError, ValueError) as error:
        fail(f"`metadata` cannot be written as JSON ({error}): keep plain strings, numbers, "
             "lists and dicts in it.")
    expect(round_trip == metadata, "`metadata` changes when written to JSON and read back: "
                                   "use string keys and plain values.")


q5 = Exercise(
    name="q5",
    notebook=NOTEBOOK,
    check_fn=_check_q5,
    hints=[
        "Read every version from the running environment, never type it in: the file must "
        "describe the environment that actually trained the model.",
        "Libraries carry their version as a string attribute, __version__ (np.__version__, "
        "sklearn.__version__, joblib.__version__).",
        "For Python itself, platform.python_version() gives just the number, unlike "
        "sys.version.",
    ],
)
