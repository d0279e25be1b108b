"""Each trained model's headline metric meets its stated bar in the default run.

The numbers are read from the solutions' stored outputs, which the nbval run proves are
exactly what a default run produces today.
"""

import nbformat
import pytest

from utils.metrics import parse_metrics
from utils.paths import course_notebooks, notebook_id

SOLUTIONS = course_notebooks("solutions")


def printed(path):
    return "\n".join(o.get("text", "") for c in nbformat.read(path, as_version=4).cells
                     for o in c.get("outputs", []) if o.get("output_type") == "stream")


def trains_a_model(path):
    cells = nbformat.read(path, as_version=4).cells
    return any(".fit(" in c.source for c in cells if c.cell_type == "code")


@pytest.mark.parametrize("path", SOLUTIONS, ids=notebook_id)
def test_headline_metrics_meet_their_bars(path):
    metrics = parse_metrics(printed(path))
    if trains_a_model(path):
        assert metrics, "a notebook that trains a model states a headline metric"
    for metric in metrics:
        assert metric["ok"], f"{metric['name']} = {metric['value']} misses its bar {metric['bar']}"
