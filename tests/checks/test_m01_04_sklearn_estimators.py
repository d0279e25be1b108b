"""The checks of 01_python_for_ml/04_sklearn_estimators: right, wrong and not attempted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import mean_squared_error, r2_score
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils import load_dataset
from utils.check_helpers import PENGUIN_MEASUREMENTS
from utils.checks.m01_04_sklearn_estimators import q1, q2, q3, q4

SEED = 42
FEATURES = list(PENGUIN_MEASUREMENTS)


def _split(frame: pd.DataFrame, target: str, stratify: bool = True):
    X, y = frame.drop(columns=target), frame[target]
    return train_test_split(X, y, test_size=0.25, random_state=SEED,
                            stratify=y if stratify else None)


@pytest.fixture(scope="module")
def penguins():
    frame = load_dataset("penguins").dropna(subset=[*FEATURES, "species"])
    return _split(frame[[*FEATURES, "species"]], "species")


@pytest.fixture(scope="module")
def wine():
    return _split(load_dataset("wine"), "target")


@pytest.fixture(scope="module")
def diabetes():
    return _split(load_dataset("diabetes"), "target", stratify=False)


def _wine_models() -> dict:
    return {
        "baseline": DummyClassifier(strategy="most_frequent"),
        "k-NN (raw)": KNeighborsClassifier(),
        "k-NN (scaled)": make_pipeline(StandardScaler(), KNeighborsClassifier()),
        "decision tree": DecisionTreeClassifier(random_state=SEED),
        "random forest": RandomForestClassifier(n_estimators=10, random_state=SEED),
    }


# -- q1 --------------------------------------------------------------------------------------
def _tree(X, y) -> DecisionTreeClassifier:
    return DecisionTreeClassifier(max_depth=3, random_state=SEED).fit(X, y)


def test_q1_passes_on_test_predictions(penguins):
    X_train, X_test, y_train, y_test = penguins
    tree = _tree(X_train, y_train)
    assert_passes(q1, tree, tree.predict(X_test), X_train, X_test, y_test)
    assert_passes(q1, tree, list(tree.predict(X_test)), X_train, X_test, y_test)


def test_q1_pending():
    assert_pending(q1)
    assert_pending(q1, ..., ..., None, None, None)


def test_q1_rejects_predictions_on_training_rows(penguins):
    X_train, X_test, y_train, y_test = penguins
    tree = _tree(X_train, y_train)
    assert_rejects(q1, tree, tree.predict(X_train), X_train, X_test, y_test,
                   mentions="X_test")


def test_q1_rejects_tree_fitted_on_test_or_everything(penguins):
    X_train, X_test, y_train, y_test = penguins
    on_test = _tree(X_test, y_test)
    assert_rejects(q1, on_test, on_test.predict(X_test), X_train, X_test, y_test,
                   mentions="fitted on the test set")
    everything = _tree(pd.concat([X_train, X_test]), pd.concat([y_train, y_test]))
    assert_rejects(q1, everything, everything.predict(X_test), X_train, X_test, y_test,
                   mentions="test rows included")


def test_q1_rejects_unfitted_probabilities_and_wrong_type(penguins):
    X_train, X_test, y_train, y_test = penguins
    unfitted = DecisionTreeClassifier(max_depth=3, random_state=SEED)
    assert_rejects(q1, unfitted, np.array(["Adelie"] * len(X_test)), X_train, X_test, y_test,
                   mentions="not fitted")
    tree = _tree(X_train, y_train)
    assert_rejects(q1, tree, tree.predict_proba(X_test), X_train, X_test, y_test,
                   mentions="predict_proba")
    assert_rejects(q1, DecisionTreeClassifier, None, X_train, X_test, y_test,
                   mentions="instance")
    assert_rejects(q1, KNeighborsClassifier().fit(X_train, y_train), None, X_train, X_test,
                   y_test, mentions="DecisionTreeClassifier")
    deep = DecisionTreeClassifier(random_state=SEED).fit(X_train, y_train)
    assert_rejects(q1, deep, deep.predict(X_test), X_train, X_test, y_test,
                   mentions="max_depth")


def test_q1_rejects_predictions_from_another_model(penguins):
    X_train, X_test, y_train, y_test = penguins
    tree = _tree(X_train, y_train)
    shuffled = np.random.default_rng(SEED).permutation(tree.predict(X_test))
    assert_rejects(q1, tree, shuffled, X_train, X_test, y_test, mentions="tree.predict(X_test)")


# -- q2 --------------------------------------------------------------------------------------
def _knn_pipe():
    return make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=5))


def test_q2_passes_on_fitted_pipeline(penguins):
    X_train, X_test, y_train, y_test = penguins
    assert_passes(q2, _knn_pipe().fit(X_train, y_train), X_train, X_test, y_test, 5)


def test_q2_pending():
    assert_pending(q2)


def test_q2_rejects_bare_unscaled_knn(penguins):
    X_train, X_test, y_train, y_test = penguins
    bare = KNeighborsClassifier(n_neighbors=5).fit(X_train, y_train)
    assert_rejects(q2, bare, X_train, X_test, y_test, 5, mentions="Pipeline",
                   must_not_mention=("1.000",))


def test_q2_rejects_unfitted_or_fitted_on_test(penguins):
    X_train, X_test, y_train, y_test = penguins
    assert_rejects(q2, _knn_pipe(), X_train, X_test, y_test, 5, mentions="not fitted")
    assert_rejects(q2, _knn_pipe().fit(X_test, y_test), X_train, X_test, y_test, 5,
                   mentions="test set")


def test_q2_rejects_wrong_steps(penguins):
    X_train, X_test, y_train, y_test = penguins
    no_scaler = make_pipeline(KNeighborsClassifier())
    assert_rejects(q2, no_scaler, X_train, X_test, y_test, 5, mentions="two steps")
    wrong_model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X_train, y_train)
    assert_rejects(q2, wrong_model, X_train, X_test, y_test, 5, mentions="KNeighborsClassifier")
    assert_rejects(q2, "knn", X_train, X_test, y_test, 5, mentions="Pipeline")


# -- q3 --------------------------------------------------------------------------------------
def _scores(models: dict, X_fit, y_fit, X_eval, y_eval) -> dict:
    return {name: model.fit(X_fit, y_fit).score(X_eval, y_eval) for name, model in models.items()}


def test_q3_passes_on_test_scores(wine):
    X_train, X_test, y_train, y_test = wine
    models = _wine_models()
    scores = _scores(models, X_train, y_train, X_test, y_test)
    assert_passes(q3, scores, models, X_train, y_train, X_test, y_test)
    assert_passes(q3, pd.Series(scores), models, X_train, y_train, X_test, y_test)


def test_q3_pending():
    assert_pending(q3)
    assert_pending(q3, {"baseline": ..., "k-NN (raw)": ...}, _wine_models(), None, None, None,
                   None)


def test_q3_rejects_training_scores(wine):
    X_train, X_test, y_train, y_test = wine
    models = _wine_models()
    on_train = _scores(models, X_train, y_train, X_train, y_train)
    right = _scores(_wine_models(), X_train, y_train, X_test, y_test)
    assert_rejects(q3, on_train, models, X_train, y_train, X_test, y_test, mentions="TRAINING",
                   must_not_mention=tuple(f"{v:.3f}" for v in right.values()))


def test_q3_rejects_models_fitted_on_everything(wine):
    X_train, X_test, y_train, y_test = wine
    models = _wine_models()
    everything = _scores(models, pd.concat([X_train, X_test]), pd.concat([y_train, y_test]),
                         X_test, y_test)
    assert_rejects(q3, everything, models, X_train, y_train, X_test, y_test,
                   mentions="fitted on the training set")


def test_q3_rejects_wrong_shape_of_answer(wine):
    X_train, X_test, y_train, y_test = wine
    models = _wine_models()
    scores = _scores(models, X_train, y_train, X_test, y_test)
    partial = {k: v for k, v in scores.items() if k != "random forest"}
    assert_rejects(q3, partial, models, X_train, y_train, X_test, y_test,
                   mentions="random forest")
    assert_rejects(q3, list(scores.values()), models, X_train, y_train, X_test, y_test,
                   mentions="dict")
    as_models = dict(models)
    assert_rejects(q3, as_models, models, X_train, y_train, X_test, y_test,
                   mentions="not a number")
    percent = {k: 100 * v for k, v in scores.items()}
    assert_rejects(q3, percent, models, X_train, y_train, X_test, y_test, mentions="[0, 1]")


# -- q4 --------------------------------------------------------------------------------------
def test_q4_passes_on_test_r2(diabetes):
    X_train, X_test, y_train, y_test = diabetes
    reg = LinearRegression().fit(X_train, y_train)
    assert_passes(q4, reg, reg.score(X_test, y_test), X_train, y_train, X_test, y_test)
    r2 = r2_score(y_test, reg.predict(X_test))
    assert_passes(q4, reg, np.float64(r2), X_train, y_train, X_test, y_test)


def test_q4_pending():
    assert_pending(q4)
    assert_pending(q4, ..., ..., None, None, None, None)


def test_q4_rejects_training_r2(diabetes):
    X_train, X_test, y_train, y_test = diabetes
    reg = LinearRegression().fit(X_train, y_train)
    right = f"{reg.score(X_test, y_test):.3f}"
    assert_rejects(q4, reg, reg.score(X_train, y_train), X_train, y_train, X_test, y_test,
                   mentions="TRAINING", must_not_mention=(right,))


def test_q4_rejects_swapped_r2_score_and_mse(diabetes):
    X_train, X_test, y_train, y_test = diabetes
    reg = LinearRegression().fit(X_train, y_train)
    predictions = reg.predict(X_test)
    right = f"{reg.score(X_test, y_test):.3f}"
    assert_rejects(q4, reg, r2_score(predictions, y_test), X_train, y_train, X_test, y_test,
                   mentions="swapped", must_not_mention=(right,))
    assert_rejects(q4, reg, mean_squared_error(y_test, predictions), X_train, y_train, X_test,
                   y_test, mentions="MSE", must_not_mention=(right,))


def test_q4_rejects_model_fitted_on_test_and_bad_types(diabetes):
    X_train, X_test, y_train, y_test = diabetes
    on_test = LinearRegression().fit(X_test, y_test)
    assert_rejects(q4, on_test, on_test.score(X_test, y_test), X_train, y_train, X_test,
                   y_test, mentions="training set")
    reg = LinearRegression().fit(X_train, y_train)
    assert_rejects(q4, reg, reg.predict(X_test), X_train, y_train, X_test, y_test,
                   mentions="single number")
    assert_rejects(q4, LinearRegression(), 0.5, X_train, y_train, X_test, y_test,
                   mentions="not fitted")
    assert_rejects(q4, LogisticRegression(), 0.5, X_train, y_train, X_test, y_test,
                   mentions="classifier")


def test_q1_rejects_a_tree_without_random_state(penguins):
    X_train, X_test, y_train, y_test = penguins
    unseeded = DecisionTreeClassifier(max_depth=3).fit(X_train, y_train)
    assert_rejects(q1, unseeded, unseeded.predict(X_test), X_train, X_test, y_test,
                   mentions="random_state")


def test_q2_rejects_another_number_of_neighbours(penguins):
    X_train, X_test, y_train, y_test = penguins
    assert_rejects(q2, _knn_pipe().fit(X_train, y_train), X_train, X_test, y_test, 7,
                   mentions="N_NEIGHBORS", must_not_mention=("7",))


def test_q4_rejects_another_regressor(diabetes):
    from sklearn.linear_model import Ridge

    X_train, X_test, y_train, y_test = diabetes
    ridge = Ridge().fit(X_train, y_train)
    assert_rejects(q4, ridge, ridge.score(X_test, y_test), X_train, y_train, X_test, y_test,
                   mentions="LinearRegression")
    assert_rejects(q4, LinearRegression, 0.5, X_train, y_train, X_test, y_test,
                   mentions="instance")
