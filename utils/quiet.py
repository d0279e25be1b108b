"""Environment variables that keep TensorFlow and MLflow quiet; they must be set before import.

``utils`` sets them when it is imported, so a notebook that imports ``utils`` first has clean
stderr (nbval compares stderr, so a stray log line would fail the output check).
"""

from __future__ import annotations

import os

QUIET_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "MLFLOW_LOGGING_LEVEL": "WARNING",
    "MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT": "true",
    "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "1",
}


def quiet_logs() -> None:
    """Set the quiet variables unless the user already chose a value."""
    for name, value in QUIET_ENV.items():
        os.environ.setdefault(name, value)
