"""The checks of 07_advanced_tuning/01_optuna: right, wrong and not attempted."""

from __future__ import annotations

import numpy as np
import optuna
import pytest
from scipy.stats import loguniform, uniform
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score
from sklearn.model_selection import PredefinedSplit, RandomizedSearchCV, train_test_split
from sklearn.preprocessing import OneHotEncoder

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils import load_dataset
from utils.checks.m07_01_optuna import q1, q2, q3, q4

pytestmark = pytest.mark.usefixtures("one_openmp_thread")  # tests/checks/conftest.py

SEED = 42
STEP, TREES = 5, 15

optuna.logging.set_verbosity(optuna.logging.WARNING)


@pytest.fixture(scope="module")
def data():
    """A small slice of the fraud table, one-hot encoded, split three ways."""
    fraud = load_dataset("fraud").sample(3000, random_state=SEED)
    y = fraud.pop("is_fraud").to_numpy()
    X = np.hstack([OneHotEncoder(sparse_output=False).fit_transform(fraud[["merchant_category"]]),
                   fraud.drop(columns="merchant_category").to_numpy(dtype=float)])
    X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=0.3, stratify=y,
                                                      random_state=SEED)
    X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_size=0.3,
                                                      stratify=y_rest, random_state=SEED)
    return X_train, y_train, X_val, y_val, X_test, y_test


def make_booster(learning_rate, max_leaf_nodes):
    return HistGradientBoostingClassifier(learning_rate=learning_rate,
                                          max_leaf_nodes=max_leaf_nodes, max_iter=TREES,
                                          early_stopping=False, warm_start=True,
                                          random_state=SEED)


def _ap(model, X, y):
    return average_precision_score(y, model.predict_proba(X)[:, 1])


# -- q1 -----------------------------------------------------------------------------------
def _objective(data, *, log=True, score_on="val", suggest_leaves="int", sign=1.0):
    X_train, y_train, X_val, y_val, X_test, y_test = data
    scored = {"val": (X_val, y_val), "train": (X_train, y_train), "test": (X_test, y_test)}

    def booster_objective(trial):
        learning_rate = trial.suggest_float("learning_rate", 0.01, 0.5, log=log)
        if suggest_leaves == "int":
            leaves = trial.suggest_int("max_leaf_nodes", 4, 64)
        else:
            leaves = int(trial.suggest_float("max_leaf_nodes", 4, 64))
        model = make_booster(learning_rate, leaves).fit(X_train, y_train)
        return sign * _ap(model, *scored[score_on])

    return booster_objective


def test_q1_passes_on_the_validation_objective(data):
    assert_passes(q1, _objective(data), make_booster, *data)


def test_q1_pending(data):
    assert_pending(q1)
    assert_pending(q1, lambda trial: ..., make_booster, *data)


def test_q1_rejects_a_linear_learning_rate(data):
    assert_rejects(q1, _objective(data, log=False), make_booster, *data, mentions="linear")


def test_q1_rejects_training_and_test_scores(data):
    assert_rejects(q1, _objective(data, score_on="train"), make_booster, *data,
                   mentions="TRAINING score")
    assert_rejects(q1, _objective(data, score_on="test"), make_booster, *data,
                   mentions="tuning on the test set")


def test_q1_rejects_a_negated_score_and_a_float_leaf_count(data):
    assert_rejects(q1, _objective(data, sign=-1.0), make_booster, *data, mentions="direction")
    assert_rejects(q1, _objective(data, suggest_leaves="float"), make_booster, *data,
                   mentions="suggest_int")


def test_q1_rejects_a_crash_and_a_result_instead_of_the_function(data):
    def broken(trial):
        raise ValueError("boom")

    assert_rejects(q1, broken, make_booster, *data, mentions="boom")
    assert_rejects(q1, 0.5, make_booster, *data, mentions="function")


# -- q2 -----------------------------------------------------------------------------------
def _pruned(data, *, report=True, prune="each", score_on="val"):
    X_train, y_train, X_val, y_val, *_ = data
    scored = {"val": (X_val, y_val), "train": (X_train, y_train)}

    def booster_pruned_objective(trial):
        learning_rate = trial.suggest_float("learning_rate", 0.01, 0.5, log=True)
        leaves = trial.suggest_int("max_leaf_nodes", 4, 64)
        model = make_booster(learning_rate, leaves)
        for step, n_trees in enumerate(range(STEP, TREES + 1, STEP)):
            model.set_params(max_iter=n_trees).fit(X_train, y_train)
            score = _ap(model, *scored[score_on])
            if report:
                trial.report(score, step=step)
            if prune == "each" and trial.should_prune():
                raise optuna.TrialPruned()
        if prune == "end" and trial.should_prune():
            raise optuna.TrialPruned()
        return _ap(model, X_val, y_val)

    return booster_pruned_objective


def _q2_inputs(data):
    X_train, y_train, X_val, y_val, *_ = data
    return make_booster, STEP, TREES, X_train, y_train, X_val, y_val


def test_q2_passes_on_the_pruned_objective(data):
    assert_passes(q2, _pruned(data), *_q2_inputs(data))


def test_q2_pending(data):
    assert_pending(q2)
    assert_pending(q2, lambda trial: ..., *_q2_inputs(data))


def test_q2_rejects_an_objective_that_reports_nothing(data):
    assert_rejects(q2, _pruned(data, report=False), *_q2_inputs(data), mentions="report")


def test_q2_rejects_reports_without_pruning_and_pruning_only_at_the_end(data):
    assert_rejects(q2, _pruned(data, prune="never"), *_q2_inputs(data),
                   mentions="should_prune")
    assert_rejects(q2, _pruned(data, prune="end"), *_q2_inputs(data), mentions="EVERY")


def test_q2_rejects_training_scores(data):
    assert_rejects(q2, _pruned(data, score_on="train"), *_q2_inputs(data),
                   mentions="TRAINING scores")


# -- q3 -----------------------------------------------------------------------------------
def _fake_objective(trial):
    """Same space as the booster, no model: the check looks at the study, not the fits."""
    rate = trial.suggest_float("learning_rate", 0.01, 0.5, log=True)
    leaves = trial.suggest_int("max_leaf_nodes", 4, 64)
    for step in range(3):
        trial.report(rate * leaves * (step + 1), step=step)
        if trial.should_prune():
            raise optuna.TrialPruned()
    return rate * leaves


@pytest.fixture
def storage_url(tmp_path):
    return f"sqlite:///{tmp_path / 'studies.db'}"


def _study(storage_url, name="booster-test", n_trials=5, **overrides):
    options = dict(storage=storage_url, study_name=name, load_if_exists=True,
                   direction="maximize", sampler=optuna.samplers.TPESampler(seed=SEED),
                   pruner=optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=1))
    options.update(overrides)
    study = optuna.create_study(**options)
    study.optimize(_fake_objective, n_trials=n_trials)
    return study


def test_q3_passes_on_the_stored_study(storage_url):
    assert_passes(q3, _study(storage_url), storage_url, "booster-test", 5, SEED)


def test_q3_pending(storage_url):
    assert_pending(q3)
    assert_pending(q3, ..., storage_url, "booster-test", 5, SEED)


def test_q3_rejects_the_default_direction(storage_url):
    study = _study(storage_url, direction="minimize")
    assert_rejects(q3, study, storage_url, "booster-test", 5, SEED, mentions="minimises")


def test_q3_rejects_a_study_in_memory_or_elsewhere(storage_url, tmp_path):
    assert_rejects(q3, _study(None), storage_url, "booster-test", 5, SEED, mentions="memory")
    other = f"sqlite:///{tmp_path / 'other.db'}"
    assert_rejects(q3, _study(other), storage_url, "booster-test", 5, SEED,
                   mentions="another database")
    assert_rejects(q3, _study(storage_url, name="x"), storage_url, "booster-test", 5, SEED,
                   mentions="name")


def test_q3_rejects_no_pruner_an_unseeded_sampler_and_too_few_trials(storage_url):
    assert_rejects(q3, _study(storage_url, name="a", pruner=optuna.pruners.NopPruner()),
                   storage_url, "a", 5, SEED, mentions="no pruner")
    assert_rejects(q3, _study(storage_url, name="b", sampler=optuna.samplers.TPESampler()),
                   storage_url, "b", 5, SEED, mentions="seed=SEED")
    assert_rejects(q3, _study(storage_url, name="c",
                              sampler=optuna.samplers.RandomSampler(seed=SEED)),
                   storage_url, "c", 5, SEED, mentions="TPE")
    assert_rejects(q3, _study(storage_url, name="d", n_trials=2), storage_url, "d", 5, SEED,
                   mentions="finished trial")


# -- q4 -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def search_data(data):
    X_train, y_train, X_val, y_val, *_ = data
    X = np.vstack([X_train, X_val])
    y = np.concatenate([y_train, y_val])
    fold = PredefinedSplit(np.r_[np.full(len(y_train), -1), np.zeros(len(y_val), dtype=int)])
    study = optuna.create_study(direction="maximize")
    study.optimize(_fake_objective, n_trials=4)
    return X, y, fold, study


def _random(search_data, *, n_iter=None, cv="fold", rate=None, refit=False,
            scoring="average_precision", seed=SEED):
    X, y, fold, study = search_data
    space = {"learning_rate": rate if rate is not None else loguniform(0.01, 0.5),
             "max_leaf_nodes": list(range(4, 65))}
    search = RandomizedSearchCV(make_booster(0.1, 31), space,
                                n_iter=n_iter or len(study.trials),
                                cv=fold if cv == "fold" else cv, scoring=scoring, refit=refit,
                                random_state=seed)
    return search.fit(X, y)


def test_q4_passes_at_the_same_budget(search_data):
    *_, fold, study = search_data
    assert_passes(q4, _random(search_data), study, fold, SEED)


def test_q4_pending(search_data):
    *_, fold, study = search_data
    assert_pending(q4)
    assert_pending(q4, ..., study, fold, SEED)


def test_q4_rejects_unequal_budgets(search_data):
    *_, fold, study = search_data
    assert_rejects(q4, _random(search_data, cv=3), study, fold, SEED, mentions="unequal budgets")
    assert_rejects(q4, _random(search_data, n_iter=2), study, fold, SEED, mentions="unequal")


def test_q4_rejects_a_linear_learning_rate(search_data):
    *_, fold, study = search_data
    assert_rejects(q4, _random(search_data, rate=uniform(0.01, 0.49)), study, fold, SEED,
                   mentions="linear scale")
    assert_rejects(q4, _random(search_data, rate=uniform(0.01, 0.5)), study, fold, SEED,
                   mentions="between 0.01 and 0.5")


def test_q4_rejects_refit_scoring_and_seed(search_data):
    *_, fold, study = search_data
    assert_rejects(q4, _random(search_data, refit=True), study, fold, SEED, mentions="refit")
    assert_rejects(q4, _random(search_data, scoring=None), study, fold, SEED,
                   mentions="average precision")
    assert_rejects(q4, _random(search_data, seed=0), study, fold, SEED, mentions="random_state")
