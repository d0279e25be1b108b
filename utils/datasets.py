"""One loader for every dataset of the course, from any working directory, offline.

Three sources:

* scikit-learn's bundled sets (``iris``, ``wine``, ``breast_cancer``, ``digits``, ``diabetes``);
* ``penguins``, shipped inside the palmerpenguins package;
* the course's own files in ``datasets/``, made by seeded generators (``dataset_builders``),
  each with a data card (``datasets/<name>.md``) and a SHA-256 checksum in
  ``datasets/CHECKSUMS`` that is verified on every load.

``make datasets`` (``mlcourse datasets``) rebuilds the course's files and their checksums.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from . import dataset_builders
from .paths import DATASETS_DIR


class DatasetError(RuntimeError):
    """A dataset is unknown, missing or corrupt; the message says which file and what to do."""


def _sklearn(loader_name: str) -> Callable[[], pd.DataFrame]:
    def load() -> pd.DataFrame:
        import sklearn.datasets

        bunch = getattr(sklearn.datasets, loader_name)(as_frame=True)
        return bunch.frame

    return load


def _penguins() -> pd.DataFrame:
    from palmerpenguins import load_penguins

    return load_penguins()


BUNDLED: dict[str, Callable[[], pd.DataFrame]] = {
    "iris": _sklearn("load_iris"),
    "wine": _sklearn("load_wine"),
    "breast_cancer": _sklearn("load_breast_cancer"),
    "digits": _sklearn("load_digits"),
    "diabetes": _sklearn("load_diabetes"),
    "penguins": _penguins,
}

# The course's own files: name -> (builder, columns parsed as dates).
GENERATED: dict[str, tuple[Callable[..., pd.DataFrame], list[str]]] = {
    "churn": (dataset_builders.build_churn, ["signup_date"]),
    "fraud": (dataset_builders.build_fraud, []),
    "support_tickets": (dataset_builders.build_support_tickets, ["created_at"]),
}

CHECKSUMS_FILE = "CHECKSUMS"
# The shop's raw exports (module 06) are files, not one table: read them with shop_files().
SHOP_FILES = {"customers": "shop/customers.jsonl", "orders": "shop/orders.csv"}


def available() -> list[str]:
    """Names that ``load_dataset`` accepts."""
    return sorted([*BUNDLED, *GENERATED])


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def expected_checksums(folder: Path = DATASETS_DIR) -> dict[str, str]:
    """File name -> SHA-256, read from ``datasets/CHECKSUMS`` (the ``sha256sum`` format)."""
    listing = folder / CHECKSUMS_FILE
    if not listing.exists():
        raise DatasetError(f"{listing} is missing; rebuild it with `make datasets`.")
    checksums = {}
    for line in listing.read_text().splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            checksums[name.strip()] = digest
    return checksums


def load_dataset(name: str, folder: Path | None = None) -> pd.DataFrame:
    """Load a dataset by name as a DataFrame (for scikit-learn's sets the target is a column).

    Raises ``DatasetError`` naming the file when it is missing, corrupt or unreadable.
    """
    if name in BUNDLED:
        return BUNDLED[name]()
    if name == "shop":
        raise DatasetError("The shop's raw exports are two files, not one table: get their "
                           "paths with `utils.shop_files()` and read them yourself.")
    if name not in GENERATED:
        raise DatasetError(f"Unknown dataset {name!r}. Available: {', '.join(available())}.")
    folder = Path(folder) if folder is not None else DATASETS_DIR
    path = _verified(folder, f"{name}.csv")
    return pd.read_csv(path, parse_dates=GENERATED[name][1])


def _verified(folder: Path, file: str) -> Path:
    """The path of ``folder / file`` once its SHA-256 matches ``CHECKSUMS``."""
    path = folder / file
    if not path.exists():
        raise DatasetError(
            f"Dataset file {path} is missing. Restore it with `git checkout -- datasets/` "
            "or rebuild it with `make datasets`."
        )
    expected = expected_checksums(folder).get(file)
    if expected is None:
        raise DatasetError(f"{folder / CHECKSUMS_FILE} has no checksum for {file}.")
    actual = sha256(path)
    if actual != expected:
        raise DatasetError(
            f"Dataset file {path} is corrupt: its SHA-256 is {actual[:12]}…, expected "
            f"{expected[:12]}…. Restore it with `git checkout -- datasets/` or rebuild it "
            "with `make datasets`."
        )
    return path


class ShopFiles(NamedTuple):
    """Paths of the shop's raw exports (see datasets/shop.md)."""

    customers: Path
    orders: Path


def shop_files(folder: Path | None = None) -> ShopFiles:
    """The shop's raw exports, checked against ``CHECKSUMS``: customers (JSON lines), orders (CSV).

    They are raw on purpose (duplicates, wrong types, mixed time zones...): read them as text
    and clean them; ``datasets/shop.md`` lists every planted defect.
    """
    folder = Path(folder) if folder is not None else DATASETS_DIR
    return ShopFiles(**{key: _verified(folder, file) for key, file in SHOP_FILES.items()})


def write_shop(folder: Path) -> dict[str, str]:
    """Write the shop's raw exports under ``folder``; return file (relative) -> SHA-256."""
    frames = dataset_builders.build_shop()
    customers = folder / SHOP_FILES["customers"]
    customers.parent.mkdir(parents=True, exist_ok=True)
    records = frames["customers"].to_dict(orient="records")
    customers.write_text("".join(json.dumps(record) + "\n" for record in records))
    orders = folder / SHOP_FILES["orders"]
    frames["orders"].to_csv(orders, index=False, lineterminator="\n")
    return {file: sha256(folder / file) for file in SHOP_FILES.values()}


def build_all(folder: Path = DATASETS_DIR) -> dict[str, str]:
    """Write every generated dataset and ``CHECKSUMS``; return file name -> SHA-256."""
    folder.mkdir(parents=True, exist_ok=True)
    checksums = {}
    for name, (builder, _) in sorted(GENERATED.items()):
        path = folder / f"{name}.csv"
        builder().to_csv(path, index=False, lineterminator="\n")
        checksums[path.name] = sha256(path)
    checksums.update(write_shop(folder))
    lines = [f"{digest}  {file}" for file, digest in sorted(checksums.items())]
    (folder / CHECKSUMS_FILE).write_text("\n".join(lines) + "\n")
    return checksums

