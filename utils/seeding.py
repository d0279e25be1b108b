"""One call to make a run repeatable: Python, NumPy, PyTorch and TensorFlow/Keras seeds."""

from __future__ import annotations

import os
import random
import sys

import numpy as np
from threadpoolctl import threadpool_limits

DEFAULT_SEED = 42


def seed_everything(seed: int = DEFAULT_SEED, threads: int = 1) -> np.random.Generator:
    """Seed every random number generator the course uses and return a NumPy ``Generator``.

    PyTorch and TensorFlow are seeded only if a notebook already imported them, so a
    NumPy-only lesson does not pay for importing either. Results also depend on the number of
    threads, so it is fixed here (``threads``) for PyTorch and for the BLAS libraries already
    loaded (NumPy's and SciPy's OpenBLAS); those loaded later read ``OPENBLAS_NUM_THREADS``,
    which importing ``utils`` sets.
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, not {seed!r}")
    random.seed(seed)
    np.random.seed(seed)  # legacy global state, still used by some libraries
    os.environ["PYTHONHASHSEED"] = str(seed)  # inherited by subprocesses
    threadpool_limits(limits=threads, user_api="blas")
    if "torch" in sys.modules:
        import torch

        # PyTorch's reproducibility notes ask for this cuBLAS workspace setting, made before
        # CUDA starts, for deterministic matrix products on a GPU.
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.manual_seed(seed)  # seeds the CPU and every GPU
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(True, warn_only=True)
    if "tensorflow" in sys.modules or "keras" in sys.modules:
        import keras

        keras.utils.set_random_seed(seed)  # seeds Python, NumPy and the backend
    return np.random.default_rng(seed)


def device() -> str:
    """'cuda' when PyTorch sees a GPU, else 'cpu' (and 'cpu' when PyTorch is not installed)."""
    try:
        import torch
    except ImportError:
        return "cpu"
    return "cuda" if torch.cuda.is_available() else "cpu"
