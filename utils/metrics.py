"""Headline metrics: each notebook that trains a model states one, with the bar it must meet.

``record_metric`` prints one line in a fixed format. The course runner reads it from executed
notebooks for its report, and the quality-bar tests read it from the stored (nbval-verified)
outputs of the solutions.
"""

from __future__ import annotations

import re

METRIC_LINE = re.compile(
    r"📏 Headline metric (?P<name>[^\n]+?): (?P<value>-?[\d.]+) "
    r"\(bar: (?P<op>[≥≤]) (?P<bar>-?[\d.]+)\) (?P<verdict>meets the bar|BELOW THE BAR)"
)


def meets(value: float, bar: float, higher_is_better: bool = True) -> bool:
    return value >= bar if higher_is_better else value <= bar


def record_metric(name: str, value: float, bar: float, higher_is_better: bool = True) -> float:
    """Print the notebook's headline metric and whether it meets its bar; return the value."""
    value = float(value)
    op = "≥" if higher_is_better else "≤"
    verdict = "meets the bar" if meets(value, bar, higher_is_better) else "BELOW THE BAR"
    print(f"📏 Headline metric {name}: {value:.4f} (bar: {op} {bar:.4f}) {verdict}")
    return value


def parse_metrics(text: str) -> list[dict]:
    """Every headline-metric line in ``text`` as a dict (name, value, bar, ok)."""
    found = []
    for match in METRIC_LINE.finditer(text):
        value, bar = float(match["value"]), float(match["bar"])
        found.append(
            {
                "name": match["name"],
                "value": value,
                "bar": bar,
                "ok": meets(value, bar, match["op"] == "≥"),
            }
        )
    return found
