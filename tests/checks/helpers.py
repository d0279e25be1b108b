"""Assertions that every exercise check is tested with: right, wrong and not attempted."""

from __future__ import annotations

from utils.exercises import FAILED, PASSED, PENDING, Exercise


def assert_passes(exercise: Exercise, *values: object) -> None:
    status, message = exercise.verdict(*values)
    assert status == PASSED, f"{exercise.name} rejected a right answer: {message}"


def assert_rejects(exercise: Exercise, *values: object, mentions: str,
                   must_not_mention: tuple[str, ...] = ()) -> None:
    """The check says ❌, its feedback contains ``mentions`` (case-insensitive), and it does
    not leak any of ``must_not_mention`` (for instance the right value)."""
    status, message = exercise.verdict(*values)
    assert status == FAILED, f"{exercise.name} accepted a wrong answer ({status}: {message})"
    assert mentions.lower() in message.lower(), f"unhelpful feedback: {message!r}"
    for secret in must_not_mention:
        assert secret not in message, f"feedback leaks {secret!r}: {message!r}"


def assert_pending(exercise: Exercise, *placeholder: object) -> None:
    """The check says ⏳ on what the exercise notebook holds: ``...`` by default, or for a
    function exercise a function that returns ``...``."""
    status, message = exercise.verdict(*(placeholder or (...,)))
    assert status == PENDING, f"{exercise.name} on the placeholder said {status}: {message}"
    assert "not attempted" in message
