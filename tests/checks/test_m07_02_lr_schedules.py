"""The checks of 07_advanced_tuning/02_lr_schedules: right, wrong and not attempted."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.optim.lr_scheduler import (
    CosineAnnealingLR,
    ExponentialLR,
    LinearLR,
    ReduceLROnPlateau,
    SequentialLR,
)

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils.checks.m07_02_lr_schedules import q1, q2, q3, q4

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/checks/conftest.py


# -- q1 ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def curve():
    lrs = np.geomspace(1e-4, 3.0, 60)
    losses = 2.3 - 1.6 / (1 + np.exp(-3 * (np.log10(lrs) + 1.2)))
    losses[45:] = losses[44] + np.linspace(0.1, 3.0, 15)  # blows up past lrs[44]
    return lrs, losses


def test_q1_right(curve):
    lrs, losses = curve
    assert_passes(q1, lrs[np.argmin(losses)] / 10, lrs, losses)
    assert_passes(q1, float(lrs[np.argmin(losses)] / 10), lrs, losses)


def test_q1_pending(curve):
    assert_pending(q1, ..., *curve)


@pytest.mark.parametrize(("wrong", "mentions"), [
    (lambda lrs, losses: lrs[np.argmin(losses)], "edge of instability"),
    (lambda lrs, losses: losses.min(), "loss value"),
    (lambda lrs, losses: int(np.argmin(losses)), "position"),
    (lambda lrs, losses: lrs[-1] / 10, "last rate"),
    (lambda lrs, losses: 0.05, "one tenth"),
    (lambda lrs, losses: "0.01", "number"),
])
def test_q1_wrong(curve, wrong, mentions):
    lrs, losses = curve
    assert_rejects(q1, wrong(lrs, losses), lrs, losses, mentions=mentions)


# -- q2 ------------------------------------------------------------------------------------
def warmup_cosine(optimizer, warmup_epochs, total_epochs):
    return SequentialLR(optimizer, [
        LinearLR(optimizer, start_factor=0.1, total_iters=warmup_epochs),
        CosineAnnealingLR(optimizer, T_max=total_epochs - warmup_epochs)],
        milestones=[warmup_epochs])


def test_q2_right():
    assert_passes(q2, warmup_cosine, 0.6)


def test_q2_pending():
    assert_pending(q2, lambda optimizer, warmup_epochs, total_epochs: ..., 0.6)


@pytest.mark.parametrize(("wrong", "mentions"), [
    (lambda opt, w, t: CosineAnnealingLR(opt, T_max=t), "no warm-up"),
    (lambda opt, w, t: SequentialLR(opt, [LinearLR(opt, start_factor=0.1, total_iters=w),
                                          CosineAnnealingLR(opt, T_max=t)], milestones=[w]),
     "as long as the whole run"),
    (lambda opt, w, t: SequentialLR(opt, [LinearLR(opt, start_factor=0.1, total_iters=w),
                                          ExponentialLR(opt, gamma=0.8)], milestones=[w]),
     "cosine part that follows"),
    (lambda opt, w, t: SequentialLR(opt, [LinearLR(opt, start_factor=0.1, total_iters=3),
                                          CosineAnnealingLR(opt, T_max=17)], milestones=[3]),
     "use the arguments"),
    (lambda opt, w, t: SequentialLR(opt, [LinearLR(opt, start_factor=0.5, total_iters=w),
                                          CosineAnnealingLR(opt, T_max=t - w)], milestones=[w]),
     "epoch 0"),
    (lambda opt, w, t: [0.1] * t, "scheduler object"),
    (lambda opt, w, t: ReduceLROnPlateau(opt), "fixed warm-up"),
    (lambda opt, w, t: warmup_cosine(torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))],
                                                     lr=0.6), w, t), "another optimizer"),
    (lambda opt, w, t: 1 / 0, "raised ZeroDivisionError"),
])
def test_q2_wrong(wrong, mentions):
    assert_rejects(q2, wrong, 0.6, mentions=mentions)


def test_q2_wants_the_function_itself():
    assert_rejects(q2, "warmup_cosine", 0.6, mentions="function itself")


# -- q3 ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tensors():
    rng = np.random.default_rng(0)
    y = np.arange(120) % 10
    X = (rng.normal(size=(10, 64))[y] + 0.3 * rng.normal(size=(120, 64))).astype(np.float32)
    return torch.tensor(X), torch.tensor(y, dtype=torch.int64)


def make_loop(*, per_batch=False, before=False, record_after=False, ret=None):
    def train_with_scheduler(model, loader, loss_fn, optimizer, scheduler, epochs):
        rates = []
        for _ in range(epochs):
            if not record_after:
                rates.append(optimizer.param_groups[0]["lr"])
            if before:
                scheduler.step()
            for images, labels in loader:
                optimizer.zero_grad()
                loss_fn(model(images), labels).backward()
                optimizer.step()
                if per_batch:
                    scheduler.step()
            if not (per_batch or before):
                scheduler.step()
            if record_after:
                rates.append(optimizer.param_groups[0]["lr"])
        return rates if ret is None else ret
    return train_with_scheduler


def test_q3_right(tensors):
    assert_passes(q3, make_loop(), *tensors)


def test_q3_pending(tensors):
    assert_pending(q3, make_loop(ret=...), *tensors)


def no_optimizer_step(model, loader, loss_fn, optimizer, scheduler, epochs):
    rates = []
    for _ in range(epochs):
        rates.append(optimizer.param_groups[0]["lr"])
        scheduler.step()
    return rates


def twice_per_epoch(model, loader, loss_fn, optimizer, scheduler, epochs):
    rates = make_loop()(model, loader, loss_fn, optimizer, scheduler, epochs)
    scheduler.step()
    return rates


@pytest.mark.parametrize(("wrong", "mentions"), [
    (make_loop(per_batch=True), "once per batch"),
    (make_loop(before=True), "before the optimizer"),
    (make_loop(record_after=True), "after the scheduler's step"),
    (make_loop(ret=0.1), "list of learning rates"),
    (make_loop(ret=[0.1]), "one learning rate per epoch"),
    (make_loop(ret=[0.1] * 5), "each epoch trained with"),
    (no_optimizer_step, "once per batch"),
    (twice_per_epoch, "exactly once per epoch"),
])
def test_q3_wrong(tensors, wrong, mentions):
    assert_rejects(q3, wrong, *tensors, mentions=mentions)


# -- q4 ------------------------------------------------------------------------------------
TRAIN = [1.0, 0.8, 0.6, 0.5, 0.45, 0.4, 0.38, 0.36]
VAL = [1.0, 0.8, 0.7, 0.71, 0.72, 0.73, 0.69, 0.74]


def make_plateau(*, metric="val", mode="min", patience=2, factor=0.5, before=False, ret=None):
    def plateau_lrs(optimizer, train_losses, val_losses):
        scheduler = ReduceLROnPlateau(optimizer, mode=mode, factor=factor, patience=patience)
        rates = []
        for train_loss, val_loss in zip(train_losses, val_losses, strict=True):
            if before:
                rates.append(optimizer.param_groups[0]["lr"])
            scheduler.step(val_loss if metric == "val" else train_loss)
            if not before:
                rates.append(optimizer.param_groups[0]["lr"])
        return rates if ret is None else ret
    return plateau_lrs


def test_q4_right():
    assert_passes(q4, make_plateau(), TRAIN, VAL)
    assert_passes(q4, make_plateau(), np.array(TRAIN), np.array(VAL))


def test_q4_pending():
    assert_pending(q4, make_plateau(ret=...), TRAIN, VAL)


@pytest.mark.parametrize(("wrong", "mentions"), [
    (make_plateau(metric="train"), "training loss"),
    (make_plateau(before=True), "after the step"),
    (make_plateau(mode="max"), "mode='min'"),
    (make_plateau(patience=3), "patience"),
    (make_plateau(patience=10), "never changes"),
    (make_plateau(patience=1), "patience"),
    (make_plateau(factor=0.1), "task's settings"),
    (make_plateau(ret=0.1), "list of learning rates"),
    (make_plateau(ret=[0.1]), "one learning rate per epoch"),
    (lambda optimizer, t, v: [0.1] * len(v), "never changes"),
])
def test_q4_wrong(wrong, mentions):
    assert_rejects(q4, wrong, TRAIN, VAL, mentions=mentions)
