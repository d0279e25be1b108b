"""The checks of 07_advanced_tuning/03_early_stopping: right, wrong and not attempted."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import train_test_split
from torch import nn

from tests.checks.helpers import assert_passes, assert_pending, assert_rejects
from utils import load_dataset
from utils.checks.m07_03_early_stopping import q1, q2, q3

pytestmark = pytest.mark.usefixtures("one_openmp_thread")  # tests/checks/conftest.py

SEED = 42


# -- q1 -----------------------------------------------------------------------------------
def make_stopper(*, compare="<", delta_sign=-1, use_delta=True, limit=0, reset=True,
                 copy_state=copy.deepcopy, keep="best"):
    """An EarlyStopper class, right by default, with one classic mistake on request."""

    class EarlyStopper:
        def __init__(self, patience, min_delta=0.0):
            self.patience, self.min_delta = patience, min_delta
            self.best_loss, self.best_state, self.bad_epochs = float("inf"), None, 0

        def step(self, val_loss, model):
            threshold = self.best_loss + delta_sign * self.min_delta if use_delta else \
                self.best_loss
            better = val_loss <= threshold if compare == "<=" else val_loss < threshold
            if better:
                self.best_loss = val_loss
                self.best_state = copy_state(model.state_dict())
                if reset:
                    self.bad_epochs = 0
            else:
                self.bad_epochs += 1
            if keep == "last":
                self.best_state = copy.deepcopy(model.state_dict())
            return self.bad_epochs >= self.patience + limit

    return EarlyStopper


def test_q1_right():
    assert_passes(q1, make_stopper())


def test_q1_pending():
    class Placeholder:
        def __init__(self, patience, min_delta=0.0):
            pass

        def step(self, val_loss, model):
            return ...

    assert_pending(q1)
    assert_pending(q1, Placeholder)


@pytest.mark.parametrize(("kwargs", "mentions"), [
    ({"compare": "<="}, "exactly `min_delta`"),
    ({"use_delta": False}, "`min_delta` is ignored"),
    ({"delta_sign": 1}, "added to the best loss"),
    ({"limit": 1}, "one epoch too late"),
    ({"limit": -1}, "one epoch too early"),
    ({"reset": False}, "in a row"),
    ({"copy_state": lambda state: state}, "shares its tensors"),
    ({"copy_state": dict}, "deep copy"),
    ({"copy_state": lambda state: state.copy()}, "deep copy"),
    ({"keep": "last"}, "last epoch"),
])
def test_q1_rejects_classic_mistakes(kwargs, mentions):
    assert_rejects(q1, make_stopper(**kwargs), mentions=mentions)


def test_q1_rejects_an_instance_and_a_bool_less_step():
    assert_rejects(q1, make_stopper()(3, 0.0), mentions="class itself")

    class Numbers(make_stopper()):
        def step(self, val_loss, model):
            return int(super().step(val_loss, model))

    assert_rejects(q1, Numbers, mentions="True or False")
    assert_rejects(q1, Numbers, mentions="bool(")


def test_q1_rejects_a_stopper_that_never_stops():
    class Never(make_stopper()):
        def step(self, val_loss, model):
            super().step(val_loss, model)
            return False

    assert_rejects(q1, Never, mentions="never")


def test_q1_rejects_a_step_without_return_and_a_copied_model():
    class NoReturn(make_stopper()):
        def step(self, val_loss, model):
            super().step(val_loss, model)

    assert_rejects(q1, NoReturn, mentions="forget to `return`")
    assert_rejects(q1, make_stopper(copy_state=lambda state: 42), mentions="state_dict")


# -- q2 -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def digits():
    frame = load_dataset("digits")
    X = (frame.drop(columns="target").to_numpy() / 16).astype(np.float32)
    y = frame["target"].to_numpy().astype(np.int64)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, stratify=y,
                                                        random_state=SEED)
    return X_train, y_train, X_test, y_test


SETTINGS = {"max_iter": 500, "learning_rate": 0.2, "validation_fraction": 0.25,
            "n_iter_no_change": 5}


def _hgb(X, y, **changes):
    params = {**SETTINGS, "early_stopping": True, "random_state": SEED, **changes}
    return HistGradientBoostingClassifier(**params).fit(X, y)


def test_q2(digits):
    X_train, y_train, X_test, y_test = digits
    hgb = _hgb(X_train, y_train)
    assert_passes(q2, hgb, int(hgb.n_iter_), X_train, y_train, SEED)
    assert_passes(q2, hgb, np.int64(hgb.n_iter_), X_train, y_train, SEED)
    assert_pending(q2, ..., ..., X_train, y_train, SEED)
    assert_pending(q2, hgb, ..., X_train, y_train, SEED)
    assert_rejects(q2, hgb, len(hgb.validation_score_), X_train, y_train, SEED,
                   mentions="before any tree")
    assert_rejects(q2, hgb, 500, X_train, y_train, SEED, mentions="max_iter")
    assert_rejects(q2, hgb, float(hgb.n_iter_), X_train, y_train, SEED, mentions="n_stop")
    auto = _hgb(X_train, y_train, early_stopping="auto")
    assert_rejects(q2, auto, int(auto.n_iter_), X_train, y_train, SEED, mentions="'auto'")
    unseeded = _hgb(X_train, y_train, random_state=None)
    assert_rejects(q2, unseeded, int(unseeded.n_iter_), X_train, y_train, SEED,
                   mentions="random_state")
    other = _hgb(X_train, y_train, n_iter_no_change=10)
    assert_rejects(q2, other, int(other.n_iter_), X_train, y_train, SEED,
                   mentions="n_iter_no_change")
    on_test = _hgb(X_test, y_test)
    assert_rejects(q2, on_test, int(on_test.n_iter_), X_train, y_train, SEED,
                   mentions="training rows")
    unfitted = HistGradientBoostingClassifier(**SETTINGS, early_stopping=True,
                                              random_state=SEED)
    assert_rejects(q2, unfitted, 10, X_train, y_train, SEED, mentions="not fitted")


# -- q3 -----------------------------------------------------------------------------------
class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Dropout(0.5),
                                    nn.Linear(32, 10))

    def forward(self, x):
        return self.layers(x)


@pytest.fixture(scope="module")
def trained(digits):
    X_train, y_train, X_test, y_test = digits
    X_tr, y_tr = torch.tensor(X_train[:400]), torch.tensor(y_train[:400])
    X_val, y_val = torch.tensor(X_train[400:]), torch.tensor(y_train[400:])
    X_te, y_te = torch.tensor(X_test), torch.tensor(y_test)
    torch.manual_seed(SEED)
    model = MLP()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    best_state = None
    for epoch in range(8):
        model.train()
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(X_tr), y_tr).backward()
        optimizer.step()
        if epoch == 4:
            best_state = copy.deepcopy(model.state_dict())
    last_state = copy.deepcopy(model.state_dict())
    return best_state, last_state, X_val, y_val, X_te, y_te


def _model(state, eval_mode=True):
    model = MLP()
    model.load_state_dict(state)
    return model.train(not eval_mode)


def _accuracy(model, X, y):
    with torch.no_grad():
        return (model(X).argmax(dim=1) == y).float().mean().item()


def test_q3(trained):
    best_state, last_state, X_val, y_val, X_te, y_te = trained
    extra = (best_state, last_state, X_val, y_val, X_te, y_te)
    best = _model(best_state)
    assert_passes(q3, best, _accuracy(best, X_te, y_te), *extra)
    assert_pending(q3, best, ..., *extra)
    assert_rejects(q3, best, _accuracy(best, X_val, y_val), *extra, mentions="VALIDATION")
    last = _model(last_state)
    assert_rejects(q3, last, _accuracy(last, X_te, y_te), *extra, mentions="LAST")
    assert_rejects(q3, best, 100 * _accuracy(best, X_te, y_te), *extra, mentions="fraction")
    training = _model(best_state, eval_mode=False)
    torch.manual_seed(1)
    assert_rejects(q3, training, _accuracy(training, X_te, y_te), *extra,
                   mentions="training mode")
    assert_rejects(q3, best, _accuracy(last, X_te, y_te), *extra, mentions="last epoch")
    assert_rejects(q3, best, 0.5, *extra, mentions="eval mode")
    assert_rejects(q3, best_state, 0.9, *extra, mentions="final_model")

