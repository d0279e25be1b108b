"""The checks of 02_model_training_evaluation/05_bias_variance: right, wrong, pending."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    KFold,
    StratifiedKFold,
    cross_validate,
    learning_curve,
    train_test_split,
    validation_curve,
)
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier
from threadpoolctl import threadpool_limits

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils import load_dataset
from utils.checks import m02_05_bias_variance as module
from utils.checks.m02_05_bias_variance import q1, q2, q3

SEED = 42
K_RANGE = [1, 3, 5, 13, 34, 55]
TRAIN_SIZES = np.linspace(0.2, 1.0, 3)
GAP = 0.05
PARAM = "kneighborsclassifier__n_neighbors"


@pytest.fixture(autouse=True)
def one_thread():
    """k-NN's OpenMP threads crawl on a shared, busy machine; one thread is faster there."""
    with threadpool_limits(1):
        yield


def test_notebook_name_matches_the_module():
    folder, stem = module.NOTEBOOK.split("/")
    assert module.__name__.rsplit(".", 1)[-1] == f"m{folder[:2]}_{stem}"


@pytest.fixture(scope="module")
def data():
    digits = load_dataset("digits")
    X, y = digits.drop(columns="target"), digits["target"]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y,
                                                        random_state=SEED)
    cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)
    return X_train, X_test, y_train, y_test, cv


def _knn():
    return make_pipeline(StandardScaler(), KNeighborsClassifier())


# -- q1 --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def curve(data):
    X_train, _, y_train, _, cv = data
    with threadpool_limits(1):
        return validation_curve(_knn(), X_train, y_train, param_name=PARAM,
                                param_range=K_RANGE, cv=cv)


def _q1_args(data):
    X_train, _, y_train, _, cv = data
    return _knn(), K_RANGE, cv, X_train, y_train


def test_q1_passes_on_the_curve_and_the_best_k(data, curve):
    train, val = curve
    best = K_RANGE[int(np.argmax(val.mean(axis=1)))]
    assert_passes(q1, train, val, best, *_q1_args(data))
    assert_passes(q1, train, val, np.int64(best), *_q1_args(data))


def test_q1_pending(data):
    assert_pending(q1)
    assert_pending(q1, ..., ..., ..., *_q1_args(data))


def test_q1_rejects_badly_shaped_scores(data, curve):
    train, val = curve
    best = K_RANGE[int(np.argmax(val.mean(axis=1)))]
    assert_rejects(q1, train.T, val, best, *_q1_args(data), mentions="transposed")
    assert_rejects(q1, train.mean(axis=1), val, best, *_q1_args(data),
                   mentions="one number per")
    assert_rejects(q1, (train, val), val, best, *_q1_args(data), mentions="unpack")
    assert_rejects(q1, train.tolist(), val, best, *_q1_args(data), mentions="NumPy array")


def test_q1_rejects_swapped_or_duplicated_arrays(data, curve):
    train, val = curve
    best = K_RANGE[int(np.argmax(val.mean(axis=1)))]
    assert_rejects(q1, val, train, best, *_q1_args(data), mentions="swapped")
    assert_rejects(q1, val, val, best, *_q1_args(data), mentions="same array")


def test_q1_rejects_other_folds_or_all_rows(data):
    X_train, X_test, y_train, y_test, cv = data
    best = K_RANGE[0]
    train, val = validation_curve(_knn(), X_train, y_train, param_name=PARAM,
                                  param_range=K_RANGE, cv=5)  # 5 folds, not shuffled
    assert_rejects(q1, train, val, best, *_q1_args(data), mentions="cv=cv")
    X_all, y_all = pd.concat([X_train, X_test]), pd.concat([y_train, y_test])
    train, val = validation_curve(_knn(), X_all, y_all, param_name=PARAM,
                                  param_range=K_RANGE, cv=cv)
    assert_rejects(q1, train, val, best, *_q1_args(data), mentions="X_train")


def test_q1_rejects_a_k_not_chosen_on_validation_scores(data, curve):
    train, val = curve
    val_means, train_means = val.mean(axis=1), train.mean(axis=1)
    best_position = int(np.argmax(val_means))
    on_train = K_RANGE[int(np.argmax(train_means))]
    assert on_train != K_RANGE[best_position]
    assert_rejects(q1, train, val, on_train, *_q1_args(data), mentions="TRAINING")
    worst = K_RANGE[int(np.argmin(val_means))]
    assert_rejects(q1, train, val, worst, *_q1_args(data), mentions="LOWEST")
    assert_rejects(q1, train, val, best_position, *_q1_args(data), mentions="position")
    assert_rejects(q1, train, val, 4, *_q1_args(data), mentions="not one of")
    assert_rejects(q1, train, val, "8", *_q1_args(data), mentions="not one of")
    middle = [k for i, k in enumerate(K_RANGE)
              if k not in (on_train, worst, K_RANGE[best_position], best_position)
              and val_means[i] < val_means.max()]
    assert middle
    assert_rejects(q1, train, val, middle[0], *_q1_args(data), mentions="highest")


# -- q2 --------------------------------------------------------------------------------------
def _strong_logreg():
    return make_pipeline(StandardScaler(), LogisticRegression(C=0.001))


@pytest.fixture(scope="module")
def learning(data):
    X_train, _, y_train, _, cv = data
    with threadpool_limits(1):
        return learning_curve(_strong_logreg(), X_train, y_train, train_sizes=TRAIN_SIZES,
                              cv=cv)


def _q2_args(data):
    X_train, _, y_train, _, cv = data
    return _strong_logreg(), TRAIN_SIZES, GAP, cv, X_train, y_train


def _rule(train, val):
    return "high variance" if train[-1].mean() - val[-1].mean() > GAP else "high bias"


def test_q2_passes_on_the_curve_and_the_rule(data, learning):
    sizes, train, val = learning
    right = _rule(train, val)
    assert right == "high bias"  # a strongly regularised model underfits
    assert_passes(q2, sizes, train, val, right, *_q2_args(data))
    assert_passes(q2, sizes, train, val, " High Bias", *_q2_args(data))


def test_q2_pending(data):
    assert_pending(q2)
    assert_pending(q2, ..., ..., ..., ..., *_q2_args(data))


def test_q2_rejects_a_wrongly_unpacked_or_swapped_curve(data, learning):
    sizes, train, val = learning
    assert_rejects(q2, train, val, sizes, "high bias", *_q2_args(data), mentions="2-D")
    assert_rejects(q2, sizes, val, train, "high bias", *_q2_args(data), mentions="swapped")
    assert_rejects(q2, list(sizes), train, val, "high bias", *_q2_args(data),
                   mentions="1-D array")


def test_q2_rejects_a_curve_of_other_sizes_or_folds(data):
    X_train, _, y_train, _, _ = data
    sizes, train, val = learning_curve(_strong_logreg(), X_train, y_train,
                                       train_sizes=np.linspace(0.3, 1.0, 3), cv=KFold(5))
    assert_rejects(q2, sizes, train, val, "high bias", *_q2_args(data),
                   mentions="train_sizes")
    X_train, _, y_train, _, cv = data
    sizes, train, val = learning_curve(make_pipeline(StandardScaler(), LogisticRegression()),
                                       X_train, y_train, train_sizes=TRAIN_SIZES, cv=cv)
    assert_rejects(q2, sizes, train, val, "high bias", *_q2_args(data),
                   mentions="strong_logreg")


def test_q2_rejects_a_wrong_diagnosis(data, learning):
    sizes, train, val = learning
    assert train[0].mean() - val[0].mean() > GAP  # at the smallest size the gap is wide
    assert_rejects(q2, sizes, train, val, "high variance", *_q2_args(data),
                   mentions="SMALLEST")
    assert_rejects(q2, sizes, train, val, "underfitting", *_q2_args(data),
                   mentions="\"high bias\" or \"high variance\"")
    assert_rejects(q2, sizes, train, val, True, *_q2_args(data), mentions="string")


# -- q3 --------------------------------------------------------------------------------------
def _families():
    return {  # simplest first
        "naive Bayes": GaussianNB(),
        "k-NN": make_pipeline(StandardScaler(), KNeighborsClassifier()),
        "decision tree": DecisionTreeClassifier(random_state=SEED),
    }


@pytest.fixture(scope="module")
def selection(data):
    """The right answer, and a test set on which a family that loses on CV wins."""
    X_train, X_test, y_train, y_test, cv = data
    families = _families()
    with threadpool_limits(1):
        scores = {name: cross_validate(model, X_train, y_train, cv=cv,
                                       return_train_score=True)
                  for name, model in families.items()}
        fitted = {name: clone(model).fit(X_train, y_train) for name, model in families.items()}
        right = {name: fitted[name].predict(X_test) == y_test.to_numpy() for name in families}
    comparison = pd.DataFrame({
        "CV mean": {n: s["test_score"].mean() for n, s in scores.items()},
        "CV std": {n: s["test_score"].std(ddof=1) for n, s in scores.items()},
    })
    best = comparison["CV mean"].idxmax()
    threshold = comparison.loc[best, "CV mean"] - comparison.loc[best, "CV std"]
    tied = [n for n in families if comparison.loc[n, "CV mean"] >= threshold]
    losers = [n for n in families if n not in tied]
    assert len(losers) == 2, comparison
    # rows the first loser gets right and the tied families wrong, plus rows all get right:
    # on these the loser has the best test score
    lucky, other = losers
    favour = right[lucky] & ~np.any([right[n] for n in tied], axis=0)
    everyone = np.all([right[n] for n in families], axis=0)
    assert (favour & ~right[other]).sum() >= 1
    rigged = favour | everyone
    return {"comparison": comparison, "scores": scores, "tied": tied, "lucky": lucky,
            "other": other, "fitted": fitted,
            "X_test": X_test[rigged], "y_test": y_test[rigged]}


def _q3(selection, comparison=None, choice=None, final=None, accuracy=None, data=None):
    X_train, _, y_train, _, cv = data
    choice = choice or selection["tied"][0]
    if final is None:
        final = selection["fitted"].get(choice, selection["fitted"][selection["tied"][0]])
    X_test, y_test = selection["X_test"], selection["y_test"]
    if accuracy is None:
        accuracy = final.score(X_test, y_test)
    comparison = selection["comparison"] if comparison is None else comparison
    return (comparison, choice, final, accuracy, _families(), cv, X_train, y_train, X_test,
            y_test)


def test_q3_passes_on_the_whole_loop(data, selection):
    assert_passes(q3, *_q3(selection, data=data))
    population = selection["comparison"].assign(
        **{"CV std": {n: s["test_score"].std() for n, s in selection["scores"].items()}})
    assert_passes(q3, *_q3(selection, comparison=population, data=data))
    for name in selection["tied"][1:]:
        assert_rejects(q3, *_q3(selection, choice=name, data=data), mentions="simplest")


def test_q3_pending(data, selection):
    assert_pending(q3)
    args = list(_q3(selection, data=data))
    args[:4] = [..., ..., ..., ...]
    assert_pending(q3, *args)


def test_q3_rejects_a_choice_made_on_the_test_set(data, selection):
    lucky = selection["lucky"]
    test_scores = {n: m.score(selection["X_test"], selection["y_test"])
                   for n, m in selection["fitted"].items()}
    assert max(test_scores, key=test_scores.get) == lucky
    assert_rejects(q3, *_q3(selection, choice=lucky, data=data), mentions="TEST score")
    assert_rejects(q3, *_q3(selection, choice=selection["other"], data=data),
                   mentions="do not support")


def test_q3_rejects_a_comparison_on_the_wrong_scores(data, selection):
    scores = selection["scores"]
    comparison = selection["comparison"]
    on_train = comparison.assign(**{"CV mean": {n: s["train_score"].mean()
                                                for n, s in scores.items()}})
    assert_rejects(q3, *_q3(selection, comparison=on_train, data=data), mentions="TRAINING")
    on_test = comparison.assign(**{"CV mean": {
        n: m.score(selection["X_test"], selection["y_test"])
        for n, m in selection["fitted"].items()}})
    assert_rejects(q3, *_q3(selection, comparison=on_test, data=data), mentions="TEST set")
    X_train, _, y_train, _, _ = data
    unshuffled = comparison.assign(**{"CV mean": {
        n: cross_validate(m, X_train, y_train, cv=3)["test_score"].mean()
        for n, m in _families().items()}})
    assert_rejects(q3, *_q3(selection, comparison=unshuffled, data=data),
                   mentions="same folds")
    variance = comparison.assign(**{"CV std": comparison["CV std"] ** 2})
    assert_rejects(q3, *_q3(selection, comparison=variance, data=data),
                   mentions="standard deviation")


def test_q3_rejects_a_badly_shaped_comparison(data, selection):
    comparison = selection["comparison"]
    assert_rejects(q3, *_q3(selection, comparison=comparison.iloc[:2], data=data),
                   mentions="no row")
    assert_rejects(q3, *_q3(selection, comparison=comparison.drop(columns="CV std"),
                            data=data), mentions="no column 'CV std'")
    assert_rejects(q3, *_q3(selection, comparison=comparison.reset_index(drop=True),
                            data=data), mentions="no row")
    assert_rejects(q3, *_q3(selection, comparison=comparison["CV mean"], data=data),
                   mentions="Series")


def test_q3_rejects_a_bad_choice_or_final_model(data, selection):
    X_train, X_test, y_train, y_test, _ = data
    chosen = selection["tied"][0]
    assert_rejects(q3, *_q3(selection, choice="svm", data=data), mentions="not a name")
    args = list(_q3(selection, data=data))
    args[1] = _families()[chosen]
    assert_rejects(q3, *args, mentions="string")
    other = next(m for n, m in selection["fitted"].items() if n != chosen
                 and type(m) is not type(selection["fitted"][chosen]))
    assert_rejects(q3, *_q3(selection, final=other, data=data), mentions="should be a")
    assert_rejects(q3, *_q3(selection, final=clone(_families()[chosen]), accuracy=0.9,
                            data=data), mentions="not fitted")
    everything = clone(_families()[chosen]).fit(pd.concat([X_train, X_test]),
                                                pd.concat([y_train, y_test]))
    assert_rejects(q3, *_q3(selection, final=everything, data=data),
                   mentions="whole training set")


def test_q3_rejects_a_wrong_test_accuracy(data, selection):
    X_train, _, y_train, _, _ = data
    chosen = selection["tied"][0]
    final = selection["fitted"][chosen]
    cv_mean = selection["comparison"].loc[chosen, "CV mean"]
    assert_rejects(q3, *_q3(selection, accuracy=cv_mean, data=data), mentions="CV mean")
    assert_rejects(q3, *_q3(selection, accuracy=final.score(X_train, y_train), data=data),
                   mentions="TRAINING")
    assert_rejects(q3, *_q3(selection, accuracy=0.5, data=data), mentions="not the accuracy")
    assert_rejects(q3, *_q3(selection, accuracy=final.predict(selection["X_test"]),
                            data=data), mentions="single number")


def test_q3_rejects_a_tied_family_when_a_simpler_one_is_tied_too(data):
    X_train, X_test, y_train, y_test, cv = data
    models = {"k-NN, 5 neighbours": make_pipeline(StandardScaler(), KNeighborsClassifier(5)),
              "k-NN, 3 neighbours": make_pipeline(StandardScaler(), KNeighborsClassifier(3))}
    scores = {n: cross_validate(m, X_train, y_train, cv=cv)["test_score"]
              for n, m in models.items()}
    comparison = pd.DataFrame({"CV mean": {n: s.mean() for n, s in scores.items()},
                               "CV std": {n: s.std(ddof=1) for n, s in scores.items()}})
    best = comparison["CV mean"].idxmax()
    threshold = comparison.loc[best, "CV mean"] - comparison.loc[best, "CV std"]
    assert (comparison["CV mean"] >= threshold).all()  # both are tied
    simpler, other = models
    for name, check in [(simpler, assert_passes), (other, assert_rejects)]:
        final = clone(models[name]).fit(X_train, y_train)
        args = (comparison, name, final, final.score(X_test, y_test), models, cv, X_train,
                y_train, X_test, y_test)
        if check is assert_passes:
            assert_passes(q3, *args)
        else:
            assert_rejects(q3, *args, mentions="simplest")
