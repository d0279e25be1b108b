"""How a verdict or a hint is shown: rich in Jupyter, the same plain text everywhere else.

A ``Feedback`` carries two forms of one message:

* ``text/plain``: exactly the line a check has always printed (``✅ q1: correct!``). Terminals,
  papermill, nbval and the course's tests see this form;
* ``text/html``: for JupyterLab, Notebook and Colab. A coloured box per verdict, the verdict in
  words beside its symbol (``✅ Correct``, ``❌ Not yet``, ``⏳ Not attempted``, ``💡 Hint 1/3``:
  the words still read where no emoji font draws the symbol), backticked spans set as code, and
  normal word wrapping. Everything in it is HTML-escaped, learner-derived text included.

``show`` displays a Feedback as a rich output inside a Jupyter kernel and prints its plain
text anywhere else.
"""

from __future__ import annotations

import html
import re
import sys

from .verdicts import FAILED, HINT_LABEL, HINT_SYMBOL, LABELS, PASSED, PENDING, SYMBOLS

HINT = "hint"
# border colour and a translucent background, readable on light and dark themes
COLOURS = {
    PASSED: ("#2e7d32", "rgba(46, 125, 50, 0.10)"),
    FAILED: ("#c62828", "rgba(198, 40, 40, 0.08)"),
    PENDING: ("#8d6e00", "rgba(240, 180, 0, 0.12)"),
    HINT: ("#1565c0", "rgba(21, 101, 192, 0.08)"),
}
CODE = re.compile(r"`([^`\n]+)`")
EMOJI_FONTS = "'Noto Color Emoji', 'Apple Color Emoji', 'Segoe UI Emoji', sans-serif"


def rich_text(text: str) -> str:
    """``text`` as HTML: escaped, with Markdown-style `backticked` spans as <code>."""
    escaped = html.escape(text, quote=True)
    return CODE.sub(lambda match: f"<code>{match[1]}</code>", escaped)


class Feedback:
    """One verdict or hint, with a plain-text and an HTML form (an IPython display object).

    ``kind`` is a status of ``utils.verdicts`` or ``"hint"``; ``title`` the words shown beside
    the symbol (``Correct``, ``Hint 1/3``); ``name`` the exercise; ``message`` its feedback;
    ``text`` the plain-text line, exactly what is printed outside Jupyter.
    """

    def __init__(self, kind: str, title: str, name: str, message: str, text: str) -> None:
        if kind not in COLOURS:
            raise ValueError(f"kind must be one of {sorted(COLOURS)}, not {kind!r}")
        self.kind, self.title, self.name, self.message, self.text = (
            kind, title, name, message, text)

    @classmethod
    def verdict(cls, status: str, name: str, message: str) -> Feedback:
        return cls(status, LABELS[status], name, message, f"{SYMBOLS[status]} {name}: {message}")

    @classmethod
    def hint(cls, name: str, number: int, total: int, hint: str, last: bool) -> Feedback:
        more = " (that was the last one)" if last else ""
        text = f"{HINT_SYMBOL} {name} hint {number}/{total}{more}: {hint}"
        title = f"{HINT_LABEL} {number}/{total}" + (", the last one" if last else "")
        return cls(HINT, title, name, hint, text)

    def symbol(self) -> str:
        return HINT_SYMBOL if self.kind == HINT else SYMBOLS[self.kind]

    def html(self) -> str:
        border, background = COLOURS[self.kind]
        box = (f"border-left: 4px solid {border}; background: {background}; "
               "padding: 6px 10px; margin: 2px 0; border-radius: 4px; line-height: 1.45; "
               "white-space: normal; overflow-wrap: break-word; max-width: 60em")
        return (
            f'<div class="mlcourse-feedback mlcourse-{self.kind}" style="{box}">'
            f'<span style="font-family: {html.escape(EMOJI_FONTS)}">{self.symbol()}</span> '
            f'<strong style="color: {border}">{html.escape(self.title)}</strong> '
            f"<code>{html.escape(self.name)}</code>: {rich_text(self.message)}</div>"
        )

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        return {"text/plain": self.text, "text/html": self.html()}

    def __repr__(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


def in_kernel() -> bool:
    """Is this code running in a Jupyter kernel (where a rich display reaches a frontend)?"""
    if "IPython" not in sys.modules:  # a plain interpreter never imported it: no kernel
        return False
    from IPython import get_ipython

    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def show(feedback: Feedback) -> None:
    """Display ``feedback`` richly in a Jupyter kernel; print its plain text anywhere else."""
    if in_kernel():
        from IPython.display import display

        display(feedback)
    else:
        print(feedback.text)
