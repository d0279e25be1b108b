"""Checks of 01_python_for_ml/05_persistence: right answers pass, placeholders wait, mistakes
fail."""

from __future__ import annotations

import copy
import hashlib
import importlib
import json
import pickle
import sys
from pathlib import Path

import joblib
import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils import load_dataset
from utils.check_helpers import PENGUIN_MEASUREMENTS
from utils.checks.m01_05_persistence import environment_versions, q1, q2, q3, q4

FEATURES = list(PENGUIN_MEASUREMENTS)


@pytest.fixture(scope="module")
def data():
    """The notebook's split of the penguins data (seed 42)."""
    penguins = load_dataset("penguins").dropna(subset=[*FEATURES, "species"])
    return train_test_split(penguins[FEATURES], penguins["species"], test_size=0.25,
                            stratify=penguins["species"], random_state=42)


@pytest.fixture(scope="module")
def model(data):
    X_train, _, y_train, _ = data
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1_000)).fit(X_train,
                                                                                  y_train)


@pytest.fixture(scope="module")
def forest(data):
    X_train, _, y_train, _ = data
    return RandomForestClassifier(n_estimators=20, random_state=42).fit(X_train, y_train)


@pytest.fixture(scope="module")
def X_test(data):
    return data[1]


# -- q1: pickle round trip through a file -----------------------------------------------------
def test_q1_passes_on_right_answer(tmp_path, model, X_test):
    path = tmp_path / "q1.pkl"
    path.write_bytes(pickle.dumps(model))
    assert_passes(q1, pickle.loads(path.read_bytes()), path, model, X_test)
    assert_passes(q1, pickle.loads(path.read_bytes()), str(path), model, X_test)


def test_q1_pending(tmp_path, model, X_test):
    assert_pending(q1)
    assert_pending(q1, ..., tmp_path / "q1.pkl", model, X_test)


def test_q1_rejects_the_same_object(tmp_path, model, X_test):
    """`restored = model`: nothing was loaded back."""
    path = tmp_path / "q1.pkl"
    path.write_bytes(pickle.dumps(model))
    assert_rejects(q1, model, path, model, X_test, mentions="same object")


def test_q1_rejects_bytes_and_unfitted(tmp_path, model, X_test):
    path = tmp_path / "q1.pkl"
    path.write_bytes(pickle.dumps(model))
    assert_rejects(q1, pickle.dumps(model), path, model, X_test, mentions="bytes")
    assert_rejects(q1, clone(model), path, model, X_test, mentions="not fitted")
    assert_rejects(q1, [1, 2, 3], path, model, X_test, mentions="not a fitted model")


def test_q1_rejects_missing_file_and_wrong_content(tmp_path, model, forest, X_test):
    restored = copy.deepcopy(model)
    assert_rejects(q1, restored, tmp_path / "never_written.pkl", model, X_test,
                   mentions="no file")
    other = tmp_path / "forest.pkl"
    other.write_bytes(pickle.dumps(forest))
    assert_rejects(q1, restored, other, model, X_test, mentions="different model")
    text = tmp_path / "text.pkl"
    text.write_text(str(model))
    assert_rejects(q1, restored, text, model, X_test, mentions="pickle.load")


# -- q2: exact comparison of two models ------------------------------------------------------
def same_behaviour(a, b, X):
    return np.array_equal(a.predict(X), b.predict(X)) and np.array_equal(
        a.predict_proba(X), b.predict_proba(X))


def test_q2_passes_on_right_answer(model, X_test):
    assert_passes(q2, same_behaviour, model, X_test)


def test_q2_pending(model, X_test):
    assert_pending(q2)
    assert_pending(q2, lambda a, b, X: ..., model, X_test)


def test_q2_rejects_allclose(model, X_test):
    """A tolerance hides a (slightly) different model."""
    def with_tolerance(a, b, X):
        return np.array_equal(a.predict(X), b.predict(X)) and np.allclose(
            a.predict_proba(X), b.predict_proba(X))

    assert_rejects(q2, with_tolerance, model, X_test, mentions="allclose")


def test_q2_rejects_labels_only(model, X_test):
    def labels_only(a, b, X):
        return np.array_equal(a.predict(X), b.predict(X))

    assert_rejects(q2, labels_only, model, X_test, mentions="predict_proba")


def test_q2_rejects_identity_arrays_and_junk(model, X_test):
    assert_rejects(q2, lambda a, b, X: a is b, model, X_test, mentions="output")
    assert_rejects(q2, lambda a, b, X: a.predict(X) == b.predict(X), model, X_test,
                   mentions="array")
    assert_rejects(q2, lambda a, b, X: None, model, X_test, mentions="True or False")
    assert_rejects(q2, True, model, X_test, mentions="function itself")


# -- q3: a pipeline with the project's own step, loaded in a fresh process -------------------
STEPS_SOURCE = """import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin


class ClipOutliers(TransformerMixin, BaseEstimator):
    def __init__(self, lower=0.01, upper=0.99):
        self.lower = lower
        self.upper = upper

    def fit(self, X, y=None):
        values = np.asarray(X, dtype=float)
        self.low_, self.high_ = np.quantile(values, [self.lower, self.upper], axis=0)
        self.n_features_in_ = values.shape[1]
        return self

    def transform(self, X):
        return np.clip(np.asarray(X, dtype=float), self.low_, self.high_)
"""


@pytest.fixture(scope="module")
def penguin_steps(tmp_path_factory):
    """The lesson's module of custom steps, importable as `penguin_steps`, as in the notebook."""
    folder = tmp_path_factory.mktemp("code")
    (folder / "penguin_steps.py").write_text(STEPS_SOURCE, encoding="utf-8")
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module("penguin_steps")
    finally:
        sys.path.remove(str(folder))
        sys.modules.pop("penguin_steps", None)


@pytest.fixture(scope="module")
def split(data):
    X_train, X_test, y_train, _ = data
    return X_train, y_train, X_test


def custom(clip_step, X, y, final=None):
    final = final or LogisticRegression(max_iter=1_000)
    return make_pipeline(clip_step, StandardScaler(), final).fit(X, y)


def test_q3_passes_on_right_answer(tmp_path, penguin_steps, split):
    X_train, y_train, X_test = split
    pipe = custom(penguin_steps.ClipOutliers(), X_train, y_train)
    path = tmp_path / "custom.joblib"
    joblib.dump(pipe, path)
    assert_passes(q3, pipe, path, X_train, y_train, X_test)
    assert_passes(q3, pipe, str(path), X_train, y_train, X_test)


def test_q3_pending(tmp_path, split):
    X_train, y_train, X_test = split
    assert_pending(q3)
    assert_pending(q3, ..., tmp_path / "custom.joblib", X_train, y_train, X_test)


def test_q3_rejects_the_notebooks_own_class(tmp_path, penguin_steps, split):
    """The demo's ClipOutliers lives in __main__: no other process can import it."""
    X_train, y_train, X_test = split
    in_main = type("ClipOutliers", (penguin_steps.ClipOutliers,), {"__module__": "__main__"})
    pipe = custom(in_main(), X_train, y_train)
    main = sys.modules["__main__"]
    main.ClipOutliers = in_main  # lets this process pickle it, as a notebook would
    try:
        path = tmp_path / "custom.joblib"
        joblib.dump(pipe, path)
        assert_rejects(q3, pipe, path, X_train, y_train, X_test, mentions="__main__")
        # custom_pipe itself is right, but the file holds the notebook's class: the fresh
        # process is what finds out
        good = custom(penguin_steps.ClipOutliers(), X_train, y_train)
        assert_rejects(q3, good, path, X_train, y_train, X_test, mentions="__main__")
    finally:
        del main.ClipOutliers


def test_q3_rejects_missing_or_misordered_steps(tmp_path, penguin_steps, split):
    X_train, y_train, X_test = split
    path = tmp_path / "custom.joblib"
    plain = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1_000)).fit(X_train,
                                                                                  y_train)
    joblib.dump(plain, path)
    assert_rejects(q3, plain, path, X_train, y_train, X_test, mentions="ClipOutliers step")
    swapped = make_pipeline(StandardScaler(), penguin_steps.ClipOutliers(),
                            LogisticRegression(max_iter=1_000)).fit(X_train, y_train)
    assert_rejects(q3, swapped, path, X_train, y_train, X_test, mentions="in that order")
    assert_rejects(q3, 3, path, X_train, y_train, X_test, mentions="Pipeline")


def test_q3_rejects_other_settings_unfitted_and_other_data(tmp_path, penguin_steps, split):
    X_train, y_train, X_test = split
    path = tmp_path / "custom.joblib"
    tighter = custom(penguin_steps.ClipOutliers(lower=0.1), X_train, y_train)
    assert_rejects(q3, tighter, path, X_train, y_train, X_test, mentions="default quantiles")
    short = custom(penguin_steps.ClipOutliers(), X_train, y_train, LogisticRegression())
    assert_rejects(q3, short, path, X_train, y_train, X_test, mentions="max_iter")
    unfitted = make_pipeline(penguin_steps.ClipOutliers(), StandardScaler(),
                             LogisticRegression(max_iter=1_000))
    assert_rejects(q3, unfitted, path, X_train, y_train, X_test, mentions="not fitted")
    _, X_other, _, y_other = train_test_split(X_train, y_train, test_size=0.5,
                                              stratify=y_train, random_state=0)
    on_half = custom(penguin_steps.ClipOutliers(), X_other, y_other)
    assert_rejects(q3, on_half, path, X_train, y_train, X_test, mentions="training data")


def test_q3_rejects_a_missing_or_different_file(tmp_path, penguin_steps, split):
    X_train, y_train, X_test = split
    pipe = custom(penguin_steps.ClipOutliers(), X_train, y_train)
    assert_rejects(q3, pipe, tmp_path / "never_written.joblib", X_train, y_train, X_test,
                   mentions="no file")
    other = custom(penguin_steps.ClipOutliers(), X_test, pipe.predict(X_test))
    path = tmp_path / "other.joblib"
    joblib.dump(other, path)
    assert_rejects(q3, pipe, path, X_train, y_train, X_test, mentions="save `custom_pipe` itself")


# -- q4: load_checked refuses changed versions and changed files ------------------------------
def file_sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def card_of(path):
    return json.loads(Path(path).with_suffix(".json").read_text(encoding="utf-8"))


def load_checked(path):
    card = card_of(path)
    current = environment_versions()
    differ = [name for name, saved in card["versions"].items() if current.get(name) != saved]
    if differ:
        raise ValueError(f"saved with other versions: {differ}")
    if file_sha256(path) != card["sha256"]:
        raise ValueError("the file changed after it was saved")
    return joblib.load(path)


def test_q4_passes_on_right_answer(model, X_test):
    assert_passes(q4, load_checked, model, X_test)


def test_q4_pending(model, X_test):
    assert_pending(q4)
    assert_pending(q4, lambda path: ..., model, X_test)


def test_q4_rejects_ignoring_versions(model, X_test):
    def hash_only(path):
        if file_sha256(path) != card_of(path)["sha256"]:
            raise ValueError("changed")
        return joblib.load(path)

    assert_rejects(q4, hash_only, model, X_test, mentions="environment_versions()")

    def sklearn_only(path):
        if card_of(path)["versions"]["scikit-learn"] != sklearn.__version__:
            raise ValueError("other scikit-learn")
        return hash_only(path)

    assert_rejects(q4, sklearn_only, model, X_test, mentions="python 3.8.10")


def test_q4_rejects_ignoring_the_hash(model, X_test):
    def versions_only(path):
        card = card_of(path)
        if card["versions"] != environment_versions():
            raise ValueError("other versions")
        return joblib.load(path)

    assert_rejects(q4, versions_only, model, X_test, mentions="SHA-256")


def test_q4_rejects_loading_before_checking_the_hash(model, X_test):
    """Comparing after joblib.load is too late: the file has already run its code."""
    def load_first(path):
        loaded = joblib.load(path)
        card = card_of(path)
        if card["versions"] != environment_versions() or file_sha256(path) != card["sha256"]:
            raise ValueError("refused")
        return loaded

    assert_rejects(q4, load_first, model, X_test, mentions="before refusing")


def test_q4_rejects_no_return_wrong_error_and_junk(model, X_test):
    def no_return(path):
        load_checked(path)

    assert_rejects(q4, no_return, model, X_test, mentions="returned None")

    def runtime_error(path):
        try:
            return load_checked(path)
        except ValueError as error:
            raise RuntimeError(str(error)) from None

    assert_rejects(q4, runtime_error, model, X_test, mentions="ValueError")
    assert_rejects(q4, "load_checked", model, X_test, mentions="function itself")
