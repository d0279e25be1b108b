"""The checks of 04_deep_learning/01_tensors_autograd: right, wrong and not attempted."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils.checks.m04_01_tensors_autograd import q1, q2, q3, q4


@pytest.fixture(scope="module")
def arrays():
    rng = np.random.default_rng(0)
    X_np = rng.normal(size=(30, 3)).astype(np.float32)
    y_np = X_np @ np.array([2.0, -1.0, 0.5]) + 3.0 + rng.normal(scale=0.5, size=30)
    return X_np, y_np


pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/checks/conftest.py


# -- q1 -----------------------------------------------------------------------------------
def test_q1_passes_on_float32_copies(arrays):
    X_np, y_np = arrays
    assert_passes(q1, torch.tensor(X_np, dtype=torch.float32),
                  torch.tensor(y_np, dtype=torch.float32), X_np, y_np, "cpu")
    assert_passes(q1, torch.from_numpy(X_np.copy()), torch.from_numpy(y_np).float(),
                  X_np, y_np, "cpu")


def test_q1_pending(arrays):
    X_np, y_np = arrays
    assert_pending(q1)
    assert_pending(q1, ..., ..., X_np, y_np, "cpu")


def test_q1_rejects_shared_memory_float64_and_shapes(arrays):
    X_np, y_np = arrays
    y = torch.tensor(y_np, dtype=torch.float32)
    assert_rejects(q1, torch.from_numpy(X_np), y, X_np, y_np, "cpu", mentions="shares its memory")
    assert_rejects(q1, torch.tensor(X_np), torch.from_numpy(y_np), X_np, y_np, "cpu",
                   mentions="float64")
    assert_rejects(q1, torch.tensor(X_np), y.reshape(-1, 1), X_np, y_np, "cpu",
                   mentions="shape")
    assert_rejects(q1, X_np.copy(), y, X_np, y_np, "cpu", mentions="NumPy array")
    assert_rejects(q1, torch.tensor(X_np).long(), y, X_np, y_np, "cpu", mentions="dtype")
    assert_rejects(q1, torch.tensor(X_np), torch.tensor(y_np[::-1].copy()).float(), X_np, y_np,
                   "cpu", mentions="values")


def test_q1_rejects_the_wrong_device(arrays):
    X_np, y_np = arrays
    assert_rejects(q1, torch.tensor(X_np), torch.tensor(y_np).float(), X_np, y_np, "meta",
                   mentions="DEVICE")


# -- q2 -----------------------------------------------------------------------------------
def test_q2_passes_on_reshaped_and_library_losses():
    assert_passes(q2, lambda p, t: ((p.reshape(-1) - t.reshape(-1)) ** 2).mean())
    assert_passes(q2, lambda p, t: torch.nn.functional.mse_loss(p.flatten(), t.flatten()))


def test_q2_pending():
    assert_pending(q2)
    assert_pending(q2, lambda p, t: ...)


def test_q2_rejects_broadcasting_sum_rmse_and_numbers():
    assert_rejects(q2, lambda p, t: ((p - t) ** 2).mean(), mentions="broadcasts")
    assert_rejects(q2, lambda p, t: ((p.reshape(-1) - t.reshape(-1)) ** 2).sum(),
                   mentions="SUM")
    assert_rejects(q2, lambda p, t: ((p.reshape(-1) - t.reshape(-1)) ** 2).mean().sqrt(),
                   mentions="square root")
    assert_rejects(q2, lambda p, t: ((p.reshape(-1) - t.reshape(-1)) ** 2).mean().item(),
                   mentions="keep it a tensor")
    assert_rejects(q2, lambda p, t: ((p.reshape(-1) - t.reshape(-1)) ** 2).mean().detach(),
                   mentions="requires grad")
    assert_rejects(q2, lambda p, t: (p.reshape(-1) - t.reshape(-1)) ** 2, mentions="mean")
    assert_rejects(q2, lambda p, t: ((p.reshape(-1) - t.reshape(-1)) ** 2).mean(0,
                   keepdim=True), mentions="0-d")
    assert_rejects(q2, lambda p, t: p.numpy(), mentions="raised")


def test_q2_rejects_the_function_called():
    assert_rejects(q2, torch.tensor(1.0), mentions="function itself")


# -- q3 -----------------------------------------------------------------------------------
def _grads_backward(w, b, X, y):
    w.grad = None
    b.grad = None
    ((X @ w + b - y) ** 2).mean().backward()
    return w.grad, b.grad


def _grads_autograd(w, b, X, y):
    return torch.autograd.grad(((X @ w + b - y) ** 2).mean(), (w, b))


def _grads_accumulating(w, b, X, y):
    ((X @ w + b - y) ** 2).mean().backward()
    return w.grad.clone(), b.grad.clone()


def test_q3_passes_with_backward_and_autograd_grad():
    assert_passes(q3, _grads_backward)
    assert_passes(q3, _grads_autograd)


def test_q3_pending():
    assert_pending(q3)
    assert_pending(q3, lambda w, b, X, y: ...)


def test_q3_rejects_accumulation_sum_half_sign_and_updates():
    assert_rejects(q3, _grads_accumulating, mentions="ADDS to `.grad`")
    assert_rejects(q3, lambda w, b, X, y: torch.autograd.grad(((X @ w + b - y) ** 2).sum(),
                                                              (w, b)), mentions="sum")
    assert_rejects(q3, lambda w, b, X, y: torch.autograd.grad(
        ((X @ w + b - y) ** 2).mean() / 2, (w, b)), mentions="half")
    assert_rejects(q3, lambda w, b, X, y: torch.autograd.grad(
        -((X @ w + b - y) ** 2).mean(), (w, b)), mentions="sign")
    assert_rejects(q3, lambda w, b, X, y: torch.autograd.grad(
        (X @ w + b - y).abs().mean(), (w, b)), mentions="grad_w is not")

    def updates(w, b, X, y):
        grads = _grads_autograd(w, b, X, y)
        with torch.no_grad():
            w -= 0.1 * grads[0]
        return grads

    assert_rejects(q3, updates, mentions="changed w or b")
    assert_rejects(q3, lambda w, b, X, y: _grads_autograd(w, b, X, y)[0], mentions="two")


# -- q4 -----------------------------------------------------------------------------------
def _descent(X, y, lr, n_steps, *, zero=True, record_after=False, sign=1.0):
    w = torch.zeros(X.shape[1], requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    losses = []
    for _ in range(n_steps):
        loss = ((X @ w + b - y) ** 2).mean()
        if not record_after:
            losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w -= sign * lr * w.grad
            b -= sign * lr * b.grad
        if zero:
            w.grad, b.grad = None, None
        if record_after:
            losses.append(((X @ w + b - y) ** 2).mean().item())
    return w.detach(), b.detach(), losses


def _no_no_grad(X, y, lr, n_steps):
    w = torch.zeros(X.shape[1], requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    losses = []
    for _ in range(n_steps):
        loss = ((X @ w + b - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        w -= lr * w.grad
    return w, b, losses


@pytest.fixture(scope="module")
def problem(arrays):
    X_np, y_np = arrays
    return torch.tensor(X_np), torch.tensor(y_np, dtype=torch.float32)


def test_q4_passes_on_plain_gradient_descent(problem):
    X, y = problem
    assert_passes(q4, _descent, X, y, 0.1, 60)


def test_q4_pending(problem):
    X, y = problem
    assert_pending(q4, ..., X, y, 0.1, 60)
    assert_pending(q4, lambda X, y, lr, n: ..., X, y, 0.1, 60)


def test_q4_rejects_accumulated_gradients(problem):
    X, y = problem
    assert_rejects(q4, lambda *a: _descent(*a, zero=False), X, y, 0.1, 60,
                   mentions="ADDS to `.grad`")
    assert_rejects(q4, lambda *a: _descent(*a, zero=False), X, y, 0.02, 30,
                   mentions="accumulate")


def test_q4_rejects_update_outside_no_grad_sign_and_shifted_losses(problem):
    X, y = problem
    assert_rejects(q4, _no_no_grad, X, y, 0.1, 60, mentions="with torch.no_grad():")
    assert_rejects(q4, lambda *a: _descent(*a, sign=-1.0), X, y, 0.1, 60, mentions="sign")
    assert_rejects(q4, lambda *a: _descent(*a, record_after=True), X, y, 0.1, 60,
                   mentions="shifted")
    assert_rejects(q4, lambda X, y, lr, n: _descent(X, y, 0.05, n), X, y, 0.1, 60,
                   mentions="given lr")


def test_q4_rejects_wrong_return_values(problem):
    X, y = problem

    def tensor_losses(*a):
        w, b, losses = _descent(*a)
        return w, b, torch.tensor(losses)

    assert_rejects(q4, tensor_losses, X, y, 0.1, 60, mentions="list of Python floats")
    assert_rejects(q4, lambda *a: _descent(*a)[:2], X, y, 0.1, 60, mentions="three")

    def tensor_items(X, y, lr, n_steps):
        w, b, losses = _descent(X, y, lr, n_steps)
        return w, b, [torch.tensor(v, requires_grad=True) for v in losses]

    assert_rejects(q4, tensor_items, X, y, 0.1, 60, mentions="holds tensors")

    def new_tensors(X, y, lr, n_steps):
        w = torch.zeros(X.shape[1], requires_grad=True)
        b = torch.zeros((), requires_grad=True)
        losses = []
        for _ in range(n_steps):
            loss = ((X @ w + b - y) ** 2).mean()
            losses.append(loss.item())
            loss.backward()
            with torch.no_grad():
                w = w - lr * w.grad
                b = b - lr * b.grad
        return w, b, losses

    assert_rejects(q4, new_tensors, X, y, 0.1, 60, mentions="NEW tensor")
    assert_rejects(q4, lambda *a: (_descent(*a)[0].reshape(-1, 1), *_descent(*a)[1:]),
                   X, y, 0.1, 60, mentions="shape")
    assert_rejects(q4, lambda *a: (*_descent(*a)[:2], _descent(*a)[2][:-1]), X, y, 0.1, 60,
                   mentions="one loss per step")
