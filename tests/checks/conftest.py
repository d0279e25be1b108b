"""Fixtures shared by the check tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def one_torch_thread():
    """One PyTorch thread, as the notebooks use (many threads on a busy 2-core machine make
    these tiny models slower, not faster). Use it with ``pytestmark``."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def one_openmp_thread():
    """Gradient boosting on one OpenMP thread: on a busy 2-core machine, more threads only
    wait for each other (the notebooks do the same). Use it with ``pytestmark``."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="openmp"):
        yield
