"""The checks of 00_start_here/01_welcome: right answers pass, placeholders wait, mistakes fail."""

import numpy as np

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils.checks.m00_01_welcome import q1, q2, q3

SENTENCE = "More data beats clever models but clean data beats more data"


# -- q1 -------------------------------------------------------------------------------------------
def test_q1_passes_on_the_squares():
    assert_passes(q1, [n**2 for n in range(1, 11)])
    assert_passes(q1, [n * n for n in range(1, 11)])


def test_q1_pending_on_the_placeholder():
    assert_pending(q1)


def test_q1_rejects_range_starting_at_zero():
    assert_rejects(q1, [n**2 for n in range(10)], mentions="range(10)",
                   must_not_mention=("100", "81"))


def test_q1_rejects_a_missing_last_square():
    assert_rejects(q1, [n**2 for n in range(1, 10)], mentions="excluded",
                   must_not_mention=("100",))


def test_q1_rejects_doubling_instead_of_squaring():
    assert_rejects(q1, [n * 2 for n in range(1, 11)], mentions="doubled")


def test_q1_rejects_a_generator_or_an_array():
    assert_rejects(q1, (n**2 for n in range(1, 11)), mentions="list")
    assert_rejects(q1, np.arange(1, 11) ** 2, mentions="ndarray")


def test_q1_rejects_the_wrong_order_and_a_wrong_item():
    assert_rejects(q1, [n**2 for n in range(10, 0, -1)], mentions="order")
    wrong = [n**2 for n in range(1, 11)]
    wrong[4] = 24
    assert_rejects(q1, wrong, mentions="n = 5", must_not_mention=("25",))


# -- q2 -------------------------------------------------------------------------------------------
def reference_counts(sentence):
    words = sentence.lower().split()
    return {word: words.count(word) for word in set(words)}


def test_q2_passes_on_the_counts():
    from collections import Counter

    assert_passes(q2, reference_counts(SENTENCE), SENTENCE)
    assert_passes(q2, Counter(SENTENCE.lower().split()), SENTENCE)


def test_q2_pending_on_the_placeholder():
    assert_pending(q2, ..., SENTENCE)


def test_q2_rejects_counts_that_ignore_case():
    words = SENTENCE.split()  # forgot .lower(): "More" and "more" counted apart
    counts = {word: words.count(word) for word in words}
    assert_rejects(q2, counts, SENTENCE, mentions="lowercase")


def test_q2_rejects_counting_characters():
    from collections import Counter

    assert_rejects(q2, dict(Counter(SENTENCE.lower())), SENTENCE, mentions="split")


def test_q2_rejects_a_wrong_count_without_giving_it():
    counts = reference_counts(SENTENCE)
    counts["data"] = 2
    assert_rejects(q2, counts, SENTENCE, mentions="'data'", must_not_mention=("3",))


def test_q2_rejects_a_list_or_missing_words():
    assert_rejects(q2, SENTENCE.lower().split(), SENTENCE, mentions="dict")
    counts = reference_counts(SENTENCE)
    del counts["clever"]
    assert_rejects(q2, counts, SENTENCE, mentions="missing")


# -- q3 -------------------------------------------------------------------------------------------
def right_mean_and_std(values):
    return float(np.mean(values)), float(np.std(values))


def test_q3_passes_on_plain_python_and_numpy():
    def plain(values):
        mean = sum(values) / len(values)
        return mean, (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5

    assert_passes(q3, plain)
    assert_passes(q3, right_mean_and_std)
    assert_passes(q3, lambda values: (np.mean(values), np.std(values)))  # NumPy scalars


def test_q3_pending_on_the_placeholder_function():
    def mean_and_std(values):  # what the exercise notebook holds
        mean = ...
        std = ...
        return mean, std

    assert_pending(q3)
    assert_pending(q3, mean_and_std)


def test_q3_rejects_the_sample_standard_deviation():
    def sample(values):
        return float(np.mean(values)), float(np.std(values, ddof=1))

    assert_rejects(q3, sample, mentions="n - 1", must_not_mention=("2.138", "2.0"))


def test_q3_rejects_the_variance_and_swapped_values():
    assert_rejects(q3, lambda v: (float(np.mean(v)), float(np.var(v))), mentions="variance")
    assert_rejects(q3, lambda v: (float(np.std(v)), float(np.mean(v))), mentions="swapped")


def test_q3_rejects_a_wrong_mean_without_giving_it():
    def off_by_one(values):
        return sum(values) / (len(values) - 1), float(np.std(values))

    assert_rejects(q3, off_by_one, mentions="wrong mean", must_not_mention=("5.0",))


def test_q3_rejects_a_missing_return_a_list_and_a_non_function():
    def no_return(values):
        np.mean(values)

    assert_rejects(q3, no_return, mentions="return")
    assert_rejects(q3, lambda v: [float(np.mean(v)), float(np.std(v))], mentions="tuple")
    assert_rejects(q3, (5.0, 2.0), mentions="function itself")


def test_q3_reports_a_crash_inside_the_learners_function():
    def crashes(values):
        return values.mean(), values.std()  # works on arrays, not on lists

    assert_rejects(q3, crashes, mentions="AttributeError")
