"""Environment variables that libraries read once, when they load; ``utils`` sets them first.

* TensorFlow and MLflow stay quiet, so a notebook that imports ``utils`` first has clean
  stderr (nbval compares stderr, so a stray log line would fail the output check).
* OpenBLAS (NumPy's and SciPy's linear algebra) uses one thread. Results then do not depend on
  the machine's core count, and two notebooks run side by side (the tests, the course runner)
  do not oversubscribe the cores: with two threads each on a busy 2-core machine, small
  scikit-learn fits ran ten times slower. ``seed_everything`` also limits libraries that were
  loaded before ``utils`` (with threadpoolctl).
"""

from __future__ import annotations

import os
import warnings

QUIET_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "MLFLOW_LOGGING_LEVEL": "WARNING",
    "MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT": "true",
    "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "1",
    "OPENBLAS_NUM_THREADS": "1",
}


def quiet_logs() -> None:
    """Set these variables unless the user already chose a value."""
    for name, value in QUIET_ENV.items():
        os.environ.setdefault(name, value)
    warnings.filterwarnings("ignore", message="IProgress not found", module="tqdm")
