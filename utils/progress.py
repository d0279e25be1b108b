"""A learner's progress: ``show_progress()`` (or ``make progress``) prints one row per notebook.

Every check result is recorded in ``<workspace>/progress.jsonl`` (see ``utils.verdicts``); the
table shows the latest verdict of every exercise of every check module.
"""

from __future__ import annotations

import importlib
import pkgutil

from . import checks
from .exercises import REGISTRY
from .verdicts import FAILED, PASSED, PENDING, PROGRESS_FILE, SYMBOLS, latest_results, record

__all__ = ["PROGRESS_FILE", "all_exercises", "latest_results", "progress_table", "record",
           "show_progress"]


def all_exercises() -> dict[str, list[str]]:
    """Notebook id -> exercise names, for every check module of the course."""
    for module in pkgutil.iter_modules(checks.__path__):
        importlib.import_module(f"{checks.__name__}.{module.name}")
    return {nb: [e.name for e in exercises] for nb, exercises in sorted(REGISTRY.items())}


def progress_table():
    """A DataFrame with one row per notebook: exercises passed, failed, not yet tried."""
    import pandas as pd

    results = latest_results()
    rows = []
    for notebook, names in all_exercises().items():
        statuses = [results.get((notebook, name), "untried") for name in names]
        rows.append(
            {
                "notebook": notebook,
                "exercises": len(names),
                f"{SYMBOLS[PASSED]} passed": statuses.count(PASSED),
                f"{SYMBOLS[FAILED]} failing": statuses.count(FAILED),
                f"{SYMBOLS[PENDING]} to do": len(names) - statuses.count(PASSED)
                - statuses.count(FAILED),
                "progress": _bar(statuses.count(PASSED), len(names)),
            }
        )
    return pd.DataFrame(rows)


def _bar(done: int, total: int, width: int = 10) -> str:
    filled = round(width * done / total) if total else 0
    return "█" * filled + "░" * (width - filled) + f" {done}/{total}"


def show_progress() -> None:
    """Print the learner's progress through the course."""
    table = progress_table()
    done, total = int(table[f"{SYMBOLS[PASSED]} passed"].sum()), int(table["exercises"].sum())
    print(table.to_string(index=False))
    print(f"\nCourse progress: {done}/{total} exercises passed ({done / total:.0%}).")


if __name__ == "__main__":
    show_progress()
