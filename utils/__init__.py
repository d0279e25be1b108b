"""The course's shared module: every notebook imports what it needs from here.

Importing ``utils`` first sets the environment variables that keep TensorFlow and MLflow quiet
and give linear algebra one thread (they only take effect if set before those libraries load).
"""

from .quiet import quiet_logs

quiet_logs()

from .datasets import DatasetError, available, load_dataset, shop_files  # noqa: E402
from .metrics import record_metric  # noqa: E402
from .paths import REPO_ROOT, workspace  # noqa: E402
from .plotting import set_style  # noqa: E402
from .progress import show_progress  # noqa: E402
from .seeding import device, seed_everything  # noqa: E402
from .setup import setup_course  # noqa: E402

__all__ = [
    "DatasetError", "REPO_ROOT", "available", "device", "load_dataset", "record_metric",
    "seed_everything", "set_style", "setup_course", "shop_files", "show_progress", "workspace",
]
