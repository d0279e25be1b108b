"""The checks of 03_feature_engineering/04_text_vectorisation: right, wrong and not attempted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils import load_dataset
from utils.checks.m03_04_text_vectorisation import q1, q2, q3

SEED = 42


@pytest.fixture(scope="module")
def split():
    """The notebook's split, on its QUICK-sized sample (800 tickets) to keep the tests fast."""
    tickets = load_dataset("support_tickets").sample(n=800, random_state=SEED)
    return train_test_split(tickets["text"], tickets["team"], test_size=0.25,
                            stratify=tickets["team"], random_state=SEED)


def _bigram_clf(**vectoriser_options):
    options = {"ngram_range": (1, 2), "min_df": 2, **vectoriser_options}
    return make_pipeline(TfidfVectorizer(**options),
                         LogisticRegression(C=10, solver="sag", max_iter=1000,
                                            random_state=SEED))


@pytest.fixture(scope="module")
def fitted(split):
    X_train, _, y_train, _ = split
    return _bigram_clf().fit(X_train, y_train)


# -- q1 --------------------------------------------------------------------------------------
def test_q1_passes_on_a_vectoriser_fitted_on_the_training_texts(split):
    X_train, X_test, _, _ = split
    vec = CountVectorizer(min_df=2)
    assert_passes(q1, vec, vec.fit_transform(X_train), vec.transform(X_test), X_train, X_test)


def test_q1_pending():
    assert_pending(q1)
    assert_pending(q1, ..., ..., ..., None, None)


def test_q1_rejects_vocabulary_from_the_test_or_all_texts(split):
    X_train, X_test, _, _ = split
    on_test = CountVectorizer(min_df=2).fit(X_test)
    assert_rejects(q1, on_test, on_test.transform(X_train), on_test.transform(X_test),
                   X_train, X_test, mentions="test texts")
    on_all = CountVectorizer(min_df=2).fit(pd.concat([X_train, X_test]))
    assert_rejects(q1, on_all, on_all.transform(X_train), on_all.transform(X_test),
                   X_train, X_test, mentions="every text")


def test_q1_rejects_fit_transform_on_the_test_texts(split):
    X_train, X_test, _, _ = split
    vec = CountVectorizer(min_df=2)
    X_train_counts = vec.fit_transform(X_train)
    refit = CountVectorizer(min_df=2).fit_transform(X_test)
    assert_rejects(q1, vec, X_train_counts, refit, X_train, X_test, mentions="fit_transform")


def test_q1_rejects_wrong_settings_and_types(split):
    X_train, X_test, _, _ = split
    default = CountVectorizer()
    assert_rejects(q1, default, default.fit_transform(X_train), default.transform(X_test),
                   X_train, X_test, mentions="min_df=2")
    tfidf = TfidfVectorizer(min_df=2)
    assert_rejects(q1, tfidf, tfidf.fit_transform(X_train), tfidf.transform(X_test),
                   X_train, X_test, mentions="raw counts")
    binary = CountVectorizer(min_df=2, binary=True)
    assert_rejects(q1, binary, binary.fit_transform(X_train), binary.transform(X_test),
                   X_train, X_test, mentions="binary")
    assert_rejects(q1, CountVectorizer, None, None, X_train, X_test, mentions="instance")
    assert_rejects(q1, CountVectorizer(min_df=2), None, None, X_train, X_test,
                   mentions="not fitted")


def test_q1_rejects_dense_or_swapped_matrices(split):
    X_train, X_test, _, _ = split
    vec = CountVectorizer(min_df=2)
    X_train_counts = vec.fit_transform(X_train)
    X_test_counts = vec.transform(X_test)
    assert_rejects(q1, vec, X_train_counts.toarray(), X_test_counts, X_train, X_test,
                   mentions="dense")
    assert_rejects(q1, vec, X_train_counts, X_train_counts, X_train, X_test,
                   mentions="TRAINING ticket")
    assert_rejects(q1, vec, X_test_counts, X_test_counts, X_train, X_test,
                   mentions="one row per training ticket")


# -- q2 --------------------------------------------------------------------------------------
def _macro_f1(pipe, X_test, y_test):
    return f1_score(y_test, pipe.predict(X_test), average="macro")


def test_q2_passes_on_the_fitted_pipeline_and_its_score(split, fitted):
    X_train, X_test, y_train, y_test = split
    score = _macro_f1(fitted, X_test, y_test)
    assert_passes(q2, fitted, score, X_train, y_train, X_test, y_test)
    assert_passes(q2, fitted, np.float64(score), X_train, y_train, X_test, y_test)


def test_q2_pending():
    assert_pending(q2)
    assert_pending(q2, ..., ..., None, None, None, None)


def test_q2_rejects_unigrams_only_and_bigrams_only(split):
    X_train, X_test, y_train, y_test = split
    for ngrams, mentions in (((1, 1), "unigrams only"), ((2, 2), "loses the single words")):
        pipe = _bigram_clf(ngram_range=ngrams).fit(X_train, y_train)
        assert_rejects(q2, pipe, _macro_f1(pipe, X_test, y_test), X_train, y_train, X_test,
                       y_test, mentions=mentions)


def test_q2_rejects_a_vectoriser_fitted_on_all_texts(split):
    X_train, X_test, y_train, y_test = split
    pipe = _bigram_clf()
    pipe[0].fit(pd.concat([X_train, X_test]))
    pipe[-1].fit(pipe[0].transform(X_train), y_train)
    assert_rejects(q2, pipe, _macro_f1(pipe, X_test, y_test), X_train, y_train, X_test, y_test,
                   mentions="test texts included")


def test_q2_rejects_a_pipeline_fitted_on_the_test_texts(split):
    X_train, X_test, y_train, y_test = split
    pipe = _bigram_clf().fit(X_test, y_test)
    assert_rejects(q2, pipe, _macro_f1(pipe, X_test, y_test), X_train, y_train, X_test, y_test,
                   mentions="test texts")


def test_q2_rejects_accuracy_training_and_weighted_scores(split, fitted):
    X_train, X_test, y_train, y_test = split
    right = f"{_macro_f1(fitted, X_test, y_test):.3f}"
    accuracy = accuracy_score(y_test, fitted.predict(X_test))
    assert_rejects(q2, fitted, accuracy, X_train, y_train, X_test, y_test, mentions="accuracy",
                   must_not_mention=(right,))
    on_train = _macro_f1(fitted, X_train, y_train)
    assert_rejects(q2, fitted, on_train, X_train, y_train, X_test, y_test, mentions="TRAINING",
                   must_not_mention=(right,))
    weighted = f1_score(y_test, fitted.predict(X_test), average="weighted")
    assert_rejects(q2, fitted, weighted, X_train, y_train, X_test, y_test, mentions="weighted",
                   must_not_mention=(right,))
    assert_rejects(q2, fitted, fitted.predict(X_test), X_train, y_train, X_test, y_test,
                   mentions="single number")


def test_q2_rejects_wrong_steps(split):
    X_train, X_test, y_train, y_test = split
    bare = LogisticRegression().fit(TfidfVectorizer().fit_transform(X_train), y_train)
    assert_rejects(q2, bare, 0.8, X_train, y_train, X_test, y_test, mentions="Pipeline")
    counts = make_pipeline(CountVectorizer(ngram_range=(1, 2), min_df=2),
                           LogisticRegression(C=10)).fit(X_train, y_train)
    assert_rejects(q2, counts, 0.8, X_train, y_train, X_test, y_test, mentions="TfidfVectorizer")
    strong_penalty = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), min_df=2),
                                   LogisticRegression()).fit(X_train, y_train)
    assert_rejects(q2, strong_penalty, 0.8, X_train, y_train, X_test, y_test, mentions="C=10")
    assert_rejects(q2, _bigram_clf(), 0.8, X_train, y_train, X_test, y_test,
                   mentions="not fitted")


# -- q3 --------------------------------------------------------------------------------------
def _top_terms(pipeline, team, n):
    vectoriser, model = pipeline[0], pipeline[-1]
    row = list(model.classes_).index(team)
    order = np.argsort(model.coef_[row])[::-1][:n]
    return [str(term) for term in vectoriser.get_feature_names_out()[order]]


def test_q3_passes_on_the_reference_and_on_a_pandas_version(fitted):
    assert_passes(q3, _top_terms, fitted)

    def with_pandas(pipeline, team, n):
        model = pipeline[-1]
        coefs = pd.Series(model.coef_[list(model.classes_).index(team)],
                          index=pipeline[0].get_feature_names_out())
        return list(coefs.nlargest(n).index)

    assert_passes(q3, with_pandas, fitted)


def test_q3_pending(fitted):
    assert_pending(q3, ..., fitted)

    def placeholder(pipeline, team, n):
        return ...

    assert_pending(q3, placeholder, fitted)


def test_q3_rejects_smallest_coefficients_and_ascending_order(fitted):
    def smallest(pipeline, team, n):
        model = pipeline[-1]
        order = np.argsort(model.coef_[list(model.classes_).index(team)])[:n]
        return list(pipeline[0].get_feature_names_out()[order])

    assert_rejects(q3, smallest, fitted, mentions="SMALLEST")

    def ascending(pipeline, team, n):
        return _top_terms(pipeline, team, n)[::-1]

    assert_rejects(q3, ascending, fitted, mentions="wrong order")


def test_q3_rejects_absolute_values_and_the_wrong_row(fitted):
    def by_size(pipeline, team, n):
        model = pipeline[-1]
        coefs = model.coef_[list(model.classes_).index(team)]
        order = np.argsort(np.abs(coefs))[::-1][:n]
        return list(pipeline[0].get_feature_names_out()[order])

    assert_rejects(q3, by_size, fitted, mentions="absolute value")

    def wrong_row(pipeline, team, n):  # rows in alphabetical order of a different list
        model = pipeline[-1]
        teams = sorted(model.classes_, reverse=True)
        order = np.argsort(model.coef_[teams.index(team)])[::-1][:n]
        return list(pipeline[0].get_feature_names_out()[order])

    assert_rejects(q3, wrong_row, fitted, mentions="another team")


def test_q3_rejects_indices_arrays_and_a_global_pipeline(fitted):
    def indices(pipeline, team, n):
        model = pipeline[-1]
        return list(np.argsort(model.coef_[list(model.classes_).index(team)])[::-1][:n])

    assert_rejects(q3, indices, fitted, mentions="column indices")

    def as_array(pipeline, team, n):
        return np.array(_top_terms(pipeline, team, n))

    assert_rejects(q3, as_array, fitted, mentions="list")

    def uses_global(pipeline, team, n):
        return _top_terms(fitted, team, n)

    assert_rejects(q3, uses_global, fitted, mentions="small three-class pipeline")
    assert_rejects(q3, _top_terms(fitted, "billing", 5), fitted, mentions="function itself")
