"""The checks of 04_deep_learning/02_training_loop: right, wrong and not attempted."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import Dataset

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils.checks.m04_02_training_loop import q1, q2, q3, q4, q5


@pytest.fixture(scope="module")
def data():
    """Separable toy "digits": 64 features, 10 classes, float32 / int64, small."""
    rng = np.random.default_rng(0)
    y = np.arange(200) % 10
    centres = rng.normal(size=(10, 64))
    X = (centres[y] + 0.3 * rng.normal(size=(200, 64))).astype(np.float32)
    return X, y.astype(np.int64)


@pytest.fixture(scope="module")
def tensors(data):
    X, y = data
    return torch.tensor(X), torch.tensor(y)


pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/checks/conftest.py


# -- q1 -----------------------------------------------------------------------------------
def _dataset(image=lambda X, i: torch.tensor(X[i], dtype=torch.float32),
             label=lambda y, i: torch.tensor(y[i], dtype=torch.int64), length=len):
    class Rows(Dataset):
        def __init__(self, X, y):
            self.X, self.y = X, y

        def __len__(self):
            return length(self.y)

        def __getitem__(self, index):
            return image(self.X, index), label(self.y, index)

    return Rows


def test_q1_passes_on_a_dataset_class(data):
    X, y = data
    assert_passes(q1, _dataset(), X, y)
    assert_passes(q1, _dataset(label=lambda y, i: int(y[i])), X, y)


def test_q1_pending(data):
    assert_pending(q1, ..., *data)


def test_q1_rejects_float_labels_numpy_images_and_wrong_rows(data):
    X, y = data
    assert_rejects(q1, _dataset(label=lambda y, i: torch.tensor(y[i], dtype=torch.float32)),
                   X, y, mentions="int64")
    assert_rejects(q1, _dataset(label=lambda y, i: float(y[i])), X, y, mentions="float")
    assert_rejects(q1, _dataset(image=lambda X, i: X[i]), X, y, mentions="NumPy array")
    assert_rejects(q1, _dataset(image=lambda X, i: torch.tensor(X[i], dtype=torch.float64)),
                   X, y, mentions="float32")
    assert_rejects(q1, _dataset(image=lambda X, i: torch.tensor(X[i:i + 1])), X, y,
                   mentions="shape")
    assert_rejects(q1, _dataset(label=lambda y, i: torch.tensor(y[0])), X, y,
                   mentions="does not hold row")
    assert_rejects(q1, _dataset(length=lambda y: len(y) - 1), X, y, mentions="__len__")


def test_q1_rejects_a_dataset_that_keeps_the_arrays_dtypes(data):
    X, y = data
    keeps_both = _dataset(image=lambda X, i: torch.from_numpy(X)[i],
                          label=lambda y, i: torch.from_numpy(y)[i])
    assert_rejects(q1, keeps_both, X, y, mentions="float64 pixels and int32 labels")
    assert_rejects(q1, _dataset(label=lambda y, i: torch.from_numpy(y)[i]), X, y,
                   mentions="torch.int32")
    assert_rejects(q1, _dataset(label=lambda y, i: y[i]), X, y, mentions="int32")


def test_q1_rejects_an_instance_and_a_plain_class(data):
    X, y = data
    assert_rejects(q1, _dataset()(X, y), X, y, mentions="class itself")
    assert_rejects(q1, type("NotADataset", (), {}), X, y, mentions="subclass")


# -- q2 -----------------------------------------------------------------------------------
def _epoch(model, loader, loss_fn, optimizer, *, zero=True, softmax=False, train=True,
           step=True, as_tensor=False, last_loss=False):
    if train:
        model.train()
    losses = []
    for images, labels in loader:
        if zero:
            optimizer.zero_grad()
        logits = model(images)
        if softmax:
            logits = logits.softmax(dim=1)
        loss = loss_fn(logits, labels)
        loss.backward()
        if step:
            optimizer.step()
        losses.append(loss if as_tensor else loss.item())
    if last_loss:
        return losses[-1]
    return sum(losses) / len(losses)


def test_q2_passes_on_the_five_steps(tensors):
    assert_passes(q2, _epoch, *tensors)

    def zero_after_step(model, loader, loss_fn, optimizer):
        model.train()
        total = []
        for images, labels in loader:
            loss = loss_fn(model(images), labels)
            loss.backward()
            optimizer.step()
            model.zero_grad(set_to_none=True)
            total.append(loss.item())
        return float(np.mean(total))

    assert_passes(q2, zero_after_step, *tensors)


def test_q2_pending(tensors):
    assert_pending(q2, ..., *tensors)
    assert_pending(q2, lambda model, loader, loss_fn, optimizer: ..., *tensors)


def test_q2_rejects_the_classic_mistakes(tensors):
    assert_rejects(q2, lambda *a: _epoch(*a, zero=False), *tensors, mentions="zero_grad")
    assert_rejects(q2, lambda *a: _epoch(*a, softmax=True), *tensors, mentions="softmax")
    assert_rejects(q2, lambda *a: _epoch(*a, train=False), *tensors, mentions="model.train()")
    assert_rejects(q2, lambda *a: _epoch(*a, step=False), *tensors, mentions="step()")
    assert_rejects(q2, lambda *a: _epoch(*a, as_tensor=True), *tensors, mentions="float")
    assert_rejects(q2, lambda *a: _epoch(*a, last_loss=True), *tensors, mentions="mean")


def test_q2_rejects_one_batch_and_a_crash(tensors):
    def one_batch(model, loader, loss_fn, optimizer):
        model.train()
        images, labels = next(iter(loader))
        optimizer.zero_grad()
        loss = loss_fn(model(images), labels)
        loss.backward()
        optimizer.step()
        return loss.item()

    assert_rejects(q2, one_batch, *tensors, mentions="every batch")
    assert_rejects(q2, lambda m, loader, f, o: f(m(next(iter(loader))[0]),
                                                 next(iter(loader))[1].float()),
                   *tensors, mentions="raised")


# -- q3 -----------------------------------------------------------------------------------
def _evaluate(model, loader, loss_fn, *, eval_mode=True, no_grad=True, dim=1, scale=1.0):
    if eval_mode:
        model.eval()
    total, correct, n = 0.0, 0, 0
    with torch.set_grad_enabled(not no_grad):
        for images, labels in loader:
            logits = model(images)
            total += loss_fn(logits, labels).item() * len(labels)
            predicted = logits.argmax(dim=dim)
            if dim == 0:
                predicted = predicted[labels % predicted.numel()]
            correct += (predicted == labels).sum().item()
            n += len(labels)
    return total / n, scale * correct / n


def test_q3_passes_on_eval_no_grad_and_batch_means(tensors):
    assert_passes(q3, _evaluate, *tensors)

    def inference_mode(model, loader, loss_fn):
        model.eval()
        with torch.inference_mode():
            logits = torch.cat([model(x) for x, _ in loader])
            labels = torch.cat([t for _, t in loader])
            return (loss_fn(logits, labels).item(),
                    (logits.argmax(1) == labels).float().mean().item())

    assert_passes(q3, inference_mode, *tensors)


def test_q3_pending(tensors):
    assert_pending(q3, ..., *tensors)
    assert_pending(q3, lambda model, loader, loss_fn: ..., *tensors)


def test_q3_rejects_train_mode_grad_wrong_dim_and_percent(tensors):
    assert_rejects(q3, lambda *a: _evaluate(*a, eval_mode=False), *tensors,
                   mentions="model.eval()")
    assert_rejects(q3, lambda *a: _evaluate(*a, no_grad=False), *tensors, mentions="no_grad")
    assert_rejects(q3, lambda *a: _evaluate(*a, dim=0), *tensors, mentions="dim=1")
    assert_rejects(q3, lambda *a: _evaluate(*a, scale=100.0), *tensors, mentions="percentage")

    def argmax_dim_0(model, loader, loss_fn):
        model.eval()
        total, correct, n = 0.0, 0, 0
        with torch.no_grad():
            for images, labels in loader:
                logits = model(images)
                total += loss_fn(logits, labels).item() * len(labels)
                correct += (logits.argmax(dim=0) == labels).sum().item()
                n += len(labels)
        return total / n, correct / n

    assert_rejects(q3, argmax_dim_0, *tensors, mentions="argmax over dim 0")

    def softmax_first(model, loader, loss_fn):
        model.eval()
        with torch.no_grad():
            logits = torch.cat([model(x) for x, _ in loader])
            labels = torch.cat([t for _, t in loader])
            return (loss_fn(logits.softmax(dim=1), labels).item(),
                    (logits.argmax(1) == labels).float().mean().item())

    assert_rejects(q3, softmax_first, *tensors, mentions="probabilities")

    def with_backward(model, loader, loss_fn):
        model.eval()
        for images, labels in loader:
            loss_fn(model(images), labels).backward()
        with torch.no_grad():
            return _evaluate(model, loader, loss_fn)

    assert_rejects(q3, with_backward, *tensors, mentions="no_grad")
    assert_rejects(q3, lambda *a: _evaluate(*a)[1], *tensors, mentions="two numbers")

    def mean_of_batches(model, loader, loss_fn):
        model.eval()
        with torch.no_grad():
            pairs = [(loss_fn(model(x), t).item(), (model(x).argmax(1) == t).float().mean().item())
                     for x, t in loader]
        return float(np.mean([p[0] for p in pairs])), float(np.mean([p[1] for p in pairs]))

    assert_rejects(q3, mean_of_batches, *tensors, mentions="weight each batch")
    assert_rejects(q3, lambda *a: (mean_of_batches(*a)[0], _evaluate(*a)[1]), *tensors,
                   mentions="the loss is the mean of the per-batch")


# -- q4 -----------------------------------------------------------------------------------
def test_q4_passes_on_deep_copies(tensors):
    X, _ = tensors
    assert_passes(q4, lambda model: copy.deepcopy(model.state_dict()), X)
    assert_passes(q4, lambda model: {k: v.detach().clone() for k, v in
                                     model.state_dict().items()}, X)


def test_q4_pending(tensors):
    assert_pending(q4, ..., tensors[0])
    assert_pending(q4, lambda model: ..., tensors[0])


def test_q4_rejects_live_references_and_a_model(tensors):
    X, _ = tensors
    assert_rejects(q4, lambda model: model.state_dict(), X, mentions="references")
    assert_rejects(q4, lambda model: dict(model.state_dict()), X, mentions="references")
    assert_rejects(q4, lambda model: model.state_dict().copy(), X, mentions="references")
    assert_rejects(q4, lambda model: copy.deepcopy(model), X, mentions="returns a model")
    assert_rejects(q4, lambda model: list(model.parameters()), X, mentions="dict of tensors")
    assert_rejects(q4, lambda model: {k: v.clone() for k, v in
                                      reversed(model.state_dict().items())}, X, mentions="keys")


# -- q5 -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def trained(tensors):
    X, y = tensors
    X_train, y_train, X_val, y_val, X_test, y_test = X[:120], y[:120], X[120:160], y[120:160], \
        X[160:], y[160:]
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 16), nn.ReLU(), nn.Linear(16, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    history, states = {"val_accuracy": []}, []
    for _ in range(60):
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(X_train), y_train).backward()
        optimizer.step()
        with torch.no_grad():
            history["val_accuracy"].append(
                (model(X_val).argmax(1) == y_val).float().mean().item())
        states.append(copy.deepcopy(model.state_dict()))
    return model, history, states, (X_val, y_val, X_test, y_test)


def _loaded(state):
    model = nn.Sequential(nn.Linear(64, 16), nn.ReLU(), nn.Linear(16, 10))
    model.load_state_dict(state)
    return model


def test_q5_passes_on_the_best_state(trained):
    model, history, states, split = trained
    best = int(np.argmax(history["val_accuracy"]))
    assert_passes(q5, _loaded(states[best]), history, *split)


def test_q5_pending(trained):
    _, history, _, split = trained
    assert_pending(q5, ..., history, *split)


def test_q5_rejects_the_last_epoch_an_early_one_and_a_class(trained):
    model, history, states, split = trained
    X_val, y_val = split[:2]
    with torch.no_grad():
        early = (_loaded(states[0])(X_val).argmax(1) == y_val).sum().item() / len(y_val)
    assert early < max(history["val_accuracy"])
    # a run whose best epoch came before its last one
    assert_rejects(q5, _loaded(states[0]), {"val_accuracy": [1.0, early]}, *split,
                   mentions="LAST epoch")
    assert_rejects(q5, _loaded(states[0]), history, *split, mentions="best_state")
    assert_rejects(q5, nn.Sequential, history, *split, mentions="class itself")
    assert_rejects(q5, states[-1], history, *split, mentions="nn.Module")


def test_q5_rejects_a_model_below_the_bar(tensors):
    X, y = tensors
    torch.manual_seed(1)
    untrained = nn.Sequential(nn.Linear(64, 10))
    with torch.no_grad():
        accuracy = (untrained(X[120:160]).argmax(1) == y[120:160]).float().mean().item()
    assert_rejects(q5, untrained, {"val_accuracy": [accuracy]}, X[120:160], y[120:160],
                   X[160:], y[160:], mentions="below the bar")
