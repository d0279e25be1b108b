"""Checks for 04_deep_learning/01_tensors_autograd: tensors from NumPy arrays, a mean squared
error that does not broadcast by accident, gradients with autograd, gradient descent by hand.

Every check receives the learner's answer first, then the inputs the notebook gave them. The
function exercises are called inside the check on fresh tensors, and every reference (values,
gradients, the gradient-descent trajectory) is computed here from those inputs, so the checks
hold for any ``SEED`` or ``QUICK``.
"""

from __future__ import annotations

import numpy as np

from ..check_helpers import call_learner, expect_function, quiet, type_name
from ..exercises import Exercise, Mismatch, expect, fail

NOTEBOOK = "04_deep_learning/01_tensors_autograd"


def _expect_tensor(value: object, name: str):
    """``value`` if it is a torch tensor; a NumPy array or a Python number gets its own
    feedback."""
    import torch

    if isinstance(value, np.ndarray):
        fail(f"`{name}` is a NumPy array; it should be a torch tensor.")
    if isinstance(value, float | int):
        fail(f"`{name}` is a Python {type_name(value)}: keep it a tensor (no `.item()` or "
             "`float(...)`), so that autograd can still differentiate it.")
    expect(isinstance(value, torch.Tensor),
           f"`{name}` should be a torch tensor, not a {type_name(value)}.")
    return value


# -- q1: tensors from NumPy arrays --------------------------------------------------------
def _check_q1(X, y, X_np, y_np, device) -> str:
    import torch

    for value, array, name, source in ((X, X_np, "X", "X_np"), (y, y_np, "y", "y_np")):
        _expect_tensor(value, name)
        if value.dtype == torch.float64:
            fail(f"`{name}` is float64, as {source} is: NumPy defaults to 64-bit floats, but "
                 "PyTorch layers work in float32. Ask for `dtype=torch.float32`.")
        expect(value.dtype == torch.float32,
               f"`{name}` has dtype {value.dtype}; it should be torch.float32.")
        if tuple(value.shape) != array.shape:
            if value.numel() == array.size:
                fail(f"`{name}` has shape {tuple(value.shape)}, but {source} has shape "
                     f"{array.shape}: keep the NumPy array's shape (no reshape, no extra "
                     "dimension).")
            fail(f"`{name}` has shape {tuple(value.shape)}, but {source} has shape "
                 f"{array.shape}.")
        expect(value.device.type == torch.device(device).type,
               f"`{name}` is on {value.device.type}, but the notebook's DEVICE is "
               f"{torch.device(device).type}: move it with `.to(DEVICE)` (or `device=DEVICE`).")
        expect(not value.requires_grad,
               f"`{name}` requires grad; data tensors do not need gradients.")
        values = value.detach().cpu().numpy()
        expect(np.allclose(values, array, rtol=1e-6, atol=1e-6),
               f"`{name}` does not hold the values of {source}.")
        if value.device.type == "cpu" and np.shares_memory(values, array):
            fail(f"`{name}` shares its memory with {source} (what `torch.from_numpy` does): "
                 f"changing one element of {source} would change `{name}` too. Make a copy, "
                 "e.g. with `torch.tensor(...)`.")
    return f"X {tuple(X.shape)} and y {tuple(y.shape)}, float32, on {X.device.type}."


q1 = Exercise(
    name="q1",
    notebook=NOTEBOOK,
    check_fn=_check_q1,
    hints=[
        "`torch.tensor(array, dtype=..., device=...)` always copies; `torch.from_numpy(array)` "
        "shares the array's memory and keeps its dtype.",
        "Look at `X_np.dtype` and `y_np.dtype`: one of them is float64, and both tensors "
        "should be float32.",
        "`X = torch.tensor(X_np, dtype=torch.float32, device=DEVICE)`, and the same for y.",
    ],
)


# -- q2: a mean squared error that does not broadcast by accident --------------------------
def _check_q2(mse) -> str:
    import torch

    expect_function(mse, "mse")
    generator = torch.Generator().manual_seed(0)
    pred_flat = torch.randn(7, generator=generator)
    target_flat = torch.randn(7, generator=generator)
    right = ((pred_flat - target_flat) ** 2).mean()
    broadcast = ((pred_flat.reshape(-1, 1) - target_flat.reshape(1, -1)) ** 2).mean()
    shapes = {"(n,)": lambda t: t.clone(), "(n, 1)": lambda t: t.reshape(-1, 1).clone()}
    for pred_shape, shape_pred in shapes.items():
        for target_shape, shape_target in shapes.items():
            pred = shape_pred(pred_flat).requires_grad_(True)
            target = shape_target(target_flat)
            call = f"mse(<pred of shape {pred_shape}>, <target of shape {target_shape}>)"
            with quiet():
                result = call_learner(mse, pred, target, call=call)
            result = _expect_tensor(result, f"the result of {call}")
            if result.numel() == 1 and result.dim() > 0:
                fail(f"{call} has shape {tuple(result.shape)}; a loss is one number, a 0-d "
                     "tensor (take the mean over every element).")
            expect(result.dim() == 0,
                   f"{call} returns a tensor of shape {tuple(result.shape)}: take the mean so "
                   "that the loss is a single number (a 0-d tensor).")
            value = float(result.detach())
            if np.isclose(value, float(broadcast), rtol=1e-5) and not np.isclose(
                    value, float(right), rtol=1e-5):
                fail(f"{call} broadcasts: the difference of a (n, 1) and a (n,) tensor is an "
                     "(n, n) matrix, so every prediction is compared with every target. Make "
                     "both tensors the same shape before subtracting.")
            if np.isclose(value, float(right) * len(pred_flat), rtol=1e-5):
                fail(f"{call} is the SUM of the squared errors; the task asks for their mean.")
            if np.isclose(value, float(right) ** 0.5, rtol=1e-5):
                fail(f"{call} is the square root of the mean squared error (RMSE); the task "
                     "asks for the MSE itself.")
            expect(np.isclose(value, float(right), rtol=1e-5),
                   f"{call} does not return the mean of the squared differences.")
            expect(result.requires_grad,
                   f"{call} no longer requires grad although `pred` does: compute it with "
                   "torch operations (no `.detach()`, `.numpy()` or `torch.no_grad()`), so "
                   "that the loss can be differentiated.")
    return "right for every combination of (n,) and (n, 1) shapes, and differentiable."


q2 = Exercise(
    name="q2",
    notebook=NOTEBOOK,
    check_fn=_check_q2,
    hints=[
        "Print `(pred - target).shape` for a pred of shape (n, 1) and a target of shape (n,): "
        "that is the bug to avoid.",
        "Bring both tensors to the same 1-D shape first: `.reshape(-1)` (or `.view(-1)`, "
        "`.flatten()`).",
        "`((pred.reshape(-1) - target.reshape(-1)) ** 2).mean()`.",
    ],
)


# -- q3: gradients of the mean squared error with autograd ---------------------------------
def _check_q3(mse_gradients) -> str:
    import torch

    expect_function(mse_gradients, "mse_gradients")
    generator = torch.Generator().manual_seed(1)
    X = torch.randn(12, 3, generator=generator)
    y = torch.randn(12, generator=generator)
    w = torch.randn(3, generator=generator).requires_grad_(True)
    b = torch.tensor(0.5, requires_grad=True)
    w_before, b_before = w.detach().clone(), b.detach().clone()
    residual = X @ w_before + b_before - y
    right_w = 2 * X.T @ residual / len(y)
    right_b = 2 * residual.mean()

    def call_once(attempt: str):
        result = call_learner(mse_gradients, w, b, X, y,
                              call=f"mse_gradients(w, b, X, y) ({attempt} call)")
        expect(isinstance(result, tuple | list) and len(result) == 2,
               "`mse_gradients` should return two tensors, (grad_w, grad_b), not "
               f"a {type_name(result)}.")
        grad_w = _expect_tensor(result[0], "grad_w")
        grad_b = _expect_tensor(result[1], "grad_b")
        expect(tuple(grad_w.shape) == tuple(w.shape),
               f"grad_w has shape {tuple(grad_w.shape)}; a gradient has the shape of its "
               f"parameter, w, {tuple(w.shape)}.")
        expect(grad_b.numel() == 1, f"grad_b has shape {tuple(grad_b.shape)}; b is one number.")
        return grad_w.detach().clone(), grad_b.detach().reshape(()).clone()

    def close(a, b_) -> bool:
        return bool(torch.allclose(a, b_, rtol=1e-4, atol=1e-6))

    grad_w, grad_b = call_once("first")
    expect(torch.equal(w.detach(), w_before) and torch.equal(b.detach(), b_before),
           "`mse_gradients` changed w or b: it should only compute gradients, not update the "
           "parameters.")
    if close(grad_w, right_w / 2) and close(grad_b, right_b / 2):
        fail("the gradients are half the right size: is the loss the MEAN of the SQUARED "
             "errors (the square brings a factor 2 into the derivative)?")
    if close(grad_w, right_w * len(y)) and close(grad_b, right_b * len(y)):
        fail("the gradients are n times too large: the loss should be the mean of the squared "
             "errors, not their sum.")
    if close(grad_w, -right_w) and close(grad_b, -right_b):
        fail("the gradients have the wrong sign: differentiate the loss, do not negate it "
             "(the minus sign belongs to the gradient-descent step).")
    expect(close(grad_w, right_w), "grad_w is not the gradient of the mean squared error "
           "((X @ w + b - y) ** 2).mean() with respect to w.")
    expect(close(grad_b, right_b), "grad_b is not the gradient of the mean squared error "
           "with respect to b.")
    grad_w, grad_b = call_once("second")
    if close(grad_w, 2 * right_w) and close(grad_b, 2 * right_b):
        fail("the second call with the same w and b returns twice the gradient: `backward` "
             "ADDS to `.grad`. Reset the gradients (`w.grad = None`, or `w.grad.zero_()` once "
             "it exists) before each backward pass.")
    expect(close(grad_w, right_w) and close(grad_b, right_b),
           "a second call with the same w and b returns other gradients: each call should "
           "start from clean gradients.")
    return "matches the closed-form gradient, call after call."


q3 = Exercise(
    name="q3",
    notebook=NOTEBOOK,
    check_fn=_check_q3,
    hints=[
        "Compute the loss from w, b, X and y with tensor operations, then call "
        "`loss.backward()`: the gradients land in `w.grad` and `b.grad`.",
        "The function is called several times with the same w and b: gradients accumulate, "
        "so clear them first (`w.grad = None; b.grad = None`).",
        "`w.grad = None; b.grad = None; loss = ((X @ w + b - y) ** 2).mean(); "
        "loss.backward(); return w.grad, b.grad`.",
    ],
)


# -- q4: gradient descent by hand --------------------------------------------------------
def _reference_descent(X, y, lr: float, n_steps: int, zero_grad: bool = True):
    """Plain gradient descent on the mean squared error, from zeros, as the task states it
    (``zero_grad=False``: the classic mistake, gradients left to accumulate)."""
    import torch

    w = torch.zeros(X.shape[1], dtype=X.dtype, device=X.device, requires_grad=True)
    b = torch.zeros((), dtype=X.dtype, device=X.device, requires_grad=True)
    losses = []
    for _ in range(n_steps):
        loss = ((X @ w + b - y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        if zero_grad:
            w.grad = None
            b.grad = None
    return w.detach(), b.detach(), np.array(losses)


def _check_q4(gradient_descent, X, y, lr, n_steps) -> str:
    import torch

    expect_function(gradient_descent, "gradient_descent")
    try:
        with quiet():
            result = call_learner(gradient_descent, X, y, lr, n_steps,
                                  call="gradient_descent(X, y, LEARNING_RATE, N_STEPS)")
    except Mismatch as crash:
        if "leaf Variable" in str(crash):
            fail("the update ran while autograd was recording: PyTorch refuses an in-place "
                 "change of a leaf tensor that requires grad. Update inside "
                 "`with torch.no_grad():`.")
        if "does not require grad" in str(crash):
            fail("after the first update, w or b no longer requires grad: `w = w - lr * w.grad` "
                 "makes a NEW tensor that autograd does not track. Update the leaf in place, "
                 "`w -= lr * w.grad`, inside `torch.no_grad()`.")
        raise
    expect(isinstance(result, tuple | list) and len(result) == 3,
           "`gradient_descent` should return three things, (w, b, losses), not "
           f"a {type_name(result)}.")
    w, b, losses = result
    w = _expect_tensor(w, "w").detach()
    b = _expect_tensor(b, "b").detach()
    expect(tuple(w.shape) == (X.shape[1],),
           f"w has shape {tuple(w.shape)}; it should have one weight per column of X, shape "
           f"({X.shape[1]},).")
    expect(b.numel() == 1, f"b has shape {tuple(b.shape)}; the intercept is one number.")
    if isinstance(losses, torch.Tensor):
        fail("`losses` is a tensor; keep a list of Python floats (`loss.item()` each step), "
             "which also stops the list from holding every step's graph in memory.")
    if isinstance(losses, list | tuple) and any(isinstance(v, torch.Tensor) for v in losses):
        fail("`losses` holds tensors: append `loss.item()`, a Python float. A loss tensor keeps "
             "its step's whole graph alive in memory.")
    expect(isinstance(losses, list | tuple | np.ndarray),
           f"`losses` should be a list of floats, not a {type_name(losses)}.")
    try:
        losses = np.array(losses, dtype=float)
    except (TypeError, ValueError):
        fail("`losses` should hold one number per step (`loss.item()`).")
    expect(losses.shape == (n_steps,),
           f"`losses` has {losses.size} values; record one loss per step ({n_steps}).")
    right_w, right_b, right_losses = _reference_descent(X, y, lr, n_steps)
    accumulated = _reference_descent(X, y, lr, n_steps, zero_grad=False)

    def same_run(w_, b_, losses_, reference) -> bool:
        ref_w, ref_b, ref_losses = reference
        scale = max(1.0, float(np.abs(ref_losses).max())) if np.isfinite(ref_losses).all() \
            else 1.0
        return (bool(torch.allclose(w_.cpu(), ref_w.cpu(), rtol=1e-3, atol=1e-4))
                and bool(torch.allclose(b_.reshape(()).cpu(), ref_b.cpu(), rtol=1e-3,
                                        atol=1e-4))
                and bool(np.allclose(losses_, ref_losses, rtol=1e-3, atol=1e-6 * scale)))

    if not same_run(w, b, losses, (right_w, right_b, right_losses)):
        finite = bool(np.isfinite(losses).all())
        if finite and np.isfinite(accumulated[2]).all() and same_run(w, b, losses,
                                                                     accumulated):
            fail("the gradients accumulate from step to step: `backward` ADDS to `.grad`, so "
                 "reset `w.grad` and `b.grad` after each update.")
        if (not finite and not np.isfinite(accumulated[2]).all()
                and np.allclose(losses[:2], right_losses[:2], rtol=1e-4)):
            fail("the loss blows up after the first step although the first update was right: "
                 "`backward` ADDS to `.grad`, so reset `w.grad` and `b.grad` after each "
                 "update.")
        expect(np.isfinite(losses).all() and losses[-1] <= losses[0],
               "the loss grows instead of falling: check the sign of the update (subtract "
               "lr * gradient) and use the learning rate you were given.")
        if np.allclose(losses[:-1], right_losses[1:], rtol=1e-3):
            fail("the losses are shifted by one step: record the loss of the current w and b "
                 "at each step, before updating them (losses[0] is the loss at zero).")
        expect(np.isclose(losses[0], right_losses[0], rtol=1e-4),
               "losses[0] is not the loss of w = 0, b = 0: start from zeros and record the "
               "loss before each update.")
        fail("w, b or the losses differ from plain gradient descent: each step should be "
             "w -= lr * w.grad and b -= lr * b.grad, with the given lr and number of steps.")
    design = torch.cat([X.double(), torch.ones(len(X), 1, dtype=torch.float64,
                                                device=X.device)], dim=1)
    exact = torch.linalg.lstsq(design.cpu(), y.double().cpu().reshape(-1, 1)).solution.ravel()
    gap = float((torch.cat([w.cpu().double(), b.reshape(1).cpu().double()]) - exact)
                .abs().max())
    agreement = ("agrees with the closed-form answer to 4 decimals" if gap < 5e-5 else
                 f"still {gap:.1g} away from the closed-form answer (more steps would close it)")
    return f"the loss fell from {losses[0]:.3g} to {losses[-1]:.3g}; {agreement}."


q4 = Exercise(
    name="q4",
    notebook=NOTEBOOK,
    check_fn=_check_q4,
    hints=[
        "Start from `w = torch.zeros(X.shape[1], requires_grad=True)` and "
        "`b = torch.zeros((), requires_grad=True)` (on X's device); each step computes the "
        "loss, appends `loss.item()`, calls `loss.backward()` and updates.",
        "Update inside `with torch.no_grad():` (autograd must not record the update), and "
        "clear the gradients afterwards (`w.grad = None`), or the next step adds to them.",
        "`with torch.no_grad(): w -= lr * w.grad; b -= lr * b.grad`, then "
        "`w.grad = None; b.grad = None`; return `w.detach(), b.detach(), losses`.",
    ],
)
