"""The three verdicts of a check, how they are shown, and the log that records them.

Everything that speaks about verdicts imports them from here: the exercise engine (which
decides and records them), the progress table (which a learner reads) and the course runner
(which counts one run's results). This module depends on nothing else in ``utils`` but
``paths``, so none of them has to import another to agree on a name.

Every check appends one JSON line to ``<workspace>/progress.jsonl``; the latest line of an
exercise is its current verdict.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from .paths import workspace

PASSED, FAILED, PENDING = "passed", "failed", "pending"
STATUSES = (PASSED, FAILED, PENDING)
SYMBOLS = {PASSED: "✅", FAILED: "❌", PENDING: "⏳"}
LABELS = {PASSED: "Correct", FAILED: "Not yet", PENDING: "Not attempted"}  # words beside symbols
HINT_SYMBOL, HINT_LABEL = "💡", "Hint"

PROGRESS_FILE = "progress.jsonl"


def record(notebook: str, exercise: str, status: str) -> None:
    """Append one check result to ``<workspace>/progress.jsonl``."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}, not {status!r}")
    entry = {"time": round(time.time(), 3), "notebook": notebook, "exercise": exercise,
             "status": status}
    with open(workspace() / PROGRESS_FILE, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry) + "\n")


def latest_results(folder: str | Path | None = None) -> dict[tuple[str, str], str]:
    """(notebook, exercise) -> the status of its most recent check, read from the log in
    ``folder`` (default: the workspace); lines damaged by an interrupted kernel are skipped."""
    path = Path(folder if folder is not None else workspace()) / PROGRESS_FILE
    results: dict[tuple[str, str], str] = {}
    if not path.exists():
        return results
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
            if entry["status"] in STATUSES:
                results[(entry["notebook"], entry["exercise"])] = entry["status"]
        except (ValueError, KeyError, TypeError):
            continue  # a half-written line from an interrupted kernel
    return results


def count_results(folder: str | Path | None = None) -> dict[str, int]:
    """How many exercises are passed, failed and pending, by their latest result in ``folder``."""
    statuses = list(latest_results(folder).values())
    return {status: statuses.count(status) for status in STATUSES}
