"""Checks of 01_python_for_ml/05_persistence: right answers pass, placeholders wait, mistakes
fail."""

from __future__ import annotations

import copy
import pickle
import platform
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
from utils.checks.m01_05_persistence import q1, q2, q3, q4, q5

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


# -- q2: save_model with joblib ---------------------------------------------------------------
def save_model(estimator, folder, name):
    path = Path(folder) / f"{name}.joblib"
    joblib.dump(estimator, path)
    return path


def test_q2_passes_on_right_answer(model, X_test):
    assert_passes(q2, save_model, model, X_test)


def test_q2_rejects_anything_but_a_path_object(model, X_test):
    """The task asks for a pathlib.Path: joblib.dump's list of names or a str is not one."""
    def returns_list(estimator, folder, name):
        return joblib.dump(estimator, Path(folder) / f"{name}.joblib")

    def returns_str(estimator, folder, name):
        path = Path(folder) / f"{name}.joblib"
        joblib.dump(estimator, path)
        return str(path)

    def returns_model(estimator, folder, name):
        joblib.dump(estimator, Path(folder) / f"{name}.joblib")
        return estimator

    assert_rejects(q2, returns_list, model, X_test, mentions="joblib.dump returns")
    assert_rejects(q2, returns_str, model, X_test, mentions="pathlib.Path")
    assert_rejects(q2, returns_model, model, X_test, mentions="should be a Path")


def test_q2_names_the_call_that_raised(model, X_test):
    def broken(estimator, folder, name):
        raise OSError("disk full")

    assert_rejects(q2, broken, model, X_test,
                   mentions="save_model(estimator, folder, 'checked_pipeline')` raised OSError")


def test_q2_pending(model, X_test):
    assert_pending(q2)
    assert_pending(q2, lambda estimator, folder, name: ..., model, X_test)


def test_q2_rejects_saving_the_global_model(model, X_test):
    """The body saves the notebook's `model` whatever `estimator` it is given."""
    def saves_global(estimator, folder, name):
        path = Path(folder) / f"{name}.joblib"
        joblib.dump(model, path)
        return path

    assert_rejects(q2, saves_global, model, X_test, mentions="global")


def test_q2_rejects_fixed_folder_wrong_name_and_no_dump(tmp_path, model, X_test):
    def fixed_folder(estimator, folder, name):
        path = tmp_path / f"{name}.joblib"
        joblib.dump(estimator, path)
        return path

    def no_suffix(estimator, folder, name):
        path = Path(folder) / name
        joblib.dump(estimator, path)
        return path

    def forgets_to_dump(estimator, folder, name):
        return Path(folder) / f"{name}.joblib"

    assert_rejects(q2, fixed_folder, model, X_test, mentions="inside `folder`")
    assert_rejects(q2, no_suffix, model, X_test, mentions=".joblib")
    assert_rejects(q2, forgets_to_dump, model, X_test, mentions="no file")
    assert_rejects(q2, "model.joblib", model, X_test, mentions="function itself")


# -- q3: exact comparison of two models ------------------------------------------------------
def same_behaviour(a, b, X):
    return np.array_equal(a.predict(X), b.predict(X)) and np.array_equal(
        a.predict_proba(X), b.predict_proba(X))


def test_q3_passes_on_right_answer(model, X_test):
    assert_passes(q3, same_behaviour, model, X_test)


def test_q3_pending(model, X_test):
    assert_pending(q3)
    assert_pending(q3, lambda a, b, X: ..., model, X_test)


def test_q3_rejects_allclose(model, X_test):
    """A tolerance hides a (slightly) different model."""
    def with_tolerance(a, b, X):
        return np.array_equal(a.predict(X), b.predict(X)) and np.allclose(
            a.predict_proba(X), b.predict_proba(X))

    assert_rejects(q3, with_tolerance, model, X_test, mentions="allclose")


def test_q3_rejects_labels_only(model, X_test):
    def labels_only(a, b, X):
        return np.array_equal(a.predict(X), b.predict(X))

    assert_rejects(q3, labels_only, model, X_test, mentions="predict_proba")


def test_q3_rejects_identity_arrays_and_junk(model, X_test):
    assert_rejects(q3, lambda a, b, X: a is b, model, X_test, mentions="output")
    assert_rejects(q3, lambda a, b, X: a.predict(X) == b.predict(X), model, X_test,
                   mentions="array")
    assert_rejects(q3, lambda a, b, X: None, model, X_test, mentions="True or False")
    assert_rejects(q3, True, model, X_test, mentions="function itself")


# -- q4: compression -------------------------------------------------------------------------
def test_q4_passes_on_right_answer(tmp_path, forest, X_test):
    for compress in (1, 3, 9, ("lzma", 3)):
        path = tmp_path / "forest.joblib"
        joblib.dump(forest, path, compress=compress)
        assert_passes(q4, path, forest, X_test)


def test_q4_pending(forest, X_test):
    assert_pending(q4)
    assert_pending(q4, ..., forest, X_test)


def test_q4_rejects_no_compression(tmp_path, forest, X_test):
    path = tmp_path / "forest.joblib"
    joblib.dump(forest, path)  # compress=0, the default
    size_kb = f"{path.stat().st_size / 1_000:.1f}"
    assert_rejects(q4, path, forest, X_test, mentions="compress",
                   must_not_mention=(size_kb, "50%"))


def test_q4_rejects_the_wrong_model_and_junk(tmp_path, model, forest, X_test):
    path = tmp_path / "model.joblib"
    joblib.dump(model, path, compress=3)
    assert_rejects(q4, path, forest, X_test, mentions="different model")
    assert_rejects(q4, tmp_path / "missing.joblib", forest, X_test, mentions="no file")
    assert_rejects(q4, forest, forest, X_test, mentions="not a path")
    assert_rejects(q4, 3, forest, X_test, mentions="path")


# -- q5: versions for a metadata file --------------------------------------------------------
def right_metadata() -> dict:
    return {"python": platform.python_version(), "numpy": np.__version__,
            "scikit-learn": sklearn.__version__, "joblib": joblib.__version__}


def test_q5_passes_on_right_answer():
    assert_passes(q5, right_metadata())


def test_q5_rejects_keys_the_task_does_not_ask_for():
    assert_rejects(q5, {**right_metadata(), "pandas": "3.0.0"}, mentions="does not ask for")


def test_q5_pending():
    assert_pending(q5)
    assert_pending(q5, {**right_metadata(), "joblib": ...})


def test_q5_rejects_typed_in_versions():
    """A version typed by hand (here an old one) instead of read at run time."""
    wrong = {**right_metadata(), "scikit-learn": "1.2.2"}
    assert_rejects(q5, wrong, mentions="run time", must_not_mention=(sklearn.__version__,))


def test_q5_rejects_sys_version_and_modules():
    assert_rejects(q5, {**right_metadata(), "python": sys.version}, mentions="sys.version",
                   must_not_mention=(platform.python_version(),))
    assert_rejects(q5, {**right_metadata(), "numpy": np}, mentions="string")


def test_q5_rejects_misspelt_keys_and_junk():
    wrong = right_metadata()
    wrong["sklearn"] = wrong.pop("scikit-learn")
    assert_rejects(q5, wrong, mentions="scikit-learn")
    assert_rejects(q5, list(right_metadata().values()), mentions="dict")
