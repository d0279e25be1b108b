"""Checks for 01_python_for_ml/05_persistence (saving and loading models: joblib and pickle).

The checks receive the learner's answer first, then what they need from the notebook (the
fitted ``model``, the training and test data), and compute every reference from them here: a
pickle round trip, a model nudged by a tiny amount, the same pipeline refitted, model files with
cards of their own (some with other versions, some changed after saving, one a booby-trapped
pickle). q3 loads the learner's file in a fresh Python process, as a serving job would. Files
the checks write go to a temporary folder that is removed afterwards. scikit-learn and joblib are
imported inside the checks, so importing this module stays cheap.
"""

from __future__ import annotations

import copy
import json
import os
import pickle
import platform
import sys
import tempfile
from pathlib import Path

import numpy as np

from ..check_helpers import call_learner, expect_function, is_fitted, quiet, type_name
from ..environment import package_versions
from ..exercises import Exercise, attempted, expect, fail

NOTEBOOK = "01_python_for_ml/05_persistence"

# q3: the steps of the custom pipeline, and what a fresh process runs to load the file
CUSTOM_STEPS = ("ClipOutliers", "StandardScaler", "LogisticRegression")

# Runs in a fresh interpreter: load the model and the inputs, write what the model outputs.
_FRESH_LOAD = """
import sys
import joblib
import numpy as np
model = joblib.load(sys.argv[1])
X = np.load(sys.argv[2], allow_pickle=False)
np.save(sys.argv[3], np.asarray(model.predict(X)).astype(str))
np.save(sys.argv[4], model.predict_proba(X))
"""


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


# -- q2: is the round trip exact? -----------------------------------------------------------
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


def _check_q2(same_behaviour: object, model: object, X_test: object) -> None:
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


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "Two models behave the same when their outputs on X are identical: both the labels "
        "and the probabilities.",
        "Compare whole arrays in one call, and without a tolerance: the check also tries two "
        "models whose probabilities differ by about one part in a billion.",
        "np.array_equal(a.predict(X), b.predict(X)), and the same for predict_proba; "
        "return True only if both hold.",
    ],
)


# -- q3: a pipeline with the project's own step, loadable in a fresh process -------------------
def _fresh_process_outputs(path: Path, X: object, import_folder: Path | None,
                           scratch: Path) -> tuple[np.ndarray, np.ndarray]:
    """Labels and probabilities from loading ``path`` in a new Python process that can import
    installed packages and ``import_folder`` only; a failure becomes feedback."""
    import subprocess

    np.save(scratch / "X.npy", np.asarray(X, dtype=float))  # the custom step works on arrays
    outputs = scratch / "labels.npy", scratch / "probas.npy"
    env = {**os.environ, "PYTHONPATH": str(import_folder or "")}
    try:
        done = subprocess.run(
            [sys.executable, "-c", _FRESH_LOAD, str(path), str(scratch / "X.npy"),
             *map(str, outputs)],
            capture_output=True, text=True, env=env, cwd=scratch, timeout=300)
    except subprocess.TimeoutExpired:
        fail("loading the file in a fresh Python process took more than 5 minutes.")
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no error message"])[-1]
        if "__main__" in last:
            fail("a fresh Python process cannot load the file: it refers to a class defined in "
                 f"this notebook, `__main__` ({last}). Build the pipeline from the module's "
                 "class, penguin_steps.ClipOutliers, and save that pipeline.")
        fail(f"a fresh Python process could not load the file: {last}")
    return np.load(outputs[0]), np.load(outputs[1])


def _check_q3(custom_pipe: object, custom_path: object, X_train: object, y_train: object,
              X_test: object) -> None:
    expect(hasattr(custom_pipe, "steps"),
           f"`custom_pipe` should be a scikit-learn Pipeline, not a {type_name(custom_pipe)}.")
    names = [type(step).__name__ for _, step in custom_pipe.steps]
    expect("ClipOutliers" in names,
           f"`custom_pipe` has the steps {names}, without the ClipOutliers step: the point is "
           "a pipeline that contains the project's own code.")
    expect(tuple(names) == CUSTOM_STEPS,
           f"`custom_pipe` has the steps {names}; the task asks for "
           f"{list(CUSTOM_STEPS)}, in that order.")
    clipper, model = custom_pipe.steps[0][1], custom_pipe.steps[-1][1]
    if type(clipper).__module__ == "__main__":
        fail("the ClipOutliers in `custom_pipe` is the one defined in this notebook, in the "
             "module `__main__`: another process has no such class and cannot load the file. "
             "Use the class from the module: penguin_steps.ClipOutliers().")
    expect(clipper.get_params() == type(clipper)().get_params(),
           "the ClipOutliers step should keep its default quantiles: create it without "
           "arguments.")
    expect(model.get_params()["max_iter"] == 1_000,
           "the task asks for LogisticRegression(max_iter=1_000).")
    expect(is_fitted(custom_pipe), "`custom_pipe` is not fitted: fit it on the training data "
                                   "before saving it.")
    from sklearn.base import clone

    with quiet():
        reference = clone(custom_pipe).fit(X_train, y_train)
    expect(np.allclose(reference.predict_proba(X_test), custom_pipe.predict_proba(X_test),
                       rtol=0, atol=1e-9),
           "`custom_pipe` was not fitted on the training data (X_train, y_train).")
    path, _ = _as_path(custom_path, "CUSTOM_PATH")
    _expect_file(path, "CUSTOM_PATH", "Save `custom_pipe` there with joblib.dump.")
    module_file = getattr(sys.modules.get(type(clipper).__module__), "__file__", None)
    folder = Path(module_file).parent if module_file else None
    with tempfile.TemporaryDirectory(prefix="mlcourse-check-") as scratch:
        labels, probas = _fresh_process_outputs(path, X_test, folder, Path(scratch))
    expect(np.array_equal(labels, np.asarray(custom_pipe.predict(X_test)).astype(str)),
           "the model in the file predicts differently from `custom_pipe`: save "
           "`custom_pipe` itself, after fitting it.")
    expect(np.allclose(probas, custom_pipe.predict_proba(X_test), rtol=0, atol=1e-12),
           "the model in the file gives other probabilities than `custom_pipe`: save "
           "`custom_pipe` itself, after fitting it.")


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "Pickle stores a class by its import path. Which module does the ClipOutliers you "
        "use come from: the notebook (`__main__`) or `penguin_steps`?",
        "Build the pipeline with make_pipeline(penguin_steps.ClipOutliers(), StandardScaler(), "
        "LogisticRegression(max_iter=1_000)), fit it on X_train, y_train.",
        "Then joblib.dump(custom_pipe, CUSTOM_PATH). The bare name ClipOutliers is the "
        "notebook's own class: write penguin_steps.ClipOutliers.",
    ],
)


# -- q4: load a model only if its card's versions and hash match -------------------------------
_TRIPPED: list[str] = []


def _tripwire() -> dict:
    """What the booby-trapped file of the q4 check calls when it is unpickled."""
    _TRIPPED.append("loaded")
    return {}


class _Booby:
    def __reduce__(self):
        return (_tripwire, ())


def _file_sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_card(path: Path, **changes: object) -> dict:
    """The card save_with_card writes for the file at ``path``, with some fields changed."""
    versions = {**environment_versions(), **changes.pop("versions", {})}
    card = {"model_file": path.name, "sha256": _file_sha256(path), "versions": versions,
            **changes}
    path.with_suffix(".json").write_text(json.dumps(card, indent=2), encoding="utf-8")
    return card


def _expect_refused(load_checked: object, path: Path, case: str, how: str) -> None:
    """load_checked(path) must raise a ValueError, without unpickling the file first."""
    _TRIPPED.clear()
    refused, result, crash = False, None, None
    try:
        result = load_checked(path)
    except ValueError:
        refused = True
    except Exception as error:  # the learner's code broke on a case it should refuse
        crash = error
    tripped = bool(_TRIPPED)
    _TRIPPED.clear()
    if tripped:
        fail(f"for {case}, load_checked loaded the file before refusing it: loading a pickle "
             "runs code, so compare the hash first and load only when it matches.")
    if crash is not None:
        fail(f"for {case}, load_checked raised {type_name(crash)} ({crash}); refuse with a "
             "ValueError that says what differs.")
    if not refused:
        attempted(result)
        fail(f"load_checked accepted {case}: {how}")


def _check_q4(load_checked: object, model: object, X_test: object) -> None:
    import joblib

    expect_function(load_checked, "load_checked")
    with tempfile.TemporaryDirectory(prefix="mlcourse-check-") as scratch:
        path = Path(scratch) / "checked_model.joblib"
        joblib.dump(model, path, compress=3)
        _write_card(path, features=["checked"])
        loaded = call_learner(load_checked, path, call="load_checked(path_to_an_intact_model)")
        if loaded is None:
            fail("load_checked returned None for an intact model: return the loaded model.")
        _expect_fitted_model(loaded, "what load_checked returned for an intact model")
        _expect_same_outputs(loaded, model, X_test, "the model load_checked returned")

        for name, saved in (("scikit-learn", "1.2.2"), ("python", "3.8.10")):
            _write_card(path, versions={name: saved})
            _expect_refused(load_checked, path, f"a card that records {name} {saved}",
                            "compare every recorded version with environment_versions() and "
                            "raise a ValueError when one differs.")

        from sklearn.dummy import DummyClassifier

        labels = np.asarray(model.predict(X_test))
        _write_card(path)
        joblib.dump(DummyClassifier().fit(np.zeros((len(labels), 1)), labels), path)
        _expect_refused(load_checked, path, "a file changed after its card was written",
                        "compute the file's SHA-256 (file_sha256) and compare it with the "
                        "card's \"sha256\" before loading.")

        joblib.dump(model, path, compress=3)
        _write_card(path)
        path.write_bytes(pickle.dumps(_Booby()))
        _expect_refused(load_checked, path, "a file swapped for a pickle that runs code",
                        "compare the file's SHA-256 with the card before loading.")


q4 = Exercise(
    name="q4",
    notebook=NOTEBOOK,
    check_fn=_check_q4,
    hints=[
        "Three steps, in this order: read the card, compare, and only then load. Loading "
        "first would run whatever code a swapped file contains.",
        "json.loads(Path(path).with_suffix('.json').read_text()) gives the card; compare "
        "card['versions'] with environment_versions() and card['sha256'] with "
        "file_sha256(path).",
        "raise ValueError(...) when a version or the hash differs; otherwise return "
        "joblib.load(path).",
    ],
)
