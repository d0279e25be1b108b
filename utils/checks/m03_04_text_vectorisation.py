"""Checks for 03_feature_engineering/04_text_vectorisation: bag of words, TF-IDF, telling terms.

The checks receive the learner's answers, then the texts and labels the notebook split
(``X_train_text``, ``X_test_text``, ``y_train``, ``y_test``) or the fitted pipeline it built, so
every reference is computed from exactly what the learner was given, whatever ``SEED`` or
``QUICK`` the notebook ran with. Learners' estimators are only read; references are fitted on
clones.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..check_helpers import (
    call_learner,
    expect_function,
    expect_number,
    expect_type,
    is_fitted,
    quiet,
    type_name,
)
from ..exercises import Exercise, expect, fail

NOTEBOOK = "03_feature_engineering/04_text_vectorisation"

MIN_DF = 2
NGRAMS = (1, 2)
C = 10
MACRO_F1_FLOOR = 0.7  # uni+bigram TF-IDF + logistic regression scores far above this
TOLERANCE = 1e-6


def _texts(texts) -> list[str]:
    return [str(t) for t in texts]


def _same_matrix(a, b) -> bool:
    import scipy.sparse as sp

    if a.shape != b.shape:
        return False
    return (sp.csr_matrix(a) != sp.csr_matrix(b)).nnz == 0


def _which_texts(vectoriser, X_train_text, X_test_text) -> str:
    """Which texts a fitted vectoriser's vocabulary was learned from: train, test, all, other."""
    from sklearn.base import clone

    fitted = vectoriser.vocabulary_
    for label, texts in (("train", X_train_text), ("test", X_test_text),
                         ("all", [*_texts(X_train_text), *_texts(X_test_text)])):
        with quiet():
            if clone(vectoriser).fit(_texts(texts)).vocabulary_ == fitted:
                return label
    return "other"


def _vocabulary_feedback(where: str, name: str) -> None:
    if where == "test":
        fail(f"`{name}` learned its vocabulary from the test texts. Fit it on X_train_text: "
             "the test texts must stay unseen, and only be transformed.")
    if where == "all":
        fail(f"`{name}` learned its vocabulary from every text, test texts included. Fit it on "
             "X_train_text only; that is leakage.")
    expect(where == "train", f"`{name}`'s vocabulary is not the one learned from X_train_text: "
                             "fit it on the training texts (and nothing else).")


# -- q1: CountVectorizer fitted on the training texts ----------------------------------------
def _expect_sparse_matrix(value, name: str) -> None:
    import scipy.sparse as sp

    if isinstance(value, np.ndarray | pd.DataFrame):
        fail(f"`{name}` is a dense {type_name(value)}. Keep the sparse matrix that "
             "`fit_transform`/`transform` return: dense text matrices waste memory.")
    expect(sp.issparse(value), f"`{name}` should be the sparse document-term matrix returned "
                               f"by the vectoriser, not a {type_name(value)}.")


def _check_q1(count_vec, X_train_counts, X_test_counts, X_train_text, X_test_text) -> str:
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    expect_type(count_vec, CountVectorizer, "count_vec")
    if isinstance(count_vec, TfidfVectorizer):
        fail("`count_vec` is a TfidfVectorizer; this exercise asks for raw counts: use a "
             "CountVectorizer.")
    expect(count_vec.get_params()["min_df"] == MIN_DF,
           "keep only words found in at least two training tickets: pass `min_df=2` when you "
           "create the vectoriser.")
    expect(not count_vec.get_params()["binary"],
           "`binary=True` records whether a word occurs, not how often: leave `binary` at its "
           "default to get counts.")
    expect(hasattr(count_vec, "vocabulary_"),
           "`count_vec` is not fitted: fit it on X_train_text (`fit` or `fit_transform`).")
    _vocabulary_feedback(_which_texts(count_vec, X_train_text, X_test_text), "count_vec")
    n_terms = len(count_vec.vocabulary_)
    n_train, n_test = len(X_train_text), len(X_test_text)

    _expect_sparse_matrix(X_train_counts, "X_train_counts")
    expect(X_train_counts.shape == (n_train, n_terms),
           f"`X_train_counts` has shape {X_train_counts.shape}; it should have one row per "
           "training ticket and one column per vocabulary term.")
    with quiet():
        expect(_same_matrix(X_train_counts, count_vec.transform(_texts(X_train_text))),
               "`X_train_counts` does not hold the counts of X_train_text: transform the "
               "training texts with `count_vec`.")

    _expect_sparse_matrix(X_test_counts, "X_test_counts")
    if X_test_counts.shape[0] == n_train and n_train != n_test:
        fail("`X_test_counts` has one row per TRAINING ticket: transform X_test_text.")
    expect(X_test_counts.shape[0] == n_test,
           f"`X_test_counts` has {X_test_counts.shape[0]} rows but X_test_text has {n_test} "
           "tickets: transform X_test_text.")
    expect(X_test_counts.shape[1] == n_terms,
           f"`X_test_counts` has {X_test_counts.shape[1]} columns but the vocabulary learned "
           f"on the training texts has {n_terms}: a second vectoriser was fitted on the test "
           "texts. Use `count_vec.transform(X_test_text)`, not `fit_transform`.")
    with quiet():
        expect(_same_matrix(X_test_counts, count_vec.transform(_texts(X_test_text))),
               "`X_test_counts` does not hold the counts of X_test_text under the training "
               "vocabulary: use `count_vec.transform(X_test_text)`.")
    density = X_train_counts.nnz / max(1, n_train * n_terms)
    return f"{n_terms} terms; {density:.1%} of the training matrix is non-zero."


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "A vectoriser is a transformer: `fit` learns the vocabulary, `transform` counts. Learn "
        "from the training texts only.",
        "`CountVectorizer(min_df=2)`; `fit_transform(X_train_text)` fits and transforms the "
        "training texts in one call.",
        "For the test texts call `count_vec.transform(X_test_text)`: calling `fit_transform` "
        "again would learn a new vocabulary from the test set.",
    ],
)


# -- q2: a uni+bigram TF-IDF pipeline and its macro F1 --------------------------------------
def _check_q2(bigram_clf, bigram_f1, X_train_text, y_train, X_test_text, y_test) -> str:
    from sklearn.base import clone
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.pipeline import Pipeline

    if isinstance(bigram_clf, LogisticRegression):
        fail("`bigram_clf` is a bare LogisticRegression: put the TF-IDF vectoriser and the "
             "model together in a Pipeline, so that it takes raw texts.")
    expect_type(bigram_clf, Pipeline, "bigram_clf")
    steps = [step for _, step in bigram_clf.steps]
    first, last = steps[0], steps[-1]
    if isinstance(first, CountVectorizer) and not isinstance(first, TfidfVectorizer):
        fail("the first step is a CountVectorizer: this exercise asks for TF-IDF weights, a "
             "TfidfVectorizer.")
    expect(isinstance(first, TfidfVectorizer),
           f"the first step is a {type_name(first)}; it should be the TfidfVectorizer that "
           "turns texts into features.")
    expect(isinstance(last, LogisticRegression),
           f"the last step is a {type_name(last)}; it should be the LogisticRegression.")
    ngrams = tuple(first.get_params()["ngram_range"])
    if ngrams == (1, 1):
        fail("the vectoriser makes unigrams only: set `ngram_range=(1, 2)` to add word pairs.")
    if ngrams == (2, 2):
        fail("`ngram_range=(2, 2)` keeps only word pairs and loses the single words: use "
             "(1, 2), unigrams and bigrams.")
    expect(ngrams == NGRAMS, f"the task asks for unigrams and bigrams, `ngram_range=(1, 2)`, "
                             f"not {ngrams}.")
    expect(first.get_params()["min_df"] == MIN_DF,
           "keep terms found in at least two training tickets: `min_df=2`.")
    expect(last.get_params()["C"] == C,
           "the task asks for a weaker penalty on the logistic regression: `C=10`.")
    expect(is_fitted(last) and hasattr(first, "vocabulary_"),
           "`bigram_clf` is not fitted yet: call `bigram_clf.fit(X_train_text, y_train)`.")
    _vocabulary_feedback(_which_texts(first, X_train_text, X_test_text),
                         "the pipeline's vectoriser")

    with quiet():
        reference = clone(bigram_clf).fit(_texts(X_train_text), np.asarray(y_train))
        predicted = bigram_clf.predict(_texts(X_test_text))
        expect(np.array_equal(predicted.astype(str),
                              reference.predict(_texts(X_test_text)).astype(str)),
               "`bigram_clf` does not predict like the same pipeline fitted on the training "
               "texts: fit the whole pipeline once, on X_train_text and y_train.")
    score = expect_number(bigram_f1, "bigram_f1")
    y_true = np.asarray(y_test).astype(str)
    right = f1_score(y_true, predicted.astype(str), average="macro")
    if abs(score - right) > TOLERANCE:
        with quiet():
            on_train = f1_score(np.asarray(y_train).astype(str),
                                bigram_clf.predict(_texts(X_train_text)).astype(str),
                                average="macro")
        accuracy = accuracy_score(y_true, predicted.astype(str))
        weighted = f1_score(y_true, predicted.astype(str), average="weighted")
        if abs(score - on_train) <= TOLERANCE:
            fail("`bigram_f1` is the macro F1 on the TRAINING texts; score the test texts.")
        if abs(score - accuracy) <= TOLERANCE:
            fail("`bigram_f1` is the accuracy (that is what `.score` returns); compute the "
                 "macro F1 with `f1_score(..., average=\"macro\")`.")
        if abs(score - weighted) <= TOLERANCE:
            fail("`bigram_f1` is the weighted F1; the task asks for the macro average, where "
                 "every team counts the same.")
        fail("`bigram_f1` is not the macro F1 of `bigram_clf` on the test set: "
             "`f1_score(y_test, bigram_clf.predict(X_test_text), average=\"macro\")`.")
    expect(score >= MACRO_F1_FLOOR,
           "the macro F1 is unexpectedly low: check that the pipeline was fitted on the "
           "training texts with their own labels.")
    return f"test macro F1 {score:.3f} with {len(first.vocabulary_)} terms."


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "`make_pipeline(vectoriser, model)` chains a TfidfVectorizer and a LogisticRegression; "
        "`fit` on the raw training texts fits both.",
        "The vectoriser's options: `TfidfVectorizer(ngram_range=(1, 2), min_df=2)`; the "
        "model's: `LogisticRegression(C=10, solver=\"sag\", max_iter=1000, "
        "random_state=SEED)`.",
        "After `bigram_clf.fit(X_train_text, y_train)`, score the test texts: "
        "`f1_score(y_test, bigram_clf.predict(X_test_text), average=\"macro\")`.",
    ],
)


# -- q3: the terms with the largest coefficients for one team --------------------------------
def _toy_pipeline():
    """A small three-class text pipeline, so that the function is tested on a second input."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    texts = ["red apple pie", "green apple tart", "red cherry jam", "blue car fast",
             "red car slow", "green car wash", "blue sky rain", "grey sky storm",
             "blue rain cloud", "apple jam sweet", "car engine loud", "storm cloud dark"]
    labels = ["food", "food", "food", "car", "car", "car", "sky", "sky", "sky", "food", "car",
              "sky"]
    return make_pipeline(CountVectorizer(), LogisticRegression(C=100, max_iter=2000)).fit(
        texts, labels)


def _team_coefficients(pipeline, team) -> tuple[np.ndarray, dict[str, int]]:
    vectoriser, model = pipeline[0], pipeline[-1]
    coefs = np.asarray(model.coef_[list(model.classes_).index(team)])
    return coefs, {str(t): i for i, t in enumerate(vectoriser.get_feature_names_out())}


def _ranked_as(values: np.ndarray, wanted: np.ndarray) -> bool:
    """Do the coefficients of the returned terms equal ``wanted``, in order? Comparing
    values, not terms, accepts any order among terms whose coefficients tie."""
    return values.shape == wanted.shape and np.allclose(values, wanted, rtol=0, atol=1e-12)


def _terms_feedback(result, pipeline, team, n, call: str) -> None:
    if isinstance(result, np.ndarray | pd.Series | pd.Index | tuple):
        fail(f"`{call}` returned a {type_name(result)}; return a list of strings "
             "(`list(...)` converts it).")
    expect(isinstance(result, list), f"`{call}` should return a list of terms, not a "
                                     f"{type_name(result)}.")
    expect(len(result) == n, f"`{call}` returned {len(result)} terms instead of {n}.")
    if any(isinstance(t, int | np.integer) for t in result):
        fail(f"`{call}` returned column indices; map them to terms with the vectoriser's "
             "`get_feature_names_out()`.")
    expect(all(isinstance(t, str) for t in result),
           f"`{call}` should return terms as strings.")
    expect(len(set(result)) == n, f"`{call}` returned the same term more than once.")
    coefs, column = _team_coefficients(pipeline, team)
    unknown = [t for t in result if t not in column]
    if unknown:
        fail(f"`{call}` returned terms that are not in the vectoriser's vocabulary (such as "
             f"{unknown[0]!r}): take them from `get_feature_names_out()` of the pipeline you "
             "were given.")
    values = coefs[[column[t] for t in result]]
    descending = np.sort(coefs)[::-1]
    if _ranked_as(values, descending[:n]):
        return
    if _ranked_as(np.sort(values)[::-1], descending[:n]):
        fail(f"`{call}` has the right terms in the wrong order: largest coefficient first.")
    if _ranked_as(np.sort(values), np.sort(coefs)[:n]):
        fail(f"`{call}` returned the terms with the SMALLEST coefficients, the ones that push "
             "tickets away from the team; take the largest.")
    by_size = coefs[np.argsort(np.abs(coefs))[::-1][:n]]
    if _ranked_as(np.sort(values), np.sort(by_size)) and np.any(values < 0):
        fail(f"`{call}` ranks terms by the absolute value of their coefficients; a large "
             "negative coefficient pushes away from the team. Rank by the signed value.")
    rows = [column[t] for t in result]
    for other in pipeline[-1].classes_:
        other_coefs = _team_coefficients(pipeline, other)[0]
        if other != team and _ranked_as(np.sort(other_coefs[rows])[::-1],
                                        np.sort(other_coefs)[::-1][:n]):
            fail(f"`{call}` returned the telling terms of another team: the rows of `coef_` "
                 "follow the model's `classes_`; find the team's row there.")
    fail(f"`{call}` did not return the {n} terms with the largest coefficients for {team!r}.")


def _check_q3(top_terms, pipeline) -> str:
    expect_function(top_terms, "top_terms")
    cases = [(pipeline, team, n) for team in pipeline[-1].classes_ for n in (1, 5)]
    toy = _toy_pipeline()
    cases += [(toy, team, 3) for team in toy[-1].classes_]
    for pipe, team, n in cases:
        name = "ticket_clf" if pipe is pipeline else "a small three-class pipeline"
        call = f"top_terms({name}, {team!r}, {n})"
        with quiet():
            result = call_learner(top_terms, pipe, str(team), n, call=call)
        _terms_feedback(result, pipe, str(team), n, call)
    return "you can now read what a linear text model relies on."


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "Take the vectoriser and the model out of the pipeline (`pipeline[0]`, "
        "`pipeline[-1]`); use the arguments, not the notebook's global `ticket_clf`.",
        "The team's row of `model.coef_` is at `list(model.classes_).index(team)`; the "
        "column order is `vectoriser.get_feature_names_out()`.",
        "`np.argsort(row)[::-1][:n]` gives the indices of the n largest coefficients, largest "
        "first; index the feature names with them and convert to a list of `str`.",
    ],
)
