"""Every check result is recorded in the workspace; ``python -m utils.progress`` shows a table."""

from __future__ import annotations

import importlib
import json
import pkgutil
import time

from .paths import workspace

PROGRESS_FILE = "progress.jsonl"


def record(notebook: str, exercise: str, status: str) -> None:
    """Append one check result to ``<workspace>/progress.jsonl``."""
    entry = {"time": round(time.time(), 3), "notebook": notebook, "exercise": exercise,
             "status": status}
    with open(workspace() / PROGRESS_FILE, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry) + "\n")


def latest_results() -> dict[tuple[str, str], str]:
    """(notebook, exercise) -> the status of its most recent check, skipping damaged lines."""
    path = workspace() / PROGRESS_FILE
    results: dict[tuple[str, str], str] = {}
    if not path.exists():
        return results
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
            results[(entry["notebook"], entry["exercise"])] = entry["status"]
        except (ValueError, KeyError, TypeError):
            continue  # a half-written line from an interrupted kernel
    return results


def all_exercises() -> dict[str, list[str]]:
    """Notebook id -> exercise names, for every check module of the course."""
    from . import checks
    from .exercises import REGISTRY

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
                "✅ passed": statuses.count("passed"),
                "❌ failing": statuses.count("failed"),
                "⏳ to do": len(names) - statuses.count("passed") - statuses.count("failed"),
                "progress": _bar(statuses.count("passed"), len(names)),
            }
        )
    return pd.DataFrame(rows)


def _bar(done: int, total: int, width: int = 10) -> str:
    filled = round(width * done / total) if total else 0
    return "█" * filled + "░" * (width - filled) + f" {done}/{total}"


def show_progress() -> None:
    """Print the learner's progress through the course."""
    table = progress_table()
    done, total = int(table["✅ passed"].sum()), int(table["exercises"].sum())
    print(table.to_string(index=False))
    print(f"\nCourse progress: {done}/{total} exercises passed ({done / total:.0%}).")


if __name__ == "__main__":
    show_progress()
