"""The exercise engine: ``q1.check(value)``, ``q1.hint()``, ``q1.solution()``.

A check shows one of three verdicts and never raises for a learner:

* ✅ correct;
* ❌ wrong, with specific feedback that points at the mistake without giving the answer;
* ⏳ not attempted yet: the value is still the ``...`` placeholder of the exercise notebook.

In a Jupyter kernel the verdict is a rich output (``utils.feedback``: colour, the verdict in
words, code formatting) whose plain-text form is the one line printed everywhere else.

In strict mode (environment variable ``MLCOURSE_STRICT=1``, used by the tests) a check raises
``CheckFailed`` on anything but ✅, so a broken solution cannot pass unnoticed.

Each notebook has one module of checks in ``utils.checks``. A check function receives the
learner's values and calls ``expect``/``fail`` to reject them; returning normally means correct.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .feedback import Feedback, show
from .verdicts import FAILED, PASSED, PENDING, SYMBOLS, record

__all__ = [
    "FAILED", "PASSED", "PENDING", "REGISTRY", "SYMBOLS", "STRICT_ENV", "CheckFailed",
    "Exercise", "attempted", "expect", "fail", "strict_mode",
]

STRICT_ENV = "MLCOURSE_STRICT"

# notebook id -> exercises in the order their module defines them
REGISTRY: dict[str, list[Exercise]] = {}


class Mismatch(Exception):
    """Raised inside a check function: the answer is wrong, and the message says why."""


class NotAttempted(Exception):
    """Raised inside a check function when a learner's function still returns ``...``."""


class CheckFailed(AssertionError):
    """Raised by ``Exercise.check`` in strict mode when the verdict is not ✅."""


def fail(message: str) -> None:
    """Reject the answer with ``message`` (feedback for the learner, never the answer)."""
    raise Mismatch(message)


def expect(condition: object, message: str) -> None:
    """Reject the answer with ``message`` unless ``condition`` holds."""
    if not condition:
        raise Mismatch(message)


def attempted(value: object) -> object:
    """Return ``value``, or report ⏳ if it is still the placeholder.

    For exercises where the learner completes a function body: the check calls the function
    and passes its result through ``attempted`` (the exercise notebook's body returns ``...``).
    """
    if _is_placeholder(value):
        raise NotAttempted
    return value


def strict_mode() -> bool:
    return os.environ.get(STRICT_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def _is_placeholder(value: object) -> bool:
    if value is Ellipsis:
        return True
    if isinstance(value, tuple | list):
        return any(item is Ellipsis for item in value)
    if isinstance(value, dict):
        return any(item is Ellipsis for item in value.values())
    return False


@dataclass
class Exercise:
    """One "Your turn" exercise of a notebook.

    ``check_fn`` receives the values passed to ``check`` and rejects wrong ones with
    ``fail``/``expect``; it may return a short remark to add to the ✅ line.
    """

    name: str
    notebook: str
    check_fn: Callable[..., str | None]
    hints: Iterable[str] = ()
    register: bool = True  # False for a demo that must stay out of the course's progress
    _hints_shown: int = field(default=0, init=False, repr=False)

    def __post_init__(self) -> None:
        self.hints = list(self.hints)
        if not self.hints:
            raise ValueError(f"{self.notebook} {self.name}: give at least one hint")
        if not self.register:
            return
        exercises = REGISTRY.setdefault(self.notebook, [])
        exercises[:] = [e for e in exercises if e.name != self.name] + [self]

    # -- learner API -------------------------------------------------------------------
    def check(self, *values: object) -> None:
        """Show ✅/❌/⏳ for ``values`` (rich in Jupyter, one plain line elsewhere) and record
        it; raise ``CheckFailed`` only in strict mode."""
        status, message = self.verdict(*values)
        show(Feedback.verdict(status, self.name, message))
        record(self.notebook, self.name, status)
        if strict_mode() and status != PASSED:
            raise CheckFailed(f"{self.notebook} {self.name}: {message}")

    def hint(self) -> None:
        """Show the next hint; the last one repeats once they are all shown."""
        index = min(self._hints_shown, len(self.hints) - 1)
        self._hints_shown = index + 1
        show(Feedback.hint(self.name, index + 1, len(self.hints), self.hints[index],
                           last=index == len(self.hints) - 1))

    def solution(self) -> None:
        """Print the reference code, taken from the solution notebook (the one source)."""
        from .generator import solution_code

        print(f"# Reference solution for {self.name} ({self.notebook})")
        print(solution_code(self.notebook, self.name))

    # -- for tests and tools --------------------------------------------------------------
    def verdict(self, *values: object) -> tuple[str, str]:
        """Return (status, message) without printing or recording anything."""
        pending = PENDING, "not attempted yet. Replace the `...` placeholder with your code."
        if not values or any(_is_placeholder(v) for v in values):
            return pending
        try:
            remark = self.check_fn(*values)
        except NotAttempted:
            return pending
        except Mismatch as wrong:
            return FAILED, f"{wrong} (stuck? try {self.name}.hint())"
        except Exception as error:  # the learner's value broke the check: still only feedback
            return FAILED, (
                f"your answer could not be checked ({type(error).__name__}: {error}). "
                f"Look at its type and shape; {self.name}.hint() may help."
            )
        return PASSED, "correct!" + (f" {remark}" if remark else "")
