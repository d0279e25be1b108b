"""The checks of 04_deep_learning/04_optimisers_losses: right, wrong and not attempted.

Tiny tensors on the CPU: every test runs in well under a second.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils.checks.m04_04_optimisers_losses import q1, q2, q3

LR_SGD, MOMENTUM, LR_ADAM = 0.05, 0.9, 1e-3


# -- q1 -----------------------------------------------------------------------------------
def make_optimizer(name, parameters):
    if name == "SGD":
        return torch.optim.SGD(parameters, lr=LR_SGD)
    if name == "SGD + momentum":
        return torch.optim.SGD(parameters, lr=LR_SGD, momentum=MOMENTUM)
    return torch.optim.Adam(parameters, lr=LR_ADAM)


def with_change(name_changed, replacement):
    def factory(name, parameters):
        if name == name_changed:
            return replacement(parameters)
        return make_optimizer(name, parameters)
    return factory


def test_q1_passes_on_the_three_optimisers():
    assert_passes(q1, make_optimizer, LR_SGD, MOMENTUM, LR_ADAM)


def test_q1_pending():
    assert_pending(q1)
    assert_pending(q1, lambda name, parameters: ..., LR_SGD, MOMENTUM, LR_ADAM)


def test_q1_rejects_another_models_parameters():
    other = nn.Linear(4, 3)
    wrong = with_change("SGD + momentum",
                        lambda _: torch.optim.SGD(other.parameters(), lr=LR_SGD,
                                                  momentum=MOMENTUM))
    assert_rejects(q1, wrong, LR_SGD, MOMENTUM, LR_ADAM, mentions="does not hold the parameters")


def test_q1_rejects_a_learning_rate_too_high_or_too_low():
    high = with_change("SGD", lambda p: torch.optim.SGD(p, lr=10.0))
    assert_rejects(q1, high, LR_SGD, MOMENTUM, LR_ADAM, mentions="far above")
    low = with_change("Adam", lambda p: torch.optim.Adam(p, lr=1e-6))
    assert_rejects(q1, low, LR_SGD, MOMENTUM, LR_ADAM, mentions="far below")
    off = with_change("Adam", lambda p: torch.optim.Adam(p, lr=2e-3))
    assert_rejects(q1, off, LR_SGD, MOMENTUM, LR_ADAM, mentions="notebook's value")


def test_q1_rejects_momentum_mistakes_and_wrong_classes():
    no_momentum = with_change("SGD + momentum", lambda p: torch.optim.SGD(p, lr=LR_SGD))
    assert_rejects(q1, no_momentum, LR_SGD, MOMENTUM, LR_ADAM, mentions="momentum=")
    momentum_everywhere = with_change("SGD", lambda p: torch.optim.SGD(p, lr=LR_SGD,
                                                                       momentum=MOMENTUM))
    assert_rejects(q1, momentum_everywhere, LR_SGD, MOMENTUM, LR_ADAM, mentions="plain SGD")
    adamw = with_change("Adam", lambda p: torch.optim.AdamW(p, lr=LR_ADAM))
    assert_rejects(q1, adamw, LR_SGD, MOMENTUM, LR_ADAM, mentions="torch.optim.Adam")
    the_class = with_change("Adam", lambda p: torch.optim.Adam)
    assert_rejects(q1, the_class, LR_SGD, MOMENTUM, LR_ADAM, mentions="class")
    assert_rejects(q1, make_optimizer("SGD", nn.Linear(2, 2).parameters()), LR_SGD, MOMENTUM,
                   LR_ADAM, mentions="function itself")


def test_q1_rejects_a_crash_and_another_optimiser_class():
    def crashes(name, parameters):
        return torch.optim.SGD(lr=LR_SGD)

    assert_rejects(q1, crashes, LR_SGD, MOMENTUM, LR_ADAM, mentions="raised TypeError")

    class Frozen(torch.optim.SGD):
        def step(self, closure=None):
            return None

    frozen = with_change("SGD", lambda p: Frozen(p, lr=LR_SGD))
    assert_rejects(q1, frozen, LR_SGD, MOMENTUM, LR_ADAM, mentions="torch.optim.SGD")


# -- q2 -----------------------------------------------------------------------------------
@pytest.fixture
def batch():
    generator = torch.Generator().manual_seed(42)
    logits = (2 * torch.randn(8, 10, generator=generator)).requires_grad_()
    targets = torch.randint(0, 10, (8,), generator=generator)
    return logits, targets


def answer(logits, targets, loss_of=F.cross_entropy, backward_times=1, dim=1):
    logits.grad = None
    loss = loss_of(logits, targets)
    for _ in range(backward_times):
        loss.backward(retain_graph=True)
    return loss, logits.grad, logits.argmax(dim=dim)


def test_q2_passes_on_cross_entropy_and_its_gradient(batch):
    assert_passes(q2, *answer(*batch), *batch)


def test_q2_pending(batch):
    assert_pending(q2)
    assert_pending(q2, ..., ..., ..., *batch)


def test_q2_rejects_softmax_before_the_loss_and_nll_on_logits(batch):
    softmax_first = answer(*batch, loss_of=lambda z, y: F.cross_entropy(z.softmax(1), y))
    assert_rejects(q2, *softmax_first, *batch, mentions="softmax")
    nll_raw = answer(*batch, loss_of=F.nll_loss)
    assert_rejects(q2, *nll_raw, *batch, mentions="log_softmax")


def test_q2_rejects_sum_mse_and_per_row_losses(batch):
    summed = answer(*batch, loss_of=lambda z, y: F.cross_entropy(z, y, reduction="sum"))
    assert_rejects(q2, *summed, *batch, mentions="sum")
    mse = answer(*batch, loss_of=lambda z, y: F.mse_loss(z.softmax(1),
                                                         F.one_hot(y, 10).float()))
    assert_rejects(q2, *mse, *batch, mentions="MSE")
    logits, targets = batch
    per_row = F.cross_entropy(logits, targets, reduction="none")
    assert_rejects(q2, per_row, None, logits.argmax(1), *batch, mentions="one value per row")


def test_q2_rejects_accumulated_or_missing_gradients(batch):
    twice = answer(*batch, backward_times=2)
    assert_rejects(q2, *twice, *batch, mentions="added up")
    logits, targets = batch
    logits.grad = None
    loss = F.cross_entropy(logits, targets)
    assert_rejects(q2, loss, logits.grad, logits.argmax(1), *batch, mentions="backward()")


def test_q2_rejects_argmax_over_the_batch_and_probabilities(batch):
    loss, grad, _ = answer(*batch)
    logits, targets = batch
    assert_rejects(q2, loss, grad, logits.argmax(dim=0), *batch, mentions="dim 0")
    assert_rejects(q2, loss, grad, logits.softmax(1).max(1).values, *batch, mentions="floats")


# -- q3 -----------------------------------------------------------------------------------
@pytest.fixture
def labels():
    rng = np.random.default_rng(0)
    y_train = (rng.random(200) < 0.25).astype(int)
    y_test = (rng.random(60) < 0.4).astype(int)
    return y_train, y_test


def weighted(y, dtype=torch.float32):
    n_pos = int(y.sum())
    return nn.BCEWithLogitsLoss(pos_weight=torch.tensor([(len(y) - n_pos) / n_pos],
                                                        dtype=dtype))


def targets_of(y):
    return torch.tensor(y, dtype=torch.float32).unsqueeze(1)


def test_q3_passes_on_float_targets_and_the_training_weight(labels):
    y_train, y_test = labels
    assert_passes(q3, weighted(y_train), targets_of(y_train), y_train, y_test, "cpu")


def test_q3_pending(labels):
    y_train, y_test = labels
    assert_pending(q3)
    assert_pending(q3, ..., ..., y_train, y_test, "cpu")


def test_q3_rejects_targets_that_do_not_match_the_loss(labels):
    y_train, y_test = labels
    loss_fn = weighted(y_train)
    assert_rejects(q3, loss_fn, torch.tensor(y_train).unsqueeze(1), y_train, y_test, "cpu",
                   mentions="float targets")
    assert_rejects(q3, loss_fn, torch.tensor(y_train, dtype=torch.float32), y_train, y_test, "cpu",
                   mentions="unsqueeze(1)")
    assert_rejects(q3, loss_fn, targets_of(y_train[::-1].copy()), y_train, y_test, "cpu",
                   mentions="order")


def test_q3_rejects_the_wrong_loss_class(labels):
    y_train, y_test = labels
    assert_rejects(q3, nn.BCELoss(), targets_of(y_train), y_train, y_test, "cpu",
                   mentions="BCEWithLogitsLoss")
    assert_rejects(q3, nn.CrossEntropyLoss(), targets_of(y_train), y_train, y_test, "cpu",
                   mentions="one logit per class")


def test_q3_rejects_weight_mistakes(labels):
    y_train, y_test = labels
    targets = targets_of(y_train)
    assert_rejects(q3, nn.BCEWithLogitsLoss(), targets, y_train, y_test, "cpu",
                   mentions="no `pos_weight`")
    n_pos = int(y_train.sum())
    inverted = nn.BCEWithLogitsLoss(pos_weight=torch.tensor([n_pos / (len(y_train) - n_pos)]))
    assert_rejects(q3, inverted, targets, y_train, y_test, "cpu",
                   mentions="inverted")
    everything = np.concatenate([y_train, y_test])
    assert_rejects(q3, weighted(everything), targets, y_train, y_test, "cpu",
                   mentions="test rows included")
    assert_rejects(q3, weighted(y_test), targets, y_train, y_test, "cpu",
                   mentions="on the test rows")


def test_q3_rejects_targets_or_weight_on_another_device(labels):
    y_train, y_test = labels
    # "meta" stands in for an accelerator: the check compares device types only.
    assert_rejects(q3, weighted(y_train), targets_of(y_train), y_train, y_test, "meta",
                   mentions="`yb_train_t` is on cpu")
    meta_weight = nn.BCEWithLogitsLoss(pos_weight=torch.ones(1, device="meta"))
    assert_rejects(q3, meta_weight, targets_of(y_train), y_train, y_test, "cpu",
                   mentions="`pos_weight` is on meta")


def test_q1_rejects_a_function_that_forgets_to_return():
    def forgets(name, parameters):
        torch.optim.SGD(parameters, lr=LR_SGD)

    assert_rejects(q1, forgets, LR_SGD, MOMENTUM, LR_ADAM, mentions="forget to `return`")
