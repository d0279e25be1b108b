"""Checks for 00_start_here/01_welcome: three Python warm-ups that show how checks behave.

q1 and q2 receive the learner's value (q2 also the sentence it counts); q3 receives the
learner's function and calls it on lists of its own.
"""

from __future__ import annotations

import math

from ..check_helpers import call_learner, expect_function, is_real, type_name
from ..exercises import Exercise, expect, fail

NOTEBOOK = "00_start_here/01_welcome"
CASES = ([2, 4, 4, 4, 5, 5, 7, 9], [1, 2, 3, 4], [-3.5, 0.0, 10.25], [7])  # q3's inputs


# -- q1: squares with a list comprehension ------------------------------------------------------
def _check_q1(squares: object) -> None:
    expect(
        isinstance(squares, list),
        f"`squares` should be a list (got `{type_name(squares)}`). "
        "Wrap your comprehension in square brackets: [... for ... in ...].",
    )
    expect(
        all(is_real(x) for x in squares),
        "every item of `squares` should be a number.",
    )
    numbers = range(1, 11)
    reference = [n * n for n in numbers]
    if squares == [n * n for n in range(10)]:
        fail("your list starts with the square of 0: `range(10)` starts at 0. "
             "The task asks for the numbers 1 to 10.")
    if squares == [n * n for n in range(1, 10)]:
        fail("the square of 10 is missing: the stop value of `range` is excluded, "
             "so go one further.")
    expect(
        len(squares) == len(reference),
        f"`squares` has {len(squares)} items, but it needs one for each number from 1 to 10.",
    )
    if squares == [n * 2 for n in numbers]:
        fail("these are the numbers doubled (n * 2), not squared: use n ** 2 or n * n.")
    if sorted(squares) == reference and squares != reference:
        fail("the right squares, but in the wrong order: keep the order of 1, 2, ..., 10.")
    wrong = [n for n, got, want in zip(numbers, squares, reference, strict=True) if got != want]
    expect(not wrong, f"the item for n = {wrong[0] if wrong else ''} is not n squared.")


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "A list comprehension reads like a sentence: [expression for item in iterable].",
        "The iterable is the numbers 1 to 10; remember that `range(start, stop)` excludes stop.",
        "Iterate over `range(1, 11)` and square each number with the `**` operator.",
    ],
)


# -- q2: counting words ------------------------------------------------------------------------
def _check_q2(word_counts: object, sentence: object) -> None:
    expect(isinstance(sentence, str), "pass the sentence as the second argument: "
           "q2.check(word_counts, sentence).")
    expect(
        isinstance(word_counts, dict),
        f"`word_counts` should be a dict mapping each word to its count "
        f"(got `{type_name(word_counts)}`).",
    )
    expect(word_counts, "`word_counts` is empty: loop over the words of the sentence.")
    expect(all(isinstance(k, str) for k in word_counts),
           "every key of `word_counts` should be a word (a str).")
    expect(
        all(isinstance(v, int) and not isinstance(v, bool) for v in word_counts.values()),
        "every value of `word_counts` should be a count (an int).",
    )
    words = sentence.lower().split()
    reference: dict[str, int] = {}
    for word in words:
        reference[word] = reference.get(word, 0) + 1
    if len(reference) > 1 and all(len(k) <= 1 for k in word_counts):
        fail("your keys are single characters, so you counted letters. "
             "Split the sentence into words first (str.split).")
    if any(k != k.lower() for k in word_counts):
        fail("some keys contain capital letters, but the count is case-insensitive: "
             "'Data' and 'data' are the same word. Lowercase the sentence before counting.")
    if any(k != k.strip() or not k for k in word_counts):
        fail("some keys are empty or contain spaces: split on whitespace with `.split()` "
             "(no argument), which also drops empty strings.")
    missing = [w for w in reference if w not in word_counts]
    expect(not missing, f"the word {missing[0]!r} is missing." if missing else "")
    extra = [w for w in word_counts if w not in reference]
    expect(not extra, f"{extra[0]!r} is not a word of the sentence." if extra else "")
    off = [w for w in reference if word_counts[w] != reference[w]]
    expect(not off, f"the count for {off[0]!r} is off: count every occurrence, "
           "whatever its case." if off else "")


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "Two steps: turn the sentence into a list of lowercase words, then count them.",
        "`sentence.lower().split()` gives the words; a dict counts them if you add 1 per word.",
        "Start from an empty dict and add 1 to a word's count each time you meet it; "
        "`counts.get(word, 0)` gives 0 for a word not seen yet. (collections.Counter also works.)",
    ],
)


# -- q3: a function returning (mean, std) ------------------------------------------------------
def _population(values: list[float]) -> tuple[float, float]:
    mean = sum(values) / len(values)
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def _check_q3(mean_and_std: object) -> None:
    function = expect_function(mean_and_std, "mean_and_std")
    for values in CASES:
        call = f"mean_and_std({values})"
        result = call_learner(function, list(values), call=call)
        expect(result is not None, f"{call} returned None: did you forget `return mean, std`?")
        expect(
            isinstance(result, tuple),
            f"{call} returned `{type_name(result)}`; return a tuple: `return mean, std`.",
        )
        expect(len(result) == 2,
               f"{call} returned {len(result)} values; return exactly two: (mean, std).")
        expect(
            all(is_real(x) for x in result),
            f"{call} should return two numbers, not "
            f"({type_name(result[0])}, {type_name(result[1])}).",
        )
        mean, std = (float(x) for x in result)
        want_mean, want_std = _population(values)
        if len(values) > 1 and _close(mean, want_std) and _close(std, want_mean) \
                and not _close(mean, want_mean):
            fail(f"{call}: mean and std are swapped; return (mean, std) in that order.")
        expect(_close(mean, want_mean),
               f"{call} gives the wrong mean: add the values up and divide by how many there are.")
        if len(values) > 1:
            sample = math.sqrt(sum((v - want_mean) ** 2 for v in values) / (len(values) - 1))
            if _close(std, sample) and not _close(std, want_std):
                fail(f"{call}: that is the sample standard deviation (dividing by n - 1). "
                     "This exercise wants the population one (dividing by n), "
                     "like np.std's default.")
            if _close(std, want_std ** 2) and not _close(std, want_std):
                fail(f"{call}: that looks like the variance; the standard deviation is "
                     "its square root.")
        expect(_close(std, want_std),
               f"{call} gives the wrong standard deviation: average the squared distances "
               "from the mean, then take the square root.")


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "The mean is the sum divided by the count; the standard deviation measures the "
        "typical distance from the mean.",
        "Population standard deviation: the square root of the average of (value - mean) ** 2, "
        "dividing by n (not n - 1).",
        "Plain Python works (sum, len and math.sqrt); so does NumPy: np.mean and np.std, "
        "whose default already divides by n.",
    ],
)
